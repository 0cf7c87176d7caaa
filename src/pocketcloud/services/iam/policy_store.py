"""Managed policies as data: customer managed ones in the store, AWS managed ones
from the bundled data file, and where each is attached (counts per account).
"""

from __future__ import annotations

import json
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.arn import split_arn
from pocketcloud.services.iam.common import invalid_input, no_such_entity, scope, validation_error
from pocketcloud.services.iam.managed_policies import AWS_POLICY_ARN_PREFIX, get_aws_managed_policy
from pocketcloud.store import Store


def policy_name_from_arn(policy_arn: str) -> str:
    return policy_arn.rsplit("/", 1)[-1]


def policy_account(policy_arn: str) -> str:
    parts = policy_arn.split(":")
    return parts[4] if len(parts) > 5 else ""


class PolicyStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.local = store.collection("iam", "policies")
        self.aws_usage = store.collection("iam", "aws_policy_usage")

    def find_in_account(self, account: str, policy_arn: str) -> dict[str, Any] | None:
        """The policy an ARN names, as seen from `account` (AWS managed or that account's own)."""
        if policy_arn.startswith(AWS_POLICY_ARN_PREFIX):
            aws = get_aws_managed_policy(policy_arn)
            if aws is None:
                return None
            usage = self.aws_usage.get((account, ""), policy_arn) or {}
            return {
                **aws,
                "AttachmentCount": usage.get("AttachmentCount", 0),
                "PermissionsBoundaryUsageCount": usage.get("PermissionsBoundaryUsageCount", 0),
                "IsAttachable": True,
            }
        if policy_account(policy_arn) != account:
            return None
        doc = self.local.get((account, ""), policy_name_from_arn(policy_arn))
        if doc is None or doc["Arn"] != policy_arn:
            return None
        return doc

    def find(self, ctx: RequestContext, policy_arn: str) -> dict[str, Any] | None:
        return self.find_in_account(ctx.account_id, policy_arn)

    def require(self, ctx: RequestContext, policy_arn: str) -> dict[str, Any]:
        doc = self.find(ctx, policy_arn)
        if doc is None:
            raise no_such_entity(f"Policy {policy_arn} does not exist or is not attachable.")
        return doc

    def require_attachable(self, ctx: RequestContext, policy_arn: str) -> dict[str, Any]:
        """The policy an Attach*Policy call names; a value that is no ARN at all is a ValidationError."""
        if split_arn(policy_arn) is None:
            raise validation_error(f"ARN {policy_arn} is not valid.")
        return self.require(ctx, policy_arn)

    def require_boundary(self, ctx: RequestContext, policy_arn: str) -> dict[str, Any]:
        """The managed policy a permissions boundary names, worded as AWS words its refusals."""
        parts = split_arn(policy_arn)
        if parts is None or parts[2] != "iam" or not parts[5].startswith("policy/"):
            raise invalid_input(f"ARN {policy_arn} is not valid.")
        doc = self.find(ctx, policy_arn)
        if doc is None:
            raise no_such_entity(f"Scope ARN: {policy_arn} does not exist or is not attachable.")
        return doc

    def count_attachment(
        self, ctx: RequestContext, policy_arn: str, delta: int, field: str = "AttachmentCount"
    ) -> None:
        """Count one more (or one fewer) entity using a policy: attached, or as its boundary
        (field="PermissionsBoundaryUsageCount")."""
        if policy_arn.startswith(AWS_POLICY_ARN_PREFIX):
            usage = self.aws_usage.get(scope(ctx), policy_arn) or {}
            usage[field] = max(0, usage.get(field, 0) + delta)
            self.aws_usage.put(scope(ctx), policy_arn, usage)
            return
        doc = self.find(ctx, policy_arn)
        if doc is not None:
            doc[field] = max(0, doc.get(field, 0) + delta)
            self.local.put(scope(ctx), doc["PolicyName"], doc)

    def default_document(self, account: str, policy_arn: str) -> str | None:
        """The default version's document text, for evaluation."""
        doc = self.find_in_account(account, policy_arn)
        if doc is None:
            return None
        if "Document" in doc:  # AWS managed: the data file holds the default version
            document = doc["Document"]
            return document if isinstance(document, str) else json.dumps(document)
        version = doc.get("Versions", {}).get(doc.get("DefaultVersionId", "v1"))
        return version["Document"] if version else None
