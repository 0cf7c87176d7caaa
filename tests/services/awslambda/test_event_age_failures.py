"""An asynchronous event whose next retry would come after MaximumEventAgeInSeconds is not retried:
Lambda fails it at once as EventAgeExceeded, with the answer of the attempt it made."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, log_messages, unique

FAILS = "def handler(event, context):\n    raise Exception('intentional failure')\n"


def test_a_retry_past_the_maximum_event_age_is_not_made(server: ServerProcess, lam: Any, logs: Any) -> None:
    sqs: Any = server.client("sqs")
    iam: Any = server.client("iam")
    url = sqs.create_queue(QueueName=unique("on-failure"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    role = iam.create_role(RoleName=unique("age-role"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]
    statement = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue_arn}
    iam.put_role_policy(
        RoleName=role["RoleName"],
        PolicyName="send",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    made = Functions(lam, role["Arn"])
    try:
        name = made.python(FAILS)
        function_arn = lam.get_function_configuration(FunctionName=name)["FunctionArn"]
        # Lambda's first retry comes a minute after the first attempt: past an age limit of 60 seconds.
        lam.put_function_event_invoke_config(
            FunctionName=name,
            MaximumRetryAttempts=2,
            MaximumEventAgeInSeconds=60,
            DestinationConfig={"OnFailure": {"Destination": queue_arn}},
        )
        response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"message": "m1"}')
        messages: list[dict[str, Any]] = []
        for _ in range(10):
            messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2).get("Messages", [])
            if messages:
                break
        starts = [m for m in log_messages(logs, f"/aws/lambda/{name}") if m.startswith("START")]
    finally:
        made.cleanup()
    assert messages, "nothing reached the OnFailure destination"
    record = json.loads(messages[0]["Body"])
    request_id = response["ResponseMetadata"]["RequestId"]
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": f"{function_arn}:$LATEST",
        "condition": "EventAgeExceeded",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"message": "m1"}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorMessage"] == "intentional failure"
    assert record["responsePayload"]["requestId"] == request_id
    assert len(starts) == 1
