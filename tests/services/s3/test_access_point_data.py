"""S3 requests through an access point (its alias or its ARN) through boto3: they act on the bucket,
and are allowed only when both the access point (its policy, the caller's identity policies) and
the bucket (its policy, usually delegating with s3:DataAccessPointAccount) allow them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.s3.access_support import error_code, http, iam_user, policy, s3control, statement
from tests.services.s3.core_support import (
    OTHER_KEY,
    OTHER_SECRET,
    empty_locked_bucket,
    error_of,
    send_to_loopback,
    server_port,
)


@pytest.fixture(scope="module")
def control(endpoint: str) -> Any:
    return s3control(endpoint)


class AccessPoint:
    def __init__(self, name: str, alias: str, bucket: str) -> None:
        self.name, self.alias, self.bucket = name, alias, bucket
        self.arn = f"arn:aws:s3:us-east-1:{ROOT_ACCOUNT}:accesspoint/{name}"


@pytest.fixture
def make_ap(control: Any, bucket: str) -> Iterator[Any]:
    made: list[str] = []

    def make(**kwargs: Any) -> AccessPoint:
        name = f"ap-{uuid.uuid4().hex[:10]}"
        alias = control.create_access_point(AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket, **kwargs)[
            "Alias"
        ]
        made.append(name)
        return AccessPoint(name, alias, bucket)

    yield make
    for name in made:
        control.delete_access_point(AccountId=ROOT_ACCOUNT, Name=name)


def through_arn_host(client: Any, endpoint: str) -> Any:
    """boto3 sends an access point ARN's requests to `<name>-<account>.<endpoint host>`, which no DNS
    resolves here: connect to the test server as a hosts entry would."""
    client.meta.events.register_first("before-send.s3", send_to_loopback(server_port(endpoint)))
    return client


def delegate_to_access_points(
    s3: Any, bucket: str, condition_key: str = "s3:DataAccessPointAccount", value: str = ROOT_ACCOUNT
) -> None:
    """The bucket policy AWS recommends: access control delegated to the account's access points."""
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            statement(
                "Allow",
                {"AWS": "*"},
                "*",
                [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                Condition={"StringEquals": {condition_key: value}},
            )
        ),
    )


def grant(
    control: Any, ap: AccessPoint, principal: str, actions: list[str], resource_suffix: str = "/object/*"
) -> None:
    control.put_access_point_policy(
        AccountId=ROOT_ACCOUNT,
        Name=ap.name,
        Policy=policy(statement("Allow", {"AWS": principal}, actions, f"{ap.arn}{resource_suffix}")),
    )


# -- the data path acts on the bucket --------------------------------------------------------------


def test_objects_written_through_the_alias_are_in_the_bucket(s3: Any, make_ap: Any) -> None:
    ap = make_ap()
    s3.put_object(Bucket=ap.alias, Key="docs/a.txt", Body=b"through the alias")
    assert s3.get_object(Bucket=ap.bucket, Key="docs/a.txt")["Body"].read() == b"through the alias"
    assert s3.get_object(Bucket=ap.alias, Key="docs/a.txt")["Body"].read() == b"through the alias"
    assert s3.head_object(Bucket=ap.alias, Key="docs/a.txt")["ContentLength"] == len(b"through the alias")


def test_list_objects_v2_through_the_alias_lists_the_bucket(s3: Any, make_ap: Any) -> None:
    ap = make_ap()
    for key in ("a/1", "a/2", "b/1"):
        s3.put_object(Bucket=ap.bucket, Key=key, Body=b"x")
    listed = s3.list_objects_v2(Bucket=ap.alias, Prefix="a/")
    assert [entry["Key"] for entry in listed["Contents"]] == ["a/1", "a/2"]


def test_delete_object_through_the_alias_deletes_from_the_bucket(s3: Any, make_ap: Any) -> None:
    ap = make_ap()
    s3.put_object(Bucket=ap.bucket, Key="doomed", Body=b"x")
    s3.delete_object(Bucket=ap.alias, Key="doomed")
    assert error_of(s3.head_object, Bucket=ap.bucket, Key="doomed")[:2] == ("404", 404)


