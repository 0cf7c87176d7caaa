"""A queue's Policy attribute is held to SQS's policy quota of 8,192 bytes: one byte more is
OverLimit (403, "Submitted policy is over max allowed size."), from SetQueueAttributes and from
CreateQueue alike, and the queue keeps the policy it had."""

from __future__ import annotations

import json
from typing import Any

from tests.services.sqs.support import error_of, unique

OVER_LIMIT = ("OverLimit", 403, "Submitted policy is over max allowed size.")


def _policy(size: int, arn: str = "arn:aws:sqs:us-east-1:000000000000:q") -> str:
    """A valid queue policy of exactly `size` bytes (UTF-8)."""
    statement = {"Sid": "", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn}
    base = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, separators=(",", ":"))
    statement["Sid"] = "s" * (size - len(base))
    text = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, separators=(",", ":"))
    assert len(text.encode()) == size
    return text


def test_a_policy_of_8192_bytes_is_accepted(sqs: Any, new_queue: Any) -> None:
    url = new_queue()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": _policy(8192)})
    stored = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    assert len(stored.encode()) == 8192


def test_a_policy_one_byte_over_the_quota_is_over_limit_and_the_old_one_stays(
    sqs: Any, new_queue: Any
) -> None:
    url = new_queue()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": _policy(500)})
    assert (
        error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": _policy(8193)}) == OVER_LIMIT
    )
    stored = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    assert stored == _policy(500)


def test_a_300_kb_policy_is_over_limit_whether_valid_json_or_not(sqs: Any, new_queue: Any) -> None:
    url = new_queue()
    assert (
        error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": _policy(300_000)})
        == OVER_LIMIT
    )
    assert (
        error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": "x" * 300_000}) == OVER_LIMIT
    )


def test_create_queue_with_an_oversized_policy_is_over_limit_and_creates_nothing(sqs: Any) -> None:
    name = unique("policy-size")
    assert error_of(sqs.create_queue, QueueName=name, Attributes={"Policy": _policy(8193)}) == OVER_LIMIT
    assert error_of(sqs.get_queue_url, QueueName=name)[0] == "AWS.SimpleQueueService.NonExistentQueue"


def test_bytes_not_characters_are_counted(sqs: Any, new_queue: Any) -> None:
    url = new_queue()
    # 8,000 characters, of which 200 take two bytes in UTF-8: 8,200 bytes.
    text = _policy(8000).replace("s" * 200, "é" * 200, 1)
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": text}) == OVER_LIMIT


def test_a_statement_of_more_than_seven_actions_is_over_limit(sqs: Any, new_queue: Any) -> None:
    url = new_queue()
    actions = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
               "sqs:GetQueueUrl", "sqs:ChangeMessageVisibility", "sqs:PurgeQueue", "sqs:ListQueueTags"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def policy(names: list[str]) -> str:
        statement = {"Effect": "Allow", "Principal": "*", "Action": names, "Resource": arn}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(actions[:7])})
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": policy(actions)}) == (
        "OverLimit",
        403,
        "8 actions were found in a statement from the submitted policy, max allowed is 7",
    )


def test_a_grant_that_would_take_the_policy_past_the_quota_is_over_limit(sqs: Any, new_queue: Any) -> None:
    url = new_queue()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": _policy(8100)})
    before = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    assert (
        error_of(sqs.add_permission, QueueUrl=url, Label="more", AWSAccountIds=["111111111111"], Actions=["SendMessage"])
        == OVER_LIMIT
    )
    after = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    assert after == before
