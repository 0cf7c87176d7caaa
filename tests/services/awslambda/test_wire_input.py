"""Lambda inputs that once got a 500 at the wire: a function URL's CORS configuration holding a
carriage return, which no response header may carry. AWS reads the models' ".*" as Java does ("."
matches no line terminator), so such a configuration is refused before it is stored."""

from __future__ import annotations

from typing import Any

from tests.services.awslambda.support import Functions, error_of
from tests.services.awslambda.test_function_url_invoke import SOURCE

CORS = {
    "AllowOrigins": ["https://app.example"],
    "AllowMethods": ["GET", "PUT\r"],
    "AllowHeaders": ["x-a", "x-b\rx-c"],
    "ExposeHeaders": ["x-d\rx-e"],
}


def test_a_cors_config_with_carriage_returns_is_a_validation_error_and_nothing_is_stored(
    functions: Functions, lam: Any
) -> None:
    name = functions.python(SOURCE)
    code, status, message, _ = error_of(
        lam.create_function_url_config, FunctionName=name, AuthType="NONE", Cors=CORS
    )
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("3 validation errors detected: ")
    assert "at 'cors.allowMethods' failed to satisfy constraint" in message
    assert error_of(lam.get_function_url_config, FunctionName=name)[:2] == ("ResourceNotFoundException", 404)
