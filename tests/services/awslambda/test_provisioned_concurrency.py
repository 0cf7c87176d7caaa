"""Provisioned concurrency through the API: on versions and aliases only, AWS's errors,
the account's unreserved minimum, the function's reservation, and IAM authorization.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import Functions, error_of, lambda_client_allowed

SOURCE = "def handler(event, context):\n    return {'ok': True}\n"


def _published(functions: Functions, lam: Any) -> tuple[str, str]:
    name = functions.python(SOURCE)
    return name, lam.publish_version(FunctionName=name)["Version"]


def test_a_version_gets_a_configuration_that_is_ready_once_stored(functions: Functions, lam: Any) -> None:
    name, version = _published(functions, lam)
    put = lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=2
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert (put["Status"], put["RequestedProvisionedConcurrentExecutions"]) == ("IN_PROGRESS", 2)
    got = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    assert got["Status"] == "READY"
    assert got["RequestedProvisionedConcurrentExecutions"] == 2
    assert got["AllocatedProvisionedConcurrentExecutions"] == 2
    assert got["AvailableProvisionedConcurrentExecutions"] == 2
    assert got["LastModified"] == put["LastModified"]


def test_latest_is_refused_with_aws_wording(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert error_of(
        lam.put_provisioned_concurrency_config,
        FunctionName=name,
        Qualifier="$LATEST",
        ProvisionedConcurrentExecutions=1,
    )[:3] == (
        "InvalidParameterValueException",
        400,
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
    )
    for call in (lam.get_provisioned_concurrency_config, lam.delete_provisioned_concurrency_config):
        assert error_of(call, FunctionName=name, Qualifier="$LATEST")[:3] == (
            "InvalidParameterValueException",
            400,
            "The function resource provided must be an alias or a published version.",
        )


def test_get_of_a_version_without_one_is_provisioned_concurrency_config_not_found(
    functions: Functions, lam: Any
) -> None:
    name, version = _published(functions, lam)
    assert error_of(lam.get_provisioned_concurrency_config, FunctionName=name, Qualifier=version)[:3] == (
        "ProvisionedConcurrencyConfigNotFoundException",
        404,
        "No Provisioned Concurrency Config found for this function",
    )


def test_a_missing_version_or_alias_is_resource_not_found(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    arn = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}"
    assert error_of(
        lam.put_provisioned_concurrency_config,
        FunctionName=name,
        Qualifier="7",
        ProvisionedConcurrentExecutions=1,
    )[:3] == ("ResourceNotFoundException", 404, f"Function not found: {arn}:7")
    assert error_of(
        lam.put_provisioned_concurrency_config,
        FunctionName=name,
        Qualifier="live",
        ProvisionedConcurrentExecutions=1,
    )[:3] == ("ResourceNotFoundException", 404, f"Cannot find alias arn: {arn}:live")


def test_list_names_each_qualifier_and_delete_removes_one(functions: Functions, lam: Any) -> None:
    name, version = _published(functions, lam)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    lam.update_function_configuration(FunctionName=name, Description="second")
    second = lam.publish_version(FunctionName=name)["Version"]
    lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=second, ProvisionedConcurrentExecutions=3
    )
    listed = lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]
    arn = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}"
    assert sorted(
        (c["FunctionArn"], c["RequestedProvisionedConcurrentExecutions"], c["Status"]) for c in listed
    ) == sorted([(f"{arn}:live", 1, "READY"), (f"{arn}:{second}", 3, "READY")])
    delete = lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    assert delete["ResponseMetadata"]["HTTPStatusCode"] == 204
    listed = lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"]
    assert [c["FunctionArn"] for c in listed] == [f"{arn}:{second}"]


def test_a_version_cannot_be_provisioned_both_directly_and_through_an_alias(
    functions: Functions, lam: Any
) -> None:
    name, version = _published(functions, lam)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    assert error_of(
        lam.put_provisioned_concurrency_config,
        FunctionName=name,
        Qualifier="live",
        ProvisionedConcurrentExecutions=1,
    )[:3] == (
        "ResourceConflictException",
        409,
        "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
    )
    lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier=version)
    lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    assert error_of(
        lam.put_provisioned_concurrency_config,
        FunctionName=name,
        Qualifier=version,
        ProvisionedConcurrentExecutions=1,
    )[:3] == ("ResourceConflictException", 409, "Version is pointed by a Provisioned Concurrency alias")


def test_provisioned_executions_leave_the_unreserved_minimum_of_100(functions: Functions, lam: Any) -> None:
    name, version = _published(functions, lam)
    unreserved = lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    assert error_of(
        lam.put_provisioned_concurrency_config,
        FunctionName=name,
        Qualifier=version,
        ProvisionedConcurrentExecutions=unreserved - 99,
    )[:3] == (
        "InvalidParameterValueException",
        400,
        "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below "
        "its minimum value of [100].",
    )
    lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=5
    )
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == unreserved - 5


def test_a_reserved_function_provisions_within_its_reservation(functions: Functions, lam: Any) -> None:
    name, version = _published(functions, lam)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=4)
    assert error_of(
        lam.put_provisioned_concurrency_config,
        FunctionName=name,
        Qualifier=version,
        ProvisionedConcurrentExecutions=5,
    )[:3] == (
        "InvalidParameterValueException",
        400,
        "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function",
    )
    assert (
        lam.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=4
        )["Status"]
        == "IN_PROGRESS"
    )


def test_deleting_a_version_deletes_its_configuration(functions: Functions, lam: Any) -> None:
    name, version = _published(functions, lam)
    lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    lam.delete_function(FunctionName=name, Qualifier=version)
    assert lam.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"] == []


def test_each_operation_is_authorized_as_its_own_iam_action(
    server: ServerProcess, functions: Functions, lam: Any
) -> None:
    name, version = _published(functions, lam)
    lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=1
    )
    # Reads are allowed, writes are not: each call is checked as lambda:<its operation>.
    theirs = lambda_client_allowed(
        server, ["lambda:GetProvisionedConcurrencyConfig", "lambda:ListProvisionedConcurrencyConfigs"]
    )
    assert (
        theirs.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)["Status"] == "READY"
    )
    assert (
        len(theirs.list_provisioned_concurrency_configs(FunctionName=name)["ProvisionedConcurrencyConfigs"])
        == 1
    )
    for action, call, extra in (
        (
            "PutProvisionedConcurrencyConfig",
            theirs.put_provisioned_concurrency_config,
            {"ProvisionedConcurrentExecutions": 2},
        ),
        ("DeleteProvisionedConcurrencyConfig", theirs.delete_provisioned_concurrency_config, {}),
    ):
        code, status, message, _ = error_of(call, FunctionName=name, Qualifier=version, **extra)
        assert (code, status) == ("AccessDeniedException", 403)
        assert f"is not authorized to perform: lambda:{action}" in message
    assert (
        lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=version)[
            "RequestedProvisionedConcurrentExecutions"
        ]
        == 1
    )
