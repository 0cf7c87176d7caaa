"""S3 behaviours checked against AWS's documentation and recorded responses, round 2:
version ids on suspended buckets, repeated CompleteMultipartUpload, If-Modified-Since in the
future, SSE-C algorithms, CreateBucket across regions, and the headers every S3 response carries."""

from __future__ import annotations

import base64
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.services.s3.core_support import empty_and_delete, error_of, unique_bucket


def test_put_to_a_suspended_bucket_answers_no_version_id_but_get_says_null(
    s3: Any, versioned_bucket: str
) -> None:
    # A version-suspended bucket stores new objects as the "null" version; AWS's PutObject answer
    # carries no x-amz-version-id for it, while GetObject says "null" (recorded against AWS).
    s3.put_bucket_versioning(Bucket=versioned_bucket, VersioningConfiguration={"Status": "Suspended"})
    answer = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")
    assert "x-amz-version-id" not in answer["ResponseMetadata"]["HTTPHeaders"]
    assert s3.get_object(Bucket=versioned_bucket, Key="k")["VersionId"] == "null"


def test_copy_and_complete_in_a_suspended_bucket_answer_no_version_id_either(
    s3: Any, versioned_bucket: str
) -> None:
    # As PutObject: the null version they write is not named in their answers (ceph s3-tests'
    # test_versioning_bucket_multipart_upload_return_version_id, which passes on AWS; ministack#1436).
    s3.put_bucket_versioning(Bucket=versioned_bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")
    copied = s3.copy_object(Bucket=versioned_bucket, Key="c", CopySource={"Bucket": versioned_bucket, "Key": "k"})
    upload = s3.create_multipart_upload(Bucket=versioned_bucket, Key="m")["UploadId"]
    etag = s3.upload_part(Bucket=versioned_bucket, Key="m", UploadId=upload, PartNumber=1, Body=b"x")["ETag"]
    completed = s3.complete_multipart_upload(
        Bucket=versioned_bucket, Key="m", UploadId=upload, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}
    )
    for answer in (copied, completed):
        assert "x-amz-version-id" not in answer["ResponseMetadata"]["HTTPHeaders"]
        assert "VersionId" not in answer
    assert [s3.head_object(Bucket=versioned_bucket, Key=key)["VersionId"] for key in ("c", "m")] == ["null", "null"]


def test_put_to_an_unversioned_bucket_answers_no_version_id(s3: Any, bucket: str) -> None:
    answer = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert "x-amz-version-id" not in answer["ResponseMetadata"]["HTTPHeaders"]
    assert "VersionId" not in answer


def _one_part_upload(s3: Any, bucket: str, key: str) -> tuple[str, dict[str, Any]]:
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
    return upload, {"Parts": [{"PartNumber": 1, "ETag": etag}]}


def test_completing_a_completed_upload_again_answers_the_same_result(s3: Any, versioned_bucket: str) -> None:
    # A retried CompleteMultipartUpload (after a timeout) succeeds at S3 rather than NoSuchUpload.
    upload, parts = _one_part_upload(s3, versioned_bucket, "mp")
    first = s3.complete_multipart_upload(
        Bucket=versioned_bucket, Key="mp", UploadId=upload, MultipartUpload=parts
    )
    again = s3.complete_multipart_upload(
        Bucket=versioned_bucket, Key="mp", UploadId=upload, MultipartUpload=parts
    )
    assert (again["ETag"], again["VersionId"]) == (first["ETag"], first["VersionId"])
    versions = s3.list_object_versions(Bucket=versioned_bucket, Prefix="mp")["Versions"]
    assert [v["VersionId"] for v in versions] == [first["VersionId"]]


def test_concurrent_completions_of_one_upload_record_one_version(s3: Any, versioned_bucket: str) -> None:
    upload, parts = _one_part_upload(s3, versioned_bucket, "mp")
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(
                lambda _: s3.complete_multipart_upload(
                    Bucket=versioned_bucket, Key="mp", UploadId=upload, MultipartUpload=parts
                ),
                range(4),
            )
        )
    assert len({(a["ETag"], a["VersionId"]) for a in answers}) == 1
    assert len(s3.list_object_versions(Bucket=versioned_bucket, Prefix="mp")["Versions"]) == 1


def test_completing_again_after_the_object_is_deleted_is_no_such_upload(s3: Any, bucket: str) -> None:
    # A retry is answered only while the object it made is still there: OpenStack Swift's
    # test_create_upload_complete_delete_complete (test/s3api/test_mpu.py, recorded against AWS).
    upload, parts = _one_part_upload(s3, bucket, "mp")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload=parts)
    s3.delete_object(Bucket=bucket, Key="mp")
    code, status, _ = error_of(
        s3.complete_multipart_upload, Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload=parts
    )
    assert (code, status) == ("NoSuchUpload", 404)


