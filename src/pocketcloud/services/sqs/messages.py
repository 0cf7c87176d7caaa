"""Sending and receiving: SendMessage(Batch), ReceiveMessage with long polling, and delivery
from other services (`enqueue`).

A send is stored before it is acknowledged (one transaction and one
statement per call, a batch's messages in a block of seqs of their own:
`state.BLOCK`). A receive takes the deliverable messages from the queue's
index (`index.QueueIndex.pick`), stores their new receive counts, visibility
deadlines and receipt token (one receive record for the call, see
`state.py`), and only then lets the index see them; a message received more
than the redrive policy's maxReceiveCount times goes to the dead-letter queue
instead (`redrive.py`). A long poll that finds nothing waits on the queue's
event, which a send (or a message becoming visible again) sets: no polling
loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.sqs import errors, fifo
from pocketcloud.services.sqs.index import Entry, QueueIndex
from pocketcloud.services.sqs.message_attributes import (
    asks_for_all,
    check_body,
    check_text,
    md5_hex,
    md5_of_attributes,
    message_attributes,
    select,
    system_attributes,
    wire_attributes,
)
from pocketcloud.services.sqs.receipts import batch_result, check_batch, encode_handle, failed_entry
from pocketcloud.services.sqs.state import (
    BLOCK,
    DEDUP_WINDOW_MS,
    Params,
    Queue,
    SqsState,
    message_key,
    now_ms,
    sequence_number,
)

BATCH_LIMIT = 1_048_576
# Messages a queue may have in flight ("Amazon SQS standard queue quotas": approximately 120,000;
# "Amazon SQS FIFO queue quotas": 120,000). At the limit a short poll of a standard queue is
# OverLimit; a long poll, and any receive from a FIFO queue, returns no messages and no error.
MAX_IN_FLIGHT = 120_000


class Outgoing:
    """A validated send: the document to store and the answer to give."""

    __slots__ = ("doc", "result", "dedup_key", "size", "delay")

    def __init__(self, doc: Params, result: Params, dedup_key: str | None, size: int, delay: int) -> None:
        self.doc = doc
        self.result = result
        self.dedup_key = dedup_key
        self.size = size
        self.delay = delay  # seconds before it may be received


# KMS's refusals of a queue's key, as SQS names them (its model's Kms* errors).
_KMS_ERRORS = {
    "KMS.NotFoundException": "KmsNotFound",
    "KMS.DisabledException": "KmsDisabled",
    "KMS.KMSInvalidStateException": "KmsInvalidState",
    "KMS.InvalidKeyUsageException": "KmsInvalidKeyUsage",
}


class MessageOperations:
    sqs: SqsState
    target_queue: Callable[[RequestContext, Params], Queue]  # QueueOperations
    dead_letter: Callable[[Queue, int, Params, int], bool]  # RedriveOperations

    # -- sending -------------------------------------------------------------------

    def check_kms(self, ctx: RequestContext, queue: Queue, action: str) -> None:
        """A queue encrypted with a KMS key (KmsMasterKeyId) needs the key usable and the caller
        allowed `action` on it (kms:GenerateDataKey to send, kms:Decrypt to receive); KMS's refusal
        comes back as SQS's Kms* error ("Key management" in the SQS Developer Guide)."""
        key_id = queue.attributes.get("KmsMasterKeyId")
        if not key_id:
            return
        kms = self.runtime.provider("kms")  # type: ignore[attr-defined]
        try:
            arn = kms.key_for((queue.account, queue.region), key_id, "sqs")
            kms.authorize_use(ctx, arn, action, "sqs", {"aws:sqs:arn": queue.arn})
        except ServiceError as error:
            raise ServiceError(
                _KMS_ERRORS.get(error.code, "KmsAccessDenied"), error.message, status=400
            ) from None

    def SendMessage(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        self.check_kms(ctx, queue, "kms:GenerateDataKey")
        message = self.outgoing(queue, p, ctx.principal.user_id, trace=_trace_header(ctx))
        self.enqueue(queue, [message])
        return message.result

    def SendMessageBatch(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        self.check_kms(ctx, queue, "kms:GenerateDataKey")
        entries = check_batch(p.get("Entries"), "SendMessageBatchRequestEntry")
        # Each body is encoded once: for its share of the batch's size here, then for its MD5.
        raws: list[bytes] = []
        size = 0
        for entry in entries:
            raw = (entry.get("MessageBody") or "").encode("utf-8", "surrogatepass")
            raws.append(raw)
            size += len(raw)
            given = entry.get("MessageAttributes")
            if given:
                for name, value in given.items():
                    size += len(name.encode()) + len(str((value or {}).get("DataType", "")).encode())
                    data = (value or {}).get("StringValue") or (value or {}).get("BinaryValue") or b""
                    size += len(
                        data if isinstance(data, bytes) else str(data).encode("utf-8", "surrogatepass")
                    )
        if size > BATCH_LIMIT:
            raise errors.batch_too_long(BATCH_LIMIT, size)
        if queue.fifo:
            fifo.check_batch_entries(queue, entries)
        sender = ctx.principal.user_id
        trace = _trace_header(ctx)
        accepted: list[tuple[str, Outgoing]] = []
        failed: list[Params] = []
        for entry, raw in zip(entries, raws, strict=True):
            try:
                accepted.append((entry["Id"], self.outgoing(queue, entry, sender, raw, trace)))
            except ServiceError as error:
                failed.append(failed_entry(entry["Id"], error))
        self.enqueue(queue, [message for _, message in accepted])
        successful = [{"Id": entry_id, **message.result} for entry_id, message in accepted]
        return batch_result(successful, failed)

    def outgoing(
        self, queue: Queue, p: Params, sender: str, raw: bytes | None = None, trace: str | None = None
    ) -> Outgoing:
        """Validate one send (SendMessage or a batch entry) against the queue; `raw` is the body's
        UTF-8 encoding when the caller already has it, `trace` the call's X-Ray trace header."""
        body = p.get("MessageBody")
        if not body:
            raise errors.missing_parameter("MessageBody")
        check_body(body)
        delay = p.get("DelaySeconds")
        if delay is not None:
            if queue.fifo and delay != 0:
                raise errors.not_for_queue_type("DelaySeconds", delay)
            if not 0 <= delay <= 900:
                raise errors.invalid_value("DelaySeconds", delay, "DelaySeconds must be >= 0 and <= 900.")
        else:
            delay = queue.delay_seconds
        given = p.get("MessageAttributes")
        attributes, attributes_size = message_attributes(given) if given else ({}, 0)
        if raw is None:
            raw = body.encode("utf-8")
        size = len(raw) + attributes_size
        if size > queue.max_size:
            raise errors.invalid_parameter_value(
                f"One or more parameters are invalid. Reason: Message must be shorter than {queue.max_size} bytes."
            )
        given_system = p.get("MessageSystemAttributes")
        system = system_attributes(given_system) if given_system else {}
        group, dedup = p.get("MessageGroupId"), p.get("MessageDeduplicationId")
        if queue.fifo or group is not None or dedup is not None:
            group, dedup = fifo.group_and_dedup(queue, body, group, dedup)
        message_id = self.sqs.new_message_id()
        md5_body = md5_hex(raw)
        doc: Params = {
            "MessageId": message_id,
            "Body": body,
            "MD5OfBody": md5_body,
            "SenderId": sender,
            "ReceiveCount": 0,
        }
        result: Params = {"MessageId": message_id, "MD5OfMessageBody": md5_body}
        if attributes:
            doc["Attributes"] = attributes
            doc["MD5OfMessageAttributes"] = result["MD5OfMessageAttributes"] = md5_of_attributes(attributes)
        if system:
            result["MD5OfMessageSystemAttributes"] = md5_of_attributes(system)
        if trace and "AWSTraceHeader" not in system:  # the attribute, when given, wins over the header
            system = {**system, "AWSTraceHeader": {"DataType": "String", "StringValue": trace}}
        if system:
            doc["SystemAttributes"] = system
        key = None
        if group is not None:
            doc["Group"] = group
            if dedup is not None:
                doc["DeduplicationId"] = dedup
                key = fifo.dedup_key(queue, group, dedup)
        return Outgoing(doc, result, key, size, delay)

    def enqueue(self, queue: Queue, messages: list[Outgoing]) -> None:
        """Store validated sends (one transaction), then index them and wake long polls."""
        if not messages:
            return
        index = self.sqs.index(queue)
        now = now_ms()
        fresh: list[tuple[int, Params]] = []
        first_sends: dict[str, Outgoing] = {}
        next_seq = self.sqs.next_seq
        if 1 < len(messages) <= BLOCK:
            next_seq = iter(range(self.sqs.next_block(), 1 << 63)).__next__
        for message in messages:
            doc = message.doc
            if message.dedup_key is not None:
                earlier = first_sends.get(message.dedup_key)
                known = fifo.seen(index, message.dedup_key, now)
                if earlier is not None or known is not None:
                    message.result["MessageId"] = earlier.result["MessageId"] if earlier else known[1]  # type: ignore[index]
                    number = earlier.result.get("SequenceNumber") if earlier else known[2]  # type: ignore[index]
                    if number:
                        message.result["SequenceNumber"] = number
                    continue
                first_sends[message.dedup_key] = message
            seq = next_seq()
            doc["Sent"] = now
            doc["Visible"] = now + message.delay * 1000
            if queue.fifo:
                doc["SequenceNumber"] = message.result["SequenceNumber"] = sequence_number(seq)
            fresh.append((seq, doc))
        scope = queue.scope
        with self.sqs.store.transaction():
            self.sqs.drop_garbage(queue, index)
            if len(fresh) > 1:  # one executemany for a batch
                self.sqs.messages.put_many(scope, [(message_key(seq), doc) for seq, doc in fresh])
            elif fresh:
                self.sqs.messages.put(scope, message_key(fresh[0][0]), fresh[0][1])
            for key, message in first_sends.items():
                self.sqs.dedup.put(
                    scope,
                    key,
                    {
                        "Expires": now + DEDUP_WINDOW_MS,
                        "MessageId": message.result["MessageId"],
                        "SequenceNumber": message.result.get("SequenceNumber"),
                    },
                )
        for key, message in first_sends.items():
            fifo.record(index, key, message.result["MessageId"], message.result["SequenceNumber"], now)
        add = index.add
        for seq, doc in fresh:
            add(seq, Entry(doc["Visible"], None, now, doc.get("Group")))

    # -- receiving -------------------------------------------------------------------

    async def ReceiveMessage(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        limit = p.get("MaxNumberOfMessages")
        if limit is None:
            limit = 1
        elif not 1 <= limit <= 10:
            raise errors.invalid_value("MaxNumberOfMessages", limit, "Must be between 1 and 10, if provided.")
        timeout = p.get("VisibilityTimeout")
        if timeout is None:
            timeout = queue.visibility_timeout
        elif not 0 <= timeout <= 43_200:
            raise errors.invalid_value(
                "VisibilityTimeout", timeout, "Must be >= 0 and <= 43200, if provided."
            )
        wait = p.get("WaitTimeSeconds")
        if wait is None:
            wait = queue.wait_seconds
        elif not 0 <= wait <= 20:
            raise errors.invalid_value("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.")
        attempt = p.get("ReceiveRequestAttemptId") if queue.fifo else None
        if attempt is not None:
            fifo.check_attempt_id(attempt)
        self.check_kms(ctx, queue, "kms:Decrypt")
        if not wait and not queue.fifo and in_flight_room(self.sqs.index(queue), limit) == 0:
            raise errors.too_many_in_flight()
        names = [*(p.get("MessageSystemAttributeNames") or []), *(p.get("AttributeNames") or [])]
        messages = await self.poll(
            ctx, queue, limit, timeout, wait, attempt, names, p.get("MessageAttributeNames")
        )
        return {"Messages": messages} if messages else {}

    async def poll(
        self,
        ctx: RequestContext | None,
        queue: Queue,
        limit: int,
        timeout: int,
        wait: float,
        attempt: str | None,
        names: list[str],
        wanted: list[str] | None,
    ) -> list[Params]:
        """Receive, waiting up to `wait` seconds for a first message (long polling)."""
        messages = self.receive_now(queue, limit, timeout, attempt, names, wanted)
        if messages or wait <= 0:
            return messages  # without asking for the loop: Python 3.11's get_running_loop is a getpid() call
        loop = asyncio.get_running_loop()
        deadline, remaining = loop.time() + wait, wait
        while True:
            index = self.sqs.index(queue)
            next_visible = index.next_deadline()
            pause = remaining
            if next_visible is not None:
                pause = min(remaining, max(0.005, (next_visible - now_ms()) / 1000))
            await index.wait(pause)
            current = self.sqs.find(queue.account, queue.region, queue.name)
            if current is None or current.id != queue.id:
                raise errors.queue_does_not_exist(ctx)
            queue = current
            messages = self.receive_now(queue, limit, timeout, attempt, names, wanted)
            remaining = deadline - loop.time()
            if messages or remaining <= 0:
                return messages

    def receive_now(
        self,
        queue: Queue,
        limit: int,
        timeout: int,
        attempt: str | None,
        names: list[str],
        wanted: list[str] | None,
    ) -> list[Params]:
        """Receive up to `limit` deliverable messages now (no waiting)."""
        index = self.sqs.index(queue)
        limit = in_flight_room(index, limit)
        if not limit and not attempt:  # a repeated FIFO receive attempt is still replayed
            return []
        now = now_ms()
        received: list[tuple[int, Params]] = []
        record = self.sqs.next_seq()
        try:
            with self.sqs.store.transaction():
                self.sqs.drop_garbage(queue, index)
                replay = fifo.repeated_attempt(index, attempt, now) if attempt else None
                if replay is not None:
                    self._replay(queue, index, now, timeout, replay, received)
                else:
                    self._take(queue, index, now, limit, timeout, f"{record:x}", received)
                    if attempt and received:  # kept with the receive itself, for a retry after a restart
                        receipts = [(seq, doc["Receipt"]) for seq, doc in received]
                        self.sqs.attempts.put(queue.scope, attempt, fifo.attempt_doc(receipts, now))
                where = self._store_states(queue, record, received)
        except Exception:
            self.sqs.clear_indexes()  # a dead-lettered message touched the DLQ's index too
            raise
        entries = index.entries
        for seq, doc in received:
            entry = entries[seq]
            entry.count, entry.first, entry.last = (
                doc["ReceiveCount"],
                doc["FirstReceived"],
                doc["LastReceived"],
            )
            index.set_visible(seq, doc["Visible"], doc["Receipt"], where)
        if attempt and received and replay is None:
            fifo.remember_attempt(index, attempt, [(seq, doc["Receipt"]) for seq, doc in received], now)
        return [self._wire(queue, seq, doc, names, wanted) for seq, doc in received]

    def _store_states(self, queue: Queue, record: int, received: list[tuple[int, Params]]) -> int | None:
        """Store the received messages' new states: one receive record for several (one row written
        instead of one per message); a lone message's own document (one row, and none to delete later).
        Which holds them: the record, or None for the document."""
        if not received:
            return None
        if len(received) > 1:
            self.sqs.put_record(queue, record, [state_row(seq, doc) for seq, doc in received])
            return record
        seq, doc = received[0]
        doc["State"] = record  # newer than any record already naming it: the document's state wins
        self.sqs.messages.put(queue.scope, message_key(seq), doc)
        return None

    def _replay(
        self,
        queue: Queue,
        index: Any,
        now: int,
        timeout: int,
        seqs: list[int],
        received: list[tuple[int, Params]],
    ) -> None:
        """The messages of a repeated FIFO receive attempt again, same receipts, timeout restarted."""
        for seq in seqs:
            doc = self.sqs.messages.get(queue.scope, message_key(seq))
            if doc is not None:
                entry = index.entries[seq]
                current_state(doc, entry)
                doc["Visible"] = now + timeout * 1000
                received.append((seq, doc))

    def _take(
        self,
        queue: Queue,
        index: Any,
        now: int,
        limit: int,
        timeout: int,
        token: str,
        received: list[tuple[int, Params]],
    ) -> None:
        """Pick, check and take deliverable messages: `received` gets each one's document as it is
        after this receive (the caller stores the new states in one receive record)."""
        taken: set[int] = set()
        messages, entries = self.sqs.messages, index.entries
        scope = queue.scope
        visible = now + timeout * 1000
        oldest = now - queue.retention_ms  # a message sent at or before this has outlived its retention
        max_count = queue.max_receive_count
        while len(received) < limit:
            picked = [seq for seq in index.pick(now, limit - len(received)) if seq not in taken]
            if not picked:
                return
            found = self._fetch(queue, picked)
            for seq in picked:
                taken.add(seq)
                key = message_key(seq)
                doc = found.get(seq) or messages.get(scope, key)
                if doc is None:
                    index.remove(seq)
                    continue
                if doc["Sent"] <= oldest:
                    messages.delete(scope, key)
                    index.remove(seq)
                    continue
                entry = entries[seq]
                current_state(doc, entry)
                count = entry.count + 1
                if max_count and count > max_count and self.dead_letter(queue, seq, doc, now):
                    continue
                doc["ReceiveCount"] = count
                if entry.first is None:
                    doc["FirstReceived"] = now
                doc["LastReceived"] = now
                doc["Visible"] = visible
                doc["Receipt"] = token
                received.append((seq, doc))

    def _fetch(self, queue: Queue, seqs: list[int]) -> dict[int, Params]:
        """The documents of `seqs`, with one range read when they lie close together in key order
        (the usual case: the oldest messages of a queue read in order); the caller gets the rest."""
        if len(seqs) < 2:
            return {}
        low, high = min(seqs), max(seqs)
        wanted = set(seqs)
        rows = self.sqs.messages.scan(queue.scope, start_after=message_key(low - 1), limit=len(seqs))
        found = {}
        for key, doc in rows:
            seq = int(key)
            if seq > high:
                break
            if seq in wanted:
                found[seq] = doc
        return found

    def _wire(
        self, queue: Queue, seq: int, doc: Params, names: list[str], wanted: list[str] | None
    ) -> Params:
        """A received message as ReceiveMessage returns it."""
        message: Params = {
            "MessageId": doc["MessageId"],
            "ReceiptHandle": encode_handle(queue, seq, doc["Receipt"]),
            "MD5OfBody": doc["MD5OfBody"],
            "Body": doc["Body"],
        }
        if names:
            message["Attributes"] = system_attribute_values(doc, names)
        stored = doc.get("Attributes")
        if stored and wanted:
            chosen = select(stored, wanted)
            if chosen:
                message["MessageAttributes"] = wire_attributes(chosen)
                message["MD5OfMessageAttributes"] = (
                    doc["MD5OfMessageAttributes"] if len(chosen) == len(stored) else md5_of_attributes(chosen)
                )
        return message


def _trace_header(ctx: RequestContext) -> str | None:
    """The X-Ray trace header a send carries as X-Amzn-Trace-Id, which SQS keeps as each message's
    AWSTraceHeader ("Amazon SQS and AWS X-Ray", X-Ray Developer Guide; SDKs running in Lambda send
    it); text SQS could not store is left out."""
    trace = ctx.request.headers.get("x-amzn-trace-id")
    return trace if trace and check_text(trace) else None


def in_flight_room(index: QueueIndex, limit: int) -> int:
    """How many of `limit` messages a receive may take before the queue has MAX_IN_FLIGHT in flight.
    The messages in flight are counted (a pass over the hidden ones) only near the limit: `hidden`
    holds every message in flight, so while it is smaller than the limit allows, there is room."""
    if len(index.hidden) <= MAX_IN_FLIGHT - limit:
        return limit
    _, in_flight, _ = index.counts(now_ms())
    return max(0, min(limit, MAX_IN_FLIGHT - in_flight))


def state_row(seq: int, doc: Params) -> list[Any]:
    """A message's row in a receive record, from its document as the call leaves it."""
    return [
        seq,
        doc["Visible"],
        doc["ReceiveCount"],
        doc.get("FirstReceived"),
        doc.get("LastReceived"),
        doc.get("Receipt"),
    ]


def current_state(doc: Params, entry: Entry) -> None:
    """Bring a stored message's state up to date from the index (a receive record may hold it)."""
    doc["ReceiveCount"] = entry.count
    doc["Visible"] = entry.visible
    if entry.first is not None:
        doc["FirstReceived"] = entry.first
    if entry.last is not None:
        doc["LastReceived"] = entry.last
    if entry.token is not None:
        doc["Receipt"] = entry.token


def system_attribute_values(doc: Params, names: list[str]) -> dict[str, str]:
    everything = asks_for_all(names)
    values: dict[str, str] = {}

    def want(name: str) -> bool:
        return everything or name in names

    if want("SenderId"):
        values["SenderId"] = doc["SenderId"]
    if want("SentTimestamp"):
        values["SentTimestamp"] = str(doc["Sent"])
    if want("ApproximateReceiveCount"):
        values["ApproximateReceiveCount"] = str(doc["ReceiveCount"])
    if want("ApproximateFirstReceiveTimestamp"):
        values["ApproximateFirstReceiveTimestamp"] = str(doc.get("FirstReceived", doc["Sent"]))
    trace = (doc.get("SystemAttributes") or {}).get("AWSTraceHeader")
    if trace and want("AWSTraceHeader"):
        values["AWSTraceHeader"] = trace["StringValue"]
    if doc.get("DeadLetterQueueSourceArn") and want("DeadLetterQueueSourceArn"):
        values["DeadLetterQueueSourceArn"] = doc["DeadLetterQueueSourceArn"]
    if doc.get("Group") is not None and want("MessageGroupId"):
        values["MessageGroupId"] = doc["Group"]
    if doc.get("DeduplicationId") is not None and want("MessageDeduplicationId"):
        values["MessageDeduplicationId"] = doc["DeduplicationId"]
    if doc.get("SequenceNumber") is not None and want("SequenceNumber"):
        values["SequenceNumber"] = doc["SequenceNumber"]
    return values
