"""Helpers of the CloudWatch Logs tests: unique names, a group per test, errors as (code, message)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, make_client
from tests.services.awslambda.support import LAMBDA_TRUST, Functions

DAY_MS = 86_400_000


def unique(prefix: str = "pc") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def logs_key(kms: Any, region: str = "us-east-1", account: str = "000000000000") -> str:
    """The ARN of a new KMS key whose policy lets CloudWatch Logs encrypt the account's log groups
    with it (the policy of "Encrypt log data in CloudWatch Logs using AWS KMS")."""
    statements = [
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": [
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account}:log-group:*"
                }
            },
        },
    ]
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    arn: str = kms.create_key(Policy=policy)["KeyMetadata"]["Arn"]
    return arn


def now_ms() -> int:
    return int(time.time() * 1000)


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    error = exc.value.response["Error"]
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error["Code"], error.get("Message", "")


def put(
    logs: Any, group: str, stream: str, messages: list[str], start: int | None = None, step: int = 1
) -> list[int]:
    """Put `messages` one `step` ms apart from `start` (default: a minute ago); their timestamps."""
    base = now_ms() - 60_000 if start is None else start
    stamps = [base + i * step for i in range(len(messages))]
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": t, "message": m} for t, m in zip(stamps, messages, strict=True)],
    )
    return stamps


def put_now(logs: Any, group: str, stream: str, *messages: str) -> None:
    """Put `messages` stamped now into `stream`, creating the stream first if it is not there yet."""
    try:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    now = now_ms()
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": now, "message": m} for m in messages],
    )


@pytest.fixture(scope="module")
def logs(endpoint: str) -> Any:
    return make_client(endpoint, "logs")


@pytest.fixture(scope="module")
def unchecked(endpoint: str) -> Any:
    """A client that sends what botocore would refuse to (empty lists, short strings)."""
    return make_client(endpoint, "logs", parameter_validation=False)


@pytest.fixture
def group(logs: Any) -> Iterator[str]:
    name = unique("/pc/test")
    logs.create_log_group(logGroupName=name)
    yield name
    try:
        logs.delete_log_group(logGroupName=name)
    except ClientError:
        pass


# Prints ("got <message>") the messages of the log events a subscription filter delivers to it.
SUBSCRIBER = (
    "import base64, gzip, json\n"
    "def handler(event, context):\n"
    "    data = json.loads(gzip.decompress(base64.b64decode(event['awslogs']['data'])))\n"
    "    for e in data['logEvents']:\n"
    "        print('got', e['message'])\n"
)


def subscriber_function(functions: Functions) -> tuple[str, str]:
    """The name and ARN of a new SUBSCRIBER function that CloudWatch Logs may invoke."""
    name = functions.python(SUBSCRIBER)
    arn = functions.lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    functions.lam.add_permission(
        FunctionName=name,
        StatementId="logs",
        Action="lambda:InvokeFunction",
        Principal="logs.amazonaws.com",
    )
    return name, arn


@pytest.fixture
def functions(server: ServerProcess) -> Iterator[Functions]:
    """Lambda functions for subscription and transformer tests, deleted after the test."""
    iam: Any = server.client("iam")
    role = iam.create_role(RoleName=unique("logs-fn-role"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    made = Functions(server.client("lambda"), role)
    yield made
    made.cleanup()
