"""Calls Lambda makes on a function's behalf, authorized as the function's execution role.

In AWS an SQS event source mapping reads and deletes messages with the
function's execution role, so the role's policies (and the queue's policy)
decide whether it may. Here the role session is issued exactly as for the
function's own process (STS `service_role_session`, resolved to a principal by
the credential directory), and each call is put to the request chain's
authorize step (`iam.authorizer.Authorizer`) as a request of that principal:
the decision is the one an SDK call made with the function's credentials gets.
"""

from __future__ import annotations

import time
from typing import Any

from pocketcloud.auth.principal import Principal
from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.authorizer import access_denied
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import operation_model
from pocketcloud.services.base import ServiceRuntime

# Sessions last 12 hours; a fresh one is issued well before, so a poller never holds an expired one.
SESSION_REFRESH_SECONDS = 3600.0


def lambda_session_name(function_name: str) -> str:
    """The role session Lambda names after a function: its name, or for a one-character name (a
    session name has at least two) the name followed by "@lambda_function", as AWS names it."""
    return function_name if len(function_name) > 1 else f"{function_name}@lambda_function"


class RoleAccess:
    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.authorizer = runtime.authorizer
        self._sessions: dict[tuple[str, str], tuple[float, Principal]] = {}

    def principal(self, role_arn: str, session_name: str) -> Principal | None:
        """The principal of a session of `role_arn`; None when the role does not exist."""
        key = (role_arn, session_name)
        cached = self._sessions.get(key)
        if cached is not None and time.monotonic() - cached[0] < SESSION_REFRESH_SECONDS:
            return cached[1]
        sts = self.runtime.provider("sts")
        name = lambda_session_name(session_name)
        issued = sts.service_role_session(role_arn, name) if sts is not None else None  # type: ignore[attr-defined]
        credential = self.runtime.credentials.lookup(issued["AccessKeyId"]) if issued else None
        if credential is None:
            self._sessions.pop(key, None)
            return None
        self._sessions[key] = (time.monotonic(), credential.principal)
        return credential.principal

    def check(
        self,
        role_arn: str,
        session_name: str,
        service: str,
        operation: str,
        region: str,
        params: dict[str, Any],
    ) -> None:
        """Raise the service's AccessDenied error unless the role may make this call."""
        principal = self.principal(role_arn, session_name)
        if principal is None:
            raise access_denied(service, f"The role {role_arn} does not exist or cannot be assumed.")
        ctx = RequestContext.internal(
            service, operation, region, principal, {"user-agent": "lambda.amazonaws.com"}
        )
        self.authorizer.authorize(ctx, operation_model(service, operation), params)

    def allowed(
        self,
        role_arn: str,
        session_name: str,
        service: str,
        operation: str,
        region: str,
        params: dict[str, Any],
    ) -> bool:
        try:
            self.check(role_arn, session_name, service, operation, region, params)
        except ServiceError:
            return False
        return True
