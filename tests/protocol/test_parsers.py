"""The request parsers read back exactly what botocore's own serializers write.

Each property test draws an input for an operation, serializes it with
botocore's request serializer as a client would, hands the resulting HTTP
request (streamed in small irregular chunks) to our parser, and checks that the
parser picked the same operation and recovered the same parameters. Routing is
checked over every operation of S3 and Lambda, and malformed requests must come
back as a 4xx ServiceError, never as another exception.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
from collections.abc import AsyncIterator
from datetime import UTC
from typing import Any
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

import pytest
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.model import OperationModel, Shape
from botocore.serialize import create_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pocketcloud.gateway.http import Body, Request
from pocketcloud.protocol.errors import BareError, ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.protocol.parsers import create_parser
from tests.protocol.input_strategies import (
    BODY,
    HEADER,
    QUERY,
    InputStrategies,
    minimal_input,
)

ENDPOINT = "http://127.0.0.1:4566"


# -- from botocore's request to ours ------------------------------------------------


class TrickleBody(Body):
    """A body that arrives in small chunks of irregular size, as a socket delivers it."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = data

    async def chunks(self) -> AsyncIterator[bytes]:
        sizes = random.Random(len(self._data))
        pos = 0
        while pos < len(self._data):
            size = sizes.choice((1, 2, 3, 5, 8, 13, 64))
            yield self._data[pos : pos + size]
            pos += size
            await asyncio.sleep(0)


def protocol_of(service: str) -> str:
    return str(service_model(service).metadata["protocol"])


def botocore_request(
    service: str, operation: str, params: dict[str, Any], endpoint: str = ENDPOINT
) -> Request:
    """The HTTP request a botocore client sends for `operation(**params)`, as our gateway sees it."""
    model = service_model(service)
    op = model.operation_model(operation)
    serializer = create_serializer(model.metadata["protocol"], include_validation=False)
    request_dict = serializer.serialize_to_request(params, op)
    prepare_request_dict(request_dict, endpoint_url=endpoint)
    prepared = create_request_object(request_dict).prepare()
    url = urlsplit(prepared.url)
    headers = {
        k.lower(): v.decode("latin-1") if isinstance(v, bytes) else str(v)
        for k, v in prepared.headers.items()
    }
    headers.setdefault("host", url.netloc)
    body = prepared.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    return Request(
        method=prepared.method,
        path=url.path or "/",
        query_string=url.query,
        headers=headers,
        body=TrickleBody(bytes(body)),
    )


async def _parse(service: str, request: Request) -> tuple[OperationModel, dict[str, Any]]:
    operation, params = await create_parser(service, protocol_of(service)).parse(request)
    shape = operation.input_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    if payload is not None and shape.members[payload].serialization.get("streaming"):
        # A streaming payload must come back as the request's body, unread, so
        # that a large upload is never held in memory by the parser.
        body = params[payload]
        assert isinstance(body, Body) and body.buffered is None
        params[payload] = b"".join([chunk async for chunk in body])
    return operation, params


def parse(service: str, request: Request) -> tuple[OperationModel, dict[str, Any]]:
    return asyncio.run(_parse(service, request))


# -- what the wire carries ------------------------------------------------------------

_NOTHING = object()


class _NaN:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, _NaN)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "NaN"


NAN = _NaN()
_QUERY_FAMILY = ("query", "ec2")
# Headers the HTTP layer sets itself; a member bound to one of them is read even
# when the caller did not set it (Content-Length of any body, Content-Type of JSON).
_TRANSPORT_HEADERS = ("content-length", "content-type")


