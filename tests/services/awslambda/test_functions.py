"""Function configuration through the API: validation, the execution role, code from S3,
state transitions and waiters, versions and aliases, permissions, event invoke configs,
layers and account settings.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.awslambda.support import Functions, error_of, invoke, unique, zipped

VERSIONED = "def handler(event, context):\n    return {'code': 'v1', 'version': context.function_version}\n"


def _create_args(role: str, **extra: Any) -> dict[str, Any]:
    return {"FunctionName": unique("cfg"), "Runtime": "python3.12", "Role": role, "Handler": "app.handler",
            "Code": {"ZipFile": zipped({"app.py": VERSIONED})}, **extra}


def test_a_timeout_over_900_seconds_is_refused_on_create_and_update(functions: Functions, lam: Any, role: str) -> None:
    expected = ("ValidationException", 400,
                "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: "
                "Member must have value less than or equal to 900")
    assert error_of(lam.create_function, **_create_args(role, Timeout=901))[:3] == expected
    name = functions.python(VERSIONED)
    assert error_of(lam.update_function_configuration, FunctionName=name, Timeout=901)[:3] == expected
    assert lam.update_function_configuration(FunctionName=name, Timeout=900)["Timeout"] == 900


@pytest.mark.parametrize(("size", "constraint"), [
    (127, "Member must have value greater than or equal to 128"),
    (10241, "Member must have value less than or equal to 10240"),
])
def test_memory_size_must_be_between_128_and_10240(server: ServerProcess, functions: Functions, role: str,
                                                    size: int, constraint: str) -> None:
    lam: Any = server.client("lambda", parameter_validation=False)  # boto3 itself would refuse 127
    expected = ("ValidationException", 400,
                f"1 validation error detected: Value '{size}' at 'memorySize' failed to satisfy constraint: {constraint}")
    assert error_of(lam.create_function, **_create_args(role, MemorySize=size))[:3] == expected
    name = functions.python(VERSIONED)
    assert error_of(lam.update_function_configuration, FunctionName=name, MemorySize=size)[:3] == expected


def test_the_role_must_exist_and_trust_lambda(server: ServerProcess, lam: Any) -> None:
    iam: Any = server.client("iam")
    expected = ("InvalidParameterValueException", 400, "The role defined for the function cannot be assumed by Lambda.")
    missing = f"arn:aws:iam::{ROOT_ACCOUNT}:role/{unique('nobody')}"
    assert error_of(lam.create_function, **_create_args(missing))[:3] == expected
    ec2_trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    wrong = iam.create_role(RoleName=unique("ec2-only"), AssumeRolePolicyDocument=ec2_trust)["Role"]["Arn"]
    assert error_of(lam.create_function, **_create_args(wrong))[:3] == expected


def test_a_role_of_another_account_is_refused_as_cross_account_pass_role(lam: Any) -> None:
    other = "111122223333" if ROOT_ACCOUNT != "111122223333" else "444455556666"
    role = f"arn:aws:iam::{other}:role/{unique('elsewhere')}"
    assert error_of(lam.create_function, **_create_args(role))[:3] == (
        "AccessDeniedException",
        403,
        "Cross-account pass role is not allowed.",
    )


def test_code_can_come_from_s3(server: ServerProcess, functions: Functions, lam: Any) -> None:
    s3: Any = server.client("s3")
    bucket = unique("code")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="pkg/app.zip", Body=zipped({"app.py": VERSIONED}))
    name = functions.create(code={"S3Bucket": bucket, "S3Key": "pkg/app.zip"})
    assert invoke(lam, name).payload == {"code": "v1", "version": "$LATEST"}
    code, status, message, _ = error_of(functions.create, code={"S3Bucket": bucket, "S3Key": "missing.zip"})
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert "NoSuchKey" in message


def test_code_from_a_missing_bucket_relays_s3s_no_such_bucket(functions: Functions) -> None:
    code, status, message, _ = error_of(
        functions.create, code={"S3Bucket": unique("no-such-bucket"), "S3Key": "app.zip"}
    )
    assert (code, status, message) == (
        "InvalidParameterValueException",
        400,
        "Error occurred while GetObject. S3 Error Code: NoSuchBucket. "
        "S3 Error Message: The specified bucket does not exist",
    )


def test_code_from_a_bucket_of_another_region_is_refused_with_s3s_redirect(
    server: ServerProcess, functions: Functions, lam: Any
) -> None:
    # "An Amazon S3 bucket in the same AWS Region as your function" (FunctionCode.S3Bucket); AWS
    # relays the redirect S3 answers (as reported in terraform-provider-aws#2540, aws-sdk-pandas#923).
    s3: Any = server.client("s3", region="eu-west-1")
    bucket = unique("code-eu")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_object(Bucket=bucket, Key="app.zip", Body=zipped({"app.py": VERSIONED}))
    expected = (
        "InvalidParameterValueException",
        400,
        "Error occurred while GetObject. S3 Error Code: PermanentRedirect. "
        "S3 Error Message: The bucket is in this region: eu-west-1. Please use this region to retry the request",
    )
    code = {"S3Bucket": bucket, "S3Key": "app.zip"}
    assert error_of(functions.create, code=code)[:3] == expected
    assert error_of(lam.publish_layer_version, LayerName=unique("layer"), Content=code)[:3] == expected
    name = functions.python(VERSIONED)
    assert error_of(lam.update_function_code, FunctionName=name, S3Bucket=bucket, S3Key="app.zip")[:3] == expected


def test_code_from_s3_is_read_with_the_callers_own_permission(server: ServerProcess, role: str) -> None:
    # Lambda gets the object as the caller: without s3:GetObject, AWS answers (as reported in
    # binxio/cfn-lb-ip-address-provider#4, iann0036/amazon-connect-cfn#4) with S3's refusal.
    s3: Any = server.client("s3")
    bucket = unique("code-private")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="app.zip", Body=zipped({"app.py": VERSIONED}))
    iam: Any = server.client("iam")
    user = unique("deployer")
    iam.create_user(UserName=user)
    deploy = {"Effect": "Allow", "Action": ["lambda:*", "iam:PassRole"], "Resource": "*"}
    iam.put_user_policy(UserName=user, PolicyName="deploy",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [deploy]}))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    lam: Any = server.client("lambda", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    code = {"S3Bucket": bucket, "S3Key": "app.zip"}
    denied = (
        "AccessDeniedException",
        403,
        f"Your access has been denied by S3, please make sure your request credentials have permission to "
        f"GetObject for {bucket}/app.zip. S3 Error Code: AccessDenied. S3 Error Message: Access Denied",
    )
    assert error_of(lam.create_function, **_create_args(role, Code=code))[:3] == denied
    assert error_of(lam.publish_layer_version, LayerName=unique("layer"), Content=code)[:3] == denied
    read = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    iam.put_user_policy(UserName=user, PolicyName="read",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [read]}))
    name = lam.create_function(**_create_args(role, Code=code))["FunctionName"]
    server.client("lambda").delete_function(FunctionName=name)


def test_a_missing_s3_key_is_access_denied_to_a_caller_who_may_not_list_the_bucket(
    server: ServerProcess, role: str
) -> None:
    # S3 answers GetObject of an absent key with 403 AccessDenied unless the caller has
    # s3:ListBucket (GetObject API reference), and Lambda relays that refusal.
    s3: Any = server.client("s3")
    bucket = unique("code-unlisted")
    s3.create_bucket(Bucket=bucket)
    iam: Any = server.client("iam")
    user = unique("deployer")
    iam.create_user(UserName=user)
    statements = [
        {"Effect": "Allow", "Action": ["lambda:*", "iam:PassRole"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
    ]
    iam.put_user_policy(UserName=user, PolicyName="deploy",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    lam: Any = server.client("lambda", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    code = {"S3Bucket": bucket, "S3Key": "missing.zip"}
    assert error_of(lam.create_function, **_create_args(role, Code=code))[:3] == (
        "AccessDeniedException",
        403,
        f"Your access has been denied by S3, please make sure your request credentials have permission to "
        f"GetObject for {bucket}/missing.zip. S3 Error Code: AccessDenied. S3 Error Message: Access Denied",
    )
    listing = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"}
    iam.put_user_policy(UserName=user, PolicyName="list",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [listing]}))
    assert error_of(lam.create_function, **_create_args(role, Code=code))[:3] == (
        "InvalidParameterValueException",
        400,
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.",
    )


def test_policies_are_written_as_compact_json_as_aws_writes_them(functions: Functions, lam: Any) -> None:
    # AWS answers GetPolicy and AddPermission's Statement as JSON without spaces, a statement's
    # StringEquals before its ArnLike (the add-permission and get-policy examples of the CLI reference).
    name = functions.python(VERSIONED)
    arn = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}"
    statement = (
        '{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction",'
        f'"Resource":"{arn}","Condition":{{"StringEquals":{{"AWS:SourceAccount":"{ROOT_ACCOUNT}"}},'
        '"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket"}}}'
    )
    added = lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                               Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::my-bucket",
                               SourceAccount=ROOT_ACCOUNT)
    assert added["Statement"] == statement
    assert lam.get_policy(FunctionName=name)["Policy"] == (
        f'{{"Version":"2012-10-17","Id":"default","Statement":[{statement}]}}'
    )
    layer = lam.publish_layer_version(LayerName=unique("layer"), Content={"ZipFile": zipped({"a.txt": "a"})})
    shared = lam.add_layer_version_permission(LayerName=layer["LayerArn"], VersionNumber=layer["Version"],
                                              StatementId="all", Action="lambda:GetLayerVersion", Principal="*")
    assert shared["Statement"] == (
        f'{{"Sid":"all","Effect":"Allow","Principal":"*","Action":"lambda:GetLayerVersion",'
        f'"Resource":"{layer["LayerVersionArn"]}"}}'
    )
    policy = lam.get_layer_version_policy(LayerName=layer["LayerArn"], VersionNumber=layer["Version"])["Policy"]
    assert policy == f'{{"Version":"2012-10-17","Id":"default","Statement":[{shared["Statement"]}]}}'


def _zeros_zip(name: str, mebibytes: int, extra: dict[str, str] | None = None) -> bytes:
    """A small zip that unzips to `mebibytes` MiB of zeros (plus `extra` files)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in (extra or {}).items():
            archive.writestr(path, text)
        with archive.open(name, "w") as out:
            for _ in range(mebibytes):
                out.write(bytes(1 << 20))
    return buffer.getvalue()


