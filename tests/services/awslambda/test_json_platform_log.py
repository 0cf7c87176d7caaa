"""A function with LoggingConfig LogFormat JSON gets Lambda's own log events as JSON objects, as
AWS writes them: {"time", "type": "platform.<event>", "record"} in place of the START / END /
REPORT text lines, filtered by the function's SystemLogLevel (INFO unless set).
"""

from __future__ import annotations

import json
import math
import re
import time
from typing import Any

from tests.services.awslambda.support import Functions, invoke

ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"

LOGS = (
    "import logging, os, time\n"
    "def handler(event, context):\n"
    "    logging.getLogger().warning('from the function')\n"
    "    if event.get('sleep'):\n"
    "        time.sleep(event['sleep'])\n"
    "    if event.get('exit'):\n"
    "        os._exit(1)\n"
    "    return 'ok'\n"
)


def _events(logs: Any, name: str, request_id: str) -> list[dict[str, Any]]:
    """The log group's events (timestamp, message) once the invocation's have been written."""
    group = f"/aws/lambda/{name}"
    deadline = time.monotonic() + 10
    while True:
        events: list[dict[str, Any]] = []
        for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]:
            answer = logs.get_log_events(
                logGroupName=group, logStreamName=stream["logStreamName"], startFromHead=True
            )
            events += answer["events"]
        events.sort(key=lambda e: e["timestamp"])
        # The invocation's lines are written together: one holding its request id means all are there.
        if any(request_id in e["message"] for e in events) or time.monotonic() > deadline:
            return events
        time.sleep(0.1)


def _platform(messages: list[str], request_id: str | None = None) -> list[dict[str, Any]]:
    """The platform events among the messages (only those naming the request, when one is given)."""
    found = [json.loads(m) for m in messages if m.startswith('{"time"')]
    if request_id is None:
        return found
    return [e for e in found if e["record"].get("requestId") == request_id]


def test_start_and_report_are_json_events_with_awss_fields(functions: Functions, lam: Any, logs: Any) -> None:
    name = functions.python(LOGS, LoggingConfig={"LogFormat": "JSON"})
    arn = lam.get_function_configuration(FunctionName=name)["FunctionArn"]
    result = invoke(lam, name)
    rid = result.request_id
    events = _events(logs, name, rid)
    platform = _platform([e["message"] for e in events])
    assert [e["type"] for e in platform] == ["platform.initStart", "platform.start", "platform.report"]
    init, start, report = platform
    assert list(init["record"])[:6] == [
        "initializationType",
        "phase",
        "runtimeVersion",
        "runtimeVersionArn",
        "functionName",
        "functionVersion",
    ]
    assert (init["record"]["initializationType"], init["record"]["phase"]) == ("on-demand", "init")
    assert init["record"]["runtimeVersion"] == "python:3.12.v1"
    assert (init["record"]["functionName"], init["record"]["functionVersion"]) == (name, "$LATEST")
    assert start["record"] == {"requestId": rid, "functionArn": arn, "version": "$LATEST"}
    record = report["record"]
    assert list(record) == ["requestId", "metrics", "status"]
    assert (record["requestId"], record["status"]) == (rid, "success")
    metrics = record["metrics"]
    assert list(metrics) == [
        "durationMs",
        "billedDurationMs",
        "memorySizeMB",
        "maxMemoryUsedMB",
        "initDurationMs",
    ]
    # A cold start bills its init too, as the text REPORT line says (Billed Duration).
    assert metrics["billedDurationMs"] == math.ceil(metrics["durationMs"] + metrics["initDurationMs"])
    assert metrics["memorySizeMB"] == 128 and 0 < metrics["maxMemoryUsedMB"] <= 128
    assert metrics["initDurationMs"] > 0
    for event in platform:
        assert re.fullmatch(ISO, event["time"])
    # The event's CloudWatch timestamp is its "time"; the function's record sits between START and REPORT.
    stamps = {e["message"]: e["timestamp"] for e in events}
    messages = [e["message"] for e in events]
    [logged] = [m for m in messages if "from the function" in m]
    assert messages.index(next(m for m in messages if '"platform.start"' in m)) < messages.index(logged)
    assert messages.index(logged) < messages.index(next(m for m in messages if '"platform.report"' in m))
    start_message = next(m for m in messages if '"platform.start"' in m)
    assert time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamps[start_message] / 1000)) == start["time"][:19]
    assert not [m for m in messages if m.startswith(("START RequestId", "END RequestId", "REPORT RequestId"))]


def test_a_warm_invocations_report_has_no_init_duration(functions: Functions, lam: Any, logs: Any) -> None:
    name = functions.python(LOGS, LoggingConfig={"LogFormat": "JSON"})
    invoke(lam, name)
    rid = invoke(lam, name).request_id
    platform = _platform([e["message"] for e in _events(logs, name, rid)], rid)
    assert [e["type"] for e in platform] == ["platform.start", "platform.report"]
    assert "initDurationMs" not in platform[1]["record"]["metrics"]


def test_the_tail_holds_the_json_events_init_start_included(functions: Functions, lam: Any) -> None:
    name = functions.python(LOGS, LoggingConfig={"LogFormat": "JSON"})
    result = invoke(lam, name)
    documents = [json.loads(line) for line in result.lines() if line]
    assert [d.get("type") for d in documents] == [
        "platform.initStart",
        "platform.start",
        None,  # the function's own record
        "platform.report",
    ]
    assert documents[2]["message"] == "from the function"


