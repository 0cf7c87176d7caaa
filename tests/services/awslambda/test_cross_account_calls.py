"""Calls on another account's function or layer version, named by its ARN, as its policy allows.

"Lambda doesn't currently support cross-account actions for all of its APIs via resource-based
policies. The following APIs are supported: Invoke, GetFunction, GetFunctionConfiguration,
UpdateFunctionCode, DeleteFunction, PublishVersion, ListVersionsByFunction, CreateAlias, GetAlias,
ListAliases, UpdateAlias, DeleteAlias, GetPolicy, PutFunctionConcurrency, DeleteFunctionConcurrency,
ListTags, TagResource, UntagResource" (Lambda Developer Guide, "Using resource-based policies for
AWS Lambda"). A layer version's policy grants lambda:GetLayerVersion: to read it by ARN and to use it
in a function ("User: ... is not authorized to perform: lambda:GetLayerVersion on resource: <layer
version ARN> because no resource-based policy allows the lambda:GetLayerVersion action").

The owner is the server's root account; the caller is the second account of `two_accounts`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.awslambda.support import (
    LAMBDA_TRUST,
    OTHER_ACCOUNT,
    OTHER_KEY,
    OTHER_SECRET,
    Functions,
    error_of,
    invoke,
    unique,
    zipped,
)

REGION = "us-east-1"
SAYS = "def handler(event, context):\n    return {'says': 'hello'}\n"
SAYS_AGAIN = "def handler(event, context):\n    return {'says': 'hello again'}\n"


def _arn(name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{REGION}:{ROOT_ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


@pytest.fixture
def owner(two_accounts: ServerProcess) -> Iterator[Functions]:
    """The owning account's functions (its root user's client is `owner.lam`)."""
    lam = two_accounts.client("lambda")
    role = two_accounts.client("iam").create_role(RoleName=unique("exec"), AssumeRolePolicyDocument=LAMBDA_TRUST)
    functions = Functions(lam, role["Role"]["Arn"])
    yield functions
    functions.cleanup()


@pytest.fixture
def theirs(two_accounts: ServerProcess) -> Any:
    """A Lambda client of the other account's root user."""
    return make_client(two_accounts.endpoint, "lambda", key=OTHER_KEY, secret=OTHER_SECRET)


def _share(owner: Functions, name: str, *actions: str, principal: str = OTHER_ACCOUNT) -> None:
    """The function's policy lets `principal` make `actions` on the function, its versions and aliases."""
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "shared",
                "Effect": "Allow",
                "Principal": {"AWS": principal if principal.startswith("arn:") else f"arn:aws:iam::{principal}:root"},
                "Action": list(actions),
                "Resource": [_arn(name), _arn(name, "*")],
            }
        ],
    }
    owner.lam.put_resource_policy(ResourceArn=_arn(name), Policy=json.dumps(document))


def _denied(call: Any, **kwargs: Any) -> str:
    code, status, message, _ = error_of(call, **kwargs)
    assert (code, status) == ("AccessDeniedException", 403)
    return message


# -- reading the function --------------------------------------------------------------------------


def test_get_function_by_arn_reads_the_owners_function_once_its_policy_allows(
    owner: Functions, theirs: Any
) -> None:
    name = owner.python(SAYS)
    message = _denied(theirs.get_function, FunctionName=_arn(name))
    assert f"arn:aws:iam::{OTHER_ACCOUNT}:root is not authorized to perform: lambda:GetFunction" in message
    _share(owner, name, "lambda:GetFunction")
    got = theirs.get_function(FunctionName=_arn(name))
    assert got["Configuration"]["FunctionArn"] == _arn(name)
    assert got["Configuration"]["CodeSha256"] == owner.lam.get_function(FunctionName=name)["Configuration"]["CodeSha256"]
    assert got["Code"]["Location"]


def test_a_grant_of_one_action_opens_that_action_only(owner: Functions, theirs: Any) -> None:
    name = owner.python(SAYS)
    _share(owner, name, "lambda:GetFunctionConfiguration")
    assert theirs.get_function_configuration(FunctionName=_arn(name))["FunctionName"] == name
    _denied(theirs.get_function, FunctionName=_arn(name))
    _denied(theirs.list_aliases, FunctionName=_arn(name))


