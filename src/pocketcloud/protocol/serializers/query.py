"""Responses of the `query` protocol (STS, IAM, SNS, RDS, ...) and its `ec2` dialect.


query::

    <{Op}Response xmlns="{namespace}">
      <{resultWrapper}>...output members...</{resultWrapper}>
      <ResponseMetadata><RequestId>{id}</RequestId></ResponseMetadata>
    </{Op}Response>

    <ErrorResponse xmlns="{namespace}">
      <Error><Type>Sender|Receiver</Type><Code/><Message/>...fields...</Error>
      <RequestId>{id}</RequestId>
    </ErrorResponse>

ec2 puts the output members straight under the root after a lower-case
`<requestId>`, wraps list items in `<item>`, and reports errors as
`<Response><Errors><Error>...</Error></Errors><RequestID/></Response>`.

Element names follow botocore's parsers: a member's locationName, else its
name exactly as the model spells it. (EC2's documentation shows lowerCamel
names, and nearly every EC2 output member carries one as its locationName;
for the few that do not, botocore — and so boto3 and the CLI — read the
member name verbatim, so that is what we send.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pocketcloud.gateway.http import Response
from pocketcloud.protocol.errors import ServiceError

from .base import ResponseSerializer
from .xml import Writer, XmlPlanner, escape_text, service_namespace

if TYPE_CHECKING:
    from botocore.model import OperationModel

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


class QuerySerializer(ResponseSerializer):
    protocol = "query"
    content_type = "text/xml"
    list_item_name = "member"
    always_millis = False  # IAM and STS send `2024-01-01T00:00:00Z`
    # (structure shape, member) → traits replacing the model's; see XmlPlanner.
    xml_overrides: Mapping[tuple[str, str], Mapping[str, Any]] = {}
    # Services whose model does not declare the namespace their documents use.
    default_namespace = ""
    # The JSON rendering (query_json.py), where a service's JSON departs from its model:
    # (structure shape, member) → the member's name; (structure, map member)s written as lists of
    # {"Name", "Value"} entries; structure shape → members the JSON carries (as null) beyond the model.
    json_member_names: Mapping[tuple[str, str], str] = {}
    json_entry_lists: frozenset[tuple[str, str]] = frozenset()
    json_extra_members: Mapping[str, tuple[str, ...]] = {}

    def __init__(self, service: str) -> None:
        super().__init__(service)
        namespace = service_namespace(self.model) or self.default_namespace
        # The models drop the trailing slash AWS puts on some namespaces (EC2).
        if namespace and not namespace.endswith("/"):
            namespace += "/"
        self.namespace = namespace
        self.xmlns = f' xmlns="{namespace}"' if namespace else ""
        self.xml = XmlPlanner(
            list_item_name=self.list_item_name,
            always_millis=self.always_millis,
            overrides=self.xml_overrides,
        )
        self._operations: dict[str, tuple[str, Writer | None]] = {}

    def serialize(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> Response:
        root, write = self._plan(operation)
        out = [f"<{root}{self.xmlns}>"]
        if write is not None:
            write(output or {}, out)
        out.append(
            f"<ResponseMetadata><RequestId>{escape_text(request_id)}</RequestId></ResponseMetadata></{root}>"
        )
        return Response(
            200,
            [("Content-Type", self.content_type), ("x-amzn-RequestId", request_id)],
            "".join(out).encode("utf-8", "replace"),
        )

    def _plan(self, operation: OperationModel) -> tuple[str, Writer | None]:
        """(root element, writer of the output inside it), worked out once per operation."""
        plan = self._operations.get(operation.name)
        if plan is None:
            plan = self._operations[operation.name] = (f"{operation.name}Response", self._writer(operation))
        return plan

    def _writer(self, operation: OperationModel) -> Writer | None:
        shape = operation.output_shape
        if shape is None:
            return None
        return self.xml.element(shape, result_wrapper(operation), {})

    def front_end_error(self, error: ServiceError) -> Response | None:
        """An error answered with a fixed document whatever the rendering asked for (hook for services
        whose front end answers some requests before the service reads them), else None."""
        return None

    def error_parts(self, error: ServiceError) -> tuple[int, str, dict[str, Any]]:
        """An error's status, its fault ("Sender" or "Receiver") and its fields beside Code and Message
        (without Type, which the fault says): what every rendering of a query error writes."""
        status = self.error_status(error)
        kind = "Sender" if self.is_sender_fault(error, status) else "Receiver"
        fields = self.extra_fields(error)
        fields.pop("Type", None)
        return status, kind, fields

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> Response:
        status, kind, fields = self.error_parts(error)
        out = [
            f"<ErrorResponse{self.xmlns}><Error><Type>{kind}</Type>",
            f"<Code>{escape_text(self.xml_error_code(error))}</Code>",
        ]
        if error.message:  # an error with nothing to say has no <Message> (IAM's ReportNotPresent)
            out.append(f"<Message>{escape_text(error.message)}</Message>")
        self.xml.error_fields(self.error_shape(error), fields, out)
        out.append(f"</Error><RequestId>{escape_text(request_id)}</RequestId></ErrorResponse>")
        headers = [("Content-Type", self.content_type), ("x-amzn-RequestId", request_id)]
        headers.extend(self.extra_headers(error))
        return Response(status, headers, "".join(out).encode("utf-8", "replace"))


def result_wrapper(operation: OperationModel) -> str:
    """The element a query answer's output goes in: the model's resultWrapper, or `<Op>Result` (SQS's
    model is json, but its query answers wrap the output like every other service's)."""
    wrapper: str = operation.output_shape.serialization.get("resultWrapper") or f"{operation.name}Result"
    return wrapper


class Ec2Serializer(QuerySerializer):
    protocol = "ec2"
    content_type = "text/xml;charset=UTF-8"
    list_item_name = "item"
    always_millis = True  # EC2 sends `2024-01-01T00:00:00.000Z`

    def _writer(self, operation: OperationModel) -> Writer | None:
        shape = operation.output_shape
        return self.xml.contents(shape) if shape is not None else None

    def serialize(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> Response:
        root, write = self._plan(operation)
        out = [f"{_XML_DECLARATION}<{root}{self.xmlns}><requestId>{escape_text(request_id)}</requestId>"]
        if write is not None:
            write(output or {}, out)
        out.append(f"</{root}>")
        return Response(200, [("Content-Type", self.content_type)], "".join(out).encode("utf-8", "replace"))

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> Response:
        status = self.error_status(error)
        out = [
            f"{_XML_DECLARATION}<Response><Errors><Error>",
            f"<Code>{escape_text(self.xml_error_code(error))}</Code>",
            f"<Message>{escape_text(error.message)}</Message>",
        ]
        self.xml.error_fields(self.error_shape(error), self.extra_fields(error), out)
        out.append(f"</Error></Errors><RequestID>{escape_text(request_id)}</RequestID></Response>")
        headers = [("Content-Type", self.content_type)]
        headers.extend(self.extra_headers(error))
        return Response(status, headers, "".join(out).encode("utf-8", "replace"))
