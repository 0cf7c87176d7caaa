"""The organization's tree through boto3: roots, OUs, where accounts sit, moving them."""

from __future__ import annotations

import re
import uuid

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client

MEMBER = "111111111111"
MEMBER_KEY, MEMBER_SECRET = "AKIASTRUCTUREMEMBER1", "member-secret"
OTHER = "222222222222"


@pytest.fixture(scope="module")
def org_server():
    """Two accounts declared besides the management account; they join the organization it creates."""
    declared = f"{MEMBER}:{MEMBER_KEY}:{MEMBER_SECRET},{OTHER}:AKIASTRUCTUREOTHER01:other-secret"
    proc = ServerProcess(env={"POCKETCLOUD_ACCOUNTS": declared}).start()
    proc.client("organizations").create_organization(FeatureSet="ALL")
    yield proc
    proc.stop()


@pytest.fixture
def org(org_server: ServerProcess):
    return org_server.client("organizations")


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


def _root(org) -> dict:
    return org.list_roots()["Roots"][0]


def _name() -> str:
    return "ou-" + uuid.uuid4().hex[:8]


def test_list_roots_gives_one_root_with_aws_id_and_arn(org) -> None:
    roots = org.list_roots()["Roots"]
    organization = org.describe_organization()["Organization"]
    assert len(roots) == 1
    root = roots[0]
    assert re.fullmatch(r"r-[0-9a-z]{4}", root["Id"])
    assert root["Arn"] == f"arn:aws:organizations::{ROOT_ACCOUNT}:root/{organization['Id']}/{root['Id']}"
    assert root["Name"] == "Root"


def test_create_describe_update_delete_an_ou(org) -> None:
    root = _root(org)
    organization = org.describe_organization()["Organization"]
    name = _name()
    ou = org.create_organizational_unit(ParentId=root["Id"], Name=name)["OrganizationalUnit"]
    assert re.fullmatch(rf"ou-{root['Id'][2:]}-[0-9a-z]{{8}}", ou["Id"])
    assert ou["Arn"] == f"arn:aws:organizations::{ROOT_ACCOUNT}:ou/{organization['Id']}/{ou['Id']}"
    assert ou["Name"] == name
    assert (
        org.describe_organizational_unit(OrganizationalUnitId=ou["Id"])["OrganizationalUnit"]["Name"] == name
    )
    renamed = org.update_organizational_unit(OrganizationalUnitId=ou["Id"], Name=name + "-x")
    assert renamed["OrganizationalUnit"]["Name"] == name + "-x"
    org.delete_organizational_unit(OrganizationalUnitId=ou["Id"])
    with pytest.raises(ClientError) as exc:
        org.describe_organizational_unit(OrganizationalUnitId=ou["Id"])
    assert _code(exc) == "OrganizationalUnitNotFoundException"
    assert exc.value.response["Error"]["Message"] == (
        "We can't find an OU with the OrganizationalUnitId that you specified."
    )


def test_an_ou_under_a_missing_parent_is_refused(org) -> None:
    with pytest.raises(ClientError) as exc:
        org.create_organizational_unit(ParentId="ou-abcd-12345678", Name=_name())
    assert _code(exc) == "ParentNotFoundException"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_two_ous_of_one_name_under_one_parent_are_refused(org) -> None:
    root, name = _root(org), _name()
    org.create_organizational_unit(ParentId=root["Id"], Name=name)
    with pytest.raises(ClientError) as exc:
        org.create_organizational_unit(ParentId=root["Id"], Name=name)
    assert _code(exc) == "DuplicateOrganizationalUnitException"


def test_ous_nest_at_most_five_deep(org) -> None:
    parent = _root(org)["Id"]
    for _ in range(5):
        parent = org.create_organizational_unit(ParentId=parent, Name=_name())["OrganizationalUnit"]["Id"]
    with pytest.raises(ClientError) as exc:
        org.create_organizational_unit(ParentId=parent, Name=_name())
    assert _code(exc) == "ConstraintViolationException"
    assert exc.value.response["Reason"] == "OU_DEPTH_LIMIT_EXCEEDED"


def test_an_ou_with_a_child_cannot_be_deleted(org) -> None:
    parent = org.create_organizational_unit(ParentId=_root(org)["Id"], Name=_name())["OrganizationalUnit"]
    org.create_organizational_unit(ParentId=parent["Id"], Name=_name())
    with pytest.raises(ClientError) as exc:
        org.delete_organizational_unit(OrganizationalUnitId=parent["Id"])
    assert _code(exc) == "OrganizationalUnitNotEmptyException"


