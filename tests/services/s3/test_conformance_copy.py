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


# A copy source S3 cannot read is refused before any bucket is looked at, InvalidArgument naming
# x-amz-copy-source: a "%" that starts no escape or bytes that are no UTF-8 (S3's answers to
# "mybucket/%" in curtis0x/fake-s3#178 and "%01file%" in paws-r/paws#819), a name no bucket can
# have, and a key no object can have (versity/versitygw#1388-#1390, #1401).
@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("bucket/%ZZ", "Invalid copy source encoding"),
        ("100%/foo", "Invalid copy source encoding"),
        ("bucket/%C3%", "Invalid copy source encoding"),
        ("bucket/%FF", "Invalid copy source encoding"),
        ("192.168.1.1/foo", "Invalid copy source bucket name"),
        ("my-buc@k&()t/obj", "Invalid copy source bucket name"),
        ("bucket/..", "Invalid copy source object key"),
        ("bucket/foo/../bar", "Invalid copy source object key"),
    ],
)
def test_a_copy_source_s3_cannot_read_is_invalid_argument(
    endpoint: str, bucket: str, source: str, message: str
) -> None:
    s3 = make_client(endpoint, "s3")  # its own client: the hooks below change what it sends

    def replace(request: Any, **_: Any) -> None:
        request.headers.replace_header("x-amz-copy-source", source)

    s3.meta.events.register("before-sign.s3.CopyObject", replace)
    s3.meta.events.register("before-sign.s3.UploadPartCopy", replace)
    copy = error_of(s3.copy_object, Bucket=bucket, Key="dst", CopySource="placeholder/key")
    assert copy[:2] == ("InvalidArgument", 400) and copy[2] == message
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    part = error_of(s3.upload_part_copy, Bucket=bucket, Key="dst", UploadId=upload, PartNumber=1,
                    CopySource="placeholder/key")
    assert part == copy
    s3.abort_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload)


def test_a_copy_source_decodes_plus_escapes_and_utf_8(endpoint: str, bucket: str) -> None:
    s3 = make_client(endpoint, "s3")  # its own client: the hook below changes what it sends
    s3.put_object(Bucket=bucket, Key="a key+%é", Body=b"x")
    sent = f"{bucket}/a+key%2B%25%C3%A9"  # as sent, not re-encoded by botocore

    def replace(request: Any, **_: Any) -> None:
        request.headers.replace_header("x-amz-copy-source", sent)

    s3.meta.events.register("before-sign.s3.CopyObject", replace)
    s3.copy_object(Bucket=bucket, Key="dst", CopySource="placeholder/key")
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"x"
