"""Outbound identity federation: IAM's Enable/Disable/GetOutboundWebIdentityFederationInfo and
STS's GetWebIdentityToken, whose JWTs an external service verifies with PyJWT through the
issuer's OIDC discovery document and JWKS, as the IAM User Guide's "Getting started with outbound
identity federation" and "Understanding token claims" describe.

The feature is an account-wide switch, so these tests run on a server of their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.conftest import ROOT_ACCOUNT, ROOT_KEY, ROOT_SECRET, ServerProcess, make_client
from tests.services.iam.support import Caller, allow, doc, error_of, session_client, trust, unique

NAMESPACE = "https://sts.amazonaws.com/"
DISABLED = (
    "OutboundWebIdentityFederationDisabledException",
    403,
    "The outbound web identity federation feature is not enabled for this account. To use this feature, "
    "you must first enable it through the AWS Management Console or API.",
)


@pytest.fixture(scope="module")
def own_server() -> Iterator[ServerProcess]:
    proc = ServerProcess().start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def issuer(own_server: ServerProcess) -> str:
    """The account's issuer URL, with the feature enabled."""
    found: str = make_client(own_server.endpoint, "iam").enable_outbound_web_identity_federation()[
        "IssuerIdentifier"
    ]
    return found


@pytest.fixture
def iam(own_server: ServerProcess) -> Any:
    return make_client(own_server.endpoint, "iam")


@pytest.fixture
def sts(own_server: ServerProcess, issuer: str) -> Any:
    return make_client(own_server.endpoint, "sts")


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _verify(issuer: str, token: str, audience: str | list[str], algorithm: str = "RS256") -> dict[str, Any]:
    """The token's claims, verified as an external service verifies them: keys found through the
    issuer's discovery document, signature, issuer, audience and expiry checked by PyJWT."""
    discovery = _get_json(issuer + "/.well-known/openid-configuration")
    signing_key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)
    claims: dict[str, Any] = jwt.decode(
        token, signing_key.key, algorithms=[algorithm], audience=audience, issuer=issuer
    )
    return claims


def test_info_and_tokens_are_refused_while_the_feature_was_never_enabled() -> None:
    fresh = ServerProcess().start()
    try:
        iam, sts = make_client(fresh.endpoint, "iam"), make_client(fresh.endpoint, "sts")
        assert error_of(iam.get_outbound_web_identity_federation_info)[:2] == ("FeatureDisabled", 404)
        assert error_of(iam.disable_outbound_web_identity_federation)[:2] == ("FeatureDisabled", 404)
        assert (
            error_of(
                sts.get_web_identity_token, Audience=["https://api.example.com"], SigningAlgorithm="RS256"
            )
            == DISABLED
        )
    finally:
        fresh.stop()


def test_enable_gives_an_issuer_that_info_reports(iam: Any, issuer: str, own_server: ServerProcess) -> None:
    assert issuer.startswith(own_server.endpoint + "/")
    info = iam.get_outbound_web_identity_federation_info()
    assert info["IssuerIdentifier"] == issuer
    assert info["JwtVendingEnabled"] is True


def test_enabling_twice_is_refused(iam: Any, issuer: str) -> None:
    code, status, _ = error_of(iam.enable_outbound_web_identity_federation)
    assert (code, status) == ("FeatureEnabled", 409)


def test_the_issuer_publishes_its_discovery_document_and_keys(issuer: str) -> None:
    discovery = _get_json(issuer + "/.well-known/openid-configuration")
    assert discovery["issuer"] == issuer
    assert discovery["jwks_uri"] == issuer + "/.well-known/jwks.json"
    assert set(discovery["id_token_signing_alg_values_supported"]) == {"RS256", "ES384"}
    keys = _get_json(discovery["jwks_uri"])["keys"]
    assert {(k["kty"], k["alg"]) for k in keys} == {("RSA", "RS256"), ("EC", "ES384")}


