"""S3 through AWS's Common Runtime client (`awscrt.s3.S3Client`, aws-c-s3 in C: what AWS CLI v2 and
Mountpoint use). It signs with aws-c-auth, splits uploads into multipart uploads and downloads into
parallel ranged GETs, and sends checksums in aws-chunked trailers: none of it goes through botocore.
boto3 only creates the buckets and reads back what the CRT stored."""

from __future__ import annotations

import base64
import hashlib
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from awscrt import checksums
from awscrt.auth import AwsCredentialsProvider
from awscrt.http import HttpHeaders, HttpRequest
from awscrt.s3 import (
    S3ChecksumAlgorithm,
    S3ChecksumConfig,
    S3ChecksumLocation,
    S3Client,
    S3RequestTlsMode,
    S3RequestType,
    S3ResponseError,
)

from tests.conftest import ROOT_KEY, ROOT_SECRET, ServerProcess
from tests.services.s3.core_support import error_of

MIB = 1024 * 1024
PART = 5 * MIB  # S3's smallest part, and the CRT's
BIG = bytes(range(256)) * (11 * MIB // 256 + 3)  # three parts: 5 + 5 + a little over 1 MiB


@dataclass
class Answer:
    """What one CRT meta request ended with."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)
    error: S3ResponseError | None = None
    done: dict[str, Any] = field(default_factory=dict)

    def error_code(self) -> str:
        assert self.error is not None and self.error.body, "the request did not fail with an S3 error"
        return ET.fromstring(self.error.body).findtext("Code") or ""


@pytest.fixture(scope="module")
def crt(server: ServerProcess) -> Callable[..., Answer]:
    client = S3Client(
        region="us-east-1",
        tls_mode=S3RequestTlsMode.DISABLED,
        credential_provider=AwsCredentialsProvider.new_static(ROOT_KEY, ROOT_SECRET),
        part_size=PART,
        multipart_upload_threshold=8 * MIB,
    )
    host = f"127.0.0.1:{server.port}"

    def send(
        kind: S3RequestType,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: tuple[tuple[str, str], ...] = (),
        checksum: S3ChecksumConfig | None = None,
        operation: str | None = None,
        length_known: bool = True,
    ) -> Answer:
        request_headers = HttpHeaders([("Host", host), *headers])
        if body is not None and length_known:
            request_headers.add("Content-Length", str(len(body)))
        request = HttpRequest(method, path, request_headers, io.BytesIO(body) if body is not None else None)
        answer = Answer()

        def on_headers(status_code: int, headers: list[tuple[str, str]], **_: Any) -> None:
            answer.status = status_code
            answer.headers = {name.lower(): value for name, value in headers}

        def on_body(chunk: bytes, offset: int, **_: Any) -> None:
            answer.body[offset : offset + len(chunk)] = chunk  # parallel ranged parts arrive in order

        def on_done(**kwargs: Any) -> None:
            answer.done = kwargs

        meta = client.make_request(
            type=kind,
            request=request,
            operation_name=operation,
            checksum_config=checksum,
            on_headers=on_headers,
            on_body=on_body,
            on_done=on_done,
        )
        try:
            meta.finished_future.result(30)
        except S3ResponseError as exc:
            answer.error = exc
        return answer

    return send


def put(crt: Callable[..., Answer], path: str, body: bytes, **kwargs: Any) -> Answer:
    return crt(S3RequestType.PUT_OBJECT, "PUT", path, body, **kwargs)


def get(crt: Callable[..., Answer], path: str, **kwargs: Any) -> Answer:
    return crt(S3RequestType.GET_OBJECT, "GET", path, **kwargs)


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def digest(algorithm: str, data: bytes) -> bytes:
    """The raw checksum S3 keeps for `data` (CRCs big-endian, as S3 encodes them)."""
    if algorithm == "CRC32":
        return checksums.crc32(data).to_bytes(4, "big")
    if algorithm == "CRC32C":
        return checksums.crc32c(data).to_bytes(4, "big")
    if algorithm == "CRC64NVME":
        return checksums.crc64nvme(data).to_bytes(8, "big")
    return hashlib.new(algorithm.lower(), data).digest()


def test_small_put_and_get_round_trip_the_bytes(crt: Callable[..., Answer], s3: Any, bucket: str) -> None:
    assert put(crt, f"/{bucket}/small.txt", b"hello from aws-c-s3").error is None
    head = s3.head_object(Bucket=bucket, Key="small.txt")
    assert head["ETag"] == f'"{hashlib.md5(b"hello from aws-c-s3").hexdigest()}"'
    answer = get(crt, f"/{bucket}/small.txt")
    assert answer.error is None and bytes(answer.body) == b"hello from aws-c-s3"


def test_large_put_becomes_a_multipart_upload_and_parallel_ranged_get_reassembles_it(
    crt: Callable[..., Answer], s3: Any, bucket: str
) -> None:
    uploaded = put(
        crt, f"/{bucket}/big.bin", BIG, headers=(("x-amz-meta-color", "blue"), ("Content-Type", "image/png"))
    )
    assert uploaded.error is None
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    parts = [BIG[i : i + PART] for i in range(0, len(BIG), PART)]
    multipart_etag = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    assert head["ETag"] == f'"{multipart_etag}-3"'
    assert (head["ContentLength"], head["Metadata"], head["ContentType"]) == (
        len(BIG),
        {"color": "blue"},
        "image/png",
    )
    answer = get(crt, f"/{bucket}/big.bin")
    assert answer.error is None and bytes(answer.body) == BIG


def test_upload_of_unknown_length_is_stored_whole(crt: Callable[..., Answer], s3: Any, bucket: str) -> None:
    assert put(crt, f"/{bucket}/stream.bin", BIG, length_known=False).error is None
    assert s3.get_object(Bucket=bucket, Key="stream.bin")["Body"].read() == BIG


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"])
@pytest.mark.parametrize("location", ["TRAILER", "HEADER"])
def test_single_put_checksum_is_the_full_object_checksum(
    crt: Callable[..., Answer], s3: Any, bucket: str, algorithm: str, location: str
) -> None:
    config = S3ChecksumConfig(algorithm=S3ChecksumAlgorithm[algorithm], location=S3ChecksumLocation[location])
    assert put(crt, f"/{bucket}/ck", b"checksum me", checksum=config).error is None
    head = s3.head_object(Bucket=bucket, Key="ck", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == b64(digest(algorithm, b"checksum me"))
    assert head["ChecksumType"] == "FULL_OBJECT"


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA256"])
def test_multipart_put_checksum_is_the_composite_of_its_parts(
    crt: Callable[..., Answer], s3: Any, bucket: str, algorithm: str
) -> None:
    config = S3ChecksumConfig(algorithm=S3ChecksumAlgorithm[algorithm], location=S3ChecksumLocation.TRAILER)
    assert put(crt, f"/{bucket}/mp", BIG, checksum=config).error is None
    parts = [BIG[i : i + PART] for i in range(0, len(BIG), PART)]
    composite = digest(algorithm, b"".join(digest(algorithm, p) for p in parts))
    head = s3.head_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == f"{b64(composite)}-3"
    assert head["ChecksumType"] == "COMPOSITE"


def test_multipart_crc64nvme_is_a_full_object_checksum(
    crt: Callable[..., Answer], s3: Any, bucket: str
) -> None:
    config = S3ChecksumConfig(algorithm=S3ChecksumAlgorithm.CRC64NVME, location=S3ChecksumLocation.TRAILER)
    assert put(crt, f"/{bucket}/mp64", BIG, checksum=config).error is None
    head = s3.head_object(Bucket=bucket, Key="mp64", ChecksumMode="ENABLED")
    assert (head["ChecksumCRC64NVME"], head["ChecksumType"]) == (b64(digest("CRC64NVME", BIG)), "FULL_OBJECT")


def test_get_validates_the_checksum_s3_returns_for_the_lowercase_checksum_mode(
    crt: Callable[..., Answer], s3: Any, bucket: str
) -> None:
    # The CRT asks with "x-amz-checksum-mode: enabled" (lowercase), which S3 honours.
    s3.put_object(Bucket=bucket, Key="v.txt", Body=b"validate me", ChecksumAlgorithm="CRC32C")
    answer = get(crt, f"/{bucket}/v.txt", checksum=S3ChecksumConfig(validate_response=True))
    assert answer.error is None and bytes(answer.body) == b"validate me"
    assert answer.done["did_validate_checksum"] is True
    assert answer.done["checksum_validation_algorithm"] == S3ChecksumAlgorithm.CRC32C
    assert answer.headers["x-amz-checksum-crc32c"] == b64(digest("CRC32C", b"validate me"))


def test_head_with_lowercase_checksum_mode_returns_the_checksum(
    crt: Callable[..., Answer], s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="h.txt", Body=b"head me", ChecksumAlgorithm="SHA1")
    answer = crt(
        S3RequestType.DEFAULT,
        "HEAD",
        f"/{bucket}/h.txt",
        headers=(("x-amz-checksum-mode", "enabled"),),
        operation="HeadObject",
    )
    assert answer.error is None
    assert answer.headers["x-amz-checksum-sha1"] == b64(hashlib.sha1(b"head me").digest())


def test_ranged_get_returns_206_with_the_span(crt: Callable[..., Answer], s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="r.bin", Body=BIG)
    answer = get(crt, f"/{bucket}/r.bin", headers=(("Range", f"bytes=1000-{PART + 2000}"),))
    assert answer.error is None and answer.status == 206
    assert bytes(answer.body) == BIG[1000 : PART + 2001]


def test_range_past_the_end_is_416_invalid_range(crt: Callable[..., Answer], s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="r.txt", Body=b"short")
    answer = get(crt, f"/{bucket}/r.txt", headers=(("Range", "bytes=100-200"),))
    assert answer.error is not None and answer.error.status_code == 416
    assert answer.error_code() == "InvalidRange"


def test_empty_object_downloads_empty(crt: Callable[..., Answer], s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    answer = get(crt, f"/{bucket}/empty")  # its first ranged GET gets 416; the CRT then asks for part 1
    assert answer.error is None and bytes(answer.body) == b""


def test_missing_key_and_bucket_are_404_with_their_codes(crt: Callable[..., Answer], bucket: str) -> None:
    missing_key = get(crt, f"/{bucket}/nope")
    assert missing_key.error is not None and missing_key.error.status_code == 404
    assert missing_key.error_code() == "NoSuchKey"
    missing_bucket = put(crt, f"/{bucket}-gone/k", b"x")
    assert missing_bucket.error is not None and missing_bucket.error.status_code == 404
    assert missing_bucket.error_code() == "NoSuchBucket"


def test_read_preconditions_answer_304_and_412(crt: Callable[..., Answer], s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="c.txt", Body=b"cond")["ETag"]
    not_modified = get(crt, f"/{bucket}/c.txt", headers=(("If-None-Match", etag),))
    assert not_modified.error is not None and not_modified.error.status_code == 304
    failed = get(crt, f"/{bucket}/c.txt", headers=(("If-Match", '"0000"'),))
    assert failed.error is not None and failed.error.status_code == 412
    assert failed.error_code() == "PreconditionFailed"


def test_if_none_match_star_refuses_overwrite_for_single_and_multipart_puts(
    crt: Callable[..., Answer], s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="taken", Body=b"first")
    single = put(crt, f"/{bucket}/taken", b"second", headers=(("If-None-Match", "*"),))
    assert single.error is not None and single.error.status_code == 412
    assert put(crt, f"/{bucket}/fresh", BIG, headers=(("If-None-Match", "*"),)).error is None
    again = put(crt, f"/{bucket}/fresh", BIG, headers=(("If-None-Match", "*"),))
    assert again.error is not None and again.error.status_code == 412
    assert again.error.operation_name == "CompleteMultipartUpload"  # S3 checks it when the upload completes
    assert s3.get_object(Bucket=bucket, Key="taken")["Body"].read() == b"first"


def test_default_request_lists_objects_as_s3_xml(crt: Callable[..., Answer], s3: Any, bucket: str) -> None:
    for key in ("a/1", "a/2", "b"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    answer = crt(
        S3RequestType.DEFAULT, "GET", f"/{bucket}?list-type=2&delimiter=%2F", operation="ListObjectsV2"
    )
    assert answer.error is None
    ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
    root = ET.fromstring(bytes(answer.body))
    assert [k.text for k in root.findall("s3:Contents/s3:Key", ns)] == ["b"]
    assert [p.text for p in root.findall("s3:CommonPrefixes/s3:Prefix", ns)] == ["a/"]
    assert root.findtext("s3:KeyCount", namespaces=ns) == "2"


def test_multipart_put_with_a_full_object_checksum_header_completes_with_that_checksum(
    crt: Callable[..., Answer], s3: Any, bucket: str
) -> None:
    # Given the whole object's CRC32, the CRT starts the upload with "x-amz-checksum-type: full_object"
    # (lowercase) and sends the value to CompleteMultipartUpload.
    full = b64(digest("CRC32", BIG))
    assert put(crt, f"/{bucket}/full", BIG, headers=(("x-amz-checksum-crc32", full),)).error is None
    head = s3.head_object(Bucket=bucket, Key="full", ChecksumMode="ENABLED")
    assert (head["ChecksumCRC32"], head["ChecksumType"], head["ContentLength"]) == (
        full,
        "FULL_OBJECT",
        len(BIG),
    )


def test_multipart_put_with_a_wrong_full_object_checksum_is_bad_digest(
    crt: Callable[..., Answer], s3: Any, bucket: str
) -> None:
    answer = put(crt, f"/{bucket}/wrong", BIG, headers=(("x-amz-checksum-crc32", "AAAAAA=="),))
    assert answer.error is not None and answer.error.status_code == 400
    assert answer.error_code() == "BadDigest"
    assert answer.error.operation_name == "CompleteMultipartUpload"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_unknown_checksum_type_is_refused_not_a_server_error(s3: Any, bucket: str) -> None:
    code, status, message = error_of(
        s3.create_multipart_upload, Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32", ChecksumType="PARTIAL"
    )
    assert (code, status) == ("InvalidRequest", 400)
    assert "x-amz-checksum-type" in message


def test_version_listing_writes_versions_and_delete_markers_in_one_sequence(
    crt: Callable[..., Answer], s3: Any, versioned_bucket: str
) -> None:
    # Each key's versions and delete markers, newest first, in document order: order-keeping parsers
    # (minio-go, the AWS SDK for Java v1) read them as one list.
    s3.put_object(Bucket=versioned_bucket, Key="a", Body=b"1")
    s3.delete_object(Bucket=versioned_bucket, Key="a")
    s3.put_object(Bucket=versioned_bucket, Key="b", Body=b"1")
    answer = crt(
        S3RequestType.DEFAULT, "GET", f"/{versioned_bucket}?versions", operation="ListObjectVersions"
    )
    assert answer.error is None
    ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
    root = ET.fromstring(bytes(answer.body))
    entries = [
        (e.tag.removeprefix(ns), e.findtext(f"{ns}Key"), e.findtext(f"{ns}IsLatest"))
        for e in root
        if e.tag in (f"{ns}Version", f"{ns}DeleteMarker")
    ]
    assert entries == [("DeleteMarker", "a", "true"), ("Version", "a", "false"), ("Version", "b", "true")]
    # The bucket's name comes before the entries (the SDK for Java v1 gives it to each as it starts).
    tags = [e.tag.removeprefix(ns) for e in root]
    assert tags.index("Name") < tags.index("DeleteMarker")


def test_stated_multipart_object_size_must_match_the_parts(s3: Any, bucket: str) -> None:
    # The CRT states the object's size in x-amz-mp-object-size when it completes an upload.
    upload = s3.create_multipart_upload(Bucket=bucket, Key="sized")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="sized", UploadId=upload, PartNumber=1, Body=b"12345")["ETag"]
    parts = {"Parts": [{"PartNumber": 1, "ETag": etag}]}
    code, status, _ = error_of(
        s3.complete_multipart_upload,
        Bucket=bucket,
        Key="sized",
        UploadId=upload,
        MultipartUpload=parts,
        MpuObjectSize=6,
    )
    assert (code, status) == ("InvalidRequest", 400)
    s3.complete_multipart_upload(
        Bucket=bucket, Key="sized", UploadId=upload, MultipartUpload=parts, MpuObjectSize=5
    )
    assert s3.get_object(Bucket=bucket, Key="sized")["Body"].read() == b"12345"
