"""InvokeWithResponseStream through boto3: the answer is an AWS event stream botocore
parses (PayloadChunk events, then InvokeComplete), with Invoke's errors and authorization.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import Functions, error_of
from tests.services.iam.support import Caller, allow, doc

ECHO = "def handler(event, context):\n    print('streamed', event.get('n'))\n    return {'got': event}\n"
BIG = "def handler(event, context):\n    return 'x' * 200000\n"
FAILS = "def handler(event, context):\n    raise ValueError('no luck')\n"


def _events(response: dict[str, Any]) -> tuple[bytes, list[dict[str, Any]]]:
    """(the payload chunks joined, the InvokeComplete events) of a streamed answer."""
    payload, complete = b"", []
    for event in response["EventStream"]:
        if "PayloadChunk" in event:
            payload += event["PayloadChunk"]["Payload"]
        if "InvokeComplete" in event:
            complete.append(event["InvokeComplete"])
    return payload, complete


def test_the_result_arrives_as_payload_chunks_then_invoke_complete(functions: Functions, lam: Any) -> None:
    name = functions.python(ECHO)
    response = lam.invoke_with_response_stream(FunctionName=name, Payload=json.dumps({"n": 1}))
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert response["ResponseStreamContentType"] == "application/vnd.amazon.eventstream"
    payload, complete = _events(response)
    assert json.loads(payload) == {"got": {"n": 1}}
    assert len(complete) == 1
    assert "ErrorCode" not in complete[0]


def test_a_large_result_is_split_into_several_chunks(functions: Functions, lam: Any) -> None:
    name = functions.python(BIG)
    response = lam.invoke_with_response_stream(FunctionName=name)
    chunks = [e["PayloadChunk"]["Payload"] for e in response["EventStream"] if "PayloadChunk" in e]
    assert len(chunks) > 1
    assert json.loads(b"".join(chunks)) == "x" * 200000


def test_invoke_complete_carries_the_log_tail_when_asked(functions: Functions, lam: Any) -> None:
    name = functions.python(ECHO)
    response = lam.invoke_with_response_stream(
        FunctionName=name, Payload=json.dumps({"n": 7}), LogType="Tail"
    )
    _, complete = _events(response)
    log = base64.b64decode(complete[0]["LogResult"]).decode()
    assert "streamed 7" in log
    assert "REPORT RequestId:" in log


def test_a_function_error_is_reported_in_invoke_complete(functions: Functions, lam: Any) -> None:
    name = functions.python(FAILS)
    response = lam.invoke_with_response_stream(FunctionName=name)
    assert response["StatusCode"] == 200
    payload, complete = _events(response)
    assert payload == b""
    assert complete[0]["ErrorCode"] == "ValueError"
    assert json.loads(complete[0]["ErrorDetails"])["errorMessage"] == "no luck"


def test_a_qualifier_runs_that_version(functions: Functions, lam: Any) -> None:
    name = functions.python(ECHO)
    version = lam.publish_version(FunctionName=name)["Version"]
    response = lam.invoke_with_response_stream(FunctionName=name, Qualifier=version)
    assert response["ExecutedVersion"] == version
    assert json.loads(_events(response)[0]) == {"got": {}}


def test_a_missing_function_is_resource_not_found(lam: Any) -> None:
    # Named as $LATEST, as AWS's Invoke names a missing function asked for without a qualifier.
    assert error_of(lam.invoke_with_response_stream, FunctionName="no-such-fn-h19")[:3] == (
        "ResourceNotFoundException",
        404,
        f"Function not found: arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:no-such-fn-h19:$LATEST",
    )


def test_it_is_authorized_as_lambda_invoke_function(server: ServerProcess, functions: Functions) -> None:
    name = functions.python(ECHO)
    iam: Any = server.client("iam")
    denied, allowed = Caller(server.endpoint, iam), Caller(server.endpoint, iam)
    iam.put_user_policy(
        UserName=allowed.name, PolicyName="invoke", PolicyDocument=doc(allow("lambda:InvokeFunction"))
    )
    code, status, message, _ = error_of(
        denied.client("lambda").invoke_with_response_stream, FunctionName=name
    )
    assert (code, status) == ("AccessDeniedException", 403)
    assert "is not authorized to perform: lambda:InvokeFunction" in message
    response = allowed.client("lambda").invoke_with_response_stream(FunctionName=name)
    assert json.loads(_events(response)[0]) == {"got": {}}


def test_dry_run_answers_204_without_running_the_function(functions: Functions, lam: Any) -> None:
    name = functions.python(ECHO)
    response = lam.invoke_with_response_stream(FunctionName=name, InvocationType="DryRun")
    assert response["StatusCode"] == 204
    assert list(response["EventStream"]) == []
