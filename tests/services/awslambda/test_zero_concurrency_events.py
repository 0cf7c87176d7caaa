"""An event for a function whose reserved concurrency is 0 can never run: Lambda sends it to the
OnFailure destination at once, with the condition ZeroReservedConcurrency and no attempt made.
"""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, unique


def _role_that_may_send(server: ServerProcess, queue_arn: str) -> str:
    iam: Any = server.client("iam")
    role = iam.create_role(RoleName=unique("zero-role"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn}],
    }
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="send", PolicyDocument=json.dumps(policy))
    arn: str = role["Arn"]
    return arn


def test_an_event_for_a_function_with_zero_reserved_concurrency_fails_at_once(
    server: ServerProcess, lam: Any
) -> None:
    sqs: Any = server.client("sqs")
    url = sqs.create_queue(QueueName=unique("on-failure"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    made = Functions(lam, _role_that_may_send(server, queue_arn))
    try:
        name = made.python("def handler(event, context):\n    return event\n")
        function_arn = lam.get_function_configuration(FunctionName=name)["FunctionArn"]
        lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        lam.put_function_event_invoke_config(
            FunctionName=name,
            MaximumRetryAttempts=0,
            DestinationConfig={"OnFailure": {"Destination": queue_arn}},
        )
        response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 1}')
        assert response["StatusCode"] == 202
        messages: list[dict[str, Any]] = []
        for _ in range(10):
            messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2).get("Messages", [])
            if messages:
                break
    finally:
        made.cleanup()
    assert messages, "nothing reached the OnFailure destination"
    record = json.loads(messages[0]["Body"])
    assert record["requestContext"] == {
        "requestId": response["ResponseMetadata"]["RequestId"],
        "functionArn": f"{function_arn}:$LATEST",
        "condition": "ZeroReservedConcurrency",
        "approximateInvokeCount": 0,
    }
    assert record["requestPayload"] == {"n": 1}
    assert sorted(record) == ["requestContext", "requestPayload", "timestamp", "version"]
