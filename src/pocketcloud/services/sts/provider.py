"""STS: who am I, and temporary credentials (AssumeRole, AssumeRoleWithWebIdentity,
AssumeRoleWithSAML, GetSessionToken, GetFederationToken, AssumeRoot); and JWTs for external
services (GetWebIdentityToken, in outbound_tokens.py).

Sessions are kept in the store, so a session issued before a restart keeps
working after it, until it expires (then ExpiredToken).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from pocketcloud.auth.principal import Credential, Principal
from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.authorizer import resource_tag_values
from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.iam.common import new_id, new_secret
from pocketcloud.services.sts import saml_assertion, web_identity
from pocketcloud.services.sts.assume_root import RootSessionOperations
from pocketcloud.services.sts.federated_trust import FederatedTrust
from pocketcloud.services.sts.identity_tokens import SigningKeys
from pocketcloud.services.sts.outbound_tokens import WebIdentityTokenOperations

Params = dict[str, Any]
GLOBAL = ("", "")
ROOT_SESSION_MAX = 3600
CHAINED_SESSION_MAX = 3600  # a role session assuming a role ("role chaining")
PACKED_SPACE = 2048


_TRUSTS_NO_ONE = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}'
)


def _token() -> str:
    return base64.b64encode(b"pocketcloud-session:" + secrets.token_bytes(160)).decode()


def _check_arn(role_arn: str) -> None:
    """STS refuses a RoleArn that is no ARN at all (no partition, service or resource) before
    looking at any policy; a well-formed ARN of no role is refused as any role the caller may
    not assume."""
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        raise ServiceError("ValidationError", f"{role_arn} is invalid", status=400)


def _session_tags(p: Params) -> dict[str, str]:
    """AssumeRole's session tags, refused as STS refuses them."""
    tags = p.get("Tags") or []
    keys = [t["Key"] for t in tags]
    if len({k.lower() for k in keys}) != len(keys):
        raise ServiceError(
            "InvalidParameterValue",
            "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            status=400,
        )
    lowered = {k.lower() for k in keys}
    if any(k.lower() not in lowered for k in p.get("TransitiveTagKeys") or []):
        raise ServiceError(
            "InvalidParameterValue",
            "The specified transitive tag key must be included in the requested tags.",
            status=400,
        )
    return {t["Key"]: t["Value"] for t in tags}


def _transitive(tags: dict[str, str], transitive_keys: list[str]) -> list[str]:
    """The session's transitive tag keys (as its tags spell them): what a session it makes inherits."""
    wanted = {k.lower() for k in transitive_keys}
    return sorted(k for k in tags if k.lower() in wanted)


