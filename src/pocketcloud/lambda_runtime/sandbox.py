"""Each execution environment's own /tmp, /opt and /var/task, through a mount namespace when the host allows one.

In AWS every execution environment has a /tmp of its own (512 MB by default, EphemeralStorage up
to 10,240 MB) that lasts as long as the environment, its layers unpacked in /opt and its code in
/var/task. Here a runtime is started through `bootstrap/sandbox_exec.py`, which enters a new mount
namespace (and, for a user other than root, a user namespace mapping only that user), binds the
environment's directory onto /tmp, its merged layers read-only onto /opt (an empty /opt without
layers) and its code read-only onto /var/task, then executes the runtime there: code that writes
`/tmp/x` or reads `/opt/lib/x` or `/var/task/x` by absolute path works as in AWS, stack traces name
/var/task as AWS's do, and two environments never see each other's /tmp (a runtime runs as the
server's user: this keeps them apart, it is no security boundary; /proc/<pid>/root still reaches
another's).

Where the host refuses namespaces (not Linux; unprivileged user namespaces turned off, as some
distributions and container runtimes do), `available()` is False and the runtime is started
directly: TMPDIR, TMP and TEMP name the environment's directory instead (what tempfile, os.tmpdir()
and mktemp use), the layer search paths name the merged layers' directory, not /opt, and
LAMBDA_TASK_ROOT names the code's own directory.

The size limit of EphemeralStorage is not enforced in either case.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from pocketcloud.lambda_runtime.runtimes import BOOTSTRAP_DIR

HELPER = BOOTSTRAP_DIR / "sandbox_exec.py"
TMP = Path("/tmp")
VAR = Path("/var")
TASK_ROOT = VAR / "task"  # the function's code, as in AWS
RUNTIME_DIR = VAR / "runtime"  # the runtime's own files (its SDK), as in AWS


class SandboxError(OSError):
    """The namespace could not be set up, or the runtime's command could not be executed in it."""


@cache
def available() -> bool:
    """Whether runtimes get a mount namespace here (asked once, by trying it)."""
    if sys.platform != "linux" or os.environ.get("POCKETCLOUD_LAMBDA_NAMESPACES", "1") == "0":
        return False
    try:
        with tempfile.TemporaryDirectory(prefix="pocketcloud-probe-") as scratch:
            probe = subprocess.run(
                [sys.executable, "-I", "-S", str(HELPER), json.dumps({"probe": True, "tmp": scratch})],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=30,
                check=False,
            )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def kept_paths(*needed: Path) -> list[str]:
    """The top-level entries of /tmp holding what the runtime needs (its code, the interpreter, ...),
    which would otherwise be hidden once the environment's directory covers /tmp."""
    kept: list[str] = []
    for path in needed:
        try:
            relative = path.resolve().relative_to(TMP)
        except ValueError:
            continue
        if relative.parts:
            top = str(TMP / relative.parts[0])
            if top not in kept:
                kept.append(top)
    return kept


def wrapped(
    command: list[str], err_fd: int, tmp: Path, opt: Path | None, var: dict[str, Path], keep: list[str], cwd: Path
) -> list[str]:
    """`command` started through the helper, which reports a failure on `err_fd`. The directory
    holding every environment's `tmp` is hidden from the runtime (it has its own as /tmp): otherwise
    it would read another environment's files by their host path, under the data directory (which
    an --ephemeral server keeps under /tmp, bound back read-only for the runtime)."""
    spec = {
        "err": err_fd,
        "tmp": str(tmp),
        "opt": str(opt) if opt else None,
        "var": {path: str(source) for path, source in var.items()},
        "keep": keep,
        "hide": [str(tmp.parent)],
        "cwd": str(cwd),
    }
    return [sys.executable, "-I", "-S", str(HELPER), json.dumps(spec), *command]


async def wait_started(read_fd: int) -> None:
    """Wait until the helper has executed the runtime (the pipe closes unwritten) or failed (it says
    why): raises the runtime's exec error as the OSError subprocess would, or SandboxError."""
    said = await asyncio.to_thread(_read_and_close, read_fd)
    if not said:
        return
    stage, _, rest = said.decode(errors="replace").partition(":")
    number, _, message = rest.partition(":")
    errno = int(number) if number.isdigit() else 0
    if stage == "exec":
        raise OSError(errno, message)
    raise SandboxError(errno, f"could not set up the execution environment's namespace: {message}")


def _read_and_close(fd: int) -> bytes:
    """Read `fd` to its end, then close it. The thread owns the descriptor: closed under a read still
    in progress (the caller cancelled), its number could be reused and the read go to another file."""
    chunks = []
    try:
        while chunk := os.read(fd, 4096):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)
