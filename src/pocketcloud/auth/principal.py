"""Who is calling: the principal an access key resolves to.

Kinds follow IAM's `aws:PrincipalType`: "Account" (the root user), "User" (an
IAM user), "AssumedRole" (a role session), "FederatedUser", and "Anonymous"
for unsigned requests that only a public resource policy may allow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Principal:
    account_id: str
    arn: str
    user_id: str
    kind: str = "Account"
    name: str = ""
    # For "AssumedRole": the role's ARN, the session name and its session policy.
    role_arn: str | None = None
    session_name: str | None = None
    session_policy: str | None = None
    session_expires: datetime | None = None
    # When temporary credentials were issued (aws:TokenIssueTime); None for long-term keys.
    session_issued: datetime | None = None
    access_key_id: str | None = None
    tags: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    mfa_authenticated: bool = False
    # A role session's source identity (aws:SourceIdentity): set once, kept by chained sessions.
    source_identity: str | None = None

    @property
    def is_root(self) -> bool:
        return self.kind == "Account"

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "Anonymous"

    @property
    def has_identity_policies(self) -> bool:
        """IAM users and sessions (role or federated) carry identity policies; root and anonymous do not."""
        return self.kind in _POLICY_HOLDERS


_POLICY_HOLDERS = frozenset({"User", "AssumedRole", "FederatedUser"})


def root_principal(account_id: str, access_key_id: str | None = None) -> Principal:
    return Principal(
        account_id=account_id,
        arn=f"arn:aws:iam::{account_id}:root",
        user_id=account_id,
        kind="Account",
        access_key_id=access_key_id,
    )


ANONYMOUS = Principal(account_id="", arn="*", user_id="anonymous", kind="Anonymous")


@dataclass(frozen=True)
class Credential:
    """A secret and whom it belongs to, as resolved from an access key id."""

    access_key_id: str
    secret_access_key: str
    principal: Principal
    session_token: str | None = None
    expires: datetime | None = None
    active: bool = True
    # An S3 Express One Zone session's key: its token comes in x-amz-s3session-token, never in
    # x-amz-security-token (services/s3/express_sessions.py).
    s3_session: bool = False
