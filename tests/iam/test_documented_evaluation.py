"""The IAM User Guide's own policy examples, evaluated on real requests.

Each test puts one documented example on an IAM user or role of the session's
server, signs requests with that principal's long-term access keys or temporary
credentials (boto3 over HTTP) and asserts the outcome the page documents. The
IAM User Guide pages cited are "AWS global condition context keys"
(reference_policies_condition-keys), "IAM JSON policy elements: Condition operators"
(reference_policies_elements_condition_operators), "IAM policy elements: Variables and
tags" (reference_policies_variables), "Configuring MFA-protected API access",
"Monitor and control actions taken with assumed roles" (source identity) and "IAM
tutorial: Define permissions to access AWS resources based on tags" (ABAC); the SQS
Developer Guide's "Tagging for access control" and "ABAC condition keys for Amazon SQS".
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from botocore import xform_name

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.iam.support import Caller, doc, error_of, session_client, totp, unique

ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
EXPLICIT_DENY = "with an explicit deny in an identity-based policy"


class _User(Caller):
    """An IAM user with one inline policy and an access key of its own."""

    def __init__(self, endpoint: str, *statements: dict[str, Any]) -> None:
        self.iam = make_client(endpoint, "iam")
        super().__init__(endpoint, self.iam, unique("docuser"))
        if statements:
            self.iam.put_user_policy(
                UserName=self.name, PolicyName="under-test", PolicyDocument=doc(*statements)
            )

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return make_client(self.endpoint, service, key=self.key_id, secret=self.secret, region=region)

    def enable_mfa(self) -> tuple[str, bytes]:
        """(serial number, seed) of a virtual MFA device enabled for the user."""
        device = self.iam.create_virtual_mfa_device(VirtualMFADeviceName=self.name)["VirtualMFADevice"]
        serial, seed = device["SerialNumber"], device["Base32StringSeed"]
        step = int(time.time()) // 30 - 1
        self.iam.enable_mfa_device(
            UserName=self.name, SerialNumber=serial,
            AuthenticationCode1=totp(seed, step), AuthenticationCode2=totp(seed, step + 1),
        )  # fmt: skip
        return serial, seed


def _role(endpoint: str, trusted: str, *statements: dict[str, Any], **trust_extra: Any) -> str:
    """A role trusting `trusted` (an ARN) to assume it, with `statements` as its inline policy.

    `trust_extra` adds to the trust statement (a Condition; an Action list replacing sts:AssumeRole).
    """
    iam = make_client(endpoint, "iam")
    name = unique("docrole")
    trust = {"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole", **trust_extra}
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc(trust))["Role"]["Arn"]
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="under-test", PolicyDocument=doc(*statements))
    return arn


# --- aws:MultiFactorAuthPresent ------------------------------------------------------------------

MFA_FALSE_DENY = {
    "Effect": "Deny", "Action": "sqs:ListQueues", "Resource": "*",
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
}  # fmt: skip


def test_bool_mfa_false_deny_does_not_apply_to_long_term_access_keys(endpoint: str) -> None:
    """AWS global condition context keys, aws:MultiFactorAuthPresent: "The key is not present in AWS
    CLI, AWS API, or AWS SDK requests that are made using long-term credentials", so the warned-against
    `Deny` + `Bool` + `false` "does not deny access to requests that are made using long-term credentials"."""
    user = _User(endpoint, ALLOW_ALL, MFA_FALSE_DENY)
    assert user.client("sqs").list_queues()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_boolifexists_mfa_false_deny_applies_to_long_term_access_keys(endpoint: str) -> None:
    """AWS global condition context keys, aws:MultiFactorAuthPresent, recommended combination:
    `Deny` + `BoolIfExists` + `false` "also denies requests that are made using long-term credentials"."""
    user = _User(
        endpoint,
        ALLOW_ALL,
        {**MFA_FALSE_DENY, "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
    )
    code, status, message = error_of(user.client("sqs").list_queues)
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: {user.arn} is not authorized to perform: sqs:listqueues")
    assert message.endswith(EXPLICIT_DENY)


def test_null_mfa_present_true_deny_applies_to_long_term_access_keys(endpoint: str) -> None:
    """AWS global condition context keys, aws:MultiFactorAuthPresent: `Deny` + `Null` + `true`
    "behaves the same way" as `Deny` + `BoolIfExists` for long-term keys: the key is absent."""
    user = _User(
        endpoint, ALLOW_ALL, {**MFA_FALSE_DENY, "Condition": {"Null": {"aws:MultiFactorAuthPresent": "true"}}}
    )
    assert error_of(user.client("sqs").list_queues)[:2] == ("AccessDenied", 403)


def test_bool_mfa_false_deny_applies_to_temporary_credentials_without_mfa(endpoint: str) -> None:
    """AWS global condition context keys, aws:MultiFactorAuthPresent: with temporary credentials the
    key is present, and `Deny` + `Bool` + `false` "denies requests that can be authenticated using
    MFA, but were not" (GetSessionToken without a TokenCode)."""
    user = _User(endpoint, ALLOW_ALL, MFA_FALSE_DENY)
    credentials = user.client("sts").get_session_token()["Credentials"]
    code, status, message = error_of(session_client(endpoint, "sqs", credentials).list_queues)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith(EXPLICIT_DENY)


