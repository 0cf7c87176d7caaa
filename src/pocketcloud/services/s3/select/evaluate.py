"""S3 Select's evaluation: a parsed statement compiled into Python closures, run over rows.

A row is what the FROM clause binds: for CSV the record's fields (a list of strings; column
names are resolved to positions once, when the header is known), for JSON a value of the
document. `Program.run` filters, projects, aggregates and limits, and yields each output
record as (name, value) pairs, which the writers of `formats.py` serialize.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pocketcloud.services.s3.select import timestamps
from pocketcloud.services.s3.select.errors import MESSAGES, select_error
from pocketcloud.services.s3.select.sql import Node, Query
from pocketcloud.services.s3.select.values import (
    MISSING,
    arithmetic,
    cast,
    compare,
    fit,
    numeric,
    text,
    truth,
)

Fn = Callable[[Any], Any]
Record = list[tuple[str, Any]]
_POSITIONAL = re.compile(r"^_(\d+)$")


class Columns:
    """The header of a CSV object (FileHeaderInfo=USE), or None's stand-in: names to positions."""

    def __init__(self, names: list[str] | None) -> None:
        self.names = names

    def position(self, name: str, quoted: bool) -> int:
        positional = _POSITIONAL.match(name)
        if positional:
            if int(positional.group(1)) < 1:
                raise select_error("InvalidColumnIndex")
            return int(positional.group(1)) - 1
        if self.names is None:
            raise select_error("MissingHeaders")
        found = [i for i, n in enumerate(self.names) if (n == name if quoted else n.lower() == name.lower())]
        if not found:
            # A quoted name is matched exactly; the SQL reference names this refusal MissingHeaderName.
            raise select_error(
                "MissingHeaderName" if quoted else "MissingHeaders", MESSAGES["MissingHeaders"]
            )
        if len({self.names[i] for i in found}) > 1:  # "NAME" and "name", asked for as name
            raise select_error("AmbiguousFieldName")
        return found[0]

    def name(self, position: int) -> str:
        if self.names is not None and position < len(self.names):
            return self.names[position]
        return f"_{position + 1}"


def get_key(value: Any, name: str, quoted: bool) -> Any:
    """A member of a JSON object; names are case-insensitive unless quoted, as S3 Select's are."""
    if type(value) is not dict:
        return MISSING
    if name in value:
        return value[name]
    if quoted:
        return MISSING
    lowered = name.lower()
    found = [key for key in value if key.lower() == lowered]
    if len(found) > 1:
        raise select_error("AmbiguousFieldName")
    return value[found[0]] if found else MISSING


def get_index(value: Any, index: int) -> Any:
    return value[index] if type(value) is list and 0 <= index < len(value) else MISSING


