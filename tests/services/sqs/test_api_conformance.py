"""Where SQS answers differently from what one would guess, as real SQS does: the exception types of
its json errors, batch entries that fail alone (a delay over 15 minutes, a body over the queue's
maximum, a bad attribute) and FIFO batches that fail as a whole, visibility changes through late or old receipt
handles, attribute filters, AddPermission's and the tag calls' validation, and the query API's
refusals on a queue's URL. Each expectation comes from responses recorded against AWS."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.sqs.support import QueryClient, error_of, find, text, unique


def _error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The Error of a call's client error; SQS answers all of these with 400."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    error: dict[str, Any] = info.value.response["Error"]
    return error


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


# -- json errors --------------------------------------------------------------------------


def test_json_errors_name_the_exception_types_sqs_uses(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    error = _error(sqs.send_message, QueueUrl=url, MessageBody="x", DelaySeconds=901)
    assert (error["Code"], error["QueryErrorCode"]) == (
        "InvalidParameterValue",
        "InvalidParameterValueException",
    )
    fifo = new_queue(fifo=True)
    error = _error(sqs.send_message, QueueUrl=fifo, MessageBody="x", MessageDeduplicationId="d")
    assert (error["Code"], error["QueryErrorCode"]) == (
        "MissingParameter",
        "MissingRequiredParameterException",
    )
    assert error["Message"] == "The request must contain the parameter MessageGroupId."
    error = _error(sqs.get_queue_url, QueueName=unique("missing"))
    assert (error["Code"], error["QueryErrorCode"]) == (
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
    )


# -- batch entries ----------------------------------------------------------------------------


def _failed(result: dict[str, Any]) -> list[tuple[str, bool, str, str]]:
    return [(f["Id"], f["SenderFault"], f["Code"], f.get("Message", "")) for f in result["Failed"]]


def test_a_batch_entry_delayed_over_15_minutes_fails_alone(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok", "MessageBody": "x", "DelaySeconds": 0},
            {"Id": "late", "MessageBody": "y", "DelaySeconds": 1800},
        ],
    )
    assert [s["Id"] for s in result["Successful"]] == ["ok"]
    assert _failed(result) == [
        (
            "late",
            True,
            "InvalidParameterValue",
            "Value 1800 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.",
        )
    ]
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == ["x"]


def test_a_batch_entry_over_the_queue_maximum_size_fails_alone(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue(MaximumMessageSize=1024)
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[{"Id": "fits", "MessageBody": "x" * 1024}, {"Id": "big", "MessageBody": "x" * 1025}],
    )
    assert [s["Id"] for s in result["Successful"]] == ["fits"]
    assert [entry[:3] for entry in _failed(result)] == [("big", True, "InvalidParameterValue")]


def test_a_batch_entry_with_an_invalid_attribute_fails_alone(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok", "MessageBody": "x"},
            {
                "Id": "empty",
                "MessageBody": "y",
                "MessageAttributes": {"a": {"DataType": "String", "StringValue": ""}},
            },
        ],
    )
    assert [s["Id"] for s in result["Successful"]] == ["ok"]
    assert _failed(result) == [
        (
            "empty",
            True,
            "InvalidParameterValue",
            "Message (user) attribute 'a' must contain a non-empty value of type 'String'.",
        )
    ]


# -- FIFO batches ---------------------------------------------------------------------------


def test_a_fifo_batch_with_an_entry_lacking_its_group_fails_as_a_whole(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue(fifo=True)
    entries = [
        {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d1"},
        {"Id": "b", "MessageBody": "x", "MessageDeduplicationId": "d2"},
    ]
    assert error_of(sqs.send_message_batch, QueueUrl=url, Entries=entries) == (
        "InvalidParameterValue",
        400,
        "The request must contain the parameter MessageGroupId.",
    )
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_a_fifo_batch_with_an_entry_lacking_its_deduplication_id_fails_as_a_whole(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue(fifo=True)
    entries = [
        {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "d1"},
        {"Id": "b", "MessageBody": "x", "MessageGroupId": "g"},
    ]
    assert error_of(sqs.send_message_batch, QueueUrl=url, Entries=entries) == (
        "InvalidParameterValue",
        400,
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    )
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


# -- visibility ----------------------------------------------------------------------------


def test_a_visibility_change_for_a_message_visible_again_is_accepted_and_does_nothing(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=30)
    result = sqs.change_message_visibility_batch(
        QueueUrl=url, Entries=[{"Id": "late", "ReceiptHandle": handle, "VisibilityTimeout": 30}]
    )
    assert result["Successful"] == [{"Id": "late"}] and "Failed" not in result  # an empty list is left out
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "x"


def test_an_earlier_receipt_handle_still_changes_the_visibility(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"][0]["Body"] == "x"
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=first, VisibilityTimeout=0)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "x"


def test_an_earlier_receipt_handle_deletes_the_message(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    first = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    second = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    assert first != second
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    gone = sqs.delete_message(QueueUrl=url, ReceiptHandle=second)  # the message is gone: still a success
    assert gone["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_changing_the_visibility_of_a_deleted_message(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    assert error_of(
        sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=42
    ) == (
        "InvalidParameterValue",
        400,
        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not "
        "available for visibility timeout change.",
    )


# -- message attributes ----------------------------------------------------------------------


def test_message_attribute_names_filters(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(VisibilityTimeout=0)
    attributes = {
        "Help.Me": {"DataType": "String", "StringValue": "Me"},
        "Hello": {"DataType": "String", "StringValue": "There"},
    }
    sent = sqs.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes=attributes)

    def receive(names: list[str]) -> dict[str, Any]:
        message: dict[str, Any] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=names)["Messages"][
            0
        ]
        return message

    for every in (["All"], ["*"], [".*"]):
        message = receive(every)
        assert message["MessageAttributes"] == attributes
        assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert receive(["Hel.*"])["MessageAttributes"] == attributes
    for nothing in (["Foo", "Help"], []):
        message = receive(nothing)
        assert "MessageAttributes" not in message and "MD5OfMessageAttributes" not in message


def test_attribute_names_may_hold_letters_of_any_script_but_no_punctuation(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    sqs.send_message(
        QueueUrl=url,
        MessageBody="x",
        MessageAttributes={"attr.1øßä": {"DataType": "String", "StringValue": "v"}},
    )
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert message["MessageAttributes"] == {"attr.1øßä": {"DataType": "String", "StringValue": "v"}}
    for name in ("Invalid-!-attr", "Invalid-§-attr", "Invalid-(-attr", "Invalid-?-attr", "Invalid."):
        code, status, _ = error_of(
            sqs.send_message,
            QueueUrl=url,
            MessageBody="x",
            MessageAttributes={name: {"DataType": "String", "StringValue": "v"}},
        )
        assert (code, status) == ("InvalidParameterValue", 400)


# -- queue attributes ------------------------------------------------------------------------


def test_fifo_queue_attribute_on_set_queue_attributes(sqs: Any, new_queue: Callable[..., str]) -> None:
    standard = new_queue()
    assert error_of(sqs.set_queue_attributes, QueueUrl=standard, Attributes={"FifoQueue": "true"}) == (
        "InvalidAttributeName",
        400,
        "Unknown Attribute FifoQueue.",
    )
    fifo = new_queue(fifo=True)
    sqs.set_queue_attributes(QueueUrl=fifo, Attributes={"FifoQueue": "true"})  # saying it again is fine
    assert error_of(sqs.set_queue_attributes, QueueUrl=fifo, Attributes={"FifoQueue": "false"}) == (
        "InvalidAttributeValue",
        400,
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
    )


def test_kms_and_sqs_managed_encryption_together_is_invalid_attribute_name(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    assert error_of(
        sqs.set_queue_attributes,
        QueueUrl=url,
        Attributes={"KmsMasterKeyId": "testKeyId", "SqsManagedSseEnabled": "true"},
    ) == (
        "InvalidAttributeName",
        400,
        "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.",
    )


def test_a_dead_letter_target_that_is_no_arn(sqs: Any) -> None:
    policy = '{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}'
    assert error_of(sqs.create_queue, QueueName=unique(), Attributes={"RedrivePolicy": policy}) == (
        "InvalidParameterValue",
        400,
        f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.",
    )


def test_a_purge_forgets_the_deduplication_window(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True)
    sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g", MessageDeduplicationId="d")
    sqs.purge_queue(QueueUrl=url)
    sqs.send_message(QueueUrl=url, MessageBody="two", MessageGroupId="g", MessageDeduplicationId="d")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["two"]


# -- permissions and tags --------------------------------------------------------------------


def test_add_permission_validation(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()

    def add(
        label: str = "p",
        accounts: tuple[str, ...] = ("111111111111",),
        actions: tuple[str, ...] = ("SendMessage",),
    ) -> tuple[str, int, str]:
        return error_of(
            sqs.add_permission, QueueUrl=url, Label=label, AWSAccountIds=list(accounts), Actions=list(actions)
        )

    assert add(actions=("RemovePermission",)) == (
        "InvalidParameterValue",
        400,
        "Value SQS:RemovePermission for parameter ActionName is invalid. Reason: Only the queue owner is allowed "
        "to invoke this action.",
    )
    assert add(actions=("SendMessage",) * 8) == (
        "OverLimit",
        403,
        "8 Actions were found, maximum allowed is 7.",
    )
    assert add(accounts=()) == (
        "InvalidParameterValue",
        400,
        "Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.",
    )
    assert add(actions=()) == ("MissingParameter", 400, "The request must contain the parameter Actions.")
    assert add(label="no spaces")[:2] == ("InvalidParameterValue", 400)


def test_add_permission_writes_a_2008_policy(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.add_permission(
        QueueUrl=url,
        Label="crossaccountpermission",
        AWSAccountIds=["111111111111"],
        Actions=["ReceiveMessage"],
    )
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    )
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert policy == {
        "Version": "2008-10-17",
        "Id": f"{arn}/SQSDefaultPolicy",
        "Statement": [
            {
                "Sid": "crossaccountpermission",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "SQS:ReceiveMessage",
                "Resource": arn,
            }
        ],
    }


def test_add_permission_for_several_accounts_lists_them_and_remove_needs_a_known_label(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    sqs.add_permission(
        QueueUrl=url, Label="both", AWSAccountIds=["111111111111", "222222222222"], Actions=["ReceiveMessage"]
    )
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    )
    assert policy["Statement"][0]["Principal"] == {
        "AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]
    }
    sqs.remove_permission(QueueUrl=url, Label="both")
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    assert error_of(sqs.remove_permission, QueueUrl=url, Label="both") == (
        "InvalidParameterValue",
        400,
        "Value both for parameter Label is invalid. Reason: can't find label.",
    )


def test_tag_and_untag_need_something_to_do(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    assert error_of(sqs.tag_queue, QueueUrl=url, Tags={}) == (
        "MissingParameter",
        400,
        "The request must contain the parameter Tags.",
    )
    assert error_of(sqs.untag_queue, QueueUrl=url, TagKeys=[]) == (
        "InvalidParameterValue",
        400,
        "Tag keys must be between 1 and 128 characters in length.",
    )


# -- message move tasks ------------------------------------------------------------------------


def test_cancelling_a_move_task_checks_the_source_queue_before_the_task(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    dlq = new_queue("dlq")
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    new_queue(RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}))
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    task = json.loads(base64.b64decode(handle))  # AWS's handles are base64 JSON: {"taskId", "sourceArn"}

    def cancel(**changes: str) -> tuple[str, int, str]:
        forged = base64.b64encode(json.dumps({**task, **changes}).encode()).decode()
        return error_of(sqs.cancel_message_move_task, TaskHandle=forged)

    assert cancel(sourceArn=dlq_arn + "-gone") == (
        "ResourceNotFoundException",
        404,
        "The resource that you specified for the SourceArn parameter doesn't exist.",
    )
    assert cancel(taskId="no-such-task") == ("ResourceNotFoundException", 404, "Task does not exist.")
    assert error_of(sqs.cancel_message_move_task, TaskHandle="not-a-handle") == (
        "InvalidParameterValue",
        400,
        "Value for parameter TaskHandle is invalid.",
    )


# -- the query API on a queue's URL ---------------------------------------------------------------


def test_query_actions_that_name_no_queue_are_refused_on_a_queue_url(
    query: QueryClient, sqs: Any, new_queue: Callable[..., str]
) -> None:
    path = _path(new_queue())
    name = unique()
    for action, params in (("CreateQueue", {"QueueName": name}), ("ListQueues", {})):
        status, root = query.call(action, path, **params)
        assert status == 400
        assert text(root, "Error/Code") == "InvalidAction"
        assert text(root, "Error/Message") == f"The action {action} is not valid for this endpoint."
    assert error_of(sqs.get_queue_url, QueueName=name)[0] == "AWS.SimpleQueueService.NonExistentQueue"
    assert text(
        query.ok("GetQueueUrl", path, QueueName=name.replace(name, path.rsplit("/", 1)[1])),
        "GetQueueUrlResult/QueueUrl",
    ).endswith(path)  # a queue's own URL still answers other actions
    status, root = query.call("FooBar", path)
    assert (status, text(root, "Error/Code")) == (400, "InvalidAction")
    assert text(root, "Error/Message") == "The action FooBar is not valid for this endpoint."


def test_query_errors_end_with_an_empty_detail(query: QueryClient) -> None:
    status, root = query.call("GetQueueUrl", QueueName=unique("missing"))
    assert status == 400
    assert text(root, "Error/Code") == "AWS.SimpleQueueService.NonExistentQueue"
    assert text(root, "Error/Message") == "The specified queue does not exist for this wsdl version."
    assert find(root, "Error/Detail").text is None
