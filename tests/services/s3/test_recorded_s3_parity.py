"""S3 behaviour as AWS answered it in LocalStack's AWS-validated tests of its largest S3 file.

Evidence: the stored public repository localstack/localstack, tests/aws/services/s3/test_s3.py and
the responses real AWS returned for its `@markers.aws.validated` tests, recorded in
tests/aws/services/s3/test_s3.snapshot.json (each test below names the snapshot entry it follows).
Only the wire behaviour is taken from there; the checks are our own.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from xml.etree import ElementTree

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import ROOT_KEY, ROOT_SECRET, make_client
from tests.services.s3.core_support import empty_and_delete, error_of, new_kms_key

INVALID_PART = (
    "InvalidPart",
    400,
    "One or more of the specified parts could not be found.  The part may not have been uploaded, "
    "or the specified entity tag may not match the part's entity tag.",
)
MALFORMED_XML = (
    "MalformedXML",
    400,
    "The XML you provided was not well-formed or did not validate against our published schema",
)


def sha256_of(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture
def other_bucket(s3: Any) -> Iterator[str]:
    name = f"parity-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete(s3, name)


# -- storage classes (TestS3::test_put_object_storage_class*) ------------------------------------


@pytest.mark.parametrize("operation", ["put_object", "create_multipart_upload"])
def test_outposts_storage_class_is_refused_by_a_general_purpose_bucket(
    s3: Any, bucket: str, operation: str
) -> None:
    extra = {"Body": b"x"} if operation == "put_object" else {}
    with pytest.raises(ClientError) as info:
        getattr(s3, operation)(Bucket=bucket, Key="k", StorageClass="OUTPOSTS", **extra)
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"], error["StorageClassRequested"]) == (
        "InvalidStorageClass",
        "The storage class you specified is not valid",
        "OUTPOSTS",
    )
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_reading_an_archived_object_names_its_storage_class_in_a_header(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"body-test", StorageClass="GLACIER")
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="k")
    response = info.value.response
    assert response["Error"]["Code"] == "InvalidObjectState"
    assert response["Error"]["StorageClass"] == "GLACIER"
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amz-storage-class"] == "GLACIER"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert response["Error"]["Message"] == "The operation is not valid for the object's storage class"


# -- multipart checksums (TestS3::test_multipart_parts_checksum_exceptions,
#    TestS3::test_complete_multipart_parts_checksum) -----------------------------------------------


def test_an_unknown_checksum_algorithm_is_refused_when_an_upload_starts(s3: Any, bucket: str) -> None:
    # Recorded when S3 had five algorithms, "[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]": in alphabetical
    # order (the model added CRC64NVME last), which the five S3 added in 2026 now join.
    assert error_of(s3.create_multipart_upload, Bucket=bucket, Key="k", ChecksumAlgorithm="TEST") == (
        "InvalidRequest",
        400,
        "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
        "[CRC32, CRC32C, CRC64NVME, MD5, SHA1, SHA256, SHA512, XXHASH128, XXHASH3, XXHASH64]",
    )


def test_a_part_without_the_uploads_checksum_is_refused(s3: Any, plain: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    assert error_of(
        plain.upload_part, Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"abc"
    ) == (
        "InvalidRequest",
        400,
        "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: null",
    )
    answer = s3.upload_part(
        Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"abc", ChecksumAlgorithm="SHA256"
    )
    assert answer["ChecksumSHA256"] == sha256_of(b"abc")


def _sha256_upload(s3: Any, bucket: str) -> tuple[str, list[dict[str, Any]]]:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    parts = []
    for number, data in ((1, b"a" * 5 * 1024 * 1024), (2, b"tail")):
        answer = s3.upload_part(
            Bucket=bucket, Key="k", UploadId=upload, PartNumber=number, Body=data, ChecksumAlgorithm="SHA256"
        )
        parts.append(
            {"ETag": answer["ETag"], "PartNumber": number, "ChecksumSHA256": answer["ChecksumSHA256"]}
        )
    return upload, parts


def test_completing_with_a_part_checksum_that_does_not_match_is_an_invalid_part(s3: Any, bucket: str) -> None:
    upload, parts = _sha256_upload(s3, bucket)
    swapped = [
        {**parts[0], "ChecksumSHA256": parts[1]["ChecksumSHA256"]},
        {**parts[1], "ChecksumSHA256": parts[0]["ChecksumSHA256"]},
    ]
    with pytest.raises(ClientError) as info:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": swapped}
        )
    error = info.value.response["Error"]
    assert (error["Code"], 400, error["Message"]) == INVALID_PART
    assert (error["PartNumber"], error["UploadId"]) == ("1", upload)
    completed = s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": parts}
    )
    assert completed["ChecksumSHA256"].endswith("-2")


def test_completing_names_a_checksum_the_part_was_not_uploaded_with(s3: Any, plain: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    etag = plain.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"abc")["ETag"]
    part = {"ETag": etag, "PartNumber": 1, "ChecksumSHA256": sha256_of(b"abc")}
    assert (
        error_of(
            s3.complete_multipart_upload,
            Bucket=bucket,
            Key="k",
            UploadId=upload,
            MultipartUpload={"Parts": [part]},
        )
        == INVALID_PART
    )


# -- ACLs of delete markers (TestS3::test_put_object_acl_on_delete_marker) -----------------------


def test_put_object_acl_on_a_delete_marker_is_not_allowed(s3: Any, versioned_bucket: str) -> None:
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"something")
    marker = s3.delete_object(Bucket=versioned_bucket, Key="k")["VersionId"]
    for version in ({}, {"VersionId": marker}):
        with pytest.raises(ClientError) as info:
            s3.put_object_acl(Bucket=versioned_bucket, Key="k", ACL="private", **version)
        error = info.value.response["Error"]
        assert (error["Code"], error["Method"], error["ResourceType"]) == (
            "MethodNotAllowed",
            "PUT",
            "DeleteMarker",
        )
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405
    # Reading the key's ACL is a plain NoSuchKey; reading the marker's by its version is a 405 GET.
    assert error_of(s3.get_object_acl, Bucket=versioned_bucket, Key="k")[:2] == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as info:
        s3.get_object_acl(Bucket=versioned_bucket, Key="k", VersionId=marker)
    assert info.value.response["Error"]["Method"] == "GET"
    assert info.value.response["Error"]["Code"] == "MethodNotAllowed"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405


# -- request payment and replication (TestS3::test_s3_request_payer_exceptions,
#    TestS3BucketReplication::test_replication_config*) --------------------------------------------


def test_an_unknown_payer_is_malformed_xml(s3: Any, bucket: str) -> None:
    assert (
        error_of(
            s3.put_bucket_request_payment, Bucket=bucket, RequestPaymentConfiguration={"Payer": "Random"}
        )
        == MALFORMED_XML
    )
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"


def _replication(destination: str, **rule: Any) -> dict[str, Any]:
    return {
        "Role": "arn:aws:iam::000000000000:role/replication",
        "Rules": [
            {
                "ID": "id",
                "Priority": 1,
                "Filter": {"Prefix": "Tax"},
                "Status": "Enabled",
                "DeleteMarkerReplication": {"Status": "Disabled"},
                "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
                **rule,
            }
        ],
    }


def test_replication_needs_versioning_on_the_source_bucket(s3: Any, bucket: str, other_bucket: str) -> None:
    with pytest.raises(ClientError) as info:
        s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=_replication(other_bucket))
    assert info.value.response["Error"] == {
        "Code": "InvalidRequest",
        "Message": "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
    }


def test_replication_needs_a_versioned_destination(s3: Any, versioned_bucket: str, other_bucket: str) -> None:
    expected = ("InvalidRequest", 400, "Destination bucket must have versioning enabled.")
    for destination in (other_bucket, f"missing-{uuid.uuid4().hex[:12]}"):
        config = _replication(destination)
        assert (
            error_of(s3.put_bucket_replication, Bucket=versioned_bucket, ReplicationConfiguration=config)
            == expected
        )
    s3.put_bucket_versioning(Bucket=other_bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket=versioned_bucket, ReplicationConfiguration=_replication(other_bucket))
    rules = s3.get_bucket_replication(Bucket=versioned_bucket)["ReplicationConfiguration"]["Rules"]
    assert rules[0]["Filter"] == {"Prefix": "Tax"}


def test_replication_without_rules_is_malformed_xml(s3: Any, versioned_bucket: str) -> None:
    config = {"Role": "arn:aws:iam::000000000000:role/replication", "Rules": []}
    assert (
        error_of(s3.put_bucket_replication, Bucket=versioned_bucket, ReplicationConfiguration=config)
        == MALFORMED_XML
    )


# -- completing a multipart upload (TestS3::test_multipart_complete_multipart_too_small) ---------


def test_completing_without_a_part_list_and_with_a_small_part(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    parts = []
    for number in (1, 2):
        etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=number, Body=b"data")[
            "ETag"
        ]
        parts.append({"ETag": etag, "PartNumber": number})
    assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload) == (
        "InvalidRequest",
        400,
        "You must specify at least one part",
    )
    with pytest.raises(ClientError) as info:
        s3.complete_multipart_upload(
            Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": parts}
        )
    error = info.value.response["Error"]
    assert error == {
        "Code": "EntityTooSmall",
        "Message": "Your proposed upload is smaller than the minimum allowed size",
        "ProposedSize": "4",
        "MinSizeAllowed": "5242880",
        "PartNumber": "1",
        "ETag": parts[0]["ETag"].strip('"'),  # S3 names the part's ETag without its quotes here
    }


# -- reading a part (TestS3::test_get_object_part) ----------------------------------------------


def test_a_part_number_and_a_range_together_are_refused(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"test-123")
    assert error_of(s3.get_object, Bucket=bucket, Key="k", PartNumber=1, Range="bytes=0-1") == (
        "InvalidRequest",
        400,
        "Cannot specify both Range header and partNumber query parameter",
    )


# -- copying an object onto itself (TestS3::test_copy_in_place_with_bucket_encryption,
#    TestS3::test_s3_copy_object_in_place_with_encryption) -----------------------------------------


def test_copy_in_place_is_allowed_when_the_bucket_sets_default_encryption(s3: Any, bucket: str) -> None:
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
            ]
        },
    )
    s3.put_object(Bucket=bucket, Key="k", Body=b"")
    copied = s3.copy_object(Bucket=bucket, CopySource={"Bucket": bucket, "Key": "k"}, Key="k")
    assert copied["CopyObjectResult"]["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    assert copied["ServerSideEncryption"] == "AES256"


def test_copy_in_place_of_a_kms_object_re_encrypts_it_with_sse_s3(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"test", ServerSideEncryption="aws:kms")
    copied = s3.copy_object(Bucket=bucket, CopySource=f"{bucket}/k", Key="k")
    assert copied["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    # Now an SSE-S3 object like any other: copying it onto itself unchanged is illegal again.
    assert error_of(s3.copy_object, Bucket=bucket, CopySource=f"{bucket}/k", Key="k")[:2] == (
        "InvalidRequest",
        400,
    )


# -- logging and the keyed bucket configurations (TestS3BucketLogging::*,
#    TestS3::test_s3_inventory_report_crud, test_s3_analytics_configurations,
#    test_s3_intelligent_tier_config) -------------------------------------------------------------


def test_logging_needs_an_existing_target_bucket_in_the_same_region(
    s3: Any, bucket: str, other_bucket: str
) -> None:
    missing = f"missing-{uuid.uuid4().hex[:12]}"
    with pytest.raises(ClientError) as info:
        s3.put_bucket_logging(
            Bucket=bucket,
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": missing, "TargetPrefix": "log"}},
        )
    assert info.value.response["Error"] == {
        "Code": "InvalidTargetBucketForLogging",
        "Message": "The target bucket for logging does not exist",
        "TargetBucket": missing,
    }
    elsewhere = f"parity-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=elsewhere, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    try:
        with pytest.raises(ClientError) as info:
            s3.put_bucket_logging(
                Bucket=bucket,
                BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": elsewhere, "TargetPrefix": "log"}},
            )
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert info.value.response["Error"] == {
            "Code": "CrossLocationLoggingProhibitted",
            "Message": "Cross S3 location logging not allowed. ",
            "TargetBucketLocation": "eu-west-1",
        }
    finally:
        s3.delete_bucket(Bucket=elsewhere)
    s3.put_bucket_logging(
        Bucket=bucket,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": other_bucket, "TargetPrefix": "log"}},
    )
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetBucket"] == other_bucket


def test_keyed_bucket_configurations_are_put_with_no_content(s3: Any, bucket: str, other_bucket: str) -> None:
    destination = {"S3BucketDestination": {"Bucket": f"arn:aws:s3:::{other_bucket}", "Format": "CSV"}}
    answers = [
        s3.put_bucket_inventory_configuration(
            Bucket=bucket,
            Id="inventory",
            InventoryConfiguration={
                "Id": "inventory",
                "IsEnabled": True,
                "Destination": destination,
                "IncludedObjectVersions": "All",
                "Schedule": {"Frequency": "Daily"},
            },
        ),
        s3.put_bucket_analytics_configuration(
            Bucket=bucket,
            Id="analytics",
            AnalyticsConfiguration={
                "Id": "analytics",
                "StorageClassAnalysis": {
                    "DataExport": {"OutputSchemaVersion": "V_1", "Destination": destination}
                },
            },
        ),
        s3.put_bucket_intelligent_tiering_configuration(
            Bucket=bucket,
            Id="tiering",
            IntelligentTieringConfiguration={
                "Id": "tiering",
                "Status": "Enabled",
                "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}],
            },
        ),
    ]
    assert [answer["ResponseMetadata"]["HTTPStatusCode"] for answer in answers] == [204, 204, 204]


def test_logging_across_two_regions_names_both(s3: Any, endpoint: str) -> None:
    regions = ("eu-west-1", "eu-central-1")
    clients = [make_client(endpoint, "s3", region=region) for region in regions]
    names = [f"parity-{uuid.uuid4().hex[:12]}" for _ in regions]
    for client, name, region in zip(clients, names, regions, strict=True):
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    try:
        with pytest.raises(ClientError) as info:
            clients[0].put_bucket_logging(
                Bucket=names[0],
                BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": names[1], "TargetPrefix": "log"}},
            )
        error = info.value.response["Error"]
        assert (error["Code"], error["SourceBucketLocation"], error["TargetBucketLocation"]) == (
            "CrossLocationLoggingProhibitted",
            "eu-west-1",
            "eu-central-1",
        )
    finally:
        for client, name in zip(clients, names, strict=True):
            client.delete_bucket(Bucket=name)


# -- copy sources and checksums (TestS3::test_s3_copy_object_src_not_exists,
#    TestS3::test_s3_checksum_no_algorithm) --------------------------------------------------------


def test_a_copy_source_naming_a_delete_marker_by_version_is_a_bad_request(
    s3: Any, versioned_bucket: str, bucket: str
) -> None:
    s3.put_object(Bucket=versioned_bucket, Key="src", Body=b"")
    marker = s3.delete_object(Bucket=versioned_bucket, Key="src")["VersionId"]
    assert error_of(s3.copy_object, Bucket=bucket, Key="dest", CopySource=f"{versioned_bucket}/src")[:2] == (
        "NoSuchKey",
        404,
    )
    source = {"Bucket": versioned_bucket, "Key": "src", "VersionId": marker}
    assert error_of(s3.copy_object, Bucket=bucket, Key="dest", CopySource=source) == (
        "InvalidRequest",
        400,
        "The source of a copy request may not specifically refer to a delete marker by version id.",
    )


def test_two_checksums_on_one_put_are_refused(plain: Any, bucket: str) -> None:
    assert error_of(
        plain.put_object,
        Bucket=bucket,
        Key="k",
        Body=b"test data..",
        ChecksumSHA256=sha256_of(b"test data.."),
        ChecksumCRC32="cZWHwQ==",
    ) == (
        "InvalidRequest",
        400,
        "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
    )


# -- ACL errors (TestS3::test_s3_bucket_acl_exceptions, TestS3::test_s3_object_acl_exceptions) ----


def _acl_error(call: Any, **params: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        call(**params)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return dict(info.value.response["Error"])


@pytest.mark.parametrize("target", ["bucket", "object"])
def test_grant_headers_are_refused_in_the_header_words(s3: Any, bucket: str, target: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"")
    call = s3.put_bucket_acl if target == "bucket" else s3.put_object_acl
    where = {"Bucket": bucket} if target == "bucket" else {"Bucket": bucket, "Key": "k"}
    fake_group = "http://acs.amazonaws.com/groups/s3/FakeGroup"
    assert _acl_error(call, GrantWrite=f'uri="{fake_group}"', **where) == {
        "Code": "InvalidArgument",
        "Message": "Invalid group uri",
        "ArgumentName": "uri",
        "ArgumentValue": fake_group,
    }
    assert _acl_error(call, GrantWrite='fakekey="1234"', **where) == {
        "Code": "InvalidArgument",
        "Message": "Argument format not recognized",
        "ArgumentName": "x-amz-grant-write",
        "ArgumentValue": 'fakekey="1234"',
    }
    assert _acl_error(call, GrantWrite='id="wrong-id"', **where) == {
        "Code": "InvalidArgument",
        "Message": "Invalid id",
        "ArgumentName": "id",
        "ArgumentValue": "wrong-id",
    }


def test_an_access_control_policy_owner_that_is_no_canonical_id_is_invalid(s3: Any, bucket: str) -> None:
    policy = {
        "Owner": {"ID": "wrong-id"},
        "Grants": [
            {
                "Grantee": {"URI": "http://acs.amazonaws.com/groups/s3/LogDelivery", "Type": "Group"},
                "Permission": "FULL_CONTROL",
            }
        ],
    }
    assert _acl_error(s3.put_bucket_acl, Bucket=bucket, AccessControlPolicy=policy) == {
        "Code": "InvalidArgument",
        "Message": "Invalid id",
        "ArgumentName": "CanonicalUser/ID",
        "ArgumentValue": "wrong-id",
    }


# -- presigned URLs (TestS3PresignedUrl::test_s3_put_presigned_url_missing_sig_param) -------------


@pytest.mark.parametrize("dropped", ["Expires", "Signature"])
def test_a_sigv2_presigned_url_missing_a_parameter_is_refused_as_one(
    s3: Any, endpoint: str, bucket: str, dropped: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"something")
    v2 = make_client(endpoint, "s3", signature_version="s3")
    url = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=100)
    parts = urlsplit(url)
    query = [(name, value) for name, value in parse_qsl(parts.query) if name != dropped]
    response = requests.get(urlunsplit(parts._replace(query=urlencode(query))), timeout=10)
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code>" in response.text
    assert (
        "<Message>Query-string authentication requires the Signature, Expires and AWSAccessKeyId "
        "parameters</Message>" in response.text
    )


# -- creating buckets (TestS3::test_create_bucket_head_bucket) ------------------------------------


def test_create_bucket_outside_us_east_1_answers_the_buckets_virtual_host(s3: Any, endpoint: str) -> None:
    names = [f"parity-{uuid.uuid4().hex[:12]}" for _ in range(2)]
    port = endpoint.rsplit(":", 1)[1]
    try:
        assert s3.create_bucket(Bucket=names[0])["Location"] == f"/{names[0]}"
        created = s3.create_bucket(
            Bucket=names[1], CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        assert created["Location"] == f"http://{names[1]}.s3.localhost:{port}/"
    finally:
        for name in names:
            s3.delete_bucket(Bucket=name)


# -- element order (TestS3::test_response_structure, TestS3::test_bucket_name_with_dots) ----------


def _signed_get(url: str) -> bytes:
    request = AWSRequest(method="GET", url=url, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", "us-east-1").add_auth(request)
    response = requests.get(url, headers=dict(request.headers), timeout=10)
    assert response.status_code == 200, response.text
    return response.content


def _child_tags(body: bytes) -> list[str]:
    return [child.tag.rsplit("}", 1)[-1] for child in ElementTree.fromstring(body)]


def test_listings_name_the_owner_and_bucket_before_their_entries(s3: Any, endpoint: str, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="my-content", Body=b"something")
    assert _child_tags(_signed_get(f"{endpoint}/"))[:2] == ["Owner", "Buckets"]
    # AWS's recorded ListObjects body: Name, Prefix, Marker, MaxKeys, IsTruncated, then Contents.
    assert _child_tags(_signed_get(f"{endpoint}/{bucket}")) == [
        "Name",
        "Prefix",
        "Marker",
        "MaxKeys",
        "IsTruncated",
        "Contents",
    ]
    tags = _child_tags(_signed_get(f"{endpoint}/{bucket}?list-type=2&prefix=my"))
    assert tags.index("Name") < tags.index("Contents") and tags[-1] == "Contents"


# -- website configuration (TestS3StaticWebsiteHosting::test_validate_website_configuration) -------


def test_an_empty_index_suffix_is_named_by_an_empty_argument_value(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as info:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": ""}})
    # AWS sends an empty <ArgumentValue/>, which botocore reads as None (a missing IndexDocument says "null").
    assert info.value.response["Error"] == {
        "Code": "InvalidArgument",
        "Message": "The IndexDocument Suffix is not well formed",
        "ArgumentName": "IndexDocument",
        "ArgumentValue": None,
    }
    with pytest.raises(ClientError) as info:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"ErrorDocument": {"Key": "/index.html"}})
    assert info.value.response["Error"]["ArgumentValue"] == "null"


# -- legal holds (TestS3ObjectLockLegalHold::test_put_object_legal_hold_exc) ----------------------


def test_a_legal_hold_without_a_body_is_malformed_even_without_object_lock(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"test")
    assert error_of(s3.put_object_legal_hold, Bucket=bucket, Key="k") == MALFORMED_XML
    assert error_of(s3.put_object_legal_hold, Bucket=bucket, Key="k", LegalHold={"Status": "ON"}) == (
        "InvalidRequest",
        400,
        "Bucket is missing Object Lock Configuration",
    )


# -- SSE-KMS key ids and parts' encryption (TestS3::test_s3_sse_default_kms_key,
#    TestS3::test_s3_multipart_upload_sse, TestS3::test_multipart_and_list_parts) -------------------


def test_sse_kms_objects_name_their_key_by_arn(s3: Any, endpoint: str, bucket: str, other_bucket: str) -> None:
    managed = [
        s3.put_object(Bucket=name, Key="k", Body=b"test-sse", ServerSideEncryption="aws:kms")["SSEKMSKeyId"]
        for name in (bucket, other_bucket)
    ]
    # No key named: the account's AWS managed key for S3, the same ARN for every bucket of the region.
    assert managed[0] == managed[1]
    assert managed[0].startswith("arn:aws:kms:us-east-1:000000000000:key/")
    assert s3.head_object(Bucket=bucket, Key="k")["SSEKMSKeyId"] == managed[0]
    key_id = new_kms_key(endpoint)["KeyId"]
    put = s3.put_object(
        Bucket=bucket, Key="k2", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id
    )
    assert put["SSEKMSKeyId"] == f"arn:aws:kms:us-east-1:000000000000:key/{key_id}"


def test_upload_part_reports_the_uploads_encryption(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(
        Bucket=bucket, Key="k", ServerSideEncryption="aws:kms", BucketKeyEnabled=True
    )["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"test-sse")
    assert (part["ServerSideEncryption"], part["BucketKeyEnabled"]) == ("aws:kms", True)
    assert part["SSEKMSKeyId"].startswith("arn:aws:kms:")
    plain_upload = s3.create_multipart_upload(Bucket=bucket, Key="p")["UploadId"]
    plain_part = s3.upload_part(Bucket=bucket, Key="p", UploadId=plain_upload, PartNumber=1, Body=b"x")
    assert plain_part["ServerSideEncryption"] == "AES256"


# -- GetObjectAttributes of a multipart object (TestS3::test_get_object_attributes) ---------------


def test_object_parts_without_part_checksums_give_only_their_count(s3: Any, plain: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    etag = plain.upload_part(
        Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"upload-part-1" * 5
    )["ETag"]
    s3.complete_multipart_upload(
        Bucket=bucket, Key="k", UploadId=upload, MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 1}]}
    )
    attributes = s3.get_object_attributes(
        Bucket=bucket,
        Key="k",
        ObjectAttributes=["StorageClass", "ETag", "ObjectSize", "ObjectParts"],
        MaxParts=3,
    )
    assert attributes["ObjectParts"] == {"TotalPartsCount": 1}
    assert (attributes["ETag"], attributes["ObjectSize"]) == ("e747540af6911dbc890f8d3e0b48549b-1", 65)


# -- the bucket's region on listings (TestS3::test_region_header_exists) --------------------------


def test_listings_name_the_buckets_region_in_a_header(s3: Any) -> None:
    name = f"parity-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    try:
        for listing in (s3.list_objects_v2(Bucket=name), s3.list_objects(Bucket=name)):
            assert listing["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "eu-west-1"
        assert s3.head_bucket(Bucket=name)["BucketRegion"] == "eu-west-1"
    finally:
        s3.delete_bucket(Bucket=name)
