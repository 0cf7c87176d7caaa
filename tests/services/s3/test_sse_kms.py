"""SSE-KMS under real KMS keys: S3 asks KMS for the key a write names and passes on what KMS
refuses (KMS.NotFoundException, KMS.DisabledException, KMS.KMSInvalidStateException, 400); a write
that names no key uses the account's AWS managed key `aws/s3`; and S3 uses the key as its caller,
who must be allowed kms:GenerateDataKey to write and kms:Decrypt to read ("Using server-side
encryption with AWS KMS keys", "Permissions")."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.s3.access_support import iam_user
from tests.services.s3.core_support import error_of, new_kms_key


@pytest.fixture(scope="module")
def kms(endpoint: str) -> Any:
    return make_client(endpoint, "kms")


def allow(*actions: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        }
    )


def s3_and_key_use_if(key_arn: str, condition: dict[str, Any]) -> dict[str, Any]:
    """An identity policy allowing s3:* and, under `condition`, the use of key `key_arn`."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                "Resource": key_arn,
                "Condition": condition,
            },
        ],
    }


def put_kms(client: Any, bucket: str, key: str, key_id: str | None = None) -> Any:
    named = {"SSEKMSKeyId": key_id} if key_id else {}
    return client.put_object(Bucket=bucket, Key=key, Body=b"secret", ServerSideEncryption="aws:kms", **named)


def test_a_key_kms_does_not_have_is_refused_as_kms_refuses_it(s3: Any, bucket: str) -> None:
    missing = "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555"
    assert error_of(put_kms, s3, bucket, "k", missing) == (
        "KMS.NotFoundException",
        400,
        f"Key '{missing}' does not exist",
    )
    assert error_of(put_kms, s3, bucket, "k", "not-a-key-id")[:2] == ("KMS.NotFoundException", 400)


def test_a_disabled_key_or_one_pending_deletion_is_refused(
    s3: Any, endpoint: str, kms: Any, bucket: str
) -> None:
    disabled, doomed = new_kms_key(endpoint), new_kms_key(endpoint)
    put_kms(s3, bucket, "before", disabled["KeyId"])
    kms.disable_key(KeyId=disabled["KeyId"])
    kms.schedule_key_deletion(KeyId=doomed["KeyId"], PendingWindowInDays=7)
    assert error_of(put_kms, s3, bucket, "k", disabled["KeyId"]) == (
        "KMS.DisabledException",
        400,
        f"{disabled['Arn']} is disabled.",
    )
    assert error_of(put_kms, s3, bucket, "k", doomed["Arn"]) == (
        "KMS.KMSInvalidStateException",
        400,
        f"{doomed['Arn']} is pending deletion.",
    )
    # An object under a key since disabled cannot be read; its metadata still can.
    assert error_of(s3.get_object, Bucket=bucket, Key="before")[:2] == ("KMS.DisabledException", 400)
    assert s3.head_object(Bucket=bucket, Key="before")["SSEKMSKeyId"] == disabled["Arn"]


def test_no_key_named_means_the_aws_managed_key_aws_s3(s3: Any, kms: Any, bucket: str) -> None:
    arn = put_kms(s3, bucket, "k")["SSEKMSKeyId"]
    managed = kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert (arn, managed["KeyManager"]) == (managed["Arn"], "AWS")


def test_an_alias_names_its_key_by_arn(s3: Any, endpoint: str, kms: Any, bucket: str) -> None:
    key = new_kms_key(endpoint)
    kms.create_alias(AliasName="alias/sse-kms-test", TargetKeyId=key["KeyId"])
    try:
        assert put_kms(s3, bucket, "k", "alias/sse-kms-test")["SSEKMSKeyId"] == key["Arn"]
    finally:
        kms.delete_alias(AliasName="alias/sse-kms-test")


def test_a_customer_key_needs_the_callers_kms_permissions(s3: Any, endpoint: str, bucket: str) -> None:
    key = new_kms_key(endpoint)  # the default key policy: the account's IAM policies decide
    arn, s3_only = iam_user(endpoint, allow("s3:*"))
    _, with_kms = iam_user(endpoint, allow("s3:*", "kms:GenerateDataKey", "kms:Decrypt"))
    code, status, message = error_of(put_kms, s3_only, bucket, "k", key["KeyId"])
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: {arn} is not authorized to perform: kms:GenerateDataKey on resource: {key['Arn']} "
        "because no identity-based policy allows the kms:GenerateDataKey action"
    )
    put_kms(with_kms, bucket, "k", key["KeyId"])
    assert error_of(s3_only.get_object, Bucket=bucket, Key="k")[:2] == ("AccessDenied", 403)
    assert s3_only.head_object(Bucket=bucket, Key="k")["SSEKMSKeyId"] == key["Arn"]  # no decryption
    assert with_kms.get_object(Bucket=bucket, Key="k")["Body"].read() == b"secret"


def test_the_aws_managed_key_needs_no_kms_permissions(endpoint: str, bucket: str) -> None:
    _, s3_only = iam_user(endpoint, allow("s3:*"))
    put_kms(s3_only, bucket, "k")
    assert s3_only.get_object(Bucket=bucket, Key="k")["Body"].read() == b"secret"


