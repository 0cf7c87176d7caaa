"""uvicorn's httptools protocol with each response's head and first body bytes sent in one write.

uvicorn writes the status line and headers as soon as the app sends
`http.response.start`, and the body in a second write: two syscalls and two
TCP segments per response, and on loopback a second wake-up of the client. An
ASGI app cannot send both in one message, so the connection's transport is
wrapped: a write with nothing held is held back, and the next write sends both
with `writelines` (one `sendmsg`, no copy of the body). Whatever is still held
when the loop next turns (a HEAD answer, `100 Continue`) is written then, and
closing flushes first, so bytes go out in the order they were written.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


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
