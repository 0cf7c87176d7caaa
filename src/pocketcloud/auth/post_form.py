"""Browser-based POST uploads to S3: who signed the form.

A POST upload carries no Authorization header: its credentials are form fields,
and what they sign is the base64 `policy` field as sent ("Authenticating Requests
in Browser-Based Uploads Using POST"):

    SigV4   x-amz-algorithm, x-amz-credential (AKID/date/region/s3/aws4_request),
            x-amz-date, x-amz-signature = hex(HMAC-SHA256(signing key, policy))
    SigV2   AWSAccessKeyId, signature = base64(HMAC-SHA1(secret, policy))

A form with none of these fields is anonymous (a public-write bucket may take it).
Field names are case-insensitive. This module reads the fields (the file is left
to stream), checks them in S3's order (the fields are there, the key is known, the
signature matches the policy as received) and hands back the principal; the
policy's expiration and conditions are the S3 provider's to enforce, since they
constrain the upload rather than identify the uploader.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field

from pocketcloud.auth.canonical import ALGORITHM, parse_amz_date, signing_key
from pocketcloud.auth.credentials import CredentialDirectory
from pocketcloud.auth.errors import AuthErrors
from pocketcloud.auth.principal import ANONYMOUS, Credential, Principal
from pocketcloud.auth.sigv2 import sign as sign_v2
from pocketcloud.gateway.forms import MalformedForm, boundary_of, read_form
from pocketcloud.gateway.http import Request
from pocketcloud.protocol.errors import ServiceError

TokenCheck = Callable[[Credential, str, str | None], None]
_V4_FIELDS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Signature")


@dataclass
class PostForm:
    """A POST upload's form, as the S3 provider needs it."""

    fields: dict[str, str]  # lower-cased name → value (a repeated field's values joined with ",")
    names: list[str]  # the field names as sent, in order
    filename: str | None
    file_content_type: str | None
    signature_version: str | None = None  # "AWS4-HMAC-SHA256", "AWS", or None (anonymous)
    signed_at: float | None = None
    exempt: set[str] = field(default_factory=set)  # lower-cased fields no policy condition needs to name


def is_post_upload(request: Request) -> bool:
    return request.method == "POST" and request.headers.get("content-type", "").lower().startswith("multipart/form-data")


def _missing(name: str) -> ServiceError:
    return ServiceError(
        "InvalidArgument",
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields.",
        status=400, ArgumentName=name, ArgumentValue="",
    )


async def read_post_form(request: Request) -> PostForm:
    """Read a POST upload's fields; the request's body becomes the file, with the form attached."""
    boundary = boundary_of(request.headers.get("content-type", ""))
    if boundary is None:
        raise MalformedForm()
    form = await read_form(request.body, boundary)
    # A field sent twice counts with both values, joined as a repeated header's are: each must pass
    # the policy (S3 refuses a second Content-Type outside a starts-with condition with 403, the AWS
    # SDK for .NET's CreatePresignedPostTests.WithCustomConditions), where keeping the first let it by.
    fields: dict[str, str] = {}
    for name, value in form.fields:
        lowered = name.lower()
        fields[lowered] = f"{fields[lowered]},{value}" if lowered in fields else value
    post = PostForm(fields, [name for name, _ in form.fields],
                    form.file.filename if form.file else None, form.file.content_type if form.file else None)
    if form.body is None:
        raise ServiceError("InvalidArgument", "POST requires exactly one file upload per request.", status=400,
                           ArgumentName="file", ArgumentValue="0")
    form.body.post_form = post
    request.body = form.body
    return post


