"""SQS's JSON protocol takes a JSON number where its model says string, as SQS does, and uses its
text; a string where the model says integer is still refused. The client is boto3 with its own
parameter validation off, so it sends the numbers it is given as JSON numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.sqs.support import error_of, md5_of_attributes, unique


@pytest.fixture(scope="module")
def loose(endpoint: str) -> Any:
    return make_client(endpoint, "sqs", parameter_validation=False)


def test_numbers_in_the_attributes_of_create_queue_are_read_as_their_text(sqs: Any, loose: Any) -> None:
    url = loose.create_queue(
        QueueName=unique("num"), Attributes={"VisibilityTimeout": 45, "DelaySeconds": 0}
    )["QueueUrl"]
    try:
        attributes = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["VisibilityTimeout", "DelaySeconds"]
        )
        assert attributes["Attributes"] == {"VisibilityTimeout": "45", "DelaySeconds": "0"}
    finally:
        sqs.delete_queue(QueueUrl=url)


def test_a_number_in_set_queue_attributes_is_validated_like_its_text(
    sqs: Any, loose: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    loose.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": 2048})
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MaximumMessageSize"])["Attributes"] == {
        "MaximumMessageSize": "2048"
    }
    code, status, _ = error_of(
        loose.set_queue_attributes, QueueUrl=url, Attributes={"MaximumMessageSize": 10}
    )
    assert (code, status) == ("InvalidAttributeValue", 400)


def test_a_number_as_a_message_attribute_string_value(
    sqs: Any, loose: Any, new_queue: Callable[..., str]
) -> None:
    url = new_queue()
    sent = loose.send_message(
        QueueUrl=url,
        MessageBody="order",
        MessageAttributes={
            "count": {"DataType": "Number", "StringValue": 42},
            "price": {"DataType": "Number", "StringValue": 1.5},
        },
    )
    expected = {
        "count": {"DataType": "Number", "StringValue": "42"},
        "price": {"DataType": "Number", "StringValue": "1.5"},
    }
    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(expected)
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert message["MessageAttributes"] == expected


def test_a_string_where_the_model_says_integer_is_still_a_serialization_error(
    loose: Any, new_queue: Callable[..., str]
) -> None:
    code, status, _ = error_of(loose.send_message, QueueUrl=new_queue(), MessageBody="x", DelaySeconds="5")
    assert (code, status) == ("SerializationException", 400)
