"""Where SQS keeps its state, and the vocabulary every SQS module shares.

    queues      scope (account, region), key = queue name        → queue document
    deleted     scope (account, region), key = queue name        → when it was deleted (the 60-second rule)
    messages    scope (account, queue id), key = "<seq:020d>"    → one message as sent (and its state
                                                                   when no receive record holds it)
    receives    scope (account, queue id), key = "<seq:020d>"    → a receive record: the new state of
                                                                   the messages one call changed
    dedup       scope (account, queue id), key = deduplication key → a FIFO send seen in the last 5 minutes
    receive_attempts  scope (account, queue id), key = ReceiveRequestAttemptId → a FIFO receive to replay
    move_tasks  scope (account, region), key = task id           → a message move task

A queue's id is random and new at each CreateQueue, so a queue deleted and
created again never sees the old one's messages. A message's sequence number
(`seq`) is a nanosecond clock reading made strictly increasing (a batch's
messages take consecutive ones from a block of ten reserved for it, `BLOCK`),
so it orders messages by arrival and is never reused, not even across
restarts; receipt handles name it.

A message's state (visibility deadline, receipt token, receive count, first
and latest receive) changes on every receive. Rewriting each message's
document would cost a row write per message; instead a ReceiveMessage of
several messages (and a ChangeMessageVisibility, or a replayed FIFO receive
attempt) stores the new state of all the messages it touched in one receive
record, {"M": [[seq, visible, count, first, last, token], ...]}, keyed by a
fresh seq (the call's receipt token), so later records sort after earlier
ones. A receive of one message rewrites that message's document instead (one
row either way, and no record to delete later), marking it with the same kind
of seq in "State". Loading a queue applies the records in key order over the
documents, each only where it is newer than the document's "State": the
latest write of a message's state wins. The index counts the messages each
record still speaks for; one that speaks for none is deleted by the next write
on the queue (or after the queue is next loaded), so a record lives about as
long as the messages of its receive.

Every acknowledged change is in the store before the call answers. What is
kept in memory is derived from the store and rebuilt from it after a
restart: queue documents (`Queue`), and each queue's visibility index
(`index.QueueIndex`), loaded when the queue is first used.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from typing import Any

from pocketcloud.config import REGION_NAME
from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.sqs.errors import queue_does_not_exist
from pocketcloud.services.sqs.index import QueueIndex
from pocketcloud.store import Collection, Scope, Store

Params = dict[str, Any]

DEDUP_WINDOW_MS = 5 * 60 * 1000
# A batch's messages get seqs of one block of ten that no other message shares: keys that differ in
# their last digit only, so deleting the whole batch is one range (`block_prefix`), not ten rows.
BLOCK = 10
RECENTLY_DELETED_MS = 60 * 1000
_REGION_HOST = re.compile(rf"^(?:sqs\.({REGION_NAME})\.|({REGION_NAME})\.queue\.)")


def host_region(host: str) -> str | None:
    """The Region an SQS host names (`sqs.eu-west-1.amazonaws.com`, `sqs.eu-west-1.localhost:4566`, the
    legacy `eu-west-1.queue.amazonaws.com`), else None."""
    match = _REGION_HOST.match(host)
    return (match.group(1) or match.group(2)) if match else None


def check_endpoint_region(url: str, region: str) -> None:
    """A queue URL whose host names another Region than the request was signed for is not this
    endpoint's: SQS answers InvalidAddress (what clients whose Region and queue URLs disagree met when
    botocore moved SQS to JSON, which sends every call to the client's Region). A LocalStack-style
    path (`/queue/<region>/...`) on a local host still reaches its Region's queue."""
    scheme, _, rest = url.partition("://")
    host = rest.partition("/")[0] if rest else ""
    if host and host_region(host) not in (None, region):
        raise ServiceError("InvalidAddress", f"The address {scheme}://{host}/ is not valid for this endpoint.")


