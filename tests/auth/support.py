"""Helpers for the auth tests: sign with botocore's own signers, hand the result to our Authenticator.

A request is signed exactly as an SDK would sign it (botocore's SigV4Auth,
S3SigV4Auth, SigV4QueryAuth, S3SigV4QueryAuth on an AWSRequest), then turned
into our `Request` with the raw path and query string as they go on the wire
and a body that arrives in small, irregular pieces like ASGI messages do.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import AsyncIterator, Coroutine
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pocketcloud.auth.credentials import CredentialDirectory
from pocketcloud.auth.sigv4 import Authenticator, AuthResult
from pocketcloud.config import Settings
from pocketcloud.gateway.http import Body, Request
from pocketcloud.protocol.errors import ServiceError

KEY, SECRET, ACCOUNT = "test", "test", "000000000000"
ENDPOINT = "http://127.0.0.1:4566"
# Every test runs at this instant unless it says otherwise (botocore signs at it too).
NOW = datetime.datetime(2024, 5, 1, 12, 0, 0)
NOW_TS = NOW.replace(tzinfo=datetime.UTC).timestamp()


class PiecesBody(Body):
    """A body delivered in pieces of the given sizes, cycling, like ASGI messages of odd sizes."""

    def __init__(self, data: bytes, sizes: tuple[int, ...] = (1, 7, 13, 4096, 3)) -> None:
        super().__init__()
        self._data = data
        self._sizes = sizes

    async def chunks(self) -> AsyncIterator[bytes]:
        pos, i = 0, 0
        while pos < len(self._data):
            size = self._sizes[i % len(self._sizes)]
            yield self._data[pos : pos + size]
            pos += size
            i += 1
            await asyncio.sleep(0)


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


def make_auth(
    now: float = NOW_TS, settings: Settings | None = None, **overrides: Any
) -> tuple[Authenticator, CredentialDirectory]:
    settings = settings or Settings(**overrides)
    directory = CredentialDirectory(settings)
    return Authenticator(settings, directory, clock=lambda: now), directory


def sign(
    method: str,
    url: str,
    *,
    service: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    params: list[tuple[str, str]] | None = None,
    key: str = KEY,
    secret: str = SECRET,
    token: str | None = None,
    region: str = "us-east-1",
    presign: int | None = None,
    at: datetime.datetime = NOW,
    signer_service: str | None = None,
) -> AWSRequest:
    """A request signed by botocore at `at`; `presign` = X-Amz-Expires for a presigned URL."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}), params=params or {})
    credentials = Credentials(key, secret, token)
    name = signer_service or service
    s3 = service == "s3"
    if presign is not None:
        signer: SigV4Auth = (S3SigV4QueryAuth if s3 else SigV4QueryAuth)(credentials, name, region, presign)
    else:
        signer = (S3SigV4Auth if s3 else SigV4Auth)(credentials, name, region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=at):
        signer.add_auth(request)
    return request


def to_request(aws: AWSRequest, body: Body | bytes | None = None) -> Request:
    prepared = aws.prepare()
    parts = urlsplit(prepared.url)
    headers = {k.lower(): v.decode() if isinstance(v, bytes) else str(v) for k, v in prepared.headers.items()}
    headers.setdefault("host", parts.netloc)
    raw = prepared.body or b""
    if isinstance(raw, str):
        raw = raw.encode()
    if body is None:
        body = PiecesBody(raw)
    elif isinstance(body, bytes):
        body = PiecesBody(body)
    return Request(
        method=prepared.method, path=parts.path, query_string=parts.query, headers=headers, body=body
    )


def authenticate(
    auth: Authenticator, request: Request, service: str, signing_name: str | None = None
) -> AuthResult:
    result: AuthResult = run(auth.authenticate(request, service, signing_name or service))
    return result


def error(
    auth: Authenticator, request: Request, service: str, signing_name: str | None = None
) -> ServiceError:
    try:
        authenticate(auth, request, service, signing_name)
    except ServiceError as exc:
        return exc
    raise AssertionError("the request was accepted")


async def _drain(body: Body) -> bytes:
    parts = []
    async for piece in body:
        parts.append(piece)
    return b"".join(parts)


def read_body(request: Request) -> bytes:
    data: bytes = run(_drain(request.body))
    return data


def body_error(request: Request) -> ServiceError:
    try:
        read_body(request)
    except ServiceError as exc:
        return exc
    raise AssertionError("the body was accepted")
