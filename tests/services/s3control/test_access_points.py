"""S3 Control's access points through boto3: create, describe, list, delete, and their policies."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT
from tests.services.s3.access_support import iam_user, policy, s3control, statement
from tests.services.s3.core_support import error_of


@pytest.fixture(scope="module")
def control(endpoint: str) -> Any:
    return s3control(endpoint)


def ap_name() -> str:
    return f"ap-{uuid.uuid4().hex[:10]}"


def ap_arn(name: str) -> str:
    return f"arn:aws:s3:us-east-1:{ROOT_ACCOUNT}:accesspoint/{name}"


def test_create_answers_the_arn_and_an_alias(control: Any, bucket: str) -> None:
    name = ap_name()
    created = control.create_access_point(AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)
    assert created["AccessPointArn"] == ap_arn(name)
    assert re.fullmatch(rf"{name}-[a-z0-9]+-s3alias", created["Alias"])
    assert len(created["Alias"]) <= 63


def test_get_describes_the_access_point_with_its_defaults(control: Any, bucket: str) -> None:
    name = ap_name()
    alias = control.create_access_point(AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)["Alias"]
    found = control.get_access_point(AccountId=ROOT_ACCOUNT, Name=name)
    assert (found["Name"], found["Bucket"], found["Alias"]) == (name, bucket, alias)
    assert found["NetworkOrigin"] == "Internet"
    assert found["AccessPointArn"] == ap_arn(name)
    assert found["BucketAccountId"] == ROOT_ACCOUNT
    assert found["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    assert isinstance(found["CreationDate"], datetime)
    assert found["Endpoints"]["ipv4"] == "s3-accesspoint.us-east-1.amazonaws.com"


def test_vpc_configuration_makes_the_network_origin_vpc(control: Any, bucket: str) -> None:
    name = ap_name()
    control.create_access_point(
        AccountId=ROOT_ACCOUNT,
        Name=name,
        Bucket=bucket,
        VpcConfiguration={"VpcId": "vpc-1a2b3c4d"},
        PublicAccessBlockConfiguration={"BlockPublicAcls": False, "BlockPublicPolicy": True},
    )
    found = control.get_access_point(AccountId=ROOT_ACCOUNT, Name=name)
    assert found["NetworkOrigin"] == "VPC"
    assert found["VpcConfiguration"] == {"VpcId": "vpc-1a2b3c4d"}
    assert found["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": False,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False,
    }


def test_unknown_access_point_is_no_such_access_point(control: Any) -> None:
    assert error_of(control.get_access_point, AccountId=ROOT_ACCOUNT, Name="never-made") == (
        "NoSuchAccessPoint",
        404,
        "The specified accesspoint does not exist",
    )


def test_answers_name_their_request_as_s3s_do(control: Any, bucket: str) -> None:
    # x-amz-request-id (16 upper-case hex digits) and x-amz-id-2, errors included; not x-amzn-RequestId.
    name = ap_name()
    answers = [control.create_access_point(AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)["ResponseMetadata"]]
    with pytest.raises(ClientError) as failed:
        control.get_access_point(AccountId=ROOT_ACCOUNT, Name=ap_name())
    assert failed.value.response["Error"]["Code"] == "NoSuchAccessPoint"
    answers.append(failed.value.response["ResponseMetadata"])
    control.delete_access_point(AccountId=ROOT_ACCOUNT, Name=name)
    for metadata in answers:
        headers = metadata["HTTPHeaders"]
        assert re.fullmatch("[0-9A-F]{16}", headers["x-amz-request-id"]) and "x-amzn-requestid" not in headers
        assert metadata["RequestId"] == headers["x-amz-request-id"] and headers["x-amz-id-2"], metadata


def test_creating_a_name_twice_is_already_owned_by_you(control: Any, bucket: str) -> None:
    name = ap_name()
    control.create_access_point(AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)
    assert error_of(control.create_access_point, AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)[:2] == (
        "AccessPointAlreadyOwnedByYou",
        409,
    )


@pytest.mark.parametrize("name", ["a" * 51, "Upper-case", "under_score"])
def test_names_outside_the_character_rules_are_refused(control: Any, bucket: str, name: str) -> None:
    assert error_of(control.create_access_point, AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)[:2] == (
        "InvalidURI",
        400,
    )


@pytest.mark.parametrize("name", ["-starts-with-hyphen", "ends-with-hyphen-", "reserved-s3alias"])
def test_names_breaking_the_naming_rules_are_invalid(control: Any, bucket: str, name: str) -> None:
    assert error_of(control.create_access_point, AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket) == (
        "InvalidRequest",
        400,
        "Your Amazon S3 AccessPoint name is invalid",
    )


def test_bucket_must_exist(control: Any) -> None:
    assert error_of(
        control.create_access_point, AccountId=ROOT_ACCOUNT, Name=ap_name(), Bucket="no-such-bkt-9"
    ) == ("InvalidRequest", 400, "Amazon S3 AccessPoint can only be created for existing bucket")


def test_another_accounts_account_id_is_access_denied(control: Any, bucket: str) -> None:
    assert error_of(control.create_access_point, AccountId="111122223333", Name=ap_name(), Bucket=bucket)[
        :2
    ] == ("AccessDenied", 403)


def test_list_filters_by_bucket_and_pages(control: Any, s3: Any, bucket: str) -> None:
    other = f"apother-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=other)
    try:
        mine = sorted(ap_name() for _ in range(3))
        for name in mine:
            control.create_access_point(AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)
        control.create_access_point(AccountId=ROOT_ACCOUNT, Name=ap_name(), Bucket=other)
        first = control.list_access_points(AccountId=ROOT_ACCOUNT, Bucket=bucket, MaxResults=2)
        assert [ap["Name"] for ap in first["AccessPointList"]] == mine[:2]
        rest = control.list_access_points(AccountId=ROOT_ACCOUNT, Bucket=bucket, NextToken=first["NextToken"])
        assert [ap["Name"] for ap in rest["AccessPointList"]] == mine[2:]
        assert "NextToken" not in rest
        entry = rest["AccessPointList"][0]
        assert (entry["Bucket"], entry["NetworkOrigin"], entry["AccessPointArn"]) == (
            bucket,
            "Internet",
            ap_arn(mine[2]),
        )
    finally:
        for ap in control.list_access_points(AccountId=ROOT_ACCOUNT, Bucket=other)["AccessPointList"]:
            control.delete_access_point(AccountId=ROOT_ACCOUNT, Name=ap["Name"])
        s3.delete_bucket(Bucket=other)


def test_deleted_access_point_is_gone(control: Any, bucket: str) -> None:
    name = ap_name()
    control.create_access_point(AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)
    control.delete_access_point(AccountId=ROOT_ACCOUNT, Name=name)
    assert error_of(control.get_access_point, AccountId=ROOT_ACCOUNT, Name=name)[0] == "NoSuchAccessPoint"
    assert error_of(control.delete_access_point, AccountId=ROOT_ACCOUNT, Name=name)[:2] == (
        "NoSuchAccessPoint",
        404,
    )


def test_policy_round_trip_and_delete(control: Any, endpoint: str, bucket: str) -> None:
    name = ap_name()
    control.create_access_point(AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)
    user_arn, _ = iam_user(endpoint)
    text = policy(statement("Allow", {"AWS": user_arn}, "s3:GetObject", f"{ap_arn(name)}/object/*"))
    control.put_access_point_policy(AccountId=ROOT_ACCOUNT, Name=name, Policy=text)
    assert json.loads(
        control.get_access_point_policy(AccountId=ROOT_ACCOUNT, Name=name)["Policy"]
    ) == json.loads(text)
    assert control.get_access_point_policy_status(AccountId=ROOT_ACCOUNT, Name=name)["PolicyStatus"] == {
        "IsPublic": False
    }
    control.delete_access_point_policy(AccountId=ROOT_ACCOUNT, Name=name)
    assert error_of(control.get_access_point_policy, AccountId=ROOT_ACCOUNT, Name=name) == (
        "NoSuchAccessPointPolicy",
        404,
        "The specified accesspoint policy does not exist",
    )


def test_policy_naming_another_resource_is_malformed(control: Any, bucket: str) -> None:
    name = ap_name()
    control.create_access_point(AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)
    text = policy(statement("Allow", {"AWS": ROOT_ACCOUNT}, "s3:GetObject", f"arn:aws:s3:::{bucket}/*"))
    assert error_of(control.put_access_point_policy, AccountId=ROOT_ACCOUNT, Name=name, Policy=text) == (
        "MalformedPolicy",
        400,
        "Policy has invalid resource",
    )


def test_public_policy_is_blocked_by_block_public_policy(control: Any, bucket: str) -> None:
    name = ap_name()
    control.create_access_point(AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)
    text = policy(statement("Allow", "*", "s3:GetObject", f"{ap_arn(name)}/object/*"))
    code, status, message = error_of(
        control.put_access_point_policy, AccountId=ROOT_ACCOUNT, Name=name, Policy=text
    )
    assert (code, status) == ("AccessDenied", 403)
    assert "BlockPublicPolicy" in message


def test_public_policy_status_when_public_policies_are_allowed(control: Any, bucket: str) -> None:
    name = ap_name()
    control.create_access_point(
        AccountId=ROOT_ACCOUNT,
        Name=name,
        Bucket=bucket,
        PublicAccessBlockConfiguration={"BlockPublicPolicy": False, "RestrictPublicBuckets": False},
    )
    text = policy(statement("Allow", "*", "s3:GetObject", f"{ap_arn(name)}/object/*"))
    control.put_access_point_policy(AccountId=ROOT_ACCOUNT, Name=name, Policy=text)
    assert control.get_access_point_policy_status(AccountId=ROOT_ACCOUNT, Name=name)["PolicyStatus"] == {
        "IsPublic": True
    }
