"""The function's environment records where it runs: PWD is the task root, as AWS's bootstrap sets it."""

from __future__ import annotations

from typing import Any

from tests.services.awslambda.support import Functions, invoke

SOURCE = """
import os
def handler(event, context):
    return {"PWD": os.environ.get("PWD"), "cwd": os.getcwd(), "root": os.environ["LAMBDA_TASK_ROOT"]}
"""


def test_pwd_is_the_task_root_the_function_runs_in(functions: Functions, lam: Any) -> None:
    seen = invoke(lam, functions.python(SOURCE), tail=False).payload
    assert seen["PWD"] == seen["cwd"] == seen["root"]
