"""The SQS provider: queues, messages, receipts, dead-letter queues, and their workers.

Each concern is a module of its own (see `state.py` for the storage layout
and `index.py` for how a receive finds its messages without a scan); this
class puts them together, tells the authorizer which queue policy governs a
call and on which queue ARN, and offers other services `deliver_message`.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.context_keys import resource_tag_values
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.sqs.errors import queue_does_not_exist
from pocketcloud.services.sqs.messages import MessageOperations
from pocketcloud.services.sqs.queue_attributes import for_evaluation
from pocketcloud.services.sqs.queues import QueueOperations
from pocketcloud.services.sqs.receipts import ReceiptOperations
from pocketcloud.services.sqs.redrive import RedriveOperations, read_task_handle
from pocketcloud.services.sqs.retention import RetentionWorker
from pocketcloud.services.sqs.state import Queue, SqsState, parse_queue_url, queue_arn, queue_url_of_path

# The calls that name their queue by ARN (a dead-letter queue whose messages move).
_MOVE_TASK_OPERATIONS = frozenset(("StartMessageMoveTask", "ListMessageMoveTasks", "CancelMessageMoveTask"))


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
        trace_header: str | None = None,
        sender: RequestContext | None = None,
    ) -> str:
        """Send a message to a queue on behalf of another service (Lambda destinations and DLQs,
        notifications); `attributes` maps names to strings or to MessageAttributeValue dicts.
        `sender`: who sends (a role session, or a service principal), when the queue's KMS key must
        let them. Returns the MessageId; raises QueueDoesNotExist, a Kms* error or the send's
        validation error."""
        queue = self.sqs.find_by_arn(queue_arn)
        if queue is None:
            raise queue_does_not_exist()
        if sender is not None:
            self.check_kms(sender, queue, "kms:GenerateDataKey")
        # Empty values are left out rather than failing the delivery (SQS refuses empty attributes).
        message_attributes = {
            name: value if isinstance(value, dict) else {"DataType": "String", "StringValue": str(value)}
            for name, value in (attributes or {}).items()
            if value not in (None, "")
        }
        params: dict[str, Any] = {"MessageBody": body, "MessageAttributes": message_attributes}
        if group_id is not None:
            params["MessageGroupId"] = group_id
        if deduplication_id is not None:
            params["MessageDeduplicationId"] = deduplication_id
        if trace_header:  # the sender's X-Ray trace, as the AWSTraceHeader system attribute
            params["MessageSystemAttributes"] = {
                "AWSTraceHeader": {"DataType": "String", "StringValue": trace_header}
            }
        message = self.outgoing(queue, params, queue.account)
        self.enqueue(queue, [message])
        return str(message.result["MessageId"])

    def visibility_timeout_of(self, queue_arn: str) -> int | None:
        """A queue's VisibilityTimeout in seconds; None if there is no such queue."""
        queue = self.sqs.find_by_arn(queue_arn)
        return None if queue is None else queue.visibility_timeout

    def check_queue_key(self, queue_arn: str, user: RequestContext, *actions: str) -> None:
        """The Kms* error unless the queue's KMS key (if it has one) lets `user` make every action."""
        queue = self.sqs.find_by_arn(queue_arn)
        if queue is None:
            raise queue_does_not_exist()
        for action in actions:
            self.check_kms(user, queue, action)

    def queue_policy(self, queue_arn: str) -> tuple[str | None, str] | None:
        """(the queue policy or None, the owner account) of a queue; None if there is no such queue
        (S3 checks that a notification destination lets it send)."""
        queue = self.sqs.find_by_arn(queue_arn)
        return None if queue is None else (self._policy_text(queue), queue.account)

    @staticmethod
    def _policy_text(queue: Queue) -> str | None:
        """The queue policy as the policy evaluator reads it (see `queue_attributes.for_evaluation`)."""
        text = queue.attributes.get("Policy")
        return (for_evaluation(text) or None) if text else None

    def queue_url_of(self, queue_arn: str) -> str | None:
        queue = self.sqs.find_by_arn(queue_arn)
        return None if queue is None else self.queue_url(None, queue)

    async def receive_batch(
        self,
        queue_arn: str,
        max_messages: int,
        wait_seconds: float,
        reader: RequestContext | None = None,
        visibility_timeout: int | None = None,
    ) -> list[dict[str, Any]]:
        """Up to `max_messages` (any number) with every attribute, waiting up to `wait_seconds` for
        the first; binary attribute values in base64 (Lambda's event source mapping reads them).
        `reader`: who reads, when the queue's KMS key must let them decrypt; `visibility_timeout`:
        how long they stay hidden, the queue's own when None."""
        queue = self.sqs.find_by_arn(queue_arn)
        if queue is None:
            raise queue_does_not_exist()
        if reader is not None:
            self.check_kms(reader, queue, "kms:Decrypt")
        visibility = queue.visibility_timeout if visibility_timeout is None else visibility_timeout
        messages = await self.poll(None, queue, max_messages, visibility, wait_seconds, None, ["All"], ["All"])
        for message in messages:
            for value in (message.get("MessageAttributes") or {}).values():
                if isinstance(value.get("BinaryValue"), bytes):
                    value["BinaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
        return messages

    def delete_batch(self, queue_arn: str, receipt_handles: list[str]) -> None:
        """Delete by receipt handles, ignoring handles that are invalid or spent."""
        queue = self.sqs.find_by_arn(queue_arn)
        if queue is not None and receipt_handles:
            self._delete(queue, receipt_handles, batch=True)

    # -- for the authorizer -------------------------------------------------------------

    def _policy_queue(self, ctx: RequestContext, operation: str, params: dict[str, Any]) -> tuple[Queue | None, str | None]:
        """The queue a call acts on and its owner account (the owner even when the queue does not exist)."""
        if operation in ("CreateQueue", "ListQueues"):
            return None, None
        if operation == "GetQueueUrl":
            owner = params.get("QueueOwnerAWSAccountId") or ctx.account_id
            return self.sqs.find(owner, ctx.region, params.get("QueueName") or ""), owner
        if operation in _MOVE_TASK_OPERATIONS:
            arn = params.get("SourceArn")
            if operation == "CancelMessageMoveTask":
                handle = read_task_handle(params.get("TaskHandle") or "")
                arn = handle[1] if handle else None
            queue = self.sqs.find_by_arn(arn) if arn else None
            return queue, queue.account if queue else None
        url = params.get("QueueUrl")
        if url is None:
            url = queue_url_of_path(ctx.request.path)
        if not url:
            return None, None
        _, account, _ = self.sqs.parse_url(url)
        return self.sqs.find_by_url(ctx, url), account or ctx.account_id

    def resource_policy(self, ctx: RequestContext, operation: str, params: dict[str, Any]) -> tuple[str | None, str | None]:
        """The queue policy and the queue owner's account, for the authorizer."""
        queue, owner = self._policy_queue(ctx, operation, params)
        if queue is None:
            return None, owner
        if operation in _MOVE_TASK_OPERATIONS:
            # "Cross-account permissions don't apply to the following actions: ..., CancelMessageMoveTask,
            # ..., ListMessageMoveTask, ..., StartMessageMoveTask, ..." (SQS Developer Guide, "Limitations of
            # Amazon SQS custom policies"): no queue policy lets another account move a queue's messages.
            return None, queue.account
        return self._policy_text(queue), queue.account

    def condition_values(self, ctx: RequestContext, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """aws:ResourceTag/<key> of the queue a call acts on ("ABAC condition keys for Amazon SQS")."""
        queue, _ = self._policy_queue(ctx, operation, params)
        if queue is None:
            return {}
        return resource_tag_values(queue.doc.get("Tags"))

    def refusal(self, ctx: RequestContext, operation: str, resource_account: str | None) -> ServiceError | None:
        """What a refused call is told instead of AccessDenied: GetQueueUrl does not tell another
        account's caller whether the queue exists (AWS: NonExistentQueue, 400, "The specified queue
        does not exist or you do not have access to it"; SQS Developer Guide, "Troubleshooting Amazon
        SQS API errors")."""
        if operation == "GetQueueUrl" and resource_account not in (None, ctx.account_id):
            return queue_does_not_exist(ctx)
        return None

    def resource_arns(self, ctx: RequestContext, operation: str, params: dict[str, Any]) -> list[str] | None:
        """The queue ARN a call is authorized on (ListQueues: "*")."""
        if operation == "CreateQueue" and params.get("QueueName"):
            return [queue_arn(ctx.region, ctx.account_id, params["QueueName"])]
        queue, _ = self._policy_queue(ctx, operation, params)
        if queue is not None:
            return [queue.arn]
        # A queue that does not exist is still the one its URL names, in the account the URL names:
        # refused, the caller is told that queue's ARN, not one in its own account.
        region, account, name = parse_queue_url(str(params.get("QueueUrl") or ""))
        return [queue_arn(region or ctx.region, account, name)] if account and name else None
