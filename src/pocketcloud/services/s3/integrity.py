"""The integrity headers of an S3 request, as S3 reads them before it reads the body.

A request proves its body with Content-MD5, an `x-amz-checksum-<algorithm>` header, or an
`x-amz-checksum-<algorithm>` trailer it announces in `x-amz-trailer` (an aws-chunked body).
`x-amz-sdk-checksum-algorithm` only names the algorithm the SDK used: "When you send this header,
there must be a corresponding x-amz-checksum-algorithm or x-amz-trailer header sent. Otherwise,
Amazon S3 fails the request with the HTTP status code 400 Bad Request" (PutObject, DeleteObjects, ...
API references); one that names no algorithm, or another than the checksum sent, is refused too
(`check_sdk_algorithm`).

Some requests must carry such a proof: the operations whose model says httpChecksumRequired
(DeleteObjects, PutObjectLockConfiguration, PutObjectRetention, PutObjectLegalHold) and writes
under Object Lock parameters. The digests of an object's or a part's body are verified as it is
stored (`bodies.store_body`); those of a configuration or request document (an XML or policy body
the parser has read whole) by `check_document_digests`, before the operation runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache

from pocketcloud.auth import checksums
from pocketcloud.auth.errors import malformed_trailer, single_checksum_expected
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.services.s3.bodies import (
    checked_checksum,
    checksum_mismatch,
    content_md5_digest,
    md5_mismatch,
)


def _checksum_algorithms(headers: Mapping[str, str]) -> list[str]:
    """The algorithms of the request's `x-amz-checksum-<algorithm>` headers and announced trailer
    (not x-amz-checksum-type, -algorithm or -mode, which name no value)."""
    found = checksums.header_algorithms(headers)
    if _is_streaming(headers):  # only an aws-chunked body has trailers
        trailer = checksums.algorithm_of_header(headers.get("x-amz-trailer", "").strip())
        if trailer:
            found.append(trailer)
    return found


def _is_streaming(headers: Mapping[str, str]) -> bool:
    return headers.get("x-amz-content-sha256", "").startswith("STREAMING-")


def _trailer_algorithms(headers: Mapping[str, str]) -> list[str]:
    """The algorithms of the x-amz-checksum-* names x-amz-trailer lists, a name listed twice twice."""
    trailer = headers.get("x-amz-trailer")
    if not trailer:
        return []
    names = (name.strip() for name in trailer.split(","))
    return [algorithm for algorithm in map(checksums.algorithm_of_header, names) if algorithm]


def check_checksum_declarations(headers: Mapping[str, str]) -> None:
    """A request declares at most one checksum: two x-amz-checksum-* headers, or an x-amz-trailer listing
    two, are "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.", and
    a header beside an announced trailer "Expecting a single x-amz-checksum- header"; both before the
    SDK's algorithm is compared with them ("repeats trump the algo mismatch"). Then an x-amz-trailer on
    a body that is not aws-chunked, which can have no trailer, is MalformedTrailerError. As OpenStack
    Swift's test/s3api/test_input_errors.py records AWS: test_no_md5_good_sha_multiple_crc_in_headers_algo_mismatch,
    _same_crc_in_trailer_and_header, _different_crc_in_trailer_and_header, _multiple_crc_in_trailer_and_header,
    _duplicated_crc_in_trailer_algo_mismatch and _crc_in_trailer_but_not_streaming."""
    in_headers = checksums.header_algorithms(headers)
    in_trailer = _trailer_algorithms(headers)
    if len(in_headers) > 1 or len(in_trailer) > 1:
        raise single_checksum_expected()
    if in_headers and in_trailer:
        raise single_checksum_expected(multiple_types=False)
    if headers.get("x-amz-trailer", "").strip() and not _is_streaming(headers):
        raise malformed_trailer()


def check_sdk_algorithm(headers: Mapping[str, str]) -> None:
    """An x-amz-sdk-checksum-algorithm must name an algorithm S3 has (in any case) and come with the
    checksum of that algorithm (`headers`: lower-cased). A value that names none, or another algorithm
    than the checksum sent, is S3's 400 InvalidRequest "Value for x-amz-sdk-checksum-algorithm header
    is invalid.", not the BadDigest the API references describe: AWS's answer as OpenStack Swift's
    s3api tests record it against AWS (test/s3api/test_object_checksums.py) and versity/versitygw#1598.
    The checksums the request declares are checked first (`check_checksum_declarations`)."""
    check_checksum_declarations(headers)
    named = headers.get(checksums.SDK_ALGORITHM_HEADER)
    if named is None:
        return
    algorithm = named.strip().lower()
    if algorithm not in checksums.ALGORITHMS:
        raise _invalid_sdk_algorithm()
    sent = _checksum_algorithms(headers)
    if not sent:
        raise ServiceError(
            "InvalidRequest",
            "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer "
            "headers were found.",
            status=400,
        )
    if algorithm not in sent:
        raise _invalid_sdk_algorithm()


def _invalid_sdk_algorithm() -> ServiceError:
    return ServiceError("InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.", status=400)


def proves_integrity(headers: Mapping[str, str]) -> bool:
    """Whether the request carries a digest of its body S3 can verify: Content-MD5, or a checksum
    in a header or an announced trailer (x-amz-content-sha256 does not count)."""
    return "content-md5" in headers or bool(_checksum_algorithms(headers))


def require_integrity(headers: Mapping[str, str], error: ServiceError) -> None:
    """Refuse with `error` a request that must prove its body's integrity and does not."""
    if not proves_integrity(headers):
        raise error


