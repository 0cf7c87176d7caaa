"""S3 access control end to end: bucket policies (validation, evaluation with S3's condition keys,
explicit deny, cross-account), Block Public Access (bucket and account level), Object Ownership
and ACLs, and what anonymous callers may do."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.s3.access_support import error_code, http, iam_user, policy, s3control, statement
from tests.services.s3.core_support import (
    OTHER_ACCOUNT,
    OTHER_KEY,
    OTHER_SECRET,
    empty_and_delete,
    error_of,
    unique_bucket,
)

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture
def open_bucket(s3: Any) -> Iterator[str]:
    """A bucket whose Block Public Access settings are removed (public policies and ACLs allowed)."""
    name = unique_bucket("open")
    s3.create_bucket(Bucket=name)
    s3.delete_public_access_block(Bucket=name)
    yield name
    s3.delete_bucket_policy(Bucket=name)
    empty_and_delete(s3, name)


@pytest.fixture
def acl_bucket(s3: Any) -> Iterator[str]:
    """A bucket with ACLs enabled (ObjectWriter) and no Block Public Access."""
    name = unique_bucket("acl")
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    s3.delete_public_access_block(Bucket=name)
    yield name
    empty_and_delete(s3, name)


def _public_read(bucket: str) -> str:
    return policy(statement("Allow", "*", "s3:GetObject", f"arn:aws:s3:::{bucket}/*"))


# --- bucket policy documents ----------------------------------------------------------------


@pytest.mark.parametrize(("document", "message"), [
    ("not json", "Policies must be valid JSON and the first byte must be '{'"),
    ("{not json", "This policy contains invalid Json"),
    ('{"Version": "2012-10-17"}', "Missing required field Statement"),
    ('{"Version": "2012-10-17", "Statement": []}', "Could not parse the policy: Statement is empty!"),
    ('{"Version": "2011-01-01", "Statement": []}', "The policy must contain a valid version string"),
])
def test_put_bucket_policy_refuses_unreadable_documents_with_s3s_message(s3: Any, bucket: str, document: str, message: str) -> None:
    assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=document) == ("MalformedPolicy", 400, message)


def test_put_bucket_policy_refuses_policy_language_errors(s3: Any, bucket: str) -> None:
    own = f"arn:aws:s3:::{bucket}"
    cases = [
        (statement("Allow", {"AWS": "not-a-principal"}, "s3:GetObject", f"{own}/*"), "Invalid principal in policy"),
        (statement("Allow", {"AWS": ROOT_ACCOUNT}, "s3:GetObject", "arn:aws:s3:::another-bucket/*"),
         "Policy has invalid resource"),
        (statement("Allow", {"AWS": ROOT_ACCOUNT}, "s3:GetObject", own),
         "Action does not apply to any resource(s) in statement"),
        (statement("Allow", {"AWS": ROOT_ACCOUNT}, "s3:NoSuchAction", f"{own}/*"), "Policy has invalid action"),
        ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{own}/*"}, "Missing required field Principal"),
    ]
    for bad, message in cases:
        assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=policy(bad)) == ("MalformedPolicy", 400, message)


def test_put_bucket_policy_refuses_a_role_principal_that_does_not_exist(endpoint: str, s3: Any, bucket: str) -> None:
    # S3 resolves a principal ARN when it stores the policy (Knowledge Center: "Invalid principal in policy").
    iam = make_client(endpoint, "iam")
    name = f"reader-{uuid.uuid4().hex[:8]}"
    role_arn = iam.create_role(RoleName=name, Path="/app/", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    for missing in (f"arn:aws:iam::{ROOT_ACCOUNT}:role/no-such-{name}", f"arn:aws:iam::{ROOT_ACCOUNT}:role/{name}"):
        document = policy(statement("Allow", {"AWS": missing}, "s3:GetObject", f"arn:aws:s3:::{bucket}/*"))
        assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=document) == (
            "MalformedPolicy", 400, "Invalid principal in policy")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        statement("Allow", {"AWS": role_arn}, "s3:GetObject", f"arn:aws:s3:::{bucket}/*")))
    s3.delete_bucket_policy(Bucket=bucket)
    iam.delete_role(RoleName=name)


def test_put_bucket_policy_takes_a_cloudfront_origin_access_identity(s3: Any, bucket: str) -> None:
    # The principal an OAI bucket policy names (CloudFront Developer Guide, "Restricting access to an
    # Amazon S3 origin"; Terraform, CDK and Pulumi write it); a group is no principal.
    oai = "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL"
    document = policy(statement("Allow", {"AWS": oai}, "s3:GetObject", f"arn:aws:s3:::{bucket}/*"))
    s3.put_bucket_policy(Bucket=bucket, Policy=document)
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Principal"] == {"AWS": oai}
    group = policy(statement("Allow", {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:group/readers"}, "s3:GetObject",
                             f"arn:aws:s3:::{bucket}/*"))
    assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=group) == (
        "MalformedPolicy", 400, "Invalid principal in policy")
    s3.delete_bucket_policy(Bucket=bucket)


def test_put_bucket_policy_refuses_a_user_principal_that_does_not_exist(endpoint: str, s3: Any, bucket: str) -> None:
    iam = make_client(endpoint, "iam")
    name = f"reader-{uuid.uuid4().hex[:8]}"
    missing = f"arn:aws:iam::{ROOT_ACCOUNT}:user/{name}"
    document = policy(statement("Allow", {"AWS": missing}, "s3:GetObject", f"arn:aws:s3:::{bucket}/*"))
    assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=document) == (
        "MalformedPolicy", 400, "Invalid principal in policy")
    iam.create_user(UserName=name)
    s3.put_bucket_policy(Bucket=bucket, Policy=document)
    s3.delete_bucket_policy(Bucket=bucket)
    iam.delete_user(UserName=name)


def test_put_bucket_policy_refuses_an_s3_condition_key_s3_does_not_define(s3: Any, bucket: str) -> None:
    # A misspelt key ("s3:x-acl" for "s3:x-amz-acl") is refused rather than stored as a condition that
    # never matches; known keys, per-tag keys and other services' keys are taken.
    objects = f"arn:aws:s3:::{bucket}/*"
    def deny_unless(condition: dict[str, Any]) -> str:
        return policy(statement("Deny", {"AWS": ROOT_ACCOUNT}, "s3:PutObject", objects, Condition=condition))
    assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=deny_unless(
        {"StringNotEquals": {"s3:x-acl": "bucket-owner-full-control"}})) == (
        "MalformedPolicy", 400, "Policy has an invalid condition key")
    for condition in (
        {"StringNotEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
        {"StringNotEquals": {"S3:X-Amz-Server-Side-Encryption": "aws:kms"}},
        {"StringEquals": {"s3:RequestObjectTag/team": "red"}},
        {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
    ):
        s3.put_bucket_policy(Bucket=bucket, Policy=deny_unless(condition))
    s3.delete_bucket_policy(Bucket=bucket)


def test_bucket_policy_round_trips_and_delete_leaves_no_such_bucket_policy(s3: Any, bucket: str) -> None:
    assert error_of(s3.get_bucket_policy, Bucket=bucket)[:2] == ("NoSuchBucketPolicy", 404)
    document = policy(statement("Allow", {"AWS": f"arn:aws:iam::{ROOT_ACCOUNT}:root"}, ["s3:GetObject", "s3:ListBucket"],
                                [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]))
    s3.put_bucket_policy(Bucket=bucket, Policy=document, ConfirmRemoveSelfBucketAccess=True)
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(document)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False
    s3.delete_bucket_policy(Bucket=bucket)
    assert error_of(s3.get_bucket_policy, Bucket=bucket) == ("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
    assert error_of(s3.get_bucket_policy_status, Bucket=bucket)[0] == "NoSuchBucketPolicy"


@pytest.mark.parametrize(("condition", "public"), [
    (None, True),
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, False),
    ({"StringEquals": {"aws:PrincipalAccount": "111122223333"}}, False),
    ({"StringEquals": {"aws:SourceVpc": "vpc-1234"}}, False),
    ({"StringNotEquals": {"aws:SourceVpc": "vpc-1234"}}, True),
    ({"StringLike": {"aws:SourceArn": "arn:aws:sns:*"}}, True),
    ({"Bool": {"aws:SecureTransport": "true"}}, True),
])
def test_policy_status_calls_a_grant_to_everyone_public_unless_a_condition_pins_the_requester(
    s3: Any, open_bucket: str, condition: dict[str, Any] | None, public: bool
) -> None:
    grant = statement("Allow", "*", "s3:GetObject", f"arn:aws:s3:::{open_bucket}/*")
    if condition:
        grant["Condition"] = condition
    s3.put_bucket_policy(Bucket=open_bucket, Policy=policy(grant))
    assert s3.get_bucket_policy_status(Bucket=open_bucket)["PolicyStatus"]["IsPublic"] is public


# --- evaluation ------------------------------------------------------------------------------


def test_bucket_policy_deny_wins_over_an_identity_allow(endpoint: str, s3: Any, bucket: str) -> None:
    arn, user = iam_user(endpoint, policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    s3.put_object(Bucket=bucket, Key="secret", Body=b"x")
    assert user.get_object(Bucket=bucket, Key="secret")["Body"].read() == b"x"
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        statement("Deny", {"AWS": arn}, "s3:GetObject", f"arn:aws:s3:::{bucket}/*")))
    code, status, message = error_of(user.get_object, Bucket=bucket, Key="secret")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (f'User: {arn} is not authorized to perform: s3:GetObject on resource: '
                       f'"arn:aws:s3:::{bucket}/secret" with an explicit deny in a resource-based policy')
    s3.delete_bucket_policy(Bucket=bucket)


def test_bucket_policy_deny_applies_to_the_owners_root_except_for_managing_the_policy(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        statement("Deny", "*", ["s3:GetObject", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"],
                  [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"])))
    try:
        assert error_of(s3.get_object, Bucket=bucket, Key="k")[:2] == ("AccessDenied", 403)
        assert s3.get_bucket_policy(Bucket=bucket)["Policy"]  # the root user can always recover its bucket
    finally:
        s3.delete_bucket_policy(Bucket=bucket)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_list_bucket_grant_conditioned_on_s3_prefix(endpoint: str, s3: Any, bucket: str) -> None:
    arn, user = iam_user(endpoint)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", {"AWS": arn}, "s3:ListBucket", f"arn:aws:s3:::{bucket}",
        Condition={"StringEquals": {"s3:prefix": "home/", "s3:delimiter": "/"}})))
    try:
        assert user.list_objects_v2(Bucket=bucket, Prefix="home/", Delimiter="/")["KeyCount"] == 0
        assert error_of(user.list_objects_v2, Bucket=bucket, Prefix="etc/", Delimiter="/")[0] == "AccessDenied"
        assert error_of(user.list_objects_v2, Bucket=bucket)[0] == "AccessDenied"
    finally:
        s3.delete_bucket_policy(Bucket=bucket)


def test_object_read_grant_conditioned_on_existing_object_tag(endpoint: str, s3: Any, bucket: str) -> None:
    arn, user = iam_user(endpoint)
    s3.put_object(Bucket=bucket, Key="shared", Body=b"s", Tagging="share=yes")
    s3.put_object(Bucket=bucket, Key="private", Body=b"p", Tagging="share=no")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", {"AWS": arn}, "s3:GetObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringEquals": {"s3:ExistingObjectTag/share": "yes"}})))
    try:
        assert user.get_object(Bucket=bucket, Key="shared")["Body"].read() == b"s"
        assert error_of(user.get_object, Bucket=bucket, Key="private")[0] == "AccessDenied"
    finally:
        s3.delete_bucket_policy(Bucket=bucket)


def test_put_grant_requiring_encryption_and_acl_headers(endpoint: str, s3: Any, bucket: str) -> None:
    arn, user = iam_user(endpoint)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", {"AWS": arn}, "s3:PutObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringEquals": {"s3:x-amz-server-side-encryption": "AES256",
                                    "s3:x-amz-acl": "bucket-owner-full-control"}})))
    try:
        assert error_of(user.put_object, Bucket=bucket, Key="a", Body=b"1")[0] == "AccessDenied"
        user.put_object(Bucket=bucket, Key="a", Body=b"1", ServerSideEncryption="AES256",
                        ACL="bucket-owner-full-control")
    finally:
        s3.delete_bucket_policy(Bucket=bucket)


def test_grant_conditioned_on_request_object_tags_and_signature_version(endpoint: str, s3: Any, bucket: str) -> None:
    arn, user = iam_user(endpoint)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", {"AWS": arn}, "s3:PutObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"StringEquals": {"s3:RequestObjectTag/team": "red", "s3:signatureversion": "AWS4-HMAC-SHA256",
                                    "s3:authType": "REST-HEADER"}})))
    try:
        user.put_object(Bucket=bucket, Key="t", Body=b"1", Tagging="team=red")
        assert error_of(user.put_object, Bucket=bucket, Key="t", Body=b"1", Tagging="team=blue")[0] == "AccessDenied"
    finally:
        s3.delete_bucket_policy(Bucket=bucket)


def test_anonymous_requests_are_denied_without_public_grants(endpoint: str, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for method, path in (("GET", f"/{bucket}/k"), ("GET", f"/{bucket}"), ("PUT", f"/{bucket}/new"), ("GET", "/")):
        status, body, _ = http(method, endpoint + path, b"" if method == "PUT" else None)
        assert (status, error_code(body)) == (403, ("AccessDenied", "Access Denied")), (method, path)
    status, body, _ = http("GET", f"{endpoint}/{unique_bucket('missing')}/k")
    assert (status, error_code(body)[0]) == (404, "NoSuchBucket")


def test_public_bucket_policy_lets_anonymous_callers_read(endpoint: str, s3: Any, open_bucket: str) -> None:
    s3.put_object(Bucket=open_bucket, Key="index.html", Body=b"<h1>hi</h1>")
    s3.put_bucket_policy(Bucket=open_bucket, Policy=_public_read(open_bucket))
    assert http("GET", f"{endpoint}/{open_bucket}/index.html")[:2] == (200, b"<h1>hi</h1>")
    assert http("GET", f"{endpoint}/{open_bucket}")[0] == 403  # listing was not granted
    assert http("PUT", f"{endpoint}/{open_bucket}/x", b"no")[0] == 403


# --- Block Public Access ---------------------------------------------------------------------


def test_new_buckets_block_all_public_access(s3: Any, bucket: str) -> None:
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
    }
    s3.delete_public_access_block(Bucket=bucket)
    assert error_of(s3.get_public_access_block, Bucket=bucket) == (
        "NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found")


def test_block_public_policy_refuses_a_public_policy_but_not_a_private_one(s3: Any, bucket: str) -> None:
    assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=_public_read(bucket)) == (
        "AccessDenied", 403,
        f'User: arn:aws:iam::{ROOT_ACCOUNT}:root is not authorized to perform: s3:PutBucketPolicy on resource: '
        f'"arn:aws:s3:::{bucket}" because public policies are blocked by the BlockPublicPolicy block public access setting.')
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", "*", "s3:GetObject", f"arn:aws:s3:::{bucket}/*",
        Condition={"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}})))
    s3.delete_bucket_policy(Bucket=bucket)


def test_an_empty_public_access_block_is_refused_and_a_partial_one_reads_back_false(s3: Any, bucket: str) -> None:
    # awslabs/aws-sdk-rust#819: PutPublicAccessBlock with no flag at all fails on AWS.
    assert error_of(s3.put_public_access_block, Bucket=bucket, PublicAccessBlockConfiguration={}) == (
        "InvalidRequest", 400, "Must specify at least one configuration.")
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": True})
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": False}


def test_restrict_public_buckets_ignores_a_public_policys_grants_to_anonymous_callers(
    endpoint: str, s3: Any, open_bucket: str
) -> None:
    s3.put_object(Bucket=open_bucket, Key="k", Body=b"x")
    s3.put_bucket_policy(Bucket=open_bucket, Policy=_public_read(open_bucket))
    assert http("GET", f"{endpoint}/{open_bucket}/k")[0] == 200
    s3.put_public_access_block(Bucket=open_bucket, PublicAccessBlockConfiguration={"RestrictPublicBuckets": True})
    assert http("GET", f"{endpoint}/{open_bucket}/k")[0] == 403
    assert s3.get_object(Bucket=open_bucket, Key="k")["Body"].read() == b"x"  # the owner's account still may


def test_account_level_block_public_access_through_s3control(endpoint: str, s3: Any, open_bucket: str) -> None:
    control = s3control(endpoint)
    assert error_of(control.get_public_access_block, AccountId=ROOT_ACCOUNT)[:2] == (
        "NoSuchPublicAccessBlockConfiguration", 404)
    s3.put_object(Bucket=open_bucket, Key="k", Body=b"x")
    s3.put_bucket_policy(Bucket=open_bucket, Policy=_public_read(open_bucket))
    control.put_public_access_block(AccountId=ROOT_ACCOUNT, PublicAccessBlockConfiguration={
        "RestrictPublicBuckets": True, "BlockPublicPolicy": True})
    try:
        assert control.get_public_access_block(AccountId=ROOT_ACCOUNT)["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
        assert http("GET", f"{endpoint}/{open_bucket}/k")[0] == 403
        assert error_of(s3.put_bucket_policy, Bucket=open_bucket, Policy=_public_read(open_bucket))[0] == "AccessDenied"
    finally:
        control.delete_public_access_block(AccountId=ROOT_ACCOUNT)
    assert http("GET", f"{endpoint}/{open_bucket}/k")[0] == 200
    assert error_of(control.get_public_access_block, AccountId=ROOT_ACCOUNT)[0] == "NoSuchPublicAccessBlockConfiguration"


def test_account_public_access_block_is_authorized_as_the_account_actions(endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    unpermitted = s3control(endpoint, **_keys_of(user))
    code, _, message = error_of(unpermitted.get_public_access_block, AccountId=ROOT_ACCOUNT)
    assert code == "AccessDenied" and "s3:GetAccountPublicAccessBlock" in message
    _, reader = iam_user(endpoint, policy({"Effect": "Allow", "Action": "s3:GetAccountPublicAccessBlock", "Resource": "*"}))
    permitted = s3control(endpoint, **_keys_of(reader))
    assert error_of(permitted.get_public_access_block, AccountId=ROOT_ACCOUNT)[0] == "NoSuchPublicAccessBlockConfiguration"
    assert error_of(permitted.put_public_access_block, AccountId=ROOT_ACCOUNT,
                    PublicAccessBlockConfiguration={"BlockPublicAcls": True})[0] == "AccessDenied"


def _keys_of(client: Any) -> dict[str, str]:
    credentials = client._request_signer._credentials
    return {"key": credentials.access_key, "secret": credentials.secret_key}


# --- Object Ownership and ACLs -------------------------------------------------------------------


def test_default_bucket_acl_is_the_owners_full_control_and_acls_are_disabled(s3: Any, bucket: str) -> None:
    acl = s3.get_bucket_acl(Bucket=bucket)
    owner_id = acl["Owner"]["ID"]
    assert [(g["Grantee"]["Type"], g["Grantee"]["ID"], g["Permission"]) for g in acl["Grants"]] == [
        ("CanonicalUser", owner_id, "FULL_CONTROL")]
    not_supported = ("AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
    assert error_of(s3.put_bucket_acl, Bucket=bucket, ACL="public-read") == not_supported
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ACL="public-read") == not_supported
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    assert error_of(s3.put_object_acl, Bucket=bucket, Key="k", ACL="authenticated-read") == not_supported
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    assert s3.get_object_acl(Bucket=bucket, Key="k")["Grants"][0]["Permission"] == "FULL_CONTROL"


def test_create_bucket_with_a_public_acl_is_refused(s3: Any) -> None:
    name = unique_bucket("pub")
    assert error_of(s3.create_bucket, Bucket=name, ACL="public-read")[0] == "InvalidBucketAclWithObjectOwnership"
    assert error_of(s3.create_bucket, Bucket=name, ACL="public-read", ObjectOwnership="ObjectWriter") == (
        "InvalidBucketAclWithBlockPublicAccessError", 400,
        "Bucket cannot have public ACLs set with BlockPublicAccess enabled")


def test_create_bucket_ignores_the_object_only_bucket_owner_acls(s3: Any) -> None:
    """"If you specify this canned ACL when creating a bucket, Amazon S3 ignores it" (bucket-owner-read,
    bucket-owner-full-control): rclone's --s3-acl bucket-owner-full-control creates buckets so."""
    for canned in ("bucket-owner-full-control", "bucket-owner-read"):
        name = unique_bucket("owner-acl")
        s3.create_bucket(Bucket=name, ACL=canned)
        grants = s3.get_bucket_acl(Bucket=name)["Grants"]
        assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
        assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"] == [
            {"ObjectOwnership": "BucketOwnerEnforced"}
        ]
        s3.delete_bucket(Bucket=name)
    name = unique_bucket("exec-acl")
    s3.create_bucket(Bucket=name, ACL="aws-exec-read", ObjectOwnership="ObjectWriter")  # a bucket's canned ACL too
    s3.delete_bucket(Bucket=name)


