"""STS answers shaped and worded as AWS's (as recorded against real AWS): AssumeRole's
response members, its refusals of malformed role ARNs, session tags and oversized
session policies. (STS's tests live beside IAM's: they share the roles and users.)
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.iam.support import Caller, allow, doc, error_of, trust, unique


@pytest.fixture
def caller(endpoint: str, iam: Any) -> Caller:
    """A user allowed to assume any role that trusts the account."""
    user = Caller(endpoint, iam)
    iam.put_user_policy(UserName=user.name, PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    return user


def _role(iam: Any) -> str:
    arn: str = iam.create_role(
        RoleName=unique("role"), AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root")
    )["Role"]["Arn"]
    return arn


def test_assume_role_without_policies_or_tags_has_no_packed_policy_size(iam: Any, caller: Caller) -> None:
    answer = caller.client("sts").assume_role(RoleArn=_role(iam), RoleSessionName="plain")
    assert "PackedPolicySize" not in answer


def test_assume_role_with_a_session_policy_reports_its_packed_size(iam: Any, caller: Caller) -> None:
    answer = caller.client("sts").assume_role(
        RoleArn=_role(iam), RoleSessionName="scoped", Policy=doc(allow("s3:GetObject"))
    )
    assert 0 < answer["PackedPolicySize"] <= 100


@pytest.mark.parametrize(
    "role_arn",
    [
        "nothing-valid-in-here",
        "arn::b:::something/test-role",
        "arn:a::::something/test-role",
        "arn:a:::something/test-role",
        "arn:a:a::aaaaaaaaaa:",
    ],
)
def test_a_role_arn_that_is_no_arn_is_a_validation_error(caller: Caller, role_arn: str) -> None:
    assert error_of(caller.client("sts").assume_role, RoleArn=role_arn, RoleSessionName="session") == (
        "ValidationError",
        400,
        f"{role_arn} is invalid",
    )


def test_session_tag_keys_differing_only_in_case_are_duplicates(iam: Any, caller: Caller) -> None:
    tags = [{"Key": "team", "Value": "a"}, {"Key": "Team", "Value": "b"}]
    assert error_of(
        caller.client("sts").assume_role, RoleArn=_role(iam), RoleSessionName="tagged", Tags=tags
    ) == (
        "InvalidParameterValue",
        400,
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    )


def test_transitive_tag_keys_must_be_among_the_session_tags(iam: Any, caller: Caller) -> None:
    call = caller.client("sts").assume_role
    assert error_of(
        call,
        RoleArn=_role(iam),
        RoleSessionName="tagged",
        Tags=[{"Key": "a", "Value": "1"}],
        TransitiveTagKeys=["b"],
    ) == (
        "InvalidParameterValue",
        400,
        "The specified transitive tag key must be included in the requested tags.",
    )


def test_a_session_policy_too_large_to_pack_is_packed_policy_too_large(iam: Any, caller: Caller) -> None:
    resources = [f"arn:aws:s3:::{unique('bucket')}-{i:04d}/*" for i in range(100)]
    policy = json.dumps({"Version": "2012-10-17", "Statement": [allow("s3:GetObject", resources)]})
    code, status, message = error_of(
        caller.client("sts").assume_role, RoleArn=_role(iam), RoleSessionName="big", Policy=policy
    )
    assert (code, status) == ("PackedPolicyTooLarge", 400)
    assert message.startswith("Packed policy consumes ") and message.endswith(
        "% of allotted space, please use smaller policy."
    )


def test_caller_identity_of_a_role_session_is_its_assumed_role_arn(
    endpoint: str, iam: Any, caller: Caller
) -> None:
    role_arn = _role(iam)
    role = iam.get_role(RoleName=role_arn.rsplit("/", 1)[-1])["Role"]
    credentials = caller.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="who-am-i")[
        "Credentials"
    ]
    session = make_client(
        endpoint,
        "sts",
        key=credentials["AccessKeyId"],
        secret=credentials["SecretAccessKey"],
        token=credentials["SessionToken"],
    )
    identity = session.get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/{role['RoleName']}/who-am-i"
    assert identity["UserId"] == f"{role['RoleId']}:who-am-i" and identity["Account"] == ROOT_ACCOUNT


def test_access_key_info_of_a_foreign_key_is_the_account_encoded_in_it(endpoint: str) -> None:
    sts = make_client(endpoint, "sts")
    assert sts.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")["Account"] == "581039954779"
