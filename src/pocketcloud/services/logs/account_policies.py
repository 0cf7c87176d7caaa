"""Account-level policies (PutAccountPolicy, DescribeAccountPolicies, DeleteAccountPolicy) and
log-group data protection policies (Put/Get/DeleteDataProtectionPolicy).

Both are stored and validated as the API reference describes their documents:
a data protection policy has exactly two statements over the same DataIdentifier
list, the first with an Audit operation (holding a FindingsDestination), the
second with a Deidentify operation whose MaskConfig is empty; a subscription
filter policy names a DestinationArn; a field index policy lists Fields; a
retention policy gives a valid retentionInDays. selectionCriteria is taken only
by the policy types that select log groups. A log group with a data protection
policy shows dataProtectionStatus ACTIVATED in DescribeLogGroups; what the policies
protect is masked (`masking.py`) in what is read and what subscription filters send.
"""

from __future__ import annotations

import json
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.logs.errors import LogsMixin, invalid
from pocketcloud.services.logs.events import now_ms
from pocketcloud.services.logs.masking import Masker, check_unmask, masker, policy_start
from pocketcloud.store import Collection, Scope

Params = dict[str, Any]

MAX_POLICY_CHARS = 30_720
# Per account and type: one data protection policy, two subscription filter policies, ...
_MAX_PER_TYPE = {"DATA_PROTECTION_POLICY": 1, "SUBSCRIPTION_FILTER_POLICY": 2}
_MAX_OTHER = 20
_SELECTING_TYPES = {
    "SUBSCRIPTION_FILTER_POLICY",
    "TRANSFORMER_POLICY",
    "FIELD_INDEX_POLICY",
    "METRIC_EXTRACTION_POLICY",
    "RETENTION_POLICY",
}
_RETENTION_DAYS = {30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}


def _json_object(text: str, what: str) -> Params:
    if len(text) > MAX_POLICY_CHARS:
        raise invalid(f"{what} exceeds the maximum length of {MAX_POLICY_CHARS} characters.")
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep for json
        raise invalid(f"{what} is not valid JSON.") from exc
    if not isinstance(doc, dict):
        raise invalid(f"{what} must be a JSON object.")
    return doc


def check_data_protection(text: str) -> None:
    doc = _json_object(text, "Data protection policy")
    statements = doc.get("Statement")
    if not isinstance(statements, list) or len(statements) != 2:
        raise invalid("Data protection policy must contain exactly two statements: Audit and Deidentify.")
    identifiers = []
    for statement, operation in zip(statements, ("Audit", "Deidentify"), strict=True):
        found = statement.get("DataIdentifier") if isinstance(statement, dict) else None
        if not isinstance(found, list) or not found or not all(isinstance(i, str) and i for i in found):
            raise invalid(
                "Each data protection policy statement must contain a non-empty DataIdentifier list."
            )
        identifiers.append(found)
        operations = statement.get("Operation")
        if not isinstance(operations, dict) or set(operations) != {operation}:
            raise invalid(f"Data protection policy statement must have a single {operation} operation.")
        action = operations[operation]
        if operation == "Audit" and (not isinstance(action, dict) or "FindingsDestination" not in action):
            raise invalid("The Audit operation must contain a FindingsDestination.")
        if operation == "Deidentify" and (not isinstance(action, dict) or action.get("MaskConfig") != {}):
            raise invalid("The Deidentify operation must contain an empty MaskConfig.")
    if identifiers[0] != identifiers[1]:
        raise invalid("The DataIdentifier arrays of the Audit and Deidentify statements must match.")


def _check_account_document(policy_type: str, text: str) -> None:
    if policy_type == "DATA_PROTECTION_POLICY":
        check_data_protection(text)
        return
    doc = _json_object(text, "Policy document")
    if policy_type == "SUBSCRIPTION_FILTER_POLICY" and not isinstance(doc.get("DestinationArn"), str):
        raise invalid("A subscription filter policy must contain a DestinationArn.")
    if policy_type == "FIELD_INDEX_POLICY":
        fields, typed = doc.get("Fields"), doc.get("FieldsV2")
        if not (isinstance(fields, list) and fields) and not (isinstance(typed, dict) and typed):
            raise invalid("A field index policy must contain at least one field index.")
    if policy_type == "TRANSFORMER_POLICY" and not isinstance(doc.get("transformerConfig"), list):
        raise invalid("A transformer policy must contain a transformerConfig list of processors.")
    if policy_type == "RETENTION_POLICY":
        days = doc.get("retentionInDays")
        if days != "NEVER_EXPIRE" and days not in _RETENTION_DAYS:
            raise invalid(f"Invalid retentionInDays: {days}")


