"""Helpers for the Lambda end-to-end tests: zip packages, unique names, functions that
clean up after themselves, invoking with the decoded payload, and reading a function's log.
"""

from __future__ import annotations

import base64
import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess

LAMBDA_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})

# The second account of the `two_accounts` server (conftest.py), and its root user's key.
OTHER_ACCOUNT = "111111111111"
OTHER_KEY, OTHER_SECRET = "AKIALAMBDAOTHER00001", "lambda-other-secret"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def zipped(files: Mapping[str, str | bytes], executable: tuple[str, ...] = ()) -> bytes:
    """A deployment package; files named in `executable` get mode 0755 as a zip tool would record it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o755 if name in executable else 0o644) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def error_of(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, int, str, dict[str, Any]]:
    """(code, HTTP status, message, whole response) of the AWS error a call must answer with."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"], response


class Invoked:
    """One Invoke answer: the response, the decoded payload, and the tail of the log when asked for."""

    def __init__(self, response: dict[str, Any], elapsed: float) -> None:
        self.response = response
        self.elapsed = elapsed
        self.raw = response["Payload"].read() if "Payload" in response else b""
        self.status = response["StatusCode"]
        self.function_error = response.get("FunctionError")
        self.request_id = response["ResponseMetadata"]["RequestId"]
        self.log = base64.b64decode(response["LogResult"]).decode() if response.get("LogResult") else ""

    @property
    def payload(self) -> Any:
        return json.loads(self.raw) if self.raw else None

    def report(self) -> str:
        """The REPORT line of the tail."""
        return next(line for line in self.lines() if line.startswith("REPORT RequestId:"))

    def lines(self) -> list[str]:
        """The tail's lines (a multi-line record, such as an [ERROR] entry, is several of them)."""
        return self.log.split("\n")


def invoke(lam: Any, name: str, event: Any = None, tail: bool = True, **kwargs: Any) -> Invoked:
    started = time.monotonic()
    if tail:
        kwargs.setdefault("LogType", "Tail")
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event if event is not None else {}), **kwargs)
    return Invoked(response, time.monotonic() - started)


def log_messages(logs: Any, group: str, contains: str = "", wait: float = 0.0) -> list[str]:
    """Every message of a log group, stream by stream in time order; waits up to `wait` seconds for one containing `contains`."""
    deadline = time.monotonic() + wait
    while True:
        events: list[tuple[int, str]] = []
        try:
            for page in logs.get_paginator("describe_log_streams").paginate(logGroupName=group):
                for stream in page["logStreams"]:
                    answer = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"], startFromHead=True)
                    events += [(e["timestamp"], e["message"]) for e in answer["events"]]
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ResourceNotFoundException":
                raise
        messages = [message for _, message in sorted(events, key=lambda e: e[0])]
        if not contains or any(contains in m for m in messages) or time.monotonic() >= deadline:
            return messages
        time.sleep(0.1)


class Functions:
    """Creates functions with unique names and deletes them afterwards (which stops their environments)."""

    def __init__(self, lam: Any, role: str) -> None:
        self.lam = lam
        self.role = role
        self.created: list[str] = []

    def create(self, files: Mapping[str, str | bytes] | None = None, *, handler: str = "app.handler",
               runtime: str = "python3.12", timeout: int = 3, memory: int = 128, prefix: str = "fn",
               code: dict[str, Any] | None = None, executable: tuple[str, ...] = (), **extra: Any) -> str:
        name = unique(prefix)
        self.lam.create_function(
            FunctionName=name, Runtime=runtime, Role=self.role, Handler=handler,
            Code=code or {"ZipFile": zipped(files or {}, executable)}, Timeout=timeout, MemorySize=memory, **extra,
        )
        self.created.append(name)
        return name

    def python(self, source: str, **kwargs: Any) -> str:
        """A python3.12 function whose app.py is `source`."""
        return self.create({"app.py": source}, **kwargs)

    def cleanup(self) -> None:
        for name in self.created:
            try:
                self.lam.delete_function(FunctionName=name)
            except ClientError:
                pass


def set_queue_policy(sqs: Any, url: str, effect: str, principal: str, action: str | list[str], resource: str) -> None:
    """Give a queue a one-statement policy: `effect` for the AWS principal `principal`."""
    statement = {"Effect": effect, "Principal": {"AWS": principal}, "Action": action, "Resource": resource}
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})


def lambda_client_allowed(server: Any, actions: list[str]) -> Any:
    """A Lambda client of a new IAM user whose only policy allows exactly `actions`."""
    from tests.services.iam.support import Caller, allow, doc

    iam = server.client("iam")
    caller = Caller(server.endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="allowed", PolicyDocument=doc(allow(actions)))
    return caller.client("lambda")


# -- SQS event source mappings ---------------------------------------------------------------------

# Sends the event it is given to the queue named by DEST, so a test can read what Lambda delivered.
FORWARD = """
import json, os, boto3
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["DEST"], MessageBody=json.dumps(
        {"version": context.function_version, "event": event}))
"""


def new_queue(sqs: Any, **attributes: str) -> tuple[str, str]:
    """(URL, ARN) of a new queue."""
    url = sqs.create_queue(QueueName=unique("src"), Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def forwarding(functions: Functions, sqs: Any) -> tuple[str, str]:
    """(function name, destination queue URL) of a function that forwards its events."""
    dest, _ = new_queue(sqs)
    return functions.python(FORWARD, timeout=10, Environment={"Variables": {"DEST": dest}}), dest


def delivered(sqs: Any, dest: str) -> dict[str, Any]:
    """The next event a `forwarding` function forwarded to `dest` (AssertionError if none comes)."""
    for _ in range(4):
        answer = sqs.receive_message(QueueUrl=dest, WaitTimeSeconds=10)
        if answer.get("Messages"):
            message = answer["Messages"][0]
            sqs.delete_message(QueueUrl=dest, ReceiptHandle=message["ReceiptHandle"])
            forwarded: dict[str, Any] = json.loads(message["Body"])
            return forwarded
    raise AssertionError("the function was not invoked")


@pytest.fixture(scope="module")
def fast_retries() -> Iterator[ServerProcess]:
    """A server whose async retries come 0.5 s apart instead of Lambda's minutes."""
    proc = ServerProcess(env={"POCKETCLOUD_LAMBDA_RETRY_SECONDS": "0.5"}).start()
    yield proc
    proc.stop()


def execution_role(server: Any, prefix: str, actions: list[str]) -> str:
    """A new Lambda execution role allowed `actions` on every resource, and nothing else."""
    iam: Any = server.client("iam")
    name = unique(prefix)
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    iam.put_role_policy(RoleName=name, PolicyName=prefix, PolicyDocument=json.dumps(policy))
    return arn
