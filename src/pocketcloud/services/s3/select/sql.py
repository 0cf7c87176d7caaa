"""S3 Select's SQL: the tokenizer and the parser of one SELECT statement.

The dialect is the one of the "SQL reference for Amazon S3 Select": SELECT list (or *), FROM
S3Object with an optional JSON path and alias, WHERE, LIMIT; the operators, CAST, and the
scalar and aggregate functions of that reference. Keywords are case-insensitive. An
expression is parsed into nested tuples (the first item names the node), which `evaluate.py`
compiles; a malformed statement is refused with S3 Select's parse errors, before any data is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pocketcloud.services.s3.select.errors import select_error

Node = tuple[Any, ...]

KEYWORDS = frozenset(
    "SELECT FROM WHERE LIMIT AS AND OR NOT IS NULL MISSING LIKE ESCAPE BETWEEN IN CAST TRUE FALSE "
    "GROUP ORDER BY HAVING JOIN CASE WHEN THEN ELSE END UNION".split()
)
AGGREGATES = frozenset({"COUNT", "SUM", "AVG", "MIN", "MAX"})
FUNCTIONS = frozenset(
    {
        "LOWER",
        "UPPER",
        "CHAR_LENGTH",
        "CHARACTER_LENGTH",
        "COALESCE",
        "NULLIF",
        "UTCNOW",
        "TO_STRING",
        "TO_TIMESTAMP",
        "DATE_DIFF",
        "SUBSTRING",
        "TRIM",
        "EXTRACT",
        "DATE_ADD",
    }
)
DATE_PARTS = frozenset(
    {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "TIMEZONE_HOUR", "TIMEZONE_MINUTE"}
)
TYPES = {
    "INT": "INT", "INTEGER": "INT", "BIGINT": "INT", "SMALLINT": "INT",
    "FLOAT": "FLOAT", "REAL": "FLOAT", "DOUBLE": "FLOAT",
    "DECIMAL": "DECIMAL", "NUMERIC": "DECIMAL",
    "STRING": "STRING", "VARCHAR": "STRING", "CHAR": "STRING",
    "BOOL": "BOOL", "BOOLEAN": "BOOL", "TIMESTAMP": "TIMESTAMP",
}  # fmt: skip
MAX_EXPRESSION_BYTES = 256 * 1024
# How deep an expression may nest: parentheses, calls, NOT and signs while parsing (eight Python
# frames a level), and the parsed tree (compiled and evaluated recursively, two frames a level;
# AND and OR are flat lists, so a long chain of them is not deep). Beyond Python's stack, a
# statement would fail with a RecursionError; AWS documents no limit, so this one is ours.
MAX_NESTING = 64
MAX_DEPTH = 200

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<id>[A-Za-z_][A-Za-z0-9_$]*)
      | (?P<qid>"(?:[^"]|"")*")
      | (?P<str>'(?:[^']|'')*')
      | (?P<ion>`[^`]*`)
      | (?P<op><=|>=|<>|!=|\|\||[-+*/%=<>(),.\[\]])""",
    re.VERBOSE,
)


@dataclass
class Token:
    kind: str  # kw, id, qid, str, num, ion, op, eof
    value: Any
    pos: int

    def is_op(self, *ops: str) -> bool:
        return self.kind == "op" and self.value in ops

    def is_kw(self, *words: str) -> bool:
        return self.kind == "kw" and self.value in words


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            if text[pos] in "'\"`":
                raise select_error("LexerInvalidLiteral")  # an unterminated literal
            raise select_error("LexerInvalidChar")
        kind, raw = match.lastgroup or "", match.group()
        if kind == "num":
            value: Any
            if "e" in raw.lower():
                value = float(raw)
            elif "." in raw:
                value = Decimal(raw)
            elif len(raw) > 4000:  # int() refuses a text of more than 4300 digits
                value = Decimal(raw)
            else:
                value = int(raw)
            tokens.append(Token("num", value, pos))
        elif kind == "id":
            upper = raw.upper()
            tokens.append(Token("kw", upper, pos) if upper in KEYWORDS else Token("id", raw, pos))
        elif kind == "qid":
            tokens.append(Token("qid", raw[1:-1].replace('""', '"'), pos))
        elif kind == "str":
            tokens.append(Token("str", raw[1:-1].replace("''", "'"), pos))
        elif kind == "ion":
            tokens.append(Token("ion", raw[1:-1].strip(), pos))
        elif kind == "op":
            tokens.append(Token("op", raw, pos))
        pos = match.end()
    tokens.append(Token("eof", None, pos))
    return tokens


