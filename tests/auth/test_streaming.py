"""Streaming payloads: aws-chunked with chunk signatures, checksum trailers, signed payload hashes."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import io
import zlib

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum, Sha1Checksum, Sha256Checksum

from pocketcloud.auth.chunked import AwsChunkedBody
from pocketcloud.gateway.http import Request

from .support import (
    ENDPOINT,
    KEY,
    NOW,
    SECRET,
    PiecesBody,
    authenticate,
    body_error,
    error,
    make_auth,
    read_body,
    run,
    sign,
    to_request,
)

# --- the known-answer example of the S3 documentation (sigv4-streaming) ---------------------

DOC_KEY, DOC_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DOC_TIME = datetime.datetime(2013, 5, 24, tzinfo=datetime.UTC).timestamp()
DOC_SIGNATURES = (
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
)


def doc_body(signatures: tuple[str, ...] = DOC_SIGNATURES, data: bytes = b"a" * 66560) -> bytes:
    return (
        f"10000;chunk-signature={signatures[0]}\r\n".encode()
        + data[:65536]
        + f"\r\n400;chunk-signature={signatures[1]}\r\n".encode()
        + data[65536:]
        + f"\r\n0;chunk-signature={signatures[2]}\r\n\r\n".encode()
    )


def doc_request(body: bytes, sizes: tuple[int, ...] = (1, 7, 13, 4096, 3)) -> Request:
    headers = {
        "host": "s3.amazonaws.com",
        "x-amz-date": "20130524T000000Z",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "authorization": (
            f"AWS4-HMAC-SHA256 Credential={DOC_KEY}/20130524/us-east-1/s3/aws4_request,SignedHeaders="
            "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
            "x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
        ),
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": "66560",
        "content-length": "66824",
    }
    return Request("PUT", "/examplebucket/chunkObject.txt", "", headers, PiecesBody(body, sizes))


def doc_auth():  # noqa: ANN201
    auth, directory = make_auth(now=DOC_TIME)
    directory.add_root_key("111122223333", DOC_KEY, DOC_SECRET)
    return auth


@pytest.mark.parametrize("sizes", [(1, 7, 13, 4096, 3), (66824,), (88, 65536, 2, 86, 1024, 2, 86)])
def test_documented_chunked_upload_verifies_and_decodes(sizes: tuple[int, ...]) -> None:
    body = doc_body()
    assert len(body) == 66824
    request = doc_request(body, sizes)
    assert authenticate(doc_auth(), request, "s3").principal.account_id == "111122223333"
    assert isinstance(request.body, AwsChunkedBody)
    assert read_body(request) == b"a" * 66560


def _received_before_error(request: Request) -> tuple[int, str]:
    received = 0

    async def consume() -> None:
        nonlocal received
        async for piece in request.body:
            received += len(piece)

    try:
        run(consume())
    except Exception as exc:  # noqa: BLE001 - the error is what we look at
        return received, getattr(exc, "code", repr(exc))
    return received, "accepted"


def test_tampered_chunk_signature_fails_before_the_payload_completes() -> None:
    bad = (DOC_SIGNATURES[0], "0" * 64, DOC_SIGNATURES[2])
    request = doc_request(doc_body(bad))
    authenticate(doc_auth(), request, "s3")  # the seed signature is still right
    received, code = _received_before_error(request)
    assert code == "SignatureDoesNotMatch"
    assert received < 66560


def test_tampered_chunk_data_is_signature_does_not_match() -> None:
    data = bytearray(b"a" * 66560)
    data[100] = ord("b")
    request = doc_request(doc_body(data=bytes(data)))
    authenticate(doc_auth(), request, "s3")
    assert body_error(request).code == "SignatureDoesNotMatch"


def test_truncated_chunked_body_is_incomplete() -> None:
    request = doc_request(doc_body()[:-200])
    authenticate(doc_auth(), request, "s3")
    assert body_error(request).code == "IncompleteBody"


def test_decoded_length_must_match() -> None:
    decoder = AwsChunkedBody(PiecesBody(b"3\r\nabc\r\n0\r\n\r\n"), decoded_length=4)
    request = Request("PUT", "/b/k", "", {}, decoder)
    exc = body_error(request)
    assert (exc.code, exc.status) == ("IncompleteBody", 400)


# --- signed chunks and a signed trailer, built here from the documented algorithm ------------


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _signing_key(secret: str, date: str) -> bytes:
    key = _hmac(("AWS4" + secret).encode(), date)
    for part in ("us-east-1", "s3", "aws4_request"):
        key = _hmac(key, part)
    return key


class _StreamingSigner(S3SigV4Auth):
    """botocore's S3 signer, with the payload hash replaced by a streaming mode."""

    def __init__(self, mode: str) -> None:
        super().__init__(Credentials(KEY, SECRET), "s3", "us-east-1")
        self.mode = mode

    def payload(self, request: AWSRequest) -> str:
        return self.mode


