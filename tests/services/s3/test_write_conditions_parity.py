"""Conditional writes as AWS answers them (recorded against AWS): the header values S3 does not
implement, and CompleteMultipartUpload's conflict with a write or delete of the key made after
the upload started; plus UploadPartCopy's range errors and Object Lock's bypass header."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.services.s3.access_support import iam_user
from tests.services.s3.core_support import error_of

KEY = "test-precondition"
NOT_IMPLEMENTED = "A header you provided implies functionality that is not implemented"
CONFLICT = (
    "ConditionalRequestConflict",
    409,
    "The conditional request cannot succeed due to a conflicting operation against this resource.",
)
PRECONDITION = ("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold")


def start_upload(s3: Any, bucket: str) -> tuple[str, list[dict[str, Any]]]:
    upload = s3.create_multipart_upload(Bucket=bucket, Key=KEY)["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key=KEY, UploadId=upload, Body=b"test", PartNumber=1)["ETag"]
    return upload, [{"ETag": etag, "PartNumber": 1}]


def complete(s3: Any, bucket: str, upload: str, parts: list[dict[str, Any]], **condition: str) -> Any:
    return s3.complete_multipart_upload(
        Bucket=bucket, Key=KEY, UploadId=upload, MultipartUpload={"Parts": parts}, **condition
    )


def not_implemented_detail(s3: Any, bucket: str, **headers: str) -> tuple[str, str]:
    with pytest.raises(s3.exceptions.ClientError) as info:
        s3.put_object(Bucket=bucket, Key=KEY, Body=b"", **headers)
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("NotImplemented", NOT_IMPLEMENTED)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    return error["Header"], error["additionalMessage"]


def test_condition_values_s3_does_not_implement(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key=KEY, Body=b"x")["ETag"]
    assert not_implemented_detail(s3, bucket, IfNoneMatch=etag) == (
        "If-None-Match",
        "We don't accept the provided value of If-None-Match header for this API",
    )
    assert not_implemented_detail(s3, bucket, IfMatch="*") == (
        "If-Match",
        "We don't accept the provided value of If-Match header for this API",
    )
    assert not_implemented_detail(s3, bucket, IfMatch=etag, IfNoneMatch="*") == (
        "If-Match,If-None-Match",
        "Multiple conditional request headers present in the request",
    )


def test_complete_if_none_match_after_a_delete_since_the_upload_started_conflicts(
    s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"")
    upload, parts = start_upload(s3, bucket)
    assert error_of(complete, s3, bucket, upload, parts, IfNoneMatch="*") == PRECONDITION
    s3.delete_object(Bucket=bucket, Key=KEY)
    assert error_of(complete, s3, bucket, upload, parts, IfNoneMatch="*") == CONFLICT
    upload, parts = start_upload(s3, bucket)
    assert complete(s3, bucket, upload, parts, IfNoneMatch="*")["Key"] == KEY


def test_complete_if_match_after_a_put_since_the_upload_started_conflicts(s3: Any, bucket: str) -> None:
    first = s3.put_object(Bucket=bucket, Key=KEY, Body=b"test")["ETag"]
    upload, parts = start_upload(s3, bucket)
    second = s3.put_object(Bucket=bucket, Key=KEY, Body=b"test")["ETag"]  # the same bytes again
    assert first == second
    assert error_of(complete, s3, bucket, upload, parts, IfMatch=second) == CONFLICT
    upload, parts = start_upload(s3, bucket)
    assert complete(s3, bucket, upload, parts, IfMatch=second)["Key"] == KEY


def test_complete_if_match_with_a_stale_etag_fails_the_precondition_first(s3: Any, bucket: str) -> None:
    first = s3.put_object(Bucket=bucket, Key=KEY, Body=b"test")["ETag"]
    upload, parts = start_upload(s3, bucket)
    s3.put_object(Bucket=bucket, Key=KEY, Body=b"test2")
    assert error_of(complete, s3, bucket, upload, parts, IfMatch=first) == PRECONDITION


def test_upload_part_copy_range_errors(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"0123456789")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]

    def copy(byte_range: str) -> tuple[str, int, str]:
        return error_of(
            s3.upload_part_copy,
            Bucket=bucket,
            Key="dst",
            UploadId=upload,
            PartNumber=1,
            CopySource=f"{bucket}/src",
            CopySourceRange=byte_range,
        )

    assert copy("bytes=1-0")[:2] == ("InvalidArgument", 400)
    assert copy("bytes=0-100") == (
        "InvalidArgument",
        400,
        "Range specified is not valid for source object of size: 10",
    )
    assert copy("bytes=100-200") == (
        "InvalidRequest",
        400,
        "The specified copy range is invalid for the source object size",
    )


def test_bypass_governance_header_outside_object_lock_buckets_is_invalid_argument(
    s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    expected = (
        "InvalidArgument",
        400,
        "x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.",
    )
    for bypass in (True, False):
        assert (
            error_of(s3.delete_object, Bucket=bucket, Key="k", BypassGovernanceRetention=bypass) == expected
        )
    assert (
        error_of(
            s3.delete_objects,
            Bucket=bucket,
            Delete={"Objects": [{"Key": "k"}]},
            BypassGovernanceRetention=True,
        )
        == expected
    )
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_a_public_access_block_flag_left_out_reads_false(s3: Any, bucket: str) -> None:
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": False,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": False,
        },
    )
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": False,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }


def test_a_delete_objects_entry_with_an_etag_is_a_conditional_delete(s3: Any, bucket: str) -> None:
    kept = s3.put_object(Bucket=bucket, Key="kept", Body=b"1")["ETag"]
    gone = s3.put_object(Bucket=bucket, Key="gone", Body=b"2")["ETag"]
    answer = s3.delete_objects(
        Bucket=bucket,
        Delete={
            "Objects": [
                {"Key": "kept", "ETag": gone},
                {"Key": "gone", "ETag": gone},
                {"Key": "absent", "ETag": kept},
            ]
        },
    )
    assert [entry["Key"] for entry in answer["Deleted"]] == ["gone"]
    assert {(e["Key"], e["Code"]) for e in answer["Errors"]} == {
        ("kept", "PreconditionFailed"),
        ("absent", "NoSuchKey"),
    }
    assert s3.get_object(Bucket=bucket, Key="kept")["ETag"] == kept


def test_an_entrys_etag_is_its_if_match_for_a_policy_enforcing_conditional_deletes(
    s3: Any, endpoint: str, bucket: str
) -> None:
    # "Enforce conditional deletes on Amazon S3 buckets", example 1: DeleteObject only with If-Match.
    user_arn, user = iam_user(endpoint)
    statements = [
        {
            "Effect": "Allow",
            "Principal": {"AWS": user_arn},
            "Action": "s3:DeleteObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": {"Null": {"s3:if-match": "false"}},
        },
        {
            "Effect": "Allow",
            "Principal": {"AWS": user_arn},
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
        },
    ]
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    etag = s3.put_object(Bucket=bucket, Key="a", Body=b"1")["ETag"]
    s3.put_object(Bucket=bucket, Key="b", Body=b"2")
    answer = user.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "a", "ETag": etag}, {"Key": "b"}]}
    )
    assert [entry["Key"] for entry in answer["Deleted"]] == ["a"]
    assert [(e["Key"], e["Code"]) for e in answer["Errors"]] == [("b", "AccessDenied")]
