"""Behaviours boto3's own integration tests (tests/integration/test_s3.py, run against real AWS)
touch and pocketcloud once got wrong.

boto3's SSE-C transfer tests (`test_upload_file_above_threshold_with_ssec`,
`test_can_send_extra_params_on_download`) write SSE-C objects to a freshly created bucket. Since
April 2026 S3 creates every general purpose bucket, outside Middle East (Bahrain) and Middle East
(UAE), with SSE-C blocked: GetBucketEncryption reports `BlockedEncryptionTypes: [SSE-C]`, and
PutObject, CopyObject, PostObject and multipart uploads that ask for SSE-C answer 403 AccessDenied
until PutBucketEncryption allows it with `NONE`. Objects already stored with SSE-C stay readable
with their key (S3 User Guide, "Blocking or unblocking SSE-C for a general purpose bucket" and
"Default SSE-C setting for new buckets FAQ"). s3transfer's integration tests unblock their bucket
that way before they use SSE-C.

Their setup creates buckets with a LocationConstraint; a bucket created with the legacy `EU`
constraint resides in eu-west-1 (HeadBucket, ListBuckets) but GetBucketLocation answers `EU`
("Buckets with a LocationConstraint of EU reside in eu-west-1", GetBucketLocation API Reference).
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3.s3.transfer
import pytest
import requests
from boto3.exceptions import S3UploadFailedError

from tests.conftest import make_client
from tests.services.s3.core_support import allow_sse_c, empty_and_delete, error_of, unique_bucket

MIB = 1024 * 1024
ACROSS_THRESHOLD = boto3.s3.transfer.TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
DENIED = ("AccessDenied", 403)
SSE_S3 = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}


def sse_c(key: bytes) -> dict[str, Any]:
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}


def test_a_new_bucket_reports_sse_c_blocked_in_its_default_encryption(s3: Any, bucket: str) -> None:
    config = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert config == {"Rules": [{**SSE_S3, "BlockedEncryptionTypes": {"EncryptionType": ["SSE-C"]}}]}


def test_sse_c_puts_copies_and_multipart_uploads_to_a_new_bucket_are_access_denied(
    s3: Any, bucket: str
) -> None:
    key = os.urandom(32)
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", **sse_c(key))[:2] == DENIED
    copy_source = {"Bucket": bucket, "Key": "plain"}
    assert (
        error_of(s3.copy_object, Bucket=bucket, Key="k", CopySource=copy_source, **sse_c(key))[:2] == DENIED
    )
    assert error_of(s3.create_multipart_upload, Bucket=bucket, Key="k", **sse_c(key))[:2] == DENIED
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["plain"]
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_a_part_naming_a_customer_key_for_an_upload_begun_without_one_is_refused(
    s3: Any, bucket: str
) -> None:
    """s3fs-fuse's use_sse=custom begins an upload without SSE-C and sends the key with every part: the
    part is refused (403 where SSE-C writes are blocked, as a PutObject would be), not stored under S3's
    own key with the client's dropped."""
    key = os.urandom(32)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    part = {"Bucket": bucket, "Key": "k", "UploadId": upload, "PartNumber": 1, "Body": b"x", **sse_c(key)}
    assert error_of(s3.upload_part, **part)[:2] == DENIED
    allow_sse_c(s3, bucket)
    code, status, message = error_of(s3.upload_part, **part)[:3]
    assert (code, status, message) == (
        "InvalidRequest",
        400,
        "The encryption parameters are not applicable to this object.",
    )
    assert s3.list_parts(Bucket=bucket, Key="k", UploadId=upload).get("Parts", []) == []
    s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload)


