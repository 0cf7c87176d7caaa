"""Logs Insights expressions, as `fields` and the arguments of `stats` aggregates take them:

    @maxMemoryUsed / 1000 / 1000 as usedMB       arithmetic: + - * / % ^ and parentheses
    toupper(substr(@logStream, 0, 4)) as prefix  functions (string, numeric, general)
    strlen(@message)                             unnamed: the result is named by its text

An expression compiles to a function of a record (insights.Record); a value it cannot compute
(a missing field, text where a number is needed, a division by zero) is None: the field is absent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Record = dict[str, Any]
Value = Callable[[Record], Any]


class ExpressionError(ValueError):
    """The expression does not parse (insights.QueryError's kin: MalformedQueryException)."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<num>\d+(?:\.\d+)?(?![\w@$]))
      | (?P<op>[-+*/%^(),])
      | (?P<word>[@\w.$]+)
    )""",
    re.VERBOSE,
)


@dataclass
class Token:
    kind: str
    text: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ExpressionError(f"unexpected input at: {text[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        out.append(Token(kind, match.group(kind), match.start(kind), match.end()))
        pos = match.end()
    return out


def unquote(quoted: str) -> str:
    """A "string" or 'string' token's text: without its quotes, each \\x as x."""
    return re.sub(r"\\(.)", r"\1", quoted[1:-1])


def number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def arithmetic(op: str, a: Any, b: Any) -> float | None:
    """a <op> b for + - * / % ^; None when either is not a number (or b is a zero divisor)."""
    x, y = number(a), number(b)
    if x is None or y is None:
        return None
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "^":
        try:
            return float(x**y)
        except (OverflowError, ZeroDivisionError):
            return None
    if y == 0:
        return None
    return x / y if op == "/" else math.fmod(x, y)


def _numeric(fn: Callable[[float], float]) -> Callable[..., Any]:
    def call(a: Any) -> float | None:
        x = number(a)
        return None if x is None else float(fn(x))

    return call


def _substr(s: Any, start: Any, length: Any = None) -> str | None:
    value, first = text(s), number(start)
    if value is None or first is None:
        return None
    begin = max(int(first), 0)
    if length is None:
        return value[begin:]
    count = number(length)
    return None if count is None else value[begin : begin + max(int(count), 0)]


