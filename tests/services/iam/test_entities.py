"""IAM users, groups, roles, access keys and instance profiles through boto3: their
lifecycle, and the errors AWS answers with (code, HTTP status, wording).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.iam.certificate_support import certificate
from tests.services.iam.support import AWS_POLICY, Caller, allow, doc, error_of, trust, unique, user_arn
from tests.services.iam.test_certificates_and_keys import ssh_key

# -- users -------------------------------------------------------------------------------


def test_create_get_update_delete_user(iam: Any) -> None:
    name, renamed = unique("user"), unique("renamed")
    created = iam.create_user(UserName=name, Path="/team/")["User"]
    assert created["Arn"] == user_arn(name, "/team/")
    assert created["UserId"].startswith("AIDA") and created["Path"] == "/team/"
    assert iam.get_user(UserName=name)["User"]["UserId"] == created["UserId"]

    iam.update_user(UserName=name, NewUserName=renamed, NewPath="/other/")
    moved = iam.get_user(UserName=renamed)["User"]
    assert moved["Arn"] == user_arn(renamed, "/other/") and moved["UserId"] == created["UserId"]
    assert error_of(iam.get_user, UserName=name)[0] == "NoSuchEntity"

    iam.delete_user(UserName=renamed)
    assert error_of(iam.get_user, UserName=renamed) == (
        "NoSuchEntity", 404, f"The user with name {renamed} cannot be found.",
    )


def test_ids_and_access_key_ids_are_base32_as_aws_writes_them(endpoint: str, iam: Any) -> None:
    # Letters and the digits 2-7, never 0, 1, 8 or 9 (awsteele.com's "AWS Access Key ID formats";
    # versity/versitygw checks ^AIDA[A-Z2-7]{17}$ and ^AKIA[A-Z2-7]{16}$ style patterns against them).
    for _ in range(5):
        name = unique("b32")
        user = iam.create_user(UserName=name)["User"]
        access_key = iam.create_access_key(UserName=name)["AccessKey"]
        key = access_key["AccessKeyId"]
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(user["Arn"]))["Role"]
        assert re.fullmatch(r"AIDA[A-Z2-7]{17}", user["UserId"]), user["UserId"]
        assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key), key
        assert re.fullmatch(r"AROA[A-Z2-7]{17}", role["RoleId"]), role["RoleId"]
        as_user = make_client(endpoint, "sts", key=key, secret=access_key["SecretAccessKey"])
        session = as_user.assume_role(RoleArn=role["Arn"], RoleSessionName="b32")["Credentials"]["AccessKeyId"]
        assert re.fullmatch(r"ASIA[A-Z2-7]{16}", session), session


def test_renaming_a_group_keeps_its_members_and_moves_its_arn(iam: Any) -> None:
    name, renamed, user = unique("group"), unique("regroup"), unique("member")
    created = iam.create_group(GroupName=name, Path="/team/")["Group"]
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=name, UserName=user)

    iam.update_group(GroupName=name, NewGroupName=renamed, NewPath="/other/")
    moved = iam.get_group(GroupName=renamed)
    assert moved["Group"]["Arn"] == f"arn:aws:iam::{ROOT_ACCOUNT}:group/other/{renamed}"
    assert moved["Group"]["GroupId"] == created["GroupId"]
    assert [u["UserName"] for u in moved["Users"]] == [user]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]] == [renamed]
    assert error_of(iam.get_group, GroupName=name) == (
        "NoSuchEntity", 404, f"The group with name {name} cannot be found.",
    )


def test_renaming_a_group_onto_another_is_entity_already_exists(iam: Any) -> None:
    first, second = unique("group"), unique("group")
    iam.create_group(GroupName=first)
    iam.create_group(GroupName=second)
    assert error_of(iam.update_group, GroupName=first, NewGroupName=second) == (
        "EntityAlreadyExists", 409, f"Group with name {second} already exists.",
    )
    assert iam.get_group(GroupName=first)["Group"]["GroupName"] == first


def test_creating_an_existing_user_is_entity_already_exists(iam: Any) -> None:
    name = unique("dup")
    iam.create_user(UserName=name)
    assert error_of(iam.create_user, UserName=name) == (
        "EntityAlreadyExists", 409, f"User with name {name} already exists.",
    )


def test_names_differing_only_in_case_are_the_same_name(iam: Any) -> None:
    # "IAM user, group, role, and policy names must be unique within the account. Names are not
    # distinguished by case" (IAM API reference, CreateUser ... UpdateUser).
    name = unique("case")
    upper = name.upper()
    iam.create_user(UserName=name)
    iam.create_group(GroupName=name)
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))
    iam.create_policy(PolicyName=name, PolicyDocument=doc(allow("s3:GetObject")))
    assert error_of(iam.create_user, UserName=upper) == ("EntityAlreadyExists", 409, f"User with name {upper} already exists.")
    assert error_of(iam.create_group, GroupName=upper)[:2] == ("EntityAlreadyExists", 409)
    assert error_of(iam.create_role, RoleName=upper, AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))[:2] == ("EntityAlreadyExists", 409)
    assert error_of(iam.create_policy, PolicyName=upper, PolicyDocument=doc(allow("s3:GetObject")))[:2] == (
        "EntityAlreadyExists", 409)
    other = unique("other")
    iam.create_user(UserName=other)
    assert error_of(iam.update_user, UserName=other, NewUserName=upper)[:2] == ("EntityAlreadyExists", 409)
    assert iam.get_user(UserName=other)["User"]["UserName"] == other


def test_missing_entities_are_no_such_entity_with_aws_wording(iam: Any) -> None:
    ghost = unique("ghost")
    assert error_of(iam.get_role, RoleName=ghost) == ("NoSuchEntity", 404, f"The role with name {ghost} cannot be found.")
    assert error_of(iam.get_group, GroupName=ghost) == ("NoSuchEntity", 404, f"The group with name {ghost} cannot be found.")
    assert error_of(iam.delete_user, UserName=ghost) == ("NoSuchEntity", 404, f"The user with name {ghost} cannot be found.")
    arn = f"arn:aws:iam::{ROOT_ACCOUNT}:policy/{ghost}"
    assert error_of(iam.get_policy, PolicyArn=arn) == ("NoSuchEntity", 404, f"Policy {arn} was not found.")
    assert error_of(iam.get_instance_profile, InstanceProfileName=ghost) == (
        "NoSuchEntity", 404, f"Instance Profile {ghost} cannot be found.",
    )
    user = unique("nopolicy")
    iam.create_user(UserName=user)
    assert error_of(iam.get_user_policy, UserName=user, PolicyName="nothing") == (
        "NoSuchEntity", 404, "The user policy with name nothing cannot be found.",
    )


@pytest.mark.parametrize(
    ("kwargs", "member", "value", "constraint"),
    [
        ({"UserName": "x" * 65}, "userName", "x" * 65, "Member must have length less than or equal to 64"),
        # Over-long and holding a space: the front end's length error alone, not IAM's own words.
        ({"UserName": "has space" * 8}, "userName", "has space" * 8, "Member must have length less than or equal to 64"),
    ],
)
def test_bad_user_names_and_paths_are_validation_errors(
    iam: Any, kwargs: dict[str, str], member: str, value: str, constraint: str
) -> None:
    assert error_of(iam.create_user, **kwargs) == (
        "ValidationError", 400,
        # IAM leaves the value out of its validation messages (as recorded against AWS since 2025).
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: {constraint}",
    )


NAME_CHARACTERS = "It must contain only alphanumeric characters and/or the following: +=,.@_-"


def test_a_name_with_a_character_iam_names_cannot_hold_is_refused_in_iams_words(iam: Any) -> None:
    # As AWS answers terraform, rosa and the CLI (request ids and all): "ValidationError: The specified
    # value for roleName is invalid. It must contain only alphanumeric characters and/or the following:
    # +=,.@_-", naming the member as the query protocol spells it.
    assert error_of(iam.create_user, UserName="bad/name") == (
        "ValidationError", 400, f"The specified value for userName is invalid. {NAME_CHARACTERS}",
    )
    assert error_of(
        iam.put_role_policy, RoleName="role", PolicyName="arn:aws:iam::aws:policy/X", PolicyDocument="{}"
    ) == ("ValidationError", 400, f"The specified value for policyName is invalid. {NAME_CHARACTERS}")
    assert error_of(iam.get_role, RoleName="service-role/visitor-counter")[2] == (
        f"The specified value for roleName is invalid. {NAME_CHARACTERS}"
    )


def test_delete_user_with_access_keys_is_delete_conflict(iam: Any) -> None:
    name = unique("keyed")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    assert error_of(iam.delete_user, UserName=name) == (
        "DeleteConflict", 409, "Cannot delete entity, must delete access keys first.",
    )
    iam.delete_access_key(UserName=name, AccessKeyId=key)
    iam.delete_user(UserName=name)


def test_delete_user_with_attached_policy_is_delete_conflict(iam: Any) -> None:
    name = unique("attached")
    iam.create_user(UserName=name)
    iam.attach_user_policy(UserName=name, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
    assert error_of(iam.delete_user, UserName=name) == (
        "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.",
    )
    iam.detach_user_policy(UserName=name, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
    iam.delete_user(UserName=name)


def test_delete_user_with_inline_policy_is_delete_conflict(iam: Any) -> None:
    name = unique("inline")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(allow("s3:GetObject")))
    assert error_of(iam.delete_user, UserName=name) == (
        "DeleteConflict", 409, "Cannot delete entity, must delete policies first.",
    )
    iam.delete_user_policy(UserName=name, PolicyName="p")
    iam.delete_user(UserName=name)


def test_third_access_key_is_limit_exceeded(iam: Any) -> None:
    name = unique("twokeys")
    iam.create_user(UserName=name)
    iam.create_access_key(UserName=name)
    iam.create_access_key(UserName=name)
    assert error_of(iam.create_access_key, UserName=name) == (
        "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2",
    )
    assert len(iam.list_access_keys(UserName=name)["AccessKeyMetadata"]) == 2


def test_access_key_calls_naming_a_missing_user_say_the_user_is_missing(iam: Any) -> None:
    # versity/versitygw's IAMDeleteAccessKey_non_existing_user and IAMUpdateAccessKey_non_existing_user
    missing = unique("nobody")
    message = f"The user with name {missing} cannot be found."
    assert error_of(iam.delete_access_key, UserName=missing, AccessKeyId="AKIAAAAAAAAAAAAAAAAA") == (
        "NoSuchEntity", 404, message)
    assert error_of(iam.update_access_key, UserName=missing, AccessKeyId="AKIAAAAAAAAAAAAAAAAA",
                    Status="Inactive") == ("NoSuchEntity", 404, message)
    name = unique("haskeys")
    iam.create_user(UserName=name)
    assert error_of(iam.delete_access_key, UserName=name, AccessKeyId="AKIAAAAAAAAAAAAAAAAA") == (
        "NoSuchEntity", 404, "The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.")


def test_user_inline_policy_round_trips_as_a_document(iam: Any) -> None:
    name = unique("rt")
    policy = {"Version": "2012-10-17", "Statement": [allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::b/*")]}
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="objects", PolicyDocument=json.dumps(policy))
    got = iam.get_user_policy(UserName=name, PolicyName="objects")
    assert got["PolicyDocument"] == policy  # boto3 URL-decodes and parses it
    assert got["UserName"] == name and got["PolicyName"] == "objects"
    assert iam.list_user_policies(UserName=name)["PolicyNames"] == ["objects"]


def test_user_tags_are_added_listed_and_removed(iam: Any) -> None:
    name = unique("tagged")
    iam.create_user(UserName=name, Tags=[{"Key": "team", "Value": "a"}])
    iam.tag_user(UserName=name, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "b"}])
    tags = {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName=name)["Tags"]}
    assert tags == {"team": "b", "env": "dev"}
    iam.untag_user(UserName=name, TagKeys=["team"])
    assert iam.get_user(UserName=name)["User"]["Tags"] == [{"Key": "env", "Value": "dev"}]


def test_untagging_matches_tag_keys_without_regard_to_case(iam: Any) -> None:
    # versity/versitygw's IAMUntagRole_case_insensitive_key: keys are case-insensitive for removal too.
    name = unique("untagcase")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root"),
                    Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "a"}])
    iam.untag_role(RoleName=name, TagKeys=["EnV"])
    assert iam.list_role_tags(RoleName=name)["Tags"] == [{"Key": "team", "Value": "a"}]
    iam.create_user(UserName=name, Tags=[{"Key": "Env", "Value": "dev"}])
    iam.untag_user(UserName=name, TagKeys=["ENV"])
    assert iam.list_user_tags(UserName=name)["Tags"] == []
    # A managed policy's tag keys are case sensitive: "a" and "A" are two tags, untagged one by one.
    arn = iam.create_policy(PolicyName=name, PolicyDocument=doc(allow("s3:GetObject")),
                            Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}])["Policy"]["Arn"]
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "A", "Value": "2"}]


def test_duplicate_tag_keys_are_invalid_input(iam: Any) -> None:
    name = unique("duptags")
    twice = [{"Key": "Env", "Value": "a"}, {"Key": "env", "Value": "b"}]
    assert error_of(iam.create_user, UserName=name, Tags=twice) == (
        "InvalidInput", 400, "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    )
    iam.create_user(UserName=name)
    assert error_of(iam.tag_user, UserName=name, Tags=twice)[0] == "InvalidInput"


def test_tag_keys_outside_the_documented_character_set_are_a_validation_error(iam: Any) -> None:
    # The Tag key pattern is Java's [\p{L}\p{Z}\p{N}_.:/=+\-@]+: letters, separators and numbers of any script.
    # IAM's message leaves the tag's key out (as recorded against AWS).
    name = unique("badtag")
    assert error_of(iam.create_user, UserName=name, Tags=[{"Key": "NOWAY!", "Value": ""}]) == (
        "ValidationError",
        400,
        "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+",
    )
    iam.create_user(UserName=name, Tags=[{"Key": "Équipe 東京 ٣ a_b.c:d/e=f+g-h@i", "Value": "ok"}])


def test_list_users_leaves_out_tags_and_boundary(iam: Any) -> None:
    name, path = unique("listed"), f"/{unique('listing')}/"
    iam.create_user(UserName=name, Path=path, Tags=[{"Key": "k", "Value": "v"}],
                    PermissionsBoundary=AWS_POLICY + "ReadOnlyAccess")
    assert iam.get_user(UserName=name)["User"]["Tags"] == [{"Key": "k", "Value": "v"}]
    [listed] = iam.list_users(PathPrefix=path)["Users"]
    assert listed["UserName"] == name
    assert "Tags" not in listed and "PermissionsBoundary" not in listed


def test_list_users_pages_with_marker_return_each_user_exactly_once(iam: Any) -> None:
    path = f"/{unique('paging')}/"
    names = {unique("p") for _ in range(25)}
    for name in names:
        iam.create_user(UserName=name, Path=path)
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {"PathPrefix": path, "MaxItems": 10}
    while True:
        page = iam.list_users(**kwargs)
        pages += 1
        assert len(page["Users"]) <= 10
        seen += [u["UserName"] for u in page["Users"]]
        if not page["IsTruncated"]:
            break
        kwargs["Marker"] = page["Marker"]
    assert pages == 3
    assert sorted(seen) == sorted(names)


def _two_of_each(iam: Any, user: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Two items in each small listing a user has: operation -> (list member, item key, arguments)."""
    policy = iam.create_policy(PolicyName=unique("paged"), PolicyDocument=doc(allow("s3:GetObject")))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=policy, PolicyDocument=doc(allow("s3:PutObject")))
    for _ in range(2):
        iam.create_access_key(UserName=user)
        iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=ssh_key())
        iam.upload_signing_certificate(UserName=user, CertificateBody=certificate())
        iam.create_service_specific_credential(UserName=user, ServiceName="codecommit.amazonaws.com")
    return {
        "list_access_keys": ("AccessKeyMetadata", "AccessKeyId", {"UserName": user}),
        "list_ssh_public_keys": ("SSHPublicKeys", "SSHPublicKeyId", {"UserName": user}),
        "list_signing_certificates": ("Certificates", "CertificateId", {"UserName": user}),
        "list_service_specific_credentials": (
            "ServiceSpecificCredentials", "ServiceSpecificCredentialId", {"UserName": user}
        ),
        "list_policy_versions": ("Versions", "VersionId", {"PolicyArn": policy}),
    }