def test_a_partial_arn_names_the_owners_function_too(owner: Functions, theirs: Any) -> None:
    name = owner.python(SAYS)
    _share(owner, name, "lambda:GetFunctionConfiguration")
    got = theirs.get_function_configuration(FunctionName=f"{ROOT_ACCOUNT}:function:{name}")
    assert got["FunctionArn"] == _arn(name)


def test_the_bare_name_is_a_function_of_the_callers_own_account(owner: Functions, theirs: Any) -> None:
    name = owner.python(SAYS)
    _share(owner, name, "lambda:GetFunction")
    code, status, message, _ = error_of(theirs.get_function, FunctionName=name)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"Function not found: arn:aws:lambda:{REGION}:{OTHER_ACCOUNT}:function:{name}"


def test_a_missing_function_of_another_account_is_denied_not_reported_missing(theirs: Any) -> None:
    _denied(theirs.get_function, FunctionName=_arn(unique("nothing")))


def test_get_policy_by_arn_answers_the_owners_policy(owner: Functions, theirs: Any) -> None:
    name = owner.python(SAYS)
    _denied(theirs.get_policy, FunctionName=_arn(name))
    _share(owner, name, "lambda:GetPolicy")
    got = theirs.get_policy(FunctionName=_arn(name))
    assert json.loads(got["Policy"])["Statement"][0]["Sid"] == "shared"
    assert got["RevisionId"] == owner.lam.get_policy(FunctionName=name)["RevisionId"]


def test_an_alias_shared_with_another_account_is_invoked_by_its_arn(owner: Functions, theirs: Any) -> None:
    # The Developer Guide's example: add-permission on my-function:prod for the other account.
    name = owner.python(SAYS)
    owner.lam.publish_version(FunctionName=name)
    owner.lam.create_alias(FunctionName=name, Name="prod", FunctionVersion="1")
    owner.lam.add_permission(
        FunctionName=f"{name}:prod", StatementId="xaccount", Action="lambda:InvokeFunction", Principal=OTHER_ACCOUNT
    )
    answer = invoke(theirs, _arn(name, "prod"))
    assert answer.payload == {"says": "hello"} and answer.response["ExecutedVersion"] == "1"
    streamed = theirs.invoke_with_response_stream(FunctionName=_arn(name, "prod"))
    assert streamed["ExecutedVersion"] == "1"
    assert b"".join(e["PayloadChunk"]["Payload"] for e in streamed["EventStream"] if "PayloadChunk" in e)
    # The permission is the alias's: the function itself stays closed to them.
    _denied(theirs.invoke, FunctionName=_arn(name))


# -- changing the function ---------------------------------------------------------------------------


def test_update_function_code_by_arn_changes_the_owners_function(owner: Functions, theirs: Any) -> None:
    name = owner.python(SAYS)
    _share(owner, name, "lambda:UpdateFunctionCode")
    updated = theirs.update_function_code(FunctionName=_arn(name), ZipFile=zipped({"app.py": SAYS_AGAIN}))
    assert updated["FunctionArn"] == _arn(name)
    assert owner.lam.get_function(FunctionName=name)["Configuration"]["CodeSha256"] == updated["CodeSha256"]
    assert invoke(owner.lam, name).payload == {"says": "hello again"}


def test_versions_and_aliases_are_managed_in_the_owners_account(owner: Functions, theirs: Any) -> None:
    name = owner.python(SAYS)
    _share(
        owner, name, "lambda:PublishVersion", "lambda:ListVersionsByFunction", "lambda:CreateAlias",
        "lambda:GetAlias", "lambda:ListAliases", "lambda:UpdateAlias", "lambda:DeleteAlias",
    )
    arn = _arn(name)
    published = theirs.publish_version(FunctionName=arn)
    assert (published["Version"], published["FunctionArn"]) == ("1", _arn(name, "1"))
    listed = theirs.list_versions_by_function(FunctionName=arn)["Versions"]
    assert [v["FunctionArn"] for v in listed] == [_arn(name, "$LATEST"), _arn(name, "1")]
    created = theirs.create_alias(FunctionName=arn, Name="live", FunctionVersion="1")
    assert created["AliasArn"] == _arn(name, "live")
    assert owner.lam.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == "1"
    assert theirs.get_alias(FunctionName=arn, Name="live")["AliasArn"] == _arn(name, "live")
    theirs.update_alias(FunctionName=arn, Name="live", Description="moved")
    assert [a["Description"] for a in theirs.list_aliases(FunctionName=arn)["Aliases"]] == ["moved"]
    theirs.delete_alias(FunctionName=arn, Name="live")
    assert owner.lam.list_aliases(FunctionName=name)["Aliases"] == []


