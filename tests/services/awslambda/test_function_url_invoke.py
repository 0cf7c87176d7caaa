"""Function URLs invoked over HTTP: the Host `<url-id>.lambda-url.<region>.localhost:<port>` reaches the
function with a payload format 2.0 event; its answer comes back as the HTTP response; NONE and
AWS_IAM auth, CORS, errors, timeouts and throttles answer as Lambda's function URLs do.

Requests go to 127.0.0.1 with the URL's Host header (no resolver is needed for *.localhost).
"""

from __future__ import annotations

import base64
import http.client
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import ROOT_ACCOUNT, ROOT_KEY, ROOT_SECRET, ServerProcess
from tests.services.awslambda.support import Functions
from tests.services.awslambda.url_support import Answer, make_public, send
from tests.services.iam.support import Caller, allow, doc

SOURCE = """
import base64, json, time

BAD_RESPONSES = {
    "header-crlf": {"statusCode": 200, "headers": {"x-a": "b\\r\\nSet-Cookie: evil=1"}, "body": "x"},
    "header-name-crlf": {"statusCode": 200, "headers": {"x-a\\r\\nx-b": "c"}, "body": "x"},
    "header-not-latin-1": {"statusCode": 200, "headers": {"x-a": "\\u2603"}, "body": "x"},
    "headers-not-an-object": {"statusCode": 200, "headers": ["x-a"], "body": "x"},
    "cookie-crlf": {"statusCode": 200, "cookies": ["a=1\\r\\nX-B: c"], "body": "x"},
}

def handler(event, context):
    mode = (event.get("queryStringParameters") or {}).get("mode", "echo")
    if mode == "echo":
        return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(event)}
    if mode == "full":
        return {"statusCode": 201, "headers": {"X-Custom": "v", "Content-Type": "text/plain"},
                "cookies": ["a=1", "b=2; Path=/"], "body": "created"}
    if mode == "binary":
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(b"\\x00\\xff\\x10").decode(), "isBase64Encoded": True}
    if mode == "inferred":
        return {"message": "hi"}
    if mode == "text":
        return "plain words"
    if mode == "arn":
        return {"statusCode": 200, "body": context.invoked_function_arn}
    if mode == "own-cors":
        return {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "https://other.example"}, "body": "x"}
    if mode == "no-content":
        return {"statusCode": 204, "body": "hello"}
    if mode == "error":
        raise ValueError("boom")
    if mode in BAD_RESPONSES:
        return BAD_RESPONSES[mode]
    if mode == "sleep":
        time.sleep(5)
    return {"statusCode": 200, "body": mode}
"""


def signed(
    url: str,
    key: str,
    secret: str,
    method: str = "GET",
    target: str = "/",
    body: bytes = b"",
    service: str = "lambda",
    region: str = "us-east-1",
) -> Answer:
    """A request SigV4-signed as botocore signs it (service "lambda"), sent as `send` sends it."""
    request = AWSRequest(method=method, url=url.rstrip("/") + target, data=body)
    SigV4Auth(Credentials(key, secret), service, region).add_auth(request)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
    return send(url, method, target, headers, body or None)


@pytest.fixture(scope="module")
def public(lam: Any, role: str) -> Iterator[str]:
    """The URL of a public (NONE) function URL, shared by the tests that only call it."""
    made = Functions(lam, role)
    name = made.python(SOURCE, timeout=1)
    url: str = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    make_public(lam, name)
    yield url
    made.cleanup()


def event_of(answer: Answer) -> dict[str, Any]:
    assert answer.status == 200, answer.body
    event: dict[str, Any] = answer.json()
    return event


# -- the URL -----------------------------------------------------------------------------------------


def test_a_url_config_reports_a_local_url_in_aws_shape(public: str, server: ServerProcess) -> None:
    assert re.fullmatch(rf"http://[0-9a-f]{{32}}\.lambda-url\.us-east-1\.localhost:{server.port}/", public)


