"""Replication acted on: new versions in a bucket with an enabled replication rule are copied to
the destination bucket as the configuration's role, and HeadObject reports x-amz-replication-status
(PENDING, then COMPLETED or FAILED on the source; REPLICA on the copy)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, make_client
from tests.services.s3.core_support import (
    allow_sse_c,
    empty_and_delete,
    empty_locked_bucket,
    error_of,
    queue_s3_may_send_to,
    unique_bucket,
)

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def role_with(endpoint: str, *actions: str) -> str:
    """A role S3 may assume, allowed `actions` on every bucket's objects (the replication guide's)."""
    iam = make_client(endpoint, "iam")
    name = f"replication-{uuid.uuid4().hex[:8]}"
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    allow = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
    }
    iam.put_role_policy(RoleName=name, PolicyName="replication", PolicyDocument=json.dumps(allow))
    return arn


# The replication guide's role policy: read the source version and its tags, write the replica, its
# delete markers and its tags.
REPLICATION_ACTIONS = (
    "s3:GetObjectVersionForReplication",
    "s3:GetObjectVersionTagging",
    "s3:ReplicateObject",
    "s3:ReplicateDelete",
    "s3:ReplicateTags",
)


@pytest.fixture(scope="module")
def role(endpoint: str) -> str:
    return role_with(endpoint, *REPLICATION_ACTIONS)


@pytest.fixture
def pair(s3: Any) -> Iterator[tuple[str, str]]:
    names = (f"repl-src-{uuid.uuid4().hex[:10]}", f"repl-dst-{uuid.uuid4().hex[:10]}")
    for name in names:
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield names
    for name in names:
        empty_and_delete(s3, name)


@pytest.fixture
def configure(s3: Any, role: str) -> Any:
    def put(source: str, destination: str, role_arn: str = role, **rule: Any) -> None:
        put_rule(s3, source, destination, role_arn, **rule)

    return put


def put_rule(s3: Any, source: str, destination: str, role_arn: str, **rule: Any) -> None:
    rule = {
        "ID": "all",
        "Priority": 0,
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "DeleteMarkerReplication": {"Status": "Disabled"},
        "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
        **rule,
    }
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": role_arn, "Rules": [rule]})


def settled_status(s3: Any, bucket: str, key: str, **head: Any) -> str | None:
    """The source's status once it is no longer PENDING (polled, as clients of AWS poll it)."""
    deadline = time.monotonic() + 10
    while True:
        status = s3.head_object(Bucket=bucket, Key=key, **head).get("ReplicationStatus")
        if status != "PENDING" or time.monotonic() > deadline:
            return status  # type: ignore[no-any-return]
        time.sleep(0.05)


def test_a_new_object_is_replicated_with_its_version_id_metadata_and_tags(
    s3: Any, pair: tuple[str, str], configure: Any
) -> None:
    source, destination = pair
    configure(source, destination)
    put = s3.put_object(
        Bucket=source,
        Key="doc.txt",
        Body=b"replicate me",
        Metadata={"team": "a"},
        Tagging="k=v",
        ContentType="text/plain",
    )
    assert s3.head_object(Bucket=source, Key="doc.txt")["ReplicationStatus"] in ("PENDING", "COMPLETED")
    assert settled_status(s3, source, "doc.txt") == "COMPLETED"
    replica = s3.get_object(Bucket=destination, Key="doc.txt")
    assert replica["Body"].read() == b"replicate me"
    assert (replica["ReplicationStatus"], replica["VersionId"]) == ("REPLICA", put["VersionId"])
    assert (replica["Metadata"], replica["ContentType"], replica["ETag"]) == (
        {"team": "a"},
        "text/plain",
        put["ETag"],
    )
    assert s3.get_object_tagging(Bucket=destination, Key="doc.txt")["TagSet"] == [{"Key": "k", "Value": "v"}]


def test_only_keys_the_rule_filters_in_are_replicated(s3: Any, pair: tuple[str, str], configure: Any) -> None:
    source, destination = pair
    configure(
        source,
        destination,
        Filter={"Prefix": "logs/"},
        Destination={"Bucket": f"arn:aws:s3:::{destination}", "StorageClass": "STANDARD_IA"},
    )
    s3.put_object(Bucket=source, Key="logs/a", Body=b"a")
    s3.put_object(Bucket=source, Key="other/b", Body=b"b")
    assert settled_status(s3, source, "logs/a") == "COMPLETED"
    assert "ReplicationStatus" not in s3.head_object(Bucket=source, Key="other/b")
    listed = s3.list_objects_v2(Bucket=destination)["Contents"]
    assert [(o["Key"], o["StorageClass"]) for o in listed] == [("logs/a", "STANDARD_IA")]