class Compiler:
    """Expression nodes to closures of one row. A path's first name is the row itself when it is
    the FROM clause's binding (its alias, or S3Object), else a column or member of the row."""

    def __init__(self, query: Query, columns: Columns | None) -> None:
        self.query = query
        self.columns = columns  # None: JSON rows
        self.results: list[Any] = [None] * len(query.aggregates)
        names = {query.binding.lower()} if not query.binding_quoted else set()
        self.row_names = names | ({"s3object"} if query.binding in ("S3Object", "_1") else set())
        self.row_exact = query.binding if query.binding_quoted else None

    def is_row(self, name: str, quoted: bool) -> bool:
        if quoted:
            return name == self.row_exact
        if self.columns is not None and _POSITIONAL.match(name):
            return False  # a CSV row's _N is its column
        return name.lower() in self.row_names

    def expr(self, node: Node) -> Fn:
        kind = node[0]
        if kind == "lit":
            constant = node[1]
            return lambda row: constant
        if kind == "missing":
            return lambda row: MISSING
        if kind == "ion":
            stamp = timestamps.parse_timestamp(node[1])
            if stamp is None:
                raise select_error(
                    "LexerInvalidIONLiteral", "The SQL expression contains a literal that is not valid."
                )
            return lambda row: stamp
        if kind == "path":
            return self.path(node)
        if kind == "agg":
            slot, results = node[3], self.results
            return lambda row: results[slot]
        method = getattr(self, "node_" + kind)
        fn: Fn = method(node)
        return fn

    def path(self, node: Node) -> Fn:
        _, root, quoted, steps = node
        if not self.is_row(root, quoted):
            steps = [("key", root, quoted), *steps]
        fn: Fn = lambda row: row  # noqa: E731
        if self.columns is not None:
            if steps and steps[0][0] in ("key", "index"):
                first = steps[0]
                position = self.columns.position(first[1], first[2]) if first[0] == "key" else first[1]
                fn = lambda row: row[position] if position < len(row) else MISSING  # noqa: E731
                steps = steps[1:]
            else:
                columns = self.columns
                fn = lambda row: {columns.name(i): v for i, v in enumerate(row)}  # noqa: E731
        for step in steps:
            fn = self._step(fn, step)
        return fn

    @staticmethod
    def _step(inner: Fn, step: Node) -> Fn:
        if step[0] == "key":
            name, quoted = step[1], step[2]
            return lambda row: get_key(inner(row), name, quoted)
        index = step[1]
        return lambda row: get_index(inner(row), index)

    # -- operators --------------------------------------------------------------------

    def node_neg(self, node: Node) -> Fn:
        inner = self.expr(node[1])
        return lambda row: arithmetic("-", 0, inner(row))

    def node_not(self, node: Node) -> Fn:
        inner = self.expr(node[1])

        def negate(row: Any) -> Any:
            value = truth(inner(row))
            return None if value is None else not value

        return negate

    def node_and(self, node: Node) -> Fn:
        return _junction([self.expr(operand) for operand in node[1]], decisive=False)

    def node_or(self, node: Node) -> Fn:
        return _junction([self.expr(operand) for operand in node[1]], decisive=True)

    def node_cmp(self, node: Node) -> Fn:
        op, left, right = node[1], self.expr(node[2]), self.expr(node[3])
        test = {
            "=": lambda c: c == 0, "<>": lambda c: c != 0, "<": lambda c: c < 0,
            ">": lambda c: c > 0, "<=": lambda c: c <= 0, ">=": lambda c: c >= 0,
        }[op]  # fmt: skip

        def comparison(row: Any) -> Any:
            a, b = left(row), right(row)
            if a is MISSING or b is MISSING:
                return MISSING
            if a is None or b is None:
                return None
            c = compare(a, b)
            if c is None:  # unlike types: not equal, and no order
                return None if op not in ("=", "<>") else op == "<>"
            return test(c)

        return comparison

    def node_arith(self, node: Node) -> Fn:
        op, left, right = node[1], self.expr(node[2]), self.expr(node[3])
        return lambda row: arithmetic(op, left(row), right(row))

    def node_is(self, node: Node) -> Fn:
        inner, what, negated = self.expr(node[1]), node[2], node[3]
        test = {
            "NULL": lambda v: v is None or v is MISSING, "MISSING": lambda v: v is MISSING,
            "TRUE": lambda v: v is True, "FALSE": lambda v: v is False,
        }[what]  # fmt: skip
        return lambda row: test(inner(row)) != negated

    def node_between(self, node: Node) -> Fn:
        value, low, high, negated = self.expr(node[1]), self.expr(node[2]), self.expr(node[3]), node[4]

        def between(row: Any) -> Any:
            v = value(row)
            above, below = compare(v, low(row)), compare(v, high(row))
            if above is None or below is None:
                return None
            return (above >= 0 and below <= 0) != negated

        return between

    def node_in(self, node: Node) -> Fn:
        value, items, negated = self.expr(node[1]), [self.expr(i) for i in node[2]], node[3]

        def member(row: Any) -> Any:
            v = value(row)
            if v is None or v is MISSING:
                return None
            found = any(compare(v, item(row)) == 0 for item in items)
            return found != negated

        return member

    def node_like(self, node: Node) -> Fn:
        value, pattern, negated = self.expr(node[1]), self.expr(node[2]), node[4]
        escape = self.expr(node[3]) if node[3] is not None else (lambda row: None)
        cache: dict[tuple[str, str | None], LikePattern] = {}

        def like(row: Any) -> Any:
            v, p, e = value(row), pattern(row), escape(row)
            if v is None or v is MISSING or p is None or p is MISSING:
                return None
            if not isinstance(v, str) or not isinstance(p, str):
                raise select_error("LikeInvalidInputs")
            if e is not None and not isinstance(e, str):
                raise select_error("EvaluatorLikePatternInvalidEscapeSequence")
            compiled = cache.get((p, e))
            if compiled is None:
                if len(cache) > 1000:
                    cache.clear()
                compiled = cache[(p, e)] = LikePattern(p, e)
            return compiled.match(text(v)) != negated

        return like

    def node_cast(self, node: Node) -> Fn:
        inner, type_name = self.expr(node[1]), node[2]
        return lambda row: cast(inner(row), type_name)

    def node_trim(self, node: Node) -> Fn:
        where, value = node[1], self.expr(node[3])
        chars = self.expr(node[2]) if node[2] is not None else (lambda row: " ")
        strip = {"BOTH": str.strip, "LEADING": str.lstrip, "TRAILING": str.rstrip}[where]

        def trim(row: Any) -> Any:
            v, c = value(row), chars(row)
            if v is None or v is MISSING or c is None or c is MISSING:
                return None
            return strip(_string(v), _string(c))

        return trim

    def node_call(self, node: Node) -> Fn:
        name, args = node[1], [self.expr(a) for a in node[2]]
        function, arity = FUNCTIONS[name]
        if not arity[0] <= len(args) <= arity[1]:
            raise select_error("EvaluatorInvalidArguments")
        return lambda row: function(*[a(row) for a in args])


