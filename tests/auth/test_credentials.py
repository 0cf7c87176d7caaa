"""Session credentials (tokens, expiry), the credential directory, and lax mode (auth_disabled)."""

from __future__ import annotations

import datetime

import pytest

from pocketcloud.auth.credentials import CredentialDirectory
from pocketcloud.auth.principal import Credential, Principal
from pocketcloud.config import Settings
from pocketcloud.gateway.http import BytesBody, Request

from .support import ACCOUNT, ENDPOINT, NOW, authenticate, error, make_auth, sign, to_request

SESSION = Principal(
    ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1", "AROAAPP:s1", kind="AssumedRole", name="s1"
)
TOKEN = "FwoGZXIvYXdzEJr//////////wEaDEXAMPLETOKEN+/="
LATER = datetime.datetime(2024, 5, 1, 13, 0, tzinfo=datetime.UTC)
EARLIER = datetime.datetime(2024, 5, 1, 11, 0, tzinfo=datetime.UTC)


def with_session(expires: datetime.datetime = LATER):  # noqa: ANN201
    auth, directory = make_auth()
    session = Credential("ASIASESSION", "session-secret", SESSION, session_token=TOKEN, expires=expires)
    directory.register(lambda akid: session if akid == "ASIASESSION" else None)
    return auth


def signed(
    service: str, token: str | None = TOKEN, key: str = "ASIASESSION", secret: str = "session-secret"
) -> Request:
    return to_request(sign("GET", ENDPOINT + "/", service=service, key=key, secret=secret, token=token))


def test_session_credentials_with_their_token() -> None:
    result = authenticate(with_session(), signed("sts"), "sts")
    assert (result.principal, result.session_token, result.access_key_id) == (SESSION, TOKEN, "ASIASESSION")


@pytest.mark.parametrize(
    ("service", "code", "status"),
    [
        ("sts", "InvalidClientTokenId", 403),
        ("lambda", "UnrecognizedClientException", 403),
        ("s3", "InvalidAccessKeyId", 403),
    ],
)
def test_temporary_key_without_its_token(service: str, code: str, status: int) -> None:
    exc = error(with_session(), signed(service, token=None), service)
    assert (exc.code, exc.status) == (code, status)


def test_wrong_token() -> None:
    auth = with_session()
    assert error(auth, signed("sts", token="not-the-token"), "sts").code == "InvalidClientTokenId"
    exc = error(auth, signed("s3", token="not-the-token"), "s3")
    assert (exc.code, exc.status, exc.message) == (
        "InvalidToken",
        400,
        "The provided token is malformed or otherwise invalid.",
    )


def test_token_sent_with_a_long_term_key() -> None:
    auth, _ = make_auth()
    exc = error(auth, signed("sts", key="test", secret="test"), "sts")
    assert (exc.code, exc.message) == (
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    )


@pytest.mark.parametrize(
    ("service", "code", "status", "message"),
    [
        ("sts", "ExpiredToken", 403, "The security token included in the request is expired"),
        ("logs", "ExpiredTokenException", 400, "The security token included in the request is expired"),
        ("lambda", "ExpiredTokenException", 403, "The security token included in the request is expired"),
        ("s3", "ExpiredToken", 400, "The provided token has expired."),
    ],
)
def test_expired_session(service: str, code: str, status: int, message: str) -> None:
    exc = error(with_session(expires=EARLIER), signed(service), service)
    assert (exc.code, exc.status, exc.message) == (code, status, message)
    if service == "s3":
        assert exc.fields["Token-0"] == TOKEN


def test_naive_expiry_is_utc() -> None:
    auth = with_session(expires=EARLIER.replace(tzinfo=None))
    assert error(auth, signed("sts"), "sts").code == "ExpiredToken"


def test_directory_lookup_order_and_unregister() -> None:
    directory = CredentialDirectory(
        Settings(account_id="123456789012", access_key_id="AK", secret_access_key="SK")
    )
    assert directory.lookup("AK") is not None
    assert directory.account_of("AK") == "123456789012"
    shadow = Credential("AK", "other", SESSION)
    source = lambda akid: shadow  # noqa: E731 - a throwaway source
    directory.register(source)
    assert directory.lookup("AK").secret_access_key == "SK"  # type: ignore[union-attr]
    assert directory.lookup("ANY") is shadow
    directory.unregister(source)
    assert directory.lookup("ANY") is None


# --- lax mode -----------------------------------------------------------------------------


def test_auth_disabled_accepts_any_key_as_root_of_the_default_account() -> None:
    auth, _ = make_auth(auth_disabled=True)
    request = to_request(
        sign("GET", ENDPOINT + "/", service="sts", key="AKIAWHATEVER", secret="x", region="ap-south-1")
    )
    request.headers["authorization"] = request.headers["authorization"][:-3] + "zzz"
    result = authenticate(auth, request, "sts")
    assert result.principal.arn == f"arn:aws:iam::{ACCOUNT}:root"
    assert (result.access_key_id, result.region) == ("AKIAWHATEVER", "ap-south-1")


def test_auth_disabled_known_key_is_root_of_its_account() -> None:
    auth, directory = make_auth(auth_disabled=True)
    directory.add_root_key("444455556666", "AKIAOTHER", "s")
    request = to_request(
        sign(
            "GET",
            ENDPOINT + "/",
            service="sts",
            key="AKIAOTHER",
            secret="wrong",
            at=NOW - datetime.timedelta(days=3),
        )
    )
    assert authenticate(auth, request, "sts").principal.arn == "arn:aws:iam::444455556666:root"
    presigned = to_request(sign("GET", ENDPOINT + "/b/k", service="s3", key="AKIAOTHER", presign=1))
    assert authenticate(auth, presigned, "s3").principal.account_id == "444455556666"


@pytest.mark.parametrize("service", ["sts", "s3", "lambda"])
def test_auth_disabled_unsigned_is_root(service: str) -> None:
    auth, _ = make_auth(auth_disabled=True)
    request = Request("GET", "/", "", {"host": "localhost"}, BytesBody())
    assert authenticate(auth, request, service).principal.arn == f"arn:aws:iam::{ACCOUNT}:root"
