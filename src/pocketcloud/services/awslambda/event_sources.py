"""Event source mappings from SQS to Lambda: the API, and one named poller per enabled mapping.

A poller receives up to BatchSize messages (gathering them for up to
MaximumBatchingWindowInSeconds, or until the event would reach the 6 MB
synchronous payload quota), invokes the function synchronously with AWS's SQS
event (for a standard queue, more than once when what was received exceeds that
quota), and deletes the batch on success — or,
with ReportBatchItemFailures, all but the reported failures. On a function
error nothing is deleted: the messages become visible again after the queue's
visibility timeout and, after maxReceiveCount, go to the dead-letter queue.
Messages that none of the mapping's FilterCriteria match (`event_filters.py`) are
deleted without being delivered, as Lambda does.
Mappings live in the store and their pollers start with the server.

The poller reads and deletes as the function's execution role (`services/role_access.py`):
CreateEventSourceMapping refuses a role that may not receive, delete and read
the queue's attributes, and each receive and delete is authorized as the role. AWS reports no
LastProcessingResult for a queue; a mapping here reports one only while its role keeps the poller
from receiving or deleting (pocketcloud's own diagnosis), never for batches processed or failed.
Batches run concurrently, at most ScalingConfig.MaximumConcurrency of them
(five without one, the number Lambda starts an SQS mapping with; never more
than the function's reserved concurrency, past which they would be throttled).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.awslambda.errors import conflict, invalid_parameter, not_found
from pocketcloud.services.awslambda.event_filters import check_filter_criteria, matches_any, sqs_record_view
from pocketcloud.services.awslambda.functions import FunctionStore, function_arn, split_name
from pocketcloud.services.awslambda.invoke import SYNC_PAYLOAD_LIMIT
from pocketcloud.services.awslambda.paging import page
from pocketcloud.services.awslambda.role_access import RoleAccess, lambda_role_access
from pocketcloud.services.base import ServiceRuntime
from pocketcloud.store import Collection

log = logging.getLogger("pocketcloud.lambda.event_sources")
Params = dict[str, Any]
MAPPINGS = ("", "")
_FIELDS = (
    "UUID",
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "EventSourceArn",
    "FunctionArn",
    "LastModified",
    "LastProcessingResult",
    "State",
    "StateTransitionReason",
    "FunctionResponseTypes",
    "ScalingConfig",
    "EventSourceMappingArn",
    "FilterCriteria",
)
# The SQS calls a poller makes, which the execution role must be allowed (checked in this order, as Lambda does).
_POLLER_CALLS = ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes")
DEFAULT_CONCURRENCY = 5
LIST_LIMIT = 100  # the most mappings one ListEventSourceMappings answer holds


def _epoch() -> float:
    return round(time.time(), 3)


# The system attributes an SQS record carries, in the order Lambda writes them. A message read
# from a dead-letter queue names first the queue it was moved from: undocumented, but in the
# record of a function mapped to a DLQ as recorded from AWS in powertools-lambda-python's
# tests/events/sqsDlqTriggerEvent.json (issue #4111, modelled by its SqsAttributesModel).
_RECORD_ATTRIBUTES = (
    "DeadLetterQueueSourceArn",
    "ApproximateReceiveCount",
    "AWSTraceHeader",
    "SentTimestamp",
    "SequenceNumber",
    "MessageGroupId",
    "SenderId",
    "MessageDeduplicationId",
    "ApproximateFirstReceiveTimestamp",
)


def _record_attribute(value: Params) -> Params:
    """A message attribute as Lambda writes it: only the value its type has, and the (unused) list members."""
    record: Params = {}
    if value.get("StringValue") is not None:
        record["stringValue"] = value["StringValue"]
    if value.get("BinaryValue") is not None:
        record["binaryValue"] = value["BinaryValue"]
    record.update(stringListValues=[], binaryListValues=[], dataType=value.get("DataType"))
    return record


def _lambda_record(message: Params, queue_arn: str, window: float) -> Params:
    """The record of one message. A message without attributes has no md5OfMessageAttributes
    when the mapping gathers no batching window, and a null one when it does: AWS recorded both,
    the first for every mapping with MaximumBatchingWindowInSeconds 0 and the second for every
    one with a window (LocalStack's validated SQS event source mapping snapshots, 2023-2024)."""
    attributes = message.get("Attributes") or {}
    record: Params = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {k: attributes[k] for k in _RECORD_ATTRIBUTES if k in attributes},
        "messageAttributes": {
            name: _record_attribute(v) for name, v in (message.get("MessageAttributes") or {}).items()
        },
    }
    digest = message.get("MD5OfMessageAttributes")
    if digest is not None or window:
        record["md5OfMessageAttributes"] = digest
    record.update(
        md5OfBody=message.get("MD5OfBody"),
        eventSource="aws:sqs",
        eventSourceARN=queue_arn,
        awsRegion=queue_arn.split(":")[3],
    )
    return record