class LikePattern:
    """LIKE's pattern: % any run of characters, _ any one. Matched segment by segment (the text
    between %s, each of fixed length): the first at the start, the last at the end, each one
    between at its leftmost place after the one before, which is where a match can be if there
    is one. A regular expression of `.*`s backtracks: '%a%a%a%a%a%a%a%a%a%a%a%a%b' against a
    60-character value took minutes."""

    def __init__(self, pattern: str, escape: Any) -> None:
        if escape is not None and (not isinstance(escape, str) or len(escape) != 1):
            raise select_error("EvaluatorLikePatternInvalidEscapeSequence")
        segments: list[list[str]] = [[]]  # each: one regex piece per character
        chars = iter(pattern)
        for char in chars:
            if escape is not None and char == escape:
                following = next(chars, None)
                if following not in ("%", "_", escape):
                    raise select_error("EvaluatorLikePatternInvalidEscapeSequence")
                segments[-1].append(re.escape(following or ""))
            elif char == "%":
                segments.append([])
            elif char == "_":
                segments[-1].append(".")
            else:
                segments[-1].append(re.escape(char))
        self.sizes = [len(pieces) for pieces in segments]
        self.segments = [re.compile("".join(pieces), re.DOTALL) for pieces in segments]

    def match(self, value: str) -> bool:
        segments, sizes = self.segments, self.sizes
        if len(segments) == 1:
            return len(value) == sizes[0] and segments[0].match(value) is not None
        if len(value) < sum(sizes) or segments[0].match(value) is None:
            return False
        position, tail = sizes[0], len(value) - sizes[-1]
        for segment, size in zip(segments[1:-1], sizes[1:-1], strict=True):
            if not size:
                continue
            found = segment.search(value, position, tail)
            if found is None:
                return False
            position = found.start() + size
        return position <= tail and segments[-1].match(value, tail) is not None


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise select_error("IncorrectSqlFunctionArgumentType")


def _stamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    stamp = timestamps.parse_timestamp(value) if isinstance(value, str) else None
    if stamp is None:
        raise select_error("ValueParseFailure")
    return stamp


def _unknown(*values: Any) -> bool:
    return any(v is None or v is MISSING for v in values)


def _substring(value: Any, start: Any, length: Any = 0, *rest: Any) -> Any:
    if _unknown(value, start, *((length,) if rest or length != 0 else ())):
        return None
    s, first = _string(value), numeric(start)
    if first is None or (length != 0 and numeric(length) is None):
        raise select_error("IncorrectSqlFunctionArgumentType")
    begin = max(int(first), 1) - 1
    if length == 0 and not rest:
        return s[begin:]
    return s[begin : begin + max(int(numeric(length)), 0)]


def _date(fn: Callable[..., Any]) -> Callable[..., Any]:
    return lambda part, *args: None if _unknown(*args) else fn(part, *args)


FUNCTIONS: dict[str, tuple[Callable[..., Any], tuple[int, int]]] = {
    "LOWER": (lambda v: None if _unknown(v) else _string(v).lower(), (1, 1)),
    "UPPER": (lambda v: None if _unknown(v) else _string(v).upper(), (1, 1)),
    "CHAR_LENGTH": (lambda v: None if _unknown(v) else len(_string(v)), (1, 1)),
    "CHARACTER_LENGTH": (lambda v: None if _unknown(v) else len(_string(v)), (1, 1)),
    "SUBSTRING": (_substring, (2, 3)),
    "COALESCE": (lambda *vs: next((v for v in vs if not _unknown(v)), None), (1, 1 << 16)),
    "NULLIF": (lambda a, b: None if _unknown(a) or compare(a, b) == 0 and type(a) is type(b) else a, (2, 2)),
    "UTCNOW": (lambda: datetime.now(UTC), (0, 0)),
    "TO_TIMESTAMP": (lambda v: None if _unknown(v) else _stamp(v), (1, 1)),
    "TO_STRING": (
        lambda v, f: None if _unknown(v, f) else timestamps.to_string(_stamp(v), _string(f)),
        (2, 2),
    ),
    "EXTRACT": (_date(lambda part, v: timestamps.extract(part, _stamp(v))), (2, 2)),
    "DATE_ADD": (_date(lambda part, n, v: timestamps.date_add(part, int(cast(n, "INT")), _stamp(v))), (3, 3)),
    "DATE_DIFF": (_date(lambda part, a, b: timestamps.date_diff(part, _stamp(a), _stamp(b))), (3, 3)),
}


