"""SQS driven by the AWS SDK for JavaScript v3 (tests/js/sqs_client.mjs): a client with its own
JSON-protocol serializer and parser, which checks MD5OfMessageBody on every send and receive
and throws on a mismatch. The script runs once; each test checks one thing it saw."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path
from typing import Any

import pytest

from tests.services.js_sdk_support import js_sdk, run_js

__all__ = ["js_sdk"]

BODY = "hello from the JavaScript SDK v3 \u00fc \U0001f680"
ATTRIBUTES: dict[str, tuple[str, str | bytes]] = {
    "color": ("String", "blue \u00fc"),
    "count": ("Number", "42"),
    "price": ("Number.euros", "3.50"),
    "raw": ("Binary", bytes([0, 1, 2, 250, 255])),
}


def md5_of_attributes(attributes: dict[str, tuple[str, str | bytes]]) -> str:
    """MD5OfMessageAttributes as AWS documents it: per attribute in name order, each of name,
    data type and value length-prefixed (4 bytes, big-endian), with a transport byte before
    the value (1 string, 2 binary)."""
    digest = hashlib.md5()
    for name in sorted(attributes):
        data_type, value = attributes[name]
        raw = value if isinstance(value, bytes) else value.encode()
        for part in (name.encode(), data_type.encode()):
            digest.update(struct.pack(">I", len(part)) + part)
        digest.update(b"\x02" if data_type.startswith("Binary") else b"\x01")
        digest.update(struct.pack(">I", len(raw)) + raw)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def seen(js_sdk: Path, endpoint: str) -> dict[str, Any]:
    return run_js(js_sdk, "sqs_client.mjs", endpoint)


def test_create_queue_and_get_queue_url_agree(seen: dict[str, Any], endpoint: str) -> None:
    assert seen["queueUrl"].startswith(f"{endpoint}/000000000000/js-sqs-")
    assert seen["gotUrl"] == seen["queueUrl"]
    assert seen["fifoUrl"] == seen["queueUrl"] + ".fifo"


def test_send_message_md5s_match_what_was_sent(seen: dict[str, Any]) -> None:
    assert seen["sent"]["MD5OfMessageBody"] == hashlib.md5(BODY.encode()).hexdigest()
    assert seen["sent"]["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES)


def test_system_attribute_md5_and_trace_header_round_trip(seen: dict[str, Any]) -> None:
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793"
    assert seen["traced"]["MD5OfMessageSystemAttributes"] == md5_of_attributes(
        {"AWSTraceHeader": ("String", trace)}
    )
    assert seen["tracedReceived"] == trace


def test_send_message_batch_reports_each_entry_with_its_md5s(seen: dict[str, Any]) -> None:
    assert seen["batch"]["successful"] == ["a", "b"]
    assert seen["batch"]["failed"] == []
    assert sorted(seen["batch"]["md5s"]) == [
        ["a", hashlib.md5(b"batch a").hexdigest(), md5_of_attributes({"n": ("Number", "1")})],
        ["b", hashlib.md5(b"batch b").hexdigest(), None],
    ]


def test_receive_returns_every_attribute_type_and_system_attribute(seen: dict[str, Any]) -> None:
    received = seen["received"]
    assert received["bodies"] == sorted(["batch a", "batch b", BODY])
    first = received["first"]
    assert first["md5"] == hashlib.md5(BODY.encode()).hexdigest()
    assert first["md5Attributes"] == md5_of_attributes(ATTRIBUTES)
    assert first["attributes"] == {
        "color": {"DataType": "String", "StringValue": "blue \u00fc", "BinaryValue": None},
        "count": {"DataType": "Number", "StringValue": "42", "BinaryValue": None},
        "price": {"DataType": "Number.euros", "StringValue": "3.50", "BinaryValue": None},
        "raw": {"DataType": "Binary", "StringValue": None, "BinaryValue": [0, 1, 2, 250, 255]},
    }
    assert first["binaryIsBytes"] is True
    assert first["system"] == [
        "ApproximateFirstReceiveTimestamp",
        "ApproximateReceiveCount",
        "SenderId",
        "SentTimestamp",
    ]
    assert first["receiveCount"] == "1"
    assert first["sentTimestampIsDigits"] is True


def test_fifo_queue_with_content_based_deduplication(seen: dict[str, Any]) -> None:
    assert seen["fifoSent"] == {"sequence": "string", "md5": hashlib.md5(b"first").hexdigest()}
    assert seen["fifoReceived"] == {
        "body": "first",
        "group": "g1",
        "dedup": hashlib.sha256(b"first").hexdigest(),
        "sequence": True,
    }
    assert seen["fifoAttributes"] == {"FifoQueue": "true", "ContentBasedDeduplication": "true"}


def test_change_visibility_and_delete_message_batch(seen: dict[str, Any]) -> None:
    assert seen["changedVisibility"] == 200
    assert seen["deletedBatch"] == {"successful": 3, "failed": []}


def test_get_queue_attributes_all(seen: dict[str, Any]) -> None:
    attributes = seen["attributes"]
    assert attributes["visibility"] == "45"
    assert attributes["arn"] == "arn:aws:sqs:us-east-1:000000000000:" + seen["queueUrl"].rsplit("/", 1)[1]
    assert {
        "ApproximateNumberOfMessages",
        "CreatedTimestamp",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "QueueArn",
        "VisibilityTimeout",
    } <= set(attributes["names"])


def test_list_queues_by_prefix_and_tags(seen: dict[str, Any]) -> None:
    assert seen["listed"] == [seen["queueUrl"], seen["fifoUrl"]]
    assert seen["tags"] == {"env": "test"}  # created with team=js, tagged env=test, untagged team


def test_missing_queue_is_the_modeled_queue_does_not_exist(seen: dict[str, Any]) -> None:
    # The SDK also exposes the query protocol's legacy code, carried in x-amzn-query-error.
    expected = {
        "name": "QueueDoesNotExist",
        "status": 400,
        "message": "The specified queue does not exist.",
        "code": "AWS.SimpleQueueService.NonExistentQueue",
        "fault": "client",
        "modeled": True,
    }
    assert seen["missing"] == expected
    assert seen["deletedMissing"] == expected


def test_duplicate_batch_ids_and_an_out_of_range_parameter(seen: dict[str, Any]) -> None:
    assert seen["duplicateIds"] == {
        "name": "BatchEntryIdsNotDistinct",
        "status": 400,
        "message": "Id same repeated.",
        "code": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "fault": "client",
        "modeled": True,
    }
    # Not a modeled exception: the SDK names it from the wire code.
    assert seen["tooMany"] == {
        "name": "InvalidParameterValue",
        "status": 400,
        "code": "InvalidParameterValue",
        "fault": "client",
        "modeled": None,
        "message": "Value 11 for parameter MaxNumberOfMessages is invalid. "
        "Reason: Must be between 1 and 10, if provided.",
    }


def test_purge_queue_empties_it(seen: dict[str, Any]) -> None:
    assert seen["purged"] == 200
    assert seen["afterPurge"] == []
