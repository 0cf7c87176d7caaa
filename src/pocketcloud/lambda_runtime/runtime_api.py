"""The Runtime API listener of one execution environment.

Each environment gets its own listener on 127.0.0.1, so a killed runtime's
pending `next` can never swallow another environment's event. Responses are
written in one piece with TCP_NODELAY set: anything else costs tens of
milliseconds per invocation in delayed ACKs.

    GET  /2018-06-01/runtime/invocation/next             → the next event (waits for it)
    POST /2018-06-01/runtime/invocation/{id}/response    → 202 {"status":"OK"}
    POST /2018-06-01/runtime/invocation/{id}/error       → 202 {"status":"OK"}
    POST /2018-06-01/runtime/init/error                  → 202 {"status":"OK"}
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

PREFIX = "/2018-06-01/runtime/"
_OK = json.dumps({"status": "OK"}).encode()


@dataclass
class Invocation:
    request_id: str
    payload: bytes
    deadline_ms: int
    function_arn: str
    trace_id: str
    client_context: str | None = None
    cognito_identity: str | None = None
    result: asyncio.Future[tuple[str, bytes, dict[str, str]]] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class RuntimeApiServer:
    """Serves one runtime process. `on_next` fires when the runtime asks for work."""

    def __init__(self, on_next: Callable[[], None]) -> None:
        self._queue: asyncio.Queue[Invocation] = asyncio.Queue()
        self._on_next = on_next
        self._server: asyncio.Server | None = None
        self.current: Invocation | None = None
        self.init_error: tuple[bytes, dict[str, str]] | None = None
        self.init_error_event = asyncio.Event()
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def submit(self, invocation: Invocation) -> None:
        self._queue.put_nowait(invocation)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    return
                method, path, _ = request_line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = b""
                if headers.get("transfer-encoding", "").lower() == "chunked":
                    body = await _read_chunked(reader)
                elif headers.get("content-length"):
                    body = await reader.readexactly(int(headers["content-length"]))
                await self._dispatch(method, path, headers, body, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        finally:
            writer.close()

    async def _dispatch(self, method: str, path: str, headers: dict[str, str], body: bytes, writer: asyncio.StreamWriter) -> None:
        route = path[len(PREFIX):] if path.startswith(PREFIX) else ""
        if method == "GET" and route == "invocation/next":
            self._on_next()
            invocation = await self._queue.get()
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
            _write(writer, 200, out, invocation.payload)
            return
        parts = route.split("/")
        if method == "POST" and len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            current = self.current
            if current is None or current.request_id != parts[1] or current.result.done():
                _write(writer, 400, {"Content-Type": "application/json"},
                       json.dumps({"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}).encode())
                return
            current.result.set_result((parts[2], body, headers))
            self.current = None
            _write(writer, 202, {"Content-Type": "application/json"}, _OK)
            return
        if method == "POST" and route == "init/error":
            self.init_error = (body, headers)
            self.init_error_event.set()
            _write(writer, 202, {"Content-Type": "application/json"}, _OK)
            return
        _write(writer, 404, {"Content-Type": "application/json"},
               json.dumps({"errorMessage": "Not found", "errorType": "NotFound"}).encode())


def _write(writer: asyncio.StreamWriter, status: int, headers: dict[str, str], body: bytes) -> None:
    reason = {200: "OK", 202: "Accepted", 400: "Bad Request", 404: "Not Found"}.get(status, "OK")
    head = [f"HTTP/1.1 {status} {reason}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    head.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            await reader.readline()
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readline()