class Accumulator:
    def __init__(self, name: str, counts_rows: bool) -> None:
        self.name = name
        self.counts_rows = counts_rows
        self.count = 0
        self.total: Any = 0
        self.best: Any = None

    def add(self, value: Any) -> None:
        if self.counts_rows:
            self.count += 1
            return
        if value is None or value is MISSING or value == "" and self.name != "COUNT":
            return  # aggregates skip NULL and MISSING (and, for numbers, an empty CSV field)
        self.count += 1
        if self.name == "COUNT":
            return
        number = numeric(value)
        if self.name in ("SUM", "AVG"):
            if number is None:
                raise select_error("CastFailed")
            a, b = (float(self.total), number) if isinstance(number, float) else (self.total, number)
            if isinstance(a, float) and isinstance(b, Decimal):
                b = float(b)
            self.total = fit(a + b)
            return
        candidate = number if number is not None else value
        if self.best is None:
            self.best = candidate
            return
        order = compare(candidate, self.best)
        if order is not None and (order < 0 if self.name == "MIN" else order > 0):
            self.best = candidate

    def result(self) -> Any:
        if self.name == "COUNT":
            return self.count
        if self.name in ("MIN", "MAX"):
            return self.best
        if not self.count:
            return None
        if self.name == "SUM":
            return self.total
        if isinstance(self.total, float):
            return self.total / self.count
        return Decimal(self.total) / self.count


class Program:
    """A statement ready to run over the rows of one object."""

    def __init__(self, query: Query, columns: Columns | None) -> None:
        compiler = Compiler(query, columns)
        self.query = query
        self.columns = columns
        self.results = compiler.results
        self.where = compiler.expr(query.where) if query.where is not None else None
        self.items = [(name, compiler.expr(node)) for node, name in query.items or []]
        self.aggregated = bool(query.aggregates)
        self.names: list[str] = []  # the names of a CSV row's columns, as far as rows have gone
        self.inputs = [
            (Accumulator(node[1], node[2] is None), compiler.expr(node[2]) if node[2] is not None else None)
            for node in query.aggregates
        ]

    def run(self, rows: Iterable[Any]) -> Iterator[Record | None]:
        """Output records; None now and then while rows are read but none come out (a heartbeat)."""
        limit = self.query.limit
        if limit == 0:
            return
        emitted = skipped = 0
        where, aggregated, project = self.where, self.aggregated, self.project
        for row in rows:
            if where is not None and where(row) is not True:
                skipped += 1
                if skipped % 4096 == 0:
                    yield None
                continue
            if aggregated:
                for accumulator, argument in self.inputs:
                    accumulator.add(argument(row) if argument is not None else None)
                skipped += 1
                if skipped % 4096 == 0:
                    yield None
                continue
            yield project(row)
            emitted += 1
            if limit is not None and emitted >= limit:
                return
        if aggregated:
            for slot, (accumulator, _) in enumerate(self.inputs):
                self.results[slot] = accumulator.result()
            yield [(name, fn(MISSING if self.columns is None else [])) for name, fn in self.items]

    def project(self, row: Any) -> Record:
        if self.items:
            return [(name, fn(row)) for name, fn in self.items]
        if self.columns is not None:  # SELECT * of a CSV record: its fields, under its header
            names = self.names
            if len(names) < len(row):
                names.extend(self.columns.name(i) for i in range(len(names), len(row)))
            return list(zip(names, row, strict=False))
        if type(row) is dict:
            return list(row.items())
        return [] if row is MISSING else [("_1", row)]


def _junction(operands: list[Fn], decisive: bool) -> Fn:
    """AND (decisive False) or OR (decisive True) in SQL's three-valued logic: the first operand that
    is the decisive value decides; otherwise an unknown (NULL/MISSING) operand makes the result unknown."""

    def junction(row: Any) -> Any:
        result: bool | None = not decisive
        for operand in operands:
            value = truth(operand(row))
            if value is decisive:
                return decisive
            if value is None:
                result = None
        return result

    return junction