class AccountPolicyOperations(LogsMixin):
    account_policies: Collection
    data_protection: Collection
    groups: Collection
    store: Any
    runtime: Any

    # -- account policies ----------------------------------------------------------------

    def PutAccountPolicy(self, ctx: RequestContext, p: Params) -> Params:
        name, policy_type, text = p["policyName"], p["policyType"], p["policyDocument"]
        if not name:
            raise invalid("policyName must not be empty.")
        criteria = p.get("selectionCriteria")
        if criteria and policy_type not in _SELECTING_TYPES:
            raise invalid(f"selectionCriteria is not supported for policy type {policy_type}.")
        _check_account_document(policy_type, text)
        scope, key = self._scope(ctx), f"{policy_type}\0{name}"
        doc: Params = {
            "policyName": name,
            "policyDocument": text,
            # A data protection policy masks what is ingested after it (masking.policy_start).
            "lastUpdatedTime": policy_start() if policy_type == "DATA_PROTECTION_POLICY" else now_ms(),
            "policyType": policy_type,
            "scope": p.get("scope") or "ALL",
            "accountId": ctx.account_id,
        }
        if criteria:
            doc["selectionCriteria"] = criteria
        if p.get("dryRun"):
            return {"accountPolicy": doc}
        with self.store.transaction():
            if self.account_policies.get(scope, key) is None:
                count = self.account_policies.count(scope, prefix=policy_type + "\0")
                if count >= _MAX_PER_TYPE.get(policy_type, _MAX_OTHER):
                    raise ServiceError("LimitExceededException", "Resource limit exceeded.", status=400)
            self.account_policies.put(scope, key, doc)
        return {"accountPolicy": doc}

    def DescribeAccountPolicies(self, ctx: RequestContext, p: Params) -> Params:
        accounts = p.get("accountIdentifiers")
        if accounts and ctx.account_id not in accounts:
            return {"accountPolicies": []}
        policy_type, name = p["policyType"], p.get("policyName")
        prefix = f"{policy_type}\0{name}" if name else f"{policy_type}\0"
        docs = [
            d
            for k, d in self.account_policies.scan(self._scope(ctx), prefix=prefix)
            if not name or k == prefix
        ]
        return {"accountPolicies": docs}

    def DeleteAccountPolicy(self, ctx: RequestContext, p: Params) -> Params:
        key = f"{p['policyType']}\0{p['policyName']}"
        if p.get("dryRun"):
            if self.account_policies.get(self._scope(ctx), key) is None:
                raise self._no_account_policy(p["policyName"])
            return {}
        if not self.account_policies.delete(self._scope(ctx), key):
            raise self._no_account_policy(p["policyName"])
        return {}

    @staticmethod
    def _no_account_policy(name: str) -> ServiceError:
        return ServiceError(
            "ResourceNotFoundException", f"Policy with name [{name}] does not exist.", status=400
        )

    # -- data protection policies of log groups -------------------------------------------

    def PutDataProtectionPolicy(self, ctx: RequestContext, p: Params) -> Params:
        identifier, text = p["logGroupIdentifier"], p["policyDocument"]
        check_data_protection(text)
        group, scope = self._from_identifier(ctx, identifier), self._scope(ctx)
        updated = policy_start()
        with self.store.transaction():
            group_doc = self._group(ctx, group)
            group_doc["dataProtectionStatus"] = "ACTIVATED"
            self.groups.put(scope, group, group_doc)
            self.data_protection.put(scope, group, {"policyDocument": text, "lastUpdatedTime": updated})
        return {"logGroupIdentifier": identifier, "policyDocument": text, "lastUpdatedTime": updated}

    def GetDataProtectionPolicy(self, ctx: RequestContext, p: Params) -> Params:
        identifier = p["logGroupIdentifier"]
        group = self._from_identifier(ctx, identifier)
        self._group(ctx, group)
        doc = self.data_protection.get(self._scope(ctx), group)
        return {"logGroupIdentifier": identifier, **(doc or {})}

    def DeleteDataProtectionPolicy(self, ctx: RequestContext, p: Params) -> Params:
        group, scope = self._from_identifier(ctx, p["logGroupIdentifier"]), self._scope(ctx)
        with self.store.transaction():
            group_doc = self._group(ctx, group)
            if not self.data_protection.delete(scope, group):
                raise ServiceError(
                    "ResourceNotFoundException",
                    "The specified log group does not have a data protection policy.",
                    status=400,
                )
            group_doc.pop("dataProtectionStatus", None)
            self.groups.put(scope, group, group_doc)
        return {}

    def _event_masker(self, ctx: RequestContext, group: str, group_doc: Params, p: Params) -> Masker | None:
        """What masks the group's events in GetLogEvents/FilterLogEvents; None when nothing is masked."""
        if p.get("unmask"):
            check_unmask(self.runtime, ctx, group_doc["logGroupArn"])
            return None
        return self._group_masker(self._scope(ctx), group)

    def _group_masker(self, scope: Scope, group: str) -> Masker | None:
        """What masks the group's events wherever they leave CloudWatch Logs (the account's data
        protection policy and the group's own, cumulative); None when nothing is masked."""
        policies = [d for _, d in self.account_policies.scan(scope, prefix="DATA_PROTECTION_POLICY\0")]
        own = self.data_protection.get(scope, group)
        if own is not None:
            policies.append(own)
        return masker(policies) if policies else None
