"""Buckets: naming rules, location constraints, ownership conflicts, emptiness,
listing with prefix and paging, and both addressing styles."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, make_client
from tests.services.s3.core_support import (
    OTHER_KEY,
    OTHER_SECRET,
    empty_and_delete,
    error_of,
    server_port,
    unique_bucket,
    virtual_client,
)


@pytest.mark.parametrize("name", [
    "ab",                          # shorter than 3
    "a" * 64,                      # longer than 63
    "UpperCase-bucket",            # capitals
    "under_score-bucket",          # underscore
    "-starts-with-hyphen",
    "ends-with-hyphen-",
    ".starts-with-dot",
    "ends-with-dot.",
    "two..dots",
    "dot.-hyphen",
    "hyphen-.dot",
    "192.168.5.4",                 # formatted as an IP address
    "xn--reserved-prefix",
    "sthree-reserved-prefix",
    "reserved-suffix-s3alias",
    "reserved-suffix--ol-s3",
])
def test_create_bucket_rejects_invalid_names(s3: Any, name: str) -> None:
    code, status, _ = error_of(s3.create_bucket, Bucket=name)
    assert (code, status) == ("InvalidBucketName", 400)


@pytest.mark.parametrize("shape", ["three", "sixty-three", "dots", "digit-first"])
def test_create_bucket_accepts_valid_names_at_the_edges(s3: Any, shape: str) -> None:
    tag = uuid.uuid4().hex
    name = {"three": tag[:3], "sixty-three": ("b" * 63 + tag)[-63:], "dots": f"my.dotted.{tag[:12]}",
            "digit-first": f"1-{tag[:12]}"}[shape]
    s3.create_bucket(Bucket=name)
    try:
        s3.head_bucket(Bucket=name)
    finally:
        s3.delete_bucket(Bucket=name)


def test_head_bucket_is_labelled_xml(s3: Any, bucket: str) -> None:
    headers = s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == "application/xml"


def test_bucket_in_us_east_1_has_a_null_location_constraint(s3: Any, bucket: str) -> None:
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] is None
    head = s3.head_bucket(Bucket=bucket)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"


def test_us_east_1_refuses_us_east_1_as_an_explicit_location_constraint(s3: Any) -> None:
    code, status, _ = error_of(
        s3.create_bucket, Bucket=unique_bucket(), CreateBucketConfiguration={"LocationConstraint": "us-east-1"}
    )
    assert (code, status) == ("InvalidLocationConstraint", 400)


def test_unknown_region_is_an_invalid_location_constraint(s3: Any) -> None:
    code, status, _ = error_of(
        s3.create_bucket, Bucket=unique_bucket(), CreateBucketConfiguration={"LocationConstraint": "moon-central-1"}
    )
    assert (code, status) == ("InvalidLocationConstraint", 400)


def test_regional_endpoint_requires_a_matching_location_constraint(endpoint: str) -> None:
    eu = make_client(endpoint, "s3", region="eu-west-1")
    code, status, message = error_of(eu.create_bucket, Bucket=unique_bucket())
    assert (code, status) == ("IllegalLocationConstraintException", 400)
    assert "unspecified location constraint is incompatible" in message
    code, status, message = error_of(
        eu.create_bucket, Bucket=unique_bucket(), CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    assert (code, status) == ("IllegalLocationConstraintException", 400)
    assert "us-west-2 location constraint is incompatible" in message


def test_regional_endpoint_refuses_us_east_1_as_an_incompatible_constraint(endpoint: str) -> None:
    west = make_client(endpoint, "s3", region="us-west-2")
    code, status, message = error_of(
        west.create_bucket, Bucket=unique_bucket(), CreateBucketConfiguration={"LocationConstraint": "us-east-1"}
    )
    assert (code, status) == ("IllegalLocationConstraintException", 400)
    assert message == (
        "The us-east-1 location constraint is incompatible for the region specific endpoint this request was sent to."
    )


def test_bucket_created_in_eu_west_1_reports_its_region(endpoint: str) -> None:
    eu = make_client(endpoint, "s3", region="eu-west-1")
    name = unique_bucket()
    eu.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    try:
        assert eu.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
        head = eu.head_bucket(Bucket=name)
        assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "eu-west-1"
        listed = [b for b in eu.list_buckets(Prefix=name)["Buckets"] if b["Name"] == name]
        assert listed[0]["BucketRegion"] == "eu-west-1"
    finally:
        eu.delete_bucket(Bucket=name)


def test_recreating_own_bucket_outside_us_east_1_is_bucket_already_owned_by_you(endpoint: str) -> None:
    eu = make_client(endpoint, "s3", region="eu-west-1")
    name = unique_bucket()
    config = {"LocationConstraint": "eu-west-1"}
    eu.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    try:
        code, status, _ = error_of(eu.create_bucket, Bucket=name, CreateBucketConfiguration=config)
        assert (code, status) == ("BucketAlreadyOwnedByYou", 409)
    finally:
        eu.delete_bucket(Bucket=name)


def test_recreating_own_bucket_in_us_east_1_succeeds_for_legacy_compatibility(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="kept", Body=b"still here")
    s3.create_bucket(Bucket=bucket)
    assert s3.get_object(Bucket=bucket, Key="kept")["Body"].read() == b"still here"


def test_recreating_own_us_east_1_bucket_for_another_region_is_bucket_already_owned_by_you(
    s3: Any, bucket: str
) -> None:
    # The legacy 200 is for the same request again; one naming another Region asks for another bucket.
    code, status, _ = error_of(
        s3.create_bucket, Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    assert (code, status) == ("BucketAlreadyOwnedByYou", 409)
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] is None


def test_bucket_names_are_global_across_accounts(two_accounts: ServerProcess) -> None:
    mine = make_client(two_accounts.endpoint, "s3")
    theirs = make_client(two_accounts.endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    name = unique_bucket()
    mine.create_bucket(Bucket=name)
    code, status, _ = error_of(theirs.create_bucket, Bucket=name)
    assert (code, status) == ("BucketAlreadyExists", 409)
    eu_theirs = make_client(two_accounts.endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET, region="eu-west-1")
    code, status, _ = error_of(
        eu_theirs.create_bucket, Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    assert (code, status) == ("BucketAlreadyExists", 409)
    # Each account lists only its own buckets.
    assert name in [b["Name"] for b in mine.list_buckets()["Buckets"]]
    assert name not in [b["Name"] for b in theirs.list_buckets()["Buckets"]]


def test_delete_bucket_with_an_object_is_bucket_not_empty(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="x", Body=b"1")
    code, status, _ = error_of(s3.delete_bucket, Bucket=bucket)
    assert (code, status) == ("BucketNotEmpty", 409)
    s3.delete_object(Bucket=bucket, Key="x")
    s3.delete_bucket(Bucket=bucket)
    code, status, _ = error_of(s3.head_bucket, Bucket=bucket)
    assert status == 404


def test_delete_bucket_holding_only_a_delete_marker_is_bucket_not_empty(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="x", Body=b"1")
    s3.delete_object(Bucket=bucket, Key="x")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    code, status, _ = error_of(s3.delete_bucket, Bucket=bucket)
    assert (code, status) == ("BucketNotEmpty", 409)


def test_delete_bucket_discards_its_unfinished_multipart_uploads(s3: Any) -> None:
    name = unique_bucket()
    s3.create_bucket(Bucket=name)
    s3.create_multipart_upload(Bucket=name, Key="pending")
    s3.delete_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)
    try:
        assert s3.list_multipart_uploads(Bucket=name).get("Uploads", []) == []
    finally:
        s3.delete_bucket(Bucket=name)


def test_missing_bucket_answers_no_such_bucket(s3: Any) -> None:
    name = unique_bucket("missing")
    code, status, _ = error_of(s3.delete_bucket, Bucket=name)
    assert (code, status) == ("NoSuchBucket", 404)
    code, status, _ = error_of(s3.list_objects_v2, Bucket=name)
    assert (code, status) == ("NoSuchBucket", 404)
    code, status, _ = error_of(s3.head_bucket, Bucket=name)
    assert (code, status) == ("404", 404)  # HEAD errors have no body
    code, status, _ = error_of(s3.get_bucket_location, Bucket=name)
    assert (code, status) == ("NoSuchBucket", 404)


@pytest.mark.parametrize("limit", [0, -3, 10001])
def test_list_buckets_max_buckets_outside_1_to_10000_is_invalid_argument(endpoint: str, limit: int) -> None:
    # MaxBuckets' range in the model (min 1, max 10000), as S3 checks it (versity/versitygw's
    # ListBuckets_invalid_max_buckets); botocore would refuse 0 and -3 before sending them.
    s3 = make_client(endpoint, "s3", parameter_validation=False)
    with pytest.raises(ClientError) as info:
        s3.list_buckets(MaxBuckets=limit)
    error = info.value.response["Error"]
    assert (error["Code"], error["ArgumentName"], error["ArgumentValue"]) == (
        "InvalidArgument", "max-buckets", str(limit))
    assert error["Message"] == "Argument max-buckets must be an integer between 1 and 10000"
    assert s3.list_buckets(MaxBuckets=10000)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_list_buckets_filters_by_prefix_and_pages_with_a_continuation_token(s3: Any) -> None:
    prefix = f"lb-{uuid.uuid4().hex[:10]}-"
    names = [f"{prefix}{i}" for i in range(5)]
    for name in names:
        s3.create_bucket(Bucket=name)
    try:
        first = s3.list_buckets(Prefix=prefix, MaxBuckets=2)
        assert [b["Name"] for b in first["Buckets"]] == names[:2]
        assert first["Prefix"] == prefix
        assert first["Owner"]["ID"]
        seen = [b["Name"] for b in first["Buckets"]]
        token = first["ContinuationToken"]
        while token:
            page = s3.list_buckets(Prefix=prefix, MaxBuckets=2, ContinuationToken=token)
            seen += [b["Name"] for b in page["Buckets"]]
            token = page.get("ContinuationToken")
        assert seen == names
        everything = s3.list_buckets(Prefix=prefix)
        assert [b["Name"] for b in everything["Buckets"]] == names
        assert "ContinuationToken" not in everything
        assert all(b["CreationDate"] for b in everything["Buckets"])
    finally:
        for name in names:
            s3.delete_bucket(Bucket=name)


def test_list_buckets_filters_by_region(endpoint: str, s3: Any, bucket: str) -> None:
    eu = make_client(endpoint, "s3", region="eu-west-1")
    name = unique_bucket()
    eu.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    try:
        in_eu = [b["Name"] for b in s3.list_buckets(BucketRegion="eu-west-1")["Buckets"]]
        assert name in in_eu and bucket not in in_eu
    finally:
        eu.delete_bucket(Bucket=name)


def test_list_buckets_by_a_region_that_does_not_exist_is_invalid_argument(s3: Any) -> None:
    assert error_of(s3.list_buckets, BucketRegion="eu-east-1") == (
        "InvalidArgument",
        400,
        "Argument value eu-east-1 is not a valid AWS Region",
    )


def test_list_buckets_paginator_walks_every_page(s3: Any) -> None:
    prefix = f"lbp-{uuid.uuid4().hex[:10]}-"
    names = [f"{prefix}{i}" for i in range(3)]
    for name in names:
        s3.create_bucket(Bucket=name)
    try:
        pages = s3.get_paginator("list_buckets").paginate(Prefix=prefix, PaginationConfig={"PageSize": 1})
        assert [b["Name"] for page in pages for b in page["Buckets"]] == names
    finally:
        for name in names:
            s3.delete_bucket(Bucket=name)


def test_virtual_hosted_addressing_reaches_the_bucket_in_the_host(endpoint: str, s3: Any) -> None:
    client = virtual_client(server_port(endpoint))
    name = unique_bucket("vhost")
    client.create_bucket(Bucket=name)
    try:
        sent: list[str] = []
        client.meta.events.register("before-send.s3", lambda request, **_: sent.append(request.url))
        client.put_object(Bucket=name, Key="dir/file name.txt", Body=b"virtual")
        assert sent[-1].startswith(f"http://{name}.s3.localhost:")  # the bucket really travels in the Host
        assert client.get_object(Bucket=name, Key="dir/file name.txt")["Body"].read() == b"virtual"
        listed = client.list_objects_v2(Bucket=name, Prefix="dir/")
        assert [o["Key"] for o in listed["Contents"]] == ["dir/file name.txt"]
        assert client.get_bucket_location(Bucket=name)["LocationConstraint"] is None
        # Path-style clients see the same bucket.
        assert s3.get_object(Bucket=name, Key="dir/file name.txt")["Body"].read() == b"virtual"
        assert name in [b["Name"] for b in client.list_buckets()["Buckets"]]
        client.delete_object(Bucket=name, Key="dir/file name.txt")
    finally:
        empty_and_delete(s3, name)


def test_virtual_hosted_addressing_against_localhost_puts_the_bucket_before_it(endpoint: str, s3: Any) -> None:
    # An SDK told addressing_style="virtual" with the endpoint http://localhost:4566 sends the Host
    # `<bucket>.localhost:4566` (and systemd's resolver and curl take *.localhost to the loopback).
    client = virtual_client(server_port(endpoint), host="localhost")
    name = unique_bucket("vlocal.dotted")
    client.create_bucket(Bucket=name)
    try:
        sent: list[str] = []
        client.meta.events.register("before-send.s3", lambda request, **_: sent.append(request.url))
        client.put_object(Bucket=name, Key="k", Body=b"at localhost")
        assert sent[-1].startswith(f"http://{name}.localhost:")
        assert [o["Key"] for o in client.list_objects_v2(Bucket=name)["Contents"]] == ["k"]
        assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"at localhost"
        assert client.get_object(Bucket=name, Key="k")["Body"].read() == b"at localhost"
        code, status, _ = error_of(client.get_object, Bucket=unique_bucket("vlocal-missing"), Key="k")
        assert (code, status) == ("NoSuchBucket", 404)
    finally:
        empty_and_delete(s3, name)


def test_an_anonymous_request_to_a_bucket_at_localhost_is_s3s_while_service_hosts_stay_services(
    endpoint: str, bucket: str
) -> None:
    port = server_port(endpoint)

    def anonymous_get(host: str) -> tuple[int, bytes]:
        request = urllib.request.Request(f"{endpoint}/k", headers={"Host": f"{host}:{port}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    status, body = anonymous_get(f"{bucket}.localhost")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body and b"<Error>" in body  # S3's answer
    status, body = anonymous_get("sts.localhost")  # a service's own host: no bucket named sts
    assert b"<ErrorResponse" in body and b"MissingAuthenticationToken" in body


def test_virtual_hosted_missing_bucket_is_no_such_bucket(endpoint: str) -> None:
    client = virtual_client(server_port(endpoint))
    code, status, _ = error_of(client.get_object, Bucket=unique_bucket("missing"), Key="k")
    assert (code, status) == ("NoSuchBucket", 404)


def test_list_buckets_owner_is_the_callers_canonical_user(s3: Any, bucket: str) -> None:
    listing = s3.list_buckets()
    assert len(listing["Owner"]["ID"]) == 64
    assert bucket in [b["Name"] for b in listing["Buckets"]]


def test_tags_given_to_create_bucket_are_the_buckets_tags(s3: Any) -> None:
    name = unique_bucket("tagged")
    tags = [{"Key": "cost-centre", "Value": "42"}, {"Key": "team", "Value": "a"}]
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"Tags": tags})
    try:
        assert sorted(s3.get_bucket_tagging(Bucket=name)["TagSet"], key=lambda tag: tag["Key"]) == tags
    finally:
        empty_and_delete(s3, name)


def test_create_bucket_with_an_invalid_tag_creates_nothing(s3: Any) -> None:
    name = unique_bucket("badtag")
    bad = {"Tags": [{"Key": "aws:reserved", "Value": "x"}]}
    assert error_of(s3.create_bucket, Bucket=name, CreateBucketConfiguration=bad)[:2] == ("InvalidTag", 400)
    assert error_of(s3.head_bucket, Bucket=name)[1] == 404