def test_objects_written_before_the_configuration_are_not_replicated(
    s3: Any, pair: tuple[str, str], configure: Any
) -> None:
    source, destination = pair
    s3.put_object(Bucket=source, Key="old", Body=b"before")
    configure(source, destination)
    assert "ReplicationStatus" not in s3.head_object(Bucket=source, Key="old")
    assert s3.list_objects_v2(Bucket=destination)["KeyCount"] == 0


def test_delete_markers_follow_the_rule_and_version_deletes_never_do(
    s3: Any, pair: tuple[str, str], configure: Any
) -> None:
    source, destination = pair
    configure(source, destination)
    s3.put_object(Bucket=source, Key="kept", Body=b"x")
    assert settled_status(s3, source, "kept") == "COMPLETED"
    s3.delete_object(Bucket=source, Key="kept")  # DeleteMarkerReplication is Disabled
    configure(source, destination, DeleteMarkerReplication={"Status": "Enabled"})
    version = s3.put_object(Bucket=source, Key="gone", Body=b"y")["VersionId"]
    assert settled_status(s3, source, "gone") == "COMPLETED"
    marker = s3.delete_object(Bucket=source, Key="gone")["VersionId"]
    deadline = time.monotonic() + 10
    while not s3.list_object_versions(Bucket=destination, Prefix="gone").get("DeleteMarkers"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    (replicated,) = s3.list_object_versions(Bucket=destination, Prefix="gone")["DeleteMarkers"]
    assert replicated["VersionId"] == marker
    s3.delete_object(Bucket=source, Key="gone", VersionId=version)  # a version's deletion stays at the source
    versions = s3.list_object_versions(Bucket=destination)
    assert sorted(v["Key"] for v in versions["Versions"]) == ["gone", "kept"]
    assert [m["Key"] for m in versions.get("DeleteMarkers", [])] == ["gone"]


def test_a_destination_without_versioning_fails_the_replication(
    s3: Any, pair: tuple[str, str], configure: Any
) -> None:
    source, destination = pair
    configure(source, destination)
    s3.put_bucket_versioning(Bucket=destination, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    assert settled_status(s3, source, "k") == "FAILED"
    assert s3.list_objects_v2(Bucket=destination)["KeyCount"] == 0


def test_replicas_are_not_replicated_back(s3: Any, pair: tuple[str, str], configure: Any) -> None:
    first, second = pair
    configure(first, second)
    configure(second, first)  # two-way replication
    s3.put_object(Bucket=first, Key="k", Body=b"once")
    assert settled_status(s3, first, "k") == "COMPLETED"
    time.sleep(0.2)
    assert len(s3.list_object_versions(Bucket=first)["Versions"]) == 1
    assert s3.head_object(Bucket=second, Key="k")["ReplicationStatus"] == "REPLICA"


def test_a_role_that_may_not_write_the_replica_fails_it(
    s3: Any, endpoint: str, pair: tuple[str, str]
) -> None:
    source, destination = pair
    reader = role_with(endpoint, "s3:GetObjectVersionForReplication")  # no s3:ReplicateObject
    put_rule(s3, source, destination, reader)
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    assert settled_status(s3, source, "k") == "FAILED"
    put_rule(s3, source, destination, "arn:aws:iam::000000000000:role/no-such-role")
    s3.put_object(Bucket=source, Key="k2", Body=b"x")
    assert settled_status(s3, source, "k2") == "FAILED"
    assert s3.list_objects_v2(Bucket=destination)["KeyCount"] == 0


def test_a_destination_bucket_policy_denial_fails_the_replica(
    s3: Any, pair: tuple[str, str], configure: Any, role: str
) -> None:
    source, destination = pair
    deny = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": {"AWS": role},
                "Action": "s3:ReplicateObject",
                "Resource": f"arn:aws:s3:::{destination}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=destination, Policy=json.dumps(deny))
    configure(source, destination)
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    assert settled_status(s3, source, "k") == "FAILED"


def replicating_server(
    data_dir: Path, delay: str, source: str, destination: str
) -> tuple[ServerProcess, Any]:
    """A server of its own whose replication waits `delay` seconds, with `source` replicating to
    `destination` as a role allowed to; the server and a client of it."""
    server = ServerProcess(data_dir=data_dir, env={"POCKETCLOUD_S3_REPLICATION_DELAY_SECONDS": delay}).start()
    s3 = make_client(server.endpoint, "s3")
    for name in (source, destination):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    put_rule(s3, source, destination, role_with(server.endpoint, *REPLICATION_ACTIONS))
    return server, s3


def test_a_copy_that_a_crash_interrupted_is_made_after_the_restart(tmp_path: Path) -> None:
    slow, s3 = replicating_server(tmp_path, "60", "crash-src", "crash-dst")
    try:
        version = s3.put_object(Bucket="crash-src", Key="k", Body=b"survives")["VersionId"]
        assert s3.head_object(Bucket="crash-src", Key="k")["ReplicationStatus"] == "PENDING"
    finally:
        slow.kill9()
    again = ServerProcess(data_dir=tmp_path).start()
    try:
        s3 = make_client(again.endpoint, "s3")
        assert settled_status(s3, "crash-src", "k") == "COMPLETED"
        replica = s3.get_object(Bucket="crash-dst", Key="k")
        assert (replica["Body"].read(), replica["VersionId"]) == (b"survives", version)
    finally:
        again.stop()


def test_replicas_land_in_the_order_their_versions_were_written(tmp_path: Path) -> None:
    server, s3 = replicating_server(tmp_path, "0.3", "order-src", "order-dst")
    try:
        s3.put_object(Bucket="order-src", Key="k", Body=b"1" * (20 * 1024 * 1024))  # slow to copy
        latest = s3.put_object(Bucket="order-src", Key="k", Body=b"2")["VersionId"]
        assert settled_status(s3, "order-src", "k") == "COMPLETED"
        deadline = time.monotonic() + 20
        while len(s3.list_object_versions(Bucket="order-dst").get("Versions", [])) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        current = s3.get_object(Bucket="order-dst", Key="k")
        assert (current["VersionId"], current["Body"].read()) == (latest, b"2")
    finally:
        server.stop()


def test_a_bucket_cannot_replicate_to_itself(s3: Any, pair: tuple[str, str], configure: Any) -> None:
    source, _ = pair
    with pytest.raises(ClientError) as info:
        configure(source, source)
    assert info.value.response["Error"]["Code"] == "InvalidRequest"


def test_sse_kms_objects_are_replicated_only_when_the_rule_opts_in(
    s3: Any, pair: tuple[str, str], configure: Any
) -> None:
    source, destination = pair
    configure(source, destination)
    s3.put_object(Bucket=source, Key="kms", Body=b"x", ServerSideEncryption="aws:kms")
    assert "ReplicationStatus" not in s3.head_object(Bucket=source, Key="kms")
    replica_key = "arn:aws:kms:us-east-1:000000000000:key/00000000-1111-2222-3333-444444444444"
    configure(
        source,
        destination,
        SourceSelectionCriteria={"SseKmsEncryptedObjects": {"Status": "Enabled"}},
        Destination={
            "Bucket": f"arn:aws:s3:::{destination}",
            "EncryptionConfiguration": {"ReplicaKmsKeyID": replica_key},
        },
    )
    s3.put_object(Bucket=source, Key="kms2", Body=b"x", ServerSideEncryption="aws:kms")
    assert settled_status(s3, source, "kms2") == "COMPLETED"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=destination)["Contents"]] == ["kms2"]
    replica = s3.head_object(Bucket=destination, Key="kms2")
    assert (replica["ServerSideEncryption"], replica["SSEKMSKeyId"]) == ("aws:kms", replica_key)
    assert s3.head_object(Bucket=source, Key="kms2")["SSEKMSKeyId"] != replica_key


