"""Start a Lambda runtime in a mount namespace of its own, where /tmp, /opt and /var/task are its environment's.

Run as `python -I -S sandbox_exec.py SPEC COMMAND...` (standard library only, nothing of
pocketcloud imported: it runs before every cold start). SPEC is a JSON object:

    err   a pipe's write end: on failure "<stage>:<errno>:<message>" is written there (stage "exec"
          when COMMAND itself could not be executed, "setup" for the namespace), and it closes
          unwritten (close-on-exec) when COMMAND starts, as subprocess's own error pipe does
    tmp   the execution environment's directory, bound onto /tmp (it outlives a runtime that
          crashes, as AWS keeps /tmp across the reset that follows a crash)
    opt   the environment's merged layers, bound read-only onto /opt; null: an empty /opt
    var   directories bound read-only under /var, by their path there: the function's code as "task"
          (/var/task), the runtime's SDK as "runtime/node_modules". The host has no /var/task to bind
          onto: /var is covered with a tmpfs holding them (and an empty /var/runtime) beside the
          host's own entries of /var, bound back. Null or empty: /var is left as it is
    keep  directories under /tmp that the runtime needs (its code, the interpreter, when they
          stand there), bound back read-only at their own paths once /tmp is covered
    hide  directories covered with an empty read-only tmpfs once the binds are made: the parent of
          every environment's `tmp`, so that no environment reaches another's /tmp by its host path
    cwd   where COMMAND starts
    probe true: make the mounts a start makes (of `tmp`), exec nothing: does this host allow them?

An unprivileged user gets a user namespace mapping only their own uid and gid, so the runtime
runs as that user, and loses the namespace's capabilities when COMMAND is executed; root needs
only the mount namespace. The propagation of / is made private first, so nothing mounted here
is seen outside.
"""

import ctypes
import json
import os
import stat
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_NOATIME = 0x400
MS_NODIRATIME = 0x800
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MS_RELATIME = 0x200000
ST_RELATIME = 0x1000  # statvfs's flag for relatime; the others share the MS_ values

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encoded = [None if value is None else value.encode() for value in (source, target, fstype, data)]
    _check(_libc.mount(encoded[0], encoded[1], encoded[2], flags, encoded[3]), f"mount {target}")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _enter_namespace() -> None:
    uid, gid = os.getuid(), os.getgid()
    # Root may need no user namespace; inside a container that refuses it one may still work.
    attempts = [CLONE_NEWNS, CLONE_NEWUSER | CLONE_NEWNS] if uid == 0 else [CLONE_NEWUSER | CLONE_NEWNS]
    for flags in attempts:
        if _libc.unshare(flags) == 0:
            break
    else:
        _check(-1, "unshare")
    if flags & CLONE_NEWUSER:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)


def _bind_readonly(source: str, target: str) -> None:
    _mount(source, target, None, MS_BIND | MS_REC)
    # A remount inside a user namespace must keep the locked flags of the mount it came from.
    found = os.statvfs(target).f_flag
    kept = found & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME)
    if found & ST_RELATIME:
        kept |= MS_RELATIME
    _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept)


def _hide(path: str) -> None:
    """Cover `path` with an empty read-only directory."""
    _mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=755")


def _make_var(binds: dict[str, int]) -> None:
    """AWS's /var/task and /var/runtime: the directories `binds` names (by descriptor) bound read-only
    at their paths under /var, which is made read-only, as in AWS."""
    ours = {"task", "runtime"} | {path.split("/")[0] for path in binds}
    # The host's entries of /var, opened (symlinks read) before a tmpfs covers /var, then put back on it.
    links, kept = {}, {}
    for entry in os.scandir("/var"):
        if entry.name in ours:
            continue
        if entry.is_symlink():
            links[entry.name] = os.readlink(entry.path)
        else:
            kept[entry.name] = os.open(entry.path, os.O_PATH)
    _mount("tmpfs", "/var", "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
    for name, target in links.items():
        os.symlink(target, f"/var/{name}")
    for name, fd in kept.items():
        path = f"/var/{name}"
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            os.mkdir(path)
        else:  # a file: bound onto an empty one
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)
    os.mkdir("/var/runtime")
    for path, fd in binds.items():
        os.makedirs(f"/var/{path}", exist_ok=True)
        _bind_readonly(f"/proc/self/fd/{fd}", f"/var/{path}")
        os.close(fd)
    _mount(None, "/var", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def main() -> None:
    spec = json.loads(sys.argv[1])
    command = sys.argv[2:]
    err = spec.get("err")
    try:
        _enter_namespace()
        if spec.get("probe"):  # every kind of mount a start makes, with `tmp` standing for each source
            if os.path.isdir("/opt"):
                _bind_readonly(spec["tmp"], "/opt")
                _mount("tmpfs", "/opt", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=755")
            if os.path.isdir("/var"):
                _make_var({"task": os.open(spec["tmp"], os.O_PATH | os.O_DIRECTORY)})
            _mount(spec["tmp"], "/tmp", None, MS_BIND)
            _hide("/tmp")
            return
        # Opened before /tmp is covered: what stands under it is reached through these afterwards.
        keep = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in spec["keep"]]
        opt = os.open(spec["opt"], os.O_PATH | os.O_DIRECTORY) if spec.get("opt") else None
        var = spec.get("var") or {}
        under_var = {path: os.open(source, os.O_PATH | os.O_DIRECTORY) for path, source in var.items()}
        _mount(spec["tmp"], "/tmp", None, MS_BIND)
        for path, fd in keep:
            os.makedirs(path, exist_ok=True)
            _bind_readonly(f"/proc/self/fd/{fd}", path)
            os.close(fd)
        if under_var:
            _make_var(under_var)
        for path in spec.get("hide") or ():
            if os.path.isdir(path):
                _hide(path)
        if os.path.isdir("/opt"):
            if opt is not None:
                _bind_readonly(f"/proc/self/fd/{opt}", "/opt")
                os.close(opt)
            else:  # a function without layers finds /opt empty, as in AWS
                _mount("tmpfs", "/opt", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=755")
        os.chdir(spec["cwd"])
        if err is not None:
            os.set_inheritable(err, False)
        try:
            os.execvp(command[0], command)
        except OSError as exc:  # the runtime's own command: what subprocess would have raised
            _report(err, "exec", exc)
    except OSError as exc:  # the namespace and its mounts
        _report(err, "setup", exc)


def _report(err: int | None, stage: str, exc: OSError) -> None:
    """Say on the error pipe what failed ("<stage>:<errno>:<message>") and end."""
    if err is not None:
        os.write(err, f"{stage}:{exc.errno or 0}:{exc.strerror or exc}".encode())
    os._exit(127)


if __name__ == "__main__":
    main()
