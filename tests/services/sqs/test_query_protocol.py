"""SQS over the query protocol, as SDKs of the query era call it: signed `Action=...` form posts
with SQS's own parameter names (`Attribute.1.Name`, `MessageAttribute.1.Value.StringValue`,
`SendMessageBatchRequestEntry.1.Id`, ...), XML answers with its element names, legacy error codes."""

from __future__ import annotations

import base64
from typing import Any

from tests.conftest import ROOT_ACCOUNT
from tests.services.sqs.support import (
    QueryClient,
    find,
    find_all,
    md5_of_attributes,
    md5_of_body,
    text,
    unique,
)


def _create(query: QueryClient, **params: str) -> str:
    root = query.ok("CreateQueue", QueueName=unique(), **params)
    return text(root, "CreateQueueResult/QueueUrl")


def test_create_queue_with_attributes_and_tags(query: QueryClient, sqs: Any, endpoint: str) -> None:
    name = unique()
    root = query.ok(
        "CreateQueue",
        QueueName=name,
        **{
            "Attribute.1.Name": "VisibilityTimeout",
            "Attribute.1.Value": "7",
            "Attribute.2.Name": "DelaySeconds",
            "Attribute.2.Value": "2",
            "Tag.1.Key": "team",
            "Tag.1.Value": "a",
        },
    )
    url = text(root, "CreateQueueResult/QueueUrl")
    assert url == f"{endpoint}/{ROOT_ACCOUNT}/{name}"
    assert text(root, "ResponseMetadata/RequestId")
    attributes = query.ok("GetQueueAttributes", QueueUrl=url, **{"AttributeName.1": "All"})
    values = {
        text(a, "Name"): text(a, "Value") for a in find_all(attributes, "GetQueueAttributesResult/Attribute")
    }
    assert (values["VisibilityTimeout"], values["DelaySeconds"]) == ("7", "2")
    tags = query.ok("ListQueueTags", QueueUrl=url)
    assert [(text(t, "Key"), text(t, "Value")) for t in find_all(tags, "ListQueueTagsResult/Tag")] == [
        ("team", "a")
    ]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}  # the same queue seen over json
    assert text(query.ok("GetQueueUrl", QueueName=name), "GetQueueUrlResult/QueueUrl") == url
    listed = query.ok("ListQueues", QueueNamePrefix=name)
    assert [e.text for e in find_all(listed, "ListQueuesResult/QueueUrl")] == [url]


def test_send_and_receive_with_attributes_over_query(query: QueryClient) -> None:
    url = _create(query)
    body = "line one\r\nline two & <three>"
    sent = query.ok(
        "SendMessage",
        QueueUrl=url,
        MessageBody=body,
        **{
            "MessageAttribute.1.Name": "colour",
            "MessageAttribute.1.Value.DataType": "String",
            "MessageAttribute.1.Value.StringValue": "blue",
            "MessageAttribute.2.Name": "raw",
            "MessageAttribute.2.Value.DataType": "Binary",
            "MessageAttribute.2.Value.BinaryValue": base64.b64encode(b"\x00\xff").decode(),
        },
    )
    expected_attributes = {
        "colour": {"DataType": "String", "StringValue": "blue"},
        "raw": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
    }
    assert text(sent, "SendMessageResult/MD5OfMessageBody") == md5_of_body(body)
    assert text(sent, "SendMessageResult/MD5OfMessageAttributes") == md5_of_attributes(expected_attributes)
    received = query.ok(
        "ReceiveMessage", QueueUrl=url, **{"AttributeName.1": "All", "MessageAttributeName.1": "All"}
    )
    message = find(received, "ReceiveMessageResult/Message")
    assert text(message, "MessageId") == text(sent, "SendMessageResult/MessageId")
    assert text(message, "Body") == body  # CR survives the XML
    assert text(message, "MD5OfBody") == md5_of_body(body)
    system = {text(a, "Name"): text(a, "Value") for a in find_all(message, "Attribute")}
    assert system["ApproximateReceiveCount"] == "1" and system["SenderId"] == ROOT_ACCOUNT
    attributes = {text(a, "Name"): find(a, "Value") for a in find_all(message, "MessageAttribute")}
    assert text(attributes["colour"], "StringValue") == "blue"
    assert base64.b64decode(text(attributes["raw"], "BinaryValue")) == b"\x00\xff"
    assert text(message, "MD5OfMessageAttributes") == md5_of_attributes(expected_attributes)
    query.ok(
        "ChangeMessageVisibility",
        QueueUrl=url,
        ReceiptHandle=text(message, "ReceiptHandle"),
        VisibilityTimeout="0",
    )
    again = find(query.ok("ReceiveMessage", QueueUrl=url), "ReceiveMessageResult/Message")
    query.ok("DeleteMessage", QueueUrl=url, ReceiptHandle=text(again, "ReceiptHandle"))
    assert find_all(query.ok("ReceiveMessage", QueueUrl=url), "ReceiveMessageResult/Message") == []


