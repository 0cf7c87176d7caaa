"""The function's code is in /var/task, as in AWS: the task root it starts in (PWD and the working
directory say so, as AWS's bootstrap sets them), read-only, reached by absolute path, and named so
in its stack traces (floci-io/floci#3314 records AWS's `File "/var/task/app.py"`)."""

from __future__ import annotations

from typing import Any

from tests.services.awslambda.support import Functions, invoke

SOURCE = """
import errno, os
def handler(event, context):
    try:
        open("/var/task/written", "w")
        refused = None
    except OSError as exc:
        refused = errno.errorcode[exc.errno]
    with open("/var/task/data.txt") as data:
        packaged = data.read()
    return {
        "PWD": os.environ.get("PWD"), "cwd": os.getcwd(), "root": os.environ["LAMBDA_TASK_ROOT"],
        "packaged": packaged, "write": refused, "var_tmp": os.path.isdir("/var/tmp"),
    }
"""


def test_the_code_is_in_var_task_where_the_function_starts(functions: Functions, lam: Any) -> None:
    name = functions.create({"app.py": SOURCE, "data.txt": "bundled"})
    seen = invoke(lam, name, tail=False).payload
    assert seen["PWD"] == seen["cwd"] == seen["root"] == "/var/task"
    assert seen["packaged"] == "bundled"
    assert seen["write"] == "EROFS"  # AWS: [Errno 30] Read-only file system
    assert seen["var_tmp"] is True  # the rest of /var stays as it was


def test_a_stack_trace_names_the_code_under_var_task(functions: Functions, lam: Any) -> None:
    name = functions.python("def handler(event, context):\n    raise ValueError('boom')\n")
    result = invoke(lam, name)
    assert result.payload["stackTrace"] == [
        '  File "/var/task/app.py", line 2, in handler\n    raise ValueError(\'boom\')\n'
    ]
    assert 'File "/var/task/app.py", line 2, in handler' in result.log


def test_a_node_function_runs_in_var_task_with_the_runtime_in_var_runtime(functions: Functions, lam: Any) -> None:
    """AWS's NODE_PATH, recorded for nodejs12.x-20.x in LocalStack's AWS-validated
    test_lambda_common.snapshot.json (test_introspection_invoke), names /opt's folders even without
    layers, then the runtime's SDK in /var/runtime/node_modules; LAMBDA_RUNTIME_DIR is /var/runtime."""
    source = (
        "exports.handler = async () => ({cwd: process.cwd(), file: __filename, "
        "root: process.env.LAMBDA_TASK_ROOT, runtime: process.env.LAMBDA_RUNTIME_DIR, "
        "nodePath: process.env.NODE_PATH, sdk: require.resolve('@aws-sdk/client-s3')});\n"
    )
    name = functions.create({"index.js": source}, runtime="nodejs20.x", handler="index.handler")
    seen = invoke(lam, name, tail=False).payload
    assert {key: seen[key] for key in ("cwd", "file", "root", "runtime", "nodePath")} == {
        "cwd": "/var/task", "file": "/var/task/index.js", "root": "/var/task", "runtime": "/var/runtime",
        "nodePath": "/opt/nodejs/node20/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:"
        "/var/runtime:/var/task",
    }
    assert seen["sdk"].startswith("/var/runtime/node_modules/@aws-sdk/client-s3/")


def test_the_layer_paths_are_searched_without_layers_too(functions: Functions, lam: Any) -> None:
    """As AWS's LD_LIBRARY_PATH and PATH end with /opt/lib and /opt/bin for any function (LocalStack's
    AWS-validated test_introspection_invoke[python3.11]); /opt is there, empty."""
    source = (
        "import os\ndef handler(event, context):\n"
        "    return [os.environ['LD_LIBRARY_PATH'].split(':')[-1], os.environ['PATH'].split(':')[-1],"
        " os.listdir('/opt'), os.environ['LAMBDA_RUNTIME_DIR']]\n"
    )
    assert invoke(lam, functions.python(source), tail=False).payload == ["/opt/lib", "/opt/bin", [], "/var/runtime"]
