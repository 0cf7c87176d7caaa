"""SQS event source mappings as AWS answers them: the states Create and Update report, the
validation of batching, filters and starting positions, duplicate mappings, filtering of
messages, and the record Lambda hands the function.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.services.awslambda.support import (
    FORWARD,
    Functions,
    delivered,
    error_of,
    forwarding,
    new_queue,
    unique,
)


def test_create_and_get_omit_last_processing_result(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    _, arn = new_queue(sqs)
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=made.python(FORWARD))
    mappings.append(created["UUID"])
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert (created["State"], created["StateTransitionReason"]) == ("Creating", "USER_INITIATED")
    assert "LastProcessingResult" not in created
    assert "LastProcessingResult" not in lam.get_event_source_mapping(UUID=created["UUID"])


def test_enabling_and_disabling_are_reported_as_such(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    _, arn = new_queue(sqs)
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
    _, arn = new_queue(sqs)
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
    _, arn = new_queue(sqs)
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
    _, arn = new_queue(sqs)
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
    _, arn = new_queue(sqs)
    code, status, message, _ = error_of(
        lam.create_event_source_mapping,
        EventSourceArn=arn,
        FunctionName=made.python(FORWARD),
        StartingPosition="LATEST",
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == "StartingPosition is not valid for SQS event sources."


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("MaximumRetryAttempts", 2),
        ("BisectBatchOnFunctionError", True),
        ("ParallelizationFactor", 2),
        ("TumblingWindowInSeconds", 60),
        ("MaximumRecordAgeInSeconds", 3600),
        ("DestinationConfig", {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:somewhere"}}),
    ],
)
def test_a_stream_sources_error_handling_is_refused_for_a_queue(
    lam: Any, sqs: Any, made: Functions, member: str, value: Any
) -> None:
    # "The following error handling options are available only for stream sources (DynamoDB and
    # Kinesis)" (CreateEventSourceMapping); Lambda names the member it refuses.
    _, arn = new_queue(sqs)
    code, status, message, _ = error_of(
        lam.create_event_source_mapping, EventSourceArn=arn, FunctionName=made.python(FORWARD), **{member: value}
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == f"Unsupported '{member}' parameter for given event source mapping type"


def test_only_messages_a_filter_matches_are_delivered_and_the_rest_are_deleted(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    url, arn = new_queue(sqs)
    name, dest = forwarding(made, sqs)
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
    assert [r["body"] for r in delivered(sqs, dest)["event"]["Records"]] == ['{"n": 150}']
    assert "Messages" not in sqs.receive_message(QueueUrl=dest, WaitTimeSeconds=2)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]) == (
        "0",
        "0",
    )


def test_the_record_carries_message_attributes_as_lambda_writes_them(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    url, arn = new_queue(sqs)
    name, dest = forwarding(made, sqs)
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
    record = delivered(sqs, dest)["event"]["Records"][0]
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


def test_a_record_without_message_attributes_has_a_null_digest_under_a_batching_window(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    url, arn = new_queue(sqs)
    name, dest = forwarding(made, sqs)
    sqs.send_message(QueueUrl=url, MessageBody="bare")
    created = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, BatchSize=1, MaximumBatchingWindowInSeconds=1
    )
    mappings.append(created["UUID"])
    record = delivered(sqs, dest)["event"]["Records"][0]
    assert (record["messageAttributes"], record["md5OfMessageAttributes"]) == ({}, None)
    assert list(record["attributes"]) == [
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    ]


def test_a_record_read_from_a_dead_letter_queue_names_the_queue_it_came_from_first(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    """A function mapped to a DLQ is told where each message was moved from: the record's
    attributes start with DeadLetterQueueSourceArn, as in the event recorded from AWS in
    powertools-lambda-python's tests/events/sqsDlqTriggerEvent.json."""
    _, dlq_arn = new_queue(sqs)
    url, arn = new_queue(
        sqs,
        VisibilityTimeout="1",
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}),
    )
    sqs.send_message(QueueUrl=url, MessageBody="moved")
    assert len(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]) == 1
    # Its second receive moves it to the DLQ instead of delivering it.
    for _ in range(10):
        if "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1):
            counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            if counts["ApproximateNumberOfMessagesNotVisible"] == "0":
                break
    name, dest = forwarding(made, sqs)
    created = lam.create_event_source_mapping(EventSourceArn=dlq_arn, FunctionName=name, BatchSize=1)
    mappings.append(created["UUID"])
    record = delivered(sqs, dest)["event"]["Records"][0]
    assert (record["body"], record["eventSourceARN"]) == ("moved", dlq_arn)
    assert record["attributes"]["DeadLetterQueueSourceArn"] == arn
    assert list(record["attributes"]) == [
        "DeadLetterQueueSourceArn",
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    ]


def test_after_an_update_batches_go_to_the_version_the_mapping_names(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    url, arn = new_queue(sqs)
    name, dest = forwarding(made, sqs)
    first = lam.publish_version(FunctionName=name)["FunctionArn"]
    lam.update_function_configuration(FunctionName=name, Description="second")
    second = lam.publish_version(FunctionName=name)["FunctionArn"]
    created = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=first, MaximumBatchingWindowInSeconds=1
    )
    mappings.append(created["UUID"])
    sqs.send_message(QueueUrl=url, MessageBody="one")
    assert delivered(sqs, dest)["version"] == "1"
    updated = lam.update_event_source_mapping(UUID=created["UUID"], FunctionName=second)
    assert (updated["State"], updated["FunctionArn"]) == ("Updating", second)
    sqs.send_message(QueueUrl=url, MessageBody="two")
    assert delivered(sqs, dest)["version"] == "2"


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
    url, arn = new_queue(sqs)
    name, dest = forwarding(made, sqs)
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
    assert [r["body"] for r in delivered(sqs, dest)["event"]["Records"]] == ['{"n": 1}']
