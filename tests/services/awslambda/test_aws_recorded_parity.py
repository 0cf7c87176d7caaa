"""Lambda's API answered as AWS answered LocalStack's AWS-validated API tests
(tests/aws/services/lambda_/test_lambda_api.py and its snapshot): status codes, error
codes and wording for missing or misnamed functions, versions and aliases, Coral's
validation messages for maps and lists, permissions, tags, event invoke
configurations, concurrency, function URLs, event source mappings and SnapStart.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import Functions, error_of, unique, zipped

SOURCE = "def handler(event, context):\n    return event\n"
ARN = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function"


@pytest.fixture(scope="module")
def unchecked(server: ServerProcess) -> Any:
    """A Lambda client that sends what botocore would refuse, as AWS's tests do."""
    return server.client("lambda", parameter_validation=False)


def _published(functions: Functions, lam: Any) -> str:
    name = functions.python(SOURCE)
    lam.publish_version(FunctionName=name)
    return name


def _allow_invoking(server: ServerProcess, role: str, target: str) -> None:
    """Destinations are checked as the execution role: let it invoke `target`."""
    allow = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": target}],
    }
    iam: Any = server.client("iam")
    iam.put_role_policy(
        RoleName=role.split("/")[-1], PolicyName=unique("dest"), PolicyDocument=json.dumps(allow)
    )


# -- functions and versions ----------------------------------------------------------------------


def test_delete_function_answers_204(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert lam.delete_function(FunctionName=name)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_deleting_a_version_that_is_not_there_is_no_error(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert (
        lam.delete_function(FunctionName=name, Qualifier="1233")["ResponseMetadata"]["HTTPStatusCode"] == 204
    )
    assert lam.get_function(FunctionName=name)["Configuration"]["FunctionName"] == name


def test_a_missing_function_asked_for_as_latest_is_named_with_it(lam: Any) -> None:
    name = unique("missing")
    assert error_of(lam.get_function, FunctionName=f"{ARN}:{name}:$LATEST", Qualifier="$LATEST")[:3] == (
        "ResourceNotFoundException",
        404,
        f"Function not found: {ARN}:{name}:$LATEST",
    )


def test_an_arn_of_another_region_is_not_reachable(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    other = f"arn:aws:lambda:eu-central-1:{ROOT_ACCOUNT}:function:{name}"
    assert error_of(lam.get_function, FunctionName=other)[:3] == (
        "ResourceNotFoundException",
        404,
        "Functions from 'eu-central-1' are not reachable in this region ('us-east-1')",
    )


def test_a_function_name_longer_than_64_is_an_invalid_parameter(lam: Any, role: str) -> None:
    name = "a" * 65
    code, status, message, _ = error_of(
        lam.create_function,
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": zipped({"app.py": SOURCE})},
    )
    assert (code, status, message) == (
        "InvalidParameterValueException",
        400,
        f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64",
    )


def test_creating_a_function_in_another_account_is_denied(lam: Any, role: str) -> None:
    code, status, _, _ = error_of(
        lam.create_function,
        FunctionName=f"arn:aws:lambda:us-east-1:123456789012:function:{unique('other')}",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": zipped({"app.py": SOURCE})},
    )
    assert (code, status) == ("AccessDeniedException", 403)


def test_create_with_publish_answers_the_version_under_the_functions_arn(
    functions: Functions, lam: Any, role: str
) -> None:
    name = unique("pub")
    created = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": zipped({"app.py": SOURCE})},
        Publish=True,
    )
    functions.created.append(name)
    assert (created["FunctionArn"], created["Version"], created["State"]) == (f"{ARN}:{name}", "1", "Pending")


def test_update_code_with_publish_answers_the_new_version_as_pending(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    updated = lam.update_function_code(
        FunctionName=name, ZipFile=zipped({"app.py": SOURCE + "# 2\n"}), Publish=True
    )
    assert (updated["FunctionArn"], updated["State"], updated["StateReasonCode"]) == (
        f"{ARN}:{name}:1",
        "Pending",
        "Creating",
    )
    assert "LastUpdateStatus" not in updated


def test_bad_architectures_are_reported_as_the_list(lam: Any, role: str) -> None:
    args = {
        "FunctionName": unique("arch"),
        "Runtime": "python3.12",
        "Role": role,
        "Handler": "app.handler",
        "Code": {"ZipFile": zipped({"app.py": SOURCE})},
    }
    assert error_of(lam.create_function, **args, Architectures=["X86_64"])[2] == (
        "1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"
    )
    assert error_of(lam.create_function, **args, Architectures=["x86_64", "arm64"])[2] == (
        "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: "
        "Member must have length less than or equal to 1"
    )


# -- aliases -------------------------------------------------------------------------------------


def test_an_alias_of_a_missing_function_names_the_version(lam: Any) -> None:
    name = unique("missing")
    assert error_of(lam.create_alias, FunctionName=name, Name="live", FunctionVersion="1")[:3] == (
        "ResourceNotFoundException",
        404,
        f"Function not found: {ARN}:{name}:1",
    )


def test_a_routing_weight_out_of_range_is_reported_for_the_map(functions: Functions, unchecked: Any) -> None:
    name = _published(functions, unchecked)
    code, status, message, _ = error_of(
        unchecked.create_alias,
        FunctionName=name,
        Name="custom",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 2}},
    )
    assert (code, status, message) == (
        "ValidationException",
        400,
        "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to "
        "satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
        "Member must have value greater than or equal to 0.0, Member must not be null]",
    )


def test_a_routing_key_that_is_not_a_version_is_reported_for_the_map(
    functions: Functions, unchecked: Any
) -> None:
    name = _published(functions, unchecked)
    message = error_of(
        unchecked.create_alias,
        FunctionName=name,
        Name="custom",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"$LATEST": 0.5}},
    )[2]
    assert message == (
        "1 validation error detected: Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to "
        "satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, "
        "Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+, "
        "Member must not be null]"
    )


