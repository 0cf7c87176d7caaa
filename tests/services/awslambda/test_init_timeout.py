"""An init that outlasts Lambda's 10-second init limit is logged as a timeout, not an error:
INIT_REPORT "Status: timeout" with no Error Type in the text format, and in the JSON format a
platform.initReport with "status":"timeout" and no errorType (and no platform.initRuntimeDone,
since the runtime never said its init was done), as AWS writes them.

Each test waits out the init limit once (10 s): the limit is AWS's and is not configurable.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.services.awslambda.support import Functions, invoke

# The module's import outlives the init limit; the handler never runs.
SLOW_INIT = "import time\nprint('init begins', flush=True)\ntime.sleep(60)\ndef handler(event, context):\n    return 'ok'\n"


def test_a_text_format_init_timeout_reports_status_timeout(functions: Functions, lam: Any) -> None:
    name = functions.python(SLOW_INIT, timeout=30)
    result = invoke(lam, name)
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "Runtime.Unknown"
    assert "init phase exceeded the timeout" in result.payload["errorMessage"]
    [line] = [line for line in result.lines() if line.startswith("INIT_REPORT")]
    assert re.fullmatch(r"INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout", line)
    assert float(line.split()[3]) >= 10000  # the init ran to the limit
    assert "init begins" in result.lines()


def test_a_json_format_init_timeout_has_an_init_report_with_status_timeout(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SLOW_INIT, timeout=30, LoggingConfig={"LogFormat": "JSON"})
    result = invoke(lam, name)
    assert result.payload["errorType"] == "Runtime.Unknown"
    platform = [json.loads(line) for line in result.lines() if line.startswith('{"time"')]
    assert [e["type"] for e in platform] == [
        "platform.initStart",
        "platform.initReport",
        "platform.start",
        "platform.runtimeDone",
        "platform.report",
    ]
    report = platform[1]["record"]
    assert list(report) == ["initializationType", "phase", "status", "metrics"]
    metrics = report.pop("metrics")
    assert report == {"initializationType": "on-demand", "phase": "init", "status": "timeout"}
    assert list(metrics) == ["durationMs"] and metrics["durationMs"] >= 10000
