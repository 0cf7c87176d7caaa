"""The condition keys a role's trust policy may test in AssumeRoleWithWebIdentity and
AssumeRoleWithSAML ("IAM and AWS STS condition context keys": available keys for web identity
and SAML-based federation; "Mapping SAML attributes to AWS trust policy context keys"; "Passing
session tags in AWS STS"), beyond the provider's aud/sub/amr that the IAM tests cover: Google's
aud/oaud, sts:RoleSessionName, session tags with sts:TagSession, the request's global keys, and
SAML's saml:doc and eduPerson attributes.
"""

from __future__ import annotations

import base64
from typing import Any

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.iam.federation_support import AUDIENCE, CLIENT_ID, jwt, saml_response
from tests.services.iam.support import allow, doc, error_of, unique

WEB_DENIED = ("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")
SAML_DENIED = ("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithSAML")
TAGS_CLAIM = "https://aws.amazon.com/tags"
SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"
EDU_AFFILIATION = "urn:oid:1.3.6.1.4.1.5923.1.1.1.1"
EDU_PRINCIPAL_NAME = "urn:oid:1.3.6.1.4.1.5923.1.1.1.6"
SAML_ATTRIBUTES = "https://aws.amazon.com/SAML/Attributes/"
AT_AWS = {"StringEquals": {"saml:aud": AUDIENCE}}


def _role(iam: Any, federated: str, action: str | list[str], condition: dict[str, Any]) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"Federated": federated},
        "Action": action,
        "Condition": condition,
    }
    return str(
        iam.create_role(RoleName=unique("fed-role"), AssumeRolePolicyDocument=doc(statement))["Role"]["Arn"]
    )


def _web(sts: Any, role_arn: str, token: str, session: str = "web-session") -> Any:
    return sts.assume_role_with_web_identity(
        RoleArn=role_arn, RoleSessionName=session, WebIdentityToken=token
    )


def _saml(sts: Any, role_arn: str, provider_arn: str, assertion: str) -> Any:
    return sts.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=assertion)


def with_attributes(assertion: str, attributes: dict[str, list[str]]) -> str:
    """A SAML response with more Attribute elements in its AttributeStatement."""
    xml = base64.b64decode(assertion).decode()
    extra = "".join(
        f'<saml:Attribute Name="{name}">'
        + "".join(f"<saml:AttributeValue>{value}</saml:AttributeValue>" for value in values)
        + "</saml:Attribute>"
        for name, values in attributes.items()
    )
    xml = xml.replace("</saml:AttributeStatement>", extra + "</saml:AttributeStatement>")
    return base64.b64encode(xml.encode()).decode()


def _session(endpoint: str, service: str, answer: Any) -> Any:
    creds = answer["Credentials"]
    return make_client(
        endpoint,
        service,
        key=creds["AccessKeyId"],
        secret=creds["SecretAccessKey"],
        token=creds["SessionToken"],
    )


# -- web identity ----------------------------------------------------------------------------------


def test_the_session_name_is_sts_role_session_name(iam: Any, sts: Any, oidc: tuple[str, str]) -> None:
    host, arn = oidc
    role_arn = _role(
        iam, arn, "sts:AssumeRoleWithWebIdentity", {"StringLike": {"sts:RoleSessionName": "ci-*"}}
    )
    token = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="repo:org/app")
    assert _web(sts, role_arn, token, "ci-1234")["AssumedRoleUser"]["Arn"].endswith("/ci-1234")
    assert error_of(_web, sts, role_arn, token, "laptop") == WEB_DENIED


def test_google_aud_is_the_azp_claim_and_oaud_the_aud_claim(iam: Any, sts: Any) -> None:
    condition = {
        "StringEquals": {
            "accounts.google.com:aud": "1234-web.apps.googleusercontent.com",
            "accounts.google.com:oaud": "sts.amazonaws.com",
            "accounts.google.com:sub": "1098",
        }
    }
    role_arn = _role(iam, "accounts.google.com", "sts:AssumeRoleWithWebIdentity", condition)
    hybrid = jwt(
        iss="https://accounts.google.com",
        aud="sts.amazonaws.com",
        azp="1234-web.apps.googleusercontent.com",
        sub="1098",
    )
    answer = _web(sts, role_arn, hybrid)
    assert (answer["Provider"], answer["Audience"]) == ("accounts.google.com", "sts.amazonaws.com")
    # Without azp, accounts.google.com:aud is the aud claim: no longer the client id the policy names.
    plain = jwt(iss="https://accounts.google.com", aud="sts.amazonaws.com", sub="1098")
    assert error_of(_web, sts, role_arn, plain) == WEB_DENIED


def test_the_request_global_keys_are_in_the_trust_policy_context(
    iam: Any, sts: Any, oidc: tuple[str, str]
) -> None:
    host, arn = oidc
    token = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="repo:org/app")
    local = _role(iam, arn, "sts:AssumeRoleWithWebIdentity", {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})
    assert _web(sts, local, token)["Credentials"]["AccessKeyId"].startswith("ASIA")
    elsewhere = _role(
        iam, arn, "sts:AssumeRoleWithWebIdentity", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    )
    assert error_of(_web, sts, elsewhere, token) == WEB_DENIED


