"""A read cache of what every Invoke reads: the function's document, its version or alias, its policy.

Without it a warm Invoke makes two to four SELECTs and JSON decodes (the authorizer's resource
policy, the function, the version or alias it names) for documents that almost never change.
Entries are keyed by (what, scope, key); a missing document is remembered too (most functions
have no policy). The cache is correct because every collection it reads from is a
`WatchedCollection`: each write to one empties the whole cache, before and after the write.
Writes are rare next to invocations, so emptying everything is cheaper than being clever.

Rules for callers: what the cache hands out is shared, so it is read-only; and cached reads are
never made inside a store transaction (a write there that is rolled back could otherwise leave
an uncommitted document behind in the cache). The provider also empties the cache when it
starts and stops, which is how `pocketcloud reset` (stop, wipe the store, start) reaches it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from pocketcloud.store import Collection, Document, Scope

_MISSING = object()
MAX_ENTRIES = 4096  # a bound on memory for accounts with very many functions; refilled on demand


class DocumentCache:
    def __init__(self) -> None:
        self._entries: dict[Hashable, Any] = {}

    def clear(self) -> None:
        self._entries.clear()

    def lookup(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The value remembered under `key`, else `load()`'s, remembered (None included)."""
        value = self._entries.get(key, _MISSING)
        if value is _MISSING:
            value = load()
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = value
        return value

    def get(self, collection: Collection, scope: Scope, key: str) -> Document | None:
        """`collection.get(scope, key)`, from the cache when it can be."""
        return self.lookup((id(collection), scope, key), lambda: collection.get(scope, key))


class WatchedCollection(Collection):
    """A store collection whose every write empties a `DocumentCache`; reads pass straight through."""

    def __init__(self, inner: Collection, cache: DocumentCache) -> None:
        self.inner = inner
        self.cache = cache

    def __repr__(self) -> str:
        return f"<WatchedCollection {self.inner!r}>"

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
    ) -> list[tuple[str, Any]]:
        return self.inner.scan_fields(scope, fields, prefix, start_after, limit)

    def keep_fields(self, fields: tuple[str, ...]) -> None:
        self.inner.keep_fields(fields)

    def count(self, scope: Scope, prefix: str = "") -> int:
        return self.inner.count(scope, prefix)

    def scopes(self) -> list[Scope]:
        return self.inner.scopes()

    # -- writes: the cache is emptied before (a failed write may still have changed something)
    # and after (nothing read meanwhile survives the write).

    def put(self, scope: Scope, key: str, doc: Document) -> None:
        self.cache.clear()
        try:
            self.inner.put(scope, key, doc)
        finally:
            self.cache.clear()

    def insert(self, scope: Scope, key: str, doc: Document) -> bool:
        self.cache.clear()
        try:
            return self.inner.insert(scope, key, doc)
        finally:
            self.cache.clear()

    def delete(self, scope: Scope, key: str) -> bool:
        self.cache.clear()
        try:
            return self.inner.delete(scope, key)
        finally:
            self.cache.clear()

    def delete_prefix(self, scope: Scope, prefix: str) -> int:
        self.cache.clear()
        try:
            return self.inner.delete_prefix(scope, prefix)
        finally:
            self.cache.clear()
