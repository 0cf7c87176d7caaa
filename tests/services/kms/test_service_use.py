"""A key another service uses for its caller (an SQS queue's KmsMasterKeyId, S3's SSE-KMS) is decided
by the key's own policy and its own tags: aws:ResourceTag/<key> of that decision is the KMS key's tag
("Use tags to control access to KMS keys"), never the queue's or the bucket's, whose tags their own
service's policies see."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from typing import Any

from tests.conftest import make_client
from tests.services.kms.support import ROOT_ARN, allow, error_of, policy


def _sqs_user(endpoint: str) -> tuple[str, Any]:
    """An IAM user allowed sqs:* by IAM, and nothing of KMS: its ARN and SQS client."""
    iam = make_client(endpoint, "iam")
    name = f"kms-abac-{uuid.uuid4().hex[:8]}"
    arn: str = iam.create_user(UserName=name)["User"]["Arn"]
    allowed = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="sqs", PolicyDocument=json.dumps(allowed))
    access = iam.create_access_key(UserName=name)["AccessKey"]
    return arn, make_client(endpoint, "sqs", key=access["AccessKeyId"], secret=access["SecretAccessKey"])


def test_a_queues_tags_do_not_stand_in_for_the_keys_tags(kms: Any, endpoint: str) -> None:
    user_arn, user = _sqs_user(endpoint)
    tagged_for_blue = allow({"AWS": user_arn}, ["kms:GenerateDataKey", "kms:Decrypt"])
    tagged_for_blue["Condition"] = {"StringEquals": {"aws:ResourceTag/team": "blue"}}
    key = kms.create_key(Policy=policy(allow({"AWS": ROOT_ARN}), tagged_for_blue))["KeyMetadata"]
    sqs = make_client(endpoint, "sqs")
    url = sqs.create_queue(
        QueueName=f"abac-{uuid.uuid4().hex[:8]}", Attributes={"KmsMasterKeyId": key["Arn"]}, tags={"team": "blue"}
    )["QueueUrl"]
    code, status, message = error_of(user.send_message, QueueUrl=url, MessageBody="x")
    assert (code, status) == ("KMS.AccessDeniedException", 400)
    kms.tag_resource(KeyId=key["KeyId"], Tags=[{"TagKey": "team", "TagValue": "blue"}])
    user.send_message(QueueUrl=url, MessageBody="the key's own tag")
    assert user.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "the key's own tag"


def test_s3_refuses_an_sse_kms_write_under_a_key_that_is_not_a_symmetric_encryption_key(
    kms: Any, endpoint: str
) -> None:
    # "Amazon S3 only supports symmetric encryption KMS keys" (S3 API reference, SSEKMSKeyId); S3's
    # GenerateDataKey is refused and passed on as KMS.InvalidKeyUsageException, 400 (S3 error codes).
    s3 = make_client(endpoint, "s3")
    bucket = f"kms-usage-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    rsa = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
    hmac = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["Arn"]
    for key in (rsa, hmac):
        code, status, message = error_of(
            s3.put_object, Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key
        )
        assert (code, status) == ("KMS.InvalidKeyUsageException", 400)
        assert key in message
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_a_grant_lambda_makes_for_its_caller_is_for_an_aws_resource(kms: Any, endpoint: str) -> None:
    # The console's default key policy lets key users create grants only through services:
    # "Bool": {"kms:GrantIsForAWSResource": "true"} ("kms:GrantIsForAWSResource": true when an AWS
    # service integrated with KMS calls CreateGrant on the user's behalf). Lambda's KMSKeyArn is such a
    # grant, made as the caller.
    iam = make_client(endpoint, "iam")
    name = f"kms-grants-{uuid.uuid4().hex[:8]}"
    user_arn = iam.create_user(UserName=name)["User"]["Arn"]
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]}  # fmt: skip
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    allowed = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["lambda:*", "iam:PassRole"], "Resource": "*"}
    ]}  # fmt: skip
    iam.put_user_policy(UserName=name, PolicyName="lambda", PolicyDocument=json.dumps(allowed))
    access = iam.create_access_key(UserName=name)["AccessKey"]
    lam = make_client(endpoint, "lambda", key=access["AccessKeyId"], secret=access["SecretAccessKey"])
    through_services = allow({"AWS": user_arn}, ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"])
    through_services["Condition"] = {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    key = kms.create_key(Policy=policy(allow({"AWS": ROOT_ARN}), through_services))["KeyMetadata"]
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 1\n")
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=role_arn, Handler="app.handler",
        Code={"ZipFile": package.getvalue()}, KMSKeyArn=key["Arn"], Environment={"Variables": {"AB": "c"}},
    )  # fmt: skip
    try:
        assert lam.get_function_configuration(FunctionName=name)["KMSKeyArn"] == key["Arn"]
    finally:
        lam.delete_function(FunctionName=name)
    user_kms = make_client(endpoint, "kms", key=access["AccessKeyId"], secret=access["SecretAccessKey"])
    code, _, _ = error_of(user_kms.create_grant, KeyId=key["Arn"], GranteePrincipal=user_arn, Operations=["Decrypt"])
    assert code == "AccessDeniedException"  # not through a service: the condition does not hold
