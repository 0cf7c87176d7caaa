"""Role sessions: the part AssumeRole, AssumeRoleWithWebIdentity and AssumeRoleWithSAML share.

`_check_arn` refuses a RoleArn that is no ARN, `_parse_role_arn` names the role's account and
name, and `_role_session` checks the session's duration, policies and tags against the role and
issues its credentials (the response's Credentials and AssumedRoleUser).
"""

from __future__ import annotations

from typing import Any

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.sts.session_credentials import SessionCredentials
from pocketcloud.services.sts.session_policies import SessionPolicies, _checked_packed_size

Params = dict[str, Any]


def _check_arn(role_arn: str) -> None:
    """STS refuses a RoleArn that is no ARN at all (no partition, service or resource) before
    looking at any policy; a well-formed ARN of no role is refused as any role the caller may
    not assume."""
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        raise ServiceError("ValidationError", f"{role_arn} is invalid", status=400)


def _parse_role_arn(role_arn: str) -> tuple[str, str] | None:
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    return parts[4], parts[5].rsplit("/", 1)[-1]


class RoleSessions(SessionPolicies, SessionCredentials):
    def _role_session(
        self,
        role: Params,
        account: str,
        p: Params,
        requested_tags: dict[str, str],
        extra: Params,
        inherited_tags: dict[str, str] | None = None,
    ) -> Params:
        """A session of `role` (AssumeRole, AssumeRoleWithWebIdentity): its duration, session policy
        and tags checked, its credentials issued; the response's Credentials and AssumedRoleUser.
        Inherited transitive tags, like the requested ones, take the place of the role's own."""
        duration = p.get("DurationSeconds") or 3600
        if duration > role.get("MaxSessionDuration", 3600):
            raise ServiceError(
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                status=400,
            )
        session_name = p["RoleSessionName"]
        tags = {t["Key"]: t["Value"] for t in role.get("Tags", [])}
        tags.update(requested_tags)
        tags.update(inherited_tags or {})
        session_policy = p.get("Policy")
        packed = _checked_packed_size(p, requested_tags)
        session_policy = self._combined_session_policy(account, session_policy, p.get("PolicyArns"))
        assumed_arn = f"arn:aws:sts::{account}:assumed-role/{role['RoleName']}/{session_name}"
        assumed_id = f"{role['RoleId']}:{session_name}"
        credentials = self._issue(
            duration,
            {
                "Kind": "AssumedRole",
                "Account": account,
                "Arn": assumed_arn,
                "UserId": assumed_id,
                "Name": session_name,
                "RoleArn": role["Arn"],
                "SessionName": session_name,
                "SessionPolicy": session_policy,
                "Tags": tags,
                **extra,
            },
        )
        result: Params = {
            "Credentials": credentials,
            "AssumedRoleUser": {"AssumedRoleId": assumed_id, "Arn": assumed_arn},
        }
        if extra.get("SourceIdentity"):
            result["SourceIdentity"] = extra["SourceIdentity"]
        # AWS answers with PackedPolicySize only when the request passed policies or tags.
        if p.get("Policy") is not None or p.get("PolicyArns") or requested_tags:
            result["PackedPolicySize"] = packed
        return result