def test_bucket_owner_enforced_is_refused_while_the_bucket_acl_grants_others(s3: Any, acl_bucket: str) -> None:
    # "Prerequisites for disabling ACLs": the bucket ACL must be reset to private first.
    s3.put_bucket_acl(Bucket=acl_bucket, ACL="log-delivery-write")
    enforced = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert error_of(s3.put_bucket_ownership_controls, Bucket=acl_bucket, OwnershipControls=enforced) == (
        "InvalidBucketAclWithObjectOwnership", 400,
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
    assert s3.get_bucket_ownership_controls(Bucket=acl_bucket)["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    s3.put_bucket_acl(Bucket=acl_bucket, ACL="private")
    s3.put_bucket_ownership_controls(Bucket=acl_bucket, OwnershipControls=enforced)
    assert s3.get_bucket_ownership_controls(Bucket=acl_bucket)["OwnershipControls"] == enforced


def test_public_read_object_acl_serves_anonymous_reads_until_public_acls_are_ignored(
    endpoint: str, s3: Any, acl_bucket: str
) -> None:
    s3.put_object(Bucket=acl_bucket, Key="pub", Body=b"public", ACL="public-read")
    s3.put_object(Bucket=acl_bucket, Key="priv", Body=b"private")
    grants = s3.get_object_acl(Bucket=acl_bucket, Key="pub")["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"} in grants
    assert http("GET", f"{endpoint}/{acl_bucket}/pub")[:2] == (200, b"public")
    assert http("GET", f"{endpoint}/{acl_bucket}/priv")[0] == 403
    s3.put_public_access_block(Bucket=acl_bucket, PublicAccessBlockConfiguration={"IgnorePublicAcls": True})
    assert http("GET", f"{endpoint}/{acl_bucket}/pub")[0] == 403


def test_block_public_acls_refuses_new_public_acls(s3: Any, acl_bucket: str) -> None:
    s3.put_object(Bucket=acl_bucket, Key="k", Body=b"x")
    s3.put_public_access_block(Bucket=acl_bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": True})
    code, status, message = error_of(s3.put_object_acl, Bucket=acl_bucket, Key="k", ACL="public-read")
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("because public ACLs are prevented by the BlockPublicAcls setting in S3 Block Public Access.")
    assert error_of(s3.put_bucket_acl, Bucket=acl_bucket, ACL="public-read-write")[0] == "AccessDenied"
    s3.put_object_acl(Bucket=acl_bucket, Key="k", ACL="private")


def test_bucket_acl_from_grant_headers_and_from_a_document(endpoint: str, s3: Any, acl_bucket: str) -> None:
    owner_id = s3.get_bucket_acl(Bucket=acl_bucket)["Owner"]["ID"]
    s3.put_bucket_acl(Bucket=acl_bucket, GrantFullControl=f'id="{owner_id}"', GrantRead=f'uri="{ALL_USERS}"')
    grants = s3.get_bucket_acl(Bucket=acl_bucket)["Grants"]
    assert [(g["Grantee"].get("ID") or g["Grantee"].get("URI"), g["Permission"]) for g in grants] == [
        (owner_id, "FULL_CONTROL"), (ALL_USERS, "READ")]
    assert http("GET", f"{endpoint}/{acl_bucket}")[0] == 200  # AllUsers READ on a bucket: anyone may list
    s3.put_bucket_acl(Bucket=acl_bucket, AccessControlPolicy={
        "Owner": {"ID": owner_id},
        "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": owner_id}, "Permission": "FULL_CONTROL"}]})
    assert len(s3.get_bucket_acl(Bucket=acl_bucket)["Grants"]) == 1
    assert http("GET", f"{endpoint}/{acl_bucket}")[0] == 403
    assert error_of(s3.put_bucket_acl, Bucket=acl_bucket, GrantRead='id="' + "0" * 64 + '"')[:2] == ("InvalidArgument", 400)