def test_code_and_layers_together_may_unzip_to_250_mb_at_most(functions: Functions, lam: Any) -> None:
    # "Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The
    # actual size is N bytes." (InvalidParameterValueException, as reported in lambci/git-lambda-layer#27
    # and brefphp/bref#450); each package alone is within the quota.
    code = _zeros_zip("data.bin", 126, {"app.py": VERSIONED})
    layer = lam.publish_layer_version(LayerName=unique("big"), Content={"ZipFile": _zeros_zip("more.bin", 126)})
    total = 2 * 126 * (1 << 20) + len(VERSIONED)
    expected = (
        "InvalidParameterValueException",
        400,
        "Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. "
        f"The actual size is {total} bytes.",
    )
    layers = [layer["LayerVersionArn"]]
    assert error_of(functions.create, code={"ZipFile": code}, Layers=layers)[:3] == expected
    name = functions.create(code={"ZipFile": code})
    assert error_of(lam.update_function_configuration, FunctionName=name, Layers=layers)[:3] == expected
    lam.update_function_code(FunctionName=name, ZipFile=zipped({"app.py": VERSIONED}))
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    lam.update_function_configuration(FunctionName=name, Layers=layers)
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    assert error_of(lam.update_function_code, FunctionName=name, ZipFile=code)[:3] == expected


