"""CloudWatch Logs answers as real AWS does where pocketcloud used to differ: the fields of
DescribeLogGroups, the wording of name-length and mutually-exclusive errors, metric and
subscription filters (with delivery to a Lambda), resource policies, query definitions,
ListLogGroups, GetLogGroupFields and how DescribeQueries shows a query."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, log_messages
from tests.services.logs.support import error_of, logs_key, now_ms, put, unique

REGION = "us-east-1"
LENGTH_MESSAGE = "Invalid LogGroup or LogStream, both must have length less than or equal to 512."


def group_arn(name: str) -> str:
    return f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{name}"


def metric(name: str = "m", namespace: str = "ns", value: str = "1", **extra: Any) -> list[dict[str, Any]]:
    return [{"metricName": name, "metricNamespace": namespace, "metricValue": value, **extra}]


# -- log groups ---------------------------------------------------------------------------


def test_described_group_shows_deletion_protection_off_by_default(logs: Any, group: str) -> None:
    [found] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert found["deletionProtectionEnabled"] is False
    assert set(found) == {
        "logGroupName",
        "creationTime",
        "metricFilterCount",
        "arn",
        "storedBytes",
        "logGroupClass",
        "logGroupArn",
        "deletionProtectionEnabled",
    }


def test_kms_key_is_shown_on_the_group(logs: Any, endpoint: str) -> None:
    name = unique("kms")
    key = logs_key(make_client(endpoint, "kms"), REGION, ROOT_ACCOUNT)
    logs.create_log_group(logGroupName=name, kmsKeyId=key)
    try:
        assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["kmsKeyId"] == key
    finally:
        logs.delete_log_group(logGroupName=name)


def test_pattern_search_shows_its_own_set_of_fields(logs: Any, group: str) -> None:
    [found] = logs.describe_log_groups(logGroupNamePattern=group.rsplit("-", 1)[1])["logGroups"]
    assert set(found) == {
        "arn",
        "creationTime",
        "logGroupArn",
        "logGroupClass",
        "logGroupName",
        "metricFilterCount",
    }


@pytest.mark.parametrize(
    "call, extra",
    [
        ("create_log_group", {}),
        ("delete_log_group", {}),
        ("delete_metric_filter", {"filterName": "f"}),
        ("describe_log_streams", {}),
    ],
)
def test_group_name_over_512_characters_has_logs_own_message(
    logs: Any, call: str, extra: dict[str, Any]
) -> None:
    assert error_of(getattr(logs, call), logGroupName="a" * 513, **extra) == (
        "InvalidParameterException",
        LENGTH_MESSAGE,
    )


def test_stream_name_over_512_characters_has_the_same_message(logs: Any, group: str) -> None:
    assert error_of(logs.create_log_stream, logGroupName=group, logStreamName="s" * 513) == (
        "InvalidParameterException",
        LENGTH_MESSAGE,
    )


def test_name_and_identifier_together_is_a_validation_exception(logs: Any, group: str) -> None:
    assert error_of(logs.describe_log_streams, logGroupName=group, logGroupIdentifier=group) == (
        "ValidationException",
        "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
    )


def test_list_log_groups_shows_name_arn_and_class(logs: Any, group: str) -> None:
    tag = group.rsplit("-", 1)[1]
    found = logs.list_log_groups(logGroupNamePattern=tag)["logGroups"]
    assert found == [{"logGroupName": group, "logGroupArn": group_arn(group), "logGroupClass": "STANDARD"}]
    assert logs.list_log_groups(logGroupNamePattern="no-such-group")["logGroups"] == []
    anchored = logs.list_log_groups(logGroupNamePattern=f"^{tag}|^/pc/test/nothing")["logGroups"]
    assert anchored == []  # the group's name starts with /pc/test, not with the tag


def test_list_log_groups_pages(logs: Any) -> None:
    prefix = unique("lpage")
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in names:
        logs.create_log_group(logGroupName=name)
    try:
        first = logs.list_log_groups(logGroupNamePattern=prefix, limit=2)
        second = logs.list_log_groups(logGroupNamePattern=prefix, limit=2, nextToken=first["nextToken"])
        assert [g["logGroupName"] for g in first["logGroups"] + second["logGroups"]] == names
        assert "nextToken" not in second
    finally:
        for name in names:
            logs.delete_log_group(logGroupName=name)


# -- metric filters ---------------------------------------------------------------------------


def test_metric_filter_is_described_as_put_and_counted_on_the_group(logs: Any, group: str) -> None:
    logs.put_metric_filter(
        logGroupName=group,
        filterName="errors",
        filterPattern='{ $.level = "ERROR" }',
        metricTransformations=metric(defaultValue=0),
    )
    logs.put_metric_filter(
        logGroupName=group,
        filterName="other",
        filterPattern="x",
        metricTransformations=metric("m2", "ns2", "2"),
    )
    [shown] = logs.describe_metric_filters(logGroupName=group, filterNamePrefix="err")["metricFilters"]
    created = shown.pop("creationTime")
    assert abs(created - now_ms()) < 60_000
    assert shown == {
        "filterName": "errors",
        "filterPattern": '{ $.level = "ERROR" }',
        "logGroupName": group,
        "applyOnTransformedLogs": False,
        "metricTransformations": [
            {"metricName": "m", "metricNamespace": "ns", "metricValue": "1", "defaultValue": 0.0}
        ],
    }
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["metricFilterCount"] == 2
    logs.delete_metric_filter(logGroupName=group, filterName="other")
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["metricFilterCount"] == 1
    [left] = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert left["metricTransformations"][0]["defaultValue"] == 0.0


def test_metric_filters_found_across_groups_by_prefix_and_by_metric(logs: Any, group: str) -> None:
    tag = unique("mf")
    logs.put_metric_filter(
        logGroupName=group,
        filterName=f"{tag}-0",
        filterPattern="a",
        metricTransformations=metric(f"{tag}-metric", "space"),
    )
    logs.put_metric_filter(
        logGroupName=group,
        filterName=f"{tag}-1",
        filterPattern="b",
        metricTransformations=metric("other", "space"),
    )
    by_prefix = logs.describe_metric_filters(logGroupName=group, filterNamePrefix=f"{tag}-1")["metricFilters"]
    assert [f["filterName"] for f in by_prefix] == [f"{tag}-1"]
    # "CloudWatch Logs uses the value that you set here only if you also include the logGroupName
    # parameter in your request" (DescribeMetricFilters, filterNamePrefix): without it, all are listed.
    unscoped = logs.describe_metric_filters(
        filterNamePrefix="no-such-prefix-", metricName=f"{tag}-metric", metricNamespace="space"
    )["metricFilters"]
    assert [f["filterName"] for f in unscoped] == [f"{tag}-0"]
    by_metric = logs.describe_metric_filters(metricName=f"{tag}-metric", metricNamespace="space")[
        "metricFilters"
    ]
    assert [f["filterName"] for f in by_metric] == [f"{tag}-0"]
    page = logs.describe_metric_filters(logGroupName=group, limit=1)
    rest = logs.describe_metric_filters(logGroupName=group, limit=1, nextToken=page["nextToken"])
    assert [f["filterName"] for f in page["metricFilters"] + rest["metricFilters"]] == [
        f"{tag}-0",
        f"{tag}-1",
    ]


def test_metric_filter_errors(logs: Any, group: str) -> None:
    missing = unique("nogroup")
    assert error_of(
        logs.put_metric_filter,
        logGroupName=missing,
        filterName="f",
        filterPattern="",
        metricTransformations=metric(),
    ) == ("ResourceNotFoundException", "The specified log group does not exist.")
    assert error_of(logs.delete_metric_filter, logGroupName=group, filterName="nope") == (
        "ResourceNotFoundException",
        "The specified metric filter does not exist.",
    )
    assert error_of(logs.describe_metric_filters, logGroupName=missing) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
    code, message = error_of(
        logs.put_metric_filter,
        logGroupName=group,
        filterName="X" * 513,
        filterPattern="",
        metricTransformations=metric(),
    )
    assert code == "InvalidParameterException"
    assert message.endswith(
        "at 'filterName' failed to satisfy constraint: Member must have length less than or equal to 512"
    )
    assert (
        error_of(
            logs.put_metric_filter,
            logGroupName=group,
            filterName="f",
            filterPattern="{ $.x = ",
            metricTransformations=metric(),
        )[0]
        == "InvalidParameterException"
    )


def test_deleting_a_group_deletes_its_filters(logs: Any) -> None:
    name = unique("gone")
    logs.create_log_group(logGroupName=name)
    logs.put_metric_filter(
        logGroupName=name, filterName="f", filterPattern="", metricTransformations=metric()
    )
    logs.delete_log_group(logGroupName=name)
    logs.create_log_group(logGroupName=name)
    try:
        assert logs.describe_metric_filters(logGroupName=name)["metricFilters"] == []
        assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["metricFilterCount"] == 0
    finally:
        logs.delete_log_group(logGroupName=name)


# -- subscription filters ----------------------------------------------------------------------


KINESIS = f"arn:aws:kinesis:{REGION}:{ROOT_ACCOUNT}:stream/s"
ROLE = f"arn:aws:iam::{ROOT_ACCOUNT}:role/logs-to-kinesis"


def test_subscription_filters_are_described_and_limited_to_two(logs: Any, group: str) -> None:
    assert logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"] == []
    logs.put_subscription_filter(
        logGroupName=group, filterName="one", filterPattern="", destinationArn=KINESIS, roleArn=ROLE
    )
    logs.put_subscription_filter(
        logGroupName=group,
        filterName="two",
        filterPattern="[]",
        destinationArn=KINESIS,
        roleArn=ROLE,
        distribution="Random",
    )
    assert error_of(
        logs.put_subscription_filter,
        logGroupName=group,
        filterName="three",
        filterPattern="",
        destinationArn=KINESIS,
        roleArn=ROLE,
    ) == ("LimitExceededException", "Resource limit exceeded.")
    logs.put_subscription_filter(
        logGroupName=group, filterName="one", filterPattern="ERROR", destinationArn=KINESIS, roleArn=ROLE
    )  # an update is not a third
    shown = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    for item in shown:
        assert abs(item.pop("creationTime") - now_ms()) < 60_000
    assert shown == [
        {
            "filterName": "one",
            "logGroupName": group,
            "filterPattern": "ERROR",
            "destinationArn": KINESIS,
            "roleArn": ROLE,
            "distribution": "ByLogStream",
            "applyOnTransformedLogs": False,
        },
        {
            "filterName": "two",
            "logGroupName": group,
            "filterPattern": "[]",
            "destinationArn": KINESIS,
            "roleArn": ROLE,
            "distribution": "Random",
            "applyOnTransformedLogs": False,
        },
    ]
    logs.delete_subscription_filter(logGroupName=group, filterName="one")
    assert [
        f["filterName"] for f in logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    ] == ["two"]


def test_subscription_filter_errors(logs: Any, group: str) -> None:
    missing = unique("nogroup")
    not_found = ("ResourceNotFoundException", "The specified log group does not exist.")
    assert error_of(logs.describe_subscription_filters, logGroupName=missing) == not_found
    assert error_of(logs.delete_subscription_filter, logGroupName=missing, filterName="f") == not_found
    assert error_of(logs.delete_subscription_filter, logGroupName=group, filterName="f") == (
        "ResourceNotFoundException",
        "The specified subscription filter does not exist.",
    )
    assert error_of(
        logs.put_subscription_filter,
        logGroupName=group,
        filterName="f",
        filterPattern="",
        destinationArn="arn:aws:lambda:us-east-1:123456789012:function:test",
    ) == (
        "AccessDeniedException",
        "Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create cross "
        "account lambda triggers.",
    )
    assert error_of(
        logs.put_subscription_filter,
        logGroupName=group,
        filterName="f",
        filterPattern="",
        destinationArn=KINESIS,
    ) == ("InvalidParameterException", "destinationArn for vendor kinesis cannot be used without roleArn")
    own_missing = f"arn:aws:lambda:{REGION}:{ROOT_ACCOUNT}:function:{unique('absent')}"
    assert error_of(
        logs.put_subscription_filter,
        logGroupName=group,
        filterName="f",
        filterPattern="",
        destinationArn=own_missing,
    ) == (
        "InvalidParameterException",
        "Could not execute the lambda function. "
        "Make sure you have given CloudWatch Logs permission to execute your function.",
    )
    assert logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"] == []


RECEIVER = """
import base64, gzip, json
def handler(event, context):
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    print("GOT " + json.dumps(data, sort_keys=True))
"""


def test_subscribed_lambda_receives_the_matching_events(endpoint: str, logs: Any, group: str) -> None:
    from tests.conftest import make_client

    iam, lam = make_client(endpoint, "iam"), make_client(endpoint, "lambda")
    role = iam.create_role(RoleName=unique("sub"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    functions = Functions(lam, role)
    try:
        name = functions.python(RECEIVER)
        function_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        lam.add_permission(  # without it AWS refuses the filter: Logs may not invoke the function
            FunctionName=name, StatementId="logs", Action="lambda:InvokeFunction", Principal="logs.amazonaws.com"
        )
        logs.put_subscription_filter(
            logGroupName=group, filterName="errors", filterPattern="ERROR", destinationArn=function_arn
        )
        logs.create_log_stream(logGroupName=group, logStreamName="app")
        stamps = put(logs, group, "app", ["ERROR one", "fine", "ERROR two"])
        messages = log_messages(logs, f"/aws/lambda/{name}", contains="GOT ", wait=60)
        [line] = [m for m in messages if m.startswith("GOT ")]
        data = json.loads(line.split("GOT ", 1)[1])
        ids = {e["message"]: e["eventId"] for e in logs.filter_log_events(logGroupName=group)["events"]}
        assert data == {
            "messageType": "DATA_MESSAGE",
            "owner": ROOT_ACCOUNT,
            "logGroup": group,
            "logStream": "app",
            "subscriptionFilters": ["errors"],
            "logEvents": [
                {"id": ids["ERROR one"], "timestamp": stamps[0], "message": "ERROR one"},
                {"id": ids["ERROR two"], "timestamp": stamps[2], "message": "ERROR two"},
            ],
        }
    finally:
        functions.cleanup()


# -- resource policies ---------------------------------------------------------------------------


def policy(service: Any = ("route53.amazonaws.com",), version: str | None = "2012-10-17") -> str:
    doc: dict[str, Any] = {
        "Statement": [
            {
                "Sid": "R53",
                "Effect": "Allow",
                "Principal": {"Service": list(service)},
                "Action": "logs:PutLogEvents",
                "Resource": "*",
            }
        ]
    }
    if version:
        doc = {"Version": version, **doc}
    return json.dumps(doc)


def test_resource_policy_put_describe_update_delete(logs: Any) -> None:
    name = unique("policy")
    document = policy()
    put_answer = logs.put_resource_policy(policyName=name, policyDocument=document)["resourcePolicy"]
    try:
        assert put_answer["policyName"] == name and put_answer["policyDocument"] == document
        assert put_answer["policyScope"] == "ACCOUNT"
        first_time = put_answer["lastUpdatedTime"]
        [shown] = [
            p for p in logs.describe_resource_policies()["resourcePolicies"] if p["policyName"] == name
        ]
        # AWS keeps a principal list of one entry as that entry.
        assert json.loads(shown["policyDocument"])["Statement"][0]["Principal"] == {
            "Service": "route53.amazonaws.com"
        }
        time.sleep(0.01)
        updated = policy(version=None)
        assert (
            logs.put_resource_policy(policyName=name, policyDocument=updated)["resourcePolicy"][
                "policyDocument"
            ]
            == updated
        )
        [shown] = [
            p for p in logs.describe_resource_policies()["resourcePolicies"] if p["policyName"] == name
        ]
        assert json.loads(shown["policyDocument"])["Version"] == "2008-10-17"
        assert shown["lastUpdatedTime"] != first_time
    finally:
        logs.delete_resource_policy(policyName=name)
    assert name not in [p["policyName"] for p in logs.describe_resource_policies()["resourcePolicies"]]
    assert error_of(logs.delete_resource_policy, policyName="non-existent") == (
        "ResourceNotFoundException",
        "Policy with name [non-existent] does not exist.",
    )


def test_at_most_ten_account_resource_policies(logs: Any) -> None:
    existing = len(logs.describe_resource_policies()["resourcePolicies"])
    names = [unique("limit") for _ in range(10 - existing)]
    try:
        for name in names:
            logs.put_resource_policy(policyName=name, policyDocument=policy())
        assert error_of(logs.put_resource_policy, policyName=unique("over"), policyDocument=policy()) == (
            "LimitExceededException",
            "Resource limit exceeded.",
        )
        assert names, "the account already holds ten resource policies: the limit cannot be reached"
        replaced = policy(version=None)  # replacing one at the limit is allowed
        answer = logs.put_resource_policy(policyName=names[0], policyDocument=replaced)
        assert answer["resourcePolicy"]["policyDocument"] == replaced
    finally:
        for name in names:
            logs.delete_resource_policy(policyName=name)


# -- Logs Insights ----------------------------------------------------------------------------------


def test_describe_queries_shows_the_source_and_range_before_the_query(logs: Any, group: str) -> None:
    start, end = int(time.time()) - 3600, int(time.time()) + 300
    query_id = logs.start_query(
        logGroupName=group, startTime=start, endTime=end, queryString="fields @message"
    )["queryId"]
    [shown] = [q for q in logs.describe_queries(logGroupName=group)["queries"] if q["queryId"] == query_id]
    assert shown["queryString"] == f'SOURCE "{group}" START={start}000 END={end}999 | fields @message'
    assert shown["status"] == "Complete" and shown["queryLanguage"] == "CWLI"
    assert logs.describe_queries(logGroupName=group, status="Scheduled")["queries"] == []


def test_log_group_fields_with_the_share_of_events_having_each(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    put(logs, group, "s", ['{"level": "info", "user": {"id": 1}}', '{"level": "warn"}', "plain", "text"])
    fields = {
        f["name"]: f["percent"] for f in logs.get_log_group_fields(logGroupName=group)["logGroupFields"]
    }
    assert fields == {
        "@timestamp": 100,
        "@message": 100,
        "@logStream": 100,
        "@log": 100,
        "@ingestionTime": 100,
        "level": 50,
        "user.id": 25,
    }
    by_arn = logs.get_log_group_fields(logGroupIdentifier=group_arn(group))["logGroupFields"]
    assert {f["name"]: f["percent"] for f in by_arn} == fields


def test_a_query_definition_names_its_log_groups_by_arn_too(logs: Any, group: str) -> None:
    # The model's pattern for logGroupNames has no ':', yet AWS takes log group ARNs there and names
    # them back (the Terraform AWS provider's TestAccLogsQueryDefinition_logGroupARNs).
    arn = group_arn(group)
    definition_id = logs.put_query_definition(name=unique("qd"), queryString="fields @message", logGroupNames=[arn])[
        "queryDefinitionId"
    ]
    try:
        [shown] = [d for d in logs.describe_query_definitions()["queryDefinitions"] if d["queryDefinitionId"] == definition_id]
        assert shown["logGroupNames"] == [arn]
    finally:
        logs.delete_query_definition(queryDefinitionId=definition_id)
    code, message = error_of(logs.put_query_definition, name=unique("qd"), queryString="q", logGroupNames=["x" * 513])
    assert code == "InvalidParameterException" and "Member must have length less than or equal to 512" in message
    # StartQuery's logGroupNames (the same model shape) still take names alone.
    code, message = error_of(logs.start_query, logGroupNames=["bad name*"], startTime=0, endTime=1, queryString="q")
    assert code == "InvalidParameterException" and "Member must satisfy regular expression pattern" in message


def test_query_definitions_put_describe_update_delete(logs: Any, group: str) -> None:
    name = unique("qd")
    definition_id = logs.put_query_definition(
        name=name, queryString="fields @message", logGroupNames=[group]
    )["queryDefinitionId"]
    try:
        [shown] = logs.describe_query_definitions(queryDefinitionNamePrefix=name)["queryDefinitions"]
        assert shown["queryDefinitionId"] == definition_id and shown["queryString"] == "fields @message"
        assert shown["logGroupNames"] == [group] and shown["queryLanguage"] == "CWLI"
        logs.put_query_definition(name=name, queryDefinitionId=definition_id, queryString="fields @timestamp")
        [shown] = logs.describe_query_definitions(queryDefinitionNamePrefix=name)["queryDefinitions"]
        assert shown["queryString"] == "fields @timestamp"
    finally:
        assert logs.delete_query_definition(queryDefinitionId=definition_id)["success"] is True
    assert logs.describe_query_definitions(queryDefinitionNamePrefix=name)["queryDefinitions"] == []
    assert error_of(logs.delete_query_definition, queryDefinitionId=definition_id)[0] == (
        "ResourceNotFoundException"
    )  # error_of also checks the status, 400


def test_query_statistics_count_the_bytes_scanned(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    put(logs, group, "s", ["abc", "défg"])
    now = int(time.time())
    query_id = logs.start_query(
        logGroupName=group, startTime=now - 3600, endTime=now + 60, queryString="fields @message"
    )["queryId"]
    statistics = logs.get_query_results(queryId=query_id)["statistics"]
    assert statistics == {
        "recordsMatched": 2.0,
        "recordsScanned": 2.0,
        "estimatedRecordsSkipped": 0.0,
        "bytesScanned": 8.0,  # UTF-8 bytes of the messages
        "estimatedBytesSkipped": 0.0,
        "logGroupsScanned": 1.0,
    }
