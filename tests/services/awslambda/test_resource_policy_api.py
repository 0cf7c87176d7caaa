"""PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy: a function's resource-based
policy as one document, the same one AddPermission, RemovePermission and GetPolicy edit.

"This operation replaces any existing policy on the Lambda resource. If you previously added
permissions using the AddPermission operation, the new policy overwrites those permissions"
(API_PutResourcePolicy); the required permissions are those of "Working with resource-based
policies in Lambda".
"""

from __future__ import annotations

import json
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
)
from tests.services.iam.support import Caller, allow, doc

REGION = "us-east-1"
SAYS = "def handler(event, context):\n    return {'says': 'hello'}\n"


def function_arn(name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{REGION}:{ROOT_ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def policy(*statements: dict[str, Any], **header: Any) -> str:
    return json.dumps({"Version": "2012-10-17", **header, "Statement": list(statements)}, ensure_ascii=False)


def grant(resource: str, sid: str = "full", principal: Any = None, action: str = "lambda:GetFunction") -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal or {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
        "Action": action,
        "Resource": resource,
    }


def sids(lam: Any, name: str, **kwargs: Any) -> list[str]:
    return [s.get("Sid") for s in json.loads(lam.get_policy(FunctionName=name, **kwargs)["Policy"])["Statement"]]


# -- the round trip -------------------------------------------------------------------------------


def test_a_put_policy_is_returned_by_get_resource_policy_and_get_policy_with_one_revision_id(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name)
    document = policy(grant(arn), Id="mine")
    put = lam.put_resource_policy(ResourceArn=arn, Policy=document)
    assert json.loads(put["Policy"]) == json.loads(document)
    got = lam.get_resource_policy(ResourceArn=arn)
    assert json.loads(got["Policy"]) == json.loads(document)
    assert got["RevisionId"] == put["RevisionId"]
    old = lam.get_policy(FunctionName=name)
    assert json.loads(old["Policy"]) == json.loads(document) and old["RevisionId"] == put["RevisionId"]


def test_delete_resource_policy_removes_the_policy_for_both_apis(functions: Functions, lam: Any) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name)
    lam.put_resource_policy(ResourceArn=arn, Policy=policy(grant(arn)))
    response = lam.delete_resource_policy(ResourceArn=arn)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lam.get_resource_policy, ResourceArn=arn)[:2] == ("ResourceNotFoundException", 404)
    assert error_of(lam.get_policy, FunctionName=name)[:2] == ("ResourceNotFoundException", 404)
    assert error_of(lam.delete_resource_policy, ResourceArn=arn)[:2] == ("ResourceNotFoundException", 404)


def test_a_function_without_a_policy_has_no_resource_policy(functions: Functions, lam: Any) -> None:
    arn = function_arn(functions.python(SAYS))
    code, status, message, _ = error_of(lam.get_resource_policy, ResourceArn=arn)
    assert (code, status) == ("ResourceNotFoundException", 404) and message


# -- the interplay with AddPermission, RemovePermission and GetPolicy ------------------------------


def test_a_put_overwrites_the_statements_add_permission_made(functions: Functions, lam: Any) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name)
    lam.add_permission(FunctionName=name, StatementId="one", Action="lambda:InvokeFunction", Principal=OTHER_ACCOUNT)
    lam.put_resource_policy(ResourceArn=arn, Policy=policy(grant(arn, sid="full")))
    assert sids(lam, name) == ["full"]


def test_add_permission_after_a_put_appends_and_remove_permission_takes_out_either_kind(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name)
    lam.put_resource_policy(ResourceArn=arn, Policy=policy(grant(arn, sid="full"), Id="kept"))
    lam.add_permission(FunctionName=name, StatementId="added", Action="lambda:InvokeFunction", Principal=OTHER_ACCOUNT)
    got = json.loads(lam.get_resource_policy(ResourceArn=arn)["Policy"])
    assert [s["Sid"] for s in got["Statement"]] == ["full", "added"] and got["Id"] == "kept"
    lam.remove_permission(FunctionName=name, StatementId="full")
    assert sids(lam, name) == ["added"]