def test_small_listings_page_by_max_items_and_marker(iam: Any) -> None:
    # "Although each user is limited to a small number of keys, you can still paginate the results
    # using the MaxItems and Marker parameters" (ListAccessKeys; the same holds for each of these).
    user = unique("paged")
    iam.create_user(UserName=user)
    for operation, (member, key, arguments) in _two_of_each(iam, user).items():
        first = getattr(iam, operation)(MaxItems=1, **arguments)
        assert (len(first[member]), first["IsTruncated"]) == (1, True), operation
        second = getattr(iam, operation)(MaxItems=1, Marker=first["Marker"], **arguments)
        assert (len(second[member]), second["IsTruncated"], "Marker" in second) == (1, False, False), operation
        everything = getattr(iam, operation)(**arguments)[member]
        assert [item[key] for item in first[member] + second[member]] == [item[key] for item in everything]


def test_entities_for_a_policy_page_users_groups_and_roles_together(iam: Any) -> None:
    policy = iam.create_policy(PolicyName=unique("paged"), PolicyDocument=doc(allow("s3:GetObject")))["Policy"]["Arn"]
    user, group = unique("paged"), unique("paged")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.attach_user_policy(UserName=user, PolicyArn=policy)
    iam.attach_group_policy(GroupName=group, PolicyArn=policy)
    first = iam.list_entities_for_policy(PolicyArn=policy, MaxItems=1)
    assert first["IsTruncated"] is True
    second = iam.list_entities_for_policy(PolicyArn=policy, MaxItems=1, Marker=first["Marker"])
    assert second["IsTruncated"] is False
    names = [
        entity.get("UserName") or entity.get("GroupName")
        for page in (first, second)
        for entity in page["PolicyUsers"] + page["PolicyGroups"] + page["PolicyRoles"]
    ]
    assert sorted(names) == sorted([user, group])


