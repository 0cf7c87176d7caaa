"""S3 Control's resource tagging through boto3: a bucket's tags (the same ones S3's bucket
tagging shows) and an access point's, named by ARN."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT
from tests.services.s3.access_support import s3control
from tests.services.s3.core_support import error_of


@pytest.fixture(scope="module")
def control(endpoint: str) -> Any:
    return s3control(endpoint)


def tags_of(control: Any, arn: str) -> list[dict[str, str]]:
    return sorted(
        control.list_tags_for_resource(AccountId=ROOT_ACCOUNT, ResourceArn=arn)["Tags"],
        key=lambda tag: tag["Key"],
    )


def test_bucket_tags_are_s3s_bucket_tags(control: Any, s3: Any, bucket: str) -> None:
    arn = f"arn:aws:s3:::{bucket}"
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "environment", "Value": "test"}]})
    assert tags_of(control, arn) == [{"Key": "environment", "Value": "test"}]
    added = control.tag_resource(
        AccountId=ROOT_ACCOUNT, ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    )
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert tags_of(control, arn) == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "2"},
        {"Key": "environment", "Value": "test"},
    ]
    removed = control.untag_resource(AccountId=ROOT_ACCOUNT, ResourceArn=arn, TagKeys=["a", "environment"])
    assert removed["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "b", "Value": "2"}]


def test_a_bucket_without_tags_lists_none(control: Any, bucket: str) -> None:
    assert tags_of(control, f"arn:aws:s3:::{bucket}") == []


def test_access_point_created_with_tags_lists_them(control: Any, bucket: str) -> None:
    name = f"ap-{uuid.uuid4().hex[:10]}"
    arn = control.create_access_point(
        AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket, Tags=[{"Key": "env", "Value": "prod"}]
    )["AccessPointArn"]
    try:
        assert tags_of(control, arn) == [{"Key": "env", "Value": "prod"}]
        control.tag_resource(AccountId=ROOT_ACCOUNT, ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
        assert tags_of(control, arn) == [{"Key": "env", "Value": "dev"}]
        control.untag_resource(AccountId=ROOT_ACCOUNT, ResourceArn=arn, TagKeys=["env"])
        assert tags_of(control, arn) == []
    finally:
        control.delete_access_point(AccountId=ROOT_ACCOUNT, Name=name)


def test_tags_of_a_missing_bucket_are_no_such_bucket(control: Any) -> None:
    code, status, _ = error_of(
        control.list_tags_for_resource,
        AccountId=ROOT_ACCOUNT,
        ResourceArn=f"arn:aws:s3:::missing-{uuid.uuid4().hex[:10]}",
    )
    assert (code, status) == ("NoSuchBucket", 404)
