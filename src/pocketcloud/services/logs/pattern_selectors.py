"""JSON filter patterns' selectors (`$.a[0].b`, `$.*`, `$.['cluster.name']`) and the values they reach.

`_select` walks a parsed log event along a selector: a missing value is `_MISSING`, an
object or array `_CONTAINER` (it exists but compares with nothing), and a wildcard
selector gives every value it reaches (`_Selected`), one of which must satisfy the
condition (`_any_selected`). `_JsonFloat` keeps a JSON number's text for string comparisons.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

_MISSING: Any = object()

# A lookup gives the value a selector (JSON) or a field name (space-delimited) names; a
# condition says whether the event behind a lookup matches.
Lookup = Callable[[str], Any]
Condition = Callable[[Lookup], bool]


class _JsonFloat(float):
    """A JSON number with a fraction or exponent that keeps its text: compared with a string,
    `12.0` is "12.0" (AWS: `{ $.x != "12" }` matches it), while `{ $.x = 12 }` compares numbers."""

    text: str

    def __new__(cls, text: str) -> _JsonFloat:
        number = super().__new__(cls, text)
        number.text = text
        return number


def _json_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _JsonFloat):
        return value.text
    return str(value)


# -- JSON selectors ---------------------------------------------------------------

# `.name`, `[0]`, the wildcards `.*` and `[*]`, and `['key.with.periods']` (with or without a
# leading period: the documented form is `$.['cluster.name']`).
_PATH_PART = re.compile(r"\.?\['([^']*)'\]|\.([^.\[\]\s]+)|\[(\d+)\]|\[(\*)\]")
_WILDCARD: Any = object()
_MAX_WILDCARDS = 3


@lru_cache(maxsize=1024)
def _parse_path(selector: str) -> tuple[Any, ...] | None:
    parts: list[Any] = []
    pos = 1  # after "$"
    while pos < len(selector):
        match = _PATH_PART.match(selector, pos)
        if match is None:
            return None
        quoted, name, index, star = match.groups()
        if quoted is not None:
            parts.append(quoted)
        elif name is not None:
            parts.append(_WILDCARD if name == "*" else name)
        else:
            parts.append(_WILDCARD if star is not None else int(index))
        pos = match.end()
    return tuple(parts)


def _path_of(selector: str) -> tuple[Any, ...]:
    return _parse_path(selector) or ()


def _select(document: Any, selector: str) -> Any:
    """The value at `selector`; _MISSING if absent. Objects and arrays come back as
    _CONTAINER: a selector must reach a value node to compare. A selector with a wildcard
    gives the _Selected values it reaches."""
    found = [document]
    wildcard = False
    for part in _path_of(selector):
        following: list[Any] = []
        for current in found:
            if part is _WILDCARD:
                wildcard = True
                if isinstance(current, dict):
                    following.extend(current.values())
                elif isinstance(current, list):
                    following.extend(current)
            elif isinstance(part, int):
                if isinstance(current, list) and part < len(current):
                    following.append(current[part])
            elif isinstance(current, dict) and part in current:
                following.append(current[part])
        found = following
    values = [_CONTAINER if isinstance(v, dict | list) else v for v in found]
    if wildcard:
        return _Selected(values)
    return values[0] if values else _MISSING


def _constant(value: Any) -> Lookup:
    return lambda _path: value


class _Selected(tuple[Any, ...]):
    """The values a wildcard selector reaches."""


def _any_selected(subject: str, leaf: Condition) -> Condition:
    """A condition on a wildcard selector: true when it holds for one of the values selected
    (`{ $.arrayKey[*] = %val.{2}% }` matches `"arrayKey": ["value", "another value"]`)."""

    def check(lookup: Lookup) -> bool:
        found = lookup(subject)
        values = found if isinstance(found, _Selected) and found else (_MISSING,)
        return any(leaf(_constant(value)) for value in values)

    return check


class _Container:
    """Stands for an object or array value: it exists, but equals and differs from nothing."""

    def __repr__(self) -> str:
        return "<container>"


_CONTAINER: Any = _Container()
