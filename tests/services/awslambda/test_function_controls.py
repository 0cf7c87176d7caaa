"""Recursive loop detection and runtime management configurations through the API:
defaults, what each accepts and refuses, per-version settings, and IAM authorization.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import Functions, error_of, lambda_client_allowed

SOURCE = "def handler(event, context):\n    return 1\n"
RUNTIME_VERSION = (
    "arn:aws:lambda:us-east-1::runtime:0f31ef5a5a4ef5ffc5b4fd6c4ed1a6d2a3d1bd3c9c5f1b0ae8b8b4f5cbd4d5e6"
)


def test_recursive_loops_are_terminated_unless_allowed(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Terminate"
    assert (
        lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")["RecursiveLoop"]
        == "Allow"
    )
    assert lam.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Allow"


def test_recursion_config_refuses_a_value_outside_the_enum(
    server: ServerProcess, functions: Functions
) -> None:
    name = functions.python(SOURCE)
    raw: Any = server.client("lambda", parameter_validation=False)
    code, status, message, _ = error_of(
        raw.put_function_recursion_config, FunctionName=name, RecursiveLoop="Never"
    )
    assert (code, status) == ("ValidationException", 400)
    assert "Member must satisfy enum value set: [Allow, Terminate]" in message


def test_recursion_config_of_a_missing_function_is_resource_not_found(lam: Any) -> None:
    assert error_of(lam.get_function_recursion_config, FunctionName="no-such-fn-h19")[:3] == (
        "ResourceNotFoundException",
        404,
        f"Function not found: arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:no-such-fn-h19",
    )


def test_runtime_updates_are_automatic_by_default(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    got = lam.get_runtime_management_config(FunctionName=name)
    assert got["UpdateRuntimeOn"] == "Auto"
    assert got["FunctionArn"] == f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}"
    assert "RuntimeVersionArn" not in got


def test_manual_mode_pins_a_runtime_version_and_requires_one(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    code, status, _, _ = error_of(
        lam.put_runtime_management_config, FunctionName=name, UpdateRuntimeOn="Manual"
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    put = lam.put_runtime_management_config(
        FunctionName=name, UpdateRuntimeOn="Manual", RuntimeVersionArn=RUNTIME_VERSION
    )
    assert (put["UpdateRuntimeOn"], put["RuntimeVersionArn"]) == ("Manual", RUNTIME_VERSION)
    got = lam.get_runtime_management_config(FunctionName=name)
    assert (got["UpdateRuntimeOn"], got["RuntimeVersionArn"]) == ("Manual", RUNTIME_VERSION)


def test_a_runtime_version_arn_is_refused_outside_manual_mode(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    code, status, _, _ = error_of(
        lam.put_runtime_management_config,
        FunctionName=name,
        UpdateRuntimeOn="Auto",
        RuntimeVersionArn=RUNTIME_VERSION,
    )
    assert (code, status) == ("InvalidParameterValueException", 400)


def test_each_version_has_its_own_runtime_management(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    version = lam.publish_version(FunctionName=name)["Version"]
    put = lam.put_runtime_management_config(
        FunctionName=name, Qualifier=version, UpdateRuntimeOn="FunctionUpdate"
    )
    assert put["FunctionArn"] == f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}:{version}"
    assert (
        lam.get_runtime_management_config(FunctionName=name, Qualifier=version)["UpdateRuntimeOn"]
        == "FunctionUpdate"
    )
    assert lam.get_runtime_management_config(FunctionName=name)["UpdateRuntimeOn"] == "Auto"
    assert error_of(lam.get_runtime_management_config, FunctionName=name, Qualifier="9")[:2] == (
        "ResourceNotFoundException",
        404,
    )


def test_each_operation_is_authorized_as_its_own_iam_action(
    server: ServerProcess, functions: Functions
) -> None:
    name = functions.python(SOURCE)
    theirs = lambda_client_allowed(server, ["lambda:GetFunctionRecursionConfig", "lambda:GetRuntimeManagementConfig"])
    assert theirs.get_function_recursion_config(FunctionName=name)["RecursiveLoop"] == "Terminate"
    assert theirs.get_runtime_management_config(FunctionName=name)["UpdateRuntimeOn"] == "Auto"
    for action, call, params in (
        ("PutFunctionRecursionConfig", theirs.put_function_recursion_config, {"RecursiveLoop": "Allow"}),
        ("PutRuntimeManagementConfig", theirs.put_runtime_management_config, {"UpdateRuntimeOn": "Auto"}),
    ):
        code, status, message, _ = error_of(call, FunctionName=name, **params)
        assert (code, status) == ("AccessDeniedException", 403)
        assert f"is not authorized to perform: lambda:{action}" in message