# The bytes of `{"Records": [` and `]}` around an event's records.
_EVENT_FRAME = len(b'{"Records": []}')


def _record_size(message: Params, queue_arn: str, window: float) -> int:
    """The bytes a message's record adds to the event: its JSON and the separator before it."""
    return len(json.dumps(_lambda_record(message, queue_arn, window)).encode()) + 2


def _payload_batches(messages: list[Params], queue_arn: str, window: float) -> list[list[Params]]:
    """The messages in order, cut into batches whose event fits the synchronous payload quota:
    Lambda passes a batch in one call "as long as the total size of the events doesn't exceed the
    invocation payload size quota for synchronous invocation (6 MB)" (Lambda's SQS guide)."""
    batches: list[list[Params]] = []
    size = 0
    for message in messages:
        record = _record_size(message, queue_arn, window)
        if batches and size + record <= SYNC_PAYLOAD_LIMIT:
            batches[-1].append(message)
            size += record
        else:
            batches.append([message])
            size = _EVENT_FRAME + record
    return batches


def _belongs_to(mapping: Params, ctx: RequestContext) -> bool:
    """Whether a mapping is the caller's: made in the caller's account and Region."""
    arn = mapping["FunctionArn"].split(":")
    return arn[4] == ctx.account_id and arn[3] == ctx.region


