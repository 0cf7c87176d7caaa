"""Who besides the management account may administer the organization.

Delegated administrators (RegisterDelegatedAdministrator and its kin): a member
account registered for a service that has trusted access (EnableAWSServiceAccess
first, else SERVICE_ACCESS_NOT_ENABLED) may read the organization — the
Describe* and List* calls "from the management account or a member account that
is a delegated administrator" — and cannot leave or be removed or closed while
registered (CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG).

The organization's resource policy (PutResourcePolicy and its kin): the
management account's delegation of Organizations calls to member accounts. It
is handed to the IAM engine as the resource policy of the calls it may delegate
(`resource_policy`), so a member's call is allowed only where the policy and the
member's own identity policies both allow it, as for any cross-account call,
with the call's `organizations:PolicyType` (`condition_values`); the provider
asks the engine the same question before it lets a member through (`delegated`),
so what decides is the policy, also where authorization is switched off.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.services.organizations.service_access import check_service_principal
from pocketcloud.services.organizations.structure import GLOBAL, now_iso, org_error, page

if TYPE_CHECKING:
    from pocketcloud.services.base import ServiceRuntime

Params = dict[str, Any]
_DELEGATES = "delegated_administrators"  # {account: {service principal: DelegationEnabledDate}}
_RESOURCE_POLICY = "resource_policy"

# What a resource policy may delegate (the Organizations User Guide's "Delegated administrator for
# Organizations": reading the organization, and managing its policies).
_POLICY_MANAGEMENT = {
    "CreatePolicy", "UpdatePolicy", "DeletePolicy", "AttachPolicy", "DetachPolicy",
    "EnablePolicyType", "DisablePolicyType", "TagResource", "UntagResource",
}  # fmt: skip
# What any member account may call, whatever the resource policy says.
_ANY_MEMBER = {"DescribeOrganization"}


_POLICY_MANAGEMENT_LOWER = frozenset(operation.lower() for operation in _POLICY_MANAGEMENT)


def _may_delegate(operation: str) -> bool:
    """Whether a resource policy may name `operation` (any case: action names are case-insensitive)."""
    lowered = operation.lower()
    return lowered.startswith(("describe", "list")) or lowered in _POLICY_MANAGEMENT_LOWER


def _invalid_policy_json() -> ServiceError:
    return ServiceError(
        "InvalidInputException",
        "You provided a resource policy that isn't valid JSON.",
        status=400,
        Reason="INVALID_RESOURCE_POLICY_JSON",
    )


def _check_delegable_actions(statement: Params) -> None:
    """A resource policy delegates Organizations calls, and only those a delegated administrator may
    make: reading the organization and managing its policies. An action naming another service, or one
    of the management account's own calls (CreateAccount, InviteAccountToOrganization, ...), is refused
    (UNSUPPORTED_ACTION_IN_RESOURCE_POLICY) where a statement allows it; wildcards are taken as they match."""
    if statement.get("Effect") != "Allow":
        return
    actions = statement.get("Action", [])
    for action in [actions] if isinstance(actions, str) else actions:
        service, _, operation = str(action).partition(":")
        if service.lower() != "organizations" and service != "*":
            raise org_error("InvalidInputException", Reason="UNSUPPORTED_ACTION_IN_RESOURCE_POLICY")
        if operation and "*" not in operation and "?" not in operation and not _may_delegate(operation):
            raise org_error("InvalidInputException", Reason="UNSUPPORTED_ACTION_IN_RESOURCE_POLICY")


def is_read(operation: str) -> bool:
    return operation.startswith(("Describe", "List"))


def _delegable(operation: str) -> bool:
    return (is_read(operation) or operation in _POLICY_MANAGEMENT) and operation not in _ANY_MEMBER


class DelegationOperations:
    state: Any
    store: Any
    accounts: Any
    policies: Any
    runtime: ServiceRuntime
    _member_organization: Callable[[RequestContext], Params]
    _require_administrator: Callable[[RequestContext, Params], Params]
    service_access_enabled: Callable[[str], bool]
    _type_of: Callable[[str], str | None]
    _public: Callable[[Params], Params]
    structure: Callable[[Params], Params]
    save_structure: Callable[[Params], None]

    # -- who may call ---------------------------------------------------------

    def _delegates(self) -> dict[str, dict[str, str]]:
        doc = self.state.get(GLOBAL, _DELEGATES)
        return {account: dict(services) for account, services in (doc or {}).get("Accounts", {}).items()}

    def is_delegated_administrator(self, account_id: str) -> bool:
        return account_id in self._delegates()

    def delegated(self, ctx: RequestContext, org: Params, params: Params) -> bool:
        """Whether `ctx`'s caller, a member account, may make this call of the management account's:
        a read by a delegated administrator, or a call the resource policy allows it (and its own
        identity policies too, as the IAM engine weighs any cross-account call)."""
        operation = ctx.operation or ""
        if is_read(operation) and self.is_delegated_administrator(ctx.account_id):
            return True
        policy_text, owner = self.resource_policy(ctx, operation, params)
        if policy_text is None:
            return False
        ctx.condition_values.update(self.condition_values(ctx, operation, params))
        model = service_model("organizations").operation_model(operation)
        decision, _, _ = self.runtime.authorizer.decide(ctx, model, params, policy_text, owner)
        return bool(decision.allowed)

    def resource_policy(
        self, ctx: RequestContext, operation: str, params: Params
    ) -> tuple[str | None, str | None]:
        """The organization's resource policy, for the IAM engine to weigh a member account's call it
        may delegate; (None, None) for the management account's own calls, for callers outside the
        organization, for a delegated administrator's reads (allowed without it), for the calls any
        member may make, and for calls no resource policy delegates."""
        doc = self.state.get(GLOBAL, _RESOURCE_POLICY)
        if doc is None or not _delegable(operation):
            return None, None
        org = self.state.get(GLOBAL, "organization")
        if (
            org is None
            or ctx.account_id == org["MasterAccountId"]
            or self.accounts.get(GLOBAL, ctx.account_id) is None
        ):
            return None, None
        if is_read(operation) and self.is_delegated_administrator(ctx.account_id):
            return None, None
        return doc["Content"], org["MasterAccountId"]

    def condition_values(self, ctx: RequestContext, operation: str, params: Params) -> Params:
        """`organizations:PolicyType`, the type of policy a call creates, changes or lists, by which a
        resource policy delegates the management of one type only (the User Guide's examples)."""
        policy_type = params.get("Type") or params.get("PolicyType") or params.get("Filter")
        if policy_type is None:
            named = params.get("PolicyId") or params.get("ResourceId")
            if isinstance(named, str) and named.startswith("p-"):
                policy_type = self._type_of(named)  # the AWS-managed FullAWSAccess ones too
        return {"organizations:PolicyType": policy_type} if isinstance(policy_type, str) else {}

    # -- delegated administrators ----------------------------------------------

    def _delegate_candidate(self, ctx: RequestContext, p: Params) -> tuple[Params, str, str]:
        org = self._require_administrator(ctx, p)
        account_id, service = p["AccountId"], p["ServicePrincipal"]
        if self.accounts.get(GLOBAL, account_id) is None:
            raise org_error("AccountNotFoundException")
        check_service_principal(service)
        return org, account_id, service

    def RegisterDelegatedAdministrator(self, ctx: RequestContext, p: Params) -> Params:
        org, account_id, service = self._delegate_candidate(ctx, p)
        if account_id == org["MasterAccountId"]:
            raise org_error(
                "ConstraintViolationException", Reason="CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"
            )
        if self.accounts.get(GLOBAL, account_id).get("Status") in ("PENDING_CLOSURE", "SUSPENDED"):
            raise org_error(
                "ConstraintViolationException",
                Reason="CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
            )
        if not self.service_access_enabled(service):
            raise org_error("ConstraintViolationException", Reason="SERVICE_ACCESS_NOT_ENABLED")
        delegates = self._delegates()
        if service in delegates.get(account_id, {}):
            raise org_error("AccountAlreadyRegisteredException")
        delegates.setdefault(account_id, {})[service] = now_iso()
        self.state.put(GLOBAL, _DELEGATES, {"Accounts": delegates})
        return {}

    def DeregisterDelegatedAdministrator(self, ctx: RequestContext, p: Params) -> Params:
        _, account_id, service = self._delegate_candidate(ctx, p)
        delegates = self._delegates()
        if service not in delegates.get(account_id, {}):
            raise org_error("AccountNotRegisteredException")
        del delegates[account_id][service]
        if not delegates[account_id]:
            del delegates[account_id]
        self.state.put(GLOBAL, _DELEGATES, {"Accounts": delegates})
        return {}

    def ListDelegatedAdministrators(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        service = p.get("ServicePrincipal")
        if service is not None:
            check_service_principal(service)
        listed = []
        for account_id, services in sorted(self._delegates().items()):
            if service is not None and service not in services:
                continue
            account = self.accounts.get(GLOBAL, account_id)
            if account is None:
                continue
            since = services[service] if service is not None else min(services.values())
            view = {
                k: v for k, v in self._public(account).items() if k != "Paths"
            }  # not a DelegatedAdministrator's
            listed.append({**view, "DelegationEnabledDate": since})
        return page(listed, p, "DelegatedAdministrators")

    def ListDelegatedServicesForAccount(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        account_id = p["AccountId"]
        if self.accounts.get(GLOBAL, account_id) is None:
            raise org_error("AccountNotFoundException")
        services = self._delegates().get(account_id)
        if not services:
            raise org_error("AccountNotRegisteredException")
        listed = [{"ServicePrincipal": s, "DelegationEnabledDate": d} for s, d in sorted(services.items())]
        return page(listed, p, "DelegatedServices")

    def refuse_departure_of_delegate(self, account_id: str) -> None:
        """An account cannot leave, be removed or be closed while it is a delegated administrator."""
        if self.is_delegated_administrator(account_id):
            raise org_error(
                "ConstraintViolationException", Reason="CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"
            )

    # -- the resource policy ---------------------------------------------------

    def _policy_answer(self, doc: Params) -> Params:
        return {
            "ResourcePolicy": {
                "ResourcePolicySummary": {"Id": doc["Id"], "Arn": doc["Arn"]},
                "Content": doc["Content"],
            }
        }

    def PutResourcePolicy(self, ctx: RequestContext, p: Params) -> Params:
        """Create the resource policy, or replace its content (its id and ARN stay)."""
        org = self._require_administrator(ctx, p)
        content = p["Content"]
        try:
            parsed = json.loads(content)
        except ValueError:
            parsed = None
        statements = parsed.get("Statement") if isinstance(parsed, dict) else None
        if isinstance(statements, dict):
            statements = [statements]
        if not isinstance(statements, list) or not all(isinstance(st, dict) for st in statements):
            raise _invalid_policy_json()
        try:
            parse_policy(content, "resource")  # a policy the IAM engine can weigh: Principal and all
        except MalformedPolicy:
            raise _invalid_policy_json() from None
        for statement in statements:
            _check_delegable_actions(statement)
        doc = self.state.get(GLOBAL, _RESOURCE_POLICY)
        created = doc is None
        if doc is None:
            policy_id = "rp-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=8))
            arn = f"arn:aws:organizations::{org['MasterAccountId']}:resourcepolicy/{org['Id']}/{policy_id}"
            doc = {"Id": policy_id, "Arn": arn}
        doc["Content"] = content
        with self.store.transaction():
            self.state.put(GLOBAL, _RESOURCE_POLICY, doc)
            if created and p.get("Tags"):  # "tags ... to attach to the newly created resource policy"
                tree = self.structure(org)
                tree["Tags"][doc["Id"]] = {t["Key"]: t["Value"] for t in p["Tags"]}
                self.save_structure(tree)
        return self._policy_answer(doc)

    def DescribeResourcePolicy(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        doc = self.state.get(GLOBAL, _RESOURCE_POLICY)
        if doc is None:
            raise org_error("ResourcePolicyNotFoundException")
        return self._policy_answer(doc)

    def DeleteResourcePolicy(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.state.get(GLOBAL, _RESOURCE_POLICY)
        if doc is None:
            raise org_error("ResourcePolicyNotFoundException")
        with self.store.transaction():
            self.state.delete(GLOBAL, _RESOURCE_POLICY)
            tree = self.structure(org)
            if tree["Tags"].pop(doc["Id"], None) is not None:
                self.save_structure(tree)
        return {}

    def resource_policy_id(self) -> str | None:
        doc = self.state.get(GLOBAL, _RESOURCE_POLICY)
        return None if doc is None else str(doc["Id"])
