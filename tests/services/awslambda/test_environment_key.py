"""Environment variables under a customer managed KMS key (KMSKeyArn): configuring the key is a
KMS CreateGrant made as the caller, and each invocation decrypts the variables as the execution
role, so a key KMS refuses fails the configuration (InvalidParameterValueException) or the
invocation (KMS*Exception, 502), as AWS answers ("Securing Lambda environment variables")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, error_of, unique, zipped

READS_VARIABLE = "import os\ndef handler(event, context):\n    return os.environ.get('SECRET')\n"
CONFIGURE = (
    "Lambda was unable to configure access to your environment variables because the KMS key is invalid "
    "for CreateGrant. Please check your KMS key settings. KMS Exception: "
)


@pytest.fixture(scope="module")
def kms(server: ServerProcess) -> Any:
    return server.client("kms")


@pytest.fixture
def role_name(server: ServerProcess) -> str:
    name = unique("env-key-role")
    server.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=LAMBDA_TRUST)
    return name


@pytest.fixture
def made(lam: Any, server: ServerProcess, role_name: str) -> Iterator[Functions]:
    role = server.client("iam").get_role(RoleName=role_name)["Role"]["Arn"]
    functions = Functions(lam, role)
    yield functions
    functions.cleanup()


def _allow_decrypt(server: ServerProcess, role_name: str, key_arn: str) -> None:
    statement = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn}
    server.client("iam").put_role_policy(
        RoleName=role_name,
        PolicyName="decrypt",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )


def test_an_alias_or_a_missing_key_cannot_protect_the_variables(kms: Any, made: Functions) -> None:
    alias = f"arn:aws:kms:us-east-1:{ROOT_ACCOUNT}:alias/aws/lambda"
    code, status, message, _ = error_of(made.python, READS_VARIABLE, KMSKeyArn=alias)
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert (
        message
        == CONFIGURE + "InvalidArnException KMS Message: Key Aliases are not supported for this operation."
    )
    missing = f"arn:aws:kms:us-east-1:{ROOT_ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
    code, _, message, _ = error_of(made.python, READS_VARIABLE, KMSKeyArn=missing)
    assert code == "InvalidParameterValueException"
    assert message == CONFIGURE + f"NotFoundException KMS Message: Key '{missing}' does not exist"


def test_the_execution_role_must_be_allowed_to_decrypt_the_variables(
    server: ServerProcess, kms: Any, lam: Any, made: Functions, role_name: str
) -> None:
    key = kms.create_key()["KeyMetadata"]["Arn"]  # the default key policy: IAM policies decide
    name = made.python(READS_VARIABLE, KMSKeyArn=key, Environment={"Variables": {"SECRET": "s3cr3t"}})
    assert lam.get_function_configuration(FunctionName=name)["KMSKeyArn"] == key

    code, status, message, _ = error_of(lam.invoke, FunctionName=name)
    assert (code, status) == ("KMSAccessDeniedException", 502)
    assert message.startswith(
        "Lambda was unable to decrypt the environment variables because KMS access was denied. Please check "
        "the function's KMS key settings. KMS Exception: AccessDeniedExceptionKMS Message: User: "
        f"arn:aws:sts::{ROOT_ACCOUNT}:assumed-role/{role_name}/{name} is not authorized to perform: kms:Decrypt "
        f"on resource: {key} because no identity-based policy allows the kms:Decrypt action (Service: Kms, "
    )

    _allow_decrypt(server, role_name, key)
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == "s3cr3t"


def test_a_disabled_or_doomed_key_fails_the_invocation(
    server: ServerProcess, kms: Any, lam: Any, made: Functions, role_name: str
) -> None:
    key = kms.create_key()["KeyMetadata"]["Arn"]
    _allow_decrypt(server, role_name, key)
    name = made.python(READS_VARIABLE, KMSKeyArn=key, Environment={"Variables": {"SECRET": "s3cr3t"}})
    kms.disable_key(KeyId=key)
    code, status, message, _ = error_of(lam.invoke, FunctionName=name)
    assert (code, status) == ("KMSDisabledException", 502)
    assert message.startswith(
        "Lambda was unable to decrypt the environment variables because the KMS key used is disabled."
    )
    kms.enable_key(KeyId=key)
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == "s3cr3t"
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    assert error_of(lam.invoke, FunctionName=name)[:2] == ("KMSInvalidStateException", 502)


def test_a_function_without_variables_needs_nothing_of_its_key(kms: Any, lam: Any, made: Functions) -> None:
    key = kms.create_key()["KeyMetadata"]["Arn"]
    name = made.python(READS_VARIABLE, KMSKeyArn=key)
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) is None


def test_the_key_is_named_only_while_there_are_variables(kms: Any, lam: Any, made: Functions) -> None:
    # "the KMS Key ARN is not returned if environment variables are not in use" (the Terraform AWS
    # provider's TestAccLambdaFunction_KMSKeyARN_noEnvironmentVariables, run against AWS).
    key = kms.create_key()["KeyMetadata"]["Arn"]
    name = made.python(READS_VARIABLE, KMSKeyArn=key)
    assert "KMSKeyArn" not in lam.get_function_configuration(FunctionName=name)
    assert "KMSKeyArn" not in lam.get_function(FunctionName=name)["Configuration"]
    updated = lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"SECRET": "s"}})
    assert updated["KMSKeyArn"] == key
    lam.get_waiter("function_updated_v2").wait(FunctionName=name)
    cleared = lam.update_function_configuration(FunctionName=name, KMSKeyArn="")
    assert "KMSKeyArn" not in cleared


def test_the_caller_configuring_the_key_needs_kms_create_grant(
    server: ServerProcess, kms: Any, made: Functions, role_name: str
) -> None:
    key = kms.create_key()["KeyMetadata"]["Arn"]
    iam = server.client("iam")
    user = unique("env-key-user")
    iam.create_user(UserName=user)
    allowed = {"Effect": "Allow", "Action": ["lambda:*", "iam:PassRole"], "Resource": "*"}
    iam.put_user_policy(
        UserName=user,
        PolicyName="lambda",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allowed]}),
    )
    access = iam.create_access_key(UserName=user)["AccessKey"]
    as_user = make_client(
        server.endpoint, "lambda", key=access["AccessKeyId"], secret=access["SecretAccessKey"]
    )
    name = made.python(READS_VARIABLE)
    code, _, message, _ = error_of(as_user.update_function_configuration, FunctionName=name, KMSKeyArn=key)
    assert code == "InvalidParameterValueException"
    assert message.startswith(CONFIGURE + "AccessDeniedException KMS Message: User: ")
    assert "kms:CreateGrant" in message


def test_the_key_of_the_code_is_named_in_get_functions_code(kms: Any, lam: Any, made: Functions) -> None:
    # FunctionCodeLocation.SourceKMSKeyArn: the key the .zip package was given under (the Terraform AWS
    # provider's TestAccLambdaFunction_sourceKMSKeyARN reads it back from AWS).
    key = kms.create_key()["KeyMetadata"]["Arn"]
    source = "def handler(event, context):\n    return 1\n"
    name = made.create({"app.py": source}, code={"ZipFile": zipped({"app.py": source}), "SourceKMSKeyArn": key})
    assert lam.get_function(FunctionName=name)["Code"]["SourceKMSKeyArn"] == key
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    lam.update_function_code(FunctionName=name, ZipFile=zipped({"app.py": source + "# new\n"}))
    assert "SourceKMSKeyArn" not in lam.get_function(FunctionName=name)["Code"]  # new code, Lambda's own key
