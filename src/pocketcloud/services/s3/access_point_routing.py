"""S3 requests through an access point: the same operation on the access point's bucket, authorized twice.

A request names an access point in place of a bucket in one of three ways: by its alias
(`<name>-<random>-s3alias`, used like a bucket name), by its ARN (boto3 turns
`Bucket="arn:aws:s3:<region>:<account>:accesspoint/<name>"` into the host `<name>-<account>.<endpoint>`,
or `<name>-<account>.s3-accesspoint.<region>.amazonaws.com` on AWS), or by the ARN itself in the
path. The gateway asks `resolve_request` before authorizing; for an operation access points serve
("Access point compatibility", S3 User Guide) it puts the bucket in place of the access point, so
that everything after is the S3 operation as it is on the bucket.

AWS authorizes such a request twice, and both must allow it:
- through the access point: the caller's identity policies and the access point's policy, on the
  access point's resources (`arn:aws:s3:<region>:<account>:accesspoint/<name>` and
  `.../accesspoint/<name>/object/<key>`), the access point's account owning them; done here, by the
  chain's own authorizer (`resource_policy` and `resource_arns` answer for an access point ARN);
- on the bucket: the usual check (bucket policy, ACLs, identity), with the condition keys
  `s3:DataAccessPointArn`, `s3:DataAccessPointAccount` and `s3:AccessPointNetworkOrigin` set, which
  is how a bucket policy delegates access control to its access points.

Access points take no anonymous requests ("Access points don't support anonymous access", S3 User
Guide), whatever their policies say. Block Public Access applies as the most restrictive
combination of the access point's, the bucket's and the account's settings. Nothing here comes
from a VPC, so an access point whose network origin is a VPC refuses every request, as AWS refuses
requests from outside that VPC.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.gateway.memo import current_memo
from pocketcloud.iam.actions import resource_arns as default_resource_arns
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.parsers.rest import virtual_host_bucket
from pocketcloud.services.s3.bucket_policy import is_public
from pocketcloud.services.s3.errors import no_such_bucket
from pocketcloud.services.s3.integrity import (
    check_checksum_names,
    check_document_digests,
    check_sdk_algorithm,
)
from pocketcloud.services.s3.request_payment import check_request_payment
from pocketcloud.services.s3.signing_region import check_signing_region
from pocketcloud.services.s3.state import GLOBAL

if TYPE_CHECKING:
    from botocore.model import OperationModel

Params = dict[str, Any]
ALIAS_SUFFIX = "-s3alias"
_ARN = re.compile(r"arn:aws[a-z-]*:s3:([a-z0-9-]+):(\d{12}):accesspoint[/:]([a-z0-9-]{3,50})")
_KEYS = ("s3:DataAccessPointArn", "s3:DataAccessPointAccount", "s3:AccessPointNetworkOrigin")
_SETTINGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
# The S3 operations an access point serves (S3 User Guide, "Access point compatibility"). Any
# other operation sees the name as a bucket name, which no bucket has.
COMPATIBLE = frozenset(
    (
        "AbortMultipartUpload",
        "CompleteMultipartUpload",
        "CopyObject",
        "CreateMultipartUpload",
        "DeleteObject",
        "DeleteObjects",
        "DeleteObjectTagging",
        "GetBucketAcl",
        "GetBucketCors",
        "GetBucketLocation",
        "GetBucketNotificationConfiguration",
        "GetBucketPolicy",
        "GetObject",
        "GetObjectAcl",
        "GetObjectAttributes",
        "GetObjectLegalHold",
        "GetObjectRetention",
        "GetObjectTagging",
        "HeadBucket",
        "HeadObject",
        "ListMultipartUploads",
        "ListObjects",
        "ListObjectsV2",
        "ListObjectVersions",
        "ListParts",
        "PutObject",
        "PutObjectAcl",
        "PutObjectLegalHold",
        "PutObjectRetention",
        "PutObjectTagging",
        "RestoreObject",
        "UploadPart",
        "UploadPartCopy",
    )
)


def _access_denied() -> ServiceError:
    return ServiceError("AccessDenied", "Access Denied", status=403)


def access_point_keys(ctx: RequestContext) -> Params:
    """The access point condition keys of a request made through one ({} for any other request)."""
    values = ctx.condition_values
    return {key: values[key] for key in _KEYS if key in values}


class AccessPointRouting:
    """Mixed into S3Provider: the gateway's `resolve_request` hook and the access point half of authorization."""

    s3: Any
    runtime: Any

    # -- which access point ---------------------------------------------------------------------

    def resolve_request(self, ctx: RequestContext, operation: OperationModel, params: Params) -> None:
        """Put the bucket in place of an access point a request names, and authorize the access point half;
        refuse a request signed for another Region than the bucket's (`signing_region.py`) and one a
        Requester Pays bucket refuses, its copy source's included (`request_payment.py`); then hold
        the request to the bucket owners it names (x-amz-expected-bucket-owner and
        x-amz-source-expected-bucket-owner): another owner is refused with 403 AccessDenied, whoever asks.
        An x-amz-sdk-checksum-algorithm that names no algorithm or comes without its checksum, an
        x-amz-checksum-* header that names no algorithm, and a document body that does not match its
        digests are refused first (`integrity.py`)."""
        check_sdk_algorithm(ctx.request.headers)
        check_document_digests(operation.name, ctx.request.headers, ctx.request.body.buffered)
        form = getattr(ctx.request.body, "post_form", None)
        if form is not None:  # a browser POST upload's fields stand for PutObject's headers
            check_checksum_names("PutObject", form.fields)
        self._resolve_access_point(ctx, operation, params)
        bucket = params.get("Bucket")
        if isinstance(bucket, str):
            doc = self.s3.buckets.get(GLOBAL, bucket)
            if doc is not None and operation.name == "HeadBucket":
                # S3 names the bucket's Region to whoever asks, even a caller it then refuses.
                ctx.error_headers["x-amz-bucket-region"] = doc.get("Region") or "us-east-1"
            if not self.runtime.settings.auth_disabled:
                check_signing_region(ctx, operation.name, doc)
                check_request_payment(ctx, doc, self._copy_source_bucket(params))
        self._check_expected_owners(params)

    def _copy_source_bucket_name(self, params: Params) -> str | None:
        """The name of the bucket a copy reads from (CopyObject, UploadPartCopy); None without a
        source, or for a malformed one, which is the operation's own error."""
        source = params.get("CopySource")
        if not isinstance(source, str):
            return None
        try:
            bucket: str = self.parse_copy_source(source)[0]  # type: ignore[attr-defined]
        except ServiceError:
            return None
        return bucket

    def _copy_source_bucket(self, params: Params) -> Params | None:
        """The document of the bucket a copy reads from (CopyObject, UploadPartCopy), if it exists."""
        bucket = self._copy_source_bucket_name(params)
        doc: Params | None = self.s3.buckets.get(GLOBAL, bucket) if bucket is not None else None
        return doc

    def _check_expected_owners(self, params: Params) -> None:
        expected = params.get("ExpectedBucketOwner")
        if expected is not None and isinstance(params.get("Bucket"), str):
            self._check_owner(params["Bucket"], expected)
        expected = params.get("ExpectedSourceBucketOwner")
        if expected is not None:
            bucket = self._copy_source_bucket_name(params)
            if bucket is not None:
                self._check_owner(bucket, expected)

    def _check_owner(self, bucket: str, expected: str) -> None:
        doc = self.s3.buckets.get(GLOBAL, bucket)
        if doc is not None and str(doc["Account"]) != expected:  # no bucket: the operation's NoSuchBucket
            raise _access_denied()

    def _resolve_access_point(self, ctx: RequestContext, operation: OperationModel, params: Params) -> None:
        name = params.get("Bucket")
        if not isinstance(name, str) or not _may_name_access_point(name) or operation.name not in COMPATIBLE:
            return
        point = self._named_access_point(ctx, name)
        if point is None:
            return
        bucket = self.s3.buckets.get(GLOBAL, point["Bucket"])
        if bucket is None or not _same_bucket(point, bucket):
            raise no_such_bucket(
                point["Bucket"]
            )  # the access point's bucket is gone, whatever now has its name
        params["Bucket"] = point["Bucket"]
        ctx.condition_values.update(access_point_values(point))
        if self.runtime.settings.auth_disabled:
            return
        if ctx.principal.is_anonymous:
            raise _access_denied()  # "Access points don't support anonymous access" (S3 User Guide)
        if point.get("VpcId"):
            raise _access_denied()  # only requests from its VPC may use it, and none comes from one
        if operation.name in getattr(self, "authorized_per_item", ()):
            # DeleteObjects: a key the access point's policy refuses is an entry of the answer's
            # Errors, as one the bucket refuses; `authorize_through_access_point` decides it per key.
            return
        self._authorize_through(ctx, operation, params, point)

    def _named_access_point(self, ctx: RequestContext, name: str) -> Params | None:
        """The access point `name` names (alias, ARN or an ARN's host), None if it names none."""
        control = self.runtime.provider("s3control")
        if control is None:
            return None
        if name.endswith(ALIAS_SUFFIX):
            point = control.access_point_by_alias(name)
        elif name.startswith("arn:"):
            match = _ARN.fullmatch(name)
            point = control.access_point(match.group(2), match.group(1), match.group(3)) if match else None
        elif self.s3.buckets.get(GLOBAL, name) is None and virtual_host_bucket(ctx.request.host) == name:
            # `<name>-<account>.<host>`: an ARN's host; a bucket of that very name still wins.
            point = control.access_point(name[-12:], ctx.region, name[:-13])
        else:
            point = None
        if point is not None:
            _remember(point)
        return point

    def _access_point(self, arn: str) -> Params | None:
        memo = current_memo()
        point = memo.get(("s3-access-point", arn)) if memo is not None else None
        if point is None:
            match = _ARN.fullmatch(arn)
            control = self.runtime.provider("s3control")
            if match is None or control is None:
                return None
            point = control.access_point(match.group(2), match.group(1), match.group(3))
        return point

    # -- authorization --------------------------------------------------------------------------

    def _authorize_through(
        self, ctx: RequestContext, operation: OperationModel, params: Params, point: Params
    ) -> None:
        """The access point half: the chain's authorizer on the access point's ARN, with its policy."""
        authorizer = self.runtime.authorizer
        # Keys only the bucket's documents give (s3:ExistingObjectTag/..., s3:ResourceAccount) are
        # worked out on the bucket; the authorizer then adds what the access point's name gives.
        values = {**self.condition_values(ctx, operation.name, params), **access_point_keys(ctx)}  # type: ignore[attr-defined]
        values["s3:ResourceAccount"] = point["Account"]
        through = replace(ctx, condition_values=values)
        authorizer.authorize(through, operation, {**params, "Bucket": point["Arn"]})

    def authorize_through(self, ctx: RequestContext, operation: str, params: Params, point: Params) -> None:
        """The access point half of `operation` on `params` through `point` (a copy's source)."""
        if self.runtime.settings.auth_disabled:
            return  # as for a request addressed to the access point (`_resolve_access_point`)
        if ctx.principal.is_anonymous or point.get("VpcId"):
            raise _access_denied()  # as for a request addressed to the access point (`_resolve_access_point`)
        through = replace(ctx, operation=operation, condition_values=access_point_values(point))
        self._authorize_through(through, _s3_operation(operation), params, point)

    def authorize_through_access_point(self, ctx: RequestContext, operation: str, params: Params) -> None:
        """The access point half of `operation` on `params` (AccessDenied if refused), for a request that
        came through an access point and that the provider authorizes item by item; nothing otherwise."""
        keys = access_point_keys(ctx)
        point = self._access_point(keys["s3:DataAccessPointArn"]) if keys else None
        if point is not None:
            other = replace(ctx, operation=operation, condition_values=dict(keys))
            self._authorize_through(other, _s3_operation(operation), params, point)

    def authorize_listing(self, ctx: RequestContext, bucket: str) -> None:
        """Whether the caller may s3:ListBucket `bucket` (AccessDenied if not), through the access point
        the request came through, if any: both halves, as for the request itself."""
        keys = access_point_keys(ctx)
        point = self._access_point(keys["s3:DataAccessPointArn"]) if keys else None
        if point is not None:
            listing = replace(ctx, operation="ListObjects", condition_values=dict(keys))
            self._authorize_through(listing, _s3_operation("ListObjects"), {"Bucket": bucket}, point)
        self._authorize_as(ctx, "ListObjects", {"Bucket": bucket}, keys)  # type: ignore[attr-defined]

    def access_point_policy(self, ctx: RequestContext, arn: str) -> tuple[str | None, str | None] | None:
        """The resource policy of an access point ARN and the access point's account (None: no such access
        point), without its Allows for callers outside that account under RestrictPublicBuckets."""
        point = self._access_point(arn)
        if point is None:
            return None
        text = point.get("Policy")
        owner = str(point["Account"])
        if not text or ctx.principal.account_id == owner:
            return text, owner
        document = json.loads(text)
        bucket = self.s3.buckets.get(GLOBAL, point["Bucket"])
        if not is_public(document) or not self._combined_block(point, bucket)["RestrictPublicBuckets"]:
            return text, owner
        statements = document.get("Statement") or []
        statements = [statements] if isinstance(statements, dict) else statements
        kept = [s for s in statements if not (isinstance(s, dict) and s.get("Effect") == "Allow")]
        if not kept:
            return None, owner
        return json.dumps({**document, "Statement": kept}, sort_keys=True), owner

    def resource_arns(self, ctx: RequestContext, operation: str, params: Params) -> list[str] | None:
        """The authorizer's hook: an access point's own ARNs for the access point half of a request."""
        arn = params.get("Bucket")
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            return None  # everything else: the ARNs the parameters name
        point = self._access_point(arn)
        if point is None:
            return None
        on_bucket = default_resource_arns(
            "s3", point["Account"], ctx.region, {**params, "Bucket": point["Bucket"]}, operation
        )
        prefix = f"arn:aws:s3:::{point['Bucket']}"
        # arn:aws:s3:::bucket → <access point ARN>; arn:aws:s3:::bucket/key → <access point ARN>/object/key
        return [
            arn + ("/object" + found[len(prefix) :] if found[len(prefix) :] else "")
            if found.startswith(prefix)
            else found
            for found in on_bucket
        ]

    # -- Block Public Access --------------------------------------------------------------------

    def block_in_force(self, ctx: RequestContext, bucket_doc: Params) -> dict[str, bool]:
        """Block Public Access for a request on a bucket: the bucket's and account's settings, and the
        access point's when the request came through one (the most restrictive combination)."""
        settings: dict[str, bool] = self.public_access_block(bucket_doc)  # type: ignore[attr-defined]
        keys = access_point_keys(ctx)
        point = self._access_point(keys["s3:DataAccessPointArn"]) if keys else None
        if point is None:
            return settings
        own = point.get("PublicAccessBlock") or {}
        return {name: settings[name] or bool(own.get(name)) for name in _SETTINGS}

    def _combined_block(self, point: Params, bucket_doc: Params | None) -> dict[str, bool]:
        control = self.runtime.provider("s3control")
        settings: dict[str, bool] = control.access_point_block(point)
        if bucket_doc is not None:
            bucket = self.public_access_block(bucket_doc)  # type: ignore[attr-defined]
            settings = {name: settings[name] or bucket[name] for name in _SETTINGS}
        return settings