def test_requests_by_access_point_arn_act_on_the_bucket(endpoint: str, s3: Any, make_ap: Any) -> None:
    ap = make_ap()
    client = through_arn_host(make_client(endpoint, "s3"), endpoint)
    client.put_object(Bucket=ap.arn, Key="by-arn", Body=b"arn body")
    assert s3.get_object(Bucket=ap.bucket, Key="by-arn")["Body"].read() == b"arn body"
    assert client.get_object(Bucket=ap.arn, Key="by-arn")["Body"].read() == b"arn body"
    assert [e["Key"] for e in client.list_objects_v2(Bucket=ap.arn)["Contents"]] == ["by-arn"]
    client.delete_object(Bucket=ap.arn, Key="by-arn")
    assert s3.list_objects_v2(Bucket=ap.bucket)["KeyCount"] == 0


def test_a_copy_reads_its_source_through_an_access_point_arn(s3: Any, make_ap: Any) -> None:
    # x-amz-copy-source "arn:aws:s3:<region>:<account>:accesspoint/<name>/object/<key>": the Terraform
    # AWS provider's TestAccS3ObjectCopy_basicViaAccessPoint copies so against AWS.
    ap = make_ap()
    s3.put_object(Bucket=ap.bucket, Key="source key", Body=b"through the access point")
    s3.copy_object(Bucket=ap.bucket, Key="copy", CopySource=f"{ap.arn}/object/source key")
    assert s3.get_object(Bucket=ap.bucket, Key="copy")["Body"].read() == b"through the access point"
    upload = s3.create_multipart_upload(Bucket=ap.bucket, Key="parts")["UploadId"]
    etag = s3.upload_part_copy(
        Bucket=ap.bucket, Key="parts", UploadId=upload, PartNumber=1, CopySource=f"{ap.arn}/object/source key"
    )["CopyPartResult"]["ETag"]
    s3.complete_multipart_upload(
        Bucket=ap.bucket, Key="parts", UploadId=upload, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}
    )
    assert s3.get_object(Bucket=ap.bucket, Key="parts")["Body"].read() == b"through the access point"
    missing = f"arn:aws:s3:us-east-1:{ROOT_ACCOUNT}:accesspoint/no-such-point"
    assert error_of(s3.copy_object, Bucket=ap.bucket, Key="x", CopySource=f"{missing}/object/k")[:2] == (
        "NoSuchBucket", 404,
    )


def test_a_copy_through_an_access_point_is_authorized_on_it(
    endpoint: str, s3: Any, control: Any, make_ap: Any
) -> None:
    ap = make_ap()
    s3.put_object(Bucket=ap.bucket, Key="shared/report.csv", Body=b"1,2")
    user_arn, user = iam_user(endpoint)
    delegate_to_access_points(s3, ap.bucket)  # the bucket lets the account's access points decide
    source = f"{ap.arn}/object/shared/report.csv"
    grant(control, ap, user_arn, ["s3:PutObject"])
    assert error_of(user.copy_object, Bucket=ap.alias, Key="mine.csv", CopySource=source)[:2] == ("AccessDenied", 403)
    grant(control, ap, user_arn, ["s3:GetObject", "s3:PutObject"])
    user.copy_object(Bucket=ap.alias, Key="mine.csv", CopySource=source)
    assert s3.get_object(Bucket=ap.bucket, Key="mine.csv")["Body"].read() == b"1,2"


def test_unknown_alias_is_no_such_bucket(s3: Any) -> None:
    code, status, _ = error_of(
        s3.get_object, Bucket="nothing-abcdefghijklmnopqrstuvwxyz0123456789abcd-s3alias", Key="k"
    )
    assert (code, status) == ("NoSuchBucket", 404)


def test_bucket_configuration_is_not_changed_through_an_access_point(s3: Any, make_ap: Any) -> None:
    # Access points serve object operations (and a few bucket reads), never bucket configuration.
    ap = make_ap()
    assert error_of(s3.put_bucket_versioning, Bucket=ap.alias, VersioningConfiguration={"Status": "Enabled"})[
        1
    ] in (403, 404)
    assert "Status" not in s3.get_bucket_versioning(Bucket=ap.bucket)


