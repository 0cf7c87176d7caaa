"""Who besides the management account may administer the organization.

Delegated administrators (RegisterDelegatedAdministrator and its kin): a member
account registered for a service that has trusted access (EnableAWSServiceAccess
first, else SERVICE_ACCESS_NOT_ENABLED) may read the organization — the
Describe* and List* calls "from the management account or a member account that
is a delegated administrator" — and cannot leave or be removed or closed while
registered (CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG).

The organization's resource policy (PutResourcePolicy and its kin): the
management account's delegation of Organizations calls to member accounts. It
is handed to the IAM engine as the resource policy of those calls
(`resource_policy`), so a member's call is allowed only where the policy and the
member's own identity policies both allow it, as for any cross-account call;
the provider then lets through a member the policy made it past the engine.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.organizations.structure import org_error, page

Params = dict[str, Any]
GLOBAL = ("", "")
_DELEGATES = "delegated_administrators"  # {account: {service principal: DelegationEnabledDate}}
_RESOURCE_POLICY = "resource_policy"

# What a resource policy may delegate (the Organizations User Guide's "Delegated administrator for
# Organizations": reading the organization, and managing its policies).
_POLICY_MANAGEMENT = {
    "CreatePolicy", "UpdatePolicy", "DeletePolicy", "AttachPolicy", "DetachPolicy",
    "EnablePolicyType", "DisablePolicyType", "TagResource", "UntagResource",
}  # fmt: skip


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def is_read(operation: str) -> bool:
    return operation.startswith(("Describe", "List"))


class DelegationOperations:
    state: Any
    store: Any
    accounts: Any
    _member_organization: Callable[[RequestContext], Params]
    _require_administrator: Callable[[RequestContext], Params]
    service_access_enabled: Callable[[str], bool]
    _public: Callable[[Params], Params]
    structure: Callable[[Params], Params]
    save_structure: Callable[[Params], None]

    # -- who may call ---------------------------------------------------------

    def _delegates(self) -> dict[str, dict[str, str]]:
        doc = self.state.get(GLOBAL, _DELEGATES)
        return {account: dict(services) for account, services in (doc or {}).get("Accounts", {}).items()}

    def is_delegated_administrator(self, account_id: str) -> bool:
        return account_id in self._delegates()

    def delegated(self, ctx: RequestContext, org: Params) -> bool:
        """Whether `ctx`'s caller, a member account, may make this call of the management account's:
        a read by a delegated administrator, or a call the resource policy delegates (which the IAM
        engine has already checked against the policy: see `resource_policy`)."""
        operation = ctx.operation or ""
        if is_read(operation) and self.is_delegated_administrator(ctx.account_id):
            return True
        return (is_read(operation) or operation in _POLICY_MANAGEMENT) and self.state.get(
            GLOBAL, _RESOURCE_POLICY
        ) is not None

    def resource_policy(
        self, ctx: RequestContext, operation: str, params: Params
    ) -> tuple[str | None, str | None]:
        """The organization's resource policy, for the IAM engine to weigh a member account's call it
        may delegate; (None, None) for the management account's own calls, for a delegated
        administrator's reads (allowed without it) and for calls no resource policy delegates."""
        doc = self.state.get(GLOBAL, _RESOURCE_POLICY)
        if doc is None or not (is_read(operation) or operation in _POLICY_MANAGEMENT):
            return None, None
        org = self.state.get(GLOBAL, "organization")
        if org is None or ctx.account_id == org["MasterAccountId"]:
            return None, None
        if is_read(operation) and self.is_delegated_administrator(ctx.account_id):
            return None, None
        return doc["Content"], org["MasterAccountId"]

    # -- delegated administrators ----------------------------------------------

    def _delegate_candidate(self, ctx: RequestContext, p: Params) -> tuple[Params, str, str]:
        org = self._require_administrator(ctx)
        account_id, service = p["AccountId"], p["ServicePrincipal"]
        if self.accounts.get(GLOBAL, account_id) is None:
            raise org_error("AccountNotFoundException")
        if not service.endswith(".amazonaws.com"):
            raise ServiceError(
                "InvalidInputException",
                "You specified a service principal that isn't recognized.",
                status=400,
                Reason="UNRECOGNIZED_SERVICE_PRINCIPAL",
            )
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
        delegates.setdefault(account_id, {})[service] = _now()
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
        self._require_administrator(ctx)
        service = p.get("ServicePrincipal")
        listed = []
        for account_id, services in sorted(self._delegates().items()):
            if service is not None and service not in services:
                continue
            account = self.accounts.get(GLOBAL, account_id)
            if account is None:
                continue
            since = services[service] if service is not None else min(services.values())
            view = {k: v for k, v in self._public(account).items() if k != "Paths"}  # not a DelegatedAdministrator's
            listed.append({**view, "DelegationEnabledDate": since})
        return page(listed, p, "DelegatedAdministrators")

    def ListDelegatedServicesForAccount(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx)
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
        org = self._require_administrator(ctx)
        content = p["Content"]
        try:
            parsed = json.loads(content)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or "Statement" not in parsed:
            raise ServiceError(
                "InvalidInputException",
                "You provided a resource policy that isn't valid JSON.",
                status=400,
                Reason="INVALID_RESOURCE_POLICY_JSON",
            )
        doc = self.state.get(GLOBAL, _RESOURCE_POLICY)
        if doc is None:
            policy_id = "rp-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=8))
            arn = f"arn:aws:organizations::{org['MasterAccountId']}:resourcepolicy/{org['Id']}/{policy_id}"
            doc = {"Id": policy_id, "Arn": arn}
        doc["Content"] = content
        with self.store.transaction():
            self.state.put(GLOBAL, _RESOURCE_POLICY, doc)
            if p.get("Tags"):
                tree = self.structure(org)
                tree["Tags"][doc["Id"]] = {t["Key"]: t["Value"] for t in p["Tags"]}
                self.save_structure(tree)
        return self._policy_answer(doc)

    def DescribeResourcePolicy(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx)
        doc = self.state.get(GLOBAL, _RESOURCE_POLICY)
        if doc is None:
            raise org_error("ResourcePolicyNotFoundException")
        return self._policy_answer(doc)

    def DeleteResourcePolicy(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx)
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
