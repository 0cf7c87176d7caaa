"""Hypothesis strategies for operation *inputs*: the parameter dicts a client hands botocore.

`InputStrategies(protocol).for_operation(op)` walks any input shape (structures,
lists, maps, every scalar type, recursive shapes to a bounded depth) and draws
dicts as boto3 would accept them: required members always present, URI labels
non-empty. Values are restricted only where the wire format itself cannot carry
them; each restriction below says why. `minimal_input(op)` builds the smallest
valid input (required members, simple values) for routing tests.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from botocore.model import OperationModel, Shape
from hypothesis import strategies as st

# Unicode scalar values only: a lone surrogate cannot be encoded as UTF-8, which
# every wire format uses for text, so no client can send one.
_UNICODE = st.characters(exclude_categories=("Cs",))
# Characters that stress escaping in every format (form encoding, JSON, XML, URIs).
_AWKWARD = "&=+%./?#;, \t\n<>\"'\\~*:@[]{}é€日😀\x00\x7f\u2028"

# XML 1.0 cannot carry most C0 control characters at all, nor U+FFFE/U+FFFF, and
# an XML parser must turn a literal \r (or \r\n) into \n: so XML text is drawn
# without control characters except \t and \n.
_XML_CHARS = st.characters(
    exclude_categories=("Cs", "Cc"),
    exclude_characters="\ufffe\uffff",
    include_characters="\t\n",
)
_XML_AWKWARD = "".join(c for c in _AWKWARD if c not in "\x00\x7f")

# An HTTP header value is a sequence of latin-1 octets without control
# characters, and leading/trailing spaces are not part of the value (RFC 9110
# field-value OWS), so header text is printable latin-1 with no outer spaces.
_HEADER_CHARS = st.characters(codec="latin-1", exclude_categories=("Cc",))
_HEADER_AWKWARD = "&=+%./?#;, <>\"'\\~*:@é\xa0\xff"
# Header *names* are case-insensitive tokens; HTTP stacks lower-case them, so the
# keys of a `headers`-location map (S3 user metadata) are drawn lower-case.
_TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~"

# A hostLabel member becomes part of a DNS name (botocore checks this regex).
_HOST_LABEL = st.from_regex(re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,8}"), fullmatch=True)

# Timestamps from 1900 to 2105: botocore writes years before 1000 without four
# digits (not ISO 8601), and the json protocol sends epoch seconds as a double,
# which holds microseconds exactly only while |seconds| < 2**32 (Feb 2106).
_TIMESTAMPS = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2105, 12, 31), timezones=st.just(UTC)
)

_INT_RANGES = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}

MAX_ITEMS = 3
MAX_DEPTH = 4

# Where a value sits on the wire; nested values are always "body".
BODY, URI, QUERY, HEADER, HEADERS, PAYLOAD = "body", "uri", "querystring", "header", "headers", "payload"


def _text(chars: st.SearchStrategy[str], awkward: str, min_size: int = 0) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(chars, min_size=min_size, max_size=12),
        st.text(st.sampled_from(awkward), min_size=max(min_size, 1), max_size=6),
    )


def _header_text(min_size: int = 0) -> st.SearchStrategy[str]:
    return _text(_HEADER_CHARS, _HEADER_AWKWARD, min_size).map(lambda s: s.strip(" ")).filter(
        lambda s: len(s) >= min_size
    )


def documents() -> st.SearchStrategy[Any]:
    """Values of a document type or a jsonvalue header: anything JSON holds (floats left out:
    a document is opaque to the parser, and NaN is not JSON)."""
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-(2**53), 2**53), _text(_UNICODE, _AWKWARD)
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=MAX_ITEMS),
            st.dictionaries(_text(_UNICODE, _AWKWARD), inner, max_size=MAX_ITEMS),
        ),
        max_leaves=6,
    )


class InputStrategies:
    """Input strategies for the operations of one service (strategies are cached by shape name)."""

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol
        self._cache: dict[tuple[str, str, int], st.SearchStrategy[Any]] = {}

    def for_operation(self, operation: OperationModel) -> st.SearchStrategy[dict[str, Any]]:
        shape = operation.input_shape
        if shape is None:
            return st.just({})
        return self._structure(shape, depth=0, top=True)

    # -- text per location --------------------------------------------------

    def text(self, where: str, min_size: int = 0) -> st.SearchStrategy[str]:
        if where in (HEADER, HEADERS):
            return _header_text(min_size)
        if where == BODY and self.protocol == "rest-xml":
            return _text(_XML_CHARS, _XML_AWKWARD, min_size)
        return _text(_UNICODE, _AWKWARD, min_size)

    # -- shapes ---------------------------------------------------------------

    def value(self, shape: Shape, where: str, depth: int) -> st.SearchStrategy[Any]:
        key = (shape.name, where, min(depth, MAX_DEPTH + 1))
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._build(shape, where, depth)
        return cached

    def _build(self, shape: Shape, where: str, depth: int) -> st.SearchStrategy[Any]:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, depth)
        if kind == "list":
            if where == HEADER:
                # Items of a header list are separated by commas with optional
                # whitespace around them, so an item is non-empty and unpadded.
                item = (
                    _header_text(min_size=1) if shape.member.type_name == "string"
                    else self.value(shape.member, HEADER, depth + 1)
                )
                return st.lists(item, max_size=MAX_ITEMS)
            if depth >= MAX_DEPTH:
                return st.just([])
            return st.lists(self.value(shape.member, where, depth + 1), max_size=MAX_ITEMS)
        if kind == "map":
            if depth >= MAX_DEPTH:
                return st.just({})
            keys = self.value(shape.key, where, depth + 1)
            return st.dictionaries(keys, self.value(shape.value, where, depth + 1), max_size=MAX_ITEMS)
        if kind == "string":
            if where == URI:  # S3 refuses a request URI with a ".." segment, as no key holds one
                return self.text(where, min_size=1).filter(lambda text: ".." not in text.split("/"))
            return self.text(where)
        if kind in _INT_RANGES:
            low, high = _INT_RANGES[kind]
            return st.integers(low, high)
        if kind in ("float", "double"):
            # Every format writes a float with repr() (NaN/±Infinity by name),
            # whose text reads back to the same double.
            return st.floats(allow_nan=True, allow_infinity=True)
        if kind == "boolean":
            return st.booleans()
        if kind == "timestamp":
            return _TIMESTAMPS
        if kind == "blob":
            return st.binary(max_size=24)
        raise AssertionError(f"no strategy for shape type {kind}")

    def _structure(self, shape: Shape, depth: int, top: bool = False) -> st.SearchStrategy[Any]:
        if getattr(shape, "is_document_type", False):
            return documents().filter(lambda v: v is not None)
        required: dict[str, st.SearchStrategy[Any]] = {}
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for name, member in shape.members.items():
            strategy = self._member(name, member, shape, depth, top)
            if strategy is None:
                continue
            if name in shape.required_members:
                required[name] = strategy
            elif depth < MAX_DEPTH or member.type_name not in ("structure", "list", "map"):
                optional[name] = strategy
        if getattr(shape, "is_tagged_union", False) and (required or optional):
            # A union carries exactly one member.
            choices = {**optional, **required}
            return st.one_of([st.fixed_dictionaries({n: s}) for n, s in choices.items()])
        return st.fixed_dictionaries(required, optional=optional)

    def _member(
        self, name: str, member: Shape, parent: Shape, depth: int, top: bool
    ) -> st.SearchStrategy[Any] | None:
        serialization = member.serialization
        if serialization.get("eventstream"):
            return None
        if serialization.get("hostLabel"):
            return _HOST_LABEL
        if not top:
            return self.value(member, BODY, depth + 1)
        location = serialization.get("location")
        if location == "statusCode":
            return None
        if location == "uri":
            return self.value(member, URI, depth + 1)
        if location == "header":
            if serialization.get("jsonvalue"):
                # botocore sends nothing for a None parameter.
                return documents().filter(lambda v: v is not None)
            return self.value(member, HEADER, depth + 1)
        if location == "headers":
            keys = st.text(st.sampled_from(_TOKEN_CHARS), min_size=1, max_size=8)
            return st.dictionaries(keys, _header_text(), max_size=MAX_ITEMS)
        if location == "querystring":
            if member.type_name == "map":
                return self._query_map(member, parent)
            return self.value(member, QUERY, depth + 1)
        if parent.serialization.get("payload") == name and member.type_name in ("blob", "string"):
            # A blob/string payload is the raw body: any bytes, any text.
            return self.value(member, PAYLOAD, depth + 1)
        return self.value(member, BODY, depth + 1)

    def _query_map(self, member: Shape, parent: Shape) -> st.SearchStrategy[Any]:
        # A querystring map shares the query string with the other members, so its
        # keys cannot be the names those members use.
        claimed = {m.serialization.get("name", n) for n, m in parent.members.items()}
        keys = _text(_UNICODE, _AWKWARD, min_size=1).filter(lambda k: k not in claimed)
        if member.value.type_name == "list":
            values: st.SearchStrategy[Any] = st.lists(self.text(QUERY), max_size=MAX_ITEMS)
        else:
            values = self.text(QUERY)
        return st.dictionaries(keys, values, max_size=MAX_ITEMS)


# -- minimal inputs --------------------------------------------------------------


def minimal_input(operation: OperationModel) -> dict[str, Any]:
    """Required members only, each with a simple valid value."""
    shape = operation.input_shape
    return {} if shape is None else _minimal(shape)


def _minimal(shape: Shape) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if getattr(shape, "is_document_type", False):
            return {}
        return {name: _minimal(shape.members[name]) for name in shape.required_members}
    if kind == "list":
        return [_minimal(shape.member)]
    if kind == "map":
        return {"k1": _minimal(shape.value)}
    if kind == "string":
        if shape.serialization.get("hostLabel"):
            return "route"
        return shape.enum[0] if shape.enum else "name1"
    if kind in _INT_RANGES:
        return 1
    if kind in ("float", "double"):
        return 1.5
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    if kind == "blob":
        return b"data"
    raise AssertionError(f"no minimal value for shape type {kind}")
