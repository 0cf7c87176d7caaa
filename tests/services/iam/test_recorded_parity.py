"""IAM behaviours found to differ from real AWS when LocalStack's AWS-validated IAM tests were
replayed against pocketcloud: what a trust policy may name, how tag validation errors are
worded, and what a renamed user keeps.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.services.iam.support import error_of, two_codes, unique

EC2_SERVICE = {"Service": "ec2.amazonaws.com"}
TAG_PATTERN = r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+"




def _trust(action: str | list[str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": EC2_SERVICE, "Action": action}],
        }
    )


def _role(iam: Any) -> str:
    name = unique("role")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust("sts:AssumeRole"))
    return name


# -- trust policies ----------------------------------------------------------------------------


def test_a_trust_policy_naming_an_unknown_sts_action_is_malformed(iam: Any) -> None:
    assert error_of(
        iam.update_assume_role_policy, RoleName=_role(iam), PolicyDocument=_trust("sts:InvalidAction")
    ) == ("MalformedPolicyDocument", 400, "AssumeRole policy may only specify STS AssumeRole actions.")


@pytest.mark.parametrize(
    "action", ["sts:AssumeRoleWithWebIdentity", ["sts:AssumeRole", "sts:TagSession"], "sts:*", "sts:Assume*"]
)
def test_a_trust_policy_may_name_the_assume_role_actions(iam: Any, action: str | list[str]) -> None:
    role = _role(iam)
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=_trust(action))
    assert iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Action"] == action


# -- tag validation wording --------------------------------------------------------------------


def test_too_many_tags_are_refused_without_showing_them(iam: Any) -> None:
    tags = [{"Key": str(i), "Value": str(i)} for i in range(51)]
    assert error_of(iam.tag_role, RoleName="no-such-role", Tags=tags) == (
        "ValidationError",
        400,
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: "
        "Member must have length less than or equal to 50",
    )


def test_a_bad_tag_key_or_value_is_refused_without_showing_it(iam: Any) -> None:
    role = _role(iam)
    assert error_of(iam.tag_role, RoleName=role, Tags=[{"Key": "invalid!key", "Value": "v"}])[2] == (
        "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: "
        f"Member must satisfy regular expression pattern: {TAG_PATTERN}"
    )
    assert error_of(iam.create_user, UserName=unique("user"), Tags=[{"Key": "k", "Value": "v" * 257}])[2] == (
        "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy constraint: "
        "Member must have length less than or equal to 256"
    )


def test_a_bad_key_to_untag_is_reported_as_the_key_list(iam: Any) -> None:
    assert error_of(iam.untag_role, RoleName=_role(iam), TagKeys=["k" * 129]) == (
        "ValidationError",
        400,
        "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy "
        "constraint: [Member must have length less than or equal to 128, Member must have length greater "
        f"than or equal to 1, Member must satisfy regular expression pattern: {TAG_PATTERN}, "
        "Member must not be null]",
    )


# -- renaming a user ---------------------------------------------------------------------------


def _ssh_public_key(tmp_path: Path) -> str:
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(key)], check=True)
    return (tmp_path / "key.pub").read_text().strip()


def test_a_renamed_user_keeps_its_ssh_keys_and_service_credentials(iam: Any, tmp_path: Path) -> None:
    old, new = unique("user"), unique("user")
    iam.create_user(UserName=old)
    key_id = iam.upload_ssh_public_key(UserName=old, SSHPublicKeyBody=_ssh_public_key(tmp_path))[
        "SSHPublicKey"
    ]["SSHPublicKeyId"]
    credential = iam.create_service_specific_credential(UserName=old, ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"
    ]

    iam.update_user(UserName=old, NewUserName=new)

    [ssh] = iam.list_ssh_public_keys(UserName=new)["SSHPublicKeys"]
    assert (ssh["SSHPublicKeyId"], ssh["UserName"]) == (key_id, new)
    listed = iam.list_service_specific_credentials(UserName=new)
    assert listed["IsTruncated"] is False
    [kept] = listed["ServiceSpecificCredentials"]
    # The credential's own sign-in name is the one it was made with.
    assert (kept["ServiceSpecificCredentialId"], kept["UserName"], kept["ServiceUserName"]) == (
        credential["ServiceSpecificCredentialId"],
        new,
        credential["ServiceUserName"],
    )
    assert error_of(iam.delete_user, UserName=new)[0] == "DeleteConflict"


def test_a_renamed_user_keeps_its_mfa_device(iam: Any) -> None:
    old, new = unique("user"), unique("user")
    iam.create_user(UserName=old)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("mfa"))["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName=old, SerialNumber=device["SerialNumber"], **two_codes(device["Base32StringSeed"])
    )

    iam.update_user(UserName=old, NewUserName=new)

    [listed] = iam.list_mfa_devices(UserName=new)["MFADevices"]
    assert (listed["SerialNumber"], listed["UserName"]) == (device["SerialNumber"], new)
    assert error_of(iam.delete_user, UserName=new) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete MFA device first.",
    )


# -- policy documents --------------------------------------------------------------------------

BUCKET = "arn:aws:s3:::example_bucket"
LEGACY = "The policy failed legacy parsing"


def _statement(**fields: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": {"Effect": "Allow", **fields}}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            _statement(NotAction="", Resource=BUCKET),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        ),
        (_statement(Action="s3:ListBucket", Resource=""), 'Resource  must be in ARN format or "*".'),
        (
            _statement(NotAction="s3s:ListBucket", Resource="a:bsdfdsafsad"),
            'Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".',
        ),
        (
            _statement(Action="s3:ListBucket", Resource="aws:s3:::example_bucket"),
            'Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".',
        ),
        (
            _statement(
                Action="s3:ListBucket",
                Resource=["arn:error:s3:::example_bucket", "arn:error:s3::example_bucket"],
            ),
            'Partition "error" is not valid for resource "arn:error:s3:::example_bucket".',
        ),
        (
            _statement(Action="s3:ListBucket", Resource="arn:aws:iam:::example_bucket"),
            'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, '
            "instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, "
            "report/, access-report/.",
        ),
        (
            _statement(Action="s3:ListBucket", Resource="arn:aws"),
            "Resource vendor must be fully qualified and cannot contain regexes.",
        ),
        (
            _statement(Action="s3:ListBucket", Resource="arn:aws:iam:us-east-1::example_bucket"),
            "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information.",
        ),
        (
            _statement(Action="s3:ListBucket", Resource="arn:aws:s3:us-east-1::example_bucket"),
            "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information.",
        ),
        (_statement(Action="s3:ListBucket", Resource="arn:aws:s3::example_bucket"), LEGACY),
        (_statement(Resource="arn:aws:s3::example_bucket"), LEGACY),
        (_statement(NotAction="s3:ListBucket", Resource="arn:aws::::example_bucket"), LEGACY),
        (_statement(Condition={"DateGreaterThan": {"a": "sdfdsf"}}), LEGACY),
        (
            _statement(
                Action="s3:ListBucket",
                Resource=BUCKET,
                Condition={"DateLessThan": {"a": "9223372036854775808"}},
            ),
            LEGACY,
        ),
        (_statement(Resource=BUCKET, Condition={"DateGreaterThan": {"a": {}}}), "Syntax errors in policy."),
        (_statement(Action="s3:ListBucket"), "Policy statement must contain resources."),
    ],
)
def test_malformed_policy_documents_are_refused_with_awss_first_reason(
    iam: Any, document: dict[str, Any], message: str
) -> None:
    assert error_of(iam.create_policy, PolicyName=unique("policy"), PolicyDocument=json.dumps(document)) == (
        "MalformedPolicyDocument",
        400,
        message,
    )


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:fdsasf",
        "arn:aws:s33:::example_bucket",
        "arn:aws:iam:::user/example_bucket",
        "arn:aws:iam::*:user/${aws:username}",
        "arn:aws:ec2:us-east-1::example_bucket",
        "arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/*",
    ],
)
def test_resources_aws_accepts_are_accepted(iam: Any, resource: str) -> None:
    document = _statement(Action="s3:ListBucket", Resource=resource)
    assert iam.create_policy(PolicyName=unique("policy"), PolicyDocument=json.dumps(document))["Policy"][
        "Arn"
    ]


@pytest.mark.parametrize(
    ("value", "allowed_in_2020"),
    [
        ("2016-12", True),
        ("01T", True),
        ("2016-12-13t2:00:00.593194+23", True),
        ("2099-01", False),
        ("2020-06-01T0001", False),  # the hour 01 to IAM, after 00:30 (ISO's basic form would be 00:01)
    ],
)
def test_dates_iams_legacy_parser_reads_are_accepted_and_compared(
    iam: Any, value: str, allowed_in_2020: bool
) -> None:
    # Valid documents of moto's list (valid_policy_document30/36): a month without a day, a year
    # alone before "T", a lower-case "t", a one-digit hour, a zone of hours. They were refused as
    # failing legacy parsing, which IAM's own reading of them does not.
    condition = {"DateGreaterThan": {"aws:CurrentTime": value}}
    document = json.dumps(_statement(Action="s3:ListBucket", Resource=BUCKET, Condition=condition))
    assert iam.create_policy(PolicyName=unique("policy"), PolicyDocument=document)["Policy"]["Arn"]
    decision = iam.simulate_custom_policy(
        PolicyInputList=[document],
        ActionNames=["s3:ListBucket"],
        ResourceArns=[BUCKET],
        ContextEntries=[
            {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2020-06-01T00:30:00Z"], "ContextKeyType": "date"}
        ],
    )["EvaluationResults"][0]["EvalDecision"]
    assert decision == ("allowed" if allowed_in_2020 else "implicitDeny")


@pytest.mark.parametrize("condition", [{"a": {}}, {"x": {}, "y": {}}])
def test_a_condition_operator_naming_no_keys_is_accepted(iam: Any, condition: dict[str, Any]) -> None:
    document = _statement(Action="s3:ListBucket", Resource=BUCKET, Condition=condition)
    assert iam.create_policy(PolicyName=unique("policy"), PolicyDocument=json.dumps(document))["Policy"][
        "Arn"
    ]


@pytest.mark.parametrize("sid", [["x"], {"a": 1}, 5])
def test_a_statement_id_that_is_not_a_string_is_malformed_not_a_failure(iam: Any, sid: Any) -> None:
    document = _statement(Action="s3:ListBucket", Resource=BUCKET, Sid=sid)
    code, status, _ = error_of(
        iam.create_policy, PolicyName=unique("policy"), PolicyDocument=json.dumps(document)
    )
    assert (code, status) == ("MalformedPolicyDocument", 400)


def test_a_path_prefix_filter_is_held_to_the_path_pattern(iam: Any) -> None:
    arn = iam.create_policy(
        PolicyName=unique("policy"),
        PolicyDocument=json.dumps(_statement(Action="s3:ListBucket", Resource=BUCKET)),
    )["Policy"]["Arn"]
    code, status, message = error_of(iam.list_entities_for_policy, PolicyArn=arn, PathPrefix="no-slash")
    assert (code, status) == ("ValidationError", 400)
    assert message.startswith(
        "1 validation error detected: Value at 'pathPrefix' failed to satisfy constraint"
    )
    assert iam.list_entities_for_policy(PolicyArn=arn, PathPrefix="/a/")["PolicyUsers"] == []


def test_a_path_of_two_slashes_is_refused(iam: Any) -> None:
    code, status, _ = error_of(iam.create_user, UserName=unique("user"), Path="//")
    assert (code, status) == ("ValidationError", 400)


def test_an_inline_policy_is_checked_as_a_managed_one(iam: Any) -> None:
    document = _statement(Action="s3:ListBucket", Resource="arn:aws:s3:us-east-1::example_bucket")
    assert error_of(
        iam.put_role_policy, RoleName=_role(iam), PolicyName="p", PolicyDocument=json.dumps(document)
    )[2] == ("Resource arn:aws:s3:us-east-1::example_bucket can not contain region information.")


# -- managed policies --------------------------------------------------------------------------

ALLOW_LIST_USERS = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}
)


def test_policy_tags_are_listed_shortest_key_first(iam: Any) -> None:
    tags = [{"Key": "abc", "Value": "first"}, {"Key": "b", "Value": "second"}, {"Key": "z", "Value": "third"}]
    tags.append({"Key": "a", "Value": "fourth"})
    created = iam.create_policy(PolicyName=unique("policy"), PolicyDocument=ALLOW_LIST_USERS, Tags=tags)[
        "Policy"
    ]
    assert created["Tags"] == tags
    listed = iam.list_policy_tags(PolicyArn=created["Arn"])["Tags"]
    assert [t["Key"] for t in listed] == ["a", "b", "z", "abc"]


def test_the_accounts_own_policies_are_listed_first(iam: Any) -> None:
    name = unique("policy")
    iam.create_policy(PolicyName=name, PolicyDocument=ALLOW_LIST_USERS)
    first_page = iam.list_policies()
    assert first_page["IsTruncated"] is True
    assert name in [p["PolicyName"] for p in first_page["Policies"]]


def test_entities_of_a_missing_policy_is_no_such_entity(iam: Any) -> None:
    arn = "arn:aws:iam::000000000000:policy/NonExistentPolicy"
    assert error_of(iam.list_entities_for_policy, PolicyArn=arn) == (
        "NoSuchEntity",
        404,
        f"Policy {arn} does not exist or is not attachable.",
    )


def test_a_malformed_version_id_is_refused_without_showing_it(iam: Any) -> None:
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    assert error_of(iam.get_policy_version, PolicyArn=arn, VersionId="v2-does-not-exist") == (
        "ValidationError",
        400,
        "1 validation error detected: Value at 'versionId' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?",
    )


def test_deleting_a_missing_policy_is_no_such_entity_not_found(iam: Any) -> None:
    arn = "arn:aws:iam::000000000000:policy/non-existent-policy"
    assert error_of(iam.delete_policy, PolicyArn=arn) == ("NoSuchEntity", 404, f"Policy {arn} was not found.")


# -- service-specific credentials --------------------------------------------------------------

NO_SUCH_SERVICE = (
    "No such service nonexistentservice.amazonaws.com is supported for Service Specific Credentials"
)


def _user_with_credential(iam: Any) -> tuple[str, str]:
    user = unique("user")
    iam.create_user(UserName=user)
    credential = iam.create_service_specific_credential(UserName=user, ServiceName="codecommit.amazonaws.com")
    return user, credential["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]


def test_a_credential_for_a_missing_user_names_the_user_before_the_service(iam: Any) -> None:
    assert error_of(
        iam.create_service_specific_credential,
        UserName="non-existent-user",
        ServiceName="nonexistentservice.amazonaws.com",
    ) == ("NoSuchEntity", 404, "The user with name non-existent-user cannot be found.")


def test_listing_credentials_of_an_unsupported_service_is_no_such_entity(iam: Any) -> None:
    user, _ = _user_with_credential(iam)
    assert error_of(
        iam.list_service_specific_credentials, UserName=user, ServiceName="nonexistentservice.amazonaws.com"
    ) == ("NoSuchEntity", 404, NO_SUCH_SERVICE)
    assert (
        iam.list_service_specific_credentials(UserName=user, ServiceName="cassandra.amazonaws.com")[
            "ServiceSpecificCredentials"
        ]
        == []
    )


def test_a_missing_credential_is_named_without_its_user(iam: Any) -> None:
    user, _ = _user_with_credential(iam)
    missing = "satisfiesregexbutstillinvalid"
    assert error_of(
        iam.reset_service_specific_credential, UserName=user, ServiceSpecificCredentialId=missing
    ) == (
        "NoSuchEntity",
        404,
        f"No such credential {missing} exists",
    )


def test_credential_ids_and_statuses_are_refused_without_showing_them(iam: Any) -> None:
    user, credential = _user_with_credential(iam)
    assert error_of(
        iam.delete_service_specific_credential,
        UserName=user,
        ServiceSpecificCredentialId="totally-wrong-credential-id-with-hyphens",
    )[2] == (
        "1 validation error detected: Value at 'serviceSpecificCredentialId' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w]+"
    )
    assert error_of(
        iam.update_service_specific_credential,
        UserName=user,
        ServiceSpecificCredentialId=credential,
        Status="Invalid",
    )[2] == (
        "1 validation error detected: Value at 'status' failed to satisfy constraint: "
        "Member must satisfy enum value set"
    )


def test_a_user_with_a_service_credential_cannot_be_deleted(iam: Any) -> None:
    user, _ = _user_with_credential(iam)
    assert error_of(iam.delete_user, UserName=user) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must remove referenced objects first.",
    )


# -- service-linked roles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "role_name", "policy"),
    [
        ("acm.amazonaws.com", "AWSServiceRoleForCertificateManager", "CertificateManagerServiceRolePolicy"),
        ("ops.apigateway.amazonaws.com", "AWSServiceRoleForAPIGateway", "APIGatewayServiceRolePolicy"),
        (
            "eks-nodegroup.amazonaws.com",
            "AWSServiceRoleForAmazonEKSNodegroup",
            "AWSServiceRoleForAmazonEKSNodegroup",
        ),
        ("sso.amazonaws.com", "AWSServiceRoleForSSO", "AWSSSOServiceRolePolicy"),
    ],
)
def test_a_service_linked_role_is_named_and_permissioned_as_aws_does(
    iam: Any, service: str, role_name: str, policy: str
) -> None:
    role = iam.create_service_linked_role(AWSServiceName=service)["Role"]
    try:
        assert (role["RoleName"], role["Path"]) == (role_name, f"/aws-service-role/{service}/")
        assert role["AssumeRolePolicyDocument"]["Statement"] == [
            {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": service}}
        ]
        attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
        assert attached == [
            {"PolicyName": policy, "PolicyArn": f"arn:aws:iam::aws:policy/aws-service-role/{policy}"}
        ]
    finally:
        iam.delete_service_linked_role(RoleName=role_name)


@pytest.mark.parametrize("service", ["elasticbeanstalk.amazonaws.com", "ram.amazonaws.com"])
def test_most_services_refuse_a_custom_suffix(iam: Any, service: str) -> None:
    assert error_of(iam.create_service_linked_role, AWSServiceName=service, CustomSuffix="testsuffix") == (
        "InvalidInput",
        400,
        f"Custom suffix is not allowed for {service}",
    )


def test_lex_v2_accepts_a_custom_suffix(iam: Any) -> None:
    suffix = unique("s")
    role = iam.create_service_linked_role(AWSServiceName="lexv2.amazonaws.com", CustomSuffix=suffix)["Role"]
    assert role["RoleName"] == f"AWSServiceRoleForLexV2Bots_{suffix}"
    iam.delete_service_linked_role(RoleName=role["RoleName"])


# -- the policy simulator ----------------------------------------------------------------------


def test_a_simulated_match_names_its_statements_place_in_the_managed_policy(iam: Any) -> None:
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"},
        }
    )
    policy = iam.create_policy(PolicyName=unique("policy"), PolicyDocument=document)["Policy"]["Arn"]
    user = unique("user")
    arn = iam.create_user(UserName=user)["User"]["Arn"]
    iam.attach_user_policy(UserName=user, PolicyArn=policy)

    (result,) = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:PutObject"], ResourceArns=["arn:aws:s3:::bucket"]
    )["EvaluationResults"]

    expected = {
        "SourcePolicyId": policy,
        "SourcePolicyType": "IAM Policy",
        "StartPosition": {"Line": 1, "Column": 41},
        "EndPosition": {"Line": 1, "Column": 113},
    }
    assert result["MatchedStatements"] == [expected]
    (specific,) = result["ResourceSpecificResults"]
    assert specific == {
        "EvalResourceName": "arn:aws:s3:::bucket",
        "EvalResourceDecision": "allowed",
        "MatchedStatements": [expected],
        "MissingContextValues": [],
    }


# -- account authorization details -------------------------------------------------------------


def _details(iam: Any) -> dict[str, Any]:
    result: dict[str, Any] = (
        iam.get_paginator("get_account_authorization_details").paginate().build_full_result()
    )
    return result


def test_authorization_details_always_show_tags_and_user_inline_policies_only_when_there_are_some(
    iam: Any,
) -> None:
    user, role = unique("user"), unique("role")
    iam.create_user(UserName=user)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=_trust("sts:AssumeRole"))
    details = _details(iam)
    (user_detail,) = [u for u in details["UserDetailList"] if u["UserName"] == user]
    (role_detail,) = [r for r in details["RoleDetailList"] if r["RoleName"] == role]
    assert user_detail["Tags"] == [] and "UserPolicyList" not in user_detail
    assert role_detail["Tags"] == [] and role_detail["RolePolicyList"] == []


def test_a_role_in_an_instance_profile_is_shown_without_its_description(iam: Any) -> None:
    role, profile = unique("role"), unique("profile")
    iam.create_role(
        RoleName=role, AssumeRolePolicyDocument=_trust("sts:AssumeRole"), Description="testing role"
    )
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    (shown,) = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]["Roles"]
    assert set(shown) == {"Arn", "AssumeRolePolicyDocument", "CreateDate", "Path", "RoleId", "RoleName"}
    (detail,) = [r for r in _details(iam)["RoleDetailList"] if r["RoleName"] == role]
    (listed,) = detail["InstanceProfileList"][0]["Roles"]
    assert "Description" not in listed


def test_authorization_details_list_a_policys_versions_newest_first(iam: Any) -> None:
    arn = iam.create_policy(PolicyName=unique("policy"), PolicyDocument=ALLOW_LIST_USERS)["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=ALLOW_LIST_USERS, SetAsDefault=True)
    (policy,) = [p for p in _details(iam)["Policies"] if p["Arn"] == arn]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in policy["PolicyVersionList"]] == [
        ("v2", True),
        ("v1", False),
    ]


def test_iam_validation_messages_leave_every_value_out(iam: Any) -> None:
    assert error_of(iam.update_account_password_policy, MinimumPasswordLength=129) == (
        "ValidationError",
        400,
        "1 validation error detected: Value at 'minimumPasswordLength' failed to satisfy constraint: "
        "Member must have value less than or equal to 128",
    )


# -- entity paths ------------------------------------------------------------------------------

BAD_PATH = (
    "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric "
    "characters and/or / characters."
)


@pytest.mark.parametrize("path", ["invalid-path/", "/invalid-path"])
def test_a_path_without_its_slashes_is_refused_in_iams_words(iam: Any, path: str) -> None:
    assert error_of(iam.create_virtual_mfa_device, VirtualMFADeviceName=unique("mfa"), Path=path) == (
        "ValidationError",
        400,
        BAD_PATH,
    )
    assert error_of(iam.create_user, UserName=unique("user"), Path=path) == ("ValidationError", 400, BAD_PATH)


def test_a_path_may_hold_an_empty_segment(iam: Any) -> None:
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("mfa"), Path="/test//double/")[
        "VirtualMFADevice"
    ]["SerialNumber"]
    assert ":mfa/test//double/" in serial


def test_a_path_too_long_is_a_length_error(iam: Any) -> None:
    assert error_of(
        iam.create_virtual_mfa_device, VirtualMFADeviceName=unique("mfa"), Path="/" + "a" * 512 + "/"
    )[2] == (
        "1 validation error detected: Value at 'path' failed to satisfy constraint: "
        "Member must have length less than or equal to 512"
    )


# -- validation order --------------------------------------------------------------------------


def test_several_bad_members_are_reported_in_iams_order(iam: Any) -> None:
    # Not the model's order (maxPasswordAge comes before passwordReusePrevention there).
    assert error_of(
        iam.update_account_password_policy,
        MinimumPasswordLength=129,
        MaxPasswordAge=1096,
        PasswordReusePrevention=25,
    )[2] == (
        "3 validation errors detected: "
        "Value at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128; "
        "Value at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24; "
        "Value at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095"
    )


def test_open_id_connect_lists_are_reported_without_a_not_null_constraint(iam: Any) -> None:
    assert error_of(
        iam.create_open_id_connect_provider,
        Url="b" * 256,
        ThumbprintList=["b" * 41],
        ClientIDList=["b" * 256],
    ) == (
        "ValidationError",
        400,
        "3 validation errors detected: "
        "Value at 'clientIDList' failed to satisfy constraint: Member must satisfy constraint: "
        "[Member must have length less than or equal to 255, Member must have length greater than or equal to 1]; "
        "Value at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: "
        "[Member must have length less than or equal to 40, Member must have length greater than or equal to 40]; "
        "Value at 'url' failed to satisfy constraint: Member must have length less than or equal to 255",
    )


def test_a_tag_with_a_bad_key_and_value_reports_the_value_first(iam: Any) -> None:
    assert error_of(iam.create_user, UserName=unique("user"), Tags=[{"Key": "k" * 129, "Value": "v" * 257}])[
        2
    ] == (
        "2 validation errors detected: "
        "Value at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256; "
        "Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"
    )


# -- signing certificates ----------------------------------------------------------------------


def test_a_signing_certificate_that_does_not_parse_is_quoted_in_the_error(iam: Any) -> None:
    user = unique("user")
    iam.create_user(UserName=user)
    assert error_of(
        iam.upload_signing_certificate, UserName=user, CertificateBody="invalid-certificate-body"
    ) == (
        "MalformedCertificate",
        400,
        "Certificate invalid-certificate-body is malformed.",
    )
