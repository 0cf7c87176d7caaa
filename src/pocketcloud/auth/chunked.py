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

The errors are S3's, as OpenStack Swift's test/s3api/test_input_errors.py
recorded them against AWS (the `test_strm_*` tests cited below): a body that
breaks off or breaks its framing is IncompleteBody "The request body terminated
unexpectedly"; well-framed data of the wrong length is IncompleteBody with the
byte counts; trailers S3 was not told of are MalformedTrailerError.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import AsyncIterator

from pocketcloud.auth import checksums
from pocketcloud.auth.canonical import EMPTY_SHA256, SigningKey
from pocketcloud.auth.errors import (
    S3,
    AuthErrors,
    bad_digest,
    body_terminated,
    decoded_length_mismatch,
    invalid_chunk_size,
    invalid_trailer_checksum,
    malformed_chunk,
    malformed_trailer,
    payload_hash_mismatch,
    single_checksum_expected,
    unsupported_trailer,
)
from pocketcloud.gateway.http import Body
from pocketcloud.protocol.errors import ServiceError

MAX_LINE = 4096  # a chunk header or trailer line; real ones are < 100 bytes
MAX_TRAILERS = 16 * 1024
MIN_SIGNED_CHUNK = 8192  # every signed chunk but the last is at least this long
TRAILER_SIGNATURE = "x-amz-trailer-signature"
_HEX_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}\Z")


class PayloadHashBody(Body):
    """Streams `inner`, failing with XAmzContentSHA256Mismatch if its SHA-256 is not `expected`."""

    def __init__(self, inner: Body, expected: str) -> None:
        super().__init__()
        self._inner = inner
        self._expected = expected  # as sent: S3 echoes it so (an upper-case digest stays upper-case)

    async def chunks(self) -> AsyncIterator[bytes]:
        digest = hashlib.sha256()
        held = b""
        async for piece in self._inner:
            digest.update(piece)
            if held:
                yield held
            held = piece
        computed = digest.hexdigest()
        if not hmac.compare_digest(computed, self._expected.lower()):
            raise payload_hash_mismatch(self._expected, computed)
        if held:
            yield held


class ChunkSigner:
    """The chain of chunk signatures that starts at the request's (seed) signature.

    `mismatch` is the request's own SignatureDoesNotMatch (its AWSAccessKeyId is kept);
    `canonical_request` the canonical request the seed signature signed, which S3 names in
    a chunk's or the trailer's SignatureDoesNotMatch as it does for the request's.
    """

    def __init__(
        self,
        key: SigningKey,
        amz_date: str,
        scope: str,
        seed: str,
        mismatch: ServiceError | None = None,
        *,
        canonical_request: str = "",
    ) -> None:
        self._key = key
        self._prefix = f"AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n"
        self._trailer_prefix = f"AWS4-HMAC-SHA256-TRAILER\n{amz_date}\n{scope}\n"
        self.previous = seed
        self._mismatch = mismatch
        self._canonical_request = canonical_request

    def _fail(self, string_to_sign: str, provided: str) -> ServiceError:
        # S3 shows the chunk's (or trailer's) string to sign, not the request's:
        # swift's test_strm_sgnd_pyld_bad_signatures, _bad_final_signature, _trl_bad_trl_sig.
        base = self._mismatch
        return AuthErrors(S3).signature_mismatch(
            base.message if base is not None else None,
            access_key_id=str(base.fields.get("AWSAccessKeyId", "")) if base is not None else "",
            string_to_sign=string_to_sign,
            canonical_request=self._canonical_request,
            signature=provided,
        )

    def chunk_string_to_sign(self, data_sha256: str) -> str:
        return f"{self._prefix}{self.previous}\n{EMPTY_SHA256}\n{data_sha256}"

    def verify_chunk(self, data_sha256: str, provided: str | None) -> None:
        to_sign = self.chunk_string_to_sign(data_sha256)
        expected = self._key.sign(to_sign)
        if provided is None or not _same(expected, provided):
            raise self._fail(to_sign, provided or "")
        self.previous = expected

    def reject_chunk(self) -> ServiceError:
        """The mismatch of a chunk whose first parameter is not its chunk-signature: S3 gives
        up before hashing its data (swift's test_strm_sgnd_pyld_extra_param_before)."""
        return self._fail(self.chunk_string_to_sign(""), "")

    def verify_trailer(self, canonical_trailers: str, provided: str | None) -> None:
        # No trailers at all are signed as a lone newline, as the SDKs and swift's tests sign them.
        digest = hashlib.sha256((canonical_trailers or "\n").encode("utf-8")).hexdigest()
        to_sign = f"{self._trailer_prefix}{self.previous}\n{digest}"
        expected = self._key.sign(to_sign)
        if provided is None or not _same(expected, provided):
            raise self._fail(to_sign, provided or "")
        self.previous = expected


