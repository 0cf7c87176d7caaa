"""Administrators acting on one IAM entity at the same time, as parallel CI jobs do: one creator of a
name wins and the others get EntityAlreadyExists, quotas (2 access keys, 10 managed policies per
user) hold however many ask at once, and a user deleted while keys are being created is either
kept with its key or gone with none, its key refused."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.services.iam.support import unique
from tests.services.race_support import clients, code, race


def test_concurrent_create_user_of_one_name_has_one_winner(endpoint: str, iam: Any) -> None:
    racers = clients(endpoint, "iam")
    for _ in range(3):
        name = unique("race")
        results = race(
            racers,
            lambda i, c, name=name: c.create_user(UserName=name, Tags=[{"Key": "by", "Value": str(i)}]),
        )
        won = [i for i, r in enumerate(results) if code(r) is None]
        assert len(won) == 1
        for error in (r for r in results if code(r) is not None):
            assert code(error) == "EntityAlreadyExists"
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 409
            assert error.response["Error"]["Message"] == f"User with name {name} already exists."
        # The stored user is the winner's, whole.
        user = iam.get_user(UserName=name)["User"]
        assert user["UserId"] == results[won[0]]["User"]["UserId"]
        assert iam.list_user_tags(UserName=name)["Tags"] == [{"Key": "by", "Value": str(won[0])}]
        iam.delete_user(UserName=name)


def test_concurrent_create_access_key_never_passes_two_keys(endpoint: str, iam: Any) -> None:
    racers = clients(endpoint, "iam")
    name = unique("race")
    iam.create_user(UserName=name)
    results = race(racers, lambda i, c: c.create_access_key(UserName=name))
    made = [r["AccessKey"]["AccessKeyId"] for r in results if code(r) is None]
    assert len(made) == 2
    for error in (r for r in results if code(r) is not None):
        assert code(error) == "LimitExceeded"
        assert error.response["Error"]["Message"] == "Cannot exceed quota for AccessKeysPerUser: 2"
    listed = [k["AccessKeyId"] for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]]
    assert sorted(listed) == sorted(made)
    for key_id in made:
        iam.delete_access_key(UserName=name, AccessKeyId=key_id)
    iam.delete_user(UserName=name)


def test_concurrent_attach_user_policy_never_passes_ten(endpoint: str, iam: Any) -> None:
    racers = clients(endpoint, "iam", 16)
    name = unique("race")
    iam.create_user(UserName=name)
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
        }
    )
    arns = [
        iam.create_policy(PolicyName=unique("p"), PolicyDocument=document)["Policy"]["Arn"] for _ in racers
    ]
    results = race(racers, lambda i, c: c.attach_user_policy(UserName=name, PolicyArn=arns[i]))
    attached = {arns[i] for i, r in enumerate(results) if code(r) is None}
    assert len(attached) == 10
    for error in (r for r in results if code(r) is not None):
        assert code(error) == "LimitExceeded"
        assert error.response["Error"]["Message"] == "Cannot exceed quota for PoliciesPerUser: 10"
    listed = {p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]}
    assert listed == attached
    # Each policy counts exactly the attachments that succeeded.
    for arn in arns:
        assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == (1 if arn in attached else 0)
    for arn in attached:
        iam.detach_user_policy(UserName=name, PolicyArn=arn)
    for arn in arns:
        iam.delete_policy(PolicyArn=arn)
    iam.delete_user(UserName=name)


def test_delete_user_racing_create_access_key_leaves_no_orphan_key(endpoint: str, iam: Any) -> None:
    racers = clients(endpoint, "iam", 8)
    for _ in range(3):
        name = unique("race")
        iam.create_user(UserName=name)

        def act(i: int, c: Any, name: str = name) -> Any:
            if i < 2:
                return c.delete_user(UserName=name)
            return c.create_access_key(UserName=name)

        results = race(racers, act)
        keys = [r["AccessKey"] for r in results[2:] if code(r) is None]
        assert {code(r) for r in results[2:]} <= {None, "NoSuchEntity", "LimitExceeded"}
        assert {code(r) for r in results[:2]} <= {None, "NoSuchEntity", "DeleteConflict"}
        deleted = any(code(r) is None for r in results[:2])
        if deleted:
            # A key made first would have stopped the delete (DeleteConflict): the user went with
            # none, and the name, created again, holds none.
            assert keys == []
            iam.create_user(UserName=name)
            assert iam.list_access_keys(UserName=name)["AccessKeyMetadata"] == []
        else:
            assert len(keys) == 2
            listed = {k["AccessKeyId"] for k in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]}
            assert listed == {k["AccessKeyId"] for k in keys}
            for key in keys:
                iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName=name)
        for key in keys:  # a key of a deleted user signs nothing
            sts = make_client(endpoint, "sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
            try:
                sts.get_caller_identity()
            except ClientError as exc:
                assert code(exc) == "InvalidClientTokenId"
            else:
                raise AssertionError("a deleted user's key still signs")


def test_concurrent_create_login_profile_has_one_winner(endpoint: str, iam: Any) -> None:
    racers = clients(endpoint, "iam", 8)
    name = unique("race")
    iam.create_user(UserName=name)
    results = race(
        racers, lambda i, c: c.create_login_profile(UserName=name, Password=f"Pw-{i}-long-enough!")
    )
    assert sum(code(r) is None for r in results) == 1
    for error in (r for r in results if code(r) is not None):
        assert code(error) == "EntityAlreadyExists"
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 409
        assert error.response["Error"]["Message"] == f"Login Profile for user {name} already exists."
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["UserName"] == name
    iam.delete_login_profile(UserName=name)
    iam.delete_user(UserName=name)
