"""CreateBucket with Tags needs s3:TagResource on the new bucket as well as s3:CreateBucket
(CreateBucket API reference); policies see the tags as aws:RequestTag/<key> and aws:TagKeys."""

from __future__ import annotations

import json
from typing import Any

from tests.services.s3.access_support import iam_user
from tests.services.s3.core_support import empty_and_delete, error_of, unique_bucket

TAGS = {"Tags": [{"Key": "team", "Value": "a"}]}


def _user(endpoint: str, *statements: dict[str, Any]) -> tuple[str, Any]:
    allow_create = {"Effect": "Allow", "Action": "s3:CreateBucket", "Resource": "*"}
    document = {"Version": "2012-10-17", "Statement": [allow_create, *statements]}
    return iam_user(endpoint, json.dumps(document))


def _tag_resource(**condition: Any) -> dict[str, Any]:
    found = {"Effect": "Allow", "Action": "s3:TagResource", "Resource": "arn:aws:s3:::*"}
    return {**found, "Condition": condition} if condition else found


def test_create_bucket_with_tags_needs_tag_resource(endpoint: str, s3: Any) -> None:
    arn, client = _user(endpoint)
    name = unique_bucket("notag")
    code, status, message = error_of(client.create_bucket, Bucket=name, CreateBucketConfiguration=TAGS)
    assert (code, status) == ("AccessDenied", 403)
    assert f"User: {arn} is not authorized to perform: s3:TagResource on resource: " in message
    assert f"arn:aws:s3:::{name}" in message
    assert error_of(s3.head_bucket, Bucket=name)[1] == 404  # nothing was created


def test_create_bucket_without_tags_needs_only_create_bucket(endpoint: str, s3: Any) -> None:
    _, client = _user(endpoint)
    name = unique_bucket("untagged")
    client.create_bucket(Bucket=name)
    try:
        assert s3.head_bucket(Bucket=name)["BucketRegion"] == "us-east-1"
        assert error_of(s3.get_bucket_tagging, Bucket=name)[:2] == ("NoSuchTagSet", 404)
    finally:
        empty_and_delete(s3, name)


def test_create_bucket_with_tag_resource_keeps_the_tags(endpoint: str, s3: Any) -> None:
    _, client = _user(endpoint, _tag_resource())
    name = unique_bucket("tagok")
    client.create_bucket(Bucket=name, CreateBucketConfiguration=TAGS)
    try:
        assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == TAGS["Tags"]
    finally:
        empty_and_delete(s3, name)


def test_request_tag_condition_decides_the_tag_value(endpoint: str, s3: Any) -> None:
    _, client = _user(endpoint, _tag_resource(StringEquals={"aws:RequestTag/team": "a"}))
    refused = unique_bucket("teamb")
    other = {"Tags": [{"Key": "team", "Value": "b"}]}
    assert error_of(client.create_bucket, Bucket=refused, CreateBucketConfiguration=other)[:2] == (
        "AccessDenied",
        403,
    )
    assert error_of(s3.head_bucket, Bucket=refused)[1] == 404
    allowed = unique_bucket("teama")
    client.create_bucket(Bucket=allowed, CreateBucketConfiguration=TAGS)
    empty_and_delete(s3, allowed)


def test_tag_keys_condition_limits_the_keys(endpoint: str, s3: Any) -> None:
    condition = {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}
    _, client = _user(endpoint, _tag_resource(**condition))
    refused = unique_bucket("extrakey")
    extra = {"Tags": [{"Key": "team", "Value": "a"}, {"Key": "owner", "Value": "x"}]}
    assert error_of(client.create_bucket, Bucket=refused, CreateBucketConfiguration=extra)[:2] == (
        "AccessDenied",
        403,
    )
    allowed = unique_bucket("teamkey")
    client.create_bucket(Bucket=allowed, CreateBucketConfiguration=TAGS)
    empty_and_delete(s3, allowed)


def test_create_bucket_policy_sees_the_request_tags(endpoint: str, s3: Any) -> None:
    deny = {
        "Effect": "Deny",
        "Action": "s3:CreateBucket",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestTag/team": "b"}},
    }
    _, client = _user(endpoint, _tag_resource(), deny)
    refused = unique_bucket("denyb")
    other = {"Tags": [{"Key": "team", "Value": "b"}]}
    code, status, message = error_of(client.create_bucket, Bucket=refused, CreateBucketConfiguration=other)
    assert (code, status) == ("AccessDenied", 403)
    assert "s3:CreateBucket" in message
    allowed = unique_bucket("allowa")
    client.create_bucket(Bucket=allowed, CreateBucketConfiguration=TAGS)
    empty_and_delete(s3, allowed)
