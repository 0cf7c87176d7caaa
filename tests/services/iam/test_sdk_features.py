"""The AWS SDK teams' own IAM integration scenarios (cucumber "features" run against real AWS), ported
to boto3 where they state something about IAM that the other tests here do not.

Sources: aws/aws-sdk-js and aws/aws-sdk-js-v3 `features/iam/iam.feature`, aws/aws-sdk-ruby
`features/iam/*.feature` (v1), `aws-sdk-core/features/iam/client.feature` (v2) and
`gems/aws-sdk-iam/features/smoke.feature` (v3), aws/aws-sdk-php `features/smoke/iam/iam.feature`.
Each test names its scenario.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.services.iam.support import error_of, unique


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("/foo", [1, 2]), ("/foo/ba", [1, 2]), ("/foo/bar", [1]), ("/something", [3])],
)
def test_list_groups_by_path_prefix_matches_the_path_text(iam: Any, prefix: str, expected: list[int]) -> None:
    # aws-sdk-ruby features/iam/groups.feature "List IAM groups with a path prefix": groups on
    # /foo/bar/, /foo/baz/ and /something/else/; the prefix is matched as text, not by whole segments.
    stem = unique("pg")
    names = {}
    for number, path in ((1, "/foo/bar/"), (2, "/foo/baz/"), (3, "/something/else/")):
        names[number] = f"{stem}-{number}"
        iam.create_group(GroupName=names[number], Path=path)
    listed = [g["GroupName"] for g in iam.list_groups(PathPrefix=prefix)["Groups"] if g["GroupName"].startswith(stem)]
    assert sorted(listed) == [names[n] for n in expected]


def test_deleting_an_inline_policy_that_was_never_put_is_no_such_entity(iam: Any) -> None:
    # aws-sdk-ruby features/iam/user_policies.feature and groups.feature "Remove an IAM user/group
    # policy (idempotent)": the v1 SDK's collection made the delete idempotent on its side; the API
    # itself answers NoSuchEntity (DeleteUserPolicy, DeleteGroupPolicy: "Errors").
    user, group = unique("nopol"), unique("nopol")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    assert error_of(iam.delete_user_policy, UserName=user, PolicyName="ReadOnly") == (
        "NoSuchEntity", 404, "The user policy with name ReadOnly cannot be found.")
    assert error_of(iam.delete_group_policy, GroupName=group, PolicyName="ReadOnly") == (
        "NoSuchEntity", 404, "The group policy with name ReadOnly cannot be found.")
    document = json.dumps({"Version": "2012-10-17",
                           "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
    iam.put_group_policy(GroupName=group, PolicyName="ReadOnly", PolicyDocument=document)
    iam.delete_group_policy(GroupName=group, PolicyName="ReadOnly")
    assert iam.list_group_policies(GroupName=group)["PolicyNames"] == []