def test_statements_without_a_sid_are_kept_and_remove_permission_still_answers(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name)
    unnamed = {k: v for k, v in grant(arn).items() if k != "Sid"}
    lam.put_resource_policy(ResourceArn=arn, Policy=policy(unnamed))
    code, status, _, _ = error_of(lam.remove_permission, FunctionName=name, StatementId="nothing")
    assert (code, status) == ("ResourceNotFoundException", 404)
    lam.add_permission(FunctionName=name, StatementId="named", Action="lambda:InvokeFunction", Principal=OTHER_ACCOUNT)
    assert sids(lam, name) == [None, "named"]


def test_revision_ids_of_either_family_are_accepted_by_the_other(functions: Functions, lam: Any) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name)
    lam.add_permission(FunctionName=name, StatementId="one", Action="lambda:InvokeFunction", Principal=OTHER_ACCOUNT)
    from_get_policy = lam.get_policy(FunctionName=name)["RevisionId"]
    put = lam.put_resource_policy(ResourceArn=arn, Policy=policy(grant(arn)), RevisionId=from_get_policy)
    assert put["RevisionId"] != from_get_policy
    assert lam.get_function(FunctionName=name)["Configuration"]["RevisionId"] == put["RevisionId"]
    lam.add_permission(
        FunctionName=name, StatementId="two", Action="lambda:InvokeFunction", Principal=OTHER_ACCOUNT,
        RevisionId=lam.get_resource_policy(ResourceArn=arn)["RevisionId"],
    )
    lam.delete_resource_policy(ResourceArn=arn, RevisionId=lam.get_policy(FunctionName=name)["RevisionId"])
    assert error_of(lam.get_policy, FunctionName=name)[:2] == ("ResourceNotFoundException", 404)


def test_a_stale_revision_id_is_refused_and_changes_nothing(functions: Functions, lam: Any) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name)
    first = lam.put_resource_policy(ResourceArn=arn, Policy=policy(grant(arn, sid="first")))["RevisionId"]
    lam.add_permission(FunctionName=name, StatementId="added", Action="lambda:InvokeFunction", Principal=OTHER_ACCOUNT)
    code, status, message, _ = error_of(
        lam.put_resource_policy, ResourceArn=arn, Policy=policy(grant(arn, sid="second")), RevisionId=first
    )
    assert (code, status) == ("PreconditionFailedException", 412)
    assert "Revision Id provided does not match the latest Revision Id" in message
    code, status, _, _ = error_of(lam.delete_resource_policy, ResourceArn=arn, RevisionId=first)
    assert (code, status) == ("PreconditionFailedException", 412)
    assert sids(lam, name) == ["first", "added"]


# -- versions and aliases ---------------------------------------------------------------------


def test_a_version_and_an_alias_have_policies_of_their_own(functions: Functions, lam: Any) -> None:
    name = functions.python(SAYS)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    alias, version = function_arn(name, "live"), function_arn(name, "1")
    lam.put_resource_policy(ResourceArn=alias, Policy=policy(grant(alias, sid="alias")))
    lam.put_resource_policy(ResourceArn=version, Policy=policy(grant(version, sid="version")))
    assert sids(lam, name, Qualifier="live") == ["alias"]
    assert sids(lam, name, Qualifier="1") == ["version"]
    revision = lam.get_alias(FunctionName=name, Name="live")["RevisionId"]
    assert lam.get_resource_policy(ResourceArn=alias)["RevisionId"] == revision
    assert error_of(lam.get_resource_policy, ResourceArn=function_arn(name))[:2] == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize("qualifier", ["7", "missing"])
