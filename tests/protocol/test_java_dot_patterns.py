"""A model pattern's "." read as Java reads it (AWS validates with Java regexes, without DOTALL):
it matches no line terminator ("\\n", "\\r", "\\u0085", "\\u2028", "\\u2029"), so a value holding
one fails ".*" with Coral's wording, while the same value without it passes."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client

_CORS_CONSTRAINTS = (
    "Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must "
    "have length greater than or equal to 0, Member must satisfy regular expression pattern: .*, "
    "Member must not be null]"
)


@pytest.fixture
def lam(endpoint: str) -> Any:
    return make_client(endpoint, "lambda")


def _error(call: Any, **kwargs: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


@pytest.mark.parametrize("terminator", ["\n", "\r", "\u0085", "\u2028", "\u2029"])
def test_a_line_terminator_fails_a_dot_star_pattern(lam: Any, terminator: str) -> None:
    headers = ["x-a", f"x-b{terminator}x-c"]
    code, status, message = _error(
        lam.create_function_url_config,
        FunctionName="no-such-function",
        AuthType="NONE",
        Cors={"AllowHeaders": headers},
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        f"1 validation error detected: Value '[x-a, x-b{terminator}x-c]' at 'cors.allowHeaders' failed to "
        f"satisfy constraint: {_CORS_CONSTRAINTS}"
    )


def test_other_control_and_non_ascii_characters_pass_a_dot_star_pattern(lam: Any) -> None:
    # Validation passes, so the answer is the provider's: the function does not exist.
    code, status, _ = _error(
        lam.create_function_url_config,
        FunctionName="no-such-function",
        AuthType="NONE",
        Cors={"AllowHeaders": ["x-a\tb", "x-\x0b\x0c", "x-é日😀"]},
    )
    assert (code, status) == ("ResourceNotFoundException", 404)


def test_a_trailing_newline_fails_an_arn_pattern_ending_in_dot_star(lam: Any) -> None:
    arn = "arn:aws:s3:::bucket\n"
    code, status, message = _error(
        lam.add_permission,
        FunctionName="no-such-function",
        StatementId="s",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=arn,
    )
    assert (code, status) == ("ValidationException", 400)
    assert (
        f"Value '{arn}' at 'sourceArn' failed to satisfy constraint: Member must satisfy regular " in message
    )


def test_an_accented_letter_is_no_word_character(endpoint: str) -> None:
    # Java's \w, \d and \s are ASCII: AWS refuses "josé" where a model says [\w+=,.@-]+.
    iam, sts = make_client(endpoint, "iam"), make_client(endpoint, "sts")
    assert _error(iam.create_user, UserName="josé") == (
        "ValidationError",
        400,
        "The specified value for userName is invalid. It must contain only alphanumeric characters "
        "and/or the following: +=,.@_-",
    )
    iam.create_user(UserName="jose")  # the same name in ASCII letters is one
    code, status, message = _error(
        sts.assume_role, RoleArn="arn:aws:iam::000000000000:role/r", RoleSessionName="séance"
    )
    assert (code, status) == ("ValidationError", 400)
    assert "'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression" in message
