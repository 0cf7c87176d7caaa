"""aws-chunked bodies refused as S3 refuses them.

Each case is one of OpenStack Swift's test/s3api/test_input_errors.py (TestV4AuthHeaders),
whose expectations were recorded against AWS; the test names below cite it. The requests are
written byte by byte and sent to the test server (`tests/raw_http.py`); the last tests drive
`AwsChunkedBody` and `ChunkSigner` directly, for the parts the authenticator does not hand
them yet (the raw x-amz-trailer value, the seed's canonical request).
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
import uuid
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from pocketcloud.auth.canonical import signing_key
from pocketcloud.auth.chunked import AwsChunkedBody, ChunkSigner, parse_trailer_header
from pocketcloud.gateway.http import Request
from pocketcloud.protocol.errors import ServiceError
from tests.conftest import ROOT_SECRET, make_client
from tests.raw_http import chunk_signer, error_code, error_message, exchange, signed_head

from .support import PiecesBody, body_error

UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
DATA = bytes(range(65, 97))  # 32 bytes, no CR or LF among them
TERMINATED = "The request body terminated unexpectedly"
LENGTH = "You did not provide the number of bytes specified by the Content-Length HTTP header"
MALFORMED_TRAILER = (
    "The request contained trailing data that was not well-formed or did not conform to our published schema."
)
UNSUPPORTED_TRAILER = "The value specified in the x-amz-trailer header is not supported"
CRC32 = "x-amz-checksum-crc32"


def crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def framed(*chunks: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)


FINAL_CHUNK = b"0\r\n"  # an unsigned final chunk: its trailers follow its header directly


@pytest.fixture(scope="module")
def bucket(endpoint: str) -> Iterator[str]:
    s3: Any = make_client(endpoint, "s3")
    name = f"fidelity-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name


class Answer:
    def __init__(self, status: int, body: bytes) -> None:
        self.status = status
        self.body = body
        self.code = error_code(body)
        self.message = error_message(body)

    def field(self, name: str) -> str | None:
        match = re.search(rf"<{name}>(.*?)</{name}>".encode(), self.body, re.S)
        return match.group(1).decode() if match else None


def _announcing(announced: str | None) -> dict[str, str]:
    return {} if announced is None else {"x-amz-trailer": announced}


def _head(endpoint: str, bucket: str, mode: str, headers: dict[str, str], amz_date: str) -> tuple[bytes, str]:
    all_headers = {"content-encoding": "aws-chunked", **headers}
    return signed_head(endpoint, "PUT", f"/{bucket}/k", "s3", mode, all_headers, amz_date)


def put(
    endpoint: str,
    bucket: str,
    body: bytes,
    mode: str = UNSIGNED_TRAILER,
    decoded: int = len(DATA),
    announced: str | None = None,
) -> Answer:
    """A PUT of an aws-chunked `body` built here, its x-amz-decoded-content-length `decoded`,
    its x-amz-trailer `announced`."""
    headers = {"x-amz-decoded-content-length": str(decoded), **_announcing(announced)}
    head, _ = _head(endpoint, bucket, mode, headers, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    status, _, answer = exchange(endpoint, head + b"content-length: %d\r\n\r\n" % len(body) + body)
    return Answer(status, answer)


def put_trailer(
    endpoint: str, bucket: str, trailer_section: bytes, declared: str = "x-amz-checksum-crc32"
) -> Answer:
    """DATA in one unsigned chunk, then the final chunk and `trailer_section` as sent."""
    body = framed(DATA) + FINAL_CHUNK + trailer_section
    return put(endpoint, bucket, body, announced=declared)


def _trailer_signature(previous: str, amz_date: str, canonical: bytes) -> str:
    key = signing_key(ROOT_SECRET, amz_date[:8], "us-east-1", "s3")
    scope = f"{amz_date[:8]}/us-east-1/s3/aws4_request"
    return key.sign(
        f"AWS4-HMAC-SHA256-TRAILER\n{amz_date}\n{scope}\n{previous}\n{hashlib.sha256(canonical).hexdigest()}"
    )


def put_signed(
    endpoint: str,
    bucket: str,
    chunks: list[bytes],
    header: bytes = b"%x;chunk-signature=%s\r\n",
    decoded: int | None = None,
    trailer: bytes | None = None,
    trailer_signature: bool = True,
    trailer_signed_as: bytes | None = None,
    bad_last: bool = False,
    announced: str | None = None,
) -> Answer:
    """A signed aws-chunked PUT; with `trailer` (lines as sent), a -TRAILER stream ending in them and
    their signature (of `trailer_signed_as` instead, if given)."""
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    size = sum(map(len, chunks)) if decoded is None else decoded
    mode = SIGNED if trailer is None else SIGNED_TRAILER
    head, seed = _head(
        endpoint,
        bucket,
        mode,
        {"x-amz-decoded-content-length": str(size), **_announcing(announced)},
        amz_date,
    )
    sign = chunk_signer(seed, amz_date)
    body, signature = b"", seed
    for i, chunk in enumerate(chunks):
        signature = sign(b"x" if bad_last and i == len(chunks) - 1 else chunk)
        body += (
            header % (len(chunk), signature.encode()) + chunk + (b"\r\n" if chunk or trailer is None else b"")
        )
    if trailer is not None:
        body += trailer
        if trailer_signature:
            canonical = trailer_signed_as or trailer.replace(b"\r\n", b"\n") or b"\n"
            body += (
                b"x-amz-trailer-signature:%s\r\n"
                % _trailer_signature(signature, amz_date, canonical).encode()
            )
    status, _, answer = exchange(endpoint, head + b"content-length: %d\r\n\r\n" % len(body) + body)
    return Answer(status, answer)


def assert_terminated(answer: Answer) -> None:
    assert (answer.status, answer.code, answer.message) == (400, "IncompleteBody", TERMINATED), answer.body
    assert answer.field("NumberBytesExpected") is None and answer.field("NumberBytesProvided") is None


def assert_signature_mismatch(answer: Answer, first_line: str) -> None:
    assert (answer.status, answer.code) == (403, "SignatureDoesNotMatch"), answer.body
    assert answer.message.startswith("The request signature we calculated does not match")
    assert (answer.field("StringToSign") or "").startswith(first_line + "\n")
    for name in ("SignatureProvided", "StringToSignBytes", "CanonicalRequest", "CanonicalRequestBytes"):
        assert answer.field(name) is not None, name


# --- F13: a chunk's or the trailer's signature mismatch says what was signed --------------------


def test_bad_chunk_signature_names_the_chunks_string_to_sign(endpoint: str, bucket: str) -> None:
    # swift: test_strm_sgnd_pyld_bad_final_signature
    answer = put_signed(endpoint, bucket, [DATA, b""], bad_last=True)
    assert_signature_mismatch(answer, "AWS4-HMAC-SHA256-PAYLOAD")
    assert (answer.field("StringToSign") or "").endswith(
        hashlib.sha256(b"").hexdigest()
    )  # the 0 chunk's hash
    # and the canonical request the seed signature signed, as S3 names it for a request's mismatch
    canonical = answer.field("CanonicalRequest") or ""
    assert canonical.startswith(f"PUT\n/{bucket}/") and canonical.endswith(SIGNED), canonical


def test_invalid_chunk_signature_is_shown_as_provided(endpoint: str, bucket: str) -> None:
    # swift: test_strm_sgnd_pyld_invalid_signatures
    answer = put(
        endpoint,
        bucket,
        b"20;chunk-signature=invalid\r\n" + DATA + b"\r\n0;chunk-signature=invalid\r\n\r\n",
        SIGNED,
    )
    assert_signature_mismatch(answer, "AWS4-HMAC-SHA256-PAYLOAD")
    assert answer.field("SignatureProvided") == "invalid"


def test_bad_trailer_signature_names_the_trailers_string_to_sign(endpoint: str, bucket: str) -> None:
    # swift: test_strm_sgnd_pyld_trl_bad_trl_sig (the signature signs other trailers than those sent)
    trailer = f"x-amz-checksum-crc32:{crc32(DATA)}\r\n".encode()
    answer = put_signed(
        endpoint, bucket, [DATA, b""], trailer=trailer, trailer_signed_as=b"other\n", announced=CRC32
    )
    assert_signature_mismatch(answer, "AWS4-HMAC-SHA256-TRAILER")


def test_chunk_mismatch_carries_the_seeds_canonical_request() -> None:
    key = signing_key("secret", "20240501", "us-east-1", "s3")
    signer = ChunkSigner(
        key,
        "20240501T120000Z",
        "20240501/us-east-1/s3/aws4_request",
        "0" * 64,
        canonical_request="PUT\n/b/k\n\nhost:h\n\nhost\n" + SIGNED,
    )
    decoded = AwsChunkedBody(PiecesBody(b"3;chunk-signature=" + b"f" * 64 + b"\r\nabc\r\n"), signer=signer)
    exc = body_error(Request("PUT", "/b/k", "", {}, decoded))
    assert (exc.code, exc.status) == ("SignatureDoesNotMatch", 403)
    assert exc.fields["CanonicalRequest"].endswith("\nhost\n" + SIGNED)
    assert exc.fields["CanonicalRequestBytes"].startswith("50 55 54 0a")  # "PUT\n"
    assert exc.fields["SignatureProvided"] == "f" * 64


# --- F14: a signed chunk's header carries its chunk-signature and nothing else --------------------


@pytest.mark.parametrize(
    "header",
    [
        b"%x\r\n%.0s",  # swift: test_strm_sgnd_pyld_no_signatures
        b"%x;chunk-signature=\r\n%.0s",  # _blank_signatures
        b"%x;chunk-signature=%s;extra=param\r\n",  # _extra_param_after
    ],
)
def test_chunk_header_without_one_signature_is_incomplete(endpoint: str, bucket: str, header: bytes) -> None:
    assert_terminated(put_signed(endpoint, bucket, [DATA, b""], header=header))


def test_chunk_header_with_a_parameter_before_the_signature_is_a_mismatch(endpoint: str, bucket: str) -> None:
    # swift: test_strm_sgnd_pyld_extra_param_before
    answer = put_signed(endpoint, bucket, [DATA, b""], header=b"%x;extra=param;chunk-signature=%s\r\n")
    assert_signature_mismatch(answer, "AWS4-HMAC-SHA256-PAYLOAD")


def test_spaces_around_the_chunk_signature_are_accepted(endpoint: str, bucket: str) -> None:
    # swift: test_strm_sgnd_pyld_spaced_out_chunk_param_ok, _spaced_out_chunk_param_value_ok
    assert put_signed(endpoint, bucket, [DATA, b""], header=b"%x ; chunk-signature = %s \r\n").status == 200


# --- F15: only the last signed chunk may be shorter than 8 KiB -----------------------------------


@pytest.mark.parametrize("decoded", [9 * 1024, 8 * 1024])
def test_short_signed_chunk_before_the_last_is_invalid_chunk_size(
    endpoint: str, bucket: str, decoded: int
) -> None:
    # swift: test_strm_sgnd_pyld_too_small_chunks (9216 declared there: the chunk size is told first).
    # S3 names the chunk after the short one, and the short one's size.
    answer = put_signed(endpoint, bucket, [b"x" * 1024, b"y" * 4096, b"z" * 3072, b""], decoded=decoded)
    assert (answer.status, answer.code) == (403, "InvalidChunkSizeError"), answer.body
    assert answer.message == "Only the last chunk is allowed to have a size less than 8192 bytes"
    assert (answer.field("Chunk"), answer.field("BadChunkSize")) == ("2", "1024")


def test_signed_chunks_of_8k_and_more_are_accepted(endpoint: str, bucket: str) -> None:
    # swift: test_strm_sgnd_pyld_ragged_chunk_lengths_ok
    assert (
        put_signed(endpoint, bucket, [b"x" * 15 * 1024, b"y" * 8 * 1024, b"z" * 16 * 1024, b""]).status == 200
    )


# --- F16: a signed trailer section needs its trailer and its signature -----------------------------


def test_signed_trailer_without_its_signature_is_incomplete(endpoint: str, bucket: str) -> None:
    # swift: test_strm_sgnd_pyld_trl_missing_trl_sig
    trailer = f"x-amz-checksum-crc32:{crc32(DATA)}\r\n".encode()
    answer = put_signed(
        endpoint, bucket, [DATA, b""], trailer=trailer, trailer_signature=False, announced=CRC32
    )
    assert_terminated(answer)


def test_trailer_signature_without_a_trailer_is_incomplete(endpoint: str, bucket: str) -> None:
    # swift: test_strm_sgnd_pyld_trl_no_trailer (a valid signature of no trailers at all)
    assert_terminated(put_signed(endpoint, bucket, [DATA, b""], trailer=b""))


def test_signed_trailer_is_accepted(endpoint: str, bucket: str) -> None:
    # swift: test_strm_sgnd_pyld_trl_ok
    trailer = f"x-amz-checksum-crc32:{crc32(DATA)}\r\n".encode()
    answer = put_signed(endpoint, bucket, [DATA, b""], trailer=trailer, announced=CRC32)
    assert answer.status == 200, answer.body


# --- F17: a body that breaks off or breaks its framing ---------------------------------------------


@pytest.mark.parametrize(
    ("body", "decoded"),
    [
        pytest.param(framed(DATA), 32, id="no_zero_chunk"),
        pytest.param(b"20\n" + DATA + b"\n0\n\n", 32, id="no_cr"),
        pytest.param(b"20\r" + DATA + b"\r0\r\r", 32, id="no_lf"),
        pytest.param(DATA, 32, id="not_encoded"),
        pytest.param(b"2000\r\n" + b"A" * 8191, 8192, id="truncated_mid_chunk"),
        pytest.param(b"20\r\n" + DATA + b"0\r\n", 39, id="cl_matches_decoded_cl"),  # no CRLF after the data
        pytest.param(framed(DATA, b"")[:-1], 32, id="no_trailing_lf"),
    ],
)
def test_broken_aws_chunked_body_terminated_unexpectedly(
    endpoint: str, bucket: str, body: bytes, decoded: int
) -> None:
    # swift: test_strm_unsgnd_pyld_trl_<id>
    assert_terminated(put(endpoint, bucket, body, decoded=decoded))


def test_signed_body_without_its_final_chunk_is_incomplete(endpoint: str, bucket: str) -> None:
    # swift: test_strm_sgnd_pyld_missing_final_chunk
    assert_terminated(put_signed(endpoint, bucket, [DATA]))


def test_body_ending_right_after_the_final_chunk_is_accepted(endpoint: str, bucket: str) -> None:
    # swift: test_strm_unsgnd_pyld_trl_no_trailing_crlf_ok
    assert put(endpoint, bucket, framed(DATA, b"")[:-2]).status == 200


# --- F18: well-framed data of another length than declared -----------------------------------------


@pytest.mark.parametrize(
    ("body", "provided"),
    [
        pytest.param(framed(DATA * 2, b""), 64, id="too_many_bytes"),
        pytest.param(framed(DATA[:4], b"", DATA[4:], b""), 4, id="zero_chunk_mid_stream"),
    ],
)
def test_decoded_length_mismatch_counts_the_bytes(
    endpoint: str, bucket: str, body: bytes, provided: int
) -> None:
    # swift: test_strm_unsgnd_pyld_trl_too_many_bytes, _zero_chunk_mid_stream
    answer = put(endpoint, bucket, body)
    assert (answer.status, answer.code, answer.message) == (400, "IncompleteBody", LENGTH), answer.body
    assert (answer.field("NumberBytesExpected"), answer.field("NumberBytesProvided")) == ("32", str(provided))


# --- F19: the framing of the trailer section ----------------------------------------------------------


@pytest.mark.parametrize("ending", [b"\n", b"\r", b""], ids=["no_cr", "no_lf", "no_crlf"])
def test_trailer_line_without_crlf_is_incomplete(endpoint: str, bucket: str, ending: bytes) -> None:
    # swift: test_strm_unsgnd_pyld_trl_with_trailer_<id>
    assert_terminated(put_trailer(endpoint, bucket, f"x-amz-checksum-crc32: {crc32(DATA)}".encode() + ending))


@pytest.mark.parametrize(
    "section",
    [
        pytest.param(b"\r\nx-amz-checksum-crc32: %s\r\n", id="with_trailer_extra_line_before"),
        pytest.param(b"x-amz-checksum-crc32: %s\r\nbonus: trailer\r\n", id="extra_trailer"),
    ],
)
def test_misplaced_or_unannounced_trailer_is_malformed(endpoint: str, bucket: str, section: bytes) -> None:
    # swift: test_strm_unsgnd_pyld_trl_<id>
    answer = put_trailer(endpoint, bucket, section % crc32(DATA).encode())
    assert (answer.status, answer.code, answer.message) == (400, "MalformedTrailerError", MALFORMED_TRAILER)


def test_what_follows_the_blank_line_after_the_trailers_is_ignored(endpoint: str, bucket: str) -> None:
    # swift: test_strm_unsgnd_pyld_trl_extra_line_then_trailer_ok, _with_trailer_extra_line_junk_ok
    section = f"x-amz-checksum-crc32: {crc32(DATA)}\r\n\r\nbonus: trailer\r\n\xff\xde".encode("latin-1")
    assert put_trailer(endpoint, bucket, section).status == 200


# --- F20: what x-amz-trailer may announce, and a trailer checksum's form ------------------------------


@pytest.mark.parametrize(
    "declared",
    ["foo", "content-md5", "x-amz-content-sha256", "x-amz-checksum-bad", "x-amz-checksum-crc32, x-amz-foo"],
)
def test_unsupported_trailer_announcement_is_invalid_request(
    endpoint: str, bucket: str, declared: str
) -> None:
    # swift: test_strm_unsgnd_pyld_trl_non_checksum_trailer, _unsupported_trailer_declared,
    # _content_sha256_in_trailer, _multiple_trailers_unsupported
    answer = put_trailer(endpoint, bucket, f"x-amz-checksum-crc32: {crc32(DATA)}\r\n".encode(), declared)
    assert (answer.status, answer.code, answer.message) == (400, "InvalidRequest", UNSUPPORTED_TRAILER)


def test_two_checksum_trailers_are_invalid_request(endpoint: str, bucket: str) -> None:
    # swift: test_strm_unsgnd_pyld_trl_multiple_checksum_trailers
    sha = base64.b64encode(hashlib.sha256(DATA).digest()).decode()
    section = f"x-amz-checksum-crc32: {crc32(DATA)}\r\nx-amz-checksum-sha256: {sha}\r\n".encode()
    answer = put_trailer(endpoint, bucket, section, "x-amz-checksum-crc32, x-amz-checksum-sha256")
    assert (answer.status, answer.code) == (400, "InvalidRequest")
    assert (
        answer.message
        == "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
    )


def test_trailer_checksum_that_is_no_base64_digest_is_invalid_request(endpoint: str, bucket: str) -> None:
    # swift: test_strm_unsgnd_pyld_trl_with_trailer_checksum_invalid
    answer = put_trailer(endpoint, bucket, b"x-amz-checksum-crc32: not-base-64\r\n")
    assert (answer.status, answer.code) == (400, "InvalidRequest")
    assert answer.message == "Value for x-amz-checksum-crc32 trailing header is invalid."
    assert b"not-base-64" not in answer.body


def test_trailing_commas_in_the_announcement_are_accepted(endpoint: str, bucket: str) -> None:
    # swift: test_strm_unsgnd_pyld_trl_with_commas_in_trailer_4, _with_comma_in_trailer_ok
    section = f"x-amz-checksum-crc32: {crc32(DATA)}\r\n".encode()
    assert put_trailer(endpoint, bucket, section, "x-amz-checksum-crc32,,").status == 200


@pytest.mark.parametrize(
    "declared",
    [
        ", x-amz-checksum-crc32, ,",
        ", x-amz-checksum-crc32",
        ",x-amz-checksum-crc32",
        "x-amz-checksum-crc32, ,",
    ],
)
def test_empty_item_in_the_raw_announcement_is_unsupported(declared: str) -> None:
    # swift: test_strm_unsgnd_pyld_trl_with_commas_in_trailer_1, _2, _3, _5 (the raw header value)
    with pytest.raises(ServiceError) as caught:
        AwsChunkedBody(PiecesBody(b""), trailer=True, trailer_header=declared)
    assert (caught.value.code, caught.value.status, caught.value.message) == (
        "InvalidRequest",
        400,
        UNSUPPORTED_TRAILER,
    )


@pytest.mark.parametrize(
    "declared", ["x-amz-checksum-crc32,,", "x-amz-checksum-crc32, ", " x-amz-checksum-crc32 "]
)
def test_trailing_commas_in_the_raw_announcement_are_accepted(declared: str) -> None:
    assert parse_trailer_header(declared) == ("x-amz-checksum-crc32",)
