"""Lambda's API as AWS answered LocalStack's AWS-validated tests, found in a sweep of
tests/aws/services/lambda_/test_lambda_api.py (its snapshot, recorded against AWS in 2023-2024) and
test_lambda.py: what test_aws_recorded_parity.py did not already pin. RevisionIds that move as a
function's creation, update or publication completes (TestLambdaRevisions,
test_lambda_permission_fn_versioning).
"""

from __future__ import annotations

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
