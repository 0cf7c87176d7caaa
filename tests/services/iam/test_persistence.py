"""IAM and STS state survives the server: a clean stop (SIGTERM) and a kill -9, restarted
on the same data directory, keep users, their keys, roles and unexpired role sessions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.iam.support import AWS_POLICY, allow, doc, error_of, session_client, trust, unique


def _populate(server: ServerProcess) -> dict[str, Any]:
    """A user with a key and ReadOnlyAccess, a role it may assume, and a live session of that role."""
    iam: Any = server.client("iam")
    user, role = unique("durable"), unique("durable-role")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
    key = iam.create_access_key(UserName=user)["AccessKey"]
    user_arn = f"arn:aws:iam::{ROOT_ACCOUNT}:user/{user}"
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(user_arn))["Role"]["Arn"]
    iam.put_role_policy(RoleName=role, PolicyName="roles", PolicyDocument=doc(allow("iam:ListRoles")))
    sts = make_client(server.endpoint, "sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    session = sts.assume_role(RoleArn=role_arn, RoleSessionName="before")["Credentials"]
    return {"user": user, "user_arn": user_arn, "role": role, "role_arn": role_arn, "key": key, "session": session}


def _check(server: ServerProcess, state: dict[str, Any]) -> None:
    key = state["key"]
    sts = make_client(server.endpoint, "sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"] == state["user_arn"]
    user_iam = make_client(server.endpoint, "iam", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert state["user"] in {u["UserName"] for u in user_iam.list_users(MaxItems=1000)["Users"]}
    assert error_of(user_iam.create_user, UserName=unique("nope"))[0] == "AccessDenied"  # still only read-only
    assert sts.assume_role(RoleArn=state["role_arn"], RoleSessionName="after")["Credentials"]["AccessKeyId"]
    old_session = session_client(server.endpoint, "iam", state["session"])
    assert state["role"] in {r["RoleName"] for r in old_session.list_roles(MaxItems=1000)["Roles"]}
    assert error_of(old_session.list_users)[0] == "AccessDenied"


@pytest.mark.parametrize("stop", ["sigterm", "kill9"])
def test_users_keys_roles_and_sessions_survive_a_restart(tmp_path: Path, stop: str) -> None:
    first = ServerProcess(data_dir=tmp_path).start()
    try:
        state = _populate(first)
        _check(first, state)
    finally:
        if stop == "kill9":
            first.kill9()
        else:
            first.stop()
    second = ServerProcess(data_dir=tmp_path).start()
    try:
        _check(second, state)
    finally:
        second.stop()