@pytest.fixture
def third(s3: Any) -> Iterator[str]:
    name = f"repl-dst2-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield name
    empty_and_delete(s3, name)


def two_destinations(destination: str, other: str, **second: Any) -> list[dict[str, Any]]:
    common = {"Status": "Enabled", "DeleteMarkerReplication": {"Status": "Disabled"}}
    return [
        {
            "ID": "one",
            "Priority": 1,
            "Filter": {"Prefix": ""},
            **common,
            "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
        },
        {
            "ID": "two",
            "Priority": 2,
            "Filter": {"Prefix": ""},
            **common,
            "Destination": {"Bucket": f"arn:aws:s3:::{other}"},
            **second,
        },
    ]


def test_a_version_is_replicated_to_every_destination_its_rules_select(
    s3: Any, pair: tuple[str, str], third: str, role: str
) -> None:
    source, destination = pair
    rules = two_destinations(destination, third, Filter={"Prefix": "both/"})
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": role, "Rules": rules})
    version = s3.put_object(Bucket=source, Key="both/k", Body=b"twice")["VersionId"]
    s3.put_object(Bucket=source, Key="one-only", Body=b"once")
    assert settled_status(s3, source, "both/k") == "COMPLETED"
    assert settled_status(s3, source, "one-only") == "COMPLETED"
    for bucket in (destination, third):
        replica = s3.get_object(Bucket=bucket, Key="both/k")
        assert (replica["Body"].read(), replica["VersionId"], replica["ReplicationStatus"]) == (
            b"twice",
            version,
            "REPLICA",
        )
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=third)["Contents"]] == ["both/k"]


