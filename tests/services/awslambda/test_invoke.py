"""Invoke: warm reuse, errors of the handler, of init and of the runtime, memory, environment, limits."""

from __future__ import annotations

import base64
import json
import math
import re
import threading
import time
from typing import Any

import boto3
from botocore.config import Config

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import Functions, error_of, invoke, log_messages

COUNTER = """
count = 0
def handler(event, context):
    global count
    count += 1
    return count
"""


def test_a_warm_environment_is_reused_and_only_the_first_call_is_cold(functions: Functions, lam: Any) -> None:
    name = functions.python(COUNTER)
    results = [invoke(lam, name) for _ in range(3)]
    assert [r.payload for r in results] == [1, 2, 3]
    assert ["Init Duration:" in r.report() for r in results] == [True, False, False]
    # AWS bills the init phase (since August 2025): the cold call's Billed Duration is Duration + Init Duration.
    for r in results:
        fields = dict(f.split(": ", 1) for f in r.report().split("\t")[1:] if ": " in f)
        spent = float(fields["Duration"].split()[0]) + float(fields.get("Init Duration", "0 ms").split()[0])
        billed = int(fields["Billed Duration"].split()[0])
        # The line prints each duration to 0.01 ms; the bill rounds up their unrounded sum.
        assert math.ceil(spent - 0.01) <= billed <= math.ceil(spent + 0.01)
    assert all(r.response["ExecutedVersion"] == "$LATEST" for r in results)


def test_the_log_of_an_invocation_reads_as_lambdas(functions: Functions, lam: Any, logs: Any) -> None:
    name = functions.python("def handler(event, context):\n    print('hello', event['who'])\n    return 'ok'\n")
    result = invoke(lam, name, {"who": "world"})
    lines = result.lines()
    rid = result.request_id
    assert lines[0] == f"START RequestId: {rid} Version: $LATEST"
    assert "hello world" in lines
    assert f"END RequestId: {rid}" in lines
    assert re.fullmatch(
        rf"REPORT RequestId: {rid}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\t"
        rf"Max Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t?", result.report())
    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert len(streams) == 1 and "[$LATEST]" in streams[0]["logStreamName"]
    stored = [e["message"] for e in logs.get_log_events(logGroupName=f"/aws/lambda/{name}",
                                                         logStreamName=streams[0]["logStreamName"])["events"]]
    assert "hello world" in [m.rstrip("\n") for m in stored]


def test_each_stored_event_ends_with_its_newline_and_a_blank_line_is_no_event(
    functions: Functions, lam: Any, logs: Any
) -> None:
    name = functions.python("def handler(event, context):\n    print('one')\n    print()\n    print('two')\n")
    result = invoke(lam, name)
    rid = result.request_id
    group = f"/aws/lambda/{name}"
    stream = logs.describe_log_streams(logGroupName=group)["logStreams"][0]["logStreamName"]
    stored = [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]]
    assert stored[0].startswith("INIT_START Runtime Version: python:") and stored[0].endswith("\n")
    assert stored[1:4] == [f"START RequestId: {rid} Version: $LATEST\n", "one\n", "two\n"]
    assert stored[4] == f"END RequestId: {rid}\n"
    assert stored[5].startswith(f"REPORT RequestId: {rid}\t") and stored[5].endswith("\t\n")
    assert len(stored) == 6


def test_a_handler_exception_is_returned_without_the_runtime_frames(functions: Functions, lam: Any) -> None:
    name = functions.python(
        "def helper():\n"
        "    raise ValueError('boom')\n"
        "def handler(event, context):\n"
        "    helper()\n"
    )
    result = invoke(lam, name)
    assert result.status == 200 and result.function_error == "Unhandled"
    body = result.payload
    assert body["errorMessage"] == "boom"
    assert body["errorType"] == "ValueError"
    assert body["requestId"] == result.request_id
    trace = body["stackTrace"]
    assert len(trace) == 2
    assert trace[0].endswith("line 4, in handler\n    helper()\n") and "/app.py\"" in trace[0]
    assert trace[1].endswith("line 2, in helper\n    raise ValueError('boom')\n")
    assert "[ERROR] ValueError: boom\nTraceback (most recent call last):\n" in result.log
    # A handled error keeps the environment warm.
    assert "Init Duration" not in invoke(lam, name).report()