def verify_post_form(
    post: PostForm,
    credentials: CredentialDirectory,
    errors: AuthErrors,
    check_token: TokenCheck,
) -> tuple[Principal, str | None, str | None, str | None]:
    """(principal, region, access key id, session token) of the form's signer; anonymous if unsigned."""
    fields = post.fields
    token = fields.get("x-amz-security-token")
    if any(name.lower() in fields for name in _V4_FIELDS):
        for name in _V4_FIELDS:
            if name.lower() not in fields:
                raise _missing(name)
        if "policy" not in fields:
            raise _missing("Policy")
        credential, region = _verify_v4(fields, credentials, errors, check_token, token)
        post.signature_version = ALGORITHM
        post.signed_at = parse_amz_date(fields["x-amz-date"])
        post.exempt = {"x-amz-signature", "policy", "file"}
        return credential.principal, region, credential.access_key_id, token
    if "awsaccesskeyid" in fields or "signature" in fields:
        for name, wire in (("AWSAccessKeyId", "awsaccesskeyid"), ("Signature", "signature"), ("Policy", "policy")):
            if wire not in fields:
                raise _missing(name)
        credential = _verify_v2(fields, credentials, errors, check_token, token)
        post.signature_version = "AWS"
        post.exempt = {"awsaccesskeyid", "signature", "policy", "file"}
        return credential.principal, None, credential.access_key_id, token
    post.exempt = {"policy", "file"}
    return ANONYMOUS, None, None, None


def _credential(access_key_id: str, credentials: CredentialDirectory, errors: AuthErrors,
                check_token: TokenCheck, token: str | None) -> Credential:
    credential = credentials.lookup(access_key_id)
    if credential is None or not credential.active:
        raise errors.unknown_key(access_key_id)
    check_token(credential, access_key_id, token)
    return credential


def _mismatch(errors: AuthErrors, access_key_id: str, policy: str, signature: str) -> ServiceError:
    return errors.signature_mismatch(access_key_id=access_key_id, string_to_sign=policy, signature=signature)


def _verify_v4(fields: dict[str, str], credentials: CredentialDirectory, errors: AuthErrors,
               check_token: TokenCheck, token: str | None) -> tuple[Credential, str]:
    if fields["x-amz-algorithm"] != ALGORITHM:
        raise ServiceError("InvalidArgument", f"Unsupported algorithm: {fields['x-amz-algorithm']}", status=400,
                           ArgumentName="X-Amz-Algorithm", ArgumentValue=fields["x-amz-algorithm"])
    scope = fields["x-amz-credential"]
    parts = scope.split("/")
    if len(parts) != 5 or parts[3] != "s3" or parts[4] != "aws4_request":
        raise ServiceError(
            "InvalidArgument",
            'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
            status=400, ArgumentName="X-Amz-Credential", ArgumentValue=scope)
    if not parts[0]:
        raise ServiceError("InvalidArgument", "a non-empty Access Key (AKID) must be provided in the credential.",
                           status=400, ArgumentName="X-Amz-Credential", ArgumentValue=scope)
    if parse_amz_date(fields["x-amz-date"]) is None:
        raise ServiceError("InvalidArgument", "X-Amz-Date must be formated via ISO8601 Long format", status=400,
                           ArgumentName="X-Amz-Date", ArgumentValue=fields["x-amz-date"])
    credential = _credential(parts[0], credentials, errors, check_token, token)
    policy, signature = fields["policy"], fields["x-amz-signature"]
    expected = signing_key(credential.secret_access_key, parts[1], parts[2], "s3").sign(policy)
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise _mismatch(errors, parts[0], policy, signature)
    return credential, parts[2]


def _verify_v2(fields: dict[str, str], credentials: CredentialDirectory, errors: AuthErrors,
               check_token: TokenCheck, token: str | None) -> Credential:
    access_key_id = fields["awsaccesskeyid"]
    credential = _credential(access_key_id, credentials, errors, check_token, token)
    policy, signature = fields["policy"], fields["signature"]
    if not hmac.compare_digest(sign_v2(credential.secret_access_key, policy).encode(),
                               signature.encode("utf-8", "replace")):
        raise _mismatch(errors, access_key_id, policy, signature)
    return credential
