"""S3 data survives what real machines do: kill -9 in the middle of concurrent uploads,
clients that hang up half way through a body, and bodies far larger than memory.

Every acknowledged PUT must be there after a restart, byte for byte; nothing a client
did not finish may ever be visible; and a 2 GiB object goes through the server in a
bounded amount of memory, both ways.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import BotoCoreError, ClientError

from tests.conftest import ROOT_KEY, ROOT_SECRET, ServerProcess, make_client

MIB = 1024 * 1024
GIB = 1024 * MIB


class _UnsignedPayloadAuth(S3SigV4Auth):
    """SigV4 with `UNSIGNED-PAYLOAD`, so a body can be streamed without hashing it first."""

    def payload(self, request: Any) -> str:
        return "UNSIGNED-PAYLOAD"


def signed_headers(endpoint: str, method: str, path: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    request = AWSRequest(method=method, url=endpoint + path, headers=headers or {})
    _UnsignedPayloadAuth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def blob_temp_files(data_dir: Path) -> list[Path]:
    return list((data_dir / "blobs" / "tmp").glob("*"))


def all_keys(s3: Any, bucket: str) -> list[str]:
    return [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", [])]


# -- kill -9 during concurrent uploads -----------------------------------------------------


def test_kill9_during_concurrent_uploads_keeps_every_acknowledged_object_and_no_partial_one(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = ServerProcess(data_dir=data_dir).start()
    bucket = "durable-uploads"
    s3 = server.client("s3")
    s3.create_bucket(Bucket=bucket)  # type: ignore[attr-defined]

    sent: dict[str, str] = {}  # key → sha256 of the body sent for it (acknowledged or not)
    acked: dict[str, str] = {}  # key → ETag the server acknowledged
    lock = threading.Lock()
    stop = threading.Event()

    def uploader(worker: int) -> None:
        client = server.client("s3")
        rng = random.Random(worker)
        for n in range(1000):
            if stop.is_set():
                return
            body = rng.randbytes(rng.randint(1 * MIB, 4 * MIB))
            key = f"w{worker}/object-{n:04d}"
            with lock:
                sent[key] = hashlib.sha256(body).hexdigest()
            try:
                etag = client.put_object(Bucket=bucket, Key=key, Body=body)["ETag"]  # type: ignore[attr-defined]
            except (BotoCoreError, ClientError, OSError):
                return  # the server died under this request
            with lock:
                acked[key] = etag

    threads = [threading.Thread(target=uploader, args=(i,), daemon=True) for i in range(8)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acked) < 24 and time.monotonic() < deadline:
        time.sleep(0.01)
    in_flight = len(sent) - len(acked)
    server.kill9()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acked) >= 24, "uploads did not get going"
    assert in_flight > 0, "the kill should land while uploads are in flight"

    restarted = ServerProcess(data_dir=data_dir).start()
    try:
        s3 = restarted.client("s3")
        assert blob_temp_files(data_dir) == []  # partial blobs are swept at start
        listed = all_keys(s3, bucket)
        # Every acknowledged PUT survived ...
        assert set(acked) <= set(listed), sorted(set(acked) - set(listed))
        for key in listed:
            # ... and everything visible is a complete body some client sent for that key.
            assert key in sent, key
            got = s3.get_object(Bucket=bucket, Key=key)  # type: ignore[attr-defined]
            body = got["Body"].read()
            assert hashlib.sha256(body).hexdigest() == sent[key], key
            assert got["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
            if key in acked:
                assert got["ETag"] == acked[key]
        # The store is still writable after the crash.
        s3.put_object(Bucket=bucket, Key="after-restart", Body=b"fine")  # type: ignore[attr-defined]
    finally:
        restarted.stop()


# -- clients that hang up half way ---------------------------------------------------------


def _send_half_and_hang_up(server: ServerProcess, path: str, total: int) -> None:
    headers = signed_headers(server.endpoint, "PUT", path, {"Content-Length": str(total)})
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("PUT", path, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(os.urandom(total // 2))
    time.sleep(0.3)  # let the server take in what was sent
    connection.sock.close()
    connection.close()


@pytest.fixture
def durable_server(tmp_path: Path) -> Any:
    server = ServerProcess(data_dir=tmp_path / "data").start()
    yield server
    server.stop()


def test_upload_cut_off_half_way_leaves_nothing_visible(durable_server: ServerProcess, tmp_path: Path) -> None:
    s3 = durable_server.client("s3")
    s3.create_bucket(Bucket="cut-off")  # type: ignore[attr-defined]
    s3.put_object(Bucket="cut-off", Key="kept", Body=b"the old bytes")  # type: ignore[attr-defined]
    _send_half_and_hang_up(durable_server, "/cut-off/fresh", 4 * MIB)
    _send_half_and_hang_up(durable_server, "/cut-off/kept", 4 * MIB)  # an overwrite cut off half way
    assert all_keys(s3, "cut-off") == ["kept"]
    assert s3.get_object(Bucket="cut-off", Key="kept")["Body"].read() == b"the old bytes"  # type: ignore[attr-defined]
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket="cut-off", Key="fresh")  # type: ignore[attr-defined]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    deadline = time.monotonic() + 10
    while blob_temp_files(tmp_path / "data") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert blob_temp_files(tmp_path / "data") == []  # the half-written blob was removed, not left to rot
    # ... and nothing shows up after a restart either.
    durable_server.kill9()
    durable_server.start()
    assert all_keys(durable_server.client("s3"), "cut-off") == ["kept"]


def test_part_upload_cut_off_half_way_is_not_a_part(durable_server: ServerProcess) -> None:
    s3 = durable_server.client("s3")
    s3.create_bucket(Bucket="cut-off-parts")  # type: ignore[attr-defined]
    upload_id = s3.create_multipart_upload(Bucket="cut-off-parts", Key="k")["UploadId"]  # type: ignore[attr-defined]
    _send_half_and_hang_up(durable_server, f"/cut-off-parts/k?partNumber=1&uploadId={upload_id}", 4 * MIB)
    parts = s3.list_parts(Bucket="cut-off-parts", Key="k", UploadId=upload_id)  # type: ignore[attr-defined]
    assert parts.get("Parts", []) == []


# -- a body larger than memory ---------------------------------------------------------------


class _MemorySampler(threading.Thread):
    """Samples a process's resident set size from /proc until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss_kb = 0
        self._stop_event = threading.Event()

    def field(self, name: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
        raise KeyError(name)

    def run(self) -> None:
        while not self._stop_event.wait(0.05):
            self.peak_rss_kb = max(self.peak_rss_kb, self.field("VmRSS"))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _generated_chunks(total: int, seed: int = 7) -> Any:
    """`total` bytes of varied content, 1 MiB at a time, never all in memory."""
    block = random.Random(seed).randbytes(MIB)
    for index in range(total // MIB):
        yield index.to_bytes(8, "big") + block[8:]


@pytest.mark.timeout(900)
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to read the server's memory")
def test_2_gib_object_streams_through_the_server_in_bounded_memory(tmp_path: Path) -> None:
    server = ServerProcess(data_dir=tmp_path / "data").start()
    assert server.proc is not None
    sampler = _MemorySampler(server.proc.pid)
    sampler.start()
    started = uploaded = downloaded = time.monotonic()
    try:
        s3 = make_client(server.endpoint, "s3")
        s3.create_bucket(Bucket="large-bodies")
        total = 2 * GIB
        path = "/large-bodies/two-gib.bin"

        # Upload: headers signed with UNSIGNED-PAYLOAD, then the body generated as it is sent.
        headers = signed_headers(server.endpoint, "PUT", path, {"Content-Length": str(total)})
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
        connection.putrequest("PUT", path, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        sent_md5 = hashlib.md5()
        for chunk in _generated_chunks(total):
            sent_md5.update(chunk)
            connection.send(chunk)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
        assert response.getheader("ETag") == f'"{sent_md5.hexdigest()}"'
        uploaded = time.monotonic()

        # Download: hashed as it is read.
        connection.putrequest("GET", path, skip_accept_encoding=True)
        for name, value in signed_headers(server.endpoint, "GET", path).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 200
        assert int(response.getheader("Content-Length")) == total
        got_md5 = hashlib.md5()
        received = 0
        while chunk := response.read(MIB):
            got_md5.update(chunk)
            received += len(chunk)
        connection.close()
        assert received == total
        assert got_md5.hexdigest() == sent_md5.hexdigest()
        downloaded = time.monotonic()
    finally:
        peak_kb = sampler.field("VmHWM")
        sampler.stop()
        server.stop()
    print(f"2 GiB: upload {uploaded - started:.1f}s, download {downloaded - uploaded:.1f}s, "
          f"server peak RSS {peak_kb / 1024:.0f} MiB (sampled {sampler.peak_rss_kb / 1024:.0f} MiB)")
    assert peak_kb < 150 * 1024, f"server peak RSS {peak_kb / 1024:.0f} MiB"
