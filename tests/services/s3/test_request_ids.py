"""S3's request ids: 16 upper-case characters (`x-amz-request-id: 4442587FB7D0A2F9`, as S3 and
S3 Control answer; the documentation's example is 79104EXAMPLEB723), one per request, the same in
an error's body, where the other services answer UUIDs."""

from __future__ import annotations

import re
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import make_client

S3_REQUEST_ID = re.compile(r"[0-9A-Z]{16}")


def test_s3_request_ids_are_sixteen_upper_case_characters(s3: Any, bucket: str) -> None:
    ids = [s3.put_object(Bucket=bucket, Key=f"k{n}", Body=b"x")["ResponseMetadata"]["RequestId"] for n in range(5)]
    assert all(S3_REQUEST_ID.fullmatch(request_id) for request_id in ids), ids
    assert len(set(ids)) == 5


def test_an_s3_error_names_its_request_id_in_header_and_body(s3: Any, bucket: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        s3.get_object(Bucket=bucket, Key="missing")
    answer = caught.value.response
    assert S3_REQUEST_ID.fullmatch(answer["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"])
    assert answer["ResponseMetadata"]["RequestId"] == answer["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]


def test_other_services_keep_uuid_request_ids(endpoint: str) -> None:
    request_id = make_client(endpoint, "sqs").list_queues()["ResponseMetadata"]["RequestId"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", request_id)
