"""SigV4a (AWS4-ECDSA-P256-SHA256), as the AWS Common Runtime signs it: boto3 with
signature_version="s3v4a", the SDK for Java's DefaultAwsCrtS3V4aSigner (aws-sdk-java-v2's
HttpChecksumIntegrationTest puts and gets "Hello world" so against a regional endpoint). The scope
names no Region; the signed X-Amz-Region-Set header (or presigned parameter) names the Regions the
signature is good for, and a bucket answers a request whose set takes its Region."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import botocore.auth  # noqa: F401  (botocore.crt.auth imports it back: it must come first)
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.crt.auth import CrtS3SigV4AsymAuth, CrtSigV4AsymAuth

from tests.conftest import make_client
from tests.services.s3.access_support import http
from tests.services.s3.core_support import empty_and_delete, error_of

REGION = "us-west-2"


def v4a_client(endpoint: str, region: str = REGION, secret: str = "test", **config: Any) -> Any:
    return make_client(endpoint, "s3", secret=secret, region=region, signature_version="s3v4a", **config)


@pytest.fixture
def west_bucket(endpoint: str) -> Iterator[str]:
    name = f"v4a-{uuid.uuid4().hex[:16]}"
    west = make_client(endpoint, "s3", region=REGION)
    west.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    yield name
    empty_and_delete(west, name)


def captured(client: Any, call: str, **params: Any) -> dict[str, str]:
    """The headers and URL of the request `client` signs for `call`, which is not sent."""
    seen: dict[str, str] = {}

    def grab(request: Any, **_: Any) -> None:
        seen.update({k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()})
        seen["url"] = request.url
        raise KeyboardInterrupt  # stops botocore before it sends; not an exception it retries

    client.meta.events.register("before-send.s3.*", grab)
    with pytest.raises(KeyboardInterrupt):
        getattr(client, call)(**params)
    return seen


def test_objects_are_put_read_and_listed_with_sigv4a(endpoint: str, west_bucket: str) -> None:
    s3 = v4a_client(endpoint)
    s3.put_object(Bucket=west_bucket, Key="hello", Body=b"Hello world", ChecksumAlgorithm="CRC32")
    got = s3.get_object(Bucket=west_bucket, Key="hello", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"Hello world"
    assert got["ChecksumCRC32"] == "i9aeUg=="
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=west_bucket)["Contents"]] == ["hello"]


def test_the_signature_is_an_ecdsa_one_over_a_scope_without_region(endpoint: str, west_bucket: str) -> None:
    headers = captured(v4a_client(endpoint), "get_object", Bucket=west_bucket, Key="k")
    assert headers["authorization"].startswith("AWS4-ECDSA-P256-SHA256 Credential=test/")
    assert "/s3/aws4_request," in headers["authorization"] and headers["x-amz-region-set"] == REGION


def test_a_presigned_sigv4a_url_reads_the_object(endpoint: str, west_bucket: str) -> None:
    s3 = v4a_client(endpoint)
    s3.put_object(Bucket=west_bucket, Key="k", Body=b"presigned")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": west_bucket, "Key": "k"})
    assert "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256" in url and "X-Amz-Region-Set=us-west-2" in url
    assert urllib.request.urlopen(url).read() == b"presigned"
    # The region set is signed: another one in the URL breaks the signature.
    status, body, _ = http("GET", url.replace("X-Amz-Region-Set=us-west-2", "X-Amz-Region-Set=%2A"))
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body


def test_a_wrong_secret_does_not_match(endpoint: str, west_bucket: str) -> None:
    wrong = v4a_client(endpoint, secret="not-the-secret")
    assert error_of(wrong.list_objects_v2, Bucket=west_bucket)[:2] == ("SignatureDoesNotMatch", 403)


def test_the_region_set_is_signed(endpoint: str, west_bucket: str) -> None:
    headers = captured(v4a_client(endpoint), "get_object", Bucket=west_bucket, Key="k")
    url = headers.pop("url")
    changed = {**headers, "x-amz-region-set": "*"}
    status, body, _ = http("GET", url, headers=changed)
    assert status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in body
    unsigned = headers["authorization"].replace(";x-amz-region-set", "")
    status, body, _ = http("GET", url, headers={**headers, "authorization": unsigned})
    assert status == 400 and b"<Code>AuthorizationHeaderMalformed</Code>" in body


@pytest.mark.parametrize(("region_set", "status"), [("*", 200), ("us-*", 200), ("eu-west-1,us-west-2", 200), ("eu-*", 301)])
def test_a_bucket_answers_a_region_set_that_takes_its_region(
    endpoint: str, west_bucket: str, region_set: str, status: int
) -> None:
    # boto3's S3 client signs for its own Region; the Common Runtime signer it uses signs for a set.
    v4a_client(endpoint).put_object(Bucket=west_bucket, Key="k", Body=b"x")
    request = AWSRequest("GET", f"{endpoint}/{west_bucket}/k", headers={})
    request.context = {}
    CrtS3SigV4AsymAuth(Credentials("test", "test"), "s3", region_set).add_auth(request)
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
    assert headers["X-Amz-Region-Set"] == region_set
    got, body, answer = http("GET", request.url, headers=headers)
    assert got == status
    assert body == b"x" if status == 200 else answer["x-amz-bucket-region"] == REGION


def test_a_region_set_without_the_buckets_region_is_sent_to_it(endpoint: str, west_bucket: str) -> None:
    east = v4a_client(endpoint, region="us-east-1")
    headers = captured(east, "get_object", Bucket=west_bucket, Key="k")
    assert headers["x-amz-region-set"] == "us-east-1"
    status, _, answer = http("GET", headers.pop("url"), headers=headers)
    assert status == 301 and answer["x-amz-bucket-region"] == REGION


def _signed_for(endpoint: str, region_set: str, body: bytes) -> tuple[int, bytes]:
    """An SQS ListQueues (JSON protocol) signed by the Common Runtime for `region_set`."""
    headers = {"X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0"}
    request = AWSRequest("POST", endpoint + "/", data=body, headers=headers)
    request.context = {}
    CrtSigV4AsymAuth(Credentials("test", "test"), "sqs", region_set).add_auth(request)
    status, answer, _ = http("POST", endpoint + "/", body=body, headers={
        k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()})
    return status, answer


def test_a_region_set_without_a_region_the_endpoint_serves_is_refused(endpoint: str) -> None:
    # One endpoint serves every Region: a request acts in the set's one Region, or the default one if the
    # set takes it, or the first it names; a set naming none ("eu-*") does not sign for this endpoint.
    name = f"v4a-{uuid.uuid4().hex[:8]}"
    west = make_client(endpoint, "sqs", region="eu-west-1")
    west.create_queue(QueueName=name)
    body = json.dumps({"QueueNamePrefix": name}).encode()
    for region_set in ("eu-west-1", "eu-west-1,eu-central-1"):
        status, answer = _signed_for(endpoint, region_set, body)
        assert status == 200 and name in json.loads(answer).get("QueueUrls", [""])[0]
    status, answer = _signed_for(endpoint, "*", body)
    assert status == 200 and "QueueUrls" not in json.loads(answer)  # the default Region, us-east-1
    status, answer = _signed_for(endpoint, "eu-*", body)
    assert status == 403 and b"InvalidSignatureException" in answer


def test_other_services_take_sigv4a(endpoint: str) -> None:
    sts = make_client(endpoint, "sts", signature_version="v4a")
    assert sts.get_caller_identity()["Account"] == "000000000000"
    sqs = make_client(endpoint, "sqs", signature_version="v4a")
    assert "QueueUrl" in sqs.create_queue(QueueName=f"v4a-{uuid.uuid4().hex[:8]}")
