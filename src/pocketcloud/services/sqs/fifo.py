"""What only FIFO queues do on send and receive: message groups, deduplication, receive attempts.

Deduplication (5 minutes, "Exactly-once processing" in the SQS Developer
Guide): a send whose deduplication id (given, or the SHA-256 of the body with
ContentBasedDeduplication) was seen in the window is accepted and answered
with the first send's MessageId and SequenceNumber, but not enqueued again,
even if the first message has since been deleted. The window's records are
stored (`dedup` collection) so a restart keeps them, and swept when they
expire. With DeduplicationScope=messageGroup the id is scoped to its group.

A ReceiveRequestAttemptId repeated within 5 minutes returns the same
messages and receipt handles, with their visibility timeout restarted, as
long as none of them was deleted or changed meanwhile. It serves retries of a
receive whose answer was lost, a server restart included, so the attempts are
stored too (`receive_attempts`, written in the transaction of the receive they replay).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from pocketcloud.services.sqs.errors import (
    invalid_parameter_value,
    invalid_value,
    missing_parameter,
    not_for_queue_type,
)
from pocketcloud.services.sqs.index import QueueIndex
from pocketcloud.services.sqs.state import DEDUP_WINDOW_MS, Queue

_NO_DEDUPLICATION_ID = "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
# Alphanumeric characters and punctuation, 1 to 128 of them.
_FIFO_ID = re.compile(r"^[!-~]{1,128}$")


def check_fifo_id(name: str, value: str) -> None:
    if not _FIFO_ID.match(value):
        raise invalid_value(
            name,
            value,
            f"{name} can only include alphanumeric and punctuation characters. 1 to 128 in length.",
        )


def group_and_dedup(
    queue: Queue, body: str, group: str | None, dedup: str | None
) -> tuple[str | None, str | None]:
    """The (MessageGroupId, MessageDeduplicationId) a send gets, checked against the queue's type."""
    if not queue.fifo:
        if dedup is not None:
            raise not_for_queue_type("MessageDeduplicationId", dedup)
        if group is not None:
            check_fifo_id("MessageGroupId", group)  # a fair queue's tenant
        return group, None
    if not group:
        raise missing_parameter("MessageGroupId")
    check_fifo_id("MessageGroupId", group)
    if dedup is None:
        if not queue.content_dedup:
            raise invalid_parameter_value(_NO_DEDUPLICATION_ID)
        dedup = hashlib.sha256(body.encode("utf-8")).hexdigest()
    check_fifo_id("MessageDeduplicationId", dedup)
    return group, dedup


def check_batch_entries(queue: Queue, entries: list[dict[str, Any]]) -> None:
    """A FIFO batch with an entry lacking its group or deduplication id fails as a whole (SQS does
    not report those per entry), and with InvalidParameterValue even for the missing group."""
    for entry in entries:
        if not entry.get("MessageGroupId"):
            raise invalid_parameter_value("The request must contain the parameter MessageGroupId.")
        if entry.get("MessageDeduplicationId") is None and not queue.content_dedup:
            raise invalid_parameter_value(_NO_DEDUPLICATION_ID)


def dedup_key(queue: Queue, group: str, dedup: str) -> str:
    return f"{group}\x1f{dedup}" if queue.dedup_by_group else dedup


def seen(index: QueueIndex, key: str, now: int) -> tuple[int, str, str | None] | None:
    """The first send of `key` if it is still inside the deduplication window."""
    record = index.dedup.get(key)
    if record is None or record[0] <= now:
        return None
    return record


def record(
    index: QueueIndex, key: str, message_id: str, sequence_number: str, now: int
) -> tuple[int, str, str]:
    """Remember a first send (re-inserted, so the dict stays in expiry order)."""
    entry = (now + DEDUP_WINDOW_MS, message_id, sequence_number)
    index.dedup.pop(key, None)
    index.dedup[key] = entry
    return entry


def check_attempt_id(value: str) -> None:
    check_fifo_id("ReceiveRequestAttemptId", value)


def remember_attempt(index: QueueIndex, attempt: str, received: list[tuple[int, str]], now: int) -> None:
    index.attempts[attempt] = (now + DEDUP_WINDOW_MS, received)


def attempt_doc(received: list[tuple[int, str]], now: int) -> dict[str, Any]:
    """The stored form of a receive attempt (state.py's `receive_attempts`)."""
    return {"Expires": now + DEDUP_WINDOW_MS, "M": [[seq, token] for seq, token in received]}


def repeated_attempt(index: QueueIndex, attempt: str, now: int) -> list[int] | None:
    """The messages of an earlier receive with this attempt id, if it can be replayed."""
    record = index.attempts.get(attempt)
    if record is None or record[0] <= now:
        return None
    entries = index.entries
    for seq, token in record[1]:
        entry = entries.get(seq)
        if entry is None or entry.token != token:
            index.attempts.pop(attempt, None)
            return None
    return [seq for seq, _ in record[1]]


def sweep(index: QueueIndex, now: int) -> list[str]:
    """Forget expired deduplication records; their keys, to delete from the store."""
    expired = []
    for key, record in index.dedup.items():  # in the order they were recorded, so oldest first
        if record[0] > now:
            break
        expired.append(key)
    for key in expired:
        del index.dedup[key]
    return expired


def sweep_attempts(index: QueueIndex, now: int) -> list[str]:
    """Forget expired receive attempts; their ids, to delete from the store."""
    expired = [a for a, record in index.attempts.items() if record[0] <= now]
    for attempt in expired:
        del index.attempts[attempt]
    return expired
