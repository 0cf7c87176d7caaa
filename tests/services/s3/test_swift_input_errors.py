"""S3's answers to bad integrity input as OpenStack Swift's test/s3api suite records them against AWS
(test_input_errors.py, test_versioning.py, test_mpu.py): which error wins when several headers are
wrong, how BadDigest names the digest it expected, how x-amz-trailer and x-amz-checksum-* may be
combined, and how x-amz-content-sha256 is read when no SigV4 Authorization header signs the request
(a presigned SigV4 URL, SigV2 in the header or the query)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
import zlib
from email.utils import formatdate
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from tests.conftest import ROOT_KEY, ROOT_SECRET
from tests.raw_http import REGION, UNSIGNED, error_code, error_message, exchange, signed_head, signed_request
from tests.services.s3.access_support import http
from tests.services.s3.core_support import error_of

BODY = b"0123456789abcdef0123456789abcdef"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
SHA256_MISMATCH = "The provided 'x-amz-content-sha256' header does not match what was computed."
SINGLE_CHECKSUM = "Expecting a single x-amz-checksum- header"
MULTIPLE_TYPES = SINGLE_CHECKSUM + ". Multiple checksum Types are not allowed."


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def _crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def _field(answer: bytes, name: str) -> str | None:
    match = re.search(rb"<%s>([^<]*)</%s>" % (name.encode(), name.encode()), answer)
    return match.group(1).decode() if match else None


def _send(endpoint: str, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    lines = [f"{method} {target} HTTP/1.1", f"host: {urlsplit(endpoint).netloc}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"content-length: {len(body)}")
    status, _, answer = exchange(endpoint, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    return status, answer


# --- the three ways to sign a request without a SigV4 Authorization header ------------------------


def _presigned_v4(endpoint: str, method: str, path: str, headers: dict[str, str]) -> str:
    """The target of a SigV4 presigned URL that signs `headers` (x-amz-content-sha256 among them, its
    value ending the canonical request, as swift's S3SessionV4Query signs it)."""
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
    signed = {"host": urlsplit(endpoint).netloc, **{k.lower(): v for k, v in headers.items()}}
    names = sorted(signed)
    query = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": quote(f"{ROOT_KEY}/{scope}", safe=""),
        "X-Amz-Date": amz_date,
        "X-Amz-Expires": "300",
        "X-Amz-SignedHeaders": quote(";".join(names), safe=""),
    }
    canonical_query = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
    canonical = "\n".join(
        [
            method,
            path,
            canonical_query,
            "".join(f"{n}:{signed[n]}\n" for n in names),
            ";".join(names),
            signed.get("x-amz-content-sha256", UNSIGNED),
        ]
    )
    to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = f"AWS4{ROOT_SECRET}".encode()
    for part in (amz_date[:8], REGION, "s3", "aws4_request"):
        key = hmac.digest(key, part.encode(), "sha256")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{path}?{canonical_query}&X-Amz-Signature={signature}"


def _sigv2_signature(method: str, path: str, headers: dict[str, str], date: str) -> str:
    lowered = {k.lower(): v for k, v in headers.items()}
    amz = "".join(f"{n}:{lowered[n]}\n" for n in sorted(lowered) if n.startswith("x-amz-"))
    to_sign = f"{method}\n{lowered.get('content-md5', '')}\n{lowered.get('content-type', '')}\n{date}\n{amz}{path}"
    return base64.b64encode(hmac.digest(ROOT_SECRET.encode(), to_sign.encode(), "sha1")).decode()


def put_presigned_v4(endpoint: str, path: str, headers: dict[str, str], body: bytes = BODY) -> tuple[int, bytes]:
    return _send(endpoint, "PUT", _presigned_v4(endpoint, "PUT", path, headers), headers, body)


def put_sigv2_header(endpoint: str, path: str, headers: dict[str, str], body: bytes = BODY) -> tuple[int, bytes]:
    date = formatdate(usegmt=True)
    signature = _sigv2_signature("PUT", path, headers, date)
    return _send(endpoint, "PUT", path, {**headers, "date": date, "authorization": f"AWS {ROOT_KEY}:{signature}"}, body)


def put_sigv2_query(endpoint: str, path: str, headers: dict[str, str], body: bytes = BODY) -> tuple[int, bytes]:
    expires = str(int(time.time()) + 300)
    signature = quote(_sigv2_signature("PUT", path, headers, expires), safe="")
    target = f"{path}?AWSAccessKeyId={ROOT_KEY}&Expires={expires}&Signature={signature}"
    return _send(endpoint, "PUT", target, headers, body)


