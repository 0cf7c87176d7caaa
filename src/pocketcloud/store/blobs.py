"""Blobs as plain files: large payloads (S3 objects, Lambda code) kept out of SQLite.

Layout under the blob root (`<data_dir>/blobs/`):

    tmp/<id>.part     a blob being written; never read, removed at open
    <id[:2]>/<id>     a committed blob, sharded by its first two hex digits

A blob id is 32 lowercase hex digits (a uuid4), chosen when writing starts.
Committing flushes and fsyncs the file, renames it into its shard and fsyncs
the shard directory, so once `commit()` returns the blob survives a crash and
the caller may commit metadata pointing at it. A blob whose metadata never got
committed (crash between the two) is an orphan: harmless, but it stays on disk
until something sweeps `ids()` against the metadata.

Ids are validated before they become paths, so an id read from a request or a
tampered document can never name a file outside the blob root.

Small blobs may live inline instead, as rows of the database the blob store is
given (`inline=`, the `blobs` table of the SQLite store: raw BLOBs): a writer
asked for with `writer(inline_max=n)` keeps what it is given in memory while it
stays within n bytes, and its commit() is then one row written in the caller's
transaction (so metadata and body commit together) rather than a file created,
fsync'd and renamed; past n bytes it spills to a file as above. An inline id is "i" + 31 hex digits, so every operation knows
where a blob lives from its id alone. Only callers that never need a path ask
for inline blobs (S3 object bodies); `path()` refuses an inline id.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal, Protocol

from pocketcloud.store import BlobStore, BlobWriter

Durability = Literal["off", "normal", "full"]

_ID = re.compile(r"[0-9a-f]{32}")
_INLINE_ID = re.compile(r"i[0-9a-f]{31}")
_SHARD = re.compile(r"[0-9a-f]{2}")
_TMP = "tmp"
_PART = ".part"

try:  # macOS: fsync() does not flush the drive's cache; F_FULLFSYNC does.
    import fcntl

    _F_FULLFSYNC: int | None = getattr(fcntl, "F_FULLFSYNC", None)
except ImportError:  # Windows
    _F_FULLFSYNC = None

# Windows cannot open a directory to fsync it; its rename is already durable
# enough through NTFS journaling that there is nothing better to do.
_CAN_FSYNC_DIRS = sys.platform != "win32"


_COPY_CHUNK = 4 * 1024 * 1024
_CAN_COPY_RANGE = hasattr(os, "copy_file_range")  # Linux; elsewhere chunks go through user space


def _copy_range(source: BinaryIO, target: BinaryIO, offset: int, length: int) -> int:
    """Bytes of `source` [offset, offset+length) appended to `target` by copy_file_range; how many
    (fewer than `length` where the kernel cannot: across filesystems, a file that is not a file...)."""
    if not _CAN_COPY_RANGE:
        return 0
    try:
        src, dst = source.fileno(), target.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory file
        return 0
    copied = 0
    while copied < length:
        try:
            n = os.copy_file_range(src, dst, length - copied, offset + copied)
        except OSError:  # EXDEV, ENOSYS, EOPNOTSUPP, EINVAL...: the caller copies the rest itself
            break
        if n == 0:  # the end of the source
            break
        copied += n
    return copied


class InlineRows(Protocol):
    """Where inline blobs live: rows of raw bytes keyed by blob id, written in the caller's
    transaction (the SQLite store's `blobs` table)."""

    def get(self, blob_id: str) -> bytes | None: ...

    def size(self, blob_id: str) -> int | None: ...

    def put(self, blob_id: str, data: bytes | bytearray) -> None: ...

    def delete(self, blob_id: str) -> None: ...

    def ids(self) -> list[str]: ...

    def clear(self) -> None: ...


def check_blob_id(blob_id: str) -> str:
    """`blob_id` if it is a well-formed id of a blob file; ValueError otherwise."""
    if type(blob_id) is not str or _ID.fullmatch(blob_id) is None:
        raise ValueError(f"not a blob id: {blob_id!r}")
    return blob_id


def is_inline(blob_id: str) -> bool:
    """Whether `blob_id` names an inline blob (a row of the document store, not a file)."""
    return type(blob_id) is str and blob_id[:1] == "i" and _INLINE_ID.fullmatch(blob_id) is not None


def _fsync_fd(fd: int, full: bool) -> None:
    if full and _F_FULLFSYNC is not None:
        fcntl.fcntl(fd, _F_FULLFSYNC)
    else:
        os.fsync(fd)


def _fsync_dir(path: Path, full: bool) -> None:
    if not _CAN_FSYNC_DIRS:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        _fsync_fd(fd, full)
    finally:
        os.close(fd)


class FileBlobWriter(BlobWriter):
    """One blob being written to `tmp/<id>.part`. Usable as a context manager:
    leaving the block without commit() aborts."""

    def __init__(self, store: FileBlobStore) -> None:
        self._store = store
        self.blob_id = uuid.uuid4().hex
        self._tmp = store.root / _TMP / (self.blob_id + _PART)
        # "x": a uuid4 collision must fail loudly, not interleave two uploads.
        self._file: BinaryIO | None = open(self._tmp, "xb")  # closed by commit() or abort()
        self._size = 0
        self._committed = False

    @property
    def size(self) -> int:
        return self._size

    def write(self, data: bytes) -> None:
        if self._file is None:
            raise ValueError("blob writer is closed")
        self._file.write(data)
        self._size += len(data)

    def copy_from(self, source: BinaryIO, offset: int, length: int) -> None:
        """Append `length` bytes of the open file `source` from `offset` on, copied by the kernel
        (copy_file_range: no trip through user space, a shared extent where the filesystem can)
        where it can, else read and written in chunks. OSError if `source` is shorter."""
        f = self._file
        if f is None:
            raise ValueError("blob writer is closed")
        f.flush()
        copied = _copy_range(source, f, offset, length)
        f.seek(0, os.SEEK_END)  # the buffered writer must see where the kernel left the file
        if copied < length:
            source.seek(offset + copied)
            while copied < length:
                data = source.read(min(_COPY_CHUNK, length - copied))
                if not data:
                    raise OSError(f"blob source ends {length - copied} bytes short")
                f.write(data)
                copied += len(data)
        self._size += length

    def commit(self) -> str:
        f = self._file
        if f is None:
            raise ValueError("blob writer is closed")
        store = self._store
        try:
            f.flush()
            if store.durability != "off":
                _fsync_fd(f.fileno(), store.durability == "full")
            f.close()
            self._file = None
            final = store.path(self.blob_id)
            shard = final.parent
            if not shard.is_dir():
                shard.mkdir(exist_ok=True)
                if store.durability != "off":
                    _fsync_dir(store.root, store.durability == "full")
            os.replace(self._tmp, final)
            if store.durability != "off":
                _fsync_dir(shard, store.durability == "full")
        except BaseException:
            self.abort()
            raise
        self._committed = True
        return self.blob_id

    def abort(self) -> None:
        if self._committed:
            return
        if self._file is not None:
            self._file.close()
            self._file = None
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> FileBlobWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed:
            self.abort()


class InlineBlobWriter(BlobWriter):
    """A blob kept in memory while it stays within `limit` bytes, committed as one document
    (in the caller's transaction, if one is open); past the limit it becomes a file writer."""

    def __init__(self, store: FileBlobStore, inline: InlineRows, limit: int) -> None:
        self._store = store
        self._inline = inline
        self._limit = limit
        self._buffer: bytearray | None = bytearray()
        self._file: FileBlobWriter | None = None
        self._id = "i" + os.urandom(16).hex()[1:]  # random as a uuid4, without building one

    @property
    def blob_id(self) -> str:
        return self._file.blob_id if self._file is not None else self._id

    @property
    def inline(self) -> bool:
        """Whether commit() writes a document (rather than renaming a file into place)."""
        return self._file is None

    @property
    def size(self) -> int:
        if self._file is not None:
            return self._file.size
        return len(self._buffer) if self._buffer is not None else 0

    def write(self, data: bytes) -> None:
        if self._file is not None:
            self._file.write(data)
            return
        if self._buffer is None:
            raise ValueError("blob writer is closed")
        if len(self._buffer) + len(data) <= self._limit:
            self._buffer += data
            return
        spilled = self._store._file_writer()
        try:
            spilled.write(bytes(self._buffer))
            spilled.write(data)
        except BaseException:
            spilled.abort()
            raise
        self._file, self._buffer = spilled, None

    def commit(self) -> str:
        if self._file is not None:
            return self._file.commit()
        if self._buffer is None:
            raise ValueError("blob writer is closed")
        self._inline.put(self._id, self._buffer)
        self._buffer = None
        return self._id

    def abort(self) -> None:
        if self._file is not None:
            self._file.abort()
        self._buffer = None


class FileBlobStore(BlobStore):
    """Blobs in a directory. `durability`: "normal" and "full" fsync every committed
    blob ("full" uses F_FULLFSYNC on macOS); "off" skips fsync, for ephemeral stores.
    `inline`: the collection small blobs may be kept in (see the module docstring)."""

    def __init__(
        self, root: Path, *, durability: Durability = "normal", inline: InlineRows | None = None
    ) -> None:
        self.root = Path(root)
        self.durability: Durability = durability
        self._inline = inline
        (self.root / _TMP).mkdir(parents=True, exist_ok=True, mode=0o700)
        self._remove_partials()

    def _remove_partials(self) -> None:
        # Only this process writes here, and it has just started: any .part is
        # an upload that was interrupted and will never be committed.
        for entry in os.scandir(self.root / _TMP):
            if entry.name.endswith(_PART):
                Path(entry.path).unlink(missing_ok=True)

    def writer(self, inline_max: int = 0) -> BlobWriter:
        """A writer for a new blob; kept inline while within `inline_max` bytes, when this
        store has somewhere to keep inline blobs."""
        if inline_max > 0 and self._inline is not None:
            return InlineBlobWriter(self, self._inline, inline_max)
        return FileBlobWriter(self)

    def _file_writer(self) -> FileBlobWriter:
        return FileBlobWriter(self)

    def path(self, blob_id: str) -> Path:
        check_blob_id(blob_id)
        return self.root / blob_id[:2] / blob_id

    def read_bytes(self, blob_id: str) -> bytes:
        """A whole blob at once (meant for small ones: an inline blob is one SELECT, no file object)."""
        if is_inline(blob_id):
            data = self._inline.get(blob_id) if self._inline is not None else None
            if data is None:
                raise FileNotFoundError(f"no blob {blob_id}")
            return data
        with open(self.path(blob_id), "rb") as handle:
            return handle.read()

    def open(self, blob_id: str) -> BinaryIO:
        if is_inline(blob_id):
            return io.BytesIO(self.read_bytes(blob_id))
        return open(self.path(blob_id), "rb")

    def size(self, blob_id: str) -> int:
        if is_inline(blob_id):
            size = self._inline.size(blob_id) if self._inline is not None else None
            if size is None:
                raise FileNotFoundError(f"no blob {blob_id}")
            return size
        return self.path(blob_id).stat().st_size

    def exists(self, blob_id: str) -> bool:
        if is_inline(blob_id):
            return self._inline is not None and self._inline.size(blob_id) is not None
        return self.path(blob_id).is_file()

    def delete(self, blob_id: str) -> None:
        if is_inline(blob_id):
            if self._inline is not None:
                self._inline.delete(blob_id)
            return
        self.path(blob_id).unlink(missing_ok=True)

    def ids(self) -> Iterator[str]:
        """Every committed blob id (for sweeping orphans against metadata)."""
        if self._inline is not None:
            yield from self._inline.ids()
        for shard in os.scandir(self.root):
            if shard.is_dir() and _SHARD.fullmatch(shard.name):
                for entry in os.scandir(shard.path):
                    if _ID.fullmatch(entry.name) and entry.name.startswith(shard.name):
                        yield entry.name

    def reset(self) -> None:
        """Delete every committed blob. Uploads in progress are left to finish or abort."""
        if self._inline is not None:
            self._inline.clear()
        for shard in os.scandir(self.root):
            if shard.is_dir() and _SHARD.fullmatch(shard.name):
                shutil.rmtree(shard.path, ignore_errors=True)
