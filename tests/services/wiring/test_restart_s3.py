"""S3 state is the same after a SIGTERM or kill -9 restart (how: restart_support.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess, wait_for
from tests.services.wiring.restart_support import (
    STOPS,
    Calls,
    describe,
    unique,
)

# -- S3 --------------------------------------------------------------------------------------------


def _build_s3(server: ServerProcess) -> dict[str, Any]:
    s3: Any = server.client("s3")
    sqs: Any = server.client("sqs")
    bucket, locked = unique("configs"), unique("locked")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"}, "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{
        "AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://example.com"], "AllowedHeaders": ["*"],
        "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 30},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 7}}]})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "project", "Value": "restart"}]})
    queue = sqs.create_queue(QueueName=unique("s3-events"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": queue_arn}]})})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [{
        "Id": "to-queue", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}]})
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
        "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}})
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
    s3.put_bucket_abac(Bucket=bucket, AbacStatus={"Status": "Enabled"})
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": bucket, "TargetPrefix": "access-logs/"}})
    s3.put_bucket_metrics_configuration(Bucket=bucket, Id="all", MetricsConfiguration={"Id": "all"})
    s3.put_bucket_analytics_configuration(Bucket=bucket, Id="ana", AnalyticsConfiguration={
        "Id": "ana", "StorageClassAnalysis": {}})
    s3.put_bucket_intelligent_tiering_configuration(Bucket=bucket, Id="tier", IntelligentTieringConfiguration={
        "Id": "tier", "Status": "Enabled", "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}]})
    s3.put_bucket_inventory_configuration(Bucket=bucket, Id="inv", InventoryConfiguration={
        "Id": "inv", "IsEnabled": True, "IncludedObjectVersions": "All", "Schedule": {"Frequency": "Daily"},
        "Destination": {"S3BucketDestination": {"Bucket": f"arn:aws:s3:::{bucket}", "Format": "CSV"}}})
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"version one", Metadata={"colour": "red"},
                  ContentType="text/plain", CacheControl="max-age=60", Tagging="a=1&b=2")
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"version two", Metadata={"colour": "blue"},
                  ContentType="text/plain", ContentDisposition="inline")
    s3.put_object(Bucket=bucket, Key="gone.txt", Body=b"soon deleted")
    s3.delete_object(Bucket=bucket, Key="gone.txt")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big.bin", Metadata={"part": "yes"},
                                        ContentType="application/octet-stream")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload, PartNumber=1, Body=b"a" * (5 * 1024 * 1024))
    s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload, PartNumber=2, Body=b"tail")

    s3.create_bucket(Bucket=locked, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    s3.put_object(Bucket=locked, Key="held.txt", Body=b"held")
    s3.put_object_legal_hold(Bucket=locked, Key="held.txt", LegalHold={"Status": "ON"})
    s3.put_object_retention(Bucket=locked, Key="held.txt", Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": "2040-01-01T00:00:00Z"})
    return {"bucket": bucket, "locked": locked, "upload": upload, "queue": queue}


def _describe_s3(server: ServerProcess, state: dict[str, Any]) -> dict[str, Any]:
    s3: Any = server.client("s3")
    b, locked = state["bucket"], state["locked"]
    first_version = s3.list_object_versions(Bucket=b, Prefix="doc.txt")["Versions"][-1]["VersionId"]
    calls: Calls = [(name, getattr(s3, name), {"Bucket": b}) for name in (
        "get_bucket_versioning", "get_bucket_policy", "get_bucket_cors", "get_bucket_lifecycle_configuration",
        "get_bucket_encryption", "get_bucket_tagging", "get_bucket_notification_configuration",
        "get_bucket_website", "get_bucket_ownership_controls", "get_public_access_block", "get_bucket_abac",
        "get_bucket_location", "get_bucket_acl", "get_bucket_policy_status", "head_bucket",
        "list_object_versions", "list_objects_v2", "list_multipart_uploads",
        "get_bucket_accelerate_configuration", "get_bucket_request_payment", "get_bucket_logging",
        "list_bucket_metrics_configurations", "list_bucket_analytics_configurations",
        "list_bucket_intelligent_tiering_configurations", "list_bucket_inventory_configurations")]
    calls += [
        ("buckets", s3.list_buckets, {}),
        ("doc", s3.get_object, {"Bucket": b, "Key": "doc.txt"}),
        ("doc_v1", s3.get_object, {"Bucket": b, "Key": "doc.txt", "VersionId": first_version}),
        ("doc_v1_tags", s3.get_object_tagging, {"Bucket": b, "Key": "doc.txt", "VersionId": first_version}),
        ("doc_head", s3.head_object, {"Bucket": b, "Key": "doc.txt"}),
        ("doc_acl", s3.get_object_acl, {"Bucket": b, "Key": "doc.txt"}),
        ("doc_attributes", s3.get_object_attributes, {"Bucket": b, "Key": "doc.txt", "ObjectAttributes": [
            "ETag", "ObjectSize", "StorageClass"]}),
        ("parts", s3.list_parts, {"Bucket": b, "Key": "big.bin", "UploadId": state["upload"]}),
        ("lock", s3.get_object_lock_configuration, {"Bucket": locked}),
        ("held", s3.head_object, {"Bucket": locked, "Key": "held.txt"}),
        ("legal_hold", s3.get_object_legal_hold, {"Bucket": locked, "Key": "held.txt"}),
        ("retention", s3.get_object_retention, {"Bucket": locked, "Key": "held.txt"}),
    ]
    return describe(calls)


@pytest.mark.parametrize("how", STOPS)
def test_s3_buckets_objects_and_uploads_survive_a_restart(first: ServerProcess, restart: Any, how: str) -> None:
    state = _build_s3(first)
    before = _describe_s3(first, state)
    assert before["get_bucket_abac"]["AbacStatus"]["Status"] == "Enabled"
    second = restart(first, how)
    assert _describe_s3(second, state) == before
    # The upload in progress can still be completed with the parts sent before the restart.
    s3: Any = second.client("s3")
    parts = [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in before["parts"]["Parts"]]
    s3.complete_multipart_upload(Bucket=state["bucket"], Key="big.bin", UploadId=state["upload"],
                                 MultipartUpload={"Parts": parts})
    body = s3.get_object(Bucket=state["bucket"], Key="big.bin")
    assert (body["ContentLength"], body["Metadata"]) == (5 * 1024 * 1024 + 4, {"part": "yes"})
    # The notification configuration is still acted on: a new object under in/ is announced.
    s3.put_object(Bucket=state["bucket"], Key="in/after.txt", Body=b"new")
    sqs: Any = second.client("sqs")
    keys: list[str] = []

    def announced() -> bool:
        for message in sqs.receive_message(QueueUrl=state["queue"], WaitTimeSeconds=1,
                                           MaxNumberOfMessages=10).get("Messages", []):
            keys.extend(r["s3"]["object"]["key"] for r in json.loads(message["Body"]).get("Records", []))
        return "in/after.txt" in keys

    wait_for(announced, 15)


def test_a_retried_complete_multipart_upload_gets_its_answer_after_a_kill_9(first: ServerProcess,
                                                                            restart: Any) -> None:
    # The completion whose answer never reached the client is the case a retry is for.
    s3: Any = first.client("s3")
    bucket = unique("completed")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    upload = s3.create_multipart_upload(Bucket=bucket, Key="joined.bin")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="joined.bin", UploadId=upload, PartNumber=1, Body=b"only part")["ETag"]
    request = {"Bucket": bucket, "Key": "joined.bin", "UploadId": upload,
               "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": etag}]}}
    done = s3.complete_multipart_upload(**request)
    second = restart(first, "kill9")
    again: Any = second.client("s3")
    retried = again.complete_multipart_upload(**request)
    keep = ("Bucket", "Key", "ETag", "VersionId", "ChecksumCRC64NVME", "ChecksumType")
    assert {k: retried.get(k) for k in keep} == {k: done.get(k) for k in keep}
    versions = again.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["VersionId"], v["ETag"]) for v in versions] == [(done["VersionId"], done["ETag"])]
    assert again.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
