"""Clients acting on one bucket or key at the same time, second sweep: copies (CopyObject and
UploadPartCopy) whose source is deleted under them, DeleteObjects racing PUTs of its keys,
versioning switched on and off under PUTs, and event delivery racing the deletion of its queue.
Every racer gets one of S3's documented answers, never a 500; every copy is of one whole version
of its source (or NoSuchKey), and the final state read back through the API is consistent."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, make_client
from tests.services.race_support import THREADS, clients, code, race

# Large enough to be blob files that a delete removes while a copy may still be reading them.
BODIES = [bytes([65 + i]) * 1_500_000 for i in range(4)]


def _md5_etag(body: bytes) -> str:
    return f'"{hashlib.md5(body).hexdigest()}"'


def test_copies_racing_deletes_of_their_source_copy_one_whole_version_or_none(
    endpoint: str, s3: Any, bucket: str
) -> None:
    racers = clients(endpoint, "s3", 8)

    def act(i: int, c: Any) -> Any:
        if i < 2:  # the source is written and deleted, again and again
            for n in range(3):
                c.put_object(Bucket=bucket, Key="src", Body=BODIES[(i + n) % len(BODIES)])
                c.delete_object(Bucket=bucket, Key="src")
            return None
        answers = []
        for n in range(4):
            try:
                c.copy_object(Bucket=bucket, Key=f"dst{i}-{n}", CopySource={"Bucket": bucket, "Key": "src"})
                answers.append(f"dst{i}-{n}")
            except c.exceptions.NoSuchKey:
                answers.append("NoSuchKey")
        return answers

    s3.put_object(Bucket=bucket, Key="src", Body=BODIES[0])
    results = race(racers, act)
    assert all(code(r) is None for r in results)
    for answers in results[2:]:
        for copied in answers:
            if copied == "NoSuchKey":
                continue
            got = s3.get_object(Bucket=bucket, Key=copied)
            body = got["Body"].read()
            assert body in BODIES
            assert got["ETag"] == _md5_etag(body)


def test_upload_part_copies_racing_deletes_of_their_source_copy_a_whole_part_or_none(
    endpoint: str, s3: Any, bucket: str
) -> None:
    racers = clients(endpoint, "s3", 8)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="joined")["UploadId"]

    def act(i: int, c: Any) -> Any:
        if i < 2:
            for n in range(3):
                c.put_object(Bucket=bucket, Key="src", Body=BODIES[(i + n) % len(BODIES)])
                c.delete_object(Bucket=bucket, Key="src")
            return None
        answers = []
        for _ in range(3):
            try:
                answer = c.upload_part_copy(
                    Bucket=bucket,
                    Key="joined",
                    UploadId=upload,
                    PartNumber=i,
                    CopySource={"Bucket": bucket, "Key": "src"},
                )
                answers.append(answer["CopyPartResult"]["ETag"])
            except c.exceptions.NoSuchKey:
                answers.append("NoSuchKey")
        return answers

    s3.put_object(Bucket=bucket, Key="src", Body=BODIES[0])
    results = race(racers, act)
    assert all(code(r) is None for r in results)
    whole = {_md5_etag(body): body for body in BODIES}
    for answers in results[2:]:
        assert set(answers) <= {*whole, "NoSuchKey"}
    parts = s3.list_parts(Bucket=bucket, Key="joined", UploadId=upload).get("Parts", [])
    for part in parts:
        assert part["ETag"] in whole and part["Size"] == len(whole[part["ETag"]])
    if parts:  # one part (the others are under S3's 5 MiB minimum for all but the last)
        last = parts[-1]
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="joined",
            UploadId=upload,
            MultipartUpload={"Parts": [{"PartNumber": last["PartNumber"], "ETag": last["ETag"]}]},
        )
        assert s3.get_object(Bucket=bucket, Key="joined")["Body"].read() == whole[last["ETag"]]
    else:
        s3.abort_multipart_upload(Bucket=bucket, Key="joined", UploadId=upload)


def test_delete_objects_racing_puts_leaves_each_key_whole_or_gone(
    endpoint: str, s3: Any, bucket: str
) -> None:
    racers = clients(endpoint, "s3")
    keys = [f"k{n}" for n in range(10)]

    def act(i: int, c: Any) -> Any:
        if i < 3:
            for _ in range(3):
                answer = c.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
                assert answer.get("Errors", []) == []
            return None
        for key in keys:
            c.put_object(Bucket=bucket, Key=key, Body=f"{key} by {i}".encode() * 1000)
        return None

    results = race(racers, act)
    assert all(code(r) is None for r in results)
    listed = {o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert set(listed) <= set(keys)
    for key in keys:
        try:
            got = s3.get_object(Bucket=bucket, Key=key)
        except s3.exceptions.NoSuchKey:
            assert key not in listed
            continue
        body = got["Body"].read()
        assert body in {f"{key} by {i}".encode() * 1000 for i in range(3, len(racers))}
        assert got["ETag"] == listed[key] == _md5_etag(body)


def test_versioning_switched_under_puts_keeps_every_enabled_version_and_one_null(
    endpoint: str, s3: Any, bucket: str
) -> None:
    racers = clients(endpoint, "s3")

    def act(i: int, c: Any) -> Any:
        if i < 2:
            for n in range(4):
                status = "Enabled" if (i + n) % 2 == 0 else "Suspended"
                c.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})
            return None
        return [
            c.put_object(Bucket=bucket, Key="k", Body=b"%d-%d" % (i, n)).get("VersionId") for n in range(4)
        ]

    results = race(racers, act)
    assert all(code(r) is None for r in results)
    answered = {v for ids in results[2:] for v in ids if v not in (None, "null")}
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    listed = [v["VersionId"] for v in versions]
    # A version made while versioning was on is never replaced; a null one replaces the null before it.
    assert {v for v in listed if v != "null"} == answered
    assert listed.count("null") <= 1
    latest = [v["VersionId"] for v in versions if v["IsLatest"]]
    assert latest == [s3.head_object(Bucket=bucket, Key="k").get("VersionId", "null")]


def test_event_delivery_racing_delete_queue_fails_no_put(endpoint: str, s3: Any, bucket: str) -> None:
    sqs = make_client(endpoint, "sqs")
    url = sqs.create_queue(QueueName=f"events-{uuid.uuid4().hex[:10]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    statement = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn}
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    racers = clients(endpoint, "s3", THREADS - 1) + [make_client(endpoint, "sqs")]

    def act(i: int, c: Any) -> Any:
        if i == len(racers) - 1:
            return c.delete_queue(QueueUrl=url)
        return [c.put_object(Bucket=bucket, Key=f"k{i}-{n}", Body=b"x") for n in range(5)]

    results = race(racers, act)
    # S3 delivers its events on its own time: a queue gone is no failure of the PUT.
    assert all(code(r) is None for r in results)
    s3.put_object(Bucket=bucket, Key="after", Body=b"x")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == (THREADS - 1) * 5 + 1


# -- the lifecycle sweep: a server whose lifecycle day lasts one second --------------------------


@pytest.fixture(scope="module")
def fast_lifecycle() -> Iterator[ServerProcess]:
    proc = ServerProcess(
        env={"POCKETCLOUD_LIFECYCLE_DAY_SECONDS": "1", "POCKETCLOUD_LIFECYCLE_INTERVAL": "0.2"}
    ).start()
    yield proc
    proc.stop()


def _count(s3: Any, bucket: str) -> int:
    return sum(page["KeyCount"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket))


def test_no_object_expires_once_delete_bucket_lifecycle_has_answered(fast_lifecycle: ServerProcess) -> None:
    s3: Any = fast_lifecycle.client("s3")
    bucket = f"race-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=bucket)
    keys = [f"k{n:04d}" for n in range(800)]
    racers = clients(fast_lifecycle.endpoint, "s3", 8)
    race(racers, lambda i, c: [c.put_object(Bucket=bucket, Key=k, Body=b"x") for k in keys[i::8]])
    time.sleep(2)  # every object is now more than a lifecycle day old
    rule = {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    deadline = time.monotonic() + 10
    while True:  # the sweep has begun (it goes in key order) when the first key is gone
        try:
            s3.head_object(Bucket=bucket, Key=keys[0])
        except ClientError:
            break
        assert time.monotonic() < deadline, "the sweep never began"
    s3.delete_bucket_lifecycle(Bucket=bucket)
    left = _count(s3, bucket)
    time.sleep(1)  # five sweeps
    # S3 expires nothing by a rule that is gone: what was left when the delete answered stays.
    assert _count(s3, bucket) == left
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        if page.get("Contents"):
            s3.delete_objects(
                Bucket=bucket, Delete={"Objects": [{"Key": o["Key"]} for o in page["Contents"]]}
            )
    s3.delete_bucket(Bucket=bucket)
