"""STS GetFederationToken and DecodeAuthorizationMessage through boto3: a federated user may do
what both its user's policies and the session policy allow, and nothing without a session policy.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.iam.support import Caller, allow, doc, error_of, session_client


@pytest.fixture
def caller(endpoint: str, iam: Any) -> Caller:
    """A user allowed to federate, list users and get its own user."""
    user = Caller(endpoint, iam)
    iam.put_user_policy(
        UserName=user.name,
        PolicyName="federate",
        PolicyDocument=doc(allow(["sts:GetFederationToken", "iam:ListUsers", "iam:GetUser"])),
    )
    return user


def test_the_federated_user_is_named_in_the_token_and_by_get_caller_identity(
    caller: Caller, endpoint: str
) -> None:
    answer = caller.client("sts").get_federation_token(Name="bob")
    arn = f"arn:aws:sts::{ROOT_ACCOUNT}:federated-user/bob"
    assert answer["FederatedUser"] == {"FederatedUserId": f"{ROOT_ACCOUNT}:bob", "Arn": arn}
    identity = session_client(endpoint, "sts", answer["Credentials"]).get_caller_identity()
    assert (identity["Arn"], identity["UserId"]) == (arn, f"{ROOT_ACCOUNT}:bob")


def test_permissions_are_the_intersection_of_user_and_session_policy(caller: Caller, endpoint: str) -> None:
    session_policy = doc(allow(["iam:ListUsers", "iam:ListRoles"]))
    answer = caller.client("sts").get_federation_token(Name="bob", Policy=session_policy)
    assert "PackedPolicySize" in answer
    federated = session_client(endpoint, "iam", answer["Credentials"])
    federated.list_users(MaxItems=1)  # allowed by both
    code, status, message = error_of(federated.list_roles)  # only the session policy allows it
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: arn:aws:sts::{ROOT_ACCOUNT}:federated-user/bob is not authorized")
    assert error_of(federated.get_user, UserName=caller.name)[:2] == ("AccessDenied", 403)  # only the user's


def test_without_a_session_policy_the_federated_user_may_do_nothing(caller: Caller, endpoint: str) -> None:
    federated = session_client(
        endpoint, "iam", caller.client("sts").get_federation_token(Name="bob")["Credentials"]
    )
    assert error_of(federated.list_users)[:2] == ("AccessDenied", 403)


def test_session_credentials_cannot_federate(caller: Caller, endpoint: str) -> None:
    credentials = caller.client("sts").get_session_token()["Credentials"]
    sts = session_client(endpoint, "sts", credentials)
    assert error_of(sts.get_federation_token, Name="bob") == (
        "AccessDenied",
        403,
        "Cannot call GetFederationToken with session credentials",
    )


def test_a_user_without_permission_cannot_federate(endpoint: str, iam: Any) -> None:
    user = Caller(endpoint, iam)
    code, status, message = error_of(user.client("sts").get_federation_token, Name="bob")
    assert (code, status) == ("AccessDenied", 403)
    assert "sts:GetFederationToken" in message


def test_the_root_user_gets_at_most_an_hour(endpoint: str) -> None:
    answer = make_client(endpoint, "sts").get_federation_token(Name="rootfed", DurationSeconds=7200)
    assert answer["Credentials"]["Expiration"] <= datetime.now(UTC) + timedelta(seconds=3660)


def test_decode_authorization_message_refuses_a_message_it_cannot_decode(endpoint: str) -> None:
    sts = make_client(endpoint, "sts")
    code, status, _ = error_of(sts.decode_authorization_message, EncodedMessage="not-encoded!")
    assert (code, status) == ("InvalidAuthorizationMessageException", 400)


def test_decode_authorization_message_decodes_an_encoded_message(endpoint: str) -> None:
    message = json.dumps({"allowed": False, "explicitDeny": False})
    encoded = base64.b64encode(message.encode()).decode()
    decoded = make_client(endpoint, "sts").decode_authorization_message(EncodedMessage=encoded)
    assert json.loads(decoded["DecodedMessage"]) == {"allowed": False, "explicitDeny": False}
