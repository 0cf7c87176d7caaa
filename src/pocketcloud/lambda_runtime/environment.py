"""One execution environment: a child process, its Runtime API listener, and the deadline.

The supervisor here, not the code inside, owns the deadline: at the timeout
it kills the whole process tree (its process group, and any descendant that
left the group) and reports `Sandbox.Timedout` as AWS does. A runtime that
exits or crashes is reported as `Runtime.ExitError`; one killed for outgrowing its
memory size as `Runtime.OutOfMemory`, as Lambda tells an OOM kill from other deaths.

Memory is watched by polling the tree's resident size: on this kind of host the
cgroup v2 hierarchy has no memory controller (it stays with cgroup v1), so
there is no `memory.max` to give each environment.

Layers are what AWS unpacks into /opt (`layers.py` builds that directory for
each list of layers); `sandbox.py` shows the runtime that directory as /opt and
the environment's own directory as /tmp, in a mount namespace of its own where
the host allows one. The directory is removed when the environment ends.

A runtime that ends during an invocation (it crashed, timed out, outgrew its
memory) leaves the environment in need of a new init, which runs with its next
invocation, as Lambda's reset does; /tmp is kept across it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pocketcloud.lambda_runtime import sandbox
from pocketcloud.lambda_runtime.layers import OPT, layer_variables, merged_opt
from pocketcloud.lambda_runtime.output import OutputPipe
from pocketcloud.lambda_runtime.runtime_api import Invocation, RuntimeApiServer
from pocketcloud.lambda_runtime.runtimes import (
    BOOTSTRAP_DIR,
    NODE_RUNTIMES,
    PROVIDED_RUNTIMES,
    PYTHON_RUNTIMES,
    node_sdk_modules,
    runtime_command,
    wrapped_command,
)

INIT_TIMEOUT_SECONDS = 10.0  # AWS's init phase limit for on-demand functions
# The runtimes Lambda gives its telemetry log channel: its managed Python and Node.js runtimes,
# whose clients write their log records there. A provided runtime's bootstrap gets none here.
TELEMETRY_RUNTIMES = PYTHON_RUNTIMES | NODE_RUNTIMES
MEMORY_POLL_SECONDS = 0.05


@dataclass
class EnvironmentSpec:
    function_name: str
    function_arn: str
    version: str
    runtime: str
    handler: str
    code_dir: Path
    memory_mb: int
    timeout_seconds: int
    variables: dict[str, str]
    log_group: str
    log_stream: str
    tmp_dir: Path
    python_client: str = "auto"
    layers: list[Path] = field(default_factory=list)  # unpacked layers, in the function's order


@dataclass
class InvokeOutcome:
    status: str  # "success" | "error" | "timeout" | "exit" | "init_error"
    payload: bytes
    error_type: str | None = None
    duration_ms: float = 0.0
    started_ms: int = 0  # epoch milliseconds when the event was handed to the runtime (0: it never was)
    init_duration_ms: float | None = None
    max_memory_mb: int = 0
    log_lines: list[tuple[int, str]] = field(default_factory=list)
    # Output written before the invocation began (the init phase of a cold start): logged before START.
    preamble: list[tuple[int, str]] = field(default_factory=list)
    # Why a failed init failed, as wait_ready says ("init_error", "exit", "init_timeout"): the
    # platform's init records tell a timeout from an error.
    init_failure: str | None = None
    # An init that failed and was retried at the invocation: (how long the first attempt ran, in ms,
    # what it printed, its error type or None when it ran out of time). The outcome's init is the retry.
    first_init: tuple[float, list[tuple[int, str]], str | None] | None = None
    # The Content-Type of a response the runtime posted in Lambda's streaming response mode
    # (Lambda-Runtime-Function-Response-Mode: streaming); None for a buffered response.
    stream_content_type: str | None = None
    # The runtime ended before it took the event (it exited after answering the one before, as a
    # Node.js runtime does on an unhandled rejection): Lambda gives the event to a fresh init.
    not_taken: bool = False


def _descendants(pid: int) -> list[int]:
    """Every process below `pid`, including those that started a session of their own."""
    found: list[int] = []
    stack = [pid]
    while stack:
        parent = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as f:
                    children = [int(c) for c in f.read().split()]
            except OSError:
                continue
            found.extend(children)
            stack.extend(children)
    return found


def _rss_kb(pids: list[int], field_name: str = "VmRSS") -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith(field_name):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


class ExecutionEnvironment:
    def __init__(self, spec: EnvironmentSpec, base_env: dict[str, str]) -> None:
        self.spec = spec
        self.base_env = base_env
        self.api = RuntimeApiServer(self._runtime_asked)
        self.process: asyncio.subprocess.Process | None = None
        self._ready = asyncio.Event()
        self.output = OutputPipe()
        self.spawned_at = 0.0
        self.init_duration_ms: float | None = None
        self.initialized = False
        self.dead = False  # ended for good: never handed another invocation
        # Its runtime ended during an invocation: the next one starts it again first (Lambda's reset).
        self.needs_init = False
        self.last_used = time.monotonic()
        self.peak_memory_kb = 0
        # Why a custom runtime's bootstrap could not be started (its init fails as Runtime.InvalidEntrypoint).
        self.entrypoint_error: str | None = None
        self._exited: asyncio.Future[int] | None = None
        self._group_swept = False  # the runtime's process group has been killed (`_stop_process`)
        self._settled: asyncio.Future[str] | None = None  # the invocation in flight's outcome, set once
        self._memory_timer: asyncio.TimerHandle | None = None

    def _runtime_asked(self) -> None:
        if not self._ready.is_set():
            self.init_duration_ms = (time.monotonic() - self.spawned_at) * 1000
            self._ready.set()

    async def start(self) -> None:
        await self.api.start()
        spec = self.spec
        opt = await asyncio.to_thread(merged_opt, spec.layers) if spec.layers else None
        isolated = await asyncio.to_thread(sandbox.available)
        # Where the runtime sees its layers: /opt itself in a namespace of its own (where the host has
        # an /opt to bind them onto: the namespace cannot make one), else their directory here.
        # (An empty one without layers: its paths are on the search paths all the same, as in AWS.)
        seen_opt = OPT if isolated and OPT.is_dir() else opt
        # Where the runtime sees its code and its own files (the Node.js SDK): AWS's /var/task and
        # /var/runtime in its namespace, else their directories here.
        sdk = node_sdk_modules() if spec.runtime in NODE_RUNTIMES else None
        under_var: dict[str, Path] = {}
        if isolated and sandbox.VAR.is_dir():
            under_var["task"] = spec.code_dir
            if sdk is not None:
                under_var["runtime/node_modules"] = sdk
            seen_task, runtime_dir = sandbox.TASK_ROOT, sandbox.RUNTIME_DIR
            sdk = runtime_dir / "node_modules" if sdk is not None else None
        else:
            seen_task, runtime_dir = spec.code_dir, None
        env = dict(self.base_env)
        # The paths AWS sets for /opt come first; the function's own variables may override them, as in AWS.
        env.update(layer_variables(spec.runtime, seen_task, seen_opt, env.get("PATH", ""), sdk, runtime_dir))
        if not isolated:  # no /tmp of its own: the temp-dir variables name the environment's directory
            env.update({"TMPDIR": str(spec.tmp_dir), "TMP": str(spec.tmp_dir), "TEMP": str(spec.tmp_dir)})
        # The runtime starts in the task root, and PWD says so, as AWS's bootstrap shell sets it.
        env["PWD"] = str(seen_task)
        env.update(spec.variables)
        env.update({"LAMBDA_TASK_ROOT": str(seen_task), "LAMBDA_RUNTIME_DIR": str(runtime_dir or seen_task)})
        env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{self.api.port}"
        command = runtime_command(spec.runtime, spec.code_dir, spec.handler, spec.python_client)
        host_command = command[0]  # the path as this machine sees it, for the checks made before starting
        if seen_task != spec.code_dir and Path(host_command).parent == spec.code_dir:
            command = [str(seen_task / Path(host_command).name), *command[1:]]  # a custom runtime's bootstrap
        if spec.runtime in PROVIDED_RUNTIMES and opt is not None and not Path(host_command).exists():
            # A custom runtime may come in a layer: /opt/bootstrap
            host_command, command = str(opt / "bootstrap"), [str(seen_opt / "bootstrap")]  # type: ignore[operator]
        wrapper = env.get("AWS_LAMBDA_EXEC_WRAPPER")
        if wrapper and spec.runtime not in PROVIDED_RUNTIMES:  # OS-only runtimes ignore it, as in AWS
            command = wrapped_command(command, wrapper, seen_task, seen_opt)
        self.spawned_at = time.monotonic()
        write_end = self.output.open()
        passed: tuple[int, ...] = ()
        started: int | None = None  # the helper's error pipe (read end), in a namespace of its own
        try:
            # AWS's telemetry log channel, as Lambda gives its Python and Node.js runtimes: the client
            # writes its log records there as frames, one CloudWatch event each, a record's lines together.
            if spec.runtime in TELEMETRY_RUNTIMES:
                passed = (self.output.open_telemetry(),)
                env["_LAMBDA_TELEMETRY_LOG_FD"] = str(passed[0])
            if isolated:
                _check_executable(host_command)  # what exec would refuse, refused before any process
                started, report = os.pipe()
                passed = (*passed, report)
                keep = sandbox.kept_paths(
                    spec.code_dir, Path(sys.prefix), Path(sys.base_prefix), BOOTSTRAP_DIR, *_node_sdk(spec.runtime)
                )
                command = sandbox.wrapped(command, report, spec.tmp_dir, opt, under_var, keep, seen_task)
            self.process = await asyncio.create_subprocess_exec(
                *command,
                cwd=str(spec.code_dir),
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=write_end,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                pass_fds=passed,
            )
            self._group_swept = False
            for fd in passed:
                os.close(fd)
            passed = ()
            if started is not None:
                read_end, started = started, None
                await sandbox.wait_started(read_end)
        except OSError as exc:
            self.output.close()
            if self.process is not None:
                await self._stop_process()
                self.process = None
            if spec.runtime not in PROVIDED_RUNTIMES or isinstance(exc, sandbox.SandboxError):
                raise
            # The function's own bootstrap cannot be run: no process, and an init that fails as
            # Runtime.InvalidEntrypoint, as Lambda's does.
            self.entrypoint_error = _entrypoint_error(Path(host_command), opt, exc)
        except BaseException:
            self.output.close()
            raise
        finally:
            os.close(write_end)
            for fd in (*passed, *((started,) if started is not None else ())):
                os.close(fd)

    def take_lines(self) -> list[tuple[int, str]]:
        return self.output.take()

    async def wait_ready(self, timeout: float = INIT_TIMEOUT_SECONDS) -> str | None:
        """Wait for the runtime's first `next`. None when ready, else why init failed.

        `timeout` is Lambda's init limit, or the function's timeout for an init retried at the invocation.
        """
        if self.process is None:  # the bootstrap could not be started
            self.init_duration_ms = (time.monotonic() - self.spawned_at) * 1000
            return "entrypoint"
        ready = asyncio.create_task(self._ready.wait())
        init_error = asyncio.create_task(self.api.init_error_event.wait())
        exited = asyncio.create_task(self.process.wait())
        done, pending = await asyncio.wait(
            {ready, init_error, exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        if ready in done and not self.api.init_error_event.is_set():
            self.initialized = True
            self._read_memory()
            return None
        if self.init_duration_ms is None:
            self.init_duration_ms = (time.monotonic() - self.spawned_at) * 1000
        self._read_memory()  # what the failed init used, for its REPORT (while the process is there)
        if init_error in done or self.api.init_error_event.is_set():
            return "init_error"
        if exited in done:
            return "exit"
        return "init_timeout"

    async def restart(self) -> list[tuple[int, str]]:
        """Kill the runtime and start it afresh in this environment, for Lambda's retry of an init
        that outran its limit; returns what the first attempt printed."""
        await self._stop_process()
        lines = self.take_lines()
        self.api = RuntimeApiServer(self._runtime_asked)
        self.output = OutputPipe()
        self._ready = asyncio.Event()
        self._exited = None
        self.dead = False
        self.init_duration_ms = None
        self.entrypoint_error = None
        await self.start()
        return lines

    async def reinit(self) -> None:
        """Start the runtime afresh after one that ended during an invocation (it crashed, timed out
        or outgrew its memory): Lambda's reset, whose init runs with the environment's next
        invocation (a "suppressed init"). The environment's /tmp is kept, as AWS keeps it."""
        await self.restart()
        self.needs_init = False
        self.peak_memory_kb = 0  # a new process: its REPORT says what it used

    async def invoke(self, invocation: Invocation, timeout_seconds: float, spent_ms: float) -> InvokeOutcome:
        """Run one invocation; `spent_ms` of its timeout went already (to an init retried at the invocation)."""
        assert self.process is not None
        self.output.read_now()  # what init (or the last invocation, late) printed goes before START
        preamble = self.take_lines()
        loop = asyncio.get_running_loop()
        started = time.monotonic() - spent_ms / 1000
        started_ms = int(time.time() * 1000)
        # One future settles the invocation, whichever comes first: the runtime's answer, the
        # process exiting, the memory watch or the deadline. Callbacks and timers rather than a
        # task per watcher and asyncio.wait, and bound methods rather than closures made per call:
        # a warm invoke then costs no task at all.
        settled: asyncio.Future[str] = loop.create_future()
        self._settled = settled
        if self._exit_watch().done():
            self._settle("exit")
        invocation.on_result = self._answered
        deadline = loop.call_later(max(0.0, timeout_seconds - spent_ms / 1000), self._settle, "timeout")
        # The memory was read when the environment became ready and at every poll since: unless
        # it was over the size then, the first look waits one interval, so an invocation shorter
        # than that walks /proc not at all.
        over = self.peak_memory_kb > self.spec.memory_mb * 1024
        self._memory_timer = loop.call_later(0 if over else MEMORY_POLL_SECONDS, self._poll_memory)
        self.api.submit(invocation)
        try:
            why = await settled
        finally:
            deadline.cancel()
            self._memory_timer.cancel()
            self._settled = None
            invocation.on_result = None
        duration = (time.monotonic() - started) * 1000
        if invocation.result.done() and not invocation.result.cancelled():
            kind, body, headers = invocation.result.result()
            self.output.read_now()  # all the runtime printed before it answered
            outcome = InvokeOutcome("success" if kind == "response" else "error", body, duration_ms=duration)
            if kind == "error":
                outcome.error_type = _error_type(body)
            elif headers.get("lambda-runtime-function-response-mode", "").lower() == "streaming":
                outcome.stream_content_type = headers.get("content-type") or "application/octet-stream"
        elif why == "memory":
            # Lambda's supervisor tells an OOM kill from any other death of the runtime: its error
            # type is Runtime.OutOfMemory, its message still "Runtime exited with error: signal: killed"
            # (aws-lambda-runtime-interface-emulator, rapid/shutdown.go: event.OomKilled() ->
            # ErrorRuntimeOutOfMemory), and the REPORT line says "Error Type: Runtime.OutOfMemory".
            await self._stop_process()
            self.needs_init = True
            outcome = InvokeOutcome(
                "exit",
                _exit_payload(invocation.request_id, "signal: killed", "Runtime.OutOfMemory"),
                "Runtime.OutOfMemory",
                duration,
            )
        elif why == "exit" or self.process.returncode is not None:
            await self.drain_output()
            code = self.process.returncode
            reason = (
                f"signal: {_signal_name(-code)}" if code is not None and code < 0 else f"exit status {code}"
            )
            await self._stop_process()  # what the runtime left running, and its listener
            self.needs_init = True
            outcome = InvokeOutcome(
                "exit", _exit_payload(invocation.request_id, reason), "Runtime.ExitError", duration
            )
            outcome.not_taken = self.api.current is not invocation
        else:
            await self._settle_output()
            await self._stop_process()
            self.needs_init = True
            duration = timeout_seconds * 1000
            message = f"RequestId: {invocation.request_id} Error: Task timed out after {timeout_seconds:.2f} seconds"
            outcome = InvokeOutcome(
                "timeout",
                platform_error("Sandbox.Timedout", message),
                "Sandbox.Timedout",
                duration,
            )
        # Lambda reports at most the memory size: a function killed for outgrowing it used all of it.
        outcome.max_memory_mb = min(max(1, self.peak_memory_kb // 1024), self.spec.memory_mb)
        outcome.log_lines = self.take_lines()
        outcome.preamble = preamble
        outcome.started_ms = started_ms
        self.last_used = time.monotonic()
        return outcome

    def _settle(self, why: str) -> None:
        """Settle the invocation in flight, if any and if nothing settled it first."""
        settled = self._settled
        if settled is not None and not settled.done():
            settled.set_result(why)

    def _answered(self) -> None:
        self._settle("result")

    def _on_exit(self, _: object) -> None:
        self._settle("exit")

    def _exit_watch(self) -> asyncio.Future[int]:
        """Done when the runtime process exits: one waiter for the environment's whole life."""
        assert self.process is not None
        if self._exited is None:
            self._exited = asyncio.ensure_future(self.process.wait())
            self._exited.add_done_callback(self._on_exit)
        return self._exited

    def _poll_memory(self) -> None:
        if self._read_memory() > self.spec.memory_mb * 1024:
            self._settle("memory")
        else:
            self._memory_timer = asyncio.get_running_loop().call_later(MEMORY_POLL_SECONDS, self._poll_memory)

    async def _settle_output(self) -> None:
        # What the runtime wrote before the moment that brought us here is in the pipe now.
        self.output.read_now()

    async def drain_output(self, wait_exit: float = 0.0) -> None:
        """Read the output to its end once the process has exited (waiting up to `wait_exit` for that).

        A runtime that failed its init exits right after reporting it; its last lines ([ERROR] ...)
        may still be in the pipe. A descendant holding the pipe open bounds the wait.
        """
        process = self.process
        if process is None:
            return
        if process.returncode is None and wait_exit:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(process.wait()), wait_exit)
        self.output.read_now()
        if process.returncode is not None:
            await self.output.wait_closed(0.2)

    def _read_memory(self) -> int:
        """The tree's resident memory now (kB), also kept as the peak."""
        assert self.process is not None
        rss = _rss_kb([self.process.pid, *_descendants(self.process.pid)])
        self.peak_memory_kb = max(self.peak_memory_kb, rss)
        return rss

    async def _stop_process(self) -> None:
        """Kill the runtime's whole tree now (SIGKILL), and release its listener and pipes."""
        process = self.process
        if process is not None and process.returncode is None:
            victims = _descendants(process.pid)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            for pid in victims:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(process.wait(), 2)
        elif process is not None and not self._group_swept:
            # The runtime exited (it crashed, or ended its init): what it started in its group has
            # not, and would outlive the environment. Killed once, right after the exit was seen:
            # later the group's id could name another process's group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        self._group_swept = True
        await self.api.close()
        self.output.read_now()
        self.output.close()
        if self._exited is not None and not self._exited.done():
            self._exited.cancel()

    async def kill(self) -> None:
        """End the environment now: its runtime's tree, and its /tmp with it."""
        self.dead = True
        await self._stop_process()
        await asyncio.to_thread(shutil.rmtree, self.spec.tmp_dir, True)

    async def shutdown(self) -> None:
        """End an idle environment: SIGTERM, then SIGKILL if it lingers."""
        process = self.process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 0.5)
            except TimeoutError:
                pass
        await self.kill()


