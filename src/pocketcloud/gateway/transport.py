"""uvicorn's httptools protocol with each response's head and first body bytes sent in one write,
and a large request body handed to the app with fewer copies.

uvicorn writes the status line and headers as soon as the app sends
`http.response.start`, and the body in a second write: two syscalls and two
TCP segments per response, and on loopback a second wake-up of the client. An
ASGI app cannot send both in one message, so the connection's transport is
wrapped: a write with nothing held is held back, and the next write sends both
with `writelines` (one `sendmsg`, no copy of the body). Whatever is still held
when the loop next turns (a HEAD answer, `100 Continue`) is written then, and
closing flushes first, so bytes go out in the order they were written.

A request body is read ahead of the app up to `BODY_HIGH_WATER`, and what
arrives while the app is busy is joined once when the app takes it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# How much of a request body may wait for the app before reading pauses (uvicorn's is 64 KiB).
BODY_HIGH_WATER = 1024 * 1024


class _CoalescingTransport:
    """Holds one write until the next write or the next turn of the loop; all else is the transport's."""

    __slots__ = ("_transport", "_loop", "_held")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        held = self._held
        if held is None:
            if data:
                self._held = data
                self._loop.call_soon(self.flush)
            return
        self._held = None
        if data:
            self._transport.writelines((held, data))
        else:
            self._transport.write(held)

    def flush(self) -> None:
        held = self._held
        if held is not None:
            self._held = None
            if not self._transport.is_closing():
                self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing through `_CoalescingTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # Flow control keeps the real transport (it only pauses and resumes reading).
        self.transport = _CoalescingTransport(transport, self.loop)  # type: ignore[assignment]

    def on_body(self, body: bytes) -> None:
        # uvicorn's, with two changes for large uploads. A higher mark: at 64 KiB, reading paused
        # and resumed (two epoll_ctl calls and a turn of the loop) for nearly every piece, and the
        # app received it in as many messages. And pieces are kept as they arrive and joined once
        # when the app takes them (uvicorn appends each to a bytearray and hands the app a bytes
        # copy of that: two copies of every byte); a lone piece is handed on as it is.
        cycle = self.cycle
        if (self.parser.should_upgrade() and self._should_upgrade()) or cycle.response_complete:
            return
        waiting = cycle.body
        if isinstance(waiting, _BodyPieces):
            waiting.add(body)
        elif not waiting:
            cycle.body = body  # type: ignore[assignment]
        else:
            cycle.body = _BodyPieces(waiting, body)  # type: ignore[assignment]
        if len(cycle.body) > BODY_HIGH_WATER:
            self.flow.pause_reading()
        cycle.message_event.set()


class _BodyPieces:
    """Pieces of a request body waiting for the app, in the place of uvicorn's bytearray: its
    `receive` takes `bytes()` of them (one join) and `len()`, and starts afresh after."""

    __slots__ = ("_pieces", "_size")

    def __init__(self, first: bytes | bytearray, second: bytes) -> None:
        self._pieces: list[bytes | bytearray] = [first, second]
        self._size = len(first) + len(second)

    def add(self, piece: bytes) -> None:
        self._pieces.append(piece)
        self._size += len(piece)

    def __len__(self) -> int:
        return self._size

    def __bytes__(self) -> bytes:
        return b"".join(self._pieces)