def test_states_move_as_aws_reports_them_and_the_waiters_succeed(functions: Functions, lam: Any) -> None:
    name = unique("states")
    created = lam.create_function(FunctionName=name, Runtime="python3.12", Role=functions.role, Handler="app.handler",
                                  Code={"ZipFile": zipped({"app.py": VERSIONED})})
    functions.created.append(name)
    assert created["State"] == "Pending" and created["StateReasonCode"] == "Creating"
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    config = lam.get_function(FunctionName=name)["Configuration"]
    assert config["State"] == "Active" and config["LastUpdateStatus"] == "Successful"

    updated = lam.update_function_code(FunctionName=name, ZipFile=zipped({"app.py": VERSIONED.replace("v1", "v2")}))
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["State"] == "Active"
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    assert lam.get_function_configuration(FunctionName=name)["LastUpdateStatus"] == "Successful"
    assert invoke(lam, name).payload["code"] == "v2"

    reconfigured = lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"AB": "1"}})
    assert reconfigured["LastUpdateStatus"] == "InProgress"
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    assert lam.get_function_configuration(FunctionName=name)["Environment"] == {"Variables": {"AB": "1"}}


def test_versions_and_aliases_run_the_code_they_name(functions: Functions, lam: Any) -> None:
    name = functions.python(VERSIONED)
    v1 = lam.publish_version(FunctionName=name, Description="first")
    assert v1["Version"] == "1" and v1["FunctionArn"].endswith(f":{name}:1")
    lam.update_function_code(FunctionName=name, ZipFile=zipped({"app.py": VERSIONED.replace("v1", "v2")}))
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    assert lam.publish_version(FunctionName=name)["Version"] == "2"
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]] == ["$LATEST", "1", "2"]

    alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert alias["AliasArn"].endswith(f":{name}:live")
    assert invoke(lam, name, Qualifier="1").payload == {"code": "v1", "version": "1"}
    by_alias = invoke(lam, name, Qualifier="live")
    assert by_alias.payload == {"code": "v1", "version": "1"} and by_alias.response["ExecutedVersion"] == "1"
    assert invoke(lam, f"{name}:2").payload == {"code": "v2", "version": "2"}
    latest = invoke(lam, name)
    assert latest.payload == {"code": "v2", "version": "$LATEST"} and latest.response["ExecutedVersion"] == "$LATEST"

    lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
    assert invoke(lam, name, Qualifier="live").payload["code"] == "v2"
    assert [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]] == ["live"]
    assert error_of(lam.invoke, FunctionName=name, Qualifier="7")[:2] == ("ResourceNotFoundException", 404)
    assert error_of(lam.get_alias, FunctionName=name, Name="nope")[:2] == ("ResourceNotFoundException", 404)
    lam.delete_alias(FunctionName=name, Name="live")
    assert lam.list_aliases(FunctionName=name)["Aliases"] == []


