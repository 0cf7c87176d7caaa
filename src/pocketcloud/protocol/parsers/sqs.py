"""SQS called over the query protocol: the parameter names its query API used.

botocore's SQS model moved to the json protocol and dropped the names that
only the query protocol needed, so the model alone would read
`Attributes.1.key`; SQS's query API (and every SDK of that era) sends
`Attribute.1.Name`/`Attribute.1.Value`, `MessageAttribute.1.Value.StringValue`,
`SendMessageBatchRequestEntry.1.Id`, `AttributeName.1`, `Tag.1.Key`, ...
They are restored here from SQS's published query API reference; the
response side is `serializers/sqs.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketcloud.protocol.errors import MalformedRequest, UnknownOperation
from pocketcloud.protocol.parsers.query import QueryParser
from pocketcloud.protocol.values import is_digits

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

    from pocketcloud.gateway.http import Request

# (structure shape, member) → the member's name on the wire (flattened lists and maps).
MEMBER_NAMES: dict[tuple[str, str], str] = {
    ("CreateQueueRequest", "Attributes"): "Attribute",
    ("CreateQueueRequest", "tags"): "Tag",
    ("SetQueueAttributesRequest", "Attributes"): "Attribute",
    ("GetQueueAttributesRequest", "AttributeNames"): "AttributeName",
    ("ReceiveMessageRequest", "AttributeNames"): "AttributeName",
    ("ReceiveMessageRequest", "MessageSystemAttributeNames"): "MessageSystemAttributeName",
    ("ReceiveMessageRequest", "MessageAttributeNames"): "MessageAttributeName",
    ("SendMessageRequest", "MessageAttributes"): "MessageAttribute",
    ("SendMessageRequest", "MessageSystemAttributes"): "MessageSystemAttribute",
    ("SendMessageBatchRequestEntry", "MessageAttributes"): "MessageAttribute",
    ("SendMessageBatchRequestEntry", "MessageSystemAttributes"): "MessageSystemAttribute",
    ("SendMessageBatchRequest", "Entries"): "SendMessageBatchRequestEntry",
    ("DeleteMessageBatchRequest", "Entries"): "DeleteMessageBatchRequestEntry",
    ("ChangeMessageVisibilityBatchRequest", "Entries"): "ChangeMessageVisibilityBatchRequestEntry",
    ("MessageAttributeValue", "StringListValues"): "StringListValue",
    ("MessageAttributeValue", "BinaryListValues"): "BinaryListValue",
    ("MessageSystemAttributeValue", "StringListValues"): "StringListValue",
    ("MessageSystemAttributeValue", "BinaryListValues"): "BinaryListValue",
    ("TagQueueRequest", "Tags"): "Tag",
    ("UntagQueueRequest", "TagKeys"): "TagKey",
    ("AddPermissionRequest", "AWSAccountIds"): "AWSAccountId",
    ("AddPermissionRequest", "Actions"): "ActionName",
}
# map shape → (key name, value name) of its entries.
MAP_ENTRY_NAMES: dict[str, tuple[str, str]] = {
    "QueueAttributeMap": ("Name", "Value"),
    "MessageBodyAttributeMap": ("Name", "Value"),
    "MessageBodySystemAttributeMap": ("Name", "Value"),
    "TagMap": ("Key", "Value"),
}


_NESTED = frozenset({"structure", "list", "map"})

# Actions that name no queue, which SQS refuses when they are sent to a queue's URL.
_NOT_ON_A_QUEUE_URL = frozenset({"CreateQueue", "ListQueues"})


class SqsQueryParser(QueryParser):
    async def read_request(self, request: Request) -> tuple[OperationModel, dict[str, Any]]:
        operation, params = await super().read_request(request)
        if operation.name in _NOT_ON_A_QUEUE_URL and "/" in request.path.strip("/"):
            raise self.unknown_operation(operation.name)
        return operation, params

    def unknown_operation(self, name: str) -> UnknownOperation:
        return UnknownOperation("InvalidAction", f"The action {name} is not valid for this endpoint.")

    def malformed_missing_action(self) -> MalformedRequest:
        # A request naming no action at all (a bare GET of a queue URL): AWS's front end answers
        # 404 with a bare <UnknownOperationException/> document (`serializers/sqs.py`).
        return MalformedRequest("UnknownOperationException", "", status=404)

    def member_wire_name(self, structure: Shape, member: str, shape: Shape) -> str:
        return MEMBER_NAMES.get((structure.name, member)) or self.wire_name(member, shape)

    # SQS reads a list or map parameter sent without its index as that one entry: the query API
    # reference's GetQueueAttributes example sends `&AttributeName=All` and answers every
    # attribute, and boto 2 (whose SQS code kombu's async client still carries) sent
    # `AttributeName=X` and `Attribute.Name=..&Attribute.Value=..`, its integration tests reading
    # the values back from SQS; its AddPermission sent `AWSAccountId=..&ActionName=..` alike.
    def list_items(self, node: Any, shape: Shape) -> list[Any]:
        if isinstance(node, str) and node and shape.member.type_name not in _NESTED:
            return [node]  # an empty `Name=` stays the empty list
        return super().list_items(node, shape)

    def _map(self, node: Any, shape: Shape, where: str) -> dict[str, Any]:
        names = MAP_ENTRY_NAMES.get(shape.name)
        if names is None:
            return super()._map(node, shape, where)
        if not isinstance(node, dict):
            return {}
        key_name, value_name = names
        result: dict[str, Any] = {}
        indexes = sorted((k for k in node if is_digits(k, 4000)), key=int)
        # `Attribute.Name=..&Attribute.Value=..`, with no index, is the map's one entry (see list_items).
        for entry in [node[index] for index in indexes] or [node]:
            if not isinstance(entry, dict) or key_name not in entry:
                continue
            key = self._value(entry[key_name], shape.key, where)
            value = entry.get(value_name)
            result[key] = self._value(value, shape.value, where) if value is not None else None
        return result
