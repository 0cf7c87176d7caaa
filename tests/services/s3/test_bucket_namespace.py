"""General purpose buckets in the account regional namespace (x-amz-bucket-namespace), and the ARN
S3 names for every general purpose bucket (x-amz-bucket-arn, ListBuckets' BucketArn)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.s3.access_support import iam_user
from tests.services.s3.core_support import OTHER_KEY, OTHER_SECRET, error_of, unique_bucket

REGIONAL = "account-regional"


def regional_name(region: str = "us-east-1", account: str = ROOT_ACCOUNT) -> str:
    return f"ns-{uuid.uuid4().hex[:10]}-{account}-{region}-an"


@pytest.fixture
def regional_bucket(s3: Any) -> Iterator[str]:
    name = regional_name()
    s3.create_bucket(Bucket=name, BucketNamespace=REGIONAL)
    yield name
    s3.delete_bucket(Bucket=name)


# -- creating a bucket in the account regional namespace ------------------------------------------


def test_account_regional_bucket_is_created_with_its_arn(s3: Any) -> None:
    name = regional_name()
    try:
        created = s3.create_bucket(Bucket=name, BucketNamespace=REGIONAL)
        assert created["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert created["Location"] == f"/{name}"
        assert created["BucketArn"] == f"arn:aws:s3:::{name}"
    finally:
        s3.delete_bucket(Bucket=name)


def test_account_regional_bucket_outside_us_east_1_names_that_region(endpoint: str) -> None:
    client = make_client(endpoint, "s3", region="us-west-2")
    name = regional_name("us-west-2")
    try:
        created = client.create_bucket(
            Bucket=name,
            BucketNamespace=REGIONAL,
            CreateBucketConfiguration={"LocationConstraint": "us-west-2"},
        )
        assert created["BucketArn"] == f"arn:aws:s3:::{name}"
        assert created["Location"] == f"http://{name}.s3.localhost:{endpoint.rsplit(':', 1)[1]}/"
        assert client.head_bucket(Bucket=name)["BucketRegion"] == "us-west-2"
    finally:
        client.delete_bucket(Bucket=name)


def test_suffix_names_the_buckets_region_not_the_endpoints(s3: Any) -> None:
    name = regional_name("eu-west-1")
    try:
        s3.create_bucket(
            Bucket=name,
            BucketNamespace=REGIONAL,
            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        )
        assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    finally:
        s3.delete_bucket(Bucket=name)


def test_name_without_the_suffix_is_invalid_namespace_header(s3: Any) -> None:
    code, status, message = error_of(s3.create_bucket, Bucket=unique_bucket("ns"), BucketNamespace=REGIONAL)
    assert (code, status) == ("InvalidNamespaceHeader", 400)
    assert f"Specify -{ROOT_ACCOUNT}-us-east-1-an as the bucket name suffix" in message


def test_suffix_of_another_region_is_refused(s3: Any) -> None:
    name = regional_name("us-west-2")
    code, status, message = error_of(s3.create_bucket, Bucket=name, BucketNamespace=REGIONAL)
    assert (code, status) == ("InvalidBucketNamespace", 400)
    assert "requested region 'us-west-2' does not match the current region 'us-east-1'" in message
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_suffixed_name_over_63_characters_is_an_invalid_bucket_name(s3: Any) -> None:
    name = f"{'n' * 40}-{ROOT_ACCOUNT}-us-east-1-an"
    assert len(name) > 63
    code, status, _ = error_of(s3.create_bucket, Bucket=name, BucketNamespace=REGIONAL)
    assert (code, status) == ("InvalidBucketName", 400)


def test_unknown_namespace_value_is_invalid_argument(s3: Any) -> None:
    code, status, message = error_of(s3.create_bucket, Bucket=regional_name(), BucketNamespace="regional")
    assert (code, status) == ("InvalidArgument", 400)
    assert message == "Invalid x-amz-bucket-namespace header: regional"


def test_owner_can_create_the_name_again_after_deleting_it(s3: Any) -> None:
    name = regional_name()
    s3.create_bucket(Bucket=name, BucketNamespace=REGIONAL)
    s3.delete_bucket(Bucket=name)
    try:
        assert s3.create_bucket(Bucket=name, BucketNamespace=REGIONAL)["BucketArn"] == f"arn:aws:s3:::{name}"
    finally:
        s3.delete_bucket(Bucket=name)


# -- the namespace's names are reserved ----------------------------------------------------------


def test_suffixed_name_without_the_header_is_missing_namespace_header(s3: Any) -> None:
    with pytest.raises(ClientError) as info:
        s3.create_bucket(Bucket=regional_name())
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert info.value.response["Error"] == {
        "Code": "MissingNamespaceHeader",
        "Message": "The requested bucket is an account-regional namespace bucket, but your request is missing "
        "the required x-amz-bucket-namespace header.",
        "Header": "x-amz-bucket-namespace",
    }


def test_suffixed_name_in_the_global_namespace_is_invalid_namespace_header(s3: Any) -> None:
    code, status, _ = error_of(s3.create_bucket, Bucket=regional_name(), BucketNamespace="global")
    assert (code, status) == ("InvalidNamespaceHeader", 400)


def test_another_account_cannot_create_a_name_in_my_namespace(two_accounts: ServerProcess) -> None:
    other = make_client(two_accounts.endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    mine = make_client(two_accounts.endpoint, "s3")
    name = regional_name()
    code, status, message = error_of(other.create_bucket, Bucket=name, BucketNamespace=REGIONAL)
    assert (code, status) == ("InvalidBucketNamespace", 400)
    assert f"'{ROOT_ACCOUNT}' does not match the caller's AWS Account ID" in message
    try:
        assert (
            mine.create_bucket(Bucket=name, BucketNamespace=REGIONAL)["BucketArn"] == f"arn:aws:s3:::{name}"
        )
    finally:
        mine.delete_bucket(Bucket=name)


# -- BucketArn of general purpose buckets ---------------------------------------------------------


def test_head_bucket_names_the_bucket_arn(s3: Any, regional_bucket: str, bucket: str) -> None:
    assert s3.head_bucket(Bucket=regional_bucket)["BucketArn"] == f"arn:aws:s3:::{regional_bucket}"
    head = s3.head_bucket(Bucket=bucket)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-arn"] == f"arn:aws:s3:::{bucket}"


def test_global_bucket_create_answers_its_arn(s3: Any) -> None:
    name = unique_bucket("ns")
    try:
        assert s3.create_bucket(Bucket=name)["BucketArn"] == f"arn:aws:s3:::{name}"
    finally:
        s3.delete_bucket(Bucket=name)


def test_list_buckets_names_each_buckets_arn(s3: Any, regional_bucket: str) -> None:
    listed = s3.list_buckets(Prefix=regional_bucket)["Buckets"]
    assert [(b["Name"], b["BucketRegion"], b["BucketArn"]) for b in listed] == [
        (regional_bucket, "us-east-1", f"arn:aws:s3:::{regional_bucket}")
    ]


# -- s3:x-amz-bucket-namespace in policies ----------------------------------------------------------


def _require_regional_namespace() -> dict[str, Any]:
    """The statement the User Guide suggests: deny CreateBucket outside the account regional namespace."""
    return {
        "Effect": "Deny",
        "Action": "s3:CreateBucket",
        "Resource": "*",
        "Condition": {"StringNotEquals": {"s3:x-amz-bucket-namespace": REGIONAL}},
    }


def test_identity_policy_can_require_the_account_regional_namespace(endpoint: str, s3: Any) -> None:
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:CreateBucket", "Resource": "*"},
                _require_regional_namespace(),
            ],
        }
    )
    _, user = iam_user(endpoint, document)
    code, status, _ = error_of(user.create_bucket, Bucket=unique_bucket("ns"))
    assert (code, status) == ("AccessDenied", 403)
    name = regional_name()
    try:
        assert (
            user.create_bucket(Bucket=name, BucketNamespace=REGIONAL)["BucketArn"] == f"arn:aws:s3:::{name}"
        )
    finally:
        s3.delete_bucket(Bucket=name)


MEMBER, MEMBER_KEY, MEMBER_SECRET = "111111111111", "AKIANSMEMBER00000001", "member-secret"


@pytest.fixture(scope="module")
def org_member() -> Iterator[Any]:
    """An S3 client of a member account whose organization's root carries the namespace SCP."""
    proc = ServerProcess(env={"POCKETCLOUD_ACCOUNTS": f"{MEMBER}:{MEMBER_KEY}:{MEMBER_SECRET}"}).start()
    try:
        org = proc.client("organizations")
        org.create_organization(FeatureSet="ALL")
        root_id = org.list_roots()["Roots"][0]["Id"]
        org.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
        content = json.dumps({"Version": "2012-10-17", "Statement": [_require_regional_namespace()]})
        policy_id = org.create_policy(
            Content=content, Description="", Name="regional-buckets", Type="SERVICE_CONTROL_POLICY"
        )["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=policy_id, TargetId=root_id)
        yield make_client(proc.endpoint, "s3", key=MEMBER_KEY, secret=MEMBER_SECRET)
    finally:
        proc.stop()


def test_scp_can_require_the_account_regional_namespace(org_member: Any) -> None:
    code, status, _ = error_of(org_member.create_bucket, Bucket=unique_bucket("ns"))
    assert (code, status) == ("AccessDenied", 403)
    name = regional_name(account=MEMBER)
    assert (
        org_member.create_bucket(Bucket=name, BucketNamespace=REGIONAL)["BucketArn"] == f"arn:aws:s3:::{name}"
    )
    org_member.delete_bucket(Bucket=name)
