"""Buckets: create (name, location and namespace rules), head, delete, list, location, versioning."""

from __future__ import annotations

from functools import cache
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.evaluate import EVERY_BUCKET
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.protocol.parsers.rest import virtual_host_bucket
from pocketcloud.services.s3.access import DEFAULT_PUBLIC_ACCESS_BLOCK
from pocketcloud.services.s3.bucket_names import check_bucket_name
from pocketcloud.services.s3.bucket_namespace import ACCOUNT_REGIONAL, bucket_arn, check_namespace
from pocketcloud.services.s3.config_checks import OBJECT_OWNERSHIP, check_bucket_tags
from pocketcloud.services.s3.errors import invalid_argument, malformed_xml
from pocketcloud.services.s3.protection import SSE_C_ALLOWED_BY_DEFAULT
from pocketcloud.services.s3.signing_region import refuse_region
from pocketcloud.services.s3.state import GLOBAL, S3State, bucket_scope, now, owner

Params = dict[str, Any]
@cache
def location_constraints() -> frozenset[str]:
    """The regions a bucket may be created in: the model's BucketLocationConstraint enum."""
    return frozenset(service_model("s3").shape_for("BucketLocationConstraint").enum)


def _invalid_location_constraint(constraint: str) -> ServiceError:
    return ServiceError(
        "InvalidLocationConstraint",
        "The specified location-constraint is not valid",
        status=400,
        LocationConstraint=constraint,
    )


