"""Request bodies checked while they stream: a signed payload hash, and aws-chunked payloads.

`PayloadHashBody` hashes the body as it passes and fails at the end when the
SHA-256 differs from x-amz-content-sha256. `AwsChunkedBody` decodes
`Content-Encoding: aws-chunked` framing (`hex-size[;chunk-signature=sig]\\r\\n
data\\r\\n ... 0\\r\\n trailers \\r\\n`), verifies the chain of chunk signatures
(STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]), parses the trailing headers,
checks an x-amz-checksum-* trailer against the decoded data and yields only the
decoded payload.

Both hold back the last piece they have read until everything before it is
verified, so a consumer never sees the complete payload of a request that
fails: it gets the error instead of the final piece. Memory stays bounded by
the size of the pieces the server receives, whatever the chunk sizes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import AsyncIterator

from pocketcloud.auth import checksums
from pocketcloud.auth.canonical import EMPTY_SHA256, SigningKey
from pocketcloud.auth.errors import (
    bad_digest,
    incomplete_body,
    malformed_chunk,
    malformed_trailer,
    payload_hash_mismatch,
)
from pocketcloud.gateway.http import Body
from pocketcloud.protocol.errors import ServiceError

MAX_LINE = 4096  # a chunk header or trailer line; real ones are < 100 bytes
MAX_TRAILERS = 16 * 1024
_HEX_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}\Z")


class PayloadHashBody(Body):
    """Streams `inner`, failing with XAmzContentSHA256Mismatch if its SHA-256 is not `expected`."""

    def __init__(self, inner: Body, expected: str) -> None:
        super().__init__()
        self._inner = inner
        self._expected = expected.lower()

    async def chunks(self) -> AsyncIterator[bytes]:
        digest = hashlib.sha256()
        held = b""
        async for piece in self._inner:
            digest.update(piece)
            if held:
                yield held
            held = piece
        computed = digest.hexdigest()
        if not hmac.compare_digest(computed, self._expected):
            raise payload_hash_mismatch(self._expected, computed)
        if held:
            yield held


class ChunkSigner:
    """The chain of chunk signatures that starts at the request's (seed) signature."""

    def __init__(
        self, key: SigningKey, amz_date: str, scope: str, seed: str, mismatch: ServiceError | None = None
    ) -> None:
        self._key = key
        self._prefix = f"AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n"
        self._trailer_prefix = f"AWS4-HMAC-SHA256-TRAILER\n{amz_date}\n{scope}\n"
        self.previous = seed
        self._mismatch = mismatch

    def _fail(self) -> ServiceError:
        return self._mismatch or ServiceError(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
            status=403,
        )

    def verify_chunk(self, data_sha256: str, provided: str | None) -> None:
        expected = self._key.sign(f"{self._prefix}{self.previous}\n{EMPTY_SHA256}\n{data_sha256}")
        if provided is None or not _same(expected, provided):
            raise self._fail()
        self.previous = expected

    def verify_trailer(self, canonical_trailers: str, provided: str | None) -> None:
        digest = hashlib.sha256(canonical_trailers.encode("utf-8")).hexdigest()
        expected = self._key.sign(f"{self._trailer_prefix}{self.previous}\n{digest}")
        if provided is None or not _same(expected, provided):
            raise self._fail()
        self.previous = expected


def _same(expected: str, provided: str) -> bool:
    """A constant-time comparison that takes any text the client sent (compare_digest refuses
    non-ASCII str, and a signature or checksum decoded from the wire may hold U+FFFD)."""
    return hmac.compare_digest(expected.encode(), provided.encode("utf-8", "surrogateescape"))


class _Reader:
    """Pulls bytes from an async iterator of arbitrarily split pieces."""

    def __init__(self, source: AsyncIterator[bytes]) -> None:
        self._source = source
        self._buf = b""
        self._pos = 0

    async def _more(self) -> bool:
        try:
            piece = await anext(self._source)
        except StopAsyncIteration:
            return False
        rest = self._buf[self._pos :]
        self._buf = rest + piece if rest else piece
        self._pos = 0
        return True

    async def line(self, last_may_be_open: bool = False) -> bytes | None:
        """The next CRLF-terminated line without its CRLF; None at the very end of the stream.

        With `last_may_be_open`, a final line the stream ends in without a CRLF is
        returned too (some clients end the trailers that way).
        """
        while True:
            end = self._buf.find(b"\r\n", self._pos)
            if end >= 0:
                line = self._buf[self._pos : end]
                self._pos = end + 2
                return line
            if len(self._buf) - self._pos > MAX_LINE:
                raise malformed_chunk("chunk header too long")
            if not await self._more():
                if self._pos < len(self._buf):
                    if not last_may_be_open:
                        raise incomplete_body()
                    line = self._buf[self._pos :]
                    self._pos = len(self._buf)
                    return line
                return None

    async def at_end(self) -> bool:
        while self._pos >= len(self._buf):
            if not await self._more():
                return True
        return False

    async def take(self, n: int) -> bytes:
        """Up to `n` bytes (at least one); raises at the end of the stream."""
        if self._pos >= len(self._buf) and not await self._more():
            raise incomplete_body()
        if self._pos == 0 and n >= len(self._buf):
            piece = self._buf  # all of a received piece: handed on as it is, not copied
        else:
            piece = self._buf[self._pos : self._pos + n]
        self._pos += len(piece)
        return piece


