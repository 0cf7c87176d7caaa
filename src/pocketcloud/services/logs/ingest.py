"""Log events from other services (Lambda), written off their request path in batches.

Lambda writes START, the function's output, END and REPORT for every
invocation; one SQLite transaction per invocation was a quarter of a warm
Invoke's server CPU. `PendingEvents` keeps those lines in memory and writes
everything queued in one transaction a moment later (the `logs_flush_seconds`
setting, POCKETCLOUD_LOGS_FLUSH_SECONDS, 50 ms by default), from a
timer on the event loop (`services/delayed_batch.py`): after the Invoke's response has gone out, and one
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

from pocketcloud.services.delayed_batch import DelayedBatch
from pocketcloud.store import Scope

log = logging.getLogger(__name__)

# A burst past this many queued events is written at the next turn of the loop,
# so the queue stays small however fast invocations come.
MAX_PENDING_EVENTS = 5000

StreamKey = tuple[Scope, str, str]  # (scope, group, stream)
Events = list[tuple[int, str]]
Writer = Callable[[dict[StreamKey, Events]], None]


class PendingEvents(DelayedBatch[StreamKey, Events]):
    """Events queued per stream, handed to `write` in one batch by a loop timer or `flush()`."""

    what = "queued log events"

    def __init__(self, write: Writer, delay_s: float) -> None:
        super().__init__(delay_s)
        self._write_batch = write
        self._count = 0
        self.closed = False

    def add(self, scope: Scope, group: str, stream: str, events: Events) -> None:
        if not events:
            return
        key = (scope, group, stream)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            # Not on the loop thread (a worker thread): the queue and its timer belong to the loop,
            # so these events are written on their own, now.
            self._write_batch({key: list(events)})
            return
        queued = self._pending.get(key)
        if queued is None:
            self._pending[key] = list(events)
        else:
            queued.extend(events)
        self._count += len(events)
        if self.closed:
            self.flush()
        else:
            self._schedule(now=self._count >= MAX_PENDING_EVENTS)

    def _write(self, batch: dict[StreamKey, Events]) -> None:
        self._count = 0
        self._write_batch(batch)

    def _restore(self, batch: dict[StreamKey, Events]) -> None:
        """Put a batch whose write failed back in front of what came since, to be retried.

        Bounded: past MAX_PENDING_EVENTS a failing store would otherwise grow the queue forever.
        """
        self._count = sum(len(events) for events in self._pending.values())
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

    def _retry(self) -> None:
        if not self.closed:
            super()._retry()
