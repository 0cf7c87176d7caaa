"""S3: small and large objects, multipart upload and listing; pocketcloud against moto_server, in one run.

Each server is started fresh (pocketcloud `--ephemeral`: SQLite and blob files
in a temporary directory, no fsync; moto keeps everything in memory) and runs
the same phases:

- **1 KiB objects**: PutObject, then GetObject of the keys just written, with
  one client thread and with 8, each thread on its own connection. Two
  clients: `boto3` (`put_object` / `get_object`, what a user's code does; it
  also sends a SHA-256 payload hash and a CRC32 checksum the server verifies)
  and `raw` (`bench/rawhttp.py`: http.client, SigV4 header-signed with
  UNSIGNED-PAYLOAD, so the client costs little and the server still checks
  every signature).
- **256 MiB bodies**, `raw` client only: the PUT body is streamed from a
  generator of 1 MiB chunks and the GET response is read into a reused 1 MiB
  buffer, so neither side of the client holds the object. boto3 hashes
  (SHA-256) and checksums (CRC32) a body it uploads and copies what it
  downloads, which caps it well below what the servers can do (one boto3
  PUT and GET are shown for reference).
- **multipart**: CreateMultipartUpload, 32 UploadPart of 8 MiB (streamed as
  above), CompleteMultipartUpload, raw client.
- **listing**: ListObjectsV2 in pages of 1,000 over a bucket of 10,000 keys
  (the full listing, 10 requests), and one page of 1,000 keys in buckets of
  1,000 and of 100,000 keys. Buckets are filled by 8 threads of 16-byte raw
  PUTs; how long that took is reported.

Server CPU is user + system time of the server's process tree from /proc, as
in every benchmark here; peak RSS is its VmHWM.
"""

from __future__ import annotations

import functools
import html
import math
import os
import re
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import boto3
from botocore.config import Config

from bench.bench_sts import moto, pocketcloud
from bench.harness import Measurement, ServerProcess, measure, measure_concurrent, measure_interleaved
from bench.rawhttp import RawS3
from bench.results import machine_line, table, verdict

NAME = "s3"
TITLE = "S3 objects, large bodies, multipart upload and listing"

KEY, SECRET, REGION = "test", "test", "us-east-1"
MIB = 1024 * 1024
SMALL_SIZE = 1024
THREADS = 8
# Each 1 KiB row is measured this many times, its rounds taking turns with the other rows', and the
# round with the median server CPU is kept: on this VM single runs of one commit differ by ±25%.
SMALL_ROUNDS = 3
LARGE_SIZE = 256 * MIB
CHUNK = MIB
LARGE_REPEATS = 3
PART_SIZE = 8 * MIB
MULTIPART_REPEATS = 2
LIST_KEYS = 10_000
PAGE_SIZE = 1000
LISTING_REPEATS = 5
PAGE_BUCKETS = (1_000, 100_000)
PAGE_CALLS = 50
PAGE_BLOCKS = 5
POPULATE_THREADS = 8
POPULATE_BODY = b"0123456789abcdef"
MOTO_MAX_KEYS = 10_000  # populating moto_server beyond this takes minutes: see the section's text

# Goals (from the issue).
SMALL_CPU_GOAL_MS = 0.3
GET_GOAL_MIB_S = 1024.0
PUT_GOAL_MIB_S = 400.0
LISTING_CPU_GOAL_S = 0.1
PAGE_RATIO_GOAL = 1.5
PEAK_RSS_GOAL_MB = 150.0

SERVERS: list[Callable[[], ServerProcess]] = [pocketcloud, moto]


def s3_client(endpoint: str) -> object:
    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=KEY, aws_secret_access_key=SECRET, region_name=REGION,
        config=Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"}),
    )


def list_key(i: int) -> str:
    return f"logs/2025/01/{i:07d}.json"


