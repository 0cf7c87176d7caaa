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
