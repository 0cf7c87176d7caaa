"""Object bodies: streamed from the request into a durable blob, and streamed back out.

A body is written to a temporary file while its MD5 (the ETag) and any
requested flexible checksum are computed (or, when the request names none,
S3's default CRC64NVME); only when it is complete, verified
and fsync'd is it renamed into place, and only then does the caller commit the
metadata that points at it. An interrupted or rejected upload leaves nothing.

Every body is encrypted at rest on its way to disk and decrypted on its way
out (`encryption.py`); this module is the one place object blobs are written,
read and joined, so nothing else needs to know.

Small bodies (up to INLINE_MAX bytes) of whole objects are kept inline, in the
database (`store/blobs.py`): `store_body(..., inline=True)` then leaves the
blob uncommitted, and the caller commits it in the transaction that records the
object (`StoredBody.commit_inline`), so body and metadata commit together and a
small PUT creates, fsyncs and renames no file.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from pocketcloud.auth import checksums
from pocketcloud.auth.checksums import content_md5_digest
from pocketcloud.auth.errors import single_checksum_expected
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3.encryption import Seal, cipher_for, customer_key
from pocketcloud.services.s3.hashing import BodyHasher
from pocketcloud.store import BlobStore

READ_CHUNK = 1024 * 1024
INLINE_MAX = 64 * 1024  # plaintext bytes; larger bodies are blob files
# Algorithm → the member of S3's shapes that carries its checksum ("CRC32" → "ChecksumCRC32"), for
# every algorithm auth/checksums.py has.
CHECKSUM_MEMBERS = {name.upper(): f"Checksum{name.upper()}" for name in checksums.ALGORITHMS}


@dataclass
class StoredBody:
    blob: str
    size: int
    md5_hex: str
    checksums: dict[str, str] = field(default_factory=dict)  # algorithm → base64
    pending: Any = None  # an inline blob's writer, until commit_inline()
    crc64nvme: str | None = None  # the body's CRC64NVME whenever one was computed, recorded or not

    def commit_inline(self) -> None:
        """Write an inline body (in the caller's transaction); nothing to do for a blob file."""
        if self.pending is not None:
            self.pending.commit()
            self.pending = None


# Digest sizes in bytes: a header value that does not decode to one is refused before the body is read.
_CHECKSUM_SIZES = {name: len(checksums.new_checksum(name).digest()) for name in CHECKSUM_MEMBERS}  # type: ignore[union-attr]


def checked_checksum(algorithm: str, value: str) -> str:
    """`value` of an x-amz-checksum-<algorithm> header, refused as S3 refuses one that is no digest of it."""
    if not is_checksum_digest(algorithm, value):
        raise ServiceError(
            "InvalidRequest", f"Value for x-amz-checksum-{algorithm.lower()} header is invalid.", status=400
        )
    return value


def is_checksum_digest(algorithm: str, value: str) -> bool:
    """Whether `value` is a digest of `algorithm` in base64 as an encoder writes it: of the digest's size,
    and canonical, no stray bits in its last character. S3 refuses "y/Q5Jh==", which decodes to 4 bytes
    but is not the encoding of any, as a PutObject header, a part checksum and CompleteMultipartUpload's
    final header alike (open-io/swift's test/s3api/test_object_checksums.py, run against AWS:
    test_mpu_complete_invalid_part_checksum, test_mpu_complete_invalid_checksum and the PutObject ones)."""
    return checksums.is_canonical_b64(value, _CHECKSUM_SIZES[algorithm])


def _requested_algorithms(params: dict[str, Any]) -> dict[str, str | None]:
    """Algorithm → the value the client sent (None: compute only)."""
    # Two headers are refused before either value is looked at; an empty one is an invalid value
    # (both as S3 answered the AWS CLI in versity/versitygw#1189).
    sent = {algorithm: params[member] for algorithm, member in CHECKSUM_MEMBERS.items() if params.get(member) is not None}
    if len(sent) > 1:
        raise single_checksum_expected()
    wanted: dict[str, str | None] = {algorithm: checked_checksum(algorithm, value) for algorithm, value in sent.items()}
    requested = params.get("ChecksumAlgorithm")
    if requested:
        if str(requested).upper() not in CHECKSUM_MEMBERS:
            raise unsupported_algorithm()
        wanted.setdefault(str(requested).upper(), None)
    return wanted


def unsupported_algorithm() -> ServiceError:
    """S3's answer to an x-amz-checksum-algorithm (CreateMultipartUpload, CopyObject) naming no algorithm
    it has: its list is in alphabetical order ("[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]" in LocalStack's
    AWS-validated snapshot, CRC64NVME in its sorted place though the model added it last)."""
    return ServiceError(
        "InvalidRequest",
        "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
        f"[{', '.join(sorted(CHECKSUM_MEMBERS))}]",
        status=400,
    )


def md5_mismatch(sent: str, calculated: bytes, expected_in_hex: bool = False) -> ServiceError:
    """S3's BadDigest for a Content-MD5 (`sent`, a valid one) that is not the body's MD5. S3 names the
    expected digest in hex for an object's body (PutObject, UploadPart) and in base64, as sent, for a
    document (DeleteObjects, CompleteMultipartUpload); the calculated one always in base64 (OpenStack
    Swift's test_input_errors.py, assertBadDigest: "AWS ... is inconsistent in what it returns in the
    <ExpectedDigest> element"; test_bad_md5_good_sha against test_bad_md5_good_sha_good_crc_header_mpu)."""
    return ServiceError(
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
        status=400,
        ExpectedDigest=base64.b64decode(sent).hex() if expected_in_hex else sent,
        CalculatedDigest=base64.b64encode(calculated).decode(),
    )


def checksum_mismatch(algorithm: str) -> ServiceError:
    return ServiceError("BadDigest", f"The {algorithm} you specified did not match the calculated checksum.", status=400)


async def store_body(
    blobs: BlobStore,
    body: bytes | AsyncIterable[bytes] | None,
    params: dict[str, Any],
    seal: Seal | None = None,
    inline: bool = False,
    default_checksum: bool = False,
    keep_crc64nvme: bool = False,
) -> StoredBody:
    """Stream `body` into a new encrypted blob. `seal` says how (a multipart upload's parts share
    one); by default a fresh data key, bound to the request's SSE-C key if it has one.

    `inline`: a body of at most INLINE_MAX bytes may be kept in the database; it is then not yet
    committed, and the caller must call `commit_inline()` in the transaction recording it.
    `default_checksum`: S3's default data integrity protection, a CRC64NVME recorded for a body
    whose request names no checksum of its own. `keep_crc64nvme`: compute the CRC64NVME even when
    the request names another checksum (`StoredBody.crc64nvme`, not recorded in `checksums`)."""
    expected_md5 = content_md5_digest(params.get("ContentMD5"))
    wanted = _requested_algorithms(params)
    # A checksum the auth layer verifies from an aws-chunked trailer is adopted below, not computed twice.
    verified = str(getattr(body, "checksum_algorithm", None) or "").upper()
    hashers = {a: checksums.new_checksum(a) for a in wanted if a != verified}
    named = bool(wanted or verified)
    if (keep_crc64nvme or (default_checksum and not named)) and "CRC64NVME" not in (*hashers, verified):
        hashers["CRC64NVME"] = checksums.new_checksum("CRC64NVME")
    md5 = hashlib.md5()
    writer = cipher_for(blobs).writer(seal or Seal.new(customer_key(params)), INLINE_MAX if inline else 0)
    try:
        if isinstance(body, bytes | bytearray):
            chunks: Any = [bytes(body)]
        else:
            chunks = body if body is not None else []
        if isinstance(chunks, list):
            for chunk in chunks:
                _consume(chunk, writer, md5, hashers)
        else:
            # A streamed body is hashed beside the loop (hashing.py) while the next piece arrives;
            # the CRCs, cheap in C, are computed on the loop so that the thread does MD5 (the
            # slowest part of a large upload) and nothing else.
            on_loop = [h for a, h in hashers.items() if h is not None and a in checksums.NATIVE_CRCS]
            hasher = BodyHasher(
                [md5, *(h for a, h in hashers.items() if h is not None and a not in checksums.NATIVE_CRCS)]
            )
            try:
                async for chunk in chunks:
                    writer.write(chunk)
                    for crc in on_loop:
                        crc.update(chunk)
                    hasher.update(chunk)
                    await hasher.room()
                await hasher.finish()
            finally:
                hasher.close()
        if expected_md5 is not None and md5.digest() != expected_md5:
            raise md5_mismatch(params["ContentMD5"], md5.digest(), expected_in_hex=True)
        computed = {a: checksums.b64(h.digest()) for a, h in hashers.items() if h is not None}
        # A checksum sent as a trailer (aws-chunked) was verified by the auth layer; adopt it.
        for name, value in (getattr(body, "trailers", None) or {}).items():
            algorithm = (checksums.algorithm_of_header(name) or "").upper()
            if algorithm and algorithm not in computed:
                computed[algorithm] = value
        for algorithm, claimed in wanted.items():
            if claimed is not None and computed.get(algorithm) not in (None, claimed):
                raise checksum_mismatch(algorithm)
        crc64nvme = computed.get("CRC64NVME")
        if named and "CRC64NVME" not in wanted and verified != "CRC64NVME":
            computed.pop("CRC64NVME", None)  # kept for the caller only: the request named another
        size = writer.size
        if writer.inline:
            return StoredBody(writer.blob_id, size, md5.hexdigest(), computed, writer, crc64nvme)
        if getattr(blobs, "durability", None) == "off":
            blob = writer.commit()  # no fsync: a close and a rename, cheaper than a hop to a thread
        else:
            blob = await asyncio.to_thread(writer.commit)
    except BaseException:
        writer.abort()
        raise
    return StoredBody(blob, size, md5.hexdigest(), computed, crc64nvme=crc64nvme)


def _consume(chunk: bytes, writer: Any, md5: Any, hashers: dict[str, Any]) -> None:
    writer.write(chunk)
    md5.update(chunk)
    for hasher in hashers.values():
        if hasher is not None:
            hasher.update(chunk)


async def read_blob(
    blobs: BlobStore, blob: str, start: int = 0, length: int | None = None, customer: bytes | None = None
) -> AsyncIterator[bytes]:
    """The plaintext bytes [start, start+length) of a blob, in chunks (`customer`: the SSE-C key
    of an SSE-C object, which the caller has checked against the object's key MD5)."""
    for chunk in cipher_for(blobs).read(blob, start, length, customer):
        yield chunk


def read_blob_small(
    blobs: BlobStore,
    blob: str,
    start: int = 0,
    length: int | None = None,
    customer: bytes | None = None,
    data: bytes | None = None,
) -> bytes:
    """The plaintext bytes [start, start+length) of a small blob, at once (sent in one piece);
    `data`: the blob's stored bytes, when they were read with the object's record."""
    return cipher_for(blobs).read_small(blob, start, length, customer, data)


def read_blob_bytes(blobs: BlobStore, blob: str, customer: bytes | None = None) -> bytes:
    """A whole blob's plaintext (small objects only: Lambda code and the like)."""
    return b"".join(cipher_for(blobs).read(blob, customer=customer))


def join_blobs(blobs: BlobStore, parts: list[str], seal: Seal, hasher: Any = None) -> tuple[str, int]:
    """The parts of a multipart upload as one blob: (blob id, size). Runs in a worker thread."""
    return cipher_for(blobs).join(parts, seal, hasher)


def clone_blob(blobs: BlobStore, blob: str) -> str:
    """A copy of a blob, its ciphertext as it is (no SSE-C key needed). Runs in a worker thread."""
    return cipher_for(blobs).clone(blob)