# --- aws:TokenIssueTime --------------------------------------------------------------------------

TOKEN_ISSUED_IN_2020_OR_LATER = {
    "Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": f"arn:aws:iam::{ROOT_ACCOUNT}:user/*",
    "Condition": {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}},
}  # fmt: skip


def test_tokenissuetime_date_condition_allows_a_role_session(endpoint: str) -> None:
    """Condition operators, Date: the DateGreaterThan aws:TokenIssueTime example allows requests made
    with temporary credentials issued after the date (a role session listing a user's access keys)."""
    assumer = _User(endpoint, {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    role_arn = _role(endpoint, assumer.arn, TOKEN_ISSUED_IN_2020_OR_LATER)
    credentials = assumer.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="fresh")["Credentials"]
    keys = session_client(endpoint, "iam", credentials).list_access_keys(UserName=assumer.name)
    assert [k["AccessKeyId"] for k in keys["AccessKeyMetadata"]] == [assumer.key_id]


def test_tokenissuetime_date_condition_denies_long_term_access_keys(endpoint: str) -> None:
    """Condition operators, Date: "The aws:TokenIssueTime key is ... not present in ... requests that
    are made using access keys. In this example, if an IAM user attempts to view or edit an access
    key, the request is denied"."""
    user = _User(endpoint, TOKEN_ISSUED_IN_2020_OR_LATER)
    code, status, message = error_of(user.client("iam").list_access_keys, UserName=user.name)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("because no identity-based policy allows the iam:ListAccessKeys action")


def test_null_tokenissuetime_true_denies_temporary_credentials(endpoint: str) -> None:
    """Condition operators, Null: "If the user is using temporary credentials, then the key
    aws:TokenIssueTime exists and has a value", so an Allow conditioned on `Null` `true` does not
    cover a session's requests."""
    user = _User(
        endpoint,
        {
            "Effect": "Allow",
            "Action": "sqs:ListQueues",
            "Resource": "*",
            "Condition": {"Null": {"aws:TokenIssueTime": "true"}},
        },
    )
    user.client("sqs").list_queues()  # long-term keys: the key is absent, the Allow applies
    credentials = user.client("sts").get_session_token()["Credentials"]
    code, status, message = error_of(session_client(endpoint, "sqs", credentials).list_queues)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("because no identity-based policy allows the sqs:listqueues action")


# --- aws:ViaAWSService ---------------------------------------------------------------------------


def test_via_aws_service_is_false_on_a_direct_call(endpoint: str) -> None:
    """AWS global condition context keys, aws:SourceIp: the PrincipalPutObjectIfIpAddress example
    (`Bool aws:ViaAWSService false` with `IpAddress aws:SourceIp`) allows a direct PutObject from the
    address; aws:ViaAWSService "returns false when the principal makes the call directly" and "is
    always included in the request context"."""
    s3 = make_client(endpoint, "s3")
    bucket = unique("docbucket")
    s3.create_bucket(Bucket=bucket)
    user = _User(
        endpoint,
        {
            "Sid": "PrincipalPutObjectIfIpAddress", "Effect": "Allow", "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": {"Bool": {"aws:ViaAWSService": "false"}, "IpAddress": {"aws:SourceIp": "127.0.0.1"}},
        },
        {
            "Sid": "ServicePutObject", "Effect": "Allow", "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/*", "Condition": {"Bool": {"aws:ViaAWSService": "true"}},
        },
    )  # fmt: skip
    user.client("s3").put_object(Bucket=bucket, Key="direct", Body=b"x")
    assert s3.get_object(Bucket=bucket, Key="direct")["Body"].read() == b"x"


def test_deny_outside_source_ip_example_denies_direct_calls(endpoint: str) -> None:
    """AWS global condition context keys, aws:ViaAWSService, and the "AWS: Denies access to AWS based
    on the source IP" example: `NotIpAddress aws:SourceIp` with `Bool aws:ViaAWSService false` denies
    a direct call from any other address (here 127.0.0.1)."""
    deny_elsewhere = {
        "Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {
            "NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]},
            "Bool": {"aws:ViaAWSService": "false"},
        },
    }  # fmt: skip
    user = _User(endpoint, ALLOW_ALL, deny_elsewhere)
    code, status, message = error_of(user.client("sqs").list_queues)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith(EXPLICIT_DENY)


