"""sts:AssumeRoot: a short session (at most 15 minutes) as the root user of a member account,
for one privileged task. The management account calls it once its organization has
centralized root access with root sessions enabled (IAM's EnableOrganizationsRootSessions).

The session is the member account's root (GetCallerIdentity answers arn:aws:iam::<member>:root)
carrying the task policy as its session policy: the root user may do everything in its own
account, so the task policy's explicit denies are what limits it (the policy engine scans a
root session's task policy for denies).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import ServiceRuntime

Params = dict[str, Any]
TASK_POLICY_PREFIX = "arn:aws:iam::aws:policy/root-task/"
TASK_POLICIES = frozenset(
    TASK_POLICY_PREFIX + name
    for name in (
        "IAMAuditRootUserCredentials",
        "IAMCreateRootUserPassword",
        "IAMDeleteRootUserCredentials",
        "S3UnlockBucketPolicy",
        "SQSUnlockQueuePolicy",
    )
)
ROOT_SESSION_MAX = 900


def _target_account(target: str) -> str:
    """The member account a TargetPrincipal names: an account id, or its root user's ARN."""
    account = target
    if target.startswith("arn:"):
        parts = target.split(":")
        account = parts[4] if len(parts) == 6 and parts[2] == "iam" and parts[5] == "root" else ""
    if len(account) != 12 or not account.isdigit():
        raise ServiceError("ValidationError", f"{target} is not a valid TargetPrincipal", status=400)
    return account


class RootSessionOperations:
    runtime: ServiceRuntime
    _issue: Callable[[int, Params], Params]

    def AssumeRoot(self, ctx: RequestContext, p: Params) -> Params:
        caller = ctx.principal
        account = _target_account(p["TargetPrincipal"])
        task_arn = (p.get("TaskPolicyArn") or {}).get("arn") or ""
        if task_arn not in TASK_POLICIES:
            raise ServiceError(
                "ValidationError",
                f"TaskPolicyArn {task_arn} is not one of the task policies AssumeRoot accepts "
                f"({TASK_POLICY_PREFIX}...).",
                status=400,
            )
        root_arn = f"arn:aws:iam::{account}:root"
        refused = ServiceError(
            "AccessDenied",
            f"User: {caller.arn} is not authorized to perform: sts:AssumeRoot on resource: {root_arn}",
            status=403,
        )
        if caller.is_root:
            raise ServiceError("AccessDenied", "Root users may not call AssumeRoot.", status=403)
        organizations: Any = self.runtime.provider("organizations")
        org = organizations.organization() if organizations is not None else None
        iam: Any = self.runtime.provider("iam")
        if (
            org is None
            or caller.account_id != org["MasterAccountId"]
            or account == org["MasterAccountId"]
            or organizations.member_account(account) is None
            or not iam.root_sessions_enabled(org["MasterAccountId"])
        ):
            raise refused
        task_policy = iam.policies.default_document(account, task_arn)
        if not task_policy:  # never a root session without its task policy: that would be full root
            raise refused
        duration = p.get("DurationSeconds")
        credentials = self._issue(
            ROOT_SESSION_MAX if duration is None else duration,
            {
                "Kind": "Account",
                "Account": account,
                "Arn": root_arn,
                "UserId": account,
                "Name": "",
                "SessionPolicy": task_policy,
                "TaskPolicyArn": task_arn,
                "Tags": {},
            },
        )
        return {"Credentials": credentials}
