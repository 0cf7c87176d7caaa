"""A function's resource-based policy: AddPermission, RemovePermission, GetPolicy.

The statements are kept as an IAM policy document and handed to the
authorizer, so a permission given to another account or to a service
(s3.amazonaws.com, sqs.amazonaws.com) is enforced by the same engine as
every other policy.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.awslambda.errors import conflict, invalid_parameter, not_found, revision_mismatch
from pocketcloud.services.awslambda.functions import function_arn, split_name

Params = dict[str, Any]


def _principal(value: str) -> Params | str:
    if value == "*":
        return "*"
    if value.endswith(".amazonaws.com"):
        return {"Service": value}
    if value.isdigit() and len(value) == 12:
        return {"AWS": f"arn:aws:iam::{value}:root"}
    return {"AWS": value}


class PermissionOperations:
    def _policy_key(self, name: str, qualifier: str | None) -> str:
        return f"{name}\0{qualifier or '$LATEST'}"

    def _statements(self, scope: tuple[str, str], name: str, qualifier: str | None) -> Params:
        return self.policies.get(scope, self._policy_key(name, qualifier)) or {"Statements": [], "RevisionId": str(uuid.uuid4())}  # type: ignore[attr-defined]

    def AddPermission(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        scope = (ctx.account_id, ctx.region)
        arn = function_arn(ctx.region, ctx.account_id, name)
        self.functions.resolve(scope, name, qualifier, arn)  # type: ignore[attr-defined]
        with self.store.transaction():  # type: ignore[attr-defined]
            policy = self._statements(scope, name, qualifier)
            if p.get("RevisionId") and p["RevisionId"] != policy["RevisionId"]:
                raise revision_mismatch()
            if any(s["Sid"] == p["StatementId"] for s in policy["Statements"]):
                raise conflict(f"The statement id ({p['StatementId']}) provided already exists. Please provide a new statement id, or remove the existing statement.")
            action = p["Action"]
            if not (action.startswith("lambda:") or action == "*"):
                raise invalid_parameter(f"1 validation error detected: Value '{action}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])")
            statement: Params = {
                "Sid": p["StatementId"], "Effect": "Allow", "Principal": _principal(p["Principal"]),
                "Action": action, "Resource": function_arn(ctx.region, ctx.account_id, name, qualifier),
            }
            conditions: Params = {}
            if p.get("SourceArn"):
                conditions.setdefault("ArnLike", {})["AWS:SourceArn"] = p["SourceArn"]
            if p.get("SourceAccount"):
                conditions.setdefault("StringEquals", {})["AWS:SourceAccount"] = p["SourceAccount"]
            if p.get("PrincipalOrgID"):
                conditions.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = p["PrincipalOrgID"]
            if p.get("FunctionUrlAuthType"):
                conditions.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = p["FunctionUrlAuthType"]
            if conditions:
                statement["Condition"] = conditions
            policy["Statements"].append(statement)
            policy["RevisionId"] = str(uuid.uuid4())
            self.policies.put(scope, self._policy_key(name, qualifier), policy)  # type: ignore[attr-defined]
        return {"Statement": json.dumps(statement)}

    def RemovePermission(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        scope = (ctx.account_id, ctx.region)
        with self.store.transaction():  # type: ignore[attr-defined]
            policy = self._statements(scope, name, qualifier)
            if p.get("RevisionId") and p["RevisionId"] != policy["RevisionId"]:
                raise revision_mismatch()
            kept = [s for s in policy["Statements"] if s["Sid"] != p["StatementId"]]
            if len(kept) == len(policy["Statements"]):
                raise not_found("No policy is associated with the given resource.")
            policy["Statements"] = kept
            policy["RevisionId"] = str(uuid.uuid4())
            self.policies.put(scope, self._policy_key(name, qualifier), policy)  # type: ignore[attr-defined]
        return {}

    def _document(self, policy: Params) -> str | None:
        if not policy["Statements"]:
            return None
        return json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": policy["Statements"]})

    def GetPolicy(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        scope = (ctx.account_id, ctx.region)
        self.functions.resolve(scope, name, qualifier, function_arn(ctx.region, ctx.account_id, name))  # type: ignore[attr-defined]
        policy = self._statements(scope, name, qualifier)
        document = self._document(policy)
        if document is None:
            raise not_found("The resource you requested does not exist.")
        return {"Policy": document, "RevisionId": policy["RevisionId"]}

    def function_policy(self, arn: str) -> tuple[str | None, str] | None:
        """(the function's policy, its account) for another service checking it may invoke; None if no function."""
        parts = arn.split(":")
        if len(parts) < 7 or parts[5] != "function":
            return None
        region, account, name = parts[3], parts[4], parts[6]
        qualifier = parts[7] if len(parts) > 7 else None
        if self.functions.functions.get((account, region), name) is None:  # type: ignore[attr-defined]
            return None
        policy = self.policies.get((account, region), self._policy_key(name, qualifier))  # type: ignore[attr-defined]
        return (self._document(policy) if policy else None), account

    def resource_policy(self, ctx: RequestContext, operation: str, params: Params) -> tuple[str | None, str | None]:
        """The function's policy and owning account, for the authorizer (Invoke and friends)."""
        identifier = params.get("FunctionName")
        if not identifier or operation in ("CreateFunction", "AddPermission", "RemovePermission", "GetPolicy"):
            return None, None
        parts = identifier.split(":")
        account = parts[4] if identifier.startswith("arn:") and len(parts) > 4 else ctx.account_id
        region = parts[3] if identifier.startswith("arn:") and len(parts) > 3 else ctx.region
        name = parts[6] if identifier.startswith("arn:") and len(parts) > 6 else identifier.split(":")[0]
        qualifier = params.get("Qualifier") or (parts[7] if identifier.startswith("arn:") and len(parts) > 7 else None)
        policy = self.policies.get((account, region), self._policy_key(name, qualifier))  # type: ignore[attr-defined]
        if policy is None:
            return None, (account if account != ctx.account_id else None)
        return self._document(policy), account
