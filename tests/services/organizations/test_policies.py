"""Organizations policies through boto3: policy types, SCP documents, attachments, tags."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, ServerProcess

MEMBER = "111111111111"
SCP = "SERVICE_CONTROL_POLICY"
DENY_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
)


@pytest.fixture(scope="module")
def org_server():
    proc = ServerProcess(env={"POCKETCLOUD_ACCOUNTS": f"{MEMBER}:AKIAPOLICIESMEMBER01:member-secret"}).start()
    org = proc.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]
    org.enable_policy_type(RootId=root["Id"], PolicyType=SCP)
    yield proc
    proc.stop()


@pytest.fixture
def org(org_server: ServerProcess):
    return org_server.client("organizations")


def _root_id(org) -> str:
    return org.list_roots()["Roots"][0]["Id"]


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


def _scp(org, content: str = DENY_S3, **kwargs) -> dict:
    name = "scp-" + uuid.uuid4().hex[:8]
    return org.create_policy(Content=content, Description="test", Name=name, Type=SCP, **kwargs)["Policy"]


def test_enabling_scps_shows_on_the_root_and_attaches_full_aws_access_everywhere(org) -> None:
    root = org.list_roots()["Roots"][0]
    assert {"Type": SCP, "Status": "ENABLED"} in root["PolicyTypes"]
    for target in (root["Id"], MEMBER, ROOT_ACCOUNT):
        ids = [p["Id"] for p in org.list_policies_for_target(TargetId=target, Filter=SCP)["Policies"]]
        assert ids == ["p-FullAWSAccess"], target
    ou = org.create_organizational_unit(ParentId=root["Id"], Name="new-" + uuid.uuid4().hex[:6])[
        "OrganizationalUnit"
    ]
    ids = [p["Id"] for p in org.list_policies_for_target(TargetId=ou["Id"], Filter=SCP)["Policies"]]
    assert ids == ["p-FullAWSAccess"]


def test_enabling_a_policy_type_twice_is_refused(org) -> None:
    with pytest.raises(ClientError) as exc:
        org.enable_policy_type(RootId=_root_id(org), PolicyType=SCP)
    assert _code(exc) == "PolicyTypeAlreadyEnabledException"
    with pytest.raises(ClientError) as exc:
        org.enable_policy_type(RootId="r-zzzz", PolicyType="TAG_POLICY")
    assert _code(exc) == "RootNotFoundException"


def test_enable_and_disable_tag_policies(org) -> None:
    root_id = _root_id(org)
    root = org.enable_policy_type(RootId=root_id, PolicyType="TAG_POLICY")["Root"]
    assert {"Type": "TAG_POLICY", "Status": "ENABLED"} in root["PolicyTypes"]
    tag_policy = org.create_policy(
        Content=json.dumps({"tags": {"team": {"tag_key": {"@@assign": "Team"}}}}),
        Description="", Name="tags-" + uuid.uuid4().hex[:6], Type="TAG_POLICY",
    )["Policy"]  # fmt: skip
    org.attach_policy(PolicyId=tag_policy["PolicySummary"]["Id"], TargetId=MEMBER)
    root = org.disable_policy_type(RootId=root_id, PolicyType="TAG_POLICY")["Root"]
    assert all(t["Type"] != "TAG_POLICY" for t in root["PolicyTypes"])
    # Disabling a type detaches its policies.
    assert org.list_targets_for_policy(PolicyId=tag_policy["PolicySummary"]["Id"])["Targets"] == []
    with pytest.raises(ClientError) as exc:
        org.disable_policy_type(RootId=root_id, PolicyType="TAG_POLICY")
    assert _code(exc) == "PolicyTypeNotEnabledException"
    with pytest.raises(ClientError) as exc:
        org.attach_policy(PolicyId=tag_policy["PolicySummary"]["Id"], TargetId=MEMBER)
    assert _code(exc) == "PolicyTypeNotEnabledException"


def test_create_describe_update_delete_a_policy(org) -> None:
    policy = _scp(org)
    summary = policy["PolicySummary"]
    organization = org.describe_organization()["Organization"]
    assert summary["Id"].startswith("p-") and summary["AwsManaged"] is False and summary["Type"] == SCP
    assert summary["Arn"] == (
        f"arn:aws:organizations::{ROOT_ACCOUNT}:policy/{organization['Id']}/service_control_policy/{summary['Id']}"
    )
    assert org.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"] == DENY_S3
    allow = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}
    )
    updated = org.update_policy(PolicyId=summary["Id"], Name=summary["Name"] + "-2", Content=allow)["Policy"]
    assert updated["Content"] == allow and updated["PolicySummary"]["Name"] == summary["Name"] + "-2"
    org.delete_policy(PolicyId=summary["Id"])
    with pytest.raises(ClientError) as exc:
        org.describe_policy(PolicyId=summary["Id"])
    assert _code(exc) == "PolicyNotFoundException"


def test_full_aws_access_is_aws_managed_and_immutable(org) -> None:
    policy = org.describe_policy(PolicyId="p-FullAWSAccess")["Policy"]
    assert (
        policy["PolicySummary"]["AwsManaged"] is True and policy["PolicySummary"]["Name"] == "FullAWSAccess"
    )
    assert json.loads(policy["Content"])["Statement"][0] == {
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
    }
    with pytest.raises(ClientError) as exc:
        org.delete_policy(PolicyId="p-FullAWSAccess")
    assert _code(exc) == "InvalidInputException" and exc.value.response["Reason"] == "IMMUTABLE_POLICY"


def test_list_policies_filters_by_type(org) -> None:
    mine = _scp(org)["PolicySummary"]["Id"]
    ids = [p["Id"] for p in org.list_policies(Filter=SCP)["Policies"]]
    assert "p-FullAWSAccess" in ids and mine in ids
    assert mine not in [p["Id"] for p in org.list_policies(Filter="BACKUP_POLICY")["Policies"]]


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}),
        json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:*", "Resource": "*"}]}),
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}),
    ],
)  # fmt: skip
def test_malformed_scps_are_refused(org, content: str) -> None:
    with pytest.raises(ClientError) as exc:
        _scp(org, content)
    assert _code(exc) == "MalformedPolicyDocumentException"
    assert exc.value.response["Error"]["Message"].startswith(
        "The provided policy document doesn't meet the requirements of the specified policy type."
    )


def test_an_scp_over_5120_characters_is_refused(org) -> None:
    statements = [
        {"Sid": f"S{i}", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"} for i in range(100)
    ]
    content = json.dumps({"Version": "2012-10-17", "Statement": statements})
    assert len(content) > 5120
    with pytest.raises(ClientError) as exc:
        _scp(org, content)
    assert _code(exc) == "ConstraintViolationException"
    assert exc.value.response["Reason"] == "POLICY_CONTENT_LIMIT_EXCEEDED"


def test_duplicate_policy_name_is_refused(org) -> None:
    policy = _scp(org)
    with pytest.raises(ClientError) as exc:
        org.create_policy(Content=DENY_S3, Description="", Name=policy["PolicySummary"]["Name"], Type=SCP)
    assert _code(exc) == "DuplicatePolicyException"


def test_attach_list_detach(org) -> None:
    policy_id = _scp(org)["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policy_id, TargetId=MEMBER)
    targets = org.list_targets_for_policy(PolicyId=policy_id)["Targets"]
    assert [(t["TargetId"], t["Type"]) for t in targets] == [(MEMBER, "ACCOUNT")]
    ids = [p["Id"] for p in org.list_policies_for_target(TargetId=MEMBER, Filter=SCP)["Policies"]]
    assert ids == ["p-FullAWSAccess", policy_id]
    with pytest.raises(ClientError) as exc:
        org.attach_policy(PolicyId=policy_id, TargetId=MEMBER)
    assert _code(exc) == "DuplicatePolicyAttachmentException"
    with pytest.raises(ClientError) as exc:
        org.delete_policy(PolicyId=policy_id)
    assert _code(exc) == "PolicyInUseException"
    org.detach_policy(PolicyId=policy_id, TargetId=MEMBER)
    with pytest.raises(ClientError) as exc:
        org.detach_policy(PolicyId=policy_id, TargetId=MEMBER)
    assert _code(exc) == "PolicyNotAttachedException"
    org.delete_policy(PolicyId=policy_id)


def test_attach_to_a_missing_target(org) -> None:
    with pytest.raises(ClientError) as exc:
        org.attach_policy(PolicyId="p-FullAWSAccess", TargetId="999999999999")
    assert _code(exc) == "TargetNotFoundException"


def test_detaching_the_last_scp_is_refused(org) -> None:
    root_id = _root_id(org)
    with pytest.raises(ClientError) as exc:
        org.detach_policy(PolicyId="p-FullAWSAccess", TargetId=root_id)
    assert _code(exc) == "ConstraintViolationException"
    assert exc.value.response["Reason"] == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"


def test_at_most_five_scps_on_a_target(org) -> None:
    ou = org.create_organizational_unit(ParentId=_root_id(org), Name="five-" + uuid.uuid4().hex[:6])[
        "OrganizationalUnit"
    ]
    for _ in range(4):  # FullAWSAccess is the first
        org.attach_policy(PolicyId=_scp(org)["PolicySummary"]["Id"], TargetId=ou["Id"])
    with pytest.raises(ClientError) as exc:
        org.attach_policy(PolicyId=_scp(org)["PolicySummary"]["Id"], TargetId=ou["Id"])
    assert _code(exc) == "ConstraintViolationException"
    assert exc.value.response["Reason"] == "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"


def test_tags_on_policies_ous_and_accounts(org) -> None:
    policy_id = _scp(org, Tags=[{"Key": "team", "Value": "sec"}])["PolicySummary"]["Id"]
    assert org.list_tags_for_resource(ResourceId=policy_id)["Tags"] == [{"Key": "team", "Value": "sec"}]
    ou = org.create_organizational_unit(ParentId=_root_id(org), Name="tags-" + uuid.uuid4().hex[:6],
                                        Tags=[{"Key": "env", "Value": "dev"}])["OrganizationalUnit"]  # fmt: skip
    org.tag_resource(ResourceId=ou["Id"], Tags=[{"Key": "owner", "Value": "me"}])
    tags = org.list_tags_for_resource(ResourceId=ou["Id"])["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "dev"), ("owner", "me")]
    org.untag_resource(ResourceId=ou["Id"], TagKeys=["env"])
    assert org.list_tags_for_resource(ResourceId=ou["Id"])["Tags"] == [{"Key": "owner", "Value": "me"}]
    org.tag_resource(ResourceId=MEMBER, Tags=[{"Key": "cost", "Value": "1"}])
    assert org.list_tags_for_resource(ResourceId=MEMBER)["Tags"] == [{"Key": "cost", "Value": "1"}]
    with pytest.raises(ClientError) as exc:
        org.tag_resource(ResourceId="ou-zzzz-zzzzzzzz", Tags=[{"Key": "a", "Value": "b"}])
    assert _code(exc) == "TargetNotFoundException"


def test_an_account_created_while_scps_are_enabled_gets_full_aws_access(org) -> None:
    status = org.create_account(AccountName="late", Email=f"{uuid.uuid4().hex}@example.com")[
        "CreateAccountStatus"
    ]
    ids = [
        p["Id"] for p in org.list_policies_for_target(TargetId=status["AccountId"], Filter=SCP)["Policies"]
    ]
    assert ids == ["p-FullAWSAccess"]
