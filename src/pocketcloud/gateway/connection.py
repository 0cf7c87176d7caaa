"""One client connection: HTTP/1.1 parsed with httptools, each request handed to `Gateway.handle`.

uvicorn's own protocol speaks ASGI: per request it builds a scope dict, a
request-response cycle, message dicts for the body and for the answer's head
and body, and checks every header it writes against two regular expressions.
That cost more than a tenth of a millisecond of CPU per call, more than half of
what a GetCallerIdentity costs pocketcloud in all (`bench/floor_app.py` against
a bare protocol). This protocol builds the gateway's `Request` straight from
the parser's callbacks and writes the `Response` as it comes: the head and a
bytes body in one write, a streamed body piece by piece.

uvicorn still runs everything around it: the listening socket, the lifespan
(the gateway's ASGI lifespan starts and stops the providers), signals and the
graceful shutdown, for which a connection registers itself and its request
tasks in uvicorn's `ServerState` and answers `shutdown()`, as uvicorn's
protocols do. Its keep-alive timeout and the `date` header it refreshes every
tick are used as they are.

What HTTP/1.1 asks of a server is kept: keep-alive and `Connection: close`,
HTTP/1.0, pipelined requests (answered in order, one at a time), chunked
request bodies (httptools removes the framing), `Expect: 100-continue` (the
interim answer goes out when the app first waits for the body, at once for a
small signed one, and before the answer for an empty one), flow control both ways, HEAD, and a 400 for what does not parse.
An answer sent before its request's body was read (a refusal on the head) ends the connection with a
lingering close: the sending side is shut (FIN after the answer) and what the client still sends is
read and dropped for up to `LINGER_SECONDS`, so that a client still writing its body reads the
answer rather than a reset (closing with unread data makes the kernel send RST).

A request declaring a small body (up to 256 KiB, `_whole_body_first`) is answered
once its body is whole rather than on its head: SDKs write the two apart, and the
request would otherwise wait for its body in a task of its own.
"""

from __future__ import annotations

import asyncio
import contextvars
import http
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Coroutine, Generator
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

import httptools

from pocketcloud.auth.errors import incomplete_body
from pocketcloud.gateway.http import MAX_BUFFERED_BODY, Body, BodyTooLarge, Request, Response
from pocketcloud.protocol.errors import ServiceError

if TYPE_CHECKING:
    from pocketcloud.gateway.app import Gateway

log = logging.getLogger("pocketcloud.gateway")

# How much of a request body may wait for the app before reading pauses.
BODY_HIGH_WATER = 1024 * 1024
# A request declaring a body up to this size is answered once the body is whole (`_whole_body_first`).
WHOLE_BODY_FIRST = 256 * 1024
# A request line and headers beyond this are refused (400) rather than held in memory.
MAX_HEAD_BYTES = 1024 * 1024
# How long a connection answered before its request's body was read drains what still comes.
LINGER_SECONDS = 2.0

# A bytes body up to this size is joined to the head (one write); a larger one is not copied.
_JOIN_MAX = 64 * 1024
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_STATUS_LINES = {
    status.value: f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode() for status in http.HTTPStatus
}
_BAD_REQUEST_HEAD = b"HTTP/1.1 400 Bad Request\r\n"
# What is not HTTP names no service: it is answered with S3's XML error, as S3 answers such bytes
# (quoted from S3, request id and all, in versity/versitygw#1364).
_BAD_REQUEST_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>BadRequest</Code>'
    b"<Message>An error occurred when parsing the HTTP request.</Message></Error>"
)
_BAD_REQUEST_REST = (
    b"content-type: application/xml\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
    % len(_BAD_REQUEST_BODY)
) + _BAD_REQUEST_BODY
_SERVER_ERROR = (
    b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 21\r\nconnection: close\r\n\r\nInternal Server Error"
)


_date_line: tuple[int, bytes] = (0, b"")


