"""Receipt handles, and what is done with them: DeleteMessage(Batch), ChangeMessageVisibility(Batch).

A receipt handle names the queue (its id), the message (its seq) and the
receive it came from (that receive's token, a clock-based seq in hex, stored
with the message's state: `state.py`). A handle that
cannot be read, or names another queue (one deleted since and made again
included), is ReceiptHandleIsInvalid, worded apart as SQS words them. On a
standard queue any handle of a message that still exists works, even one
from an earlier receive of a message received again since, or one whose
timeout ran out: DeleteMessage deletes the message, and ChangeMessageVisibility
changes the timeout of a message in flight and accepts, doing nothing, a change
for one that is visible again, as SQS does (the reference only promises that an
old handle's delete succeeds). On a FIFO queue only the current handle of a
message in flight works: DeleteMessage with another is "The receipt handle has
expired", ChangeMessageVisibility InvalidParameterValue or MessageNotInflight.

A delete removes one row per message, except where it takes every message
left of a batch's block of seqs (`state.BLOCK`): one range delete for those.
A visibility change stores the new states in one receive record.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.sqs import errors
from pocketcloud.services.sqs.index import QueueIndex
from pocketcloud.services.sqs.state import BLOCK, Params, Queue, SqsState, block_prefix, message_key, now_ms

MAX_VISIBILITY_MS = 43_200 * 1000


class _IndexBehind(Exception):
    """A range delete removed more messages than the index knew of (rolled back)."""


_ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def encode_handle(queue: Queue, seq: int, token: str) -> str:
    return binascii.b2a_base64(f"{queue.id} {seq} {token}".encode(), newline=False).decode("ascii")


def decode_handle(handle: str) -> tuple[str, int, str] | None:
    try:
        parts = binascii.a2b_base64(handle, strict_mode=True).decode("utf-8").split(" ")
        if len(parts) == 3 and parts[1].isdigit():
            return parts[0], int(parts[1]), parts[2]
    except (binascii.Error, ValueError):
        pass
    return None


def handle_error(handle: str, parsed: tuple[str, int, str] | None) -> ServiceError:
    """Why a handle names no message of the queue called: it cannot be read (`parsed` None), or
    another queue gave it."""
    if parsed is None:
        return errors.receipt_handle_is_invalid(handle)
    return errors.receipt_handle_of_another_queue(handle)


def check_batch(entries: list[dict[str, Any]] | None, entry_name: str) -> list[dict[str, Any]]:
    """The batch rules every *Batch call shares: 1 to 10 entries with distinct, well-formed ids.
    A null entry (JSON allows [null]; SDKs never send it) is no entry."""
    entries = [entry for entry in entries or [] if entry is not None]
    if not entries:
        raise errors.empty_batch(entry_name)
    if len(entries) > 10:
        raise errors.too_many_entries(len(entries))
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry.get("Id")
        if not isinstance(entry_id, str) or not _ENTRY_ID.match(entry_id):
            raise errors.invalid_batch_entry_id()
        if entry_id in seen:
            raise errors.ids_not_distinct(entry_id)
        seen.add(entry_id)
    return entries


def failed_entry(entry_id: str, error: ServiceError) -> Params:
    return {"Id": entry_id, "SenderFault": error.sender_fault, "Code": error.code, "Message": error.message}


def batch_result(successful: list[Params], failed: list[Params]) -> Params:
    """A *Batch answer. SQS leaves an empty Successful or Failed list out (json: no key; query: no
    element), although the model marks both required: SDKs since the json switch see no Failed."""
    result: Params = {}
    if successful:
        result["Successful"] = successful
    if failed:
        result["Failed"] = failed
    return result


def check_visibility_timeout(value: Any) -> int:
    if value is None:
        raise errors.missing_parameter("VisibilityTimeout")
    if not 0 <= value <= 43_200:
        raise errors.invalid_value(
            "VisibilityTimeout", value, "VisibilityTimeout must be an integer between 0 and 43200"
        )
    return int(value)


class ReceiptOperations:
    sqs: SqsState
    target_queue: Callable[[RequestContext, Params], Queue]  # QueueOperations

    # -- delete ------------------------------------------------------------------

    def DeleteMessage(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        handle = p.get("ReceiptHandle")
        if not handle:
            raise errors.missing_parameter("ReceiptHandle")
        self._delete(queue, [handle])
        return {}

    def DeleteMessageBatch(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        entries = check_batch(p.get("Entries"), "DeleteMessageBatchRequestEntry")
        outcomes = self._delete(queue, [entry.get("ReceiptHandle") or "" for entry in entries], batch=True)
        successful: list[Params] = []
        failed: list[Params] = []
        for entry, outcome in zip(entries, outcomes, strict=True):
            if outcome is None:
                successful.append({"Id": entry["Id"]})
            else:
                failed.append(failed_entry(entry["Id"], outcome))
        return batch_result(successful, failed)

    def _delete(self, queue: Queue, handles: list[str], batch: bool = False) -> list[ServiceError | None]:
        """Delete by receipt handles in one transaction; per handle, None or the error (raised unless `batch`)."""
        index = self.sqs.index(queue)
        entries = index.entries
        now = now_ms()
        outcomes: list[ServiceError | None] = []
        doomed: dict[int, None] = {}  # in order, without repeats
        for handle in handles:
            parsed = decode_handle(handle)
            if parsed is None or parsed[0] != queue.id:
                error: ServiceError = handle_error(handle, parsed)
            else:
                seq = parsed[1]
                entry = entries.get(seq)
                if entry is None:
                    outcomes.append(None)  # already deleted (or expired): AWS answers success
                    continue
                if not queue.fifo or (entry.token == parsed[2] and entry.visible > now):
                    outcomes.append(None)
                    doomed[seq] = None
                    continue
                # On a FIFO queue only the current receive's handle works, while the message is in flight.
                error = errors.receipt_handle_expired(handle)
            if not batch:
                raise error
            outcomes.append(error)
        if doomed:
            try:
                self._delete_rows(queue, index, doomed)
            except _IndexBehind:
                # The store held a message the index did not know: reload it, then delete again
                # (the first attempt was rolled back; the block with that message goes row by row).
                self.sqs.invalidate(queue)
                return self._delete(queue, handles, batch)
            except Exception:
                self.sqs.invalidate(queue)
                raise
        return outcomes

    def _delete_rows(self, queue: Queue, index: QueueIndex, doomed: dict[int, None]) -> None:
        """Delete messages and their index entries in one transaction: a block (see `state.BLOCK`)
        whose every message goes is one range delete, the rest in one statement (`delete_many`)."""
        messages, scope, entries = self.sqs.messages, queue.scope, index.entries
        blocks: dict[int, list[int]] = {}
        for seq in doomed:
            blocks.setdefault(seq - seq % BLOCK, []).append(seq)
        with self.sqs.store.transaction():
            singles: list[str] = []
            for start, seqs in blocks.items():
                if len(seqs) > 1 and all(
                    s in doomed or s not in entries for s in range(start, start + BLOCK)
                ):
                    if messages.delete_prefix(scope, block_prefix(start)) > len(seqs):
                        raise _IndexBehind
                else:
                    singles.extend(message_key(seq) for seq in seqs)
                for seq in seqs:
                    index.remove(seq)
            if singles:
                messages.delete_many(scope, singles)
            # In the same transaction, the receive records these were the last messages of.
            self.sqs.drop_garbage(queue, index)

    # -- visibility ----------------------------------------------------------------

    def ChangeMessageVisibility(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        handle = p.get("ReceiptHandle")
        if not handle:
            raise errors.missing_parameter("ReceiptHandle")
        timeout = check_visibility_timeout(p.get("VisibilityTimeout"))
        self._change_visibility(queue, [(handle, timeout)])
        return {}

    def ChangeMessageVisibilityBatch(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        entries = check_batch(p.get("Entries"), "ChangeMessageVisibilityBatchRequestEntry")
        changes: list[tuple[str, int]] = []
        early: dict[int, ServiceError] = {}
        for position, entry in enumerate(entries):
            try:
                changes.append(
                    (
                        entry.get("ReceiptHandle") or "",
                        check_visibility_timeout(entry.get("VisibilityTimeout")),
                    )
                )
            except ServiceError as error:
                early[position] = error
                changes.append(("", -1))
        outcomes = self._change_visibility(queue, changes, batch=True)
        successful: list[Params] = []
        failed: list[Params] = []
        for position, (entry, outcome) in enumerate(zip(entries, outcomes, strict=True)):
            problem = early.get(position) or outcome
            if problem is None:
                successful.append({"Id": entry["Id"]})
            else:
                failed.append(failed_entry(entry["Id"], problem))
        return batch_result(successful, failed)

    def _change_visibility(
        self, queue: Queue, changes: list[tuple[str, int]], batch: bool = False
    ) -> list[ServiceError | None]:
        """Change deadlines by receipt handles: the new states go in one receive record."""
        index = self.sqs.index(queue)
        now = now_ms()
        outcomes: list[ServiceError | None] = []
        updates: dict[int, int] = {}  # seq → new deadline
        for handle, timeout in changes:
            if timeout < 0:
                outcomes.append(None)  # already failed validation; reported by the caller
                continue
            try:
                update = self._new_visibility(queue, index, handle, timeout, now)
                if update is not None:
                    updates[update[0]] = update[1]
                outcomes.append(None)
            except ServiceError as error:
                if not batch:
                    raise
                outcomes.append(error)
        if not updates:
            return outcomes
        entries = index.entries
        record = self.sqs.next_seq()
        rows = [
            [seq, visible, e.count, e.first, e.last, e.token]
            for seq, visible in updates.items()
            for e in (entries[seq],)
        ]
        # A FIFO receive attempt whose messages had their visibility changed is no longer replayed
        # (ReceiveMessage, ReceiveRequestAttemptId: "It is possible to retry the ReceiveMessage action
        # with the same ReceiveRequestAttemptId if none of the messages have been modified (deleted or
        # had their visibility changes)."); a retry with its id is a new receive.
        spent = [
            attempt
            for attempt, (_, taken) in index.attempts.items()
            if any(seq in updates for seq, _ in taken)
        ]
        try:
            with self.sqs.store.transaction():
                self.sqs.drop_garbage(queue, index)
                self.sqs.put_record(queue, record, rows)
                for attempt in spent:
                    self.sqs.attempts.delete(queue.scope, attempt)
        except Exception:
            self.sqs.invalidate(queue)
            raise
        for attempt in spent:
            index.attempts.pop(attempt, None)
        for seq, visible in updates.items():
            index.set_visible(seq, visible, entries[seq].token, record)
        return outcomes

    def _new_visibility(
        self, queue: Queue, index: QueueIndex, handle: str, timeout: int, now: int
    ) -> tuple[int, int] | None:
        """(message, new deadline), None if the change is accepted but does nothing."""
        parsed = decode_handle(handle)
        if parsed is None or parsed[0] != queue.id:
            raise handle_error(handle, parsed)
        _, seq, token = parsed
        entry = index.entries.get(seq)
        if entry is None or (queue.fifo and entry.token != token):
            raise errors.not_available_for_visibility_change(handle)
        if entry.visible <= now:
            if queue.fifo:
                raise errors.message_not_inflight()
            return None  # a standard queue's message no longer in flight: OK, and it stays visible
        # On a standard queue any handle of a message in flight works, even one from an earlier receive.
        visible = now + timeout * 1000
        if visible - (entry.last if entry.last is not None else now) > MAX_VISIBILITY_MS:
            raise errors.invalid_value(
                "VisibilityTimeout",
                timeout,
                "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
            )
        return seq, visible
