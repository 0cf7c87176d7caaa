"""What a function experiences and what its caller sees, as in AWS: response payloads and
headers, runtime error shapes (Python and Node.js), the context object, the environment
variables Lambda sets, and the InvalidRequestContentException of a payload that is not JSON.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, error_of, invoke, log_messages, unique

ARN = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function"
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="needs node")

RETURNS = """
import decimal, sys
def handler(event, context):
    kind = event.get('kind')
    if kind == 'none':
        return None
    if kind == 'string':
        return 'hi'
    if kind == 'number':
        return 42
    if kind == 'list':
        return [1, 'two', None]
    if kind == 'set':
        return {1, 2}
    if kind == 'exit':
        sys.exit(3)
    if kind == 'clean exit':
        sys.exit(0)
    return event
"""

CONTEXT = """
def handler(event, context):
    cc = context.client_context
    return {
        'function_name': context.function_name,
        'function_version': context.function_version,
        'invoked_function_arn': context.invoked_function_arn,
        'memory_limit_in_mb': context.memory_limit_in_mb,
        'aws_request_id': context.aws_request_id,
        'log_group_name': context.log_group_name,
        'log_stream_name': context.log_stream_name,
        'remaining': context.get_remaining_time_in_millis(),
        'identity': [context.identity.cognito_identity_id, context.identity.cognito_identity_pool_id],
        'client_context': None if cc is None else {'custom': cc.custom, 'env': cc.env,
                                                   'app_title': cc.client and cc.client.app_title},
        'event': event,
    }
"""

ENVIRONMENT = "import os\ndef handler(event, context):\n    return dict(os.environ)\n"


# -- what the caller sees -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw"),
    [("none", b"null"), ("string", b'"hi"'), ("number", b"42"), ("list", b'[1, "two", null]')],
)
def test_a_handlers_return_value_is_the_json_payload(
    functions: Functions, lam: Any, kind: str, raw: bytes
) -> None:
    name = functions.python(RETURNS)
    response = lam.invoke(FunctionName=name, Payload=json.dumps({"kind": kind}))
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amz-executed-version"] == "$LATEST"
    assert response["Payload"].read() == raw


def test_a_result_json_cannot_hold_is_a_marshal_error(functions: Functions, lam: Any) -> None:
    name = functions.python(RETURNS)
    result = invoke(lam, name, {"kind": "set"})
    assert result.status == 200 and result.function_error == "Unhandled"
    assert result.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-function-error"] == "Unhandled"
    assert result.payload == {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError",
        "requestId": result.request_id,
        "stackTrace": [],
    }


def test_sys_exit_in_a_handler_is_a_runtime_exit_error(functions: Functions, lam: Any) -> None:
    name = functions.python(RETURNS)
    result = invoke(lam, name, {"kind": "exit"})
    assert (result.status, result.function_error) == (200, "Unhandled")
    assert result.payload == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {result.request_id} Error: Runtime exited with error: exit status 3",
    }
    clean = invoke(lam, name, {"kind": "clean exit"})
    assert clean.function_error == "Unhandled"
    assert clean.payload == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {clean.request_id} Error: Runtime exited without providing a reason",
    }


def test_a_custom_runtime_without_a_bootstrap_is_an_invalid_entrypoint(functions: Functions, lam: Any) -> None:
    """As AWS answers and logs it (provided.al2023): 'INIT_REPORT ... Phase: init Status: error Error Type:
    Runtime.InvalidEntrypoint', the same in the invoke phase, START, 'RequestId: <id> Error: Couldn't find
    valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]' and 'Runtime.InvalidEntrypoint', END, REPORT.
    It was a 500 ServiceException, which the SDKs retried."""
    name = functions.create({"main.sh": "echo hi\n"}, runtime="provided.al2023", handler="main.handler")
    result = invoke(lam, name)
    assert (result.status, result.function_error) == (200, "Unhandled")
    fault = f"RequestId: {result.request_id} Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
    assert result.payload == {"errorType": "Runtime.InvalidEntrypoint", "errorMessage": fault}
    assert re.findall(r"INIT_REPORT Init Duration: \d+\.\d\d ms\t(.*)", result.log) == [
        "Phase: init\tStatus: error\tError Type: Runtime.InvalidEntrypoint",
        "Phase: invoke\tStatus: error\tError Type: Runtime.InvalidEntrypoint",
    ]
    assert f"Version: $LATEST\n{fault}\nRuntime.InvalidEntrypoint\nEND RequestId: " in result.log
    assert result.report().endswith("\tStatus: error\tError Type: Runtime.InvalidEntrypoint\t")


def test_a_runtime_exiting_in_its_init_is_logged_as_a_fault_in_the_invocation(
    functions: Functions, lam: Any
) -> None:
    """As AWS logs a runtime that dies in its init: 'INIT_REPORT ... Phase: init Status: error Error Type:
    Runtime.ExitError', the same in the invoke phase, START, 'RequestId: <id> Error: Runtime exited with
    error: signal: segmentation fault' and 'Runtime.ExitError', END, REPORT."""
    name = functions.python("import os\nos._exit(4)\ndef handler(event, context):\n    return 1\n")
    result = invoke(lam, name)
    assert (result.status, result.function_error) == (200, "Unhandled")
    fault = f"RequestId: {result.request_id} Error: Runtime exited with error: exit status 4"
    assert result.payload == {"errorType": "Runtime.ExitError", "errorMessage": fault}
    assert re.findall(r"INIT_REPORT Init Duration: \d+\.\d\d ms\t(.*)", result.log) == [
        "Phase: init\tStatus: error\tError Type: Runtime.ExitError",
        "Phase: invoke\tStatus: error\tError Type: Runtime.ExitError",
    ]
    assert f"Version: $LATEST\n{fault}\nRuntime.ExitError\nEND RequestId: " in result.log
    assert result.report().endswith("\tStatus: error\tError Type: Runtime.ExitError\t")


