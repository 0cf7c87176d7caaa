"""SQS behaviour as AWS answered it in LocalStack's AWS-validated SQS tests.

Evidence: the stored public repository localstack/localstack, tests/aws/services/sqs/test_sqs.py and
test_sqs_move_task.py, and the responses real AWS returned for their `@markers.aws.validated` tests,
recorded in tests/aws/services/sqs/test_sqs.snapshot.json and test_sqs_move_task.snapshot.json (each
test below names the test or snapshot entry it follows). Only the wire behaviour is taken from there;
the checks are our own.

Two answers come from other evidence. A batch leaves an empty Successful or Failed list out: the
recording (14 Nov 2023, the week SQS moved to the json protocol) still shows `"Failed": []`, but SDK
users report real SQS without it from 2023-11-24 on (aws/aws-sdk#657, async-aws/aws#1620), as SQS
leaves out its other empty lists. A move task's handle is base64 of compact json, as the handle in
the SQS API reference's ListMessageMoveTasks sample response decodes.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from typing import Any

from tests.conftest import make_client, wait_for
from tests.services.sqs.support import OTHER_ACCOUNT, QueryClient, error_of, text

FILTERED = {
    "Help.Me": {"DataType": "String", "StringValue": "Me"},
    "Hello": {"DataType": "String", "StringValue": "There"},
    "General": {"DataType": "String", "StringValue": "Kenobi"},
}


def _arn(sqs: Any, url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return arn


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _bodies(result: dict[str, Any]) -> list[str]:
    return [m["Body"] for m in result.get("Messages", [])]


# -- message attribute filters (TestSqsProvider::test_receive_message_message_attribute_names_filters) --


def test_each_attribute_filter_returns_aws_recorded_digest(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(VisibilityTimeout=0)
    sent = sqs.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes=FILTERED)
    assert (sent["MD5OfMessageBody"], sent["MD5OfMessageAttributes"]) == (
        "6e2baaf3b97dbeef01c0043275f9a0e7",
        "4c360f3fdafd970e05fae2f149d997f5",
    )
    recorded = {
        ("All",): ("4c360f3fdafd970e05fae2f149d997f5", FILTERED),
        ("Hello", "General"): (
            "fca026605781cb4126a1e9044df24232",
            {k: FILTERED[k] for k in ("Hello", "General")},
        ),
        ("Foo", "Hello"): ("a311262e065454b75da111d535b8dacd", {"Hello": FILTERED["Hello"]}),
        ("Hel.*",): ("83fee93c1bcd8b9a5a923ffacdc636c7", {k: FILTERED[k] for k in ("Hello", "Help.Me")}),
    }
    for names, (digest, attributes) in recorded.items():
        message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=list(names))["Messages"][0]
        assert (message["MD5OfMessageAttributes"], message["MessageAttributes"]) == (digest, attributes)


def test_filters_naming_reserved_or_malformed_names_return_the_message_bare(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue(VisibilityTimeout=0)
    sqs.send_message(QueueUrl=url, MessageBody="msg", MessageAttributes=FILTERED)
    for names in (["AWS."], ["..foo"]):  # illegal_name_1, illegal_name_2: no error, no attributes
        message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=names)["Messages"][0]
        assert set(message) == {"Body", "MD5OfBody", "MessageId", "ReceiptHandle"}


# -- system attributes (test_receive_message_attribute_names_filters, test_fifo_message_attributes) --


def test_system_attribute_names_on_a_standard_queue(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(VisibilityTimeout=0)
    sqs.send_message(
        QueueUrl=url,
        MessageBody="msg",
        MessageAttributes={"Foo": {"DataType": "String", "StringValue": "Bar"}},
    )
    every = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"])[
        "Messages"
    ][0]
    assert set(every["Attributes"]) == {
        "ApproximateFirstReceiveTimestamp",
        "ApproximateReceiveCount",
        "SenderId",
        "SentTimestamp",
    }
    assert every["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"
    # A standard queue has no sequence numbers: asking for one returns only the rest.
    some = sqs.receive_message(QueueUrl=url, AttributeNames=["SenderId", "SequenceNumber"])["Messages"][0]
    assert list(some["Attributes"]) == ["SenderId"]
    assert "MessageAttributes" not in some


def test_a_fifo_message_received_again_counts_up_and_keeps_its_sequence_number(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue(
        fifo=True,
        ContentBasedDeduplication="true",
        VisibilityTimeout=0,
        DeduplicationScope="messageGroup",
        FifoThroughputLimit="perMessageGroupId",
    )
    sent = sqs.send_message(
        QueueUrl=url, MessageBody="message-body-1", MessageGroupId="group-1", MessageDeduplicationId="dedup-1"
    )
    assert set(sent) - {"ResponseMetadata"} == {"MD5OfMessageBody", "MessageId", "SequenceNumber"}
    assert sent["MD5OfMessageBody"] == "19c9e282d65f9733bc6b35d50062c7ee"
    for count in ("1", "2"):
        message = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"][0]
        attributes = message["Attributes"]
        assert set(attributes) == {
            "ApproximateFirstReceiveTimestamp",
            "ApproximateReceiveCount",
            "MessageDeduplicationId",
            "MessageGroupId",
            "SenderId",
            "SentTimestamp",
            "SequenceNumber",
        }
        assert (
            attributes["ApproximateReceiveCount"],
            attributes["MessageDeduplicationId"],
            attributes["MessageGroupId"],
            attributes["SequenceNumber"],
        ) == (count, "dedup-1", "group-1", sent["SequenceNumber"])
        assert message["MessageId"] == sent["MessageId"]


def test_a_binary_attribute_round_trips_with_aws_digest(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    value = b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01"
    attributes = {"attr1": {"BinaryValue": value, "DataType": "Binary"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="test", MessageAttributes=attributes)
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert (message["MD5OfBody"], message["MD5OfMessageAttributes"], message["MessageAttributes"]) == (
        "098f6bcd4621d373cade4e832627b4f6",
        "8cbe4db156db8a94db8b801b7addb984",
        attributes,
    )
    assert sent["MD5OfMessageAttributes"] == "8cbe4db156db8a94db8b801b7addb984"


# -- batches (test_send_message_batch_with_oversized_contents_with_updated_maximum_message_size) ------


def test_a_batch_entry_filling_the_queue_maximum_exactly_is_sent(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": "2048"})
    attribute = {"k": {"DataType": "String", "StringValue": "x"}}  # 8 bytes: name, type and value
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "1", "MessageBody": "a" * (2048 - 8), "MessageAttributes": attribute},
            {"Id": "2", "MessageBody": "a"},
        ],
    )
    assert [
        (e["Id"], e["MD5OfMessageBody"], e.get("MD5OfMessageAttributes")) for e in result["Successful"]
    ] == [
        ("1", "f44facf5a7ee0af446ecf3e0f854441e", "a45daa70926828a2f0a1db3418e6feb4"),
        ("2", "0cc175b9c0f1b6a831c399e269772661", None),
    ]
    assert "Failed" not in result


def test_a_batch_answer_leaves_an_empty_list_out(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sent = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}])
    assert [e["Id"] for e in sent["Successful"]] == ["a"] and "Failed" not in sent
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    changed = sqs.change_message_visibility_batch(
        QueueUrl=url, Entries=[{"Id": "c", "ReceiptHandle": handle, "VisibilityTimeout": 5}]
    )
    assert changed["Successful"] == [{"Id": "c"}] and "Failed" not in changed
    refused = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "d", "ReceiptHandle": "garbage"}])
    assert [(f["Id"], f["Code"]) for f in refused["Failed"]] == [("d", "ReceiptHandleIsInvalid")]
    assert "Successful" not in refused
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": "d", "ReceiptHandle": handle}])
    assert deleted["Successful"] == [{"Id": "d"}] and "Failed" not in deleted


# -- FIFO groups (test_fifo_receive_message_with_zero_visibility_timeout, ..._after_delete, ...) ----


def _send_groups(sqs: Any, url: str, sends: list[tuple[str, str]]) -> None:
    for body, group in sends:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)


def test_groups_received_with_zero_visibility_come_after_the_untouched_ones(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue(fifo=True, ContentBasedDeduplication="true")
    _send_groups(
        sqs,
        url,
        [
            ("g1-m1", "group-1"),
            ("g2-m1", "group-2"),
            ("g2-m2", "group-2"),
            ("g3-m1", "group-3"),
            ("g1-m2", "group-1"),
        ],
    )
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3, VisibilityTimeout=0)
    assert _bodies(first) == ["g1-m1", "g1-m2", "g2-m1"]
    every = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    assert _bodies(every) == ["g3-m1", "g1-m1", "g1-m2", "g2-m1", "g2-m2"]


def test_after_deleting_what_was_received_the_rest_of_the_group_follows_the_group_before_it(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue(fifo=True, ContentBasedDeduplication="true")
    # The second "g1-m2" is a duplicate (content-based) and never delivered.
    _send_groups(
        sqs,
        url,
        [
            ("g1-m1", "1"),
            ("g2-m1", "2"),
            ("g1-m2", "1"),
            ("g2-m2", "2"),
            ("g1-m2", "1"),
            ("g1-m3", "1"),
            ("g1-m4", "1"),
            ("g3-m1", "3"),
        ],
    )
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    assert [m["Body"] for m in received] == ["g1-m1", "g1-m2"]
    for message in received:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    drained = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    assert _bodies(drained) == ["g2-m1", "g2-m2", "g1-m3", "g1-m4", "g3-m1"]


def test_ending_one_in_flight_message_frees_it_while_the_next_stays_in_flight(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue(fifo=True, ContentBasedDeduplication="true", VisibilityTimeout=30)
    _send_groups(sqs, url, [("g1-m1", "group-1"), ("g1-m2", "group-1"), ("g2-m1", "group-2")])
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
    assert [m["Body"] for m in received] == ["g1-m1", "g1-m2"]
    sqs.change_message_visibility(
        QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"], VisibilityTimeout=0
    )
    assert _bodies(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3)) == ["g2-m1", "g1-m1"]


# -- message move tasks (test_sqs_move_task.py) -------------------------------------------------


def _dead_lettered(sqs: Any, new_queue: Callable[..., str], count: int) -> tuple[str, str]:
    """(source, DLQ) with `count` messages moved to the DLQ (maxReceiveCount 1, received twice)."""
    dlq = new_queue("dlq")
    source = new_queue(
        "src", RedrivePolicy=json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 1})
    )
    sqs.send_message_batch(
        QueueUrl=source, Entries=[{"Id": str(i), "MessageBody": f"message-{i}"} for i in range(count)]
    )
    for _ in range(2):
        sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return source, dlq


def _task(sqs: Any, dlq_arn: str) -> dict[str, Any]:
    """The source's latest move task once it has ended (CANCELLING is still on its way)."""

    def settled() -> dict[str, Any] | None:
        task: dict[str, Any] = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
        return task if task["Status"] not in ("RUNNING", "CANCELLING") else None

    found: dict[str, Any] = wait_for(settled, seconds=20)
    return found


