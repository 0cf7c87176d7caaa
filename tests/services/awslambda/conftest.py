"""Fixtures for the Lambda tests: clients of the session server, an execution role
Lambda may assume, and a factory of functions deleted after each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, unique


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