def test_account_authorization_details_page_all_four_lists_together(iam: Any) -> None:
    # MaxItems (100 when left out) counts the users, groups, roles and policies of a page together.
    user, group = unique("detail"), unique("dgroup")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    first = iam.get_account_authorization_details(Filter=["User", "Group"], MaxItems=1)
    members = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
    assert sum(len(first[m]) for m in members) == 1 and first["IsTruncated"] is True
    seen = [(m, d.get("UserName") or d.get("GroupName")) for m in members for d in first[m]]
    marker = first["Marker"]
    while marker:
        page = iam.get_account_authorization_details(Filter=["User", "Group"], MaxItems=300, Marker=marker)
        assert sum(len(page[m]) for m in members) <= 300
        seen += [(m, d.get("UserName") or d.get("GroupName")) for m in members for d in page[m]]
        marker = page.get("Marker")
    assert ("UserDetailList", user) in seen and ("GroupDetailList", group) in seen
    assert len(seen) == len(set(seen))
    unpaged = iam.get_account_authorization_details(Filter=["User", "Group"])
    assert sum(len(unpaged[m]) for m in members) == min(len(seen), 100)


def test_policy_simulations_page_by_max_items(iam: Any) -> None:
    policy = doc(allow(["s3:GetObject", "s3:PutObject"]))
    actions = ["s3:GetObject", "s3:PutObject", "sqs:SendMessage"]
    first = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=actions, MaxItems=2)
    assert (len(first["EvaluationResults"]), first["IsTruncated"]) == (2, True)
    rest = iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=actions, MaxItems=2, Marker=first["Marker"])
    assert rest["IsTruncated"] is False
    decisions = [r["EvalDecision"] for r in first["EvaluationResults"] + rest["EvaluationResults"]]
    assert decisions == ["allowed", "allowed", "implicitDeny"]


