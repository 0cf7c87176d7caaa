"""Session tags through role chaining, and GetFederationToken's packed size, as real AWS answers
(recorded in LocalStack's AWS-validated STS tests): a role session made by a role session inherits
the caller's transitive tags, and may not set a tag with the key of one of them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT
from tests.services.iam.support import Caller, allow, doc, error_of, session_client, unique

CONFLICT = (
    "InvalidParameterValue",
    400,
    "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key "
    "from the calling session.",
)


def _role(iam: Any) -> str:
    """A role the account may assume with session tags, allowed to chain and to list roles only
    while its session carries the tag Project=blue."""
    name = unique("role")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": ROOT_ACCOUNT},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        ],
    }
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    blue = {"StringEquals": {"aws:PrincipalTag/Project": "blue"}}
    iam.put_role_policy(
        RoleName=name,
        PolicyName="chain",
        PolicyDocument=doc(
            allow(["sts:AssumeRole", "sts:TagSession"]), allow("iam:ListRoles", Condition=blue)
        ),
    )
    return arn


@pytest.fixture
def caller(endpoint: str, iam: Any) -> Caller:
    user = Caller(endpoint, iam)
    iam.put_user_policy(
        UserName=user.name,
        PolicyName="assume",
        PolicyDocument=doc(allow(["sts:AssumeRole", "sts:TagSession", "sts:GetFederationToken"])),
    )
    return user


def _first_session(endpoint: str, caller: Caller, role: str, transitive: bool) -> Any:
    extra = {"TransitiveTagKeys": ["Project"]} if transitive else {}
    credentials = caller.client("sts").assume_role(
        RoleArn=role, RoleSessionName="first", Tags=[{"Key": "Project", "Value": "blue"}], **extra
    )["Credentials"]
    return session_client(endpoint, "sts", credentials)


def test_a_chained_session_inherits_the_callers_transitive_tags(
    endpoint: str, iam: Any, caller: Caller
) -> None:
    first = _first_session(endpoint, caller, _role(iam), transitive=True)
    credentials = first.assume_role(RoleArn=_role(iam), RoleSessionName="second")["Credentials"]
    assert session_client(endpoint, "iam", credentials).list_roles()["Roles"]


def test_a_chained_session_does_not_inherit_tags_that_are_not_transitive(
    endpoint: str, iam: Any, caller: Caller
) -> None:
    first = _first_session(endpoint, caller, _role(iam), transitive=False)
    credentials = first.assume_role(RoleArn=_role(iam), RoleSessionName="second")["Credentials"]
    assert error_of(session_client(endpoint, "iam", credentials).list_roles)[0] == "AccessDenied"


@pytest.mark.parametrize("key", ["Project", "project"])
def test_a_chained_session_may_not_set_an_inherited_transitive_tag_key(
    endpoint: str, iam: Any, caller: Caller, key: str
) -> None:
    first = _first_session(endpoint, caller, _role(iam), transitive=True)
    assert (
        error_of(
            first.assume_role,
            RoleArn=_role(iam),
            RoleSessionName="second",
            Tags=[{"Key": key, "Value": "red"}],
            TransitiveTagKeys=[key],
        )
        == CONFLICT
    )


def test_a_federation_token_without_policies_has_a_packed_size_of_zero(iam: Any, caller: Caller) -> None:
    answer = caller.client("sts").get_federation_token(Name=unique("fed")[:32], DurationSeconds=900)
    assert answer["PackedPolicySize"] == 0