def test_an_alias_routes_its_additional_versions_weight_of_the_invocations(functions: Functions, lam: Any) -> None:
    """AliasRoutingConfiguration: the second version gets its weight of the traffic; ExecutedVersion names
    the version that ran, and the alias's configuration stays its primary version's."""
    name = functions.python(VERSIONED)
    lam.publish_version(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=zipped({"app.py": VERSIONED.replace("v1", "v2")}))
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="canary", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})

    ran = [invoke(lam, name, Qualifier="canary", tail=False) for _ in range(40)]
    assert {(r.payload["code"], r.response["ExecutedVersion"]) for r in ran} == {("v1", "1"), ("v2", "2")}
    assert lam.get_function_configuration(FunctionName=name, Qualifier="canary")["Version"] == "1"

    lam.update_alias(FunctionName=name, Name="canary", RoutingConfig={"AdditionalVersionWeights": {"2": 1.0}})
    assert {invoke(lam, name, Qualifier="canary", tail=False).response["ExecutedVersion"] for _ in range(5)} == {"2"}


def test_permissions_make_up_the_function_policy(functions: Functions, lam: Any) -> None:
    name = functions.python(VERSIONED)
    assert error_of(lam.get_policy, FunctionName=name)[:2] == ("ResourceNotFoundException", 404)
    added = lam.add_permission(FunctionName=name, StatementId="s3-invoke", Action="lambda:InvokeFunction",
                               Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::some-bucket",
                               SourceAccount=ROOT_ACCOUNT)
    statement = json.loads(added["Statement"])
    assert statement["Sid"] == "s3-invoke" and statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Resource"] == f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}"
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == "arn:aws:s3:::some-bucket"
    lam.add_permission(FunctionName=name, StatementId="other-account", Action="lambda:GetFunction", Principal="111122223333")
    policy = lam.get_policy(FunctionName=name)
    document = json.loads(policy["Policy"])
    assert document["Version"] == "2012-10-17"
    assert [s["Sid"] for s in document["Statement"]] == ["s3-invoke", "other-account"]
    assert document["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert policy["RevisionId"] == lam.get_function(FunctionName=name)["Configuration"]["RevisionId"]
    assert error_of(lam.add_permission, FunctionName=name, StatementId="s3-invoke", Action="lambda:InvokeFunction",
                    Principal="s3.amazonaws.com")[:2] == ("ResourceConflictException", 409)
    lam.remove_permission(FunctionName=name, StatementId="s3-invoke")
    lam.remove_permission(FunctionName=name, StatementId="other-account")
    assert error_of(lam.remove_permission, FunctionName=name, StatementId="other-account")[:2] == ("ResourceNotFoundException", 404)
    assert error_of(lam.get_policy, FunctionName=name)[:2] == ("ResourceNotFoundException", 404)


def test_event_invoke_config_put_get_update_list_delete(functions: Functions, lam: Any, server: ServerProcess) -> None:
    name = functions.python(VERSIONED)
    # A destination function must exist (AWS refuses one that does not).
    target = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{functions.python(VERSIONED)}"
    # The destination is invoked as the function's role, which must be allowed to (AWS checks it here).
    iam: Any = server.client("iam")
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": target}]}
    iam.put_role_policy(RoleName=functions.role.split("/")[-1], PolicyName=unique("dest"), PolicyDocument=json.dumps(allow))
    put = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=120)
    assert put["MaximumRetryAttempts"] == 1 and put["MaximumEventAgeInSeconds"] == 120
    assert put["FunctionArn"] == f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}:$LATEST"
    got = lam.get_function_event_invoke_config(FunctionName=name)
    assert got["MaximumRetryAttempts"] == 1 and "LastModified" in got
    updated = lam.update_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": target}})
    assert updated["MaximumRetryAttempts"] == 1 and updated["MaximumEventAgeInSeconds"] == 120
    assert updated["DestinationConfig"]["OnFailure"]["Destination"] == target
    replaced = lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    assert replaced["MaximumRetryAttempts"] == 0 and "MaximumEventAgeInSeconds" not in replaced
    listed = lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert [c["MaximumRetryAttempts"] for c in listed] == [0]
    assert error_of(lam.put_function_event_invoke_config, FunctionName=name, MaximumRetryAttempts=3)[:2] == ("ValidationException", 400)
    lam.delete_function_event_invoke_config(FunctionName=name)
    assert error_of(lam.get_function_event_invoke_config, FunctionName=name)[:2] == ("ResourceNotFoundException", 404)
    assert lam.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"] == []


