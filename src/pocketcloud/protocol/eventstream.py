"""The AWS event stream framing (application/vnd.amazon.eventstream), server side.

Each message is

    total length (4 bytes) | headers length (4) | prelude CRC32 (4) | headers | payload | message CRC32 (4)

all big-endian; the prelude CRC covers the first 8 bytes, the message CRC everything
before it. A header is name length (1 byte), name, value type (1 byte), value; we
only write string values (type 7: 2-byte length, UTF-8 bytes), which is all an event's
`:message-type`, `:event-type` and `:content-type` need.
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

CONTENT_TYPE = "application/vnd.amazon.eventstream"
_STRING = 7
_PRELUDE = 12  # total length, headers length, prelude CRC
_TRAILER = 4  # message CRC


def encode_headers(headers: dict[str, str]) -> bytes:
    out = bytearray()
    for name, value in headers.items():
        raw_name = name.encode()
        raw_value = value.encode()
        out += struct.pack(">B", len(raw_name)) + raw_name
        out += struct.pack(">BH", _STRING, len(raw_value)) + raw_value
    return bytes(out)


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    raw_headers = encode_headers(headers)
    total = _PRELUDE + len(raw_headers) + len(payload) + _TRAILER
    prelude = struct.pack(">II", total, len(raw_headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + raw_headers + payload
    return message + struct.pack(">I", zlib.crc32(message))


def event(event_type: str, payload: bytes, content_type: str = "application/octet-stream") -> bytes:
    """One event message: a blob payload (an `eventpayload` member) is sent as it is."""
    return encode_message(
        {":event-type": event_type, ":content-type": content_type, ":message-type": "event"}, payload
    )


def json_event(event_type: str, members: dict[str, Any]) -> bytes:
    """One event whose members form a JSON document (rest-json events without an `eventpayload`)."""
    body = json.dumps({k: v for k, v in members.items() if v is not None}, separators=(",", ":"))
    return event(event_type, body.encode(), "application/json")
