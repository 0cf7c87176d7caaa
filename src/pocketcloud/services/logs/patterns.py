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

This module compiles each form; what it leans on lives beside it: `pattern_syntax.py`
(errors, tokens, the regex subset), `pattern_conditions.py` (JSON and space-delimited
conditions), `pattern_selectors.py` (JSON selectors) and `pattern_matchers.py` (the
compiled forms that match messages).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pocketcloud.services.logs.pattern_conditions import _ConditionParser
from pocketcloud.services.logs.pattern_matchers import (
    FilterPattern,
    _DelimitedPattern,
    _JsonPattern,
    _MatchAll,
    _Slot,
    _Term,
    _TermPattern,
)
from pocketcloud.services.logs.pattern_syntax import (
    _UNQUOTED_REFUSED,
    FilterPatternError,
    _compile_regex,
    _invalid,
    _invalid_term,
    _read_quoted,
    _read_regex,
    _split_slots,
    _Token,
    _tokenize,
)

__all__ = ["FilterPattern", "FilterPatternError", "compile_filter"]

_MAX_REGEXES = 2


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
