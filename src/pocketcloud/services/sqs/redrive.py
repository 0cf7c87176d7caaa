"""Dead-letter queues: moving a message received too often, the queues that use a DLQ, and
message move tasks (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask).

A message whose receive count would exceed the source queue's maxReceiveCount
is moved to the dead-letter queue instead of being delivered, in the same
transaction as the rest of the receive. It keeps its MessageId, body,
attributes and receive count and gains DeadLetterQueueSourceArn; on a
standard DLQ it keeps its original SentTimestamp (retention still counts from
the first send), a FIFO DLQ resets it and replaces the deduplication id with
the MessageId (SQS Developer Guide, "Configure a dead-letter queue redrive").

A move task is a stored document and a named asyncio task ("sqs-move-<id>")
that moves the DLQ's available messages, to DestinationArn or back to each
message's source queue, at MaxNumberOfMessagesPerSecond if given; redriven
messages start afresh (a new MessageId, receive count 0, retention reset). Tasks still
running when the server stopped resume when it starts.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.sqs import errors
from pocketcloud.services.sqs.index import Entry
from pocketcloud.services.sqs.state import (
    Params,
    Queue,
    SqsState,
    message_key,
    now_ms,
    parse_queue_arn,
    sequence_number,
)
from pocketcloud.store import Scope

log = logging.getLogger("pocketcloud.sqs")

ACTIVE = ("RUNNING", "CANCELLING")
_LEFT_BEHIND = ("Receipt", "FirstReceived", "LastReceived", "DeadLetterQueueSourceArn", "State")


def _task_handle(task_id: str, source_arn: str) -> str:
    # Compact JSON, as AWS's handles decode (`{"taskId":"...","sourceArn":"..."}`, API reference sample).
    doc = json.dumps({"taskId": task_id, "sourceArn": source_arn}, separators=(",", ":"))
    return base64.b64encode(doc.encode()).decode()


def read_task_handle(handle: str) -> tuple[str, str] | None:
    try:
        data = json.loads(base64.b64decode(handle, validate=True))
        if (
            isinstance(data, dict)
            and isinstance(data.get("taskId"), str)
            and isinstance(data.get("sourceArn"), str)
            and data["taskId"].isascii()  # as every task id SQS wrote is (a uuid)
        ):
            return data["taskId"], data["sourceArn"]
    except (ValueError, binascii.Error, RecursionError):  # RecursionError: nested too deep for json
        pass
    return None


class RedriveOperations:
    sqs: SqsState
    target_queue: Callable[[RequestContext, Params], Queue]  # QueueOperations
    queue_url: Callable[[RequestContext | None, Queue], str]  # QueueOperations
    move_runners: dict[str, asyncio.Task[None]]

    # -- moving messages between queues (inside the caller's transaction) -------------

    def dead_letter(self, queue: Queue, seq: int, doc: Params, now: int) -> bool:
        """Move a message received too often to the queue's DLQ; False if the DLQ is gone."""
        dlq = self.sqs.find_by_arn(queue.dlq_arn) if queue.dlq_arn else None
        if dlq is None:
            return False
        moved = {k: v for k, v in doc.items() if k not in ("Receipt", "LastReceived", "State")}
        moved["DeadLetterQueueSourceArn"] = queue.arn
        if dlq.fifo:
            moved["Sent"] = now
            moved["DeduplicationId"] = doc["MessageId"]
        self.transfer(queue, seq, dlq, moved, now)
        return True

    def transfer(self, source: Queue, seq: int, target: Queue, doc: Params, now: int) -> None:
        """Store `doc` as a new message of `target` and delete message `seq` of `source`."""
        # The target's index before the new message is stored: an index first loaded after the put
        # would read it from the store and then be given it again (delivered twice; FIFO: a 500).
        target_index = self.sqs.index(target)
        new_seq = self.sqs.next_seq()
        doc["Visible"] = now
        if target.fifo:
            doc["SequenceNumber"] = sequence_number(new_seq)
        self.sqs.messages.put(target.scope, message_key(new_seq), doc)
        self.sqs.messages.delete(source.scope, message_key(seq))
        self.sqs.index(source).remove(seq)
        entry = Entry(
            now, None, doc["Sent"], doc.get("Group"), doc.get("ReceiveCount", 0), doc.get("FirstReceived")
        )
        target_index.add(new_seq, entry)

    # -- which queues use a DLQ ---------------------------------------------------------

    def _sources_of(self, dlq: Queue) -> list[Queue]:
        sources = []
        for name, doc in self.sqs.store.iter_collection("sqs", "queues", (dlq.account, dlq.region)):
            policy = doc["Attributes"].get("RedrivePolicy")
            if policy and json.loads(policy).get("deadLetterTargetArn") == dlq.arn:
                queue = self.sqs.find(dlq.account, dlq.region, name)
                if queue is not None:
                    sources.append(queue)
        return sources

    def ListDeadLetterSourceQueues(self, ctx: RequestContext, p: Params) -> Params:
        dlq = self.target_queue(ctx, p)
        limit = p.get("MaxResults")
        if limit is not None and not 1 <= limit <= 1000:
            raise errors.invalid_value(
                "MaxResults", limit, "MaxResults must be an integer between 1 and 1000."
            )
        sources = self._sources_of(dlq)
        start = 0
        if p.get("NextToken"):
            try:
                start = int(base64.b64decode(p["NextToken"], validate=True))
            except (ValueError, binascii.Error):
                raise errors.invalid_parameter_value("Invalid NextToken value.") from None
        end = start + (limit or 1000)
        out: Params = {"queueUrls": [self.queue_url(ctx, queue) for queue in sources[start:end]]}
        if limit is not None and end < len(sources):
            out["NextToken"] = base64.b64encode(str(end).encode()).decode()
        return out

    # -- message move tasks ------------------------------------------------------------

    def _queue_for_arn(self, arn: str | None, parameter: str) -> Queue:
        if not arn or parse_queue_arn(arn) is None:
            raise errors.invalid_parameter_value(
                f"You must use this format to specify the {parameter}: "
                "arn:<partition>:<service>:<region>:<account-id>:<resource-id>"
            )
        queue = self.sqs.find_by_arn(arn)
        if queue is None:
            raise errors.resource_not_found(
                f"The resource that you specified for the {parameter} parameter doesn't exist."
            )
        return queue

    def StartMessageMoveTask(self, ctx: RequestContext, p: Params) -> Params:
        source = self._queue_for_arn(p.get("SourceArn"), "SourceArn")
        if not self._sources_of(source):
            raise errors.invalid_parameter_value("Source queue must be configured as a Dead Letter Queue.")
        destination = p.get("DestinationArn")
        if destination:
            target = self._queue_for_arn(destination, "DestinationArn")
            if target.fifo != source.fifo:
                raise errors.invalid_parameter_value(
                    "The source queue and destination queue must be of the same queue type."
                )
        rate = p.get("MaxNumberOfMessagesPerSecond")
        if rate is not None and not 1 <= rate <= 500:
            raise errors.invalid_value("MaxNumberOfMessagesPerSecond", rate, "Must be between 1 and 500.")
        scope: Scope = (source.account, source.region)
        for _, task in self.sqs.move_tasks.scan(scope):
            if task["SourceArn"] == source.arn and task["Status"] in ACTIVE:
                raise errors.invalid_parameter_value(
                    "There is already a task running. Only one active task is allowed for a source queue arn "
                    "at a given time."
                )
        task_id = str(uuid.uuid4())
        visible, _, _ = self.sqs.index(source).counts(now_ms())
        doc: Params = {
            "TaskId": task_id,
            "TaskHandle": _task_handle(task_id, source.arn),
            "SourceArn": source.arn,
            "Status": "RUNNING",
            "StartedTimestamp": now_ms(),
            "ApproximateNumberOfMessagesMoved": 0,
            "ApproximateNumberOfMessagesToMove": visible,
        }
        if destination:
            doc["DestinationArn"] = destination
        if rate is not None:
            doc["MaxNumberOfMessagesPerSecond"] = rate
        self.sqs.move_tasks.put(scope, task_id, doc)
        self.run_move_task(scope, task_id)
        return {"TaskHandle": doc["TaskHandle"]}

    def ListMessageMoveTasks(self, ctx: RequestContext, p: Params) -> Params:
        source = self._queue_for_arn(p.get("SourceArn"), "SourceArn")
        limit = p.get("MaxResults")
        if limit is None:
            limit = 1
        elif not 1 <= limit <= 10:
            raise errors.invalid_value("MaxResults", limit, "Must be between 1 and 10, if provided.")
        tasks = [
            t
            for _, t in self.sqs.move_tasks.scan((source.account, source.region))
            if t["SourceArn"] == source.arn
        ]
        tasks.sort(key=lambda t: t["StartedTimestamp"], reverse=True)
        results = []
        for task in tasks[:limit]:
            entry = {
                k: task[k]
                for k in (
                    "Status",
                    "SourceArn",
                    "DestinationArn",
                    "MaxNumberOfMessagesPerSecond",
                    "ApproximateNumberOfMessagesMoved",
                    "ApproximateNumberOfMessagesToMove",
                    "FailureReason",
                    "StartedTimestamp",
                )
                if task.get(k) is not None
            }
            if task["Status"] == "RUNNING":
                entry["TaskHandle"] = task["TaskHandle"]
            results.append(entry)
        return {"Results": results}

    def CancelMessageMoveTask(self, ctx: RequestContext, p: Params) -> Params:
        handle = read_task_handle(p.get("TaskHandle") or "")
        parsed = parse_queue_arn(handle[1]) if handle else None
        if handle is None or parsed is None:
            raise errors.invalid_parameter_value("Value for parameter TaskHandle is invalid.")
        if self.sqs.find_by_arn(handle[1]) is None:  # SQS checks the handle's source queue before its task
            raise errors.resource_not_found(
                "The resource that you specified for the SourceArn parameter doesn't exist."
            )
        scope: Scope = (parsed[1], parsed[0])
        task = self.sqs.move_tasks.get(scope, handle[0])
        if task is None:
            raise errors.resource_not_found("Task does not exist.")
        if task["Status"] != "RUNNING":
            raise errors.invalid_parameter_value("Only active tasks can be cancelled.")
        task["Status"] = "CANCELLING" if handle[0] in self.move_runners else "CANCELLED"
        self.sqs.move_tasks.put(scope, handle[0], task)
        return {"ApproximateNumberOfMessagesMoved": task["ApproximateNumberOfMessagesMoved"]}

    # -- the worker ---------------------------------------------------------------------

    def run_move_task(self, scope: Scope, task_id: str) -> None:
        if task_id not in self.move_runners:
            self.move_runners[task_id] = asyncio.create_task(
                self._move(scope, task_id), name=f"sqs-move-{task_id}"
            )

    def resume_move_tasks(self) -> None:
        for scope in self.sqs.move_tasks.scopes():
            for task_id, task in self.sqs.move_tasks.scan(scope):
                if task["Status"] in ACTIVE:
                    self.run_move_task(scope, task_id)

    async def stop_move_tasks(self) -> None:
        runners = list(self.move_runners.values())
        for runner in runners:
            runner.cancel()
        for runner in runners:
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        self.move_runners.clear()

    async def _move(self, scope: Scope, task_id: str) -> None:
        try:
            while True:
                task = self.sqs.move_tasks.get(scope, task_id)
                if task is None or task["Status"] not in ACTIVE:
                    return
                if task["Status"] == "CANCELLING":
                    task["Status"] = "CANCELLED"
                    self.sqs.move_tasks.put(scope, task_id, task)
                    return
                per_second = task.get("MaxNumberOfMessagesPerSecond")
                try:
                    moved, failure, done = self._move_some(task, per_second or 500)
                except Exception:
                    log.exception("message move task %s failed", task_id)
                    moved, failure, done = 0, "InternalError", False
                task["ApproximateNumberOfMessagesMoved"] += moved
                if failure:
                    task["Status"], task["FailureReason"] = "FAILED", failure
                elif done:
                    task["Status"] = "COMPLETED"
                latest = self.sqs.move_tasks.get(scope, task_id)
                if latest is not None and latest["Status"] == "CANCELLING" and task["Status"] == "RUNNING":
                    task["Status"] = "CANCELLED"
                self.sqs.move_tasks.put(scope, task_id, task)
                if task["Status"] != "RUNNING":
                    return
                await asyncio.sleep(1.0 if per_second else 0)
        finally:
            self.move_runners.pop(task_id, None)

    def _move_some(self, task: dict[str, Any], step: int) -> tuple[int, str | None, bool]:
        """Move up to `step` available messages; (moved, failure reason, finished)."""
        source = self.sqs.find_by_arn(task["SourceArn"])
        if source is None:
            return 0, "AWS.SimpleQueueService.NonExistentQueue", False
        remaining = task["ApproximateNumberOfMessagesToMove"] - task["ApproximateNumberOfMessagesMoved"]
        if remaining <= 0:
            return 0, None, True
        index = self.sqs.index(source)
        now = now_ms()
        moved = 0
        failure = None
        try:
            with self.sqs.store.transaction():
                picked = index.pick(now, min(step, remaining))
                if not picked:
                    return 0, None, True
                for position, seq in enumerate(picked):
                    doc = self.sqs.messages.get(source.scope, message_key(seq))
                    if doc is None:
                        index.remove(seq)
                        continue
                    target_arn = task.get("DestinationArn") or doc.get("DeadLetterQueueSourceArn")
                    target = self.sqs.find_by_arn(target_arn) if target_arn else None
                    if target is None:
                        failure = "AWS.SimpleQueueService.NonExistentQueue"
                        for left in picked[position:]:
                            index.restore(left)
                        break
                    redriven = {k: v for k, v in doc.items() if k not in _LEFT_BEHIND}
                    redriven["ReceiveCount"] = 0
                    redriven["Sent"] = now
                    # "A new messageID and enqueueTime are assigned to redriven messages" (SQS
                    # Developer Guide, "Configuring a dead-letter queue redrive").
                    redriven["MessageId"] = self.sqs.new_message_id()
                    self.transfer(source, seq, target, redriven, now)
                    moved += 1
        except Exception:
            self.sqs.clear_indexes()
            raise
        return moved, failure, moved >= remaining
