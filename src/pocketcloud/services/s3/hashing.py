"""Hashing a large request body beside the event loop, while the next piece is received and written.

An object's MD5 is its ETag, so every byte of a PUT or UploadPart is hashed
before the answer goes out; at a few hundred MB/s single-stream MD5 costs more
than receiving, encrypting and writing the same bytes together. hashlib
releases the GIL while it hashes a buffer, so a worker thread can do it on
another core while the loop goes on receiving: `BodyHasher` feeds every hasher
of one body (MD5 and any flexible checksum) from a queue in a thread of its
own, in order.

Small bodies never see a thread: the first `INLINE_BYTES` are hashed in line,
and only a body that grows past that hands what follows to a worker, in batches
of about `BATCH_BYTES` joined into one buffer: the worker needs the GIL between
two buffers, and waiting for it once per MiB rather than once per received
piece (64-256 KiB) keeps it hashing nearly all the time. The backlog is
bounded (`MAX_BACKLOG` bytes queued and not yet hashed); past it the producer
awaits the worker, so a body arriving faster than it can be hashed is slowed
down instead of held in memory. Pieces are kept until hashed, so they must not
change after `update()` (request bodies are bytes).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from queue import SimpleQueue
from typing import Any, Protocol

INLINE_BYTES = 1024 * 1024
BATCH_BYTES = 1024 * 1024
MAX_BACKLOG = 8 * 1024 * 1024


class Hasher(Protocol):
    def update(self, data: Any, /) -> None: ...


class BodyHasher:
    """Feeds `hashers` the pieces of one body, in order: in line at first, then in a worker thread.

    `update()` each piece, `await room()` now and then (it returns at once unless the backlog
    is full), `await finish()` before reading any digest, and `close()` in a `finally` (it stops
    a worker left running by an error; after `finish()` it does nothing).
    """

    def __init__(self, hashers: Sequence[Hasher]) -> None:
        self._hashers = tuple(hashers)
        self._inline_left = INLINE_BYTES
        self._queue: SimpleQueue[Any] | None = None
        self._batch: list[Any] = []  # pieces not yet handed to the worker
        self._batch_size = 0
        self._lock = threading.Lock()
        self._backlog = 0  # bytes queued for the worker and not yet hashed; guarded by _lock
        self._waiter: asyncio.Future[None] | None = None  # the producer waiting for room; guarded by _lock
        self._done: asyncio.Future[None] | None = None
        self._stopped = False
        self._error: BaseException | None = None

    def update(self, piece: Any) -> None:
        size = len(piece)
        if self._queue is None:
            if size <= self._inline_left:
                self._inline_left -= size
                for hasher in self._hashers:
                    hasher.update(piece)
                return
            self._start()
        self._batch.append(piece)
        self._batch_size += size
        if self._batch_size >= BATCH_BYTES:
            self._hand_over()

    def _hand_over(self) -> None:
        assert self._queue is not None
        batch, size = self._batch, self._batch_size
        self._batch, self._batch_size = [], 0
        with self._lock:
            self._backlog += size
        self._queue.put((batch, size))

    async def room(self) -> None:
        """Returns once the worker's backlog is within MAX_BACKLOG."""
        if self._queue is None:
            return
        loop = asyncio.get_running_loop()
        while True:
            with self._lock:
                if self._backlog <= MAX_BACKLOG or self._error is not None:
                    return
                waiter = self._waiter = loop.create_future()
            await waiter

    async def finish(self) -> None:
        """Returns once every piece given to update() is hashed."""
        if self._queue is None:
            return
        assert self._done is not None
        if self._batch:
            self._hand_over()
        self._queue.put(None)
        await self._done
        self._queue = None
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Stops the worker, if one is still running, without hashing what it has not reached."""
        if self._queue is not None:
            self._stopped = True
            self._queue.put(None)
            self._queue = None

    # -- the worker ---------------------------------------------------------------------

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        self._queue = SimpleQueue()
        self._done = loop.create_future()
        threading.Thread(
            target=self._work, args=(loop, self._queue, self._done), name="s3-body-hash", daemon=True
        ).start()

    def _work(
        self, loop: asyncio.AbstractEventLoop, queue: SimpleQueue[Any], done: asyncio.Future[None]
    ) -> None:
        hashers = self._hashers
        try:
            while (item := queue.get()) is not None:
                if self._stopped:
                    break
                batch, size = item
                # One buffer: hashlib releases the GIL for the whole of it (a copy costs far less).
                buffer = batch[0] if len(batch) == 1 else b"".join(batch)
                for hasher in hashers:
                    hasher.update(buffer)
                with self._lock:
                    self._backlog -= size
                    waiter = self._waiter
                    # Wake the producer once half the backlog is gone, not at every piece.
                    if waiter is not None and self._backlog <= MAX_BACKLOG // 2:
                        self._waiter = None
                    else:
                        waiter = None
                if waiter is not None:
                    _wake(loop, waiter)
        except BaseException as exc:  # handed to finish(), which raises it in the request's task
            with self._lock:
                self._error = exc
                waiter, self._waiter = self._waiter, None
            if waiter is not None:
                _wake(loop, waiter)
        _wake(loop, done)


def _wake(loop: asyncio.AbstractEventLoop, future: asyncio.Future[None]) -> None:
    try:
        loop.call_soon_threadsafe(_resolve, future)
    except RuntimeError:  # the loop is closed: the server is gone, nobody is waiting
        pass


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
