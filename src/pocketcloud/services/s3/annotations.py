"""Object annotations (Put/Get/List/DeleteObjectAnnotation): named UTF-8 payloads of 1 byte to
1 MiB attached to one object version, up to 1,000 of them.

An annotation belongs to the version it was put on: the version's record keeps, under
"Annotations", each one's name, size, ETag (the MD5 of its payload), checksum and time, and the
payload itself is a blob of its own (encrypted at rest like the object's body, kept in the
database when small). A version removed for good takes its annotations' blobs with it
(`objects.annotation_blobs`); a new version of the key starts with none, and CopyObject copies the
source's unless told `x-amz-object-annotation-directive: EXCLUDE`.
"""

from __future__ import annotations

import base64
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3.bodies import CHECKSUM_MEMBERS, read_blob_bytes, store_body
from pocketcloud.services.s3.errors import invalid_request, precondition_failed
from pocketcloud.services.s3.objects import ObjectOperations
from pocketcloud.services.s3.state import now

Params = dict[str, Any]
MAX_PAYLOAD = 1024 * 1024
MAX_NAME_BYTES = 512
MAX_PER_OBJECT = 1000
_RESERVED_PREFIXES = ("aws", "s3")


def _check_name(name: str | None) -> str:
    if not name:
        raise ServiceError(
            "InvalidAnnotationName", "The annotation name you provided is invalid.", status=400
        )
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise ServiceError("AnnotationNameTooLong", "The annotation name exceeds 512 bytes.", status=400)
    if name.lower().startswith(_RESERVED_PREFIXES):
        raise ServiceError(
            "InvalidAnnotationName",
            "Annotation names cannot begin with 'aws' or 's3'.",
            status=400,
        )
    return name


async def _read_payload(body: Any) -> bytes:
    """The whole payload (at most 1 MiB, UTF-8 text), or S3's refusal."""
    if body is None:
        chunks: Any = []
    elif isinstance(body, bytes | bytearray):
        chunks = [bytes(body)]
    else:
        chunks = body
    payload = bytearray()
    if isinstance(chunks, list):
        for chunk in chunks:
            payload += chunk
    else:
        async for chunk in chunks:
            payload += chunk
            if len(payload) > MAX_PAYLOAD:
                break
    if len(payload) > MAX_PAYLOAD:
        raise ServiceError(
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
            status=400,
            MaxSizeAllowed=str(MAX_PAYLOAD),
        )
    if not payload:
        raise invalid_request("The annotation payload must be between 1 byte and 1 MiB in size.")
    try:
        bytes(payload).decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError(
            "UnsupportedMediaType", "The annotation payload is not valid UTF-8 encoded text.", status=415
        ) from None
    return bytes(payload)


def _check_object_if_match(record: Params, p: Params) -> None:
    wanted = p.get("ObjectIfMatch")
    if wanted is not None and wanted.strip() not in ("*", record["ETag"], record["ETag"].strip('"')):
        raise precondition_failed("x-amz-object-if-match")


def _version_header(record: Params) -> Params:
    return {"ObjectVersionId": record["VersionId"]} if record["VersionId"] != "null" else {}


