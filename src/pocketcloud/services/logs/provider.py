"""CloudWatch Logs: log groups and streams, events (put, get, filter), retention, tags, Insights.

Groups are documents keyed by name, streams by "<group>\\0<stream>", events as
`events.py` lays them out. Retention is applied twice: reads never return an
event older than the group's retention, and the "logs-retention" worker (plus
PutRetentionPolicy itself) deletes them from the store. Other services (Lambda)
write through `write_events`, which creates the group and stream as AWS does;
those writes are batched off the caller's request path (`ingest.py`), and every
operation of this provider writes what is queued before it runs.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import heapq
import itertools
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.logs import insights
from pocketcloud.services.logs.account_policies import AccountPolicyOperations
from pocketcloud.services.logs.deliveries import DeliveryOperations
from pocketcloud.services.logs.destinations import DestinationOperations
from pocketcloud.services.logs.errors import invalid, not_found
from pocketcloud.services.logs.events import (
    CHUNK,
    END,
    Event,
    EventLog,
    event_size,
    now_ms,
    time_position,
)
from pocketcloud.services.logs.exports import ExportOperations
from pocketcloud.services.logs.filters import FilterOperations
from pocketcloud.services.logs.ingest import PendingEvents, StreamKey
from pocketcloud.services.logs.kms_keys import KmsKeyOperations, check_kms_key
from pocketcloud.services.logs.masking import Masker
from pocketcloud.services.logs.patterns import FilterPattern, FilterPatternError, compile_filter
from pocketcloud.services.logs.policies import PolicyOperations
from pocketcloud.services.logs.transformers import TransformerOperations
from pocketcloud.store import Scope

log = logging.getLogger(__name__)

Params = dict[str, Any]

RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
DAY_MS = 86_400_000
MAX_BATCH_BYTES = 1_048_576
MAX_EVENT_BYTES = 1_048_576
TOO_OLD_MS = 14 * DAY_MS
TOO_NEW_MS = 2 * 3_600_000
MAX_SPAN_MS = DAY_MS
MAX_PAGE_BYTES = 1_048_576
MAX_TAGS = 50
MAX_NAME_LENGTH = 512
# GetLogGroupFields looks at the events of the 15 minutes before its `time`.
FIELDS_WINDOW_MS = 15 * 60_000
FIELDS_SAMPLE = 10_000
# FilterLogEvents looks at no more than this many events per call; past it, the
# page comes back short with a nextToken, as AWS's partial pages do.
FILTER_SCAN_BUDGET = 200_000
# FilterLogEvents with startFromHead=false only covers events from 2024 on.
DESCENDING_FILTER_FLOOR_MS = 1_704_067_200_000


def _stream_missing() -> ServiceError:
    return not_found("The specified log stream does not exist.")


def _opaque(kind: str, value: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def _unopaque(kind: str, token: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid("The specified nextToken is invalid.") from exc
    prefix, sep, value = raw.partition(":")
    if prefix != kind or not sep:
        raise invalid("The specified nextToken is invalid.")
    return value


def _event_token(direction: str, position: int) -> str:
    """GetLogEvents' token form: "f/<56 digits>/s" or "b/<56 digits>/s"."""
    return f"{direction}/{position:056d}/s"


def _parse_event_token(token: str) -> tuple[str, int]:
    parts = token.split("/")
    if len(parts) != 3 or parts[0] not in ("f", "b") or not parts[1].isdigit() or len(parts[1]) != 56:
        raise invalid("The specified nextToken is invalid.")
    return parts[0], min(int(parts[1]), END)


def _check_name_lengths(p: Params) -> None:
    # The model's 512-character limit on these is AWS's own check, in words of its own
    # (the validator leaves it to us: protocol/validation.py's _OWN_MAX_LENGTHS).
    for member in ("logGroupName", "logStreamName"):
        value = p.get(member)
        if isinstance(value, str) and len(value) > MAX_NAME_LENGTH:
            raise invalid("Invalid LogGroup or LogStream, both must have length less than or equal to 512.")


def _after_queued_writes(cls: type[LogsProvider]) -> type[LogsProvider]:
    """Make every operation (a method named as one: CamelCase, here or in a mixin) write the queued
    events before it runs, so no answer misses a line that an invocation which already answered logged."""

    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def operation(self: LogsProvider, ctx: RequestContext, p: Params, *args: Any, **kwargs: Any) -> Any:
            _check_name_lengths(p)
            self.pending.flush()
            return method(self, ctx, p, *args, **kwargs)

        return operation

    for name in dir(cls):
        value = getattr(cls, name)
        if name[:1].isupper() and callable(value) and not isinstance(value, type):
            setattr(cls, name, wrap(value))
    return cls