def test_an_import_error_fails_at_once_without_waiting_for_the_timeout(functions: Functions, lam: Any) -> None:
    name = functions.python("import not_a_module_here\ndef handler(event, context):\n    return 1\n", timeout=30)
    result = invoke(lam, name)
    assert result.elapsed < 5
    assert result.function_error == "Unhandled"
    assert result.payload == {
        "errorMessage": "Unable to import module 'app': No module named 'not_a_module_here'",
        "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": [],
    }
    assert any(line.startswith("[ERROR] Runtime.ImportModuleError: Unable to import module 'app'")
               for line in result.lines())
    assert "Status: error\tError Type: Runtime.ImportModuleError" in result.report()


def test_a_failed_init_is_retried_at_the_invocation(functions: Functions, lam: Any) -> None:
    """As AWS's log of an import error reads: the error, 'INIT_REPORT ... Phase: init Status: error Error
    Type: Runtime.ImportModuleError', the error again, 'INIT_REPORT ... Phase: invoke ...', START, END,
    then 'REPORT ... Duration: 98.71 ms ... Max Memory Used: 46 MB Status: error Error Type:
    Runtime.ImportModuleError', no Init Duration (the retry is the invocation's time)."""
    name = functions.python("import not_a_module_here\ndef handler(event, context):\n    return 1\n")
    result = invoke(lam, name)
    assert result.payload["errorType"] == "Runtime.ImportModuleError"
    lines = result.lines()
    # Each INIT_REPORT follows its [ERROR] record on the same line, as in AWS's tail.
    assert re.findall(r"INIT_REPORT Init Duration: \d+\.\d\d ms\t(.*)", result.log) == [
        "Phase: init\tStatus: error\tError Type: Runtime.ImportModuleError",
        "Phase: invoke\tStatus: error\tError Type: Runtime.ImportModuleError",
    ]
    errors = [i for i, line in enumerate(lines) if line.startswith("[ERROR] Runtime.ImportModuleError")]
    assert len(errors) == 2
    start = next(i for i, line in enumerate(lines) if line.startswith("START RequestId"))
    assert errors[1] < start and lines[start + 1].startswith("END RequestId")
    report = result.report()
    assert "Init Duration" not in report
    assert report.endswith("\tStatus: error\tError Type: Runtime.ImportModuleError\t")
    assert float(report.split("Duration: ")[1].split()[0]) > 0
    assert int(report.split("Max Memory Used: ")[1].split()[0]) > 0  # what the init used, as AWS's says


def test_a_missing_handler_and_a_syntax_error_are_init_errors(functions: Functions, lam: Any) -> None:
    missing = functions.python("def other(event, context):\n    return 1\n")
    result = invoke(lam, missing)
    assert result.payload["errorType"] == "Runtime.HandlerNotFound"
    assert result.payload["errorMessage"] == "Handler 'handler' missing on module 'app'"
    broken = functions.python("def handler(event, context)\n    return 1\n")
    result = invoke(lam, broken)
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "Runtime.UserCodeSyntaxError"
    assert result.payload["errorMessage"].startswith("Syntax error in module 'app': ")
    assert "app.py, line 1" in result.payload["errorMessage"]


def test_a_runtime_that_exits_is_a_runtime_exit_error(functions: Functions, lam: Any) -> None:
    name = functions.python(
        "import ctypes, os, signal\n"
        "calls = 0\n"
        "def handler(event, context):\n"
        "    global calls\n"
        "    calls += 1\n"
        "    if event['how'] == 'count':\n"
        "        return calls\n"
        "    if event['how'] == 'exit':\n"
        "        os._exit(1)\n"
        "    if event['how'] == 'kill':\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    ctypes.string_at(0)\n"
    )
    for how, reason in (("exit", "exit status 1"), ("kill", "signal: killed"), ("segfault", "signal: segmentation fault")):
        result = invoke(lam, name, {"how": how})
        assert result.function_error == "Unhandled"
        assert result.payload == {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: {reason}",
        }, how
        assert "Status: error\tError Type: Runtime.ExitError" in result.report()
    # Each crash costs the runtime: the next invocation initialises it again (module state starts over)
    # in the same environment, a "suppressed init" that AWS reports without Init Duration.
    after = invoke(lam, name, {"how": "count"})
    assert after.payload == 1 and "Init Duration" not in after.report()