class WireView:
    """The parameters as the wire can carry them: the parser's expected output.

    What is normalised, and why:
    - query and ec2 send no parameter for an empty structure or an empty map, so those
      vanish (an item of a list that sends nothing leaves no index behind; a map entry
      whose value sends nothing arrives as a key with value None);
    - ec2 sends no parameter for an empty list (query sends `Name=`, which reads as []);
    - rest-xml sends no element for an empty *flattened* list or map;
    - an empty list in a header, an empty list or map in the query string, and an
      empty header map send nothing;
    - a blob payload is the body, and a missing body reads as b"" (a string payload
      of "" as absent); a streaming payload is compared as bytes;
    - timestamps in headers (always) and in rfc822 format (anywhere) have second
      precision; others keep microseconds;
    - NaN compares equal to NaN.
    """

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol

    def input(self, params: dict[str, Any], operation: OperationModel) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        payload = shape.serialization.get("payload")
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            if name == payload and member.type_name in ("blob", "string"):
                raw = params.get(name)
                if member.type_name == "blob" or member.serialization.get("streaming"):
                    raw = raw or b""
                    result[name] = raw.encode("utf-8") if isinstance(raw, str) else raw
                elif raw:
                    result[name] = raw
                continue
            if name not in params:
                continue
            if location == "querystring" and member.type_name == "map":
                value: Any = {k: v for k, v in params[name].items() if v != []} or _NOTHING
            elif location == "headers":
                value = params[name] or _NOTHING
            elif member.serialization.get("jsonvalue"):
                value = params[name]
            else:
                value = self.value(params[name], member, location or BODY)
            if value is not _NOTHING:
                result[name] = value
        return result

    def value(self, value: Any, shape: Shape, where: str) -> Any:
        kind = shape.type_name
        if kind == "structure":
            if getattr(shape, "is_document_type", False):
                return value
            out = {}
            for key, item in value.items():
                seen = self.value(item, shape.members[key], BODY)
                if seen is not _NOTHING:
                    out[key] = seen
            if not out and self.protocol in _QUERY_FAMILY:
                return _NOTHING
            return out
        if kind == "list":
            return self._list(value, shape, where)
        if kind == "map":
            return self._map(value, shape, where)
        if kind == "timestamp":
            instant = value.astimezone(UTC)
            if where == HEADER or shape.serialization.get("timestampFormat") == "rfc822":
                instant = instant.replace(microsecond=0)
            return instant
        if kind in ("float", "double") and math.isnan(value):
            return NAN
        return value

    def _list(self, value: list[Any], shape: Shape, where: str) -> Any:
        flattened = shape.serialization.get("flattened")
        items = [self.value(item, shape.member, where) for item in value]
        if self.protocol in _QUERY_FAMILY:
            items = [item for item in items if item is not _NOTHING]
            if not value and self.protocol == "query":
                # `Name=`; a flattened list sends it under the list's own name,
                # which is read back only if its items use that name too.
                item_name = shape.member.serialization.get("name")
                if not flattened or item_name is None or item_name == shape.serialization.get("name"):
                    return []
            return items or _NOTHING
        if not items and (where in (HEADER, QUERY) or (self.protocol == "rest-xml" and flattened)):
            return _NOTHING
        return items

    def _map(self, value: dict[Any, Any], shape: Shape, where: str) -> Any:
        out: dict[Any, Any] = {}
        for key, item in value.items():
            seen = self.value(item, shape.value, where)
            out[self.value(key, shape.key, where)] = None if seen is _NOTHING else seen
        if not out and (
            self.protocol in _QUERY_FAMILY
            or (self.protocol == "rest-xml" and shape.serialization.get("flattened"))
        ):
            return _NOTHING
        return out


def settle(value: Any) -> Any:
    """A parsed value made comparable: NaN equal to NaN."""
    if isinstance(value, float) and math.isnan(value):
        return NAN
    if isinstance(value, dict):
        return {k: settle(v) for k, v in value.items()}
    if isinstance(value, list):
        return [settle(v) for v in value]
    return value


def assert_round_trip(service: str, operation: str, params: dict[str, Any]) -> None:
    request = botocore_request(service, operation, params)
    parsed_op, parsed = parse(service, request)
    assert parsed_op.name == operation
    op = service_model(service).operation_model(operation)
    if op.input_shape is not None:
        for name, member in op.input_shape.members.items():
            header = member.serialization.get("name", name).lower()
            if (
                member.serialization.get("location") == "header"
                and header in _TRANSPORT_HEADERS
                and name not in params
            ):
                parsed.pop(name, None)
    expected = WireView(protocol_of(service)).input(params, op)
    if service == "s3":  # S3 keeps Expires and response-expires as the text sent, a date or not
        if "Expires" in expected:
            expected["Expires"] = request.headers.get("expires")
        if "ResponseExpires" in expected:
            expected["ResponseExpires"] = request.query_value("response-expires")
    assert settle(parsed) == expected, f"request: {request.method} {request.path}?{request.query_string}"


# -- the property: every protocol, parsed back ------------------------------------------

