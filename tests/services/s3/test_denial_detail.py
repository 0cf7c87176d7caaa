"""How much an S3 AccessDenied says: S3 explains a denial ("User: ... is not authorized to perform ...
because ...") to callers of the bucket owner's own account or organization, and tells anyone else only
"Access Denied" (S3 User Guide, "Troubleshoot access denied (403 Forbidden) errors")."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.s3.core_support import OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET, error_of, unique_bucket


def test_another_account_is_told_only_access_denied(two_accounts: ServerProcess) -> None:
    owner = make_client(two_accounts.endpoint, "s3")
    outsider = make_client(two_accounts.endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    name = unique_bucket("deny")
    owner.create_bucket(Bucket=name)
    owner.put_object(Bucket=name, Key="k", Body=b"1")
    # No policy lets the other account in: an implicit deny.
    assert error_of(outsider.get_object, Bucket=name, Key="k") == ("AccessDenied", 403, "Access Denied")
    # A bucket policy that denies it by name: an explicit deny, still not explained.
    owner.put_bucket_policy(
        Bucket=name,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                        "Action": "s3:PutObject",
                        "Resource": f"arn:aws:s3:::{name}/*",
                    }
                ],
            }
        ),
    )
    assert error_of(outsider.put_object, Bucket=name, Key="k", Body=b"2") == ("AccessDenied", 403, "Access Denied")
    assert owner.get_object(Bucket=name, Key="k")["Body"].read() == b"1"


def test_a_user_of_the_owner_account_is_told_why(two_accounts: ServerProcess) -> None:
    owner = make_client(two_accounts.endpoint, "s3")
    iam = make_client(two_accounts.endpoint, "iam")
    name = unique_bucket("deny")
    owner.create_bucket(Bucket=name)
    iam.create_user(UserName="no-policies")
    key = iam.create_access_key(UserName="no-policies")["AccessKey"]
    user = make_client(two_accounts.endpoint, "s3", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    code, status, message = error_of(user.list_objects_v2, Bucket=name)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: arn:aws:iam::{ROOT_ACCOUNT}:user/no-policies is not authorized to perform: s3:ListBucket "
        f'on resource: "arn:aws:s3:::{name}" because no identity-based policy allows the s3:ListBucket action'
    )


# A server whose two declared accounts form an organization (MANAGEMENT creates it, MEMBER joins);
# the default account stays outside it.
MANAGEMENT, MANAGEMENT_KEY, MANAGEMENT_SECRET = "222222222222", "AKIADENIALMANAGEMENT", "management-secret"
MEMBER, MEMBER_KEY, MEMBER_SECRET = "333333333333", "AKIADENIALMEMBER0001", "member-secret"


@pytest.fixture(scope="module")
def organization() -> Iterator[ServerProcess]:
    declared = f"{MANAGEMENT}:{MANAGEMENT_KEY}:{MANAGEMENT_SECRET},{MEMBER}:{MEMBER_KEY}:{MEMBER_SECRET}"
    proc = ServerProcess(env={"POCKETCLOUD_ACCOUNTS": declared}).start()
    org = make_client(proc.endpoint, "organizations", key=MANAGEMENT_KEY, secret=MANAGEMENT_SECRET)
    org.create_organization(FeatureSet="ALL")
    yield proc
    proc.stop()


def test_another_account_of_the_owners_organization_is_told_why(organization: ServerProcess) -> None:
    owner = make_client(organization.endpoint, "s3", key=MEMBER_KEY, secret=MEMBER_SECRET)
    name = unique_bucket("deny")
    owner.create_bucket(Bucket=name)
    insider = make_client(organization.endpoint, "s3", key=MANAGEMENT_KEY, secret=MANAGEMENT_SECRET)
    assert error_of(insider.list_objects_v2, Bucket=name) == (
        "AccessDenied",
        403,
        f"User: arn:aws:iam::{MANAGEMENT}:root is not authorized to perform: s3:ListBucket on resource: "
        f'"arn:aws:s3:::{name}" because no resource-based policy allows the s3:ListBucket action',
    )
    # The default account is in no organization: it is told nothing.
    outsider = make_client(organization.endpoint, "s3")
    assert error_of(outsider.list_objects_v2, Bucket=name) == ("AccessDenied", 403, "Access Denied")


def test_list_all_my_buckets_is_granted_and_denied_on_every_bucket(endpoint: str) -> None:
    # s3:ListAllMyBuckets has no resource type, yet a statement on arn:aws:s3:::* grants or denies it
    # as one on "*" does (AWS's policy examples grant it so), and one on a single bucket does not.
    # The refusal names no resource, as S3's does.
    iam = make_client(endpoint, "iam")
    name = f"lister-{unique_bucket('u')}"[:60]
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user = make_client(endpoint, "s3", key=key["AccessKeyId"], secret=key["SecretAccessKey"])

    def policy(*statements: dict[str, str]) -> None:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": list(statements)}))

    implicit = (
        f"User: arn:aws:iam::{ROOT_ACCOUNT}:user/{name} is not authorized to perform: s3:ListAllMyBuckets "
        "because no identity-based policy allows the s3:ListAllMyBuckets action"
    )
    assert error_of(user.list_buckets) == ("AccessDenied", 403, implicit)
    policy({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::some-bucket"})
    assert error_of(user.list_buckets) == ("AccessDenied", 403, implicit)
    policy({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::*"})
    assert "Buckets" in user.list_buckets()
    policy(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::*"},
    )
    assert error_of(user.list_buckets) == ("AccessDenied", 403, (
        f"User: arn:aws:iam::{ROOT_ACCOUNT}:user/{name} is not authorized to perform: s3:ListAllMyBuckets "
        "with an explicit deny in an identity-based policy"
    ))
