"""CopyObject, and the copy source's parsing and conditions that UploadPartCopy shares.

A copy reads the source's plaintext (decrypted with its SSE-C key when it has one) and stores it as a
new body, sealed for the target, in one PutObject-like write: blob first, then the version's record.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3.bodies import CHECKSUM_MEMBERS, read_blob, store_body, unsupported_algorithm
from pocketcloud.services.s3.encryption import Seal, customer_key
from pocketcloud.services.s3.errors import invalid_argument, invalid_request, precondition_failed
from pocketcloud.services.s3.objects import (
    CONTENT_MEMBERS,
    MAX_UPLOAD_SIZE,
    ObjectOperations,
    apply_redirect,
    body_fields,
    check_key,
    check_storage_class,
    etag_matches,
    etag_of,
    form_decoded,
    http_date,
    parse_tagging_header,
)
from pocketcloud.services.s3.state import now

Params = dict[str, Any]

# What a bucket name can hold, legacy us-east-1 names (capitals, "_", up to 255) included; not an IP
# address. A name outside it cannot name a bucket (versity/versitygw#1388-#1390 recorded S3's answer).
_SOURCE_BUCKET = re.compile(r"(?!\d+\.\d+\.\d+\.\d+$)[A-Za-z0-9._-]{3,255}")
# A source named through an access point: its ARN, "/object/", the key (CopyObject's x-amz-copy-source).
_ACCESS_POINT_SOURCE = re.compile(r"(arn:[^/]+:accesspoint/[^/]+)/object/(.*)", re.S)


def check_copy_size(size: int) -> None:
    """AWS's answer to a copy of more than 5 GiB, a whole CopyObject or one UploadPartCopy's range (seen
    from S3 by rclone#2375 and amazon-s3-tar-tool#26): a larger object is copied in parts of at most that
    ("to copy an object greater than 5 GB, you must use the multipart upload UploadPartCopy API",
    CopyObject API reference)."""
    if size > MAX_UPLOAD_SIZE:
        raise invalid_request(
            f"The specified copy source is larger than the maximum allowable size for a copy source: {MAX_UPLOAD_SIZE}"
        )


class CopyOperations(ObjectOperations):
    def parse_copy_source(self, source: str) -> tuple[str, str, str | None]:
        """(bucket, key, version id) of an x-amz-copy-source."""
        bucket, key, version, _ = self.copy_source(source)
        return bucket, key, version

    def copy_source(self, source: str) -> tuple[str, str, str | None, Params | None]:
        """(bucket, key, version id, access point) of an x-amz-copy-source: the access point is the one
        an ARN source reads through, whose bucket is the one named."""
        # The source is URL-encoded: split off "?versionId=" before decoding, or an encoded "?" in the key would split it.
        # S3 decodes it as a form does, "+" for a space (what Go's url.QueryEscape writes); the SDKs
        # that encode it themselves send a key's own "+" as %2B.
        path, _, query = source.partition("?")
        if path[:8].lower().startswith(("http://", "https://")):
            # A path-style URL of the source names it too: S3 reads its path (AWS answered a copy from
            # "https://s3.amazonaws.com/<bucket>/<key>" in LocalStack's validated test_response_structure).
            path = path.partition("://")[2].partition("/")[2]
        # An escape that is not one, or bytes that are not UTF-8, are "Invalid copy source encoding"
        # (S3's answer to "mybucket/%" in curtis0x/fake-s3#178 and to "%01file%" in paws-r/paws#819).
        decoded = form_decoded(path)
        if decoded is None:
            raise invalid_argument("Invalid copy source encoding", "x-amz-copy-source", source)
        bucket, _, key = decoded.lstrip("/").partition("/")
        point = None
        through = _ACCESS_POINT_SOURCE.fullmatch(decoded.lstrip("/"))
        if through is not None:
            # "arn:aws:s3:<region>:<account>:accesspoint/<name>/object/<key>" reads the access point's
            # bucket (the Terraform AWS provider's TestAccS3ObjectCopy_basicViaAccessPoint, against AWS);
            # an access point that does not exist leaves its ARN for the bucket no bucket is.
            point = self._access_point(through.group(1))  # type: ignore[attr-defined]
            bucket, key = (point["Bucket"] if point is not None else through.group(1)), through.group(2)
        elif bucket and not bucket.startswith("arn:") and not _SOURCE_BUCKET.fullmatch(bucket):
            raise invalid_argument("Invalid copy source bucket name", "x-amz-copy-source", source)
        # No object has a key with a ".." segment: S3 refuses such a key's URI (protocol/parsers/rest.py).
        if not bucket or not key or ".." in key.split("/"):
            raise invalid_argument("Invalid copy source object key", "x-amz-copy-source", source)
        version = dict(parse_qsl(query)).get("versionId") if query else None
        return bucket, key, version, point

    def find_copy_source(self, bucket: str, key: str, version_id: str | None) -> Params:
        """The source object of a copy; a delete marker named by its version is a bad request here."""
        try:
            return self.find_object(bucket, key, version_id)
        except ServiceError as error:
            if error.code == "MethodNotAllowed":
                raise invalid_request(
                    "The source of a copy request may not specifically refer to a delete marker by version id."
                ) from None
            raise

    def check_copy_conditions(self, record: Params, p: Params) -> None:
        etag = etag_of(record)
        modified = http_date(record["LastModified"])
        # AWS's order: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since; as for
        # reads, a date condition gives way to an ETag condition of the same kind.
        if p.get("CopySourceIfMatch") is not None and not etag_matches(p["CopySourceIfMatch"], etag):
            raise precondition_failed("x-amz-copy-source-If-Match")
        if (
            p.get("CopySourceIfMatch") is None
            and p.get("CopySourceIfUnmodifiedSince") is not None
            and modified > http_date(p["CopySourceIfUnmodifiedSince"])
        ):
            raise precondition_failed("x-amz-copy-source-If-Unmodified-Since")
        if p.get("CopySourceIfNoneMatch") is not None and etag_matches(p["CopySourceIfNoneMatch"], etag):
            raise precondition_failed("x-amz-copy-source-If-None-Match")
        if (
            p.get("CopySourceIfNoneMatch") is None
            and p.get("CopySourceIfModifiedSince") is not None
            # A date later than the server's clock is ignored, as for reads.
            and modified <= http_date(p["CopySourceIfModifiedSince"]) <= now()
        ):
            raise precondition_failed("x-amz-copy-source-If-Modified-Since")

    async def CopyObject(self, ctx: RequestContext, p: Params) -> Params:
        bucket_doc = self.s3.bucket(p["Bucket"])
        check_key(p["Key"])
        length = ctx.request.headers.get("content-length", "0")
        if length.isdigit() and int(length) > 0:  # S3's answer quoted in versity/versitygw#1242
            raise invalid_request(
                "The request included a body. Requests of this type must not include a non-empty body."
            )
        for member, header in (("MetadataDirective", "metadata"), ("TaggingDirective", "tagging")):
            if p.get(member) not in (None, "COPY", "REPLACE"):
                raise invalid_argument(
                    f"Unknown {header} directive.", f"x-amz-{header}-directive", str(p[member])
                )
        if str(p.get("AnnotationDirective") or "COPY").upper() not in ("COPY", "EXCLUDE"):
            raise invalid_argument(
                "Unknown annotation directive.", "x-amz-object-annotation-directive", str(p["AnnotationDirective"])
            )
        algorithm = p.get("ChecksumAlgorithm")
        if algorithm and str(algorithm).upper() not in CHECKSUM_MEMBERS:  # a header checked before the source
            raise unsupported_algorithm()
        src_bucket, src_key, src_version = self.parse_copy_source(p["CopySource"])
        self.s3.bucket(src_bucket)
        source = self.find_copy_source(src_bucket, src_key, src_version)
        self.check_copy_conditions(source, p)
        self.check_not_archived(source, "Operation is not valid for the source object's storage class")
        check_copy_size(source["Size"])
        source_key = self.check_copy_source_sse_c(source, p)  # type: ignore[attr-defined]
        self.authorize_kms_read(ctx, src_bucket, src_key, source)  # type: ignore[attr-defined]
        directive = p.get("MetadataDirective") or "COPY"
        # A copy naming a version of the source (even the current one) is no copy onto itself: S3 allows it.
        same = (src_bucket, src_key) == (p["Bucket"], p["Key"]) and src_version is None
        changes_something = (
            directive == "REPLACE"
            or p.get("StorageClass")
            or p.get("ServerSideEncryption")
            or p.get("WebsiteRedirectLocation")
            or p.get("SSECustomerAlgorithm")
            # The copy is encrypted anew with the bucket's default: a change when that default was set
            # explicitly, or when the source is encrypted otherwise than with SSE-S3.
            or (bucket_doc.get("Configs") or {}).get("Encryption")
            or (source.get("SSE") or {}).get("Algorithm", "AES256") != "AES256"
        )
        if same and not changes_something:
            raise invalid_request(
                "This copy request is illegal because it is trying to copy an object to itself without changing "
                "the object's metadata, storage class, website redirect location or encryption attributes."
            )
        if directive == "REPLACE":
            record = self._record_from_params(ctx, p["Key"], p)
        else:
            # The storage class is not copied: without x-amz-storage-class the copy is STANDARD (CopyObject).
            record = {k: v for k, v in source.items() if k in (*CONTENT_MEMBERS, "Metadata")}
            record.update({"Key": p["Key"], "Owner": ctx.account_id})
            record["StorageClass"] = check_storage_class(p.get("StorageClass"))
            # "Not copied when using the x-amz-metadata-directive header": a copy takes the request's value.
            apply_redirect(record, p)
        tagging = p.get("TaggingDirective") or "COPY"
        tags = (
            parse_tagging_header(p.get("Tagging")) if tagging == "REPLACE" else list(source.get("Tags") or [])
        )
        if tags:
            record["Tags"] = tags
        self.apply_encryption(ctx, bucket_doc, record, p)  # type: ignore[attr-defined]
        self.apply_object_lock(bucket_doc, record, p)  # type: ignore[attr-defined]
        self.apply_acl(ctx, bucket_doc, record, p)  # type: ignore[attr-defined]
        # If-Match / If-None-Match name the destination: a conditional write, as PutObject's.
        self._check_write_conditions(p["Bucket"], p["Key"], p)
        body = read_blob(self.s3.store.blobs, source["Blob"], customer=source_key) if source["Size"] else b""
        params = {
            "ChecksumAlgorithm": p.get("ChecksumAlgorithm") or next(iter(source.get("Checksums") or {}), None)
        }
        seal = Seal.new(customer_key(p) if record.get("SSECustomer") else None)
        # The source's algorithm is kept; a copy of a source without one gets S3's default CRC64NVME.
        stored = await store_body(self.s3.store.blobs, body, params, seal, inline=True, default_checksum=True)
        record.update(body_fields(stored, record))
        if not record.get("SSECustomer"):  # an SSE-C object has no annotations
            annotations = await self.copied_annotations(source, p)  # type: ignore[attr-defined]
            if annotations:
                record["Annotations"] = annotations
        # Decided again with nothing left to await before the commit: another writer may have won
        # while the copy (and its annotations) were stored.
        try:
            self._check_write_conditions(p["Bucket"], p["Key"], p)
        except ServiceError:
            if stored.pending is None:
                self.s3.store.blobs.delete(stored.blob)
            raise
        record = self.commit_version(bucket_doc, p["Key"], record, stored)
        copy_result: Params = {"ETag": record["ETag"], "LastModified": record["LastModified"]}
        # The copy's checksum, of the full object even when the source's was a multipart COMPOSITE
        # one (S3 User Guide, "Checking object integrity"); HeadObject and GetObjectAttributes name its
        # FULL_OBJECT type, CopyObjectResult does not (AWS, 2025: ETag, LastModified, the checksum).
        for algorithm, value in stored.checksums.items():
            copy_result[CHECKSUM_MEMBERS[algorithm]] = value
        result: Params = {"CopyObjectResult": copy_result, **self.encryption_headers(record)}  # type: ignore[attr-defined]
        result.update(self.expiration_headers(bucket_doc, record))  # type: ignore[attr-defined]
        if record["VersionId"] != "null":  # none for the null version of a suspended bucket, as PutObject
            result["VersionId"] = record["VersionId"]
        if source["VersionId"] != "null":
            result["CopySourceVersionId"] = source["VersionId"]
        return result
