"""Resource control policies (Organizations "Resource control policies (RCPs)", "RCP syntax",
"RCP evaluation"): the policy type's API, and RCPs capping what any caller may do to the
resources of member accounts on S3, SQS and STS.

A server of its own: a declared account (MANAGEMENT) creates the organization, so the other
declared account (MEMBER) joins it while the default account (OUTSIDER) stays outside it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.organizations.org_support import (
    MANAGEMENT,
    MANAGEMENT_KEY,
    MANAGEMENT_SECRET,
    MEMBER,
    MEMBER_KEY,
    MEMBER_SECRET,
    RCP,
    create_policy,
    management_client,
    organization_server,
    policy_attacher,
    policy_doc,
)

OUTSIDER = ROOT_ACCOUNT
FULL = "p-RCPFullAWSAccess"


def _deny(action: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": "*", **extra}


def _outside_org(org_id: str) -> dict[str, Any]:
    return {"Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id}}}


@pytest.fixture(scope="module")
def org_server() -> Iterator[ServerProcess]:
    yield from organization_server(RCP)


@pytest.fixture
def org(org_server: ServerProcess) -> Any:
    return management_client(org_server)


@pytest.fixture
def org_id(org: Any) -> str:
    return str(org.describe_organization()["Organization"]["Id"])


@pytest.fixture
def attach(org: Any) -> Iterator[Callable[..., str]]:
    yield from policy_attacher(org)


def _create(org: Any, content: str) -> str:
    return create_policy(org, content)


def _root_id(org: Any) -> str:
    return str(org.list_roots()["Roots"][0]["Id"])


def _error(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as exc:
        call()
    return exc.value.response  # type: ignore[return-value]


def _member(org_server: ServerProcess, service: str, **kwargs: Any) -> Any:
    return make_client(org_server.endpoint, service, key=MEMBER_KEY, secret=MEMBER_SECRET, **kwargs)


# -- the API ---------------------------------------------------------------------------------------


def test_enabling_rcps_shows_on_the_root_and_attaches_rcp_full_aws_access_everywhere(org: Any) -> None:
    root = org.list_roots()["Roots"][0]
    assert {"Type": RCP, "Status": "ENABLED"} in root["PolicyTypes"]
    ou = org.create_organizational_unit(ParentId=root["Id"], Name="rcp-" + uuid.uuid4().hex[:6])
    for target in (root["Id"], MEMBER, MANAGEMENT, ou["OrganizationalUnit"]["Id"]):
        ids = [p["Id"] for p in org.list_policies_for_target(TargetId=target, Filter=RCP)["Policies"]]
        assert ids == [FULL], target
    # SCPs are a type of their own, not enabled here.
    assert org.list_policies_for_target(TargetId=MEMBER, Filter="SERVICE_CONTROL_POLICY")["Policies"] == []


def test_an_account_created_while_rcps_are_enabled_gets_rcp_full_aws_access(org: Any) -> None:
    status = org.create_account(AccountName="late", Email=f"{uuid.uuid4().hex}@example.com")[
        "CreateAccountStatus"
    ]
    policies = org.list_policies_for_target(TargetId=status["AccountId"], Filter=RCP)["Policies"]
    assert [p["Id"] for p in policies] == [FULL]


def test_rcp_full_aws_access_is_aws_managed_and_immutable(org: Any) -> None:
    policy = org.describe_policy(PolicyId=FULL)["Policy"]
    assert policy["PolicySummary"] == {
        "Id": FULL,
        "Arn": "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess",
        "Name": "RCPFullAWSAccess",
        "Description": "Allows access to every resource",
        "Type": RCP,
        "AwsManaged": True,
    }
    assert json.loads(policy["Content"])["Statement"] == [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
    ]
    assert FULL in [p["Id"] for p in org.list_policies(Filter=RCP)["Policies"]]
    for call in (
        lambda: org.delete_policy(PolicyId=FULL),
        lambda: org.update_policy(PolicyId=FULL, Description="mine"),
    ):
        response = _error(call)
        assert (response["Error"]["Code"], response["Reason"]) == (
            "InvalidInputException",
            "IMMUTABLE_POLICY",
        )
    response = _error(lambda: org.detach_policy(PolicyId=FULL, TargetId=MEMBER))
    assert response["Error"]["Code"] == "ConstraintViolationException"


def test_create_describe_update_list_and_delete_an_rcp(org: Any, org_id: str) -> None:
    content = policy_doc(_deny("s3:*", **_outside_org(org_id)))
    policy_id = _create(org, content)
    summary = org.describe_policy(PolicyId=policy_id)["Policy"]["PolicySummary"]
    assert summary["Type"] == RCP and summary["AwsManaged"] is False
    assert (
        summary["Arn"]
        == f"arn:aws:organizations::{MANAGEMENT}:policy/{org_id}/resource_control_policy/{policy_id}"
    )
    assert policy_id in [p["Id"] for p in org.list_policies(Filter=RCP)["Policies"]]
    assert policy_id not in [p["Id"] for p in org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]]
    updated = policy_doc(_deny(["sqs:*", "sts:AssumeRole"]))
    assert org.update_policy(PolicyId=policy_id, Content=updated)["Policy"]["Content"] == updated
    org.attach_policy(PolicyId=policy_id, TargetId=MEMBER)
    targets = org.list_targets_for_policy(PolicyId=policy_id)["Targets"]
    assert [(t["TargetId"], t["Type"]) for t in targets] == [(MEMBER, "ACCOUNT")]
    assert [p["Id"] for p in org.list_policies_for_target(TargetId=MEMBER, Filter=RCP)["Policies"]] == [
        FULL,
        policy_id,
    ]
    assert _error(lambda: org.delete_policy(PolicyId=policy_id))["Error"]["Code"] == "PolicyInUseException"
    org.detach_policy(PolicyId=policy_id, TargetId=MEMBER)
    org.delete_policy(PolicyId=policy_id)
    assert (
        _error(lambda: org.describe_policy(PolicyId=policy_id))["Error"]["Code"] == "PolicyNotFoundException"
    )


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},  # only RCPFullAWSAccess allows
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},  # no Principal
        {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"}, "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "NotPrincipal": {"AWS": ROOT_ACCOUNT}, "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"},  # a service must be named
        {"Effect": "Deny", "Principal": "*", "Action": "ec2:RunInstances", "Resource": "*"},  # no RCP support
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*"},  # no Resource
    ],
)  # fmt: skip
def test_an_rcp_aws_would_refuse_is_a_malformed_policy_document(org: Any, statement: dict[str, Any]) -> None:
    response = _error(lambda: _create(org, policy_doc(statement)))
    assert response["Error"]["Code"] == "MalformedPolicyDocumentException"
    assert response["Error"]["Message"].startswith(
        "The provided policy document doesn't meet the requirements of the specified policy type."
    )


def test_rcps_of_every_supported_service_are_accepted(org: Any) -> None:
    policy_id = _create(
        org, policy_doc(_deny(["kms:Decrypt", "secretsmanager:GetSecretValue", "s3:Get*", "sts:*"]))
    )
    org.delete_policy(PolicyId=policy_id)


def test_an_rcp_over_5120_characters_is_refused(org: Any) -> None:
    statements = [dict(_deny("s3:GetObject"), Sid=f"S{i}") for i in range(80)]
    content = policy_doc(*statements)
    assert len(content) > 5120
    response = _error(lambda: _create(org, content))
    assert (response["Error"]["Code"], response["Reason"]) == (
        "ConstraintViolationException",
        "POLICY_CONTENT_LIMIT_EXCEEDED",
    )


def test_at_most_five_rcps_on_a_target(org: Any) -> None:
    ou = org.create_organizational_unit(ParentId=_root_id(org), Name="five-" + uuid.uuid4().hex[:6])
    ou_id = ou["OrganizationalUnit"]["Id"]
    for _ in range(4):  # RCPFullAWSAccess is the first
        org.attach_policy(PolicyId=_create(org, policy_doc(_deny("s3:*"))), TargetId=ou_id)
    sixth = _create(org, policy_doc(_deny("s3:*")))
    response = _error(lambda: org.attach_policy(PolicyId=sixth, TargetId=ou_id))
    assert (response["Error"]["Code"], response["Reason"]) == (
        "ConstraintViolationException",
        "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    )


def test_disabling_rcps_detaches_them_and_refuses_new_attachments(org: Any) -> None:
    root_id = _root_id(org)
    policy_id = _create(org, policy_doc(_deny("sqs:*")))
    org.attach_policy(PolicyId=policy_id, TargetId=MEMBER)
    try:
        root = org.disable_policy_type(RootId=root_id, PolicyType=RCP)["Root"]
        assert all(t["Type"] != RCP for t in root["PolicyTypes"])
        assert org.list_targets_for_policy(PolicyId=policy_id)["Targets"] == []
        assert org.list_policies_for_target(TargetId=MEMBER, Filter=RCP)["Policies"] == []
        response = _error(lambda: org.attach_policy(PolicyId=policy_id, TargetId=MEMBER))
        assert response["Error"]["Code"] == "PolicyTypeNotEnabledException"
    finally:
        org.enable_policy_type(RootId=root_id, PolicyType=RCP)
    assert [p["Id"] for p in org.list_policies_for_target(TargetId=MEMBER, Filter=RCP)["Policies"]] == [FULL]
    org.delete_policy(PolicyId=policy_id)


# -- enforcement -----------------------------------------------------------------------------------


def _shared_bucket(org_server: ServerProcess, s3: Any, principal: Any) -> str:
    bucket = f"rcp-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="report.txt", Body=b"numbers")
    policy = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=policy_doc(policy))
    return bucket


def test_an_rcp_caps_a_bucket_policy_that_lets_another_account_in(
    org_server: ServerProcess, attach: Callable[[str, str], str], org_id: str
) -> None:
    bucket = _shared_bucket(org_server, _member(org_server, "s3"), {"AWS": OUTSIDER})
    outsider = org_server.client("s3")
    assert outsider.get_object(Bucket=bucket, Key="report.txt")["Body"].read() == b"numbers"
    attach(MEMBER, policy_doc(_deny("s3:*", **_outside_org(org_id))))
    response = _error(lambda: outsider.get_object(Bucket=bucket, Key="report.txt"))
    # A caller outside the bucket owner's organization is told nothing more (S3's 403 troubleshooting).
    assert (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    ) == ("AccessDenied", 403, "Access Denied")
    # A principal of the organization passes the condition: the bucket's own account reads on.
    assert _member(org_server, "s3").get_object(Bucket=bucket, Key="report.txt")["Body"].read() == b"numbers"
    # RCPs limit the member's resources, not what its principals do elsewhere (SCPs would).
    elsewhere = f"{bucket}-out"
    outsider.create_bucket(Bucket=elsewhere)
    outsider.put_object(Bucket=elsewhere, Key="k", Body=b"theirs")
    grant = {
        "Effect": "Allow",
        "Principal": {"AWS": MEMBER},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{elsewhere}/*",
    }
    outsider.put_bucket_policy(Bucket=elsewhere, Policy=policy_doc(grant))
    assert _member(org_server, "s3").get_object(Bucket=elsewhere, Key="k")["Body"].read() == b"theirs"


def test_an_rcp_caps_anonymous_access_a_bucket_policy_allows(
    org_server: ServerProcess, attach: Callable[[str, str], str], org_id: str
) -> None:
    bucket = _shared_bucket(org_server, _member(org_server, "s3"), "*")
    anonymous = make_client(org_server.endpoint, "s3", signature_version=UNSIGNED)
    assert anonymous.get_object(Bucket=bucket, Key="report.txt")["Body"].read() == b"numbers"
    ou = make_client(org_server.endpoint, "organizations", key=MANAGEMENT_KEY, secret=MANAGEMENT_SECRET)
    attach(_root_id(ou), policy_doc(_deny("s3:GetObject", **_outside_org(org_id))))  # from the root down
    response = _error(lambda: anonymous.get_object(Bucket=bucket, Key="report.txt"))
    assert (response["Error"]["Code"], response["Error"]["Message"]) == ("AccessDenied", "Access Denied")


def test_rcps_do_not_limit_the_management_accounts_resources(
    org_server: ServerProcess, org: Any, attach: Callable[[str, str], str]
) -> None:
    management_s3 = make_client(org_server.endpoint, "s3", key=MANAGEMENT_KEY, secret=MANAGEMENT_SECRET)
    bucket = _shared_bucket(org_server, management_s3, {"AWS": OUTSIDER})
    attach(_root_id(org), policy_doc(_deny("s3:*")))
    attach(MANAGEMENT, policy_doc(_deny("s3:*")))
    assert org_server.client("s3").get_object(Bucket=bucket, Key="report.txt")["Body"].read() == b"numbers"


def test_an_rcp_condition_on_the_source_ip_denies_even_the_member_accounts_root(
    org_server: ServerProcess, attach: Callable[[str, str], str]
) -> None:
    s3 = _member(org_server, "s3")
    bucket = f"rcp-ip-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    attach(MEMBER, policy_doc(_deny("s3:PutObject", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})))
    response = _error(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x"))
    assert response["Error"]["Message"] == (
        f"User: arn:aws:iam::{MEMBER}:root is not authorized to perform: s3:PutObject on resource: "
        f'"arn:aws:s3:::{bucket}/k" with an explicit deny in a resource control policy'
    )
    s3.head_bucket(Bucket=bucket)  # what the RCP does not deny stays allowed


def test_an_rcp_caps_a_queue_policy_that_lets_another_account_in(
    org_server: ServerProcess, attach: Callable[[str, str], str], org_id: str
) -> None:
    queue_url = _member(org_server, "sqs").create_queue(QueueName="rcp-" + uuid.uuid4().hex[:8])["QueueUrl"]
    arn = _member(org_server, "sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    grant = {"Effect": "Allow", "Principal": {"AWS": OUTSIDER}, "Action": "sqs:SendMessage", "Resource": arn}
    _member(org_server, "sqs").set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": policy_doc(grant)})
    outsider = org_server.client("sqs")
    outsider.send_message(QueueUrl=queue_url, MessageBody="hello")
    attach(MEMBER, policy_doc(_deny("sqs:*", **_outside_org(org_id))))
    response = _error(lambda: outsider.send_message(QueueUrl=queue_url, MessageBody="hello"))
    assert response["Error"]["Message"] == (
        f"User: arn:aws:iam::{OUTSIDER}:root is not authorized to perform: sqs:sendmessage on resource: {arn} "
        "with an explicit deny in a resource control policy"
    )
    _member(org_server, "sqs").send_message(QueueUrl=queue_url, MessageBody="from inside")


def _user_that_may_assume(org_server: ServerProcess, key: str, secret: str) -> Any:
    iam = make_client(org_server.endpoint, "iam", key=key, secret=secret)
    name = "assumer-" + uuid.uuid4().hex[:8]
    iam.create_user(UserName=name)
    allow = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
    iam.put_user_policy(UserName=name, PolicyName="assume", PolicyDocument=policy_doc(allow))
    access = iam.create_access_key(UserName=name)["AccessKey"]
    return make_client(
        org_server.endpoint, "sts", key=access["AccessKeyId"], secret=access["SecretAccessKey"]
    )


def test_an_rcp_denies_assume_role_to_principals_outside_the_organization(
    org_server: ServerProcess, attach: Callable[[str, str], str], org_id: str
) -> None:
    trust = {"Effect": "Allow", "Principal": {"AWS": [OUTSIDER, MANAGEMENT]}, "Action": "sts:AssumeRole"}
    role_name = "shared-" + uuid.uuid4().hex[:8]
    role_arn = _member(org_server, "iam").create_role(
        RoleName=role_name, AssumeRolePolicyDocument=policy_doc(trust)
    )["Role"]["Arn"]
    outsider = _user_that_may_assume(org_server, "test", "test")
    insider = _user_that_may_assume(org_server, MANAGEMENT_KEY, MANAGEMENT_SECRET)
    outsider.assume_role(RoleArn=role_arn, RoleSessionName="before")
    attach(MEMBER, policy_doc(_deny("sts:AssumeRole", **_outside_org(org_id))))
    response = _error(lambda: outsider.assume_role(RoleArn=role_arn, RoleSessionName="after"))
    assert response["Error"]["Code"] == "AccessDenied"
    assert response["Error"]["Message"].endswith(
        f"is not authorized to perform: sts:AssumeRole on resource: {role_arn} "
        "with an explicit deny in a resource control policy"
    )
    insider.assume_role(RoleArn=role_arn, RoleSessionName="inside")  # aws:PrincipalOrgID matches


def test_rcps_never_grant(org_server: ServerProcess) -> None:
    # RCPFullAWSAccess allows everything through RCP evaluation, yet a bucket no policy opens stays closed.
    bucket = f"rcp-closed-{uuid.uuid4().hex[:8]}"
    _member(org_server, "s3").create_bucket(Bucket=bucket)
    response = _error(lambda: org_server.client("s3").head_bucket(Bucket=bucket))
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_an_rcp_condition_on_the_principals_path_in_the_organization(
    org_server: ServerProcess, org: Any, attach: Callable[[str, str], str], org_id: str
) -> None:
    root_id = _root_id(org)
    ou_id = org.create_organizational_unit(ParentId=root_id, Name="trusted-" + uuid.uuid4().hex[:6])[
        "OrganizationalUnit"
    ]["Id"]
    s3 = _member(org_server, "s3")
    bucket = f"rcp-path-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    only_trusted = {
        "ForAllValues:StringNotLike": {"aws:PrincipalOrgPaths": [f"{org_id}/{root_id}/{ou_id}/*"]}
    }
    attach(MEMBER, policy_doc(_deny("s3:GetObject", Condition=only_trusted)))
    message = _error(lambda: s3.get_object(Bucket=bucket, Key="k"))["Error"]["Message"]
    # The bucket's own account is told which policy denied it.
    assert message.startswith(f"User: arn:aws:iam::{MEMBER}:root is not authorized to perform: s3:GetObject")
    assert message.endswith("with an explicit deny in a resource control policy")
    org.move_account(AccountId=MEMBER, SourceParentId=root_id, DestinationParentId=ou_id)
    try:
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"  # now o-.../r-.../ou-.../
    finally:
        org.move_account(AccountId=MEMBER, SourceParentId=ou_id, DestinationParentId=root_id)


def test_an_rcp_on_an_ou_limits_an_account_only_while_the_account_is_in_it(
    org_server: ServerProcess, org: Any, attach: Callable[[str, str], str], org_id: str
) -> None:
    root_id = _root_id(org)
    ou_id = org.create_organizational_unit(ParentId=root_id, Name="closed-" + uuid.uuid4().hex[:6])[
        "OrganizationalUnit"
    ]["Id"]
    attach(ou_id, policy_doc(_deny("s3:GetObject", **_outside_org(org_id))))
    bucket = _shared_bucket(org_server, _member(org_server, "s3"), {"AWS": OUTSIDER})
    outsider = org_server.client("s3")
    assert outsider.get_object(Bucket=bucket, Key="report.txt")["Body"].read() == b"numbers"
    org.move_account(AccountId=MEMBER, SourceParentId=root_id, DestinationParentId=ou_id)
    try:
        assert _error(lambda: outsider.get_object(Bucket=bucket, Key="report.txt"))["Error"]["Code"] == (
            "AccessDenied"
        )
    finally:
        org.move_account(AccountId=MEMBER, SourceParentId=ou_id, DestinationParentId=root_id)
    # Out of the OU again: the same request, asked again, is allowed again.
    assert outsider.get_object(Bucket=bucket, Key="report.txt")["Body"].read() == b"numbers"


def test_disabling_rcps_lifts_the_denials_of_the_rcps_it_detached(
    org_server: ServerProcess, org: Any
) -> None:
    root_id = _root_id(org)
    bucket = _shared_bucket(org_server, _member(org_server, "s3"), "*")
    anonymous = make_client(org_server.endpoint, "s3", signature_version=UNSIGNED)
    anonymous_only = {"Null": {"aws:PrincipalAccount": "true"}}
    policy_id = _create(org, policy_doc(_deny("s3:GetObject", Condition=anonymous_only)))
    org.attach_policy(PolicyId=policy_id, TargetId=MEMBER)
    try:
        response = _error(lambda: anonymous.get_object(Bucket=bucket, Key="report.txt"))
        assert (response["Error"]["Code"], response["Error"]["Message"]) == ("AccessDenied", "Access Denied")
        org.disable_policy_type(RootId=root_id, PolicyType=RCP)
        assert anonymous.get_object(Bucket=bucket, Key="report.txt")["Body"].read() == b"numbers"
    finally:
        if all(t["Type"] != RCP for t in org.list_roots()["Roots"][0]["PolicyTypes"]):
            org.enable_policy_type(RootId=root_id, PolicyType=RCP)
        else:
            org.detach_policy(PolicyId=policy_id, TargetId=MEMBER)
    # Enabled again: only RCPFullAWSAccess is attached, so the anonymous read stays allowed.
    assert anonymous.get_object(Bucket=bucket, Key="report.txt")["Body"].read() == b"numbers"
    org.delete_policy(PolicyId=policy_id)


@pytest.mark.parametrize("version", [None, "2008-10-17"])
def test_an_rcp_without_version_2012_10_17_is_a_malformed_policy_document(
    org: Any, version: str | None
) -> None:
    document: dict[str, Any] = {"Statement": [_deny("s3:PutBucketPolicy")]}
    if version is not None:
        document["Version"] = version
    response = _error(lambda: _create(org, json.dumps(document)))
    assert response["Error"]["Code"] == "MalformedPolicyDocumentException"


def test_an_account_outside_the_organization_is_not_in_use(org_server: ServerProcess) -> None:
    """The default account never joined the organization MANAGEMENT made: DescribeOrganization and
    the management operations answer AWSOrganizationsNotInUseException, as for no organization."""
    outside = org_server.client("organizations")
    for call in (outside.describe_organization, outside.list_roots, outside.list_accounts):
        with pytest.raises(ClientError) as exc:
            call()
        assert exc.value.response["Error"]["Code"] == "AWSOrganizationsNotInUseException"
