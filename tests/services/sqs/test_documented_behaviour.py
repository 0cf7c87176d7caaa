"""SQS held to the statements of its Developer Guide and API Reference that the recorded-answer
suites do not reach: the FIFO queue delay being retroactive, FIFO receive attempts not replayed once
their messages' visibility changed and restarting it when replayed, AddPermission's statement quota and CreateQueue's sqs:TagQueue
check, redriven messages being new messages, the in-flight message quota, and the range a Number
message attribute can hold. Each test cites the page it checks."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ServerProcess, make_client, wait_for
from tests.raw_http import JsonConnection
from tests.services.iam.support import Caller, allow, doc
from tests.services.sqs.support import error_of, unique


def _attribute(sqs: Any, url: str, name: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[name])["Attributes"][name])


def _bodies(sqs: Any, url: str) -> list[str]:
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]


# -- delay queues -------------------------------------------------------------------------------


def test_shortening_a_fifo_queue_delay_releases_the_messages_already_waiting(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    """SQS Developer Guide, "Amazon SQS delay queues": "For FIFO queues, the per-queue delay setting is retroactive—
    changing the setting affects the delay of messages already in the queue." """
    url = new_queue(fifo=True, DelaySeconds=900)
    sqs.send_message(QueueUrl=url, MessageBody="waiting", MessageGroupId="g", MessageDeduplicationId="d")
    assert _bodies(sqs, url) == []

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0"})

    assert _attribute(sqs, url, "ApproximateNumberOfMessagesDelayed") == "0"
    assert _bodies(sqs, url) == ["waiting"]


def test_lengthening_a_fifo_queue_delay_holds_back_the_messages_not_yet_received(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    """SQS Developer Guide, "Amazon SQS delay queues": on a FIFO queue a new per-queue delay applies to the messages
    already in the queue; a message already received (in flight) is not delayed but stays in flight."""
    url = new_queue(fifo=True)
    sqs.send_message(QueueUrl=url, MessageBody="received", MessageGroupId="a", MessageDeduplicationId="1")
    in_flight = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.send_message(QueueUrl=url, MessageBody="waiting", MessageGroupId="b", MessageDeduplicationId="2")

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "900"})

    assert _bodies(sqs, url) == []
    assert _attribute(sqs, url, "ApproximateNumberOfMessagesDelayed") == "1"
    assert _attribute(sqs, url, "ApproximateNumberOfMessagesNotVisible") == "1"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=in_flight["ReceiptHandle"])  # its handle still works
    assert _attribute(sqs, url, "ApproximateNumberOfMessagesNotVisible") == "0"