def _packed_size(policy: str | None, policy_arns: list[Params], tags: dict[str, str]) -> int:
    """PackedPolicySize: how much of the session's packed space (2,048 characters of minified
    policy text, managed policy ARNs and tags) the request uses, as a percentage."""
    used = 0
    if policy:
        used += len(json.dumps(json.loads(policy), separators=(",", ":")))
    used += sum(len(a["arn"]) for a in policy_arns)
    used += sum(len(k) + len(v) for k, v in tags.items())
    return -(-used * 100 // PACKED_SPACE)


def _checked_packed_size(p: Params, tags: dict[str, str]) -> int:
    """The request's PackedPolicySize, after checking its session policy; PackedPolicyTooLarge past 100%."""
    policy = p.get("Policy")
    if policy is not None:
        _check_session_policy(policy)
    packed = _packed_size(policy, p.get("PolicyArns") or [], tags)
    if packed > 100:
        raise ServiceError(
            "PackedPolicyTooLarge",
            f"Packed policy consumes {packed}% of allotted space, please use smaller policy.",
            status=400,
        )
    return packed


def _account_in_key_id(key_id: str) -> str | None:
    """The account AWS encodes in an access key id issued since 2019: after the four-letter
    prefix, the base32 text holds the account id in bits 1-40 of its first six bytes."""
    try:
        raw = base64.b32decode(key_id[4:20])
    except (ValueError, binascii.Error):
        return None
    return str((int.from_bytes(raw[:6], "big") & 0x7FFFFFFFFF80) >> 7).zfill(12)


def _parse_role_arn(role_arn: str) -> tuple[str, str] | None:
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    return parts[4], parts[5].rsplit("/", 1)[-1]


class StsProvider(RootSessionOperations, WebIdentityTokenOperations, FederatedTrust, Provider):
    service = "sts"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        self.sessions = runtime.store.collection("sts", "sessions")
        self.signing_keys = SigningKeys(runtime.store.collection("sts", "signing_keys"))
        runtime.credentials.register(self.credential_for_access_key)

    async def stop(self) -> None:
        self.signing_keys.forget()  # a reset wipes the store: the next token is signed with new keys

    # -- for authentication ---------------------------------------------------

    def credential_for_access_key(self, access_key_id: str) -> Credential | None:
        if not access_key_id.startswith("ASIA"):
            return None
        doc = self.sessions.get(GLOBAL, access_key_id)
        if doc is None:
            return None
        return Credential(
            access_key_id=access_key_id,
            secret_access_key=doc["SecretAccessKey"],
            principal=_principal_from_session(doc, access_key_id),
            session_token=doc["SessionToken"],
            expires=datetime.fromisoformat(doc["Expiration"]),
        )

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
            raise ServiceError(
                "AccessDenied",
                f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {p['RoleArn']}",
                status=403,
            )
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
            raise ServiceError(
                "AccessDenied",
                f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {p['RoleArn']}",
                status=403,
            )
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

    def _inherited_transitive_tags(self, caller: Any) -> dict[str, str]:
        """The transitive session tags of the calling role session, which a session it makes inherits."""
        if caller.kind != "AssumedRole" or not caller.access_key_id:
            return {}
        doc = self.sessions.get(GLOBAL, caller.access_key_id) or {}
        tags = doc.get("Tags") or {}
        return {k: tags[k] for k in doc.get("TransitiveTagKeys") or [] if k in tags}

    def _role_session(
        self,
        role: Params,
        account: str,
        p: Params,
        requested_tags: dict[str, str],
        extra: Params,
        inherited_tags: dict[str, str] | None = None,
    ) -> Params:
        """A session of `role` (AssumeRole, AssumeRoleWithWebIdentity): its duration, session policy
        and tags checked, its credentials issued; the response's Credentials and AssumedRoleUser.
        Inherited transitive tags, like the requested ones, take the place of the role's own."""
        duration = p.get("DurationSeconds") or 3600
        if duration > role.get("MaxSessionDuration", 3600):
            raise ServiceError(
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                status=400,
            )
        session_name = p["RoleSessionName"]
        tags = {t["Key"]: t["Value"] for t in role.get("Tags", [])}
        tags.update(requested_tags)
        tags.update(inherited_tags or {})
        session_policy = p.get("Policy")
        packed = _checked_packed_size(p, requested_tags)
        session_policy = self._combined_session_policy(account, session_policy, p.get("PolicyArns"))
        assumed_arn = f"arn:aws:sts::{account}:assumed-role/{role['RoleName']}/{session_name}"
        assumed_id = f"{role['RoleId']}:{session_name}"
        credentials = self._issue(
            duration,
            {
                "Kind": "AssumedRole",
                "Account": account,
                "Arn": assumed_arn,
                "UserId": assumed_id,
                "Name": session_name,
                "RoleArn": role["Arn"],
                "SessionName": session_name,
                "SessionPolicy": session_policy,
                "Tags": tags,
                **extra,
            },
        )
        result: Params = {
            "Credentials": credentials,
            "AssumedRoleUser": {"AssumedRoleId": assumed_id, "Arn": assumed_arn},
        }
        if extra.get("SourceIdentity"):
            result["SourceIdentity"] = extra["SourceIdentity"]
        # AWS answers with PackedPolicySize only when the request passed policies or tags.
        if p.get("Policy") is not None or p.get("PolicyArns") or requested_tags:
            result["PackedPolicySize"] = packed
        return result

    def _combined_session_policy(
        self, account: str, policy: str | None, policy_arns: list[Params] | None
    ) -> str | None:
        """The inline session policy and the managed session policies, as one policy document."""
        if not policy_arns:
            return policy
        documents = [json.loads(self._managed_document(account, a["arn"])) for a in policy_arns]
        statements = [s for d in documents for s in _statements(d)]
        if policy:
            statements += _statements(json.loads(policy))
        return json.dumps({"Version": "2012-10-17", "Statement": statements})

    def _managed_document(self, account: str, policy_arn: str) -> str:
        iam = self.runtime.provider("iam")
        document = iam.policies.default_document(account, policy_arn) if iam is not None else None  # type: ignore[attr-defined]
        if document is None:
            raise ServiceError("InvalidParameterValue", f"Policy {policy_arn} does not exist.", status=400)
        return str(document)

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

    def _mfa_authenticated(self, caller: Any, p: Params) -> bool:
        """Whether the call's SerialNumber and TokenCode authenticate the calling user, with AWS's
        AccessDenied when they are given but do not (their wording, as STS answers them)."""
        serial, code = p.get("SerialNumber"), p.get("TokenCode")
        if not serial and not code:
            return False
        if not serial or not code:
            raise _mfa_failed(
                "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
            )
        if caller.is_root:
            return True  # the root user's MFA device is set up in the console, which pocketcloud has not
        iam: Any = self.runtime.provider("iam")
        valid = None
        if caller.kind == "User" and iam is not None:
            valid = iam.mfa_code_valid(caller.account_id, caller.name, serial, code)
        if valid is None:
            raise _mfa_failed(
                "MultiFactorAuthentication failed, unable to validate MFA code.  "
                "Please verify your MFA serial number is valid and associated with this user."
            )
        if not valid:
            raise _mfa_failed("MultiFactorAuthentication failed with invalid MFA one time pass code.")
        return True

    def _issue(self, duration: int, session: Params) -> Params:
        key_id = new_id("ASIA", 20)
        issued = datetime.now(UTC).replace(microsecond=0)
        expiration = issued + timedelta(seconds=duration)
        doc = {
            **session,
            "SecretAccessKey": new_secret(),
            "SessionToken": _token(),
            "Issued": issued.isoformat(),  # aws:TokenIssueTime
            "Expiration": expiration.isoformat(),
        }
        self.sessions.put(GLOBAL, key_id, doc)
        return {
            "AccessKeyId": key_id,
            "SecretAccessKey": doc["SecretAccessKey"],
            "SessionToken": doc["SessionToken"],
            "Expiration": expiration,
        }


def _mfa_failed(message: str) -> ServiceError:
    return ServiceError("AccessDenied", message, status=403)


def _check_session_policy(document: str) -> None:
    """A session policy is validated when the session is made, never when it is used."""
    try:
        parse_policy(document, "session")
    except MalformedPolicy as exc:
        raise ServiceError("MalformedPolicyDocument", exc.message, status=400) from exc


def _statements(document: Params) -> list[Params]:
    statement = document.get("Statement", [])
    return statement if isinstance(statement, list) else [statement]


def _principal_from_session(doc: Params, access_key_id: str) -> Principal:
    return Principal(
        account_id=doc["Account"],
        arn=doc["Arn"],
        user_id=doc["UserId"],
        kind=doc["Kind"],
        name=doc.get("Name") or "",
        role_arn=doc.get("RoleArn"),
        session_name=doc.get("SessionName"),
        session_policy=doc.get("SessionPolicy"),
        session_expires=datetime.fromisoformat(doc["Expiration"]),
        session_issued=datetime.fromisoformat(doc["Issued"]) if doc.get("Issued") else None,
        access_key_id=access_key_id,
        tags=tuple(sorted((doc.get("Tags") or {}).items())),
        mfa_authenticated=bool(doc.get("MfaAuthenticated")),
        source_identity=doc.get("SourceIdentity") or None,
    )


def _long_term_session_duration(caller: Any, p: Params, operation: str) -> int:
    """GetSessionToken/GetFederationToken: callable with long-term keys only; root's sessions are capped."""
    if caller.kind not in ("User", "Account") or caller.session_expires is not None:
        raise ServiceError("AccessDenied", f"Cannot call {operation} with session credentials", status=403)
    duration = int(p.get("DurationSeconds") or 43200)
    return min(duration, ROOT_SESSION_MAX) if caller.is_root else duration
