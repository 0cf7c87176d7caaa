"""What the federation tests (IAM's web identity and SAML tests, STS's condition-key and RCP tests)
share: an OIDC ID token and a SAML response to present, a SAML provider's metadata, and fixtures
registering an OIDC provider (`oidc`) and a SAML provider (`idp`) in the session's account."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.services.iam.support import unique

CLIENT_ID = "sts.amazonaws.com"


def jwt(**claims: Any) -> str:
    """An OIDC ID token (pocketcloud does not check signatures: it cannot fetch the issuer's keys)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    claims.setdefault("exp", int(time.time()) + 600)
    return f"{part({'alg': 'RS256', 'typ': 'JWT', 'kid': 'k1'})}.{part(claims)}.c2lnbmF0dXJl"


@pytest.fixture
def oidc(iam: Any) -> Iterator[tuple[str, str]]:
    """(host, ARN) of an OIDC provider registered with one client id, deregistered after the test
    (an account holds at most 100)."""
    host = f"{unique('idp')}.example.com"
    arn = iam.create_open_id_connect_provider(Url=f"https://{host}", ClientIDList=[CLIENT_ID])[
        "OpenIDConnectProviderArn"
    ]
    yield host, arn
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)


AUDIENCE = "https://signin.aws.amazon.com/saml"
CERT = "MIIC" + "A" * 1200  # signing keys are kept, never used: signatures are not verified


def metadata(entity_id: str) -> str:
    return (
        '<?xml version="1.0"?>'
        f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}" '
        'validUntil="2049-01-01T00:00:00Z"><md:IDPSSODescriptor '
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing">'
        '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>'
        f"{CERT}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f'Location="{entity_id}/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>'
    )


def saml_response(
    issuer: str,
    role_arn: str,
    provider_arn: str,
    *,
    subject: str = "alice",
    session_name: str | None = "alice@example.com",
    expires_in: int = 300,
) -> str:
    until = (datetime.now(UTC) + timedelta(seconds=expires_in)).strftime("%Y-%m-%dT%H:%M:%SZ")
    session = (
        f'<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">'
        f"<saml:AttributeValue>{session_name}</saml:AttributeValue></saml:Attribute>"
        if session_name
        else ""
    )
    xml = (
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Version="2.0" ID="_r1">'
        f"<saml:Issuer>{issuer}</saml:Issuer>"
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
        f'<saml:Assertion Version="2.0" ID="_a1"><saml:Issuer>{issuer}</saml:Issuer>'
        '<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">'
        f"{subject}</saml:NameID>"
        '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
        f'<saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{AUDIENCE}"/>'
        "</saml:SubjectConfirmation></saml:Subject>"
        f'<saml:Conditions NotOnOrAfter="{until}"><saml:AudienceRestriction>'
        "<saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
        '<saml:AttributeStatement><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">'
        f"<saml:AttributeValue>{role_arn},{provider_arn}</saml:AttributeValue></saml:Attribute>"
        f"{session}</saml:AttributeStatement></saml:Assertion></samlp:Response>"
    )
    return base64.b64encode(xml.encode()).decode()


@pytest.fixture
def idp(iam: Any) -> tuple[str, str]:
    """(issuer, provider ARN) of a SAML provider."""
    issuer = f"https://{unique('idp')}.example.com"
    arn = iam.create_saml_provider(Name=unique("Saml"), SAMLMetadataDocument=metadata(issuer))[
        "SAMLProviderArn"
    ]
    return issuer, arn