def test_an_unknown_url_id_is_forbidden(server: ServerProcess) -> None:
    # As AWS answered LocalStack's test_lambda_url_non_existing_url.
    answer = send(f"http://{'0' * 32}.lambda-url.us-east-1.localhost:{server.port}/")
    assert (answer.status, answer.body) == (403, b'{"Message":null}')
    assert answer.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert answer.headers["content-type"] == "application/json"


# -- the request event -------------------------------------------------------------------------------


def test_a_get_reaches_the_function_as_a_format_2_event(public: str) -> None:
    url_id = urlsplit(public).hostname.split(".")[0]  # type: ignore[union-attr]
    answer = send(
        public,
        "GET",
        "/some/path?a=1&a=2&b=x%20y&mode=echo",
        {"X-Custom": "v", "Cookie": "c1=v1; c2=v2", "User-Agent": "tester/1.0"},
    )
    event = event_of(answer)
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/some/path"
    assert event["rawQueryString"] == "a=1&a=2&b=x%20y&mode=echo"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y", "mode": "echo"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["headers"]["x-custom"] == "v" and "cookie" not in event["headers"]
    assert event["isBase64Encoded"] is False and "body" not in event
    context = event["requestContext"]
    assert context["accountId"] == "anonymous"
    assert context["apiId"] == context["domainPrefix"] == url_id
    assert context["domainName"] == urlsplit(public).hostname
    assert context["http"] == {
        "method": "GET",
        "path": "/some/path",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "tester/1.0",
    }
    assert context["stage"] == "$default" and context["routeKey"] == "$default"
    assert context["requestId"] == answer.headers["x-amzn-RequestId"]
    assert isinstance(context["timeEpoch"], int) and re.fullmatch(
        r"\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000", context["time"]
    )
    assert "authorizer" not in context


def test_a_204_answer_carries_no_body_even_if_the_function_gave_one(public: str) -> None:
    # A body after a 204 would be read as the start of the next answer on the connection.
    parts = urlsplit(public)
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
    try:
        connection.request("GET", "/?mode=no-content", headers={"Host": parts.netloc})
        first = Answer(connection.getresponse())
        connection.request("GET", "/?mode=echo", headers={"Host": parts.netloc})
        second = Answer(connection.getresponse())
    finally:
        connection.close()
    assert (first.status, first.body) == (204, b"")
    assert "content-length" not in first.headers
    assert second.status == 200 and second.json()["rawQueryString"] == "mode=echo"


def test_a_json_post_body_arrives_as_text(public: str) -> None:
    body = json.dumps({"k": "v"}).encode()
    event = event_of(send(public, "POST", "/items?mode=echo", {"Content-Type": "application/json"}, body))
    assert event["requestContext"]["http"]["method"] == "POST"
    assert (event["body"], event["isBase64Encoded"]) == (body.decode(), False)


def test_a_binary_body_arrives_base64_encoded(public: str) -> None:
    body = bytes(range(256))
    event = event_of(send(public, "PUT", "/?mode=echo", {"Content-Type": "application/octet-stream"}, body))
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == body


def test_repeated_headers_are_joined_with_commas(public: str) -> None:
    parts = urlsplit(public)
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
    connection.putrequest("GET", "/?mode=echo", skip_host=True)
    connection.putheader("Host", parts.netloc)
    connection.putheader("X-Multi", "one")
    connection.putheader("X-Multi", "two")
    connection.endheaders()
    event = event_of(Answer(connection.getresponse()))
    connection.close()
    assert event["headers"]["x-multi"] == "one,two"


# -- the response ------------------------------------------------------------------------------------


def test_a_response_object_sets_status_headers_cookies_and_body(public: str) -> None:
    answer = send(public, "GET", "/?mode=full")
    assert answer.status == 201
    assert answer.headers["x-custom"] == "v" and answer.headers["content-type"] == "text/plain"
    assert answer.headers.get_all("set-cookie") == ["a=1", "b=2; Path=/"]
    assert answer.body == b"created"


def test_a_base64_response_body_is_decoded(public: str) -> None:
    answer = send(public, "GET", "/?mode=binary")
    assert (answer.status, answer.body) == (200, b"\x00\xff\x10")
    assert answer.headers["content-type"] == "application/octet-stream"


