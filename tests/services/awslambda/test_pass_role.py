"""Handing an execution role to Lambda is iam:PassRole on that role ("Grant a user permissions to pass a
role to an AWS service", IAM User Guide): CreateFunction, and UpdateFunctionConfiguration with a new Role,
are refused to a caller whose policies do not allow it, with iam:PassedToService and
iam:AssociatedResourceArn as the request's condition keys."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import Functions, error_of, unique, zipped
from tests.services.iam.support import Caller, allow, doc

CODE = {"app.py": "def handler(event, context):\n    return 1\n"}


def _caller(server: ServerProcess, *statements: dict[str, Any]) -> Any:
    iam = server.client("iam")
    caller = Caller(server.endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="p", PolicyDocument=doc(*statements))
    return caller.client("lambda")


def _create(lam: Any, role: str, name: str) -> dict[str, Any]:
    created: dict[str, Any] = lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": zipped(CODE)}
    )
    return created


def test_creating_a_function_without_pass_role_is_refused_naming_the_role(
    server: ServerProcess, lam: Any, role: str
) -> None:
    theirs = _caller(server, allow("lambda:CreateFunction"))
    name = unique("fn")
    code, status, message, _ = error_of(_create, theirs, role, name)
    assert (code, status) == ("AccessDeniedException", 403)
    assert f"is not authorized to perform: iam:PassRole on resource: {role}" in message
    assert error_of(lam.get_function, FunctionName=name)[:2] == ("ResourceNotFoundException", 404)


def test_pass_role_on_the_role_lets_the_function_be_created(server: ServerProcess, lam: Any, role: str) -> None:
    theirs = _caller(server, allow("lambda:CreateFunction"), allow("iam:PassRole", role))
    name = unique("fn")
    assert _create(theirs, role, name)["Role"] == role
    lam.delete_function(FunctionName=name)


def test_pass_role_conditions_see_the_service_and_the_function(server: ServerProcess, lam: Any, role: str) -> None:
    name = unique("fn")
    arn = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}"
    to_ec2 = allow("iam:PassRole", role, Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}})
    refused = _caller(server, allow("lambda:CreateFunction"), to_ec2)
    assert error_of(_create, refused, role, name)[:2] == ("AccessDeniedException", 403)
    to_lambda = allow(
        "iam:PassRole",
        role,
        Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com", "iam:AssociatedResourceArn": arn}},
    )
    allowed = _caller(server, allow("lambda:CreateFunction"), to_lambda)
    assert _create(allowed, role, name)["FunctionArn"] == arn
    lam.delete_function(FunctionName=name)


def test_changing_a_functions_role_needs_pass_role_on_the_new_one(
    server: ServerProcess, functions: Functions, role: str
) -> None:
    iam = server.client("iam")
    other = iam.create_role(
        RoleName=unique("other"),
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    )["Role"]["Arn"]
    name = functions.python("def handler(event, context):\n    return 1\n")
    theirs = _caller(server, allow("lambda:UpdateFunctionConfiguration"), allow("iam:PassRole", role))
    code, status, message, _ = error_of(theirs.update_function_configuration, FunctionName=name, Role=other)
    assert (code, status) == ("AccessDeniedException", 403)
    assert f"iam:PassRole on resource: {other}" in message
    # Other settings change without passing any role.
    assert theirs.update_function_configuration(FunctionName=name, Timeout=7)["Timeout"] == 7


def test_pass_role_conditions_see_the_roles_tags(server: ServerProcess, lam: Any) -> None:
    """The role's tags are iam:ResourceTag/<key> and aws:ResourceTag/<key> of iam:PassRole (IAM's role
    resource type), so a user may be allowed to pass only the roles tagged for its team."""
    iam = server.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    blue, red = (
        iam.create_role(RoleName=unique(team), AssumeRolePolicyDocument=trust, Tags=[{"Key": "team", "Value": team}])[
            "Role"
        ]["Arn"]
        for team in ("blue", "red")
    )
    for key in ("iam:ResourceTag/team", "aws:ResourceTag/team"):
        theirs = _caller(
            server,
            allow("lambda:CreateFunction"),
            allow("iam:PassRole", "*", Condition={"StringEquals": {key: "blue"}}),
        )
        name = unique("fn")
        assert _create(theirs, blue, name)["Role"] == blue
        lam.delete_function(FunctionName=name)
        code, status, message, _ = error_of(_create, theirs, red, unique("fn"))
        assert (code, status) == ("AccessDeniedException", 403)
        assert f"iam:PassRole on resource: {red}" in message
