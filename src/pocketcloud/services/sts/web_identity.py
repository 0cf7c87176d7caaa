"""AssumeRoleWithWebIdentity's checks: read the OIDC token, find its identity provider, and ask
the role's trust policy whether that provider's user may have the role.

The token is decoded, not verified: pocketcloud makes no network calls, so it cannot fetch the
issuer's signing keys (JWKS) and does not check the signature. Everything else AWS checks is
checked: the issuer is an OIDC provider registered in the role's account (or one AWS trusts
without registration), the audience is one of its client ids, the token has not expired, and
the trust policy allows Principal {"Federated": provider} with the provider's condition keys
(`condition_keys`), decided by the authorizer (federated_trust.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass
from typing import Any

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
    # A provider is registered by its https URL: a token whose issuer is the plain-http one names no
    # provider of the account (versity/versitygw's IAMAssumeRoleWithWebIdentity_issuer_scheme_mismatch).
    if issuer.lower().startswith("http://"):
        raise invalid_token(f"No OpenIDConnect provider found in your account for {issuer}")
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


def condition_keys(identity: WebIdentity) -> dict[str, Any]:
    """The keys a trust policy may test for this token ("Available keys for AWS web identity
    federation"): <provider>:aud, <provider>:sub, <provider>:amr (multivalued) and
    aws:FederatedProvider. For Google, <provider>:aud is the azp claim when the token has one
    (a hybrid app's client id) and <provider>:oaud the aud claim."""
    name = identity.provider_name
    context: dict[str, Any] = {
        f"{name}:aud": identity.audience,
        f"{name}:sub": identity.subject,
        "aws:FederatedProvider": identity.provider,
    }
    if name == "accounts.google.com":
        context[f"{name}:oaud"] = identity.audience
        azp = identity.claims.get("azp")
        if isinstance(azp, str) and azp:
            context[f"{name}:aud"] = azp
    amr = identity.claims.get("amr")
    if amr is not None:
        context[f"{name}:amr"] = [str(v) for v in amr] if isinstance(amr, list) else str(amr)
    return context


_TAGS_CLAIM = "https://aws.amazon.com/tags"
_SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"


def source_identity(claims: Claims) -> str | None:
    """The source identity the token sets (its https://aws.amazon.com/source_identity claim)."""
    found = claims.get(_SOURCE_IDENTITY_CLAIM)
    return found if isinstance(found, str) and found else None


def session_tags(claims: Claims) -> tuple[list[dict[str, str]], list[str]]:
    """The session tags and transitive tag keys the token passes ("Passing session tags using
    AssumeRoleWithWebIdentity": the https://aws.amazon.com/tags claim, whose principal_tags map
    each key to a one-value list), as AssumeRole's Tags and TransitiveTagKeys parameters."""
    found = claims.get(_TAGS_CLAIM)
    if not isinstance(found, dict):
        return [], []
    principal_tags = found.get("principal_tags")
    tags = []
    for key, value in (principal_tags.items() if isinstance(principal_tags, dict) else ()):
        value = value[0] if isinstance(value, list) and value else value
        tags.append({"Key": str(key), "Value": value if isinstance(value, str) else ""})
    transitive = found.get("transitive_tag_keys")
    return tags, [str(k) for k in transitive] if isinstance(transitive, list) else []
