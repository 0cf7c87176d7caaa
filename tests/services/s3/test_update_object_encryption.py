"""UpdateObjectEncryption puts an existing SSE-S3 or SSE-KMS object under a KMS key of the bucket
owner without moving its data: the ETag, checksum and dates stay; SSE-C objects, other accounts'
keys and objects under Object Lock are refused with the API reference's messages."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.s3.access_support import iam_user
from tests.services.s3.core_support import allow_sse_c, empty_locked_bucket, error_of, new_kms_key

SSE_C_KEY = b"k" * 32


def update(s3: Any, bucket: str, key: str, kms_key: str, **extra: Any) -> Any:
    return s3.update_object_encryption(
        Bucket=bucket, Key=key, ObjectEncryption={"SSEKMS": {"KMSKeyArn": kms_key, **extra}}
    )


def test_an_sse_s3_object_is_put_under_a_kms_key_without_changing_its_data(
    s3: Any, endpoint: str, bucket: str
) -> None:
    written = s3.put_object(Bucket=bucket, Key="k", Body=b"hello", ChecksumAlgorithm="SHA256")
    before = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    key = new_kms_key(endpoint)
    update(s3, bucket, "k", key["Arn"], BucketKeyEnabled=True)
    after = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert (after["ServerSideEncryption"], after["SSEKMSKeyId"], after["BucketKeyEnabled"]) == (
        "aws:kms",
        key["Arn"],
        True,
    )
    assert (after["ETag"], after["LastModified"], after["ChecksumSHA256"]) == (
        written["ETag"],
        before["LastModified"],
        before["ChecksumSHA256"],
    )
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"hello"


def test_a_version_is_updated_by_its_id(s3: Any, endpoint: str, versioned_bucket: str) -> None:
    first = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"1")["VersionId"]
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"2")
    key = new_kms_key(endpoint)
    s3.update_object_encryption(
        Bucket=versioned_bucket,
        Key="k",
        VersionId=first,
        ObjectEncryption={"SSEKMS": {"KMSKeyArn": key["Arn"]}},
    )
    assert s3.head_object(Bucket=versioned_bucket, Key="k", VersionId=first)["SSEKMSKeyId"] == key["Arn"]
    assert s3.head_object(Bucket=versioned_bucket, Key="k")["ServerSideEncryption"] == "AES256"


def test_what_s3_refuses(s3: Any, endpoint: str, bucket: str) -> None:
    key = new_kms_key(endpoint)
    assert error_of(update, s3, bucket, "absent", key["Arn"])[:2] == ("NoSuchKey", 404)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    other = key["Arn"].replace(":000000000000:", ":111122223333:")
    assert error_of(update, s3, bucket, "k", other) == (
        "AccessDenied",
        403,
        "The Amazon Web Services KMS key in the request must be owned by the same account as the bucket. "
        "Modify the request to specify a KMS key from the same account, and then try again.",
    )
    unchecked = make_client(endpoint, "s3", parameter_validation=False)
    assert error_of(unchecked.update_object_encryption, Bucket=bucket, Key="k", ObjectEncryption={}) == (
        "InvalidRequest",
        400,
        "Requests that modify an object encryption configuration require a valid new encryption type. Valid "
        "values are SSEKMS. Modify the request to specify SSE-KMS for the updated encryption type, and then "
        "try again.",
    )
    code, status, message = error_of(update, s3, bucket, "k", "arn:aws:kms:us-east-1:000000000000:alias/mine")
    assert (code, status) == ("InvalidRequest", 400)
    assert message.startswith("Requests that modify an object's encryption type to SSE-KMS require a valid")
    make_client(endpoint, "kms").disable_key(KeyId=key["Arn"])
    assert error_of(update, s3, bucket, "k", key["Arn"])[:2] == ("KMS.DisabledException", 400)


def test_an_sse_c_object_cannot_be_updated(s3: Any, endpoint: str, bucket: str) -> None:
    allow_sse_c(s3, bucket)
    s3.put_object(Bucket=bucket, Key="c", Body=b"x", SSECustomerAlgorithm="AES256", SSECustomerKey=SSE_C_KEY)
    assert error_of(update, s3, bucket, "c", new_kms_key(endpoint)["Arn"]) == (
        "InvalidRequest",
        400,
        "The UpdateObjectEncryption operation doesn't support source objects with the encryption type DSSE-KMS "
        "or SSE-C. Only source objects encrypted with SSE-S3 or SSE-KMS are supported.",
    )


@pytest.fixture
def locked_bucket(s3: Any) -> Iterator[str]:
    name = f"lock-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    yield name
    empty_locked_bucket(s3, name)


def test_an_object_under_object_lock_cannot_be_updated(s3: Any, endpoint: str, locked_bucket: str) -> None:
    key = new_kms_key(endpoint)["Arn"]
    s3.put_object(Bucket=locked_bucket, Key="held", Body=b"x", ObjectLockLegalHoldStatus="ON")
    until = datetime.now(UTC) + timedelta(seconds=30)
    s3.put_object(
        Bucket=locked_bucket,
        Key="kept",
        Body=b"x",
        ObjectLockMode="GOVERNANCE",
        ObjectLockRetainUntilDate=until,
    )
    for name in ("held", "kept"):
        code, status, message = error_of(update, s3, locked_bucket, name, key)
        assert (code, status) == ("AccessDenied", 403)
        assert message.startswith(
            "The encryption type for the specified object can’t be updated because that object is protected by "
            "S3 Object Lock."
        )


def test_the_caller_needs_the_s3_action_and_the_keys(s3: Any, endpoint: str, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    key = new_kms_key(endpoint)["Arn"]

    def policy(*actions: str) -> str:
        statement = {"Effect": "Allow", "Action": list(actions), "Resource": "*"}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    user_arn, s3_only = iam_user(endpoint, policy("s3:*"))
    code, status, message = error_of(update, s3_only, bucket, "k", key)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(
        f"User: {user_arn} is not authorized to perform: kms:Encrypt on resource: {key}"
    )
    _, no_action = iam_user(endpoint, policy("s3:GetObject", "kms:*"))
    assert error_of(update, no_action, bucket, "k", key)[:2] == ("AccessDenied", 403)
    _, allowed = iam_user(endpoint, policy("s3:UpdateObjectEncryption", "s3:GetObject", "kms:*"))
    update(allowed, bucket, "k", key)
    assert s3.head_object(Bucket=bucket, Key="k")["SSEKMSKeyId"] == key
