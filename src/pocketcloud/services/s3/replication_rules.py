"""S3 replication configurations: what PutBucketReplication refuses, and which rules a new version
follows.

A configuration uses one of two schemas. The first (a rule with a `Prefix` and no `Filter`)
takes no `Priority` and no `DeleteMarkerReplication`; the current one (every rule has a `Filter`)
needs both. A rule whose filter names a tag cannot replicate delete markers. Priorities and rule
ids are unique. A destination is an S3 bucket ARN (`arn:aws:s3:::name`); KMS-encrypted objects
are replicated only by a rule that selects them (`SourceSelectionCriteria`) and names the key that
encrypts the replicas (`EncryptionConfiguration.ReplicaKmsKeyID`); replication time control comes
with metrics, both at 15 minutes. The wordings are S3's.

A version follows every enabled rule whose filter selects it, one per destination bucket: when
rules for the same destination overlap, the one with the highest priority alone applies ("Amazon
S3 will attempt to replicate objects according to all replication rules. However, if there are
two or more rules with the same destination bucket, then objects will be replicated according to
the rule with the highest priority").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.services.s3.bucket_names import check_bucket_name
from pocketcloud.services.s3.errors import invalid_argument, invalid_request, malformed_xml
from pocketcloud.services.s3.lifecycle import check_filter, rule_matches

Params = dict[str, Any]
MAX_RULE_ID = 255
MAX_PRIORITY = 2**31 - 1
_STATUSES = ("Enabled", "Disabled")
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):(.+)")
_BUCKET_ARN = re.compile(r"arn:aws[a-z-]*:s3:::(.*)")
_KMS_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[^/].*")
_SCHEMA = (
    " for this version of Cross Region Replication configuration schema."
    " Please refer to S3 Developer Guide for more information."
)


@cache
def _storage_classes() -> frozenset[str]:
    return frozenset(service_model("s3").shape_for("StorageClass").enum)


def destination_bucket(rule: Params) -> str:
    """The name of the bucket a rule replicates to (its destination is a bucket ARN)."""
    return str((rule.get("Destination") or {}).get("Bucket") or "").rpartition(":")[2]


def role_account(role: str) -> str:
    """The account of the configuration's role; InvalidArgument for what is not an IAM role ARN."""
    found = _ROLE_ARN.fullmatch(role)
    if found is None:
        raise invalid_argument("Invalid Role specified in replication configuration", "Role", role)
    resource = found.group(2)
    if not resource.startswith("role/") or resource == "role/":
        raise invalid_argument("The relative id should start with role", "Role", role)
    return found.group(1)


def check_rules(rules: list[Params], source: str) -> None:
    """S3's error for the first thing it refuses in a configuration's rules (the role, the source
    bucket's versioning and the destinations' are checked by the caller)."""
    legacy = any(rule.get("Filter") is None for rule in rules)
    ids: set[str] = set()
    priorities: set[int] = set()
    for rule in rules:
        if rule.get("Status") not in _STATUSES or not (rule.get("Destination") or {}).get("Bucket"):
            raise malformed_xml()
        uses_tags = _check_filter(rule)
        _check_schema(rule, legacy)
        rule_id = rule.get("ID")
        if rule_id:
            if len(rule_id) > MAX_RULE_ID:
                raise invalid_argument(f"Rule Id cannot be greater than {MAX_RULE_ID}", "ID", rule_id)
            if rule_id in ids:
                raise invalid_argument("Rule Id must be unique", "ID", rule_id)
            ids.add(rule_id)
        priority = rule.get("Priority")
        if priority is not None:
            if not 0 <= priority <= MAX_PRIORITY:
                raise invalid_request(f"Priority must be between 0 and {MAX_PRIORITY}.")
            if priority in priorities:
                raise invalid_request(f"Found duplicate priority {priority}.")
            priorities.add(priority)
        markers = rule.get("DeleteMarkerReplication")
        if markers is not None:
            if markers.get("Status") not in _STATUSES:
                raise malformed_xml()
            if markers["Status"] == "Enabled" and uses_tags:
                raise invalid_request(
                    "Delete marker replication is not supported if any Tag filter is specified."
                    " Please refer to S3 Developer Guide for more information."
                )
        _check_destination(rule, source)


def _check_filter(rule: Params) -> bool:
    """A rule selects keys by a `Prefix` (the first schema) or a `Filter`, not both and not
    neither; a filter holds one of Prefix, Tag and And, an And at least two conditions. Whether
    the rule names a tag."""
    rule_filter = rule.get("Filter")
    if rule_filter is None:
        if rule.get("Prefix") is None:
            raise malformed_xml()
        return False
    if rule.get("Prefix") is not None:
        raise malformed_xml()
    check_filter(rule_filter)
    conjunction = rule_filter.get("And")
    if conjunction is not None and len(conjunction.get("Tags") or []) + ("Prefix" in conjunction) < 2:
        raise malformed_xml()
    return bool(rule_filter.get("Tag") or (conjunction or {}).get("Tags"))


