"""Resource control policies over AssumeRoleWithWebIdentity and AssumeRoleWithSAML (Organizations
"RCP evaluation"; the list of actions RCPs support names sts:AssumeRoleWithWebIdentity and
sts:AssumeRoleWithSAML): an RCP of the role's member account can deny the federated call, with
the provider's condition keys in its context, while its management account's roles and the member
account's SCPs (no caller principal of the account) stay out of it.

A server of its own: a declared account (MANAGEMENT) creates the organization with both policy
types enabled; the other declared account (MEMBER) joins it and owns the roles and providers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess, make_client
from tests.services.iam.federation_support import CLIENT_ID, jwt, metadata, saml_response
from tests.services.iam.support import error_of
from tests.services.organizations.org_support import (
    MANAGEMENT,
    MANAGEMENT_KEY,
    MANAGEMENT_SECRET,
    MEMBER,
    MEMBER_KEY,
    MEMBER_SECRET,
    RCP,
    SCP,
    management_client,
    organization_server,
    policy_attacher,
    policy_doc,
)

WEB_DENIED = ("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
SAML_DENIED = ("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithSAML")


def _rcp_deny(action: str, **extra: Any) -> str:
    return policy_doc({"Effect": "Deny", "Principal": "*", "Action": action, "Resource": "*", **extra})


@pytest.fixture(scope="module")
def org_server() -> Iterator[ServerProcess]:
    yield from organization_server(RCP, SCP)


@pytest.fixture
def org(org_server: ServerProcess) -> Any:
    return management_client(org_server)


@pytest.fixture
def attach(org: Any) -> Iterator[Callable[..., str]]:
    yield from policy_attacher(org)


@pytest.fixture
def sts(org_server: ServerProcess) -> Any:
    return make_client(org_server.endpoint, "sts")


def _iam(org_server: ServerProcess, key: str = MEMBER_KEY, secret: str = MEMBER_SECRET) -> Any:
    return make_client(org_server.endpoint, "iam", key=key, secret=secret)


def _oidc_role(iam: Any) -> tuple[str, str]:
    """(issuer host, role ARN): an OIDC provider of the account and a role that trusts its tokens."""
    host = f"{uuid.uuid4().hex[:10]}.idp.example.com"
    provider = iam.create_open_id_connect_provider(Url=f"https://{host}", ClientIDList=[CLIENT_ID])
    trust = {
        "Effect": "Allow",
        "Principal": {"Federated": provider["OpenIDConnectProviderArn"]},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{host}:aud": CLIENT_ID}},
    }
    role = iam.create_role(RoleName="web-" + uuid.uuid4().hex[:8], AssumeRolePolicyDocument=policy_doc(trust))
    return host, str(role["Role"]["Arn"])


def _saml_role(iam: Any) -> tuple[str, str, str]:
    """(issuer, provider ARN, role ARN): a SAML provider of the account and a role that trusts it."""
    issuer = f"https://{uuid.uuid4().hex[:10]}.idp.example.com"
    name = "Saml" + uuid.uuid4().hex[:8]
    provider_arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=metadata(issuer))[
        "SAMLProviderArn"
    ]
    trust = {"Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithSAML"}
    role = iam.create_role(RoleName="saml-" + uuid.uuid4().hex[:8], AssumeRolePolicyDocument=policy_doc(trust))
    return issuer, provider_arn, str(role["Role"]["Arn"])


def _web(sts: Any, role_arn: str, host: str, sub: str = "repo:org/app") -> Any:
    token = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub=sub)
    return sts.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName="fed", WebIdentityToken=token)


def _saml(sts: Any, issuer: str, provider_arn: str, role_arn: str) -> Any:
    assertion = saml_response(issuer, role_arn, provider_arn)
    return sts.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=assertion)


def test_an_rcp_deny_refuses_assume_role_with_web_identity(
    org_server: ServerProcess, sts: Any, attach: Callable[..., str]
) -> None:
    host, role_arn = _oidc_role(_iam(org_server))
    assert _web(sts, role_arn, host)["Credentials"]["AccessKeyId"].startswith("ASIA")
    attach(MEMBER, _rcp_deny("sts:AssumeRoleWithWebIdentity"))
    assert error_of(_web, sts, role_arn, host) == WEB_DENIED


def test_an_rcp_deny_refuses_assume_role_with_saml(
    org_server: ServerProcess, sts: Any, attach: Callable[..., str]
) -> None:
    issuer, provider_arn, role_arn = _saml_role(_iam(org_server))
    assert _saml(sts, issuer, provider_arn, role_arn)["Subject"] == "alice"
    attach(MEMBER, _rcp_deny("sts:AssumeRoleWithSAML"))
    assert error_of(_saml, sts, issuer, provider_arn, role_arn) == SAML_DENIED


def test_an_rcp_condition_sees_the_token_keys(
    org_server: ServerProcess, sts: Any, attach: Callable[..., str]
) -> None:
    host, role_arn = _oidc_role(_iam(org_server))
    # Deny every subject outside the organization's repositories, whatever the role's trust says.
    attach(
        MEMBER,
        _rcp_deny(
            "sts:AssumeRoleWithWebIdentity", Condition={"StringNotLike": {f"{host}:sub": "repo:org/*"}}
        ),
    )
    assert _web(sts, role_arn, host, sub="repo:org/app")["SubjectFromWebIdentityToken"] == "repo:org/app"
    assert error_of(_web, sts, role_arn, host, sub="repo:someone-else/app") == WEB_DENIED


def test_an_rcp_on_the_principal_org_denies_federated_callers(
    org_server: ServerProcess, sts: Any, org: Any, attach: Callable[..., str]
) -> None:
    # A federated user belongs to no account, so aws:PrincipalOrgID is absent and the deny applies.
    org_id = org.describe_organization()["Organization"]["Id"]
    host, role_arn = _oidc_role(_iam(org_server))
    condition = {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id}}
    attach(MEMBER, _rcp_deny("sts:*", Condition=condition))
    assert error_of(_web, sts, role_arn, host) == WEB_DENIED


def test_rcps_do_not_limit_the_management_accounts_roles(
    org_server: ServerProcess, sts: Any, org: Any, attach: Callable[..., str]
) -> None:
    host, role_arn = _oidc_role(_iam(org_server, MANAGEMENT_KEY, MANAGEMENT_SECRET))
    attach(org.list_roots()["Roots"][0]["Id"], _rcp_deny("sts:AssumeRoleWithWebIdentity"))
    assert role_arn.split(":")[4] == MANAGEMENT
    assert _web(sts, role_arn, host)["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_the_member_accounts_scps_do_not_apply(
    org_server: ServerProcess, sts: Any, attach: Callable[..., str]
) -> None:
    iam = _iam(org_server)
    host, web_role = _oidc_role(iam)
    issuer, provider_arn, saml_role = _saml_role(iam)
    deny_all = policy_doc({"Effect": "Deny", "Action": "*", "Resource": "*"})
    attach(MEMBER, deny_all, SCP)
    assert _web(sts, web_role, host)["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert _saml(sts, issuer, provider_arn, saml_role)["Subject"] == "alice"
