"""AWS's telemetry log channel: the framed records a runtime writes to `_LAMBDA_TELEMETRY_LOG_FD`.

AWS's Python runtime client (awslambdaric, and our builtin client alike) writes each
record of the `logging` module, and the [ERROR] record of an unhandled exception, to
that descriptor as one frame, big-endian:

    frame type (4 bytes) | length (4) | timestamp, µs since the epoch (8) | message (length bytes)

One frame is one CloudWatch Logs event, so a record spanning lines (a traceback) stays
one event with its line breaks kept, where stdout would cut it into lines. The frame
types are 0xA55A00xx; the low bit of the last byte says the format: 1 text, 0 JSON
(awslambdaric's LogFormat).
"""

from __future__ import annotations

import struct
import time

HEADER = 16
MAGIC = b"\xa5\x5a"
# One unpack for the whole header: cheaper than slicing it field by field.
_HEADER = struct.Struct(">IIQ")


def split_frames(buffer: bytes | bytearray, limit: int) -> tuple[list[tuple[int, str]], int, int]:
    """The whole records `buffer` holds, as (epoch ms, message); how many of its bytes they took
    (the rest is a frame in part); and how many bytes not yet read still belong to the last record.

    A text record is its event as it stands (a `logging` record ends with its newline, the
    [ERROR] record does not, as AWS stores them); a JSON record's document alone is its event,
    as on stdout. The length in a header comes from the function, so a message over `limit`
    bytes is cut there, as AWS cuts an event at 256 KiB, and is given once `limit` bytes are in:
    the rest of its frame is to be dropped as it arrives (the third value), never held.
    """
    records: list[tuple[int, str]] = []
    start, size = 0, len(buffer)
    while size - start >= HEADER:
        kind, length, micros = _HEADER.unpack_from(buffer, start)
        if kind >> 16 != 0xA55A:
            # Not a frame: something other than the runtime wrote here. Kept as text, not lost.
            text = buffer[start : start + limit].decode("utf-8", "replace")
            records.append((int(time.time() * 1000), text))
            return records, size, 0
        end = start + HEADER + min(length, limit)
        if end > size:
            break
        message = buffer[start + HEADER : end].decode("utf-8", "replace")
        if not kind & 1:
            message = message.removesuffix("\n")
        records.append((micros // 1000, message))
        start = end
        if length > limit:  # past what is cut off, too
            start += length - limit
            if start > size:
                return records, size, start - size
    return records, start, 0


def cut_short(buffer: bytes | bytearray, limit: int) -> str:
    """What a frame left in part holds (its writer died writing it): its message so far."""
    return (
        buffer[HEADER : HEADER + limit].decode("utf-8", "replace")
        if buffer[:2] == MAGIC
        else buffer[:limit].decode("utf-8", "replace")
    )
