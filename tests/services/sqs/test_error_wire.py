"""SQS errors as they travel on the wire, over json and over query.

A json error's `__type` names its namespace: SQS's own for the errors of its model
(`com.amazonaws.sqs#QueueDoesNotExist`, the example of the SQS Developer Guide's "Interpreting
Amazon SQS JSON API responses"), the Coral framework's for request validation, authentication and
unknown operations; `x-amzn-query-error` carries the query-era code SDKs raise. SQS, a query
service before it spoke json, refuses bad credentials as the query services do, on both protocols:
403 InvalidClientTokenId / SignatureDoesNotMatch (SQS over json: "GetQueueUrl, https response error
StatusCode: 403, ... api error InvalidClientTokenId", argoproj/notifications-engine#382).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import make_client
from tests.raw_http import exchange, signed_request
from tests.services.sqs.support import QueryClient, error_of, text, unique


def _json_call(
    endpoint: str, operation: str, params: dict[str, Any], prefix: str = "AmazonSQS."
) -> tuple[int, dict[str, str], dict[str, Any]]:
    headers = {"content-type": "application/x-amz-json-1.0", "x-amz-target": f"{prefix}{operation}"}
    body = json.dumps(params).encode()
    status, answer_headers, answer = exchange(
        endpoint, signed_request(endpoint, "POST", "/", "sqs", body, headers)
    )
    return status, answer_headers, json.loads(answer)


@pytest.mark.parametrize(
    ("operation", "params", "status", "json_type", "query_code"),
    [
        (
            "GetQueueUrl",
            {"QueueName": "no-such-queue-here"},
            400,
            "com.amazonaws.sqs#QueueDoesNotExist",
            "AWS.SimpleQueueService.NonExistentQueue",
        ),
        (
            "SendMessageBatch",
            {"Entries": []},
            400,
            "com.amazonaws.sqs#EmptyBatchRequest",
            "AWS.SimpleQueueService.EmptyBatchRequest",
        ),
        (
            "SendMessage",
            {"MessageBody": ""},
            400,
            "com.amazon.coral.service#MissingRequiredParameterException",
            "MissingParameter",
        ),
        (
            "ReceiveMessage",
            {"MaxNumberOfMessages": 11},
            400,
            "com.amazon.coral.service#InvalidParameterValueException",
            "InvalidParameterValue",
        ),
        (
            "DeleteMessage",
            {"ReceiptHandle": "garbage"},
            404,
            "com.amazonaws.sqs#ReceiptHandleIsInvalid",
            "ReceiptHandleIsInvalid",
        ),
    ],
)
def test_json_error_type_names_its_namespace(
    endpoint: str,
    sqs: Any,
    operation: str,
    params: dict[str, Any],
    status: int,
    json_type: str,
    query_code: str,
) -> None:
    url = sqs.create_queue(QueueName=unique("wire"))["QueueUrl"]
    if operation != "GetQueueUrl":
        params = {"QueueUrl": url, **params}
    answer_status, headers, document = _json_call(endpoint, operation, params)
    assert answer_status == status
    assert document["__type"] == json_type
    assert headers["x-amzn-query-error"] == f"{query_code};Sender"


def test_json_unknown_operation_is_corals_with_the_query_code_invalid_action(endpoint: str) -> None:
    status, headers, document = _json_call(endpoint, "NoSuchAction", {})
    assert status == 400
    assert document["__type"] == "com.amazon.coral.service#UnknownOperationException"
    assert headers["x-amzn-query-error"] == "InvalidAction;Sender"
    # An operation SQS has, under another service's target prefix or none, is no SQS operation.
    for prefix in ("AWSKMS.", "Foo.", ""):
        status, _, document = _json_call(endpoint, "ListQueues", {}, prefix)
        assert (status, document["__type"]) == (400, "com.amazon.coral.service#UnknownOperationException")
    # Another service's target signed for SQS is that service's, and refused as signed for the wrong one.
    status, _, document = _json_call(endpoint, "ListKeys", {}, "TrentService.")
    assert status == 400 and document["__type"].endswith("InvalidSignatureException")
    assert document["message"] == "Credential should be scoped to correct service: 'kms'. "


def test_a_queue_url_with_no_account_where_one_belongs_names_no_queue(endpoint: str) -> None:
    """`/<account>/<queue>/<more>` reads no account id from `<queue>`: the queue does not exist (it was
    refused as another account's, with an ARN naming the queue's name as the account)."""
    name = unique("q")
    create_status, _, created = _json_call(endpoint, "CreateQueue", {"QueueName": name})
    assert create_status == 200
    for url in (f"{created['QueueUrl']}/extra", "http://x/000000000000/errq/extra"):
        status, headers, document = _json_call(endpoint, "SendMessage", {"QueueUrl": url, "MessageBody": "x"})
        assert (status, document["__type"]) == (400, "com.amazonaws.sqs#QueueDoesNotExist")
    _json_call(endpoint, "DeleteQueue", {"QueueUrl": created["QueueUrl"]})


def test_sdks_still_raise_the_query_code_and_modeled_class(sqs: Any) -> None:
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as info:
        sqs.get_queue_url(QueueName="no-such-queue-here")
    assert info.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_unknown_access_key_is_403_invalid_client_token_id_over_json(endpoint: str) -> None:
    client = make_client(endpoint, "sqs", key="AKIANOSUCHKEY0000001", secret="whatever")
    assert error_of(client.list_queues) == (
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid.",
    )


def test_wrong_secret_is_403_signature_does_not_match_over_json(endpoint: str) -> None:
    client = make_client(endpoint, "sqs", secret="not-the-secret")
    code, status, message = error_of(client.list_queues)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith(
        "The request signature we calculated does not match the signature you provided."
    )


def test_bad_credentials_over_query_get_the_query_codes(endpoint: str) -> None:
    status, root = QueryClient(endpoint, key="AKIANOSUCHKEY0000001", secret="x").call("ListQueues")
    assert (status, text(root, "Error/Code"), text(root, "Error/Type")) == (
        403,
        "InvalidClientTokenId",
        "Sender",
    )
    status, root = QueryClient(endpoint, secret="not-the-secret").call("ListQueues")
    assert (status, text(root, "Error/Code")) == (403, "SignatureDoesNotMatch")


def test_an_access_denial_over_json_is_corals_with_its_message_capitalised(endpoint: str, sqs: Any) -> None:
    # Measured on SQS over json: 403, x-amzn-query-error AccessDenied;Sender,
    # {"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: ... is not
    # authorized to perform: sqs:sendmessage on resource: ... because no identity-based policy allows
    # the sqs:sendmessage action"}; the SDK reports AccessDenied.
    iam = make_client(endpoint, "iam")
    user = unique("denied")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    client = make_client(endpoint, "sqs", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    seen: dict[str, Any] = {}

    def keep(http_response: Any, **_: Any) -> None:
        seen["status"], seen["headers"] = http_response.status_code, http_response.headers
        seen["body"] = json.loads(http_response.content)

    client.meta.events.register("after-call.sqs.SendMessage", keep)
    url = sqs.create_queue(QueueName=unique("wire"))["QueueUrl"]
    code, status, message = error_of(client.send_message, QueueUrl=url, MessageBody="x")
    assert (code, status) == ("AccessDenied", 403)
    assert (seen["status"], seen["headers"]["x-amzn-query-error"]) == (403, "AccessDenied;Sender")
    assert seen["body"]["__type"] == "com.amazon.coral.service#AccessDeniedException"
    assert seen["body"]["Message"] == message
    assert "is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:" in message
