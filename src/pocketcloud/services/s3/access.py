"""Who may do what to a bucket: the policy the authorizer evaluates, ACLs, Block Public Access.

S3 decides access from three sources besides the caller's identity policies: the bucket
policy, the bucket's and the object's ACLs (only while Object Ownership leaves ACLs
enabled), and Block Public Access (the bucket's settings OR'ed with its owner account's,
which S3 Control keeps). `resource_policy` hands the authorizer one resource policy that
says all of it: the bucket policy's statements, without its Allows for callers outside
the owner's account when RestrictPublicBuckets applies to a public policy, plus one
statement per ACL grant (`acl.statements`), without the public ones under
IgnorePublicAcls. The IAM engine then applies AWS's rules (explicit deny first,
cross-account needs both sides, anonymous callers only what names "*").

Also here: the S3 condition keys the authorizer asks for (`condition_values`), the
validation PutBucketPolicy and PutPublicAccessBlock run before storing, and the ACL
operations.
"""

from __future__ import annotations

import json
import math
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

from pocketcloud.auth.canonical import parse_amz_date
from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.context_keys import request_tag_values
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import operation_model
from pocketcloud.protocol.values import to_datetime
from pocketcloud.services.s3 import acl as acls
from pocketcloud.services.s3.abac import bucket_tag_values
from pocketcloud.services.s3.access_point_routing import access_point_values
from pocketcloud.services.s3.bucket_policy import check_bucket_policy, is_public, malformed_policy
from pocketcloud.services.s3.errors import method_not_allowed, no_such_bucket
from pocketcloud.services.s3.signing_region import request_signature
from pocketcloud.services.s3.state import GLOBAL, S3State, canonical_user_id

Params = dict[str, Any]
# Where S3 no longer takes e-mail grantees in ACLs (405 since October 1, 2025).
_NO_EMAIL_GRANTEES = frozenset((
    "us-east-1", "us-west-1", "us-west-2", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "eu-west-1",
    "sa-east-1",
))
BPA_SETTINGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
# New buckets block all public access (S3's default since April 2023).
DEFAULT_PUBLIC_ACCESS_BLOCK = dict.fromkeys(BPA_SETTINGS, True)
ENFORCED = "BucketOwnerEnforced"

# The bucket owner's root user may always read, replace and delete the bucket policy,
# even one that denies it (PutBucketPolicy API reference): how a locked-out bucket is recovered.
_POLICY_OPERATIONS = frozenset(("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"))
# Operations an object's own ACL can allow.
_OBJECT_ACL_OPERATIONS = frozenset(("GetObject", "HeadObject", "GetObjectAcl", "PutObjectAcl"))
_READS = frozenset(("GetObject", "HeadObject"))
# Operations whose policies may read the object's existing tags (s3:ExistingObjectTag/<key>).
_EXISTING_TAG_OPERATIONS = frozenset(
    (
        "GetObject",
        "HeadObject",
        "GetObjectAcl",
        "PutObjectAcl",
        "GetObjectTagging",
        "PutObjectTagging",
        "DeleteObjectTagging",
        "GetObjectAttributes",
        "GetObjectRetention",
        "GetObjectLegalHold",
        "PutObjectRetention",
        "PutObjectLegalHold",
        "RestoreObject",
    )
)
_LISTINGS = frozenset(("ListObjects", "ListObjectsV2", "ListObjectVersions"))
# GetObject's response-* query parameters, which only a signed request may use.
_RESPONSE_OVERRIDES = (
    "ResponseCacheControl",
    "ResponseContentDisposition",
    "ResponseContentEncoding",
    "ResponseContentLanguage",
    "ResponseContentType",
    "ResponseExpires",
)
# Request members → the s3: condition key that carries their value.
_MEMBER_KEYS = {
    "ACL": "s3:x-amz-acl",
    "GrantFullControl": "s3:x-amz-grant-full-control",
    "GrantRead": "s3:x-amz-grant-read",
    "GrantReadACP": "s3:x-amz-grant-read-acp",
    "GrantWrite": "s3:x-amz-grant-write",
    "GrantWriteACP": "s3:x-amz-grant-write-acp",
    "ServerSideEncryption": "s3:x-amz-server-side-encryption",
    "SSEKMSKeyId": "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "SSECustomerAlgorithm": "s3:x-amz-server-side-encryption-customer-algorithm",
    "StorageClass": "s3:x-amz-storage-class",
    "MetadataDirective": "s3:x-amz-metadata-directive",
    "CopySource": "s3:x-amz-copy-source",
    "WebsiteRedirectLocation": "s3:x-amz-website-redirect-location",
    "ObjectLockMode": "s3:object-lock-mode",
    "ObjectLockLegalHoldStatus": "s3:object-lock-legal-hold",
    "ObjectOwnership": "s3:x-amz-object-ownership",
    "BucketNamespace": "s3:x-amz-bucket-namespace",
    "IfMatch": "s3:if-match",
    "IfNoneMatch": "s3:if-none-match",
}


