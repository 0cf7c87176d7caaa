"""S3 behaviours the ceph s3-tests conformance suite checks and pocketcloud got wrong, each pinned to
AWS's documented behaviour: what S3 stores of a Content-Encoding that names aws-chunked, and how
ListObjects (v1) answers its prefix under encoding-type=url."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.handlers import set_list_objects_encoding_type_url

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.s3.core_support import OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET, error_of


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("gzip", "gzip"),
        ("deflate, gzip", "deflate, gzip"),
        ("gzip, aws-chunked", "gzip"),
        ("aws-chunked, gzip", "gzip"),
    ],
)
def test_aws_chunked_is_not_stored_as_a_content_encoding(
    s3: Any, bucket: str, sent: str, stored: str
) -> None:
    # "Amazon S3 stores the resulting object without the aws-chunked value in the
    # content-encoding header" (Signature V4 chunked upload); other encodings are kept as sent.
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentEncoding=sent)
    assert s3.head_object(Bucket=bucket, Key="k")["ContentEncoding"] == stored


def test_an_object_sent_only_aws_chunked_has_no_content_encoding(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentEncoding="aws-chunked")
    assert "ContentEncoding" not in s3.head_object(Bucket=bucket, Key="k")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentEncoding="aws-chunked, aws-chunked")
    assert "ContentEncoding" not in s3.get_object(Bucket=bucket, Key="k")


def test_list_objects_v1_encodes_its_prefix_under_url_encoding(endpoint: str, s3: Any, bucket: str) -> None:
    # The API reference names Prefix among the elements ListObjects encodes under encoding-type=url, and
    # AWS encodes it (aws/aws-sdk-java#611: 'reports/year%3D2015'; the SDK for Java v2 decodes it, and
    # its ListObjectsIntegrationTest lists with the prefix 'special-chars-@$%'). boto3 asks for
    # encoding-type=url by itself and decodes Marker, Delimiter and the keys but no v1 Prefix
    # (boto/boto3#3534), so it shows the prefix encoded, as against AWS (ceph/s3-tests#327: its
    # test_bucket_list_prefix_unreadable fails on AWS for that reason); v2 encodes Prefix and boto3 decodes it.
    s3.put_object(Bucket=bucket, Key="a b/c", Body=b"x")
    assert s3.list_objects(Bucket=bucket, Prefix="\n")["Prefix"] == "%0A"
    assert s3.list_objects(Bucket=bucket, Prefix="special-chars-@$%")["Prefix"] == "special-chars-%40%24%25"
    v1 = s3.list_objects(Bucket=bucket, Prefix="a b/", Delimiter="/")
    assert v1["Prefix"] == "a%20b/"
    assert [c["Key"] for c in v1["Contents"]] == ["a b/c"]
    assert s3.list_objects_v2(Bucket=bucket, Prefix="\n")["Prefix"] == "\n"
    # Without encoding-type the prefix comes back as sent.
    plain = make_client(endpoint, "s3")
    plain.meta.events.unregister("before-parameter-build.s3.ListObjects", set_list_objects_encoding_type_url)
    assert plain.list_objects(Bucket=bucket, Prefix="a b/")["Prefix"] == "a b/"


def test_a_utf8_metadata_value_is_signed_over_its_bytes(s3: Any, bucket: str) -> None:
    # SigV4 signs the header bytes as sent; boto3 sends (and signs) a non-ASCII value as UTF-8,
    # which S3 accepts (it RFC 2047-encodes such values when it returns them).
    def add_header(params: dict[str, Any], **_: Any) -> None:
        params["headers"]["x-amz-meta-meta1"] = "Hello World\xe9"

    s3.meta.events.register("before-call.s3.PutObject", add_header)
    try:
        answer = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    finally:
        s3.meta.events.unregister("before-call.s3.PutObject", add_header)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    # The stored value is the UTF-8 text, answered RFC 2047 encoded as S3 does for non-ASCII metadata.
    assert s3.head_object(Bucket=bucket, Key="k")["Metadata"]["meta1"] == "=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?="


def test_completing_a_composite_checksum_upload_needs_each_parts_checksum(s3: Any, bucket: str) -> None:
    # "The upload was created using a sha256 checksum. The complete request must include the checksum
    # for each part. It was missing for part 1 in the request." (InvalidRequest, 400)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    part = s3.upload_part(
        Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"x", ChecksumAlgorithm="SHA256"
    )
    code, status, message = error_of(
        s3.complete_multipart_upload,
        Bucket=bucket,
        Key="k",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert (code, status) == ("InvalidRequest", 400)
    assert message == (
        "The upload was created using a sha256 checksum. The complete request must include the checksum for "
        "each part. It was missing for part 1 in the request."
    )
    with_checksum = {"PartNumber": 1, "ETag": part["ETag"], "ChecksumSHA256": part["ChecksumSHA256"]}
    s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": [with_checksum]}
    )
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_a_claimed_composite_checksum_must_match_on_complete(s3: Any, bucket: str) -> None:
    # S3 answers BadDigest when the
    # checksum named on CompleteMultipartUpload is not the composite; a failed complete keeps the upload.
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    part = s3.upload_part(
        Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"A" * 1024, ChecksumAlgorithm="SHA256"
    )
    parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"], "ChecksumSHA256": part["ChecksumSHA256"]}]}
    composite = "Ok6Cs5b96ux6+MWQkJO7UBT5sKPBeXBLwvj/hK89smg=-1"
    wrong = "A" * 43 + "=-1"
    code, status, message = error_of(
        s3.complete_multipart_upload,
        Bucket=bucket,
        Key="k",
        UploadId=upload_id,
        ChecksumSHA256=wrong,
        MultipartUpload=parts,
    )
    assert (code, status) == ("BadDigest", 400)
    # In lower case on CompleteMultipartUpload, unlike PutObject's (open-io/swift's
    # test_mpu_complete_bad_checksum asserts so against AWS).
    assert message == "The sha256 you specified did not match the calculated checksum."
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=upload_id, ChecksumSHA256=composite, MultipartUpload=parts
    )
    assert done["ChecksumSHA256"] == composite


def test_an_empty_grant_list_is_refused_while_acls_are_disabled(s3: Any, bucket: str) -> None:
    # With ObjectOwnership=BucketOwnerEnforced (the default) only bucket-owner-full-control or its
    # equivalent is accepted; an AccessControlPolicy with no grants is neither.
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]
    code, status, _ = error_of(
        s3.put_bucket_acl, Bucket=bucket, AccessControlPolicy={"Owner": owner, "Grants": []}
    )
    assert (code, status) == ("AccessControlListNotSupported", 400)
    assert len(s3.get_bucket_acl(Bucket=bucket)["Grants"]) == 1


def test_a_request_naming_another_bucket_owner_is_refused(s3: Any, bucket: str) -> None:
    # x-amz-expected-bucket-owner (and x-amz-source-expected-bucket-owner for a copy's source): a bucket
    # owned by another account answers 403 AccessDenied, however the request would otherwise fare.
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.list_objects_v2(Bucket=bucket, ExpectedBucketOwner=ROOT_ACCOUNT)["KeyCount"] == 1
    for call, kwargs in (
        (s3.list_objects_v2, {}),
        (s3.put_object, {"Key": "other", "Body": b"y"}),
        (s3.get_object, {"Key": "k"}),
        (s3.get_bucket_versioning, {}),
    ):
        code, status, _ = error_of(call, Bucket=bucket, ExpectedBucketOwner="111122223333", **kwargs)
        assert (code, status) == ("AccessDenied", 403)
    source = {"Bucket": bucket, "Key": "k"}
    code, status, _ = error_of(
        s3.copy_object, Bucket=bucket, Key="copy", CopySource=source, ExpectedSourceBucketOwner="111122223333"
    )
    assert (code, status) == ("AccessDenied", 403)
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=source, ExpectedSourceBucketOwner=ROOT_ACCOUNT)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="other")



def test_an_object_another_account_wrote_is_read_by_its_acl_not_by_the_bucket_owner(
    two_accounts: ServerProcess,
) -> None:
    # Under ObjectWriter an object belongs to the account that wrote it: the bucket owner may not read
    # it, nor its ACL, unless that ACL grants it (S3 User Guide, "How Amazon S3 authorizes a request
    # for an object operation"); the bucket owner's policy can deny but not grant.
    owner = make_client(two_accounts.endpoint, "s3")
    other = make_client(two_accounts.endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    bucket = f"writer-{uuid.uuid4().hex[:10]}"
    owner.create_bucket(Bucket=bucket, ObjectOwnership="ObjectWriter")
    owner.delete_public_access_block(Bucket=bucket)
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    owner.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    other.put_object(Bucket=bucket, Key="private", Body=b"x")
    other.put_object(Bucket=bucket, Key="shared", Body=b"y", ACL="bucket-owner-read")
    for call in (owner.get_object, owner.head_object, owner.get_object_acl):
        code, status, _ = error_of(call, Bucket=bucket, Key="private")
        assert (code, status) == (
            "AccessDenied" if call != owner.head_object else "403",
            403,
        )  # HEAD: no body
    assert other.get_object(Bucket=bucket, Key="private")["Body"].read() == b"x"
    assert (
        other.get_object_acl(Bucket=bucket, Key="private")["Owner"]["ID"]
        != owner.get_bucket_acl(Bucket=bucket)["Owner"]["ID"]
    )
    assert owner.get_object(Bucket=bucket, Key="shared")["Body"].read() == b"y"
    owner.delete_object(Bucket=bucket, Key="private")  # the bucket owner may still delete it
    owner.delete_object(Bucket=bucket, Key="shared")
    owner.delete_bucket_policy(Bucket=bucket)
    owner.delete_bucket(Bucket=bucket)


def test_an_absent_key_answers_no_such_key_to_a_caller_an_acl_lets_list(s3: Any, endpoint: str) -> None:
    # With ACLs enabled there is no object ACL to decide a read of an absent key: a caller the bucket
    # ACL lets list (public-read) gets 404 NoSuchKey, one it does not gets 403 AccessDenied.
    anonymous = make_client(endpoint, "s3", signature_version=UNSIGNED)
    bucket = f"gone-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket, ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="foo", Body=b"x", ACL="public-read")
    assert anonymous.get_object(Bucket=bucket, Key="foo")["Body"].read() == b"x"
    s3.delete_object(Bucket=bucket, Key="foo")
    code, status, _ = error_of(anonymous.get_object, Bucket=bucket, Key="foo")
    assert (code, status) == ("AccessDenied", 403)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    code, status, _ = error_of(anonymous.get_object, Bucket=bucket, Key="foo")
    assert (code, status) == ("NoSuchKey", 404)
    assert error_of(anonymous.head_object, Bucket=bucket, Key="foo")[1] == 404
    s3.put_object(Bucket=bucket, Key="private", Body=b"x")
    code, status, _ = error_of(anonymous.get_object, Bucket=bucket, Key="private")
    assert (code, status) == ("AccessDenied", 403)
    s3.delete_object(Bucket=bucket, Key="private")
    s3.delete_bucket(Bucket=bucket)


def test_put_bucket_policy_answers_no_content(s3: Any, bucket: str) -> None:
    # S3 answers a stored bucket policy "HTTP/1.1 204 No Content" (PutBucketPolicy API reference's sample).
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/secret",
    }
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    assert s3.put_bucket_policy(Bucket=bucket, Policy=document)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
