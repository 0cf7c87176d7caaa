"""A function's resource-based policy as one document: PutResourcePolicy, GetResourcePolicy,
DeleteResourcePolicy (API version 2026-07-09).

They work on the very document AddPermission, RemovePermission and GetPolicy edit statement by
statement (permissions.py): a put replaces it whole ("If you previously added permissions using
the AddPermission operation, the new policy overwrites those permissions"), AddPermission after a
put appends to it, and both families share one RevisionId per function, version or alias, so an
id read with either is the one the other checks. The document is checked by the IAM engine's own
parser, which the authorizer later enforces it with (Deny statements and every condition key).

Authorization ("Working with resource-based policies in Lambda", Required permissions): the
request chain checks lambda:<Operation> on the resource's ARN as given (`resource_arns`); the
operation then also needs lambda:AddPermission and lambda:RemovePermission (Put),
lambda:GetPolicy (Get) or lambda:RemovePermission (Delete), checked here before anything else.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.models import operation_model
from pocketcloud.services.awslambda.cross_account import named_arns
from pocketcloud.services.awslambda.errors import (
    invalid_parameter,
    not_found,
    policy_too_large,
    revision_mismatch,
)
from pocketcloud.services.awslambda.functions import split_name
from pocketcloud.services.awslambda.permissions import MAX_POLICY_BYTES

Params = dict[str, Any]
_ALSO_NEEDED = {
    "PutResourcePolicy": ("AddPermission", "RemovePermission"),
    "GetResourcePolicy": ("GetPolicy",),
    "DeleteResourcePolicy": ("RemovePermission",),
}
_NO_POLICY = "The resource you requested does not exist."


class ResourcePolicyOperations:
    def resource_arns(self, ctx: RequestContext, operation: str, params: Params) -> list[str] | None:
        """The function, version or alias ARN these operations name: what AWS authorizes them on."""
        arn = params.get("ResourceArn")
        if operation in _ALSO_NEEDED and isinstance(arn, str) and arn.startswith("arn:"):
            return [arn]
        return named_arns(ctx, operation, params)  # partial function ARNs, layers by ARN

    def _authorize_also(self, ctx: RequestContext, operation: str, arn: str) -> None:
        """AccessDenied unless the caller may also make the calls AWS requires beside this one."""
        for other in _ALSO_NEEDED[operation]:
            self.authorize_as(ctx, other, {"FunctionName": arn})

    def authorize_as(self, ctx: RequestContext, operation: str, params: Params) -> None:
        """AccessDenied unless the caller may make `operation` with `params`: a call AWS checks
        beside the one made (layers.py: lambda:GetLayerVersion on another account's layer)."""
        self.runtime.authorizer.authorize_as(ctx, operation_model("lambda", operation), params)  # type: ignore[attr-defined]

    def _policy_target(self, ctx: RequestContext, arn: str) -> tuple[tuple[str, str], str, str | None]:
        """(scope, function name, qualifier) of a function ARN, with Lambda's errors for the rest."""
        parts = arn.split(":")
        if len(parts) < 7 or parts[5] != "function":
            raise invalid_parameter(f"Resource-based policies are not supported for {arn}.")
        name, qualifier = split_name(ctx, arn)  # another Region or account: as for every function call
        return (ctx.account_id, ctx.region), name, qualifier

    def PutResourcePolicy(self, ctx: RequestContext, p: Params) -> Params:
        arn = p["ResourceArn"]
        self._authorize_also(ctx, "PutResourcePolicy", arn)
        scope, name, qualifier = self._policy_target(ctx, arn)
        if qualifier == "$LATEST":
            raise invalid_parameter("We currently do not support adding policies for $LATEST.")
        header, statements = _checked(p["Policy"])
        with self.store.transaction():  # type: ignore[attr-defined]
            _, _, target = self._revisioned(scope, name, qualifier)  # type: ignore[attr-defined]
            if p.get("RevisionId") and p["RevisionId"] != target["RevisionId"]:
                raise revision_mismatch("GetResourcePolicy")
            policy = {"Header": header, "Statements": statements, "RevisionId": str(uuid.uuid4())}
            self.policies.put(scope, self._policy_key(name, qualifier), policy)  # type: ignore[attr-defined]
            self._bump_revision(scope, name, qualifier)  # type: ignore[attr-defined]
            _, _, target = self._revisioned(scope, name, qualifier)  # type: ignore[attr-defined]
        return {"Policy": self._document(policy), "RevisionId": target["RevisionId"]}  # type: ignore[attr-defined]

    def GetResourcePolicy(self, ctx: RequestContext, p: Params) -> Params:
        arn = p["ResourceArn"]
        self._authorize_also(ctx, "GetResourcePolicy", arn)
        scope, name, qualifier = self._policy_target(ctx, arn)
        _, _, target = self._revisioned(scope, name, qualifier)  # type: ignore[attr-defined]
        document = self._document(self._statements(scope, name, qualifier))  # type: ignore[attr-defined]
        if document is None:
            raise not_found(_NO_POLICY)
        return {"Policy": document, "RevisionId": target["RevisionId"]}

    def DeleteResourcePolicy(self, ctx: RequestContext, p: Params) -> Params:
        arn = p["ResourceArn"]
        self._authorize_also(ctx, "DeleteResourcePolicy", arn)
        scope, name, qualifier = self._policy_target(ctx, arn)
        with self.store.transaction():  # type: ignore[attr-defined]
            _, _, target = self._revisioned(scope, name, qualifier)  # type: ignore[attr-defined]
            key = self._policy_key(name, qualifier)  # type: ignore[attr-defined]
            policy = self.policies.get(scope, key)  # type: ignore[attr-defined]
            if policy is None or not policy["Statements"]:
                raise not_found(_NO_POLICY)
            if p.get("RevisionId") and p["RevisionId"] != target["RevisionId"]:
                raise revision_mismatch("GetResourcePolicy")
            self.policies.delete(scope, key)  # type: ignore[attr-defined]
            self._bump_revision(scope, name, qualifier)  # type: ignore[attr-defined]
        return {}


def _checked(text: str) -> tuple[Params, list[Params]]:
    """(Version and Id, statements) of a policy document fit to be a function's policy.

    Checked by the parser the authorizer enforces it with, so a document accepted here is never
    one that later grants nothing.
    """
    size = len(text.encode())
    if size > MAX_POLICY_BYTES:
        raise policy_too_large(size)
    try:
        parse_policy(text, "resource")
        document = json.loads(text)
    except (MalformedPolicy, ValueError) as error:
        raise invalid_parameter(f"The policy is not valid: {error}") from None
    statements = document["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    header = {key: document[key] for key in ("Version", "Id") if key in document}
    return header, statements
