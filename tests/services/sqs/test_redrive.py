"""Dead-letter queues: a message received more than maxReceiveCount times moves to the DLQ, the
DLQ knows its sources, and message move tasks redrive it back (or elsewhere), at a rate, cancellably."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from tests.services.sqs.support import error_of


def _arn(sqs: Any, url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return arn


def _with_dlq(sqs: Any, new_queue: Callable[..., str], max_receive_count: int = 2, fifo: bool = False) -> tuple[str, str]:
    dlq = new_queue("dlq", fifo=fifo)
    policy = json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": max_receive_count})
    source = new_queue("src", fifo=fifo, RedrivePolicy=policy)
    return source, dlq


def _wait_for_task(sqs: Any, dlq_arn: str, status: str = "COMPLETED") -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        task: dict[str, Any] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
        if task["Status"] == status or time.monotonic() > deadline:
            return task
        time.sleep(0.05)


def test_a_poison_message_ends_in_the_dead_letter_queue(sqs: Any, new_queue: Callable[..., str]) -> None:
    source, dlq = _with_dlq(sqs, new_queue, max_receive_count=2)
    attributes = {"kind": {"DataType": "String", "StringValue": "poison"}}
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison", MessageAttributes=attributes)
    for count in (1, 2):
        message = sqs.receive_message(QueueUrl=source, VisibilityTimeout=0, AttributeNames=["All"])["Messages"][0]
        assert message["Attributes"]["ApproximateReceiveCount"] == str(count)
    assert "Messages" not in sqs.receive_message(QueueUrl=source)  # a third receive: moved instead
    moved = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"], MessageAttributeNames=["All"])["Messages"][0]
    assert (moved["MessageId"], moved["Body"], moved["MessageAttributes"]) == (sent["MessageId"], "poison", attributes)
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == _arn(sqs, source)
    assert moved["Attributes"]["SentTimestamp"] <= moved["Attributes"]["ApproximateFirstReceiveTimestamp"]


def test_a_fifo_queue_dead_letters_into_a_fifo_dlq(sqs: Any, new_queue: Callable[..., str]) -> None:
    source, dlq = _with_dlq(sqs, new_queue, max_receive_count=1, fifo=True)
    sqs.send_message(QueueUrl=source, MessageBody="bad", MessageGroupId="g", MessageDeduplicationId="1")
    sqs.send_message(QueueUrl=source, MessageBody="good", MessageGroupId="g", MessageDeduplicationId="2")
    assert sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)["Messages"][0]["Body"] == "bad"
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=source)["Messages"]] == ["good"]
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=dlq)["Messages"]] == ["bad"]


def test_list_dead_letter_source_queues(sqs: Any, new_queue: Callable[..., str]) -> None:
    dlq = new_queue("dlq")
    policy = json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 3})
    sources = sorted(new_queue("src", RedrivePolicy=policy) for _ in range(3))
    new_queue("unrelated")
    assert sorted(sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]) == sources
    page = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2)
    assert len(page["queueUrls"]) == 2 and page["NextToken"]
    rest = sqs.list_dead_letter_source_queues(QueueUrl=dlq, MaxResults=2, NextToken=page["NextToken"])
    assert sorted(page["queueUrls"] + rest["queueUrls"]) == sources
    assert sqs.list_dead_letter_source_queues(QueueUrl=sources[0])["queueUrls"] == []


def test_a_move_task_redrives_messages_back_to_their_source(sqs: Any, new_queue: Callable[..., str]) -> None:
    source, dlq = _with_dlq(sqs, new_queue, max_receive_count=1)
    for i in range(3):
        sqs.send_message(QueueUrl=source, MessageBody=f"m{i}")
    for _ in range(2):  # received once, then dead-lettered on the next receive
        sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)
    dlq_arn = _arn(sqs, dlq)
    assert sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"] == {
        "ApproximateNumberOfMessages": "3"}
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    assert handle
    task = _wait_for_task(sqs, dlq_arn)
    assert task["Status"] == "COMPLETED"
    assert (task["ApproximateNumberOfMessagesMoved"], task["ApproximateNumberOfMessagesToMove"]) == (3, 3)
    assert task["SourceArn"] == dlq_arn and "TaskHandle" not in task
    back = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert sorted(m["Body"] for m in back) == ["m0", "m1", "m2"]
    assert {m["Attributes"]["ApproximateReceiveCount"] for m in back} == {"1"}
    assert "Messages" not in sqs.receive_message(QueueUrl=dlq)


def test_a_move_task_to_a_destination_at_a_rate_can_be_cancelled(sqs: Any, new_queue: Callable[..., str]) -> None:
    source, dlq = _with_dlq(sqs, new_queue, max_receive_count=1)
    target = new_queue("target")
    sqs.send_message_batch(QueueUrl=source, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(6)])
    for _ in range(2):
        sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)
    dlq_arn = _arn(sqs, dlq)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=_arn(sqs, target),
                                         MaxNumberOfMessagesPerSecond=2)["TaskHandle"]
    running = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
    assert (running["Status"], running["TaskHandle"], running["MaxNumberOfMessagesPerSecond"]) == ("RUNNING", handle, 2)
    assert error_of(sqs.start_message_move_task, SourceArn=dlq_arn)[0] == "InvalidParameterValue"  # one at a time
    moved = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    assert moved < 6
    task = _wait_for_task(sqs, dlq_arn, "CANCELLED")
    assert task["Status"] == "CANCELLED"
    in_target = sqs.get_queue_attributes(QueueUrl=target, AttributeNames=["ApproximateNumberOfMessages"])
    assert int(in_target["Attributes"]["ApproximateNumberOfMessages"]) == task["ApproximateNumberOfMessagesMoved"] < 6


def test_move_task_errors(sqs: Any, new_queue: Callable[..., str]) -> None:
    plain = new_queue()
    assert error_of(sqs.start_message_move_task, SourceArn=_arn(sqs, plain)) == (
        "InvalidParameterValue", 400, "Source queue must be configured as a Dead Letter Queue.")
    code, status, _ = error_of(sqs.start_message_move_task, SourceArn=_arn(sqs, plain) + "-missing")
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert error_of(sqs.list_message_move_tasks, SourceArn="not-an-arn")[0] == "InvalidParameterValue"
    assert error_of(sqs.cancel_message_move_task, TaskHandle="bogus")[0] == "InvalidParameterValue"


def _unused_dlq(sqs: Any, new_queue: Callable[..., str], fifo: bool = False) -> tuple[str, str]:
    """(source, DLQ) where nothing has asked the DLQ anything since it was created: its ARN is
    written out, as a template or script would, not read with GetQueueAttributes."""
    dlq = new_queue("dlq", fifo=fifo)
    account, name = dlq.rsplit("/", 2)[1:]
    policy = json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{account}:{name}", "maxReceiveCount": 1})
    return new_queue("src", fifo=fifo, RedrivePolicy=policy), dlq


def test_a_dlq_first_used_by_a_dead_lettering_delivers_the_message_once(sqs: Any, new_queue: Callable[..., str]) -> None:
    # The DLQ is touched for the first time by the move itself (no send, receive or count on it before).
    source, dlq = _unused_dlq(sqs, new_queue)
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison")["MessageId"]
    sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
    assert "Messages" not in sqs.receive_message(QueueUrl=source)  # moved instead
    got = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert [m["MessageId"] for m in got] == [sent]


def test_a_fifo_dlq_first_used_by_a_dead_lettering_deletes_its_message(sqs: Any, new_queue: Callable[..., str]) -> None:
    source, dlq = _unused_dlq(sqs, new_queue, fifo=True)
    sqs.send_message(QueueUrl=source, MessageBody="bad", MessageGroupId="g", MessageDeduplicationId="1")
    sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
    assert "Messages" not in sqs.receive_message(QueueUrl=source)
    [moved] = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    sqs.delete_message(QueueUrl=dlq, ReceiptHandle=moved["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]) == ("0", "0")


def test_a_move_task_into_a_queue_not_used_before_delivers_each_message_once(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    source, dlq = _with_dlq(sqs, new_queue, max_receive_count=1)
    target = new_queue("target")
    sqs.send_message_batch(QueueUrl=source, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(3)])
    for _ in range(2):
        sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)
    dlq_arn = _arn(sqs, dlq)
    account, name = target.rsplit("/", 2)[1:]  # written out: nothing has asked the target anything yet
    sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=f"arn:aws:sqs:us-east-1:{account}:{name}")
    assert _wait_for_task(sqs, dlq_arn)["Status"] == "COMPLETED"
    got = sqs.receive_message(QueueUrl=target, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in got) == ["0", "1", "2"]
