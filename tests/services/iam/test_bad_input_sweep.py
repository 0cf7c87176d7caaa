"""Inputs found by the robustness sweep (every operation, garbage and boundary input) that once
answered 500: each must get IAM's or STS's own 4xx error."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.services.iam.support import error_of, trust, unique

NOT_A_JWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth






def test_a_policy_nested_too_deep_is_a_malformed_document(iam: Any) -> None:
    user = unique("deep")
    iam.create_user(UserName=user)
    assert error_of(iam.put_user_policy, UserName=user, PolicyName="p", PolicyDocument=nested(1200)) == (
        "MalformedPolicyDocument",
        400,
        "Syntax errors in policy.",
    )


def test_a_trust_policy_nested_too_deep_is_invalid_json(iam: Any) -> None:
    role = unique("deep")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))
    assert error_of(iam.update_assume_role_policy, RoleName=role, PolicyDocument=nested(1200)) == (
        "MalformedPolicyDocument",
        400,
        "This policy contains invalid Json",
    )


def _segment(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


@pytest.mark.parametrize(
    "claims",
    [json.dumps({"iss": "\ud800", "sub": "s", "aud": "a"}), nested(1200)],
    ids=["lone-surrogate-issuer", "nested"],
)
def test_a_web_identity_token_that_is_no_unicode_json_is_not_a_jwt(iam: Any, sts: Any, claims: str) -> None:
    role = iam.create_role(
        RoleName=unique("web"), AssumeRolePolicyDocument=trust({"Federated": "accounts.google.com"})
    )
    token = f"{_segment(json.dumps({'alg': 'RS256'}))}.{_segment(claims)}.c2ln"
    assert error_of(
        sts.assume_role_with_web_identity,
        RoleArn=role["Role"]["Arn"],
        RoleSessionName="s1",
        WebIdentityToken=token,
    ) == ("InvalidIdentityToken", 400, NOT_A_JWT)


def test_an_authorization_message_nested_too_deep_is_invalid(sts: Any) -> None:
    message = base64.b64encode(("[" * 1200 + "]" * 1200).encode()).decode()
    assert error_of(sts.decode_authorization_message, EncodedMessage=message) == (
        "InvalidAuthorizationMessageException",
        400,
        "The error message provided is not a valid encoded authorization message.",
    )