def test_a_layers_python_modules_are_importable(functions: Functions, lam: Any) -> None:
    layer_name = unique("layer")
    layer = lam.publish_layer_version(
        LayerName=layer_name, Description="shared code", CompatibleRuntimes=["python3.12"],
        Content={"ZipFile": zipped({"python/sharedmod.py": "GREETING = 'from the layer'\n",
                                    "python/lib/python3.12/site-packages/vendored.py": "NAME = 'vendored'\n"})})
    assert layer["Version"] == 1
    assert layer["LayerVersionArn"] == f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:layer:{layer_name}:1"
    assert layer["Content"]["CodeSize"] > 0
    name = functions.python("import sharedmod, vendored\ndef handler(event, context):\n    return [sharedmod.GREETING, vendored.NAME]\n",
                            Layers=[layer["LayerVersionArn"]])
    assert invoke(lam, name).payload == ["from the layer", "vendored"]
    assert lam.get_function_configuration(FunctionName=name)["Layers"][0]["Arn"] == layer["LayerVersionArn"]
    assert lam.get_layer_version(LayerName=layer_name, VersionNumber=1)["Description"] == "shared code"
    assert [v["Version"] for v in lam.list_layer_versions(LayerName=layer_name)["LayerVersions"]] == [1]
    missing = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:layer:{layer_name}:9"
    assert error_of(functions.python, "x = 1", Layers=[missing])[:2] == ("InvalidParameterValueException", 400)


def test_account_settings_count_the_functions(functions: Functions, lam: Any) -> None:
    functions.python(VERSIONED)
    settings = lam.get_account_settings()
    assert settings["AccountLimit"]["ConcurrentExecutions"] == 1000
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] <= 1000
    assert settings["AccountLimit"]["CodeSizeZipped"] == 52428800
    assert settings["AccountUsage"]["FunctionCount"] >= 1


def test_reservations_of_all_functions_together_leave_100_unreserved(functions: Functions, lam: Any) -> None:
    """'You can reserve up to the Unreserved account concurrency value that is shown, minus 100 for
    functions that don't have reserved concurrency' (Lambda developer guide, Configuring reserved
    concurrency): the other functions' reservations count, the function's own is replaced."""
    first, second = functions.python(VERSIONED), functions.python(VERSIONED)
    unreserved = lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    refused = (
        "InvalidParameterValueException",
        400,
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
        "below its minimum value of [100].",
    )
    try:
        lam.put_function_concurrency(FunctionName=first, ReservedConcurrentExecutions=unreserved - 110)
        # Setting the same reservation again does not count it twice.
        lam.put_function_concurrency(FunctionName=first, ReservedConcurrentExecutions=unreserved - 110)
        assert error_of(lam.put_function_concurrency, FunctionName=second, ReservedConcurrentExecutions=11)[:3] == refused
        assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=second)
        lam.put_function_concurrency(FunctionName=second, ReservedConcurrentExecutions=10)
        assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 100
    finally:
        lam.delete_function_concurrency(FunctionName=first)
        lam.delete_function_concurrency(FunctionName=second)