def test_an_invoke_without_a_payload_hands_the_function_an_empty_object(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(RETURNS)
    response = lam.invoke(FunctionName=name)
    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {}


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (
            b"Hello World",
            "Unrecognized token 'Hello': was expecting (JSON String, Number, Array, Object or token 'null', "
            "'true' or 'false')\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
            "line: 1, column: 7]",
        ),
        (
            b"{not json",
            "Unexpected character ('n' (code 110)): was expecting double-quote to start field name\n"
            " at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 3]",
        ),
    ],
)
def test_a_payload_that_is_not_json_is_refused_in_jacksons_words(
    functions: Functions, lam: Any, payload: bytes, detail: str
) -> None:
    name = functions.python(RETURNS)
    for kind in ("RequestResponse", "Event"):
        code, status, message, _ = error_of(
            lam.invoke, FunctionName=name, Payload=payload, InvocationType=kind
        )
        assert (code, status) == ("InvalidRequestContentException", 400)
        assert (
            message == "Could not parse request body into json: Could not parse payload into json: " + detail
        )


def test_dry_run_and_event_answer_without_an_executed_version(functions: Functions, lam: Any) -> None:
    name = functions.python(RETURNS)
    dry = lam.invoke(FunctionName=name, InvocationType="DryRun")
    assert dry["StatusCode"] == 204 and "ExecutedVersion" not in dry
    event = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"kind": "none"}')
    assert event["StatusCode"] == 202 and "ExecutedVersion" not in event
    assert event["Payload"].read() == b""


# -- what the function experiences ---------------------------------------------------------------


def test_the_context_describes_the_invocation(functions: Functions, lam: Any) -> None:
    name = functions.python(CONTEXT, memory=256, timeout=5)
    result = invoke(lam, name, {"k": 1})
    context = result.payload
    assert context["function_name"] == name
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"] == f"{ARN}:{name}"
    assert context["memory_limit_in_mb"] == "256"  # a string, as the runtime reads it from the environment
    assert context["aws_request_id"] == result.request_id
    assert context["log_group_name"] == f"/aws/lambda/{name}"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", context["log_stream_name"])
    assert 0 < context["remaining"] <= 5000
    assert context["identity"] == [None, None]
    assert context["client_context"] is None
    assert context["event"] == {"k": 1}


def test_the_client_context_reaches_the_function_as_an_object(functions: Functions, lam: Any) -> None:
    name = functions.python(CONTEXT)
    sent = {"custom": {"user": "u-1"}, "env": {"locale": "en"}, "client": {"app_title": "shop"}}
    context = invoke(lam, name, ClientContext=base64.b64encode(json.dumps(sent).encode()).decode()).payload
    assert context["client_context"] == {
        "custom": {"user": "u-1"},
        "env": {"locale": "en"},
        "app_title": "shop",
    }


