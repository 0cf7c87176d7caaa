"""SQS event source mappings as AWS answers them: the states Create and Update report, the
validation of batching, filters and starting positions, duplicate mappings, filtering of
messages, and the record Lambda hands the function.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, error_of, unique

# Sends the event it is given to the queue named by DEST, so a test can read what Lambda delivered.
FORWARD = """
import json, os, boto3
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["DEST"], MessageBody=json.dumps(
        {"version": context.function_version, "event": event}))
"""


@pytest.fixture(scope="module")
def sqs(server: ServerProcess) -> Any:
    return server.client("sqs")


@pytest.fixture(scope="module")
def esm_role(server: ServerProcess) -> str:
    iam: Any = server.client("iam")
    name = unique("esm-parity")
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
    iam.put_role_policy(RoleName=name, PolicyName="sqs", PolicyDocument=json.dumps(policy))
    return arn


@pytest.fixture
def made(lam: Any, esm_role: str) -> Iterator[Functions]:
    functions = Functions(lam, esm_role)
    yield functions
    functions.cleanup()


@pytest.fixture
def mappings(lam: Any) -> Iterator[list[str]]:
    created: list[str] = []
    yield created
    for mapping_id in created:
        lam.delete_event_source_mapping(UUID=mapping_id)


def _queue(sqs: Any, **attributes: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=unique("src"), Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _forwarding(made: Functions, sqs: Any) -> tuple[str, str]:
    """(function name, destination queue URL) of a function that forwards its events."""
    dest, _ = _queue(sqs)
    return made.python(FORWARD, timeout=10, Environment={"Variables": {"DEST": dest}}), dest


def _delivered(sqs: Any, dest: str) -> dict[str, Any]:
    for _ in range(4):
        answer = sqs.receive_message(QueueUrl=dest, WaitTimeSeconds=10)
        if answer.get("Messages"):
            message = answer["Messages"][0]
            sqs.delete_message(QueueUrl=dest, ReceiptHandle=message["ReceiptHandle"])
            forwarded: dict[str, Any] = json.loads(message["Body"])
            return forwarded
    raise AssertionError("the function was not invoked")


def test_create_and_get_omit_last_processing_result(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    _, arn = _queue(sqs)
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=made.python(FORWARD))
    mappings.append(created["UUID"])
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert (created["State"], created["StateTransitionReason"]) == ("Creating", "USER_INITIATED")
    assert "LastProcessingResult" not in created
    assert "LastProcessingResult" not in lam.get_event_source_mapping(UUID=created["UUID"])


def test_enabling_and_disabling_are_reported_as_such(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    _, arn = _queue(sqs)
    created = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=made.python(FORWARD), Enabled=False, BatchSize=1
    )
    mappings.append(created["UUID"])
    assert created["State"] == "Disabled"
    assert lam.update_event_source_mapping(UUID=created["UUID"], Enabled=True)["State"] == "Enabling"
    assert lam.get_event_source_mapping(UUID=created["UUID"])["State"] == "Enabled"
    assert lam.update_event_source_mapping(UUID=created["UUID"], Enabled=False)["State"] == "Disabling"
    assert lam.update_event_source_mapping(UUID=created["UUID"], BatchSize=2)["State"] == "Updating"


def test_update_to_a_batch_over_ten_needs_a_batching_window(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    _, arn = _queue(sqs)
    name = made.python(FORWARD)
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    mappings.append(created["UUID"])
    code, status, message, _ = error_of(
        lam.update_event_source_mapping, UUID=created["UUID"], FunctionName=name, BatchSize=11
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == (
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
    )
    assert lam.get_event_source_mapping(UUID=created["UUID"])["BatchSize"] == 10


def test_a_second_mapping_of_the_same_queue_and_function_conflicts(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    _, arn = _queue(sqs)
    name = made.python(FORWARD)
    first = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    mappings.append(first["UUID"])
    code, status, message, _ = error_of(
        lam.create_event_source_mapping, EventSourceArn=arn, FunctionName=name
    )
    assert (code, status) == ("ResourceConflictException", 409)
    assert message == (
        f'An event source mapping with SQS arn (" {arn} ") and function (" {name} ") already exists. '
        f"Please update or delete the existing mapping with UUID {first['UUID']}"
    )
    other = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=made.python(FORWARD))
    mappings.append(other["UUID"])


@pytest.mark.parametrize(
    "pattern",
    [
        "null",
        "simple string",
        '{"eventSource": "aws:sqs"}',
        '{"eventSource": []}',
        '{"body": [{"anything-but": {"prefix": 5}}]}',
        '{"body": [{"numeric": [">", 0, ">", 1]}]}',
        '{"body": [{"numeric": [5, 0]}]}',
    ],
)
def test_an_invalid_filter_pattern_is_refused(lam: Any, sqs: Any, made: Functions, pattern: str) -> None:
    _, arn = _queue(sqs)
    code, status, message, _ = error_of(
        lam.create_event_source_mapping,
        EventSourceArn=arn,
        FunctionName=made.python(FORWARD),
        MaximumBatchingWindowInSeconds=1,
        FilterCriteria={"Filters": [{"Pattern": pattern}]},
    )
    assert (code, status, message) == (
        "InvalidParameterValueException",
        400,
        "Invalid filter pattern definition.",
    )


def test_a_starting_position_is_refused_for_a_queue(lam: Any, sqs: Any, made: Functions) -> None:
    _, arn = _queue(sqs)
    code, status, message, _ = error_of(
        lam.create_event_source_mapping,
        EventSourceArn=arn,
        FunctionName=made.python(FORWARD),
        StartingPosition="LATEST",
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == "StartingPosition is not valid for SQS event sources."


def test_only_messages_a_filter_matches_are_delivered_and_the_rest_are_deleted(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    url, arn = _queue(sqs)
    name, dest = _forwarding(made, sqs)
    for body in ('{"n": 150}', '{"n": 200}', "plain text"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    pattern = {"body": {"n": [{"numeric": [">=", 100, "<", 200]}]}}
    created = lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=name,
        MaximumBatchingWindowInSeconds=1,
        FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]},
    )
    mappings.append(created["UUID"])
    assert [r["body"] for r in _delivered(sqs, dest)["event"]["Records"]] == ['{"n": 150}']
    assert "Messages" not in sqs.receive_message(QueueUrl=dest, WaitTimeSeconds=2)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]) == (
        "0",
        "0",
    )


def test_the_record_carries_message_attributes_as_lambda_writes_them(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    url, arn = _queue(sqs)
    name, dest = _forwarding(made, sqs)
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="with attributes",
        MessageAttributes={
            "Title": {"DataType": "String", "StringValue": "The Whistler"},
            "WeeksOn": {"DataType": "Number", "StringValue": "6"},
            "Raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)
    mappings.append(created["UUID"])
    record = _delivered(sqs, dest)["event"]["Records"][0]
    assert record["messageAttributes"] == {
        "Title": {
            "stringValue": "The Whistler",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "WeeksOn": {"stringValue": "6", "stringListValues": [], "binaryListValues": [], "dataType": "Number"},
        "Raw": {
            "binaryValue": base64.b64encode(b"\x00\x01").decode(),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert list(record) == [
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfMessageAttributes",
        "md5OfBody",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    ]


def test_a_record_without_message_attributes_has_a_null_digest(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    url, arn = _queue(sqs)
    name, dest = _forwarding(made, sqs)
    sqs.send_message(QueueUrl=url, MessageBody="bare")
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)
    mappings.append(created["UUID"])
    record = _delivered(sqs, dest)["event"]["Records"][0]
    assert (record["messageAttributes"], record["md5OfMessageAttributes"]) == ({}, None)
    assert list(record["attributes"]) == [
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    ]


def test_after_an_update_batches_go_to_the_version_the_mapping_names(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    url, arn = _queue(sqs)
    name, dest = _forwarding(made, sqs)
    first = lam.publish_version(FunctionName=name)["FunctionArn"]
    lam.update_function_configuration(FunctionName=name, Description="second")
    second = lam.publish_version(FunctionName=name)["FunctionArn"]
    created = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=first, MaximumBatchingWindowInSeconds=1
    )
    mappings.append(created["UUID"])
    sqs.send_message(QueueUrl=url, MessageBody="one")
    assert _delivered(sqs, dest)["version"] == "1"
    updated = lam.update_event_source_mapping(UUID=created["UUID"], FunctionName=second)
    assert (updated["State"], updated["FunctionArn"]) == ("Updating", second)
    sqs.send_message(QueueUrl=url, MessageBody="two")
    assert _delivered(sqs, dest)["version"] == "2"


def test_a_batching_window_is_refused_for_a_fifo_queue(lam: Any, sqs: Any, made: Functions) -> None:
    url = sqs.create_queue(QueueName=unique("src") + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    code, status, message, _ = error_of(
        lam.create_event_source_mapping,
        EventSourceArn=arn,
        FunctionName=made.python(FORWARD),
        BatchSize=5,
        MaximumBatchingWindowInSeconds=5,
    )
    assert (code, status, message) == (
        "InvalidParameterValueException",
        400,
        "Batching window is not supported for FIFO queues",
    )


def test_an_update_with_no_filters_delivers_every_message_again(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    url, arn = _queue(sqs)
    name, dest = _forwarding(made, sqs)
    pattern = {"body": {"n": [{"numeric": [">=", 100]}]}}
    created = lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=name,
        Enabled=False,
        FilterCriteria={"Filters": [{"Pattern": json.dumps(pattern)}]},
    )
    mappings.append(created["UUID"])
    sqs.send_message(QueueUrl=url, MessageBody='{"n": 1}')
    lam.update_event_source_mapping(UUID=created["UUID"], FilterCriteria={}, Enabled=True)
    assert [r["body"] for r in _delivered(sqs, dest)["event"]["Records"]] == ['{"n": 1}']
