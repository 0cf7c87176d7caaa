"""Responses of the rest protocols: rest-json (Lambda, API Gateway, ...) and rest-xml (S3, Route 53, CloudFront).

Both bind output members to the HTTP message the same way, and differ only in
how a body is encoded:

- `location: header` → one header, named by the member's locationName;
  timestamps as HTTP dates unless timestampFormat says otherwise, lists
  comma-joined, jsonvalue strings as base64 of their JSON;
- `location: headers` → one header per map entry, the map's locationName as
  prefix (S3's `x-amz-meta-*`);
- `location: statusCode` → the HTTP status (else the operation's
  `http.responseCode`, else 200);
- the output's `payload` member → the whole body: a structure encoded as the
  body document, a blob or string as the raw bytes (a streaming payload, i.e.
  an async iterable of bytes, passes through untouched, never buffered);
- without a payload, the remaining members form the body document.

HEAD responses and 204/304 carry no body. Content-Length is left to the
server for bytes bodies; a streamed or HEAD response keeps the provider's.
"""

from __future__ import annotations

import json as _json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from pocketcloud.gateway.http import Response
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import BadValue

from .base import NON_BODY_LOCATIONS, ResponseSerializer, header_text
from .json import JsonPlanner, dumps, error_document
from .scalars import base64_text, bool_text, float_text, format_timestamp, int_text, to_bytes
from .xml import XmlPlanner, escape_text, service_namespace

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

Encoder = Callable[[Any], bytes]
HeaderFormatter = Callable[[Any], str]

# How the store writes a datetime (store/codec.py: ISO 8601), as opposed to text kept as sent.
_STORED_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def header_formatter(shape: Shape, traits: Any = None) -> HeaderFormatter:
    """How a member bound to a header is written (before `header_text`)."""
    traits = shape.serialization if traits is None else traits
    kind = shape.type_name
    if kind == "timestamp":
        fmt = traits.get("timestampFormat", "rfc822")

        @lru_cache(maxsize=1024)
        def stored_text(value: str) -> str:
            # Text kept as it was sent, not a stored timestamp (those are ISO 8601): S3's Expires
            # ("tomorrow", "0") is answered verbatim, as S3 answers it.
            if not _STORED_TIMESTAMP.match(value):
                return value
            try:
                return str(format_timestamp(value, fmt, always_millis=True))
            except BadValue:
                return value

        # A stored timestamp is an ISO string, often the same for many objects (S3 keeps seconds):
        # it is parsed and formatted once, not on every response.
        return lambda value: (
            stored_text(value)
            if type(value) is str
            else str(format_timestamp(value, fmt, always_millis=True))
        )
    if kind in ("integer", "long", "short", "byte"):
        return int_text
    if kind in ("float", "double"):
        return float_text
    if kind == "boolean":
        return bool_text
    if kind == "blob":
        return base64_text
    if kind == "list":
        item = header_formatter(shape.member)
        return lambda value: ", ".join(item(entry) for entry in value if entry is not None)
    if kind == "string" and traits.get("jsonvalue"):
        # A str is taken to be JSON text already (a stored policy document).
        return lambda value: base64_text(value if isinstance(value, str) else _json.dumps(value))
    return lambda value: value if isinstance(value, str) else str(value)


@dataclass
class Bindings:
    """How one operation's output maps onto the HTTP response, worked out once."""

    method: str
    status: int
    headers: list[tuple[str, str, HeaderFormatter]] = field(default_factory=list)
    header_maps: list[tuple[str, str]] = field(default_factory=list)
    status_member: str | None = None
    payload: str | None = None
    raw_payload: bool = False
    encode: Encoder | None = None  # the body document, from the payload member or the whole output
    binds_request_id: bool = False  # a member is bound to one of the request-id headers
    raw_content_type: str | None = None  # the Content-Type of a raw payload no member names