def test_the_platforms_own_error_payloads_are_compact_json(functions: Functions, lam: Any) -> None:
    """Lambda's platform (written in Go) writes its error payloads compactly, errorType first:
    '{"errorType":"Runtime.ExitError","errorMessage":"RequestId: ... Error: Runtime exited with error:
    exit status 137"}' (aws/aws-lambda-dotnet#480), '{"errorType":"Sandbox.Timedout","errorMessage":
    "RequestId: ... Error: Task timed out after 3.00 seconds"}' as `aws lambda invoke` saves it."""
    name = functions.python(
        "import os, time\n"
        "def handler(event, context):\n"
        "    if event.get('how') == 'exit':\n"
        "        os._exit(2)\n"
        "    if event.get('how') == 'big':\n"
        "        return 'x' * 6291556\n"
        "    time.sleep(5)\n",
        timeout=1, memory=512,
    )
    exited = invoke(lam, name, {"how": "exit"}, tail=False)
    assert exited.raw == (
        b'{"errorType":"Runtime.ExitError","errorMessage":"RequestId: '
        + exited.request_id.encode() + b' Error: Runtime exited with error: exit status 2"}'
    )
    slow = invoke(lam, name, tail=False)
    assert slow.raw == (
        b'{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: '
        + slow.request_id.encode() + b' Error: Task timed out after 1.00 seconds"}'
    )
    big = invoke(lam, name, {"how": "big"}, tail=False)
    assert big.raw == (
        b'{"errorType":"Function.ResponseSizeTooLarge",'
        b'"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes)."}'
    )


def test_a_function_outgrowing_its_memory_size_is_killed(functions: Functions, lam: Any) -> None:
    """An OOM kill is Runtime.OutOfMemory, not Runtime.ExitError: AWS's supervisor tells it from other
    deaths (aws-lambda-runtime-interface-emulator, rapid/shutdown.go: OomKilled -> ErrorRuntimeOutOfMemory),
    and AWS's REPORT line reads 'Max Memory Used: <size> MB  Status: error  Error Type: Runtime.OutOfMemory'."""
    name = functions.python(
        "import time\n"
        "def handler(event, context):\n"
        "    blocks = []\n"
        "    for _ in range(40):\n"
        "        blocks.append(b'x' * (10 << 20))\n"
        "        time.sleep(0.02)\n"
        "    return len(blocks)\n",
        memory=128, timeout=10,
    )
    result = invoke(lam, name)
    assert result.function_error == "Unhandled"
    assert result.payload == {
        "errorType": "Runtime.OutOfMemory",
        "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: signal: killed",
    }
    assert "\tMax Memory Used: 128 MB\t" in result.report()
    assert result.report().endswith("\tStatus: error\tError Type: Runtime.OutOfMemory\t")


ENV_DUMP = """
import os
def handler(event, context):
    return dict(os.environ)
"""


def test_the_environment_is_the_one_lambda_sets(functions: Functions, lam: Any) -> None:
    name = functions.python(ENV_DUMP, memory=256, Environment={"Variables": {"STAGE": "test", "LANG": "C.UTF-8"}})
    result = invoke(lam, name)
    env = result.payload
    assert env["_HANDLER"] == "app.handler"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    assert "/[$LATEST]" in env["AWS_LAMBDA_LOG_STREAM_NAME"]
    host, _, port = env["AWS_LAMBDA_RUNTIME_API"].partition(":")
    assert host == "127.0.0.1" and port.isdigit()
    assert env["LAMBDA_TASK_ROOT"] and env["LAMBDA_RUNTIME_DIR"]
    assert env["TZ"] == ":UTC"
    assert env["LANG"] == "C.UTF-8"  # the function's own value wins over the default en_US.UTF-8
    assert env["_X_AMZN_TRACE_ID"].startswith("Root=1-")
    assert env["STAGE"] == "test"
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA") and env["AWS_SESSION_TOKEN"]
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    # The trace id changes per invocation.
    assert invoke(lam, name).payload["_X_AMZN_TRACE_ID"] != env["_X_AMZN_TRACE_ID"]


