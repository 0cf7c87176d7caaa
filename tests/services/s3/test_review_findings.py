"""Review findings on today's S3 changes, each through boto3 against a real server: a bucket
refuses requests signed for another Region (`signing_region.py`), browser POST uploads included,
while the source bucket of a copy is never held to the signing Region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.conftest import make_client
from tests.services.s3.core_support import empty_and_delete, unique_bucket
from tests.services.s3.test_post_upload import post_form


@pytest.fixture(scope="module")
def eu_bucket(endpoint: str) -> Iterator[str]:
    """A bucket in eu-west-1, made by a client of that Region."""
    eu = make_client(endpoint, "s3", region="eu-west-1")
    name = unique_bucket("review")
    eu.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    yield name
    empty_and_delete(eu, name)


def _error(body: bytes) -> dict[str, str]:
    return {child.tag: child.text or "" for child in ElementTree.fromstring(body)}


def test_post_upload_signed_for_another_region_is_refused(endpoint: str, eu_bucket: str) -> None:
    us = make_client(endpoint, "s3", region="us-east-1", signature_version="s3v4")
    post = us.generate_presigned_post(eu_bucket, "posted.txt")
    status, body, headers = post_form(post["url"], post["fields"], b"data")
    error = _error(body)
    assert (status, error["Code"], error["Region"]) == (400, "InvalidArgument", "eu-west-1")
    assert error["Message"] == "the region 'us-east-1' is wrong; expecting 'eu-west-1'"
    assert error["ArgumentName"] == "X-Amz-Credential"
    assert error["ArgumentValue"] == post["fields"]["x-amz-credential"]
    assert headers["x-amz-bucket-region"] == "eu-west-1"
    eu = make_client(endpoint, "s3", region="eu-west-1")
    assert "Contents" not in eu.list_objects_v2(Bucket=eu_bucket, Prefix="posted.txt")


def test_post_upload_signed_for_the_bucket_region_is_stored(endpoint: str, eu_bucket: str) -> None:
    eu = make_client(endpoint, "s3", region="eu-west-1", signature_version="s3v4")
    post = eu.generate_presigned_post(eu_bucket, "posted-here.txt")
    status, _, _ = post_form(post["url"], post["fields"], b"data")
    assert status == 204
    assert eu.get_object(Bucket=eu_bucket, Key="posted-here.txt")["Body"].read() == b"data"


def test_copy_source_in_another_region_is_not_held_to_the_signing_region(
    endpoint: str, eu_bucket: str, s3: Any
) -> None:
    eu = make_client(endpoint, "s3", region="eu-west-1")
    eu.put_object(Bucket=eu_bucket, Key="source", Body=b"from eu")
    target = unique_bucket("review")
    s3.create_bucket(Bucket=target)
    try:
        s3.copy_object(Bucket=target, Key="copy", CopySource={"Bucket": eu_bucket, "Key": "source"})
        assert s3.get_object(Bucket=target, Key="copy")["Body"].read() == b"from eu"
    finally:
        empty_and_delete(s3, target)
