"""Searching a log event for a filter pattern's regular expression in time linear in its length.

AWS's filter-pattern regexes have no groups, so they are regular in the strict sense; Python's
`re` still backtracks over them, and `%.*.*.*.*.*.*x%` against a 300-character event ran for
minutes, holding the event loop (and so the whole server) while FilterLogEvents, a metric or
subscription filter or a Live Tail session matched it. Here the expression is parsed by
`re`'s own parser (so it means exactly what `re` would make of it) and run as a Thompson NFA:
every position of the text is visited once, with the set of states alive there.

An expression without a quantifier of variable width (`?`, `*`, `+`, `{m,n}`) cannot backtrack
much and is left to `re`, which is faster at it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

# The parser of `re` and its opcodes (sre_parse and sre_constants before Python 3.11).
sre_parse: Any = importlib.import_module("re._parser")
C: Any = importlib.import_module("re._constants")

MAX_STATES = 10_000  # an expression as {1,100000} would unroll past this: refused
_WORD = re.compile(r"\w").match
_CATEGORIES = {
    C.CATEGORY_DIGIT: re.compile(r"\d").match,
    C.CATEGORY_NOT_DIGIT: re.compile(r"\D").match,
    C.CATEGORY_SPACE: re.compile(r"\s").match,
    C.CATEGORY_NOT_SPACE: re.compile(r"\S").match,
    C.CATEGORY_WORD: _WORD,
    C.CATEGORY_NOT_WORD: re.compile(r"\W").match,
}
Test = Callable[[str], Any]
Assertion = Callable[[str, int], bool]


class TooComplex(ValueError):
    """The expression uses what this engine does not run, or unrolls into too many states."""


def _word_at(text: str, i: int) -> bool:
    return 0 <= i < len(text) and _WORD(text[i]) is not None


_ASSERTIONS: dict[Any, Assertion] = {
    C.AT_BEGINNING: lambda text, i: i == 0,
    C.AT_BEGINNING_STRING: lambda text, i: i == 0,
    C.AT_END: lambda text, i: i == len(text) or (i == len(text) - 1 and text[i] == "\n"),
    C.AT_END_STRING: lambda text, i: i == len(text),
    C.AT_BOUNDARY: lambda text, i: _word_at(text, i - 1) != _word_at(text, i),
    # As re's (before Python 3.14), \B never holds in an empty text.
    C.AT_NON_BOUNDARY: lambda text, i: bool(text) and _word_at(text, i - 1) == _word_at(text, i),
}


def _is(code: int) -> Test:
    return lambda ch: ord(ch) == code


def _within(low: int, high: int) -> Test:
    return lambda ch: low <= ord(ch) <= high


def _char_test(op: Any, av: Any) -> Test | None:
    """The test of one character for a node that consumes one, None for any other node."""
    if op is C.LITERAL:
        return lambda ch: ord(ch) == av
    if op is C.NOT_LITERAL:
        return lambda ch: ord(ch) != av
    if op is C.ANY:
        return lambda ch: ch != "\n"
    if op is C.IN:
        negated = bool(av) and av[0][0] is C.NEGATE
        tests: list[Test] = []
        for item_op, item_av in av[1:] if negated else av:
            if item_op is C.LITERAL:
                tests.append(_is(item_av))
            elif item_op is C.RANGE:
                tests.append(_within(*item_av))
            elif item_op is C.CATEGORY and item_av in _CATEGORIES:
                tests.append(_CATEGORIES[item_av])
            else:
                raise TooComplex(str(item_op))
        return lambda ch: any(test(ch) for test in tests) != negated
    return None


class _Nfa:
    """States: ("char", test, next), ("assert", test, next), ("split", [next, ...]), ("match",)."""

    def __init__(self) -> None:
        self.states: list[Any] = [("match",)]

    def add(self, state: Any) -> int:
        if len(self.states) >= MAX_STATES:
            raise TooComplex("too many states")
        self.states.append(state)
        return len(self.states) - 1

    def sequence(self, nodes: Any, after: int) -> int:
        for op, av in reversed(list(nodes)):
            after = self.node(op, av, after)
        return after

    def node(self, op: Any, av: Any, after: int) -> int:
        test = _char_test(op, av)
        if test is not None:
            return self.add(("char", test, after))
        if op is C.AT and av in _ASSERTIONS:
            return self.add(("assert", _ASSERTIONS[av], after))
        if op is C.BRANCH:
            return self.add(("split", [self.sequence(alt, after) for alt in av[1]]))
        if op is C.SUBPATTERN:
            return self.sequence(av[-1], after)
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):  # greedy or lazy: the same yes or no
            low, high, body = av
            start = after
            if high is C.MAXREPEAT:
                loop = self.add(("split", []))
                self.states[loop] = ("split", [self.sequence(body, loop), after])
                start = loop
            else:
                for _ in range(high - low):
                    start = self.add(("split", [self.sequence(body, start), after]))
            for _ in range(low):
                start = self.sequence(body, start)
            return start
        raise TooComplex(str(op))  # possessive repeats, atomic groups, lookarounds, ...


class NfaSearch:
    """`search(text)`: True when the expression matches somewhere in `text`, else None (as `re`)."""

    def __init__(self, parsed: Any) -> None:
        self.nfa = _Nfa()
        self.start = self.nfa.sequence(parsed, 0)

    def search(self, text: str) -> bool | None:
        states, start = self.nfa.states, self.start
        alive: set[int] = set()
        for i in range(len(text) + 1):
            alive.add(start)  # unanchored: a match may begin at every position
            consuming: list[Any] = []
            seen: set[int] = set()
            stack = list(alive)
            while stack:
                index = stack.pop()
                if index in seen:
                    continue
                seen.add(index)
                state = states[index]
                kind = state[0]
                if kind == "match":
                    return True
                if kind == "char":
                    consuming.append(state)
                elif kind == "split":
                    stack.extend(state[1])
                elif state[1](text, i):  # an assertion that holds here
                    stack.append(state[2])
            if i == len(text):
                break
            ch = text[i]
            alive = {state[2] for state in consuming if state[1](ch)}
        return None


def _varies(parsed: Any) -> bool:
    """Whether a parsed expression has a quantifier of variable width (where `re` backtracks)."""
    for op, av in parsed:
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and (av[0] != av[1] or _varies(av[2])):
            return True
        if op is C.BRANCH and any(_varies(alt) for alt in av[1]):
            return True
        if op is C.SUBPATTERN and _varies(av[-1]):
            return True
    return False


def compile_search(body: str) -> Any:
    """An object whose `search(text)` is truthy where `body` matches (re.error if it is no regex;
    TooComplex if it is one this engine does not run)."""
    compiled = re.compile(body)
    parsed = sre_parse.parse(body)
    if not _varies(parsed):
        return compiled
    return NfaSearch(parsed)