def test_a_multipart_upload_under_a_customer_key_needs_kms_decrypt_for_its_parts(
    s3: Any, endpoint: str, bucket: str
) -> None:
    # CreateMultipartUpload needs kms:GenerateDataKey; UploadPart and UploadPartCopy kms:Decrypt
    # (CreateMultipartUpload API reference, "Permissions").
    key = new_kms_key(endpoint)
    arn, generate_only = iam_user(endpoint, allow("s3:*", "kms:GenerateDataKey"))
    upload = generate_only.create_multipart_upload(
        Bucket=bucket, Key="big", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"]
    )["UploadId"]
    code, status, message = error_of(
        generate_only.upload_part, Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=b"part"
    )
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: {arn} is not authorized to perform: kms:Decrypt on resource: {key['Arn']} "
        "because no identity-based policy allows the kms:Decrypt action"
    )
    s3.put_object(Bucket=bucket, Key="plain-source", Body=b"plain")
    assert error_of(
        generate_only.upload_part_copy,
        Bucket=bucket,
        Key="big",
        UploadId=upload,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "plain-source"},
    )[:2] == ("AccessDenied", 403)
    # The owner (root) may: the key's default policy lets the account's principals by IAM.
    etag = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == b"part"


def test_copying_an_sse_kms_object_needs_kms_decrypt_on_the_source_key(
    s3: Any, endpoint: str, bucket: str
) -> None:
    key = new_kms_key(endpoint)
    put_kms(s3, bucket, "sealed", key["KeyId"])
    arn, s3_only = iam_user(endpoint, allow("s3:*"))
    code, status, message = error_of(
        s3_only.copy_object, Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "sealed"}
    )
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: {arn} is not authorized to perform: kms:Decrypt on resource: {key['Arn']} "
        "because no identity-based policy allows the kms:Decrypt action"
    )
    _, with_decrypt = iam_user(endpoint, allow("s3:*", "kms:Decrypt"))
    with_decrypt.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "sealed"})
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"secret"


def test_s3_uses_the_key_in_a_forward_access_session(endpoint: str, bucket: str) -> None:
    # "The aws:ViaAWSService condition key value is always set to true when a FAS request is made"
    # (IAM User Guide, "Forward access sessions", whose example is S3 using an SSE-KMS key): a key
    # permission held to it lets S3 use the key for its caller, and not the caller call KMS itself.
    key = new_kms_key(endpoint)
    via_s3_only = s3_and_key_use_if(key["Arn"], {"Bool": {"aws:ViaAWSService": "true"}})
    iam = make_client(endpoint, "iam")
    name = f"fas-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="fas", PolicyDocument=json.dumps(via_s3_only))
    access = iam.create_access_key(UserName=name)["AccessKey"]
    credentials = {"key": access["AccessKeyId"], "secret": access["SecretAccessKey"]}
    user_s3, user_kms = make_client(endpoint, "s3", **credentials), make_client(endpoint, "kms", **credentials)
    put_kms(user_s3, bucket, "fas", key["KeyId"])
    assert user_s3.get_object(Bucket=bucket, Key="fas")["Body"].read() == b"secret"
    assert error_of(user_kms.generate_data_key, KeyId=key["Arn"], KeySpec="AES_256")[0] == "AccessDeniedException"


def test_s3_uses_the_key_under_the_objects_arn_as_encryption_context(
    s3: Any, endpoint: str, bucket: str
) -> None:
    # A policy can hold a caller to some objects through kms:EncryptionContext:aws:s3:arn
    # ("Encryption context" in "Using server-side encryption with AWS KMS keys").
    key = new_kms_key(endpoint)
    scoped = s3_and_key_use_if(
        key["Arn"], {"StringLike": {"kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::{bucket}/open/*"}}
    )
    _, user = iam_user(endpoint, json.dumps(scoped))
    put_kms(user, bucket, "open/a", key["KeyId"])
    assert user.get_object(Bucket=bucket, Key="open/a")["Body"].read() == b"secret"
    assert error_of(put_kms, user, bucket, "closed/a", key["KeyId"])[:2] == ("AccessDenied", 403)


def test_a_given_encryption_context_is_echoed_and_must_be_a_json_map(s3: Any, bucket: str) -> None:
    context = base64.b64encode(json.dumps({"project": "blue"}).encode()).decode()
    answer = s3.put_object(
        Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSEncryptionContext=context
    )
    assert answer["SSEKMSEncryptionContext"] == context
    assert "SSEKMSEncryptionContext" not in s3.head_object(Bucket=bucket, Key="k")
    deep = base64.b64encode(b"[" * 1100 + b"]" * 1100).decode()  # past the JSON decoder's depth
    for bad in (
        "not base64!",
        base64.b64encode(b"[1, 2]").decode(),
        base64.b64encode(b'{"n": 1}').decode(),
        deep,
    ):
        code, status, message = error_of(
            s3.put_object,
            Bucket=bucket,
            Key="k",
            Body=b"x",
            ServerSideEncryption="aws:kms",
            SSEKMSEncryptionContext=bad,
        )
        assert (code, status) == ("InvalidArgument", 400)
        assert message == (
            "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON "
            "which represents a string-string map"
        )
