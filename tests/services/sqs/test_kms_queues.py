"""Queues encrypted with a KMS key (KmsMasterKeyId): a send needs the key usable and the caller
allowed kms:GenerateDataKey on it, a receive kms:Decrypt; what KMS refuses comes back as SQS's
KMS.* errors (400), as the SendMessage API reference lists them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.conftest import make_client
from tests.services.sqs.support import error_of


def test_the_aws_managed_key_serves_any_queue(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(KmsMasterKeyId="alias/aws/sqs")
    sqs.send_message(QueueUrl=url, MessageBody="sealed")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "sealed"


def test_a_key_kms_does_not_have_refuses_the_send(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(KmsMasterKeyId="alias/no-such-key")
    code, status, _ = error_of(sqs.send_message, QueueUrl=url, MessageBody="x")
    assert (code, status) == ("KMS.NotFoundException", 400)


def test_a_disabled_key_refuses_sends_and_receives(
    sqs: Any, endpoint: str, new_queue: Callable[..., str]
) -> None:
    kms = make_client(endpoint, "kms")
    key = kms.create_key()["KeyMetadata"]
    url = new_queue(KmsMasterKeyId=key["KeyId"])
    sqs.send_message(QueueUrl=url, MessageBody="before")
    kms.disable_key(KeyId=key["KeyId"])
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x")[:2] == ("KMS.DisabledException", 400)
    assert error_of(sqs.receive_message, QueueUrl=url)[:2] == ("KMS.DisabledException", 400)
    kms.enable_key(KeyId=key["KeyId"])
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "before"


def test_a_customer_key_needs_the_callers_kms_permissions(
    sqs: Any, endpoint: str, new_queue: Callable[..., str]
) -> None:
    key = make_client(endpoint, "kms").create_key()["KeyMetadata"]
    url = new_queue(KmsMasterKeyId=key["Arn"])
    iam = make_client(endpoint, "iam")
    name = f"sqs-kms-{key['KeyId'][:8]}"
    iam.create_user(UserName=name)
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="sqs", PolicyDocument=json.dumps(allow))
    access = iam.create_access_key(UserName=name)["AccessKey"]
    user = make_client(endpoint, "sqs", key=access["AccessKeyId"], secret=access["SecretAccessKey"])
    assert error_of(user.send_message, QueueUrl=url, MessageBody="x")[:2] == (
        "KMS.AccessDeniedException",
        400,
    )
    allow["Statement"].append(
        {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key["Arn"]}
    )
    iam.put_user_policy(UserName=name, PolicyName="sqs", PolicyDocument=json.dumps(allow))
    user.send_message(QueueUrl=url, MessageBody="allowed")
    assert user.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "allowed"


def test_sqs_uses_the_key_under_the_queues_arn_as_encryption_context(
    sqs: Any, endpoint: str, new_queue: Callable[..., str]
) -> None:
    key = make_client(endpoint, "kms").create_key()["KeyMetadata"]
    open_url, closed_url = new_queue(KmsMasterKeyId=key["Arn"]), new_queue(KmsMasterKeyId=key["Arn"])
    open_arn = sqs.get_queue_attributes(QueueUrl=open_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    iam = make_client(endpoint, "iam")
    name = f"sqs-ctx-{key['KeyId'][:8]}"
    iam.create_user(UserName=name)
    scoped = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "kms:GenerateDataKey",
                "Resource": key["Arn"],
                "Condition": {"StringEquals": {"kms:EncryptionContext:aws:sqs:arn": open_arn}},
            },
        ],
    }
    iam.put_user_policy(UserName=name, PolicyName="sqs", PolicyDocument=json.dumps(scoped))
    access = iam.create_access_key(UserName=name)["AccessKey"]
    user = make_client(endpoint, "sqs", key=access["AccessKeyId"], secret=access["SecretAccessKey"])
    user.send_message(QueueUrl=open_url, MessageBody="allowed")
    assert error_of(user.send_message, QueueUrl=closed_url, MessageBody="x")[:2] == (
        "KMS.AccessDeniedException",
        400,
    )


def test_a_key_that_is_not_for_encryption_refuses_the_send(
    sqs: Any, endpoint: str, new_queue: Callable[..., str]
) -> None:
    """KMS refuses an RSA signing key for a data key; SQS names it KMS.InvalidKeyUsageException
    (KmsInvalidKeyUsage in its model)."""
    kms = make_client(endpoint, "kms")
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    url = new_queue(KmsMasterKeyId=key["KeyId"])
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x")[:2] == ("KMS.InvalidKeyUsageException", 400)