def test_email_grantees_are_refused_with_405_where_s3_discontinued_them(endpoint: str, s3: Any, acl_bucket: str) -> None:
    # PutBucketAcl API reference: "As of October 1, 2025, Amazon S3 has discontinued support for Email
    # Grantee ACLs ... HTTP 405 (Method Not Allowed)" in US East (N. Virginia) and seven other Regions.
    email = 'emailAddress="a@example.com"'
    assert error_of(s3.put_bucket_acl, Bucket=acl_bucket, GrantRead=email)[:2] == ("MethodNotAllowed", 405)
    assert error_of(s3.put_object, Bucket=acl_bucket, Key="k", Body=b"x", GrantRead=email)[:2] == (
        "MethodNotAllowed", 405)
    # Elsewhere S3 still looks the address up, and no account here has one.
    frankfurt = make_client(endpoint, "s3", region="eu-central-1")
    name = unique_bucket("mail")
    frankfurt.create_bucket(
        Bucket=name, ObjectOwnership="ObjectWriter", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    try:
        assert error_of(frankfurt.put_bucket_acl, Bucket=name, GrantRead=email)[0] == "UnresolvableGrantByEmailAddress"
    finally:
        frankfurt.delete_bucket(Bucket=name)



def test_logging_target_grants_are_resolved_as_acl_grants(s3: Any, bucket: str, acl_bucket: str) -> None:
    # PutBucketLogging: TargetGrants take the Grantee values of ACLs, and an e-mail grantee gets 405.
    def logging(grantee: dict[str, str]) -> dict[str, Any]:
        return {"LoggingEnabled": {"TargetBucket": acl_bucket, "TargetPrefix": "logs/",
                                   "TargetGrants": [{"Grantee": grantee, "Permission": "READ"}]}}
    assert error_of(s3.put_bucket_logging, Bucket=bucket, BucketLoggingStatus=logging(
        {"Type": "AmazonCustomerByEmail", "EmailAddress": "a@example.com"}))[:2] == ("MethodNotAllowed", 405)
    assert error_of(s3.put_bucket_logging, Bucket=bucket, BucketLoggingStatus=logging(
        {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/Nobody"}))[:3] == (
        "InvalidArgument", 400, "Invalid group uri")
    readers = {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus=logging(readers))
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetGrants"] == [
        {"Grantee": readers, "Permission": "READ"}]
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})

