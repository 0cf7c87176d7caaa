"""Bad input to common S3 operations answered with S3's error codes and statuses, as the
independent S3 conformance suites (ceph s3-tests, MinIO mint) check them: Content-MD5, page
sizes of the multipart listings, copy ranges, version markers."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.raw_http import error_code, error_message, exchange, signed_request
from tests.services.s3.core_support import error_of


def _with_header(s3: Any, operation: str, name: str, value: str) -> None:
    """Send `name: value` on the next `operation` calls of this client (signed with the request)."""

    def add(request: Any, **_: Any) -> None:
        request.headers[name] = value

    s3.meta.events.register(f"before-sign.s3.{operation}", add)


def test_an_empty_content_md5_is_an_invalid_digest(endpoint: str, bucket: str) -> None:
    s3 = make_client(endpoint, "s3")
    _with_header(s3, "PutObject", "Content-MD5", "")
    code, status, message = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"bar")
    assert (code, status, message) == ("InvalidDigest", 400, "The Content-MD5 you specified was invalid.")


def test_a_content_md5_of_the_wrong_length_is_an_invalid_digest_naming_the_header(
    s3: Any, bucket: str
) -> None:
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="k", Body=b"bar", ContentMD5="YWJyYWNhZGFicmE=")
    error = info.value.response["Error"]
    assert (error["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidDigest",
        400,
    )
    assert error["Message"] == "The Content-MD5 you specified was invalid."
    assert error["Content-MD5"] == "YWJyYWNhZGFicmE="
    assert error_of(s3.head_object, Bucket=bucket, Key="k")[1] == 404


def test_a_content_md5_that_does_not_match_the_body_is_a_bad_digest(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(
        s3.put_object, Bucket=bucket, Key="k", Body=b"bar", ContentMD5="rL0Y20xC+Fzt72VPzMSk2A=="
    )
    assert (code, status) == ("BadDigest", 400)
    assert error_of(s3.head_object, Bucket=bucket, Key="k")[1] == 404


def test_negative_max_uploads_is_an_invalid_argument(s3: Any, bucket: str) -> None:
    code, status, message = error_of(s3.list_multipart_uploads, Bucket=bucket, MaxUploads=-1)
    assert (code, status) == ("InvalidArgument", 400)
    assert message == "Argument max-uploads must be an integer between 0 and 2147483647"


def test_negative_max_parts_is_an_invalid_argument(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    code, status, message = error_of(s3.list_parts, Bucket=bucket, Key="mp", UploadId=upload, MaxParts=-1)
    assert (code, status) == ("InvalidArgument", 400)
    assert message == "Argument max-parts must be an integer between 0 and 2147483647"


def test_negative_part_number_marker_is_an_invalid_argument(s3: Any, bucket: str) -> None:
    """AWS refuses a negative part-number-marker as it does a negative max-parts, in the same words
    (the answer AWS gives, quoted in versity/versitygw#1383 for `aws s3api list-parts
    --part-number-marker -2`; moto's test_multipart_list_parts_invalid_argument)."""
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"part")
    code, status, message = error_of(
        s3.list_parts, Bucket=bucket, Key="mp", UploadId=upload, PartNumberMarker=-2
    )
    assert (code, status) == ("InvalidArgument", 400)
    assert message == "Argument part-number-marker must be an integer between 0 and 2147483647"
    page = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload, PartNumberMarker=0)
    assert [part["PartNumber"] for part in page["Parts"]] == [1]


def test_zero_max_uploads_lists_nothing_and_says_there_is_more(s3: Any, bucket: str) -> None:
    s3.create_multipart_upload(Bucket=bucket, Key="mp")
    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=0)
    assert (page.get("Uploads", []), page["MaxUploads"], page["IsTruncated"]) == ([], 0, True)


def test_zero_max_parts_lists_no_parts(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"x")
    page = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload, MaxParts=0)
    assert (page.get("Parts", []), page["MaxParts"], page["IsTruncated"]) == ([], 0, True)


def _refused_part_copy(s3: Any, bucket: str, copy_range: str) -> tuple[str, int, str]:
    """(code, status, message) of an UploadPartCopy of a 10-byte object with `copy_range`;
    checks that no part was recorded."""
    s3.put_object(Bucket=bucket, Key="src", Body=b"0123456789")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    refused = error_of(
        s3.upload_part_copy,
        Bucket=bucket,
        Key="mp",
        UploadId=upload,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "src"},
        CopySourceRange=copy_range,
    )
    assert s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload).get("Parts", []) == []
    return refused


def test_a_copy_source_range_without_the_bytes_unit_is_an_invalid_argument(s3: Any, bucket: str) -> None:
    assert _refused_part_copy(s3, bucket, "0-2") == (
        "InvalidArgument",
        400,
        "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are "
        "the zero-based offsets of the first and last bytes to copy",
    )


def test_a_copy_source_range_past_the_end_is_an_invalid_argument(s3: Any, bucket: str) -> None:
    # As recorded against AWS: a range ending past the source names its size.
    assert _refused_part_copy(s3, bucket, "bytes=0-21") == (
        "InvalidArgument",
        400,
        "Range specified is not valid for source object of size: 10",
    )


def test_a_negative_max_keys_of_a_version_listing_is_worded_as_s3_words_it(endpoint: str, bucket: str) -> None:
    # ListObjectVersions: "max-keys cannot be negative" (S3's answer to the AWS CLI in
    # versity/versitygw#1809); ListObjects(V2) keeps "Argument maxKeys must be an integer ...".
    loose = make_client(endpoint, "s3", parameter_validation=False)
    with pytest.raises(ClientError) as info:
        loose.list_object_versions(Bucket=bucket, MaxKeys=-1)
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"], error["ArgumentName"], error["ArgumentValue"]) == (
        "InvalidArgument", "max-keys cannot be negative", "maxKeys", "-1")
    assert error_of(loose.list_objects_v2, Bucket=bucket, MaxKeys=-1)[2] == (
        "Argument maxKeys must be an integer between 0 and 2147483647")


def test_a_version_id_marker_needs_a_key_marker(s3: Any, versioned_bucket: str) -> None:
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as info:
        s3.list_object_versions(Bucket=versioned_bucket, VersionIdMarker="abc")
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidArgument", "A version-id marker cannot be specified without a key marker.")
    # the missing key marker, not the version-id marker sent (S3's answer in versity/versitygw#2174)
    assert (error["ArgumentName"], error["ArgumentValue"]) == ("version-id-marker", "null")


def test_a_single_part_get_of_a_plain_object_is_the_whole_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="plain", Body=b"hello")
    assert s3.get_object(Bucket=bucket, Key="plain", PartNumber=1)["Body"].read() == b"hello"
    assert error_of(s3.get_object, Bucket=bucket, Key="plain", PartNumber=2)[:2] == ("InvalidPartNumber", 416)


def test_part_one_of_a_plain_object_is_a_ranged_read_of_all_of_it(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="plain", Body=b"hello")
    for read in (s3.get_object, s3.head_object):
        got = read(Bucket=bucket, Key="plain", PartNumber=1)
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert got["ContentRange"] == "bytes 0-4/5"
        assert got["ContentLength"] == 5
        assert "PartsCount" not in got  # S3 counts the parts of multipart objects only


def test_head_object_reports_the_tag_count(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="tagged", Body=b"x", Tagging="a=1&b=2")
    headers = s3.head_object(Bucket=bucket, Key="tagged")["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-tagging-count"] == "2"


def test_a_checksum_header_that_is_not_a_digest_of_its_algorithm_is_an_invalid_request(
    s3: Any, bucket: str
) -> None:
    code, status, message = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"abc", ChecksumCRC32="zzz")
    assert (code, status, message) == (
        "InvalidRequest",
        400,
        "Value for x-amz-checksum-crc32 header is invalid.",
    )


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        # base64 of 4 bytes, but not as an encoder writes them (stray bits in its last character):
        # open-io/swift's test/s3api/test_object_checksums.py test_invalid_checksum, run against AWS
        ({"x-amz-checksum-crc32": "y/Q5Jh=="}, "Value for x-amz-checksum-crc32 header is invalid."),
        ({"x-amz-checksum-crc32": ""}, "Value for x-amz-checksum-crc32 header is invalid."),
        ({"x-amz-checksum-sha256": ""}, "Value for x-amz-checksum-sha256 header is invalid."),
        (
            {"x-amz-checksum-sha1": "", "x-amz-checksum-crc32c": ""},
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
        ),
    ],
)
def test_an_empty_or_uncanonical_checksum_header_is_an_invalid_value(
    endpoint: str, bucket: str, headers: dict[str, str], message: str
) -> None:
    # S3's answers to the AWS CLI's put-object --checksum-crc32 '' (versity/versitygw#1189): an empty
    # value is no digest, and two headers are refused whatever they hold.
    request = signed_request(endpoint, "PUT", f"/{bucket}/k", "s3", b"abc", headers)
    status, _, body = exchange(endpoint, request)
    assert (status, error_code(body), error_message(body)) == (400, "InvalidRequest", message)
    assert "Contents" not in make_client(endpoint, "s3").list_objects_v2(Bucket=bucket)


def test_a_checksum_header_that_does_not_match_the_body_is_a_bad_digest(s3: Any, bucket: str) -> None:
    wrong = "MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA="  # 32 bytes, not the body's SHA-256
    code, status, message = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"abc", ChecksumSHA256=wrong)
    assert (code, status, message) == (
        "BadDigest",
        400,
        "The SHA256 you specified did not match the calculated checksum.",
    )


def test_an_unknown_metadata_or_tagging_directive_is_an_invalid_argument(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    source = {"Bucket": bucket, "Key": "src"}
    code, status, message = error_of(
        s3.copy_object, Bucket=bucket, Key="dst", CopySource=source, MetadataDirective="MOVE"
    )
    assert (code, status, message) == ("InvalidArgument", 400, "Unknown metadata directive.")
    code, status, message = error_of(
        s3.copy_object, Bucket=bucket, Key="dst", CopySource=source, TaggingDirective="MOVE"
    )
    assert (code, status, message) == ("InvalidArgument", 400, "Unknown tagging directive.")


def test_list_multipart_uploads_with_url_encoding_encodes_keys_and_prefixes(s3: Any, bucket: str) -> None:
    s3.create_multipart_upload(Bucket=bucket, Key="a b/up load")
    s3.create_multipart_upload(Bucket=bucket, Key="c+d")
    page = s3.list_multipart_uploads(Bucket=bucket, EncodingType="url", Delimiter="/")
    assert page["EncodingType"] == "url"
    assert [u["Key"] for u in page["Uploads"]] == ["c%2Bd"]
    assert [c["Prefix"] for c in page["CommonPrefixes"]] == ["a%20b/"]


def test_a_missing_key_is_403_for_a_user_who_may_not_list_and_404_once_they_may(
    endpoint: str, s3: Any, bucket: str
) -> None:
    import json
    import uuid

    from tests.conftest import make_client

    iam = make_client(endpoint, "iam")
    user = f"reader-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]

    def allow(name: str, action: str) -> None:
        document = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
        }
        iam.put_user_policy(UserName=user, PolicyName=name, PolicyDocument=json.dumps(document))

    allow("get", "s3:GetObject")
    reader = make_client(endpoint, "s3", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert error_of(reader.get_object, Bucket=bucket, Key="absent")[:2] == ("AccessDenied", 403)
    assert error_of(reader.head_object, Bucket=bucket, Key="absent")[:2] == ("403", 403)
    allow("list", "s3:ListBucket")
    assert error_of(reader.get_object, Bucket=bucket, Key="absent")[:2] == ("NoSuchKey", 404)


def test_anonymous_reads_may_not_override_response_headers(endpoint: str, s3: Any, bucket: str) -> None:
    import json

    import urllib3

    s3.delete_public_access_block(Bucket=bucket)
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    s3.put_object(Bucket=bucket, Key="public", Body=b"x")
    http = urllib3.PoolManager()
    plain = http.request("GET", f"{endpoint}/{bucket}/public", retries=False)
    assert (plain.status, plain.data) == (200, b"x")
    overridden = http.request(
        "GET", f"{endpoint}/{bucket}/public?response-content-type=text/html", retries=False
    )
    assert overridden.status == 400
    assert b"<Code>InvalidRequest</Code>" in overridden.data
    assert b"Request specific response headers cannot be used for anonymous GET requests." in overridden.data
    signed = s3.get_object(Bucket=bucket, Key="public", ResponseContentType="text/html")
    assert signed["ContentType"] == "text/html"
