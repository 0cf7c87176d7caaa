"""Invocation logs reach CloudWatch Logs: readable as soon as Invoke has answered, and kept
across a clean stop even when the stop comes right after the invocation.

Lambda's lines are written to the store in batches, off the Invoke's path; these servers are
told to hold them for a minute, so what the tests see comes from the read and stop paths alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, invoke, log_messages, unique

PRINTS = "def handler(event, context):\n    print('said', event['n'])\n    return event['n']\n"
HOLD = {"POCKETCLOUD_LOGS_FLUSH_SECONDS": "60"}


@pytest.fixture(scope="module")
def holding() -> Iterator[ServerProcess]:
    proc = ServerProcess(env=HOLD).start()
    yield proc
    proc.stop()


def test_every_line_of_an_answered_invocation_is_readable_at_once(holding: ServerProcess) -> None:
    iam: Any = holding.client("iam")
    role = iam.create_role(RoleName=unique("logs-read"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    lam, logs = holding.client("lambda"), holding.client("logs")
    name = Functions(lam, role).python(PRINTS)
    for n in range(3):
        result = invoke(lam, name, {"n": n})
        messages = log_messages(logs, f"/aws/lambda/{name}")  # no waiting: the lines are already there
        assert f"said {n}\n" in messages  # a text-format event ends with its newline
        assert messages[-1] == result.report() + "\n"
        untailed = invoke(
            lam, name, {"n": n + 100}, tail=False
        )  # no LogType: the lines are written all the same
        assert untailed.payload == n + 100
        messages = log_messages(logs, f"/aws/lambda/{name}")
        assert f"said {n + 100}\n" in messages
        assert messages[-1].startswith("REPORT RequestId: " + untailed.request_id)


def test_the_last_invocations_lines_survive_a_clean_stop_and_restart(tmp_path: Path) -> None:
    first = ServerProcess(data_dir=tmp_path, env=HOLD).start()
    try:
        iam: Any = first.client("iam")
        role = iam.create_role(RoleName=unique("logs-stop"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"][
            "Arn"
        ]
        name = Functions(first.client("lambda"), role).python(PRINTS)
        report = invoke(first.client("lambda"), name, {"n": 42}).report()
    finally:
        first.stop()  # SIGTERM: a clean shutdown
    second = ServerProcess(data_dir=tmp_path).start()
    try:
        messages = log_messages(second.client("logs"), f"/aws/lambda/{name}")
        assert "said 42\n" in messages
        assert report + "\n" in messages
    finally:
        second.stop()
