"""The S3 provider: buckets, objects, listing, multipart, versioning, configuration.

Each concern is a module of its own; this class puts them together. What the
authorizer asks (the resource policy in force, S3's condition keys) is answered
by `access.py`.
"""

from __future__ import annotations

import inspect
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.s3.abac import AbacOperations
from pocketcloud.services.s3.access import AccessControlOperations
from pocketcloud.services.s3.access_point_routing import AccessPointRouting
from pocketcloud.services.s3.annotations import AnnotationOperations
from pocketcloud.services.s3.bodies import read_blob_bytes
from pocketcloud.services.s3.bucket_configs import KeyedConfigOperations
from pocketcloud.services.s3.buckets import BucketOperations
from pocketcloud.services.s3.completions import Completions
from pocketcloud.services.s3.config_checks import ConfigurationChecks
from pocketcloud.services.s3.configuration import ConfigurationOperations, ConfigurationStore
from pocketcloud.services.s3.cors import CorsOperations
from pocketcloud.services.s3.directory_buckets import DirectoryBucketOperations
from pocketcloud.services.s3.legacy_configs import LegacyConfigOperations
from pocketcloud.services.s3.lifecycle import LifecycleOperations
from pocketcloud.services.s3.listing import ListingOperations
from pocketcloud.services.s3.locking import ObjectLockOperations
from pocketcloud.services.s3.multipart import MultipartOperations
from pocketcloud.services.s3.notifications import (
    NotificationOperations,
    normalized_notification,
    restore_completed,
)
from pocketcloud.services.s3.object_copy import CopyOperations
from pocketcloud.services.s3.object_encryption import ObjectEncryptionOperations
from pocketcloud.services.s3.object_tagging import ObjectTaggingOperations
from pocketcloud.services.s3.objects import ObjectOperations
from pocketcloud.services.s3.post_object import PostObjectOperations
from pocketcloud.services.s3.protection import ProtectionOperations, refuse_encryption_header
from pocketcloud.services.s3.rename_object import RenameOperations
from pocketcloud.services.s3.replication import ReplicationOperations
from pocketcloud.services.s3.select.operation import SelectOperations
from pocketcloud.services.s3.state import S3State, bucket_scope


async def _settled(result: Any) -> Any:
    """An operation's result, whether the operation was written as a coroutine or not."""
    return await result if inspect.isawaitable(result) else result


# What replication copies: new versions, and delete markers (not deletions of a version by its id).
_REPLICATED_EVENTS = ("s3:ObjectCreated:", "s3:ObjectRemoved:DeleteMarkerCreated")


