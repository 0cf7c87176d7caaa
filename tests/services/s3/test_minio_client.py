"""S3 through MinIO's Python SDK (`minio`): its own SigV4 signer, its own XML parsing, its own
multipart uploads, presigned URLs and POST policies, and `compose_object` built on UploadPartCopy.
Nothing here goes through botocore; boto3 only creates and empties the buckets."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import urllib3
from minio import Minio
from minio.commonconfig import ENABLED, GOVERNANCE, ComposeSource, CopySource, Filter, Tags
from minio.datatypes import PostPolicy
from minio.error import S3Error, ServerError
from minio.lifecycleconfig import Expiration, LifecycleConfig, Rule
from minio.notificationconfig import NotificationConfig, PrefixFilterRule, QueueConfig
from minio.retention import Retention
from minio.select import CSVInputSerialization, CSVOutputSerialization, SelectRequest
from minio.sse import SseCustomerKey
from minio.sseconfig import Rule as SseRule
from minio.sseconfig import SSEConfig
from minio.versioningconfig import VersioningConfig

from tests.conftest import ROOT_ACCOUNT, ROOT_KEY, ROOT_SECRET, ServerProcess
from tests.services.s3.core_support import allow_sse_c

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def mc(server: ServerProcess) -> Minio:
    return Minio(
        f"127.0.0.1:{server.port}",
        access_key=ROOT_KEY,
        secret_key=ROOT_SECRET,
        secure=False,
        region="us-east-1",
    )


def s3_error(call: Any, *args: Any, **kwargs: Any) -> S3Error:
    with pytest.raises(S3Error) as info:
        call(*args, **kwargs)
    return info.value


def put_bytes(mc: Minio, bucket: str, key: str, data: bytes, **kwargs: Any) -> Any:
    return mc.put_object(bucket, key, io.BytesIO(data), len(data), **kwargs)


def test_put_and_stat_keep_bytes_etag_and_metadata(mc: Minio, bucket: str) -> None:
    written = put_bytes(mc, bucket, "a.txt", b"hello", content_type="text/plain", metadata={"color": "red"})
    assert written.etag == hashlib.md5(b"hello").hexdigest()
    stat = mc.stat_object(bucket, "a.txt")
    assert (stat.size, stat.etag, stat.content_type) == (5, written.etag, "text/plain")
    assert stat.metadata["x-amz-meta-color"] == "red"
    assert mc.get_object(bucket, "a.txt").data == b"hello"


def test_multipart_upload_of_unknown_length_round_trips(mc: Minio, bucket: str) -> None:
    data = bytes(range(256)) * (6 * MIB // 256 + 1)
    written = mc.put_object(bucket, "big.bin", io.BytesIO(data), -1, part_size=5 * MIB)
    parts = [data[: 5 * MIB], data[5 * MIB :]]
    assert written.etag == hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + "-2"
    assert mc.get_object(bucket, "big.bin").data == data


def test_append_object_is_refused_by_a_general_purpose_bucket(mc: Minio, bucket: str) -> None:
    # x-amz-write-offset-bytes appends only in directory buckets (S3 Express One Zone).
    put_bytes(mc, bucket, "log", b"abc")
    error = s3_error(mc.append_object, bucket, "log", io.BytesIO(b"def"), 3)
    assert (error.code, error.response.status) == ("NotImplemented", 501)
    assert mc.get_object(bucket, "log").data == b"abc"


def test_ranged_get_and_unsatisfiable_range(mc: Minio, bucket: str) -> None:
    put_bytes(mc, bucket, "r.txt", b"0123456789")
    assert mc.get_object(bucket, "r.txt", offset=2, length=3).data == b"234"
    assert mc.get_object(bucket, "r.txt", offset=7).data == b"789"
    error = s3_error(mc.get_object, bucket, "r.txt", offset=20, length=2)
    assert (error.code, error.response.status) == ("InvalidRange", 416)


def test_missing_key_and_bucket_errors(mc: Minio, bucket: str) -> None:
    error = s3_error(mc.get_object, bucket, "nope")
    assert (error.code, error.response.status, error.message) == (
        "NoSuchKey",
        404,
        "The specified key does not exist.",
    )
    assert s3_error(mc.stat_object, bucket, "nope").code == "NoSuchKey"  # a HEAD: 404 with no body
    assert s3_error(mc.get_object, f"{bucket}-gone", "k").code == "NoSuchBucket"
    assert s3_error(lambda: list(mc.list_objects(f"{bucket}-gone"))).code == "NoSuchBucket"
    assert mc.bucket_exists(bucket) and not mc.bucket_exists(f"{bucket}-gone")


def test_read_preconditions(mc: Minio, bucket: str) -> None:
    etag = put_bytes(mc, bucket, "c.txt", b"cond").etag
    error = s3_error(mc.get_object, bucket, "c.txt", request_headers={"If-Match": '"0000"'})
    assert (error.code, error.response.status) == ("PreconditionFailed", 412)
    with pytest.raises(ServerError) as info:  # 304 has no body: minio reports the bare status
        mc.get_object(bucket, "c.txt", request_headers={"If-None-Match": f'"{etag}"'})
    assert info.value.status_code == 304
    copy_error = s3_error(mc.copy_object, bucket, "c2", CopySource(bucket, "c.txt", match_etag="0000"))
    assert (copy_error.code, copy_error.response.status) == ("PreconditionFailed", 412)


def test_listing_v1_and_v2_with_delimiter_and_awkward_keys(mc: Minio, bucket: str) -> None:
    keys = ["<tag>&amp;", "a&b=c?d", "sp ace/ü+%.txt", "x/y/z"]
    for key in keys:
        put_bytes(mc, bucket, key, key.encode())
    assert [o.object_name for o in mc.list_objects(bucket, recursive=True)] == keys
    assert [o.object_name for o in mc.list_objects(bucket, recursive=True, use_api_v1=True)] == keys
    top = [(o.object_name, o.is_dir) for o in mc.list_objects(bucket)]
    assert sorted(top) == [("<tag>&amp;", False), ("a&b=c?d", False), ("sp ace/", True), ("x/", True)]
    assert [o.object_name for o in mc.list_objects(bucket, start_after="a&b=c?d", recursive=True)] == keys[2:]
    for key in keys:
        assert mc.get_object(bucket, key).data == key.encode()


def test_version_listing_shows_versions_and_delete_marker(mc: Minio, versioned_bucket: str) -> None:
    first = put_bytes(mc, versioned_bucket, "v", b"1").version_id
    second = put_bytes(mc, versioned_bucket, "v", b"2").version_id
    mc.remove_object(versioned_bucket, "v")
    listed = list(mc.list_objects(versioned_bucket, include_version=True))
    # minio reads the <Version> elements first, then the <DeleteMarker> ones.
    versions = [(o.version_id, o.is_latest, o.size) for o in listed if not o.is_delete_marker]
    assert versions == [(second, "false", 1), (first, "false", 1)]
    markers = [o for o in listed if o.is_delete_marker]
    assert [(m.object_name, m.is_latest) for m in markers] == [("v", "true")]
    assert s3_error(mc.get_object, versioned_bucket, "v").code == "NoSuchKey"
    assert mc.get_object(versioned_bucket, "v", version_id=first).data == b"1"
    assert (
        s3_error(mc.stat_object, versioned_bucket, "v", version_id=markers[0].version_id).code
        == "MethodNotAllowed"
    )


def test_copy_with_replaced_metadata_and_compose_by_upload_part_copy(mc: Minio, bucket: str) -> None:
    part = bytes(range(256)) * (5 * MIB // 256)
    put_bytes(mc, bucket, "p1", part)
    put_bytes(mc, bucket, "tail", b"tail")
    copied = mc.copy_object(
        bucket, "copy", CopySource(bucket, "tail"), metadata={"k": "v"}, metadata_directive="REPLACE"
    )
    assert copied.etag == hashlib.md5(b"tail").hexdigest()
    assert mc.stat_object(bucket, "copy").metadata["x-amz-meta-k"] == "v"
    composed = mc.compose_object(
        bucket, "composed", [ComposeSource(bucket, "p1"), ComposeSource(bucket, "tail")]
    )
    assert composed.etag.endswith("-2")
    assert mc.get_object(bucket, "composed").data == part + b"tail"
    ranged = mc.compose_object(bucket, "ranged", [ComposeSource(bucket, "tail", offset=1, length=2)])
    assert mc.get_object(bucket, ranged.object_name).data == b"ai"


def test_presigned_get_put_and_expired_url(mc: Minio, bucket: str) -> None:
    put_url = mc.presigned_put_object(bucket, "pre.txt")
    assert urllib3.request("PUT", put_url, body=b"presigned").status == 200
    get_url = mc.presigned_get_object(bucket, "pre.txt", response_headers={"response-content-type": "x/test"})
    answer = urllib3.request("GET", get_url)
    assert (answer.data, answer.headers["Content-Type"]) == (b"presigned", "x/test")
    stale = mc.presigned_get_object(
        bucket, "pre.txt", expires=timedelta(seconds=1), request_date=datetime.now(UTC) - timedelta(minutes=5)
    )
    expired = urllib3.request("GET", stale)
    assert expired.status == 403 and b"<Message>Request has expired</Message>" in expired.data


def _post(endpoint: str, bucket: str, fields: dict[str, Any]) -> Any:
    """A browser's multipart/form-data POST of the form minio signed."""
    return urllib3.request("POST", f"{endpoint}/{bucket}", fields=fields)


