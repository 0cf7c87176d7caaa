"""Helpers for the S3 core end-to-end tests: clients, unique buckets that clean up
after themselves, the AWS error a call answered with, and a virtual-hosted client.

Virtual-hosted addressing needs `<bucket>.s3.localhost` to resolve, and there is
no DNS for it here. `virtual_client` is a real boto3 client with
`addressing_style='virtual'`: botocore builds, signs and sends the request with
the bucket in the Host header exactly as it would to AWS; only the TCP connection
goes to 127.0.0.1 (what a hosts-file entry would do).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import urllib3
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, make_client


def unique_bucket(prefix: str = "core") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def error_of(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, int, str]:
    """(code, HTTP status, message) of the AWS error a call must answer with."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    return (
        response["Error"].get("Code", ""),
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"].get("Message", ""),
    )


def allow_sse_c(s3: Any, bucket: str) -> None:
    """Let a bucket take SSE-C writes, which buckets created since April 2026 refuse until told."""
    rule = {
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
        "BlockedEncryptionTypes": {"EncryptionType": ["NONE"]},
    }
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})


def new_kms_key(endpoint: str) -> dict[str, str]:
    """A new KMS key of the root account: its KeyMetadata (KeyId, Arn, ...)."""
    metadata: dict[str, str] = make_client(endpoint, "kms").create_key()["KeyMetadata"]
    return metadata


def empty_locked_bucket(s3: Any, name: str) -> None:
    """Delete an Object Lock bucket: legal holds lifted, GOVERNANCE retention bypassed, and what
    remains (short COMPLIANCE retention, ending within seconds) waited out."""
    deadline = time.monotonic() + 10
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        for version in page.get("Versions", []):
            s3.put_object_legal_hold(
                Bucket=name, Key=version["Key"], VersionId=version["VersionId"], LegalHold={"Status": "OFF"}
            )
    while True:
        try:
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
                for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
                    s3.delete_object(
                        Bucket=name, Key=version["Key"], VersionId=version["VersionId"], BypassGovernanceRetention=True
                    )
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    empty_and_delete(s3, name)


def empty_and_delete(s3: Any, bucket: str) -> None:
    """Remove every version, delete marker and upload of a bucket, then the bucket."""
    try:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            doomed = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if any(ord(c) < 0x20 and c not in "\t\n\r" for d in doomed for c in d["Key"]):
                # Characters XML 1.0 cannot carry make DeleteObjects' body malformed, at AWS too.
                for item in doomed:
                    s3.delete_object(Bucket=bucket, **item)
            elif doomed:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
        for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
            s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        s3.delete_bucket(Bucket=bucket)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchBucket":
            raise


@pytest.fixture(scope="session")
def s3(endpoint: str) -> Any:
    return make_client(endpoint, "s3")


# The other account of `two_accounts`, a server of its own that knows a second account's key.
OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET = "111111111111", "AKIAOTHERACCOUNT0001", "other-secret"


@pytest.fixture(scope="module")
def two_accounts() -> Iterator[ServerProcess]:
    proc = ServerProcess(env={"POCKETCLOUD_ACCOUNTS": f"{OTHER_ACCOUNT}:{OTHER_KEY}:{OTHER_SECRET}"}).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def plain(endpoint: str) -> Any:
    """A client that adds no checksum to a request unless the operation requires one (S3 then gives
    the object its default CRC64NVME)."""
    return make_client(
        endpoint,
        "s3",
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


@pytest.fixture
def bucket(s3: Any) -> Iterator[str]:
    name = unique_bucket()
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete(s3, name)


@pytest.fixture
def versioned_bucket(s3: Any) -> Iterator[str]:
    name = unique_bucket("ver")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    yield name
    empty_and_delete(s3, name)


def send_to_loopback(port: int) -> Callable[..., AWSResponse]:
    pool = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=4)

    def send(request: Any, **_: Any) -> AWSResponse:
        target = urlsplit(request.url)
        path = target.path + (f"?{target.query}" if target.query else "")
        headers = dict(request.headers.items())
        # botocore's CRT signer (awscrt installed) adds its own lowercase "host": send one Host only.
        if not any(name.lower() == "host" for name in headers):
            headers["Host"] = target.netloc
        raw = pool.urlopen(
            request.method,
            path,
            body=request.body,
            headers=headers,
            retries=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
        )
        return AWSResponse(request.url, raw.status, raw.headers, raw)

    return send


def virtual_client(server_port: int, host: str = "s3.localhost", **config: Any) -> Any:
    """A boto3 S3 client using virtual-hosted addressing against `<host>:<port>`."""
    client = make_client(f"http://{host}:{server_port}", "s3", s3={"addressing_style": "virtual"}, **config)
    client.meta.events.register_first("before-send.s3", send_to_loopback(server_port))
    return client


def server_port(endpoint: str) -> int:
    return int(endpoint.rsplit(":", 1)[1])


def queue_s3_may_send_to(sqs: Any, prefix: str, bucket: str | None = None) -> tuple[str, str]:
    """(URL, ARN) of a new queue whose policy lets S3 send it events (from `bucket` only, if named)."""
    url = sqs.create_queue(QueueName=f"{prefix}-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": arn,
    }
    if bucket is not None:
        statement["Condition"] = {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}}
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    return url, arn
