"""STS through boto3: who am I, role sessions (trust policies, session policies, ExternalId,
durations), GetSessionToken, and the credentials each of them hands out.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.iam.support import (
    AWS_POLICY,
    Caller,
    allow,
    doc,
    error_of,
    session_client,
    trust,
    unique,
)

ROLES = f"arn:aws:iam::{ROOT_ACCOUNT}:role/"




def _role(iam: Any, trust_policy: str, *, policy: str | None = None, **kwargs: Any) -> str:
    name = unique("role")
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy, **kwargs)["Role"]["Arn"]
    if policy is not None:
        iam.put_role_policy(RoleName=name, PolicyName="permissions", PolicyDocument=policy)
    return arn


# -- who am I ------------------------------------------------------------------------------------


def test_caller_identity_of_root(endpoint: str) -> None:
    identity = make_client(endpoint, "sts").get_caller_identity()
    assert (identity["UserId"], identity["Account"], identity["Arn"]) == (
        ROOT_ACCOUNT, ROOT_ACCOUNT, f"arn:aws:iam::{ROOT_ACCOUNT}:root",
    )


def test_caller_identity_of_a_user_needs_no_permission(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    user_id = iam.get_user(UserName=caller.name)["User"]["UserId"]
    identity = caller.client("sts").get_caller_identity()
    assert (identity["UserId"], identity["Account"], identity["Arn"]) == (user_id, ROOT_ACCOUNT, caller.arn)


def test_get_access_key_info_returns_the_keys_account(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    assert make_client(endpoint, "sts").get_access_key_info(AccessKeyId=caller.key_id)["Account"] == ROOT_ACCOUNT


# -- AssumeRole ----------------------------------------------------------------------------------


def test_assume_role_is_refused_when_the_trust_policy_does_not_name_the_caller(endpoint: str, iam: Any) -> None:
    caller, stranger = Caller(endpoint, iam), Caller(endpoint, iam)
    role = _role(iam, trust(stranger.arn))
    iam.attach_user_policy(UserName=caller.name, PolicyArn=AWS_POLICY + "AdministratorAccess")
    assert error_of(caller.client("sts").assume_role, RoleArn=role, RoleSessionName="s1") == (
        "AccessDenied", 403, f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {role}",
    )


def test_assume_role_of_a_missing_role_is_access_denied(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    missing = ROLES + unique("missing")
    assert error_of(caller.client("sts").assume_role, RoleArn=missing, RoleSessionName="s1") == (
        "AccessDenied", 403, f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {missing}",
    )


def test_role_session_has_the_roles_permissions_and_nothing_more(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    role = _role(iam, trust(caller.arn), policy=doc(allow("iam:ListRoles")))
    role_name = role.rsplit("/", 1)[1]
    answer = caller.client("sts").assume_role(RoleArn=role, RoleSessionName="work")
    session_arn = f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/{role_name}/work"
    role_id = iam.get_role(RoleName=role_name)["Role"]["RoleId"]
    assert answer["AssumedRoleUser"] == {"AssumedRoleId": f"{role_id}:work", "Arn": session_arn}
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")

    identity = session_client(endpoint, "sts", credentials).get_caller_identity()
    assert (identity["Arn"], identity["UserId"]) == (session_arn, f"{role_id}:work")
    session_iam = session_client(endpoint, "iam", credentials)
    session_iam.list_roles()
    assert error_of(session_iam.list_users) == (
        "AccessDenied", 403,
        f"User: {session_arn} is not authorized to perform: iam:ListUsers on resource: "
        f"arn:aws:iam::{ROOT_ACCOUNT}:user/ because no identity-based policy allows the iam:ListUsers action",
    )


def test_session_policy_further_restricts_a_session(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    role = _role(iam, trust(caller.arn), policy=doc(allow("iam:List*")))
    credentials = caller.client("sts").assume_role(
        RoleArn=role, RoleSessionName="narrow", Policy=doc(allow("iam:ListRoles"))
    )["Credentials"]
    session_iam = session_client(endpoint, "iam", credentials)
    session_iam.list_roles()
    assert error_of(session_iam.list_users)[2].endswith("because no session policy allows the iam:ListUsers action")
    # A session policy cannot grant what the role lacks.
    wide = caller.client("sts").assume_role(RoleArn=role, RoleSessionName="wide", Policy=doc(allow("iam:*")))
    assert error_of(session_client(endpoint, "iam", wide["Credentials"]).create_group, GroupName=unique("g"))[2].endswith(
        "because no identity-based policy allows the iam:CreateGroup action"
    )


def test_external_id_condition_in_a_trust_policy(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    secret = unique("ext")
    role = _role(iam, trust(caller.arn, Condition={"StringEquals": {"sts:ExternalId": secret}}))
    sts = caller.client("sts")
    assert error_of(sts.assume_role, RoleArn=role, RoleSessionName="no-id")[:2] == ("AccessDenied", 403)
    assert error_of(sts.assume_role, RoleArn=role, RoleSessionName="bad-id", ExternalId="wrong-id")[:2] == (
        "AccessDenied", 403,
    )
    assert sts.assume_role(RoleArn=role, RoleSessionName="good", ExternalId=secret)["Credentials"]["AccessKeyId"]


def test_trust_policy_naming_the_account_also_needs_an_identity_policy(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    role = _role(iam, trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root"))
    sts = caller.client("sts")
    assert error_of(sts.assume_role, RoleArn=role, RoleSessionName="s0")[:2] == ("AccessDenied", 403)
    iam.put_user_policy(UserName=caller.name, PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole", role)))
    assert sts.assume_role(RoleArn=role, RoleSessionName="s0")["AssumedRoleUser"]["Arn"].endswith("/s0")


def test_duration_above_the_roles_max_session_duration_is_a_validation_error(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    role = _role(iam, trust(caller.arn), MaxSessionDuration=3600)
    assert error_of(caller.client("sts").assume_role, RoleArn=role, RoleSessionName="long", DurationSeconds=3601) == (
        "ValidationError", 400,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    before = datetime.now(UTC)
    credentials = caller.client("sts").assume_role(RoleArn=role, RoleSessionName="ok", DurationSeconds=900)["Credentials"]
    assert timedelta(seconds=890) <= credentials["Expiration"] - before <= timedelta(seconds=910)


@pytest.mark.parametrize("trusts_root", [True, False])
def test_root_cannot_assume_a_role(endpoint: str, iam: Any, trusts_root: bool) -> None:
    role = _role(iam, trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root" if trusts_root else Caller(endpoint, iam).arn))
    assert error_of(make_client(endpoint, "sts").assume_role, RoleArn=role, RoleSessionName="root") == (
        "AccessDenied", 403, "Roles may not be assumed by root accounts.",
    )


def test_a_role_session_may_chain_into_another_role(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    first = _role(iam, trust(caller.arn))
    first_session = f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/{first.rsplit('/', 1)[1]}/hop"
    second = _role(iam, trust(first_session), policy=doc(allow("iam:ListUsers")))
    hop = caller.client("sts").assume_role(RoleArn=first, RoleSessionName="hop")["Credentials"]
    chained = session_client(endpoint, "sts", hop).assume_role(RoleArn=second, RoleSessionName="chained")
    session_client(endpoint, "iam", chained["Credentials"]).list_users()


def test_role_chaining_is_limited_to_one_hour(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    first = _role(iam, trust(caller.arn))
    second = _role(iam, trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root"), MaxSessionDuration=43200)
    iam.put_role_policy(RoleName=first.rsplit("/", 1)[1], PolicyName="hop", PolicyDocument=doc(allow("sts:AssumeRole", second)))
    hop = session_client(endpoint, "sts", caller.client("sts").assume_role(RoleArn=first, RoleSessionName="hop")["Credentials"])
    assert error_of(hop.assume_role, RoleArn=second, RoleSessionName="long", DurationSeconds=3601) == (
        "ValidationError", 400,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    )
    assert hop.assume_role(RoleArn=second, RoleSessionName="hour", DurationSeconds=3600)["Credentials"]
    # A user's long-term key may ask for what the role allows.
    iam.put_user_policy(UserName=caller.name, PolicyName="direct", PolicyDocument=doc(allow("sts:AssumeRole", second)))
    assert caller.client("sts").assume_role(RoleArn=second, RoleSessionName="long", DurationSeconds=43200)["Credentials"]


# -- GetSessionToken -------------------------------------------------------------------------------


def test_get_session_token_gives_a_user_temporary_credentials_for_the_same_user(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)  # no policy at all: GetSessionToken needs none
    credentials = caller.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert session_client(endpoint, "sts", credentials).get_caller_identity()["Arn"] == caller.arn


def test_session_token_credentials_keep_the_users_permissions(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    role = _role(iam, trust(caller.arn))
    credentials = caller.client("sts").get_session_token()["Credentials"]
    sts = session_client(endpoint, "sts", credentials)
    # Denied as the user is denied: no identity policy allows sts:AssumeRole on a role trusting only the account.
    account_role = _role(iam, trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root"))
    assert error_of(sts.assume_role, RoleArn=account_role, RoleSessionName="s0")[2] == (
        f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {account_role} "
        "because no identity-based policy allows the sts:AssumeRole action"
    )
    assert sts.assume_role(RoleArn=role, RoleSessionName="s0")["AssumedRoleUser"]["Arn"].endswith("/s0")
    iam.put_user_policy(UserName=caller.name, PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    sts.assume_role(RoleArn=account_role, RoleSessionName="s0")


def test_session_token_credentials_without_mfa_cannot_call_iam(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.attach_user_policy(UserName=caller.name, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
    caller.client("iam").list_users()
    credentials = caller.client("sts").get_session_token()["Credentials"]
    assert error_of(session_client(endpoint, "iam", credentials).list_users) == (
        "InvalidClientTokenId", 403, "The security token included in the request is invalid.",
    )


def test_session_credentials_cannot_get_another_session_token(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    credentials = caller.client("sts").get_session_token()["Credentials"]
    assert error_of(session_client(endpoint, "sts", credentials).get_session_token) == (
        "AccessDenied", 403, "Cannot call GetSessionToken with session credentials",
    )


def test_a_session_token_without_its_key_is_refused(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    credentials = caller.client("sts").get_session_token()["Credentials"]
    wrong_token = {**credentials, "SessionToken": json.dumps({"not": "the token"})}
    assert error_of(session_client(endpoint, "sts", wrong_token).get_caller_identity)[:2] == (
        "InvalidClientTokenId", 403,
    )


def test_a_role_session_must_name_the_user_it_asks_about(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    role = _role(iam, trust(caller.arn))
    iam.attach_role_policy(RoleName=role.rsplit("/", 1)[1], PolicyArn=AWS_POLICY + "AdministratorAccess")
    session_iam = session_client(
        endpoint, "iam", caller.client("sts").assume_role(RoleArn=role, RoleSessionName="anon")["Credentials"]
    )
    must = ("ValidationError", 400, "Must specify userName when calling with non-User credentials")
    assert error_of(session_iam.get_user) == must
    assert error_of(session_iam.list_access_keys) == must
    assert session_iam.get_user(UserName=caller.name)["User"]["Arn"] == caller.arn


@pytest.mark.parametrize("policy", ["{not json", doc({**allow("iam:*"), "Principal": "*"})], ids=["bad-json", "principal"])
def test_a_malformed_session_policy_is_refused_when_assuming_the_role(endpoint: str, iam: Any, policy: str) -> None:
    caller = Caller(endpoint, iam)
    role = _role(iam, trust(caller.arn))
    code, status, _ = error_of(caller.client("sts").assume_role, RoleArn=role, RoleSessionName="bad", Policy=policy)
    assert (code, status) == ("MalformedPolicyDocument", 400)
