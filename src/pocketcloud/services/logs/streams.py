"""Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams.

A stream is a document keyed "<group>\\0<stream>" beside its group; it carries
the first and last event timestamps, the last ingestion time and the upload
sequence token, which the provider keeps up to date as events are appended.
Its events live in the event log (`events.py`) and go with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.logs.errors import LogsMixin, invalid, not_found
from pocketcloud.services.logs.events import EventLog
from pocketcloud.services.logs.tokens import opaque, unopaque
from pocketcloud.store import Collection, Scope

Params = dict[str, Any]


def stream_missing() -> ServiceError:
    return not_found("The specified log stream does not exist.")


class StreamOperations(LogsMixin):
    """The log stream operations of the logs provider."""

    streams: Collection
    log: EventLog

    _stream_doc: Callable[[Scope, str, str], Params]
    _group_param: Callable[..., str]

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
                raise stream_missing()
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
                raw = unopaque("t", p["nextToken"])
                if not is_digits(raw):
                    raise invalid("The specified nextToken is invalid.")
                start = int(raw)
            docs = [d for _, d in self.streams.scan(scope, prefix=base)]
            docs.sort(key=lambda d: (d.get("lastEventTimestamp", 0), d["logStreamName"]), reverse=descending)
            result: Params = {"logStreams": docs[start : start + limit]}
            if start + limit < len(docs):
                result["nextToken"] = opaque("t", str(start + limit))
            return result
        after = base + unopaque("n", p["nextToken"]) if p.get("nextToken") else None
        page = self.streams.scan(
            scope, prefix=base + prefix, start_after=after, limit=limit + 1, reverse=descending
        )
        result = {"logStreams": [d for _, d in page[:limit]]}
        if len(page) > limit:
            result["nextToken"] = opaque("n", page[limit - 1][1]["logStreamName"])
        return result
