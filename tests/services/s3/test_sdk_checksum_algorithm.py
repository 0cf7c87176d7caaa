"""x-amz-sdk-checksum-algorithm names the algorithm of the checksum the SDK sends with a request: a value
that names no algorithm S3 has, or another algorithm than the x-amz-checksum-* the request carries, is
400 InvalidRequest "Value for x-amz-sdk-checksum-algorithm header is invalid.", and nothing is written.

Evidence: OpenStack Swift's s3api functional tests, which run against AWS too (test/s3api/
test_object_checksums.py: test_good_checksum_invalid_algorithm_header and
test_good_checksum_different_algorithm_header for PutObject, test_mpu_upload_part_good_checksum_and_
different_algo_specified for UploadPart, test_different_checksum_requested since botocore 1.36), and
versity/versitygw#1598 (S3's answer to PutObject and UploadPart). The header's value is read without
regard to case, as S3 reads it (versity/versitygw#1118)."""

from __future__ import annotations

import base64
import zlib
from typing import Any

import pytest

from tests.raw_http import error_code, error_message, exchange, signed_request
from tests.services.s3.core_support import error_of

INVALID = ("InvalidRequest", 400, "Value for x-amz-sdk-checksum-algorithm header is invalid.")
BODY = b"123456789"


def crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def error_in(answer: tuple[int, dict[str, str], bytes]) -> tuple[str, int, str]:
    status, _, body = answer
    return error_code(body), status, error_message(body)


@pytest.mark.parametrize("named", ["MD4", "foo", "SHA1"])
def test_put_object_naming_an_unknown_or_another_algorithm_is_refused(
    s3: Any, bucket: str, named: str
) -> None:
    # boto3 sends the CRC32 it is given as it is, and ChecksumAlgorithm as x-amz-sdk-checksum-algorithm.
    assert error_of(
        s3.put_object, Bucket=bucket, Key="k", Body=BODY, ChecksumAlgorithm=named, ChecksumCRC32=crc32(BODY)
    ) == INVALID
    assert error_of(s3.head_object, Bucket=bucket, Key="k")[:2] == ("404", 404)


@pytest.mark.parametrize("named", ["MD4", "SHA256"])
def test_upload_part_naming_an_unknown_or_another_algorithm_is_refused(
    s3: Any, bucket: str, named: str
) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    assert error_of(
        s3.upload_part,
        Bucket=bucket,
        Key="mp",
        UploadId=upload,
        PartNumber=1,
        Body=BODY,
        ChecksumAlgorithm=named,
        ChecksumCRC32=crc32(BODY),
    ) == INVALID
    assert s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload).get("Parts", []) == []


def test_an_unknown_value_is_refused_before_the_missing_checksum(endpoint: str, bucket: str) -> None:
    # The header's value is read first: an unknown one is invalid whatever else the request carries.
    answer = exchange(endpoint, signed_request(
        endpoint, "PUT", f"/{bucket}/k", "s3", BODY, {"x-amz-sdk-checksum-algorithm": "MD4"}))
    assert error_in(answer) == INVALID
    answer = exchange(endpoint, signed_request(
        endpoint, "PUT", f"/{bucket}/k", "s3", BODY, {"x-amz-sdk-checksum-algorithm": ""}))
    assert error_in(answer) == INVALID


def test_the_value_is_read_without_regard_to_case(endpoint: str, s3: Any, bucket: str) -> None:
    status, _, body = exchange(endpoint, signed_request(
        endpoint, "PUT", f"/{bucket}/k", "s3", BODY,
        {"x-amz-sdk-checksum-algorithm": "crc32", "x-amz-checksum-crc32": crc32(BODY)}))
    assert status == 200, body
    assert s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")["ChecksumCRC32"] == crc32(BODY)


@pytest.mark.parametrize("named", ["MD4", "foo", "SHA256"])
def test_a_document_request_naming_an_unknown_or_another_algorithm_is_refused(
    endpoint: str, s3: Any, bucket: str, named: str
) -> None:
    # The same header on a request whose body is a document (PutBucketTagging, DeleteObjects): refused
    # before the operation runs, so the tags are not set and the object is not deleted.
    s3.put_object(Bucket=bucket, Key="kept", Body=b"x")
    tagging = (b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key>'
               b"<Value>b</Value></Tag></TagSet></Tagging>")
    delete = b"<Delete><Object><Key>kept</Key></Object></Delete>"
    for method, target, document in (("PUT", f"/{bucket}?tagging", tagging), ("POST", f"/{bucket}?delete", delete)):
        headers = {"x-amz-sdk-checksum-algorithm": named, "x-amz-checksum-crc32": crc32(document)}
        answer = exchange(endpoint, signed_request(endpoint, method, target, "s3", document, headers))
        assert error_in(answer) == INVALID, (target, answer)
    assert error_of(s3.get_bucket_tagging, Bucket=bucket)[:2] == ("NoSuchTagSet", 404)
    assert s3.get_object(Bucket=bucket, Key="kept")["Body"].read() == b"x"
