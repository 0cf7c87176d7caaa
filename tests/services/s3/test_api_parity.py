"""Object and bucket CRUD details as AWS answers them (recorded against AWS): version ids S3
never issued, DeleteObjects' entries, deleting a versioned bucket, and the versioning
configuration's own error."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.s3.core_support import error_of

NEVER_ISSUED = "HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD"
INVALID_VERSION = ("InvalidArgument", 400, "Invalid version id specified")


def test_a_version_id_s3_never_issued_is_invalid_argument(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert error_of(s3.get_object, Bucket=bucket, Key="k", VersionId=NEVER_ISSUED) == INVALID_VERSION
    assert error_of(s3.delete_object, Bucket=bucket, Key="k", VersionId=NEVER_ISSUED) == INVALID_VERSION


def test_an_issued_version_id_with_a_changed_tail_is_invalid_argument(s3: Any, versioned_bucket: str) -> None:
    version = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")["VersionId"]
    altered = version[:-4] + ("ABCD" if not version.endswith("ABCD") else "DCBA")
    assert error_of(s3.delete_object, Bucket=versioned_bucket, Key="k", VersionId=altered) == INVALID_VERSION


def test_delete_objects_reports_a_never_issued_version_as_no_such_version(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": NEVER_ISSUED}]})
    assert answer["Errors"] == [
        {
            "Key": "k",
            "VersionId": NEVER_ISSUED,
            "Code": "NoSuchVersion",
            "Message": "The specified version does not exist.",
        }
    ]
    assert "Deleted" not in answer
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_delete_objects_deleting_a_delete_marker_names_it_twice(s3: Any, versioned_bucket: str) -> None:
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=versioned_bucket, Key="k")["VersionId"]
    answer = s3.delete_objects(
        Bucket=versioned_bucket, Delete={"Objects": [{"Key": "k", "VersionId": marker}]}
    )
    assert answer["Deleted"] == [
        {"Key": "k", "VersionId": marker, "DeleteMarker": True, "DeleteMarkerVersionId": marker}
    ]


def test_deleting_a_versioned_bucket_that_holds_versions_asks_for_all_versions_deleted(
    s3: Any, versioned_bucket: str
) -> None:
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")
    s3.delete_object(Bucket=versioned_bucket, Key="k")
    assert error_of(s3.delete_bucket, Bucket=versioned_bucket) == (
        "BucketNotEmpty",
        409,
        "The bucket you tried to delete is not empty. You must delete all versions in the bucket.",
    )


def test_deleting_an_unversioned_bucket_with_objects_is_bucket_not_empty(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert error_of(s3.delete_bucket, Bucket=bucket) == (
        "BucketNotEmpty",
        409,
        "The bucket you tried to delete is not empty",
    )


def test_a_versioning_configuration_without_status_is_illegal(s3: Any, bucket: str) -> None:
    assert error_of(s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration={}) == (
        "IllegalVersioningConfigurationException",
        400,
        "The Versioning element must be specified",
    )


def test_tag_keys_and_values_allow_only_awss_characters(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    key_error = error_of(
        s3.put_object_tagging,
        Bucket=bucket,
        Key="k",
        Tagging={"TagSet": [{"Key": "Key1,Key2", "Value": "v"}]},
    )
    assert key_error == ("InvalidTag", 400, "The TagKey you have provided is invalid")
    value_error = error_of(
        s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": [{"Key": "Key1", "Value": "Val1,Val2"}]}
    )
    assert value_error == ("InvalidTag", 400, "The TagValue you have provided is invalid")
    allowed = [{"Key": "a b_c.d:e/f=g+h-i@j", "Value": "Ünïcode 1"}]
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": allowed})
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == allowed


def test_a_tagging_header_that_is_not_a_query_of_valid_tags_is_invalid_argument(s3: Any, bucket: str) -> None:
    message = (
        "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters "
        "without tag name duplicates."
    )
    for header in ("key1=val1,key2=val2", "key1=val1&key1=val2"):
        assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"", Tagging=header) == (
            "InvalidArgument",
            400,
            message,
        )
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_get_object_tagging_of_a_missing_key_names_bucket_and_key(s3: Any, bucket: str) -> None:
    assert error_of(s3.get_object_tagging, Bucket=bucket, Key="nope") == (
        "NoSuchKey",
        404,
        "The specified key does not exist.",
    )
    with pytest.raises(s3.exceptions.NoSuchKey) as info:
        s3.get_object_tagging(Bucket=bucket, Key="nope")
    assert info.value.response["Error"]["Key"] == f"{bucket}/nope"


def test_tagging_a_key_whose_latest_version_is_a_delete_marker_is_method_not_allowed(
    s3: Any, versioned_bucket: str
) -> None:
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")
    s3.delete_object(Bucket=versioned_bucket, Key="k")
    tags = {"TagSet": [{"Key": "a", "Value": "b"}]}
    for call, kwargs in (
        (s3.put_object_tagging, {"Tagging": tags}),
        (s3.get_object_tagging, {}),
        (s3.delete_object_tagging, {}),
    ):
        assert error_of(call, Bucket=versioned_bucket, Key="k", **kwargs) == (
            "MethodNotAllowed",
            405,
            "The specified method is not allowed against this resource.",
        )


def test_create_bucket_with_an_unknown_object_ownership_is_invalid_argument(s3: Any) -> None:
    assert error_of(
        s3.create_bucket, Bucket=f"own-{NEVER_ISSUED.lower()[:12]}", ObjectOwnership="RandomValue"
    ) == (
        "InvalidArgument",
        400,
        "Invalid x-amz-object-ownership header: RandomValue",
    )


def test_a_bucket_encryption_configuration_takes_exactly_one_rule(s3: Any, bucket: str) -> None:
    rules = [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True},
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}},
    ]
    assert error_of(
        s3.put_bucket_encryption, Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules}
    )[:2] == ("MalformedXML", 400)


def test_a_range_covering_the_whole_object_keeps_its_checksum(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="r", Body=b"0123456789", ChecksumAlgorithm="CRC32")
    for whole in ("bytes=-15", "bytes=0-100"):
        got = s3.get_object(Bucket=bucket, Key="r", Range=whole, ChecksumMode="ENABLED")
        assert (got["ContentRange"], got["ChecksumCRC32"], got["ChecksumType"]) == (
            "bytes 0-9/10",
            "poTHxg==",
            "FULL_OBJECT",
        )
    part = s3.get_object(Bucket=bucket, Key="r", Range="bytes=0-8", ChecksumMode="ENABLED")
    assert "ChecksumCRC32" not in part


def test_create_bucket_with_an_empty_object_ownership_is_invalid_argument(endpoint: str) -> None:
    loose = make_client(endpoint, "s3", parameter_validation=False)
    assert error_of(loose.create_bucket, Bucket="own-empty-header", ObjectOwnership="") == (
        "InvalidArgument",
        400,
        "Invalid x-amz-object-ownership header: ",
    )


def test_put_bucket_metrics_configuration_answers_no_content(s3: Any, bucket: str) -> None:
    config = {"Id": "m1", "Filter": {"Prefix": "logs/"}}
    answer = s3.put_bucket_metrics_configuration(Bucket=bucket, Id="m1", MetricsConfiguration=config)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_bucket_metrics_configuration(Bucket=bucket, Id="m1")["MetricsConfiguration"] == config
