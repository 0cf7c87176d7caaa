"""CloudWatch Logs filter patterns, as FilterLogEvents, metric and subscription filters read them.

Three forms, chosen by the first character (AWS's "Filter pattern syntax for
metric filters, subscription filters, filter log events, and Live Tail"):

- terms: `ERROR`, `"INTERNAL SERVER ERROR"`, `ERROR -ARGUMENTS`,
  `?ERROR ?WARN`, `%regex%`. Case-sensitive; every term must appear (AND);
  `-term` must not; `?term`s match when any of them appears, and are ignored
  when the pattern has any other term (`?a ?b c` is just c). `""` and `" "`
  match every event. An unquoted term may not hold `@:,()[]{}\\` or a backquote
  ("Invalid character(s) in term ':'").
- JSON, in braces: `{ $.level = "ERROR" }`, `{ $.latency > 500 }`,
  `{ $.a[0].b != x* }`, `{ $.flag IS TRUE }`, `{ $.x IS NULL }`,
  `{ $.x NOT EXISTS }`, `{ $.msg = %regex% }`, combined with `&&`, `||` and
  parentheses (`()` > `&&` > `||`). The selector must reach a value node: an
  object or an array never matches `=` nor `!=`. `$.a[*]` and `$.*` select every
  element or field (one per selector, three per pattern; a condition holds when it
  holds for one of them); `$.['cluster.name']` names a key with periods. `IS NOT`
  and `EXISTS` are refused, as on AWS.
- space-delimited, in brackets: `[ip, user, ..., status_code = 4*, bytes > 1000]`.
  The message splits on spaces, a `"..."` or `[...]` run being one field;
  `...` stands for any number of fields; conditions use `=`, `!=` (strings,
  `*` wildcards at either end, `%regex%`) and `<`, `>`, `<=`, `>=`, `=`, `!=`
  (numbers), joined with `&&` and `||`.

Regular expressions are AWS's subset: letters, digits, `_#=@/;,-:` and space,
and the operators `^$?[]{}|\\*+.`; no groups, no multi-byte characters, at
most two in a JSON or space-delimited pattern.

`compile_filter` raises `FilterPatternError` (an InvalidParameterException to
the caller) for a pattern AWS would refuse.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pocketcloud.services.logs.regex_search import TooComplex, compile_search

_MISSING: Any = object()
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_REGEX_ALLOWED = re.compile(r"[A-Za-z0-9_#=@/;,\-: ^$?\[\]{}|\\*+.]*")
_MAX_REGEXES = 2


class FilterPatternError(ValueError):
    """A pattern CloudWatch Logs would refuse; the message is AWS's wording."""


def _invalid(detail: str | None = None) -> FilterPatternError:
    return FilterPatternError("Invalid filter pattern" + (f": {detail}" if detail else ""))


def _invalid_term(term: str) -> FilterPatternError:
    return FilterPatternError(f"Invalid character(s) in term '{term}'")


# Characters AWS refuses in an unquoted term ("Enclose exact phrases and terms that include
# non-alphanumeric characters in double quotation marks"); it names the first one it meets,
# as `Status:` gets "Invalid character(s) in term ':'".
_UNQUOTED_REFUSED = frozenset("@:,()[]{}\\`")
_JSON_UNQUOTED_REFUSED = frozenset("@$\\`")


@lru_cache(maxsize=512)
def _compile_regex(body: str) -> Any:
    """An object whose `search(text)` is truthy where the regex matches: `re`'s pattern, or, for
    an expression `re` would backtrack over, a search linear in the text (`regex_search.py`)."""
    if not body or not body.isascii() or _REGEX_ALLOWED.fullmatch(body) is None:
        raise FilterPatternError(f"Invalid character(s) in term '%{body}%'")
    try:
        return compile_search(body)
    except (re.error, TooComplex) as exc:
        raise FilterPatternError(f"Invalid regex in term '%{body}%'") from exc


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


# -- tokens --------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "op", "(", ")", "&&", "||", "str" (quoted), "re", "word"
    text: str


_OPERATORS = ("!=", "<=", ">=", "==", "=", "<", ">")
_WORD_END = set(' \t\r\n()=!<>&|"%,')


def _read_quoted(text: str, i: int) -> tuple[str, int]:
    """The string starting at the quote text[i], unescaped, and the index after it."""
    out: list[str] = []
    i += 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
            out.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise _invalid()


def _read_regex(text: str, i: int) -> tuple[str, int]:
    end = i + 1
    while end < len(text):
        if text[end] == "\\":
            end += 2
            continue
        if text[end] == "%":
            return text[i + 1 : end], end + 1
        end += 1
    raise _invalid()


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, ch))
            i += 1
        elif text.startswith(("&&", "||"), i):
            tokens.append(_Token(text[i : i + 2], text[i : i + 2]))
            i += 2
        elif ch == '"':
            value, i = _read_quoted(text, i)
            tokens.append(_Token("str", value))
        elif ch == "%":
            value, i = _read_regex(text, i)
            tokens.append(_Token("re", value))
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op is not None:
                tokens.append(_Token("op", "=" if op == "==" else op))
                i += len(op)
                continue
            start = i
            while i < len(text) and text[i] not in _WORD_END:
                i += 1
            if i == start:  # a character no token starts with, as the `,` of `{ $.a = 1, $.b = 2 }`
                raise _invalid_term(ch)
            if text[start] == "$" and text.startswith('"', i):  # a quoted key: `$."sc-status"`
                raise _invalid_term(text[start : i + 1])
            tokens.append(_Token("word", text[start:i]))
    return tokens


