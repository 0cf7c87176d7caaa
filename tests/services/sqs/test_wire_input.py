"""SQS inputs at the wire that once got a 500, sent as raw bytes."""

from __future__ import annotations

import json

from tests.conftest import make_client
from tests.raw_http import error_code, exchange, signed_request


def test_a_null_batch_entry_is_no_entry(endpoint: str) -> None:
    # JSON allows [null]; botocore never sends it. SQS reads a null entry as no entry.
    queue_url = make_client(endpoint, "sqs").create_queue(QueueName="wire-null-entry")["QueueUrl"]
    for operation in ("SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch"):
        headers = {"content-type": "application/x-amz-json-1.0", "x-amz-target": f"AmazonSQS.{operation}"}
        body = json.dumps({"QueueUrl": queue_url, "Entries": [None]}).encode()
        status, _, answer = exchange(endpoint, signed_request(endpoint, "POST", "/", "sqs", body, headers))
        assert (status, error_code(answer)) == (400, "EmptyBatchRequest")
        assert f"There should be at least one {operation}RequestEntry in the request.".encode() in answer