def _node_sdk(runtime: str) -> tuple[Path, ...]:
    """The runtime's SDK folder (Node.js runtimes), kept visible when it lies under the covered /tmp."""
    sdk = node_sdk_modules() if runtime in NODE_RUNTIMES else None
    return (sdk,) if sdk is not None else ()


def _check_executable(path: str) -> None:
    """Raise what exec would for a command that is missing or not executable."""
    if not os.path.exists(path):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
    if os.path.isdir(path) or not os.access(path, os.X_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)


def _error_type(body: bytes) -> str:
    try:
        return str(json.loads(body).get("errorType") or "Unhandled")
    except (ValueError, AttributeError):
        return "Unhandled"


def _entrypoint_error(bootstrap: Path, opt: Path | None, exc: OSError) -> str:
    """Why Lambda could not start a custom runtime's bootstrap, in its words (it is written in Go)."""
    if not bootstrap.exists():
        return "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
    where = "/opt/bootstrap" if opt is not None and bootstrap.parent == opt else "/var/task/bootstrap"
    reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
    return f"fork/exec {where}: {reason}"


def _exit_payload(request_id: str, reason: str, error_type: str = "Runtime.ExitError") -> bytes:
    # A runtime that exits with status 0 gave Lambda (written in Go) no error to quote.
    why = (
        "Runtime exited without providing a reason"
        if reason == "exit status 0"
        else f"Runtime exited with error: {reason}"
    )
    return platform_error(error_type, f"RequestId: {request_id} Error: {why}")


def platform_error(error_type: str, message: str) -> bytes:
    """An error payload Lambda itself answers with (a timeout, a crash): compact JSON, errorType first,
    as its platform (written in Go) writes it: '{"errorType":"Runtime.ExitError","errorMessage":"RequestId:
    ... Error: Runtime exited with error: exit status 137"}' (aws/aws-lambda-dotnet#480)."""
    return json.dumps({"errorType": error_type, "errorMessage": message}, separators=(",", ":")).encode()


# How Lambda's runtime (written in Go) names a signal in "Runtime exited with error: signal: ...".
_SIGNAL_NAMES = {
    signal.SIGKILL: "killed",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "aborted",
    signal.SIGTERM: "terminated",
    signal.SIGBUS: "bus error",
    signal.SIGILL: "illegal instruction",
    signal.SIGFPE: "floating point exception",
    signal.SIGINT: "interrupt",
}


def _signal_name(number: int) -> str:
    try:
        return _SIGNAL_NAMES.get(signal.Signals(number), signal.Signals(number).name.lower())
    except ValueError:
        return str(number)
