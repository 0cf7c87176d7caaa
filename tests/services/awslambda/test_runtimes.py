"""Runtimes other than Python: nodejs20.x with our Node.js runtime client, and provided.al2023
with a bootstrap of the function's own speaking the Runtime API.
"""

from __future__ import annotations

import json
import re
import shutil
from typing import Any

import pytest

from tests.services.awslambda.support import Functions, invoke

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node")

NODE_APP = """
let count = 0;
exports.handler = async (event, context) => {
  count += 1;
  console.log('hello', event.who, {nested: true});
  if (event.fail) {
    throw new TypeError('bad input: ' + event.fail);
  }
  if (event.sleep) {
    await new Promise((resolve) => setTimeout(resolve, event.sleep));
  }
  return {count, left: context.getRemainingTimeInMillis(), id: context.awsRequestId, fn: context.functionName};
};
exports.callbackStyle = (event, context, callback) => {
  setTimeout(() => callback(null, {via: 'callback', got: event.n}), 10);
};
exports.callbackError = (event, context, callback) => {
  callback(new Error('called back with an error'));
};
"""

ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def test_a_node_function_runs_warm_and_logs_as_aws_node_runtime_does(functions: Functions, lam: Any) -> None:
    name = functions.create({"index.js": NODE_APP}, runtime="nodejs20.x", handler="index.handler")
    first = invoke(lam, name, {"who": "node"})
    assert first.function_error is None, first.raw
    assert first.payload["count"] == 1 and first.payload["id"] == first.request_id and first.payload["fn"] == name
    assert 2000 < first.payload["left"] <= 3000
    line = next(line for line in first.lines() if "hello node" in line)
    assert re.fullmatch(rf"{ISO}\t{first.request_id}\tINFO\thello node {{ nested: true }}", line)
    assert "Init Duration" in first.report()
    second = invoke(lam, name, {"who": "again"})
    assert second.payload["count"] == 2 and "Init Duration" not in second.report()


def test_a_node_callback_handler(functions: Functions, lam: Any) -> None:
    name = functions.create({"index.js": NODE_APP}, runtime="nodejs20.x", handler="index.callbackStyle")
    assert invoke(lam, name, {"n": 3}).payload == {"via": "callback", "got": 3}
    failing = functions.create({"index.js": NODE_APP}, runtime="nodejs20.x", handler="index.callbackError")
    result = invoke(lam, failing)
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "Error" and result.payload["errorMessage"] == "called back with an error"


def test_a_node_error_is_reported_as_aws_node_runtime_does(functions: Functions, lam: Any) -> None:
    name = functions.create({"index.js": NODE_APP}, runtime="nodejs20.x", handler="index.handler")
    result = invoke(lam, name, {"fail": "x"})
    assert result.function_error == "Unhandled"
    body = result.payload
    assert set(body) == {"errorType", "errorMessage", "trace"}
    assert body["errorType"] == "TypeError" and body["errorMessage"] == "bad input: x"
    assert body["trace"][0] == "TypeError: bad input: x"
    assert "index.js" in body["trace"][1]
    line = next(line for line in result.lines() if "Invoke Error" in line)
    assert re.fullmatch(rf"{ISO}\t{result.request_id}\tERROR\tInvoke Error \t\{{.*\}}", line)
    logged = json.loads(line.split("Invoke Error \t", 1)[1])
    assert logged["errorType"] == "TypeError" and logged["errorMessage"] == "bad input: x"
    assert logged["stack"][0] == "TypeError: bad input: x"
    assert invoke(lam, name, {}).payload["count"] == 2  # still warm


def test_a_node_function_past_its_timeout(functions: Functions, lam: Any) -> None:
    name = functions.create({"index.js": NODE_APP}, runtime="nodejs20.x", handler="index.handler", timeout=1)
    result = invoke(lam, name, {"sleep": 5000})
    assert result.payload == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {result.request_id} Error: Task timed out after 1.00 seconds",
    }
    assert result.report().rstrip().endswith("Status: timeout")
    again = invoke(lam, name, {})  # the runtime is initialised again (its count starts over), no Init Duration
    assert again.payload["count"] == 1 and "Init Duration" not in again.report()


def test_node_init_errors(functions: Functions, lam: Any) -> None:
    missing_module = functions.create({"index.js": NODE_APP}, runtime="nodejs20.x", handler="nothere.handler", timeout=20)
    result = invoke(lam, missing_module)
    assert result.elapsed < 5
    assert result.payload["errorType"] == "Runtime.ImportModuleError"
    assert result.payload["errorMessage"].startswith("Error: Cannot find module 'nothere'")
    assert result.payload["trace"][0].startswith("Runtime.ImportModuleError: Error: Cannot find module 'nothere'")
    assert any(re.match(rf"{ISO}\tundefined\tERROR\tUncaught Exception \t\{{\"errorType\":\"Runtime.ImportModuleError\"", line)
               for line in result.lines())
    missing_handler = functions.create({"index.js": NODE_APP}, runtime="nodejs20.x", handler="index.nope")
    result = invoke(lam, missing_handler)
    assert result.payload["errorType"] == "Runtime.HandlerNotFound"
    assert result.payload["errorMessage"] == "index.nope is undefined or not exported"


def test_a_node_es_module_handler(functions: Functions, lam: Any) -> None:
    name = functions.create({"index.mjs": "export const handler = async (event) => ({esm: true, n: event.n});\n"},
                            runtime="nodejs20.x", handler="index.handler")
    assert invoke(lam, name, {"n": 1}).payload == {"esm": True, "n": 1}


BASH_BOOTSTRAP = """#!/bin/bash
set -euo pipefail
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
echo "bootstrap started for $_HANDLER"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
  ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  echo "got $EVENT"
  curl -sS -X POST "$API/invocation/$ID/response" -d "{\\"echo\\": $EVENT, \\"handler\\": \\"$_HANDLER\\"}" > /dev/null
done
"""

PYTHON_BOOTSTRAP = """#!/usr/bin/env python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
while True:
    with urllib.request.urlopen(api + "/invocation/next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(r.read())
    print("python bootstrap got", event, flush=True)
    if event.get("fail"):
        body, path = {"errorType": "Custom.Failure", "errorMessage": "asked to fail"}, "/error"
    else:
        body, path = {"echo": event}, "/response"
    urllib.request.urlopen(urllib.request.Request(api + "/invocation/" + rid + path, json.dumps(body).encode(), method="POST")).read()
"""


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_a_provided_al2023_function_with_a_bash_bootstrap(functions: Functions, lam: Any) -> None:
    name = functions.create({"bootstrap": BASH_BOOTSTRAP}, runtime="provided.al2023", handler="my.handler",
                            executable=("bootstrap",))
    result = invoke(lam, name, {"a": 1})
    assert result.function_error is None, result.raw
    assert result.payload == {"echo": {"a": 1}, "handler": "my.handler"}
    assert "bootstrap started for my.handler" in result.lines()
    assert invoke(lam, name, {"b": 2}).payload["echo"] == {"b": 2}


def test_a_provided_al2023_function_with_a_python_bootstrap(functions: Functions, lam: Any) -> None:
    # No mode recorded in the zip: Lambda still runs a file named bootstrap.
    name = functions.create({"bootstrap": PYTHON_BOOTSTRAP}, runtime="provided.al2023", handler="unused")
    assert invoke(lam, name, {"x": 1}).payload == {"echo": {"x": 1}}
    failed = invoke(lam, name, {"fail": True})
    assert failed.function_error == "Unhandled"
    assert failed.payload == {"errorType": "Custom.Failure", "errorMessage": "asked to fail"}
