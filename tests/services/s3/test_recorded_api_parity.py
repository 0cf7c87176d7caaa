"""S3 behaviour as AWS answered it in LocalStack's AWS-validated S3 API, CORS, bucket and listing tests.

Evidence: the stored public repository localstack/localstack, the responses real AWS returned for the
`@markers.aws.validated` tests of tests/aws/services/s3/test_s3_api.py, test_s3_cors.py, test_buckets.py
and test_s3_list_operations.py, recorded in the matching *.snapshot.json files (each test below names the
snapshot entry it follows; where the stored snapshot predates the test, the validated test's own flow is
the evidence). Only the wire behaviour is taken from there; the checks are our own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.services.s3.core_support import empty_and_delete, error_of

MALFORMED_XML = (
    "MalformedXML",
    400,
    "The XML you provided was not well-formed or did not validate against our published schema",
)


@pytest.fixture
def dotted_bucket(s3: Any) -> Iterator[str]:
    name = f"test.bucket.{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete(s3, name)


# -- TestS3BucketAccelerateConfiguration::test_bucket_acceleration_configuration_exc ---------------


def test_a_dotted_bucket_is_refused_acceleration_before_its_status_is_read(s3: Any, dotted_bucket: str) -> None:
    """put-bucket-accelerate-config-dot-bucket: Status "random" on a dotted bucket is InvalidRequest."""
    assert error_of(
        s3.put_bucket_accelerate_configuration,
        Bucket=dotted_bucket,
        AccelerateConfiguration={"Status": "random"},
    ) == (
        "InvalidRequest",
        400,
        "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names",
    )


def test_an_unknown_acceleration_status_is_malformed_xml(s3: Any, bucket: str) -> None:
    """put-bucket-accelerate-config-lowercase / -random."""
    for status in ("enabled", "random"):
        assert (
            error_of(s3.put_bucket_accelerate_configuration, Bucket=bucket, AccelerateConfiguration={"Status": status})
            == MALFORMED_XML
        )


# -- TestS3BucketEncryption::test_s3_default_bucket_encryption_exc ---------------------------------


def test_a_kms_key_with_aes256_names_the_argument_without_a_value(s3: Any, bucket: str) -> None:
    """put-bucket-encryption-kms-with-aes: ArgumentName only, no ArgumentValue element."""
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "some-key"}}
    with pytest.raises(ClientError) as info:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert info.value.response["Error"] == {
        "Code": "InvalidArgument",
        "Message": "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
        "ArgumentName": "ApplyServerSideEncryptionByDefault",
    }


# -- TestS3ListMultipartUploads: test_list_multiparts_with_prefix_and_delimiter and
#    test_list_multipart_uploads_marker_common_prefixes ---------------------------------------------


def markers_of(page: dict[str, Any]) -> tuple[str, str]:
    return page["NextKeyMarker"], page["NextUploadIdMarker"]


def test_a_multipart_listing_of_common_prefixes_only_names_no_next_markers(s3: Any, bucket: str) -> None:
    """list-multiparts-1/-2/-3: NextKeyMarker and NextUploadIdMarker are empty when no upload is listed."""
    for key in ("test/foo/bar/123", "test/foo/bar/456", "test/bar/foo/123"):
        s3.create_multipart_upload(Bucket=bucket, Key=key)
    for prefix, folded in (
        ("test/", ["test/bar/", "test/foo/"]),
        ("test/foo/", ["test/foo/bar/"]),
        ("test/foo/bar", ["test/foo/bar/"]),
    ):
        page = s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix, Delimiter="/", EncodingType="url")
        assert [c["Prefix"] for c in page["CommonPrefixes"]] == folded
        assert "Uploads" not in page
        assert (page["IsTruncated"], markers_of(page)) == (False, ("", ""))


def test_a_truncated_multipart_page_ending_in_a_common_prefix_names_no_next_markers(s3: Any, bucket: str) -> None:
    """list-multiparts-start, then -manual-prefix: the caller resumes from the prefix by hand."""
    uploads = {
        key: s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        for key in ("folder/aSubfolder/subFile1", "folder/aSubfolder/subFile2", "folder/file1", "folder/file2")
    }
    first = s3.list_multipart_uploads(Bucket=bucket, Prefix="folder/", Delimiter="/", MaxUploads=1)
    assert [c["Prefix"] for c in first["CommonPrefixes"]] == ["folder/aSubfolder/"]
    assert (first["IsTruncated"], markers_of(first)) == (True, ("", ""))
    for marker in ("folder/aSubfolder/", "folder/aSubfolder/subFile1"):
        page = s3.list_multipart_uploads(
            Bucket=bucket, Prefix="folder/", Delimiter="/", MaxUploads=1, KeyMarker=marker
        )
        assert [u["Key"] for u in page["Uploads"]] == ["folder/file1"]
        assert "CommonPrefixes" not in page
        assert (page["IsTruncated"], markers_of(page)) == (True, ("folder/file1", uploads["folder/file1"]))


# -- TestS3BucketObjectTagging::test_put_bucket_tagging_none_value ---------------------------------


def test_a_bucket_tagging_without_a_tag_set_removes_the_tags(endpoint: str, s3: Any, bucket: str) -> None:
    """put-none-tag-set, then no-such-tag-set: AWS takes `<Tagging/>` like an empty TagSet."""
    loose = make_client(endpoint, "s3", parameter_validation=False)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "tag3", "Value": "tag3"}]})
    answer = loose.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": None})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(s3.get_bucket_tagging, Bucket=bucket) == ("NoSuchTagSet", 404, "The TagSet does not exist")


# -- TestS3BucketObjectTagging::test_create_bucket_with_tags_us_east_1_idempotency -----------------


def test_recreating_an_owned_us_east_1_bucket_with_tags_is_already_owned_by_you(s3: Any) -> None:
    """create-bucket-different-tags / -with-same-tags refused; -with-no-tags and -with-empty-tags are 200."""
    name = f"tag-again-{uuid.uuid4().hex[:12]}"
    tagged = {"Tags": [{"Key": "tag1", "Value": "value1"}]}
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=tagged)
    try:
        for tags in ([{"Key": "tag2", "Value": "value2"}], tagged["Tags"]):
            with pytest.raises(ClientError) as info:
                s3.create_bucket(Bucket=name, CreateBucketConfiguration={"Tags": tags})
            assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
            assert info.value.response["Error"] == {
                "Code": "BucketAlreadyOwnedByYou",
                "Message": "Your previous request to create the named bucket succeeded and you already own it.",
                "BucketName": name,
            }
        assert s3.create_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert s3.create_bucket(Bucket=name, CreateBucketConfiguration={"Tags": []})["Location"] == f"/{name}"
        assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == tagged["Tags"]
    finally:
        empty_and_delete(s3, name)
