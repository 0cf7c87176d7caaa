"""What the AWS CLI's own `aws s3` integration tests (aws-cli tests/integration/customizations/s3)
check of S3 and the rest of this suite did not: copies across Regions and bucket types, the content
headers a copy keeps, keys S3 must encode in a listing, and the error a missing bucket gives."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.s3.core_support import empty_and_delete, unique_bucket

MIB = 1024 * 1024


def aws(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "awscli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def ok(env: dict[str, str], *args: str) -> str:
    done = aws(env, *args)
    assert done.returncode == 0, f"aws {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def keys(s3: Any, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


@pytest.fixture
def buckets() -> Iterator[list[tuple[Any, str]]]:
    """(client of its Region, name) of each bucket a test makes; emptied and deleted after it."""
    made: list[tuple[Any, str]] = []
    yield made
    for client, name in made:
        empty_and_delete(client, name)


def new_bucket(endpoint: str, made: list[tuple[Any, str]], region: str, name: str | None = None) -> tuple[Any, str]:
    client = make_client(endpoint, "s3", region=region)
    name = name or unique_bucket("clisweep")
    extra = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    client.create_bucket(Bucket=name, **extra)
    made.append((client, name))
    return client, name


def test_mv_between_regions_copies_small_and_multipart_objects(aws_env: dict[str, str], endpoint: str,
                                                              buckets: list[tuple[Any, str]],
                                                              tmp_path: Path) -> None:
    # TestSourceRegion: names with dots (no virtual host), the source in us-west-1, the destination
    # signed for us-east-1; 10 MiB is above the CLI's 8 MiB threshold, so that one is UploadPartCopy.
    west, source = new_bucket(endpoint, buckets, "us-west-1", f"{uuid.uuid4().hex[:10]}.{uuid.uuid4().hex[:10]}.com")
    east, target = new_bucket(endpoint, buckets, "us-east-1", f"{uuid.uuid4().hex[:10]}.{uuid.uuid4().hex[:10]}.com")
    (tmp_path / "small.txt").write_text("foo")
    (tmp_path / "large.bin").write_bytes(os.urandom(10 * MIB))
    ok(aws_env, "s3", "sync", str(tmp_path), f"s3://{source}/", "--region", "us-west-1")
    ok(aws_env, "s3", "mv", f"s3://{source}/", f"s3://{target}/", "--recursive", "--region", "us-east-1",
       "--source-region", "us-west-1")
    assert keys(west, source) == []
    assert keys(east, target) == ["large.bin", "small.txt"]
    assert east.get_object(Bucket=target, Key="large.bin")["Body"].read() == (tmp_path / "large.bin").read_bytes()
    assert east.head_object(Bucket=target, Key="large.bin")["ETag"].endswith('-2"')


def test_copy_keeps_every_content_header_unless_replaced(aws_env: dict[str, str], s3: Any, bucket: str) -> None:
    # TestCp.test_copy_metadata_directive: Expires '0' is the epoch.
    headers = {"ContentType": "foo", "ContentDisposition": "foo", "ContentEncoding": "foo",
               "ContentLanguage": "foo", "CacheControl": "90"}
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    s3.put_object(Bucket=bucket, Key="a", Body=b"foo", Expires="0", **headers)
    ok(aws_env, "s3", "cp", f"s3://{bucket}/a", f"s3://{bucket}/b")
    copied = s3.head_object(Bucket=bucket, Key="b")
    assert {name: copied.get(name) for name in headers} == headers
    assert copied["Expires"] == epoch
    ok(aws_env, "s3", "cp", f"s3://{bucket}/a", f"s3://{bucket}/c", "--metadata-directive", "REPLACE",
       "--content-type", "bar")
    replaced = s3.head_object(Bucket=bucket, Key="c")
    assert replaced["ContentType"] == "bar"
    assert [name for name in (*headers, "Expires") if name in replaced and name != "ContentType"] == []


def test_a_key_with_a_carriage_return_is_uploaded_listed_and_removed(aws_env: dict[str, str], s3: Any,
                                                                     bucket: str, tmp_path: Path) -> None:
    # TestRm.test_rm_with_newlines: the listing must encode the CR, or XML reads it back as a LF.
    source = tmp_path / "foo\r.txt"
    source.write_text("this is foo.txt")
    ok(aws_env, "s3", "cp", str(source), f"s3://{bucket}/foo\r.txt")
    assert keys(s3, bucket) == ["foo\r.txt"]
    assert "delete:" in ok(aws_env, "s3", "rm", f"s3://{bucket}/", "--recursive")
    assert keys(s3, bucket) == []


def test_sync_of_names_with_plus_and_space_in_pages_of_two_uploads_nothing_twice(
    aws_env: dict[str, str], s3: Any, bucket: str, tmp_path: Path
) -> None:
    # TestSync.test_sync_with_plus_chars_paginate: a listing of '+' and ' ' keys, two at a time.
    for i in range(4):
        path = tmp_path / f"foo +{i:06d}"
        path.write_bytes(b"")
        os.utime(path, (time.time() - 300, time.time() - 300))
    ok(aws_env, "s3", "sync", str(tmp_path), f"s3://{bucket}/", "--page-size", "2")
    assert keys(s3, bucket) == [f"foo +{i:06d}" for i in range(4)]
    assert ok(aws_env, "s3", "sync", str(tmp_path), f"s3://{bucket}/", "--page-size", "2") == ""


def test_mv_between_general_purpose_and_directory_buckets(aws_env: dict[str, str], s3: Any, bucket: str) -> None:
    # TestMoveCommand.test_mv_s3_to_s3_express and test_mv_s3_express_to_s3.
    directory = f"dir{uuid.uuid4().hex[:12]}--use1-az4--x-s3"
    s3.create_bucket(Bucket=directory, CreateBucketConfiguration={
        "Location": {"Type": "AvailabilityZone", "Name": "use1-az4"},
        "Bucket": {"Type": "Directory", "DataRedundancy": "SingleAvailabilityZone"},
    })
    try:
        s3.put_object(Bucket=bucket, Key="foo.txt", Body=b"this is foo.txt")
        ok(aws_env, "s3", "mv", f"s3://{bucket}/foo.txt", f"s3://{directory}/foo.txt")
        assert keys(s3, bucket) == []
        assert s3.get_object(Bucket=directory, Key="foo.txt")["Body"].read() == b"this is foo.txt"
        ok(aws_env, "s3", "mv", f"s3://{directory}/foo.txt", f"s3://{bucket}/back.txt")
        assert keys(s3, directory) == []
        assert s3.get_object(Bucket=bucket, Key="back.txt")["Body"].read() == b"this is foo.txt"
    finally:
        for key in keys(s3, directory):
            s3.delete_object(Bucket=directory, Key=key)
        s3.delete_bucket(Bucket=directory)


def test_ls_of_a_missing_bucket_fails_with_no_such_bucket(aws_env: dict[str, str]) -> None:
    # TestLs.test_ls_non_existent_bucket (255 is the CLI v1's code for a service error).
    done = aws(aws_env, "s3", "ls", f"s3://{unique_bucket('missing')}")
    assert done.returncode == 255
    assert ("An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation: "
            "The specified bucket does not exist") in done.stderr
    assert done.stdout == ""
