"""`pocketcloud logs tail /aws/lambda/NAME [--follow]`: a function's log from the command line."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from typing import Any

from tests.conftest import ServerProcess
from tests.services.awslambda.support import Functions, invoke

PRINTER = "def handler(event, context):\n    print('said', event['word'])\n"
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 \d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32} (.*)$")


def _cli(server: ServerProcess, *args: str) -> tuple[list[str], dict[str, str]]:
    return [sys.executable, "-m", "pocketcloud", "logs", "tail", *args], {**os.environ, "POCKETCLOUD_PORT": str(server.port)}


def test_logs_tail_prints_the_functions_log(server: ServerProcess, functions: Functions, lam: Any) -> None:
    name = functions.python(PRINTER)
    first = invoke(lam, name, {"word": "first"})
    command, env = _cli(server, f"/aws/lambda/{name}")
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    messages = [LINE.match(line).group(1) for line in out.stdout.splitlines()]  # type: ignore[union-attr]
    assert messages[0].startswith("INIT_START Runtime Version: python:3.12.")  # a cold start's log opens so
    assert messages[1] == f"START RequestId: {first.request_id} Version: $LATEST"
    assert "said first" in messages
    assert messages[-1].startswith(f"REPORT RequestId: {first.request_id}\t")


def test_logs_tail_of_a_missing_group_fails(server: ServerProcess) -> None:
    command, env = _cli(server, "/aws/lambda/never-created-here")
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    assert "ResourceNotFoundException" in out.stderr


def test_logs_tail_follow_prints_new_events_as_they_come(server: ServerProcess, functions: Functions, lam: Any) -> None:
    name = functions.python(PRINTER)
    invoke(lam, name, {"word": "before"})
    command, env = _cli(server, f"/aws/lambda/{name}", "--follow", "--interval", "0.2")
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()

    def wait_for(text: str) -> list[str]:
        seen: list[str] = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=0.5))
            except queue.Empty:
                continue
            if text in seen[-1]:
                return seen
        raise AssertionError(f"{text!r} never printed; got {seen}")

    try:
        wait_for("said before")
        invoke(lam, name, {"word": "after"})
        later = wait_for("said after")
        assert not any("said before" in line for line in later)  # nothing printed twice
    finally:
        proc.terminate()
        proc.wait(timeout=10)
