"""Export tasks copy a log group's events of [from, to) to S3 as AWS lays them out, once the
bucket policy lets CloudWatch Logs (logs.<region>.amazonaws.com) read its ACL and write to it."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import ServerProcess, make_client, wait_for
from tests.services.logs.support import error_of, now_ms, put, unique
from tests.services.s3.test_notification_parity import notify_queue, records

REGION = "us-east-1"
SERVICE = f"logs.{REGION}.amazonaws.com"
GET_ACL_FAILED = (
    "GetBucketAcl call on the given bucket failed. "
    "Please check if CloudWatch Logs has been granted permission to perform this operation."
)


def export_policy(bucket: str, put_object: bool = True) -> str:
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Principal": {"Service": SERVICE},
            "Action": "s3:GetBucketAcl",
            "Resource": f"arn:aws:s3:::{bucket}",
        },
    ]
    if put_object:
        statements.append(
            {
                "Effect": "Allow",
                "Principal": {"Service": SERVICE},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": "000000000000"}},
            }
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def make_bucket(s3: Any, policy: str | None = "export") -> str:
    name = unique("export")
    s3.create_bucket(Bucket=name)
    if policy == "export":
        policy = export_policy(name)
    if policy:
        s3.put_bucket_policy(Bucket=name, Policy=policy)
    return name


@pytest.fixture(scope="module")
def s3(endpoint: str) -> Any:
    return make_client(endpoint, "s3")


@pytest.fixture
def bucket(s3: Any) -> str:
    return make_bucket(s3)


def finished(logs: Any, task_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        [task] = logs.describe_export_tasks(taskId=task_id)["exportTasks"]
        return task if task["status"]["code"] not in ("PENDING", "RUNNING") else None

    found: dict[str, Any] = wait_for(done)
    return found


def body_of(s3: Any, bucket: str, key: str) -> bytes:
    return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def test_export_writes_each_streams_events_in_the_window_as_gzipped_lines(
    logs: Any, s3: Any, group: str, bucket: str
) -> None:
    for stream in ("app-1", "app-2"):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    start = now_ms() - 60_000
    stamps = put(logs, group, "app-1", ["before", "first", "second", "after"], start=start, step=1000)
    put(logs, group, "app-2", ["other"], start=start + 1500)
    task_id = logs.create_export_task(
        logGroupName=group, fromTime=stamps[1], to=stamps[3], destination=bucket, destinationPrefix="out"
    )["taskId"]
    task = finished(logs, task_id)
    assert task["status"] == {"code": "COMPLETED", "message": "Completed successfully"}
    text = gzip.decompress(body_of(s3, bucket, f"out/{task_id}/app-1/000000.gz")).decode()
    lines = text.splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == ["first", "second"]
    assert lines[0].split(" ", 1)[0].endswith("Z") and "T" in lines[0]
    assert (
        gzip.decompress(body_of(s3, bucket, f"out/{task_id}/app-2/000000.gz")).decode().endswith(" other\n")
    )
    assert body_of(s3, bucket, "out/aws-logs-write-test") == b"Permission Check Successful"


def test_export_timestamps_are_iso_utc_with_milliseconds(logs: Any, s3: Any, group: str, bucket: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    base = (now_ms() // 60_000 - 2) * 60_000 + 7  # a whole minute plus 7 ms
    put(logs, group, "s", ["x"], start=base)
    task_id = logs.create_export_task(logGroupName=group, fromTime=base, to=base + 1, destination=bucket)[
        "taskId"
    ]
    finished(logs, task_id)
    expected = datetime.fromtimestamp(base // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S") + ".007Z"
    text = gzip.decompress(body_of(s3, bucket, f"exportedlogs/{task_id}/s/000000.gz")).decode()
    assert text == f"{expected} x\n"


def test_stream_prefix_limits_the_streams_exported(logs: Any, s3: Any, group: str, bucket: str) -> None:
    for stream in ("web-1", "worker-1"):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        put(logs, group, stream, [stream])
    task_id = logs.create_export_task(
        logGroupName=group, logStreamNamePrefix="web", fromTime=0, to=now_ms(), destination=bucket
    )["taskId"]
    finished(logs, task_id)
    keys = [
        o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=f"exportedlogs/{task_id}/")["Contents"]
    ]
    assert keys == [f"exportedlogs/{task_id}/web-1/000000.gz"]


def test_described_task_shows_what_was_asked(logs: Any, group: str, bucket: str) -> None:
    task_id = logs.create_export_task(
        taskName="nightly", logGroupName=group, fromTime=1000, to=2000, destination=bucket
    )["taskId"]
    task = finished(logs, task_id)
    assert {
        k: task[k]
        for k in ("taskId", "taskName", "logGroupName", "from", "to", "destination", "destinationPrefix")
    } == {
        "taskId": task_id,
        "taskName": "nightly",
        "logGroupName": group,
        "from": 1000,
        "to": 2000,
        "destination": bucket,
        "destinationPrefix": "exportedlogs",
    }
    assert task["executionInfo"]["completionTime"] >= task["executionInfo"]["creationTime"]


def test_bucket_whose_policy_does_not_name_logs_is_refused(logs: Any, s3: Any, group: str) -> None:
    bucket = make_bucket(s3, policy=None)
    assert error_of(logs.create_export_task, logGroupName=group, fromTime=0, to=1, destination=bucket) == (
        "InvalidParameterException",
        GET_ACL_FAILED,
    )


def test_missing_bucket_is_refused_as_not_existing(logs: Any, group: str) -> None:
    assert error_of(
        logs.create_export_task, logGroupName=group, fromTime=0, to=1, destination=unique("nobucket")
    ) == (
        "InvalidParameterException",
        "The given bucket does not exist. Please make sure the bucket is valid.",
    )


def test_export_writes_with_the_acl_the_documented_policy_requires(logs: Any, s3: Any, group: str) -> None:
    # AWS's documented export policy lets CloudWatch Logs PutObject only with bucket-owner-full-control.
    name = unique("export")
    s3.create_bucket(Bucket=name)
    policy = json.loads(export_policy(name))
    policy["Statement"][1]["Condition"]["StringEquals"]["s3:x-amz-acl"] = "bucket-owner-full-control"
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    task_id = logs.create_export_task(logGroupName=group, fromTime=0, to=1, destination=name)["taskId"]
    finished(logs, task_id)
    # Without a destinationPrefix, the permission check object is written at the bucket's root.
    assert body_of(s3, name, "aws-logs-write-test") == b"Permission Check Successful"


def test_bucket_that_lets_logs_read_acl_but_not_write_is_refused(logs: Any, s3: Any, group: str) -> None:
    name = unique("export")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=export_policy(name, put_object=False))
    code, message = error_of(logs.create_export_task, logGroupName=group, fromTime=0, to=1, destination=name)
    assert code == "InvalidParameterException"
    assert message.startswith("PutObject call on the given bucket failed.")


def test_time_range_ending_before_it_starts_is_refused(logs: Any, group: str, bucket: str) -> None:
    assert error_of(logs.create_export_task, logGroupName=group, fromTime=2000, to=1000, destination=bucket)[
        0
    ] == ("InvalidParameterException")


def test_export_of_missing_group_is_not_found(logs: Any, bucket: str) -> None:
    assert error_of(
        logs.create_export_task, logGroupName=unique("nogroup"), fromTime=0, to=1, destination=bucket
    ) == ("ResourceNotFoundException", "The specified log group does not exist.")


def test_describe_filters_by_status_and_pages(logs: Any, group: str, bucket: str) -> None:
    ids = []
    for _ in range(2):
        ids.append(
            logs.create_export_task(logGroupName=group, fromTime=0, to=1, destination=bucket)["taskId"]
        )
        finished(logs, ids[-1])
    completed = logs.describe_export_tasks(statusCode="COMPLETED", limit=1)
    assert len(completed["exportTasks"]) == 1 and completed["nextToken"]
    following = logs.describe_export_tasks(statusCode="COMPLETED", limit=1, nextToken=completed["nextToken"])
    assert following["exportTasks"][0]["taskId"] != completed["exportTasks"][0]["taskId"]
    assert logs.describe_export_tasks(statusCode="CANCELLED", taskId=ids[0])["exportTasks"] == []


def test_unknown_task_is_described_as_none(logs: Any) -> None:
    assert logs.describe_export_tasks(taskId="no-such-task")["exportTasks"] == []


def test_cancelling_unknown_task_is_not_found(logs: Any) -> None:
    assert error_of(logs.cancel_export_task, taskId="no-such-task") == (
        "ResourceNotFoundException",
        "The specified export task does not exist.",
    )


def test_cancelling_finished_task_is_invalid_operation(logs: Any, group: str, bucket: str) -> None:
    task_id = logs.create_export_task(logGroupName=group, fromTime=0, to=1, destination=bucket)["taskId"]
    finished(logs, task_id)
    assert error_of(logs.cancel_export_task, taskId=task_id) == (
        "InvalidOperationException",
        "The specified export task has already finished",
    )


# -- a server whose tasks stay PENDING until cancelled ---------------------------------------------


@pytest.fixture(scope="module")
def slow() -> Iterator[ServerProcess]:
    proc = ServerProcess(env={"POCKETCLOUD_LOGS_EXPORT_DELAY_SECONDS": "3600"}).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def slow_setup(slow: ServerProcess) -> tuple[Any, str, str]:
    logs, s3 = make_client(slow.endpoint, "logs"), make_client(slow.endpoint, "s3")
    group = unique("/pc/export")
    logs.create_log_group(logGroupName=group)
    return logs, group, make_bucket(s3)


def test_account_has_one_active_task_and_cancel_ends_it(slow_setup: tuple[Any, str, str]) -> None:
    logs, group, bucket = slow_setup
    first = logs.create_export_task(logGroupName=group, fromTime=0, to=1, destination=bucket)["taskId"]
    [task] = logs.describe_export_tasks(taskId=first)["exportTasks"]
    assert task["status"]["code"] == "PENDING"
    assert error_of(logs.create_export_task, logGroupName=group, fromTime=0, to=1, destination=bucket)[0] == (
        "LimitExceededException"
    )
    logs.cancel_export_task(taskId=first)
    [task] = logs.describe_export_tasks(taskId=first)["exportTasks"]
    assert task["status"] == {"code": "CANCELLED", "message": "Cancelled by user"}
    second = logs.create_export_task(logGroupName=group, fromTime=0, to=1, destination=bucket)["taskId"]
    assert logs.describe_export_tasks(statusCode="PENDING")["exportTasks"][0]["taskId"] == second
    logs.cancel_export_task(taskId=second)


def test_a_pending_task_shows_its_status_code_alone(slow_setup: tuple[Any, str, str]) -> None:
    # AWS's DescribeExportTasks of a task just created: "status": {"code": "PENDING"}, no message
    # (LocalStack's AWS-validated recording test_logs_export_tasks::test_create_export_task_with_logs).
    logs, group, bucket = slow_setup
    task_id = logs.create_export_task(logGroupName=group, fromTime=0, to=1, destination=bucket)["taskId"]
    try:
        [task] = logs.describe_export_tasks(taskId=task_id)["exportTasks"]
        assert task["status"] == {"code": "PENDING"}
    finally:
        logs.cancel_export_task(taskId=task_id)


def test_task_interrupted_by_a_stop_runs_when_the_server_comes_back(tmp_path: Any) -> None:
    held = ServerProcess(data_dir=tmp_path, env={"POCKETCLOUD_LOGS_EXPORT_DELAY_SECONDS": "3600"}).start()
    try:
        logs, s3 = make_client(held.endpoint, "logs"), make_client(held.endpoint, "s3")
        group = unique("/pc/resume")
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s")
        put(logs, group, "s", ["kept"])
        bucket = make_bucket(s3)
        task_id = logs.create_export_task(logGroupName=group, fromTime=0, to=now_ms(), destination=bucket)[
            "taskId"
        ]
    finally:
        held.stop()
    back = ServerProcess(data_dir=tmp_path).start()
    try:
        logs, s3 = make_client(back.endpoint, "logs"), make_client(back.endpoint, "s3")
        assert finished(logs, task_id)["status"]["code"] == "COMPLETED"
        text = gzip.decompress(body_of(s3, bucket, f"exportedlogs/{task_id}/s/000000.gz")).decode()
        assert text.endswith(" kept\n")
    finally:
        back.stop()


def test_an_exports_writes_name_their_requests_as_s3_does(
    endpoint: str, logs: Any, s3: Any, group: str, bucket: str
) -> None:
    """The objects an export writes are S3 requests made inside the server: their events carry S3's
    16-hex-digit request ids, as the answers of a client's own PutObject do."""
    sqs = make_client(endpoint, "sqs")
    url = notify_queue(s3, sqs, bucket, ["s3:ObjectCreated:*"])
    logs.create_log_stream(logGroupName=group, logStreamName="app")
    stamps = put(logs, group, "app", ["line"], start=now_ms() - 60_000)
    task_id = logs.create_export_task(
        logGroupName=group, fromTime=stamps[0], to=stamps[0] + 1, destination=bucket, destinationPrefix="ids"
    )["taskId"]
    assert finished(logs, task_id)["status"]["code"] == "COMPLETED"
    found = records(sqs, url, 2)
    assert {r["s3"]["object"]["key"] for r in found} >= {f"ids/{task_id}/app/000000.gz"}
    assert all(re.fullmatch("[0-9A-F]{16}", r["responseElements"]["x-amz-request-id"]) for r in found), found