def test_presigned_post_policy_uploads_and_enforces_its_conditions(
    mc: Minio, endpoint: str, bucket: str
) -> None:
    policy = PostPolicy(bucket, datetime.now(UTC) + timedelta(minutes=10))
    policy.add_starts_with_condition("key", "up/")
    policy.add_content_length_range_condition(1, 10)
    form = mc.presigned_post_policy(policy)
    ok = _post(endpoint, bucket, {**form, "key": "up/a", "file": ("a", b"posted")})
    assert ok.status == 204 and mc.get_object(bucket, "up/a").data == b"posted"
    too_big = _post(endpoint, bucket, {**form, "key": "up/b", "file": ("b", b"far more than ten bytes")})
    assert too_big.status == 400 and b"<Code>EntityTooLarge</Code>" in too_big.data
    wrong_key = _post(endpoint, bucket, {**form, "key": "elsewhere", "file": ("c", b"x")})
    assert wrong_key.status == 403 and b"<Code>AccessDenied</Code>" in wrong_key.data


def test_bucket_configuration_round_trips(mc: Minio, bucket: str) -> None:
    tags = Tags.new_bucket_tags()
    tags["team"] = "storage"
    mc.set_bucket_tags(bucket, tags)
    assert dict(mc.get_bucket_tags(bucket) or {}) == {"team": "storage"}
    mc.delete_bucket_tags(bucket)
    assert mc.get_bucket_tags(bucket) is None  # minio maps NoSuchTagSet to None
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    mc.set_bucket_policy(bucket, json.dumps(policy))
    assert json.loads(mc.get_bucket_policy(bucket))["Statement"][0]["Action"] == "s3:GetObject"
    mc.delete_bucket_policy(bucket)
    assert s3_error(mc.get_bucket_policy, bucket).code == "NoSuchBucketPolicy"
    rule = Rule(
        ENABLED, rule_filter=Filter(prefix="logs/"), rule_id="expire-logs", expiration=Expiration(days=3)
    )
    mc.set_bucket_lifecycle(bucket, LifecycleConfig([rule]))
    stored = mc.get_bucket_lifecycle(bucket)
    assert (
        stored is not None
        and stored.rules[0].rule_id == "expire-logs"
        and stored.rules[0].expiration.days == 3
    )
    mc.set_bucket_encryption(bucket, SSEConfig(SseRule.new_sse_s3_rule()))
    encryption = mc.get_bucket_encryption(bucket)
    assert encryption is not None and encryption.rule.sse_algorithm == "AES256"
    mc.set_bucket_versioning(bucket, VersioningConfig(ENABLED))
    assert mc.get_bucket_versioning(bucket).status == "Enabled"


