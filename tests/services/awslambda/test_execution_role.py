"""A function acts with its execution role: boto3 inside it reaches pocketcloud through
AWS_ENDPOINT_URL with the role's temporary credentials, and IAM decides what it may do.
"""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, invoke, unique

# boto3 is importable because Python functions run on the server's own interpreter (see runtimes.py),
# as Lambda's managed Python runtimes ship boto3.
READER = """
import boto3
from botocore.exceptions import ClientError
def handler(event, context):
    s3 = boto3.client("s3")
    body = s3.get_object(Bucket=event["bucket"], Key="hello.txt")["Body"].read().decode()
    try:
        s3.put_object(Bucket=event["bucket"], Key="written.txt", Body=b"no")
        write = "allowed"
    except ClientError as exc:
        write = exc.response["Error"]["Code"]
    caller = boto3.client("sts").get_caller_identity()["Arn"]
    return {"read": body, "write": write, "caller": caller}
"""


def test_a_function_may_do_what_its_role_allows_and_nothing_more(server: ServerProcess, lam: Any) -> None:
    iam: Any = server.client("iam")
    s3: Any = server.client("s3")
    bucket = unique("readable")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="hello.txt", Body=b"hello from s3")
    role_name = unique("reader")
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    iam.put_role_policy(RoleName=role_name, PolicyName="read-one-bucket", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                       "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}],
    }))
    functions = Functions(lam, role)
    try:
        name = functions.python(READER, timeout=10)
        result = invoke(lam, name, {"bucket": bucket})
        assert result.function_error is None, result.raw
        assert result.payload["read"] == "hello from s3"
        assert result.payload["write"] == "AccessDenied"
        assert result.payload["caller"] == f"arn:aws:sts::000000000000:assumed-role/{role_name}/{name}"
        assert "written.txt" not in [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    finally:
        functions.cleanup()