@lru_cache(maxsize=1024)
def _policy_is_public(text: str) -> bool:
    try:
        document = json.loads(text)
    except ValueError:
        return False
    return isinstance(document, dict) and is_public(document)


def _statements_of(text: str | None) -> tuple[dict[str, Any], list[Any]]:
    if not text:
        return {"Version": "2012-10-17"}, []
    document = json.loads(text)
    statements = document.get("Statement") or []
    return document, [statements] if isinstance(statements, dict) else list(statements)


def _block_denied(ctx: RequestContext, action: str, resource: str, reason: str) -> ServiceError:
    if ctx.principal.is_anonymous:
        return ServiceError("AccessDenied", "Access Denied", status=403)
    return ServiceError(
        "AccessDenied",
        f'User: {ctx.principal.arn} is not authorized to perform: {action} on resource: "{resource}" {reason}',
        status=403,
    )


class AccessControlOperations:
    s3: S3State
    runtime: Any

    # -- Block Public Access and ACLs in force ----------------------------------------------

    def public_access_block(self, bucket_doc: Params) -> dict[str, bool]:
        """The settings in force for a bucket: its own, OR'ed with its owner account's (S3 Control)."""
        own = (bucket_doc.get("Configs") or {}).get("PublicAccessBlock") or {}
        control = self.runtime.provider("s3control")
        account = control.account_public_access_block(bucket_doc["Account"]) if control is not None else None
        return {name: bool(own.get(name)) or bool((account or {}).get(name)) for name in BPA_SETTINGS}

    def account_of_canonical(self, user_id: str) -> str | None:
        for account in self.runtime.credentials.root_accounts():
            if canonical_user_id(account) == user_id:
                return str(account)
        return None

    def bucket_acl(self, bucket_doc: Params) -> acls.Acl:
        stored = bucket_doc.get("Acl")
        if isinstance(stored, dict) and bucket_doc.get("ObjectOwnership") != ENFORCED:
            return stored
        canned = (
            stored if isinstance(stored, str) and bucket_doc.get("ObjectOwnership") != ENFORCED else "private"
        )
        return acls.canned_acl(canned, bucket_doc["Account"])

    def object_acl(self, bucket_doc: Params, record: Params) -> acls.Acl:
        if bucket_doc.get("ObjectOwnership") == ENFORCED:
            return acls.canned_acl("private", bucket_doc["Account"])
        stored = record.get("Acl")
        if isinstance(stored, dict):
            return stored
        return acls.canned_acl("private", record.get("Owner") or bucket_doc["Account"])

    def hide_missing_key(self, ctx: RequestContext, bucket: str, error: ServiceError) -> ServiceError:
        """The error a read of an absent key answers: NoSuchKey (404) only for a caller who may list
        the bucket (s3:ListBucket), AccessDenied (403) for everyone else, as S3 answers GetObject
        and HeadObject, so that keys cannot be probed by callers who may not list them."""
        if error.code != "NoSuchKey" or (
            ctx.principal.is_root and ctx.principal.account_id == self._owner_of(bucket)
        ):
            return error
        return (
            error
            if self._may_list(ctx, bucket)
            else ServiceError("AccessDenied", "Access Denied", status=403)
        )

    def _may_list(self, ctx: RequestContext, bucket: str) -> bool:
        """Whether the caller may list the bucket (s3:ListBucket): what decides, for a read of an absent
        key, between NoSuchKey and AccessDenied (here and in `_missing_key`)."""
        try:
            self.authorize_listing(ctx, bucket)  # type: ignore[attr-defined]
        except ServiceError:
            return False
        return True

    def check_anonymous_read(self, p: Params) -> None:
        """An unsigned GetObject/HeadObject may not override response headers (GetObject API reference)."""
        if any(p.get(member) is not None for member in _RESPONSE_OVERRIDES):
            raise ServiceError(
                "InvalidRequest",
                "Request specific response headers cannot be used for anonymous GET requests.",
                status=400,
            )

    def authorize_copy_source(self, ctx: RequestContext, copy_source: str) -> None:
        """CopyObject and UploadPartCopy read their source: the caller must also be allowed to
        s3:GetObject it (the request itself was authorized for the destination only), through the
        access point an ARN source names as well as on its bucket."""
        bucket, key, version, point = self.copy_source(copy_source)  # type: ignore[attr-defined]
        where = {"Bucket": bucket, "Key": key, **({"VersionId": version} if version else {})}
        if point is None:
            self._authorize_as(ctx, "GetObject", where)
            return
        self.authorize_through(ctx, "GetObject", where, point)  # type: ignore[attr-defined]
        self._authorize_as(ctx, "GetObject", where, access_point_values(point))  # a bucket may delegate

    # AWS authorizes a multi-object delete key by key: the gateway skips its request-wide check (and
    # `resolve_request` the access point half of it) and DeleteObjects asks `authorize_deletion` for
    # each key, reporting a refusal as an entry.
    authorized_per_item = frozenset({"DeleteObjects"})

    def may_delete_all(self, ctx: RequestContext, p: Params) -> bool:
        """Whether the caller may delete every key a DeleteObjects names: one decision over all their
        ARNs (as the gateway makes it), so that only a request with a refused key pays for a check per key."""
        try:
            self.authorize_through_access_point(ctx, "DeleteObjects", p)  # type: ignore[attr-defined]
            self._authorize_as(ctx, "DeleteObjects", p, ctx.condition_values)
        except ServiceError as error:
            if error.code != "AccessDenied":
                raise
            return False
        return True

    def authorize_deletion(
        self, ctx: RequestContext, bucket: str, key: str, version_id: str | None, etag: str | None = None
    ) -> None:
        """One key of a DeleteObjects, authorized as the DeleteObject (DeleteObjectVersion) it stands for:
        through the access point the request came through, if any, and on the bucket; both must allow it.
        An entry's ETag is its If-Match (s3:if-match), as AWS's "enforce conditional deletes" policies read."""
        params = {"Bucket": bucket, "Key": key, **({"VersionId": version_id} if version_id else {})}
        if etag is not None:
            params["IfMatch"] = etag
        self.authorize_through_access_point(ctx, "DeleteObject", params)  # type: ignore[attr-defined]
        # The request's own keys (an access point's s3:DataAccessPointArn) hold for each of its keys.
        self._authorize_as(ctx, "DeleteObject", params, ctx.condition_values)

    def _authorize_as(
        self,
        ctx: RequestContext,
        operation: str,
        params: Params,
        condition_values: Params | None = None,
        service: str = "s3",
    ) -> None:
        """Authorize `ctx`'s caller for another operation of S3 (or S3 Control's TagResource),
        AccessDenied if not allowed."""
        self.runtime.authorizer.authorize_as(ctx, operation_model(service, operation), params, condition_values)

    def authorize_creation_tags(self, ctx: RequestContext, bucket: str, tags: list[Any]) -> None:
        """CreateBucket with Tags also needs s3:TagResource on the new bucket (CreateBucket API
        reference), asked as S3 Control's TagResource: the authorizer reads aws:RequestTag/<key> and
        aws:TagKeys from its Tags, and `resource_arns` (buckets.py) names arn:aws:s3:::<bucket>.
        The account's root passes, as for any call in its own account."""
        self._authorize_as(ctx, "TagResource", {"Bucket": bucket, "Tags": tags}, service="s3control")

    def _owner_of(self, bucket: str) -> str | None:
        doc = self.s3.buckets.get(GLOBAL, bucket)
        return str(doc["Account"]) if doc else None

    # -- the authorizer's questions ------------------------------------------------------------

    def resource_policy(
        self, ctx: RequestContext, operation: str, params: Params
    ) -> tuple[str | None, str | None]:
        """The resource policy in force for the request, and the bucket owner's account."""
        bucket = params.get("Bucket")
        if not bucket or operation == "CreateBucket":
            return None, None
        # An access point's ARN: the access point half of a request through one (access_point_routing.py).
        if bucket.startswith("arn:"):
            through = self.access_point_policy(ctx, bucket)  # type: ignore[attr-defined]
            if through is not None:
                return through
        doc = self.s3.buckets.get(GLOBAL, bucket)
        principal = ctx.principal
        if doc is None:
            if principal.is_anonymous:
                raise no_such_bucket(bucket)  # whether a bucket exists is no secret
            return None, None
        owner_account: str = doc["Account"]
        if operation in _POLICY_OPERATIONS and principal.is_root and principal.account_id == owner_account:
            return None, owner_account
        text = (doc.get("Configs") or {}).get("Policy")
        extra: list[dict[str, Any]] = []
        bpa: dict[str, bool] | None = None
        if doc.get("ObjectOwnership", ENFORCED) != ENFORCED:
            bpa = self.block_in_force(ctx, doc)  # type: ignore[attr-defined]
            ignore = bpa["IgnorePublicAcls"]
            extra += acls.statements(
                self.bucket_acl(doc), bucket, False, owner_account, ignore, self.account_of_canonical
            )
            key = params.get("Key")
            if key is not None and operation in _OBJECT_ACL_OPERATIONS:
                try:
                    record = self.find_object(bucket, key, params.get("VersionId"))  # type: ignore[attr-defined]
                except ServiceError as missing:
                    record = None
                    if operation in _READS and not params.get("VersionId"):
                        self._missing_key(ctx, bucket, missing)
                if record is not None:
                    object_owner = str(record.get("Owner") or owner_account)
                    object_statements = acls.statements(
                        self.object_acl(doc, record),
                        bucket,
                        True,
                        object_owner,
                        ignore,
                        self.account_of_canonical,
                    )
                    if object_owner != owner_account:
                        # An object another account wrote (ObjectWriter) is that account's: its ACL grants
                        # access, even to the bucket owner, and the bucket policy can only deny ("How
                        # Amazon S3 authorizes a request for an object operation", S3 User Guide).
                        _, bucket_statements = _statements_of(text)
                        kept = [
                            s for s in bucket_statements if isinstance(s, dict) and s.get("Effect") == "Deny"
                        ]
                        kept += object_statements
                        if not kept:
                            return None, object_owner
                        document = {"Version": "2012-10-17", "Statement": kept}
                        return json.dumps(document, sort_keys=True), object_owner
                    extra += object_statements
        restrict = False
        if text and principal.account_id != owner_account and _policy_is_public(text):
            bpa = bpa or self.block_in_force(ctx, doc)  # type: ignore[attr-defined]
            restrict = bpa["RestrictPublicBuckets"]
        if not extra and not restrict:
            return text, owner_account
        document, statements = _statements_of(text)
        if restrict:
            # Only the owner's account (and AWS services) may use a public policy's grants.
            statements = [s for s in statements if not (isinstance(s, dict) and s.get("Effect") == "Allow")]
        statements += extra
        if not statements:
            return None, owner_account
        return json.dumps({**document, "Statement": statements}, sort_keys=True), owner_account

    def _missing_key(self, ctx: RequestContext, bucket: str, missing: ServiceError) -> None:
        """A read of an absent key has no object ACL to decide it: S3 answers NoSuchKey (404) to a
        caller who may list the bucket, whether or not anything would let it read the key, with the
        headers of the delete marker that hides it (x-amz-delete-marker, its version id)."""
        if self._may_list(ctx, bucket):
            raise missing
        # Otherwise it is decided as any other read: AccessDenied unless something allows it.

    def _object_or_none(self, bucket: str, key: str, version_id: str | None) -> Params | None:
        try:
            return self.find_object(bucket, key, version_id)  # type: ignore[attr-defined]
        except ServiceError:
            return None

    def condition_values(self, ctx: RequestContext, operation: str, params: Params) -> Params:
        """S3's condition keys for this request (Service Authorization Reference, Amazon S3)."""
        values: Params = _auth_keys(ctx)
        for member, key in _MEMBER_KEYS.items():
            value = params.get(member)
            if value is not None:
                values[key] = value.isoformat() if hasattr(value, "isoformat") else value
        headers = ctx.request.headers
        for name in ("x-amz-acl", "x-amz-server-side-encryption"):
            if name in headers and f"s3:{name}" not in values:
                values[f"s3:{name}"] = headers[name]
        if params.get("VersionId"):
            values["s3:VersionId"] = params["VersionId"]
        values.update(_object_lock_keys(operation, params))
        if operation in _LISTINGS:
            if params.get("Prefix") is not None:
                values["s3:prefix"] = params["Prefix"]
            if params.get("Delimiter") is not None:
                values["s3:delimiter"] = params["Delimiter"]
            if params.get("MaxKeys") is not None:
                values["s3:max-keys"] = str(params["MaxKeys"])
        if operation == "CreateBucket":
            constraint = (params.get("CreateBucketConfiguration") or {}).get("LocationConstraint")
            values["s3:locationconstraint"] = constraint or "us-east-1"
            # s3:CreateBucket takes aws:RequestTag/<key> and aws:TagKeys too (Service Authorization Reference),
            # from tags the model nests in CreateBucketConfiguration rather than a top-level Tags.
            values.update(request_tag_values((params.get("CreateBucketConfiguration") or {}).get("Tags")))
        tags = _request_tags(operation, params)
        if tags is not None:
            for tag in tags:
                values[f"s3:RequestObjectTag/{tag['Key']}"] = tag.get("Value", "")
            values["s3:RequestObjectTagKeys"] = [tag["Key"] for tag in tags]
        bucket = params.get("Bucket")
        doc = self.s3.buckets.get(GLOBAL, bucket) if bucket else None
        if doc is not None:
            values["s3:ResourceAccount"] = doc["Account"]
            values.update(bucket_tag_values(doc))  # aws:ResourceTag/..., s3:BucketTag/... while ABAC is on
            if operation in _EXISTING_TAG_OPERATIONS and params.get("Key") is not None:
                record = self._object_or_none(bucket, params["Key"], params.get("VersionId"))  # type: ignore[arg-type]
                for tag in (record or {}).get("Tags") or []:
                    values[f"s3:ExistingObjectTag/{tag['Key']}"] = tag.get("Value", "")
        return values

    # -- PutBucketPolicy, Block Public Access ----------------------------------------------------

    def validate_policy(self, ctx: RequestContext, bucket: str, value: Any) -> None:
        """Called by PutBucketPolicy before it stores the document (ConfirmRemoveSelfBucketAccess is ignored)."""
        doc = self.s3.bucket(bucket)
        self.check_policy_caller(ctx, doc)
        document = check_bucket_policy(value, bucket)
        self._check_principals(document)
        if is_public(document) and self.public_access_block(doc)["BlockPublicPolicy"]:
            raise _block_denied(
                ctx,
                "s3:PutBucketPolicy",
                f"arn:aws:s3:::{bucket}",
                "because public policies are blocked by the BlockPublicPolicy block public access setting.",
            )

    def check_policy_caller(self, ctx: RequestContext, bucket_doc: Params) -> None:
        """Put, Get and DeleteBucketPolicy, once allowed, are the owner's account's alone: "If you have the
        correct permissions, but you're not using an identity that belongs to the bucket owner's account,
        Amazon S3 returns a 405 Method Not Allowed error" (their API references)."""
        if ctx.account_id != bucket_doc["Account"]:
            raise method_not_allowed(ctx.request.method, "BUCKETPOLICY")

    def _check_principals(self, document: dict[str, Any]) -> None:
        """S3 resolves each principal ARN when it stores a policy: a user or role that does not exist
        (or not at that path) is "Invalid principal in policy" (Knowledge Center, s3-invalid-principal-
        in-policy-error: "confirm that the user or role wasn't deleted")."""
        iam = self.runtime.provider("iam")
        if iam is not None and iam.missing_principal(document) is not None:
            raise malformed_policy("Invalid principal in policy")

    def validate_logging(self, ctx: RequestContext, bucket: str, value: Any) -> None:
        """TargetGrants name their grantees as ACL grants do (PutBucketLogging, "Grantee Values"): a grantee
        S3 cannot resolve is refused as by PutBucketAcl, an e-mail address with 405 where S3 no longer
        takes them (PutBucketLogging API reference). A target bucket with ACLs disabled takes no grants:
        400 AccessControlListNotSupported, as AWS answered the Terraform AWS provider's
        TestAccS3BucketLogging_TargetGrantByID once new buckets had them disabled (its issue 31771)."""
        enabled = (value or {}).get("LoggingEnabled") or {}
        if enabled.get("TargetGrants") and isinstance(enabled.get("TargetBucket"), str):
            if self.s3.bucket(enabled["TargetBucket"]).get("ObjectOwnership", ENFORCED) == ENFORCED:
                raise ServiceError(
                    "AccessControlListNotSupported",
                    "Target grants not allowed for bucket owner enforced buckets",
                    status=400,
                )
        for grant in enabled.get("TargetGrants") or []:
            if isinstance(grant, dict) and isinstance(grant.get("Grantee"), dict):
                try:
                    acls.check_grant(
                        {"Grantee": grant["Grantee"], "Permission": grant.get("Permission")}, self.account_of_canonical
                    )
                except ServiceError as error:
                    raise _email_grantee_error(error, ctx.region) from None

    def validate_publicaccessblock(self, ctx: RequestContext, bucket: str, value: Any) -> None:
        if not isinstance(value, dict):
            raise ServiceError(
                "MalformedXML",
                "The XML you provided was not well-formed or did not validate against our published schema",
                status=400,
            )
        if not any(flag in value for flag in DEFAULT_PUBLIC_ACCESS_BLOCK):
            # An empty configuration is refused, not stored as four false flags (awslabs/aws-sdk-rust#819:
            # a client that left out false flags had PutPublicAccessBlock fail).
            raise ServiceError("InvalidRequest", "Must specify at least one configuration.", status=400)
        for flag in DEFAULT_PUBLIC_ACCESS_BLOCK:  # a flag left out is stored, and read back, as false
            value.setdefault(flag, False)

    def validate_ownershipcontrols(self, ctx: RequestContext, bucket: str, value: Any) -> None:
        """Bucket owner enforced disables ACLs only once the bucket ACL grants nothing beyond the owner's
        full control ("Prerequisites for disabling ACLs"): otherwise InvalidBucketAclWithObjectOwnership."""
        rules = (value or {}).get("Rules") or [{}]
        if rules[0].get("ObjectOwnership") != ENFORCED:
            return
        doc = self.s3.bucket(bucket)
        if not acls.only_owner_full_control(self.bucket_acl(doc), doc["Account"]):
            raise ServiceError(
                "InvalidBucketAclWithObjectOwnership",
                "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
                status=400,
            )

    def GetBucketPolicyStatus(self, ctx: RequestContext, p: Params) -> Params:
        text = (self.s3.bucket(p["Bucket"]).get("Configs") or {}).get("Policy")
        if text is None:
            raise ServiceError(
                "NoSuchBucketPolicy", "The bucket policy does not exist", status=404, BucketName=p["Bucket"]
            )
        return {"PolicyStatus": {"IsPublic": _policy_is_public(text)}}

    # -- ACLs ----------------------------------------------------------------------------------

    def requested_acl(
        self, p: Params, owner_account: str, bucket_owner: str, for_object: bool, region: str
    ) -> acls.Acl | None:
        """The ACL a request asks for (canned, grant headers or an AccessControlPolicy), None if none."""
        try:
            return self._requested_acl(p, owner_account, bucket_owner, for_object)
        except ServiceError as error:
            raise _email_grantee_error(error, region) from None

    def _requested_acl(
        self, p: Params, owner_account: str, bucket_owner: str, for_object: bool
    ) -> acls.Acl | None:
        canned, grants, document = p.get("ACL"), acls.has_grant_headers(p), p.get("AccessControlPolicy")
        if canned and grants:
            raise ServiceError(
                "InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed", status=400
            )
        if document is not None and (canned or grants):
            raise ServiceError("UnexpectedContent", "This request does not support content", status=400)
        if canned:
            acls.check_canned(canned, for_object)
            return acls.canned_acl(canned, owner_account, bucket_owner)
        if grants:
            return acls.acl_from_headers(p, owner_account, self.account_of_canonical)
        if document is not None:
            return acls.acl_from_document(document, owner_account, self.account_of_canonical)
        return None

    def _check_acl_allowed(
        self, ctx: RequestContext, bucket_doc: Params, acl: acls.Acl, action: str, resource: str
    ) -> None:
        if bucket_doc.get("ObjectOwnership", ENFORCED) == ENFORCED:
            if not acls.only_owner_full_control(acl, bucket_doc["Account"]):
                raise ServiceError(
                    "AccessControlListNotSupported", "The bucket does not allow ACLs", status=400
                )
            return
        if acls.is_public(acl) and self.block_in_force(ctx, bucket_doc)["BlockPublicAcls"]:  # type: ignore[attr-defined]
            raise _block_denied(
                ctx,
                action,
                resource,
                "because public ACLs are prevented by the BlockPublicAcls setting in S3 Block Public Access.",
            )

    def initial_bucket_acl(self, ctx: RequestContext, p: Params, ownership: str) -> acls.Acl:
        """CreateBucket's ACL: only the owner's full control while ACLs are disabled, never a public one.
        The object-only canned ACLs bucket-owner-read and bucket-owner-full-control are ignored ("If you
        specify this canned ACL when creating a bucket, Amazon S3 ignores it", S3's canned ACL table):
        tools that pass one ACL to every call, rclone's --s3-acl among them, create buckets with them."""
        if p.get("ACL") in ("bucket-owner-read", "bucket-owner-full-control"):
            p = {key: value for key, value in p.items() if key != "ACL"}
        acl = self.requested_acl(p, ctx.account_id, ctx.account_id, False, ctx.region)
        if acl is None:
            return acls.canned_acl("private", ctx.account_id)
        if ownership == ENFORCED and not acls.only_owner_full_control(acl, ctx.account_id):
            raise ServiceError(
                "InvalidBucketAclWithObjectOwnership",
                "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
                status=400,
            )
        if acls.is_public(acl):  # a new bucket starts with Block Public Access on
            raise ServiceError(
                "InvalidBucketAclWithBlockPublicAccessError",
                "Bucket cannot have public ACLs set with BlockPublicAccess enabled",
                status=400,
            )
        return acl

    def apply_acl(self, ctx: RequestContext, bucket_doc: Params, record: Params, p: Params) -> None:
        """The owner and ACL of an object being written (PutObject, CopyObject, CreateMultipartUpload)."""
        bucket_owner = bucket_doc["Account"]
        ownership = bucket_doc.get("ObjectOwnership", ENFORCED)
        writer = ctx.account_id or bucket_owner
        object_owner = bucket_owner if ownership == ENFORCED else writer
        if ownership == "BucketOwnerPreferred" and p.get("ACL") == "bucket-owner-full-control":
            object_owner = bucket_owner
        acl = self.requested_acl(p, object_owner, bucket_owner, True, ctx.region)
        record["Owner"] = object_owner
        record.pop("Acl", None)
        if acl is None:
            return
        resource = f"arn:aws:s3:::{bucket_doc['Name']}/{record.get('Key', p.get('Key', ''))}"
        self._check_acl_allowed(ctx, bucket_doc, acl, "s3:PutObject", resource)
        if ownership != ENFORCED:
            record["Acl"] = acl

    def GetBucketAcl(self, ctx: RequestContext, p: Params) -> Params:
        return acls.render(self.bucket_acl(self.s3.bucket(p["Bucket"])))

    def PutBucketAcl(self, ctx: RequestContext, p: Params) -> Params:
        with self.s3.store.transaction():
            doc = self.s3.bucket(p["Bucket"])
            acl = self.requested_acl(p, doc["Account"], doc["Account"], False, ctx.region)
            if acl is None:
                raise _missing_acl()
            self._check_acl_allowed(ctx, doc, acl, "s3:PutBucketAcl", f"arn:aws:s3:::{p['Bucket']}")
            if doc.get("ObjectOwnership", ENFORCED) != ENFORCED:
                doc["Acl"] = acl
                self.s3.save_bucket(doc)
        return {}

    def _acl_target(self, p: Params) -> Params:
        """The object a PutObjectAcl names. A delete marker has no ACL to set, named by its version or
        as the key's current version: 405 for a PUT (where GetObjectAcl of the key says NoSuchKey)."""
        try:
            return self.find_object(p["Bucket"], p["Key"], p.get("VersionId"), "PUT")  # type: ignore[attr-defined]
        except ServiceError as error:
            marker = error.headers.get("x-amz-delete-marker") if error.code == "NoSuchKey" else None
            if not marker:
                raise
            raise ServiceError(
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
                status=405,
                Method="PUT",
                ResourceType="DeleteMarker",
                headers={**error.headers, "Allow": "DELETE"},
            ) from None

    def GetObjectAcl(self, ctx: RequestContext, p: Params) -> Params:
        doc = self.s3.bucket(p["Bucket"])
        record = self.find_object(p["Bucket"], p["Key"], p.get("VersionId"))  # type: ignore[attr-defined]
        return acls.render(self.object_acl(doc, record))

    def PutObjectAcl(self, ctx: RequestContext, p: Params) -> Params:
        doc = self.s3.bucket(p["Bucket"])
        record = self._acl_target(p)
        owner_account = (
            doc["Account"]
            if doc.get("ObjectOwnership", ENFORCED) == ENFORCED
            else (record.get("Owner") or doc["Account"])
        )
        acl = self.requested_acl(p, owner_account, doc["Account"], True, ctx.region)
        if acl is None:
            raise _missing_acl()
        self._check_acl_allowed(ctx, doc, acl, "s3:PutObjectAcl", f"arn:aws:s3:::{p['Bucket']}/{p['Key']}")
        if doc.get("ObjectOwnership", ENFORCED) != ENFORCED:
            self._update_record(  # type: ignore[attr-defined]
                p["Bucket"], p["Key"], p.get("VersionId"), lambda r: r.__setitem__("Acl", acl)
            )
        return {}


