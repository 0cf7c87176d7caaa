"""The query protocol's JSON rendering, for a query request that accepts `application/json`.

A query service (STS, IAM, SNS, SQS, Elastic Beanstalk, ...) asked with
`Accept: application/json` answers the same document as its XML, written as
JSON (Content-Type: application/json), as answers recorded from AWS show::

    {"GetCallerIdentityResponse": {"GetCallerIdentityResult": {"Account": "...", ...},
                                   "ResponseMetadata": {"RequestId": "..."}}}

    {"Error": {"Code": "AccessDenied", "Message": "...", "Type": "Sender"}, "RequestId": "..."}

Unlike the XML, the JSON names every member of the output shape by its member
name (never an XML locationName), absent ones as null; lists are arrays, maps
objects, timestamps epoch seconds, blobs base64. A service whose JSON names or
shapes some members otherwise (SQS) says so in its query serializer's `json_*`
tables. The error statuses, codes and Sender/Receiver faults are the query
serializer's own, so this rendering never disagrees with the XML one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pocketcloud.gateway.http import Response
from pocketcloud.protocol.errors import ServiceError

from .base import NON_BODY_LOCATIONS, ResponseSerializer
from .json import JsonPlanner, dumps
from .query import QuerySerializer, result_wrapper

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

Converter = Callable[[Any], Any]

CONTENT_TYPE = "application/json"


def accepts_json(accept: str | None) -> bool:
    """Does an Accept header name `application/json` among its media ranges, and not refuse it with
    a weight of 0 ("not acceptable", RFC 9110 §12.4.2)?"""
    if not accept or "json" not in accept and "json" not in accept.lower():  # media types ignore case
        return False
    for part in accept.split(","):
        media_range, *parameters = part.split(";")
        if media_range.strip().lower() == CONTENT_TYPE:
            return not any(_refuses(parameter) for parameter in parameters)
    return False


def _refuses(parameter: str) -> bool:
    name, _, value = parameter.partition("=")
    if name.strip().lower() != "q":
        return False
    try:
        return float(value.strip()) == 0
    except ValueError:
        return False


def _name_value_entries(value: Any) -> Any:
    return [{"Name": key, "Value": item} for key, item in value.items()]


class QueryJsonPlanner(JsonPlanner):
    """JsonPlanner writing every member of a structure by its member name, absent ones as null."""

    def __init__(
        self,
        names: Mapping[tuple[str, str], str],
        entry_lists: frozenset[tuple[str, str]],
        extra_members: Mapping[str, tuple[str, ...]],
    ) -> None:
        super().__init__()
        self._names = names
        self._entry_lists = entry_lists
        self._extra_members = extra_members

    def _structure(self, shape: Shape) -> Converter:
        members: list[tuple[str, str, Converter | None]] = []
        for member, member_shape in shape.members.items():
            if member_shape.serialization.get("location") in NON_BODY_LOCATIONS:
                continue
            if (shape.name, member) in self._entry_lists:
                convert: Converter | None = _name_value_entries
            else:
                convert = self.converter(member_shape)
            members.append((member, self._names.get((shape.name, member), member), convert))
        extra = self._extra_members.get(shape.name, ())

        def convert_structure(value: Any) -> Any:
            document = {}
            for key, name, convert_member in members:
                item = value.get(key)
                document[name] = item if item is None or convert_member is None else convert_member(item)
            for name in extra:
                document[name] = None
            return document

        return convert_structure


class QueryJsonSerializer(ResponseSerializer):
    protocol = "query"
    content_type = CONTENT_TYPE

    def __init__(self, query: QuerySerializer) -> None:
        super().__init__(query.service)
        self.query = query  # the service's XML serializer: its error codes, statuses and quirks
        self.json = QueryJsonPlanner(query.json_member_names, query.json_entry_lists, query.json_extra_members)

    def serialize(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> Response:
        document: dict[str, Any] = {}
        shape = operation.output_shape
        if shape is not None:
            document[result_wrapper(operation)] = self.json.body(shape)(output or {})
        document["ResponseMetadata"] = {"RequestId": request_id}
        return Response(
            200,
            [("Content-Type", self.content_type), ("x-amzn-RequestId", request_id)],
            dumps({f"{operation.name}Response": document}),
        )

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> Response:
        bare = self.query.front_end_error(error)
        if bare is not None:
            return bare
        status, kind, fields = self.query.error_parts(error)
        body: dict[str, Any] = {"Code": self.query.xml_error_code(error)}
        if error.message:  # as the XML: an error with nothing to say has no Message
            body["Message"] = error.message
        body.update(fields)
        body["Type"] = kind
        headers = [("Content-Type", self.content_type), ("x-amzn-RequestId", request_id)]
        headers.extend(self.extra_headers(error))
        return Response(status, headers, dumps({"Error": body, "RequestId": request_id}))
