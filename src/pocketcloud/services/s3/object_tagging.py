"""Object tagging (Put/Get/DeleteObjectTagging) and GetObjectAttributes."""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.services.s3.bodies import CHECKSUM_MEMBERS
from pocketcloud.services.s3.errors import invalid_argument, invalid_request, malformed_xml, no_such_key
from pocketcloud.services.s3.objects import ObjectOperations, check_tags
from pocketcloud.services.s3.state import bucket_scope

Params = dict[str, Any]



class ObjectTaggingOperations(ObjectOperations):
    def _refuse_tagging_a_delete_marker(
        self, bucket: str, key: str, version_id: str | None, method: str
    ) -> None:
        """A tagging call on a key whose current version is a delete marker is refused as one naming
        the marker itself: 405 MethodNotAllowed (AWS), not NoSuchKey."""
        if version_id is None and self.s3.objects.get(bucket_scope(bucket), key) is None:
            newest = self.s3.versions.scan(bucket_scope(bucket), prefix=key + "\0", limit=1)
            if newest and newest[0][1].get("IsDeleteMarker"):
                self.find_object(bucket, key, newest[0][1]["VersionId"], method)

    def PutObjectTagging(self, ctx: RequestContext, p: Params) -> Params:
        bucket_doc = self.s3.bucket(p["Bucket"])
        self._refuse_tagging_a_delete_marker(p["Bucket"], p["Key"], p.get("VersionId"), "PUT")
        tags = (p.get("Tagging") or {}).get("TagSet") or []
        if not all(isinstance(t, dict) and "Key" in t and "Value" in t for t in tags):
            raise malformed_xml()  # S3's schema requires both in every <Tag>
        check_tags(tags)
        record = self._update_record(
            p["Bucket"], p["Key"], p.get("VersionId"), lambda r: r.__setitem__("Tags", tags)
        )
        return self.version_answered(bucket_doc, record)

    def GetObjectTagging(self, ctx: RequestContext, p: Params) -> Params:
        bucket_doc = self.s3.bucket(p["Bucket"])
        self._refuse_tagging_a_delete_marker(p["Bucket"], p["Key"], p.get("VersionId"), "GET")
        try:
            record = self.find_object(p["Bucket"], p["Key"], p.get("VersionId"))
        except ServiceError as error:
            if error.code != "NoSuchKey":
                raise
            raise no_such_key(f"{p['Bucket']}/{p['Key']}") from None  # AWS names bucket/key here
        return {"TagSet": record.get("Tags") or [], **self.version_answered(bucket_doc, record)}

    def DeleteObjectTagging(self, ctx: RequestContext, p: Params) -> Params:
        bucket_doc = self.s3.bucket(p["Bucket"])
        self._refuse_tagging_a_delete_marker(p["Bucket"], p["Key"], p.get("VersionId"), "DELETE")
        record = self._update_record(
            p["Bucket"], p["Key"], p.get("VersionId"), lambda r: r.pop("Tags", None), "DELETE"
        )
        return self.version_answered(bucket_doc, record)

    def GetObjectAttributes(self, ctx: RequestContext, p: Params) -> Params:
        bucket_doc = self.s3.bucket(p["Bucket"])
        wanted = _requested_attributes(p.get("ObjectAttributes"))
        record = self.find_object(p["Bucket"], p["Key"], p.get("VersionId"))
        # An SSE-C object's attributes are read with its key, as its metadata by HeadObject (API reference).
        self.check_sse_c_read(record, p)  # type: ignore[attr-defined]
        out: Params = {"LastModified": record["LastModified"], **self.version_answered(bucket_doc, record)}
        if "ETag" in wanted:
            out["ETag"] = record["ETag"].strip('"')
        if "ObjectSize" in wanted:
            out["ObjectSize"] = record["Size"]
        if "StorageClass" in wanted:
            out["StorageClass"] = record.get("StorageClass", "STANDARD")
        if "Checksum" in wanted and record.get("Checksums"):
            # A composite checksum is given here without its "-<parts>" suffix.
            out["Checksum"] = {CHECKSUM_MEMBERS[a]: v.split("-")[0] for a, v in record["Checksums"].items()}
            out["Checksum"]["ChecksumType"] = record.get("ChecksumType", "FULL_OBJECT")
        if "ObjectParts" in wanted and record.get("PartSizes"):
            out["ObjectParts"] = _object_parts(record, p)
        return out


def _requested_attributes(names: list[str] | None) -> set[str]:
    """The attributes x-amz-object-attributes names. S3 refuses a header that names none, and any name
    outside the five, rather than answering with less (its answers as recorded in versity/versitygw#915
    and #917/#1000)."""
    wanted = {name.strip() for name in names or [] if name.strip()}
    if not wanted:
        raise invalid_request(
            "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty"
        )
    known = service_model("s3").shape_for("ObjectAttributes").enum  # the five the model lists
    for name in sorted(wanted):
        if name not in known:
            raise invalid_argument("Invalid attribute name specified.", "x-amz-object-attributes", name)
    return wanted


def _object_parts(record: Params, p: Params) -> Params:
    """A page of a multipart object's parts, paged as ListParts is (PartNumberMarker, MaxParts)."""
    sizes = record["PartSizes"]
    sums = record.get("PartChecksums") or []
    if not sums:
        # Without an additional checksum per part, S3 lists no parts here: only how many there are.
        return {"TotalPartsCount": len(sizes)}
    member = CHECKSUM_MEMBERS.get(next(iter(record.get("Checksums") or {}), ""), "")
    marker = p.get("PartNumberMarker") or 0
    limit = p.get("MaxParts") or 1000
    numbers = [n for n in range(1, len(sizes) + 1) if n > marker]
    page = numbers[:limit]
    parts = []
    for number in page:
        part: Params = {"PartNumber": number, "Size": sizes[number - 1]}
        if member and len(sums) == len(sizes):
            part[member] = sums[number - 1]
        parts.append(part)
    return {
        "TotalPartsCount": len(sizes),
        "PartNumberMarker": marker,
        "NextPartNumberMarker": page[-1] if page else 0,
        "MaxParts": limit,
        "IsTruncated": len(numbers) > limit,
        "Parts": parts,
    }