def test_path_prefix_filters_listings(iam: Any) -> None:
    top = f"/{unique('div')}/"
    inside, nested, outside = unique("in"), unique("nested"), unique("out")
    iam.create_user(UserName=inside, Path=top)
    iam.create_user(UserName=nested, Path=top + "sub/")
    iam.create_user(UserName=outside, Path="/elsewhere/")
    assert {u["UserName"] for u in iam.list_users(PathPrefix=top)["Users"]} == {inside, nested}
    assert [u["UserName"] for u in iam.list_users(PathPrefix=top + "sub/")["Users"]] == [nested]
    role = unique("prole")
    iam.create_role(RoleName=role, Path=top, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root"))
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix=top)["Roles"]] == [role]


# -- groups ---------------------------------------------------------------------------------


def test_group_membership_and_delete_conflict_while_it_has_members(iam: Any) -> None:
    group, user = unique("group"), unique("member")
    iam.create_group(GroupName=group)
    assert error_of(iam.create_group, GroupName=group) == (
        "EntityAlreadyExists", 409, f"Group with name {group} already exists.",
    )
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=group, UserName=user)
    assert [u["UserName"] for u in iam.get_group(GroupName=group)["Users"]] == [user]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]] == [group]
    assert error_of(iam.delete_group, GroupName=group) == (
        "DeleteConflict", 409, "Cannot delete entity, must remove users from group first.",
    )
    iam.remove_user_from_group(GroupName=group, UserName=user)
    iam.delete_group(GroupName=group)
    assert error_of(iam.get_group, GroupName=group)[0] == "NoSuchEntity"


