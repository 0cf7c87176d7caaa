"""A bucket answers only requests signed for its own Region, as S3 does: the error names the right
Region, so SDKs that follow Region redirects (boto3) go on, and a presigned URL made for the wrong
Region fails here as it fails on AWS."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import ROOT_KEY, ROOT_SECRET, ServerProcess, make_client
from tests.services.s3.core_support import (
    OTHER_KEY,
    OTHER_SECRET,
    empty_and_delete,
    two_accounts,
    unique_bucket,
)

REGION = "eu-west-1"
__all__ = ["two_accounts"]


@pytest.fixture
def eu_bucket(endpoint: str) -> Iterator[str]:
    eu = make_client(endpoint, "s3", region=REGION)
    name = unique_bucket("region")
    eu.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    eu.put_object(Bucket=name, Key="k", Body=b"eu body")
    yield name
    empty_and_delete(eu, name)


def _signed(method: str, url: str, region: str) -> requests.Response:
    request = AWSRequest(method=method, url=url, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    SigV4Auth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", region).add_auth(request)
    return requests.request(method, url, headers=dict(request.headers), timeout=30)


def _signed_virtual(method: str, endpoint: str, bucket: str, path: str, region: str) -> requests.Response:
    """A virtual-hosted request (Host `bucket.s3.localhost`), sent to the test server's address."""
    host = f"{bucket}.s3.localhost:{endpoint.rsplit(':', 1)[1]}"
    request = AWSRequest(
        method=method, url=f"http://{host}{path}", headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
    )
    SigV4Auth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", region).add_auth(request)
    return requests.request(
        method, f"{endpoint}{path}", headers={**request.headers, "Host": host}, timeout=30
    )


def _error(response: requests.Response) -> tuple[str, str, str | None]:
    root = ET.fromstring(response.content)
    return root.findtext("Code") or "", root.findtext("Message") or "", root.findtext("Region")


def test_a_request_signed_for_another_region_is_refused_with_the_buckets_region(
    endpoint: str, eu_bucket: str
) -> None:
    answer = _signed_virtual("GET", endpoint, eu_bucket, "/k", "us-east-1")
    assert answer.status_code == 400
    assert answer.headers["x-amz-bucket-region"] == REGION
    assert _error(answer) == (
        "AuthorizationHeaderMalformed",
        "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
        REGION,
    )


def test_a_head_signed_for_another_region_is_a_bare_400_naming_the_region(
    endpoint: str, eu_bucket: str
) -> None:
    answer = _signed_virtual("HEAD", endpoint, eu_bucket, "/k", "us-west-2")
    assert (answer.status_code, answer.headers["x-amz-bucket-region"], answer.content) == (400, REGION, b"")


def test_a_path_style_request_signed_for_another_region_is_redirected_to_the_buckets_region(
    endpoint: str, eu_bucket: str
) -> None:
    # Path style reaches the endpoint of the signing Region, which answers 301 PermanentRedirect.
    answer = _signed("GET", f"{endpoint}/{eu_bucket}/k", "us-east-1")
    assert (answer.status_code, answer.headers["x-amz-bucket-region"]) == (301, REGION)
    root = ET.fromstring(answer.content)
    assert (root.findtext("Code"), root.findtext("Bucket")) == ("PermanentRedirect", eu_bucket)
    head = _signed("HEAD", f"{endpoint}/{eu_bucket}/k", "us-east-1")
    assert (head.status_code, head.headers["x-amz-bucket-region"], head.content) == (301, REGION, b"")


def test_a_request_signed_for_the_buckets_region_is_served(endpoint: str, eu_bucket: str) -> None:
    answer = _signed("GET", f"{endpoint}/{eu_bucket}/k", REGION)
    assert (answer.status_code, answer.content) == (200, b"eu body")


def test_boto3_in_another_region_follows_the_redirect(endpoint: str, eu_bucket: str) -> None:
    us = make_client(endpoint, "s3", region="us-east-1")
    us.put_object(Bucket=eu_bucket, Key="from-us", Body=b"written from a us-east-1 client")
    assert us.get_object(Bucket=eu_bucket, Key="from-us")["Body"].read() == b"written from a us-east-1 client"
    assert us.head_bucket(Bucket=eu_bucket)["BucketRegion"] == REGION
    assert [o["Key"] for o in us.list_objects_v2(Bucket=eu_bucket)["Contents"]] == ["from-us", "k"]


def test_get_bucket_location_answers_whatever_the_region(endpoint: str, eu_bucket: str) -> None:
    answer = _signed("GET", f"{endpoint}/{eu_bucket}?location", "us-east-1")
    assert answer.status_code == 200
    assert ET.fromstring(answer.content).text == REGION


def test_a_presigned_url_for_another_region_fails_as_on_aws(endpoint: str, eu_bucket: str) -> None:
    us: Any = make_client(endpoint, "s3", region="us-east-1", signature_version="s3v4")
    url = us.generate_presigned_url("get_object", Params={"Bucket": eu_bucket, "Key": "k"})
    answer = requests.get(url, timeout=30)
    assert answer.status_code == 400
    assert answer.headers["x-amz-bucket-region"] == REGION
    assert _error(answer) == (
        "AuthorizationQueryParametersError",
        "Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
        REGION,
    )
    eu: Any = make_client(endpoint, "s3", region=REGION, signature_version="s3v4")
    right = requests.get(
        eu.generate_presigned_url("get_object", Params={"Bucket": eu_bucket, "Key": "k"}), timeout=30
    )
    assert (right.status_code, right.content) == (200, b"eu body")


def test_a_us_east_1_bucket_refuses_a_request_signed_for_another_region(endpoint: str, bucket: str) -> None:
    answer = _signed_virtual("GET", endpoint, bucket, "/?list-type=2", "eu-central-1")
    assert answer.status_code == 400
    assert _error(answer)[0::2] == ("AuthorizationHeaderMalformed", "us-east-1")


def test_head_bucket_names_the_region_even_to_a_caller_it_refuses(two_accounts: ServerProcess) -> None:
    owner = make_client(two_accounts.endpoint, "s3", region=REGION)
    name = unique_bucket("region-403")
    owner.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    stranger = make_client(two_accounts.endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET, region=REGION)
    with pytest.raises(ClientError) as refused:
        stranger.head_bucket(Bucket=name)
    answer = refused.value.response["ResponseMetadata"]
    assert (answer["HTTPStatusCode"], answer["HTTPHeaders"].get("x-amz-bucket-region")) == (403, REGION)
    owner.delete_bucket(Bucket=name)
