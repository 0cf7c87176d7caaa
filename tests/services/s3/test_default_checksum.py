"""S3's default data integrity protection: an object uploaded without a checksum of its own gets a
full-object CRC64NVME, shown by HeadObject/GetObject (ChecksumMode=ENABLED), the listings and
GetObjectAttributes. The uploads here send no checksum (botocore's `when_required`, presigned
URLs, browser POST forms); expected values come from the AWS CRT, not from the server's code."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import ROOT_KEY, ROOT_SECRET
from tests.services.s3.access_support import http
from tests.services.s3.test_post_upload import post_form

crt = pytest.importorskip("awscrt.checksums")  # a runtime dependency; the expected values' source
MIB = 1024 * 1024


def crc64nvme(data: bytes) -> str:
    return base64.b64encode(crt.crc64nvme(data).to_bytes(8, "big")).decode()


def test_put_object_without_a_checksum_answers_s3s_default_crc64nvme(plain: Any, bucket: str) -> None:
    out = plain.put_object(Bucket=bucket, Key="k", Body=b"no checksum sent")
    assert out["ChecksumCRC64NVME"] == crc64nvme(b"no checksum sent")
    assert out["ChecksumType"] == "FULL_OBJECT"
    assert "ChecksumCRC32" not in out


def test_head_and_get_with_checksum_mode_show_the_default_crc64nvme(plain: Any, bucket: str) -> None:
    plain.put_object(Bucket=bucket, Key="k", Body=b"abc")
    head = plain.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert (head["ChecksumCRC64NVME"], head["ChecksumType"]) == (crc64nvme(b"abc"), "FULL_OBJECT")
    got = plain.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"abc"
    assert (got["ChecksumCRC64NVME"], got["ChecksumType"]) == (crc64nvme(b"abc"), "FULL_OBJECT")
    assert "ChecksumCRC64NVME" not in plain.head_object(Bucket=bucket, Key="k")  # only when asked for


def test_an_empty_object_gets_the_crc64nvme_of_no_bytes(plain: Any, bucket: str) -> None:
    plain.put_object(Bucket=bucket, Key="empty", Body=b"")
    head = plain.head_object(Bucket=bucket, Key="empty", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == crc64nvme(b"") == "AAAAAAAAAAA="


def test_a_large_streamed_body_gets_the_crc64nvme_of_all_its_bytes(plain: Any, bucket: str) -> None:
    body = os.urandom(3 * MIB + 17)  # past the first MiB: streamed in pieces
    out = plain.put_object(Bucket=bucket, Key="big", Body=body)
    assert out["ChecksumCRC64NVME"] == crc64nvme(body)


def test_listings_name_the_default_algorithm_and_type(plain: Any, bucket: str) -> None:
    plain.put_object(Bucket=bucket, Key="k", Body=b"x")
    for entry in (
        plain.list_objects_v2(Bucket=bucket)["Contents"][0],
        plain.list_objects(Bucket=bucket)["Contents"][0],
        plain.list_object_versions(Bucket=bucket)["Versions"][0],
    ):
        assert (entry["ChecksumAlgorithm"], entry["ChecksumType"]) == (["CRC64NVME"], "FULL_OBJECT")


def test_get_object_attributes_shows_the_default_checksum(plain: Any, bucket: str) -> None:
    plain.put_object(Bucket=bucket, Key="k", Body=b"attributes")
    out = plain.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Checksum"])
    assert out["Checksum"] == {"ChecksumCRC64NVME": crc64nvme(b"attributes"), "ChecksumType": "FULL_OBJECT"}


def test_an_upload_naming_its_own_checksum_gets_that_one_only(plain: Any, bucket: str) -> None:
    out = plain.put_object(Bucket=bucket, Key="k", Body=b"abc", ChecksumAlgorithm="SHA256")
    assert "ChecksumSHA256" in out
    head = plain.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert "ChecksumSHA256" in head and "ChecksumCRC64NVME" not in head


def test_a_presigned_put_gets_the_default_checksum(plain: Any, bucket: str) -> None:
    url = plain.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "p"})
    status, _, headers = http("PUT", url, b"presigned body")
    assert status == 200
    assert headers["x-amz-checksum-crc64nvme"] == crc64nvme(b"presigned body")
    head = plain.head_object(Bucket=bucket, Key="p", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == crc64nvme(b"presigned body")


def test_a_checksum_in_a_presigned_query_is_not_held_against_the_body(plain: Any, bucket: str) -> None:
    # The query of a URL presigned with a checksum (what the JavaScript SDK v3 does by default, with the
    # CRC32 of an empty body) is no checksum header: S3 stores the body with its default checksum.
    endpoint = plain.meta.endpoint_url
    request = AWSRequest(method="PUT", url=f"{endpoint}/{bucket}/q?x-amz-checksum-crc32=AAAAAA%3D%3D"
                         "&x-amz-sdk-checksum-algorithm=CRC32")
    S3SigV4QueryAuth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", "us-east-1", expires=300).add_auth(request)
    status, _, headers = http("PUT", request.url, b"not an empty body")
    assert status == 200
    assert "x-amz-checksum-crc32" not in headers
    head = plain.head_object(Bucket=bucket, Key="q", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == crc64nvme(b"not an empty body") and "ChecksumCRC32" not in head


def test_a_presigned_get_with_checksum_mode_answers_the_checksum(plain: Any, bucket: str) -> None:
    # x-amz-checksum-mode names no checksum of the body: from a presigned query it still asks for one.
    plain.put_object(Bucket=bucket, Key="g", Body=b"to be read")
    url = plain.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "g", "ChecksumMode": "ENABLED"})
    assert "x-amz-checksum-mode=ENABLED" in url
    status, _, headers = http("GET", url)
    assert status == 200
    assert headers["x-amz-checksum-crc64nvme"] == crc64nvme(b"to be read")


def test_a_browser_post_upload_gets_the_default_checksum(plain: Any, bucket: str) -> None:
    post = plain.generate_presigned_post(bucket, "posted")
    status, _, _ = post_form(post["url"], post["fields"], b"form file")
    assert status == 204
    head = plain.head_object(Bucket=bucket, Key="posted", ChecksumMode="ENABLED")
    assert (head["ChecksumCRC64NVME"], head["ChecksumType"]) == (crc64nvme(b"form file"), "FULL_OBJECT")


def test_a_copy_keeps_the_default_checksum_and_may_name_another(plain: Any, bucket: str) -> None:
    plain.put_object(Bucket=bucket, Key="src", Body=b"copied")
    copied = plain.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert copied["CopyObjectResult"]["ChecksumCRC64NVME"] == crc64nvme(b"copied")
    plain.copy_object(
        Bucket=bucket, Key="sha", CopySource={"Bucket": bucket, "Key": "src"}, ChecksumAlgorithm="SHA256"
    )
    head = plain.head_object(Bucket=bucket, Key="sha", ChecksumMode="ENABLED")
    assert "ChecksumSHA256" in head and "ChecksumCRC64NVME" not in head


def _upload_without_algorithm(
    client: Any, bucket: str, parts: list[bytes]
) -> tuple[str, list[dict[str, Any]]]:
    upload = client.create_multipart_upload(Bucket=bucket, Key="mp")
    assert "ChecksumAlgorithm" not in upload and "ChecksumType" not in upload
    answers = [
        client.upload_part(Bucket=bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=n, Body=body)
        for n, body in enumerate(parts, 1)
    ]
    return upload["UploadId"], answers


def test_multipart_without_an_algorithm_completes_with_a_full_object_crc64nvme(
    plain: Any, bucket: str
) -> None:
    parts = [os.urandom(5 * MIB), b"tail of the object"]
    upload_id, answers = _upload_without_algorithm(plain, bucket, parts)
    # Each part's answer carries its CRC64NVME; ListParts lists none, as the upload named no algorithm.
    assert [a["ChecksumCRC64NVME"] for a in answers] == [crc64nvme(p) for p in parts]
    listed = plain.list_parts(Bucket=bucket, Key="mp", UploadId=upload_id)
    assert "ChecksumAlgorithm" not in listed
    assert not any(k.startswith("Checksum") for part in listed["Parts"] for k in part)
    done = plain.complete_multipart_upload(
        Bucket=bucket,
        Key="mp",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": a["ETag"]} for n, a in enumerate(answers, 1)]},
    )
    whole = crc64nvme(b"".join(parts))
    assert (done["ChecksumCRC64NVME"], done["ChecksumType"]) == (whole, "FULL_OBJECT")
    head = plain.head_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert (head["ChecksumCRC64NVME"], head["ChecksumType"]) == (whole, "FULL_OBJECT")
    entry = plain.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert (entry["ChecksumAlgorithm"], entry["ChecksumType"]) == (["CRC64NVME"], "FULL_OBJECT")


def test_a_checksum_claimed_when_completing_an_upload_without_an_algorithm_is_ignored(
    plain: Any, bucket: str
) -> None:
    upload_id, answers = _upload_without_algorithm(plain, bucket, [b"only part"])
    done = plain.complete_multipart_upload(
        Bucket=bucket,
        Key="mp",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": answers[0]["ETag"]}]},
        ChecksumCRC64NVME="vqf3hRLTlJw=",
    )
    assert done["ChecksumCRC64NVME"] == crc64nvme(b"only part")


def test_parts_sent_with_crc32_still_give_the_object_a_crc64nvme(s3: Any, bucket: str) -> None:
    # boto3's default client adds a CRC32 to every part of an upload created without an algorithm.
    parts = [os.urandom(5 * MIB), b"last"]
    upload_id, answers = _upload_without_algorithm(s3, bucket, parts)
    assert all("ChecksumCRC32" in a and "ChecksumCRC64NVME" not in a for a in answers)
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="mp",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": a["ETag"]} for n, a in enumerate(answers, 1)]},
    )
    assert (done["ChecksumCRC64NVME"], done["ChecksumType"]) == (crc64nvme(b"".join(parts)), "FULL_OBJECT")


def test_a_copied_part_counts_in_the_default_checksum(plain: Any, bucket: str) -> None:
    source = os.urandom(5 * MIB)
    plain.put_object(Bucket=bucket, Key="src", Body=source)
    upload_id = plain.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    copied = plain.upload_part_copy(
        Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=1, CopySource={"Bucket": bucket, "Key": "src"}
    )
    last = plain.upload_part(Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=2, Body=b"end")
    parts = [
        {"PartNumber": 1, "ETag": copied["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": last["ETag"]},
    ]
    done = plain.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload_id, MultipartUpload={"Parts": parts}
    )
    assert done["ChecksumCRC64NVME"] == crc64nvme(source + b"end")