def put_sigv4_header(endpoint: str, path: str, headers: dict[str, str], body: bytes = BODY) -> tuple[int, bytes]:
    """A PUT whose SigV4 Authorization header signs x-amz-content-sha256 as `headers` give it (else the body's)."""
    extra = {k: v for k, v in headers.items() if k != "x-amz-content-sha256"}
    payload = headers.get("x-amz-content-sha256", hashlib.sha256(body).hexdigest())
    head, _ = signed_head(endpoint, "PUT", path, "s3", payload, extra)
    status, _, answer = exchange(endpoint, head + f"content-length: {len(body)}\r\n\r\n".encode() + body)
    return status, answer


NOT_V4_HEADER = [put_presigned_v4, put_sigv2_header, put_sigv2_query]
EVERY_AUTH = [put_sigv4_header, *NOT_V4_HEADER]


# --- ListObjectVersions and GetObject ---------------------------------------------------------------


def test_a_bogus_version_id_marker_after_an_empty_key_marker_is_an_invalid_version_id(
    s3: Any, versioned_bucket: str
) -> None:
    # swift's test_versioning.py test_get_versioned_object_invalid_params: key-marker= (empty) counts as
    # a key marker; only with none at all is the version-id marker refused for want of one.
    assert error_of(s3.list_object_versions, Bucket=versioned_bucket, KeyMarker="", VersionIdMarker="bogus") == (
        "InvalidArgument",
        400,
        "Invalid version id specified",
    )
    assert error_of(s3.list_object_versions, Bucket=versioned_bucket, VersionIdMarker="a" * 32) == (
        "InvalidArgument",
        400,
        "A version-id marker cannot be specified without a key marker.",
    )


def test_a_range_with_part_number_zero_is_the_range_conflict_not_a_bad_part_number(s3: Any, bucket: str) -> None:
    # swift's test_mpu.py test_get_object_partNumber_and_range: "partNumber + Range error trumps bad partNumber".
    s3.put_object(Bucket=bucket, Key="k", Body=b"non-mpu-object")
    assert error_of(s3.get_object, Bucket=bucket, Key="k", PartNumber=0, Range="bytes=1-2") == (
        "InvalidRequest",
        400,
        "Cannot specify both Range header and partNumber query parameter",
    )


# --- Content-MD5 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("put", EVERY_AUTH, ids=lambda f: f.__name__)
def test_a_put_object_bad_digest_names_the_expected_md5_in_hex(endpoint: str, bucket: str, put: Any) -> None:
    # swift's test_bad_md5_good_sha / test_bad_md5_no_sha: hex for an object, base64 as sent for a document.
    headers = {"content-md5": _md5(b""), "x-amz-content-sha256": hashlib.sha256(BODY).hexdigest()}
    status, answer = put(endpoint, f"/{bucket}/k", headers)
    assert (status, error_code(answer), error_message(answer)) == (
        400,
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
    )
    assert _field(answer, "ExpectedDigest") == hashlib.md5(b"").hexdigest()
    assert _field(answer, "CalculatedDigest") == _md5(BODY)


def test_complete_multipart_upload_checks_its_content_md5(endpoint: str, s3: Any, bucket: str) -> None:
    # swift's test_bad_md5_good_sha_good_crc_header_mpu: BadDigest, ExpectedDigest in base64; the upload
    # stays open and completes with the right digest.
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mpu")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mpu", UploadId=upload, PartNumber=1, Body=b"x" * 1024)["ETag"]
    body = (
        '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        f"<Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    ).encode()
    target = f"/{bucket}/mpu?uploadId={upload}"
    wrong = {"content-md5": _md5(b"not the body"), "x-amz-checksum-crc32": _crc32(body)}
    status, _, answer = exchange(endpoint, signed_request(endpoint, "POST", target, "s3", body, wrong))
    assert (status, error_code(answer), error_message(answer)) == (
        400,
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
    )
    assert _field(answer, "ExpectedDigest") == _md5(b"not the body")
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="mpu", UploadId=upload)["Parts"]] == [1]
    right = {"content-md5": _md5(body)}
    status, _, answer = exchange(endpoint, signed_request(endpoint, "POST", target, "s3", body, right))
    assert status == 200, answer


@pytest.mark.parametrize(
    ("put", "sha256"),
    [(put_sigv4_header, EMPTY_SHA256), (put_presigned_v4, EMPTY_SHA256), (put_presigned_v4, "invalid")],
    ids=["sigv4-header-bad-sha", "presigned-bad-sha", "presigned-invalid-sha"],
)
def test_a_malformed_content_md5_wins_over_a_sha256_problem(endpoint: str, bucket: str, put: Any, sha256: str) -> None:
    # swift's test_invalid_md5_bad_sha (TestV4AuthHeaders, TestV4AuthQuery), test_invalid_md5_invalid_sha (TestV4AuthQuery).
    status, answer = put(endpoint, f"/{bucket}/k", {"content-md5": "invalid", "x-amz-content-sha256": sha256})
    assert (status, error_code(answer), error_message(answer)) == (
        400,
        "InvalidDigest",
        "The Content-MD5 you specified was invalid.",
    )