def test_the_invoked_arn_is_the_one_the_caller_named(functions: Functions, lam: Any) -> None:
    name = functions.python(CONTEXT)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    cases = [
        ({"FunctionName": name}, f"{ARN}:{name}", "$LATEST"),
        ({"FunctionName": name, "Qualifier": "$LATEST"}, f"{ARN}:{name}:$LATEST", "$LATEST"),
        ({"FunctionName": name, "Qualifier": version}, f"{ARN}:{name}:{version}", version),
        ({"FunctionName": name, "Qualifier": "live"}, f"{ARN}:{name}:live", version),
        ({"FunctionName": f"{ARN}:{name}:live"}, f"{ARN}:{name}:live", version),
    ]
    for call, invoked, executed in cases:
        response = lam.invoke(Payload=b"{}", **call)
        context = json.loads(response["Payload"].read())
        assert context["invoked_function_arn"] == invoked, call
        assert context["function_version"] == executed, call
        assert response["ExecutedVersion"] == executed, call


def test_the_environment_variables_have_lambdas_formats(functions: Functions, lam: Any) -> None:
    name = functions.python(ENVIRONMENT)
    env = invoke(lam, name).payload
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"])
    assert re.fullmatch(
        r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01].*", env["_X_AMZN_TRACE_ID"]
    )
    assert env["TZ"] == ":UTC" and env["LANG"] == "en_US.UTF-8"
    assert env["AWS_XRAY_DAEMON_ADDRESS"] == "169.254.79.129:2000"
    assert env["AWS_XRAY_CONTEXT_MISSING"] == "LOG_ERROR"
    assert "/usr/bin" in env["PATH"].split(":")
    assert "AWS_LAMBDA_LOG_FORMAT" not in env  # only for JSON logging


def test_json_logging_is_announced_to_the_runtime(functions: Functions, lam: Any) -> None:
    name = functions.python(ENVIRONMENT, LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "WARN"})
    env = invoke(lam, name).payload
    assert env["AWS_LAMBDA_LOG_FORMAT"] == "JSON"
    assert env["AWS_LAMBDA_LOG_LEVEL"] == "WARN"


