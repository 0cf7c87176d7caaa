"""Log groups and log streams: create, describe (filters, order, paging), delete, retention,
deletion protection and tags, with the errors CloudWatch Logs answers."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT
from tests.services.logs.support import error_of, put, unique

REGION = "us-east-1"


def arn(name: str) -> str:
    return f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{name}"


# -- groups ---------------------------------------------------------------------


def test_a_group_arn_ending_in_star_is_no_log_group_identifier(logs: Any, group: str) -> None:
    # CloudWatch Logs leaves the value out of this validation message.
    assert error_of(logs.describe_log_streams, logGroupIdentifier=arn(group) + ":*") == (
        "InvalidParameterException",
        "1 validation error detected: Value at 'logGroupIdentifier' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*",
    )
    logs.describe_log_streams(logGroupIdentifier=arn(group))  # the ARN without ":*" names the group


def test_created_group_is_described_with_arns_and_class(logs: Any, group: str) -> None:
    [found] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert found["logGroupName"] == group
    assert found["arn"] == arn(group) + ":*"
    assert found["logGroupArn"] == arn(group)
    assert found["logGroupClass"] == "STANDARD"
    assert found["metricFilterCount"] == 0 and found["storedBytes"] == 0
    assert "retentionInDays" not in found
    assert abs(found["creationTime"] - time.time() * 1000) < 60_000


def test_group_class_is_kept_and_filters_the_listing(logs: Any) -> None:
    prefix = unique("cls")
    logs.create_log_group(logGroupName=prefix + "-ia", logGroupClass="INFREQUENT_ACCESS")
    logs.create_log_group(logGroupName=prefix + "-std")
    try:
        groups = logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]
        assert {g["logGroupName"]: g["logGroupClass"] for g in groups} == {
            prefix + "-ia": "INFREQUENT_ACCESS",
            prefix + "-std": "STANDARD",
        }
        only = logs.describe_log_groups(logGroupNamePrefix=prefix, logGroupClass="INFREQUENT_ACCESS")[
            "logGroups"
        ]
        assert [g["logGroupName"] for g in only] == [prefix + "-ia"]
    finally:
        logs.delete_log_group(logGroupName=prefix + "-ia")
        logs.delete_log_group(logGroupName=prefix + "-std")


def test_a_delivery_group_keeps_its_events_two_days(logs: Any) -> None:
    # "AWS API forces retention_in_days to 2" (the Terraform AWS provider's logGroupClassDELIVERY tests).
    name = unique("delivery")
    logs.create_log_group(logGroupName=name, logGroupClass="DELIVERY")
    try:
        [found] = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        assert (found["logGroupClass"], found["retentionInDays"]) == ("DELIVERY", 2)
    finally:
        logs.delete_log_group(logGroupName=name)


def test_creating_an_existing_group_is_resource_already_exists(logs: Any, group: str) -> None:
    assert error_of(logs.create_log_group, logGroupName=group) == (
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
    )


@pytest.mark.parametrize(
    "name, constraint",
    [
        ("has space", "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"),
        ("star*", "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"),
    ],
)
def test_group_names_are_validated_as_invalid_parameter(logs: Any, name: str, constraint: str) -> None:
    code, message = error_of(logs.create_log_group, logGroupName=name)
    assert code == "InvalidParameterException"
    assert (
        message
        == f"1 validation error detected: Value '{name}' at 'logGroupName' failed to satisfy constraint: {constraint}"
    )


def test_group_name_of_512_allowed_characters_is_accepted(logs: Any) -> None:
    name = ("a.b-c_d/e#F9" * 43)[:512]
    logs.create_log_group(logGroupName=name)
    try:
        assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["logGroupName"] == name
    finally:
        logs.delete_log_group(logGroupName=name)


def test_names_starting_with_aws_slash_are_reserved(logs: Any) -> None:
    assert error_of(logs.create_log_group, logGroupName="aws/mine") == (
        "InvalidParameterException",
        "Log groups starting with AWS/ are reserved for AWS.",
    )


def test_missing_group_is_resource_not_found_everywhere(logs: Any) -> None:
    missing = unique("missing")
    expected = ("ResourceNotFoundException", "The specified log group does not exist.")
    assert error_of(logs.delete_log_group, logGroupName=missing) == expected
    assert error_of(logs.create_log_stream, logGroupName=missing, logStreamName="s") == expected
    assert error_of(logs.describe_log_streams, logGroupName=missing) == expected
    assert error_of(logs.put_retention_policy, logGroupName=missing, retentionInDays=1) == expected
    assert error_of(logs.filter_log_events, logGroupName=missing) == expected
    assert error_of(logs.list_tags_log_group, logGroupName=missing) == expected
    assert (
        error_of(
            logs.put_log_events,
            logGroupName=missing,
            logStreamName="s",
            logEvents=[{"timestamp": 1, "message": "m"}],
        )[0]
        == "ResourceNotFoundException"
    )


def test_groups_are_listed_in_name_order_and_paged(logs: Any) -> None:
    prefix = unique("page")
    names = [f"{prefix}/{c}" for c in ("b", "A", "c", "a", "_", "0")]
    for name in names:
        logs.create_log_group(logGroupName=name)
    try:
        seen: list[str] = []
        token: dict[str, str] = {}
        pages = 0
        while True:
            page = logs.describe_log_groups(logGroupNamePrefix=prefix, limit=4, **token)
            seen += [g["logGroupName"] for g in page["logGroups"]]
            pages += 1
            if "nextToken" not in page:
                break
            token = {"nextToken": page["nextToken"]}
        assert seen == sorted(names)  # ASCII order
        assert pages == 2
        paginated = logs.get_paginator("describe_log_groups").paginate(
            logGroupNamePrefix=prefix, PaginationConfig={"PageSize": 1}
        )
        assert [g["logGroupName"] for p in paginated for g in p["logGroups"]] == sorted(names)
    finally:
        for name in names:
            logs.delete_log_group(logGroupName=name)


def test_name_pattern_is_a_case_sensitive_substring_with_fewer_fields(logs: Any) -> None:
    tag = unique("Pat")
    names = [f"x/{tag}/DataLogs", f"{tag}-GroupDataLogs", f"{tag}-datalogs"]
    for name in names:
        logs.create_log_group(logGroupName=name)
    try:
        found = logs.describe_log_groups(logGroupNamePattern=f"{tag}")["logGroups"]
        assert {g["logGroupName"] for g in found} == set(names)
        found = [
            g
            for g in logs.describe_log_groups(logGroupNamePattern="DataLogs")["logGroups"]
            if tag in g["logGroupName"]
        ]
        assert {g["logGroupName"] for g in found} == {names[0], names[1]}
        fields = {"arn", "creationTime", "logGroupArn", "logGroupClass", "logGroupName", "metricFilterCount"}
        assert all(set(g) == fields for g in found)
        assert (
            error_of(logs.describe_log_groups, logGroupNamePrefix="x", logGroupNamePattern="y")[0]
            == "InvalidParameterException"
        )
    finally:
        for name in names:
            logs.delete_log_group(logGroupName=name)


def test_describe_log_groups_by_identifiers(logs: Any, group: str) -> None:
    found = logs.describe_log_groups(logGroupIdentifiers=[group, unique("absent")])["logGroups"]
    assert [g["logGroupName"] for g in found] == [group]


def test_describe_limit_is_validated(logs: Any) -> None:
    code, message = error_of(logs.describe_log_groups, limit=51)
    assert code == "InvalidParameterException"
    assert "Member must have value less than or equal to 50" in message


def test_deleting_a_group_deletes_its_streams_and_events(logs: Any) -> None:
    name = unique("del")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    put(logs, name, "s", ["old"])
    logs.delete_log_group(logGroupName=name)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []
    logs.create_log_group(logGroupName=name)
    try:
        assert logs.describe_log_streams(logGroupName=name)["logStreams"] == []
        assert logs.filter_log_events(logGroupName=name)["events"] == []
    finally:
        logs.delete_log_group(logGroupName=name)


def test_deletion_protection_blocks_delete_until_lifted(logs: Any) -> None:
    name = unique("protected")
    logs.create_log_group(logGroupName=name, deletionProtectionEnabled=True)
    code, _ = error_of(logs.delete_log_group, logGroupName=name)
    assert code == "ValidationException"
    logs.put_log_group_deletion_protection(logGroupIdentifier=arn(name), deletionProtectionEnabled=False)
    logs.delete_log_group(logGroupName=name)


# -- retention --------------------------------------------------------------------


def test_retention_policy_is_shown_and_removed(logs: Any, group: str) -> None:
    logs.put_retention_policy(logGroupName=group, retentionInDays=14)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["retentionInDays"] == 14
    logs.delete_retention_policy(logGroupName=group)
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]


def test_retention_outside_the_allowed_days_is_refused_with_the_list(logs: Any, group: str) -> None:
    code, message = error_of(logs.put_retention_policy, logGroupName=group, retentionInDays=2)
    assert code == "InvalidParameterException"
    assert message == (
        "1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must "
        "satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, "
        "2192, 2557, 2922, 3288, 3653]"
    )


# -- tags -----------------------------------------------------------------------------


def test_tags_from_create_and_the_log_group_operations(logs: Any) -> None:
    name = unique("tags")
    logs.create_log_group(logGroupName=name, tags={"team": "a", "env": "dev"})
    try:
        assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"team": "a", "env": "dev"}
        logs.tag_log_group(logGroupName=name, tags={"env": "prod", "cost": "1"})
        logs.untag_log_group(logGroupName=name, tags=["team"])
        assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"env": "prod", "cost": "1"}
        assert "tags" not in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
    finally:
        logs.delete_log_group(logGroupName=name)


def test_tag_resource_with_the_log_group_arn(logs: Any, group: str) -> None:
    logs.tag_resource(resourceArn=arn(group), tags={"a": "1", "b": "2"})
    logs.untag_resource(resourceArn=arn(group), tagKeys=["a"])
    assert logs.list_tags_for_resource(resourceArn=arn(group))["tags"] == {"b": "2"}
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"b": "2"}


def test_tag_resource_errors(logs: Any, group: str) -> None:
    assert (
        error_of(logs.list_tags_for_resource, resourceArn=arn(unique("none")))[0]
        == "ResourceNotFoundException"
    )
    assert (
        error_of(logs.tag_resource, resourceArn="not-an-arn", tags={"a": "b"})[0]
        == "InvalidParameterException"
    )
    logs.tag_resource(resourceArn=arn(group), tags={f"k{i}": "v" for i in range(50)})  # 50 is the most
    assert (
        error_of(logs.tag_resource, resourceArn=arn(group), tags={"one-more": "v"})[0]
        == "TooManyTagsException"
    )
    assert len(logs.list_tags_for_resource(resourceArn=arn(group))["tags"]) == 50


# -- streams ----------------------------------------------------------------------------


def test_stream_lifecycle_and_fields(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="app/1")
    [stream] = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert stream["logStreamName"] == "app/1"
    assert stream["arn"] == f"{arn(group)}:log-stream:app/1"
    assert "firstEventTimestamp" not in stream and "lastEventTimestamp" not in stream
    stamps = put(logs, group, "app/1", ["a", "b", "c"])
    [stream] = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert (stream["firstEventTimestamp"], stream["lastEventTimestamp"]) == (stamps[0], stamps[-1])
    assert stream["lastIngestionTime"] >= stream["creationTime"]
    assert error_of(logs.create_log_stream, logGroupName=group, logStreamName="app/1") == (
        "ResourceAlreadyExistsException",
        "The specified log stream already exists",
    )
    logs.delete_log_stream(logGroupName=group, logStreamName="app/1")
    assert logs.describe_log_streams(logGroupName=group)["logStreams"] == []
    assert error_of(logs.delete_log_stream, logGroupName=group, logStreamName="app/1") == (
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
    )


def test_stream_names_may_not_hold_colon_or_star(logs: Any, group: str) -> None:
    code, message = error_of(logs.create_log_stream, logGroupName=group, logStreamName="a:b")
    assert code == "InvalidParameterException"
    assert "Member must satisfy regular expression pattern: [^:*]*" in message


def test_streams_by_name_with_prefix_descending_and_paging(logs: Any, group: str) -> None:
    names = ["web-2", "web-1", "db-1", "web-3"]
    for name in names:
        logs.create_log_stream(logGroupName=group, logStreamName=name)
    listed = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in listed] == sorted(names)
    web = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="web-", descending=True)[
        "logStreams"
    ]
    assert [s["logStreamName"] for s in web] == ["web-3", "web-2", "web-1"]
    first = logs.describe_log_streams(logGroupName=group, limit=3)
    second = logs.describe_log_streams(logGroupName=group, limit=3, nextToken=first["nextToken"])
    assert [s["logStreamName"] for s in first["logStreams"] + second["logStreams"]] == sorted(names)
    assert "nextToken" not in second


def test_streams_ordered_by_last_event_time(logs: Any, group: str) -> None:
    base = time.time() * 1000 - 600_000
    for index, name in enumerate(["b", "c", "a"]):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        put(logs, group, name, ["x"], start=int(base + (3 - index) * 1000))  # b newest, a oldest
    newest_first = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)
    assert [s["logStreamName"] for s in newest_first["logStreams"]] == ["b", "c", "a"]
    oldest_first = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", limit=2)
    more = logs.describe_log_streams(
        logGroupName=group, orderBy="LastEventTime", limit=2, nextToken=oldest_first["nextToken"]
    )
    assert [s["logStreamName"] for s in oldest_first["logStreams"] + more["logStreams"]] == ["a", "c", "b"]
    assert error_of(
        logs.describe_log_streams, logGroupName=group, orderBy="LastEventTime", logStreamNamePrefix="a"
    ) == ("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")


def test_describe_streams_by_identifier_name_or_arn_but_not_both(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    for identifier in (group, arn(group)):
        streams = logs.describe_log_streams(logGroupIdentifier=identifier)["logStreams"]
        assert [s["logStreamName"] for s in streams] == ["s"]
    # The model's pattern for identifiers has no '*': the ":*" form of the ARN is refused.
    assert (
        error_of(logs.describe_log_streams, logGroupIdentifier=arn(group) + ":*")[0]
        == "InvalidParameterException"
    )
    assert (
        error_of(logs.describe_log_streams, logGroupName=group, logGroupIdentifier=group)[0]
        == "ValidationException"
    )
    assert error_of(logs.describe_log_streams)[0] == "InvalidParameterException"
    other_account = f"arn:aws:logs:{REGION}:111122223333:log-group:{group}"
    assert (
        error_of(logs.describe_log_streams, logGroupIdentifier=other_account)[0]
        == "ResourceNotFoundException"
    )
