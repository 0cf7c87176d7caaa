"""Browser POST uploads whose policy leaves out the bucket: S3 refuses them, since every input of
the form, the bucket it is posted to included, must be named by a condition of the signed policy."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
from typing import Any

from tests.conftest import ROOT_KEY, ROOT_SECRET
from tests.services.s3.test_post_upload import post_form


def _sigv2_fields(document: dict[str, Any]) -> dict[str, str]:
    encoded = base64.b64encode(json.dumps(document).encode()).decode()
    signature = base64.b64encode(
        hmac.new(ROOT_SECRET.encode(), encoded.encode(), hashlib.sha1).digest()
    ).decode()
    return {"AWSAccessKeyId": ROOT_KEY, "policy": encoded, "signature": signature}


def _expiration() -> str:
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    return later.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_policy_without_a_bucket_condition_is_refused(endpoint: str, s3: Any, bucket: str) -> None:
    document = {"expiration": _expiration(), "conditions": [["starts-with", "$key", "up/"]]}
    status, body, _ = post_form(f"{endpoint}/{bucket}", {"key": "up/a", **_sigv2_fields(document)}, b"data")
    assert status == 403
    assert b"<Code>AccessDenied</Code>" in body
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_a_policy_naming_the_bucket_is_accepted(endpoint: str, s3: Any, bucket: str) -> None:
    document = {
        "expiration": _expiration(),
        "conditions": [{"bucket": bucket}, ["starts-with", "$key", "up/"]],
    }
    status, _, _ = post_form(f"{endpoint}/{bucket}", {"key": "up/a", **_sigv2_fields(document)}, b"data")
    assert status == 204
    assert s3.get_object(Bucket=bucket, Key="up/a")["Body"].read() == b"data"
