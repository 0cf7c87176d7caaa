"""UpdateObjectEncryption: an existing object put under a KMS key without moving its data.

S3 re-encrypts the object's data key under the new KMS key (envelope encryption), so the object
keeps its ETag, checksums, dates and storage class. Only SSE-S3 and SSE-KMS objects qualify, only
SSE-KMS with a key of the bucket owner's account is a valid new type, an object under Object Lock
(a retention period in effect or a legal hold) is refused, and the caller needs kms:Decrypt on the
old key and kms:Encrypt / kms:GenerateDataKey on the new one (the API reference's "Permissions"
and "Errors", whose messages these are).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pocketcloud.auth.parse import has_sigv2_query
from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3.errors import invalid_request
from pocketcloud.services.s3.protection import kms_context, under_object_lock

Params = dict[str, Any]

_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:(\d{12}):key/[A-Za-z0-9-]+")
_ACCOUNT = "Amazon Web Services"
_LOCKED = (
    "The encryption type for the specified object can’t be updated because that object is protected by S3 "
    "Object Lock. If the object has a governance-mode retention period or a legal hold, you must first remove "
    "the Object Lock status on the object before you issue your UpdateObjectEncryption request. You can't use "
    "the UpdateObjectEncryption operation with objects that have an Object Lock compliance mode retention "
    "period applied to them."
)


def _new_key(ctx: RequestContext, p: Params) -> tuple[str, bool | None]:
    """(the KMS key ARN, BucketKeyEnabled) the request asks for, or S3's InvalidRequest."""
    authorization = ctx.request.headers.get("authorization", "")
    if authorization.startswith("AWS ") or has_sigv2_query(ctx.request.query_string):
        raise invalid_request(
            f"Requests that modify an object encryption configuration require {_ACCOUNT} Signature Version 4. "
            "Modify the request to use Amazon Web Services Signature Version 4, and then try again."
        )
    sse_kms = (p.get("ObjectEncryption") or {}).get("SSEKMS")
    if not isinstance(sse_kms, dict):
        raise invalid_request(
            "Requests that modify an object encryption configuration require a valid new encryption type. "
            "Valid values are SSEKMS. Modify the request to specify SSE-KMS for the updated encryption type, "
            "and then try again."
        )
    arn = sse_kms.get("KMSKeyArn")
    if not arn:
        raise invalid_request(
            f"Requests that modify an object's encryption type to SSE-KMS require an {_ACCOUNT} KMS key Amazon "
            "Resource Name (ARN). Modify the request to specify a KMS key ARN, and then try again."
        )
    if _KEY_ARN.fullmatch(arn) is None:
        raise invalid_request(
            f"Requests that modify an object's encryption type to SSE-KMS require a valid {_ACCOUNT} KMS key "
            "Amazon Resource Name (ARN). Confirm that you have a correctly formatted KMS key ARN in your "
            "request, and then try again."
        )
    return str(arn), sse_kms.get("BucketKeyEnabled")


def _check_source(record: Params) -> None:
    if record.get("SSECustomer") or (record.get("SSE") or {}).get("Algorithm") == "aws:kms:dsse":
        raise invalid_request(
            "The UpdateObjectEncryption operation doesn't support source objects with the encryption type "
            "DSSE-KMS or SSE-C. Only source objects encrypted with SSE-S3 or SSE-KMS are supported."
        )
    if under_object_lock(record, datetime.now(UTC)):
        raise ServiceError("AccessDenied", _LOCKED, status=403)


class ObjectEncryptionOperations:
    s3: Any

    def UpdateObjectEncryption(self, ctx: RequestContext, p: Params) -> Params:
        bucket_doc = self.s3.bucket(p["Bucket"])
        bucket, key = p["Bucket"], p["Key"]
        arn, bucket_key = _new_key(ctx, p)
        if _KEY_ARN.fullmatch(arn).group(1) != bucket_doc["Account"]:  # type: ignore[union-attr]
            raise ServiceError(
                "AccessDenied",
                f"The {_ACCOUNT} KMS key in the request must be owned by the same account as the bucket. Modify "
                "the request to specify a KMS key from the same account, and then try again.",
                status=403,
            )
        record = self.find_object(bucket, key, p.get("VersionId"), "PUT")  # type: ignore[attr-defined]
        _check_source(record)
        self.authorize_kms_read(ctx, bucket, key, record)  # type: ignore[attr-defined]
        new_sse: Params = {"Algorithm": "aws:kms", "KeyId": self.kms_key(bucket_doc, arn)}  # type: ignore[attr-defined]
        if bucket_key:
            new_sse["BucketKey"] = True
        context = kms_context(new_sse, bucket, key)
        for action in ("kms:Encrypt", "kms:GenerateDataKey"):
            self.authorize_kms(ctx, new_sse["KeyId"], action, context)  # type: ignore[attr-defined]

        def change(stored: Params) -> None:
            _check_source(stored)  # as it is now, inside the transaction
            stored["SSE"] = new_sse

        self._update_record(bucket, key, p.get("VersionId"), change)  # type: ignore[attr-defined]
        return {}