def test_json_without_a_status_code_is_a_200_json_body(public: str) -> None:
    answer = send(public, "GET", "/?mode=inferred")
    assert (answer.status, answer.headers["content-type"]) == (200, "application/json")
    assert answer.json() == {"message": "hi"}


def test_a_json_string_answer_is_the_body_as_its_text(public: str) -> None:
    # As AWS answered LocalStack's test_lambda_url_invocation[string]: "hello", Content-Length 5.
    answer = send(public, "GET", "/?mode=text")
    assert (answer.status, answer.body) == (200, b"plain words")


def test_a_function_error_is_a_502(public: str) -> None:
    answer = send(public, "GET", "/?mode=error")
    assert (answer.status, answer.body) == (502, b"Internal Server Error")


@pytest.mark.parametrize(
    "mode", ["header-crlf", "header-name-crlf", "header-not-latin-1", "headers-not-an-object", "cookie-crlf"]
)
def test_a_response_with_headers_http_cannot_carry_is_a_502(public: str, mode: str) -> None:
    answer = send(public, "GET", f"/?mode={mode}")
    assert (answer.status, answer.body) == (502, b"Internal Server Error")
    assert "set-cookie" not in answer.headers and "x-b" not in answer.headers


def test_a_timeout_is_a_502(public: str) -> None:
    answer = send(public, "GET", "/?mode=sleep")
    assert (answer.status, answer.body) == (502, b"Internal Server Error")


