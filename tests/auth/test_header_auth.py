"""Authorization-header SigV4: what verifies, and how each protocol family says no."""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest

from pocketcloud.auth.principal import Credential, Principal

from .support import (
    ACCOUNT,
    ENDPOINT,
    NOW,
    PiecesBody,
    authenticate,
    error,
    make_auth,
    sign,
    to_request,
)

STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def sts_request(**kwargs: object):  # noqa: ANN201
    kwargs.setdefault("headers", FORM)
    return to_request(sign("POST", ENDPOINT + "/", service="sts", body=STS_BODY, **kwargs))  # type: ignore[arg-type]


def test_valid_sts_request_is_the_root_user_with_the_scope_region() -> None:
    auth, _ = make_auth()
    result = authenticate(auth, sts_request(region="eu-west-3"), "sts")
    assert result.principal.arn == f"arn:aws:iam::{ACCOUNT}:root"
    assert result.region == "eu-west-3"
    assert result.access_key_id == "test"
    assert result.session_token is None


@pytest.mark.parametrize(
    "key",
    [
        "plain.txt",
        "with space/and+plus",
        "ünïcödé/ключ.bin",
        "sp!ec*ia'l(ch)ars~;:@&=$,?#[].txt",
        "a//b/./c/../d",
    ],
)
def test_s3_paths_are_signed_as_sent(key: str) -> None:
    auth, _ = make_auth()
    url = f"{ENDPOINT}/bucket/{quote(key, safe='/~')}"
    request = to_request(sign("GET", url, service="s3"))
    assert authenticate(auth, request, "s3").principal.account_id == ACCOUNT


@pytest.mark.parametrize(
    "path",
    ["/2015-03-31/functions/my%20fn/invocations", "/2015-03-31/functions/%C3%BCn%C3%AF/x", "/a//b/../c"],
)
def test_non_s3_paths_are_normalised_and_encoded_twice(path: str) -> None:
    auth, _ = make_auth()
    request = to_request(sign("GET", ENDPOINT + path, service="lambda"))
    assert authenticate(auth, request, "lambda").principal.account_id == ACCOUNT


def test_s3_key_sent_less_encoded_than_signed() -> None:
    # Some clients sign the RFC 3986 form of the key but put sub-delimiters on the wire as they are.
    auth, _ = make_auth()
    request = to_request(sign("GET", ENDPOINT + "/bucket/a%3Ab%40c%21.txt", service="s3"))
    request.path = "/bucket/a:b@c!.txt"
    assert authenticate(auth, request, "s3").principal.account_id == ACCOUNT


def test_query_with_repeated_and_blank_parameters() -> None:
    auth, _ = make_auth()
    params = [("b", "2"), ("a", "z z"), ("a", "1"), ("empty", ""), ("ü", "/+=&")]
    request = to_request(sign("GET", ENDPOINT + "/2015-03-31/functions/", service="lambda", params=params))
    assert "&a=1" in request.query_string and "empty=" in request.query_string
    assert authenticate(auth, request, "lambda").principal.account_id == ACCOUNT


def test_s3_query_subresources_without_values() -> None:
    auth, _ = make_auth()
    request = to_request(sign("GET", ENDPOINT + "/bucket?acl&versionId=", service="s3"))
    assert authenticate(auth, request, "s3").principal.account_id == ACCOUNT


def test_date_header_instead_of_x_amz_date() -> None:
    auth, _ = make_auth()
    request = sts_request(headers={**FORM, "Date": "placeholder"})
    assert "x-amz-date" not in request.headers and "date" in request.headers
    assert authenticate(auth, request, "sts").principal.account_id == ACCOUNT


def test_extra_account_root_key() -> None:
    auth, directory = make_auth()
    directory.add_root_key("111122223333", "AKIAOTHER", "other-secret")
    request = sts_request(key="AKIAOTHER", secret="other-secret")
    assert authenticate(auth, request, "sts").principal.arn == "arn:aws:iam::111122223333:root"


