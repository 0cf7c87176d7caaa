"""What protects an object: server-side encryption and Object Lock (retention, legal hold).

Since January 2023 S3 encrypts every new object with SSE-S3 by default, so
every object reports `ServerSideEncryption: AES256` unless the bucket's
default or the request says aws:kms; SSE-C objects need their key to be read.
Object Lock retention and legal holds refuse deletion of a locked version.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import to_datetime
from pocketcloud.services.s3.errors import invalid_argument, invalid_request

Params = dict[str, Any]


class ProtectionOperations:
    # -- encryption -------------------------------------------------------

    def apply_encryption(self, bucket_doc: Params, record: Params, p: Params) -> None:
        if p.get("SSECustomerAlgorithm"):
            key = p.get("SSECustomerKey")
            if p["SSECustomerAlgorithm"] != "AES256" or not key:
                raise invalid_argument("The SSE-C algorithm or key is invalid.", "x-amz-server-side-encryption-customer-algorithm", p["SSECustomerAlgorithm"])
            record["SSECustomer"] = {"Algorithm": "AES256", "KeyMD5": _key_md5(key)}
            return
        algorithm = p.get("ServerSideEncryption")
        key_id = p.get("SSEKMSKeyId")
        if algorithm is None:
            default = ((bucket_doc.get("Configs") or {}).get("Encryption") or {}).get("Rules") or []
            by_default = (default[0].get("ApplyServerSideEncryptionByDefault") or {}) if default else {}
            algorithm = by_default.get("SSEAlgorithm", "AES256")
            key_id = key_id or by_default.get("KMSMasterKeyID")
        if algorithm not in ("AES256", "aws:kms", "aws:kms:dsse"):
            raise invalid_argument("The encryption method specified is not supported", "x-amz-server-side-encryption", str(algorithm))
        record["SSE"] = {"Algorithm": algorithm, **({"KeyId": key_id} if key_id and algorithm != "AES256" else {})}

    def encryption_headers(self, record: Params) -> Params:
        if record.get("SSECustomer"):
            return {"SSECustomerAlgorithm": "AES256", "SSECustomerKeyMD5": record["SSECustomer"]["KeyMD5"]}
        sse = record.get("SSE") or {"Algorithm": "AES256"}
        out: Params = {"ServerSideEncryption": sse["Algorithm"]}
        if sse.get("KeyId"):
            out["SSEKMSKeyId"] = sse["KeyId"]
        return out

    def check_sse_c_read(self, record: Params, p: Params) -> None:
        sse_c = record.get("SSECustomer")
        if sse_c is None:
            if p.get("SSECustomerAlgorithm"):
                raise invalid_request("The encryption parameters are not applicable to this object.")
            return
        key = p.get("SSECustomerKey")
        if not key:
            raise invalid_request(
                "The object was stored using a form of Server Side Encryption. The correct parameters must be "
                "provided to retrieve the object."
            )
        if _key_md5(key) != sse_c["KeyMD5"]:
            raise ServiceError("AccessDenied", "Access Denied", status=403)

    # -- object lock ----------------------------------------------------------

    def apply_object_lock(self, bucket_doc: Params, record: Params, p: Params) -> None:
        mode, until, hold = p.get("ObjectLockMode"), p.get("ObjectLockRetainUntilDate"), p.get("ObjectLockLegalHoldStatus")
        if (mode or until or hold) and not bucket_doc.get("ObjectLockEnabled"):
            raise invalid_request("Bucket is missing Object Lock Configuration")
        if bool(mode) != bool(until):
            raise invalid_argument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
        if mode:
            record["Retention"] = {"Mode": mode, "RetainUntilDate": to_datetime(until).isoformat()}
        elif bucket_doc.get("ObjectLockEnabled"):
            rule = ((bucket_doc.get("Configs") or {}).get("ObjectLock") or {}).get("Rule") or {}
            default = rule.get("DefaultRetention") or {}
            if default.get("Mode"):
                from datetime import timedelta

                days = default.get("Days") or (default.get("Years") or 0) * 365
                until_date = datetime.now(UTC) + timedelta(days=days)
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

    def check_object_lock_delete(self, record: Params, bypass_governance: bool) -> None:
        if record.get("LegalHold") == "ON":
            raise ServiceError("AccessDenied", "Access Denied because object protected by object lock.", status=403)
        retention = record.get("Retention")
        if retention and to_datetime(retention["RetainUntilDate"]) > datetime.now(UTC):
            if retention["Mode"] == "GOVERNANCE" and bypass_governance:
                return
            raise ServiceError("AccessDenied", "Access Denied because object protected by object lock.", status=403)


def _key_md5(key: str | bytes) -> str:
    raw = key.encode() if isinstance(key, str) else key
    try:
        decoded = base64.b64decode(raw, validate=True)
    except ValueError:
        decoded = raw
    return base64.b64encode(hashlib.md5(decoded).digest()).decode()
