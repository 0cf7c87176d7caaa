"""The checksum algorithms S3 added in 2026 beside CRC32, CRC32C, CRC64NVME, SHA1 and SHA256:
SHA512, MD5, XXHASH64, XXHASH3 and XXHASH128 (x-amz-checksum-<algorithm>, in a header or an
aws-chunked trailer). boto3 computes all of them but MD5 itself, and checks the one it reads back;
expected values come from hashlib and the AWS CRT, not from the server's code."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

import pytest

from tests.raw_http import error_code, error_message, exchange, signed_head, signed_request
from tests.services.s3.core_support import error_of

crt = pytest.importorskip("awscrt.checksums")


def expected(algorithm: str, data: bytes) -> str:
    if algorithm in ("SHA512", "MD5"):
        return base64.b64encode(hashlib.new(algorithm.lower(), data).digest()).decode()
    make = {
        "XXHASH64": crt.XXHash.new_xxhash64,
        "XXHASH3": crt.XXHash.new_xxhash3_64,
        "XXHASH128": crt.XXHash.new_xxhash3_128,
    }[algorithm]()
    make.update(data)
    return base64.b64encode(make.finalize()).decode()


SDK_COMPUTED = ["SHA512", "XXHASH64", "XXHASH3", "XXHASH128"]


@pytest.mark.parametrize("algorithm", SDK_COMPUTED)
def test_an_upload_naming_a_new_algorithm_is_answered_with_its_checksum(
    s3: Any, bucket: str, algorithm: str
) -> None:
    data = os.urandom(3000)
    member = f"Checksum{algorithm}"
    put = s3.put_object(Bucket=bucket, Key="k", Body=data, ChecksumAlgorithm=algorithm)
    assert (put[member], put["ChecksumType"]) == (expected(algorithm, data), "FULL_OBJECT")
    assert "ChecksumCRC64NVME" not in put  # the object's checksum is the one the upload named
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")  # boto3 checks it as it reads
    assert got["Body"].read() == data and got[member] == put[member]
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Checksum"])
    assert attributes["Checksum"] == {member: put[member], "ChecksumType": "FULL_OBJECT"}


def test_an_md5_checksum_header_is_checked_and_kept(s3: Any, bucket: str) -> None:
    data = b"an x-amz-checksum-md5 header"
    put = s3.put_object(Bucket=bucket, Key="k", Body=data, ChecksumMD5=expected("MD5", data))
    assert put["ChecksumMD5"] == expected("MD5", data)
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumMD5"] == expected("MD5", data)
    wrong = expected("MD5", b"other bytes")
    assert error_of(s3.put_object, Bucket=bucket, Key="bad", Body=data, ChecksumMD5=wrong)[:2] == (
        "BadDigest",
        400,
    )


@pytest.mark.parametrize("algorithm", ["SHA512", "XXHASH128"])
def test_a_new_algorithm_value_that_does_not_match_is_bad_digest(
    s3: Any, bucket: str, algorithm: str
) -> None:
    data = b"the body"
    claimed = {f"Checksum{algorithm}": expected(algorithm, b"another body")}
    code, status, _ = error_of(s3.put_object, Bucket=bucket, Key="k", Body=data, **claimed)
    assert (code, status) == ("BadDigest", 400)
    short = {f"Checksum{algorithm}": base64.b64encode(b"1234").decode()}  # not a digest of its size
    code, status, message = error_of(s3.put_object, Bucket=bucket, Key="k", Body=data, **short)
    assert (code, status) == ("InvalidRequest", 400)
    assert message == f"Value for x-amz-checksum-{algorithm.lower()} header is invalid."


@pytest.mark.parametrize("algorithm", ["XXHASH128", "SHA512"])
def test_a_multipart_upload_with_a_new_algorithm_gets_a_composite_checksum(
    s3: Any, bucket: str, algorithm: str
) -> None:
    parts = [os.urandom(5 * 1024 * 1024), os.urandom(1000)]
    member = f"Checksum{algorithm}"
    created = s3.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm=algorithm)
    assert created["ChecksumType"] == "COMPOSITE"
    upload = created["UploadId"]
    done_parts = []
    for number, data in enumerate(parts, start=1):
        out = s3.upload_part(
            Bucket=bucket,
            Key="mp",
            UploadId=upload,
            PartNumber=number,
            Body=data,
            ChecksumAlgorithm=algorithm,
        )
        assert out[member] == expected(algorithm, data)
        done_parts.append({"PartNumber": number, "ETag": out["ETag"], member: out[member]})
    listed = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload)["Parts"]
    assert [p[member] for p in listed] == [p[member] for p in done_parts]
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload={"Parts": done_parts}
    )
    digests = b"".join(base64.b64decode(p[member]) for p in done_parts)
    assert done[member] == f"{expected(algorithm, digests)}-2"
    assert done["ChecksumType"] == "COMPOSITE"


def test_a_full_object_checksum_type_is_refused_for_the_new_hashes(s3: Any, bucket: str) -> None:
    code, status, message = error_of(
        s3.create_multipart_upload,
        Bucket=bucket,
        Key="mp",
        ChecksumAlgorithm="XXHASH64",
        ChecksumType="FULL_OBJECT",
    )
    assert (code, status) == ("InvalidRequest", 400)
    assert message == "The FULL_OBJECT checksum type cannot be used with the xxhash64 checksum algorithm."


def test_a_copy_can_name_a_new_algorithm(s3: Any, bucket: str) -> None:
    data = os.urandom(2048)
    s3.put_object(Bucket=bucket, Key="src", Body=data)
    copied = s3.copy_object(
        Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"}, ChecksumAlgorithm="XXHASH3"
    )
    assert copied["CopyObjectResult"]["ChecksumXXHASH3"] == expected("XXHASH3", data)


# -- MD5 in an aws-chunked trailer, which boto3 does not compute ---------------------------------------


def _put_with_trailer(endpoint: str, target: str, data: bytes, name: str, value: str) -> tuple[int, bytes]:
    """An unsigned aws-chunked upload (STREAMING-UNSIGNED-PAYLOAD-TRAILER) whose checksum is a trailer."""
    headers = {"content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)), "x-amz-trailer": name}
    head, _ = signed_head(endpoint, "PUT", target, "s3", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", headers)
    body = f"{len(data):x}\r\n".encode() + data + f"\r\n0\r\n{name}:{value}\r\n\r\n".encode()
    status, _, answer = exchange(endpoint, head + f"content-length: {len(body)}\r\n\r\n".encode() + body)
    return status, answer


def test_an_md5_trailer_is_checked_and_kept(endpoint: str, s3: Any, bucket: str) -> None:
    data = os.urandom(5000)
    status, answer = _put_with_trailer(endpoint, f"/{bucket}/k", data, "x-amz-checksum-md5", expected("MD5", data))
    assert status == 200, answer
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert (head["ChecksumMD5"], head["ChecksumType"]) == (expected("MD5", data), "FULL_OBJECT")
    status, answer = _put_with_trailer(endpoint, f"/{bucket}/bad", data, "x-amz-checksum-md5", expected("MD5", b"x"))
    assert (status, error_code(answer)) == (400, "BadDigest"), answer
    assert b"The MD5 you specified did not match the calculated checksum." in answer


# -- algorithms S3 does not have --------------------------------------------------------------------

# S3 lists its algorithms in alphabetical order: "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]" in LocalStack's
# AWS-validated snapshot of five (CRC64NVME, the last one the model added, in its sorted place), and the
# ten so in versity/versitygw's and others' copies of S3's message.
UNSUPPORTED = (
    "InvalidRequest",
    400,
    "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
    "[CRC32, CRC32C, CRC64NVME, MD5, SHA1, SHA256, SHA512, XXHASH128, XXHASH3, XXHASH64]",
)


def test_an_upload_or_a_copy_naming_an_algorithm_s3_lacks_is_refused(s3: Any, bucket: str) -> None:
    # x-amz-checksum-algorithm of CreateMultipartUpload and CopyObject.
    assert error_of(s3.create_multipart_upload, Bucket=bucket, Key="mp", ChecksumAlgorithm="MD4") == UNSUPPORTED
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    s3.put_object(Bucket=bucket, Key="src", Body=b"source")
    copy = {"Bucket": bucket, "Key": "dst", "CopySource": {"Bucket": bucket, "Key": "src"}}
    assert error_of(s3.copy_object, **copy, ChecksumAlgorithm="MD4") == UNSUPPORTED
    assert error_of(s3.head_object, Bucket=bucket, Key="dst")[:2] == ("404", 404)
    copied = s3.copy_object(**copy, ChecksumAlgorithm="md5")  # read without regard to case
    assert copied["CopyObjectResult"]["ChecksumMD5"] == expected("MD5", b"source")
    # The header is refused before the copy is looked at, a copy onto itself included
    # (versity/versitygw's CopyObject_invalid_checksum_algorithm).
    onto_itself = {"Bucket": bucket, "Key": "src", "CopySource": {"Bucket": bucket, "Key": "src"}}
    assert error_of(s3.copy_object, **onto_itself, ChecksumAlgorithm="MD4") == UNSUPPORTED


@pytest.mark.parametrize("name", ["x-amz-checksum-md4", "x-amz-checksum-foo", "x-amz-checksum-"])
def test_a_checksum_header_of_an_algorithm_s3_lacks_is_refused(
    endpoint: str, s3: Any, bucket: str, name: str
) -> None:
    # S3's answer: versity/versitygw#1104 (an x-amz-checksum-sha256a header sent to S3 directly).
    refused = (400, "InvalidRequest", "The algorithm type you specified in x-amz-checksum- header is invalid.")
    value = base64.b64encode(hashlib.md5(b"x").digest()).decode()
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    tagging = (b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key>'
               b"<Value>b</Value></Tag></TagSet></Tagging>")
    for target, body in (
        (f"/{bucket}/k", b"x"),  # PutObject
        (f"/{bucket}/mp?partNumber=1&uploadId={upload}", b"x"),  # UploadPart
        (f"/{bucket}?tagging", tagging),  # PutBucketTagging
    ):
        status, _, answer = exchange(endpoint, signed_request(endpoint, "PUT", target, "s3", body, {name: value}))
        assert (status, error_code(answer), error_message(answer)) == refused, (target, answer)
    assert error_of(s3.head_object, Bucket=bucket, Key="k")[:2] == ("404", 404)
    assert s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload).get("Parts", []) == []
    assert error_of(s3.get_bucket_tagging, Bucket=bucket)[:2] == ("NoSuchTagSet", 404)
