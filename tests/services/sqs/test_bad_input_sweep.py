"""Inputs found by the robustness sweep (every operation, garbage and boundary input) that once
answered 500: each must get SQS's own 4xx error. The client skips botocore's parameter validation so
the request reaches the server as written."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.sqs.support import error_of

NO_QUEUE = ("AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist.")


@pytest.fixture(scope="module")
def unchecked(endpoint: str) -> Any:
    return make_client(endpoint, "sqs", parameter_validation=False)


@pytest.mark.parametrize("name", ["\ud800", "q\udfffq", "ü"], ids=["lone-high", "lone-low", "non-ascii"])
def test_a_queue_url_with_unencodable_text_names_no_queue(unchecked: Any, endpoint: str, name: str) -> None:
    # A JSON body may carry a lone surrogate (\ud800): valid JSON, but no queue can be named by it.
    url = f"{endpoint}/{ROOT_ACCOUNT}/{name}"
    assert error_of(unchecked.get_queue_attributes, QueueUrl=url) == NO_QUEUE
    assert error_of(unchecked.send_message, QueueUrl=url, MessageBody="x") == NO_QUEUE
    assert error_of(unchecked.tag_queue, QueueUrl=url, Tags={"k": "v"}) == NO_QUEUE


def test_get_queue_url_with_a_lone_surrogate_names_no_queue(unchecked: Any) -> None:
    assert error_of(unchecked.get_queue_url, QueueName="\ud800") == NO_QUEUE
    # Another account's queue is refused as any unknown account's would be (a 4xx, not a 500).
    other = error_of(unchecked.get_queue_url, QueueName="q", QueueOwnerAWSAccountId="999999999999")
    assert other == NO_QUEUE
    assert error_of(unchecked.get_queue_url, QueueName="q", QueueOwnerAWSAccountId="\ud800") == other


def test_list_queues_with_a_non_ascii_prefix_lists_nothing(
    unchecked: Any, new_queue: Callable[..., str]
) -> None:
    new_queue()
    for prefix in ("\ud800", "a\udfffb", "ü"):
        assert "QueueUrls" not in unchecked.list_queues(QueueNamePrefix=prefix)


def _token(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()


@pytest.mark.parametrize(
    "text", ['{"after": "\\ud800"}', "[" * 5000 + "]" * 5000], ids=["lone-surrogate", "nested"]
)
def test_a_forged_list_queues_token_is_invalid(unchecked: Any, text: str) -> None:
    assert error_of(unchecked.list_queues, MaxResults=5, NextToken=_token(text)) == (
        "InvalidParameterValue",
        400,
        "Invalid NextToken value.",
    )


@pytest.mark.parametrize(
    "text",
    ['{"taskId": "\\ud800", "sourceArn": "arn:aws:sqs:us-east-1:000000000000:q"}', "[" * 5000 + "]" * 5000],
    ids=["lone-surrogate", "nested"],
)
def test_a_forged_task_handle_is_invalid(unchecked: Any, text: str) -> None:
    assert error_of(unchecked.cancel_message_move_task, TaskHandle=_token(text)) == (
        "InvalidParameterValue",
        400,
        "Value for parameter TaskHandle is invalid.",
    )


def test_queue_policies_nested_too_deep_are_invalid_attribute_values(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    deep = '{"a":' * 1200 + "1" + "}" * 1200
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": deep}) == (
        "InvalidAttributeValue",
        400,
        "Invalid value for the parameter Policy.",
    )
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"RedrivePolicy": deep}) == (
        "InvalidAttributeValue",
        400,
        "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.",
    )