def test_a_timeouts_report_has_status_timeout(functions: Functions, lam: Any, logs: Any) -> None:
    name = functions.python(LOGS, timeout=1, LoggingConfig={"LogFormat": "JSON"})
    result = invoke(lam, name, {"sleep": 30})
    assert result.payload["errorType"] == "Sandbox.Timedout"
    rid = result.request_id
    messages = [e["message"] for e in _events(logs, name, rid)]
    platform = _platform(messages)
    # runtimeDone is WARN when the invocation failed, so the default INFO level shows it.
    assert [e["type"] for e in platform] == [
        "platform.initStart",
        "platform.start",
        "platform.runtimeDone",
        "platform.report",
    ]
    done, report = platform[2]["record"], platform[3]["record"]
    assert done == {
        "requestId": rid,
        "status": "timeout",
        "metrics": {"durationMs": 1000.0, "producedBytes": 0},
    }
    assert list(report) == ["requestId", "metrics", "status"] and report["status"] == "timeout"
    metrics = report["metrics"]
    assert metrics["durationMs"] == 1000.0
    assert metrics["billedDurationMs"] == math.ceil(1000.0 + metrics["initDurationMs"])  # a cold start
    assert not [m for m in messages if "Task timed out" in m]


def test_a_crashs_report_has_status_error_and_its_error_type(
    functions: Functions, lam: Any, logs: Any
) -> None:
    name = functions.python(LOGS, LoggingConfig={"LogFormat": "JSON"})
    result = invoke(lam, name, {"exit": True})
    assert result.payload["errorType"] == "Runtime.ExitError"
    rid = result.request_id
    platform = _platform([e["message"] for e in _events(logs, name, rid)], rid)
    done, report = platform[-2], platform[-1]
    assert done["type"] == "platform.runtimeDone"
    assert (done["record"]["status"], done["record"]["errorType"]) == ("error", "Runtime.ExitError")
    assert list(report["record"]) == ["requestId", "metrics", "status", "errorType"]
    assert (report["record"]["status"], report["record"]["errorType"]) == ("error", "Runtime.ExitError")


def test_a_failed_inits_events_say_why(functions: Functions, lam: Any) -> None:
    """The failed init is retried at the invocation, as AWS does: its records again, in the invoke phase."""
    name = functions.python("import no_such_module_here\n", LoggingConfig={"LogFormat": "JSON"})
    result = invoke(lam, name)
    platform = _platform(result.lines())
    assert [e["type"] for e in platform] == [
        "platform.initStart",
        "platform.initRuntimeDone",
        "platform.initReport",
        "platform.initRuntimeDone",
        "platform.initReport",
        "platform.start",
        "platform.runtimeDone",
        "platform.report",
    ]
    failure = ("error", "Runtime.ImportModuleError")
    for event in platform[1:5] + platform[6:]:
        assert (event["record"]["status"], event["record"]["errorType"]) == failure
    assert [e["record"]["phase"] for e in platform[1:5]] == ["init", "init", "invoke", "invoke"]
    assert platform[2]["record"]["metrics"]["durationMs"] > 0
    assert "initDurationMs" not in platform[-1]["record"]["metrics"]  # the retry is the invocation's time


def test_system_log_level_warn_hides_the_info_events(functions: Functions, lam: Any, logs: Any) -> None:
    name = functions.python(LOGS, LoggingConfig={"LogFormat": "JSON", "SystemLogLevel": "WARN"})
    result = invoke(lam, name)
    messages = [e["message"] for e in _events(logs, name, result.request_id)]
    assert _platform(messages) == []
    assert _platform(result.lines()) == []
    # The application's own WARNING record is the ApplicationLogLevel's business, and stays.
    assert any("from the function" in m for m in messages)


def test_system_log_level_warn_keeps_a_timeouts_events(functions: Functions, lam: Any) -> None:
    name = functions.python(LOGS, timeout=1, LoggingConfig={"LogFormat": "JSON", "SystemLogLevel": "WARN"})
    result = invoke(lam, name, {"sleep": 30})
    assert [e["type"] for e in _platform(result.lines())] == ["platform.runtimeDone", "platform.report"]


def test_system_log_level_debug_adds_the_successful_done_and_init_events(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(LOGS, LoggingConfig={"LogFormat": "JSON", "SystemLogLevel": "DEBUG"})
    result = invoke(lam, name)
    platform = _platform(result.lines())
    assert [e["type"] for e in platform] == [
        "platform.initStart",
        "platform.initRuntimeDone",
        "platform.initReport",
        "platform.start",
        "platform.runtimeDone",
        "platform.report",
    ]
    assert platform[1]["record"] == {"initializationType": "on-demand", "phase": "init", "status": "success"}
    done = platform[4]["record"]
    assert (done["requestId"], done["status"]) == (result.request_id, "success")
    assert done["metrics"]["producedBytes"] == len(b'"ok"')


def test_a_text_format_function_keeps_its_text_lines(functions: Functions, lam: Any, logs: Any) -> None:
    name = functions.python(LOGS)
    result = invoke(lam, name)
    rid = result.request_id
    messages = [e["message"] for e in _events(logs, name, rid)]
    assert messages[0].startswith("INIT_START Runtime Version: python:3.12.v1\tRuntime Version ARN: ")
    assert f"START RequestId: {rid} Version: $LATEST\n" in messages
    assert f"END RequestId: {rid}\n" in messages
    assert re.search(rf"^REPORT RequestId: {rid}\tDuration: \d+\.\d\d ms\t", result.log, re.M)
    assert _platform(messages) == []
