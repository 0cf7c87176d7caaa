"""Start a server under test, and time calls against it from the client and from /proc.

`ServerProcess` spawns any command (pocketcloud, a floor app, moto_server) on
a free loopback port, polls it until it answers, and records the time from
spawn to ready and its idle memory. `measure` runs a bounded number of
sequential calls and reports client-observed latency and throughput together
with the CPU time the server process tree spent on them.
"""

from __future__ import annotations

import gc
import http.client
import math
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench import procfs

REPO_ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 30.0
READY_POLL_S = 0.005
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """One server command on its own port; a context manager that always stops it.

    `command` receives the port and returns argv. The server is ready when a GET
    of `ready_path` answers `ready_status` (any HTTP answer when it is None).
    """

    def __init__(
        self,
        name: str,
        command: Callable[[int], Sequence[str]],
        ready_path: str = "/",
        ready_status: int | None = None,
        env: dict[str, str] | None = None,
        ready_timeout_s: float = READY_TIMEOUT_S,
    ) -> None:
        self.name = name
        self.ready_timeout_s = ready_timeout_s
        self.port = free_port()
        self.argv = list(command(self.port))
        self.ready_path = ready_path
        self.ready_status = ready_status
        # Servers start as an installed program does, from cached bytecode: a shell that sets
        # PYTHONDONTWRITEBYTECODE would otherwise have every start compile its modules again.
        self.env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_s = math.nan
        self.idle_rss_mib = math.nan
        self._log = tempfile.TemporaryFile()

    @property
    def pid(self) -> int:
        assert self.proc is not None, "server not started"
        return self.proc.pid

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        spawned = time.perf_counter()
        # A session of its own, so that stopping it reaches every process it started.
        self.proc = subprocess.Popen(
            self.argv, cwd=REPO_ROOT, env=self.env, stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = spawned + self.ready_timeout_s
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.output()}")
            if self._answers():
                self.ready_s = time.perf_counter() - spawned
                self.idle_rss_mib = procfs.rss_mib(self.pid)
                return
            time.sleep(READY_POLL_S)
        self.stop()
        raise RuntimeError(f"{self.name} was not ready within {self.ready_timeout_s:.0f} s:\n{self.output()}")

    def _answers(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
        try:
            conn.request("GET", self.ready_path)
            response = conn.getresponse()
            response.read()
            return self.ready_status is None or response.status == self.ready_status
        except OSError:
            return False
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def output(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]

    def cpu_times(self) -> tuple[float, float]:
        return procfs.cpu_times(self.pid)

    def rss_mib(self) -> float:
        return procfs.rss_mib(self.pid)

    def peak_rss_mib(self) -> float:
        return procfs.peak_rss_mib(self.pid)


def ready_times(make: Callable[[], ServerProcess], samples: int) -> list[float]:
    """Seconds from spawn to ready of `samples` fresh starts, each stopped before the next."""
    times = []
    for _ in range(samples):
        with make() as server:
            times.append(server.ready_s)
    return times


@dataclass
class Measurement:
    """`calls` sequential calls by one client against one server."""

    server: str
    client: str
    calls: int
    wall_s: float
    server_cpu_s: float
    server_sys_s: float
    client_cpu_s: float
    latencies_s: list[float] = field(repr=False)
    # The server process alone, without its children (Lambda runtimes); measure_interleaved sets it.
    server_own_cpu_s: float = math.nan

    def percentile_ms(self, p: float) -> float:
        """Nearest-rank percentile of the per-call latencies."""
        ordered = sorted(self.latencies_s)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1] * 1000

    @property
    def p50_ms(self) -> float:
        return self.percentile_ms(50)

    @property
    def p99_ms(self) -> float:
        return self.percentile_ms(99)

    @property
    def ops_per_s(self) -> float:
        return self.calls / self.wall_s

    @property
    def server_cpu_ms_per_op(self) -> float:
        return self.server_cpu_s * 1000 / self.calls

    @property
    def server_sys_ms_per_op(self) -> float:
        return self.server_sys_s * 1000 / self.calls

    @property
    def client_cpu_ms_per_op(self) -> float:
        return self.client_cpu_s * 1000 / self.calls


