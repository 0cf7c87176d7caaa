"""aws:ResourceTag of Lambda functions in an IAM user's policy ("Using attribute-based access
control in Lambda"; the actions are those whose condition keys list aws:ResourceTag/${TagKey} in
"Resources and conditions for Lambda actions"). Tags belong to the function and apply to all its
versions and aliases."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import Functions, error_of, unique, zipped
from tests.services.iam.support import Caller, allow, doc, when_tagged

SOURCE = "def handler(event, context):\n    return {'ok': True}\n"


def _user_client(server: ServerProcess, *statements: dict[str, Any]) -> Any:
    """A Lambda client of a new IAM user whose only policy has `statements`."""
    iam = server.client("iam")
    caller = Caller(server.endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="abac", PolicyDocument=doc(*statements))
    return caller.client("lambda")


def test_get_function_is_allowed_on_a_function_carrying_the_tag(
    server: ServerProcess, functions: Functions
) -> None:
    user = _user_client(server, when_tagged("lambda:GetFunctionConfiguration", "project", "alpha"))
    name = functions.python(SOURCE, Tags={"project": "alpha"})
    assert user.get_function_configuration(FunctionName=name)["FunctionName"] == name


def test_get_function_is_denied_on_a_function_with_another_tag_value(
    server: ServerProcess, functions: Functions
) -> None:
    user = _user_client(server, when_tagged("lambda:GetFunctionConfiguration", "project", "alpha"))
    name = functions.python(SOURCE, Tags={"project": "beta"})
    code, status, message, _ = error_of(user.get_function_configuration, FunctionName=name)
    assert (code, status) == ("AccessDeniedException", 403)
    assert "lambda:GetFunctionConfiguration" in message


def test_invoking_a_version_or_alias_uses_the_functions_tags(
    server: ServerProcess, lam: Any, functions: Functions
) -> None:
    user = _user_client(server, when_tagged(["lambda:InvokeFunction", "lambda:GetAlias"], "project", "alpha"))
    name = functions.python(SOURCE, Tags={"project": "alpha"})
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    assert user.get_alias(FunctionName=name, Name="live")["FunctionVersion"] == version
    for qualifier in (version, "live"):
        answer = user.invoke(FunctionName=name, Qualifier=qualifier, Payload=b"{}")
        assert json.loads(answer["Payload"].read()) == {"ok": True}
    other = functions.python(SOURCE, Tags={"project": "beta"})
    other_version = lam.publish_version(FunctionName=other)["Version"]
    code, status, _, _ = error_of(user.invoke, FunctionName=f"{other}:{other_version}", Payload=b"{}")
    assert (code, status) == ("AccessDeniedException", 403)


def test_a_deny_on_a_tag_protects_only_the_tagged_function(
    server: ServerProcess, lam: Any, functions: Functions
) -> None:
    user = _user_client(
        server,
        {"Effect": "Allow", "Action": "lambda:DeleteFunction", "Resource": "*"},
        when_tagged("lambda:DeleteFunction", "protected", "true", effect="Deny"),
    )
    kept = functions.python(SOURCE, Tags={"protected": "true"})
    plain = functions.python(SOURCE)
    assert error_of(user.delete_function, FunctionName=kept)[:2] == ("AccessDeniedException", 403)
    user.delete_function(FunctionName=plain)
    assert lam.get_function(FunctionName=kept)["Configuration"]["FunctionName"] == kept
    assert error_of(lam.get_function, FunctionName=plain)[:2] == ("ResourceNotFoundException", 404)


def test_tagging_the_function_changes_the_answer_from_the_next_call(
    server: ServerProcess, lam: Any, functions: Functions
) -> None:
    user = _user_client(server, when_tagged("lambda:ListAliases", "project", "alpha"))
    name = functions.python(SOURCE)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    assert error_of(user.list_aliases, FunctionName=name)[:2] == ("AccessDeniedException", 403)
    lam.tag_resource(Resource=arn, Tags={"project": "alpha"})
    assert user.list_aliases(FunctionName=name)["Aliases"] == []
    lam.untag_resource(Resource=arn, TagKeys=["project"])
    assert error_of(user.list_aliases, FunctionName=name)[:2] == ("AccessDeniedException", 403)


def test_tag_calls_are_judged_by_the_functions_current_tags(
    server: ServerProcess, lam: Any, functions: Functions
) -> None:
    user = _user_client(server, when_tagged(["lambda:ListTags", "lambda:TagResource"], "owner", "me"))
    mine = functions.python(SOURCE, Tags={"owner": "me"})
    theirs = functions.python(SOURCE, Tags={"owner": "them"})
    mine_arn = lam.get_function(FunctionName=mine)["Configuration"]["FunctionArn"]
    theirs_arn = lam.get_function(FunctionName=theirs)["Configuration"]["FunctionArn"]
    user.tag_resource(Resource=mine_arn, Tags={"stage": "dev"})
    assert user.list_tags(Resource=mine_arn)["Tags"] == {"owner": "me", "stage": "dev"}
    assert error_of(user.list_tags, Resource=theirs_arn)[:2] == ("AccessDeniedException", 403)
    assert error_of(user.tag_resource, Resource=theirs_arn, Tags={"owner": "me"})[:2] == (
        "AccessDeniedException",
        403,
    )


def test_list_functions_is_not_controlled_by_resource_tags(
    server: ServerProcess, functions: Functions
) -> None:
    user = _user_client(server, when_tagged("lambda:ListFunctions", "project", "alpha"))
    functions.python(SOURCE, Tags={"project": "alpha"})
    assert error_of(user.list_functions)[:2] == ("AccessDeniedException", 403)


def test_a_code_signing_configuration_is_judged_by_its_own_tags(server: ServerProcess, lam: Any) -> None:
    """Code signing configurations carry tags of their own ("Using tags on code signing
    configurations"): a call on one, by its ARN, sees that configuration's aws:ResourceTag/*."""
    user = _user_client(
        server, when_tagged(["lambda:GetCodeSigningConfig", "lambda:ListTags"], "project", "alpha")
    )
    publishers = {
        "SigningProfileVersionArns": [f"arn:aws:signer:us-east-1:{ROOT_ACCOUNT}:/signing-profiles/p/1"]
    }
    alpha = lam.create_code_signing_config(AllowedPublishers=publishers, Tags={"project": "alpha"})
    beta = lam.create_code_signing_config(AllowedPublishers=publishers, Tags={"project": "beta"})
    arns = [made["CodeSigningConfig"]["CodeSigningConfigArn"] for made in (alpha, beta)]
    try:
        assert (
            user.get_code_signing_config(CodeSigningConfigArn=arns[0])["CodeSigningConfig"][
                "CodeSigningConfigArn"
            ]
            == arns[0]
        )
        assert user.list_tags(Resource=arns[0])["Tags"] == {"project": "alpha"}
        assert error_of(user.get_code_signing_config, CodeSigningConfigArn=arns[1])[:2] == (
            "AccessDeniedException",
            403,
        )
        assert error_of(user.list_tags, Resource=arns[1])[:2] == ("AccessDeniedException", 403)
    finally:
        for arn in arns:
            lam.delete_code_signing_config(CodeSigningConfigArn=arn)


# -- Lambda's own condition keys, from the request ----------------------------------------------------


def test_lambda_layer_limits_the_layers_a_function_may_be_given(
    server: ServerProcess, lam: Any, functions: Functions
) -> None:
    # "Granting users access to a Lambda layer": ForAllValues:StringLike on lambda:Layer.
    package = {"ZipFile": zipped({"a.txt": "a"})}
    approved = lam.publish_layer_version(LayerName=unique("approved"), Content=package)["LayerVersionArn"]
    rogue = lam.publish_layer_version(LayerName=unique("rogue"), Content=package)["LayerVersionArn"]
    only_approved = {"ForAllValues:StringLike": {"lambda:Layer": [f"arn:aws:lambda:*:{ROOT_ACCOUNT}:layer:approved*:*"]}}
    user = _user_client(
        server,
        allow(["iam:PassRole", "lambda:GetLayerVersion"]),
        allow(["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"], Condition=only_approved),
    )
    create = {"Runtime": "python3.12", "Role": functions.role, "Handler": "app.handler",
              "Code": {"ZipFile": zipped({"app.py": SOURCE})}}
    code, status, message, _ = error_of(user.create_function, FunctionName=unique("rogue"), Layers=[rogue], **create)
    assert (code, status) == ("AccessDeniedException", 403) and "lambda:CreateFunction" in message
    name = unique("approved")
    user.create_function(FunctionName=name, Layers=[approved], **create)
    functions.created.append(name)
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    code, status, _, _ = error_of(user.update_function_configuration, FunctionName=name, Layers=[approved, rogue])
    assert (code, status) == ("AccessDeniedException", 403)


def test_lambda_principal_limits_whom_a_permission_may_be_added_for(
    server: ServerProcess, functions: Functions
) -> None:
    # "Resources and conditions for Lambda actions": lambda:Principal on AddPermission.
    only_sns = {"StringEquals": {"lambda:Principal": "sns.amazonaws.com"}}
    user = _user_client(server, allow("lambda:AddPermission", Condition=only_sns))
    name = functions.python(SOURCE)
    code, status, _, _ = error_of(
        user.add_permission, FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
    )
    assert (code, status) == ("AccessDeniedException", 403)
    user.add_permission(FunctionName=name, StatementId="sns", Action="lambda:InvokeFunction",
                        Principal="sns.amazonaws.com")


def test_lambda_function_url_auth_type_limits_the_urls_a_user_may_create(
    server: ServerProcess, functions: Functions
) -> None:
    # AWS's example SCP "Deny-modification-to-Lambda-URL-Config" (aws-samples/service-control-policy-examples).
    only_iam = {"StringNotEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}}
    user = _user_client(
        server,
        allow("lambda:*"),
        {"Effect": "Deny", "Action": ["lambda:CreateFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig"],
         "Resource": "*", "Condition": only_iam},
    )
    name = functions.python(SOURCE)
    code, status, _, _ = error_of(user.create_function_url_config, FunctionName=name, AuthType="NONE")
    assert (code, status) == ("AccessDeniedException", 403)
    assert user.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["AuthType"] == "AWS_IAM"
    code, status, _, _ = error_of(user.update_function_url_config, FunctionName=name, AuthType="NONE")
    assert (code, status) == ("AccessDeniedException", 403)


# -- the resource of a call with a Qualifier parameter ------------------------------------------------


def test_a_qualifier_parameter_is_authorized_on_the_qualified_arn(
    server: ServerProcess, lam: Any, functions: Functions
) -> None:
    # "Lambda requires IAM or VPC endpoint policies to specify the fully qualified ARN in the Resource
    # element when authorizing API calls that use an unqualified ARN with a qualifier parameter"
    # (Lambda's change of January 2022; aws-cdk#19318 shows Invoke(FunctionName, Qualifier) denied).
    name = functions.python(SOURCE)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    arn = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}"
    on_alias = _user_client(server, allow("lambda:InvokeFunction", f"{arn}:live"))
    answer = on_alias.invoke(FunctionName=name, Qualifier="live", Payload=b"{}")
    assert json.loads(answer["Payload"].read()) == {"ok": True}
    on_function = _user_client(server, allow("lambda:InvokeFunction", arn))
    assert json.loads(on_function.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()) == {"ok": True}
    code, status, message, _ = error_of(on_function.invoke, FunctionName=arn, Qualifier="live", Payload=b"{}")
    assert (code, status) == ("AccessDeniedException", 403) and f"on resource: {arn}:live " in message