def test_declared_accounts_start_in_the_root(org) -> None:
    root = _root(org)
    listed = [a["Id"] for a in org.list_accounts_for_parent(ParentId=root["Id"])["Accounts"]]
    assert {ROOT_ACCOUNT, MEMBER, OTHER} <= set(listed)
    parents = org.list_parents(ChildId=OTHER)["Parents"]
    assert parents == [{"Id": root["Id"], "Type": "ROOT"}]


def test_move_account_changes_children_and_parents(org) -> None:
    root = _root(org)
    ou = org.create_organizational_unit(ParentId=root["Id"], Name=_name())["OrganizationalUnit"]
    org.move_account(AccountId=OTHER, SourceParentId=root["Id"], DestinationParentId=ou["Id"])
    try:
        children = org.list_children(ParentId=ou["Id"], ChildType="ACCOUNT")["Children"]
        assert children == [{"Id": OTHER, "Type": "ACCOUNT"}]
        assert org.list_parents(ChildId=OTHER)["Parents"] == [{"Id": ou["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
        in_root = [a["Id"] for a in org.list_accounts_for_parent(ParentId=root["Id"])["Accounts"]]
        assert OTHER not in in_root
        # An account's Paths name where it sits: "o-.../r-.../ou-.../<account>/".
        path = f"{ou['Path']}{OTHER}/"
        assert org.describe_account(AccountId=OTHER)["Account"]["Paths"] == [path]
        listed = {a["Id"]: a["Paths"] for a in org.list_accounts()["Accounts"]}
        assert listed[OTHER] == [path]
        organization = org.describe_organization()["Organization"]["Id"]
        assert listed[MEMBER] == [f"{organization}/{root['Id']}/{MEMBER}/"]
        assert org.list_accounts_for_parent(ParentId=ou["Id"])["Accounts"][0]["Paths"] == [path]
        with pytest.raises(ClientError) as exc:
            org.delete_organizational_unit(OrganizationalUnitId=ou["Id"])
        assert _code(exc) == "OrganizationalUnitNotEmptyException"
    finally:
        org.move_account(AccountId=OTHER, SourceParentId=ou["Id"], DestinationParentId=root["Id"])
    org.delete_organizational_unit(OrganizationalUnitId=ou["Id"])


def test_move_account_errors(org) -> None:
    root = _root(org)
    ou = org.create_organizational_unit(ParentId=root["Id"], Name=_name())["OrganizationalUnit"]
    cases = [
        (dict(AccountId=OTHER, SourceParentId="ou-zzzz-zzzzzzzz", DestinationParentId=ou["Id"]),
         "SourceParentNotFoundException"),
        (dict(AccountId=OTHER, SourceParentId=root["Id"], DestinationParentId="ou-zzzz-zzzzzzzz"),
         "DestinationParentNotFoundException"),
        (dict(AccountId=OTHER, SourceParentId=root["Id"], DestinationParentId=root["Id"]),
         "DuplicateAccountException"),
        (dict(AccountId="999999999999", SourceParentId=root["Id"], DestinationParentId=ou["Id"]),
         "AccountNotFoundException"),
    ]  # fmt: skip
    for params, code in cases:
        with pytest.raises(ClientError) as exc:
            org.move_account(**params)
        assert _code(exc) == code, params


def test_list_children_pages(org) -> None:
    parent = org.create_organizational_unit(ParentId=_root(org)["Id"], Name=_name())["OrganizationalUnit"][
        "Id"
    ]
    made = {
        org.create_organizational_unit(ParentId=parent, Name=_name())["OrganizationalUnit"]["Id"]
        for _ in range(3)
    }
    first = org.list_children(ParentId=parent, ChildType="ORGANIZATIONAL_UNIT", MaxResults=2)
    assert len(first["Children"]) == 2 and "NextToken" in first
    second = org.list_children(
        ParentId=parent, ChildType="ORGANIZATIONAL_UNIT", MaxResults=2, NextToken=first["NextToken"]
    )
    assert "NextToken" not in second
    assert {c["Id"] for c in first["Children"] + second["Children"]} == made
    paginator = org.get_paginator("list_organizational_units_for_parent")
    listed = {
        ou["Id"]
        for page in paginator.paginate(ParentId=parent, PaginationConfig={"PageSize": 1})
        for ou in page["OrganizationalUnits"]
    }
    assert listed == made


def test_list_parents_of_an_unknown_child(org) -> None:
    with pytest.raises(ClientError) as exc:
        org.list_parents(ChildId="999999999999")
    assert _code(exc) == "ChildNotFoundException"


def test_a_member_account_may_not_manage_the_tree(org_server: ServerProcess) -> None:
    member = make_client(org_server.endpoint, "organizations", key=MEMBER_KEY, secret=MEMBER_SECRET)
    with pytest.raises(ClientError) as exc:
        member.list_roots()
    assert _code(exc) == "AccessDeniedException"