def test_tags_by_arn_are_the_owners_functions_tags(owner: Functions, theirs: Any) -> None:
    name = owner.python(SAYS)
    arn = _arn(name)
    _denied(theirs.tag_resource, Resource=arn, Tags={"team": "b"})
    _share(owner, name, "lambda:TagResource", "lambda:ListTags", "lambda:UntagResource")
    theirs.tag_resource(Resource=arn, Tags={"team": "b"})
    assert owner.lam.list_tags(Resource=arn)["Tags"] == {"team": "b"}
    assert theirs.list_tags(Resource=arn)["Tags"] == {"team": "b"}
    theirs.untag_resource(Resource=arn, TagKeys=["team"])
    assert owner.lam.list_tags(Resource=arn)["Tags"] == {}


def test_reserved_concurrency_by_arn_is_set_on_the_owners_function(owner: Functions, theirs: Any) -> None:
    name = owner.python(SAYS)
    _share(owner, name, "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency")
    theirs.put_function_concurrency(FunctionName=_arn(name), ReservedConcurrentExecutions=5)
    assert owner.lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 5
    theirs.delete_function_concurrency(FunctionName=_arn(name))
    assert "ReservedConcurrentExecutions" not in owner.lam.get_function_concurrency(FunctionName=name)


def test_delete_function_by_arn_deletes_the_owners_function(owner: Functions, theirs: Any) -> None:
    name = owner.python(SAYS)
    _denied(theirs.delete_function, FunctionName=_arn(name))
    _share(owner, name, "lambda:DeleteFunction")
    theirs.delete_function(FunctionName=_arn(name))
    assert error_of(owner.lam.get_function, FunctionName=name)[:2] == ("ResourceNotFoundException", 404)


# -- what no function policy opens to another account ------------------------------------------------


@pytest.mark.parametrize(
    ("method", "extra"),
    [
        ("update_function_configuration", {"Description": "theirs"}),
        ("get_function_concurrency", {}),
        ("add_permission", {"StatementId": "mine", "Action": "lambda:InvokeFunction", "Principal": OTHER_ACCOUNT}),
        ("remove_permission", {"StatementId": "shared"}),
        ("get_function_event_invoke_config", {}),
        ("get_function_url_config", {}),
    ],
)
def test_calls_outside_the_cross_account_list_are_denied_even_with_lambda_star(
    owner: Functions, theirs: Any, method: str, extra: dict[str, Any]
) -> None:
    name = owner.python(SAYS)
    _share(owner, name, "lambda:*")
    before = owner.lam.get_function(FunctionName=name)["Configuration"]["RevisionId"]
    message = _denied(getattr(theirs, method), FunctionName=_arn(name), **extra)
    assert "because no resource-based policy allows" in message
    assert owner.lam.get_function(FunctionName=name)["Configuration"]["RevisionId"] == before


def test_a_function_is_not_created_in_another_account(owner: Functions, theirs: Any) -> None:
    name = unique("fn")
    _denied(
        theirs.create_function,
        FunctionName=_arn(name),
        Runtime="python3.12",
        Role=owner.role,
        Handler="app.handler",
        Code={"ZipFile": zipped({"app.py": SAYS})},
    )
    assert error_of(owner.lam.get_function, FunctionName=name)[:2] == ("ResourceNotFoundException", 404)


# -- an IAM user of the other account -----------------------------------------------------------------


def test_a_user_of_the_other_account_also_needs_its_own_accounts_permission(
    two_accounts: ServerProcess, owner: Functions
) -> None:
    iam = make_client(two_accounts.endpoint, "iam", key=OTHER_KEY, secret=OTHER_SECRET)
    user = unique("reader")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    lam = make_client(two_accounts.endpoint, "lambda", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    name = owner.python(SAYS)
    _share(owner, name, "lambda:GetFunctionConfiguration", principal=f"arn:aws:iam::{OTHER_ACCOUNT}:user/{user}")
    # Named by the function's policy, but nothing in its own account lets it call Lambda.
    _denied(lam.get_function_configuration, FunctionName=_arn(name))
    allowed = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}]}
    iam.put_user_policy(UserName=user, PolicyName="lambda", PolicyDocument=json.dumps(allowed))
    assert lam.get_function_configuration(FunctionName=_arn(name))["FunctionArn"] == _arn(name)


