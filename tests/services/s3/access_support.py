"""Helpers for the S3 access-control tests: anonymous HTTP calls, IAM users with keys of their
own, policy documents, and an S3 Control client whose `{AccountId}.` host goes to the test server."""

from __future__ import annotations

import json
import uuid
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

from tests.conftest import make_client
from tests.services.s3.core_support import send_to_loopback, server_port


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers) of a plain HTTP request, sent with no headers but those given
    (urllib would add a Content-Type, which a SigV2 signature covers)."""
    parts = urlsplit(url)
    connection = HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target or "/", body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def error_code(body: bytes) -> tuple[str, str]:
    """(Code, Message) of an S3 error document."""
    root = ElementTree.fromstring(body)
    return root.findtext("Code") or "", root.findtext("Message") or ""


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def statement(effect: str, principal: Any, action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource, **extra}


def iam_user(endpoint: str, identity_policy: str | None = None, key: str = "test", secret: str = "test") -> tuple[str, Any]:
    """A new IAM user (of the account `key` belongs to): its ARN and an S3 client signing as it."""
    iam = make_client(endpoint, "iam", key=key, secret=secret)
    name = f"s3user-{uuid.uuid4().hex[:8]}"
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    if identity_policy:
        iam.put_user_policy(UserName=name, PolicyName="s3", PolicyDocument=identity_policy)
    access = iam.create_access_key(UserName=name)["AccessKey"]
    return arn, make_client(endpoint, "s3", key=access["AccessKeyId"], secret=access["SecretAccessKey"])


def s3control(endpoint: str, **kwargs: Any) -> Any:
    """An S3 Control client: botocore puts the account in the host (`000000000000.127.0.0.1`), which
    no DNS resolves, so the connection is made to the test server as a hosts entry would."""
    client = make_client(endpoint, "s3control", **kwargs)
    client.meta.events.register_first("before-send.s3-control", send_to_loopback(server_port(endpoint)))
    return client
