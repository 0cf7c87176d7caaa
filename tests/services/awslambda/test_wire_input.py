"""Lambda inputs that once got a 500 at the wire: a function URL's CORS configuration holding a
carriage return (the models' ".*" lets it through validation), which no response header may carry."""

from __future__ import annotations

from typing import Any

from tests.services.awslambda.support import Functions
from tests.services.awslambda.test_function_url_invoke import SOURCE, make_public, send

CORS = {
    "AllowOrigins": ["https://app.example"],
    "AllowMethods": ["GET", "PUT\r"],
    "AllowHeaders": ["x-a", "x-b\rx-c"],
    "ExposeHeaders": ["x-d\rx-e"],
}


def test_cors_headers_from_a_config_with_carriage_returns_leave_them_out(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SOURCE)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE", Cors=CORS)["FunctionUrl"]
    make_public(lam, name)
    answer = send(url, "GET", "/?mode=plain", {"Origin": "https://app.example"})
    assert answer.status == 200
    assert answer.headers["access-control-expose-headers"] == "x-dx-e"
    preflight = {
        "Origin": "https://app.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-a",
    }
    answer = send(url, "OPTIONS", "/", preflight)
    assert answer.status == 200
    assert answer.headers["access-control-allow-methods"] == "GET,PUT"
    assert answer.headers["access-control-allow-headers"] == "x-a,x-bx-c"
