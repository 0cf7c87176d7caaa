"""Log events from other services (Lambda), written off their request path in batches.

Lambda writes START, the function's output, END and REPORT for every
invocation; one SQLite transaction per invocation was a quarter of a warm
Invoke's server CPU. `PendingEvents` keeps those lines in memory and writes
everything queued in one transaction a moment later (the `logs_flush_seconds`
setting, POCKETCLOUD_LOGS_FLUSH_SECONDS, 50 ms by default), from a
timer on the event loop: after the Invoke's response has gone out, and one
group and stream lookup per batch instead of per invocation.

Nothing reads around the queue: the logs provider flushes it before each of its
own operations, so GetLogEvents, FilterLogEvents, `pocketcloud logs tail` and
the rest see every line an invocation that already answered wrote. Stopping
the provider flushes it too. What a kill -9 can lose is the lines of that
last moment, as a crashed Lambda host loses its unshipped logs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from pocketcloud.store import Scope

log = logging.getLogger(__name__)

# A burst past this many queued events is written at the next turn of the loop,
# so the queue stays small however fast invocations come.
MAX_PENDING_EVENTS = 5000

StreamKey = tuple[Scope, str, str]  # (scope, group, stream)
Events = list[tuple[int, str]]
Writer = Callable[[dict[StreamKey, Events]], None]


class PendingEvents:
    """Events queued per stream, handed to `write` in one batch by a loop timer or `flush()`."""

    def __init__(self, write: Writer, delay_s: float) -> None:
        self._write = write
        self._delay_s = delay_s
        self._pending: dict[StreamKey, Events] = {}
        self._count = 0
        self._timer: asyncio.Handle | None = None
        self.closed = False

    def add(self, scope: Scope, group: str, stream: str, events: Events) -> None:
        if not events:
            return
        key = (scope, group, stream)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # Not on the loop thread (a worker thread): the queue and its timer belong to the loop,
            # so these events are written on their own, now.
            self._write({key: list(events)})
            return
        queued = self._pending.get(key)
        if queued is None:
            self._pending[key] = list(events)
        else:
            queued.extend(events)
        self._count += len(events)
        if self.closed:
            self.flush()
            return
        if self._count >= MAX_PENDING_EVENTS:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = loop.call_soon(self._flush_from_timer)
        elif self._timer is None:
            self._timer = loop.call_later(self._delay_s, self._flush_from_timer)

    def flush(self) -> None:
        """Write everything queued now (the caller's thread, one transaction)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        batch, self._pending, self._count = self._pending, {}, 0
        try:
            self._write(batch)
        except Exception:
            self._requeue(batch)
            raise

    def _requeue(self, batch: dict[StreamKey, Events]) -> None:
        """Put a batch whose write failed back in front of what came since, to be retried.

        Bounded: past MAX_PENDING_EVENTS a failing store would otherwise grow the queue forever.
        """
        count = sum(len(events) for events in batch.values())
        if self._count + count > MAX_PENDING_EVENTS:
            log.error("dropping %d queued log events: the store keeps refusing them", count)
            return
        for key, events in self._pending.items():
            batch.setdefault(key, []).extend(events)
        self._pending, self._count = batch, self._count + count

    def close(self) -> None:
        """Flush, and from now on write each batch as it comes (the loop may be going away)."""
        self.closed = True
        self.flush()

    def _flush_from_timer(self) -> None:
        self._timer = None
        try:
            self.flush()
        except Exception:  # a timer callback has nobody to raise to; the batch was requeued
            log.exception("writing queued log events failed; retrying")
            if self._pending and not self.closed:
                self._timer = asyncio.get_running_loop().call_later(
                    max(self._delay_s, 1.0), self._flush_from_timer
                )
