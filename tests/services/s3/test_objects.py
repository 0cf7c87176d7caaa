"""Objects: put/get/head/delete, batch delete, copy, ranges, conditions, metadata and
content headers, integrity (Content-MD5 and flexible checksums), attributes, tags,
storage classes."""

from __future__ import annotations

import base64
import hashlib
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.raw_http import error_code, error_message, exchange, signed_head, signed_request
from tests.services.s3.access_support import http
from tests.services.s3.core_support import error_of

EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
# The published check values of each CRC for the ASCII bytes "123456789".
CHECK_INPUT = b"123456789"
CRC32C_CHECK = base64.b64encode(bytes.fromhex("e3069283")).decode()
CRC64NVME_CHECK = base64.b64encode(bytes.fromhex("ae8b14860a799888")).decode()


def md5_etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def crc32_b64(data: bytes) -> str:
    return b64(zlib.crc32(data).to_bytes(4, "big"))


def headers_of(response: dict[str, Any]) -> dict[str, str]:
    return response["ResponseMetadata"]["HTTPHeaders"]


@pytest.fixture(scope="module")
def trailer_s3(endpoint: str) -> Any:
    """A client that sends flexible checksums as aws-chunked trailers, as boto3 does to AWS over
    HTTPS (botocore only picks trailers for https URLs; this makes the same choice over http)."""
    client = make_client(endpoint, "s3")

    def use_trailer(params: dict[str, Any], **_: Any) -> None:
        algorithm = params["context"].get("checksum", {}).get("request_algorithm")
        if isinstance(algorithm, dict):
            algorithm["in"] = "trailer"

    client.meta.events.register("before-call.s3.PutObject", use_trailer)
    client.meta.events.register("before-call.s3.UploadPart", use_trailer)
    return client


# -- put, get, head, delete ------------------------------------------------------------


def test_put_then_get_returns_the_bytes_with_md5_etag_and_default_content_type(s3: Any, bucket: str) -> None:
    body = b"hello pocketcloud" * 100
    put = s3.put_object(Bucket=bucket, Key="greeting.txt", Body=body)
    assert put["ETag"] == md5_etag(body)
    got = s3.get_object(Bucket=bucket, Key="greeting.txt")
    assert got["Body"].read() == body
    assert got["ETag"] == md5_etag(body)
    assert got["ContentLength"] == len(body)
    assert got["ContentType"] == "binary/octet-stream"
    assert got["AcceptRanges"] == "bytes"
    assert abs(got["LastModified"] - datetime.now(UTC)) < timedelta(minutes=1)
    head = s3.head_object(Bucket=bucket, Key="greeting.txt")
    assert (head["ETag"], head["ContentLength"]) == (md5_etag(body), len(body))


def test_an_empty_content_type_is_the_default_one(s3: Any, bucket: str) -> None:
    # versity/versitygw's PostObject_default_content_type: an empty Content-Type is none.
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentType="")
    assert s3.head_object(Bucket=bucket, Key="k")["ContentType"] == "binary/octet-stream"


def test_empty_object_has_the_md5_of_nothing(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b""
    assert got["ETag"] == f'"{EMPTY_MD5}"'
    assert got["ContentLength"] == 0


def test_overwrite_replaces_the_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"first")
    s3.put_object(Bucket=bucket, Key="k", Body=b"second")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1


@pytest.mark.parametrize("key", [
    "plain", "with space", "a+b", "100%", "q?x=1&y=2", "hash#tag", "dir/sub/leaf", "a//double", "/leading",
    "trailing/", "éèê", "日本語/キー", "emoji-\U0001F600", "tilde~and*star", "semi;colon:comma,", "...", "a/./b", "quote'\"",
    "tab\there", "<xml>&amp;",
])
def test_awkward_keys_round_trip(s3: Any, bucket: str, key: str) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]
    s3.delete_object(Bucket=bucket, Key=key)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.parametrize("key", ["..", "../x", "a/../b", "a/.."])
