"""Every change to a function holds from the very next Invoke: its policy, its configuration,
its aliases, its concurrency, and its deletion (Invoke reads them through a cache)."""

from __future__ import annotations

from typing import Any

from tests.conftest import ServerProcess
from tests.services.awslambda.support import Functions, error_of, invoke, zipped
from tests.services.iam.support import Caller

ECHO_ENV = "import os\ndef handler(event, context):\n    return {'colour': os.environ.get('COLOUR')}\n"
SAYS = "def handler(event, context):\n    return {'says': 'WORD'}\n"


def test_add_and_remove_permission_hold_from_the_next_invoke(
    server: ServerProcess, functions: Functions, lam: Any
) -> None:
    name = functions.python(SAYS)
    # No identity policy: only the function's policy may let this caller in.
    caller = Caller(server.endpoint, server.client("iam"))
    theirs = caller.client("lambda")
    assert error_of(theirs.invoke, FunctionName=name)[:2] == ("AccessDeniedException", 403)
    lam.add_permission(
        FunctionName=name, StatementId="caller", Action="lambda:InvokeFunction", Principal=caller.arn
    )
    assert invoke(theirs, name).payload == {"says": "WORD"}
    assert invoke(theirs, name).payload == {"says": "WORD"}
    lam.remove_permission(FunctionName=name, StatementId="caller")
    assert error_of(theirs.invoke, FunctionName=name)[:2] == ("AccessDeniedException", 403)


def test_a_configuration_update_holds_from_the_next_invoke(functions: Functions, lam: Any) -> None:
    name = functions.python(ECHO_ENV, Environment={"Variables": {"COLOUR": "red"}})
    assert invoke(lam, name).payload == {"colour": "red"}
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"COLOUR": "blue"}})
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    assert invoke(lam, name).payload == {"colour": "blue"}


def test_an_alias_moved_to_another_version_runs_it_from_the_next_invoke(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SAYS.replace("WORD", "one"))
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert invoke(lam, name, Qualifier="live").payload == {"says": "one"}
    lam.update_function_code(FunctionName=name, ZipFile=_package(SAYS.replace("WORD", "two")), Publish=True)
    lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
    answer = invoke(lam, name, Qualifier="live")
    assert answer.payload == {"says": "two"} and answer.response["ExecutedVersion"] == "2"
    lam.delete_alias(FunctionName=name, Name="live")
    assert error_of(lam.invoke, FunctionName=name, Qualifier="live")[:2] == ("ResourceNotFoundException", 404)


def test_reserved_concurrency_of_zero_throttles_the_next_invoke_of_any_version(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SAYS)
    lam.publish_version(FunctionName=name)
    assert invoke(lam, name, Qualifier="1").payload == {"says": "WORD"}
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    assert error_of(lam.invoke, FunctionName=name, Qualifier="1")[:2] == ("TooManyRequestsException", 429)
    assert error_of(lam.invoke, FunctionName=name)[:2] == ("TooManyRequestsException", 429)
    lam.delete_function_concurrency(FunctionName=name)
    assert invoke(lam, name, Qualifier="1").payload == {"says": "WORD"}


def test_a_deleted_function_is_gone_and_one_created_again_under_its_name_runs_its_own_code(
    functions: Functions, lam: Any, role: str
) -> None:
    name = functions.python(SAYS.replace("WORD", "first"))
    assert invoke(lam, name).payload == {"says": "first"}
    lam.delete_function(FunctionName=name)
    assert error_of(lam.invoke, FunctionName=name)[:2] == ("ResourceNotFoundException", 404)
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": _package(SAYS.replace("WORD", "second"))},
    )
    assert invoke(lam, name).payload == {"says": "second"}


def _package(source: str) -> bytes:
    return zipped({"app.py": source})
