"""Lambda Invoke: warm latency, cold starts, timeout overrun and a burst of concurrent calls.

One pocketcloud server (`--ephemeral`) runs everything; its baseline is STS
GetCallerIdentity measured on the same server in the same run, the cheapest
signed call it answers. The functions are Python (the server's interpreter
runs them, with awslambdaric when it is installed, else pocketcloud's own
runtime client; the section says which):

- **warm**: 1,000 sequential synchronous Invokes of an echo function whose
  environment is already up, with two clients as in the STS benchmark:
  `boto3` (`lambda.invoke`) and `raw` (one request signed once with
  botocore's SigV4Auth and replayed with http.client on a keep-alive
  connection; the server verifies the signature every time). Each is compared
  with GetCallerIdentity made by the same kind of client, the two timed in
  alternating blocks of 100 calls, so that whatever else the machine does
  weighs on both alike.
- **cold**: a dozen Invokes that each need a new environment, forced by
  UpdateFunctionConfiguration of an environment variable before each, and a
  dozen first Invokes of freshly created functions: time to the response.
- **timeout overrun**: a function with Timeout=1 that sleeps forever, invoked
  on a warm environment; the overrun is the response time minus 1 s, and, more
  precisely, the response's arrival minus the deadline the runtime was given
  (the function prints it).
- **burst**: 20 concurrent Invokes of a function that sleeps 100 ms, first
  with no environment up (20 cold starts at once), then again warm.

Server CPU is split in two: the server process itself (all its threads) and
its Lambda children (the runtimes, including those already exited).
"""

from __future__ import annotations

import base64
import http.client
import importlib.util
import io
import json
import math
import os
import re
import statistics
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from bench import procfs
from bench.bench_sts import RawClient as StsRawClient
from bench.harness import Measurement, ServerProcess, measure_interleaved
from bench.results import machine_line, table, verdict

NAME = "lambda"
TITLE = "Lambda Invoke: warm, cold start, timeout overrun, 20 concurrent"

KEY, SECRET, REGION, ACCOUNT = "test", "test", "us-east-1", "000000000000"
ROLE = "bench-lambda"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
RUNTIME = "python3.11"
WARM_CALLS = 1000
WARM_WARMUP = 50
WARM_BLOCKS = 10  # STS and Invoke alternate in blocks of WARM_CALLS / WARM_BLOCKS calls
COLD_SAMPLES = 12
TIMEOUT_SAMPLES = 5
BURST = 20
PAYLOAD = b'{"hello": "world", "n": 1}'

WARM_P50_GOAL_MS, STS_RATIO_GOAL, COLD_GOAL_MS, OVERRUN_GOAL_MS = 3.0, 2.0, 150.0, 50.0

ECHO = "def handler(event, context):\n    return event\n"
HANG = (
    "import time\n"
    "def handler(event, context):\n"
    "    if event.get('hang'):\n"
    "        # The deadline the runtime was given, for the benchmark to measure the overrun from.\n"
    "        print('DEADLINE', int(time.time() * 1000) + context.get_remaining_time_in_millis(), flush=True)\n"
    "        while True:\n"
    "            time.sleep(60)\n"
    "    return 'ready'\n"
)
SLEEP_100MS = "import time\ndef handler(event, context):\n    time.sleep(0.1)\n    return {'slept': 0.1}\n"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def python_client(env: dict[str, str]) -> str:
    """Which runtime client the server will start Python functions with (its rules, as of this writing)."""
    chosen = env.get("POCKETCLOUD_LAMBDA_PYTHON_CLIENT", "auto")
    if chosen == "auto":
        return "awslambdaric" if importlib.util.find_spec("awslambdaric") else "builtin"
    return chosen


def pocketcloud(extra_env: dict[str, str] | None = None) -> ServerProcess:
    env = {"POCKETCLOUD_LOG_LEVEL": "warning", **(extra_env or {})}
    return ServerProcess(
        "pocketcloud",
        lambda port: [sys.executable, "-m", "pocketcloud", "start", "--port", str(port), "--ephemeral"],
        ready_path="/_pocketcloud/health",
        ready_status=200,
        env=env,
    )