def test_get_list_and_delete(functions: Functions, lam: Any) -> None:
    name = functions.python(VERSIONED, Description="described", Tags={"team": "core"})
    got = lam.get_function(FunctionName=name)
    assert got["Configuration"]["Description"] == "described"
    assert got["Configuration"]["Runtime"] == "python3.12" and got["Configuration"]["PackageType"] == "Zip"
    assert got["Tags"] == {"team": "core"}
    assert got["Code"]["RepositoryType"] == "S3"
    names = []
    paginator = lam.get_paginator("list_functions")
    for page in paginator.paginate(PaginationConfig={"PageSize": 2}):
        names += [f["FunctionName"] for f in page["Functions"]]
    assert name in names
    lam.delete_function(FunctionName=name)
    code, status, message, _ = error_of(lam.get_function, FunctionName=name)
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == f"Function not found: arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}"



def test_runtimes_aws_no_longer_supports_are_refused(lam: Any, role: str) -> None:
    code, status, message, _ = error_of(lam.create_function, **_create_args(role, Runtime="python3.7"))
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == ("The runtime parameter of python3.7 is no longer supported for creating or updating AWS Lambda "
                       "functions. We recommend you use a supported runtime while creating or updating functions.")


def test_a_function_name_already_taken_is_a_conflict(functions: Functions, lam: Any) -> None:
    name = functions.python(VERSIONED)
    code, status, message, _ = error_of(lam.create_function, **{**_create_args(functions.role), "FunctionName": name})
    assert (code, status, message) == ("ResourceConflictException", 409, f"Function already exist: {name}")


def test_an_update_of_latest_leaves_published_versions_warm(functions: Functions, lam: Any) -> None:
    name = functions.python("count = 0\ndef handler(event, context):\n    global count\n    count += 1\n    return count\n")
    lam.publish_version(FunctionName=name)
    assert invoke(lam, name, Qualifier="1").payload == 1
    lam.update_function_configuration(FunctionName=name, Description="changed")
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    warm = invoke(lam, name, Qualifier="1")
    assert warm.payload == 2 and "Init Duration" not in warm.report()
    assert "Init Duration" in invoke(lam, name).report()  # $LATEST starts afresh


def test_update_function_code_dry_run_changes_nothing(functions: Functions, lam: Any) -> None:
    """UpdateFunctionCode with DryRun validates the request 'without modifying the function code'."""
    name = functions.python(VERSIONED)
    before = lam.get_function_configuration(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=zipped({"app.py": VERSIONED.replace("v1", "v2")}), DryRun=True)
    after = lam.get_function_configuration(FunctionName=name)
    assert (after["CodeSha256"], after["RevisionId"]) == (before["CodeSha256"], before["RevisionId"])
    assert invoke(lam, name).payload["code"] == "v1"


def test_an_update_with_the_same_code_is_a_change_publish_version_counts(functions: Functions, lam: Any) -> None:
    """PublishVersion makes no version when nothing changed since the last, but an UpdateFunctionCode
    is a change even with the same package: AWS publishes a version after it (moto's AWS-verified
    test_update_function_zip), and its Publish makes one each time."""
    name = functions.python(VERSIONED)
    package = zipped({"app.py": VERSIONED.replace("v1", "v2")})
    updated = lam.get_waiter("function_updated_v2")
    assert lam.update_function_code(FunctionName=name, ZipFile=package, Publish=True)["Version"] == "1"
    updated.wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    lam.update_function_code(FunctionName=name, ZipFile=package)
    updated.wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    assert lam.publish_version(FunctionName=name)["Version"] == "2"
    assert lam.publish_version(FunctionName=name)["Version"] == "2"  # nothing changed since
    same = lam.update_function_code(FunctionName=name, ZipFile=package, Publish=True)
    assert (same["Version"], same["FunctionArn"].rsplit(":", 1)[1]) == ("3", "3")
    updated.wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
    assert lam.publish_version(FunctionName=name)["Version"] == "3"
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2", "3"]
    assert {v["CodeSha256"] for v in versions} == {same["CodeSha256"]}
