"""SQS behaviour found in a sweep of the AWS-verified tests of moto's SQS suite.

Evidence: the stored public repository getmoto/moto, tests/test_sqs/test_sqs.py, whose
`@pytest.mark.aws_verified` (`@sqs_aws_verified`) test_send_message_delay_seconds_validation moto's
maintainers run against real AWS: a FIFO queue (with or without a queue-level DelaySeconds) refuses
a per-message DelaySeconds other than 0 with "Value 5 for parameter DelaySeconds is invalid. Reason:
The request include parameter that is not valid for this queue type." (AWS's grammar), takes
DelaySeconds=0 or none, and is addressed by its bare name as QueueUrl. The same reason is what AWS
answered a live SendMessage naming a MessageDeduplicationId on a standard queue (a deploy log in the
stored public material: "Value <uuid> for parameter MessageDeduplicationId is invalid. Reason: The
request include parameter that is not valid for this queue type."). The other tests of moto's SQS
folder that the store holds are not marked aws_verified. The checks are our own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.services.sqs.support import error_of, unique

NOT_FOR_QUEUE_TYPE = "The request include parameter that is not valid for this queue type."


@pytest.mark.parametrize("queue_delay", [None, "10"], ids=["no-queue-delay", "queue-delay-10"])
def test_a_fifo_queue_refuses_a_message_delay_in_aws_words(sqs: Any, queue_delay: str | None) -> None:
    name = unique("moto_") + ".fifo"
    attributes = {"FifoQueue": "true"} | ({"DelaySeconds": queue_delay} if queue_delay else {})
    sqs.create_queue(QueueName=name, Attributes=attributes)
    try:
        # the queue's bare name serves as its QueueUrl
        send = {"QueueUrl": name, "MessageBody": "test", "MessageGroupId": "test"}
        assert error_of(sqs.send_message, **send, DelaySeconds=5, MessageDeduplicationId=unique()) == (
            "InvalidParameterValue",
            400,
            f"Value 5 for parameter DelaySeconds is invalid. Reason: {NOT_FOR_QUEUE_TYPE}",
        )
        assert sqs.send_message(**send, DelaySeconds=0, MessageDeduplicationId=unique())["MessageId"]
        assert sqs.send_message(**send, MessageDeduplicationId=unique())["MessageId"]
    finally:
        sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])


def test_a_standard_queue_refuses_a_deduplication_id_with_the_same_reason(
    sqs: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    assert error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageDeduplicationId="dedup-1") == (
        "InvalidParameterValue",
        400,
        f"Value dedup-1 for parameter MessageDeduplicationId is invalid. Reason: {NOT_FOR_QUEUE_TYPE}",
    )
