"""Unsigned (anonymous) SQS requests: a queue whose policy lets anyone ("Principal": "*" or
{"AWS": "*"}) make an action takes it unsigned ("You can allow shared queue access to anonymous
users. Such access requires no signature", SQS Developer Guide, "Granting Anonymous Access to a
Queue"), through the JSON protocol (an SDK client with signing turned off) or the query protocol (a
bare GET or form POST to the queue's URL). Anything else unsigned is refused as it always was: 403
MissingAuthenticationToken, "Request is missing Authentication Token"."""

from __future__ import annotations

import json
import random
import urllib.parse
from typing import Any

import boto3
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config

from tests.services.sqs.support import error_of, unique

MISSING_TOKEN = ("MissingAuthenticationToken", 403, "Request is missing Authentication Token")


@pytest.fixture(scope="module")
def anonymous(endpoint: str) -> Any:
    """An SQS client that signs nothing."""
    config = Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1})
    return boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", config=config)


def _queue_open_to_anyone(sqs: Any, new_queue: Any, action: str, principal: Any) -> str:
    url: str = new_queue("public")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": arn}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return url


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}], ids=["star", "aws-star"])
def test_an_unsigned_send_to_a_queue_open_to_anyone_is_accepted(
    sqs: Any, new_queue: Any, anonymous: Any, principal: Any
) -> None:
    url = _queue_open_to_anyone(sqs, new_queue, "sqs:SendMessage", principal)

    sent = anonymous.send_message(QueueUrl=url, MessageBody="from anyone")

    [message] = sqs.receive_message(QueueUrl=url)["Messages"]
    assert (message["MessageId"], message["Body"]) == (sent["MessageId"], "from anyone")


def test_an_unsigned_query_get_to_the_queue_url_sends(sqs: Any, new_queue: Any, endpoint: str) -> None:
    url = _queue_open_to_anyone(sqs, new_queue, "sqs:SendMessage", "*")
    query = urllib.parse.urlencode({"Action": "SendMessage", "MessageBody": "by GET", "Version": "2012-11-05"})

    answer = requests.get(f"{url}?{query}", timeout=30)

    assert answer.status_code == 200, answer.text
    assert "<SendMessageResponse" in answer.text
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["by GET"]


def test_an_unsigned_query_post_to_the_queue_url_sends(sqs: Any, new_queue: Any) -> None:
    url = _queue_open_to_anyone(sqs, new_queue, "sqs:SendMessage", {"AWS": "*"})
    form = {"Action": "SendMessage", "MessageBody": "by POST", "Version": "2012-11-05"}

    answer = requests.post(url, data=form, timeout=30)  # application/x-www-form-urlencoded

    assert answer.status_code == 200, answer.text
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["by POST"]


def test_an_unsigned_query_post_at_the_regional_sqs_host_sends(sqs: Any, new_queue: Any) -> None:
    # Host sqs.us-east-1.localhost (AWS's sqs.us-east-1.amazonaws.com) read as S3's bucket "sqs.us-east-1".
    url = _queue_open_to_anyone(sqs, new_queue, "sqs:SendMessage", "*")
    port = urllib.parse.urlsplit(url).port
    form = {"Action": "SendMessage", "MessageBody": "by region", "Version": "2012-11-05"}

    answer = requests.post(url, data=form, headers={"Host": f"sqs.us-east-1.localhost:{port}"}, timeout=30)

    assert answer.status_code == 200, answer.text
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["by region"]


def test_only_the_actions_the_policy_opens_are_taken_unsigned(
    sqs: Any, new_queue: Any, anonymous: Any
) -> None:
    url = _queue_open_to_anyone(sqs, new_queue, "sqs:SendMessage", "*")
    sqs.send_message(QueueUrl=url, MessageBody="private")

    assert error_of(anonymous.receive_message, QueueUrl=url) == MISSING_TOKEN
    assert error_of(anonymous.delete_queue, QueueUrl=url) == MISSING_TOKEN
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["private"]


def test_an_unsigned_request_to_a_queue_without_a_policy_is_refused(
    sqs: Any, new_queue: Any, anonymous: Any, endpoint: str
) -> None:
    url = new_queue("private")

    assert error_of(anonymous.send_message, QueueUrl=url, MessageBody="x") == MISSING_TOKEN
    query = urllib.parse.urlencode({"Action": "SendMessage", "MessageBody": "x", "Version": "2012-11-05"})
    answer = requests.get(f"{url}?{query}", timeout=30)
    assert answer.status_code == 403
    assert "<Code>MissingAuthenticationToken</Code>" in answer.text
    assert "<Message>Request is missing Authentication Token</Message>" in answer.text
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_an_unsigned_request_to_a_missing_queue_is_refused_alike(
    sqs: Any, new_queue: Any, anonymous: Any
) -> None:
    url = new_queue("gone")
    sqs.delete_queue(QueueUrl=url)

    assert error_of(anonymous.send_message, QueueUrl=url, MessageBody="x") == MISSING_TOKEN


def test_operations_on_no_queue_are_refused_unsigned(sqs: Any, anonymous: Any) -> None:
    name = unique("anonymous")

    assert error_of(anonymous.list_queues) == MISSING_TOKEN
    assert error_of(anonymous.create_queue, QueueName=name) == MISSING_TOKEN
    assert error_of(anonymous.get_queue_url, QueueName=name) == MISSING_TOKEN
    assert sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []) == []


def test_an_unsigned_s3_post_to_a_key_in_a_bucket_named_like_an_account_stays_s3s(endpoint: str) -> None:
    # A queue URL's path is also a key in a bucket of twelve digits; an S3 POST to a key names a
    # subresource (`?uploads`) and may carry any Content-Type, a form's included (the object's type).
    path = f"/{random.randrange(10**11, 10**12)}/upload"

    answer = requests.post(
        f"{endpoint}{path}?uploads", headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30
    )

    assert answer.status_code == 404, answer.text
    assert "<Code>NoSuchBucket</Code>" in answer.text  # S3's answer, not SQS's <UnknownOperationException/>
