"""Service control policies limit the principals of member accounts (Organizations "SCP evaluation").

A server of its own with two accounts declared besides the management account; both
join the organization the management account creates, and SCPs are enabled on its root.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client

MEMBER = "111111111111"
MEMBER_KEY, MEMBER_SECRET = "AKIASCPMEMBER0000001", "member-secret"
SECOND = "222222222222"
SECOND_KEY, SECOND_SECRET = "AKIASCPSECOND0000001", "second-secret"
SCP = "SERVICE_CONTROL_POLICY"


def _doc(effect: str, action: str | list[str], **extra: object) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": effect, "Action": action, "Resource": "*", **extra}],
        }
    )


@pytest.fixture(scope="module")
def org_server() -> Iterator[ServerProcess]:
    declared = f"{MEMBER}:{MEMBER_KEY}:{MEMBER_SECRET},{SECOND}:{SECOND_KEY}:{SECOND_SECRET}"
    proc = ServerProcess(env={"POCKETCLOUD_ACCOUNTS": declared}).start()
    org = proc.client("organizations")
    org.create_organization(FeatureSet="ALL")
    org.enable_policy_type(RootId=org.list_roots()["Roots"][0]["Id"], PolicyType=SCP)
    yield proc
    proc.stop()


@pytest.fixture
def org(org_server: ServerProcess):
    return org_server.client("organizations")


@pytest.fixture
def ou(org) -> Iterator[str]:
    """MEMBER in an OU of its own for one test; afterwards back in the root with only FullAWSAccess."""
    root_id = org.list_roots()["Roots"][0]["Id"]
    ou_id = org.create_organizational_unit(ParentId=root_id, Name="t-" + uuid.uuid4().hex[:8])[
        "OrganizationalUnit"
    ]["Id"]
    org.move_account(AccountId=MEMBER, SourceParentId=root_id, DestinationParentId=ou_id)
    yield ou_id
    org.move_account(AccountId=MEMBER, SourceParentId=ou_id, DestinationParentId=root_id)
    for target in (MEMBER, root_id):
        for policy in org.list_policies_for_target(TargetId=target, Filter=SCP)["Policies"]:
            if policy["Id"] != "p-FullAWSAccess":
                org.detach_policy(PolicyId=policy["Id"], TargetId=target)


def _attach(org, target: str, content: str) -> str:
    name = "scp-" + uuid.uuid4().hex[:8]
    policy_id = org.create_policy(Content=content, Description="", Name=name, Type=SCP)["Policy"][
        "PolicySummary"
    ]["Id"]
    org.attach_policy(PolicyId=policy_id, TargetId=target)
    return policy_id


def _member(org_server: ServerProcess, service: str, **kwargs: object):
    return make_client(org_server.endpoint, service, key=MEMBER_KEY, secret=MEMBER_SECRET, **kwargs)


def _denied(call) -> str:
    with pytest.raises(ClientError) as exc:
        call()
    assert exc.value.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 403)
    return exc.value.response["Error"]["Message"]


def test_an_scp_deny_limits_the_member_accounts_root_user(org_server: ServerProcess, org, ou: str) -> None:
    _attach(org, MEMBER, _doc("Deny", "sqs:*"))
    message = _denied(lambda: _member(org_server, "sqs").list_queues())
    assert message == (
        f"User: arn:aws:iam::{MEMBER}:root is not authorized to perform: sqs:listqueues on resource: * "
        "with an explicit deny in a service control policy"
    )
    _member(org_server, "s3").list_buckets()  # what the SCP does not deny stays allowed


def test_the_management_account_is_never_limited(org_server: ServerProcess, org, ou: str) -> None:
    root_id = org.list_roots()["Roots"][0]["Id"]
    _attach(org, root_id, _doc("Deny", "s3:*"))
    _attach(org, ROOT_ACCOUNT, _doc("Deny", "s3:*"))
    org_server.client("s3").list_buckets()
    assert _denied(lambda: _member(org_server, "s3").list_buckets()).endswith(
        "with an explicit deny in a service control policy"
    )


def test_every_level_must_allow(org_server: ServerProcess, org, ou: str) -> None:
    # The OU allows only SQS: FullAWSAccess on the account cannot widen it.
    _attach(org, ou, _doc("Allow", "sqs:*"))
    org.detach_policy(PolicyId="p-FullAWSAccess", TargetId=ou)
    try:
        _member(org_server, "sqs").list_queues()
        message = _denied(lambda: _member(org_server, "s3").list_buckets())
        assert message.endswith("because no service control policy allows the s3:ListAllMyBuckets action")
    finally:
        org.attach_policy(PolicyId="p-FullAWSAccess", TargetId=ou)


def test_scps_never_grant(org_server: ServerProcess) -> None:
    iam = _member(org_server, "iam")
    name = "u-" + uuid.uuid4().hex[:6]
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    sqs = make_client(org_server.endpoint, "sqs", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    # FullAWSAccess is attached at every level, yet the user has no identity policy.
    message = _denied(sqs.list_queues)
    assert message.endswith("because no identity-based policy allows the sqs:listqueues action")


def test_an_scp_deny_beats_an_iam_users_administrator_access(org_server: ServerProcess, org, ou: str) -> None:
    iam = _member(org_server, "iam")
    name = "admin-" + uuid.uuid4().hex[:6]
    iam.create_user(UserName=name)
    iam.attach_user_policy(UserName=name, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName=name)["AccessKey"]
    sqs = make_client(org_server.endpoint, "sqs", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    sqs.list_queues()
    _attach(org, ou, _doc("Deny", "sqs:ListQueues"))
    message = _denied(sqs.list_queues)
    assert message == (
        f"User: arn:aws:iam::{MEMBER}:user/{name} is not authorized to perform: sqs:listqueues on resource: * "
        "with an explicit deny in a service control policy"
    )


def test_changes_apply_at_once(org_server: ServerProcess, org, ou: str) -> None:
    s3 = _member(org_server, "s3")
    s3.list_buckets()
    policy_id = _attach(org, MEMBER, _doc("Deny", "s3:ListAllMyBuckets"))
    _denied(s3.list_buckets)
    org.update_policy(PolicyId=policy_id, Content=_doc("Deny", "s3:CreateBucket"))
    s3.list_buckets()
    org.update_policy(PolicyId=policy_id, Content=_doc("Deny", "s3:*"))
    _denied(s3.list_buckets)
    org.detach_policy(PolicyId=policy_id, TargetId=MEMBER)
    s3.list_buckets()
    # Moving the account out of a denying OU lifts the OU's deny.
    _attach(org, ou, _doc("Deny", "s3:*"))
    _denied(s3.list_buckets)
    root_id = org.list_roots()["Roots"][0]["Id"]
    org.move_account(AccountId=MEMBER, SourceParentId=ou, DestinationParentId=root_id)
    try:
        s3.list_buckets()
    finally:
        org.move_account(AccountId=MEMBER, SourceParentId=root_id, DestinationParentId=ou)


def test_scp_conditions_see_the_request(org_server: ServerProcess, org, ou: str) -> None:
    _attach(
        org, ou, _doc("Deny", "sqs:*", Condition={"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}})
    )
    _member(org_server, "sqs", region="us-east-1").list_queues()
    message = _denied(lambda: _member(org_server, "sqs", region="eu-west-1").list_queues())
    assert message.endswith("with an explicit deny in a service control policy")


def test_other_member_accounts_are_not_affected(org_server: ServerProcess, org, ou: str) -> None:
    _attach(org, ou, _doc("Deny", "sqs:*"))
    make_client(org_server.endpoint, "sqs", key=SECOND_KEY, secret=SECOND_SECRET).list_queues()


def test_disabling_scps_lifts_every_limit(org_server: ServerProcess, org, ou: str) -> None:
    _attach(org, ou, _doc("Deny", "sqs:*"))
    _denied(lambda: _member(org_server, "sqs").list_queues())
    root_id = org.list_roots()["Roots"][0]["Id"]
    org.disable_policy_type(RootId=root_id, PolicyType=SCP)
    try:
        _member(org_server, "sqs").list_queues()
    finally:
        org.enable_policy_type(RootId=root_id, PolicyType=SCP)
