"""rest-json and rest-xml: the operation is found from the method, the path and the
query string by matching the models' requestUri templates; members are read
from URI labels, the query string, headers and the body.

Routing is model-driven. Among the operations whose method, path template and
literal query keys (`?uploads`, `?list-type=2`) match, the one that is most
specific wins: more literal query keys, then more of its *required* query and
header members present (S3's UploadPartCopy over UploadPart over PutObject,
which share `PUT /{Bucket}/{Key+}`), then fewer of them missing, then more
literal path; between operations the wire cannot tell apart, the one not
deprecated (S3's PutBucketLifecycleConfiguration over PutBucketLifecycle).

Both are planned once per service: routes are indexed by method and by one of
their literal query keys, so a request is scored only against the few routes
its query could satisfy; and each operation's members are read through a plan
of (member, location, wire name) built the first time the operation is seen.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

from pocketcloud.config import REGION_NAME
from pocketcloud.gateway.http import Request
from pocketcloud.protocol.errors import MalformedRequest, UnknownOperation
from pocketcloud.protocol.parsers.base import RequestParser
from pocketcloud.protocol.parsers.json import JsonBodyReader
from pocketcloud.protocol.parsers.s3_post import post_object_operation, post_object_params
from pocketcloud.protocol.parsers.s3_requests import refuse_misaddressed
from pocketcloud.protocol.parsers.xml import XmlBodyReader
from pocketcloud.protocol.values import (
    INTEGER_BOUNDS,
    BadValue,
    parse_iso8601,
    parse_timestamp,
    scalar_from_text,
)

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

_LABEL = re.compile(r"\{([^}]+)\}")
# HTTP's optional whitespace around list items: spaces and tabs only (str.strip()
# would also eat U+00A0 and other characters a header value may carry).
_OWS = " \t"
_HEADER_ITEM = re.compile(r'[ \t]*(?:"((?:\\"|[^"])*)"[ \t]*(?=,|$)|([^,]*))(?:,|$)')
# The same, ending a quoted item at the first quote a comma follows.
_HEADER_ITEM_SHORTEST = re.compile(r'[ \t]*(?:"((?:[^"]|\\")*?)"[ \t]*(?=,|$)|([^,]*))(?:,|$)')


@dataclass
class Route:
    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    labels: dict[str, str]  # regex group → member name
    query_literals: dict[str, str | None]  # key → required value (None: presence only)
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    literal_length: int
    # The first two path segments when the URI spells them out ("2015-03-31", "functions"), else None.
    head: tuple[str, str] | None = None
    order: int = 0  # position in the model: the first of equally specific routes wins


@dataclass
class _MethodRoutes:
    """The routes of one HTTP method: those with no literal query key, and the others indexed
    by one of their literal keys (a request lacking that key cannot be theirs). The plain ones
    are also indexed by their first two path segments where the URI spells them out (Lambda's
    "/2015-03-31/functions/..."): a request's own first two segments then leave a handful of
    patterns to try instead of every route of the method."""

    plain: list[Route]
    by_key: dict[str, list[Route]]
    by_head: dict[tuple[str, str], list[Route]] = field(default_factory=dict)
    wild: list[Route] = field(default_factory=list)  # plain routes with a label in their first two segments
    _for_head: dict[tuple[str, str] | None, list[Route]] = field(default_factory=dict)

    def add_plain(self, route: Route) -> None:
        self.plain.append(route)
        if route.head is None:
            self.wild.append(route)
        else:
            self.by_head.setdefault(route.head, []).append(route)

    def plain_for(self, path: str) -> list[Route]:
        """The plain routes a request for `path` could match, in model order."""
        if not self.by_head:
            return self.plain
        parts = path.split("/", 3)
        head = (parts[1], parts[2]) if len(parts) >= 3 and parts[0] == "" else None
        routes = self._for_head.get(head)
        if routes is None:
            routes = sorted(self.wild + self.by_head.get(head, []) if head else self.wild, key=_order)
            if len(self._for_head) < 256:  # heads come from the requests: keep the memory bounded
                self._for_head[head] = routes
        return routes


def _order(route: Route) -> int:
    return route.order


def _route_head(path: str, has_label: bool, literal: str) -> tuple[str, str] | None:
    """The first two path segments of a URI if both are literal text."""
    segments = literal.split("/")
    complete = segments[1:-1] if has_label else segments[1:]
    return (complete[0], complete[1]) if literal.startswith("/") and len(complete) >= 2 else None


# Where a member is read from, as small ints for the per-request loop.
_URI, _QUERY, _HEADER, _HEADERS = range(4)
_LOCATIONS = {"uri": _URI, "querystring": _QUERY, "header": _HEADER, "headers": _HEADERS}


@dataclass
class _InputPlan:
    """How to read one operation's input: (name, location, wire name, member shape) in model order."""

    members: list[tuple[str, int, str, Shape]]
    body_members: bool
    payload: str | None


