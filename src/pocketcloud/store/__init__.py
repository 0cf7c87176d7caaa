"""Persistence: the interface providers use, so a backend can change without touching them.

State is a set of *collections* of JSON documents. A collection belongs to one
service ("s3", "iam") and holds one kind of thing ("buckets", "users"); inside
it, documents live per *scope* — (account id, region), with region "" for
global resources such as IAM users — under string keys kept in byte order, so
that a page of a listing costs the same in a bucket of ten keys or of a
million. Large binary payloads (S3 objects, Lambda code) are *blobs*: files
written to a temporary name, fsync'd and renamed before the metadata that
points at them is committed.

    store = open_store(data_dir)            # or open_store(None) for ephemeral
    users = store.collection("iam", "users")
    with store.transaction():
        users.put(("000000000000", ""), "alice", {"UserName": "alice"})
    users.get(("000000000000", ""), "alice")

The embedded backend is SQLite (WAL) in `store/sqlite.py`; blobs are in
`store/blobs.py`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, BinaryIO

Scope = tuple[str, str]  # (account id, region); region "" for global resources
Document = dict[str, Any]


class UnusableKey(ValueError):
    """A write under a key (or scope) that is no Unicode text: a lone surrogate, which a JSON request
    may carry ("\\ud800") but no store can hold. A read of such a key finds nothing; a write raises
    this, which the gateway answers as the service's validation error."""


def is_text(value: str) -> bool:
    """Whether `value` is Unicode text, that is, has no lone surrogate (ASCII, the usual case, is
    answered without a copy)."""
    if value.isascii():
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


class Collection(ABC):
    """Documents of one kind of one service, keyed per scope by ordered string keys."""

    @abstractmethod
    def get(self, scope: Scope, key: str) -> Document | None: ...

    @abstractmethod
    def put(self, scope: Scope, key: str, doc: Document) -> None:
        """Create or replace."""

    def get_with_blob(self, scope: Scope, key: str, field: str) -> tuple[Document | None, bytes | None]:
        """get(), and the bytes of the inline blob (store/blobs.py) that the document's top-level
        `field` names, None if it names none: a small S3 object's record and body in one read, where a
        backend can."""
        return self.get(scope, key), None

    def put_many(self, scope: Scope, items: Sequence[tuple[str, Document]]) -> None:
        """put() each (key, doc) of `items`, in order; one statement for all where a backend can."""
        for key, doc in items:
            self.put(scope, key, doc)

    def put_twin(self, scope: Scope, key: str, doc: Document, twin: Collection, twin_key: str) -> None:
        """put() `doc` here under `key` and in `twin` (same scope) under `twin_key`: one record kept
        in two collections (S3's current object and its version), encoded once where a backend can."""
        self.put(scope, key, doc)
        twin.put(scope, twin_key, doc)

    @abstractmethod
    def insert(self, scope: Scope, key: str, doc: Document) -> bool:
        """Create only if absent; True if created. Atomic against concurrent inserts."""

    @abstractmethod
    def delete(self, scope: Scope, key: str) -> bool:
        """True if something was deleted."""

    def delete_many(self, scope: Scope, keys: Sequence[str]) -> int:
        """delete() each of `keys`; how many were deleted. One statement for all where a backend can."""
        return sum(self.delete(scope, key) for key in keys)

    @abstractmethod
    def scan(
        self,
        scope: Scope,
        prefix: str = "",
        start_after: str | None = None,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[tuple[str, Document]]:
        """(key, doc) pairs whose key starts with `prefix` and sorts after `start_after`
        (before it when `reverse`), in UTF-8 byte order, at most `limit` of them."""

    def keep_fields(self, fields: tuple[str, ...]) -> None:
        """From now on, keep these top-level fields of each document written beside it, so that
        scan_fields() with the same fields need not read whole documents. A hint: a backend may
        ignore it, and documents written before are still read correctly."""
        return None

    def scan_fields(
        self,
        scope: Scope,
        fields: tuple[str, ...],
        prefix: str = "",
        start_after: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[str, Sequence[Any]]]:
        """Like scan(), but only the values of the top-level `fields` of each document, in that order
        (None where one is absent): what a listing needs, which a backend may fetch without decoding
        whole documents."""
        return [(k, [d.get(f) for f in fields]) for k, d in self.scan(scope, prefix, start_after, limit)]

    @abstractmethod
    def count(self, scope: Scope, prefix: str = "") -> int: ...

    @abstractmethod
    def delete_prefix(self, scope: Scope, prefix: str) -> int:
        """Delete every key starting with `prefix`; how many went."""

    @abstractmethod
    def scopes(self) -> list[Scope]:
        """Every scope holding at least one document (for background workers)."""


class BlobWriter(ABC):
    """A blob being written: write() chunks, then commit() (durable) or abort()."""

    @abstractmethod
    def write(self, data: bytes) -> None: ...

    @abstractmethod
    def commit(self) -> str:
        """fsync and rename into place; returns the blob id."""

    @abstractmethod
    def abort(self) -> None: ...

    @property
    @abstractmethod
    def size(self) -> int: ...


class BlobStore(ABC):
    @abstractmethod
    def writer(self, inline_max: int = 0) -> BlobWriter:
        """A new blob; one of at most `inline_max` bytes may be kept in the database (blobs.py)."""

    @abstractmethod
    def open(self, blob_id: str) -> BinaryIO: ...

    @abstractmethod
    def path(self, blob_id: str) -> Path: ...

    @abstractmethod
    def size(self, blob_id: str) -> int: ...

    @abstractmethod
    def delete(self, blob_id: str) -> None:
        """Remove a blob; a missing one is not an error."""


class Store(ABC):
    blobs: BlobStore

    @abstractmethod
    def collection(self, service: str, name: str) -> Collection: ...

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together or not at all. Nests (inner blocks join the outer)."""

    @abstractmethod
    def next_sequence(self, name: str) -> int:
        """A durable counter: 1, 2, 3, ... per name, never repeating, even across restarts."""

    @abstractmethod
    def reset(self) -> None:
        """Forget all state: every document and blob."""

    @abstractmethod
    def close(self) -> None: ...

    @property
    @abstractmethod
    def data_dir(self) -> Path: ...

    def iter_collection(self, service: str, name: str, scope: Scope) -> Iterator[tuple[str, Document]]:
        """Every document of a collection in a scope, page by page."""
        coll = self.collection(service, name)
        after: str | None = None
        while True:
            page = coll.scan(scope, start_after=after, limit=500)
            if not page:
                return
            yield from page
            after = page[-1][0]


def open_store(data_dir: Path | None) -> Store:
    """The embedded store in `data_dir`; a fresh temporary directory when None (ephemeral)."""
    from pocketcloud.store.sqlite import SqliteStore

    return SqliteStore.open(data_dir)