def test_a_key_with_a_dot_dot_segment_is_a_bare_400(endpoint: str, s3: Any, bucket: str, key: str) -> None:
    # S3 refuses a request URI holding a ".." segment with 400 and an empty body: the AWS CLI reports
    # "An error occurred (400) when calling the PutObject operation: Bad Request" (floci-io/floci#1231,
    # #1320, versity/versitygw#1365).
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert info.value.response["Error"] == {"Code": "400", "Message": "Bad Request"}
    status, _, body = exchange(endpoint, signed_request(endpoint, "GET", f"/{bucket}/{key}", "s3"))
    assert (status, body) == (400, b"")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_missing_key_is_no_such_key_and_head_is_a_bare_404(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(s3.get_object, Bucket=bucket, Key="absent")
    assert (code, status) == ("NoSuchKey", 404)
    code, status, _ = error_of(s3.head_object, Bucket=bucket, Key="absent")
    assert (code, status) == ("404", 404)


def test_no_such_key_error_names_the_key(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="some/absent key")
    error = info.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("NoSuchKey", 404)
    assert info.value.response["Error"]["Key"] == "some/absent key"
    assert info.value.response["Error"]["Message"] == "The specified key does not exist."


def test_object_in_missing_bucket_is_no_such_bucket(s3: Any) -> None:
    code, status, _ = error_of(s3.get_object, Bucket="pc-no-such-bucket-at-all", Key="k")
    assert (code, status) == ("NoSuchBucket", 404)
    code, status, _ = error_of(s3.put_object, Bucket="pc-no-such-bucket-at-all", Key="k", Body=b"x")
    assert (code, status) == ("NoSuchBucket", 404)


def test_deleting_a_missing_key_succeeds_with_204(s3: Any, bucket: str) -> None:
    response = s3.delete_object(Bucket=bucket, Key="never-was")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_key_longer_than_1024_bytes_is_key_too_long(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k" * 1024, Body=b"x")  # the limit itself is fine
    code, status, _ = error_of(s3.put_object, Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert (code, status) == ("KeyTooLongError", 400)
    code, status, _ = error_of(s3.put_object, Bucket=bucket, Key="\u00e9" * 513, Body=b"x")  # 1026 UTF-8 bytes
    assert (code, status) == ("KeyTooLongError", 400)


def test_user_metadata_over_2_kb_is_metadata_too_large(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata={"a": "v" * 2000})
    code, status, _ = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", Metadata={"a": "v" * 2100})
    assert (code, status) == ("MetadataTooLarge", 400)


# -- DeleteObjects ---------------------------------------------------------------------


def test_delete_objects_reports_every_key_including_missing_ones(s3: Any, bucket: str) -> None:
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "zz"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["a", "b", "zz"]
    assert result.get("Errors", []) == []
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["c"]


def test_delete_objects_needs_content_md5_or_a_checksum(endpoint: str, s3: Any, bucket: str) -> None:
    # "The Content-MD5 or x-amz-sdk-checksum-algorithm header is required for all Multi-Object
    # Delete requests" (DeleteObjects); S3 answers one with neither 400 InvalidRequest.
    s3.put_object(Bucket=bucket, Key="kept", Body=b"x")
    bare = make_client(endpoint, "s3", request_checksum_calculation="when_required")

    def strip_integrity_headers(request: Any, **_: Any) -> None:
        for name in list(request.headers.keys()):
            if name.lower() == "content-md5" or name.lower().startswith(("x-amz-checksum-", "x-amz-sdk-checksum")):
                del request.headers[name]

    bare.meta.events.register("before-sign.s3.DeleteObjects", strip_integrity_headers)
    code, status, message = error_of(bare.delete_objects, Bucket=bucket, Delete={"Objects": [{"Key": "kept"}]})
    # S3's wording since flexible checksums (versity/versitygw#1040 quotes it from S3, 2025).
    assert (code, status, message) == (
        "InvalidRequest", 400, "Missing required header for this request: Content-MD5 OR x-amz-checksum-*")
    assert s3.head_object(Bucket=bucket, Key="kept")["ContentLength"] == 1
    assert s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "kept"}]})["Deleted"] == [{"Key": "kept"}]


def test_delete_objects_quiet_reports_only_errors(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}], "Quiet": True})
    assert "Deleted" not in result
    assert result.get("Errors", []) == []
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_delete_objects_in_a_versioned_bucket_returns_delete_markers(s3: Any, versioned_bucket: str) -> None:
    version = s3.put_object(Bucket=versioned_bucket, Key="a", Body=b"x")["VersionId"]
    s3.put_object(Bucket=versioned_bucket, Key="b", Body=b"x")
    result = s3.delete_objects(
        Bucket=versioned_bucket, Delete={"Objects": [{"Key": "a", "VersionId": version}, {"Key": "b"}]}
    )
    by_key = {d["Key"]: d for d in result["Deleted"]}
    assert by_key["a"]["VersionId"] == version and not by_key["a"].get("DeleteMarker")
    assert by_key["b"]["DeleteMarker"] is True and by_key["b"]["DeleteMarkerVersionId"]


def test_delete_objects_with_no_objects_is_malformed_xml(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(s3.delete_objects, Bucket=bucket, Delete={"Objects": []})
    assert (code, status) == ("MalformedXML", 400)


def test_delete_objects_over_1000_keys_is_malformed_xml(s3: Any, bucket: str) -> None:
    objects = [{"Key": f"k{i}"} for i in range(1001)]
    code, status, _ = error_of(s3.delete_objects, Bucket=bucket, Delete={"Objects": objects})
    assert (code, status) == ("MalformedXML", 400)


# -- CopyObject ------------------------------------------------------------------------


def test_copy_keeps_metadata_and_content_headers_by_default(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"payload", ContentType="text/plain",
                  Metadata={"color": "blue"}, CacheControl="max-age=60")
    result = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert result["CopyObjectResult"]["ETag"] == md5_etag(b"payload")
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == b"payload"
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"color": "blue"}
    assert got["CacheControl"] == "max-age=60"


def test_copy_with_replace_uses_the_new_metadata_only(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"payload", ContentType="text/plain", Metadata={"color": "blue"})
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"shape": "round"}, ContentType="application/json")
    got = s3.head_object(Bucket=bucket, Key="dst")
    assert got["Metadata"] == {"shape": "round"}
    assert got["ContentType"] == "application/json"


def test_copy_between_buckets_and_of_awkward_keys(s3: Any, bucket: str) -> None:
    other = f"{bucket}-copy"
    s3.create_bucket(Bucket=other)
    try:
        key = "dir/ünïcödé key+plus%.txt"
        s3.put_object(Bucket=bucket, Key=key, Body=b"across")
        s3.copy_object(Bucket=other, Key=key, CopySource={"Bucket": bucket, "Key": key})
        assert s3.get_object(Bucket=other, Key=key)["Body"].read() == b"across"
        s3.delete_object(Bucket=other, Key=key)
    finally:
        s3.delete_bucket(Bucket=other)


