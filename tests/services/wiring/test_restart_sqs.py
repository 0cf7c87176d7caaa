"""SQS state is the same after a SIGTERM or kill -9 restart (how: restart_support.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, wait_for
from tests.services.wiring.restart_support import (
    STOPS,
    Calls,
    describe,
    unique,
)

# -- SQS -------------------------------------------------------------------------------------------


def _build_sqs(server: ServerProcess) -> dict[str, Any]:
    sqs: Any = server.client("sqs")
    dlq = sqs.create_queue(QueueName=unique("dlq"), tags={"role": "dlq"})["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    plain = sqs.create_queue(QueueName=unique("plain"), tags={"team": "blue"}, Attributes={
        "VisibilityTimeout": "6", "MessageRetentionPeriod": "3600", "MaximumMessageSize": "2048",
        "ReceiveMessageWaitTimeSeconds": "0",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})["QueueUrl"]
    fifo = sqs.create_queue(QueueName=unique("ordered") + ".fifo", tags={"kind": "fifo"}, Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup",
        "FifoThroughputLimit": "perMessageGroupId"})["QueueUrl"]
    sqs.send_message(QueueUrl=plain, MessageBody="visible", MessageAttributes={
        "colour": {"DataType": "String", "StringValue": "red"}})
    sqs.send_message(QueueUrl=plain, MessageBody="to-the-dlq")
    # "to-the-dlq" is received once before the restart (receive count 1 of 2) and left in flight.
    received = sqs.receive_message(QueueUrl=plain, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                   AttributeNames=["All"])["Messages"]
    assert sorted(m["Body"] for m in received) == ["to-the-dlq", "visible"]
    visible = next(m for m in received if m["Body"] == "visible")
    sqs.change_message_visibility(QueueUrl=plain, ReceiptHandle=visible["ReceiptHandle"], VisibilityTimeout=0)
    sqs.send_message(QueueUrl=plain, MessageBody="delayed", DelaySeconds=6)
    sqs.send_message(QueueUrl=fifo, MessageBody="first", MessageGroupId="g1")
    sequence = sqs.send_message(QueueUrl=fifo, MessageBody="second", MessageGroupId="g1")["SequenceNumber"]
    gone = unique("gone")
    sqs.delete_queue(QueueUrl=sqs.create_queue(QueueName=gone)["QueueUrl"])
    purged = sqs.create_queue(QueueName=unique("purged"))["QueueUrl"]
    sqs.purge_queue(QueueUrl=purged)
    return {"plain": plain, "fifo": fifo, "dlq": dlq, "dlq_arn": dlq_arn, "sequence": sequence, "gone": gone,
            "purged": purged}


def _describe_sqs(server: ServerProcess, state: dict[str, Any]) -> dict[str, Any]:
    sqs: Any = server.client("sqs")
    calls: Calls = [("queues", sqs.list_queues, {}),
                    ("dead_letter_sources", sqs.list_dead_letter_source_queues, {"QueueUrl": state["dlq"]})]
    for label in ("plain", "fifo", "dlq"):
        url = state[label]
        calls += [(label + "_url", sqs.get_queue_url, {"QueueName": url.rsplit("/", 1)[1]}),
                  (label + "_tags", sqs.list_queue_tags, {"QueueUrl": url})]
    found = describe(calls)
    for label in ("plain", "fifo", "dlq"):
        attributes = sqs.get_queue_attributes(QueueUrl=state[label], AttributeNames=["All"])["Attributes"]
        found[label + "_attributes"] = attributes
    return found


def _bodies(sqs: Any, url: str, **kwargs: Any) -> list[str]:
    answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, **kwargs).get("Messages", [])
    for message in answer:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [m["Body"] for m in answer]


@pytest.mark.parametrize("how", STOPS)
def test_sqs_queues_and_messages_in_every_state_survive_a_restart(first: ServerProcess, restart: Any,
                                                                   how: str) -> None:
    state = _build_sqs(first)
    before = _describe_sqs(first, state)
    second = restart(first, how)
    assert _describe_sqs(second, state) == before
    sqs: Any = second.client("sqs")
    plain = state["plain"]
    # Only the visible message is there at once: the in-flight one and the delayed one come later.
    first_receive = sqs.receive_message(QueueUrl=plain, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                        AttributeNames=["ApproximateReceiveCount"])["Messages"]
    assert [(m["Body"], m["MessageAttributes"]["colour"]["StringValue"], m["Attributes"]["ApproximateReceiveCount"])
            for m in first_receive] == [("visible", "red", "2")]
    sqs.delete_message(QueueUrl=plain, ReceiptHandle=first_receive[0]["ReceiptHandle"])
    # The delayed message and the one in flight come once their time is up; the in-flight one
    # on its second receive (count 2 of 2), left in flight for 1 s again.
    later: dict[str, str] = {}

    def both_came() -> bool:
        for message in sqs.receive_message(QueueUrl=plain, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                           VisibilityTimeout=1, AttributeNames=["ApproximateReceiveCount"]
                                           ).get("Messages", []):
            later[message["Body"]] = message["Attributes"]["ApproximateReceiveCount"]
            if message["Body"] == "delayed":
                sqs.delete_message(QueueUrl=plain, ReceiptHandle=message["ReceiptHandle"])
        return len(later) == 2

    wait_for(both_came, 20)
    assert later == {"delayed": "1", "to-the-dlq": "2"}
    # That was its last receive: the receive after it moves it to the dead-letter queue instead.
    assert wait_for(lambda: _bodies(sqs, plain, WaitTimeSeconds=1) or _bodies(sqs, state["dlq"]), 15) == [
        "to-the-dlq"]
    # FIFO: content-based deduplication still knows "first"; the group keeps its order.
    sqs.send_message(QueueUrl=state["fifo"], MessageBody="first", MessageGroupId="g1")
    assert _bodies(sqs, state["fifo"]) == ["first", "second"]
    assert _bodies(sqs, state["fifo"]) == []
    # Sequence numbers keep growing; the 60 s waits after DeleteQueue and PurgeQueue still hold.
    after = sqs.send_message(QueueUrl=state["fifo"], MessageBody="third", MessageGroupId="g1")["SequenceNumber"]
    assert int(after) > int(state["sequence"])
    with pytest.raises(ClientError) as recently:
        sqs.create_queue(QueueName=state["gone"])
    assert recently.value.response["Error"]["Code"] == "AWS.SimpleQueueService.QueueDeletedRecently"
    with pytest.raises(ClientError) as purging:
        sqs.purge_queue(QueueUrl=state["purged"])
    assert purging.value.response["Error"]["Code"] == "AWS.SimpleQueueService.PurgeQueueInProgress"


def test_a_fifo_receive_retried_with_its_attempt_id_after_a_kill_9_gets_the_same_messages(
        first: ServerProcess, restart: Any) -> None:
    # AWS: retry "with an identical ReceiveRequestAttemptId to retrieve the same set of messages,
    # even if their visibility timeout has not yet expired" - the retry of a receive whose answer was lost.
    sqs: Any = first.client("sqs")
    url = sqs.create_queue(QueueName=unique("attempts") + ".fifo", Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for body in ("one", "two", "three"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="g")
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=60,
                                   ReceiveRequestAttemptId="attempt-1")["Messages"]
    second = restart(first, "kill9")
    again: Any = second.client("sqs")
    replayed = again.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=60,
                                     ReceiveRequestAttemptId="attempt-1")["Messages"]
    assert [(m["Body"], m["ReceiptHandle"]) for m in replayed] == [(m["Body"], m["ReceiptHandle"]) for m in received]
    assert [m["Body"] for m in received] == ["one", "two"]
    # Another attempt finds the group still held by the messages in flight.
    assert again.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt-2").get("Messages", []) == []
