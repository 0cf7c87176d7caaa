"""MFA on session requests: a SerialNumber and TokenCode that authenticate the calling user make
an MFA-authenticated session (aws:MultiFactorAuthPresent), and AccessDenied when they do not."""

from __future__ import annotations

from typing import Any

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import ServiceRuntime

Params = dict[str, Any]


class SessionMfa:
    runtime: ServiceRuntime

    def _mfa_authenticated(self, caller: Any, p: Params) -> bool:
        """Whether the call's SerialNumber and TokenCode authenticate the calling user, with AWS's
        AccessDenied when they are given but do not (their wording, as STS answers them)."""
        serial, code = p.get("SerialNumber"), p.get("TokenCode")
        if not serial and not code:
            return False
        if not serial or not code:
            raise _mfa_failed(
                "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
            )
        if caller.is_root:
            return True  # the root user's MFA device is set up in the console, which pocketcloud has not
        iam: Any = self.runtime.provider("iam")
        valid = None
        if caller.kind == "User" and iam is not None:
            valid = iam.mfa_code_valid(caller.account_id, caller.name, serial, code)
        if valid is None:
            raise _mfa_failed(
                "MultiFactorAuthentication failed, unable to validate MFA code.  "
                "Please verify your MFA serial number is valid and associated with this user."
            )
        if not valid:
            raise _mfa_failed("MultiFactorAuthentication failed with invalid MFA one time pass code.")
        return True


def _mfa_failed(message: str) -> ServiceError:
    return ServiceError("AccessDenied", message, status=403)
