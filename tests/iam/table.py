"""Builders for the evaluation table: principals, statements and one `Case` per row.

A row states a request in AWS terms (who, which action on which resource,
under which policies, with which context keys), the decision AWS documents,
and the documented rule it checks. By default the caller is the IAM user bob
in account 111122223333 calling s3:GetObject on arn:aws:s3:::b/k.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pocketcloud.iam.evaluate import AuthorizationRequest, Decision, evaluate
from pocketcloud.iam.policy import parse_policy

ALLOWED, EXPLICIT, IMPLICIT = "allowed", "explicitDeny", "implicitDeny"

ACCOUNT = "111122223333"
OTHER = "444455556666"
BOB_ARN = f"arn:aws:iam::{ACCOUNT}:user/bob"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/app"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1"
FED_ARN = f"arn:aws:sts::{ACCOUNT}:federated-user/fed"
ALICE_ARN = f"arn:aws:iam::{OTHER}:user/alice"
OTHER_ROLE_ARN = f"arn:aws:iam::{OTHER}:role/partner"
OTHER_SESSION_ARN = f"arn:aws:sts::{OTHER}:assumed-role/partner/p1"
OBJECT = "arn:aws:s3:::b/k"

BOB: dict[str, Any] = {
    "principal_arn": BOB_ARN, "principal_type": "User", "principal_account": ACCOUNT,
    "user_id": "AIDABOBEXAMPLE000001", "username": "bob", "principal_tags": {"team": "dev"},
}  # fmt: skip
SESSION: dict[str, Any] = {
    "principal_arn": SESSION_ARN, "principal_type": "AssumedRole", "principal_account": ACCOUNT,
    "user_id": "AROAAPPEXAMPLE000001:s1", "parent_arn": ROLE_ARN, "principal_tags": {"team": "ops"},
}  # fmt: skip
FEDERATED: dict[str, Any] = {
    "principal_arn": FED_ARN, "principal_type": "FederatedUser", "principal_account": ACCOUNT,
    "user_id": f"{ACCOUNT}:fed", "parent_arn": BOB_ARN,
}  # fmt: skip
ROOT: dict[str, Any] = {
    "principal_arn": f"arn:aws:iam::{ACCOUNT}:root", "principal_type": "Account",
    "principal_account": ACCOUNT, "user_id": ACCOUNT,
}  # fmt: skip
ANONYMOUS: dict[str, Any] = {"principal_arn": "*", "principal_type": "Anonymous"}
SNS: dict[str, Any] = {"principal_arn": "sns.amazonaws.com", "principal_type": "Service"}
GOOGLE: dict[str, Any] = {"principal_arn": "accounts.google.com", "principal_type": "WebIdentity"}
ALICE: dict[str, Any] = {
    "principal_arn": ALICE_ARN, "principal_type": "User", "principal_account": OTHER,
    "user_id": "AIDAALICEEXAMPLE0001", "username": "alice",
}  # fmt: skip
PARTNER: dict[str, Any] = {
    "principal_arn": OTHER_SESSION_ARN, "principal_type": "AssumedRole", "principal_account": OTHER,
    "user_id": "AROAPARTNEREXAMPLE01:p1", "parent_arn": OTHER_ROLE_ARN,
}  # fmt: skip
OTHER_ROOT: dict[str, Any] = {
    "principal_arn": f"arn:aws:iam::{OTHER}:root", "principal_type": "Account",
    "principal_account": OTHER, "user_id": OTHER,
}  # fmt: skip


def statement(
    effect: str, action: str | list[str] | None, resource: str | list[str] | None, **extra: Any
) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": effect}
    if action is not None:
        st["Action"] = action
    if resource is not None:
        st["Resource"] = resource
    if "cond" in extra:
        extra["Condition"] = extra.pop("cond")
    st.update(extra)
    return st


def allow(
    action: str | list[str] | None = "s3:GetObject", resource: str | list[str] | None = "*", **extra: Any
) -> dict[str, Any]:
    return statement("Allow", action, resource, **extra)


def deny(
    action: str | list[str] | None = "s3:GetObject", resource: str | list[str] | None = "*", **extra: Any
) -> dict[str, Any]:
    return statement("Deny", action, resource, **extra)


def grant(
    principal: Any, action: str | list[str] = "s3:GetObject", resource: str | None = "*", **extra: Any
) -> dict[str, Any]:
    """A resource-policy Allow; `principal` is the Principal element (or a bare AWS principal string).

    `resource=None` leaves out the Resource element, as role trust policies must.
    """
    element = principal if principal == "*" or isinstance(principal, dict) else {"AWS": principal}
    return allow(action, resource, Principal=element, **extra)


def refuse(
    principal: Any, action: str | list[str] = "s3:GetObject", resource: str | None = "*", **extra: Any
) -> dict[str, Any]:
    element = principal if principal == "*" or isinstance(principal, dict) else {"AWS": principal}
    return deny(action, resource, Principal=element, **extra)


def when(operator: str, key: str, value: Any) -> dict[str, Any]:
    """A one-operator, one-key Condition element."""
    return {operator: {key: value}}


Statements = list[dict[str, Any]]


@dataclass(frozen=True)
class Case:
    id: str
    expected: str
    rule: str  # the AWS-documented rule the row checks, "Page title: rule"
    # One policy (a list of statements, or a lone statement object), or several policies.
    identity: Statements | list[Statements] | dict[str, Any] = field(default_factory=list)
    boundary: Statements | None = None
    session: list[Statements] | None = None
    resource_policy: Statements | None = None
    trust: Statements | None = None
    principal: dict[str, Any] = field(default_factory=lambda: BOB)
    action: str = "s3:GetObject"
    resource: str | tuple[str, ...] = OBJECT
    resource_account: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    version: str | None = "2012-10-17"
    by: str | None = None  # expected Decision.denied_by, when the row checks it

    def document(self, statements: Statements | dict[str, Any]) -> dict[str, Any]:
        doc: dict[str, Any] = {"Statement": statements}
        if self.version is not None:
            doc["Version"] = self.version
        return doc

    def request(self) -> AuthorizationRequest:
        identity = self.identity
        if isinstance(identity, dict) or (identity and not isinstance(identity[0], list)):
            policies = [identity]
        else:
            policies = list(identity)
        resource_policy = None
        if self.resource_policy is not None:
            resource_policy = parse_policy(
                self.document(self.resource_policy), "resource", policy_id="resource"
            )
        if self.trust is not None:
            resource_policy = parse_policy(self.document(self.trust), "trust", policy_id="trust")
        return AuthorizationRequest(
            action=self.action,
            resources=self.resource,
            resource_account=self.resource_account,
            context=self.context,
            identity_policies=[
                parse_policy(self.document(p), "identity", policy_id=f"identity-{i}")
                for i, p in enumerate(policies)
            ],
            permissions_boundary=None
            if self.boundary is None
            else parse_policy(self.document(self.boundary), "boundary", policy_id="boundary"),
            session_policies=None
            if self.session is None
            else [
                parse_policy(self.document(p), "session", policy_id=f"session-{i}")
                for i, p in enumerate(self.session)
            ],
            resource_policy=resource_policy,
            **self.principal,
        )

    def decide(self) -> Decision:
        return evaluate(self.request())
