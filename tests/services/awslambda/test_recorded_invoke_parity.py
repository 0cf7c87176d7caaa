"""Invoke and its neighbours answered as AWS answered LocalStack's AWS-validated tests
(tests/aws/services/lambda_/: test_lambda.py, test_lambda_destinations.py, test_lambda_common.py,
event_source_mapping/test_api.py, and their snapshots): concurrency, validation wording, function
URL bodies, configuration echoes, the log tail, role sessions and the environment. Each test names
the snapshot entry it follows.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.awslambda.support import Functions, error_of, invoke, unique, zipped
from tests.services.awslambda.url_support import make_public, send

ECHO = "def handler(event, context):\n    return event\n"
CALLER = "import boto3\ndef handler(event, context):\n    return boto3.client('sts').get_caller_identity()\n"


def test_provisioned_executions_that_take_the_whole_reservation_leave_latest_none(
    functions: Functions, lam: Any
) -> None:
    """TestLambdaConcurrency::test_lambda_concurrency_block (invoke_latest_first_exc,
    invoke_v1_after_block) and test_reserved_provisioned_overlap
    (reserved_equals_provisioned_latest_invoke_exc)."""
    name = functions.python(ECHO)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    assert invoke(lam, name, {"hello": "world"}, Qualifier="$LATEST").payload == {"hello": "world"}
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1)

    for _ in range(2):
        code, status, message, response = error_of(
            lam.invoke, FunctionName=name, Qualifier="$LATEST", Payload=b'{"hello": "world"}'
        )
        assert (code, status, message) == ("TooManyRequestsException", 429, "Rate Exceeded.")
        assert response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
        assert response["Type"] == "User"
        # The version with the provisioned executions still runs.
        provisioned = invoke(lam, name, {"hello": "world"}, Qualifier=version)
        assert provisioned.response["ExecutedVersion"] == version
        assert provisioned.payload == {"hello": "world"}


def test_latest_runs_again_once_the_reservation_leaves_room(functions: Functions, lam: Any) -> None:
    """TestLambdaConcurrency::test_reserved_provisioned_overlap: the on-demand share is the
    reservation less every provisioned execution of the function."""
    name = functions.python(ECHO)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=2)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    assert error_of(lam.invoke, FunctionName=name)[0] == "TooManyRequestsException"
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
    assert invoke(lam, name, {"n": 1}).payload == {"n": 1}


def test_a_starting_position_outside_the_enum_lists_it_in_awss_order(lam: Any, sqs: Any, made: Functions) -> None:
    """event_source_mapping/test_api.py::test_create_starting_position_validation_exceptions[sqs]."""
    name = made.python(ECHO)
    url = sqs.create_queue(QueueName=unique("positions"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    code, status, message, response = error_of(
        lam.create_event_source_mapping, FunctionName=name, EventSourceArn=arn, StartingPosition="0"
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value '0' at 'startingPosition' failed to satisfy constraint: "
        "Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]"
    )
    assert "Type" not in response
    for position in ({"StartingPosition": "LATEST", "StartingPositionTimestamp": 1_700_000_000},
                     {"StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": -1_700_000_000}):
        assert error_of(lam.create_event_source_mapping, FunctionName=name, EventSourceArn=arn, **position)[:3] == (
            "InvalidParameterValueException", 400, "StartingPosition is not valid for SQS event sources."
        )
    assert lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"] == []


def test_an_invoke_mode_outside_the_enum_lists_it_in_awss_order(functions: Functions, lam: Any) -> None:
    """TestLambdaURL::test_lambda_url_invalid_invoke_mode (invoke_function_invalid_invoke_type)."""
    name = functions.python(ECHO)
    code, status, message, _ = error_of(
        lam.create_function_url_config, FunctionName=name, AuthType="NONE", InvokeMode="UNKNOWN"
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value 'UNKNOWN' at 'invokeMode' failed to satisfy constraint: "
        "Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]"
    )


@pytest.mark.parametrize(
    ("returned", "body"),
    [
        ('{"hello": "world"}', b'{"hello":"world"}'),
        ('["hello", 3, True]', b'["hello",3,true]'),
        ('"hello"', b"hello"),
        ("3", b"3"),
        ("3.1", b"3.1"),
        ("True", b"true"),
        ('{"statusCode": 200, "body": "body123"}', b"body123"),
        ('{"statusCode": 200, "body": "{\\"hello\\": \\"world\\"}"}', b'{"hello": "world"}'),
    ],
    ids=["dict", "list-mixed", "string", "integer", "float", "boolean", "http-response", "http-response-json"],
)
def test_a_url_answer_without_a_status_code_is_written_again_as_lambda_writes_it(
    functions: Functions, lam: Any, returned: str, body: bytes
) -> None:
    """TestLambdaURL::test_lambda_url_invocation[...]: the inferred body is the string's text or
    compact JSON (Content-Length 17 for {"hello": "world"}); a response object's body is as given."""
    name = functions.python(f"def handler(event, context):\n    return {returned}\n")
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    make_public(lam, name)
    answer = send(url, "POST", "/", body=b"{}")
    assert answer.status == 200
    assert answer.body == body
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["content-length"] == str(len(body))


