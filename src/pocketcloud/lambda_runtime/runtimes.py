"""How each Lambda runtime is started here, and the environment AWS gives it.

Python runtimes (python3.9 … python3.13) run on the local interpreter with
our standard-library runtime client; Node.js runtimes run on the local `node`
with ours for Node; provided.al2 / provided.al2023 run the package's own
`bootstrap` executable.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

BOOTSTRAP_DIR = Path(__file__).with_name("bootstrap")

PYTHON_RUNTIMES = {"python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14"}
NODE_RUNTIMES = {"nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"}
PROVIDED_RUNTIMES = {"provided.al2", "provided.al2023", "provided"}
SUPPORTED_RUNTIMES = PYTHON_RUNTIMES | NODE_RUNTIMES | PROVIDED_RUNTIMES


class RuntimeUnavailable(Exception):
    pass


def runtime_command(runtime: str, code_dir: Path) -> list[str]:
    if runtime in PYTHON_RUNTIMES:
        return [sys.executable, "-u", str(BOOTSTRAP_DIR / "python_runtime.py")]
    if runtime in NODE_RUNTIMES:
        node = shutil.which("node")
        if node is None:
            raise RuntimeUnavailable(f"{runtime} needs `node` on this machine")
        return [node, str(BOOTSTRAP_DIR / "node_runtime.js")]
    if runtime in PROVIDED_RUNTIMES:
        bootstrap = code_dir / "bootstrap"
        return [str(bootstrap)]
    raise RuntimeUnavailable(f"runtime {runtime} is not supported")


def execution_env_name(runtime: str) -> str:
    return f"AWS_Lambda_{runtime}"
