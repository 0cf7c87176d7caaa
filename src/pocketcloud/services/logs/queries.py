"""Logs Insights: StartQuery, GetQueryResults, StopQuery, DescribeQueries, ListLogGroupsForQuery,
GetLogRecord (an event by the @ptr a query result carries) and GetLogGroupFields (the fields
Insights finds in a group's recent events).

A query runs to completion inside StartQuery (the language is `insights.py`) and
is kept as a document keyed by its id, status Complete, with its rows and
statistics for GetQueryResults. A query sees events as GetLogEvents shows them:
within the group's retention, masked where a data protection policy says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.logs import insights
from pocketcloud.services.logs.errors import LogsMixin, invalid, not_found
from pocketcloud.services.logs.events import EventLog, now_ms
from pocketcloud.services.logs.filters import page_by
from pocketcloud.services.logs.masking import Masker
from pocketcloud.services.logs.tokens import opaque, unopaque
from pocketcloud.store import Collection, Scope

Params = dict[str, Any]

# GetLogGroupFields looks at the events of the 15 minutes before its `time`.
FIELDS_WINDOW_MS = 15 * 60_000
FIELDS_SAMPLE = 10_000


# A StartQuery time of 10^11 or more is in milliseconds: as seconds it would be after the year 5000.
# The API reference says seconds, and AWS's own examples send milliseconds and find their events (the
# awsdocs Python and JavaScript "CloudWatch Logs large query" examples, whose specification shows
# millisecond ranges such as 2023-12-21T15:02:45.995Z to 2023-12-21T15:03:15.994Z).
_MILLISECONDS_FROM = 10**11


def _query_range(start: int, end: int) -> tuple[int, int]:
    """[start, end] of a query in milliseconds, both ends included: a time in seconds covers its whole
    second ("EndTime is inclusive ... Internally they convert to milliseconds", aws/aws-sdk#280)."""
    start_ms = start if start >= _MILLISECONDS_FROM else start * 1000
    end_ms = end if end >= _MILLISECONDS_FROM else end * 1000 + 999
    return start_ms, end_ms


def _outside_group(group: Params, end_ms: int, now: int) -> bool:
    """Whether a query ending at `end_ms` ends before the group was made or before what its retention
    keeps: StartQuery refuses it (MalformedQueryException "Query's end date and time is either before
    the log groups creation time or exceeds the log groups log retention settings", which the awsdocs
    large-query examples test for, and AWS answers as quoted by the tools that handle it)."""
    if end_ms < group.get("creationTime", 0):
        return True
    days = group.get("retentionInDays")
    return days is not None and end_ms < now - days * 86_400_000


def _masked(event: Params, mask: Masker) -> Params:
    """The event as a query may see it under a data protection policy: its message masked, and
    the transformed version a log transformer made of it too."""
    masked = {**event, "message": mask(event["message"], event["ingestionTime"])}
    if "transformed" in event:
        masked["transformed"] = mask(event["transformed"], event["ingestionTime"])
    return masked


class QueryOperations(LogsMixin):
    """The Logs Insights operations of the logs provider."""

    groups: Collection
    streams: Collection
    queries: Collection
    log: EventLog

    _window: Callable[..., tuple[int, int]]
    _group_param: Callable[..., str]
    _event_masker: Callable[[RequestContext, str, Params, Params], Masker | None]

    def StartQuery(self, ctx: RequestContext, p: Params) -> Params:
        given = [k for k in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if p.get(k)]
        if len(given) != 1:
            raise invalid(
                "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified."
            )
        if p.get("queryLanguage", "CWLI") != "CWLI":
            raise invalid(f"Query language {p['queryLanguage']} is not supported.")
        start_ms, end_ms = _query_range(p["startTime"], p["endTime"])
        if end_ms < start_ms:
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
        if any(_outside_group(doc, end_ms, started) for _, doc in groups):
            raise ServiceError(
                "MalformedQueryException",
                "Query's end date and time is either before the log groups creation time or exceeds the log "
                "groups log retention settings",
                status=400,
            )
        scanned_bytes = [0]

        def counted(records: Iterator[Params]) -> Iterator[Params]:
            for record in records:
                scanned_bytes[0] += len(record["@message"].encode("utf-8", "surrogatepass"))
                yield record

        # A query sees events as GetLogEvents shows them: masked where a data protection policy says.
        masks = {name: self._event_masker(ctx, name, doc, {}) for name, doc in groups}
        records = counted(self._query_records(scope, groups, start_ms, end_ms, masks))
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
                "logGroups": [name for name, _ in groups],
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
                        event = _masked(event, mask)
                    yield insights.record(
                        event, stream_name, reference, opaque("p", f"{name}\0{stream_name}\0{position}")
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

    def ListLogGroupsForQuery(self, ctx: RequestContext, p: Params) -> Params:
        """The log groups a query ran on, by ARN (`arn:aws:logs:<region>:<account>:log-group:<name>`,
        the form logGroupIdentifiers take, without StartQuery's trailing `:*`)."""
        doc = self._query(ctx, p["queryId"])
        arns = [
            {"arn": f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{name}"}
            for name in sorted(set(doc.get("logGroups") or [doc["logGroupName"]]))
        ]
        found, token = page_by(arns, "arn", {"nextToken": p.get("nextToken"), "limit": p.get("maxResults")})
        result: Params = {"logGroupIdentifiers": [item["arn"] for item in found]}
        if token is not None:
            result["nextToken"] = token
        return result

    def GetLogRecord(self, ctx: RequestContext, p: Params) -> Params:
        raw = unopaque("p", p["logRecordPointer"])
        group, _, rest = raw.partition("\0")
        stream, _, position_text = rest.partition("\0")
        if not is_digits(position_text, 56):  # a position in the log, as eventIds give it
            raise invalid("The specified log record pointer is invalid.")
        position = int(position_text)
        scope = self._scope(ctx)
        doc = self.groups.get(scope, group)
        if doc is None:
            raise not_found()
        mask = self._event_masker(ctx, group, doc, p)
        for _, event in self.log.read(scope, group, stream, position - 1, position + 1):
            if mask is not None:
                event = _masked(event, mask)
            fields = insights.record(event, stream, f"{scope[0]}:{group}", p["logRecordPointer"])
            return {"logRecord": {k: insights.show(k, v) for k, v in fields.items() if k != "@ptr"}}
        raise not_found("The specified log record does not exist.")

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
