"""The authorize step of the request chain: may this principal call this operation?

Every call is evaluated by the policy engine (`iam/evaluate.py`) with the
principal's identity policies (from the IAM provider), its permissions
boundary and session policy, and the resource's policy when the target
service has one (a provider answers `resource_policy(ctx, operation, params)`
with the policy text and the account that owns the resource). Resources are
ARNs built from the parameters (`iam/actions.py`), unless the provider knows
them better (`resource_arns(ctx, operation, params)`: IAM entities' paths). A
provider serving an operation botocore's model lacks names the one AWS authorizes
it as (`authorized_as = {"PostObject": "PutObject"}`), and a provider may supply
service condition keys the parameters alone do not carry (`condition_values(ctx,
operation, params)` → {key: value}, asked only when policies are evaluated). A
caller of a member account of the organization is limited by its service control
policies, compiled by the Organizations provider (`scp_chain(principal)`, None
for everyone else: a dict lookup, so accounts outside an organization pay
nothing). A request to a resource of a member account, on a service resource
control policies cover, is limited by that account's RCPs whoever the caller is
(`rcp_chain(account)`). The provider also answers which organization an account
belongs to and where (`membership(account)`), for aws:PrincipalOrgID,
aws:PrincipalOrgPaths, aws:ResourceOrgID, aws:ResourceOrgPaths and
aws:SourceOrgID. A denial is the service's own AccessDenied error with AWS's
wording ("Access Denied", with no detail, for an anonymous caller of S3; an anonymous
caller of another service is told its request is missing authentication).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pocketcloud.auth.errors import S3, AuthErrors
from pocketcloud.auth.principal import Principal
from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.actions import iam_action, resource_arns
from pocketcloud.iam.context_keys import (
    TRUST_POLICY_CALLS,
    global_context,
    global_value,
    parameter_keys,
    request_keys,
)
from pocketcloud.iam.evaluate import (
    AuthorizationRequest,
    Decision,
    denial_message,
    evaluate,
    names_no_resource,
)
from pocketcloud.iam.org_policies import RCP_SERVICES, PolicyChain, is_service_linked_role
from pocketcloud.iam.policy import MalformedPolicy, Policy, parse_policy
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import ServiceRuntime

if TYPE_CHECKING:
    from botocore.model import OperationModel

# Calls AWS lets any authenticated caller make, whatever its policies say (GetSessionToken:
# "No permissions are required for a user to get a session token", IAM User Guide). The
# unsigned AssumeRoleWith* calls are put to `decide` by the provider once it has read the token
# or assertion: the identity provider it names is the caller, the role's trust policy the
# resource policy, and the role account's RCPs apply (services/sts/federated_trust.py).
_ALWAYS_ALLOWED = {
    ("sts", "GetCallerIdentity"),
    ("sts", "GetSessionToken"),
    ("sts", "AssumeRoleWithWebIdentity"),
    ("sts", "AssumeRoleWithSAML"),
}

# Services whose AccessDenied has no "Exception" suffix.
_PLAIN_ACCESS_DENIED = {"s3", "s3control", "iam", "sts", "ec2", "rds", "sns", "cloudfront", "route53"}


# Services that answer AccessDeniedException with 400, as their model says (KMS).
_ACCESS_DENIED_400 = {"kms"}


def access_denied(service: str, message: str) -> ServiceError:
    code = "AccessDenied" if service in _PLAIN_ACCESS_DENIED else "AccessDeniedException"
    return ServiceError(code, message, status=400 if service in _ACCESS_DENIED_400 else 403)


class Authorizer:
    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        # Decisions by everything they depend on (the principal, the request, the policies' texts
        # and the values of every key those policies read).
        self._decisions: dict[tuple[Any, ...], Decision] = {}
        self._compiled_sets: dict[Any, _PolicySet] = {}
        self._key_sets: dict[tuple[Any, ...], tuple[str, ...]] = {}
        self._last_found: tuple[Any, _PolicySet] | None = None
        # The Organizations provider's scp_chain, rcp_chain, membership and has_organization, found on
        # first use. While no organization exists none of the first three can find anything, and
        # the hot path asks only the last (a cached flag).
        self._org_sources: tuple[Any, Any, Any, Any] | None = None

    def _organizations(self) -> tuple[Any, Any, Any, Any]:
        sources = self._org_sources
        if sources is None:
            organizations = self.runtime.provider("organizations")
            sources = self._org_sources = (
                getattr(organizations, "scp_chain", None) or _nothing,
                getattr(organizations, "rcp_chain", None) or _nothing,
                getattr(organizations, "membership", None) or _nothing,
                getattr(organizations, "has_organization", None) or _nothing,
            )
        return sources

    def _in_organization(self) -> bool:
        return bool(self._organizations()[3]())

    def _scps(self, principal: Principal) -> PolicyChain | None:
        """The SCPs limiting this principal (None outside an organization and for its management account)."""
        return self._organizations()[0](principal) if self._in_organization() else None

    def _rcps(self, principal: Principal, action: str, owner: str | None) -> PolicyChain | None:
        """The RCPs limiting a request on a resource of account `owner` (None: none apply)."""
        if not owner or not self._in_organization() or action.partition(":")[0].lower() not in RCP_SERVICES:
            return None
        if principal.role_arn and is_service_linked_role(principal.role_arn):
            return None  # "RCPs do not apply to calls made by service-linked roles"
        return self._organizations()[1](owner)

    def authorize(self, ctx: RequestContext, operation: OperationModel, params: dict[str, Any]) -> None:
        if self.runtime.settings.auth_disabled:
            return
        principal = ctx.principal
        if ctx.service == "iam" and _session_without_mfa(principal):
            # GetSessionToken's credentials "cannot call any IAM API operations unless MFA
            # authentication information is included"; IAM answers as for an unknown token.
            raise AuthErrors("iam").unknown_key(principal.access_key_id or "")
        kind = _token_kind(principal)
        if kind and (
            (ctx.service == "iam" and kind == "federation")
            or (ctx.service == "sts" and operation.name not in _STS_CALLS_OF_SESSIONS[kind])
        ):
            # GetFederationToken's credentials "cannot call any IAM operations using the CLI or the AWS
            # API" and "any STS operations except GetCallerIdentity"; GetSessionToken's "any STS API
            # except AssumeRole or GetCallerIdentity" (their API references). Refused in STS's words
            # for a call sessions may not make.
            raise ServiceError("AccessDenied", f"Cannot call {operation.name} with session credentials", status=403)
        if (ctx.service, operation.name) in _ALWAYS_ALLOWED:
            return
        provider = self.runtime.provider(ctx.service)
        # A request the provider authorizes by AWS's own rule rather than by the operation's action
        # (S3 Express One Zone: a directory bucket's session, its s3express:* actions).
        authorizes_itself = getattr(provider, "authorizes_itself", None)
        if authorizes_itself is not None and authorizes_itself(ctx, operation.name, params):
            return
        authorized_as = getattr(provider, "authorized_as", None)
        if authorized_as and operation.name in authorized_as:
            # An operation the model lacks, authorized as the one AWS checks (S3's POST upload: PutObject).
            operation = operation.service_model.operation_model(authorized_as[operation.name])
        policy_text, resource_account = None, None
        find_policy = getattr(provider, "resource_policy", None)
        if find_policy is not None:
            policy_text, resource_account = find_policy(ctx, operation.name, params)
        if (
            principal.is_root
            and policy_text is None
            and resource_account in (None, principal.account_id)
            and principal.session_policy is None  # an AssumeRoot session: its task policy may deny
            and self._scps(principal) is None  # a member account's root is limited by its SCPs
            # ... and its resources by their RCPs
            and (not self._in_organization() or self._organizations()[1](resource_account or principal.account_id) is None)
        ):
            return  # the root user may do everything in its own account that no resource policy denies
        # Service condition keys only the provider can work out (S3's s3:prefix, s3:ExistingObjectTag/...).
        find_values = getattr(provider, "condition_values", None)
        if find_values is not None:
            ctx.condition_values.update(find_values(ctx, operation.name, params))
        decision, action, resources = self.decide(ctx, operation, params, policy_text, resource_account)
        if not decision.allowed:
            if principal.is_anonymous and AuthErrors(ctx.service).family != S3:
                # An unsigned request no resource policy lets through is refused as unsigned requests
                # are where nothing may be anonymous; S3 says "Access Denied" (below).
                raise AuthErrors(ctx.service).missing_authentication()
            # A service that words a refusal its own way (SQS's GetQueueUrl to another account's caller).
            refusal = getattr(provider, "refusal", None)
            answer = refusal(ctx, operation.name, resource_account) if refusal is not None else None
            if answer is not None:
                raise answer
            if principal.is_anonymous or self._outsider_of_s3(ctx.service, principal, resource_account):
                raise access_denied(ctx.service, "Access Denied")  # told nothing about the policies
            raise access_denied(ctx.service, denial_message(decision, principal.arn, action, resources[0]))

    def authorize_as(
        self, ctx: RequestContext, operation: OperationModel, params: dict[str, Any], condition_values: Any = None
    ) -> None:
        """AccessDenied unless `ctx`'s caller may also make `operation` with `params`: a call AWS
        checks beside the one made (S3's DeleteObject per key, Lambda's GetLayerVersion for a layer
        used, STS's TagSession-like actions), with `condition_values` as the request's own keys."""
        asked = replace(ctx, operation=operation.name, condition_values=dict(condition_values or {}))
        self.authorize(asked, operation, params)

    def authorize_action(
        self,
        ctx: RequestContext,
        operation: OperationModel,
        action: str,
        resource: str,
        condition_values: dict[str, Any] | None = None,
        policy_text: str | None = None,
        resource_account: str | None = None,
    ) -> None:
        """AccessDenied unless `ctx`'s caller may also perform `action` on `resource`: an action no
        operation of any model makes, which AWS checks beside the call (iam:PassRole when a call hands a
        role to a service; S3 Express's s3express:* actions). Identity policies, boundaries, session
        policies, SCPs and the resource's policy (`policy_text`, of `resource_account`) decide. The root
        user may do it in its own account unless an SCP, a session or that resource policy says no."""
        if self.runtime.settings.auth_disabled:
            return
        principal = ctx.principal
        if (
            principal.is_root
            and principal.session_policy is None
            and policy_text is None
            and resource_account in (None, principal.account_id)
            and self._scps(principal) is None
        ):
            return
        asked = replace(ctx, condition_values=dict(condition_values or {}))
        decision, _, _ = self.decide(
            asked, operation, {}, policy_text, resource_account, action=action, resources=[resource]
        )
        if not decision.allowed:
            if self._outsider_of_s3(ctx.service, principal, resource_account):
                raise access_denied(ctx.service, "Access Denied")  # told nothing about the policies
            raise access_denied(ctx.service, denial_message(decision, principal.arn, action, resource))

    def _outsider_of_s3(self, service: str, principal: Principal, owner: str | None) -> bool:
        """S3 explains a denial ("User: ... because no ... allows ...") only to callers of the bucket
        owner's own account or organization ("Troubleshoot access denied (403 Forbidden) errors"):
        anyone else is told "Access Denied"."""
        if service != "s3" or not owner or owner == principal.account_id:
            return False
        if not self._in_organization():
            return True
        membership = self._organizations()[2]
        theirs = membership(principal.account_id) if principal.account_id else None
        ours = membership(owner)
        return not (theirs and ours and theirs[0] == ours[0])

    def _compiled(self, found: Any) -> _PolicySet:
        """A principal's identity policies and boundary, compiled once per set of documents."""
        # The IAM provider hands out the same object until the policies change: recognising it by
        # identity spares hashing every document's text on each call.
        last = self._last_found
        if last is not None and last[0] is found:
            return last[1]
        compiled = self._compiled_sets.get(found)
        if compiled is None:
            parsed = [_parse(doc, "identity", pid) for pid, doc in found.identity]
            boundary = None
            if found.boundary:
                # A boundary that no longer parses allows nothing (it must never lift the cap).
                boundary = _parse(found.boundary, "boundary", "boundary") or Policy("boundary", "2012-10-17", ())
            compiled = _PolicySet([p for p in parsed if p is not None], boundary)
            compiled.keys = self._keys_of((*compiled.policies, boundary))
            if len(self._compiled_sets) >= _DECISION_CACHE_SIZE:
                self._compiled_sets.clear()
            self._compiled_sets[found] = compiled
        self._last_found = (found, compiled)
        return compiled

    def _keys_of(self, policies: tuple[Policy | None, ...]) -> tuple[str, ...]:
        """Every context key (lower-cased) some of these policies read, remembered per set of texts."""
        identity = tuple(map(_identity, policies))
        keys = self._key_sets.get(identity)
        if keys is None:
            found: dict[str, None] = {}
            for policy in policies:
                if policy is not None:
                    found.update(dict.fromkeys(key.lower() for key in policy.context_keys))
            keys = tuple(found)
            if len(self._key_sets) >= _DECISION_CACHE_SIZE:
                self._key_sets.clear()
            self._key_sets[identity] = keys
        return keys

    def decide(
        self,
        ctx: RequestContext,
        operation: OperationModel,
        params: dict[str, Any],
        policy_text: str | None,
        resource_account: str | None,
        action: str | None = None,
        resources: list[str] | None = None,
    ) -> tuple[Decision, str, list[str]]:
        """The decision on `operation` with `params` (or, given `action` and `resources`, on those)."""
        principal = ctx.principal
        action = action or iam_action(ctx.service, operation, params)
        if resources is None:
            # A provider that knows its resources' ARNs better than the parameters do (IAM: paths) says so.
            known_arns = getattr(self.runtime.provider(ctx.service), "resource_arns", None)
            resources = known_arns(ctx, operation.name, params) if known_arns is not None else None
        if not resources:
            resources = resource_arns(
                ctx.service, principal.account_id or resource_account or "", ctx.region, params, operation
            )
        policy_set = _NO_POLICIES
        iam = self.runtime.provider("iam") if principal.has_identity_policies else None
        if iam is not None:
            policy_set = self._compiled(iam.identity_policies(principal))  # type: ignore[attr-defined]
        policies, boundary = policy_set.policies, policy_set.boundary
        scps = self._scps(principal)
        owner = _resource_owner(principal, resources, resource_account)
        rcps = self._rcps(principal, action, owner)
        resource_policy = None
        if policy_text:
            kind = "trust" if ctx.service == "sts" and operation.name in TRUST_POLICY_CALLS else "resource"
            if operation.service_model.service_name == "kms":  # a key policy, also when S3 uses the key
                kind = "key"
            resource_policy = _parse(policy_text, kind, "resource")
        session: dict[str, Any] = {}
        if principal.session_policy:
            # A session policy that no longer parses grants nothing (rather than failing the request).
            parsed = _parse(principal.session_policy, "session", "session")
            session["session_policies"] = (parsed,) if parsed is not None else ()
        # The request's own keys; of the global ones, only those the policies read are worked out
        # until a decision has to be made anew.
        specific = {
            **ctx.condition_values, **request_keys(params),
            **parameter_keys(ctx.service, operation.name, params, principal.source_identity),
            **self._organization_keys(principal, owner, ctx.condition_values.get("aws:SourceAccount")),
        }
        # The same principal under the same policies, asking the same thing with the same values of
        # every key those policies look at, gets the same answer: remember it.
        ids: Any
        if resource_policy is None and not session:
            # The common case: only the principal's own policies, worked out once. The set itself
            # stands for their texts (compared by identity, so cheap to hash; the cache holds it, so
            # its identity is never reused); another set of the same texts only misses the cache.
            ids, keys = policy_set, policy_set.keys
        else:
            everything = (*policies, boundary, resource_policy, *session.get("session_policies", ()))
            ids, keys = tuple(map(_identity, everything)), self._keys_of(everything)
        if scps is not None:
            # The chain is a new object whenever an SCP, an attachment or the account's place changes.
            ids, keys = (ids, scps), keys + scps.keys
        if rcps is not None:
            ids, keys = (ids, rcps), keys + rcps.keys
        lowered = {k.lower(): v for k, v in specific.items()}
        referenced = tuple([_freeze(lowered[key] if key in lowered else global_value(key, ctx)) for key in keys])
        cache_key = (principal, action, tuple(resources), resource_account, ids, referenced)
        cached = self._decisions.get(cache_key)
        if cached is not None:
            return cached, action, resources
        context = {**global_context(ctx), **specific}
        request = AuthorizationRequest.for_principal(
            principal,
            action,
            resources,
            identity_policies=policies,
            permissions_boundary=boundary,
            resource_policy=resource_policy,
            resource_account=resource_account,
            scp_levels=scps.levels if scps is not None else None,
            rcp_levels=rcps.levels if rcps is not None else None,
            **session,
            context=context,
        )
        decision = evaluate(request)
        if len(self._decisions) >= _DECISION_CACHE_SIZE:
            self._decisions.clear()
        self._decisions[cache_key] = decision
        return decision, action, resources

    def _organization_keys(self, principal: Principal, owner: str | None, source: Any) -> dict[str, Any]:
        """The global keys that name organizations, when they have values ("AWS global condition
        context keys"): the principal's, the resource's and the calling service's source account's."""
        keys: dict[str, Any] = {"aws:ResourceAccount": owner} if owner else {}
        if not self._in_organization():
            return keys
        membership = self._organizations()[2]
        if principal.kind in _ACCOUNT_PRINCIPALS:
            found = membership(principal.account_id)
            if found:
                keys["aws:PrincipalOrgID"], path = found
                keys["aws:PrincipalOrgPaths"] = [path]
        if owner:
            found = membership(owner)
            if found:
                keys["aws:ResourceOrgID"], path = found
                keys["aws:ResourceOrgPaths"] = [path]
        if isinstance(source, str) and source:
            found = membership(source)
            if found:
                keys["aws:SourceOrgID"] = found[0]
                keys["aws:SourceOrgPaths"] = [found[1]]
        return keys


_DECISION_CACHE_SIZE = 20000
# Principals of an AWS account (aws:PrincipalOrgID is theirs; not an anonymous caller's or a service's).
_ACCOUNT_PRINCIPALS = ("Account", "User", "AssumedRole", "FederatedUser")


def _resource_owner(principal: Principal, resources: list[str], resource_account: str | None) -> str | None:
    """The account that owns the request's resource: the provider's word, else the ARN's account
    field, else (an ARN without one, like an S3 bucket's) the caller's; None without a resource."""
    arns = [arn for arn in resources if not names_no_resource(arn)]
    if not arns:
        return None  # an action on no resource type (ListBuckets, ListQueues): RCPs do not apply
    if resource_account:
        return resource_account
    parts = arns[0].split(":", 5)
    if len(parts) > 4 and parts[4]:
        return parts[4]
    return principal.account_id or None


class _PolicySet:
    """A principal's compiled identity policies and boundary, and the context keys they read."""

    __slots__ = ("policies", "boundary", "keys")

    def __init__(self, policies: list[Policy], boundary: Policy | None) -> None:
        self.policies = policies
        self.boundary = boundary
        self.keys: tuple[str, ...] = ()


def _identity(policy: Policy | None) -> tuple[str, str, str] | None:
    return None if policy is None else (policy.kind, policy.policy_id, policy.document)


_NO_POLICIES = _PolicySet([], None)


def _nothing(_: Any) -> None:
    return None


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# The STS calls a session from GetSessionToken or GetFederationToken may make.
_STS_CALLS_OF_SESSIONS: dict[str, frozenset[str]] = {
    "session": frozenset(("AssumeRole", "GetCallerIdentity")),
    "federation": frozenset(("GetCallerIdentity",)),
}


def _token_kind(principal: Principal) -> str:
    """"federation" for GetFederationToken's credentials, "session" for GetSessionToken's, else ""."""
    if principal.kind == "FederatedUser":
        return "federation"
    if principal.kind in ("User", "Account") and principal.session_expires is not None and principal.session_policy is None:
        return "session"  # (an AssumeRoot session, root with a task policy, is no GetSessionToken session)
    return ""


def _session_without_mfa(principal: Principal) -> bool:
    """Credentials from GetSessionToken (a user's or root's session) obtained without an MFA code."""
    return _token_kind(principal) == "session" and not principal.mfa_authenticated


def _parse(document: str, kind: str, policy_id: str) -> Policy | None:
    try:
        return parse_policy(document, kind, policy_id=policy_id)  # type: ignore[arg-type]
    except MalformedPolicy:
        return None  # stored before validation tightened: it grants nothing
