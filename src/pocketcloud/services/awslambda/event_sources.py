"""Event source mappings from SQS to Lambda: the API, and one named poller per enabled mapping.

A poller receives up to BatchSize messages (waiting up to
MaximumBatchingWindowInSeconds to fill a batch), invokes the function
synchronously with AWS's SQS event, and deletes the batch on success — or,
with ReportBatchItemFailures, all but the reported failures. On a function
error nothing is deleted: the messages become visible again after the queue's
visibility timeout and, after maxReceiveCount, go to the dead-letter queue.
Mappings live in the store and their pollers start with the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.awslambda.errors import invalid_parameter, not_found
from pocketcloud.services.awslambda.functions import function_arn, split_name

log = logging.getLogger("pocketcloud.lambda.event_sources")
Params = dict[str, Any]
MAPPINGS = ("", "")
_FIELDS = ("UUID", "BatchSize", "MaximumBatchingWindowInSeconds", "EventSourceArn", "FunctionArn", "LastModified",
           "LastProcessingResult", "State", "StateTransitionReason", "FunctionResponseTypes", "ScalingConfig",
           "EventSourceMappingArn", "FilterCriteria")


def _epoch() -> float:
    return round(time.time(), 3)


def _lambda_record(message: Params, queue_arn: str) -> Params:
    attributes = message.get("Attributes") or {}
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {k: v for k, v in attributes.items() if k in (
            "ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
            "SequenceNumber", "MessageGroupId", "MessageDeduplicationId", "AWSTraceHeader")},
        "messageAttributes": {
            name: {"stringValue": v.get("StringValue"), "binaryValue": v.get("BinaryValue"),
                   "stringListValues": [], "binaryListValues": [], "dataType": v.get("DataType")}
            for name, v in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }


class EventSourceOperations:
    def _mapping_view(self, doc: Params) -> Params:
        return {k: doc[k] for k in _FIELDS if k in doc}

    def _mapping(self, mapping_id: str) -> Params:
        doc = self.mappings.get(MAPPINGS, mapping_id)  # type: ignore[attr-defined]
        if doc is None:
            raise not_found(f"The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: {uuid.uuid4()})")
        return doc

    def CreateEventSourceMapping(self, ctx: RequestContext, p: Params) -> Params:
        source = p.get("EventSourceArn") or ""
        if not source.startswith("arn:aws:sqs:"):
            raise invalid_parameter("Unsupported event source: pocketcloud maps SQS queues to functions.")
        name, qualifier = split_name(ctx, p["FunctionName"])
        self.functions.resolve((ctx.account_id, ctx.region), name, qualifier, function_arn(ctx.region, ctx.account_id, name))  # type: ignore[attr-defined]
        sqs = self.runtime.provider("sqs")  # type: ignore[attr-defined]
        if sqs is None or sqs.queue_url_of(source) is None:
            raise invalid_parameter("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.")
        batch = p.get("BatchSize") or 10
        window = p.get("MaximumBatchingWindowInSeconds") or 0
        if batch > 10 and window < 1:
            raise invalid_parameter("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
        if not 1 <= batch <= 10000:
            raise invalid_parameter("BatchSize must be between 1 and 10000 for SQS event sources")
        mapping_id = str(uuid.uuid4())
        doc: Params = {
            "UUID": mapping_id, "BatchSize": batch, "MaximumBatchingWindowInSeconds": window,
            "EventSourceArn": source, "FunctionArn": function_arn(ctx.region, ctx.account_id, name, qualifier),
            "LastModified": _epoch(), "LastProcessingResult": "No records processed",
            "State": "Enabled" if p.get("Enabled", True) else "Disabled", "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": p.get("FunctionResponseTypes") or [],
            "EventSourceMappingArn": f"arn:aws:lambda:{ctx.region}:{ctx.account_id}:event-source-mapping:{mapping_id}",
        }
        if p.get("ScalingConfig"):
            doc["ScalingConfig"] = p["ScalingConfig"]
        if p.get("FilterCriteria"):
            doc["FilterCriteria"] = p["FilterCriteria"]
        self.mappings.put(MAPPINGS, mapping_id, doc)  # type: ignore[attr-defined]
        self._sync_poller(doc)
        return {**self._mapping_view(doc), "State": "Creating" if doc["State"] == "Enabled" else "Disabled"}

    def GetEventSourceMapping(self, ctx: RequestContext, p: Params) -> Params:
        return self._mapping_view(self._mapping(p["UUID"]))

    def UpdateEventSourceMapping(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._mapping(p["UUID"])
        for member in ("BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes", "ScalingConfig", "FilterCriteria"):
            if p.get(member) is not None:
                doc[member] = p[member]
        if p.get("FunctionName"):
            name, qualifier = split_name(ctx, p["FunctionName"])
            doc["FunctionArn"] = function_arn(ctx.region, ctx.account_id, name, qualifier)
        if p.get("Enabled") is not None:
            doc["State"] = "Enabled" if p["Enabled"] else "Disabled"
        doc["LastModified"] = _epoch()
        self.mappings.put(MAPPINGS, doc["UUID"], doc)  # type: ignore[attr-defined]
        self._sync_poller(doc)
        return {**self._mapping_view(doc), "State": "Updating"}

    def DeleteEventSourceMapping(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._mapping(p["UUID"])
        self.mappings.delete(MAPPINGS, doc["UUID"])  # type: ignore[attr-defined]
        self._stop_poller(doc["UUID"])
        return {**self._mapping_view(doc), "State": "Deleting"}

    def ListEventSourceMappings(self, ctx: RequestContext, p: Params) -> Params:
        docs = [d for _, d in self.mappings.scan(MAPPINGS)]  # type: ignore[attr-defined]
        if p.get("EventSourceArn"):
            docs = [d for d in docs if d["EventSourceArn"] == p["EventSourceArn"]]
        if p.get("FunctionName"):
            name, _ = split_name(ctx, p["FunctionName"])
            docs = [d for d in docs if d["FunctionArn"].split(":")[6] == name]
        docs = [d for d in docs if d["FunctionArn"].split(":")[4] == ctx.account_id]
        return {"EventSourceMappings": [self._mapping_view(d) for d in docs]}

    # -- pollers ------------------------------------------------------------------

    def start_pollers(self) -> None:
        for _, doc in self.mappings.scan(MAPPINGS):  # type: ignore[attr-defined]
            self._sync_poller(doc)

    def _sync_poller(self, doc: Params) -> None:
        pollers: dict[str, asyncio.Task[None]] = self._pollers  # type: ignore[attr-defined]
        if doc["State"] == "Enabled" and doc["UUID"] not in pollers:
            with contextlib.suppress(RuntimeError):  # no running loop: started with the server instead
                pollers[doc["UUID"]] = asyncio.get_running_loop().create_task(self._poll(doc["UUID"]))
        elif doc["State"] != "Enabled":
            self._stop_poller(doc["UUID"])

    def _stop_poller(self, mapping_id: str) -> None:
        task = self._pollers.pop(mapping_id, None)  # type: ignore[attr-defined]
        if task is not None:
            task.cancel()

    async def _poll(self, mapping_id: str) -> None:
        while True:
            doc = self.mappings.get(MAPPINGS, mapping_id)  # type: ignore[attr-defined]
            if doc is None or doc["State"] != "Enabled":
                self._pollers.pop(mapping_id, None)  # type: ignore[attr-defined]
                return
            try:
                processed = await self._poll_once(doc)
            except asyncio.CancelledError:
                raise
            except Exception:  # a poller must survive a bad batch; the messages are retried by SQS
                log.exception("event source mapping %s failed", mapping_id)
                processed = False
            if not processed:
                await asyncio.sleep(0.05)

    async def _poll_once(self, doc: Params) -> bool:
        sqs = self.runtime.provider("sqs")  # type: ignore[attr-defined]
        if sqs is None:
            await asyncio.sleep(1)
            return False
        source = doc["EventSourceArn"]
        window = float(doc.get("MaximumBatchingWindowInSeconds") or 0)
        try:
            messages = await sqs.receive_batch(source, doc["BatchSize"], max(window, 1.0))
        except ServiceError:
            await asyncio.sleep(1)  # the queue is gone; the mapping waits, as Lambda's does
            return False
        if not messages:
            return False
        if window and len(messages) < doc["BatchSize"]:
            more = await sqs.receive_batch(source, doc["BatchSize"] - len(messages), window)
            messages.extend(more)
        parts = doc["FunctionArn"].split(":")
        account, region, name = parts[4], parts[3], parts[6]
        qualifier = parts[7] if len(parts) > 7 else None
        try:
            function, executed = self.functions.resolve((account, region), name, qualifier, doc["FunctionArn"])  # type: ignore[attr-defined]
        except ServiceError:
            return False
        event = json.dumps({"Records": [_lambda_record(m, source) for m in messages]}).encode()
        try:
            outcome, _, _ = await self.run(account, region, function, executed, event)  # type: ignore[attr-defined]
        except ServiceError:
            return True  # throttled: the messages come back after their visibility timeout
        handles = {m["MessageId"]: m["ReceiptHandle"] for m in messages}
        if outcome.status != "success":
            doc["LastProcessingResult"] = "PROBLEM: Function call failed"
            self.mappings.put(MAPPINGS, doc["UUID"], doc)  # type: ignore[attr-defined]
            return True
        if "ReportBatchItemFailures" in (doc.get("FunctionResponseTypes") or []):
            failed = _reported_failures(outcome.payload)
            if failed is None:  # an answer it cannot read fails the whole batch, as in AWS
                return True
            for message_id in failed:
                handles.pop(message_id, None)
        sqs.delete_batch(source, list(handles.values()))
        if doc.get("LastProcessingResult") != "OK":
            doc["LastProcessingResult"] = "OK"
            self.mappings.put(MAPPINGS, doc["UUID"], doc)  # type: ignore[attr-defined]
        return True


def _reported_failures(payload: bytes) -> list[str] | None:
    """The itemIdentifiers of a ReportBatchItemFailures answer; None when it is malformed."""
    if not payload or payload.strip() in (b"null", b"{}", b'""'):
        return []
    try:
        answer = json.loads(payload)
    except ValueError:
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
