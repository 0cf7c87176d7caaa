"""Bodies of every size round-trip alike: small ones (kept in the state database beside their
metadata) and large ones (blob files), across overwrites from one kind to the other, versions,
copies, ranges and conditional writes, with the ETag and checksums S3 gives."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

import pytest

from tests.services.s3.core_support import error_of

INLINE_LIMIT = 64 * 1024  # where bodies stop being kept in the database (services/s3/bodies.py)


def md5_etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def read(s3: Any, bucket: str, key: str, **kwargs: Any) -> bytes:
    body: bytes = s3.get_object(Bucket=bucket, Key=key, **kwargs)["Body"].read()
    return body


@pytest.mark.parametrize("size", [1, 1024, INLINE_LIMIT - 1, INLINE_LIMIT, INLINE_LIMIT + 1, 200_000])
def test_bodies_round_trip_with_their_md5_etag_and_sha256(s3: Any, bucket: str, size: int) -> None:
    data = os.urandom(size)
    put = s3.put_object(Bucket=bucket, Key="k", Body=data, ChecksumAlgorithm="SHA256")
    assert put["ETag"] == md5_etag(data)
    assert put["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ContentLength"] == size
    assert got["ETag"] == md5_etag(data)
    assert got["ChecksumSHA256"] == put["ChecksumSHA256"]


def test_overwrites_between_small_and_large_bodies_read_back_the_latest(s3: Any, bucket: str) -> None:
    for size in (100, 150_000, 2_000, 0, 70_000, 10):
        data = os.urandom(size)
        s3.put_object(Bucket=bucket, Key="k", Body=data)
        assert read(s3, bucket, "k") == data
        assert s3.head_object(Bucket=bucket, Key="k")["ContentLength"] == size


def test_ranges_of_a_small_body_are_exact(s3: Any, bucket: str) -> None:
    data = os.urandom(1000)
    s3.put_object(Bucket=bucket, Key="k", Body=data)
    for first, last in ((0, 0), (1, 16), (15, 17), (500, 999), (990, 5000)):
        got = s3.get_object(Bucket=bucket, Key="k", Range=f"bytes={first}-{last}")
        assert got["Body"].read() == data[first : last + 1]
        assert got["ContentRange"] == f"bytes {first}-{min(last, 999)}/1000"
    assert read(s3, bucket, "k", Range="bytes=-10") == data[-10:]
    assert error_of(s3.get_object, Bucket=bucket, Key="k", Range="bytes=1000-")[:2] == ("InvalidRange", 416)


def test_every_small_version_keeps_its_own_body(s3: Any, versioned_bucket: str) -> None:
    bodies = [os.urandom(n) for n in (10, 20, 30)]
    versions = [s3.put_object(Bucket=versioned_bucket, Key="k", Body=b)["VersionId"] for b in bodies]
    for version, data in zip(versions, bodies, strict=True):
        assert read(s3, versioned_bucket, "k", VersionId=version) == data
    s3.delete_object(Bucket=versioned_bucket, Key="k", VersionId=versions[2])
    assert read(s3, versioned_bucket, "k") == bodies[1]
    assert error_of(s3.get_object, Bucket=versioned_bucket, Key="k", VersionId=versions[2])[:2] == (
        "NoSuchVersion",
        404,
    )


def test_a_copy_of_a_small_object_outlives_its_source(s3: Any, bucket: str) -> None:
    data = os.urandom(3000)
    s3.put_object(Bucket=bucket, Key="source", Body=data)
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "source"})
    assert copied["CopyObjectResult"]["ETag"] == md5_etag(data)
    s3.delete_object(Bucket=bucket, Key="source")
    assert read(s3, bucket, "copy") == data


def test_a_refused_conditional_write_leaves_the_small_object_as_it_was(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"first")
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"second", IfNoneMatch="*")[:2] == (
        "PreconditionFailed",
        412,
    )
    assert read(s3, bucket, "k") == b"first"


def test_a_deleted_small_object_is_gone(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"short-lived")
    s3.delete_object(Bucket=bucket, Key="k")
    assert error_of(s3.get_object, Bucket=bucket, Key="k")[:2] == ("NoSuchKey", 404)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
