"""The pipes a runtime's output goes to, read into timestamped lines: stdout and stderr, and
for Python and Node.js runtimes AWS's telemetry log channel (framed records, `telemetry.py`).

Read by callbacks on the event loop (no task), and on demand: when the runtime's answer
arrives, `read_now()` takes whatever the pipes hold at that moment. The runtime wrote its
output before it sent the answer, so everything it printed or logged during the invocation
is in the pipes then; no turn of the loop (or guess at how many) is needed to attribute a
line to the right invocation.

The two pipes are merged in the order they are read, and the stamps never go back: a line
of stdout is stamped when it is read, a framed record with the time in its header (or the
last stamp given, if later). Read together, what was printed goes before the records: the
[ERROR] record of an unhandled exception is the last thing a runtime writes before it answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import time
from collections.abc import Callable

from pocketcloud.lambda_runtime.telemetry import cut_short, split_frames

CHUNK = 65536
# Reads per call at most: a pipe holds 64 KiB (1 MiB if enlarged), so this empties it, while a
# runtime that never stops printing cannot keep the loop in one callback.
MAX_READS = 16
# A "line" longer than this is cut here (CloudWatch Logs' own event limit is 256 KB).
MAX_LINE = 262144


class OutputPipe:
    def __init__(self) -> None:
        self.lines: list[tuple[int, str]] = []
        self._fd: int | None = None  # stdout and stderr
        self._telemetry_fd: int | None = None
        # Asked before reading, for both pipes at once: empty pipes (the usual case) then cost one
        # poll, not failed reads and their exceptions, twice per invocation.
        self._poll = select.poll()
        self._partial = b""  # a line of stdout in part
        self._frames = bytearray()  # a telemetry frame in part (grown in place: no quadratic copies)
        # Bytes of a frame cut at MAX_LINE still to come: dropped as they arrive, never held, as the
        # length in a header is the function's word and may claim gigabytes. Nonzero only when
        # `_frames` is empty.
        self._skip = 0
        self._last_ms = 0  # the latest stamp given
        self._closed = asyncio.Event()

    def open(self) -> int:
        """A new pipe for stdout and stderr; returns its write end, for the child (the caller closes it once spawned)."""
        self._fd, write_fd = self._pipe(self._read_output)
        return write_fd

    def open_telemetry(self) -> int:
        """A new pipe for the telemetry log channel; returns its write end, as `open` does."""
        self._telemetry_fd, write_fd = self._pipe(self._read_telemetry)
        return write_fd

    def _pipe(self, on_readable: Callable[[], None]) -> tuple[int, int]:
        """(read end, write end) of a new pipe whose read end is polled and read by `on_readable`."""
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        self._poll.register(read_fd, select.POLLIN)
        asyncio.get_running_loop().add_reader(read_fd, on_readable)
        return read_fd, write_fd

    def read_now(self) -> None:
        """Take what the pipes hold now, without blocking: what was printed, then the records."""
        ready = self._poll.poll(0)  # POLLHUP counts: a pipe at its end is read to close it
        if not ready:
            return
        if len(ready) == 1:
            self._read_output() if ready[0][0] == self._fd else self._read_telemetry()
            return
        self._read_output()
        self._read_telemetry()

    def _read_output(self) -> None:
        fd = self._fd
        if fd is not None and _drain(fd, self._split):
            self._close_output()

    def _split(self, chunk: bytes) -> None:
        now = self._last_ms = max(int(time.time() * 1000), self._last_ms)
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        if len(self._partial) > MAX_LINE:
            complete.append(self._partial)
            self._partial = b""
        self.lines.extend((now, line.decode("utf-8", "replace")) for line in complete)

    def _read_telemetry(self) -> None:
        fd = self._telemetry_fd
        if fd is None:
            return
        gone = _drain(fd, self._take_frames)
        if self._frames:
            records, taken, self._skip = split_frames(self._frames, MAX_LINE)
            del self._frames[:taken]
            self._add_records(records)
        if gone:
            self._close_telemetry()  # a frame cut short by the end becomes a line of its own

    def _take_frames(self, chunk: bytes) -> None:
        skip = self._skip
        if skip:
            if len(chunk) <= skip:
                self._skip = skip - len(chunk)
                return
            self._skip = 0
            self._frames += memoryview(chunk)[skip:]
            return
        self._frames += chunk

    def _add_records(self, records: list[tuple[int, str]]) -> None:
        last = self._last_ms
        for stamp, message in records:
            last = max(stamp, last)
            self.lines.append((last, message))
        self._last_ms = last

    def take(self) -> list[tuple[int, str]]:
        lines, self.lines = self.lines, []
        return lines

    async def wait_closed(self, timeout: float) -> None:
        """Until every writer has closed the pipes (read to their end), at most `timeout` seconds."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._closed.wait(), timeout)

    def close(self) -> None:
        """Stop reading; a last unterminated line (or a frame cut short) is kept as a line."""
        self._close_output()
        self._close_telemetry()

    def _close_output(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        self._stop(fd)
        if self._partial:
            self._split(b"\n")
        if self._telemetry_fd is None:
            self._closed.set()

    def _close_telemetry(self) -> None:
        fd, self._telemetry_fd = self._telemetry_fd, None
        if fd is None:
            return
        self._stop(fd)
        text = cut_short(self._frames, MAX_LINE)
        self._frames, self._skip = bytearray(), 0
        if text:
            self._add_records([(int(time.time() * 1000), text)])
        if self._fd is None:
            self._closed.set()

    def _stop(self, fd: int) -> None:
        with contextlib.suppress(Exception):  # the loop may already be closed at shutdown
            asyncio.get_running_loop().remove_reader(fd)
        self._poll.unregister(fd)
        os.close(fd)


def _drain(fd: int, take: Callable[[bytes], None]) -> bool:
    """Hand what the pipe holds now to `take`, without blocking; True once every writer is gone
    (the process and all it left behind)."""
    for _ in range(MAX_READS):
        try:
            chunk = os.read(fd, CHUNK)
        except BlockingIOError:
            return False
        except OSError:
            chunk = b""
        if not chunk:
            return True
        take(chunk)
        if len(chunk) < CHUNK:
            return False  # the pipe is empty: spare the read that would say so
    return False
