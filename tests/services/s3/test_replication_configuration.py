"""PutBucketReplication refuses what S3 refuses: the two schemas' required and forbidden members,
duplicate ids and priorities, delete marker replication with tag filters, bucket and role ARNs,
the KMS and replication-time members, and a role the caller may not pass to S3."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.s3.access_support import iam_user, policy
from tests.services.s3.core_support import empty_and_delete

ROLE = "arn:aws:iam::000000000000:role/replication"
SCHEMA = " for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information."


@pytest.fixture(scope="module")
def buckets(s3: Any) -> Iterator[tuple[str, str]]:
    names = (f"rcfg-src-{uuid.uuid4().hex[:10]}", f"rcfg-dst-{uuid.uuid4().hex[:10]}")
    for name in names:
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield names
    for name in names:
        empty_and_delete(s3, name)


def rule(destination: str, **members: Any) -> dict[str, Any]:
    """A rule of the current schema, with `members` replacing (None: removing) its own."""
    base: dict[str, Any] = {
        "ID": "r",
        "Priority": 1,
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "DeleteMarkerReplication": {"Status": "Disabled"},
        "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
    }
    base.update(members)
    return {k: v for k, v in base.items() if v is not None}


def refusal(s3: Any, source: str, rules: list[dict[str, Any]], role: str = ROLE) -> tuple[str, str, str]:
    with pytest.raises(ClientError) as info:
        s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": role, "Rules": rules})
    error = info.value.response["Error"]
    return error["Code"], error["Message"], error.get("ArgumentName", "")


def test_the_current_schema_needs_a_priority_and_delete_marker_replication(
    s3: Any, buckets: tuple[str, str]
) -> None:
    source, destination = buckets
    for member in ("Priority", "DeleteMarkerReplication"):
        assert refusal(s3, source, [rule(destination, **{member: None})]) == (
            "InvalidRequest",
            member + " must be specified" + SCHEMA,
            "",
        )


def test_the_first_schema_takes_neither(s3: Any, buckets: tuple[str, str]) -> None:
    source, destination = buckets
    legacy = rule(destination, Filter=None, Prefix="logs/", DeleteMarkerReplication=None)
    assert refusal(s3, source, [legacy])[:2] == ("InvalidRequest", "Priority cannot be used" + SCHEMA)
    legacy = rule(destination, Filter=None, Prefix="logs/", Priority=None)
    assert refusal(s3, source, [legacy])[:2] == (
        "InvalidRequest",
        "DeleteMarkerReplication cannot be used" + SCHEMA,
    )
    s3.put_bucket_replication(
        Bucket=source,
        ReplicationConfiguration={
            "Role": ROLE,
            "Rules": [
                rule(destination, Filter=None, Prefix="logs/", Priority=None, DeleteMarkerReplication=None)
            ],
        },
    )
    stored = s3.get_bucket_replication(Bucket=source)["ReplicationConfiguration"]["Rules"]
    assert stored == [
        {
            "ID": "r",
            "Prefix": "logs/",
            "Status": "Enabled",
            "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
        }
    ]


def test_a_rule_selects_by_a_prefix_or_a_filter(s3: Any, buckets: tuple[str, str]) -> None:
    source, destination = buckets
    neither = rule(destination, Filter=None, Priority=None, DeleteMarkerReplication=None)
    both = rule(destination, Prefix="a")
    lone_and = rule(destination, Filter={"And": {"Tags": [{"Key": "k", "Value": "v"}]}})
    two_members = rule(destination, Filter={"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}})
    for wrong in (neither, both, lone_and, two_members):
        assert refusal(s3, source, [wrong])[0] == "MalformedXML"
    same_key = rule(
        destination, Filter={"And": {"Tags": [{"Key": "k", "Value": "v"}, {"Key": "k", "Value": "w"}]}}
    )
    assert refusal(s3, source, [same_key]) == ("InvalidRequest", "Duplicate Tag Keys are not allowed.", "")


def test_ids_and_priorities_are_unique(s3: Any, buckets: tuple[str, str]) -> None:
    source, destination = buckets
    twice = [rule(destination, ID="a"), rule(destination, ID="a", Priority=2)]
    assert refusal(s3, source, twice) == ("InvalidArgument", "Rule Id must be unique", "ID")
    same_priority = [rule(destination, ID="a"), rule(destination, ID="b", Filter={"Prefix": "x"})]
    assert refusal(s3, source, same_priority) == ("InvalidRequest", "Found duplicate priority 1.", "")
    assert refusal(s3, source, [rule(destination, Priority=-1)])[:2] == (
        "InvalidRequest",
        "Priority must be between 0 and 2147483647.",
    )
    assert refusal(s3, source, [rule(destination, ID="x" * 256)]) == (
        "InvalidArgument",
        "Rule Id cannot be greater than 255",
        "ID",
    )


def test_tag_rules_cannot_replicate_delete_markers(s3: Any, buckets: tuple[str, str]) -> None:
    source, destination = buckets
    tagged = rule(
        destination, Filter={"Tag": {"Key": "k", "Value": "v"}}, DeleteMarkerReplication={"Status": "Enabled"}
    )
    assert refusal(s3, source, [tagged]) == (
        "InvalidRequest",
        "Delete marker replication is not supported if any Tag filter is specified. Please refer to S3 Developer Guide for more information.",
        "",
    )


def test_destinations_are_bucket_arns(s3: Any, buckets: tuple[str, str]) -> None:
    source, _ = buckets
    wrong = rule("x", Destination={"Bucket": "plain-name"})
    assert refusal(s3, source, [wrong]) == ("InvalidArgument", "Invalid bucket ARN", "Bucket")
    wrong = rule("x", Destination={"Bucket": "arn:aws:s3:::Not_A_Bucket"})
    assert refusal(s3, source, [wrong]) == ("InvalidArgument", "The specified bucket is not valid.", "Bucket")


def test_kms_objects_need_the_key_of_their_replicas(s3: Any, buckets: tuple[str, str]) -> None:
    source, destination = buckets
    key = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    selects = {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
    assert refusal(s3, source, [rule(destination, SourceSelectionCriteria=selects)])[:2] == (
        "InvalidRequest",
        "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present.",
    )
    encrypted = {"Bucket": f"arn:aws:s3:::{destination}", "EncryptionConfiguration": {"ReplicaKmsKeyID": key}}
    assert refusal(s3, source, [rule(destination, Destination=encrypted)])[:2] == (
        "InvalidRequest",
        "SseKmsEncryptedObjects must be specified if EncryptionConfiguration is present.",
    )
    assert refusal(s3, source, [rule(destination, SourceSelectionCriteria={})])[:2] == (
        "InvalidRequest",
        "SourceSelectionCriteria cannot be empty.",
    )
    bad_key = {**encrypted, "EncryptionConfiguration": {"ReplicaKmsKeyID": "not-an-arn"}}
    assert refusal(s3, source, [rule(destination, Destination=bad_key, SourceSelectionCriteria=selects)]) == (
        "InvalidArgument",
        "Invalid ReplicaKmsKeyID ARN.",
        "ReplicaKmsKeyID",
    )
    configuration = {
        "Role": ROLE,
        "Rules": [rule(destination, Destination=encrypted, SourceSelectionCriteria=selects)],
    }
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration=configuration)


def test_replication_time_control_comes_with_metrics_at_fifteen_minutes(
    s3: Any, buckets: tuple[str, str]
) -> None:
    source, destination = buckets
    arn = f"arn:aws:s3:::{destination}"
    control = {"Status": "Enabled", "Time": {"Minutes": 15}}
    metrics = {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}
    assert refusal(s3, source, [rule(destination, Destination={"Bucket": arn, "ReplicationTime": control})])[
        :2
    ] == (
        "InvalidRequest",
        "Replication destination must contain both ReplicationTime and Metrics or neither.",
    )
    ten = {"Bucket": arn, "ReplicationTime": {**control, "Time": {"Minutes": 10}}, "Metrics": metrics}
    assert refusal(s3, source, [rule(destination, Destination=ten)]) == (
        "InvalidArgument",
        "Invalid time minute value",
        "ReplicationTime",
    )
    threshold_alone = {"Bucket": arn, "Metrics": metrics}
    assert refusal(s3, source, [rule(destination, Destination=threshold_alone)])[2] == "Metrics"
    both = {"Bucket": arn, "ReplicationTime": control, "Metrics": metrics}
    s3.put_bucket_replication(
        Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": [rule(destination, Destination=both)]}
    )
    stored = s3.get_bucket_replication(Bucket=source)["ReplicationConfiguration"]["Rules"][0]["Destination"]
    assert (stored["ReplicationTime"], stored["Metrics"]) == (control, metrics)


def test_the_role_is_an_iam_role_the_caller_may_pass(
    s3: Any, endpoint: str, buckets: tuple[str, str]
) -> None:
    source, destination = buckets
    assert refusal(s3, source, [rule(destination)], role="replication") == (
        "InvalidArgument",
        "Invalid Role specified in replication configuration",
        "Role",
    )
    assert refusal(s3, source, [rule(destination)], role="arn:aws:iam::000000000000:user/someone") == (
        "InvalidArgument",
        "The relative id should start with role",
        "Role",
    )
    assert (
        refusal(s3, source, [rule(destination)], role="arn:aws:iam::111122223333:role/theirs")[0]
        == "AccessDenied"
    )
    s3_only = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    _, without_pass_role = iam_user(endpoint, s3_only)
    assert refusal(without_pass_role, source, [rule(destination)])[0] == "AccessDenied"
    passes = policy(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": ROLE,
            "Condition": {"StringEquals": {"iam:PassedToService": "s3.amazonaws.com"}},
        },
    )
    _, with_pass_role = iam_user(endpoint, passes)
    with_pass_role.put_bucket_replication(
        Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": [rule(destination)]}
    )
