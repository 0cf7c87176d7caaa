"""The pieces of a SigV4 signature: canonical URI, query and headers, string to sign, signing key.

Everything here follows what the signers actually produce (botocore's
`SigV4Auth`/`S3SigV4Auth`, which match the AWS SDKs): S3 signs the path as
sent, every other service signs the path with dot segments and repeated
slashes removed and every byte encoded once more (so "%20" is signed as
"%2520"); query parameters are decoded and re-encoded RFC 3986 style and
sorted by key then value.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import re
import time
from functools import lru_cache
from urllib.parse import quote, unquote_to_bytes

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
STREAMING_ECDSA = (
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
)
STREAMING_MODES = frozenset((STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER))

_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*\Z")
_SIMPLE_QUERY = re.compile(r"[A-Za-z0-9_.~=&-]*\Z")
_HEX64 = re.compile(r"[0-9a-fA-F]{64}\Z")
_AMZ_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\Z")


def is_sha256_hex(value: str) -> bool:
    return _HEX64.match(value) is not None


class SigningKey:
    """A derived SigV4 signing key, with its HMAC pads hashed once so each signature costs two SHA-256s."""

    __slots__ = ("key", "_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        self.key = key
        block = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    algorithm = ALGORITHM

    def sign(self, message: str) -> str:
        """Hex HMAC-SHA256 of `message`; the same as hmac.new(key, message, sha256).hexdigest()."""
        inner = self._inner.copy()
        inner.update(message.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def verify(self, message: str, provided: bytes) -> bool:
        return hmac.compare_digest(self.sign(message).encode(), provided)


@lru_cache(maxsize=4096)
def signing_key(secret: str, date: str, region: str, service: str) -> SigningKey:
    """kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")."""
    key = hmac.digest(("AWS4" + secret).encode("utf-8"), date.encode("utf-8"), "sha256")
    key = hmac.digest(key, region.encode("utf-8"), "sha256")
    key = hmac.digest(key, service.encode("utf-8"), "sha256")
    return SigningKey(hmac.digest(key, b"aws4_request", "sha256"))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def string_to_sign(amz_date: str, scope: str, canonical_request: str, algorithm: str = ALGORITHM) -> str:
    # Header values arrive decoded as latin-1 (one char per byte); AWS signs the bytes sent, so a
    # UTF-8 metadata value (x-amz-meta-name: é) must hash as its bytes, not re-encoded to UTF-8.
    try:
        raw = canonical_request.encode("latin-1")
    except UnicodeEncodeError:
        raw = canonical_request.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    return f"{algorithm}\n{amz_date}\n{scope}\n{digest}"


def _reencode(component: str) -> str:
    if _UNRESERVED.match(component):
        return component  # the common case: nothing to decode or encode
    # '+' is a space in a query string (botocore's own AWSRequest.params are
    # sent that way but signed as %20); decoding to bytes keeps invalid UTF-8.
    return quote(unquote_to_bytes(component.replace("+", " ")), safe="-_.~")


def canonical_query(raw: str, exclude: str | None = None) -> str:
    """The canonical query string of the raw query `raw`, leaving out parameter `exclude`."""
    if not raw:
        return ""
    pairs: list[tuple[str, str]] = []
    if _SIMPLE_QUERY.match(raw):  # nothing to re-encode: the common case
        for part in raw.split("&"):
            if part:
                key, _, value = part.partition("=")
                if key != exclude:
                    pairs.append((key, value))
        pairs.sort()
        return "&".join([f"{k}={v}" for k, v in pairs])
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        key = _reencode(key)
        if key == exclude:
            continue
        pairs.append((key, _reencode(value)))
    pairs.sort()
    return "&".join([f"{k}={v}" for k, v in pairs])


def query_params(raw: str) -> dict[str, str]:
    """Decoded query parameters, the first value of each name winning."""
    params: dict[str, str] = {}
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        key = unquote_to_bytes(key.replace("+", " ")).decode("utf-8", "replace")
        if key not in params:
            params[key] = unquote_to_bytes(value.replace("+", " ")).decode("utf-8", "replace")
    return params


def _remove_dot_segments(path: str) -> str:
    # As botocore's normalize_url_path: RFC 3986 dot segments, and empty segments dropped.
    out: list[str] = []
    for segment in path.split("/"):
        if not segment or segment == ".":
            continue
        if segment == "..":
            if out:
                out.pop()
        else:
            out.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and out else ""
    return first + "/".join(out) + last


def canonical_uri(raw_path: str, s3: bool) -> str:
    if s3:
        return raw_path or "/"
    if not raw_path or raw_path == "/":
        return "/"
    if "//" in raw_path or "/." in raw_path:
        raw_path = _remove_dot_segments(raw_path)
    return quote(raw_path, safe="/~")


def s3_reencoded_uri(raw_path: str) -> str:
    """The S3 path as the SigV4 spec encodes it, for clients that send it encoded differently."""
    return quote(unquote_to_bytes(raw_path or "/"), safe="/~")


def canonical_headers(headers: dict[str, str], signed: list[str]) -> str:
    lines = []
    for name in signed:
        value = headers.get(name, "")
        if "  " in value or value[:1] == " " or value[-1:] == " " or "\t" in value:
            value = " ".join(value.split())
        lines.append(f"{name}:{value}")
    lines.append("")
    return "\n".join(lines)


@lru_cache(maxsize=512)
def parse_amz_date(value: str) -> float | None:
    """Seconds since the epoch of an ISO 8601 basic timestamp (20240101T000000Z), or None."""
    match = _AMZ_DATE.match(value)
    if match is None:
        return None
    try:
        parts = tuple(int(p) for p in match.groups())
        if not (
            1 <= parts[1] <= 12 and 1 <= parts[2] <= 31 and parts[3] < 24 and parts[4] < 60 and parts[5] < 61
        ):
            return None
        return float(calendar.timegm(parts + (0, 0, 0)))
    except (ValueError, OverflowError):
        return None


def format_amz_date(seconds: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))


def format_iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
