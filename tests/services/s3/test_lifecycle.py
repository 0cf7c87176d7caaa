"""Lifecycle rules acted on by the S3 lifecycle worker, against a server whose lifecycle "day"
lasts one second (POCKETCLOUD_LIFECYCLE_DAY_SECONDS=1) and which sweeps five times a second, so
a one-day rule acts within about two seconds. Each test polls with a bounded deadline.

The x-amz-expiration header is checked on the session server, whose days are real days."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ServerProcess, make_client
from tests.services.s3.core_support import empty_and_delete, error_of, unique_bucket

FAST = {"POCKETCLOUD_LIFECYCLE_DAY_SECONDS": "1", "POCKETCLOUD_LIFECYCLE_INTERVAL": "0.2"}
DEADLINE = 12.0


def eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE} s: {what}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def fast_s3() -> Iterator[Any]:
    server = ServerProcess(env=FAST).start()
    yield make_client(server.endpoint, "s3")
    server.stop()


@pytest.fixture
def fast_bucket(fast_s3: Any) -> Iterator[str]:
    name = unique_bucket("lc")
    fast_s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete(fast_s3, name)


def rules(s3: Any, bucket: str, *items: dict[str, Any]) -> None:
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": list(items)})


def keys(s3: Any, bucket: str) -> set[str]:
    return {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


def test_expiration_removes_objects_the_rule_selects_and_nothing_else(fast_s3: Any, fast_bucket: str) -> None:
    for key in ("logs/old", "keep/this", "paused/this"):
        fast_s3.put_object(Bucket=fast_bucket, Key=key, Body=b"x")
    rules(fast_s3, fast_bucket,
          {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 1}},
          {"ID": "paused", "Status": "Disabled", "Filter": {"Prefix": "paused/"}, "Expiration": {"Days": 1}})
    eventually(lambda: "logs/old" not in keys(fast_s3, fast_bucket), "logs/old expired")
    assert keys(fast_s3, fast_bucket) == {"keep/this", "paused/this"}


def test_tag_and_size_filters_choose_which_objects_expire(fast_s3: Any, fast_bucket: str) -> None:
    fast_s3.put_object(Bucket=fast_bucket, Key="small-cold", Body=b"ab", Tagging="tier=cold")
    fast_s3.put_object(Bucket=fast_bucket, Key="big-hot", Body=b"x" * 100, Tagging="tier=hot")
    fast_s3.put_object(Bucket=fast_bucket, Key="big-cold", Body=b"x" * 100, Tagging="tier=cold&team=a")
    rules(fast_s3, fast_bucket, {"ID": "cold", "Status": "Enabled", "Expiration": {"Days": 1}, "Filter": {
        "And": {"Prefix": "", "Tags": [{"Key": "tier", "Value": "cold"}], "ObjectSizeGreaterThan": 10}}})
    eventually(lambda: "big-cold" not in keys(fast_s3, fast_bucket), "big-cold expired")
    assert keys(fast_s3, fast_bucket) == {"small-cold", "big-hot"}


def test_expiration_in_a_versioned_bucket_adds_a_delete_marker(fast_s3: Any, fast_bucket: str) -> None:
    fast_s3.put_bucket_versioning(Bucket=fast_bucket, VersioningConfiguration={"Status": "Enabled"})
    version = fast_s3.put_object(Bucket=fast_bucket, Key="doc", Body=b"x")["VersionId"]
    rules(fast_s3, fast_bucket, {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}})

    def marked() -> bool:
        markers = fast_s3.list_object_versions(Bucket=fast_bucket).get("DeleteMarkers", [])
        return any(m["Key"] == "doc" and m["IsLatest"] for m in markers)

    eventually(marked, "a delete marker for doc")
    versions = fast_s3.list_object_versions(Bucket=fast_bucket)["Versions"]
    assert [v["VersionId"] for v in versions] == [version]
    assert error_of(fast_s3.head_object, Bucket=fast_bucket, Key="doc")[:2] == ("404", 404)


def test_noncurrent_versions_expire_but_the_newest_noncurrent_ones_are_kept(fast_s3: Any, fast_bucket: str) -> None:
    fast_s3.put_bucket_versioning(Bucket=fast_bucket, VersioningConfiguration={"Status": "Enabled"})
    oldest, middle, current = (fast_s3.put_object(Bucket=fast_bucket, Key="doc", Body=body)["VersionId"]
                               for body in (b"1", b"2", b"3"))
    rules(fast_s3, fast_bucket, {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""},
                                 "NoncurrentVersionExpiration": {"NoncurrentDays": 1, "NewerNoncurrentVersions": 1}})

    def remaining() -> list[str]:
        return [v["VersionId"] for v in fast_s3.list_object_versions(Bucket=fast_bucket).get("Versions", [])]

    eventually(lambda: oldest not in remaining(), "the oldest version removed")
    assert remaining() == [current, middle]


def test_a_lone_expired_delete_marker_is_removed(fast_s3: Any, fast_bucket: str) -> None:
    fast_s3.put_bucket_versioning(Bucket=fast_bucket, VersioningConfiguration={"Status": "Enabled"})
    version = fast_s3.put_object(Bucket=fast_bucket, Key="doc", Body=b"x")["VersionId"]
    fast_s3.delete_object(Bucket=fast_bucket, Key="doc")
    fast_s3.put_object(Bucket=fast_bucket, Key="other", Body=b"x")
    fast_s3.delete_object(Bucket=fast_bucket, Key="other")
    fast_s3.delete_object(Bucket=fast_bucket, Key="doc", VersionId=version)  # doc: only its marker is left
    rules(fast_s3, fast_bucket, {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": ""},
                                 "Expiration": {"ExpiredObjectDeleteMarker": True}})

    def markers() -> set[str]:
        return {m["Key"] for m in fast_s3.list_object_versions(Bucket=fast_bucket).get("DeleteMarkers", [])}

    eventually(lambda: "doc" not in markers(), "doc's lone delete marker removed")
    assert markers() == {"other"}  # still hides a version, so it is not expired


def test_incomplete_multipart_uploads_are_aborted(fast_s3: Any, fast_bucket: str) -> None:
    stale = fast_s3.create_multipart_upload(Bucket=fast_bucket, Key="uploads/big")["UploadId"]
    fast_s3.upload_part(Bucket=fast_bucket, Key="uploads/big", UploadId=stale, PartNumber=1, Body=b"x")
    other = fast_s3.create_multipart_upload(Bucket=fast_bucket, Key="elsewhere/big")["UploadId"]
    rules(fast_s3, fast_bucket, {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "uploads/"},
                                 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}})

    def uploads() -> set[str]:
        return {u["UploadId"] for u in fast_s3.list_multipart_uploads(Bucket=fast_bucket).get("Uploads", [])}

    eventually(lambda: stale not in uploads(), "the upload aborted")
    assert uploads() == {other}
    assert error_of(fast_s3.upload_part, Bucket=fast_bucket, Key="uploads/big", UploadId=stale, PartNumber=2,
                    Body=b"x")[:2] == ("NoSuchUpload", 404)


def test_transition_to_glacier_changes_the_storage_class(fast_s3: Any, fast_bucket: str) -> None:
    fast_s3.put_object(Bucket=fast_bucket, Key="archive/a", Body=b"x")
    rules(fast_s3, fast_bucket, {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "archive/"},
                                 "Transitions": [{"Days": 1, "StorageClass": "GLACIER"}]})
    eventually(lambda: fast_s3.head_object(Bucket=fast_bucket, Key="archive/a").get("StorageClass") == "GLACIER",
               "archive/a in GLACIER")
    assert error_of(fast_s3.get_object, Bucket=fast_bucket, Key="archive/a")[:2] == ("InvalidObjectState", 403)


def test_lifecycle_work_resumes_after_a_restart_without_any_request(tmp_path: Path) -> None:
    slow = ServerProcess(data_dir=tmp_path).start()  # real days: nothing expires here
    try:
        s3 = make_client(slow.endpoint, "s3")
        s3.create_bucket(Bucket="restart-lifecycle")
        # Larger than the bodies kept inline in the database, so that the object has a blob file.
        s3.put_object(Bucket="restart-lifecycle", Key="tmp/a", Body=b"x" * 100_000)
        rules(s3, "restart-lifecycle", {"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
                                        "Expiration": {"Days": 1}})
    finally:
        slow.stop()
    blob_files = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file() and len(p.name) == 32]
    assert len(blob_files) == 1
    fast = ServerProcess(data_dir=tmp_path, env=FAST).start()
    try:
        # No S3 request is sent until the blob is gone: the worker starts with the server.
        eventually(lambda: not blob_files[0].exists(), "the expired object's blob removed")
        s3 = make_client(fast.endpoint, "s3")
        assert "Contents" not in s3.list_objects_v2(Bucket="restart-lifecycle")
    finally:
        fast.stop()


# -- the expiration header, on real days -------------------------------------------------------


_EXPIRATION = re.compile(r'^expiry-date="([^"]+)", rule-id="([^"]+)"$')


def expiration_of(response: dict[str, Any]) -> tuple[datetime, str] | None:
    value = response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-expiration")
    if value is None:
        return None
    match = _EXPIRATION.match(value)
    assert match, value
    return parsedate_to_datetime(match.group(1)), match.group(2)


def test_put_head_and_get_report_when_a_rule_will_expire_the_object(s3: Any, bucket: str) -> None:
    rules(s3, bucket, {"ID": "three-days", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 3}})
    start = datetime.now(UTC)
    put = expiration_of(s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x"))
    assert put is not None
    when, rule_id = put
    assert rule_id == "three-days"
    # Creation time plus three days, rounded up to the next midnight UTC.
    assert (when.hour, when.minute, when.second) == (0, 0, 0)
    assert start + timedelta(days=3) <= when <= start + timedelta(days=4, seconds=5)
    assert expiration_of(s3.head_object(Bucket=bucket, Key="logs/a")) == put
    assert expiration_of(s3.get_object(Bucket=bucket, Key="logs/a")) == put
    assert expiration_of(s3.put_object(Bucket=bucket, Key="other/b", Body=b"x")) is None


def test_expiration_header_url_encodes_the_rule_id(s3: Any, bucket: str) -> None:
    # GetObject/HeadObject/PutObject, Expiration: "The value of the rule-id is URL-encoded."
    rules(s3, bucket, {"ID": "expire logs/après", "Status": "Enabled", "Filter": {"Prefix": ""},
                       "Expiration": {"Days": 3}})
    put = expiration_of(s3.put_object(Bucket=bucket, Key="k", Body=b"x"))
    assert put is not None and put[1] == "expire%20logs%2Fapr%C3%A8s"
    assert expiration_of(s3.head_object(Bucket=bucket, Key="k")) == put


def test_expiration_header_names_the_rule_that_expires_the_object_first(s3: Any, bucket: str) -> None:
    rules(s3, bucket,
          {"ID": "late", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 30}},
          {"ID": "dated", "Status": "Enabled", "Filter": {"Prefix": "a"},
           "Expiration": {"Date": datetime(2030, 1, 1, tzinfo=UTC)}},
          {"ID": "early", "Status": "Enabled", "Filter": {"Prefix": "a/"}, "Expiration": {"Days": 2}})
    found = expiration_of(s3.put_object(Bucket=bucket, Key="a/b", Body=b"x"))
    assert found is not None and found[1] == "early"


def test_uploads_a_rule_will_abort_report_when_and_by_which_rule(s3: Any, bucket: str) -> None:
    # CreateMultipartUpload and ListParts: x-amz-abort-date and x-amz-abort-rule-id when an
    # AbortIncompleteMultipartUpload rule's prefix matches the key; the date is a midnight UTC, as AWS's
    # answer shows it ("AbortDate": "Mon, 07 Mar 2022 00:00:00 GMT").
    rules(s3, bucket,
          {"ID": "slow", "Status": "Enabled", "Filter": {"Prefix": ""}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 30}},
          {"ID": "fast", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
          {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": "tmp/"}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}})
    start = datetime.now(UTC)
    created = s3.create_multipart_upload(Bucket=bucket, Key="tmp/a")
    when = created["AbortDate"]
    assert created["AbortRuleId"] == "fast" and (when.hour, when.minute, when.second) == (0, 0, 0)
    assert start + timedelta(days=7) <= when <= start + timedelta(days=8, seconds=5)
    parts = s3.list_parts(Bucket=bucket, Key="tmp/a", UploadId=created["UploadId"])
    assert (parts["AbortDate"], parts["AbortRuleId"]) == (when, "fast")
    assert s3.create_multipart_upload(Bucket=bucket, Key="keep/b")["AbortRuleId"] == "slow"
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert "AbortDate" not in s3.create_multipart_upload(Bucket=bucket, Key="tmp/c")


@pytest.mark.parametrize("storage_class", ["STANDARD", "REDUCED_REDUNDANCY", "EXPRESS_ONEZONE", "FOO"])
def test_a_transition_names_only_a_class_objects_can_move_to(s3: Any, bucket: str, storage_class: str) -> None:
    # Transition StorageClass, "Valid Values: GLACIER | STANDARD_IA | ONEZONE_IA | INTELLIGENT_TIERING |
    # DEEP_ARCHIVE | GLACIER_IR" (API reference): another is no rule of S3's schema.
    for rule in (
        {"ID": "t", "Status": "Enabled", "Filter": {}, "Transitions": [{"Days": 40, "StorageClass": storage_class}]},
        {"ID": "n", "Status": "Enabled", "Filter": {},
         "NoncurrentVersionTransitions": [{"NoncurrentDays": 40, "StorageClass": storage_class}]},
    ):
        assert error_of(rules, s3, bucket, rule)[:2] == ("MalformedXML", 400)


def test_noncurrent_versions_expire_after_they_transition(s3: Any, bucket: str) -> None:
    rule = {
        "ID": "n", "Status": "Enabled", "Filter": {},
        "NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "GLACIER"}],
        "NoncurrentVersionExpiration": {"NoncurrentDays": 10},
    }
    assert error_of(rules, s3, bucket, rule) == (
        "InvalidArgument",
        400,
        "'NoncurrentDays' in the NoncurrentVersionExpiration action must be greater than 'NoncurrentDays' in "
        "the NoncurrentVersionTransition action",
    )
    rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": 31}
    rules(s3, bucket, rule)