def _date_header() -> bytes:
    """The `date` header line of an answer sent now, formatted once a second.

    Not uvicorn's, which it refreshes on a timer and which could read a second earlier than the
    Last-Modified of an object written by the same request.
    """
    global _date_line
    second = int(time.time())
    if second != _date_line[0]:
        _date_line = (second, b"date: %s\r\n" % formatdate(second, usegmt=True).encode())
    return _date_line[1]


def _bad_request() -> bytes:
    """The 400 for what is not HTTP: a 4xx answer carries a Date too (RFC 9110 §6.6.1)."""
    return _BAD_REQUEST_HEAD + _date_header() + _BAD_REQUEST_REST


def _status_line(status: int) -> bytes:
    line = _STATUS_LINES.get(status)
    return line if line is not None else f"HTTP/1.1 {status} \r\n".encode()


def _request_timeout() -> ServiceError:
    return ServiceError(
        "RequestTimeout",
        "Your socket connection to the server was not read from or written to within the timeout period. "
        "Idle connections will be closed.",
        status=400,
    )


class StreamedBody(Body):
    """A request body as the connection receives it: pieces wait here until the app takes them.

    A body that stops arriving (a client that declared more than it sends) fails the read with
    S3's RequestTimeout after the connection's `body_idle_seconds`, rather than holding the
    request open until the client gives up."""

    def __init__(self, connection: HttpConnection, expect_continue: bool) -> None:
        super().__init__()
        self._connection = connection
        self._pieces: deque[bytes] = deque()
        self.waiting = 0  # bytes received and not yet taken by the app
        self._waiter: asyncio.Future[None] | None = None
        self._expect_continue = expect_continue
        # The parser has seen the end of the body; an answer sent before then closes the connection,
        # or what is left of the body would be read as the next request.
        self.complete = False
        self.disconnected = False
        self.cut_short = False  # the client shut down its side with the body incomplete
        self.stalled = False  # the connection waited `body_idle_seconds` for it before answering

    def continue_if_expected(self) -> None:
        """Tell a client that waits for 100 Continue before it sends the body to send it (once)."""
        if self._expect_continue:
            self._expect_continue = False
            self._connection.write(_CONTINUE)

    # -- the connection's side --------------------------------------------------------

    def feed(self, piece: bytes) -> None:
        self._pieces.append(piece)
        self.waiting += len(piece)
        if self.waiting > BODY_HIGH_WATER:
            self._connection.pause_reading()
        self._wake()

    def end(self) -> None:
        self.complete = True
        self._wake()

    def disconnect(self) -> None:
        self.disconnected = True
        self._wake()

    def end_early(self) -> None:
        self.cut_short = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # -- the app's side -----------------------------------------------------------------

    def _take(self) -> bytes:
        pieces = self._pieces
        data = pieces.popleft() if len(pieces) == 1 else b"".join(pieces)
        pieces.clear()
        self.waiting = 0
        self._connection.resume_reading()
        return data

    async def _more(self) -> None:
        """Wait until a piece, the end or a disconnect arrives (RequestTimeout if none does in time)."""
        self.continue_if_expected()
        if self.stalled:
            raise _request_timeout()
        self._connection.resume_reading()
        loop = asyncio.get_running_loop()
        waiter = self._waiter = loop.create_future()
        timer = loop.call_later(self._connection.body_idle_seconds, self._idle, waiter)
        try:
            await waiter
        finally:
            timer.cancel()

    def _idle(self, waiter: asyncio.Future[None]) -> None:
        if not waiter.done():
            self._waiter = None
            waiter.set_exception(_request_timeout())

    async def chunks(self) -> AsyncIterator[bytes]:
        while True:
            if self._pieces:
                yield self._take()
            elif self.complete:
                return
            elif self.disconnected:
                raise ConnectionAbortedError("client disconnected mid-body")
            elif self.cut_short:
                raise incomplete_body()  # the client can still read S3's answer to it
            else:
                await self._more()

    async def read(self, limit: int = MAX_BUFFERED_BODY) -> bytes:
        # Most bodies have arrived whole by the time the request is handled: no iteration then.
        if self._buffered is None and not self._consumed and self.complete:
            self._consumed = True
            data = self._take() if self._pieces else b""
            if len(data) > limit:
                raise BodyTooLarge(len(data))
            self._buffered = data
        return await super().read(limit)


