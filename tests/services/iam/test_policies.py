"""Managed policies through boto3: customer managed ones with their versions, AWS managed
ones with their real documents, listings by scope, and the documents IAM refuses.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.iam.support import AWS_POLICY, allow, doc, error_of, unique


def _policy(iam: Any, **kwargs: Any) -> str:
    name = unique("policy")
    arn: str = iam.create_policy(PolicyName=name, PolicyDocument=doc(allow("s3:GetObject")), **kwargs)["Policy"]["Arn"]
    assert arn.endswith(f":policy{kwargs.get('Path', '/')}{name}")
    return arn


def test_creating_an_existing_policy_is_entity_already_exists(iam: Any) -> None:
    name = unique("dup")
    iam.create_policy(PolicyName=name, PolicyDocument=doc(allow("s3:GetObject")))
    assert error_of(iam.create_policy, PolicyName=name, PolicyDocument=doc(allow("s3:GetObject"))) == (
        "EntityAlreadyExists", 409, f"A policy called {name} already exists. Duplicate names are not allowed.",
    )


def test_policy_versions_newest_first_default_switching_and_deleting(iam: Any) -> None:
    arn = _policy(iam)
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("s3:PutObject")), SetAsDefault=True)
    assert v2["PolicyVersion"]["VersionId"] == "v2" and v2["PolicyVersion"]["IsDefaultVersion"] is True
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("s3:DeleteObject")))
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v3", False), ("v2", True), ("v1", False)]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    got = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert got["Document"]["Statement"][0]["Action"] == "s3:PutObject"

    assert error_of(iam.delete_policy_version, PolicyArn=arn, VersionId="v2") == (
        "DeleteConflict", 409, "Cannot delete the default version of a policy.",
    )
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v3")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v3", "v1"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"


def test_sixth_policy_version_is_limit_exceeded(iam: Any) -> None:
    arn = _policy(iam)
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("s3:GetObject")))
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=doc(allow("s3:GetObject"))) == (
        "LimitExceeded", 409,
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    )


def test_deleting_an_attached_policy_is_delete_conflict(iam: Any) -> None:
    arn = _policy(iam)
    user = unique("holder")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    assert error_of(iam.delete_policy, PolicyArn=arn) == ("DeleteConflict", 409, "Cannot delete a policy attached to entities.")
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == [user]
    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)
    assert error_of(iam.get_policy, PolicyArn=arn)[:2] == ("NoSuchEntity", 404)


def test_a_policy_used_as_a_permissions_boundary_is_attached_to_its_user_and_role(iam: Any) -> None:
    # ListEntitiesForPolicy's PolicyUsageFilter: PermissionsPolicy lists what has the policy attached,
    # PermissionsBoundary what has it as its boundary, and leaving it out lists both; DeletePolicy
    # refuses a policy still used as a boundary with DeleteConflict.
    arn = _policy(iam)
    bounded_user, bounded_role, attached_user = unique("bounded"), unique("bounded"), unique("attached")
    iam.create_user(UserName=bounded_user, PermissionsBoundary=arn)
    iam.create_role(
        RoleName=bounded_role, PermissionsBoundary=arn,
        AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }),
    )
    iam.create_user(UserName=attached_user)
    iam.attach_user_policy(UserName=attached_user, PolicyArn=arn)

    def names(**kwargs: Any) -> tuple[list[str], list[str]]:
        found = iam.list_entities_for_policy(PolicyArn=arn, **kwargs)
        return sorted(u["UserName"] for u in found["PolicyUsers"]), [r["RoleName"] for r in found["PolicyRoles"]]

    assert names(PolicyUsageFilter="PermissionsPolicy") == ([attached_user], [])
    assert names(PolicyUsageFilter="PermissionsBoundary") == ([bounded_user], [bounded_role])
    assert names() == (sorted([attached_user, bounded_user]), [bounded_role])

    iam.detach_user_policy(UserName=attached_user, PolicyArn=arn)
    iam.delete_user_permissions_boundary(UserName=bounded_user)
    assert error_of(iam.delete_policy, PolicyArn=arn) == ("DeleteConflict", 409, "Cannot delete a policy attached to entities.")
    iam.delete_role_permissions_boundary(RoleName=bounded_role)
    iam.delete_policy(PolicyArn=arn)


def test_only_attached_policies_used_as_permissions_boundaries_are_listed_by_that_usage(iam: Any) -> None:
    # ListPolicies' PolicyUsageFilter: "To list only the policies used to set permissions boundaries,
    # set the value to PermissionsBoundary."
    boundary, attached = _policy(iam), _policy(iam)
    user = unique("bounded")
    iam.create_user(UserName=user, PermissionsBoundary=boundary)
    iam.attach_user_policy(UserName=user, PolicyArn=attached)
    iam.put_user_permissions_boundary(UserName=user, PermissionsBoundary=AWS_POLICY + "PowerUserAccess")
    iam.create_role(
        RoleName=unique("bounded"), PermissionsBoundary=boundary,
        AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }),
    )

    def listed(scope: str, usage: str) -> set[str]:
        pages = iam.get_paginator("list_policies").paginate(Scope=scope, OnlyAttached=True, PolicyUsageFilter=usage)
        return {policy["Arn"] for page in pages for policy in page["Policies"]}

    local_boundaries = listed("Local", "PermissionsBoundary")
    assert boundary in local_boundaries and attached not in local_boundaries
    local_attached = listed("Local", "PermissionsPolicy")
    assert attached in local_attached and boundary not in local_attached
    assert AWS_POLICY + "PowerUserAccess" in listed("AWS", "PermissionsBoundary")


def test_policy_tags(iam: Any) -> None:
    arn = _policy(iam, Tags=[{"Key": "owner", "Value": "me"}])
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "cost", "Value": "42"}])
    assert {t["Key"]: t["Value"] for t in iam.list_policy_tags(PolicyArn=arn)["Tags"]} == {"owner": "me", "cost": "42"}
    iam.untag_policy(PolicyArn=arn, TagKeys=["owner"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "cost", "Value": "42"}]


def test_aws_managed_administrator_access_has_its_real_document(iam: Any) -> None:
    arn = AWS_POLICY + "AdministratorAccess"
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert policy["PolicyName"] == "AdministratorAccess" and policy["Arn"] == arn
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert version["IsDefaultVersion"] is True
    assert version["Document"]["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]


def test_list_policies_by_scope(iam: Any) -> None:
    local = _policy(iam)
    everything = iam.get_paginator("list_policies")
    local_arns = {p["Arn"] for page in everything.paginate(Scope="Local") for p in page["Policies"]}
    assert local in local_arns
    assert all(arn.startswith(f"arn:aws:iam::{ROOT_ACCOUNT}:policy/") for arn in local_arns)
    aws_arns = {p["Arn"] for page in everything.paginate(Scope="AWS") for p in page["Policies"]}
    assert {AWS_POLICY + "AdministratorAccess", AWS_POLICY + "ReadOnlyAccess"} <= aws_arns
    assert local not in aws_arns

    user = unique("onlyattached")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=local)
    attached = {p["Arn"] for page in everything.paginate(Scope="Local", OnlyAttached=True) for p in page["Policies"]}
    assert local in attached
    assert all(iam.get_policy(PolicyArn=a)["Policy"]["AttachmentCount"] > 0 for a in attached)


# -- documents IAM refuses ---------------------------------------------------------------------------

_STATEMENT = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::bucket"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param("{not json", "Syntax errors in policy.", id="bad-json"),
        pytest.param({"Version": "2012-10-17", "Statement": [{**_STATEMENT, "Colour": "red"}]},
                     "Syntax errors in policy.", id="unknown-statement-element"),
        pytest.param({"Version": "2012-10-17", "Statement": [_STATEMENT], "Extra": 1},
                     "Syntax errors in policy.", id="unknown-top-element"),
        pytest.param({"Version": "2013-10-17", "Statement": [_STATEMENT]}, "Syntax errors in policy.", id="bad-version"),
        pytest.param({"Version": "2012-10-17", "Statement": [{k: v for k, v in _STATEMENT.items() if k != "Effect"}]},
                     "Syntax errors in policy.", id="missing-effect"),
        pytest.param({"Version": "2012-10-17", "Statement": [{**_STATEMENT, "Principal": "*"}]},
                     "Policy document should not specify a principal.", id="principal-in-identity-policy"),
        pytest.param({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]},
                     "Policy statement must contain actions.", id="no-action"),
    ],
)
def test_malformed_identity_policies_are_refused(iam: Any, document: Any, message: str) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    user = unique("malformed")
    iam.create_user(UserName=user)
    assert error_of(iam.put_user_policy, UserName=user, PolicyName="p", PolicyDocument=text) == (
        "MalformedPolicyDocument", 400, message,
    )
    assert error_of(iam.create_policy, PolicyName=unique("bad"), PolicyDocument=text) == (
        "MalformedPolicyDocument", 400, message,
    )
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []


@pytest.mark.parametrize("sid", ["my-sid", "Allow S3", "read_only"])
def test_an_identity_policy_statement_id_must_be_letters_and_digits(iam: Any, sid: str) -> None:
    # "The Sid element supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers
    # (0-9)"; IAM refuses anything else, even when the ids are also duplicated.
    text = json.dumps({"Version": "2012-10-17", "Statement": [{**_STATEMENT, "Sid": sid}, {**_STATEMENT, "Sid": sid}]})
    message = (
        "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
    )
    user = unique("sid")
    iam.create_user(UserName=user)
    assert error_of(iam.put_user_policy, UserName=user, PolicyName="p", PolicyDocument=text) == (
        "MalformedPolicyDocument", 400, message,
    )
    assert error_of(iam.create_policy, PolicyName=unique("sid"), PolicyDocument=text) == (
        "MalformedPolicyDocument", 400, message,
    )
    good = json.dumps({"Version": "2012-10-17", "Statement": [{**_STATEMENT, "Sid": "AllowS3List2"}]})
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument=good)


@pytest.mark.parametrize("version", [None, "2008-10-17"], ids=["no-version", "2008-10-17"])
def test_managed_policies_need_the_current_policy_language(iam: Any, version: str | None) -> None:
    document: dict[str, Any] = {"Statement": [_STATEMENT]}
    if version:
        document["Version"] = version
    assert error_of(iam.create_policy, PolicyName=unique("old"), PolicyDocument=json.dumps(document)) == (
        "MalformedPolicyDocument", 400, "Policy document must be version 2012-10-17 or greater.",
    )
    arn = _policy(iam)
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(document))[:2] == (
        "MalformedPolicyDocument", 400,
    )
    # An inline policy may still use the old language.
    user = unique("legacy")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="old", PolicyDocument=json.dumps(document))


def test_trust_policy_that_is_not_json_is_refused_with_create_roles_wording(iam: Any) -> None:
    assert error_of(iam.create_role, RoleName=unique("notjson"), AssumeRolePolicyDocument="{not json") == (
        "MalformedPolicyDocument", 400, "This policy contains invalid Json",
    )


def test_trust_policy_without_principal_is_refused(iam: Any) -> None:
    no_principal = doc({"Effect": "Allow", "Action": "sts:AssumeRole"})
    assert error_of(iam.create_role, RoleName=unique("noprincipal"), AssumeRolePolicyDocument=no_principal) == (
        "MalformedPolicyDocument", 400, "Missing required field Principal",
    )
    role = unique("trustupdate")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
    assert error_of(iam.update_assume_role_policy, RoleName=role, PolicyDocument=no_principal)[0] == "MalformedPolicyDocument"


def test_a_trust_policy_field_iam_does_not_know_is_named(iam: Any) -> None:
    # AWS's answer in the Terraform AWS provider's TestAccIAMRole_Identity_ExistingResource_OnError:
    # UpdateAssumeRolePolicy with '{"invalid":true}' is "MalformedPolicyDocument: Unknown field invalid".
    assert error_of(iam.create_role, RoleName=unique("unknown"), AssumeRolePolicyDocument='{"invalid":true}') == (
        "MalformedPolicyDocument", 400, "Unknown field invalid",
    )
    role = unique("trustfield")
    trusted = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=doc(trusted))
    assert error_of(iam.update_assume_role_policy, RoleName=role, PolicyDocument='{"invalid":true}') == (
        "MalformedPolicyDocument", 400, "Unknown field invalid",
    )
    assert error_of(iam.update_assume_role_policy, RoleName=role, PolicyDocument=doc({**trusted, "Actions": "x"}))[2] == (
        "Unknown field Actions"
    )


def test_trust_policy_naming_a_missing_role_of_another_account_the_server_has_is_refused() -> None:
    """Principals are resolved in whichever account they name; of an account the server does not
    have, it knows nothing and takes the ARN as given."""
    other = "222233334444"
    server = ServerProcess(env={"POCKETCLOUD_ACCOUNTS": f"{other}:AKIAIAMOTHER00000001:other-secret"}).start()
    try:
        iam = server.client("iam")
        theirs = server.client("iam", key="AKIAIAMOTHER00000001", secret="other-secret")
        ghost = f"arn:aws:iam::{other}:role/ghost"
        trusting = doc({"Effect": "Allow", "Principal": {"AWS": ghost}, "Action": "sts:AssumeRole"})
        assert error_of(iam.create_role, RoleName="trusting", AssumeRolePolicyDocument=trusting) == (
            "MalformedPolicyDocument", 400, f'Invalid principal in policy: "AWS":"{ghost}"',
        )
        theirs.create_role(RoleName="ghost", AssumeRolePolicyDocument=doc(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other}:root"}, "Action": "sts:AssumeRole"}))
        assert iam.create_role(RoleName="trusting", AssumeRolePolicyDocument=trusting)["Role"]["RoleName"] == "trusting"
        unknown = doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:role/any"},
                       "Action": "sts:AssumeRole"})
        assert iam.create_role(RoleName="outside", AssumeRolePolicyDocument=unknown)["Role"]["RoleName"] == "outside"
    finally:
        server.stop()


@pytest.mark.parametrize(
    "principal",
    [
        "arn:aws:iam:::user/alt",  # no account (ceph s3-tests' role trust policies; IAM refuses them)
        "arn:aws:iam::abc:user/x",
        "arn:aws:iam::123456789012:group/g",  # "You cannot identify a user group as a principal"
        "arn:aws:s3:::bucket",  # no IAM or STS principal
        "arn:aws:iam::123456789012:policy/p",  # a policy is no principal either
    ],
)
def test_a_principal_arn_that_names_no_principal_is_refused(iam: Any, principal: str) -> None:
    assert error_of(iam.create_role, RoleName=unique("badprincipal"), AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})) == (
        "MalformedPolicyDocument", 400, f'Invalid principal in policy: "AWS":"{principal}"',
    )


def test_trust_policy_naming_a_user_that_does_not_exist_is_refused(iam: Any) -> None:
    ghost = f"arn:aws:iam::{ROOT_ACCOUNT}:user/{unique('ghost')}"
    assert error_of(iam.create_role, RoleName=unique("ghostly"), AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": ghost}, "Action": "sts:AssumeRole"})) == (
        "MalformedPolicyDocument", 400, f'Invalid principal in policy: "AWS":"{ghost}"',
    )
    real = unique("real")
    iam.create_user(UserName=real, Path="/people/")
    wrong_path = f"arn:aws:iam::{ROOT_ACCOUNT}:user/{real}"
    assert error_of(iam.create_role, RoleName=unique("ghostly"), AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": [wrong_path]}, "Action": "sts:AssumeRole"}))[2] == (
        f'Invalid principal in policy: "AWS":"{wrong_path}"'
    )
    iam.create_role(RoleName=unique("real"), AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:user/people/{real}"},
         "Action": "sts:AssumeRole"}))