def compile_route(operation: OperationModel) -> Route:
    http = operation.http
    uri: str = http.get("requestUri", "/")
    path, _, query = uri.partition("?")
    literals: dict[str, str | None] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        literals[key] = value or None
    labels: dict[str, str] = {}
    regex = ["^"]
    pos = 0
    literal_length = 0
    trimmed = path.rstrip("/")
    for match in _LABEL.finditer(trimmed):
        literal = trimmed[pos : match.start()]
        regex.append(re.escape(literal))
        literal_length += len(literal.strip("/"))
        name = match.group(1)
        group = f"g{len(labels)}"
        labels[group] = name.rstrip("+")
        regex.append(f"(?P<{group}>.+)" if name.endswith("+") else f"(?P<{group}>[^/]+)")
        pos = match.end()
    tail = trimmed[pos:]
    literal_length += len(tail.strip("/"))
    first_label = _LABEL.search(trimmed)
    head = _route_head(
        trimmed, first_label is not None, trimmed[: first_label.start()] if first_label else trimmed
    )
    # A trailing slash is optional, as AWS's front ends treat it.
    regex.append(re.escape(tail) + "/?$")
    required_query: list[str] = []
    required_headers: list[str] = []
    shape = operation.input_shape
    if shape is not None:
        members = shape.members
        for name in shape.required_members:
            member = members[name]
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "querystring":
                required_query.append(wire)
            elif location == "header":
                required_headers.append(wire.lower())
    return Route(
        operation=operation,
        method=http.get("method", "POST"),
        pattern=re.compile("".join(regex)),
        labels=labels,
        query_literals=literals,
        required_query=tuple(required_query),
        required_headers=tuple(required_headers),
        literal_length=literal_length,
        head=head,
    )


def _split_header_list(value: str) -> list[str]:
    """A list in a header: comma-separated, spaces around items ignored; an item
    with a comma or a quote is double-quoted, with `\\"` for a quote inside.

    SDKs escape only the quote, never the backslash, so inside quotes every other
    backslash is literal; the regex's backtracking keeps an item that ends in a
    backslash (`"a,\\"`) intact.
    """
    items = _header_items(_HEADER_ITEM, value)
    if items is None:
        # An item ending in a backslash (`",\\"`, unescaped) read as escaping its closing quote
        # leaves a stray quote behind: the shorter reading is the one the SDK wrote.
        items = _header_items(_HEADER_ITEM_SHORTEST, value) or []
    return items


def _header_items(pattern: re.Pattern[str], value: str) -> list[str] | None:
    """The items `pattern` reads, or None if it leaves a quote outside a quoted item."""
    items: list[str] = []
    for match in pattern.finditer(value):
        quoted, bare = match.group(1), match.group(2)
        if quoted is not None:
            items.append(quoted.replace('\\"', '"'))
        elif '"' in bare:
            return None
        elif bare.strip(_OWS):
            items.append(bare.strip(_OWS))
    return items


