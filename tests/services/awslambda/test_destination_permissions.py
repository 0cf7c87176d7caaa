"""Destinations and dead-letter queues are reached as the function's execution role: AWS refuses
a configuration the role may not deliver to, and delivers Lambda's record (or the original
event with its error attributes) where the role may send.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, error_of, set_queue_policy, unique

ARN = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function"
SUCCEEDS = "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n"
FAILS = "def handler(event, context):\n    raise ValueError('bad order ' + str(event['n']))\n"


def _queue(server: ServerProcess) -> tuple[str, str]:
    sqs: Any = server.client("sqs")
    url = sqs.create_queue(QueueName=unique("dest"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _role(server: ServerProcess, *statements: dict[str, Any]) -> str:
    iam: Any = server.client("iam")
    role = iam.create_role(RoleName=unique("dest-role"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]
    if statements:
        policy = {"Version": "2012-10-17", "Statement": list(statements)}
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName="send", PolicyDocument=json.dumps(policy))
    arn: str = role["Arn"]
    return arn


def _allow(action: str, resource: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def _receive(server: ServerProcess, url: str) -> dict[str, Any]:
    sqs: Any = server.client("sqs")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=["All"]).get(
            "Messages"
        )
        if messages:
            message: dict[str, Any] = messages[0]
            return message
    raise AssertionError("no message arrived")


def test_a_destination_the_role_may_not_send_to_is_refused(
    server: ServerProcess, functions: Functions, lam: Any
) -> None:
    _, queue_arn = _queue(server)
    name = functions.python(SUCCEEDS)
    target = functions.python(SUCCEEDS)
    code, status, message, _ = error_of(
        lam.put_function_event_invoke_config,
        FunctionName=name,
        DestinationConfig={"OnSuccess": {"Destination": queue_arn}},
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert (
        message
        == f"The function's execution role does not have permissions to call SendMessage on {queue_arn}"
    )
    code, status, message, _ = error_of(
        lam.put_function_event_invoke_config,
        FunctionName=name,
        DestinationConfig={"OnFailure": {"Destination": f"{ARN}:{target}"}},
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert (
        message
        == f"The function's execution role does not have permissions to call InvokeFunction on {ARN}:{target}"
    )
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    code, _, message, _ = error_of(
        lam.update_function_event_invoke_config,
        FunctionName=name,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )
    assert code == "InvalidParameterValueException" and message.endswith(f"SendMessage on {queue_arn}")


def test_a_destination_allowed_by_the_roles_policy_or_the_queues_policy_is_accepted(
    server: ServerProcess, lam: Any
) -> None:
    _, queue_arn = _queue(server)
    by_identity = Functions(lam, _role(server, _allow("sqs:SendMessage", queue_arn)))
    plain_role = _role(server)
    by_resource = Functions(lam, plain_role)
    try:
        name = by_identity.python(SUCCEEDS)
        config = lam.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue_arn}}
        )
        assert config["DestinationConfig"]["OnSuccess"]["Destination"] == queue_arn
        url, other_queue = _queue(server)
        sqs: Any = server.client("sqs")
        set_queue_policy(sqs, url, "Allow", plain_role, "sqs:SendMessage", other_queue)
        other = by_resource.python(SUCCEEDS)
        lam.put_function_event_invoke_config(
            FunctionName=other, DestinationConfig={"OnFailure": {"Destination": other_queue}}
        )
    finally:
        by_identity.cleanup()
        by_resource.cleanup()


def test_a_dead_letter_queue_the_role_may_not_send_to_is_refused(
    server: ServerProcess, functions: Functions, lam: Any
) -> None:
    _, queue_arn = _queue(server)
    code, status, message, _ = error_of(functions.python, SUCCEEDS, DeadLetterConfig={"TargetArn": queue_arn})
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == "The provided execution role does not have permissions to call SendMessage on SQS"
    name = functions.python(SUCCEEDS)
    code, status, message, _ = error_of(
        lam.update_function_configuration, FunctionName=name, DeadLetterConfig={"TargetArn": queue_arn}
    )
    assert (code, status, message) == (
        "InvalidParameterValueException",
        400,
        "The provided execution role does not have permissions to call SendMessage on SQS",
    )


def test_the_success_record_reaches_an_sqs_destination_in_lambdas_format(
    server: ServerProcess, lam: Any
) -> None:
    url, queue_arn = _queue(server)
    made = Functions(lam, _role(server, _allow("sqs:SendMessage", queue_arn)))
    try:
        name = made.python(SUCCEEDS)
        lam.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue_arn}}
        )
        response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 21}')
        record = json.loads(_receive(server, url)["Body"])
    finally:
        made.cleanup()
    assert record["version"] == "1.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["timestamp"])
    assert record["requestContext"] == {
        "requestId": response["ResponseMetadata"]["RequestId"],
        "functionArn": f"{ARN}:{name}:$LATEST",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"n": 21}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"doubled": 42}


def test_a_failed_event_reaches_the_dead_letter_queue_with_its_error(server: ServerProcess, lam: Any) -> None:
    url, queue_arn = _queue(server)
    made = Functions(lam, _role(server, _allow("sqs:SendMessage", queue_arn)))
    try:
        name = made.python(FAILS, DeadLetterConfig={"TargetArn": queue_arn})
        lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
        response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 8}')
        message = _receive(server, url)
    finally:
        made.cleanup()
    assert json.loads(message["Body"]) == {"n": 8}
    attributes = {key: value["StringValue"] for key, value in message["MessageAttributes"].items()}
    assert attributes == {
        "RequestID": response["ResponseMetadata"]["RequestId"],
        "ErrorCode": "200",
        "ErrorMessage": "bad order 8",
    }
    # AWS types the HTTP status code as a Number, the others as Strings.
    types = {key: value["DataType"] for key, value in message["MessageAttributes"].items()}
    assert types == {"RequestID": "String", "ErrorCode": "Number", "ErrorMessage": "String"}


def test_a_fifo_queue_is_refused_as_a_dead_letter_queue(server: ServerProcess, functions: Functions, lam: Any) -> None:
    """Lambda's dead-letter queue is a standard queue or topic: a FIFO queue is refused when the function
    is created or configured ("InvalidParameterValueException: Invalid dead letter queue ARN: FIFO SQS
    queue is not supported for dead letter configuration", as AWS answers CreateFunction), even to a role
    that may send to it. An async destination that is a FIFO queue is accepted, as AWS's guide has it
    ("Capturing records of Lambda asynchronous invocations": an unsupported destination type, such as an
    SQS FIFO queue, shows as DestinationDeliveryFailures), and its records are not delivered."""
    sqs: Any = server.client("sqs")
    url = sqs.create_queue(QueueName=unique("dlq") + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    fifo_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sender = Functions(lam, _role(server, _allow("sqs:SendMessage", fifo_arn)))
    try:
        wording = "Invalid dead letter queue ARN: FIFO SQS queue is not supported for dead letter configuration"
        code, status, message, _ = error_of(sender.python, SUCCEEDS, DeadLetterConfig={"TargetArn": fifo_arn})
        assert (code, status, message) == ("InvalidParameterValueException", 400, wording)
        name = sender.python(SUCCEEDS)
        code, status, message, _ = error_of(
            lam.update_function_configuration, FunctionName=name, DeadLetterConfig={"TargetArn": fifo_arn}
        )
        assert (code, status, message) == ("InvalidParameterValueException", 400, wording)
        assert "DeadLetterConfig" not in lam.get_function_configuration(FunctionName=name)
        config = lam.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnFailure": {"Destination": fifo_arn}}
        )
        assert config["DestinationConfig"]["OnFailure"]["Destination"] == fifo_arn
    finally:
        sender.cleanup()


def test_a_dead_letter_target_is_a_queue_or_topic_and_an_s3_destination_is_for_failures(
    functions: Functions, lam: Any
) -> None:
    """DeadLetterConfig takes "The Amazon Resource Name (ARN) of an Amazon SQS queue or Amazon SNS topic"
    (its API reference): a function or a bucket is refused. An S3 bucket takes records "on failure only"
    ("Capturing records of Lambda asynchronous invocations"): as OnSuccess it is an invalid config."""
    name = functions.python(SUCCEEDS)
    other = f"arn:aws:lambda:us-east-1:000000000000:function:{name}-other"
    for target in (other, "arn:aws:s3:::records-bucket"):
        code, status, message, _ = error_of(
            lam.update_function_configuration, FunctionName=name, DeadLetterConfig={"TargetArn": target}
        )
        assert (code, status) == ("InvalidParameterValueException", 400)
        assert message.startswith("Invalid dead letter queue ARN: ")
    assert "DeadLetterConfig" not in lam.get_function_configuration(FunctionName=name)
    code, status, _, _ = error_of(
        lam.put_function_event_invoke_config,
        FunctionName=name,
        DestinationConfig={"OnSuccess": {"Destination": "arn:aws:s3:::records-bucket"}},
    )
    assert (code, status) == ("InvalidParameterValueException", 400)


def test_a_failure_record_is_written_to_an_s3_bucket_as_lambda_names_it(server: ServerProcess, lam: Any) -> None:
    """An S3 bucket takes a failed invocation's record as a JSON object named
    "aws/lambda/async/<function-name>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>", written as the
    execution role, which must be allowed s3:PutObject there ("Capturing records of Lambda
    asynchronous invocations")."""
    s3: Any = server.client("s3")
    bucket = unique("records").lower()
    s3.create_bucket(Bucket=bucket)
    unable = Functions(lam, _role(server))
    made = Functions(lam, _role(server, _allow("s3:PutObject", f"arn:aws:s3:::{bucket}/*")))
    destination = {"OnFailure": {"Destination": f"arn:aws:s3:::{bucket}"}}
    try:
        refused = unable.python(FAILS)
        code, status, message, _ = error_of(
            lam.put_function_event_invoke_config, FunctionName=refused, DestinationConfig=destination
        )
        assert (code, status) == ("InvalidParameterValueException", 400)
        assert message == (
            f"The function's execution role does not have permissions to call PutObject on arn:aws:s3:::{bucket}"
        )
        name = made.python(FAILS)
        lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0, DestinationConfig=destination)
        response = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 3}')
        deadline, keys = time.monotonic() + 30, []
        while not keys and time.monotonic() < deadline:
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
            time.sleep(0.2)
        assert len(keys) == 1
        assert re.fullmatch(
            rf"aws/lambda/async/{name}/\d{{4}}/\d\d/\d\d/\d{{4}}-\d\d-\d\dT\d\d\.\d\d\.\d\d-[0-9a-f-]{{36}}",
            keys[0],
        )
        record = json.loads(s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read())
    finally:
        unable.cleanup()
        made.cleanup()
    assert record["requestContext"]["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"n": 3}
    assert record["responseContext"]["functionError"] == "Unhandled"