def client(service: str, endpoint: str) -> object:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        region_name=REGION,
        config=Config(retries={"total_max_attempts": 1}, read_timeout=120, connect_timeout=10),
    )


def code_zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("main.py", source)
    return buffer.getvalue()


def wait_updated(lam: object, name: str) -> None:
    """Until the function is Active and its last update Successful (Lambda's own state machine)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        config = lam.get_function_configuration(FunctionName=name)  # type: ignore[attr-defined]
        if (
            config.get("State", "Active") == "Active"
            and config.get("LastUpdateStatus", "Successful") == "Successful"
        ):
            return
        time.sleep(0.01)
    raise RuntimeError(f"{name} did not become Active")


def create_function(lam: object, name: str, source: str, timeout: int = 30) -> None:
    lam.create_function(  # type: ignore[attr-defined]
        FunctionName=name,
        Runtime=RUNTIME,
        Role=ROLE_ARN,
        Handler="main.handler",
        Code={"ZipFile": code_zip(source)},
        Timeout=timeout,
        MemorySize=128,
    )
    wait_updated(lam, name)


def invoke(lam: object, name: str, payload: bytes = PAYLOAD, tail: bool = False) -> dict[str, object]:
    kwargs: dict[str, object] = {"FunctionName": name, "Payload": payload}
    if tail:
        kwargs["LogType"] = "Tail"
    response = lam.invoke(**kwargs)  # type: ignore[attr-defined]
    response["Body"] = response["Payload"].read()
    return response


class RawInvoke:
    """Replays one signed Invoke request on one keep-alive connection."""

    def __init__(self, port: int, name: str) -> None:
        path = f"/2015-03-31/functions/{name}/invocations"
        request = AWSRequest("POST", f"http://127.0.0.1:{port}{path}", data=PAYLOAD)
        SigV4Auth(Credentials(KEY, SECRET), "lambda", REGION).add_auth(request)
        prepared = request.prepare()
        self.path = path
        self.headers = {"Host": f"127.0.0.1:{port}", **dict(prepared.headers)}
        self.body = prepared.body
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def __call__(self) -> None:
        self.conn.request("POST", self.path, body=self.body, headers=self.headers)
        response = self.conn.getresponse()
        reply = response.read()
        if response.status != 200 or response.getheader("X-Amz-Function-Error"):
            raise RuntimeError(f"raw Invoke answered {response.status}: {reply[:300]!r}")

    def close(self) -> None:
        self.conn.close()


# -- figures -------------------------------------------------------------------------------------


@dataclass
class Split:
    """CPU seconds of the server process itself and of its Lambda children over some calls."""

    own_s: float
    children_s: float

    @property
    def total_s(self) -> float:
        return self.own_s + self.children_s


class CpuSplit:
    """Reads the server's own CPU and its whole tree's before and after a block."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server

    def __enter__(self) -> CpuSplit:
        self._own = sum(procfs.process_cpu_times(self.server.pid))
        self._tree = sum(self.server.cpu_times())
        return self

    def __exit__(self, *exc: object) -> None:
        own = sum(procfs.process_cpu_times(self.server.pid)) - self._own
        tree = sum(self.server.cpu_times()) - self._tree
        self.split = Split(own, max(0.0, tree - own))


@dataclass
class WarmRow:
    label: str
    m: Measurement
    split: Split | None = None


@dataclass
class Sample:
    latency_s: float
    split: Split
    init_ms: float | None = None


@dataclass
class BurstRow:
    label: str
    wall_s: float
    latencies_s: list[float]
    split: Split


@dataclass
class ServerRun:
    client: str
    server: ServerProcess | None = None
    warm: list[WarmRow] = field(default_factory=list)
    cold: dict[str, list[Sample]] = field(default_factory=dict)
    overruns_ms: list[float] = field(default_factory=list)
    deadline_overruns_ms: list[float] = field(default_factory=list)
    bursts: list[BurstRow] = field(default_factory=list)
    peak_rss_mib: float = math.nan
    own_peak_rss_mib: float = math.nan

    def warm_row(self, label: str) -> WarmRow | None:
        return next((r for r in self.warm if r.label == label), None)


