"""`python -m bench [NAME ...]`: run every benchmark (or the named ones) and record bench/RESULTS.md.

A benchmark is a module `bench/bench_<name>.py` with NAME, TITLE and
`run(calls, warmup) -> str` returning its Markdown section.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

from bench.results import RESULTS_PATH, write_section


def discover() -> dict[str, ModuleType]:
    package_dir = Path(__file__).resolve().parent
    modules = [importlib.import_module(f"bench.{info.name}")
               for info in pkgutil.iter_modules([str(package_dir)]) if info.name.startswith("bench_")]
    return {module.NAME: module for module in sorted(modules, key=lambda m: m.NAME)}


def main() -> int:
    benchmarks = discover()
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run pocketcloud's benchmarks.")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run (default: all of {', '.join(benchmarks)})")
    parser.add_argument("--calls", type=int, default=2000, help="measured calls per row (default 2000)")
    parser.add_argument("--warmup", type=int, default=100, help="warm-up calls before each row (default 100)")
    parser.add_argument("--no-write", action="store_true", help=f"print only; leave {RESULTS_PATH.name} alone")
    args = parser.parse_args()
    unknown = [name for name in args.names if name not in benchmarks]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(benchmarks)}")
    if args.calls < 1 or args.warmup < 0:
        parser.error("--calls must be at least 1 and --warmup not negative")
    for name in args.names or list(benchmarks):
        module = benchmarks[name]
        print(f"{name}: {module.TITLE}", flush=True)
        section = module.run(args.calls, args.warmup)
        print(section, flush=True)
        if not args.no_write:
            write_section(name, section)
            print(f"recorded in {RESULTS_PATH}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
