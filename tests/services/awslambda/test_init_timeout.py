"""An init that outlasts Lambda's 10-second init limit is logged as a timeout, not an error
(INIT_REPORT "Status: timeout" with no Error Type in the text format; in the JSON format a
platform.initReport with "status":"timeout" and no errorType, and no platform.initRuntimeDone,
since the runtime never said its init was done), and Lambda then retries the init at the
invocation, within the function's timeout (the Lambda developer guide, "Init phase": 'If all three
tasks do not complete within 10 seconds, Lambda retries the Init phase at the time of the first
function invocation with the configured function timeout'). A retry that runs into that timeout is
a timeout of the invocation (the troubleshooting guide: "Function times out during Init phase
(Sandbox.Timedout)"), its INIT_REPORT in the invoke phase ("INIT_REPORT Init Duration: 180000.45 ms
Phase: invoke Status: timeout", DataDog/datadog-lambda-extension#1237).

Each test waits out the init limit once (10 s): the limit is AWS's and is not configurable.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.services.awslambda.support import Functions, invoke

# The module's import outlives the init limit, and any function timeout here; the handler never runs.
SLOW_INIT = "import time\nprint('init begins', flush=True)\ntime.sleep(60)\ndef handler(event, context):\n    return 'ok'\n"
# The module's import outlives the init limit, but not the function's timeout.
SLOWISH_INIT = (
    "import time\nprint('init begins', flush=True)\ntime.sleep(10.5)\n"
    "def handler(event, context):\n    return context.get_remaining_time_in_millis()\n"
)


def test_an_init_outliving_the_limit_is_retried_within_the_function_timeout(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SLOWISH_INIT, timeout=20)
    result = invoke(lam, name)
    assert result.function_error is None
    assert 0 < result.payload < 20000 - 10000  # the retried init took its part of the timeout
    lines = result.lines()
    [line] = [line for line in lines if line.startswith("INIT_REPORT")]
    assert re.fullmatch(r"INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout", line)
    assert float(line.split()[3]) >= 10000  # the first init ran to the limit
    # The first attempt's output, its report, the retry's output, then the invocation.
    start = next(i for i, text in enumerate(lines) if text.startswith("START RequestId"))
    assert lines.index("init begins") < lines.index(line) < start
    assert lines[lines.index(line) + 1 : start] == ["init begins"]
    report = result.report()
    assert "Init Duration" not in report and "Status" not in report  # the retry is the invocation's time
    assert float(report.split("Duration: ")[1].split()[0]) >= 10000


def test_a_retried_init_that_outlives_the_function_timeout_is_a_timeout(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SLOW_INIT, timeout=2)
    result = invoke(lam, name)
    assert result.function_error == "Unhandled"
    assert result.payload == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {result.request_id} Error: Task timed out after 2.00 seconds",
    }
    reports = [line for line in result.lines() if line.startswith("INIT_REPORT")]
    assert [r.split("\t", 1)[1] for r in reports] == ["Phase: init\tStatus: timeout", "Phase: invoke\tStatus: timeout"]
    assert float(reports[0].split()[3]) >= 10000
    assert result.lines().count("init begins") == 2
    assert re.fullmatch(
        rf"REPORT RequestId: {result.request_id}\tDuration: 2000\.00 ms\tBilled Duration: 2000 ms\t"
        r"Memory Size: 128 MB\tMax Memory Used: \d+ MB\tStatus: timeout\t",
        result.report(),
    )


def test_a_json_format_init_timeout_has_an_init_report_with_status_timeout(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SLOW_INIT, timeout=2, LoggingConfig={"LogFormat": "JSON"})
    result = invoke(lam, name)
    assert result.payload["errorType"] == "Sandbox.Timedout"
    platform = [json.loads(line) for line in result.lines() if line.startswith('{"time"')]
    assert [e["type"] for e in platform] == [
        "platform.initStart",
        "platform.initReport",
        "platform.initReport",
        "platform.start",
        "platform.runtimeDone",
        "platform.report",
    ]
    first, retry = platform[1]["record"], platform[2]["record"]
    assert list(first) == ["initializationType", "phase", "status", "metrics"]
    metrics = first.pop("metrics")
    assert first == {"initializationType": "on-demand", "phase": "init", "status": "timeout"}
    assert list(metrics) == ["durationMs"] and metrics["durationMs"] >= 10000
    retry.pop("metrics")
    assert retry == {"initializationType": "on-demand", "phase": "invoke", "status": "timeout"}
    report = platform[-1]["record"]
    assert report["status"] == "timeout" and "errorType" not in report
    assert "initDurationMs" not in report["metrics"]
