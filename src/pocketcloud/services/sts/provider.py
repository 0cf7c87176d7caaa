"""STS: who am I, and temporary credentials (AssumeRole, AssumeRoleWithWebIdentity,
AssumeRoleWithSAML, GetSessionToken, GetFederationToken, AssumeRoot); and JWTs for external
services (GetWebIdentityToken, in outbound_tokens.py).

Sessions are kept in the store, so a session issued before a restart keeps
working after it, until it expires (then ExpiredToken).

This module holds the operations; what they lean on lives beside it: session credentials
(`session_credentials.py`), role sessions (`role_sessions.py`), session policies and tags
(`session_policies.py`, `session_tags.py`), MFA (`session_mfa.py`), web identity and SAML
(`web_identity.py`, `saml_assertion.py`, `federated_trust.py`) and AssumeRoot (`assume_root.py`).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.context_keys import resource_tag_values
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.sts import saml_assertion, web_identity
from pocketcloud.services.sts.assume_root import RootSessionOperations
from pocketcloud.services.sts.federated_trust import FederatedTrust
from pocketcloud.services.sts.identity_tokens import SigningKeys
from pocketcloud.services.sts.outbound_tokens import WebIdentityTokenOperations
from pocketcloud.services.sts.role_sessions import RoleSessions, _check_arn, _parse_role_arn
from pocketcloud.services.sts.session_mfa import SessionMfa
from pocketcloud.services.sts.session_policies import _checked_packed_size
from pocketcloud.services.sts.session_tags import TransitiveTags, _session_tags, _transitive

Params = dict[str, Any]
ROOT_SESSION_MAX = 3600
CHAINED_SESSION_MAX = 3600  # a role session assuming a role ("role chaining")


_TRUSTS_NO_ONE = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}'
)


def _account_in_key_id(key_id: str) -> str | None:
    """The account AWS encodes in an access key id issued since 2019: after the four-letter
    prefix, the base32 text holds the account id in bits 1-40 of its first six bytes."""
    try:
        raw = base64.b32decode(key_id[4:20])
    except (ValueError, binascii.Error):
        return None
    return str((int.from_bytes(raw[:6], "big") & 0x7FFFFFFFFF80) >> 7).zfill(12)


class StsProvider(
    RootSessionOperations,
    WebIdentityTokenOperations,
    FederatedTrust,
    RoleSessions,
    TransitiveTags,
    SessionMfa,
    Provider,
):
    service = "sts"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        self.sessions = runtime.store.collection("sts", "sessions")
        self.signing_keys = SigningKeys(runtime.store.collection("sts", "signing_keys"))
        runtime.credentials.register(self.credential_for_access_key)

    async def stop(self) -> None:
        self.signing_keys.forget()  # a reset wipes the store: the next token is signed with new keys

    # -- for authorization: a role's trust policy is AssumeRole's resource policy

    def condition_values(self, ctx: RequestContext, operation: str, params: Params) -> Params:
        """AssumeRole: the role's tags as aws:ResourceTag/<key> and iam:ResourceTag/<key> (the IAM
        ABAC tutorial's "Assume any ABAC role, but only when the user and role tags match"); other
        calls: the token operations' keys."""
        if operation != "AssumeRole":
            return super().condition_values(ctx, operation, params)
        parsed = _parse_role_arn(params.get("RoleArn") or "")
        iam = self.runtime.provider("iam")
        role = iam.role(*parsed) if parsed and iam is not None else None  # type: ignore[attr-defined]
        return resource_tag_values((role or {}).get("Tags"), ("aws", "iam"))

    def resource_policy(
        self, ctx: RequestContext, operation: str, params: Params
    ) -> tuple[str | None, str | None]:
        if operation != "AssumeRole":
            return None, None
        _check_arn(params.get("RoleArn", ""))
        # The root user is refused by AssumeRole itself, whatever the trust policy says.
        if ctx.principal.is_root:
            return None, None
        parsed = _parse_role_arn(params.get("RoleArn", ""))
        if parsed is None:
            return None, None
        iam = self.runtime.provider("iam")
        role = iam.role(*parsed) if iam is not None else None  # type: ignore[attr-defined]
        # A missing role trusts no one: the caller is refused exactly as by a role that does not
        # trust it, so AssumeRole does not reveal which roles exist.
        return (role["AssumeRolePolicyDocument"] if role else _TRUSTS_NO_ONE), parsed[0]

    # -- operations -------------------------------------------------------------

    def GetCallerIdentity(self, ctx: RequestContext, params: Params) -> Params:
        principal = ctx.principal
        return {"UserId": principal.user_id, "Account": principal.account_id, "Arn": principal.arn}

    def AssumeRole(self, ctx: RequestContext, p: Params) -> Params:
        caller = ctx.principal
        _check_arn(p["RoleArn"])
        if caller.is_root:
            raise ServiceError("AccessDenied", "Roles may not be assumed by root accounts.", status=403)
        parsed = _parse_role_arn(p["RoleArn"])
        iam = self.runtime.provider("iam")
        role = iam.role(*parsed) if parsed and iam is not None else None  # type: ignore[attr-defined]
        if (
            role is None
            or role["Arn"] != p["RoleArn"]
            and not p["RoleArn"].endswith(":role/" + role["RoleName"])
        ):
            raise _not_authorized_to_assume(caller.arn, p["RoleArn"])
        duration = p.get("DurationSeconds") or 3600
        if caller.kind == "AssumedRole" and duration > CHAINED_SESSION_MAX:
            raise ServiceError(
                "ValidationError",
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
                status=400,
            )
        account = parsed[0] if parsed else caller.account_id
        requested = _session_tags(p)
        inherited = self._inherited_transitive_tags(caller)
        if {k.lower() for k in requested} & {k.lower() for k in inherited}:
            raise ServiceError(
                "InvalidParameterValue",
                "One of the specified transitive tag keys can't be set because it conflicts with "
                "a transitive tag key from the calling session.",
                status=400,
            )
        if caller.source_identity and p.get("SourceIdentity") not in (None, "", caller.source_identity):
            # "The value that is set cannot be changed during the role session" ("Monitor and control
            # actions taken with assumed roles"); AWS's wording for the refusal is not documented, so
            # it is STS's usual one.
            raise _not_authorized_to_assume(caller.arn, p["RoleArn"])
        if caller.source_identity and not p.get("SourceIdentity"):
            # "The value that is set persists when a role is used to assume another role" (role
            # chaining), and setting it there still needs sts:SetSourceIdentity.
            p = {**p, "SourceIdentity": caller.source_identity}
        # Tags and a source identity that pass validation need their own permissions besides.
        self.authorize_session_extras(ctx, p, role, account)
        extra = {
            "SourceIdentity": p.get("SourceIdentity"),
            # A session requested with MFA information is MFA-authenticated (aws:MultiFactorAuthPresent).
            "MfaAuthenticated": self._mfa_authenticated(caller, p),
            # What a session made with these credentials inherits (role chaining).
            "TransitiveTagKeys": sorted({*_transitive(requested, p.get("TransitiveTagKeys") or []), *inherited}),
        }
        return self._role_session(role, account, p, requested, extra, inherited)

    def AssumeRoleWithWebIdentity(self, ctx: RequestContext, p: Params) -> Params:
        _check_arn(p["RoleArn"])
        claims = web_identity.decode_token(p["WebIdentityToken"])
        parsed = _parse_role_arn(p["RoleArn"])
        account = parsed[0] if parsed else ""
        iam = self.runtime.provider("iam")
        name = web_identity.provider_name(claims["iss"])
        registered = iam.oidc_provider(account, name) if iam is not None and parsed else None  # type: ignore[attr-defined]
        identity = web_identity.identify(claims, account, registered)
        role = iam.role(*parsed) if parsed and iam is not None else None  # type: ignore[attr-defined]
        tags, transitive = web_identity.session_tags(claims)
        source = web_identity.source_identity(claims)
        request = {**p, "Tags": tags, "TransitiveTagKeys": transitive, "SourceIdentity": source}
        requested = _session_tags(request)
        if (
            role is None
            or role["Arn"] != p["RoleArn"]
            and not p["RoleArn"].endswith(":role/" + role["RoleName"])
            or not self.federated_trust_allows(
                ctx,
                "AssumeRoleWithWebIdentity",
                request,
                role["AssumeRolePolicyDocument"],
                account,
                identity.provider,
                web_identity.condition_keys(identity),
            )
        ):
            raise ServiceError(
                "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", status=403
            )
        extra = {
            "FederatedProvider": identity.provider,
            "TransitiveTagKeys": _transitive(requested, transitive),
            "SourceIdentity": source,
        }
        result = self._role_session(role, account, p, requested, extra)
        result.update(
            SubjectFromWebIdentityToken=identity.subject,
            Provider=identity.provider,
            Audience=identity.audience,
        )
        return result

    def AssumeRoleWithSAML(self, ctx: RequestContext, p: Params) -> Params:
        _check_arn(p["RoleArn"])
        assertion = saml_assertion.parse(p["SAMLAssertion"])
        iam = self.runtime.provider("iam")
        provider = iam.saml_provider(p["PrincipalArn"]) if iam is not None else None  # type: ignore[attr-defined]
        if provider is None:
            raise saml_assertion.invalid_token("Specified provider doesn't exist")
        if provider["Issuer"] != assertion.issuer:
            raise saml_assertion.invalid_token("Issuer not present in specified provider")
        saml_assertion.check_expiry(assertion)
        parsed = _parse_role_arn(p["RoleArn"])
        account = parsed[0] if parsed else ""
        role = iam.role(*parsed) if parsed else None  # type: ignore[union-attr]
        tags, transitive = saml_assertion.session_tags(assertion)
        source = saml_assertion.source_identity(assertion)
        # The session name the assertion gives is the request's sts:RoleSessionName.
        request = {
            **p,
            "Tags": tags,
            "TransitiveTagKeys": transitive,
            "RoleSessionName": assertion.session_name,
            "SourceIdentity": source,
        }
        requested = _session_tags(request)
        if (
            role is None
            or (p["RoleArn"], p["PrincipalArn"]) not in assertion.roles
            or not self.federated_trust_allows(
                ctx,
                "AssumeRoleWithSAML",
                request,
                role["AssumeRolePolicyDocument"],
                account,
                p["PrincipalArn"],
                saml_assertion.condition_keys(assertion, account, p["PrincipalArn"]),
            )
        ):
            raise ServiceError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", status=403)
        if not assertion.session_name:
            raise saml_assertion.invalid_token("No RoleSessionName attribute in the SAML assertion")
        session = {**p, "RoleSessionName": assertion.session_name}
        extra = {
            "FederatedProvider": p["PrincipalArn"],
            "TransitiveTagKeys": _transitive(requested, transitive),
            "SourceIdentity": source,
        }
        result = self._role_session(role, account, session, requested, extra)
        result.update(
            Subject=assertion.subject,
            SubjectType=assertion.subject_type,
            Issuer=assertion.issuer,
            Audience=assertion.audience,
            NameQualifier=saml_assertion.name_qualifier(assertion.issuer, account, p["PrincipalArn"]),
        )
        return result

    def GetSessionToken(self, ctx: RequestContext, p: Params) -> Params:
        caller = ctx.principal
        duration = _long_term_session_duration(caller, p, "GetSessionToken")
        credentials = self._issue(
            duration,
            {
                "Kind": caller.kind,
                "Account": caller.account_id,
                "Arn": caller.arn,
                "UserId": caller.user_id,
                "Name": caller.name,
                "Tags": dict(caller.tags),
                "MfaAuthenticated": self._mfa_authenticated(caller, p),
            },
        )
        return {"Credentials": credentials}

    def GetFederationToken(self, ctx: RequestContext, p: Params) -> Params:
        caller = ctx.principal
        duration = _long_term_session_duration(caller, p, "GetFederationToken")
        requested_tags = _session_tags(p)
        session_policy = p.get("Policy")
        packed = _checked_packed_size(p, requested_tags)
        session_policy = self._combined_session_policy(caller.account_id, session_policy, p.get("PolicyArns"))
        name = p["Name"]
        federated_arn = f"arn:aws:sts::{caller.account_id}:federated-user/{name}"
        federated_id = f"{caller.account_id}:{name}"
        credentials = self._issue(
            duration,
            {
                "Kind": "FederatedUser",
                "Account": caller.account_id,
                "Arn": federated_arn,
                "UserId": federated_id,
                "Name": name,
                # The user it came from: its policies bound the federated user's (with the session policy).
                "RoleArn": caller.arn,
                # Without a session policy a federated user may do nothing (the engine's rule for
                # FederatedUser sessions), except what resource policies naming it allow.
                "SessionPolicy": session_policy,
                "Tags": {**dict(caller.tags), **requested_tags},
            },
        )
        result: Params = {
            "Credentials": credentials,
            "FederatedUser": {"FederatedUserId": federated_id, "Arn": federated_arn},
            # Unlike AssumeRole's, always there: 0 for a token without policies or tags (as AWS answers).
            "PackedPolicySize": packed,
        }
        return result

    def DecodeAuthorizationMessage(self, ctx: RequestContext, p: Params) -> Params:
        # pocketcloud's AccessDenied messages are never encoded; a message it could have encoded
        # (base64 JSON, the shape AWS's decode returns) is given back decoded.
        try:
            decoded = base64.b64decode(p["EncodedMessage"], validate=True).decode()
            json.loads(decoded)
        except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
            raise ServiceError(
                "InvalidAuthorizationMessageException",
                "The error message provided is not a valid encoded authorization message.",
                status=400,
            ) from None
        return {"DecodedMessage": decoded}

    def GetAccessKeyInfo(self, ctx: RequestContext, p: Params) -> Params:
        account = self.runtime.credentials.account_of(p["AccessKeyId"])
        if account is None:
            # AWS answers for any well-formed key: the account is encoded in the key id itself.
            account = ctx.account_id if p["AccessKeyId"] == ctx.principal.access_key_id else None
            account = account or _account_in_key_id(p["AccessKeyId"]) or "000000000000"
        return {"Account": account}

    def service_role_session(self, role_arn: str, session_name: str, duration: int = 43200) -> Params | None:
        """Credentials of a role assumed by an AWS service (Lambda running a function as its role).

        The service already checked the role's trust policy when the role was configured.
        """
        parsed = _parse_role_arn(role_arn)
        iam = self.runtime.provider("iam")
        role = iam.role(*parsed) if parsed and iam is not None else None  # type: ignore[attr-defined]
        if role is None or parsed is None:
            return None
        account = parsed[0]
        return self._issue(
            duration,
            {
                "Kind": "AssumedRole",
                "Account": account,
                "Arn": f"arn:aws:sts::{account}:assumed-role/{role['RoleName']}/{session_name}",
                "UserId": f"{role['RoleId']}:{session_name}",
                "Name": session_name,
                "RoleArn": role["Arn"],
                "SessionName": session_name,
                "SessionPolicy": None,
                "Tags": {t["Key"]: t["Value"] for t in role.get("Tags", [])},
            },
        )


def _long_term_session_duration(caller: Any, p: Params, operation: str) -> int:
    """GetSessionToken/GetFederationToken: callable with long-term keys only; root's sessions are capped."""
    if caller.kind not in ("User", "Account") or caller.session_expires is not None:
        raise ServiceError("AccessDenied", f"Cannot call {operation} with session credentials", status=403)
    duration = int(p.get("DurationSeconds") or 43200)
    return min(duration, ROOT_SESSION_MAX) if caller.is_root else duration


def _not_authorized_to_assume(caller_arn: str, role_arn: str) -> ServiceError:
    """STS's refusal of an AssumeRole it does not explain (a role that is not there, a source identity
    changed in a chained session): the trust policy's wording, with no reason."""
    return ServiceError(
        "AccessDenied", f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}", status=403
    )