def test_registered_source_resolves_iam_user_keys() -> None:
    auth, directory = make_auth()
    alice = Principal(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/alice", "AIDAALICE", kind="User", name="alice")
    directory.register(lambda akid: Credential(akid, "alice-secret", alice) if akid == "AKIAALICE" else None)
    result = authenticate(auth, sts_request(key="AKIAALICE", secret="alice-secret"), "sts")
    assert result.principal is alice


# --- bad signatures -------------------------------------------------------------------


def _tamper(request):  # noqa: ANN001, ANN202
    value = request.headers["authorization"]
    request.headers["authorization"] = value[:-1] + ("0" if value[-1] != "0" else "1")
    return request


def test_tampered_signature_on_s3_carries_the_string_to_sign() -> None:
    auth, _ = make_auth()
    exc = error(auth, _tamper(to_request(sign("GET", ENDPOINT + "/bucket/key", service="s3"))), "s3")
    assert (exc.code, exc.status) == ("SignatureDoesNotMatch", 403)
    assert exc.message == (
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method."
    )
    assert exc.fields["AWSAccessKeyId"] == "test"
    assert exc.fields["StringToSign"].startswith("AWS4-HMAC-SHA256\n20240501T120000Z\n20240501/us-east-1/s3/")
    assert exc.fields["CanonicalRequest"].startswith("GET\n/bucket/key\n")
    assert exc.fields["StringToSignBytes"].startswith("41 57 53 34")


@pytest.mark.parametrize(
    ("service", "code", "status"),
    [
        ("sts", "SignatureDoesNotMatch", 403),
        ("iam", "SignatureDoesNotMatch", 403),
        ("lambda", "InvalidSignatureException", 403),
        ("logs", "InvalidSignatureException", 400),
        ("ec2", "AuthFailure", 401),
    ],
)
def test_wrong_secret_per_family(service: str, code: str, status: int) -> None:
    auth, _ = make_auth()
    request = to_request(sign("POST", ENDPOINT + "/", service=service, body=b"{}", secret="not-the-secret"))
    exc = error(auth, request, service)
    assert (exc.code, exc.status) == (code, status)
    if code != "AuthFailure":
        assert exc.message.startswith("The request signature we calculated does not match")


def test_changed_body_breaks_a_non_s3_signature() -> None:
    auth, _ = make_auth()
    request = to_request(sign("POST", ENDPOINT + "/", service="sts", body=STS_BODY, headers=FORM))
    request.body = PiecesBody(STS_BODY.replace(b"Caller", b"Callee"))
    assert error(auth, request, "sts").code == "SignatureDoesNotMatch"


def test_changed_signed_header_breaks_the_signature() -> None:
    auth, _ = make_auth()
    request = sts_request()
    request.headers["content-type"] = "text/plain"
    assert error(auth, request, "sts").code == "SignatureDoesNotMatch"


def test_credential_scoped_to_another_service() -> None:
    auth, _ = make_auth()
    exc = error(auth, sts_request(signer_service="iam"), "sts")
    assert (exc.code, exc.message) == (
        "SignatureDoesNotMatch",
        "Credential should be scoped to correct service: 'sts'. ",
    )


# --- unknown keys ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "code", "status", "message"),
    [
        (
            "s3",
            "InvalidAccessKeyId",
            403,
            "The AWS Access Key Id you provided does not exist in our records.",
        ),
        ("sts", "InvalidClientTokenId", 403, "The security token included in the request is invalid."),
        ("sns", "InvalidClientTokenId", 403, "The security token included in the request is invalid."),
        (
            "lambda",
            "UnrecognizedClientException",
            403,
            "The security token included in the request is invalid.",
        ),
        (
            "secretsmanager",
            "UnrecognizedClientException",
            400,
            "The security token included in the request is invalid.",
        ),
        ("ec2", "AuthFailure", 401, "AWS was not able to validate the provided access credentials"),
    ],
)
def test_unknown_access_key_per_family(service: str, code: str, status: int, message: str) -> None:
    auth, _ = make_auth()
    request = to_request(sign("GET", ENDPOINT + "/", service=service, key="AKIANOBODY"))
    exc = error(auth, request, service)
    assert (exc.code, exc.status, exc.message) == (code, status, message)
    if service == "s3":
        assert exc.fields["AWSAccessKeyId"] == "AKIANOBODY"


