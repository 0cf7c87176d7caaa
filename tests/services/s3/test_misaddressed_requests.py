"""Requests S3 turns away for how they are addressed, before choosing an operation for them
(protocol/parsers/s3_requests.py): nothing they would otherwise touch is read, changed or deleted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.raw_http import error_code, error_message, exchange, signed_request


def _send(endpoint: str, method: str, target: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    return exchange(endpoint, signed_request(endpoint, method, target, "s3", b"", headers or {}))


@pytest.mark.parametrize(("method", "query"), [("DELETE", ""), ("GET", ""), ("POST", "?uploadId=x")])
def test_a_copy_source_on_a_request_that_copies_nothing_is_invalid_argument(
    endpoint: str, s3: Any, bucket: str, method: str, query: str
) -> None:
    # versity/versitygw#1612, PR #1642: "rejected with an InvalidArgument error in S3 for all HTTP
    # methods other than PUT" (a POST only with an uploadId). The DELETE deletes nothing.
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    status, _, body = _send(endpoint, method, f"/{bucket}/k{query}", {"x-amz-copy-source": f"{bucket}/k"})
    assert (status, error_code(body), error_message(body)) == (
        400, "InvalidArgument", "You can only specify a copy source header for copy requests.")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"


def test_a_head_with_a_copy_source_is_a_bare_400(endpoint: str, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    assert _send(endpoint, "HEAD", f"/{bucket}/k", {"x-amz-copy-source": f"{bucket}/k"})[0] == 400


@pytest.mark.parametrize(
    ("subresource", "message"),
    [
        ("uploads", "Key is not expected for the GET method ?uploads subresource"),
        ("versions", "There is no such thing as the ?versions sub-resource for a key"),
    ],
)
def test_a_bucket_subresource_with_a_key_is_invalid_request(
    endpoint: str, s3: Any, bucket: str, subresource: str, message: str
) -> None:
    # versity/versitygw#1597 and its RouterGetUploadsWithKey/RouterListVersionsWithKey: not a GetObject.
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    status, _, body = _send(endpoint, "GET", f"/{bucket}/k?{subresource}")
    assert (status, error_code(body), error_message(body)) == (400, "InvalidRequest", message)
    assert _send(endpoint, "GET", f"/{bucket}?{subresource}")[0] == 200  # the bucket's own listing


@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST"])
def test_a_torrent_takes_only_get(endpoint: str, s3: Any, bucket: str, method: str) -> None:
    # GetObjectTorrent is S3's only torrent operation: a PUT or DELETE of ?torrent used to fall through
    # to PutObject (an empty object) or DeleteObject (versitygw's RouterObjectTorrentMethodNotAllowed).
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    status, headers, body = _send(endpoint, method, f"/{bucket}/k?torrent")
    assert (status, error_code(body), headers.get("allow")) == (405, "MethodNotAllowed", "GET")
    assert b"<ResourceType>TORRENT</ResourceType>" in body
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"


def test_a_post_to_the_service_is_not_allowed_naming_it(endpoint: str) -> None:
    # S3's answer quoted in versity/versitygw#1810: ResourceType SERVICE, Allow: GET.
    status, headers, body = _send(endpoint, "POST", "/")
    assert (status, error_code(body), headers.get("allow")) == (405, "MethodNotAllowed", "GET")
    assert b"<ResourceType>SERVICE</ResourceType>" in body


def test_a_copy_with_a_body_is_invalid_request(endpoint: str, s3: Any, bucket: str) -> None:
    # S3's answer quoted (with its request id) in versity/versitygw#1242; nothing is copied.
    s3.put_object(Bucket=bucket, Key="src", Body=b"data")
    request = signed_request(endpoint, "PUT", f"/{bucket}/copy", "s3", b"payload", {"x-amz-copy-source": f"/{bucket}/src"})
    status, _, body = exchange(endpoint, request)
    assert (status, error_code(body), error_message(body)) == (
        400, "InvalidRequest", "The request included a body. Requests of this type must not include a non-empty body.")
    assert "copy" not in [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_a_number_header_that_is_none_names_the_header(endpoint: str, s3: Any, bucket: str) -> None:
    # "Value for x-amz-mp-object-size header is invalid: 'size'" (S3's answer in versity/versitygw#1398)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload, PartNumber=1, Body=b"x")["ETag"]
    body = (f"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part>"
            "</CompleteMultipartUpload>").encode()
    request = signed_request(endpoint, "POST", f"/{bucket}/k?uploadId={upload}", "s3", body,
                             {"x-amz-mp-object-size": "size"})
    status, _, answer = exchange(endpoint, request)
    assert (status, error_code(answer), error_message(answer)) == (
        400, "InvalidRequest", "Value for x-amz-mp-object-size header is invalid: 'size'")


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_a_uri_with_a_broken_escape_is_a_bare_400(endpoint: str, s3: Any, bucket: str, method: str) -> None:
    # S3's raw answer in versity/versitygw#2070: "400 Invalid URI: isHexDigit" with no body; the key
    # is neither read nor stored with a literal "%zz".
    status, _, body = _send(endpoint, method, f"/{bucket}/a%zzb")
    assert (status, body) == (400, b"")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
