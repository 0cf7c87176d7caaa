"""Administering an organization from a member account: delegated administrators
(RegisterDelegatedAdministrator: the organization's reads, for a service with trusted access) and
the organization's resource policy (PutResourcePolicy: the calls it delegates, weighed by the IAM
engine like any cross-account call)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, make_client
from tests.services.organizations.org_support import (
    MANAGEMENT,
    MEMBER,
    declared_accounts_server,
    management_client,
    member_client,
    policy_doc,
)

SERVICE = "config.amazonaws.com"


@pytest.fixture
def server() -> Iterator[ServerProcess]:
    proc = declared_accounts_server()
    management_client(proc).create_organization(FeatureSet="ALL")
    yield proc
    proc.stop()


def error_of(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return dict(info.value.response["Error"], Reason=info.value.response.get("Reason"))


def test_a_member_registered_as_delegated_administrator_reads_the_organization(server: ServerProcess) -> None:
    org, member = management_client(server), member_client(server)
    refused = error_of(org.register_delegated_administrator, AccountId=MEMBER, ServicePrincipal=SERVICE)
    assert (refused["Code"], refused["Reason"]) == (
        "ConstraintViolationException",
        "SERVICE_ACCESS_NOT_ENABLED",
    )
    org.enable_aws_service_access(ServicePrincipal=SERVICE)
    refused = error_of(org.register_delegated_administrator, AccountId=MANAGEMENT, ServicePrincipal=SERVICE)
    assert (refused["Code"], refused["Reason"]) == (
        "ConstraintViolationException",
        "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
    )
    assert (
        error_of(org.register_delegated_administrator, AccountId="999999999999", ServicePrincipal=SERVICE)[
            "Code"
        ]
        == "AccountNotFoundException"
    )
    refused = error_of(org.register_delegated_administrator, AccountId=MEMBER, ServicePrincipal="nonsense")
    assert (refused["Code"], refused["Reason"]) == ("InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL")
    for call in (org.enable_aws_service_access, org.disable_aws_service_access, org.list_delegated_administrators):
        refused = error_of(call, ServicePrincipal="nonsense")  # trusted access names AWS services alone
        assert (refused["Code"], refused["Reason"]) == ("InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL")
    assert error_of(member.list_accounts)["Code"] == "AccessDeniedException"

    org.register_delegated_administrator(AccountId=MEMBER, ServicePrincipal=SERVICE)
    assert (
        error_of(org.register_delegated_administrator, AccountId=MEMBER, ServicePrincipal=SERVICE)["Code"]
        == "AccountAlreadyRegisteredException"
    )
    delegates = org.list_delegated_administrators(ServicePrincipal=SERVICE)["DelegatedAdministrators"]
    assert [(d["Id"], d["Status"]) for d in delegates] == [(MEMBER, "ACTIVE")]
    assert "DelegationEnabledDate" in delegates[0]
    assert (
        org.list_delegated_administrators(ServicePrincipal="guardduty.amazonaws.com")[
            "DelegatedAdministrators"
        ]
        == []
    )
    services = org.list_delegated_services_for_account(AccountId=MEMBER)["DelegatedServices"]
    assert [s["ServicePrincipal"] for s in services] == [SERVICE]
    assert error_of(org.list_delegated_services_for_account, AccountId=MANAGEMENT)["Code"] == (
        "AccountNotRegisteredException"
    )

    # The delegate reads the organization, and changes nothing of it.
    assert {a["Id"] for a in member.list_accounts()["Accounts"]} == {MANAGEMENT, MEMBER}
    root = member.list_roots()["Roots"][0]["Id"]
    assert member.list_delegated_administrators()["DelegatedAdministrators"][0]["Id"] == MEMBER
    assert (
        error_of(member.create_organizational_unit, ParentId=root, Name="ou")["Code"]
        == "AccessDeniedException"
    )
    assert (
        error_of(member.register_delegated_administrator, AccountId=MEMBER, ServicePrincipal=SERVICE)["Code"]
        == "AccessDeniedException"
    )
    # ... and stays in it while registered.
    for leave in (member.leave_organization, lambda: org.remove_account_from_organization(AccountId=MEMBER)):
        refused = error_of(leave)
        assert (refused["Code"], refused["Reason"]) == (
            "ConstraintViolationException",
            "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
        )

    org.deregister_delegated_administrator(AccountId=MEMBER, ServicePrincipal=SERVICE)
    assert (
        error_of(org.deregister_delegated_administrator, AccountId=MEMBER, ServicePrincipal=SERVICE)["Code"]
        == "AccountNotRegisteredException"
    )
    assert org.list_delegated_administrators()["DelegatedAdministrators"] == []
    assert error_of(member.list_accounts)["Code"] == "AccessDeniedException"
    member.leave_organization()


def test_the_resource_policy_delegates_the_calls_it_allows_to_the_principals_it_names(
    server: ServerProcess,
) -> None:
    org, member = management_client(server), member_client(server)
    assert error_of(org.describe_resource_policy)["Code"] == "ResourcePolicyNotFoundException"
    assert error_of(org.delete_resource_policy)["Code"] == "ResourcePolicyNotFoundException"
    refused = error_of(org.put_resource_policy, Content="not json")
    assert (refused["Code"], refused["Reason"]) == ("InvalidInputException", "INVALID_RESOURCE_POLICY_JSON")

    reads = policy_doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MEMBER}:root"},
            "Action": ["organizations:List*", "organizations:Describe*"],
            "Resource": "*",
        }
    )
    put = org.put_resource_policy(Content=reads, Tags=[{"Key": "team", "Value": "platform"}])[
        "ResourcePolicy"
    ]
    summary = put["ResourcePolicySummary"]
    assert summary["Id"].startswith("rp-")
    assert summary["Arn"] == (
        f"arn:aws:organizations::{MANAGEMENT}:resourcepolicy/"
        f"{org.describe_organization()['Organization']['Id']}/{summary['Id']}"
    )
    assert json.loads(put["Content"]) == json.loads(reads)
    assert org.describe_resource_policy()["ResourcePolicy"] == put
    assert org.list_tags_for_resource(ResourceId=summary["Id"])["Tags"] == [
        {"Key": "team", "Value": "platform"}
    ]
    assert member.describe_resource_policy()["ResourcePolicy"]["ResourcePolicySummary"] == summary
    assert error_of(member.put_resource_policy, Content=reads)["Code"] == "AccessDeniedException"

    # What the policy allows, the member may do; what it does not, stays the management account's.
    root = member.list_roots()["Roots"][0]["Id"]
    assert {a["Id"] for a in member.list_accounts()["Accounts"]} == {MANAGEMENT, MEMBER}
    content = policy_doc({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})
    create = {"Content": content, "Description": "", "Name": "no-deletes", "Type": "SERVICE_CONTROL_POLICY"}
    assert error_of(member.create_policy, **create)["Code"] == "AccessDeniedException"
    assert (
        error_of(member.create_organizational_unit, ParentId=root, Name="ou")["Code"]
        == "AccessDeniedException"
    )

    # Replacing the content keeps the policy's id; now the member manages policies too.
    manage = json.loads(reads)
    manage["Statement"][0]["Action"].append("organizations:CreatePolicy")
    again = org.put_resource_policy(Content=json.dumps(manage))["ResourcePolicy"]
    assert again["ResourcePolicySummary"] == summary
    made = member.create_policy(**create)["Policy"]["PolicySummary"]
    assert org.describe_policy(PolicyId=made["Id"])["Policy"]["PolicySummary"]["Name"] == "no-deletes"
    assert (
        error_of(member.create_organizational_unit, ParentId=root, Name="ou")["Code"]
        == "AccessDeniedException"
    )

    org.delete_resource_policy()
    assert error_of(member.list_roots)["Code"] == "AccessDeniedException"
    assert error_of(org.list_tags_for_resource, ResourceId=summary["Id"])["Code"] == "TargetNotFoundException"


def test_a_policy_type_condition_delegates_the_management_of_that_type_only(server: ServerProcess) -> None:
    org, member = management_client(server), member_client(server)
    tags_only = policy_doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{MEMBER}:root"},
            "Action": [
                "organizations:CreatePolicy",
                "organizations:DeletePolicy",
                "organizations:DescribePolicy",
            ],
            "Resource": "*",
            "Condition": {"StringEquals": {"organizations:PolicyType": "TAG_POLICY"}},
        }
    )
    org.put_resource_policy(Content=tags_only)
    tag_policy = json.dumps({"tags": {"team": {"tag_key": {"@@assign": "Team"}}}})
    made = member.create_policy(Content=tag_policy, Description="", Name="team-tags", Type="TAG_POLICY")
    policy_id = made["Policy"]["PolicySummary"]["Id"]
    assert member.describe_policy(PolicyId=policy_id)["Policy"]["PolicySummary"]["Type"] == "TAG_POLICY"
    scp = policy_doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    create = {"Content": scp, "Description": "", "Name": "no-s3", "Type": "SERVICE_CONTROL_POLICY"}
    assert error_of(member.create_policy, **create)["Code"] == "AccessDeniedException"
    scp_id = org.create_policy(**create)["Policy"]["PolicySummary"]["Id"]
    assert error_of(member.delete_policy, PolicyId=scp_id)["Code"] == "AccessDeniedException"
    member.delete_policy(PolicyId=policy_id)


def test_a_policy_type_condition_covers_the_aws_managed_policies(server: ServerProcess) -> None:
    """FullAWSAccess is a SERVICE_CONTROL_POLICY to the resource policy as any SCP is: a member
    denied the management of SCPs cannot detach it from itself (and so lock its account out)."""
    org, member = management_client(server), member_client(server)
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    member_root = {"AWS": f"arn:aws:iam::{MEMBER}:root"}
    all_but_scps = policy_doc(
        {"Effect": "Allow", "Principal": member_root, "Action": "organizations:*", "Resource": "*"},
        {
            "Effect": "Deny",
            "Principal": member_root,
            "Action": ["organizations:AttachPolicy", "organizations:DetachPolicy"],
            "Resource": "*",
            "Condition": {"StringEquals": {"organizations:PolicyType": "SERVICE_CONTROL_POLICY"}},
        },
    )
    org.put_resource_policy(Content=all_but_scps)
    detach = {"PolicyId": "p-FullAWSAccess", "TargetId": MEMBER}
    assert error_of(member.detach_policy, **detach)["Code"] == "AccessDeniedException"
    attached = org.list_policies_for_target(TargetId=MEMBER, Filter="SERVICE_CONTROL_POLICY")["Policies"]
    assert [p["Id"] for p in attached] == ["p-FullAWSAccess"]


def test_a_resource_policy_takes_nothing_from_members_or_outsiders(server: ServerProcess) -> None:
    """Any member still describes its organization, whatever the resource policy names; an account
    outside the organization is still told it is in none."""
    org, member = management_client(server), member_client(server)
    names_another = policy_doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::333333333333:root"},
            "Action": "organizations:*",
            "Resource": "*",
        }
    )
    org.put_resource_policy(Content=names_another)
    assert member.describe_organization()["Organization"]["MasterAccountId"] == MANAGEMENT
    for call in (member.list_accounts, member.list_roots):
        assert error_of(call)["Code"] == "AccessDeniedException"
    outsider = make_client(server.endpoint, "organizations")  # the default account, in no organization
    assert error_of(outsider.describe_organization)["Code"] == "AWSOrganizationsNotInUseException"
    assert error_of(outsider.list_roots)["Code"] == "AWSOrganizationsNotInUseException"
    refused = error_of(org.put_resource_policy, Content=json.dumps({"Statement": 5}))
    assert refused["Reason"] == "INVALID_RESOURCE_POLICY_JSON"
    member_root = {"AWS": f"arn:aws:iam::{MEMBER}:root"}

    def statement(**fields: Any) -> str:
        return policy_doc({"Effect": "Allow", "Principal": member_root, "Resource": "*", **fields})

    # What the IAM engine could not weigh, and calls no one but the management account makes, are refused.
    assert error_of(org.put_resource_policy, Content=statement(Action=5))["Reason"] == (
        "INVALID_RESOURCE_POLICY_JSON"
    )
    for action in ("organizations:CreateAccount", "s3:GetObject", ["organizations:ListRoots", "iam:*"]):
        unsupported = error_of(org.put_resource_policy, Content=statement(Action=action))
        assert (unsupported["Code"], unsupported["Reason"]) == (
            "InvalidInputException",
            "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY",
        )
    org.put_resource_policy(Content=statement(Action=["organizations:Describe*", "organizations:AttachPolicy"]))
    org.put_resource_policy(Content=statement(Action="organizations:listaccounts"))  # action names: any case


def test_with_authorization_off_the_resource_policy_still_decides_what_members_may_do() -> None:
    proc = declared_accounts_server(POCKETCLOUD_AUTH_DISABLED="1")
    try:
        org, member = management_client(proc), member_client(proc)
        org.create_organization(FeatureSet="ALL")
        listing_only = policy_doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{MEMBER}:root"},
                "Action": "organizations:ListAccounts",
                "Resource": "*",
            }
        )
        org.put_resource_policy(Content=listing_only)
        assert {a["Id"] for a in member.list_accounts()["Accounts"]} == {MANAGEMENT, MEMBER}
        scp = policy_doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*"})
        create = {"Content": scp, "Description": "", "Name": "no-s3", "Type": "SERVICE_CONTROL_POLICY"}
        assert error_of(member.create_policy, **create)["Code"] == "AccessDeniedException"
        assert error_of(member.list_roots)["Code"] == "AccessDeniedException"
    finally:
        proc.stop()
