"""AssumeRoleWithSAML's checks: read the base64 SAML response, match its Issuer with the SAML
provider's metadata, find the (role, provider) pair in its Role attribute, and ask the role's
trust policy whether that provider's user may have the role.

The assertion's XML signature is not verified (pocketcloud keeps no XML-DSig implementation);
everything else is checked: the provider exists, its metadata names the Issuer, the assertion
has not expired, and the trust policy allows Principal {"Federated": provider ARN} with the
SAML:* condition keys (SAML:aud, SAML:sub, SAML:sub_type, SAML:iss, SAML:namequalifier).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree import ElementTree

from pocketcloud.iam.evaluate import WEB_IDENTITY, AuthorizationRequest, evaluate
from pocketcloud.iam.policy import MalformedPolicy, parse_policy
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


def trust_allows(trust_policy: str, role_arn: str, account: str, provider_arn: str, a: SamlAssertion) -> bool:
    """Does the role's trust policy let this SAML provider's user call AssumeRoleWithSAML?"""
    try:
        trust = parse_policy(trust_policy, "trust", policy_id="trust")
    except MalformedPolicy:
        return False
    context = {
        "SAML:aud": a.audience,
        "SAML:sub": a.subject,
        "SAML:sub_type": a.subject_type,
        "SAML:iss": a.issuer,
        "SAML:namequalifier": name_qualifier(a.issuer, account, provider_arn),
        "aws:FederatedProvider": provider_arn,
    }
    request = AuthorizationRequest(
        action="sts:AssumeRoleWithSAML",
        resources=(role_arn,),
        principal_arn=provider_arn,
        principal_type=WEB_IDENTITY,
        principal_account=account,
        resource_policy=trust,
        resource_account=account,
        context=context,
    )
    return evaluate(request).allowed
