"""S3 Control's resource tagging: TagResource, UntagResource and ListTagsForResource.

They name a resource by ARN. A general purpose bucket (`arn:aws:s3:::<bucket>`) keeps
its tags where S3 keeps them, so S3 Control reads and writes them through the S3
provider's own bucket tagging operations (and S3's tag checks apply); an access point
(`arn:aws:s3:<region>:<account>:accesspoint/<name>`) keeps them on its own document,
where CreateAccessPoint's `Tags` put them. A bucket's tags are written here even while its ABAC
is on (S3 then refuses PutBucketTagging). These calls are authorized on the ARN they name, with
its `aws:ResourceTag/<key>` (a bucket's only while its ABAC is on, `services/s3/abac.py`).
"""

from __future__ import annotations

import re
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.context_keys import resource_tag_values
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3.abac import bucket_tag_values
from pocketcloud.services.s3.state import GLOBAL

Params = dict[str, Any]
Tags = list[dict[str, str]]

_TAGGING_OPERATIONS = frozenset(("TagResource", "UntagResource", "ListTagsForResource"))
_BUCKET_ARN = re.compile(r"arn:[^:]+:s3:::([^/]+)")
_ACCESS_POINT_ARN = re.compile(r"arn:[^:]+:s3:([^:]+):(\d{12}):accesspoint/([^/]+)")


def _merge(tags: Tags, new: Tags) -> Tags:
    """`tags` with `new` added, a new value replacing an old one of the same key."""
    replaced = {tag["Key"] for tag in new}
    return [tag for tag in tags if tag["Key"] not in replaced] + [dict(tag) for tag in new]


class TaggingOperations:
    """S3 Control's tagging operations (mixed into S3ControlProvider)."""

    # S3ControlProvider's `runtime` and `_account`, AccessPointOperations' `access_point` and `_update`
    # (not declared here: a stub in this mixin would shadow the real method, being earlier in the MRO).
    runtime: Any

    # -- buckets, through S3 ---------------------------------------------------------------

    def _own_bucket(self, account: str, name: str) -> Any:
        s3: Any = self.runtime.provider("s3")
        if s3.s3.bucket(name)["Account"] != account:  # NoSuchBucket when there is none
            raise ServiceError("AccessDenied", "Access Denied", status=403)
        return s3

    def _bucket_tags(self, ctx: RequestContext, s3: Any, bucket: str) -> Tags:
        try:
            return list(s3.GetBucketTagging(ctx, {"Bucket": bucket}).get("TagSet") or [])
        except ServiceError as exc:
            if exc.code == "NoSuchTagSet":
                return []
            raise

    def _set_bucket_tags(self, ctx: RequestContext, s3: Any, bucket: str, tags: Tags) -> None:
        # Not through PutBucketTagging, which S3 refuses while the bucket's ABAC is on: these calls
        # are the way to tag a bucket then. An empty set removes the bucket's tags.
        s3.set_bucket_tags(ctx, bucket, tags)

    # -- condition keys -----------------------------------------------------------------------

    def condition_values(self, ctx: RequestContext, operation: str, params: Params) -> Params:
        """`aws:ResourceTag/<key>` of the resource the ARN names (a bucket's only while its ABAC is
        on; an access point's always, ABAC being on for them by default). TagResource's
        `aws:RequestTag/<key>` and `aws:TagKeys`, and UntagResource's `aws:TagKeys`, come from their
        parameters (`iam/context_keys.request_keys`)."""
        values: Params = {}
        arn = str(params.get("ResourceArn") or "")
        if (bucket := _BUCKET_ARN.fullmatch(arn)) is not None:
            doc = self.runtime.provider("s3").s3.buckets.get(GLOBAL, bucket.group(1))
            tags = bucket_tag_values(doc) if doc is not None else {}
            values.update({key: value for key, value in tags.items() if key.startswith("aws:")})
        elif (point := _ACCESS_POINT_ARN.fullmatch(arn)) is not None:
            found = self.access_point(point.group(2), point.group(1), point.group(3))  # type: ignore[attr-defined]
            values.update(resource_tag_values((found or {}).get("Tags")))
        return values

    def resource_arns(self, ctx: RequestContext, operation: str, params: Params) -> list[str] | None:
        """The tagging calls act on the resource their ARN names (a policy's `Resource` is matched
        against it); every other operation's resources come from the model's parameters."""
        if operation in _TAGGING_OPERATIONS and params.get("ResourceArn"):
            return [str(params["ResourceArn"])]
        return None

    # -- dispatch ---------------------------------------------------------------------------

    def _resource(self, ctx: RequestContext, p: Params) -> tuple[str, str, Any]:
        """("bucket", name, S3 provider) or ("accesspoint", name, its document) for the ARN."""
        account = self._account(ctx, p)  # type: ignore[attr-defined]
        arn = str(p.get("ResourceArn") or "")
        bucket = _BUCKET_ARN.fullmatch(arn)
        if bucket is not None:
            return "bucket", bucket.group(1), self._own_bucket(account, bucket.group(1))
        point = _ACCESS_POINT_ARN.fullmatch(arn)
        if point is not None and point.group(2) == account:
            found = self.access_point(account, point.group(1), point.group(3))  # type: ignore[attr-defined]
            if found is None:
                raise ServiceError(
                    "NoSuchAccessPoint",
                    "The specified accesspoint does not exist",
                    status=404,
                    AccessPointName=point.group(3),
                )
            return "accesspoint", point.group(3), found
        raise ServiceError("InvalidRequest", "Invalid resource ARN", status=400)

    def _tags_of(self, ctx: RequestContext, kind: str, name: str, target: Any) -> Tags:
        if kind == "bucket":
            return self._bucket_tags(ctx, target, name)
        return list(target.get("Tags") or [])

    def _store(self, ctx: RequestContext, p: Params, kind: str, name: str, target: Any, tags: Tags) -> None:
        if kind == "bucket":
            self._set_bucket_tags(ctx, target, name, tags)
        else:
            self._update(target["Account"], target, Tags=tags or None)  # type: ignore[attr-defined]

    # -- operations -------------------------------------------------------------------------

    def ListTagsForResource(self, ctx: RequestContext, p: Params) -> Params:
        kind, name, target = self._resource(ctx, p)
        return {"Tags": self._tags_of(ctx, kind, name, target)}

    def TagResource(self, ctx: RequestContext, p: Params) -> Params:
        kind, name, target = self._resource(ctx, p)
        tags = _merge(self._tags_of(ctx, kind, name, target), list(p.get("Tags") or []))
        self._store(ctx, p, kind, name, target, tags)
        return {}

    def UntagResource(self, ctx: RequestContext, p: Params) -> Params:
        kind, name, target = self._resource(ctx, p)
        doomed = set(p.get("TagKeys") or [])
        tags = [tag for tag in self._tags_of(ctx, kind, name, target) if tag["Key"] not in doomed]
        self._store(ctx, p, kind, name, target, tags)
        return {}
