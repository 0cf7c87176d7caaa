"""Names that are no text: what a lookup of one finds, and why a write of one is refused.

A JSON body may carry a lone surrogate ("\\ud800"): valid JSON, but no Unicode text, so the store
cannot hold it (SQLite raises UnicodeEncodeError). Rather than check every name of every operation,
the provider's collections are wrapped in `TextKeys`: a key or prefix that is no text names nothing
(get finds nothing, a scan or prefix matches nothing, a delete deletes nothing), so each operation
answers its own not-found error or an empty list; a write of one raises `UnusableName`, which the
provider turns into Logs' validation error naming the member (`refused`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.logs.errors import invalid
from pocketcloud.store import Collection, Document, Scope


def usable_name(name: object) -> bool:
    """Whether `name` can name something: not a string, or a string that is Unicode text."""
    if not isinstance(name, str) or name.isascii():  # isascii: the common case, without a copy
        return True
    try:
        name.encode()
    except UnicodeEncodeError:
        return False
    return True


class UnusableName(Exception):
    """A write under a key that is no text (the provider answers `refused(params)`)."""


def refused(params: dict[str, Any]) -> ServiceError:
    """Logs' validation error for the first member of `params` holding text that is not text."""
    member = next(
        (
            name
            for name, value in params.items()
            if not usable_name(value) or (isinstance(value, list) and not all(map(usable_name, value)))
        ),
        "name",
    )
    return invalid(
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        "Member must be valid Unicode text"
    )


class TextKeys(Collection):
    """A collection whose keys, prefixes and cursors that are no text name nothing."""

    def __init__(self, inner: Collection) -> None:
        self.inner = inner

    def get(self, scope: Scope, key: str) -> Document | None:
        return self.inner.get(scope, key) if usable_name(key) else None

    def get_with_blob(self, scope: Scope, key: str, field: str) -> tuple[Document | None, bytes | None]:
        return self.inner.get_with_blob(scope, key, field) if usable_name(key) else (None, None)

    def put(self, scope: Scope, key: str, doc: Document) -> None:
        self._writable(key)
        self.inner.put(scope, key, doc)

    def put_many(self, scope: Scope, items: Sequence[tuple[str, Document]]) -> None:
        for key, _ in items:
            self._writable(key)
        self.inner.put_many(scope, items)

    def insert(self, scope: Scope, key: str, doc: Document) -> bool:
        self._writable(key)
        return self.inner.insert(scope, key, doc)

    def delete(self, scope: Scope, key: str) -> bool:
        return self.inner.delete(scope, key) if usable_name(key) else False

    def delete_many(self, scope: Scope, keys: Sequence[str]) -> int:
        return self.inner.delete_many(scope, [key for key in keys if usable_name(key)])

    def scan(
        self,
        scope: Scope,
        prefix: str = "",
        start_after: str | None = None,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[tuple[str, Document]]:
        if not (usable_name(prefix) and usable_name(start_after)):
            return []
        return self.inner.scan(scope, prefix, start_after, limit, reverse)

    def keep_fields(self, fields: tuple[str, ...]) -> None:
        self.inner.keep_fields(fields)

    def scan_fields(
        self,
        scope: Scope,
        fields: tuple[str, ...],
        prefix: str = "",
        start_after: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[str, Sequence[Any]]]:
        if not (usable_name(prefix) and usable_name(start_after)):
            return []
        return self.inner.scan_fields(scope, fields, prefix, start_after, limit)

    def count(self, scope: Scope, prefix: str = "") -> int:
        return self.inner.count(scope, prefix) if usable_name(prefix) else 0

    def delete_prefix(self, scope: Scope, prefix: str) -> int:
        return self.inner.delete_prefix(scope, prefix) if usable_name(prefix) else 0

    def scopes(self) -> list[Scope]:
        return self.inner.scopes()

    @staticmethod
    def _writable(key: str) -> None:
        if not usable_name(key):
            raise UnusableName(key)
