"""S3 answers that moto's maintainers verified against AWS and no other test here stated yet.

Evidence: the stored public repository getmoto/moto, tests/test_s3/, the tests marked
`@pytest.mark.aws_verified` (run against real AWS with MOTO_TEST_ALLOW_AWS_REQUEST=true):
test_s3.py (test_bucket_create_force_us_east_1, test_delete_versioned_bucket_returns_metadata,
test_delete_objects_percent_encoded, test_head_object_with_range_header),
test_s3_list_object_versions.py (test_list_object_versions_with_delimiter,
test_list_object_versions_with_paging_and_delimiter), test_s3_select.py (test_count_as,
test_count_list_as, test_extensive_json__select_list, test_extensive_json__select_all),
test_s3_tagging.py (test_put_object_tagging) and test_s3_logging.py
(test_put_logging_w_bucket_policy_no_prefix, test_put_logging_w_bucket_policy_w_prefix).
A sweep of every aws_verified test there found pocketcloud answering as AWS did; these tests keep
the answers no other test asserted. Only the observed behaviour is taken from moto; the checks are
our own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.s3.core_support import empty_and_delete, error_of, unique_bucket

# -- test_s3.py::test_bucket_create_force_us_east_1 -------------------------------------------------


def test_us_east_1_named_as_a_location_constraint_is_refused_in_s3s_words(s3: Any) -> None:
    code, status, message = error_of(
        s3.create_bucket, Bucket=unique_bucket(), CreateBucketConfiguration={"LocationConstraint": "us-east-1"}
    )
    assert (code, status, message) == ("InvalidLocationConstraint", 400, "The specified location-constraint is not valid")


# -- test_s3.py::test_delete_versioned_bucket_returns_metadata (the last delete) ---------------------


def test_deleting_a_delete_marker_already_gone_names_its_version_and_no_marker(s3: Any, versioned_bucket: str) -> None:
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=versioned_bucket, Key="k")["VersionId"]
    first = s3.delete_object(Bucket=versioned_bucket, Key="k", VersionId=marker)
    assert (first["DeleteMarker"], first["VersionId"]) == (True, marker)
    again = s3.delete_object(Bucket=versioned_bucket, Key="k", VersionId=marker)
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert again["VersionId"] == marker
    assert "DeleteMarker" not in again


# -- test_s3_list_object_versions.py: delimiters inside key names ------------------------------------


@pytest.fixture
def with_and_without(s3: Any, versioned_bucket: str) -> str:
    """key{1..4,10..13}-with-data and -without-data, three versions each (48 versions)."""
    for index in [1, 2, 3, 4, 10, 11, 12, 13]:
        for version in range(3):
            s3.put_object(Bucket=versioned_bucket, Key=f"key{index}-with-data", Body=f"data-{version}".encode())
            s3.put_object(Bucket=versioned_bucket, Key=f"key{index}-without-data", Body=b"")
    return versioned_bucket


def test_a_delimiter_found_inside_keys_folds_each_key_up_to_its_first_occurrence(s3: Any, with_and_without: str) -> None:
    page = s3.list_object_versions(Bucket=with_and_without, Delimiter="1-with-")
    assert page["CommonPrefixes"] == [{"Prefix": "key1-with-"}, {"Prefix": "key11-with-"}]
    assert len(page["Versions"]) == 42
    page = s3.list_object_versions(Bucket=with_and_without, Delimiter="key1")
    assert page["CommonPrefixes"] == [{"Prefix": "key1"}]
    assert {v["Key"] for v in page["Versions"]} == {f"key{i}-with{o}-data" for i in (2, 3, 4) for o in ("", "out")}
    page = s3.list_object_versions(Bucket=with_and_without, Prefix="key1-with-data", Delimiter="-")
    assert len(page["Versions"]) == 3
    assert "CommonPrefixes" not in page


def test_a_version_listing_page_ending_on_a_common_prefix_resumes_past_all_it_folds(
    s3: Any, with_and_without: str
) -> None:
    listing = {"Bucket": with_and_without, "Prefix": "key1", "Delimiter": "with-", "MaxKeys": 5}
    first = s3.list_object_versions(KeyMarker="key11", **listing)
    assert [v["Key"] for v in first["Versions"]] == ["key11-without-data"] * 3
    assert [p["Prefix"] for p in first["CommonPrefixes"]] == ["key11-with-", "key12-with-"]
    assert first["IsTruncated"] is True
    # The page ends on a prefix: it is the next key marker, and no version id marker is named.
    assert first["NextKeyMarker"] == "key12-with-"
    assert "NextVersionIdMarker" not in first
    second = s3.list_object_versions(KeyMarker=first["NextKeyMarker"], **listing)
    assert [v["Key"] for v in second["Versions"]] == ["key12-without-data"] * 3 + ["key13-without-data"]
    assert [p["Prefix"] for p in second["CommonPrefixes"]] == ["key13-with-"]
    assert second["NextKeyMarker"] == "key13-without-data"
    third = s3.list_object_versions(
        KeyMarker=second["NextKeyMarker"], VersionIdMarker=second["NextVersionIdMarker"], **listing
    )
    assert [v["Key"] for v in third["Versions"]] == ["key13-without-data"] * 2
    assert "CommonPrefixes" not in third
    assert third["IsTruncated"] is False
    assert "NextKeyMarker" not in third and "NextVersionIdMarker" not in third


# -- test_s3_select.py: aliases and JSON documents that are lists ------------------------------------


STAFF = [
    {
        "staff": [
            {"name": "Janelyn M", "city": "Chicago", "kids": [{"Name": "Josh"}, {"Name": "Jay"}]},
            {"name": "Stacy P", "city": "Seattle", "kids": {"Name": "Josh"}},
        ],
        "country": "USA",
    }
]


def records(s3: Any, bucket: str, key: str, sql: str) -> bytes:
    answer = s3.select_object_content(
        Bucket=bucket,
        Key=key,
        Expression=sql,
        ExpressionType="SQL",
        InputSerialization={"JSON": {"Type": "DOCUMENT"}},
        OutputSerialization={"JSON": {"RecordDelimiter": ","}},
    )
    return b"".join(event["Records"]["Payload"] for event in answer["Payload"] if "Records" in event)


def test_count_takes_its_alias_and_a_document_that_is_a_list_is_one_record(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="one.json", Body=json.dumps({"a1": "b1", "a3": None}))
    s3.put_object(Bucket=bucket, Key="list.json", Body=json.dumps([{"a1": "b1"}, {"a1": "b2"}]))
    assert records(s3, bucket, "one.json", "SELECT count(*) as cnt FROM S3Object") == b'{"cnt":1},'
    assert records(s3, bucket, "list.json", "SELECT count(*) as cnt FROM S3Object") == b'{"cnt":1},'


def test_a_list_document_is_selected_whole_as_column_1(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="staff.json", Body=json.dumps(STAFF))
    whole = records(s3, bucket, "staff.json", "select * from s3object s")
    assert whole.endswith(b",")
    assert json.loads(whole[:-1]) == {"_1": STAFF}
    # The document itself is the list: S3Object[*] is the list's value, not its items.
    assert records(s3, bucket, "staff.json", "select * from s3object[*].staff[*] s") == b"{},"


# -- test_s3_tagging.py::test_put_object_tagging ------------------------------------------------------


def test_more_than_ten_object_tags_is_bad_request(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    eleven = {"TagSet": [{"Key": f"tag{i}", "Value": "too_many"} for i in range(11)]}
    code, status, message = error_of(s3.put_object_tagging, Bucket=bucket, Key="k", Tagging=eleven)
    assert (code, status, message) == ("BadRequest", 400, "Object tags cannot be greater than 10")
    ten = {"TagSet": [{"Key": f"tag{i}", "Value": ""} for i in range(10)]}
    assert s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=ten)["ResponseMetadata"]["HTTPStatusCode"] == 200


# -- test_s3_logging.py: a target bucket that lets the logging service in by its policy -------------


@pytest.fixture
def log_bucket(s3: Any) -> Iterator[str]:
    name = unique_bucket("logs")
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete(s3, name)


@pytest.mark.parametrize("prefix", ["", "some-prefix"])
def test_logging_to_a_bucket_whose_policy_admits_the_logging_service(
    s3: Any, bucket: str, log_bucket: str, prefix: str
) -> None:
    # No log-delivery ACL grant: buckets owner-enforced by default grant by policy.
    statement = {
        "Sid": "S3ServerAccessLogsPolicy",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": ["s3:PutObject"],
        "Resource": f"arn:aws:s3:::{log_bucket}/{prefix}*",
    }
    s3.put_bucket_policy(Bucket=log_bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    s3.put_bucket_logging(
        Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": log_bucket, "TargetPrefix": prefix}}
    )
    enabled = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    assert (enabled["TargetBucket"], enabled["TargetPrefix"]) == (log_bucket, prefix)


# -- test_s3.py::test_delete_objects_percent_encoded -------------------------------------------------


def test_delete_objects_takes_percent_signs_in_keys_as_written(s3: Any, bucket: str) -> None:
    keys = ["a%2Fb", "a/%F0%9F%98%80"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"percent")
    assert sorted(o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]) == sorted(keys)
    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in keys]})
    assert sorted(answer["Deleted"], key=lambda d: d["Key"]) == [{"Key": key} for key in sorted(keys)]
    assert "Errors" not in answer
    assert "Contents" not in s3.list_objects(Bucket=bucket)


# -- test_s3.py::test_head_object_with_range_header ---------------------------------------------------


def test_head_with_a_range_answers_its_length_and_a_bare_416_when_unsatisfiable(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="f1", Body=b"f1")

    def headers(header: str) -> dict[str, str]:
        answer: dict[str, str] = s3.head_object(Bucket=bucket, Key="f1", Range=header)["ResponseMetadata"]["HTTPHeaders"]
        return answer

    for header in ("bytes=0-9", "bytes=0-"):
        assert (headers(header)["content-range"], headers(header)["content-length"]) == ("bytes 0-1/2", "2")
    for header in ("bytes=-1", "bytes=1-1"):
        assert (headers(header)["content-range"], headers(header)["content-length"]) == ("bytes 1-1/2", "1")
    # A last byte before the first is no range: the whole object, as if none were asked for.
    assert "content-range" not in headers("bytes=1-0")
    assert headers("bytes=1-0")["content-length"] == "2"
    for header in ("bytes=5-9", "bytes=100-"):
        with pytest.raises(ClientError) as info:
            s3.head_object(Bucket=bucket, Key="f1", Range=header)
        assert info.value.response["Error"]["Code"] == "416"
        assert "Range Not Satisfiable" in info.value.response["Error"]["Message"]

