"""Presigned URLs (SigV4 in the query string): valid until X-Amz-Expires, and not a second later."""

from __future__ import annotations

import datetime

from pocketcloud.auth.principal import Credential, Principal

from .support import ACCOUNT, ENDPOINT, NOW, authenticate, error, make_auth, sign, to_request

HOUR_AGO = NOW - datetime.timedelta(hours=1, seconds=1)


def s3_presigned(method: str = "GET", url: str = ENDPOINT + "/bucket/my%20key.txt", **kwargs: object):  # noqa: ANN201
    kwargs.setdefault("presign", 3600)
    return to_request(sign(method, url, service="s3", **kwargs))  # type: ignore[arg-type]


def test_valid_s3_presigned_get() -> None:
    auth, _ = make_auth()
    request = s3_presigned()
    assert "X-Amz-Signature=" in request.query_string and "authorization" not in request.headers
    result = authenticate(auth, request, "s3")
    assert result.principal.account_id == ACCOUNT
    assert result.region == "us-east-1"


def test_valid_s3_presigned_put_with_its_body_unsigned() -> None:
    auth, _ = make_auth()
    request = to_request(sign("PUT", ENDPOINT + "/bucket/k", service="s3", presign=60), b"anything at all")
    assert authenticate(auth, request, "s3").principal.account_id == ACCOUNT


def test_s3_presigned_url_expired() -> None:
    auth, _ = make_auth()
    exc = error(auth, s3_presigned(at=HOUR_AGO), "s3")
    assert (exc.code, exc.status, exc.message) == ("AccessDenied", 403, "Request has expired")
    assert exc.fields == {
        "X-Amz-Expires": "3600",
        "Expires": "2024-05-01T11:59:59Z",
        "ServerTime": "2024-05-01T12:00:00Z",
    }


def test_s3_presigned_url_valid_until_its_last_second() -> None:
    auth, _ = make_auth()
    assert authenticate(auth, s3_presigned(at=NOW - datetime.timedelta(hours=1)), "s3")


def test_s3_presigned_expires_beyond_a_week() -> None:
    auth, _ = make_auth()
    exc = error(auth, s3_presigned(presign=604801), "s3")
    assert (exc.code, exc.status) == ("AuthorizationQueryParametersError", 400)
    assert exc.message == "X-Amz-Expires must be less than a week (in seconds) that is 604800"


def test_s3_presigned_missing_parameter() -> None:
    auth, _ = make_auth()
    request = s3_presigned()
    request.query_string = "&".join(
        p for p in request.query_string.split("&") if not p.startswith("X-Amz-Date=")
    )
    exc = error(auth, request, "s3")
    assert exc.code == "AuthorizationQueryParametersError"
    assert exc.message.startswith("Query-string authentication version 4 requires the X-Amz-Algorithm")


def test_s3_presigned_tampered() -> None:
    auth, _ = make_auth()
    request = s3_presigned()
    request.path = "/bucket/other-key.txt"
    exc = error(auth, request, "s3")
    assert exc.code == "SignatureDoesNotMatch"
    assert "UNSIGNED-PAYLOAD" in exc.fields["CanonicalRequest"]


def test_s3_presigned_with_unsigned_amz_header() -> None:
    auth, _ = make_auth()
    request = s3_presigned("PUT")
    request.headers["x-amz-acl"] = "public-read"
    exc = error(auth, request, "s3")
    assert (exc.code, exc.message, exc.fields) == (
        "AccessDenied",
        "There were headers present in the request which were not signed",
        {"HeadersNotSigned": "x-amz-acl"},
    )


def test_s3_presigned_unknown_key() -> None:
    auth, _ = make_auth()
    assert error(auth, s3_presigned(key="AKIANOBODY"), "s3").code == "InvalidAccessKeyId"


def test_s3_presigned_with_session_token() -> None:
    auth, directory = make_auth()
    principal = Principal(ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/r/s", "AROA:s", kind="AssumedRole")
    directory.register(
        lambda akid: Credential(akid, "tmp", principal, session_token="TOKEN+/=") if akid == "ASIAX" else None
    )
    request = s3_presigned(key="ASIAX", secret="tmp", token="TOKEN+/=")
    assert "X-Amz-Security-Token=TOKEN%2B%2F%3D" in request.query_string
    result = authenticate(auth, request, "s3")
    assert (result.principal, result.session_token) == (principal, "TOKEN+/=")


def test_presigned_sts_get_caller_identity() -> None:
    # botocore presigns query-API operations with their own method (POST) and
    # the URL is then fetched with GET; both must be accepted.
    auth, _ = make_auth()
    params = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]
    for method in ("GET", "POST"):
        signed = sign(method, ENDPOINT + "/", service="sts", params=params, presign=900)
        request = to_request(signed)
        request.method = "GET"
        assert authenticate(auth, request, "sts").principal.account_id == ACCOUNT


def test_presigned_sts_expired_is_signature_expired() -> None:
    auth, _ = make_auth()
    params = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]
    request = to_request(
        sign(
            "GET",
            ENDPOINT + "/",
            service="sts",
            params=params,
            presign=60,
            at=NOW - datetime.timedelta(seconds=61),
        )
    )
    exc = error(auth, request, "sts")
    assert exc.code == "SignatureDoesNotMatch"
    assert exc.message.startswith("Signature expired: 20240501T115859Z is now earlier than 20240501T115900Z")


def test_presigned_non_s3_missing_signature() -> None:
    auth, _ = make_auth()
    request = to_request(sign("GET", ENDPOINT + "/", service="sts", presign=60))
    request.query_string = "&".join(
        p for p in request.query_string.split("&") if not p.startswith("X-Amz-Signature=")
    )
    request.query_string += "&X-Amz-Signature="
    exc = error(auth, request, "sts")
    assert (exc.code, exc.message) == (
        "IncompleteSignature",
        "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
    )


def test_s3_header_and_query_signature_together() -> None:
    auth, _ = make_auth()
    request = s3_presigned()
    request.headers["authorization"] = "AWS4-HMAC-SHA256 Credential=x"
    exc = error(auth, request, "s3")
    assert (exc.code, exc.status) == ("InvalidArgument", 400)
    assert exc.message.startswith("Only one auth mechanism allowed")
