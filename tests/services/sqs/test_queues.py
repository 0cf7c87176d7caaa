"""Queues through boto3 (json protocol): names, URLs, idempotent creation, attributes and their
validation, listing, tags, permissions, deletion and purging, with SQS's error codes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.sqs.support import error_of, unique


def test_create_queue_returns_endpoint_account_name_url_and_get_queue_url_agrees(sqs: Any, endpoint: str) -> None:
    name = unique()
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert url == f"{endpoint}/{ROOT_ACCOUNT}/{name}"
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    sqs.delete_queue(QueueUrl=url)


def test_queue_url_follows_the_host_the_client_called(server: Any) -> None:
    client = make_client(f"http://localhost:{server.port}", "sqs")
    name = unique()
    url = client.create_queue(QueueName=name)["QueueUrl"]
    assert url == f"http://localhost:{server.port}/{ROOT_ACCOUNT}/{name}"
    client.delete_queue(QueueUrl=url)


def test_queue_url_is_accepted_in_the_forms_sdks_send(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    name = url.rsplit("/", 1)[1]
    for form in (f"https://sqs.us-east-1.amazonaws.com/{ROOT_ACCOUNT}/{name}",
                 f"http://sqs.us-east-1.localhost.localstack.cloud:4566/{ROOT_ACCOUNT}/{name}",
                 f"/{ROOT_ACCOUNT}/{name}"):
        sqs.send_message(QueueUrl=form, MessageBody=form)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "3"


def test_get_queue_url_of_a_missing_queue_is_non_existent_queue(sqs: Any) -> None:
    assert error_of(sqs.get_queue_url, QueueName=unique()) == (
        "AWS.SimpleQueueService.NonExistentQueue", 400, "The specified queue does not exist.")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_attributes(QueueUrl=f"http://localhost/{ROOT_ACCOUNT}/{unique()}")


def test_create_queue_again_with_the_same_attributes_returns_the_same_url(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(VisibilityTimeout=45)
    name = url.rsplit("/", 1)[1]
    assert sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "45"})["QueueUrl"] == url
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url  # no attributes: nothing differs


def test_create_queue_again_with_a_different_attribute_is_queue_already_exists(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(VisibilityTimeout=45)
    name = url.rsplit("/", 1)[1]
    code, status, message = error_of(sqs.create_queue, QueueName=name, Attributes={"VisibilityTimeout": "46"})
    assert (code, status) == ("QueueAlreadyExists", 400)
    assert message == "A queue already exists with the same name and a different value for attribute VisibilityTimeout"
    with pytest.raises(sqs.exceptions.QueueNameExists):
        sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "5"})


@pytest.mark.parametrize("name,attributes", [
    ("has.dot", {}), ("x" * 81, {}), ("", {}), ("standard.fifo", {}), ("spaces in name", {}),
])
def test_invalid_standard_queue_names_are_refused(sqs: Any, name: str, attributes: dict[str, str]) -> None:
    code, status, message = error_of(sqs.create_queue, QueueName=name, Attributes=attributes)
    assert (code, status) == ("InvalidParameterValue", 400)
    assert message == "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"


def test_fifo_queue_name_must_end_in_fifo(sqs: Any) -> None:
    code, _, message = error_of(sqs.create_queue, QueueName=unique(), Attributes={"FifoQueue": "true"})
    assert code == "InvalidParameterValue"
    assert "must end with .fifo suffix" in message


def test_fifo_attributes_on_a_standard_queue_are_refused(sqs: Any) -> None:
    assert error_of(sqs.create_queue, QueueName=unique(), Attributes={"ContentBasedDeduplication": "true"})[:2] == (
        "InvalidAttributeName", 400)
    assert error_of(sqs.create_queue, QueueName=unique(), Attributes={"FifoQueue": "false"})[0] == "InvalidAttributeName"


def test_default_attributes_of_a_standard_queue(sqs: Any, new_queue: Callable[..., str]) -> None:
    before = int(time.time()) - 1
    url = new_queue()
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    name = url.rsplit("/", 1)[1]
    assert attributes["QueueArn"] == f"arn:aws:sqs:us-east-1:{ROOT_ACCOUNT}:{name}"
    assert {k: attributes[k] for k in ("VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod",
                                       "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "SqsManagedSseEnabled",
                                       "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                       "ApproximateNumberOfMessagesDelayed")} == {
        "VisibilityTimeout": "30", "MaximumMessageSize": "1048576", "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0", "ReceiveMessageWaitTimeSeconds": "0", "SqsManagedSseEnabled": "true",
        "ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
    }
    assert int(attributes["CreatedTimestamp"]) >= before
    assert int(attributes["LastModifiedTimestamp"]) >= before
    assert "FifoQueue" not in attributes and "Policy" not in attributes


def test_default_attributes_of_a_fifo_queue(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert {k: attributes[k] for k in ("FifoQueue", "ContentBasedDeduplication", "DeduplicationScope",
                                       "FifoThroughputLimit")} == {
        "FifoQueue": "true", "ContentBasedDeduplication": "false", "DeduplicationScope": "queue",
        "FifoThroughputLimit": "perQueue"}


def test_get_queue_attributes_returns_only_the_names_asked_for(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds"])["Attributes"] == {"DelaySeconds": "0"}
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url)
    assert error_of(sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["Nope"]) == (
        "InvalidAttributeName", 400, "Unknown Attribute Nope.")


@pytest.mark.parametrize("name,valid,invalid", [
    ("VisibilityTimeout", ["0", "43200"], ["-1", "43201", "1.5", " 2", ""]),
    ("MessageRetentionPeriod", ["60", "1209600"], ["59", "1209601"]),
    ("MaximumMessageSize", ["1024", "1048576"], ["1023", "1048577"]),
    ("DelaySeconds", ["0", "900"], ["901", "-5"]),
    ("ReceiveMessageWaitTimeSeconds", ["0", "20"], ["21"]),
    ("KmsDataKeyReusePeriodSeconds", ["60", "86400"], ["59", "86401"]),
])
def test_numeric_attribute_ranges(sqs: Any, new_queue: Callable[..., str], name: str, valid: list[str],
                                  invalid: list[str]) -> None:
    url = new_queue(**({"KmsMasterKeyId": "alias/aws/sqs"} if name.startswith("Kms") else {}))
    for value in valid:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
        assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[name])["Attributes"][name] == value
    for value in invalid:
        assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={name: value}) == (
            "InvalidAttributeValue", 400, f"Invalid value for the parameter {name}.")
        assert error_of(sqs.create_queue, QueueName=unique(), Attributes={name: value})[0] == "InvalidAttributeValue"


def test_the_data_key_reuse_period_is_kept_only_with_a_kms_key(sqs: Any, new_queue: Callable[..., str]) -> None:
    # AWS sends KmsDataKeyReusePeriodSeconds back only while the queue has a KmsMasterKeyId (the Terraform
    # AWS provider's TestAccSQSQueue_noEncryptionKMSDataKeyReusePeriodSeconds; its issues #19786, #40728).
    def reuse_period(url: str) -> str | None:
        return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"].get(
            "KmsDataKeyReusePeriodSeconds")

    unencrypted = {"SqsManagedSseEnabled": "false", "KmsDataKeyReusePeriodSeconds": "60"}
    url = new_queue(**unencrypted)
    assert reuse_period(url) is None
    name = url.rsplit("/", 1)[1]  # the same CreateQueue again is no conflict
    assert sqs.create_queue(QueueName=name, Attributes=unencrypted)["QueueUrl"] == url
    assert reuse_period(new_queue(KmsDataKeyReusePeriodSeconds="60")) is None  # SSE-SQS, the default
    url = new_queue(KmsMasterKeyId="alias/aws/sqs", KmsDataKeyReusePeriodSeconds="60")
    assert reuse_period(url) == "60"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"SqsManagedSseEnabled": "true"})
    assert reuse_period(url) is None
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    assert reuse_period(url) == "300"


def test_set_queue_attributes_updates_last_modified_and_refuses_unknown_names(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "5", "DelaySeconds": "1"})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attributes["VisibilityTimeout"], attributes["DelaySeconds"]) == ("5", "1")
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"QueueArn": "x"})[0] == "InvalidAttributeName"
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Bogus": "1"}) == (
        "InvalidAttributeName", 400, "Unknown Attribute Bogus.")


def test_fifo_queue_type_cannot_be_changed(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue(fifo=True)
    code, _, message = error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"FifoQueue": "false"})
    assert code == "InvalidAttributeValue"
    assert message == "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported."


def test_policy_is_stored_as_given_and_malformed_policies_are_refused(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "sqs:SendMessage", "Resource": arn}]})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"] == policy
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": "not json"}) == (
        "InvalidAttributeValue", 400, "Invalid value for the parameter Policy.")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])


def test_redrive_policy_validation(sqs: Any, new_queue: Callable[..., str]) -> None:
    dlq = new_queue("dlq")
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = new_queue()

    def reason(policy: Any) -> str:
        text = policy if isinstance(policy, str) else json.dumps(policy, separators=(",", ":"))
        code, status, message = error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"RedrivePolicy": text})
        assert (code, status) == ("InvalidParameterValue", 400) or code == "InvalidAttributeValue"
        return message

    assert reason("nope") == "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map."
    assert reason({"maxReceiveCount": 5}).endswith(
        "Reason: Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
    assert reason({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1001}).endswith(
        "Reason: Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive.")
    assert reason({"deadLetterTargetArn": dlq_arn + "-gone", "maxReceiveCount": 5}).endswith(
        "Reason: Dead letter target does not exist.")
    fifo_dlq = new_queue("dlq", fifo=True)
    fifo_arn = sqs.get_queue_attributes(QueueUrl=fifo_dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert reason({"deadLetterTargetArn": fifo_arn, "maxReceiveCount": 5}).endswith(
        "Reason: Dead-letter queue must be same type of queue as the source..")

    sqs.set_queue_attributes(QueueUrl=url, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})})
    stored = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"]
    assert json.loads(stored) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}


def test_redrive_allow_policy_validation(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    policy = json.dumps({"redrivePermission": "denyAll"}, separators=(",", ":"))
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": policy})
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])["Attributes"] == {
        "RedriveAllowPolicy": policy}
    code, _, message = error_of(sqs.set_queue_attributes, QueueUrl=url,
                                Attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "byQueue"})})
    assert code == "InvalidParameterValue"
    assert "you must also specify one or more sourceQueueArns values" in message
    # A source may not name a DLQ whose policy denies it.
    source = new_queue()
    dlq_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert error_of(sqs.set_queue_attributes, QueueUrl=source, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})[0] == "InvalidParameterValue"


def test_list_queues_by_prefix_and_page_by_page(sqs: Any, new_queue: Callable[..., str]) -> None:
    prefix = unique("list")
    urls = sorted(new_queue(prefix) for _ in range(5))
    assert sorted(sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"]) == urls
    first = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
    assert len(first["QueueUrls"]) == 2 and first["NextToken"]
    seen = list(first["QueueUrls"])
    token = first["NextToken"]
    while token:
        page = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=token)
        seen += page["QueueUrls"]
        token = page.get("NextToken")
    assert sorted(seen) == urls
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix=unique("none"))
    assert error_of(sqs.list_queues, MaxResults=1001)[0] == "InvalidParameterValue"


def test_tags_on_create_and_tag_untag_list(sqs: Any) -> None:
    name = unique()
    url = sqs.create_queue(QueueName=name, tags={"team": "a", "env": "dev"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a", "env": "dev"}
    sqs.tag_queue(QueueUrl=url, Tags={"env": "prod", "cost": "1"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "prod", "cost": "1"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["env", "cost"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)
    sqs.delete_queue(QueueUrl=url)


def test_deleted_queue_is_gone_and_its_name_waits_60_seconds(sqs: Any) -> None:
    name = unique()
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.delete_queue(QueueUrl=url)
    assert error_of(sqs.get_queue_url, QueueName=name)[0] == "AWS.SimpleQueueService.NonExistentQueue"
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x")[0] == "AWS.SimpleQueueService.NonExistentQueue"
    code, status, message = error_of(sqs.create_queue, QueueName=name)
    assert (code, status) == ("AWS.SimpleQueueService.QueueDeletedRecently", 400)
    assert message == "You must wait 60 seconds after deleting a queue before you can create another with the same name."


def test_purge_empties_the_queue_and_a_second_purge_within_60_seconds_is_refused(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(5)])
    sqs.receive_message(QueueUrl=url)
    sqs.purge_queue(QueueUrl=url)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessages"], counts["ApproximateNumberOfMessagesNotVisible"]) == ("0", "0")
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    code, status, message = error_of(sqs.purge_queue, QueueUrl=url)
    assert (code, status) == ("AWS.SimpleQueueService.PurgeQueueInProgress", 403)
    assert message.startswith("Only one PurgeQueue operation on ")
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress):
        sqs.purge_queue(QueueUrl=url)
    sqs.send_message(QueueUrl=url, MessageBody="after")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "after"


def test_add_and_remove_permission_edit_the_queue_policy(sqs: Any, new_queue: Callable[..., str]) -> None:
    url = new_queue()
    sqs.add_permission(QueueUrl=url, Label="send", AWSAccountIds=["111111111111"], Actions=["SendMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Statement"][0]["Sid"] == "send"
    assert policy["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
    assert policy["Statement"][0]["Action"] == "SQS:SendMessage"
    assert error_of(sqs.add_permission, QueueUrl=url, Label="send", AWSAccountIds=["1"], Actions=["SendMessage"])[0] == (
        "InvalidParameterValue")
    sqs.remove_permission(QueueUrl=url, Label="send")
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    assert error_of(sqs.remove_permission, QueueUrl=url, Label="send")[0] == "InvalidParameterValue"
