"""IAM behaviour of moto's AWS-verified IAM tests that no test of ours stated yet.

Evidence: the stored public repository getmoto/moto, tests/test_iam/test_iam_signing_certificates.py
(`@iam_aws_verified` with `@pytest.mark.aws_verified`: test_signing_certs,
test_create_too_many_certificates, test_upload_cert_for_unknown_user,
test_upload_invalid_certificate, test_update_unknown_certificate) and
tests/test_iam/test_iam_response_attributes.py (test_role_/test_user_/
test_policy_resource_returns_subset_of_available_attributes), which moto's maintainers run against
real AWS. The sweep found pocketcloud answering every one of them as AWS does; the lifecycle, the
two-certificate quota and the attribute subsets are already stated in test_certificates_and_keys.py,
test_entities.py and test_api_conformance.py. Below: the errors of the signing-certificate calls
naming a user or a certificate that does not exist, and a body that is no certificate. The checks
are our own.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.iam.certificate_support import certificate
from tests.services.iam.support import error_of, unique


@pytest.fixture
def user(iam: Any) -> str:
    name = unique("certuser")
    iam.create_user(UserName=name)
    return name


def test_each_signing_certificate_call_names_the_user_that_does_not_exist(iam: Any) -> None:
    missing = unique("notauser")
    expected = ("NoSuchEntity", 404, f"The user with name {missing} cannot be found.")
    assert error_of(iam.upload_signing_certificate, UserName=missing, CertificateBody=certificate()) == expected
    assert error_of(
        iam.update_signing_certificate, UserName=missing, CertificateId="a" * 31, Status="Inactive"
    ) == expected
    assert error_of(iam.list_signing_certificates, UserName=missing) == expected
    # moto's test only shows this one is refused (it re-reads the previous error); ours names the user too
    assert error_of(iam.delete_signing_certificate, UserName=missing, CertificateId="x" * 32)[0] == "NoSuchEntity"


def test_a_certificate_id_the_user_does_not_have_is_named_in_the_error(iam: Any, user: str) -> None:
    assert error_of(iam.update_signing_certificate, UserName=user, CertificateId="x" * 32, Status="Inactive") == (
        "NoSuchEntity",
        404,
        f"The Certificate with id {'x' * 32} cannot be found.",
    )


def test_a_body_that_is_no_certificate_is_malformed(iam: Any, user: str) -> None:
    code, status, _ = error_of(iam.upload_signing_certificate, UserName=user, CertificateBody="notacert")
    assert (code, status) == ("MalformedCertificate", 400)
    assert iam.list_signing_certificates(UserName=user)["Certificates"] == []
