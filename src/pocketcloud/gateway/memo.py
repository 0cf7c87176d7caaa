"""A memo that lives for one request's trip through the chain.

Several steps of the chain may need the same stored value: an S3 request reads
its bucket's document in the authorizer (the bucket policy), in the operation
(versioning, encryption defaults) and again to send event notifications. The
gateway opens one memo per request (`open_memo`), and code that reads such a
value may keep it there for the rest of that request; code that writes it
drops it (`forget`). The memo is closed when the request's chain is done, so a
task the request started (which inherits the context) sees a closed memo and
reads the store again instead of a value that may since have changed.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any


class RequestMemo:
    __slots__ = ("_values", "_open")

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}
        self._open = True

    def get(self, key: Any) -> Any:
        return self._values.get(key) if self._open else None

    def put(self, key: Any, value: Any) -> None:
        if self._open:
            self._values[key] = value

    def forget(self, key: Any) -> None:
        self._values.pop(key, None)

    def close(self) -> None:
        self._open = False
        self._values.clear()


_CURRENT: ContextVar[RequestMemo | None] = ContextVar("pocketcloud_request_memo", default=None)


def current_memo() -> RequestMemo | None:
    """The memo of the request being handled; None outside one (background work, tests)."""
    return _CURRENT.get()


def open_memo() -> tuple[RequestMemo, Token[RequestMemo | None]]:
    memo = RequestMemo()
    return memo, _CURRENT.set(memo)


def close_memo(memo: RequestMemo, token: Token[RequestMemo | None]) -> None:
    memo.close()
    _CURRENT.reset(token)
