"""The response serializers write what botocore's own response parsers read back unchanged.

Each property test draws an output for a real operation (any shape, any
member, unicode and awkward text, empty lists and maps, recursive shapes),
serializes it with our serializer, hands the HTTP response to botocore's parser
for that protocol exactly as botocore's endpoint would, and checks that the
parsed dict equals the output. The comparison normalises only what a wire
format cannot carry (see `canonical`): timestamp precision, and lists or maps
that are empty in a flattened XML encoding, which is no element at all.

Errors: for every protocol botocore must recover the error's code, message and
HTTP status, and for SQS over json the query-era code as well.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.awsrequest import HeadersDict
from botocore.handlers import parse_get_bucket_location
from botocore.model import OperationModel, Shape
from botocore.parsers import create_parser
from botocore.response import StreamingBody
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pocketcloud.gateway.http import Response
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.protocol.serializers import create_serializer
from tests.protocol.shape_strategies import XML_PROTOCOLS, OutputStrategies

REQUEST_ID = "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE"
HEADER_LOCATIONS = ("header", "headers", "statusCode")


# -- from our response to botocore's parsed dict ---------------------------------------


def wire(response: Response, operation: OperationModel | None) -> dict[str, Any]:
    """The response as botocore's endpoint hands it to a parser (after the server adds Content-Length)."""
    assert isinstance(response.body, bytes), "a non-streaming response must have a bytes body"
    headers = HeadersDict()
    for name, value in response.headers:
        assert name.lower() not in headers, f"header {name} sent twice"
        assert "\r" not in value and "\n" not in value
        value.encode("latin-1")  # HTTP cannot carry anything else
        headers[name] = value
    method = operation.http.get("method") if operation is not None else None
    if "content-length" not in headers and method != "HEAD":
        headers["Content-Length"] = str(len(response.body))
    body: Any = response.body
    if operation is not None and operation.has_streaming_output:
        body = StreamingBody(io.BytesIO(response.body), len(response.body))
    return {
        "status_code": response.status,
        "headers": headers,
        "body": body,
        "context": {"operation_name": operation.name if operation else None},
    }


class _HttpResponse:
    """What botocore's after-call handlers read: `raw` and `content`."""

    def __init__(self, content: bytes) -> None:
        self.raw = object()
        self.content = content


def botocore_parse(protocol: str, operation: OperationModel, response: Response) -> dict[str, Any]:
    parsed = create_parser(protocol).parse(wire(response, operation), operation.output_shape)
    if operation.name == "GetBucketLocation" and operation.service_model.service_name == "s3":
        # botocore reads this one answer with a handler, not the parser.
        assert isinstance(response.body, bytes)
        parse_get_bucket_location(parsed, _HttpResponse(response.body))
        if parsed["LocationConstraint"] is None:
            # An empty element is how S3 spells us-east-1: "" and None are one value here.
            del parsed["LocationConstraint"]
    parsed.pop("ResponseMetadata", None)
    return dict(parsed)


def botocore_parse_error(
    protocol: str, operation: OperationModel | None, response: Response
) -> dict[str, Any]:
    shape = operation.output_shape if operation is not None else None
    return dict(create_parser(protocol).parse(wire(response, operation), shape))


# -- what botocore should hand back ----------------------------------------------------


