"""ABAC of general purpose buckets through boto3: PutBucketAbac/GetBucketAbac, bucket tagging while
ABAC is on (S3 Control's TagResource/UntagResource, PutBucketTagging refused) and IAM policies
conditioned on the bucket's tags (aws:ResourceTag/<key>, s3:BucketTag/<key>)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.s3.access_support import iam_user, policy, s3control
from tests.services.s3.core_support import error_of


@pytest.fixture(scope="module")
def control(endpoint: str) -> Any:
    return s3control(endpoint)


def set_abac(s3: Any, bucket: str, status: str) -> None:
    s3.put_bucket_abac(Bucket=bucket, AbacStatus={"Status": status})


def tag_bucket(control: Any, bucket: str, **tags: str) -> None:
    control.tag_resource(
        AccountId=ROOT_ACCOUNT,
        ResourceArn=f"arn:aws:s3:::{bucket}",
        Tags=[{"Key": key, "Value": value} for key, value in tags.items()],
    )


def reader_where(endpoint: str, condition_key: str, value: str) -> Any:
    """An IAM user's S3 client, allowed s3:GetObject only where `condition_key` equals `value`."""
    document = policy(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"StringEquals": {condition_key: value}},
        }
    )
    return iam_user(endpoint, document)[1]


# -- PutBucketAbac / GetBucketAbac --------------------------------------------------------------


def test_abac_is_disabled_on_a_new_bucket(s3: Any, bucket: str) -> None:
    assert s3.get_bucket_abac(Bucket=bucket)["AbacStatus"] == {"Status": "Disabled"}


def test_put_bucket_abac_round_trips(s3: Any, bucket: str) -> None:
    set_abac(s3, bucket, "Enabled")
    assert s3.get_bucket_abac(Bucket=bucket)["AbacStatus"] == {"Status": "Enabled"}
    set_abac(s3, bucket, "Disabled")
    assert s3.get_bucket_abac(Bucket=bucket)["AbacStatus"] == {"Status": "Disabled"}


def test_an_unknown_status_is_malformed_xml(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(s3.put_bucket_abac, Bucket=bucket, AbacStatus={"Status": "On"})
    assert (code, status) == ("MalformedXML", 400)
    assert s3.get_bucket_abac(Bucket=bucket)["AbacStatus"] == {"Status": "Disabled"}


def test_abac_of_a_missing_bucket_is_no_such_bucket(s3: Any) -> None:
    assert error_of(s3.get_bucket_abac, Bucket="abac-no-such-bucket-4f1e")[:2] == ("NoSuchBucket", 404)
    code, status, _ = error_of(
        s3.put_bucket_abac, Bucket="abac-no-such-bucket-4f1e", AbacStatus={"Status": "Enabled"}
    )
    assert (code, status) == ("NoSuchBucket", 404)


# -- tagging while ABAC is on -------------------------------------------------------------------


def test_put_and_delete_bucket_tagging_are_refused_while_abac_is_on(s3: Any, bucket: str) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})
    set_abac(s3, bucket, "Enabled")
    tagging = {"TagSet": [{"Key": "team", "Value": "b"}]}
    assert error_of(s3.put_bucket_tagging, Bucket=bucket, Tagging=tagging)[:2] == ("AccessDenied", 403)
    assert error_of(s3.delete_bucket_tagging, Bucket=bucket)[:2] == ("AccessDenied", 403)
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "a"}]


def test_bucket_tagging_works_again_once_abac_is_off(s3: Any, bucket: str) -> None:
    set_abac(s3, bucket, "Enabled")
    set_abac(s3, bucket, "Disabled")
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "a"}]


def test_s3_control_tags_a_bucket_while_abac_is_on(s3: Any, control: Any, bucket: str) -> None:
    set_abac(s3, bucket, "Enabled")
    tag_bucket(control, bucket, team="a", env="dev")
    assert sorted(s3.get_bucket_tagging(Bucket=bucket)["TagSet"], key=lambda tag: tag["Key"]) == [
        {"Key": "env", "Value": "dev"},
        {"Key": "team", "Value": "a"},
    ]
    control.untag_resource(AccountId=ROOT_ACCOUNT, ResourceArn=f"arn:aws:s3:::{bucket}", TagKeys=["env"])
    listed = control.list_tags_for_resource(AccountId=ROOT_ACCOUNT, ResourceArn=f"arn:aws:s3:::{bucket}")
    assert listed["Tags"] == [{"Key": "team", "Value": "a"}]


def test_s3_control_checks_bucket_tags_as_s3_does(s3: Any, control: Any, bucket: str) -> None:
    set_abac(s3, bucket, "Enabled")
    code, status, _ = error_of(
        control.tag_resource,
        AccountId=ROOT_ACCOUNT,
        ResourceArn=f"arn:aws:s3:::{bucket}",
        Tags=[{"Key": "aws:reserved", "Value": "x"}],
    )
    assert (code, status) == ("InvalidTag", 400)
    assert error_of(s3.get_bucket_tagging, Bucket=bucket)[:2] == ("NoSuchTagSet", 404)


# -- policies conditioned on the bucket's tags -------------------------------------------------


