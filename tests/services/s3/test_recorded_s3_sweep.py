"""S3 behaviour found in a sweep of LocalStack's AWS-validated S3 tests, as AWS answered them.

Evidence: the stored public repository localstack/localstack, tests/aws/services/s3/ (test_s3.py,
test_s3_api.py, test_s3_list_operations.py, test_s3_cors.py, test_s3_preconditions.py,
test_buckets.py) and their `.snapshot.json` files, which record what real AWS returned to the
`@markers.aws.validated` tests. Each test below names the
LocalStack test (and snapshot entry, where there is one) it follows. Only the wire behaviour is
taken from there; the checks are our own.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import ROOT_KEY, ROOT_SECRET

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def signed(method: str, url: str, headers: dict[str, str], region: str = "us-east-1") -> requests.Response:
    """A SigV4-signed request sent as written: headers the SDKs would encode differently stay as given."""
    request = AWSRequest(
        method=method, url=url, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD", **headers}
    )
    SigV4Auth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", region).add_auth(request)
    return requests.request(method, url, headers=dict(request.headers.items()), timeout=30)


# -- TestS3::test_copy_object_special_character_plus_for_space --------------------------------------


def test_a_plus_in_the_copy_source_is_a_space(endpoint: str, s3: Any, bucket: str) -> None:
    # Go's url.QueryEscape writes a space as "+": S3 decodes the copy source as a form does.
    s3.put_object(Bucket=bucket, Key="test key.txt", Body=b"test-body")
    answer = signed("PUT", f"{endpoint}/{bucket}/dest-key", {"x-amz-copy-source": f"{bucket}%2Ftest+key.txt"})
    assert answer.status_code == 200
    assert s3.get_object(Bucket=bucket, Key="dest-key")["Body"].read() == b"test-body"


def test_a_keys_own_plus_is_copied_when_encoded(s3: Any, bucket: str) -> None:
    # boto3 encodes a key's "+" as %2B in x-amz-copy-source (TestS3::test_copy_object_special_character).
    s3.put_object(Bucket=bucket, Key="test+key", Body=b"plus")
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/test+key")
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"plus"


# -- TestS3::test_bucket_name_with_dots (request_vhost_url_content, list_objects) -------------------


def test_an_anonymous_v1_listing_names_no_owners(endpoint: str, s3: Any, bucket: str) -> None:
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    s3.put_object(Bucket=bucket, Key="my-content", Body=b"something")
    # The owner listing through the SDK names each object's Owner ...
    assert "ID" in s3.list_objects(Bucket=bucket)["Contents"][0]["Owner"]
    # ... an unsigned GET of the public bucket does not.
    answer = requests.get(f"{endpoint}/{bucket}", timeout=30)
    assert answer.status_code == 200
    contents = ElementTree.fromstring(answer.content).find(f"{S3_NS}Contents")
    assert contents is not None
    # (AWS's 2023 answer predates default checksums: the elements it had, in its order)
    tags = [child.tag.removeprefix(S3_NS) for child in contents]
    assert [tag for tag in tags if not tag.startswith("Checksum")] == [
        "Key",
        "LastModified",
        "ETag",
        "Size",
        "StorageClass",
    ]


# -- TestS3BucketLifecycle::test_bucket_lifecycle_configuration_object_expiry_versioned -------------


def test_a_read_naming_a_version_is_answered_without_expiration(s3: Any, versioned_bucket: str) -> None:
    rule = {"ID": "rule2", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 3}}
    s3.put_bucket_lifecycle_configuration(Bucket=versioned_bucket, LifecycleConfiguration={"Rules": [rule]})
    old = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"test")["VersionId"]
    current = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"test")["VersionId"]
    # head-object-expiry-noncurrent, head-object-expiry-current-with-version-id: no Expiration ...
    for version in (old, current):
        assert "Expiration" not in s3.head_object(Bucket=versioned_bucket, Key="k", VersionId=version)
        assert "Expiration" not in s3.get_object(Bucket=versioned_bucket, Key="k", VersionId=version)
    # ... head-object-expiry-current-without-version-id: the current version's rule.
    answer = s3.head_object(Bucket=versioned_bucket, Key="k")
    assert answer["VersionId"] == current
    assert answer["Expiration"].endswith('rule-id="rule2"')