def test_copy_onto_itself_without_changes_is_an_invalid_request(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="self", Body=b"x", Metadata={"a": "1"})
    code, status, message = error_of(s3.copy_object, Bucket=bucket, Key="self",
                                     CopySource={"Bucket": bucket, "Key": "self"})
    assert (code, status) == ("InvalidRequest", 400)
    assert "copy an object to itself without changing" in message


def test_copy_onto_itself_with_replace_changes_metadata_in_place(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="self", Body=b"same bytes", Metadata={"a": "1"})
    s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"},
                   MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="text/csv")
    got = s3.get_object(Bucket=bucket, Key="self")
    assert got["Metadata"] == {"b": "2"}
    assert got["ContentType"] == "text/csv"
    assert got["Body"].read() == b"same bytes"


def test_copy_onto_itself_changing_only_the_storage_class_is_allowed(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="self", Body=b"x")
    s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"},
                   StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=bucket, Key="self")["StorageClass"] == "STANDARD_IA"


def test_copy_source_conditions_fail_with_412(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="src", Body=b"x")["ETag"]
    source = {"Bucket": bucket, "Key": "src"}
    future = datetime.now(UTC) + timedelta(days=1)
    past = datetime.now(UTC) - timedelta(days=1)
    modified = s3.head_object(Bucket=bucket, Key="src")["LastModified"]
    for condition in (
        {"CopySourceIfMatch": '"0123456789abcdef0123456789abcdef"'},
        {"CopySourceIfNoneMatch": etag},
        {"CopySourceIfModifiedSince": modified},
        {"CopySourceIfUnmodifiedSince": past},
    ):
        code, status, _ = error_of(s3.copy_object, Bucket=bucket, Key="dst", CopySource=source, **condition)
        assert (code, status) == ("PreconditionFailed", 412), condition
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1
    for condition in (
        {"CopySourceIfMatch": etag},
        {"CopySourceIfNoneMatch": '"0123456789abcdef0123456789abcdef"'},
        {"CopySourceIfModifiedSince": past},
        {"CopySourceIfUnmodifiedSince": future},
    ):
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=source, **condition)


def test_copy_source_if_match_true_overrides_a_false_if_unmodified_since(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="src", Body=b"x")["ETag"]
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"}, CopySourceIfMatch=etag,
                   CopySourceIfUnmodifiedSince=datetime.now(UTC) - timedelta(days=1))
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"x"


def test_copy_of_a_missing_source_is_no_such_key(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(s3.copy_object, Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "nope"})
    assert (code, status) == ("NoSuchKey", 404)


def test_copy_of_a_specific_source_version(s3: Any, versioned_bucket: str) -> None:
    old = s3.put_object(Bucket=versioned_bucket, Key="src", Body=b"old")["VersionId"]
    s3.put_object(Bucket=versioned_bucket, Key="src", Body=b"new")
    result = s3.copy_object(Bucket=versioned_bucket, Key="dst",
                            CopySource={"Bucket": versioned_bucket, "Key": "src", "VersionId": old})
    assert result["CopySourceVersionId"] == old
    assert result["VersionId"] not in (old, None, "null")
    dst = s3.get_object(Bucket=versioned_bucket, Key="dst")
    assert (dst["VersionId"], dst["Body"].read()) == (result["VersionId"], b"old")


def test_copy_carries_tags_unless_replaced(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="a=1&b=2")
    s3.copy_object(Bucket=bucket, Key="kept", CopySource={"Bucket": bucket, "Key": "src"})
    assert {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key="kept")["TagSet"]} == {"a": "1", "b": "2"}
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource={"Bucket": bucket, "Key": "src"},
                   TaggingDirective="REPLACE", Tagging="c=3")
    assert s3.get_object_tagging(Bucket=bucket, Key="replaced")["TagSet"] == [{"Key": "c", "Value": "3"}]


# -- ranges ----------------------------------------------------------------------------

DIGITS = bytes(range(48, 58)) * 10  # 100 bytes: "0123456789" * 10


@pytest.mark.parametrize(("header", "first", "last"), [
    ("bytes=0-9", 0, 9),
    ("bytes=10-", 10, 99),
    ("bytes=-5", 95, 99),
    ("bytes=90-1000", 90, 99),      # past the end is clipped
    ("bytes=-500", 0, 99),          # a suffix longer than the object is all of it
    ("bytes=99-99", 99, 99),
])
def test_range_get_answers_206_with_content_range(s3: Any, bucket: str, header: str, first: int, last: int) -> None:
    s3.put_object(Bucket=bucket, Key="digits", Body=DIGITS)
    got = s3.get_object(Bucket=bucket, Key="digits", Range=header)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["ContentRange"] == f"bytes {first}-{last}/100"
    assert got["ContentLength"] == last - first + 1
    assert got["Body"].read() == DIGITS[first : last + 1]
    head = s3.head_object(Bucket=bucket, Key="digits", Range=header)
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert head["ContentLength"] == last - first + 1


def test_range_starting_past_the_end_is_416_invalid_range(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="digits", Body=DIGITS)
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="digits", Range="bytes=100-200")
    error = info.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("InvalidRange", 416)
    assert error["Error"]["ActualObjectSize"] == "100"
    assert error["Error"]["RangeRequested"] == "bytes=100-200"


