"""STS AssumeRoleWithWebIdentity through boto3 (which sends it unsigned): an OIDC token from a
provider registered in IAM gets a session of a role whose trust policy names that provider,
and AWS's errors for unknown issuers, wrong audiences, expired or malformed tokens and trust
policies that do not allow the token's subject.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore import UNSIGNED

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.iam.federation_support import CLIENT_ID, jwt
from tests.services.iam.support import doc, error_of, unique


def _role(iam: Any, provider: tuple[str, str], condition: dict[str, Any] | None = None) -> str:
    host, provider_arn = provider
    condition = condition or {"StringEquals": {f"{host}:aud": CLIENT_ID, f"{host}:sub": "repo:org/app"}}
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }
    name = unique("web-role")
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc(statement))["Role"]["Arn"])


def _assume(sts: Any, role_arn: str, token: str, **kwargs: Any) -> Any:
    return sts.assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName="web-session", WebIdentityToken=token, **kwargs
    )


def test_a_trusted_token_gets_a_role_session(
    iam: Any, sts: Any, oidc: tuple[str, str], endpoint: str
) -> None:
    host, provider_arn = oidc
    role_arn = _role(iam, oidc)
    answer = _assume(sts, role_arn, jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="repo:org/app"))
    role_name = role_arn.rsplit("/", 1)[-1]
    assert (
        answer["AssumedRoleUser"]["Arn"]
        == f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/{role_name}/web-session"
    )
    assert (answer["SubjectFromWebIdentityToken"], answer["Provider"], answer["Audience"]) == (
        "repo:org/app",
        provider_arn,
        CLIENT_ID,
    )
    creds = answer["Credentials"]
    session = make_client(
        endpoint,
        "sts",
        key=creds["AccessKeyId"],
        secret=creds["SecretAccessKey"],
        token=creds["SessionToken"],
    )
    assert session.get_caller_identity()["Arn"] == answer["AssumedRoleUser"]["Arn"]


def test_the_call_needs_no_signature(endpoint: str, iam: Any, oidc: tuple[str, str]) -> None:
    host, _ = oidc
    role_arn = _role(iam, oidc)
    anonymous = make_client(endpoint, "sts", signature_version=UNSIGNED)
    answer = _assume(anonymous, role_arn, jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="repo:org/app"))
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_other_sts_calls_still_need_a_signature(endpoint: str) -> None:
    anonymous = make_client(endpoint, "sts", signature_version=UNSIGNED)
    assert error_of(anonymous.get_caller_identity) == (
        "MissingAuthenticationToken",
        403,
        "Request is missing Authentication Token",
    )


def test_an_issuer_naming_the_provider_over_plain_http_is_refused(
    iam: Any, sts: Any, oidc: tuple[str, str]
) -> None:
    # The provider is its https URL (versity/versitygw's IAMAssumeRoleWithWebIdentity_issuer_scheme_mismatch).
    host, _ = oidc
    role_arn = _role(iam, oidc)
    token = jwt(iss=f"http://{host}", aud=CLIENT_ID, sub="repo:org/app")
    assert error_of(_assume, sts, role_arn, token) == (
        "InvalidIdentityToken",
        400,
        f"No OpenIDConnect provider found in your account for http://{host}",
    )
    assert _assume(sts, role_arn, jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="repo:org/app"))["Credentials"]


def test_an_issuer_with_no_provider_in_the_account_is_refused(
    iam: Any, sts: Any, oidc: tuple[str, str]
) -> None:
    role_arn = _role(iam, oidc)
    token = jwt(iss="https://unknown.example.com", aud=CLIENT_ID, sub="repo:org/app")
    assert error_of(_assume, sts, role_arn, token) == (
        "InvalidIdentityToken",
        400,
        "No OpenIDConnect provider found in your account for https://unknown.example.com",
    )


def test_an_audience_that_is_no_client_id_is_refused(iam: Any, sts: Any, oidc: tuple[str, str]) -> None:
    host, _ = oidc
    role_arn = _role(iam, oidc)
    token = jwt(iss=f"https://{host}", aud="someone-else", sub="repo:org/app")
    assert error_of(_assume, sts, role_arn, token) == (
        "InvalidIdentityToken",
        400,
        "Incorrect token audience",
    )


def test_an_expired_token_is_refused(iam: Any, sts: Any, oidc: tuple[str, str]) -> None:
    host, _ = oidc
    role_arn = _role(iam, oidc)
    expired = int(time.time()) - 60
    token = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="repo:org/app", exp=expired)
    code, status, message = error_of(_assume, sts, role_arn, token)
    assert (code, status) == ("ExpiredTokenException", 400)
    assert message.startswith("Token expired: current date/time ")
    assert message.endswith(f" must be before the expiration date/time {expired}")


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "e30.e30.sig"])
def test_a_malformed_token_is_an_invalid_identity_token(
    iam: Any, sts: Any, oidc: tuple[str, str], token: str
) -> None:
    role_arn = _role(iam, oidc)
    code, status, _ = error_of(_assume, sts, role_arn, token)
    assert (code, status) == ("InvalidIdentityToken", 400)


def test_a_subject_the_trust_policy_does_not_allow_is_refused(
    iam: Any, sts: Any, oidc: tuple[str, str]
) -> None:
    host, _ = oidc
    role_arn = _role(iam, oidc)
    token = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="repo:org/other")
    assert error_of(_assume, sts, role_arn, token) == (
        "AccessDenied",
        403,
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
    )


def test_a_role_that_trusts_another_provider_is_refused(
    iam: Any, sts: Any, oidc: tuple[str, str]
) -> None:
    host, _ = oidc
    other = (host, f"arn:aws:iam::{ROOT_ACCOUNT}:oidc-provider/other.example.com")
    role_arn = _role(iam, other, condition={"StringEquals": {f"{host}:aud": CLIENT_ID}})
    token = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="repo:org/app")
    assert error_of(_assume, sts, role_arn, token) == (
        "AccessDenied",
        403,
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
    )


def test_a_missing_role_is_refused_like_an_untrusting_one(sts: Any, oidc: tuple[str, str]) -> None:
    host, _ = oidc
    token = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="repo:org/app")
    role_arn = f"arn:aws:iam::{ROOT_ACCOUNT}:role/{unique('missing')}"
    assert error_of(_assume, sts, role_arn, token) == (
        "AccessDenied",
        403,
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
    )


def test_the_amr_claim_is_a_multivalued_condition_key(iam: Any, sts: Any, oidc: tuple[str, str]) -> None:
    host, _ = oidc
    role_arn = _role(iam, oidc, condition={"ForAnyValue:StringLike": {f"{host}:amr": "authenticated"}})
    allowed = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="u1", amr=["authenticated", "pwd"])
    assert _assume(sts, role_arn, allowed)["SubjectFromWebIdentityToken"] == "u1"
    refused = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="u1", amr=["unauthenticated"])
    assert error_of(_assume, sts, role_arn, refused) == (
        "AccessDenied",
        403,
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
    )


def test_the_session_has_the_role_permissions_narrowed_by_a_session_policy(
    iam: Any, sts: Any, oidc: tuple[str, str], endpoint: str
) -> None:
    host, _ = oidc
    role_arn = _role(iam, oidc)
    iam.put_role_policy(
        RoleName=role_arn.rsplit("/", 1)[-1],
        PolicyName="all",
        PolicyDocument=doc(
            {"Effect": "Allow", "Action": ["iam:ListRoles", "iam:ListUsers"], "Resource": "*"}
        ),
    )
    session_policy = doc({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"})
    token = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="repo:org/app")
    creds = _assume(sts, role_arn, token, Policy=session_policy)["Credentials"]
    session = make_client(
        endpoint,
        "iam",
        key=creds["AccessKeyId"],
        secret=creds["SecretAccessKey"],
        token=creds["SessionToken"],
    )
    assert session.list_roles(MaxItems=1)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert error_of(session.list_users)[:2] == ("AccessDenied", 403)
