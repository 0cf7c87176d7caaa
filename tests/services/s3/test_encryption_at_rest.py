"""Objects are encrypted at rest: no blob file on disk holds an object's plaintext, whether it came
from PutObject, a multipart upload or a copy; ranges still read exactly; the server's master
key is a private file in the data directory and survives restarts. SSE-C objects are encrypted
under the customer's key: refused without it or with another one."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ServerProcess, make_client
from tests.services.s3.core_support import allow_sse_c, error_of

PART = 5 * 1024 * 1024
MARKER = b"PLAINTEXT-MARKER-0123456789"


def body(size: int, seed: bytes = b"") -> bytes:
    """Recognizable bytes: the marker repeated, so any stretch of plaintext on disk would show."""
    unit = seed + MARKER
    return (unit * (size // len(unit) + 1))[:size]


def blob_files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "blobs").rglob("*") if p.is_file() and len(p.name) == 32]


def database_files(data_dir: Path) -> list[Path]:
    """The state database and its WAL: small bodies are kept there, not in blob files."""
    return [p for p in data_dir.glob("state.db*") if p.is_file()]


def assert_no_plaintext_on_disk(data_dir: Path, *needles: bytes) -> None:
    files = blob_files(data_dir) + database_files(data_dir)
    assert files
    for path in files:
        content = path.read_bytes()
        for needle in needles:
            assert needle not in content, f"{path} holds plaintext"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("at-rest")


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(data_dir=data_dir).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def s3(server: ServerProcess) -> Any:
    s3 = make_client(server.endpoint, "s3")
    s3.create_bucket(Bucket="at-rest")
    allow_sse_c(s3, "at-rest")  # the SSE-C tests below write to it
    return s3


def sse_c(key: bytes) -> dict[str, Any]:
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}


def test_put_object_body_is_not_on_disk_in_the_clear(s3: Any, data_dir: Path) -> None:
    data = body(300_000, b"put")
    s3.put_object(Bucket="at-rest", Key="plain", Body=data)
    assert s3.get_object(Bucket="at-rest", Key="plain")["Body"].read() == data
    assert_no_plaintext_on_disk(data_dir, MARKER)


def test_small_object_body_is_not_on_disk_in_the_clear(s3: Any, data_dir: Path) -> None:
    data = body(1024, b"small")
    s3.put_object(Bucket="at-rest", Key="small", Body=data)
    assert s3.get_object(Bucket="at-rest", Key="small")["Body"].read() == data
    assert s3.get_object(Bucket="at-rest", Key="small", Range="bytes=100-199")["Body"].read() == data[100:200]
    assert database_files(data_dir)
    assert_no_plaintext_on_disk(data_dir, MARKER)


def test_ranged_reads_return_exactly_the_requested_bytes(s3: Any) -> None:
    data = os.urandom(70_000)
    s3.put_object(Bucket="at-rest", Key="ranges", Body=data)
    for first, last in ((0, 0), (1, 16), (15, 17), (4095, 40_000), (69_999, 69_999)):
        got = s3.get_object(Bucket="at-rest", Key="ranges", Range=f"bytes={first}-{last}")["Body"].read()
        assert got == data[first:last + 1], (first, last)


def test_multipart_object_is_encrypted_and_reads_across_part_boundaries(s3: Any, data_dir: Path) -> None:
    parts = [body(PART, b"one"), body(PART, b"two"), body(1000, b"three")]
    upload = s3.create_multipart_upload(Bucket="at-rest", Key="multi")["UploadId"]
    etags = [s3.upload_part(Bucket="at-rest", Key="multi", UploadId=upload, PartNumber=n, Body=part)["ETag"]
             for n, part in enumerate(parts, 1)]
    s3.complete_multipart_upload(Bucket="at-rest", Key="multi", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": etag} for n, etag in enumerate(etags, 1)]})
    whole = b"".join(parts)
    assert s3.get_object(Bucket="at-rest", Key="multi")["Body"].read() == whole
    first, last = PART - 10, 2 * PART + 10
    assert s3.get_object(Bucket="at-rest", Key="multi", Range=f"bytes={first}-{last}")["Body"].read() == whole[first:last + 1]
    assert s3.get_object(Bucket="at-rest", Key="multi", PartNumber=2)["Body"].read() == parts[1]
    assert_no_plaintext_on_disk(data_dir, MARKER)


def test_copied_object_is_encrypted_under_a_key_of_its_own(s3: Any, data_dir: Path) -> None:
    data = body(50_000, b"copy")
    s3.put_object(Bucket="at-rest", Key="source", Body=data)
    s3.copy_object(Bucket="at-rest", Key="copy", CopySource="at-rest/source")
    assert s3.get_object(Bucket="at-rest", Key="copy")["Body"].read() == data
    s3.delete_object(Bucket="at-rest", Key="source")
    assert s3.get_object(Bucket="at-rest", Key="copy")["Body"].read() == data
    assert_no_plaintext_on_disk(data_dir, MARKER)


def test_master_key_is_a_private_file_in_the_data_directory(s3: Any, data_dir: Path) -> None:
    s3.create_bucket(Bucket="master-key")
    s3.put_object(Bucket="master-key", Key="k", Body=b"encrypted at rest")  # the key exists from here on
    key_file = data_dir / "keys" / "s3-master.key"
    assert key_file.stat().st_size == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700


def test_encrypted_objects_are_readable_after_a_restart(tmp_path: Path) -> None:
    data = body(20_000, b"restart")
    first = ServerProcess(data_dir=tmp_path).start()
    try:
        s3 = make_client(first.endpoint, "s3")
        s3.create_bucket(Bucket="restart-encrypted")
        s3.put_object(Bucket="restart-encrypted", Key="k", Body=data)
    finally:
        first.stop()
    second = ServerProcess(data_dir=tmp_path).start()
    try:
        s3 = make_client(second.endpoint, "s3")
        assert s3.get_object(Bucket="restart-encrypted", Key="k")["Body"].read() == data
    finally:
        second.stop()


# -- SSE-C ------------------------------------------------------------------------------------


def test_sse_c_object_reads_with_its_key_only(s3: Any, data_dir: Path) -> None:
    key = os.urandom(32)
    data = body(10_000, b"sse-c")
    put = s3.put_object(Bucket="at-rest", Key="customer", Body=data, **sse_c(key))
    assert put["SSECustomerAlgorithm"] == "AES256"
    assert put["SSECustomerKeyMD5"] == base64.b64encode(hashlib.md5(key).digest()).decode()
    assert s3.get_object(Bucket="at-rest", Key="customer", **sse_c(key))["Body"].read() == data
    assert s3.get_object(Bucket="at-rest", Key="customer", Range="bytes=100-199", **sse_c(key))["Body"].read() == data[100:200]
    assert error_of(s3.get_object, Bucket="at-rest", Key="customer", **sse_c(os.urandom(32)))[:2] == ("AccessDenied", 403)
    assert error_of(s3.get_object, Bucket="at-rest", Key="customer")[:2] == ("InvalidRequest", 400)
    assert_no_plaintext_on_disk(data_dir, MARKER)


def test_an_sse_c_objects_attributes_are_read_with_its_key(s3: Any) -> None:
    # GetObjectAttributes API reference: an SSE-C object's metadata is retrieved with the SSE-C headers,
    # as by HeadObject (ceph s3-tests' test_get_sse_c_encrypted_object_attributes).
    key = os.urandom(32)
    s3.put_object(Bucket="at-rest", Key="attributes", Body=b"secret", **sse_c(key))
    wanted = ["ETag", "ObjectSize"]

    def headers(key: bytes) -> dict[str, str]:  # botocore encodes the key for GetObject, not for this call
        md5 = base64.b64encode(hashlib.md5(key).digest()).decode()
        return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": base64.b64encode(key).decode(), "SSECustomerKeyMD5": md5}

    got = s3.get_object_attributes(Bucket="at-rest", Key="attributes", ObjectAttributes=wanted, **headers(key))
    assert got["ObjectSize"] == 6
    without = error_of(s3.get_object_attributes, Bucket="at-rest", Key="attributes", ObjectAttributes=wanted)
    assert without[:2] == ("InvalidRequest", 400)
    other = headers(os.urandom(32))
    wrong = error_of(s3.get_object_attributes, Bucket="at-rest", Key="attributes", ObjectAttributes=wanted, **other)
    assert wrong[:2] == ("AccessDenied", 403)


def test_sse_c_key_of_the_wrong_length_is_invalid_argument(s3: Any) -> None:
    code, status, message = error_of(s3.put_object, Bucket="at-rest", Key="short", Body=b"x", **sse_c(os.urandom(16)))
    assert (code, status, message) == ("InvalidArgument", 400, "The secret key was invalid for the specified algorithm.")


def test_sse_c_key_md5_that_does_not_match_the_key_is_invalid_argument(s3: Any, server: ServerProcess) -> None:
    client = make_client(server.endpoint, "s3")

    def wrong_md5(params: dict[str, Any], **_: Any) -> None:
        params["headers"]["x-amz-server-side-encryption-customer-key-MD5"] = "AAAAAAAAAAAAAAAAAAAAAA=="

    client.meta.events.register("before-call.s3.PutObject", wrong_md5)
    assert error_of(client.put_object, Bucket="at-rest", Key="md5", Body=b"x", **sse_c(os.urandom(32))) == (
        "InvalidArgument", 400, "The calculated MD5 hash of the key did not match the hash that was provided.")


def test_sse_c_multipart_upload_needs_the_key_for_parts_but_not_to_complete(s3: Any, data_dir: Path) -> None:
    key = os.urandom(32)
    parts = [body(PART, b"c-one"), body(2000, b"c-two")]
    upload = s3.create_multipart_upload(Bucket="at-rest", Key="customer-multi", **sse_c(key))["UploadId"]
    assert error_of(s3.upload_part, Bucket="at-rest", Key="customer-multi", UploadId=upload, PartNumber=1,
                    Body=parts[0])[:2] == ("InvalidRequest", 400)
    assert error_of(s3.upload_part, Bucket="at-rest", Key="customer-multi", UploadId=upload, PartNumber=1,
                    Body=parts[0], **sse_c(os.urandom(32)))[:2] == ("InvalidRequest", 400)
    etags = [s3.upload_part(Bucket="at-rest", Key="customer-multi", UploadId=upload, PartNumber=n, Body=part,
                            **sse_c(key))["ETag"] for n, part in enumerate(parts, 1)]
    s3.complete_multipart_upload(Bucket="at-rest", Key="customer-multi", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": etag} for n, etag in enumerate(etags, 1)]})
    assert s3.get_object(Bucket="at-rest", Key="customer-multi", **sse_c(key))["Body"].read() == b"".join(parts)
    assert error_of(s3.head_object, Bucket="at-rest", Key="customer-multi", **sse_c(os.urandom(32)))[:2] == ("403", 403)
    assert_no_plaintext_on_disk(data_dir, MARKER)


def test_copying_an_sse_c_object_needs_the_source_key(s3: Any) -> None:
    key, new_key = os.urandom(32), os.urandom(32)
    data = body(5000, b"c-copy")
    s3.put_object(Bucket="at-rest", Key="c-source", Body=data, **sse_c(key))
    assert error_of(s3.copy_object, Bucket="at-rest", Key="c-copy", CopySource="at-rest/c-source")[:2] == (
        "InvalidRequest", 400)
    s3.copy_object(Bucket="at-rest", Key="c-copy", CopySource="at-rest/c-source",
                   CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=key, **sse_c(new_key))
    assert s3.get_object(Bucket="at-rest", Key="c-copy", **sse_c(new_key))["Body"].read() == data
    assert error_of(s3.get_object, Bucket="at-rest", Key="c-copy", **sse_c(key))[:2] == ("AccessDenied", 403)
    s3.copy_object(Bucket="at-rest", Key="c-plain", CopySource="at-rest/c-source",
                   CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=key)
    assert s3.get_object(Bucket="at-rest", Key="c-plain")["Body"].read() == data
