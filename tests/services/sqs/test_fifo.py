"""FIFO queues: order within a message group, a group held while one of its messages is in flight,
deduplication in the 5-minute window, receive attempts, and the FIFO-only errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.services.sqs.support import error_of


def _send(sqs: Any, url: str, body: str, group: str, dedup: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group,
                                              MessageDeduplicationId=dedup or body)
    return result


def _bodies(result: dict[str, Any]) -> list[str]:
    return [m["Body"] for m in result.get("Messages", [])]


def test_messages_of_a_group_arrive_in_the_order_sent(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True)
    sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": f"m{i}", "MessageBody": f"m{i}", "MessageGroupId": "g", "MessageDeduplicationId": f"m{i}"}
        for i in range(8)])
    for i in range(8, 12):
        _send(sqs, url, f"m{i}", "g")
    seen = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3).get("Messages", [])
        if not messages:
            break
        seen += [m["Body"] for m in messages]
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
    assert seen == [f"m{i}" for i in range(12)]


def test_a_group_is_held_while_one_of_its_messages_is_in_flight(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True)
    for body, group in (("a1", "A"), ("a2", "A"), ("b1", "B")):
        _send(sqs, url, body, group)
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert first["Body"] == "a1"
    assert _bodies(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == ["b1"]
    assert _bodies(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == []
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert _bodies(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == ["a2"]


def test_one_receive_returns_a_group_in_order(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True)
    for body, group in (("a1", "A"), ("b1", "B"), ("a2", "A"), ("b2", "B"), ("a3", "A")):
        _send(sqs, url, body, group)
    bodies = _bodies(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10))
    assert sorted(bodies) == ["a1", "a2", "a3", "b1", "b2"]
    assert [b for b in bodies if b[0] == "a"] == ["a1", "a2", "a3"]
    assert [b for b in bodies if b[0] == "b"] == ["b1", "b2"]


def test_an_expired_in_flight_message_comes_back_before_the_rest_of_its_group(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True)
    _send(sqs, url, "first", "g")
    _send(sqs, url, "second", "g")
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)
    assert _bodies(sqs.receive_message(QueueUrl=url)) == []
    time.sleep(1.1)
    message = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert (message["Body"], message["Attributes"]["ApproximateReceiveCount"]) == ("first", "2")


def test_fifo_system_attributes_and_sequence_numbers(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True)
    one = _send(sqs, url, "one", "g", "d-1")
    two = _send(sqs, url, "two", "g", "d-2")
    assert len(one["SequenceNumber"]) == 20 and int(two["SequenceNumber"]) > int(one["SequenceNumber"])
    message = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"][0]
    assert {k: message["Attributes"][k] for k in ("MessageGroupId", "MessageDeduplicationId", "SequenceNumber")} == {
        "MessageGroupId": "g", "MessageDeduplicationId": "d-1", "SequenceNumber": one["SequenceNumber"]}


def test_a_duplicate_within_the_window_is_accepted_but_not_delivered_again(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True)
    first = _send(sqs, url, "payload", "g", "same")
    again = _send(sqs, url, "other payload", "g", "same")
    assert again["MessageId"] == first["MessageId"]
    assert again["SequenceNumber"] == first["SequenceNumber"]
    message = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in message] == ["payload"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message[0]["ReceiptHandle"])
    _send(sqs, url, "payload", "g", "same")  # deleted, but still inside the window
    assert _bodies(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == []
    batch = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "new"},
        {"Id": "b", "MessageBody": "y", "MessageGroupId": "g", "MessageDeduplicationId": "new"},
    ])
    ids = {s["Id"]: s["MessageId"] for s in batch["Successful"]}
    assert ids["a"] == ids["b"]
    assert _bodies(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == ["x"]


def test_content_based_deduplication_uses_the_body(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True, ContentBasedDeduplication="true")
    first = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g")
    second = sqs.send_message(QueueUrl=url, MessageBody="same body", MessageGroupId="g")
    sqs.send_message(QueueUrl=url, MessageBody="other body", MessageGroupId="g")
    assert second["MessageId"] == first["MessageId"]
    assert _bodies(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)) == ["same body", "other body"]


def test_deduplication_scoped_to_the_message_group(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True, DeduplicationScope="messageGroup", FifoThroughputLimit="perMessageGroupId")
    _send(sqs, url, "a", "g1", "same")
    _send(sqs, url, "b", "g2", "same")
    _send(sqs, url, "c", "g1", "same")
    assert sorted(_bodies(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10))) == ["a", "b"]


def test_fifo_send_errors(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True)
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageDeduplicationId="d") == (
        "MissingParameter", 400, "The request must contain the parameter MessageGroupId.")
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g") == (
        "InvalidParameterValue", 400,
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
    code, _, message = error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g",
                                MessageDeduplicationId="d", DelaySeconds=5)
    assert code == "InvalidParameterValue" and "DelaySeconds" in message
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g" * 129,
                    MessageDeduplicationId="d")[0] == "InvalidParameterValue"


def test_receive_request_attempt_id_replays_the_same_messages(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True)
    for i in range(3):
        _send(sqs, url, f"m{i}", "g")
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1")["Messages"]
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1")["Messages"]
    assert [(m["Body"], m["ReceiptHandle"]) for m in again] == [(m["Body"], m["ReceiptHandle"]) for m in first]
    assert _bodies(sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt-2")) == []
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    # One of its messages changed: the attempt id no longer replays.
    assert _bodies(sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt-1")) == []


def test_a_fifo_receipt_handle_expires_with_its_visibility_timeout(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True)
    _send(sqs, url, "x", "g")
    handle = sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)["Messages"][0]["ReceiptHandle"]
    time.sleep(1.1)
    code, _, message = error_of(sqs.delete_message, QueueUrl=url, ReceiptHandle=handle)
    assert code == "InvalidParameterValue"
    assert message.endswith("Reason: The receipt handle has expired.")
    fresh = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    assert error_of(sqs.delete_message, QueueUrl=url, ReceiptHandle=handle)[0] == "InvalidParameterValue"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=fresh)
