"""S3 Express One Zone sessions: CreateSession, the credentials it hands out, and how requests on
directory buckets are authorized.

CreateSession (authorized as `s3express:CreateSession` on the bucket's `arn:aws:s3express:...`
ARN, with `s3express:SessionMode` as a condition key) issues credentials valid for five minutes,
scoped to one bucket and one mode. A request signed with them carries the token in
`x-amz-s3session-token`; the credential directory resolves the session's key to the principal
that created it (auth/credentials.py, `Credential.s3_session`). Such a request is authorized by
the session alone: its bucket must be the session's, and a ReadOnly session may only read
("Authorizing Zonal endpoint API operations with CreateSession"; API reference, CreateSession).
The bucket's policy takes part in every s3express decision, as a general purpose bucket's does: it
can grant a user of the account or another account, and its explicit Deny wins.

Bucket-level (Regional endpoint) calls on directory buckets are authorized as `s3express:<action>`
on the bucket's ARN ("Authorizing Regional endpoint API operations with IAM"), and the zonal
calls the SDKs sign with ordinary credentials (CopyObject, UploadPartCopy) as
`s3express:CreateSession`.

One departure, for the SDKs' sake: pointed at a custom endpoint, the SDKs' endpoint rules sign
every call that names a directory bucket (CreateBucket included) with session credentials, so
CreateSession for a directory bucket name that does not exist yet issues a session, which only
lets its holder create that bucket (and answers NoSuchBucket to everything else).

Sessions live in memory: they outlast no restart, as they outlast no five minutes.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pocketcloud.auth.credentials import CredentialDirectory
from pocketcloud.auth.principal import Credential, Principal
from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.authorizer import access_denied
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.services.s3.directory_names import is_directory_bucket_name
from pocketcloud.services.s3.errors import invalid_argument, no_such_bucket
from pocketcloud.services.s3.state import GLOBAL, S3State

Params = dict[str, Any]

SESSION_SECONDS = 300
# Expired sessions are kept this long, so that their use is ExpiredToken rather than an unknown key.
_KEPT_AFTER_EXPIRY = timedelta(hours=1)
# What a ReadOnly session may do (CreateSession, x-amz-create-session-mode).
READ_ONLY_OPERATIONS = frozenset(
    {
        "GetObject",
        "HeadObject",
        "HeadBucket",
        "ListObjectsV2",
        "GetObjectAttributes",
        "ListParts",
        "ListMultipartUploads",
    }
)
# Regional endpoint operations on directory buckets and the s3express action each is authorized as
# (Service Authorization Reference, Amazon S3 Express).
REGIONAL_ACTIONS = {
    "CreateBucket": "s3express:CreateBucket",
    "DeleteBucket": "s3express:DeleteBucket",
    "ListDirectoryBuckets": "s3express:ListAllMyDirectoryBuckets",
    "PutBucketPolicy": "s3express:PutBucketPolicy",
    "GetBucketPolicy": "s3express:GetBucketPolicy",
    "DeleteBucketPolicy": "s3express:DeleteBucketPolicy",
    "PutBucketEncryption": "s3express:PutEncryptionConfiguration",
    "GetBucketEncryption": "s3express:GetEncryptionConfiguration",
    "DeleteBucketEncryption": "s3express:PutEncryptionConfiguration",
    "PutBucketLifecycleConfiguration": "s3express:PutLifecycleConfiguration",
    "GetBucketLifecycleConfiguration": "s3express:GetLifecycleConfiguration",
    "DeleteBucketLifecycle": "s3express:PutLifecycleConfiguration",
}
_POLICY_ACTIONS = frozenset(
    ("s3express:PutBucketPolicy", "s3express:GetBucketPolicy", "s3express:DeleteBucketPolicy")
)
_KEY_ALPHABET = string.ascii_uppercase + "234567"  # base32, as every AWS access key id (services/iam/common.py)


def express_bucket_arn(region: str, account: str, bucket: str) -> str:
    return f"arn:aws:s3express:{region}:{account}:bucket/{bucket}"


@dataclass(frozen=True)
class ExpressSession:
    access_key_id: str
    secret_access_key: str
    token: str
    bucket: str
    mode: str
    principal: Principal  # who created it: requests signed with it act as them
    expires: datetime


class SessionTable:
    """The sessions issued, by access key id; a source of the credential directory."""

    def __init__(self, credentials: CredentialDirectory) -> None:
        self._sessions: dict[str, ExpressSession] = {}
        credentials.register(self.credential)

    def issue(self, principal: Principal, bucket: str, mode: str) -> ExpressSession:
        now = datetime.now(UTC)
        for key in [k for k, s in self._sessions.items() if s.expires + _KEPT_AFTER_EXPIRY < now]:
            del self._sessions[key]
        session = ExpressSession(
            access_key_id="ASIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16)),
            secret_access_key=secrets.token_urlsafe(30)[:40],
            token=secrets.token_urlsafe(96),
            bucket=bucket,
            mode=mode,
            principal=principal,
            expires=now.replace(microsecond=0) + timedelta(seconds=SESSION_SECONDS),
        )
        self._sessions[session.access_key_id] = session
        return session

    def credential(self, access_key_id: str) -> Credential | None:
        session = self._sessions.get(access_key_id)
        if session is None:
            return None
        return Credential(
            access_key_id=access_key_id,
            secret_access_key=session.secret_access_key,
            principal=replace(session.principal, access_key_id=access_key_id),
            session_token=session.token,
            expires=session.expires,
            s3_session=True,
        )

    def of(self, principal: Principal) -> ExpressSession | None:
        """The session a request was signed with, if it was."""
        return self._sessions.get(principal.access_key_id or "")


class ExpressSessionOperations:
    s3: S3State
    runtime: Any
    _express_sessions: SessionTable | None = None

    @property
    def express_sessions(self) -> SessionTable:
        if self._express_sessions is None:
            self._express_sessions = SessionTable(self.runtime.credentials)
        return self._express_sessions

    def express_session(self, ctx: RequestContext) -> ExpressSession | None:
        if self._express_sessions is None:
            return None
        return self._express_sessions.of(ctx.principal)

    # -- CreateSession ------------------------------------------------------------------

    def CreateSession(self, ctx: RequestContext, p: Params) -> Params:
        bucket = p["Bucket"]
        mode = p.get("SessionMode")
        if mode is not None and mode not in ("ReadWrite", "ReadOnly"):
            raise invalid_argument(
                "Invalid session mode; supported modes are ReadWrite and ReadOnly",
                "x-amz-create-session-mode",
                mode,
            )
        if self.express_session(ctx) is not None:  # a session does not beget sessions
            raise access_denied("s3", "Access Denied")
        doc = self.s3.buckets.get(GLOBAL, bucket)
        if (doc is None and not is_directory_bucket_name(bucket)) or (
            doc is not None and doc.get("BucketType") != "Directory"
        ):
            raise no_such_bucket(bucket)
        # With no mode named, S3 tries ReadWrite, then ReadOnly if the policies allow only that.
        modes = [mode] if mode else ["ReadWrite", "ReadOnly"]
        for index, candidate in enumerate(modes):
            try:
                self.authorize_express(ctx, "s3express:CreateSession", bucket, candidate)
                break
            except ServiceError:
                if index == len(modes) - 1:
                    raise
        session = self.express_sessions.issue(ctx.principal, bucket, candidate)
        return {
            "ServerSideEncryption": "AES256",
            "Credentials": {
                "AccessKeyId": session.access_key_id,
                "SecretAccessKey": session.secret_access_key,
                "SessionToken": session.token,
                "Expiration": session.expires,
            },
        }

    # -- authorization ------------------------------------------------------------------

    def authorize_express(self, ctx: RequestContext, action: str, bucket: str, mode: str | None = None) -> None:
        """AccessDenied unless the caller may perform the s3express `action` on `bucket` (or on "*")."""
        doc = self.s3.buckets.get(GLOBAL, bucket) if bucket else None
        account = (doc or {}).get("Account") or ctx.account_id
        region = (doc or {}).get("Region") or ctx.region
        resource = express_bucket_arn(region, account, bucket) if bucket else "*"
        values = {"s3express:SessionMode": mode} if mode else {}
        operation = service_model("s3").operation_model(ctx.operation)
        # The bucket's policy has its say, as a general purpose bucket's does, except on the policy
        # calls of the owner's root user (who can always recover a bucket its policy locked out).
        policy = (doc.get("Configs") or {}).get("Policy") if doc is not None else None
        if action in _POLICY_ACTIONS and ctx.principal.is_root and ctx.principal.account_id == account:
            policy = None
        self.runtime.authorizer.authorize_action(
            ctx, operation, action, resource, values, policy_text=policy, resource_account=account if doc else None
        )

    def check_session_scope(self, ctx: RequestContext, operation: str, params: Params) -> None:
        """A request signed with a session: the session's bucket only, and only reads if ReadOnly."""
        session = self.express_session(ctx)
        if session is None:
            return
        bucket = params.get("Bucket")
        if operation == "ListDirectoryBuckets" or bucket != session.bucket:
            raise access_denied("s3", "Access Denied")
        if session.mode == "ReadOnly" and operation not in READ_ONLY_OPERATIONS:
            raise access_denied("s3", "Access Denied")

    def authorizes_itself(self, ctx: RequestContext, operation: str, params: Params) -> bool:
        """The authorizer's hook: True when this request on a directory bucket is authorized here
        (AccessDenied raised when it is not); False for the usual evaluation."""
        bucket = params.get("Bucket")
        if operation == "ListDirectoryBuckets":
            self.authorize_express(ctx, REGIONAL_ACTIONS[operation], "")
            return True
        if not isinstance(bucket, str) or not is_directory_bucket_name(bucket):
            return False
        if operation == "CreateSession":
            return True  # CreateSession authorizes itself, mode by mode
        if operation in REGIONAL_ACTIONS:
            self.authorize_express(ctx, REGIONAL_ACTIONS[operation], bucket)
            return True
        session = self.express_session(ctx)
        if session is not None and session.bucket == bucket:
            return True  # authorized when the session was created; its scope is checked on arrival
        # A zonal call signed with ordinary credentials (CopyObject, UploadPartCopy, or a client that
        # turned sessions off) is authorized as the session it would otherwise have used.
        mode = "ReadOnly" if operation in READ_ONLY_OPERATIONS else "ReadWrite"
        self.authorize_express(ctx, "s3express:CreateSession", bucket, mode)
        return True
