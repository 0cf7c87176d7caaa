"""Large bodies: every byte of a body of many MiB is in its ETag and checksums, whichever way it arrives.

A streamed body past the first MiB is hashed beside the event loop while the
rest arrives (`services/s3/hashing.py`), and a multipart upload's parts are
joined file to file (`FileBlobWriter.copy_from`); these tests hold both to
what S3 answers: the MD5 of the whole body as the ETag, the checksum of the
whole body, BadDigest for a Content-MD5 that does not match (and nothing
stored), and a completed upload that reads back byte for byte, across its
part boundaries too.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import random
import zlib
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from tests.conftest import make_client
from tests.raw_http import UNSIGNED, error_code, error_message, exchange, signed_head, signed_headers
from tests.services.s3.core_support import error_of

MIB = 1024 * 1024
LARGE = 12 * MIB + 12345  # well past the first MiB, not a whole number of pieces


def _body(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


@pytest.fixture(scope="module")
def body() -> bytes:
    return _body(LARGE)


@pytest.fixture(scope="module")
def trailer_s3(endpoint: str) -> Any:
    """A client that sends its checksum as an aws-chunked trailer, as boto3 does over HTTPS."""
    client = make_client(endpoint, "s3")

    def use_trailer(params: dict[str, Any], **_: Any) -> None:
        algorithm = params["context"].get("checksum", {}).get("request_algorithm")
        if isinstance(algorithm, dict):
            algorithm["in"] = "trailer"

    client.meta.events.register("before-call.s3.PutObject", use_trailer)
    return client


def test_a_large_body_has_the_md5_of_all_its_bytes_as_etag_and_reads_back_whole(
    s3: Any, bucket: str, body: bytes
) -> None:
    put = s3.put_object(Bucket=bucket, Key="big", Body=body)
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="big")
    assert got["ContentLength"] == LARGE
    assert got["Body"].read() == body


def test_a_large_body_with_a_matching_content_md5_is_accepted(s3: Any, bucket: str, body: bytes) -> None:
    digest = hashlib.md5(body).digest()
    put = s3.put_object(Bucket=bucket, Key="big", Body=body, ContentMD5=_b64(digest))
    assert put["ETag"] == f'"{digest.hex()}"'


def test_a_large_body_whose_content_md5_differs_in_its_last_byte_is_bad_digest_and_stores_nothing(
    s3: Any, bucket: str, body: bytes
) -> None:
    other = body[:-1] + bytes([body[-1] ^ 1])
    code, status, _ = error_of(
        s3.put_object, Bucket=bucket, Key="big", Body=body, ContentMD5=_b64(hashlib.md5(other).digest())
    )
    assert (code, status) == ("BadDigest", 400)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("CRC32", lambda data: _b64(zlib.crc32(data).to_bytes(4, "big"))),
        ("SHA256", lambda data: _b64(hashlib.sha256(data).digest())),
    ],
)
def test_a_large_body_checksum_in_a_header_covers_every_byte(
    s3: Any, bucket: str, body: bytes, algorithm: str, expected: Any
) -> None:
    put = s3.put_object(Bucket=bucket, Key="big", Body=body, ChecksumAlgorithm=algorithm)
    assert put[f"Checksum{algorithm}"] == expected(body)
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("CRC32", lambda data: _b64(zlib.crc32(data).to_bytes(4, "big"))),
        ("SHA1", lambda data: _b64(hashlib.sha1(data).digest())),
    ],
)
def test_a_large_body_checksum_in_a_trailer_covers_every_byte_and_is_returned(
    trailer_s3: Any, bucket: str, body: bytes, algorithm: str, expected: Any
) -> None:
    put = trailer_s3.put_object(Bucket=bucket, Key="big", Body=body, ChecksumAlgorithm=algorithm)
    assert put[f"Checksum{algorithm}"] == expected(body)
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = trailer_s3.get_object(Bucket=bucket, Key="big", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == expected(body)
    assert got["Body"].read() == body


def test_a_completed_upload_reads_back_byte_for_byte_whole_and_across_part_boundaries(
    s3: Any, bucket: str
) -> None:
    parts = [_body(5 * MIB, 1), _body(5 * MIB + 3, 2), _body(1234, 3)]
    upload = s3.create_multipart_upload(Bucket=bucket, Key="joined")["UploadId"]
    etags = [
        s3.upload_part(Bucket=bucket, Key="joined", UploadId=upload, PartNumber=n, Body=data)["ETag"]
        for n, data in enumerate(parts, 1)
    ]
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="joined",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in enumerate(etags, 1)]},
    )
    whole = b"".join(parts)
    assert s3.get_object(Bucket=bucket, Key="joined")["Body"].read() == whole
    first_boundary, second_boundary = len(parts[0]), len(parts[0]) + len(parts[1])
    for start, end in ((first_boundary - 10, first_boundary + 9), (second_boundary - 1, len(whole) - 1)):
        ranged = s3.get_object(Bucket=bucket, Key="joined", Range=f"bytes={start}-{end}")["Body"].read()
        assert ranged == whole[start : end + 1]


FIVE_GIB = 5 * 1024 * MIB


def _upload_part_streamed(
    endpoint: str, bucket: str, key: str, upload_id: str, number: int, size: int
) -> str:
    """The ETag of a part of `size` bytes sent as it is generated (UNSIGNED-PAYLOAD), never held whole."""
    target = f"/{bucket}/{key}?partNumber={number}&uploadId={quote(upload_id, safe='')}"
    headers, _ = signed_headers(endpoint, "PUT", target, "s3", UNSIGNED, {"Content-Length": str(size)})
    address = urlsplit(endpoint)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=600)
    try:
        connection.putrequest("PUT", target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        block = _body(MIB)
        for _ in range(size // MIB):
            connection.send(block)
        connection.send(block[: size % MIB])
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
        return str(response.getheader("ETag"))
    finally:
        connection.close()


@pytest.mark.timeout(900)
def test_a_copy_of_more_than_5_gib_is_refused_and_a_part_copy_of_a_range_of_it_is_not(
    endpoint: str, s3: Any, bucket: str
) -> None:
    # CopyObject copies at most 5 GiB, UploadPartCopy at most 5 GiB a part: AWS answers both with
    # InvalidRequest (rclone#2375, amazon-s3-tar-tool#26); a larger object is copied range by range.
    upload = s3.create_multipart_upload(Bucket=bucket, Key="over-5-gib")["UploadId"]
    first = _upload_part_streamed(endpoint, bucket, "over-5-gib", upload, 1, FIVE_GIB)
    last = s3.upload_part(Bucket=bucket, Key="over-5-gib", UploadId=upload, PartNumber=2, Body=b"!")["ETag"]
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="over-5-gib",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": first}, {"PartNumber": 2, "ETag": last}]},
    )
    too_large = (
        "InvalidRequest",
        400,
        "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120",
    )
    source = {"Bucket": bucket, "Key": "over-5-gib"}
    assert error_of(s3.copy_object, Bucket=bucket, Key="copy", CopySource=source) == too_large
    assert "copy" not in [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    parts = s3.create_multipart_upload(Bucket=bucket, Key="copy")["UploadId"]
    for copy_range in (None, f"bytes=0-{FIVE_GIB}"):  # the whole source, a range of 5 GiB and a byte
        extra = {"CopySourceRange": copy_range} if copy_range else {}
        assert (
            error_of(
                s3.upload_part_copy,
                Bucket=bucket,
                Key="copy",
                UploadId=parts,
                PartNumber=1,
                CopySource=source,
                **extra,
            )
            == too_large
        )
    tail = s3.upload_part_copy(
        Bucket=bucket,
        Key="copy",
        UploadId=parts,
        PartNumber=1,
        CopySource=source,
        CopySourceRange=f"bytes={FIVE_GIB - 1}-{FIVE_GIB}",
    )
    assert tail["CopyPartResult"]["ETag"] == f'"{hashlib.md5(_body(MIB)[-1:] + b"!").hexdigest()}"'
    s3.abort_multipart_upload(Bucket=bucket, Key="copy", UploadId=parts)
    s3.delete_object(Bucket=bucket, Key="over-5-gib")


def test_a_body_or_part_stated_over_5_gib_is_entity_too_large_before_it_is_sent(
    endpoint: str, s3: Any, bucket: str
) -> None:
    # PutObject writes at most 5 GiB, a part is at most 5 GiB: S3 refuses more from the stated length
    # with the proposed and allowed sizes (AWS's answer in FreeEed#158, laravel-zipstream#46, aws-cli#5420).
    upload = s3.create_multipart_upload(Bucket=bucket, Key="huge")["UploadId"]
    for target in (f"/{bucket}/huge", f"/{bucket}/huge?partNumber=1&uploadId={quote(upload, safe='')}"):
        head, _ = signed_head(endpoint, "PUT", target, "s3", UNSIGNED)
        status, _, body = exchange(endpoint, head + f"content-length: {FIVE_GIB + 1}\r\n\r\n".encode())
        assert (status, error_code(body), error_message(body)) == (
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
        )
        assert b"<ProposedSize>5368709121</ProposedSize><MaxSizeAllowed>5368709120</MaxSizeAllowed>" in body
    assert "Parts" not in s3.list_parts(Bucket=bucket, Key="huge", UploadId=upload)
    s3.abort_multipart_upload(Bucket=bucket, Key="huge", UploadId=upload)