def test_token_session_tags_are_request_tags_and_need_tag_session(
    iam: Any, sts: Any, oidc: tuple[str, str], endpoint: str
) -> None:
    host, arn = oidc
    condition = {
        "StringEquals": {"aws:RequestTag/team": "blue"},
        "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"], "sts:TransitiveTagKeys": ["team"]},
    }
    role_arn = _role(iam, arn, ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"], condition)
    iam.put_role_policy(
        RoleName=role_arn.rsplit("/", 1)[-1],
        PolicyName="blue-only",
        PolicyDocument=doc(
            allow("iam:ListRoles", Condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})
        ),
    )
    tags = {"principal_tags": {"team": ["blue"], "env": ["dev"]}, "transitive_tag_keys": ["team"]}
    token = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="u1", **{TAGS_CLAIM: tags})
    answer = _web(sts, role_arn, token)
    assert answer["PackedPolicySize"] > 0
    # The session carries the tags: the role's policy that asks for team=blue lets it list roles.
    assert (
        _session(endpoint, "iam", answer).list_roles(MaxItems=1)["ResponseMetadata"]["HTTPStatusCode"] == 200
    )
    red = {"principal_tags": {"team": ["red"]}}
    refused = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="u1", **{TAGS_CLAIM: red})
    assert error_of(_web, sts, role_arn, refused) == WEB_DENIED


def test_token_session_tags_without_tag_session_in_the_trust_policy_are_refused(
    iam: Any, sts: Any, oidc: tuple[str, str]
) -> None:
    host, arn = oidc
    role_arn = _role(iam, arn, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {f"{host}:sub": "u1"}})
    untagged = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="u1")
    assert _web(sts, role_arn, untagged)["Credentials"]["AccessKeyId"].startswith("ASIA")
    tagged = jwt(
        iss=f"https://{host}", aud=CLIENT_ID, sub="u1", **{TAGS_CLAIM: {"principal_tags": {"a": ["b"]}}}
    )
    assert error_of(_web, sts, role_arn, tagged) == WEB_DENIED


# -- SAML ------------------------------------------------------------------------------------------


def test_saml_doc_is_the_account_and_provider_name(iam: Any, sts: Any, idp: tuple[str, str]) -> None:
    issuer, arn = idp
    right = f"{ROOT_ACCOUNT}/{arn.rsplit('/', 1)[-1]}"
    role_arn = _role(iam, arn, "sts:AssumeRoleWithSAML", {"StringEquals": {"saml:doc": right}})
    assert _saml(sts, role_arn, arn, saml_response(issuer, role_arn, arn))["Subject"] == "alice"
    wrong = _role(iam, arn, "sts:AssumeRoleWithSAML", {"StringEquals": {"saml:doc": f"{ROOT_ACCOUNT}/Other"}})
    assert error_of(_saml, sts, wrong, arn, saml_response(issuer, wrong, arn)) == SAML_DENIED


def test_edu_person_affiliation_is_multivalued(iam: Any, sts: Any, idp: tuple[str, str]) -> None:
    issuer, arn = idp
    condition = {
        "StringEquals": {"saml:aud": AUDIENCE},
        "ForAllValues:StringLike": {"saml:edupersonaffiliation": ["faculty", "staff"]},
    }
    role_arn = _role(iam, arn, "sts:AssumeRoleWithSAML", condition)
    staff = with_attributes(saml_response(issuer, role_arn, arn), {EDU_AFFILIATION: ["staff", "faculty"]})
    assert _saml(sts, role_arn, arn, staff)["Subject"] == "alice"
    student = with_attributes(saml_response(issuer, role_arn, arn), {EDU_AFFILIATION: ["staff", "student"]})
    assert error_of(_saml, sts, role_arn, arn, student) == SAML_DENIED


def test_a_single_valued_edu_person_attribute_is_a_string_key(
    iam: Any, sts: Any, idp: tuple[str, str]
) -> None:
    issuer, arn = idp
    condition = {"StringLike": {"saml:edupersonprincipalname": "*@example.edu"}}
    role_arn = _role(iam, arn, "sts:AssumeRoleWithSAML", condition)
    ours = with_attributes(saml_response(issuer, role_arn, arn), {EDU_PRINCIPAL_NAME: ["alice@example.edu"]})
    assert _saml(sts, role_arn, arn, ours)["Subject"] == "alice"
    theirs = with_attributes(saml_response(issuer, role_arn, arn), {EDU_PRINCIPAL_NAME: ["alice@other.edu"]})
    assert error_of(_saml, sts, role_arn, arn, theirs) == SAML_DENIED
    # Without the attribute the key is absent, and StringLike does not match.
    assert error_of(_saml, sts, role_arn, arn, saml_response(issuer, role_arn, arn)) == SAML_DENIED