def _signed(request: Request) -> bool:
    """Whether a request carries a signature (a header or a presigned URL, SigV4 or SigV2)."""
    return bool(request.headers.get("authorization")) or "Signature=" in request.query_string


class _Suspended:
    """A coroutine that ran up to its first wait outside any task, awaited to its end by one: each
    future it waits on passes through to the task, and what the task sends or throws back (a
    result, a cancellation) passes on to the coroutine."""

    __slots__ = ("coroutine", "awaited")

    def __init__(self, coroutine: Coroutine[Any, Any, None], awaited: Any) -> None:
        self.coroutine = coroutine
        self.awaited = awaited

    def __await__(self) -> Generator[Any, Any, None]:
        coroutine, awaited = self.coroutine, self.awaited
        while True:
            try:
                try:
                    sent = yield awaited
                except BaseException as error:
                    awaited = coroutine.throw(error)
                else:
                    awaited = coroutine.send(sent)
            except StopIteration:
                return


async def _resumed(coroutine: Coroutine[Any, Any, None], awaited: Any) -> None:
    await _Suspended(coroutine, awaited)


class _Pending:
    """A request parsed (its head at least) and not yet answered."""

    __slots__ = ("request", "body", "keep_alive", "http_1_0")

    def __init__(self, request: Request, body: StreamedBody, keep_alive: bool, http_1_0: bool) -> None:
        self.request = request
        self.body = body
        self.keep_alive = keep_alive
        self.http_1_0 = http_1_0  # no chunked answers, no 100 Continue


