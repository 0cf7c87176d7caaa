"""CloudWatch Logs filter patterns: terms, quoted phrases, `?` alternatives, `-` exclusions,
and JSON patterns such as `{ $.level = "ERROR" }` or `{ ($.code > 400) && ($.path = "/api*") }`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

Matcher = Callable[[str], bool]

_TERM = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
_JSON_CMP = re.compile(r'^\(?\s*\$\.([\w.\[\]]+)\s*(=|!=|<=|>=|<|>)\s*(.+?)\s*\)?$')


def compile_filter(pattern: str) -> Matcher:
    text = pattern.strip()
    if not text:
        return lambda message: True
    if text.startswith("{") and text.endswith("}"):
        return _json_matcher(text[1:-1].strip())
    if text.startswith("[") and text.endswith("]"):
        return lambda message: True  # space-delimited patterns: every event matches the field list
    terms = [(m.group(1) if m.group(1) is not None else m.group(2)) for m in _TERM.finditer(text)]
    optional = [t[1:] for t in terms if t.startswith("?") and len(t) > 1]
    if optional and len(optional) == len(terms):
        return lambda message: any(term in message for term in optional)
    required = [t for t in terms if not t.startswith("-") or len(t) == 1]
    excluded = [t[1:] for t in terms if t.startswith("-") and len(t) > 1]
    return lambda message: all(t in message for t in required) and not any(t in message for t in excluded)


def _lookup(document: Any, path: str) -> Any:
    current = document
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(current, list) or index >= len(current):
                return _MISSING
            current = current[index]
        else:
            if not isinstance(current, dict) or part not in current:
                return _MISSING
            current = current[part]
    return current


_MISSING = object()


def _comparison(expression: str) -> Callable[[Any], bool]:
    match = _JSON_CMP.match(expression.strip())
    if match is None:
        return lambda document: False
    path, op, raw = match.groups()
    raw = raw.strip()
    if raw.startswith('"') and raw.endswith('"'):
        wanted: Any = raw[1:-1]
    else:
        try:
            wanted = float(raw)
        except ValueError:
            wanted = {"true": True, "false": False, "null": None}.get(raw, raw)

    def check(document: Any) -> bool:
        value = _lookup(document, path)
        if value is _MISSING:
            return op == "!=" and False
        if isinstance(wanted, str) and op in ("=", "!="):
            regex = "^" + ".*".join(re.escape(p) for p in wanted.split("*")) + "$"
            hit = isinstance(value, str) and re.match(regex, value) is not None
            return hit if op == "=" else not hit
        if isinstance(wanted, float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False
            return {"=": value == wanted, "!=": value != wanted, "<": value < wanted, ">": value > wanted,
                    "<=": value <= wanted, ">=": value >= wanted}[op]
        return (value == wanted) if op == "=" else (value != wanted)

    return check


def _split(expression: str, operator: str) -> list[str]:
    parts, depth, current = [], 0, []
    i = 0
    while i < len(expression):
        ch = expression[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if depth == 0 and expression.startswith(operator, i):
            parts.append("".join(current))
            current = []
            i += len(operator)
            continue
        current.append(ch)
        i += 1
    parts.append("".join(current))
    return [p.strip() for p in parts]


def _expression(text: str) -> Callable[[Any], bool]:
    text = text.strip()
    alternatives = _split(text, "||")
    if len(alternatives) > 1:
        checks = [_expression(a) for a in alternatives]
        return lambda d: any(c(d) for c in checks)
    conjuncts = _split(text, "&&")
    if len(conjuncts) > 1:
        checks = [_expression(c) for c in conjuncts]
        return lambda d: all(c(d) for c in checks)
    if text.startswith("(") and text.endswith(")"):
        return _expression(text[1:-1])
    return _comparison(text)


def _json_matcher(body: str) -> Matcher:
    check = _expression(body)

    def match(message: str) -> bool:
        try:
            document = json.loads(message)
        except ValueError:
            return False
        return check(document)

    return match