# -- roles ----------------------------------------------------------------------------------


def test_role_trust_policy_round_trips_as_a_document(iam: Any) -> None:
    name = unique("role")
    policy = json.loads(trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root"))
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(policy), MaxSessionDuration=7200)["Role"]
    assert role["AssumeRolePolicyDocument"] == policy
    assert role["Arn"] == f"arn:aws:iam::{ROOT_ACCOUNT}:role/{name}" and role["RoleId"].startswith("AROA")
    got = iam.get_role(RoleName=name)["Role"]
    assert got["AssumeRolePolicyDocument"] == policy and got["MaxSessionDuration"] == 7200
    assert error_of(iam.create_role, RoleName=name, AssumeRolePolicyDocument=json.dumps(policy)) == (
        "EntityAlreadyExists", 409, f"Role with name {name} already exists.",
    )


def test_a_trust_policy_follows_its_user_through_renaming_and_deletion(iam: Any, endpoint: str) -> None:
    # IAM keeps a trust policy's user as its unique id ("AWS JSON policy elements: Principal"): the
    # policy names a renamed user by its new ARN, and a deleted one by its old id, so a user made
    # again under the same name is not trusted.
    caller = Caller(endpoint, iam)
    caller_id = iam.get_user(UserName=caller.name)["User"]["UserId"]
    role = unique("trusting")
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(caller.arn))["Role"]["Arn"]
    iam.put_user_policy(UserName=caller.name, PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))

    def principal() -> Any:
        return iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"]

    renamed = unique("renamed")
    iam.update_user(UserName=caller.name, NewUserName=renamed, NewPath="/moved/")
    assert principal() == user_arn(renamed, "/moved/")
    caller.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="renamed")

    iam.delete_user_policy(UserName=renamed, PolicyName="assume")
    iam.delete_access_key(UserName=renamed, AccessKeyId=caller.key_id)
    iam.delete_user(UserName=renamed)
    assert principal() == caller_id
    again = Caller(endpoint, iam, name=renamed)
    iam.put_user_policy(UserName=renamed, PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    assert error_of(again.client("sts").assume_role, RoleArn=role_arn, RoleSessionName="again")[:2] == (
        "AccessDenied", 403,
    )
    assert principal() == caller_id


def test_a_trust_policy_names_a_deleted_role_by_its_unique_id(iam: Any) -> None:
    trusted = unique("trusted")
    trusted_id = iam.create_role(RoleName=trusted, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root"))[
        "Role"
    ]["RoleId"]
    role = unique("trusting")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ROOT_ACCOUNT}:role/{trusted}"))
    iam.delete_role(RoleName=trusted)
    statement = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"AWS": trusted_id}