OPERATIONS: dict[str, list[str]] = {
    # query
    "sts": service_model("sts").operation_names,
    "iam": [
        "CreateUser", "PutUserPolicy", "TagRole", "CreatePolicyVersion", "ListUsers",
        "SimulatePrincipalPolicy", "SimulateCustomPolicy", "CreateRole", "AttachRolePolicy",
        "UpdateAssumeRolePolicy", "CreatePolicy", "CreateAccessKey", "UpdateAccessKey",
        "GetAccountAuthorizationDetails", "CreateOpenIDConnectProvider", "UpdateAccountPasswordPolicy",
        "PutRolePermissionsBoundary", "UploadServerCertificate", "UntagUser", "ListPolicies",
        "GenerateServiceLastAccessedDetails", "SetSecurityTokenServicePreferences",
    ],
    "sns": ["Publish", "PublishBatch", "CreateTopic", "Subscribe", "SetSubscriptionAttributes"],
    "rds": ["CreateDBInstance", "ModifyDBInstance", "DescribeDBInstances"],
    # ec2
    "ec2": [
        "RunInstances", "DescribeInstances", "AuthorizeSecurityGroupIngress", "CreateTags",
        "ModifyInstanceAttribute",
    ],
    # json
    "sqs": ["SendMessage", "SendMessageBatch", "ReceiveMessage", "ChangeMessageVisibilityBatch"],
    "logs": ["PutLogEvents", "FilterLogEvents"],
    "secretsmanager": ["CreateSecret"],
    "stepfunctions": ["StartExecution"],
    "dynamodb": ["PutItem", "Query"],
    "kms": ["Encrypt"],
    # rest-json
    "lambda": [
        "CreateFunction", "Invoke", "UpdateFunctionConfiguration", "AddPermission", "ListFunctions",
        "TagResource", "UntagResource", "PublishLayerVersion", "CreateEventSourceMapping",
        "GetLayerVersion",
    ],
    "apigateway": ["GetExport"],  # a querystring map of strings
    "amp": ["ListScrapers"],  # a querystring map of lists
    "lex-runtime": ["PostContent"],  # jsonvalue headers and a streaming payload
    "iot-data": ["Publish"],  # a jsonvalue header, a blob payload and a querystring blob
    # rest-xml
    "s3": [
        "PutObject", "GetObject", "CopyObject", "UploadPart", "UploadPartCopy",
        "CompleteMultipartUpload", "DeleteObjects", "PutBucketLifecycleConfiguration", "PutBucketCors",
        "PutBucketAcl", "PutBucketTagging", "ListObjectsV2", "ListObjectVersions",
        "CreateMultipartUpload", "PutBucketVersioning", "PutObjectRetention", "CreateBucket",
        "GetObjectAttributes", "PutBucketPolicy", "PutBucketNotificationConfiguration",
    ],
}

# Big shapes (RunInstances, CreateDBInstance) get fewer examples; the rest share the budget.
_EXAMPLES = {"RunInstances": 12, "CreateDBInstance": 12, "ModifyDBInstance": 12}
_DEFAULT_EXAMPLES = 20

CASES = [(service, op) for service, ops in OPERATIONS.items() for op in ops]


