"""A read cache of what every Invoke reads: the function's document, its version or alias, its policy.

Without it a warm Invoke makes two to four SELECTs and JSON decodes (the authorizer's resource
policy, the function, the version or alias it names) for documents that almost never change.
Entries are keyed by (what, scope, key); a missing document is remembered too (most functions
have no policy). The cache is correct because every collection it reads from is a
watched (`store/watched.py`): each write to one empties the whole cache, before and after the write.
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
from pocketcloud.store.watched import WatchedCollection

_MISSING = object()
MAX_ENTRIES = 4096  # a bound on memory for accounts with very many functions; refilled on demand


class DocumentCache:
    def __init__(self) -> None:
        self._entries: dict[Hashable, Any] = {}

    def clear(self) -> None:
        self._entries.clear()

    def forget_everything(self, scope: Scope, key: str | None) -> None:
        """A write to a watched collection: writes are rare, so everything goes, not just `key`."""
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


def watched(inner: Collection, cache: DocumentCache) -> Collection:
    """`inner`, with every write to it emptying `cache` (before and after the write)."""
    return WatchedCollection(inner, cache.forget_everything)
