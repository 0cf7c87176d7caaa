"""Organizations policies: policy types on the root, policies, attachments, tags, and the SCPs and
RCPs the IAM engine enforces (`scp_chain`, `rcp_chain`).

Policies live in the `policies` collection; which target holds which policy is
kept in the tree document (`structure.py`). The AWS-managed FullAWSAccess SCP
(p-FullAWSAccess) and RCPFullAWSAccess RCP (p-RCPFullAWSAccess) are not stored:
they exist in every organization, and enabling their type attaches them to the
root and to every OU and account, as does creating an OU or account later. Every
change that could alter what an account's SCPs or RCPs say empties the compiled
chains, so the authorizer sees new chain objects.
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Callable
from typing import Any

from pocketcloud.auth.principal import Principal
from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.org_policies import (
    FULL_AWS_ACCESS,
    FULL_AWS_ACCESS_ID,
    RCP_FULL_AWS_ACCESS,
    RCP_FULL_AWS_ACCESS_ID,
    RCP_TYPE,
    SCP_TYPE,
    PolicyChain,
    check_rcp,
    compile_chain,
    is_service_linked_role,
)
from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.organizations.structure import GLOBAL, org_error, page

Params = dict[str, Any]
# Maximum document sizes (Organizations "Quotas": SCP and RCP 5,120 characters; AI opt-out 2,500;
# others 10,000).
_MAX_SIZE = {SCP_TYPE: 5120, RCP_TYPE: 5120, "AISERVICES_OPT_OUT_POLICY": 2500}
_DEFAULT_MAX_SIZE = 10000
# "Maximum ... attached to a root, OU, or account": five SCPs, five RCPs (the AWS-managed one included).
_MAX_PER_TARGET = {SCP_TYPE: 5, RCP_TYPE: 5}
_MAX_TAGS = 50
_ALNUM = string.ascii_lowercase + string.digits
# The AWS-managed policy of each authorization policy type ("AWS managed authorization policies").
_MANAGED: dict[str, tuple[Params, str]] = {
    FULL_AWS_ACCESS_ID: (
        {
            "Id": FULL_AWS_ACCESS_ID,
            "Arn": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
            "Name": "FullAWSAccess",
            "Description": "Allows access to every operation",
            "Type": SCP_TYPE,
            "AwsManaged": True,
        },
        FULL_AWS_ACCESS,
    ),
    RCP_FULL_AWS_ACCESS_ID: (
        {
            "Id": RCP_FULL_AWS_ACCESS_ID,
            "Arn": "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess",
            "Name": "RCPFullAWSAccess",
            "Description": "Allows access to every resource",
            "Type": RCP_TYPE,
            "AwsManaged": True,
        },
        RCP_FULL_AWS_ACCESS,
    ),
}
_MANAGED_BY_TYPE = {summary["Type"]: policy_id for policy_id, (summary, _) in _MANAGED.items()}


def _immutable() -> ServiceError:
    return ServiceError(
        "InvalidInputException",
        "You specified a policy that is managed by AWS and can't be modified.",
        status=400,
        Reason="IMMUTABLE_POLICY",
    )


class PolicyOperations:
    state: Any
    store: Any
    accounts: Any
    policies: Any
    _require_administrator: Callable[[RequestContext, Params], Params]
    resource_policy_id: Callable[[], str | None]
    _organization: Callable[[], Params]
    structure: Callable[[Params], Params]
    save_structure: Callable[[Params], None]
    account_ids: Callable[[], list[str]]
    path_to: Callable[[Params, str], list[str]]
    is_parent: Callable[[Params, str], bool]
    _chains: dict[tuple[str, str], PolicyChain | None]
    _memberships: dict[str, tuple[str, str] | None]
    _has_organization: bool | None
    parent_of: Callable[[Params, str], str]
    ou_path: Callable[[Params, Params, str], str]

    # -- what the IAM engine asks -------------------------------------------

    def scp_chain(self, principal: Principal) -> PolicyChain | None:
        """The SCPs limiting `principal`: None outside an organization, for its management account,
        for service-linked roles and while SCPs are not enabled."""
        chain = self._chain(SCP_TYPE, principal.account_id)
        if chain is not None and principal.role_arn and is_service_linked_role(principal.role_arn):
            return None
        return chain

    def rcp_chain(self, account_id: str) -> PolicyChain | None:
        """The RCPs limiting the resources of `account_id`: None outside an organization, for its
        management account and while RCPs are not enabled. (Whether the request's service and
        caller are subject to RCPs is the authorizer's question.)"""
        return self._chain(RCP_TYPE, account_id)

    def membership(self, account_id: str) -> tuple[str, str] | None:
        """The organization `account_id` belongs to and the account's path in it, as
        aws:PrincipalOrgID / aws:PrincipalOrgPaths give them ("o-.../r-.../ou-.../"); None outside."""
        try:
            return self._memberships[account_id]
        except KeyError:
            pass
        org: Params | None = self.state.get(GLOBAL, "organization")
        found = None
        if account_id and org is not None and self.accounts.get(GLOBAL, account_id) is not None:
            doc = self.structure(org)
            found = (org["Id"], self.ou_path(org, doc, self.parent_of(doc, account_id)))
        if len(self._memberships) >= 10000:
            self._memberships.clear()
        self._memberships[account_id] = found
        return found

    def has_organization(self) -> bool:
        """Whether an organization exists. While none does, no account has SCPs, RCPs or an
        organization id, and the authorizer asks nothing more (its path for the common case)."""
        found = self._has_organization
        if found is None:
            found = self._has_organization = self.state.get(GLOBAL, "organization") is not None
        return found

    def _chain(self, policy_type: str, account_id: str) -> PolicyChain | None:
        try:
            return self._chains[(policy_type, account_id)]
        except KeyError:
            chain = self._build_chain(account_id, policy_type)
            if len(self._chains) >= 10000:
                self._chains.clear()
            self._chains[(policy_type, account_id)] = chain
            return chain

    def _changed(self) -> None:
        self._chains.clear()
        self._memberships.clear()
        self._has_organization = None

    def _build_chain(self, account_id: str, policy_type: str) -> PolicyChain | None:
        org: Params | None = self.state.get(GLOBAL, "organization")
        if not account_id or org is None or account_id == org["MasterAccountId"]:
            return None
        if self.accounts.get(GLOBAL, account_id) is None:
            return None
        doc = self.structure(org)
        if not self._type_enabled(doc, policy_type):
            return None
        levels = []
        for target in self.path_to(doc, account_id):
            level = []
            for policy_id in doc["Attached"].get(target, []):
                policy = self._policy(policy_id)
                if policy is not None and policy["PolicySummary"]["Type"] == policy_type:
                    level.append((policy_id, policy["Content"]))
            levels.append(level)
        return compile_chain(levels, policy_type)

    # -- policy types on the root ------------------------------------------

    def _type_enabled(self, doc: Params, policy_type: str) -> bool:
        return any(t["Type"] == policy_type for t in doc["Root"]["PolicyTypes"])

    def _root_or_fail(self, doc: Params, root_id: str) -> None:
        if root_id != doc["Root"]["Id"]:
            raise org_error("RootNotFoundException")

    def attach_defaults(self, doc: Params, target_id: str, only: str | None = None) -> None:
        """Attach the AWS-managed policy of each enabled type (of type `only`, if given) to a target."""
        for policy_type, policy_id in _MANAGED_BY_TYPE.items():
            if (only is None or policy_type == only) and self._type_enabled(doc, policy_type):
                attached = doc["Attached"].setdefault(target_id, [])
                if policy_id not in attached:
                    attached.append(policy_id)

    def EnablePolicyType(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        self._root_or_fail(doc, p["RootId"])
        if self._type_enabled(doc, p["PolicyType"]):
            raise org_error("PolicyTypeAlreadyEnabledException")
        if org.get("FeatureSet") != "ALL":
            raise org_error("PolicyTypeNotAvailableForOrganizationException")
        doc["Root"]["PolicyTypes"].append({"Type": p["PolicyType"], "Status": "ENABLED"})
        if p["PolicyType"] in _MANAGED_BY_TYPE:
            # Only the type being enabled: FullAWSAccess detached from a target while SCPs stay
            # enabled must not come back when RCPs are enabled (it would widen that target's SCPs).
            for target in (doc["Root"]["Id"], *doc["OUs"], *self.account_ids()):
                self.attach_defaults(doc, target, only=p["PolicyType"])
        self.save_structure(doc)
        return {"Root": doc["Root"]}

    def DisablePolicyType(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        self._root_or_fail(doc, p["RootId"])
        policy_type = p["PolicyType"]
        if not self._type_enabled(doc, policy_type):
            raise org_error("PolicyTypeNotEnabledException")
        doc["Root"]["PolicyTypes"] = [t for t in doc["Root"]["PolicyTypes"] if t["Type"] != policy_type]
        for target, attached in doc["Attached"].items():
            doc["Attached"][target] = [pid for pid in attached if self._type_of(pid) != policy_type]
        self.save_structure(doc)
        return {"Root": doc["Root"]}

    # -- policies -------------------------------------------------------------

    def _policy(self, policy_id: str) -> Params | None:
        managed = _MANAGED.get(policy_id)
        if managed is not None:
            return {"PolicySummary": dict(managed[0]), "Content": managed[1]}
        found: Params | None = self.policies.get(GLOBAL, policy_id)
        return found

    def _policy_or_fail(self, policy_id: str) -> Params:
        policy = self._policy(policy_id)
        if policy is None:
            raise org_error("PolicyNotFoundException")
        return policy

    def _type_of(self, policy_id: str) -> str | None:
        policy = self._policy(policy_id)
        return policy["PolicySummary"]["Type"] if policy else None

    def _check_content(self, content: str, policy_type: str) -> None:
        if len(content) > _MAX_SIZE.get(policy_type, _DEFAULT_MAX_SIZE):
            raise org_error("ConstraintViolationException", Reason="POLICY_CONTENT_LIMIT_EXCEEDED")
        try:
            if policy_type == SCP_TYPE:
                parse_policy(content, "scp")  # IAM's policy language, without Principal/NotPrincipal
            elif policy_type == RCP_TYPE:
                check_rcp(content)  # Deny statements with Principal "*" on services RCPs support
            elif not isinstance(json.loads(content), dict):
                raise MalformedPolicy("not a JSON object")
        except (MalformedPolicy, ValueError, RecursionError):  # RecursionError: nested too deep
            raise org_error("MalformedPolicyDocumentException") from None

    def _name_taken(self, name: str, policy_type: str, but: str | None = None) -> bool:
        return any(
            doc["PolicySummary"]["Name"] == name
            and doc["PolicySummary"]["Type"] == policy_type
            and key != but
            for key, doc in self.store.iter_collection("organizations", "policies", GLOBAL)
        ) or any(s["Type"] == policy_type and s["Name"] == name for s, _ in _MANAGED.values())

    def CreatePolicy(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        policy_type = p["Type"]
        self._check_content(p["Content"], policy_type)
        if self._name_taken(p["Name"], policy_type):
            raise org_error("DuplicatePolicyException")
        policy_id = "p-" + "".join(secrets.choice(_ALNUM) for _ in range(8))
        while self.policies.get(GLOBAL, policy_id) is not None:
            policy_id = "p-" + "".join(secrets.choice(_ALNUM) for _ in range(8))
        summary = {
            "Id": policy_id,
            "Arn": f"arn:aws:organizations::{org['MasterAccountId']}:policy/{org['Id']}/"
            f"{policy_type.lower()}/{policy_id}",
            "Name": p["Name"],
            "Description": p.get("Description") or "",
            "Type": policy_type,
            "AwsManaged": False,
        }
        policy = {"PolicySummary": summary, "Content": p["Content"]}
        doc = self.structure(org)
        with self.store.transaction():
            self.policies.put(GLOBAL, policy_id, policy)
            if p.get("Tags"):
                doc["Tags"][policy_id] = {t["Key"]: t["Value"] for t in p["Tags"]}
                self.save_structure(doc)
        return {"Policy": policy}

    def DescribePolicy(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        return {"Policy": self._policy_or_fail(p["PolicyId"])}

    def UpdatePolicy(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        policy = self._policy_or_fail(p["PolicyId"])
        if policy["PolicySummary"]["AwsManaged"]:
            raise _immutable()
        summary = policy["PolicySummary"]
        if p.get("Content") is not None:
            self._check_content(p["Content"], summary["Type"])
            policy["Content"] = p["Content"]
        if p.get("Name"):
            if self._name_taken(p["Name"], summary["Type"], but=summary["Id"]):
                raise org_error("DuplicatePolicyException")
            summary["Name"] = p["Name"]
        if p.get("Description") is not None:
            summary["Description"] = p["Description"]
        self.policies.put(GLOBAL, summary["Id"], policy)
        self._changed()
        return {"Policy": policy}

    def DeletePolicy(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        policy = self._policy_or_fail(p["PolicyId"])
        if policy["PolicySummary"]["AwsManaged"]:
            raise _immutable()
        doc = self.structure(org)
        if any(p["PolicyId"] in attached for attached in doc["Attached"].values()):
            raise org_error("PolicyInUseException")
        with self.store.transaction():
            self.policies.delete(GLOBAL, p["PolicyId"])
            if doc["Tags"].pop(p["PolicyId"], None) is not None:
                self.save_structure(doc)
        return {}

    def ListPolicies(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        wanted = p["Filter"]
        found = [dict(s) for s, _ in _MANAGED.values() if s["Type"] == wanted]
        found += [
            doc["PolicySummary"]
            for _, doc in self.store.iter_collection("organizations", "policies", GLOBAL)
            if doc["PolicySummary"]["Type"] == wanted
        ]
        return page(found, p, "Policies")

    # -- attachments ----------------------------------------------------------

    def _target_or_fail(self, doc: Params, target_id: str) -> None:
        if not self.is_parent(doc, target_id) and self.accounts.get(GLOBAL, target_id) is None:
            raise org_error("TargetNotFoundException")

    def AttachPolicy(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        policy = self._policy_or_fail(p["PolicyId"])
        target = p["TargetId"]
        self._target_or_fail(doc, target)
        policy_type = policy["PolicySummary"]["Type"]
        if not self._type_enabled(doc, policy_type):
            raise org_error("PolicyTypeNotEnabledException")
        attached = doc["Attached"].setdefault(target, [])
        if p["PolicyId"] in attached:
            raise org_error("DuplicatePolicyAttachmentException")
        if (
            policy_type in _MAX_PER_TARGET
            and sum(self._type_of(a) == policy_type for a in attached) >= _MAX_PER_TARGET[policy_type]
        ):
            raise org_error(
                "ConstraintViolationException", Reason="MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
            )
        attached.append(p["PolicyId"])
        self.save_structure(doc)
        return {}

    def DetachPolicy(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        policy = self._policy_or_fail(p["PolicyId"])
        target = p["TargetId"]
        self._target_or_fail(doc, target)
        attached = doc["Attached"].get(target, [])
        if p["PolicyId"] not in attached:
            raise org_error("PolicyNotAttachedException")
        if (
            policy["PolicySummary"]["Type"] == SCP_TYPE
            and sum(self._type_of(a) == SCP_TYPE for a in attached) == 1
        ) or p["PolicyId"] == RCP_FULL_AWS_ACCESS_ID:
            # Every root, OU and account keeps at least one SCP while SCPs are enabled, and
            # RCPFullAWSAccess while RCPs are ("You cannot detach this policy", RCP syntax).
            raise org_error(
                "ConstraintViolationException", Reason="MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
            )
        attached.remove(p["PolicyId"])
        self.save_structure(doc)
        return {}

    def ListPoliciesForTarget(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        self._target_or_fail(doc, p["TargetId"])
        found = []
        for policy_id in doc["Attached"].get(p["TargetId"], []):
            policy = self._policy(policy_id)
            if policy is not None and policy["PolicySummary"]["Type"] == p["Filter"]:
                found.append(policy["PolicySummary"])
        return page(found, p, "Policies")

    def ListTargetsForPolicy(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        self._policy_or_fail(p["PolicyId"])
        targets = []
        for target, attached in doc["Attached"].items():
            if p["PolicyId"] not in attached:
                continue
            if target == doc["Root"]["Id"]:
                targets.append(
                    {"TargetId": target, "Arn": doc["Root"]["Arn"], "Name": "Root", "Type": "ROOT"}
                )
            elif target in doc["OUs"]:
                ou = doc["OUs"][target]
                targets.append(
                    {"TargetId": target, "Arn": ou["Arn"], "Name": ou["Name"], "Type": "ORGANIZATIONAL_UNIT"}
                )
            else:
                account = self.accounts.get(GLOBAL, target)
                if account is not None:
                    targets.append(
                        {
                            "TargetId": target,
                            "Arn": account["Arn"],
                            "Name": account["Name"],
                            "Type": "ACCOUNT",
                        }
                    )
        return page(targets, p, "Targets")

    # -- tags -----------------------------------------------------------------

    def _taggable_or_fail(self, doc: Params, resource_id: str) -> None:
        if resource_id.startswith("p-"):
            if self.policies.get(GLOBAL, resource_id) is None:  # AWS-managed policies take no tags
                raise org_error("TargetNotFoundException")
        elif resource_id.startswith("rp-"):
            if resource_id != self.resource_policy_id():
                raise org_error("TargetNotFoundException")
        else:
            self._target_or_fail(doc, resource_id)

    def TagResource(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        self._taggable_or_fail(doc, p["ResourceId"])
        tags = dict(doc["Tags"].get(p["ResourceId"], {}))
        tags.update({t["Key"]: t["Value"] for t in p["Tags"]})
        if len(tags) > _MAX_TAGS:
            raise org_error("ConstraintViolationException", Reason="MAX_TAG_LIMIT_EXCEEDED")
        doc["Tags"][p["ResourceId"]] = tags
        self.save_structure(doc)
        return {}

    def UntagResource(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        self._taggable_or_fail(doc, p["ResourceId"])
        tags = doc["Tags"].get(p["ResourceId"], {})
        for key in p["TagKeys"]:
            tags.pop(key, None)
        self.save_structure(doc)
        return {}

    def ListTagsForResource(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        doc = self.structure(org)
        self._taggable_or_fail(doc, p["ResourceId"])
        tags = [{"Key": k, "Value": v} for k, v in sorted(doc["Tags"].get(p["ResourceId"], {}).items())]
        return page(tags, p, "Tags")