@pytest.mark.parametrize(("service", "operation"), CASES, ids=[f"{s}-{o}" for s, o in CASES])
def test_parser_recovers_the_params_botocore_serialized(service: str, operation: str) -> None:
    op = service_model(service).operation_model(operation)
    strategy = InputStrategies(protocol_of(service)).for_operation(op)

    # Large nested input shapes are slow to draw by nature; that is not a defect
    # of the strategy, so the too_slow/data_too_large health checks are waived.
    @settings(
        max_examples=_EXAMPLES.get(operation, _DEFAULT_EXAMPLES),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(strategy)
    def check(params: dict[str, Any]) -> None:
        assert_round_trip(service, operation, params)

    check()


# -- empty lists, where the wire carries them --------------------------------------------


@pytest.mark.parametrize(
    ("service", "operation", "params", "member"),
    [
        # query: `PolicyArns=` is an empty list
        ("sts", "AssumeRole", {"RoleArn": "arn", "RoleSessionName": "s", "PolicyArns": []}, "PolicyArns"),
        ("iam", "CreateOpenIDConnectProvider", {"Url": "https://x", "ThumbprintList": []}, "ThumbprintList"),
        # json: `[]`
        ("sqs", "ReceiveMessage", {"QueueUrl": "q", "AttributeNames": []}, "AttributeNames"),
        ("lambda", "CreateFunction", {"FunctionName": "f", "Role": "r", "Code": {}, "Layers": []}, "Layers"),
        # xml: `<TagSet/>` (a list that is not flattened)
        ("s3", "PutBucketTagging", {"Bucket": "b", "Tagging": {"TagSet": []}}, "Tagging"),
    ],
    ids=["query-sts", "query-iam", "json-sqs", "rest-json-lambda", "rest-xml-s3"],
)
def test_an_empty_list_the_format_carries_is_parsed_as_empty(
    service: str, operation: str, params: dict[str, Any], member: str
) -> None:
    op, parsed = parse(service, botocore_request(service, operation, params))
    assert op.name == operation
    assert parsed[member] == params[member]


def test_query_reads_a_bare_name_as_an_empty_list() -> None:
    body = b"Action=AssumeRole&Version=2011-06-15&RoleArn=a&RoleSessionName=s&PolicyArns="
    request = Request("POST", "/", "", {"content-type": "application/x-www-form-urlencoded"}, TrickleBody(body))
    _, parsed = parse("sts", request)
    assert parsed["PolicyArns"] == []


# -- routing ---------------------------------------------------------------------------

# Operations that are the same request on the wire as another one (same method,
# path, query and headers for the same input). Each resolves to the operation
# clients use today: the deprecated S3 calls to their successors, and
# ListDirectoryBuckets (which AWS serves on the separate s3express control
# endpoint) to ListBuckets.
WIRE_TWINS = {
    ("s3", "GetBucketLifecycle"): "GetBucketLifecycleConfiguration",
    ("s3", "PutBucketLifecycle"): "PutBucketLifecycleConfiguration",
    ("s3", "GetBucketNotification"): "GetBucketNotificationConfiguration",
    ("s3", "PutBucketNotification"): "PutBucketNotificationConfiguration",
    ("s3", "ListDirectoryBuckets"): "ListBuckets",
}

ROUTED = [(s, o) for s in ("s3", "lambda") for o in service_model(s).operation_names]


def _wire(request: Request) -> tuple[str, str, str, frozenset[str]]:
    return request.method, request.path, request.query_string, frozenset(request.headers)


@pytest.mark.parametrize(("service", "operation"), ROUTED, ids=[f"{s}-{o}" for s, o in ROUTED])
def test_routing_picks_the_operation_botocore_serialized(service: str, operation: str) -> None:
    op = service_model(service).operation_model(operation)
    op_parsed, _ = parse(service, botocore_request(service, operation, minimal_input(op)))
    assert op_parsed.name == WIRE_TWINS.get((service, operation), operation)


@pytest.mark.parametrize(("twin", "chosen"), list(WIRE_TWINS.items()), ids=[t[1] for t in WIRE_TWINS])
def test_wire_twins_really_are_the_same_request(twin: tuple[str, str], chosen: str) -> None:
    service, operation = twin
    model = service_model(service)
    one = botocore_request(service, operation, minimal_input(model.operation_model(operation)))
    other = botocore_request(service, chosen, minimal_input(model.operation_model(chosen)))
    assert _wire(one) == _wire(other)


def _virtual_hosted(request: Request, bucket: str) -> Request:
    prefix = "/" + bucket
    assert request.path.startswith(prefix)
    path = request.path[len(prefix) :] or "/"
    headers = {**request.headers, "host": f"{bucket}.s3.localhost:4566"}
    return Request(request.method, path, request.query_string, headers, request.body)


S3_BUCKET_OPS = [
    o for o in service_model("s3").operation_names
    if "Bucket" in (service_model("s3").operation_model(o).input_shape.members
                    if service_model("s3").operation_model(o).input_shape else {})
]


@pytest.mark.parametrize("operation", S3_BUCKET_OPS)
def test_s3_virtual_hosted_style_routes_like_path_style(operation: str) -> None:
    op = service_model("s3").operation_model(operation)
    params = {**minimal_input(op), "Bucket": "mybucket"}
    path_style = botocore_request("s3", operation, params)
    virtual = _virtual_hosted(botocore_request("s3", operation, params), "mybucket")
    assert parse("s3", virtual) == parse("s3", path_style)


@given(key=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20))
@settings(max_examples=40, deadline=None)
def test_s3_virtual_hosted_object_keys_match_path_style(key: str) -> None:
    params = {"Bucket": "mybucket", "Key": key}
    path_style = botocore_request("s3", "GetObject", params)
    virtual = _virtual_hosted(botocore_request("s3", "GetObject", params), "mybucket")
    if ".." in key.split("/"):
        # A key with a ".." segment is refused (a bare 400) before any operation, either way addressed.
        for request in (path_style, virtual):
            with pytest.raises(BareError):
                parse("s3", request)
        return
    op, parsed = parse("s3", virtual)
    assert (op.name, parsed) == ("GetObject", params)