def test_object_tags_and_notification_validation(mc: Minio, bucket: str) -> None:
    put_bytes(mc, bucket, "t", b"t")
    tags = Tags.new_object_tags()
    tags["stage"] = "raw"
    mc.set_object_tags(bucket, "t", tags)
    assert dict(mc.get_object_tags(bucket, "t") or {}) == {"stage": "raw"}
    mc.delete_object_tags(bucket, "t")
    assert not mc.get_object_tags(bucket, "t")
    assert mc.get_bucket_notification(bucket).queue_config_list == []
    missing_queue = QueueConfig(
        queue=f"arn:aws:sqs:us-east-1:{ROOT_ACCOUNT}:no-such-queue",
        events=["s3:ObjectCreated:*"],
        config_id="q",
        prefix_filter_rule=PrefixFilterRule("in/"),
    )
    error = s3_error(
        mc.set_bucket_notification, bucket, NotificationConfig(queue_config_list=[missing_queue])
    )
    assert (error.code, error.response.status) == ("InvalidArgument", 400)


def test_sse_c_object_needs_its_key(mc: Minio, s3: Any, bucket: str) -> None:
    allow_sse_c(s3, bucket)
    key = SseCustomerKey(b"k" * 32)
    put_bytes(mc, bucket, "secret", b"classified", sse=key)
    assert mc.get_object(bucket, "secret", ssec=key).data == b"classified"
    error = s3_error(mc.get_object, bucket, "secret")
    assert (error.code, error.response.status) == ("InvalidRequest", 400)


