"""What the AWS SDK for Java v2's IAM integration tests (run against real AWS) assert about
certificates, checked through boto3: an expired certificate is MalformedCertificate, and a
signing certificate belongs to one user of the account only (DuplicateCertificate); GetUser
as the root user names no user.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT
from tests.services.iam.certificate_support import PRIVATE_KEY as _PRIVATE_KEY
from tests.services.iam.certificate_support import certificate
from tests.services.iam.support import error_of, unique


@pytest.fixture
def user(iam: Any) -> str:
    name = unique("IamIntegrationTests")
    iam.create_user(UserName=name, Path="/IntegrationTests/IAM/")
    return name


def test_an_expired_signing_certificate_is_malformed_and_not_stored(iam: Any, user: str) -> None:
    expired = certificate(days=29, starts_in_days=-30)
    assert error_of(iam.upload_signing_certificate, UserName=user, CertificateBody=expired) == (
        "MalformedCertificate",
        400,
        f"Certificate {expired} is malformed.",
    )
    assert iam.list_signing_certificates(UserName=user)["Certificates"] == []


def test_a_signing_certificate_not_valid_yet_is_malformed(iam: Any, user: str) -> None:
    future = certificate(days=30, starts_in_days=1)
    code, status, _ = error_of(iam.upload_signing_certificate, UserName=user, CertificateBody=future)
    assert (code, status) == ("MalformedCertificate", 400)


def test_an_expired_server_certificate_is_malformed(iam: Any) -> None:
    name = unique("srv")
    code, status, _ = error_of(
        iam.upload_server_certificate,
        ServerCertificateName=name,
        CertificateBody=certificate(days=29, starts_in_days=-30),
        PrivateKey=_PRIVATE_KEY,
    )
    assert (code, status) == ("MalformedCertificate", 400)
    assert name not in [
        m["ServerCertificateName"] for m in iam.list_server_certificates()["ServerCertificateMetadataList"]
    ]


def test_a_signing_certificate_belongs_to_one_user_of_the_account(iam: Any, user: str) -> None:
    body = certificate(days=30, starts_in_days=-1)
    iam.upload_signing_certificate(UserName=user, CertificateBody=body)
    other = unique("IamIntegrationTests")
    iam.create_user(UserName=other)
    code, status, _ = error_of(iam.upload_signing_certificate, UserName=other, CertificateBody=body)
    assert (code, status) == ("DuplicateCertificate", 409)
    assert iam.list_signing_certificates(UserName=other)["Certificates"] == []


def test_get_user_as_root_names_no_user_and_no_path(iam: Any) -> None:
    """The Java tests find the account id by GetUser with the caller's own credentials; for the
    root user AWS answers with its id, ARN and creation date only (no UserName, no Path)."""
    seen: dict[str, bytes] = {}
    iam.meta.events.register(
        "after-call.iam.GetUser", lambda http_response, **_: seen.update(body=http_response.content)
    )
    user = iam.get_user()["User"]
    assert (user["UserId"], user["Arn"]) == (ROOT_ACCOUNT, f"arn:aws:iam::{ROOT_ACCOUNT}:root")
    assert "UserName" not in user and "Path" not in user and "CreateDate" in user
    assert b"<UserName" not in seen["body"] and b"<Path" not in seen["body"]
