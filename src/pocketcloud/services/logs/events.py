"""Log events in the store, and the positions that page through them.

One document per event ({"message", "ingestionTime"}, plus "transformed" or
"transformationError" in a group with a transformer), keyed
"<group>\\0<stream>\\0<timestamp:015>\\0<sequence:019>",
so the events of a stream are a single ordered range: a time window is one
seek, reading newest-first is the same range walked backwards, and retention
is a delete of the range's head.

A *position* is the integer timestamp * 10**19 + sequence, ordered exactly as
the keys are. The sequence is unique across the server (it grows from the
clock in microseconds), so a position names one event: it is the event's
`eventId`, and GetLogEvents/FilterLogEvents tokens are positions to resume
after (forward) or before (backward).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from pocketcloud.store import Collection, Scope

SEQUENCE_SPAN = 10**19
# Timestamps have at most 15 digits in a key; a position is below END.
END = 10**15 * SEQUENCE_SPAN
EVENT_OVERHEAD = 26  # bytes AWS counts per event on top of its UTF-8 message
CHUNK = 500

Event = dict[str, Any]


def now_ms() -> int:
    return int(time.time() * 1000)


def stream_prefix(group: str, stream: str) -> str:
    return f"{group}\0{stream}\0"


def position_key(prefix: str, position: int) -> str:
    timestamp, sequence = divmod(position, SEQUENCE_SPAN)
    return f"{prefix}{timestamp:015d}\0{sequence:019d}"


def key_position(key: str) -> int:
    _, timestamp, sequence = key.rsplit("\0", 2)
    return int(timestamp) * SEQUENCE_SPAN + int(sequence)


def time_position(timestamp_ms: int) -> int:
    """The position just before every event at `timestamp_ms`."""
    return max(timestamp_ms, 0) * SEQUENCE_SPAN


def event_size(message: str) -> int:
    return len(message.encode("utf-8", "surrogatepass")) + EVENT_OVERHEAD


class EventLog:
    """The events collection of the logs service."""

    def __init__(self, events: Collection) -> None:
        self.events = events
        self._sequence = 0

    def next_sequence(self) -> int:
        # From the clock, so it keeps growing across restarts without a durable counter.
        self._sequence = max(self._sequence + 1, time.time_ns() // 1000)
        return self._sequence

    def append(
        self,
        scope: Scope,
        group: str,
        stream: str,
        events: list[tuple[int, str]],
        ingestion: int,
        extras: list[Event] | None = None,
    ) -> list[int]:
        """Store the events, each with its `extras` fields if given (a transformed version);
        their positions (event ids), in order."""
        prefix = stream_prefix(group, stream)
        positions = [timestamp * SEQUENCE_SPAN + self.next_sequence() for timestamp, _ in events]
        docs = [{"message": message, "ingestionTime": ingestion} for _, message in events]
        if extras is not None:
            for doc, extra in zip(docs, extras, strict=True):
                doc.update(extra)
        self.events.put_many(
            scope,
            [(position_key(prefix, position), doc) for position, doc in zip(positions, docs, strict=True)],
        )
        return positions

    def read(
        self,
        scope: Scope,
        group: str,
        stream: str,
        after: int,
        before: int,
        forward: bool = True,
        first_page: int = 32,
    ) -> Iterator[tuple[int, Event]]:
        """(position, {"timestamp", "message", "ingestionTime"}) for after < position < before,
        ascending when `forward`, descending otherwise. Pages grow from `first_page` to CHUNK
        documents, so merging many streams for a short answer reads little of each."""
        prefix = stream_prefix(group, stream)
        if after + 1 >= before:
            return
        cursor = position_key(prefix, after if forward else before)
        size = max(1, min(first_page, CHUNK))
        while True:
            page = self.events.scan(scope, prefix=prefix, start_after=cursor, limit=size, reverse=not forward)
            for key, doc in page:
                position = key_position(key)
                if (position >= before) if forward else (position <= after):
                    return
                doc["timestamp"] = position // SEQUENCE_SPAN
                yield position, doc
            if len(page) < size:
                return
            cursor = page[-1][0]
            size = min(size * 4, CHUNK)

    def delete_before(self, scope: Scope, group: str, stream: str, cutoff_ms: int, limit: int = CHUNK) -> int:
        """Delete up to `limit` of the stream's events older than `cutoff_ms`, oldest first; how many went."""
        prefix = stream_prefix(group, stream)
        bound = position_key(prefix, time_position(cutoff_ms))
        doomed = [key for key, _ in self.events.scan(scope, prefix=prefix, limit=limit) if key < bound]
        for key in doomed:
            self.events.delete(scope, key)
        return len(doomed)

    def delete_stream(self, scope: Scope, group: str, stream: str) -> None:
        self.events.delete_prefix(scope, stream_prefix(group, stream))

    def delete_group(self, scope: Scope, group: str) -> None:
        self.events.delete_prefix(scope, group + "\0")
