"""The retention sweep: the named worker "sqs-retention" that deletes what has outlived its time.

Once a second it deletes messages older than their queue's
MessageRetentionPeriod (from their SentTimestamp) and forgets FIFO
deduplication records and receive attempts past their 5 minutes. Expired
messages are never delivered in between either: a receive checks retention
before it hands a message out. After a restart the worker first loads every
queue's index, so queues no one has called since are swept too.
"""

from __future__ import annotations

import asyncio
import logging

from pocketcloud.services.sqs import fifo
from pocketcloud.services.sqs.state import SqsState, message_key, now_ms

log = logging.getLogger("pocketcloud.sqs")

INTERVAL_SECONDS = 1.0


class RetentionWorker:
    name = "sqs-retention"

    def __init__(self, sqs: SqsState) -> None:
        self.sqs = sqs
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        for queue in self.sqs.all_queues():
            self.sqs.index(queue)
            await asyncio.sleep(0)
        while True:
            try:
                self.sweep(now_ms())
            except Exception:  # a failed sweep is retried on the next tick
                log.exception("sqs retention sweep failed")
            await asyncio.sleep(INTERVAL_SECONDS)

    def sweep(self, now: int) -> int:
        """Delete what has expired at `now`; how many messages went."""
        removed = 0
        for queue in self.sqs.cached_queues():
            index = self.sqs.loaded_index(queue)
            if index is None:
                continue
            expired = index.expired(now - queue.retention_ms)
            keys = fifo.sweep(index, now) if queue.fifo else []
            attempts = fifo.sweep_attempts(index, now) if queue.fifo else []
            if not expired and not keys and not attempts:
                continue
            try:
                with self.sqs.store.transaction():
                    self.sqs.drop_garbage(queue, index)
                    for seq in expired:
                        self.sqs.messages.delete(queue.scope, message_key(seq))
                    for key in keys:
                        self.sqs.dedup.delete(queue.scope, key)
                    for attempt in attempts:
                        self.sqs.attempts.delete(queue.scope, attempt)
            except Exception:
                self.sqs.invalidate(queue)
                raise
            for seq in expired:
                index.remove(seq)
            removed += len(expired)
        return removed
