"""Queues: create (names, idempotency), URLs, listing, attributes, purge, tags, permissions."""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import time
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.authorizer import access_denied
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import operation_model
from pocketcloud.services.base import ServiceRuntime
from pocketcloud.services.sqs import queue_attributes as qa
from pocketcloud.services.sqs.errors import (
    invalid_attribute_name,
    invalid_attribute_value,
    invalid_parameter_value,
    invalid_value,
    missing_parameter,
    policy_over_limit,
    policy_statements_over_limit,
    queue_does_not_exist,
)
from pocketcloud.services.sqs.state import (
    RECENTLY_DELETED_MS,
    Params,
    Queue,
    SqsState,
    now_ms,
    queue_url_of_path,
)

_QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
MAX_TAGS = 50
# Operations AWS never lets another account perform, whatever the queue policy says.
OWNER_ONLY = frozenset(
    {
        "AddPermission",
        "RemovePermission",
        "DeleteQueue",
        "SetQueueAttributes",
        "TagQueue",
        "UntagQueue",
        "ListQueueTags",
    }
)
# What AddPermission may grant; the actions cross-account permissions never apply to are refused
# with a reason of their own, anything else as unknown.
_PERMISSION_ACTIONS = frozenset(
    {
        "*",
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "ChangeMessageVisibility",
        "GetQueueAttributes",
        "GetQueueUrl",
        "ListDeadLetterSourceQueues",
        "PurgeQueue",
    }
)
_NOT_GRANTABLE = OWNER_ONLY | {
    "CreateQueue",
    "ListQueues",
    "CancelMessageMoveTask",
    "ListMessageMoveTasks",
    "StartMessageMoveTask",
}
MAX_PERMISSION_ACTIONS = 7


def check_queue_name(name: str, fifo: bool) -> None:
    base = name[:-5] if name.endswith(".fifo") else name
    if fifo and (not name.endswith(".fifo") or not _QUEUE_NAME.match(base) or len(name) > 80):
        raise invalid_parameter_value(
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
            "must end with .fifo suffix and be 1 to 80 in length."
        )
    if not fifo and not _QUEUE_NAME.match(name):
        raise invalid_parameter_value(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )


def _tags(given: dict[str, Any] | None, queue_name: str) -> dict[str, str]:
    tags = {str(k): "" if v is None else str(v) for k, v in (given or {}).items()}
    for key in tags:
        if not key or len(key) > 128:
            raise invalid_parameter_value("Tag keys must be between 1 and 128 characters in length.")
        if key.lower().startswith("aws:"):
            raise invalid_parameter_value("The tag key prefix aws: is reserved.")
    for value in tags.values():
        if len(value) > 256:
            raise invalid_parameter_value("Tag values must be at most 256 characters in length.")
    return tags


def _encode_token(name: str) -> str:
    return base64.b64encode(json.dumps({"after": name}).encode()).decode()


def _decode_token(token: str) -> str:
    try:
        after = json.loads(base64.b64decode(token, validate=True))["after"]
        if isinstance(after, str) and after.isascii():  # the queue names we put in tokens are
            return after
    except (ValueError, KeyError, TypeError, binascii.Error, RecursionError):
        pass
    raise invalid_parameter_value("Invalid NextToken value.")


