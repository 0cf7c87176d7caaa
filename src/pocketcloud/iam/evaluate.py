"""Policy evaluation: may this principal perform this action on this resource?

Implements AWS's documented logic (IAM User Guide, "Policy evaluation logic",
"Cross-account policy evaluation logic", "Permissions boundaries", "Session
policies", "AWS JSON policy elements: Principal"):

1. An explicit Deny that applies, in any policy, ends evaluation: denied.
2. Same account. An Allow in an identity-based policy counts only if the
   permissions boundary (when there is one) and the session policies (for a
   session) also allow. An Allow in the resource-based policy counts on its
   own when it names the caller directly (an IAM user ARN, a role-session or
   federated-user ARN, or "*"); when it names the *role* of a session, or the
   IAM user a federated session came from, it is still limited by an implicit
   deny in the boundary or session policy; when it names the account, it only
   delegates to the account's identity-based policies.
3. Cross account: the caller's side (identity policy, boundary, session
   policy) and the resource policy must both allow.
4. The root user may do anything in its own account unless a resource policy
   denies it; identity policies do not apply to it.
5. Anonymous callers and AWS services have no identity policies: only a
   resource policy that names them ("*", or the service) can allow them.
6. A role session without session policies keeps the role's permissions; a
   federated-user session without a session policy has none.
7. Role trust policies must always name the caller (an identity policy alone
   never lets a principal assume a role). A KMS key policy must name the caller
   or its account (which delegates to the identity-based policies): identity
   policies alone never give access to a key ("Key policies in AWS KMS").
8. Service control policies ("SCP evaluation"), when the caller's account is a
   member of an organization: every level from the root down to the account
   must have an SCP that allows, and a Deny in any of them is final. They
   limit the member account's root user too, and never grant.
9. Resource control policies ("RCP evaluation"), when the resource belongs to a
   member account: the same level-by-level rule, for every caller (another
   account's principal, an anonymous one); they never grant either.

The engine is a pure library: requests come in as `AuthorizationRequest`,
answers go out as `Decision`; nothing here knows about HTTP. `denial_message`
renders AWS's AccessDenied wording from a Decision.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pocketcloud.iam.policy import MalformedPolicy, Policy, PrincipalSpec, parse_policy
from pocketcloud.iam.variables import KeyLookup

if TYPE_CHECKING:
    from pocketcloud.auth.principal import Principal

# aws:PrincipalType values, plus the two kinds of caller that only resource policies can name.
ROOT = "Account"
USER = "User"
ASSUMED_ROLE = "AssumedRole"
FEDERATED_USER = "FederatedUser"
ANONYMOUS = "Anonymous"
SERVICE = "Service"  # an AWS service principal, e.g. "sns.amazonaws.com"
WEB_IDENTITY = "WebIdentity"  # an external IdP (OIDC or SAML) in AssumeRoleWith*: matched by "Federated"
_HAS_IDENTITY_POLICIES = (USER, ASSUMED_ROLE, FEDERATED_USER)
_SESSIONS = (ASSUMED_ROLE, FEDERATED_USER)

# How a resource-policy Allow names the caller, strongest first (see rule 2 above).
_DIRECT, _LIMITED, _ACCOUNT, _NOT_NAMED = 3, 2, 1, 0

IDENTITY, RESOURCE, BOUNDARY, SESSION, TRUST = "identity", "resource", "boundary", "session", "trust"
KEY = "key"  # a KMS key policy: a resource policy that must name the caller or its account
SCP = "scp"
RCP = "rcp"


@dataclass(frozen=True)
class AuthorizationRequest:
    """Everything evaluation needs: who, what, on which resources, in what context, under which policies."""

    action: str  # "s3:GetObject"
    resources: str | Sequence[str] = "*"
    principal_arn: str = "*"
    principal_type: str = ANONYMOUS
    principal_account: str = ""
    user_id: str = ""  # aws:userid ("AIDA...", "AROA...:session", the account id for root)
    username: str = ""  # aws:username; IAM users only
    principal_tags: Mapping[str, str] = field(default_factory=dict)
    # The role of a role session, or the IAM user a federated-user session was created from.
    parent_arn: str | None = None
    resource_account: str | None = None  # None: the principal's own account
    context: Mapping[str, Any] = field(default_factory=dict)  # condition keys; lists for multivalued keys
    identity_policies: Sequence[Policy] = ()  # user inline + attached + groups', or the role's
    permissions_boundary: Policy | None = None
    session_policies: Sequence[Policy] | None = None  # None: no session policy was passed
    resource_policy: Policy | None = None  # a bucket/queue/... policy, or the trust policy of a role
    # The caller's SCPs, one group per level from the organization's root down to its account;
    # None when no SCP applies (no organization, the management account, a service-linked role).
    scp_levels: Sequence[Sequence[Policy]] | None = None
    # The resource account's RCPs, the same way; None when none apply (a resource of no member
    # account, a service RCPs do not cover, a service-linked role calling).
    rcp_levels: Sequence[Sequence[Policy]] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.resources, str):
            object.__setattr__(self, "resources", (self.resources,))

    @classmethod
    def for_principal(
        cls, principal: Principal, action: str, resources: str | Sequence[str] = "*", **kwargs: Any
    ) -> AuthorizationRequest:
        """A request for an authenticated `auth.principal.Principal`, with its session policy parsed."""
        if principal.session_policy and "session_policies" not in kwargs:
            kwargs["session_policies"] = (
                parse_policy(principal.session_policy, "session", policy_id="session"),
            )
        return cls(
            action=action,
            resources=resources,
            principal_arn=principal.arn,
            principal_type=principal.kind,
            principal_account=principal.account_id,
            user_id=principal.user_id,
            username=principal.name if principal.kind == USER else "",
            principal_tags=dict(principal.tags),
            parent_arn=principal.role_arn,
            **kwargs,
        )


@dataclass(slots=True)
class MatchedStatement:
    """A statement that applied to the request (SimulatePrincipalPolicy's MatchedStatements).

    Not frozen: frozen dataclasses cost three times as much to build, and each
    record is new to the Decision that holds it.
    """

    policy_id: str
    policy_kind: str
    index: int  # position in the policy's Statement list, 0-based
    sid: str | None
    effect: str


class Decision(NamedTuple):
    """The answer to an AuthorizationRequest (a named tuple: immutable and cheap to build)."""

    allowed: bool
    decision: str  # "allowed" | "explicitDeny" | "implicitDeny" (the simulator's EvalDecision)
    # Which kind of policy denied or failed to allow: identity, resource, boundary, session, trust, scp
    # or rcp.
    denied_by: str | None
    matched_statements: tuple[MatchedStatement, ...] = ()
    missing_context_keys: tuple[str, ...] = ()
    allowed_by_boundary: bool | None = None  # None when no boundary applies


# --- the request context -----------------------------------------------------------------------


def _context_values(raw: Any) -> tuple[str, ...] | None:
    if type(raw) is str:
        return (raw,)
    if raw is None:
        return None
    if isinstance(raw, list | tuple | set | frozenset):
        values = tuple(value for item in raw for value in (_context_values(item) or ()))
        return values or None
    if isinstance(raw, bool):
        return ("true" if raw else "false",)
    if isinstance(raw, bytes):
        return (base64.b64encode(raw).decode("ascii"),)
    if isinstance(raw, datetime):
        return (_iso(raw),)
    return (str(raw),)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_UNSEEN = object()


class ContextKeys:
    """Condition keys by lower-cased name: the request's own, then those derived from the principal.

    Values are converted on first use only: a request carries a dozen global
    keys and a policy usually asks for one or two.
    """

    __slots__ = ("_request", "_raw", "_values")

    def __init__(self, request: AuthorizationRequest) -> None:
        self._request = request
        self._raw: dict[str, Any] | None = None
        self._values: dict[str, tuple[str, ...] | None] = {}

    def get(self, key_lower: str) -> tuple[str, ...] | None:
        found = self._values.get(key_lower, _UNSEEN)
        if found is not _UNSEEN:
            return found  # type: ignore[return-value]
        if self._raw is None:
            self._raw = {key.lower(): raw for key, raw in self._request.context.items()}
        values = _context_values(self._raw.get(key_lower))
        if values is None:
            values = _derived_key(self._request, key_lower)
        self._values[key_lower] = values
        return values


def _derived_key(request: AuthorizationRequest, key_lower: str) -> tuple[str, ...] | None:
    """A global key AWS fills in from the principal or the clock ("AWS global condition context keys")."""
    kind = request.principal_type
    if key_lower == "aws:principalisawsservice":
        return ("true" if kind == SERVICE else "false",)
    if key_lower == "aws:principalservicename":
        return (request.principal_arn,) if kind == SERVICE else None
    if key_lower in ("aws:currenttime", "aws:epochtime"):
        now = datetime.now(UTC)
        return (_iso(now),) if key_lower == "aws:currenttime" else (str(int(now.timestamp())),)
    if key_lower == "aws:principaltype":
        return (kind,) if kind in (ROOT, ANONYMOUS, *_HAS_IDENTITY_POLICIES) else None
    if kind not in (ROOT, *_HAS_IDENTITY_POLICIES):
        return None
    if key_lower == "aws:principalaccount":
        return (request.principal_account,)
    if key_lower == "aws:principalarn":
        # For a role session aws:PrincipalArn is the role's ARN, not the session's.
        role_arn = request.parent_arn if kind == ASSUMED_ROLE else None
        return (role_arn or request.principal_arn,)
    if key_lower == "aws:userid":
        return (request.user_id,) if request.user_id else None
    if key_lower == "aws:username":
        return (request.username or request.principal_arn.rsplit("/", 1)[-1],) if kind == USER else None
    if key_lower.startswith("aws:principaltag/"):
        wanted = key_lower[len("aws:principaltag/") :]
        for tag, value in request.principal_tags.items():
            if tag.lower() == wanted:
                return (value,)
    return None


# --- principals ----------------------------------------------------------------------------------


def _naming(spec: PrincipalSpec, request: AuthorizationRequest) -> int:
    """How strongly a Principal element names the caller (`_DIRECT`, `_LIMITED`, `_ACCOUNT`, `_NOT_NAMED`)."""
    kind = request.principal_type
    if spec.everyone:
        return _DIRECT
    if kind == SERVICE:
        return _DIRECT if request.principal_arn in spec.services else _NOT_NAMED
    if kind == WEB_IDENTITY:
        return _DIRECT if request.principal_arn in spec.federated else _NOT_NAMED
    if kind == ANONYMOUS:
        return _NOT_NAMED
    if request.principal_arn in spec.arns or (request.user_id and request.user_id in spec.unique_ids):
        return _DIRECT
    if request.parent_arn and request.parent_arn in spec.arns:
        return _LIMITED
    if kind == ASSUMED_ROLE and request.user_id.partition(":")[0] in spec.unique_ids:
        return _LIMITED
    if request.principal_account in spec.accounts:
        return _ACCOUNT
    return _NOT_NAMED


def _not_principal_applies(spec: PrincipalSpec, request: AuthorizationRequest, effect: str) -> bool:
    """Does a NotPrincipal statement apply to the caller?

    AWS checks the caller's whole chain (account, then role, then session), so
    a Deny spares the caller only when every link is named, and an Allow skips
    the caller when any link is. AWS also documents that Deny with NotPrincipal
    always applies to a principal that has a permissions boundary.
    """
    if spec.everyone:
        return False
    if effect == "Deny" and request.permissions_boundary is not None:
        return True
    kind = request.principal_type
    if kind in (ANONYMOUS, SERVICE, WEB_IDENTITY):
        named = [_naming(spec, request) == _DIRECT]
    elif kind == ROOT:
        named = [request.principal_account in spec.accounts]
    else:
        named = [request.principal_arn in spec.arns, request.principal_account in spec.accounts]
        if request.parent_arn:
            named.append(request.parent_arn in spec.arns)
    return not all(named) if effect == "Deny" else not any(named)


# --- evaluation ---------------------------------------------------------------------------------


class _Scan(NamedTuple):
    """What one group of policies says about the request."""

    allows: bool
    denies: bool
    naming: int  # resource policies: the strongest naming among the Allows that apply


_NOTHING = _Scan(False, False, _NOT_NAMED)


def _scan(
    policies: Sequence[Policy],
    request: AuthorizationRequest,
    action: str,
    resource: str,
    lookup: KeyLookup,
    missing: set[str],
    matched: list[MatchedStatement],
) -> _Scan:
    allows = denies = False
    best_naming = _NOT_NAMED
    for policy in policies:
        for statement in policy.statements_for(action):
            if not statement.matches_resource(resource, lookup, missing):
                continue
            naming = _DIRECT
            if statement.principal is not None:
                if statement.not_principal:
                    applies = _not_principal_applies(statement.principal, request, statement.effect)
                    naming = _DIRECT if applies else _NOT_NAMED
                else:
                    naming = _naming(statement.principal, request)
                if naming == _NOT_NAMED:
                    continue
            if statement.conditions and not statement.conditions_hold(lookup, missing):
                continue
            matched.append(
                MatchedStatement(
                    policy.policy_id, policy.kind, statement.index, statement.sid, statement.effect
                )
            )
            if statement.effect == "Deny":
                denies = True
            else:
                allows = True
                best_naming = max(best_naming, naming)
    return _Scan(allows, denies, best_naming)


def evaluate(request: AuthorizationRequest) -> Decision:
    """Decide a request; with several resources, every one of them must be allowed."""
    lookup = ContextKeys(request).get
    action = request.action.lower()
    missing: set[str] = set()
    matched: list[MatchedStatement] = []
    verdict: tuple[str, str | None, bool | None] | None = None
    for resource in request.resources:
        outcome = _decide(request, action, resource, lookup, missing, matched)
        # Keep the first denial, unless a later resource brings an explicit deny.
        if verdict is None or verdict[0] == "allowed":
            verdict = outcome
        elif outcome[0] == "explicitDeny" and verdict[0] != "explicitDeny":
            verdict = outcome
    assert verdict is not None, "a request names at least one resource"
    decision, denied_by, allowed_by_boundary = verdict
    return Decision(
        allowed=decision == "allowed",
        decision=decision,
        denied_by=denied_by,
        matched_statements=tuple(matched),
        missing_context_keys=tuple(sorted(missing, key=str.lower)) if missing else (),
        allowed_by_boundary=allowed_by_boundary,
    )


def service_allowed(
    policy_text: str | None,
    service: str | Sequence[str],
    action: str,
    resource: str,
    resource_account: str,
    context: Mapping[str, str] | None = None,
    kind: Literal["resource", "trust"] = "resource",
) -> bool:
    """Whether a stored policy (a resource policy, or with kind="trust" a role's trust policy) lets
    an AWS service principal (`service`, or any of several names of it) make `action` on
    `resource`: the check AWS makes before it accepts a service as a destination or a role user.
    No policy, or one that does not parse, allows nothing."""
    if not policy_text:
        return False
    try:
        policy = parse_policy(policy_text, kind, policy_id=kind)
    except MalformedPolicy:
        return False
    names = [service] if isinstance(service, str) else list(service)
    return any(
        evaluate(
            AuthorizationRequest(
                action=action,
                resources=resource,
                principal_arn=name,
                principal_type=SERVICE,
                resource_policy=policy,
                resource_account=resource_account,
                context=context or {},
            )
        ).allowed
        for name in names
    )


def _decide(
    request: AuthorizationRequest,
    action: str,
    resource: str,
    lookup: KeyLookup,
    missing: set[str],
    matched: list[MatchedStatement],
) -> tuple[str, str | None, bool | None]:
    """(decision, kind of policy that denied or failed to allow, allowed by the boundary) for one resource."""
    kind = request.principal_type
    has_identity = kind in _HAS_IDENTITY_POLICIES
    identity = boundary = session = granted = _NOTHING
    if has_identity:
        identity = _scan(request.identity_policies, request, action, resource, lookup, missing, matched)
    boundary_policy = request.permissions_boundary if has_identity else None
    if boundary_policy is not None:
        boundary = _scan((boundary_policy,), request, action, resource, lookup, missing, matched)
    # Root has session policies only in an AssumeRoot session: its task policy, whose denies apply.
    session_policies = request.session_policies if kind in _SESSIONS or kind == ROOT else None
    if session_policies is not None:
        session = _scan(session_policies, request, action, resource, lookup, missing, matched)
    resource_policy = request.resource_policy
    if resource_policy is not None:
        granted = _scan((resource_policy,), request, action, resource, lookup, missing, matched)
    trust = resource_policy is not None and resource_policy.kind == TRUST
    resource_kind = TRUST if trust else RESOURCE
    must_name = trust or (resource_policy is not None and resource_policy.kind == KEY)
    allowed_by_boundary = None if boundary_policy is None else boundary.allows and not boundary.denies

    rcp_allows = _chain_allows(request.rcp_levels, request, action, resource, lookup, missing, matched)
    if rcp_allows is None:
        return "explicitDeny", RCP, allowed_by_boundary
    scp_allows = _chain_allows(request.scp_levels, request, action, resource, lookup, missing, matched)
    if scp_allows is None:
        return "explicitDeny", SCP, allowed_by_boundary
    # Several kinds may deny; like AWS, the message names only one (this order decides which).
    for scanned, policy_kind in (
        (identity, IDENTITY),
        (granted, resource_kind),
        (boundary, BOUNDARY),
        (session, SESSION),
    ):
        if scanned.denies:
            return "explicitDeny", policy_kind, allowed_by_boundary
    # AWS checks RCPs, then SCPs, before any policy that could allow.
    if not rcp_allows:
        return "implicitDeny", RCP, allowed_by_boundary
    if not scp_allows:
        return "implicitDeny", SCP, allowed_by_boundary
    failed = _failed_to_allow(
        request, identity, boundary_policy, boundary, session_policies, session, granted, must_name, resource_kind
    )
    if failed is None:
        return "allowed", None, allowed_by_boundary
    return "implicitDeny", failed, allowed_by_boundary


def _chain_allows(
    levels: Sequence[Sequence[Policy]] | None,
    request: AuthorizationRequest,
    action: str,
    resource: str,
    lookup: KeyLookup,
    missing: set[str],
    matched: list[MatchedStatement],
) -> bool | None:
    """An organization policy chain: None on an explicit deny, else whether every level allows."""
    if levels is None:
        return True
    allows = True
    for level in levels:
        scanned = _scan(level, request, action, resource, lookup, missing, matched)
        if scanned.denies:
            return None
        allows = allows and scanned.allows
    return allows


def _failed_to_allow(
    request: AuthorizationRequest,
    identity: _Scan,
    boundary_policy: Policy | None,
    boundary: _Scan,
    session_policies: Sequence[Policy] | None,
    session: _Scan,
    granted: _Scan,
    must_name: bool,
    resource_kind: str,
) -> str | None:
    """With no explicit deny: None if some path allows, else the kind of policy that failed to allow.
    `must_name`: the resource policy must name the caller or its account (a trust or key policy)."""
    kind = request.principal_type
    same_account = request.resource_account in (None, request.principal_account)
    if kind not in _HAS_IDENTITY_POLICIES:
        if kind == ROOT:
            # Root needs nothing in its own account; elsewhere (and for a trust policy) it must be named.
            named = (same_account and not must_name) or granted.naming != _NOT_NAMED
        else:
            named = granted.naming == _DIRECT  # anonymous, services, external identity providers
        return None if named else resource_kind

    boundary_ok = boundary_policy is None or boundary.allows
    # A role session without session policies keeps its role's permissions; a federated user has none.
    if session_policies is not None:
        session_ok = session.allows
    else:
        session_ok = kind != FEDERATED_USER
    limit_failure = BOUNDARY if not boundary_ok else SESSION if not session_ok else None
    caller_side_failure = IDENTITY if not identity.allows else limit_failure

    if not same_account:
        # Cross account: the caller's own account and the resource's account must both allow.
        return caller_side_failure or (None if granted.naming != _NOT_NAMED else resource_kind)
    if granted.naming == _DIRECT:
        return None
    if granted.naming == _LIMITED:
        # A grant to the role (or to the user behind a federated session) stays within boundary and session.
        return limit_failure
    if must_name and granted.naming == _NOT_NAMED:
        return resource_kind
    # Nothing names the caller directly: the identity-based path decides (an account grant only delegates).
    return caller_side_failure


# --- AccessDenied wording -----------------------------------------------------------------------

_EXPLICIT_DENY_IN = {
    IDENTITY: "an identity-based policy",
    RESOURCE: "a resource-based policy",
    BOUNDARY: "a permissions boundary",
    SESSION: "a session policy",
    SCP: "a service control policy",
    RCP: "a resource control policy",
}
_NO_POLICY_ALLOWS = {
    IDENTITY: "identity-based policy",
    RESOURCE: "resource-based policy",
    BOUNDARY: "permissions boundary",
    SESSION: "session policy",
    SCP: "service control policy",
    RCP: "resource control policy",
}


# What s3:ListAllMyBuckets, an action on no resource type, is asked on (services/s3/buckets.py).
EVERY_BUCKET = "arn:aws:s3:::*"


def names_no_resource(arn: str) -> bool:
    """Whether a request resource is no particular resource: "*" (an action on no resource type) or
    S3's every bucket."""
    return arn in ("*", EVERY_BUCKET)


def denial_message(
    decision: Decision, principal_arn: str, action: str, resource: str, *, quote_resource: bool | None = None
) -> str:
    """AWS's AccessDenied message ("Troubleshoot access denied error messages").

    S3 quotes the resource ARN; other services do not (`quote_resource=None`
    decides by the action's service). SQS writes the action in lower case
    ("sqs:sendmessage"), SendMessageBatch's included. A trust-policy refusal
    keeps STS's historical wording, which gives no reason.
    """
    if decision.allowed:
        raise ValueError("the request was allowed")
    who = principal_arn if principal_arn and principal_arn != "*" else "anonymous"
    if action.lower().startswith("sqs:"):
        action = action.lower()
    quote = action.lower().startswith("s3:") if quote_resource is None else quote_resource
    target = f'"{resource}"' if quote else resource
    head = f"User: {who} is not authorized to perform: {action} on resource: {target}"
    if resource == EVERY_BUCKET:
        # S3 names no resource for ListAllMyBuckets ("... to perform: s3:ListAllMyBuckets because no
        # identity-based policy allows ..."), where Lambda and ECR write "on resource: *".
        head = f"User: {who} is not authorized to perform: {action}"
    kind = decision.denied_by or IDENTITY
    if kind == TRUST:
        return head
    if decision.decision == "explicitDeny":
        return f"{head} with an explicit deny in {_EXPLICIT_DENY_IN[kind]}"
    return f"{head} because no {_NO_POLICY_ALLOWS[kind]} allows the {action} action"
