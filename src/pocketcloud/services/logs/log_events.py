"""Log events: PutLogEvents, GetLogEvents, FilterLogEvents, and TestMetricFilter (which
matches a filter pattern against given messages, as FilterLogEvents does against stored ones).

Events are read through the event log's positions (`events.py`): GetLogEvents'
tokens carry a position ("f/<56 digits>/s" forward, "b/..." backward), a
FilterLogEvents token an opaque one; reads stop at the group's retention and
show messages masked where a data protection policy says so.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.logs.errors import LogsMixin, invalid
from pocketcloud.services.logs.events import END, Event, EventLog, event_size, now_ms
from pocketcloud.services.logs.groups import DAY_MS
from pocketcloud.services.logs.masking import Masker
from pocketcloud.services.logs.patterns import FilterPattern, FilterPatternError, compile_filter
from pocketcloud.services.logs.streams import stream_missing
from pocketcloud.services.logs.tokens import opaque, unopaque
from pocketcloud.store import Collection, Scope

Params = dict[str, Any]

MAX_BATCH_BYTES = 1_048_576
MAX_EVENT_BYTES = 1_048_576
TOO_OLD_MS = 14 * DAY_MS
TOO_NEW_MS = 2 * 3_600_000
MAX_SPAN_MS = DAY_MS
MAX_PAGE_BYTES = 1_048_576
# FilterLogEvents looks at no more than this many events per call; past it, the
# page comes back short with a nextToken, as AWS's partial pages do.
FILTER_SCAN_BUDGET = 200_000
# FilterLogEvents with startFromHead=false only covers events from 2024 on.
DESCENDING_FILTER_FLOOR_MS = 1_704_067_200_000


def _event_token(direction: str, position: int) -> str:
    """GetLogEvents' token form: "f/<56 digits>/s" or "b/<56 digits>/s"."""
    return f"{direction}/{position:056d}/s"


def _parse_event_token(token: str) -> tuple[str, int]:
    parts = token.split("/")
    if len(parts) != 3 or parts[0] not in ("f", "b") or not is_digits(parts[1], 56) or len(parts[1]) != 56:
        raise invalid("The specified nextToken is invalid.")
    return parts[0], min(int(parts[1]), END)


class LogEventOperations(LogsMixin):
    """The log event operations of the logs provider."""

    streams: Collection
    log: EventLog

    _append: Callable[[Scope, str, Params, list[tuple[int, str]]], None]
    _stream: Callable[[RequestContext, str, str], Params]
    _cutoff: Callable[[Params], int | None]
    _window: Callable[..., tuple[int, int]]
    _group_param: Callable[..., str]
    _event_masker: Callable[[RequestContext, str, Params, Params], Masker | None]

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
            raw = unopaque("e", p["nextToken"])
            direction, _, mark_text = raw.partition("/")
            if direction not in ("f", "b") or not is_digits(mark_text, 56):
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
            result["nextToken"] = opaque("e", f"{'f' if forward else 'b'}/{resume}")
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
                    raise stream_missing()
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
