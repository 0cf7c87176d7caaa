"""The AWS SDK teams' own STS integration scenarios (cucumber "features" run against real AWS), ported
to boto3 where they state something about STS that the other tests here do not.

Sources: aws/aws-sdk-js and aws/aws-sdk-js-v3 `features/sts/sts.feature`, aws/aws-sdk-ruby
`aws-sdk-core/features/sts/client.feature` (v2), aws/aws-sdk-php `features/smoke/sts/sts.feature`.
boto3 checks DurationSeconds and Policy lengths itself, so the bad values go through a client that
does not (as the JavaScript SDK sent them).
"""

from __future__ import annotations

from typing import Any

from tests.conftest import make_client
from tests.services.iam.support import error_of


def test_get_session_token_for_60_seconds_is_a_validation_error(endpoint: str) -> None:
    # aws-sdk-js features/sts/sts.feature "Error handling" (also aws-sdk-js-v3).
    sts = make_client(endpoint, "sts", parameter_validation=False)
    assert error_of(sts.get_session_token, DurationSeconds=60) == (
        "ValidationError", 400,
        "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: "
        "Member must have value greater than or equal to 900")


def test_get_federation_token_with_an_empty_policy_is_a_validation_error(endpoint: str) -> None:
    # aws-sdk-ruby aws-sdk-core/features/sts/client.feature "Error handling".
    sts = make_client(endpoint, "sts", parameter_validation=False)
    code, status, message = error_of(sts.get_federation_token, Name="temp", Policy="")
    assert (code, status) == ("ValidationError", 400)
    assert "Value '' at 'policy' failed to satisfy constraint" in message


def test_get_federation_token_with_a_policy_that_is_no_policy_is_malformed(sts: Any) -> None:
    # aws-sdk-php features/smoke/sts/sts.feature "Handling errors": {"temp":true}.
    assert error_of(sts.get_federation_token, Name="temp", Policy='{"temp":true}') == (
        "MalformedPolicyDocument", 400, "Syntax errors in policy.")


def test_a_session_policy_that_is_no_json_is_refused_in_stss_words(sts: Any) -> None:
    # amazon.aws's sts_assume_role integration test ("Test assume role with invalid policy") asserts
    # AWS's words: "The policy is not in the valid JSON format."
    assert error_of(sts.get_federation_token, Name="temp", Policy="invalid policy") == (
        "MalformedPolicyDocument", 400, "The policy is not in the valid JSON format.")
