"""SQS over the query protocol asked for JSON (`Accept: application/json`), as API Gateway's AWS
integrations and hand-written clients ask: the query answer written as JSON, in the shapes answers
recorded from AWS show — every member present (absent ones null), `messages` and `queueUrls` as
SQS's own model names them, queue attributes as {"Name", "Value"} entries — and errors as
{"Error": {"Code", "Message", "Type"}, "RequestId"}."""

from __future__ import annotations

from typing import Any

from tests.services.sqs.support import QueryClient, md5_of_body, unique


def _queue(sqs: Any) -> tuple[str, str]:
    """(queue URL, its path) of a new queue."""
    url: str = sqs.create_queue(QueueName=unique("json"))["QueueUrl"]
    return url, "/" + url.split("/", 3)[3]


def test_send_message_answers_every_member_of_the_result(query: QueryClient, sqs: Any) -> None:
    # AWS (API Gateway to SQS, recorded): {"SendMessageResponse": {"ResponseMetadata": {"RequestId": ...},
    # "SendMessageResult": {"MD5OfMessageAttributes": null, "MD5OfMessageBody": "...",
    # "MD5OfMessageSystemAttributes": null, "MessageId": "...", "SequenceNumber": null}}}
    _, path = _queue(sqs)

    status, headers, doc = query.json("SendMessage", path, MessageBody="hello")

    assert (status, headers["content-type"]) == (200, "application/json")
    result = doc["SendMessageResponse"]["SendMessageResult"]
    assert result == {
        "MD5OfMessageBody": md5_of_body("hello"),
        "MD5OfMessageAttributes": None,
        "MD5OfMessageSystemAttributes": None,
        "MessageId": result["MessageId"],
        "SequenceNumber": None,
    }
    assert doc["SendMessageResponse"]["ResponseMetadata"] == {"RequestId": headers["x-amzn-requestid"]}


def test_receive_message_lists_messages_under_lower_case_messages(query: QueryClient, sqs: Any) -> None:
    # AWS (recorded): {"ReceiveMessageResult": {"messages": [{"Attributes": {"ApproximateReceiveCount":
    # "1"}, "Body": ..., "MD5OfBody": ..., "MD5OfMessageAttributes": null, "MessageAttributes": null,
    # "MessageId": ..., "ReceiptHandle": ...}]}}, and {"messages": null} from an empty queue.
    url, path = _queue(sqs)
    sent = sqs.send_message(QueueUrl=url, MessageBody="body")

    status, _, doc = query.json("ReceiveMessage", path, **{"AttributeName.1": "ApproximateReceiveCount"})
    _, _, empty = query.json("ReceiveMessage", path)

    assert status == 200
    [message] = doc["ReceiveMessageResponse"]["ReceiveMessageResult"]["messages"]
    assert message == {
        "MessageId": sent["MessageId"],
        "ReceiptHandle": message["ReceiptHandle"],
        "MD5OfBody": md5_of_body("body"),
        "Body": "body",
        "Attributes": {"ApproximateReceiveCount": "1"},
        "MD5OfMessageAttributes": None,
        "MessageAttributes": None,
    }
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])  # a handle that works
    assert empty["ReceiveMessageResponse"]["ReceiveMessageResult"] == {"messages": None}


def test_list_queues_names_queue_urls_as_sqs_does(query: QueryClient, sqs: Any) -> None:
    # AWS (recorded): {"ListQueuesResult": {"NextExclusiveStartQueueName": null, "NextToken": null,
    # "queueUrls": [...]}}
    url, _ = _queue(sqs)
    prefix = url.rsplit("/", 1)[1]

    status, _, doc = query.json("ListQueues", QueueNamePrefix=prefix)

    assert status == 200
    assert doc["ListQueuesResponse"]["ListQueuesResult"] == {
        "queueUrls": [url],
        "NextToken": None,
        "NextExclusiveStartQueueName": None,
    }


def test_get_queue_attributes_by_get_lists_name_value_entries(query: QueryClient, sqs: Any) -> None:
    # LocalStack's AWS-validated test_get_queue_attributes_json_format reads
    # doc["GetQueueAttributesResponse"]["GetQueueAttributesResult"]["Attributes"] as a list of
    # {"Name": ..., "Value": ...}.
    url, path = _queue(sqs)
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    status, _, doc = query.json("GetQueueAttributes", path, method="GET", **{"AttributeName.1": "All"})

    assert status == 200
    attributes = doc["GetQueueAttributesResponse"]["GetQueueAttributesResult"]["Attributes"]
    assert {"Name": "QueueArn", "Value": arn} in attributes
    assert {"Name": "VisibilityTimeout", "Value": "30"} in attributes


def test_an_error_is_a_json_error_document(query: QueryClient, sqs: Any) -> None:
    # LocalStack's AWS-validated test_get_list_queues_fails_json_format: 400, Error.Code InvalidAction,
    # Error.Message "The action ListQueues is not valid for this endpoint."; the document's shape as AWS
    # recorded it (API Gateway to SQS): {"Error": {"Code", "Message", "Type": "Sender"}, "RequestId"}.
    _, path = _queue(sqs)

    status, headers, doc = query.json("ListQueues", path, method="GET")

    assert (status, headers["content-type"]) == (400, "application/json")
    assert doc == {
        "Error": {
            "Code": "InvalidAction",
            "Message": "The action ListQueues is not valid for this endpoint.",
            "Type": "Sender",
        },
        "RequestId": headers["x-amzn-requestid"],
    }


def test_a_missing_queue_is_its_legacy_code_in_json(query: QueryClient) -> None:
    status, _, doc = query.json("GetQueueUrl", QueueName=unique("missing"))

    assert status == 400
    assert doc["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert doc["Error"]["Type"] == "Sender"


def test_a_request_naming_no_action_is_still_the_bare_xml_document(query: QueryClient, sqs: Any) -> None:
    # LocalStack's AWS-validated test_get_without_query_json_format_returns_returns_xml.
    _, path = _queue(sqs)

    status, _, body = query.json(None, path, method="GET")

    assert status == 404
    assert body.startswith("<UnknownOperationException")


def test_without_accept_json_the_answer_stays_xml(query: QueryClient, sqs: Any) -> None:
    _, path = _queue(sqs)

    status, root = query.call("SendMessage", path, MessageBody="x")

    assert status == 200 and root.tag.endswith("SendMessageResponse")