class RestSerializer(ResponseSerializer):
    """What rest-json and rest-xml share; subclasses say how to encode documents."""

    document_type = ""
    # Operation → the Content-Type a service gives its raw (blob) payload when no member binds one.
    raw_payload_types: ClassVar[dict[str, str]] = {}

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self._bindings: dict[str, Bindings] = {}

    # -- success -----------------------------------------------------------------

    def serialize(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> Response:
        plan = self._bindings.get(operation.name)
        if plan is None:
            plan = self._bindings[operation.name] = self._bind(operation)
        output = output or {}
        headers: list[tuple[str, str]] = []
        for key, name, fmt in plan.headers:
            value = output.get(key)
            if value is not None:
                text = fmt(value)
                if text or not isinstance(value, list):  # an empty list is no header at all
                    headers.append((name, header_text(text)))
        for key, prefix in plan.header_maps:
            for suffix, value in (output.get(key) or {}).items():
                if value is not None:
                    headers.append(
                        (prefix + suffix, header_text(value if isinstance(value, str) else str(value)))
                    )
        if plan.binds_request_id:
            # Some outputs bind a RequestId member to the very header we would
            # add; send it once (a repeated header reaches clients comma-joined).
            sent = {name.lower() for name, _ in headers}
            headers[:0] = [
                item for item in self.request_id_headers(request_id) if item[0].lower() not in sent
            ]
        else:
            headers[:0] = self.request_id_headers(request_id)
        status = plan.status
        if plan.status_member is not None and output.get(plan.status_member) is not None:
            status = int(output[plan.status_member])

        body: Any = b""
        if plan.method == "HEAD" or status in (204, 304):
            pass
        elif plan.raw_payload:
            assert plan.payload is not None
            value = output.get(plan.payload)
            if value is not None:
                body = value if hasattr(value, "__aiter__") else to_bytes(value)
                if plan.raw_content_type is not None and not any(
                    name.lower() == "content-type" for name, _ in headers
                ):
                    headers.append(("Content-Type", plan.raw_content_type))
        elif plan.encode is not None:
            value = output.get(plan.payload) if plan.payload else output
            if value is not None:
                body = plan.encode(value)
                if not any(name.lower() == "content-type" for name, _ in headers):
                    headers.append(("Content-Type", self.document_type))
        if isinstance(body, bytes) and plan.method != "HEAD":
            # The server measures a bytes body itself; a model-bound length
            # (S3's ContentLength) would only be able to disagree with it.
            headers = [item for item in headers if item[0].lower() != "content-length"]
        return Response(status, headers, body)

    def _bind(self, operation: OperationModel) -> Bindings:
        plan = Bindings(
            method=operation.http.get("method", "POST").upper(),
            status=int(operation.http.get("responseCode", 200)),
        )
        shape = operation.output_shape
        if shape is None:
            return plan
        for member, member_shape in shape.members.items():
            traits = member_shape.serialization
            location = traits.get("location")
            if location == "header":
                plan.headers.append((member, traits.get("name", member), header_formatter(member_shape)))
            elif location == "headers":
                plan.header_maps.append((member, traits.get("name", "")))
            elif location == "statusCode":
                plan.status_member = member
        ours = {name.lower() for name, _ in self.request_id_headers("")}
        plan.binds_request_id = any(name.lower() in ours for _, name, _ in plan.headers)
        payload = shape.serialization.get("payload")
        if payload is not None:
            plan.payload = payload
            payload_shape = shape.members[payload]
            # An event stream payload is framed by the provider (protocol/eventstream.py): bytes or an
            # async iterable of them, passed through like a streaming blob.
            eventstream = payload_shape.serialization.get("eventstream")
            if payload_shape.type_name in ("blob", "string") or eventstream:
                plan.raw_payload = True
                plan.raw_content_type = self.raw_payload_types.get(operation.name)
            else:
                plan.encode = self.payload_encoder(operation, payload, payload_shape)
        elif any(m.serialization.get("location") not in NON_BODY_LOCATIONS for m in shape.members.values()):
            plan.encode = self.body_encoder(operation, shape)
        return plan

    def body_encoder(self, operation: OperationModel, shape: Shape) -> Encoder:
        """The encoder of the output's body members as one document."""
        raise NotImplementedError

    def payload_encoder(self, operation: OperationModel, member: str, shape: Shape) -> Encoder:
        """The encoder of a structure payload member as the whole body."""
        raise NotImplementedError

    def request_id_headers(self, request_id: str) -> list[tuple[str, str]]:
        return [("x-amzn-RequestId", request_id)]

    # -- errors --------------------------------------------------------------------

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> Response:
        status = self.error_status(error)
        shape = self.error_shape(error)
        headers = self.request_id_headers(request_id)
        fields = self.extra_fields(error)
        if shape is not None:
            # Error members can be bound to headers too (Retry-After on throttling errors).
            for member, member_shape in shape.members.items():
                traits = member_shape.serialization
                if traits.get("location") == "header" and fields.get(member) is not None:
                    value = fields.pop(member)
                    headers.append(
                        (traits.get("name", member), header_text(header_formatter(member_shape)(value)))
                    )
        headers.extend(self.extra_headers(error))
        body = b""
        if operation is None or operation.http.get("method", "").upper() != "HEAD":
            content_type, body = self.error_body(error, shape, fields, status, request_id)
            headers.append(("Content-Type", content_type))
        return Response(status, headers, body)

    def error_body(
        self, error: ServiceError, shape: Shape | None, fields: dict[str, Any], status: int, request_id: str
    ) -> tuple[str, bytes]:
        raise NotImplementedError


class RestJsonSerializer(RestSerializer):
    protocol = "rest-json"
    document_type = "application/json"

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.json = JsonPlanner()

    def body_encoder(self, operation: OperationModel, shape: Shape) -> Encoder:
        convert = self.json.body(shape)
        return lambda value: dumps(convert(value))

    def payload_encoder(self, operation: OperationModel, member: str, shape: Shape) -> Encoder:
        convert = self.json.converter(shape)
        if convert is None:  # a document-type payload is written as it is
            return dumps
        return lambda value: dumps(convert(value))

    def error_body(
        self, error: ServiceError, shape: Shape | None, fields: dict[str, Any], status: int, request_id: str
    ) -> tuple[str, bytes]:
        document = error_document(self.json, shape, error, self.message_key, fields)
        document.setdefault("__type", self.json_error_code(error))
        return self.document_type, dumps(document)

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> Response:
        response = super().serialize_error(error, operation, request_id)
        # SDKs read a rest-json error's code from this header first.
        response.headers.append(("x-amzn-ErrorType", self.json_error_code(error)))
        return response


class LambdaSerializer(RestJsonSerializer):
    """Lambda answers a synchronous Invoke's payload (the function's JSON result) as application/json."""

    raw_payload_types: ClassVar[dict[str, str]] = {"Invoke": "application/json"}


class RestXmlSerializer(RestSerializer):
    protocol = "rest-xml"
    document_type = "application/xml"

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.namespace = service_namespace(self.model)
        self.xml = XmlPlanner(always_millis=True)  # Route 53, CloudFront and S3 all send milliseconds

    def root_element(self, operation: OperationModel, shape: Shape) -> str:
        """The body's root element when there is no payload member (Route 53 names shapes after it)."""
        return shape.name

    def xml_for(self, operation: OperationModel) -> XmlPlanner:
        """The planner that writes `operation`'s body (S3 writes its listings with one of their own)."""
        return self.xml

    def body_encoder(self, operation: OperationModel, shape: Shape) -> Encoder:
        traits = {"xmlNamespace": shape.serialization.get("xmlNamespace") or {"uri": self.namespace}}
        return self._document(
            self.xml_for(operation).element(shape, self.root_element(operation, shape), traits)
        )

    def payload_encoder(self, operation: OperationModel, member: str, shape: Shape) -> Encoder:
        traits = dict(shape.serialization)
        traits.setdefault("xmlNamespace", {"uri": self.namespace})
        return self._document(self.xml_for(operation).element(shape, traits.get("name", member), traits))

    @staticmethod
    def _document(write: Callable[[Any, list[str]], None]) -> Encoder:
        def encode(value: Any) -> bytes:
            out = [XML_DECLARATION]
            write(value, out)
            return "".join(out).encode("utf-8", "replace")

        return encode

    def error_body(
        self, error: ServiceError, shape: Shape | None, fields: dict[str, Any], status: int, request_id: str
    ) -> tuple[str, bytes]:
        kind = "Sender" if self.is_sender_fault(error, status) else "Receiver"
        fields.pop("Type", None)  # the document's own <Type> says it
        xmlns = f' xmlns="{self.namespace}"' if self.namespace else ""
        out = [
            f"{XML_DECLARATION}<ErrorResponse{xmlns}><Error><Type>{kind}</Type>",
            f"<Code>{escape_text(self.xml_error_code(error))}</Code>",
            f"<Message>{escape_text(error.message)}</Message>",
        ]
        self.xml.error_fields(shape, fields, out)
        out.append(f"</Error><RequestId>{escape_text(request_id)}</RequestId></ErrorResponse>")
        return self.document_type, "".join(out).encode("utf-8", "replace")
