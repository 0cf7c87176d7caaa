"""XML encoding of shapes, shared by the query, ec2 and rest-xml serializers.

`XmlPlanner` compiles a shape, together with the element name and traits it
is serialized under, into a *writer*: a function `write(value, out)` that
appends the element's text to the list `out`. Writers are built once per
(shape, name, traits) and cached, so a request pays only for string joins,
never for reading the model. This is the mirror image of botocore's
`BaseXMLResponseParser`:

- a structure member is an element named by its locationName, else the member
  name; members bound to HTTP headers or the status code are not in the body;
- a list is a wrapper element with one `<member>` (or the member's
  locationName; `<item>` for ec2) per item, or, when flattened, the items
  repeated in place under the list's name;
- a map is a wrapper with `<entry><key/><value/></entry>` pairs, or, when
  flattened, one element per pair;
- xmlAttribute members become attributes of their structure's element, and
  xmlNamespace declares a namespace (with its prefix, if any) on the element.

What it is not for: deciding the document around the body (the root element,
request ids, error documents) — that is each protocol's serializer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .base import NON_BODY_LOCATIONS
from .plans import PlanCache
from .scalars import (
    base64_text,
    bool_text,
    float_text,
    format_timestamp,
    int_text,
    iso8601_millis,
    iso8601_plain,
)

if TYPE_CHECKING:
    from botocore.model import ServiceModel, Shape

Writer = Callable[[Any, list[str]], None]

# Characters that need an entity in element text. `\r` is included because an
# XML parser turns a literal CR into LF (AWS sends `&#13;`, e.g. in S3 keys);
# the rest cannot appear in an XML 1.0 document at all, not even as character
# references, so they are replaced with U+FFFD rather than break the document.
_TEXT_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# S3's listings are the exception: an object key may hold any character, and S3 writes the control
# characters XML 1.0 cannot carry as they are, so that an XML parser refuses the answer ("the XML 1.0
# parser can't parse certain characters ... you can add this parameter [EncodingType=url] to request
# that Amazon S3 encode the keys", the ListObjectsV2 API reference): a client that lists without
# encoding-type=url fails on such a key, as against AWS, instead of working on U+FFFD in its place.
# (Surrogates cannot be written as UTF-8 at all and still become U+FFFD.)
_S3_TEXT_SPECIAL = re.compile("[&<>\r\ud800-\udfff\ufffe\uffff]")
# Attribute values also normalise tabs and newlines, and are quoted with `"`.
_ATTR_SPECIAL = re.compile('[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\r": "&#13;",
    "\n": "&#10;",
    "\t": "&#9;",
}


# The ASCII characters among them, for needs_entity's byte-level check.
_ASCII_SPECIAL = bytes(c for c in range(128) if _TEXT_SPECIAL.match(chr(c)))
_S3_ASCII_SPECIAL = bytes(c for c in range(128) if _S3_TEXT_SPECIAL.match(chr(c)))


def needs_entity(text: str, special: re.Pattern[str] = _TEXT_SPECIAL, ascii_special: bytes = _ASCII_SPECIAL) -> bool:
    """Whether any character of `text` needs an entity in element text. For a long ASCII text
    (a listing page's keys joined) deleting the special bytes in C is several times faster than
    the regex, which walks the text character by character."""
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, ascii_special)) != len(data)
    return special.search(text) is not None


def s3_needs_entity(text: str) -> bool:
    """`needs_entity` for S3's listings (`_S3_TEXT_SPECIAL`)."""
    return needs_entity(text, _S3_TEXT_SPECIAL, _S3_ASCII_SPECIAL)


def _entity(match: re.Match[str]) -> str:
    return _ENTITIES.get(match.group(), "\ufffd")


def escape_text(text: str) -> str:
    """`text` safe as XML element content; the common case (nothing to escape) costs one regex scan."""
    if _TEXT_SPECIAL.search(text) is None:
        return text
    return _TEXT_SPECIAL.sub(_entity, text)


def escape_attr(text: str) -> str:
    if _ATTR_SPECIAL.search(text) is None:
        return text
    return _ATTR_SPECIAL.sub(_entity, text)


def _text(value: Any) -> str:
    return escape_text(value if isinstance(value, str) else str(value))


def namespace_attr(namespace: Mapping[str, str] | None) -> str:
    """` xmlns="uri"` or ` xmlns:prefix="uri"` for an xmlNamespace trait (empty if none)."""
    if not namespace or not namespace.get("uri"):
        return ""
    prefix = namespace.get("prefix")
    name = f"xmlns:{prefix}" if prefix else "xmlns"
    return f' {name}="{escape_attr(namespace["uri"])}"'


def generic_element(name: str, value: Any, out: list[str]) -> None:
    """An element for a value no shape describes (unmodeled error fields): nested dicts, lists as `<member>`s."""
    if value is None:
        return
    if isinstance(value, dict):
        out.append(f"<{name}>")
        for key, item in value.items():
            generic_element(str(key), item, out)
        out.append(f"</{name}>")
    elif isinstance(value, (list, tuple)):
        out.append(f"<{name}>")
        for item in value:
            generic_element("member", item, out)
        out.append(f"</{name}>")
    elif isinstance(value, bool):
        out.append(f"<{name}>{bool_text(value)}</{name}>")
    elif isinstance(value, (bytes, bytearray)):
        out.append(f"<{name}>{base64_text(bytes(value))}</{name}>")
    elif hasattr(value, "isoformat"):
        out.append(f"<{name}>{format_timestamp(value, 'iso8601')}</{name}>")
    else:
        out.append(f"<{name}>{_text(value)}</{name}>")


def service_namespace(model: ServiceModel) -> str:
    """The XML namespace of a service's documents.

    Query models name it in their metadata; rest-xml models (S3, Route 53,
    CloudFront) only on their input payloads, so look there next.
    """
    declared = model.metadata.get("xmlNamespace")
    if isinstance(declared, Mapping):
        declared = declared.get("uri")
    if declared:
        return str(declared)
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        if shape is None:
            continue
        for candidate in (shape, *shape.members.values()):
            namespace = candidate.serialization.get("xmlNamespace")
            if isinstance(namespace, Mapping) and namespace.get("uri") and not namespace.get("prefix"):
                return str(namespace["uri"])
    return ""


class XmlPlanner:
    """Builds and caches element writers for the shapes of one service.

    `list_item_name` is the default element of a non-flattened list item
    (`member`; ec2 says `item`); `always_millis` picks the ISO-8601 spelling of
    timestamps. `overrides` maps (structure shape name, member name) to traits
    that replace the model's for that member — the hook for services whose
    botocore model lost the names their older protocol put on the wire (SQS).
    Map key and value element names can be overridden with the pseudo-traits
    `keyName` and `valueName`. `member_writers` maps (structure shape name,
    member name) to a function that takes the generic writer of that member and
    returns the one to use instead (S3's listing entries, `s3_listing.py`).
    `member_order` maps a structure shape name to the members its element starts
    with, where the service's wire order is not the model's (S3's listings).
    """

    def __init__(
        self,
        *,
        list_item_name: str = "member",
        always_millis: bool = False,
        overrides: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
        member_writers: Mapping[tuple[str, str], Callable[[Writer], Writer]] | None = None,
        member_order: Mapping[str, tuple[str, ...]] | None = None,
        raw_controls: bool = False,
    ) -> None:
        self._list_item_name = list_item_name
        self._special = _S3_TEXT_SPECIAL if raw_controls else _TEXT_SPECIAL  # S3's keys: see above
        self._member_order = member_order or {}
        self._always_millis = always_millis
        self._overrides = overrides or {}
        self._member_writers_by_name = member_writers or {}
        self._writers: PlanCache[Writer] = PlanCache(_writer_trampoline)
        self._contents: dict[str, Writer] = {}

    # -- public -----------------------------------------------------------------

    def element(self, shape: Shape, name: str, traits: Mapping[str, Any] | None = None) -> Writer:
        """The writer of `shape` as element(s) named `name` (flattened lists/maps repeat it)."""
        traits = shape.serialization if traits is None else traits
        key = (shape.name, shape.type_name, name, _freeze(traits))
        return self._writers.get(key, lambda: self._build(shape, name, traits))

    def member_name(self, shape: Shape, member: str) -> tuple[str, Mapping[str, Any]]:
        """The element name and effective traits of `member` of structure `shape`."""
        member_shape = shape.members[member]
        traits: Mapping[str, Any] = member_shape.serialization
        override = self._overrides.get((shape.name, member))
        if override:
            traits = {**traits, **override}
        name = traits.get("name", member)
        if member_shape.type_name == "list" and traits.get("flattened"):
            name = member_shape.member.serialization.get("name", name)
        return name, traits

    def contents(self, shape: Shape) -> Writer:
        """The writer of a structure's member elements alone, without its own element (ec2's root)."""
        writer = self._contents.get(shape.name)
        if writer is None:
            members = self._member_writers(shape)

            def writer(value: Any, out: list[str]) -> None:
                for key, write in members:
                    item = value.get(key)
                    if item is not None:
                        write(item, out)

            self._contents[shape.name] = writer
        return writer

    def error_fields(self, shape: Shape | None, fields: Mapping[str, Any], out: list[str]) -> None:
        """Extra members of an error document: typed by the error shape where it has them."""
        for key, value in fields.items():
            if shape is not None and key in shape.members:
                name, traits = self.member_name(shape, key)
                self.element(shape.members[key], name, traits)(value, out)
            else:
                generic_element(key, value, out)

    # -- building -----------------------------------------------------------------

    def _build(self, shape: Shape, name: str, traits: Mapping[str, Any]) -> Writer:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, name, traits)
        if kind == "list":
            return self._list(shape, name, traits)
        if kind == "map":
            return self._map(shape, name, traits)
        return self._scalar(shape, name, traits)

    def _member_writers(self, shape: Shape) -> list[tuple[str, Writer]]:
        writers = []
        members = list(shape.members.items())
        order = self._member_order.get(shape.name)
        if order:  # the members named come first, in that order; the rest keep the model's
            members.sort(key=lambda item: order.index(item[0]) if item[0] in order else len(order))
        for member, member_shape in members:
            if member_shape.serialization.get("location") in NON_BODY_LOCATIONS:
                continue
            if member_shape.serialization.get("xmlAttribute"):
                continue
            name, traits = self.member_name(shape, member)
            write = self.element(member_shape, name, traits)
            custom = self._member_writers_by_name.get((shape.name, member))
            writers.append((member, write if custom is None else custom(write)))
        return writers

    def _structure(self, shape: Shape, name: str, traits: Mapping[str, Any]) -> Writer:
        head = f"<{name}{namespace_attr(traits.get('xmlNamespace'))}"
        open_tag, close_tag = head + ">", f"</{name}>"
        # Recursive members get element()'s trampoline, so building them first is safe.
        members = tuple(self._member_writers(shape))
        attributes = [
            (member, member_shape.serialization.get("name", member), self._attribute_text(member_shape))
            for member, member_shape in shape.members.items()
            if member_shape.serialization.get("xmlAttribute")
        ]

        def write(value: Any, out: list[str]) -> None:
            out.append(open_tag)
            for key, write_member in members:
                item = value.get(key)
                if item is not None:
                    write_member(item, out)
            out.append(close_tag)

        if not attributes:
            return write

        def write_with_attributes(value: Any, out: list[str]) -> None:
            parts = [head]
            for key, attr, fmt in attributes:
                item = value.get(key)
                if item is not None:
                    parts.append(f' {attr}="{escape_attr(fmt(item))}"')
            parts.append(">")
            out.append("".join(parts))
            for key, write_member in members:
                item = value.get(key)
                if item is not None:
                    write_member(item, out)
            out.append(close_tag)

        return write_with_attributes

    def _list(self, shape: Shape, name: str, traits: Mapping[str, Any]) -> Writer:
        item_shape = shape.member
        if traits.get("flattened"):
            write_item = self.element(item_shape, name)

            def write_flat(value: Any, out: list[str]) -> None:
                for item in value:
                    if item is not None:
                        write_item(item, out)

            return write_flat
        item_name = item_shape.serialization.get("name", self._list_item_name)
        write_item = self.element(item_shape, item_name)
        open_tag = f"<{name}{namespace_attr(traits.get('xmlNamespace'))}>"
        close_tag = f"</{name}>"

        def write_wrapped(value: Any, out: list[str]) -> None:
            out.append(open_tag)
            for item in value:
                if item is not None:
                    write_item(item, out)
            out.append(close_tag)

        return write_wrapped

    def _map(self, shape: Shape, name: str, traits: Mapping[str, Any]) -> Writer:
        key_name = traits.get("keyName") or shape.key.serialization.get("name", "key")
        value_name = traits.get("valueName") or shape.value.serialization.get("name", "value")
        write_key = self.element(shape.key, key_name)
        write_value = self.element(shape.value, value_name)
        flattened = bool(traits.get("flattened"))
        entry_open, entry_close = (
            ("<" + name + ">", "</" + name + ">") if flattened else ("<entry>", "</entry>")
        )
        open_tag = f"<{name}{namespace_attr(traits.get('xmlNamespace'))}>"
        close_tag = f"</{name}>"

        def write(value: Any, out: list[str]) -> None:
            if not flattened:
                out.append(open_tag)
            for key, item in value.items():
                if item is None:
                    continue
                out.append(entry_open)
                write_key(key, out)
                write_value(item, out)
                out.append(entry_close)
            if not flattened:
                out.append(close_tag)

        return write

    def _scalar(self, shape: Shape, name: str, traits: Mapping[str, Any]) -> Writer:
        open_tag = f"<{name}{namespace_attr(traits.get('xmlNamespace'))}>"
        close_tag = f"</{name}>"
        fmt = self._text_formatter(shape, traits)
        # Strings and integers fill most responses; their writers skip a call level.
        if fmt is _text:
            special = self._special

            def write_string(value: Any, out: list[str]) -> None:
                if value.__class__ is not str:
                    value = str(value)
                if special.search(value) is not None:
                    value = special.sub(_entity, value)
                out.append(open_tag + value + close_tag)

            return write_string
        if fmt is int_text:

            def write_int(value: Any, out: list[str]) -> None:
                out.append(open_tag + (str(value) if value.__class__ is int else int_text(value)) + close_tag)

            return write_int

        def write(value: Any, out: list[str]) -> None:
            out.append(open_tag + fmt(value) + close_tag)

        return write

    def _text_formatter(self, shape: Shape, traits: Mapping[str, Any]) -> Callable[[Any], str]:
        kind = shape.type_name
        if kind in ("integer", "long", "short", "byte"):
            return int_text
        if kind in ("float", "double"):
            return float_text
        if kind == "boolean":
            return bool_text
        if kind == "blob":
            return base64_text
        if kind == "timestamp":
            fmt = traits.get("timestampFormat", "iso8601").lower()
            if fmt == "iso8601":
                return iso8601_millis if self._always_millis else iso8601_plain
            return lambda value: str(format_timestamp(value, fmt))
        return _text

    def _attribute_text(self, shape: Shape) -> Callable[[Any], str]:
        fmt = self._text_formatter(shape, shape.serialization)
        if fmt is _text:
            return str
        return fmt


def _writer_trampoline(resolve: Callable[[], Writer]) -> Writer:
    return lambda value, out: resolve()(value, out)


def _freeze(traits: Mapping[str, Any]) -> tuple[Any, ...]:
    """A hashable summary of the traits that change how a shape is written."""
    return tuple(
        (key, repr(traits[key]))
        for key in ("flattened", "xmlNamespace", "timestampFormat", "keyName", "valueName")
        if key in traits
    )
