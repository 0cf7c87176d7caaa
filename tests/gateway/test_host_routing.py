"""Requests told apart by their Host: a virtual-hosted bucket at `<bucket>.localhost` (what an SDK with
`addressing_style="virtual"` and the endpoint `http://localhost:4566` sends) whatever its name starts with."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import make_client
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
