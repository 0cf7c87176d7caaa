"""Fixtures shared by the IAM and STS tests: a root client of each on the session's server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_client


@pytest.fixture
def iam(endpoint: str) -> Any:
    return make_client(endpoint, "iam")


@pytest.fixture
def sts(endpoint: str) -> Any:
    return make_client(endpoint, "sts")