def test_reserved_environment_variables_are_refused(functions: Functions, lam: Any, role: str) -> None:
    code, status, message, _ = error_of(
        functions.python, ENV_DUMP, Environment={"Variables": {"AWS_REGION": "eu-west-1"}})
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.endswith("Reserved keys used in this request: AWS_REGION")


def test_log_type_tail_returns_the_last_4_kb_of_the_log(functions: Functions, lam: Any) -> None:
    name = functions.python("def handler(event, context):\n    for i in range(200):\n        print(f'line {i:03d} ' + 'x' * 60)\n")
    result = invoke(lam, name)
    assert len(result.log.encode()) <= 4096
    assert len(result.log.encode()) > 4000
    assert result.log.rstrip().split("\n")[-1].startswith("REPORT RequestId:")
    assert "line 199" in result.log and "line 000" not in result.log
    assert "LogResult" not in lam.invoke(FunctionName=name, Payload=b"{}")


def test_payloads_over_the_limits_are_refused(functions: Functions, lam: Any) -> None:
    name = functions.python("def handler(event, context):\n    return len(event)\n")
    big = json.dumps("x" * (6 * 1024 * 1024))
    code, status, message, _ = error_of(lam.invoke, FunctionName=name, Payload=big)
    assert (code, status) == ("RequestEntityTooLargeException", 413)
    assert message == "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    # Asynchronous invocations take up to 1 MB (AWS raised the limit from 256 KB in 2025).
    over = json.dumps("y" * (1024 * 1024))
    code, status, message, _ = error_of(lam.invoke, FunctionName=name, Payload=over, InvocationType="Event")
    assert (code, status) == ("RequestEntityTooLargeException", 413)
    assert message == f"{len(over)} byte payload is too large for the Event invocation type (limit 1048576 bytes)"
    assert lam.invoke(FunctionName=name, Payload=json.dumps("z" * 300_000), InvocationType="Event")["StatusCode"] == 202
    assert invoke(lam, name, "q" * 100_000).payload == 100_000
    # Too large is refused before the bytes are read as JSON.
    not_json = b"{" * (7 * 1024 * 1024)
    assert error_of(lam.invoke, FunctionName=name, Payload=not_json)[:2] == ("RequestEntityTooLargeException", 413)
    assert error_of(lam.invoke, FunctionName=name, Payload=not_json[: 2 * 1024 * 1024], InvocationType="Event")[
        :2
    ] == ("RequestEntityTooLargeException", 413)
    assert error_of(lam.invoke, FunctionName=name, Payload=b"{")[:2] == ("InvalidRequestContentException", 400)
    # The 6 MB limit is the Invoke request's, whatever its invocation type.
    assert error_of(lam.invoke, FunctionName=name, Payload=big, InvocationType="DryRun")[:2] == (
        "RequestEntityTooLargeException",
        413,
    )


def test_dry_run_checks_and_answers_204_without_running(functions: Functions, lam: Any) -> None:
    name = functions.python(COUNTER)
    response = lam.invoke(FunctionName=name, InvocationType="DryRun")
    assert response["StatusCode"] == 204
    assert invoke(lam, name).payload == 1
    code, status, _, _ = error_of(lam.invoke, FunctionName=name + "-missing", InvocationType="DryRun")
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_an_invalid_json_payload_is_refused(functions: Functions, lam: Any) -> None:
    name = functions.python(COUNTER)
    code, status, _, _ = error_of(lam.invoke, FunctionName=name, Payload=b"{not json")
    assert (code, status) == ("InvalidRequestContentException", 400)


def test_reserved_concurrency_throttles_the_second_concurrent_call(server: ServerProcess, functions: Functions) -> None:
    # botocore retries a throttled call by default; this client shows the 429 itself.
    lam: Any = boto3.client("lambda", endpoint_url=server.endpoint, region_name="us-east-1", aws_access_key_id="test",
                            aws_secret_access_key="test", config=Config(retries={"total_max_attempts": 1}))
    name = functions.python("import time\ndef handler(event, context):\n    time.sleep(1.0)\n    return 'done'\n", timeout=5)
    assert lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)["ReservedConcurrentExecutions"] == 1
    assert lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 1
    assert lam.get_function(FunctionName=name)["Concurrency"] == {"ReservedConcurrentExecutions": 1}
    outcomes: list[Any] = []

    def call() -> None:
        try:
            outcomes.append(lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())
        except Exception as exc:  # the throttled one
            outcomes.append(exc)

    first = threading.Thread(target=call)
    first.start()
    time.sleep(0.3)
    call()
    first.join()
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert outcomes.count(b'"done"') == 1 and len(errors) == 1
    response = errors[0].response  # type: ignore[attr-defined]
    assert response["Error"]["Code"] == "TooManyRequestsException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lam.delete_function_concurrency(FunctionName=name)
    assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=name)


