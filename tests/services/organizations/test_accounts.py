"""Several accounts on one server: Organizations accounts, their root keys, cross-account roles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client


@pytest.fixture(scope="module")
def org_server():
    """A server of its own: an organization is one per server, and these tests create one."""
    declared = "111111111111:AKIADECLAREDKEY00001:declared-secret"
    proc = ServerProcess(env={"POCKETCLOUD_ACCOUNTS": declared}).start()
    yield proc
    proc.stop()


def _organization(org_server: ServerProcess) -> Any:
    """An Organizations client of the management account, its organization made if not yet."""
    org = org_server.client("organizations")
    try:
        org.create_organization(FeatureSet="ALL")
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "AlreadyInOrganizationException"
    return org


def _cli(org_server: ServerProcess, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POCKETCLOUD_PORT": str(org_server.port)}
    return subprocess.run([sys.executable, "-m", "pocketcloud", *args], env=env, capture_output=True, text=True, timeout=60)


def _credentials(output: str) -> tuple[str, str, str]:
    lines = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    account = output.split()[1]
    return account, lines["AWS_ACCESS_KEY_ID"], lines["AWS_SECRET_ACCESS_KEY"]


def test_cli_creates_an_account_whose_root_key_works(org_server: ServerProcess) -> None:
    out = _cli(org_server, "accounts", "create", "ci-" + uuid.uuid4().hex[:6])
    assert out.returncode == 0, out.stderr
    account, key, secret = _credentials(out.stdout)
    identity = make_client(org_server.endpoint, "sts", key=key, secret=secret).get_caller_identity()
    assert identity["Account"] == account != ROOT_ACCOUNT
    assert identity["Arn"] == f"arn:aws:iam::{account}:root"
    listed = _cli(org_server, "accounts", "list")
    assert account in listed.stdout and ROOT_ACCOUNT in listed.stdout


def test_iam_state_is_kept_per_account(org_server: ServerProcess) -> None:
    account, key, secret = _credentials(_cli(org_server, "accounts", "create", "iso-" + uuid.uuid4().hex[:6]).stdout)
    other = make_client(org_server.endpoint, "iam", key=key, secret=secret)
    other.create_user(UserName="only-there")
    names = [u["UserName"] for u in org_server.client("iam").list_users()["Users"]]
    assert "only-there" not in names
    assert other.get_user(UserName="only-there")["User"]["Arn"] == f"arn:aws:iam::{account}:user/only-there"


def test_declared_account_root_key_is_accepted(org_server: ServerProcess) -> None:
    sts = make_client(org_server.endpoint, "sts", key="AKIADECLAREDKEY00001", secret="declared-secret")
    assert sts.get_caller_identity()["Account"] == "111111111111"


def test_describe_account_and_create_account_status(org_server: ServerProcess) -> None:
    org = _organization(org_server)
    status = org.create_account(AccountName="described", Email=f"{uuid.uuid4().hex}@example.com")["CreateAccountStatus"]
    assert status["State"] == "SUCCEEDED"
    again = org.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert again["AccountId"] == status["AccountId"]
    account = org.describe_account(AccountId=status["AccountId"])["Account"]
    assert account["Name"] == "described" and account["Status"] == "ACTIVE"
    with pytest.raises(ClientError) as exc:
        org.describe_account(AccountId="999999999999")
    assert exc.value.response["Error"]["Code"] == "AccountNotFoundException"


def test_cross_account_assume_role_needs_trust_and_identity_policy(org_server: ServerProcess) -> None:
    account, key, secret = _credentials(_cli(org_server, "accounts", "create", "prod-" + uuid.uuid4().hex[:6]).stdout)
    role_arn = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
    iam = org_server.client("iam")
    user = "ci-" + uuid.uuid4().hex[:6]
    iam.create_user(UserName=user)
    access = iam.create_access_key(UserName=user)["AccessKey"]
    sts = make_client(org_server.endpoint, "sts", key=access["AccessKeyId"], secret=access["SecretAccessKey"])
    # The target role trusts the management account, but the caller's own account has not allowed it.
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn=role_arn, RoleSessionName="deploy")
    assert exc.value.response["Error"]["Code"] == "AccessDenied"
    iam.put_user_policy(UserName=user, PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}],
    }))
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="deploy")["Credentials"]
    session = make_client(org_server.endpoint, "sts", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token=creds["SessionToken"])
    assert session.get_caller_identity()["Arn"] == f"arn:aws:sts::{account}:assumed-role/OrganizationAccountAccessRole/deploy"


def test_create_account_with_an_email_in_use_fails_its_request(org_server: ServerProcess) -> None:
    """CreateAccount is asynchronous and has no error for a used email: the request FAILS with
    FailureReason EMAIL_ALREADY_EXISTS, as DescribeCreateAccountStatus reports (API reference)."""
    org = _organization(org_server)
    email = f"{uuid.uuid4().hex}@example.com"
    org.create_account(AccountName="first", Email=email)
    before = len(org.list_accounts()["Accounts"])
    status = org.create_account(AccountName="second", Email=email)["CreateAccountStatus"]
    assert status["State"] == "FAILED" and status["FailureReason"] == "EMAIL_ALREADY_EXISTS"
    assert "AccountId" not in status
    again = org.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert (again["State"], again["FailureReason"], again["AccountName"]) == ("FAILED", "EMAIL_ALREADY_EXISTS", "second")
    assert len(org.list_accounts()["Accounts"]) == before


def test_create_account_tags_the_new_account(org_server: ServerProcess) -> None:
    org = _organization(org_server)
    status = org.create_account(AccountName="tagged", Email=f"{uuid.uuid4().hex}@example.com",
                                Tags=[{"Key": "env", "Value": "prod"}])["CreateAccountStatus"]  # fmt: skip
    assert org.list_tags_for_resource(ResourceId=status["AccountId"])["Tags"] == [{"Key": "env", "Value": "prod"}]


def test_cli_refuses_a_second_account_of_one_name(org_server: ServerProcess) -> None:
    name = "twice-" + uuid.uuid4().hex[:6]
    assert _cli(org_server, "accounts", "create", name).returncode == 0
    again = _cli(org_server, "accounts", "create", name)
    assert again.returncode == 1 and "EMAIL_ALREADY_EXISTS" in again.stderr and "Traceback" not in again.stderr


def test_list_create_account_status_filters_by_state(org_server: ServerProcess) -> None:
    org = _organization(org_server)
    email = f"{uuid.uuid4().hex}@example.com"
    made = org.create_account(AccountName="listed", Email=email)["CreateAccountStatus"]
    failed = org.create_account(AccountName="listed-again", Email=email)["CreateAccountStatus"]
    every = org.get_paginator("list_create_account_status").paginate(PaginationConfig={"PageSize": 1})
    ids = [s["Id"] for page in every for s in page["CreateAccountStatuses"]]
    assert made["Id"] in ids and failed["Id"] in ids and len(ids) == len(set(ids))
    succeeded = org.list_create_account_status(States=["SUCCEEDED"])["CreateAccountStatuses"]
    assert made["Id"] in [s["Id"] for s in succeeded] and {s["State"] for s in succeeded} == {"SUCCEEDED"}
    only_failed = org.list_create_account_status(States=["FAILED"])["CreateAccountStatuses"]
    assert [s["Id"] for s in only_failed if s["Id"] == failed["Id"]] == [failed["Id"]]
    assert {s["State"] for s in only_failed} == {"FAILED"}


def test_a_consolidated_billing_organization_has_no_policy_types() -> None:
    """The API reference's CreateOrganization example for CONSOLIDATED_BILLING: AvailablePolicyTypes []."""
    proc = ServerProcess().start()
    try:
        org = proc.client("organizations")
        created = org.create_organization(FeatureSet="CONSOLIDATED_BILLING")["Organization"]
        assert (created["FeatureSet"], created["AvailablePolicyTypes"]) == ("CONSOLIDATED_BILLING", [])
        assert org.describe_organization()["Organization"]["AvailablePolicyTypes"] == []
        root_id = org.list_roots()["Roots"][0]["Id"]
        with pytest.raises(ClientError) as exc:
            org.enable_policy_type(RootId=root_id, PolicyType="SERVICE_CONTROL_POLICY")
        assert exc.value.response["Error"]["Code"] == "PolicyTypeNotAvailableForOrganizationException"
    finally:
        proc.stop()


