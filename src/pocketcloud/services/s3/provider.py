"""The S3 provider: buckets, objects, listing, multipart, versioning, configuration.

Each concern is a module of its own; this class puts them together and tells
the authorizer which bucket policy governs a request.
"""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.s3.buckets import BucketOperations
from pocketcloud.services.s3.configuration import ConfigurationOperations, ConfigurationStore
from pocketcloud.services.s3.listing import ListingOperations
from pocketcloud.services.s3.multipart import MultipartOperations
from pocketcloud.services.s3.objects import ObjectOperations
from pocketcloud.services.s3.protection import ProtectionOperations
from pocketcloud.services.s3.state import GLOBAL, S3State


class S3Provider(
    BucketOperations,
    ObjectOperations,
    ListingOperations,
    MultipartOperations,
    ConfigurationOperations,
    ProtectionOperations,
    Provider,
):
    service = "s3"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        self.s3 = S3State(runtime.store)
        self.configs = ConfigurationStore(self.s3)

    def read_object_bytes(self, bucket: str, key: str, version_id: str | None = None) -> bytes | None:
        """A whole object's bytes, for other services (Lambda code from S3); None if absent."""
        from pocketcloud.protocol.errors import ServiceError

        try:
            record = self.find_object(bucket, key, version_id)
        except ServiceError:
            return None
        if not record.get("Size"):
            return b""
        with self.s3.store.blobs.open(record["Blob"]) as handle:
            return handle.read()

    def resource_policy(self, ctx: RequestContext, operation: str, params: dict[str, Any]) -> tuple[str | None, str | None]:
        """The bucket policy and the bucket owner's account, for the authorizer."""
        bucket = params.get("Bucket")
        if not bucket or operation == "CreateBucket":
            return None, None
        doc = self.s3.buckets.get(GLOBAL, bucket)
        if doc is None:
            return None, None
        policy = (doc.get("Configs") or {}).get("Policy")
        return policy, doc["Account"]
