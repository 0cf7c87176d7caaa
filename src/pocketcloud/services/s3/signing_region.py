"""A bucket answers only requests signed for its own Region.

On AWS, a SigV4 request for a bucket in another Region than the one it was signed for is refused
before anything else. A path-style request goes to the endpoint of the Region it was signed for,
which answers 301 PermanentRedirect; a virtual-hosted one reaches the bucket's Region, which answers
400 AuthorizationHeaderMalformed ("the region 'us-east-1' is wrong; expecting 'eu-west-1'", with a
`Region` element); a presigned URL gets AuthorizationQueryParametersError. All carry the bucket's
Region in the `x-amz-bucket-region` header. SDKs that follow Region redirects (boto3, the AWS CLI,
the JavaScript SDK v3 with `followRegionRedirects`, which follows only the 301 and HeadBucket's
400) read it, sign again for that Region and go on; others (and any presigned URL made with the
wrong Region) fail, as they will against AWS. pocketcloud serves every Region on one endpoint, so
the signature's credential scope is the only Region a request names; a SigV4a signature names a
region set instead (X-Amz-Region-Set: "us-west-2", "us-*", "*"), and is good for a bucket in any
Region of the set.

CreateBucket checks its LocationConstraint against the Region itself (`buckets.py`). GetBucketLocation
is answered whatever the Region, as it is how a client finds a bucket's Region. A browser POST
form signed with SigV4 names its Region in its x-amz-credential field and is refused too, with
S3's InvalidArgument naming that field. Requests without a SigV4 signature (anonymous, SigV2) name
no Region and are not checked against it.

Signature Version 2 itself is accepted only by the Regions launched before 30 January 2014; the
others support SigV4 alone (S3 API Reference, "Specifying the Signature Version in request
authentication") and refuse a SigV2 request, header, query or POST form, with 400 InvalidRequest
"The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
Which Regions take SigV2 is read from botocore's endpoint data (an S3 endpoint whose
signatureVersions include "s3"), not retyped; a Region that data does not know is not checked.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pocketcloud.auth.parse import has_presigned_query
from pocketcloud.auth.sigv4a import covers
from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.parsers.rest import virtual_host_bucket

_ANY_REGION = frozenset(("CreateBucket", "GetBucketLocation", "ListBuckets", "ListDirectoryBuckets"))


def check_signing_region(ctx: RequestContext, operation: str, bucket: dict[str, Any] | None) -> None:
    """Refuse a SigV4 request signed for another Region than the bucket's, and a SigV2 one for a
    bucket in a Region that takes SigV4 only, as S3 does."""
    if bucket is None or operation in _ANY_REGION:
        return
    expected = bucket.get("Region") or "us-east-1"
    if _is_sigv2(ctx) and expected in _sigv4_only_regions():  # the set is read (botocore data, ~0.1 s) on first need
        raise ServiceError(
            "InvalidRequest",
            "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
            status=400,
        )
    if ctx.region == expected or _sigv4a_covers(ctx, expected):
        return
    request = ctx.request
    if request.headers.get("authorization", "").startswith("AWS4-"):
        if virtual_host_bucket(request.host) != bucket.get("Name"):
            # A path-style request reaches the endpoint of the Region it was signed for, which
            # answers 301 PermanentRedirect naming the bucket's Region (its regional endpoint sees
            # the wrong signature instead); the JavaScript SDK v3 follows only this form.
            raise ServiceError(
                "PermanentRedirect",
                "The bucket you are attempting to access must be addressed using the specified endpoint. "
                "Please send all future requests to this endpoint.",
                status=301,
                headers={"x-amz-bucket-region": expected},
                Bucket=bucket.get("Name"),
                Endpoint=request.host,
            )
    refuse_region(ctx, expected, {"x-amz-bucket-region": expected})


def refuse_region(ctx: RequestContext, expected: str, headers: dict[str, str] | None = None) -> None:
    """Refuse a SigV4 request signed for another Region than `expected`, in the words S3 has for each
    way of signing (Authorization header, browser POST form, presigned URL); unsigned: nothing."""
    request = ctx.request
    if request.headers.get("authorization", "").startswith("AWS4-"):
        raise ServiceError(
            "AuthorizationHeaderMalformed",
            f"The authorization header is malformed; the region '{ctx.region}' is wrong; expecting '{expected}'",
            status=400,
            headers=headers,
            Region=expected,
        )
    form = getattr(request.body, "post_form", None)  # a browser POST upload (auth/post_form.py)
    if form is not None and "x-amz-credential" in form.fields:
        raise ServiceError(
            "InvalidArgument",
            f"the region '{ctx.region}' is wrong; expecting '{expected}'",
            status=400,
            headers=headers,
            ArgumentName="X-Amz-Credential",
            ArgumentValue=form.fields["x-amz-credential"],
            Region=expected,
        )
    if has_presigned_query(request.query_string) and "X-Amz-Credential" in request.query_string:
        raise ServiceError(
            "AuthorizationQueryParametersError",
            f"Error parsing the X-Amz-Credential parameter; the region '{ctx.region}' is wrong; "
            f"expecting '{expected}'",
            status=400,
            headers=headers,
            Region=expected,
        )


def _sigv4a_covers(ctx: RequestContext, region: str) -> bool:
    """Whether the request is signed with SigV4a for a region set that takes `region` ("*", "us-*")."""
    return covers(ctx.region_set, region)


def _is_sigv2(ctx: RequestContext) -> bool:
    signed = request_signature(ctx)
    return signed is not None and signed[1] == "AWS"


def request_signature(ctx: RequestContext) -> tuple[str, str | None] | None:
    """How an authenticated request was signed, as S3's s3:authType and s3:signatureversion name it:
    ("REST-HEADER" | "REST-QUERY-STRING" | "POST", "AWS4-HMAC-SHA256" | "AWS"); None if anonymous."""
    if ctx.principal.is_anonymous:
        return None
    request = ctx.request
    form = getattr(request.body, "post_form", None)  # a browser POST upload (auth/post_form.py)
    if form is not None:
        return "POST", form.signature_version
    authorization = request.headers.get("authorization", "")
    if authorization.startswith("AWS4-"):
        return "REST-HEADER", "AWS4-HMAC-SHA256"
    if authorization.startswith("AWS "):
        return "REST-HEADER", "AWS"
    # Signed, with no Authorization header: a presigned URL of either version.
    return "REST-QUERY-STRING", "AWS4-HMAC-SHA256" if "X-Amz-Signature=" in request.query_string else "AWS"


@cache
def _sigv4_only_regions() -> frozenset[str]:
    """The Regions whose S3 endpoint takes only SigV4, from botocore's endpoints.json: each Region's
    own signatureVersions, else its partition's default for S3."""
    from botocore.loaders import Loader

    refused: set[str] = set()
    for partition in Loader().load_data("endpoints")["partitions"]:
        s3 = partition.get("services", {}).get("s3", {})
        fallback = partition.get("defaults", {}).get("signatureVersions", ["s3v4"])
        default = s3.get("defaults", {}).get("signatureVersions", fallback)
        endpoints = s3.get("endpoints", {})
        for region in partition.get("regions", {}):
            versions = endpoints.get(region, {}).get("signatureVersions", default)
            if "s3" not in versions:
                refused.add(region)
    return frozenset(refused)