class AwsChunkedBody(Body):
    """The decoded payload of an aws-chunked body. `trailers` is filled once it is consumed."""

    def __init__(
        self,
        inner: Body,
        *,
        signer: ChunkSigner | None = None,
        trailer: bool = False,
        declared_trailers: tuple[str, ...] = (),
        decoded_length: int | None = None,
    ) -> None:
        super().__init__()
        self._inner = inner
        self._signer = signer
        self._expect_trailer = trailer
        self._declared = declared_trailers
        self._decoded_length = decoded_length
        self.trailers: dict[str, str] = {}
        self._checksum_algorithm: str | None = None
        for name in declared_trailers:
            algorithm = checksums.algorithm_of_header(name)
            if algorithm:
                self._checksum_algorithm = algorithm

    @property
    def checksum_algorithm(self) -> str | None:
        """The algorithm of the x-amz-checksum-* trailer this body verifies its payload against
        (once consumed, the payload matched it); a consumer need not compute it again."""
        return self._checksum_algorithm

    async def chunks(self) -> AsyncIterator[bytes]:
        reader = _Reader(self._inner.__aiter__())
        checksum = checksums.new_checksum(self._checksum_algorithm) if self._checksum_algorithm else None
        held = b""
        total = 0
        while True:
            size, signature = self._parse_header(await reader.line())
            if self._decoded_length is not None and total + size > self._decoded_length:
                raise incomplete_body()  # stop a body that overruns its declared length early
            chunk_hash = hashlib.sha256() if self._signer else None
            remaining = size
            while remaining:
                piece = await reader.take(remaining)
                remaining -= len(piece)
                if chunk_hash is not None:
                    chunk_hash.update(piece)
                if checksum is not None:
                    checksum.update(piece)
                if held:
                    yield held
                held = piece
            total += size
            if self._signer is not None and chunk_hash is not None:
                self._signer.verify_chunk(chunk_hash.hexdigest(), signature)
            if size == 0:
                break
            if await reader.line() != b"":
                raise malformed_chunk("chunk data longer than its declared size")
        await self._finish(reader)
        if self._decoded_length is not None and total != self._decoded_length:
            raise incomplete_body()
        if checksum is not None and self._checksum_algorithm is not None:
            self._verify_checksum(self._checksum_algorithm, checksum.digest())
        if held:
            yield held

    @staticmethod
    def _parse_header(line: bytes | None) -> tuple[int, str | None]:
        if line is None:
            raise incomplete_body()
        size_text, _, extensions = line.partition(b";")
        size_text = size_text.strip()
        if not _HEX_SIZE.match(size_text):
            raise malformed_chunk("invalid chunk size")
        size = int(size_text, 16)
        signature = None
        for extension in extensions.split(b";"):
            name, _, value = extension.partition(b"=")
            if name.strip() == b"chunk-signature":
                signature = value.strip().decode("ascii", "replace")
        return size, signature

    async def _finish(self, reader: _Reader) -> None:
        """Reads what follows the final 0-size chunk: trailers (if any) and the closing CRLF."""
        trailer_signature: str | None = None
        seen = 0
        first = True
        while True:
            line = await reader.line(last_may_be_open=True)
            if not line:
                # The blank line that ends the body, or a body ending right here;
                # some clients also put a blank line between the 0 chunk and the trailers.
                if first and line == b"" and self._expect_trailer and not await reader.at_end():
                    first = False
                    continue
                break
            first = False
            seen += len(line)
            if seen > MAX_TRAILERS or not self._expect_trailer:
                raise malformed_trailer()
            name, colon, value = line.decode("utf-8", "replace").partition(":")
            if not colon:
                raise malformed_trailer()
            name = name.strip().lower()
            if name == "x-amz-trailer-signature":
                trailer_signature = value.strip()
            else:
                self.trailers[name] = value.strip()
        for name in self._declared:
            if name.lower() not in self.trailers:
                raise malformed_trailer()
        if self._signer is not None and self._expect_trailer:
            canonical = "".join(f"{name}:{self.trailers[name]}\n" for name in sorted(self.trailers))
            self._signer.verify_trailer(canonical, trailer_signature)

    def _verify_checksum(self, algorithm: str, digest: bytes) -> None:
        sent = self.trailers.get(f"x-amz-checksum-{algorithm}")
        if sent is not None and not _same(checksums.b64(digest), sent):
            raise bad_digest(algorithm)