def _same(expected: str, provided: str) -> bool:
    """A constant-time comparison that takes any text the client sent (compare_digest refuses
    non-ASCII str, and a signature or checksum decoded from the wire may hold U+FFFD)."""
    return hmac.compare_digest(expected.encode(), provided.encode("utf-8", "surrogateescape"))


def parse_trailer_header(value: str) -> tuple[str, ...]:
    """The trailers an x-amz-trailer header announces, refused as S3 refuses them.

    Each name must be one x-amz-checksum-<algorithm>; a trailing run of commas is allowed,
    an empty item elsewhere is not (swift's test_strm_unsgnd_pyld_trl_with_commas_in_trailer_*,
    _non_checksum_trailer, _unsupported_trailer_declared, _multiple_trailers_unsupported).
    """
    value = value.strip()
    if not value:
        return ()
    names = tuple(name.strip().lower() for name in value.rstrip(",").split(","))
    check_declared_trailers(names)
    return names


def check_declared_trailers(names: tuple[str, ...]) -> None:
    if any(checksums.algorithm_of_header(name) is None for name in names):
        raise unsupported_trailer()
    if len(names) > 1:  # swift's test_strm_unsgnd_pyld_trl_multiple_checksum_trailers
        raise single_checksum_expected()


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

    async def line(self) -> bytes | None:
        """The next CRLF-terminated line without its CRLF; None at the very end of the stream.

        A line ended by a bare LF, or by the end of the stream, breaks the framing
        (swift's test_strm_unsgnd_pyld_trl_no_cr, _no_lf, _no_trailing_lf, _with_trailer_no_cr,
        _with_trailer_no_lf, _with_trailer_no_crlf).
        """
        while True:
            end = self._buf.find(b"\n", self._pos)
            if end >= 0:
                if end == self._pos or self._buf[end - 1] != 0x0D:
                    raise body_terminated()
                line = self._buf[self._pos : end - 1]
                self._pos = end + 1
                return line
            if len(self._buf) - self._pos > MAX_LINE:
                raise malformed_chunk("chunk header too long")
            if not await self._more():
                if self._pos < len(self._buf):
                    raise body_terminated()
                return None

    async def take(self, n: int) -> bytes:
        """Up to `n` bytes (at least one); raises at the end of the stream."""
        if self._pos >= len(self._buf) and not await self._more():
            raise body_terminated()  # swift's test_strm_unsgnd_pyld_trl_truncated_mid_chunk
        if self._pos == 0 and n >= len(self._buf):
            piece = self._buf  # all of a received piece: handed on as it is, not copied
        else:
            piece = self._buf[self._pos : self._pos + n]
        self._pos += len(piece)
        return piece

    async def crlf(self) -> None:
        """The CRLF that ends a chunk's data; anything else there is a broken body, not
        a longer chunk (swift's test_strm_unsgnd_pyld_trl_cl_matches_decoded_cl)."""
        ending = b""
        while len(ending) < 2:
            ending += await self.take(2 - len(ending))
        if ending != b"\r\n":
            raise body_terminated()