def test_close_account_suspends_a_member_once(org_server: ServerProcess) -> None:
    """CloseAccount: the account ends SUSPENDED (DescribeAccount's Status and State) and stays listed;
    closing it again is AccountAlreadyClosedException, the management account CANNOT_CLOSE_MANAGEMENT_ACCOUNT."""
    org = _organization(org_server)
    account = org.create_account(AccountName="closing", Email=f"{uuid.uuid4().hex}@example.com")["CreateAccountStatus"]["AccountId"]
    org.close_account(AccountId=account)
    described = org.describe_account(AccountId=account)["Account"]
    assert (described["Status"], described["State"]) == ("SUSPENDED", "SUSPENDED")
    assert account in [a["Id"] for a in org.get_paginator("list_accounts").paginate().build_full_result()["Accounts"]]
    with pytest.raises(ClientError) as exc:
        org.close_account(AccountId=account)
    assert exc.value.response["Error"]["Code"] == "AccountAlreadyClosedException"
    with pytest.raises(ClientError) as exc:
        org.close_account(AccountId=ROOT_ACCOUNT)
    assert exc.value.response["Error"]["Code"] == "ConstraintViolationException"
    assert exc.value.response["Reason"] == "CANNOT_CLOSE_MANAGEMENT_ACCOUNT"
    with pytest.raises(ClientError) as exc:
        org.close_account(AccountId="999999999999")
    assert exc.value.response["Error"]["Code"] == "AccountNotFoundException"


def test_an_s3_acl_may_grant_to_an_account_organizations_created(org_server: ServerProcess) -> None:
    """S3 takes the canonical id of any existing account in a grant; that of an account created with
    Organizations was refused as 'Invalid id' (ceph s3-tests' test_object_copy_not_owned_object_bucket)."""
    account, key, secret = _credentials(_cli(org_server, "accounts", "create", "acl-" + uuid.uuid4().hex[:6]).stdout)
    theirs = make_client(org_server.endpoint, "s3", key=key, secret=secret)
    canonical = theirs.list_buckets()["Owner"]["ID"]
    ours = org_server.client("s3")
    bucket = f"granted-{uuid.uuid4().hex[:8]}"
    ours.create_bucket(Bucket=bucket, ObjectOwnership="ObjectWriter")
    ours.put_object(Bucket=bucket, Key="shared", Body=b"for them")
    with pytest.raises(ClientError):
        theirs.get_object(Bucket=bucket, Key="shared")
    ours.put_object_acl(Bucket=bucket, Key="shared", GrantRead=f"id={canonical}")
    assert theirs.get_object(Bucket=bucket, Key="shared")["Body"].read() == b"for them"
    grants = ours.get_object_acl(Bucket=bucket, Key="shared")["Grants"]
    assert {"Grantee": {"ID": canonical, "Type": "CanonicalUser"}, "Permission": "READ"} in grants
    assert account != ROOT_ACCOUNT
