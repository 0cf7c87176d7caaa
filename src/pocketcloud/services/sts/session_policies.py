"""Session policies: the inline policy and managed policy ARNs a session request passes, checked
when the session is made, packed (PackedPolicySize) and combined into one policy document."""

from __future__ import annotations

import json
from typing import Any

from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import ServiceRuntime

Params = dict[str, Any]
PACKED_SPACE = 2048


def _packed_size(policy: str | None, policy_arns: list[Params], tags: dict[str, str]) -> int:
    """PackedPolicySize: how much of the session's packed space (2,048 characters of minified
    policy text, managed policy ARNs and tags) the request uses, as a percentage."""
    used = 0
    if policy:
        used += len(json.dumps(json.loads(policy), separators=(",", ":")))
    used += sum(len(a["arn"]) for a in policy_arns)
    used += sum(len(k) + len(v) for k, v in tags.items())
    return -(-used * 100 // PACKED_SPACE)


def _checked_packed_size(p: Params, tags: dict[str, str]) -> int:
    """The request's PackedPolicySize, after checking its session policy; PackedPolicyTooLarge past 100%."""
    policy = p.get("Policy")
    if policy is not None:
        _check_session_policy(policy)
    packed = _packed_size(policy, p.get("PolicyArns") or [], tags)
    if packed > 100:
        raise ServiceError(
            "PackedPolicyTooLarge",
            f"Packed policy consumes {packed}% of allotted space, please use smaller policy.",
            status=400,
        )
    return packed


def _check_session_policy(document: str) -> None:
    """A session policy is validated when the session is made, never when it is used. Text that is no
    JSON at all is STS's own "The policy is not in the valid JSON format." (AWS's answer in amazon.aws's
    sts_assume_role integration test, "Test assume role with invalid policy")."""
    try:
        json.loads(document)
    except (ValueError, RecursionError):
        raise ServiceError("MalformedPolicyDocument", "The policy is not in the valid JSON format.", status=400) from None
    try:
        parse_policy(document, "session")
    except MalformedPolicy as exc:
        raise ServiceError("MalformedPolicyDocument", exc.message, status=400) from exc


def _statements(document: Params) -> list[Params]:
    statement = document.get("Statement", [])
    return statement if isinstance(statement, list) else [statement]


class SessionPolicies:
    runtime: ServiceRuntime

    def _combined_session_policy(
        self, account: str, policy: str | None, policy_arns: list[Params] | None
    ) -> str | None:
        """The inline session policy and the managed session policies, as one policy document."""
        if not policy_arns:
            return policy
        documents = [json.loads(self._managed_document(account, a["arn"])) for a in policy_arns]
        statements = [s for d in documents for s in _statements(d)]
        if policy:
            statements += _statements(json.loads(policy))
        return json.dumps({"Version": "2012-10-17", "Statement": statements})

    def _managed_document(self, account: str, policy_arn: str) -> str:
        iam = self.runtime.provider("iam")
        document = iam.policies.default_document(account, policy_arn) if iam is not None else None  # type: ignore[attr-defined]
        if document is None:
            raise ServiceError("InvalidParameterValue", f"Policy {policy_arn} does not exist.", status=400)
        return str(document)
