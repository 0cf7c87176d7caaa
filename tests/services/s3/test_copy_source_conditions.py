"""CopyObject's x-amz-copy-source-if-* conditions as AWS evaluates them (recorded against AWS):
which failing condition is named when several fail, and a future If-Modified-Since ignored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from tests.services.s3.core_support import error_of


def failed_condition(s3: Any, bucket: str, **conditions: Any) -> str:
    try:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"}, **conditions)
    except ClientError as exc:
        assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 412
        return str(exc.response["Error"]["Condition"])
    raise AssertionError("the copy succeeded")


def test_failing_conditions_are_reported_in_awss_order(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="src", Body=b"data")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="src")["LastModified"]
    yesterday = datetime.now(UTC) - timedelta(days=1)
    every = {
        "CopySourceIfMatch": '"0123456789abcdef0123456789abcdef"',
        "CopySourceIfUnmodifiedSince": yesterday,
        "CopySourceIfNoneMatch": etag,
        "CopySourceIfModifiedSince": modified,
    }
    for name, header in [
        ("CopySourceIfMatch", "x-amz-copy-source-If-Match"),
        ("CopySourceIfUnmodifiedSince", "x-amz-copy-source-If-Unmodified-Since"),
        ("CopySourceIfNoneMatch", "x-amz-copy-source-If-None-Match"),
        ("CopySourceIfModifiedSince", "x-amz-copy-source-If-Modified-Since"),
    ]:
        assert failed_condition(s3, bucket, **every) == header
        del every[name]


def test_if_modified_since_in_the_future_is_ignored(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"data")
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    s3.copy_object(
        Bucket=bucket,
        Key="dst",
        CopySource={"Bucket": bucket, "Key": "src"},
        CopySourceIfModifiedSince=tomorrow,
    )
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"data"


def test_an_unquoted_etag_still_matches(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="src", Body=b"data")["ETag"]
    code, status, _ = error_of(
        s3.copy_object,
        Bucket=bucket,
        Key="dst",
        CopySource={"Bucket": bucket, "Key": "src"},
        CopySourceIfNoneMatch=etag.strip('"'),
    )
    assert (code, status) == ("PreconditionFailed", 412)
    s3.copy_object(
        Bucket=bucket,
        Key="dst",
        CopySource={"Bucket": bucket, "Key": "src"},
        CopySourceIfMatch=etag.strip('"'),
    )


def test_if_none_match_and_if_match_condition_the_destination_of_a_copy(s3: Any, bucket: str) -> None:
    # CopyObject's If-Match / If-None-Match (not the x-amz-copy-source-* ones) are conditional writes.
    s3.put_object(Bucket=bucket, Key="src", Body=b"new")
    source = {"Bucket": bucket, "Key": "src"}
    s3.copy_object(Bucket=bucket, Key="dst", CopySource=source, IfNoneMatch="*")
    assert failed_condition(s3, bucket, IfNoneMatch="*") == "If-None-Match"
    assert failed_condition(s3, bucket, IfMatch='"0123456789abcdef0123456789abcdef"') == "If-Match"
    etag = s3.head_object(Bucket=bucket, Key="dst")["ETag"]
    s3.copy_object(Bucket=bucket, Key="dst", CopySource=source, IfMatch=etag)
    code, status, _ = error_of(s3.copy_object, Bucket=bucket, Key="absent", CopySource=source, IfMatch=etag)
    assert (code, status) == ("NoSuchKey", 404)
