"""Object Lock APIs: a bucket's lock configuration, an object version's retention and legal hold.

The rules, from the S3 User Guide ("Locking objects with Object Lock"):

- Object Lock is enabled when a bucket is created with it, or later by
  PutObjectLockConfiguration on a bucket whose versioning is Enabled; it can
  never be disabled, and such a bucket's versioning can never be suspended.
- COMPLIANCE retention can be extended but never shortened, removed or
  turned into GOVERNANCE, by anyone.
- GOVERNANCE retention can be extended; shortening, removing it or changing
  its mode takes `x-amz-bypass-governance-retention: true` and the
  s3:BypassGovernanceRetention permission (which deletes of a version under
  GOVERNANCE retention need too).
- A legal hold (ON/OFF) is independent of retention and blocks deletion while ON.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.evaluate import AuthorizationRequest, evaluate
from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import to_datetime
from pocketcloud.services.s3.errors import invalid_argument, invalid_request, malformed_xml
from pocketcloud.services.s3.integrity import require_integrity
from pocketcloud.services.s3.state import S3State

Params = dict[str, Any]
MODES = ("GOVERNANCE", "COMPLIANCE")
HOLDS = ("ON", "OFF")
MAX_DAYS, MAX_YEARS = 36500, 100


def locked_out() -> ServiceError:
    return ServiceError("AccessDenied", "Access Denied because object protected by object lock.", status=403)


def _missing_lock_configuration() -> ServiceError:
    return invalid_request("Bucket is missing Object Lock Configuration")


def check_lock_settings(mode: Any, until: Any, hold: Any, *, in_headers: bool) -> None:
    """The Object Lock settings a request names, one validation for both places they travel: the
    x-amz-object-lock-mode, -retain-until-date and -legal-hold headers of PutObject, CopyObject and
    CreateMultipartUpload (`in_headers`), and the bodies of PutObjectRetention and PutObjectLegalHold.
    A value S3 cannot read is InvalidArgument naming the header, or MalformedXML in a body (which
    fails S3's schema); a retain-until date not in the future is InvalidArgument either way. In S3's
    order: mode and date together, the date, the mode, the legal hold (versitygw#2028 and its
    ParsObjectLockHdrs, which runs before anything looks at the bucket)."""

    def unreadable(message: str, header: str | None = None, value: Any = None) -> ServiceError:
        if not in_headers:
            return malformed_xml()
        return invalid_argument(message, header, str(value)) if header else invalid_argument(message)

    if (mode is None) != (until is None):
        raise unreadable("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
    if until is not None and to_datetime(until) <= datetime.now(UTC):
        raise invalid_argument("The retain until date must be in the future!")
    if mode is not None and mode not in MODES:
        raise unreadable("Unknown wormMode directive.", "x-amz-object-lock-mode", mode)
    if hold is not None and hold not in HOLDS:
        raise unreadable("Legal Hold must be either of 'ON' or 'OFF'", "x-amz-object-lock-legal-hold", hold)


def _missing_integrity_header() -> ServiceError:
    # S3's error document for PutObjectLockConfiguration and PutObjectLegalHold, as quoted in
    # versity/versitygw#1301 and #1311.
    return invalid_request("Missing required header for this request: Content-MD5 OR x-amz-checksum-*")


def validate_object_lock_configuration(config: Params | None) -> None:
    config = config or {}
    if config.get("ObjectLockEnabled") != "Enabled":
        raise malformed_xml()
    rule = config.get("Rule")
    if rule is None:
        return
    default = rule.get("DefaultRetention")
    if not default or default.get("Mode") not in MODES:
        raise malformed_xml()
    days, years = default.get("Days"), default.get("Years")
    if (days is None) == (years is None):
        raise malformed_xml()
    name, value, limit = ("Days", days, MAX_DAYS) if days is not None else ("Years", years, MAX_YEARS)
    if value <= 0:
        raise invalid_argument("Default retention period must be a positive integer value.", name, str(value))
    if value > limit:
        raise invalid_argument("Default retention period is too large.", name, str(value))


class ObjectLockOperations:
    s3: S3State
    runtime: Any

    # -- the bucket's configuration -----------------------------------------------------------

    def PutObjectLockConfiguration(self, ctx: RequestContext, p: Params) -> Params:
        require_integrity(ctx.request.headers, _missing_integrity_header())
        if p.get("ObjectLockConfiguration") is None:  # no body at all, unlike an empty configuration
            raise ServiceError("MissingRequestBodyError", "Request Body is empty", status=400)
        config = p["ObjectLockConfiguration"]
        with self.s3.store.transaction():
            bucket = self.s3.bucket(p["Bucket"])
            if (
                not bucket.get("ObjectLockEnabled")
                and (bucket.get("Versioning") or {}).get("Status") != "Enabled"
            ):
                raise ServiceError(
                    "InvalidBucketState",
                    "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
                    status=409,
                )
            validate_object_lock_configuration(config)
            bucket["ObjectLockEnabled"] = True
            bucket.setdefault("Configs", {})["ObjectLock"] = config
            self.s3.save_bucket(bucket)
        return {}

    def GetObjectLockConfiguration(self, ctx: RequestContext, p: Params) -> Params:
        bucket = self.s3.bucket(p["Bucket"])
        if not bucket.get("ObjectLockEnabled"):
            raise ServiceError(
                "ObjectLockConfigurationNotFoundError",
                "Object Lock configuration does not exist for this bucket",
                status=404,
                BucketName=p["Bucket"],
            )
        config = (bucket.get("Configs") or {}).get("ObjectLock") or {"ObjectLockEnabled": "Enabled"}
        return {"ObjectLockConfiguration": config}

    # -- retention ------------------------------------------------------------------------------

    def _locked_bucket(self, name: str) -> Params:
        bucket = self.s3.bucket(name)
        if not bucket.get("ObjectLockEnabled"):
            raise _missing_lock_configuration()
        return bucket

    def PutObjectRetention(self, ctx: RequestContext, p: Params) -> Params:
        # S3's answer for this operation is S3's older one (aws/aws-sdk-ruby#3192, a service-side issue).
        require_integrity(ctx.request.headers, ServiceError(
            "MissingContentMD5", "Missing required header for this request: Content-Md5.", status=400))
        self.s3.bucket(p["Bucket"])
        retention = p.get("Retention") or {}
        mode, until = retention.get("Mode"), retention.get("RetainUntilDate")
        # S3 reads the body before it looks at the bucket's lock, as for a legal hold.
        check_lock_settings(mode, until, None, in_headers=False)
        bucket = self._locked_bucket(p["Bucket"])
        bypass = self.may_bypass_governance(ctx, bucket, p)

        def change(record: Params) -> None:
            current = record.get("Retention")
            if current and to_datetime(current["RetainUntilDate"]) > datetime.now(UTC):
                weaker = (
                    until is None
                    or to_datetime(until) < to_datetime(current["RetainUntilDate"])
                    or mode != current["Mode"]
                )
                if weaker and (current["Mode"] == "COMPLIANCE" or not bypass):
                    raise locked_out()
            if mode is None or until is None:
                record.pop("Retention", None)
            else:
                record["Retention"] = {"Mode": mode, "RetainUntilDate": to_datetime(until).isoformat()}

        self._update_record(p["Bucket"], p["Key"], p.get("VersionId"), change)  # type: ignore[attr-defined]
        return {}

    def GetObjectRetention(self, ctx: RequestContext, p: Params) -> Params:
        self._locked_bucket(p["Bucket"])
        record = self.find_object(p["Bucket"], p["Key"], p.get("VersionId"))  # type: ignore[attr-defined]
        retention = record.get("Retention")
        if not retention:
            raise ServiceError(
                "NoSuchObjectLockConfiguration",
                "The specified object does not have a ObjectLock configuration",
                status=404,
            )
        return {"Retention": {"Mode": retention["Mode"], "RetainUntilDate": retention["RetainUntilDate"]}}

    # -- legal hold -----------------------------------------------------------------------------

    def PutObjectLegalHold(self, ctx: RequestContext, p: Params) -> Params:
        require_integrity(ctx.request.headers, _missing_integrity_header())
        self.s3.bucket(p["Bucket"])
        status = (p.get("LegalHold") or {}).get("Status")
        if status is None:  # S3 reads the body before it looks at the bucket's lock
            raise malformed_xml()
        check_lock_settings(None, None, status, in_headers=False)
        self._locked_bucket(p["Bucket"])

        def change(record: Params) -> None:
            record["LegalHold"] = status

        self._update_record(p["Bucket"], p["Key"], p.get("VersionId"), change)  # type: ignore[attr-defined]
        return {}

    def GetObjectLegalHold(self, ctx: RequestContext, p: Params) -> Params:
        self._locked_bucket(p["Bucket"])
        record = self.find_object(p["Bucket"], p["Key"], p.get("VersionId"))  # type: ignore[attr-defined]
        if not record.get("LegalHold"):
            raise ServiceError(
                "NoSuchObjectLockConfiguration",
                "The specified object does not have a ObjectLock configuration",
                status=404,
            )
        return {"LegalHold": {"Status": record["LegalHold"]}}

    # -- bypassing governance -------------------------------------------------------------------

    def may_bypass_governance(self, ctx: RequestContext, bucket: Params, p: Params) -> bool:
        """Whether the request asks to bypass GOVERNANCE retention and its caller may
        (s3:BypassGovernanceRetention on the object, by identity and bucket policy)."""
        if p.get("BypassGovernanceRetention") is not None and not bucket.get("ObjectLockEnabled"):
            raise ServiceError(  # even "false": AWS refuses the header outside Object Lock buckets
                "InvalidArgument",
                "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.",
                status=400,
                ArgumentName="x-amz-bypass-governance-retention",
            )
        if not p.get("BypassGovernanceRetention"):
            return False
        if self.runtime.settings.auth_disabled:
            return True
        principal = ctx.principal
        policy_text = (bucket.get("Configs") or {}).get("Policy")
        owner = bucket.get("Account")
        if principal.is_root and not policy_text and owner == principal.account_id:
            return True
        identity: list[Any] = []
        boundary = None
        iam = self.runtime.provider("iam") if principal.has_identity_policies else None
        if iam is not None:
            found = iam.identity_policies(principal)
            identity = [_parse(doc, "identity", pid) for pid, doc in found.identity]
            boundary = _parse(found.boundary, "boundary", "boundary") if found.boundary else None
        resource_policy = _parse(policy_text, "resource", "resource") if policy_text else None
        request = AuthorizationRequest.for_principal(
            principal,
            "s3:BypassGovernanceRetention",
            f"arn:aws:s3:::{bucket['Name']}/{p.get('Key', '*')}",
            identity_policies=[x for x in identity if x is not None],
            permissions_boundary=boundary,
            resource_policy=resource_policy,
            resource_account=owner,
        )
        return evaluate(request).allowed


def _parse(document: str, kind: str, policy_id: str) -> Any:
    try:
        return parse_policy(document, kind, policy_id=policy_id)  # type: ignore[arg-type]
    except MalformedPolicy:
        return None
