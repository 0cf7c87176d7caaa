"""AWS_LAMBDA_EXEC_WRAPPER: a managed runtime starts through the wrapper script it names, which
gets the runtime's command as its arguments; a wrapper that does not exist ends the runtime."""

from __future__ import annotations

from typing import Any

from tests.services.awslambda.support import Functions, invoke

APP = "import os\ndef handler(event, context):\n    return os.environ.get('WRAPPED')\n"
WRAPPER = '#!/bin/sh\nexport WRAPPED="by the wrapper"\nexec "$@"\n'


def test_the_runtime_starts_through_the_wrapper(functions: Functions, lam: Any) -> None:
    name = functions.create(
        {"app.py": APP, "wrapper.sh": WRAPPER},
        executable=("wrapper.sh",),
        Environment={"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/var/task/wrapper.sh"}},
    )
    answer = invoke(lam, name, tail=False)
    assert answer.function_error is None
    assert answer.payload == "by the wrapper"


def test_a_missing_wrapper_ends_the_runtime_with_status_127(functions: Functions, lam: Any) -> None:
    name = functions.python(APP, Environment={"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "/idontexist.sh"}})
    answer = invoke(lam, name, tail=False)
    assert answer.function_error == "Unhandled"
    assert answer.payload == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {answer.request_id} Error: Runtime exited with error: exit status 127",
    }
