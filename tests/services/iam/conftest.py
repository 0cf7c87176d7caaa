"""Fixtures shared by the IAM and STS tests: a root client of each on the session's server, and an
OIDC (`oidc`) and a SAML (`idp`) provider registered in its account (federation_support.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.iam.federation_support import idp, oidc

__all__ = ["iam", "idp", "oidc", "sts"]


@pytest.fixture
def iam(endpoint: str) -> Any:
    return make_client(endpoint, "iam")


@pytest.fixture
def sts(endpoint: str) -> Any:
    return make_client(endpoint, "sts")