# --- x-amz-checksum-* and x-amz-trailer -------------------------------------------------------------


@pytest.mark.parametrize("put", EVERY_AUTH, ids=lambda f: f.__name__)
def test_a_trailer_announced_on_a_body_that_is_not_aws_chunked_is_a_malformed_trailer(
    endpoint: str, bucket: str, put: Any
) -> None:
    # swift's test_no_md5_good_sha_crc_in_trailer_but_not_streaming.
    headers = {
        "x-amz-sdk-checksum-algorithm": "crc32",
        "x-amz-content-sha256": hashlib.sha256(BODY).hexdigest(),
        "x-amz-trailer": "x-amz-checksum-crc32",
    }
    status, answer = put(endpoint, f"/{bucket}/k", headers)
    assert (status, error_code(answer), error_message(answer)) == (
        400,
        "MalformedTrailerError",
        "The request contained trailing data that was not well-formed or did not conform to our published schema.",
    )


@pytest.mark.parametrize(
    ("trailer", "message"),
    [
        ("x-amz-checksum-crc32", SINGLE_CHECKSUM),
        ("x-amz-checksum-crc32c", SINGLE_CHECKSUM),
        ("x-amz-checksum-crc32, x-amz-checksum-crc32c", MULTIPLE_TYPES),
    ],
    ids=["same-algorithm", "another-algorithm", "two-trailers"],
)
def test_a_checksum_header_beside_an_announced_trailer_is_refused(
    endpoint: str, bucket: str, trailer: str, message: str
) -> None:
    # swift's test_no_md5_good_sha_same_crc_in_trailer_and_header, _different_crc_in_trailer_and_header,
    # _multiple_crc_in_trailer_and_header.
    headers = {
        "x-amz-sdk-checksum-algorithm": "crc32",
        "x-amz-content-sha256": hashlib.sha256(BODY).hexdigest(),
        "x-amz-checksum-crc32": _crc32(BODY),
        "x-amz-trailer": trailer,
    }
    status, answer = put_sigv4_header(endpoint, f"/{bucket}/k", headers)
    assert (status, error_code(answer), error_message(answer)) == (400, "InvalidRequest", message)


@pytest.mark.parametrize(
    "declared",
    [
        {"x-amz-checksum-crc32c": _crc32(BODY), "x-amz-checksum-crc32": _crc32(BODY)},
        {"x-amz-checksum-crc32": _crc32(BODY), "x-amz-trailer": "x-amz-checksum-crc32, x-amz-checksum-crc32"},
    ],
    ids=["two-headers", "header-and-repeated-trailer"],
)
def test_several_checksums_win_over_a_mismatching_sdk_algorithm(
    endpoint: str, bucket: str, declared: dict[str, str]
) -> None:
    # swift's test_no_md5_good_sha_multiple_crc_in_headers_algo_mismatch and
    # _duplicated_crc_in_trailer_algo_mismatch: "repeats trump the algo mismatch".
    headers = {"x-amz-sdk-checksum-algorithm": "sha256", "x-amz-content-sha256": hashlib.sha256(BODY).hexdigest()}
    status, answer = put_sigv4_header(endpoint, f"/{bucket}/k", {**headers, **declared})
    assert (status, error_code(answer), error_message(answer)) == (400, "InvalidRequest", MULTIPLE_TYPES)


# --- x-amz-content-sha256 without a SigV4 Authorization header ----------------------------------------


@pytest.mark.parametrize("put", NOT_V4_HEADER, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "stated", ["invalid", "INVALID", "unsigned-payload", EMPTY_SHA256.upper(), "STREAMING-UNSIGNED-PAYLOAD-TRAILER"]
)
def test_a_stated_sha256_of_any_form_is_held_against_the_body(
    endpoint: str, s3: Any, bucket: str, put: Any, stated: str
) -> None:
    # swift's test_no_md5_invalid_sha, _invalid_sha_ucase, _unsigned_lcase, _bad_sha_ucase and
    # NotV4AuthHeadersMixin's test_strm_unsgnd_pyld_trl_not_encoded (TestV4AuthQuery, TestV2AuthHeaders,
    # TestV2AuthQuery): no format check, no STREAMING-* decoding, the value echoed as sent.
    headers = {"x-amz-content-sha256": stated, "x-amz-decoded-content-length": str(len(BODY))}
    status, answer = put(endpoint, f"/{bucket}/k", headers)
    assert (status, error_code(answer), error_message(answer)) == (400, "XAmzContentSHA256Mismatch", SHA256_MISMATCH)
    assert _field(answer, "ClientComputedContentSHA256") == stated
    assert _field(answer, "S3ComputedContentSHA256") == hashlib.sha256(BODY).hexdigest()
    assert error_of(s3.head_object, Bucket=bucket, Key="k")[1] == 404


