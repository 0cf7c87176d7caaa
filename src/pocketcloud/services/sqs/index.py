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
- `hidden`: the messages whose deadline was in the future when it was set
  (received, or sent with a delay). ApproximateNumberOfMessages* count these
  and drop the ones whose deadline has since passed, so GetQueueAttributes
  costs O(messages in flight or delayed), not O(messages in the queue).
- `records`: how many messages each receive record still speaks for (see
  `state.py`: a receive stores the new state of all its messages in one
  record). A record no message refers to any more is `garbage`, for the next
  write on the queue to delete.

Deadlines and receipt tokens change here only after the store has them.
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from typing import Any


class Entry:
    """What the index knows of one message."""

    __slots__ = ("visible", "token", "sent", "group", "count", "first", "last", "record")

    def __init__(
        self,
        visible: int,
        token: str | None,
        sent: int,
        group: str | None,
        count: int = 0,
        first: int | None = None,
        last: int | None = None,
    ) -> None:
        self.visible = visible  # epoch ms from which it may be delivered
        self.token = token  # the current receipt's token; None until received from this queue
        self.sent = sent  # epoch ms it entered the queue (retention counts from here)
        self.group = group  # FIFO message group
        self.count = count  # receives so far (ApproximateReceiveCount)
        self.first = first  # epoch ms of the first receive, if any
        self.last = last  # epoch ms of the latest receive, if any
        self.record: int | None = None  # the receive record holding this state; None: the document does


class QueueIndex:
    def __init__(self, fifo: bool) -> None:
        self.fifo = fifo
        self.entries: dict[int, Entry] = {}
        self.ready: list[tuple[int, int]] = []
        self.expiry: list[tuple[int, int]] = []
        self.groups: dict[str, deque[int]] = {}
        self.hidden: set[int] = set()
        # FIFO deduplication: key → (expires at ms, message id, sequence number).
        self.dedup: dict[str, tuple[int, str, str | None]] = {}
        # FIFO ReceiveRequestAttemptId → (expires at ms, [(seq, token)]).
        self.attempts: dict[str, tuple[int, list[tuple[int, str]]]] = {}
        # Receive record key (its seq) → how many messages it holds the state of; emptied ones to delete.
        self.records: dict[int, int] = {}
        self.garbage: list[int] = []
        self.waiters = 0
        self._changed = asyncio.Event()
        self._loading: dict[int, Entry] | None = {}
        self._doc_states: dict[int, int] = {}  # while loading: seq → when its document's state was written

    # -- building -------------------------------------------------------------

    def load(self, seq: int, doc: dict[str, Any]) -> None:
        """One stored message, in seq order (while rebuilding from the store)."""
        assert self._loading is not None
        self._loading[seq] = Entry(
            doc["Visible"],
            doc.get("Receipt"),
            doc["Sent"],
            doc.get("Group"),
            doc.get("ReceiveCount", 0),
            doc.get("FirstReceived"),
            doc.get("LastReceived"),
        )
        if "State" in doc:
            self._doc_states[seq] = doc["State"]

    def load_record(self, record: int, rows: list[list[Any]]) -> None:
        """One stored receive record, after the messages and in key (= write) order, so a later
        record's state of a message replaces an earlier one's."""
        assert self._loading is not None
        self.records[record] = 0
        for seq, visible, count, first, last, token in rows:
            entry = self._loading.get(seq)
            if entry is not None and record > self._doc_states.get(seq, 0):
                entry.visible, entry.count, entry.first, entry.last, entry.token = (
                    visible,
                    count,
                    first,
                    last,
                    token,
                )
                self._refer(entry, record)
        if not self.records[record]:
            self._release(record)

    def finish_loading(self) -> None:
        loading, self._loading = self._loading or {}, None
        self._doc_states = {}
        for seq, entry in loading.items():
            self.entries[seq] = entry
            if entry.visible > entry.sent or entry.token is not None:
                self.hidden.add(seq)
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
        if entry.visible > entry.sent:  # delayed
            self.hidden.add(seq)
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
        self.hidden.discard(seq)
        if entry is not None and entry.record is not None:
            self._release(entry.record)
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

    def set_visible(self, seq: int, visible: int, token: str | None, record: int | None) -> None:
        """A message's new deadline and receipt, stored in receive record `record`."""
        entry = self.entries[seq]
        entry.visible = visible
        entry.token = token
        self.hidden.add(seq)
        self._refer(entry, record)
        if not self.fifo or self.groups[entry.group][0] == seq:  # type: ignore[index]
            self._candidate(visible, seq)

    def _refer(self, entry: Entry, record: int | None) -> None:
        old = entry.record
        if old == record:
            return
        entry.record = record
        if record is not None:
            self.records[record] = self.records.get(record, 0) + 1
        if old is not None:
            self._release(old)

    def _release(self, record: int) -> None:
        left = self.records.get(record, 0) - 1
        if left > 0:
            self.records[record] = left
        else:
            self.records.pop(record, None)
            self.garbage.append(record)

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
        inflight = delayed = 0
        entries, shown = self.entries, []
        for seq in self.hidden:
            entry = entries.get(seq)
            if entry is None or entry.visible <= now:
                shown.append(seq)
            elif entry.token is not None:
                inflight += 1
            else:
                delayed += 1
        self.hidden.difference_update(shown)
        return len(entries) - inflight - delayed, inflight, delayed

    def clear(self) -> None:
        self.entries.clear()
        self.ready.clear()
        self.expiry.clear()
        self.groups.clear()
        self.hidden.clear()
        self.attempts.clear()
        self.records.clear()  # their rows went with the queue's
        self.garbage.clear()

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
