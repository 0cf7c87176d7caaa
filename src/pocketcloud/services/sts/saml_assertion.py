"""AssumeRoleWithSAML's checks: read the base64 SAML response, match its Issuer with the SAML
provider's metadata, find the (role, provider) pair in its Role attribute, and ask the role's
trust policy whether that provider's user may have the role.

The assertion's XML signature is not verified (pocketcloud keeps no XML-DSig implementation);
everything else is checked: the provider exists, its metadata names the Issuer, the assertion
has not expired, and the trust policy allows Principal {"Federated": provider ARN} with the
SAML:* condition keys (`condition_keys`), decided by the authorizer (federated_trust.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from pocketcloud.protocol.errors import ServiceError

_SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
_ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/"
_FORMAT_PREFIX = "urn:oasis:names:tc:SAML:2.0:nameid-format:"


@dataclass(frozen=True)
class SamlAssertion:
    """What the response's assertion says."""

    issuer: str
    subject: str
    subject_type: str
    audience: str  # the Recipient the assertion was addressed to
    roles: frozenset[tuple[str, str]]  # (role ARN, provider ARN) pairs of the Role attribute
    session_name: str | None
    expires: datetime | None
    attributes: dict[str, list[str]] = field(default_factory=dict)


def invalid_token(message: str) -> ServiceError:
    return ServiceError("InvalidIdentityToken", message, status=400)


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_token("Invalid SAML response: a NotOnOrAfter is not a date") from None


def parse(encoded: str) -> SamlAssertion:
    try:
        root = ElementTree.fromstring(base64.b64decode(encoded, validate=False))
    except (ValueError, binascii.Error, ElementTree.ParseError):
        raise invalid_token("Invalid base64 SAMLResponse") from None
    assertion = root if root.tag == f"{_SAML}Assertion" else root.find(f"{_SAML}Assertion")
    issuer = assertion.find(f"{_SAML}Issuer") if assertion is not None else None
    if assertion is None or issuer is None or not (issuer.text or "").strip():
        raise invalid_token("Response does not contain an Assertion with an Issuer")
    name_id = assertion.find(f"{_SAML}Subject/{_SAML}NameID")
    confirmation = assertion.find(f"{_SAML}Subject/{_SAML}SubjectConfirmation/{_SAML}SubjectConfirmationData")
    conditions = assertion.find(f"{_SAML}Conditions")
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.iter(f"{_SAML}Attribute"):
        values = [(v.text or "").strip() for v in attribute.iter(f"{_SAML}AttributeValue")]
        attributes.setdefault(attribute.get("Name", ""), []).extend(values)
    roles: set[tuple[str, str]] = set()
    for value in attributes.get(_ATTRIBUTES + "Role", []):
        arns = [part.strip() for part in value.split(",")]
        if len(arns) == 2:  # either order: "role,provider" or "provider,role"
            role, provider = sorted(arns, key=lambda a: ":saml-provider/" in a)
            roles.add((role, provider))
    fmt = name_id.get("Format", "") if name_id is not None else ""
    deadlines = [
        d
        for d in (
            _when(confirmation.get("NotOnOrAfter") if confirmation is not None else None),
            _when(conditions.get("NotOnOrAfter") if conditions is not None else None),
        )
        if d is not None
    ]
    return SamlAssertion(
        issuer=(issuer.text or "").strip(),
        subject=((name_id.text or "") if name_id is not None else "").strip(),
        subject_type=fmt.removeprefix(_FORMAT_PREFIX) if fmt else "",
        audience=(confirmation.get("Recipient", "") if confirmation is not None else "")
        or "https://signin.aws.amazon.com/saml",
        roles=frozenset(roles),
        session_name=next(iter(attributes.get(_ATTRIBUTES + "RoleSessionName", [])), None),
        expires=min(deadlines) if deadlines else None,
        attributes=attributes,
    )


def check_expiry(assertion: SamlAssertion) -> None:
    if assertion.expires is not None and datetime.now(UTC) >= assertion.expires:
        raise ServiceError("ExpiredTokenException", "Token expired", status=400)


def name_qualifier(issuer: str, account: str, provider_arn: str) -> str:
    """AWS's NameQualifier: BASE64(SHA1(Issuer + account id + "/" + provider name))."""
    friendly = provider_arn.rsplit("/", 1)[-1]
    return base64.b64encode(hashlib.sha1(f"{issuer}{account}/{friendly}".encode()).digest()).decode()  # noqa: S324


