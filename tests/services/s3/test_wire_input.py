"""S3 inputs at the wire that once got a 500 or held the server for seconds, sent as raw bytes."""

from __future__ import annotations

import base64
import hashlib
import json

from tests.raw_http import error_code, exchange, signed_request
from tests.services.s3.test_post_upload import post_form, signed_fields


def test_a_bucket_policy_over_20_kb_is_refused_at_once(endpoint: str, bucket: str) -> None:
    # 3 MB of resource ARN: compiling it as a pattern took longer than a client waits.
    resource = f"arn:aws:s3:::{bucket}/" + "a" * 3_000_000
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": resource}],
    }
    request = signed_request(endpoint, "PUT", f"/{bucket}?policy", "s3", json.dumps(policy).encode())
    status, _, body = exchange(endpoint, request)
    assert (status, error_code(body)) == (400, "MalformedPolicy")
    assert b"Policy exceeds the maximum allowed document size." in body


def test_the_20_kb_bucket_policy_limit_does_not_count_whitespace(endpoint: str, bucket: str, s3) -> None:
    resource = f"arn:aws:s3:::{bucket}/" + "a" * 19_000
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": resource}],
    }
    text = json.dumps(policy, indent=200)  # over 20 KB as sent, under it without the indentation
    assert len(text) > 20 * 1024
    status, _, _ = exchange(
        endpoint, signed_request(endpoint, "PUT", f"/{bucket}?policy", "s3", text.encode())
    )
    assert status == 204
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy


def test_a_website_redirect_code_in_superscript_digits_is_invalid_request(endpoint: str, bucket: str) -> None:
    for code in ("\u00b2", "9" * 5000):
        config = (
            "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><RoutingRules>"
            f"<RoutingRule><Redirect><HttpRedirectCode>{code}</HttpRedirectCode></Redirect></RoutingRule>"
            "</RoutingRules></WebsiteConfiguration>"
        )
        request = signed_request(endpoint, "PUT", f"/{bucket}?website", "s3", config.encode())
        status, _, body = exchange(endpoint, request)
        assert (status, error_code(body)) == (400, "InvalidRequest")
        assert b"is not valid. Valid codes are 3XX except 300." in body


def test_a_post_policy_content_length_range_of_5000_digits_is_no_500(endpoint: str, bucket: str) -> None:
    # Beyond the 4300 digits int() reads: a bound beyond any upload, so the file is too small.
    digits = "9" * 5000
    conditions = [["starts-with", "$key", ""], ["content-length-range", digits, digits]]
    fields = {"key": "k", **signed_fields(bucket, conditions)}
    status, body, _ = post_form(f"{endpoint}/{bucket}", fields, b"hello")
    assert (status, error_code(body)) == (400, "EntityTooSmall")


def test_cors_expose_headers_stored_with_a_line_break_leave_it_out_of_the_answer(
    endpoint: str, bucket: str, s3
) -> None:
    # XML text may carry CR/LF; a response header may not (it was a 500).
    config = (
        b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
        b"<ExposeHeader>x-a\r\nx-b</ExposeHeader></CORSRule></CORSConfiguration>"
    )
    md5 = base64.b64encode(hashlib.md5(config).digest()).decode()
    request = signed_request(endpoint, "PUT", f"/{bucket}?cors", "s3", config, {"content-md5": md5})
    assert exchange(endpoint, request)[0] == 200
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    status, headers, _ = exchange(
        endpoint, signed_request(endpoint, "GET", f"/{bucket}/k", "s3", headers={"origin": "http://a"})
    )
    assert status == 200
    assert headers["access-control-expose-headers"] == "x-ax-b"


def test_a_website_redirect_host_stored_with_a_line_break_is_left_out_of_the_location(
    endpoint: str, bucket: str
) -> None:
    config = (
        b"<WebsiteConfiguration><RedirectAllRequestsTo><HostName>example.com\r\nX-Injected: 1</HostName>"
        b"</RedirectAllRequestsTo></WebsiteConfiguration>"
    )
    assert exchange(endpoint, signed_request(endpoint, "PUT", f"/{bucket}?website", "s3", config))[0] == 200
    host = f"{bucket}.s3-website-us-east-1.localhost"
    status, headers, _ = exchange(endpoint, f"GET /page HTTP/1.1\r\nhost: {host}\r\n\r\n".encode())
    assert status == 301
    assert headers["location"].startswith("http://example.com")  # the line break left out
    assert "x-injected" not in headers
