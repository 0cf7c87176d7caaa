"""CORS acted on: preflight answers (OPTIONS, unauthenticated) from the bucket's rules, and the
Access-Control-* headers S3 adds to actual requests that carry an Origin. Expected answers are
those recorded against AWS (status, error code and message, and which headers)."""

from __future__ import annotations

import http.client
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from tests.services.s3.core_support import server_port, unique_bucket

NOT_ALLOWED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request "
    "method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the "
    "resource's CORS spec."
)
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"


class Answer:
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.headers = {k.lower(): v for k, v in response.getheaders()}
        self.body = response.read()

    def error(self) -> dict[str, str]:
        return {child.tag: child.text or "" for child in ET.fromstring(self.body)}


def send(endpoint: str, method: str, path: str, headers: dict[str, str] | None = None) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", server_port(endpoint), timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        return Answer(connection.getresponse())
    finally:
        connection.close()


RULES: dict[str, Any] = {
    "CORSRules": [
        {"AllowedMethods": ["PUT", "DELETE"], "AllowedOrigins": ["https://app.example.com"],
         "AllowedHeaders": ["x-amz-*", "content-type"], "ExposeHeaders": ["ETag", "x-amz-request-id"],
         "MaxAgeSeconds": 3000},
        {"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": ["*"]},
        {"AllowedMethods": ["POST"], "AllowedOrigins": ["https://*.uploads.example.com"], "AllowedHeaders": ["*"]},
    ]
}


@pytest.fixture
def cors_bucket(s3: Any, bucket: str) -> str:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration=RULES)
    s3.put_object(Bucket=bucket, Key="photo.jpg", Body=b"jpeg")
    return bucket


def test_preflight_matching_a_specific_origin_echoes_it_with_credentials_methods_headers_and_max_age(
    endpoint: str, cors_bucket: str
) -> None:
    answer = send(endpoint, "OPTIONS", f"/{cors_bucket}/photo.jpg", {
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "X-Amz-Date, Content-Type",
    })
    assert answer.status == 200
    assert answer.body == b""
    assert answer.headers["access-control-allow-origin"] == "https://app.example.com"
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert answer.headers["access-control-allow-methods"] == "PUT, DELETE"
    assert answer.headers["access-control-allow-headers"] == "x-amz-date, content-type"
    assert answer.headers["access-control-expose-headers"] == "ETag, x-amz-request-id"
    assert answer.headers["access-control-max-age"] == "3000"
    assert answer.headers["vary"] == VARY
    assert answer.headers["x-amz-request-id"]


def test_preflight_matching_a_wildcard_origin_answers_star_without_credentials(endpoint: str, cors_bucket: str) -> None:
    answer = send(endpoint, "OPTIONS", f"/{cors_bucket}/photo.jpg",
                  {"Origin": "http://anything.test", "Access-Control-Request-Method": "GET"})
    assert answer.status == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in answer.headers
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD"
    assert "access-control-max-age" not in answer.headers


def test_preflight_origin_wildcard_matches_a_run_of_characters(endpoint: str, cors_bucket: str) -> None:
    ok = send(endpoint, "OPTIONS", f"/{cors_bucket}",
              {"Origin": "https://eu.uploads.example.com", "Access-Control-Request-Method": "POST"})
    wrong_host = send(endpoint, "OPTIONS", f"/{cors_bucket}",
                      {"Origin": "https://uploads.example.com.evil", "Access-Control-Request-Method": "POST"})
    assert ok.status == 200
    assert ok.headers["access-control-allow-origin"] == "https://eu.uploads.example.com"
    assert wrong_host.status == 403


def test_preflight_no_rule_matching_is_access_forbidden_naming_method_and_resource(endpoint: str, cors_bucket: str) -> None:
    answer = send(endpoint, "OPTIONS", f"/{cors_bucket}/photo.jpg",
                  {"Origin": "https://evil.example.org", "Access-Control-Request-Method": "PUT"})
    assert answer.status == 403
    assert "access-control-allow-origin" not in answer.headers
    error = answer.error()
    assert (error["Code"], error["Message"]) == ("AccessForbidden", NOT_ALLOWED)
    assert (error["Method"], error["ResourceType"]) == ("PUT", "OBJECT")
    assert error["RequestId"] == answer.headers["x-amz-request-id"]


def test_preflight_with_a_header_the_rule_does_not_allow_is_refused(endpoint: str, cors_bucket: str) -> None:
    answer = send(endpoint, "OPTIONS", f"/{cors_bucket}/photo.jpg", {
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "x-custom-header",
    })
    assert answer.status == 403
    assert answer.error()["Code"] == "AccessForbidden"


