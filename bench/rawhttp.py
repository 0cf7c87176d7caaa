"""A raw S3 client for benchmarks: http.client on one keep-alive connection, SigV4 header-signed.

boto3 spends 1–2 ms of client CPU per call and hashes and copies whole bodies,
so on a small machine it, not the server, sets the pace. This client signs
each request itself (SigV4 with `x-amz-content-sha256: UNSIGNED-PAYLOAD`, so a
body is never hashed by the client), streams request bodies from any iterable
of chunks and reads responses into a reusable buffer. The server still
verifies every signature. Keys must be plain ASCII that needs no percent-encoding.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import time
from collections.abc import Iterable, Mapping
from urllib.parse import quote

REGION, SERVICE = "us-east-1", "s3"
UNSIGNED = "UNSIGNED-PAYLOAD"
SIGNED_HEADERS = "host;x-amz-content-sha256;x-amz-date"


class HttpError(RuntimeError):
    def __init__(self, method: str, path: str, status: int, body: bytes) -> None:
        super().__init__(f"{method} {path} answered {status}: {body[:300]!r}")
        self.status = status


class S3Signer:
    """Signs S3 requests for one host with one key (AWS Signature Version 4, header form).

    `service` and `headers(payload_hash=...)` let other services' benchmarks (SQS's JSON
    protocol, whose bodies must be signed) reuse it.
    """

    def __init__(self, host: str, key: str, secret: str, service: str = SERVICE) -> None:
        self.host, self.key, self.secret, self.service = host, key, secret, service
        self._day = ""
        self._signing_key = b""

    def _key_for(self, day: str) -> bytes:
        if day != self._day:
            k = hmac.new(f"AWS4{self.secret}".encode(), day.encode(), hashlib.sha256).digest()
            for part in (REGION, self.service, "aws4_request"):
                k = hmac.new(k, part.encode(), hashlib.sha256).digest()
            self._day, self._signing_key = day, k
        return self._signing_key

    def headers(self, method: str, path: str, query: Mapping[str, str] | None = None,
                payload_hash: str = UNSIGNED) -> dict[str, str]:
        amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        day = amz_date[:8]
        canonical_query = "&".join(
            f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted((query or {}).items())
        )
        canonical = (
            f"{method}\n{path}\n{canonical_query}\n"
            f"host:{self.host}\nx-amz-content-sha256:{payload_hash}\nx-amz-date:{amz_date}\n\n"
            f"{SIGNED_HEADERS}\n{payload_hash}"
        )
        scope = f"{day}/{REGION}/{self.service}/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        signature = hmac.new(self._key_for(day), to_sign.encode(), hashlib.sha256).hexdigest()
        return {
            "Host": self.host,
            "x-amz-date": amz_date,
            "x-amz-content-sha256": payload_hash,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={self.key}/{scope}, "
            f"SignedHeaders={SIGNED_HEADERS}, Signature={signature}",
        }


def target(path: str, query: Mapping[str, str] | None) -> str:
    if not query:
        return path
    return path + "?" + "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" if v else k
                                 for k, v in query.items())


class RawS3:
    """One keep-alive connection to an S3 endpoint on 127.0.0.1, path-style addressing."""

    def __init__(self, port: int, key: str = "test", secret: str = "test", timeout: float = 120.0) -> None:
        self.port = port
        self.signer = S3Signer(f"127.0.0.1:{port}", key, secret)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def close(self) -> None:
        self.conn.close()

    def send(self, method: str, path: str, query: Mapping[str, str] | None = None,
             body: bytes | Iterable[bytes] | None = None, length: int | None = None,
             extra: Mapping[str, str] | None = None) -> http.client.HTTPResponse:
        """Send one request and return the response with its body unread."""
        headers = self.signer.headers(method, path, query)
        if extra:
            headers.update(extra)
        if body is not None:
            size = len(body) if isinstance(body, bytes | bytearray | memoryview) else length
            if size is None:
                raise ValueError("a streamed body needs its length")
            headers["Content-Length"] = str(size)
        self.conn.request(method, target(path, query), body=body, headers=headers)
        return self.conn.getresponse()

    def call(self, method: str, path: str, query: Mapping[str, str] | None = None,
             body: bytes | Iterable[bytes] | None = None, length: int | None = None,
             extra: Mapping[str, str] | None = None, ok: tuple[int, ...] = (200, 204)) -> tuple[http.client.HTTPResponse, bytes]:
        response = self.send(method, path, query, body, length, extra)
        data = response.read()
        if response.status not in ok:
            raise HttpError(method, path, response.status, data)
        return response, data

    def put(self, path: str, body: bytes | Iterable[bytes], length: int | None = None,
            query: Mapping[str, str] | None = None) -> str:
        """PUT a body (bytes, or chunks with `length`); the ETag."""
        response, _ = self.call("PUT", path, query, body, length)
        return response.getheader("ETag") or ""

    def get(self, path: str) -> bytes:
        return self.call("GET", path)[1]

    def get_into(self, path: str, buffer: bytearray) -> int:
        """GET a body by reading it into `buffer` again and again (nothing kept); its size."""
        response = self.send("GET", path)
        if response.status != 200:
            raise HttpError("GET", path, response.status, response.read())
        view, total = memoryview(buffer), 0
        while n := response.readinto(view):
            total += n
        return total