def measure(server: ServerProcess, client: str, call: Callable[[], object], calls: int, warmup: int) -> Measurement:
    """Warm up, then time `calls` sequential calls; the server is idle before and after."""
    for _ in range(warmup):
        call()
    gc.collect()
    latencies = [0.0] * calls
    clock = time.perf_counter
    (user_before, sys_before), client_before = server.cpu_times(), time.process_time()
    started = clock()
    for i in range(calls):
        t0 = clock()
        call()
        latencies[i] = clock() - t0
    wall = clock() - started
    client_cpu = time.process_time() - client_before
    user_after, sys_after = server.cpu_times()
    server_sys = sys_after - sys_before
    server_cpu = user_after - user_before + server_sys
    return Measurement(server.name, client, calls, wall, server_cpu, server_sys, client_cpu, latencies)


def measure_concurrent(server: ServerProcess, client: str, calls: Sequence[Callable[[], object]],
                       per_thread: int, warmup: int) -> Measurement:
    """One thread per callable, each making `per_thread` timed calls after its own warm-up; all start together.

    Server CPU is read once every thread has warmed up and again after the last one
    finished; the wall time runs from the common start to the last call's end.
    """
    threads = len(calls)
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []
    warmed, go = threading.Barrier(threads + 1), threading.Barrier(threads + 1)
    clock = time.perf_counter

    def work(index: int) -> None:
        call, mine = calls[index], latencies[index]
        try:
            for _ in range(warmup):
                call()
        except BaseException as exc:  # reported below, after every thread stopped
            errors.append(exc)
        warmed.wait()
        go.wait()
        if errors:
            return
        try:
            for _ in range(per_thread):
                t0 = clock()
                call()
                mine.append(clock() - t0)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    warmed.wait()
    gc.collect()
    (user_before, sys_before), client_before = server.cpu_times(), time.process_time()
    started = clock()
    go.wait()
    for worker in workers:
        worker.join()
    wall = clock() - started
    client_cpu = time.process_time() - client_before
    user_after, sys_after = server.cpu_times()
    if errors:
        raise errors[0]
    server_sys = sys_after - sys_before
    server_cpu = user_after - user_before + server_sys
    merged = [t for mine in latencies for t in mine]
    return Measurement(server.name, client, len(merged), wall, server_cpu, server_sys, client_cpu, merged)


def measure_interleaved(server: ServerProcess, client: str, calls: dict[str, Callable[[], object]],
                        blocks: int, per_block: int, warmup: int) -> dict[str, Measurement]:
    """Several kinds of call, timed in alternating blocks of `per_block` sequential calls.

    Whatever else the machine does meanwhile weighs on every kind alike, so their
    figures compare even when the machine is not idle. Server CPU is read around
    each block, so a block should last well over the kernel's 10 ms tick.
    """
    for call in calls.values():
        for _ in range(warmup):
            call()
    gc.collect()
    clock = time.perf_counter
    latencies: dict[str, list[float]] = {name: [] for name in calls}
    # wall, server user, server sys, server process alone, client CPU
    totals = {name: [0.0, 0.0, 0.0, 0.0, 0.0] for name in calls}
    for _ in range(blocks):
        for name, call in calls.items():
            mine = latencies[name]
            own_before = sum(procfs.process_cpu_times(server.pid))
            (user_before, sys_before), client_before = server.cpu_times(), time.process_time()
            started = clock()
            for _ in range(per_block):
                t0 = clock()
                call()
                mine.append(clock() - t0)
            wall = clock() - started
            client_cpu = time.process_time() - client_before
            user_after, sys_after = server.cpu_times()
            own = sum(procfs.process_cpu_times(server.pid)) - own_before
            for i, value in enumerate((wall, user_after - user_before, sys_after - sys_before, own, client_cpu)):
                totals[name][i] += value
    return {
        name: Measurement(server.name, client, len(latencies[name]), wall, user + system, system, client_cpu,
                          latencies[name], own)
        for name, (wall, user, system, own, client_cpu) in totals.items()
    }
