"""Smaller IAM calls through boto3: the condition keys a policy uses, the STS global endpoint
token preference, GetMFADevice, and what GetAccountSummary counts of identity providers.
"""

from __future__ import annotations

import time
from typing import Any

from tests.conftest import ROOT_ACCOUNT
from tests.services.iam.support import allow, doc, error_of, totp, unique

CONDITIONED = doc(
    allow("s3:ListBucket", "arn:aws:s3:::${aws:username}", Condition={"StringLike": {"s3:prefix": "home/*"}}),
    allow("ec2:*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
)




def test_context_keys_of_a_custom_policy(iam: Any) -> None:
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[CONDITIONED])["ContextKeyNames"]
    assert {k.lower() for k in keys} == {"aws:username", "s3:prefix", "aws:multifactorauthpresent"}


def test_context_keys_come_in_the_documented_order(iam: Any) -> None:
    """The CLI's documented get-context-keys-for-custom-policy answer: a resource's variable, then the condition's key."""
    policy = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":'
        '"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":'
        '{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}'
    )
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[policy])["ContextKeyNames"]
    assert keys == ["aws:username", "aws:CurrentTime"]


def test_context_keys_of_a_principal_policy(iam: Any) -> None:
    name = unique("ctxuser")
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=CONDITIONED)
    keys = iam.get_context_keys_for_principal_policy(PolicySourceArn=arn)["ContextKeyNames"]
    assert {k.lower() for k in keys} == {"aws:username", "s3:prefix", "aws:multifactorauthpresent"}


def test_the_global_endpoint_token_version_is_kept(iam: Any) -> None:
    iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
    try:
        assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
    finally:
        iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")
    assert iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"] == 1


def test_get_mfa_device_of_an_enabled_device(iam: Any) -> None:
    user = unique("mfauser")
    iam.create_user(UserName=user)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("mfa"))["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"]
    assert error_of(iam.get_mfa_device, SerialNumber=serial)[:2] == ("NoSuchEntity", 404)
    step = int(time.time()) // 30 - 1
    iam.enable_mfa_device(
        UserName=user,
        SerialNumber=serial,
        AuthenticationCode1=totp(seed, step),
        AuthenticationCode2=totp(seed, step + 1),
    )
    got = iam.get_mfa_device(SerialNumber=serial, UserName=user)
    assert (got["UserName"], got["SerialNumber"]) == (user, serial)


def test_the_account_summary_counts_identity_providers(iam: Any) -> None:
    before = iam.get_account_summary()["SummaryMap"]["Providers"]
    arn = iam.create_open_id_connect_provider(Url=f"https://{unique('sum')}.example.com")[
        "OpenIDConnectProviderArn"
    ]
    assert iam.get_account_summary()["SummaryMap"]["Providers"] == before + 1
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert arn.startswith(f"arn:aws:iam::{ROOT_ACCOUNT}:oidc-provider/")