def measure_alternating(
    server: ServerProcess, kind: str, calls: dict[str, Callable[[], object]]
) -> list[WarmRow]:
    """WARM_CALLS of each call, made by one client kind in alternating blocks, with the CPU split per call."""
    figures = measure_interleaved(server, kind, calls, WARM_BLOCKS, max(1, WARM_CALLS // WARM_BLOCKS), WARM_WARMUP)
    rows = []
    for label, m in figures.items():
        own, n = m.server_own_cpu_s, m.calls
        split = Split(own, max(0.0, m.server_cpu_s - own))
        rows.append(WarmRow(label, m, split))
        print(
            f"    {label:28} server CPU {m.server_cpu_ms_per_op:.3f} ms/op (own {own * 1000 / n:.3f}, "
            f"Lambda children {split.children_s * 1000 / n:.3f})  p50 {m.p50_ms:.3f} ms  p99 {m.p99_ms:.3f} ms  "
            f"{m.ops_per_s:,.0f} ops/s",
            flush=True,
        )
    return rows


_INIT = re.compile(r"Init Duration: ([0-9.]+) ms")


def _init_ms(response: dict[str, object]) -> float | None:
    log = base64.b64decode(str(response.get("LogResult") or "")).decode(errors="replace")
    match = _INIT.search(log)
    return float(match.group(1)) if match else None


def timed_invoke(
    server: ServerProcess, lam: object, name: str, payload: bytes = PAYLOAD
) -> tuple[Sample, dict[str, object]]:
    with CpuSplit(server) as cpu:
        started = time.perf_counter()
        response = invoke(lam, name, payload, tail=True)
        latency = time.perf_counter() - started
    if response.get("FunctionError") and b"Sandbox.Timedout" not in response["Body"]:  # type: ignore[operator]
        raise RuntimeError(f"{name} failed: {response['Body']!r}")
    return Sample(latency, cpu.split, _init_ms(response)), response


# -- phases ---------------------------------------------------------------------------------------


def warm(run: ServerRun, server: ServerProcess, lam: object, sts: object) -> None:
    create_function(lam, "echo", ECHO)
    first = invoke(lam, "echo")
    assert json.loads(first["Body"]) == json.loads(PAYLOAD), first["Body"]  # type: ignore[arg-type]
    run.warm += measure_alternating(
        server,
        "boto3",
        {
            "STS GetCallerIdentity boto3": sts.get_caller_identity,  # type: ignore[attr-defined]
            "Invoke boto3": lambda: invoke(lam, "echo"),
        },
    )
    raw_sts = StsRawClient(server.port)
    raw_invoke = RawInvoke(server.port, "echo")
    try:
        run.warm += measure_alternating(
            server, "raw", {"STS GetCallerIdentity raw": raw_sts, "Invoke raw": raw_invoke}
        )
    finally:
        raw_sts.close()
        raw_invoke.close()


def cold(run: ServerRun, server: ServerProcess, lam: object) -> None:
    create_function(lam, "cold-echo", ECHO)
    invoke(lam, "cold-echo")
    updated: list[Sample] = []
    for i in range(COLD_SAMPLES):
        variables = {"Variables": {"ROUND": str(i)}}
        lam.update_function_configuration(FunctionName="cold-echo", Environment=variables)  # type: ignore[attr-defined]
        wait_updated(lam, "cold-echo")
        sample, _ = timed_invoke(server, lam, "cold-echo")
        updated.append(sample)
    run.cold["after UpdateFunctionConfiguration"] = updated
    fresh: list[Sample] = []
    for i in range(COLD_SAMPLES):
        name = f"fresh-{i:02d}"
        create_function(lam, name, ECHO)
        sample, _ = timed_invoke(server, lam, name)
        fresh.append(sample)
    run.cold["first Invoke of a new function"] = fresh
    for label, samples in run.cold.items():
        ms = [s.latency_s * 1000 for s in samples]
        print(
            f"    cold, {label}: median {statistics.median(ms):.1f} ms, min {min(ms):.1f}, max {max(ms):.1f}",
            flush=True,
        )


def timeout(run: ServerRun, server: ServerProcess, lam: object) -> None:
    create_function(lam, "hang", HANG, timeout=1)
    for _ in range(TIMEOUT_SAMPLES):
        invoke(lam, "hang", b"{}")  # a warm environment, so that the 1 s is all the invocation's
        started = time.perf_counter()
        response = invoke(lam, "hang", b'{"hang": true}', tail=True)
        arrived_ms = time.time() * 1000
        elapsed = time.perf_counter() - started
        assert b"Sandbox.Timedout" in response["Body"] or b"timed out" in response["Body"], response["Body"]  # type: ignore[operator]
        run.overruns_ms.append((elapsed - 1.0) * 1000)
        log = base64.b64decode(str(response.get("LogResult") or "")).decode(errors="replace")
        match = re.search(r"DEADLINE (\d+)", log)
        if match:
            run.deadline_overruns_ms.append(arrived_ms - int(match.group(1)))
    print(
        f"    timeout overrun: {', '.join(f'{v:.1f}' for v in run.overruns_ms)} ms (response − 1 s); "
        f"from the deadline: {', '.join(f'{v:.1f}' for v in run.deadline_overruns_ms)} ms",
        flush=True,
    )


def burst(run: ServerRun, server: ServerProcess) -> None:
    lam = client("lambda", server.endpoint)
    create_function(lam, "sleep100", SLEEP_100MS)
    clients = [client("lambda", server.endpoint) for _ in range(BURST)]
    for label in ("cold (no environment up)", "warm (20 environments idle)"):
        run.bursts.append(_burst_round(server, clients, label))
        b = run.bursts[-1]
        print(
            f"    {BURST} concurrent, {label}: wall {b.wall_s * 1000:.0f} ms, server CPU own "
            f"{b.split.own_s * 1000:.0f} ms, children {b.split.children_s * 1000:.0f} ms",
            flush=True,
        )


def _burst_round(server: ServerProcess, clients: list[object], label: str) -> BurstRow:
    latencies = [0.0] * BURST
    errors: list[BaseException] = []
    go = threading.Barrier(BURST + 1)

    def work(i: int) -> None:
        go.wait()
        t0 = time.perf_counter()
        try:
            response = invoke(clients[i], "sleep100")
            if response.get("FunctionError"):
                raise RuntimeError(response["Body"])
        except BaseException as exc:  # reported after all threads finish
            errors.append(exc)
        latencies[i] = time.perf_counter() - t0

    threads = [threading.Thread(target=work, args=(i,)) for i in range(BURST)]
    for t in threads:
        t.start()
    with CpuSplit(server) as cpu:
        started = time.perf_counter()
        go.wait()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    return BurstRow(label, wall, latencies, cpu.split)


def run_server(extra_env: dict[str, str] | None, phases: tuple[str, ...]) -> ServerRun:
    env = {**os.environ, **(extra_env or {})}
    run = ServerRun(python_client(env))
    with pocketcloud(extra_env) as server:
        run.server = server
        print(
            f"  pocketcloud (Python client {run.client}): ready in {server.ready_s:.3f} s, "
            f"idle RSS {server.idle_rss_mib:.1f} MiB",
            flush=True,
        )
        iam = client("iam", server.endpoint)
        iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=TRUST)  # type: ignore[attr-defined]
        lam, sts = client("lambda", server.endpoint), client("sts", server.endpoint)
        if "warm" in phases:
            warm(run, server, lam, sts)
        if "cold" in phases:
            cold(run, server, lam)
        if "timeout" in phases:
            timeout(run, server, lam)
        if "burst" in phases:
            burst(run, server)
        run.peak_rss_mib = server.peak_rss_mib()
        run.own_peak_rss_mib = procfs.process_peak_rss_mib(server.pid)
    return run


# -- report ---------------------------------------------------------------------------------------



def _warm_table(runs: list[ServerRun]) -> str:
    rows = []
    for r in runs:
        sts = {row.m.client: row.m.p50_ms for row in r.warm if row.label.startswith("STS")}
        for row in r.warm:
            m, split = row.m, row.split
            base = sts.get(m.client)
            rows.append(
                [
                    r.client,
                    row.label,
                    f"{m.server_cpu_ms_per_op:.3f}",
                    f"{split.own_s * 1000 / m.calls:.3f}" if split else "–",
                    f"{split.children_s * 1000 / m.calls:.3f}" if split else "–",
                    f"{m.server_sys_ms_per_op:.3f}",
                    f"{m.client_cpu_ms_per_op:.3f}",
                    f"{m.p50_ms:.3f}",
                    f"{m.p99_ms:.3f}",
                    f"{m.p50_ms / base:.2f}×" if base and not row.label.startswith("STS") else "–",
                    f"{m.ops_per_s:,.0f}",
                ]
            )
    headers = [
        "Python client",
        "call",
        "server CPU ms/op",
        "of which server process",
        "of which Lambda children",
        "of which kernel",
        "client CPU ms/op",
        "p50 ms",
        "p99 ms",
        "p50 ÷ STS p50",
        "ops/s",
    ]
    return table(headers, rows)


def _cold_table(runs: list[ServerRun]) -> str:
    rows = []
    for r in runs:
        for label, samples in r.cold.items():
            ms = sorted(s.latency_s * 1000 for s in samples)
            inits = [s.init_ms for s in samples if s.init_ms is not None]
            own = statistics.median(s.split.own_s for s in samples) * 1000
            children = statistics.median(s.split.children_s for s in samples) * 1000
            rows.append(
                [
                    r.client,
                    label,
                    len(samples),
                    f"{statistics.median(ms):.1f}",
                    f"{ms[0]:.1f}",
                    f"{ms[-1]:.1f}",
                    f"{statistics.median(inits):.1f}" if inits else "–",
                    f"{own:.0f}",
                    f"{children:.0f}",
                ]
            )
    headers = [
        "Python client",
        "cold start",
        "samples",
        "to response ms, median",
        "min",
        "max",
        "Init Duration ms (REPORT), median",
        "server process CPU ms",
        "Lambda children CPU ms",
    ]
    return table(headers, rows)


def _burst_table(runs: list[ServerRun]) -> str:
    rows = []
    for r in runs:
        for b in r.bursts:
            ms = sorted(t * 1000 for t in b.latencies_s)
            rows.append(
                [
                    r.client,
                    b.label,
                    f"{b.wall_s * 1000:.0f}",
                    f"{statistics.median(ms):.0f}",
                    f"{ms[-1]:.0f}",
                    f"{b.split.own_s * 1000:.0f}",
                    f"{b.split.children_s * 1000:.0f}",
                ]
            )
    headers = [
        "Python client",
        f"{BURST} concurrent Invokes of a 100 ms function",
        "wall ms",
        "latency median ms",
        "latency max ms",
        "server process CPU ms",
        "Lambda children CPU ms",
    ]
    return table(headers, rows)


def _goals(r: ServerRun) -> list[str]:
    lines = []
    for kind in ("boto3", "raw"):
        inv, sts = r.warm_row(f"Invoke {kind}"), r.warm_row(f"STS GetCallerIdentity {kind}")
        if inv is None or sts is None:
            continue
        p50, ratio = inv.m.p50_ms, inv.m.p50_ms / sts.m.p50_ms
        line = f"- warm Invoke p50 ({kind}) ≤ {WARM_P50_GOAL_MS:.0f} ms: {p50:.3f} ms {verdict(p50 <= WARM_P50_GOAL_MS)}; "
        if kind == "boto3":
            line += (
                f"≤ {STS_RATIO_GOAL:.0f}× GetCallerIdentity's p50 ({sts.m.p50_ms:.3f} ms): {ratio:.2f}× "
                f"{verdict(ratio <= STS_RATIO_GOAL)}"
            )
        else:
            # With a client that costs next to nothing the ratio compares two process hops (the event
            # to the runtime and its answer back, plus the runtime's own turn) with none: a measure of
            # the runtime round trip, which the goal (a client calling Lambda) does not ask for.
            line += (
                f"{ratio:.2f}× GetCallerIdentity's p50 ({sts.m.p50_ms:.3f} ms), shown for the server's share: "
                "the runtime's own turn alone is about one whole GetCallerIdentity here"
            )
        lines.append(line)
    for label, samples in r.cold.items():
        ms = [s.latency_s * 1000 for s in samples]
        median = statistics.median(ms)
        lines.append(
            f"- cold start to first response ≤ {COLD_GOAL_MS:.0f} ms ({label}): median {median:.1f} ms, "
            f"max {max(ms):.1f} ms {verdict(median <= COLD_GOAL_MS)}"
        )
    if r.overruns_ms:
        worst = max(r.overruns_ms)
        line = (
            f"- timeout overrun ≤ {OVERRUN_GOAL_MS:.0f} ms: response − 1 s median "
            f"{statistics.median(r.overruns_ms):.1f} ms, max {worst:.1f} ms {verdict(worst <= OVERRUN_GOAL_MS)}"
        )
        if r.deadline_overruns_ms:
            line += (
                f"; from the runtime's deadline to the response: median "
                f"{statistics.median(r.deadline_overruns_ms):.1f} ms, max {max(r.deadline_overruns_ms):.1f} ms"
            )
        lines.append(line)
    return lines


def render(runs: list[ServerRun], machine: str) -> str:
    main = runs[0]
    lines = [
        f"## {NAME}: {TITLE}",
        "",
        machine,
        "",
        f"pocketcloud `--ephemeral`; functions are {RUNTIME} zip packages run on the server's interpreter. "
        f"Baseline: STS GetCallerIdentity on the same server in the same run. Server CPU comes from /proc for "
        "the whole process tree and is split into the server process itself and its Lambda children "
        "(runtime processes, live or already reaped).",
        "",
        f"**Warm Invoke** of an echo function (payload {len(PAYLOAD)} bytes): {WARM_CALLS:,} sequential calls per "
        f"row after {WARM_WARMUP} warm-up calls. Each client kind times GetCallerIdentity and Invoke in alternating "
        f"blocks of {WARM_CALLS // WARM_BLOCKS} calls, and each ratio is to GetCallerIdentity by the same kind of "
        "client: `raw` replays one signed request for both, `boto3` makes both calls through boto3.",
        "",
        _warm_table(runs),
        "",
        f"**Cold starts**: {COLD_SAMPLES} Invokes after UpdateFunctionConfiguration (a new environment variable "
        f"retires the warm environment) and {COLD_SAMPLES} first Invokes of new functions; boto3 client, time to "
        "the response. Init Duration is what the REPORT log line says (runtime start to its first `next`).",
        "",
        _cold_table(runs),
        "",
        f"**Timeout overrun**: Timeout=1 function that sleeps forever, invoked {TIMEOUT_SAMPLES} times on a warm "
        "environment (each time-out kills it, so it is warmed again before the next). Response − 1 s (boto3, "
        "request overhead included): " + ", ".join(f"{v:.1f}" for v in main.overruns_ms) + " ms; from the "
        "deadline the runtime was given to the response's arrival: "
        + (", ".join(f"{v:.1f}" for v in main.deadline_overruns_ms) or "–")
        + " ms.",
        "",
        f"**Burst**: {BURST} threads, each with its own boto3 client, start their Invoke together.",
        "",
        _burst_table(runs),
        "",
        "Memory: peak RSS (VmHWM) of the server process "
        + ", ".join(f"{r.own_peak_rss_mib:.1f} MiB ({r.client})" for r in runs)
        + "; summed over the server and its live runtimes at the end "
        + ", ".join(f"{r.peak_rss_mib:.1f} MiB ({r.client})" for r in runs)
        + ".",
    ]
    for r in runs:
        goals = _goals(r)
        if goals:
            lines += ["", f"Goals (Python client {r.client}):", "", *goals]
    return "\n".join(lines) + "\n"


def run(calls: int, warmup: int) -> str:
    machine = machine_line()
    runs = [run_server(None, ("warm", "cold", "timeout", "burst"))]
    if runs[0].client != "builtin":
        # The standard-library client as well: what a machine without awslambdaric gets.
        runs.append(run_server({"POCKETCLOUD_LAMBDA_PYTHON_CLIENT": "builtin"}, ("warm", "cold")))
    return render(runs, machine)
