"""Queue policies, enforced by the IAM engine: another account may use a queue only as far as the
queue's policy allows (AddPermission writes such a policy too), and never the owner-only calls."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.sqs.support import OTHER_ACCOUNT, error_of, unique


def test_another_account_is_denied_without_a_queue_policy(two_accounts: tuple[Any, Any]) -> None:
    owner, other = two_accounts
    url = owner.create_queue(QueueName=unique())["QueueUrl"]
    code, status, message = error_of(other.send_message, QueueUrl=url, MessageBody="x")
    assert (code, status) == ("AccessDenied", 403)
    assert f"arn:aws:iam::{OTHER_ACCOUNT}:root" in message and "sqs:sendmessage" in message
    name = url.rsplit("/", 1)[1]
    # GetQueueUrl does not tell another account whether the queue exists: SQS answers as for no queue.
    refused = error_of(other.get_queue_url, QueueName=name, QueueOwnerAWSAccountId=ROOT_ACCOUNT)
    assert refused[:2] == ("AWS.SimpleQueueService.NonExistentQueue", 400)
    assert refused == error_of(other.get_queue_url, QueueName=unique(), QueueOwnerAWSAccountId=ROOT_ACCOUNT)


def test_a_queue_policy_lets_another_account_send_and_nothing_more(two_accounts: tuple[Any, Any]) -> None:
    owner, other = two_accounts
    name = unique()
    url = owner.create_queue(QueueName=name)["QueueUrl"]
    arn = owner.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT},
        "Action": ["sqs:SendMessage", "sqs:GetQueueUrl"], "Resource": arn}]}
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    assert other.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=ROOT_ACCOUNT)["QueueUrl"] == url
    other.send_message(QueueUrl=url, MessageBody="from afar")
    other.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "batch"}])  # sqs:SendMessage too
    assert error_of(other.receive_message, QueueUrl=url)[0] == "AccessDenied"
    messages = owner.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["SenderId"])["Messages"]
    assert sorted(m["Body"] for m in messages) == ["batch", "from afar"]
    assert {m["Attributes"]["SenderId"] for m in messages} == {OTHER_ACCOUNT}


def test_add_permission_grants_another_account_and_owner_only_calls_stay_denied(two_accounts: tuple[Any, Any]) -> None:
    owner, other = two_accounts
    url = owner.create_queue(QueueName=unique())["QueueUrl"]
    owner.add_permission(QueueUrl=url, Label="all", AWSAccountIds=[OTHER_ACCOUNT], Actions=["*"])
    other.send_message(QueueUrl=url, MessageBody="x")
    message = other.receive_message(QueueUrl=url)["Messages"][0]
    other.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert error_of(other.set_queue_attributes, QueueUrl=url, Attributes={"DelaySeconds": "1"})[:2] == (
        "AccessDenied", 403)
    assert error_of(other.delete_queue, QueueUrl=url)[0] == "AccessDenied"
    owner.remove_permission(QueueUrl=url, Label="all")
    assert error_of(other.send_message, QueueUrl=url, MessageBody="x")[0] == "AccessDenied"


def test_a_deny_in_a_queue_policy_holds_beside_a_principal_that_names_nobody(two_accounts: tuple[Any, Any]) -> None:
    # An entry that names no principal (an account id "abc" through AddPermission) matches nobody; it
    # must not void the policy around it, whose Deny still refuses the account it names.
    owner, other = two_accounts
    url = owner.create_queue(QueueName=unique())["QueueUrl"]
    arn = owner.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "sqs:*", "Resource": arn},
        {"Effect": "Deny", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "sqs:SendMessage", "Resource": arn},
    ]}
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    assert error_of(other.send_message, QueueUrl=url, MessageBody="x")[0] == "AccessDenied"
    with contextlib.suppress(ClientError):  # taken or refused: either way the policy stands
        owner.add_permission(QueueUrl=url, Label="odd", AWSAccountIds=["abc"], Actions=["ReceiveMessage"])
    assert error_of(other.send_message, QueueUrl=url, MessageBody="x")[0] == "AccessDenied"
    assert other.receive_message(QueueUrl=url).get("Messages") is None  # the Allow still holds too


def test_no_queue_policy_lets_another_account_move_a_queues_messages(two_accounts: tuple[Any, Any]) -> None:
    # "Cross-account permissions don't apply to the following actions: ..., CancelMessageMoveTask, ...,
    # ListMessageMoveTask, ..., StartMessageMoveTask, ..." (SQS Developer Guide, "Limitations of
    # Amazon SQS custom policies"), even under a policy that allows the other account sqs:*.
    owner, other = two_accounts
    dlq = owner.create_queue(QueueName=unique())["QueueUrl"]
    dlq_arn = owner.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    owner.create_queue(QueueName=unique(), Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})})
    owner.set_queue_attributes(QueueUrl=dlq, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "sqs:*", "Resource": dlq_arn}]})})
    other.send_message(QueueUrl=dlq, MessageBody="the policy holds for the other calls")
    assert error_of(other.start_message_move_task, SourceArn=dlq_arn)[:2] == ("AccessDenied", 403)
    assert error_of(other.list_message_move_tasks, SourceArn=dlq_arn)[:2] == ("AccessDenied", 403)
    handle = owner.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    assert error_of(other.cancel_message_move_task, TaskHandle=handle)[:2] == ("AccessDenied", 403)


def test_a_policy_naming_a_role_that_does_not_exist_is_refused(endpoint: str, sqs: Any) -> None:
    # As IAM and S3 refuse theirs; SQS's words are "Invalid value for the parameter Policy." (the Terraform
    # AWS provider retries SetQueueAttributes on them while a new role propagates; aws/aws-cdk#15602).
    iam = make_client(endpoint, "iam")
    role = unique()
    ghost = f"arn:aws:iam::{ROOT_ACCOUNT}:role/{role}"
    url = sqs.create_queue(QueueName=unique())["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ghost}, "Action": "sqs:SendMessage", "Resource": arn}]})
    refused = ("InvalidAttributeValue", 400, "Invalid value for the parameter Policy.")
    assert error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Policy": policy}) == refused
    assert error_of(sqs.create_queue, QueueName=unique(), Attributes={"Policy": policy}) == refused
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    assert json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])


def test_a_statement_naming_no_principal_or_resource_is_stored_and_applies_to_no_one(
    two_accounts: tuple[Any, Any],
) -> None:
    # AWS took {"Effect": "Allow", "Action": "*"} as a queue policy in amazon.aws's sqs_queue integration
    # test (which reads it back); such a statement names no one, and grants no one anything.
    owner, other = two_accounts
    bare = json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*"}})
    url = owner.create_queue(QueueName=unique(), Attributes={"Policy": bare})["QueueUrl"]
    assert json.loads(owner.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]) == (
        json.loads(bare)
    )
    assert error_of(other.send_message, QueueUrl=url, MessageBody="x")[0] == "AccessDenied"
    no_resource = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "sqs:SendMessage"}]})
    owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": no_resource})
    assert error_of(other.send_message, QueueUrl=url, MessageBody="x")[0] == "AccessDenied"
    owner.send_message(QueueUrl=url, MessageBody="the owner's own")  # the owner needs no queue policy