def test_completing_again_with_other_parts_is_no_such_upload(s3: Any, bucket: str) -> None:
    # Swift's test_if_none_match_star_mpu (test/s3api/test_conditional_writes.py, recorded against
    # AWS): the same parts are a retry (200), other ones a completion of an upload that is gone.
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etags = [
        s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=n, Body=b"p" * (5 * 1024 * 1024))["ETag"]
        for n in (1, 2)
    ]
    two = {"Parts": [{"PartNumber": n, "ETag": e} for n, e in zip((1, 2), etags, strict=True)]}
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload=two, IfNoneMatch="*")
    again = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload=two, IfNoneMatch="*")
    assert again["ETag"] == done["ETag"]
    one = {"Parts": two["Parts"][:1]}
    code, status, _ = error_of(
        s3.complete_multipart_upload, Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload=one, IfNoneMatch="*"
    )
    assert (code, status) == ("NoSuchUpload", 404)
    assert s3.head_object(Bucket=bucket, Key="mp")["ETag"] == done["ETag"]


def test_completing_an_upload_under_another_key_is_still_no_such_upload(s3: Any, bucket: str) -> None:
    upload, parts = _one_part_upload(s3, bucket, "mp")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload=parts)
    code, status, _ = error_of(
        s3.complete_multipart_upload, Bucket=bucket, Key="other", UploadId=upload, MultipartUpload=parts
    )
    assert (code, status) == ("NoSuchUpload", 404)


def test_if_modified_since_a_future_date_is_ignored(s3: Any, bucket: str) -> None:
    # A date later than the server's clock is invalid, so the condition is ignored (RFC 7232 §3.3).
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    future = datetime.now(UTC) + timedelta(days=1)
    answer = s3.get_object(Bucket=bucket, Key="k", IfModifiedSince=future)
    assert (answer["ResponseMetadata"]["HTTPStatusCode"], answer["Body"].read()) == (200, b"x")


def test_if_modified_since_the_last_modified_time_is_not_modified(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    modified = s3.head_object(Bucket=bucket, Key="k")["LastModified"]
    code, status, _ = error_of(s3.get_object, Bucket=bucket, Key="k", IfModifiedSince=modified)
    assert (code, status) == ("304", 304)


def test_a_malformed_if_modified_since_is_ignored(s3: Any, bucket: str) -> None:
    # Not an HTTP-date: the condition is ignored and the object served (RFC 9110 §13.1.3).
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")

    def garble(request: Any, **_: object) -> None:
        request.headers["If-Modified-Since"] = "not a date"

    s3.meta.events.register("before-sign.s3.GetObject", garble)
    try:
        answer = s3.get_object(Bucket=bucket, Key="k")
    finally:
        s3.meta.events.unregister("before-sign.s3.GetObject", garble)
    assert answer["Body"].read() == b"x"


def _sse_c(algorithm: str) -> dict[str, str]:
    key = os.urandom(32)
    return {
        "SSECustomerAlgorithm": algorithm,
        "SSECustomerKey": base64.b64encode(key).decode(),
        "SSECustomerKeyMD5": base64.b64encode(hashlib.md5(key).digest()).decode(),
    }


def test_sse_c_with_an_unsupported_algorithm_is_refused(s3: Any, bucket: str) -> None:
    code, status, message = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", **_sse_c("AES128"))
    assert (code, status) == ("InvalidEncryptionAlgorithmError", 400)
    assert message == "The encryption request you specified is not valid. The valid value is AES256."


def test_create_bucket_in_us_east_1_of_a_bucket_owned_elsewhere_is_refused(endpoint: str) -> None:
    name = unique_bucket("region")
    west = make_client(endpoint, "s3", region="eu-west-1")
    east = make_client(endpoint, "s3", region="us-east-1")
    west.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    try:
        code, status, _ = error_of(east.create_bucket, Bucket=name)
        assert (code, status) == ("BucketAlreadyOwnedByYou", 409)
    finally:
        empty_and_delete(west, name)


def test_create_bucket_again_in_us_east_1_answers_200(s3: Any, bucket: str) -> None:
    # "For legacy compatibility, if you re-create an existing bucket that you already own in
    # us-east-1, Amazon S3 returns 200 OK" (CreateBucket, Errors).
    assert s3.create_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200


def _headers_of(call: Any, *args: Any, **kwargs: Any) -> dict[str, str]:
    try:
        answer = call(*args, **kwargs)
    except ClientError as exc:
        answer = exc.response
    headers: dict[str, str] = answer["ResponseMetadata"]["HTTPHeaders"]
    return headers


@pytest.mark.parametrize("outcome", ["success", "error", "head-error"])
def test_every_response_carries_request_ids_and_the_server_name(s3: Any, bucket: str, outcome: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    if outcome == "success":
        headers = _headers_of(s3.get_object, Bucket=bucket, Key="k")
    elif outcome == "error":
        headers = _headers_of(s3.get_object, Bucket=bucket, Key="missing")
    else:
        headers = _headers_of(s3.head_object, Bucket=bucket, Key="missing")
    assert headers.get("x-amz-request-id")
    assert headers.get("x-amz-id-2")
    assert headers.get("server") == "AmazonS3"