def test_one_destination_failing_fails_the_source_but_not_the_other_copy(
    s3: Any, pair: tuple[str, str], third: str, role: str
) -> None:
    source, destination = pair
    s3.put_bucket_replication(
        Bucket=source, ReplicationConfiguration={"Role": role, "Rules": two_destinations(destination, third)}
    )
    s3.put_bucket_versioning(Bucket=third, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    assert settled_status(s3, source, "k") == "FAILED"
    assert s3.get_object(Bucket=destination, Key="k")["ReplicationStatus"] == "REPLICA"
    assert s3.list_objects_v2(Bucket=third)["KeyCount"] == 0


def test_of_overlapping_rules_to_one_destination_the_highest_priority_applies(
    s3: Any, pair: tuple[str, str], role: str
) -> None:
    source, destination = pair
    arn = f"arn:aws:s3:::{destination}"
    common = {"Status": "Enabled", "DeleteMarkerReplication": {"Status": "Disabled"}}
    rules = [
        {
            "ID": "all",
            "Priority": 1,
            "Filter": {"Prefix": ""},
            **common,
            "Destination": {"Bucket": arn, "StorageClass": "STANDARD_IA"},
        },
        {
            "ID": "logs",
            "Priority": 5,
            "Filter": {"Prefix": "logs/"},
            **common,
            "Destination": {"Bucket": arn, "StorageClass": "GLACIER_IR"},
        },
    ]
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": role, "Rules": rules})
    s3.put_object(Bucket=source, Key="logs/1", Body=b"x")
    s3.put_object(Bucket=source, Key="data/1", Body=b"x")
    assert settled_status(s3, source, "logs/1") == settled_status(s3, source, "data/1") == "COMPLETED"
    assert s3.head_object(Bucket=destination, Key="logs/1")["StorageClass"] == "GLACIER_IR"
    assert s3.head_object(Bucket=destination, Key="data/1")["StorageClass"] == "STANDARD_IA"
    assert len(s3.list_object_versions(Bucket=destination)["Versions"]) == 2


def test_a_failure_under_a_rule_with_metrics_is_announced_as_an_event(
    s3: Any, endpoint: str, pair: tuple[str, str], role: str
) -> None:
    source, destination = pair
    sqs = make_client(endpoint, "sqs")
    url, arn = queue_s3_may_send_to(sqs, "replication-failures", source)
    s3.put_bucket_notification_configuration(
        Bucket=source,
        NotificationConfiguration={
            "QueueConfigurations": [
                {"QueueArn": arn, "Events": ["s3:Replication:OperationFailedReplication"]}
            ]
        },
    )
    sqs.purge_queue(QueueUrl=url)  # the s3:TestEvent
    metered = {"Bucket": f"arn:aws:s3:::{destination}", "Metrics": {"Status": "Enabled"}}
    put_rule(s3, source, destination, role, ID="metered", Destination=metered)
    s3.put_bucket_versioning(Bucket=destination, VersioningConfiguration={"Status": "Suspended"})
    put = s3.put_object(Bucket=source, Key="k", Body=b"12345")
    assert settled_status(s3, source, "k") == "FAILED"
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    (record,) = json.loads(messages[0]["Body"])["Records"]
    assert (record["eventName"], record["eventVersion"]) == ("Replication:OperationFailedReplication", "2.2")
    assert record["userIdentity"] == {"principalId": "s3.amazonaws.com"}
    data = record["replicationEventData"]
    assert (data["replicationRuleId"], data["destinationBucket"], data["failureReason"]) == (
        "metered",
        f"arn:aws:s3:::{destination}",
        "DstBucketUnversioned",
    )
    assert data["s3Operation"] == "OBJECT_PUT"
    assert (record["s3"]["object"]["key"], record["s3"]["object"]["versionId"]) == ("k", put["VersionId"])

    s3.put_bucket_versioning(Bucket=destination, VersioningConfiguration={"Status": "Enabled"})
    put_rule(s3, source, destination, role)  # no metrics: the failure is not announced
    s3.put_bucket_versioning(Bucket=destination, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=source, Key="quiet", Body=b"x")
    assert settled_status(s3, source, "quiet") == "FAILED"
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)


