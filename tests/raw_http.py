"""Raw HTTP for wire-level tests: SigV4-signed requests built byte by byte, sent on a socket.

botocore never sends what these tests send (a body cut short, a header it would refuse to
serialize, a percent-escape that is no UTF-8), so the request is written here: signed with
botocore's own signer where the request is ordinary enough, and the answer read back whole.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import re
import socket
import time
from typing import Any
from urllib.parse import urlsplit

from tests.conftest import ROOT_KEY, ROOT_SECRET

REGION = "us-east-1"
UNSIGNED = "UNSIGNED-PAYLOAD"


def _signing_key(day: str, service: str) -> bytes:
    key = hmac.digest(f"AWS4{ROOT_SECRET}".encode(), day.encode(), "sha256")
    for part in (REGION, service, "aws4_request"):
        key = hmac.digest(key, part.encode(), "sha256")
    return key


def signed_headers(
    endpoint: str,
    method: str,
    target: str,
    service: str,
    payload_hash: str,
    headers: dict[str, str] | None = None,
    amz_date: str | None = None,
) -> tuple[dict[str, str], str]:
    """The headers of a SigV4-signed request (path and query as given, already encoded), and its signature.

    Only simple targets are supported: the query's names and values must need no re-encoding.
    """
    host = urlsplit(endpoint).netloc
    amz_date = amz_date or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path, _, query = target.partition("?")
    all_headers = {k.lower(): v for k, v in (headers or {}).items()}
    all_headers.update({"host": host, "x-amz-date": amz_date})
    if service == "s3":
        all_headers["x-amz-content-sha256"] = payload_hash
    names = sorted(n for n in all_headers if n == "host" or n.startswith("x-amz-") or n == "content-type")
    pairs = sorted(tuple(p.partition("=")[::2]) for p in query.split("&") if p)
    canonical_query = "&".join(f"{k}={v}" for k, v in pairs)
    canonical = "\n".join(
        [
            method,
            path,
            canonical_query,
            "".join(f"{n}:{all_headers[n].strip()}\n" for n in names),
            ";".join(names),
            payload_hash,
        ]
    )
    scope = f"{amz_date[:8]}/{REGION}/{service}/aws4_request"
    to_sign = (
        f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode('latin-1')).hexdigest()}"
    )
    signature = hmac.new(_signing_key(amz_date[:8], service), to_sign.encode(), hashlib.sha256).hexdigest()
    all_headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={ROOT_KEY}/{scope}, SignedHeaders={';'.join(names)}, Signature={signature}"
    )
    return all_headers, signature


def signed_head(
    endpoint: str,
    method: str,
    target: str,
    service: str,
    payload_hash: str,
    headers: dict[str, str] | None = None,
    amz_date: str | None = None,
) -> tuple[bytes, str]:
    """The head of a SigV4-signed request (see `signed_headers`), and its signature."""
    all_headers, signature = signed_headers(
        endpoint, method, target, service, payload_hash, headers, amz_date
    )
    lines = [f"{method} {target} HTTP/1.1", *(f"{k}: {v}" for k, v in all_headers.items())]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1"), signature


def signed_request(
    endpoint: str,
    method: str,
    target: str,
    service: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    content_length: int | None = None,
) -> bytes:
    """A whole signed request; the payload is signed (its SHA-256) except for S3, which sends UNSIGNED-PAYLOAD."""
    payload_hash = UNSIGNED if service == "s3" else hashlib.sha256(body).hexdigest()
    head, _ = signed_head(endpoint, method, target, service, payload_hash, headers)
    length = len(body) if content_length is None else content_length
    return head + f"content-length: {length}\r\n\r\n".encode() + body


def chunk_signer(signature: str, amz_date: str, service: str = "s3"):
    """Signs aws-chunked chunks in a chain starting at the request's (seed) signature."""
    key = _signing_key(amz_date[:8], service)
    scope = f"{amz_date[:8]}/{REGION}/{service}/aws4_request"
    empty = hashlib.sha256(b"").hexdigest()
    previous = [signature]

    def sign(chunk: bytes) -> str:
        to_sign = (
            f"AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n{previous[0]}\n{empty}\n"
            f"{hashlib.sha256(chunk).hexdigest()}"
        )
        previous[0] = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return previous[0]

    return sign


def exchange(endpoint: str, data: bytes, half_close: bool = False) -> tuple[int, dict[str, str], bytes]:
    """Send `data` on a new connection (then shut down the sending side if `half_close`) and read one answer."""
    address = urlsplit(endpoint)
    with socket.create_connection((address.hostname, address.port), timeout=20) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            piece = sock.recv(65536)
            if not piece:
                raise ConnectionError(f"connection closed without an answer (read {buffer!r})")
            buffer += piece
        head, _, body = buffer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            piece = sock.recv(65536)
            if not piece:
                break
            body += piece
    return int(status_line.split()[1]), headers, body


def error_code(body: bytes) -> str:
    """The error code of an XML or JSON error answer."""
    match = re.search(rb"<Code>([^<]*)</Code>", body) or re.search(
        rb'"__type"\s*:\s*"(?:[^"#]*#)?([^"]*)"', body
    )
    return match.group(1).decode() if match else ""


def error_message(body: bytes) -> str:
    """The message of an XML error answer ("" without one)."""
    match = re.search(rb"<Message>([^<]*)</Message>", body)
    return match.group(1).decode() if match else ""


class JsonConnection:
    """One keep-alive connection to a JSON-protocol service (SQS: `AmazonSQS`, json 1.0), each call
    SigV4-signed with its body's SHA-256, for tests that make tens of thousands of calls: boto3 spends
    over a millisecond of client CPU per call, which then sets the test's pace, not the server."""

    def __init__(self, endpoint: str, service: str, target_prefix: str, json_version: str = "1.0") -> None:
        address = urlsplit(endpoint)
        self._endpoint = endpoint
        self._service = service
        self._prefix = target_prefix
        self._content_type = f"application/x-amz-json-{json_version}"
        self._connection = http.client.HTTPConnection(
            address.hostname or "127.0.0.1", address.port, timeout=30
        )

    def call(self, operation: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """(status, decoded answer) of one call."""
        body = json.dumps(params).encode()
        headers, _ = signed_headers(
            self._endpoint,
            "POST",
            "/",
            self._service,
            hashlib.sha256(body).hexdigest(),
            {"content-type": self._content_type, "x-amz-target": f"{self._prefix}.{operation}"},
        )
        self._connection.request("POST", "/", body, headers)
        response = self._connection.getresponse()
        answer = response.read()
        return response.status, (json.loads(answer) if answer else {})

    def ok(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        status, answer = self.call(operation, params)
        if status != 200:
            raise AssertionError(f"{operation} answered {status}: {answer}")
        return answer

    def close(self) -> None:
        self._connection.close()