def test_preflight_on_a_bucket_without_cors_is_forbidden_as_not_enabled(endpoint: str, bucket: str) -> None:
    answer = send(endpoint, "OPTIONS", f"/{bucket}/photo.jpg",
                  {"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
    assert answer.status == 403
    error = answer.error()
    assert (error["Code"], error["Message"]) == ("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.")
    assert (error["Method"], error["ResourceType"]) == ("GET", "BUCKET")


def test_preflight_on_a_missing_bucket_is_forbidden_as_bucket_not_found(endpoint: str) -> None:
    answer = send(endpoint, "OPTIONS", f"/{unique_bucket('nocors')}/x",
                  {"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
    assert answer.status == 403
    assert answer.error()["Message"] == "CORSResponse: Bucket not found"


def test_preflight_without_origin_is_a_bad_request(endpoint: str, cors_bucket: str) -> None:
    answer = send(endpoint, "OPTIONS", f"/{cors_bucket}/photo.jpg", {"Access-Control-Request-Method": "GET"})
    assert answer.status == 400
    error = answer.error()
    assert (error["Code"], error["Message"]) == ("BadRequest", "Insufficient information. Origin request header needed.")


def test_preflight_without_a_requested_method_is_a_bad_request(endpoint: str, cors_bucket: str) -> None:
    answer = send(endpoint, "OPTIONS", f"/{cors_bucket}/photo.jpg", {"Origin": "https://app.example.com"})
    assert answer.status == 400
    assert answer.error()["Code"] == "BadRequest"


def test_preflight_to_a_virtual_hosted_bucket_is_answered_from_its_rules(endpoint: str, cors_bucket: str) -> None:
    answer = send(endpoint, "OPTIONS", "/photo.jpg", {
        "Host": f"{cors_bucket}.s3.localhost:{server_port(endpoint)}",
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "DELETE",
    })
    assert answer.status == 200
    assert answer.headers["access-control-allow-origin"] == "https://app.example.com"


def test_actual_get_with_an_allowed_origin_carries_cors_headers(endpoint: str, s3: Any, cors_bucket: str) -> None:
    url = s3.generate_presigned_url("get_object", Params={"Bucket": cors_bucket, "Key": "photo.jpg"})
    path = url.split(str(server_port(endpoint)), 1)[1]
    answer = send(endpoint, "GET", path, {"Origin": "http://page.test"})
    assert answer.status == 200
    assert answer.body == b"jpeg"
    # A signed request matching the any-origin rule is answered with its own origin.
    assert answer.headers["access-control-allow-origin"] == "http://page.test"
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD"
    assert answer.headers["vary"] == VARY


def test_actual_request_without_origin_carries_no_cors_headers(endpoint: str, s3: Any, cors_bucket: str) -> None:
    response = s3.get_object(Bucket=cors_bucket, Key="photo.jpg")
    assert not any(h.startswith("access-control-") for h in response["ResponseMetadata"]["HTTPHeaders"])


def test_error_answer_to_a_request_with_an_allowed_origin_still_carries_cors_headers(endpoint: str, cors_bucket: str) -> None:
    answer = send(endpoint, "GET", f"/{cors_bucket}/missing.jpg", {"Origin": "http://page.test"})
    assert answer.status == 403  # anonymous, private bucket
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD"


def test_actual_request_whose_method_no_rule_allows_for_its_origin_gets_no_cors_headers(
    endpoint: str, cors_bucket: str
) -> None:
    answer = send(endpoint, "DELETE", f"/{cors_bucket}/photo.jpg", {"Origin": "http://page.test"})
    assert "access-control-allow-origin" not in answer.headers


def test_actual_request_asking_for_a_header_no_rule_allows_gets_no_cors_headers(
    endpoint: str, s3: Any, bucket: str
) -> None:
    rule = {"AllowedMethods": ["GET"], "AllowedOrigins": ["https://app.example.com"],
            "AllowedHeaders": ["x-amz-expected-bucket-owner"]}
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [rule]})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    signed = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    path = signed[signed.index(f"/{bucket}/"):]
    origin = {"Origin": "https://app.example.com"}
    asked = send(endpoint, "GET", path, {**origin, "Access-Control-Request-Headers": "x-amz-request-payer"})
    assert (asked.status, asked.body) == (200, b"x")
    assert not any(name.startswith("access-control-") for name in asked.headers)
    plain = send(endpoint, "GET", path, {**origin, "x-amz-request-payer": "requester"})
    assert plain.headers["access-control-allow-origin"] == "https://app.example.com"
