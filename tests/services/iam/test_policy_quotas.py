"""IAM's size quotas on policy documents through boto3: managed policies (6,144 characters),
the aggregate of a user's, role's or group's inline policies (2,048, 10,240, 5,120) and a
role's trust policy (2,048), white space not counted, each refused with IAM's LimitExceeded
wording; past the model's own maximum length the validation error answers first.
"""

from __future__ import annotations

import json
from typing import Any

from tests.services.iam.support import allow, doc, error_of, trust, unique

_TEMPLATE = doc(allow("s3:GetObject", "arn:aws:s3:::"))


def _sized(size: int, indent: int = 0) -> str:
    """A valid identity policy of exactly `size` non-white-space characters, with `indent` spaces
    of white space on top (which IAM does not count)."""
    base = len(_TEMPLATE.replace(" ", ""))
    statement = allow("s3:GetObject", "arn:aws:s3:::" + "b" * (size - base))
    text = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, separators=(",", ":"))
    assert len(text) == size
    return text.replace("{", "{" + " " * indent, 1)


def _sized_trust(size: int) -> str:
    base = json.dumps(json.loads(trust({"Service": "ec2.amazonaws.com"})), separators=(",", ":"))
    padded = json.loads(base)
    padded["Statement"][0]["Sid"] = "s" * (size - len(base) - len(',"Sid":""'))
    text = json.dumps(padded, separators=(",", ":"))
    assert len(text) == size
    return text


def test_a_managed_policy_of_6144_characters_is_accepted_and_one_more_is_limit_exceeded(iam: Any) -> None:
    iam.create_policy(PolicyName=unique("fits"), PolicyDocument=_sized(6144))
    assert error_of(iam.create_policy, PolicyName=unique("big"), PolicyDocument=_sized(6145)) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for PolicySize: 6144",
    )


def test_white_space_does_not_count_toward_a_managed_policys_size(iam: Any) -> None:
    text = _sized(6144, indent=5000)
    arn = iam.create_policy(PolicyName=unique("spaced"), PolicyDocument=text)["Policy"]["Arn"]
    stored = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"]
    assert stored == json.loads(text)  # accepted and kept whole, white space and all not counted


def test_a_new_policy_version_is_held_to_the_same_quota(iam: Any) -> None:
    arn = iam.create_policy(PolicyName=unique("versions"), PolicyDocument=_sized(200))["Policy"]["Arn"]
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=_sized(6145)) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for PolicySize: 6144",
    )
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v1"]


def test_a_document_past_the_models_maximum_length_is_a_validation_error(iam: Any) -> None:
    code, status, message = error_of(
        iam.create_policy, PolicyName=unique("huge"), PolicyDocument=_sized(131073)
    )
    assert (code, status) == ("ValidationError", 400)
    assert message == (
        "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: "
        "Member must have length less than or equal to 131072"
    )


def test_a_130_kb_user_policy_is_limit_exceeded_for_the_user(iam: Any) -> None:
    user = unique("quota-user")
    iam.create_user(UserName=user)
    assert error_of(iam.put_user_policy, UserName=user, PolicyName="p", PolicyDocument=_sized(130_000)) == (
        "LimitExceeded",
        409,
        f"Maximum policy size of 2048 bytes exceeded for user {user}",
    )
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []


def test_a_users_inline_policies_together_may_not_exceed_2048_characters(iam: Any) -> None:
    user = unique("quota-user")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="first", PolicyDocument=_sized(1024, indent=3000))
    iam.put_user_policy(UserName=user, PolicyName="second", PolicyDocument=_sized(1024))
    assert error_of(iam.put_user_policy, UserName=user, PolicyName="third", PolicyDocument=_sized(200)) == (
        "LimitExceeded",
        409,
        f"Maximum policy size of 2048 bytes exceeded for user {user}",
    )
    # Replacing a policy counts the new document in place of the old one.
    iam.put_user_policy(UserName=user, PolicyName="second", PolicyDocument=_sized(1000))
    assert sorted(iam.list_user_policies(UserName=user)["PolicyNames"]) == ["first", "second"]


def test_a_roles_inline_policies_together_may_not_exceed_10240_characters(iam: Any) -> None:
    role = unique("quota-role")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    iam.put_role_policy(RoleName=role, PolicyName="first", PolicyDocument=_sized(6000))
    iam.put_role_policy(RoleName=role, PolicyName="second", PolicyDocument=_sized(4240))
    assert error_of(iam.put_role_policy, RoleName=role, PolicyName="third", PolicyDocument=_sized(200)) == (
        "LimitExceeded",
        409,
        f"Maximum policy size of 10240 bytes exceeded for role {role}",
    )


def test_one_role_policy_over_10240_characters_is_over_the_policy_size_quota(iam: Any) -> None:
    # AWS's answer in the Terraform AWS provider's TestAccIAMRolePolicy_PolicySize_exceeded (10,240 is taken).
    role = unique("quota-role")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    assert error_of(iam.put_role_policy, RoleName=role, PolicyName="big", PolicyDocument=_sized(10241)) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for PolicySize: 10240",
    )
    iam.put_role_policy(RoleName=role, PolicyName="big", PolicyDocument=_sized(10240))


def test_a_groups_inline_policies_together_may_not_exceed_5120_characters(iam: Any) -> None:
    group = unique("quota-group")
    iam.create_group(GroupName=group)
    iam.put_group_policy(GroupName=group, PolicyName="first", PolicyDocument=_sized(5120))
    assert error_of(
        iam.put_group_policy, GroupName=group, PolicyName="second", PolicyDocument=_sized(200)
    ) == (
        "LimitExceeded",
        409,
        f"Maximum policy size of 5120 bytes exceeded for group {group}",
    )


def test_a_trust_policy_over_2048_characters_is_acl_size_per_role(iam: Any) -> None:
    role = unique("quota-trust")
    assert error_of(iam.create_role, RoleName=role, AssumeRolePolicyDocument=_sized_trust(2049)) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for ACLSizePerRole: 2048",
    )
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=_sized_trust(2048))
    assert error_of(iam.update_assume_role_policy, RoleName=role, PolicyDocument=_sized_trust(2049)) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for ACLSizePerRole: 2048",
    )
    kept = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    assert len(json.dumps(kept, separators=(",", ":"))) == 2048


def test_the_account_summary_states_the_quotas_enforced(iam: Any) -> None:
    summary = iam.get_account_summary()["SummaryMap"]
    assert (
        summary["PolicySizeQuota"],
        summary["UserPolicySizeQuota"],
        summary["RolePolicySizeQuota"],
        summary["GroupPolicySizeQuota"],
        summary["AssumeRolePolicySizeQuota"],
    ) == (6144, 2048, 10240, 5120, 2048)