def test_an_rs256_token_verifies_with_the_issuers_keys_and_names_the_caller(sts: Any, issuer: str) -> None:
    answer = sts.get_web_identity_token(
        Audience=["https://api.example.com"],
        SigningAlgorithm="RS256",
        Tags=[{"Key": "job-id", "Value": "job-1"}],
    )
    token = answer["WebIdentityToken"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["kid"]
    claims = _verify(issuer, token, "https://api.example.com")
    assert claims["iss"] == issuer
    assert claims["sub"] == f"arn:aws:iam::{ROOT_ACCOUNT}:root"
    assert claims["aud"] == "https://api.example.com"
    assert claims["exp"] - claims["iat"] == 300  # the documented default duration
    assert claims["exp"] == int(answer["Expiration"].timestamp())
    assert claims["jti"]
    aws = claims[NAMESPACE]
    assert aws["aws_account"] == ROOT_ACCOUNT
    assert aws["source_region"] == "us-east-1"
    assert aws["principal_id"] == f"arn:aws:iam::{ROOT_ACCOUNT}:root"
    assert aws["request_tags"] == {"job-id": "job-1"}


def test_an_es384_token_with_several_audiences_verifies(sts: Any, issuer: str) -> None:
    audiences = ["https://one.example.com", "https://two.example.com"]
    token = sts.get_web_identity_token(Audience=audiences, SigningAlgorithm="ES384", DurationSeconds=3600)[
        "WebIdentityToken"
    ]
    assert jwt.get_unverified_header(token)["alg"] == "ES384"
    claims = _verify(issuer, token, "https://two.example.com", algorithm="ES384")
    assert claims["aud"] == audiences
    assert claims["exp"] - claims["iat"] == 3600
    assert "request_tags" not in claims[NAMESPACE]


def test_every_token_has_its_own_id(sts: Any) -> None:
    ids = {
        jwt.decode(
            sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="RS256")["WebIdentityToken"],
            options={"verify_signature": False},
        )["jti"]
        for _ in range(3)
    }
    assert len(ids) == 3


def _aws_cli(endpoint: str, *args: str) -> Any:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ROOT_KEY,
        "AWS_SECRET_ACCESS_KEY": ROOT_SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }
    command = [sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "--output", "json", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_aws_cli_reads_the_issuer_and_gets_a_token(own_server: ServerProcess, issuer: str) -> None:
    info = _aws_cli(own_server.endpoint, "iam", "get-outbound-web-identity-federation-info")
    assert (info["IssuerIdentifier"], info["JwtVendingEnabled"]) == (issuer, True)
    answer = _aws_cli(
        own_server.endpoint,
        "sts",
        "get-web-identity-token",
        "--audience",
        "external-service",  # CLI v1 would fetch an https:// value as a parameter file
        "--signing-algorithm",
        "ES384",
    )
    claims = _verify(issuer, answer["WebIdentityToken"], "external-service", algorithm="ES384")
    assert claims["sub"] == f"arn:aws:iam::{ROOT_ACCOUNT}:root"


def test_a_role_sessions_token_names_the_role_and_its_tags(
    iam: Any, sts: Any, issuer: str, own_server: ServerProcess
) -> None:
    name = unique("role")
    role_arn = iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root"),
        Tags=[{"Key": "team", "Value": "data"}],
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=name, PolicyName="tokens", PolicyDocument=doc(allow("sts:GetWebIdentityToken"))
    )
    user = Caller(own_server.endpoint, iam)
    iam.put_user_policy(UserName=user.name, PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    session = user.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="job")["Credentials"]
    role_sts = session_client(own_server.endpoint, "sts", session)
    token = role_sts.get_web_identity_token(Audience=["https://api.example.com"], SigningAlgorithm="RS256")[
        "WebIdentityToken"
    ]
    claims = _verify(issuer, token, "https://api.example.com")
    assert claims["sub"] == role_arn
    assert claims[NAMESPACE]["principal_id"] == role_arn
    assert claims[NAMESPACE]["principal_tags"] == {"team": "data"}
    assert claims[NAMESPACE]["original_session_exp"] == session["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_token_may_not_outlive_the_calling_session(iam: Any, sts: Any, own_server: ServerProcess) -> None:
    name = unique("role")
    role_arn = iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ROOT_ACCOUNT}:root")
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=name, PolicyName="tokens", PolicyDocument=doc(allow("sts:GetWebIdentityToken"))
    )
    user = Caller(own_server.endpoint, iam)
    iam.put_user_policy(UserName=user.name, PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    session = user.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="short", DurationSeconds=900)[
        "Credentials"
    ]
    role_sts = session_client(own_server.endpoint, "sts", session)
    code, status, _ = error_of(
        role_sts.get_web_identity_token, Audience=["a"], SigningAlgorithm="RS256", DurationSeconds=3600
    )
    assert (code, status) == ("SessionDurationEscalationException", 403)


