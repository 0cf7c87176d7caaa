"""Running the AWS SDK for JavaScript v3 scripts of tests/js against the test server.

The `js_sdk` fixture installs tests/js's locked dependencies when they are missing, and
skips only when node or npm is absent, as tests/services/s3/test_clients.py does; `run_js`
runs one script and returns the JSON document it printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS_DIR = Path(__file__).resolve().parents[1] / "js"


@pytest.fixture(scope="module")
def js_sdk() -> Path:
    """tests/js with its locked npm dependencies installed (`make test` installs them too)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed")
    if not all(
        (JS_DIR / "node_modules" / "@aws-sdk" / pkg).is_dir()
        for pkg in (
            "client-sqs",
            "client-lambda",
            "client-iam",
            "client-sts",
            "client-cloudwatch-logs",
            "client-s3",
            "s3-request-presigner",
        )
    ):
        install = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, capture_output=True, text=True, timeout=600
        )
        assert install.returncode == 0, f"npm ci failed:\n{install.stdout}\n{install.stderr}"
    return JS_DIR


def run_js(js_dir: Path, script: str, endpoint: str, **env: str) -> dict[str, Any]:
    """What `script` printed (its last line, one JSON document); fails the test if node failed."""
    run = subprocess.run(
        ["node", script],
        cwd=js_dir,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "POCKETCLOUD_ENDPOINT": endpoint, **env},
    )
    assert run.returncode == 0, f"node {script} failed:\n{run.stdout}\n{run.stderr}"
    seen: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return seen
