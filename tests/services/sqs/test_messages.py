"""Messages through boto3 (json protocol): send, receive, delete, visibility, delays, attributes and
their MD5 digests, batches, long polling, and the validation errors SQS answers with."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.sqs.support import error_of, md5_of_attributes, md5_of_body

ATTRIBUTES = {
    "text": {"DataType": "String", "StringValue": "héllo wörld"},
    "count": {"DataType": "Number", "StringValue": "42.5"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
    "custom": {"DataType": "String.custom", "StringValue": "x"},
    "amount": {"DataType": "Number.float", "StringValue": "4563442423554324324264524243.32543234"},
}


def _counts(sqs: Any, url: str) -> tuple[int, int, int]:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        int(attributes["ApproximateNumberOfMessagesDelayed"]),
    )


def test_md5_digests_match_the_documented_algorithm() -> None:
    # Reference values of the algorithm (published with the aws-md5-of-message-attributes package).
    assert md5_of_attributes({"attribName1": {"DataType": "String", "StringValue": "attribValue 1"}}) == (
        "19e27d4e946b072f3f58da80d94fd778"
    )
    assert md5_of_attributes(
        {"binaryAttribute": {"DataType": "Binary", "BinaryValue": b"Hello binary world!"}}
    ) == ("31a92b15d92f8db860eda32aceb656c3")


def test_send_receive_delete_round_trip_with_the_digests_sdks_verify(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    body = "a body with ünïcödé, \t tabs and \r\n line ends 🎉"
    sent = sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=ATTRIBUTES)
    assert sent["MD5OfMessageBody"] == md5_of_body(body)
    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES)
    assert "SequenceNumber" not in sent
    received = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert len(received) == 1
    message = received[0]
    assert (message["MessageId"], message["Body"]) == (sent["MessageId"], body)
    assert message["MD5OfBody"] == md5_of_body(body)
    assert message["MessageAttributes"] == ATTRIBUTES
    assert message["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert _counts(sqs, url) == (0, 0, 0)


def test_only_the_message_attributes_asked_for_are_returned_with_their_own_digest(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    attributes = {"a.one": ATTRIBUTES["text"], "a.two": ATTRIBUTES["count"], "b": ATTRIBUTES["blob"]}
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["a.*"], VisibilityTimeout=0)[
        "Messages"
    ][0]
    chosen = {k: v for k, v in attributes.items() if k.startswith("a.")}
    assert message["MessageAttributes"] == chosen
    assert message["MD5OfMessageAttributes"] == md5_of_attributes(chosen)
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["b"], VisibilityTimeout=0)["Messages"][
        0
    ]
    assert message["MessageAttributes"] == {"b": attributes["b"]}
    message = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]
    assert "MessageAttributes" not in message and "MD5OfMessageAttributes" not in message


def test_all_in_capitals_asks_for_every_attribute(sqs: Any, new_queue: Callable[..., str]) -> None:
    """kombu 5.5+ (Celery's SQS transport) asks for every attribute with "ALL", and its retry back-off
    reads ApproximateReceiveCount from what comes back."""
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes={"b": ATTRIBUTES["blob"]})
    message = sqs.receive_message(
        QueueUrl=url, MessageSystemAttributeNames=["ALL"], MessageAttributeNames=["ALL"], VisibilityTimeout=0
    )["Messages"][0]
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SenderId", "SentTimestamp", "ApproximateFirstReceiveTimestamp"} <= set(message["Attributes"])
    assert message["MessageAttributes"] == {"b": ATTRIBUTES["blob"]}


def test_system_attributes_of_a_received_message(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    before = int(time.time() * 1000)
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="x",
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": trace}},
    )
    assert sent["MD5OfMessageSystemAttributes"] == md5_of_attributes(
        {"AWSTraceHeader": {"DataType": "String", "StringValue": trace}}
    )
    first = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], VisibilityTimeout=0)["Messages"][0][
        "Attributes"
    ]
    assert first["SenderId"] == ROOT_ACCOUNT
    assert before <= int(first["SentTimestamp"]) <= int(first["ApproximateFirstReceiveTimestamp"])
    assert first["ApproximateReceiveCount"] == "1"
    assert first["AWSTraceHeader"] == trace
    again = sqs.receive_message(
        QueueUrl=url,
        MessageSystemAttributeNames=["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"],
    )
    attributes = again["Messages"][0]["Attributes"]
    assert attributes == {
        "ApproximateReceiveCount": "2",
        "ApproximateFirstReceiveTimestamp": first["ApproximateFirstReceiveTimestamp"],
    }


def test_the_x_amzn_trace_id_header_becomes_each_message_aws_trace_header(
    endpoint: str, new_queue: Callable[..., str]
) -> None:
    # X-Ray Developer Guide, "Amazon SQS and AWS X-Ray": the X-Amzn-Trace-Id header of a SendMessage
    # or SendMessageBatch call is the trace header of all its messages; a message's own AWSTraceHeader
    # system attribute, when both are set, wins. (botocore sends the header inside Lambda.)
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    own = "Root=1-67891233-abcdef012345678912345678;Sampled=1"
    client = make_client(endpoint, "sqs")

    def add_trace(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = header

    client.meta.events.register("before-sign.sqs.*", add_trace)
    url = new_queue()
    assert "MD5OfMessageSystemAttributes" not in client.send_message(QueueUrl=url, MessageBody="single")
    client.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "MessageBody": "batched"},
            {
                "Id": "b",
                "MessageBody": "own",
                "MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": own}},
            },
        ],
    )
    received = client.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["AWSTraceHeader"]
    )["Messages"]
    assert {m["Body"]: m["Attributes"] for m in received} == {
        "single": {"AWSTraceHeader": header},
        "batched": {"AWSTraceHeader": header},
        "own": {"AWSTraceHeader": own},
    }


def test_receive_returns_at_most_max_number_of_messages(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": f"m{i}", "MessageBody": str(i)} for i in range(10)])
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": f"m{i}", "MessageBody": str(i + 10)} for i in range(5)]
    )
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 10
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 4
    for bad in (0, 11):
        assert error_of(sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=bad) == (
            "InvalidParameterValue",
            400,
            f"Value {bad} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        )
    assert error_of(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=21)[0] == "InvalidParameterValue"


def test_a_received_message_is_invisible_until_its_visibility_timeout_ends(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue(VisibilityTimeout=1)
    sqs.send_message(QueueUrl=url, MessageBody="once")
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    assert _counts(sqs, url) == (0, 1, 0)
    time.sleep(1.1)
    second = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert second["MessageId"] == first["MessageId"]
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"


def test_change_message_visibility_extends_or_ends_the_timeout(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue(VisibilityTimeout=1)
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=30)
    time.sleep(1.1)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    message = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]
    # Visible again (timeout 0): SQS accepts a change through its handle, and leaves it visible.
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=10)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "x"
    assert error_of(
        sqs.change_message_visibility, QueueUrl=url, ReceiptHandle="garbage", VisibilityTimeout=10
    )[:2] == ("ReceiptHandleIsInvalid", 404)
    assert error_of(
        sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=43201
    )[0] == ("InvalidParameterValue")


def test_change_message_visibility_batch_reports_each_entry(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    result = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "good", "ReceiptHandle": handle, "VisibilityTimeout": 0},
            {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
        ],
    )
    assert result["Successful"] == [{"Id": "good"}]
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in result["Failed"]] == [
        ("bad", "ReceiptHandleIsInvalid", True)
    ]
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "x"


def test_delete_with_an_invalid_or_spent_receipt_handle(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    other = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    code, status, message = error_of(sqs.delete_message, QueueUrl=url, ReceiptHandle="not-a-handle")
    assert (code, status, message) == (
        "ReceiptHandleIsInvalid",
        404,
        'The input receipt handle "not-a-handle" is not a valid receipt handle.',
    )
    assert error_of(sqs.delete_message, QueueUrl=other, ReceiptHandle=handle)[0] == "ReceiptHandleIsInvalid"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)  # already deleted: still a success
    assert _counts(sqs, url) == (0, 0, 0)


def test_a_handle_from_another_queue_is_not_valid_for_this_queue(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    # AWS Knowledge Center, "How do I troubleshoot ReceiptHandleIsInvalid and InvalidParameterValue
    # errors ...": a receipt handle from another queue is "not valid for this queue".
    url, other = new_queue(), new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    expected = ("ReceiptHandleIsInvalid", 404, f'The receipt handle "{handle}" is not valid for this queue.')
    assert error_of(sqs.delete_message, QueueUrl=other, ReceiptHandle=handle) == expected
    assert (
        error_of(sqs.change_message_visibility, QueueUrl=other, ReceiptHandle=handle, VisibilityTimeout=5)
        == expected
    )
    entries = [{"Id": "a", "ReceiptHandle": handle}]
    failed = sqs.delete_message_batch(QueueUrl=other, Entries=entries)["Failed"]
    assert [(f["Code"], f["Message"]) for f in failed] == [expected[::2]]
    assert _counts(sqs, url) == (0, 1, 0)  # the message is untouched, still in flight


def test_delete_message_batch_reports_each_entry(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(3)])
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    entries = [{"Id": f"e{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
    result = sqs.delete_message_batch(
        QueueUrl=url, Entries=[*entries, {"Id": "bad", "ReceiptHandle": "nope"}]
    )
    assert sorted(s["Id"] for s in result["Successful"]) == ["e0", "e1", "e2"]
    assert result["Failed"][0]["Id"] == "bad" and result["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    assert _counts(sqs, url) == (0, 0, 0)


def test_delay_seconds_of_the_queue_and_of_a_message(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(DelaySeconds=1)
    sqs.send_message(QueueUrl=url, MessageBody="queue delay")
    sqs.send_message(QueueUrl=url, MessageBody="no delay", DelaySeconds=0)
    assert _counts(sqs, url) == (1, 0, 1)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == [
        "no delay"
    ]
    time.sleep(1.1)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == [
        "queue delay"
    ]
    assert (
        error_of(sqs.send_message, QueueUrl=url, MessageBody="x", DelaySeconds=901)[0]
        == "InvalidParameterValue"
    )


def test_long_poll_returns_as_soon_as_a_message_is_sent(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sent_at: list[float] = []

    def send_later() -> None:
        time.sleep(0.3)
        sent_at.append(time.monotonic())
        sqs.send_message(QueueUrl=url, MessageBody="wake up")

    sender = threading.Thread(target=send_later)
    start = time.monotonic()
    sender.start()
    result = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
    done = time.monotonic()
    sender.join()
    assert result["Messages"][0]["Body"] == "wake up"
    assert done - sent_at[0] < 1.0
    assert done - start < 2.0


def test_long_poll_of_an_empty_queue_waits_its_wait_time(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(ReceiveMessageWaitTimeSeconds=1)
    start = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # the queue's wait time applies
    assert 0.9 <= time.monotonic() - start < 3
    start = time.monotonic()
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
    assert time.monotonic() - start < 0.5


def test_long_poll_wakes_when_an_in_flight_message_becomes_visible_again(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="retry me")
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)
    start = time.monotonic()
    result = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
    assert result["Messages"][0]["Body"] == "retry me"
    assert time.monotonic() - start < 2.5


def test_message_body_validation(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    code, status, message = error_of(sqs.send_message, QueueUrl=url, MessageBody="bad \x00 char")
    assert (code, status) == ("InvalidMessageContents", 400)
    assert message.startswith("Invalid characters found.")
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="") == (
        "MissingParameter",
        400,
        "The request must contain the parameter MessageBody.",
    )
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1_048_576)
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x" * 1_048_577) == (
        "InvalidParameterValue",
        400,
        "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.",
    )


def test_maximum_message_size_counts_attributes_too(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(MaximumMessageSize=1024)
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
    attributes = {"k": {"DataType": "String", "StringValue": "v"}}
    code, _, message = error_of(
        sqs.send_message, QueueUrl=url, MessageBody="x" * 1020, MessageAttributes=attributes
    )
    assert code == "InvalidParameterValue" and message.endswith("Message must be shorter than 1024 bytes.")


def test_message_attribute_validation(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    many = {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)}
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageAttributes=many) == (
        "InvalidParameterValue",
        400,
        "Number of message attributes [11] exceeds the allowed maximum [10].",
    )
    for attributes in (
        {"n": {"DataType": "Number", "StringValue": "abc"}},
        {"s": {"DataType": "String", "StringValue": ""}},
        {"t": {"DataType": "Text", "StringValue": "x"}},
        {"AWS.reserved": {"DataType": "String", "StringValue": "x"}},
        {"bad..name": {"DataType": "String", "StringValue": "x"}},
    ):
        assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageAttributes=attributes)[0] == (
            "InvalidParameterValue"
        ), attributes


def test_send_message_batch_reports_each_entry_and_validates_the_batch(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok", "MessageBody": "fine", "MessageAttributes": ATTRIBUTES},
            {"Id": "bad", "MessageBody": "bad \x01"},
        ],
    )
    assert [(s["Id"], s["MD5OfMessageBody"], s["MD5OfMessageAttributes"]) for s in result["Successful"]] == [
        ("ok", md5_of_body("fine"), md5_of_attributes(ATTRIBUTES))
    ]
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in result["Failed"]] == [
        ("bad", "InvalidMessageContents", True)
    ]

    def batch(entries: list[dict[str, Any]]) -> tuple[str, int, str]:
        return error_of(sqs.send_message_batch, QueueUrl=url, Entries=entries)

    assert batch([{"Id": str(i), "MessageBody": "x"} for i in range(11)]) == (
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        400,
        "Maximum number of entries per request are 10. You have sent 11.",
    )
    assert batch([{"Id": "same", "MessageBody": "x"}, {"Id": "same", "MessageBody": "y"}]) == (
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        400,
        "Id same repeated.",
    )
    assert (
        batch([{"Id": "not valid!", "MessageBody": "x"}])[0] == "AWS.SimpleQueueService.InvalidBatchEntryId"
    )
    assert batch([])[0] == "AWS.SimpleQueueService.EmptyBatchRequest"
    code, _, message = batch([{"Id": str(i), "MessageBody": "x" * 200_000} for i in range(6)])
    assert code == "AWS.SimpleQueueService.BatchRequestTooLong"
    assert message == "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes."
    with pytest.raises(sqs.exceptions.TooManyEntriesInBatchRequest):
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": "x"} for i in range(11)]
        )


def test_standard_queues_refuse_a_deduplication_id_but_take_a_message_group(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    code, _, message = error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert code == "InvalidParameterValue"
    assert message == (
        "Value d for parameter MessageDeduplicationId is invalid. "
        "Reason: The request include parameter that is not valid for this queue type."
    )
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="tenant-1")
    message = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"][0]
    assert message["Attributes"]["MessageGroupId"] == "tenant-1"
