"""The deprecated InvokeAsync call: 202 and an asynchronous run, with its 256 KB limit
("The payload limit is 256KB. For larger payloads, for up to 1MB, use Invoke", API reference).
"""

from __future__ import annotations

import json
from typing import Any

from tests.services.awslambda.support import Functions, error_of, log_messages


def test_invoke_async_queues_the_event(functions: Functions, lam: Any, logs: Any) -> None:
    name = functions.python("def handler(event, context):\n    print('got ' + event['who'])\n")
    answer = lam.invoke_async(FunctionName=name, InvokeArgs=json.dumps({"who": "invoke-async"}))
    assert answer["Status"] == 202
    assert any(
        "got invoke-async" in m
        for m in log_messages(logs, f"/aws/lambda/{name}", "got invoke-async", wait=20)
    )


def test_invoke_async_refuses_more_than_256_kb(functions: Functions, lam: Any) -> None:
    name = functions.python("def handler(event, context):\n    return None\n")
    over = json.dumps("x" * 262144)
    code, status, message, _ = error_of(lam.invoke_async, FunctionName=name, InvokeArgs=over)
    assert (code, status) == ("RequestEntityTooLargeException", 413)
    assert message == "Request must be smaller than 262144 bytes for the InvokeAsync operation"
    assert lam.invoke_async(FunctionName=name, InvokeArgs=json.dumps("y" * 262000))["Status"] == 202
