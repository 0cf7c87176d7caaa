"""Code signing configurations through the API: their life cycle, attaching one to a
function, AWS's errors, and IAM authorization. (Signatures are stored, not verified.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import Functions, error_of, lambda_client_allowed

SOURCE = "def handler(event, context):\n    return 1\n"
PROFILE = f"arn:aws:signer:us-east-1:{ROOT_ACCOUNT}:/signing-profiles/team/abcdef1234"
MISSING = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:code-signing-config:csc-0123456789abcdef0"


@pytest.fixture
def csc(lam: Any) -> Any:
    config = lam.create_code_signing_config(
        Description="team", AllowedPublishers={"SigningProfileVersionArns": [PROFILE]}
    )["CodeSigningConfig"]
    yield config
    try:
        lam.delete_code_signing_config(CodeSigningConfigArn=config["CodeSigningConfigArn"])
    except ClientError:  # the test deleted it already
        pass


def test_a_new_configuration_has_an_id_an_arn_and_warns_by_default(lam: Any, csc: Any) -> None:
    assert re.fullmatch(r"csc-[0-9a-f]{17}", csc["CodeSigningConfigId"])
    assert csc["CodeSigningConfigArn"] == (
        f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:code-signing-config:{csc['CodeSigningConfigId']}"
    )
    assert csc["AllowedPublishers"] == {"SigningProfileVersionArns": [PROFILE]}
    assert csc["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}
    assert csc["Description"] == "team"
    got = lam.get_code_signing_config(CodeSigningConfigArn=csc["CodeSigningConfigArn"])["CodeSigningConfig"]
    assert got == csc


def test_update_changes_only_what_it_names(lam: Any, csc: Any) -> None:
    updated = lam.update_code_signing_config(
        CodeSigningConfigArn=csc["CodeSigningConfigArn"],
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"},
    )["CodeSigningConfig"]
    assert updated["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Enforce"}
    assert (updated["Description"], updated["AllowedPublishers"]) == ("team", csc["AllowedPublishers"])
    listed = lam.list_code_signing_configs()["CodeSigningConfigs"]
    assert updated in listed


def test_a_missing_configuration_is_resource_not_found(lam: Any) -> None:
    expected = (
        "ResourceNotFoundException",
        404,
        f"The Lambda code signing configuration {MISSING} can not be found.",
    )
    assert error_of(lam.get_code_signing_config, CodeSigningConfigArn=MISSING)[:3] == expected
    assert error_of(lam.delete_code_signing_config, CodeSigningConfigArn=MISSING)[:3] == expected
    assert error_of(lam.list_functions_by_code_signing_config, CodeSigningConfigArn=MISSING)[:3] == expected


def test_a_function_uses_a_configuration_until_it_is_removed(
    functions: Functions, lam: Any, csc: Any
) -> None:
    name = functions.python(SOURCE)
    arn = csc["CodeSigningConfigArn"]
    assert lam.get_function_code_signing_config(FunctionName=name).get("CodeSigningConfigArn", "") == ""
    put = lam.put_function_code_signing_config(FunctionName=name, CodeSigningConfigArn=arn)
    assert (put["CodeSigningConfigArn"], put["FunctionName"]) == (arn, name)
    got = lam.get_function_code_signing_config(FunctionName=name)
    assert (got["CodeSigningConfigArn"], got["FunctionName"]) == (arn, name)
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == [
        f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}"
    ]
    code, status, message, _ = error_of(lam.delete_code_signing_config, CodeSigningConfigArn=arn)
    assert (code, status) == ("ResourceConflictException", 409)
    assert name in message
    assert (
        lam.delete_function_code_signing_config(FunctionName=name)["ResponseMetadata"]["HTTPStatusCode"]
        == 204
    )
    assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == []
    assert (
        lam.delete_code_signing_config(CodeSigningConfigArn=arn)["ResponseMetadata"]["HTTPStatusCode"] == 204
    )


def test_attaching_a_missing_configuration_is_code_signing_config_not_found(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SOURCE)
    assert error_of(lam.put_function_code_signing_config, FunctionName=name, CodeSigningConfigArn=MISSING)[
        :3
    ] == (
        "CodeSigningConfigNotFoundException",
        404,
        "The code signing configuration cannot be found. Check that the provided configuration is not deleted: "
        f"{MISSING}.",
    )


def test_deleting_the_function_releases_its_configuration(functions: Functions, lam: Any, csc: Any) -> None:
    name = functions.python(SOURCE)
    lam.put_function_code_signing_config(FunctionName=name, CodeSigningConfigArn=csc["CodeSigningConfigArn"])
    lam.delete_function(FunctionName=name)
    assert (
        lam.list_functions_by_code_signing_config(CodeSigningConfigArn=csc["CodeSigningConfigArn"])[
            "FunctionArns"
        ]
        == []
    )


def test_each_operation_is_authorized_as_its_own_iam_action(
    server: ServerProcess, functions: Functions, lam: Any, csc: Any
) -> None:
    name = functions.python(SOURCE)
    theirs = lambda_client_allowed(server, ["lambda:GetCodeSigningConfig", "lambda:ListCodeSigningConfigs"])
    arn = csc["CodeSigningConfigArn"]
    assert (
        theirs.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]["CodeSigningConfigArn"]
        == arn
    )
    denied = (
        (
            "CreateCodeSigningConfig",
            theirs.create_code_signing_config,
            {"AllowedPublishers": {"SigningProfileVersionArns": [PROFILE]}},
        ),
        (
            "UpdateCodeSigningConfig",
            theirs.update_code_signing_config,
            {"CodeSigningConfigArn": arn, "Description": "x"},
        ),
        ("DeleteCodeSigningConfig", theirs.delete_code_signing_config, {"CodeSigningConfigArn": arn}),
        (
            "ListFunctionsByCodeSigningConfig",
            theirs.list_functions_by_code_signing_config,
            {"CodeSigningConfigArn": arn},
        ),
        (
            "PutFunctionCodeSigningConfig",
            theirs.put_function_code_signing_config,
            {"FunctionName": name, "CodeSigningConfigArn": arn},
        ),
        ("GetFunctionCodeSigningConfig", theirs.get_function_code_signing_config, {"FunctionName": name}),
        (
            "DeleteFunctionCodeSigningConfig",
            theirs.delete_function_code_signing_config,
            {"FunctionName": name},
        ),
    )
    for action, call, params in denied:
        code, status, message, _ = error_of(call, **params)
        assert (code, status) == ("AccessDeniedException", 403), action
        assert f"is not authorized to perform: lambda:{action}" in message
    assert lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]["Description"] == "team"


def test_create_function_may_name_a_configuration(functions: Functions, lam: Any, csc: Any) -> None:
    name = functions.python(SOURCE, CodeSigningConfigArn=csc["CodeSigningConfigArn"])
    assert (
        lam.get_function_code_signing_config(FunctionName=name)["CodeSigningConfigArn"]
        == csc["CodeSigningConfigArn"]
    )
    code, status, _, _ = error_of(functions.python, SOURCE, CodeSigningConfigArn=MISSING)
    assert (code, status) == ("CodeSigningConfigNotFoundException", 404)


def test_a_configuration_is_tagged_by_its_arn(lam: Any) -> None:
    """CreateCodeSigningConfig takes Tags, and TagResource, UntagResource and ListTags take a code
    signing configuration's ARN (Lambda developer guide, "Using tags on code signing configurations";
    the TaggableResource pattern names code-signing-config:csc-...). The tags are no member of the
    configuration itself."""
    config = lam.create_code_signing_config(
        AllowedPublishers={"SigningProfileVersionArns": [PROFILE]}, Tags={"team": "core"}
    )["CodeSigningConfig"]
    arn = config["CodeSigningConfigArn"]
    try:
        assert "Tags" not in config
        assert lam.list_tags(Resource=arn)["Tags"] == {"team": "core"}
        lam.tag_resource(Resource=arn, Tags={"stage": "prod"})
        lam.untag_resource(Resource=arn, TagKeys=["team"])
        assert lam.list_tags(Resource=arn)["Tags"] == {"stage": "prod"}
        assert "Tags" not in lam.get_code_signing_config(CodeSigningConfigArn=arn)["CodeSigningConfig"]
        assert error_of(lam.list_tags, Resource=MISSING)[:2] == ("ResourceNotFoundException", 404)
    finally:
        lam.delete_code_signing_config(CodeSigningConfigArn=arn)
