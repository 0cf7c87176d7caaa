"""Services that send to or read from a queue encrypted with a KMS key use the key too.

S3 delivers events in its own name (s3.amazonaws.com), so the key policy must let it use the key:
the AWS managed key alias/aws/sqs never does, and S3 refuses such a destination ("Unable to
validate the following destination configurations"); with validation skipped, its events are
lost. Lambda sends dead-letter records and reads an event source as the function's execution
role, which needs kms:GenerateDataKey to send and kms:Decrypt to read (SQS Developer Guide, "Key
management"; S3 User Guide, "Granting permissions to publish event notification messages").
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, wait_for
from tests.services.awslambda.support import LAMBDA_TRUST, Functions

ACCOUNT = "000000000000"
FAILS = "def handler(event, context):\n    raise ValueError('failed ' + str(event['n']))\n"


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _key(server: ServerProcess, *extra_statements: dict[str, Any]) -> str:
    """A customer managed key whose policy is KMS's default (the account's IAM policies decide) plus
    `extra_statements`."""
    root = {
        "Sid": "Enable IAM User Permissions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    policy = {"Version": "2012-10-17", "Statement": [root, *extra_statements]}
    arn: str = server.client("kms").create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]
    return arn


def _s3_may_use_key(bucket: str) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
    }


def _queue(server: ServerProcess, key: str | None, bucket: str | None = None) -> tuple[str, str]:
    """(url, arn) of a queue encrypted with `key` (none: unencrypted) whose policy lets `bucket`'s
    events in."""
    sqs = server.client("sqs")
    attributes = {"KmsMasterKeyId": key} if key else {}
    url = sqs.create_queue(QueueName=_name("enc"), Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if bucket:
        statement = {
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": arn,
            "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
        }
        policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    return url, arn


def _bucket(server: ServerProcess) -> str:
    name = _name("enc-events")
    server.client("s3").create_bucket(Bucket=name)
    return name


def _bodies(server: ServerProcess, url: str, wait: int = 1) -> list[str]:
    sqs = server.client("sqs")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get(
        "Messages", []
    )
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [m["Body"] for m in messages]


def _created_events(queue_arn: str, prefix: str = "") -> dict[str, Any]:
    rule = {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}} if prefix else {}
    return {
        "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"], "Filter": rule}]
    }


def _refused(server: ServerProcess, bucket: str, config: dict[str, Any]) -> dict[str, Any]:
    try:
        server.client("s3").put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration=config
        )
    except ClientError as error:
        return dict(error.response["Error"])
    raise AssertionError("the configuration was accepted")


def test_s3_cannot_notify_a_queue_under_the_aws_managed_key(server: ServerProcess) -> None:
    bucket = _bucket(server)
    _, arn = _queue(server, "alias/aws/sqs", bucket)
    error = _refused(server, bucket, _created_events(arn))
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == "Unable to validate the following destination configurations"
    assert error["ArgumentName1"] == arn
    assert error["ArgumentValue1"] == (
        "Permissions on the destination queue do not allow S3 to publish notifications from this bucket"
    )


def test_s3_notifies_a_queue_whose_key_policy_lets_it(server: ServerProcess) -> None:
    bucket = _bucket(server)
    # The key policy's default: the account's IAM policies decide, and S3 is no IAM principal.
    _, refused_arn = _queue(server, _key(server), bucket)
    assert _refused(server, bucket, _created_events(refused_arn))["ArgumentName1"] == refused_arn

    url, arn = _queue(server, _key(server, _s3_may_use_key(bucket)), bucket)
    server.client("s3").put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=_created_events(arn)
    )
    assert json.loads(_bodies(server, url)[0])["Event"] == "s3:TestEvent"
    server.client("s3").put_object(Bucket=bucket, Key="sealed.txt", Body=b"x")
    bodies: list[str] = []
    wait_for(lambda: bool(bodies.extend(_bodies(server, url)) or bodies))
    record = json.loads(bodies[0])["Records"][0]
    assert (record["eventName"], record["s3"]["object"]["key"]) == ("ObjectCreated:Put", "sealed.txt")


def test_with_validation_skipped_events_to_a_queue_s3_cannot_encrypt_for_are_lost(
    server: ServerProcess,
) -> None:
    bucket = _bucket(server)
    sealed_url, sealed_arn = _queue(server, "alias/aws/sqs", bucket)
    plain_url, plain_arn = _queue(server, None, bucket)
    config = {
        "QueueConfigurations": [
            *_created_events(sealed_arn, "sealed/")["QueueConfigurations"],
            *_created_events(plain_arn, "plain/")["QueueConfigurations"],
        ]
    }
    server.client("s3").put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=config, SkipDestinationValidation=True
    )
    s3 = server.client("s3")
    s3.put_object(Bucket=bucket, Key="sealed/a", Body=b"x")
    s3.put_object(Bucket=bucket, Key="plain/b", Body=b"x")
    plain: list[str] = []
    wait_for(lambda: bool(plain.extend(_bodies(server, plain_url)) or plain))
    assert json.loads(plain[0])["Records"][0]["s3"]["object"]["key"] == "plain/b"
    assert _bodies(server, sealed_url, wait=2) == []


def _role(server: ServerProcess, statements: list[dict[str, Any]]) -> tuple[str, str]:
    iam = server.client("iam")
    role = iam.create_role(RoleName=_name("enc-role"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]
    _grant(server, role["RoleName"], statements)
    return role["RoleName"], role["Arn"]


def _grant(server: ServerProcess, role_name: str, statements: list[dict[str, Any]]) -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    server.client("iam").put_role_policy(RoleName=role_name, PolicyName="access", PolicyDocument=policy)


def test_a_dead_letter_record_needs_the_role_allowed_to_use_the_queues_key(server: ServerProcess) -> None:
    key = _key(server)
    url, arn = _queue(server, key)
    send = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn}
    role_name, role_arn = _role(server, [send])
    lam, logs = server.client("lambda"), server.client("logs")
    made = Functions(lam, role_arn)
    try:
        name = made.python(FAILS, DeadLetterConfig={"TargetArn": arn})
        lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
        first = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
        request_id = first["ResponseMetadata"]["RequestId"]

        def reported() -> bool:
            try:
                events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", filterPattern="REPORT")
            except ClientError:
                return False
            return any(request_id in e["message"] for e in events["events"])

        wait_for(reported)
        time.sleep(1)  # the dead-letter send follows the invocation's end
        # Without kms:GenerateDataKey on the queue's key the record is dropped ...
        assert _bodies(server, url, wait=1) == []
        # ... and with it, the next failure's record arrives.
        _grant(
            server, role_name, [send, {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": key}]
        )
        lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 2}')
        bodies: list[str] = []
        wait_for(lambda: bool(bodies.extend(_bodies(server, url)) or bodies))
        assert [json.loads(b) for b in bodies] == [{"n": 2}]
    finally:
        made.cleanup()


def test_an_event_source_mapping_needs_the_role_allowed_to_decrypt(server: ServerProcess) -> None:
    key = _key(server)
    url, arn = _queue(server, key)
    reads = {
        "Effect": "Allow",
        "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
        "Resource": arn,
    }
    role_name, role_arn = _role(server, [reads])
    lam, sqs = server.client("lambda"), server.client("sqs")
    made = Functions(lam, role_arn)
    mapping = None
    try:
        name = made.python("def handler(event, context):\n    return None\n", timeout=10)
        sqs.send_message(QueueUrl=url, MessageBody="sealed")
        mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)["UUID"]
        wait_for(
            lambda: "KmsAccessDenied" in lam.get_event_source_mapping(UUID=mapping).get("LastProcessingResult", "")
        )
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"

        _grant(server, role_name, [reads, {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key}])

        def drained() -> bool:
            counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            return (
                counts["ApproximateNumberOfMessages"]
                == counts["ApproximateNumberOfMessagesNotVisible"]
                == "0"
            )

        wait_for(drained)
        assert "LastProcessingResult" not in lam.get_event_source_mapping(UUID=mapping)
    finally:
        if mapping is not None:
            lam.delete_event_source_mapping(UUID=mapping)
        made.cleanup()