class EventSourceOperations:
    # Provided by LambdaProvider and its other parts.
    runtime: ServiceRuntime
    functions: FunctionStore
    mappings: Collection
    _pollers: dict[str, asyncio.Task[None]]

    def _mapping_view(self, doc: Params) -> Params:
        return {k: doc[k] for k in _FIELDS if k in doc}

    def _mapping(self, ctx: RequestContext, mapping_id: str) -> Params:
        """The caller's mapping of that UUID: one of another account or Region is not found, as on AWS
        (mappings are kept in one table, keyed by their UUID)."""
        doc = self.mappings.get(MAPPINGS, mapping_id)
        if doc is None or not _belongs_to(doc, ctx):
            raise not_found(
                f"The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: {uuid.uuid4()})"
            )
        return doc

    def mapping_tags(self, ctx: RequestContext, mapping_id: str) -> dict[str, str]:
        return self._mapping(ctx, mapping_id).get("Tags", {})

    def retag_mapping(
        self, ctx: RequestContext, mapping_id: str, change: Callable[[dict[str, str]], dict[str, str]]
    ) -> None:
        doc = self._mapping(ctx, mapping_id)
        doc["Tags"] = change(doc.get("Tags", {}))
        self.mappings.put(MAPPINGS, mapping_id, doc)

    def CreateEventSourceMapping(self, ctx: RequestContext, p: Params) -> Params:
        source = p.get("EventSourceArn") or ""
        if not source:
            raise invalid_parameter("Unrecognized event source.")  # AWS's answer when none is named
        if not source.startswith("arn:aws:sqs:"):
            raise invalid_parameter("Unsupported event source: pocketcloud maps SQS queues to functions.")
        if p.get("StartingPosition") or p.get("StartingPositionTimestamp") is not None:
            raise invalid_parameter("StartingPosition is not valid for SQS event sources.")
        _check_sqs_members(p)
        check_filter_criteria(p.get("FilterCriteria"))
        name, qualifier = split_name(ctx, p["FunctionName"])
        try:
            function, _ = self.functions.resolve(
                (ctx.account_id, ctx.region), name, qualifier, function_arn(ctx.region, ctx.account_id, name)
            )
        except ServiceError as exc:
            # AWS refuses the mapping as a bad parameter, not as a missing resource.
            raise invalid_parameter("Function does not exist") from exc
        sqs = self._sqs()
        url = sqs.queue_url_of(source) if sqs is not None else None
        if url is None:
            raise invalid_parameter(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist."
            )
        batch = p.get("BatchSize") or 10
        window = p.get("MaximumBatchingWindowInSeconds") or 0
        _check_batching(batch, window, source)
        target_arn = function_arn(ctx.region, ctx.account_id, name, qualifier)
        for _, other in self.mappings.scan(MAPPINGS):
            if other["EventSourceArn"] == source and other["FunctionArn"] == target_arn:
                raise conflict(
                    f'An event source mapping with SQS arn (" {source} ") and function (" {name} ") already '
                    f"exists. Please update or delete the existing mapping with UUID {other['UUID']}"
                )
        self._check_visibility(function, source)
        self._check_role_reads(function, source, url)
        mapping_id = str(uuid.uuid4())
        doc: Params = {
            "UUID": mapping_id,
            "BatchSize": batch,
            "MaximumBatchingWindowInSeconds": window,
            "EventSourceArn": source,
            "FunctionArn": target_arn,
            "LastModified": _epoch(),
            "State": "Enabled" if p.get("Enabled", True) else "Disabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": p.get("FunctionResponseTypes") or [],
            "EventSourceMappingArn": f"arn:aws:lambda:{ctx.region}:{ctx.account_id}:event-source-mapping:{mapping_id}",
        }
        if p.get("ScalingConfig"):
            doc["ScalingConfig"] = p["ScalingConfig"]
        if p.get("Tags"):
            doc["Tags"] = p["Tags"]
        if (p.get("FilterCriteria") or {}).get("Filters"):
            doc["FilterCriteria"] = p["FilterCriteria"]
        self.mappings.put(MAPPINGS, mapping_id, doc)
        self._sync_poller(doc)
        return {**self._mapping_view(doc), "State": "Creating" if doc["State"] == "Enabled" else "Disabled"}

    def GetEventSourceMapping(self, ctx: RequestContext, p: Params) -> Params:
        return self._mapping_view(self._mapping(ctx, p["UUID"]))

    def UpdateEventSourceMapping(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._mapping(ctx, p["UUID"])
        _check_sqs_members(p)
        check_filter_criteria(p.get("FilterCriteria"))
        window = p.get("MaximumBatchingWindowInSeconds")
        _check_batching(
            p.get("BatchSize") or doc["BatchSize"],
            window if window is not None else doc.get("MaximumBatchingWindowInSeconds") or 0,
            doc["EventSourceArn"],
        )
        was = doc["State"]
        for member in (
            "BatchSize",
            "MaximumBatchingWindowInSeconds",
            "FunctionResponseTypes",
            "ScalingConfig",
            "FilterCriteria",
        ):
            if p.get(member) is not None:
                doc[member] = p[member]
        if not (doc.get("FilterCriteria") or {}).get("Filters"):
            doc.pop("FilterCriteria", None)  # no filters left: every message is delivered again
        if not doc.get("ScalingConfig"):
            # ScalingConfig={} removes the limit, and the mapping names none (the Terraform AWS provider
            # clears it so; TestAccLambdaEventSourceMapping_SQS_scalingConfig expects none read back).
            doc.pop("ScalingConfig", None)
        if p.get("FunctionName"):
            name, qualifier = split_name(ctx, p["FunctionName"])
            function, _ = self.functions.resolve(
                (ctx.account_id, ctx.region), name, qualifier, function_arn(ctx.region, ctx.account_id, name)
            )
            sqs = self._sqs()
            url = sqs.queue_url_of(doc["EventSourceArn"]) if sqs is not None else None
            if url is not None:  # a mapping whose queue is gone waits for it; the new role is checked then
                self._check_visibility(function, doc["EventSourceArn"])
                self._check_role_reads(function, doc["EventSourceArn"], url)
            doc["FunctionArn"] = function_arn(ctx.region, ctx.account_id, name, qualifier)
        if p.get("Enabled") is not None:
            doc["State"] = "Enabled" if p["Enabled"] else "Disabled"
        doc["LastModified"] = _epoch()
        self.mappings.put(MAPPINGS, doc["UUID"], doc)
        self._sync_poller(doc)
        # A change of Enabled is reported as its own transition; any other change as Updating.
        state = {("Disabled", "Enabled"): "Enabling", ("Enabled", "Disabled"): "Disabling"}.get(
            (was, doc["State"]), "Updating"
        )
        return {**self._mapping_view(doc), "State": state}

    def DeleteEventSourceMapping(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._mapping(ctx, p["UUID"])
        self.mappings.delete(MAPPINGS, doc["UUID"])
        self._stop_poller(doc["UUID"])
        return {**self._mapping_view(doc), "State": "Deleting"}

    def ListEventSourceMappings(self, ctx: RequestContext, p: Params) -> Params:
        """The caller's mappings, a page at a time: at most MaxItems, and never more than 100 ("Note
        that ListEventSourceMappings returns a maximum of 100 items in each response, even if you
        set the number higher", API reference), with NextMarker while more follow. A version or
        alias ARN (or name:qualifier) lists the mappings of that version or alias."""
        docs = [d for _, d in self.mappings.scan(MAPPINGS)]
        if p.get("EventSourceArn"):
            docs = [d for d in docs if d["EventSourceArn"] == p["EventSourceArn"]]
        if p.get("FunctionName"):
            name, qualifier = split_name(ctx, p["FunctionName"])
            docs = [d for d in docs if d["FunctionArn"].split(":")[6] == name]
            if qualifier is not None:
                docs = [d for d in docs if d["FunctionArn"].split(":")[7:] == [qualifier]]
        docs = [d for d in docs if _belongs_to(d, ctx)]
        selected, marker = page(docs, p.get("Marker"), p.get("MaxItems"), limit=LIST_LIMIT)
        result: Params = {"EventSourceMappings": [self._mapping_view(d) for d in selected]}
        if marker:
            result["NextMarker"] = marker
        return result

    def _sqs(self) -> Any:
        return self.runtime.provider("sqs")

    # -- the execution role ---------------------------------------------------------

    def _role_access(self) -> RoleAccess:
        access: RoleAccess | None = getattr(self, "_role_access_instance", None)
        if access is None:
            access = lambda_role_access(self.runtime)
            self._role_access_instance = access
        return access

    def _check_role_reads(self, function: Params, queue_arn: str, url: str) -> None:
        """CreateEventSourceMapping's check: the role must be allowed every call the poller makes."""
        region = queue_arn.split(":")[3]
        for operation in _POLLER_CALLS:
            if not self._role_access().allowed(
                function["Role"],
                function["FunctionName"],
                "sqs",
                operation,
                region,
                _sqs_params(operation, url),
            ):
                raise invalid_parameter(
                    f"The provided execution role does not have permissions to call {operation} on SQS"
                )

    def _check_visibility(self, function: Params, queue_arn: str) -> None:
        """A queue whose messages would become visible again while the function may still run on
        them (and so be received twice) is refused, as Lambda refuses it."""
        visibility = self._sqs().visibility_timeout_of(queue_arn)
        if visibility is not None and visibility < function["Timeout"]:
            raise invalid_parameter(
                f"Queue visibility timeout: {visibility} seconds is less than Function timeout: "
                f"{function['Timeout']} seconds"
            )

    def _role_may(self, function: Params, operation: str, queue_arn: str, url: str) -> bool:
        return self._role_access().allowed(
            function["Role"],
            function["FunctionName"],
            "sqs",
            operation,
            queue_arn.split(":")[3],
            _sqs_params(operation, url),
        )

    # -- pollers ------------------------------------------------------------------

    def start_pollers(self) -> None:
        for _, doc in self.mappings.scan(MAPPINGS):
            self._sync_poller(doc)

    def _sync_poller(self, doc: Params) -> None:
        pollers: dict[str, asyncio.Task[None]] = self._pollers
        if doc["State"] == "Enabled" and doc["UUID"] not in pollers:
            with contextlib.suppress(RuntimeError):  # no running loop: started with the server instead
                pollers[doc["UUID"]] = asyncio.get_running_loop().create_task(self._poll(doc["UUID"]))
        elif doc["State"] != "Enabled":
            self._stop_poller(doc["UUID"])

    def _stop_poller(self, mapping_id: str) -> None:
        task = self._pollers.pop(mapping_id, None)
        if task is not None:
            task.cancel()

    def _note_problem(self, mapping_id: str, problem: str | None) -> None:
        """Report (or, with None, clear) what keeps the poller from reading or deleting as the role.

        AWS reports no LastProcessingResult for an SQS mapping ("This value will be null if an SQS
        queue is the event source", the CLI reference of GetEventSourceMapping; none in the answers
        LocalStack's validated tests recorded after batches were processed), so a mapping that works
        reports none; only a permission the role lacks is named, as pocketcloud's own diagnosis.
        """
        # Re-read: batches finish concurrently with each other and with UpdateEventSourceMapping.
        doc = self.mappings.get(MAPPINGS, mapping_id)
        if doc is None or doc.get("LastProcessingResult") == problem:
            return
        if problem is None:
            doc.pop("LastProcessingResult", None)
        else:
            doc["LastProcessingResult"] = problem
        self.mappings.put(MAPPINGS, mapping_id, doc)

    def _target(self, doc: Params) -> tuple[Params, str, int] | None:
        """(function configuration, executed version, the mapping's concurrency limit); None if the function is gone."""
        parts = doc["FunctionArn"].split(":")
        account, region, name = parts[4], parts[3], parts[6]
        qualifier = parts[7] if len(parts) > 7 else None
        try:
            function, executed = self.functions.resolve(
                (account, region), name, qualifier, doc["FunctionArn"], routed=True
            )
        except ServiceError:
            return None
        limit: int = (doc.get("ScalingConfig") or {}).get("MaximumConcurrency") or DEFAULT_CONCURRENCY
        base = self.functions.functions.get((account, region), name) or function
        reserved = base.get("ReservedConcurrency")
        # Batches beyond the function's reserved concurrency would only be throttled back to the queue.
        return function, executed, limit if reserved is None else min(limit, reserved)

    async def _poll(self, mapping_id: str) -> None:
        """Receive batches and hand each to an invocation of its own, at most the mapping's concurrency at once.

        Batches outlive their poller: a mapping disabled or deleted lets the invocations under way finish
        (cancelling one would hand a busy environment back to the pool), and a poller started again
        counts them against the limit.
        """
        batches: dict[str, set[asyncio.Task[None]]] = self.__dict__.setdefault("_batches", {})
        running = batches.setdefault(mapping_id, set())
        while True:
            doc = self.mappings.get(MAPPINGS, mapping_id)
            if doc is None or doc["State"] != "Enabled":
                self._pollers.pop(mapping_id, None)
                return
            target = self._target(doc)
            if target is None or target[2] < 1:
                await asyncio.sleep(1)
                continue
            function, executed, limit = target
            if len(running) >= limit:
                await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                continue
            try:
                messages = await self._receive(doc, function)
            except asyncio.CancelledError:
                raise
            except Exception:  # a poller must survive a bad batch; the messages are retried by SQS
                log.exception("event source mapping %s failed", mapping_id)
                messages = []
            if not messages:
                await asyncio.sleep(0.05)
                continue
            # The mapping may have been pointed elsewhere (or reconfigured) while the receive waited,
            # and its function updated or deleted: the batch goes to the function it names now, as
            # configured now (the configuration read before the wait may be one an update replaced).
            current = self.mappings.get(MAPPINGS, mapping_id) or doc
            retarget = self._target(current)
            if retarget is None:
                continue  # the function is gone: the messages come back after their visibility timeout
            function, executed, _ = retarget
            doc = current
            task = asyncio.create_task(self._process(doc, function, executed, messages))
            running.add(task)
            task.add_done_callback(running.discard)

    async def _receive(self, doc: Params, function: Params) -> list[Params]:
        """The next batch, read as the function's execution role (nothing when it may not read)."""
        sqs = self._sqs()
        source = doc["EventSourceArn"]
        url = sqs.queue_url_of(source) if sqs is not None else None
        if url is None:
            await asyncio.sleep(1)  # the queue is gone; the mapping waits, as Lambda's does
            return []
        if not self._role_may(function, "ReceiveMessage", source, url):
            self._note_problem(
                doc["UUID"],
                "PROBLEM: The provided execution role does not have permissions to call ReceiveMessage on SQS",
            )
            await asyncio.sleep(1)
            return []
        window = float(doc.get("MaximumBatchingWindowInSeconds") or 0)
        try:
            # An encrypted queue's key must let the role decrypt (kms:Decrypt), as for any reader.
            reader = self._role_access().context(
                function["Role"], function["FunctionName"], "sqs", "ReceiveMessage", source.split(":")[3]
            )
            # Messages gathered over a window must stay hidden until the function is done with them:
            # "If your batch window is greater than 0, and (batch window) + (function timeout) > (queue
            # visibility timeout), then your effective queue visibility timeout is (batch window) +
            # (function timeout) + 30s" (Lambda's SQS guide).
            visibility = sqs.visibility_timeout_of(source)
            if window and visibility is not None and window + function["Timeout"] > visibility:
                visibility = int(window) + function["Timeout"] + 30
            else:
                visibility = None
            messages: list[Params] = await sqs.receive_batch(
                source, doc["BatchSize"], max(window, 1.0), reader, visibility
            )
            # With a batching window Lambda keeps polling until the window ends, the batch is full
            # or the payload quota is reached (Lambda's SQS guide); a long poll ends at its first
            # message, so one more receive would hand over a batch as small as the traffic's trickle.
            deadline = time.monotonic() + window
            size = _EVENT_FRAME + sum(_record_size(m, source, window) for m in messages)
            while messages and len(messages) < doc["BatchSize"] and size < SYNC_PAYLOAD_LIMIT:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                more = await sqs.receive_batch(
                    source, doc["BatchSize"] - len(messages), remaining, reader, visibility
                )
                messages.extend(more)
                size += sum(_record_size(m, source, window) for m in more)
        except ServiceError as error:
            if error.code.startswith("Kms"):
                self._note_problem(doc["UUID"], f"PROBLEM: {error.code}: {error.message}")
            await asyncio.sleep(1)
            return []
        return messages

    async def _process(self, doc: Params, function: Params, executed: str, messages: list[Params]) -> None:
        """Invoke the function with what was received, in as many calls (one after another) as the
        payload quota needs; delete what succeeded, as the execution role. A FIFO batch (ten messages
        at most) is passed whole: the part cut off would have been received with the part before it,
        so it could neither wait for that part's retries without using up receives towards the
        dead-letter queue, nor go first without breaking its group's order."""
        source = doc["EventSourceArn"]
        window = doc.get("MaximumBatchingWindowInSeconds") or 0
        try:
            for batch in (
                [messages] if source.endswith(".fifo") else _payload_batches(messages, source, window)
            ):
                await self._process_batch(doc, function, executed, batch)
        except asyncio.CancelledError:
            raise
        except Exception:  # the batch's messages come back after their visibility timeout
            log.exception("event source mapping %s failed", doc["UUID"])

    async def _process_batch(
        self, doc: Params, function: Params, executed: str, messages: list[Params]
    ) -> None:
        source = doc["EventSourceArn"]
        parts = doc["FunctionArn"].split(":")
        account, region = parts[4], parts[3]
        window = doc.get("MaximumBatchingWindowInSeconds") or 0
        records = [_lambda_record(m, source, window) for m in messages]
        filtered_out: list[str] = []
        try:
            patterns = check_filter_criteria(doc.get("FilterCriteria"))
        except ServiceError:  # a mapping stored before patterns were checked: it filters nothing
            patterns = []
        if patterns:
            # Messages no filter matches are never delivered, and Lambda deletes them from the queue.
            matched = [matches_any(patterns, sqs_record_view(r)) for r in records]
            filtered_out = [r["receiptHandle"] for r, ok in zip(records, matched, strict=True) if not ok]
            records = [r for r, ok in zip(records, matched, strict=True) if ok]
            if not records:
                self._delete(doc, function, filtered_out, settled=False)
                return
        event = json.dumps({"Records": records}).encode()
        try:
            outcome, _, _ = await self.run(account, region, function, executed, event)  # type: ignore[attr-defined]
        except ServiceError:
            self._delete(doc, function, filtered_out, settled=False)
            return  # throttled: the messages come back after their visibility timeout
        if outcome.status != "success":
            # The messages come back after their visibility timeout; the function's error is in its
            # log, not in the mapping (AWS reports no LastProcessingResult for a queue).
            self._delete(doc, function, filtered_out, settled=False)
            return
        handles = {r["messageId"]: r["receiptHandle"] for r in records}
        if "ReportBatchItemFailures" in (doc.get("FunctionResponseTypes") or []):
            failed = _reported_failures(outcome.payload)
            # An answer it cannot read, or one naming a message not in the batch, fails the whole
            # batch, as in AWS ("Success and failure conditions" of Lambda's SQS guide).
            if failed is None or not set(failed) <= handles.keys():
                self._delete(doc, function, filtered_out, settled=False)
                return
            for message_id in failed:
                handles.pop(message_id, None)
        self._delete(doc, function, filtered_out + list(handles.values()), settled=True)

    def _delete(self, doc: Params, function: Params, handles: list[str], settled: bool) -> None:
        """Delete processed (or filtered out) messages as the execution role; a batch `settled` that
        way clears a problem noted before."""
        if not handles:
            if settled:
                self._note_problem(doc["UUID"], None)
            return
        source = doc["EventSourceArn"]
        sqs = self._sqs()
        url = sqs.queue_url_of(source) if sqs is not None else None
        if url is None:
            return
        if not self._role_may(function, "DeleteMessage", source, url):
            # Processed but not deleted: the messages come back, and after maxReceiveCount go to the DLQ.
            self._note_problem(
                doc["UUID"],
                "PROBLEM: The provided execution role does not have permissions to call DeleteMessage on SQS",
            )
            return
        sqs.delete_batch(source, handles)
        if settled:
            self._note_problem(doc["UUID"], None)


def _check_batching(batch: int, window: int, queue_arn: str) -> None:
    if batch > 10 and window < 1:
        raise invalid_parameter(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
        )
    if not 1 <= batch <= 10000:
        raise invalid_parameter("BatchSize must be between 1 and 10000 for SQS event sources")
    if window > 0 and queue_arn.endswith(".fifo"):
        raise invalid_parameter("Batching window is not supported for FIFO queues")


def _sqs_params(operation: str, url: str) -> Params:
    """The parameters of the SQS call the poller makes, as the authorizer reads them."""
    if operation == "ReceiveMessage":
        return {
            "QueueUrl": url,
            "MaxNumberOfMessages": 10,
            "AttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
    if operation == "DeleteMessage":
        return {"QueueUrl": url, "ReceiptHandle": "-"}
    return {"QueueUrl": url, "AttributeNames": ["All"]}


def _reported_failures(payload: bytes) -> list[str] | None:
    """The itemIdentifiers of a ReportBatchItemFailures answer; None when it is malformed."""
    if not payload or payload.strip() in (b"null", b"{}", b'""'):
        return []
    try:
        answer = json.loads(payload)
    except (ValueError, RecursionError):  # RecursionError: nested too deep for json
        return None
    if not isinstance(answer, dict):
        return None
    failures = answer.get("batchItemFailures")
    if failures is None:
        return []
    if not isinstance(failures, list):
        return None
    found = []
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier:
            return None
        found.append(str(identifier))
    return found


# What a mapping takes for stream sources only ("The following error handling options are available only
# for stream sources (DynamoDB and Kinesis)", CreateEventSourceMapping; DestinationConfig is for Kinesis,
# DynamoDB Streams, Amazon MSK and self-managed Kafka only). Lambda refuses each by name, as it refused a
# Kafka-only member on another mapping type: "Unsupported 'ConsumptionMode' parameter for given event
# source mapping type" (recorded against Lambda in us-east-1, 2026-09-27).
_STREAM_ONLY_MEMBERS = (
    "MaximumRetryAttempts",
    "BisectBatchOnFunctionError",
    "ParallelizationFactor",
    "TumblingWindowInSeconds",
    "MaximumRecordAgeInSeconds",
    "DestinationConfig",
)


def _check_sqs_members(p: Params) -> None:
    for member in _STREAM_ONLY_MEMBERS:
        if p.get(member) is not None:
            raise invalid_parameter(f"Unsupported '{member}' parameter for given event source mapping type")