def test_the_assertion_session_name_is_sts_role_session_name(
    iam: Any, sts: Any, idp: tuple[str, str]
) -> None:
    issuer, arn = idp
    condition = {"StringLike": {"sts:RoleSessionName": "*@example.com"}}
    role_arn = _role(iam, arn, "sts:AssumeRoleWithSAML", condition)
    assert _saml(sts, role_arn, arn, saml_response(issuer, role_arn, arn))["Subject"] == "alice"
    other = saml_response(issuer, role_arn, arn, session_name="alice@example.org")
    assert error_of(_saml, sts, role_arn, arn, other) == SAML_DENIED


def test_assertion_principal_tags_are_request_tags_and_need_tag_session(
    iam: Any, sts: Any, idp: tuple[str, str], endpoint: str
) -> None:
    issuer, arn = idp
    condition = {"StringEquals": {"aws:RequestTag/Project": "Marketing"}}
    role_arn = _role(iam, arn, ["sts:AssumeRoleWithSAML", "sts:TagSession"], condition)
    iam.put_role_policy(
        RoleName=role_arn.rsplit("/", 1)[-1],
        PolicyName="marketing-only",
        PolicyDocument=doc(
            allow("iam:ListRoles", Condition={"StringEquals": {"aws:PrincipalTag/Project": "Marketing"}})
        ),
    )
    tagged = {f"{SAML_ATTRIBUTES}PrincipalTag:Project": ["Marketing"]}
    answer = _saml(sts, role_arn, arn, with_attributes(saml_response(issuer, role_arn, arn), tagged))
    assert (
        _session(endpoint, "iam", answer).list_roles(MaxItems=1)["ResponseMetadata"]["HTTPStatusCode"] == 200
    )
    untrusting = _role(iam, arn, "sts:AssumeRoleWithSAML", condition)
    assertion = with_attributes(saml_response(issuer, untrusting, arn), tagged)
    assert error_of(_saml, sts, untrusting, arn, assertion) == SAML_DENIED


def test_a_token_source_identity_is_sts_source_identity_and_needs_set_source_identity(
    iam: Any, sts: Any, oidc: tuple[str, str]
) -> None:
    host, arn = oidc
    condition = {"StringLike": {"sts:SourceIdentity": "alice*"}}
    role_arn = _role(iam, arn, ["sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity"], condition)
    alice = jwt(
        iss=f"https://{host}", aud=CLIENT_ID, sub="u1", **{SOURCE_IDENTITY_CLAIM: "alice@example.com"}
    )
    assert _web(sts, role_arn, alice)["SourceIdentity"] == "alice@example.com"
    bob = jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="u1", **{SOURCE_IDENTITY_CLAIM: "bob@example.com"})
    assert error_of(_web, sts, role_arn, bob) == WEB_DENIED
    unset = _role(iam, arn, "sts:AssumeRoleWithWebIdentity", {"StringEquals": {f"{host}:sub": "u1"}})
    assert error_of(_web, sts, unset, alice) == WEB_DENIED


def test_an_assertion_source_identity_needs_set_source_identity(
    iam: Any, sts: Any, idp: tuple[str, str]
) -> None:
    issuer, arn = idp
    source = {f"{SAML_ATTRIBUTES}SourceIdentity": ["DiegoRamirez"]}
    role_arn = _role(iam, arn, ["sts:AssumeRoleWithSAML", "sts:SetSourceIdentity"], AT_AWS)
    answer = _saml(sts, role_arn, arn, with_attributes(saml_response(issuer, role_arn, arn), source))
    assert answer["SourceIdentity"] == "DiegoRamirez"
    unset = _role(iam, arn, "sts:AssumeRoleWithSAML", AT_AWS)
    assertion = with_attributes(saml_response(issuer, unset, arn), source)
    assert error_of(_saml, sts, unset, arn, assertion) == SAML_DENIED


def test_transitive_token_tags_pass_on_to_a_chained_session(
    iam: Any, sts: Any, oidc: tuple[str, str], endpoint: str
) -> None:
    host, arn = oidc
    first = _role(
        iam, arn, ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"], {"StringEquals": {f"{host}:sub": "u1"}}
    )
    iam.put_role_policy(
        RoleName=first.rsplit("/", 1)[-1], PolicyName="chain", PolicyDocument=doc(allow("sts:AssumeRole"))
    )
    chained_trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": first},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
        }
    )
    second = iam.create_role(RoleName=unique("chained"), AssumeRolePolicyDocument=chained_trust)["Role"][
        "Arn"
    ]
    tags = {"principal_tags": {"team": ["blue"]}, "transitive_tag_keys": ["team"]}
    answer = _web(sts, first, jwt(iss=f"https://{host}", aud=CLIENT_ID, sub="u1", **{TAGS_CLAIM: tags}))
    web_session = _session(endpoint, "sts", answer)
    # The chained session may not set the transitive key again: it inherits it.
    assert error_of(
        web_session.assume_role,
        RoleArn=second,
        RoleSessionName="again",
        Tags=[{"Key": "team", "Value": "red"}],
    )[:2] == ("InvalidParameterValue", 400)
    chained = web_session.assume_role(RoleArn=second, RoleSessionName="chained")
    assert chained["AssumedRoleUser"]["Arn"].endswith("/chained")
