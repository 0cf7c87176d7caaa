"""The AWS SDK teams' own SQS integration scenarios (cucumber "features" run against real AWS), ported
to boto3 where they state something about SQS that the other tests here do not.

Sources: aws/aws-sdk-js `features/sqs/*.feature`, aws/aws-sdk-ruby `features/sqs/*.feature` (v1) and
`gems/aws-sdk-sqs/features/` (v3), aws/aws-sdk-php `features/smoke/sqs/sqs.feature`. Each test names
its scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import ROOT_ACCOUNT
from tests.services.sqs.support import error_of, md5_of_body, unique


def test_a_missing_queue_of_another_account_is_refused_under_that_accounts_queue_arn(sqs: Any) -> None:
    # aws-sdk-ruby features/sqs/queues.feature "Ask if SQS queue exists (does not exist)", on
    # http://sqs.us-east-1.amazonaws.com/123456781234/does-not-exist. Another account's queue is
    # authorized before it is looked up; a refusal names the queue the URL names, in its owner's
    # account (arn:aws:sqs:<region>:<account>:<name>), never one in the caller's account.
    name = unique("does-not-exist")
    code, status, message = error_of(
        sqs.get_queue_attributes, QueueUrl=f"http://sqs.us-east-1.amazonaws.com/123456781234/{name}",
        AttributeNames=["All"])
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: arn:aws:iam::{ROOT_ACCOUNT}:root is not authorized to perform: sqs:getqueueattributes on "
        f"resource: arn:aws:sqs:us-east-1:123456781234:{name} because no resource-based policy allows the "
        "sqs:getqueueattributes action")


def test_a_batch_with_an_empty_message_sends_the_others_and_fails_that_entry(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    # aws-sdk-ruby features/sqs/queues.feature "Sending messages in a batch with failures": abc, mno,
    # "" and 123 give three sent messages with their MD5s and one failure.
    url = new_queue()
    bodies = ["abc", "mno", "", "123"]
    result = sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies)])
    assert [(s["Id"], s["MD5OfMessageBody"]) for s in result["Successful"]] == [
        ("0", "900150983cd24fb0d6963f7d28e17f72"), ("1", "d1cf6a6090003989122c4483ed135d55"),
        ("3", "202cb962ac59075b964b07152d234b70")]
    assert [s["MD5OfMessageBody"] for s in result["Successful"]] == [md5_of_body(b) for b in ("abc", "mno", "123")]
    assert result["Failed"] == [{"Id": "2", "SenderFault": True, "Code": "MissingParameter",
                                 "Message": "The request must contain the parameter MessageBody."}]
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    assert sorted(m["Body"] for m in received) == ["123", "abc", "mno"]

