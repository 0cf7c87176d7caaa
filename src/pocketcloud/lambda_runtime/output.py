"""The pipe a runtime's stdout and stderr go to, read into timestamped lines.

Read by a callback on the event loop (no task), and on demand: when the
runtime's answer arrives, `read_now()` takes whatever the pipe holds at that
moment. The runtime wrote its output before it sent the answer, so everything
it printed during the invocation is in the pipe then; no turn of the loop (or
guess at how many) is needed to attribute a line to the right invocation.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import time

CHUNK = 65536
# Reads per call at most: a pipe holds 64 KiB (1 MiB if enlarged), so this empties it, while a
# runtime that never stops printing cannot keep the loop in one callback.
MAX_READS = 16
# A "line" longer than this is cut here (CloudWatch Logs' own event limit is 256 KB).
MAX_LINE = 262144


class OutputPipe:
    def __init__(self) -> None:
        self.lines: list[tuple[int, str]] = []
        self._fd: int | None = None
        # Asked before reading: an empty pipe (the usual case) then costs a poll, not a failed
        # read and its exception, twice per invocation.
        self._poll = select.poll()
        self._partial = b""
        self._closed = asyncio.Event()

    def open(self) -> int:
        """A new pipe; returns its write end, for the child (the caller closes it once spawned)."""
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        self._fd = read_fd
        self._poll.register(read_fd, select.POLLIN)
        asyncio.get_running_loop().add_reader(read_fd, self.read_now)
        return write_fd

    def read_now(self) -> None:
        """Take what the pipe holds now, without blocking."""
        fd = self._fd
        if fd is None or not self._poll.poll(0):  # closed, or nothing to read (POLLHUP counts)
            return
        for _ in range(MAX_READS):
            try:
                chunk = os.read(fd, CHUNK)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:  # every writer is gone: the process and all it left behind
                self.close()
                return
            self._split(chunk)
            if len(chunk) < CHUNK:
                return  # the pipe is empty: spare the read that would say so

    def _split(self, chunk: bytes) -> None:
        now = int(time.time() * 1000)
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        if len(self._partial) > MAX_LINE:
            complete.append(self._partial)
            self._partial = b""
        self.lines.extend((now, line.decode("utf-8", "replace")) for line in complete)

    def take(self) -> list[tuple[int, str]]:
        lines, self.lines = self.lines, []
        return lines

    async def wait_closed(self, timeout: float) -> None:
        """Until every writer has closed the pipe (read to its end), at most `timeout` seconds."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._closed.wait(), timeout)

    def close(self) -> None:
        """Stop reading; a last unterminated line is kept as a line."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(Exception):  # the loop may already be closed at shutdown
            asyncio.get_running_loop().remove_reader(fd)
        self._poll.unregister(fd)
        os.close(fd)
        if self._partial:
            self.lines.append((int(time.time() * 1000), self._partial.decode("utf-8", "replace")))
            self._partial = b""
        self._closed.set()
