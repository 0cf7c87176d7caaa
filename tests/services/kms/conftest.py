"""Fixtures of the KMS tests: `kms`, a boto3 client of the session server signing with the root
credentials of account 000000000000 in us-east-1."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_client


@pytest.fixture(scope="session")
def kms(endpoint: str) -> Any:
    return make_client(endpoint, "kms")