def now_ms() -> int:
    return int(time.time() * 1000)


def message_key(seq: int) -> str:
    return str(seq).zfill(20)  # f"{seq:020d}", in about half the time


def block_prefix(seq: int) -> str:
    """The key prefix of every seq of `seq`'s block, and of no other."""
    return message_key(seq)[:-1]


def sequence_number(seq: int) -> str:
    """A FIFO message's SequenceNumber: 20 digits, like SQS's, increasing with `seq`."""
    return str(10**19 + seq)


class Queue:
    """A queue document with the values calls need parsed once (the document is the truth)."""

    __slots__ = (
        "doc",
        "name",
        "id",
        "account",
        "region",
        "arn",
        "fifo",
        "scope",
        "attributes",
        "visibility_timeout",
        "delay_seconds",
        "retention_ms",
        "max_size",
        "wait_seconds",
        "dlq_arn",
        "max_receive_count",
        "content_dedup",
        "dedup_by_group",
    )

    def __init__(self, doc: Params) -> None:
        self.doc = doc
        self.name: str = doc["Name"]
        self.id: str = doc["Id"]
        self.account: str = doc["Account"]
        self.region: str = doc["Region"]
        self.arn = queue_arn(self.region, self.account, self.name)
        self.fifo: bool = bool(doc.get("Fifo"))
        self.scope: Scope = (self.account, self.id)
        attrs: dict[str, str] = doc["Attributes"]
        self.attributes = attrs
        self.visibility_timeout = int(attrs["VisibilityTimeout"])
        self.delay_seconds = int(attrs["DelaySeconds"])
        self.retention_ms = int(attrs["MessageRetentionPeriod"]) * 1000
        self.max_size = int(attrs["MaximumMessageSize"])
        self.wait_seconds = int(attrs["ReceiveMessageWaitTimeSeconds"])
        self.dlq_arn: str | None = None
        self.max_receive_count = 0
        if attrs.get("RedrivePolicy"):
            policy = json.loads(attrs["RedrivePolicy"])
            self.dlq_arn = policy["deadLetterTargetArn"]
            self.max_receive_count = int(policy["maxReceiveCount"])
        self.content_dedup = attrs.get("ContentBasedDeduplication") == "true"
        self.dedup_by_group = attrs.get("DeduplicationScope") == "messageGroup"

    def url(self, ctx: RequestContext | None, endpoint: str, home_region: str) -> str:
        """`{endpoint}/{account}/{name}`, on the host and scheme the client called (so another port works).

        A queue outside the server's home Region is `{endpoint}/queue/{region}/{account}/{name}`: AWS's
        URLs name their Region (`sqs.eu-central-1.amazonaws.com/...`), so the queues one name has in two
        Regions have two URLs, and every Region's URL reaches its own queue whoever signs the call. A
        client that called on a host naming the queue's Region (`sqs.eu-west-1.localhost:4566`) gets
        AWS's two-segment path on it, which tools that parse queue URLs (the Terraform AWS provider's
        queueNameFromURL) require.
        """
        named = None
        if ctx is not None and ctx.request.host:
            base = f"{ctx.request.scheme}://{ctx.request.host}"
            named = host_region(ctx.request.host)
        else:
            base = endpoint
        if self.region not in (home_region, named):
            return f"{base}/queue/{self.region}/{self.account}/{self.name}"
        return f"{base}/{self.account}/{self.name}"


def queue_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sqs:{region}:{account}:{name}"