def signed_chunked_request(
    payload: bytes, chunk: int, trailer: tuple[str, str] | None = None, bad_trailer_signature: bool = False
) -> Request:
    mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" + ("-TRAILER" if trailer else "")
    headers = {"Content-Encoding": "aws-chunked", "X-Amz-Decoded-Content-Length": str(len(payload))}
    if trailer:
        headers["X-Amz-Trailer"] = trailer[0]
    aws = AWSRequest(method="PUT", url=ENDPOINT + "/bucket/key", headers=headers)
    from unittest import mock

    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW):
        _StreamingSigner(mode).add_auth(aws)
    seed = aws.headers["Authorization"].rsplit("Signature=", 1)[1]
    amz_date, scope = "20240501T120000Z", "20240501/us-east-1/s3/aws4_request"
    key = _signing_key(SECRET, "20240501")
    empty = hashlib.sha256(b"").hexdigest()
    previous, wire = seed, b""
    pieces = [payload[i : i + chunk] for i in range(0, len(payload), chunk)] + [b""]
    for data in pieces:
        text = f"AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n{previous}\n{empty}\n{hashlib.sha256(data).hexdigest()}"
        previous = _hmac(key, text).hex()
        wire += f"{len(data):x};chunk-signature={previous}\r\n".encode() + data + b"\r\n"
    if trailer:
        wire = wire[:-2]  # the trailer follows the final chunk's header directly
        canonical = f"{trailer[0]}:{trailer[1]}\n"
        text = f"AWS4-HMAC-SHA256-TRAILER\n{amz_date}\n{scope}\n{previous}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        signature = "f" * 64 if bad_trailer_signature else _hmac(key, text).hex()
        wire += f"{trailer[0]}:{trailer[1]}\r\nx-amz-trailer-signature:{signature}\r\n\r\n".encode()
    return to_request(aws, wire)


PAYLOAD = bytes(range(256)) * 300  # 76800 bytes


def _crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def test_signed_chunks_without_trailer() -> None:
    auth, _ = make_auth()
    request = signed_chunked_request(PAYLOAD, 8192)
    authenticate(auth, request, "s3")
    assert read_body(request) == PAYLOAD


def test_signed_chunks_with_signed_checksum_trailer() -> None:
    auth, _ = make_auth()
    request = signed_chunked_request(PAYLOAD, 65536, ("x-amz-checksum-crc32", _crc32_b64(PAYLOAD)))
    authenticate(auth, request, "s3")
    assert read_body(request) == PAYLOAD
    assert isinstance(request.body, AwsChunkedBody)
    assert request.body.trailers == {"x-amz-checksum-crc32": _crc32_b64(PAYLOAD)}


def test_bad_trailer_signature() -> None:
    auth, _ = make_auth()
    trailer = ("x-amz-checksum-crc32", _crc32_b64(PAYLOAD))
    request = signed_chunked_request(PAYLOAD, 65536, trailer, bad_trailer_signature=True)
    authenticate(auth, request, "s3")
    assert body_error(request).code == "SignatureDoesNotMatch"


def test_signed_trailer_with_wrong_checksum_is_bad_digest() -> None:
    auth, _ = make_auth()
    request = signed_chunked_request(PAYLOAD, 65536, ("x-amz-checksum-crc32", "AAAAAA=="))
    authenticate(auth, request, "s3")
    exc = body_error(request)
    assert (exc.code, exc.status) == ("BadDigest", 400)
    assert exc.message == "The CRC32 you specified did not match the calculated checksum."


