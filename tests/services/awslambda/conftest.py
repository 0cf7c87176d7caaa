"""Fixtures for the Lambda tests: clients of the session server, an execution role
Lambda may assume, and a factory of functions deleted after each test; for SQS event
source mappings, a role that may use the queues and the mappings a test made; and
`two_accounts`, a server of its own that knows a second account (support.OTHER_ACCOUNT).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess
from tests.services.awslambda.support import (
    LAMBDA_TRUST,
    OTHER_ACCOUNT,
    OTHER_KEY,
    OTHER_SECRET,
    Functions,
    execution_role,
    unique,
)


@pytest.fixture(scope="session")
def lam(server: ServerProcess) -> Any:
    return server.client("lambda")


@pytest.fixture(scope="session")
def logs(server: ServerProcess) -> Any:
    return server.client("logs")


@pytest.fixture(scope="session")
def role(server: ServerProcess) -> str:
    iam: Any = server.client("iam")
    arn: str = iam.create_role(RoleName=unique("lambda-exec"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    return arn


@pytest.fixture
def functions(lam: Any, role: str) -> Iterator[Functions]:
    made = Functions(lam, role)
    yield made
    made.cleanup()


@pytest.fixture(scope="session")
def sqs(server: ServerProcess) -> Any:
    return server.client("sqs")


@pytest.fixture(scope="session")
def esm_role(server: ServerProcess) -> str:
    """An execution role that may do anything to SQS queues: an event source mapping's poller."""
    return execution_role(server, "esm", ["sqs:*"])


@pytest.fixture
def made(lam: Any, esm_role: str) -> Iterator[Functions]:
    """Functions running as `esm_role`, deleted after the test."""
    functions = Functions(lam, esm_role)
    yield functions
    functions.cleanup()


@pytest.fixture
def mappings(lam: Any) -> Iterator[list[str]]:
    """Event source mapping ids a test created, deleted after it."""
    created: list[str] = []
    yield created
    for mapping_id in created:
        lam.delete_event_source_mapping(UUID=mapping_id)


@pytest.fixture(scope="session")
def two_accounts() -> Iterator[ServerProcess]:
    """A server of its own that knows a second account, with a root key of its own."""
    server = ServerProcess(env={"POCKETCLOUD_ACCOUNTS": f"{OTHER_ACCOUNT}:{OTHER_KEY}:{OTHER_SECRET}"}).start()
    yield server
    server.stop()