def test_a_policy_condition_on_the_audience_decides(iam: Any, own_server: ServerProcess, issuer: str) -> None:
    user = Caller(own_server.endpoint, iam)
    condition = {
        "ForAllValues:StringEquals": {"sts:IdentityTokenAudience": "https://api.example.com"},
        "NumericLessThanEquals": {"sts:DurationSeconds": 300},
    }
    iam.put_user_policy(
        UserName=user.name,
        PolicyName="tokens",
        PolicyDocument=doc(allow("sts:GetWebIdentityToken", Condition=condition)),
    )
    user_sts = user.client("sts")
    token = user_sts.get_web_identity_token(Audience=["https://api.example.com"], SigningAlgorithm="RS256")[
        "WebIdentityToken"
    ]
    assert _verify(issuer, token, "https://api.example.com")["sub"] == user.arn
    code, status, message = error_of(
        user_sts.get_web_identity_token, Audience=["https://elsewhere.example.com"], SigningAlgorithm="RS256"
    )
    assert (code, status) == ("AccessDenied", 403)
    assert f"User: {user.arn} is not authorized to perform: sts:GetWebIdentityToken" in message
    code, status, _ = error_of(
        user_sts.get_web_identity_token,
        Audience=["https://api.example.com"],
        SigningAlgorithm="RS256",
        DurationSeconds=600,
    )
    assert (code, status) == ("AccessDenied", 403)


def test_a_policy_condition_on_the_signing_algorithm_decides(
    iam: Any, own_server: ServerProcess, issuer: str
) -> None:
    user = Caller(own_server.endpoint, iam)
    condition = {"StringEquals": {"sts:SigningAlgorithm": "ES384"}}
    iam.put_user_policy(
        UserName=user.name,
        PolicyName="tokens",
        PolicyDocument=doc(allow("sts:GetWebIdentityToken", Condition=condition)),
    )
    user_sts = user.client("sts")
    assert user_sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="ES384")["WebIdentityToken"]
    assert error_of(user_sts.get_web_identity_token, Audience=["a"], SigningAlgorithm="RS256")[:2] == (
        "AccessDenied",
        403,
    )


def test_tags_need_the_tag_permission_too(iam: Any, own_server: ServerProcess, issuer: str) -> None:
    user = Caller(own_server.endpoint, iam)
    iam.put_user_policy(
        UserName=user.name, PolicyName="tokens", PolicyDocument=doc(allow("sts:GetWebIdentityToken"))
    )
    user_sts = user.client("sts")
    tags = [{"Key": "job-id", "Value": "job-1"}]
    code, status, message = error_of(
        user_sts.get_web_identity_token, Audience=["a"], SigningAlgorithm="RS256", Tags=tags
    )
    assert (code, status) == ("AccessDenied", 403)
    assert f"User: {user.arn} is not authorized to perform: sts:TagGetWebIdentityToken" in message
    only_jobs = {"StringLike": {"aws:RequestTag/job-id": "job-*"}}
    iam.put_user_policy(
        UserName=user.name,
        PolicyName="tags",
        PolicyDocument=doc(allow("sts:TagGetWebIdentityToken", Condition=only_jobs)),
    )
    token = user_sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="RS256", Tags=tags)[
        "WebIdentityToken"
    ]
    assert _verify(issuer, token, "a")[NAMESPACE]["request_tags"] == {"job-id": "job-1"}
    other = [{"Key": "job-id", "Value": "batch-1"}]
    assert error_of(user_sts.get_web_identity_token, Audience=["a"], SigningAlgorithm="RS256", Tags=other)[
        :2
    ] == ("AccessDenied", 403)


def test_the_action_is_on_the_callers_own_self_resource(iam: Any, own_server: ServerProcess) -> None:
    user = Caller(own_server.endpoint, iam)
    user_sts = user.client("sts")
    code, _, message = error_of(user_sts.get_web_identity_token, Audience=["a"], SigningAlgorithm="RS256")
    assert code == "AccessDenied"
    assert f"sts:GetWebIdentityToken on resource: arn:aws:sts::{ROOT_ACCOUNT}:self because" in message
    self_arn = f"arn:aws:sts::{ROOT_ACCOUNT}:self"
    iam.put_user_policy(
        UserName=user.name,
        PolicyName="tokens",
        PolicyDocument=doc(allow("sts:GetWebIdentityToken", self_arn)),
    )
    assert user_sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="RS256")["WebIdentityToken"]


def test_a_payload_over_the_size_limit_is_refused(sts: Any) -> None:
    tags = [{"Key": f"{i:02d}" + "k" * 126, "Value": "v" * 256} for i in range(50)]
    code, status, _ = error_of(
        sts.get_web_identity_token, Audience=["a"], SigningAlgorithm="RS256", Tags=tags
    )
    assert (code, status) == ("JWTPayloadSizeExceededException", 400)
    token = sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="RS256", Tags=tags[:30])[
        "WebIdentityToken"
    ]
    assert len(jwt.decode(token, options={"verify_signature": False})[NAMESPACE]["request_tags"]) == 30


