"""JSON encoding of shapes, and responses of the `json` protocol (SQS, Logs, Step Functions, ...).

`JsonPlanner` compiles a shape into a *converter*: a function from the
provider's value to what `json.dumps` should write (members renamed to their
locationName, None and unknown keys dropped, timestamps as epoch seconds
unless timestampFormat says otherwise, blobs as base64), or None where the
value can be written as it is. rest-json reuses it for its bodies.

json protocol documents::

    200  Content-Type: application/x-amz-json-{jsonVersion}   {...output...}
    4xx  {"__type": "Code", "message": "...", ...fields}

Services marked awsQueryCompatible (SQS) also send
`x-amzn-query-error: {query code};Sender|Receiver`, from which SDKs recover
the code the service had under the query protocol.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import orjson

from pocketcloud.gateway.http import Response
from pocketcloud.protocol import eventstream
from pocketcloud.protocol.errors import ServiceError

from .base import NON_BODY_LOCATIONS, ResponseSerializer
from .plans import PlanCache
from .scalars import base64_text, epoch_seconds, format_timestamp, json_float

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

Converter = Callable[[Any], Any]


def _encoder() -> Callable[[Any], str]:
    # The C encoder, made once: json.dumps builds a new one per call, which
    # costs more than encoding a typical response. No circular-reference
    # markers: provider output is a tree.
    fallback = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_loose).encode
    make = getattr(json.encoder, "c_make_encoder", None)
    try:
        encode = make(None, _loose, json.encoder.encode_basestring, None, ":", ",", False, False, True)  # type: ignore[misc]
    except TypeError:  # pragma: no cover - no C encoder, or another signature
        return fallback
    return lambda document: "".join(encode(document, 0))


def dumps(document: Any) -> bytes:
    """Compact UTF-8 JSON; a lone surrogate (never valid text) becomes `?` rather than an exception.

    orjson writes it, several times faster; the json encoder takes what orjson refuses (a lone
    surrogate, an integer beyond 64 bits). Datetimes go to `_loose` either way (epoch seconds)."""
    try:
        return orjson.dumps(document, default=_loose, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return _encode(document).encode("utf-8", "replace")


def _loose(value: Any) -> Any:
    """JSON for values no shape describes (unmodeled error fields)."""
    if isinstance(value, (bytes, bytearray)):
        return base64_text(bytes(value))
    if hasattr(value, "isoformat"):
        return epoch_seconds(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


_encode = _encoder()
# Datetimes, dataclasses and the like through _loose, as the json encoder sends them; keys as json writes them.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


def _converter_trampoline(resolve: Callable[[], Converter | None]) -> Converter:
    def trampoline(value: Any) -> Any:
        convert = resolve()
        return value if convert is None else convert(value)

    return trampoline


class JsonPlanner:
    """Builds and caches converters for the shapes of one service."""

    def __init__(self) -> None:
        self._converters: PlanCache[Converter | None] = PlanCache(_converter_trampoline)

    def converter(self, shape: Shape, traits: Mapping[str, Any] | None = None) -> Converter | None:
        """The converter for `shape`, or None when its values need no conversion."""
        traits = shape.serialization if traits is None else traits
        key = (shape.name, repr(traits.get("timestampFormat")))
        return self._converters.get(key, lambda: self._build(shape, traits))

    def body(self, shape: Shape) -> Converter:
        """The converter of a structure into a JSON object (never None: members must be filtered)."""
        convert = self.converter(shape)
        assert convert is not None
        return convert

    def _build(self, shape: Shape, traits: Mapping[str, Any]) -> Converter | None:
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return None
            return self._structure(shape)
        if kind == "list":
            return self._list(shape)
        if kind == "map":
            return self._map(shape)
        if kind == "timestamp":
            fmt = traits.get("timestampFormat")
            if fmt is None or fmt.lower() == "unixtimestamp":
                return epoch_seconds
            return lambda value: format_timestamp(value, fmt)
        if kind == "blob":
            return base64_text
        if kind in ("float", "double"):
            return json_float
        return None

    def _structure(self, shape: Shape) -> Converter:
        members: list[tuple[str, str, Converter | None]] = []

        def convert(value: Any) -> Any:
            document = {}
            for key, name, convert_member in members:
                item = value.get(key)
                if item is not None:
                    document[name] = item if convert_member is None else convert_member(item)
            return document

        for member, member_shape in shape.members.items():
            traits = member_shape.serialization
            if traits.get("location") in NON_BODY_LOCATIONS:
                continue
            members.append((member, traits.get("name", member), self.converter(member_shape)))
        return convert

    def _list(self, shape: Shape) -> Converter | None:
        convert_item = self.converter(shape.member)
        if convert_item is None:
            return None
        return lambda value: [None if item is None else convert_item(item) for item in value]

    def _map(self, shape: Shape) -> Converter | None:
        convert_value = self.converter(shape.value)
        if convert_value is None:
            return None
        return lambda value: {
            key: None if item is None else convert_value(item) for key, item in value.items()
        }


class JsonSerializer(ResponseSerializer):
    protocol = "json"

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.json = JsonPlanner()
        self.content_type = eventstream.json_content_type(self.model.metadata.get("jsonVersion", "1.0"))
        self.query_compatible = "awsQueryCompatible" in self.model.metadata

    def serialize(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> Response:
        shape = operation.output_shape
        if shape is None:
            body = b"{}"
        elif operation.has_event_stream_output:
            # The provider frames the event stream (protocol/eventstream.py); the output's other
            # members go first, as the initial-response message botocore waits for.
            members = dict(output or {})
            stream = members.pop(shape.event_stream_name, b"")
            first = eventstream.initial_response(dumps(self.json.body(shape)(members)), self.content_type)
            headers = [("Content-Type", eventstream.CONTENT_TYPE), ("x-amzn-RequestId", request_id)]
            return Response(200, headers, eventstream.AfterInitialResponse(first, stream))
        else:
            body = dumps(self.json.body(shape)(output or {}))
        return Response(200, [("Content-Type", self.content_type), ("x-amzn-RequestId", request_id)], body)

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> Response:
        status = self.error_status(error)
        headers = [("Content-Type", self.content_type), ("x-amzn-RequestId", request_id)]
        if self.query_compatible:
            fault = "Sender" if self.is_sender_fault(error, status) else "Receiver"
            headers.append(("x-amzn-query-error", f"{self.query_error_code(error)};{fault}"))
        headers.extend(self.extra_headers(error))
        document = error_document(
            self.json, self.error_shape(error), error, lambda shape: self.error_message_key(error, shape)
        )
        document["__type"] = self.json_error_type(error)
        return Response(status, headers, dumps(document))

    def error_message_key(self, error: ServiceError, shape: Shape | None) -> str:
        """The member an error's message travels in (hook for a service that spells it per error)."""
        return self.message_key(shape)

    def json_error_type(self, error: ServiceError) -> str:
        """What `__type` says: the JSON code, with the namespace a service writes before it (if any)."""
        return self.json_error_code(error)

    def query_error_code(self, error: ServiceError) -> str:
        """The code this error had under the query protocol (the shape's `error.code` trait)."""
        return self.xml_error_code(error)


def error_document(
    planner: JsonPlanner,
    shape: Shape | None,
    error: ServiceError,
    message_key: Callable[[Shape | None], str],
    fields: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON body of an error: its message and extra fields, typed by the error shape where it has them."""
    document: dict[str, Any] = {}
    if error.message:
        document[message_key(shape)] = error.message
    extra = ResponseSerializer.extra_fields(error) if fields is None else fields
    for key, value in extra.items():
        member = shape.members.get(key) if shape is not None else None
        if member is None:
            document[key] = value
            continue
        convert = planner.converter(member)
        document[member.serialization.get("name", key)] = value if convert is None else convert(value)
    return document