def test_a_suffix_range_of_an_empty_object_is_the_whole_empty_object(s3: Any, bucket: str) -> None:
    # S3 answers 200 and no Content-Range (apache/arrow-rs-object-store#846, observed against AWS);
    # it was 206 with "Content-Range: bytes 0--1/0". An offset range of it stays 416 (tested elsewhere).
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty", Range="bytes=-512")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "content-range" not in got["ResponseMetadata"]["HTTPHeaders"]
    assert got["Body"].read() == b""
    head = s3.head_object(Bucket=bucket, Key="empty", Range="bytes=-1")
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "content-range" not in head["ResponseMetadata"]["HTTPHeaders"]


def test_unreadable_range_header_is_ignored(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="digits", Body=DIGITS)
    got = s3.get_object(Bucket=bucket, Key="digits", Range="bytes=nonsense")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert got["Body"].read() == DIGITS


def test_part_number_get_of_a_simple_object_is_the_whole_object(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="digits", Body=DIGITS)
    assert s3.get_object(Bucket=bucket, Key="digits", PartNumber=1)["Body"].read() == DIGITS
    code, status, _ = error_of(s3.get_object, Bucket=bucket, Key="digits", PartNumber=2)
    assert (code, status) == ("InvalidPartNumber", 416)


# -- conditional reads -----------------------------------------------------------------


def test_get_if_match_and_if_unmodified_since_fail_with_412(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    past = datetime.now(UTC) - timedelta(days=1)
    code, status, _ = error_of(s3.get_object, Bucket=bucket, Key="k", IfMatch='"ffffffffffffffffffffffffffffffff"')
    assert (code, status) == ("PreconditionFailed", 412)
    code, status, _ = error_of(s3.get_object, Bucket=bucket, Key="k", IfUnmodifiedSince=past)
    assert (code, status) == ("PreconditionFailed", 412)
    code, status, _ = error_of(s3.head_object, Bucket=bucket, Key="k", IfMatch='"ffffffffffffffffffffffffffffffff"')
    assert status == 412
    assert s3.get_object(Bucket=bucket, Key="k", IfMatch=etag)["Body"].read() == b"x"
    assert s3.get_object(Bucket=bucket, Key="k", IfMatch="*")["Body"].read() == b"x"


def test_get_if_none_match_and_if_modified_since_answer_304(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="k")["LastModified"]  # a future date is ignored
    code, status, _ = error_of(s3.get_object, Bucket=bucket, Key="k", IfNoneMatch=etag)
    assert status == 304
    code, status, _ = error_of(s3.get_object, Bucket=bucket, Key="k", IfModifiedSince=modified)
    assert status == 304
    code, status, _ = error_of(s3.head_object, Bucket=bucket, Key="k", IfNoneMatch=etag)
    assert status == 304
    assert s3.get_object(Bucket=bucket, Key="k", IfNoneMatch='"0000"')["Body"].read() == b"x"
    past = datetime.now(UTC) - timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key="k", IfModifiedSince=past)["Body"].read() == b"x"


def test_if_match_true_overrides_a_false_if_unmodified_since(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    past = datetime.now(UTC) - timedelta(days=1)
    got = s3.get_object(Bucket=bucket, Key="k", IfMatch=etag, IfUnmodifiedSince=past)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_if_none_match_false_with_if_modified_since_true_is_304(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    past = datetime.now(UTC) - timedelta(days=1)
    code, status, _ = error_of(s3.get_object, Bucket=bucket, Key="k", IfNoneMatch=etag, IfModifiedSince=past)
    assert status == 304


def test_304_response_carries_the_etag(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="k", IfNoneMatch=etag)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    assert info.value.response["ResponseMetadata"]["HTTPHeaders"].get("etag") == etag


# -- conditional writes ----------------------------------------------------------------


def test_put_if_none_match_star_creates_only_when_absent(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="once", Body=b"first", IfNoneMatch="*")
    code, status, _ = error_of(s3.put_object, Bucket=bucket, Key="once", Body=b"second", IfNoneMatch="*")
    assert (code, status) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"first"


def test_put_if_match_replaces_only_the_expected_version(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["ETag"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"v2", IfMatch=etag)
    code, status, _ = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"v3", IfMatch=etag)
    assert (code, status) == ("PreconditionFailed", 412)
    code, status, _ = error_of(s3.put_object, Bucket=bucket, Key="absent", Body=b"v", IfMatch=etag)
    assert (code, status) == ("NoSuchKey", 404)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v2"


def test_complete_multipart_if_none_match_star_refuses_to_overwrite(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"existing")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"new")["ETag"]
    code, status, _ = error_of(
        s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload, IfNoneMatch="*",
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    assert (code, status) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"existing"


# -- metadata and content headers ------------------------------------------------------


def test_user_metadata_round_trips_with_lower_cased_names(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata={"Project": "Pocket", "build-number": "42"})
    got = s3.head_object(Bucket=bucket, Key="k")
    assert got["Metadata"] == {"project": "Pocket", "build-number": "42"}
    assert headers_of(got)["x-amz-meta-project"] == "Pocket"


def test_whitespace_after_a_header_value_is_no_part_of_the_stored_value(s3: Any, bucket: str) -> None:
    # The .NET SDK's MetadataTests.TestSingleUploadWithSpacesInMetadata: " A  B  C  " reads back
    # trimmed (RFC 9110 §5.5); inner spaces stay. Sent by http.client, which keeps trailing spaces
    # (botocore trims them itself).
    url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": bucket, "Key": "k", "Metadata": {"document": "A  B  C"}}
    )
    status, _, _ = http("PUT", url, b"x", {"x-amz-meta-document": "A  B  C \t ", "Cache-Control": "no-cache  "})
    assert status == 200
    got = s3.head_object(Bucket=bucket, Key="k")
    assert got["Metadata"] == {"document": "A  B  C"}
    assert headers_of(got)["cache-control"] == "no-cache"


def test_content_headers_are_stored_and_returned(s3: Any, bucket: str) -> None:
    expires = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)
    s3.put_object(
        Bucket=bucket, Key="k", Body=b"x", ContentType="text/html; charset=utf-8", ContentEncoding="identity",
        ContentDisposition='attachment; filename="k.html"', ContentLanguage="en-GB",
        CacheControl="no-cache", Expires=expires,
    )
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["ContentType"] == "text/html; charset=utf-8"
    assert got["ContentEncoding"] == "identity"
    assert got["ContentDisposition"] == 'attachment; filename="k.html"'
    assert got["ContentLanguage"] == "en-GB"
    assert got["CacheControl"] == "no-cache"
    assert headers_of(got)["expires"] == "Thu, 02 Jan 2031 03:04:05 GMT"


