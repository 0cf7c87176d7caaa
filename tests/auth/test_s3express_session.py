"""S3 Express One Zone session credentials: the token travels in x-amz-s3session-token (or the
X-Amz-S3session-Token query parameter of a presigned URL), never in x-amz-security-token, and
expires with its session (S3 API reference, CreateSession)."""

from __future__ import annotations

import datetime

from pocketcloud.auth.principal import Credential
from pocketcloud.auth.sigv4 import Authenticator

from .support import ACCOUNT, ENDPOINT, authenticate, error, make_auth, sign, to_request
from .test_credentials import EARLIER, LATER, SESSION

TOKEN = "s3express-session-token"
URL = ENDPOINT + "/bucket--use1-az4--x-s3/key"


def with_express_session(expires: datetime.datetime = LATER) -> Authenticator:
    auth, directory = make_auth()
    session = Credential(
        "ASIAEXPRESS", "express-secret", SESSION, session_token=TOKEN, expires=expires, s3_session=True
    )
    directory.register(lambda akid: session if akid == "ASIAEXPRESS" else None)
    return auth


def signed(headers: dict[str, str] | None = None, token: str | None = None, presign: int | None = None):  # noqa: ANN201
    return to_request(
        sign("GET", URL, service="s3", signer_service="s3express", key="ASIAEXPRESS", secret="express-secret",
             headers=headers, token=token, presign=presign,
             params=[("X-Amz-S3session-Token", TOKEN)] if presign else None)
    )


def test_session_token_in_its_own_header_is_accepted() -> None:
    result = authenticate(with_express_session(), signed({"x-amz-s3session-token": TOKEN}), "s3", "s3express")
    assert (result.principal.account_id, result.access_key_id) == (ACCOUNT, "ASIAEXPRESS")


def test_session_token_in_a_presigned_url_is_accepted() -> None:
    result = authenticate(with_express_session(), signed(presign=300), "s3", "s3express")
    assert result.access_key_id == "ASIAEXPRESS"


def test_expired_session_token_is_expired() -> None:
    exc = error(with_express_session(EARLIER), signed({"x-amz-s3session-token": TOKEN}), "s3", "s3express")
    assert (exc.code, exc.status) == ("ExpiredToken", 400)


def test_session_token_sent_as_a_security_token_is_invalid() -> None:
    exc = error(with_express_session(), signed(token=TOKEN), "s3", "s3express")
    assert (exc.code, exc.status) == ("InvalidToken", 400)


def test_wrong_session_token_is_invalid() -> None:
    exc = error(with_express_session(), signed({"x-amz-s3session-token": "other"}), "s3", "s3express")
    assert (exc.code, exc.status) == ("InvalidToken", 400)
