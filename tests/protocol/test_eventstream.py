"""Our event stream frames, read back by botocore's own decoder (which checks both CRCs)."""

from __future__ import annotations

import json

from botocore.eventstream import EventStreamBuffer

from pocketcloud.protocol import eventstream


def test_botocore_decodes_a_blob_event_and_a_json_event() -> None:
    buffer = EventStreamBuffer()
    buffer.add_data(
        eventstream.event("PayloadChunk", b"\x00hello")
        + eventstream.json_event("InvokeComplete", {"ErrorCode": None, "LogResult": "bG9n"})
    )
    first, second = list(buffer)
    assert first.headers == {
        ":event-type": "PayloadChunk",
        ":content-type": "application/octet-stream",
        ":message-type": "event",
    }
    assert first.payload == b"\x00hello"
    assert second.headers[":event-type"] == "InvokeComplete"
    assert json.loads(second.payload) == {"LogResult": "bG9n"}


def test_an_empty_payload_is_a_valid_message() -> None:
    buffer = EventStreamBuffer()
    buffer.add_data(eventstream.encode_message({":message-type": "event"}, b""))
    (message,) = list(buffer)
    assert (message.headers, message.payload) == ({":message-type": "event"}, b"")
