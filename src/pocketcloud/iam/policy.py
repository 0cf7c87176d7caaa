"""Policy documents: parsing, validation with IAM's own error messages, and compilation.

`parse_policy` turns a JSON policy (text or dict) into a `Policy` whose
statements hold compiled matchers: action wildcards (case-insensitive),
resource wildcards (case-sensitive, ARN-segment aware, see `arn.py`),
principals and conditions. Compiled policies are cached by document text, and
each policy remembers which of its statements can apply to an action, so
evaluating a request touches only the statements that name its action.

Kinds of policy, which decide what a document may contain:

    identity   attached to a user, group or role      no Principal
    boundary   a permissions boundary                 no Principal
    session    passed to AssumeRole/GetFederationToken no Principal
    resource   attached to a resource (bucket, queue)  Principal required
    trust      a role's trust policy                  Principal required, no Resource
    scp        an Organizations service control policy no Principal
    rcp        an Organizations resource control policy Principal required

Messages follow IAM's MalformedPolicyDocument wording ("Syntax errors in
policy.", "Policy statement must contain actions.", ...). Evaluation lives in
`evaluate.py`; this module never sees a request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pocketcloud.iam.arn import compile_glob, compile_globs, policy_glob
from pocketcloud.iam.conditions import (
    LEGACY_PARSING_ERROR,
    SYNTAX_ERROR,
    Condition,
    ConditionSyntaxError,
    compile_conditions,
)
from pocketcloud.iam.variables import KeyLookup, Template, has_variables, parse_template

PolicyKind = Literal["identity", "boundary", "session", "resource", "trust", "key", "scp", "rcp"]
POLICY_KINDS = ("identity", "boundary", "session", "resource", "trust", "key", "scp", "rcp")
CURRENT_VERSION = "2012-10-17"
LEGACY_VERSION = "2008-10-17"

_TOP_ELEMENTS = {"Version", "Id", "Statement"}
_STATEMENT_ELEMENTS = {
    "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
}  # fmt: skip
_PRINCIPAL_TYPES = {"AWS", "Service", "Federated", "CanonicalUser"}
_ACCOUNT_ID = re.compile(r"\d{12}")
_ACCOUNT_ROOT = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):root")
_UNIQUE_ID = re.compile(r"A[A-Z0-9]{15,127}")
# An "AWS" principal named by ARN, as IAM and S3 take one when a policy is written ("AWS JSON policy
# elements: Principal", IAM User Guide): an account's root, an IAM user or role, an STS assumed-role or
# federated-user session ("aws" for AWS's own account), or a CloudFront origin access identity, the
# principal OAI bucket policies name; never a group ("You cannot identify a user group as a principal
# in a policy"), a policy or a provider. Stored policies are evaluated with any "arn:" entry, which
# then matches nothing: a write that skipped this check must not void the rest of the policy.
PRINCIPAL_ARN = re.compile(
    r"arn:aws[a-z-]*:(?:iam::(?:\d{12}|aws):(?:root|(?:user|role)/[^*?]+)"
    r"|sts::(?:\d{12}|aws):(?:assumed-role|federated-user)/[^*?]+"
    r"|iam::cloudfront:user/CloudFront Origin Access Identity [A-Z0-9]+)"
)


def is_principal_name(entry: str) -> bool:
    """Whether an "AWS" principal entry names a principal as IAM and S3 take one on write: "*", an
    account id, a unique id (AIDA..., AROA...) or a `PRINCIPAL_ARN`."""
    return entry == "*" or bool(
        _ACCOUNT_ID.fullmatch(entry) or _UNIQUE_ID.fullmatch(entry) or PRINCIPAL_ARN.fullmatch(entry)
    )


_VENDOR = re.compile(r"[a-zA-Z0-9\-.]+")
_ACTION_INDEX_LIMIT = 2048


class MalformedPolicy(ValueError):
    """A policy document IAM would refuse; `message` is IAM's wording."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """A Principal or NotPrincipal element. Wildcards only as the whole "*"."""

    everyone: bool = False
    accounts: frozenset[str] = frozenset()  # "123456789012" and "arn:aws:iam::123456789012:root"
    arns: frozenset[str] = frozenset()  # users, roles, role sessions, federated users
    unique_ids: frozenset[str] = frozenset()  # AIDA.../AROA... as IAM stores deleted-and-unknown principals
    services: frozenset[str] = frozenset()
    federated: frozenset[str] = frozenset()
    canonical_users: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class _ResourceTemplate:
    """A Resource entry with variables: they may appear only after the fifth colon."""

    head_glob: str
    tail: Template