def test_a_task_handle_is_base64_of_compact_json(sqs: Any, new_queue: Callable[..., str]) -> None:
    _, dlq = _dead_lettered(sqs, new_queue, 2)
    dlq_arn = _arn(sqs, dlq)
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    decoded = base64.b64decode(handle).decode()
    task_id = json.loads(decoded)["taskId"]
    assert uuid.UUID(task_id)
    assert decoded == json.dumps({"taskId": task_id, "sourceArn": dlq_arn}, separators=(",", ":"))


def test_a_task_to_the_message_sources_lists_no_destination(sqs: Any, new_queue: Callable[..., str]) -> None:
    _, dlq = _dead_lettered(sqs, new_queue, 2)
    dlq_arn = _arn(sqs, dlq)
    sqs.start_message_move_task(SourceArn=dlq_arn)
    task = _task(sqs, dlq_arn)
    assert set(task) == {
        "ApproximateNumberOfMessagesMoved",
        "ApproximateNumberOfMessagesToMove",
        "SourceArn",
        "StartedTimestamp",
        "Status",
    }
    assert (
        task["Status"],
        task["ApproximateNumberOfMessagesMoved"],
        task["ApproximateNumberOfMessagesToMove"],
    ) == ("COMPLETED", 2, 2)


def test_a_second_task_on_the_same_source_is_refused(sqs: Any, new_queue: Callable[..., str]) -> None:
    _, dlq = _dead_lettered(sqs, new_queue, 10)
    target = new_queue("target")
    dlq_arn = _arn(sqs, dlq)
    handle = sqs.start_message_move_task(
        SourceArn=dlq_arn, DestinationArn=_arn(sqs, target), MaxNumberOfMessagesPerSecond=1
    )["TaskHandle"]
    try:
        assert error_of(
            sqs.start_message_move_task,
            SourceArn=dlq_arn,
            DestinationArn=_arn(sqs, target),
            MaxNumberOfMessagesPerSecond=1,
        ) == (
            "InvalidParameterValue",
            400,
            "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
        )
    finally:
        sqs.cancel_message_move_task(TaskHandle=handle)


