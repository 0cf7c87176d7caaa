"""Tenant isolation (TenancyConfig PER_TENANT): each tenant's invocations run in execution environments
of that tenant's own, the function sees the tenant (context.tenant_id, from the Runtime API's
Lambda-Runtime-Aws-Tenant-Id), and Invoke names a tenant for such a function and for no other.
DurableConfig is kept and answered."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ServerProcess
from tests.services.awslambda.support import Functions, error_of, execution_role, invoke, log_messages
from tests.services.awslambda.url_support import make_public, send

COUNTER = """
import os
calls = 0

def handler(event, context):
    global calls
    calls += 1
    print("tenant", context.tenant_id, "marker", event.get("marker"))
    return {"tenant": context.tenant_id, "calls": calls, "pid": os.getpid()}
"""

NODE_TENANT = "exports.handler = async (event, context) => ({tenant: context.tenantId});\n"


def test_each_tenant_has_environments_of_its_own(functions: Functions, lam: Any) -> None:
    name = functions.python(COUNTER, TenancyConfig={"TenantIsolationMode": "PER_TENANT"})
    config = lam.get_function_configuration(FunctionName=name)
    assert config["TenancyConfig"] == {"TenantIsolationMode": "PER_TENANT"}
    assert lam.get_function(FunctionName=name)["Configuration"]["TenancyConfig"] == config["TenancyConfig"]

    a1 = invoke(lam, name, TenantId="tenant-a")
    a2 = invoke(lam, name, TenantId="tenant-a")
    b1 = invoke(lam, name, TenantId="tenant-b")
    assert [r.payload["tenant"] for r in (a1, a2, b1)] == ["tenant-a", "tenant-a", "tenant-b"]
    # tenant-a's environment is warm for its second call; tenant-b's first call is a cold start elsewhere.
    assert [r.payload["calls"] for r in (a1, a2, b1)] == [1, 2, 1]
    assert a1.payload["pid"] == a2.payload["pid"] != b1.payload["pid"]
    assert ["Init Duration" in r.report() for r in (a1, a2, b1)] == [True, False, True]


def test_invoke_names_a_tenant_for_an_isolated_function_and_for_no_other(
    functions: Functions, lam: Any, logs: Any
) -> None:
    isolated = functions.python(COUNTER, TenancyConfig={"TenantIsolationMode": "PER_TENANT"})
    plain = functions.python(COUNTER)
    assert "TenancyConfig" not in lam.get_function_configuration(FunctionName=plain)
    assert error_of(lambda: lam.invoke(FunctionName=isolated))[0] == "InvalidParameterValueException"
    assert (
        error_of(lambda: lam.invoke(FunctionName=plain, TenantId="t"))[0] == "InvalidParameterValueException"
    )
    assert invoke(lam, plain).payload["tenant"] is None

    # An event invocation keeps its tenant until it runs.
    event = json.dumps({"marker": "queued"})
    assert (
        lam.invoke(FunctionName=isolated, InvocationType="Event", TenantId="t-async", Payload=event)[
            "StatusCode"
        ]
        == 202
    )
    expected = "tenant t-async marker queued"
    printed = log_messages(logs, f"/aws/lambda/{isolated}", contains=expected, wait=10)
    assert expected in [m.rstrip("\n") for m in printed]


def test_a_node_function_sees_its_tenant(functions: Functions, lam: Any) -> None:
    name = functions.create(
        {"index.js": NODE_TENANT},
        handler="index.handler",
        runtime="nodejs20.x",
        TenancyConfig={"TenantIsolationMode": "PER_TENANT"},
    )
    response = lam.invoke(FunctionName=name, TenantId="node-tenant")
    assert json.loads(response["Payload"].read()) == {"tenant": "node-tenant"}


def test_durable_settings_are_kept_and_answered(functions: Functions, lam: Any) -> None:
    name = functions.python(COUNTER, DurableConfig={"ExecutionTimeout": 300, "RetentionPeriodInDays": 7})
    assert lam.get_function_configuration(FunctionName=name)["DurableConfig"] == {
        "ExecutionTimeout": 300,
        "RetentionPeriodInDays": 7,
    }
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    lam.update_function_configuration(FunctionName=name, DurableConfig={"RetentionPeriodInDays": 30})
    assert lam.get_function_configuration(FunctionName=name)["DurableConfig"] == {
        "ExecutionTimeout": 300,
        "RetentionPeriodInDays": 30,
    }


def test_other_ways_in_name_the_tenant_or_are_refused(functions: Functions, lam: Any) -> None:
    """InvokeAsync names no tenant, so a tenant-isolated function refuses it; its function URL takes
    the tenant in X-Amz-Tenant-Id, as Invoke sends TenantId."""
    name = functions.python(COUNTER, TenancyConfig={"TenantIsolationMode": "PER_TENANT"})
    assert error_of(lambda: lam.invoke_async(FunctionName=name, InvokeArgs=b"{}"))[0] == (
        "InvalidParameterValueException"
    )
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    make_public(lam, name)
    assert send(url).status == 400
    answer = send(url, headers={"X-Amz-Tenant-Id": "url-tenant"})
    assert answer.status == 200
    assert answer.json()["tenant"] == "url-tenant"
    # The header is held to Invoke's TenantId constraints (1-256 characters of a limited set).
    for bad in ("a;b<>", "t" * 257):
        refused = send(url, headers={"X-Amz-Tenant-Id": bad})
        assert refused.status == 400 and "tenantId" in refused.json()["Message"]


def test_idle_environments_beyond_the_limit_are_stopped_longest_unused_first() -> None:
    """Every tenant a caller names gets environments of its own, each a process: at most
    POCKETCLOUD_LAMBDA_MAX_IDLE are kept idle, and a cold start beyond that stops the one unused longest."""
    server = ServerProcess(env={"POCKETCLOUD_LAMBDA_MAX_IDLE": "2"}).start()
    try:
        lam = server.client("lambda")
        functions = Functions(lam, execution_role(server, "tenants", ["logs:*"]))
        name = functions.python(COUNTER, TenancyConfig={"TenantIsolationMode": "PER_TENANT"})

        def calls(tenant: str) -> int:
            return int(invoke(lam, name, TenantId=tenant).payload["calls"])

        assert [calls("a"), calls("b"), calls("c")] == [1, 1, 1]  # c's cold start stopped a's environment
        assert calls("b") == 2  # still warm
        assert calls("a") == 1  # started again, stopping c's (b's was used since)
        assert [calls("b"), calls("c")] == [3, 1]
    finally:
        server.stop()
