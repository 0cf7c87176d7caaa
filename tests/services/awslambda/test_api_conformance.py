"""Lambda's API answered as AWS answers it: response shapes of the configuration,
lists and their paging, error codes and wording for bad input and missing
resources, revision preconditions, aliases' routing, permissions, layers and
their permissions, tags, function URL configurations and the code download.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.request
from typing import Any

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import Functions, error_of, unique, zipped

SOURCE = "def handler(event, context):\n    return event\n"
ARN = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function"


def _args(role: str, **extra: Any) -> dict[str, Any]:
    return {
        "FunctionName": unique("api"),
        "Runtime": "python3.12",
        "Role": role,
        "Handler": "app.handler",
        "Code": {"ZipFile": zipped({"app.py": SOURCE})},
        **extra,
    }


# -- CreateFunction ------------------------------------------------------------------


def test_an_unknown_runtime_is_an_invalid_parameter_naming_the_valid_ones(lam: Any, role: str) -> None:
    code, status, message, _ = error_of(lam.create_function, **_args(role, Runtime="python9.9"))
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith(
        "Value python9.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ["
    )
    assert "python3.12" in message and message.endswith("] or be a valid ARN")


def test_a_role_that_is_not_a_role_arn_fails_the_pattern(lam: Any) -> None:
    code, status, message, _ = error_of(lam.create_function, **_args("not-a-role"))
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith(
        "1 validation error detected: Value 'not-a-role' at 'role' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: arn:"
    )


def test_a_package_that_is_not_a_zip_is_refused(lam: Any, role: str) -> None:
    assert error_of(lam.create_function, **_args(role, Code={"ZipFile": b"plain text"}))[:3] == (
        "InvalidParameterValueException",
        400,
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
    )


def test_create_reports_pending_without_an_update_status(functions: Functions, lam: Any, role: str) -> None:
    created = lam.create_function(**_args(role))
    functions.created.append(created["FunctionName"])
    assert (created["State"], created["StateReason"], created["StateReasonCode"]) == (
        "Pending",
        "The function is being created.",
        "Creating",
    )
    assert "LastUpdateStatus" not in created


# -- GetFunction and the configuration's shape ---------------------------------------------


def test_the_configuration_carries_awss_fields_and_leaves_out_empty_layers(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SOURCE)
    config = lam.get_function(FunctionName=name)["Configuration"]
    assert config["FunctionArn"] == f"{ARN}:{name}" and config["Version"] == "$LATEST"
    assert (config["State"], config["LastUpdateStatus"], config["PackageType"]) == (
        "Active",
        "Successful",
        "Zip",
    )
    assert config["Architectures"] == ["x86_64"] and config["EphemeralStorage"] == {"Size": 512}
    assert config["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}
    assert config["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    assert config["RuntimeVersionConfig"]["RuntimeVersionArn"].startswith(
        "arn:aws:lambda:us-east-1::runtime:"
    )
    assert "Layers" not in config and "Environment" not in config


def test_last_modified_is_in_lambdas_own_format(functions: Functions, lam: Any) -> None:
    modified = lam.get_function_configuration(FunctionName=functions.python(SOURCE))["LastModified"]
    # e.g. 2024-01-02T03:04:05.678+0000
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", modified), modified


def test_code_location_downloads_the_package(functions: Functions, lam: Any) -> None:
    package = zipped({"app.py": SOURCE})
    name = functions.create(code={"ZipFile": package})
    answer = lam.get_function(FunctionName=name)
    assert answer["Code"]["RepositoryType"] == "S3"
    with urllib.request.urlopen(answer["Code"]["Location"]) as response:
        downloaded = response.read()
    assert downloaded == package
    assert (
        answer["Configuration"]["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    )
    assert answer["Configuration"]["CodeSize"] == len(package)


def test_a_qualified_get_answers_with_the_qualified_arn(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert (
        lam.get_function(FunctionName=name, Qualifier="$LATEST")["Configuration"]["FunctionArn"]
        == f"{ARN}:{name}:$LATEST"
    )
    by_alias = lam.get_function_configuration(FunctionName=name, Qualifier="live")
    assert (by_alias["FunctionArn"], by_alias["Version"]) == (f"{ARN}:{name}:live", "1")
    assert (
        lam.get_function(FunctionName=f"{ARN}:{name}:1")["Configuration"]["FunctionArn"] == f"{ARN}:{name}:1"
    )


def test_a_missing_version_is_not_found_with_its_qualified_arn(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert error_of(lam.get_function, FunctionName=name, Qualifier="7")[:3] == (
        "ResourceNotFoundException",
        404,
        f"Function not found: {ARN}:{name}:7",
    )
    assert error_of(lam.invoke, FunctionName=name, Qualifier="nosuchalias")[:3] == (
        "ResourceNotFoundException",
        404,
        f"Function not found: {ARN}:{name}:nosuchalias",
    )


# -- lists and paging ------------------------------------------------------------------------------


def test_list_functions_leaves_out_state_and_pages_with_a_marker(functions: Functions, lam: Any) -> None:
    made = {functions.python(SOURCE) for _ in range(3)}
    seen: list[dict[str, Any]] = []
    answer = lam.list_functions(MaxItems=1)
    while True:
        assert len(answer["Functions"]) <= 1
        seen += answer["Functions"]
        if "NextMarker" not in answer:
            break
        answer = lam.list_functions(MaxItems=1, Marker=answer["NextMarker"])
    mine = [f for f in seen if f["FunctionName"] in made]
    assert len(mine) == 3
    for listed in mine:
        assert (
            "State" not in listed
            and "LastUpdateStatus" not in listed
            and "RuntimeVersionConfig" not in listed
        )
        assert listed["Version"] == "$LATEST"


def test_list_functions_with_all_versions_includes_published_ones(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    lam.publish_version(FunctionName=name)
    everything = [
        f
        for page in lam.get_paginator("list_functions").paginate(FunctionVersion="ALL")
        for f in page["Functions"]
    ]
    assert sorted(f["Version"] for f in everything if f["FunctionName"] == name) == ["$LATEST", "1"]
    # Listing every version, each ARN names its version, $LATEST included; alone, $LATEST's does not.
    assert sorted(f["FunctionArn"] for f in everything if f["FunctionName"] == name) == [
        f"{ARN}:{name}:$LATEST",
        f"{ARN}:{name}:1",
    ]
    latest_only = [f for page in lam.get_paginator("list_functions").paginate() for f in page["Functions"]]
    assert [f["Version"] for f in latest_only if f["FunctionName"] == name] == ["$LATEST"]
    assert [f["FunctionArn"] for f in latest_only if f["FunctionName"] == name] == [f"{ARN}:{name}"]


def test_list_versions_names_each_version_in_its_arn(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Description="second")
    lam.publish_version(FunctionName=name)
    first = lam.list_versions_by_function(FunctionName=name, MaxItems=2)
    rest = lam.list_versions_by_function(FunctionName=name, Marker=first["NextMarker"])
    versions = first["Versions"] + rest["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
    assert [v["FunctionArn"] for v in versions] == [
        f"{ARN}:{name}:$LATEST",
        f"{ARN}:{name}:1",
        f"{ARN}:{name}:2",
    ]
    assert "NextMarker" not in rest and all("State" not in v for v in versions)


# -- versions, revisions and deletion ---------------------------------------------------------------


def test_publishing_without_a_change_returns_the_latest_version(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    lam.add_permission(
        FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"
    )
    assert lam.publish_version(FunctionName=name)["Version"] == "1"
    lam.update_function_configuration(FunctionName=name, Timeout=10)
    assert lam.publish_version(FunctionName=name)["Version"] == "2"


def test_a_stale_revision_id_fails_every_precondition(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    stale = lam.get_function(FunctionName=name)["Configuration"]["RevisionId"]
    lam.update_function_configuration(FunctionName=name, Description="moved on")
    expected = (
        "PreconditionFailedException",
        412,
        "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API "
        "to retrieve the latest Revision Id",
    )
    assert (
        error_of(lam.update_function_configuration, FunctionName=name, Timeout=5, RevisionId=stale)[:3]
        == expected
    )
    assert (
        error_of(
            lam.update_function_code, FunctionName=name, ZipFile=zipped({"app.py": SOURCE}), RevisionId=stale
        )[:3]
        == expected
    )
    assert error_of(lam.publish_version, FunctionName=name, RevisionId=stale)[:3] == expected
    assert (
        error_of(
            lam.add_permission,
            FunctionName=name,
            StatementId="s",
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
            RevisionId=stale,
        )[:3]
        == expected
    )


def test_the_policy_revision_is_the_functions_and_moves_with_a_permission(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SOURCE)
    current = lam.get_function(FunctionName=name)["Configuration"]["RevisionId"]
    lam.add_permission(
        FunctionName=name,
        StatementId="first",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        RevisionId=current,
    )
    moved = lam.get_function(FunctionName=name)["Configuration"]["RevisionId"]
    assert moved != current
    assert lam.get_policy(FunctionName=name)["RevisionId"] == moved


def test_latest_cannot_be_deleted_on_its_own(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert error_of(lam.delete_function, FunctionName=name, Qualifier="$LATEST")[:3] == (
        "InvalidParameterValueException",
        400,
        "$LATEST version cannot be deleted without deleting the function.",
    )
    assert lam.get_function(FunctionName=name)["Configuration"]["FunctionName"] == name


def test_a_version_an_alias_uses_cannot_be_deleted(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert error_of(lam.delete_function, FunctionName=name, Qualifier="1")[:3] == (
        "ResourceConflictException",
        409,
        "Unable to delete version because the following aliases reference it: [live]",
    )


def test_a_deleted_function_takes_its_policy_with_it(functions: Functions, lam: Any, role: str) -> None:
    args = _args(role)
    lam.create_function(**args)
    lam.add_permission(
        FunctionName=args["FunctionName"],
        StatementId="s",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )
    lam.delete_function(FunctionName=args["FunctionName"])
    lam.create_function(**args)
    functions.created.append(args["FunctionName"])
    assert error_of(lam.get_policy, FunctionName=args["FunctionName"])[:3] == (
        "ResourceNotFoundException",
        404,
        "The resource you requested does not exist.",
    )


# -- aliases ---------------------------------------------------------------------------------------


def test_a_missing_alias_cannot_be_found_by_its_arn(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    expected = ("ResourceNotFoundException", 404, f"Cannot find alias arn: {ARN}:{name}:nope")
    assert error_of(lam.get_alias, FunctionName=name, Name="nope")[:3] == expected
    assert error_of(lam.update_alias, FunctionName=name, Name="nope", Description="x")[:3] == expected


def test_routing_weights_name_another_existing_version(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    lam.publish_version(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, Description="v2")
    lam.publish_version(FunctionName=name)
    assert error_of(
        lam.create_alias,
        FunctionName=name,
        Name="same",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}},
    )[:3] == (
        "InvalidParameterValueException",
        400,
        "Invalid function version 1. Function version 1 is already included in routing configuration.",
    )
    assert error_of(
        lam.create_alias,
        FunctionName=name,
        Name="gone",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"9": 0.5}},
    )[:3] == ("ResourceNotFoundException", 404, f"Function not found: {ARN}:{name}:9")
    created = lam.create_alias(
        FunctionName=name,
        Name="canary",
        FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}},
    )
    assert created["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}
    cleared = lam.update_alias(
        FunctionName=name, Name="canary", RoutingConfig={"AdditionalVersionWeights": {}}
    )
    assert "RoutingConfig" not in cleared


def test_aliases_page(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    for alias in ("a", "b", "c"):
        lam.create_alias(FunctionName=name, Name=alias, FunctionVersion="$LATEST")
    first = lam.list_aliases(FunctionName=name, MaxItems=2)
    rest = lam.list_aliases(FunctionName=name, Marker=first["NextMarker"])
    assert [a["Name"] for a in first["Aliases"]] == ["a", "b"]
    assert [a["Name"] for a in rest["Aliases"]] == ["c"]
    assert "NextMarker" not in rest


# -- permissions -------------------------------------------------------------------------------------


def test_permissions_cannot_be_added_to_latest_by_qualifier(functions: Functions, lam: Any) -> None:
    assert error_of(
        lam.add_permission,
        FunctionName=functions.python(SOURCE),
        Qualifier="$LATEST",
        StatementId="s",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )[:3] == (
        "InvalidParameterValueException",
        400,
        "We currently do not support adding policies for $LATEST.",
    )


def test_removing_a_statement_that_is_not_there(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert error_of(lam.remove_permission, FunctionName=name, StatementId="s")[:3] == (
        "ResourceNotFoundException",
        404,
        "No policy is associated with the given resource.",
    )
    lam.add_permission(
        FunctionName=name, StatementId="kept", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"
    )
    assert error_of(lam.remove_permission, FunctionName=name, StatementId="s")[:3] == (
        "ResourceNotFoundException",
        404,
        "Statement s is not found in resource policy.",
    )


def test_a_function_url_permission_carries_its_auth_type(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    added = lam.add_permission(
        FunctionName=name,
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    statement = json.loads(added["Statement"])
    assert statement["Principal"] == "*"
    assert statement["Condition"] == {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}


# -- settings --------------------------------------------------------------------------------------


def test_reserved_concurrency_is_for_the_unqualified_function(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert error_of(lam.put_function_concurrency, FunctionName=f"{name}:1", ReservedConcurrentExecutions=1)[
        :2
    ] == ("InvalidParameterValueException", 400)
    assert lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions") is None


def test_event_invoke_configs_need_a_setting_and_a_function(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    assert error_of(lam.put_function_event_invoke_config, FunctionName=name)[:3] == (
        "InvalidParameterValueException",
        400,
        "You must specify at least one of error handling or destination setting.",
    )
    assert error_of(
        lam.put_function_event_invoke_config, FunctionName=unique("nobody"), MaximumRetryAttempts=1
    )[:3] == ("ResourceNotFoundException", 404, "The function doesn't exist.")
    assert error_of(lam.update_function_event_invoke_config, FunctionName=name, MaximumRetryAttempts=1)[
        :3
    ] == (
        "ResourceNotFoundException",
        404,
        f"The function {ARN}:{name}:$LATEST doesn't have an EventInvokeConfig",
    )
    assert error_of(
        lam.put_function_event_invoke_config,
        FunctionName=name,
        DestinationConfig={"OnFailure": {"Destination": f"{ARN}:{name}"}},
    )[:3] == (
        "InvalidParameterValueException",
        400,
        "You can't specify the function as a destination for itself.",
    )


def test_tags_are_for_functions_not_versions(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE, Tags={"team": "a"})
    assert lam.get_function(FunctionName=name)["Tags"] == {"team": "a"}
    assert error_of(lam.tag_resource, Resource=f"{ARN}:{name}:1", Tags={"x": "y"})[:2] == (
        "InvalidParameterValueException",
        400,
    )
    untagged = functions.python(SOURCE)
    assert "Tags" not in lam.get_function(FunctionName=untagged)


# -- layers ----------------------------------------------------------------------------------------


def test_layer_versions_download_and_are_never_renumbered(lam: Any) -> None:
    name = unique("lyr")
    package = zipped({"python/helper.py": "X = 1\n"})
    first = lam.publish_layer_version(
        LayerName=name, Content={"ZipFile": package}, CompatibleRuntimes=["python3.12"]
    )
    with urllib.request.urlopen(first["Content"]["Location"]) as response:
        assert response.read() == package
    second = lam.publish_layer_version(LayerName=name, Content={"ZipFile": package})
    lam.delete_layer_version(LayerName=name, VersionNumber=second["Version"])
    third = lam.publish_layer_version(LayerName=name, Content={"ZipFile": package})
    assert (first["Version"], second["Version"], third["Version"]) == (1, 2, 3)
    by_arn = lam.get_layer_version(LayerName=first["LayerArn"], VersionNumber=1)
    assert by_arn["LayerVersionArn"] == first["LayerVersionArn"]
    matching = lam.list_layer_versions(LayerName=name, CompatibleRuntime="python3.12")["LayerVersions"]
    assert [v["Version"] for v in matching] == [1]


def test_listed_layer_versions_leave_out_an_unset_description_and_architectures(lam: Any) -> None:
    """AWS lists a version published without a Description or CompatibleArchitectures without those
    keys (moto's test_list_lambda_layers, run against AWS through its s3_aws_verified decorator)."""
    name = unique("lyr")
    package = zipped({"python/helper.py": "X = 1\n"})
    lam.publish_layer_version(
        LayerName=name, Content={"ZipFile": package}, CompatibleRuntimes=["python3.12"], LicenseInfo="MIT"
    )
    described = lam.publish_layer_version(
        LayerName=name,
        Content={"ZipFile": package},
        Description="second",
        CompatibleRuntimes=["python3.13"],
        CompatibleArchitectures=["arm64"],
    )
    listed = lam.list_layer_versions(LayerName=name)["LayerVersions"]
    for version in listed:
        version.pop("CreatedDate")
    assert listed == [
        {
            "LayerVersionArn": described["LayerVersionArn"],
            "Version": 2,
            "Description": "second",
            "CompatibleRuntimes": ["python3.13"],
            "CompatibleArchitectures": ["arm64"],
        },
        {
            "LayerVersionArn": described["LayerVersionArn"][:-1] + "1",
            "Version": 1,
            "CompatibleRuntimes": ["python3.12"],
            "LicenseInfo": "MIT",
        },
    ]
    latest = next(
        layer["LatestMatchingVersion"]
        for layer in lam.list_layers(CompatibleRuntime="python3.12")["Layers"]
        if layer["LayerName"] == name
    )
    assert "Description" not in latest and "CompatibleArchitectures" not in latest


def test_layer_version_permissions(lam: Any) -> None:
    name = unique("lyr")
    lam.publish_layer_version(LayerName=name, Content={"ZipFile": zipped({"a.txt": "a"})})
    assert error_of(lam.get_layer_version_policy, LayerName=name, VersionNumber=1)[:3] == (
        "ResourceNotFoundException",
        404,
        "No policy is associated with the given resource.",
    )
    added = lam.add_layer_version_permission(
        LayerName=name,
        VersionNumber=1,
        StatementId="everyone",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )
    statement = json.loads(added["Statement"])
    assert statement == {
        "Sid": "everyone",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "lambda:GetLayerVersion",
        "Resource": f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:layer:{name}:1",
    }
    policy = lam.get_layer_version_policy(LayerName=name, VersionNumber=1)
    assert (
        json.loads(policy["Policy"])["Statement"] == [statement]
        and policy["RevisionId"] == added["RevisionId"]
    )
    assert error_of(
        lam.add_layer_version_permission,
        LayerName=name,
        VersionNumber=1,
        StatementId="everyone",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )[:2] == ("ResourceConflictException", 409)
    lam.remove_layer_version_permission(LayerName=name, VersionNumber=1, StatementId="everyone")
    assert error_of(
        lam.remove_layer_version_permission, LayerName=name, VersionNumber=1, StatementId="everyone"
    )[:3] == ("ResourceNotFoundException", 404, "Statement everyone is not found in resource policy.")
    assert error_of(
        lam.add_layer_version_permission,
        LayerName=name,
        VersionNumber=9,
        StatementId="s",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )[:3] == (
        "ResourceNotFoundException",
        404,
        f"Layer version arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:layer:{name}:9 does not exist.",
    )


def test_two_versions_of_one_layer_cannot_both_be_used(functions: Functions, lam: Any, role: str) -> None:
    name = unique("lyr")
    arns = [
        lam.publish_layer_version(LayerName=name, Content={"ZipFile": zipped({"a.txt": "a"})})[
            "LayerVersionArn"
        ]
        for _ in range(2)
    ]
    assert error_of(lam.create_function, **_args(role, Layers=arns))[:3] == (
        "InvalidParameterValueException",
        400,
        f"Two different versions of the same layer are not allowed to be referenced in the same function. "
        f"{arns[0]} and {arns[1]} are versions of the same layer.",
    )


# -- function URLs -----------------------------------------------------------------------------------


def test_function_url_configs_create_get_update_list_delete(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    created = lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert created["FunctionArn"] == f"{ARN}:{name}" and created["AuthType"] == "NONE"
    assert created["FunctionUrl"].startswith("http://") and ".lambda-url.us-east-1." in created["FunctionUrl"]
    assert "InvokeMode" not in created and "CreationTime" in created  # named only when asked for
    code, status, message, _ = error_of(lam.create_function_url_config, FunctionName=name, AuthType="NONE")
    assert (code, status) == (
        "ResourceConflictException",
        409,
    ) and "FunctionUrlConfig exists for this Lambda function" in message
    updated = lam.update_function_url_config(
        FunctionName=name, AuthType="AWS_IAM", Cors={"AllowOrigins": ["*"]}
    )
    assert updated["AuthType"] == "AWS_IAM" and updated["Cors"]["AllowOrigins"] == ["*"]
    assert lam.get_function_url_config(FunctionName=name)["FunctionUrl"] == created["FunctionUrl"]
    assert [
        c["FunctionUrl"] for c in lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    ] == [created["FunctionUrl"]]
    lam.delete_function_url_config(FunctionName=name)
    assert error_of(lam.get_function_url_config, FunctionName=name)[:3] == (
        "ResourceNotFoundException",
        404,
        "The resource you requested does not exist.",
    )


def test_function_urls_are_not_for_versions(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    code, status, message, _ = error_of(
        lam.create_function_url_config, FunctionName=name, Qualifier="1", AuthType="NONE"
    )
    assert (code, status) == (
        "ValidationException",
        400,
    ) and "at 'qualifier' failed to satisfy constraint" in message


def test_account_settings_count_published_versions_in_the_code_size(functions: Functions, lam: Any) -> None:
    before = lam.get_account_settings()["AccountUsage"]["TotalCodeSize"]
    name = functions.python(SOURCE)
    size = lam.get_function(FunctionName=name)["Configuration"]["CodeSize"]
    lam.publish_version(FunctionName=name)
    assert lam.get_account_settings()["AccountUsage"]["TotalCodeSize"] == before + 2 * size


def test_environment_variables_are_limited_to_4_kb(lam: Any, role: str) -> None:
    variables = {"BIG": "x" * 4096}
    code, status, message, _ = error_of(
        lam.create_function, **_args(role, Environment={"Variables": variables})
    )
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith(
        "Lambda was unable to configure your environment variables because the environment variables you have "
        "provided exceeded the 4KB limit. String measured: {"
    )


def test_ephemeral_storage_below_512_mb_is_refused(server: ServerProcess, role: str) -> None:
    lam: Any = server.client("lambda", parameter_validation=False)  # boto3 itself would refuse 511
    assert error_of(lam.create_function, **_args(role, EphemeralStorage={"Size": 511}))[:3] == (
        "ValidationException",
        400,
        "1 validation error detected: Value '511' at 'ephemeralStorage.size' failed to satisfy constraint: "
        "Member must have value greater than or equal to 512",
    )


def test_json_logs_get_log_levels_and_text_logs_lose_them(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE, LoggingConfig={"LogFormat": "JSON"})
    logging = lam.get_function_configuration(FunctionName=name)["LoggingConfig"]
    assert logging == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
        "LogGroup": f"/aws/lambda/{name}",
    }
    text = lam.update_function_configuration(FunctionName=name, LoggingConfig={"LogFormat": "Text"})
    assert text["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}


def test_a_deleted_alias_takes_its_policy_with_it(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="$LATEST")
    lam.add_permission(
        FunctionName=name,
        Qualifier="live",
        StatementId="s",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )
    assert json.loads(lam.get_policy(FunctionName=name, Qualifier="live")["Policy"])["Statement"][0][
        "Resource"
    ] == (f"{ARN}:{name}:live")
    lam.delete_alias(FunctionName=name, Name="live")
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="$LATEST")
    assert error_of(lam.get_policy, FunctionName=name, Qualifier="live")[:3] == (
        "ResourceNotFoundException",
        404,
        "The resource you requested does not exist.",
    )