class BucketOperations:
    s3: S3State

    def resource_arns(self, ctx: RequestContext, operation: str, params: Params) -> list[str] | None:
        """The authorizer's hook: CreateBucket's tags are authorized (`authorize_creation_tags`) as
        s3:TagResource on the bucket being created, whatever the action catalog's first resource type."""
        if operation == "TagResource" and isinstance(params.get("Bucket"), str):
            return [f"arn:aws:s3:::{params['Bucket']}"]
        if operation == "ListBuckets":
            # s3:ListAllMyBuckets has no resource type, yet S3 grants it to a statement on
            # "arn:aws:s3:::*" as to one on "*" (and denies it by such a statement), and not to one on
            # a single bucket: AWS's own policy examples grant it on arn:aws:s3:::* (IAM User Guide,
            # "Amazon S3: Allows IAM users access to their S3 home directory"; ceph s3-tests'
            # test_deny_bucket_actions_in_user_policy). Every bucket is the resource it is asked on.
            return [EVERY_BUCKET]
        return super().resource_arns(ctx, operation, params)  # type: ignore[misc]

    def CreateBucket(self, ctx: RequestContext, p: Params) -> Params:
        name = p["Bucket"]
        check_bucket_name(name)
        region = ctx.region
        if region == "EU":
            # "EU" is a LocationConstraint (an old name for eu-west-1), no Region to sign for: the
            # endpoint refuses the signature, as s3cmd's `mb --bucket-location=EU` finds before it
            # signs again for us-east-1 (and the bucket is made in eu-west-1).
            refuse_region(ctx, "us-east-1")
        constraint = (p.get("CreateBucketConfiguration") or {}).get("LocationConstraint")
        # A regional endpoint refuses any other region's name before it checks the name is one at all
        # (AWS answers "us-east-1" or "us-gov-east-2" sent to us-west-2 with IllegalLocationConstraint).
        mismatched = region != "us-east-1" and constraint and constraint != region
        if constraint and constraint not in location_constraints() and not mismatched:
            raise _invalid_location_constraint(constraint)
        if region == "us-east-1":
            if constraint and constraint != "EU":
                region_of_bucket = constraint
            else:
                region_of_bucket = "eu-west-1" if constraint == "EU" else "us-east-1"
        else:
            if not constraint:
                raise ServiceError(
                    "IllegalLocationConstraintException",
                    "The unspecified location constraint is incompatible for the region specific endpoint "
                    "this request was sent to.",
                    status=400,
                )
            if constraint != region:
                raise ServiceError(
                    "IllegalLocationConstraintException",
                    f"The {constraint} location constraint is incompatible for the region specific endpoint "
                    "this request was sent to.",
                    status=400,
                )
            region_of_bucket = constraint
        if region == "us-east-1" and constraint and constraint != "EU":
            # A request to us-east-1 naming another region: AWS creates the bucket there.
            region_of_bucket = constraint
        account_regional = check_namespace(name, p.get("BucketNamespace"), ctx.account_id, region_of_bucket)
        tags = (p.get("CreateBucketConfiguration") or {}).get("Tags")
        if tags is not None:  # checked as PutBucketTagging checks them, before the bucket exists
            check_bucket_tags({"TagSet": tags})
            if tags:  # refused before anything is created
                self.authorize_creation_tags(ctx, name, tags)  # type: ignore[attr-defined]
        ownership = "BucketOwnerEnforced" if p.get("ObjectOwnership") is None else p["ObjectOwnership"]
        if ownership not in OBJECT_OWNERSHIP:
            raise ServiceError(
                "InvalidArgument",
                f"Invalid x-amz-object-ownership header: {ownership}",
                status=400,
                ArgumentName="x-amz-object-ownership",
            )
        acl = self.initial_bucket_acl(ctx, p, ownership)  # type: ignore[attr-defined]
        doc = {
            "Name": name,
            "Account": ctx.account_id,
            "Region": region_of_bucket,
            "CreationDate": now().isoformat(),
            "ObjectOwnership": ownership,
            "ObjectLockEnabled": bool(p.get("ObjectLockEnabledForBucket")),
            "Acl": acl,
            # New buckets block all public access, as S3's have since April 2023.
            "Configs": {"PublicAccessBlock": dict(DEFAULT_PUBLIC_ACCESS_BLOCK)},
            # ...and, since April 2026, refuse SSE-C writes until PutBucketEncryption allows them
            # (everywhere but Bahrain and the UAE; "Default SSE-C setting for new buckets FAQ").
            "SseCBlockedByDefault": region_of_bucket not in SSE_C_ALLOWED_BY_DEFAULT,
        }
        if constraint == "EU":
            doc["LocationConstraint"] = "EU"  # GetBucketLocation names it so; the Region is eu-west-1
        if doc["ObjectLockEnabled"]:
            doc["Versioning"] = {"Status": "Enabled"}
        if account_regional:
            doc["Namespace"] = ACCOUNT_REGIONAL
        if self.s3.buckets.insert(GLOBAL, name, doc):
            if tags:
                self.configs.put(name, "Tagging", {"TagSet": tags})  # type: ignore[attr-defined]
        else:
            existing = self.s3.bucket(name)
            if existing["Account"] != ctx.account_id:
                raise ServiceError(
                    "BucketAlreadyExists",
                    "The requested bucket name is not available. The bucket namespace is shared by all users "
                    "of the system. Please select a different name and try again.",
                    status=409,
                    BucketName=name,
                )
            asked_for = (region, region_of_bucket, existing.get("Region", "us-east-1"))
            if tags or asked_for != ("us-east-1",) * 3:
                raise ServiceError(
                    "BucketAlreadyOwnedByYou",
                    "Your previous request to create the named bucket succeeded and you already own it.",
                    status=409,
                    BucketName=name,
                )
            # us-east-1 answers 200 to a repeated CreateBucket by the owner of a us-east-1 bucket
            # (legacy behaviour) unless it names tags or another Region for the bucket; a bucket of
            # another region is BucketAlreadyOwnedByYou from anywhere.
        # S3 names every new general purpose bucket's ARN (x-amz-bucket-arn), in either namespace.
        if region_of_bucket == "us-east-1":
            return {"Location": f"/{name}", "BucketArn": bucket_arn(name)}
        return {"Location": _virtual_host_url(ctx, name), "BucketArn": bucket_arn(name)}

    def HeadBucket(self, ctx: RequestContext, p: Params) -> Params:
        bucket = self.s3.bucket(p["Bucket"])
        return {
            "BucketArn": bucket_arn(bucket["Name"]),
            "BucketRegion": bucket["Region"],
            "AccessPointAlias": False,
        }

    def GetBucketLocation(self, ctx: RequestContext, p: Params) -> Params:
        bucket = self.s3.bucket(p["Bucket"])
        region = bucket["Region"]
        return {"LocationConstraint": bucket.get("LocationConstraint") or (None if region == "us-east-1" else region)}

    def deletes_uploads_with_bucket(self, bucket: str) -> bool:
        """Whether DeleteBucket aborts the bucket's in-progress multipart uploads: a general purpose
        bucket's it does; a directory bucket with one is not empty (DirectoryBucketOperations)."""
        return True

    def DeleteBucket(self, ctx: RequestContext, p: Params) -> Params:
        name = p["Bucket"]
        with self.s3.store.transaction():
            doc = self.s3.bucket(name)
            where = bucket_scope(name)
            uploads_block = not self.deletes_uploads_with_bucket(name) and self.s3.uploads.scan(where, limit=1)
            if self.s3.versions.scan(where, limit=1) or self.s3.objects.scan(where, limit=1) or uploads_block:
                message = "The bucket you tried to delete is not empty"
                if (doc.get("Versioning") or {}).get("Status"):
                    message += ". You must delete all versions in the bucket."
                raise ServiceError("BucketNotEmpty", message, status=409, BucketName=name)
            for upload_id, _ in self.s3.uploads.scan(where):
                self.abort_upload(name, upload_id)  # type: ignore[attr-defined]
            self.s3.completed.delete_prefix(where, "")
            self.s3.buckets.delete(GLOBAL, name)
        return {}

    def ListBuckets(self, ctx: RequestContext, p: Params) -> Params:
        prefix = p.get("Prefix") or ""
        region = p.get("BucketRegion")
        if region is not None and region != "us-east-1" and region not in location_constraints():
            raise ServiceError(
                "InvalidArgument",
                f"Argument value {region} is not a valid AWS Region",
                status=400,
                ArgumentName="bucket-region",
            )
        limit = p.get("MaxBuckets")
        if limit is not None and not 1 <= limit <= 10000:  # the model's range, as S3 checks it
            raise invalid_argument(
                "Argument max-buckets must be an integer between 1 and 10000", "max-buckets", str(limit)
            )
        page, more = self.s3.owned_buckets(
            ctx.account_id,
            limit or 10000,
            # directory buckets are ListDirectoryBuckets' to list
            lambda doc: doc.get("BucketType") != "Directory" and (not region or doc["Region"] == region),
            prefix=prefix,
            start_after=p.get("ContinuationToken"),
        )
        found = [
            {"Name": name, "CreationDate": doc["CreationDate"], "BucketRegion": doc["Region"], "BucketArn": bucket_arn(name)}
            for name, doc in page
        ]
        result: Params = {"Buckets": found, "Owner": owner(ctx.account_id)}
        if p.get("Prefix") is not None:
            result["Prefix"] = prefix
        if more:
            result["ContinuationToken"] = found[-1]["Name"]
        return result

    # -- versioning -------------------------------------------------------

    def PutBucketVersioning(self, ctx: RequestContext, p: Params) -> Params:
        config = p.get("VersioningConfiguration") or {}
        status = config.get("Status")
        if not config:
            raise ServiceError(
                "IllegalVersioningConfigurationException",
                "The Versioning element must be specified",
                status=400,
            )
        if status not in ("Enabled", "Suspended"):
            raise malformed_xml()
        mfa_delete_asked = config.get("MFADelete")
        if mfa_delete_asked not in (None, "Enabled", "Disabled") or (mfa_delete_asked == "Enabled" and not p.get("MFA")):
            # Turning MFA delete on takes the x-amz-mfa header; without it S3 answers MalformedXML
            # (hashicorp/terraform-provider-aws#48161). "Disabled" without it is taken, and read back,
            # on a bucket whose MFA delete is off (the provider's TestAccS3BucketVersioning_MFADelete,
            # run against AWS); on one where it is on, check_mfa_delete refuses a change without MFA.
            raise malformed_xml()
        with self.s3.store.transaction():
            bucket = self.s3.bucket(p["Bucket"])
            self.check_mfa_delete(ctx, bucket, p.get("MFA"))  # type: ignore[attr-defined]
            if bucket.get("ObjectLockEnabled") and status == "Suspended":
                raise ServiceError(
                    "InvalidBucketState",
                    "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.",
                    status=409,
                )
            if status == "Suspended" and (bucket.get("Configs") or {}).get("Replication"):
                # Replication needs versioning on (S3 User Guide, replication and versioning); S3's
                # answer as hashicorp/terraform#22491 and nozaq/terraform-aws-remote-state-s3-backend#59 quote it.
                raise ServiceError(
                    "InvalidBucketState",
                    "A replication configuration is present on this bucket, so you cannot change the versioning "
                    "state. To change the versioning state, first delete the replication configuration.",
                    status=409,
                )
            # A configuration without MfaDelete leaves the bucket's MFA delete as it was.
            mfa_delete = config.get("MFADelete") or (bucket.get("Versioning") or {}).get("MFADelete")
            bucket["Versioning"] = {"Status": status, **({"MFADelete": mfa_delete} if mfa_delete else {})}
            self.s3.save_bucket(bucket)
        return {}

    def GetBucketVersioning(self, ctx: RequestContext, p: Params) -> Params:
        return dict(self.s3.bucket(p["Bucket"]).get("Versioning") or {})


def _virtual_host_url(ctx: RequestContext, bucket: str) -> str:
    """Where a bucket outside us-east-1 lives, as CreateBucket reports it: S3 answers
    `http://<bucket>.s3.amazonaws.com/`; here the virtual host `<bucket>.s3.localhost` on the request's port."""
    host = ctx.request.host or "localhost"
    if virtual_host_bucket(host) == bucket:
        return f"http://{host}/"
    _, colon, port = host.rpartition(":") if not host.endswith("]") else ("", "", "")
    suffix = f":{port}" if colon and port.isdigit() else ""
    return f"http://{bucket}.s3.localhost{suffix}/"