def test_a_cancelled_task_keeps_its_destination_and_rate_but_loses_its_handle(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    _, dlq = _dead_lettered(sqs, new_queue, 10)
    target = new_queue("target")
    dlq_arn = _arn(sqs, dlq)
    handle = sqs.start_message_move_task(
        SourceArn=dlq_arn, DestinationArn=_arn(sqs, target), MaxNumberOfMessagesPerSecond=1
    )["TaskHandle"]
    running = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
    assert (running["Status"], running["TaskHandle"]) == ("RUNNING", handle)
    cancelled = sqs.cancel_message_move_task(TaskHandle=handle)
    assert set(cancelled) - {"ResponseMetadata"} == {"ApproximateNumberOfMessagesMoved"}
    task = _task(sqs, dlq_arn)
    assert set(task) == {
        "ApproximateNumberOfMessagesMoved",
        "ApproximateNumberOfMessagesToMove",
        "DestinationArn",
        "MaxNumberOfMessagesPerSecond",
        "SourceArn",
        "StartedTimestamp",
        "Status",
    }
    assert (
        task["Status"],
        task["DestinationArn"],
        task["MaxNumberOfMessagesPerSecond"],
        task["ApproximateNumberOfMessagesToMove"],
    ) == ("CANCELLED", _arn(sqs, target), 1, 10)
    assert sqs.receive_message(QueueUrl=dlq)["Messages"]  # what was not moved stays in the DLQ


def test_a_task_whose_destination_is_deleted_fails_as_non_existent_queue(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    _, dlq = _dead_lettered(sqs, new_queue, 10)
    target = new_queue("target")
    dlq_arn, target_arn = _arn(sqs, dlq), _arn(sqs, target)
    sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=target_arn, MaxNumberOfMessagesPerSecond=1)
    sqs.delete_queue(QueueUrl=target)
    task = _task(sqs, dlq_arn)
    assert (task["Status"], task["FailureReason"], task["DestinationArn"]) == (
        "FAILED",
        "AWS.SimpleQueueService.NonExistentQueue",
        target_arn,
    )
    assert "TaskHandle" not in task
    assert sqs.receive_message(QueueUrl=dlq)["Messages"]


def test_a_task_to_a_missing_destination_is_not_found(sqs: Any, new_queue: Callable[..., str]) -> None:
    _, dlq = _dead_lettered(sqs, new_queue, 1)
    target = new_queue("target")
    assert error_of(
        sqs.start_message_move_task,
        SourceArn=_arn(sqs, dlq),
        DestinationArn=_arn(sqs, target) + "doesntexist",
    ) == (
        "ResourceNotFoundException",
        404,
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
    )


# -- permissions (TestSqsProvider::test_sqs_permission_lifecycle) ---------------------------------


def test_add_permission_with_a_label_in_use_is_refused(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.add_permission(
        QueueUrl=url,
        AWSAccountIds=["000000000000"],
        Actions=["ReceiveMessage"],
        Label="crossaccountpermission",
    )
    assert error_of(
        sqs.add_permission,
        QueueUrl=url,
        AWSAccountIds=["668614515564"],
        Actions=["ReceiveMessage"],
        Label="crossaccountpermission",
    ) == (
        "InvalidParameterValue",
        400,
        "Value crossaccountpermission for parameter Label is invalid. Reason: Already exists.",
    )
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    )
    assert [s["Principal"] for s in policy["Statement"]] == [{"AWS": "arn:aws:iam::000000000000:root"}]


# -- queue policies (TestSqsProvider::test_set_queue_policy, test_set_empty_queue_policy) -----------

# The policy those tests set, its Resource and SourceArn left as unexpanded shell variables.
UNEXPANDED_POLICY = """
{
  "Version":"2012-10-17",
  "Statement":[
    {
      "Effect": "Allow",
      "Principal": { "AWS": "*" },
      "Action": "sqs:SendMessage",
      "Resource": "'$sqs_queue_arn'",
      "Condition":{
        "ArnEquals":{
        "aws:SourceArn":"'$sns_topic_arn'"
        }
      }
    }
  ]
}
"""


def test_a_policy_whose_resource_is_no_arn_is_stored_as_given(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    for _ in range(2):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": UNEXPANDED_POLICY})
        for names in (["All"], ["Policy"]):
            policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]["Policy"]
            assert policy == UNEXPANDED_POLICY
            assert json.loads(policy)["Statement"][0]["Action"] == "sqs:SendMessage"
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})  # an empty policy removes it
        assert "Policy" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def test_a_statement_naming_no_arn_grants_nothing_while_the_others_still_do(
    two_accounts: tuple[Any, Any],
) -> None:
    # Our reading of how AWS evaluates what it stored: such a Resource names no queue.
    owner, other = two_accounts
    url = owner.create_queue(QueueName=f"q-{uuid.uuid4().hex[:10]}")["QueueUrl"]
    arn = _arn(owner, url)
    principal = {"AWS": OTHER_ACCOUNT}
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": principal,
                "Action": "sqs:SendMessage",
                "Resource": "'$sqs_queue_arn'",
            },
            {"Effect": "Allow", "Principal": principal, "Action": "sqs:GetQueueAttributes", "Resource": arn},
        ],
    }
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    assert other.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"] == {
        "QueueArn": arn
    }
    assert error_of(other.send_message, QueueUrl=url, MessageBody="x")[:2] == ("AccessDenied", 403)


