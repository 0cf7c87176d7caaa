"""What the restart tests (test_restart_*.py) share: names, zipped code, the describe helper that
strips request metadata, and the policies they attach; their `first` and `restart` fixtures are in
conftest.py.

Each test builds state through boto3 on a server of its own (the state survives a clean SIGTERM stop
and kill -9 alike: every write was acknowledged before the kill), describes it with every
Get/List/Describe that applies, restarts the server, describes it again and compares the answers
value for value, then checks that the work in progress carries on."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

STOPS = ["sigterm", "kill9"]
REGION = "us-east-1"
TRUST_LAMBDA = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
ALLOW_S3_READ = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]})


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def zipped(source: str, name: str = "app.py") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, source)
    return buffer.getvalue()


Calls = list[tuple[str, Callable[..., Any], dict[str, Any]]]


def describe(calls: Calls) -> dict[str, Any]:
    """Each call's answer without its request metadata (request id, date); streamed bodies read."""
    found: dict[str, Any] = {}
    for label, call, kwargs in calls:
        answer = dict(call(**kwargs))
        answer.pop("ResponseMetadata", None)
        for key in ("Body", "Payload"):
            if hasattr(answer.get(key), "read"):
                answer[key] = answer[key].read()
        found[label] = answer
    return found
