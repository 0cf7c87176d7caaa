"""StartLiveTail: a stream of the log events ingested into chosen log groups while it lasts.

The answer is an event stream (`protocol/eventstream.py`; the json serializer puts the
initial-response message in front): one sessionStart, then a sessionUpdate every second
with the events that matched since the one before (an empty list when none did). At most
500 events go in one update, sampled from the rest (sessionMetadata.sampled); while the
client reads slower than events come, up to 5000 wait and the oldest are dropped, as AWS
documents. The session times out after three hours (`logs_live_tail_seconds`) with a
SessionTimeoutException message, and ends as soon as the client goes away or the server
stops: the gateway calls the body's `end_stream`, and `aclose` unregisters it.

A session is registered with `LiveTails` when its stream starts (so one whose answer never
goes out is never registered), and the provider's ingestion offers it every event it
stores (`publish`, a no-op while no session is open). Events are matched against their
log group, the session's logStreamNames or logStreamNamePrefixes, and its filter pattern
(`patterns.py`, as FilterLogEvents), on the message as it was put.
"""

from __future__ import annotations

import asyncio
import collections
import random
import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol import eventstream
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.services.logs.errors import LogsMixin, invalid
from pocketcloud.services.logs.patterns import FilterPattern, FilterPatternError, compile_filter
from pocketcloud.store import Scope

Params = dict[str, Any]

MAX_SESSIONS = 15  # concurrent Live Tail sessions per account and region (AWS's quota)
MAX_PER_UPDATE = 500
MAX_WAITING = 5000
UPDATE_SECONDS = 1.0
JSON = eventstream.json_content_type(service_model("logs").metadata["jsonVersion"])


class LiveTailSession:
    """One session, and the body of its answer: an async iterator of event stream messages."""

    def __init__(
        self,
        registry: LiveTails,
        scope: Scope,
        groups: dict[str, str],
        start: Params,
        matcher: FilterPattern,
        lifetime: float,
    ) -> None:
        self.registry = registry
        self.scope = scope
        self.groups = groups  # group name → its identifier as the request gave it
        self.start = start
        self.names = set(start.get("logStreamNames") or ())
        self.prefixes = tuple(start.get("logStreamNamePrefixes") or ())
        self.matcher = matcher
        self.lifetime = lifetime
        self.waiting: collections.deque[Params] = collections.deque(maxlen=MAX_WAITING)
        self._ended = asyncio.Event()
        self._deadline = 0.0
        self._opened = False  # sessionStart sent; the session ends when _ended is set

    # -- what ingestion offers ----------------------------------------------------------------

    def offer(self, group: str, stream: str, events: list[tuple[int, str, int]]) -> None:
        """(timestamp, message, ingestion time) events just stored in `group`/`stream`."""
        identifier = self.groups.get(group)
        if identifier is None or (self.names and stream not in self.names):
            return
        if self.prefixes and not stream.startswith(self.prefixes):
            return
        for timestamp, message, ingestion in events:
            if self.matcher.matches(message):
                self.waiting.append(
                    {
                        "logStreamName": stream,
                        "logGroupIdentifier": identifier,
                        "message": message,
                        "timestamp": timestamp,
                        "ingestionTime": ingestion,
                    }
                )

    # -- the answer's body ----------------------------------------------------------------------

    def __aiter__(self) -> LiveTailSession:
        return self

    async def __anext__(self) -> bytes:
        loop = asyncio.get_running_loop()
        if not self._opened:
            self._opened = True
            self._deadline = loop.time() + self.lifetime
            self.registry.add(self)
            return eventstream.json_event("sessionStart", self.start, JSON)
        if self._ended.is_set():
            self._finish()
            raise StopAsyncIteration
        left = self._deadline - loop.time()
        if left <= 0:
            self._finish()
            return eventstream.exception_event(
                "SessionTimeoutException", {"message": "Session timed out after three hours."}, JSON
            )
        try:
            await asyncio.wait_for(self._ended.wait(), min(UPDATE_SECONDS, left))
        except TimeoutError:
            pass
        if self._ended.is_set():
            self._finish()
            raise StopAsyncIteration
        return self._update()

    def _update(self) -> bytes:
        chosen = list(self.waiting)
        self.waiting.clear()
        sampled = len(chosen) > MAX_PER_UPDATE
        if sampled:  # a sample, kept in the order the events came
            keep = sorted(random.sample(range(len(chosen)), MAX_PER_UPDATE))
            chosen = [chosen[i] for i in keep]
        return eventstream.json_event(
            "sessionUpdate", {"sessionMetadata": {"sampled": sampled}, "sessionResults": chosen}, JSON
        )

    def end_stream(self) -> None:
        """The client left or the server is stopping: end at once."""
        self._ended.set()

    async def aclose(self) -> None:
        self._finish()

    def _finish(self) -> None:
        self._ended.set()
        self.waiting.clear()
        self.registry.discard(self)