def test_select_object_content_over_csv(mc: Minio, bucket: str) -> None:
    data = b"name,value\na,1\nb,2\n"
    put_bytes(mc, bucket, "d.csv", data)
    request = SelectRequest(
        "select s.value from S3Object s where s.name = 'b'",
        CSVInputSerialization(file_header_info="USE"),
        CSVOutputSerialization(),
        request_progress=True,
    )
    with mc.select_object_content(bucket, "d.csv", request) as result:
        assert b"".join(result.stream()) == b"2\n"
        assert result.stats().bytes_scanned == str(len(data))


@pytest.fixture
def lock_bucket(mc: Minio, s3: Any) -> Iterator[str]:
    name = f"lock-{uuid.uuid4().hex[:12]}"
    mc.make_bucket(name, object_lock=True)
    yield name
    for version in s3.list_object_versions(Bucket=name).get("Versions", []):
        s3.put_object_legal_hold(
            Bucket=name, Key=version["Key"], VersionId=version["VersionId"], LegalHold={"Status": "OFF"}
        )
        s3.delete_object(
            Bucket=name, Key=version["Key"], VersionId=version["VersionId"], BypassGovernanceRetention=True
        )
    s3.delete_bucket(Bucket=name)


def test_object_lock_retention_and_legal_hold(mc: Minio, lock_bucket: str, bucket: str) -> None:
    assert s3_error(mc.get_object_lock_config, bucket).code == "ObjectLockConfigurationNotFoundError"
    assert s3_error(mc.get_object_retention, bucket, "x").code == "InvalidRequest"
    version = put_bytes(mc, lock_bucket, "held", b"keep").version_id
    until = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    mc.set_object_retention(lock_bucket, "held", Retention(GOVERNANCE, until), version_id=version)
    retention = mc.get_object_retention(lock_bucket, "held", version_id=version)
    assert retention is not None and (retention.mode, retention.retain_until_date) == (GOVERNANCE, until)
    assert not mc.is_object_legal_hold_enabled(lock_bucket, "held")
    mc.enable_object_legal_hold(lock_bucket, "held")
    assert mc.is_object_legal_hold_enabled(lock_bucket, "held")
    error = s3_error(mc.remove_object, lock_bucket, "held", version_id=version)
    assert (error.code, error.response.status) == ("AccessDenied", 403)