def test_routing_from_latest_is_refused_without_a_type(functions: Functions, lam: Any) -> None:
    name = _published(functions, lam)
    code, status, message, response = error_of(
        lam.create_alias,
        FunctionName=name,
        Name="custom",
        FunctionVersion="$LATEST",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
    )
    assert (code, status, message) == (
        "InvalidParameterValueException",
        400,
        "$LATEST is not supported for an alias pointing to more than 1 version",
    )
    assert "Type" not in response


# -- tags ----------------------------------------------------------------------------------------


def test_tags_on_a_version_are_refused_in_awss_words(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert error_of(lam.tag_resource, Resource=f"{ARN}:{name}:$LATEST", Tags={"a": "b"})[:3] == (
        "InvalidParameterValueException",
        400,
        "Tags on function aliases and versions are not supported. Please specify a function ARN.",
    )


def test_tagging_with_no_tags_is_an_invalid_parameter(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert error_of(lam.tag_resource, Resource=f"{ARN}:{name}", Tags={})[:3] == (
        "InvalidParameterValueException",
        400,
        "An error occurred and the request cannot be processed.",
    )


def test_a_function_holds_at_most_50_tags(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    lam.tag_resource(Resource=f"{ARN}:{name}", Tags={f"{k}_key": f"{k}_value" for k in range(50)})
    assert error_of(lam.tag_resource, Resource=f"{ARN}:{name}", Tags={"one": "more"})[:3] == (
        "InvalidParameterValueException",
        400,
        "Number of tags exceeds resource tag limit.",
    )


# -- function URL configurations ------------------------------------------------------------------


def test_a_url_config_of_a_missing_function_is_worded_per_operation(lam: Any) -> None:
    name = unique("missing")
    for call in (lam.get_function_url_config, lam.delete_function_url_config):
        assert error_of(call, FunctionName=name)[:3] == (
            "ResourceNotFoundException",
            404,
            "The resource you requested does not exist.",
        )
    assert error_of(lam.create_function_url_config, FunctionName=name, AuthType="NONE")[:3] == (
        "ResourceNotFoundException",
        404,
        "Function does not exist",
    )


# -- permissions ---------------------------------------------------------------------------------


def test_a_principal_that_is_no_account_arn_or_service_is_invalid(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert error_of(
        lam.add_permission,
        FunctionName=name,
        StatementId="x",
        Action="lambda:InvokeFunction",
        Principal="invalid.nonaws.com",
    )[:3] == (
        "InvalidParameterValueException",
        400,
        "The provided principal was invalid. Please check the principal and try again.",
    )


def test_the_policy_of_a_missing_version_does_not_exist(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert error_of(lam.get_policy, FunctionName=name, Qualifier="77")[:3] == (
        "ResourceNotFoundException",
        404,
        "The resource you requested does not exist.",
    )


def test_removing_a_permission_without_any_policy(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert error_of(lam.remove_permission, FunctionName=name, StatementId="s3")[:3] == (
        "ResourceNotFoundException",
        404,
        "No policy is associated with the given resource.",
    )
    missing = unique("missing")
    assert error_of(lam.remove_permission, FunctionName=missing, StatementId="s3")[:3] == (
        "ResourceNotFoundException",
        404,
        f"No policy found for: {ARN}:{missing}",
    )


def test_a_permission_for_a_missing_alias_cannot_find_the_alias(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert error_of(
        lam.add_permission,
        FunctionName=f"{name}:alias-doesnotexist",
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )[:3] == ("ResourceNotFoundException", 404, f"Cannot find alias arn: {ARN}:{name}:alias-doesnotexist")


def test_an_alexa_skill_token_becomes_a_condition(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    token = "amzn1.ask.skill.xxxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
    statement = json.loads(
        lam.add_permission(
            FunctionName=name,
            StatementId="alexaSkill",
            Action="lambda:InvokeFunction",
            Principal="*",
            EventSourceToken=token,
        )["Statement"]
    )
    assert statement["Condition"] == {"StringEquals": {"lambda:EventSourceToken": token}}


# -- event invoke configurations -----------------------------------------------------------------


def test_an_event_invoke_config_reports_both_destination_sides(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    put = lam.put_function_event_invoke_config(FunctionName=name, DestinationConfig={"OnSuccess": {}})
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {}}


def test_a_destination_of_another_service_names_the_whole_configuration(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SOURCE)
    target = f"arn:aws:iam:us-east-1:{ROOT_ACCOUNT}:function:{name}"
    assert error_of(
        lam.put_function_event_invoke_config,
        FunctionName=name,
        DestinationConfig={"OnSuccess": {"Destination": target}},
    )[:3] == (
        "InvalidParameterValueException",
        400,
        f"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination={target}), "
        "onFailure=null) is invalid.",
    )


def test_a_missing_destination_function_is_an_invalid_destination(
    functions: Functions, lam: Any, server: ServerProcess
) -> None:
    name = functions.python(SOURCE)
    target = f"{ARN}:{unique('nowhere')}"
    _allow_invoking(server, functions.role, target)
    assert error_of(
        lam.put_function_event_invoke_config,
        FunctionName=name,
        DestinationConfig={"OnSuccess": {"Destination": target}},
    )[:3] == ("InvalidParameterValueException", 400, f"The destination ARN {target} is invalid.")


# -- concurrency ---------------------------------------------------------------------------------


def test_reserving_concurrency_for_a_missing_function_names_latest(lam: Any) -> None:
    name = unique("missing")
    assert error_of(lam.put_function_concurrency, FunctionName=name, ReservedConcurrentExecutions=1)[:3] == (
        "ResourceNotFoundException",
        404,
        f"Function not found: {ARN}:{name}:$LATEST",
    )


def test_the_unreserved_minimum_is_refused_without_a_type(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    limit = lam.get_account_settings()["AccountLimit"]["ConcurrentExecutions"]
    code, status, message, response = error_of(
        lam.put_function_concurrency, FunctionName=name, ReservedConcurrentExecutions=limit
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith("Specified ReservedConcurrentExecutions for function decreases account's")
    assert "Type" not in response


def test_provisioned_concurrency_of_a_missing_function_names_its_qualifier(lam: Any) -> None:
    name = unique("missing")
    assert error_of(lam.get_provisioned_concurrency_config, FunctionName=name, Qualifier="noalias")[:3] == (
        "ResourceNotFoundException",
        404,
        f"Cannot find alias arn: {ARN}:{name}:noalias",
    )
    assert error_of(lam.delete_provisioned_concurrency_config, FunctionName=name, Qualifier="1")[:3] == (
        "ResourceNotFoundException",
        404,
        f"Function not found: {ARN}:{name}:1",
    )


# -- event source mappings, code signing, SnapStart ----------------------------------------------


def test_a_mapping_without_an_event_source_is_unrecognized(unchecked: Any) -> None:
    assert error_of(unchecked.create_event_source_mapping, FunctionName="doesnotexist")[:3] == (
        "InvalidParameterValueException",
        400,
        "Unrecognized event source.",
    )


def test_a_mapping_to_a_missing_function_is_an_invalid_parameter(lam: Any) -> None:
    assert error_of(
        lam.create_event_source_mapping,
        FunctionName=unique("missing"),
        EventSourceArn="arn:aws:sqs:us-east-1:111111111111:somequeue",
    )[:3] == ("InvalidParameterValueException", 400, "Function does not exist")


def test_a_missing_code_signing_config_is_not_found_without_a_type(lam: Any) -> None:
    arn = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:code-signing-config:csc-0123456789abcdef0"
    code, status, message, response = error_of(lam.get_code_signing_config, CodeSigningConfigArn=arn)
    assert (code, status, message) == (
        "ResourceNotFoundException",
        404,
        f"The Lambda code signing configuration {arn} can not be found.",
    )
    assert "Type" not in response


def test_snap_start_is_refused_for_a_runtime_without_it(functions: Functions) -> None:
    code, status, message, _ = error_of(
        functions.python, SOURCE, runtime="python3.11", SnapStart={"ApplyOn": "PublishedVersions"}
    )
    assert (code, status, message) == (
        "InvalidParameterValueException",
        400,
        "python3.11 is not supported for SnapStart enabled functions.",
    )


def test_a_published_snap_start_version_is_optimized(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE, SnapStart={"ApplyOn": "PublishedVersions"})
    assert lam.get_function(FunctionName=name)["Configuration"]["SnapStart"]["OptimizationStatus"] == "Off"
    version = lam.publish_version(FunctionName=name)
    assert version["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}


# -- invoke (test_lambda.py, recorded against AWS in 2025) ---------------------------------------


def test_invoking_a_missing_function_names_it_as_latest(lam: Any) -> None:
    name = unique("missing")
    assert error_of(lam.invoke, FunctionName=name, Payload=b"{}")[:3] == (
        "ResourceNotFoundException",
        404,
        f"Function not found: {ARN}:{name}:$LATEST",
    )


def test_a_payload_that_is_not_utf8_is_refused_with_the_source_redacted(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SOURCE)
    assert error_of(lam.invoke, FunctionName=name, Payload=b"n\x87r\x9e\xe9\xb5\xd7I\xee\x9bmt")[:3] == (
        "InvalidRequestContentException",
        400,
        "Could not parse request body into json: Could not parse payload into json: Invalid UTF-8 start byte 0x87\n"
        " at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 3]",
    )


def test_a_payload_starting_with_a_control_byte_is_an_unexpected_character(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SOURCE)
    assert error_of(lam.invoke, FunctionName=name, Payload=b"\x99\xeb,j\x07\xa1zYh")[2] == (
        "Could not parse request body into json: Could not parse payload into json: Unexpected character "
        "((CTRL-CHAR, code 153)): expected a valid value (JSON String, Number, Array, Object or token 'null', "
        "'true' or 'false')\n"
        " at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1]"
    )


def test_a_reservation_below_the_provisioned_executions_is_refused(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier=version, ProvisionedConcurrentExecutions=2
    )
    code, status, message, response = error_of(
        lam.put_function_concurrency, FunctionName=name, ReservedConcurrentExecutions=1
    )
    assert (code, status, message) == (
        "InvalidParameterValueException",
        400,
        " ReservedConcurrentExecutions  1 should not be lower than function's total provisioned concurrency [2].",
    )
    assert "Type" not in response
