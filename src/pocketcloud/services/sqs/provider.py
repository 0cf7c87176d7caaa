"""The SQS provider: queues, messages, receipts, dead-letter queues, and their workers.

Each concern is a module of its own (see `state.py` for the storage layout
and `index.py` for how a receive finds its messages without a scan); this
class puts them together, tells the authorizer which queue policy governs a
call and on which queue ARN, and offers other services `deliver_message`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.sqs.errors import queue_does_not_exist
from pocketcloud.services.sqs.messages import MessageOperations
from pocketcloud.services.sqs.queues import QueueOperations
from pocketcloud.services.sqs.receipts import ReceiptOperations
from pocketcloud.services.sqs.redrive import RedriveOperations, read_task_handle
from pocketcloud.services.sqs.retention import RetentionWorker
from pocketcloud.services.sqs.state import Queue, SqsState, parse_queue_url, queue_arn


class SqsProvider(QueueOperations, MessageOperations, ReceiptOperations, RedriveOperations, Provider):
    service = "sqs"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        self.sqs = SqsState(runtime.store)
        self.retention = RetentionWorker(self.sqs)
        self.move_runners: dict[str, asyncio.Task[None]] = {}

    async def start(self) -> None:
        self.retention.start()
        self.resume_move_tasks()

    async def stop(self) -> None:
        await self.retention.stop()
        await self.stop_move_tasks()
        self.sqs.clear()

    # -- for other services ------------------------------------------------------------

    async def deliver_message(
        self,
        queue_arn: str,
        body: str,
        attributes: dict[str, Any] | None = None,
        *,
        group_id: str | None = None,
        deduplication_id: str | None = None,
    ) -> str:
        """Send a message to a queue on behalf of another service (Lambda destinations and DLQs,
        notifications); `attributes` maps names to strings or to MessageAttributeValue dicts.
        Returns the MessageId; raises QueueDoesNotExist or the send's validation error."""
        queue = self.sqs.find_by_arn(queue_arn)
        if queue is None:
            raise queue_does_not_exist()
        message_attributes = {
            name: value if isinstance(value, dict) else {"DataType": "String", "StringValue": str(value)}
            for name, value in (attributes or {}).items()
        }
        params: dict[str, Any] = {"MessageBody": body, "MessageAttributes": message_attributes}
        if group_id is not None:
            params["MessageGroupId"] = group_id
        if deduplication_id is not None:
            params["MessageDeduplicationId"] = deduplication_id
        message = self.outgoing(queue, params, queue.account)
        self.enqueue(queue, [message])
        return str(message.result["MessageId"])

    # -- for the authorizer -------------------------------------------------------------

    def _policy_queue(self, ctx: RequestContext, operation: str, params: dict[str, Any]) -> tuple[Queue | None, str | None]:
        """The queue a call acts on and its owner account (the owner even when the queue does not exist)."""
        if operation in ("CreateQueue", "ListQueues"):
            return None, None
        if operation == "GetQueueUrl":
            owner = params.get("QueueOwnerAWSAccountId") or ctx.account_id
            return self.sqs.find(owner, ctx.region, params.get("QueueName") or ""), owner
        if operation in ("StartMessageMoveTask", "ListMessageMoveTasks", "CancelMessageMoveTask"):
            arn = params.get("SourceArn")
            if operation == "CancelMessageMoveTask":
                handle = read_task_handle(params.get("TaskHandle") or "")
                arn = handle[1] if handle else None
            queue = self.sqs.find_by_arn(arn) if arn else None
            return queue, queue.account if queue else None
        url = params.get("QueueUrl")
        if url is None:
            path = ctx.request.path.strip("/")
            url = "/" + path if path.count("/") == 1 else None
        if not url:
            return None, None
        _, account, _ = parse_queue_url(url)
        return self.sqs.find_by_url(ctx, url), account or ctx.account_id

    def resource_policy(self, ctx: RequestContext, operation: str, params: dict[str, Any]) -> tuple[str | None, str | None]:
        """The queue policy and the queue owner's account, for the authorizer."""
        queue, owner = self._policy_queue(ctx, operation, params)
        if queue is None:
            return None, owner
        return queue.attributes.get("Policy"), queue.account

    def resource_arns(self, ctx: RequestContext, operation: str, params: dict[str, Any]) -> list[str] | None:
        """The queue ARN a call is authorized on (ListQueues: "*")."""
        if operation == "CreateQueue" and params.get("QueueName"):
            return [queue_arn(ctx.region, ctx.account_id, params["QueueName"])]
        queue, _ = self._policy_queue(ctx, operation, params)
        return [queue.arn] if queue is not None else None

    def queue_policy(self, queue_arn: str) -> tuple[str | None, str] | None:
        """(the queue's policy, its account) for another service checking it may deliver; None if no queue."""
        queue = self.sqs.find_by_arn(queue_arn)
        if queue is None:
            return None
        return queue.attributes.get("Policy"), queue.account

    async def receive_batch(self, queue_arn: str, max_messages: int, wait_seconds: float) -> list[dict[str, Any]]:
        """Receive up to `max_messages` (any number: taken ten at a time) for a poller of another
        service (Lambda's event source mappings), waiting at most `wait_seconds` for the first."""
        queue = self.sqs.find_by_arn(queue_arn)
        if queue is None:
            raise queue_does_not_exist()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        received: list[dict[str, Any]] = []
        while True:
            while len(received) < max_messages:
                batch = self.receive_now(queue, min(10, max_messages - len(received)), queue.visibility_timeout,
                                         None, ["All"], ["All"])
                if not batch:
                    break
                received.extend(batch)
            remaining = deadline - loop.time()
            if received or remaining <= 0:
                return received
            await self.sqs.index(queue).wait(min(remaining, 1.0))

    def delete_batch(self, queue_arn: str, receipt_handles: list[str]) -> None:
        """Delete messages a poller of another service has processed; stale handles are ignored."""
        queue = self.sqs.find_by_arn(queue_arn)
        if queue is not None and receipt_handles:
            self._delete(queue, receipt_handles, batch=True)

    def queue_url_of(self, queue_arn: str) -> str | None:
        queue = self.sqs.find_by_arn(queue_arn)
        return self.queue_url(None, queue) if queue is not None else None