def _strings(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        values = [text(a) for a in args]
        return None if any(v is None for v in values) else fn(*values)

    return call


# name -> (fewest arguments, most arguments (None: any), the function of their values)
FUNCTIONS: dict[str, tuple[int, int | None, Callable[..., Any]]] = {
    "abs": (1, 1, _numeric(abs)),
    "ceil": (1, 1, _numeric(math.ceil)),
    "floor": (1, 1, _numeric(math.floor)),
    "sqrt": (1, 1, lambda a: None if (x := number(a)) is None or x < 0 else math.sqrt(x)),
    "log": (1, 1, lambda a: None if (x := number(a)) is None or x <= 0 else math.log(x)),
    "greatest": (1, None, lambda *a: max((x for v in a if (x := number(v)) is not None), default=None)),
    "least": (1, None, lambda *a: min((x for v in a if (x := number(v)) is not None), default=None)),
    "strlen": (1, 1, _strings(len)),
    "toupper": (1, 1, _strings(str.upper)),
    "tolower": (1, 1, _strings(str.lower)),
    "trim": (1, 1, _strings(str.strip)),
    "ltrim": (1, 1, _strings(str.lstrip)),
    "rtrim": (1, 1, _strings(str.rstrip)),
    "concat": (1, None, lambda *a: "".join(t for v in a if (t := text(v)) is not None)),
    "substr": (2, 3, _substr),
    "replace": (3, 3, _strings(lambda s, old, new: s.replace(old, new))),
    "strcontains": (2, 2, _strings(lambda s, part: 1 if part in s else 0)),
    "tostring": (1, 1, text),
    "tonumber": (1, 1, number),
    "coalesce": (1, None, lambda *a: next((v for v in a if v is not None), None)),
    "ispresent": (1, 1, lambda a: 1 if a is not None else 0),
    "isempty": (1, 1, lambda a: 1 if a is None or text(a) == "" else 0),
    "isblank": (1, 1, lambda a: 1 if a is None or (text(a) or "").strip() == "" else 0),
}


class Parser:
    """expr := term ((+|-) term)*; term := power ((*|/|%) power)*; power := unary (^ power)?;
    unary := -unary | primary; primary := number | "string" | field | fn(args) | (expr)."""

    def __init__(self, toks: list[Token]) -> None:
        self.toks = toks
        self.pos = 0

    def peek(self) -> Token | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise ExpressionError("unexpected end of expression")
        self.pos += 1
        return token

    def _op(self, *ops: str) -> str | None:
        token = self.peek()
        if token is not None and token.kind == "op" and token.text in ops:
            self.pos += 1
            return token.text
        return None

    def expression(self) -> Value:
        left = self.term()
        while (op := self._op("+", "-")) is not None:
            left = self._binary(op, left, self.term())
        return left

    def term(self) -> Value:
        left = self.power()
        while (op := self._op("*", "/", "%")) is not None:
            left = self._binary(op, left, self.power())
        return left

    def power(self) -> Value:
        base = self.unary()
        if self._op("^") is not None:
            return self._binary("^", base, self.power())
        return base

    def unary(self) -> Value:
        if self._op("-") is not None:
            inner = self.unary()
            return lambda r: None if (x := number(inner(r))) is None else -x
        return self.primary()

    @staticmethod
    def _binary(op: str, left: Value, right: Value) -> Value:
        return lambda r: arithmetic(op, left(r), right(r))

    def primary(self) -> Value:
        token = self.take()
        if token.kind == "num":
            constant: Any = float(token.text)
            return lambda r: constant
        if token.kind == "str":
            literal = unquote(token.text)
            return lambda r: literal
        if token.kind == "op" and token.text == "(":
            inner = self.expression()
            if self._op(")") is None:
                raise ExpressionError("missing )")
            return inner
        if token.kind != "word":
            raise ExpressionError(f"unexpected {token.text!r}")
        if self._op("(") is None:
            name = token.text
            return lambda r: r.get(name)
        spec = FUNCTIONS.get(token.text.lower())
        if spec is None:
            raise ExpressionError(f"unknown function: {token.text}")
        args: list[Value] = []
        if self._op(")") is None:
            while True:
                args.append(self.expression())
                if self._op(")") is not None:
                    break
                if self._op(",") is None:
                    raise ExpressionError("expected , or )")
        fewest, most, fn = spec
        if len(args) < fewest or (most is not None and len(args) > most):
            raise ExpressionError(f"wrong number of arguments to {token.text}")
        return lambda r: fn(*(a(r) for a in args))


def compile_expression(source: str, toks: list[Token]) -> Value:
    """The function of a record an expression's tokens (from `tokens(source)`) compute."""
    parser = Parser(toks)
    value = parser.expression()
    if parser.peek() is not None:
        raise ExpressionError(f"unexpected {parser.peek().text!r} in expression")  # type: ignore[union-attr]
    return value


def split_top_level(source: str, toks: list[Token]) -> list[tuple[str, list[Token]]]:
    """The comma-separated items of a list (commas inside parentheses belong to their call),
    each as (its source text, its tokens)."""
    items: list[tuple[str, list[Token]]] = []
    depth, current = 0, list[Token]()
    for token in toks:
        if token.kind == "op" and token.text == "," and depth == 0:
            items.append(_item(source, current))
            current = []
            continue
        if token.kind == "op" and token.text == "(":
            depth += 1
        elif token.kind == "op" and token.text == ")":
            depth -= 1
        current.append(token)
    items.append(_item(source, current))
    return items


def _item(source: str, toks: list[Token]) -> tuple[str, list[Token]]:
    if not toks:
        raise ExpressionError("empty item in list")
    return source[toks[0].start : toks[-1].end], toks