def test_a_version_or_alias_that_does_not_exist_is_not_found(
    functions: Functions, lam: Any, qualifier: str
) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name, qualifier)
    for call, kwargs in (
        (lam.put_resource_policy, {"Policy": policy(grant(arn))}),
        (lam.get_resource_policy, {}),
        (lam.delete_resource_policy, {}),
    ):
        assert error_of(call, ResourceArn=arn, **kwargs)[:2] == ("ResourceNotFoundException", 404)


def test_latest_cannot_be_given_a_policy(functions: Functions, lam: Any) -> None:
    arn = function_arn(functions.python(SAYS), "$LATEST")
    code, status, message, _ = error_of(lam.put_resource_policy, ResourceArn=arn, Policy=policy(grant(arn)))
    assert (code, status, message) == (
        "InvalidParameterValueException", 400, "We currently do not support adding policies for $LATEST."
    )


# -- bad input ---------------------------------------------------------------------------------


def test_a_function_that_does_not_exist_is_not_found(lam: Any) -> None:
    arn = function_arn(unique("absent"))
    code, status, message, _ = error_of(lam.put_resource_policy, ResourceArn=arn, Policy=policy(grant(arn)))
    assert (code, status, message) == ("ResourceNotFoundException", 404, f"Function not found: {arn}")
    assert error_of(lam.get_resource_policy, ResourceArn=arn)[:2] == ("ResourceNotFoundException", 404)


@pytest.mark.parametrize(
    "document",
    [
        "{not json",
        "[]",
        json.dumps({"Version": "2012-10-17", "Statement": []}),
        # A resource policy names who it lets in.
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}]}),
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Perhaps", "Principal": "*", "Action": "lambda:*"}]}),
    ],
)
def test_a_policy_that_is_not_a_valid_policy_is_refused_and_the_old_one_kept(
    functions: Functions, lam: Any, document: str
) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name)
    lam.put_resource_policy(ResourceArn=arn, Policy=policy(grant(arn, sid="kept")))
    code, status, message, _ = error_of(lam.put_resource_policy, ResourceArn=arn, Policy=document)
    assert (code, status) == ("InvalidParameterValueException", 400) and message
    assert sids(lam, name) == ["kept"]


def test_a_policy_over_20480_characters_fails_validation(functions: Functions, lam: Any) -> None:
    arn = function_arn(functions.python(SAYS))
    big = policy({**grant(arn), "Sid": "x" * 20480})
    code, status, message, _ = error_of(lam.put_resource_policy, ResourceArn=arn, Policy=big)
    assert (code, status) == ("ValidationException", 400)
    assert "Member must have length less than or equal to 20480" in message


def test_a_policy_over_20480_bytes_is_too_long(functions: Functions, lam: Any) -> None:
    arn = function_arn(functions.python(SAYS))
    short = policy(grant(arn))
    # Fewer than 20480 characters, more than 20480 bytes in UTF-8.
    big = policy({**grant(arn), "Sid": "s", "Condition": {"StringEquals": {"aws:UserAgent": "é" * 10300}}})
    assert len(big) <= 20480 < len(big.encode())
    code, status, message, _ = error_of(lam.put_resource_policy, ResourceArn=arn, Policy=big)
    assert (code, status) == ("PolicyLengthExceededException", 400)
    assert message == f"The final policy size ({len(big.encode())}) is bigger than the limit (20480)."
    lam.put_resource_policy(ResourceArn=arn, Policy=short)


