"""AWS's runtime interface client (awslambdaric) and our standard-library fallback answer alike:
the same error documents and the same log lines for init errors and handler exceptions.
The session server uses awslambdaric when it is installed; a second server is told to use ours.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, invoke, unique

pytest.importorskip("awslambdaric")

CASES = {
    "handler exception": (
        {"app.py": "def handler(event, context):\n    raise KeyError('missing')\n"},
        "app.handler",
    ),
    "import error": ({"app.py": "import no_such_module_anywhere\n"}, "app.handler"),
    "handler not found": ({"app.py": "def other(event, context):\n    return 1\n"}, "app.handler"),
    "syntax error": ({"app.py": "def handler(event, context)\n    return 1\n"}, "app.handler"),
    "init exception": ({"app.py": "raise ValueError('at import')\n"}, "app.handler"),
    "malformed handler": ({"app.py": "x = 1\n"}, "app"),
    "logging": (
        {
            "app.py": "import logging\nlogging.getLogger().warning('careful %s', 1)\n"
            "def handler(event, context):\n    logging.getLogger().error('bad %s', 2)\n    return 'ok'\n"
        },
        "app.handler",
    ),
}


@pytest.fixture(scope="module")
def builtin_server() -> Iterator[ServerProcess]:
    proc = ServerProcess(env={"POCKETCLOUD_LAMBDA_PYTHON_CLIENT": "builtin"}).start()
    yield proc
    proc.stop()


def _functions(server: ServerProcess) -> Functions:
    iam: Any = server.client("iam")
    role = iam.create_role(RoleName=unique("ric"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    return Functions(server.client("lambda"), role)


def _normalized(text: str, request_id: str, code_dirs: list[str]) -> str:
    text = text.replace(request_id, "<id>")
    for directory in code_dirs:
        text = text.replace(directory, "<task>")
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", "<time>", text)
    text = re.sub(r"\d+(\.\d\d)? ms", "<ms>", text)
    text = re.sub(r"Max Memory Used: \d+ MB", "Max Memory Used: <mb>", text)
    return text


def _run(fns: Functions, files: dict[str, str], handler: str) -> tuple[Any, list[str]]:
    name = fns.create(files, handler=handler)
    result = invoke(fns.lam, name)
    task = re.search(r'File \\?"(/[^"\\]+)/app\.py', result.raw.decode() + result.log)
    dirs = [task.group(1)] if task else []
    payload = json.loads(_normalized(result.raw.decode(), result.request_id, dirs))
    lines = [_normalized(line, result.request_id, dirs) for line in result.lines() if line]
    return payload, lines


@pytest.mark.parametrize("case", sorted(CASES))
def test_both_python_clients_answer_alike(
    server: ServerProcess, builtin_server: ServerProcess, case: str
) -> None:
    files, handler = CASES[case]
    ric = _functions(server)
    ours = _functions(builtin_server)
    try:
        ric_payload, ric_lines = _run(ric, files, handler)
        our_payload, our_lines = _run(ours, files, handler)
    finally:
        ric.cleanup()
        ours.cleanup()
    assert our_payload == ric_payload
    assert our_lines == ric_lines


JSON_CASES = {
    "records": (
        "import logging\nlog = logging.getLogger('app')\n"
        "def handler(event, context):\n"
        "    log.debug('hidden at INFO')\n"
        "    log.info('hello %s', 'there', extra={'order': 7})\n"
        "    log.warning({'a': 'dict', 'n': 1})\n"
        "    try:\n        1 / 0\n    except ZeroDivisionError:\n        log.exception('divided')\n"
        "    raise KeyError('missing')\n"
    ),
    "init error": "import no_such_module_anywhere\n",
}


@pytest.mark.parametrize("case", sorted(JSON_CASES))
def test_both_python_clients_write_json_records_when_the_log_format_is_json(
    server: ServerProcess, builtin_server: ServerProcess, case: str
) -> None:
    """With LoggingConfig LogFormat JSON, Lambda's Python runtime writes log records and an unhandled
    exception as JSON objects ({"timestamp", "level", "message", "logger", "requestId", ...}); our
    client wrote them as text."""
    config = {"LogFormat": "JSON", "ApplicationLogLevel": "INFO"}
    answers = []
    for fns in (_functions(server), _functions(builtin_server)):
        try:
            name = fns.create({"app.py": JSON_CASES[case]}, LoggingConfig=config)
            result = invoke(fns.lam, name)
        finally:
            fns.cleanup()
        task = re.search(r'File \\?"(/[^"\\]+)/app\.py', result.raw.decode() + result.log)
        dirs = [task.group(1)] if task else []
        records = [
            re.sub(r'"timestamp": "[^"]+"', '"timestamp": "<t>"', _normalized(line, result.request_id, dirs))
            for line in result.lines()
            if line and not line.startswith('{"time"')  # the platform's own events
        ]
        answers.append(records)
    assert answers[0] and all(json.loads(line)["level"] in ("INFO", "WARNING", "ERROR") for line in answers[0])
    assert answers[1] == answers[0]


ALTERNATING = (
    "def handler(event, context):\n"
    "    print('call', event['n'])\n"
    "    if event['n'] % 2:\n"
    "        raise ValueError(f\"odd {event['n']}\")\n"
    "    return {'n': event['n']}\n"
)


@pytest.mark.parametrize("which", ["awslambdaric", "builtin"])
def test_warm_invocations_in_a_row_keep_their_answers_and_output_apart(
    server: ServerProcess, builtin_server: ServerProcess, which: str
) -> None:
    fns = _functions(server if which == "awslambdaric" else builtin_server)
    try:
        name = fns.python(ALTERNATING)
        for n in range(6):
            result = invoke(fns.lam, name, {"n": n})
            if n % 2:
                assert result.function_error == "Unhandled"
                assert result.payload["errorMessage"] == f"odd {n}"
            else:
                assert result.function_error is None and result.payload == {"n": n}
            printed = [line for line in result.lines() if line.startswith("call ")]
            assert printed == [f"call {n}"]
    finally:
        fns.cleanup()


@pytest.mark.parametrize("which", ["awslambdaric", "builtin"])
def test_a_large_event_and_answer_pass_whole_through_both_clients(
    server: ServerProcess, builtin_server: ServerProcess, which: str
) -> None:
    fns = _functions(server if which == "awslambdaric" else builtin_server)
    try:
        name = fns.python("def handler(event, context):\n    return event\n")
        event = {"blob": "x" * 3_000_000, "n": 1}
        for _ in range(2):  # the second on the warm environment, behind the first's answer
            result = invoke(fns.lam, name, event, tail=False)
            assert result.function_error is None and result.payload == event
    finally:
        fns.cleanup()
