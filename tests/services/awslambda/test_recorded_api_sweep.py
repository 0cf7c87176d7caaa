"""Lambda's API as AWS answered LocalStack's AWS-validated tests, found in a sweep of
tests/aws/services/lambda_/test_lambda_api.py (its snapshot, recorded against AWS in 2023-2024) and
test_lambda.py: what test_aws_recorded_parity.py did not already pin. RevisionIds that move as a
function's creation, update or publication completes (TestLambdaRevisions,
test_lambda_permission_fn_versioning), function URL configurations that answer InvokeMode only when
asked for it (TestLambdaUrl), and layer versions published without compatibilities
(test_layer_s3_content).
"""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ROOT_ACCOUNT
from tests.services.awslambda.support import Functions, error_of, unique, zipped

SOURCE = "def handler(event, context):\n    return event\n"
ARN = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function"
REVISION_MISMATCH = (
    "PreconditionFailedException",
    412,
    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to "
    "retrieve the latest Revision Id",
)


def _revision(lam: Any, name: str, qualifier: str = "$LATEST") -> str:
    revision: str = lam.get_function(FunctionName=name, Qualifier=qualifier)["Configuration"]["RevisionId"]
    return revision


# -- revisions (TestLambdaRevisions) --------------------------------------------------------------


def test_a_created_function_is_active_under_another_revision(
    lam: Any, role: str, functions: Functions
) -> None:
    name = unique("rev")
    created = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": zipped({"app.py": SOURCE})},
    )
    functions.created.append(name)
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    assert created["State"] == "Pending"
    assert _revision(lam, name) != created["RevisionId"]


def test_an_update_completes_under_another_revision(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    active = _revision(lam, name)
    assert (
        error_of(
            lam.update_function_code,
            FunctionName=name,
            ZipFile=zipped({"app.py": SOURCE}),
            RevisionId="wrong",
        )[:3]
        == REVISION_MISMATCH
    )
    code = lam.update_function_code(FunctionName=name, ZipFile=zipped({"app.py": SOURCE}), RevisionId=active)
    assert code["LastUpdateStatus"] == "InProgress" and code["RevisionId"] != active
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    updated = _revision(lam, name)
    assert updated != code["RevisionId"]

    config = lam.update_function_configuration(FunctionName=name, Runtime="python3.11", RevisionId=updated)
    assert config["RevisionId"] != updated
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    assert _revision(lam, name) not in (config["RevisionId"], updated)
    # The update's own answer names a revision the function no longer has.
    assert (
        error_of(
            lam.update_function_configuration, FunctionName=name, Timeout=9, RevisionId=config["RevisionId"]
        )[:3]
        == REVISION_MISMATCH
    )


def test_publishing_moves_latests_revision_and_its_policys(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    lam.add_permission(
        FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"
    )
    before = lam.get_policy(FunctionName=name)["RevisionId"]
    assert before == _revision(lam, name)
    version = lam.publish_version(FunctionName=name, RevisionId=before)
    after = _revision(lam, name)
    assert after != before
    assert lam.get_policy(FunctionName=name)["RevisionId"] == after
    # The version keeps the revision it was published with; an alias moves neither.
    assert _revision(lam, name, version["Version"]) == version["RevisionId"]
    lam.create_alias(FunctionName=name, Name="revision_alias", FunctionVersion=version["Version"])
    assert (_revision(lam, name), _revision(lam, name, version["Version"])) == (after, version["RevisionId"])


def test_publishing_an_unchanged_function_again_moves_nothing(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    first = lam.publish_version(FunctionName=name)
    latest = _revision(lam, name)
    again = lam.publish_version(FunctionName=name, Description="Repeated version description :)")
    assert (again["Version"], again["RevisionId"], again["Description"]) == ("1", first["RevisionId"], "")
    assert _revision(lam, name) == latest


# -- function URL configurations (TestLambdaUrl) ---------------------------------------------------


def test_a_url_config_names_its_invoke_mode_only_when_asked_for(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    created = lam.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert (created["ResponseMetadata"]["HTTPStatusCode"], created["AuthType"]) == (201, "NONE")
    assert "InvokeMode" not in created and "LastModifiedTime" not in created
    got = lam.get_function_url_config(FunctionName=name)
    assert got["InvokeMode"] == "BUFFERED" and "LastModifiedTime" in got
    updated = lam.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
    assert updated["AuthType"] == "AWS_IAM" and "InvokeMode" not in updated
    listed = lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    assert [c["InvokeMode"] for c in listed] == ["BUFFERED"]
    streaming = lam.update_function_url_config(FunctionName=name, InvokeMode="RESPONSE_STREAM")
    assert streaming["InvokeMode"] == "RESPONSE_STREAM"


def test_a_url_config_created_for_an_alias_answers_without_invoke_mode(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SOURCE)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="urlalias", FunctionVersion=version)
    created = lam.create_function_url_config(
        FunctionName=f"{name}:urlalias", Qualifier="urlalias", AuthType="NONE"
    )
    assert created["FunctionArn"] == f"{ARN}:{name}:urlalias" and "InvokeMode" not in created


# -- layers (TestLambdaLayer) ------------------------------------------------------------------------


def test_a_layer_published_without_compatibilities_names_none(lam: Any) -> None:
    name = unique("bucket-layer")
    published = lam.publish_layer_version(
        LayerName=name, Content={"ZipFile": zipped({"python/x.py": "x = 1\n"})}
    )
    try:
        assert "CompatibleRuntimes" not in published and "CompatibleArchitectures" not in published
        assert (published["Version"], published["Description"]) == (1, "")
        got = lam.get_layer_version(LayerName=name, VersionNumber=1)
        assert "CompatibleRuntimes" not in got and "CompatibleArchitectures" not in got
        # Empty lists, named, are answered as given.
        empty = lam.publish_layer_version(
            LayerName=name,
            Content={"ZipFile": zipped({"python/x.py": "x = 1\n"})},
            CompatibleRuntimes=[],
            CompatibleArchitectures=[],
        )
        assert (empty["CompatibleRuntimes"], empty["CompatibleArchitectures"]) == ([], [])
        # A version without compatible runtimes matches no runtime filter.
        assert lam.list_layer_versions(LayerName=name, CompatibleRuntime="python3.12")["LayerVersions"] == []
    finally:
        for version in (1, 2):
            lam.delete_layer_version(LayerName=name, VersionNumber=version)


def test_a_layer_statement_and_policy_name_the_version(lam: Any) -> None:
    name = unique("layer4policy")
    lam.publish_layer_version(LayerName=name, Content={"ZipFile": zipped({"python/x.py": "x = 1\n"})})
    try:
        added = lam.add_layer_version_permission(
            LayerName=name, VersionNumber=1, Action="lambda:GetLayerVersion", Principal="*", StatementId="s1"
        )
        assert json.loads(added["Statement"]) == {
            "Sid": "s1",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "lambda:GetLayerVersion",
            "Resource": f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:layer:{name}:1",
        }
        assert error_of(
            lam.remove_layer_version_permission,
            LayerName=name,
            VersionNumber=1,
            StatementId="s1",
            RevisionId="wrong",
        )[:3] == (
            "PreconditionFailedException",
            412,
            "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to "
            "retrieve the latest Revision Id",
        )
    finally:
        lam.delete_layer_version(LayerName=name, VersionNumber=1)
