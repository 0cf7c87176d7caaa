"""Service control policies and resource control policies in one organization: enabling one policy
type attaches that type's AWS-managed policy only ("Enabling a policy type"), so enabling RCPs
leaves every SCP attachment as the administrator left it.

A server of its own, with an organization whose SCPs are enabled (org_support.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, make_client
from tests.services.organizations.org_support import (
    MEMBER,
    MEMBER_KEY,
    MEMBER_SECRET,
    RCP,
    SCP,
    management_client,
    organization_server,
)

ONLY_SQS = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
)


@pytest.fixture(scope="module")
def org_server() -> Iterator[ServerProcess]:
    yield from organization_server(SCP)


def _scp_ids(org: Any, target: str) -> list[str]:
    return [p["Id"] for p in org.list_policies_for_target(TargetId=target, Filter=SCP)["Policies"]]


def test_enabling_rcps_does_not_reattach_full_aws_access_an_administrator_detached(
    org_server: ServerProcess,
) -> None:
    org = management_client(org_server)
    root_id = org.list_roots()["Roots"][0]["Id"]
    only_sqs = org.create_policy(Content=ONLY_SQS, Description="", Name="only-sqs", Type=SCP)["Policy"][
        "PolicySummary"
    ]["Id"]
    org.attach_policy(PolicyId=only_sqs, TargetId=MEMBER)
    org.detach_policy(PolicyId="p-FullAWSAccess", TargetId=MEMBER)
    member_s3 = make_client(org_server.endpoint, "s3", key=MEMBER_KEY, secret=MEMBER_SECRET)
    with pytest.raises(ClientError) as before:
        member_s3.list_buckets()
    assert before.value.response["Error"]["Code"] == "AccessDenied"

    org.enable_policy_type(RootId=root_id, PolicyType=RCP)

    assert _scp_ids(org, MEMBER) == [only_sqs]
    assert _scp_ids(org, root_id) == ["p-FullAWSAccess"]
    # The member's SCPs still allow only SQS: S3 stays out of reach of its root user.
    with pytest.raises(ClientError) as after:
        member_s3.list_buckets()
    message = after.value.response["Error"]["Message"]
    assert message.startswith(
        f"User: arn:aws:iam::{MEMBER}:root is not authorized to perform: s3:ListAllMyBuckets"
    )
    assert message.endswith("because no service control policy allows the s3:ListAllMyBuckets action")
    make_client(org_server.endpoint, "sqs", key=MEMBER_KEY, secret=MEMBER_SECRET).list_queues()
