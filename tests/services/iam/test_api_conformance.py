"""IAM answers shaped and worded as AWS's: which members each call returns, and the
code, HTTP status and message of each refusal (as recorded against real AWS).
"""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ROOT_ACCOUNT
from tests.services.iam.support import AWS_POLICY, Caller, allow, doc, error_of, unique

EC2_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
POLICIES = f"arn:aws:iam::{ROOT_ACCOUNT}:policy/"


def _policy(iam: Any, **kwargs: Any) -> str:
    arn: str = iam.create_policy(PolicyName=unique("policy"), PolicyDocument=doc(allow("s3:*")), **kwargs)[
        "Policy"
    ]["Arn"]
    return arn


# -- roles -------------------------------------------------------------------------------------


def test_create_role_answers_without_session_duration_last_use_or_description(iam: Any) -> None:
    name = unique("role")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=EC2_TRUST, Description="about")["Role"]
    assert set(role) == {"Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument"}
    got = iam.get_role(RoleName=name)["Role"]
    assert got["MaxSessionDuration"] == 3600 and got["RoleLastUsed"] == {} and got["Description"] == "about"


def test_list_roles_leaves_out_role_last_used(iam: Any) -> None:
    path = f"/{unique('listed')}/"
    iam.create_role(RoleName=unique("role"), AssumeRolePolicyDocument=EC2_TRUST, Path=path)
    (role,) = iam.list_roles(PathPrefix=path)["Roles"]
    assert "RoleLastUsed" not in role and role["MaxSessionDuration"] == 3600


def test_update_role_description_answers_without_session_duration_or_last_use(iam: Any) -> None:
    name = unique("role")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=EC2_TRUST)
    role = iam.update_role_description(RoleName=name, Description="new")["Role"]
    assert role["Description"] == "new"
    assert "MaxSessionDuration" not in role and "RoleLastUsed" not in role


def test_trust_policy_may_only_name_sts_actions(iam: Any) -> None:
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "s3:GetObject"}
            ],
        }
    )
    assert error_of(iam.create_role, RoleName=unique("role"), AssumeRolePolicyDocument=document) == (
        "MalformedPolicyDocument",
        400,
        "AssumeRole policy may only specify STS AssumeRole actions.",
    )


# -- permissions boundaries --------------------------------------------------------------------


def test_boundary_that_is_no_policy_arn_is_invalid_input(iam: Any) -> None:
    bad = f"arn:aws:iam::{ROOT_ACCOUNT}:not_a_policy/invalid"
    user = unique("user")
    iam.create_user(UserName=user)
    expected = ("InvalidInput", 400, f"ARN {bad} is not valid.")
    assert error_of(iam.put_user_permissions_boundary, UserName=user, PermissionsBoundary=bad) == expected
    assert (
        error_of(
            iam.create_role, RoleName=unique("r"), AssumeRolePolicyDocument=EC2_TRUST, PermissionsBoundary=bad
        )
        == expected
    )


def test_boundary_naming_a_missing_policy_is_no_such_entity_scope_arn(iam: Any) -> None:
    missing = f"{POLICIES}{unique('missing')}"
    role = unique("role")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=EC2_TRUST)
    expected = ("NoSuchEntity", 404, f"Scope ARN: {missing} does not exist or is not attachable.")
    assert error_of(iam.put_role_permissions_boundary, RoleName=role, PermissionsBoundary=missing) == expected
    assert error_of(iam.create_user, UserName=unique("u"), PermissionsBoundary=missing) == expected


def test_boundary_use_is_counted_on_the_policy(iam: Any) -> None:
    policy = _policy(iam)
    user = unique("user")
    iam.create_user(UserName=user, PermissionsBoundary=policy)
    assert iam.get_policy(PolicyArn=policy)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    iam.delete_user_permissions_boundary(UserName=user)
    assert iam.get_policy(PolicyArn=policy)["Policy"]["PermissionsBoundaryUsageCount"] == 0


def test_attaching_a_value_that_is_no_arn_is_a_validation_error(iam: Any) -> None:
    user = unique("user")
    iam.create_user(UserName=user)
    assert error_of(iam.attach_user_policy, UserName=user, PolicyArn="longpolicynamebutnoarn") == (
        "ValidationError",
        400,
        "ARN longpolicynamebutnoarn is not valid.",
    )


# -- users, groups, access keys, login profiles -------------------------------------------------


def test_removing_a_user_from_a_group_it_is_not_in_succeeds(iam: Any) -> None:
    user, group = unique("user"), unique("group")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.remove_user_from_group(GroupName=group, UserName=user)
    assert iam.list_groups_for_user(UserName=user)["Groups"] == []


