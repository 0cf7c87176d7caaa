"""A small CloudWatch Logs Insights: parse a query, run it over events, shape the rows.

Commands, separated by `|` (a `#` starts a comment that runs to the end of its line):

    fields @timestamp, @message, level      (display: only the last display's fields are shown)
    fields @maxMemoryUsed / 1e6 as mb, strlen(@message)   (expressions: insights_expr.py)
    filter @message like /regex/  |  filter level = "ERROR" and latency > 100
    stats count(*) as n, avg(latency) by level
    stats count(*) by bin(5m)               (time buckets of @timestamp, named "bin(5m)")
    parse @message "user=*, ms=*" as user, ms  |  parse @message /user=(?<user>\\w+)/
    dedup server                            (the first result in sort order of each value; then only limit)
    sort @timestamp desc
    limit 20

Filters take `=`, `!=`, `<`, `<=`, `>`, `>=`, `like /re/` or `like "text"`,
`not like`, `=~ /re/`, `in [..]`, `ispresent(f)`, `and`, `or`, `not` and
parentheses. Fields are @timestamp, @message, @logStream, @log,
@ingestionTime, the keys of JSON messages (nested ones joined with `.`; of
the transformed version of an event a log transformer changed), and those Insights
discovers in a Lambda REPORT line (@type, @requestId, @duration, ...).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pocketcloud.services.logs import insights_expr
from pocketcloud.services.logs.insights_expr import ExpressionError, Token

Record = dict[str, Any]
Predicate = Callable[[Record], bool]


class QueryError(ValueError):
    """The query does not parse (MalformedQueryException)."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<regex>/(?:[^/\\]|\\.)*/)
      | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<num>-?\d+(?:\.\d+)?(?![\w.@]))
      | (?P<op>=~|!=|<=|>=|=|<|>|\(|\)|\[|\]|,|\*|\+|%|\^)
      | (?P<word>[@\w.$-]+)
    )""",
    re.VERBOSE,
)


_SLASH = re.compile(r"\s*/")


def _lex(text: str, divide: bool = False) -> list[Token]:
    """The tokens of a command; with `divide` (a filter's), a / after an operand divides."""
    tokens: list[Token] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        slash = _SLASH.match(text, pos)
        if divide and slash is not None and tokens and _operand_ends(tokens[-1]):
            # After an operand, a / divides (a regex follows like or =~).
            tokens.append(Token("op", "/", slash.end() - 1, slash.end()))
            pos = slash.end()
            continue
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise QueryError(f"unexpected input at: {text[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind), match.start(kind), match.end()))
        pos = match.end()
    return tokens


def _operand_ends(token: Token) -> bool:
    """Whether a token can end an operand (so a / after it divides)."""
    if token.kind == "word":
        return token.text.lower() not in ("like", "and", "or", "not", "in", "-")
    return token.kind in ("num", "str") or (token.kind == "op" and token.text == ")")


def _split_commands(query: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(query):
        ch = query[i]
        if quote:
            current.append(ch)
            if ch == "\\" and i + 1 < len(query):
                current.append(query[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'" or (ch == "/" and _regex_may_start("".join(current))):
            quote = ch
            current.append(ch)
        elif ch == "#":
            # A comment runs to the end of its line (outside quotes and regexes).
            while i + 1 < len(query) and query[i + 1] != "\n":
                i += 1
        elif ch == "|":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _regex_may_start(before: str) -> bool:
    """Whether a `/` after this text (of its command) opens a /regex/ rather than divides: after
    like, =~, parse [field], an opening parenthesis or a comma, not after an operand."""
    before = before.rstrip()
    return (
        not before
        or before[-1] in "~(,=!["
        or re.search(r"(?i)(?:^|\s)(?:like|parse(?:\s+[@\w.$]+)?)$", before) is not None
    )


@dataclass
class Aggregate:
    function: str
    argument: Callable[[Record], Any] | None  # None: count(*)
    name: str
    percent: float = 0.0  # pct's percentile


@dataclass
class Query:
    fields: list[str] | None = None
    display: list[str] | None = None  # the last display command's fields: all the results show
    dedup: list[str] = field(default_factory=list)
    # A filter or second stats command after stats, and what follows it: run on this query's
    # results as its records.
    then: Query | None = None
    filters: list[Predicate] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    limit: int | None = None
    aggregates: list[Aggregate] = field(default_factory=list)
    group_by: list[str] = field(default_factory=list)
    # The group_by names that are bin(<period>) terms: the bucket of @timestamp each groups by.
    bins: dict[str, Callable[[int], int]] = field(default_factory=dict)
    # parse commands, in order: each adds the fields it extracts to a record it matches.
    parsers: list[Callable[[Record], None]] = field(default_factory=list)


# What may follow an operand in a filter, and never a group of conditions.
_OPERAND_FOLLOWERS = frozenset(
    ("+", "-", "*", "/", "%", "^", "=", "!=", "<", "<=", ">", ">=", "=~", "like", "in", "not")
)


class _FilterParser(insights_expr.Parser):
    """A filter's predicate; its operands are insights_expr's arithmetic over the filter's tokens
    (without unary minus: a filter lexes -5 as a number), with function calls as operands."""

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise QueryError("unexpected end of filter")
        self.pos += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "word" and token.text.lower() == word:
            self.pos += 1
            return True
        return False

    def parse(self) -> Predicate:
        predicate = self.disjunction()
        if self.peek() is not None:
            raise QueryError(f"unexpected {self.peek().text!r} in filter")  # type: ignore[union-attr]
        return predicate

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while self.keyword("or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def conjunction(self) -> Predicate:
        parts = [self.negation()]
        while self.keyword("and"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def negation(self) -> Predicate:
        if self.keyword("not"):
            inner = self.negation()
            return lambda r: not inner(r)
        peek = self.peek()
        if peek is not None and peek.kind == "op" and peek.text == "(":
            # A group of conditions, or the start of an operand: `(a + 1) * 2 = 12`. Read as a
            # group first; if that fails, or an operator follows it, read it as a comparison.
            start = self.pos
            self.pos += 1
            try:
                inner = self.disjunction()
                closed = self.take().text == ")"
            except QueryError:
                closed = False
            following = self.peek()
            if closed and (following is None or following.text.lower() not in _OPERAND_FOLLOWERS):
                return inner
            self.pos = start
        return self.comparison()

    def _op(self, *ops: str) -> str | None:
        token = self.peek()
        # A lone "-" lexes as a word (field names may hold hyphens): it subtracts here.
        if token is not None and token.kind in ("op", "word") and token.text in ops:
            self.pos += 1
            return token.text
        return None

    def unary(self) -> Callable[[Record], Any]:
        return self._atom()

    def _atom(self) -> Callable[[Record], Any]:
        token = self.take()
        if token.kind == "op" and token.text == "(":
            inner = self.expression()
            if self.take().text != ")":
                raise QueryError("missing )")
            return inner
        if token.kind == "str":
            value: Any = insights_expr.unquote(token.text)
            return lambda r: value
        if token.kind == "num":
            number = float(token.text)
            return lambda r: number
        if token.kind == "word":
            following = self.peek()
            if following is not None and following.text == "(":
                return self._call(token)
            name = token.text
            return lambda r: r.get(name)
        raise QueryError(f"unexpected {token.text!r}")

    def _call(self, name: Token) -> Callable[[Record], Any]:
        """A function call as an operand (strlen(@message) > 100, isempty(user)): its tokens, up to
        the matching parenthesis, as an insights_expr expression."""
        parts, depth = [name.text], 0
        while True:
            token = self.take()
            parts.append(token.text)
            depth += {"(": 1, ")": -1}.get(token.text, 0) if token.kind == "op" else 0
            if depth == 0:
                break
        source = " ".join(parts)
        try:
            return insights_expr.compile_expression(source, insights_expr.tokens(source))
        except ExpressionError as exc:
            raise QueryError(str(exc)) from exc

    def comparison(self) -> Predicate:
        if self.keyword("ispresent"):
            if self.take().text != "(":
                raise QueryError("ispresent needs (field)")
            name = self.take().text
            if self.take().text != ")":
                raise QueryError("missing )")
            return lambda r: r.get(name) is not None
        left = self.expression()
        negate = self.keyword("not")
        if self.keyword("like") or (not negate and self._op("=~") is not None):
            pattern = self.take()
            if pattern.kind == "regex":
                regex = re.compile(pattern.text[1:-1])
                test: Predicate = lambda r: (v := left(r)) is not None and regex.search(_text(v)) is not None  # noqa: E731
            elif pattern.kind == "str":
                needle = insights_expr.unquote(pattern.text)
                test = lambda r: (v := left(r)) is not None and needle in _text(v)  # noqa: E731
            else:
                raise QueryError('like needs /regex/ or "text"')
            return (lambda r: not test(r)) if negate else test
        if self.keyword("in"):
            if self.take().text != "[":
                raise QueryError("in needs [values]")
            options: list[Any] = []
            while True:
                item = self.expression()(None)  # type: ignore[arg-type]
                options.append(item)
                sep = self.take().text
                if sep == "]":
                    break
                if sep != ",":
                    raise QueryError("bad list")
            member: Predicate = lambda r: any(_equal(left(r), o) for o in options)  # noqa: E731
            return (lambda r: not member(r)) if negate else member
        if negate:
            raise QueryError("not must be followed by like or in")
        token = self.peek()
        if token is None or token.kind != "op" or token.text not in ("=", "!=", "<", "<=", ">", ">="):
            return lambda r: bool(left(r))
        op = self.take().text
        right = self.expression()
        return lambda r: _compare(left(r), op, right(r))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return (
        value
        if isinstance(value, str)
        else json.dumps(value)
        if isinstance(value, dict | list)
        else str(value)
    )


def _equal(a: Any, b: Any) -> bool:
    na, nb = insights_expr.number(a), insights_expr.number(b)
    if na is not None and nb is not None:
        return na == nb
    return a is not None and b is not None and _text(a) == _text(b)


def _compare(a: Any, op: str, b: Any) -> bool:
    if a is None or b is None:
        return False
    if op == "=":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    na, nb = insights_expr.number(a), insights_expr.number(b)
    left, right = (na, nb) if na is not None and nb is not None else (_text(a), _text(b))
    if op == "<":
        return left < right  # type: ignore[operator]
    if op == "<=":
        return left <= right  # type: ignore[operator]
    if op == ">":
        return left > right  # type: ignore[operator]
    return left >= right  # type: ignore[operator]


def _names(tokens: list[Token]) -> list[str]:
    return [t.text for t in tokens if t.kind == "word"]


def parse_query(text: str) -> Query:
    try:
        return _parse_commands(_split_commands(text))
    except re.error as exc:  # a /regex/ (of filter or parse) that does not compile
        raise QueryError(f"invalid regular expression: {exc}") from exc
    except RecursionError as exc:  # parentheses nested deeper than the parser's recursion can follow
        raise QueryError("the query is nested too deeply") from exc


def _parse_commands(commands: list[str]) -> Query:
    query = Query()
    for index, command in enumerate(commands):
        head, rest = re.match(r"(\S+)\s*(.*)", command, re.S).groups()  # type: ignore[union-attr]
        verb = head.lower()
        if verb in ("stats", "filter") and query.aggregates:
            query.then = _parse_commands(commands[index:])
            break
        if query.dedup and verb != "limit":
            raise QueryError("only limit may follow dedup")
        if verb in ("fields", "display"):
            names = _fields(rest, query)
            if verb == "display":
                query.display = names
            else:
                query.fields = (query.fields or []) + [n for n in names if n not in (query.fields or [])]
            continue
        if verb == "stats":
            try:
                _parse_stats(insights_expr.tokens(rest), rest, query)
            except ExpressionError as exc:
                raise QueryError(str(exc)) from exc
            continue
        tokens = _lex(rest, divide=verb == "filter")
        if verb == "filter":
            query.filters.append(_FilterParser(tokens).parse())
        elif verb == "sort":
            pairs: list[tuple[str, bool]] = []
            for item in rest.split(","):  # the raw text: a field may be a term such as bin(5m)
                words = item.split()
                if not words:
                    raise QueryError("sort needs a field")
                descending = len(words) > 1 and words[1].lower() == "desc"
                pairs.append((words[0], descending))
            query.sort = pairs
        elif verb == "limit":
            if len(tokens) != 1 or tokens[0].kind != "num" or int(float(tokens[0].text)) < 1:
                raise QueryError("limit needs a positive number")
            query.limit = int(float(tokens[0].text))
        elif verb == "parse":
            query.parsers.append(_parser(tokens))
        elif verb == "dedup":
            query.dedup = _names(tokens)
            if not query.dedup:
                raise QueryError("dedup needs at least one field")
        else:
            raise QueryError(f"unknown command: {head}")
    return query


def _parser(tokens: list[Token]) -> Callable[[Record], None]:
    """parse [field] "glob with *" as a, b  |  parse [field] /regex with (?<name>groups)/.

    A glob's wildcards match as little as they can, but one that ends the pattern takes the rest
    of the line; a regex names its fields by its named groups (Java's `(?<name>`, which may begin
    with @). An event the pattern does not match keeps its other fields and gets none of these.
    """
    source = "@message"
    if tokens and tokens[0].kind == "word":
        source = tokens.pop(0).text
    if not tokens or tokens[0].kind not in ("str", "regex"):
        raise QueryError('parse needs a "glob" or a /regex/')
    pattern, rest = tokens[0], tokens[1:]
    if pattern.kind == "str":
        glob = insights_expr.unquote(pattern.text)
        parts = glob.split("*")
        if len(parts) < 2:
            raise QueryError("parse needs a * in its pattern")
        names = _names(rest[1:]) if rest and rest[0].text.lower() == "as" else []
        if len(names) != len(parts) - 1:
            raise QueryError("parse needs one name (as a, b) for each * in its pattern")
        wildcards = ["(.*?)"] * (len(parts) - 2) + ["(.*)" if glob.endswith("*") else "(.*?)"]
        text = re.escape(parts[0]) + "".join(w + re.escape(p) for w, p in zip(wildcards, parts[1:], strict=True))
        regex = re.compile(text)
    else:
        if rest:
            raise QueryError("parse with a /regex/ names its fields by (?<name>...) groups")
        names = []

        def group(match: re.Match[str]) -> str:
            names.append(match.group(1))
            return f"(?P<g{len(names) - 1}>"

        regex = re.compile(re.sub(r"\(\?<([@\w.]+)>", group, pattern.text[1:-1]))
        if not names:
            raise QueryError("parse with a /regex/ needs a named group (?<name>...)")

    def extract(rec: Record) -> None:
        value = rec.get(source)
        match = regex.search(_text(value)) if value is not None else None
        if match is not None:
            groups = match.groups() if pattern.kind == "str" else [match.group(f"g{i}") for i in range(len(names))]
            rec.update({n: v for n, v in zip(names, groups, strict=True) if v is not None})

    return extract


def _fields(source: str, query: Query) -> list[str]:
    """The names a fields (or display) command shows. A bare field is shown as it is; an expression
    or an `as` alias is computed into the record under its name (an unnamed one by its text)."""
    try:
        items = insights_expr.split_top_level(source, insights_expr.tokens(source))
        names: list[str] = []
        for text, toks in items:
            alias = None
            if len(toks) >= 3 and toks[-2].kind == "word" and toks[-2].text.lower() == "as":
                alias, toks = toks[-1].text, toks[:-2]
                text = source[toks[0].start : toks[-1].end]
            if alias is None and len(toks) == 1 and toks[0].kind == "word":
                names.append(toks[0].text)
                continue
            name = alias or text
            query.parsers.append(_computed(name, insights_expr.compile_expression(text, toks)))
            names.append(name)
    except ExpressionError as exc:
        raise QueryError(str(exc)) from exc
    return names


def _computed(name: str, value: Callable[[Record], Any]) -> Callable[[Record], None]:
    def compute(rec: Record) -> None:
        result = value(rec)
        if result is not None:
            rec[name] = result

    return compute


_AGGREGATES = {
    "count", "count_distinct", "sum", "avg", "min", "max", "pct", "stddev",
    # not aggregations but the value of one event of the group: by @timestamp, or by sort order
    "earliest", "latest", "sortsfirst", "sortslast",
}  # fmt: skip


def _parse_stats(tokens: list[Token], source: str, query: Query) -> None:
    i = 0
    while i < len(tokens):
        fn = tokens[i].text.lower()
        if fn not in _AGGREGATES or i + 1 >= len(tokens) or tokens[i + 1].text != "(":
            raise QueryError("stats needs an aggregate such as count(*)")
        depth, close = 0, None
        for j in range(i + 1, len(tokens)):
            if tokens[j].kind == "op" and tokens[j].text == "(":
                depth += 1
            elif tokens[j].kind == "op" and tokens[j].text == ")":
                depth -= 1
                if depth == 0:
                    close = j
                    break
        if close is None:
            raise QueryError("missing )")
        inner = tokens[i + 2 : close]
        if not inner or (len(inner) == 1 and inner[0].text == "*"):
            argument, shown = None, "*"
        else:
            shown = source[inner[0].start : inner[-1].end]
            if fn == "pct":  # pct(field, percentile)
                if len(inner) < 3 or inner[-2].text != "," or inner[-1].kind != "num":
                    raise QueryError("pct needs a field and a percentile, such as pct(@duration, 95)")
                percent = float(inner[-1].text)
                inner = inner[:-2]
            argument = insights_expr.compile_expression(source[inner[0].start : inner[-1].end], inner)
        name = f"{tokens[i].text}({shown})"
        i = close + 1
        if i < len(tokens) and tokens[i].text.lower() == "as":
            name = tokens[i + 1].text
            i += 2
        query.aggregates.append(Aggregate(fn, argument, name, percent if fn == "pct" else 0.0))
        if i < len(tokens) and tokens[i].text == ",":
            i += 1
            continue
        if i < len(tokens) and tokens[i].text.lower() == "by":
            _parse_group_by(tokens[i + 1 :], query)
            return
        if i < len(tokens):
            raise QueryError(f"unexpected {tokens[i].text!r} in stats")


# The units bin() takes, each with its plural ("hrs", "mins"); months and longer are calendar periods.
_BIN_UNITS = {
    **dict.fromkeys(("ms", "msec", "millisecond"), 1),
    **dict.fromkeys(("s", "sec", "second"), 1000),
    **dict.fromkeys(("m", "min", "minute"), 60_000),
    **dict.fromkeys(("h", "hr", "hour"), 3_600_000),
    **dict.fromkeys(("d", "day"), 86_400_000),
    **dict.fromkeys(("w", "week"), 7 * 86_400_000),
    **dict.fromkeys(("mo", "mon", "month"), -1),
    **dict.fromkeys(("q", "qtr", "quarter"), -3),
    **dict.fromkeys(("y", "yr", "year"), -12),
}


def _bin(period: str) -> Callable[[int], int]:
    """The start (epoch ms) of the bucket a timestamp falls in, for a bin() period such as "5m"."""
    match = re.fullmatch(r"(\d+)([a-z]+)", period.lower())
    unit = match.group(2) if match else ""
    size = _BIN_UNITS.get(unit, _BIN_UNITS.get(unit[:-1], 0) if unit.endswith("s") else 0)
    count = int(match.group(1)) if match else 0
    if not size or not count:
        raise QueryError(f"invalid bin period: {period}")
    if size > 0:
        width = size * count
        return lambda ms: ms - ms % width
    months = -size * count

    def calendar(ms: int) -> int:
        moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
        index = (moment.year * 12 + moment.month - 1) // months * months
        return int(dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=dt.UTC).timestamp() * 1000)

    return calendar


def _parse_group_by(tokens: list[Token], query: Query) -> None:
    """`by` terms, comma-separated: a field, or bin(<period>) (optionally `as name`)."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind != "word":
            raise QueryError(f"unexpected {token.text!r} in stats")
        name = token.text
        bucket = None
        if token.text.lower() == "bin" and i + 1 < len(tokens) and tokens[i + 1].text == "(":
            if i + 3 >= len(tokens) or tokens[i + 3].text != ")":
                raise QueryError("bin needs a period, such as bin(5m)")
            bucket = _bin(tokens[i + 2].text)
            name = f"bin({tokens[i + 2].text})"
            i += 3
        i += 1
        if i + 1 < len(tokens) and tokens[i].text.lower() == "as":
            name = tokens[i + 1].text
            i += 2
        query.group_by.append(name)
        if bucket is not None:
            query.bins[name] = bucket
        if i < len(tokens):
            if tokens[i].text != ",":
                raise QueryError(f"unexpected {tokens[i].text!r} in stats")
            i += 1


def flatten(value: Any, prefix: str, out: Record) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            flatten(inner, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            flatten(inner, f"{prefix}.{index}", out)
    elif prefix:
        out[prefix] = value


# A Lambda function's REPORT line, whose parts Insights discovers as fields (@type is "REPORT").
_REPORT = re.compile(
    r"REPORT RequestId: (?P<id>\S+)\tDuration: (?P<duration>[\d.]+) ms\tBilled Duration: (?P<billed>\d+) ms"
    r"\tMemory Size: (?P<memory>\d+) MB\tMax Memory Used: (?P<used>\d+) MB"
    r"(?:\tInit Duration: (?P<init>[\d.]+) ms)?"
)
_MB = 1_000_000  # Insights gives memory in bytes: AWS's sample queries divide @memorySize by 1000 twice


def _lambda_report(message: str, fields: Record) -> None:
    match = _REPORT.match(message)
    if match is None:
        return
    fields.update(
        {
            "@type": "REPORT",
            "@requestId": match["id"],
            "@duration": float(match["duration"]),
            "@billedDuration": float(match["billed"]),
            "@memorySize": float(match["memory"]) * _MB,
            "@maxMemoryUsed": float(match["used"]) * _MB,
        }
    )
    if match["init"] is not None:
        fields["@initDuration"] = float(match["init"])


def record(event: Record, stream: str, group_ref: str, ptr: str) -> Record:
    """The fields of one event as a query sees them: those of its transformed version when a
    transformer made one (@message stays the raw event, as AWS defines it), and
    @transformationError when the transformer failed on it."""
    fields: Record = {}
    message = event["message"]
    text = str(event.get("transformed") or message).strip()
    if text.startswith("{"):
        try:
            flatten(json.loads(text), "", fields)
        except (ValueError, RecursionError):
            pass
    elif text.startswith("REPORT "):
        _lambda_report(text, fields)
    fields.update(
        {
            "@timestamp": event["timestamp"],
            "@message": message,
            "@logStream": stream,
            "@log": group_ref,
            "@ingestionTime": event["ingestionTime"],
            "@ptr": ptr,
        }
    )
    if "transformationError" in event:
        fields["@transformationError"] = event["transformationError"]
    return fields


def show(name: str, value: Any) -> str:
    if name in ("@timestamp", "@ingestionTime") and isinstance(value, int):
        moment = dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{value % 1000:03d}"
    return _text(value)


def _sort_key(value: Any) -> tuple[int, Any]:
    number = insights_expr.number(value)
    if number is not None:
        return (0, number)
    return (1, _text(value)) if value is not None else (2, "")


def run(
    query: Query, records: Iterable[Record], limit: int | None
) -> tuple[list[list[dict[str, str]]], int, int]:
    """(rows, records scanned, records matched)."""
    scanned = 0
    matched: list[Record] = []
    for rec in records:
        scanned += 1
        for extract in query.parsers:
            extract(rec)
        if all(f(rec) for f in query.filters):
            matched.append(rec)
    rows_data, names = _results(query, matched, limit)
    stage = query
    while stage.then is not None:  # a further stats command: over the results so far
        stage = stage.then
        records_now = [dict(r) for r in rows_data]
        for rec in records_now:
            for extract in stage.parsers:
                extract(rec)
        kept = [r for r in records_now if all(f(r) for f in stage.filters)]
        rows_data, names = _results(stage, kept, limit, names)
    rows = [[{"field": n, "value": show(n, r[n])} for n in names if r.get(n) is not None] for r in rows_data]
    return rows, scanned, len(matched)


def _results(
    query: Query, matched: list[Record], limit: int | None, shown: list[str] | None = None
) -> tuple[list[Record], list[str]]:
    """The rows one stage of a query makes of the records it matched, and the fields they show
    (`shown`, those of the stage before, unless this one names its own)."""
    if query.aggregates:
        rows_data = _aggregate(query, matched)
        names = query.group_by + [a.name for a in query.aggregates]
    else:
        rows_data = matched
        names = query.display or query.fields or shown or ["@timestamp", "@message", "@logStream", "@log"]
        names = names if shown is not None and names is shown else names + ["@ptr"]
    # Unsorted, events come newest first, and a time series (stats by bin()) its latest bucket first.
    default = [(next(iter(query.bins)), True)] if query.bins else [] if query.aggregates else [("@timestamp", True)]
    sort = query.sort or default
    for name, descending in reversed(sort):
        rows_data.sort(key=lambda r, n=name: _sort_key(r.get(n)), reverse=descending)  # type: ignore[misc]
    if query.dedup:
        rows_data = _deduplicated(rows_data, query.dedup)
    return rows_data[: query.limit or limit or 10000], names


def _deduplicated(rows: list[Record], names: list[str]) -> list[Record]:
    """The first row of each combination of the fields' values; a row missing any of them is kept."""
    seen: set[tuple[str, ...]] = set()
    kept: list[Record] = []
    for row in rows:
        values = [row.get(n) for n in names]
        if any(v is None for v in values):
            kept.append(row)
            continue
        key = tuple(_text(v) for v in values)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def _aggregate(query: Query, matched: list[Record]) -> list[Record]:
    buckets: dict[tuple[str | None, ...], list[Record]] = {}
    for rec in matched:
        # An event without a group's field is counted in a group that shows no value for it.
        key = tuple(
            show("@timestamp", query.bins[g](rec["@timestamp"]))
            if g in query.bins
            else (None if rec.get(g) is None else _text(rec.get(g)))
            for g in query.group_by
        )
        buckets.setdefault(key, []).append(rec)
    out: list[Record] = []
    for key, members in buckets.items():
        row: Record = dict(zip(query.group_by, key, strict=True))
        for agg in query.aggregates:
            value = agg.argument
            if value is None:
                row[agg.name] = len(members)
                continue
            if agg.function == "count":
                row[agg.name] = sum(1 for m in members if value(m) is not None)
                continue
            if agg.function == "count_distinct":
                row[agg.name] = len({_text(v) for m in members if (v := value(m)) is not None})
                continue
            if agg.function in ("earliest", "latest", "sortsfirst", "sortslast"):
                present = [(m, v) for m in members if (v := value(m)) is not None]
                if present:
                    by_time = agg.function in ("earliest", "latest")
                    ordered = sorted(present, key=lambda mv: (0, mv[0]["@timestamp"]) if by_time else _sort_key(mv[1]))
                    row[agg.name] = ordered[0 if agg.function in ("earliest", "sortsfirst") else -1][1]
                continue
            numbers = [n for m in members if (n := insights_expr.number(value(m))) is not None]
            if not numbers:
                continue
            if agg.function == "sum":
                row[agg.name] = sum(numbers)
            elif agg.function == "avg":
                row[agg.name] = sum(numbers) / len(numbers)
            elif agg.function == "min":
                row[agg.name] = min(numbers)
            elif agg.function == "pct":
                ranked = sorted(numbers)  # nearest rank
                row[agg.name] = ranked[max(math.ceil(agg.percent / 100 * len(ranked)) - 1, 0)]
            elif agg.function == "stddev":
                row[agg.name] = statistics.stdev(numbers) if len(numbers) > 1 else 0.0
            else:
                row[agg.name] = max(numbers)
        out.append(row)
    return out
