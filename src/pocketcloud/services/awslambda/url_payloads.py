"""A function URL's payloads: the HTTP request as a format 2.0 event, and the function's answer as HTTP.

The event is the one Lambda documents ("Request and response payloads", Invoking Lambda function
URLs): version "2.0", routeKey "$default", rawPath and rawQueryString as sent, cookies taken out of
the Cookie header, headers with lower-case names (repeated ones joined with commas), decoded query
parameters (repeated ones joined with commas), the requestContext, and the body, base64-encoded
unless its content type is text.

The answer: an object with a statusCode is a response (statusCode, headers, cookies, body,
isBase64Encoded); any other JSON value is the body of a 200 application/json response, as Lambda
infers it (a string as its text, anything else as compact JSON). What cannot be read as either,
or names headers HTTP cannot carry (a CR or LF that would split the response, a name that is no
token), is the function URL's 502 "Internal Server Error".
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from pocketcloud.auth.principal import Principal
from pocketcloud.gateway.http import Request, Response

Params = dict[str, Any]

# Content types whose bodies reach the function as text; every other body is base64.
_TEXT_TYPES = ("application/json", "application/javascript", "application/xml", "application/xhtml+xml")
# Headers a function URL answers with that the function may not set.
_HOP_HEADERS = {"content-length", "connection", "transfer-encoding", "date", "x-amzn-requestid"}


def _is_text(content_type: str | None, body: bytes) -> bool:
    if content_type is None:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in _TEXT_TYPES or media.endswith(("+json", "+xml"))


def _request_time(epoch_ms: int) -> str:
    """The access-log time API Gateway and function URLs use: 12/Mar/2020:19:03:58 +0000."""
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def build_event(
    request: Request,
    body: bytes,
    url_id: str,
    request_id: str,
    caller: Principal | None,
) -> bytes:
    """The format 2.0 event of one request; `caller` is the signer under AWS_IAM, None under NONE."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers.items():
        if name == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
        else:
            headers[name] = value
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    headers.setdefault("x-forwarded-for", request.client_ip)
    headers.setdefault("x-forwarded-proto", request.scheme)
    port = request.host.rsplit(":", 1)[1] if ":" in request.host and not request.host.endswith("]") else ""
    headers.setdefault("x-forwarded-port", port or ("443" if request.scheme == "https" else "80"))
    epoch_ms = int(time.time() * 1000)
    headers.setdefault("x-amzn-trace-id", f"Root=1-{epoch_ms // 1000:08x}-{request_id.replace('-', '')[:24]}")
    context: Params = {
        "accountId": caller.account_id if caller is not None else "anonymous",
        "apiId": url_id,
        "domainName": host,
        "domainPrefix": url_id,
        "http": {
            "method": request.method,
            "path": request.path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.client_ip,
            "userAgent": request.headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": "$default",
        "stage": "$default",
        "time": _request_time(epoch_ms),
        "timeEpoch": epoch_ms,
    }
    if caller is not None:
        context["authorizer"] = {
            "iam": {
                "accessKey": caller.access_key_id,
                "accountId": caller.account_id,
                "callerId": caller.user_id,
                "cognitoIdentity": None,
                "principalOrgId": None,
                "userArn": caller.arn,
                "userId": caller.user_id,
            }
        }
    event: Params = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": request.path,
        "rawQueryString": request.query_string,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if request.query_string:
        query: dict[str, str] = {}
        for key, value in parse_qsl(request.query_string, keep_blank_values=True):
            query[key] = f"{query[key]},{value}" if key in query else value
        event["queryStringParameters"] = query
    event["requestContext"] = context
    if body:
        text = _is_text(request.headers.get("content-type"), body)
        event["body"] = body.decode("utf-8", "replace") if text else base64.b64encode(body).decode()
        event["isBase64Encoded"] = not text
    else:
        event["isBase64Encoded"] = False
    return json.dumps(event).encode()


class BadResponse(ValueError):
    """The function's answer cannot be turned into an HTTP response."""


def http_response(payload: bytes) -> Response:
    """The HTTP response a function's answer stands for; BadResponse when it stands for none."""
    try:
        result = json.loads(payload) if payload.strip() else None
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep for json
        raise BadResponse("not JSON") from exc
    if not isinstance(result, dict) or "statusCode" not in result:
        # Inferred: the answer is the body, as Lambda writes it again: a string as its text, any
        # other value as compact JSON ({"hello":"world"}, ["hello",3,true]), whatever the spacing
        # of the runtime's serializer.
        if result is None:
            body = b""
        elif isinstance(result, str):
            body = result.encode()
        else:
            body = json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode()
        return Response(status=200, headers=[("content-type", "application/json")], body=body)
    status = result["statusCode"]
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise BadResponse(f"statusCode {status!r}")
    given, cookies = result.get("headers") or {}, result.get("cookies") or []
    if not isinstance(given, dict) or not isinstance(cookies, list):
        raise BadResponse("headers must be an object and cookies a list")
    headers: list[tuple[str, str]] = []
    for name, value in given.items():
        if str(name).lower() not in _HOP_HEADERS:
            headers.append(
                (_checked(_HEADER_NAME, str(name).lower()), _checked(_HEADER_VALUE, _header_value(value)))
            )
    for cookie in cookies:
        headers.append(("set-cookie", _checked(_HEADER_VALUE, str(cookie))))
    raw = result.get("body")
    if raw is None:
        body = b""
    elif not isinstance(raw, str):
        body = json.dumps(raw).encode()
    elif result.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise BadResponse("body is not base64") from exc
    else:
        body = raw.encode()
    if not any(name == "content-type" for name, _ in headers):
        headers.append(("content-type", "application/json"))
    return Response(status=status, headers=headers, body=body)


# What HTTP/1.1 can carry (RFC 9110): a token for a name; for a value, Latin-1 without control
# characters, so that no answer of a function can split the response or break its encoding.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")


def _checked(pattern: re.Pattern[str], text: str) -> str:
    if not pattern.fullmatch(text):
        raise BadResponse(f"header {text!r} cannot be sent")
    return text


def sendable_header_value(text: str) -> str:
    """`text`, as a header value HTTP/1.1 can carry; BadResponse when it is not one."""
    return _checked(_HEADER_VALUE, text)


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_header_value(v) for v in value)
    return str(value)
