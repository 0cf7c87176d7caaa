"""Hypothesis strategies for operation *outputs*: the dicts a provider hands a serializer.

`OutputStrategies(protocol).for_operation(op)` walks any output shape —
structures, unions, lists, maps, every scalar type, recursive shapes to a
bounded depth, empty lists and maps included — and draws values in the form
providers produce them (aware UTC datetimes, bytes, bool, int, float, str).
`for_shape(shape)` does the same for any shape, e.g. an error shape.

Nothing is marked required in an output, so every member is independently
present or absent. Values are restricted only where the wire format itself
cannot carry them (or where botocore, the reference client, cannot read back
what AWS itself would send); each restriction below says why.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.model import OperationModel, Shape
from hypothesis import strategies as st

XML_PROTOCOLS = frozenset({"query", "ec2", "rest-xml"})

# Unicode scalar values only: a lone surrogate cannot be encoded as UTF-8.
_UNICODE = st.characters(exclude_categories=("Cs",))
# XML 1.0 cannot carry most C0 control characters at all (not even as
# character references), nor U+FFFE/U+FFFF. \r is kept: serializers must send
# it as &#13;, since a parser turns a literal CR into LF.
_XML_CHARS = st.characters(
    exclude_categories=("Cs", "Cc"),
    exclude_characters="\ufffe\uffff",
    include_characters="\t\n\r",
)
# Strings that stress escaping: markup, entities, CR/LF, whitespace only,
# non-BMP, JSON escapes, S3-key-like paths.
_AWKWARD = [
    "",
    " ",
    "  \t\n ",
    "\r",
    "a\r\nb",
    "<a>&amp;</a>",
    "]]>",
    "\"'",
    "\\u0000",
    "é€日😀",
    "a/b/../c d",
]

# A header value is latin-1 octets without control characters, and HTTP strips
# leading/trailing whitespace. Non-ASCII values go out RFC 2047-encoded (as S3
# does), which botocore does not decode: so header text is printable ASCII with
# no outer whitespace.
_HEADER_CHARS = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
_HEADER_TEXT = st.text(_HEADER_CHARS, max_size=12).map(str.strip)
# Header names are case-insensitive tokens that HTTP stacks lower-case, so the
# keys of a `headers`-location map (S3 user metadata) are drawn lower-case.
_TOKEN = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=8)

# Timestamps from 1970 to 2100 in whole milliseconds: AWS sends (and we
# serialize) at most millisecond precision; comparisons truncate further where
# a format is coarser (HTTP dates carry whole seconds).
_TIMESTAMPS = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda dt: dt - timedelta(microseconds=dt.microsecond % 1000))

# Finite floats only: NaN never equals itself, and JSON bodies carry non-finite
# numbers as the strings "NaN"/"Infinity", which botocore hands back as str.
_FLOATS = st.floats(allow_nan=False, allow_infinity=False)

_INT32 = st.integers(-(2**31), 2**31 - 1)
_INT64 = st.integers(-(2**63), 2**63 - 1)

_JSON_SCALARS = st.one_of(st.none(), st.booleans(), _INT32, _FLOATS, st.text(_UNICODE, max_size=8))
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(_UNICODE, max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)

# A status ≥ 300 turns the response into an error for the client, and 204/304
# carry no body, so a statusCode member is drawn from the plain successes.
_STATUS = st.sampled_from([200, 201, 202])

_BODY = "body"


class OutputStrategies:
    """Strategies for output values of one protocol; cached per shape and position."""

    def __init__(self, protocol: str, *, max_depth: int = 5, max_items: int = 3) -> None:
        self.protocol = protocol
        self.xml = protocol in XML_PROTOCOLS
        self.max_depth = max_depth
        self.max_items = max_items
        self._text = st.one_of(
            st.text(_XML_CHARS if self.xml else _UNICODE, max_size=12), st.sampled_from(_AWKWARD)
        )
        self._cache: dict[tuple[Any, ...], st.SearchStrategy[Any] | None] = {}

    def for_operation(self, operation: OperationModel) -> st.SearchStrategy[dict[str, Any]]:
        shape = operation.output_shape
        if shape is None:
            return st.just({})
        strategy = self._structure(shape, 0)
        assert strategy is not None
        return strategy

    def for_shape(self, shape: Shape) -> st.SearchStrategy[Any]:
        strategy = self._value(shape, _BODY, 0)
        return st.nothing() if strategy is None else strategy

    # -- walking -------------------------------------------------------------------

    def _value(self, shape: Shape, where: str, depth: int) -> st.SearchStrategy[Any] | None:
        """A strategy for `shape` at `where` (body, header, headers, statusCode), or None if none exists."""
        key = (shape.name, shape.type_name, where, depth, repr(sorted(shape.serialization.items())))
        if key not in self._cache:
            self._cache[key] = self._build(shape, where, depth)
        return self._cache[key]

    def _build(self, shape: Shape, where: str, depth: int) -> st.SearchStrategy[Any] | None:
        kind = shape.type_name
        if where == "statusCode":
            return _STATUS
        if where == "headers":
            return st.dictionaries(_TOKEN, _HEADER_TEXT, max_size=self.max_items)
        if kind == "structure":
            if shape.serialization.get("eventstream") or shape.serialization.get("event"):
                return None
            if shape.is_document_type:
                return _JSON_VALUES
            return self._structure(shape, depth)
        if kind == "list":
            if depth >= self.max_depth:
                return st.just([])
            item = self._value(shape.member, where, depth + 1)
            if item is None:
                return st.just([])
            if where == "header":
                # botocore splits a list header on commas and strips the items.
                item = (
                    item.filter(lambda text: text and "," not in text)
                    if shape.member.type_name == "string"
                    else item
                )
                return st.lists(item, min_size=1, max_size=self.max_items)
            return st.lists(item, max_size=self.max_items)
        if kind == "map":
            if depth >= self.max_depth:
                return st.just({})
            value = self._value(shape.value, where, depth + 1)
            keys = self._value(shape.key, where, depth + 1)
            if value is None or keys is None:
                return st.just({})
            return st.dictionaries(keys, value, max_size=self.max_items)
        return self._scalar(shape, where)

    def _structure(self, shape: Shape, depth: int) -> st.SearchStrategy[dict[str, Any]] | None:
        if depth >= self.max_depth:
            # A union must have exactly one member set, so a truncated one is absent.
            return None if shape.is_tagged_union else st.just({})
        members: dict[str, st.SearchStrategy[Any]] = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            where = location if location in ("header", "headers", "statusCode") else _BODY
            strategy = self._value(member, where, depth + 1)
            if strategy is not None:
                members[name] = strategy
        if shape.is_tagged_union:
            if not members:
                return None
            return st.one_of([st.fixed_dictionaries({name: s}) for name, s in members.items()])
        return st.fixed_dictionaries({}, optional=members)

    def _scalar(self, shape: Shape, where: str) -> st.SearchStrategy[Any] | None:
        kind = shape.type_name
        header = where == "header"
        if kind in ("string", "character"):
            if header and shape.serialization.get("jsonvalue"):
                return st.dictionaries(st.text(_HEADER_CHARS, max_size=5), _JSON_SCALARS, max_size=3)
            text = _HEADER_TEXT if header else self._text
            if shape.enum:  # what providers send, mixed with text that stresses escaping
                return st.one_of(st.sampled_from(shape.enum), text)
            return text
        if kind in ("integer", "short", "byte"):
            return _INT32
        if kind == "long":
            return _INT64
        if kind in ("float", "double"):
            return _FLOATS
        if kind == "boolean":
            return st.booleans()
        if kind == "timestamp":
            return _TIMESTAMPS
        if kind == "blob":
            return st.binary(max_size=24)
        return None
