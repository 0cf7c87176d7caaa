"""CloudWatch Logs: groups, streams, events (put, get with tokens, filter), retention, tags.

Events are stored one document each under "<group>\\0<stream>\\0<timestamp>\\0<sequence>",
so a stream reads in time order with one range scan. Other services (Lambda)
write through `write_events`, creating the group and stream as AWS does.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.logs.patterns import compile_filter
from pocketcloud.store import Scope

Params = dict[str, Any]
_RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}


def _now_ms() -> int:
    return int(time.time() * 1000)


def _not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message, status=400)


def _token(kind: str, key: str) -> str:
    return kind + "/" + base64.urlsafe_b64encode(key.encode()).decode()


def _untoken(token: str) -> tuple[str, str]:
    kind, _, raw = token.partition("/")
    try:
        return kind, base64.urlsafe_b64decode(raw.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ServiceError("InvalidParameterException", "The specified nextToken is invalid.", status=400) from exc


class LogsProvider(Provider):
    service = "logs"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        self.groups = runtime.store.collection("logs", "groups")
        self.streams = runtime.store.collection("logs", "streams")
        self.events = runtime.store.collection("logs", "events")
        self._sequence = 0

    # -- for other services -------------------------------------------------

    def write_events(self, scope: Scope, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        """Append events, creating the group and stream if needed (as Lambda's service role does)."""
        with self.store.transaction():
            if self.groups.get(scope, group) is None:
                self.groups.put(scope, group, self._group_doc(scope, group))
            if self.streams.get(scope, f"{group}\0{stream}") is None:
                self.streams.put(scope, f"{group}\0{stream}", self._stream_doc(scope, group, stream))
            self._append(scope, group, stream, events)

    def _append(self, scope: Scope, group: str, stream: str, events: list[tuple[int, str]]) -> None:
        if not events:
            return
        ingestion = _now_ms()
        for timestamp, message in events:
            self._sequence = max(self._sequence + 1, ingestion * 1000)
            key = f"{group}\0{stream}\0{timestamp:015d}\0{self._sequence:019d}"
            self.events.put(scope, key, {"timestamp": timestamp, "message": message, "ingestionTime": ingestion})
        doc = self.streams.get(scope, f"{group}\0{stream}") or self._stream_doc(scope, group, stream)
        first = min(t for t, _ in events)
        last = max(t for t, _ in events)
        doc["firstEventTimestamp"] = min(doc.get("firstEventTimestamp", first), first)
        doc["lastEventTimestamp"] = max(doc.get("lastEventTimestamp", last), last)
        doc["lastIngestionTime"] = ingestion
        doc["storedBytes"] = 0
        self.streams.put(scope, f"{group}\0{stream}", doc)

    def _group_doc(self, scope: Scope, group: str) -> Params:
        return {
            "logGroupName": group, "creationTime": _now_ms(), "metricFilterCount": 0, "storedBytes": 0,
            "arn": f"arn:aws:logs:{scope[1]}:{scope[0]}:log-group:{group}:*",
            "logGroupArn": f"arn:aws:logs:{scope[1]}:{scope[0]}:log-group:{group}",
            "logGroupClass": "STANDARD",
        }

    def _stream_doc(self, scope: Scope, group: str, stream: str) -> Params:
        return {
            "logStreamName": stream, "creationTime": _now_ms(), "storedBytes": 0,
            "arn": f"arn:aws:logs:{scope[1]}:{scope[0]}:log-group:{group}:log-stream:{stream}",
        }

    # -- log groups -----------------------------------------------------------

    def _scope(self, ctx: RequestContext) -> Scope:
        return (ctx.account_id, ctx.region)

    def _group(self, ctx: RequestContext, name: str) -> Params:
        doc = self.groups.get(self._scope(ctx), name)
        if doc is None:
            raise _not_found("The specified log group does not exist.")
        return doc

    def CreateLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._group_doc(self._scope(ctx), p["logGroupName"])
        if p.get("tags"):
            doc["tags"] = p["tags"]
        if p.get("kmsKeyId"):
            doc["kmsKeyId"] = p["kmsKeyId"]
        if p.get("logGroupClass"):
            doc["logGroupClass"] = p["logGroupClass"]
        if not self.groups.insert(self._scope(ctx), p["logGroupName"], doc):
            raise ServiceError("ResourceAlreadyExistsException", "The specified log group already exists", status=400)
        return {}

    def DeleteLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        name = p["logGroupName"]
        with self.store.transaction():
            self._group(ctx, name)
            self.groups.delete(self._scope(ctx), name)
            self.streams.delete_prefix(self._scope(ctx), name + "\0")
            self.events.delete_prefix(self._scope(ctx), name + "\0")
        return {}

    def DescribeLogGroups(self, ctx: RequestContext, p: Params) -> Params:
        prefix = p.get("logGroupNamePrefix") or ""
        pattern = p.get("logGroupNamePattern")
        limit = p.get("limit") or 50
        after = _untoken(p["nextToken"])[1] if p.get("nextToken") else None
        page = self.groups.scan(self._scope(ctx), prefix=prefix, start_after=after, limit=None if pattern else limit + 1)
        docs = [(k, d) for k, d in page if not pattern or pattern.lower() in k.lower()]
        result: Params = {"logGroups": [{k: v for k, v in d.items() if k != "tags"} for _, d in docs[:limit]]}
        if len(docs) > limit:
            result["nextToken"] = _token("g", docs[limit - 1][0])
        return result

    def PutRetentionPolicy(self, ctx: RequestContext, p: Params) -> Params:
        days = p["retentionInDays"]
        if days not in _RETENTION_DAYS:
            raise ServiceError(
                "InvalidParameterException",
                f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(map(str, sorted(_RETENTION_DAYS)))}]",
                status=400,
            )
        with self.store.transaction():
            doc = self._group(ctx, p["logGroupName"])
            doc["retentionInDays"] = days
            self.groups.put(self._scope(ctx), p["logGroupName"], doc)
        return {}

    def DeleteRetentionPolicy(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            doc = self._group(ctx, p["logGroupName"])
            doc.pop("retentionInDays", None)
            self.groups.put(self._scope(ctx), p["logGroupName"], doc)
        return {}

    # -- tags -------------------------------------------------------------------

    def _group_from_arn(self, ctx: RequestContext, arn: str) -> str:
        marker = ":log-group:"
        if marker not in arn:
            raise ServiceError("InvalidParameterException", f"Invalid resource arn {arn}", status=400)
        return arn.split(marker, 1)[1].removesuffix(":*")

    def _tag(self, ctx: RequestContext, group: str, add: dict[str, str] | None = None, remove: list[str] | None = None) -> Params:
        with self.store.transaction():
            doc = self._group(ctx, group)
            tags = dict(doc.get("tags") or {})
            tags.update(add or {})
            for key in remove or []:
                tags.pop(key, None)
            doc["tags"] = tags
            self.groups.put(self._scope(ctx), group, doc)
        return tags

    def TagLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        self._tag(ctx, p["logGroupName"], add=p["tags"])
        return {}

    def UntagLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        self._tag(ctx, p["logGroupName"], remove=p["tags"])
        return {}

    def ListTagsLogGroup(self, ctx: RequestContext, p: Params) -> Params:
        return {"tags": self._group(ctx, p["logGroupName"]).get("tags") or {}}

    def TagResource(self, ctx: RequestContext, p: Params) -> Params:
        self._tag(ctx, self._group_from_arn(ctx, p["resourceArn"]), add=p["tags"])
        return {}

    def UntagResource(self, ctx: RequestContext, p: Params) -> Params:
        self._tag(ctx, self._group_from_arn(ctx, p["resourceArn"]), remove=p["tagKeys"])
        return {}

    def ListTagsForResource(self, ctx: RequestContext, p: Params) -> Params:
        return {"tags": self._group(ctx, self._group_from_arn(ctx, p["resourceArn"])).get("tags") or {}}

    # -- log streams ------------------------------------------------------------

    def CreateLogStream(self, ctx: RequestContext, p: Params) -> Params:
        group, stream = p["logGroupName"], p["logStreamName"]
        with self.store.transaction():
            self._group(ctx, group)
            if not self.streams.insert(self._scope(ctx), f"{group}\0{stream}", self._stream_doc(self._scope(ctx), group, stream)):
                raise ServiceError("ResourceAlreadyExistsException", "The specified log stream already exists", status=400)
        return {}

    def DeleteLogStream(self, ctx: RequestContext, p: Params) -> Params:
        group, stream = p["logGroupName"], p["logStreamName"]
        with self.store.transaction():
            self._group(ctx, group)
            if not self.streams.delete(self._scope(ctx), f"{group}\0{stream}"):
                raise _not_found("The specified log stream does not exist.")
            self.events.delete_prefix(self._scope(ctx), f"{group}\0{stream}\0")
        return {}

    def DescribeLogStreams(self, ctx: RequestContext, p: Params) -> Params:
        group = p.get("logGroupName") or (self._group_from_arn(ctx, p["logGroupIdentifier"]) if p.get("logGroupIdentifier") else "")
        self._group(ctx, group)
        prefix = p.get("logStreamNamePrefix") or ""
        limit = p.get("limit") or 50
        docs = [d for _, d in self.streams.scan(self._scope(ctx), prefix=f"{group}\0{prefix}")]
        if p.get("orderBy") == "LastEventTime":
            if prefix:
                raise ServiceError("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.", status=400)
            docs.sort(key=lambda d: d.get("lastEventTimestamp", 0))
        if p.get("descending"):
            docs.reverse()
        start = int(_untoken(p["nextToken"])[1]) if p.get("nextToken") else 0
        result: Params = {"logStreams": docs[start : start + limit]}
        if start + limit < len(docs):
            result["nextToken"] = _token("s", str(start + limit))
        return result

    # -- events -----------------------------------------------------------------

    def PutLogEvents(self, ctx: RequestContext, p: Params) -> Params:
        group, stream = p["logGroupName"], p["logStreamName"]
        events = p["logEvents"]
        timestamps = [e["timestamp"] for e in events]
        if timestamps != sorted(timestamps):
            raise ServiceError("InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.", status=400)
        now = _now_ms()
        accepted: list[tuple[int, str]] = []
        rejected: Params = {}
        for index, event in enumerate(events):
            if event["timestamp"] < now - 14 * 86400 * 1000:
                rejected["tooOldLogEventEndIndex"] = index + 1
            elif event["timestamp"] > now + 2 * 3600 * 1000:
                rejected.setdefault("tooNewLogEventStartIndex", index)
            else:
                accepted.append((event["timestamp"], event["message"]))
        with self.store.transaction():
            self._group(ctx, group)
            if self.streams.get(self._scope(ctx), f"{group}\0{stream}") is None:
                raise _not_found("The specified log stream does not exist.")
            self._append(self._scope(ctx), group, stream, accepted)
        result: Params = {"nextSequenceToken": f"{self._sequence:056d}"}
        if rejected:
            result["rejectedLogEventsInfo"] = rejected
        return result

    def _event_view(self, doc: Params) -> Params:
        return {"timestamp": doc["timestamp"], "message": doc["message"], "ingestionTime": doc["ingestionTime"]}

    def GetLogEvents(self, ctx: RequestContext, p: Params) -> Params:
        group = p.get("logGroupName") or self._group_from_arn(ctx, p.get("logGroupIdentifier", ""))
        stream = p["logStreamName"]
        self._group(ctx, group)
        scope = self._scope(ctx)
        if self.streams.get(scope, f"{group}\0{stream}") is None:
            raise _not_found("The specified log stream does not exist.")
        limit = min(p.get("limit") or 10000, 10000)
        base = f"{group}\0{stream}\0"
        start_ms, end_ms = p.get("startTime"), p.get("endTime")
        forward = bool(p.get("startFromHead"))
        after: str | None = None
        if p.get("nextToken"):
            kind, key = _untoken(p["nextToken"])
            forward = kind == "f"
            after = key
        elif start_ms is not None and forward:
            after = f"{base}{max(start_ms, 0) - 1:015d}\0~"
        page = self.events.scan(scope, prefix=base, start_after=after, limit=None if not forward else limit * 4, reverse=not forward)
        docs = [(k, d) for k, d in page
                if (start_ms is None or d["timestamp"] >= start_ms) and (end_ms is None or d["timestamp"] < end_ms)]
        chosen = docs[:limit] if forward else list(reversed(docs[:limit]))
        if chosen:
            first_key = docs[0][0] if forward else docs[min(limit, len(docs)) - 1][0]
            last_key = docs[min(limit, len(docs)) - 1][0] if forward else docs[0][0]
        else:
            first_key = last_key = after or base
        return {
            "events": [self._event_view(d) for _, d in chosen],
            "nextForwardToken": _token("f", last_key),
            "nextBackwardToken": _token("b", first_key),
        }

    def FilterLogEvents(self, ctx: RequestContext, p: Params) -> Params:
        group = p.get("logGroupName") or self._group_from_arn(ctx, p.get("logGroupIdentifier", ""))
        self._group(ctx, group)
        scope = self._scope(ctx)
        matcher = compile_filter(p.get("filterPattern") or "")
        names = set(p.get("logStreamNames") or [])
        prefix = p.get("logStreamNamePrefix")
        start_ms, end_ms = p.get("startTime"), p.get("endTime")
        limit = min(p.get("limit") or 10000, 10000)
        found: list[Params] = []
        for _key, stream in self.streams.scan(scope, prefix=group + "\0"):
            name = stream["logStreamName"]
            if (names and name not in names) or (prefix and not name.startswith(prefix)):
                continue
            for _, event in self.events.scan(scope, prefix=f"{group}\0{name}\0"):
                if start_ms is not None and event["timestamp"] < start_ms:
                    continue
                if end_ms is not None and event["timestamp"] > end_ms:
                    continue
                if matcher(event["message"]):
                    found.append({"logStreamName": name, **self._event_view(event), "eventId": f"{event['timestamp']}{len(found):020d}"})
        found.sort(key=lambda e: (e["timestamp"], e["logStreamName"]))
        start = int(_untoken(p["nextToken"])[1]) if p.get("nextToken") else 0
        result: Params = {"events": found[start : start + limit], "searchedLogStreams": []}
        if start + limit < len(found):
            result["nextToken"] = _token("e", str(start + limit))
        return result


