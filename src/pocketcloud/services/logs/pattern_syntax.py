"""The text of a filter pattern: its errors (AWS's wording), its tokens and its regex subset.

`patterns.py` compiles a pattern from these pieces: `_tokenize` reads a JSON or
space-delimited condition into tokens, `_split_slots` cuts a space-delimited pattern into
its fields, `_read_quoted` and `_read_regex` read a `"string"` and a `%regex%`, and
`_compile_regex` admits only AWS's regular-expression subset. Everything AWS would refuse
raises `FilterPatternError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pocketcloud.services.logs.regex_search import TooComplex, compile_search

_REGEX_ALLOWED = re.compile(r"[A-Za-z0-9_#=@/;,\-: ^$?\[\]{}|\\*+.]*")


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