# -- malformed requests: a 4xx ServiceError, never anything else ----------------------------


def _form(body: str) -> Request:
    return Request(
        "POST", "/", "", {"content-type": "application/x-www-form-urlencoded"}, TrickleBody(body.encode())
    )


def _json(target: str, body: bytes) -> Request:
    headers = {"x-amz-target": target, "content-type": "application/x-amz-json-1.0"}
    return Request("POST", "/", "", headers, TrickleBody(body))


def parse_error(service: str, request: Request) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        parse(service, request)
    error = caught.value
    assert error.status is not None and 400 <= error.status < 500, error
    return error


@pytest.mark.parametrize(
    ("service", "request_", "code"),
    [
        ("sts", _form("Action=NoSuchThing&Version=2011-06-15"), "InvalidAction"),
        ("sts", _form("Version=2011-06-15&RoleArn=a"), "MissingAction"),
        ("iam", _form("Action=ListUsers&Version=2010-05-08&MaxItems=ten"), "ValidationError"),
        ("iam", _form("Action=CreateUser&Version=2010-05-08&Tags.member.1.Key=%FF%FE"), None),
        ("ec2", _form("Action=DescribeInstances&Version=2016-11-15&MaxResults=1.5"), "InvalidParameterValue"),
        ("sqs", _json("AmazonSQS.NoSuchThing", b"{}"), "UnknownOperationException"),
        ("sqs", _json("", b"{}"), "UnknownOperationException"),
        ("sqs", _json("AmazonSQS.SendMessage", b'{"QueueUrl": "q", "MessageBody": '), "SerializationException"),
        ("sqs", _json("AmazonSQS.SendMessage", b"[1, 2]"), "SerializationException"),
        ("sqs", _json("AmazonSQS.SendMessage", b'{"QueueUrl": 5}'), "SerializationException"),
        ("sqs", _json("AmazonSQS.ReceiveMessage", b'{"MaxNumberOfMessages": "1"}'), "SerializationException"),
        ("sqs", _json("AmazonSQS.SendMessage", b"\xff\xfe{}"), "SerializationException"),
        ("kms", _json("TrentService.Encrypt", b'{"KeyId": "k", "Plaintext": 12}'), "SerializationException"),
        ("logs", _json("Logs_20140328.PutLogEvents", b'{"logEvents": {"a": 1}}'), "SerializationException"),
        (
            "logs",
            _json(
                "Logs_20140328.PutMetricFilter",
                b'{"metricTransformations": [{"defaultValue": 1' + b"0" * 400 + b"}]}",
            ),
            "SerializationException",
        ),
        (
            "cloudtrail",
            _json("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", b'{"StartTime": {}}'),
            "SerializationException",
        ),
    ],
    ids=[
        "query-unknown-action", "query-missing-action", "query-non-integer",
        "query-invalid-utf8", "ec2-non-integer", "json-unknown-target", "json-no-target",
        "json-truncated", "json-not-an-object", "json-string-expected", "json-integer-expected",
        "json-invalid-utf8", "json-blob-expected", "json-list-expected", "json-double-overflows",
        "json-timestamp-is-an-object",
    ],
)
def test_malformed_query_and_json_requests_are_4xx_service_errors(
    service: str, request_: Request, code: str | None
) -> None:
    error = parse_error(service, request_)
    if code is not None:
        assert error.code == code


@pytest.mark.parametrize(
    ("service", "body", "member", "expected"),
    [
        # `A..B`: an empty name segment is not where `A`'s own value lives
        ("ec2", "Action=DescribeInstances&Version=2016-11-15&MaxResults..DryRun=", "MaxResults", None),
        ("ec2", "Action=DescribeInstances&Version=2016-11-15&MaxResults=5&MaxResults..x=1", "MaxResults", 5),
        # list indices are ASCII digits; "²" and "١" are names, not positions
        ("iam", "Action=CreateUser&Version=2010-05-08&UserName=u&Tags.member.%C2%B2.Key=k", "Tags", []),
        ("iam", "Action=CreateUser&Version=2010-05-08&UserName=u&Tags.member.%D9%A1.Key=k", "Tags", []),
        ("iam", "Action=ListUsers&Version=2010-05-08&MaxItems=1_000", "MaxItems", None),
    ],
    ids=["empty-segment", "empty-segment-beside-value", "superscript-index", "arabic-index", "underscore-int"],
)
def test_odd_form_names_are_read_strictly(service: str, body: str, member: str, expected: Any) -> None:
    try:
        _, parsed = parse(service, _form(body))
    except ServiceError as error:
        assert expected is None and error.status == 400
    else:
        assert parsed.get(member) == expected


