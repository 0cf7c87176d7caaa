"""Compiled filter patterns: what `compile_filter` returns, and how each form matches a message.

A term pattern looks for its terms in the text, a JSON pattern parses the event and runs
its condition over `_select`, a space-delimited pattern splits the message into fields
(`_split_fields`) and lays them over its slots, extracting the named ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pocketcloud.services.logs.pattern_selectors import _JsonFloat, _select

# -- the compiled forms ------------------------------------------------------


class FilterPattern:
    """A compiled pattern. `extract` returns the extracted fields of a matching
    message ({} for term and JSON patterns), None when it does not match. `regexes` counts
    its `%regex%` terms (a log group holds at most 5 filters with one). Only JSON and
    space-delimited patterns name fields a metric's dimensions can take their values from."""

    regexes = 0
    supports_dimensions = False

    def matches(self, message: str) -> bool:
        return self.extract(message) is not None

    def extract(self, message: str) -> dict[str, str] | None:
        raise NotImplementedError


class _MatchAll(FilterPattern):
    def matches(self, message: str) -> bool:
        return True

    def extract(self, message: str) -> dict[str, str] | None:
        return {}


@dataclass(frozen=True)
class _Term:
    text: str
    regex: Any  # _compile_regex's searcher, or None for plain text
    negated: bool

    def found(self, message: str) -> bool:
        hit = self.regex.search(message) is not None if self.regex is not None else self.text in message
        return hit != self.negated


class _TermPattern(FilterPattern):
    def __init__(self, groups: list[list[_Term]]) -> None:
        self.groups = groups

    def matches(self, message: str) -> bool:
        return any(all(term.found(message) for term in group) for group in self.groups)

    def extract(self, message: str) -> dict[str, str] | None:
        return {} if self.matches(message) else None


class _JsonPattern(FilterPattern):
    supports_dimensions = True

    def __init__(self, check: Callable[[Callable[[str], Any]], bool]) -> None:
        self.check = check

    def extract(self, message: str) -> dict[str, str] | None:
        text = message.strip()
        if not text.startswith(("{", "[")):
            return None
        try:
            document = json.loads(text, parse_float=_JsonFloat)
        except (ValueError, RecursionError):
            return None
        return {} if self.check(lambda path: _select(document, path)) else None


class _DelimitedPattern(FilterPattern):
    supports_dimensions = True

    def __init__(self, slots: list[_Slot]) -> None:
        self.slots = slots
        self.ellipsis = next((i for i, s in enumerate(slots) if s.ellipsis), None)

    def extract(self, message: str) -> dict[str, str] | None:
        fields = _split_fields(message)
        slots = self.slots
        # Each field with the slot it falls in (None: swallowed by the ellipsis).
        placed: list[tuple[_Slot | None, str]]
        if self.ellipsis is None:
            if len(fields) != len(slots):
                return None
            placed = list(zip(slots, fields, strict=True))
        else:
            before, after = slots[: self.ellipsis], slots[self.ellipsis + 1 :]
            middle = len(fields) - len(after)
            if middle < len(before):
                return None
            placed = list(zip(before, fields[: len(before)], strict=True))
            placed += [(None, value) for value in fields[len(before) : middle]]
            placed += list(zip(after, fields[middle:], strict=True))
        values = {slot.name: value for slot, value in placed if slot is not None and slot.name}
        for slot, _ in placed:
            if slot is not None and slot.condition is not None and not slot.condition(values.get):
                return None
        return {
            ("$" + slot.name if slot is not None and slot.name else f"${position}"): value
            for position, (slot, value) in enumerate(placed, 1)
        }


@dataclass
class _Slot:
    name: str
    condition: Callable[[Callable[[str], str | None]], bool] | None
    ellipsis: bool = False


# -- space-delimited messages ---------------------------------------------------------


def _split_fields(message: str) -> list[str]:
    fields: list[str] = []
    i, n = 0, len(message)
    while i < n:
        ch = message[i]
        if ch.isspace():
            i += 1
            continue
        closer = '"' if ch == '"' else "]" if ch == "[" else None
        if closer is not None:
            end = message.find(closer, i + 1)
            if end != -1:
                fields.append(message[i + 1 : end])
                i = end + 1
                continue
        start = i
        while i < n and not message[i].isspace():
            i += 1
        fields.append(message[start:i])
    return fields
