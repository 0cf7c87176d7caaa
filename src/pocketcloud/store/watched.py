"""A collection that tells someone about every write to it: what read caches are built on.

`WatchedCollection(inner, on_write)` passes every call through to `inner`, and calls
`on_write(scope, key)` before and after each write (`key` is None for `put_many`,
`delete_many` and `delete_prefix`, which touch many): before, because a write that fails
half-way may still have changed something, and after, so that nothing read while the write
was running survives it. A cache that forgets what `on_write` names can then never hand out
a document older than the last write.
Subclasses may answer reads from their cache by overriding `get`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pocketcloud.store import Collection, Document, Scope

OnWrite = Callable[[Scope, "str | None"], None]


class WatchedCollection(Collection):
    def __init__(self, inner: Collection, on_write: OnWrite) -> None:
        self.inner = inner
        self._on_write = on_write

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.inner!r}>"

    # -- reads pass straight through --------------------------------------------------------

    def get(self, scope: Scope, key: str) -> Document | None:
        return self.inner.get(scope, key)

    def get_with_blob(self, scope: Scope, key: str, field: str) -> tuple[Document | None, bytes | None]:
        return self.inner.get_with_blob(scope, key, field)

    def scan(
        self,
        scope: Scope,
        prefix: str = "",
        start_after: str | None = None,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[tuple[str, Document]]:
        return self.inner.scan(scope, prefix, start_after, limit, reverse)

    def scan_fields(
        self,
        scope: Scope,
        fields: tuple[str, ...],
        prefix: str = "",
        start_after: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[str, Sequence[Any]]]:
        return self.inner.scan_fields(scope, fields, prefix, start_after, limit)

    def keep_fields(self, fields: tuple[str, ...]) -> None:
        self.inner.keep_fields(fields)

    def count(self, scope: Scope, prefix: str = "") -> int:
        return self.inner.count(scope, prefix)

    def scopes(self) -> list[Scope]:
        return self.inner.scopes()

    # -- writes are announced before and after ----------------------------------------------

    def put(self, scope: Scope, key: str, doc: Document) -> None:
        self._on_write(scope, key)
        try:
            self.inner.put(scope, key, doc)
        finally:
            self._on_write(scope, key)

    def put_many(self, scope: Scope, items: Sequence[tuple[str, Document]]) -> None:
        self._on_write(scope, None)
        try:
            self.inner.put_many(scope, items)
        finally:
            self._on_write(scope, None)

    def insert(self, scope: Scope, key: str, doc: Document) -> bool:
        self._on_write(scope, key)
        try:
            return self.inner.insert(scope, key, doc)
        finally:
            self._on_write(scope, key)

    def delete(self, scope: Scope, key: str) -> bool:
        self._on_write(scope, key)
        try:
            return self.inner.delete(scope, key)
        finally:
            self._on_write(scope, key)

    def delete_many(self, scope: Scope, keys: Sequence[str]) -> int:
        self._on_write(scope, None)
        try:
            return self.inner.delete_many(scope, keys)
        finally:
            self._on_write(scope, None)

    def delete_prefix(self, scope: Scope, prefix: str) -> int:
        self._on_write(scope, None)
        try:
            return self.inner.delete_prefix(scope, prefix)
        finally:
            self._on_write(scope, None)
