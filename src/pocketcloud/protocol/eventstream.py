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
REST_JSON = "application/json"  # a rest-json service's JSON event payloads (Lambda's InvokeComplete)
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


def json_content_type(json_version: str) -> str:
    """The content type of a json-protocol service's JSON messages, its HTTP bodies' own: AWS labels
    CloudWatch Logs' StartLiveTail messages application/x-amz-json-1.1 (the recording in
    aws-sdk-rust's sdk/cloudwatchlogs/tests/success.json)."""
    return f"application/x-amz-json-{json_version}"


def json_event(event_type: str, members: dict[str, Any], content_type: str = REST_JSON) -> bytes:
    """One event whose members form a JSON document (events without an `eventpayload`)."""
    body = json.dumps({k: v for k, v in members.items() if v is not None}, separators=(",", ":"))
    return event(event_type, body.encode(), content_type)


def exception_event(exception_type: str, members: dict[str, Any], content_type: str = REST_JSON) -> bytes:
    """An exception message of the stream (a modeled error member of the event stream union)."""
    body = json.dumps({k: v for k, v in members.items() if v is not None}, separators=(",", ":"))
    headers = {":exception-type": exception_type, ":content-type": content_type, ":message-type": "exception"}
    return encode_message(headers, body.encode())


def initial_response(body: bytes, content_type: str) -> bytes:
    """The first message of a json-protocol event stream: the output's other members as JSON
    (botocore reads it before it hands the stream over)."""
    headers = {":event-type": "initial-response", ":content-type": content_type, ":message-type": "event"}
    return encode_message(headers, body)


class AfterInitialResponse:
    """A response body: the initial-response message, then the provider's messages (bytes, or an
    async iterable of them). `aclose` and `end_stream` (the gateway's word that the client left or
    the server is stopping) reach the provider's iterable."""

    def __init__(self, first: bytes, rest: Any) -> None:
        self._first: bytes | None = first
        self._rest = rest
        self._iterator: Any = None

    def __aiter__(self) -> AfterInitialResponse:
        return self

    async def __anext__(self) -> bytes:
        if self._first is not None:
            first, self._first = self._first, None
            return first
        if isinstance(self._rest, bytes | bytearray):
            rest, self._rest = bytes(self._rest), b""
            if rest:
                return rest
            raise StopAsyncIteration
        if self._iterator is None:
            self._iterator = self._rest.__aiter__()
        chunk: bytes = await self._iterator.__anext__()
        return chunk

    def end_stream(self) -> None:
        end = getattr(self._rest, "end_stream", None)
        if end is not None:
            end()

    async def aclose(self) -> None:
        close = getattr(self._iterator or self._rest, "aclose", None)
        if close is not None:
            await close()
