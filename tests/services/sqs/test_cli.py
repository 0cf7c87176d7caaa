"""The AWS CLI v1 (`aws sqs`, json protocol with the bundled botocore) against the server."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.services.sqs.support import md5_of_body, unique


def _aws(aws_env: dict[str, str], endpoint: str, *args: str) -> Any:
    # CLI v1 ignores AWS_ENDPOINT_URL for sqs: the endpoint is given explicitly.
    done = subprocess.run([sys.executable, "-m", "awscli", "--endpoint-url", endpoint, "--output", "json", "sqs", *args],
                          env=aws_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def test_aws_cli_creates_a_queue_sends_and_receives(aws_env: dict[str, str], endpoint: str, sqs: Any) -> None:
    url = _aws(aws_env, endpoint, "create-queue", "--queue-name", unique(), "--attributes", "VisibilityTimeout=60")["QueueUrl"]
    sent = _aws(aws_env, endpoint, "send-message", "--queue-url", url, "--message-body", "from the cli",
                "--message-attributes", '{"k": {"DataType": "String", "StringValue": "v"}}')
    assert sent["MD5OfMessageBody"] == md5_of_body("from the cli")
    received = _aws(aws_env, endpoint, "receive-message", "--queue-url", url, "--message-attribute-names", "All")
    message = received["Messages"][0]
    assert (message["Body"], message["MessageAttributes"]["k"]["StringValue"]) == ("from the cli", "v")
    sqs.delete_queue(QueueUrl=url)