def test_a_throttled_function_is_a_429(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    make_public(lam, name)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    answer = send(url)
    assert (answer.status, answer.json()) == (429, {"Message": "Rate Exceeded."})


# -- NONE: the resource policy must allow "*" --------------------------------------------------------


def test_a_none_url_without_permission_is_forbidden(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    answer = send(url)
    assert (answer.status, answer.json()) == (
        403,
        {
            "Message": "Forbidden. For troubleshooting Function URL authorization issues, see: "
            "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
        },
    )
    assert answer.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_a_none_url_needs_invoke_function_too(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    lam.add_permission(
        FunctionName=name,
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    assert send(url).status == 403
    lam.add_permission(
        FunctionName=name,
        StatementId="invoke",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
    )
    assert send(url, target="/?mode=ok").body == b"ok"


def test_a_deleted_url_is_forbidden(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    make_public(lam, name)
    assert send(url, target="/?mode=ok").status == 200
    lam.delete_function_url_config(FunctionName=name)
    assert send(url).status == 403


def test_an_alias_url_runs_the_alias(functions: Functions, lam: Any) -> None:
    name = functions.python(SOURCE)
    version = lam.publish_version(FunctionName=name)["Version"]
    alias_arn = lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)["AliasArn"]
    url = lam.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE")["FunctionUrl"]
    make_public(lam, name, qualifier="live")
    answer = send(url, target="/?mode=arn")
    assert (answer.status, answer.body.decode()) == (200, alias_arn)


# -- AWS_IAM: SigV4 for "lambda", and a principal allowed both actions --------------------------------


@pytest.fixture
def iam_url(functions: Functions, lam: Any) -> tuple[str, str]:
    name = functions.python(SOURCE)
    url: str = lam.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    return name, url


def test_an_unsigned_request_to_an_iam_url_is_forbidden(iam_url: tuple[str, str]) -> None:
    answer = send(iam_url[1])
    assert (answer.status, answer.json()) == (403, {"Message": "Forbidden"})


def test_a_signed_request_of_the_account_reaches_the_function_with_its_identity(
    iam_url: tuple[str, str],
) -> None:
    answer = signed(iam_url[1], ROOT_KEY, ROOT_SECRET, "POST", "/?mode=echo", b"payload")
    event = event_of(answer)
    assert event["body"] == "payload"
    iam = event["requestContext"]["authorizer"]["iam"]
    assert iam["accessKey"] == ROOT_KEY and iam["accountId"] == ROOT_ACCOUNT
    assert iam["userArn"] == f"arn:aws:iam::{ROOT_ACCOUNT}:root"
    assert event["requestContext"]["accountId"] == ROOT_ACCOUNT


def test_a_wrong_signature_is_forbidden(iam_url: tuple[str, str]) -> None:
    assert signed(iam_url[1], ROOT_KEY, "not-the-secret").status == 403


def test_a_request_signed_for_another_region_is_refused(iam_url: tuple[str, str]) -> None:
    # AWS's answer to a URL signed for another Region than its own (quoted in jetbridge/cdk-nextjs#116).
    answer = signed(iam_url[1], ROOT_KEY, ROOT_SECRET, region="eu-west-1")
    assert (answer.status, answer.json()) == (403, {"message": "Credential should be scoped to a valid region. "})
    assert signed(iam_url[1], ROOT_KEY, ROOT_SECRET).status == 200


def test_a_user_needs_both_actions_in_its_policy(iam_url: tuple[str, str], server: ServerProcess) -> None:
    name, url = iam_url
    iam: Any = server.client("iam")
    caller = Caller(server.endpoint, iam)
    assert signed(url, caller.key_id, caller.secret).status == 403
    arn = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}"
    iam.put_user_policy(
        UserName=caller.name, PolicyName="url", PolicyDocument=doc(allow("lambda:InvokeFunctionUrl", arn))
    )
    assert signed(url, caller.key_id, caller.secret).status == 403
    iam.put_user_policy(
        UserName=caller.name,
        PolicyName="url",
        PolicyDocument=doc(allow(["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"], arn)),
    )
    answer = signed(url, caller.key_id, caller.secret, target="/?mode=echo")
    assert event_of(answer)["requestContext"]["authorizer"]["iam"]["userArn"] == caller.arn


def test_a_policy_denying_the_url_auth_type_is_enforced(
    iam_url: tuple[str, str], server: ServerProcess
) -> None:
    _, url = iam_url
    iam: Any = server.client("iam")
    caller = Caller(server.endpoint, iam)
    statements = [
        allow(["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"]),
        {
            "Effect": "Deny",
            "Action": "lambda:InvokeFunctionUrl",
            "Resource": "*",
            "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}},
        },
    ]
    iam.put_user_policy(UserName=caller.name, PolicyName="url", PolicyDocument=doc(*statements))
    assert signed(url, caller.key_id, caller.secret).status == 403


# -- CORS --------------------------------------------------------------------------------------------

CORS = {
    "AllowOrigins": ["https://app.example"],
    "AllowMethods": ["GET", "POST"],
    "AllowHeaders": ["x-custom"],
    "ExposeHeaders": ["x-custom"],
    "MaxAge": 300,
}


@pytest.fixture
def cors_url(functions: Functions, lam: Any) -> str:
    name = functions.python(SOURCE)
    url: str = lam.create_function_url_config(FunctionName=name, AuthType="AWS_IAM", Cors=CORS)["FunctionUrl"]
    make_public(lam, name)  # unused under AWS_IAM: the preflight needs no credentials
    return url


def test_a_preflight_is_answered_from_the_cors_config_without_credentials(cors_url: str) -> None:
    answer = send(
        cors_url,
        "OPTIONS",
        "/",
        {
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-Custom",
        },
    )
    assert answer.status == 200
    assert answer.headers["access-control-allow-origin"] == "https://app.example"
    assert answer.headers["access-control-allow-methods"] == "GET,POST"
    assert answer.headers["access-control-allow-headers"] == "x-custom"
    assert answer.headers["access-control-max-age"] == "300"


def test_a_preflight_from_another_origin_gets_no_cors_headers(cors_url: str) -> None:
    answer = send(
        cors_url, "OPTIONS", "/", {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert answer.status == 200 and "access-control-allow-origin" not in answer.headers


def test_an_actual_request_gets_the_config_cors_headers_not_the_functions(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SOURCE)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE", Cors=CORS)["FunctionUrl"]
    make_public(lam, name)
    answer = send(url, "GET", "/?mode=own-cors", {"Origin": "https://app.example"})
    assert answer.status == 200
    assert answer.headers.get_all("access-control-allow-origin") == ["https://app.example"]
    assert answer.headers["access-control-expose-headers"] == "x-custom"
