"""What S3 refuses in bucket tagging, website, default encryption, ownership, accelerate,
request payment, logging and replication configurations.

Each `validate_<name>(ctx, bucket, value)` is the hook `configuration.py` calls
before storing a document; it raises S3's error for the first thing S3 would
refuse, and passes the document on to a hook of the same name further along the
provider's bases, if any (so other mixins can add checks of their own). CORS,
lifecycle and Object Lock configurations are checked in their own modules.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.authorizer import access_denied
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.role_access import authorize_pass_role
from pocketcloud.services.s3.errors import invalid_argument, invalid_request, malformed_xml
from pocketcloud.services.s3.replication_rules import check_rules, destination_bucket, role_account
from pocketcloud.services.s3.state import S3State, valid_tag_text

Params = dict[str, Any]
MAX_BUCKET_TAGS = 50
SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")
ENCRYPTION_TYPES = ("NONE", "SSE-C")
OBJECT_OWNERSHIP = ("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")
MAX_ROUTING_RULES = 50
_BAD_PROTOCOL = (
    "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected "
    "automatically."
)


def _invalid_tag(message: str, **fields: Any) -> ServiceError:
    return ServiceError("InvalidTag", message, status=400, **fields)


def _digits(value: Any) -> bool:
    """An HTTP code int() can read (is_digits: ASCII digits of a plausible length)."""
    return is_digits(str(value), 9)


def check_bucket_tags(tagging: Params | None) -> None:
    if tagging is None:
        raise malformed_xml()
    # A Tagging element without a TagSet is taken, as an empty set is: it removes the bucket's tags.
    tags = tagging.get("TagSet") or []
    if len(tags) > MAX_BUCKET_TAGS:
        raise ServiceError(
            "BadRequest", f"Bucket tag count cannot be greater than {MAX_BUCKET_TAGS}", status=400
        )
    seen: set[str] = set()
    for tag in tags:
        key, value = tag.get("Key"), tag.get("Value")
        if key is None or value is None:
            raise malformed_xml()
        if key in seen:
            raise _invalid_tag("Cannot provide multiple Tags with the same key", TagKey=key)
        seen.add(key)
        if not 1 <= len(key) <= 128 or not valid_tag_text(key):
            raise _invalid_tag("The TagKey you have provided is invalid", TagKey=key)
        if len(value) > 256 or not valid_tag_text(value):
            raise _invalid_tag("The TagValue you have provided is invalid", TagKey=key, TagValue=value)
        if key.lower().startswith("aws:"):
            raise _invalid_tag("System tags cannot be added/updated by requester", TagKey=key)


def check_website(config: Params | None) -> None:
    config = config or {}
    redirect_all = config.get("RedirectAllRequestsTo")
    if redirect_all is not None:
        if any(config.get(k) is not None for k in ("IndexDocument", "ErrorDocument", "RoutingRules")):
            raise invalid_argument(
                "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
                "RedirectAllRequestsTo",
                "not null",
            )
        if not redirect_all.get("HostName"):
            raise malformed_xml()
        if redirect_all.get("Protocol") not in (None, "http", "https"):
            raise invalid_request(_BAD_PROTOCOL)
        return
    index = config.get("IndexDocument")
    if index is None:
        raise invalid_argument(
            "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
            "IndexDocument",
            "null",
        )
    suffix = index.get("Suffix")
    if not suffix or "/" in suffix:
        raise invalid_argument("The IndexDocument Suffix is not well formed", "IndexDocument", suffix or "")
    error_document = config.get("ErrorDocument")
    if error_document is not None and not error_document.get("Key"):
        raise malformed_xml()
    rules = config.get("RoutingRules")
    if rules is None:
        return
    if not rules:
        raise malformed_xml()
    if len(rules) > MAX_ROUTING_RULES:
        raise invalid_request(
            f"The number of routing rules must not exceed the allowed limit of {MAX_ROUTING_RULES}."
        )
    for rule in rules:
        _check_routing_rule(rule)


def _check_routing_rule(rule: Params) -> None:
    redirect = rule.get("Redirect")
    if redirect is None:
        raise malformed_xml()
    condition = rule.get("Condition")
    if condition is not None and not any(condition.values()):
        raise invalid_request(
            "Condition cannot be empty. To redirect all requests without a condition, the "
            "condition element shouldn't be present."
        )
    if redirect.get("ReplaceKeyPrefixWith") is not None and redirect.get("ReplaceKeyWith") is not None:
        raise invalid_request("You can only define ReplaceKeyPrefix or ReplaceKey but not both.")
    if redirect.get("Protocol") not in (None, "http", "https"):
        raise invalid_request(_BAD_PROTOCOL)
    code = redirect.get("HttpRedirectCode")
    if code is not None and (not _digits(code) or not 301 <= int(code) <= 399):
        raise invalid_request(
            f"The provided HTTP redirect code ({code}) is not valid. Valid codes are 3XX except 300."
        )
    error_code = (condition or {}).get("HttpErrorCodeReturnedEquals")
    if error_code is not None and (not _digits(error_code) or not 400 <= int(error_code) <= 599):
        raise invalid_request(
            f"The provided HTTP error code ({error_code}) is not valid. Valid codes are 4XX or 5XX."
        )


def check_encryption(config: Params | None) -> None:
    rules = (config or {}).get("Rules")
    if not rules or len(rules) > 1:  # AWS takes exactly one rule
        raise malformed_xml()
    for rule in rules:
        by_default = rule.get("ApplyServerSideEncryptionByDefault")
        if by_default is not None:
            algorithm = by_default.get("SSEAlgorithm")
            if algorithm not in SSE_ALGORITHMS:
                raise malformed_xml()
            if by_default.get("KMSMasterKeyID") and algorithm == "AES256":
                # AWS names the argument but sends no ArgumentValue element with this error.
                raise ServiceError(
                    "InvalidArgument",
                    "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
                    status=400,
                    ArgumentName="ApplyServerSideEncryptionByDefault",
                )
        blocked = (rule.get("BlockedEncryptionTypes") or {}).get("EncryptionType") or []
        if any(kind not in ENCRYPTION_TYPES for kind in blocked):
            raise malformed_xml()


def check_accelerate(bucket: str, config: Params | None) -> None:
    if "." in bucket:
        # Transfer Acceleration needs a DNS-compliant bucket name without periods (PutBucketAccelerateConfiguration);
        # AWS refuses such a bucket before it looks at the Status.
        raise invalid_request(
            "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names"
        )
    if (config or {}).get("Status") not in ("Enabled", "Suspended"):
        raise malformed_xml()


def check_ownership_controls(config: Params | None) -> None:
    rules = (config or {}).get("Rules")
    if not rules or len(rules) != 1 or rules[0].get("ObjectOwnership") not in OBJECT_OWNERSHIP:
        raise malformed_xml()


class ConfigurationChecks:
    """The validate_<name> hooks of the configurations this module checks."""

    s3: S3State

    def _chain(self, hook: str, ctx: RequestContext, bucket: str, value: Any) -> None:
        chained = getattr(super(), hook, None)
        if chained is not None:
            chained(ctx, bucket, value)

    def validate_tagging(self, ctx: RequestContext, bucket: str, value: Params | None) -> None:
        self.s3.bucket(bucket)
        check_bucket_tags(value)
        self._chain("validate_tagging", ctx, bucket, value)

    def validate_website(self, ctx: RequestContext, bucket: str, value: Params | None) -> None:
        self.s3.bucket(bucket)
        check_website(value)
        self._chain("validate_website", ctx, bucket, value)

    def validate_encryption(self, ctx: RequestContext, bucket: str, value: Params | None) -> None:
        self.s3.bucket(bucket)
        check_encryption(value)
        self._chain("validate_encryption", ctx, bucket, value)

    def validate_ownershipcontrols(self, ctx: RequestContext, bucket: str, value: Params | None) -> None:
        self.s3.bucket(bucket)
        check_ownership_controls(value)
        self._chain("validate_ownershipcontrols", ctx, bucket, value)

    def validate_accelerate(self, ctx: RequestContext, bucket: str, value: Params | None) -> None:
        self.s3.bucket(bucket)
        check_accelerate(bucket, value)
        self._chain("validate_accelerate", ctx, bucket, value)

    def validate_replication(self, ctx: RequestContext, bucket: str, value: Params | None) -> None:
        doc = self.s3.bucket(bucket)
        rules = (value or {}).get("Rules")
        role = (value or {}).get("Role")
        if not rules or role is None:
            raise malformed_xml()
        # The role is the bucket owner's: iam:PassRole never crosses accounts.
        settings = self.runtime.settings  # type: ignore[attr-defined]
        if role_account(role) != doc["Account"] and not settings.auth_disabled:
            raise access_denied("s3", "Access Denied")
        authorize_pass_role(self.runtime, ctx, role, {"iam:PassedToService": "s3.amazonaws.com"})  # type: ignore[attr-defined]
        if (doc.get("Versioning") or {}).get("Status") != "Enabled":
            # Replication needs versioning on the source bucket (PutBucketReplication).
            raise invalid_request(
                "Versioning must be 'Enabled' on the bucket to apply a replication configuration"
            )
        check_rules(rules, bucket)
        for target in sorted({destination_bucket(rule) for rule in rules}):
            self._check_replication_destination(target)
        for rule in rules:
            if not rule.get("ID"):
                # S3 names a rule sent without an ID (the AWS CLI's put-bucket-replication example has
                # none; its get-bucket-replication shows "ID": "ZmUwNzE4ZmQ4...", base64 of a UUID).
                rule["ID"] = base64.b64encode(str(uuid.uuid4()).encode()).decode()
        self._chain("validate_replication", ctx, bucket, value)

    def _check_replication_destination(self, name: str) -> None:
        """A destination must be a bucket with versioning enabled; AWS words a missing bucket the same."""
        try:
            doc = self.s3.bucket(name)
        except ServiceError:
            doc = {}
        if (doc.get("Versioning") or {}).get("Status") != "Enabled":
            raise invalid_request("Destination bucket must have versioning enabled.")

    def validate_logging(self, ctx: RequestContext, bucket: str, value: Params | None) -> None:
        """Logs go to an existing bucket of the same region."""
        doc = self.s3.bucket(bucket)
        target = ((value or {}).get("LoggingEnabled") or {}).get("TargetBucket")
        if target is not None:
            try:
                target_doc = self.s3.bucket(target)
            except ServiceError:
                raise ServiceError(
                    "InvalidTargetBucketForLogging",
                    "The target bucket for logging does not exist",
                    status=400,
                    TargetBucket=target,
                ) from None
            if target_doc.get("Account") != doc.get("Account"):
                # "Both the source and destination buckets must be ... owned by the same account"
                # (S3 User Guide, server access logging); AWS's words as zalando-stups/sevenseconds#29 shows.
                raise ServiceError(
                    "InvalidTargetBucketForLogging",
                    "The owner for the bucket to be logged and the target bucket must be the same.",
                    status=400,
                    TargetBucket=target,
                )
            if target_doc.get("Region") != doc.get("Region"):
                # S3 names the source's region too, except for a source in us-east-1.
                source = (
                    {} if doc.get("Region") == "us-east-1" else {"SourceBucketLocation": doc.get("Region")}
                )
                raise ServiceError(
                    "CrossLocationLoggingProhibitted",  # sic: S3's spelling
                    "Cross S3 location logging not allowed. ",
                    status=403,
                    TargetBucketLocation=target_doc.get("Region"),
                    **source,
                )
        self._chain("validate_logging", ctx, bucket, value)

    def validate_requestpayment(self, ctx: RequestContext, bucket: str, value: Params | None) -> None:
        self.s3.bucket(bucket)
        if (value or {}).get("Payer") not in ("Requester", "BucketOwner"):
            raise malformed_xml()
        self._chain("validate_requestpayment", ctx, bucket, value)
