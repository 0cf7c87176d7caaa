"""Inputs found by the robustness sweep (every operation, garbage and boundary input) that once
answered 500 or stopped an event source's poller: each must get Lambda's own answer."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from tests.conftest import make_client
from tests.services.awslambda.support import Functions, delivered, error_of, forwarding, new_queue
from tests.services.awslambda.url_support import make_public, send

ECHO = "def handler(event, context):\n    return event\n"


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def test_a_payload_nested_past_1000_levels_is_refused_as_jackson_refuses_it(
    lam: Any, functions: Functions
) -> None:
    name = functions.python(ECHO)
    code, status, message, _ = error_of(lam.invoke, FunctionName=name, Payload=nested(1200).encode())
    assert (code, status) == ("InvalidRequestContentException", 400)
    # Jackson's StreamReadConstraints wording; the location follows as for any other parse error.
    assert message.startswith(
        "Could not parse request body into json: Could not parse payload into json: Document nesting depth "
        "(1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)\n at [Source: "
    )


def test_a_number_longer_than_1000_characters_is_refused_as_jackson_refuses_it(
    lam: Any, functions: Functions
) -> None:
    """Python converts integers of up to 4,300 digits and raised ValueError beyond (a 500); Jackson reads
    numbers of up to 1,000 characters."""
    name = functions.python(ECHO)
    for payload in (b"1" * 5000, b'{"n": ' + b"7" * 1001 + b"}"):
        code, status, message, _ = error_of(lam.invoke, FunctionName=name, Payload=payload)
        assert (code, status) == ("InvalidRequestContentException", 400)
        length = len(payload) if payload[:1] == b"1" else 1001
        assert message.startswith(
            "Could not parse request body into json: Could not parse payload into json: Number value length "
            f"({length}) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNumberLength()`)"
            "\n at [Source: "
        )
    assert lam.invoke(FunctionName=name, Payload=b'{"n": ' + b"7" * 1000 + b"}")["StatusCode"] == 200


def test_a_client_context_nested_too_deep_is_no_json_object(lam: Any, functions: Functions) -> None:
    name = functions.python(ECHO)
    context = base64.b64encode(nested(1200).encode()).decode()
    code, status, message, _ = error_of(lam.invoke, FunctionName=name, Payload=b"{}", ClientContext=context)
    assert (code, status) == ("InvalidRequestContentException", 400)
    assert message == "Client context must be a valid Base64-encoded JSON object."


def test_a_message_body_nested_too_deep_for_json_is_filtered_as_plain_text(
    lam: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    # The poller reads a body as JSON to match a filter; one nested past the decoder's depth is a
    # plain string to it (no match), and the messages after it are still delivered.
    url, arn = new_queue(sqs)
    name, dest = forwarding(made, sqs)
    sqs.send_message(QueueUrl=url, MessageBody='{"n": ' + "[" * 5000 + "]" * 5000 + "}")
    sqs.send_message(QueueUrl=url, MessageBody='{"n": 150}')
    created = lam.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=name,
        MaximumBatchingWindowInSeconds=1,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"n": [150]}})}]},
    )
    mappings.append(created["UUID"])
    assert [r["body"] for r in delivered(sqs, dest)["event"]["Records"]] == ['{"n": 150}']


DEEP_ANSWER = """
import sys
sys.setrecursionlimit(100000)
def handler(event, context):
    answer = []
    for _ in range(3000):
        answer = [answer]
    return answer
"""


def test_a_function_url_answer_nested_too_deep_for_json_is_a_502(lam: Any, functions: Functions) -> None:
    name = functions.python(DEEP_ANSWER, timeout=10)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    make_public(lam, name)
    answer = send(url)
    assert (answer.status, answer.body) == (502, b"Internal Server Error")


def test_code_in_s3_under_a_key_with_a_lone_surrogate_is_not_found(endpoint: str) -> None:
    # Valid JSON ("\ud800" escaped) but no Unicode text: no object can have that key.
    s3 = make_client(endpoint, "s3")
    bucket = f"code-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    unchecked = make_client(endpoint, "lambda", parameter_validation=False)
    content = {"S3Bucket": bucket, "S3Key": "\ud800", "S3ObjectVersion": "v"}
    assert error_of(unchecked.publish_layer_version, LayerName="sweep", Content=content)[:3] == (
        "InvalidParameterValueException",
        400,
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.",
    )
    s3.delete_bucket(Bucket=bucket)
