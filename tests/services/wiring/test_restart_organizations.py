"""Organizations and S3 Control state is the same after a SIGTERM or kill -9 restart (how: restart_support.py)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.s3.access_support import s3control
from tests.services.wiring.restart_support import (
    REGION,
    STOPS,
    describe,
    unique,
)

# -- Organizations and S3 Control ------------------------------------------------------------------


def _build_org(server: ServerProcess) -> dict[str, Any]:
    org: Any = server.client("organizations")
    control: Any = s3control(server.endpoint)
    s3: Any = server.client("s3")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    unit = org.create_organizational_unit(ParentId=root, Name="workloads", Tags=[{"Key": "ou", "Value": "1"}])[
        "OrganizationalUnit"]["Id"]
    status = org.create_account(AccountName="prod", Email=f"{uuid.uuid4().hex}@example.com",
                                Tags=[{"Key": "stage", "Value": "prod"}])["CreateAccountStatus"]
    account = status["AccountId"]
    org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=unit)
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    policy = org.create_policy(Name="deny-leave", Type="SERVICE_CONTROL_POLICY", Description="no leaving",
                               Content=json.dumps({"Version": "2012-10-17", "Statement": [
                                   {"Effect": "Deny", "Action": "organizations:LeaveOrganization",
                                    "Resource": "*"}]}))["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policy, TargetId=unit)
    org.enable_aws_service_access(ServicePrincipal="config.amazonaws.com")
    bucket = unique("ap-bucket")
    s3.create_bucket(Bucket=bucket)
    point = unique("point")
    control.create_access_point(AccountId=ROOT_ACCOUNT, Name=point, Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": False})
    control.put_access_point_policy(AccountId=ROOT_ACCOUNT, Name=point, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"},
                                                "Action": "s3:GetObject",
                                                "Resource": f"arn:aws:s3:{REGION}:{ROOT_ACCOUNT}:accesspoint/{point}/object/*"}]}))
    control.put_public_access_block(AccountId=ROOT_ACCOUNT, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
    control.tag_resource(AccountId=ROOT_ACCOUNT,
                         ResourceArn=f"arn:aws:s3:{REGION}:{ROOT_ACCOUNT}:accesspoint/{point}",
                         Tags=[{"Key": "ap", "Value": "tagged"}])
    s3.put_object(Bucket=bucket, Key="through-the-point", Body=b"via access point")
    return {"root": root, "unit": unit, "account": account, "status": status["Id"], "policy": policy,
            "point": point, "bucket": bucket}


def _describe_org(server: ServerProcess, state: dict[str, Any]) -> dict[str, Any]:
    org: Any = server.client("organizations")
    control: Any = s3control(server.endpoint)
    s3: Any = server.client("s3")
    point, me = state["point"], ROOT_ACCOUNT
    found = describe([
        ("organization", org.describe_organization, {}),
        ("roots", org.list_roots, {}),
        ("accounts", org.list_accounts, {}),
        ("account", org.describe_account, {"AccountId": state["account"]}),
        ("status", org.describe_create_account_status, {"CreateAccountRequestId": state["status"]}),
        ("unit", org.describe_organizational_unit, {"OrganizationalUnitId": state["unit"]}),
        ("units", org.list_organizational_units_for_parent, {"ParentId": state["root"]}),
        ("in_unit", org.list_accounts_for_parent, {"ParentId": state["unit"]}),
        ("parents", org.list_parents, {"ChildId": state["account"]}),
        ("children", org.list_children, {"ParentId": state["root"], "ChildType": "ORGANIZATIONAL_UNIT"}),
        ("policy", org.describe_policy, {"PolicyId": state["policy"]}),
        ("policies", org.list_policies, {"Filter": "SERVICE_CONTROL_POLICY"}),
        ("targets", org.list_targets_for_policy, {"PolicyId": state["policy"]}),
        ("for_target", org.list_policies_for_target, {"TargetId": state["unit"], "Filter": "SERVICE_CONTROL_POLICY"}),
        ("account_tags", org.list_tags_for_resource, {"ResourceId": state["account"]}),
        ("unit_tags", org.list_tags_for_resource, {"ResourceId": state["unit"]}),
        ("service_access", org.list_aws_service_access_for_organization, {}),
        ("point", control.get_access_point, {"AccountId": me, "Name": point}),
        ("points", control.list_access_points, {"AccountId": me, "Bucket": state["bucket"]}),
        ("point_policy", control.get_access_point_policy, {"AccountId": me, "Name": point}),
        ("point_policy_status", control.get_access_point_policy_status, {"AccountId": me, "Name": point}),
        ("point_tags", control.list_tags_for_resource, {
            "AccountId": me, "ResourceArn": f"arn:aws:s3:{REGION}:{me}:accesspoint/{point}"}),
        ("account_block", control.get_public_access_block, {"AccountId": me}),
    ])
    alias = found["point"]["Alias"]
    found["through_alias"] = s3.get_object(Bucket=alias, Key="through-the-point")["Body"].read()
    return found


@pytest.mark.parametrize("how", STOPS)
def test_organization_and_access_points_survive_a_restart(first: ServerProcess, restart: Any, how: str) -> None:
    state = _build_org(first)
    before = _describe_org(first, state)
    second = restart(first, how)
    assert _describe_org(second, state) == before
    # The member account is still a working account: its OrganizationAccountAccessRole can be assumed.
    iam: Any = second.client("iam")
    admin = unique("admin")
    iam.create_user(UserName=admin)
    iam.attach_user_policy(UserName=admin, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName=admin)["AccessKey"]
    sts = make_client(second.endpoint, "sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    role = f"arn:aws:iam::{state['account']}:role/OrganizationAccountAccessRole"
    creds = sts.assume_role(RoleArn=role, RoleSessionName="admin")["Credentials"]
    member = make_client(second.endpoint, "sts", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                         token=creds["SessionToken"])
    assert member.get_caller_identity()["Account"] == state["account"]
