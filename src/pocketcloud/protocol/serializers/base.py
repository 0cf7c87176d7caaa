"""The serializer interface, and what every protocol does alike with errors.

A `ResponseSerializer` belongs to one (service, protocol) pair and turns a
provider's output dict, or a `ServiceError`, into the `Response` that
protocol puts on the wire. Subclasses supply the encoding; this module
supplies the answers that do not depend on it: the HTTP status of an error,
its code on the wire, which error shape (if any) describes its fields, and
how any text is made safe to send as a header value.
"""

from __future__ import annotations

import re
from base64 import b64encode
from typing import TYPE_CHECKING, Any

from pocketcloud.gateway.http import Response
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import error_shapes, error_status, service_model

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape

# Members in these locations travel outside the body (rest protocols).
NON_BODY_LOCATIONS = frozenset({"header", "headers", "statusCode", "querystring", "uri"})

# Bytes a header value cannot carry (h11 and httptools reject them); CR/LF
# would also let a value forge further headers.
_HEADER_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def header_text(text: str) -> str:
    """`text` safe as a header value: control characters become spaces, and a
    non-ASCII value is RFC 2047 encoded (`=?UTF-8?B?...?=`), as S3 does for metadata."""
    if not text.isascii():
        return "=?UTF-8?B?" + b64encode(text.encode("utf-8", "replace")).decode("ascii") + "?="
    if _HEADER_UNSAFE.search(text) is not None:
        return _HEADER_UNSAFE.sub(" ", text)
    return text


class ResponseSerializer:
    """Serializes outputs and errors of one service in one protocol.

    Instances are shared by all requests (see `create_serializer`) and cache
    per-shape plans, so they hold no per-request state.
    """

    protocol: str = ""

    def __init__(self, service: str) -> None:
        self.service = service
        self.model: ServiceModel = service_model(service)

    def serialize(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> Response:
        """The success response for `operation` carrying `output` (None or {} for no output)."""
        raise NotImplementedError

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> Response:
        """The error response for `error`; `operation` is None when the request named none we know."""
        raise NotImplementedError

    # -- shared error semantics ------------------------------------------------

    def error_shape(self, error: ServiceError) -> Shape | None:
        """The model's shape for `error`, found by its wire code or its shape name."""
        return error_shapes(self.service).get(error.code)

    def error_status(self, error: ServiceError) -> int:
        """error.status, else the status the model gives the code, else 400."""
        if error.status:
            return int(error.status)
        return error_status(self.service, error.code) or self.fallback_error_status(error) or 400

    def fallback_error_status(self, error: ServiceError) -> int | None:
        """A status for codes the model does not know (hook for service quirks)."""
        return None

    def xml_error_code(self, error: ServiceError) -> str:
        """The code XML protocols send: the shape's `error.code` trait (e.g. IAM's
        NoSuchEntityException travels as NoSuchEntity), else the code as raised."""
        shape = self.error_shape(error)
        if shape is not None:
            return str(shape.metadata.get("error", {}).get("code") or shape.name)
        return error.code

    def json_error_code(self, error: ServiceError) -> str:
        """The code JSON protocols send: the error shape's name, else the code as raised."""
        shape = self.error_shape(error)
        return shape.name if shape is not None else error.code

    def is_sender_fault(self, error: ServiceError, status: int) -> bool:
        return bool(error.sender_fault) and status < 500

    def message_key(self, shape: Shape | None) -> str:
        """`message` as AWS mostly spells it, or `Message` where the error shape says so (Lambda, SES)."""
        if shape is not None and "message" not in shape.members and "Message" in shape.members:
            return "Message"
        return "message"

    @staticmethod
    def extra_headers(error: ServiceError) -> list[tuple[str, str]]:
        """error.headers, made safe to send."""
        return [(name, header_text(str(value))) for name, value in error.headers.items()]

    @staticmethod
    def extra_fields(error: ServiceError) -> dict[str, Any]:
        """error.fields without the members every error document already carries."""
        return {
            key: value
            for key, value in error.fields.items()
            if value is not None and key not in ("message", "Message", "Code", "code")
        }