def access_point_values(point: Params) -> dict[str, Any]:
    """The condition keys a request through `point` carries (s3:DataAccessPointArn, ...)."""
    return {
        "s3:DataAccessPointArn": point["Arn"],
        "s3:DataAccessPointAccount": point["Account"],
        "s3:AccessPointNetworkOrigin": "VPC" if point.get("VpcId") else "Internet",
    }


def _may_name_access_point(name: str) -> bool:
    """Cheap test first: only these shapes of name can be an access point (alias, ARN, `<name>-<account>`)."""
    return (
        name.endswith(ALIAS_SUFFIX)
        or name.startswith("arn:")
        or (len(name) > 16 and name[-13] == "-" and name[-12:].isdigit())
    )


def _remember(point: Params) -> None:
    memo = current_memo()
    if memo is not None:
        memo.put(("s3-access-point", point["Arn"]), point)


def _s3_operation(name: str) -> OperationModel:
    from pocketcloud.protocol.models import service_model

    return service_model("s3").operation_model(name)


def _same_bucket(point: Params, bucket: Params) -> bool:
    """Whether `bucket` is the one the access point was created for, not a later one of that name."""
    if bucket["Account"] != point.get("BucketAccountId", bucket["Account"]):
        return False
    created = point.get("BucketCreationDate")
    return created is None or created == bucket.get("CreationDate")
