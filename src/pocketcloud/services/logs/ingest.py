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
        queued = self._pending.get(key)
        if queued is None:
            self._pending[key] = list(events)
        else:
            queued.extend(events)
        self._count += len(events)
        if self.closed:
            self.flush()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the loop thread: no timer to wait for, write now
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
        self._write(batch)

    def close(self) -> None:
        """Flush, and from now on write each batch as it comes (the loop may be going away)."""
        self.closed = True
        self.flush()

    def _flush_from_timer(self) -> None:
        self._timer = None
        try:
            self.flush()
        except Exception:  # a timer callback has nobody to raise to
            log.exception("writing queued log events failed")