class S3Provider(
    DirectoryBucketOperations,  # first: directory buckets refuse or answer differently (S3 Express One Zone)
    NotificationOperations,
    KeyedConfigOperations,  # before BucketOperations: its DeleteBucket drops the bucket's configurations
    LegacyConfigOperations,
    BucketOperations,
    CopyOperations,
    ObjectTaggingOperations,
    ObjectEncryptionOperations,
    AnnotationOperations,
    ReplicationOperations,
    ObjectOperations,
    ListingOperations,
    MultipartOperations,
    CorsOperations,
    LifecycleOperations,
    ObjectLockOperations,
    AbacOperations,  # before ConfigurationOperations: it refuses bucket tagging while ABAC is on
    ConfigurationChecks,
    ConfigurationOperations,
    ProtectionOperations,
    AccessControlOperations,
    AccessPointRouting,
    PostObjectOperations,
    SelectOperations,
    RenameOperations,
    Provider,
):
    service = "s3"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        self.s3 = S3State(runtime.store)
        self.configs = ConfigurationStore(self.s3)
        self.completions = Completions()  # recent CompleteMultipartUpload results, for retries

    # -- event notifications: the operations that change objects, then their events ----------

    def _current(self, bucket: str, key: str) -> dict[str, Any] | None:
        return self.s3.objects.get(bucket_scope(bucket), key)

    def _acted_on(self, p: dict[str, Any]) -> dict[str, Any] | None:
        """The version a call on an existing object acted on: the one its VersionId names, else the
        current one (an event names the version that was tagged, not the newest)."""
        if not p.get("VersionId"):
            return self._current(p["Bucket"], p["Key"])
        try:
            return self.find_object(p["Bucket"], p["Key"], p["VersionId"])
        except ServiceError:
            return None

    async def notify(
        self,
        ctx: RequestContext | None,
        event: str,
        bucket: str,
        key: str,
        record: dict[str, Any] | None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Every new object version and delete marker passes here, after its write: its events are
        sent, and it is replicated where the bucket's replication rules say (replication.py)."""
        await super().notify(ctx, event, bucket, key, record, extra)
        if ctx is not None and record and event.startswith(_REPLICATED_EVENTS):
            self.replicate(bucket, key, record.get("VersionId"))

    async def PutObject(self, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        result = await _settled(super().PutObject(ctx, p))
        # What the event tells of the object is in the result: no need to read it back.
        written = {
            # Taken out of the answer: AWS sends x-amz-object-size only for appends to S3 Express objects.
            "Size": result.pop("Size"),
            "ETag": result["ETag"],
            "VersionId": result.get("VersionId", "null"),
        }
        await self.notify(ctx, "s3:ObjectCreated:Put", p["Bucket"], p["Key"], written)
        return result

    def GetObject(self, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        refuse_encryption_header(ctx)
        if ctx.principal.is_anonymous:
            self.check_anonymous_read(p)
        try:
            return super().GetObject(ctx, p)
        except ServiceError as error:  # a caller who may not list the bucket gets 403, not NoSuchKey
            raise self.hide_missing_key(ctx, p["Bucket"], error) from None

    def HeadObject(self, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        refuse_encryption_header(ctx)
        if ctx.principal.is_anonymous:
            self.check_anonymous_read(p)
        try:
            return super().HeadObject(ctx, p)
        except ServiceError as error:
            raise self.hide_missing_key(ctx, p["Bucket"], error) from None

    async def CopyObject(self, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        self.authorize_copy_source(ctx, p["CopySource"])
        self._authorize_annotation_copy(ctx, p)
        result = await _settled(super().CopyObject(ctx, p))
        await self.notify(
            ctx, "s3:ObjectCreated:Copy", p["Bucket"], p["Key"], self._current(p["Bucket"], p["Key"])
        )
        return result

    def _authorize_annotation_copy(self, ctx: RequestContext, p: dict[str, Any]) -> None:
        """A copy that copies annotations (the default) also needs s3:GetObjectAnnotation on the source
        and s3:PutObjectAnnotation on the destination (CopyObject): asked when the source has some."""
        if str(p.get("AnnotationDirective") or "COPY").upper() != "COPY":
            return
        try:
            bucket, key, version = self.parse_copy_source(p["CopySource"])
            source = self.find_object(bucket, key, version)
        except ServiceError:
            return  # the copy itself answers for a source it cannot read
        if source.get("Annotations"):
            where = {"Bucket": bucket, "Key": key, **({"VersionId": version} if version else {})}
            self._authorize_as(ctx, "GetObjectAnnotation", where)
            self._authorize_as(ctx, "PutObjectAnnotation", {"Bucket": p["Bucket"], "Key": p["Key"]})

    async def UploadPartCopy(self, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        self.authorize_copy_source(ctx, p["CopySource"])
        return await _settled(super().UploadPartCopy(ctx, p))

    async def _complete_upload(self, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:
        # The completion itself, not CompleteMultipartUpload: a retry answered from memory
        # (services/s3/completions.py) creates nothing and so sends no second event.
        result = await _settled(super()._complete_upload(ctx, p))
        await self.notify(
            ctx,
            "s3:ObjectCreated:CompleteMultipartUpload",
            p["Bucket"],
            p["Key"],
            self._current(p["Bucket"], p["Key"]),
        )
        return result

    async def _notify_removed(
        self, ctx: RequestContext, bucket: str, key: str, version_id: str | None, out: dict[str, Any]
    ) -> None:
        created_marker = out.get("DeleteMarker") and not version_id
        event = "s3:ObjectRemoved:DeleteMarkerCreated" if created_marker else "s3:ObjectRemoved:Delete"
        await self.notify(ctx, event, bucket, key, {"VersionId": out.get("VersionId") or version_id})

    # The gateway awaits whatever an operation returns, so an override that notifies may be a
    # coroutine where the base operation is not (hence the override ignores below).
    async def DeleteObject(self, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:  # type: ignore[override]
        result = await _settled(super().DeleteObject(ctx, p))
        await self._notify_removed(ctx, p["Bucket"], p["Key"], p.get("VersionId"), result)
        return result

    async def DeleteObjects(self, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:  # type: ignore[override]
        result = await _settled(super().DeleteObjects(ctx, p))
        deleted = result.pop("Deleted", [])
        if not (p.get("Delete") or {}).get("Quiet"):  # a Quiet answer lists only the errors
            result["Deleted"] = deleted
        for entry in deleted:
            out = {
                "DeleteMarker": entry.get("DeleteMarker"),
                "VersionId": entry.get("DeleteMarkerVersionId") or entry.get("VersionId"),
            }
            await self._notify_removed(ctx, p["Bucket"], entry["Key"], entry.get("VersionId"), out)
        return result

    async def PutObjectTagging(self, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:  # type: ignore[override]
        result = await _settled(super().PutObjectTagging(ctx, p))
        await self.notify(
            ctx, "s3:ObjectTagging:Put", p["Bucket"], p["Key"], self._acted_on(p)
        )
        self.replicate(p["Bucket"], p["Key"], result.get("VersionId"), tags_only=True)
        return result

    async def DeleteObjectTagging(self, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:  # type: ignore[override]
        result = await _settled(super().DeleteObjectTagging(ctx, p))
        await self.notify(
            ctx, "s3:ObjectTagging:Delete", p["Bucket"], p["Key"], self._acted_on(p)
        )
        self.replicate(p["Bucket"], p["Key"], result.get("VersionId"), tags_only=True)
        return result

    async def PutObjectAcl(self, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:  # type: ignore[override]
        # AWS sends s3:ObjectAcl:Put only when the ACL changes (not for the one already in force).
        try:
            before = self.object_acl(
                self.s3.bucket(p["Bucket"]), self.find_object(p["Bucket"], p["Key"], p.get("VersionId"))
            )
        except ServiceError:
            before = None  # the operation itself answers the error, in its own order of checks
        result = await _settled(super().PutObjectAcl(ctx, p))
        record = self.find_object(p["Bucket"], p["Key"], p.get("VersionId"))
        if self.object_acl(self.s3.bucket(p["Bucket"]), record) != before:
            await self.notify(ctx, "s3:ObjectAcl:Put", p["Bucket"], p["Key"], record)
        return result

    async def RestoreObject(self, ctx: RequestContext, p: dict[str, Any]) -> dict[str, Any]:  # type: ignore[override]
        result = await _settled(super().RestoreObject(ctx, p))
        if result.get("__status") == 202:  # a restore started; here it also completes at once
            record = self.find_object(p["Bucket"], p["Key"], p.get("VersionId"))
            await self.notify(ctx, "s3:ObjectRestore:Post", p["Bucket"], p["Key"], record)
            completed = restore_completed(self.s3.bucket(p["Bucket"]), record)
            await self.notify(ctx, "s3:ObjectRestore:Completed", p["Bucket"], p["Key"], record, completed)
        return result

    async def PutBucketNotificationConfiguration(
        self, ctx: RequestContext, p: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = p["Bucket"]
        config = p.get("NotificationConfiguration") or {}
        skip = bool(p.get("SkipDestinationValidation"))
        self.validate_notification(ctx, bucket, config, skip)
        config = normalized_notification(config)
        self.configs.put(bucket, "Notification", config)
        await self.send_test_events(bucket, config, skip, ctx.request_id)
        return {}

    def read_object_bytes(self, bucket: str, key: str, version_id: str | None = None) -> bytes | None:
        """A whole object's bytes, for other services (Lambda code from S3); None if absent."""
        try:
            record = self.find_object(bucket, key, version_id)
        except ServiceError:
            return None
        if not record.get("Size"):
            return b""
        return read_blob_bytes(self.s3.store.blobs, record["Blob"])
