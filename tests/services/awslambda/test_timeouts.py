"""The hard timeout: what the caller gets, what the log says, the process tree killed, a new init next."""

from __future__ import annotations

import math
import os
import re
import time
from typing import Any

import pytest

from tests.services.awslambda.support import Functions, invoke

SLEEPER = """
import time
started = time.time()  # when init ran
def handler(event, context):
    print("remaining at start", context.get_remaining_time_in_millis())
    time.sleep(event.get("sleep", 600))
    return ["woke up", started]
"""

# A child, and a grandchild that leaves the process group with setsid: the supervisor must kill both.
TREE = """
import os, subprocess, sys, time
def handler(event, context):
    child = subprocess.Popen(["sleep", "300"])
    grandparent = subprocess.Popen([sys.executable, "-c",
        "import os, subprocess, time\\n"
        "os.setsid()\\n"
        "g = subprocess.Popen(['sleep', '300'], start_new_session=True)\\n"
        "print('grandchild', g.pid, flush=True)\\n"
        "time.sleep(300)\\n"], stdout=subprocess.PIPE, text=True)
    grandchild = int(grandparent.stdout.readline().split()[1])
    print("pids", os.getpid(), child.pid, grandparent.pid, grandchild, flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """Running, as /proc says (a zombie has died and only waits to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize("timeout", [1, 3])
def test_a_function_past_its_timeout_is_stopped_and_reported_as_aws_does(functions: Functions, lam: Any, timeout: int) -> None:
    name = functions.python(SLEEPER, timeout=timeout)
    result = invoke(lam, name)
    assert result.status == 200
    assert result.function_error == "Unhandled"
    assert result.payload == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {result.request_id} Error: Task timed out after {timeout}.00 seconds",
    }
    assert timeout <= result.elapsed < timeout + 1.0  # the overrun itself is measured in bench/
    lines = result.lines()
    timed_out = [line for line in lines if line.endswith(f"{result.request_id} Task timed out after {timeout}.00 seconds")]
    assert len(timed_out) == 1
    assert re.fullmatch(rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z {result.request_id} Task timed out after {timeout}\.00 seconds", timed_out[0])
    report = result.report()
    assert f"\tDuration: {timeout * 1000}.00 ms\t" in report
    init = float(re.search(r"\tInit Duration: ([\d.]+) ms", report)[1])  # type: ignore[index]
    billed = int(re.search(r"\tBilled Duration: (\d+) ms\t", report)[1])  # type: ignore[index]
    # Init is billed too; the line prints it to 0.01 ms, the bill rounds up the unrounded sum.
    assert math.ceil(timeout * 1000 + init - 0.01) <= billed <= math.ceil(timeout * 1000 + init + 0.01)
    assert report.rstrip().endswith("Status: timeout")
    assert lines.index(timed_out[0]) < lines.index(f"END RequestId: {result.request_id}") < lines.index(report)

    # The runtime was killed: the next invocation initialises it again first, in the same environment
    # (AWS's reset and "suppressed init", whose time is in the Duration and which has no Init Duration).
    again = invoke(lam, name, {"sleep": 0})
    assert again.function_error is None and again.payload[0] == "woke up"
    assert again.payload[1] > time.time() - again.elapsed - 1  # init ran during this invocation
    assert "Init Duration:" not in again.report()


def test_remaining_time_counts_down_to_the_deadline(functions: Functions, lam: Any) -> None:
    name = functions.python(
        "import time\n"
        "def handler(event, context):\n"
        "    first = context.get_remaining_time_in_millis()\n"
        "    time.sleep(0.3)\n"
        "    return [first, context.get_remaining_time_in_millis()]\n",
        timeout=3,
    )
    first, second = invoke(lam, name).payload
    assert 2500 < first <= 3000
    assert 250 <= first - second < 600


def test_a_timeout_kills_the_whole_process_tree(functions: Functions, lam: Any) -> None:
    name = functions.python(TREE, timeout=1)
    result = invoke(lam, name)
    assert result.payload["errorType"] == "Sandbox.Timedout"
    pids_line = next(line for line in result.lines() if line.startswith("pids "))
    pids = [int(p) for p in pids_line.split()[1:]]
    assert len(pids) == 4 and os.getpid() not in pids
    # SIGKILL is delivered at the deadline; give the kernel a moment to finish the exits.
    deadline = time.monotonic() + 1.0
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [pid for pid in pids if _alive(pid)] == []
    assert result.elapsed < 2.0  # caller-observed overrun well under a second


# Starts a child in its process group, notes its pid in /tmp (which the reset keeps), then crashes
# when told to; otherwise answers the pid noted before.
CRASH_WITH_CHILD = """
import os, subprocess
def handler(event, context):
    if event.get("crash"):
        child = subprocess.Popen(["sleep", "300"])
        with open("/tmp/child", "w") as noted:
            noted.write(str(child.pid))
        os._exit(1)
    with open("/tmp/child") as noted:
        return int(noted.read())
"""


def test_a_crash_kills_what_the_runtime_started(functions: Functions, lam: Any) -> None:
    name = functions.python(CRASH_WITH_CHILD)
    crashed = invoke(lam, name, {"crash": True})
    assert crashed.payload["errorType"] == "Runtime.ExitError"
    child = invoke(lam, name).payload  # the environment is reset, its /tmp kept
    deadline = time.monotonic() + 1.0
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _alive(child)


def test_a_timed_out_function_logs_before_the_kill_are_kept(functions: Functions, lam: Any) -> None:
    name = functions.python(SLEEPER, timeout=1)
    result = invoke(lam, name)
    assert any(line.startswith("remaining at start ") for line in result.lines())