@_after_queued_writes
class LogsProvider(
    DeliveryOperations,
    ExportOperations,
    KmsKeyOperations,
    DestinationOperations,
    AccountPolicyOperations,
    TransformerOperations,
    FilterOperations,
    PolicyOperations,
    Provider,
):
    service = "logs"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        self.groups = runtime.store.collection("logs", "groups")
        self.streams = runtime.store.collection("logs", "streams")
        self.queries = runtime.store.collection("logs", "queries")
        self.metric_filters = runtime.store.collection("logs", "metric_filters")
        self.subscriptions = runtime.store.collection("logs", "subscription_filters")
        self.policies = runtime.store.collection("logs", "resource_policies")
        self.query_definitions = runtime.store.collection("logs", "query_definitions")
        self.exports = runtime.store.collection("logs", "export_tasks")
        self.account_settings = runtime.store.collection("logs", "account_settings")
        self.destinations = runtime.store.collection("logs", "destinations")
        self.delivery_destinations = runtime.store.collection("logs", "delivery_destinations")
        self.account_policies = runtime.store.collection("logs", "account_policies")
        self.data_protection = runtime.store.collection("logs", "data_protection_policies")
        self.transformers = runtime.store.collection("logs", "transformers")
        self.index_policies = runtime.store.collection("logs", "index_policies")
        self._export_runs = {}
        self._s3_as_logs = None
        self._subscribers_cache = {}
        self.log = EventLog(runtime.store.collection("logs", "events"))
        self.pending = PendingEvents(self._write_batch, runtime.settings.logs_flush_seconds)
        self._sweeper: asyncio.Task[None] | None = None
        self._sweep: asyncio.Future[int] | None = None
        self._stopping = False

    # -- background work --------------------------------------------------------

    async def start(self) -> None:
        if self._sweeper is None:
            self._stopping = False
            self._sweeper = asyncio.create_task(self._retention_worker(), name="logs-retention")
            self.resume_exports()

    async def stop(self) -> None:
        self.pending.close()
        await self.stop_exports()
        if self._sweeper is None:
            return
        self._stopping = True
        self._sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._sweeper
        self._sweeper = None
        if self._sweep is not None:  # the thread finishes its page before the store closes
            with contextlib.suppress(Exception):
                await self._sweep
            self._sweep = None

    async def _retention_worker(self) -> None:
        """Delete events past their group's retention, every logs_retention_sweep_seconds."""
        while True:
            self._sweep = asyncio.ensure_future(asyncio.to_thread(self.sweep_expired))
            try:
                await asyncio.shield(self._sweep)
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed sweep is retried next round; reads already hide expired events
                log.exception("logs retention sweep failed")
            self._sweep = None
            await asyncio.sleep(self.runtime.settings.logs_retention_sweep_seconds)

    def sweep_expired(self) -> int:
        """Delete every event older than its group's retention; how many went."""
        deleted = 0
        for scope in self.groups.scopes():
            after: str | None = None
            while not self._stopping and (page := self.groups.scan(scope, start_after=after, limit=200)):
                for name, doc in page:
                    if doc.get("retentionInDays") and not self._stopping:
                        deleted += self._sweep_group(scope, name, doc)
                after = page[-1][0]
        return deleted

    def _sweep_group(self, scope: Scope, group: str, doc: Params) -> int:
        cutoff = self._cutoff(doc)
        if cutoff is None:
            return 0
        deleted = 0
        for key, stream in self.streams.scan(scope, prefix=group + "\0"):
            if stream.get("firstEventTimestamp", cutoff) >= cutoff:
                continue
            name = stream["logStreamName"]
            while not self._stopping:  # a page per transaction: requests get the store in between
                with self.store.transaction():
                    gone = self.log.delete_before(scope, group, name, cutoff)
                deleted += gone
                if gone < CHUNK:
                    break
            if self._stopping:
                break
            with self.store.transaction():
                current = self.streams.get(scope, key)
                if current is not None:
                    # The oldest event left (later sweeps skip the stream until the cutoff passes it).
                    oldest = next(self.log.read(scope, group, name, 0, END), None)
                    last = current.get("lastEventTimestamp", cutoff)
                    current["firstEventTimestamp"] = oldest[1]["timestamp"] if oldest else min(cutoff, last)
                    self.streams.put(scope, key, current)
        return deleted

    # -- for other services -------------------------------------------------------

    def write_events(self, scope: Scope, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        """Append events, creating the group and stream if needed (as Lambda's service role does).

        Queued and written shortly after, in a batch (`ingest.py`); this provider's operations see them."""
        self.pending.add(scope, group, stream, events)

    def _write_batch(self, batch: dict[StreamKey, list[tuple[int, str]]]) -> None:
        with self.store.transaction():
            known: set[tuple[Scope, str]] = set()
            for (scope, group, stream), events in batch.items():
                if (scope, group) not in known:
                    known.add((scope, group))
                    if self.groups.get(scope, group) is None:
                        self.groups.put(scope, group, self._group_doc(scope, group))
                key = f"{group}\0{stream}"
                stream_doc = self.streams.get(scope, key) or self._stream_doc(scope, group, stream)
                self._append(scope, group, stream_doc, sorted(events, key=lambda e: e[0]))

    # -- documents ------------------------------------------------------------------

    def _append(self, scope: Scope, group: str, stream_doc: Params, events: list[tuple[int, str]]) -> None:
        ingestion = now_ms()
        name = stream_doc["logStreamName"]
        if events:
            positions = self.log.append(scope, group, name, events, ingestion)
            self.deliver(
                scope, group, name, [(pos, t, m) for pos, (t, m) in zip(positions, events, strict=True)]
            )
            first, last = events[0][0], events[-1][0]
            stream_doc["firstEventTimestamp"] = min(stream_doc.get("firstEventTimestamp", first), first)
            stream_doc["lastEventTimestamp"] = max(stream_doc.get("lastEventTimestamp", last), last)
            stream_doc["lastIngestionTime"] = ingestion
            stream_doc["uploadSequenceToken"] = f"{self.log.next_sequence():056d}"
        self.streams.put(scope, f"{group}\0{name}", stream_doc)

    @staticmethod
    def _group_doc(scope: Scope, group: str) -> Params:
        return {
            "logGroupName": group,
            "creationTime": now_ms(),
            "metricFilterCount": 0,
            "arn": f"arn:aws:logs:{scope[1]}:{scope[0]}:log-group:{group}:*",
            "storedBytes": 0,
            "logGroupClass": "STANDARD",
            "logGroupArn": f"arn:aws:logs:{scope[1]}:{scope[0]}:log-group:{group}",
        }

    @staticmethod
    def _stream_doc(scope: Scope, group: str, stream: str) -> Params:
        return {
            "logStreamName": stream,
            "creationTime": now_ms(),
            "arn": f"arn:aws:logs:{scope[1]}:{scope[0]}:log-group:{group}:log-stream:{stream}",
            "storedBytes": 0,
        }

    @staticmethod
    def _group_view(doc: Params) -> Params:
        view = {k: v for k, v in doc.items() if k != "tags"}
        view.setdefault("deletionProtectionEnabled", False)
        return view

    @staticmethod
    def _cutoff(doc: Params) -> int | None:
        days = doc.get("retentionInDays")
        return now_ms() - days * DAY_MS if days else None

    def _scope(self, ctx: RequestContext) -> Scope:
        return (ctx.account_id, ctx.region)

    def _group(self, ctx: RequestContext, name: str) -> Params:
        doc = self.groups.get(self._scope(ctx), name)
        if doc is None:
            raise not_found()
        return doc

    def _stream(self, ctx: RequestContext, group: str, stream: str) -> Params:
        doc = self.streams.get(self._scope(ctx), f"{group}\0{stream}")
        if doc is None:
            raise _stream_missing()
        return doc

    def _from_identifier(self, ctx: RequestContext, identifier: str) -> str:
        """A log group name from a logGroupIdentifier: a name, or an ARN (with or without ":*")."""
        if not identifier.startswith("arn:"):
            return identifier
        parts = identifier.split(":", 6)
        if len(parts) != 7 or parts[2] != "logs" or parts[5] != "log-group" or not parts[6]:
            raise invalid(f"Invalid log group ARN: {identifier}")
        region, account, name = parts[3], parts[4], parts[6].removesuffix(":*")
        if (account, region) != (ctx.account_id, ctx.region) or ":" in name:
            raise not_found()
        return name

    def _group_param(self, ctx: RequestContext, p: Params, both: str = "InvalidParameterException") -> str:
        """The group of an operation that takes logGroupName or logGroupIdentifier, not both
        (`both`: the error code of giving both; DescribeLogStreams answers ValidationException)."""
        name, identifier = p.get("logGroupName"), p.get("logGroupIdentifier")
        if name and identifier:
            raise ServiceError(
                both, "LogGroup name and LogGroup ARN are mutually exclusive parameters.", status=400
            )
        if identifier:
            return self._from_identifier(ctx, identifier)
        if not name:
            raise invalid("Should provide either name or ARN for LogGroup.")
        return str(name)

    # -- log groups -----------------------------------------------------------------

    def CreateLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        name = p["logGroupName"]
        if name.lower().startswith("aws/"):
            raise invalid("Log groups starting with AWS/ are reserved for AWS.")
        doc = self._group_doc(self._scope(ctx), name)
        if p.get("logGroupClass"):
            doc["logGroupClass"] = p["logGroupClass"]
        if p.get("kmsKeyId"):
            check_kms_key(p["kmsKeyId"], ctx.region)
            doc["kmsKeyId"] = p["kmsKeyId"]
        if p.get("deletionProtectionEnabled") is not None:
            doc["deletionProtectionEnabled"] = bool(p["deletionProtectionEnabled"])
        if p.get("tags"):
            doc["tags"] = dict(p["tags"])
        if not self.groups.insert(self._scope(ctx), name, doc):
            raise ServiceError(
                "ResourceAlreadyExistsException", "The specified log group already exists", status=400
            )
        return {}

    def DeleteLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        name, scope = p["logGroupName"], self._scope(ctx)
        with self.store.transaction():
            doc = self._group(ctx, name)
            if doc.get("deletionProtectionEnabled"):
                raise ServiceError(
                    "ValidationException",
                    "Log group deletion is not allowed while deletion protection is enabled.",
                    status=400,
                )
            self.groups.delete(scope, name)
            self.streams.delete_prefix(scope, name + "\0")
            self.log.delete_group(scope, name)
            self._delete_group_filters(scope, name)
            for collection in (self.data_protection, self.transformers, self.index_policies):
                collection.delete(scope, name)
        return {}

    def PutLogGroupDeletionProtection(self, ctx: RequestContext, p: Params) -> Params:
        name = self._from_identifier(ctx, p["logGroupIdentifier"])
        with self.store.transaction():
            doc = self._group(ctx, name)
            doc["deletionProtectionEnabled"] = bool(p["deletionProtectionEnabled"])
            self.groups.put(self._scope(ctx), name, doc)
        return {}

    def DescribeLogGroups(self, ctx: RequestContext, p: Params) -> Params:
        prefix, pattern = p.get("logGroupNamePrefix"), p.get("logGroupNamePattern")
        if prefix and pattern:
            raise invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
        identifiers = p.get("logGroupIdentifiers")
        if identifiers and (prefix or pattern):
            raise invalid(
                "logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern."
            )
        wanted: set[str] | None = None
        if identifiers:
            wanted = set()
            for identifier in identifiers:
                with contextlib.suppress(ServiceError):  # another account's ARN: nothing to list here
                    wanted.add(self._from_identifier(ctx, identifier))
        group_class = p.get("logGroupClass")
        classes = (
            {"INFREQUENT_ACCESS", "ESSENTIALS"}
            if group_class in ("INFREQUENT_ACCESS", "ESSENTIALS")
            else {group_class}
        )
        after = _unopaque("g", p["nextToken"]) if p.get("nextToken") else None

        def keep(name: str, doc: Params) -> bool:
            return (
                (not pattern or pattern in name)
                and (wanted is None or name in wanted)
                and (not group_class or doc.get("logGroupClass", "STANDARD") in classes)
            )

        found, more = self._groups_page(ctx, prefix or "", after, p.get("limit") or 50, keep)
        groups: list[Params]
        if pattern:  # a pattern search shows fewer fields
            fields = (
                "arn",
                "creationTime",
                "logGroupArn",
                "logGroupClass",
                "logGroupName",
                "metricFilterCount",
            )
            groups = [{k: d[k] for k in fields if k in d} for d in found]
        else:
            groups = [self._group_view(d) for d in found]
        result: Params = {"logGroups": groups}
        if more:
            result["nextToken"] = _opaque("g", found[-1]["logGroupName"])
        return result

    def _groups_page(
        self,
        ctx: RequestContext,
        prefix: str,
        after: str | None,
        limit: int,
        keep: Callable[[str, Params], bool],
    ) -> tuple[list[Params], bool]:
        """Up to `limit` groups after `after` that `keep` accepts, in name order, and whether more follow."""
        batch = max(limit + 1, 200)
        found: list[Params] = []
        while True:
            page = self.groups.scan(self._scope(ctx), prefix=prefix, start_after=after, limit=batch)
            for name, doc in page:
                if keep(name, doc):
                    if len(found) == limit:
                        return found, True
                    found.append(doc)
            if len(page) < batch:
                return found, False
            after = page[-1][0]

    def ListLogGroups(self, ctx: RequestContext, p: Params) -> Params:
        pattern = p.get("logGroupNamePattern")
        # The model allows only names, "^" anchors and "|" alternatives: a safe regular expression.
        matcher = re.compile(pattern) if pattern else None
        group_class = p.get("logGroupClass")
        after = _unopaque("l", p["nextToken"]) if p.get("nextToken") else None

        def keep(name: str, doc: Params) -> bool:
            return (matcher is None or matcher.search(name) is not None) and (
                not group_class or doc.get("logGroupClass", "STANDARD") == group_class
            )

        found, more = self._groups_page(ctx, "", after, p.get("limit") or 50, keep)
        fields = ("logGroupName", "logGroupArn", "logGroupClass")
        result: Params = {"logGroups": [{k: d[k] for k in fields if k in d} for d in found]}
        if more:
            result["nextToken"] = _opaque("l", found[-1]["logGroupName"])
        return result

    def GetLogGroupFields(self, ctx: RequestContext, p: Params) -> Params:
        """The fields of the group's events of the 15 minutes before `time` (default: now), with the
        percentage of those events that have each."""
        group = self._group_param(ctx, p)
        doc = self._group(ctx, group)
        scope = self._scope(ctx)
        end = p.get("time") or now_ms()
        low, high = self._window(doc, end - FIELDS_WINDOW_MS, end, end_inclusive=True)
        counts: dict[str, int] = {}
        total = 0
        for _, stream in self.streams.scan(scope, prefix=group + "\0"):
            for _, event in self.log.read(scope, group, stream["logStreamName"], low, high):
                total += 1
                for name in insights.record(event, stream["logStreamName"], group, ""):
                    if name != "@ptr":
                        counts[name] = counts.get(name, 0) + 1
                if total >= FIELDS_SAMPLE:
                    break
            if total >= FIELDS_SAMPLE:
                break
        if total == 0:
            return {"logGroupFields": []}
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return {"logGroupFields": [{"name": n, "percent": round(c * 100 / total)} for n, c in ranked]}

    def PutRetentionPolicy(self, ctx: RequestContext, p: Params) -> Params:
        days = p["retentionInDays"]
        if days not in RETENTION_DAYS:
            raise invalid(
                f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(map(str, RETENTION_DAYS))}]"
            )
        name, scope = p["logGroupName"], self._scope(ctx)
        with self.store.transaction():
            doc = self._group(ctx, name)
            doc["retentionInDays"] = days
            self.groups.put(scope, name, doc)
        # What the new retention leaves behind goes now rather than at the next sweep.
        self._sweep_group(scope, name, doc)
        return {}

    def DeleteRetentionPolicy(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            doc = self._group(ctx, p["logGroupName"])
            doc.pop("retentionInDays", None)
            self.groups.put(self._scope(ctx), p["logGroupName"], doc)
        return {}

    # -- tags ---------------------------------------------------------------------------

    def _group_from_arn(self, ctx: RequestContext, arn: str) -> str:
        parts = arn.split(":", 6)
        if len(parts) != 7 or parts[0] != "arn" or parts[2] != "logs":
            raise invalid(f"Invalid resource arn: {arn}")
        if parts[5] != "log-group":
            raise not_found(f"The specified resource does not exist: {arn}")
        return self._from_identifier(ctx, arn)

    def _tag(
        self,
        ctx: RequestContext,
        group: str,
        add: dict[str, str] | None = None,
        remove: list[str] | None = None,
        too_many: str = "InvalidParameterException",
    ) -> None:
        with self.store.transaction():
            doc = self._group(ctx, group)
            tags = dict(doc.get("tags") or {})
            tags.update(add or {})
            for key in remove or []:
                tags.pop(key, None)
            if len(tags) > MAX_TAGS:
                raise ServiceError(
                    too_many,
                    f"A resource can have no more than {MAX_TAGS} tags.",
                    status=400,
                    **({"resourceName": doc["logGroupArn"]} if too_many == "TooManyTagsException" else {}),
                )
            doc["tags"] = tags
            self.groups.put(self._scope(ctx), group, doc)

    def TagLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        self._tag(ctx, p["logGroupName"], add=p["tags"])
        return {}

    def UntagLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        self._tag(ctx, p["logGroupName"], remove=p["tags"])
        return {}

    def ListTagsLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        return {"tags": self._group(ctx, p["logGroupName"]).get("tags") or {}}

    @staticmethod
    def _is_destination(arn: str) -> bool:
        parts = arn.split(":", 6)
        return len(parts) == 7 and parts[0] == "arn" and parts[2] == "logs" and parts[5] == "destination"

    def TagResource(self, ctx: RequestContext, p: Params) -> Params:
        arn = p["resourceArn"]
        if self._is_destination(arn):
            self.destination_tags(ctx, arn, add=p["tags"], max_tags=MAX_TAGS)
            return {}
        self._tag(ctx, self._group_from_arn(ctx, arn), add=p["tags"], too_many="TooManyTagsException")
        return {}

    def UntagResource(self, ctx: RequestContext, p: Params) -> Params:
        arn = p["resourceArn"]
        if self._is_destination(arn):
            self.destination_tags(ctx, arn, remove=p["tagKeys"])
            return {}
        self._tag(ctx, self._group_from_arn(ctx, arn), remove=p["tagKeys"])
        return {}

    def ListTagsForResource(self, ctx: RequestContext, p: Params) -> Params:
        arn = p["resourceArn"]
        if self._is_destination(arn):
            return {"tags": self.destination_tags(ctx, arn)}
        return {"tags": self._group(ctx, self._group_from_arn(ctx, arn)).get("tags") or {}}

    # -- log streams ------------------------------------------------------------------------

    def CreateLogStream(self, ctx: RequestContext, p: Params) -> Params:
        group, stream, scope = p["logGroupName"], p["logStreamName"], self._scope(ctx)
        with self.store.transaction():
            self._group(ctx, group)
            if not self.streams.insert(scope, f"{group}\0{stream}", self._stream_doc(scope, group, stream)):
                raise ServiceError(
                    "ResourceAlreadyExistsException", "The specified log stream already exists", status=400
                )
        return {}

    def DeleteLogStream(self, ctx: RequestContext, p: Params) -> Params:
        group, stream, scope = p["logGroupName"], p["logStreamName"], self._scope(ctx)
        with self.store.transaction():
            self._group(ctx, group)
            if not self.streams.delete(scope, f"{group}\0{stream}"):
                raise _stream_missing()
            self.log.delete_stream(scope, group, stream)
        return {}

    def DescribeLogStreams(self, ctx: RequestContext, p: Params) -> Params:
        group = self._group_param(ctx, p, both="ValidationException")
        self._group(ctx, group)
        prefix = p.get("logStreamNamePrefix") or ""
        by_time = p.get("orderBy") == "LastEventTime"
        if by_time and prefix:
            raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        limit = p.get("limit") or 50
        descending = bool(p.get("descending"))
        scope = self._scope(ctx)
        base = group + "\0"
        if by_time:
            start = 0
            if p.get("nextToken"):
                raw = _unopaque("t", p["nextToken"])
                if not raw.isdigit():
                    raise invalid("The specified nextToken is invalid.")
                start = int(raw)
            docs = [d for _, d in self.streams.scan(scope, prefix=base)]
            docs.sort(key=lambda d: (d.get("lastEventTimestamp", 0), d["logStreamName"]), reverse=descending)
            result: Params = {"logStreams": docs[start : start + limit]}
            if start + limit < len(docs):
                result["nextToken"] = _opaque("t", str(start + limit))
            return result
        after = base + _unopaque("n", p["nextToken"]) if p.get("nextToken") else None
        page = self.streams.scan(
            scope, prefix=base + prefix, start_after=after, limit=limit + 1, reverse=descending
        )
        result = {"logStreams": [d for _, d in page[:limit]]}
        if len(page) > limit:
            result["nextToken"] = _opaque("n", page[limit - 1][1]["logStreamName"])
        return result

    # -- events -----------------------------------------------------------------------------

    def PutLogEvents(self, ctx: RequestContext, p: Params) -> Params:
        group, stream = p["logGroupName"], p["logStreamName"]
        events: list[Params] = p["logEvents"]
        total = 0
        for event in events:
            size = event_size(event["message"])
            if size > MAX_EVENT_BYTES:
                raise invalid(f"Log event too large: {size} bytes exceeds limit of {MAX_EVENT_BYTES}")
            total += size
        if total > MAX_BATCH_BYTES:
            raise invalid(f"Upload too large: {total} bytes exceeds limit of {MAX_BATCH_BYTES}")
        timestamps = [e["timestamp"] for e in events]
        if any(a > b for a, b in itertools.pairwise(timestamps)):
            raise invalid("Log events in a single PutLogEvents request must be in chronological order.")
        doc = self._group(ctx, group)
        self._stream(ctx, group, stream)
        now = now_ms()
        cutoff = self._cutoff(doc)
        rejected: Params = {}
        accepted: list[tuple[int, str]] = []
        for index, event in enumerate(events):
            timestamp = event["timestamp"]
            if timestamp < now - TOO_OLD_MS:
                rejected["tooOldLogEventEndIndex"] = index + 1
            elif cutoff is not None and timestamp < cutoff:
                rejected["expiredLogEventEndIndex"] = index + 1
            elif timestamp > now + TOO_NEW_MS:
                rejected.setdefault("tooNewLogEventStartIndex", index)
            else:
                accepted.append((timestamp, event["message"]))
        if accepted and accepted[-1][0] - accepted[0][0] > MAX_SPAN_MS:
            raise invalid(
                "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
            )
        with self.store.transaction():
            self._append(self._scope(ctx), group, self._stream(ctx, group, stream), accepted)
        result: Params = {"nextSequenceToken": f"{self.log.next_sequence():056d}"}
        if rejected:
            result["rejectedLogEventsInfo"] = rejected
        return result

    @staticmethod
    def _event_view(event: Event, mask: Masker | None = None) -> Params:
        message = event["message"] if mask is None else mask(event["message"], event["ingestionTime"])
        return {
            "timestamp": event["timestamp"],
            "message": message,
            "ingestionTime": event["ingestionTime"],
        }

    def _window(
        self, group_doc: Params, start: int | None, end: int | None, end_inclusive: bool
    ) -> tuple[int, int]:
        """The positions strictly between which events of [start, end] and within retention lie."""
        lower = time_position(start) - 1 if start is not None else 0
        cutoff = self._cutoff(group_doc)
        if cutoff is not None:
            lower = max(lower, time_position(cutoff) - 1)
        if end is None:
            return max(lower, 0), END
        return max(lower, 0), min(time_position(end + 1 if end_inclusive else end), END)

    def GetLogEvents(self, ctx: RequestContext, p: Params) -> Params:
        group = self._group_param(ctx, p)
        doc = self._group(ctx, group)
        stream = p["logStreamName"]
        self._stream(ctx, group, stream)
        scope = self._scope(ctx)
        limit = p.get("limit") or 10000
        low, high = self._window(doc, p.get("startTime"), p.get("endTime"), end_inclusive=False)
        token = p.get("nextToken")
        if token:
            direction, mark = _parse_event_token(token)
        else:
            direction, mark = ("f", low) if p.get("startFromHead") else ("b", high)
        forward = direction == "f"
        after, before = (max(low, mark), high) if forward else (low, min(high, mark))
        chosen: list[tuple[int, Event]] = []
        size = 0
        for position, event in self.log.read(
            scope, group, stream, after, before, forward, first_page=limit + 1
        ):
            size += event_size(event["message"])
            if len(chosen) == limit or (chosen and size > MAX_PAGE_BYTES):
                break
            chosen.append((position, event))
        if not forward:
            chosen.reverse()
        if chosen:
            next_forward = _event_token("f", chosen[-1][0])
            next_backward = _event_token("b", chosen[0][0])
        elif token:  # the end in this direction: the same token again tells the client so
            next_forward = token if forward else _event_token("f", max(mark - 1, 0))
            next_backward = token if not forward else _event_token("b", mark + 1)
        else:
            next_forward, next_backward = _event_token("f", after), _event_token("b", after + 1)
        mask = self._event_masker(ctx, group, doc, p)
        return {
            "events": [self._event_view(e, mask) for _, e in chosen],
            "nextForwardToken": next_forward,
            "nextBackwardToken": next_backward,
        }

    def FilterLogEvents(self, ctx: RequestContext, p: Params) -> Params:
        group = self._group_param(ctx, p)
        doc = self._group(ctx, group)
        names, prefix = p.get("logStreamNames"), p.get("logStreamNamePrefix")
        if names and prefix:
            raise invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
        matcher = self._matcher(p.get("filterPattern"))
        start, end = p.get("startTime"), p.get("endTime")
        if p.get("nextToken"):
            raw = _unopaque("e", p["nextToken"])
            direction, _, mark_text = raw.partition("/")
            if direction not in ("f", "b") or not mark_text.isdigit():
                raise invalid("The specified nextToken is invalid.")
            forward, mark = direction == "f", int(mark_text)
        else:
            forward = p.get("startFromHead") is not False
            if not forward and start is not None and start < DESCENDING_FILTER_FLOOR_MS:
                raise invalid(
                    "startFromHead=false is only supported when startTime is on or after Jan 1, 2024 00:00:00 UTC."
                )
            mark = -1
        low, high = self._window(doc, start, end, end_inclusive=True)
        if mark >= 0:
            low, high = (max(low, mark), high) if forward else (low, min(high, mark))
        scope = self._scope(ctx)
        streams = self._streams_for_filter(scope, group, names, prefix, start, end)
        readers = [self._labelled(scope, group, stream, low, high, forward) for stream in streams]
        merged: Iterator[tuple[int, str, Event]] = heapq.merge(
            *readers, key=lambda item: item[0], reverse=not forward
        )
        limit = p.get("limit") or 10000
        mask = self._event_masker(ctx, group, doc, p)
        found: list[Params] = []
        size = scanned = 0
        resume: int | None = None
        for position, stream, event in merged:
            scanned += 1
            if scanned > FILTER_SCAN_BUDGET:
                resume = position + (-1 if forward else 1)  # read this one again next time
                break
            if not matcher.matches(event["message"]):
                continue
            size += event_size(event["message"])
            if len(found) == limit or (found and size > MAX_PAGE_BYTES):
                resume = int(found[-1]["eventId"])
                break
            found.append(
                {"logStreamName": stream, **self._event_view(event, mask), "eventId": f"{position:056d}"}
            )
        result: Params = {"events": found, "searchedLogStreams": []}
        if resume is not None:
            result["nextToken"] = _opaque("e", f"{'f' if forward else 'b'}/{resume}")
        return result

    def _labelled(
        self, scope: Scope, group: str, stream: str, low: int, high: int, forward: bool
    ) -> Iterator[tuple[int, str, Event]]:
        for position, event in self.log.read(scope, group, stream, low, high, forward):
            yield position, stream, event

    def _matcher(self, pattern: str | None) -> FilterPattern:
        try:
            return compile_filter(pattern)
        except FilterPatternError as exc:
            raise invalid(str(exc)) from exc

    def _streams_for_filter(
        self,
        scope: Scope,
        group: str,
        names: list[str] | None,
        prefix: str | None,
        start: int | None,
        end: int | None,
    ) -> list[str]:
        if names:
            docs = []
            for name in dict.fromkeys(names):
                doc = self.streams.get(scope, f"{group}\0{name}")
                if doc is None:
                    raise _stream_missing()
                docs.append(doc)
        else:
            docs = [d for _, d in self.streams.scan(scope, prefix=f"{group}\0{prefix or ''}")]
        chosen: list[str] = []
        for d in docs:
            if "firstEventTimestamp" not in d:
                continue  # no events yet
            if end is not None and d["firstEventTimestamp"] > end:
                continue
            if start is not None and d["lastEventTimestamp"] < start:
                continue
            chosen.append(d["logStreamName"])
        return chosen

    def TestMetricFilter(self, ctx: RequestContext, p: Params) -> Params:
        matcher = self._matcher(p["filterPattern"])
        matches = []
        for number, message in enumerate(p["logEventMessages"], 1):
            extracted = matcher.extract(message)
            if extracted is not None:
                matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": extracted})
        return {"matches": matches}

    # -- Logs Insights -------------------------------------------------------------------------

    def StartQuery(self, ctx: RequestContext, p: Params) -> Params:
        given = [k for k in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if p.get(k)]
        if len(given) != 1:
            raise invalid(
                "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified."
            )
        if p.get("queryLanguage", "CWLI") != "CWLI":
            raise invalid(f"Query language {p['queryLanguage']} is not supported.")
        start, end = p["startTime"], p["endTime"]
        if end < start:
            raise invalid("End time should not be before the start time.")
        if p.get("logGroupName"):
            references = [p["logGroupName"]]
        elif p.get("logGroupNames"):
            references = list(p["logGroupNames"])
        else:
            references = [self._from_identifier(ctx, i) for i in p["logGroupIdentifiers"]]
        scope = self._scope(ctx)
        groups = []
        for name in references:
            doc = self.groups.get(scope, name)
            if doc is None:
                # AWS passes on the message of the call it makes behind StartQuery, with that call's
                # own error details (and a request ID of its own) after it.
                raise not_found(
                    f"Log group '{name}' does not exist for account ID '{ctx.account_id}' (Service: AWSLogs; "
                    "Status Code: 400; Error Code: ResourceNotFoundException; "
                    f"Request ID: {uuid.uuid4()}; Proxy: null)"
                )
            groups.append((name, doc))
        try:
            query = insights.parse_query(p["queryString"])
        except (insights.QueryError, ValueError) as exc:  # ValueError: a regex that does not compile
            raise ServiceError(
                "MalformedQueryException", str(exc), status=400, queryCompileError={"message": str(exc)}
            ) from exc
        started = now_ms()
        scanned_bytes = [0]

        def counted(records: Iterator[Params]) -> Iterator[Params]:
            for record in records:
                scanned_bytes[0] += len(record["@message"].encode("utf-8", "surrogatepass"))
                yield record

        # A query sees events as GetLogEvents shows them: masked where a data protection policy says.
        masks = {name: self._event_masker(ctx, name, doc, {}) for name, doc in groups}
        records = counted(self._query_records(scope, groups, start * 1000, end * 1000 + 999, masks))
        rows, scanned, matched = insights.run(query, records, p.get("limit"))
        query_id = str(uuid.uuid4())
        self.queries.put(
            scope,
            query_id,
            {
                "queryId": query_id,
                "queryString": self._query_shown(p),
                "status": "Complete",
                "createTime": started,
                "logGroupName": groups[0][0],
                "queryLanguage": "CWLI",
                "results": rows,
                "statistics": {
                    "recordsMatched": float(matched),
                    "recordsScanned": float(scanned),
                    "estimatedRecordsSkipped": 0.0,
                    "bytesScanned": float(scanned_bytes[0]),
                    "estimatedBytesSkipped": 0.0,
                    "logGroupsScanned": float(len(groups)),
                },
            },
        )
        return {"queryId": query_id}

    @staticmethod
    def _query_shown(p: Params) -> str:
        """The query as DescribeQueries shows it: for a single logGroupName, AWS writes the source and
        time range in front (`SOURCE "g" START=<ms> END=<ms> | ...`)."""
        if not p.get("logGroupName"):
            return str(p["queryString"])
        name = p["logGroupName"]
        return f'SOURCE "{name}" START={p["startTime"]}000 END={p["endTime"]}999 | {p["queryString"]}'

    def _query_records(
        self,
        scope: Scope,
        groups: list[tuple[str, Params]],
        start: int,
        end: int,
        masks: dict[str, Masker | None],
    ) -> Iterator[Params]:
        for name, doc in groups:
            low, high = self._window(doc, start, end, end_inclusive=True)
            reference = f"{scope[0]}:{name}"
            mask = masks.get(name)
            for _, stream in self.streams.scan(scope, prefix=name + "\0"):
                stream_name = stream["logStreamName"]
                for position, event in self.log.read(scope, name, stream_name, low, high):
                    if mask is not None:
                        event = {**event, "message": mask(event["message"], event["ingestionTime"])}
                    yield insights.record(
                        event, stream_name, reference, _opaque("p", f"{name}\0{stream_name}\0{position}")
                    )

    def _query(self, ctx: RequestContext, query_id: str) -> Params:
        doc = self.queries.get(self._scope(ctx), query_id)
        if doc is None:
            raise not_found("Query does not exist.")
        return doc

    def GetQueryResults(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._query(ctx, p["queryId"])
        return {
            "queryLanguage": doc.get("queryLanguage", "CWLI"),
            "results": doc["results"],
            "statistics": doc["statistics"],
            "status": doc["status"],
        }

    def StopQuery(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._query(ctx, p["queryId"])
        return {"success": doc["status"] in ("Scheduled", "Running")}

    def DescribeQueries(self, ctx: RequestContext, p: Params) -> Params:
        docs = [d for _, d in self.queries.scan(self._scope(ctx))]
        if p.get("logGroupName"):
            docs = [d for d in docs if d.get("logGroupName") == p["logGroupName"]]
        if p.get("status"):
            docs = [d for d in docs if d["status"] == p["status"]]
        docs.sort(key=lambda d: d["createTime"], reverse=True)
        fields = ("queryId", "queryString", "status", "createTime", "logGroupName", "queryLanguage")
        limit = p.get("maxResults") or 1000
        return {"queries": [{k: d[k] for k in fields if k in d} for d in docs[:limit]]}

    def GetLogRecord(self, ctx: RequestContext, p: Params) -> Params:
        raw = _unopaque("p", p["logRecordPointer"])
        group, _, rest = raw.partition("\0")
        stream, _, position_text = rest.partition("\0")
        if not position_text.isdigit():
            raise invalid("The specified log record pointer is invalid.")
        position = int(position_text)
        scope = self._scope(ctx)
        doc = self.groups.get(scope, group)
        if doc is None:
            raise not_found()
        mask = self._event_masker(ctx, group, doc, p)
        for _, event in self.log.read(scope, group, stream, position - 1, position + 1):
            if mask is not None:
                event = {**event, "message": mask(event["message"], event["ingestionTime"])}
            fields = insights.record(event, stream, f"{scope[0]}:{group}", p["logRecordPointer"])
            return {"logRecord": {k: insights.show(k, v) for k, v in fields.items() if k != "@ptr"}}
        raise not_found("The specified log record does not exist.")