@dataclass
class Transfer:
    """One large request (or a whole multipart upload): wall time and server CPU."""

    label: str
    client: str
    size: int
    wall_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)
    client_cpu_s: list[float] = field(default_factory=list)

    @property
    def median_mib_s(self) -> float:
        return self.size / MIB / statistics.median(self.wall_s)

    @property
    def best_mib_s(self) -> float:
        return self.size / MIB / min(self.wall_s)

    @property
    def cpu_median_s(self) -> float:
        return statistics.median(self.cpu_s)

    @property
    def client_cpu_median_s(self) -> float:
        return statistics.median(self.client_cpu_s)


@dataclass
class Populated:
    keys: int
    wall_s: float
    cpu_s: float

    @property
    def puts_per_s(self) -> float:
        return self.keys / self.wall_s


@dataclass
class ServerRun:
    server: ServerProcess
    small: list[tuple[str, int, Measurement]] = field(default_factory=list)  # (operation, threads, figures)
    large: list[Transfer] = field(default_factory=list)
    listing: list[tuple[str, int, Measurement]] = field(default_factory=list)  # (row, bucket keys, figures)
    populated: list[Populated] = field(default_factory=list)
    peaks: dict[str, float] = field(default_factory=dict)  # after phase → VmHWM MiB
    rss_after_mib: float = math.nan
    skipped: list[str] = field(default_factory=list)

    def listing_row(self, row: str, keys: int) -> Measurement | None:
        return next((m for r, k, m in self.listing if r == row and k == keys), None)


def _timed(server: ServerProcess, action: Callable[[], object]) -> tuple[float, float, float]:
    """(wall s, server CPU s, client CPU s) of one action."""
    cpu_before, client_before = sum(server.cpu_times()), time.process_time()
    started = time.perf_counter()
    action()
    wall = time.perf_counter() - started
    return wall, sum(server.cpu_times()) - cpu_before, time.process_time() - client_before


# -- 1 KiB objects ----------------------------------------------------------------------------