def test_sse_c_objects_are_replicated_and_read_with_the_same_key(
    s3: Any, pair: tuple[str, str], configure: Any
) -> None:
    source, destination = pair
    allow_sse_c(s3, source)
    configure(source, destination)
    key = b"k" * 32
    customer = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
    small, large = b"secret", b"s" * 300_000  # kept in the database, and in a file of its own
    for name, data in (("small", small), ("large", large)):
        s3.put_object(Bucket=source, Key=name, Body=data, **customer)
        assert settled_status(s3, source, name, **customer) == "COMPLETED"
        replica = s3.get_object(Bucket=destination, Key=name, **customer)
        assert (replica["Body"].read(), replica["ReplicationStatus"]) == (data, "REPLICA")
        with pytest.raises(ClientError) as info:
            s3.get_object(Bucket=destination, Key=name)  # without the key: unreadable there too
        assert info.value.response["Error"]["Code"] == "InvalidRequest"


def test_tag_changes_on_a_replicated_version_reach_its_replica(
    s3: Any, pair: tuple[str, str], configure: Any
) -> None:
    source, destination = pair
    configure(source, destination)
    s3.put_object(Bucket=source, Key="k", Body=b"x", Tagging="stage=raw")
    assert settled_status(s3, source, "k") == "COMPLETED"
    s3.put_object_tagging(Bucket=source, Key="k", Tagging={"TagSet": [{"Key": "stage", "Value": "done"}]})
    assert settled_status(s3, source, "k") == "COMPLETED"
    assert s3.get_object_tagging(Bucket=destination, Key="k")["TagSet"] == [{"Key": "stage", "Value": "done"}]
    s3.delete_object_tagging(Bucket=source, Key="k")
    assert settled_status(s3, source, "k") == "COMPLETED"
    assert s3.get_object_tagging(Bucket=destination, Key="k")["TagSet"] == []


def test_tags_need_the_role_to_read_and_replicate_them(s3: Any, endpoint: str, pair: tuple[str, str]) -> None:
    source, destination = pair
    untagging = role_with(endpoint, "s3:GetObjectVersionForReplication", "s3:ReplicateObject")
    put_rule(s3, source, destination, untagging)
    s3.put_object(Bucket=source, Key="plain", Body=b"x")
    s3.put_object(Bucket=source, Key="tagged", Body=b"x", Tagging="k=v")
    assert settled_status(s3, source, "plain") == "COMPLETED"
    assert settled_status(s3, source, "tagged") == "FAILED"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=destination)["Contents"]] == ["plain"]


@pytest.fixture
def locked(s3: Any) -> Iterator[tuple[str, str]]:
    """Two buckets with Object Lock enabled (and so versioning)."""
    names = (unique_bucket("repl-lock-src"), unique_bucket("repl-lock-dst"))
    for name in names:
        s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    yield names
    for name in names:
        empty_locked_bucket(s3, name)


