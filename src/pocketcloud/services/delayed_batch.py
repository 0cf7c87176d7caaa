"""Writes kept in memory for a moment and stored together: one transaction for many calls.

A service that records something on every call (Lambda's log lines, IAM's last-accessed
times) would otherwise pay a store transaction per call. `DelayedBatch` keeps the entries
by key, and a timer on the event loop hands everything pending to `_write` a moment later
(`delay_s`) in one batch; `flush()` does it at once, for a reader that must see every entry.
A batch whose write fails goes back in front of what came since (`_restore`), for the next
flush. Off the event loop (a worker thread) there is no timer to wait for: the entry is
written at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")


class DelayedBatch(Generic[K, V]):
    what = "queued entries"  # for the log line of a failed timed write

    def __init__(self, delay_s: float) -> None:
        self._delay_s = delay_s
        self._pending: dict[K, V] = {}
        self._timer: asyncio.Handle | None = None

    def _write(self, batch: dict[K, V]) -> None:
        raise NotImplementedError

    def _restore(self, batch: dict[K, V]) -> None:
        """Put back a batch whose write failed; by default an entry recorded since wins."""
        for key, value in batch.items():
            self._pending.setdefault(key, value)

    def _schedule(self, now: bool = False) -> None:
        """Have what is pending written after `delay_s` (`now`: at the next turn of the loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the loop: nothing to wait for
            self.flush()
            return
        if now:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = loop.call_soon(self._flush_from_timer)
        elif self._timer is None:
            self._timer = loop.call_later(self._delay_s, self._flush_from_timer)

    def flush(self) -> None:
        """Write everything pending now, in the caller's thread."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        batch, self._pending = self._pending, {}
        try:
            self._write(batch)
        except Exception:
            self._restore(batch)
            raise

    def _flush_from_timer(self) -> None:
        self._timer = None
        try:
            self.flush()
        except Exception:  # a timer callback has nobody to raise to; the batch was put back
            log.exception("writing %s failed; retrying", self.what)
            self._retry()

    def _retry(self) -> None:
        """After a failed timed write: try again later (no sooner than a second)."""
        if self._pending and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(
                max(self._delay_s, 1.0), self._flush_from_timer
            )
