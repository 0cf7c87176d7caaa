"""CopyObject and UploadPartCopy as S3 authorizes and addresses them: the caller must be allowed
to read the source (s3:GetObject) as well as write the destination, and the URL-encoded copy
source may name any key, "?" included, and a version."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.s3.core_support import empty_and_delete, error_of, unique_bucket


@pytest.fixture
def source_bucket(s3: Any) -> Iterator[str]:
    name = unique_bucket("src")
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="secret", Body=b"classified")
    yield name
    empty_and_delete(s3, name)


def _user(endpoint: str, *statements: dict[str, Any]) -> Any:
    """An S3 client of a new IAM user whose only policy has `statements`."""
    iam = make_client(endpoint, "iam")
    name = f"copier-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    iam.put_user_policy(UserName=name, PolicyName="copy", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return make_client(endpoint, "s3", key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def _write(bucket: str) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Action": ["s3:PutObject", "s3:GetObject"],
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }


def test_copy_object_needs_read_access_to_the_source(
    endpoint: str, s3: Any, bucket: str, source_bucket: str
) -> None:
    copier = _user(endpoint, _write(bucket))
    code, status, message = error_of(
        copier.copy_object, Bucket=bucket, Key="stolen", CopySource={"Bucket": source_bucket, "Key": "secret"}
    )
    assert (code, status) == ("AccessDenied", 403)
    assert f's3:GetObject on resource: "arn:aws:s3:::{source_bucket}/secret"' in message
    assert error_of(s3.head_object, Bucket=bucket, Key="stolen")[1] == 404


def test_upload_part_copy_needs_read_access_to_the_source(
    endpoint: str, s3: Any, bucket: str, source_bucket: str
) -> None:
    copier = _user(endpoint, _write(bucket))
    upload = copier.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    code, status, _ = error_of(
        copier.upload_part_copy,
        Bucket=bucket,
        Key="mp",
        UploadId=upload,
        PartNumber=1,
        CopySource={"Bucket": source_bucket, "Key": "secret"},
    )
    assert (code, status) == ("AccessDenied", 403)
    assert s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload).get("Parts", []) == []


def test_copy_object_succeeds_with_read_access_to_the_source(
    endpoint: str, s3: Any, bucket: str, source_bucket: str
) -> None:
    read = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{source_bucket}/*"}
    copier = _user(endpoint, _write(bucket), read)
    copier.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": source_bucket, "Key": "secret"})
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"classified"


@pytest.mark.parametrize("key", ["what?now", "a b+c", "x/y&z=1", "%41"])
def test_a_versioned_copy_source_names_any_key(s3: Any, versioned_bucket: str, key: str) -> None:
    first = s3.put_object(Bucket=versioned_bucket, Key=key, Body=b"first")["VersionId"]
    s3.put_object(Bucket=versioned_bucket, Key=key, Body=b"second")
    source = {"Bucket": versioned_bucket, "Key": key, "VersionId": first}
    result = s3.copy_object(Bucket=versioned_bucket, Key="copied", CopySource=source)
    assert result["CopySourceVersionId"] == first
    assert s3.get_object(Bucket=versioned_bucket, Key="copied")["Body"].read() == b"first"
