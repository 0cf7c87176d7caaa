"""The exact wire form of responses where AWS's own bytes matter, not only what botocore reads.

Document roots and namespaces, request-id placement, S3's and SQS's
peculiarities, XML escaping, header safety, streaming bodies passed through
untouched, the liberal value conventions providers rely on, and the factory.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.etree import ElementTree

import pytest
from botocore.model import ServiceModel
from botocore.parsers import create_parser
from hypothesis import HealthCheck, given, settings

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.protocol.serializers import (
    Ec2Serializer,
    JsonSerializer,
    S3Serializer,
    SqsQuerySerializer,
    create_serializer,
)
from tests.protocol.shape_strategies import OutputStrategies
from tests.protocol.test_serializers import REQUEST_ID, botocore_parse, canonical, wire

JAN_1 = datetime(2024, 1, 1, tzinfo=UTC)


def serialize(service: str, protocol: str, operation: str, output: dict[str, Any] | None) -> Any:
    model = service_model(service).operation_model(operation)
    return create_serializer(service, protocol).serialize(model, output, REQUEST_ID)


def error_response(service: str, protocol: str, error: ServiceError, operation: str | None = None) -> Any:
    model = service_model(service).operation_model(operation) if operation else None
    return create_serializer(service, protocol).serialize_error(error, model, REQUEST_ID)


# -- documents --------------------------------------------------------------------------


def test_query_response_is_wrapped_with_namespace_result_and_request_id() -> None:
    output = {"UserId": "AID", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"}
    response = serialize("sts", "query", "GetCallerIdentity", output)
    assert response.status == 200
    assert response.header("Content-Type") == "text/xml"
    assert response.header("x-amzn-RequestId") == REQUEST_ID
    assert response.body == (
        b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        b"<GetCallerIdentityResult><UserId>AID</UserId><Account>000000000000</Account>"
        b"<Arn>arn:aws:iam::000000000000:root</Arn></GetCallerIdentityResult>"
        b"<ResponseMetadata><RequestId>" + REQUEST_ID.encode() + b"</RequestId></ResponseMetadata>"
        b"</GetCallerIdentityResponse>"
    )


def test_query_operation_without_output_has_only_response_metadata() -> None:
    response = serialize("iam", "query", "DeleteUser", None)
    assert response.body.startswith(b'<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">')
    assert b"Result" not in response.body


def test_query_lists_use_member_and_maps_use_entry_key_value() -> None:
    body = serialize("iam", "query", "ListUsers", {"Users": [{"UserName": "a"}, {"UserName": "b"}]}).body
    assert (
        b"<Users><member><UserName>a</UserName></member><member><UserName>b</UserName></member></Users>"
        in body
    )
    body = serialize("sns", "query", "GetTopicAttributes", {"Attributes": {"Policy": "{}"}}).body
    assert b"<Attributes><entry><key>Policy</key><value>{}</value></entry></Attributes>" in body


def test_ec2_response_has_lowercase_request_id_first_and_item_lists() -> None:
    output = {"Vpcs": [{"VpcId": "vpc-1", "IsDefault": True, "Tags": [{"Key": "k", "Value": "v"}]}]}
    response = serialize("ec2", "ec2", "DescribeVpcs", output)
    assert response.body.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        b"<requestId>" + REQUEST_ID.encode() + b"</requestId><vpcSet><item>"
    )
    assert b"<isDefault>true</isDefault>" in response.body
    assert b"<tagSet><item><key>k</key><value>v</value></item></tagSet>" in response.body


def test_ec2_error_document() -> None:
    error = ServiceError("InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist")
    response = create_serializer("ec2", "ec2").serialize_error(error, None, REQUEST_ID)
    assert response.status == 400
    assert response.body == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code>'
        b"<Message>The vpc ID 'vpc-1' does not exist</Message></Error></Errors>"
        b"<RequestID>" + REQUEST_ID.encode() + b"</RequestID></Response>"
    )


def test_json_body_timestamps_are_epoch_seconds_and_blobs_base64() -> None:
    output = {"Name": "s", "SecretBinary": b"\x00\xff", "CreatedDate": JAN_1 + timedelta(milliseconds=250)}
    response = serialize("secretsmanager", "json", "GetSecretValue", output)
    assert response.header("Content-Type") == "application/x-amz-json-1.1"
    assert response.header("x-amzn-RequestId") == REQUEST_ID
    assert response.body == b'{"Name":"s","SecretBinary":"AP8=","CreatedDate":1704067200.25}'
    assert serialize("sqs", "json", "DeleteQueue", None).body == b"{}"


def test_rest_json_status_headers_and_raw_payload() -> None:
    output = {"StatusCode": 202, "FunctionError": "Unhandled", "Payload": b'{"ok":1}', "Unknown": "ignored"}
    response = serialize("lambda", "rest-json", "Invoke", output)
    assert response.status == 202
    assert response.header("X-Amz-Function-Error") == "Unhandled"
    assert response.body == b'{"ok":1}'
    assert serialize("lambda", "rest-json", "CreateFunction", {"FunctionName": "f"}).status == 201
    deleted = serialize("lambda", "rest-json", "DeleteAlias", None)
    assert (deleted.status, deleted.body) == (204, b"")


def test_rest_json_errors_name_the_code_in_a_header_and_bind_header_members() -> None:
    error = ServiceError(
        "TooManyRequestsException", "slow down", retryAfterSeconds="3", Reason="CallerRateLimitExceeded"
    )
    response = error_response("lambda", "rest-json", error, "Invoke")
    assert response.status == 429  # from the model
    assert response.header("x-amzn-ErrorType") == "TooManyRequestsException"
    assert response.header("Retry-After") == "3"
    assert (
        b'"message":"slow down"' in response.body and b'"Reason":"CallerRateLimitExceeded"' in response.body
    )
    assert b"retryAfterSeconds" not in response.body
    # Lambda's ResourceNotFoundException spells its member `Message`.
    missing = error_response(
        "lambda", "rest-json", ServiceError("ResourceNotFoundException", "Function not found")
    )
    assert missing.status == 404 and b'"Message":"Function not found"' in missing.body


# -- S3 -----------------------------------------------------------------------------------


def test_s3_list_objects_v2_page() -> None:
    output = {
        "Name": "bucket",
        "KeyCount": 1,
        "IsTruncated": False,
        "Contents": [{"Key": "a\rb", "Size": 3, "LastModified": JAN_1, "StorageClass": "STANDARD"}],
        "CommonPrefixes": [{"Prefix": "p/"}, {"Prefix": "q/"}],
    }
    response = serialize("s3", "rest-xml", "ListObjectsV2", output)
    assert response.header("Content-Type") == "application/xml"
    assert response.header("x-amz-request-id") == REQUEST_ID
    assert response.header("x-amz-id-2")
    assert response.header("x-amzn-RequestId") is None
    assert response.body == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        # S3's order, not the model's: the listing's own members, then its entries
        b"<Name>bucket</Name><KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>"
        b"<Contents><Key>a&#13;b</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
        b"<Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>"
        b"<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes>"
        b"<CommonPrefixes><Prefix>q/</Prefix></CommonPrefixes></ListBucketResult>"
    )


def test_s3_grantee_type_is_a_namespaced_xsi_attribute() -> None:
    output = {"Grants": [{"Grantee": {"ID": "abc", "Type": "CanonicalUser"}, "Permission": "READ"}]}
    body = serialize("s3", "rest-xml", "GetBucketAcl", output).body
    assert b"<AccessControlPolicy xmlns=" in body
    assert (
        b'<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:type="CanonicalUser"><ID>abc</ID></Grantee><Permission>READ</Permission></Grant>'
    ) in body


def test_s3_bucket_location_is_the_root_text() -> None:
    body = serialize("s3", "rest-xml", "GetBucketLocation", {"LocationConstraint": "eu-west-1"}).body
    assert body.endswith(
        b'<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>'
    )
    assert serialize("s3", "rest-xml", "GetBucketLocation", {}).body.endswith(
        b"<LocationConstraint " + b'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>'
    )


def test_s3_head_object_headers() -> None:
    output = {
        "LastModified": JAN_1,
        "ContentLength": 1234,
        "ETag": '"abc"',
        "Metadata": {"color": "blue", "name": "café"},
        "ObjectLockRetainUntilDate": JAN_1,
        "DeleteMarker": False,
    }
    response = serialize("s3", "rest-xml", "HeadObject", output)
    assert response.body == b""
    assert response.header("Last-Modified") == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert response.header("Content-Length") == "1234"  # HEAD keeps the object's length
    assert response.header("x-amz-meta-color") == "blue"
    assert response.header("x-amz-meta-name") == "=?UTF-8?B?Y2Fmw6k=?="  # RFC 2047, as S3 sends it
    assert response.header("x-amz-object-lock-retain-until-date") == "2024-01-01T00:00:00.000Z"
    assert response.header("x-amz-delete-marker") == "false"


def test_s3_get_object_streams_the_body_untouched() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"hello"

    stream = chunks()
    response = serialize(
        "s3", "rest-xml", "GetObject", {"Body": stream, "ContentLength": 5, "ContentType": "text/plain"}
    )
    assert response.body is stream
    assert response.header("Content-Length") == "5"  # the server cannot measure a stream
    assert response.header("Content-Type") == "text/plain"
    buffered = serialize("s3", "rest-xml", "GetObject", {"Body": b"hello", "ContentLength": 99})
    assert buffered.body == b"hello"
    assert buffered.header("Content-Length") is None  # the server measures bytes; never a wrong length


def test_s3_errors_are_a_bare_error_document_and_empty_for_head() -> None:
    error = ServiceError("NoSuchKey", "The specified key does not exist.", status=404, Key="a&b")
    model = service_model("s3").operation_model("GetObject")
    response = create_serializer("s3", "rest-xml").serialize_error(error, model, REQUEST_ID)
    host = response.header("x-amz-id-2")
    assert response.body == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
        b"<Message>The specified key does not exist.</Message><Key>a&amp;b</Key>"
        b"<RequestId>"
        + REQUEST_ID.encode()
        + b"</RequestId><HostId>"
        + str(host).encode()
        + b"</HostId></Error>"
    )
    head = service_model("s3").operation_model("HeadObject")
    response = create_serializer("s3", "rest-xml").serialize_error(error, head, REQUEST_ID)
    assert (response.status, response.body) == (404, b"")


def test_other_rest_xml_services_use_their_shape_names_and_error_response() -> None:
    body = serialize("route53", "rest-xml", "ListHostedZones", {"HostedZones": [], "IsTruncated": False}).body
    assert b'<ListHostedZonesResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">' in body
    error = ServiceError("NoSuchHostedZone", "none")
    response = error_response("route53", "rest-xml", error)
    assert response.status == 404
    assert b"<ErrorResponse xmlns=" in response.body and b"<Type>Sender</Type>" in response.body


# -- SQS over query ---------------------------------------------------------------------------


def test_sqs_query_responses_use_the_element_names_of_sqs_query_api() -> None:
    message = {
        "MessageId": "m1",
        "Body": "hi",
        "Attributes": {"SenderId": "AID"},
        "MessageAttributes": {"color": {"DataType": "String", "StringValue": "blue"}},
    }
    body = serialize("sqs", "query", "ReceiveMessage", {"Messages": [message]}).body
    assert body.startswith(b'<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">')
    assert b"<ReceiveMessageResult><Message><MessageId>m1</MessageId><Body>hi</Body>" in body
    assert b"<Attribute><Name>SenderId</Name><Value>AID</Value></Attribute>" in body
    assert (
        b"<MessageAttribute><Name>color</Name><Value><StringValue>blue</StringValue>"
        b"<DataType>String</DataType></Value></MessageAttribute>"
    ) in body
    body = serialize("sqs", "query", "ListQueues", {"QueueUrls": ["u1", "u2"]}).body
    assert b"<ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl></ListQueuesResult>" in body
    error = error_response("sqs", "query", ServiceError("QueueDoesNotExist", "gone"))
    assert b"<Code>AWS.SimpleQueueService.NonExistentQueue</Code>" in error.body


# The names SQS's own query-protocol model gave these members (botocore's SQS
# model before it moved to json), written out independently of the serializer.
_LEGACY_SQS_NAMES = {
    ("ReceiveMessageResult", "Messages"): ("list", "Message"),
    ("Message", "Attributes"): ("map", "Attribute"),
    ("Message", "MessageAttributes"): ("map", "MessageAttribute"),
    ("MessageAttributeValue", "StringListValues"): ("list", "StringListValue"),
    ("MessageAttributeValue", "BinaryListValues"): ("list", "BinaryListValue"),
    ("GetQueueAttributesResult", "Attributes"): ("map", "Attribute"),
    ("ListQueuesResult", "QueueUrls"): ("list", "QueueUrl"),
    ("ListQueueTagsResult", "Tags"): ("tags", "Tag"),
    ("SendMessageBatchResult", "Successful"): ("list", "SendMessageBatchResultEntry"),
    ("SendMessageBatchResult", "Failed"): ("list", "BatchResultErrorEntry"),
}


def _legacy_sqs_query_model() -> ServiceModel:
    description = copy.deepcopy(service_model("sqs")._service_description)
    shapes = description["shapes"]
    for (structure, member), (kind, name) in _LEGACY_SQS_NAMES.items():
        target = shapes[shapes[structure]["members"][member]["shape"]]
        if kind == "list":
            target["member"]["locationName"] = name
        else:
            shapes[structure]["members"][member]["locationName"] = name
            target["key"]["locationName"] = "Key" if kind == "tags" else "Name"
            target["value"]["locationName"] = "Value"
    for name, operation in description["operations"].items():
        if "output" in operation:
            operation["output"]["resultWrapper"] = f"{name}Result"
    description["metadata"]["protocol"] = "query"
    return ServiceModel(description, "sqs")


@pytest.mark.parametrize(
    "name", ["ReceiveMessage", "GetQueueAttributes", "ListQueues", "ListQueueTags", "SendMessageBatch"]
)
def test_sqs_query_responses_read_back_with_the_legacy_query_model(name: str) -> None:
    legacy = _legacy_sqs_query_model().operation_model(name)
    operation = service_model("sqs").operation_model(name)

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(OutputStrategies("query").for_operation(operation))
    def check(output: dict[str, Any]) -> None:
        response = create_serializer("sqs", "query").serialize(operation, output, REQUEST_ID)
        parsed = botocore_parse("query", legacy, response)
        shape = legacy.output_shape
        assert canonical(shape, parsed, "query") == canonical(shape, output, "query")

    check()


# -- escaping, headers, values -----------------------------------------------------------------


def test_characters_xml_cannot_carry_never_break_the_document() -> None:
    response = serialize("sts", "query", "GetCallerIdentity", {"UserId": "a\x00b\x1bc\ufffe\ud800<&>\r\n\t"})
    root = ElementTree.fromstring(response.body)
    text = root.find(".//{*}UserId").text  # type: ignore[union-attr]
    assert text == "a\ufffdb\ufffdc\ufffd\ufffd<&>\r\n\t"


def test_header_values_cannot_inject_headers() -> None:
    response = serialize(
        "s3", "rest-xml", "HeadObject", {"ETag": "x\r\nSet-Cookie: a=b", "Metadata": {"k": "v\n"}}
    )
    assert response.header("ETag") == "x  Set-Cookie: a=b"
    assert response.header("Set-Cookie") is None
    assert response.header("x-amz-meta-k") == "v "


def test_a_request_id_bound_by_the_model_is_sent_once() -> None:
    names = [name for name, _ in serialize("mediastore-data", "rest-json", "DescribeObject", {}).headers]
    assert names.count("x-amzn-RequestId") == 1


@pytest.mark.parametrize(
    "value",
    [
        JAN_1,
        datetime(2024, 1, 1),  # naive means UTC
        datetime(2024, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
        1704067200,
        1704067200.0,
        "2024-01-01T00:00:00Z",
        "2024-01-01T01:00:00+01:00",
    ],
)
def test_timestamps_are_accepted_in_every_form_providers_use(value: Any) -> None:
    body = serialize("sts", "query", "AssumeRole", {"Credentials": {"Expiration": value}}).body
    assert b"<Expiration>2024-01-01T00:00:00Z</Expiration>" in body
    body = serialize("secretsmanager", "json", "GetSecretValue", {"CreatedDate": value}).body
    assert body in (b'{"CreatedDate":1704067200}', b'{"CreatedDate":1704067200.0}')


def test_sub_second_timestamps_keep_milliseconds_and_truncate_the_rest() -> None:
    moment = JAN_1 + timedelta(microseconds=999_999)
    assert (
        b"2024-01-01T00:00:00.999Z"
        in serialize("sts", "query", "AssumeRole", {"Credentials": {"Expiration": moment}}).body
    )
    assert (
        serialize("secretsmanager", "json", "GetSecretValue", {"CreatedDate": moment}).body
        == b'{"CreatedDate":1704067200.999}'
    )


def test_non_finite_floats_use_smithy_spellings() -> None:
    body = serialize(
        "cloudwatch",
        "query",
        "GetMetricStatistics",
        {"Datapoints": [{"Average": float("nan"), "Sum": float("inf")}]},
    ).body
    assert b"<Average>NaN</Average>" in body and b"<Sum>Infinity</Sum>" in body
    parsed = create_parser("query").parse(
        wire(
            serialize("cloudwatch", "query", "GetMetricStatistics", {"Datapoints": [{"Sum": float("-inf")}]}),
            None,
        ),
        service_model("cloudwatch").operation_model("GetMetricStatistics").output_shape,
    )
    assert parsed["Datapoints"][0]["Sum"] == float("-inf")


def test_factory_shares_one_serializer_per_pair_and_picks_quirks() -> None:
    assert create_serializer("s3", "rest-xml") is create_serializer("s3", "rest-xml")
    assert type(create_serializer("s3", "rest-xml")) is S3Serializer
    assert type(create_serializer("sqs", "query")) is SqsQuerySerializer
    assert isinstance(create_serializer("sqs", "json"), JsonSerializer)
    assert type(create_serializer("ec2", "ec2")) is Ec2Serializer
    with pytest.raises(ValueError):
        create_serializer("cloudwatch", "smithy-rpc-v2-cbor")
