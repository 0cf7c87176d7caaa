"""An organization's end: members leave it (LeaveOrganization) or are removed from it
(RemoveAccountFromOrganization), and the management account deletes it once it is empty
(DeleteOrganization: "The organization must be empty of member accounts"); its SCPs stop applying."""

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
    MEMBER_KEY,
    MEMBER_SECRET,
    declared_accounts_server,
    management_client,
    policy_doc,
)


@pytest.fixture
def server() -> Iterator[ServerProcess]:
    proc = declared_accounts_server()
    yield proc
    proc.stop()


def code_of(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return str(info.value.response["Error"]["Code"])


def test_an_organization_with_members_is_not_deleted_until_they_are_gone(server: ServerProcess) -> None:
    org = management_client(server)
    org.create_organization(FeatureSet="ALL")
    assert code_of(org.delete_organization) == "OrganizationNotEmptyException"
    assert code_of(org.remove_account_from_organization, AccountId=MANAGEMENT) == (
        "MasterCannotLeaveOrganizationException"
    )
    member = make_client(server.endpoint, "organizations", key=MEMBER_KEY, secret=MEMBER_SECRET)
    assert code_of(member.delete_organization) == "AccessDeniedException"
    member.leave_organization()
    assert code_of(member.describe_organization) == "AWSOrganizationsNotInUseException"
    assert [a["Id"] for a in org.list_accounts()["Accounts"]] == [MANAGEMENT]
    org.delete_organization()
    assert code_of(org.describe_organization) == "AWSOrganizationsNotInUseException"
    assert org.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"] == MANAGEMENT


def test_a_removed_account_is_out_of_reach_of_the_organizations_policies(server: ServerProcess) -> None:
    org = management_client(server)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    deny = org.create_policy(
        Content=policy_doc({"Effect": "Deny", "Action": "iam:ListUsers", "Resource": "*"}),
        Description="",
        Name="no-listing",
        Type="SERVICE_CONTROL_POLICY",
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=deny, TargetId=root)
    member_sts = make_client(server.endpoint, "sts", key=MEMBER_KEY, secret=MEMBER_SECRET)
    iam = make_client(server.endpoint, "iam", key=MEMBER_KEY, secret=MEMBER_SECRET)
    user = iam.create_user(UserName="worker")["User"]["UserName"]
    iam.put_user_policy(
        UserName=user,
        PolicyName="all",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )
    keys = iam.create_access_key(UserName=user)["AccessKey"]
    worker = make_client(server.endpoint, "iam", key=keys["AccessKeyId"], secret=keys["SecretAccessKey"])
    assert code_of(worker.list_users) == "AccessDenied"
    org.remove_account_from_organization(AccountId=MEMBER)
    assert [u["UserName"] for u in worker.list_users()["Users"]] == [user]
    assert member_sts.get_caller_identity()["Account"] == MEMBER  # the account itself stays
    assert code_of(org.remove_account_from_organization, AccountId=MEMBER) == "AccountNotFoundException"
    org.detach_policy(PolicyId=deny, TargetId=root)
    org.delete_policy(PolicyId=deny)
    org.delete_organization()
