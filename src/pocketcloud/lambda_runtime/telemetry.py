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

import time

HEADER = 16
MAGIC = b"\xa5\x5a"


def split_frames(buffer: bytes) -> tuple[list[tuple[int, str]], bytes]:
    """The whole records `buffer` holds, as (epoch ms, message), and the rest of it (a frame in part).

    A text record is its event as it stands (a `logging` record ends with its newline, the
    [ERROR] record does not, as AWS stores them); a JSON record's document alone is its event,
    as on stdout.
    """
    records: list[tuple[int, str]] = []
    start, size = 0, len(buffer)
    while size - start >= HEADER:
        if buffer[start : start + 2] != MAGIC:
            # Not a frame: something other than the runtime wrote here. Kept as text, not lost.
            text = buffer[start:].decode("utf-8", "replace")
            records.append((int(time.time() * 1000), text))
            return records, b""
        end = start + HEADER + int.from_bytes(buffer[start + 4 : start + 8], "big")
        if end > size:
            break
        message = buffer[start + HEADER : end].decode("utf-8", "replace")
        if not buffer[start + 3] & 1:
            message = message.removesuffix("\n")
        records.append((int.from_bytes(buffer[start + 8 : start + HEADER], "big") // 1000, message))
        start = end
    return records, buffer[start:]


def cut_short(buffer: bytes) -> str:
    """What a frame left in part holds (its writer died writing it): its message so far."""
    return (
        buffer[HEADER:].decode("utf-8", "replace")
        if buffer[:2] == MAGIC
        else buffer.decode("utf-8", "replace")
    )
