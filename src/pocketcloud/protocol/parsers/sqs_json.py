"""SQS called over the json protocol: JSON numbers accepted as attribute values.

SQS's model types queue attribute values, tag values and a message
attribute's StringValue as strings, yet SQS takes a JSON number there and
uses its text (`"Attributes": {"VisibilityTimeout": 30}`, `"StringValue": 42`),
and clients written against that (hand-rolled JSON, SDKs of dynamic languages
that serialize what they are given) send numbers. The generic reader would
refuse them with SerializationException, so SQS's parser reads a number in
those places as the text it was written with ("1.50" stays "1.50").
Everywhere else the model's types hold as before (`"QueueUrl": 5`, a string
for MaxNumberOfMessages, booleans: SerializationException).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pocketcloud.protocol.errors import MalformedRequest
from pocketcloud.protocol.parsers.json import JsonBodyReader, JsonParser

if TYPE_CHECKING:
    from botocore.model import Shape


class _Decimal(float):
    """A JSON number with a fraction or exponent, remembering its literal text."""

    __slots__ = ("text",)
    text: str


def _parse_float(text: str) -> _Decimal:
    number = _Decimal(text)
    number.text = text
    return number


_NUMBERS = (int, _Decimal)  # exact types: bool (an int subclass) stays refused
# Structures whose StringValue may come as a number.
_ATTRIBUTE_VALUES = frozenset({"MessageAttributeValue", "MessageSystemAttributeValue"})


# Built once: json.loads with parse_float makes a new decoder on every call.
_DECODER = json.JSONDecoder(parse_float=_parse_float)


def _text(value: Any) -> Any:
    if type(value) in _NUMBERS:
        return value.text if type(value) is _Decimal else str(value)
    return value


class SqsJsonBodyReader(JsonBodyReader):
    def decode(self, body: bytes) -> Any:
        if not body.strip():
            return {}
        try:
            return _DECODER.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise MalformedRequest(self.error_code, "The request body is not valid JSON.") from exc

    def adapt(self, shape: Shape) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
        if shape.type_name == "map" and shape.value.type_name == "string":
            return _texts
        if shape.type_name == "structure" and shape.name in _ATTRIBUTE_VALUES:
            return _string_value_text
        return None


def _texts(data: dict[str, Any]) -> dict[str, Any]:
    return {key: _text(item) for key, item in data.items()}


def _string_value_text(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "StringValue": _text(data["StringValue"])} if "StringValue" in data else data


class SqsJsonParser(JsonParser):
    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.reader = SqsJsonBodyReader()
