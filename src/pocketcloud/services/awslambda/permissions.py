"""A function's resource-based policy: AddPermission, RemovePermission, GetPolicy.

The statements are kept as an IAM policy document and handed to the
authorizer, so a permission given to another account or to a service
(s3.amazonaws.com, sqs.amazonaws.com) is enforced by the same engine as
every other policy. PutResourcePolicy and its siblings (resource_policy.py)
replace the same stored document whole; a document put that way keeps its
own Version and Id ("Header"), and its statements may lack a Sid.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.awslambda.cross_account import (
    CROSS_ACCOUNT_OPERATIONS,
    LAYER_CROSS_ACCOUNT_OPERATIONS,
    function_named,
    layer_named,
)
from pocketcloud.services.awslambda.errors import (
    alias_not_found,
    conflict,
    function_not_found,
    invalid_parameter,
    not_found,
    policy_too_large,
    revision_mismatch,
)
from pocketcloud.services.awslambda.functions import (
    function_arn,
    in_owners_account,
    named_function,
    owner_of,
    split_name,
)
from pocketcloud.store import Collection

Params = dict[str, Any]
# Operations on the policy itself, or before there is a function: authorized without its policy.
_OWN_POLICY_OPERATIONS = frozenset({"CreateFunction", "AddPermission", "RemovePermission", "GetPolicy"})
# A function's policy may be 20 KB at most ("Lambda quotas": "Function resource-based policy").
MAX_POLICY_BYTES = 20480
# Service principals are AWS's own domains (s3.amazonaws.com, alexa-appkit.amazon.com, ...).
_SERVICE_DOMAINS = (".amazonaws.com", ".amazon.com", ".amazonaws.com.cn")
_ALIAS_NAME = re.compile(r"(?!^[0-9]+$)[a-zA-Z0-9_-]+")


def compact_json(document: Params) -> str:
    """A policy or statement as Lambda writes it: JSON without spaces
    ({"Version":"2012-10-17","Id":"default","Statement":[...]}, as GetPolicy answers)."""
    return json.dumps(document, separators=(",", ":"))


def _principal(value: str) -> Params | str:
    if value == "*":
        return "*"
    if value.endswith(_SERVICE_DOMAINS):
        return {"Service": value}
    if value.isdigit() and len(value) == 12:
        return {"AWS": f"arn:aws:iam::{value}:root"}
    if value.startswith("arn:"):
        return {"AWS": value}
    raise invalid_parameter("The provided principal was invalid. Please check the principal and try again.")


class PermissionOperations:
    def _policy_key(self, name: str, qualifier: str | None) -> str:
        return f"{name}\0{qualifier or '$LATEST'}"

    def _statements(self, scope: tuple[str, str], name: str, qualifier: str | None) -> Params:
        found = self.policies.get(scope, self._policy_key(name, qualifier))  # type: ignore[attr-defined]
        return found or {"Statements": [], "RevisionId": str(uuid.uuid4())}

    def _revisioned(
        self, scope: tuple[str, str], name: str, qualifier: str | None
    ) -> tuple[Collection, str, Params]:
        """(collection, key, document) of what a qualifier names: its RevisionId is the policy's.

        AWS keeps one revision per function, version or alias, and a permission change moves it.
        """
        arn = function_arn(scope[1], scope[0], name)
        functions = self.functions  # type: ignore[attr-defined]
        if qualifier in (None, "$LATEST"):
            return functions.functions, name, functions.get(scope, name, arn)
        functions.get(scope, name, arn)
        if qualifier.isdigit():
            collection, key = functions.versions, f"{name}\0{int(qualifier):010d}"
        else:
            collection, key = functions.aliases, f"{name}\0{qualifier}"
        doc = collection.get(scope, key)
        if doc is None:
            # What could be an alias's name is reported as a missing alias, anything else as a missing version.
            if _ALIAS_NAME.fullmatch(qualifier):
                raise alias_not_found(f"{arn}:{qualifier}")
            raise function_not_found(f"{arn}:{qualifier}")
        return collection, key, doc

    def _bump_revision(self, scope: tuple[str, str], name: str, qualifier: str | None) -> None:
        collection, key, doc = self._revisioned(scope, name, qualifier)
        doc["RevisionId"] = str(uuid.uuid4())
        collection.put(scope, key, doc)

    def AddPermission(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        scope = (ctx.account_id, ctx.region)
        if qualifier == "$LATEST":
            raise invalid_parameter("We currently do not support adding policies for $LATEST.")
        with self.store.transaction():  # type: ignore[attr-defined]
            _, _, target = self._revisioned(scope, name, qualifier)
            policy = self._statements(scope, name, qualifier)
            if p.get("RevisionId") and p["RevisionId"] != target["RevisionId"]:
                raise revision_mismatch()
            if any(s.get("Sid") == p["StatementId"] for s in policy["Statements"]):
                raise conflict(
                    f"The statement id ({p['StatementId']}) provided already exists. Please provide a new statement id, or remove the existing statement."
                )
            action = p["Action"]
            if not (action.startswith("lambda:") or action == "*"):
                raise invalid_parameter(
                    f"1 validation error detected: Value '{action}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])"
                )
            statement: Params = {
                "Sid": p["StatementId"],
                "Effect": "Allow",
                "Principal": _principal(p["Principal"]),
                "Action": action,
                "Resource": function_arn(ctx.region, ctx.account_id, name, qualifier),
            }
            conditions: Params = {}
            if p.get("SourceAccount"):
                conditions.setdefault("StringEquals", {})["AWS:SourceAccount"] = p["SourceAccount"]
            if p.get("PrincipalOrgID"):
                conditions.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = p["PrincipalOrgID"]
            if p.get("EventSourceToken"):  # an Alexa skill's token
                conditions.setdefault("StringEquals", {})["lambda:EventSourceToken"] = p["EventSourceToken"]
            if p.get("FunctionUrlAuthType"):
                conditions.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = p[
                    "FunctionUrlAuthType"
                ]
            if p.get("SourceArn"):  # after StringEquals, in the order AWS writes the two
                conditions.setdefault("ArnLike", {})["AWS:SourceArn"] = p["SourceArn"]
            if p.get("InvokedViaFunctionUrl"):  # an Invoke allowed only as part of a function URL call
                conditions.setdefault("Bool", {})["lambda:InvokedViaFunctionUrl"] = "true"
            if conditions:
                statement["Condition"] = conditions
            policy["Statements"].append(statement)
            size = len((self._document(policy) or "").encode())
            if size > MAX_POLICY_BYTES:
                raise policy_too_large(size)
            policy["RevisionId"] = str(uuid.uuid4())
            self.policies.put(scope, self._policy_key(name, qualifier), policy)  # type: ignore[attr-defined]
            self._bump_revision(scope, name, qualifier)
        return {"Statement": compact_json(statement)}

    def RemovePermission(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        scope = (ctx.account_id, ctx.region)
        with self.store.transaction():  # type: ignore[attr-defined]
            if self.functions.functions.get(scope, name) is None:  # type: ignore[attr-defined]
                raise not_found(f"No policy found for: {function_arn(ctx.region, ctx.account_id, name)}")
            _, _, target = self._revisioned(scope, name, qualifier)
            policy = self._statements(scope, name, qualifier)
            if not policy["Statements"]:
                raise not_found("No policy is associated with the given resource.")
            kept = [s for s in policy["Statements"] if s.get("Sid") != p["StatementId"]]
            if len(kept) == len(policy["Statements"]):
                raise not_found(f"Statement {p['StatementId']} is not found in resource policy.")
            if p.get("RevisionId") and p["RevisionId"] != target["RevisionId"]:
                raise revision_mismatch()
            policy["Statements"] = kept
            policy["RevisionId"] = str(uuid.uuid4())
            self.policies.put(scope, self._policy_key(name, qualifier), policy)  # type: ignore[attr-defined]
            self._bump_revision(scope, name, qualifier)
        return {}

    def _document(self, policy: Params) -> str | None:
        if not policy["Statements"]:
            return None
        header = policy["Header"] if "Header" in policy else {"Version": "2012-10-17", "Id": "default"}
        return compact_json({**header, "Statement": policy["Statements"]})

    def GetPolicy(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        scope = (ctx.account_id, ctx.region)
        try:
            _, _, target = self._revisioned(scope, name, qualifier)
        except ServiceError:
            if qualifier in (None, "$LATEST"):
                raise
            # A version or alias that is not there has no policy: AWS says no more than that.
            raise not_found("The resource you requested does not exist.") from None
        policy = self._statements(scope, name, qualifier)
        document = self._document(policy)
        if document is None:
            raise not_found("The resource you requested does not exist.")
        return {"Policy": document, "RevisionId": target["RevisionId"]}

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

    def resource_policy(
        self, ctx: RequestContext, operation: str, params: Params
    ) -> tuple[str | None, str | None]:
        """The function's (or layer version's) policy and owning account, for the authorizer.

        Asked on every Invoke, so the answer comes from the read cache (doc_cache.py), keyed by
        what it is worked out from; every AddPermission and RemovePermission empties that cache,
        so a change holds from the very next call. A call on another account's resource that no
        policy may open to other accounts (cross_account.py) gets no policy, only the owner, so
        the authorizer refuses it.
        """
        layer = layer_named(operation, params)
        if layer is not None and layer[1] != ctx.account_id:
            region, account, name, version = layer
            if operation not in LAYER_CROSS_ACCOUNT_OPERATIONS or version is None:
                return None, account
            return self.layer_policy((account, region), name, version), account  # type: ignore[attr-defined]
        identifier = function_named(operation, params)
        if not identifier:
            return None, None
        owner = owner_of(ctx, identifier)
        if owner != ctx.account_id:
            if operation not in CROSS_ACCOUNT_OPERATIONS:
                return None, owner
        elif operation in _OWN_POLICY_OPERATIONS or "FunctionName" not in params:
            return None, None
        qualifier = params.get("Qualifier")
        found: tuple[str | None, str | None] = self.functions.cache.lookup(  # type: ignore[attr-defined]
            ("resource policy", identifier, qualifier, ctx.account_id, ctx.region),
            lambda: self._resource_policy(ctx.account_id, ctx.region, identifier, qualifier),
        )
        return found

    def _resource_policy(
        self, caller_account: str, caller_region: str, identifier: str, qualifier: str | None
    ) -> tuple[str | None, str | None]:
        region, account, name, found = named_function(identifier)
        account, region = account or caller_account, region or caller_region
        policy = self.policies.get((account, region), self._policy_key(name, qualifier or found))  # type: ignore[attr-defined]
        if policy is None:
            return None, (account if account != caller_account else None)
        return self._document(policy), account
