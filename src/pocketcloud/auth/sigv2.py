"""Signature Version 2 for S3: the `Authorization: AWS AKID:signature` header and the query form.

S3 still accepts SigV2 (the AWS CLI v1 `aws s3 presign`, boto3 with
`signature_version='s3'`, and older SDKs). The signature is
base64(HMAC-SHA1(secret, StringToSign)) over

    HTTP-Verb \\n Content-MD5 \\n Content-Type \\n Date \\n
    CanonicalizedAmzHeaders CanonicalizedResource

where Date is the Date header (empty when x-amz-date is sent instead) or, in the
query form, the `Expires` parameter (seconds since the epoch);
CanonicalizedAmzHeaders are the x-amz-* headers (and, for the query form, x-amz-*
query parameters such as x-amz-security-token), lower-cased, sorted, values of
a repeated header joined by commas, one "name:value\\n" each; and
CanonicalizedResource is "/bucket/key" as sent (the bucket of a virtual host
included) followed by the sub-resources of the query that S3 signs (acl,
versionId, uploadId, partNumber, response-* overrides, ...), sorted, with their
values decoded ("S3 REST Authentication", Amazon S3 Developer Guide).

`authenticate_v2` verifies either form and returns the credential it belongs to;
it raises S3's errors (SignatureDoesNotMatch with the StringToSign, "Request has
expired", RequestTimeTooSkewed, ...).

A presigned URL carries request headers in its query (botocore's SigV2 moves
x-amz-* headers and Content-Type there; the JavaScript SDK v3 hoists x-amz-* headers
out of a SigV4 one): S3 applies them as if they were sent as headers, so the metadata,
ACL or storage class a URL was signed with is what the upload gets.
`apply_query_headers` does that once the signature is verified.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

from pocketcloud.auth.canonical import format_iso, parse_amz_date, query_params, s3_reencoded_uri
from pocketcloud.auth.checksums import SDK_ALGORITHM_HEADER, algorithm_of_header
from pocketcloud.auth.credentials import CredentialDirectory
from pocketcloud.auth.errors import AuthErrors
from pocketcloud.auth.principal import Credential
from pocketcloud.gateway.http import Request
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.parsers.rest import virtual_host_bucket
from pocketcloud.protocol.values import is_digits

# The query parameters that are part of the resource S3 signs (botocore's HmacV1Auth list,
# which is the developer guide's list plus the sub-resources added since).
SUBRESOURCES = frozenset(
    (
        "accelerate",
        "acl",
        "analytics",
        "cors",
        "defaultObjectAcl",
        "delete",
        "intelligent-tiering",
        "inventory",
        "legal-hold",
        "lifecycle",
        "location",
        "logging",
        "metrics",
        "notification",
        "object-lock",
        "ownershipControls",
        "partNumber",
        "policy",
        "policyStatus",
        "publicAccessBlock",
        "replication",
        "requestPayment",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "response-content-language",
        "response-content-type",
        "response-expires",
        "restore",
        "retention",
        "select",
        "select-type",
        "storageClass",
        "tagging",
        "torrent",
        "uploadId",
        "uploads",
        "versionId",
        "versioning",
        "versions",
        "website",
    )
)
# What botocore signs: the list above without the newer names it does not know.
_BOTOCORE_SUBRESOURCES = SUBRESOURCES - {
    "intelligent-tiering",
    "legal-hold",
    "ownershipControls",
    "policyStatus",
    "publicAccessBlock",
    "retention",
}

TokenCheck = Callable[[Credential, str, str | None], None]


def is_v2_header(authorization: str) -> bool:
    return authorization.startswith("AWS ") and not authorization.startswith("AWS4-")


def sign(secret: str, string_to_sign: str) -> str:
    digest = hmac.digest(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(digest).decode("ascii")


def canonical_resource(
    request: Request,
    subresources: frozenset[str] = SUBRESOURCES,
    path: str | None = None,
    empty_as_sent: bool = False,
) -> str:
    """The CanonicalizedResource: a sub-resource with a value as `name=value`, one without (`?uploads`,
    and `?uploads=` too: "its value if it has one", as the AWS SDK for PHP's S3SignatureV2 signs an
    empty value) as its bare name. `empty_as_sent` keeps the `=` of an empty value, as botocore's
    HmacV1Auth signs what its URL holds."""
    resource = request.path if path is None else path
    bucket = virtual_host_bucket(request.host)
    if bucket:
        resource = "/" + bucket + (resource if resource.startswith("/") else "/" + resource)
    signed: list[tuple[str, str | None]] = []
    for part in request.query_string.split("&"):
        if not part:
            continue
        name, eq, value = part.partition("=")
        if name in subresources:
            signed.append((name, unquote(value) if value or (eq and empty_as_sent) else None))
    if not signed:
        return resource or "/"
    signed.sort(key=lambda pair: pair[0])
    return (
        (resource or "/")
        + "?"
        + "&".join(name if value is None else f"{name}={value}" for name, value in signed)
    )


def _amz_headers(request: Request, from_query: bool) -> str:
    found: dict[str, str] = {}
    for name, value in request.headers.items():
        if name.startswith("x-amz-"):
            found[name] = value.strip()
    if from_query:
        for name, value in query_params(request.query_string).items():
            lowered = name.lower()
            if lowered.startswith("x-amz-") and lowered not in found:
                found[lowered] = value
    return "".join(f"{name}:{found[name]}\n" for name in sorted(found))


def string_to_sign(request: Request, date: str, from_query: bool, resource: str) -> str:
    headers = request.headers
    params = query_params(request.query_string) if from_query else {}
    md5 = headers.get("content-md5", params.get("content-md5", ""))
    content_type = headers.get("content-type", params.get("content-type", ""))
    return f"{request.method}\n{md5.strip()}\n{content_type.strip()}\n{date}\n{_amz_headers(request, from_query)}{resource}"


# Checksums of the body are honoured only as headers: one in a presigned URL's query is not held
# against the body (an object PUT through such a URL gets S3's default checksum). The JavaScript SDK
# v3 presigns the CRC32 of an empty body into every PutObject URL since 3.729.0, and uploads through
# those URLs work on AWS (LocalStack's report of it, localstack#12169; x-amz-checksum-sha256 in a
# presigned query ignored: aws/aws-sdk#480, aws-sdk-go-v2#2610; "cannot be hoisted to the query, and
# must be provided as a header to be honoured by S3": storacha/w3infra#78). Only the checksum values
# and the SDK's algorithm that goes with them: x-amz-checksum-mode (a presigned GetObject's
# ChecksumMode), -algorithm and -type name no value and still come from the query.
def _not_from_query(name: str) -> bool:
    """A checksum of the body (or the SDK's algorithm naming it), which only a header can send."""
    return name == SDK_ALGORITHM_HEADER or algorithm_of_header(name) is not None


# A SigV4 presigned URL's own parameters, which are not headers of the request.
_SIGV4_QUERY_AUTH = frozenset(
    (
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-expires",
        "x-amz-signedheaders",
        "x-amz-signature",
        "x-amz-security-token",
        "x-amz-content-sha256",
    )
)


def apply_query_headers(request: Request, with_content_type: bool) -> None:
    """Copy the x-amz-* parameters of a verified presigned URL (and, for SigV2, whose signature
    covers it, Content-Type) into the request's headers; a header actually sent wins."""
    if "=" not in request.query_string:
        return
    headers = request.headers
    for name, value in query_params(request.query_string).items():
        lowered = name.lower()
        if lowered.startswith("x-amz-"):
            if lowered in _SIGV4_QUERY_AUTH or _not_from_query(lowered):
                continue
        elif not (with_content_type and lowered == "content-type"):
            continue
        if lowered not in headers:
            headers[lowered] = value


def _candidates(request: Request) -> list[str]:
    """The canonical resources a client may have signed: SigV2's list, botocore's, a re-encoded path,
    and a bucket's resource with its trailing slash ("/bucket/?acl", as the developer guide and
    botocore write it, for a request sent to "/bucket?acl")."""
    found = [canonical_resource(request)]
    others = [
        canonical_resource(request, _BOTOCORE_SUBRESOURCES, empty_as_sent=True),
        canonical_resource(request, path=s3_reencoded_uri(request.path)),
    ]
    path = request.path or "/"
    if not virtual_host_bucket(request.host) and path.count("/") == 1 and len(path) > 1:
        others += [
            canonical_resource(request, path=path + "/"),
            canonical_resource(request, _BOTOCORE_SUBRESOURCES, path=path + "/", empty_as_sent=True),
        ]
    for other in others:
        if other not in found:
            found.append(other)
    return found


def _http_time(value: str) -> float | None:
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return parse_amz_date(value)


def authenticate_v2(
    request: Request,
    credentials: CredentialDirectory,
    errors: AuthErrors,
    now: float,
    max_skew: int,
    check_token: TokenCheck,
) -> tuple[Credential, str | None]:
    """The credential a SigV2-signed S3 request belongs to, and its session token."""
    authorization = request.headers.get("authorization")
    presigned = authorization is None
    if presigned:
        params = query_params(request.query_string)
        access_key_id, signature, expires = (
            params.get("AWSAccessKeyId"),
            params.get("Signature"),
            params.get("Expires"),
        )
        if not (access_key_id and signature and expires):
            raise errors.s3_access_denied(
                "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"
            )
        if not is_digits(expires, 4000):
            raise errors.s3_access_denied(f"Invalid date (should be seconds since epoch): {expires}")
        if now > int(expires):
            raise errors.s3_access_denied(
                "Request has expired", Expires=format_iso(int(expires)), ServerTime=format_iso(now)
            )
        token = params.get("x-amz-security-token") or request.headers.get("x-amz-security-token")
        dates = [expires]
    else:
        assert authorization is not None
        access_key_id, colon, signature = authorization[4:].strip().rpartition(":")
        if not colon or not access_key_id or not signature:
            raise ServiceError(
                "InvalidArgument",
                "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
                status=400,
                ArgumentName="Authorization",
                ArgumentValue=authorization,
            )
        amz_date, date = request.headers.get("x-amz-date"), request.headers.get("date")
        sent = amz_date if amz_date is not None else date  # x-amz-date, even empty, overrides Date
        moment = _http_time(sent) if sent else None
        # A moment before 1970 is no valid date either (ceph s3-tests' *_bad_date_before_epoch_aws2
        # expect AccessDenied where a merely distant date is RequestTimeTooSkewed).
        if moment is None or moment < 0:
            raise errors.s3_access_denied("AWS authentication requires a valid Date or x-amz-date header")
        if abs(now - moment) > max_skew:
            raise errors.s3_time_too_skewed(sent or "", format_iso(now), max_skew * 1000)
        token = request.headers.get("x-amz-security-token")
        # With x-amz-date the Date line is empty (developer guide); botocore signs its Date header anyway.
        dates = ["", date] if amz_date and date else [date or ""] if not amz_date else [""]
    credential = credentials.lookup(access_key_id)
    if credential is None or not credential.active:
        raise errors.unknown_key(access_key_id)
    check_token(credential, access_key_id, token)
    first = ""
    for date_line in dates:
        for resource in _candidates(request):
            to_sign = string_to_sign(request, date_line, presigned, resource)
            first = first or to_sign
            if hmac.compare_digest(sign(credential.secret_access_key, to_sign).encode(), signature.encode()):
                if presigned:
                    apply_query_headers(request, with_content_type=True)
                return credential, token
    raise errors.signature_mismatch(access_key_id=access_key_id, string_to_sign=first, signature=signature)