# -- authorized through the access point and on the bucket ----------------------------------------


def test_access_point_policy_grants_when_the_bucket_delegates(
    endpoint: str, s3: Any, control: Any, make_ap: Any
) -> None:
    ap = make_ap()
    s3.put_object(Bucket=ap.bucket, Key="shared/report.csv", Body=b"1,2")
    user_arn, user = iam_user(endpoint)
    grant(control, ap, user_arn, ["s3:GetObject"])
    delegate_to_access_points(s3, ap.bucket)
    assert user.get_object(Bucket=ap.alias, Key="shared/report.csv")["Body"].read() == b"1,2"


def test_the_access_point_grant_does_not_reach_the_bucket_directly(
    endpoint: str, s3: Any, control: Any, make_ap: Any
) -> None:
    ap = make_ap()
    s3.put_object(Bucket=ap.bucket, Key="k", Body=b"x")
    user_arn, user = iam_user(endpoint)
    grant(control, ap, user_arn, ["s3:GetObject"])
    delegate_to_access_points(s3, ap.bucket)
    assert error_of(user.get_object, Bucket=ap.bucket, Key="k")[:2] == ("AccessDenied", 403)


def test_without_the_buckets_delegation_the_access_point_grant_is_not_enough(
    endpoint: str, s3: Any, control: Any, make_ap: Any
) -> None:
    ap = make_ap()
    s3.put_object(Bucket=ap.bucket, Key="k", Body=b"x")
    user_arn, user = iam_user(endpoint)
    grant(control, ap, user_arn, ["s3:GetObject"])
    assert error_of(user.get_object, Bucket=ap.alias, Key="k")[:2] == ("AccessDenied", 403)


def test_actions_the_access_point_policy_does_not_grant_are_denied(
    endpoint: str, s3: Any, control: Any, make_ap: Any
) -> None:
    ap = make_ap()
    user_arn, user = iam_user(endpoint)
    grant(control, ap, user_arn, ["s3:GetObject"])
    delegate_to_access_points(s3, ap.bucket)
    code, status, message = error_of(user.put_object, Bucket=ap.alias, Key="new", Body=b"x")
    assert (code, status) == ("AccessDenied", 403)
    assert f"{ap.arn}/object/new" in message


def test_identity_policy_on_the_access_point_arn_with_delegation_allows(
    endpoint: str, s3: Any, make_ap: Any
) -> None:
    ap = make_ap()
    s3.put_object(Bucket=ap.bucket, Key="k", Body=b"via identity")
    _, user = iam_user(
        endpoint,
        policy(
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [ap.arn, f"{ap.arn}/object/*"],
            }
        ),
    )
    delegate_to_access_points(s3, ap.bucket)
    assert user.get_object(Bucket=ap.alias, Key="k")["Body"].read() == b"via identity"
    assert [e["Key"] for e in user.list_objects_v2(Bucket=ap.alias)["Contents"]] == ["k"]
    assert error_of(user.get_object, Bucket=ap.bucket, Key="k")[:2] == ("AccessDenied", 403)