def _check_schema(rule: Params, legacy: bool) -> None:
    for member in ("Priority", "DeleteMarkerReplication"):
        if legacy and rule.get(member) is not None:
            raise invalid_request(member + " cannot be used" + _SCHEMA)
        if not legacy and rule.get(member) is None:
            raise invalid_request(member + " must be specified" + _SCHEMA)


def _check_destination(rule: Params, source: str) -> None:
    destination: Params = rule["Destination"]
    bucket_arn = str(destination["Bucket"])
    found = _BUCKET_ARN.fullmatch(bucket_arn)
    if found is None:
        raise invalid_argument("Invalid bucket ARN", "Bucket", bucket_arn)
    try:
        check_bucket_name(found.group(1))
    except ServiceError:
        raise invalid_argument("The specified bucket is not valid.", "Bucket", bucket_arn) from None
    if found.group(1) == source:
        raise invalid_request("Destination bucket cannot be the same as the source bucket.")
    storage_class = destination.get("StorageClass")
    if storage_class is not None and storage_class not in _storage_classes():
        raise malformed_xml()
    translation = destination.get("AccessControlTranslation")
    if translation is not None:
        if translation.get("Owner") != "Destination":
            raise malformed_xml()
        if not destination.get("Account"):
            raise invalid_request(
                "Account must be specified if the Owner in AccessControlTranslation has a value"
            )
    _check_kms(rule)
    _check_metrics(destination)


def _check_kms(rule: Params) -> None:
    criteria = rule.get("SourceSelectionCriteria")
    kms_objects = None
    if criteria is not None:
        kms_objects = criteria.get("SseKmsEncryptedObjects")
        modifications = criteria.get("ReplicaModifications")
        if kms_objects is None and modifications is None:
            raise invalid_request("SourceSelectionCriteria cannot be empty.")
        for selector in (kms_objects, modifications):
            if selector is not None and selector.get("Status") not in _STATUSES:
                raise malformed_xml()
    encryption = rule["Destination"].get("EncryptionConfiguration")
    key_id = (encryption or {}).get("ReplicaKmsKeyID")
    if encryption is not None and kms_objects is None:
        raise invalid_request(
            "SseKmsEncryptedObjects must be specified if EncryptionConfiguration is present."
        )
    if kms_objects is not None and kms_objects.get("Status") == "Enabled" and not key_id:
        raise invalid_request("ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present.")
    if key_id and _KMS_KEY_ARN.fullmatch(key_id) is None:
        raise invalid_argument("Invalid ReplicaKmsKeyID ARN.", "ReplicaKmsKeyID", key_id)


def _check_metrics(destination: Params) -> None:
    """Replication time control needs metrics; both measure 15 minutes (the only value S3 takes)."""
    metrics, control = destination.get("Metrics"), destination.get("ReplicationTime")
    threshold = ((metrics or {}).get("EventThreshold") or {}).get("Minutes")
    if metrics is not None and metrics.get("Status") not in _STATUSES:
        raise malformed_xml()
    if control is not None:
        if control.get("Status") not in _STATUSES or control.get("Time") is None:
            raise malformed_xml()
        if metrics is None:
            raise invalid_request(
                "Replication destination must contain both ReplicationTime and Metrics or neither."
            )
        if control["Time"].get("Minutes") != 15:
            raise _argument("Invalid time minute value", "ReplicationTime")
    if (control or {}).get("Status") == "Enabled":
        if threshold is None:
            raise _argument("ReplicationMetrics must contain an event threshold", "ReplicationMetrics")
        if threshold != 15:
            raise _argument("Invalid event threshold minute value", "ReplicationMetrics")
    elif threshold is not None:
        raise _argument(
            "Metrics cannot contain an event threshold when ReplicationTime is not specified or Disabled",
            "Metrics",
        )


def _argument(message: str, name: str) -> ServiceError:
    return ServiceError("InvalidArgument", message, status=400, ArgumentName=name)


def rules_for(config: Params, key: str, record: Params) -> list[Params]:
    """The enabled rules a new version of `key` follows: for each destination bucket, the matching
    rule of highest priority."""
    return _by_destination(rule for rule in config.get("Rules") or [] if rule_matches(rule, key, record))


def rules_by_destination(config: Params) -> list[Params]:
    """For each destination bucket, its enabled rule of highest priority, whatever it selects."""
    return _by_destination(rule for rule in config.get("Rules") or [] if rule.get("Status") == "Enabled")


def _by_destination(rules: Iterable[Params]) -> list[Params]:
    chosen: dict[str, Params] = {}
    for rule in rules:
        target = destination_bucket(rule)
        if target not in chosen or (rule.get("Priority") or 0) > (chosen[target].get("Priority") or 0):
            chosen[target] = rule
    return list(chosen.values())
