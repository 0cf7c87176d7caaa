"""Organizations inputs at the wire that once got a 500, sent as raw bytes, and input that breaks
the model's constraints, which Organizations answers with InvalidInputException and a Reason."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
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


def _invalid_input(call: Any, **params: Any) -> tuple[str, int, str, str]:
    with pytest.raises(ClientError) as info:
        call(**params)
    response = info.value.response
    error = response["Error"]
    return error["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response.get("Reason", ""), error["Message"]


def test_input_breaking_the_model_is_invalid_input_with_the_reason(endpoint: str) -> None:
    # Organizations answers with its own InvalidInputException and a Reason, not Coral's
    # "1 validation error detected: ..." ValidationException (DescribeAccount with AccountId "12":
    # aws-ia/terraform-aws-control_tower_account_factory#287; ListPoliciesForTarget: boto/boto3#4565).
    org = make_client(endpoint, "organizations")
    unchecked = make_client(endpoint, "organizations", parameter_validation=False)
    assert _invalid_input(org.describe_account, AccountId="12") == (
        "InvalidInputException", 400, "INVALID_PATTERN", "You provided a value that does not match the required pattern."
    )
    assert _invalid_input(org.list_policies_for_target, TargetId="not-a-target", Filter="SERVICE_CONTROL_POLICY")[:3] == (
        "InvalidInputException", 400, "INVALID_PATTERN"
    )
    assert _invalid_input(org.list_policies, Filter="NOT_A_POLICY_TYPE") == (
        "InvalidInputException", 400, "INVALID_ENUM", "You specified an invalid value."
    )
    assert _invalid_input(org.list_roots, MaxResults=21) == (
        "InvalidInputException", 400, "MAX_VALUE_EXCEEDED",
        "You provided a numeric parameter that has a larger value than allowed.",
    )
    assert _invalid_input(unchecked.list_roots, MaxResults=0)[2] == "MIN_VALUE_EXCEEDED"
    assert _invalid_input(org.create_organizational_unit, ParentId="r-abcd", Name="n" * 129) == (
        "InvalidInputException", 400, "MAX_LENGTH_EXCEEDED", "You provided a string parameter that is longer than allowed."
    )
    assert _invalid_input(unchecked.create_organizational_unit, ParentId="r-abcd", Name="")[2] == "MIN_LENGTH_EXCEEDED"
    assert _invalid_input(unchecked.describe_account) == (
        "InvalidInputException", 400, "INPUT_REQUIRED", "You must include a value for all required parameters."
    )
