"""Behaviours botocore's own integration tests (tests/integration/test_s3.py, run against real AWS)
check and pocketcloud once got wrong.

Signature Version 2 is accepted only in the Regions launched before 30 January 2014; a bucket in a
newer Region (eu-central-1 here, as in botocore's `test_region_redirect_sigv2_to_sigv4_raises_error`)
refuses SigV2 in every form with 400 InvalidRequest (S3 API Reference, "Specifying the Signature
Version in request authentication"), while a bucket in an older Region other than us-east-1 still
takes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pytest
import requests

from tests.conftest import make_client
from tests.services.s3.core_support import empty_and_delete, error_of, unique_bucket

NOT_SUPPORTED = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."


def _regional_bucket(endpoint: str, region: str) -> Iterator[str]:
    s3 = make_client(endpoint, "s3", region=region)
    name = unique_bucket("sigv2")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_object(Bucket=name, Key="k", Body=b"body")
    yield name
    empty_and_delete(s3, name)


@pytest.fixture
def frankfurt_bucket(endpoint: str) -> Iterator[str]:
    yield from _regional_bucket(endpoint, "eu-central-1")


@pytest.fixture
def oregon_bucket(endpoint: str) -> Iterator[str]:
    yield from _regional_bucket(endpoint, "us-west-2")


def _v2(endpoint: str, region: str) -> Any:
    return make_client(endpoint, "s3", region=region, signature_version="s3")


def _error_code_and_message(response: requests.Response) -> tuple[int, str, str]:
    root = ElementTree.fromstring(response.content)
    return response.status_code, root.findtext("Code") or "", root.findtext("Message") or ""


def test_a_sigv2_header_request_to_a_sigv4_only_region_is_invalid_request(
    endpoint: str, frankfurt_bucket: str
) -> None:
    v2 = _v2(endpoint, "eu-central-1")
    assert error_of(v2.list_objects, Bucket=frankfurt_bucket) == ("InvalidRequest", 400, NOT_SUPPORTED)
    assert error_of(v2.get_object, Bucket=frankfurt_bucket, Key="k") == ("InvalidRequest", 400, NOT_SUPPORTED)


def test_a_sigv2_presigned_url_for_a_sigv4_only_region_is_invalid_request(
    endpoint: str, frankfurt_bucket: str
) -> None:
    url = _v2(endpoint, "eu-central-1").generate_presigned_url(
        "get_object", Params={"Bucket": frankfurt_bucket, "Key": "k"}
    )
    assert _error_code_and_message(requests.get(url, timeout=30)) == (400, "InvalidRequest", NOT_SUPPORTED)


def test_a_sigv2_post_form_for_a_sigv4_only_region_is_invalid_request_and_stores_nothing(
    endpoint: str, frankfurt_bucket: str
) -> None:
    post = _v2(endpoint, "eu-central-1").generate_presigned_post(frankfurt_bucket, "posted")
    response = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"data")}, timeout=30)
    assert _error_code_and_message(response) == (400, "InvalidRequest", NOT_SUPPORTED)
    v4 = make_client(endpoint, "s3", region="eu-central-1")
    assert [o["Key"] for o in v4.list_objects_v2(Bucket=frankfurt_bucket)["Contents"]] == ["k"]


def test_a_sigv4_only_region_still_answers_sigv4_and_tells_sigv2_clients_its_location(
    endpoint: str, frankfurt_bucket: str
) -> None:
    v4 = make_client(endpoint, "s3", region="eu-central-1", signature_version="s3v4")
    assert v4.get_object(Bucket=frankfurt_bucket, Key="k")["Body"].read() == b"body"
    # GetBucketLocation is how a client finds a bucket's Region; us-east-1 answers it for any bucket.
    location = _v2(endpoint, "us-east-1").get_bucket_location(Bucket=frankfurt_bucket)
    assert location["LocationConstraint"] == "eu-central-1"


def test_a_bucket_in_an_older_region_takes_sigv2_in_the_header_and_the_query(
    endpoint: str, oregon_bucket: str
) -> None:
    v2 = _v2(endpoint, "us-west-2")
    assert [o["Key"] for o in v2.list_objects(Bucket=oregon_bucket)["Contents"]] == ["k"]
    url = v2.generate_presigned_url("get_object", Params={"Bucket": oregon_bucket, "Key": "k"})
    response = requests.get(url, timeout=30)
    assert (response.status_code, response.content) == (200, b"body")