class Keys:
    """Object keys of one client thread: PUTs write new ones, GETs cycle through those written."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.written = 0
        self.read = 0

    def next_put(self) -> str:
        self.written += 1
        return f"{self.prefix}/{self.written:07d}"

    def next_get(self) -> str:
        self.read = self.read % self.written + 1
        return f"{self.prefix}/{self.read:07d}"


def boto3_calls(endpoint: str, bucket: str, keys: Keys, body: bytes) -> tuple[Callable[[], object], Callable[[], object]]:
    s3 = s3_client(endpoint)

    def put() -> None:
        s3.put_object(Bucket=bucket, Key=keys.next_put(), Body=body)  # type: ignore[attr-defined]

    def get() -> None:
        data = s3.get_object(Bucket=bucket, Key=keys.next_get())["Body"].read()  # type: ignore[attr-defined]
        assert len(data) == SMALL_SIZE

    return put, get


def raw_calls(port: int, bucket: str, keys: Keys, body: bytes) -> tuple[Callable[[], object], Callable[[], object]]:
    raw = RawS3(port)

    def put() -> None:
        raw.put(f"/{bucket}/{keys.next_put()}", body)

    def get() -> None:
        assert len(raw.get(f"/{bucket}/{keys.next_get()}")) == SMALL_SIZE

    return put, get


def small_objects(run: ServerRun, calls: int, warmup: int) -> None:
    server = run.server
    bucket = "small"
    RawS3(server.port).call("PUT", f"/{bucket}")
    body = os.urandom(SMALL_SIZE)
    makers = {
        "boto3": lambda keys: boto3_calls(server.endpoint, bucket, keys, body),
        "raw": lambda keys: raw_calls(server.port, bucket, keys, body),
    }
    per_thread, thread_warmup = max(1, calls // THREADS), max(1, warmup // THREADS)
    rounds: dict[tuple[str, int, str], list[Measurement]] = {}
    for _ in range(1 if run.server.name == "moto_server" else SMALL_ROUNDS):
        for client, make in makers.items():
            put, get = make(Keys(f"{client}/seq"))
            for operation, call in (("PUT", put), ("GET", get)):
                m = measure(server, client, call, calls, warmup)
                rounds.setdefault((operation, 1, client), []).append(m)
                _print_small(operation, 1, m)
            pairs = [make(Keys(f"{client}/t{i}")) for i in range(THREADS)]
            for operation, index in (("PUT", 0), ("GET", 1)):
                m = measure_concurrent(server, client, [pair[index] for pair in pairs], per_thread, thread_warmup)
                rounds.setdefault((operation, THREADS, client), []).append(m)
                _print_small(operation, THREADS, m)
    for (operation, threads, _client), measured in rounds.items():
        median = sorted(measured, key=lambda each: each.server_cpu_ms_per_op)[len(measured) // 2]
        run.small.append((operation, threads, median))


def _print_small(operation: str, threads: int, m: Measurement) -> None:
    print(f"    1 KiB {operation} {m.client:5} ×{threads}: server CPU {m.server_cpu_ms_per_op:.3f} ms/op "
          f"(kernel {m.server_sys_ms_per_op:.3f})  p50 {m.p50_ms:.3f} ms  p99 {m.p99_ms:.3f} ms  "
          f"{m.ops_per_s:,.0f} ops/s", flush=True)


# -- 256 MiB bodies and multipart -------------------------------------------------------------


def chunks(size: int, chunk: bytes) -> Iterator[bytes]:
    """`size` bytes as a stream of `chunk`s (the last one cut short)."""
    view = memoryview(chunk)
    sent = 0
    while sent < size:
        n = min(len(chunk), size - sent)
        yield view[:n]  # type: ignore[misc]
        sent += n


def _record(t: Transfer, figures: tuple[float, float, float]) -> None:
    wall, cpu, client_cpu = figures
    t.wall_s.append(wall)
    t.cpu_s.append(cpu)
    t.client_cpu_s.append(client_cpu)


def large_objects(run: ServerRun) -> None:
    server = run.server
    bucket, key = "large", "big/object.bin"
    path = f"/{bucket}/{key}"
    raw = RawS3(server.port)
    raw.call("PUT", f"/{bucket}")
    chunk = os.urandom(CHUNK)
    buffer = bytearray(CHUNK)
    put, get = Transfer("PUT 256 MiB", "raw", LARGE_SIZE), Transfer("GET 256 MiB", "raw", LARGE_SIZE)
    # All PUTs (each overwriting the last), then all GETs of the last one.
    for _ in range(LARGE_REPEATS):
        _record(put, _timed(server, lambda: raw.put(path, chunks(LARGE_SIZE, chunk), LARGE_SIZE)))
    received: list[int] = []
    for _ in range(LARGE_REPEATS):
        _record(get, _timed(server, lambda: received.append(raw.get_into(path, buffer))))
    assert received == [LARGE_SIZE] * LARGE_REPEATS, received
    raw.close()
    run.large += [put, get]
    # For reference: boto3 itself (one of each), holding the whole body in memory as its API does.
    s3 = s3_client(server.endpoint)
    whole = chunk * (LARGE_SIZE // CHUNK)
    boto_put, boto_get = Transfer("PUT 256 MiB", "boto3", LARGE_SIZE), Transfer("GET 256 MiB", "boto3", LARGE_SIZE)
    put_whole = functools.partial(s3.put_object, Bucket=bucket, Key=key, Body=whole)  # type: ignore[attr-defined]
    del whole
    _record(boto_put, _timed(server, put_whole))
    del put_whole

    def boto3_get() -> None:
        stream = s3.get_object(Bucket=bucket, Key=key)["Body"]  # type: ignore[attr-defined]
        total = 0
        for piece in stream.iter_chunks(CHUNK):
            total += len(piece)
        assert total == LARGE_SIZE, total

    _record(boto_get, _timed(server, boto3_get))
    run.large += [boto_put, boto_get]
    for t in run.large:
        _print_transfer(t)


def multipart(run: ServerRun) -> None:
    server = run.server
    bucket, key = "multipart", "big/assembled.bin"
    path = f"/{bucket}/{key}"
    raw = RawS3(server.port)
    raw.call("PUT", f"/{bucket}")
    chunk = os.urandom(CHUNK)
    whole = Transfer("multipart 32 × 8 MiB", "raw", LARGE_SIZE)
    complete = Transfer("of which Complete", "raw", LARGE_SIZE)
    for _ in range(MULTIPART_REPEATS):
        def upload() -> None:
            _, reply = raw.call("POST", path, {"uploads": ""})
            match = re.search(rb"<UploadId>(.*?)</UploadId>", reply)
            assert match, reply[:300]
            upload_id = html.unescape(match.group(1).decode())
            etags = []
            for number in range(1, LARGE_SIZE // PART_SIZE + 1):
                query = {"partNumber": str(number), "uploadId": upload_id}
                etags.append(raw.put(path, chunks(PART_SIZE, chunk), PART_SIZE, query))
            document = "<CompleteMultipartUpload>" + "".join(
                f"<Part><PartNumber>{n}</PartNumber><ETag>{html.escape(etag)}</ETag></Part>"
                for n, etag in enumerate(etags, 1)
            ) + "</CompleteMultipartUpload>"
            _record(complete, _timed(server, lambda: raw.call("POST", path, {"uploadId": upload_id}, document.encode())))

        _record(whole, _timed(server, upload))
    head = raw.send("HEAD", path)
    head.read()
    assert head.getheader("Content-Length") == str(LARGE_SIZE), head.getheaders()
    raw.close()
    run.large += [whole, complete]
    _print_transfer(whole)
    _print_transfer(complete)


def _print_transfer(t: Transfer) -> None:
    print(f"    {t.label} ({t.client}): {t.median_mib_s:,.0f} MiB/s median, best {t.best_mib_s:,.0f}; "
          f"server CPU {t.cpu_median_s:.3f} s, client CPU {t.client_cpu_median_s:.3f} s", flush=True)


# -- listing ---------------------------------------------------------------------------------


def populate(run: ServerRun, bucket: str, keys: int) -> None:
    server = run.server
    RawS3(server.port).call("PUT", f"/{bucket}")
    errors: list[BaseException] = []

    def work(first: int) -> None:
        raw = RawS3(server.port)
        try:
            for i in range(first, keys, POPULATE_THREADS):
                raw.put(f"/{bucket}/{list_key(i)}", POPULATE_BODY)
        except BaseException as exc:  # reported after the others finish
            errors.append(exc)
        finally:
            raw.close()

    def fill() -> None:
        workers = [threading.Thread(target=work, args=(t,)) for t in range(POPULATE_THREADS)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    wall, cpu, _ = _timed(server, fill)
    if errors:
        raise errors[0]
    run.populated.append(Populated(keys, wall, cpu))
    print(f"    populated {keys:,} keys in {wall:.1f} s ({keys / wall:,.0f} PUT/s, "
          f"server CPU {cpu * 1000 / keys:.3f} ms/PUT)", flush=True)


def list_page(raw: RawS3, bucket: str, token: str | None = None, start_after: str | None = None) -> tuple[int, str | None]:
    """One ListObjectsV2 page of up to 1,000 keys: (keys in it, next continuation token)."""
    query = {"list-type": "2", "max-keys": str(PAGE_SIZE)}
    if token is not None:
        query["continuation-token"] = token
    if start_after is not None:
        query["start-after"] = start_after
    _, reply = raw.call("GET", f"/{bucket}", query)
    match = re.search(rb"<NextContinuationToken>(.*?)</NextContinuationToken>", reply)
    return reply.count(b"<Key>"), html.unescape(match.group(1).decode()) if match else None


def list_all(raw: RawS3, bucket: str) -> int:
    total, token = 0, None
    while True:
        count, token = list_page(raw, bucket, token)
        total += count
        if token is None:
            return total


def listing(run: ServerRun) -> None:
    server = run.server
    populate(run, "list-10k", LIST_KEYS)
    raw = RawS3(server.port)
    assert list_all(raw, "list-10k") == LIST_KEYS
    m = measure(server, "raw", lambda: list_all(raw, "list-10k"), LISTING_REPEATS, 1)
    run.listing.append(("full listing, 10 pages", LIST_KEYS, m))
    print(f"    full listing of {LIST_KEYS:,} keys: server CPU {m.server_cpu_s / m.calls:.3f} s, "
          f"p50 {m.p50_ms:.1f} ms", flush=True)
    raw.close()
    buckets = []
    for keys in PAGE_BUCKETS:
        if server.name == "moto_server" and keys > MOTO_MAX_KEYS:
            run.skipped.append(f"the {keys:,}-key bucket")
            continue
        populate(run, f"page-{keys}", keys)
        buckets.append(keys)
    # The pages are timed in alternating blocks, after every bucket is filled, so that
    # they compare fairly whatever else the machine is doing.
    raw = RawS3(server.port)  # a fresh connection: the server may have closed an idle one
    rows: dict[str, tuple[int, str, str | None]] = {}
    for keys in buckets:
        rows[f"first page in {keys:,}"] = (keys, "first page of 1,000", None)
        if keys > PAGE_SIZE:
            rows[f"middle page in {keys:,}"] = (keys, "page of 1,000 from the middle", list_key(keys // 2))
    calls: dict[str, Callable[[], object]] = {}
    for name, (keys, _, start_after) in rows.items():
        count, _ = list_page(raw, f"page-{keys}", start_after=start_after)
        assert count == PAGE_SIZE, count
        calls[name] = lambda c=raw, b=f"page-{keys}", s=start_after: list_page(c, b, start_after=s)
    figures = measure_interleaved(server, "raw", calls, PAGE_BLOCKS, PAGE_CALLS // PAGE_BLOCKS, 3)
    for name, (keys, row, _) in rows.items():
        m = figures[name]
        run.listing.append((row, keys, m))
        print(f"    {row} in {keys:,} keys: server CPU {m.server_cpu_ms_per_op:.2f} ms/page, "
              f"p50 {m.p50_ms:.2f} ms, p99 {m.p99_ms:.2f} ms", flush=True)
    raw.close()


# -- running and reporting ---------------------------------------------------------------------


def run_server(make: Callable[[], ServerProcess], calls: int, warmup: int) -> ServerRun:
    with make() as server:
        print(f"  {server.name}: ready in {server.ready_s:.3f} s, idle RSS {server.idle_rss_mib:.1f} MiB", flush=True)
        run = ServerRun(server)
        for phase, action in (
            ("1 KiB objects", lambda: small_objects(run, calls, warmup)),
            ("256 MiB PUT/GET", lambda: large_objects(run)),
            ("multipart", lambda: multipart(run)),
            ("listing", lambda: listing(run)),
        ):
            started = time.perf_counter()
            action()
            run.peaks[phase] = server.peak_rss_mib()
            print(f"    ({phase}: {time.perf_counter() - started:.0f} s; peak RSS so far "
                  f"{run.peaks[phase]:.1f} MiB)", flush=True)
        run.rss_after_mib = server.rss_mib()
    return run



def _small_table(runs: list[ServerRun]) -> str:
    moto_cpu = {(op, n, m.client): m.server_cpu_ms_per_op for r in runs if r.server.name == "moto_server"
                for op, n, m in r.small}
    rows = []
    for r in runs:
        for op, n, m in r.small:
            base = moto_cpu.get((op, n, m.client))
            rows.append([
                r.server.name, f"{op} 1 KiB", m.client, n, f"{m.server_cpu_ms_per_op:.3f}",
                f"{m.server_sys_ms_per_op:.3f}",
                f"{base / m.server_cpu_ms_per_op:.1f}×" if base and r.server.name != "moto_server" else "–",
                f"{m.client_cpu_ms_per_op:.3f}", f"{m.p50_ms:.3f}", f"{m.p99_ms:.3f}", f"{m.ops_per_s:,.0f}",
            ])
    headers = ["server", "operation", "client", "threads", "server CPU ms/op", "of which kernel",
               "moto ÷ this", "client CPU ms/op", "p50 ms", "p99 ms", "ops/s"]
    return table(headers, rows)


def _large_table(runs: list[ServerRun]) -> str:
    rows = []
    for r in runs:
        for t in r.large:
            runs_note = f"{len(t.wall_s)}"
            rows.append([
                r.server.name, t.label, t.client, runs_note, f"{t.median_mib_s:,.0f}", f"{t.best_mib_s:,.0f}",
                f"{statistics.median(t.wall_s):.3f}", f"{t.cpu_median_s:.3f}",
                f"{t.cpu_median_s / (t.size / 1024**3):.2f}" if not t.label.startswith("of which") else "–",
                f"{t.client_cpu_median_s:.3f}",
            ])
    headers = ["server", "transfer", "client", "runs", "MiB/s (median)", "MiB/s (best)", "wall s (median)",
               "server CPU s", "server CPU s/GiB", "client CPU s"]
    return table(headers, rows)


def _listing_table(runs: list[ServerRun]) -> str:
    rows = []
    for r in runs:
        for row, keys, m in r.listing:
            per = m.server_cpu_s / m.calls
            rows.append([
                r.server.name, row, f"{keys:,}", m.calls, f"{per * 1000:.2f}", f"{m.server_sys_s / m.calls * 1000:.2f}",
                f"{m.p50_ms:.2f}", f"{m.p99_ms:.2f}",
            ])
        for skipped in r.skipped:
            rows.append([r.server.name, f"skipped: {skipped}", "–", "–", "–", "–", "–", "–"])
    headers = ["server", "request", "keys in bucket", "calls", "server CPU ms/call", "of which kernel",
               "p50 ms", "p99 ms"]
    return table(headers, rows)


def _populate_table(runs: list[ServerRun]) -> str:
    rows = [[r.server.name, f"{p.keys:,}", f"{p.wall_s:.1f}", f"{p.puts_per_s:,.0f}", f"{p.cpu_s * 1000 / p.keys:.3f}"]
            for r in runs for p in r.populated]
    return table(["server", "keys", "seconds", "PUT/s", "server CPU ms/PUT"], rows)


def _memory_table(runs: list[ServerRun]) -> str:
    phases = list(runs[0].peaks)
    rows = [[r.server.name, f"{r.server.idle_rss_mib:.1f}", *[f"{r.peaks.get(p, math.nan):.1f}" for p in phases],
             f"{r.rss_after_mib:.1f}"] for r in runs]
    return table(["server", "idle RSS MiB", *[f"peak after {p} MiB" for p in phases], "RSS at end MiB"], rows)


def _goals(pc: ServerRun) -> list[str]:
    lines = []
    for op, n, m in pc.small:
        cpu = m.server_cpu_ms_per_op
        lines.append(f"- 1 KiB {op}, {m.client}, {n} thread{'s' if n > 1 else ''}: server CPU {cpu:.3f} ms "
                     f"≤ {SMALL_CPU_GOAL_MS} ms {verdict(cpu <= SMALL_CPU_GOAL_MS)}")
    for t in pc.large:
        if t.client != "raw" or t.label.startswith(("multipart", "of which")):
            continue
        goal = GET_GOAL_MIB_S if t.label.startswith("GET") else PUT_GOAL_MIB_S
        lines.append(f"- single-stream {t.label} ≥ {goal:,.0f} MiB/s: {t.median_mib_s:,.0f} MiB/s (median of "
                     f"{len(t.wall_s)}; best {t.best_mib_s:,.0f}) {verdict(t.median_mib_s >= goal)}")
    full = pc.listing_row("full listing, 10 pages", LIST_KEYS)
    if full is not None:
        per = full.server_cpu_s / full.calls
        lines.append(f"- full listing of {LIST_KEYS:,} keys ≤ {LISTING_CPU_GOAL_S} s server CPU: {per:.3f} s "
                     f"{verdict(per <= LISTING_CPU_GOAL_S)}")
    small_page = pc.listing_row("first page of 1,000", PAGE_BUCKETS[0])
    if small_page is not None:
        for row in ("first page of 1,000", "page of 1,000 from the middle"):
            big = pc.listing_row(row, PAGE_BUCKETS[-1])
            if big is None:
                continue
            ratio = big.p50_ms / small_page.p50_ms
            cpu_ratio = big.server_cpu_ms_per_op / small_page.server_cpu_ms_per_op
            lines.append(f"- {row} in {PAGE_BUCKETS[-1]:,} keys within {PAGE_RATIO_GOAL}× of the {PAGE_BUCKETS[0]:,}-key "
                         f"page: p50 {big.p50_ms:.2f} vs {small_page.p50_ms:.2f} ms = {ratio:.2f}× "
                         f"(server CPU {cpu_ratio:.2f}×) {verdict(ratio <= PAGE_RATIO_GOAL)}")
    peak = max(pc.peaks.values())
    peak_mb = peak * MIB / 1e6
    lines.append(f"- peak server RSS < {PEAK_RSS_GOAL_MB:.0f} MB: {peak_mb:.1f} MB ({peak:.1f} MiB) "
                 f"{verdict(peak_mb < PEAK_RSS_GOAL_MB)}")
    return lines


def render(runs: list[ServerRun], calls: int, warmup: int, machine: str) -> str:
    threaded = max(1, calls // THREADS) * THREADS
    lines = [
        f"## {NAME}: {TITLE}", "", machine, "",
        "pocketcloud runs `--ephemeral` (SQLite and blob files in a temporary directory, no fsync); "
        "moto_server keeps everything in memory and checks no signatures. Same client machine, same run.", "",
        f"**1 KiB objects**: {calls:,} sequential calls per row after {warmup:,} warm-up calls, or with 8 "
        f"threads {threaded:,} calls in all ({threaded // THREADS:,} each, on its own connection), after "
        f"warm-up; for pocketcloud each row is measured {SMALL_ROUNDS} times, the rows taking turns, and "
        "the round with the median server CPU is shown (single runs of one commit differ by ±25% on this "
        "VM). GETs read the keys the PUTs just wrote. `raw` is http.client with SigV4 headers "
        "(UNSIGNED-PAYLOAD) signed per call; `boto3` also sends a SHA-256 payload hash and a CRC32 "
        "checksum. With 8 threads on this machine the client competes with the server for the cores, "
        "so compare server CPU, not ops/s. Measured elsewhere for reference (server CPU per 1 KiB "
        "PUT/GET): LocalStack ≈ 1.1/1.2 ms, moto ≈ 2.1/1.7 ms.", "",
        _small_table(runs), "",
        f"**256 MiB bodies and multipart**: `raw` streams the PUT from a generator of 1 MiB chunks and "
        f"reads the GET into a reused 1 MiB buffer ({LARGE_REPEATS} runs each, the same key overwritten); "
        "multipart is CreateMultipartUpload, 32 UploadPart of 8 MiB streamed the same way and "
        f"CompleteMultipartUpload ({MULTIPART_REPEATS} runs). boto3 (one run each, whole body in memory, "
        "it hashes and checksums what it sends) is shown to say why the goals are judged with `raw`.", "",
        _large_table(runs), "",
        f"**Listing**: ListObjectsV2 (`max-keys=1000`, raw client). The full listing follows continuation "
        f"tokens through 10 pages ({LISTING_REPEATS} listings after one warm-up); a single page is "
        f"requested {PAGE_CALLS} times after 3 warm-ups, once every bucket is filled, the rows taking turns in blocks of {PAGE_CALLS // PAGE_BLOCKS} (so that other work on the machine weighs on each alike). Measured elsewhere for reference (full listing "
        "of 10,000 keys): LocalStack ≈ 0.3 s, moto ≈ 1.2 s. The keys are PUT without a checksum, so each "
        "carries S3's default CRC64NVME and its entry lists `ChecksumAlgorithm` and `ChecksumType`, as AWS's "
        "listings do (and as moto's do not).", "",
        _listing_table(runs), "",
        f"Populating the buckets (8 threads of 16-byte PUTs, raw client); moto_server is not filled beyond "
        f"{MOTO_MAX_KEYS:,} keys: at its rate the 100,000-key bucket would take minutes.", "",
        _populate_table(runs), "",
        "Memory (VmRSS / VmHWM of the server process tree):", "",
        _memory_table(runs),
    ]
    pc = next((r for r in runs if r.server.name == "pocketcloud"), None)
    if pc is not None:
        lines += ["", "Goals for pocketcloud:", "", *_goals(pc)]
    return "\n".join(lines) + "\n"


def run(calls: int, warmup: int) -> str:
    machine = machine_line()
    runs = [run_server(make, calls, warmup) for make in SERVERS]
    return render(runs, calls, warmup, machine)