@dataclass(frozen=True, slots=True)
class Statement:
    """One compiled statement; `evaluate.py` asks it about actions, resources and conditions."""

    index: int  # position in the Statement list, 0-based
    sid: str | None
    effect: str  # "Allow" | "Deny"
    actions: re.Pattern[str]  # matches lower-cased actions
    not_action: bool
    resources: re.Pattern[str] | None  # None: no static entries (or no Resource element at all)
    resource_templates: tuple[_ResourceTemplate, ...]
    not_resource: bool
    has_resource_element: bool
    principal: PrincipalSpec | None
    not_principal: bool
    conditions: tuple[Condition, ...]

    def matches_action(self, action_lower: str) -> bool:
        return (self.actions.fullmatch(action_lower) is not None) != self.not_action

    def matches_resource(self, resource: str, lookup: KeyLookup, missing: set[str]) -> bool:
        if not self.has_resource_element:
            return True
        hit = self.resources is not None and self.resources.fullmatch(resource) is not None
        for template in self.resource_templates:
            if hit:
                break
            tail = template.tail.render(lookup, glob=True, missing=missing)
            if tail is not None:
                hit = compile_glob(template.head_glob + tail, "resource").fullmatch(resource) is not None
        return hit != self.not_resource

    def conditions_hold(self, lookup: KeyLookup, missing: set[str]) -> bool:
        # Every condition is evaluated (no short circuit) so that all missing keys are reported.
        holds = True
        for condition in self.conditions:
            if not condition.evaluate(lookup, missing):
                holds = False
        return holds


@dataclass(frozen=True, eq=False)
class Policy:
    """A compiled policy document. Shared between requests (and threads): only its action index mutates."""

    kind: PolicyKind
    version: str  # "2012-10-17", or "2008-10-17" also when the document has no Version
    statements: tuple[Statement, ...]
    policy_id: str = ""
    document: str = ""
    _by_action: dict[str, tuple[Statement, ...]] = field(default_factory=dict, repr=False)

    @property
    def substitutes_variables(self) -> bool:
        return self.version == CURRENT_VERSION

    def statements_for(self, action_lower: str) -> tuple[Statement, ...]:
        """The statements whose Action/NotAction covers this (lower-cased) action, memoised."""
        found = self._by_action.get(action_lower)
        if found is None:
            if len(self._by_action) >= _ACTION_INDEX_LIMIT:
                self._by_action.clear()
            found = tuple(st for st in self.statements if st.matches_action(action_lower))
            self._by_action[action_lower] = found
        return found

    @property
    def context_keys(self) -> tuple[str, ...]:
        """Condition keys and variable keys the policy references (for GetContextKeysForPolicy), in
        AWS's order: statement by statement, a statement's resource variables before its conditions
        (["aws:username", "aws:CurrentTime"] for the CLI's documented example)."""
        keys: dict[str, str] = {}
        for statement in self.statements:
            for template in statement.resource_templates:
                for key in template.tail.keys:
                    keys.setdefault(key.lower(), key)
            for condition in statement.conditions:
                for key in (condition.key, *condition.variable_keys):
                    keys.setdefault(key.lower(), key)
        return tuple(keys.values())


def parse_policy(
    document: str | bytes | Mapping[str, Any],
    kind: PolicyKind = "identity",
    *,
    policy_id: str = "",
    require_current_version: bool = False,
) -> Policy:
    """Validate and compile a policy document; raises MalformedPolicy with IAM's message.

    `require_current_version` is for IAM managed policies (CreatePolicy,
    CreatePolicyVersion), which refuse documents older than 2012-10-17.
    """
    if kind not in POLICY_KINDS:
        raise ValueError(f"unknown policy kind {kind!r}")
    if isinstance(document, Mapping):
        try:
            text = json.dumps(document)
        except (TypeError, ValueError):
            raise MalformedPolicy(SYNTAX_ERROR) from None
    elif isinstance(document, bytes):
        try:
            text = document.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedPolicy(SYNTAX_ERROR) from None
    else:
        text = document
    return _parse_text(text, kind, policy_id, require_current_version)