@pytest.mark.parametrize(
    "items",
    [['"\\', "0"], ["a,\\", 'b"'], ['x"', "y"], ['a\\",b', "c"], ["\xa0y", "z\xa0"], ["a b", " "]],
    ids=["quote-backslash", "comma-then-trailing-backslash", "quote", "escaped-quote-and-comma", "nbsp",
         "inner-and-only-space"],
)
def test_header_list_items_survive_botocore_quoting(items: list[str]) -> None:
    params = {"Bucket": "b", "Key": "k", "ObjectAttributes": items}
    _, parsed = parse("s3", botocore_request("s3", "GetObjectAttributes", params))
    assert parsed["ObjectAttributes"] == [item for item in items if item.strip(" ")]


def _rest(method: str, path: str, query: str = "", headers: dict[str, str] | None = None,
          body: bytes = b"") -> Request:
    return Request(method, path, query, {"host": "127.0.0.1:4566", **(headers or {})}, TrickleBody(body))


@pytest.mark.parametrize(
    ("service", "request_", "code"),
    [
        ("s3", _rest("PUT", "/b", "tagging", body=b"<Tagging><TagSet><Tag>"), "MalformedXML"),
        ("s3", _rest("PUT", "/b", "tagging", body=b"not xml at all"), "MalformedXML"),
        (
            "s3",
            _rest("PUT", "/b", "tagging", body=b'<!DOCTYPE x [<!ENTITY a "b">]><Tagging>&a;</Tagging>'),
            "MalformedXML",
        ),
        (
            "s3",
            _rest("PUT", "/b", "tagging", body=b'<?xml version="1.0" encoding="klingon"?><Tagging/>'),
            "MalformedXML",
        ),
        ("s3", _rest("PUT", "/b/k", headers={"content-length": "many"}), None),
        # (a malformed If-Modified-Since is ignored, as HTTP says: tests/services/s3/test_conformance_more.py)
        ("s3", _rest("PUT", "/b/k", headers={"x-amz-object-lock-retain-until-date": "yesterday"}), None),
        (
            "s3",
            _rest("PUT", "/b/k", headers={"x-amz-object-lock-retain-until-date": "0001-01-01T00:00:00+01:00"}),
            None,
        ),
        ("s3", _rest("GET", "/b/k", "partNumber=first"), None),
        ("s3", _rest("PATCH", "/b/k"), "MethodNotAllowed"),
        ("lambda", _rest("GET", "/2015-03-31/functions", "MaxItems=lots"), None),
        ("lambda", _rest("GET", "/2015-03-31/no-such-thing"), None),
        (
            "lambda",
            _rest("POST", "/2015-03-31/functions", headers={"content-type": "application/json"}, body=b"{,}"),
            "SerializationException",
        ),
        ("lambda", _rest("GET", "/2018-10-31/layers/l/versions/one"), None),
        ("lex-runtime", _rest("POST", "/bot/b/alias/a/user/u/content",
                              headers={"x-amz-lex-session-attributes": "%%%", "content-type": "t"}), None),
    ],
    ids=[
        "xml-truncated", "xml-not-xml", "xml-dtd", "xml-unknown-encoding", "header-non-integer", "header-bad-timestamp",
        "header-timestamp-before-year-one",
        "query-non-integer", "s3-no-such-method", "rest-json-query-non-integer", "rest-json-no-route",
        "rest-json-malformed-body", "uri-non-integer", "jsonvalue-header-not-base64",
    ],
)
def test_malformed_rest_requests_are_4xx_service_errors(
    service: str, request_: Request, code: str | None
) -> None:
    error = parse_error(service, request_)
    if code is not None:
        assert error.code == code


# -- fuzzing: whatever arrives, a parse result or a 4xx ServiceError ------------------------