def test_add_permission_may_not_grow_the_policy_past_20480_bytes(functions: Functions, lam: Any) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name)
    filler = {**grant(arn), "Condition": {"StringEquals": {"aws:UserAgent": "a" * 19900}}}
    lam.put_resource_policy(ResourceArn=arn, Policy=policy(filler))
    code, status, message, _ = error_of(
        lam.add_permission, FunctionName=name, StatementId="more", Action="lambda:InvokeFunction",
        Principal=OTHER_ACCOUNT, SourceArn="arn:aws:s3:::" + "b" * 60,
    )
    assert (code, status) == ("PolicyLengthExceededException", 400)
    assert message.startswith("The final policy size (") and message.endswith(") is bigger than the limit (20480).")
    assert sids(lam, name) == ["full"]


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:lambda:{REGION}:{ROOT_ACCOUNT}:function:*",
        f"arn:aws:lambda:{REGION}:{ROOT_ACCOUNT}:function:f:*",
        f"arn:aws:lambda:{REGION}:{ROOT_ACCOUNT}:function",
        "my-function",
        f"arn:aws:s3:::{ROOT_ACCOUNT}",
    ],
)
def test_a_resource_arn_that_is_not_a_complete_function_arn_fails_validation(lam: Any, arn: str) -> None:
    code, status, message, _ = error_of(lam.get_resource_policy, ResourceArn=arn)
    assert (code, status) == ("ValidationException", 400)
    assert "failed to satisfy constraint: Member must satisfy regular expression pattern" in message


def test_an_arn_of_another_region_or_account_is_not_reached(functions: Functions, lam: Any) -> None:
    name = functions.python(SAYS)
    elsewhere = f"arn:aws:lambda:eu-west-1:{ROOT_ACCOUNT}:function:{name}"
    code, status, message, _ = error_of(lam.get_resource_policy, ResourceArn=elsewhere)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"Functions from 'eu-west-1' are not reachable in this region ('{REGION}')"
    theirs = f"arn:aws:lambda:{REGION}:{OTHER_ACCOUNT}:function:{name}"
    code, status, message, _ = error_of(lam.put_resource_policy, ResourceArn=theirs, Policy=policy(grant(theirs)))
    # Not a call a function's policy opens to other accounts ("Cross-account APIs"): refused.
    assert (code, status) == ("AccessDeniedException", 403)
    assert f"lambda:PutResourcePolicy on resource: {theirs}" in message


def test_a_runtime_arn_is_no_function_and_is_refused(lam: Any) -> None:
    arn = f"arn:aws:lambda:{REGION}:{ROOT_ACCOUNT}:runtime/python3.12"
    code, status, _, _ = error_of(lam.get_resource_policy, ResourceArn=arn)
    assert (code, status) == ("InvalidParameterValueException", 400)


# -- the IAM actions the calls need ------------------------------------------------------------


def _user_allowed(server: ServerProcess, actions: list[str], resource: str) -> Any:
    iam = server.client("iam")
    caller = Caller(server.endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="p", PolicyDocument=doc(allow(actions, resource)))
    return caller.client("lambda")


def test_put_resource_policy_also_needs_add_and_remove_permission(
    server: ServerProcess, functions: Functions
) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name)
    document = policy(grant(arn))
    only_put = _user_allowed(server, ["lambda:PutResourcePolicy"], arn)
    code, status, message, _ = error_of(only_put.put_resource_policy, ResourceArn=arn, Policy=document)
    assert (code, status) == ("AccessDeniedException", 403) and "lambda:AddPermission" in message
    missing_remove = _user_allowed(server, ["lambda:PutResourcePolicy", "lambda:AddPermission"], arn)
    code, _, message, _ = error_of(missing_remove.put_resource_policy, ResourceArn=arn, Policy=document)
    assert code == "AccessDeniedException" and "lambda:RemovePermission" in message
    everything = _user_allowed(
        server, ["lambda:PutResourcePolicy", "lambda:AddPermission", "lambda:RemovePermission"], arn
    )
    everything.put_resource_policy(ResourceArn=arn, Policy=document)


def test_the_calls_are_authorized_on_the_function_they_name(server: ServerProcess, functions: Functions) -> None:
    name, other = functions.python(SAYS), functions.python(SAYS)
    arn = function_arn(name)
    theirs = _user_allowed(server, ["lambda:*"], function_arn(other))
    code, status, message, _ = error_of(theirs.get_resource_policy, ResourceArn=arn)
    assert (code, status) == ("AccessDeniedException", 403)
    assert "lambda:GetResourcePolicy" in message and arn in message