def test_client_context_reaches_the_function(functions: Functions, lam: Any) -> None:
    name = functions.python("def handler(event, context):\n    return context.client_context.custom\n")
    context = base64.b64encode(json.dumps({"custom": {"k": "v"}, "client": {}, "env": {}}).encode()).decode()
    assert invoke(lam, name, ClientContext=context).payload == {"k": "v"}


def test_invoking_by_arn_and_partial_arn(functions: Functions, lam: Any) -> None:
    name = functions.python(COUNTER)
    assert invoke(lam, f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}").payload == 1
    assert invoke(lam, f"{ROOT_ACCOUNT}:function:{name}").payload == 2


def test_a_synchronous_invokes_payload_is_answered_as_json(functions: Functions, lam: Any) -> None:
    """AWS sends the function's result with Content-Type application/json (an event invoke has no body)."""
    name = functions.python("def handler(event, context):\n    return {'ok': True}\n")
    answer = lam.invoke(FunctionName=name, Payload=b"{}")
    assert answer["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/json"
    assert json.loads(answer["Payload"].read()) == {"ok": True}
    queued = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    assert queued["StatusCode"] == 202 and queued["Payload"].read() == b""


TRACE = (
    "import os\n\ndef handler(event, context):\n"
    "    print('trace', os.environ['_X_AMZN_TRACE_ID'])\n"
    "    return os.environ['_X_AMZN_TRACE_ID']\n"
)


def _traced_client(server: ServerProcess, header: str) -> Any:
    """A Lambda client whose Invoke requests carry X-Amzn-Trace-Id `header`, as an instrumented caller's do."""
    client = server.client("lambda")

    def add_header(request: Any, **_: Any) -> None:
        request.headers["X-Amzn-Trace-Id"] = header

    client.meta.events.register("before-sign.lambda.Invoke", add_header)
    return client


def _fields(header: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in header.split(";"))


def test_an_invocation_continues_the_callers_trace(
    server: ServerProcess, functions: Functions, logs: Any
) -> None:
    name = functions.python(TRACE)
    root = "1-5759e988-bd862e3fe1be46a994272793"
    traced = _traced_client(server, f"Root={root};Parent=53995c3f42cd8ad8;Sampled=1")
    inside = _fields(invoke(traced, name).payload)
    assert (inside["Root"], inside["Sampled"]) == (root, "1")
    assert re.fullmatch(r"[0-9a-f]{16}", inside["Parent"]) and inside["Parent"] != "53995c3f42cd8ad8"
    # An event queued by Invoke runs in the caller's trace too.
    event_root = "1-5759e988-00000000000000000000abcd"
    event_caller = _traced_client(server, f"Root={event_root};Parent=53995c3f42cd8ad8;Sampled=0")
    assert event_caller.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    printed = log_messages(logs, f"/aws/lambda/{name}", contains=f"Root={event_root};", wait=10)
    [line] = [m for m in printed if f"Root={event_root};" in m]
    assert line.rstrip().endswith("Sampled=0")


def test_active_tracing_samples_a_new_trace_and_pass_through_does_not(
    functions: Functions, lam: Any
) -> None:
    active = functions.python(TRACE, TracingConfig={"Mode": "Active"})
    # X-Ray's default rule: the first request each second is sampled.
    assert _fields(invoke(lam, active).payload)["Sampled"] == "1"
    passive = functions.python(TRACE)
    assert lam.get_function_configuration(FunctionName=passive)["TracingConfig"] == {"Mode": "PassThrough"}
    assert {_fields(invoke(lam, passive).payload)["Sampled"] for _ in range(3)} == {"0"}
