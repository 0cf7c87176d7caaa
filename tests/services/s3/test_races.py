"""Clients acting on one bucket or key at the same time, as parallel CI jobs do: every racer gets one
of S3's documented answers (one winner, the others the documented error), never a 500, and the
final state, read back through the API, holds no lost write and no orphan (an object listed in a
bucket that was deleted)."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.services.race_support import THREADS, clients, code, race
from tests.services.s3.core_support import empty_and_delete

# Parts of an upload that takes a while to join, each a blob file of its own.
PARTS = [b"1" * 5 * 1024 * 1024, b"2" * 5 * 1024 * 1024, b"3" * 1000]


def s3_clients(endpoint: str, n: int = THREADS) -> list[Any]:
    return clients(endpoint, "s3", n)


def test_concurrent_puts_of_one_key_leave_one_whole_body(endpoint: str, s3: Any, bucket: str) -> None:
    racers = s3_clients(endpoint)
    bodies = [f"body of writer {i} ".encode() * (1000 + i) for i in range(len(racers))]
    for _ in range(3):
        results = race(racers, lambda i, c: c.put_object(Bucket=bucket, Key="k", Body=bodies[i]))
        assert all(code(r) is None for r in results)
        got = s3.get_object(Bucket=bucket, Key="k")
        body = got["Body"].read()
        assert body in bodies
        assert got["ETag"] == s3.head_object(Bucket=bucket, Key="k")["ETag"]
        assert got["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
        versions = s3.list_object_versions(Bucket=bucket)
        assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in versions["Versions"]] == [
            ("k", "null", True)
        ]


def test_concurrent_puts_to_a_versioned_bucket_each_make_a_version(
    endpoint: str, s3: Any, versioned_bucket: str
) -> None:
    racers = s3_clients(endpoint)
    results = race(racers, lambda i, c: c.put_object(Bucket=versioned_bucket, Key="k", Body=b"v%d" % i))
    ids = {r["VersionId"] for r in results}
    assert len(ids) == len(racers)
    versions = s3.list_object_versions(Bucket=versioned_bucket)["Versions"]
    assert {v["VersionId"] for v in versions} == ids
    latest = [v["VersionId"] for v in versions if v["IsLatest"]]
    assert latest == [s3.head_object(Bucket=versioned_bucket, Key="k")["VersionId"]]


def test_delete_bucket_racing_puts_leaves_no_object_in_a_deleted_bucket(endpoint: str, s3: Any) -> None:
    racers = s3_clients(endpoint)
    body = b"x" * 2_000_000  # long enough that a PUT is still receiving when a DELETE succeeds
    for _ in range(4):
        name = f"race-{uuid.uuid4().hex[:16]}"
        s3.create_bucket(Bucket=name)

        def act(i: int, c: Any, name: str = name) -> Any:
            if i < 2:  # two deleters, retrying until the bucket is found empty or gone
                deadline = time.monotonic() + 10
                while True:
                    try:
                        return c.delete_bucket(Bucket=name)
                    except ClientError as exc:
                        # A PUT that finished first keeps the bucket from ever emptying.
                        if code(exc) != "BucketNotEmpty" or time.monotonic() > deadline:
                            raise
            return c.put_object(Bucket=name, Key=f"k{i}", Body=body)

        results = race(racers, act)
        put_codes = {code(r) for r in results[2:]}
        assert put_codes <= {None, "NoSuchBucket"}
        deleters = sorted(code(r) or "" for r in results[:2])
        if deleters == ["BucketNotEmpty", "BucketNotEmpty"]:  # a PUT won: the bucket holds the PUTs that did
            stored = {o["Key"] for o in s3.list_objects_v2(Bucket=name).get("Contents", [])}
            assert stored == {f"k{i}" for i, r in enumerate(results) if i >= 2 and code(r) is None}
            empty_and_delete(s3, name)
            continue
        # A deleter stops only once the bucket is gone (one deleted it, the other found it gone).
        assert deleters == ["", "NoSuchBucket"]
        # Recreated under its name, the bucket must be empty: no acknowledged write outlived it.
        s3.create_bucket(Bucket=name)
        assert s3.list_objects_v2(Bucket=name)["KeyCount"] == 0
        assert "Versions" not in s3.list_object_versions(Bucket=name)
        empty_and_delete(s3, name)


def test_two_completions_of_one_upload_make_one_object(endpoint: str, s3: Any, versioned_bucket: str) -> None:
    racers = s3_clients(endpoint, 8)
    for round_ in range(3):
        key = f"mpu-{round_}"
        upload = s3.create_multipart_upload(Bucket=versioned_bucket, Key=key)["UploadId"]
        etag = s3.upload_part(
            Bucket=versioned_bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"p" * 1000
        )["ETag"]
        parts = {"Parts": [{"PartNumber": 1, "ETag": etag}]}
        results = race(
            racers,
            lambda i, c, key=key, upload=upload, parts=parts: c.complete_multipart_upload(
                Bucket=versioned_bucket, Key=key, UploadId=upload, MultipartUpload=parts
            ),
        )
        # S3 answers a repeated completion with the first one's result, or NoSuchUpload.
        assert {code(r) for r in results} <= {None, "NoSuchUpload"}
        _assert_one_version(s3, versioned_bucket, key, results)


def test_concurrent_uploads_of_one_part_number_leave_one_readable_part(
    endpoint: str, s3: Any, bucket: str
) -> None:
    racers = s3_clients(endpoint, 8)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    bodies = [bytes([65 + i]) * 100_000 for i in range(len(racers))]
    results = race(
        racers,
        lambda i, c: c.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=bodies[i]),
    )
    etags = {r["ETag"] for r in results}
    parts = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload)["Parts"]
    assert len(parts) == 1 and parts[0]["ETag"] in etags
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="k",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": parts[0]["ETag"]}]},
    )
    body = s3.get_object(Bucket=bucket, Key="k")["Body"].read()
    assert f'"{hashlib.md5(body).hexdigest()}"' == parts[0]["ETag"]


def test_concurrent_create_bucket_of_one_name_in_us_east_1(endpoint: str, s3: Any) -> None:
    racers = s3_clients(endpoint)
    for _ in range(3):
        name = f"race-{uuid.uuid4().hex[:16]}"
        results = race(racers, lambda i, c, name=name: c.create_bucket(Bucket=name))
        # us-east-1 answers the owner's repeated CreateBucket with 200 (its legacy behaviour).
        assert all(code(r) is None for r in results)
        assert [b["Name"] for b in s3.list_buckets(Prefix=name)["Buckets"]] == [name]
        s3.delete_bucket(Bucket=name)


def _upload_parts(s3: Any, bucket: str, key: str) -> tuple[str, dict[str, Any]]:
    """A new upload of PARTS: its id and the MultipartUpload naming them."""
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    named = []
    for number, body in enumerate(PARTS, start=1):
        answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=body)
        named.append({"PartNumber": number, "ETag": answer["ETag"]})
    return upload, {"Parts": named}


def test_upload_part_racing_completion_leaves_the_completed_parts(
    endpoint: str, s3: Any, bucket: str
) -> None:
    racers = s3_clients(endpoint, 8)
    for round_ in range(3):
        key = f"mpu-{round_}"
        upload, parts = _upload_parts(s3, bucket, key)

        def act(i: int, c: Any, key: str = key, upload: str = upload, parts: Any = parts) -> Any:
            if i == 0:
                return c.complete_multipart_upload(
                    Bucket=bucket, Key=key, UploadId=upload, MultipartUpload=parts
                )
            # The last part uploaded again: the completion may be joining the one it replaces.
            body = bytes([66 + i]) * 1000
            return c.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=len(PARTS), Body=body)

        results = race(racers, act)
        # Completion names the first parts' ETags: it wins with their bodies, or finds one replaced.
        assert code(results[0]) in (None, "InvalidPart")
        assert {code(r) for r in results[1:]} <= {None, "NoSuchUpload"}
        if code(results[0]) is None:
            assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"".join(PARTS)
            assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
        else:
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload)


def test_gets_racing_overwrites_each_read_one_whole_version(endpoint: str, s3: Any, bucket: str) -> None:
    racers = s3_clients(endpoint, 8)
    # Large enough to be blob files rather than rows, so that an overwrite removes the file a
    # reader may be about to open.
    bodies = [bytes([65 + i]) * 1_500_000 for i in range(4)]
    s3.put_object(Bucket=bucket, Key="k", Body=bodies[0])

    def act(i: int, c: Any) -> Any:
        if i < 4:
            return [c.put_object(Bucket=bucket, Key="k", Body=bodies[i]) for _ in range(3)]
        seen = []
        for _ in range(6):
            got = c.get_object(Bucket=bucket, Key="k")
            body = got["Body"].read()
            seen.append((got["ETag"], f'"{hashlib.md5(body).hexdigest()}"', body in bodies))
        return seen

    results = race(racers, act)
    assert all(code(r) is None for r in results)
    for seen in results[4:]:
        for etag, md5, whole in seen:
            assert whole and etag == md5


def test_copies_racing_overwrites_of_their_source_copy_one_whole_version(
    endpoint: str, s3: Any, bucket: str
) -> None:
    racers = s3_clients(endpoint, 8)
    bodies = [bytes([65 + i]) * 1_500_000 for i in range(4)]
    s3.put_object(Bucket=bucket, Key="src", Body=bodies[0])

    def act(i: int, c: Any) -> Any:
        if i < 4:  # writers replace the source, removing the blob a copy may be reading
            return [c.put_object(Bucket=bucket, Key="src", Body=bodies[i]) for _ in range(3)]
        return [
            c.copy_object(Bucket=bucket, Key=f"dst{i}-{n}", CopySource={"Bucket": bucket, "Key": "src"})
            for n in range(4)
        ]

    results = race(racers, act)
    assert all(code(r) is None for r in results)
    for i in range(4, 8):
        for n in range(4):
            got = s3.get_object(Bucket=bucket, Key=f"dst{i}-{n}")
            body = got["Body"].read()
            assert body in bodies
            assert got["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'


def test_policy_changes_racing_anonymous_gets_answer_200_or_403(endpoint: str, s3: Any, bucket: str) -> None:
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"public")
    public = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )
    racers = s3_clients(endpoint, 2) + [
        make_client(endpoint, "s3", signature_version=UNSIGNED) for _ in range(6)
    ]

    def act(i: int, c: Any) -> Any:
        if i < 2:  # two administrators flip the policy on and off
            for _ in range(5):
                c.put_bucket_policy(Bucket=bucket, Policy=public)
                c.delete_bucket_policy(Bucket=bucket)
            return None
        answers = []
        for _ in range(10):
            try:
                answers.append(c.get_object(Bucket=bucket, Key="k")["Body"].read())
            except ClientError as exc:
                answers.append(code(exc))
        return answers

    results = race(racers, act)
    for answers in results[2:]:
        assert set(answers) <= {b"public", "AccessDenied"}
    # Both administrators end with a delete: the object is private again.
    with pytest.raises(ClientError) as info:
        racers[2].get_object(Bucket=bucket, Key="k")
    assert code(info.value) == "AccessDenied"


def test_concurrent_create_bucket_of_one_name_elsewhere_has_one_winner(endpoint: str, s3: Any) -> None:
    racers = s3_clients(endpoint)
    name = f"race-{uuid.uuid4().hex[:16]}"
    where = {"LocationConstraint": "eu-west-1"}
    results = race(racers, lambda i, c: c.create_bucket(Bucket=name, CreateBucketConfiguration=where))
    assert sum(code(r) is None for r in results) == 1
    for error in (r for r in results if code(r) is not None):
        assert code(error) == "BucketAlreadyOwnedByYou"
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    s3.delete_bucket(Bucket=name)


def test_completions_after_a_failed_one_still_make_one_object(
    endpoint: str, s3: Any, versioned_bucket: str
) -> None:
    racers = s3_clients(endpoint, 8)
    for round_ in range(4):
        key = f"mpu-{round_}"
        upload = s3.create_multipart_upload(
            Bucket=versioned_bucket, Key=key, ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT"
        )["UploadId"]
        part = s3.upload_part(
            Bucket=versioned_bucket,
            Key=key,
            UploadId=upload,
            PartNumber=1,
            Body=b"p" * 1_000_000,
            ChecksumAlgorithm="CRC32",
        )
        parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}

        def act(i: int, c: Any, key: str = key, upload: str = upload, parts: Any = parts) -> Any:
            # Most racers claim a wrong full-object checksum, refused only once the parts are joined
            # while the other completions wait for it; those then go on, one at a time.
            claim = {"ChecksumCRC32": "AAAAAA==", "ChecksumType": "FULL_OBJECT"} if i < 6 else {}
            return c.complete_multipart_upload(
                Bucket=versioned_bucket, Key=key, UploadId=upload, MultipartUpload=parts, **claim
            )

        results = race(racers, act)
        # A wrong claim is BadDigest, or the result of a good completion that came first.
        assert {code(r) for r in results[:6]} <= {None, "BadDigest"}
        assert {code(r) for r in results[6:]} <= {None, "NoSuchUpload"}
        _assert_one_version(s3, versioned_bucket, key, results)


def test_abort_racing_completion_leaves_the_object_or_nothing(
    endpoint: str, s3: Any, versioned_bucket: str
) -> None:
    racers = s3_clients(endpoint, 8)
    for round_ in range(4):
        key = f"mpu-{round_}"
        upload, parts = _upload_parts(s3, versioned_bucket, key)

        def act(i: int, c: Any, key: str = key, upload: str = upload, parts: Any = parts) -> Any:
            if i % 2:
                return c.abort_multipart_upload(Bucket=versioned_bucket, Key=key, UploadId=upload)
            return c.complete_multipart_upload(
                Bucket=versioned_bucket, Key=key, UploadId=upload, MultipartUpload=parts
            )

        results = race(racers, act)
        assert {code(r) for r in results} <= {None, "NoSuchUpload"}
        completed = [r for r in results[0::2] if code(r) is None]
        versions = s3.list_object_versions(Bucket=versioned_bucket, Prefix=key).get("Versions", [])
        # Either a completion won (one version, every completer told of it) or an abort did (none).
        assert [v["VersionId"] for v in versions] == sorted({r["VersionId"] for r in completed})
        if versions:
            assert s3.get_object(Bucket=versioned_bucket, Key=key)["Body"].read() == b"".join(PARTS)
        assert s3.list_multipart_uploads(Bucket=versioned_bucket).get("Uploads", []) == []


def _assert_one_version(s3: Any, bucket: str, key: str, results: list[Any]) -> None:
    """Every completion that succeeded answered with one version, the only one the key has."""
    won = [r for r in results if code(r) is None]
    assert won and len({r["VersionId"] for r in won}) == 1
    versions = s3.list_object_versions(Bucket=bucket, Prefix=key)["Versions"]
    assert [v["VersionId"] for v in versions] == [won[0]["VersionId"]]