class LiveTails:
    """The open sessions, per account and region."""

    def __init__(self) -> None:
        self.sessions: dict[Scope, set[LiveTailSession]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def count(self, scope: Scope) -> int:
        return len(self.sessions.get(scope, ()))

    def add(self, session: LiveTailSession) -> None:
        self._loop = asyncio.get_running_loop()
        self.sessions.setdefault(session.scope, set()).add(session)

    def discard(self, session: LiveTailSession) -> None:
        found = self.sessions.get(session.scope)
        if found is not None:
            found.discard(session)
            if not found:
                del self.sessions[session.scope]

    def publish(self, scope: Scope, group: str, stream: str, events: list[tuple[int, str, int]]) -> None:
        """Offer events just stored to the sessions of `scope` (from the loop, or from another thread)."""
        if scope not in self.sessions:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a worker thread: the sessions belong to the loop
            if self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self.publish, scope, group, stream, events)
            return
        for session in list(self.sessions.get(scope, ())):
            session.offer(group, stream, events)

    def end_all(self) -> None:
        for sessions in list(self.sessions.values()):
            for session in list(sessions):
                session.end_stream()


class LiveTailOperations(LogsMixin):
    live_tails: LiveTails
    groups: Any
    runtime: Any

    def StartLiveTail(self, ctx: RequestContext, p: Params) -> Params:
        identifiers: list[str] = p["logGroupIdentifiers"]
        names, prefixes = p.get("logStreamNames"), p.get("logStreamNamePrefixes")
        if names is not None and prefixes is not None:
            raise invalid("logStreamNames and logStreamNamePrefixes are mutually exclusive parameters.")
        if (names is not None or prefixes is not None) and len(identifiers) != 1:
            raise invalid(
                "logStreamNames and logStreamNamePrefixes can only be used with exactly one log group in "
                "logGroupIdentifiers."
            )
        groups: dict[str, str] = {}
        for identifier in identifiers:
            if identifier.endswith("*"):
                raise invalid(f"Invalid log group identifier: {identifier}. It must not end with '*'.")
            name = self._from_identifier(ctx, identifier)
            self._group(ctx, name)
            groups.setdefault(name, identifier)
        pattern = p.get("logEventFilterPattern")
        try:
            matcher = compile_filter(pattern)
        except FilterPatternError as exc:
            raise invalid(str(exc)) from exc
        scope = self._scope(ctx)
        if self.live_tails.count(scope) >= MAX_SESSIONS:
            raise ServiceError(
                "LimitExceededException",
                f"You have reached the maximum number of concurrent Live Tail sessions ({MAX_SESSIONS}).",
                status=400,
            )
        start: Params = {
            "requestId": ctx.request_id,
            "sessionId": str(uuid.uuid4()),
            "logGroupIdentifiers": identifiers,
            "logStreamNames": names,
            "logStreamNamePrefixes": prefixes,
            "logEventFilterPattern": pattern,
        }
        lifetime = float(self.runtime.settings.logs_live_tail_seconds)
        return {"responseStream": LiveTailSession(self.live_tails, scope, groups, start, matcher, lifetime)}
