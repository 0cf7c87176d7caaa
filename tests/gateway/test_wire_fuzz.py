"""Malformed HTTP that botocore never sends, as raw bytes: each gets AWS's 4xx answer, never a 500
or a dropped connection (the cases a raw-socket fuzzer of the gateway, auth and parsers found)."""

from __future__ import annotations

import base64
import time
import zlib

from tests.conftest import make_client
from tests.raw_http import chunk_signer, error_code, exchange, signed_head, signed_request

STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def _bucket(endpoint: str, name: str) -> None:
    make_client(endpoint, "s3").create_bucket(Bucket=name)


# -- a client that shuts down its sending side (a half-close) ---------------------------------


def test_a_body_cut_short_by_a_half_close_is_answered_incomplete_body(endpoint: str) -> None:
    _bucket(endpoint, "fuzz-half-close")
    request = signed_request(endpoint, "PUT", "/fuzz-half-close/k", "s3", b"x" * 100, content_length=500)
    status, headers, body = exchange(endpoint, request, half_close=True)
    assert (status, error_code(body)) == (400, "IncompleteBody")
    assert b"You did not provide the number of bytes specified by the Content-Length HTTP header" in body
    assert headers["connection"] == "close"
    assert make_client(endpoint, "s3").list_objects_v2(Bucket="fuzz-half-close")["KeyCount"] == 0


def test_a_whole_request_followed_by_a_half_close_is_still_answered(endpoint: str) -> None:
    _bucket(endpoint, "fuzz-half-close-whole")
    data = b"y" * 3_000_000  # more than the server reads ahead of the app
    request = signed_request(endpoint, "PUT", "/fuzz-half-close-whole/k", "s3", data)
    status, _, _ = exchange(endpoint, request, half_close=True)
    assert status == 200
    stored = make_client(endpoint, "s3").get_object(Bucket="fuzz-half-close-whole", Key="k")["Body"].read()
    assert stored == data


def test_a_query_api_body_cut_short_by_a_half_close_gets_an_answer(endpoint: str) -> None:
    request = signed_request(endpoint, "POST", "/", "sts", STS_BODY, FORM, content_length=len(STS_BODY) + 50)
    status, _, body = exchange(endpoint, request, half_close=True)
    assert (status, error_code(body)) == (400, "IncompleteBody")
    assert b"You did not provide the number of bytes specified by the Content-Length HTTP header" in body


# -- aws-chunked bodies with text that is no ASCII where a signature or checksum goes ------------


def _streaming_put(endpoint: str, path: str, mode: str, framing) -> tuple[int, bytes]:
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    headers = {"content-encoding": "aws-chunked", "x-amz-decoded-content-length": "5"}
    if mode.endswith("TRAILER"):
        headers["x-amz-trailer"] = "x-amz-checksum-crc32"
    head, signature = signed_head(endpoint, "PUT", path, "s3", mode, headers, amz_date)
    body = framing(chunk_signer(signature, amz_date))
    status, _, answer = exchange(endpoint, head + f"content-length: {len(body)}\r\n\r\n".encode() + body)
    return status, answer


def test_a_checksum_trailer_that_is_not_ascii_is_an_invalid_value(endpoint: str) -> None:
    # Not a base64 digest at all: "Value for x-amz-checksum-crc32 trailing header is invalid." (OpenStack
    # Swift's test_strm_unsgnd_pyld_trl_with_trailer_checksum_invalid, recorded against AWS), not a 500.
    _bucket(endpoint, "fuzz-trailer")
    status, answer = _streaming_put(
        endpoint,
        "/fuzz-trailer/k",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        lambda sign: b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:\xff\xfe\r\n\r\n",
    )
    assert (status, error_code(answer)) == (400, "InvalidRequest")


def test_a_well_formed_checksum_trailer_is_still_accepted(endpoint: str) -> None:
    _bucket(endpoint, "fuzz-trailer-ok")
    crc = base64.b64encode(zlib.crc32(b"hello").to_bytes(4, "big"))
    status, _ = _streaming_put(
        endpoint,
        "/fuzz-trailer-ok/k",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        lambda sign: b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:" + crc + b"\r\n\r\n",
    )
    assert status == 200


def test_a_chunk_signature_that_is_not_ascii_is_signature_does_not_match(endpoint: str) -> None:
    _bucket(endpoint, "fuzz-chunk-sig")
    status, answer = _streaming_put(
        endpoint,
        "/fuzz-chunk-sig/k",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        lambda sign: (
            b"5;chunk-signature=\xe9\xe9\r\nhello\r\n0;chunk-signature=" + sign(b"").encode() + b"\r\n\r\n"
        ),
    )
    assert (status, error_code(answer)) == (403, "SignatureDoesNotMatch")


