"""Browser-based POST uploads: boto3's generate_presigned_post (SigV4 and SigV2) posted as
multipart/form-data by a plain HTTP client, the POST policy's rules, and S3's answers."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import os
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

import pytest

from tests.conftest import ROOT_KEY, ROOT_SECRET, make_client
from tests.services.s3.access_support import error_code, http, iam_user, policy
from tests.services.s3.core_support import empty_and_delete, unique_bucket


@pytest.fixture(scope="module")
def v4(endpoint: str) -> Any:
    return make_client(endpoint, "s3", signature_version="s3v4")


def post_form(url: str, fields: dict[str, str] | list[tuple[str, str]], content: bytes | None,
              filename: str | None = "upload.txt") -> tuple[int, bytes, dict[str, str]]:
    """POST a multipart/form-data body: the fields in order, then the file (if any) last."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in (fields.items() if isinstance(fields, dict) else fields):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    if content is not None:
        named = f'; filename="{filename}"' if filename is not None else ""
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"{named}\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return http("POST", url, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def signed_fields(bucket: str, conditions: list[Any], expires: datetime.datetime | None = None,
                  key: str = ROOT_KEY, secret: str = ROOT_SECRET, **document_members: Any) -> dict[str, str]:
    """SigV4 POST fields signed here, independently of botocore, for policies it would not write
    (`document_members` replace the policy document's own)."""
    now = datetime.datetime.now(datetime.UTC)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    credential = f"{key}/{day}/us-east-1/s3/aws4_request"
    expiration = (expires or now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {"expiration": expiration, "conditions": [{"bucket": bucket}, *conditions,
                {"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"x-amz-credential": credential}, {"x-amz-date": amz_date}],
                **document_members}
    encoded = base64.b64encode(json.dumps(document).encode()).decode()
    signing = ("AWS4" + secret).encode()
    for part in (day, "us-east-1", "s3", "aws4_request"):
        signing = hmac.new(signing, part.encode(), hashlib.sha256).digest()
    return {"x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": credential, "x-amz-date": amz_date,
            "policy": encoded, "x-amz-signature": hmac.new(signing, encoded.encode(), hashlib.sha256).hexdigest()}


# --- successful uploads ------------------------------------------------------------------------


def test_sigv4_presigned_post_stores_the_file_with_its_fields_and_answers_204(v4: Any, bucket: str) -> None:
    post = v4.generate_presigned_post(
        bucket, "docs/report.txt",
        Fields={"Content-Type": "text/plain", "x-amz-meta-owner": "ana"},
        Conditions=[{"Content-Type": "text/plain"}, {"x-amz-meta-owner": "ana"}],
    )
    assert "x-amz-signature" in post["fields"]
    status, body, headers = post_form(post["url"], post["fields"], b"quarterly numbers")
    md5 = hashlib.md5(b"quarterly numbers").hexdigest()
    assert (status, body, headers["etag"]) == (204, b"", f'"{md5}"')
    assert headers["location"].endswith(f"/{bucket}/docs%2Freport.txt")
    got = v4.get_object(Bucket=bucket, Key="docs/report.txt")
    assert (got["Body"].read(), got["ContentType"], got["Metadata"]) == (
        b"quarterly numbers", "text/plain", {"owner": "ana"})


def test_a_checksum_field_naming_no_algorithm_is_refused_as_the_header_is(endpoint: str, bucket: str) -> None:
    # As PutObject's x-amz-checksum-<name> header naming no algorithm (versity/versitygw#1104, and its
    # PostObject_invalid_checksum_algorithm test for the form field).
    fields = {"key": "k", **signed_fields(bucket, [["eq", "$key", "k"], ["starts-with", "$x-amz-checksum-invalid", ""]])}
    fields["x-amz-checksum-invalid"] = "invalid"
    status, body, _ = post_form(f"{endpoint}/{bucket}", fields, b"data")
    assert (status, error_code(body)) == (
        400, ("InvalidRequest", "The algorithm type you specified in x-amz-checksum- header is invalid."))
    assert "Contents" not in make_client(endpoint, "s3").list_objects_v2(Bucket=bucket)


def test_success_action_status_201_answers_a_post_response_document_for_the_filename_key(v4: Any, bucket: str) -> None:
    post = v4.generate_presigned_post(bucket, "in/${filename}", Fields={"success_action_status": "201"},
                                      Conditions=[{"success_action_status": "201"}])
    status, body, headers = post_form(post["url"], post["fields"], b"abc", filename="photo.jpg")
    assert status == 201
    root = ElementTree.fromstring(body)
    assert (root.tag, root.findtext("Bucket"), root.findtext("Key")) == ("PostResponse", bucket, "in/photo.jpg")
    assert root.findtext("ETag") == headers["etag"] == f'"{hashlib.md5(b"abc").hexdigest()}"'
    assert root.findtext("Location") == headers["location"]
    assert v4.get_object(Bucket=bucket, Key="in/photo.jpg")["Body"].read() == b"abc"


def test_success_action_status_200_and_redirect(v4: Any, bucket: str) -> None:
    post = v4.generate_presigned_post(bucket, "a", Fields={"success_action_status": "200"},
                                      Conditions=[{"success_action_status": "200"}])
    assert post_form(post["url"], post["fields"], b"1")[:2] == (200, b"")
    target = "https://example.com/done?from=upload"
    post = v4.generate_presigned_post(bucket, "b", Fields={"success_action_redirect": target},
                                      Conditions=[["starts-with", "$success_action_redirect", "https://example.com/"]])
    status, _, headers = post_form(post["url"], post["fields"], b"2")
    assert status == 303
    location = urlsplit(headers["location"])
    assert (location.netloc, location.path) == ("example.com", "/done")
    assert dict(parse_qsl(location.query)) == {"from": "upload", "bucket": bucket, "key": "b",
                                               "etag": f'"{hashlib.md5(b"2").hexdigest()}"'}


def test_sigv2_presigned_post(endpoint: str, bucket: str) -> None:
    v2 = make_client(endpoint, "s3", signature_version="s3")
    post = v2.generate_presigned_post(bucket, "v2.txt")
    assert {"AWSAccessKeyId", "signature", "policy"} <= set(post["fields"])
    assert post_form(post["url"], post["fields"], b"signed with v2")[0] == 204
    assert v2.get_object(Bucket=bucket, Key="v2.txt")["Body"].read() == b"signed with v2"


def test_a_large_file_streams_into_the_object_intact(v4: Any, bucket: str) -> None:
    content = os.urandom(6 * 1024 * 1024 + 17)
    post = v4.generate_presigned_post(bucket, "big.bin", Conditions=[["content-length-range", 1, 10 * 1024 * 1024]])
    status, _, headers = post_form(post["url"], post["fields"], content)
    assert (status, headers["etag"]) == (204, f'"{hashlib.md5(content).hexdigest()}"')
    head = v4.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == len(content)


# --- the policy's rules -------------------------------------------------------------------------


def test_content_length_range_refuses_too_large_and_too_small_files(v4: Any, bucket: str) -> None:
    post = v4.generate_presigned_post(bucket, "sized", Conditions=[["content-length-range", 5, 10]])
    status, body, _ = post_form(post["url"], post["fields"], b"x" * 12)
    root = ElementTree.fromstring(body)
    assert (status, root.findtext("Code"), root.findtext("ProposedSize"), root.findtext("MaxSizeAllowed")) == (
        400, "EntityTooLarge", "12", "10")
    status, body, _ = post_form(post["url"], post["fields"], b"x")
    assert (status, error_code(body)) == (400, ("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"))
    assert "Contents" not in v4.list_objects_v2(Bucket=bucket)
    assert post_form(post["url"], post["fields"], b"x" * 10)[0] == 204


def test_expired_policy_failed_condition_and_extra_field_are_refused(endpoint: str, bucket: str) -> None:
    url = f"{endpoint}/{bucket}"
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    fields = {"key": "uploads/a", **signed_fields(bucket, [["starts-with", "$key", "uploads/"]], expires=past)}
    assert post_form(url, fields, b"1")[:2][0] == 403
    assert error_code(post_form(url, fields, b"1")[1]) == ("AccessDenied", "Invalid according to Policy: Policy expired.")
    fields = {"key": "elsewhere/a", **signed_fields(bucket, [["starts-with", "$key", "uploads/"]])}
    status, body, _ = post_form(url, fields, b"1")
    assert (status, error_code(body)) == (403, (
        "AccessDenied", 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]'))
    fields = {"key": "uploads/a", "x-amz-meta-extra": "1", "x-ignore-me": "ok",
              **signed_fields(bucket, [["starts-with", "$key", "uploads/"]])}
    status, body, _ = post_form(url, fields, b"1")
    assert (status, error_code(body)) == (403, ("AccessDenied", "Invalid according to Policy: Extra input fields: x-amz-meta-extra"))
    status, body, _ = post_form(url, {"key": "k", **signed_fields(bucket, [{"key": "k"}, {"acl": "private", "x": "y"}])}, b"1")
    assert (status, error_code(body)[0]) == (400, "InvalidPolicyDocument")


@pytest.mark.parametrize(
    "condition",
    [{"expiration": True}, {"expiration": None}, ["content-length-range", 12, False], ["content-length-range", "x", "14"]],
)
def test_a_policy_value_of_the_wrong_type_is_invalid_json(endpoint: str, bucket: str, condition: Any) -> None:
    # versity/versitygw's PostObject_invalid_policy_document: a non-string expiration and a
    # content-length-range bound that is no number are the document's fault, not a failed condition.
    if isinstance(condition, dict):
        fields = {"key": "k", **signed_fields(bucket, [], **condition)}
    else:
        fields = {"key": "k", **signed_fields(bucket, [condition])}
    status, body, _ = post_form(f"{endpoint}/{bucket}", fields, b"0123456789abc")
    assert (status, error_code(body)) == (400, ("InvalidPolicyDocument", "Invalid Policy: Invalid JSON."))


def test_a_field_sent_twice_must_pass_the_policy_with_both_values(v4: Any, bucket: str) -> None:
    # The AWS SDK for .NET's CreatePresignedPostTests.WithCustomConditions appends a second Content-Type
    # (image/jpeg) after the one the policy's starts-with allows: S3 answers 403, and stores nothing.
    post = v4.generate_presigned_post(bucket, "k", Fields={"Content-Type": "text/plain"},
                                      Conditions=[["starts-with", "$Content-Type", "text/"]])
    fields = [*post["fields"].items(), ("Content-Type", "image/jpeg")]
    status, body, _ = post_form(post["url"], fields, b"1")
    assert (status, error_code(body)) == (403, (
        "AccessDenied", 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "text/"]'))
    assert "Contents" not in v4.list_objects_v2(Bucket=bucket)
    status, _, _ = post_form(post["url"], [*post["fields"].items(), ("Content-Type", "text/html")], b"1")
    assert status == 204


def test_a_tampered_policy_or_an_unknown_key_is_refused(v4: Any, bucket: str) -> None:
    post = v4.generate_presigned_post(bucket, "k")
    fields = dict(post["fields"])
    document = json.loads(base64.b64decode(fields["policy"]))
    document["conditions"].append(["content-length-range", 0, 10**12])
    fields["policy"] = base64.b64encode(json.dumps(document).encode()).decode()
    status, body, _ = post_form(post["url"], fields, b"1")
    root = ElementTree.fromstring(body)
    assert (status, root.findtext("Code"), root.findtext("StringToSign")) == (403, "SignatureDoesNotMatch", fields["policy"])
    fields = {"key": "k", **signed_fields(bucket, [{"key": "k"}], key="AKIANOSUCHKEY0000000")}
    status, body, _ = post_form(post["url"], fields, b"1")
    assert (status, error_code(body)[0]) == (403, "InvalidAccessKeyId")


def test_the_signer_must_be_allowed_to_put_the_object(endpoint: str, bucket: str) -> None:
    arn, user = iam_user(endpoint)
    post = user.generate_presigned_post(bucket, "by-user")
    status, body, _ = post_form(post["url"], post["fields"], b"1")
    assert (status, error_code(body)[0]) == (403, "AccessDenied")
    _, allowed = iam_user(endpoint, policy({"Effect": "Allow", "Action": "s3:PutObject",
                                            "Resource": f"arn:aws:s3:::{bucket}/*"}))
    post = allowed.generate_presigned_post(bucket, "by-user")
    assert post_form(post["url"], post["fields"], b"1")[0] == 204


# --- unsigned and malformed forms ---------------------------------------------------------------


def test_anonymous_post_needs_a_public_write_bucket(endpoint: str, s3: Any, bucket: str) -> None:
    status, body, _ = post_form(f"{endpoint}/{bucket}", {"key": "anon"}, b"1")
    assert (status, error_code(body)) == (403, ("AccessDenied", "Access Denied"))
    public = unique_bucket("pubw")
    s3.create_bucket(Bucket=public, ObjectOwnership="ObjectWriter")
    try:
        s3.delete_public_access_block(Bucket=public)
        s3.put_bucket_acl(Bucket=public, ACL="public-read-write")
        assert post_form(f"{endpoint}/{public}", {"key": "anon", "Content-Type": "text/plain"}, b"hi")[0] == 204
        assert s3.get_object(Bucket=public, Key="anon")["ContentType"] == "text/plain"
    finally:
        empty_and_delete(s3, public)


def test_malformed_posts_are_answered_as_s3_answers_them(endpoint: str, bucket: str) -> None:
    url = f"{endpoint}/{bucket}"
    status, body, _ = post_form(url, {"key": "k"}, None)
    assert (status, error_code(body)) == (400, ("InvalidArgument", "POST requires exactly one file upload per request."))
    status, body, _ = post_form(url, {"acl": "private"}, b"1")
    assert (status, error_code(body)[0]) == (400, "InvalidArgument")
    status, body, _ = post_form(url, {"key": "k", "x-amz-signature": "abc"}, b"1")
    assert (status, error_code(body)) == (400, ("InvalidArgument", "Bucket POST must contain a field named "
                                                "'X-Amz-Algorithm'.  If it is specified, please check the order of the fields."))
    status, body, _ = http("POST", url, b"key=k", {"Content-Type": "application/x-www-form-urlencoded"})
    assert (status, error_code(body)[0]) == (412, "PreconditionFailed")
    status, body, _ = http("POST", url, b"--x--", {"Content-Type": "multipart/form-data"})
    assert (status, error_code(body)[0]) == (400, "MalformedPOSTRequest")