def test_role_tags(iam: Any) -> None:
    name = unique("trole")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root"),
                    Tags=[{"Key": "a", "Value": "1"}])
    iam.tag_role(RoleName=name, Tags=[{"Key": "b", "Value": "2"}])
    assert {t["Key"] for t in iam.list_role_tags(RoleName=name)["Tags"]} == {"a", "b"}
    iam.untag_role(RoleName=name, TagKeys=["a"])
    assert iam.get_role(RoleName=name)["Role"]["Tags"] == [{"Key": "b", "Value": "2"}]


def test_instance_profile_lifecycle_and_role_delete_conflict(iam: Any) -> None:
    role, profile = unique("iprole"), unique("profile")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    created = iam.create_instance_profile(InstanceProfileName=profile)["InstanceProfile"]
    assert created["Arn"] == f"arn:aws:iam::{ROOT_ACCOUNT}:instance-profile/{profile}" and created["Roles"] == []
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    got = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == [role]
    listed = iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in listed] == [profile]

    assert error_of(iam.delete_role, RoleName=role) == (
        "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.",
    )
    iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
    iam.delete_role(RoleName=role)
    iam.delete_instance_profile(InstanceProfileName=profile)
    assert error_of(iam.get_instance_profile, InstanceProfileName=profile)[0] == "NoSuchEntity"


