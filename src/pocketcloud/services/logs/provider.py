"""CloudWatch Logs: the provider, composed of one operations mixin per area, and what they share.

The operations live beside this module: log groups, retention and tags
(`groups.py`), streams (`streams.py`), events (`log_events.py`), Insights
(`queries.py`), metric and subscription filters (`filters.py`), export tasks
(`exports.py`), resource policies and query definitions (`policies.py`),
account and data protection policies (`account_policies.py`), transformers and
index policies (`transformers.py`), KMS keys (`kms_keys.py`), destinations
(`destinations.py`), deliveries (`deliveries.py`), Live Tail (`live_tail.py`), anomaly
detectors (`anomaly_detectors.py`).
This module keeps the provider's collections, its documents and lookups, its
background work, the ingestion every write goes through (a group's transformer,
subscription filters, Live Tail sessions) and the decorator every operation
goes through.

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
import contextlib
import functools
import logging
from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.logs import transform_engine
from pocketcloud.services.logs.abac import AbacOperations
from pocketcloud.services.logs.account_policies import AccountPolicyOperations
from pocketcloud.services.logs.anomaly_detectors import AnomalyDetectorOperations
from pocketcloud.services.logs.deliveries import DeliveryOperations
from pocketcloud.services.logs.destinations import DestinationOperations
from pocketcloud.services.logs.errors import invalid, not_found
from pocketcloud.services.logs.events import CHUNK, END, EventLog, now_ms, time_position
from pocketcloud.services.logs.exports import ExportOperations
from pocketcloud.services.logs.filters import FilterOperations
from pocketcloud.services.logs.groups import DAY_MS, GroupOperations
from pocketcloud.services.logs.ingest import PendingEvents, StreamKey
from pocketcloud.services.logs.kms_keys import KmsKeyOperations
from pocketcloud.services.logs.live_tail import LiveTailOperations, LiveTails
from pocketcloud.services.logs.log_events import LogEventOperations
from pocketcloud.services.logs.policies import PolicyOperations
from pocketcloud.services.logs.queries import QueryOperations
from pocketcloud.services.logs.streams import StreamOperations, stream_missing
from pocketcloud.services.logs.transformers import TransformerOperations
from pocketcloud.store import Scope
from pocketcloud.store.watched import WatchedCollection

log = logging.getLogger(__name__)

Params = dict[str, Any]

MAX_NAME_LENGTH = 512


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
    AbacOperations,
    GroupOperations,
    StreamOperations,
    LogEventOperations,
    QueryOperations,
    DeliveryOperations,
    ExportOperations,
    KmsKeyOperations,
    DestinationOperations,
    AccountPolicyOperations,
    TransformerOperations,
    FilterOperations,
    PolicyOperations,
    LiveTailOperations,
    AnomalyDetectorOperations,
    Provider,
):
    service = "logs"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        # What ingestion asks of every batch (a group's transformer) is kept in memory, forgotten on
        # any write to what decides it: transformers, account policies, groups (their class).
        self._transformer_cache: dict[tuple[Scope, str], Any] = {}
        self._group_tags: dict[tuple[Scope, str], dict[str, str]] = {}  # aws:ResourceTag (abac.py)
        self.groups = self._watched(runtime, "groups")
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
        self.account_policies = self._watched(runtime, "account_policies")
        self.data_protection = runtime.store.collection("logs", "data_protection_policies")
        self.transformers = self._watched(runtime, "transformers")
        self.index_policies = runtime.store.collection("logs", "index_policies")
        self.anomaly_detectors = runtime.store.collection("logs", "anomaly_detectors")
        self._export_runs = {}
        self._s3_as_logs = None
        self._subscribers_cache = {}
        self.log = EventLog(runtime.store.collection("logs", "events"))
        self.pending = PendingEvents(self._write_batch, runtime.settings.logs_flush_seconds)
        self.live_tails = LiveTails()
        self._sweeper: asyncio.Task[None] | None = None
        self._sweep: asyncio.Future[int] | None = None
        self._stopping = False

    def _watched(self, runtime: ServiceRuntime, name: str) -> WatchedCollection:
        return WatchedCollection(
            runtime.store.collection("logs", name), lambda scope, key: self._forget_cached()
        )

    def _forget_cached(self) -> None:
        self._transformer_cache.clear()
        self._group_tags.clear()

    # -- background work --------------------------------------------------------

    async def start(self) -> None:
        self._forget_cached()  # the store may have been reset while the provider was stopped
        if self._sweeper is None:
            self._stopping = False
            self._sweeper = asyncio.create_task(self._retention_worker(), name="logs-retention")
            self.resume_exports()

    async def stop(self) -> None:
        self.live_tails.end_all()
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
                    # The retention is read again in the transaction that deletes: this thread runs
                    # beside the loop, where since `doc` was read the group may have been deleted and
                    # created again (its events kept by its own retention, or none) or its retention
                    # lengthened or removed; the stale cutoff would delete events still kept.
                    live = self.groups.get(scope, group)
                    cutoff = self._cutoff(live) if live is not None else None
                    gone = 0 if cutoff is None else self.log.delete_before(scope, group, name, cutoff)
                deleted += gone
                if cutoff is None:
                    return deleted
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
            extras = self._transformed(scope, group, name, events)
            positions = self.log.append(scope, group, name, events, ingestion, extras)
            transformed = [e.get("transformed") for e in extras] if extras else [None] * len(events)
            self.deliver(
                scope,
                group,
                name,
                [(pos, t, m, x) for pos, (t, m), x in zip(positions, events, transformed, strict=True)],
                ingestion,
            )
            self.live_tails.publish(scope, group, name, [(t, m, ingestion) for t, m in events])
            first, last = events[0][0], events[-1][0]
            stream_doc["firstEventTimestamp"] = min(stream_doc.get("firstEventTimestamp", first), first)
            stream_doc["lastEventTimestamp"] = max(stream_doc.get("lastEventTimestamp", last), last)
            stream_doc["lastIngestionTime"] = ingestion
            stream_doc["uploadSequenceToken"] = f"{self.log.next_sequence():056d}"
        self.streams.put(scope, f"{group}\0{name}", stream_doc)

    def _transformed(
        self, scope: Scope, group: str, stream: str, events: list[tuple[int, str]]
    ) -> list[Params] | None:
        """Per event, what the group's transformer makes of it ({"transformed": text} or
        {"transformationError": text}); None when no transformer applies. The original message is
        kept as it came: GetLogEvents and FilterLogEvents answer it, Insights and the filters that
        ask for it (applyOnTransformedLogs) see the transformed version."""
        processors = self.ingest_transformer(scope, group)
        if not processors:
            return None
        metadata = {
            "@logGroupName": group,
            "@logGroupStream": stream,
            "@accountId": scope[0],
            "@regionName": scope[1],
        }
        extras: list[Params] = []
        for _, message in events:
            try:
                transformed, error = transform_engine.ingest(processors, message, metadata)
            except Exception:  # a transformer must never cost an event its ingestion
                log.exception("transforming a log event of %s failed", group)
                transformed, error = None, None
            if transformed is not None:
                extras.append({"transformed": transformed})
            elif error is not None:
                extras.append({"transformationError": error})
            else:
                extras.append({})
        return extras

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
            raise stream_missing()
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