class AnnotationOperations(ObjectOperations):
    def _annotated(self, p: Params, method: str) -> Params:
        """The version an annotation call names (the current one by default); SSE-C objects have none."""
        self.s3.bucket(p["Bucket"])
        return self.find_object(p["Bucket"], p["Key"], p.get("VersionId"), method)

    async def PutObjectAnnotation(self, ctx: RequestContext, p: Params) -> Params:
        name = _check_name(p.get("AnnotationName"))
        record = self._annotated(p, "PUT")
        if record.get("SSECustomer"):
            raise invalid_request("Objects encrypted with SSE-C cannot have annotations.")
        _check_object_if_match(record, p)
        payload = await _read_payload(p.get("AnnotationPayload"))
        stored = await store_body(self.s3.store.blobs, payload, p, inline=True)
        replaced: list[str] = []

        def attach(version: Params) -> None:
            _check_object_if_match(version, p)  # decided again in the transaction
            annotations = version.setdefault("Annotations", {})
            if name not in annotations and len(annotations) >= MAX_PER_OBJECT:
                raise ServiceError(
                    "AnnotationLimitExceeded",
                    "The request would exceed the maximum number of annotations allowed per object.",
                    status=400,
                )
            if name in annotations:
                replaced.append(annotations[name]["Blob"])
            stored.commit_inline()
            annotations[name] = {
                "Blob": stored.blob,
                "Size": stored.size,
                "ETag": f'"{stored.md5_hex}"',
                "LastModified": now().isoformat(),
                "Checksums": stored.checksums,
            }

        try:
            record = self._update_record(p["Bucket"], p["Key"], record["VersionId"], attach)
        except ServiceError:
            if stored.pending is None:
                self.s3.store.blobs.delete(stored.blob)
            raise
        for blob in replaced:
            self.s3.store.blobs.delete(blob)
        result: Params = {
            "Key": p["Key"],
            "AnnotationName": name,
            "ETag": f'"{stored.md5_hex}"',
            **_version_header(record),
            **self.encryption_headers(record),  # type: ignore[attr-defined]
        }
        for algorithm, value in stored.checksums.items():
            result[CHECKSUM_MEMBERS[algorithm]] = value
            result["ChecksumType"] = "FULL_OBJECT"
        return result

    def GetObjectAnnotation(self, ctx: RequestContext, p: Params) -> Params:
        name = _check_name(p.get("AnnotationName"))
        record = self._annotated(p, "GET")
        entry = (record.get("Annotations") or {}).get(name)
        if entry is None:
            raise ServiceError(
                "NoSuchAnnotation", "The specified annotation does not exist on this object.", status=404
            )
        result: Params = {
            "AnnotationPayload": read_blob_bytes(self.s3.store.blobs, entry["Blob"]),
            "ContentLength": entry["Size"],
            "ETag": entry["ETag"],
            "LastModified": entry["LastModified"],
            **_version_header(record),
            **self.encryption_headers(record),  # type: ignore[attr-defined]
        }
        if str(p.get("ChecksumMode") or "").upper() == "ENABLED":
            for algorithm, value in (entry.get("Checksums") or {}).items():
                result[CHECKSUM_MEMBERS[algorithm]] = value
                result["ChecksumType"] = "FULL_OBJECT"
        return result

    def ListObjectAnnotations(self, ctx: RequestContext, p: Params) -> Params:
        record = self._annotated(p, "GET")
        limit = p.get("MaxAnnotationResults")
        limit = MAX_PER_OBJECT if limit is None else limit
        if not 1 <= limit <= MAX_PER_OBJECT:
            raise ServiceError(
                "InvalidArgument",
                f"max-annotation-results must be between 1 and {MAX_PER_OBJECT}",
                status=400,
                ArgumentName="max-annotation-results",
                ArgumentValue=str(limit),
            )
        prefix = p.get("AnnotationPrefix") or ""
        token = p.get("ContinuationToken")
        after = ""
        if token is not None:
            try:
                after = base64.urlsafe_b64decode(token.encode()).decode()
            except (ValueError, UnicodeDecodeError):
                raise ServiceError(
                    "InvalidArgument",
                    "The continuation token provided is incorrect",
                    status=400,
                    ArgumentName="continuation-token",
                ) from None
        annotations = record.get("Annotations") or {}
        names = sorted(
            (n for n in annotations if n.startswith(prefix) and n.encode() > after.encode()),
            key=lambda n: n.encode("utf-8", "surrogatepass"),
        )
        page = names[:limit]
        result: Params = {
            "Bucket": p["Bucket"],
            "Key": p["Key"],
            "MaxAnnotationResults": limit,
            "AnnotationCount": len(page),
            "Annotations": [
                {
                    "AnnotationName": n,
                    "LastModified": annotations[n]["LastModified"],
                    "ETag": annotations[n]["ETag"],
                    "Size": annotations[n]["Size"],
                    **(
                        {"ChecksumAlgorithm": list(annotations[n]["Checksums"])}
                        if annotations[n].get("Checksums")
                        else {}
                    ),
                }
                for n in page
            ],
            **_version_header(record),
        }
        if prefix:
            result["AnnotationPrefix"] = prefix
        if token is not None:
            result["ContinuationToken"] = token
        if len(names) > len(page) and page:
            result["NextContinuationToken"] = base64.urlsafe_b64encode(page[-1].encode()).decode()
        return result

    def DeleteObjectAnnotation(self, ctx: RequestContext, p: Params) -> Params:
        name = _check_name(p.get("AnnotationName"))
        record = self._annotated(p, "DELETE")
        _check_object_if_match(record, p)
        removed: list[str] = []

        def detach(version: Params) -> None:
            _check_object_if_match(version, p)
            entry = (version.get("Annotations") or {}).pop(name, None)
            if entry is not None:
                removed.append(entry["Blob"])

        record = self._update_record(p["Bucket"], p["Key"], record["VersionId"], detach, "DELETE")
        for blob in removed:
            self.s3.store.blobs.delete(blob)
        return _version_header(record)

    async def copied_annotations(self, source: Params, p: Params) -> dict[str, Params]:
        """The annotations a CopyObject gives its new object: the source's, each with a blob of its
        own (x-amz-object-annotation-directive COPY, the default), or none (EXCLUDE)."""
        directive = str(p.get("AnnotationDirective") or "COPY").upper()  # checked by CopyObject
        if directive == "EXCLUDE":
            return {}
        copies: dict[str, Params] = {}
        blobs = self.s3.store.blobs
        for name, entry in (source.get("Annotations") or {}).items():
            stored = await store_body(blobs, read_blob_bytes(blobs, entry["Blob"]), {})
            copies[name] = {**entry, "Blob": stored.blob}
        return copies
