"""The Runtime API listener of one execution environment.

Each environment gets its own listener on 127.0.0.1, so a killed runtime's
pending `next` can never swallow another environment's event. Responses are
written in one piece with TCP_NODELAY set: anything else costs tens of
milliseconds per invocation in delayed ACKs.

    GET  /2018-06-01/runtime/invocation/next             → the next event (waits for it)
    POST /2018-06-01/runtime/invocation/{id}/response    → 202 {"status":"OK"}
    POST /2018-06-01/runtime/invocation/{id}/error       → 202 {"status":"OK"}
    POST /2018-06-01/runtime/init/error                  → 202 {"status":"OK"}

Each connection is a plain asyncio protocol that parses requests as their bytes
arrive, with no task per connection: the runtime's answer settles the
invocation in the same turn of the loop that read it, and an event submitted
while the runtime waits in `next` is written into that response directly.

A runtime may pipeline its next `next` behind its answer (our Python runtime
sends both in one write). The 202 to the answer is then held and goes out in
the same write as the next event: the runtime has nothing to do between the
two, and each write saved is a wake-up of the runtime saved on every call.
"""

from __future__ import annotations

import asyncio
import collections
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

PREFIX = "/2018-06-01/runtime/"
NEXT = PREFIX + "invocation/next"
MAX_HEAD = 65536
MAX_RESPONSE_BYTES = 6291556  # a synchronous response's limit: 6 MB, and 100 bytes Lambda allows on top
_OK = json.dumps({"status": "OK"}).encode()
# Compact, errorType first, as Lambda's platform (written in Go) answers it.
_TOO_LARGE = json.dumps(
    {
        "errorType": "Function.ResponseSizeTooLarge",
        "errorMessage": f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
    },
    separators=(",", ":"),
).encode()