def test_a_decoded_content_length_in_other_digits_is_not_a_500(endpoint: str) -> None:
    # "²" is a digit to str.isdigit() but not to int(); the header is then as good as absent, which
    # S3 answers 411 MissingContentLength.
    _bucket(endpoint, "fuzz-decoded-length")
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    headers = {"content-encoding": "aws-chunked", "x-amz-decoded-content-length": "\xb2"}
    head, signature = signed_head(endpoint, "PUT", "/fuzz-decoded-length/k", "s3", mode, headers, amz_date)
    sign = chunk_signer(signature, amz_date)
    body = b"5;chunk-signature=" + sign(b"hello").encode() + b"\r\nhello\r\n"
    body += b"0;chunk-signature=" + sign(b"").encode() + b"\r\n\r\n"
    status, _, answer = exchange(endpoint, head + f"content-length: {len(body)}\r\n\r\n".encode() + body)
    assert (status, error_code(answer)) == (411, "MissingContentLength")


# -- numbers that are digits to str.isdigit() but not to int(), or too long for it ----------------


def _presigned_get(endpoint: str, expires: str) -> tuple[int, bytes]:
    host = endpoint.split("//", 1)[1]
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    query = (
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential=test%2F{amz_date[:8]}%2Fus-east-1%2Fsts%2Faws4_request"
        f"&X-Amz-Date={amz_date}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host"
        "&Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Signature=" + "0" * 64
    )
    status, _, body = exchange(endpoint, f"GET /?{query} HTTP/1.1\r\nhost: {host}\r\n\r\n".encode())
    return status, body


def test_presigned_expires_in_superscript_digits_is_refused_as_not_a_number(endpoint: str) -> None:
    status, body = _presigned_get(endpoint, "%C2%B2")
    assert status == 400
    assert b"X-Amz-Expires should be a number" in body


def test_presigned_expires_of_5000_digits_is_refused_as_over_a_week(endpoint: str) -> None:
    status, body = _presigned_get(endpoint, "9" * 5000)
    assert status == 400
    assert b"X-Amz-Expires must be less than a week" in body


def test_sigv2_query_expires_in_superscript_digits_is_access_denied(endpoint: str) -> None:
    _bucket(endpoint, "fuzz-sigv2")
    host = endpoint.split("//", 1)[1]
    for expires in ("%C2%B2", "9" * 5000):
        request = f"GET /fuzz-sigv2/k?AWSAccessKeyId=test&Expires={expires}&Signature=x HTTP/1.1\r\nhost: {host}\r\n\r\n"
        status, _, body = exchange(endpoint, request.encode())
        assert (status, error_code(body)) == (403, "AccessDenied")
        assert b"Invalid date (should be seconds since epoch)" in body


def test_an_integer_of_5000_digits_is_an_invalid_argument(endpoint: str) -> None:
    _bucket(endpoint, "fuzz-long-int")
    request = signed_request(endpoint, "GET", "/fuzz-long-int?max-keys=" + "9" * 5000, "s3")
    status, _, body = exchange(endpoint, request)
    assert (status, error_code(body)) == (400, "InvalidArgument")
    assert b"<Message>Provided max-keys not an integer or within integer range</Message>" in body
    assert b"<ArgumentName>max-keys</ArgumentName>" in body


def test_a_query_list_index_of_5000_digits_is_ignored(endpoint: str) -> None:
    body = b"Action=GetAccountAuthorizationDetails&Version=2010-05-08&Filter.member." + b"9" * 5000 + b"=User"
    status, _, answer = exchange(endpoint, signed_request(endpoint, "POST", "/", "iam", body, FORM))
    assert status == 200
    assert b"<GetAccountAuthorizationDetailsResult>" in answer


def test_a_lambda_code_url_with_odd_expires_or_signature_is_forbidden(endpoint: str) -> None:
    host = endpoint.split("//", 1)[1]
    for query in (
        "Expires=%C2%B2&Signature=x",
        "Expires=99999999999&Signature=%C3%A9",
        f"Expires={'9' * 5000}&Signature=x",
    ):
        request = f"GET /_pocketcloud/lambda/code/abc?{query} HTTP/1.1\r\nhost: {host}\r\n\r\n"
        status, _, _ = exchange(endpoint, request.encode())
        assert status == 403
