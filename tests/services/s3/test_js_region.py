"""S3's Region handling and presigned URLs as the AWS SDK for JavaScript v3 sees them
(tests/js/s3_region_client.mjs): a client configured for us-east-1 follows the redirect to an
eu-west-1 bucket when `followRegionRedirects` is on and fails as on AWS when it is off, and URLs from
@aws-sdk/s3-request-presigner work, or fail with S3's errors, through Node's fetch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.services.js_sdk_support import js_sdk, run_js

__all__ = ["js_sdk"]
REDIRECT = (
    "The bucket you are attempting to access must be addressed using the specified endpoint. "
    "Please send all future requests to this endpoint."
)


@pytest.fixture(scope="module")
def seen(js_sdk: Path, endpoint: str) -> dict[str, Any]:
    return run_js(js_sdk, "s3_region_client.mjs", endpoint)


def test_following_region_redirects_every_call_reaches_the_eu_bucket(seen: dict[str, Any]) -> None:
    follow = seen["follow"]
    assert follow["put"]["ok"] == '"5efcf4146a37504b3dd665581815e2ef"'  # MD5 of "hello eu"
    assert follow["get"] == {"ok": "hello eu"}
    assert follow["list"] == {"ok": ["gone.txt", "k.txt"]}
    assert follow["delete"] == {"ok": 204}


def test_following_region_redirects_head_object_and_head_bucket_get_through(seen: dict[str, Any]) -> None:
    assert seen["follow"]["head"] == {"ok": 8}
    assert seen["follow"]["headBucket"] == {"ok": "eu-west-1"}


def test_without_following_a_path_style_call_gets_s3s_permanent_redirect(seen: dict[str, Any]) -> None:
    for call in ("get", "put"):
        assert seen["strict"][call] == {
            "name": "PermanentRedirect",
            "status": 301,
            "message": REDIRECT,
            "region": None,
            "bucketRegion": "eu-west-1",
        }


def test_without_following_a_head_gets_a_bare_301_naming_the_region(seen: dict[str, Any]) -> None:
    for call in ("head", "headBucket"):
        assert (seen["strict"][call]["status"], seen["strict"][call]["bucketRegion"]) == (301, "eu-west-1")


def test_presigned_put_and_get_for_the_buckets_region_work_through_fetch(seen: dict[str, Any]) -> None:
    assert seen["presignedPut"]["status"] == 200
    assert (seen["presignedGet"]["status"], seen["presignedGet"]["body"]) == (200, "via a presigned PUT")


def test_a_presigned_put_with_the_sdks_default_empty_body_checksum_takes_any_body(seen: dict[str, Any]) -> None:
    # The SDK's default presigned PutObject URL carries the CRC32 of an empty body in its query; S3
    # honours a checksum only as a header, so the upload works (see auth/sigv2.py, _not_from_query).
    assert seen["emptyCrc"]["query"] == "AAAAAA=="
    assert seen["emptyCrc"]["put"]["status"] == 200


def test_a_url_presigned_for_another_region_gets_authorization_query_parameters_error(
    seen: dict[str, Any],
) -> None:
    wrong = seen["wrongRegion"]
    assert (wrong["status"], wrong["code"], wrong["region"]) == (
        400,
        "AuthorizationQueryParametersError",
        "eu-west-1",
    )
    assert wrong["message"] == (
        "Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'"
    )


def test_an_expired_presigned_url_is_denied(seen: dict[str, Any]) -> None:
    expired = seen["expired"]
    assert (expired["status"], expired["code"], expired["message"]) == (
        403,
        "AccessDenied",
        "Request has expired",
    )


def test_a_presigned_put_with_a_signed_content_type_must_be_sent_with_it(seen: dict[str, Any]) -> None:
    assert seen["typedSignedHeaders"] == "content-type;host"
    assert (seen["typedWithout"]["status"], seen["typedWithout"]["code"]) == (403, "SignatureDoesNotMatch")
    assert seen["typedWith"]["status"] == 200
    assert seen["typedHead"] == "application/json"