class RestParser(RequestParser):
    unknown_operation_code = "UnknownOperationException"
    malformed_code = "SerializationException"
    bad_value_code = "SerializationException"
    unknown_operation_status = 404

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.routes: dict[str, list[Route]] = {}
        self._by_method: dict[str, _MethodRoutes] = {}
        self._plans: dict[str, _InputPlan] = {}
        for order, op in enumerate(self._operations.values()):
            route = compile_route(op)
            route.order = order
            self.routes.setdefault(route.method, []).append(route)
            index = self._by_method.setdefault(route.method, _MethodRoutes([], {}))
            if route.query_literals:
                index.by_key.setdefault(min(route.query_literals), []).append(route)
            else:
                index.add_plain(route)

    # -- routing ----------------------------------------------------------

    def request_path(self, request: Request) -> str:
        """The raw path routing matches against (S3 folds a virtual host into it)."""
        return request.path

    def _candidates(self, method: str, query_keys: dict[str, str], path: str) -> list[Route]:
        """The routes of `method` whose literal query keys could all be present and whose literal
        first path segments are the request's, in model order."""
        index = self._by_method.get(method)
        if index is None:
            return []
        plain = index.plain_for(path)
        if not query_keys or not index.by_key:
            return plain
        found = list(plain)
        for key in query_keys:
            found.extend(index.by_key.get(key, ()))
        if len(found) > len(plain):
            found.sort(key=_order)
        return found

    def route(self, request: Request) -> tuple[Route, dict[str, str]]:
        path = self.request_path(request)
        query_keys: dict[str, str] = {}
        for key, value in request.query:
            query_keys.setdefault(key, value)
        headers = request.headers
        best: tuple[tuple[int, int, int, int, bool], Route, re.Match[str]] | None = None
        for route in self._candidates(request.method, query_keys, path):
            literals_ok = True
            for key, wanted in route.query_literals.items():
                if key not in query_keys or (wanted is not None and query_keys[key] != wanted):
                    literals_ok = False
                    break
            if not literals_ok:
                continue
            match = route.pattern.match(path)
            if match is None:
                continue
            # Required members are evidence, not a filter: a client sends nothing
            # for an empty required list (UntagResource's TagKeys=[]), and a request
            # missing one should reach its operation and fail validation there.
            present = sum(q in query_keys for q in route.required_query)
            present += sum(h in headers for h in route.required_headers)
            missing = len(route.required_query) + len(route.required_headers) - present
            score = (
                len(route.query_literals),
                present,
                -missing,
                route.literal_length,
                not route.operation.deprecated,
            )
            if best is None or score > best[0]:
                best = (score, route, match)
        if best is None:
            raise self.no_route(request)
        _, route, match = best
        labels = {route.labels[g]: unquote(v) for g, v in match.groupdict().items()}
        return route, labels

    def no_route(self, request: Request) -> UnknownOperation:
        return UnknownOperation(
            self.unknown_operation_code,
            f"No operation of {self.service} matches {request.method} {request.path}",
            status=self.unknown_operation_status,
        )

    # -- members ----------------------------------------------------------

    def _input_plan(self, operation: OperationModel, shape: Shape) -> _InputPlan:
        plan = self._plans.get(operation.name)
        if plan is None:
            members: list[tuple[str, int, str, Shape]] = []
            body_members = False
            for name, member in shape.members.items():
                serialization = member.serialization
                location = serialization.get("location")
                wire = serialization.get("name", name)
                if location in _LOCATIONS:
                    kind = _LOCATIONS[location]
                    # Request headers are keyed lower-case.
                    members.append(
                        (name, kind, wire.lower() if kind in (_HEADER, _HEADERS) else wire, member)
                    )
                elif location != "statusCode":
                    body_members = True
            plan = self._plans[operation.name] = _InputPlan(
                members, body_members, shape.serialization.get("payload")
            )
        return plan

    async def read_request(self, request: Request) -> tuple[OperationModel, dict[str, Any]]:
        route, labels = self.route(request)
        operation = route.operation
        shape = operation.input_shape
        if shape is None:
            return operation, {}
        plan = self._input_plan(operation, shape)
        params: dict[str, Any] = {}
        headers = request.headers
        query = request.query
        for name, location, wire, member in plan.members:
            if location == _HEADER:
                raw = headers.get(wire)
                if raw is not None:
                    value = self._header_value(raw, member, name)
                    if value is not None:
                        params[name] = value
            elif location == _URI:
                if wire in labels:
                    params[name] = self._text_value(labels[wire], member, name)
            elif location == _QUERY:
                if query:
                    value = self._query_member(query, wire, member, name, route)
                    if value is not None:
                        params[name] = value
            else:  # _HEADERS: every header with the prefix, the prefix removed
                found = {key[len(wire) :]: value for key, value in headers.items() if key.startswith(wire)}
                if found:
                    params[name] = found
        payload = plan.payload
        if payload is not None:
            await self._read_payload(request, shape.members[payload], payload, params)
        elif plan.body_members:
            params.update(await self.read_body_members(request, shape))
        return operation, params

    def _text_value(self, text: str, shape: Shape, where: str) -> Any:
        try:
            return scalar_from_text(shape.type_name, text)
        except BadValue as exc:
            raise self.bad_value(where, text, shape) from exc

    def _query_member(
        self, query: list[tuple[str, str]], wire: str, member: Shape, name: str, route: Route
    ) -> Any:
        if member.type_name == "map":
            # A query-string map takes every parameter the other members do not claim.
            claimed = {m.serialization.get("name", n) for n, m in route.operation.input_shape.members.items()}
            claimed |= set(route.query_literals)
            result: dict[str, Any] = {}
            for key, value in query:
                if key in claimed:
                    continue
                if member.value.type_name == "list":
                    result.setdefault(key, []).append(value)
                else:
                    result.setdefault(key, value)
            return result or None
        values = [v for k, v in query if k == wire]
        if not values:
            return None
        if member.type_name == "list":
            return [self._text_value(v, member.member, name) for v in values]
        return self._text_value(values[0], member, name)

    def _header_value(self, raw: str, member: Shape, name: str) -> Any:
        kind = member.type_name
        if kind == "timestamp":
            try:
                return parse_timestamp(raw)
            except BadValue as exc:
                raise self.bad_value(name, raw, member) from exc
        if kind == "list":
            return [self._text_value(v, member.member, name) for v in _split_header_list(raw)]
        if kind == "string" and member.serialization.get("jsonvalue"):
            try:
                return json.loads(base64.b64decode(raw))
            except ValueError as exc:
                raise self.bad_value(name, raw, member) from exc
        return self._text_value(raw, member, name)

    async def _read_payload(self, request: Request, member: Shape, name: str, params: dict[str, Any]) -> None:
        kind = member.type_name
        if kind in ("blob", "string"):
            if member.serialization.get("streaming") or getattr(member, "metadata", {}).get("streaming"):
                params[name] = request.body
                return
            body = await request.body.read()
            if body or kind == "blob":
                params[name] = body if kind == "blob" else body.decode("utf-8", "replace")
            return
        value = await self.read_payload_structure(request, member)
        if value is not None:
            params[name] = value

    async def read_body_members(self, request: Request, shape: Shape) -> dict[str, Any]:
        raise NotImplementedError

    async def read_payload_structure(self, request: Request, shape: Shape) -> Any:
        raise NotImplementedError


