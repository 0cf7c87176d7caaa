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
(`check_request_payment`, from S3's `resolve_request`), and set among the request context's
`answer_members`: the gateway adds those to the operation's output, and the model-driven serializer
writes RequestCharged as the header for every operation whose output has it. The bucket owner's own requests are never charged
to a requester, header or not (aws/aws-sdk-net#1526).
"""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError

Params = dict[str, Any]


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
        ctx.answer_members = {**(ctx.answer_members or {}), "RequestCharged": "requester"}


def _accepts_charges(ctx: RequestContext) -> bool:
    request = ctx.request
    accepted = [request.headers.get("x-amz-request-payer", "")]
    accepted += [value for name, value in request.query if name.lower() == "x-amz-request-payer"]
    return any(value.lower() == "requester" for value in accepted)