def test_a_logging_target_with_acls_disabled_takes_no_grants(s3: Any, bucket: str) -> None:
    # AWS's answer to the Terraform AWS provider's TestAccS3BucketLogging_TargetGrantByID once new buckets
    # had ACLs disabled (its issue 31771): 400 AccessControlListNotSupported.
    grant = {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},
             "Permission": "READ"}
    status = {"LoggingEnabled": {"TargetBucket": bucket, "TargetPrefix": "logs/", "TargetGrants": [grant]}}
    assert error_of(s3.put_bucket_logging, Bucket=bucket, BucketLoggingStatus=status) == (
        "AccessControlListNotSupported", 400, "Target grants not allowed for bucket owner enforced buckets",
    )
    del status["LoggingEnabled"]["TargetGrants"]
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus=status)
    assert "TargetGrants" not in s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})


# --- another account ---------------------------------------------------------------------------



def test_cross_account_read_needs_the_bucket_policy_and_the_callers_identity_policy(two_accounts: ServerProcess) -> None:
    endpoint = two_accounts.endpoint
    owner = make_client(endpoint, "s3")
    bucket = f"shared-{uuid.uuid4().hex[:10]}"
    owner.create_bucket(Bucket=bucket)
    owner.put_object(Bucket=bucket, Key="report.csv", Body=b"a,b")
    other_root = make_client(endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    allow_get = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"})
    _, other_user = iam_user(endpoint, allow_get, key=OTHER_KEY, secret=OTHER_SECRET)
    _, unpermitted_user = iam_user(endpoint, key=OTHER_KEY, secret=OTHER_SECRET)
    assert error_of(other_root.get_object, Bucket=bucket, Key="report.csv")[0] == "AccessDenied"
    owner.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}, "s3:GetObject", f"arn:aws:s3:::{bucket}/*")))
    assert other_root.get_object(Bucket=bucket, Key="report.csv")["Body"].read() == b"a,b"
    assert other_user.get_object(Bucket=bucket, Key="report.csv")["Body"].read() == b"a,b"
    # The bucket trusts the account; the account has not allowed this user.
    assert error_of(unpermitted_user.get_object, Bucket=bucket, Key="report.csv")[0] == "AccessDenied"
    assert error_of(other_root.put_object, Bucket=bucket, Key="x", Body=b"1")[0] == "AccessDenied"
    # An account's own Block Public Access settings are its own.
    assert error_of(s3control(endpoint, key=OTHER_KEY, secret=OTHER_SECRET).get_public_access_block,
                    AccountId=ROOT_ACCOUNT)[0] == "AccessDenied"


