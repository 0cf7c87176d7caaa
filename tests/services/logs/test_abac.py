"""aws:ResourceTag of log groups, destinations and delivery destinations in an IAM user's policy.

"Using identity-based policies (IAM policies) for CloudWatch Logs": DescribeLogGroups cannot be
controlled with aws:ResourceTag; "Other CloudWatch Logs actions do support" it. The Service
Authorization Reference gives the destination and delivery-destination resource types the key too.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.iam.support import when_tagged
from tests.services.logs.support import now_ms

REGION = "us-east-1"
TARGET = f"arn:aws:kinesis:{REGION}:{ROOT_ACCOUNT}:stream/abac-in"
ROLE = f"arn:aws:iam::{ROOT_ACCOUNT}:role/CWLtoKinesisRole"


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _user_client(endpoint: str, *statements: dict[str, Any]) -> Any:
    """A logs client of a new IAM user whose only policy has `statements`."""
    iam = make_client(endpoint, "iam")
    name = _unique("abac-logs")
    iam.create_user(UserName=name)
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    iam.put_user_policy(UserName=name, PolicyName="abac", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return make_client(endpoint, "logs", key=key["AccessKeyId"], secret=key["SecretAccessKey"])



def _refused(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    error = exc.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.fixture
def groups(logs: Any) -> Iterator[list[str]]:
    """Log groups a test made (root), deleted after it."""
    made: list[str] = []
    yield made
    for name in made:
        try:
            logs.delete_log_group(logGroupName=name)
        except ClientError:
            pass


def _group(logs: Any, groups: list[str], **tags: str) -> str:
    name = _unique("/abac/group")
    logs.create_log_group(logGroupName=name, **({"tags": tags} if tags else {}))
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    groups.append(name)
    return name


def test_writes_to_a_group_carrying_the_allowed_tag_are_allowed(
    endpoint: str, logs: Any, groups: list[str]
) -> None:
    user = _user_client(endpoint, when_tagged(["logs:PutLogEvents", "logs:GetLogEvents"], "team", "alpha"))
    group = _group(logs, groups, team="alpha")
    user.put_log_events(
        logGroupName=group, logStreamName="s", logEvents=[{"timestamp": now_ms(), "message": "hi"}]
    )
    events = user.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["hi"]


def test_writes_to_a_group_with_another_tag_value_are_denied(
    endpoint: str, logs: Any, groups: list[str]
) -> None:
    user = _user_client(endpoint, when_tagged("logs:PutLogEvents", "team", "alpha"))
    group = _group(logs, groups, team="beta")
    code, message = _refused(
        user.put_log_events,
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now_ms(), "message": "hi"}],
    )
    assert code == "AccessDeniedException"
    assert "logs:PutLogEvents" in message


def test_a_group_named_by_its_arn_is_judged_by_its_tags(endpoint: str, logs: Any, groups: list[str]) -> None:
    user = _user_client(
        endpoint, when_tagged(["logs:DescribeLogStreams", "logs:ListTagsForResource"], "team", "alpha")
    )
    allowed, other = _group(logs, groups, team="alpha"), _group(logs, groups, team="beta")
    arn = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{allowed}"
    streams = user.describe_log_streams(logGroupIdentifier=arn)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["s"]
    assert user.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "alpha"}
    other_arn = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{other}"
    assert _refused(user.list_tags_for_resource, resourceArn=other_arn)[0] == "AccessDeniedException"


def test_a_deny_on_a_tag_refuses_deleting_that_group_only(
    endpoint: str, logs: Any, groups: list[str]
) -> None:
    user = _user_client(
        endpoint,
        {"Effect": "Allow", "Action": "logs:DeleteLogGroup", "Resource": "*"},
        when_tagged("logs:DeleteLogGroup", "protected", "true", effect="Deny"),
    )
    kept, plain = _group(logs, groups, protected="true"), _group(logs, groups)
    assert _refused(user.delete_log_group, logGroupName=kept)[0] == "AccessDeniedException"
    user.delete_log_group(logGroupName=plain)
    names = [
        g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/abac/group")["logGroups"]
    ]
    assert kept in names and plain not in names


def test_tagging_the_group_changes_the_answer_from_the_next_call(
    endpoint: str, logs: Any, groups: list[str]
) -> None:
    user = _user_client(endpoint, when_tagged("logs:PutRetentionPolicy", "team", "alpha"))
    group = _group(logs, groups, team="beta")
    assert (
        _refused(user.put_retention_policy, logGroupName=group, retentionInDays=1)[0]
        == "AccessDeniedException"
    )
    logs.tag_resource(
        resourceArn=f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{group}", tags={"team": "alpha"}
    )
    user.put_retention_policy(logGroupName=group, retentionInDays=1)
    logs.untag_log_group(logGroupName=group, tags=["team"])
    assert (
        _refused(user.put_retention_policy, logGroupName=group, retentionInDays=3)[0]
        == "AccessDeniedException"
    )


def test_describe_log_groups_is_not_controlled_by_resource_tags(
    endpoint: str, logs: Any, groups: list[str]
) -> None:
    user = _user_client(endpoint, when_tagged("logs:DescribeLogGroups", "team", "alpha"))
    group = _group(logs, groups, team="alpha")
    code, _ = _refused(user.describe_log_groups, logGroupNamePrefix=group)
    assert code == "AccessDeniedException"


def test_a_query_on_one_tagged_group_is_judged_by_its_tags(
    endpoint: str, logs: Any, groups: list[str]
) -> None:
    user = _user_client(endpoint, when_tagged("logs:StartQuery", "team", "alpha"))
    allowed, other = _group(logs, groups, team="alpha"), _group(logs, groups, team="beta")
    query = {"startTime": 0, "endTime": int(time.time()) + 60, "queryString": "fields @message"}
    assert user.start_query(logGroupNames=[allowed], **query)["queryId"]
    assert _refused(user.start_query, logGroupNames=[other], **query)[0] == "AccessDeniedException"


def test_a_destination_is_judged_by_its_tags(endpoint: str, logs: Any) -> None:
    user = _user_client(
        endpoint, when_tagged(["logs:DeleteDestination", "logs:PutDestinationPolicy"], "team", "alpha")
    )
    allowed, other = _unique("abac-dest"), _unique("abac-dest")
    logs.put_destination(destinationName=allowed, targetArn=TARGET, roleArn=ROLE, tags={"team": "alpha"})
    logs.put_destination(destinationName=other, targetArn=TARGET, roleArn=ROLE, tags={"team": "beta"})
    try:
        assert _refused(user.delete_destination, destinationName=other)[0] == "AccessDeniedException"
        user.delete_destination(destinationName=allowed)
        names = [
            d["destinationName"]
            for d in logs.describe_destinations(DestinationNamePrefix="abac-dest")["destinations"]
        ]
        assert other in names and allowed not in names
    finally:
        logs.delete_destination(destinationName=other)


def test_a_delivery_destination_is_judged_by_its_tags(endpoint: str, logs: Any) -> None:
    user = _user_client(endpoint, when_tagged("logs:GetDeliveryDestination", "team", "alpha"))
    allowed, other = _unique("abac-dd"), _unique("abac-dd")
    config = {"destinationResourceArn": "arn:aws:s3:::abac-bucket"}
    logs.put_delivery_destination(
        name=allowed, deliveryDestinationConfiguration=config, tags={"team": "alpha"}
    )
    logs.put_delivery_destination(name=other, deliveryDestinationConfiguration=config, tags={"team": "beta"})
    try:
        assert user.get_delivery_destination(name=allowed)["deliveryDestination"]["name"] == allowed
        assert _refused(user.get_delivery_destination, name=other)[0] == "AccessDeniedException"
    finally:
        logs.delete_delivery_destination(name=allowed)
        logs.delete_delivery_destination(name=other)


def test_describe_log_groups_is_authorized_on_the_accounts_log_groups(endpoint: str) -> None:
    """DescribeLogGroups acts on "...:log-group::log-stream:" (AWS's AccessDenied names it:
    hashicorp/terraform-provider-aws#8804): a policy on the Region's log-group:* allows it, one on
    a single group's ARN does not."""
    all_groups = _user_client(
        endpoint,
        {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:*"},
    )
    assert "logGroups" in all_groups.describe_log_groups()
    one_group = _user_client(
        endpoint,
        {
            "Effect": "Allow",
            "Action": "logs:DescribeLogGroups",
            "Resource": f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:mine:*",
        },
    )
    code, message = _refused(one_group.describe_log_groups, logGroupNamePrefix="mine")
    assert code == "AccessDeniedException"
    assert message.endswith(
        f"is not authorized to perform: logs:DescribeLogGroups on resource: "
        f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group::log-stream: "
        "because no identity-based policy allows the logs:DescribeLogGroups action"
    )


def test_a_log_groups_actions_are_authorized_on_its_arn_with_a_trailing_wildcard(endpoint: str, logs: Any) -> None:
    """What is done to a log group is asked on "<its ARN>:log-stream:" (AWS's AccessDenied names it),
    so the ".../log-group:NAME:*" the Logs API reference tells policies to use covers it and the bare
    ARN does not; TagResource, the reference's exception, takes the bare ARN."""
    name = f"/aws/lambda/{_unique('fn')}"
    group_arn = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{name}"
    actions = ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DescribeLogStreams", "logs:DeleteLogGroup"]
    starred = _user_client(
        endpoint,
        {"Effect": "Allow", "Action": actions, "Resource": f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:/aws/lambda/*:*"},
    )
    starred.create_log_group(logGroupName=name)
    starred.put_retention_policy(logGroupName=name, retentionInDays=7)
    assert starred.describe_log_streams(logGroupName=name)["logStreams"] == []
    bare = _user_client(
        endpoint,
        {"Effect": "Allow", "Action": [*actions, "logs:TagResource"], "Resource": group_arn},
    )
    code, message = _refused(bare.put_retention_policy, logGroupName=name, retentionInDays=14)
    assert code == "AccessDeniedException"
    assert f"to perform: logs:PutRetentionPolicy on resource: {group_arn}:log-stream: because" in message
    bare.tag_resource(resourceArn=group_arn, tags={"team": "alpha"})
    starred.delete_log_group(logGroupName=name)
