"""Asynchronous invocation: retries counted, destinations on failure and success, and a
queued event surviving a kill -9 of the server. Retry delays are shortened with
POCKETCLOUD_LAMBDA_RETRY_SECONDS on servers of their own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, fast_retries, log_messages, unique

__all__ = ["fast_retries"]

FAILING = "def handler(event, context):\n    raise RuntimeError('always fails: ' + str(event.get('n')))\n"
SUCCEEDING = "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n"
# Writes each destination record it receives to its log, on one line, for the test to read back.
RECORDER = "import json\ndef handler(event, context):\n    print('RECORD ' + json.dumps(event))\n"


@pytest.fixture
def fns(fast_retries: ServerProcess) -> Iterator[Functions]:
    iam: Any = fast_retries.client("iam")
    role = iam.create_role(RoleName=unique("async"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]
    # Lambda invokes a destination function as the execution role, which must be allowed to.
    invoke_any = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}]}
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="destinations", PolicyDocument=json.dumps(invoke_any))
    made = Functions(fast_retries.client("lambda"), role["Arn"])
    yield made
    made.cleanup()


def _records(logs: Any, recorder: str, wait: float) -> list[dict[str, Any]]:
    messages = log_messages(logs, f"/aws/lambda/{recorder}", "RECORD ", wait)
    return [json.loads(m.split("RECORD ", 1)[1]) for m in messages if m.startswith("RECORD ")]


def _arn(lam: Any, name: str) -> str:
    arn: str = lam.get_function_configuration(FunctionName=name)["FunctionArn"]
    return arn


def test_a_failing_event_is_retried_twice_then_sent_to_the_on_failure_destination(fast_retries: ServerProcess, fns: Functions) -> None:
    lam: Any = fns.lam
    logs: Any = fast_retries.client("logs")
    failing = fns.python(FAILING)
    recorder = fns.python(RECORDER)
    lam.put_function_event_invoke_config(
        FunctionName=failing, DestinationConfig={"OnFailure": {"Destination": _arn(lam, recorder)}})
    response = lam.invoke(FunctionName=failing, InvocationType="Event", Payload=json.dumps({"n": 7}))
    assert response["StatusCode"] == 202
    request_id = response["ResponseMetadata"]["RequestId"]
    records = _records(logs, recorder, wait=15)
    assert len(records) == 1
    record = records[0]
    assert record["version"] == "1.0"
    assert record["requestContext"] == {
        "requestId": request_id, "functionArn": f"{_arn(lam, failing)}:$LATEST",
        "condition": "RetriesExhausted", "approximateInvokeCount": 3,
    }
    assert record["requestPayload"] == {"n": 7}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert record["responsePayload"]["errorMessage"] == "always fails: 7"
    assert record["responsePayload"]["errorType"] == "RuntimeError"
    starts = [m for m in log_messages(logs, f"/aws/lambda/{failing}") if m.startswith("START RequestId:")]
    assert starts == [f"START RequestId: {request_id} Version: $LATEST\n"] * 3


def test_no_retries_means_one_attempt(fast_retries: ServerProcess, fns: Functions) -> None:
    lam: Any = fns.lam
    logs: Any = fast_retries.client("logs")
    failing = fns.python(FAILING)
    recorder = fns.python(RECORDER)
    lam.put_function_event_invoke_config(FunctionName=failing, MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": _arn(lam, recorder)}})
    lam.invoke(FunctionName=failing, InvocationType="Event", Payload=json.dumps({"n": 1}))
    records = _records(logs, recorder, wait=10)
    assert [r["requestContext"]["approximateInvokeCount"] for r in records] == [1]
    assert records[0]["requestContext"]["condition"] == "RetriesExhausted"


def test_a_success_goes_to_the_on_success_destination(fast_retries: ServerProcess, fns: Functions) -> None:
    lam: Any = fns.lam
    logs: Any = fast_retries.client("logs")
    worker = fns.python(SUCCEEDING)
    recorder = fns.python(RECORDER)
    lam.put_function_event_invoke_config(FunctionName=worker, DestinationConfig={"OnSuccess": {"Destination": _arn(lam, recorder)}})
    lam.invoke(FunctionName=worker, InvocationType="Event", Payload=json.dumps({"n": 21}))
    records = _records(logs, recorder, wait=10)
    assert len(records) == 1
    assert records[0]["requestContext"]["condition"] == "Success"
    assert records[0]["requestContext"]["approximateInvokeCount"] == 1
    assert records[0]["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert records[0]["responsePayload"] == {"doubled": 42}


def test_a_queued_event_survives_a_kill_9_of_the_server(tmp_path: Path) -> None:
    proc = ServerProcess(data_dir=tmp_path / "data").start()
    try:
        iam: Any = proc.client("iam")
        role = iam.create_role(RoleName=unique("durable"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
        fns = Functions(proc.client("lambda"), role)
        # Slow enough that the server dies while the event runs: it must run again after the restart.
        name = fns.python("import time\ndef handler(event, context):\n    time.sleep(event['sleep'])\n"
                          "    print('FINISHED', event['n'])\n", timeout=10)
        fns.lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"n": 5, "sleep": 1.5}))
        time.sleep(0.5)
        assert "FINISHED 5\n" not in log_messages(proc.client("logs"), f"/aws/lambda/{name}")
        proc.kill9()
        proc = ServerProcess(data_dir=tmp_path / "data").start()
        messages = log_messages(proc.client("logs"), f"/aws/lambda/{name}", "FINISHED 5", wait=10)
        assert "FINISHED 5\n" in messages
    finally:
        proc.stop()