class QueueOperations:
    sqs: SqsState
    runtime: ServiceRuntime

    # -- helpers shared by the other modules -----------------------------------

    def queue_url(self, ctx: RequestContext | None, queue: Queue) -> str:
        return queue.url(ctx, self.runtime.settings.endpoint, self.runtime.settings.region)

    def target_queue(self, ctx: RequestContext, p: Params) -> Queue:
        """The queue a call names by QueueUrl (from the path when an old client posts to the queue's URL)."""
        url = p.get("QueueUrl")
        if url is None:
            url = queue_url_of_path(ctx.request.path)
            if url is None:
                raise missing_parameter("QueueUrl")
        queue = self.sqs.require(ctx, url)
        if queue.account != ctx.account_id and ctx.operation in OWNER_ONLY:
            raise access_denied(
                "sqs",
                f"Access to the resource {self.queue_url(ctx, queue)} is denied. Only the queue owner "
                f"can call {ctx.operation}.",
            )
        return queue

    # -- operations ----------------------------------------------------------------

    def CreateQueue(self, ctx: RequestContext, p: Params) -> Params:
        name = p.get("QueueName")
        if name is None:
            raise invalid_parameter_value(
                "Value for parameter QueueName is invalid. Reason: Must specify a queue name."
            )
        given = dict(p.get("Attributes") or {})
        fifo = str(given.get("FifoQueue", "")).lower() == "true"
        check_queue_name(name, fifo)
        account, region = ctx.account_id, ctx.region
        arn = f"arn:aws:sqs:{region}:{account}:{name}"
        attributes = qa.normalize(
            given, fifo=fifo, arn=arn, account=account, region=region, find=self.sqs.find_by_arn
        )
        self._check_policy_principals(attributes)
        if p.get("tags"):
            # "To be able to tag a queue on creation, you must have the sqs:CreateQueue and
            # sqs:TagQueue permissions" (API Reference, CreateQueue, tags).
            self.runtime.authorizer.authorize_as(
                ctx, operation_model("sqs", "TagQueue"), {"QueueUrl": f"/{account}/{name}", "Tags": p["tags"]}
            )  # with the tags, so that aws:RequestTag and aws:TagKeys decide this check as they do CreateQueue's
        existing = self.sqs.find(account, region, name)
        if existing is not None:
            differing = qa.differing(existing, attributes)
            if differing:
                raise ServiceError(
                    "QueueNameExists",
                    f"A queue already exists with the same name and a different value for attribute {differing}",
                )
            return {"QueueUrl": self.queue_url(ctx, existing)}
        deleted = self.sqs.deleted.get((account, region), name)
        if deleted is not None and now_ms() - deleted["DeletedAt"] < RECENTLY_DELETED_MS:
            raise ServiceError(
                "QueueDeletedRecently",
                "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
            )
        defaults = {**qa.DEFAULTS, **(qa.FIFO_DEFAULTS if fifo else {})}
        tags = _tags(p.get("tags"), name)
        if len(tags) > MAX_TAGS:
            raise invalid_parameter_value(f"Too many tags added for queue {name}.")
        created = int(time.time())
        queue = self.sqs.save(
            {
                "Name": name,
                "Id": secrets.token_hex(8),
                "Account": account,
                "Region": region,
                "Fifo": fifo,
                "Attributes": qa.apply(defaults, attributes),
                "Created": created,
                "Modified": created,
                "Tags": tags,
            }
        )
        if deleted is not None:
            self.sqs.deleted.delete((account, region), name)
        return {"QueueUrl": self.queue_url(ctx, queue)}

    def GetQueueUrl(self, ctx: RequestContext, p: Params) -> Params:
        name = p.get("QueueName")
        if not name:
            raise missing_parameter("QueueName")
        queue = self.sqs.find(p.get("QueueOwnerAWSAccountId") or ctx.account_id, ctx.region, name)
        if queue is None:
            raise queue_does_not_exist(ctx)
        return {"QueueUrl": self.queue_url(ctx, queue)}

    def ListQueues(self, ctx: RequestContext, p: Params) -> Params:
        limit = p.get("MaxResults")
        if limit is not None and not 1 <= limit <= 1000:
            raise invalid_value("MaxResults", limit, "MaxResults must be an integer between 1 and 1000.")
        after = _decode_token(p["NextToken"]) if p.get("NextToken") else None
        prefix = p.get("QueueNamePrefix") or ""
        page = self.sqs.queues.scan(
            (ctx.account_id, ctx.region),
            prefix=prefix,
            start_after=after,
            limit=(limit or 1000) + 1,
        )
        more = len(page) > (limit or 1000)
        page = page[: limit or 1000]
        out: Params = {}
        if page:
            out["QueueUrls"] = [self.queue_url(ctx, Queue(doc)) for _, doc in page]
        if more and limit is not None:
            out["NextToken"] = _encode_token(page[-1][0])
        return out

    def DeleteQueue(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        with self.sqs.store.transaction():
            self.sqs.queues.delete((queue.account, queue.region), queue.name)
            self.sqs.messages.delete_prefix(queue.scope, "")
            self.sqs.receives.delete_prefix(queue.scope, "")
            self.sqs.dedup.delete_prefix(queue.scope, "")
            self.sqs.attempts.delete_prefix(queue.scope, "")
            self.sqs.deleted.put((queue.account, queue.region), queue.name, {"DeletedAt": now_ms()})
        self.sqs.forget(queue)
        return {}

    def GetQueueAttributes(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        names = list(p.get("AttributeNames") or [])
        for name in names:
            if name not in qa.KNOWN:
                raise invalid_attribute_name(name)
        if not names:
            return {}
        wanted = qa.ALL_ORDER if "All" in names else names
        values = self.queue_attribute_values(queue)
        found = {name: values[name] for name in wanted if name in values}
        return {"Attributes": found} if found else {}

    def queue_attribute_values(self, queue: Queue) -> dict[str, str]:
        index = self.sqs.index(queue)
        visible, inflight, delayed = index.counts(now_ms())
        values = dict(queue.attributes)
        values.update(
            {
                "QueueArn": queue.arn,
                "ApproximateNumberOfMessages": str(visible),
                "ApproximateNumberOfMessagesNotVisible": str(inflight),
                "ApproximateNumberOfMessagesDelayed": str(delayed),
                "CreatedTimestamp": str(queue.doc["Created"]),
                "LastModifiedTimestamp": str(queue.doc["Modified"]),
            }
        )
        return values

    def SetQueueAttributes(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        given = p.get("Attributes") or {}
        changes = qa.normalize(
            given,
            fifo=queue.fifo,
            arn=queue.arn,
            account=queue.account,
            region=queue.region,
            find=self.sqs.find_by_arn,
        )
        self._check_policy_principals(changes)
        if changes:
            merged = qa.apply(queue.attributes, changes)
            if queue.fifo and merged["DelaySeconds"] != queue.attributes["DelaySeconds"]:
                self._redelay(queue, {**queue.doc, "Attributes": merged, "Modified": int(time.time())})
            else:
                self.sqs.save({**queue.doc, "Attributes": merged, "Modified": int(time.time())})
        return {}

    def _check_policy_principals(self, attributes: dict[str, str]) -> None:
        """A queue policy naming a user or role that does not exist is refused, as IAM and S3 refuse
        theirs: SQS's words are InvalidAttributeValue "Invalid value for the parameter Policy." (the
        Terraform AWS provider retries on it while a new role propagates; aws/aws-cdk#15602)."""
        text = attributes.get("Policy")
        iam = self.runtime.provider("iam") if text else None
        if iam is not None and iam.missing_principal(json.loads(str(text))) is not None:  # type: ignore[attr-defined]
            raise invalid_attribute_value("Policy")

    def _redelay(self, queue: Queue, doc: Params) -> None:
        """Save a FIFO queue's new DelaySeconds and apply it to the messages already waiting: on a
        FIFO queue the per-queue delay is retroactive (SQS Developer Guide, "Amazon SQS delay
        queues"), so a message not yet received becomes deliverable at its send time plus the new
        delay. Their new deadlines go in one receive record, as a visibility change's do."""
        delay_ms = int(doc["Attributes"]["DelaySeconds"]) * 1000
        index = self.sqs.index(queue)
        deadlines = [
            (seq, entry.sent + delay_ms)
            for seq, entry in index.entries.items()
            if entry.token is None  # never received from this queue: still under the queue's delay
        ]
        entries = index.entries
        rows = [
            [seq, visible, entries[seq].count, entries[seq].first, entries[seq].last, None]
            for seq, visible in deadlines
        ]
        record = self.sqs.next_seq()
        try:
            with self.sqs.store.transaction():
                self.sqs.save(doc)
                if rows:
                    self.sqs.drop_garbage(queue, index)
                    self.sqs.put_record(queue, record, rows)
        except Exception:
            self.sqs.forget(queue)  # the queue's document and index are read again from the store
            raise
        for seq, visible in deadlines:
            index.set_visible(seq, visible, None, record)

    def PurgeQueue(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        now = now_ms()
        purged = queue.doc.get("PurgedAt")
        if purged is not None and now - purged < 60_000:
            raise ServiceError(
                "PurgeQueueInProgress",
                f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.",
            )
        index = self.sqs.index(queue)
        # A purge forgets the FIFO deduplication window too: a message sent again after it is delivered.
        with self.sqs.store.transaction():
            self.sqs.messages.delete_prefix(queue.scope, "")
            self.sqs.receives.delete_prefix(queue.scope, "")
            self.sqs.dedup.delete_prefix(queue.scope, "")
            self.sqs.attempts.delete_prefix(queue.scope, "")
            self.sqs.save({**queue.doc, "PurgedAt": now})
        index.clear()
        index.dedup.clear()
        return {}

    # -- tags -------------------------------------------------------------------------

    def TagQueue(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        if not p.get("Tags"):
            raise missing_parameter("Tags")
        tags = {**queue.doc.get("Tags", {}), **_tags(p.get("Tags"), queue.name)}
        if len(tags) > MAX_TAGS:
            raise invalid_parameter_value(f"Too many tags added for queue {queue.name}.")
        self.sqs.save({**queue.doc, "Tags": tags})
        return {}

    def UntagQueue(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        remove = set(p.get("TagKeys") or [])
        if not remove or not all(0 < len(key) <= 128 for key in remove):
            raise invalid_parameter_value("Tag keys must be between 1 and 128 characters in length.")
        tags = {k: v for k, v in queue.doc.get("Tags", {}).items() if k not in remove}
        self.sqs.save({**queue.doc, "Tags": tags})
        return {}

    def ListQueueTags(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        tags = queue.doc.get("Tags") or {}
        return {"Tags": tags} if tags else {}

    # -- permissions (statements of the queue policy) -----------------------------------

    def AddPermission(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        label = p.get("Label") or ""
        accounts = list(p.get("AWSAccountIds") or [])
        actions = list(p.get("Actions") or [])
        if not _QUEUE_NAME.match(label):
            raise invalid_value(
                "Label",
                label,
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.",
            )
        if not actions:
            raise missing_parameter("Actions")
        if len(actions) > MAX_PERMISSION_ACTIONS:
            raise ServiceError(
                "OverLimit",
                f"{len(actions)} Actions were found, maximum allowed is {MAX_PERMISSION_ACTIONS}.",
            )
        if not accounts:
            raise invalid_value("PrincipalId", "[]", "Unable to verify.")
        for action in actions:
            if action in _NOT_GRANTABLE:
                raise invalid_value(
                    "ActionName", f"SQS:{action}", "Only the queue owner is allowed to invoke this action."
                )
            if action not in _PERMISSION_ACTIONS:
                raise invalid_value(
                    "ActionName",
                    f"SQS:{action}",
                    "Please refer to the appropriate WSDL for a list of valid actions. ",
                )
        policy = self._policy_document(queue)
        if any(statement.get("Sid") == label for statement in policy["Statement"]):
            raise invalid_value("Label", label, "Already exists.")
        if len(policy["Statement"]) >= qa.MAX_POLICY_STATEMENTS:
            # Each grant is a statement of the queue policy, which holds at most 20 ("Amazon SQS
            # policy quotas").
            raise policy_statements_over_limit(len(policy["Statement"]) + 1, qa.MAX_POLICY_STATEMENTS)
        principals = [f"arn:aws:iam::{account}:root" for account in accounts]
        policy["Statement"].append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
                "Action": f"SQS:{actions[0]}" if len(actions) == 1 else [f"SQS:{a}" for a in actions],
                "Resource": queue.arn,
            }
        )
        if len(json.dumps(policy, separators=(",", ":")).encode()) > qa.MAX_POLICY_BYTES:
            raise policy_over_limit()  # the policy the grant would make is past SQS's quota
        self._save_policy(queue, policy)
        return {}

    def RemovePermission(self, ctx: RequestContext, p: Params) -> Params:
        queue = self.target_queue(ctx, p)
        label = p.get("Label") or ""
        policy = self._policy_document(queue)
        kept = [s for s in policy["Statement"] if s.get("Sid") != label]
        if len(kept) == len(policy["Statement"]):
            raise invalid_value("Label", label, "can't find label.")
        policy["Statement"] = kept
        self._save_policy(queue, policy if kept else None)
        return {}

    def _policy_document(self, queue: Queue) -> dict[str, Any]:
        text = queue.attributes.get("Policy")
        policy: dict[str, Any] = (
            json.loads(text)
            if text
            else {
                "Version": "2008-10-17",
                "Id": f"{queue.arn}/SQSDefaultPolicy",
                "Statement": [],
            }
        )
        if isinstance(policy.get("Statement"), dict):
            policy["Statement"] = [policy["Statement"]]
        policy.setdefault("Statement", [])
        return policy

    def _save_policy(self, queue: Queue, policy: dict[str, Any] | None) -> None:
        attributes = dict(queue.attributes)
        if policy is None:
            attributes.pop("Policy", None)
        else:
            attributes["Policy"] = json.dumps(policy, separators=(",", ":"))
        self.sqs.save({**queue.doc, "Attributes": attributes, "Modified": int(time.time())})
