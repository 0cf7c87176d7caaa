"""The conditions of JSON and space-delimited filter patterns: `a && (b || c)`, each leaf a comparison.

`_ConditionParser` reads the tokens of `{ $.latency > 500 && $.level = "ERROR" }` or of one
field of `[ip, user, status_code = 4*]` into a `Condition`: a function of a lookup (a
selector or field name to its value) that says whether the event matches. Strings compare
with `*` wildcards at either end, numbers with `_NUMERIC_OPS`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from pocketcloud.services.logs.pattern_selectors import (
    _MAX_WILDCARDS,
    _MISSING,
    _WILDCARD,
    Condition,
    Lookup,
    _any_selected,
    _json_text,
    _parse_path,
    _path_of,
)
from pocketcloud.services.logs.pattern_syntax import (
    _JSON_UNQUOTED_REFUSED,
    _compile_regex,
    _invalid,
    _invalid_term,
    _Token,
)

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _wildcard(value: str) -> Callable[[str], bool]:
    """A string comparison: `*` at the start and/or the end matches any text there;
    anywhere else it is a literal star (AWS: `Ev*ent` only matches `Ev*ent`)."""
    if value == "*":
        return lambda s: True
    lead, trail = value.startswith("*"), value.endswith("*") and len(value) > 1
    core = value[1 if lead else 0 : -1 if trail else None]
    if lead and trail:
        return lambda s: core in s
    if lead:
        return lambda s: s.endswith(core)
    if trail:
        return lambda s: s.startswith(core)
    return lambda s: s == core


def _as_number(text: str) -> float | None:
    if _NUMBER.fullmatch(text) is None:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


_NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


class _ConditionParser:
    """Recursive descent over `a && (b || c)`, each leaf `subject op value` or a
    postfix test; `subject` is a `$.path` (JSON) or a field name (delimited)."""

    def __init__(self, tokens: list[_Token], json_mode: bool, names: set[str] | None = None) -> None:
        self.tokens = tokens
        self.pos = 0
        self.json_mode = json_mode
        self.names = names
        self.regexes = 0
        self.wildcards = 0
        self.subjects: list[str] = []

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _invalid()
        self.pos += 1
        return token

    def parse(self) -> Condition:
        condition = self.disjunction()
        if self.peek() is not None:
            raise _invalid()
        return condition

    def disjunction(self) -> Condition:
        parts = [self.conjunction()]
        while (token := self.peek()) is not None and token.kind == "||":
            self.pos += 1
            parts.append(self.conjunction())
        if len(parts) == 1:
            return parts[0]
        return lambda lookup: any(part(lookup) for part in parts)

    def conjunction(self) -> Condition:
        parts = [self.primary()]
        while (token := self.peek()) is not None and token.kind == "&&":
            self.pos += 1
            parts.append(self.primary())
        if len(parts) == 1:
            return parts[0]
        return lambda lookup: all(part(lookup) for part in parts)

    def primary(self) -> Condition:
        token = self.take()
        if token.kind == "(":
            inner = self.disjunction()
            if self.take().kind != ")":
                raise _invalid()
            return inner
        if token.kind != "word":
            raise _invalid()
        subject = self.subject(token.text)
        following = self.take()
        if following.kind == "word":
            leaf = self.postfix(subject, following.text.upper())
        elif following.kind != "op":
            raise _invalid()
        else:
            leaf = self.comparison(subject, following.text, self.take())
        return _any_selected(subject, leaf) if self.json_mode and _WILDCARD in _path_of(subject) else leaf

    def subject(self, text: str) -> str:
        if self.json_mode:
            if not (text == "$" or text.startswith(("$.", "$["))) or _parse_path(text) is None:
                raise _invalid()
            # "You can only use up to one wildcard selector in a property selector, and up to
            # three wildcard selectors in a filter pattern with compound expressions."
            wildcards = _path_of(text).count(_WILDCARD)
            self.wildcards += wildcards
            if wildcards > 1 or self.wildcards > _MAX_WILDCARDS:
                raise _invalid()
        elif self.names is not None and text not in self.names:
            raise _invalid()
        self.subjects.append(text)
        return text

    def postfix(self, subject: str, word: str) -> Condition:
        if not self.json_mode:
            raise _invalid()
        if word == "IS":
            what = self.take().text.upper()
            if what == "TRUE":
                return lambda lookup: lookup(subject) is True
            if what == "FALSE":
                return lambda lookup: lookup(subject) is False
            if what == "NULL":
                return lambda lookup: (v := lookup(subject)) is None
            raise _invalid()
        if word == "NOT":
            if self.take().text.upper() != "EXISTS":
                raise _invalid()
            return lambda lookup: lookup(subject) is _MISSING
        raise _invalid()  # AWS: "The variables IS NOT and EXISTS currently aren't supported."

    def comparison(self, subject: str, op: str, value: _Token) -> Condition:
        if value.kind == "re":
            if op not in ("=", "!="):
                raise _invalid()
            self.regexes += 1
            regex = _compile_regex(value.text)
            want = op == "="

            def check_regex(lookup: Lookup) -> bool:
                found = lookup(subject)
                return isinstance(found, str) and (regex.search(found) is not None) == want

            return check_regex
        if value.kind not in ("str", "word"):
            raise _invalid()
        if value.kind == "word" and self.json_mode:
            # "Strings that have unicode and other characters such as '@', '$', '\\', etc. must be
            # enclosed in double quotes to be valid."
            bad = next((c for c in value.text if c in _JSON_UNQUOTED_REFUSED or not c.isascii()), None)
            if bad is not None:
                raise _invalid_term(bad)
        number = _as_number(value.text) if value.kind == "word" else None
        if number is None:
            if op not in ("=", "!="):  # AWS names the value that is no number, as written
                raise _invalid_term(f'"{value.text}"' if value.kind == "str" else value.text)
            if value.kind == "word" and self.json_mode and value.text in ("true", "false", "null"):
                literal = {"true": True, "false": False, "null": None}[value.text]
                return self._literal(subject, op, literal)
            test = _wildcard(value.text)
            want = op == "="
            json_mode = self.json_mode

            def check_string(lookup: Lookup) -> bool:
                found = lookup(subject)
                if json_mode and (isinstance(found, bool) or isinstance(found, int | float)):
                    found = _json_text(found)
                return isinstance(found, str) and test(found) == want

            return check_string
        compare = _NUMERIC_OPS[op]
        raw = value.text

        def check_number(lookup: Lookup) -> bool:
            found = lookup(subject)
            if isinstance(found, bool) or found is None or found is _MISSING:
                return False
            if isinstance(found, int | float):
                return compare(float(found), number)
            if isinstance(found, str):
                parsed = _as_number(found)
                if parsed is not None:
                    return compare(parsed, number)
                if op in ("=", "!="):  # a field that is not a number compares as text
                    return (found == raw) == (op == "=")
            return False

        return check_number

    @staticmethod
    def _literal(subject: str, op: str, literal: Any) -> Condition:
        want = op == "="

        def check(lookup: Lookup) -> bool:
            found = lookup(subject)
            if found is _MISSING or isinstance(found, dict | list):
                return False
            return (found is literal) == want

        return check
