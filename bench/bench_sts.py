"""STS GetCallerIdentity: pocketcloud against a bare ASGI floor and moto_server, in one run.

Each server is started fresh and measured with two clients, one after the other:

- `boto3`: `sts.get_caller_identity()`, what a user's code does;
- `raw`: one request signed once with botocore's SigV4Auth and replayed byte for
  byte with `http.client` over a keep-alive connection. The signature stays
  valid for 15 minutes and pocketcloud verifies it on every call, so this shows
  the server's own latency without boto3's ~1 ms of client work per call.

The floor is a bare ASGI app on uvicorn + httptools + uvloop, serving a fixed
reply (`bench/floor_app.py`): the stack pocketcloud ran on until it got its own
connection protocol (`gateway/connection.py`), which costs less per request than
uvicorn's ASGI one, so pocketcloud's work is now only partly "beyond the floor".
moto_server (Flask/Werkzeug, no signature checks) is a reference point.
"""

from __future__ import annotations

import http.client
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from bench.harness import Measurement, ServerProcess, measure, ready_times
from bench.results import machine_line, table, verdict

NAME = "sts"
TITLE = "STS GetCallerIdentity"

KEY, SECRET, REGION = "test", "test", "us-east-1"
QUERY = b"Action=GetCallerIdentity&Version=2011-06-15"
READY_SAMPLES = 5
CPU_GOAL_MS, FLOOR_RATIO_GOAL, READY_GOAL_S, IDLE_RSS_GOAL_MIB = 0.2, 3.0, 0.5, 100.0


def pocketcloud() -> ServerProcess:
    return ServerProcess(
        "pocketcloud", lambda port: [sys.executable, "-m", "pocketcloud", "start", "--port", str(port), "--ephemeral"],
        ready_path="/_pocketcloud/health", ready_status=200, env={"POCKETCLOUD_LOG_LEVEL": "warning"},
    )


def floor() -> ServerProcess:
    return ServerProcess("floor", lambda port: [sys.executable, "-m", "bench.floor_app", "--port", str(port)])


def moto() -> ServerProcess:
    moto_server = str(Path(sys.executable).with_name("moto_server"))
    return ServerProcess("moto_server", lambda port: [moto_server, "-H", "127.0.0.1", "-p", str(port)])


SERVERS: list[Callable[[], ServerProcess]] = [pocketcloud, floor, moto]


def boto3_client(endpoint: str) -> Callable[[], object]:
    sts = boto3.client(
        "sts", endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=SECRET,
        region_name=REGION, config=Config(retries={"total_max_attempts": 1}),
    )
    return sts.get_caller_identity


