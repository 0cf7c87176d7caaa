"""Centralized root access through boto3: Organizations' trusted access for IAM, IAM's
organizations features (root credentials management, root sessions), and sts:AssumeRoot,
whose session is a member account's root limited by its task policy.

An organization is one per server, so these tests run against a server of their own.
"""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.iam.support import Caller, allow, doc, error_of, session_client

TASKS = "arn:aws:iam::aws:policy/root-task/"


@pytest.fixture(scope="module")
def org_server() -> Iterator[ServerProcess]:
    proc = ServerProcess().start()
    yield proc
    proc.stop()


def _member(server: ServerProcess) -> tuple[str, Any]:
    """A new member account and an S3 client signing as its root user."""
    status = server.client(
        "organizations"
    ).create_account(  # type: ignore[attr-defined]
        AccountName="member", Email=f"{uuid.uuid4().hex[:8]}@example.com"
    )["CreateAccountStatus"]
    account = status["AccountId"]
    with urllib.request.urlopen(f"{server.endpoint}/_pocketcloud/accounts/{account}") as answer:
        keys = json.load(answer)
    return account, make_client(
        server.endpoint, "s3", key=keys["AccessKeyId"], secret=keys["SecretAccessKey"]
    )


def test_features_need_an_organization_that_trusts_iam(org_server: ServerProcess) -> None:
    iam: Any = org_server.client("iam")
    assert error_of(iam.list_organizations_features)[:2] == ("OrganizationNotFoundException", 400)
    org_server.client("organizations").create_organization(FeatureSet="ALL")  # type: ignore[attr-defined]
    assert error_of(iam.enable_organizations_root_sessions)[:2] == ("ServiceAccessNotEnabledException", 400)
    organizations: Any = org_server.client("organizations")
    organizations.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    listed = organizations.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert [p["ServicePrincipal"] for p in listed] == ["iam.amazonaws.com"]
    org_id = organizations.describe_organization()["Organization"]["Id"]
    listed_features = iam.list_organizations_features()
    assert (listed_features["OrganizationId"], listed_features.get("EnabledFeatures", [])) == (org_id, [])
    enabled = iam.enable_organizations_root_credentials_management()
    assert (enabled["OrganizationId"], enabled["EnabledFeatures"]) == (org_id, ["RootCredentialsManagement"])
    enabled = iam.enable_organizations_root_sessions()
    assert enabled["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    assert iam.list_organizations_features()["EnabledFeatures"] == [
        "RootCredentialsManagement",
        "RootSessions",
    ]
    assert iam.disable_organizations_root_credentials_management()["EnabledFeatures"] == ["RootSessions"]


def test_a_member_account_cannot_manage_the_features(org_server: ServerProcess) -> None:
    account, _ = _member(org_server)
    with urllib.request.urlopen(f"{org_server.endpoint}/_pocketcloud/accounts/{account}") as answer:
        keys = json.load(answer)
    member_iam = make_client(
        org_server.endpoint, "iam", key=keys["AccessKeyId"], secret=keys["SecretAccessKey"]
    )
    assert error_of(member_iam.enable_organizations_root_sessions)[:2] == (
        "CallerIsNotManagementAccountException",
        400,
    )
    code = error_of(member_iam.list_organizations_features)[0]
    assert code == "AccountNotManagementOrDelegatedAdministratorException"


def _root_operator(server: ServerProcess) -> Caller:
    iam: Any = server.client("iam")
    caller = Caller(server.endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="root", PolicyDocument=doc(allow("sts:AssumeRoot")))
    return caller


def test_assume_root_is_the_member_root_limited_by_the_task_policy(org_server: ServerProcess) -> None:
    account, member_s3 = _member(org_server)
    bucket = f"locked-{uuid.uuid4().hex[:8]}"
    member_s3.create_bucket(Bucket=bucket)
    member_s3.put_bucket_policy(
        Bucket=bucket,
        Policy=doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ),
    )
    sts = _root_operator(org_server).client("sts")
    answer = sts.assume_root(TargetPrincipal=account, TaskPolicyArn={"arn": TASKS + "S3UnlockBucketPolicy"})
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    identity = session_client(org_server.endpoint, "sts", credentials).get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (account, f"arn:aws:iam::{account}:root")
    s3 = session_client(org_server.endpoint, "s3", credentials)
    s3.delete_bucket_policy(Bucket=bucket)  # the task it is for
    code, status, message = error_of(s3.create_bucket, Bucket=f"other-{uuid.uuid4().hex[:8]}")
    assert (code, status) == ("AccessDenied", 403)
    assert "explicit deny in a session policy" in message


def test_assume_root_sessions_last_at_most_15_minutes(org_server: ServerProcess) -> None:
    account, _ = _member(org_server)
    sts = _root_operator(org_server).client("sts")
    code, status, _ = error_of(
        sts.assume_root,
        TargetPrincipal=account,
        TaskPolicyArn={"arn": TASKS + "SQSUnlockQueuePolicy"},
        DurationSeconds=901,
    )
    assert (code, status) == ("ValidationError", 400)


def test_assume_root_accepts_only_the_task_policies(org_server: ServerProcess) -> None:
    account, _ = _member(org_server)
    sts = _root_operator(org_server).client("sts")
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    assert error_of(sts.assume_root, TargetPrincipal=account, TaskPolicyArn={"arn": admin})[:2] == (
        "ValidationError",
        400,
    )


def test_assume_root_needs_a_member_account(org_server: ServerProcess) -> None:
    sts = _root_operator(org_server).client("sts")
    task = {"arn": TASKS + "IAMAuditRootUserCredentials"}
    assert error_of(sts.assume_root, TargetPrincipal="123456789012", TaskPolicyArn=task)[:2] == (
        "AccessDenied",
        403,
    )
    assert error_of(sts.assume_root, TargetPrincipal=ROOT_ACCOUNT, TaskPolicyArn=task)[:2] == (
        "AccessDenied",
        403,
    )


def test_an_iam_user_without_sts_assume_root_is_denied(org_server: ServerProcess) -> None:
    account, _ = _member(org_server)
    caller = Caller(org_server.endpoint, org_server.client("iam"))
    code, status, message = error_of(
        caller.client("sts").assume_root,
        TargetPrincipal=account,
        TaskPolicyArn={"arn": TASKS + "IAMAuditRootUserCredentials"},
    )
    assert (code, status) == ("AccessDenied", 403)
    assert f"sts:AssumeRoot on resource: arn:aws:iam::{account}:root" in message


def test_assume_root_needs_root_sessions_enabled(org_server: ServerProcess) -> None:
    iam: Any = org_server.client("iam")
    account, _ = _member(org_server)
    sts = _root_operator(org_server).client("sts")
    iam.disable_organizations_root_sessions()
    try:
        task = {"arn": TASKS + "IAMAuditRootUserCredentials"}
        assert error_of(sts.assume_root, TargetPrincipal=account, TaskPolicyArn=task)[:2] == (
            "AccessDenied",
            403,
        )
    finally:
        iam.enable_organizations_root_sessions()


def test_iam_features_calls_are_authorized(org_server: ServerProcess) -> None:
    caller = Caller(org_server.endpoint, org_server.client("iam"))
    own = caller.client("iam")
    for call in (
        own.list_organizations_features,
        own.enable_organizations_root_sessions,
        own.get_account_properties,
    ):
        assert error_of(call)[:2] == ("AccessDenied", 403)
