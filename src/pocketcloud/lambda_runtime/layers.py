"""Layers where the runtime finds them: one directory per set of layers standing in for /opt.

AWS extracts a function's layers into /opt in the order the function lists
them, so a later layer replaces files of an earlier one, and points the
runtime's search paths into it (Lambda Developer Guide, "Layer paths for each
Lambda runtime" and "Defined runtime environment variables"):

    Python   PYTHONPATH   LAMBDA_TASK_ROOT first, then /opt/python/lib/pythonX.Y/site-packages, /opt/python
    Node.js  NODE_PATH    /opt/nodejs/nodeNN/node_modules, /opt/nodejs/node_modules,
                          /var/runtime/node_modules (the runtime's SDK), /var/runtime, then LAMBDA_TASK_ROOT
    all      PATH         ... :/opt/bin
             LD_LIBRARY_PATH  LAMBDA_TASK_ROOT, LAMBDA_TASK_ROOT/lib, /opt/lib

Functions cannot share one /opt here, so `merged_opt` builds the directory for
a list of layers (files hard-linked from the unpacked layers, later layers
winning), once per list: layers are immutable and their directories are named
by content hash, so the list of paths names the result. Where the runtime gets a
mount namespace (`sandbox.py`) that directory is bound read-only onto /opt and
the search paths are AWS's own (`OPT`), with or without layers; elsewhere they name the
directory, and only when there are layers.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from pocketcloud.lambda_runtime.runtimes import NODE_RUNTIMES, PYTHON_RUNTIMES

OPT = Path("/opt")


def merged_opt(layers: list[Path]) -> Path:
    """The /opt of these layers (built on first use, kept beside the unpacked code)."""
    key = hashlib.sha256("\0".join(str(layer) for layer in layers).encode()).hexdigest()[:32]
    target = layers[0].parent / f"opt-{key}"
    if target.is_dir():
        return target
    # A staging directory of this call's own: cold starts of functions sharing these layers build
    # it at once, each in a worker thread, and a name shared by them (it was the pid's) let one
    # remove the directory another was filling ("File exists", or an /opt missing files).
    staging = Path(tempfile.mkdtemp(prefix=f".opt-{key}.", suffix=".tmp", dir=layers[0].parent))
    staging.chmod(0o755)  # as mkdir made it: mkdtemp's 0700 would be /opt's mode once renamed
    for layer in layers:
        _overlay(layer, staging)
    try:
        staging.rename(target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # built by another environment meanwhile
    return target


def _overlay(source: Path, target: Path) -> None:
    """Put every file of `source` into `target`, replacing files already there (a later layer wins)."""
    for directory, subdirs, files in os.walk(source):
        here = target / os.path.relpath(directory, source)
        here.mkdir(parents=True, exist_ok=True)
        for name in [*files, *(d for d in subdirs if os.path.islink(os.path.join(directory, d)))]:
            origin, destination = os.path.join(directory, name), here / name
            if destination.is_dir() and not destination.is_symlink():
                shutil.rmtree(destination)
            elif destination.exists() or destination.is_symlink():
                destination.unlink()
            if os.path.islink(origin):
                os.symlink(os.readlink(origin), destination)
                continue
            try:
                os.link(origin, destination)
            except OSError:
                shutil.copy2(origin, destination)


def layer_variables(
    runtime: str, task_root: Path, opt: Path | None, path: str, sdk: Path | None = None, runtime_dir: Path | None = None
) -> dict[str, str]:
    """PYTHONPATH / NODE_PATH, PATH and LD_LIBRARY_PATH as AWS sets them, with `opt` for /opt, `sdk` for
    the Node.js runtimes' /var/runtime/node_modules and `runtime_dir` for /var/runtime."""
    variables = {"LD_LIBRARY_PATH": _join(task_root, task_root / "lib", opt and opt / "lib")}
    if opt is not None:
        variables["PATH"] = f"{path}:{opt / 'bin'}" if path else str(opt / "bin")
    if runtime in PYTHON_RUNTIMES:
        site = opt / "python" / "lib" / runtime / "site-packages" if opt is not None else None
        variables["PYTHONPATH"] = _join(task_root, site, opt and opt / "python")
    elif runtime in NODE_RUNTIMES:
        major = runtime.removeprefix("nodejs").removesuffix(".x")
        modules = opt / "nodejs" if opt is not None else None
        variables["NODE_PATH"] = _join(
            modules and modules / f"node{major}" / "node_modules",
            modules and modules / "node_modules",
            # AWS's /var/runtime/node_modules: the AWS SDK for JavaScript v3 of nodejs18.x and later (the
            # only Node.js runtimes here; nodejs16.x and older had SDK v2, which is not provided).
            sdk,
            runtime_dir,
            task_root,
        )
    return variables


def _join(*paths: Path | None) -> str:
    return ":".join(str(path) for path in paths if path is not None)