def test_another_account_allowed_by_the_policy_still_gets_405_for_the_policy_operations(
    two_accounts: ServerProcess,
) -> None:
    # Get/Put/DeleteBucketPolicy API references: with the permissions but an identity outside the bucket
    # owner's account, "Amazon S3 returns a 405 Method Not Allowed error".
    endpoint = two_accounts.endpoint
    owner = make_client(endpoint, "s3")
    bucket = f"guarded-{uuid.uuid4().hex[:10]}"
    owner.create_bucket(Bucket=bucket)
    document = policy(statement(
        "Allow", {"AWS": OTHER_ACCOUNT}, ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
        f"arn:aws:s3:::{bucket}"))
    owner.put_bucket_policy(Bucket=bucket, Policy=document)
    other = make_client(endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    refused = ("MethodNotAllowed", 405, "The specified method is not allowed against this resource.")
    assert error_of(other.get_bucket_policy, Bucket=bucket) == refused
    assert error_of(other.delete_bucket_policy, Bucket=bucket) == refused
    assert error_of(other.put_bucket_policy, Bucket=bucket, Policy=document) == refused
    assert json.loads(owner.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(document)
    owner.delete_bucket_policy(Bucket=bucket)
    assert error_of(other.get_bucket_policy, Bucket=bucket)[:2] == ("AccessDenied", 403)


def test_access_logs_cannot_go_to_another_accounts_bucket(two_accounts: ServerProcess) -> None:
    # Server access logging: source and destination buckets "owned by the same account"; AWS answers
    # InvalidTargetBucketForLogging (zalando-stups/sevenseconds#29 shows its error document).
    endpoint = two_accounts.endpoint
    owner = make_client(endpoint, "s3")
    other = make_client(endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    source, foreign = f"logged-{uuid.uuid4().hex[:10]}", f"foreign-logs-{uuid.uuid4().hex[:10]}"
    owner.create_bucket(Bucket=source)
    other.create_bucket(Bucket=foreign)
    status = {"LoggingEnabled": {"TargetBucket": foreign, "TargetPrefix": "logs/"}}
    assert error_of(owner.put_bucket_logging, Bucket=source, BucketLoggingStatus=status) == (
        "InvalidTargetBucketForLogging", 400, "The owner for the bucket to be logged and the target bucket must be the same.")
    assert owner.get_bucket_logging(Bucket=source).get("LoggingEnabled") is None


def _requester_pays_bucket(owner: Any, principal: Any, actions: Any, **create: Any) -> str:
    """A new Requester Pays bucket of `owner` holding data.csv ("a,b"), whose policy allows `principal`
    `actions` on it and its objects."""
    bucket = f"paid-{uuid.uuid4().hex[:10]}"
    owner.create_bucket(Bucket=bucket, **create)
    if principal == "*":
        owner.delete_public_access_block(Bucket=bucket)  # else the public policy is refused
    owner.put_object(Bucket=bucket, Key="data.csv", Body=b"a,b")
    owner.put_bucket_policy(Bucket=bucket, Policy=policy(statement(
        "Allow", principal, actions, [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"])))
    owner.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    return bucket


def test_requester_pays_bucket_answers_other_accounts_only_when_they_accept_the_charges(
    two_accounts: ServerProcess,
) -> None:
    # "Downloading objects from Requester Pays buckets": without x-amz-request-payer S3 returns 403;
    # bucket owners need not send it; anonymous access is not allowed.
    endpoint = two_accounts.endpoint
    owner = make_client(endpoint, "s3")
    bucket = _requester_pays_bucket(owner, "*", ["s3:GetObject", "s3:ListBucket"])
    other = make_client(endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    assert error_of(other.get_object, Bucket=bucket, Key="data.csv")[:2] == ("AccessDenied", 403)
    assert error_of(other.list_objects_v2, Bucket=bucket)[:2] == ("AccessDenied", 403)
    assert http("GET", f"{endpoint}/{bucket}/data.csv")[0] == 403
    paid = other.get_object(Bucket=bucket, Key="data.csv", RequestPayer="requester")
    assert paid["Body"].read() == b"a,b"
    assert other.list_objects_v2(Bucket=bucket, RequestPayer="requester")["KeyCount"] == 1
    url = other.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "data.csv", "RequestPayer": "requester"})
    assert http("GET", url)[:2] == (200, b"a,b")
    assert owner.get_object(Bucket=bucket, Key="data.csv")["Body"].read() == b"a,b"
    owner.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "BucketOwner"})
    assert http("GET", f"{endpoint}/{bucket}/data.csv")[:2] == (200, b"a,b")


def test_requests_charged_to_the_requester_say_so_in_x_amz_request_charged(two_accounts: ServerProcess) -> None:
    # "If the request succeeds and the requester is charged, the response includes the header
    # x-amz-request-charged:requester" (Downloading objects from Requester Pays buckets); the owner
    # is not charged as a requester, even with the header (aws/aws-sdk-net#1526).
    endpoint = two_accounts.endpoint
    owner = make_client(endpoint, "s3")
    bucket = _requester_pays_bucket(owner, {"AWS": OTHER_ACCOUNT}, ["s3:GetObject", "s3:PutObject", "s3:ListBucket"])
    other = make_client(endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    paid = {"Bucket": bucket, "RequestPayer": "requester"}
    assert other.get_object(Key="data.csv", **paid)["RequestCharged"] == "requester"
    assert other.head_object(Key="data.csv", **paid)["RequestCharged"] == "requester"
    assert other.list_objects_v2(**paid)["RequestCharged"] == "requester"
    assert other.put_object(Key="new.csv", Body=b"c", **paid)["RequestCharged"] == "requester"
    assert "RequestCharged" not in owner.get_object(Key="data.csv", **paid)
    owner.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "BucketOwner"})
    assert "RequestCharged" not in other.get_object(Key="data.csv", **paid)


def test_every_object_operation_charged_to_the_requester_says_so(two_accounts: ServerProcess) -> None:
    # Every operation whose output in S3's model has RequestCharged answers it to a requester charged.
    endpoint = two_accounts.endpoint
    owner = make_client(endpoint, "s3")
    bucket = _requester_pays_bucket(owner, {"AWS": OTHER_ACCOUNT}, "s3:*", ObjectOwnership="ObjectWriter")
    other = make_client(endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    paid = {"Bucket": bucket, "RequestPayer": "requester"}
    answers = [other.put_object(Key="k", Body=b"abc", **paid)]
    answers.append(other.copy_object(Key="copy", CopySource={"Bucket": bucket, "Key": "k"}, **paid))
    answers.append(other.get_object_acl(Key="k", **paid))
    answers.append(other.put_object_acl(Key="k", ACL="private", **paid))
    answers.append(other.get_object_attributes(Key="k", ObjectAttributes=["ETag"], **paid))
    answers += [other.list_objects(**paid), other.list_object_versions(**paid)]
    upload = other.create_multipart_upload(Key="big", **paid)
    answers.append(upload)
    where = {"Key": "big", "UploadId": upload["UploadId"], **paid}
    part = other.upload_part(PartNumber=1, Body=b"part", **where)
    answers += [part, other.upload_part_copy(PartNumber=2, CopySource={"Bucket": bucket, "Key": "k"}, **where)]
    answers += [other.list_parts(**where), other.list_multipart_uploads(**paid)]
    answers.append(other.abort_multipart_upload(**where))
    upload = other.create_multipart_upload(Key="big", **paid)
    where = {"Key": "big", "UploadId": upload["UploadId"], **paid}
    etag = other.upload_part(PartNumber=1, Body=b"part", **where)["ETag"]
    answers.append(other.complete_multipart_upload(
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}, **where))
    answers.append(other.delete_objects(Delete={"Objects": [{"Key": "copy"}]}, **paid))
    answers.append(other.delete_object(Key="k", **paid))
    assert [answer.get("RequestCharged") for answer in answers] == ["requester"] * len(answers)


def test_a_copy_from_a_requester_pays_bucket_is_charged_to_the_requester(two_accounts: ServerProcess) -> None:
    # "If either the source or destination S3 bucket has Requester Pays enabled, the requester will
    # pay for corresponding charges to copy the object" (RequestPayer, CopyObject/UploadPartCopy API
    # references): reading the source takes x-amz-request-payer as a GET of it does, or 403.
    endpoint = two_accounts.endpoint
    owner = make_client(endpoint, "s3")
    source = _requester_pays_bucket(owner, {"AWS": OTHER_ACCOUNT}, "s3:GetObject")
    other = make_client(endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    target = f"free-{uuid.uuid4().hex[:10]}"
    other.create_bucket(Bucket=target)
    copy_source = {"Bucket": source, "Key": "data.csv"}
    upload = other.create_multipart_upload(Bucket=target, Key="parts")["UploadId"]
    part = {"Bucket": target, "Key": "parts", "UploadId": upload, "PartNumber": 1, "CopySource": copy_source}
    assert error_of(other.copy_object, Bucket=target, Key="copy", CopySource=copy_source)[:2] == ("AccessDenied", 403)
    assert error_of(other.upload_part_copy, **part)[:2] == ("AccessDenied", 403)
    assert "Contents" not in other.list_objects_v2(Bucket=target)
    copied = other.copy_object(Bucket=target, Key="copy", CopySource=copy_source, RequestPayer="requester")
    assert copied["RequestCharged"] == "requester"
    assert other.get_object(Bucket=target, Key="copy")["Body"].read() == b"a,b"
    assert other.upload_part_copy(**part, RequestPayer="requester")["RequestCharged"] == "requester"
    # The source's owner copying within its own bucket pays as owner: no header needed, none answered.
    assert "RequestCharged" not in owner.copy_object(Bucket=source, Key="again", CopySource=copy_source)