def _anonymous_get(url: str, headers: dict[str, str]) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_referer_key_is_the_referer_header(endpoint: str) -> None:
    """AWS global condition context keys, aws:referer: "The aws:referer request context value is
    provided by the caller in an HTTP header" and is present only when the request carries one: the
    S3 bucket policy example allowing GetObject to anyone referred by www.example.com."""
    s3 = make_client(endpoint, "s3")
    bucket = unique("docreferer")
    s3.create_bucket(Bucket=bucket)
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="logo.png", Body=b"png")
    referred = {
        "Sid": "AllowGetRequestsOriginatingFromWwwExampleComAndExampleCom",
        "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringLike": {"aws:Referer": ["http://www.example.com/*", "http://example.com/*"]}},
    }  # fmt: skip
    s3.put_bucket_policy(Bucket=bucket, Policy=doc(referred))
    url = f"{endpoint}/{bucket}/logo.png"
    assert _anonymous_get(url, {"Referer": "http://www.example.com/index.html"}) == 200
    assert _anonymous_get(url, {"Referer": "http://elsewhere.example.net/"}) == 403
    assert _anonymous_get(url, {}) == 403


# --- aws:RequestedRegion -------------------------------------------------------------------------


def test_requested_region_of_an_iam_call_is_us_east_1(endpoint: str) -> None:
    """AWS global condition context keys, aws:RequestedRegion: IAM "has a single endpoint ...
    IAM calls are always made to the us-east-1 Region", whatever region the client is set to."""
    outside_us_east_1 = {
        "Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
    }  # fmt: skip
    user = _User(endpoint, ALLOW_ALL, outside_us_east_1)
    assert user.client("iam", region="eu-west-1").get_user(UserName=user.name)["User"]["Arn"] == user.arn


def test_requested_region_of_a_regional_call_is_the_clients(endpoint: str) -> None:
    """AWS global condition context keys, aws:RequestedRegion: for a regional service the key is
    the Region that was called."""
    in_eu_west_1 = {
        "Effect": "Deny", "Action": "sqs:*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
    }  # fmt: skip
    user = _User(endpoint, ALLOW_ALL, in_eu_west_1)
    assert user.client("sqs", region="us-west-2").list_queues()["ResponseMetadata"]["HTTPStatusCode"] == 200
    code, status, message = error_of(user.client("sqs", region="eu-west-1").list_queues)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith(EXPLICIT_DENY)


# --- MFA-protected role assumption ---------------------------------------------------------------

