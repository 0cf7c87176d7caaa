"""The STS tests use the IAM tests' fixtures: root clients of IAM and STS, and registered OIDC and
SAML providers (tests/services/iam/conftest.py)."""

from tests.services.iam.conftest import iam, idp, oidc, sts

__all__ = ["iam", "idp", "oidc", "sts"]
