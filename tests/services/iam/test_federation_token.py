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
    """A user allowed to federate, list queues and look one up (a federated user calls no IAM API)."""
    user = Caller(endpoint, iam)
    iam.put_user_policy(
        UserName=user.name,
        PolicyName="federate",
        PolicyDocument=doc(allow(["sts:GetFederationToken", "sqs:ListQueues", "sqs:GetQueueUrl"])),
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
    session_policy = doc(allow(["sqs:ListQueues", "sqs:CreateQueue"]))
    answer = caller.client("sts").get_federation_token(Name="bob", Policy=session_policy)
    assert "PackedPolicySize" in answer
    federated = session_client(endpoint, "sqs", answer["Credentials"])
    federated.list_queues()  # allowed by both
    code, status, message = error_of(federated.create_queue, QueueName="federated")  # the session policy's only
    assert (code, status) == ("AccessDenied", 403)
    assert message.startswith(f"User: arn:aws:sts::{ROOT_ACCOUNT}:federated-user/bob is not authorized")
    assert error_of(federated.get_queue_url, QueueName="federated")[:2] == ("AccessDenied", 403)  # the user's only


def test_without_a_session_policy_the_federated_user_may_do_nothing(caller: Caller, endpoint: str) -> None:
    federated = session_client(
        endpoint, "sqs", caller.client("sts").get_federation_token(Name="bob")["Credentials"]
    )
    assert error_of(federated.list_queues)[:2] == ("AccessDenied", 403)


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


def test_a_user_federated_by_root_may_do_what_the_session_policy_allows(endpoint: str) -> None:
    """Root's permissions are all there are: its federated user is bounded by the session policy alone."""
    root_sts = make_client(endpoint, "sts")
    answer = root_sts.get_federation_token(Name="ops", Policy=doc(allow(["sqs:ListQueues"])))
    federated = session_client(endpoint, "sqs", answer["Credentials"])
    federated.list_queues()
    assert error_of(federated.create_queue, QueueName="by-root-federation")[:2] == ("AccessDenied", 403)
    bare = session_client(endpoint, "sqs", root_sts.get_federation_token(Name="ops")["Credentials"])
    assert error_of(bare.list_queues)[:2] == ("AccessDenied", 403)  # no session policy: nothing


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


def test_a_federated_user_calls_no_iam_and_no_sts_but_get_caller_identity(caller: Caller, endpoint: str) -> None:
    # GetFederationToken, Permissions: "You cannot call any IAM operations using the CLI or the AWS
    # API" and "You cannot call any STS operations except GetCallerIdentity", whatever the session
    # policy allows.
    everything = doc(allow("*", "*"))
    credentials = caller.client("sts").get_federation_token(Name="bob", Policy=everything)["Credentials"]
    iam, sts = session_client(endpoint, "iam", credentials), session_client(endpoint, "sts", credentials)
    assert error_of(iam.list_users) == ("AccessDenied", 403, "Cannot call ListUsers with session credentials")
    assert error_of(sts.get_access_key_info, AccessKeyId=credentials["AccessKeyId"])[:2] == ("AccessDenied", 403)
    assert sts.get_caller_identity()["Arn"].endswith(":federated-user/bob")


def test_a_session_tokens_calls_to_sts_are_assume_role_and_get_caller_identity(caller: Caller, endpoint: str) -> None:
    # GetSessionToken, Permissions: "You cannot call any STS API except AssumeRole or GetCallerIdentity."
    credentials = caller.client("sts").get_session_token()["Credentials"]
    sts = session_client(endpoint, "sts", credentials)
    assert error_of(sts.get_access_key_info, AccessKeyId=credentials["AccessKeyId"]) == (
        "AccessDenied", 403, "Cannot call GetAccessKeyInfo with session credentials")
    assert sts.get_caller_identity()["Account"] == ROOT_ACCOUNT