class HttpConnection(asyncio.Protocol):
    """uvicorn's protocol-class interface (constructed with its config and server state), speaking to
    the gateway directly."""

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: dict[str, Any] | None = None,
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.gateway: Gateway = config.app
        self.server_state = server_state
        self.keep_alive_seconds: float = config.timeout_keep_alive
        self.body_idle_seconds: float = self.gateway.runtime.settings.body_idle_seconds
        self.loop = _loop or asyncio.get_event_loop()
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.client_ip = "127.0.0.1"
        # The request being parsed.
        self._url = b""
        self._headers: dict[str, str] = {}  # as `Request` keeps them (`on_header`)
        self._expect_continue = False
        self._head_bytes = 0
        self._receiving: _Pending | None = None  # the request whose body is arriving
        # Requests waiting for their turn, and the one being answered.
        self._queue: deque[_Pending] = deque()
        self._current: _Pending | None = None
        self._reading_paused = False
        self._writing_paused: asyncio.Future[None] | None = None
        self._keep_alive_timer: asyncio.TimerHandle | None = None
        self._closed = False
        self._head_written = False  # of the answer in hand
        self._streaming: Any = None  # the streamed body being written, if any
        self._arrived: _Pending | None = None  # parsed by this data_received, answered once it is fed
        self._deferred: _Pending | None = None  # answered once its body is whole (`_whole_body_first`)
        self._deferred_timer: asyncio.TimerHandle | None = None
        self._last_piece = 0.0  # loop time at which the deferred request's body last grew
        self._broken = False  # what followed the requests in hand did not parse: 400 once they are answered
        self._lingering = False  # answered before the body was read: what arrives is dropped (`_linger`)

    # -- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.server_state.connections.add(self)
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and peer:
            self.client_ip = str(peer[0])

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self.server_state.connections.discard(self)
        self._cancel_keep_alive()
        self._end_deferral()  # nobody is left to answer
        for pending in (self._current, *self._queue):
            if pending is not None and not pending.body.complete:
                pending.body.disconnect()
        if self._receiving is not None:
            self._receiving.body.disconnect()
        if self._writing_paused is not None and not self._writing_paused.done():
            self._writing_paused.set_result(None)
        self._end_stream()

    def eof_received(self) -> bool | None:
        """The client shut down its sending side (a half-close) and may still read: the requests in
        hand are answered and the connection closes after the last. A body cut short by it fails
        with S3's IncompleteBody, as a client that sends less than its Content-Length is answered."""
        last = self._queue[-1] if self._queue else self._current
        if last is None or self._lingering:
            return None  # nothing (more) to answer: the transport closes
        last.keep_alive = False  # nothing can follow it
        receiving, self._receiving = self._receiving, None
        if receiving is not None and not receiving.body.complete:
            receiving.body.end_early()
        self._answer_deferred()
        return True  # keep the transport open to write the answers

    def _end_stream(self) -> None:
        """Tell a streamed body that can end early (an event stream with no end of its own, such as
        CloudWatch Logs' Live Tail: `end_stream`) that the client left or the server is stopping,
        so that it ends now rather than when its next piece finds the connection gone."""
        end = getattr(self._streaming, "end_stream", None)
        if end is not None:
            end()

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            return  # the rest of a body no one will read
        self._cancel_keep_alive()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            pass  # no protocol to switch to: the request is answered as an ordinary one
        except httptools.HttpParserError:
            self._parse_failed()
        arrived, self._arrived = self._arrived, None
        if arrived is not None:
            self._answer_now(arrived)
        elif self._deferred is not None and self._deferred_timer is None:
            self._wait_for_body()  # the head came without (all of) the body

    def _parse_failed(self) -> None:
        """What came in is not HTTP. A request whose body broke off is answered as a client that left
        (the gateway's 400) and the connection then closed; a request head that does not parse is
        answered 400 once the requests before it are."""
        self.pause_reading()
        receiving, self._receiving = self._receiving, None
        if receiving is not None:
            receiving.keep_alive = False
            receiving.body.disconnect()
            self._answer_deferred()
        elif self._current is None:
            self.write(_bad_request())
            if self.transport is not None:
                self.transport.close()
        else:
            self._broken = True
            for pending in self._queue:
                pending.keep_alive = False

    def pause_writing(self) -> None:
        if self._writing_paused is None:
            self._writing_paused = self.loop.create_future()

    def resume_writing(self) -> None:
        waiter, self._writing_paused = self._writing_paused, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- httptools callbacks ------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._url = b""
        if self._headers:  # a trailer's fields (`on_headers_complete` hands each request a new dict)
            self._headers = {}
        self._expect_continue = False
        self._head_bytes = 0

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._count_head(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        # Kept as `Request` keeps them: lower-cased names, a repeated header's values joined with ","
        # (RFC 9110 §5.3). httptools drops the whitespace before a value, not the whitespace after it,
        # which is no part of the value either (RFC 9110 §5.5): S3 would keep it in user metadata.
        self._count_head(len(name) + len(value))
        key, text = name.decode("latin-1").lower(), value.decode("latin-1").rstrip(" \t")
        headers = self._headers
        if key in headers:
            headers[key] = f"{headers[key]},{text}"
        else:
            headers[key] = text
        if key == "expect" and text.lower() == "100-continue":
            self._expect_continue = True

    def _count_head(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > MAX_HEAD_BYTES:
            raise httptools.HttpParserError("request head too large")  # answered 400

    def on_headers_complete(self) -> None:
        parser = self.parser
        url = httptools.parse_url(self._url)  # an HttpParserError (400) if it is no URL
        body = StreamedBody(self, self._expect_continue)
        # The request's own dict: the trailer fields of a chunked body come through `on_header` too,
        # after the request may have been checked, and go into one that nothing reads.
        headers, self._headers = self._headers, {}
        request = Request(
            method=parser.get_method().decode("ascii"),
            path=url.path.decode("latin-1"),
            query_string=(url.query or b"").decode("latin-1"),
            headers=headers,
            body=body,
            client_ip=self.client_ip,
        )
        http_1_0 = parser.get_http_version() == "1.0"
        if http_1_0:
            body._expect_continue = False
        pending = _Pending(request, body, not http_1_0 and parser.should_keep_alive(), http_1_0)
        self._receiving = pending
        if self._current is None:
            # Answered when data_received has fed the parser all it got: most bodies arrive in the
            # same read as their head, and are then whole when the gateway reads them.
            self._current = pending
            self._head_written = False
            if self._whole_body_first(request, body._expect_continue):
                self._deferred = pending
            else:
                self._arrived = pending
        else:  # pipelined: answered after the one in hand; read nothing more until then
            self._queue.append(pending)
            self.pause_reading()

    def on_body(self, body: bytes) -> None:
        receiving = self._receiving
        if receiving is not None:
            receiving.body.feed(body)
            if receiving is self._deferred and self._deferred_timer is not None:
                self._last_piece = self.loop.time()

    def on_message_complete(self) -> None:
        receiving = self._receiving
        if receiving is not None:
            receiving.body.end()
            self._receiving = None
            if receiving is self._deferred:
                self._end_deferral()
                self._arrived = receiving

    # -- a small body read whole before its request is answered ---------------------------

    @staticmethod
    def _whole_body_first(request: Request, expect_continue: bool) -> bool:
        """Whether to read the body whole before answering: a small declared body. SDKs write a
        request's head and body in two writes, or wait for 100 Continue before the body (boto3's S3
        uploads), so the body often arrives in a read of its own; answered on its head, the request
        would wait for it in a task of its own and another turn of the event loop (3-5% of the server
        CPU of an STS or SQS call through boto3, 7% of a 1 KiB PUT, measured A/B in one run). A small
        body that waits for 100 Continue is asked for at once (`data_received`), before the request
        is checked: a refusal then comes after the body, where it came instead of it, which costs
        little for so small a body (larger ones are still answered on their head).

        An unsigned request that waits for 100 Continue is answered on its head whatever its size:
        S3 refuses one that the bucket does not allow before asking for its body (ceph s3-tests'
        test_100_continue reads 403, not 100, for an anonymous PUT to a private bucket)."""
        length = request.headers.get("content-length")
        if length is None or not length.isdigit() or not 0 < int(length) <= WHOLE_BODY_FIRST:
            return False
        return not expect_continue or _signed(request)

    def _wait_for_body(self) -> None:
        """The deferred request's body is still to come: ask for it if the client waits for 100
        Continue, and give it `body_idle_seconds` to grow (most bodies come with their head, and
        never need the timer)."""
        deferred = self._deferred
        assert deferred is not None
        deferred.body.continue_if_expected()
        self._last_piece = self.loop.time()
        self._deferred_timer = self.loop.call_later(self.body_idle_seconds, self._deferred_idle)

    def _deferred_idle(self) -> None:
        """The deferred request's body stopped arriving: answer it now if it has been idle for
        `body_idle_seconds` (its read then fails with RequestTimeout), else wait for the rest."""
        self._deferred_timer = None
        pending = self._deferred
        if pending is None:
            return
        idle_until = self._last_piece + self.body_idle_seconds
        if self.loop.time() < idle_until:
            self._deferred_timer = self.loop.call_at(idle_until, self._deferred_idle)
            return
        pending.body.stalled = True
        self._answer_deferred()

    def _answer_deferred(self) -> None:
        """Answer the deferred request now, whatever of its body is in (a half-close, a body that
        does not parse, or one that stalled decides how its read fails)."""
        pending = self._deferred
        if pending is not None:
            self._end_deferral()
            self._answer_now(pending)

    def _end_deferral(self) -> None:
        self._deferred = None
        if self._deferred_timer is not None:
            self._deferred_timer.cancel()
            self._deferred_timer = None

    # -- answering ----------------------------------------------------------------------

    def _answer_now(self, pending: _Pending) -> None:
        """Answer `pending` right here, and make it a task only if it has to wait (for the rest of
        its body, a long poll, a function's invocation...). Most requests never wait: they are
        answered without a task and without another turn of the event loop (6-8% less server CPU
        per S3 PUT/GET or SQS call, measured against the task per request; Python 3.12's eager tasks
        do the same)."""
        context = contextvars.copy_context()  # what the request sets (its memo) stays its own
        answer = self._answer(pending)
        try:
            awaited = context.run(answer.send, None)
        except StopIteration:
            return  # answered
        self._track(self.loop.create_task(_resumed(answer, awaited), context=context))

    def _start(self, pending: _Pending) -> None:
        """Answer `pending` in a task of its own (a pipelined request whose turn has come)."""
        self._current = pending
        self._head_written = False
        self._track(self.loop.create_task(self._answer(pending)))

    def _track(self, task: asyncio.Task[None]) -> None:
        # uvicorn's graceful shutdown waits for (and finally cancels) the tasks in its server state.
        tasks = self.server_state.tasks
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _answer(self, pending: _Pending) -> None:
        request = pending.request
        try:
            response = await self.gateway.handle(request)
            if not pending.body.complete:
                pending.keep_alive = False  # the rest of an unread body must not be taken for a request
            await self._write_response(request, response, pending)
        except BaseException as error:
            # Whatever it was (a bug, or the task cancelled), the connection must not be left waiting.
            if isinstance(error, Exception):
                log.exception("unhandled error answering %s %s", request.method, request.path)
            if not self._head_written:
                self.write(_SERVER_ERROR)
            self._current = None
            if self.transport is not None:
                self.transport.close()  # an answer broken off mid-body cannot be finished
            if not isinstance(error, Exception):
                raise
            return
        self._done(pending)

    async def _write_response(self, request: Request, response: Response, pending: _Pending) -> None:
        if self._writing_paused is not None:  # the client is not reading: hold the answer back, not in memory
            await self._writing_paused
        status = response.status
        body = response.body
        data = bytes(body) if isinstance(body, bytes | bytearray) else None  # None: streamed
        streamed = data is None
        # HEAD, 1xx, 204 and 304 answers have no body (RFC 9110 §6.4.1), whatever the app gave.
        bodiless = request.method == "HEAD" or status < 200 or status in (204, 304)
        lines = [_status_line(status), _date_header()]
        length: int | None = None
        for name, value in response.headers:
            text = str(value)
            if "\n" in text or "\r" in text:
                raise ValueError(f"invalid value for response header {name!r}")
            lower = name.lower()
            if lower == "content-length":
                if status < 200 or status == 204:
                    continue  # never sent with these (RFC 9110 §8.6)
                length = int(text)
            elif lower == "connection":
                if "close" in text.lower():
                    pending.keep_alive = False
                continue  # written below, once
            elif lower == "transfer-encoding":
                continue  # the framing is decided here
            lines.append(f"{lower}: {text}\r\n".encode("latin-1"))
        chunked = False
        if bodiless:
            pass
        elif data is not None:
            if length is None:
                length = len(data)
                lines.append(b"content-length: %d\r\n" % length)
            elif length != len(data):
                log.error(
                    "%s %s: body of %d bytes, content-length %d",
                    request.method,
                    request.path,
                    len(data),
                    length,
                )
                pending.keep_alive = False
        elif length is None:
            if pending.http_1_0:
                pending.keep_alive = False  # HTTP/1.0 has no chunks: the answer ends with the connection
            else:
                chunked = True
                lines.append(b"transfer-encoding: chunked\r\n")
        if not pending.keep_alive:
            lines.append(b"connection: close\r\n")
        lines.append(b"\r\n")
        self._head_written = True
        head = b"".join(lines)
        request_body = pending.body
        if request_body._expect_continue and request_body.complete:
            # A client told to wait for 100 Continue whose body the app never waited for (an empty
            # one) still gets it before the answer. botocore before 1.44, answered without it on a
            # connection kept open, parses the next answer on that connection against this one's
            # status line and waits out its read timeout (60 s) for a body; the AWS CLI v1 bundles it.
            request_body._expect_continue = False
            head = _CONTINUE + head
        if bodiless or data == b"":
            self.write(head)
            if streamed and (close := getattr(body, "aclose", None)) is not None:
                await close()
        elif data is not None:
            if len(data) <= _JOIN_MAX:
                self.write(head + data)
            elif not self._closed and self.transport is not None and not self.transport.is_closing():
                self.transport.writelines((head, data))  # one sendmsg, no copy
        else:
            self.write(head)
            await self._write_stream(request, body, length, chunked, pending)
        if self._writing_paused is not None:  # read nothing more until this answer has gone out
            await self._writing_paused

    async def _write_stream(
        self, request: Request, body: Any, length: int | None, chunked: bool, pending: _Pending
    ) -> None:
        """A streamed body, piece by piece as the client takes it; exactly `length` bytes if given
        (a body that ends short or runs long closes the connection: the client would otherwise take
        the next answer for the rest of this one)."""
        sent = 0
        self._streaming = body
        try:
            async for chunk in body:
                if not chunk:
                    continue
                if self._closed:
                    break
                if length is not None and sent + len(chunk) > length:
                    chunk = chunk[: length - sent]
                    pending.keep_alive = False
                sent += len(chunk)
                self.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                if self._writing_paused is not None:
                    await self._writing_paused
                if not pending.keep_alive and length is not None and sent >= length:
                    break
        finally:
            self._streaming = None
            close = getattr(body, "aclose", None)
            if close is not None:
                await close()
        if chunked:
            self.write(b"0\r\n\r\n")
        elif length is not None and sent != length and not self._closed:
            # A body that ended short or ran long by itself (a client that went away is no error).
            log.error(
                "%s %s: answer of %d bytes, content-length %d", request.method, request.path, sent, length
            )
            pending.keep_alive = False

    def _done(self, pending: _Pending) -> None:
        self.server_state.total_requests += 1
        self._current = None
        if self._closed or self.transport is None:
            return
        if self._queue and pending.keep_alive:
            self._start(self._queue.popleft())
            if not self._queue and not self._broken:
                self.resume_reading()
            return
        if self._broken:
            self.write(_bad_request())
            pending.keep_alive = False
        if not pending.keep_alive:
            if pending.body.complete or pending.body.disconnected or not self._linger():
                self.transport.close()
            return
        self.resume_reading()
        self._keep_alive_timer = self.loop.call_later(self.keep_alive_seconds, self._idle_timeout)

    def _linger(self) -> bool:
        """End a connection whose client may still be sending the body of the request just answered:
        shut the sending side (the client reads the answer, then the end) and drop what still comes
        until the client ends its side or `LINGER_SECONDS` pass. False if the transport cannot."""
        transport = self.transport
        if transport is None or transport.is_closing() or not transport.can_write_eof():
            return False
        self._lingering = True
        transport.write_eof()
        self._reading_paused = False
        transport.resume_reading()
        # In the keep-alive timer's place (there is no keep-alive now): cancelled if the client ends first.
        self._keep_alive_timer = self.loop.call_later(LINGER_SECONDS, transport.close)
        return True

    # -- helpers ------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        if not self._closed and self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def pause_reading(self) -> None:
        if not self._reading_paused and self.transport is not None:
            self._reading_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self._reading_paused and not self._queue and self.transport is not None:
            receiving = self._receiving
            if receiving is not None and receiving.body.waiting > BODY_HIGH_WATER:
                return
            self._reading_paused = False
            self.transport.resume_reading()

    def _cancel_keep_alive(self) -> None:
        if self._keep_alive_timer is not None:
            self._keep_alive_timer.cancel()
            self._keep_alive_timer = None

    def _idle_timeout(self) -> None:
        self._keep_alive_timer = None
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def shutdown(self) -> None:
        """The server is stopping: close now if idle, else once the answer in hand has gone out
        (an endless event stream is told to end)."""
        self._end_stream()
        if self._current is None:
            if self.transport is not None:
                self.transport.close()
        else:
            self._current.keep_alive = False
            for pending in self._queue:
                pending.keep_alive = False
