"""The HTTP request and response as the rest of pocketcloud sees them.

`Request` carries the raw path and query string exactly as received (SigV4
signs them), lower-cased headers, and a `Body` that is either read whole or
streamed chunk by chunk, so a large upload is never held in memory. `Response`
is what a serializer returns: a status, headers, and a body that is bytes or an
async iterable of bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

# Whole-body reads are capped: a streaming payload (S3 objects) never goes
# through read(), and nothing else AWS accepts is larger than this.
MAX_BUFFERED_BODY = 128 * 1024 * 1024


class BodyTooLarge(Exception):
    pass


class Body:
    """A request body: `await read()` for all of it, or `async for chunk in body` to stream it.

    Subclasses (aws-chunked decoding, payload-hash checking) override `chunks()`;
    everything else is derived. A body can be consumed once; `read()` caches.
    """

    def __init__(self) -> None:
        self._buffered: bytes | None = None
        self._consumed = False

    async def chunks(self) -> AsyncIterator[bytes]:
        if False:  # pragma: no cover - makes this an async generator
            yield b""

    def __aiter__(self) -> AsyncIterator[bytes]:
        if self._buffered is not None:
            return _single(self._buffered)
        if self._consumed:
            raise RuntimeError("request body already consumed")
        self._consumed = True
        return self.chunks()

    async def read(self, limit: int = MAX_BUFFERED_BODY) -> bytes:
        if self._buffered is None:
            parts: list[bytes] = []
            size = 0
            async for chunk in self:
                size += len(chunk)
                if size > limit:
                    raise BodyTooLarge(size)
                parts.append(chunk)
            self._buffered = b"".join(parts)
        return self._buffered

    @property
    def buffered(self) -> bytes | None:
        """The whole body if it has been read, else None."""
        return self._buffered


async def _single(data: bytes) -> AsyncIterator[bytes]:
    if data:
        yield data


class BytesBody(Body):
    """A body that is already in memory (tests, internal calls)."""

    def __init__(self, data: bytes = b"") -> None:
        super().__init__()
        self._buffered = data


@dataclass
class Request:
    method: str
    path: str  # raw, percent-encoded as sent
    query_string: str  # raw, as sent
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ","
    body: Body = field(default_factory=BytesBody)
    client_ip: str = "127.0.0.1"
    scheme: str = "http"
    _query: list[tuple[str, str]] | None = field(default=None, repr=False)

    @property
    def query(self) -> list[tuple[str, str]]:
        """Decoded query parameters in order, blank values kept."""
        if self._query is None:
            self._query = parse_qsl(self.query_string, keep_blank_values=True)
        return self._query

    def query_value(self, name: str) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return None

    @property
    def decoded_path(self) -> str:
        return unquote(self.path)

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


@dataclass
class Response:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | AsyncIterable[bytes] = b""

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None
