"""Service last accessed records survive a clean stop: what was recorded in memory is written
to the store when the server stops, and a report after the restart still shows it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import ServerProcess
from tests.services.iam.support import Caller, allow, doc


def test_last_access_is_kept_across_a_restart(tmp_path: Path) -> None:
    first = ServerProcess(data_dir=tmp_path).start()
    try:
        iam: Any = first.client("iam")
        caller = Caller(first.endpoint, iam)
        iam.put_user_policy(UserName=caller.name, PolicyName="p", PolicyDocument=doc(allow("sqs:ListQueues")))
        caller.client("sqs").list_queues()
    finally:
        first.stop()
    second = ServerProcess(data_dir=tmp_path).start()
    try:
        iam = second.client("iam")
        job = iam.generate_service_last_accessed_details(Arn=caller.arn)["JobId"]
        services = iam.get_service_last_accessed_details(JobId=job)["ServicesLastAccessed"]
        assert [(s["ServiceNamespace"], s.get("LastAuthenticatedEntity")) for s in services] == [
            ("sqs", caller.arn)
        ]
    finally:
        second.stop()
