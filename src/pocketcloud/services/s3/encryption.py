"""Encryption at rest of S3 object bodies: every blob S3 writes is AES-256-CTR ciphertext.

S3 encrypts every new object (SSE-S3 by default since January 2023), so every
object body here is encrypted on disk too, with a data key derived from a
master key that belongs to this server's data directory
(`<data_dir>/keys/s3-master.key`, 32 random bytes, mode 0600). An SSE-C
object's data key is derived from the customer's key as well, so its bytes
cannot be read back without that key.

A blob file is a header followed by ciphertext:

    magic       8 bytes   b"PCS3AES1"
    length      4 bytes   big-endian length of the rest of the header
    mode        1 byte    bit 0 clear: server key only, set: server key and the SSE-C customer key;
                          bit 1: the data key is derived with keyed BLAKE2b (else HMAC-SHA256)
    salt       16 bytes   the data key's derivation salt
    count       4 bytes   how many segments follow
    segments    count x (nonce: 8 bytes, length: 8 bytes; the last one's length may be
                2**64-1, "up to the end of the file")
    ciphertext  the segments, one after another

    data key   = BLAKE2b-256(key = master key, label || salt [|| customer key])  (bit 1 set: new blobs)
               = HMAC-SHA256(master key, label || salt [|| customer key])         (bit 1 clear: older ones)
    segment i  = AES-256-CTR(data key), counter block = nonce_i || block number (64-bit)

The counter makes any byte offset decryptable without reading what precedes it,
so ranged GETs cost what they cost on plaintext. A multipart upload picks one
salt for all its parts; completing it writes a header listing the parts'
segments and copies their ciphertext as it is (file to file in the kernel,
`FileBlobWriter.copy_from`): no decryption, and no SSE-C key needed at
completion (clients do not send it there).

What this is not: integrity protection (CTR is malleable; S3's ETag and
checksums are computed at upload and are not re-verified on read), nor a key
manager (there is one master key per data directory, never rotated). A blob
without the magic (written before encryption at rest existed) is read as
plaintext.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import struct
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from pocketcloud.store import BlobStore, BlobWriter

MAGIC = b"PCS3AES1"
SERVER_KEY, CUSTOMER_KEY = 0, 1  # bit 0 of the mode byte
# Bit 1 of the mode byte: the data key comes from keyed BLAKE2b, a PRF like HMAC-SHA256 at a third of
# its cost (one hash pass, no HMAC object set up per object); blobs without it keep their HMAC key.
BLAKE2_KDF = 2
_TO_END = 2**64 - 1
_FIXED = struct.Struct(">B16sI")  # mode, salt, segment count
_SEGMENT = struct.Struct(">8sQ")  # nonce, length
_LABELS = {SERVER_KEY: b"pocketcloud-s3-object\0", CUSTOMER_KEY: b"pocketcloud-s3-sse-c\0"}
_SERVER_LABEL, _CUSTOMER_LABEL = _LABELS[SERVER_KEY], _LABELS[CUSTOMER_KEY]
_BLOCK = 16
_CHUNK = 1024 * 1024
_REUSE_MIN = 32 * 1024  # pieces at least this large are encrypted into SealedWriter's reused buffer
KEY_FILE = Path("keys") / "s3-master.key"


class MissingCustomerKey(Exception):
    """An SSE-C blob was to be read or joined without its customer key."""


def customer_key(params: dict[str, Any], member: str = "SSECustomerKey") -> bytes | None:
    """The raw 32-byte SSE-C key a request carries (base64 in its header), None if it has none."""
    value = params.get(member)
    if not value:
        return None
    raw = value.encode() if isinstance(value, str) else bytes(value)
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return raw  # not base64: refused as a key of the wrong length by the caller


@dataclass(frozen=True)
class Seal:
    """How a blob is (to be) encrypted: its salt, its mode byte (whether its key involves an SSE-C
    key, and how the key is derived), and the SSE-C key when the request at hand carries it
    (completing an upload joins SSE-C parts without it)."""

    salt: bytes
    mode: int = SERVER_KEY
    customer_key: bytes | None = None

    @classmethod
    def new(cls, customer_key: bytes | None = None) -> Seal:
        mode = (CUSTOMER_KEY if customer_key is not None else SERVER_KEY) | BLAKE2_KDF
        return cls(os.urandom(16), mode, customer_key)

    def to_doc(self) -> dict[str, Any]:
        """What a multipart upload records so that its parts share one data key (never the key itself)."""
        doc: dict[str, Any] = {"Salt": self.salt.hex(), "CustomerKey": bool(self.mode & CUSTOMER_KEY)}
        if self.mode & BLAKE2_KDF:
            doc["Kdf"] = "blake2b"  # absent in uploads begun before it: their parts use HMAC
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any] | None, customer_key: bytes | None) -> Seal:
        if not doc:
            return cls.new(customer_key)
        kdf = BLAKE2_KDF if doc.get("Kdf") == "blake2b" else 0
        if doc.get("CustomerKey"):
            return cls(bytes.fromhex(doc["Salt"]), CUSTOMER_KEY | kdf, customer_key)
        return cls(bytes.fromhex(doc["Salt"]), SERVER_KEY | kdf)


# The header of a single-segment blob (every PutObject body) in one pack.
_ONE_SEGMENT = struct.Struct(">8sI" + _FIXED.format[1:] + _SEGMENT.format[1:])
_ONE_SEGMENT_LENGTH = _FIXED.size + _SEGMENT.size


def _header(mode: int, salt: bytes, segments: list[tuple[bytes, int]]) -> bytes:
    if len(segments) == 1:
        (nonce, length), *_ = segments
        return _ONE_SEGMENT.pack(MAGIC, _ONE_SEGMENT_LENGTH, mode, salt, 1, nonce, length)
    body = _FIXED.pack(mode, salt, len(segments)) + b"".join(
        _SEGMENT.pack(n, length) for n, length in segments
    )
    return MAGIC + struct.pack(">I", len(body)) + body


def _header_size(segments: int) -> int:
    return len(MAGIC) + 4 + _FIXED.size + segments * _SEGMENT.size


@dataclass
class _Segment:
    nonce: bytes
    offset: int  # of its ciphertext in the file
    start: int  # of its plaintext in the object
    length: int


@dataclass
class _Layout:
    mode: int
    salt: bytes
    segments: list[_Segment]
    size: int  # plaintext bytes


def _read_layout(handle: BinaryIO) -> _Layout | None:
    """The header of an open blob; None for a plaintext blob."""
    head = handle.read(len(MAGIC) + 4)
    if len(head) < len(MAGIC) + 4 or head[: len(MAGIC)] != MAGIC:
        return None
    (length,) = struct.unpack(">I", head[len(MAGIC) :])
    body = handle.read(length)
    mode, salt, count = _FIXED.unpack_from(body)
    offset = len(head) + length
    # seek to the end rather than fstat: an inline blob is opened as an in-memory file.
    file_size = handle.seek(0, os.SEEK_END)
    segments: list[_Segment] = []
    start = 0
    for index in range(count):
        nonce, seg_length = _SEGMENT.unpack_from(body, _FIXED.size + index * _SEGMENT.size)
        if seg_length == _TO_END:
            seg_length = file_size - offset
        segments.append(_Segment(nonce, offset, start, seg_length))
        offset += seg_length
        start += seg_length
    return _Layout(mode, salt, segments, start)


class SealedWriter(BlobWriter):
    """A BlobWriter that encrypts what it is given; `size` counts plaintext bytes."""

    def __init__(self, inner: BlobWriter, key: bytes, seal: Seal) -> None:
        self._inner = inner
        nonce = os.urandom(8)
        self._encryptor = Cipher(algorithms.AES(key), modes.CTR(nonce + bytes(8))).encryptor()
        self._size = 0
        self._out: memoryview | None = None  # ciphertext buffer of a streamed body, reused piece after piece
        inner.write(_header(seal.mode, seal.salt, [(nonce, _TO_END)]))

    def write(self, data: bytes) -> None:
        size = len(data)
        if not size:
            return
        if size < _REUSE_MIN or size > _CHUNK:  # a small body, or one piece too large to buffer
            self._inner.write(self._encryptor.update(data))
        else:
            # A large body arrives in pieces of 64 KiB and more: encrypting each into the same
            # buffer spares allocating (and the allocator mapping) a fresh one every time.
            if self._out is None:
                self._out = memoryview(bytearray(_CHUNK + _BLOCK))
            n = self._encryptor.update_into(data, self._out)
            # Blob writers take any buffer, and are done with it when write() returns.
            self._inner.write(self._out[:n])  # type: ignore[arg-type]
        self._size += size

    def commit(self) -> str:
        self._inner.write(self._encryptor.finalize())
        return self._inner.commit()

    def abort(self) -> None:
        self._inner.abort()

    @property
    def size(self) -> int:
        return self._size

    @property
    def blob_id(self) -> str:
        return str(self._inner.blob_id)  # type: ignore[attr-defined]

    @property
    def inline(self) -> bool:
        """Whether commit() writes the blob as a database row (in the caller's transaction)."""
        return bool(getattr(self._inner, "inline", False))


class BlobCipher:
    """Encrypts and decrypts the S3 blobs of one blob store with its master key."""

    def __init__(self, blobs: BlobStore, master_key: bytes) -> None:
        self.blobs = blobs
        self._master = master_key

    def data_key(self, mode: int, salt: bytes, customer: bytes | None) -> bytes:
        if mode & CUSTOMER_KEY:
            if customer is None:
                raise MissingCustomerKey()
            message = _CUSTOMER_LABEL + salt + customer
        else:
            message = _SERVER_LABEL + salt
        if mode & BLAKE2_KDF:
            return hashlib.blake2b(message, key=self._master, digest_size=32).digest()
        # hmac.digest: the one-shot form, computed in C without an HMAC object.
        return hmac.digest(self._master, message, hashlib.sha256)

    def writer(self, seal: Seal | None = None, inline_max: int = 0) -> SealedWriter:
        """`inline_max`: the blob may be kept inline (in the database) while its plaintext stays
        within that many bytes (see `store/blobs.py`)."""
        seal = seal or Seal.new()
        inner = self.blobs.writer(inline_max + _header_size(1)) if inline_max else self.blobs.writer()
        return SealedWriter(inner, self.data_key(seal.mode, seal.salt, seal.customer_key), seal)

    def read_small(
        self,
        blob: str,
        start: int = 0,
        length: int | None = None,
        customer: bytes | None = None,
        data: bytes | None = None,
    ) -> bytes:
        """The plaintext bytes [start, start+length) of a small blob (a body of some KiB), at once:
        the whole blob is read (or taken from `data`, its bytes already read with the object's record),
        and a single-segment one decrypted without the chunked reader."""
        read_bytes = getattr(self.blobs, "read_bytes", None)  # an inline blob: one SELECT, no file object
        if data is not None:
            pass
        elif read_bytes is not None:
            data = read_bytes(blob)
        else:
            with self.blobs.open(blob) as handle:
                data = handle.read()
        if data[: len(MAGIC)] != MAGIC:
            return data[start:] if length is None else data[start : start + length]
        (header_length,) = struct.unpack_from(">I", data, len(MAGIC))
        mode, salt, count = _FIXED.unpack_from(data, len(MAGIC) + 4)
        if count != 1:  # several segments (a small multipart object): the general reader
            return b"".join(self.read(blob, start, length, customer))
        nonce, segment_length = _SEGMENT.unpack_from(data, len(MAGIC) + 4 + _FIXED.size)
        offset = len(MAGIC) + 4 + header_length
        size = len(data) - offset if segment_length == _TO_END else segment_length
        end = size if length is None else min(size, start + length)
        key = self.data_key(mode, salt, customer)  # MissingCustomerKey: an SSE-C blob without its key
        if start >= end:
            return b""
        block, skip = divmod(start, _BLOCK)
        decryptor = Cipher(algorithms.AES(key), modes.CTR(nonce + block.to_bytes(8, "big"))).decryptor()
        plain = decryptor.update(data[offset + block * _BLOCK : offset + end])
        return plain[skip:] if skip else plain

    def read(
        self, blob: str, start: int = 0, length: int | None = None, customer: bytes | None = None
    ) -> Iterator[bytes]:
        """The plaintext bytes [start, start+length) of a blob, in chunks of about a MiB.

        The file is opened (and a missing SSE-C key detected) before the first chunk is asked for.
        """
        handle = self.blobs.open(blob)
        try:
            layout = _read_layout(handle)
            if layout is None:
                handle.seek(0)
            elif layout.mode & CUSTOMER_KEY and customer is None:
                raise MissingCustomerKey()
        except BaseException:
            handle.close()
            raise
        return self._chunks(handle, layout, start, length, customer)

    def _chunks(
        self, handle: BinaryIO, layout: _Layout | None, start: int, length: int | None, customer: bytes | None
    ) -> Iterator[bytes]:
        with handle:
            if layout is None:
                handle.seek(start)
                yield from _plain_chunks(handle, length)
                return
            end = layout.size if length is None else min(layout.size, start + length)
            key = self.data_key(layout.mode, layout.salt, customer)
            for segment in layout.segments:
                lo, hi = max(start, segment.start), min(end, segment.start + segment.length)
                if lo >= hi:
                    continue
                local = lo - segment.start
                block, skip = divmod(local, _BLOCK)
                decryptor = Cipher(
                    algorithms.AES(key), modes.CTR(segment.nonce + block.to_bytes(8, "big"))
                ).decryptor()
                handle.seek(segment.offset + block * _BLOCK)
                remaining = hi - lo + skip
                while remaining > 0:
                    data = handle.read(min(_CHUNK, remaining))
                    if not data:
                        break
                    remaining -= len(data)
                    plain = decryptor.update(data)
                    if skip:
                        plain, skip = plain[skip:], 0
                    if plain:
                        yield plain

    def join(self, parts: list[str], seal: Seal, hasher: Any = None) -> tuple[str, int]:
        """One blob holding the parts' bytes one after another: (blob id, plaintext size).

        Parts sealed with `seal`'s salt (all parts of one upload) are joined by copying their
        ciphertext under a header listing their segments; anything else is decrypted and
        encrypted again. `hasher`, if given, is fed the plaintext (a full-object checksum), which
        needs the SSE-C key for a customer-keyed upload.
        """
        layouts: list[_Layout | None] = []
        for blob in parts:
            with self.blobs.open(blob) as handle:
                layouts.append(_read_layout(handle))
        same_key = all(lay is not None and lay.mode == seal.mode and lay.salt == seal.salt for lay in layouts)
        if not same_key:
            return self._rewrite(parts, seal, hasher)
        if hasher is not None and seal.mode & CUSTOMER_KEY and seal.customer_key is None:
            raise MissingCustomerKey()
        segments = [(s.nonce, s.length) for lay in layouts if lay is not None for s in lay.segments]
        writer = self.blobs.writer()
        try:
            writer.write(_header(seal.mode, seal.salt, segments))
            size = 0
            copy_from = getattr(writer, "copy_from", None)
            for blob, layout in zip(parts, layouts, strict=True):
                assert layout is not None
                offset = layout.segments[0].offset if layout.segments else 0
                with self.blobs.open(blob) as handle:
                    if copy_from is not None:  # file to file, in the kernel (store/blobs.py)
                        copy_from(handle, offset, layout.size)
                    else:
                        _copy(handle, offset, layout.size, writer)
                size += layout.size
                if hasher is not None:
                    for chunk in self.read(blob, customer=seal.customer_key):
                        hasher.update(chunk)
            return writer.commit(), size
        except BaseException:
            writer.abort()
            raise

    def clone(self, blob: str) -> str:
        """A new blob with `blob`'s ciphertext as it is, under the same data key (same salt and mode):
        a copy made without the key an SSE-C object was written with, which still reads it (S3
        replication of SSE-C objects)."""
        with self.blobs.open(blob) as handle:
            layout = _read_layout(handle)
        if layout is None:  # plaintext, from before encryption at rest: sealed now, with the server key
            return self._rewrite([blob], Seal.new(), None)[0]
        return self.join([blob], Seal(layout.salt, layout.mode))[0]

    def _rewrite(self, parts: list[str], seal: Seal, hasher: Any) -> tuple[str, int]:
        writer = self.writer(seal)
        try:
            for blob in parts:
                for chunk in self.read(blob, customer=seal.customer_key):
                    writer.write(chunk)
                    if hasher is not None:
                        hasher.update(chunk)
            size = writer.size
            return writer.commit(), size
        except BaseException:
            writer.abort()
            raise


def _copy(handle: BinaryIO, offset: int, length: int, writer: BlobWriter) -> None:
    handle.seek(offset)
    remaining = length
    while remaining > 0:
        data = handle.read(min(4 * _CHUNK, remaining))
        if not data:
            raise OSError("a part's blob is shorter than its header says")
        writer.write(data)
        remaining -= len(data)


def _plain_chunks(handle: BinaryIO, length: int | None) -> Iterator[bytes]:
    remaining = length
    while remaining is None or remaining > 0:
        data = handle.read(_CHUNK if remaining is None else min(_CHUNK, remaining))
        if not data:
            return
        if remaining is not None:
            remaining -= len(data)
        yield data


# One cipher per blob store (the master key is read once); weak, so a closed store's goes with it.
_CIPHERS: weakref.WeakKeyDictionary[BlobStore, BlobCipher] = weakref.WeakKeyDictionary()
_CIPHERS_LOCK = threading.Lock()


def cipher_for(blobs: BlobStore) -> BlobCipher:
    """The cipher of a blob store, its master key read (or created) on first use.

    The key lives beside the blob root, in `<data_dir>/keys/`; a blob store without a
    directory of its own (none today) gets a key for the life of the process.
    """
    cipher = _CIPHERS.get(blobs)
    if cipher is None:
        with _CIPHERS_LOCK:
            cipher = _CIPHERS.get(blobs)
            if cipher is None:
                root = getattr(blobs, "root", None)
                key = (
                    load_master_key(Path(root).parent / KEY_FILE)
                    if root is not None
                    else secrets.token_bytes(32)
                )
                cipher = _CIPHERS[blobs] = BlobCipher(blobs, key)
    return cipher


def load_master_key(path: Path) -> bytes:
    """The 32-byte master key in `path`, created (mode 0600, directory 0700) if there is none.

    A new key is written to a temporary file, fsync'd and linked into place, so a reader
    never sees half a key and two processes racing to create it end up sharing one.
    """
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f"{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_bytes(32))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made one first: use theirs
        finally:
            tmp.unlink(missing_ok=True)
        key = path.read_bytes()
    if len(key) != 32:
        raise ValueError(f"{path} does not hold a 32-byte key")
    return key
