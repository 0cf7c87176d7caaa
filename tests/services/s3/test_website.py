"""S3 static website endpoints (`<bucket>.s3-website-<region>.<host>`, `<bucket>.s3-website.<region>.<host>`),
answered as S3's website endpoint does: anonymous GET/HEAD, index and error documents, redirects,
routing rules and HTML error pages. Requests go to 127.0.0.1 with the website Host header, which is
what a DNS or hosts-file entry for the website name would do."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import urllib3

WEBSITE = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}}
_http = urllib3.PoolManager()


def site(
    endpoint: str,
    bucket: str,
    path: str = "/",
    method: str = "GET",
    host: str | None = None,
    headers: dict[str, str] | None = None,
) -> urllib3.BaseHTTPResponse:
    port = endpoint.rsplit(":", 1)[1]
    return _http.request(
        method,
        endpoint + path,
        redirect=False,
        retries=False,
        headers={"Host": host or f"{bucket}.s3-website-us-east-1.localhost:{port}", **(headers or {})},
    )


def make_public(s3: Any, bucket: str, *actions: str) -> None:
    """A bucket policy that lets everyone do `actions` (GetObject by default), Block Public Access lifted."""
    s3.delete_public_access_block(Bucket=bucket)
    statements = []
    for action in actions or ("s3:GetObject",):
        resource = f"arn:aws:s3:::{bucket}" if action == "s3:ListBucket" else f"arn:aws:s3:::{bucket}/*"
        statements.append({"Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))


def error_items(response: urllib3.BaseHTTPResponse) -> dict[str, str]:
    """The `<li>Name: value</li>` items of the first list of an HTML error page."""
    first = response.data.decode().split("</ul>")[0]
    return dict(re.findall(r"<li>([^:<]+): ([^<]*)</li>", first))


@pytest.fixture
def website(s3: Any, bucket: str) -> str:
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=WEBSITE)
    s3.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>home</h1>", ContentType="text/html")
    s3.put_object(Bucket=bucket, Key="docs/index.html", Body=b"<h1>docs</h1>", ContentType="text/html")
    return bucket


def test_root_and_folders_are_served_from_the_index_document(endpoint: str, s3: Any, website: str) -> None:
    make_public(s3, website)
    home = site(endpoint, website, "/")
    assert (home.status, home.data, home.headers["Content-Type"]) == (200, b"<h1>home</h1>", "text/html")
    assert home.headers["ETag"] == s3.head_object(Bucket=website, Key="index.html")["ETag"]
    assert "x-amz-request-id" in home.headers
    assert site(endpoint, website, "/docs/").data == b"<h1>docs</h1>"


def test_head_answers_with_the_headers_of_get_and_no_body(endpoint: str, s3: Any, website: str) -> None:
    make_public(s3, website)
    head = site(endpoint, website, "/", method="HEAD")
    get = site(endpoint, website, "/")
    assert (head.status, head.data, head.headers["Content-Length"]) == (200, b"", "13")
    for name in ("Content-Type", "ETag", "Last-Modified"):
        assert head.headers[name] == get.headers[name]


def test_a_folder_without_trailing_slash_redirects_to_the_folder(
    endpoint: str, s3: Any, website: str
) -> None:
    make_public(s3, website)
    answer = site(endpoint, website, "/docs")
    assert (answer.status, answer.headers["Location"]) == (302, "/docs/")


def test_the_region_may_follow_a_dot_as_well_as_a_dash(endpoint: str, s3: Any, website: str) -> None:
    make_public(s3, website)
    answer = site(endpoint, website, "/", host=f"{website}.s3-website.eu-central-1.localhost")
    assert (answer.status, answer.data) == (200, b"<h1>home</h1>")


def test_objects_that_are_not_public_are_forbidden(endpoint: str, website: str) -> None:
    answer = site(endpoint, website, "/")
    assert answer.status == 403
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert error_items(answer)["Code"] == "AccessDenied"
    assert error_items(answer)["Message"] == "Access Denied"


def test_a_requester_pays_bucket_is_forbidden_through_the_website_endpoint(
    endpoint: str, s3: Any, website: str
) -> None:
    # "Requester Pays buckets do not allow access through the website endpoint. Any request to such a
    # bucket receives a 403 Access Denied response." (S3 User Guide, Website endpoints)
    make_public(s3, website)
    s3.put_bucket_request_payment(Bucket=website, RequestPaymentConfiguration={"Payer": "Requester"})
    answer = site(endpoint, website, "/")
    assert answer.status == 403
    assert (error_items(answer)["Code"], error_items(answer)["Message"]) == ("AccessDenied", "Access Denied")
    s3.put_bucket_request_payment(Bucket=website, RequestPaymentConfiguration={"Payer": "BucketOwner"})
    assert site(endpoint, website, "/").data == b"<h1>home</h1>"


def test_a_missing_key_is_404_when_everyone_may_list_the_bucket(endpoint: str, s3: Any, website: str) -> None:
    s3.delete_bucket_website(Bucket=website)
    s3.put_bucket_website(Bucket=website, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    make_public(s3, website, "s3:GetObject", "s3:ListBucket")
    answer = site(endpoint, website, "/nothing/here.html")
    assert answer.status == 404
    items = error_items(answer)
    assert (items["Code"], items["Message"], items["Key"]) == (
        "NoSuchKey",
        "The specified key does not exist.",
        "nothing/here.html",
    )
    assert "RequestId" in items and "HostId" in items
    assert "<title>404 Not Found</title>" in answer.data.decode()


def test_a_missing_key_is_403_when_the_public_may_only_get_objects(
    endpoint: str, s3: Any, website: str
) -> None:
    s3.put_bucket_website(Bucket=website, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    make_public(s3, website)
    answer = site(endpoint, website, "/nothing.html")
    assert (answer.status, error_items(answer)["Code"]) == (403, "AccessDenied")


def test_the_error_document_is_served_with_the_original_status(endpoint: str, s3: Any, website: str) -> None:
    s3.put_object(Bucket=website, Key="error.html", Body=b"<p>not here</p>", ContentType="text/html")
    make_public(s3, website, "s3:GetObject", "s3:ListBucket")
    answer = site(endpoint, website, "/missing.html")
    assert (answer.status, answer.data, answer.headers["Content-Type"]) == (
        404,
        b"<p>not here</p>",
        "text/html",
    )


def test_a_missing_error_document_is_reported_after_the_original_error(
    endpoint: str, s3: Any, website: str
) -> None:
    make_public(s3, website, "s3:GetObject", "s3:ListBucket")
    answer = site(endpoint, website, "/missing.html")
    page = answer.data.decode()
    assert answer.status == 404
    assert error_items(answer)["Key"] == "missing.html"
    assert "<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>" in page
    assert "<li>Key: error.html</li>" in page.split("<h3>")[1]


def test_only_get_and_head_are_allowed(endpoint: str, s3: Any, website: str) -> None:
    make_public(s3, website)
    answer = site(endpoint, website, "/index.html", method="PUT")
    items = error_items(answer)
    assert answer.status == 405
    assert (items["Code"], items["Method"], items["ResourceType"]) == ("MethodNotAllowed", "PUT", "OBJECT")


def test_a_bucket_without_website_configuration_answers_no_such_website_configuration(
    endpoint: str, bucket: str
) -> None:
    answer = site(endpoint, bucket, "/")
    items = error_items(answer)
    assert answer.status == 404
    assert (items["Code"], items["BucketName"]) == ("NoSuchWebsiteConfiguration", bucket)


def test_a_missing_bucket_answers_no_such_bucket(endpoint: str) -> None:
    answer = site(endpoint, "no-such-website-bucket-h6", "/")
    assert (answer.status, error_items(answer)["Code"]) == (404, "NoSuchBucket")


def test_redirect_all_requests_keeps_the_path(endpoint: str, s3: Any, bucket: str) -> None:
    s3.put_bucket_website(
        Bucket=bucket,
        WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "www.example.com", "Protocol": "https"}},
    )
    answer = site(endpoint, bucket, "/a/b.html")
    assert (answer.status, answer.headers["Location"]) == (301, "https://www.example.com/a/b.html")


def test_routing_rule_on_a_key_prefix_replaces_the_prefix(endpoint: str, s3: Any, website: str) -> None:
    s3.put_bucket_website(
        Bucket=website,
        WebsiteConfiguration={
            **WEBSITE,
            "RoutingRules": [
                {
                    "Condition": {"KeyPrefixEquals": "docs/"},
                    "Redirect": {"ReplaceKeyPrefixWith": "documents/", "HttpRedirectCode": "307"},
                }
            ],
        },
    )
    host = f"{website}.s3-website-us-east-1.localhost"
    answer = site(endpoint, website, "/docs/a.html", host=host)
    assert (answer.status, answer.headers["Location"]) == (307, f"http://{host}/documents/a.html")


def test_routing_rule_on_an_error_code_redirects_instead_of_the_error(
    endpoint: str, s3: Any, website: str
) -> None:
    s3.put_bucket_website(
        Bucket=website,
        WebsiteConfiguration={
            **WEBSITE,
            "RoutingRules": [
                {
                    "Condition": {"HttpErrorCodeReturnedEquals": "404"},
                    "Redirect": {
                        "HostName": "backup.example.com",
                        "Protocol": "https",
                        "ReplaceKeyWith": "sorry.html",
                    },
                }
            ],
        },
    )
    make_public(s3, website, "s3:GetObject", "s3:ListBucket")
    assert site(endpoint, website, "/index.html").status == 200
    answer = site(endpoint, website, "/gone.html")
    assert (answer.status, answer.headers["Location"]) == (301, "https://backup.example.com/sorry.html")


def test_an_objects_website_redirect_location_redirects(endpoint: str, s3: Any, website: str) -> None:
    s3.put_object(Bucket=website, Key="old.html", Body=b"", WebsiteRedirectLocation="/docs/index.html")
    make_public(s3, website)
    answer = site(endpoint, website, "/old.html")
    assert (answer.status, answer.headers["Location"]) == (301, "/docs/index.html")


def test_range_and_conditional_requests_behave_as_on_the_rest_endpoint(
    endpoint: str, s3: Any, website: str
) -> None:
    make_public(s3, website)
    part = site(endpoint, website, "/index.html", headers={"Range": "bytes=0-3"})
    assert (part.status, part.data, part.headers["Content-Range"]) == (206, b"<h1>", "bytes 0-3/13")
    etag = part.headers["ETag"]
    assert site(endpoint, website, "/index.html", headers={"If-None-Match": etag}).status == 304


def test_the_rest_endpoint_hides_missing_keys_from_callers_who_may_not_list(
    endpoint: str, s3: Any, bucket: str
) -> None:
    make_public(s3, bucket)
    anonymous = _http.request("GET", f"{endpoint}/{bucket}/absent", retries=False)
    assert anonymous.status == 403
    assert b"<Code>AccessDenied</Code>" in anonymous.data
    with pytest.raises(s3.exceptions.NoSuchKey):  # the owner may list: the truth
        s3.get_object(Bucket=bucket, Key="absent")


def test_a_website_redirect_location_must_be_a_path_or_an_http_url(s3: Any, bucket: str) -> None:
    from tests.services.s3.core_support import error_of

    code, status, _ = error_of(
        s3.put_object, Bucket=bucket, Key="k", Body=b"", WebsiteRedirectLocation="elsewhere.html"
    )
    assert (code, status) == ("InvalidArgument", 400)
    s3.put_object(Bucket=bucket, Key="k", Body=b"", WebsiteRedirectLocation="https://example.com/x")
    assert s3.head_object(Bucket=bucket, Key="k")["WebsiteRedirectLocation"] == "https://example.com/x"
