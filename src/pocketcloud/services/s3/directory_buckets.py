"""Directory buckets (S3 Express One Zone): creating, describing and listing them, and what they
refuse or answer differently from general purpose buckets.

A directory bucket is a bucket document with `BucketType: Directory` and its zone (`Location`);
its objects are stored as any bucket's are. Its differences, from each operation's "Directory
buckets" notes in the S3 API reference and the User Guide's "Directory buckets" chapters:

- created with CreateBucketConfiguration's Location and Bucket (no LocationConstraint), named
  `<base>--<zone-id>--x-s3` with the zone id of its Location; listed by ListDirectoryBuckets,
  never by ListBuckets; HeadBucket names its location's type and name;
- only the operations of "Amazon S3 API operations for directory buckets"; anything else
  (versioning, ACLs, tagging, Object Lock, website, ListObjects v1, ...) is 501 NotImplemented,
  as are the request headers of those features on writes, but for a configuration document PUT
  on the bucket, which its endpoint reads as a CreateBucket and refuses by its root element;
- objects are stored in EXPRESS_ONEZONE, and no other storage class may be named;
- ListObjectsV2 takes only "/" as its delimiter, and only a prefix that ends in "/"; with the
  delimiter, its common prefixes include those of in-progress multipart uploads' keys.

Sessions and authorization are `express_sessions.py`'s; RenameObject is `rename_object.py`'s.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from botocore.model import OperationModel

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3.access import DEFAULT_PUBLIC_ACCESS_BLOCK
from pocketcloud.services.s3.directory_names import (
    check_directory_policy,
    invalid_bucket_name,
    is_directory_bucket_name,
    zone_of,
)
from pocketcloud.services.s3.errors import invalid_argument, invalid_request, malformed_xml
from pocketcloud.services.s3.express_sessions import ExpressSessionOperations, express_bucket_arn
from pocketcloud.services.s3.state import GLOBAL, now

Params = dict[str, Any]

EXPRESS_ONEZONE = "EXPRESS_ONEZONE"
# "Amazon S3 API operations for directory buckets": Regional and Zonal endpoint operations.
SUPPORTED_OPERATIONS = frozenset(
    {
        "CreateBucket",
        "DeleteBucket",
        "HeadBucket",
        "PutBucketPolicy",
        "GetBucketPolicy",
        "DeleteBucketPolicy",
        "PutBucketEncryption",
        "GetBucketEncryption",
        "DeleteBucketEncryption",
        "PutBucketLifecycleConfiguration",
        "GetBucketLifecycleConfiguration",
        "DeleteBucketLifecycle",
        "CreateSession",
        "PutObject",
        "GetObject",
        "HeadObject",
        "DeleteObject",
        "DeleteObjects",
        "CopyObject",
        "RenameObject",
        "GetObjectAttributes",
        "ListObjectsV2",
        "CreateMultipartUpload",
        "UploadPart",
        "UploadPartCopy",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
        "ListParts",
        "ListMultipartUploads",
    }
)
# Request members of features directory buckets lack: a write naming one is refused.
_UNSUPPORTED_MEMBERS = (
    "ACL",
    "GrantFullControl",
    "GrantRead",
    "GrantReadACP",
    "GrantWriteACP",
    "Tagging",
    "ObjectLockMode",
    "ObjectLockRetainUntilDate",
    "ObjectLockLegalHoldStatus",
    "WebsiteRedirectLocation",
    "SSECustomerAlgorithm",  # SSE-C: directory buckets encrypt with SSE-S3 or SSE-KMS only
    "CopySourceSSECustomerAlgorithm",
)
_LOCATION_TYPES = {"AvailabilityZone": "SingleAvailabilityZone", "LocalZone": "SingleLocalZone"}
_MAX_LISTED = 1000


def not_implemented(header: str | None = None) -> ServiceError:
    fields: dict[str, Any] = {"Header": header} if header else {}
    return ServiceError(
        "NotImplemented", "A header you provided implies functionality that is not implemented", status=501, **fields
    )


def _refused_configuration(operation: OperationModel, params: Params) -> ServiceError | None:
    """A directory bucket's endpoint reads a PUT on the bucket as CreateBucket: a configuration
    document it has no such setting for is refused by its root element, "VersioningConfiguration is
    not valid, expected CreateBucketConfiguration" (400 InvalidArgument; the Terraform AWS provider
    tells directory buckets so for versioning, CORS, ownership controls, notifications, logging ...)."""
    if operation.http.get("method") != "PUT" or "Key" in operation.input_shape.members:
        return None
    payload = operation.input_shape.serialization.get("payload")
    if payload is None or params.get(payload) is None:
        return None
    root = operation.input_shape.members[payload].serialization.get("name", payload)
    return ServiceError("InvalidArgument", f"{root} is not valid, expected CreateBucketConfiguration", status=400)


def is_directory_bucket(doc: Params | None) -> bool:
    return bool(doc) and doc.get("BucketType") == "Directory"  # type: ignore[union-attr]


def _express_storage_class(entries: list[Params] | None) -> None:
    for entry in entries or ():
        if "StorageClass" in entry:
            entry["StorageClass"] = EXPRESS_ONEZONE


class DirectoryBucketOperations(ExpressSessionOperations):
    # -- on arrival: what a directory bucket refuses before anything else ------------------

    def resolve_request(self, ctx: RequestContext, operation: OperationModel, params: Params) -> None:
        super().resolve_request(ctx, operation, params)  # type: ignore[misc]
        name = operation.name
        self.check_session_scope(ctx, name, params)
        bucket = params.get("Bucket")
        if name == "RenameObject" and not (isinstance(bucket, str) and is_directory_bucket_name(bucket)):
            raise not_implemented()  # RenameObject is for directory buckets only
        if not isinstance(bucket, str) or not is_directory_bucket_name(bucket):
            return
        if name not in SUPPORTED_OPERATIONS:
            raise _refused_configuration(operation, params) or not_implemented()
        members = operation.input_shape.members
        for member in _UNSUPPORTED_MEMBERS:
            if params.get(member) is not None and member in members:
                raise not_implemented(members[member].serialization.get("name", member))
        if name == "CopyObject" and str(params.get("AnnotationDirective") or "").upper() == "COPY":
            raise not_implemented("x-amz-object-annotation-directive")  # no annotations here (CopyObject)
        storage_class = params.get("StorageClass")
        if storage_class is not None:
            if storage_class != EXPRESS_ONEZONE:
                raise ServiceError(
                    "InvalidStorageClass",
                    "The storage class you specified is not valid",
                    status=400,
                    StorageClassRequested=storage_class,
                )
            del params["StorageClass"]  # the one class there is: stored as the bucket's default
        # An empty delimiter is no delimiter: Mountpoint for S3 checks every bucket it mounts,
        # directory buckets included, with ListObjectsV2 ?delimiter=&max-keys=0, and s3fs's find
        # lists with delimiter= too.
        if name == "ListObjectsV2" and params.get("Delimiter") not in (None, "", "/"):
            raise invalid_argument(
                "Invalid delimiter: directory buckets support only '/' as a delimiter",
                "delimiter",
                params["Delimiter"],
            )
        prefix = params.get("Prefix")
        if name == "ListObjectsV2" and prefix and not prefix.endswith("/"):
            # What S3 Express answered aws-s3-transfer-manager-rs's download_objects (its PR 112).
            raise invalid_request(
                "This bucket does not support a prefix that does not end in a delimiter. "
                "Specify a prefix path ending with a delimiter and try again."
            )

    def validate_policy(self, ctx: RequestContext, bucket: str, value: Any) -> None:
        """A directory bucket's policy names s3express actions on its arn:aws:s3express ARN
        ("Example bucket policies for directory buckets"); a general purpose bucket's, S3's."""
        doc = self.s3.bucket(bucket)
        if not is_directory_bucket(doc):
            super().validate_policy(ctx, bucket, value)  # type: ignore[misc]
            return
        check_directory_policy(value, express_bucket_arn(doc["Region"], doc["Account"], bucket))

    # -- buckets ----------------------------------------------------------------------------

    def CreateBucket(self, ctx: RequestContext, p: Params) -> Params:
        config = p.get("CreateBucketConfiguration") or {}
        if not (config.get("Location") or config.get("Bucket")):
            return super().CreateBucket(ctx, p)  # type: ignore[misc]
        name = p["Bucket"]
        location = config.get("Location") or {}
        info = config.get("Bucket") or {}
        if config.get("LocationConstraint") is not None:
            raise malformed_xml()  # a directory bucket's place is its zone, not a Region
        zone = zone_of(name)
        if zone is None or info.get("Type") != "Directory" or location.get("Name") != zone:
            raise invalid_bucket_name(name)
        location_type = location.get("Type") or "AvailabilityZone"
        redundancy = info.get("DataRedundancy") or _LOCATION_TYPES.get(location_type)
        # A Local Zone's id names the zone's city as well (usw2-lax1-az1), an Availability Zone's does
        # not (use1-az4). Any other pairing of type, zone and redundancy is refused in S3's words, as
        # AWS answered the Terraform AWS provider's TestAccS3DirectoryBucket_defaultDataRedundancy (a
        # LocalZone named by an Availability Zone's id): "InvalidRequest: Invalid Data Redundancy value".
        local = zone.count("-") > 1
        if (
            location_type not in _LOCATION_TYPES
            or redundancy != _LOCATION_TYPES[location_type]
            or local != (location_type == "LocalZone")
        ):
            raise invalid_request("Invalid Data Redundancy value")
        ownership = p.get("ObjectOwnership")
        if ownership not in (None, "BucketOwnerEnforced") or p.get("ObjectLockEnabledForBucket"):
            raise not_implemented("x-amz-object-ownership" if ownership else "x-amz-bucket-object-lock-enabled")
        doc = {
            "Name": name,
            "Account": ctx.account_id,
            "Region": ctx.region,
            "CreationDate": now().isoformat(),
            "BucketType": "Directory",
            "Location": {"Type": location_type, "Name": zone},
            "DataRedundancy": redundancy,
            "ObjectOwnership": "BucketOwnerEnforced",
            "ObjectLockEnabled": False,
            "Acl": self.initial_bucket_acl(ctx, {}, "BucketOwnerEnforced"),  # type: ignore[attr-defined]
            # Block Public Access is always on for directory buckets and cannot be turned off.
            "Configs": {"PublicAccessBlock": dict(DEFAULT_PUBLIC_ACCESS_BLOCK)},
            # SSE-C is refused on arrival (resolve_request), not by a default encryption setting.
            "SseCBlockedByDefault": False,
        }
        if not self.s3.buckets.insert(GLOBAL, name, doc):
            existing = self.s3.bucket(name)
            if existing["Account"] != ctx.account_id:
                raise ServiceError(
                    "BucketAlreadyExists",
                    "The requested bucket name is not available. The bucket namespace is shared by all users "
                    "of the system. Please select a different name and try again.",
                    status=409,
                    BucketName=name,
                )
            raise ServiceError(
                "BucketAlreadyOwnedByYou",
                "Your previous request to create the named bucket succeeded and you already own it.",
                status=409,
                BucketName=name,
            )
        return {"Location": f"/{name}", "BucketArn": express_bucket_arn(ctx.region, ctx.account_id, name)}

    def HeadBucket(self, ctx: RequestContext, p: Params) -> Params:
        doc = self.s3.bucket(p["Bucket"])
        if not is_directory_bucket(doc):
            return super().HeadBucket(ctx, p)  # type: ignore[misc]
        return {
            "BucketArn": express_bucket_arn(doc["Region"], doc["Account"], doc["Name"]),
            "BucketLocationType": doc["Location"]["Type"],
            "BucketLocationName": doc["Location"]["Name"],
            "BucketRegion": doc["Region"],
            "AccessPointAlias": False,
        }

    def ListDirectoryBuckets(self, ctx: RequestContext, p: Params) -> Params:
        limit = p.get("MaxDirectoryBuckets")
        if limit is None:
            limit = _MAX_LISTED
        if not 0 <= limit <= _MAX_LISTED:
            raise invalid_argument(
                f"Argument max-directory-buckets must be an integer between 0 and {_MAX_LISTED}",
                "max-directory-buckets",
                str(limit),
            )
        after = _token_name(p.get("ContinuationToken"))
        page, more = self.s3.owned_buckets(ctx.account_id, limit, is_directory_bucket, start_after=after)
        found = [
            {
                "Name": name,
                "CreationDate": doc["CreationDate"],
                "BucketRegion": doc["Region"],
                "BucketArn": express_bucket_arn(doc["Region"], doc["Account"], name),
            }
            for name, doc in page
        ]
        result: Params = {"Buckets": found}
        if more and found:
            result["ContinuationToken"] = base64.urlsafe_b64encode(found[-1]["Name"].encode()).decode()
        return result

    # -- objects: stored in EXPRESS_ONEZONE -----------------------------------------------------

    def _in_directory_bucket(self, p: Params) -> bool:
        name = p.get("Bucket")
        return isinstance(name, str) and is_directory_bucket_name(name)

    def GetObject(self, ctx: RequestContext, p: Params) -> Params:
        result: Params = super().GetObject(ctx, p)  # type: ignore[misc]
        if self._in_directory_bucket(p):
            result["StorageClass"] = EXPRESS_ONEZONE
        return result

    def HeadObject(self, ctx: RequestContext, p: Params) -> Params:
        result: Params = super().HeadObject(ctx, p)  # type: ignore[misc]
        if self._in_directory_bucket(p):
            result["StorageClass"] = EXPRESS_ONEZONE
        return result

    def GetObjectAttributes(self, ctx: RequestContext, p: Params) -> Params:
        result: Params = super().GetObjectAttributes(ctx, p)  # type: ignore[misc]
        if self._in_directory_bucket(p) and "StorageClass" in result:
            result["StorageClass"] = EXPRESS_ONEZONE
        return result

    def lists_upload_prefixes(self, bucket: str) -> bool:
        # ListObjectsV2: "For directory buckets, ListObjectsV2 response includes the prefixes that
        # are related only to in-progress multipart uploads" (and its Delimiter's note).
        return is_directory_bucket_name(bucket) or super().lists_upload_prefixes(bucket)  # type: ignore[misc]

    def deletes_uploads_with_bucket(self, bucket: str) -> bool:
        # DeleteBucket: "If multipart uploads in a directory bucket are in progress, you can't delete
        # the bucket until all the in-progress multipart uploads are aborted or completed."
        return not is_directory_bucket_name(bucket) and super().deletes_uploads_with_bucket(bucket)  # type: ignore[misc]

    def ListObjectsV2(self, ctx: RequestContext, p: Params) -> Params:
        result: Params = super().ListObjectsV2(ctx, p)  # type: ignore[misc]
        if self._in_directory_bucket(p):
            _express_storage_class(result.get("Contents"))
        return result

    def ListParts(self, ctx: RequestContext, p: Params) -> Params:
        result: Params = super().ListParts(ctx, p)  # type: ignore[misc]
        if self._in_directory_bucket(p):
            result["StorageClass"] = EXPRESS_ONEZONE
        return result

    def ListMultipartUploads(self, ctx: RequestContext, p: Params) -> Params:
        result: Params = super().ListMultipartUploads(ctx, p)  # type: ignore[misc]
        if self._in_directory_bucket(p):
            _express_storage_class(result.get("Uploads"))
        return result


def _token_name(token: str | None) -> str | None:
    """The bucket name a ListDirectoryBuckets continuation token resumes after."""
    if token is None:
        return None
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise invalid_argument("The continuation token provided is incorrect", "continuation-token", token) from None