def test_last_use_of_an_unknown_access_key_is_access_denied(iam: Any) -> None:
    assert error_of(iam.get_access_key_last_used, AccessKeyId="AKIAIOSFODNN7EXAMPLE") == (
        "AccessDenied",
        403,
        f"User: arn:aws:iam::{ROOT_ACCOUNT}:root is not authorized to perform iam:GetAccessKeyLastUsed "
        "on resource: access key AKIAIOSFODNN7EXAMPLE",
    )


def test_renaming_a_user_renames_its_login_profile(iam: Any) -> None:
    name, renamed = unique("user"), unique("renamed")
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Sup3r-Secret!")
    iam.update_user(UserName=name, NewUserName=renamed)
    assert iam.get_login_profile(UserName=renamed)["LoginProfile"]["UserName"] == renamed


def test_user_tags_are_listed_sorted_by_key(iam: Any) -> None:
    user = unique("user")
    iam.create_user(UserName=user, Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}])
    assert iam.list_user_tags(UserName=user)["Tags"] == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "2"},
    ]


# -- managed policies --------------------------------------------------------------------------


def test_get_policy_answers_with_tags_even_when_there_are_none(iam: Any) -> None:
    assert iam.get_policy(PolicyArn=_policy(iam))["Policy"]["Tags"] == []
    assert iam.get_policy(PolicyArn=AWS_POLICY + "ReadOnlyAccess")["Policy"]["Tags"] == []


def test_list_policies_leaves_out_description_and_tags(iam: Any) -> None:
    path = f"/{unique('listed')}/"
    _policy(iam, Path=path, Description="about", Tags=[{"Key": "k", "Value": "v"}])
    (listed,) = iam.list_policies(Scope="Local", PathPrefix=path)["Policies"]
    assert "Description" not in listed and "Tags" not in listed


def test_missing_policy_versions_do_not_exist_or_are_not_attachable(iam: Any) -> None:
    policy = _policy(iam)
    missing = f"{POLICIES}{unique('missing')}"
    message = f"Policy {policy} version v9 does not exist or is not attachable."
    assert error_of(iam.get_policy_version, PolicyArn=policy, VersionId="v9") == (
        "NoSuchEntity",
        404,
        message,
    )
    assert error_of(iam.delete_policy_version, PolicyArn=policy, VersionId="v9") == (
        "NoSuchEntity",
        404,
        message,
    )
    assert error_of(iam.set_default_policy_version, PolicyArn=missing, VersionId="v1") == (
        "NoSuchEntity",
        404,
        f"Policy {missing} version v1 does not exist or is not attachable.",
    )


def test_tagging_a_missing_policy_is_not_found(iam: Any) -> None:
    missing = f"{POLICIES}{unique('missing')}"
    expected = ("NoSuchEntity", 404, f"Policy {missing} was not found.")
    assert error_of(iam.tag_policy, PolicyArn=missing, Tags=[{"Key": "k", "Value": "v"}]) == expected
    assert error_of(iam.untag_policy, PolicyArn=missing, TagKeys=["k"]) == expected


def test_policy_tag_keys_are_case_sensitive(iam: Any) -> None:
    policy = _policy(iam, Tags=[{"Key": "a", "Value": "lowercase"}, {"Key": "A", "Value": "uppercase"}])
    assert iam.list_policy_tags(PolicyArn=policy)["Tags"] == [
        {"Key": "A", "Value": "uppercase"},
        {"Key": "a", "Value": "lowercase"},
    ]
    assert error_of(
        iam.tag_policy, PolicyArn=policy, Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]
    ) == (
        "InvalidInput",
        400,
        "Duplicate tag keys found.",
    )


def test_policy_tags_are_paged(iam: Any) -> None:
    policy = _policy(iam, Tags=[{"Key": "one", "Value": "1"}, {"Key": "two", "Value": "2"}])
    first = iam.list_policy_tags(PolicyArn=policy, MaxItems=1)
    assert first["Tags"] == [{"Key": "one", "Value": "1"}] and first["IsTruncated"] is True
    rest = iam.list_policy_tags(PolicyArn=policy, Marker=first["Marker"])
    assert rest["Tags"] == [{"Key": "two", "Value": "2"}] and rest["IsTruncated"] is False


# -- account --------------------------------------------------------------------------------