@lru_cache(maxsize=4096)
def _parse_text(text: str, kind: PolicyKind, policy_id: str, require_current_version: bool) -> Policy:
    raw = _load(text, kind)
    statements = _statement_objects(raw, kind)
    version = raw.get("Version", LEGACY_VERSION)
    if require_current_version and version != CURRENT_VERSION:
        raise MalformedPolicy("Policy document must be version 2012-10-17 or greater.")
    if any(statement["Effect"] not in ("Allow", "Deny") for statement in statements):
        raise MalformedPolicy(LEGACY_PARSING_ERROR)  # "allow": right word, wrong case
    _check_required_elements(statements, kind)
    substitute = version == CURRENT_VERSION
    compiled = tuple(_compile_statement(i, statement, substitute) for i, statement in enumerate(statements))
    return Policy(kind=kind, version=version, statements=compiled, policy_id=policy_id, document=text)


def _load(text: str, kind: PolicyKind) -> dict[str, Any]:
    try:
        raw = json.loads(text)
    except (ValueError, TypeError, RecursionError):  # RecursionError: nested too deep for json
        raise MalformedPolicy(SYNTAX_ERROR) from None
    if kind == "trust" and isinstance(raw, dict):
        _refuse_unknown_fields(raw, _TOP_ELEMENTS)
    if not isinstance(raw, dict) or not set(raw) <= _TOP_ELEMENTS or "Statement" not in raw:
        raise MalformedPolicy(SYNTAX_ERROR)
    if "Version" in raw and raw["Version"] not in (CURRENT_VERSION, LEGACY_VERSION):
        raise MalformedPolicy(SYNTAX_ERROR)
    if "Id" in raw and not isinstance(raw["Id"], str):
        raise MalformedPolicy(SYNTAX_ERROR)
    return raw


def _refuse_unknown_fields(element: dict[str, Any], known: set[str] | frozenset[str]) -> None:
    """A trust policy's validator names the first element it does not know, as it names a missing or
    prohibited one: AWS answers UpdateAssumeRolePolicy with '{"invalid":true}' "MalformedPolicyDocument:
    Unknown field invalid" (the Terraform AWS provider's TestAccIAMRole_Identity_ExistingResource_OnError)."""
    unknown = next((name for name in element if name not in known), None)
    if unknown is not None:
        raise MalformedPolicy(f"Unknown field {unknown}")


