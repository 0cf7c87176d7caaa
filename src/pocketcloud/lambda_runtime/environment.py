"""One execution environment: a child process, its Runtime API listener, and the deadline.

The supervisor here, not the code inside, owns the deadline: at the timeout
it kills the whole process tree (its process group, and any descendant that
left the group) and reports `Sandbox.Timedout` as AWS does. A runtime that
exits, crashes or outgrows its memory size is reported as `Runtime.ExitError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pocketcloud.lambda_runtime.runtime_api import Invocation, RuntimeApiServer
from pocketcloud.lambda_runtime.runtimes import runtime_command

INIT_TIMEOUT_SECONDS = 10.0  # AWS's init phase limit for on-demand functions
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
        self._lines: list[tuple[int, str]] = []
        self._readers: list[asyncio.Task[None]] = []
        self.spawned_at = 0.0
        self.init_duration_ms: float | None = None
        self.initialized = False
        self.dead = False
        self.last_used = time.monotonic()
        self.peak_memory_kb = 0

    def _runtime_asked(self) -> None:
        if not self._ready.is_set():
            self.init_duration_ms = (time.monotonic() - self.spawned_at) * 1000
            self._ready.set()

    async def start(self) -> None:
        await self.api.start()
        spec = self.spec
        env = dict(self.base_env)
        env.update(spec.variables)
        env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{self.api.port}"
        env["TMPDIR"] = str(spec.tmp_dir)
        self.spawned_at = time.monotonic()
        self.process = await asyncio.create_subprocess_exec(
            *runtime_command(spec.runtime, spec.code_dir, spec.handler, spec.python_client),
            cwd=str(spec.code_dir),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        self._readers.append(asyncio.create_task(self._read_output(self.process.stdout)))

    async def _read_output(self, stream: asyncio.StreamReader) -> None:
        while True:
            line = await stream.readline()
            if not line:
                return
            self._lines.append((int(time.time() * 1000), line.decode("utf-8", "replace").rstrip("\n")))

    def take_lines(self) -> list[tuple[int, str]]:
        lines, self._lines = self._lines, []
        return lines

    async def wait_ready(self) -> str | None:
        """Wait for the runtime's first `next`. None when ready, else why init failed."""
        assert self.process is not None
        ready = asyncio.create_task(self._ready.wait())
        init_error = asyncio.create_task(self.api.init_error_event.wait())
        exited = asyncio.create_task(self.process.wait())
        done, pending = await asyncio.wait({ready, init_error, exited}, timeout=INIT_TIMEOUT_SECONDS,
                                           return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if ready in done and not self.api.init_error_event.is_set():
            self.initialized = True
            self._read_memory()
            return None
        if self.init_duration_ms is None:
            self.init_duration_ms = (time.monotonic() - self.spawned_at) * 1000
        if init_error in done or self.api.init_error_event.is_set():
            return "init_error"
        if exited in done:
            return "exit"
        return "init_timeout"

    async def invoke(self, invocation: Invocation, timeout_seconds: float) -> InvokeOutcome:
        assert self.process is not None
        await self._settle_output()
        preamble = self.take_lines()
        started = time.monotonic()
        started_ms = int(time.time() * 1000)
        self.api.submit(invocation)
        exited = asyncio.create_task(self.process.wait())
        memory = asyncio.create_task(self._watch_memory())
        waiters: set[asyncio.Future[Any]] = {invocation.result, exited, memory}
        try:
            done, _ = await asyncio.wait(waiters, timeout=timeout_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            exited.cancel()
            memory.cancel()
        duration = (time.monotonic() - started) * 1000
        if invocation.result in done:
            kind, body, _headers = invocation.result.result()
            await self._settle_output()
            outcome = InvokeOutcome("success" if kind == "response" else "error", body, duration_ms=duration)
            if kind == "error":
                outcome.error_type = _error_type(body)
        elif memory in done:
            await self.kill()
            outcome = InvokeOutcome("exit", _exit_payload(invocation.request_id, "signal: killed"),
                                    "Runtime.ExitError", duration)
        elif exited in done or (self.process.returncode is not None):
            await self.drain_output()
            code = self.process.returncode
            reason = f"signal: {_signal_name(-code)}" if code is not None and code < 0 else f"exit status {code}"
            self.dead = True
            outcome = InvokeOutcome("exit", _exit_payload(invocation.request_id, reason), "Runtime.ExitError", duration)
        else:
            await self._settle_output()
            await self.kill()
            duration = timeout_seconds * 1000
            message = f"RequestId: {invocation.request_id} Error: Task timed out after {timeout_seconds:.2f} seconds"
            outcome = InvokeOutcome("timeout", json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": message}).encode(),
                                    "Sandbox.Timedout", duration)
        # Lambda reports at most the memory size: a function killed for outgrowing it used all of it.
        outcome.max_memory_mb = min(max(1, self.peak_memory_kb // 1024), self.spec.memory_mb)
        outcome.log_lines = self.take_lines()
        outcome.preamble = preamble
        outcome.started_ms = started_ms
        self.last_used = time.monotonic()
        return outcome

    async def _settle_output(self) -> None:
        # The runtime flushed its output before it answered; let the pipe readers catch up.
        for _ in range(3):
            await asyncio.sleep(0)

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
        if process.returncode is None:
            await self._settle_output()
            return
        readers = [reader for reader in self._readers if not reader.done()]
        if readers:
            await asyncio.wait(readers, timeout=0.2)

    def _read_memory(self) -> int:
        """The tree's resident memory now (kB), also kept as the peak."""
        assert self.process is not None
        rss = _rss_kb([self.process.pid, *_descendants(self.process.pid)])
        self.peak_memory_kb = max(self.peak_memory_kb, rss)
        return rss

    async def _watch_memory(self) -> None:
        limit_kb = self.spec.memory_mb * 1024
        # The memory was read when the environment became ready and at every poll since:
        # unless it was over the limit then, the first look waits one interval, so an
        # invocation shorter than that walks /proc not at all.
        if self.peak_memory_kb <= limit_kb:
            await asyncio.sleep(MEMORY_POLL_SECONDS)
        while self._read_memory() <= limit_kb:
            await asyncio.sleep(MEMORY_POLL_SECONDS)

    async def kill(self) -> None:
        """Kill the whole tree now (SIGKILL), and release the listener."""
        self.dead = True
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
        await self.api.close()
        for reader in self._readers:
            reader.cancel()

    async def shutdown(self) -> None:
        """Stop an idle environment: SIGTERM, then SIGKILL if it lingers."""
        process = self.process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 0.5)
            except TimeoutError:
                pass
        await self.kill()


def _error_type(body: bytes) -> str:
    try:
        return str(json.loads(body).get("errorType") or "Unhandled")
    except (ValueError, AttributeError):
        return "Unhandled"


def _exit_payload(request_id: str, reason: str) -> bytes:
    return json.dumps({
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {reason}",
    }).encode()


# How Lambda's runtime (written in Go) names a signal in "Runtime exited with error: signal: ...".
_SIGNAL_NAMES = {
    signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault", signal.SIGABRT: "aborted",
    signal.SIGTERM: "terminated", signal.SIGBUS: "bus error", signal.SIGILL: "illegal instruction",
    signal.SIGFPE: "floating point exception", signal.SIGINT: "interrupt",
}


def _signal_name(number: int) -> str:
    try:
        return _SIGNAL_NAMES.get(signal.Signals(number), signal.Signals(number).name.lower())
    except ValueError:
        return str(number)
