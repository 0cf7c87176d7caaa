"""CloudWatch Logs behaviour as AWS answered it in LocalStack's AWS-validated Logs tests.

Evidence: the stored public repository localstack/localstack, tests/aws/services/logs/: the
test modules test_logs_metric_filters.py, test_logs_subscription_filters.py,
test_logs_delivery.py and test_logs_filter_events.py, and the responses real AWS returned for
their `@markers.aws.validated` tests, recorded beside them in the matching *.snapshot.json files
(each test below names the test it follows). Only the wire behaviour is taken from there; the
checks are our own. The refusal of a Lambda subscription without CloudWatch Logs' permission is
AWS's documented requirement, in the wording AWS answers with. The recorded answers the rest of
this directory already asserts (group, stream, event, subscription filter, resource policy,
query, destination, delivery and export errors and shapes) are not repeated here.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import ROOT_ACCOUNT
from tests.services.awslambda.support import Functions
from tests.services.logs.support import error_of, now_ms, unique

REGION = "us-east-1"
NOT_PERMITTED = (
    "InvalidParameterException",
    "Could not execute the lambda function. "
    "Make sure you have given CloudWatch Logs permission to execute your function.",
)


def transformation(name: str, namespace: str, value: str = "1", **extra: Any) -> dict[str, Any]:
    return {"metricName": name, "metricNamespace": namespace, "metricValue": value, **extra}


# -- metric filters (test_logs_metric_filters.py) ------------------------------------------------


def test_a_metric_namespace_may_hold_a_colon_and_is_found_by_it(logs: Any, group: str) -> None:
    # TestMetricFilters::test_put_metric_filter_with_special_namespace: AWS takes CloudWatch's
    # namespace characters, although the model documents MetricNamespace as "[^:*$]*".
    namespace, name = f"A.B-c_d/1#2:{unique('ns')}", unique("filter")
    logs.put_metric_filter(
        logGroupName=group,
        filterName=name,
        filterPattern="filterPattern",
        metricTransformations=[transformation("metricName", namespace)],
    )
    found = logs.describe_metric_filters(metricName="metricName", metricNamespace=namespace)["metricFilters"]
    assert [(f["filterName"], f["metricTransformations"][0]["metricNamespace"]) for f in found] == [
        (name, namespace)
    ]


def test_more_than_one_transformation_is_refused_showing_them_as_java_prints_them(
    logs: Any, group: str
) -> None:
    # TestMetricFiltersValidation::test_put_metric_filter_too_many_transformations.
    assert error_of(
        logs.put_metric_filter,
        logGroupName=group,
        filterName="valid-filter",
        filterPattern="pattern",
        metricTransformations=[
            transformation("metric1", "namespace1"),
            transformation("metric2", "namespace2"),
        ],
    ) == (
        "InvalidParameterException",
        "1 validation error detected: Value '[MetricTransformation(metricName=metric1, "
        "metricNamespace=namespace1, metricValue=1, defaultValue=null, unit=null, dimensions=null), "
        "MetricTransformation(metricName=metric2, metricNamespace=namespace2, metricValue=1, "
        "defaultValue=null, unit=null, dimensions=null)]' at 'metricTransformations' failed to satisfy "
        "constraint: Member must have length less than or equal to 1",
    )


def test_the_refused_transformations_show_their_default_unit_and_dimensions(logs: Any, group: str) -> None:
    # As above, with the members the recorded request left null: a Double, an enum, a Map.
    code, message = error_of(
        logs.put_metric_filter,
        logGroupName=group,
        filterName="valid-filter",
        filterPattern="pattern",
        metricTransformations=[
            transformation("m1", "n1", defaultValue=0, unit="Seconds"),
            transformation("m2", "n2", "$.v", dimensions={"a": "$.b"}),
        ],
    )
    assert code == "InvalidParameterException"
    assert (
        "Value '[MetricTransformation(metricName=m1, metricNamespace=n1, metricValue=1, defaultValue=0.0, "
        "unit=Seconds, dimensions=null), MetricTransformation(metricName=m2, metricNamespace=n2, "
        "metricValue=$.v, defaultValue=null, unit=null, dimensions={a=$.b})]'"
    ) in message


def test_an_over_long_filter_pattern_is_shown_in_the_error(logs: Any, group: str) -> None:
    # TestMetricFiltersValidation::test_put_metric_filter_invalid_filter_pattern.
    pattern = "X" * 1025
    assert error_of(
        logs.put_metric_filter,
        logGroupName=group,
        filterName="valid-filter",
        filterPattern=pattern,
        metricTransformations=[transformation("metric", "namespace")],
    ) == (
        "InvalidParameterException",
        f"1 validation error detected: Value '{pattern}' at 'filterPattern' failed to satisfy constraint: "
        "Member must have length less than or equal to 1024",
    )


def test_deleting_a_filter_by_an_over_long_name_is_refused(logs: Any, group: str) -> None:
    # TestMetricFiltersValidation::test_delete_metric_filter_invalid_filter_name.
    name = "X" * 513
    assert error_of(logs.delete_metric_filter, logGroupName=group, filterName=name) == (
        "InvalidParameterException",
        f"1 validation error detected: Value '{name}' at 'filterName' failed to satisfy constraint: "
        "Member must have length less than or equal to 512",
    )


def test_describing_metric_filters_by_over_long_prefix_or_metric_name_is_refused(logs: Any) -> None:
    # TestMetricFiltersValidation::test_describe_metric_filters_invalid_parameters.
    prefix, metric = "X" * 513, "X" * 256
    assert error_of(logs.describe_metric_filters, filterNamePrefix=prefix) == (
        "InvalidParameterException",
        f"1 validation error detected: Value '{prefix}' at 'filterNamePrefix' failed to satisfy constraint: "
        "Member must have length less than or equal to 512",
    )
    assert error_of(logs.describe_metric_filters, metricName=metric, metricNamespace="valid") == (
        "InvalidParameterException",
        f"1 validation error detected: Value '{metric}' at 'metricName' failed to satisfy constraint: "
        "Member must have length less than or equal to 255",
    )


def test_a_filter_name_prefix_alone_finds_filters_across_log_groups(logs: Any) -> None:
    # TestMetricFilters::test_describe_metric_filters_by_prefix: no log group named, both groups'
    # filters listed by name, each with its group, and no defaultValue when none was given.
    prefix, groups = unique("test-filter-prefix"), [unique("/pc/test"), unique("/pc/test")]
    try:
        for i, group in enumerate(groups):
            logs.create_log_group(logGroupName=group)
            logs.put_metric_filter(
                logGroupName=group,
                filterName=f"{prefix}-{i}",
                filterPattern=f"filterPattern{i}",
                metricTransformations=[transformation(f"metric{i}", f"namespace{i}", str(i))],
            )
        found = logs.describe_metric_filters(filterNamePrefix=prefix)["metricFilters"]
        assert [{k: v for k, v in f.items() if k != "creationTime"} for f in found] == [
            {
                "filterName": f"{prefix}-{i}",
                "filterPattern": f"filterPattern{i}",
                "logGroupName": groups[i],
                "applyOnTransformedLogs": False,
                "metricTransformations": [transformation(f"metric{i}", f"namespace{i}", str(i))],
            }
            for i in range(2)
        ]
    finally:
        for group in groups:
            logs.delete_log_group(logGroupName=group)


# -- subscription filters (test_logs_subscription_filters.py) ------------------------------------


def test_a_lambda_subscription_needs_the_function_to_let_logs_invoke_it(
    logs: Any, group: str, functions: Functions
) -> None:
    # TestSubscriptionFilters::test_put_subscription_filter_lambda: the recorded run first lets
    # logs.<region>.amazonaws.com invoke the function for the group ("...:log-group:<name>:*",
    # SourceAccount); without that, AWS answers that it could not execute the function.
    name = functions.python("def handler(event, context):\n    return event\n")
    arn = functions.lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    subscribe = {"logGroupName": group, "filterName": "test", "filterPattern": "", "destinationArn": arn}
    assert error_of(logs.put_subscription_filter, **subscribe) == NOT_PERMITTED
    functions.lam.add_permission(
        FunctionName=name,
        StatementId=name,
        Principal=f"logs.{REGION}.amazonaws.com",
        Action="lambda:InvokeFunction",
        SourceArn=f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{group}:*",
        SourceAccount=ROOT_ACCOUNT,
    )
    logs.put_subscription_filter(**subscribe)
    [found] = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert {k: v for k, v in found.items() if k != "creationTime"} == {
        "applyOnTransformedLogs": False,
        "destinationArn": arn,
        "distribution": "ByLogStream",
        "filterName": "test",
        "filterPattern": "",
        "logGroupName": group,
    }


def test_a_permission_for_another_log_group_does_not_let_logs_invoke(
    logs: Any, group: str, functions: Functions
) -> None:
    # As above: the permission's SourceArn names the log group Logs invokes for.
    name = functions.python("def handler(event, context):\n    return event\n")
    arn = functions.lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    functions.lam.add_permission(
        FunctionName=name,
        StatementId=name,
        Principal=f"logs.{REGION}.amazonaws.com",
        Action="lambda:InvokeFunction",
        SourceArn=f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{group}-other:*",
        SourceAccount=ROOT_ACCOUNT,
    )
    assert (
        error_of(
            logs.put_subscription_filter,
            logGroupName=group,
            filterName="test",
            filterPattern="",
            destinationArn=arn,
        )
        == NOT_PERMITTED
    )


# -- delivery destinations (test_logs_delivery.py) -----------------------------------------------


def test_a_bad_output_format_lists_the_formats_in_aws_order(logs: Any) -> None:
    # TestDeliveryDestinations::test_put_delivery_destination_invalid_format: AWS's order, not the
    # model's ([json, plain, w3c, raw, parquet]).
    assert error_of(
        logs.put_delivery_destination,
        name=unique("test-dd"),
        outputFormat="foobar",
        deliveryDestinationConfiguration={"destinationResourceArn": f"arn:aws:s3:::{unique('bucket')}"},
    ) == (
        "ValidationException",
        "1 validation error detected: Value 'foobar' at 'outputFormat' failed to satisfy constraint: "
        "Member must satisfy enum value set: [w3c, raw, json, plain, parquet]",
    )


# -- filtering events (test_logs_filter_events.py) -----------------------------------------------


def test_filter_log_events_answers_in_amz_json_1_1(logs: Any, group: str) -> None:
    # TestFilterLogEvents::test_filter_log_events_response_header.
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    stamp = now_ms()
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": stamp, "message": "log message 1"},
            {"timestamp": stamp, "message": "log message 2"},
        ],
    )
    response = logs.filter_log_events(logGroupName=group)
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"
    assert [e["message"] for e in response["events"]] == ["log message 1", "log message 2"]