# Scalars that break naive readers: out-of-range numbers and timestamps, non-ASCII
# digits, Python-only literal forms (underscores, "inf"), invalid base64.
AWKWARD_SCALARS = [
    "", " ", "-", "1_000", "²", "١٢", "１２", "0x10", "1e400", "-1e400", "nan", "inf", "Infinity",
    "99999999999999999999999", "-99999999999999999999999", "1.5", "true", "TRUE", "yes",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0000-00-00", "2020-13-45T25:61:61Z",
    "Mon, 01 Jan 99999 00:00:00 GMT", "Tue, 31 Feb 2021 00:00:00 GMT", "1e20", "-1e20", "253402300800",
    "!!!", "QQ", "QQ=", "é", "\x00", "<a>", "{}", "[]", "null",
]
_FUZZ_TEXT = st.one_of(st.sampled_from(AWKWARD_SCALARS), st.text(max_size=8))


def wire_names(shape: Shape | None, depth: int = 6) -> list[str]:
    """Every member name (and wire name) reachable from `shape`, to aim fuzzed input at the model."""
    names: set[str] = set()
    seen: set[str] = set()

    def walk(s: Shape, d: int) -> None:
        if d == 0 or s.name in seen:
            return
        seen.add(s.name)
        if s.type_name == "structure":
            for name, member in s.members.items():
                names.add(name)
                for trait in ("name", "queryName"):
                    if trait in member.serialization:
                        names.add(member.serialization[trait])
                walk(member, d - 1)
        elif s.type_name == "list":
            names.add(s.member.serialization.get("name", "member"))
            walk(s.member, d - 1)
        elif s.type_name == "map":
            names.update((s.key.serialization.get("name", "key"), s.value.serialization.get("name", "value")))
            walk(s.value, d - 1)

    if shape is not None:
        walk(shape, depth)
    return sorted(names)


def assert_parses_or_4xx(service: str, request: Request) -> None:
    try:
        parse(service, request)
    except ServiceError as error:
        assert error.status is not None and 400 <= error.status < 500, error


FUZZ_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

QUERY_FUZZ = [
    ("iam", "SimulatePrincipalPolicy"), ("iam", "CreateUser"), ("sns", "Publish"),
    ("rds", "CreateDBInstance"), ("ec2", "RunInstances"), ("ec2", "DescribeInstances"),
]


@pytest.mark.parametrize(("service", "operation"), QUERY_FUZZ, ids=[f"{s}-{o}" for s, o in QUERY_FUZZ])
def test_fuzzed_form_parameters_parse_or_fail_as_4xx(service: str, operation: str) -> None:
    op = service_model(service).operation_model(operation)
    tokens = wire_names(op.input_shape) + ["member", "entry", "1", "2", "0", "01", "²", "١", "", "Action"]
    keys = st.lists(st.sampled_from(tokens), min_size=1, max_size=6).map(".".join)

    @FUZZ_SETTINGS
    @given(st.lists(st.tuples(keys, _FUZZ_TEXT), max_size=12))
    def check(pairs: list[tuple[str, str]]) -> None:
        head = [("Action", operation), ("Version", op.metadata["apiVersion"])]
        assert_parses_or_4xx(service, _form(urlencode(head + pairs)))

    check()


JSON_FUZZ = [
    ("dynamodb", "PutItem"), ("sqs", "SendMessageBatch"), ("logs", "PutLogEvents"), ("kms", "Encrypt"),
    ("secretsmanager", "CreateSecret"), ("lambda", "CreateFunction"), ("lambda", "CreateEventSourceMapping"),
]


def _fuzz_json(names: list[str]) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.sampled_from([10**400, -(10**400), 2**64]),
        st.floats(), _FUZZ_TEXT,
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.one_of(st.sampled_from(names), st.text(max_size=3)), inner, max_size=4),
        ),
        max_leaves=20,
    )


def _json_request(service: str, operation: str, body: bytes) -> Request:
    """The request botocore sends for `operation`, with `body` in place of the JSON it wrote."""
    op = service_model(service).operation_model(operation)
    request = botocore_request(service, operation, minimal_input(op))
    return Request(request.method, request.path, request.query_string, request.headers, TrickleBody(body))