def test_a_user_without_permission_is_refused(iam: Any, own_server: ServerProcess, issuer: str) -> None:
    user = Caller(own_server.endpoint, iam)
    code, status, _ = error_of(
        user.client("sts").get_web_identity_token, Audience=["a"], SigningAlgorithm="RS256"
    )
    assert (code, status) == ("AccessDenied", 403)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"Audience": ["a"], "DurationSeconds": 59},
            "1 validation error detected: Value '59' at 'durationSeconds' failed to satisfy constraint: "
            "Member must have value greater than or equal to 60",
        ),
        (
            {"Audience": ["a"], "DurationSeconds": 3601},
            "1 validation error detected: Value '3601' at 'durationSeconds' failed to satisfy constraint: "
            "Member must have value less than or equal to 3600",
        ),
        (
            {"Audience": []},
            "1 validation error detected: Value '[]' at 'audience' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1",
        ),
        (
            {"Audience": [f"https://{i}.example.com" for i in range(11)]},
            "failed to satisfy constraint: Member must have length less than or equal to 10",
        ),
        (
            {"Audience": ["a"], "SigningAlgorithm": "HS256"},
            "1 validation error detected: Value 'HS256' at 'signingAlgorithm' failed to satisfy constraint: "
            "Member must satisfy enum value set: [RS256, ES384]",
        ),
    ],
)
def test_bad_input_is_a_validation_error(
    own_server: ServerProcess, issuer: str, params: Any, message: str
) -> None:
    raw = make_client(own_server.endpoint, "sts", parameter_validation=False)
    code, status, answer = error_of(raw.get_web_identity_token, **{"SigningAlgorithm": "RS256", **params})
    assert (code, status) == ("ValidationError", 400)
    assert message in answer


def test_origin_identity_needs_a_propagated_identity(sts: Any) -> None:
    code, status, _ = error_of(
        sts.get_web_identity_token, Audience=["a"], SigningAlgorithm="RS256", SubjectMode="OriginIdentity"
    )
    assert (code, status) == ("ValidationError", 400)


def test_scope_needs_origin_identity(sts: Any) -> None:
    code, status, _ = error_of(
        sts.get_web_identity_token, Audience=["a"], SigningAlgorithm="RS256", Scope="read"
    )
    assert (code, status) == ("ValidationError", 400)


def test_duplicate_tag_keys_are_refused(sts: Any) -> None:
    tags = [{"Key": "k", "Value": "1"}, {"Key": "K", "Value": "2"}]
    code, status, _ = error_of(
        sts.get_web_identity_token, Audience=["a"], SigningAlgorithm="RS256", Tags=tags
    )
    assert (code, status) == ("InvalidParameterValue", 400)


def test_disabling_stops_new_tokens_but_keeps_the_issuer(iam: Any, sts: Any, issuer: str) -> None:
    earlier = sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="RS256")["WebIdentityToken"]
    iam.disable_outbound_web_identity_federation()
    try:
        assert error_of(sts.get_web_identity_token, Audience=["a"], SigningAlgorithm="RS256") == DISABLED
        assert error_of(iam.get_outbound_web_identity_federation_info)[:2] == ("FeatureDisabled", 404)
        assert error_of(iam.disable_outbound_web_identity_federation)[:2] == ("FeatureDisabled", 404)
        # "This operation does not affect tokens that were issued before the feature was disabled."
        assert _verify(issuer, earlier, "a")["iss"] == issuer
    finally:
        again = iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
    assert again == issuer


def test_the_signing_keys_survive_a_restart(tmp_path: Path) -> None:
    first = ServerProcess(data_dir=tmp_path).start()
    try:
        issuer = make_client(first.endpoint, "iam").enable_outbound_web_identity_federation()[
            "IssuerIdentifier"
        ]
        token = make_client(first.endpoint, "sts").get_web_identity_token(
            Audience=["a"], SigningAlgorithm="ES384"
        )["WebIdentityToken"]
    finally:
        first.stop()
    second = ServerProcess(data_dir=tmp_path)
    second.port = first.port  # the issuer URL is on the server's own endpoint
    second.start()
    try:
        assert _verify(issuer, token, "a", algorithm="ES384")["iss"] == issuer
    finally:
        second.stop()


def test_a_token_of_an_organization_member_names_its_organization(
    own_server: ServerProcess, sts: Any
) -> None:
    organizations = make_client(own_server.endpoint, "organizations")
    org = organizations.create_organization(FeatureSet="ALL")["Organization"]
    root_id = organizations.list_roots()["Roots"][0]["Id"]
    # The organization stays (pocketcloud has no DeleteOrganization); no other test here minds it.
    token = sts.get_web_identity_token(Audience=["a"], SigningAlgorithm="RS256")["WebIdentityToken"]
    aws = jwt.decode(token, options={"verify_signature": False})[NAMESPACE]
    assert aws["org_id"] == org["Id"]
    assert aws["ou_path"] == f"{org['Id']}/{root_id}/"