# The document operations whose x-amz-checksum-* is not their body's: CompleteMultipartUpload's is the
# checksum of the object it completes (multipart.py checks it). Its Content-MD5 is its body's all the same.
_CHECKSUMS_NOT_OF_BODY = frozenset({"CompleteMultipartUpload"})


@cache
def _document_operations() -> frozenset[str]:
    """The operations whose body is a document read whole (an XML structure or a policy), not streamed."""
    model = service_model("s3")
    found = set()
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        payload = shape.serialization.get("payload") if shape is not None else None
        if payload is None or shape is None:
            continue
        member = shape.members[payload]
        if member.type_name in ("structure", "string") and not member.serialization.get("streaming"):
            found.add(name)
    return frozenset(found)


@cache
def _checksum_operations() -> frozenset[str]:
    """The operations that take a flexible checksum of their body (the model's httpChecksum names a
    request algorithm member or requires a checksum): PutObject, UploadPart and the document operations."""
    model = service_model("s3")
    return frozenset(
        name
        for name in model.operation_names
        if {"requestAlgorithmMember", "requestChecksumRequired"} & set(model.operation_model(name).http_checksum)
    )


# The x-amz-checksum-* headers that carry no checksum of their own.
_NOT_CHECKSUMS = frozenset(("x-amz-checksum-type", "x-amz-checksum-mode", "x-amz-checksum-algorithm"))


def check_checksum_names(operation: str, headers: Mapping[str, str]) -> None:
    """An x-amz-checksum-<algorithm> header of an operation that takes a checksum of its body must name an
    algorithm S3 has: S3 answers 400 InvalidRequest "The algorithm type you specified in x-amz-checksum-
    header is invalid." to one that does not (x-amz-checksum-sha256a sent to S3, versity/versitygw#1104)."""
    if operation not in _checksum_operations():
        return
    for name in headers:
        if name.startswith("x-amz-checksum-") and name not in _NOT_CHECKSUMS and not checksums.algorithm_of_header(name):
            raise ServiceError(
                "InvalidRequest", "The algorithm type you specified in x-amz-checksum- header is invalid.", status=400
            )


def check_document_digests(operation: str, headers: Mapping[str, str], body: bytes | None) -> None:
    """Verify the Content-MD5 and x-amz-checksum-* headers of a request whose body is a document
    against that body, as S3 does (400 InvalidDigest / InvalidRequest for a value that is no digest,
    400 BadDigest for one that does not match). First, for any operation that takes a checksum of its
    body, a document or not, refuse an x-amz-checksum-* header that names no algorithm (`check_checksum_names`)."""
    check_checksum_names(operation, headers)
    if body is None or operation not in _document_operations():
        return
    _check_document_md5(headers, body)
    if operation not in _CHECKSUMS_NOT_OF_BODY:
        _check_document_checksums(headers, body)


def _check_document_md5(headers: Mapping[str, str], body: bytes) -> None:
    """Content-MD5 against a document, CompleteMultipartUpload's too (OpenStack Swift's test_input_errors.py,
    test_bad_md5_good_sha_good_crc_header_mpu, recorded against AWS: BadDigest, its ExpectedDigest in base64)."""
    sent = headers.get("content-md5")
    expected = content_md5_digest(sent)
    if sent is None or expected is None:
        return
    calculated = hashlib.md5(body).digest()
    if calculated != expected:
        raise md5_mismatch(sent, calculated)


def _check_document_checksums(headers: Mapping[str, str], body: bytes) -> None:
    for name, value in headers.items():
        algorithm = checksums.algorithm_of_header(name)
        hasher = checksums.new_checksum(algorithm) if algorithm else None
        if algorithm is None or hasher is None:
            continue
        claimed = checked_checksum(algorithm.upper(), value)
        hasher.update(body)
        if checksums.b64(hasher.digest()) != claimed:
            raise checksum_mismatch(algorithm.upper())