class RestJsonParser(RestParser):
    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.reader = JsonBodyReader()

    async def read_body_members(self, request: Request, shape: Shape) -> dict[str, Any]:
        data = self.reader.decode(await request.body.read())
        if not isinstance(data, dict):
            raise self.reader.wrong_type("", shape)
        located = {n for n, m in shape.members.items() if m.serialization.get("location")}
        return {k: v for k, v in self.reader.structure(data, shape, "").items() if k not in located}

    async def read_payload_structure(self, request: Request, shape: Shape) -> Any:
        body = await request.body.read()
        if not body.strip():
            return None
        return self.reader.value(self.reader.decode(body), shape, "")


class RestXmlParser(RestParser):
    unknown_operation_code = "InvalidRequest"
    malformed_code = "MalformedXML"
    bad_value_code = "InvalidArgument"
    unknown_operation_status = 400

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.reader = XmlBodyReader()

    async def read_body_members(self, request: Request, shape: Shape) -> dict[str, Any]:
        root = self.reader.decode(await request.body.read())
        if root is None:
            return {}
        located = {n for n, m in shape.members.items() if m.serialization.get("location")}
        return {k: v for k, v in self.reader.structure(root, shape).items() if k not in located}

    async def read_payload_structure(self, request: Request, shape: Shape) -> Any:
        root = self.reader.decode(await request.body.read())
        if root is None:
            return None
        return self.reader.value(root, shape)

    def bad_value(self, where: str, value: object, shape: Shape) -> MalformedRequest:
        return MalformedRequest(self.bad_value_code, f"Invalid value for {where}: {value!r}")


