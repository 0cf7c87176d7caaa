"""Helpers for the KMS tests: the AWS error a call answers with, ARNs of the test account, and IAM
users with access keys of their own (for the authorization tests)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, make_client

REGION = "us-east-1"
ROOT_ARN = f"arn:aws:iam::{ROOT_ACCOUNT}:root"


def key_arn(key_id: str) -> str:
    return f"arn:aws:kms:{REGION}:{ROOT_ACCOUNT}:key/{key_id}"


def alias_arn(alias_name: str) -> str:
    return f"arn:aws:kms:{REGION}:{ROOT_ACCOUNT}:{alias_name}"


def unique_alias(prefix: str = "test") -> str:
    return f"alias/{prefix}-{uuid.uuid4().hex[:10]}"


def error_of(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, int, str]:
    """(code, HTTP status, message) of the AWS error a call must answer with."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    error = info.value.response
    return (
        error["Error"]["Code"],
        error["ResponseMetadata"]["HTTPStatusCode"],
        error["Error"].get("Message", ""),
    )


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal: Any, action: str | list[str] = "kms:*", resource: str = "*") -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if principal is not None:
        statement["Principal"] = principal
    return statement


def iam_user(endpoint: str, identity_policy: str | None = None) -> tuple[str, Any]:
    """A new IAM user of the root account: its ARN and a KMS client signing as it."""
    iam = make_client(endpoint, "iam")
    name = f"kmsuser-{uuid.uuid4().hex[:8]}"
    arn: str = iam.create_user(UserName=name)["User"]["Arn"]
    if identity_policy:
        iam.put_user_policy(UserName=name, PolicyName="kms", PolicyDocument=identity_policy)
    access = iam.create_access_key(UserName=name)["AccessKey"]
    return arn, make_client(endpoint, "kms", key=access["AccessKeyId"], secret=access["SecretAccessKey"])