def _object_lock_keys(operation: str, params: Params) -> Params:
    """The Object Lock condition keys a request gives (Service Authorization Reference, Amazon S3):
    a write's x-amz-object-lock-* headers, PutObjectRetention's Retention and PutObjectLegalHold's
    LegalHold body; s3:object-lock-remaining-retention-days is the retention asked for, in days from
    now (a part of a day counts as one), which bucket policies use to bound retention periods."""
    values: Params = {}
    if operation == "PutObjectRetention":
        retention = params.get("Retention") or {}
        mode, until = retention.get("Mode"), retention.get("RetainUntilDate")
        if mode is not None:
            values["s3:object-lock-mode"] = mode
    elif operation == "PutObjectLegalHold":
        until = None
        status = (params.get("LegalHold") or {}).get("Status")
        if status is not None:
            values["s3:object-lock-legal-hold"] = status
    else:
        until = params.get("ObjectLockRetainUntilDate")
    if until is not None:
        values["s3:object-lock-retain-until-date"] = until.isoformat() if hasattr(until, "isoformat") else until
        try:
            remaining = to_datetime(until) - datetime.now(UTC)
        except (TypeError, ValueError):
            return values
        values["s3:object-lock-remaining-retention-days"] = str(max(0, math.ceil(remaining.total_seconds() / 86400)))
    return values


