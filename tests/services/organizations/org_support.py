"""What tests of organization policies share: a server of their own on which a declared account
(MANAGEMENT) creates an organization that the other declared account (MEMBER) joins, while the
default account stays outside it; and a helper that creates and attaches policies, detaching and
deleting them after the test."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from tests.conftest import ServerProcess, make_client

MANAGEMENT, MANAGEMENT_KEY, MANAGEMENT_SECRET = "222222222222", "AKIAORGMANAGEMENT001", "management-secret"
MEMBER, MEMBER_KEY, MEMBER_SECRET = "111111111111", "AKIAORGMEMBER0000001", "member-secret"
SCP, RCP = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"


def policy_doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def management_client(server: ServerProcess) -> Any:
    return make_client(server.endpoint, "organizations", key=MANAGEMENT_KEY, secret=MANAGEMENT_SECRET)


def declared_accounts_server(**env: str) -> ServerProcess:
    """A started server of its own on which MANAGEMENT and MEMBER are declared (no organization yet)."""
    declared = f"{MANAGEMENT}:{MANAGEMENT_KEY}:{MANAGEMENT_SECRET},{MEMBER}:{MEMBER_KEY}:{MEMBER_SECRET}"
    return ServerProcess(env={"POCKETCLOUD_ACCOUNTS": declared, **env}).start()


def member_client(server: ServerProcess) -> Any:
    return make_client(server.endpoint, "organizations", key=MEMBER_KEY, secret=MEMBER_SECRET)


def organization_server(*policy_types: str) -> Iterator[ServerProcess]:
    """For a module fixture: the server, its organization made, `policy_types` enabled at the root."""
    proc = declared_accounts_server()
    org = management_client(proc)
    org.create_organization(FeatureSet="ALL")
    root_id = org.list_roots()["Roots"][0]["Id"]
    for policy_type in policy_types:
        org.enable_policy_type(RootId=root_id, PolicyType=policy_type)
    yield proc
    proc.stop()


def create_policy(org: Any, content: str, policy_type: str = RCP) -> str:
    name = "test-" + uuid.uuid4().hex[:8]
    summary = org.create_policy(Content=content, Description="", Name=name, Type=policy_type)["Policy"]
    return str(summary["PolicySummary"]["Id"])


def policy_attacher(org: Any) -> Iterator[Callable[..., str]]:
    """For a fixture: attach(target, content, policy_type=RCP) creates a policy and attaches it;
    every one is detached and deleted when the test is over."""
    made: list[tuple[str, str]] = []

    def attach(target: str, content: str, policy_type: str = RCP) -> str:
        policy_id = create_policy(org, content, policy_type)
        org.attach_policy(PolicyId=policy_id, TargetId=target)
        made.append((policy_id, target))
        return policy_id

    yield attach
    for policy_id, target in made:
        org.detach_policy(PolicyId=policy_id, TargetId=target)
        org.delete_policy(PolicyId=policy_id)