def test_batches_over_query(query: QueryClient) -> None:
    url = _create(query)
    result = query.ok(
        "SendMessageBatch",
        QueueUrl=url,
        **{
            "SendMessageBatchRequestEntry.1.Id": "a",
            "SendMessageBatchRequestEntry.1.MessageBody": "first",
            "SendMessageBatchRequestEntry.2.Id": "b",
            "SendMessageBatchRequestEntry.2.MessageBody": "second",
            "SendMessageBatchRequestEntry.2.DelaySeconds": "0",
            "SendMessageBatchRequestEntry.3.Id": "c",
            "SendMessageBatchRequestEntry.3.MessageBody": "bad \x01",
        },
    )
    ok = find_all(result, "SendMessageBatchResult/SendMessageBatchResultEntry")
    assert [text(e, "Id") for e in ok] == ["a", "b"]
    failed = find_all(result, "SendMessageBatchResult/BatchResultErrorEntry")
    assert [(text(e, "Id"), text(e, "Code"), text(e, "SenderFault")) for e in failed] == [
        ("c", "InvalidMessageContents", "true")
    ]
    messages = find_all(
        query.ok("ReceiveMessage", QueueUrl=url, MaxNumberOfMessages="10"), "ReceiveMessageResult/Message"
    )
    assert sorted(text(m, "Body") for m in messages) == ["first", "second"]
    deleted = query.ok(
        "DeleteMessageBatch",
        QueueUrl=url,
        **{
            "DeleteMessageBatchRequestEntry.1.Id": "x",
            "DeleteMessageBatchRequestEntry.1.ReceiptHandle": text(messages[0], "ReceiptHandle"),
            "DeleteMessageBatchRequestEntry.2.Id": "y",
            "DeleteMessageBatchRequestEntry.2.ReceiptHandle": "nope",
        },
    )
    assert [
        text(e, "Id") for e in find_all(deleted, "DeleteMessageBatchResult/DeleteMessageBatchResultEntry")
    ] == ["x"]
    assert [text(e, "Code") for e in find_all(deleted, "DeleteMessageBatchResult/BatchResultErrorEntry")] == [
        "ReceiptHandleIsInvalid"
    ]


