"""An alias's RoutingConfig shifts every kind of invocation, not only synchronous Invoke: an
asynchronous invocation and an event source mapping's batches through the alias run its additional
version for that version's weight (AliasRoutingConfiguration, API reference; "Implement Lambda
canary deployments using a weighted alias", developer guide)."""

from __future__ import annotations

import json
from typing import Any

from tests.services.awslambda.support import Functions, log_messages, unique, zipped

SAYS_VERSION = "def handler(event, context):\n    print('ran version ' + context.function_version)\n"


def _canary_on_version_2(lam: Any, name: str) -> None:
    """Version 1, version 2, and an alias 'canary' on 1 that sends all of its traffic to 2."""
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=zipped({"app.py": SAYS_VERSION + "# 2\n"}))
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    lam.publish_version(FunctionName=name)
    lam.create_alias(
        FunctionName=name, Name="canary", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}}
    )


def test_an_asynchronous_invocation_through_the_alias_is_routed(functions: Functions, lam: Any, logs: Any) -> None:
    name = functions.python(SAYS_VERSION)
    _canary_on_version_2(lam, name)
    assert lam.invoke(FunctionName=name, Qualifier="canary", InvocationType="Event", Payload=b"{}")["StatusCode"] == 202
    ran = log_messages(logs, f"/aws/lambda/{name}", "ran version", wait=20)
    assert [m.strip() for m in ran if "ran version" in m] == ["ran version 2"]


def test_a_mapping_on_the_alias_runs_the_routed_version(
    made: Functions, lam: Any, logs: Any, sqs: Any, mappings: list[str]
) -> None:
    name = made.python(SAYS_VERSION)
    _canary_on_version_2(lam, name)
    url = sqs.create_queue(QueueName=unique("routed"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=f"{name}:canary", BatchSize=1)
    mappings.append(mapping["UUID"])
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": 1}))
    ran = log_messages(logs, f"/aws/lambda/{name}", "ran version", wait=30)
    assert [m.strip() for m in ran if "ran version" in m] == ["ran version 2"]