def test_a_standard_queue_delay_change_leaves_the_messages_already_sent_alone(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    """SQS Developer Guide, "Amazon SQS delay queues": "For standard queues, the per-queue delay setting is not
    retroactive—changing the setting doesn't affect the delay of messages already in the queue." """
    delayed = new_queue(DelaySeconds=900)
    sqs.send_message(QueueUrl=delayed, MessageBody="still delayed")
    sqs.set_queue_attributes(QueueUrl=delayed, Attributes={"DelaySeconds": "0"})
    assert _bodies(sqs, delayed) == []

    prompt = new_queue()
    sqs.send_message(QueueUrl=prompt, MessageBody="not delayed")
    sqs.set_queue_attributes(QueueUrl=prompt, Attributes={"DelaySeconds": "900"})
    assert _bodies(sqs, prompt) == ["not delayed"]


def test_a_fifo_queue_delay_change_outlives_a_restart(tmp_path: Path) -> None:
    """SQS Developer Guide, "Amazon SQS delay queues" (FIFO: retroactive): the new deadlines of the waiting messages are
    stored, not just applied in memory."""
    server = ServerProcess(data_dir=tmp_path).start()
    try:
        sqs: Any = server.client("sqs")
        url = sqs.create_queue(
            QueueName=unique() + ".fifo", Attributes={"FifoQueue": "true", "DelaySeconds": "900"}
        )["QueueUrl"]
        path = url.split("/", 3)[3]
        sqs.send_message(QueueUrl=url, MessageBody="waiting", MessageGroupId="g", MessageDeduplicationId="d")
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0"})
        server.kill9()

        server.start()
        sqs = server.client("sqs")
        assert _bodies(sqs, f"{server.endpoint}/{path}") == ["waiting"]
    finally:
        server.stop()


# -- FIFO receive request attempts -----------------------------------------------------------------


def _fifo_with_two_groups(sqs: Any, new_queue: Callable[..., str]) -> str:
    url = new_queue(fifo=True)
    sqs.send_message(QueueUrl=url, MessageBody="first", MessageGroupId="a", MessageDeduplicationId="1")
    sqs.send_message(QueueUrl=url, MessageBody="second", MessageGroupId="b", MessageDeduplicationId="2")
    return url


def test_a_receive_attempt_whose_message_was_made_visible_again_is_not_replayed(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    """API Reference, ReceiveMessage, ReceiveRequestAttemptId: "It is possible to retry the
    ReceiveMessage action with the same ReceiveRequestAttemptId if none of the messages have been
    modified (deleted or had their visibility changes)." After a change the retry is a new receive."""
    url = new_queue(fifo=True)
    sqs.send_message(QueueUrl=url, MessageBody="first", MessageGroupId="a", MessageDeduplicationId="1")
    first = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt")["Messages"][0]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"], VisibilityTimeout=0)

    again = sqs.receive_message(
        QueueUrl=url,
        ReceiveRequestAttemptId="attempt",
        MessageSystemAttributeNames=["ApproximateReceiveCount"],
    )["Messages"][0]

    assert again["Body"] == "first"
    assert again["ReceiptHandle"] != first["ReceiptHandle"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"


def test_a_receive_attempt_whose_visibility_was_extended_is_not_replayed(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    """API Reference, ReceiveMessage, ReceiveRequestAttemptId (as above): once its message's visibility
    changed, a retry with the same id receives afresh, and the first message is still in flight."""
    url = _fifo_with_two_groups(sqs, new_queue)
    first = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt")["Messages"][0]
    sqs.change_message_visibility_batch(
        QueueUrl=url, Entries=[{"Id": "e", "ReceiptHandle": first["ReceiptHandle"], "VisibilityTimeout": 600}]
    )

    again = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt")["Messages"]

    assert [m["Body"] for m in again] == ["second"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])  # still the current handle


def test_a_retried_receive_attempt_restarts_the_visibility_timeout(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    """API Reference, ReceiveMessage, ReceiveRequestAttemptId: "During a visibility timeout, subsequent
    calls with the same ReceiveRequestAttemptId return the same messages and receipt handles. If a retry
    occurs within the deduplication interval, it resets the visibility timeout." """
    url = new_queue(fifo=True)
    sqs.send_message(QueueUrl=url, MessageBody="first", MessageGroupId="a", MessageDeduplicationId="1")
    start = time.monotonic()
    first = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt", VisibilityTimeout=3)
    time.sleep(max(0.0, 1.5 - (time.monotonic() - start)))
    again = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt", VisibilityTimeout=3)
    time.sleep(max(0.0, 3.5 - (time.monotonic() - start)))  # past the first timeout, within the restarted one

    assert again["Messages"][0]["ReceiptHandle"] == first["Messages"][0]["ReceiptHandle"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    assert _attribute(sqs, url, "ApproximateNumberOfMessagesNotVisible") == "1"


# -- permissions ----------------------------------------------------------------------------------


def test_add_permission_past_the_policy_statement_quota_is_over_limit(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    """API Reference, AddPermission, Errors: OverLimit, "AddPermission returns this error if the maximum
    number of permissions for the queue is reached"; each permission is a statement of the queue
    policy, and "Amazon SQS policy quotas" allow 20 statements. The queue keeps the 20 it has."""
    url = new_queue()
    for i in range(20):
        sqs.add_permission(
            QueueUrl=url, Label=f"p{i}", AWSAccountIds=["111111111111"], Actions=["SendMessage"]
        )
    before = _attribute(sqs, url, "Policy")

    code, status, _ = error_of(
        sqs.add_permission, QueueUrl=url, Label="p20", AWSAccountIds=["111111111111"], Actions=["SendMessage"]
    )

    assert (code, status) == ("OverLimit", 403)
    assert _attribute(sqs, url, "Policy") == before
    assert len(json.loads(before)["Statement"]) == 20
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": before})  # still a policy SQS takes


def test_creating_a_queue_with_tags_needs_the_tag_queue_permission_too(endpoint: str) -> None:
    """API Reference, CreateQueue, tags: "To be able to tag a queue on creation, you must have the
    sqs:CreateQueue and sqs:TagQueue permissions." """
    iam = make_client(endpoint, "iam")
    caller = Caller(endpoint, iam)
    iam.put_user_policy(
        UserName=caller.name, PolicyName="create", PolicyDocument=doc(allow("sqs:CreateQueue"))
    )
    sqs = caller.client("sqs")
    admin = make_client(endpoint, "sqs")
    tagged = unique("tagged")

    code, status, message = error_of(sqs.create_queue, QueueName=tagged, tags={"team": "a"})

    assert (code, status) == ("AccessDenied", 403)
    assert "sqs:tagqueue on resource: arn:aws:sqs:us-east-1:000000000000:" + tagged in message
    assert error_of(admin.get_queue_url, QueueName=tagged)[0] == "AWS.SimpleQueueService.NonExistentQueue"
    plain = sqs.create_queue(QueueName=unique("plain"))["QueueUrl"]  # no tags: CreateQueue is enough
    iam.put_user_policy(
        UserName=caller.name,
        PolicyName="tag",
        PolicyDocument=doc(allow("sqs:TagQueue", f"arn:aws:sqs:*:*:{tagged}")),
    )
    url = sqs.create_queue(QueueName=tagged, tags={"team": "a"})["QueueUrl"]
    assert admin.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}
    for created in (plain, url):
        admin.delete_queue(QueueUrl=created)


# -- dead-letter queue redrive ----------------------------------------------------------------------


def test_a_redriven_message_is_a_new_message(sqs: Any, new_queue: Callable[..., str]) -> None:
    """SQS Developer Guide, "Configuring a dead-letter queue redrive": "The redrive task resets the
    retention period. A new messageID and enqueueTime are assigned to redriven messages." """
    dlq = new_queue("dlq")
    dlq_arn = _attribute(sqs, dlq, "QueueArn")
    source = new_queue(
        "src", RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    )
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison")["MessageId"]
    sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
    assert "Messages" not in sqs.receive_message(QueueUrl=source)  # moved to the DLQ instead
    dead = sqs.receive_message(QueueUrl=dlq, VisibilityTimeout=0, MessageSystemAttributeNames=["All"])
    assert dead["Messages"][0]["MessageId"] == sent  # dead-lettering keeps the message as it was

    sqs.start_message_move_task(SourceArn=dlq_arn)
    back = wait_for(
        lambda: sqs.receive_message(QueueUrl=source, MessageSystemAttributeNames=["All"]).get("Messages")
    )[0]

    assert back["Body"] == "poison"
    assert back["MessageId"] != sent
    assert int(back["Attributes"]["SentTimestamp"]) > int(dead["Messages"][0]["Attributes"]["SentTimestamp"])
    assert back["Attributes"]["ApproximateReceiveCount"] == "1"


# -- the in-flight quota --------------------------------------------------------------------------


# 120,000 messages are sent and received in 24,000 calls: they go over one keep-alive connection
# (raw_http.JsonConnection), not boto3, which would spend most of a minute of client CPU on them.
# What the tests assert (OverLimit, nothing more delivered) is asked through boto3.


def _fill(connection: JsonConnection, url: str, fifo: bool) -> None:
    """120,000 messages in batches of ten (a FIFO queue: ten to a group, so a receive takes a group
    whole), then the one more the tests look for."""
    for batch in range(12_000):
        entries: list[dict[str, str]] = [{"Id": str(i), "MessageBody": "m"} for i in range(10)]
        if fifo:
            for i, entry in enumerate(entries):
                entry.update(MessageGroupId=str(batch), MessageDeduplicationId=f"{batch}-{i}")
        answer = connection.ok("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
        assert len(answer["Successful"]) == 10
    last: dict[str, str] = {"QueueUrl": url, "MessageBody": "one more"}
    if fifo:
        last.update(MessageGroupId="last", MessageDeduplicationId="last")
    connection.ok("SendMessage", last)


def _take_120000_in_flight(connection: JsonConnection, sqs: Any, url: str) -> dict[str, Any]:
    """Receive 120,000 of the queue's 120,001 messages (ten at a time, hidden for an hour); the last one."""
    received = 0
    last: dict[str, Any] = {}
    request = {"QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 3600}
    for _ in range(12_000):
        messages = connection.ok("ReceiveMessage", request)["Messages"]
        received += len(messages)
        last = messages[-1]
    assert received == 120_000
    assert _attribute(sqs, url, "ApproximateNumberOfMessages") == "1"
    return last


@pytest.fixture
def connection(endpoint: str) -> Iterator[JsonConnection]:
    connection = JsonConnection(endpoint, "sqs", "AmazonSQS")
    yield connection
    connection.close()


def test_a_standard_queue_stops_delivering_at_120000_messages_in_flight(
    sqs: Any, new_queue: Callable[..., str], connection: JsonConnection
) -> None:
    """SQS Developer Guide, "Amazon SQS standard queue quotas", Messages per queue (in flight): "there can be a maximum of
    approximately 120,000 in flight messages ... If you reach this quota while using short polling,
    Amazon SQS returns the OverLimit error message. If you use long polling, Amazon SQS returns no
    error messages." (ReceiveMessage, Errors: OverLimit, 403.)"""
    url = new_queue()
    _fill(connection, url, fifo=False)
    last = _take_120000_in_flight(connection, sqs, url)

    code, status, message = error_of(sqs.receive_message, QueueUrl=url)
    assert (code, status) == ("OverLimit", 403)
    assert message.startswith("Too many messages have been received without being deleted.")
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)

    sqs.delete_message(QueueUrl=url, ReceiptHandle=last["ReceiptHandle"])  # room for one again
    assert _bodies(sqs, url) == ["one more"]


def test_a_fifo_queue_delivers_nothing_more_at_120000_messages_in_flight(
    sqs: Any, new_queue: Callable[..., str], connection: JsonConnection
) -> None:
    """SQS Developer Guide, "Amazon SQS FIFO queue quotas", Messages per queue (in flight): "FIFO
    queues support a maximum of 120,000 in-flight messages ... If this limit is reached, Amazon SQS
    does not return an error"; API Reference, ChangeMessageVisibility: "For FIFO queues, there can be
    a maximum of 120,000 in flight messages ... If you reach this limit, Amazon SQS returns no error
    messages." """
    url = new_queue(fifo=True)
    _fill(connection, url, fifo=True)
    last = _take_120000_in_flight(connection, sqs, url)

    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # no error, and nothing
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)

    sqs.delete_message(QueueUrl=url, ReceiptHandle=last["ReceiptHandle"])  # room for one again
    assert _bodies(sqs, url) == ["one more"]


# -- message attributes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    ["0", "-1e126", "1e-128", "12345678901234567890123456789012345678", "1" + "0" * 126],
)
def test_a_number_attribute_within_its_documented_range_is_taken(
    sqs: Any, new_queue: Callable[..., str], number: str
) -> None:
    """SQS Developer Guide, "Amazon SQS message attributes", Number: "A number can have up to 38 digits of precision, and
    it can be between 10^-128 and 10^+126": the bounds themselves, and 38 significant digits."""
    url = new_queue()
    attributes = {"n": {"DataType": "Number", "StringValue": number}}
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert message["MessageAttributes"]["n"]["StringValue"] == number


@pytest.mark.parametrize("number", ["1.1e126", "9e-129", "1e500", "123456789012345678901234567890123456789"])
def test_a_number_attribute_past_its_documented_range_is_refused(
    sqs: Any, new_queue: Callable[..., str], number: str
) -> None:
    """SQS Developer Guide, "Amazon SQS message attributes", Number: up to 38 digits of precision, between 10^-128 and
    10^+126; a value past either is not a number SQS can hold (InvalidParameterValue, 400)."""
    url = new_queue()
    attributes = {"n": {"DataType": "Number", "StringValue": number}}
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageAttributes=attributes) == (
        "InvalidParameterValue",
        400,
        "Can't cast the value of message (user) attribute 'n' to a number.",
    )
