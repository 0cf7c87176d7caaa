"""Object bodies: streamed from the request into a durable blob, and streamed back out.

A body is written to a temporary file while its MD5 (the ETag) and any
requested flexible checksum are computed; only when it is complete, verified
and fsync'd is it renamed into place, and only then does the caller commit the
metadata that points at it. An interrupted or rejected upload leaves nothing.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from pocketcloud.auth import checksums
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.store import BlobStore

READ_CHUNK = 1024 * 1024
CHECKSUM_MEMBERS = {
    "CRC32": "ChecksumCRC32",
    "CRC32C": "ChecksumCRC32C",
    "CRC64NVME": "ChecksumCRC64NVME",
    "SHA1": "ChecksumSHA1",
    "SHA256": "ChecksumSHA256",
}


@dataclass
class StoredBody:
    blob: str
    size: int
    md5_hex: str
    checksums: dict[str, str] = field(default_factory=dict)  # algorithm → base64


def _requested_algorithms(params: dict[str, Any]) -> dict[str, str | None]:
    """Algorithm → the value the client sent (None: compute only)."""
    wanted: dict[str, str | None] = {}
    for algorithm, member in CHECKSUM_MEMBERS.items():
        if params.get(member):
            wanted[algorithm] = params[member]
    requested = params.get("ChecksumAlgorithm")
    if requested:
        wanted.setdefault(str(requested).upper(), None)
    return wanted


def _content_md5(params: dict[str, Any]) -> bytes | None:
    value = params.get("ContentMD5")
    if not value:
        return None
    try:
        digest = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != 16:
        raise ServiceError("InvalidDigest", "The Content-MD5 you specified was invalid.", status=400, Content_MD5=value)
    return digest


async def store_body(blobs: BlobStore, body: bytes | AsyncIterable[bytes] | None, params: dict[str, Any]) -> StoredBody:
    expected_md5 = _content_md5(params)
    wanted = _requested_algorithms(params)
    hashers = {a: checksums.new_checksum(a) for a in wanted}
    md5 = hashlib.md5()
    writer = blobs.writer()
    try:
        if isinstance(body, bytes | bytearray):
            chunks: Any = [bytes(body)]
        else:
            chunks = body if body is not None else []
        if isinstance(chunks, list):
            for chunk in chunks:
                _consume(chunk, writer, md5, hashers)
        else:
            async for chunk in chunks:
                _consume(chunk, writer, md5, hashers)
        if expected_md5 is not None and md5.digest() != expected_md5:
            raise ServiceError(
                "BadDigest", "The Content-MD5 you specified did not match what we received.", status=400,
                ExpectedDigest=params.get("ContentMD5"), CalculatedDigest=base64.b64encode(md5.digest()).decode(),
            )
        computed = {a: checksums.b64(h.digest()) for a, h in hashers.items() if h is not None}
        # A checksum sent as a trailer (aws-chunked) was verified by the auth layer; adopt it.
        for name, value in (getattr(body, "trailers", None) or {}).items():
            algorithm = (checksums.algorithm_of_header(name) or "").upper()
            if algorithm and algorithm not in computed:
                computed[algorithm] = value
        for algorithm, claimed in wanted.items():
            if claimed is not None and computed.get(algorithm) not in (None, claimed):
                raise ServiceError(
                    "BadDigest", f"The {algorithm} you specified did not match the calculated checksum.", status=400
                )
        size = writer.size
        if getattr(blobs, "durability", None) == "off":
            blob = writer.commit()  # no fsync: a close and a rename, cheaper than a hop to a thread
        else:
            blob = await asyncio.to_thread(writer.commit)
    except BaseException:
        writer.abort()
        raise
    return StoredBody(blob, size, md5.hexdigest(), computed)


def _consume(chunk: bytes, writer: Any, md5: Any, hashers: dict[str, Any]) -> None:
    writer.write(chunk)
    md5.update(chunk)
    for hasher in hashers.values():
        if hasher is not None:
            hasher.update(chunk)


async def read_blob(blobs: BlobStore, blob: str, start: int = 0, length: int | None = None) -> AsyncIterator[bytes]:
    """The bytes [start, start+length) of a blob, in chunks; the file is opened before the first yield."""
    handle = blobs.open(blob)
    try:
        handle.seek(start)
        remaining = length
        while remaining is None or remaining > 0:
            size = READ_CHUNK if remaining is None else min(READ_CHUNK, remaining)
            chunk = handle.read(size)
            if not chunk:
                break
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()
