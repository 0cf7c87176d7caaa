"""The checksums S3 answers for a copy: CopyObjectResult names the copy's checksum (a copy is one
object, so a FULL_OBJECT one, even of a multipart COMPOSITE source; HeadObject names that type,
CopyObjectResult does not, as AWS answered LocalStack's validated test_s3_preconditions.py copies,
recorded Nov 2025), and CopyPartResult names the part's checksum only when the upload was created
with an algorithm.

Both botocore clients are used: `plain` (`when_required`, sends no checksum of its own) and the
default `s3` (adds a CRC32 to a PUT). Expected values come from zlib, hashlib and the AWS CRT."""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from typing import Any

import pytest

crt = pytest.importorskip("awscrt.checksums")
MIB = 1024 * 1024


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def checksum(algorithm: str, data: bytes) -> str:
    if algorithm == "CRC32":
        return b64(zlib.crc32(data).to_bytes(4, "big"))
    if algorithm == "CRC32C":
        return b64(crt.crc32c(data).to_bytes(4, "big"))
    if algorithm == "CRC64NVME":
        return b64(crt.crc64nvme(data).to_bytes(8, "big"))
    return b64(hashlib.new(algorithm.lower(), data).digest())


def checksum_members(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k.startswith("Checksum")}


# -- CopyObject -------------------------------------------------------------------------


def test_copy_of_an_object_with_the_default_checksum_answers_it(plain: Any, bucket: str) -> None:
    plain.put_object(Bucket=bucket, Key="src", Body=b"copied body")
    result = plain.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert checksum_members(result["CopyObjectResult"]) == {
        "ChecksumCRC64NVME": checksum("CRC64NVME", b"copied body"),
    }


def test_copy_by_the_default_client_keeps_the_sources_crc32_as_a_full_object_one(
    s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"sent with a crc32")
    assert "ChecksumCRC32" in s3.head_object(Bucket=bucket, Key="src", ChecksumMode="ENABLED")
    result = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert checksum_members(result["CopyObjectResult"]) == {
        "ChecksumCRC32": checksum("CRC32", b"sent with a crc32"),
    }


def test_copy_naming_an_algorithm_answers_that_checksum(plain: Any, bucket: str) -> None:
    plain.put_object(Bucket=bucket, Key="src", Body=b"abc")
    result = plain.copy_object(
        Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"}, ChecksumAlgorithm="SHA1"
    )
    assert checksum_members(result["CopyObjectResult"]) == {
        "ChecksumSHA1": checksum("SHA1", b"abc"),
    }
    head = plain.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    assert head["ChecksumType"] == "FULL_OBJECT"


def test_head_and_get_of_a_copy_show_the_checksum_its_copy_result_named(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"read back")
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    named = checksum_members(copied["CopyObjectResult"])
    head = s3.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    got = s3.get_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"read back"
    assert checksum_members(head) == checksum_members(got) == {**named, "ChecksumType": "FULL_OBJECT"}


def test_copy_of_a_composite_multipart_object_gets_a_full_object_checksum(plain: Any, bucket: str) -> None:
    parts = [os.urandom(5 * MIB), b"last part"]
    upload = plain.create_multipart_upload(Bucket=bucket, Key="src", ChecksumAlgorithm="SHA256")
    upload_id = upload["UploadId"]
    done = [
        plain.upload_part(
            Bucket=bucket, Key="src", UploadId=upload_id, PartNumber=n, Body=body, ChecksumAlgorithm="SHA256"
        )
        for n, body in enumerate(parts, 1)
    ]
    plain.complete_multipart_upload(
        Bucket=bucket,
        Key="src",
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [
                {"PartNumber": n, "ETag": a["ETag"], "ChecksumSHA256": a["ChecksumSHA256"]}
                for n, a in enumerate(done, 1)
            ]
        },
    )
    source = plain.head_object(Bucket=bucket, Key="src", ChecksumMode="ENABLED")
    assert source["ChecksumType"] == "COMPOSITE" and source["ChecksumSHA256"].endswith("-2")
    result = plain.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    whole = {"ChecksumSHA256": checksum("SHA256", b"".join(parts))}
    assert checksum_members(result["CopyObjectResult"]) == whole
    head = plain.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")
    assert checksum_members(head) == {**whole, "ChecksumType": "FULL_OBJECT"}


# -- UploadPartCopy ---------------------------------------------------------------------


@pytest.mark.parametrize("client", ["plain", "s3"])
def test_a_copied_part_of_an_upload_without_an_algorithm_names_no_checksum(
    client: str, request: pytest.FixtureRequest, bucket: str
) -> None:
    c = request.getfixturevalue(client)
    c.put_object(Bucket=bucket, Key="src", Body=b"0123456789")
    upload_id = c.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    copied = c.upload_part_copy(
        Bucket=bucket,
        Key="mp",
        UploadId=upload_id,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "src"},
        CopySourceRange="bytes=2-7",
    )["CopyPartResult"]
    assert set(copied) == {"ETag", "LastModified"}
    # The part still counts in S3's default full-object CRC64NVME of the completed object.
    done = c.complete_multipart_upload(
        Bucket=bucket,
        Key="mp",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": copied["ETag"]}]},
    )
    whole = checksum("CRC64NVME", b"234567")
    assert (done["ChecksumCRC64NVME"], done["ChecksumType"]) == (whole, "FULL_OBJECT")


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"])
def test_a_copied_part_names_the_uploads_checksum_of_the_copied_range(
    plain: Any, bucket: str, algorithm: str
) -> None:
    plain.put_object(Bucket=bucket, Key="src", Body=b"0123456789")
    upload = plain.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm=algorithm)
    upload_id = upload["UploadId"]
    copied = plain.upload_part_copy(
        Bucket=bucket,
        Key="mp",
        UploadId=upload_id,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "src"},
        CopySourceRange="bytes=2-7",
    )["CopyPartResult"]
    assert checksum_members(copied) == {f"Checksum{algorithm}": checksum(algorithm, b"234567")}
    plain.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id)
