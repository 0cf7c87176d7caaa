"""A Node.js function's console records reach CloudWatch Logs as AWS's do: through the runtime's
telemetry log channel, one console call one event, a multi-line message (a stack) kept whole with
its "\\n" line breaks, where a line of stdout would be cut at each of them.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from typing import Any

import pytest

from tests.services.awslambda.support import Functions, invoke, log_messages

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node")

ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"

APP = """
exports.logs = async () => {
  console.log('first line\\nsecond line');
  console.warn('%s and %d', 'formatted', 42);
  return 'ok';
};
exports.logsAnError = async () => {
  console.error(new TypeError('shown with its stack'));
  return 'ok';
};
exports.throws = async () => {
  console.log('before the error');
  throw new RangeError('out of range');
};
exports.prints = async () => {
  process.stdout.write('printed\\nstraight\\n');
  return 'ok';
};
exports.environment = async () => Object.keys(process.env);
exports.crashesOnce = async () => {
  const marker = require('path').join(require('os').tmpdir(), 'crashed');
  if (require('fs').existsSync(marker)) return 'fine';
  require('fs').writeFileSync(marker, '1');
  setTimeout(() => { throw new Error('late'); }, 0);
  await new Promise((resolve) => setTimeout(resolve, 50));
  return 'answered';
};
"""


def _node(functions: Functions, handler: str, **kwargs: Any) -> str:
    return functions.create({"index.js": APP}, runtime="nodejs20.x", handler=f"index.{handler}", **kwargs)


def _events(logs: Any, name: str, request_id: str) -> list[str]:
    # An invocation's lines are written together, so one naming the request (a text REPORT line or
    # a JSON-format function's platform.report) means all of them are there.
    return log_messages(logs, f"/aws/lambda/{name}", request_id, wait=10)


def test_a_multi_line_console_log_is_one_event_with_its_line_breaks(
    functions: Functions, lam: Any, logs: Any
) -> None:
    name = _node(functions, "logs")
    result = invoke(lam, name)
    rid = result.request_id
    record = rf"{ISO}\t{rid}\tINFO\tfirst line\nsecond line\n"
    events = _events(logs, name, rid)
    [logged] = [e for e in events if "first line" in e]
    assert re.fullmatch(record, logged)
    assert not any(e.startswith("second line") for e in events)
    # Each console method has its level; the arguments are formatted by util.format.
    assert any(re.fullmatch(rf"{ISO}\t{rid}\tWARN\tformatted and 42\n", e) for e in events)
    # The tail shows the record once, ending with its own newline, between START and the next record.
    assert re.search(rf"Version: \$LATEST\n{record}{ISO}\t{rid}\tWARN\t", result.log)


def test_an_error_logged_with_its_stack_is_one_event(functions: Functions, lam: Any, logs: Any) -> None:
    name = _node(functions, "logsAnError")
    result = invoke(lam, name)
    [logged] = [e for e in _events(logs, name, result.request_id) if "\tERROR\t" in e]
    message = logged.split("\tERROR\t", 1)[1]
    lines = message.split("\n")
    assert lines[0] == "TypeError: shown with its stack"
    assert lines[1].startswith("    at ") and "index.js" in lines[1]
    assert lines[-1] == "" and "\r" not in logged


def test_an_unhandled_error_is_one_event_and_shows_in_the_tail(
    functions: Functions, lam: Any, logs: Any
) -> None:
    name = _node(functions, "throws")
    result = invoke(lam, name)
    rid = result.request_id
    assert result.function_error == "Unhandled"
    events = _events(logs, name, rid)
    [error] = [e for e in events if "Invoke Error" in e]
    assert re.fullmatch(rf"{ISO}\t{rid}\tERROR\tInvoke Error \t\{{.*\}}\n", error)
    logged = json.loads(error.split("Invoke Error \t", 1)[1])
    assert (logged["errorType"], logged["errorMessage"]) == ("RangeError", "out of range")
    assert logged["stack"][0] == "RangeError: out of range"
    before = next(e for e in events if e.endswith("\tbefore the error\n"))
    assert events.index(before) < events.index(error) < events.index(f"END RequestId: {rid}\n")
    assert f"{before}{error}END RequestId: {rid}\n" in result.log


def test_an_init_errors_record_is_one_event_before_the_init_report(
    functions: Functions, lam: Any, logs: Any
) -> None:
    name = functions.create({"index.js": APP}, runtime="nodejs20.x", handler="missing.handler")
    result = invoke(lam, name)
    assert result.payload["errorType"] == "Runtime.ImportModuleError"
    # Outside an invocation the request id is "undefined"; the error's message spans lines, escaped in JSON.
    record = next(line for line in result.lines() if "Uncaught Exception" in line)
    assert re.fullmatch(rf"{ISO}\tundefined\tERROR\tUncaught Exception \t\{{.*\}}", record)
    assert json.loads(record.split("\t", 4)[4])["errorType"] == "Runtime.ImportModuleError"
    assert f"{record}\nINIT_REPORT Init Duration: " in result.log
    assert f"{record}\n" in _events(logs, name, result.request_id)


def test_what_the_function_prints_to_stdout_is_still_cut_into_lines(
    functions: Functions, lam: Any, logs: Any
) -> None:
    name = _node(functions, "prints")
    result = invoke(lam, name)
    events = _events(logs, name, result.request_id)
    assert "printed\n" in events and "straight\n" in events


def test_a_json_format_record_is_one_json_document(functions: Functions, lam: Any, logs: Any) -> None:
    name = _node(functions, "logs", LoggingConfig={"LogFormat": "JSON"})
    result = invoke(lam, name)
    records = [json.loads(e) for e in _events(logs, name, result.request_id) if e.startswith('{"timestamp"')]
    assert [(r["level"], r["message"]) for r in records] == [
        ("INFO", "first line\nsecond line"),
        ("WARN", "formatted and 42"),
    ]
    assert {r["requestId"] for r in records} == {result.request_id}


def test_the_channels_descriptor_is_not_left_in_the_functions_environment(
    functions: Functions, lam: Any
) -> None:
    keys = invoke(lam, _node(functions, "environment")).payload
    assert "AWS_LAMBDA_FUNCTION_NAME" in keys and "_LAMBDA_TELEMETRY_LOG_FD" not in keys


def test_an_unhandled_errors_json_record_holds_the_error_as_its_message(
    functions: Functions, lam: Any, logs: Any
) -> None:
    name = _node(functions, "throws", LoggingConfig={"LogFormat": "JSON"})
    result = invoke(lam, name)
    records = [json.loads(e) for e in _events(logs, name, result.request_id) if e.startswith('{"timestamp"')]
    [error] = [r for r in records if r["level"] == "ERROR"]
    # AWS's runtime logs the error alone (no "Invoke Error" label), as the record's message.
    assert error["requestId"] == result.request_id
    assert (error["message"]["errorType"], error["message"]["errorMessage"]) == ("RangeError", "out of range")
    assert error["message"]["stackTrace"][0] == "RangeError: out of range"


def test_an_event_after_a_crash_goes_to_a_fresh_init_not_to_the_dead_runtime(functions: Functions, lam: Any) -> None:
    # An uncaught exception from a timer ends the Node.js runtime after it answers; on AWS no event
    # reaches a runtime that has not asked for it, so the next one is given to a fresh init (the
    # environment's /tmp kept) instead of failing with Runtime.ExitError.
    name = _node(functions, "crashesOnce")
    first = lam.invoke(FunctionName=name)
    assert first.get("FunctionError") == "Unhandled"
    assert json.loads(first["Payload"].read())["errorMessage"] == "late"
    second = lam.invoke(FunctionName=name)
    assert "FunctionError" not in second, second["Payload"].read()
    assert json.loads(second["Payload"].read()) == "fine"


def test_an_event_long_after_a_crash_also_goes_to_a_fresh_init_with_tmp_kept(functions: Functions, lam: Any) -> None:
    # As above, with the runtime's exit surely seen before the next event: the environment is reset
    # in place (its /tmp kept), not replaced by a new one — which it was whenever the exit had been
    # noticed first, under load.
    name = _node(functions, "crashesOnce")
    assert lam.invoke(FunctionName=name).get("FunctionError") == "Unhandled"
    time.sleep(1.5)
    second = lam.invoke(FunctionName=name)
    assert "FunctionError" not in second, second["Payload"].read()
    assert json.loads(second["Payload"].read()) == "fine"
