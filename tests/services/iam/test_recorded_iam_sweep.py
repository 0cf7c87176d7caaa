"""IAM answers as AWS recorded them in LocalStack's AWS-validated snapshots, pinned where no other test
module states them: test_iam_instance_profiles.snapshot.json (add-second-role-error, 2026-02),
test_iam_policies.snapshot.json (test_create_policy_invalid_document[invalid-13, 14, 59], 2026-02)
and test_iam_users.snapshot.json (delete-access-key-without-username-error, 2026-02, recorded with
credentials that were not an IAM user's).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT
from tests.services.iam.support import ALLOW_ALL, Caller, error_of, session_client, unique

BUCKET = "arn:aws:s3:::example_bucket"
EC2_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def test_an_instance_profile_holds_one_role(iam: Any) -> None:
    profile = unique("profile")
    iam.create_instance_profile(InstanceProfileName=profile)
    first, second = unique("role"), unique("role")
    for role in (first, second):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=EC2_TRUST)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=first)
    assert error_of(iam.add_role_to_instance_profile, InstanceProfileName=profile, RoleName=second) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
    )


@pytest.mark.parametrize(
    ("statements", "message"),
    [
        (
            {"Effect": "Allow", "Action": "a a:ListBucket", "Resource": BUCKET},
            "Vendor a a is not valid",
        ),
        (
            {"Effect": "Allow", "Action": "s3:List:Bucket", "Resource": BUCKET},
            "Actions/Condition can contain only one colon.",
        ),
        (
            [
                {"Sid": "sdf", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET},
                {"Sid": "sdf", "Effect": "Allow"},
            ],
            "Statement IDs (SID) in a single policy must be unique.",
        ),
    ],
)
def test_a_malformed_policy_is_refused_with_awss_wording(iam: Any, statements: Any, message: str) -> None:
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    assert error_of(iam.create_policy, PolicyName=unique("policy"), PolicyDocument=document) == (
        "MalformedPolicyDocument",
        400,
        message,
    )


def test_a_role_session_must_name_the_user_whose_access_key_it_deletes(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
    role = unique("role")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROOT_ACCOUNT}, "Action": "sts:AssumeRole"}],
    }
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=role, PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
    credentials = caller.client("sts").assume_role(RoleArn=arn, RoleSessionName="sweep")["Credentials"]
    role_iam = session_client(endpoint, "iam", credentials)
    assert error_of(role_iam.delete_access_key, AccessKeyId=caller.key_id) == (
        "ValidationError",
        400,
        "Must specify userName when calling with non-User credentials",
    )
    assert [key["AccessKeyId"] for key in iam.list_access_keys(UserName=caller.name)["AccessKeyMetadata"]] == [
        caller.key_id
    ]