def test_account_summary_has_every_key_aws_reports(iam: Any) -> None:
    summary = iam.get_account_summary()["SummaryMap"]
    assert {
        "AccountMFAEnabled",
        "AccountAccessKeysPresent",
        "AccountSigningCertificatesPresent",
        "AccountPasswordPresent",
        "GlobalEndpointTokenVersion",
        "MFADevices",
        "MFADevicesInUse",
        "Providers",
        "ServerCertificates",
        "PolicyVersionsInUse",
        "InstanceProfilesQuota",
        "GroupsPerUserQuota",
        "ServerCertificatesQuota",
        "SigningCertificatesPerUserQuota",
        "PolicySizeQuota",
        "UserPolicySizeQuota",
        "GroupPolicySizeQuota",
        "RolePolicySizeQuota",
        "AssumeRolePolicySizeQuota",
    } <= set(summary)
    assert summary["AssumeRolePolicySizeQuota"] == 2048 and summary["PolicySizeQuota"] == 6144


def test_account_summary_counts_policy_versions_in_use(iam: Any, endpoint: str) -> None:
    before = iam.get_account_summary()["SummaryMap"]["PolicyVersionsInUse"]
    caller = Caller(endpoint, iam)
    iam.attach_user_policy(UserName=caller.name, PolicyArn=_policy(iam))
    assert iam.get_account_summary()["SummaryMap"]["PolicyVersionsInUse"] == before + 1


# -- instance profiles ---------------------------------------------------------------------


def test_instance_profile_roles_are_shown_in_brief_and_get_always_has_tags(iam: Any) -> None:
    profile, role = unique("profile"), unique("role")
    created = iam.create_instance_profile(InstanceProfileName=profile)["InstanceProfile"]
    assert "Tags" not in created
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=EC2_TRUST, Tags=[{"Key": "k", "Value": "v"}])
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    got = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]
    assert got["Tags"] == []
    assert set(got["Roles"][0]) == {
        "Path",
        "RoleName",
        "RoleId",
        "Arn",
        "CreateDate",
        "AssumeRolePolicyDocument",
    }


def test_removing_a_role_an_instance_profile_does_not_hold(iam: Any) -> None:
    profile, role = unique("profile"), unique("role")
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=EC2_TRUST)
    assert error_of(iam.remove_role_from_instance_profile, InstanceProfileName=profile, RoleName=role) == (
        "NoSuchEntity",
        404,
        f"Role {role} in Instance Profile {profile} cannot be found.",
    )
    assert error_of(
        iam.remove_role_from_instance_profile, InstanceProfileName=profile, RoleName="ghost-role"
    ) == (
        "NoSuchEntity",
        404,
        "The role with name ghost-role cannot be found.",
    )


# -- groups, account details, simulation ---------------------------------------------------


def test_group_membership_calls_look_for_the_user_first(iam: Any) -> None:
    assert error_of(iam.remove_user_from_group, GroupName="ghost-group", UserName="ghost-user") == (
        "NoSuchEntity",
        404,
        "The user with name ghost-user cannot be found.",
    )


def test_get_group_lists_members_without_tags(iam: Any) -> None:
    user, group = unique("user"), unique("group")
    iam.create_user(UserName=user, Tags=[{"Key": "k", "Value": "v"}])
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    (member,) = iam.get_group(GroupName=group)["Users"]
    assert set(member) == {"Path", "UserName", "UserId", "Arn", "CreateDate"}


def test_authorization_details_list_roles_without_session_duration(iam: Any) -> None:
    path = f"/{unique('details')}/"
    iam.create_role(RoleName=unique("role"), AssumeRolePolicyDocument=EC2_TRUST, Path=path)
    roles = [
        r
        for page in iam.get_paginator("get_account_authorization_details").paginate(Filter=["Role"])
        for r in page["RoleDetailList"]
        if r["Path"] == path
    ]
    assert len(roles) == 1 and "MaxSessionDuration" not in roles[0] and roles[0]["RoleLastUsed"] == {}


def test_entities_for_policy_are_filtered_by_kind(iam: Any) -> None:
    policy = _policy(iam)
    user, role = unique("user"), unique("role")
    iam.create_user(UserName=user)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=EC2_TRUST)
    iam.attach_user_policy(UserName=user, PolicyArn=policy)
    iam.attach_role_policy(RoleName=role, PolicyArn=policy)
    only_roles = iam.list_entities_for_policy(PolicyArn=policy, EntityFilter="Role")
    assert [r["RoleName"] for r in only_roles["PolicyRoles"]] == [role] and only_roles["PolicyUsers"] == []


def test_simulation_names_an_inline_policy_by_its_name(iam: Any) -> None:
    user = unique("user")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="reads", PolicyDocument=doc(allow("s3:GetObject")))
    (result,) = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ROOT_ACCOUNT}:user/{user}", ActionNames=["s3:GetObject"]
    )["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in result["MatchedStatements"]] == [
        ("reads", "user")
    ]
    assert "ResourceSpecificResults" not in result and "EvalDecisionDetails" not in result