def _request_tags(operation: str, params: Params) -> list[dict[str, str]] | None:
    if operation == "PutObjectTagging":
        # A <Tag> without a Key is MalformedXML, which the operation itself answers.
        return [
            t for t in (params.get("Tagging") or {}).get("TagSet") or [] if isinstance(t, dict) and "Key" in t
        ]
    if operation in ("PutObject", "CopyObject", "CreateMultipartUpload", "PostObject") and params.get(
        "Tagging"
    ):
        from urllib.parse import parse_qsl

        return [{"Key": k, "Value": v} for k, v in parse_qsl(str(params["Tagging"]), keep_blank_values=True)]
    return None


def _auth_keys(ctx: RequestContext) -> Params:
    """s3:authType, s3:signatureversion, s3:signatureAge and s3:x-amz-content-sha256 of the request."""
    signed = request_signature(ctx)
    if signed is None:
        return {}
    auth_type, version = signed
    request = ctx.request
    headers = request.headers
    signed_at: float | None = None
    if auth_type == "POST":
        signed_at = request.body.post_form.signed_at  # type: ignore[attr-defined]
    elif auth_type == "REST-HEADER" and version == "AWS4-HMAC-SHA256":
        signed_at = parse_amz_date(headers.get("x-amz-date", "")) or _http_date(headers.get("date"))
    elif auth_type == "REST-HEADER":
        signed_at = _http_date(headers.get("x-amz-date") or headers.get("date"))
    elif version == "AWS4-HMAC-SHA256":
        signed_at = parse_amz_date(request.query_value("X-Amz-Date") or "")
    values: Params = {"s3:authType": auth_type, "s3:signatureversion": version}
    if signed_at is not None:
        values["s3:signatureAge"] = str(max(0, int((time.time() - signed_at) * 1000)))
    if "x-amz-content-sha256" in headers:
        values["s3:x-amz-content-sha256"] = headers["x-amz-content-sha256"]
    return values


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return parse_amz_date(value)


def _missing_acl() -> ServiceError:
    """Put*Acl with neither a canned ACL, grant headers nor an AccessControlPolicy body."""
    return ServiceError(
        "MissingSecurityHeader",
        "Your request was missing a required header",
        status=400,
        MissingHeaderName="x-amz-acl",
    )


def _email_grantee_error(error: ServiceError, region: str) -> ServiceError:
    """The error a grant S3 could not resolve is answered with: "As of October 1, 2025, Amazon S3 has
    discontinued support for Email Grantee ACLs ... the request will receive an HTTP 405 (Method Not
    Allowed) error" in the Regions of `_NO_EMAIL_GRANTEES` (PutBucketAcl, PutObjectAcl, CreateBucket,
    PutObject, PutBucketLogging API references); elsewhere the error itself."""
    if error.code == "UnresolvableGrantByEmailAddress" and region in _NO_EMAIL_GRANTEES:
        return ServiceError(
            "MethodNotAllowed", "The specified method is not allowed against this resource.", status=405
        )
    return error