def test_inactive_key_is_unknown() -> None:
    auth, directory = make_auth()
    root = Principal(ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/old", "AIDAOLD", kind="User")
    directory.register(lambda akid: Credential(akid, "s", root, active=False))
    assert error(auth, sts_request(key="AKIAOLD", secret="s"), "sts").code == "InvalidClientTokenId"


# --- clock skew -----------------------------------------------------------------------

LATE = NOW - datetime.timedelta(minutes=16)
EARLY = NOW + datetime.timedelta(minutes=16)


def test_s3_clock_skew_is_request_time_too_skewed() -> None:
    auth, _ = make_auth()
    exc = error(auth, to_request(sign("GET", ENDPOINT + "/", service="s3", at=LATE)), "s3")
    assert (exc.code, exc.status) == ("RequestTimeTooSkewed", 403)
    assert exc.message == "The difference between the request time and the current time is too large."
    assert exc.fields == {
        "RequestTime": "20240501T114400Z",
        "ServerTime": "2024-05-01T12:00:00Z",
        "MaxAllowedSkewMilliseconds": "900000",
    }


def test_query_service_signature_expired() -> None:
    auth, _ = make_auth()
    exc = error(auth, sts_request(at=LATE), "sts")
    assert (exc.code, exc.status) == ("SignatureDoesNotMatch", 403)
    assert exc.message == (
        "Signature expired: 20240501T114400Z is now earlier than 20240501T114500Z (20240501T120000Z - 15 min.)"
    )


def test_signature_from_the_future() -> None:
    auth, _ = make_auth()
    exc = error(auth, sts_request(at=EARLY), "sts")
    assert exc.message == (
        "Signature not yet current: 20240501T121600Z is still later than 20240501T121500Z (20240501T120000Z + 15 min.)"
    )


def test_json_service_signature_expired_and_ec2_request_expired() -> None:
    auth, _ = make_auth()
    exc = error(auth, to_request(sign("POST", ENDPOINT + "/", service="logs", body=b"{}", at=LATE)), "logs")
    assert (exc.code, exc.status) == ("InvalidSignatureException", 400)
    assert exc.message.startswith("Signature expired: 20240501T114400Z is now earlier than")
    exc = error(auth, to_request(sign("POST", ENDPOINT + "/", service="ec2", body=b"", at=LATE)), "ec2")
    assert (exc.code, exc.status, exc.message) == ("RequestExpired", 400, "Request has expired.")


def test_skew_within_the_window_is_accepted() -> None:
    auth, _ = make_auth()
    assert authenticate(auth, sts_request(at=NOW - datetime.timedelta(minutes=14)), "sts")


# --- no or malformed authentication ----------------------------------------------------


def _unsigned(path: str = "/", headers: dict[str, str] | None = None):  # noqa: ANN202
    from pocketcloud.gateway.http import BytesBody, Request

    return Request("GET", path, "", {"host": "127.0.0.1:4566", **(headers or {})}, BytesBody(b""))


def test_unsigned_s3_request_is_anonymous() -> None:
    auth, _ = make_auth()
    assert authenticate(auth, _unsigned("/bucket/key"), "s3").principal.is_anonymous


@pytest.mark.parametrize(
    ("service", "code", "status", "message"),
    [
        ("sts", "MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
        ("dynamodb", "MissingAuthenticationTokenException", 400, "Request is missing Authentication Token"),
        ("lambda", "MissingAuthenticationTokenException", 403, "Missing Authentication Token"),
        ("ec2", "MissingParameter", 400, "The request must contain the parameter AWSAccessKeyId"),
    ],
)
def test_unsigned_request_elsewhere(service: str, code: str, status: int, message: str) -> None:
    auth, _ = make_auth()
    exc = error(auth, _unsigned(), service)
    assert (exc.code, exc.status, exc.message) == (code, status, message)


def test_non_aws_authorization_header_is_incomplete_signature() -> None:
    auth, _ = make_auth()
    exc = error(auth, _unsigned(headers={"authorization": "Bearer abc"}), "sts")
    assert (exc.code, exc.status) == ("IncompleteSignature", 400)
    assert exc.message == (
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' "
        "parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires "
        "existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc"
    )


def test_missing_signature_component() -> None:
    auth, _ = make_auth()
    request = sts_request()
    request.headers["authorization"] = request.headers["authorization"].split(", Signature=")[0]
    exc = error(auth, request, "sts")
    assert exc.code == "IncompleteSignature"
    assert exc.message.startswith("Authorization header requires 'Signature' parameter. Authorization=AWS4")
    assert error(auth, request, "logs").code == "IncompleteSignatureException"


def test_credential_with_four_parts() -> None:
    auth, _ = make_auth()
    request = sts_request()
    request.headers["authorization"] = request.headers["authorization"].replace("/aws4_request", "")
    exc = error(auth, request, "sts")
    assert exc.code == "IncompleteSignature"
    assert exc.message.startswith("Credential must have exactly 5 slash-delimited elements")


def test_s3_malformed_headers() -> None:
    auth, _ = make_auth()
    request = to_request(sign("GET", ENDPOINT + "/bucket", service="s3"))
    good = request.headers["authorization"]
    request.headers["authorization"] = good.replace("/aws4_request", "")
    exc = error(auth, request, "s3")
    assert (exc.code, exc.status) == ("AuthorizationHeaderMalformed", 400)
    assert exc.message == (
        "The authorization header is malformed; the Credential is mal-formed; expecting "
        '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
    )
    request.headers["authorization"] = good.replace("/s3/", "/sts/")
    assert error(auth, request, "s3").message == (
        'The authorization header is malformed; incorrect service "sts". This endpoint belongs to "s3".'
    )
    request.headers["authorization"] = good.split(", Signature=")[0]
    assert error(auth, request, "s3").code == "AuthorizationHeaderMalformed"
    request.headers["authorization"] = "Bearer abc"
    exc = error(auth, request, "s3")
    assert (exc.code, exc.message, exc.fields["ArgumentName"]) == (
        "InvalidArgument",
        "Unsupported Authorization Type",
        "Authorization",
    )
    request.headers["authorization"] = "AWS test:c2lnbmF0dXJl"  # SigV2, verified by sigv2.py
    assert (error(auth, request, "s3").code, error(auth, request, "s3").status) == ("SignatureDoesNotMatch", 403)


def test_s3_requires_a_date_and_a_content_sha256() -> None:
    auth, _ = make_auth()
    request = to_request(sign("GET", ENDPOINT + "/bucket", service="s3"))
    del request.headers["x-amz-content-sha256"]
    exc = error(auth, request, "s3")
    assert (exc.code, exc.status, exc.message) == (
        "InvalidRequest",
        400,
        "Missing required header for this request: x-amz-content-sha256",
    )
    request = to_request(sign("GET", ENDPOINT + "/bucket", service="s3"))
    del request.headers["x-amz-date"]
    exc = error(auth, request, "s3")
    assert (exc.code, exc.status) == ("AccessDenied", 403)
    assert exc.message == "AWS authentication requires a valid Date or x-amz-date header"


def test_s3_invalid_content_sha256_value() -> None:
    auth, _ = make_auth()
    request = to_request(sign("PUT", ENDPOINT + "/b/k", service="s3"))
    request.headers["x-amz-content-sha256"] = "nope"
    exc = error(auth, request, "s3")
    assert (exc.code, exc.fields["ArgumentName"]) == ("InvalidArgument", "x-amz-content-sha256")
