"""Managed policies as data: customer managed ones in the store, AWS managed ones
from the bundled data file, and where each is attached (counts per account).
"""

from __future__ import annotations

import json
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.iam.common import no_such_entity, scope
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
            return {**aws, "AttachmentCount": usage.get("AttachmentCount", 0), "IsAttachable": True}
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

    def count_attachment(self, ctx: RequestContext, policy_arn: str, delta: int) -> None:
        if policy_arn.startswith(AWS_POLICY_ARN_PREFIX):
            usage = self.aws_usage.get(scope(ctx), policy_arn) or {"AttachmentCount": 0}
            usage["AttachmentCount"] = max(0, usage["AttachmentCount"] + delta)
            self.aws_usage.put(scope(ctx), policy_arn, usage)
            return
        doc = self.find(ctx, policy_arn)
        if doc is not None:
            doc["AttachmentCount"] = max(0, doc.get("AttachmentCount", 0) + delta)
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
