"""Lifecycle expirations announced as S3 event notifications (s3:LifecycleExpiration:Delete and
:DeleteMarkerCreated), delivered to an SQS queue in S3's event format, on a server whose
lifecycle day lasts one second. Each test polls its queue with a bounded deadline."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess
from tests.services.s3.core_support import empty_and_delete, queue_s3_may_send_to

FAST = {"POCKETCLOUD_LIFECYCLE_DAY_SECONDS": "1", "POCKETCLOUD_LIFECYCLE_INTERVAL": "0.2"}
DEADLINE = 15.0


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(env=FAST).start()
    yield proc
    proc.stop()


@pytest.fixture
def wired(server: ServerProcess) -> Iterator[tuple[Any, str, str]]:
    """(s3 client, bucket, queue URL): the bucket's lifecycle events (expirations and
    transitions) go to the queue."""
    s3, sqs = server.client("s3"), server.client("sqs")
    bucket = f"lc-events-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    url, arn = queue_s3_may_send_to(sqs, "lc", bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "expired",
                    "QueueArn": arn,
                    "Events": ["s3:LifecycleExpiration:*", "s3:LifecycleTransition"],
                }
            ]
        },
    )
    yield s3, bucket, url
    empty_and_delete(s3, bucket)


def _records(server: ServerProcess, url: str, count: int) -> list[dict[str, Any]]:
    """The first `count` event records the queue receives (S3's test event skipped)."""
    sqs = server.client("sqs")
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + DEADLINE
    while len(found) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(found)} of {count} events within {DEADLINE} s: {found}")
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            found.extend(json.loads(message["Body"]).get("Records", []))
    return found


def _expire_after_one_day(s3: Any, bucket: str) -> None:
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}
            ]
        },
    )


def test_expiring_an_unversioned_object_sends_lifecycle_expiration_delete(
    server: ServerProcess, wired: tuple[Any, str, str]
) -> None:
    s3, bucket, url = wired
    s3.put_object(Bucket=bucket, Key="tmp/report 1.csv", Body=b"x")
    _expire_after_one_day(s3, bucket)
    [record] = _records(server, url, 1)
    assert record["eventName"] == "LifecycleExpiration:Delete"
    assert record["eventSource"] == "aws:s3"
    assert record["userIdentity"] == {"principalId": "s3.amazonaws.com"}
    assert record["requestParameters"] == {"sourceIPAddress": "s3.amazonaws.com"}
    assert record["s3"]["configurationId"] == "expired"
    assert record["s3"]["bucket"]["name"] == bucket
    assert record["s3"]["object"]["key"] == "tmp/report+1.csv"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_expiring_a_versioned_object_sends_delete_marker_created_with_the_markers_version(
    server: ServerProcess, wired: tuple[Any, str, str]
) -> None:
    s3, bucket, url = wired
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="tmp/doc", Body=b"x")
    _expire_after_one_day(s3, bucket)
    [record] = _records(server, url, 1)
    assert record["eventName"] == "LifecycleExpiration:DeleteMarkerCreated"
    [marker] = s3.list_object_versions(Bucket=bucket)["DeleteMarkers"]
    assert record["s3"]["object"]["versionId"] == marker["VersionId"]


def test_noncurrent_version_expiration_sends_lifecycle_expiration_delete_for_that_version(
    server: ServerProcess, wired: tuple[Any, str, str]
) -> None:
    s3, bucket, url = wired
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="doc", Body=b"old")["VersionId"]
    s3.put_object(Bucket=bucket, Key="doc", Body=b"new")
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "old",
                    "Status": "Enabled",
                    "Filter": {},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
                }
            ]
        },
    )
    [record] = _records(server, url, 1)
    assert record["eventName"] == "LifecycleExpiration:Delete"
    assert record["s3"]["object"]["versionId"] == old


def test_objects_deleted_by_requests_do_not_send_lifecycle_events(
    server: ServerProcess, wired: tuple[Any, str, str]
) -> None:
    s3, bucket, url = wired
    s3.put_object(Bucket=bucket, Key="kept/a", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="kept/a")
    s3.put_object(Bucket=bucket, Key="tmp/b", Body=b"x")
    _expire_after_one_day(s3, bucket)
    [record] = _records(server, url, 1)
    assert record["s3"]["object"]["key"] == "tmp/b"


def test_a_lifecycle_transition_sends_lifecycle_transition_with_the_new_storage_class(
    server: ServerProcess, wired: tuple[Any, str, str]
) -> None:
    s3, bucket, url = wired
    body = b"c" * (200 * 1024)  # over the 128 KiB below which S3 no longer transitions objects
    etag = s3.put_object(Bucket=bucket, Key="cold/a", Body=body)["ETag"]
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "freeze",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "cold/"},
                    "Transitions": [{"Days": 1, "StorageClass": "GLACIER"}],
                }
            ]
        },
    )
    [record] = _records(server, url, 1)
    assert record["eventName"] == "LifecycleTransition"
    assert (record["eventVersion"], record["userIdentity"]) == ("2.3", {"principalId": "s3.amazonaws.com"})
    assert record["lifecycleEventData"] == {"transitionEventData": {"destinationStorageClass": "GLACIER"}}
    obj = record["s3"]["object"]
    assert (obj["key"], obj["size"], obj["eTag"]) == ("cold/a", len(body), etag.strip('"'))
    assert s3.head_object(Bucket=bucket, Key="cold/a")["StorageClass"] == "GLACIER"
