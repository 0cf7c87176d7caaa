"""Handshakes: an account outside the organization is invited (by id or by email) and accepts,
declines, or sees the invitation cancelled; an organization made with consolidated billing only
enables all features once its invited members and then its management account agree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, make_client
from tests.services.organizations.org_support import (
    MANAGEMENT,
    MEMBER,
    declared_accounts_server,
    management_client,
    member_client,
)

OUTSIDER = "000000000000"  # the server's default account: declared by no one, outside the organization


@pytest.fixture
def server() -> Iterator[ServerProcess]:
    proc = declared_accounts_server()
    yield proc
    proc.stop()


def error_of(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return dict(info.value.response["Error"]) | {"Reason": info.value.response.get("Reason")}


def outsider_client(server: ServerProcess) -> Any:
    return make_client(server.endpoint, "organizations")


def test_an_invited_account_accepts_and_joins_the_root(server: ServerProcess) -> None:
    org = management_client(server)
    organization = org.create_organization(FeatureSet="ALL")["Organization"]
    handshake = org.invite_account_to_organization(
        Target={"Type": "ACCOUNT", "Id": OUTSIDER}, Notes="join us", Tags=[{"Key": "team", "Value": "a"}]
    )["Handshake"]
    assert handshake["Id"].startswith("h-")
    assert handshake["Arn"] == (
        f"arn:aws:organizations::{MANAGEMENT}:handshake/{organization['Id']}/invite/{handshake['Id']}"
    )
    assert handshake["Action"] == "INVITE" and handshake["State"] == "OPEN"
    assert handshake["Parties"] == [
        {"Id": organization["Id"], "Type": "ORGANIZATION"},
        {"Id": OUTSIDER, "Type": "ACCOUNT"},
    ]
    assert (handshake["ExpirationTimestamp"] - handshake["RequestedTimestamp"]).days == 15
    org_resource, target, notes = handshake["Resources"]
    assert org_resource["Type"] == "ORGANIZATION" and org_resource["Value"] == organization["Id"]
    assert {r["Type"] for r in org_resource["Resources"]} == {
        "MASTER_EMAIL",
        "MASTER_NAME",
        "ORGANIZATION_FEATURE_SET",
    }
    assert target == {"Type": "ACCOUNT", "Value": OUTSIDER}
    assert notes == {"Type": "NOTES", "Value": "join us"}

    # Any account of the organization may read it ("from any account in a organization").
    assert (
        member_client(server).describe_handshake(HandshakeId=handshake["Id"])["Handshake"]["Action"]
        == "INVITE"
    )
    outsider = outsider_client(server)
    received = outsider.list_handshakes_for_account()["Handshakes"]
    assert [h["Id"] for h in received] == [handshake["Id"]]
    assert outsider.describe_handshake(HandshakeId=handshake["Id"])["Handshake"]["State"] == "OPEN"
    accepted = outsider.accept_handshake(HandshakeId=handshake["Id"])["Handshake"]
    assert accepted["State"] == "ACCEPTED"

    assert outsider.describe_organization()["Organization"]["Id"] == organization["Id"]
    joined = org.describe_account(AccountId=OUTSIDER)["Account"]
    assert joined["JoinedMethod"] == "INVITED" and joined["Status"] == "ACTIVE"
    root = org.list_roots()["Roots"][0]["Id"]
    assert OUTSIDER in [a["Id"] for a in org.list_accounts_for_parent(ParentId=root)["Accounts"]]
    assert org.list_tags_for_resource(ResourceId=OUTSIDER)["Tags"] == [{"Key": "team", "Value": "a"}]
    sent = org.list_handshakes_for_organization()["Handshakes"]
    assert [(h["Id"], h["State"]) for h in sent] == [(handshake["Id"], "ACCEPTED")]
    assert error_of(outsider.accept_handshake, HandshakeId=handshake["Id"])["Code"] == (
        "HandshakeAlreadyInStateException"
    )


def test_an_invitation_by_email_reaches_the_account_with_that_email(server: ServerProcess) -> None:
    org = management_client(server)
    org.create_organization(FeatureSet="ALL")
    member = member_client(server)
    member.leave_organization()
    email = f"root+{MEMBER}@pocketcloud.local"
    handshake = org.invite_account_to_organization(Target={"Type": "EMAIL", "Id": email.upper()})["Handshake"]
    assert handshake["Parties"][1] == {"Id": email.upper(), "Type": "EMAIL"}
    again = error_of(org.invite_account_to_organization, Target={"Type": "EMAIL", "Id": email})
    assert again["Code"] == "DuplicateHandshakeException"  # an email address in any case is one address
    outsider = outsider_client(server)  # another account: the invitation is not its own
    assert outsider.list_handshakes_for_account()["Handshakes"] == []
    assert (
        error_of(outsider.describe_handshake, HandshakeId=handshake["Id"])["Code"]
        == "HandshakeNotFoundException"
    )
    assert (
        error_of(outsider.accept_handshake, HandshakeId=handshake["Id"])["Code"]
        == "HandshakeNotFoundException"
    )
    assert member.accept_handshake(HandshakeId=handshake["Id"])["Handshake"]["State"] == "ACCEPTED"
    assert org.describe_account(AccountId=MEMBER)["Account"]["Email"] == email


def test_declined_and_cancelled_invitations_end_there(server: ServerProcess) -> None:
    org = management_client(server)
    org.create_organization(FeatureSet="ALL")
    outsider = outsider_client(server)
    first = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": OUTSIDER})["Handshake"]
    assert (
        error_of(org.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": OUTSIDER})["Code"]
        == "DuplicateHandshakeException"
    )
    # Only the sender cancels, only the recipient answers.
    assert error_of(outsider.cancel_handshake, HandshakeId=first["Id"])["Code"] == "AccessDeniedException"
    assert error_of(org.accept_handshake, HandshakeId=first["Id"])["Code"] == "AccessDeniedException"
    assert outsider.decline_handshake(HandshakeId=first["Id"])["Handshake"]["State"] == "DECLINED"
    assert error_of(outsider.accept_handshake, HandshakeId=first["Id"])["Code"] == (
        "InvalidHandshakeTransitionException"
    )

    second = org.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": OUTSIDER})["Handshake"]
    assert org.cancel_handshake(HandshakeId=second["Id"])["Handshake"]["State"] == "CANCELED"
    assert error_of(outsider.accept_handshake, HandshakeId=second["Id"])["Code"] == (
        "InvalidHandshakeTransitionException"
    )
    assert error_of(outsider.describe_organization)["Code"] == "AWSOrganizationsNotInUseException"
    states = {h["Id"]: h["State"] for h in org.list_handshakes_for_organization()["Handshakes"]}
    assert states == {first["Id"]: "DECLINED", second["Id"]: "CANCELED"}
    assert [
        h["State"]
        for h in outsider.list_handshakes_for_account(Filter={"ActionType": "INVITE"})["Handshakes"]
    ] == [
        "DECLINED",
        "CANCELED",
    ]


def test_invitations_that_cannot_be_sent(server: ServerProcess) -> None:
    org = management_client(server)
    org.create_organization(FeatureSet="ALL")
    member_error = error_of(org.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": MEMBER})
    assert member_error["Code"] == "HandshakeConstraintViolationException"
    assert member_error["Reason"] == "ALREADY_IN_AN_ORGANIZATION"
    bad_id = error_of(org.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": "12345"})
    assert (bad_id["Code"], bad_id["Reason"]) == ("InvalidInputException", "INVALID_PARTY_TYPE_TARGET")
    bad_email = error_of(org.invite_account_to_organization, Target={"Type": "EMAIL", "Id": "not-an-email"})
    assert (bad_email["Code"], bad_email["Reason"]) == (
        "InvalidInputException",
        "INVALID_EMAIL_ADDRESS_TARGET",
    )
    # Only the management account invites.
    member = member_client(server)
    assert (
        error_of(member.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": OUTSIDER})["Code"]
        == "AccessDeniedException"
    )
    assert error_of(member.list_handshakes_for_organization)["Code"] == "AccessDeniedException"
    assert (
        error_of(org.describe_handshake, HandshakeId="h-0000000000")["Code"] == "HandshakeNotFoundException"
    )


def test_enabling_all_features_takes_every_invited_member_and_then_the_management_account(
    server: ServerProcess,
) -> None:
    org = management_client(server)
    org.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    root = org.list_roots()["Roots"][0]["Id"]
    assert error_of(org.enable_policy_type, RootId=root, PolicyType="SERVICE_CONTROL_POLICY")["Code"] == (
        "PolicyTypeNotAvailableForOrganizationException"
    )
    parent = org.enable_all_features()["Handshake"]
    assert parent["Action"] == "ENABLE_ALL_FEATURES"
    assert parent["Parties"] == [{"Id": parent["Parties"][0]["Id"], "Type": "ORGANIZATION"}]
    again = error_of(org.enable_all_features)
    assert again["Reason"] == "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION"
    pending = error_of(org.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": OUTSIDER})
    assert pending["Reason"] == "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES"

    member = member_client(server)
    [request] = member.list_handshakes_for_account()["Handshakes"]
    assert request["Action"] == "ENABLE_ALL_FEATURES" and request["State"] == "OPEN"
    assert {"Type": "PARENT_HANDSHAKE", "Value": parent["Id"]} in request["Resources"]
    # Nothing for the management account to approve until the member has agreed.
    assert org.list_handshakes_for_account()["Handshakes"] == []
    member.accept_handshake(HandshakeId=request["Id"])

    [approval] = org.list_handshakes_for_account(Filter={"ActionType": "APPROVE_ALL_FEATURES"})["Handshakes"]
    children = org.list_handshakes_for_organization(Filter={"ParentHandshakeId": parent["Id"]})["Handshakes"]
    assert {h["Id"] for h in children} == {request["Id"], approval["Id"]}
    assert org.describe_organization()["Organization"]["FeatureSet"] == "CONSOLIDATED_BILLING"
    org.accept_handshake(HandshakeId=approval["Id"])

    assert org.describe_organization()["Organization"]["FeatureSet"] == "ALL"
    assert org.describe_handshake(HandshakeId=parent["Id"])["Handshake"]["State"] == "ACCEPTED"
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    done = error_of(org.enable_all_features)
    assert (done["Code"], done["Reason"]) == (
        "HandshakeConstraintViolationException",
        "ORGANIZATION_ALREADY_HAS_ALL_FEATURES",
    )


def all_features_requested(server: ServerProcess) -> tuple[Any, Any, dict[str, Any], dict[str, Any]]:
    """(management client, member client, the parent handshake, the member's request) of a
    consolidated-billing organization asked to enable all features."""
    org = management_client(server)
    org.create_organization(FeatureSet="CONSOLIDATED_BILLING")
    parent = org.enable_all_features()["Handshake"]
    member = member_client(server)
    [request] = member.list_handshakes_for_account()["Handshakes"]
    return org, member, parent, request


def test_a_member_that_leaves_during_the_change_to_all_features_is_not_waited_for(
    server: ServerProcess,
) -> None:
    org, member, parent, request = all_features_requested(server)
    member.leave_organization()
    assert member.describe_handshake(HandshakeId=request["Id"])["Handshake"]["State"] == "CANCELED"
    [approval] = org.list_handshakes_for_account(Filter={"ActionType": "APPROVE_ALL_FEATURES"})["Handshakes"]
    org.accept_handshake(HandshakeId=approval["Id"])
    assert org.describe_organization()["Organization"]["FeatureSet"] == "ALL"
    assert org.describe_handshake(HandshakeId=parent["Id"])["Handshake"]["State"] == "ACCEPTED"


def test_cancelling_the_request_for_all_features_cancels_what_the_members_were_sent(
    server: ServerProcess,
) -> None:
    org, member, parent, request = all_features_requested(server)
    assert error_of(member.cancel_handshake, HandshakeId=parent["Id"])["Code"] == "HandshakeNotFoundException"
    assert org.cancel_handshake(HandshakeId=parent["Id"])["Handshake"]["State"] == "CANCELED"
    assert member.describe_handshake(HandshakeId=request["Id"])["Handshake"]["State"] == "CANCELED"
    assert error_of(member.accept_handshake, HandshakeId=request["Id"])["Code"] == (
        "InvalidHandshakeTransitionException"
    )
    assert org.describe_organization()["Organization"]["FeatureSet"] == "CONSOLIDATED_BILLING"
    # The organization may ask again.
    assert org.enable_all_features()["Handshake"]["Id"] != parent["Id"]