# SAML attributes and the trust policy keys AWS makes of them ("Mapping SAML attributes to AWS trust
# policy context keys", IAM User Guide): (key, multivalued) by the attribute's Name.
_EDU = "urn:oid:1.3.6.1.4.1.5923.1."
_CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
_ATTRIBUTE_KEYS: dict[str, tuple[str, bool]] = {
    _EDU + "1.1.1": ("saml:edupersonaffiliation", True),
    _EDU + "1.1.2": ("saml:edupersonnickname", True),
    _EDU + "1.1.3": ("saml:edupersonorgdn", False),
    _EDU + "1.1.4": ("saml:edupersonorgunitdn", True),
    _EDU + "1.1.5": ("saml:edupersonprimaryaffiliation", False),
    _EDU + "1.1.6": ("saml:edupersonprincipalname", False),
    _EDU + "1.1.7": ("saml:edupersonentitlement", True),
    _EDU + "1.1.8": ("saml:edupersonprimaryorgunitdn", False),
    _EDU + "1.1.9": ("saml:edupersonscopedaffiliation", True),
    _EDU + "1.1.10": ("saml:edupersontargetedid", True),
    _EDU + "1.1.11": ("saml:edupersonassurance", True),
    _EDU + "2.1.2": ("saml:eduorghomepageuri", True),
    _EDU + "2.1.3": ("saml:eduorgidentityauthnpolicyuri", True),
    _EDU + "2.1.4": ("saml:eduorglegalname", True),
    _EDU + "2.1.5": ("saml:eduorgsuperioruri", True),
    _EDU + "2.1.6": ("saml:eduorgwhitepagesuri", True),
    "urn:oid:2.5.4.3": ("saml:cn", True),
    _CLAIMS + "name": ("saml:name", False),
    "http://schemas.xmlsoap.org/claims/CommonName": ("saml:commonName", False),
    _CLAIMS + "givenname": ("saml:givenName", False),
    _CLAIMS + "surname": ("saml:surname", False),
    _CLAIMS + "emailaddress": ("saml:mail", False),
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid": ("saml:primaryGroupSID", False),
    "2.5.4.3": ("saml:commonName", False),
    "2.5.4.4": ("saml:surname", False),
    "2.5.4.42": ("saml:givenName", False),
    "2.5.4.45": ("saml:x500UniqueIdentifier", False),
    "0.9.2342.19200300100.1.1": ("saml:uid", False),
    "0.9.2342.19200300100.1.3": ("saml:mail", False),
    "0.9.2342.19200300100.1.45": ("saml:organizationStatus", False),
}


def condition_keys(a: SamlAssertion, account: str, provider_arn: str) -> dict[str, Any]:
    """The keys a trust policy may test for this assertion ("Available keys for SAML-based AWS STS
    federation"): saml:aud, saml:sub, saml:sub_type, saml:iss, saml:doc, saml:namequalifier,
    aws:FederatedProvider, and those of the eduPerson, eduOrg, AD and X.500 attributes it carries
    (lists for the multivalued ones)."""
    context: dict[str, Any] = {
        "SAML:aud": a.audience,
        "SAML:sub": a.subject,
        "SAML:sub_type": a.subject_type,
        "SAML:iss": a.issuer,
        "saml:doc": f"{account}/{provider_arn.rsplit('/', 1)[-1]}",
        "SAML:namequalifier": name_qualifier(a.issuer, account, provider_arn),
        "aws:FederatedProvider": provider_arn,
    }
    for name, values in a.attributes.items():
        mapped = _ATTRIBUTE_KEYS.get(name)
        if mapped is not None and values:
            key, multivalued = mapped
            context.setdefault(key, list(values) if multivalued else values[0])
    return context


_TAG_PREFIX = _ATTRIBUTES + "PrincipalTag:"


def source_identity(a: SamlAssertion) -> str | None:
    """The source identity the assertion sets (its SourceIdentity attribute)."""
    return next(iter(a.attributes.get(_ATTRIBUTES + "SourceIdentity", [])), None) or None


def session_tags(a: SamlAssertion) -> tuple[list[dict[str, str]], list[str]]:
    """The session tags and transitive tag keys the assertion passes (PrincipalTag:{TagKey} and
    TransitiveTagKeys attributes, "Configuring SAML assertions for the authentication response"),
    as AssumeRole's Tags and TransitiveTagKeys parameters."""
    tags = [
        {"Key": name[len(_TAG_PREFIX) :], "Value": values[0] if values else ""}
        for name, values in a.attributes.items()
        if name.startswith(_TAG_PREFIX)
    ]
    return tags, list(a.attributes.get(_ATTRIBUTES + "TransitiveTagKeys", []))