def test_role_with_attached_or_inline_policy_is_delete_conflict(iam: Any) -> None:
    name = unique("busyrole")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root"))
    iam.attach_role_policy(RoleName=name, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
    assert error_of(iam.delete_role, RoleName=name) == (
        "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.",
    )
    iam.detach_role_policy(RoleName=name, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=doc(allow("s3:*")))
    assert error_of(iam.delete_role, RoleName=name) == (
        "DeleteConflict", 409, "Cannot delete entity, must delete policies first.",
    )
    iam.delete_role_policy(RoleName=name, PolicyName="p")
    iam.delete_role(RoleName=name)


# -- the account as a whole ----------------------------------------------------------------------


def test_account_authorization_details_lists_users_with_groups_and_policies(iam: Any) -> None:
    user, group = unique("detail"), unique("dgroup")
    inline = {"Version": "2012-10-17", "Statement": [allow("sqs:SendMessage")]}
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="send", PolicyDocument=json.dumps(inline))
    iam.attach_user_policy(UserName=user, PolicyArn=AWS_POLICY + "ReadOnlyAccess")

    pages = iam.get_paginator("get_account_authorization_details").paginate(Filter=["User", "AWSManagedPolicy"])
    details = pages.build_full_result()
    entry = next(u for u in details["UserDetailList"] if u["UserName"] == user)
    assert entry["GroupList"] == [group]
    assert entry["UserPolicyList"] == [{"PolicyName": "send", "PolicyDocument": inline}]
    assert entry["AttachedManagedPolicies"] == [
        {"PolicyName": "ReadOnlyAccess", "PolicyArn": AWS_POLICY + "ReadOnlyAccess"}
    ]
    assert details["GroupDetailList"] == [] and details["RoleDetailList"] == []
    assert AWS_POLICY + "ReadOnlyAccess" in {p["Arn"] for p in details["Policies"]}
