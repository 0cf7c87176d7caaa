"""Attribute-based access control (ABAC) of general purpose buckets: PutBucketAbac, GetBucketAbac.

ABAC is off on every bucket until PutBucketAbac turns it on (S3 User Guide, "Enabling ABAC in
general purpose buckets"). While it is on:
- policies' `aws:ResourceTag/<key>` and `s3:BucketTag/<key>` conditions see the bucket's tags, for
  the bucket's actions and its objects' (`bucket_tag_values`, asked by `condition_values`); while
  it is off S3 does not evaluate them, so a condition on them finds no value;
- the bucket's tags are managed with S3 Control's TagResource/UntagResource (`set_bucket_tags`),
  and PutBucketTagging/DeleteBucketTagging are refused; GetBucketTagging still reads them.
The status is kept with the bucket's other configurations (`Configs["Abac"]`).
"""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3.errors import malformed_xml

Params = dict[str, Any]

_STATUSES = ("Enabled", "Disabled")


def abac_enabled(bucket_doc: Params) -> bool:
    return ((bucket_doc.get("Configs") or {}).get("Abac") or {}).get("Status") == "Enabled"


def bucket_tag_values(bucket_doc: Params) -> Params:
    """The bucket's tags as `aws:ResourceTag/<key>` and `s3:BucketTag/<key>`, {} while ABAC is off."""
    if not abac_enabled(bucket_doc):
        return {}
    values: Params = {}
    for tag in ((bucket_doc.get("Configs") or {}).get("Tagging") or {}).get("TagSet") or []:
        values[f"aws:ResourceTag/{tag['Key']}"] = tag.get("Value", "")
        values[f"s3:BucketTag/{tag['Key']}"] = tag.get("Value", "")
    return values


def _tagging_refused() -> ServiceError:
    # AWS documents that these calls stop working while ABAC is on ("the permissions that you
    # previously used ... will no longer work") but not the answer's wording: S3's AccessDenied.
    return ServiceError("AccessDenied", "Access Denied", status=403)


class AbacOperations:
    """Mixed into S3Provider ahead of ConfigurationOperations, whose bucket tagging it guards."""

    s3: Any
    configs: Any

    def PutBucketAbac(self, ctx: RequestContext, p: Params) -> Params:
        status = (p.get("AbacStatus") or {}).get("Status")
        if status not in _STATUSES:
            raise malformed_xml()
        self.configs.put(p["Bucket"], "Abac", {"Status": status})
        return {}

    def GetBucketAbac(self, ctx: RequestContext, p: Params) -> Params:
        return {"AbacStatus": dict(self.configs.get(p["Bucket"], "Abac") or {"Status": "Disabled"})}

    def PutBucketTagging(self, ctx: RequestContext, p: Params) -> Params:
        if abac_enabled(self.s3.bucket(p["Bucket"])):
            raise _tagging_refused()
        return super().PutBucketTagging(ctx, p)  # type: ignore[misc]

    def DeleteBucketTagging(self, ctx: RequestContext, p: Params) -> Params:
        if abac_enabled(self.s3.bucket(p["Bucket"])):
            raise _tagging_refused()
        return super().DeleteBucketTagging(ctx, p)  # type: ignore[misc]

    def set_bucket_tags(self, ctx: RequestContext, bucket: str, tags: list[dict[str, str]]) -> None:
        """The bucket's whole tag set, for S3 Control's TagResource/UntagResource (whatever the
        ABAC status), checked as PutBucketTagging checks it; an empty set removes the tags."""
        value = {"TagSet": tags}
        self.validate_tagging(ctx, bucket, value)  # type: ignore[attr-defined]
        if tags:
            self.configs.put(bucket, "Tagging", value)
        else:
            self.configs.delete(bucket, "Tagging")
