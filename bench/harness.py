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
    ) -> None:
        self.name = name
        self.port = free_port()
        self.argv = list(command(self.port))
        self.ready_path = ready_path
        self.ready_status = ready_status
        self.env = {**os.environ, **(env or {})}
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
        deadline = spawned + READY_TIMEOUT_S
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.output()}")
            if self._answers():
                self.ready_s = time.perf_counter() - spawned
                self.idle_rss_mib = procfs.rss_mib(self.pid)
                return
            time.sleep(READY_POLL_S)
        self.stop()
        raise RuntimeError(f"{self.name} was not ready within {READY_TIMEOUT_S:.0f} s:\n{self.output()}")

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