@dataclass
class Invocation:
    request_id: str
    payload: bytes
    deadline_ms: int
    function_arn: str
    trace_id: str
    client_context: str | None = None
    cognito_identity: str | None = None
    tenant_id: str | None = None  # a tenant-isolated function's (Invoke's TenantId)
    result: asyncio.Future[tuple[str, bytes, dict[str, str]]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    # Called as soon as `result` is set: the waiter learns of it without a turn of the loop in between.
    on_result: Callable[[], None] | None = None


class RuntimeApiServer:
    """Serves one runtime process. `on_next` fires when the runtime asks for work."""

    def __init__(self, on_next: Callable[[], None]) -> None:
        self._queue: collections.deque[Invocation] = collections.deque()
        self._parked: _Connection | None = None  # the connection whose `next` waits for an event
        self._on_next = on_next
        self._server: asyncio.AbstractServer | None = None
        self.current: Invocation | None = None
        self.init_error: tuple[bytes, dict[str, str]] | None = None
        self.init_error_event = asyncio.Event()
        self.port = 0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Connection(self), "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._parked = None

    def submit(self, invocation: Invocation) -> None:
        """Hand the event over: straight into the waiting `next`'s response when there is one,
        else to the runtime's next `next`."""
        parked, self._parked = self._parked, None
        if parked is None or parked.closed or parked.transport.is_closing():
            self._queue.append(invocation)
            return
        self._hand_over(invocation, parked)
        parked.resume()

    def _hand_over(self, invocation: Invocation, conn: _Connection) -> None:
        """Answer a `next` with the event."""
        self.current = invocation
        out = {
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
            "Lambda-Runtime-Trace-Id": invocation.trace_id,
            "Content-Type": "application/json",
        }
        if invocation.client_context:
            out["Lambda-Runtime-Client-Context"] = invocation.client_context
        if invocation.cognito_identity:
            out["Lambda-Runtime-Cognito-Identity"] = invocation.cognito_identity
        if invocation.tenant_id:
            out["Lambda-Runtime-Aws-Tenant-Id"] = invocation.tenant_id
        conn.send(_response(200, out, invocation.payload))

    def _handle(
        self, conn: _Connection, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> None:
        if method == "GET" and path == NEXT:
            self._on_next()
            if self._queue:
                self._hand_over(self._queue.popleft(), conn)
            else:
                conn.parked = True  # read nothing more from it until the event is written
                self._parked = conn
            return
        route = path[len(PREFIX) :] if path.startswith(PREFIX) else ""
        parts = route.split("/")
        if (
            method == "POST"
            and len(parts) == 3
            and parts[0] == "invocation"
            and parts[2] in ("response", "error")
        ):
            current = self.current
            if current is None or current.request_id != parts[1] or current.result.done():
                conn.send(
                    _response(
                        400,
                        {"Content-Type": "application/json"},
                        json.dumps(
                            {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
                        ).encode(),
                    )
                )
                return
            if parts[2] == "response" and len(body) > MAX_RESPONSE_BYTES:
                # Lambda does not pass on a response over its limit: the caller gets this error instead.
                current.result.set_result(("error", _TOO_LARGE, headers))
            else:
                current.result.set_result((parts[2], body, headers))
            self.current = None
            if current.on_result is not None:
                current.on_result()
            # The 202 goes out on the next turn, after the woken invocation has answered its caller
            # (the runtime's next `next` then does not compete with that answer), or with the next
            # event if the runtime has pipelined that `next` by then.
            conn.ack_pending = True
            asyncio.get_running_loop().call_soon(conn.flush_ack)
            return
        if method == "POST" and route == "init/error":
            self.init_error = (body, headers)
            self.init_error_event.set()
            conn.send(_ACCEPTED)
            return
        conn.send(
            _response(
                404,
                {"Content-Type": "application/json"},
                json.dumps({"errorMessage": "Not found", "errorType": "NotFound"}).encode(),
            )
        )


class _Connection(asyncio.Protocol):
    """One runtime connection: HTTP/1.1 requests parsed from the bytes as they come."""

    def __init__(self, api: RuntimeApiServer) -> None:
        self.api = api
        self.buffer = bytearray()
        self.parked = False
        self.closed = False
        self.ack_pending = False  # a 202 owed to the runtime's last answer, not written yet
        self.transport: asyncio.Transport = None  # type: ignore[assignment]  # set by connection_made

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.api._parked is self:
            self.api._parked = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._serve()

    def send(self, data: bytes) -> None:
        """Write one response, behind the 202 still owed (responses go out in request order)."""
        if self.ack_pending:
            self.ack_pending = False
            data = _ACCEPTED + data
        if not self.transport.is_closing():  # the runtime may have died since
            self.transport.write(data)

    def flush_ack(self) -> None:
        """Write the owed 202, unless a pipelined `next` waits behind it: the event will carry it."""
        if self.ack_pending and not self.parked:
            self.send(b"")

    def resume(self) -> None:
        """The parked `next` was answered: go on with whatever the runtime sent since."""
        self.parked = False
        self._serve()

    def _serve(self) -> None:
        while not self.parked and not self.closed:
            try:
                request = _parse(self.buffer)
            except ValueError:  # not HTTP we can read: drop the connection, as a server would
                self.closed = True
                self.transport.close()
                return
            if request is None:
                return
            self.api._handle(self, *request)


def _parse(buffer: bytearray) -> tuple[str, str, dict[str, str], bytes] | None:
    """The first whole request in `buffer` (removed from it), or None while it is incomplete."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > MAX_HEAD:
            raise ValueError("request head too large")
        return None
    request_line, *lines = buffer[:end].decode("latin-1").split("\r\n")
    method, path, _ = request_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    start = end + 4
    if headers.get("transfer-encoding", "").lower() == "chunked":
        found = _dechunk(buffer, start)
        if found is None:
            return None
        body, consumed = found
    else:
        length = int(headers.get("content-length") or 0)
        if length < 0:
            raise ValueError("negative content-length")
        if len(buffer) < start + length:
            return None
        body, consumed = bytes(buffer[start : start + length]), start + length
    del buffer[:consumed]
    return method, path, headers, body


def _dechunk(buffer: bytearray, at: int) -> tuple[bytes, int] | None:
    """A chunked body starting at `at`: (body, where it ends), or None while it is incomplete."""
    parts: list[bytes] = []
    while True:
        eol = buffer.find(b"\r\n", at)
        if eol < 0:
            return None
        size = int(bytes(buffer[at:eol]).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            # Trailers (usually none) end with an empty line.
            end = buffer.find(b"\r\n\r\n", eol)
            if end < 0:
                return None
            return b"".join(parts), end + 4
        if len(buffer) < eol + 2 + size + 2:
            return None
        parts.append(bytes(buffer[eol + 2 : eol + 2 + size]))
        at = eol + 2 + size + 2


_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 404: "Not Found"}
# The answer to every response/error/init-error post, whole.
_ACCEPTED = (
    f"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: {len(_OK)}\r\n\r\n".encode()
    + _OK
)


def _response(status: int, headers: dict[str, str], body: bytes) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode(
            "latin-1"
        )
        + body
    )