def test_explicit_deny_in_the_access_point_policy_wins(
    endpoint: str, s3: Any, control: Any, make_ap: Any
) -> None:
    ap = make_ap()
    s3.put_object(Bucket=ap.bucket, Key="secret/k", Body=b"x")
    user_arn, user = iam_user(endpoint, policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    control.put_access_point_policy(
        AccountId=ROOT_ACCOUNT,
        Name=ap.name,
        Policy=policy(statement("Deny", {"AWS": user_arn}, "s3:GetObject", f"{ap.arn}/object/secret/*")),
    )
    assert error_of(user.get_object, Bucket=ap.alias, Key="secret/k")[:2] == ("AccessDenied", 403)
    assert user.get_object(Bucket=ap.bucket, Key="secret/k")["Body"].read() == b"x"


def test_bucket_delegation_to_one_access_point_arn_refuses_another(
    endpoint: str, s3: Any, make_ap: Any
) -> None:
    chosen, other = make_ap(), make_ap()
    s3.put_object(Bucket=chosen.bucket, Key="k", Body=b"x")
    _, user = iam_user(
        endpoint,
        policy(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:us-east-1:*:accesspoint/*"}
        ),
    )
    delegate_to_access_points(s3, chosen.bucket, "s3:DataAccessPointArn", chosen.arn)
    assert user.get_object(Bucket=chosen.alias, Key="k")["Body"].read() == b"x"
    assert error_of(user.get_object, Bucket=other.alias, Key="k")[:2] == ("AccessDenied", 403)


def test_user_signing_for_an_access_point_arn_is_authorized_on_it(
    endpoint: str, s3: Any, control: Any, make_ap: Any
) -> None:
    ap = make_ap()
    user_arn, user = iam_user(endpoint)
    grant(control, ap, user_arn, ["s3:PutObject", "s3:GetObject"])
    delegate_to_access_points(s3, ap.bucket)
    through_arn_host(user, endpoint)
    user.put_object(Bucket=ap.arn, Key="by-user", Body=b"mine")
    assert s3.get_object(Bucket=ap.bucket, Key="by-user")["Body"].read() == b"mine"


def test_missing_key_is_no_such_key_only_for_callers_who_may_list_through_it(
    endpoint: str, s3: Any, control: Any, make_ap: Any
) -> None:
    ap = make_ap()
    delegate_to_access_points(s3, ap.bucket)
    lister_arn, lister = iam_user(endpoint)
    reader_arn, reader = iam_user(endpoint)
    control.put_access_point_policy(
        AccountId=ROOT_ACCOUNT,
        Name=ap.name,
        Policy=policy(
            statement("Allow", {"AWS": [lister_arn, reader_arn]}, "s3:GetObject", f"{ap.arn}/object/*"),
            statement("Allow", {"AWS": lister_arn}, "s3:ListBucket", ap.arn),
        ),
    )
    assert error_of(lister.get_object, Bucket=ap.alias, Key="absent")[:2] == ("NoSuchKey", 404)
    assert error_of(reader.get_object, Bucket=ap.alias, Key="absent")[:2] == ("AccessDenied", 403)


def test_vpc_access_point_refuses_requests_from_outside_its_vpc(s3: Any, make_ap: Any) -> None:
    ap = make_ap(VpcConfiguration={"VpcId": "vpc-0123abcd"})
    s3.put_object(Bucket=ap.bucket, Key="k", Body=b"x")
    assert error_of(s3.get_object, Bucket=ap.alias, Key="k")[:2] == ("AccessDenied", 403)


# -- Block Public Access ---------------------------------------------------------------------------


def _open_for_anonymous_reads(s3: Any, control: Any, ap: AccessPoint) -> None:
    s3.delete_public_access_block(Bucket=ap.bucket)
    delegate_to_access_points(s3, ap.bucket)
    s3.put_object(Bucket=ap.bucket, Key="public.txt", Body=b"hello")
    control.put_access_point_policy(
        AccountId=ROOT_ACCOUNT,
        Name=ap.name,
        Policy=policy(statement("Allow", "*", "s3:GetObject", f"{ap.arn}/object/*")),
    )


def _public_settings(restrict: bool) -> dict[str, bool]:
    return {
        "BlockPublicAcls": False,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": restrict,
    }


@pytest.mark.parametrize("restrict", [False, True])
def test_anonymous_read_through_an_access_point_is_refused_even_when_its_policies_are_public(
    endpoint: str, s3: Any, control: Any, make_ap: Any, restrict: bool
) -> None:
    """S3 User Guide, access point restrictions: "Access points don't support anonymous access"."""
    ap = make_ap(PublicAccessBlockConfiguration=_public_settings(restrict))
    _open_for_anonymous_reads(s3, control, ap)
    status, body, _ = http("GET", f"{endpoint}/{ap.alias}/public.txt")
    assert status == 403
    assert error_code(body)[0] == "AccessDenied"



@pytest.mark.parametrize("restrict", [False, True])
def test_restrict_public_buckets_on_the_access_point_keeps_its_public_policy_from_other_accounts(
    two_accounts: ServerProcess, restrict: bool
) -> None:
    """RestrictPublicBuckets: a public policy then grants only the owner's account and AWS services."""
    endpoint = two_accounts.endpoint
    s3, control = make_client(endpoint, "s3"), s3control(endpoint)
    bucket = f"ap-restrict-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    name = f"ap-{uuid.uuid4().hex[:10]}"
    alias = control.create_access_point(
        AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket, PublicAccessBlockConfiguration=_public_settings(restrict)
    )["Alias"]
    _open_for_anonymous_reads(s3, control, AccessPoint(name, alias, bucket))
    other = make_client(endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    if restrict:
        assert error_of(other.get_object, Bucket=alias, Key="public.txt")[:2] == ("AccessDenied", 403)
    else:
        assert other.get_object(Bucket=alias, Key="public.txt")["Body"].read() == b"hello"


def test_an_access_point_does_not_reach_a_new_bucket_of_its_deleted_buckets_name(s3: Any, control: Any) -> None:
    bucket = f"ap-gone-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    name = f"ap-{uuid.uuid4().hex[:10]}"
    alias = control.create_access_point(AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)["Alias"]
    try:
        s3.delete_bucket(Bucket=bucket)
        time.sleep(1.1)  # bucket creation dates are kept to the second, as S3 reports them
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=b"new bucket")
        assert error_of(s3.get_object, Bucket=alias, Key="k")[:2] == ("NoSuchBucket", 404)
    finally:
        control.delete_access_point(AccountId=ROOT_ACCOUNT, Name=name)


# -- what GetObject and HeadObject tell through an access point ----------------------------------------


def test_lock_settings_through_an_access_point_are_told_only_if_it_allows_reading_them(
    endpoint: str, s3: Any, control: Any
) -> None:
    # GetObject/HeadObject tell an object's retention only to a caller allowed s3:GetObjectRetention, its
    # legal hold only to one allowed s3:GetObjectLegalHold (their API references). Through an access point
    # that permission is asked as the request itself is: of the access point (its policy, on its ARN) and
    # of the bucket, and both must grant it.
    bucket = f"ap-lock-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    name = f"ap-{uuid.uuid4().hex[:10]}"
    alias = control.create_access_point(AccountId=ROOT_ACCOUNT, Name=name, Bucket=bucket)["Alias"]
    ap = AccessPoint(name, alias, bucket)
    retention = ("ObjectLockMode", "ObjectLockRetainUntilDate")
    try:
        s3.put_object(Bucket=bucket, Key="doc", Body=b"x", ObjectLockMode="GOVERNANCE",
                      ObjectLockRetainUntilDate=datetime.now(UTC) + timedelta(days=1), ObjectLockLegalHoldStatus="ON")
        user_arn, user = iam_user(endpoint, policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))

        def deny_through_access_point(*actions: str) -> None:
            control.put_access_point_policy(AccountId=ROOT_ACCOUNT, Name=name, Policy=policy(
                statement("Deny", {"AWS": user_arn}, list(actions), f"{ap.arn}/object/*")))

        deny_through_access_point("s3:GetObjectRetention", "s3:GetObjectLegalHold")
        direct = user.head_object(Bucket=bucket, Key="doc")
        assert direct["ObjectLockMode"] == "GOVERNANCE" and direct["ObjectLockLegalHoldStatus"] == "ON"
        for answer in (user.head_object(Bucket=alias, Key="doc"), user.get_object(Bucket=alias, Key="doc")):
            assert not any(member in answer for member in (*retention, "ObjectLockLegalHoldStatus")), answer
        deny_through_access_point("s3:GetObjectLegalHold")
        head = user.head_object(Bucket=alias, Key="doc")
        assert head["ObjectLockMode"] == "GOVERNANCE" and "ObjectLockLegalHoldStatus" not in head
        deny_through_access_point("s3:GetObjectRetention")
        got = user.get_object(Bucket=alias, Key="doc")
        assert got["ObjectLockLegalHoldStatus"] == "ON" and not any(member in got for member in retention)
    finally:
        control.delete_access_point(AccountId=ROOT_ACCOUNT, Name=name)
        empty_locked_bucket(s3, bucket)