class AwsChunkedBody(Body):
    """The decoded payload of an aws-chunked body. `trailers` is filled once it is consumed.

    The announced trailers come as `declared_trailers` (names) or as `trailer_header`, the
    raw x-amz-trailer value, which S3 also refuses for empty items between its commas.
    Both are checked here, so an unsupported announcement is refused before the body is read.
    """

    def __init__(
        self,
        inner: Body,
        *,
        signer: ChunkSigner | None = None,
        trailer: bool = False,
        declared_trailers: tuple[str, ...] = (),
        decoded_length: int | None = None,
        trailer_header: str | None = None,
    ) -> None:
        super().__init__()
        if trailer_header is not None:
            declared_trailers = parse_trailer_header(trailer_header)
        else:
            declared_trailers = tuple(name.lower() for name in declared_trailers)
            check_declared_trailers(declared_trailers)
        self._inner = inner
        self._signer = signer
        self._declared = declared_trailers
        # The trailer signature may only follow the trailers of a -TRAILER stream; it must if signed.
        self._allowed = frozenset(declared_trailers) | ({TRAILER_SIGNATURE} if trailer else set())
        self._signed_trailer = trailer and signer is not None
        self._decoded_length = decoded_length
        self.trailers: dict[str, str] = {}
        self._checksum_algorithm: str | None = None
        for name in declared_trailers:
            self._checksum_algorithm = checksums.algorithm_of_header(name)

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
        previous: int | None = None
        number = 0
        while True:
            number += 1
            size, params = _parse_header(await reader.line())
            self._check_size(number, size, previous, total)
            signature = self._chunk_signature(params)
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
            await reader.crlf()
            previous = size
        await self._finish(reader)
        if self._decoded_length is not None and total != self._decoded_length:
            # A 0 chunk before the data ends is this too (test_strm_unsgnd_pyld_trl_zero_chunk_mid_stream).
            raise decoded_length_mismatch(self._decoded_length, total)
        if checksum is not None and self._checksum_algorithm is not None:
            self._verify_checksum(self._checksum_algorithm, checksum.digest())
        if held:
            yield held

    def _check_size(self, number: int, size: int, previous: int | None, total: int) -> None:
        # S3 names the chunk after the short one, and the short one's size: "it points at the
        # wrong chunk number" (swift's test_strm_sgnd_pyld_too_small_chunks). It is checked
        # before the length, and only for signed chunks (unsigned SDK streams may send short ones).
        if self._signer is not None and previous is not None and previous < MIN_SIGNED_CHUNK and size:
            raise invalid_chunk_size(number, previous)
        if self._decoded_length is not None and total + size > self._decoded_length:
            # Stop a body that overruns its declared length early (test_strm_unsgnd_pyld_trl_too_many_bytes).
            raise decoded_length_mismatch(self._decoded_length, total + size)

    def _chunk_signature(self, params: bytes | None) -> str | None:
        """The chunk-signature a signed chunk's header must carry as its one parameter
        (swift's test_strm_sgnd_pyld_no_signatures, _blank_signatures, _extra_param_before,
        _extra_param_after, _spaced_out_chunk_param_value_ok)."""
        if self._signer is None:
            return None
        if params is None:
            raise body_terminated()
        name, _, value = params.partition(b"=")
        if name.strip() != b"chunk-signature":
            raise self._signer.reject_chunk()
        if b";" in value or not value.strip():
            raise body_terminated()
        return value.strip().decode("ascii", "replace")

    async def _finish(self, reader: _Reader) -> None:
        """Reads what follows the final 0-size chunk: the trailers, up to a blank line or the end.

        What follows a blank line is not read (swift's test_strm_unsgnd_pyld_trl_extra_line_then_trailer_ok,
        _with_trailer_extra_line_junk_ok); a blank line before the trailers ends them before they
        start (_with_trailer_extra_line_before). A trailer not announced is refused (_extra_trailer).
        """
        trailer_signature: str | None = None
        seen = 0
        while line := await reader.line():
            seen += len(line)
            name, colon, value = line.decode("utf-8", "replace").partition(":")
            name = name.strip().lower()
            if not colon or seen > MAX_TRAILERS or name not in self._allowed:
                raise malformed_trailer()
            if name == TRAILER_SIGNATURE:
                trailer_signature = value.strip()
            else:
                self.trailers[name] = value.strip()
        self._check_trailers(trailer_signature)

    def _check_trailers(self, trailer_signature: str | None) -> None:
        # In swift's order: a missing signature, then a missing trailer, then the signature,
        # then a signature that signs no trailer (test_strm_sgnd_pyld_trl_missing_trl_sig,
        # test_strm_unsgnd_pyld_trl_declared_no_trailer_sent, test_strm_sgnd_pyld_trl_no_trailer).
        if self._signed_trailer and trailer_signature is None:
            raise body_terminated()
        if any(name not in self.trailers for name in self._declared):
            raise malformed_trailer()
        if self._signer is not None and self._signed_trailer:
            canonical = "".join(f"{name}:{self.trailers[name]}\n" for name in sorted(self.trailers))
            self._signer.verify_trailer(canonical, trailer_signature)
            if not self.trailers:
                raise body_terminated()

    def _verify_checksum(self, algorithm: str, digest: bytes) -> None:
        name = f"x-amz-checksum-{algorithm}"
        sent = self.trailers.get(name)
        if sent is None:
            return
        if not checksums.is_canonical_b64(sent, len(digest)):
            raise invalid_trailer_checksum(name)  # test_strm_unsgnd_pyld_trl_with_trailer_checksum_invalid
        if not _same(checksums.b64(digest), sent):
            raise bad_digest(algorithm)


def _parse_header(line: bytes | None) -> tuple[int, bytes | None]:
    """A chunk header's size and what follows its first ';' (None without one)."""
    if line is None:
        raise body_terminated()  # no final 0 chunk (swift's test_strm_sgnd_pyld_missing_final_chunk)
    size_text, semicolon, params = line.partition(b";")
    size_text = size_text.strip()
    if not _HEX_SIZE.match(size_text):
        raise malformed_chunk("invalid chunk size")
    return int(size_text, 16), params if semicolon else None
