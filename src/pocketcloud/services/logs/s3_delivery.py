"""Writing to an S3 bucket as CloudWatch Logs itself (the export tasks' destination).

AWS's exports call S3 as the service principal `logs.<region>.amazonaws.com`: the
bucket's policy must let that principal s3:GetBucketAcl the bucket and
s3:PutObject its keys (usually with aws:SourceAccount / aws:SourceArn conditions
naming the exporting account and log group). Each call is put to the request
chain's own authorize step as a request of that principal, with the bucket
policy from the S3 provider, and the object is then written through the S3
provider's PutObject: notifications, encryption defaults and versioning apply
as to any other writer. Older policies name the global `logs.amazonaws.com`;
either name is accepted. Its objects are written with the canned ACL
`bucket-owner-full-control`, which AWS's documented export policy requires
(`s3:x-amz-acl` condition).
"""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import operation_model
from pocketcloud.services.base import ServiceRuntime
from pocketcloud.store import Scope


def _service_names(region: str) -> tuple[str, ...]:
    return (f"logs.{region}.amazonaws.com", "logs.amazonaws.com")


class S3AsLogs:
    """S3 calls made by CloudWatch Logs on an account's behalf, for one log group."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.authorizer = runtime.authorizer

    def _context(
        self, scope: Scope, name: str, operation: str, source_arn: str, params: dict[str, Any]
    ) -> RequestContext:
        headers = {"x-amz-acl": params["ACL"]} if params.get("ACL") else {}
        return RequestContext.service_principal(
            name, "s3", operation, scope[1], scope[0], source_arn, headers
        )

    def allowed_context(
        self, scope: Scope, source_arn: str, operation: str, params: dict[str, Any]
    ) -> RequestContext | None:
        """The context of a call the bucket's policy lets CloudWatch Logs make; None when it may not."""
        for name in _service_names(scope[1]):
            ctx = self._context(scope, name, operation, source_arn, params)
            try:
                self.authorizer.authorize(ctx, operation_model("s3", operation), params)
            except ServiceError:
                continue
            return ctx
        return None

    def bucket_exists(self, scope: Scope, source_arn: str, bucket: str) -> bool:
        s3: Any = self.runtime.provider("s3")
        params = {"Bucket": bucket}
        try:  # S3's own answer, unauthorized: AWS names a missing bucket before checking the policy
            s3.HeadBucket(
                self._context(scope, _service_names(scope[1])[0], "HeadBucket", source_arn, params), params
            )
        except ServiceError:
            return False
        return True

    def may_read_acl(self, scope: Scope, source_arn: str, bucket: str) -> bool:
        return self.allowed_context(scope, source_arn, "GetBucketAcl", {"Bucket": bucket}) is not None

    async def put(self, scope: Scope, source_arn: str, bucket: str, key: str, body: bytes) -> bool:
        """Write one object; False when the bucket policy does not let CloudWatch Logs.
        S3's own refusals (no such bucket, ...) are raised as its ServiceError."""
        params: dict[str, Any] = {"Bucket": bucket, "Key": key, "ACL": "bucket-owner-full-control"}
        ctx = self.allowed_context(scope, source_arn, "PutObject", params)
        if ctx is None:
            return False
        s3: Any = self.runtime.provider("s3")
        if s3 is None:
            return False
        await s3.PutObject(ctx, {**params, "Body": body})
        return True