def test_resource_tag_condition_sees_the_bucket_tags_while_abac_is_on(
    endpoint: str, s3: Any, control: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    tag_bucket(control, bucket, team="a")
    set_abac(s3, bucket, "Enabled")
    reader = reader_where(endpoint, "aws:ResourceTag/team", "a")
    assert reader.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"


def test_resource_tag_condition_does_not_match_while_abac_is_off(
    endpoint: str, s3: Any, control: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    tag_bucket(control, bucket, team="a")
    reader = reader_where(endpoint, "aws:ResourceTag/team", "a")
    assert error_of(reader.get_object, Bucket=bucket, Key="k")[:2] == ("AccessDenied", 403)
    set_abac(s3, bucket, "Enabled")
    assert reader.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"
    set_abac(s3, bucket, "Disabled")
    assert error_of(reader.get_object, Bucket=bucket, Key="k")[:2] == ("AccessDenied", 403)


def test_resource_tag_condition_does_not_match_another_tag_value(
    endpoint: str, s3: Any, control: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    tag_bucket(control, bucket, team="b")
    set_abac(s3, bucket, "Enabled")
    reader = reader_where(endpoint, "aws:ResourceTag/team", "a")
    assert error_of(reader.get_object, Bucket=bucket, Key="k")[:2] == ("AccessDenied", 403)
    tag_bucket(control, bucket, team="a")  # retagging takes effect on the next request
    assert reader.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"


def test_bucket_tag_condition_sees_the_bucket_tags_while_abac_is_on(
    endpoint: str, s3: Any, control: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    tag_bucket(control, bucket, Environment="Production")
    reader = reader_where(endpoint, "s3:BucketTag/Environment", "Production")
    assert error_of(reader.get_object, Bucket=bucket, Key="k")[:2] == ("AccessDenied", 403)
    set_abac(s3, bucket, "Enabled")
    assert reader.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"


# -- S3 Control's tagging calls, conditioned on the bucket's tags and the request's keys ------


def control_user(endpoint: str, document: str) -> Any:
    """An S3 Control client signing as a new IAM user whose only policy is `document`."""
    iam = make_client(endpoint, "iam")
    name = f"abac-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="control", PolicyDocument=document)
    access = iam.create_access_key(UserName=name)["AccessKey"]
    return s3control(endpoint, key=access["AccessKeyId"], secret=access["SecretAccessKey"])


def test_tag_resource_sees_the_bucket_tags_while_abac_is_on(
    endpoint: str, s3: Any, control: Any, bucket: str
) -> None:
    tag_bucket(control, bucket, team="a")
    condition = {"StringEquals": {"aws:ResourceTag/team": "a"}}
    tagger = control_user(
        endpoint,
        policy({"Effect": "Allow", "Action": "s3:TagResource", "Resource": "*", "Condition": condition}),
    )
    new_tag = {
        "AccountId": ROOT_ACCOUNT,
        "ResourceArn": f"arn:aws:s3:::{bucket}",
        "Tags": [{"Key": "x", "Value": "1"}],
    }
    assert error_of(tagger.tag_resource, **new_tag)[:2] == ("AccessDenied", 403)
    set_abac(s3, bucket, "Enabled")
    tagger.tag_resource(**new_tag)
    assert {"Key": "x", "Value": "1"} in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]


def test_untag_resource_gives_its_keys_as_aws_tag_keys(
    endpoint: str, s3: Any, control: Any, bucket: str
) -> None:
    tag_bucket(control, bucket, team="a", env="dev")
    condition = {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}
    untagger = control_user(
        endpoint,
        policy({"Effect": "Allow", "Action": "s3:UntagResource", "Resource": "*", "Condition": condition}),
    )
    arn = f"arn:aws:s3:::{bucket}"
    denied = error_of(untagger.untag_resource, AccountId=ROOT_ACCOUNT, ResourceArn=arn, TagKeys=["team"])
    assert denied[:2] == ("AccessDenied", 403)
    untagger.untag_resource(AccountId=ROOT_ACCOUNT, ResourceArn=arn, TagKeys=["env"])
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "a"}]


def test_access_point_tags_are_resource_tags_without_enabling_anything(
    endpoint: str, control: Any, bucket: str
) -> None:
    name = f"ap-{uuid.uuid4().hex[:10]}"
    arn = control.create_access_point(
        AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket, Tags=[{"Key": "env", "Value": "prod"}]
    )["AccessPointArn"]
    try:
        condition = {"StringEquals": {"aws:ResourceTag/env": "prod"}}
        lister = control_user(
            endpoint,
            policy(
                {
                    "Effect": "Allow",
                    "Action": "s3:ListTagsForResource",
                    "Resource": "*",
                    "Condition": condition,
                }
            ),
        )
        listed = lister.list_tags_for_resource(AccountId=ROOT_ACCOUNT, ResourceArn=arn)
        assert listed["Tags"] == [{"Key": "env", "Value": "prod"}]
        control.tag_resource(AccountId=ROOT_ACCOUNT, ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
        denied = error_of(lister.list_tags_for_resource, AccountId=ROOT_ACCOUNT, ResourceArn=arn)
        assert denied[:2] == ("AccessDenied", 403)
    finally:
        control.delete_access_point(AccountId=ROOT_ACCOUNT, Name=name)


def test_tagging_calls_are_authorized_on_the_arn_they_name(
    endpoint: str, control: Any, bucket: str, s3: Any
) -> None:
    lister = control_user(
        endpoint,
        policy({"Effect": "Allow", "Action": "s3:ListTagsForResource", "Resource": f"arn:aws:s3:::{bucket}"}),
    )
    tag_bucket(control, bucket, team="a")
    listed = lister.list_tags_for_resource(AccountId=ROOT_ACCOUNT, ResourceArn=f"arn:aws:s3:::{bucket}")
    assert listed["Tags"] == [{"Key": "team", "Value": "a"}]
    other = f"{bucket}-other"
    s3.create_bucket(Bucket=other)
    try:
        denied = error_of(
            lister.list_tags_for_resource, AccountId=ROOT_ACCOUNT, ResourceArn=f"arn:aws:s3:::{other}"
        )
        assert denied[:2] == ("AccessDenied", 403)
    finally:
        s3.delete_bucket(Bucket=other)
