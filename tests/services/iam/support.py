"""Helpers for the IAM and STS end-to-end tests: unique names, policy documents,
users with keys of their own, and the AWS error a call answered with.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, make_client

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
AWS_POLICY = "arn:aws:iam::aws:policy/"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def when_tagged(action: str | list[str], key: str, value: str, effect: str = "Allow") -> dict[str, Any]:
    """A statement on any resource whose tag `key` is `value` (aws:ResourceTag/<key>)."""
    return {
        "Effect": effect,
        "Action": action,
        "Resource": "*",
        "Condition": {"StringEquals": {f"aws:ResourceTag/{key}": value}},
    }


def trust(principal: str | dict[str, Any], **extra: Any) -> str:
    """A role trust policy letting `principal` (an ARN, or a Principal element) assume the role."""
    element = principal if isinstance(principal, dict) else {"AWS": principal}
    return doc({"Effect": "Allow", "Principal": element, "Action": "sts:AssumeRole", **extra})


def user_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ROOT_ACCOUNT}:user{path}{name}"


def error_of(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, int, str]:
    """(code, HTTP status, message) of the AWS error a call must answer with."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


class Caller:
    """An IAM user with an access key of its own, and clients that sign with that key."""

    def __init__(self, endpoint: str, iam: Any, name: str | None = None) -> None:
        self.endpoint = endpoint
        self.name = name or unique("caller")
        self.arn = user_arn(self.name)
        iam.create_user(UserName=self.name)
        key = iam.create_access_key(UserName=self.name)["AccessKey"]
        self.key_id, self.secret = key["AccessKeyId"], key["SecretAccessKey"]

    def client(self, service: str) -> Any:
        return make_client(self.endpoint, service, key=self.key_id, secret=self.secret)


def session_client(endpoint: str, service: str, credentials: dict[str, Any]) -> Any:
    """A client signing with temporary credentials from AssumeRole or GetSessionToken."""
    return make_client(
        endpoint, service, key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
        token=credentials["SessionToken"],
    )


def totp(seed: bytes, step: int) -> str:
    """What an authenticator app shows for a time step (RFC 6238)."""
    digest = hmac.new(base64.b32decode(seed), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def two_codes(seed: bytes) -> dict[str, str]:
    step = int(time.time()) // 30 - 1
    return {"AuthenticationCode1": totp(seed, step), "AuthenticationCode2": totp(seed, step + 1)}
