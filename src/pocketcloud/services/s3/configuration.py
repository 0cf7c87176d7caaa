"""Bucket configuration subresources, stored and returned as AWS does, one mechanism for all.

Each entry names the Put/Get/Delete operations, the Put operation's payload
member, and the error Get answers when nothing is set. What a configuration
*does* (CORS answers, lifecycle sweeps, public access checks) lives with the
feature that acts on it; this module only keeps and returns documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3.protection import default_encryption
from pocketcloud.services.s3.state import S3State

Params = dict[str, Any]


@dataclass(frozen=True)
class BucketConfig:
    name: str  # key under the bucket document's "Configs"
    put: str
    get: str
    delete: str | None
    member: str  # the Put operation's payload member
    missing_code: str
    missing_message: str
    unwrap: bool = True  # Get returns the payload's members, not the payload itself


CONFIGS = (
    BucketConfig("Cors", "PutBucketCors", "GetBucketCors", "DeleteBucketCors", "CORSConfiguration",
                 "NoSuchCORSConfiguration", "The CORS configuration does not exist"),
    BucketConfig("Lifecycle", "PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration", "DeleteBucketLifecycle",
                 "LifecycleConfiguration", "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
    BucketConfig("Tagging", "PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging", "Tagging",
                 "NoSuchTagSet", "The TagSet does not exist"),
    BucketConfig("Encryption", "PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption",
                 "ServerSideEncryptionConfiguration", "ServerSideEncryptionConfigurationNotFoundError",
                 "The server side encryption configuration was not found", unwrap=False),
    BucketConfig("Website", "PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite", "WebsiteConfiguration",
                 "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
    BucketConfig("Policy", "PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "Policy",
                 "NoSuchBucketPolicy", "The bucket policy does not exist", unwrap=False),
    BucketConfig("PublicAccessBlock", "PutPublicAccessBlock", "GetPublicAccessBlock", "DeletePublicAccessBlock",
                 "PublicAccessBlockConfiguration", "NoSuchPublicAccessBlockConfiguration",
                 "The public access block configuration was not found", unwrap=False),
    BucketConfig("OwnershipControls", "PutBucketOwnershipControls", "GetBucketOwnershipControls", "DeleteBucketOwnershipControls",
                 "OwnershipControls", "OwnershipControlsNotFoundError", "The bucket ownership controls were not found", unwrap=False),
    BucketConfig("ObjectLock", "PutObjectLockConfiguration", "GetObjectLockConfiguration", None,
                 "ObjectLockConfiguration", "ObjectLockConfigurationNotFoundError",
                 "Object Lock configuration does not exist for this bucket", unwrap=False),
    BucketConfig("Notification", "PutBucketNotificationConfiguration", "GetBucketNotificationConfiguration", None,
                 "NotificationConfiguration", "", ""),
    BucketConfig("Logging", "PutBucketLogging", "GetBucketLogging", None, "BucketLoggingStatus", "", ""),
    BucketConfig("Accelerate", "PutBucketAccelerateConfiguration", "GetBucketAccelerateConfiguration", None,
                 "AccelerateConfiguration", "", ""),
    BucketConfig("RequestPayment", "PutBucketRequestPayment", "GetBucketRequestPayment", None,
                 "RequestPaymentConfiguration", "", ""),
    BucketConfig("Replication", "PutBucketReplication", "GetBucketReplication", "DeleteBucketReplication",
                 "ReplicationConfiguration", "ReplicationConfigurationNotFoundError",
                 "The replication configuration was not found", unwrap=False),
)

# Get answers for configurations that exist on every bucket by default.
_DEFAULTS: dict[str, Params | None] = {
    "Notification": {},
    "Logging": {},
    "Accelerate": {},
    "RequestPayment": {"Payer": "BucketOwner"},
    "OwnershipControls": None,  # filled from the bucket's ObjectOwnership
}


class ConfigurationStore:
    """Keeps bucket configuration documents under `Configs` on the bucket document."""

    def __init__(self, s3: S3State) -> None:
        self.s3 = s3

    def get(self, bucket: str, name: str) -> Any:
        return (self.s3.bucket(bucket).get("Configs") or {}).get(name)

    def put(self, bucket: str, name: str, value: Any) -> None:
        with self.s3.store.transaction():
            doc = self.s3.bucket(bucket)
            doc.setdefault("Configs", {})[name] = value
            if name == "OwnershipControls":
                rules = (value or {}).get("Rules") or [{}]
                doc["ObjectOwnership"] = rules[0].get("ObjectOwnership", "BucketOwnerEnforced")
                doc.pop("OwnershipControlsDeleted", None)
            self.s3.save_bucket(doc)

    def delete(self, bucket: str, name: str) -> None:
        with self.s3.store.transaction():
            doc = self.s3.bucket(bucket)
            (doc.get("Configs") or {}).pop(name, None)
            if name == "OwnershipControls":
                # A bucket without ownership controls behaves as buckets did before them: the object
                # writer owns what it uploads and ACLs apply; GetBucketOwnershipControls answers 404.
                doc["ObjectOwnership"] = "ObjectWriter"
                doc["OwnershipControlsDeleted"] = True
            self.s3.save_bucket(doc)


def _make_put(config: BucketConfig) -> Any:
    def put(self: Any, ctx: RequestContext, p: Params) -> Params:
        value = p.get(config.member)
        validate = getattr(self, f"validate_{config.name.lower()}", None)
        if validate is not None:
            validate(ctx, p["Bucket"], value)
        if config.name == "Tagging" and not (value or {}).get("TagSet"):
            # An empty tag set removes the tags: GetBucketTagging answers NoSuchTagSet again.
            self.configs.delete(p["Bucket"], config.name)
            return {}
        self.configs.put(p["Bucket"], config.name, value)
        return {}

    put.__name__ = config.put
    return put


def _make_get(config: BucketConfig) -> Any:
    def get(self: Any, ctx: RequestContext, p: Params) -> Params:
        bucket_doc = self.s3.bucket(p["Bucket"])
        if config.name == "Policy":
            self.check_policy_caller(ctx, bucket_doc)  # another account's caller: 405 (access.py)
        value = (bucket_doc.get("Configs") or {}).get(config.name)
        deleted = bucket_doc.get("OwnershipControlsDeleted")
        if value is None and config.name == "OwnershipControls" and not deleted:
            value = {"Rules": [{"ObjectOwnership": bucket_doc.get("ObjectOwnership", "BucketOwnerEnforced")}]}
        if config.name == "Encryption":
            # Every rule names BucketKeyEnabled, false unless it was put true, as S3 answers.
            rules = (value or default_encryption(bucket_doc)).get("Rules") or []
            value = {"Rules": [{"BucketKeyEnabled": False, **rule} for rule in rules]}
        if value is None and config.name in _DEFAULTS:
            value = _DEFAULTS[config.name]
        if value is None:
            raise ServiceError(config.missing_code, config.missing_message, status=404, BucketName=p["Bucket"])
        if config.unwrap and isinstance(value, dict):
            return dict(value)
        return {config.member: value}

    get.__name__ = config.get
    return get


def _make_delete(config: BucketConfig) -> Any:
    def delete(self: Any, ctx: RequestContext, p: Params) -> Params:
        if config.name == "Policy":
            self.check_policy_caller(ctx, self.s3.bucket(p["Bucket"]))
        self.configs.delete(p["Bucket"], config.name)
        return {}

    delete.__name__ = config.delete or ""
    return delete


class ConfigurationOperations:
    """Put/Get/Delete for every entry of CONFIGS, generated from the table."""

    configs: ConfigurationStore


for _config in CONFIGS:
    setattr(ConfigurationOperations, _config.put, _make_put(_config))
    setattr(ConfigurationOperations, _config.get, _make_get(_config))
    if _config.delete:
        setattr(ConfigurationOperations, _config.delete, _make_delete(_config))
