"""SQS over the query protocol: the parser reads SQS's own query names into the json model's members."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from pocketcloud.gateway.http import BytesBody, Request
from pocketcloud.protocol.models import service_model
from pocketcloud.protocol.parsers import create_parser
from pocketcloud.protocol.parsers.sqs import MAP_ENTRY_NAMES, MEMBER_NAMES


def _parse(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
    body = urlencode({"Version": "2012-11-05", **params}).encode()
    request = Request("POST", "/", "", {"content-type": "application/x-www-form-urlencoded"}, BytesBody(body))
    operation, parsed = asyncio.run(create_parser("sqs", "query").parse(request))
    return operation.name, parsed


def test_every_flattened_input_list_and_map_has_its_query_name() -> None:
    model = service_model("sqs")
    missing = []
    for name in model.operation_names:
        pending = [model.operation_model(name).input_shape]
        seen = set()
        while pending:
            shape = pending.pop()
            if shape is None or shape.name in seen or shape.type_name != "structure":
                continue
            seen.add(shape.name)
            for member, member_shape in shape.members.items():
                if member_shape.type_name in ("list", "map") and (shape.name, member) not in MEMBER_NAMES:
                    missing.append((shape.name, member))
                if member_shape.type_name == "map" and member_shape.name not in MAP_ENTRY_NAMES:
                    missing.append((member_shape.name, "entries"))
                pending.append(member_shape.member if member_shape.type_name == "list" else member_shape)
                if member_shape.type_name == "map":
                    pending.append(member_shape.value)
    assert missing == []


def test_a_send_message_batch_in_sqs_query_names() -> None:
    operation, params = _parse({
        "Action": "SendMessageBatch", "QueueUrl": "http://localhost/000000000000/q",
        "SendMessageBatchRequestEntry.1.Id": "a", "SendMessageBatchRequestEntry.1.MessageBody": "one",
        "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name": "n",
        "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType": "Number",
        "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue": "1",
        "SendMessageBatchRequestEntry.2.Id": "b", "SendMessageBatchRequestEntry.2.MessageBody": "two",
        "SendMessageBatchRequestEntry.2.DelaySeconds": "3",
        "SendMessageBatchRequestEntry.2.MessageSystemAttribute.1.Name": "AWSTraceHeader",
        "SendMessageBatchRequestEntry.2.MessageSystemAttribute.1.Value.DataType": "String",
        "SendMessageBatchRequestEntry.2.MessageSystemAttribute.1.Value.StringValue": "Root=1",
        "SendMessageBatchRequestEntry.10.Id": "c", "SendMessageBatchRequestEntry.10.MessageBody": "ten",
    })
    assert operation == "SendMessageBatch"
    assert params["Entries"] == [
        {"Id": "a", "MessageBody": "one", "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "1"}}},
        {"Id": "b", "MessageBody": "two", "DelaySeconds": 3,
         "MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1"}}},
        {"Id": "c", "MessageBody": "ten"},
    ]


def test_queue_attributes_tags_and_names_in_sqs_query_names() -> None:
    _, created = _parse({"Action": "CreateQueue", "QueueName": "q", "Attribute.1.Name": "DelaySeconds",
                         "Attribute.1.Value": "5", "Tag.1.Key": "team", "Tag.1.Value": "a"})
    assert created == {"QueueName": "q", "Attributes": {"DelaySeconds": "5"}, "tags": {"team": "a"}}
    _, received = _parse({"Action": "ReceiveMessage", "QueueUrl": "u", "AttributeName.1": "All",
                          "MessageAttributeName.1": "a.*", "MessageAttributeName.2": "b"})
    assert received == {"QueueUrl": "u", "AttributeNames": ["All"], "MessageAttributeNames": ["a.*", "b"]}
    _, untagged = _parse({"Action": "UntagQueue", "QueueUrl": "u", "TagKey.1": "x", "TagKey.2": "y"})
    assert untagged["TagKeys"] == ["x", "y"]
    _, permission = _parse({"Action": "AddPermission", "QueueUrl": "u", "Label": "l", "AWSAccountId.1": "1",
                            "ActionName.1": "SendMessage"})
    assert (permission["AWSAccountIds"], permission["Actions"]) == (["1"], ["SendMessage"])