class S3Parser(RestXmlParser):
    """S3's addressing: a bucket named in the Host header (virtual-hosted style)."""

    unknown_operation_code = "MethodNotAllowed"
    unknown_operation_status = 405
    # HTTP (RFC 9110 13.1.3/13.1.4): a conditional date that is not a valid HTTP-date is ignored,
    # and S3 serves the object rather than failing the request.
    _IGNORED_WHEN_MALFORMED = frozenset(
        {"IfModifiedSince", "IfUnmodifiedSince", "CopySourceIfModifiedSince", "CopySourceIfUnmodifiedSince"}
    )

    def route(self, request: Request) -> tuple[Route, dict[str, str]]:
        route, labels = super().route(request)
        # `GET /` is ListBuckets and ListDirectoryBuckets alike; the SDKs sign the latter for S3
        # Express One Zone ("s3express"), which is how S3's control endpoint tells them apart.
        if route.operation.name == "ListBuckets" and "/s3express/aws4_request" in request.headers.get(
            "authorization", request.query_value("X-Amz-Credential") or ""
        ):
            directory = next(r for r in self.routes["GET"] if r.operation.name == "ListDirectoryBuckets")
            return directory, labels
        return route, labels

    def _header_value(self, raw: str, member: Shape, name: str) -> Any:
        iso_only = _ISO8601_ONLY.get(name)
        if iso_only is not None:
            try:
                return parse_iso8601(raw)
            except BadValue as exc:
                wire = member.serialization.get("name", name)
                raise MalformedRequest("InvalidArgument", iso_only, ArgumentName=wire, ArgumentValue=raw) from exc
        if name in _KEPT_AS_TEXT:
            # "0", a date with the wrong weekday: kept and answered as sent, not read as a date; an
            # empty one is none (an empty Expires answered back breaks the SDKs' date parsing)
            return raw or None
        try:
            return super()._header_value(raw, member, name)
        except MalformedRequest:
            if name in self._IGNORED_WHEN_MALFORMED:
                return None
            if member.type_name in ("integer", "long"):
                # A number header that is none: S3's wording, naming the header and the value as sent
                # ("Value for x-amz-mp-object-size header is invalid: 'size'", quoted from S3 in
                # versity/versitygw#1398).
                wire = member.serialization.get("name", name)
                raise MalformedRequest("InvalidRequest", f"Value for {wire} header is invalid: '{raw}'") from None
            raise

    def _query_member(
        self, query: list[tuple[str, str]], wire: str, member: Shape, name: str, route: Route
    ) -> Any:
        # S3 reads an empty optional integer parameter (`?max-parts=`, `?part-number-marker=`) as absent.
        if (
            member.type_name in ("integer", "long")
            and name not in route.operation.input_shape.required_members
        ):
            if next((v for k, v in query if k == wire), None) == "":
                return None
        if name in _KEPT_AS_TEXT:  # response-expires: echoed as sent, a date or not
            return next((v for k, v in query if k == wire), None)
        value = super()._query_member(query, wire, member, name, route)
        low, high = INTEGER_BOUNDS["integer"]
        if member.type_name == "integer" and value is not None and not low <= value <= high:
            raise _not_an_integer(wire, next(v for k, v in query if k == wire))
        return value

    def bad_value(self, where: str, value: object, shape: Shape) -> MalformedRequest:
        # An integer parameter of the query string that does not parse: S3's own wording, under the
        # parameter's wire name (max-keys, max-uploads, max-parts, part-number-marker, partNumber).
        wire = shape.serialization.get("name")
        if shape.type_name == "integer" and shape.serialization.get("location") == "querystring" and wire:
            return _not_an_integer(wire, str(value))
        return super().bad_value(where, value, shape)

    def request_path(self, request: Request) -> str:
        bucket = virtual_host_bucket(request.host)
        if bucket:
            return "/" + bucket + (request.path if request.path.startswith("/") else "/" + request.path)
        return request.path

    def bucket_and_key(self, request: Request) -> tuple[str, str]:
        """The bucket and key a request's path (or virtual host) names, decoded; "" for none. For
        requests no operation of the model describes: CORS preflights (`OPTIONS /{Bucket}/{Key+}`)."""
        bucket, _, key = self.request_path(request).lstrip("/").partition("/")
        return unquote(bucket), unquote(key)

    async def read_request(self, request: Request) -> tuple[OperationModel, dict[str, Any]]:
        refuse_misaddressed(request, self.request_path(request))
        post = getattr(request.body, "post_form", None)
        if post is not None:  # a browser POST upload, its form read by the authenticator (s3_post.py)
            return post_object_operation(), post_object_params(self.request_path(request), request, post)
        return await super().read_request(request)

    def no_route(self, request: Request) -> UnknownOperation:
        path = self.request_path(request).strip("/")
        if request.method == "POST" and path and "/" not in path:
            return UnknownOperation(
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold",
                status=412,
                Condition="Bucket POST must be of the enclosure-type multipart/form-data",
            )
        if not path:  # the service itself, which only lists buckets (S3's answer in versity/versitygw#1810)
            return UnknownOperation(
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
                status=405,
                headers={"Allow": "GET"},
                Method=request.method,
                ResourceType="SERVICE",
            )
        return UnknownOperation(
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
            status=405,
            Method=request.method,
            ResourceType="OBJECT" if path.count("/") else "BUCKET",
        )