# -- the query protocol (purge-error-code-query, *-query entries of the FIFO send test) ----------


def test_a_second_purge_over_query_is_purge_queue_in_progress(
    query: QueryClient, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    name = url.rsplit("/", 1)[1]
    query.ok("PurgeQueue", _path(url))
    status, root = query.call("PurgeQueue", _path(url))
    assert (status, text(root, "Error/Type"), text(root, "Error/Code"), text(root, "Error/Message")) == (
        403,
        "Sender",
        "AWS.SimpleQueueService.PurgeQueueInProgress",
        f"Only one PurgeQueue operation on {name} is allowed every 60 seconds.",
    )


def test_fifo_send_errors_over_query(query: QueryClient, new_queue: Callable[..., str]) -> None:
    path = _path(new_queue(fifo=True))
    status, root = query.call("SendMessage", path, MessageBody="x", MessageGroupId="g")
    assert (status, text(root, "Error/Code"), text(root, "Error/Message")) == (
        400,
        "InvalidParameterValue",
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    )
    status, root = query.call("SendMessage", path, MessageBody="x", MessageDeduplicationId="d")
    assert (status, text(root, "Error/Code"), text(root, "Error/Message")) == (
        400,
        "MissingParameter",
        "The request must contain the parameter MessageGroupId.",
    )


# -- the json protocol sent to a queue's URL (TestSqsQueryApi::test_send_message_via_queue_url_with_json_protocol)


def test_a_json_client_pointed_at_a_queue_url_is_served(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    at_queue = make_client(url, "sqs")
    assert "Messages" not in at_queue.receive_message(QueueUrl=url)
    at_queue.send_message(QueueUrl=url, MessageBody="via the queue url")
    assert _bodies(sqs.receive_message(QueueUrl=url)) == ["via the queue url"]
