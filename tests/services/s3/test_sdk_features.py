"""The AWS SDK teams' own S3 integration scenarios (cucumber "features" run against real AWS), ported
to boto3 where they state something about S3 that the other tests here do not.

Sources: aws/aws-sdk-js (v2) and aws/aws-sdk-js-v3 `features/s3/*.feature`, aws/aws-sdk-ruby
`features/s3/**` (v1), `aws-sdk-core/features/s3/*.feature` (v2) and `gems/aws-sdk-s3/features/`
(v3). Each test names its scenario. Where a scenario predates a change AWS documents since (buckets
refuse ACLs by default since April 2023), the test follows the documentation and says so.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import ROOT_KEY, ROOT_SECRET, make_client
from tests.raw_http import exchange, signed_request
from tests.services.s3.access_support import error_code, http
from tests.services.s3.core_support import error_of


def _post(endpoint: str, s3: Any, bucket: str, key: str, conditions: list[Any],
          fields: dict[str, str], data: bytes = b"HELLO", filename: str = "upload.txt") -> tuple[int, bytes]:
    """POST `data` with a form botocore presigned (SigV4) for `conditions`, plus `fields`."""
    post = s3.generate_presigned_post(bucket, key, Conditions=conditions)
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in {**post["fields"], **fields}.items()
    ]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n\r\n'
                 .encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    status, body, _ = http("POST", f"{endpoint}/{bucket}", b"".join(parts),
                           {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    return status, body


def _v4(endpoint: str) -> Any:
    return make_client(endpoint, "s3", signature_version="s3v4")


# -- Expires: a header S3 keeps as the text it was given ------------------------------------------


def test_put_object_keeps_an_expires_that_is_no_date_and_answers_it_verbatim(endpoint: str, bucket: str) -> None:
    # aws-sdk-ruby features/s3/high_level/post.feature "Pre-signed POST with various options" (an
    # Expires of "tomorrow" is stored and answered back); the SDKs read such a value as ExpiresString
    # (aws-sdk-ruby#1216, botocore's S3 Expires handling). boto3 only sends dates, so the header is
    # set as the request is signed.
    s3 = make_client(endpoint, "s3")

    def expires_tomorrow(request: Any, **_: Any) -> None:
        request.headers["Expires"] = "tomorrow"

    s3.meta.events.register("before-sign.s3.PutObject", expires_tomorrow)
    s3.put_object(Bucket=bucket, Key="foo", Body=b"HELLO")
    head = make_client(endpoint, "s3").head_object(Bucket=bucket, Key="foo")
    assert head["ExpiresString"] == "tomorrow" and "Expires" not in head


@pytest.mark.parametrize("sent", ["0", "1893456000", "-1", "Thu, 01 Dec 2024 16:00:00 GMT"])
def test_an_expires_that_is_no_http_date_is_kept_as_sent(endpoint: str, bucket: str, sent: str) -> None:
    # "0" and numbers are not dates to HTTP (RFC 9110 §5.6.7: an invalid Expires means "already
    # expired"), so S3 keeps them as text, as it keeps "tomorrow", rather than reading an epoch; a
    # date with the wrong weekday (1 Dec 2024 was a Sunday) comes back as sent, not corrected
    # (versity/versitygw's PostObject_success_with_meta_properties and GetObject overrides).
    s3 = make_client(endpoint, "s3")
    s3.meta.events.register("before-sign.s3.PutObject", lambda request, **_: request.headers.__setitem__("Expires", sent))
    s3.put_object(Bucket=bucket, Key="foo", Body=b"HELLO")
    head = make_client(endpoint, "s3").head_object(Bucket=bucket, Key="foo")
    assert head["ExpiresString"] == sent


def test_an_empty_expires_is_none(endpoint: str, bucket: str) -> None:
    s3 = make_client(endpoint, "s3")
    s3.meta.events.register("before-sign.s3.PutObject", lambda request, **_: request.headers.__setitem__("Expires", ""))
    s3.put_object(Bucket=bucket, Key="foo", Body=b"HELLO")
    head = make_client(endpoint, "s3").head_object(Bucket=bucket, Key="foo")
    assert "ExpiresString" not in head and "expires" not in head["ResponseMetadata"]["HTTPHeaders"]


def test_response_expires_is_echoed_as_sent(endpoint: str, bucket: str) -> None:
    s3 = make_client(endpoint, "s3")
    s3.put_object(Bucket=bucket, Key="foo", Body=b"HELLO")
    sent = "Thu, 01 Dec 2024 16:00:00 GMT"  # the wrong weekday, kept; boto3 would correct it as it signs
    target = f"/{bucket}/foo?response-expires={quote(sent, safe='')}"
    status, headers, _ = exchange(endpoint, signed_request(endpoint, "GET", target, "s3"))
    assert (status, headers["expires"]) == (200, sent)


def test_an_expires_date_round_trips(s3: Any, bucket: str) -> None:
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    s3.put_object(Bucket=bucket, Key="dated", Body=b"x", Expires=when)
    head = s3.head_object(Bucket=bucket, Key="dated")
    assert head["ExpiresString"] == "Wed, 02 Jan 2030 03:04:05 GMT" and head["Expires"] == when


def test_presigned_post_stores_its_content_fields_and_an_expires_that_is_no_date(
    endpoint: str, s3: Any, bucket: str
) -> None:
    # aws-sdk-ruby features/s3/high_level/post.feature "Pre-signed POST with various options". The
    # scenario also asks for acl public-read, which a bucket created today refuses (Object Ownership
    # "bucket owner enforced" is the default since April 2023, S3 User Guide): left out here.
    fields = {"Cache-Control": "something", "Content-Type": "text/plain", "Content-Disposition": "attachment",
              "Content-Encoding": "gzip", "Expires": "tomorrow"}
    conditions = [{name: value} for name, value in fields.items()]
    assert _post(endpoint, _v4(endpoint), bucket, "foo", conditions, fields)[0] == 204
    head = s3.head_object(Bucket=bucket, Key="foo")
    assert {name: head.get(name) for name in ("ContentType", "ExpiresString", "CacheControl",
                                              "ContentDisposition", "ContentEncoding")} == {
        "ContentType": "text/plain", "ExpiresString": "tomorrow", "CacheControl": "something",
        "ContentDisposition": "attachment", "ContentEncoding": "gzip"}


def test_presigned_post_header_starts_with_conditions_read_the_fields_as_sent(
    endpoint: str, bucket: str
) -> None:
    # aws-sdk-ruby features/s3/high_level/post.feature "Pre-signed POST with header starts-with
    # constraint": Content-Type and Expires (its value "Thu, 26 May", no full date) against a prefix.
    v4 = _v4(endpoint)
    for name, prefix, value, status in (
        ("Content-Type", "image", "image/jpeg", 204),
        ("Content-Type", "image", "text/plain", 403),
        ("Expires", "Thu", "Thu, 26 May", 204),
        ("Expires", "Fri", "Thu, 26 May", 403),
    ):
        got, body = _post(endpoint, v4, bucket, "foo", [["starts-with", f"${name}", prefix]], {name: value})
        assert got == status, (name, value, body)
        if status == 403:
            assert error_code(body) == (
                "AccessDenied", f'Invalid according to Policy: Policy Condition failed: ["starts-with", "${name}", '
                f'"{prefix}"]')


def test_presigned_post_metadata_starts_with_needs_that_very_field(endpoint: str, bucket: str) -> None:
    # aws-sdk-ruby features/s3/high_level/post.feature "Pre-signed POST with metadata starts-with
    # constraint": x-amz-meta-zip does not satisfy a condition on x-amz-meta-zipcode.
    v4 = _v4(endpoint)
    condition = [["starts-with", "$x-amz-meta-zipcode", "98"]]
    for field, value, status in (("zip", "98", 403), ("zipcode", "98000", 204), ("zipcode", "97000", 403)):
        got, body = _post(endpoint, v4, bucket, "foo", condition, {f"x-amz-meta-{field}": value})
        assert got == status, (field, value, body)
    assert make_client(endpoint, "s3").head_object(Bucket=bucket, Key="foo")["Metadata"] == {"zipcode": "98000"}


def test_presigned_post_key_prefix_is_checked_on_the_key_after_filename_substitution(
    endpoint: str, bucket: str
) -> None:
    # aws-sdk-ruby features/s3/high_level/post.feature "Pre-signed POST with key prefix constraint":
    # foobar and foo start with foo, fo does not, and a key "foo${filename}" is the file's name
    # substituted, which no longer starts with the literal "foo${filename}".
    v4 = _v4(endpoint)
    for prefix, key, status in (("foo", "foobar", 204), ("foo", "foo", 204), ("foo", "fo", 403),
                                ("foo${filename}", "foo${filename}", 403)):
        got, body = _post(endpoint, v4, bucket, key, [["starts-with", "$key", prefix]], {})
        assert got == status, (prefix, key, body)


# -- presigned URLs -------------------------------------------------------------------------------


def test_presigned_get_answers_response_expires_as_given_even_when_no_date(
    endpoint: str, s3: Any, bucket: str
) -> None:
    # aws-sdk-ruby features/s3/high_level/urls.feature "Pre-signed GET overriding response headers":
    # response_expires "tomorrow" comes back as the Expires header. botocore only presigns dates, so
    # the URL is signed here with botocore's own SigV4 query signer.
    s3.put_object(Bucket=bucket, Key="foo", Body=b"{}")
    request = AWSRequest(method="GET", url=f"{endpoint}/{bucket}/foo?response-content-type=application%2Fjson"
                         "&response-content-language=en&response-expires=tomorrow&response-cache-control=foobla"
                         "&response-content-disposition=attachment&response-content-encoding=gzip")
    S3SigV4QueryAuth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", "us-east-1", expires=300).add_auth(request)
    status, body, headers = http("GET", request.url)
    assert (status, body) == (200, b"{}")
    assert {name: headers.get(name) for name in ("content-type", "content-language", "expires", "cache-control",
                                                  "content-disposition", "content-encoding")} == {
        "content-type": "application/json", "content-language": "en", "expires": "tomorrow",
        "cache-control": "foobla", "content-disposition": "attachment", "content-encoding": "gzip"}


def test_presigned_put_signed_for_one_md5_refuses_another_body(endpoint: str, bucket: str) -> None:
    # aws-sdk-js features/s3/objects.feature "Pre-signed URLs with checksum": a URL presigned with the
    # Content-MD5 of "CHECKSUMMED" and used for other data without that header is SignatureDoesNotMatch;
    # sent with the header, the body fails the digest (BadDigest, PutObject's documented error).
    md5 = base64.b64encode(hashlib.md5(b"CHECKSUMMED").digest()).decode()
    url = _v4(endpoint).generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "hello",
                                                                     "ContentMD5": md5})
    status, body, _ = http("PUT", url, b"NOT CHECKSUMMED")
    assert (status, error_code(body)[0]) == (403, "SignatureDoesNotMatch")
    status, body, _ = http("PUT", url, b"NOT CHECKSUMMED", {"Content-MD5": md5})
    assert (status, error_code(body)) == (400, ("BadDigest", "The Content-MD5 you specified did not match what "
                                                             "we received."))
    assert http("PUT", url, b"CHECKSUMMED", {"Content-MD5": md5})[0] == 200


def test_presigned_put_with_a_content_type_refuses_another_content_type(endpoint: str, bucket: str) -> None:
    # aws-sdk-ruby gems/aws-sdk-s3/features/client/presigned.feature "Presigned PUT with content-type"
    # and "Presigned PUT with wrong content-type" (200, then 403).
    url = _v4(endpoint).generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "test",
                                                                     "ContentType": "text/plain"})
    assert http("PUT", url, b"hello", {"Content-Type": "text/plain"})[0] == 200
    status, body, _ = http("PUT", url, b"hello", {"Content-Type": "image/jpg"})
    assert (status, error_code(body)[0]) == (403, "SignatureDoesNotMatch")


def test_sigv2_presigned_put_applies_the_storage_class_of_its_query(endpoint: str, s3: Any, bucket: str) -> None:
    # aws-sdk-ruby aws-sdk-core/features/s3/presigned.feature "Presigning a put object request with
    # x-amz-*": a SigV2 URL carries x-amz-storage-class in its query, and the object takes it.
    v2 = make_client(endpoint, "s3", signature_version="s3")
    url = v2.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "test",
                                                          "StorageClass": "REDUCED_REDUNDANCY"})
    assert "x-amz-storage-class=REDUCED_REDUNDANCY" in url
    assert http("PUT", url, b"hello")[0] == 200
    head = s3.head_object(Bucket=bucket, Key="test")
    assert (head["StorageClass"], s3.get_object(Bucket=bucket, Key="test")["Body"].read()) == (
        "REDUCED_REDUNDANCY", b"hello")


# -- copying an object onto itself ---------------------------------------------------------------


def test_copy_in_place_naming_a_storage_class_is_legal_and_keeps_the_metadata(s3: Any, bucket: str) -> None:
    # aws-sdk-ruby features/s3/high_level/objects.feature "Copy an object in place without changing
    # anything" (x-amz-metadata-directive COPY with x-amz-storage-class STANDARD) and "Change S3
    # storage class on an object" (enable, then disable, reduced redundancy).
    s3.put_object(Bucket=bucket, Key="foo", Body=b"a-string", Metadata={"foo": "bar", "baz": "bla"})
    for storage_class in ("STANDARD", "REDUCED_REDUNDANCY", "STANDARD"):
        s3.copy_object(Bucket=bucket, Key="foo", CopySource={"Bucket": bucket, "Key": "foo"},
                       MetadataDirective="COPY", StorageClass=storage_class)
        got = s3.get_object(Bucket=bucket, Key="foo")
        assert (got["Body"].read(), got["Metadata"], got.get("StorageClass", "STANDARD")) == (
            b"a-string", {"foo": "bar", "baz": "bla"}, storage_class)


# -- listing -------------------------------------------------------------------------------------


def test_list_objects_pages_keys_and_common_prefixes_one_entry_per_page(s3: Any, bucket: str) -> None:
    # aws-sdk-ruby gems/aws-sdk-s3/features/client/objects.feature "Paging responses": 4 responses for
    # photos/ delimited by "/" with a limit of 1 (two common prefixes, two keys).
    for key in ("photos/camping/cascades.jpg", "photos/skiing/stevens.jpg", "photos/family.jpg",
                "photos/friends.jpg"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    pages = list(s3.get_paginator("list_objects").paginate(
        Bucket=bucket, Prefix="photos/", Delimiter="/", PaginationConfig={"PageSize": 1}))
    assert [([c["Key"] for c in p.get("Contents", [])], [c["Prefix"] for c in p.get("CommonPrefixes", [])],
             p["IsTruncated"], p.get("NextMarker")) for p in pages] == [
        ([], ["photos/camping/"], True, "photos/camping/"),
        (["photos/family.jpg"], [], True, "photos/family.jpg"),
        (["photos/friends.jpg"], [], True, "photos/friends.jpg"),
        ([], ["photos/skiing/"], False, None),
    ]


# -- bad input -----------------------------------------------------------------------------------


def test_put_object_with_an_empty_key_is_a_400(endpoint: str, bucket: str) -> None:
    # aws-sdk-js features/s3/objects.feature "Error handling": putObject with Key "" answers 400 (the
    # request is a PUT on the bucket itself, with a body that is no bucket configuration).
    unchecked = make_client(endpoint, "s3", parameter_validation=False)
    assert error_of(unchecked.put_object, Bucket=bucket, Key="", Body=b"data")[1] == 400


@pytest.mark.parametrize(
    "amz_date",
    [
        # ceph s3-tests test_object_create_bad_date_empty_aws2: x-amz-date, even empty, overrides Date.
        "",
        # ceph s3-tests test_object_create_bad_date_before_epoch_aws2: a date before 1970 is none,
        # where a date merely far from now (test_object_create_bad_date_before_today_aws2) is
        # RequestTimeTooSkewed.
        "Tue, 07 Jul 1950 21:53:04 GMT",
    ],
)
def test_sigv2_with_an_x_amz_date_that_is_no_valid_date_is_refused(
    endpoint: str, bucket: str, amz_date: str
) -> None:
    v2 = make_client(endpoint, "s3", signature_version="s3")

    def set_amz_date(request: Any, **_: Any) -> None:
        request.headers["x-amz-date"] = amz_date

    v2.meta.events.register_first("before-sign.s3.PutObject", set_amz_date)
    code, status, message = error_of(v2.put_object, Bucket=bucket, Key="k", Body=b"x")
    assert (code, status, message) == (
        "AccessDenied",
        403,
        "AWS authentication requires a valid Date or x-amz-date header",
    )


def test_an_empty_authorization_header_is_an_anonymous_request(endpoint: str, bucket: str) -> None:
    # AWS answers `curl -H "Authorization;"` 403 AccessDenied, as an unsigned request (storj/edge#142;
    # ceph s3-tests test_object_create_bad_authorization_empty), not as an unsupported signature.
    status, body, _ = http("PUT", f"{endpoint}/{bucket}/k", b"bar", {"Authorization": ""})
    assert status == 403
    assert b"<Code>AccessDenied</Code>" in body
    assert make_client(endpoint, "s3").list_objects_v2(Bucket=bucket)["KeyCount"] == 0
