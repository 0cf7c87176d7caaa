"""Multipart uploads: create, upload parts (and copies of ranges), complete, abort, list.

Parts are blobs of their own, all encrypted under the upload's data key;
completing an upload joins them into one blob (in a worker thread, so the
server keeps answering) before the object is recorded, and only then are the
parts removed.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from typing import Any
from urllib.parse import quote

from pocketcloud.auth import checksums
from pocketcloud.auth.errors import single_checksum_expected
from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.parsers.rest import virtual_host_bucket
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.s3.bodies import (
    CHECKSUM_MEMBERS,
    is_checksum_digest,
    join_blobs,
    read_blob,
    store_body,
    unsupported_algorithm,
)
from pocketcloud.services.s3.completions import Completions, store_completion, stored_completion
from pocketcloud.services.s3.directory_buckets import is_directory_bucket
from pocketcloud.services.s3.encryption import MissingCustomerKey, Seal, customer_key
from pocketcloud.services.s3.errors import (
    invalid_argument,
    invalid_request,
    malformed_xml,
    method_not_allowed,
    no_such_upload,
)
from pocketcloud.services.s3.listing import (
    _AFTER_ALL,
    _SCAN_BATCH,
    _check_encoding,
    _encode,
    page_size,
    part_number_marker,
)
from pocketcloud.services.s3.object_copy import check_copy_size
from pocketcloud.services.s3.objects import (
    check_body_framing,
    check_body_size,
    etag_of_body,
    parse_tagging_header,
)
from pocketcloud.services.s3.protection import check_object_lock_integrity, refuse_if_sse_c_blocked
from pocketcloud.services.s3.state import S3State, bucket_scope, now, owner
from pocketcloud.services.s3.upload_ids import (
    new_upload_id,
    order_key,
    rank_of_upload_id,
    upload_order_entry,
    upload_rank,
)

Params = dict[str, Any]
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_NUMBER = 10000
# Which algorithms each checksum type of a whole upload can use: only CRCs combine into a
# checksum of the full object; COMPOSITE is a checksum of the parts' checksums, of any algorithm
# but CRC64NVME (the hashes, SHA1 to the XXHashes S3 added in 2026, cannot be combined: COMPOSITE
# only). An upload naming no type gets FULL_OBJECT for CRC64NVME, COMPOSITE for the others.
_CHECKSUM_TYPES = {
    "FULL_OBJECT": ("CRC32", "CRC32C", "CRC64NVME"),
    "COMPOSITE": tuple(name for name in CHECKSUM_MEMBERS if name != "CRC64NVME"),
}
_DEFAULT_CHECKSUM_TYPE = {name: "FULL_OBJECT" if name == "CRC64NVME" else "COMPOSITE" for name in CHECKSUM_MEMBERS}


def _check_part_algorithm(upload: Params, p: Params) -> Params:
    """A part of an upload created with a checksum algorithm must carry a checksum of that algorithm,
    unless the upload's checksum is of the FULL_OBJECT type: a part sent with none then gets the one
    S3 computes (the params to store it with), and only a checksum of another algorithm is refused."""
    expected = (upload.get("ChecksumAlgorithm") or "").upper()
    if not expected:
        return p
    named = {name for name, member in CHECKSUM_MEMBERS.items() if p.get(member)}
    named.update(
        str(value).upper()
        for value in (p.get("ChecksumAlgorithm"), getattr(p.get("Body"), "checksum_algorithm", None))
        if value
    )
    if not named and upload.get("ChecksumType") == "FULL_OBJECT":
        return {**p, "ChecksumAlgorithm": expected}
    if expected not in named:
        actual = min(named).lower() if named else "null"
        raise invalid_request(
            f"Checksum Type mismatch occurred, expected checksum Type: {expected.lower()}, "
            f"actual checksum Type: {actual}"
        )
    return p


def _check_complete_checksum_type(upload: Params, stated_type: str) -> None:
    """The x-amz-checksum-type of a CompleteMultipartUpload lets the client verify the upload's
    checksum type, the one fixed at CreateMultipartUpload: another one is refused (versitygw's
    CompleteMultipartUpload_checksum_type_mismatch, as recorded against S3). An upload created
    without an algorithm has no type recorded, and no recorded S3 answer shows a refusal then
    (versitygw's own gateway refuses it naming a "null" mode, untested against S3): any valid type
    is taken."""
    own_type = upload.get("ChecksumType")
    if stated_type and own_type and stated_type != own_type:
        raise invalid_request(
            f"The upload was created using the {own_type} checksum mode. "
            "The complete request must use the same checksum mode."
        )


def _check_complete_checksum_headers(p: Params) -> None:
    """The x-amz-checksum-<algorithm> headers of a CompleteMultipartUpload, judged before its part list
    is (versitygw's CompleteMultipartUpload_multiple_final_checksums and
    CompleteMultipartUpload_invalid_final_checksums, recorded against S3, list parts that would be
    refused themselves): two of them are refused as on PutObject, whatever their values; one is the
    digest in canonical base64, whole ("ImIEBA==") or followed by the count of parts of a COMPOSITE
    checksum ("ImIEBA==-3"). Anything else, "ImIEBA==-smth", "AQIDBA==-12a", "...=-10-20" or "...=--3"
    (versitygw's CompleteMultipartUpload_invalid_final_composite_checksum) or base64 that is no digest
    of the algorithm's (open-io/swift's test_mpu_complete_invalid_checksum and
    test_mpu_complete_good_checksum_with_invalid_part_number, run against AWS), is an invalid header
    value; a well-formed one that does not match is BadDigest once the parts are joined."""
    sent = {name: p[member] for name, member in CHECKSUM_MEMBERS.items() if p.get(member) is not None}
    if len(sent) > 1:
        raise single_checksum_expected()
    for name, value in sent.items():
        # Base64 has no "-", so the first one starts the part count. A count of 0 or none is no count.
        digest, dash, count = str(value).partition("-")
        if not is_checksum_digest(name, digest) or (dash and not (is_digits(count) and int(count) > 0)):
            raise invalid_request(f"Value for x-amz-checksum-{name.lower()} header is invalid.")


def _check_part_checksums(upload: Params, item: Params, number: int) -> None:
    """The checksums a <Part> of a CompleteMultipartUpload names, judged before the part is looked up.
    More than one, or one that is no digest of its algorithm in canonical base64, is InvalidArgument
    naming them all (versitygw's CompleteMultipartUpload_invalid_checksum_part and
    CompleteMultipartUpload_multiple_checksum_part; ArgumentName and ArgumentValue as open-io/swift's
    test_mpu_complete_invalid_part_checksum, run against AWS, expects them: "Checksum", "CRC32:y/Q5Jh==;",
    several ones so too, in the alphabetical order of their algorithms, as Swift's s3api lists them).
    In an upload created with an algorithm, a checksum of another one is BadDigest naming the part
    (versitygw's CompleteMultipartUpload_different_checksum_part; Swift's s3api answers the same). One of
    the right algorithm that is not the part's stays an InvalidPart, as is one named in an upload
    created without an algorithm (versitygw's CompleteMultipartUpload_incorrect_checksum_part,
    swift's test_mpu_complete_bad_part_checksum, LocalStack's test_complete_multipart_parts_checksum)."""
    named = {name: item[member] for name, member in CHECKSUM_MEMBERS.items() if item.get(member)}
    if len(named) > 1 or not all(is_checksum_digest(name, str(value)) for name, value in named.items()):
        raise invalid_argument(
            "Invalid Base64 or multiple checksums present in request",
            "Checksum",
            "".join(f"{name}:{value};" for name, value in sorted(named.items())),
        )
    expected = (upload.get("ChecksumAlgorithm") or "").upper()
    if expected and named and expected not in named:
        raise ServiceError(
            "BadDigest",
            f"The {next(iter(named)).lower()} you specified for part {number} did not match what we received.",
            status=400,
        )


def _multipart_etag(part_etags: list[str]) -> str:
    """S3's ETag of a multipart object: the MD5 of its parts' MD5s, then "-" and their count."""
    md5s = b"".join(bytes.fromhex(etag.strip('"')) for etag in part_etags)
    return f'"{hashlib.md5(md5s).hexdigest()}-{len(part_etags)}"'


def _same_completion(recalled: Params, p: Params, current: Params | None) -> bool:
    """Whether a CompleteMultipartUpload of a completed upload is a retry of that completion: it
    names the same parts (so would make the same ETag), and the object it made is still the key's
    current one. Else S3 answers NoSuchUpload (completions.py)."""
    named = [str(part.get("ETag") or "") for part in (p.get("MultipartUpload") or {}).get("Parts") or []]
    try:
        same_parts = _multipart_etag(named) == recalled["ETag"]
    except ValueError:  # an ETag that is no MD5 names no part of it
        return False
    if not same_parts or current is None or current.get("ETag") != recalled["ETag"]:
        return False
    return "VersionId" not in recalled or current.get("VersionId") == recalled["VersionId"]


def _claim_mismatch(algorithm: str) -> ServiceError:
    # Lower case here, unlike PutObject's (open-io/swift's test_mpu_complete_bad_checksum, run against AWS).
    return ServiceError(
        "BadDigest", f"The {algorithm.lower()} you specified did not match the calculated checksum.", status=400
    )


def _check_claim_against_named_parts(upload: Params, p: Params, requested: list[Params]) -> None:
    """A COMPOSITE checksum claimed on completion is checked against the checksums the request names
    for its parts, before the parts are looked up: a part checksum that is wrong beside a claim is
    BadDigest (open-io/swift's test_mpu_complete_bad_part_checksum_good_global_checksum, run against
    AWS); without a claim it is InvalidPart, once the part is looked up."""
    algorithm = (upload.get("ChecksumAlgorithm") or "").upper()
    member = CHECKSUM_MEMBERS.get(algorithm)
    if member is None or not p.get(member) or upload.get("ChecksumType") != "COMPOSITE":
        return
    claimed = p[member]
    if not all(item.get(member) for item in requested):
        return
    combined = checksums.new_checksum(algorithm)
    if combined is None:
        return
    for item in requested:
        combined.update(base64.b64decode(item[member]))
    if str(claimed).split("-", 1)[0] != checksums.b64(combined.digest()):
        raise _claim_mismatch(algorithm)


def _part_key(upload_id: str, number: int) -> str:
    return f"{upload_id}\0{number:05d}"


class MultipartOperations:
    s3: S3State
    completions: Completions

    def _upload(self, bucket: str, key: str, upload_id: str) -> Params:
        upload = self.s3.uploads.get(bucket_scope(bucket), upload_id)
        if upload is None or upload["Key"] != key:
            raise no_such_upload(upload_id)
        return upload

    def _parts(self, bucket: str, upload_id: str) -> list[Params]:
        return [doc for _, doc in self.s3.parts.scan(bucket_scope(bucket), prefix=upload_id + "\0")]

    def CreateMultipartUpload(self, ctx: RequestContext, p: Params) -> Params:
        bucket_doc = self.s3.bucket(p["Bucket"])
        rank = self.s3.next_rank()  # a key's uploads list in the order they were started
        upload_id = new_upload_id(p["Key"], rank)
        record = self._record_from_params(ctx, p["Key"], p)  # type: ignore[attr-defined]
        tags = parse_tagging_header(p.get("Tagging"))
        if tags:
            record["Tags"] = tags
        self.apply_encryption(ctx, bucket_doc, record, p)  # type: ignore[attr-defined]
        self.apply_object_lock(bucket_doc, record, p)  # type: ignore[attr-defined]
        self.apply_acl(ctx, bucket_doc, record, p)  # type: ignore[attr-defined]
        # Read without regard to case, as the type below; kept and answered in S3's spelling (CRC32).
        algorithm = (p.get("ChecksumAlgorithm") or "").upper() or None
        if algorithm and "," in algorithm:  # a list: open-io/swift's test_mpu_create_multiple_checksum_algorithms
            raise invalid_request("Invalid types are specified in x-amz-checksum-algorithm header.")
        if algorithm and algorithm not in CHECKSUM_MEMBERS:
            raise unsupported_algorithm()
        # S3 reads the type without regard to case: AWS's CRT client (CLI v2, Mountpoint) sends "full_object".
        stated_type = (p.get("ChecksumType") or "").upper()
        if stated_type and stated_type not in _CHECKSUM_TYPES:
            raise invalid_request("Value for x-amz-checksum-type header is invalid.")
        if stated_type and not algorithm:  # open-io/swift's test_mpu_create_no_checksum_algo_and_*, run against AWS
            raise invalid_request(
                "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header."
            )
        checksum_type = stated_type or (_DEFAULT_CHECKSUM_TYPE.get(algorithm.upper()) if algorithm else None)
        if checksum_type and (not algorithm or algorithm.upper() not in _CHECKSUM_TYPES[checksum_type]):
            raise invalid_request(
                f"The {checksum_type} checksum type cannot be used with the {(algorithm or 'unspecified').lower()} "
                "checksum algorithm."
            )
        upload = {
            "UploadId": upload_id,
            "Key": p["Key"],
            "Initiated": now().isoformat(),
            "Rank": rank,
            # The key's state when the upload started: a conditional Complete conflicts with a change since.
            "KeyState": self.key_state(p["Bucket"], p["Key"]),  # type: ignore[attr-defined]
            "Owner": ctx.account_id,
            "Record": record,
            "ChecksumAlgorithm": algorithm,
            "ChecksumType": checksum_type,
            "Seal": Seal.new(customer_key(p)).to_doc(),
        }
        where = bucket_scope(p["Bucket"])
        with self.s3.store.transaction():
            self.s3.uploads.put(where, upload_id, upload)
            self.s3.upload_order.put(where, *upload_order_entry(upload))
        result: Params = {
            "Bucket": p["Bucket"],
            "Key": p["Key"],
            "UploadId": upload_id,
            **self.encryption_headers(record),  # type: ignore[attr-defined]
            **self.abort_headers(bucket_doc, p["Key"], upload["Initiated"]),  # type: ignore[attr-defined]
        }
        if algorithm:
            result["ChecksumAlgorithm"] = algorithm
            result["ChecksumType"] = checksum_type
        return result

    def _check_part_request(self, ctx: RequestContext, p: Params) -> None:
        """A PUT that names a part number but no upload, or an upload but no part number, is no part
        upload (AWS: 400 "does not accept partNumber without uploadId"; 405 for a PUT on an upload)."""
        if p.get("UploadId") is None:
            # S3 names the parameter, not its value, as ArgumentValue (quoted from S3 twice, with
            # request ids, in versity/versitygw#1226 and #1237).
            raise invalid_argument("This operation does not accept partNumber without uploadId", "partNumber", "partNumber")
        if p.get("PartNumber") is None:
            ctx.error_headers["Allow"] = "DELETE, POST, GET"  # what an upload takes: Abort, Complete, ListParts
            raise method_not_allowed("PUT", "UPLOAD")
        self._check_part_number(p["PartNumber"])

    def _check_part_number(self, number: int) -> None:
        if not 1 <= number <= MAX_PART_NUMBER:
            raise invalid_argument(
                "Part number must be an integer between 1 and 10000, inclusive", "partNumber", str(number)
            )

    def _part_seal(self, bucket: str, upload: Params, p: Params) -> Seal:
        """The upload's data key for a part; an SSE-C upload's parts must carry its key, and only its
        parts may carry one: a part naming a key for an upload begun without is refused (403 where the
        bucket blocks SSE-C writes, as its PutObject would be), not stored under S3's own key."""
        sse_c = upload["Record"].get("SSECustomer")
        key = customer_key(p)
        if sse_c is None and key is not None:
            refuse_if_sse_c_blocked(self.s3.bucket(bucket))
            raise invalid_request("The encryption parameters are not applicable to this object.")
        if sse_c is not None:
            if key is None:
                raise invalid_request(
                    "The multipart upload initiate requested encryption. Subsequent part requests must include "
                    "the appropriate encryption parameters."
                )
            self.check_sse_c_key(p)  # type: ignore[attr-defined]
            if self.sse_c_key_md5(key) != sse_c["KeyMD5"]:  # type: ignore[attr-defined]
                raise invalid_request(
                    "The provided encryption parameters did not match the ones used originally."
                )
        return Seal.from_doc(upload.get("Seal"), key)

    async def _store_part(
        self, bucket: str, upload_id: str, number: int, body: Any, p: Params, seal: Seal, upload: Params
    ) -> Params:
        # An upload created without an algorithm gets S3's default full-object CRC64NVME when it
        # completes: each part's is kept (whatever checksum the part named) and combined then.
        default = not upload.get("ChecksumAlgorithm")
        stored = await store_body(
            self.s3.store.blobs, body, p, seal, default_checksum=default, keep_crc64nvme=default
        )
        part = {
            "PartNumber": number,
            "ETag": etag_of_body(stored, upload["Record"]),
            "Size": stored.size,
            "Blob": stored.blob,
            "LastModified": now().isoformat(),
            "Checksums": stored.checksums,
        }
        if stored.crc64nvme is not None:
            part["CRC64NVME"] = stored.crc64nvme
        where = bucket_scope(bucket)
        with self.s3.store.transaction():
            if self.s3.uploads.get(where, upload_id) is None:  # aborted meanwhile
                self.s3.store.blobs.delete(stored.blob)
                raise no_such_upload(upload_id)
            old = self.s3.parts.get(where, _part_key(upload_id, number))
            self.s3.parts.put(where, _part_key(upload_id, number), part)
        if old is not None:
            self.s3.store.blobs.delete(old["Blob"])
        return part

    async def UploadPart(self, ctx: RequestContext, p: Params) -> Params:
        check_body_framing(ctx)
        check_body_size(ctx)
        self.s3.bucket(p["Bucket"])
        self._check_part_request(ctx, p)
        upload = self._upload(p["Bucket"], p["Key"], p["UploadId"])
        check_object_lock_integrity(ctx, upload["Record"], "Put Part")
        seal = self._part_seal(p["Bucket"], upload, p)
        p = _check_part_algorithm(upload, p)
        # The parts of an SSE-KMS upload are sealed with the data key the upload's KMS key protects.
        self.authorize_kms_read(ctx, p["Bucket"], p["Key"], upload["Record"])  # type: ignore[attr-defined]
        part = await self._store_part(
            p["Bucket"], p["UploadId"], p["PartNumber"], p.get("Body"), p, seal, upload
        )
        # A part reports the upload's encryption, as S3's UploadPart answer does.
        result: Params = {"ETag": part["ETag"], **self.encryption_headers(upload["Record"])}  # type: ignore[attr-defined]
        for algorithm, value in part["Checksums"].items():
            result[CHECKSUM_MEMBERS[algorithm]] = value
        return result

    async def UploadPartCopy(self, ctx: RequestContext, p: Params) -> Params:
        self.s3.bucket(p["Bucket"])
        self._check_part_request(ctx, p)
        upload = self._upload(p["Bucket"], p["Key"], p["UploadId"])
        seal = self._part_seal(p["Bucket"], upload, p)
        src_bucket, src_key, src_version = self.parse_copy_source(p["CopySource"])  # type: ignore[attr-defined]
        self.s3.bucket(src_bucket)
        source = self.find_copy_source(src_bucket, src_key, src_version)  # type: ignore[attr-defined]
        self.check_copy_conditions(source, p)  # type: ignore[attr-defined]
        source_key = self.check_copy_source_sse_c(source, p)  # type: ignore[attr-defined]
        self.authorize_kms_read(ctx, p["Bucket"], p["Key"], upload["Record"])  # type: ignore[attr-defined]
        self.authorize_kms_read(ctx, src_bucket, src_key, source)  # type: ignore[attr-defined]
        start, length = 0, source["Size"]
        if p.get("CopySourceRange"):
            text = p["CopySourceRange"].strip()
            try:
                if not text.startswith("bytes="):
                    raise ValueError(text)
                first, last = text.removeprefix("bytes=").split("-")
                if not (is_digits(first, 4000) and is_digits(last, 4000)):
                    raise ValueError(text)  # int() would also take "+1", " 1" and "1_0"
                start, end = int(first), int(last)
            except ValueError as exc:
                raise invalid_argument(
                    "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
                    "x-amz-copy-source-range",
                    text,
                ) from exc
            # AWS's three answers: an inverted range is malformed, one starting past the end is an
            # invalid request, one ending past it names the source's size.
            if end < start:
                raise invalid_argument(
                    "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
                    "x-amz-copy-source-range",
                    text,
                )
            if start >= source["Size"]:
                raise invalid_request("The specified copy range is invalid for the source object size")
            if end >= source["Size"]:
                raise invalid_argument(
                    f"Range specified is not valid for source object of size: {source['Size']}",
                    "x-amz-copy-source-range",
                    text,
                )
            length = end - start + 1
        check_copy_size(length)
        body = read_blob(self.s3.store.blobs, source["Blob"], start, length, source_key) if length else b""
        # The copied part carries the upload's checksum, as an uploaded one would.
        params = {"ChecksumAlgorithm": upload["ChecksumAlgorithm"]} if upload.get("ChecksumAlgorithm") else {}
        part = await self._store_part(p["Bucket"], p["UploadId"], p["PartNumber"], body, params, seal, upload)
        copied: Params = {"ETag": part["ETag"], "LastModified": part["LastModified"]}
        # CopyPartResult names the part's checksum only for an upload created with an algorithm;
        # the CRC64NVME kept for S3's default checksum of an upload without one is not shown.
        if upload.get("ChecksumAlgorithm"):
            for algorithm, value in part["Checksums"].items():
                copied[CHECKSUM_MEMBERS[algorithm]] = value
        result: Params = {"CopyPartResult": copied, **self.encryption_headers(upload["Record"])}  # type: ignore[attr-defined]
        if source["VersionId"] != "null":
            result["CopySourceVersionId"] = source["VersionId"]
        return result

    async def CompleteMultipartUpload(self, ctx: RequestContext, p: Params) -> Params:
        # A retry of a completed upload, or a second completion racing the first, is answered
        # with the first one's result instead of NoSuchUpload or a second join (completions.py).
        bucket, upload_id, key = p["Bucket"], p.get("UploadId"), p["Key"]
        self.s3.bucket(bucket)  # NoSuchBucket before anything else
        if upload_id is None:  # a POST on an object that names no upload (nor ?uploads, ?restore, ?select)
            raise method_not_allowed("POST", "OBJECT")
        earlier = await self.completions.wait_for_running(bucket, upload_id, key)
        if earlier is not None:
            return earlier
        if self.s3.uploads.get(bucket_scope(bucket), upload_id) is None:
            recalled = self._recent_completion(bucket, upload_id, key)
            current = self.s3.objects.get(bucket_scope(bucket), key)
            if recalled is not None and _same_completion(recalled, p, current):
                return recalled
        running = self.completions.start(bucket, upload_id)
        result: Params | None = None
        try:
            result = await self._complete_upload(ctx, p)
        finally:
            self.completions.finish(bucket, upload_id, running, result)
        return result

    async def _complete_upload(self, ctx: RequestContext, p: Params) -> Params:
        bucket_doc = self.s3.bucket(p["Bucket"])
        # Read without regard to case, as on CreateMultipartUpload (AWS's CRT client sends "full_object").
        stated_type = (p.get("ChecksumType") or "").upper()
        if stated_type and stated_type not in _CHECKSUM_TYPES:
            raise invalid_request("Value for x-amz-checksum-type header is invalid.")
        upload = self._upload(p["Bucket"], p["Key"], p["UploadId"])
        _check_complete_checksum_type(upload, stated_type)
        _check_complete_checksum_headers(p)
        # S3 reads the parts (and their checksums) back under the upload's key: an SSE-KMS upload
        # needs kms:Decrypt to complete (CompleteMultipartUpload API reference).
        self.authorize_kms_read(ctx, p["Bucket"], p["Key"], upload["Record"])  # type: ignore[attr-defined]
        requested = (p.get("MultipartUpload") or {}).get("Parts") or []
        if p.get("MultipartUpload") is None:  # no body at all, where an empty one is malformed
            raise invalid_request("You must specify at least one part")
        # A <Part> without its ETag does not validate against S3's schema (OpenStack Swift's
        # test_multipart_mpu_no_etags, recorded against AWS), whatever checksums it names.
        if not requested or any("ETag" not in item for item in requested):
            raise malformed_xml()
        stored = {part["PartNumber"]: part for part in self._parts(p["Bucket"], p["UploadId"])}
        # A COMPOSITE checksum is built from the parts' checksums, so AWS wants each part's in the request.
        part_checksum = (
            CHECKSUM_MEMBERS.get((upload.get("ChecksumAlgorithm") or "").upper())
            if upload.get("ChecksumType") == "COMPOSITE"
            else None
        )
        # When each part carries an additional checksum (an upload created with a checksum algorithm),
        # and in a directory bucket, the parts named must be 1, 2, 3... with no gap: S3 answers a list
        # that skips a number InvalidPartOrder (the CompletedPart PartNumber member in the API reference).
        consecutive = bool(upload.get("ChecksumAlgorithm")) or is_directory_bucket(bucket_doc)
        # Every <Part>'s number, order and checksums are judged before any part is looked up, and a
        # claimed COMPOSITE checksum against the parts' checksums as named, so a part checksum that is
        # wrong beside a claim is BadDigest, not InvalidPart; then the parts themselves (open-io/swift's
        # test_mpu_complete_multi_checksum, _mixed_checksums, _bad_part_checksum_good_global_checksum).
        previous = 0
        for index, item in enumerate(requested):
            number = item.get("PartNumber", 0)
            # Named before the order is judged: a part number below 1 is no part number at all.
            if "PartNumber" in item and number < 1:
                raise invalid_argument("PartNumber must be >= 1", "PartNumber", str(number))
            if number <= previous or (consecutive and number != index + 1):
                raise ServiceError(
                    "InvalidPartOrder",
                    "The list of parts was not in ascending order. Parts must be ordered by part number.",
                    status=400,
                    UploadId=p["UploadId"],
                )
            previous = number
            _check_part_checksums(upload, item, number)
        _check_claim_against_named_parts(upload, p, requested)
        chosen: list[Params] = []
        for index, item in enumerate(requested):
            number = item["PartNumber"]
            part = stored.get(number)
            # A part checksum named in the request that the part does not have is a part not found too.
            if (
                part is None
                or item.get("ETag", "").strip('"') != part["ETag"].strip('"')
                or any(
                    item.get(member) and item[member] != (part.get("Checksums") or {}).get(name)
                    for name, member in CHECKSUM_MEMBERS.items()
                )
            ):
                raise _invalid_part(p["UploadId"], number, item.get("ETag", ""))
            if part_checksum and not item.get(part_checksum):
                raise invalid_request(
                    f"The upload was created using a {upload['ChecksumAlgorithm'].lower()} checksum. The complete "
                    f"request must include the checksum for each part. It was missing for part {number} in the "
                    "request."
                )
            if index < len(requested) - 1 and part["Size"] < MIN_PART_SIZE:
                raise ServiceError(
                    "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum allowed size",
                    status=400,
                    ProposedSize=str(part["Size"]),
                    MinSizeAllowed=str(MIN_PART_SIZE),
                    PartNumber=str(number),
                    ETag=part["ETag"].strip('"'),
                )
            chosen.append(part)
        # The size the client expects (AWS's CRT client sends it): a mismatch is a 400 InvalidRequest.
        expected_size = p.get("MpuObjectSize")
        if expected_size is not None and expected_size != sum(part["Size"] for part in chosen):
            raise invalid_request(
                f"The provided 'x-amz-mp-object-size' header value {expected_size} does not match the size of "
                f"the parts: {sum(part['Size'] for part in chosen)}."
            )
        self._check_write_conditions(p["Bucket"], p["Key"], p, upload)  # type: ignore[attr-defined]
        algorithm = (upload.get("ChecksumAlgorithm") or "").upper()
        # S3's default data integrity protection: an upload created without an algorithm still gets
        # a full-object CRC64NVME (and AWS ignores a checksum claimed for it in this request).
        full_algorithm = algorithm if upload.get("ChecksumType") == "FULL_OBJECT" else ""
        if not algorithm:
            full_algorithm = "CRC64NVME"
        # A CRC64NVME is combined from the parts' own, without reading the parts again.
        joined_crc = _combined_crc64nvme(chosen) if full_algorithm == "CRC64NVME" else None
        full_object = (
            checksums.new_checksum(full_algorithm) if full_algorithm and joined_crc is None else None
        )
        seal = Seal.from_doc(upload.get("Seal"), customer_key(p))
        if not algorithm and upload["Record"].get("SSECustomer") and customer_key(p) is None:
            full_object = None  # SSE-C parts stored without a CRC64NVME cannot be read without the key
        try:
            blob, size = await asyncio.to_thread(
                join_blobs, self.s3.store.blobs, [part["Blob"] for part in chosen], seal, full_object
            )
        except MissingCustomerKey as exc:  # a full-object checksum of SSE-C parts needs their key
            raise invalid_request(
                "The multipart upload initiate requested encryption. Subsequent part requests must include "
                "the appropriate encryption parameters."
            ) from exc
        except FileNotFoundError as exc:
            raise self._part_gone(p["UploadId"], p["Bucket"], chosen) from exc
        if self.s3.uploads.get(bucket_scope(p["Bucket"]), p["UploadId"]) is None:
            # Aborted (or its bucket deleted) while the parts were joined: the abort won, and the
            # object is not recorded. Nothing awaits from here to the commit.
            self.s3.store.blobs.delete(blob)
            raise no_such_upload(p["UploadId"])
        try:  # decided again once the parts are joined: another writer may have won meanwhile
            self._check_write_conditions(p["Bucket"], p["Key"], p, upload)  # type: ignore[attr-defined]
        except ServiceError:
            self.s3.store.blobs.delete(blob)
            raise
        record = dict(upload["Record"])
        record.update(
            {
                "Size": size,
                "Blob": blob,
                "LastModified": now().isoformat(),
                "ETag": _multipart_etag([part["ETag"] for part in chosen]),
                "PartsCount": len(chosen),
                "PartSizes": [part["Size"] for part in chosen],
            }
        )
        if joined_crc is not None:
            record["Checksums"] = {"CRC64NVME": joined_crc}
            record["ChecksumType"] = "FULL_OBJECT"
        elif full_object is not None:
            record["Checksums"] = {full_algorithm: checksums.b64(full_object.digest())}
            record["ChecksumType"] = "FULL_OBJECT"
        elif algorithm and all(algorithm in part["Checksums"] for part in chosen):
            combined = checksums.new_checksum(algorithm)
            if combined is not None:
                for part in chosen:
                    combined.update(base64.b64decode(part["Checksums"][algorithm]))
                record["Checksums"] = {algorithm: f"{checksums.b64(combined.digest())}-{len(chosen)}"}
                record["ChecksumType"] = "COMPOSITE"
                # Kept for GetObjectAttributes, which lists each part's checksum of a composite one.
                record["PartChecksums"] = [part["Checksums"][algorithm] for part in chosen]
        claimed = p.get(CHECKSUM_MEMBERS.get(algorithm, "")) if algorithm else None
        computed = (record.get("Checksums") or {}).get(algorithm)
        # A claimed COMPOSITE checksum is checked too, with or without its "-<parts>" suffix.
        if (
            claimed
            and computed
            and claimed != computed
            and not (record.get("ChecksumType") == "COMPOSITE" and claimed == computed.rsplit("-", 1)[0])
        ):
            self.s3.store.blobs.delete(blob)
            raise _claim_mismatch(algorithm)
        where, parts = bucket_scope(p["Bucket"]), self._parts(p["Bucket"], p["UploadId"])
        answer: Params = {}

        def settle(committed: Params) -> None:
            # In the object's own transaction: the upload goes and its answer is kept for a retry
            # (completions.py) together with the new version, so no kill -9 leaves one without the
            # other (an object recorded while its upload still stands would be joined again).
            answer.update(self._completed_answer(ctx, p, bucket_doc, committed))
            self.s3.uploads.delete(where, p["UploadId"])
            self.s3.upload_order.delete(where, upload_order_entry(upload)[0])
            self.s3.parts.delete_prefix(where, p["UploadId"] + "\0")
            store_completion(self.s3.completed, where, p["UploadId"], answer)

        self.commit_version(bucket_doc, p["Key"], record, also=settle)  # type: ignore[attr-defined]
        for part in parts:
            self.s3.store.blobs.delete(part["Blob"])
        return answer

    def _completed_answer(self, ctx: RequestContext, p: Params, bucket_doc: Params, record: Params) -> Params:
        result: Params = {
            "Location": _object_url(ctx, p["Bucket"], p["Key"]),
            "Bucket": p["Bucket"],
            "Key": p["Key"],
            "ETag": record["ETag"],
            **self.encryption_headers(record),  # type: ignore[attr-defined]
            **self.expiration_headers(bucket_doc, record, for_completed_upload=True),  # type: ignore[attr-defined]
        }
        if record["VersionId"] != "null":  # none for the null version of a suspended bucket, as PutObject
            result["VersionId"] = record["VersionId"]
        for name, value in (record.get("Checksums") or {}).items():
            result[CHECKSUM_MEMBERS[name]] = value
            result["ChecksumType"] = record["ChecksumType"]
        return result

    def _part_gone(self, upload_id: str, bucket: str, chosen: list[Params]) -> ServiceError:
        """The answer to a completion whose part file went while it was joined: the upload was
        aborted meanwhile (NoSuchUpload), or a part uploaded again replaced the one named (InvalidPart)."""
        if self.s3.uploads.get(bucket_scope(bucket), upload_id) is None:
            return no_such_upload(upload_id)
        current = {part["PartNumber"]: part["Blob"] for part in self._parts(bucket, upload_id)}
        for part in chosen:
            if current.get(part["PartNumber"]) != part["Blob"]:
                return _invalid_part(upload_id, part["PartNumber"], part["ETag"])
        raise RuntimeError("a part's blob is missing though the upload still names it")

    def _discard_upload(self, bucket: str, upload_id: str) -> None:
        where = bucket_scope(bucket)
        parts = self._parts(bucket, upload_id)
        with self.s3.store.transaction():
            upload = self.s3.uploads.get(where, upload_id)
            if upload is not None:
                self.s3.upload_order.delete(where, upload_order_entry(upload)[0])
            self.s3.uploads.delete(where, upload_id)
            self.s3.parts.delete_prefix(where, upload_id + "\0")
        for part in parts:
            self.s3.store.blobs.delete(part["Blob"])

    def abort_upload(self, bucket: str, upload_id: str) -> None:
        self._discard_upload(bucket, upload_id)

    def AbortMultipartUpload(self, ctx: RequestContext, p: Params) -> Params:
        bucket, upload_id, key = p["Bucket"], p["UploadId"], p["Key"]
        self.s3.bucket(bucket)
        if (
            self.s3.uploads.get(bucket_scope(bucket), upload_id) is None
            and self._recent_completion(bucket, upload_id, key) is not None
        ):
            # S3 answers 204 to an abort of an upload completed a short while ago, as it answers a
            # repeated completion with its result: the cleanup AWS's own SDK tests run after a
            # completed upload (boto3's, the JavaScript SDK's) expects it. The object stays.
            return {}
        self._upload(bucket, key, upload_id)
        self._discard_upload(bucket, upload_id)
        return {}

    def _recent_completion(self, bucket: str, upload_id: str, key: str) -> Params | None:
        """The result of a recent completion of this upload of `key` (completions.py), or None."""
        return self.completions.recall(bucket, upload_id, key) or stored_completion(
            self.s3.completed, bucket_scope(bucket), upload_id, key
        )

    def ListParts(self, ctx: RequestContext, p: Params) -> Params:
        bucket_doc = self.s3.bucket(p["Bucket"])
        upload = self._upload(p["Bucket"], p["Key"], p["UploadId"])
        limit = page_size(p.get("MaxParts"), "max-parts")
        marker = part_number_marker(p.get("PartNumberMarker"))
        parts = [part for part in self._parts(p["Bucket"], p["UploadId"]) if part["PartNumber"] > marker]
        page, truncated = parts[:limit], len(parts) > limit
        result: Params = {
            "Bucket": p["Bucket"],
            "Key": p["Key"],
            "UploadId": p["UploadId"],
            "PartNumberMarker": marker,
            "MaxParts": limit,
            "IsTruncated": truncated,
            "Parts": [
                {
                    "PartNumber": part["PartNumber"],
                    "LastModified": part["LastModified"],
                    "ETag": part["ETag"],
                    "Size": part["Size"],
                    # An upload started without an algorithm lists no part checksums, whatever the parts carried.
                    **(
                        {CHECKSUM_MEMBERS[a]: v for a, v in part["Checksums"].items()}
                        if upload.get("ChecksumAlgorithm")
                        else {}
                    ),
                }
                for part in page
            ],
            "Initiator": owner(upload["Owner"]),
            "Owner": owner(upload["Owner"]),
            "StorageClass": upload["Record"].get("StorageClass", "STANDARD"),
        }
        result["NextPartNumberMarker"] = page[-1]["PartNumber"] if page else 0
        result.update(self.abort_headers(bucket_doc, p["Key"], upload["Initiated"]))  # type: ignore[attr-defined]
        if upload.get("ChecksumAlgorithm"):
            result["ChecksumAlgorithm"] = upload["ChecksumAlgorithm"]
            result["ChecksumType"] = upload["ChecksumType"]
        return result

    def _marker_rank(self, bucket: str, key_marker: str, id_marker: str) -> int:
        """Where an upload-id-marker stands among its key's uploads. Its upload may be gone (aborted
        or completed since the previous page): the id itself says where it listed. An id never
        issued for the key marker is refused, as AWS does."""
        rank = rank_of_upload_id(key_marker, id_marker)
        if rank is not None:
            return rank
        # An upload created before upload ids carried their rank: placed while it exists.
        upload = self.s3.uploads.get(bucket_scope(bucket), id_marker)
        if upload is not None and upload["Key"] == key_marker:
            return upload_rank(upload)
        raise invalid_argument("Invalid uploadId marker", "upload-id-marker", id_marker)

    def ListMultipartUploads(self, ctx: RequestContext, p: Params) -> Params:
        bucket = p["Bucket"]
        self.s3.bucket(bucket)
        prefix = p.get("Prefix") or ""
        delimiter = p.get("Delimiter") or None
        limit = page_size(p.get("MaxUploads"), "max-uploads")
        key_marker = p.get("KeyMarker") or ""
        id_marker = (p.get("UploadIdMarker") or "") if key_marker else ""  # ignored without a key marker
        # A range scan of upload_order from the markers' place: a page costs the same however many
        # uploads the bucket holds. A common prefix is listed once and skipped past.
        cursor: str | None = None
        if id_marker:
            cursor = order_key(key_marker, self._marker_rank(bucket, key_marker, id_marker), id_marker)
        elif key_marker:
            cursor = key_marker + "\0" + _AFTER_ALL  # after every upload of the marker's key
        entries: list[Params] = []
        prefixes: list[str] = []
        truncated = done = False
        last_key = last_id = None
        where = bucket_scope(bucket)
        while not done:
            want = min(_SCAN_BATCH, limit - len(entries) - len(prefixes) + 1)
            batch = self.s3.upload_order.scan(where, prefix=prefix, start_after=cursor, limit=want)
            for place, upload in batch:
                key = upload["Key"]
                cursor = place
                if delimiter and (cut := key.find(delimiter, len(prefix))) >= 0:
                    common = key[: cut + len(delimiter)]
                    cursor = common + _AFTER_ALL
                    # A common prefix at or before the key marker was listed on an earlier page.
                    if not (key_marker and common <= key_marker):
                        if len(entries) + len(prefixes) == limit:
                            truncated = done = True
                            break
                        # AWS's next markers name the page's last upload, never a common prefix: a page
                        # of prefixes only answers "" for both (recorded in LocalStack's AWS snapshots).
                        prefixes.append(common)
                    break  # scan again from past the common prefix
                if len(entries) + len(prefixes) == limit:
                    truncated = done = True
                    break
                entries.append(
                    {
                        "UploadId": upload["UploadId"],
                        "Key": key,
                        "Initiated": upload["Initiated"],
                        "StorageClass": upload["StorageClass"],
                        "Owner": owner(upload["Owner"]),
                        "Initiator": owner(upload["Owner"]),
                        # An upload started with an algorithm lists it and its checksum type (entries
                        # ordered before the type was kept name the algorithm only).
                        **{
                            member: upload[member]
                            for member in ("ChecksumAlgorithm", "ChecksumType")
                            if upload.get("ChecksumAlgorithm") and upload.get(member)
                        },
                    }
                )
                last_key, last_id = key, upload["UploadId"]
            else:
                done = len(batch) < want
        result: Params = {
            "Bucket": bucket,
            "KeyMarker": key_marker,
            "UploadIdMarker": id_marker,
            "MaxUploads": limit,
            "IsTruncated": truncated,
            "Uploads": entries,
            "CommonPrefixes": [{"Prefix": c} for c in prefixes],
            # AWS names the last upload of every page, truncated or not ("" when the page lists none).
            "NextKeyMarker": last_key or "",
            "NextUploadIdMarker": last_id or "",
        }
        if p.get("Prefix") is not None:
            result["Prefix"] = prefix
        if delimiter:
            result["Delimiter"] = delimiter
        if _check_encoding(p) == "url":  # keys and markers percent-encoded, as in the object listings
            for entry in [*entries, *result["CommonPrefixes"]]:
                member = "Key" if "Key" in entry else "Prefix"
                entry[member] = _encode(entry[member], "url")
            for member in ("Prefix", "Delimiter", "KeyMarker", "NextKeyMarker"):
                if member in result:
                    result[member] = _encode(result[member], "url")
            result["EncodingType"] = "url"
        return result


def _combined_crc64nvme(parts: list[Params]) -> str | None:
    """The CRC64NVME of the parts joined, from each part's own; None if a part has none."""
    crc = 0  # the CRC64NVME of no bytes
    for part in parts:
        value = part.get("CRC64NVME") or part["Checksums"].get("CRC64NVME")
        if value is None:  # a part stored before S3's default checksum was kept
            return None
        crc = checksums.combine_crc64nvme(crc, int.from_bytes(base64.b64decode(value), "big"), part["Size"])
    return checksums.b64(crc.to_bytes(8, "big"))


def _object_url(ctx: RequestContext, bucket: str, key: str) -> str:
    """The absolute URL of an object as CompleteMultipartUpload reports it, in the request's addressing style."""
    host = ctx.request.host or "localhost"
    path = f"/{quote(key, safe='')}" if virtual_host_bucket(host) else f"/{bucket}/{quote(key, safe='')}"
    return f"{ctx.request.scheme}://{host}{path}"


def _invalid_part(upload_id: str, number: int, etag: str) -> ServiceError:
    # The ETag named without its quotes (open-io/swift's test_mpu_complete_bad_part_checksum, run against AWS).
    return ServiceError(
        "InvalidPart",
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        status=400,
        UploadId=upload_id,
        PartNumber=str(number),
        ETag=etag.strip('"'),
    )
