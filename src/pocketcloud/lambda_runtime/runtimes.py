"""How each Lambda runtime is started here, and the environment AWS gives it.

Python runtimes (python3.9 … python3.14) run on the server's own interpreter
(`sys.executable`, so the function can import what pocketcloud's environment
has installed, boto3 included, as Lambda's managed runtimes bundle boto3) with
AWS's runtime interface client, awslambdaric, when it is installed (the
`lambda` extra), else with our standard-library client, which writes the same
error documents and log lines. Node.js runtimes run on the local `node` with
our client for Node; provided.al2 / provided.al2023 run the package's own
`bootstrap` executable.

Lambda's nodejs18.x and later runtimes include the AWS SDK for JavaScript v3 in
/var/runtime/node_modules, on NODE_PATH. Here that SDK is the npm project
lambda-sdk/node at the top of the repository (installed by `make`), found by
`node_sdk_modules`; POCKETCLOUD_LAMBDA_NODE_SDK names another node_modules
folder (an installed, non-editable pocketcloud has no repository beside it).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from functools import cache
from pathlib import Path

BOOTSTRAP_DIR = Path(__file__).with_name("bootstrap")
# The repository's lambda-sdk/node/node_modules, from src/pocketcloud/lambda_runtime/ (an editable install).
REPO_NODE_SDK = Path(__file__).resolve().parents[3] / "lambda-sdk" / "node" / "node_modules"

PYTHON_RUNTIMES = {"python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14"}
NODE_RUNTIMES = {"nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"}
PROVIDED_RUNTIMES = {"provided.al2", "provided.al2023", "provided"}
SUPPORTED_RUNTIMES = PYTHON_RUNTIMES | NODE_RUNTIMES | PROVIDED_RUNTIMES


class RuntimeUnavailable(Exception):
    pass


@cache
def has_awslambdaric() -> bool:
    return importlib.util.find_spec("awslambdaric") is not None


def node_sdk_modules() -> Path | None:
    """The node_modules folder standing in for the Node.js runtimes' /var/runtime/node_modules (the
    AWS SDK for JavaScript v3), or None when it is not installed (npm was missing at install time)."""
    configured = os.environ.get("POCKETCLOUD_LAMBDA_NODE_SDK")
    folder = Path(configured).expanduser().absolute() if configured else REPO_NODE_SDK  # NODE_PATH needs it whole
    return folder if folder.is_dir() else None


def runtime_command(
    runtime: str, code_dir: Path, handler: str = "", python_client: str = "auto"
) -> list[str]:
    """The command starting a runtime; `python_client` is "auto", "awslambdaric" or "builtin"."""
    if runtime in PYTHON_RUNTIMES:
        if python_client == "awslambdaric" or (python_client == "auto" and has_awslambdaric()):
            return [sys.executable, "-u", "-m", "awslambdaric", handler]
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


def wrapped_command(command: list[str], wrapper: str, code_dir: Path, opt: Path | None) -> list[str]:
    """The command of a managed runtime started through AWS_LAMBDA_EXEC_WRAPPER, as AWS starts it:
    the wrapper gets the runtime's command as its arguments. A shell execs it, so a wrapper that is
    missing or not executable ends the runtime with status 127 or 126, as it does in AWS."""
    # The wrapper usually comes in a layer (/opt) or the package (/var/task): those stand elsewhere here.
    for root, local in (("/opt/", opt), ("/var/task/", code_dir)):
        if local is not None and wrapper.startswith(root):
            wrapper = str(local / wrapper[len(root) :])
    return ["/bin/sh", "-c", 'exec "$0" "$@"', wrapper, *command]


def execution_env_name(runtime: str) -> str:
    return f"AWS_Lambda_{runtime}"