def test_response_header_overrides_replace_the_stored_headers(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentType="text/plain")
    got = s3.get_object(
        Bucket=bucket, Key="k", ResponseContentType="application/xml", ResponseContentLanguage="fr",
        ResponseCacheControl="max-age=5", ResponseContentDisposition="inline",
        ResponseContentEncoding="gzip",
    )
    headers = headers_of(got)
    assert headers["content-type"] == "application/xml"
    assert headers["content-language"] == "fr"
    assert headers["cache-control"] == "max-age=5"
    assert headers["content-disposition"] == "inline"
    assert headers["content-encoding"] == "gzip"
    assert s3.head_object(Bucket=bucket, Key="k")["ContentType"] == "text/plain"  # stored value unchanged


@pytest.mark.parametrize(
    ("member", "parameter"),
    [("ResponseContentDisposition", "response-content-disposition"), ("ResponseCacheControl", "response-cache-control")],
)
def test_response_header_override_outside_latin_1_is_invalid_argument(
    s3: Any, bucket: str, member: str, parameter: str
) -> None:
    # S3's answer to a presigned URL's filename with an en dash (IQSS/dataverse#4524).
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    value = "attachment; filename=codebook-us-president-1976\u20132016.md"
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="k", **{member: value})
    error = info.value.response["Error"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert (error["Code"], error["Message"]) == ("InvalidArgument", "Header value cannot be represented using ISO-8859-1.")
    assert (error["ArgumentName"], error["ArgumentValue"]) == (parameter, value)


def test_storage_class_is_stored_reported_and_listed(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    s3.put_object(Bucket=bucket, Key="std", Body=b"x")
    assert s3.head_object(Bucket=bucket, Key="ia")["StorageClass"] == "STANDARD_IA"
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="std")  # STANDARD is not sent
    listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed == {"ia": "STANDARD_IA", "std": "STANDARD"}


def test_unknown_storage_class_is_invalid_storage_class(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", StorageClass="DIAMOND")
    assert (code, status) == ("InvalidStorageClass", 400)


def test_archived_object_cannot_be_read_or_copied_until_restored(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    code, status, _ = error_of(s3.get_object, Bucket=bucket, Key="cold")
    assert (code, status) == ("InvalidObjectState", 403)
    assert s3.head_object(Bucket=bucket, Key="cold")["StorageClass"] == "GLACIER"
    code, status, _ = error_of(s3.copy_object, Bucket=bucket, Key="warm", CopySource={"Bucket": bucket, "Key": "cold"})
    assert (code, status) == ("InvalidObjectState", 403)
    s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"].startswith('ongoing-request="false", expiry-date=')
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"x"


def test_copying_an_archived_source_names_the_source_in_the_refusal(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="DEEP_ARCHIVE")
    code, status, message = error_of(
        s3.copy_object, Bucket=bucket, Key="warm", CopySource={"Bucket": bucket, "Key": "cold"}
    )
    assert (code, status, message) == (
        "InvalidObjectState",
        403,
        "Operation is not valid for the source object's storage class",
    )


def test_restore_answers_202_when_started_and_200_when_already_restored(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    first = s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 202
    again = s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 2})
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_copy_is_standard_unless_a_storage_class_is_named(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    s3.copy_object(Bucket=bucket, Key="plain", CopySource={"Bucket": bucket, "Key": "ia"})
    s3.copy_object(
        Bucket=bucket, Key="onezone", CopySource={"Bucket": bucket, "Key": "ia"}, StorageClass="ONEZONE_IA"
    )
    listed = {o["Key"]: o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed == {"ia": "STANDARD_IA", "plain": "STANDARD", "onezone": "ONEZONE_IA"}
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="plain")


def test_restored_archive_copies_as_standard(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    s3.copy_object(Bucket=bucket, Key="warm", CopySource={"Bucket": bucket, "Key": "cold"})
    head = s3.head_object(Bucket=bucket, Key="warm")
    assert "StorageClass" not in head and "Restore" not in head


def test_sse_kms_object_reports_its_bucket_key(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", BucketKeyEnabled=True)
    assert put["BucketKeyEnabled"] is True
    assert s3.head_object(Bucket=bucket, Key="k")["BucketKeyEnabled"] is True
    assert "BucketKeyEnabled" not in s3.put_object(Bucket=bucket, Key="plain", Body=b"x")


def test_bucket_default_bucket_key_applies_to_new_sse_kms_objects(s3: Any, bucket: str) -> None:
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert (put["ServerSideEncryption"], put["BucketKeyEnabled"]) == ("aws:kms", True)
    copied = s3.copy_object(Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "k"})
    assert copied["BucketKeyEnabled"] is True


def test_restoring_an_object_that_is_not_archived_is_invalid_object_state(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="warm", Body=b"x")
    code, status, _ = error_of(s3.restore_object, Bucket=bucket, Key="warm", RestoreRequest={"Days": 1})
    assert (code, status) == ("InvalidObjectState", 403)


# -- integrity -------------------------------------------------------------------------


def test_correct_content_md5_is_accepted(s3: Any, bucket: str) -> None:
    body = b"checked"
    s3.put_object(Bucket=bucket, Key="k", Body=body, ContentMD5=b64(hashlib.md5(body).digest()))
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == body


def test_wrong_content_md5_is_bad_digest_and_stores_nothing(s3: Any, bucket: str) -> None:
    wrong = b64(hashlib.md5(b"something else").digest())
    code, status, _ = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"checked", ContentMD5=wrong)
    assert (code, status) == ("BadDigest", 400)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_malformed_content_md5_is_invalid_digest(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ContentMD5="not-base64-md5")
    assert (code, status) == ("InvalidDigest", 400)
    code, status, _ = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ContentMD5=b64(b"short"))
    assert (code, status) == ("InvalidDigest", 400)


@pytest.mark.parametrize(("algorithm", "expected"), [
    ("CRC32", crc32_b64(CHECK_INPUT)),
    ("SHA1", b64(hashlib.sha1(CHECK_INPUT).digest())),
    ("SHA256", b64(hashlib.sha256(CHECK_INPUT).digest())),
])
def test_flexible_checksum_in_a_header_is_stored_and_returned(s3: Any, bucket: str, algorithm: str, expected: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="k", Body=CHECK_INPUT, ChecksumAlgorithm=algorithm)
    assert put[f"Checksum{algorithm}"] == expected
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == expected
    assert got["ChecksumType"] == "FULL_OBJECT"
    assert got["Body"].read() == CHECK_INPUT
    assert s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")[f"Checksum{algorithm}"] == expected
    assert f"Checksum{algorithm}" not in s3.head_object(Bucket=bucket, Key="k")  # only when asked for


@pytest.mark.parametrize(("member", "expected"), [
    ("ChecksumCRC32C", CRC32C_CHECK),
    ("ChecksumCRC64NVME", CRC64NVME_CHECK),
])
def test_crc32c_and_crc64nvme_match_their_published_check_values(s3: Any, bucket: str, member: str, expected: str) -> None:
    # The client states the checksum itself (botocore needs the CRT to compute these two).
    put = s3.put_object(Bucket=bucket, Key="k", Body=CHECK_INPUT, **{member: expected})
    assert put[member] == expected
    assert s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")[member] == expected


@pytest.mark.parametrize("member", ["ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256"])
def test_wrong_flexible_checksum_is_bad_digest(s3: Any, bucket: str, member: str) -> None:
    size = {"ChecksumCRC32": 4, "ChecksumCRC32C": 4, "ChecksumCRC64NVME": 8, "ChecksumSHA1": 20, "ChecksumSHA256": 32}[member]
    wrong = b64(b"\x01" * size)
    code, status, _ = error_of(s3.put_object, Bucket=bucket, Key="k", Body=CHECK_INPUT, **{member: wrong})
    assert (code, status) == ("BadDigest", 400)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_checksum_sent_as_a_trailer_is_verified_stored_and_returned(trailer_s3: Any, bucket: str, algorithm: str) -> None:
    body = b"trailing checksum body " * 1000
    sent: list[dict[str, str]] = []
    trailer_s3.meta.events.register("before-send.s3.PutObject", lambda request, **_: sent.append(dict(request.headers)))
    put = trailer_s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm=algorithm)
    trailer = sent[-1]["X-Amz-Trailer"]
    trailer = trailer.decode() if isinstance(trailer, bytes) else trailer
    assert trailer == f"x-amz-checksum-{algorithm.lower()}"  # it really went as a trailer
    assert sent[-1]["Content-Encoding"] in (b"aws-chunked", "aws-chunked")
    expected = {"CRC32": crc32_b64(body), "SHA1": b64(hashlib.sha1(body).digest()),
                "SHA256": b64(hashlib.sha256(body).digest())}[algorithm]
    assert put[f"Checksum{algorithm}"] == expected
    assert put["ETag"] == md5_etag(body)
    got = trailer_s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == expected
    assert got["Body"].read() == body  # botocore also validates the returned checksum as it reads


@pytest.mark.parametrize("decoded_length", [None, "abc", "12x"])
@pytest.mark.parametrize("http_chunked", [False, True])
def test_a_streaming_put_must_say_its_decoded_length(
    endpoint: str, s3: Any, bucket: str, decoded_length: str | None, http_chunked: bool
) -> None:
    # "For all requests, you must include the x-amz-decoded-content-length header" (sigv4-streaming):
    # without it S3 answers 411 MissingContentLength, as the Go SDK v2's TestInteg_ObjectChecksums
    # ("unseekable/unknown content length": aws-chunked in HTTP chunked framing) expects of AWS.
    data = b"hello world"
    headers = {"content-encoding": "aws-chunked", "x-amz-trailer": "x-amz-checksum-crc32"}
    if decoded_length is not None:
        headers["x-amz-decoded-content-length"] = decoded_length
    head, _ = signed_head(endpoint, "PUT", f"/{bucket}/k", "s3", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", headers)
    body = b"b\r\n" + data + b"\r\n0\r\nx-amz-checksum-crc32:" + crc32_b64(data).encode() + b"\r\n\r\n"
    if http_chunked:
        framed = head + b"transfer-encoding: chunked\r\n\r\n" + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    else:
        framed = head + f"content-length: {len(body)}\r\n\r\n".encode() + body
    status, _, answer = exchange(endpoint, framed)
    assert (status, error_code(answer)) == (411, "MissingContentLength")
    assert error_message(answer) == "You must provide the Content-Length HTTP header."
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_default_client_checksum_is_returned_with_checksum_mode(s3: Any, bucket: str) -> None:
    body = b"default integrity"
    s3.put_object(Bucket=bucket, Key="k", Body=body)  # boto3 adds CRC32 on its own
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == crc32_b64(body)
    assert got["Body"].read() == body


def test_ranged_get_leaves_out_the_whole_object_checksum(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=DIGITS, ChecksumAlgorithm="SHA256")
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED", Range="bytes=0-9")
    assert "ChecksumSHA256" not in got
    assert got["Body"].read() == DIGITS[:10]


# -- GetObjectAttributes ---------------------------------------------------------------


def test_get_object_attributes_reports_etag_size_class_and_checksum(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=CHECK_INPUT, ChecksumAlgorithm="SHA256", StorageClass="STANDARD_IA")
    attributes = s3.get_object_attributes(
        Bucket=bucket, Key="k", ObjectAttributes=["ETag", "ObjectSize", "StorageClass", "Checksum", "ObjectParts"]
    )
    assert attributes["ETag"] == hashlib.md5(CHECK_INPUT).hexdigest()  # without quotes
    assert attributes["ObjectSize"] == len(CHECK_INPUT)
    assert attributes["StorageClass"] == "STANDARD_IA"
    assert attributes["Checksum"]["ChecksumSHA256"] == b64(hashlib.sha256(CHECK_INPUT).digest())
    assert "ObjectParts" not in attributes  # not a multipart object
    assert attributes["LastModified"] == s3.head_object(Bucket=bucket, Key="k")["LastModified"]


def test_get_object_attributes_only_returns_what_was_asked(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectSize"])
    assert attributes["ObjectSize"] == 1
    assert "ETag" not in attributes and "StorageClass" not in attributes


def test_get_object_attributes_of_a_missing_key_is_no_such_key(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(s3.get_object_attributes, Bucket=bucket, Key="nope", ObjectAttributes=["ETag"])
    assert (code, status) == ("NoSuchKey", 404)


def test_get_object_attributes_naming_an_unknown_attribute_is_invalid_argument(s3: Any, bucket: str) -> None:
    # S3's answer (versity/versitygw#917, #1000): the request is refused, not answered with the rest.
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as info:
        s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ETag", "ETags"])
    error = info.value.response["Error"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert (error["Code"], error["Message"]) == ("InvalidArgument", "Invalid attribute name specified.")
    assert (error["ArgumentName"], error["ArgumentValue"]) == ("x-amz-object-attributes", "ETags")


@pytest.mark.parametrize("header", [None, ""])
def test_get_object_attributes_without_attributes_is_invalid_request(
    endpoint: str, s3: Any, bucket: str, header: str | None
) -> None:
    # S3's answer to a request without the header (versity/versitygw#915).
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    headers = {} if header is None else {"x-amz-object-attributes": header}
    status, _, answer = exchange(endpoint, signed_request(endpoint, "GET", f"/{bucket}/k?attributes", "s3", headers=headers))
    assert (status, error_code(answer)) == (400, "InvalidRequest")
    assert error_message(answer) == (
        "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty"
    )


# -- tagging ---------------------------------------------------------------------------


def test_object_tags_put_get_delete_and_count(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="team=core&tier=gold%20plus")
    tags = s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("team", "core"), ("tier", "gold plus")]
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 2
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "only", "Value": "one"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "only", "Value": "one"}]
    s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    assert "TagCount" not in s3.head_object(Bucket=bucket, Key="k")


def test_more_than_ten_object_tags_is_refused(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
    code, status, _ = error_of(s3.put_object_tagging, Bucket=bucket, Key="k", Tagging={"TagSet": tags})
    assert (code, status) == ("BadRequest", 400)


def test_duplicate_object_tag_keys_are_invalid_tag(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    tags = [{"Key": "same", "Value": "1"}, {"Key": "same", "Value": "2"}]
    code, status, _ = error_of(s3.put_object_tagging, Bucket=bucket, Key="k", Tagging={"TagSet": tags})
    assert (code, status) == ("InvalidTag", 400)


def test_tagging_a_missing_key_is_no_such_key(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(s3.put_object_tagging, Bucket=bucket, Key="nope",
                               Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    assert (code, status) == ("NoSuchKey", 404)


def test_object_tag_keys_with_the_aws_prefix_are_reserved(s3: Any, bucket: str) -> None:
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", Tagging="aws:foo=bar") == (
        "InvalidTag", 400, "Your TagKey cannot be prefixed with aws:")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert error_of(s3.put_object_tagging, Bucket=bucket, Key="k",
                    Tagging={"TagSet": [{"Key": "aws:item", "Value": "v"}]})[:2] == ("InvalidTag", 400)


# The x-amz-tagging header as S3 reads it (versity/versitygw#1215, #1216 and PR #1243, each tried
# against S3 with the AWS CLI): what is not a URL-encoded query of distinct tags is InvalidArgument,
# a tag that parses but breaks the tag rules is InvalidTag, empty pairs are nothing.
TAGGING_HEADER_INVALID = (
    "InvalidArgument",
    400,
    "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters "
    "without tag name duplicates.",
)


@pytest.mark.parametrize(
    ("header", "tags"),
    [
        ("&&", []),
        ("key", [("key", "")]),
        ("key=&", [("key", "")]),
        ("key1&key2", [("key1", ""), ("key2", "")]),
        ("a+b=c%20d&e=f", [("a b", "c d"), ("e", "f")]),
    ],
)
def test_tagging_header_pairs_without_a_value_or_empty_are_taken(
    s3: Any, bucket: str, header: str, tags: list[tuple[str, str]]
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging=header)
    assert [(t["Key"], t["Value"]) for t in s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"]] == tags


@pytest.mark.parametrize("header", ["=", "=v", "key%", "k=%G1", "k=%FF", "k=v&k=w", "key1=val1,key2=val2"])
def test_tagging_header_that_is_not_a_query_of_distinct_tags_is_invalid_argument(
    s3: Any, bucket: str, header: str
) -> None:
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", Tagging=header) == TAGGING_HEADER_INVALID
    assert error_of(s3.create_multipart_upload, Bucket=bucket, Key="k", Tagging=header) == TAGGING_HEADER_INVALID


def test_tagging_header_tag_with_a_character_tags_may_not_hold_is_invalid_tag(s3: Any, bucket: str) -> None:
    key_error = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", Tagging="key!=val")
    assert key_error == ("InvalidTag", 400, "The TagKey you have provided is invalid")
    value_error = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", Tagging="key=val%3F")
    assert value_error == ("InvalidTag", 400, "The TagValue you have provided is invalid")
    s3.put_object(Bucket=bucket, Key="src", Body=b"x")
    copy_error = error_of(s3.copy_object, Bucket=bucket, Key="k", CopySource=f"{bucket}/src",
                          TaggingDirective="REPLACE", Tagging="key=val*")
    assert copy_error == ("InvalidTag", 400, "The TagValue you have provided is invalid")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="k")


# -- ETag conditions and copies, as verified against AWS ---------------------------------


def test_etag_conditions_accept_etags_without_their_quotes(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["ETag"]
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v2", IfMatch=etag.strip('"'))["ETag"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"v3", IfMatch=etag[1:])  # one quote missing
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v3"
    bare = s3.head_object(Bucket=bucket, Key="k")["ETag"].strip('"')
    code, status, _ = error_of(s3.copy_object, Bucket=bucket, Key="copy",
                               CopySource={"Bucket": bucket, "Key": "k"}, CopySourceIfNoneMatch=bare)
    assert (code, status) == ("PreconditionFailed", 412)
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"}, CopySourceIfMatch=bare)


def test_copy_sets_the_requested_website_redirect_location(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", WebsiteRedirectLocation="/from-source")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                   WebsiteRedirectLocation="http://example.com/")
    assert s3.get_object(Bucket=bucket, Key="dst")["WebsiteRedirectLocation"] == "http://example.com/"
    s3.copy_object(Bucket=bucket, Key="plain", CopySource={"Bucket": bucket, "Key": "src"})
    assert "WebsiteRedirectLocation" not in s3.head_object(Bucket=bucket, Key="plain")  # never inherited


def test_copy_onto_itself_naming_a_source_version_is_allowed(s3: Any, versioned_bucket: str) -> None:
    version = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")["VersionId"]
    copied = s3.copy_object(Bucket=versioned_bucket, Key="k",
                            CopySource={"Bucket": versioned_bucket, "Key": "k", "VersionId": version})
    assert copied["CopySourceVersionId"] == version
    assert copied["VersionId"] != version


def test_listings_show_a_restored_objects_restore_status_when_asked(s3: Any, versioned_bucket: str) -> None:
    bucket = versioned_bucket
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    s3.put_object(Bucket=bucket, Key="frozen", Body=b"x", StorageClass="GLACIER")
    s3.put_object(Bucket=bucket, Key="warm", Body=b"x")
    s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    expiry = s3.head_object(Bucket=bucket, Key="cold")["Restore"].split('expiry-date="')[1].rstrip('"')
    asked = {"OptionalObjectAttributes": ["RestoreStatus"]}
    for listed in (
        s3.list_objects_v2(Bucket=bucket, **asked)["Contents"],
        s3.list_objects(Bucket=bucket, **asked)["Contents"],
        s3.list_object_versions(Bucket=bucket, **asked)["Versions"],
    ):
        statuses = {entry["Key"]: entry.get("RestoreStatus") for entry in listed}
        assert statuses["frozen"] is None and statuses["warm"] is None
        assert statuses["cold"]["IsRestoreInProgress"] is False
        assert statuses["cold"]["RestoreExpiryDate"] == datetime.strptime(expiry, "%a, %d %b %Y %H:%M:%S GMT").replace(
            tzinfo=UTC
        )
    assert "RestoreStatus" not in s3.list_objects_v2(Bucket=bucket)["Contents"][0]
