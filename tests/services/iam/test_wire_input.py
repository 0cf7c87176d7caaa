"""IAM inputs at the wire that once got a 500, sent as raw bytes."""

from __future__ import annotations

from tests.raw_http import error_code, exchange, signed_request

FORM = {"content-type": "application/x-www-form-urlencoded"}


def _call(endpoint: str, action: str, marker: str) -> tuple[int, bytes]:
    body = f"Action={action}&Version=2010-05-08&Marker={marker}".encode()
    status, _, answer = exchange(endpoint, signed_request(endpoint, "POST", "/", "iam", body, FORM))
    return status, answer


def test_a_marker_in_superscript_digits_is_read_as_no_marker(endpoint: str) -> None:
    # "²" (%C2%B2) is a digit to str.isdigit() but not to int().
    for action in ("ListPolicies", "ListMFADevices"):
        status, answer = _call(endpoint, action, "%C2%B2")
        assert status == 200, answer
        assert f"<{action}Result>".encode() in answer  # the listing itself, not an error


def test_a_virtual_mfa_marker_in_superscript_digits_is_invalid(endpoint: str) -> None:
    status, answer = _call(endpoint, "ListVirtualMFADevices", "%C2%B2")
    assert (status, error_code(answer)) == (400, "ValidationError")
    assert b"Invalid Marker." in answer


def _query(endpoint: str, service: str, body: bytes) -> tuple[int, bytes]:
    request = signed_request(endpoint, "POST", "/", service, body, {"content-type": "application/x-www-form-urlencoded"})
    status, _, answer = exchange(endpoint, request)
    return status, answer


def test_another_api_version_names_no_operation(endpoint: str) -> None:
    # IAM and STS have one API version each; a request made for the other's is InvalidAction naming
    # the version sent (versity/versitygw's IAMGetCallerIdentity_wrong_version_is_invalid_action; the
    # query services' wording, as SES answers "Could not find operation GetSendQuota for version 2009-10-16").
    status, answer = _query(endpoint, "sts", b"Action=GetCallerIdentity&Version=2010-05-08")
    assert (status, error_code(answer)) == (400, "InvalidAction")
    assert b"Could not find operation GetCallerIdentity for version 2010-05-08" in answer
    status, answer = _query(endpoint, "iam", b"Action=ListUsers&Version=2011-06-15")
    assert (status, error_code(answer)) == (400, "InvalidAction")
    assert _query(endpoint, "sts", b"Action=GetCallerIdentity&Version=2011-06-15")[0] == 200
    assert _query(endpoint, "iam", b"Action=ListUsers&Version=2010-05-08")[0] == 200