# --- unsigned chunks with a checksum trailer, as botocore sends them over HTTPS ---------------


def unsigned_trailer_request(
    wire_payload: bytes, checksum_cls: type, name: str, payload: bytes = PAYLOAD
) -> Request:
    aws = sign(
        "PUT",
        ENDPOINT + "/bucket/key",
        service="s3",
        headers={
            "Content-Encoding": "aws-chunked",
            "X-Amz-Trailer": name,
            "X-Amz-Decoded-Content-Length": str(len(payload)),
        },
    )
    aws.context["checksum"] = {"request_algorithm": {"in": "trailer", "name": name}}
    from unittest import mock

    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW):
        S3SigV4Auth(Credentials(KEY, SECRET), "s3", "us-east-1").add_auth(aws)
    assert aws.headers["X-Amz-Content-SHA256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    wire = AwsChunkedWrapper(io.BytesIO(wire_payload), checksum_cls, name, chunk_size=10000).read()
    return to_request(aws, wire)


@pytest.mark.parametrize(
    ("checksum_cls", "name"),
    [
        (Crc32Checksum, "x-amz-checksum-crc32"),
        (Sha256Checksum, "x-amz-checksum-sha256"),
        (Sha1Checksum, "x-amz-checksum-sha1"),
    ],
)
def test_unsigned_trailer_checksum_verified(checksum_cls: type, name: str) -> None:
    auth, _ = make_auth()
    request = unsigned_trailer_request(PAYLOAD, checksum_cls, name)
    authenticate(auth, request, "s3")
    assert read_body(request) == PAYLOAD
    assert isinstance(request.body, AwsChunkedBody)
    assert set(request.body.trailers) == {name}


def test_unsigned_trailer_with_corrupted_data_is_bad_digest() -> None:
    auth, _ = make_auth()
    wire = AwsChunkedWrapper(
        io.BytesIO(PAYLOAD), Crc32Checksum, "x-amz-checksum-crc32", chunk_size=10000
    ).read()
    request = unsigned_trailer_request(PAYLOAD, Crc32Checksum, "x-amz-checksum-crc32")
    corrupted = wire.replace(PAYLOAD[:100], b"\0" * 100, 1)
    request.body = PiecesBody(corrupted)
    authenticate(auth, request, "s3")
    received, code = _received_before_error(request)
    assert code == "BadDigest"
    assert received < len(PAYLOAD)


def test_crc32c_trailer() -> None:
    auth, _ = make_auth()
    request = unsigned_trailer_request(b"", Crc32Checksum, "x-amz-checksum-crc32c", payload=b"123456789")
    good = b"9\r\n123456789\r\n0\r\nx-amz-checksum-crc32c:4waSgw==\r\n\r\n"  # CRC-32C check value e3069283
    request.body = PiecesBody(good)
    authenticate(auth, request, "s3")
    assert read_body(request) == b"123456789"
    request = unsigned_trailer_request(b"", Crc32Checksum, "x-amz-checksum-crc32c", payload=b"123456789")
    request.body = PiecesBody(good.replace(b"4waSgw==", b"AAAAAA=="))
    authenticate(auth, request, "s3")
    assert body_error(request).code == "BadDigest"


def test_declared_trailer_missing_is_malformed() -> None:
    auth, _ = make_auth()
    request = unsigned_trailer_request(PAYLOAD, Crc32Checksum, "x-amz-checksum-crc32")
    request.body = PiecesBody(f"{len(PAYLOAD):x}\r\n".encode() + PAYLOAD + b"\r\n0\r\n\r\n")
    authenticate(auth, request, "s3")
    assert body_error(request).code == "MalformedTrailerError"


# --- a signed SHA-256 of the whole payload ------------------------------------------------------


def test_small_payload_hash_mismatch_is_found_before_the_provider_runs() -> None:
    auth, _ = make_auth()
    request = to_request(sign("PUT", ENDPOINT + "/bucket/key", service="s3", body=b"what was signed"))
    request.body = PiecesBody(b"what was sent")
    request.headers["content-length"] = "13"
    exc = error(auth, request, "s3")
    assert (exc.code, exc.status) == ("XAmzContentSHA256Mismatch", 400)
    assert exc.fields["ClientComputedContentSHA256"] == hashlib.sha256(b"what was signed").hexdigest()
    assert exc.fields["S3ComputedContentSHA256"] == hashlib.sha256(b"what was sent").hexdigest()


def test_large_payload_hash_is_checked_while_streaming() -> None:
    auth, _ = make_auth()
    big = b"x" * (2 * 1024 * 1024)
    request = to_request(
        sign("PUT", ENDPOINT + "/bucket/key", service="s3", body=big), PiecesBody(big, (65536,))
    )
    authenticate(auth, request, "s3")
    assert read_body(request) == big

    request = to_request(
        sign("PUT", ENDPOINT + "/bucket/key", service="s3", body=big), PiecesBody(big[:-1] + b"y", (65536,))
    )
    authenticate(auth, request, "s3")
    received, code = _received_before_error(request)
    assert code == "XAmzContentSHA256Mismatch"
    assert received == len(big) - 65536  # the last piece is withheld


def test_auth_disabled_still_decodes_chunked_bodies() -> None:
    auth, _ = make_auth(auth_disabled=True)
    request = doc_request(doc_body())
    result = authenticate(auth, request, "s3")
    assert result.principal.arn == "arn:aws:iam::000000000000:root"
    assert read_body(request) == b"a" * 66560


def test_documented_signed_trailer_example() -> None:
    # The chunk and trailer signatures of the S3 documentation's trailer example
    # (sigv4-streaming-trailers), checked from its seed signature onwards.
    from pocketcloud.auth.canonical import signing_key
    from pocketcloud.auth.chunked import ChunkSigner

    key = signing_key(DOC_SECRET, "20130524", "us-east-1", "s3")
    seed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
    body = (
        b"10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n"
        + b"a" * 65536
        + b"\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n"
        + b"a" * 1024
        + b"\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n"
        + b"x-amz-checksum-crc32c:sOO8/Q==\r\n"
        + b"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n"
    )
    # (A blank line before the trailers, or none after them, AWS refuses: test_streaming_fidelity.py.)
    decoded = AwsChunkedBody(
        PiecesBody(body),
        signer=ChunkSigner(key, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", seed),
        trailer=True,
        declared_trailers=("x-amz-checksum-crc32c",),
        decoded_length=66560,
    )
    request = Request("PUT", "/examplebucket/chunkObject.txt", "", {}, decoded)
    assert read_body(request) == b"a" * 66560
    assert decoded.trailers == {"x-amz-checksum-crc32c": "sOO8/Q=="}


@pytest.mark.parametrize(
    ("wire", "code"),
    [
        (b"zz\r\nabc\r\n0\r\n\r\n", "InvalidRequest"),  # size not hex
        (b"0x3\r\nabc\r\n0\r\n\r\n", "InvalidRequest"),
        (b"3\r\nabcd\r\n0\r\n\r\n", "IncompleteBody"),  # more data than declared: no CRLF after it
        (b"3\r\nab", "IncompleteBody"),  # truncated data
        (b"3\r\nabc\r\n", "IncompleteBody"),  # no final chunk
        (b"3" * 5000, "InvalidRequest"),  # endless header line
        (b"3\r\nabc\r\n0\r\nx-amz-meta-a:1\r\n\r\n", "MalformedTrailerError"),  # trailer not announced
    ],
)
def test_malformed_aws_chunked_framing(wire: bytes, code: str) -> None:
    request = Request("PUT", "/b/k", "", {}, AwsChunkedBody(PiecesBody(wire)))
    assert body_error(request).code == code


def test_unsigned_chunked_body_of_many_tiny_pieces() -> None:
    wire = b"".join(f"{n:x}\r\n".encode() + bytes([n]) * n + b"\r\n" for n in range(1, 40)) + b"0\r\n\r\n"
    expected = b"".join(bytes([n]) * n for n in range(1, 40))
    for sizes in ((1,), (2, 3), (len(wire),)):
        request = Request(
            "PUT", "/b/k", "", {}, AwsChunkedBody(PiecesBody(wire, sizes), decoded_length=len(expected))
        )
        assert read_body(request) == expected
