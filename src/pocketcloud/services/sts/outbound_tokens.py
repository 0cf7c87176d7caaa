"""STS GetWebIdentityToken (outbound identity federation): a signed JWT that asserts the caller's
AWS identity to an external service, which verifies it with the keys the issuer publishes.

Refused with OutboundWebIdentityFederationDisabledException until the account turns the feature
on (IAM's EnableOutboundWebIdentityFederation, `services/iam/outbound_federation.py`, which also
owns the issuer URL). The call is authorized as sts:GetWebIdentityToken with the condition keys
the Service Authorization Reference lists for it (sts:IdentityTokenAudience, multivalued;
sts:DurationSeconds; sts:SigningAlgorithm; aws:RequestTag/aws:TagKeys from the Tags), plus
sts:SubjectMode and sts:IdentityTokenScope (IAM User Guide, "Controlling access with IAM
policies" for outbound identity federation).

The token (IAM User Guide, "Understanding token claims"): header {alg, kid, typ}; claims iss (the
account's issuer), sub (the caller's ARN; a role session's role), aud (one audience as a string,
several as a list), iat, exp, jti, and under "https://sts.amazonaws.com/": aws_account,
source_region, principal_id, org_id and ou_path (in an organization), principal_tags, request_tags and
original_session_exp (a temporary session's expiry) when there are any. The resource is the
caller's `arn:aws:sts::<account>:self`; a claims set over 14,984 bytes is refused
(JWTPayloadSizeExceededException), as observed on AWS.

Tags need sts:TagGetWebIdentityToken too, checked here through the same authorizer. Not
modelled: the trusted identity propagation context, so SubjectMode=OriginIdentity (and with it
Scope, and the sts:SetWebIdentityTokenScope permission Scope needs) is refused as a session
without that context is refused; STS's global endpoint, which AWS says does not serve this call,
cannot be told from a regional one here.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import renamed_operation
from pocketcloud.services.base import ServiceRuntime
from pocketcloud.services.sts.identity_tokens import (
    ALGORITHMS,
    CLAIMS_NAMESPACE,
    SigningKeys,
    compact_json,
    discovery_document,
)

if TYPE_CHECKING:
    pass

Params = dict[str, Any]
DEFAULT_DURATION = 300
_ON_SELF = frozenset({"GetWebIdentityToken", "TagGetWebIdentityToken"})
# The largest claims set (compact JSON, UTF-8) STS signs, as observed on AWS.
MAX_PAYLOAD_BYTES = 14984
_DISCOVERY = ".well-known/openid-configuration"
_JWKS = ".well-known/jwks.json"


def _validation(message: str) -> ServiceError:
    return ServiceError("ValidationError", message, status=400)


def _request_tags(p: Params) -> dict[str, str]:
    tags = p.get("Tags") or []
    if len({t["Key"].lower() for t in tags}) != len(tags):
        raise ServiceError(
            "InvalidParameterValue",
            "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            status=400,
        )
    return {t["Key"]: t["Value"] for t in tags}


def _check_subject(p: Params) -> None:
    """SubjectMode and Scope as the API reference bounds them."""
    mode = p.get("SubjectMode") or "AWSIdentity"
    if p.get("Scope") is not None:
        if mode != "OriginIdentity" or len(p["Audience"]) != 1:
            raise _validation(
                "Scope can be specified only when SubjectMode is OriginIdentity and exactly one audience is requested."
            )
        values = p["Scope"].split(" ")
        if len(set(values)) != len(values):
            raise _validation("Scope must not repeat a scope value.")
    if mode == "OriginIdentity":
        # pocketcloud's sessions carry no trusted identity propagation context, so never the
        # aws:OriginIdentity/Subject key OriginIdentity needs.
        raise _validation(
            "SubjectMode OriginIdentity requires the aws:OriginIdentity/Subject key in the trusted identity "
            "propagation context of the calling session."
        )


class WebIdentityTokenOperations:
    runtime: ServiceRuntime
    signing_keys: SigningKeys

    def _authorize_also(self, ctx: RequestContext, action: str, p: Params) -> None:
        """AccessDenied unless the caller may also perform sts:<action> on this request."""
        self.runtime.authorizer.authorize_as(ctx, renamed_operation("sts", "GetWebIdentityToken", action), p)

    def GetWebIdentityToken(self, ctx: RequestContext, p: Params) -> Params:
        if p["SigningAlgorithm"] not in ALGORITHMS:
            raise _validation(
                f"1 validation error detected: Value '{p['SigningAlgorithm']}' at 'signingAlgorithm' failed to "
                f"satisfy constraint: Member must satisfy enum value set: [{', '.join(ALGORITHMS)}]"
            )
        _check_subject(p)
        request_tags = _request_tags(p)
        if request_tags:
            # "To allow Tags ... to be passed to the GetWebIdentityToken call, the IAM principal must
            # have the sts:TagGetWebIdentityToken permission" (IAM User Guide).
            self._authorize_also(ctx, "TagGetWebIdentityToken", p)
        caller = ctx.principal
        iam: Any = self.runtime.provider("iam")
        issuer = iam.outbound_issuer(caller.account_id) if iam is not None else None
        if issuer is None:
            raise ServiceError(
                "OutboundWebIdentityFederationDisabledException",
                "The outbound web identity federation feature is not enabled for this account. To use this "
                "feature, you must first enable it through the AWS Management Console or API.",
                status=403,
            )
        duration = p.get("DurationSeconds") or DEFAULT_DURATION
        issued = datetime.now(UTC).replace(microsecond=0)
        expires = issued + timedelta(seconds=duration)
        if caller.session_expires is not None and expires > caller.session_expires:
            raise ServiceError(
                "SessionDurationEscalationException",
                "The requested token duration would extend the session beyond its original expiration time.",
                status=403,
            )
        identity = caller.role_arn if caller.kind == "AssumedRole" and caller.role_arn else caller.arn
        aws_claims: Params = {
            "aws_account": caller.account_id,
            "source_region": ctx.region,
            "principal_id": identity,
        }
        organizations: Any = self.runtime.provider("organizations")
        membership = organizations.membership(caller.account_id) if organizations is not None else None
        if membership is not None:  # (org id, "o-.../r-.../ou-.../"), as the guide's sample token has them
            aws_claims["org_id"], aws_claims["ou_path"] = membership
        if caller.tags:
            aws_claims["principal_tags"] = dict(caller.tags)
        if request_tags:
            aws_claims["request_tags"] = request_tags
        if caller.session_expires is not None:
            aws_claims["original_session_exp"] = caller.session_expires.strftime("%Y-%m-%dT%H:%M:%SZ")
        audience = p["Audience"]
        claims: Params = {
            "iss": issuer,
            "sub": identity,
            "aud": audience[0] if len(audience) == 1 else list(audience),
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": str(uuid.uuid4()),
            CLAIMS_NAMESPACE: aws_claims,
        }
        if len(compact_json(claims)) > MAX_PAYLOAD_BYTES:
            raise ServiceError(
                "JWTPayloadSizeExceededException",
                "The requested token payload size exceeds the maximum allowed size. Reduce the number of "
                "request tags included in the GetWebIdentityToken API call to reduce the token payload size.",
                status=400,
            )
        return {
            "WebIdentityToken": self.signing_keys.sign(p["SigningAlgorithm"], claims),
            "Expiration": expires,
        }

    # -- for the authorizer: the condition keys only the request's defaults complete -----------

    def condition_values(self, ctx: RequestContext, operation: str, params: Params) -> Params:
        if operation != "GetWebIdentityToken":
            return {}
        values: Params = {
            "sts:IdentityTokenAudience": list(params.get("Audience") or []),
            "sts:DurationSeconds": str(params.get("DurationSeconds") or DEFAULT_DURATION),
            "sts:SigningAlgorithm": params.get("SigningAlgorithm", ""),
            "sts:SubjectMode": params.get("SubjectMode") or "AWSIdentity",
        }
        if params.get("Scope"):
            values["sts:IdentityTokenScope"] = str(params["Scope"]).split(" ")
        return values

    def resource_arns(self, ctx: RequestContext, operation: str, params: Params) -> list[str] | None:
        """The resource AWS authorizes these actions on: the caller's own `sts::<account>:self`
        (observed on AWS; the Service Authorization Reference lists no resource type, and a policy's
        "*" matches it as well)."""
        if operation not in _ON_SELF:
            return None
        return [f"arn:aws:sts::{ctx.account_id}:self"]

    # -- for the discovery endpoints (gateway/internal.py) ---------------------------------------

    def issuer_document(self, issuer_id: str, document: str) -> Params | None:
        """An issuer's discovery document or JWKS; None for an issuer or document there is not."""
        iam: Any = self.runtime.provider("iam")
        if iam is None or document not in (_DISCOVERY, _JWKS) or not iam.issuer_exists(issuer_id):
            return None
        if document == _JWKS:
            return self.signing_keys.jwks()
        return discovery_document(iam.issuer_url(issuer_id))
