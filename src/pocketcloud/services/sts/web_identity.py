"""AssumeRoleWithWebIdentity's checks: read the OIDC token, find its identity provider, and ask
the role's trust policy whether that provider's user may have the role.

The token is decoded, not verified: pocketcloud makes no network calls, so it cannot fetch the
issuer's signing keys (JWKS) and does not check the signature. Everything else AWS checks is
checked: the issuer is an OIDC provider registered in the role's account (or one AWS trusts
without registration), the audience is one of its client ids, the token has not expired, and
the trust policy allows Principal {"Federated": provider} with the provider's condition keys
(<provider>:aud, <provider>:sub, <provider>:amr).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass
from typing import Any

from pocketcloud.iam.evaluate import WEB_IDENTITY, AuthorizationRequest, evaluate
from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.errors import ServiceError

Claims = dict[str, Any]

# Identity providers AWS trusts without an IAM OIDC provider, named by their bare host in trust policies.
BUILT_IN = frozenset({"accounts.google.com", "cognito-identity.amazonaws.com"})


@dataclass(frozen=True)
class WebIdentity:
    """Who the token says the caller is, as the session and the response name it."""

    provider: str  # the provider's ARN, or a built-in provider's host
    provider_name: str  # host[/path]: the prefix of the provider's condition keys
    audience: str
    subject: str
    claims: Claims


def invalid_token(message: str) -> ServiceError:
    return ServiceError("InvalidIdentityToken", message, status=400)


def _segment(text: str) -> Any:
    value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    # A lone surrogate escape (\ud800) is no Unicode text: UnicodeEncodeError, a ValueError, so the
    # token is refused as no JWT rather than its issuer looked up.
    json.dumps(value, ensure_ascii=False).encode()
    return value


def decode_token(token: str) -> Claims:
    """The claims of a JWT (header.payload.signature, each base64url); InvalidIdentityToken otherwise."""
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not three segments")
        header, claims = _segment(parts[0]), _segment(parts[1])
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):  # Recursion: nested too deep
        raise invalid_token(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
        ) from None
    if not isinstance(header, dict) or not isinstance(claims, dict) or not isinstance(claims.get("iss"), str):
        raise invalid_token(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
        )
    return claims


def provider_name(issuer: str) -> str:
    for scheme in ("https://", "http://"):
        if issuer.lower().startswith(scheme):
            issuer = issuer[len(scheme) :]
    return issuer.rstrip("/")


def identify(claims: Claims, account: str, registered: dict[str, Any] | None) -> WebIdentity:
    """Check the token's issuer, audience and expiry against the provider registered for it.

    `registered` is the IAM OIDC provider of `account` named after the issuer, if any.
    """
    issuer = claims["iss"]
    name = provider_name(issuer)
    if registered is None and name not in BUILT_IN:
        raise invalid_token(f"No OpenIDConnect provider found in your account for {issuer}")
    audiences = claims.get("aud")
    audiences = audiences if isinstance(audiences, list) else [audiences]
    audience = next((str(a) for a in audiences if isinstance(a, str)), "")
    if registered is not None:
        audience = next((a for a in audiences if a in registered["ClientIDList"]), "")
        if not audience:
            raise invalid_token("Incorrect token audience")
    expires = claims.get("exp")
    if isinstance(expires, int | float) and not isinstance(expires, bool):
        current = int(time.time())
        if current >= expires:
            raise ServiceError(
                "ExpiredTokenException",
                f"Token expired: current date/time {current} must be before the expiration date/time {int(expires)}",
                status=400,
            )
    provider = registered["Arn"] if registered is not None else name
    return WebIdentity(provider, name, audience, str(claims.get("sub", "")), claims)


def trust_allows(trust_policy: str, role_arn: str, account: str, identity: WebIdentity) -> bool:
    """Does the role's trust policy let this provider's user call AssumeRoleWithWebIdentity?"""
    try:
        trust = parse_policy(trust_policy, "trust", policy_id="trust")
    except MalformedPolicy:
        return False
    name = identity.provider_name
    context: dict[str, Any] = {
        f"{name}:aud": identity.audience,
        f"{name}:sub": identity.subject,
        "aws:FederatedProvider": identity.provider,
    }
    amr = identity.claims.get("amr")
    if amr is not None:
        context[f"{name}:amr"] = [str(v) for v in amr] if isinstance(amr, list) else str(amr)
    request = AuthorizationRequest(
        action="sts:AssumeRoleWithWebIdentity",
        resources=(role_arn,),
        principal_arn=identity.provider,
        principal_type=WEB_IDENTITY,
        principal_account=account,
        resource_policy=trust,
        resource_account=account,
        context=context,
    )
    return evaluate(request).allowed