def test_errors_over_query_carry_the_legacy_codes(query: QueryClient, endpoint: str) -> None:
    status, root = query.call("GetQueueUrl", QueueName=unique())
    assert status == 400
    assert (text(root, "Error/Type"), text(root, "Error/Code"), text(root, "Error/Message")) == (
        "Sender",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist for this wsdl version.",
    )
    url = _create(query)
    status, root = query.call("DeleteMessage", QueueUrl=url, ReceiptHandle="nope")
    assert (status, text(root, "Error/Code")) == (404, "ReceiptHandleIsInvalid")
    status, root = query.call("SendMessage", QueueUrl=url)
    assert (status, text(root, "Error/Code"), text(root, "Error/Message")) == (
        400,
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
    )
    status, root = query.call(
        "SendMessageBatch",
        QueueUrl=url,
        **{
            f"SendMessageBatchRequestEntry.{i}.{k}": v
            for i in range(1, 12)
            for k, v in (("Id", str(i)), ("MessageBody", "x"))
        },
    )
    assert (status, text(root, "Error/Code")) == (400, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
    status, root = query.call(
        "CreateQueue",
        QueueName=unique(),
        **{"Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "99999"},
    )
    assert (status, text(root, "Error/Code")) == (400, "InvalidAttributeValue")


def test_an_old_client_may_post_to_the_queue_url_itself(query: QueryClient) -> None:
    url = _create(query)
    path = "/" + url.split("/", 3)[3]
    query.ok("SendMessage", path=path, MessageBody="to the path")
    message = find(query.ok("ReceiveMessage", path=path), "ReceiveMessageResult/Message")
    assert text(message, "Body") == "to the path"


def test_fifo_over_query(query: QueryClient) -> None:
    url = text(
        query.ok(
            "CreateQueue",
            QueueName=unique() + ".fifo",
            **{
                "Attribute.1.Name": "FifoQueue",
                "Attribute.1.Value": "true",
                "Attribute.2.Name": "ContentBasedDeduplication",
                "Attribute.2.Value": "true",
            },
        ),
        "CreateQueueResult/QueueUrl",
    )
    first = query.ok("SendMessage", QueueUrl=url, MessageBody="one", MessageGroupId="g")
    second = query.ok("SendMessage", QueueUrl=url, MessageBody="one", MessageGroupId="g")
    assert text(first, "SendMessageResult/MessageId") == text(second, "SendMessageResult/MessageId")
    assert len(text(first, "SendMessageResult/SequenceNumber")) == 20
    messages = find_all(
        query.ok(
            "ReceiveMessage", QueueUrl=url, MaxNumberOfMessages="10", **{"AttributeName.1": "MessageGroupId"}
        ),
        "ReceiveMessageResult/Message",
    )
    assert [text(m, "Body") for m in messages] == ["one"]
    assert text(messages[0], "Attribute/Value") == "g"


def test_a_request_naming_no_action_is_an_unknown_operation(query: QueryClient) -> None:
    # AWS answers a bare GET of a queue URL with 404 and a bare <UnknownOperationException/>,
    # in XML even when the client asks for json.
    path = "/" + _create(query).split("/", 3)[3]
    for headers in ({}, {"Accept": "application/json"}):
        status, body = query.raw("GET", path, headers=headers)
        assert (status, body.strip()) == (404, "<UnknownOperationException/>")


def test_an_empty_result_is_one_empty_element(query: QueryClient) -> None:
    # SQS writes <ReceiveMessageResult/> when there is no message to give.
    path = "/" + _create(query).split("/", 3)[3]
    status, body = query.raw("GET", path, {"Action": "ReceiveMessage"})
    assert status == 200
    assert "<ReceiveMessageResult/>" in body
    status, body = query.raw("GET", path, {"Action": "SendMessage", "MessageBody": "foobar"})
    assert status == 200
    status, body = query.raw("GET", path, {"Action": "ReceiveMessage"})
    assert "<Body>foobar</Body>" in body


def test_a_list_or_map_parameter_sent_without_its_index_is_its_one_entry(query: QueryClient) -> None:
    # The query API reference's GetQueueAttributes example sends `&AttributeName=All` and gets every
    # attribute; boto 2 (whose SQS code kombu's async client carries on) sent `AttributeName=X`,
    # `Attribute.Name=..&Attribute.Value=..` and `AWSAccountId=..&ActionName=..` so.
    url = _create(query)

    def attributes(**params: str) -> dict[str, str]:
        root = query.ok("GetQueueAttributes", QueueUrl=url, **params)
        return {
            text(a, "Name"): text(a, "Value") for a in find_all(root, "GetQueueAttributesResult/Attribute")
        }

    query.ok(
        "SetQueueAttributes", QueueUrl=url, **{"Attribute.Name": "VisibilityTimeout", "Attribute.Value": "45"}
    )
    assert attributes(AttributeName="VisibilityTimeout") == {"VisibilityTimeout": "45"}
    everything = attributes(AttributeName="All")
    assert everything["VisibilityTimeout"] == "45" and "ApproximateNumberOfMessages" in everything
    assert attributes(AttributeName="") == {}  # `Name=` is still the empty list

    query.ok(
        "SendMessage",
        QueueUrl=url,
        MessageBody="hi",
        **{
            "MessageAttribute.1.Name": "colour",
            "MessageAttribute.1.Value.DataType": "String",
            "MessageAttribute.1.Value.StringValue": "blue",
        },
    )
    received = query.ok("ReceiveMessage", QueueUrl=url, AttributeName="All", MessageAttributeName="All")
    message = find(received, "ReceiveMessageResult/Message")
    system = {text(a, "Name") for a in find_all(message, "Attribute")}
    assert {"SenderId", "SentTimestamp", "ApproximateReceiveCount"} <= system
    assert text(message, "MessageAttribute/Name") == "colour"

    query.ok("AddPermission", QueueUrl=url, Label="one", AWSAccountId=ROOT_ACCOUNT, ActionName="SendMessage")
    policy = attributes(AttributeName="Policy")["Policy"]
    assert '"Sid":"one"' in policy and '"Action":"SQS:SendMessage"' in policy
