"""CloudWatch Logs state is the same after a SIGTERM or kill -9 restart (how: restart_support.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess, wait_for
from tests.services.logs.support import logs_key
from tests.services.wiring.restart_support import (
    REGION,
    STOPS,
    describe,
    unique,
)

# -- CloudWatch Logs -------------------------------------------------------------------------------

KINESIS = f"arn:aws:kinesis:{REGION}:{ROOT_ACCOUNT}:stream/logs-in"
KINESIS_ROLE = f"arn:aws:iam::{ROOT_ACCOUNT}:role/CWLtoKinesisRole"


def _export_bucket(server: ServerProcess) -> str:
    s3: Any = server.client("s3")
    bucket = unique("export")
    s3.create_bucket(Bucket=bucket)
    service = f"logs.{REGION}.amazonaws.com"
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{bucket}"},
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    return bucket


def _build_logs(server: ServerProcess) -> dict[str, Any]:
    logs: Any = server.client("logs")
    group = "/restart/" + unique("group")
    key = logs_key(server.client("kms"))
    logs.create_log_group(logGroupName=group, tags={"team": "blue"}, kmsKeyId=key)
    logs.put_retention_policy(logGroupName=group, retentionInDays=14)
    logs.create_log_stream(logGroupName=group, logStreamName="app")
    logs.create_log_stream(logGroupName=group, logStreamName="worker")
    base = (int(time.time()) - 120) * 1000
    logs.put_log_events(logGroupName=group, logStreamName="app", logEvents=[
        {"timestamp": base + i, "message": f"line {i} status=200"} for i in range(5)])
    logs.put_log_events(logGroupName=group, logStreamName="worker", logEvents=[
        {"timestamp": base + 10, "message": "ERROR worker failed"}])
    logs.put_metric_filter(logGroupName=group, filterName="errors", filterPattern="ERROR", metricTransformations=[
        {"metricName": "Errors", "metricNamespace": "Restart", "metricValue": "1", "defaultValue": 0}])
    logs.put_subscription_filter(logGroupName=group, filterName="to-kinesis", filterPattern="ERROR",
                                 destinationArn=KINESIS, roleArn=KINESIS_ROLE)
    logs.put_resource_policy(policyName=unique("policy"), policyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "route53.amazonaws.com"},
                                                "Action": "logs:PutLogEvents", "Resource": "*"}]}))
    query = logs.put_query_definition(name=unique("query"), queryString="fields @message | limit 5",
                                      logGroupNames=[group])["queryDefinitionId"]
    destination = logs.put_destination(destinationName=unique("dest"), targetArn=KINESIS,
                                       roleArn=KINESIS_ROLE)["destination"]["destinationName"]
    logs.put_transformer(logGroupIdentifier=group, transformerConfig=[{"parseJSON": {}}])
    logs.put_account_policy(policyName=unique("account"), policyType="SUBSCRIPTION_FILTER_POLICY",
                            policyDocument=json.dumps({"DestinationArn": KINESIS, "RoleArn": KINESIS_ROLE,
                                                       "FilterPattern": ""}),
                            selectionCriteria='LogGroupName NOT IN ["excluded"]')
    delivery = logs.put_delivery_destination(name=unique("dd"), outputFormat="json", deliveryDestinationConfiguration={
        "destinationResourceArn": f"arn:aws:s3:::{unique('delivered')}"})["deliveryDestination"]["name"]
    query_id = logs.start_query(logGroupName=group, startTime=base // 1000 - 60, endTime=base // 1000 + 180,
                                queryString="fields @message | sort @timestamp asc | limit 3")["queryId"]
    task = logs.create_export_task(logGroupName=group, fromTime=base, to=base + 100,
                                   destination=_export_bucket(server), destinationPrefix="out")["taskId"]
    return {"group": group, "query": query, "destination": destination, "task": task, "base": base,
            "delivery": delivery, "query_id": query_id}


def _describe_logs(server: ServerProcess, state: dict[str, Any]) -> dict[str, Any]:
    logs: Any = server.client("logs")
    group = state["group"]
    arn = f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{group}"
    found = describe([
        ("groups", logs.describe_log_groups, {"logGroupNamePrefix": group}),
        ("tags", logs.list_tags_for_resource, {"resourceArn": arn}),
        ("streams", logs.describe_log_streams, {"logGroupName": group}),
        ("app_events", logs.get_log_events, {"logGroupName": group, "logStreamName": "app", "startFromHead": True}),
        ("errors", logs.filter_log_events, {"logGroupName": group, "filterPattern": "ERROR"}),
        ("metric_filters", logs.describe_metric_filters, {"logGroupName": group}),
        ("subscription_filters", logs.describe_subscription_filters, {"logGroupName": group}),
        ("resource_policies", logs.describe_resource_policies, {}),
        ("queries", logs.describe_query_definitions, {}),
        ("destinations", logs.describe_destinations, {"DestinationNamePrefix": state["destination"]}),
        ("transformer", logs.get_transformer, {"logGroupIdentifier": group}),
        ("account_policies", logs.describe_account_policies, {"policyType": "SUBSCRIPTION_FILTER_POLICY"}),
        ("delivery_destination", logs.get_delivery_destination, {"name": state["delivery"]}),
        ("query_results", logs.get_query_results, {"queryId": state["query_id"]}),
        ("queries_run", logs.describe_queries, {"logGroupName": group}),
    ])
    for answer in (found["app_events"], found["errors"]):
        answer.pop("nextForwardToken", None), answer.pop("nextBackwardToken", None)
    return found


def _export(logs: Any, task_id: str) -> dict[str, Any] | None:
    [task] = logs.describe_export_tasks(taskId=task_id)["exportTasks"]
    return task if task["status"]["code"] not in ("PENDING", "RUNNING") else None


@pytest.mark.parametrize("how", STOPS)
def test_logs_groups_events_filters_and_pending_exports_survive_a_restart(tmp_path: Path, restart: Any,
                                                                           how: str) -> None:
    # Exports wait a while before they run, so this one is still pending when the server stops.
    first = ServerProcess(data_dir=tmp_path, env={"POCKETCLOUD_LOGS_EXPORT_DELAY_SECONDS": "3"}).start()
    try:
        state = _build_logs(first)
        before = _describe_logs(first, state)
        [pending] = first.client("logs").describe_export_tasks(taskId=state["task"])["exportTasks"]  # type: ignore[attr-defined]
        assert pending["status"]["code"] in ("PENDING", "RUNNING")
        second = restart(first, how)
    finally:
        first.stop()
    assert _describe_logs(second, state) == before
    logs: Any = second.client("logs")
    task = wait_for(lambda: _export(logs, state["task"]), 20)
    assert task["status"]["code"] == "COMPLETED"
    bucket = task["destination"]
    keys = [o["Key"] for o in second.client("s3").list_objects_v2(Bucket=bucket)["Contents"]]  # type: ignore[attr-defined]
    assert f"out/{state['task']}/app/000000.gz" in keys
