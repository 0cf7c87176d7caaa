"""What protects an object: server-side encryption and Object Lock (retention, legal hold).

Since January 2023 S3 encrypts every new object with SSE-S3 by default, so
every object reports `ServerSideEncryption: AES256` unless the bucket's
default or the request says aws:kms; SSE-C objects need their key to be read
(their bytes are encrypted under it on disk: `encryption.py`). Object Lock
retention and legal holds refuse deletion of a locked version; the Object Lock
APIs themselves are in `locking.py`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import to_datetime
from pocketcloud.services.s3.encryption import customer_key
from pocketcloud.services.s3.errors import invalid_argument, invalid_request
from pocketcloud.services.s3.integrity import proves_integrity
from pocketcloud.services.s3.locking import check_lock_settings

Params = dict[str, Any]


_KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
_CONTEXT_HEADER = "x-amz-server-side-encryption-context"


def encryption_context(value: str | None) -> dict[str, str] | None:
    """The SSE-KMS encryption context a request gives (base64 of a JSON string-to-string map), or
    S3's InvalidArgument."""
    if value is None:
        return None
    try:
        context = json.loads(base64.b64decode(value, validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        context = None
    if not isinstance(context, dict) or not all(isinstance(v, str) for v in context.values()):
        raise invalid_argument(
            f"The header '{_CONTEXT_HEADER}' shall be Base64-encoded UTF-8 string holding JSON which represents "
            "a string-string map",
            _CONTEXT_HEADER,
            value,
        )
    return context


def kms_context(sse: Params, bucket: str, key: str) -> dict[str, str]:
    """The encryption context S3 uses with an SSE-KMS object's key: `aws:s3:arn` (the object's ARN,
    or the bucket's under an S3 Bucket Key) and the context the writer gave."""
    given = encryption_context(sse.get("Context")) or {}
    arn = f"arn:aws:s3:::{bucket}" if sse.get("BucketKey") else f"arn:aws:s3:::{bucket}/{key}"
    return {**given, "aws:s3:arn": arn}


def refuse_encryption_header(ctx: RequestContext) -> None:
    """GetObject and HeadObject refuse x-amz-server-side-encryption: the encryption is the object's,
    chosen when it was written (their API references: 400 Bad Request)."""
    value = ctx.request.headers.get("x-amz-server-side-encryption")
    if value is not None:
        raise invalid_argument(
            "x-amz-server-side-encryption header is not supported for this operation.",
            "x-amz-server-side-encryption",
            value,
        )


def under_object_lock(record: Params, at: datetime) -> bool:
    """Whether a version is protected by Object Lock at `at`: a legal hold, or retention in effect."""
    retention = record.get("Retention")
    held = record.get("LegalHold") == "ON"
    return held or bool(retention and to_datetime(retention["RetainUntilDate"]) > at)


class ProtectionOperations:
    # -- encryption -------------------------------------------------------

    def apply_encryption(self, ctx: RequestContext, bucket_doc: Params, record: Params, p: Params) -> None:
        if p.get("SSECustomerAlgorithm") or p.get("SSECustomerKey"):
            if p.get("ServerSideEncryption"):
                raise invalid_argument(
                    "Server Side Encryption with Customer provided key is incompatible with the encryption "
                    "method specified",
                    "x-amz-server-side-encryption",
                    str(p["ServerSideEncryption"]),
                )
            key = self.check_sse_c_key(p)
            refuse_if_sse_c_blocked(bucket_doc)
            record["SSECustomer"] = {"Algorithm": "AES256", "KeyMD5": self.sse_c_key_md5(key)}
            return
        algorithm = p.get("ServerSideEncryption")
        key_id = p.get("SSEKMSKeyId")
        if (key_id or p.get("SSEKMSEncryptionContext")) and algorithm not in _KMS_ALGORITHMS:
            raise invalid_argument(
                "Server Side Encryption with AWS KMS managed key requires HTTP header "
                "x-amz-server-side-encryption : aws:kms",
                "x-amz-server-side-encryption",
                str(algorithm),
            )
        default = ((bucket_doc.get("Configs") or {}).get("Encryption") or {}).get("Rules") or []
        bucket_key = p.get("BucketKeyEnabled")
        if algorithm is None:
            by_default = (default[0].get("ApplyServerSideEncryptionByDefault") or {}) if default else {}
            algorithm = by_default.get("SSEAlgorithm", "AES256")
            key_id = key_id or by_default.get("KMSMasterKeyID")
        if bucket_key is None and default:
            bucket_key = default[0].get("BucketKeyEnabled")  # the bucket's default, unless the request says
        if algorithm not in ("AES256", "aws:kms", "aws:kms:dsse"):
            raise invalid_argument(
                "The encryption method specified is not supported",
                "x-amz-server-side-encryption",
                str(algorithm),
            )
        record["SSE"] = {
            "Algorithm": algorithm,
            **({"KeyId": key_id} if key_id and algorithm != "AES256" else {}),
        }
        if bucket_key and algorithm == "aws:kms":
            # An S3 Bucket Key serves SSE-KMS only (not DSSE-KMS); objects report it in
            # x-amz-server-side-encryption-bucket-key-enabled.
            record["SSE"]["BucketKey"] = True
        if algorithm != "AES256":
            if encryption_context(p.get("SSEKMSEncryptionContext")):
                record["SSE"]["Context"] = p["SSEKMSEncryptionContext"]
            record["SSE"]["KeyId"] = key_id = self.kms_key(bucket_doc, key_id)
            self.authorize_kms(ctx, key_id, "kms:GenerateDataKey", kms_context(record["SSE"], p["Bucket"], p["Key"]))

    def kms_key(self, bucket_doc: Params, key_id: str | None, reading: bool = False) -> str:
        """The ARN of the KMS key an SSE-KMS object is (`reading`: was) encrypted under, as KMS
        resolves it in the bucket's account and Region; no key id: S3's AWS managed key `aws/s3`.
        A key KMS will not use is refused with its KMS.* error (KMS.NotFoundException, ...)."""
        kms = self.runtime.provider("kms")  # type: ignore[attr-defined]
        scope = (bucket_doc.get("Account", ""), bucket_doc.get("Region", "us-east-1"))
        return str(kms.key_for(scope, key_id, "s3", reading=reading))

    def authorize_kms(self, ctx: RequestContext, key_arn: str, action: str, context: dict[str, str]) -> None:
        """S3 uses an SSE-KMS object's key as the caller: the caller must be allowed `action` on it
        (kms:GenerateDataKey to write, kms:Decrypt to read), by the key policy and its own policies,
        under the object's encryption `context`."""
        self.runtime.provider("kms").authorize_use(ctx, key_arn, action, "s3", context)  # type: ignore[attr-defined]

    def authorize_kms_read(self, ctx: RequestContext, bucket_name: str, key: str, record: Params) -> None:
        """Reading an SSE-KMS object's data (a GET, a copy's source, the parts of an SSE-KMS upload)
        decrypts its data key: the key must still be usable and the caller allowed kms:Decrypt."""
        sse = record.get("SSE") or {}
        if sse.get("KeyId"):
            arn = self.kms_key(self.s3.bucket(bucket_name), sse["KeyId"], reading=True)  # type: ignore[attr-defined]
            # An object written before KMS was here may name a key (or an alias) KMS never had:
            # nothing to decide with, as KMS's lookup says by handing back the id unresolved.
            if arn.startswith("arn:"):
                self.authorize_kms(ctx, arn, "kms:Decrypt", kms_context(sse, bucket_name, key))

    def sse_c_key_md5(self, key: bytes) -> str:
        return base64.b64encode(hashlib.md5(key).digest()).decode()

    def check_sse_c_key(self, p: Params, prefix: str = "") -> bytes:
        """The raw SSE-C key of a request whose algorithm, key and key MD5 S3 would accept."""
        algorithm, key_md5 = p.get(f"{prefix}SSECustomerAlgorithm"), p.get(f"{prefix}SSECustomerKeyMD5")
        header = (
            "x-amz-copy-source-server-side-encryption-customer"
            if prefix
            else "x-amz-server-side-encryption-customer"
        )
        if not algorithm:
            raise invalid_argument(
                "Requests specifying Server Side Encryption with Customer provided keys must provide a valid "
                "encryption algorithm.",
                f"{header}-algorithm",
                "null",
            )
        if algorithm != "AES256":
            # AWS's error for an SSE-C algorithm other than AES256 (S3 API reference, Error codes).
            raise ServiceError(
                "InvalidEncryptionAlgorithmError",
                "The encryption request you specified is not valid. The valid value is AES256.",
                status=400,
            )
        key = customer_key(p, f"{prefix}SSECustomerKey")
        if key is None:
            raise invalid_argument(
                "Requests specifying Server Side Encryption with Customer provided keys must provide an "
                "appropriate secret key.",
                f"{header}-algorithm",
                str(algorithm),
            )
        if len(key) != 32:
            raise invalid_argument(
                "The secret key was invalid for the specified algorithm.", f"{header}-key", ""
            )
        if not key_md5:
            raise invalid_argument(
                "Requests specifying Server Side Encryption with Customer provided keys must provide the client "
                "calculated MD5 of the secret key.",
                f"{header}-key-MD5",
                "null",
            )
        if key_md5 != self.sse_c_key_md5(key):
            raise invalid_argument(
                "The calculated MD5 hash of the key did not match the hash that was provided.",
                f"{header}-key-MD5",
                "",
            )
        return key

    def encryption_headers(self, record: Params) -> Params:
        if record.get("SSECustomer"):
            return {"SSECustomerAlgorithm": "AES256", "SSECustomerKeyMD5": record["SSECustomer"]["KeyMD5"]}
        sse = record.get("SSE") or {"Algorithm": "AES256"}
        out: Params = {"ServerSideEncryption": sse["Algorithm"]}
        if sse.get("KeyId"):
            out["SSEKMSKeyId"] = sse["KeyId"]
        if sse.get("BucketKey"):
            out["BucketKeyEnabled"] = True
        if sse.get("Context"):  # echoed by the writes that take it (PutObject, CopyObject, ...)
            out["SSEKMSEncryptionContext"] = sse["Context"]
        return out

    def check_sse_c_read(self, record: Params, p: Params, prefix: str = "") -> bytes | None:
        """The SSE-C key that reads `record` (None for an object without SSE-C), or S3's refusal."""
        sse_c = record.get("SSECustomer")
        if sse_c is None:
            if p.get(f"{prefix}SSECustomerAlgorithm"):
                raise invalid_request("The encryption parameters are not applicable to this object.")
            return None
        if not p.get(f"{prefix}SSECustomerKey") and not p.get(f"{prefix}SSECustomerAlgorithm"):
            raise invalid_request(
                "The object was stored using a form of Server Side Encryption. The correct parameters must be "
                "provided to retrieve the object."
            )
        key = self.check_sse_c_key(p, prefix)
        if self.sse_c_key_md5(key) != sse_c["KeyMD5"]:
            raise ServiceError("AccessDenied", "Access Denied", status=403)
        return key

    def check_copy_source_sse_c(self, source: Params, p: Params) -> bytes | None:
        """The key that reads an SSE-C copy source (x-amz-copy-source-server-side-encryption-customer-*)."""
        return self.check_sse_c_read(source, p, prefix="CopySource")

    # -- MFA delete -----------------------------------------------------------

    def check_mfa_delete(self, ctx: RequestContext, bucket_doc: Params, mfa: str | None) -> None:
        """A bucket whose versioning has MFA delete Enabled takes a permanent deletion of a version,
        or a change of its versioning, only from its account's root user with `x-amz-mfa: <serial>
        <code>` (S3 User Guide, "Deleting an object from an MFA delete-enabled bucket": "If you don't
        include this request header, the request fails"; the errors as S3 answers them: AWS
        Knowledge Center "How do I turn on MFA delete for my Amazon S3 bucket?" for a missing
        header, iterate-ch/cyberduck#16267 for a malformed one). The code itself is not checked:
        this server has no MFA devices to check it against."""
        if (bucket_doc.get("Versioning") or {}).get("MFADelete") != "Enabled":
            return
        if not mfa:
            raise ServiceError("AccessDenied", "Mfa Authentication must be used for this request", status=403)
        serial, _, code = mfa.strip().partition(" ")
        if not serial or not code.strip():
            raise ServiceError(
                "InvalidArgument",
                "Mfa header is invalid -- the header should be formatted as {serialNumber}(space){tokenCode}",
                status=400,
                ArgumentName="x-amz-mfa",
            )
        principal = ctx.principal
        if not self.runtime.settings.auth_disabled and not (  # type: ignore[attr-defined]
            principal.is_root and principal.account_id == bucket_doc.get("Account")
        ):
            # "When you configure MFA delete, only the root user can permanently delete object
            # versions or change the versioning configuration" (same page).
            raise ServiceError("AccessDenied", "This operation may only be performed by the bucket owner", status=403)

    # -- object lock ----------------------------------------------------------

    def apply_object_lock(self, bucket_doc: Params, record: Params, p: Params) -> None:
        """The Object Lock settings of a new version: the request's x-amz-object-lock-* headers, else
        the bucket's default retention. The headers are read first (locking.check_lock_settings), then
        refused on a bucket without Object Lock."""
        # An empty header is read as no header.
        mode, until, hold = (
            p.get("ObjectLockMode") or None,
            p.get("ObjectLockRetainUntilDate") or None,
            p.get("ObjectLockLegalHoldStatus") or None,
        )
        check_lock_settings(mode, until, hold, in_headers=True)
        if (mode or until or hold) and not bucket_doc.get("ObjectLockEnabled"):
            raise invalid_request("Bucket is missing Object Lock Configuration")
        if mode and until:
            record["Retention"] = {"Mode": mode, "RetainUntilDate": to_datetime(until).isoformat()}
        elif bucket_doc.get("ObjectLockEnabled"):
            rule = ((bucket_doc.get("Configs") or {}).get("ObjectLock") or {}).get("Rule") or {}
            default = rule.get("DefaultRetention") or {}
            if default.get("Mode"):
                until_date = default_retain_until(default, datetime.now(UTC))
                record["Retention"] = {"Mode": default["Mode"], "RetainUntilDate": until_date.isoformat()}
        if hold:
            record["LegalHold"] = hold

    def object_lock_headers(self, record: Params) -> Params:
        out: Params = {}
        if record.get("Retention"):
            out["ObjectLockMode"] = record["Retention"]["Mode"]
            out["ObjectLockRetainUntilDate"] = record["Retention"]["RetainUntilDate"]
        if record.get("LegalHold"):
            out["ObjectLockLegalHoldStatus"] = record["LegalHold"]
        return out

    def hide_unpermitted_lock_headers(self, ctx: RequestContext, p: Params, out: Params) -> None:
        """GetObject and HeadObject tell a version's retention only to a caller allowed
        s3:GetObjectRetention on it, and its legal hold only to one allowed s3:GetObjectLegalHold
        (their API references: "This header is only returned if the requester has the
        s3:GetObjectRetention permission", "... the s3:GetObjectLegalHold permission"). Through an
        access point the permission is asked as the request was: of the access point and of the bucket."""
        where = {"Bucket": p["Bucket"], "Key": p["Key"], **({"VersionId": p["VersionId"]} if p.get("VersionId") else {})}
        for operation, members in (
            ("GetObjectRetention", ("ObjectLockMode", "ObjectLockRetainUntilDate")),
            ("GetObjectLegalHold", ("ObjectLockLegalHoldStatus",)),
        ):
            if not any(member in out for member in members):
                continue
            try:
                self.authorize_through_access_point(ctx, operation, where)  # type: ignore[attr-defined]
                # The request's own keys (an access point's s3:DataAccessPointArn, ...) hold here too.
                self._authorize_as(ctx, operation, where, ctx.condition_values)  # type: ignore[attr-defined]
            except ServiceError as error:
                if error.code != "AccessDenied":
                    raise
                for member in members:
                    out.pop(member, None)

    def check_object_lock_delete(self, record: Params, bypass_governance: bool) -> None:
        if record.get("LegalHold") == "ON":
            raise ServiceError(
                "AccessDenied", "Access Denied because object protected by object lock.", status=403
            )
        retention = record.get("Retention")
        if retention and to_datetime(retention["RetainUntilDate"]) > datetime.now(UTC):
            if retention["Mode"] == "GOVERNANCE" and bypass_governance:
                return
            raise ServiceError(
                "AccessDenied", "Access Denied because object protected by object lock.", status=403
            )


def check_object_lock_integrity(ctx: RequestContext, record: Params, request: str) -> None:
    """A body written under Object Lock parameters (retention or a legal hold, from the request's
    headers or the bucket's default retention) needs an integrity check S3 can verify: Content-MD5
    or an x-amz-checksum-* header (or trailer). x-amz-content-sha256 is not enough. PutObject's API
    reference: "The Content-MD5 or x-amz-sdk-checksum-algorithm header is required for any request
    to upload an object with a retention period configured using Amazon S3 Object Lock"; S3's error
    as clients quote it (versitygw#1535, apache/arrow-rs-object-store#190, s3tools/s3cmd#1436 for
    parts). `request`: "Put Object" or "Put Part"."""
    if not record.get("Retention") and not record.get("LegalHold"):
        return
    if proves_integrity(ctx.request.headers):
        return
    raise invalid_request(
        f"Content-MD5 OR x-amz-checksum- HTTP header is required for {request} requests with Object Lock "
        "parameters"
    )


def default_retain_until(default: Params, start: datetime) -> datetime:
    """When a bucket's default retention (Days, or calendar Years) ends for an object written at `start`."""
    if default.get("Years"):
        year = start.year + int(default["Years"])
        try:
            return start.replace(year=year)
        except ValueError:  # February 29th into a common year
            return start.replace(year=year, day=28)
    return start + timedelta(days=int(default.get("Days") or 0))


# The Regions whose new buckets still take SSE-C writes ("Default SSE-C setting for new buckets FAQ").
SSE_C_ALLOWED_BY_DEFAULT = ("me-south-1", "me-central-1")


def default_encryption(bucket_doc: Params) -> Params:
    """What GetBucketEncryption answers for a bucket whose encryption was never put (or was deleted):
    SSE-S3, and for buckets created since April 2026 outside those Regions, SSE-C blocked."""
    rule: Params = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
    if bucket_doc.get("SseCBlockedByDefault"):
        rule["BlockedEncryptionTypes"] = {"EncryptionType": ["SSE-C"]}
    return {"Rules": [rule]}


def refuse_if_sse_c_blocked(bucket_doc: Params) -> None:
    """A write naming an SSE-C key, to a bucket that blocks SSE-C writes: 403 AccessDenied."""
    if "SSE-C" in _blocked_encryption_types(bucket_doc):
        raise ServiceError("AccessDenied", "Access Denied", status=403)


def _blocked_encryption_types(bucket_doc: Params) -> list[str]:
    # A configuration that was put replaces the default, block and all.
    config = (bucket_doc.get("Configs") or {}).get("Encryption") or default_encryption(bucket_doc)
    rules = config.get("Rules") or [{}]
    return list(((rules[0] or {}).get("BlockedEncryptionTypes") or {}).get("EncryptionType") or [])