def test_reserved_keys_are_refused_and_named_in_the_requests_order(functions: Functions, lam: Any) -> None:
    variables = {
        "STAGE": "x",
        "AWS_REGION": "eu-west-1",
        "AWS_LAMBDA_FUNCTION_VERSION": "7",
        "AWS_ACCESS_KEY_ID": "k",
    }
    code, status, message, _ = error_of(functions.python, ENVIRONMENT, Environment={"Variables": variables})
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == (
        "Lambda was unable to configure your environment variables because the environment variables you have "
        "provided contains reserved keys that are currently not supported for modification. Reserved keys used "
        "in this request: AWS_REGION, AWS_LAMBDA_FUNCTION_VERSION, AWS_ACCESS_KEY_ID"
    )
    name = functions.python(ENVIRONMENT)
    code, status, message, _ = error_of(
        lam.update_function_configuration,
        FunctionName=name,
        Environment={"Variables": {"AWS_LAMBDA_LOG_GROUP_NAME": "mine"}},
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.endswith("Reserved keys used in this request: AWS_LAMBDA_LOG_GROUP_NAME")


# -- Node.js ---------------------------------------------------------------------------------------

NODE = """
exports.throwString = async () => { throw 'plain words'; };
exports.rejectLater = async () => {
  Promise.reject(new Error('rejected'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return 'never';
};
exports.callback = (event, context, callback) => { callback(null, {via: 'callback'}); };
exports.nothing = async () => {};
exports.circular = async () => { const a = {}; a.self = a; return a; };
exports.context = async (event, context) => ({
  functionName: context.functionName, functionVersion: context.functionVersion,
  invokedFunctionArn: context.invokedFunctionArn, memoryLimitInMB: context.memoryLimitInMB,
  awsRequestId: context.awsRequestId, logGroupName: context.logGroupName,
  remaining: context.getRemainingTimeInMillis(), clientContext: context.clientContext,
});
"""


@needs_node
def test_node_results_and_errors(functions: Functions, lam: Any) -> None:
    def run(handler: str, **kwargs: Any) -> Any:
        return invoke(
            lam, functions.create({"index.js": NODE}, runtime="nodejs20.x", handler=handler), **kwargs
        )

    thrown = run("index.throwString")
    assert thrown.function_error == "Unhandled"
    assert thrown.payload == {"errorType": "string", "errorMessage": "plain words", "trace": []}
    rejected = run("index.rejectLater")
    assert rejected.function_error == "Unhandled"
    assert rejected.payload["errorType"] == "Runtime.UnhandledPromiseRejection"
    assert rejected.payload["errorMessage"] == "Error: rejected"
    assert rejected.payload["trace"][0] == "Runtime.UnhandledPromiseRejection: Error: rejected"
    assert run("index.callback").payload == {"via": "callback"}
    assert run("index.nothing").raw == b"null"
    circular = run("index.circular")
    assert circular.function_error == "Unhandled"
    assert (circular.payload["errorType"], circular.payload["errorMessage"]) == (
        "Error",
        "Unable to stringify response body",
    )
    context = run("index.context", ClientContext=base64.b64encode(b'{"custom": {"a": 1}}').decode()).payload
    assert context["functionVersion"] == "$LATEST" and context["memoryLimitInMB"] == "128"
    assert context["invokedFunctionArn"] == f"{ARN}:{context['functionName']}"
    assert context["clientContext"] == {"custom": {"a": 1}}
    assert 0 < context["remaining"] <= 3000


@needs_node
def test_node_init_errors_name_the_handler(functions: Functions, lam: Any) -> None:
    missing = invoke(
        lam,
        functions.create(
            {"index.js": "exports.other = async () => 1;"}, runtime="nodejs20.x", handler="index.handler"
        ),
    )
    assert (missing.status, missing.function_error) == (200, "Unhandled")
    assert missing.payload["errorType"] == "Runtime.HandlerNotFound"
    assert missing.payload["errorMessage"] == "index.handler is undefined or not exported"
    absent = invoke(
        lam,
        functions.create(
            {"other.js": "exports.handler = async () => 1;"}, runtime="nodejs20.x", handler="index.handler"
        ),
    )
    assert absent.function_error == "Unhandled"
    assert absent.payload["errorType"] == "Runtime.ImportModuleError"
    assert absent.payload["errorMessage"].startswith("Error: Cannot find module 'index'\nRequire stack:\n- ")
    broken = invoke(
        lam,
        functions.create(
            {"index.js": "exports.handler = async () => {;"}, runtime="nodejs20.x", handler="index.handler"
        ),
    )
    assert broken.function_error == "Unhandled"
    assert broken.payload["errorType"] == "Runtime.UserCodeSyntaxError"
    assert broken.payload["errorMessage"] == "SyntaxError: Unexpected end of input"


# -- our standard-library Python runtime answers as awslambdaric does ------------------------------


@pytest.fixture(scope="module")
def builtin() -> Iterator[Functions]:
    proc = ServerProcess(env={"POCKETCLOUD_LAMBDA_PYTHON_CLIENT": "builtin"}).start()
    iam: Any = proc.client("iam")
    role = iam.create_role(RoleName=unique("builtin"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    made = Functions(proc.client("lambda"), role)
    yield made
    made.cleanup()
    proc.stop()


def test_the_builtin_runtime_builds_the_context_and_results_as_awslambdaric(builtin: Functions) -> None:
    lam = builtin.lam
    name = builtin.python(CONTEXT)
    sent = {"custom": {"user": "u-1"}, "env": {"locale": "en"}, "client": {"app_title": "shop"}}
    context = invoke(lam, name, ClientContext=base64.b64encode(json.dumps(sent).encode()).decode()).payload
    assert context["client_context"] == {
        "custom": {"user": "u-1"},
        "env": {"locale": "en"},
        "app_title": "shop",
    }
    assert context["identity"] == [None, None]
    assert context["memory_limit_in_mb"] == "128"
    raw = builtin.python("def handler(event, context):\n    return b'raw bytes'\n")
    assert lam.invoke(FunctionName=raw)["Payload"].read() == b"raw bytes"
    marshal = invoke(lam, builtin.python(RETURNS), {"kind": "set"})
    assert (marshal.status, marshal.function_error) == (200, "Unhandled")
    assert marshal.payload["errorType"] == "Runtime.MarshalError"
    assert (
        marshal.payload["errorMessage"]
        == "Unable to marshal response: Object of type set is not JSON serializable"
    )


DECIMALS = (
    "from decimal import Decimal\n"
    "def handler(event, context):\n"
    "    return {'price': Decimal('19.90'), 'n': [Decimal('1E+2'), Decimal('3'), Decimal('NaN')], 'text': '1.50'}\n"
)


def test_both_python_clients_write_a_decimal_as_its_digits(functions: Functions, builtin: Functions) -> None:
    """awslambdaric writes a Decimal (what DynamoDB's resource API returns) as its own digits, simplejson's
    RawJSON of str(value): 19.90 stays 19.90, not 19.9. Our client wrote float(value)."""
    expected = b'{"price": 19.90, "n": [1E+2, 3, NaN], "text": "1.50"}'
    for fns in (functions, builtin):
        assert fns.lam.invoke(FunctionName=fns.python(DECIMALS))["Payload"].read() == expected


def test_a_client_context_that_is_not_base64_json_is_refused(functions: Functions, lam: Any) -> None:
    name = functions.python(CONTEXT)
    for context in ("not base64!", base64.b64encode(b"[1, 2]").decode(), base64.b64encode(b"{oops").decode()):
        code, status, message, _ = error_of(
            lam.invoke, FunctionName=name, Payload=b"{}", ClientContext=context
        )
        assert (code, status, message) == (
            "InvalidRequestContentException",
            400,
            "Client context must be a valid Base64-encoded JSON object.",
        ), context


def test_a_response_over_the_limit_is_a_size_error_and_the_environment_stays_warm(
    functions: Functions, lam: Any
) -> None:
    name = functions.python("def handler(event, context):\n    return 'x' * event['size']\n")
    result = invoke(lam, name, {"size": 6_300_000})
    assert result.function_error == "Unhandled"
    assert result.payload == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }
    just_under = invoke(lam, name, {"size": 6_291_556 - 2})
    assert just_under.function_error is None and len(just_under.raw) == 6_291_556
    assert "Init Duration" not in just_under.report()


def test_a_cold_starts_log_opens_with_init_start(functions: Functions, lam: Any, logs: Any) -> None:
    name = functions.python("def handler(event, context):\n    print('ran')\n")
    cold = invoke(lam, name)
    warm = invoke(lam, name)
    assert cold.lines()[0].startswith("START RequestId:")  # the tail is the invocation's own
    group = f"/aws/lambda/{name}"
    messages = [
        m.rstrip("\n") for m in log_messages(logs, group, f"REPORT RequestId: {warm.request_id}", wait=10)
    ]
    assert re.fullmatch(
        r"INIT_START Runtime Version: python:3\.12\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}",
        messages[0],
    )
    assert messages[1] == f"START RequestId: {cold.request_id} Version: $LATEST"
    assert sum(m.startswith("INIT_START") for m in messages) == 1
    arn = lam.get_function_configuration(FunctionName=name)["RuntimeVersionConfig"]["RuntimeVersionArn"]
    assert messages[0].endswith(arn)


@needs_node
def test_node_writes_json_log_records_when_the_log_format_is_json(functions: Functions, lam: Any) -> None:
    source = (
        "exports.handler = async () => {\n"
        "  console.debug('hidden below the level');\n"
        "  console.log('hello %s', 'json');\n"
        "  console.error(new TypeError('bad'));\n"
        "  console.warn('failed:', new RangeError('far'));\n"
        "  return 1;\n"
        "};\n"
    )
    name = functions.create(
        {"index.js": source},
        runtime="nodejs20.x",
        handler="index.handler",
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "INFO"},
    )
    result = invoke(lam, name)
    # The function's records, not the platform's JSON events ({"time", "type", "record"}) around them.
    records = [json.loads(line) for line in result.lines() if line.startswith('{"timestamp"')]
    assert [r["level"] for r in records] == ["INFO", "ERROR", "WARN"]
    assert records[0]["message"] == "hello json" and records[0]["requestId"] == result.request_id
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", records[0]["timestamp"])
    # A lone Error is the message, as an object (AWS's formatJsonMessage); with other arguments the
    # message is their util.format text and the first Error's fields stand beside it.
    error = records[1]["message"]
    assert (error["errorType"], error["errorMessage"]) == ("TypeError", "bad")
    assert error["stackTrace"][0] == "TypeError: bad"
    assert records[2]["message"].startswith("failed: RangeError: far\n    at ")
    assert (records[2]["errorType"], records[2]["errorMessage"]) == ("RangeError", "far")
    assert records[2]["stackTrace"][0] == "RangeError: far"