# -- conditions (shared by JSON and space-delimited patterns) -------------------

Lookup = Callable[[str], Any]
Condition = Callable[[Lookup], bool]


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


def _split_slots(body: str) -> list[str]:
    slots: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == '"':
            _, end = _read_quoted(body, i)
            current.append(body[i:end])
            i = end
            continue
        if ch == "%":
            _, end = _read_regex(body, i)
            current.append(body[i:end])
            i = end
            continue
        if ch == ",":
            slots.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    # An empty slot (AWS's own example `[..., request=*.html*, status_code=4*,]`
    # ends with one) is an unnamed field, extracted as `$<position>`.
    slots.append("".join(current).strip())
    return slots


# -- compiling -----------------------------------------------------------------------


def _compile_terms(text: str) -> FilterPattern:
    optional: list[_Term] = []
    required: list[_Term] = []
    pending_or = pending_not = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "?" and not pending_or and not pending_not:
            pending_or = True
            i += 1
            continue
        if ch == "-" and not pending_not:
            pending_not = True
            i += 1
            continue
        regex: Any = None
        if ch == '"':
            value, i = _read_quoted(text, i)
            if not value.strip():  # `" "` is AWS's "match everything": a term every event holds
                value = ""
        elif ch == "%" and text.find("%", i + 1) != -1:
            value, i = _read_regex(text, i)
            regex = _compile_regex(value)
        else:
            start = i
            while i < len(text) and not text[i].isspace():
                i += 1
            value = text[start:i]
            for ch in value:
                if ch == '"':
                    raise _invalid()
                if ch in _UNQUOTED_REFUSED:
                    raise _invalid_term(ch)
        (optional if pending_or else required).append(_Term(value, regex, pending_not))
        pending_or = pending_not = False
    if pending_or or pending_not:
        raise _invalid()
    # "If you combine "?" with other filter patterns, all question mark terms will be ignored":
    # `?ERROR ?ARGUMENTS REQUEST` matches every event containing REQUEST.
    groups = [required] if required else [[term] for term in optional]
    if not groups:
        return _MatchAll()
    compiled = _TermPattern(groups)
    compiled.regexes = sum(1 for term in optional + required if term.regex is not None)
    return compiled


def _compile_json(text: str) -> FilterPattern:
    if not text.endswith("}"):
        raise FilterPatternError("If a filter pattern starts with '{' it must end with '}'")
    parser = _ConditionParser(_tokenize(text[1:-1]), json_mode=True)
    check = parser.parse()
    if parser.regexes > _MAX_REGEXES:
        raise _invalid("a filter pattern can contain at most 2 regular expressions")
    compiled = _JsonPattern(check)
    compiled.regexes = parser.regexes
    return compiled


def _compile_delimited(text: str) -> FilterPattern:
    if not text.endswith("]"):
        raise FilterPatternError("If a filter pattern starts with '[' it must end with ']'")
    pieces = _split_slots(text[1:-1])
    parsed: list[tuple[str, list[_Token]]] = []
    names: set[str] = set()
    for piece in pieces:
        tokens = _tokenize(piece)
        if not tokens or piece == "...":
            parsed.append((piece, tokens))
            continue
        first = next((t for t in tokens if t.kind == "word"), None)
        if first is None:
            raise _invalid()
        if "." in first.text:  # a field is named by a word: AWS refuses `[...fields, status=FAILED]`
            raise _invalid_term(first.text)
        names.add(first.text)
        parsed.append((piece, tokens))
    slots: list[_Slot] = []
    regexes = 0
    for piece, tokens in parsed:
        if piece == "...":
            slots.append(_Slot("", None, ellipsis=True))
        elif not tokens:
            slots.append(_Slot("", None))
        elif len(tokens) == 1:
            if tokens[0].kind != "word":
                raise _invalid()
            slots.append(_Slot(tokens[0].text, None))
        else:
            parser = _ConditionParser(tokens, json_mode=False, names=names)
            condition = parser.parse()
            regexes += parser.regexes
            slots.append(_Slot(parser.subjects[0], condition))
    if sum(1 for s in slots if s.ellipsis) > 1:
        raise _invalid()
    if regexes > _MAX_REGEXES:
        raise _invalid("a filter pattern can contain at most 2 regular expressions")
    compiled = _DelimitedPattern(slots)
    compiled.regexes = regexes
    return compiled


@lru_cache(maxsize=256)
def compile_filter(pattern: str | None) -> FilterPattern:
    """The matcher for `pattern`; FilterPatternError if AWS would refuse it."""
    text = (pattern or "").strip()
    if not text:
        return _MatchAll()
    if text.startswith("{"):
        return _compile_json(text)
    if text.startswith("["):
        return _compile_delimited(text)
    return _compile_terms(text)
