"""S3 behaviour found in a sweep of LocalStack's AWS-validated S3 tests, as AWS answered them.

Evidence: the stored public repository localstack/localstack, tests/aws/services/s3/ (test_s3.py,
test_s3_api.py, test_s3_list_operations.py, test_s3_cors.py, test_s3_preconditions.py,
test_buckets.py) and their `.snapshot.json` files, which record what real AWS returned to the
`@markers.aws.validated` tests. Each test below names the
LocalStack test (and snapshot entry, where there is one) it follows. Only the wire behaviour is
taken from there; the checks are our own.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from xml.etree import ElementTree

import requests
from botocore.auth import S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import ROOT_KEY, ROOT_SECRET, make_client

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


# -- TestS3PresignedUrl::test_pre_signed_url_forward_slash_bucket ------------------------------------


def test_a_signature_refusal_shows_the_decoded_path_canonicalized(endpoint: str, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="temp.txt", Body=b"123")
    presigner = make_client(endpoint, "s3", signature_version="s3v4")
    url = presigner.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "temp.txt"})
    before, name, after = url.partition(bucket)
    answer = requests.get(f"{before}%2F{name}{after}", timeout=30)  # "%2F" before the bucket's name
    assert answer.status_code == 403
    error = ElementTree.fromstring(answer.content)
    assert error.findtext("Code") == "SignatureDoesNotMatch"
    assert (error.findtext("CanonicalRequest") or "").startswith(f"GET\n//{bucket}/temp.txt\n")


# -- TestS3PresignedUrl::test_presigned_url_v4_signed_headers_in_qs ----------------------------------


def test_a_signed_header_a_presigned_put_leaves_out_is_read_from_its_query(
    endpoint: str, s3: Any, bucket: str
) -> None:
    # The JS SDK signs x-amz-server-side-encryption as a header and also writes it in the URL; the
    # bearer of the URL then need not send it.
    body = b"123456"
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    request = AWSRequest(
        method="PUT",
        url=f"{endpoint}/{bucket}/temp.txt?x-amz-server-side-encryption=AES256",
        headers={"Content-MD5": md5, "x-amz-server-side-encryption": "AES256"},
    )
    S3SigV4QueryAuth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", "us-east-1", expires=300).add_auth(request)
    assert "x-amz-server-side-encryption" in request.url.split("X-Amz-SignedHeaders=")[1].split("&")[0]
    # Content-MD5 is signed and has no query parameter: leaving it out breaks the signature ...
    assert requests.put(request.url, data=body, timeout=30).status_code == 403
    # ... the encryption header may be left out, or sent with the value the URL carries.
    assert requests.put(request.url, data=body, headers={"Content-MD5": md5}, timeout=30).status_code == 200
    both = {"Content-MD5": md5, "x-amz-server-side-encryption": "AES256"}
    assert requests.put(request.url, data=body, headers=both, timeout=30).status_code == 200
    assert s3.head_object(Bucket=bucket, Key="temp.txt")["ServerSideEncryption"] == "AES256"


# -- test_s3_preconditions.py::TestS3CopySourcePreconditions (recorded Nov 2025) ---------------------


def test_a_copy_result_names_the_checksum_but_not_its_type(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="source-object", Body=b"data")  # the SDK adds a CRC32
    result = s3.copy_object(Bucket=bucket, Key="dest-object", CopySource=f"{bucket}/source-object")
    # copy-success, copy-ignore-future-modified-since: ChecksumCRC32, ETag, LastModified.
    assert set(result["CopyObjectResult"]) == {"ChecksumCRC32", "ETag", "LastModified"}
    assert result["CopyObjectResult"]["ChecksumCRC32"] == "rfPzYw=="
    head = s3.head_object(Bucket=bucket, Key="dest-object", ChecksumMode="ENABLED")
    assert (head["ChecksumCRC32"], head["ChecksumType"]) == ("rfPzYw==", "FULL_OBJECT")


# -- TestS3::test_response_structure, test_s3_timestamp_precision (CopyObject) ----------------------


def test_a_copy_source_may_be_the_path_style_url_of_the_object(endpoint: str, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="test-key", Body=b"test-body")
    answer = signed("PUT", f"{endpoint}/{bucket}/copied-key", {"x-amz-copy-source": f"{endpoint}/{bucket}/test-key"})
    assert answer.status_code == 200
    result = ElementTree.fromstring(answer.content)
    assert result.tag == f"{S3_NS}CopyObjectResult"
    assert (result.findtext(f"{S3_NS}LastModified") or "").endswith(".000Z")
    assert s3.get_object(Bucket=bucket, Key="copied-key")["Body"].read() == b"test-body"