def virtual_host_bucket(host: str) -> str | None:
    """The bucket of a virtual-hosted S3 Host header (`b.s3.localhost`, `b.s3.us-east-1.host`), and
    `b.localhost`: what an SDK told `addressing_style="virtual"` with the endpoint `http://localhost:4566`
    sends (systemd's resolver and curl take every `*.localhost` name to the loopback address)."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    index = name.find(".s3.")
    if index > 0:
        return name[:index]
    if name.endswith(".s3") and len(name) > 3:
        return name[:-3]
    index = name.find(".s3-")
    if index > 0:
        return name[:index]
    first, dot, _ = name.partition(".")
    if dot and first[-13:-12] == "-" and _ACCESS_POINT_HOST.fullmatch(first):
        # `<access point>-<account>.<endpoint>`: what SDKs send for an access point ARN with a custom endpoint
        return first
    if name.endswith(".localhost") and not _S3_ENDPOINT_NAME.fullmatch(name[: -len(".localhost")]):
        return name[: -len(".localhost")]
    return None


_ACCESS_POINT_HOST = re.compile(r"[a-z0-9][a-z0-9-]{1,48}[a-z0-9]-\d{12}")
# The S3 endpoint's own names before `.localhost` (`s3`, `s3.us-east-1`, `s3-us-west-2`, `s3.dualstack.
# eu-west-1`, `s3-external-1`): no bucket. A bucket whose name merely starts with `s3-` or `s3.` is one.
_S3_ENDPOINT_NAME = re.compile(rf"s3(?:[.-](?:dualstack|fips|external-1|{REGION_NAME}))*")


# S3 keeps an object's Expires as the text the uploader sent, a date or not ("tomorrow", "5d"), and
# answers it back verbatim (so the SDKs added ExpiresString); response-expires is echoed the same way.
_KEPT_AS_TEXT = frozenset({"Expires", "ResponseExpires"})
# Timestamp headers S3 reads as ISO 8601 only, refusing any other form (an HTTP-date, epoch seconds)
# with InvalidArgument, this message, and the header's name and value as sent (PutObject, CopyObject,
# CreateMultipartUpload: versitygw#1733/#1744, minio-go#1890). Other timestamp headers (If-Modified-
# Since, ...) take every form `parse_timestamp` reads.
_ISO8601_ONLY = {"ObjectLockRetainUntilDate": "The retain until date must be provided in ISO 8601 format"}


def _not_an_integer(wire: str, raw: str) -> MalformedRequest:
    return MalformedRequest(
        "InvalidArgument",
        f"Provided {wire} not an integer or within integer range",
        ArgumentName=wire,
        ArgumentValue=raw,
    )