# -- layers -------------------------------------------------------------------------------------------

LAYER_APP = "import shared\n\ndef handler(event, context):\n    return {'read': shared.WHO}\n"


@pytest.fixture
def layer(owner: Functions) -> Iterator[tuple[str, str]]:
    """(layer ARN, layer version ARN) of a layer the owning account published."""
    published = owner.lam.publish_layer_version(
        LayerName=unique("layer"), Content={"ZipFile": zipped({"python/shared.py": "WHO = 'the owner'\n"})}
    )
    yield published["LayerArn"], published["LayerVersionArn"]
    owner.lam.delete_layer_version(LayerName=published["LayerArn"], VersionNumber=published["Version"])


def _share_layer(owner: Functions, layer_arn: str, principal: str = OTHER_ACCOUNT) -> dict[str, Any]:
    added = owner.lam.add_layer_version_permission(
        LayerName=layer_arn, VersionNumber=1, StatementId="shared", Action="lambda:GetLayerVersion", Principal=principal
    )
    statement: dict[str, Any] = json.loads(added["Statement"])
    return statement


def test_get_layer_version_by_arn_needs_the_layer_versions_permission(
    owner: Functions, theirs: Any, layer: tuple[str, str]
) -> None:
    layer_arn, version_arn = layer
    message = _denied(theirs.get_layer_version, LayerName=layer_arn, VersionNumber=1)
    assert f"lambda:GetLayerVersion on resource: {version_arn}" in message
    _denied(theirs.get_layer_version_by_arn, Arn=version_arn)
    _share_layer(owner, layer_arn)
    assert theirs.get_layer_version(LayerName=layer_arn, VersionNumber=1)["LayerVersionArn"] == version_arn
    assert theirs.get_layer_version_by_arn(Arn=version_arn)["Content"]["CodeSize"] > 0


def test_a_layer_permission_for_an_account_names_its_root_user(owner: Functions, layer: tuple[str, str]) -> None:
    statement = _share_layer(owner, layer[0])
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}
    policy = json.loads(owner.lam.get_layer_version_policy(LayerName=layer[0], VersionNumber=1)["Policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}


def test_a_layer_permission_for_an_accounts_root_arn_shares_it_with_that_account(
    owner: Functions, theirs: Any, layer: tuple[str, str]
) -> None:
    # The Principal pattern takes "\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root": the root ARN
    # names the account, as its id does.
    layer_arn, version_arn = layer
    statement = _share_layer(owner, layer_arn, principal=f"arn:aws:iam::{OTHER_ACCOUNT}:root")
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}
    assert theirs.get_layer_version_by_arn(Arn=version_arn)["LayerVersionArn"] == version_arn


def test_a_layer_permission_opens_nothing_but_get_layer_version(
    owner: Functions, theirs: Any, layer: tuple[str, str]
) -> None:
    layer_arn, _ = layer
    _share_layer(owner, layer_arn, principal="*")
    _denied(theirs.list_layer_versions, LayerName=layer_arn)
    _denied(theirs.get_layer_version_policy, LayerName=layer_arn, VersionNumber=1)
    _denied(theirs.delete_layer_version, LayerName=layer_arn, VersionNumber=1)
    assert owner.lam.get_layer_version(LayerName=layer_arn, VersionNumber=1)["Version"] == 1


def test_a_function_uses_another_accounts_layer_only_as_its_permission_allows(
    two_accounts: ServerProcess, owner: Functions, theirs: Any, layer: tuple[str, str]
) -> None:
    layer_arn, version_arn = layer
    iam = make_client(two_accounts.endpoint, "iam", key=OTHER_KEY, secret=OTHER_SECRET)
    role = iam.create_role(RoleName=unique("exec"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    functions = Functions(theirs, role)
    try:
        code, status, message, _ = error_of(functions.python, LAYER_APP, Layers=[version_arn])
        assert (code, status) == ("AccessDeniedException", 403)
        assert message == (
            f"User: arn:aws:iam::{OTHER_ACCOUNT}:root is not authorized to perform: lambda:GetLayerVersion on "
            f"resource: {version_arn} because no resource-based policy allows the lambda:GetLayerVersion action"
        )
        _share_layer(owner, layer_arn)
        name = functions.python(LAYER_APP, Layers=[version_arn])
        assert invoke(theirs, name).payload == {"read": "the owner"}
    finally:
        functions.cleanup()