def parse_queue_arn(arn: str) -> tuple[str, str, str] | None:
    """(region, account, name) of an SQS queue ARN, None if it is not one."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not parts[5]:
        return None
    return parts[3], parts[4], parts[5]


def queue_url_of_path(path: str) -> str | None:
    """The queue URL an old client posted to, as its path names it: `/{account}/{name}` or
    `/queue/{region}/{account}/{name}`; None for any other path."""
    parts = path.strip("/").split("/")
    if len(parts) == 2 or (len(parts) == 4 and parts[0] == "queue"):
        return path
    return None


def parse_queue_url(url: str) -> tuple[str | None, str | None, str]:
    """(region or None, account or None, name) from any form SDKs send a QueueUrl in.

    `http://host:4566/000000000000/name`, `https://sqs.eu-west-1.amazonaws.com/123/name`,
    LocalStack's `.../queue/us-east-1/123/name`, a bare `/123/name`, or just the name.
    """
    rest = url
    host = ""
    if "://" in rest:
        rest = rest.split("://", 1)[1]
        host, _, rest = rest.partition("/")
    rest = rest.split("?", 1)[0]
    parts = [part for part in rest.split("/") if part]
    region = host_region(host)
    if not parts:
        return region, None, ""
    if len(parts) == 1:
        return region, None, parts[0]
    if len(parts) >= 4 and parts[-4] == "queue":
        region = parts[-3]
    account = parts[-2]
    if not (is_digits(account, 12) and len(account) == 12):
        return region, None, ""  # no account where one belongs (`/123/q/extra`): no queue's URL
    return region, account, parts[-1]


class SqsState:
    """The collections, and the in-memory views of them (queues by name, indexes by queue id)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.queues: Collection = store.collection("sqs", "queues")
        self.deleted: Collection = store.collection("sqs", "deleted")
        self.messages: Collection = store.collection("sqs", "messages")
        self.receives: Collection = store.collection("sqs", "receives")
        self.dedup: Collection = store.collection("sqs", "dedup")
        self.attempts: Collection = store.collection("sqs", "receive_attempts")
        self.move_tasks: Collection = store.collection("sqs", "move_tasks")
        self._queues: dict[tuple[str, str, str], Queue] = {}
        self._indexes: dict[str, QueueIndex] = {}
        self._urls: dict[str, tuple[str | None, str | None, str]] = {}
        self._last_seq = 0
        # MessageIds: UUID-shaped, a random per-process prefix and a counter (cheaper than uuid4 per message).
        prefix = secrets.token_hex(10)
        self._id_prefix = (
            f"{prefix[:8]}-{prefix[8:12]}-4{prefix[13:16]}-{'89ab'[int(prefix[16], 16) % 4]}{prefix[17:20]}-"
        )
        self._id_counter = 0

    # -- queues ---------------------------------------------------------------

    def find(self, account: str, region: str, name: str) -> Queue | None:
        key = (account, region, name)
        queue = self._queues.get(key)
        if queue is None:
            doc = self.queues.get((account, region), name)
            if doc is None:
                return None
            queue = self._queues[key] = Queue(doc)
        return queue

    def find_by_arn(self, arn: str) -> Queue | None:
        parsed = parse_queue_arn(arn)
        return self.find(parsed[1], parsed[0], parsed[2]) if parsed else None

    def parse_url(self, url: str) -> tuple[str | None, str | None, str]:
        """`parse_queue_url`, remembered: a client names the same few queues call after call."""
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) > 10_000:
                self._urls.clear()
            parsed = self._urls[url] = parse_queue_url(url)
        return parsed

    def find_by_url(self, ctx: RequestContext, url: str) -> Queue | None:
        region, account, name = self.parse_url(url)
        if not name:
            return None
        if region is not None and region != ctx.region:
            check_endpoint_region(url, ctx.region)
        return self.find(account or ctx.account_id, region or ctx.region, name)

    def require(self, ctx: RequestContext, url: str | None) -> Queue:
        queue = self.find_by_url(ctx, url or "") if url else None
        if queue is None:
            raise queue_does_not_exist(ctx)
        return queue

    def save(self, doc: Params) -> Queue:
        """Write a queue document; returns its fresh in-memory view."""
        self.queues.put((doc["Account"], doc["Region"]), doc["Name"], doc)
        queue = Queue(doc)
        self._queues[(queue.account, queue.region, queue.name)] = queue
        return queue

    def forget(self, queue: Queue) -> None:
        """Drop a deleted queue's views (after its documents are gone)."""
        self._queues.pop((queue.account, queue.region, queue.name), None)
        index = self._indexes.pop(queue.id, None)
        if index is not None:
            index.notify(force=True)

    def all_queues(self) -> list[Queue]:
        found = []
        for scope in self.queues.scopes():
            for name, _doc in self.store.iter_collection("sqs", "queues", scope):
                queue = self.find(scope[0], scope[1], name)
                if queue is not None:
                    found.append(queue)
        return found

    # -- messages -------------------------------------------------------------

    def next_seq(self) -> int:
        """Strictly increasing, and never reused across restarts (a nanosecond clock reading)."""
        self._last_seq = max(self._last_seq + 1, time.time_ns())
        return self._last_seq

    def next_block(self) -> int:
        """The first of BLOCK seqs reserved for one batch (a multiple of BLOCK; `next_seq` skips them)."""
        start = max(self._last_seq + 1, time.time_ns())
        start += -start % BLOCK
        self._last_seq = start + BLOCK - 1
        return start

    def new_message_id(self) -> str:
        self._id_counter += 1
        return self._id_prefix + hex(self._id_counter)[2:].zfill(12)  # f"{...:012x}", but faster

    def index(self, queue: Queue) -> QueueIndex:
        """The queue's visibility index, rebuilt from its stored messages on first use."""
        index = self._indexes.get(queue.id)
        if index is None:
            index = QueueIndex(queue.fifo)
            for key, doc in self.store.iter_collection("sqs", "messages", queue.scope):
                index.load(int(key), doc)
            last_record = 0
            for key, doc in self.store.iter_collection("sqs", "receives", queue.scope):
                last_record = int(key)
                index.load_record(last_record, doc["M"])
            if queue.fifo:
                records = [
                    (doc["Expires"], key, doc["MessageId"], doc.get("SequenceNumber"))
                    for key, doc in self.store.iter_collection("sqs", "dedup", queue.scope)
                ]
                for expires, key, message_id, sequence_number in sorted(records):
                    index.dedup[key] = (expires, message_id, sequence_number)
                for key, doc in self.store.iter_collection("sqs", "receive_attempts", queue.scope):
                    index.attempts[key] = (doc["Expires"], [(seq, token) for seq, token in doc["M"]])
            index.finish_loading()
            self._indexes[queue.id] = index
            self._last_seq = max(self._last_seq, last_record, max(index.entries, default=0))
        return index

    def put_record(self, queue: Queue, record: int, rows: list[list[Any]]) -> None:
        """Store receive record `record` (a fresh `next_seq()`, whose hex is the token of the receipts
        the call issues), inside the caller's transaction."""
        self.receives.put(queue.scope, message_key(record), {"M": rows})

    def drop_garbage(self, queue: Queue, index: QueueIndex) -> None:
        """Delete the receive records no message refers to any more (inside the caller's transaction).
        Rows left by a transaction that fails are found again when the queue's index is reloaded."""
        if index.garbage:
            doomed, index.garbage = index.garbage, []
            for record in doomed:
                self.receives.delete(queue.scope, message_key(record))

    def loaded_index(self, queue: Queue) -> QueueIndex | None:
        return self._indexes.get(queue.id)

    def cached_queues(self) -> list[Queue]:
        return list(self._queues.values())

    def invalidate(self, queue: Queue) -> None:
        """Forget a queue's index after a failed write; the next use reloads it from the store."""
        index = self._indexes.pop(queue.id, None)
        if index is not None:
            index.notify(force=True)

    def clear_indexes(self) -> None:
        """Forget every index after a failed write that touched several queues."""
        for index in self._indexes.values():
            index.notify(force=True)
        self._indexes.clear()

    def clear(self) -> None:
        for index in self._indexes.values():
            index.notify(force=True)
        self._queues.clear()
        self._indexes.clear()
