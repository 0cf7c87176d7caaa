"""Lambda driven by the AWS SDK for JavaScript v3 (tests/js/lambda_client.mjs): rest-json with
blob payloads, X-Amz-Function-Error, X-Amz-Log-Result and X-Amz-Executed-Version read by a
client that is not botocore. The script runs once; each test checks one thing it saw."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.services.js_sdk_support import js_sdk, run_js

__all__ = ["js_sdk"]

ARN = "arn:aws:lambda:us-east-1:000000000000:function"


@pytest.fixture(scope="module")
def seen(js_sdk: Path, endpoint: str) -> dict[str, Any]:
    return run_js(js_sdk, "lambda_client.mjs", endpoint)


def test_create_function_from_a_zip_and_wait_until_active(seen: dict[str, Any]) -> None:
    created = seen["created"]
    assert created["arn"] == f"{ARN}:{created['name']}"
    assert (created["runtime"], created["version"]) == ("python3.12", "1")  # Publish: true
    assert created["codeSize"] > 0
    assert seen["waited"] == "SUCCESS"  # waitUntilFunctionActiveV2 saw State Active
    assert seen["got"] == {"state": "Active", "env": {"ORIGIN": "node"}, "codeLocation": "string"}


def test_invoke_returns_the_payload_as_bytes_with_a_log_tail(seen: dict[str, Any]) -> None:
    invoke = seen["invoke"]
    assert (invoke["status"], invoke["functionError"], invoke["version"]) == (200, None, "$LATEST")
    assert invoke["payloadIsBytes"] is True
    request_id = invoke["payload"]["requestId"]
    assert invoke["payload"] == {
        "echo": {"hello": "js"},
        "requestId": request_id,
        "arn": f"{ARN}:{seen['created']['name']}",
    }
    lines = invoke["log"].split("\n")
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert 'js-sdk saw {"hello": "js"}' in lines
    assert f"END RequestId: {request_id}" in lines
    assert any(line.startswith(f"REPORT RequestId: {request_id}\tDuration: ") for line in lines)


def test_a_raising_handler_is_an_unhandled_function_error(seen: dict[str, Any]) -> None:
    failed = seen["failed"]
    assert (failed["status"], failed["functionError"]) == (200, "Unhandled")
    assert failed["payload"]["errorType"] == "ValueError"
    assert failed["payload"]["errorMessage"] == "asked to fail"
    assert isinstance(failed["payload"]["stackTrace"], list)
    assert "[ERROR] ValueError: asked to fail" in failed["log"].split("\n")


def test_event_invocation_is_accepted_with_202_and_no_payload(seen: dict[str, Any]) -> None:
    assert seen["event"] == {"status": 202, "payloadLength": 0}
    assert seen["dryRun"] == 204


def test_alias_points_at_a_version_and_invokes_it(seen: dict[str, Any]) -> None:
    name = seen["created"]["name"]
    assert seen["alias"] == {"name": "live", "version": "1", "arn": f"{ARN}:{name}:live"}
    assert seen["gotAlias"] == "1"
    assert seen["viaAlias"] == {"status": 200, "version": "1", "arn": f"{ARN}:{name}:live"}


def test_list_functions_includes_it(seen: dict[str, Any]) -> None:
    assert seen["listed"] is True


def test_missing_function_is_the_modeled_resource_not_found(seen: dict[str, Any]) -> None:
    missing = f"{ARN}:{seen['missingName']}"
    error = {
        "name": "ResourceNotFoundException",
        "status": 404,
        "code": None,
        "fault": "client",
        "modeled": True,
    }
    assert seen["missing"] == {**error, "message": f"Function not found: {missing}"}
    assert seen["missingInvoke"] == {**error, "message": f"Function not found: {missing}:$LATEST"}
    assert seen["deleted"] == {**error, "message": f"Function not found: {ARN}:{seen['created']['name']}"}
