"""XML request bodies (rest-xml) read against a shape, namespaces ignored as AWS does.

A body is validated against the shape as S3 validates it against its schema: an element the shape
does not define (`<Abc>` in a TagSet, a `<Tags>` wrapper around a lifecycle filter's flattened tags)
is MalformedXML, "... did not validate against our published schema", as S3 answered in
ceph/ceph#23486 and aws/aws-sdk-cpp#1848, not dropped in silence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from pocketcloud.protocol.errors import MalformedRequest
from pocketcloud.protocol.values import INTEGER_BOUNDS, BadValue, scalar_from_text

if TYPE_CHECKING:
    from botocore.model import Shape


MALFORMED_XML = "The XML you provided was not well-formed or did not validate against our published schema"


def local_name(tag: str) -> str:
    """An element's or attribute's name without its namespace (`{ns}Tag` → `Tag`)."""
    return tag.rpartition("}")[2] if tag.startswith("{") else tag


class XmlBodyReader:
    def __init__(self, error_code: str = "MalformedXML") -> None:
        self.error_code = error_code

    def malformed(self) -> MalformedRequest:
        return MalformedRequest(self.error_code, MALFORMED_XML)

    def decode(self, body: bytes) -> ElementTree.Element | None:
        if not body.strip():
            return None
        if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
            raise self.malformed()  # no DTDs: nothing AWS accepts needs one
        try:
            return ElementTree.fromstring(body)
        except (ElementTree.ParseError, LookupError, ValueError) as exc:
            # LookupError: an XML declaration naming an encoding Python does not know.
            raise self.malformed() from exc

    def value(self, elem: ElementTree.Element, shape: Shape) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(elem, shape)
        if kind == "list":
            name = shape.member.serialization.get("name", "member")
            if any(local_name(child.tag) != name for child in elem):
                raise self.malformed()
            return [self.value(child, shape.member) for child in elem]
        if kind == "map":
            return self._map_entries([c for c in elem if local_name(c.tag) == "entry"], shape)
        text = elem.text or ""
        try:
            value = scalar_from_text(kind, text)
        except BadValue as exc:
            raise self.malformed() from exc
        bounds = INTEGER_BOUNDS.get(kind)
        if bounds is not None and not bounds[0] <= value <= bounds[1]:  # type: ignore[operator]
            raise self.malformed()  # a number its schema type cannot hold does not validate against it
        return value

    def structure(self, elem: ElementTree.Element, shape: Shape) -> dict[str, Any]:
        children: dict[str, list[ElementTree.Element]] = {}
        for child in elem:
            children.setdefault(local_name(child.tag), []).append(child)
        if not children.keys() <= _element_names(shape):
            raise self.malformed()
        attributes = {local_name(k): v for k, v in elem.attrib.items()}
        result: dict[str, Any] = {}
        for member, member_shape in shape.members.items():
            serialization = member_shape.serialization
            name = serialization.get("name", member)
            if serialization.get("xmlAttribute"):
                local = name.rpartition(":")[2]
                if local in attributes:
                    result[member] = attributes[local]
                continue
            found = children.get(name)
            if not found:
                continue
            if member_shape.type_name == "list" and serialization.get("flattened"):
                result[member] = [self.value(c, member_shape.member) for c in found]
            elif member_shape.type_name == "map" and serialization.get("flattened"):
                result[member] = self._map_entries(found, member_shape)
            else:
                result[member] = self.value(found[0], member_shape)
        return result

    def _map_entries(self, entries: list[ElementTree.Element], shape: Shape) -> dict[str, Any]:
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        result: dict[str, Any] = {}
        for entry in entries:
            key_elem = value_elem = None
            for child in entry:
                local = local_name(child.tag)
                if local == key_name:
                    key_elem = child
                elif local == value_name:
                    value_elem = child
            if key_elem is not None:
                key = self.value(key_elem, shape.key)
                result[key] = self.value(value_elem, shape.value) if value_elem is not None else None
        return result


_names: dict[Shape, frozenset[str]] = {}  # by the shape itself: the models' shapes live as long as the server


def _element_names(shape: Shape) -> frozenset[str]:
    """The child elements a structure's XML may hold (its members' names on the wire)."""
    names = _names.get(shape)
    if names is None:
        names = _names[shape] = frozenset(
            member_shape.serialization.get("name", member)
            for member, member_shape in shape.members.items()
            if not member_shape.serialization.get("xmlAttribute")
        )
    return names
