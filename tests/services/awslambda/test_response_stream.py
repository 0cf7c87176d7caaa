"""InvokeWithResponseStream through boto3: the answer is an AWS event stream botocore
parses (PayloadChunk events, then InvokeComplete), with Invoke's errors and authorization.

Node.js response streaming handlers (`awslambda.streamifyResponse`, `awslambda.HttpResponseStream`,
as the Lambda developer guide's "Writing response streaming-enabled Lambda functions" writes them):
their bytes through InvokeWithResponseStream, Invoke and a function URL in RESPONSE_STREAM mode.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import Functions, error_of
from tests.services.awslambda.url_support import make_public, send
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


# -- Node.js streaming handlers ---------------------------------------------------------------------

# An ES module, as the developer guide writes its streaming handlers; the mode comes from the event
# (Invoke) or from the URL's query string (a function URL's format 2.0 event).
STREAMING = """
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  const mode = event.mode || (event.queryStringParameters || {}).mode;
  if (mode === 'text') {
    responseStream.setContentType('text/plain');
    responseStream.write('Hello');
    responseStream.write(', world');
    responseStream.end();
  } else if (mode === 'binary') {
    responseStream.end(Buffer.from([0, 255, 16, 0]));
  } else if (mode === 'pipeline') {
    await pipeline(Readable.from(Buffer.from(JSON.stringify(event))), responseStream);
  } else if (mode === 'later') {
    setTimeout(() => { responseStream.write('written after'); responseStream.end(' the handler returned'); }, 50);
  } else if (mode === 'context') {
    responseStream.end(JSON.stringify({ name: context.functionName, id: context.awsRequestId }));
  } else if (mode === 'throw') {
    responseStream.write('partial');
    throw new TypeError('stream broke');
  } else if (mode === 'crlf') {
    responseStream.setContentType('text/plain\\r\\nX-Injected: 1');
    responseStream.end('x');
  } else if (mode === 'http') {
    const stream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 201,
      headers: { 'Content-Type': 'text/html', 'X-Custom': 'v' },
      cookies: ['a=1', 'b=2; Path=/'],
    });
    stream.write('<p>first</p>');
    stream.end('<p>last</p>');
  }
});
"""
SYNC_STREAMING = """
exports.handler = awslambda.streamifyResponse((event, responseStream) => {
  responseStream.end('never answered');
});
"""


@pytest.fixture(scope="module")
def streaming(lam: Any, role: str) -> Iterator[tuple[str, str]]:
    """(name, public RESPONSE_STREAM URL) of a nodejs20.x function whose handler streams."""
    made = Functions(lam, role)
    name = made.create({"index.mjs": STREAMING}, handler="index.handler", runtime="nodejs20.x", timeout=5)
    url: str = lam.create_function_url_config(
        FunctionName=name, AuthType="NONE", InvokeMode="RESPONSE_STREAM"
    )["FunctionUrl"]
    make_public(lam, name)
    yield name, url
    made.cleanup()


def test_a_streaming_handler_s_writes_arrive_as_payload_chunks(streaming: tuple[str, str], lam: Any) -> None:
    response = lam.invoke_with_response_stream(
        FunctionName=streaming[0], Payload=json.dumps({"mode": "text"})
    )
    assert response["StatusCode"] == 200
    payload, complete = _events(response)
    assert payload == b"Hello, world"
    assert len(complete) == 1 and "ErrorCode" not in complete[0]


def test_a_streaming_handler_s_bytes_are_passed_on_as_written(streaming: tuple[str, str], lam: Any) -> None:
    response = lam.invoke_with_response_stream(
        FunctionName=streaming[0], Payload=json.dumps({"mode": "binary"})
    )
    assert _events(response)[0] == b"\x00\xff\x10\x00"


def test_a_readable_piped_into_the_response_stream_is_the_payload(
    streaming: tuple[str, str], lam: Any
) -> None:
    response = lam.invoke_with_response_stream(
        FunctionName=streaming[0], Payload=json.dumps({"mode": "pipeline", "n": 3})
    )
    assert json.loads(_events(response)[0]) == {"mode": "pipeline", "n": 3}


def test_the_invocation_ends_when_the_stream_ends_not_when_the_handler_returns(
    streaming: tuple[str, str], lam: Any
) -> None:
    response = lam.invoke_with_response_stream(
        FunctionName=streaming[0], Payload=json.dumps({"mode": "later"})
    )
    assert _events(response)[0] == b"written after the handler returned"


def test_a_streaming_handler_gets_the_invocation_s_context(streaming: tuple[str, str], lam: Any) -> None:
    response = lam.invoke_with_response_stream(
        FunctionName=streaming[0], Payload=json.dumps({"mode": "context"})
    )
    got = json.loads(_events(response)[0])
    assert got == {"name": streaming[0], "id": response["ResponseMetadata"]["RequestId"]}


def test_an_error_a_streaming_handler_throws_is_a_function_error(
    streaming: tuple[str, str], lam: Any
) -> None:
    response = lam.invoke_with_response_stream(
        FunctionName=streaming[0], Payload=json.dumps({"mode": "throw"})
    )
    _, complete = _events(response)
    assert complete[0]["ErrorCode"] == "TypeError"
    assert json.loads(complete[0]["ErrorDetails"])["errorMessage"] == "stream broke"


def test_invoke_answers_a_streaming_function_with_the_whole_stream(
    streaming: tuple[str, str], lam: Any
) -> None:
    # "You can still invoke your function without response streaming by directly calling the Invoke API."
    response = lam.invoke(FunctionName=streaming[0], Payload=json.dumps({"mode": "text"}))
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["Payload"].read() == b"Hello, world"


def test_invoke_of_a_failing_streaming_function_is_an_unhandled_function_error(
    streaming: tuple[str, str], lam: Any
) -> None:
    response = lam.invoke(FunctionName=streaming[0], Payload=json.dumps({"mode": "throw"}))
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert (error["errorType"], error["errorMessage"]) == ("TypeError", "stream broke")


def test_a_streaming_handler_that_returns_no_promise_fails(functions: Functions, lam: Any) -> None:
    # AWS's runtime client fails such an invocation with this message, reported as a string.
    name = functions.create({"index.js": SYNC_STREAMING}, handler="index.handler", runtime="nodejs20.x")
    _, complete = _events(lam.invoke_with_response_stream(FunctionName=name))
    assert complete[0]["ErrorCode"] == "string"
    assert (
        json.loads(complete[0]["ErrorDetails"])["errorMessage"]
        == "Streaming does not support non-async handlers."
    )


def test_a_response_stream_url_answers_with_the_http_response_stream_prelude(
    streaming: tuple[str, str],
) -> None:
    answer = send(streaming[1], target="/?mode=http")
    assert answer.status == 201
    assert answer.headers["content-type"] == "text/html"
    assert answer.headers["x-custom"] == "v"
    assert answer.headers.get_all("set-cookie") == ["a=1", "b=2; Path=/"]
    assert answer.body == b"<p>first</p><p>last</p>"


def test_a_response_stream_url_answers_a_plain_stream_as_written_with_its_content_type(
    streaming: tuple[str, str],
) -> None:
    answer = send(streaming[1], target="/?mode=text")
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/plain"
    assert answer.body == b"Hello, world"


def test_a_response_stream_url_answers_a_stream_without_content_type_as_octet_stream(
    streaming: tuple[str, str],
) -> None:
    answer = send(streaming[1], target="/?mode=binary")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.body == b"\x00\xff\x10\x00"


def test_a_content_type_http_cannot_carry_is_refused_to_the_handler(
    streaming: tuple[str, str], lam: Any
) -> None:
    # setContentType throws, as the header AWS's client would set refuses it; the URL answers 502.
    response = lam.invoke_with_response_stream(
        FunctionName=streaming[0], Payload=json.dumps({"mode": "crlf"})
    )
    assert _events(response)[1][0]["ErrorCode"] == "TypeError"
    answer = send(streaming[1], target="/?mode=crlf")
    assert answer.status == 502
    assert "x-injected" not in answer.headers