def canonical(shape: Shape, value: Any, protocol: str, where: str = "body") -> Any:
    """`value` as it compares after a trip over the wire (applied to both sides)."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        result = {}
        for name, member in shape.members.items():
            item = value.get(name)
            if item is None:
                continue
            location = member.serialization.get("location")
            inner = location if location in HEADER_LOCATIONS else where
            flattened = member.serialization.get("flattened") and member.type_name in ("list", "map")
            if protocol in XML_PROTOCOLS and flattened and len(item) == 0:
                continue  # an empty flattened list or map is no element at all
            result[name] = canonical(member, item, protocol, inner)
        return result
    if kind == "list":
        return [canonical(shape.member, item, protocol, where) for item in value]
    if kind == "map":
        if where == "headers":
            return {key: str(item) for key, item in value.items()}
        return {key: canonical(shape.value, item, protocol, where) for key, item in value.items()}
    if kind == "timestamp":
        moment = value if isinstance(value, datetime) else datetime.fromtimestamp(value, UTC)
        moment = moment.astimezone(UTC)
        http_date = where == "header" and shape.serialization.get("timestampFormat", "rfc822") == "rfc822"
        return moment.replace(microsecond=0 if http_date else moment.microsecond // 1000 * 1000)
    if kind == "blob":
        return value.encode() if isinstance(value, str) else bytes(value)
    if kind in ("float", "double"):
        return float(value)
    return value


def expected_output(
    protocol: str, operation: OperationModel, output: dict[str, Any], response: Response
) -> dict[str, Any]:
    """What a rest protocol always reports, whether or not the output set it."""
    shape = operation.output_shape
    expected = dict(output)
    if shape is None or protocol not in ("rest-json", "rest-xml"):
        return expected
    payload = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location == "statusCode":
            expected.setdefault(name, response.status)
        elif location == "headers":
            expected.setdefault(name, {})
        elif location == "header" and member.type_name == "list" and not expected.get(name):
            expected.pop(name, None)
        elif location == "header" and member.serialization.get("name", "").lower() == "content-length":
            if operation.http.get("method") != "HEAD":
                expected[name] = len(response.body)  # type: ignore[arg-type]  # the server measures the body
        elif name == payload and expected.get(name) is None:
            expected[name] = {"blob": b"", "string": ""}.get(member.type_name, {})
    return expected


def actual_output(operation: OperationModel, parsed: dict[str, Any]) -> dict[str, Any]:
    shape = operation.output_shape
    payload = shape.serialization.get("payload") if shape is not None else None
    if payload is not None and isinstance(parsed.get(payload), StreamingBody):
        parsed[payload] = parsed[payload].read()
    return parsed


def assert_round_trip(service: str, protocol: str, operation: OperationModel, output: dict[str, Any]) -> None:
    response = create_serializer(service, protocol).serialize(operation, output, REQUEST_ID)
    parsed = actual_output(operation, botocore_parse(protocol, operation, response))
    shape = operation.output_shape
    if shape is None:
        assert parsed == {}
        return
    expected = expected_output(protocol, operation, output, response)
    if operation.name == "GetBucketLocation" and not expected.get("LocationConstraint"):
        expected.pop("LocationConstraint", None)
    assert canonical(shape, parsed, protocol) == canonical(shape, expected, protocol)


# -- the operations ----------------------------------------------------------------------

OPERATIONS = [
    ("sts", "query", "GetCallerIdentity"),
    ("sts", "query", "AssumeRole"),
    ("iam", "query", "GetUser"),
    ("iam", "query", "ListUsers"),
    ("iam", "query", "GetAccountAuthorizationDetails"),
    ("iam", "query", "ListPolicies"),
    ("iam", "query", "DeleteUser"),  # no output at all
    ("sns", "query", "GetTopicAttributes"),  # a non-flattened map
    ("rds", "query", "DescribeDBInstances"),
    ("cloudwatch", "query", "GetMetricStatistics"),  # doubles and timestamps
    ("cloudwatch", "json", "GetMetricData"),  # boto3 picks json over cbor and query
    ("sdb", "query", "GetAttributes"),  # flattened list with a member locationName
    ("ec2", "ec2", "DescribeInstances"),
    ("ec2", "ec2", "DescribeVpcs"),
    ("ec2", "ec2", "DescribeSecurityGroups"),
    ("ec2", "ec2", "DescribeInstanceTypes"),  # members without a locationName
    ("sqs", "json", "ReceiveMessage"),
    ("sqs", "json", "GetQueueAttributes"),
    ("sqs", "json", "SendMessageBatch"),
    ("logs", "json", "DescribeLogGroups"),
    ("logs", "json", "GetLogEvents"),
    ("secretsmanager", "json", "GetSecretValue"),  # blob and timestamp
    ("secretsmanager", "json", "ListSecrets"),
    ("stepfunctions", "json", "DescribeExecution"),
    ("stepfunctions", "json", "GetExecutionHistory"),
    ("cloudtrail", "json", "LookupEvents"),
    ("cloudtrail", "json", "DescribeTrails"),
    ("dynamodb", "json", "GetItem"),  # a recursive union
    ("lambda", "rest-json", "GetFunction"),
    ("lambda", "rest-json", "ListFunctions"),
    ("lambda", "rest-json", "Invoke"),  # statusCode, headers, blob payload
    ("lambda", "rest-json", "CreateFunction"),  # http.responseCode 201
    ("lambda", "rest-json", "DeleteFunction"),  # statusCode member only, no body
    ("lambda", "rest-json", "DeleteAlias"),  # http.responseCode 204
    ("lex-runtime", "rest-json", "PostContent"),  # jsonvalue headers, streaming payload
    ("mediastore-data", "rest-json", "DescribeObject"),  # header timestamps on HEAD
    ("appconfig", "rest-json", "GetHostedConfigurationVersion"),  # integer header, blob payload
    ("s3", "rest-xml", "ListObjectsV2"),
    ("s3", "rest-xml", "ListObjectVersions"),
    ("s3", "rest-xml", "GetObject"),
    ("s3", "rest-xml", "HeadObject"),
    ("s3", "rest-xml", "GetBucketAcl"),
    ("s3", "rest-xml", "GetBucketLifecycleConfiguration"),
    ("s3", "rest-xml", "ListMultipartUploads"),
    ("s3", "rest-xml", "GetBucketLocation"),
    ("s3", "rest-xml", "GetBucketPolicy"),  # string payload
    ("s3", "rest-xml", "GetObjectRetention"),  # structure payload
    ("s3", "rest-xml", "DeleteObjects"),
    ("s3", "rest-xml", "PutObject"),  # headers only
    ("route53", "rest-xml", "ListHostedZones"),
    ("cloudfront", "rest-xml", "GetDistribution"),
]

_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize(("service", "protocol", "name"), OPERATIONS, ids=lambda x: x)
def test_botocore_reads_back_every_output(service: str, protocol: str, name: str) -> None:
    operation = service_model(service).operation_model(name)
    assert protocol in operation.metadata.get("protocols", [operation.metadata["protocol"]])

    @_SETTINGS
    @given(OutputStrategies(protocol).for_operation(operation))
    def check(output: dict[str, Any]) -> None:
        assert_round_trip(service, protocol, operation, output)

    check()


# -- errors ---------------------------------------------------------------------------------

ERROR_CASES = [
    ("sts", "query", "GetCallerIdentity"),
    ("iam", "query", "GetUser"),
    ("ec2", "ec2", "DescribeVpcs"),
    ("sqs", "json", "ReceiveMessage"),
    ("cloudwatch", "json", "GetMetricData"),  # awsQueryCompatible with error.code traits
    ("logs", "json", "GetLogEvents"),
    ("lambda", "rest-json", "GetFunction"),
    ("s3", "rest-xml", "ListObjectsV2"),
    ("route53", "rest-xml", "ListHostedZones"),
]
_CODES = st.from_regex(r"[A-Z][A-Za-z0-9.]{0,24}", fullmatch=True)
_MESSAGES = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)
_STATUSES = st.sampled_from([400, 403, 404, 409, 429, 500, 503])


@pytest.mark.parametrize(("service", "protocol", "name"), ERROR_CASES, ids=lambda x: x)
def test_botocore_recovers_error_code_message_and_status(service: str, protocol: str, name: str) -> None:
    operation = service_model(service).operation_model(name)

    @settings(max_examples=30, deadline=None)
    @given(code=_CODES, message=_MESSAGES, status=_STATUSES)
    def check(code: str, message: str, status: int) -> None:
        serializer = create_serializer(service, protocol)
        error = ServiceError(code, message, status=status)
        response = serializer.serialize_error(error, operation, REQUEST_ID)
        parsed = botocore_parse_error(protocol, operation, response)
        assert response.status == status
        assert parsed["ResponseMetadata"]["HTTPStatusCode"] == status
        assert parsed["ResponseMetadata"]["RequestId"] == REQUEST_ID
        if serializer.protocol == "json" and serializer.query_compatible:  # type: ignore[attr-defined]
            # SDKs raise by the query-era code; the json code travels beside it.
            assert parsed["Error"]["QueryErrorCode"] == serializer.json_error_code(error)
        elif protocol in XML_PROTOCOLS:
            assert parsed["Error"]["Code"] == serializer.xml_error_code(error)
        else:
            assert parsed["Error"]["Code"] == serializer.json_error_code(error)
        assert parsed["Error"]["Message"] == message

    check()


@pytest.mark.parametrize(
    ("code", "query_code", "status"),
    [
        ("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", 400),
        ("AWS.SimpleQueueService.NonExistentQueue", "AWS.SimpleQueueService.NonExistentQueue", 400),
        ("QueueNameExists", "QueueAlreadyExists", 400),
        ("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", 404),
        ("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403),
        ("InvalidParameterValue", "InvalidParameterValue", 400),  # not a modeled shape
    ],
)
def test_sqs_json_errors_carry_the_query_error_code_sdks_raise_by(
    code: str, query_code: str, status: int
) -> None:
    operation = service_model("sqs").operation_model("GetQueueUrl")
    response = create_serializer("sqs", "json").serialize_error(
        ServiceError(code, "nope"), operation, REQUEST_ID
    )
    parsed = botocore_parse_error("json", operation, response)
    assert response.status == status
    assert response.header("x-amzn-query-error") == f"{query_code};Sender"
    assert parsed["Error"]["Code"] == query_code
    assert parsed["Error"]["Type"] == "Sender"
    assert parsed["Error"]["Message"] == "nope"


def test_error_status_comes_from_the_model_when_the_error_gives_none() -> None:
    operation = service_model("iam").operation_model("GetUser")
    response = create_serializer("iam", "query").serialize_error(
        ServiceError("NoSuchEntityException", "no user"), operation, REQUEST_ID
    )
    parsed = botocore_parse_error("query", operation, response)
    assert response.status == 404
    assert parsed["Error"] == {"Type": "Sender", "Code": "NoSuchEntity", "Message": "no user"}


@pytest.mark.parametrize(
    ("service", "protocol", "operation_name", "code"),
    [
        ("kms", "json", "Decrypt", "KMSInternalException"),
        ("logs", "json", "PutLogEvents", "ServiceUnavailableException"),
        ("s3control", "rest-xml", "ListAccessPoints", "InternalServiceException"),
    ],
)
def test_a_server_fault_the_model_gives_no_status_is_500(
    service: str, protocol: str, operation_name: str, code: str
) -> None:
    # An error shape marked "fault": true with no httpStatusCode is a 500 (botocore's protocol tests
    # answer such errors 500), a Receiver fault in XML, which SDKs retry as a server error.
    operation = service_model(service).operation_model(operation_name)
    response = create_serializer(service, protocol).serialize_error(ServiceError(code, "boom"), operation, REQUEST_ID)
    parsed = botocore_parse_error(protocol, operation, response)
    assert response.status == 500
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 500
    if protocol == "rest-xml":
        assert b"<Type>Receiver</Type>" in response.body  # type: ignore[operator]


def test_unknown_error_without_status_is_400_and_5xx_is_a_receiver_fault() -> None:
    serializer = create_serializer("sts", "query")
    assert serializer.serialize_error(ServiceError("Whatever", "x"), None, REQUEST_ID).status == 400
    response = serializer.serialize_error(ServiceError("InternalFailure", "x", status=500), None, REQUEST_ID)
    assert b"<Type>Receiver</Type>" in response.body  # type: ignore[operator]


@pytest.mark.parametrize(
    ("service", "protocol", "name"),
    [
        ("sts", "query", "GetCallerIdentity"),
        ("ec2", "ec2", "DescribeVpcs"),
        ("logs", "json", "GetLogEvents"),
        ("lambda", "rest-json", "GetFunction"),
        ("s3", "rest-xml", "ListObjectsV2"),
        ("route53", "rest-xml", "ListHostedZones"),
    ],
)
def test_error_fields_and_headers_reach_the_client(service: str, protocol: str, name: str) -> None:
    operation = service_model(service).operation_model(name)
    error = ServiceError(
        "SomeError", "bad <thing> & more", status=409, headers={"x-custom": "1"}, Resource="r&1"
    )
    response = create_serializer(service, protocol).serialize_error(error, operation, REQUEST_ID)
    parsed = botocore_parse_error(protocol, operation, response)
    assert response.header("x-custom") == "1"
    assert parsed["Error"]["Message"] == "bad <thing> & more"
    if protocol in XML_PROTOCOLS:  # botocore keeps extra XML error members; JSON ones stay in the body
        assert parsed["Error"]["Resource"] == "r&1"
