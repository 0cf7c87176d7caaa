"""`python -m pocketcloud` is the same as the `pocketcloud` command."""

from pocketcloud.cli import main

raise SystemExit(main())
