"""Organizations inputs at the wire that once got a 500, sent as raw bytes."""

from __future__ import annotations

import json

from tests.raw_http import error_code, exchange, signed_request

TARGET = "AWSOrganizationsV20161128"


def _call(endpoint: str, operation: str, body: dict[str, object]) -> tuple[int, bytes]:
    headers = {"content-type": "application/x-amz-json-1.1", "x-amz-target": f"{TARGET}.{operation}"}
    request = signed_request(endpoint, "POST", "/", "organizations", json.dumps(body).encode(), headers)
    status, _, answer = exchange(endpoint, request)
    return status, answer


def test_a_next_token_in_superscript_digits_is_an_invalid_token(endpoint: str) -> None:
    status, answer = _call(endpoint, "CreateOrganization", {"FeatureSet": "ALL"})
    assert status == 200 or error_code(answer) == "AlreadyInOrganizationException"
    for token in ("\u00b2", "9" * 5000):
        status, answer = _call(endpoint, "ListRoots", {"NextToken": token})
        assert (status, error_code(answer)) == (400, "InvalidInputException")
        assert b"You specified an invalid value for nextToken." in answer


def test_list_accounts_and_service_access_refuse_a_token_they_never_gave(endpoint: str) -> None:
    status, answer = _call(endpoint, "CreateOrganization", {"FeatureSet": "ALL"})
    assert status == 200 or error_code(answer) == "AlreadyInOrganizationException"
    for operation in ("ListAccounts", "ListAWSServiceAccessForOrganization"):
        status, answer = _call(endpoint, operation, {"NextToken": "not-a-token"})
        assert (status, error_code(answer)) == (400, "InvalidInputException"), operation
        assert b"INVALID_PAGINATION_TOKEN" in answer