def test_empty_environment_variables_named_in_the_request_are_answered(
    functions: Functions, lam: Any
) -> None:
    """TestLambdaBehavior::test_lambda_invoke_with_timeout (CreateFunctionResponse) and
    TestLambdaConcurrency::test_reserved_concurrency (fn): Environment {"Variables": {}} as given;
    TestLambdaBaseFeatures::test_function_state: no Environment when none was given."""
    named = functions.python(ECHO, Environment={"Variables": {}})
    assert lam.get_function_configuration(FunctionName=named)["Environment"] == {"Variables": {}}
    updated = lam.update_function_configuration(FunctionName=named, Timeout=15)
    assert updated["Environment"] == {"Variables": {}}
    assert "Environment" not in lam.get_function_configuration(FunctionName=functions.python(ECHO))


def test_an_empty_dead_letter_config_leaves_the_target_in_place(
    functions: Functions, lam: Any, sqs: Any, esm_role: str
) -> None:
    """TestLambdaDLQ::test_dead_letter_queue (delete_dlq): UpdateFunctionConfiguration with
    DeadLetterConfig={} answers the target the function had."""
    url = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = Functions(lam, esm_role).python(ECHO, DeadLetterConfig={"TargetArn": arn})
    functions.created.append(name)
    answer = lam.update_function_configuration(FunctionName=name, DeadLetterConfig={})
    assert answer["DeadLetterConfig"] == {"TargetArn": arn}
    assert answer["LastUpdateStatus"] == "InProgress"
    assert lam.get_function_configuration(FunctionName=name)["DeadLetterConfig"] == {"TargetArn": arn}
    # An empty TargetArn is how a target is removed.
    lam.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": ""})
    assert "DeadLetterConfig" not in lam.get_function_configuration(FunctionName=name)


def test_an_unhandled_errors_record_runs_into_end_in_the_tail(functions: Functions, lam: Any) -> None:
    """TestLambdaDLQ::test_dead_letter_queue (log_result): the [ERROR] record has no newline of its
    own, so the tail reads '    raise Exception("...")END RequestId: <id>'."""
    name = functions.python(
        "def handler(event, context):\n"
        "    print('Lambda log message - print function')\n"
        "    raise Exception('Test exception (this is intentional)')\n"
    )
    result = invoke(lam, name)
    assert result.function_error == "Unhandled"
    lines = result.log.splitlines()
    start = lines.index(f"START RequestId: {result.request_id} Version: $LATEST")
    assert lines[start + 1 : start + 4] == [
        "Lambda log message - print function",
        "[ERROR] Exception: Test exception (this is intentional)",
        "Traceback (most recent call last):",
    ]
    assert lines[start + 5] == (
        "\u00a0\u00a0\u00a0\u00a0raise Exception('Test exception (this is intentional)')"
        f"END RequestId: {result.request_id}"
    )
    assert lines[start + 6].startswith(f"REPORT RequestId: {result.request_id}\t")


@pytest.mark.parametrize(("length", "suffix"), [(1, "@lambda_function"), (2, "")])
def test_a_one_character_functions_role_session_is_named_with_a_suffix(
    lam: Any, role: str, length: int, suffix: str
) -> None:
    """TestLambdaBaseFeatures::test_assume_role[1] and [2]: a session name has at least two
    characters, so a function named "q" runs as session "q@lambda_function"."""
    name = unique("q")[-length:]
    made = Functions(lam, role)
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Timeout=30,
        Code={"ZipFile": zipped({"app.py": CALLER})},
    )
    made.created.append(name)
    try:
        identity = invoke(lam, name).payload
    finally:
        made.cleanup()
    role_name = role.split("/")[-1]
    assert identity["Arn"] == f"arn:aws:sts::{identity['Account']}:assumed-role/{role_name}/{name}{suffix}"
    assert identity["UserId"].endswith(f":{name}{suffix}")


@pytest.mark.parametrize("runtime", ["python3.12", "nodejs20.x"])
def test_the_environment_carries_the_shells_level(functions: Functions, lam: Any, runtime: str) -> None:
    """test_lambda_common.py::TestLambdaRuntimesCommon::test_introspection_invoke[...] and
    TestLambdaBehavior::test_lambda_init_environment: SHLVL "0" beside the variables Lambda sets."""
    if runtime.startswith("python"):
        name = functions.python("import os\ndef handler(event, context):\n    return dict(os.environ)\n")
    else:
        name = functions.create(
            {"index.js": "exports.handler = async () => process.env;\n"}, runtime=runtime, handler="index.handler"
        )
    env = invoke(lam, name).payload
    assert env["SHLVL"] == "0"
    assert (env["TZ"], env["LANG"], env["AWS_LAMBDA_INITIALIZATION_TYPE"]) == (":UTC", "en_US.UTF-8", "on-demand")


def test_the_url_of_a_deleted_alias_still_answers_access_denied(functions: Functions, lam: Any) -> None:
    """TestLambdaURL::test_lambda_url_persists_after_alias_delete
    (invoke_deleted_alias_url_response_delayed)."""
    name = functions.python("def handler(event, context):\n    return 'hi'\n")
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    url = lam.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE")["FunctionUrl"]
    make_public(lam, name, "live")
    assert send(url, "POST", "/", body=b"{}").status == 200
    lam.delete_alias(FunctionName=name, Name="live")
    answer = send(url, "POST", "/", body=b"{}")
    assert answer.status == 403
    assert answer.json() == {
        "Message": "Forbidden. For troubleshooting Function URL authorization issues, see: "
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
    }
    assert answer.headers["x-amzn-ErrorType"] == "AccessDeniedException"
