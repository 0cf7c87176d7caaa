"""Requests told apart by their Host: a virtual-hosted bucket at `<bucket>.localhost` (what an SDK with
`addressing_style="virtual"` and the endpoint `http://localhost:4566` sends) whatever its name starts
with, and S3 Control's `<account>.localhost`, which stays S3 Control's though it reads like a bucket's."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from typing import Any

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.s3.core_support import empty_and_delete, server_port, virtual_client


def test_a_bucket_named_like_the_s3_endpoint_is_reached_at_localhost(endpoint: str) -> None:
    # Only the endpoint's own names (`s3.localhost`, `s3-us-west-2.localhost`) are no bucket.
    s3: Any = make_client(endpoint, "s3")
    client = virtual_client(server_port(endpoint), host="localhost")
    for name in (f"s3-{uuid.uuid4().hex[:12]}", f"s3.{uuid.uuid4().hex[:12]}"):
        client.create_bucket(Bucket=name)
        try:
            client.put_object(Bucket=name, Key="k", Body=b"virtual")
            assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"virtual"
        finally:
            empty_and_delete(s3, name)


def test_an_unsigned_s3_control_request_at_its_account_host_is_s3_controls(endpoint: str) -> None:
    request = urllib.request.Request(
        f"{endpoint}/v20180820/accesspoint",
        headers={"Host": f"{ROOT_ACCOUNT}.localhost:{server_port(endpoint)}", "x-amz-account-id": ROOT_ACCOUNT},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    assert status == 403, body
    assert b"<ErrorResponse" in body and b"<Code>AccessDenied</Code>" in body  # S3 Control's, not S3's NoSuchBucket