def test_get_and_delete_need_get_policy_and_remove_permission(server: ServerProcess, functions: Functions, lam: Any) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name)
    lam.put_resource_policy(ResourceArn=arn, Policy=policy(grant(arn)))
    reader = _user_allowed(server, ["lambda:GetResourcePolicy", "lambda:DeleteResourcePolicy"], arn)
    code, _, message, _ = error_of(reader.get_resource_policy, ResourceArn=arn)
    assert code == "AccessDeniedException" and "lambda:GetPolicy" in message
    code, _, message, _ = error_of(reader.delete_resource_policy, ResourceArn=arn)
    assert code == "AccessDeniedException" and "lambda:RemovePermission" in message
    allowed = _user_allowed(
        server, ["lambda:GetResourcePolicy", "lambda:GetPolicy", "lambda:DeleteResourcePolicy",
                 "lambda:RemovePermission"], arn,
    )
    assert json.loads(allowed.get_resource_policy(ResourceArn=arn)["Policy"])["Statement"][0]["Sid"] == "full"
    allowed.delete_resource_policy(ResourceArn=arn)


# -- enforcement --------------------------------------------------------------------------------


def test_the_put_policy_is_enforced_allow_and_deny_alike_until_it_is_deleted(
    server: ServerProcess, functions: Functions, lam: Any
) -> None:
    name = functions.python(SAYS)
    arn = function_arn(name)
    # No identity policy: only the function's policy may let this caller in.
    caller = Caller(server.endpoint, server.client("iam"))
    theirs = caller.client("lambda")
    assert error_of(theirs.invoke, FunctionName=name)[:2] == ("AccessDeniedException", 403)
    them = {"AWS": caller.arn}
    lam.put_resource_policy(ResourceArn=arn, Policy=policy(grant(arn, principal=them, action="lambda:InvokeFunction")))
    assert invoke(theirs, name).payload == {"says": "hello"}
    # A Deny in the document holds over its Allow: here on the one action it names.
    denied = {**grant(arn, sid="no", principal=them, action="lambda:InvokeFunction"), "Effect": "Deny"}
    lam.put_resource_policy(ResourceArn=arn, Policy=policy(grant(arn, sid="yes", principal=them, action="lambda:*"), denied))
    assert error_of(theirs.invoke, FunctionName=name)[:2] == ("AccessDeniedException", 403)
    assert theirs.get_function(FunctionName=name)["Configuration"]["FunctionName"] == name
    lam.delete_resource_policy(ResourceArn=arn)
    assert error_of(theirs.get_function, FunctionName=name)[:2] == ("AccessDeniedException", 403)


def test_another_account_may_invoke_as_the_put_policy_allows_until_it_is_deleted(
    two_accounts: ServerProcess,
) -> None:
    lam = two_accounts.client("lambda")
    role = two_accounts.client("iam").create_role(RoleName=unique("exec"), AssumeRolePolicyDocument=LAMBDA_TRUST)
    functions = Functions(lam, role["Role"]["Arn"])
    try:
        name = functions.python(SAYS)
        arn = function_arn(name)
        theirs = make_client(two_accounts.endpoint, "lambda", key=OTHER_KEY, secret=OTHER_SECRET)
        assert error_of(theirs.invoke, FunctionName=arn)[:2] == ("AccessDeniedException", 403)
        lam.put_resource_policy(ResourceArn=arn, Policy=policy(grant(arn, action="lambda:InvokeFunction")))
        answer = invoke(theirs, arn)
        assert answer.payload == {"says": "hello"} and answer.response["ExecutedVersion"] == "$LATEST"
        # The other account reaches the function only by its ARN: its bare name is one of its own.
        assert error_of(theirs.invoke, FunctionName=name)[:2] == ("ResourceNotFoundException", 404)
        lam.delete_resource_policy(ResourceArn=arn)
        assert error_of(theirs.invoke, FunctionName=arn)[:2] == ("AccessDeniedException", 403)
    finally:
        functions.cleanup()
