"""IAM SAML providers and STS AssumeRoleWithSAML through boto3: the provider's metadata names
the IdP, a SAML response from that IdP naming a (role, provider) pair gets a session of a role
whose trust policy names the provider, and AWS's errors otherwise.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.iam.federation_support import AUDIENCE, metadata, saml_response
from tests.services.iam.support import doc, error_of, unique


def _role(iam: Any, provider_arn: str, condition: dict[str, Any] | None = None) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithSAML",
        "Condition": condition or {"StringEquals": {"SAML:aud": AUDIENCE}},
    }
    name = unique("saml-role")
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc(statement))["Role"]["Arn"])


# -- SAML providers -------------------------------------------------------------------------------


def test_create_get_list_and_delete_a_saml_provider(iam: Any) -> None:
    name = unique("Saml")
    document = metadata("https://idp.example.com")
    arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=document)["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{ROOT_ACCOUNT}:saml-provider/{name}"
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert (got["SAMLMetadataDocument"], got["AssertionEncryptionMode"], got["Tags"]) == (
        document,
        "Allowed",
        [],
    )
    assert got["ValidUntil"].year == 2049
    assert arn in [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]]
    iam.delete_saml_provider(SAMLProviderArn=arn)
    assert error_of(iam.get_saml_provider, SAMLProviderArn=arn) == (
        "NoSuchEntity",
        404,
        f"Manifest not found for arn {arn}",
    )


def test_update_replaces_the_metadata(iam: Any, idp: tuple[str, str]) -> None:
    _, arn = idp
    document = metadata("https://other.example.com")
    assert (
        iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=document)["SAMLProviderArn"] == arn
    )
    assert iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == document


def test_metadata_that_is_not_xml_is_refused(iam: Any) -> None:
    assert error_of(iam.create_saml_provider, Name=unique("Saml"), SAMLMetadataDocument="x" * 1000) == (
        "InvalidInput",
        400,
        "Could not parse metadata",
    )


def test_delete_of_an_unknown_provider_is_no_such_entity(iam: Any) -> None:
    arn = f"arn:aws:iam::{ROOT_ACCOUNT}:saml-provider/NonExistentProvider"
    assert error_of(iam.delete_saml_provider, SAMLProviderArn=arn) == (
        "NoSuchEntity",
        404,
        f"Manifest not found for arn {arn}",
    )


# -- AssumeRoleWithSAML ---------------------------------------------------------------------------


def test_a_trusted_assertion_gets_a_role_session(
    iam: Any, sts: Any, idp: tuple[str, str], endpoint: str
) -> None:
    issuer, provider_arn = idp
    role_arn = _role(iam, provider_arn)
    answer = sts.assume_role_with_saml(
        RoleArn=role_arn,
        PrincipalArn=provider_arn,
        SAMLAssertion=saml_response(issuer, role_arn, provider_arn),
    )
    role_name = role_arn.rsplit("/", 1)[-1]
    assert answer["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/{role_name}/alice@example.com"
    )
    assert (answer["Subject"], answer["SubjectType"], answer["Issuer"], answer["Audience"]) == (
        "alice",
        "persistent",
        issuer,
        AUDIENCE,
    )
    # BASE64(SHA1(Issuer + account id + "/" + the SAML provider's name)), as AWS documents it.
    provider_name = provider_arn.rsplit("/", 1)[-1]
    digest = hashlib.sha1(f"{issuer}{ROOT_ACCOUNT}/{provider_name}".encode()).digest()
    assert answer["NameQualifier"] == base64.b64encode(digest).decode()
    creds = answer["Credentials"]
    session = make_client(
        endpoint,
        "sts",
        key=creds["AccessKeyId"],
        secret=creds["SecretAccessKey"],
        token=creds["SessionToken"],
    )
    assert session.get_caller_identity()["Arn"] == answer["AssumedRoleUser"]["Arn"]


def test_an_issuer_the_provider_does_not_name_is_refused(iam: Any, sts: Any, idp: tuple[str, str]) -> None:
    _, provider_arn = idp
    role_arn = _role(iam, provider_arn)
    assertion = saml_response("https://impostor.example.com", role_arn, provider_arn)
    assert error_of(
        sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=assertion
    ) == (
        "InvalidIdentityToken",
        400,
        "Issuer not present in specified provider",
    )


def test_a_role_the_assertion_does_not_grant_is_refused(iam: Any, sts: Any, idp: tuple[str, str]) -> None:
    issuer, provider_arn = idp
    granted, other = _role(iam, provider_arn), _role(iam, provider_arn)
    assertion = saml_response(issuer, granted, provider_arn)
    assert error_of(
        sts.assume_role_with_saml, RoleArn=other, PrincipalArn=provider_arn, SAMLAssertion=assertion
    ) == (
        "AccessDenied",
        403,
        "Not authorized to perform sts:AssumeRoleWithSAML",
    )


def test_a_trust_condition_on_the_subject_is_enforced(iam: Any, sts: Any, idp: tuple[str, str]) -> None:
    issuer, provider_arn = idp
    role_arn = _role(iam, provider_arn, {"StringEquals": {"SAML:sub": "bob"}})
    assertion = saml_response(issuer, role_arn, provider_arn, subject="alice")
    assert error_of(
        sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=assertion
    ) == ("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithSAML")


def test_an_expired_assertion_is_refused(iam: Any, sts: Any, idp: tuple[str, str]) -> None:
    issuer, provider_arn = idp
    role_arn = _role(iam, provider_arn)
    assertion = saml_response(issuer, role_arn, provider_arn, expires_in=-60)
    code, status, _ = error_of(
        sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=assertion
    )
    assert (code, status) == ("ExpiredTokenException", 400)


def test_an_assertion_that_is_not_saml_is_an_invalid_identity_token(
    iam: Any, sts: Any, idp: tuple[str, str]
) -> None:
    _, provider_arn = idp
    role_arn = _role(iam, provider_arn)
    garbage = base64.b64encode(b"not xml at all").decode()
    code, status, _ = error_of(
        sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=garbage
    )
    assert (code, status) == ("InvalidIdentityToken", 400)
