"""Requester Pays: who may use a Requester Pays bucket, and which answers say the requester was charged.

A Requester Pays bucket (PutBucketRequestPayment) answers only its owner's account and callers who
accept the charges with `x-amz-request-payer: requester` (a header, or the query parameter of a
presigned URL); anyone else, anonymous callers included, gets 403 ("Downloading objects from
Requester Pays buckets", S3 User Guide: "If x-amz-request-payer is not in the request, Amazon S3
returns a 403 error"). A copy reads its source as a request on the source's bucket: "If either the
source or destination S3 bucket has Requester Pays enabled, the requester will pay for
corresponding charges to copy the object" (RequestPayer, CopyObject and UploadPartCopy API
references), so the source's bucket is held to the same rule.

A request charged to its requester is answered with `x-amz-request-charged: requester` ("If the
request succeeds and the requester is charged, the response includes the header
x-amz-request-charged:requester"), the RequestCharged member of its operation's output in S3's
model. Whether it is charged is decided once, before the operation, where the buckets are checked
(`check_request_payment`, from S3's `resolve_request`), and kept in the request's memo; the
operations that can answer it (`ChargedAnswers`) put RequestCharged in their output, which the
model-driven serializer writes as the header. The bucket owner's own requests are never charged
to a requester, header or not (aws/aws-sdk-net#1526).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.gateway.memo import current_memo
from pocketcloud.protocol.errors import ServiceError

Params = dict[str, Any]
_CHARGED = ("s3", "request-charged")


def requester_pays(doc: Params) -> bool:
    """Whether the bucket `doc` is a Requester Pays bucket (PutBucketRequestPayment)."""
    return ((doc.get("Configs") or {}).get("RequestPayment") or {}).get("Payer") == "Requester"


def check_request_payment(ctx: RequestContext, *docs: Params | None) -> None:
    """Hold a request to the Requester Pays buckets among those it uses (`docs`: the bucket's, and a
    copy's source bucket's; None for one that does not exist): 403 AccessDenied for a caller of
    another account who did not accept the charges, and a note that the answer must say the
    requester was charged when one did. AWS services acting in their own name are left to the
    bucket policy."""
    principal = ctx.principal
    charged = False
    for doc in docs:
        if doc is None or not requester_pays(doc) or principal.kind == "Service":
            continue
        if principal.is_anonymous or (principal.account_id != doc["Account"] and not _accepts_charges(ctx)):
            raise ServiceError("AccessDenied", "Access Denied", status=403)
        charged = charged or principal.account_id != doc["Account"]
    if charged:
        memo = current_memo()
        if memo is not None:
            memo.put(_CHARGED, True)


def _accepts_charges(ctx: RequestContext) -> bool:
    request = ctx.request
    accepted = [request.headers.get("x-amz-request-payer", "")]
    accepted += [value for name, value in request.query if name.lower() == "x-amz-request-payer"]
    return any(value.lower() == "requester" for value in accepted)


def _with_charge(result: Any) -> Any:
    """`result` (an output, or the coroutine of one) with RequestCharged when the request is charged."""
    memo = current_memo()
    if memo is None or not memo.get(_CHARGED):
        return result
    if isinstance(result, dict):
        result["RequestCharged"] = "requester"
        return result

    async def charged() -> Any:
        answer = await result
        if isinstance(answer, dict):
            answer["RequestCharged"] = "requester"
        return answer

    return charged()


def _charging(name: str) -> Callable[[Any, RequestContext, Params], Any]:
    def operation(self: Any, ctx: RequestContext, p: Params) -> Any:
        return _with_charge(getattr(super(ChargedAnswers, self), name)(ctx, p))

    operation.__name__ = operation.__qualname__ = name
    return operation


class ChargedAnswers:
    """Mixed into S3Provider ahead of the operations: each operation whose output in S3's model has
    RequestCharged answers it when the request is charged to its requester (a test holds this list
    to the model)."""

    AbortMultipartUpload = _charging("AbortMultipartUpload")
    CompleteMultipartUpload = _charging("CompleteMultipartUpload")
    CopyObject = _charging("CopyObject")
    CreateMultipartUpload = _charging("CreateMultipartUpload")
    DeleteObject = _charging("DeleteObject")
    DeleteObjectAnnotation = _charging("DeleteObjectAnnotation")
    DeleteObjects = _charging("DeleteObjects")
    GetBucketAccelerateConfiguration = _charging("GetBucketAccelerateConfiguration")
    GetObject = _charging("GetObject")
    GetObjectAcl = _charging("GetObjectAcl")
    GetObjectAnnotation = _charging("GetObjectAnnotation")
    GetObjectAttributes = _charging("GetObjectAttributes")
    HeadObject = _charging("HeadObject")
    ListMultipartUploads = _charging("ListMultipartUploads")
    ListObjectAnnotations = _charging("ListObjectAnnotations")
    ListObjectVersions = _charging("ListObjectVersions")
    ListObjects = _charging("ListObjects")
    ListObjectsV2 = _charging("ListObjectsV2")
    ListParts = _charging("ListParts")
    PutObject = _charging("PutObject")
    PutObjectAcl = _charging("PutObjectAcl")
    PutObjectAnnotation = _charging("PutObjectAnnotation")
    PutObjectLegalHold = _charging("PutObjectLegalHold")
    PutObjectLockConfiguration = _charging("PutObjectLockConfiguration")
    PutObjectRetention = _charging("PutObjectRetention")
    RestoreObject = _charging("RestoreObject")
    UpdateObjectEncryption = _charging("UpdateObjectEncryption")
    UploadPart = _charging("UploadPart")
    UploadPartCopy = _charging("UploadPartCopy")