MFA_REQUIRED = {"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}


def test_mfa_protected_role_can_be_assumed_with_mfa_information(endpoint: str) -> None:
    """Configuring MFA-protected API access: a trust policy with `Bool aws:MultiFactorAuthPresent
    true` lets the user assume the role when AssumeRole passes SerialNumber and TokenCode, and the
    session it gets is MFA-authenticated (a Deny on `aws:MultiFactorAuthPresent false` spares it)."""
    user = _User(endpoint, {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    serial, seed = user.enable_mfa()
    listing = {"Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "*"}
    role_arn = _role(endpoint, user.arn, listing, MFA_FALSE_DENY, **MFA_REQUIRED)
    answer = user.client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName="with-mfa", SerialNumber=serial,
        TokenCode=totp(seed, int(time.time()) // 30),
    )  # fmt: skip
    assert answer["AssumedRoleUser"]["Arn"].endswith("/with-mfa")
    queues = session_client(endpoint, "sqs", answer["Credentials"]).list_queues()
    assert queues["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_mfa_protected_role_refuses_assumption_without_mfa(endpoint: str) -> None:
    """Configuring MFA-protected API access: without MFA information the condition fails and the
    trust policy does not let the user assume the role."""
    user = _User(endpoint, {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    role_arn = _role(endpoint, user.arn, **MFA_REQUIRED)
    assert error_of(user.client("sts").assume_role, RoleArn=role_arn, RoleSessionName="no-mfa") == (
        "AccessDenied", 403,
        f"User: {user.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
    )  # fmt: skip


def test_role_session_assumed_with_mfa_carries_mfa_keys(endpoint: str) -> None:
    """AWS global condition context keys: a session made with MFA has aws:MultiFactorAuthPresent
    true, and aws:MultiFactorAuthAge (seconds since MFA authentication) is present."""
    user = _User(endpoint, {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    serial, seed = user.enable_mfa()
    recent_mfa = {
        "Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "*",
        "Condition": {
            "Bool": {"aws:MultiFactorAuthPresent": "true"},
            "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
        },
    }  # fmt: skip
    role_arn = _role(endpoint, user.arn, recent_mfa)
    credentials = user.client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName="mfa-session", SerialNumber=serial,
        TokenCode=totp(seed, int(time.time()) // 30),
    )["Credentials"]  # fmt: skip
    assert (
        session_client(endpoint, "sqs", credentials).list_queues()["ResponseMetadata"]["HTTPStatusCode"]
        == 200
    )


def _wrong_code(seed: bytes) -> str:
    """A six-digit code the device shows at no time step near now."""
    now = int(time.time()) // 30
    valid = {totp(seed, step) for step in range(now - 4, now + 5)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def test_mfa_protected_role_refuses_a_wrong_token_code(endpoint: str) -> None:
    """STS API Reference, AssumeRole TokenCode: "If the role being assumed requires MFA and if the
    TokenCode value is missing or expired, the AssumeRole call returns an 'access denied' error"."""
    user = _User(endpoint, {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    serial, seed = user.enable_mfa()
    role_arn = _role(endpoint, user.arn, **MFA_REQUIRED)
    sts = user.client("sts")
    assert error_of(
        sts.assume_role, RoleArn=role_arn, RoleSessionName="bad-code", SerialNumber=serial,
        TokenCode=_wrong_code(seed),
    ) == ("AccessDenied", 403, "MultiFactorAuthentication failed with invalid MFA one time pass code.")  # fmt: skip


def test_mfa_protected_role_refuses_a_device_of_another_user(endpoint: str) -> None:
    """STS API Reference, AssumeRole SerialNumber: the identification number of the MFA device
    "that is associated with the user who is making the AssumeRole call"; another user's device
    does not authenticate the caller."""
    user = _User(endpoint, {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
    serial, seed = _User(endpoint).enable_mfa()
    role_arn = _role(endpoint, user.arn, **MFA_REQUIRED)
    assert error_of(
        user.client("sts").assume_role, RoleArn=role_arn, RoleSessionName="not-mine", SerialNumber=serial,
        TokenCode=totp(seed, int(time.time()) // 30),
    ) == (
        "AccessDenied", 403,
        "MultiFactorAuthentication failed, unable to validate MFA code.  "
        "Please verify your MFA serial number is valid and associated with this user.",
    )  # fmt: skip


def test_session_token_needs_both_serial_number_and_token_code(endpoint: str) -> None:
    """STS API Reference, GetSessionToken: SerialNumber and TokenCode go together; a TokenCode alone
    authenticates nothing and is refused."""
    user = _User(endpoint)
    assert error_of(user.client("sts").get_session_token, TokenCode="123456") == (
        "AccessDenied", 403,
        "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
    )  # fmt: skip


def test_session_token_with_mfa_carries_mfa_keys(endpoint: str) -> None:
    """AWS global condition context keys: GetSessionToken with the user's device and current code
    gives credentials whose requests have aws:MultiFactorAuthPresent true and aws:MultiFactorAuthAge."""
    user = _User(
        endpoint,
        {
            "Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "*",
            "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
        },
    )  # fmt: skip
    serial, seed = user.enable_mfa()
    credentials = user.client("sts").get_session_token(
        SerialNumber=serial, TokenCode=totp(seed, int(time.time()) // 30)
    )["Credentials"]
    sqs = session_client(endpoint, "sqs", credentials)
    assert sqs.list_queues()["ResponseMetadata"]["HTTPStatusCode"] == 200


# --- aws:SourceIdentity --------------------------------------------------------------------------

SAANVI_OR_DIEGO = {"StringLike": {"aws:SourceIdentity": ["Saanvi", "Diego"]}}
ASSUME_AND_SET = {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"], "Resource": "*"}


def _critical_role_session(endpoint: str, *statements: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Credentials of a CriticalRole session whose source identity is Saanvi, and the role's ARN."""
    user = _User(endpoint, ASSUME_AND_SET)
    role_arn = _role(endpoint, user.arn, *statements, Action=ASSUME_AND_SET["Action"])
    sts = user.client("sts")
    answer = sts.assume_role(RoleArn=role_arn, RoleSessionName="critical", SourceIdentity="Saanvi")
    assert answer["SourceIdentity"] == "Saanvi"
    return answer["Credentials"], role_arn


def test_source_identity_is_in_every_request_of_the_role_session(endpoint: str) -> None:
    """Monitor and control actions taken with assumed roles: "After a source identity is set, the
    aws:SourceIdentity key is present in all subsequent requests made during the role session"."""
    credentials, _ = _critical_role_session(
        endpoint,
        {"Effect": "Allow", "Action": "sqs:ListQueues", "Resource": "*", "Condition": SAANVI_OR_DIEGO},
    )
    sqs = session_client(endpoint, "sqs", credentials)
    assert sqs.list_queues()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_source_identity_persists_into_a_chained_role_session(endpoint: str) -> None:
    """Monitor and control actions taken with assumed roles, role chaining: the CriticalRole_2 trust
    policy's `StringLike aws:SourceIdentity` admits a CriticalRole session that does not set the
    source identity again; "the source identity in the request persists from the first assumed
    role session"."""
    credentials, critical_arn = _critical_role_session(endpoint, ASSUME_AND_SET)
    second_arn = _role(endpoint, critical_arn, Action=ASSUME_AND_SET["Action"], Condition=SAANVI_OR_DIEGO)
    answer = session_client(endpoint, "sts", credentials).assume_role(
        RoleArn=second_arn, RoleSessionName="Audit"
    )
    assert answer["SourceIdentity"] == "Saanvi"
    caller = session_client(endpoint, "sts", answer["Credentials"]).get_caller_identity()
    assert caller["Arn"].endswith("/Audit")


def test_chaining_a_source_identity_needs_set_source_identity_in_the_trust_policy(endpoint: str) -> None:
    """Monitor and control actions taken with assumed roles: with role chaining "permissions for
    sts:SetSourceIdentity are required in both the permissions policy of the principal who is
    assuming the role and in the role trust policy of the target role. Otherwise, the assume role
    operation will fail"."""
    credentials, critical_arn = _critical_role_session(endpoint, ASSUME_AND_SET)
    second_arn = _role(endpoint, critical_arn)  # trusts sts:AssumeRole only
    sts = session_client(endpoint, "sts", credentials)
    session_arn = sts.get_caller_identity()["Arn"]
    assert error_of(sts.assume_role, RoleArn=second_arn, RoleSessionName="Audit") == (
        "AccessDenied", 403,
        f"User: {session_arn} is not authorized to perform: sts:SetSourceIdentity on resource: {second_arn}",
    )  # fmt: skip


# --- tags: aws:ResourceTag, iam:ResourceTag, aws:RequestTag, aws:TagKeys -------------------------

PROD_ONLY = {
    "Sid": "AllowAccessForProd", "Effect": "Allow", "Action": "sqs:*", "Resource": "*",
    "Condition": {"StringEquals": {"aws:ResourceTag/environment": "prod"}},
}  # fmt: skip


def _queue(endpoint: str, **tags: str) -> str:
    return str(
        make_client(endpoint, "sqs").create_queue(QueueName=unique("docqueue"), tags=tags)["QueueUrl"]
    )


def test_sqs_resource_tag_condition_allows_a_queue_with_the_tag(endpoint: str) -> None:
    """SQS Developer Guide, "Tagging for access control in Amazon SQS": the AllowAccessForProd policy
    allows every SQS action on queues tagged environment=prod (aws:ResourceTag)."""
    user = _User(endpoint, PROD_ONLY)
    url = _queue(endpoint, environment="prod")
    user.client("sqs").send_message(QueueUrl=url, MessageBody="hello")
    attributes = user.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "1"


def test_sqs_resource_tag_condition_denies_a_queue_without_the_tag(endpoint: str) -> None:
    """SQS Developer Guide, "Tagging for access control in Amazon SQS": a queue tagged otherwise is
    not covered by AllowAccessForProd, so the request is implicitly denied."""
    user = _User(endpoint, PROD_ONLY)
    url = _queue(endpoint, environment="beta")
    code, status, message = error_of(user.client("sqs").send_message, QueueUrl=url, MessageBody="hello")
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("because no identity-based policy allows the sqs:sendmessage action")


def test_sqs_create_queue_request_tags_are_aws_request_tag(endpoint: str) -> None:
    """ABAC condition keys for Amazon SQS: aws:RequestTag and aws:TagKeys apply to CreateQueue (whose
    tags are a map): creating a queue is allowed only with the tag the policy asks for (tagging on
    creation also takes sqs:TagQueue, under the same condition)."""
    user = _User(
        endpoint,
        {
            "Effect": "Allow", "Action": ["sqs:CreateQueue", "sqs:TagQueue"], "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:RequestTag/environment": "beta"},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["environment"]},
            },
        },
    )  # fmt: skip
    sqs = user.client("sqs")
    assert sqs.create_queue(QueueName=unique("tagged"), tags={"environment": "beta"})["QueueUrl"]
    code, status, _ = error_of(sqs.create_queue, QueueName=unique("tagged"), tags={"environment": "prod"})
    assert (code, status) == ("AccessDenied", 403)
    extra = {"environment": "beta", "owner": "me"}
    assert error_of(sqs.create_queue, QueueName=unique("tagged"), tags=extra)[:2] == ("AccessDenied", 403)


def test_untag_queue_tag_keys_are_aws_tag_keys(endpoint: str) -> None:
    """ABAC condition keys for Amazon SQS: aws:TagKeys applies to UntagQueue, so a Deny on removing
    access-* tags (the ABAC tutorial's DenyUntag...ReservedTags statement) blocks it."""
    user = _User(
        endpoint,
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"},
        {
            "Effect": "Deny", "Action": "sqs:UntagQueue", "Resource": "*",
            "Condition": {"StringLike": {"aws:TagKeys": "access-*"}},
        },
    )  # fmt: skip
    url = _queue(endpoint, **{"access-project": "peg", "Name": "q"})
    sqs = user.client("sqs")
    sqs.untag_queue(QueueUrl=url, TagKeys=["Name"])
    code, status, message = error_of(sqs.untag_queue, QueueUrl=url, TagKeys=["access-project"])
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith(EXPLICIT_DENY)
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"access-project": "peg"}


COST_CENTER = {
    "Effect": "Allow", "Action": ["iam:*user*"], "Resource": "*",
    "Condition": {"StringLike": {"iam:ResourceTag/costCenter": ["12345", "67890"]}},
}  # fmt: skip


def test_iam_resource_tag_condition_allows_a_tagged_user(endpoint: str) -> None:
    """IAM policy elements: Variables and tags: the policy allows iam:*user* actions "only if the tag
    costCenter is attached to the user" with the value 12345 or 67890."""
    user = _User(endpoint, COST_CENTER)
    target = unique("costly")
    make_client(endpoint, "iam").create_user(UserName=target, Tags=[{"Key": "costCenter", "Value": "67890"}])
    assert user.client("iam").get_user(UserName=target)["User"]["UserName"] == target


def test_iam_resource_tag_condition_denies_a_user_without_the_tag(endpoint: str) -> None:
    """IAM policy elements: Variables and tags: "If the tag has no value, or has any other value, then
    the request fails"."""
    user = _User(endpoint, COST_CENTER)
    target = unique("cheap")
    make_client(endpoint, "iam").create_user(UserName=target, Tags=[{"Key": "costCenter", "Value": "99999"}])
    code, status, message = error_of(user.client("iam").get_user, UserName=target)
    assert (code, status) == ("AccessDenied", 403)
    assert message.endswith("because no identity-based policy allows the iam:GetUser action")


def test_iam_resource_tag_of_the_calling_user_when_user_name_is_left_out(endpoint: str) -> None:
    """GetUser: "If you do not specify a user name, IAM determines the user name implicitly based on
    the AWS access key ID used to sign the request": the user acted on, and so the tags that
    iam:ResourceTag/costCenter reads, are the caller's own."""
    user = _User(endpoint, COST_CENTER)
    user.iam.tag_user(UserName=user.name, Tags=[{"Key": "costCenter", "Value": "12345"}])
    assert user.client("iam").get_user()["User"]["Arn"] == user.arn


def test_aws_resource_tag_deny_holds_when_the_user_name_is_left_out(endpoint: str) -> None:
    """A deny on aws:ResourceTag of the user cannot be sidestepped by leaving out UserName: the call
    acts on the calling user (CreateAccessKey: "IAM determines the user name implicitly")."""
    locked = {
        "Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/locked": "true"}},
    }  # fmt: skip
    user = _User(endpoint, ALLOW_ALL, locked)
    user.iam.tag_user(UserName=user.name, Tags=[{"Key": "locked", "Value": "true"}])
    code, status, message = error_of(user.client("iam").create_access_key)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: {user.arn} is not authorized to perform: iam:CreateAccessKey on resource: {user.arn} "
        f"{EXPLICIT_DENY}"
    )
    assert len(user.iam.list_access_keys(UserName=user.name)["AccessKeyMetadata"]) == 1


def _tagged_role(endpoint: str, project: str) -> str:
    iam = make_client(endpoint, "iam")
    name = f"access-{project}-{uuid.uuid4().hex[:8]}"
    trust = {"Effect": "Allow", "Principal": {"AWS": ROOT_ACCOUNT}, "Action": "sts:AssumeRole"}
    tags = [{"Key": "access-project", "Value": project}]
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc(trust), Tags=tags)["Role"]["Arn"])


TUTORIAL_ASSUME_ROLE = {
    "Sid": "TutorialAssumeRole", "Effect": "Allow", "Action": "sts:AssumeRole",
    "Resource": f"arn:aws:iam::{ROOT_ACCOUNT}:role/access-*",
    "Condition": {"StringEquals": {"iam:ResourceTag/access-project": "${aws:PrincipalTag/access-project}"}},
}  # fmt: skip


def _project_user(endpoint: str, project: str) -> _User:
    user = _User(endpoint, TUTORIAL_ASSUME_ROLE)
    user.iam.tag_user(UserName=user.name, Tags=[{"Key": "access-project", "Value": project}])
    return user


def test_abac_tutorial_user_assumes_the_role_tagged_like_itself(endpoint: str) -> None:
    """IAM tutorial: Define permissions to access AWS resources based on tags: the access-assume-role
    policy lets a user assume an access-* role whose iam:ResourceTag/access-project matches the
    user's own tag."""
    user = _project_user(endpoint, "peg")
    role_arn = _tagged_role(endpoint, "peg")
    answer = user.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="peg-session")
    assert answer["AssumedRoleUser"]["Arn"].endswith("/peg-session")


def test_abac_tutorial_user_cannot_assume_a_role_of_another_project(endpoint: str) -> None:
    """IAM tutorial: Define permissions to access AWS resources based on tags: switching to the
    access-uni role "fails because the access-project ... tag values do not match"."""
    user = _project_user(endpoint, "peg")
    role_arn = _tagged_role(endpoint, "uni")
    code, status, message = error_of(user.client("sts").assume_role, RoleArn=role_arn, RoleSessionName="nope")
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: {user.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn} "
        "because no identity-based policy allows the sts:AssumeRole action"
    )


# Service Authorization Reference, IAM, "Resource types": besides users and roles, instance
# profiles, (customer managed) policies, OIDC and SAML providers, server certificates and virtual
# MFA devices take aws:ResourceTag/${TagKey}; only users and roles take iam:ResourceTag/${TagKey}.
# Each case: (action, creates a resource with the given tags and returns the call's kwargs).


def _tagged_policy(iam: Any, tags: list[dict[str, str]]) -> dict[str, Any]:
    arn = iam.create_policy(PolicyName=unique("docpolicy"), PolicyDocument=doc(ALLOW_ALL), Tags=tags)
    return {"PolicyArn": arn["Policy"]["Arn"]}


def _tagged_oidc_provider(iam: Any, tags: list[dict[str, str]]) -> dict[str, Any]:
    url = f"https://{unique('idp')}.example.com/id/{uuid.uuid4().hex[:6]}"  # a path in the name too
    answer = iam.create_open_id_connect_provider(Url=url, ClientIDList=["sts.amazonaws.com"], Tags=tags)
    return {"OpenIDConnectProviderArn": answer["OpenIDConnectProviderArn"]}


def _tagged_saml_provider(iam: Any, tags: list[dict[str, str]]) -> dict[str, Any]:
    from tests.services.iam.federation_support import metadata

    document = metadata(f"https://{unique('idp')}.example.com")
    answer = iam.create_saml_provider(Name=unique("docsaml"), SAMLMetadataDocument=document, Tags=tags)
    return {"SAMLProviderArn": answer["SAMLProviderArn"]}


def _tagged_server_certificate(iam: Any, tags: list[dict[str, str]]) -> dict[str, Any]:
    from tests.services.iam.certificate_support import PRIVATE_KEY, certificate

    name = unique("doccert")
    iam.upload_server_certificate(
        ServerCertificateName=name, CertificateBody=certificate(), PrivateKey=PRIVATE_KEY, Tags=tags
    )
    return {"ServerCertificateName": name}


def _tagged_mfa_device(iam: Any, tags: list[dict[str, str]]) -> dict[str, Any]:
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("docmfa"), Path="/team/", Tags=tags)
    return {"SerialNumber": device["VirtualMFADevice"]["SerialNumber"]}


def _tagged_instance_profile(iam: Any, tags: list[dict[str, str]]) -> dict[str, Any]:
    name = unique("docprofile")
    iam.create_instance_profile(InstanceProfileName=name, Tags=tags)
    return {"InstanceProfileName": name}


TAGGED_RESOURCES = {
    "policy": ("GetPolicy", _tagged_policy),
    "oidc-provider": ("GetOpenIDConnectProvider", _tagged_oidc_provider),
    "saml-provider": ("GetSAMLProvider", _tagged_saml_provider),
    "server-certificate": ("GetServerCertificate", _tagged_server_certificate),
    "mfa": ("ListMFADeviceTags", _tagged_mfa_device),
    "instance-profile": ("GetInstanceProfile", _tagged_instance_profile),
}
BLUE = [{"Key": "team", "Value": "blue"}]
TEAM_BLUE = {
    "Effect": "Allow", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}},
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(TAGGED_RESOURCES))
def test_aws_resource_tag_allow_admits_a_tagged_iam_resource(endpoint: str, kind: str) -> None:
    """Service Authorization Reference, IAM: the resource type takes aws:ResourceTag/${TagKey}, so
    an allow conditioned on the resource's tag admits a call acting on a resource with that tag."""
    operation, create = TAGGED_RESOURCES[kind]
    user = _User(endpoint, {**TEAM_BLUE, "Action": f"iam:{operation}"})
    kwargs = create(user.iam, BLUE)
    answer = getattr(user.client("iam"), xform_name(operation))(**kwargs)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize("kind", sorted(TAGGED_RESOURCES))
def test_aws_resource_tag_deny_refuses_a_tagged_iam_resource(endpoint: str, kind: str) -> None:
    """A deny on aws:ResourceTag of the resource holds for every IAM resource type that takes the
    key: the call is refused with an explicit deny, while the same call on an untagged resource of
    the type is allowed."""
    operation, create = TAGGED_RESOURCES[kind]
    user = _User(endpoint, ALLOW_ALL, {**TEAM_BLUE, "Effect": "Deny", "Action": f"iam:{operation}"})
    call = getattr(user.client("iam"), xform_name(operation))
    code, status, message = error_of(call, **create(user.iam, BLUE))
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: {user.arn} is not authorized to perform: iam:{operation} on resource: ")
    assert message.endswith(EXPLICIT_DENY)
    assert call(**create(user.iam, []))["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_iam_resource_tag_does_not_apply_to_a_managed_policy(endpoint: str) -> None:
    """Service Authorization Reference, IAM: the policy resource type takes aws:ResourceTag only;
    iam:ResourceTag is for users and roles, so an allow conditioned on it admits no policy."""
    user = _User(endpoint, {
        "Effect": "Allow", "Action": "iam:GetPolicy", "Resource": "*",
        "Condition": {"StringEquals": {"iam:ResourceTag/team": "blue"}},
    })  # fmt: skip
    kwargs = _tagged_policy(user.iam, BLUE)
    code, status, message = error_of(user.client("iam").get_policy, **kwargs)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: {user.arn} is not authorized to perform: iam:GetPolicy on resource: {kwargs['PolicyArn']} "
        "because no identity-based policy allows the iam:GetPolicy action"
    )


def test_chained_session_cannot_change_its_source_identity(endpoint: str) -> None:
    """Monitor and control actions taken with assumed roles: "The value that is set cannot be
    changed during the role session"; a chained AssumeRole asking for another SourceIdentity is
    refused even though both policies allow sts:SetSourceIdentity."""
    credentials, critical_arn = _critical_role_session(endpoint, ASSUME_AND_SET)
    second_arn = _role(endpoint, critical_arn, Action=ASSUME_AND_SET["Action"])
    sts = session_client(endpoint, "sts", credentials)
    session_arn = sts.get_caller_identity()["Arn"]
    assert error_of(sts.assume_role, RoleArn=second_arn, RoleSessionName="Audit", SourceIdentity="Diego") == (
        "AccessDenied", 403,
        f"User: {session_arn} is not authorized to perform: sts:AssumeRole on resource: {second_arn}",
    )  # fmt: skip


def test_chained_session_may_name_its_own_source_identity_again(endpoint: str) -> None:
    """Naming the session's own source identity again changes nothing, so the chained AssumeRole
    succeeds with it."""
    credentials, critical_arn = _critical_role_session(endpoint, ASSUME_AND_SET)
    second_arn = _role(endpoint, critical_arn, Action=ASSUME_AND_SET["Action"])
    sts = session_client(endpoint, "sts", credentials)
    answer = sts.assume_role(RoleArn=second_arn, RoleSessionName="Audit", SourceIdentity="Saanvi")
    assert answer["SourceIdentity"] == "Saanvi"
