"""A Python function's log records reach CloudWatch Logs as AWS's do: through the runtime's
telemetry log channel, one record one event, a multi-line record (a traceback) kept whole
with its "\\n" line breaks (not the "\\r" of the stdout form). Both Python clients alike:
awslambdaric on the session server, our standard-library client on a second server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, invoke, log_messages, unique

CLIENTS = ["awslambdaric", "builtin"]

LOGS_TWO_LINES = (
    "import logging\n"
    "def handler(event, context):\n"
    "    logging.getLogger().warning('first line\\nsecond line')\n"
    "    return 'ok'\n"
)

RAISES = (
    "def helper():\n"
    "    raise ValueError('boom')\n"
    "def handler(event, context):\n"
    "    print('before the error')\n"
    "    helper()\n"
)


@pytest.fixture(scope="module")
def builtin_server() -> Iterator[ServerProcess]:
    proc = ServerProcess(env={"POCKETCLOUD_LAMBDA_PYTHON_CLIENT": "builtin"}).start()
    yield proc
    proc.stop()


@pytest.fixture(params=CLIENTS)
def client(request: pytest.FixtureRequest, server: ServerProcess) -> Iterator[tuple[Functions, Any]]:
    """Functions of the server running the client named, and that server's CloudWatch Logs client."""
    if request.param == "awslambdaric":
        pytest.importorskip("awslambdaric")
        target = server
    else:
        target = request.getfixturevalue("builtin_server")
    iam: Any = target.client("iam")
    role = iam.create_role(RoleName=unique("telemetry"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    made = Functions(target.client("lambda"), role)
    yield made, target.client("logs")
    made.cleanup()


def _events(logs: Any, name: str, request_id: str) -> list[str]:
    return log_messages(logs, f"/aws/lambda/{name}", f"REPORT RequestId: {request_id}", wait=10)


def test_a_multi_line_logging_record_is_one_event_with_its_line_breaks(client: tuple[Functions, Any]) -> None:
    functions, logs = client
    name = functions.python(LOGS_TWO_LINES)
    result = invoke(functions.lam, name)
    rid = result.request_id
    record = rf"\[WARNING\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{rid}\tfirst line\nsecond line\n"
    events = _events(logs, name, rid)
    [logged] = [e for e in events if e.startswith("[WARNING]")]
    assert re.fullmatch(record, logged)
    assert "second line" not in [e.rstrip("\n") for e in events]
    # The tail has it once, ending with its own newline, between START and END.
    assert re.search(rf"Version: \$LATEST\n{record}END RequestId: {rid}\n", result.log)


def test_an_unhandled_exceptions_error_record_is_one_event_joined_by_newlines(
    client: tuple[Functions, Any],
) -> None:
    functions, logs = client
    name = functions.python(RAISES)
    result = invoke(functions.lam, name)
    rid = result.request_id
    assert result.function_error == "Unhandled"
    events = _events(logs, name, rid)
    [error] = [e for e in events if e.startswith("[ERROR]")]
    lines = error.split("\n")
    assert lines[:2] == ["[ERROR] ValueError: boom", "Traceback (most recent call last):"]
    # Each frame as awslambdaric formats it, indented with no-break spaces; no \r, and, as AWS
    # stores it, no newline at the end of the event.
    assert re.fullmatch('\u00a0\u00a0File ".*/app.py", line 5, in handler', lines[2])
    assert lines[3:] == [
        "\u00a0\u00a0\u00a0\u00a0helper()",
        lines[4],
        "\u00a0\u00a0\u00a0\u00a0raise ValueError('boom')",
    ]
    assert lines[4].endswith('/app.py", line 2, in helper')
    assert "\r" not in error
    assert events.index("before the error\n") < events.index(error) < events.index(f"END RequestId: {rid}\n")
    # In the tail the record runs straight into END, with no line break between, as in AWS's tail.
    assert f"before the error\n{error}END RequestId: {rid}\n" in result.log


def test_an_init_errors_error_record_is_one_event(client: tuple[Functions, Any]) -> None:
    functions, logs = client
    name = functions.python("import no_such_module_here\n")
    result = invoke(functions.lam, name)
    assert result.payload["errorType"] == "Runtime.ImportModuleError"
    error = (
        "[ERROR] Runtime.ImportModuleError: Unable to import module 'app': "
        "No module named 'no_such_module_here'\nTraceback (most recent call last):"
    )
    # As in AWS's tail: "Traceback (most recent call last):INIT_REPORT Init Duration: ..."
    assert f"{error}INIT_REPORT Init Duration: " in result.log
    assert error in _events(logs, name, result.request_id)


def test_the_channels_descriptor_is_not_left_in_the_functions_environment(
    client: tuple[Functions, Any],
) -> None:
    functions, _ = client
    name = functions.python("import os\ndef handler(event, context):\n    return sorted(os.environ)\n")
    assert "_LAMBDA_TELEMETRY_LOG_FD" not in invoke(functions.lam, name).payload


def test_a_json_format_record_is_one_json_document(server: ServerProcess) -> None:
    pytest.importorskip("awslambdaric")  # our own client writes the text format only
    iam: Any = server.client("iam")
    role = iam.create_role(RoleName=unique("telemetry"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    functions = Functions(server.client("lambda"), role)
    try:
        name = functions.python(LOGS_TWO_LINES, LoggingConfig={"LogFormat": "JSON"})
        result = invoke(functions.lam, name)
        [record] = [json.loads(line) for line in result.lines() if '"level": "WARNING"' in line]
        assert record["message"] == "first line\nsecond line"
        assert record["requestId"] == result.request_id
    finally:
        functions.cleanup()