@pytest.mark.parametrize(("service", "operation"), JSON_FUZZ, ids=[f"{s}-{o}" for s, o in JSON_FUZZ])
def test_fuzzed_json_bodies_parse_or_fail_as_4xx(service: str, operation: str) -> None:
    op = service_model(service).operation_model(operation)
    names = wire_names(op.input_shape) or ["x"]

    @FUZZ_SETTINGS
    @given(st.dictionaries(st.sampled_from(names), _fuzz_json(names), max_size=6))
    def check(document: dict[str, Any]) -> None:
        assert_parses_or_4xx(service, _json_request(service, operation, json.dumps(document).encode()))

    check()


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"TableName": "t", "Item": {"a": ' + b'{"L": [' * 5_000 + b"]}" * 5_000 + b"}}",
        b'{"TableName": "t", "Item": {"a": ' + b'{"M": {"a": ' * 5_000 + b"}}" * 5_000 + b"}}",
        # shallow enough for json.loads, too deep for reading against the shape
        b'{"TableName": "t", "Item": {"a": ' + b'{"L": [' * 300 + b"]}" * 300 + b"}}",
    ],
    ids=["deep-array", "deep-attribute-lists", "deep-attribute-maps", "attribute-lists-300-deep"],
)
def test_deeply_nested_json_is_a_4xx_not_a_recursion_error(body: bytes) -> None:
    assert_parses_or_4xx("dynamodb", _json_request("dynamodb", "PutItem", body))


XML_FUZZ = [
    "PutBucketLifecycleConfiguration", "CompleteMultipartUpload", "DeleteObjects", "PutBucketAcl",
    "PutBucketCors", "CreateBucket",
]


def _fuzz_xml(names: list[str]) -> st.SearchStrategy[bytes]:
    def build(tree: Any, tag: str) -> ElementTree.Element:
        element = ElementTree.Element(tag)
        if isinstance(tree, list):
            for child_tag, child in tree:
                element.append(build(child, child_tag))
        else:
            element.text = tree
        return element

    text = st.sampled_from([s for s in AWKWARD_SCALARS if s != "\x00"])
    trees = st.recursive(text, lambda inner: st.lists(st.tuples(st.sampled_from(names), inner), max_size=4))
    return st.tuples(st.sampled_from(names), trees).map(
        lambda root: ElementTree.tostring(build(root[1], root[0]))
    )


@pytest.mark.parametrize("operation", XML_FUZZ)
def test_fuzzed_xml_bodies_parse_or_fail_as_4xx(operation: str) -> None:
    op = service_model("s3").operation_model(operation)
    names = wire_names(op.input_shape)

    @FUZZ_SETTINGS
    @given(st.one_of(_fuzz_xml(names), st.binary(max_size=40)))
    def check(body: bytes) -> None:
        assert_parses_or_4xx("s3", _json_request("s3", operation, body))

    check()


REST_FUZZ = [
    ("s3", "GetObject"), ("s3", "PutObject"), ("s3", "UploadPartCopy"), ("s3", "ListObjectsV2"),
    ("lambda", "ListFunctions"), ("lambda", "Invoke"), ("lex-runtime", "PostContent"),
]


@pytest.mark.parametrize(("service", "operation"), REST_FUZZ, ids=[f"{s}-{o}" for s, o in REST_FUZZ])
def test_fuzzed_headers_and_query_strings_parse_or_fail_as_4xx(service: str, operation: str) -> None:
    op = service_model(service).operation_model(operation)
    base = botocore_request(service, operation, minimal_input(op))
    members = op.input_shape.members.values()
    headers = sorted({m.serialization.get("name", "").lower() for m in members
                      if m.serialization.get("location") == "header"} | {"x-amz-meta-a"})
    query = sorted({m.serialization.get("name", "") for m in members
                    if m.serialization.get("location") == "querystring"} | {"x"})
    header_text = st.sampled_from([s for s in AWKWARD_SCALARS if s.isprintable()])

    @FUZZ_SETTINGS
    @given(
        st.dictionaries(st.sampled_from(headers), header_text, max_size=6),
        st.lists(st.tuples(st.sampled_from(query), _FUZZ_TEXT), max_size=6),
    )
    def check(extra_headers: dict[str, str], extra_query: list[tuple[str, str]]) -> None:
        query_string = "&".join(q for q in (base.query_string, urlencode(extra_query)) if q)
        request = Request(base.method, base.path, query_string, {**base.headers, **extra_headers},
                          TrickleBody(b""))
        assert_parses_or_4xx(service, request)

    check()


def test_a_header_list_item_ending_in_a_backslash_keeps_it() -> None:
    # botocore quotes an item with a comma but leaves its backslashes as they are: `",\",","`.
    assert_round_trip("s3", "GetObjectAttributes", {"Bucket": "b", "Key": "k", "ObjectAttributes": [",\\", ","]})
