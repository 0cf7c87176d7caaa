"""The event wiring between SQS and Lambda as AWS recorded it, where pocketcloud answered otherwise.

Evidence (AWS's answers, recorded by LocalStack's tests marked `@markers.aws.validated`;
github.com/localstack/localstack, tests/aws/services/lambda_/):
- event_source_mapping/test_lambda_integration_sqs.snapshot.json (recorded 2023 and again in
  October 2024), event_source_mapping/test_lambda_esm_sqs.snapshot.json and
  test_lambda_destinations.snapshot.json (TestLambdaDestinationEventbridge): every SQS record of a
  mapping with MaximumBatchingWindowInSeconds 0 (test_failing_lambda_retries_after_visibility_timeout,
  test_redrive_policy_with_failing_lambda, test_report_batch_item_failures*, the CDK-made mappings)
  has no md5OfMessageAttributes member when the message has no attributes; every record of a
  mapping with a window of 1 s (test_sqs_event_source_mapping, test_sqs_event_filter[*],
  test_sqs_event_source_mapping_update) has "md5OfMessageAttributes": null.
- The same file's test_sqs_event_source_mapping_update: GetEventSourceMapping after a batch was
  processed answers no LastProcessingResult; the AWS CLI reference of get-event-source-mapping:
  "This value will be null if an SQS queue is the event source."
"""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import wait_for
from tests.services.awslambda.support import Functions, delivered, forwarding, new_queue

# The members of an SQS record without message attributes, as AWS wrote them under no batching window.
BARE_RECORD = [
    "messageId",
    "receiptHandle",
    "body",
    "attributes",
    "messageAttributes",
    "md5OfBody",
    "eventSource",
    "eventSourceARN",
    "awsRegion",
]

# What GetEventSourceMapping answers for an SQS mapping (test_failing_lambda_retries_after_visibility_timeout).
MAPPING_MEMBERS = {
    "BatchSize",
    "EventSourceArn",
    "EventSourceMappingArn",
    "FunctionArn",
    "FunctionResponseTypes",
    "LastModified",
    "MaximumBatchingWindowInSeconds",
    "State",
    "StateTransitionReason",
    "UUID",
}

# Forwards the event it is given to the queue named by DEST, then fails.
FAILING = """
import json, os, boto3
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["DEST"], MessageBody=json.dumps({"event": event}))
    raise Exception("failed attempt")
"""


def _counts(sqs: Any, url: str) -> tuple[str, str]:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"]


def test_without_a_batching_window_a_record_without_attributes_has_no_attributes_digest(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    url, arn = new_queue(sqs)
    name, dest = forwarding(made, sqs)
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"fail_attempts": 0}))
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)
    mappings.append(created["UUID"])
    record = delivered(sqs, dest)["event"]["Records"][0]
    assert list(record) == BARE_RECORD
    assert record["messageAttributes"] == {}


def test_without_a_batching_window_a_record_with_attributes_has_their_digest(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    url, arn = new_queue(sqs)
    name, dest = forwarding(made, sqs)
    sqs.send_message(
        QueueUrl=url,
        MessageBody="with attributes",
        MessageAttributes={
            "Title": {"DataType": "String", "StringValue": "The Whistler"},
            "Author": {"DataType": "String", "StringValue": "John Grisham"},
            "WeeksOn": {"DataType": "Number", "StringValue": "6"},
        },
    )
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)
    mappings.append(created["UUID"])
    record = delivered(sqs, dest)["event"]["Records"][0]
    assert record["md5OfMessageAttributes"] == "d25a6aea97eb8f585bfa92d314504a92"


def test_a_mapping_reports_no_last_processing_result_after_batches_succeed_or_fail(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    url, arn = new_queue(sqs)
    name, dest = forwarding(made, sqs)
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)
    mappings.append(created["UUID"])
    sqs.send_message(QueueUrl=url, MessageBody="processed")
    delivered(sqs, dest)
    wait_for(lambda: _counts(sqs, url) == ("0", "0"))
    answer = lam.get_event_source_mapping(UUID=created["UUID"])
    assert set(answer) - {"ResponseMetadata"} == MAPPING_MEMBERS
    assert answer["State"] == "Enabled"
    listed = lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
    assert [set(m) for m in listed] == [MAPPING_MEMBERS]


def test_a_mapping_whose_function_fails_reports_no_last_processing_result(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    dest, _ = new_queue(sqs)
    failing = made.python(FAILING, timeout=2, Environment={"Variables": {"DEST": dest}})
    url, arn = new_queue(sqs, VisibilityTimeout="2")
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=failing, BatchSize=1)
    mappings.append(created["UUID"])
    sqs.send_message(QueueUrl=url, MessageBody="fails")
    # The failed batch comes back after the visibility timeout: received a second time, the
    # first attempt's failure has been settled.
    counts = [
        delivered(sqs, dest)["event"]["Records"][0]["attributes"]["ApproximateReceiveCount"] for _ in "12"
    ]
    assert counts == ["1", "2"]
    assert "LastProcessingResult" not in lam.get_event_source_mapping(UUID=created["UUID"])
    disabled = lam.update_event_source_mapping(UUID=created["UUID"], Enabled=False)
    assert (disabled["State"], "LastProcessingResult" in disabled) == ("Disabling", False)
