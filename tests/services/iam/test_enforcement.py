"""IAM's default deny, enforced on real requests signed with IAM users' keys: identity
policies, groups, explicit denies and permissions boundaries, with AWS's AccessDenied wording.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.iam.support import AWS_POLICY, Caller, allow, deny, doc, error_of, unique

USERS = f"arn:aws:iam::{ROOT_ACCOUNT}:user/"




def test_a_new_user_without_policies_is_denied_with_aws_wording(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    assert error_of(caller.client("iam").list_users) == (
        "AccessDenied", 403,
        f"User: {caller.arn} is not authorized to perform: iam:ListUsers on resource: {USERS} "
        "because no identity-based policy allows the iam:ListUsers action",
    )


def test_denied_listing_names_the_path_prefix_as_resource(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    message = error_of(caller.client("iam").list_roles, PathPrefix="/app/")[2]
    assert f"iam:ListRoles on resource: arn:aws:iam::{ROOT_ACCOUNT}:role/app/ because" in message


def test_attaching_read_only_access_allows_reading_but_not_writing(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.attach_user_policy(UserName=caller.name, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
    client = caller.client("iam")
    assert caller.name in {u["UserName"] for u in client.list_users()["Users"]}
    new_user = unique("blocked")
    assert error_of(client.create_user, UserName=new_user) == (
        "AccessDenied", 403,
        f"User: {caller.arn} is not authorized to perform: iam:CreateUser on resource: {USERS}{new_user} "
        "because no identity-based policy allows the iam:CreateUser action",
    )


def test_detaching_the_policy_takes_the_permission_away(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.attach_user_policy(UserName=caller.name, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
    caller.client("iam").list_users()
    iam.detach_user_policy(UserName=caller.name, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
    assert error_of(caller.client("iam").list_users)[:2] == ("AccessDenied", 403)


def test_group_policies_apply_to_members(endpoint: str, iam: Any) -> None:
    caller, group = Caller(endpoint, iam), unique("readers")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="list", PolicyDocument=doc(allow("iam:ListUsers")))
    iam.add_user_to_group(GroupName=group, UserName=caller.name)
    caller.client("iam").list_users()
    iam.remove_user_from_group(GroupName=group, UserName=caller.name)
    assert error_of(caller.client("iam").list_users)[0] == "AccessDenied"


def test_explicit_deny_in_a_group_beats_an_allow_in_the_user_policy(endpoint: str, iam: Any) -> None:
    caller, group = Caller(endpoint, iam), unique("denied")
    iam.put_user_policy(UserName=caller.name, PolicyName="all", PolicyDocument=doc(allow("iam:*")))
    client = caller.client("iam")
    client.list_users()
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="no-list", PolicyDocument=doc(deny("iam:ListUsers")))
    iam.add_user_to_group(GroupName=group, UserName=caller.name)
    assert error_of(client.list_users) == (
        "AccessDenied", 403,
        f"User: {caller.arn} is not authorized to perform: iam:ListUsers on resource: {USERS} "
        "with an explicit deny in an identity-based policy",
    )
    client.list_roles()  # the deny names one action; the allow still covers the rest


def test_permissions_boundary_caps_an_administrator(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    boundary = iam.create_policy(
        PolicyName=unique("boundary"), PolicyDocument=doc(allow(["iam:Get*", "iam:List*"]))
    )["Policy"]["Arn"]
    iam.attach_user_policy(UserName=caller.name, PolicyArn=AWS_POLICY + "AdministratorAccess")
    iam.put_user_permissions_boundary(UserName=caller.name, PermissionsBoundary=boundary)
    assert iam.get_user(UserName=caller.name)["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary

    client = caller.client("iam")
    client.list_users()  # inside the boundary and allowed by AdministratorAccess
    target = unique("outside")
    assert error_of(client.create_user, UserName=target) == (
        "AccessDenied", 403,
        f"User: {caller.arn} is not authorized to perform: iam:CreateUser on resource: {USERS}{target} "
        "because no permissions boundary allows the iam:CreateUser action",
    )
    iam.delete_user_permissions_boundary(UserName=caller.name)
    client.create_user(UserName=target)


def test_a_boundary_alone_grants_nothing(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.put_user_permissions_boundary(UserName=caller.name, PermissionsBoundary=AWS_POLICY + "AdministratorAccess")
    assert error_of(caller.client("iam").list_users)[2].endswith(
        "because no identity-based policy allows the iam:ListUsers action"
    )


def test_resource_scoped_policy_allows_only_its_resources(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="self", PolicyDocument=doc(
        allow("iam:GetUser", f"{USERS}${{aws:username}}")))
    client = caller.client("iam")
    assert client.get_user(UserName=caller.name)["User"]["UserName"] == caller.name
    other = unique("other")
    iam.create_user(UserName=other)
    assert error_of(client.get_user, UserName=other)[2] == (
        f"User: {caller.arn} is not authorized to perform: iam:GetUser on resource: {USERS}{other} "
        "because no identity-based policy allows the iam:GetUser action"
    )


def test_an_inactive_access_key_is_refused_and_a_deleted_one_is_unknown(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    sts = caller.client("sts")
    assert sts.get_caller_identity()["Arn"] == caller.arn
    invalid = ("InvalidClientTokenId", 403, "The security token included in the request is invalid.")
    iam.update_access_key(UserName=caller.name, AccessKeyId=caller.key_id, Status="Inactive")
    assert error_of(sts.get_caller_identity) == invalid
    iam.update_access_key(UserName=caller.name, AccessKeyId=caller.key_id, Status="Active")
    assert sts.get_caller_identity()["Arn"] == caller.arn
    iam.delete_access_key(UserName=caller.name, AccessKeyId=caller.key_id)
    assert error_of(sts.get_caller_identity) == invalid
    assert error_of(caller.client("iam").list_users)[0] == "InvalidClientTokenId"


def test_a_wrong_secret_is_signature_does_not_match(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    wrong = make_client(endpoint, "sts", key=caller.key_id, secret=caller.secret[::-1])
    code, status, _ = error_of(wrong.get_caller_identity)
    assert (code, status) == ("SignatureDoesNotMatch", 403)


def test_entity_arns_carry_their_path(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    path = f"/{unique('admins')}/"
    inside, outside = unique("in"), unique("out")
    iam.create_user(UserName=inside, Path=path)
    iam.create_user(UserName=outside)
    iam.put_user_policy(UserName=caller.name, PolicyName="path", PolicyDocument=doc(
        allow("iam:GetUser", f"{USERS[:-1]}{path}*")))
    client = caller.client("iam")
    assert client.get_user(UserName=inside)["User"]["Path"] == path
    assert error_of(client.get_user, UserName=outside)[2].startswith(
        f"User: {caller.arn} is not authorized to perform: iam:GetUser on resource: {USERS}{outside} because"
    )
    # A user created under the path is authorized on its ARN with the path.
    iam.put_user_policy(UserName=caller.name, PolicyName="create", PolicyDocument=doc(
        allow("iam:CreateUser", f"{USERS[:-1]}{path}*")))
    client.create_user(UserName=unique("made"), Path=path)
    assert error_of(client.create_user, UserName=unique("made"))[0] == "AccessDenied"


def test_group_membership_is_authorized_on_the_group(endpoint: str, iam: Any) -> None:
    caller, group, member = Caller(endpoint, iam), unique("team"), unique("member")
    iam.create_group(GroupName=group)
    iam.create_user(UserName=member)
    group_arn = f"arn:aws:iam::{ROOT_ACCOUNT}:group/{group}"
    iam.put_user_policy(UserName=caller.name, PolicyName="members", PolicyDocument=doc(
        allow(["iam:AddUserToGroup", "iam:RemoveUserFromGroup"], group_arn)))
    client = caller.client("iam")
    client.add_user_to_group(GroupName=group, UserName=member)
    client.remove_user_from_group(GroupName=group, UserName=member)


def test_users_may_manage_their_own_keys_without_naming_themselves(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="self", PolicyDocument=doc(
        allow(["iam:GetUser", "iam:ListAccessKeys", "iam:CreateAccessKey"], f"{USERS}${{aws:username}}")))
    client = caller.client("iam")
    assert client.get_user()["User"]["Arn"] == caller.arn
    assert [k["AccessKeyId"] for k in client.list_access_keys()["AccessKeyMetadata"]] == [caller.key_id]
    assert client.create_access_key()["AccessKey"]["UserName"] == caller.name


def test_permissions_boundary_condition_key_delegates_user_creation(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    boundary = iam.create_policy(PolicyName=unique("fence"), PolicyDocument=doc(allow("s3:*")))["Policy"]["Arn"]
    iam.put_user_policy(UserName=caller.name, PolicyName="delegate", PolicyDocument=doc(
        allow("iam:CreateUser", Condition={"StringEquals": {"iam:PermissionsBoundary": boundary}})))
    client = caller.client("iam")
    assert error_of(client.create_user, UserName=unique("free"))[0] == "AccessDenied"
    fenced = client.create_user(UserName=unique("fenced"), PermissionsBoundary=boundary)["User"]
    assert fenced["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary


def test_policy_arn_condition_key_limits_what_may_be_attached(endpoint: str, iam: Any) -> None:
    caller, target = Caller(endpoint, iam), unique("target")
    iam.create_user(UserName=target)
    read_only = AWS_POLICY + "ReadOnlyAccess"
    iam.put_user_policy(UserName=caller.name, PolicyName="attach", PolicyDocument=doc(
        allow("iam:AttachUserPolicy", Condition={"ArnEquals": {"iam:PolicyARN": read_only}})))
    client = caller.client("iam")
    client.attach_user_policy(UserName=target, PolicyArn=read_only)
    assert error_of(client.attach_user_policy, UserName=target, PolicyArn=AWS_POLICY + "AdministratorAccess")[0] == (
        "AccessDenied"
    )
