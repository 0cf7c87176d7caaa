"""SQS behaviour the AWS SDKs' own integration tests expect of real SQS, where our suite did not yet
say it (pocketcloud already answered as they expect).

Evidence, all stored public repositories: aws/aws-sdk-java-v2 services/sqs/src/it
(SqsIntegrationTest.clockSkewFailure_CorrectsGlobalTimeOffset: a call signed an hour off is refused,
and the SDK corrects its clock from the answer's Date header, so its next call passes;
SqsOperationsIntegrationTest.runReceiveMessageTest: AttributeNames SenderId, SentTimestamp and All
bring back more than three attributes; SessionBasedAuthenticationIntegrationTest: GetSessionToken
credentials create and delete a queue) and aws/aws-sdk-ruby gems/aws-sdk-sqs/spec/client/
verify_checksums_spec.rb (the MD5OfMessageAttributes its checksum check accepts for four attributes,
with plain and custom-labelled data types). The checks are our own.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, make_client, signing_clock
from tests.services.sqs.support import unique


def test_a_call_signed_an_hour_off_is_refused_with_the_servers_own_date(sqs: Any) -> None:
    now = datetime.datetime.now(datetime.UTC)
    for hours, wording in ((-1, "Signature expired: "), (1, "Signature not yet current: ")):
        with signing_clock(now.replace(tzinfo=None) + datetime.timedelta(hours=hours)):
            with pytest.raises(ClientError) as refused:
                sqs.list_queues()
        answer = refused.value.response
        assert (answer["Error"]["Code"], answer["ResponseMetadata"]["HTTPStatusCode"]) == ("SignatureDoesNotMatch", 403)
        assert answer["Error"]["Message"].startswith(wording)
        # the SDK sets its clock offset from the refusal's Date header, so its next call goes through
        date = parsedate_to_datetime(answer["ResponseMetadata"]["HTTPHeaders"]["date"])
        assert abs((date - now).total_seconds()) < 60
    assert sqs.list_queues()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_all_among_named_system_attributes_brings_back_every_one(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    sqs.send_message(QueueUrl=url, MessageBody="foobarbazbar%20%25~!@#$^&*(){}[]_-+\\<>/?")
    message = sqs.receive_message(QueueUrl=url, AttributeNames=["SenderId", "SentTimestamp", "All"])["Messages"][0]
    assert set(message["Attributes"]) == {
        "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
    }
    assert all(message["Attributes"].values())


def test_session_token_credentials_create_and_delete_a_queue(endpoint: str) -> None:
    credentials = make_client(endpoint, "sts").get_session_token()["Credentials"]
    session = make_client(
        endpoint, "sqs", key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
        token=credentials["SessionToken"],
    )
    name = unique("SessionBasedAuthenticationIntegrationTest")
    url = session.create_queue(QueueName=name)["QueueUrl"]
    # The session acts as the account that asked for it: the queue is that account's.
    assert url.endswith(f"/{ROOT_ACCOUNT}/{name}")
    assert session.get_queue_url(QueueName=name)["QueueUrl"] == url
    session.delete_queue(QueueUrl=url)
    with pytest.raises(ClientError) as gone:
        session.get_queue_url(QueueName=name)
    assert gone.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


RUBY_SPEC_ATTRIBUTES = {
    "ccc": {"DataType": "String", "StringValue": "test"},
    "aaa": {"DataType": "Binary", "BinaryValue": bytes([2, 3, 4])},
    "zzz": {"DataType": "Number", "StringValue": "0230.01"},
    "\u00f6ther_encodings": {"DataType": "String", "StringValue": "T\u00fcst"},
}


def test_md5_of_message_attributes_is_the_one_the_ruby_sdk_checks_for(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    labelled = {name: {**value, "DataType": value["DataType"] + ".test"} for name, value in RUBY_SPEC_ATTRIBUTES.items()}
    sent = sqs.send_message(QueueUrl=url, MessageBody="abc", MessageAttributes=RUBY_SPEC_ATTRIBUTES)
    assert sent["MD5OfMessageBody"] == "900150983cd24fb0d6963f7d28e17f72"
    assert sent["MD5OfMessageAttributes"] == "756d7f4338696745d063b420a2f7e502"
    batch = sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": "msg-id", "MessageBody": "abc", "MessageAttributes": labelled}]
    )
    assert batch["Successful"][0]["MD5OfMessageAttributes"] == "5b7ef6c8a8d46001c7cdadaeea917aa4"
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])["Messages"]
    assert sorted(m["MD5OfMessageAttributes"] for m in received) == [
        "5b7ef6c8a8d46001c7cdadaeea917aa4", "756d7f4338696745d063b420a2f7e502",
    ]
    assert {m["MessageAttributes"]["zzz"]["StringValue"] for m in received} == {"0230.01"}