@dataclass
class Query:
    items: list[tuple[Node, str]] | None  # (expression, output name); None: SELECT *
    source: list[Node]  # the FROM path after S3Object: ("wild",), ("key", name, quoted), ("index", n)
    binding: str  # the name a row is known by: the alias, or the path's last name, "_1", "S3Object"
    binding_quoted: bool = False
    aliased: bool = False  # the binding is an alias the statement gives (not a default name)
    where: Node | None = None
    limit: int | None = None
    aggregates: list[Node] = field(default_factory=list)


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.at = 0
        self.aggregates: list[Node] = []
        self.nesting = 0

    def nest(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise too_deep()

    # -- tokens ------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def advance(self) -> Token:
        token = self.tokens[self.at]
        if token.kind != "eof":
            self.at += 1
        return token

    def expect_op(self, op: str, code: str = "ParseExpectedTokenType") -> None:
        if not self.token.is_op(op):
            raise select_error(code)
        self.advance()

    def expect_kw(self, word: str) -> None:
        if not self.token.is_kw(word):
            raise select_error("ParseExpectedKeyword")
        self.advance()

    def unexpected(self) -> Exception:
        token = self.token
        if token.is_kw("GROUP"):
            return select_error("ParseUnsupportedLiteralsGroupBy")
        if token.is_kw("JOIN"):
            return select_error("ParseMalformedJoin")
        if token.is_kw("CASE"):
            return select_error("ParseUnsupportedCase")
        if token.is_kw("ORDER", "HAVING", "UNION"):
            return select_error("UnsupportedSqlStructure")
        if token.kind == "kw":
            return select_error("ParseUnExpectedKeyword")
        if token.kind == "eof":
            return select_error("ParseExpectedExpression")
        return select_error("ParseUnexpectedToken")

    # -- the statement -----------------------------------------------------------

    def query(self) -> Query:
        self.expect_kw("SELECT")
        items: list[tuple[Node, str | None]] | None
        if self.token.is_op("*"):
            self.advance()
            items = None
            if self.token.is_op(","):
                raise select_error("ParseAsteriskIsNotAloneInSelectList")
        else:
            if self.token.is_kw("FROM"):
                raise select_error("ParseEmptySelect")
            items = [self.select_item()]
            while self.token.is_op(","):
                self.advance()
                items.append(self.select_item())
            if len(items) == 1 and items[0][0][0] == "star":
                items = None  # SELECT alias.*: the row, as SELECT * gives it
            elif any(node[0] == "star" for node, _ in items):
                raise select_error("ParseAsteriskIsNotAloneInSelectList")
        if not self.token.is_kw("FROM"):
            raise select_error("ParseSelectMissingFrom") if self.token.kind == "eof" else self.unexpected()
        self.advance()
        source, binding, quoted, aliased = self.from_clause()
        query = Query(None, source, binding, quoted, aliased)
        if self.token.is_kw("WHERE"):
            self.advance()
            before = len(self.aggregates)
            query.where = self.expression()
            if len(self.aggregates) != before:
                raise select_error("UnsupportedSqlOperation")  # aggregates belong in the SELECT list
        if self.token.is_kw("LIMIT"):
            self.advance()
            if self.token.is_op("-"):
                raise select_error("EvaluatorNegativeLimit")
            if self.token.kind != "num" or not isinstance(self.token.value, int):
                raise select_error("ParseExpectedNumber")
            query.limit = self.advance().value
        if self.token.is_op(","):
            raise select_error("MultipleDataSourcesUnsupported")
        if self.token.kind != "eof":
            raise self.unexpected()
        if items is not None:
            query.items = [
                (node, alias or self.output_name(node, index, query))
                for index, (node, alias) in enumerate(items, 1)
            ]
        query.aggregates = self.aggregates
        return query

    def select_item(self) -> tuple[Node, str | None]:
        # alias.* : the whole row
        if self.token.kind in ("id", "qid") and self.tokens[self.at + 1].is_op("."):
            if self.tokens[self.at + 2].is_op("*"):
                self.at += 3
                return ("star",), None
        node = self.expression()
        alias = None
        if self.token.is_kw("AS"):
            self.advance()
            if self.token.kind not in ("id", "qid"):
                raise select_error("ParseExpectedIdentForAlias")
            alias = self.advance().value
        elif self.token.kind in ("id", "qid"):
            alias = self.advance().value
        return node, alias

    @staticmethod
    def output_name(node: Node, index: int, query: Query) -> str:
        """A projection's name in the output: its path's last name, or _N for its position."""
        if node[0] == "path":
            steps = node[3]
            if steps and steps[-1][0] == "key":
                return str(steps[-1][1])
            if not steps and not (query.aliased and node[1].lower() == query.binding.lower()):
                return str(node[1])  # a column, or the row under its path's last name
        return f"_{index}"

    def from_clause(self) -> tuple[list[Node], str, bool, bool]:
        token = self.advance()
        if token.kind != "id" or token.value.lower() != "s3object":
            raise (
                select_error("UnsupportedSqlStructure")
                if token.kind != "eof"
                else select_error("ParseExpectedExpression")
            )
        steps: list[Node] = []
        if self.token.is_op("["):
            steps = self.path_steps(allow_wild=True)
            if steps[0] != ("wild",):
                raise select_error("ParseInvalidPathComponent")
            steps = steps[1:]
        elif self.token.is_op("."):
            raise select_error("ParseInvalidPathComponent")  # a path must follow S3Object[*]
        binding, quoted = "S3Object", False
        if steps:
            last = steps[-1]
            binding, quoted = (last[1], last[2]) if last[0] == "key" else ("_1", False)
        if self.token.is_kw("AS"):
            self.advance()
            if self.token.kind not in ("id", "qid"):
                raise select_error("ParseExpectedIdentForAlias")
        elif self.token.kind not in ("id", "qid"):
            return steps, binding, quoted, False
        binding, quoted = self.token.value, self.advance().kind == "qid"
        return steps, binding, quoted, True

    def path_steps(self, allow_wild: bool) -> list[Node]:
        steps: list[Node] = []
        while True:
            if self.token.is_op("."):
                self.advance()
                token = self.advance()
                if token.is_op("*") and allow_wild:
                    steps.append(("wild",))
                elif token.kind in ("id", "qid", "kw"):
                    if token.kind == "kw":
                        raise select_error("ParseUnExpectedKeyword")  # a reserved word needs quotes
                    steps.append(("key", token.value, token.kind == "qid"))
                else:
                    raise select_error("ParseInvalidPathComponent")
            elif self.token.is_op("["):
                self.advance()
                token = self.advance()
                if token.is_op("*") and allow_wild:
                    steps.append(("wild",))
                elif token.kind == "num" and isinstance(token.value, int):
                    steps.append(("index", token.value))
                elif token.kind == "str":
                    steps.append(("key", token.value, True))
                else:
                    raise select_error("ParseInvalidPathComponent")
                self.expect_op("]")
            else:
                return steps

    # -- expressions, loosest binding first ------------------------------------------

    def expression(self) -> Node:
        self.nest()
        node = self.conjunction()
        if self.token.is_kw("OR"):
            operands = [node]
            while self.token.is_kw("OR"):
                self.advance()
                operands.append(self.conjunction())
            node = ("or", operands)
        self.nesting -= 1
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        if self.token.is_kw("AND"):
            operands = [node]
            while self.token.is_kw("AND"):
                self.advance()
                operands.append(self.negation())
            node = ("and", operands)
        return node

    def negation(self) -> Node:
        if self.token.is_kw("NOT"):
            self.advance()
            self.nest()
            node = ("not", self.negation())
            self.nesting -= 1
            return node
        return self.predicate()

    def predicate(self) -> Node:
        node = self.additive()
        while True:
            token = self.token
            if token.is_op("=", "<>", "!=", "<", ">", "<=", ">="):
                self.advance()
                node = ("cmp", "<>" if token.value == "!=" else token.value, node, self.additive())
            elif token.is_kw("IS"):
                self.advance()
                negated = self.token.is_kw("NOT")
                if negated:
                    self.advance()
                what = self.advance()
                if not what.is_kw("NULL", "MISSING", "TRUE", "FALSE"):
                    raise select_error("ParseExpectedKeyword")
                node = ("is", node, what.value, negated)
            elif token.is_kw("NOT", "LIKE", "BETWEEN", "IN"):
                negated = token.is_kw("NOT")
                if negated:
                    self.advance()
                    if not self.token.is_kw("LIKE", "BETWEEN", "IN"):
                        raise select_error("ParseExpectedKeyword")
                word = self.advance().value
                if word == "LIKE":
                    pattern = self.additive()
                    escape = None
                    if self.token.is_kw("ESCAPE"):
                        self.advance()
                        escape = self.additive()
                    node = ("like", node, pattern, escape, negated)
                elif word == "BETWEEN":
                    low = self.additive()
                    self.expect_kw("AND")
                    node = ("between", node, low, self.additive(), negated)
                else:
                    self.expect_op("(", "ParseExpectedTokenType")
                    items = [self.expression()]
                    while self.token.is_op(","):
                        self.advance()
                        items.append(self.expression())
                    self.expect_op(")")
                    node = ("in", node, items, negated)
            else:
                return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.token.is_op("+", "-", "||"):
            op = self.advance().value
            node = ("arith", op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while self.token.is_op("*", "/", "%"):
            op = self.advance().value
            node = ("arith", op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.token.is_op("-", "+"):
            sign = self.advance().value
            self.nest()
            operand = self.unary()
            self.nesting -= 1
            if sign == "+":
                return operand
            if operand[0] == "lit" and isinstance(operand[1], int | float | Decimal):
                return ("lit", -operand[1])
            return ("neg", operand)
        return self.primary()

    def primary(self) -> Node:
        token = self.token
        if token.kind in ("num", "str"):
            self.advance()
            return ("lit", token.value)
        if token.kind == "ion":
            self.advance()
            return ("ion", token.value)
        if token.is_kw("TRUE", "FALSE"):
            self.advance()
            return ("lit", token.value == "TRUE")
        if token.is_kw("NULL"):
            self.advance()
            return ("lit", None)
        if token.is_kw("MISSING"):
            self.advance()
            return ("missing",)
        if token.is_op("("):
            self.advance()
            node = self.expression()
            self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
            return node
        if token.is_kw("CAST"):
            return self.cast()
        if token.kind == "id" and self.tokens[self.at + 1].is_op("("):
            return self.call()
        if token.kind in ("id", "qid"):
            self.advance()
            return ("path", token.value, token.kind == "qid", self.path_steps(allow_wild=False))
        raise self.unexpected()

    def cast(self) -> Node:
        self.advance()
        self.expect_op("(", "ParseExpectedLeftParenAfterCast")
        value = self.expression()
        if not self.token.is_kw("AS"):
            raise select_error("ParseCastArity")
        self.advance()
        name = self.advance()
        type_name = TYPES.get(str(name.value).upper()) if name.kind in ("id", "kw") else None
        if type_name is None:
            raise select_error("ParseExpectedTypeName")
        self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
        return ("cast", value, type_name)

    def call(self) -> Node:
        name = self.advance().value.upper()
        self.advance()  # (
        if name in AGGREGATES:
            if self.token.is_op("*"):
                if name != "COUNT":
                    raise select_error("ParseUnsupportedCallWithStar")
                self.advance()
                argument = None
            else:
                before = len(self.aggregates)
                argument = self.expression()
                if len(self.aggregates) != before:
                    raise select_error("UnsupportedSqlOperation")  # an aggregate of an aggregate
            self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
            node = ("agg", name, argument, len(self.aggregates))
            self.aggregates.append(node)
            return node
        if name not in FUNCTIONS:
            raise select_error("UnsupportedFunction")
        if name == "TRIM":
            return self.trim()
        args: list[Node] = []
        if name in ("EXTRACT", "DATE_ADD", "DATE_DIFF"):
            part = self.advance()
            if part.kind != "id" or part.value.upper() not in DATE_PARTS:
                raise select_error("ParseExpectedDatePart")
            args.append(("lit", part.value.upper()))
            if name == "EXTRACT":
                self.expect_kw("FROM")
            else:
                self.expect_op(",", "ParseExpectedArgumentDelimiter")
        if not self.token.is_op(")"):
            args.append(self.expression())
            while self.token.is_op(",") or (name == "SUBSTRING" and self.token.is_kw("FROM")):
                self.advance()
                args.append(self.expression())
            if name == "SUBSTRING" and self.token.kind == "id" and self.token.value.upper() == "FOR":
                self.advance()
                args.append(self.expression())
        self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
        return ("call", name, args)

    def trim(self) -> Node:
        """TRIM([[LEADING | TRAILING | BOTH] [chars] FROM] string)."""
        where, chars = "BOTH", None
        if self.token.kind == "id" and self.token.value.upper() in ("LEADING", "TRAILING", "BOTH"):
            where = self.advance().value.upper()
            if not self.token.is_kw("FROM"):
                chars = self.expression()
            self.expect_kw("FROM")
        value = self.expression()
        if self.token.is_kw("FROM"):  # TRIM(chars FROM string)
            self.advance()
            chars, value = value, self.expression()
        self.expect_op(")", "ParseExpectedRightParenBuiltinFunctionCall")
        return ("trim", where, chars, value)


def too_deep() -> Exception:
    return select_error(
        "UnsupportedSqlStructure",
        f"The SQL expression nests deeper than pocketcloud's limit ({MAX_NESTING} levels of parentheses, "
        f"calls and operators, {MAX_DEPTH} of operations).",
    )


def depth(node: Node) -> int:
    """How deep an expression's tree is (without recursion: the tree may be too deep for it)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        for child in item:
            if type(child) is tuple:
                stack.append((child, level + 1))
            elif type(child) is list:
                stack.extend((c, level + 1) for c in child if type(c) is tuple)
    return deepest


def parse(expression: str) -> Query:
    """The parsed statement, or S3 Select's error for it."""
    if len(expression.encode("utf-8", "surrogatepass")) > MAX_EXPRESSION_BYTES:
        raise select_error("ExpressionTooLong")
    query = Parser(expression).query()
    trees = [node for node, _ in query.items or []] + query.aggregates
    if any(depth(node) > MAX_DEPTH for node in trees + ([query.where] if query.where else [])):
        raise too_deep()
    return query