@pytest.mark.parametrize("put", NOT_V4_HEADER, ids=lambda f: f.__name__)
def test_a_streamed_body_echoes_the_stated_sha256_as_sent(endpoint: str, bucket: str, put: Any) -> None:
    # A body over 1 MiB is hashed as it streams (auth/chunked.py PayloadHashBody): the stated value is
    # still echoed as sent, an upper-case digest upper-case (swift's test_no_md5_bad_sha_ucase).
    body = b"x" * (1024 * 1024 + 1)
    stated = EMPTY_SHA256.upper()
    status, answer = put(endpoint, f"/{bucket}/big", {"x-amz-content-sha256": stated}, body)
    assert (status, error_code(answer)) == (400, "XAmzContentSHA256Mismatch")
    assert _field(answer, "ClientComputedContentSHA256") == stated


@pytest.mark.parametrize("put", NOT_V4_HEADER, ids=lambda f: f.__name__)
def test_a_sha256_mismatch_wins_over_a_wrong_content_md5(endpoint: str, bucket: str, put: Any) -> None:
    # swift's test_bad_md5_invalid_sha: "mismatched sha256 trumps".
    status, answer = put(endpoint, f"/{bucket}/k", {"content-md5": _md5(b""), "x-amz-content-sha256": "invalid"})
    assert (status, error_code(answer)) == (400, "XAmzContentSHA256Mismatch")
    assert _field(answer, "ClientComputedContentSHA256") == "invalid"


@pytest.mark.parametrize("put", NOT_V4_HEADER, ids=lambda f: f.__name__)
def test_a_streaming_payload_of_another_length_than_declared_is_an_incomplete_body(
    endpoint: str, bucket: str, put: Any
) -> None:
    # NotV4AuthHeadersMixin's test_strm_unsgnd_pyld_trl_no_trailer: an aws-chunked body is not decoded,
    # so its framing makes it longer than x-amz-decoded-content-length.
    framed = b"%x\r\n%s0\r\n" % (len(BODY), BODY)
    headers = {
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(BODY)),
    }
    status, answer = put(endpoint, f"/{bucket}/k", headers, framed)
    assert (status, error_code(answer), error_message(answer)) == (
        400,
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header",
    )
    assert (_field(answer, "NumberBytesExpected"), _field(answer, "NumberBytesProvided")) == (
        str(len(BODY)),
        str(len(framed)),
    )


def test_a_presigned_get_or_head_is_served_whatever_its_sha256_says(endpoint: str, s3: Any, bucket: str) -> None:
    # swift's test_get_object_invalid_sha and test_head_object_invalid_sha (TestV4AuthQuery).
    s3.put_object(Bucket=bucket, Key="k", Body=BODY)
    headers = {"x-amz-content-sha256": "invalid"}
    for method, expected in (("GET", BODY), ("HEAD", b"")):
        url = endpoint + _presigned_v4(endpoint, method, f"/{bucket}/k", headers)
        status, answer, _ = http(method, url, headers=headers)
        assert (status, answer) == (200, expected)


@pytest.mark.parametrize("put", NOT_V4_HEADER, ids=lambda f: f.__name__)
def test_an_unsigned_payload_or_the_body_sha256_is_still_taken(endpoint: str, s3: Any, bucket: str, put: Any) -> None:
    for stated in (UNSIGNED, hashlib.sha256(BODY).hexdigest().upper()):
        status, answer = put(endpoint, f"/{bucket}/k", {"x-amz-content-sha256": stated})
        assert status == 200, answer
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == BODY


def test_a_checksum_mode_other_than_enabled_is_refused(s3: Any, bucket: str) -> None:
    # open-io/swift's test_full_content_*_checksum_mode_invalid (test_object_checksums.py, run against AWS):
    # GET is InvalidRequest, HEAD a bare 400; "enabled" in any case is taken (AWS's CRT client sends it so).
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert error_of(s3.get_object, Bucket=bucket, Key="k", ChecksumMode="INVALID") == (
        "InvalidRequest", 400, "Value for x-amz-checksum-mode header is invalid.")
    assert error_of(s3.head_object, Bucket=bucket, Key="k", ChecksumMode="INVALID")[1] == 400
    assert s3.head_object(Bucket=bucket, Key="k", ChecksumMode="enabled")["ContentLength"] == 1
