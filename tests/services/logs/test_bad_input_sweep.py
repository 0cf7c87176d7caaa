"""Inputs found by the robustness sweep (every operation, garbage and boundary input) that once
answered 500: each must get CloudWatch Logs' own 4xx error. The client skips botocore's parameter
validation so the request reaches the server as written.

A JSON body may carry a lone surrogate ("\\ud800"): valid JSON, but no Unicode text, so it names
nothing (reads answer Logs' not-found error, prefixes match nothing) and a write of it is refused."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.logs.support import error_of, unique

S = "\ud800"  # a lone surrogate: what the JSON escape "\ud800" decodes to
DEEP = '{"a":' * 1200 + "1" + "}" * 1200  # nested deeper than any JSON decoder's recursion
NOT_FOUND = "ResourceNotFoundException"


def _unusable(member: str) -> tuple[str, str]:
    return (
        "InvalidParameterException",
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        "Member must be valid Unicode text",
    )


def test_a_log_stream_named_by_a_lone_surrogate_is_refused_and_never_found(
    unchecked: Any, group: str
) -> None:
    assert error_of(unchecked.create_log_stream, logGroupName=group, logStreamName=S) == _unusable(
        "logStreamName"
    )
    missing = (NOT_FOUND, "The specified log stream does not exist.")
    events = [{"timestamp": 1, "message": "m"}]
    assert (
        error_of(unchecked.put_log_events, logGroupName=group, logStreamName=S, logEvents=events) == missing
    )
    assert error_of(unchecked.delete_log_stream, logGroupName=group, logStreamName=S) == missing
    assert error_of(unchecked.get_log_events, logGroupName=group, logStreamName=f"a{S}b") == missing
    assert unchecked.describe_log_streams(logGroupName=group, logStreamNamePrefix=S)["logStreams"] == []


def test_filter_log_events_with_a_lone_surrogate_stream_finds_nothing(unchecked: Any, group: str) -> None:
    unchecked.create_log_stream(logGroupName=group, logStreamName="s")
    assert unchecked.filter_log_events(logGroupName=group, logStreamNamePrefix=S)["events"] == []
    assert error_of(unchecked.filter_log_events, logGroupName=group, logStreamNames=[S]) == (
        NOT_FOUND,
        "The specified log stream does not exist.",
    )


def test_a_metric_filter_named_by_a_lone_surrogate_is_refused_and_never_found(
    unchecked: Any, group: str
) -> None:
    transformations = [{"metricName": "m", "metricNamespace": "n", "metricValue": "1"}]
    put = unchecked.put_metric_filter
    assert error_of(
        put, logGroupName=group, filterName=S, filterPattern="x", metricTransformations=transformations
    ) == _unusable("filterName")
    assert error_of(unchecked.delete_metric_filter, logGroupName=group, filterName=S) == (
        NOT_FOUND,
        "The specified metric filter does not exist.",
    )
    assert unchecked.describe_metric_filters(logGroupName=group, filterNamePrefix=S)["metricFilters"] == []


def test_subscription_filters_named_by_a_lone_surrogate_are_never_found(unchecked: Any, group: str) -> None:
    assert error_of(unchecked.delete_subscription_filter, logGroupName=group, filterName=S) == (
        NOT_FOUND,
        "The specified subscription filter does not exist.",
    )
    listed = unchecked.describe_subscription_filters(logGroupName=group, filterNamePrefix=S)
    assert listed["subscriptionFilters"] == []


def test_a_destination_named_by_a_lone_surrogate_is_refused_and_never_found(unchecked: Any) -> None:
    assert error_of(
        unchecked.put_destination,
        destinationName=S,
        targetArn="arn:aws:kinesis:us-east-1:000000000000:stream/s",
        roleArn="arn:aws:iam::000000000000:role/r",
    ) == _unusable("destinationName")
    assert unchecked.describe_destinations(DestinationNamePrefix=S)["destinations"] == []
    assert error_of(unchecked.delete_destination, destinationName=S) == (
        NOT_FOUND,
        "The specified destination does not exist.",
    )


def test_export_tasks_with_a_lone_surrogate_are_never_found(unchecked: Any, group: str) -> None:
    assert unchecked.describe_export_tasks(taskId=S)["exportTasks"] == []
    assert error_of(unchecked.cancel_export_task, taskId=S) == (
        NOT_FOUND,
        "The specified export task does not exist.",
    )
    assert error_of(unchecked.create_export_task, logGroupName=group, fromTime=1, to=2, destination=S) == (
        "InvalidParameterException",
        "The given bucket does not exist. Please make sure the bucket is valid.",
    )


def test_queries_and_query_definitions_with_a_lone_surrogate_are_never_found(unchecked: Any) -> None:
    no_query = (NOT_FOUND, "Query does not exist.")
    assert error_of(unchecked.get_query_results, queryId=S) == no_query
    assert error_of(unchecked.stop_query, queryId=S) == no_query
    no_definition = (NOT_FOUND, "Query definition does not exist.")
    assert error_of(unchecked.delete_query_definition, queryDefinitionId=S) == no_definition
    assert (
        error_of(unchecked.put_query_definition, name="n", queryDefinitionId=S, queryString="fields @message")
        == no_definition
    )


def test_policies_named_by_a_lone_surrogate_are_refused_and_never_found(unchecked: Any) -> None:
    kind = "DATA_PROTECTION_POLICY"
    assert unchecked.describe_account_policies(policyType=kind, policyName=S)["accountPolicies"] == []
    code, _ = error_of(unchecked.delete_account_policy, policyType=kind, policyName=S)
    assert code == NOT_FOUND
    code, _ = error_of(unchecked.delete_resource_policy, policyName=S)
    assert code == NOT_FOUND
    document = json.dumps({"Version": "2012-10-17", "Statement": []})
    assert error_of(unchecked.put_resource_policy, policyName=S, policyDocument=document) == _unusable(
        "policyName"
    )


@pytest.mark.parametrize("operation", ["describe_field_indexes", "describe_index_policies"])
def test_a_null_log_group_identifier_is_a_validation_error(unchecked: Any, operation: str) -> None:
    assert error_of(getattr(unchecked, operation), logGroupIdentifiers=[None]) == (
        "InvalidParameterException",
        "1 validation error detected: Value at 'logGroupIdentifiers' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must have length less than or equal to 2048, "
        "Member must have length greater than or equal to 1, "
        "Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*, Member must not be null]",
    )


def test_a_null_test_message_is_a_validation_error(unchecked: Any) -> None:
    assert error_of(unchecked.test_metric_filter, filterPattern="x", logEventMessages=["a", None]) == (
        "InvalidParameterException",
        "1 validation error detected: Value '[a, null]' at 'logEventMessages' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must have length greater than or equal to 1, "
        "Member must not be null]",
    )


def test_a_null_log_event_is_a_validation_error(unchecked: Any, group: str) -> None:
    # botocore cannot serialize a null structure, so the body is written as a client could send it.
    unchecked.create_log_stream(logGroupName=group, logStreamName="s")
    body = json.dumps({"logGroupName": group, "logStreamName": "s", "logEvents": [None]}).encode()

    def as_written(request: Any, **_: Any) -> None:
        request.data = body
        request.headers["Content-Length"] = str(len(body))

    unchecked.meta.events.register_first("before-sign.cloudwatch-logs.PutLogEvents", as_written)
    try:
        events = [{"timestamp": 1, "message": "m"}]
        assert error_of(
            unchecked.put_log_events, logGroupName=group, logStreamName="s", logEvents=events
        ) == (
            "InvalidParameterException",
            "1 validation error detected: Value null at 'logEvents.1.member' failed to satisfy constraint: "
            "Member must not be null",
        )
    finally:
        unchecked.meta.events.unregister("before-sign.cloudwatch-logs.PutLogEvents", as_written)


@pytest.mark.parametrize(
    ("operation", "kwargs", "message"),
    [
        ("put_resource_policy", {"policyName": "p"}, "Policy document is not valid JSON."),
        ("put_data_protection_policy", {}, "Data protection policy is not valid JSON."),
        (
            "put_account_policy",
            {"policyName": "p", "policyType": "DATA_PROTECTION_POLICY"},
            "Data protection policy is not valid JSON.",
        ),
        ("put_index_policy", {}, "The index policy document is not valid JSON."),
    ],
)
def test_a_policy_nested_too_deep_is_invalid_json(
    unchecked: Any, group: str, operation: str, kwargs: dict[str, Any], message: str
) -> None:
    if operation in ("put_data_protection_policy", "put_index_policy"):
        kwargs = {"logGroupIdentifier": group}
    assert error_of(getattr(unchecked, operation), policyDocument=DEEP, **kwargs) == (
        "InvalidParameterException",
        message,
    )


def test_a_destination_policy_nested_too_deep_is_refused(unchecked: Any) -> None:
    name = unique("dest")
    unchecked.put_destination(
        destinationName=name,
        targetArn="arn:aws:kinesis:us-east-1:000000000000:stream/s",
        roleArn="arn:aws:iam::000000000000:role/r",
    )
    try:
        code, _ = error_of(unchecked.put_destination_policy, destinationName=name, accessPolicy=DEEP)
        assert code == "InvalidParameterException"
    finally:
        try:
            unchecked.delete_destination(destinationName=name)
        except ClientError:
            pass


def _token(text: str) -> str:
    """A paging token of pocketcloud's form (urlsafe base64 of "<kind>:<position>"), with `text` in it."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_tokens_whose_digits_int_cannot_read_are_invalid_tokens(logs: Any, group: str) -> None:
    # "²" is a digit to str.isdigit() and not to int(): each once answered 500.
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    invalid = ("InvalidParameterException", "The specified nextToken is invalid.")
    assert error_of(logs.describe_query_definitions, nextToken="²") == invalid
    assert error_of(logs.describe_query_definitions, nextToken="9" * 5000) == invalid
    assert (
        error_of(logs.describe_log_streams, logGroupName=group, orderBy="LastEventTime", nextToken=_token("t:²"))
        == invalid
    )
    assert error_of(logs.describe_destinations, nextToken=_token("d:²")) == invalid
    assert error_of(logs.get_log_events, logGroupName=group, logStreamName="s", nextToken="f/" + "²" * 56 + "/s") == invalid
    assert error_of(logs.filter_log_events, logGroupName=group, nextToken=_token("e:f/²")) == invalid
    assert error_of(logs.get_log_record, logRecordPointer=_token(f"p:{group}\0s\0²")) == (
        "InvalidParameterException",
        "The specified log record pointer is invalid.",
    )