def test_object_lock_settings_go_with_the_replica(
    s3: Any, locked: tuple[str, str], configure: Any, endpoint: str
) -> None:
    source, destination = locked
    reader = role_with(endpoint, *REPLICATION_ACTIONS, "s3:GetObjectRetention", "s3:GetObjectLegalHold")
    configure(source, destination, reader)
    until = datetime.now(UTC) + timedelta(days=1)
    s3.put_object(
        Bucket=source,
        Key="held",
        Body=b"x",
        ObjectLockMode="GOVERNANCE",
        ObjectLockRetainUntilDate=until,
        ObjectLockLegalHoldStatus="ON",
    )
    assert settled_status(s3, source, "held") == "COMPLETED"
    replica = s3.head_object(Bucket=destination, Key="held")
    assert (replica["ObjectLockMode"], replica["ObjectLockLegalHoldStatus"]) == ("GOVERNANCE", "ON")
    assert abs((replica["ObjectLockRetainUntilDate"] - until).total_seconds()) < 1

    configure(source, destination)  # a role that may not read retention
    s3.put_object(
        Bucket=source, Key="held-2", Body=b"x", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until
    )
    assert settled_status(s3, source, "held-2") == "FAILED"


def test_an_object_lock_source_needs_an_object_lock_destination(
    s3: Any, locked: tuple[str, str], pair: tuple[str, str], configure: Any
) -> None:
    source, _ = locked
    _, plain = pair
    configure(source, plain)
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    assert settled_status(s3, source, "k") == "FAILED"
    assert s3.list_objects_v2(Bucket=plain)["KeyCount"] == 0


def test_a_tag_change_reaches_replicas_made_but_replicates_nothing_new(
    s3: Any, pair: tuple[str, str], third: str, role: str
) -> None:
    source, destination = pair
    common = {"Status": "Enabled", "DeleteMarkerReplication": {"Status": "Disabled"}}
    rules = [
        {
            "ID": "all",
            "Priority": 1,
            "Filter": {"Prefix": ""},
            **common,
            "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
        },
        {
            "ID": "tagged",
            "Priority": 2,
            "Filter": {"Tag": {"Key": "go", "Value": "yes"}},
            **common,
            "Destination": {"Bucket": f"arn:aws:s3:::{third}"},
        },
    ]
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration={"Role": role, "Rules": rules})
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    assert settled_status(s3, source, "k") == "COMPLETED"
    s3.put_object_tagging(Bucket=source, Key="k", Tagging={"TagSet": [{"Key": "go", "Value": "yes"}]})
    assert settled_status(s3, source, "k") == "COMPLETED"
    assert s3.get_object_tagging(Bucket=destination, Key="k")["TagSet"] == [{"Key": "go", "Value": "yes"}]
    assert s3.list_objects_v2(Bucket=third)["KeyCount"] == 0  # rules are applied when a version is written


def test_tags_changed_while_the_copy_is_made_reach_the_replica(
    s3: Any, pair: tuple[str, str], configure: Any
) -> None:
    source, destination = pair
    configure(source, destination)
    s3.put_object(Bucket=source, Key="big", Body=b"b" * (16 * 1024 * 1024), Tagging="stage=raw")
    s3.put_object_tagging(Bucket=source, Key="big", Tagging={"TagSet": [{"Key": "stage", "Value": "done"}]})
    assert settled_status(s3, source, "big") == "COMPLETED"
    assert s3.get_object_tagging(Bucket=destination, Key="big")["TagSet"] == [
        {"Key": "stage", "Value": "done"}
    ]


def test_versioning_cannot_be_suspended_on_a_bucket_that_replicates(
    s3: Any, pair: tuple[str, str], configure: Any
) -> None:
    # S3's answer as hashicorp/terraform#22491 and nozaq/terraform-aws-remote-state-s3-backend#59
    # quote it (409); the destination's versioning is its own.
    source, destination = pair
    configure(source, destination)
    assert error_of(s3.put_bucket_versioning, Bucket=source, VersioningConfiguration={"Status": "Suspended"}) == (
        "InvalidBucketState", 409, "A replication configuration is present on this bucket, so you cannot change "
        "the versioning state. To change the versioning state, first delete the replication configuration.")
    assert s3.get_bucket_versioning(Bucket=source)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=source, VersioningConfiguration={"Status": "Enabled"})  # no change: taken
    s3.delete_bucket_replication(Bucket=source)
    s3.put_bucket_versioning(Bucket=source, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=source)["Status"] == "Suspended"