def test_simulation_on_named_resources_has_resource_specific_results(iam: Any) -> None:
    (result,) = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow("s3:GetObject"))],
        ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::b/k"],
    )["EvaluationResults"]
    (specific,) = result["ResourceSpecificResults"]
    assert (
        specific["EvalResourceName"] == "arn:aws:s3:::b/k" and specific["EvalResourceDecision"] == "allowed"
    )


def test_groups_for_user_are_paged(iam: Any) -> None:
    user = unique("user")
    iam.create_user(UserName=user)
    for _ in range(2):
        group = unique("group")
        iam.create_group(GroupName=group)
        iam.add_user_to_group(GroupName=group, UserName=user)
    first = iam.list_groups_for_user(UserName=user, MaxItems=1)
    assert len(first["Groups"]) == 1 and first["IsTruncated"] is True
    rest = iam.list_groups_for_user(UserName=user, Marker=first["Marker"])
    assert len(rest["Groups"]) == 1 and rest["IsTruncated"] is False


# -- account alias and password policy -----------------------------------------------------


def test_account_alias_lifecycle(iam: Any) -> None:
    alias = unique("alias")
    iam.create_account_alias(AccountAlias=alias)
    assert iam.list_account_aliases()["AccountAliases"] == [alias]
    iam.delete_account_alias(AccountAlias=alias)
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_password_policy_defaults_and_missing_policy_errors(iam: Any) -> None:
    iam.update_account_password_policy()
    assert iam.get_account_password_policy()["PasswordPolicy"] == {
        "MinimumPasswordLength": 6,
        "RequireSymbols": False,
        "RequireNumbers": False,
        "RequireUppercaseCharacters": False,
        "RequireLowercaseCharacters": False,
        "AllowUsersToChangePassword": False,
        "ExpirePasswords": False,
    }
    iam.delete_account_password_policy()
    assert error_of(iam.get_account_password_policy) == (
        "NoSuchEntity",
        404,
        f"The Password Policy with domain name {ROOT_ACCOUNT} cannot be found.",
    )
    assert error_of(iam.delete_account_password_policy) == (
        "NoSuchEntity",
        404,
        "The account policy with name PasswordPolicy cannot be found.",
    )


def test_password_policy_keeps_the_values_set(iam: Any) -> None:
    iam.update_account_password_policy(
        MinimumPasswordLength=10,
        MaxPasswordAge=60,
        PasswordReusePrevention=3,
        HardExpiry=True,
        RequireSymbols=True,
    )
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert (
        policy["ExpirePasswords"] is True and policy["MaxPasswordAge"] == 60 and policy["HardExpiry"] is True
    )
    assert policy["PasswordReusePrevention"] == 3 and policy["RequireSymbols"] is True
    iam.delete_account_password_policy()


def test_login_profile_calls_without_a_user_name_act_on_the_calling_user(iam: Any, endpoint: str) -> None:
    caller = Caller(endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="p", PolicyDocument=doc(allow("iam:*LoginProfile")))
    own = caller.client("iam")
    own.create_login_profile(Password="Sup3r-Secret!")
    assert own.get_login_profile()["LoginProfile"]["UserName"] == caller.name
    assert iam.get_login_profile(UserName=caller.name)["LoginProfile"]["UserName"] == caller.name
    own.delete_login_profile()
    assert error_of(iam.get_login_profile, UserName=caller.name)[:2] == ("NoSuchEntity", 404)


def test_root_must_name_the_user_of_a_login_profile(iam: Any) -> None:
    code, status, message = error_of(iam.get_login_profile)
    assert (code, status) == ("ValidationError", 400)
    assert message == "Must specify userName when calling with non-User credentials"


def test_an_account_named_by_its_id_in_a_trust_policy_is_kept_as_its_root_arn(iam: Any) -> None:
    """IAM saves "AWS": "<account id>" as "arn:aws:iam::<account id>:root" (the same principal), in a
    single value and in a list; a trust policy naming no account by id is answered as it was written."""
    name = unique("role")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ROOT_ACCOUNT}, "Action": "sts:AssumeRole"},
            {
                "Effect": "Allow",
                "Principal": {
                    "AWS": [ROOT_ACCOUNT, f"arn:aws:iam::{ROOT_ACCOUNT}:root"],
                    "Service": "ec2.amazonaws.com",
                },
                "Action": "sts:AssumeRole",
            },
        ],
    }
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    kept = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    root = f"arn:aws:iam::{ROOT_ACCOUNT}:root"
    assert kept["Statement"][0]["Principal"] == {"AWS": root}
    assert kept["Statement"][1]["Principal"] == {"AWS": [root, root], "Service": "ec2.amazonaws.com"}
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=EC2_TRUST)
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == json.loads(EC2_TRUST)
