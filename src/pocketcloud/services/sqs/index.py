"""A queue's visibility index: which message is deliverable next, without scanning the queue.

The store holds every message with its visibility deadline (`Visible`, epoch
ms) and current receipt token; this index is the in-memory view of those
fields, rebuilt from the store when a queue is first used:

- `ready`, a heap of (visible at, seq) candidates. ReceiveMessage pops from its
  top while the deadline has passed, so a receive costs O(k log n) for k
  messages whatever the queue's length. Entries go stale when a message is
  received, changed or deleted; a popped entry counts only if it still
  matches the message's deadline (lazy deletion), and the heap is rebuilt
  when stale entries outnumber live ones.
- `expiry`, a heap of (sent at, seq) for the retention sweep.
- FIFO queues keep each message group's messages in order (`groups`). Only a
  group's first message is a candidate in `ready`: while it is in flight the
  group is blocked, and when it is deleted the next one becomes the
  candidate. A receive takes the candidate and the visible messages behind
  it in the same group, in order.

Deadlines and receipt tokens change here only after the store has them.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from typing import Any


class Entry:
    """What the index knows of one message."""

    __slots__ = ("visible", "token", "sent", "group")

    def __init__(self, visible: int, token: str | None, sent: int, group: str | None) -> None:
        self.visible = visible  # epoch ms from which it may be delivered
        self.token = token  # the current receipt's token; None until received from this queue
        self.sent = sent  # epoch ms it entered the queue (retention counts from here)
        self.group = group  # FIFO message group


class QueueIndex:
    def __init__(self, fifo: bool) -> None:
        self.fifo = fifo
        self.entries: dict[int, Entry] = {}
        self.ready: list[tuple[int, int]] = []
        self.expiry: list[tuple[int, int]] = []
        self.groups: dict[str, deque[int]] = {}
        # FIFO deduplication: key → (expires at ms, message id, sequence number).
        self.dedup: dict[str, tuple[int, str, str | None]] = {}
        # FIFO ReceiveRequestAttemptId → (expires at ms, [(seq, token)]).
        self.attempts: dict[str, tuple[int, list[tuple[int, str]]]] = {}
        self.waiters = 0
        self._changed = asyncio.Event()
        self._loading: list[tuple[int, Entry]] | None = []

    # -- building -------------------------------------------------------------

    def load(self, seq: int, doc: dict[str, Any]) -> None:
        """One stored message, in seq order (while rebuilding from the store)."""
        assert self._loading is not None
        self._loading.append((seq, Entry(doc["Visible"], doc.get("Receipt"), doc["Sent"], doc.get("Group"))))

    def finish_loading(self) -> None:
        loading, self._loading = self._loading or [], None
        for seq, entry in loading:
            self.entries[seq] = entry
            if self.fifo:
                assert entry.group is not None
                group = self.groups.get(entry.group)
                if group is None:
                    group = self.groups[entry.group] = deque()
                    self.ready.append((entry.visible, seq))
                group.append(seq)
            else:
                self.ready.append((entry.visible, seq))
            self.expiry.append((entry.sent, seq))
        heapq.heapify(self.ready)
        heapq.heapify(self.expiry)

    # -- changes (after the store has them) -------------------------------------

    def add(self, seq: int, entry: Entry) -> None:
        self.entries[seq] = entry
        heapq.heappush(self.expiry, (entry.sent, seq))
        if self.fifo:
            assert entry.group is not None
            group = self.groups.get(entry.group)
            if group is None:
                self.groups[entry.group] = deque((seq,))
                self._candidate(entry.visible, seq)
            else:
                group.append(seq)
        else:
            self._candidate(entry.visible, seq)

    def remove(self, seq: int) -> Entry | None:
        entry = self.entries.pop(seq, None)
        if entry is None or not self.fifo:
            return entry
        assert entry.group is not None
        group = self.groups[entry.group]
        if group[0] == seq:
            group.popleft()
            if group:
                head = group[0]
                self._candidate(self.entries[head].visible, head)
        else:
            group.remove(seq)  # only retention and purges take messages out of order
        if not group:
            del self.groups[entry.group]
        return entry

    def set_visible(self, seq: int, visible: int, token: str | None) -> None:
        entry = self.entries[seq]
        entry.visible = visible
        entry.token = token
        if not self.fifo or self.groups[entry.group][0] == seq:  # type: ignore[index]
            self._candidate(visible, seq)

    def restore(self, seq: int) -> None:
        """Make a picked message a candidate again (it was picked but not taken)."""
        entry = self.entries.get(seq)
        if entry is not None and (not self.fifo or self.groups[entry.group][0] == seq):  # type: ignore[index]
            self._candidate(entry.visible, seq)

    def _candidate(self, visible: int, seq: int) -> None:
        heapq.heappush(self.ready, (visible, seq))
        if len(self.ready) > 2 * len(self.entries) + 64:
            self._rebuild_ready()
        self.notify()

    def _rebuild_ready(self) -> None:
        if self.fifo:
            self.ready = [(self.entries[g[0]].visible, g[0]) for g in self.groups.values()]
        else:
            self.ready = [(e.visible, seq) for seq, e in self.entries.items()]
        heapq.heapify(self.ready)

    # -- delivery ---------------------------------------------------------------

    def pick(self, now: int, limit: int) -> list[int]:
        """Up to `limit` deliverable messages (FIFO: in group order). Their candidate entries are
        consumed: the caller must then receive, move or remove each one."""
        picked: list[int] = []
        ready, entries = self.ready, self.entries
        while ready and len(picked) < limit:
            visible, seq = ready[0]
            if visible > now:
                break
            heapq.heappop(ready)
            entry = entries.get(seq)
            if entry is None or entry.visible != visible:
                continue  # stale
            if not self.fifo:
                picked.append(seq)
                continue
            group = self.groups[entry.group]  # type: ignore[index]
            if group[0] != seq:
                continue  # stale: no longer the group's first message
            for member in group:
                if len(picked) >= limit or entries[member].visible > now:
                    break
                picked.append(member)
        return picked

    def next_deadline(self) -> int | None:
        """When the next candidate becomes deliverable (epoch ms), if any is waiting."""
        return self.ready[0][0] if self.ready else None

    def expired(self, cutoff: int) -> list[int]:
        """Messages sent at or before `cutoff` (their retention is over), oldest first."""
        found: list[int] = []
        expiry, entries = self.expiry, self.entries
        while expiry and expiry[0][0] <= cutoff:
            sent, seq = heapq.heappop(expiry)
            entry = entries.get(seq)
            if entry is not None and entry.sent == sent:
                found.append(seq)
        return found

    def counts(self, now: int) -> tuple[int, int, int]:
        """(visible, in flight, delayed), as ApproximateNumberOfMessages* report them."""
        visible = inflight = delayed = 0
        for entry in self.entries.values():
            if entry.visible <= now:
                visible += 1
            elif entry.token is not None:
                inflight += 1
            else:
                delayed += 1
        return visible, inflight, delayed

    def clear(self) -> None:
        self.entries.clear()
        self.ready.clear()
        self.expiry.clear()
        self.groups.clear()
        self.attempts.clear()

    # -- long polling ------------------------------------------------------------

    def notify(self, force: bool = False) -> None:
        """Wake every long poll waiting on this queue."""
        if self.waiters or force:
            self._changed.set()
            self._changed = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        """Until a message may have become deliverable, or `timeout` seconds."""
        changed = self._changed
        self.waiters += 1
        try:
            await asyncio.wait_for(changed.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self.waiters -= 1