class RawClient:
    """Replays one request, signed once, on one keep-alive connection (the server still verifies it)."""

    def __init__(self, port: int, body: bytes = QUERY, service: str = "sts", key: str = KEY, secret: str = SECRET) -> None:
        request = AWSRequest(
            "POST", f"http://127.0.0.1:{port}/", data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        SigV4Auth(Credentials(key, secret), service, REGION).add_auth(request)
        prepared = request.prepare()
        # The signature covers the Host header; send exactly the one botocore signed.
        self.headers = {"Host": f"127.0.0.1:{port}", **dict(prepared.headers)}
        self.body = prepared.body
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def __call__(self) -> None:
        self.conn.request("POST", "/", body=self.body, headers=self.headers)
        response = self.conn.getresponse()
        reply = response.read()
        if response.status != 200:
            raise RuntimeError(f"raw call answered {response.status}: {reply[:300]!r}")

    def close(self) -> None:
        self.conn.close()


@dataclass
class ServerRun:
    server: ServerProcess
    measurements: list[Measurement]
    rss_after_mib: float
    peak_rss_mib: float
    ready_s: list[float]

    @property
    def ready_median_s(self) -> float:
        return statistics.median(self.ready_s)


def run_server(make: Callable[[], ServerProcess], calls: int, warmup: int) -> ServerRun:
    with make() as server:
        print(f"  {server.name}: ready in {server.ready_s:.3f} s, idle RSS {server.idle_rss_mib:.1f} MiB", flush=True)
        measurements = [measure(server, "boto3", boto3_client(server.endpoint), calls, warmup)]
        raw = RawClient(server.port)
        try:
            measurements.append(measure(server, "raw", raw, calls, warmup))
        finally:
            raw.close()
        for m in measurements:
            print(f"    {m.client:5}  server CPU {m.server_cpu_ms_per_op:.3f} ms/op "
                  f"(kernel {m.server_sys_ms_per_op:.3f})  p50 {m.p50_ms:.3f} ms  "
                  f"p99 {m.p99_ms:.3f} ms  {m.ops_per_s:,.0f} ops/s", flush=True)
        rss_after, peak = server.rss_mib(), server.peak_rss_mib()
    ready = [server.ready_s, *ready_times(make, READY_SAMPLES - 1)]
    print(f"    spawn → ready: {', '.join(f'{t:.3f}' for t in ready)} s", flush=True)
    return ServerRun(server, measurements, rss_after, peak, ready)



def _floor_cpu(runs: list[ServerRun]) -> dict[str, float]:
    """The floor's server CPU ms/op, by client."""
    return {m.client: m.server_cpu_ms_per_op for r in runs if r.server.name == "floor" for m in r.measurements}


def _cpu_table(runs: list[ServerRun]) -> str:
    floor_cpu = _floor_cpu(runs)
    rows = []
    for r in runs:
        for m in r.measurements:
            base = floor_cpu.get(m.client)
            rows.append([
                r.server.name, m.client, f"{m.server_cpu_ms_per_op:.3f}",
                f"{m.server_cpu_ms_per_op / base:.1f}×" if base else "–", f"{m.server_sys_ms_per_op:.3f}",
                f"{m.client_cpu_ms_per_op:.3f}", f"{m.p50_ms:.3f}", f"{m.p99_ms:.3f}", f"{m.ops_per_s:,.0f}",
            ])
    headers = ["server", "client", "server CPU ms/op", "× floor", "of which kernel", "client CPU ms/op",
               "p50 ms", "p99 ms", "ops/s"]
    return table(headers, rows)


def _startup_table(runs: list[ServerRun]) -> str:
    rows = [[r.server.name, f"{r.ready_median_s:.3f} ({min(r.ready_s):.3f}–{max(r.ready_s):.3f})",
             f"{r.server.idle_rss_mib:.1f}", f"{r.rss_after_mib:.1f}", f"{r.peak_rss_mib:.1f}"] for r in runs]
    headers = ["server", f"spawn → ready s, median (range) of {READY_SAMPLES}", "idle RSS MiB",
               "RSS after run MiB", "peak RSS MiB"]
    return table(headers, rows)


def _goals(pc: ServerRun, floor_cpu: dict[str, float]) -> list[str]:
    lines = []
    for m in pc.measurements:
        cpu, base = m.server_cpu_ms_per_op, floor_cpu.get(m.client)
        line = f"- server CPU per call ({m.client}): {cpu:.3f} ms; ≤ {CPU_GOAL_MS} ms {verdict(cpu <= CPU_GOAL_MS)}"
        if base:
            ratio = cpu / base
            line += f"; {ratio:.1f}× the floor, < {FLOOR_RATIO_GOAL:.0f}× {verdict(ratio < FLOOR_RATIO_GOAL)}"
        lines.append(line)
    ready, idle = pc.ready_median_s, pc.server.idle_rss_mib
    lines.append(f"- spawn → ready ≤ {READY_GOAL_S} s: {ready:.3f} s (median) {verdict(ready <= READY_GOAL_S)}")
    lines.append(f"- idle RSS < {IDLE_RSS_GOAL_MIB:.0f} MiB: {idle:.1f} MiB {verdict(idle < IDLE_RSS_GOAL_MIB)}")
    return lines


def render(runs: list[ServerRun], calls: int, warmup: int, machine: str) -> str:
    lines = [
        f"## {NAME}: {TITLE}", "", machine, "",
        f"{calls:,} sequential calls per row, after {warmup:,} warm-up calls; each server started fresh. "
        "`floor` is a bare ASGI app on uvicorn/httptools/uvloop (pocketcloud's own connection protocol costs "
        "less per request than uvicorn's ASGI one); moto_server does not "
        "check signatures.", "",
        _cpu_table(runs), "",
        _startup_table(runs),
    ]
    pc = next((r for r in runs if r.server.name == "pocketcloud"), None)
    if pc is not None:
        lines += ["", "Goals for pocketcloud:", "", *_goals(pc, _floor_cpu(runs))]
    return "\n".join(lines) + "\n"


def run(calls: int, warmup: int) -> str:
    machine = machine_line()  # before the run, so that its load average is the machine's, not ours
    runs = [run_server(make, calls, warmup) for make in SERVERS]
    return render(runs, calls, warmup, machine)
