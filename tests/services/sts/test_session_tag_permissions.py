"""AssumeRole's session tags and source identity need permissions of their own ("Passing session
tags in AWS STS": the role's trust policy, and the caller's policies, must allow sts:TagSession;
sts:SetSourceIdentity likewise for a source identity). Without them AssumeRole is AccessDenied,
naming the missing action."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ROOT_ACCOUNT
from tests.services.iam.support import Caller, allow, doc, error_of, unique

TAGS = [{"Key": "team", "Value": "blue"}]


def _role(iam: Any, actions: list[str]) -> tuple[str, str]:
    name = unique("role")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT_ACCOUNT}, "Action": actions}]}
    return name, iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def _caller(endpoint: str, iam: Any, actions: list[str]) -> Caller:
    user = Caller(endpoint, iam)
    iam.put_user_policy(UserName=user.name, PolicyName="assume", PolicyDocument=doc(allow(actions)))
    return user


def test_tags_need_tag_session_in_the_trust_policy(endpoint: str, iam: Any) -> None:
    _, role = _role(iam, ["sts:AssumeRole"])
    sts = _caller(endpoint, iam, ["sts:AssumeRole", "sts:TagSession"]).client("sts")
    code, status, message = error_of(sts.assume_role, RoleArn=role, RoleSessionName="tagged", Tags=TAGS)
    assert (code, status) == ("AccessDenied", 403)
    assert "is not authorized to perform: sts:TagSession on resource: " + role in message
    # Without tags the same call is allowed.
    assert sts.assume_role(RoleArn=role, RoleSessionName="tagged")["AssumedRoleUser"]["Arn"].endswith("/tagged")


def test_tags_need_tag_session_in_the_callers_policy(endpoint: str, iam: Any) -> None:
    _, role = _role(iam, ["sts:AssumeRole", "sts:TagSession"])
    sts = _caller(endpoint, iam, ["sts:AssumeRole"]).client("sts")
    code, status, message = error_of(sts.assume_role, RoleArn=role, RoleSessionName="tagged", Tags=TAGS)
    assert (code, status) == ("AccessDenied", 403)
    assert "sts:TagSession" in message


def test_tags_are_passed_when_both_allow_tag_session(endpoint: str, iam: Any) -> None:
    _, role = _role(iam, ["sts:AssumeRole", "sts:TagSession"])
    sts = _caller(endpoint, iam, ["sts:AssumeRole", "sts:TagSession"]).client("sts")
    answer = sts.assume_role(RoleArn=role, RoleSessionName="tagged", Tags=TAGS)
    assert answer["PackedPolicySize"] >= 0


def test_a_source_identity_needs_set_source_identity(endpoint: str, iam: Any) -> None:
    _, role = _role(iam, ["sts:AssumeRole"])
    sts = _caller(endpoint, iam, ["sts:AssumeRole", "sts:SetSourceIdentity"]).client("sts")
    code, status, message = error_of(sts.assume_role, RoleArn=role, RoleSessionName="tagged", SourceIdentity="alice")
    assert (code, status) == ("AccessDenied", 403)
    assert "is not authorized to perform: sts:SetSourceIdentity on resource: " + role in message
    _, allowed = _role(iam, ["sts:AssumeRole", "sts:SetSourceIdentity"])
    assert sts.assume_role(RoleArn=allowed, RoleSessionName="tagged", SourceIdentity="alice")["SourceIdentity"] == "alice"
