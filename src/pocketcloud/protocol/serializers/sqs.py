"""SQS: a json service that older SDKs still call over query.

botocore's SQS model moved to the json protocol and, in doing so, dropped what
only the query protocol used: the element names of its flattened lists and
maps (`<Message>`, `<Attribute><Name/><Value/></Attribute>`, `<QueueUrl>`) and
the legacy error codes (`AWS.SimpleQueueService.NonExistentQueue`). Both are
restored here, from SQS's published query API and the Smithy model's
awsQueryError traits:

- `SqsQuerySerializer` writes query responses and errors with those names;
- `SqsJsonSerializer` sends the legacy code in `x-amzn-query-error`, which is
  how SDKs keep raising the exception classes of the query era.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketcloud.gateway.http import Response
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import error_shapes

from .json import JsonSerializer
from .query import QuerySerializer

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape


_NAME_VALUE = {"keyName": "Name", "valueName": "Value"}

# (structure shape, member) → the element names SQS's query API uses.
_QUERY_NAMES: dict[tuple[str, str], dict[str, Any]] = {
    ("ReceiveMessageResult", "Messages"): {"name": "Message"},
    ("Message", "Attributes"): {"name": "Attribute", **_NAME_VALUE},
    ("Message", "MessageAttributes"): {"name": "MessageAttribute", **_NAME_VALUE},
    ("MessageAttributeValue", "StringListValues"): {"name": "StringListValue"},
    ("MessageAttributeValue", "BinaryListValues"): {"name": "BinaryListValue"},
    ("GetQueueAttributesResult", "Attributes"): {"name": "Attribute", **_NAME_VALUE},
    ("ListQueuesResult", "QueueUrls"): {"name": "QueueUrl"},
    ("ListDeadLetterSourceQueuesResult", "queueUrls"): {"name": "QueueUrl"},
    ("ListQueueTagsResult", "Tags"): {"name": "Tag", "keyName": "Key", "valueName": "Value"},
    ("SendMessageBatchResult", "Successful"): {"name": "SendMessageBatchResultEntry"},
    ("SendMessageBatchResult", "Failed"): {"name": "BatchResultErrorEntry"},
    ("DeleteMessageBatchResult", "Successful"): {"name": "DeleteMessageBatchResultEntry"},
    ("DeleteMessageBatchResult", "Failed"): {"name": "BatchResultErrorEntry"},
    ("ChangeMessageVisibilityBatchResult", "Successful"): {"name": "ChangeMessageVisibilityBatchResultEntry"},
    ("ChangeMessageVisibilityBatchResult", "Failed"): {"name": "BatchResultErrorEntry"},
    ("ListMessageMoveTasksResult", "Results"): {"name": "ListMessageMoveTasksResultEntry"},
}

# Error shape → (code under query, HTTP status). Shapes not listed kept their
# name as their query code; the model itself gives none of these statuses.
_QUERY_ERRORS: dict[str, tuple[str, int]] = {
    # Not a shape: the authorizer's denial, which SQS reports as AccessDenied.
    "AccessDeniedException": ("AccessDenied", 403),
    "BatchEntryIdsNotDistinct": ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400),
    "BatchRequestTooLong": ("AWS.SimpleQueueService.BatchRequestTooLong", 400),
    "EmptyBatchRequest": ("AWS.SimpleQueueService.EmptyBatchRequest", 400),
    "InvalidAddress": ("InvalidAddress", 404),
    "InvalidBatchEntryId": ("AWS.SimpleQueueService.InvalidBatchEntryId", 400),
    "InvalidSecurity": ("InvalidSecurity", 403),
    "KmsAccessDenied": ("KMS.AccessDeniedException", 400),
    "KmsDisabled": ("KMS.DisabledException", 400),
    "KmsInvalidKeyUsage": ("KMS.InvalidKeyUsageException", 400),
    "KmsInvalidState": ("KMS.InvalidStateException", 400),
    "KmsNotFound": ("KMS.NotFoundException", 400),
    "KmsOptInRequired": ("KMS.OptInRequired", 403),
    "KmsThrottled": ("KMS.ThrottlingException", 400),
    "MessageNotInflight": ("AWS.SimpleQueueService.MessageNotInflight", 400),
    "OverLimit": ("OverLimit", 403),
    "PurgeQueueInProgress": ("AWS.SimpleQueueService.PurgeQueueInProgress", 403),
    "QueueDeletedRecently": ("AWS.SimpleQueueService.QueueDeletedRecently", 400),
    "QueueDoesNotExist": ("AWS.SimpleQueueService.NonExistentQueue", 400),
    "QueueNameExists": ("QueueAlreadyExists", 400),
    "ReceiptHandleIsInvalid": ("ReceiptHandleIsInvalid", 404),
    "RequestThrottled": ("RequestThrottled", 403),
    "ResourceNotFoundException": ("ResourceNotFoundException", 404),
    "TooManyEntriesInBatchRequest": ("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400),
    "UnsupportedOperation": ("AWS.SimpleQueueService.UnsupportedOperation", 400),
}
# Query-era codes whose json `__type` is another name (what real SQS answers over json,
# while `x-amzn-query-error` keeps the query code that SDKs raise): the request checks and the
# authentication failures of the Coral framework SQS runs on.
_JSON_TYPES = {
    "InvalidParameterValue": "InvalidParameterValueException",
    "MissingParameter": "MissingRequiredParameterException",
    "InvalidAction": "UnknownOperationException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    "IncompleteSignature": "IncompleteSignatureException",
    "ExpiredToken": "ExpiredTokenException",
}
# A json error's `__type` names its namespace: SQS's own for the errors of its model
# ("com.amazonaws.sqs#QueueDoesNotExist", SQS Developer Guide, "Interpreting Amazon SQS JSON API
# responses"), the Coral framework's for the rest (validation, authentication, unknown operation).
_SQS_NAMESPACE = "com.amazonaws.sqs#"
_CORAL_NAMESPACE = "com.amazon.coral.service#"
# A provider may raise either spelling; both lead to the shape.
_SHAPE_BY_QUERY_CODE = {code: shape for shape, (code, _) in _QUERY_ERRORS.items()}
_SHAPE_BY_QUERY_CODE.update({json_type: code for code, json_type in _JSON_TYPES.items()})


def _shape_name(code: str) -> str:
    return _SHAPE_BY_QUERY_CODE.get(code, code)


def _query_code(code: str) -> str:
    name = _shape_name(code)
    return _QUERY_ERRORS[name][0] if name in _QUERY_ERRORS else name


def _status(code: str) -> int | None:
    entry = _QUERY_ERRORS.get(_shape_name(code))
    return entry[1] if entry else None


class SqsQuerySerializer(QuerySerializer):
    xml_overrides = _QUERY_NAMES
    default_namespace = "http://queue.amazonaws.com/doc/2012-11-05/"
    # SQS's query answers in JSON (Accept: application/json, query_json.py) name and shape a few
    # members as its service's own model does, not as botocore's: answers recorded from AWS show
    # ReceiveMessageResult {"messages": [...] or null}, ListQueuesResult {"NextExclusiveStartQueueName":
    # null, "NextToken": ..., "queueUrls": [...]}, and GetQueueAttributesResult's Attributes as a list
    # of {"Name", "Value"} (LocalStack's AWS-validated test_get_queue_attributes_json_format), while a
    # message's Attributes stay an object.
    json_member_names = {
        ("ReceiveMessageResult", "Messages"): "messages",
        ("ListQueuesResult", "QueueUrls"): "queueUrls",
    }
    json_entry_lists = frozenset({("GetQueueAttributesResult", "Attributes")})
    json_extra_members = {"ListQueuesResult": ("NextExclusiveStartQueueName",)}

    def error_shape(self, error: ServiceError) -> Shape | None:
        return error_shapes(self.service).get(_shape_name(error.code))

    def xml_error_code(self, error: ServiceError) -> str:
        return _query_code(error.code)

    def fallback_error_status(self, error: ServiceError) -> int | None:
        return _status(error.code)

    def serialize(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> Response:
        response = super().serialize(operation, output, request_id)
        if not output and isinstance(response.body, bytes):
            # An empty result is one empty element, as SQS writes it: <ReceiveMessageResult/>.
            wrapper = f"{operation.name}Result".encode()
            response.body = response.body.replace(b"<%s></%s>" % (wrapper, wrapper), b"<%s/>" % wrapper, 1)
        return response

    def front_end_error(self, error: ServiceError) -> Response | None:
        if error.code == "UnknownOperationException":
            # A request naming no action: SQS's front end answers with the bare document, in XML even
            # to a request that accepts JSON (LocalStack's AWS-validated
            # test_get_without_query_json_format_returns_returns_xml).
            return Response(
                error.status or 404, [("Content-Type", self.content_type)], b"<UnknownOperationException/>\n"
            )
        return None

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> Response:
        bare = self.front_end_error(error)
        if bare is not None:
            return bare
        # SQS closes every query error with an empty <Detail/> (SDKs show it as Detail: None).
        response = super().serialize_error(error, operation, request_id)
        if isinstance(response.body, bytes):
            response.body = response.body.replace(b"</Error><RequestId>", b"<Detail/></Error><RequestId>", 1)
        return response


class SqsJsonSerializer(JsonSerializer):
    def error_shape(self, error: ServiceError) -> Shape | None:
        return error_shapes(self.service).get(_shape_name(error.code))

    def json_error_code(self, error: ServiceError) -> str:
        name = _shape_name(error.code)
        return _JSON_TYPES.get(name, name)

    def error_message_key(self, error: ServiceError, shape: Shape | None) -> str:
        # Coral's own access denial spells it "Message" (SQS over json, measured: 403,
        # {"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: ... is not
        # authorized to perform: sqs:sendmessage on resource: ..."}); SQS's errors say "message".
        if _shape_name(error.code) == "AccessDeniedException":
            return "Message"
        return super().error_message_key(error, shape)

    def json_error_type(self, error: ServiceError) -> str:
        name = self.json_error_code(error)
        modeled = self.error_shape(error) is not None
        return (_SQS_NAMESPACE if modeled else _CORAL_NAMESPACE) + name

    def query_error_code(self, error: ServiceError) -> str:
        return _query_code(error.code)

    def fallback_error_status(self, error: ServiceError) -> int | None:
        return _status(error.code)