def test_an_sse_c_post_form_to_a_new_bucket_is_access_denied(s3: Any, bucket: str) -> None:
    key = os.urandom(32)
    fields = {
        "x-amz-server-side-encryption-customer-algorithm": "AES256",
        "x-amz-server-side-encryption-customer-key": base64.b64encode(key).decode(),
        "x-amz-server-side-encryption-customer-key-MD5": base64.b64encode(hashlib.md5(key).digest()).decode(),
    }
    form = s3.generate_presigned_post(
        bucket, "posted", Fields=fields, Conditions=[{k: v} for k, v in fields.items()]
    )
    response = requests.post(form["url"], data=form["fields"], files={"file": b"hello"}, timeout=30)
    assert response.status_code == 403 and b"<Code>AccessDenied</Code>" in response.content
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_boto3s_sse_c_upload_across_the_threshold_is_refused_until_the_bucket_allows_sse_c(
    s3: Any, bucket: str, tmp_path: Path
) -> None:
    source = tmp_path / "6mb.txt"
    source.write_bytes(os.urandom(6 * MIB))
    extra_args = sse_c(os.urandom(32))
    with pytest.raises(S3UploadFailedError, match="AccessDenied"):
        s3.upload_file(str(source), bucket, "6mb.txt", ExtraArgs=extra_args, Config=ACROSS_THRESHOLD)

    allow_sse_c(s3, bucket)
    s3.upload_file(str(source), bucket, "6mb.txt", ExtraArgs=extra_args, Config=ACROSS_THRESHOLD)
    assert s3.head_object(Bucket=bucket, Key="6mb.txt", **extra_args)["SSECustomerAlgorithm"] == "AES256"
    target = tmp_path / "downloaded.txt"
    s3.download_file(bucket, "6mb.txt", str(target), ExtraArgs=extra_args, Config=ACROSS_THRESHOLD)
    assert target.read_bytes() == source.read_bytes()


def test_deleting_the_encryption_configuration_blocks_sse_c_again_but_sse_c_objects_stay_readable(
    s3: Any, bucket: str
) -> None:
    key = os.urandom(32)
    allow_sse_c(s3, bucket)
    s3.put_object(Bucket=bucket, Key="kept", Body=b"secret", **sse_c(key))
    s3.delete_bucket_encryption(Bucket=bucket)
    blocked = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert blocked["BlockedEncryptionTypes"] == {"EncryptionType": ["SSE-C"]}
    assert error_of(s3.put_object, Bucket=bucket, Key="new", Body=b"x", **sse_c(key))[:2] == DENIED
    assert s3.get_object(Bucket=bucket, Key="kept", **sse_c(key))["Body"].read() == b"secret"


@pytest.fixture
def bahrain_bucket(endpoint: str) -> Iterator[tuple[Any, str]]:
    s3 = make_client(endpoint, "s3", region="me-south-1")
    name = unique_bucket("bahrain")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "me-south-1"})
    yield s3, name
    empty_and_delete(s3, name)


def test_a_new_bucket_in_bahrain_takes_sse_c_writes(bahrain_bucket: tuple[Any, str]) -> None:
    s3, bucket = bahrain_bucket
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == {"Rules": [SSE_S3]}
    key = os.urandom(32)
    s3.put_object(Bucket=bucket, Key="k", Body=b"secret", **sse_c(key))
    assert s3.get_object(Bucket=bucket, Key="k", **sse_c(key))["Body"].read() == b"secret"


@pytest.fixture
def eu_bucket(endpoint: str) -> Iterator[str]:
    name = unique_bucket("eu")
    make_client(endpoint, "s3").create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "EU"}
    )
    yield name
    empty_and_delete(make_client(endpoint, "s3", region="eu-west-1"), name)


def test_a_bucket_created_with_the_eu_constraint_is_located_in_eu_and_resides_in_eu_west_1(
    endpoint: str, eu_bucket: str
) -> None:
    # GetBucketLocation: "Buckets with a LocationConstraint of EU reside in eu-west-1."
    s3 = make_client(endpoint, "s3", region="eu-west-1")
    assert s3.get_bucket_location(Bucket=eu_bucket)["LocationConstraint"] == "EU"
    assert s3.head_bucket(Bucket=eu_bucket)["BucketRegion"] == "eu-west-1"
    listed = [b for b in s3.list_buckets()["Buckets"] if b["Name"] == eu_bucket]
    assert [b["BucketRegion"] for b in listed] == ["eu-west-1"]


def test_a_create_bucket_signed_for_the_eu_alias_makes_the_bucket_in_eu_west_1(endpoint: str) -> None:
    """s3cmd's `mb --bucket-location=EU` signs its first CreateBucket for "EU", a LocationConstraint but
    no Region: the endpoint refuses the signature (AuthorizationHeaderMalformed, expecting us-east-1),
    the client signs again for us-east-1 (boto3 follows the answer's Region as s3cmd does), and the
    bucket lives in eu-west-1, not in a Region named "EU"."""
    name = unique_bucket("eu")
    make_client(endpoint, "s3", region="EU").create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "EU"}
    )
    s3 = make_client(endpoint, "s3", region="eu-west-1")
    assert s3.head_bucket(Bucket=name)["BucketRegion"] == "eu-west-1"
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "EU"
    s3.delete_bucket(Bucket=name)