def _is_strings(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def _statement_objects(raw: dict[str, Any], kind: PolicyKind) -> list[dict[str, Any]]:
    """The Statement element as a list, checked for shape (IAM's "Syntax errors in policy.")."""
    statements = raw["Statement"]
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list) or not statements:
        raise MalformedPolicy(SYNTAX_ERROR)
    for statement in statements:
        if kind == "trust" and isinstance(statement, dict):
            _refuse_unknown_fields(statement, _STATEMENT_ELEMENTS)
        if not isinstance(statement, dict) or not set(statement) <= _STATEMENT_ELEMENTS:
            raise MalformedPolicy(SYNTAX_ERROR)
        for pair in (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal")):
            if pair[0] in statement and pair[1] in statement:
                raise MalformedPolicy(SYNTAX_ERROR)
        effect = statement.get("Effect")
        if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
            raise MalformedPolicy(SYNTAX_ERROR)
        for element in ("Action", "NotAction", "Resource", "NotResource"):
            if element in statement and not _is_strings(statement[element]):
                raise MalformedPolicy(SYNTAX_ERROR)
        if "Sid" in statement and not isinstance(statement["Sid"], str):
            raise MalformedPolicy(SYNTAX_ERROR)
        has_principal = "Principal" in statement or "NotPrincipal" in statement
        if has_principal and kind in ("identity", "boundary", "session", "scp"):
            raise MalformedPolicy("Policy document should not specify a principal.")
    return statements


def _check_required_elements(statements: list[dict[str, Any]], kind: PolicyKind) -> None:
    sids = [statement["Sid"] for statement in statements if statement.get("Sid")]
    if len(sids) != len(set(sids)):
        raise MalformedPolicy("Statement IDs (SID) in a single policy must be unique.")
    for statement in statements:
        if not statement.get("Action") and not statement.get("NotAction"):
            raise MalformedPolicy("Policy statement must contain actions.")
    for statement in statements:
        has_resource = "Resource" in statement or "NotResource" in statement
        if kind == "trust":
            if has_resource:
                raise MalformedPolicy("Has prohibited field Resource")
        elif not statement.get("Resource") and not statement.get("NotResource"):
            raise MalformedPolicy("Policy statement must contain resources.")
        if kind in ("resource", "trust", "key", "rcp") and "Principal" not in statement and "NotPrincipal" not in statement:
            raise MalformedPolicy("Missing required field Principal")
    for statement in statements:
        for resource in _as_list(statement.get("Resource", statement.get("NotResource", []))):
            if resource != "*" and ":" not in resource:
                raise MalformedPolicy(f'Resource {resource} must be in ARN format or "*".')
    for statement in statements:
        for action in _as_list(statement.get("Action", statement.get("NotAction", []))):
            check_action(action)


def check_action(action: str) -> None:
    """Refuse an action IAM's grammar refuses (MalformedPolicy, in IAM's words)."""
    if action == "*":
        return
    vendor, colon, rest = action.partition(":")
    if not colon:
        raise MalformedPolicy("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
    if ":" in rest:
        raise MalformedPolicy("Actions/Condition can contain only one colon.")
    if vendor != "*" and not _VENDOR.fullmatch(vendor):
        raise MalformedPolicy(f"Vendor {vendor} is not valid")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _compile_statement(index: int, raw: dict[str, Any], substitute: bool) -> Statement:
    not_action = "NotAction" in raw
    actions = _as_list(raw["NotAction"] if not_action else raw["Action"])
    action_globs = tuple(policy_glob(action.lower()) for action in actions)

    not_resource = "NotResource" in raw
    has_resource_element = not_resource or "Resource" in raw
    resources = _as_list(raw["NotResource"] if not_resource else raw.get("Resource", []))
    static_globs: list[str] = []
    templates: list[_ResourceTemplate] = []
    for resource in resources:
        parts = resource.split(":", 5)
        if substitute and len(parts) == 6 and has_variables(parts[5]):
            head = ":".join(parts[:5]) + ":"
            templates.append(_ResourceTemplate(policy_glob(head), parse_template(parts[5])))
        else:
            static_globs.append(policy_glob(resource))

    not_principal = "NotPrincipal" in raw
    principal_element = raw.get("NotPrincipal" if not_principal else "Principal")
    try:
        conditions = compile_conditions(raw["Condition"], substitute) if "Condition" in raw else ()
    except ConditionSyntaxError as error:
        raise MalformedPolicy(str(error)) from None
    return Statement(
        index=index,
        sid=raw.get("Sid"),
        effect=raw["Effect"],
        actions=compile_globs(action_globs),
        not_action=not_action,
        resources=compile_globs(tuple(static_globs), "resource") if static_globs else None,
        resource_templates=tuple(templates),
        not_resource=not_resource,
        has_resource_element=has_resource_element,
        principal=None if principal_element is None else _compile_principal(principal_element),
        not_principal=not_principal,
        conditions=conditions,
    )


def _compile_principal(element: Any) -> PrincipalSpec:
    if element == "*":
        return PrincipalSpec(everyone=True)
    if not isinstance(element, dict) or not element or not set(element) <= _PRINCIPAL_TYPES:
        raise MalformedPolicy(SYNTAX_ERROR)
    if not all(_is_strings(value) for value in element.values()):
        raise MalformedPolicy(SYNTAX_ERROR)
    everyone = False
    accounts: set[str] = set()
    arns: set[str] = set()
    unique_ids: set[str] = set()
    for entry in _as_list(element.get("AWS", [])):
        root = _ACCOUNT_ROOT.fullmatch(entry)
        if entry == "*":
            everyone = True
        elif _ACCOUNT_ID.fullmatch(entry):
            accounts.add(entry)
        elif root:
            accounts.add(root.group(1))
        elif entry.startswith("arn:") and "*" not in entry and "?" not in entry:
            arns.add(entry)
        elif _UNIQUE_ID.fullmatch(entry):
            unique_ids.add(entry)
        else:
            raise MalformedPolicy(f'Invalid principal in policy: "AWS":"{entry}"')
    return PrincipalSpec(
        everyone=everyone,
        accounts=frozenset(accounts),
        arns=frozenset(arns),
        unique_ids=frozenset(unique_ids),
        services=frozenset(_as_list(element.get("Service", []))),
        federated=frozenset(_as_list(element.get("Federated", []))),
        canonical_users=frozenset(_as_list(element.get("CanonicalUser", []))),
    )
