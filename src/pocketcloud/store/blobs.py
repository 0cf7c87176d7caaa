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
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal

from pocketcloud.store import BlobStore, BlobWriter

Durability = Literal["off", "normal", "full"]

_ID = re.compile(r"[0-9a-f]{32}")
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


def check_blob_id(blob_id: str) -> str:
    """`blob_id` if it is a well-formed id; ValueError otherwise."""
    if type(blob_id) is not str or _ID.fullmatch(blob_id) is None:
        raise ValueError(f"not a blob id: {blob_id!r}")
    return blob_id


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


class FileBlobStore(BlobStore):
    """Blobs in a directory. `durability`: "normal" and "full" fsync every committed
    blob ("full" uses F_FULLFSYNC on macOS); "off" skips fsync, for ephemeral stores."""

    def __init__(self, root: Path, *, durability: Durability = "normal") -> None:
        self.root = Path(root)
        self.durability: Durability = durability
        (self.root / _TMP).mkdir(parents=True, exist_ok=True, mode=0o700)
        self._remove_partials()

    def _remove_partials(self) -> None:
        # Only this process writes here, and it has just started: any .part is
        # an upload that was interrupted and will never be committed.
        for entry in os.scandir(self.root / _TMP):
            if entry.name.endswith(_PART):
                Path(entry.path).unlink(missing_ok=True)

    def writer(self) -> FileBlobWriter:
        return FileBlobWriter(self)

    def path(self, blob_id: str) -> Path:
        check_blob_id(blob_id)
        return self.root / blob_id[:2] / blob_id

    def open(self, blob_id: str) -> BinaryIO:
        return open(self.path(blob_id), "rb")

    def size(self, blob_id: str) -> int:
        return self.path(blob_id).stat().st_size

    def exists(self, blob_id: str) -> bool:
        return self.path(blob_id).is_file()

    def delete(self, blob_id: str) -> None:
        self.path(blob_id).unlink(missing_ok=True)

    def ids(self) -> Iterator[str]:
        """Every committed blob id (for sweeping orphans against metadata)."""
        for shard in os.scandir(self.root):
            if shard.is_dir() and _SHARD.fullmatch(shard.name):
                for entry in os.scandir(shard.path):
                    if _ID.fullmatch(entry.name) and entry.name.startswith(shard.name):
                        yield entry.name

    def reset(self) -> None:
        """Delete every committed blob. Uploads in progress are left to finish or abort."""
        for shard in os.scandir(self.root):
            if shard.is_dir() and _SHARD.fullmatch(shard.name):
                shutil.rmtree(shard.path, ignore_errors=True)
