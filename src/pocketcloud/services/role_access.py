"""Calls an AWS service makes on an account's behalf, authorized as a role the account gave it.

In AWS an SQS event source mapping reads and deletes messages with the function's execution
role, and S3 replication reads the source and writes the replica with the replication
configuration's role: the role's policies (and the resource's policy) decide whether it may.
Here the role session is issued as for a Lambda function's own process (STS
`service_role_session`, resolved to a principal by the credential directory), and each call
is put to the request chain's authorize step (`iam.authorizer.Authorizer`) as a request of that
principal: the decision is the one an SDK call made with the role's credentials gets.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pocketcloud.auth.principal import Principal
from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.authorizer import access_denied
from pocketcloud.iam.context_keys import resource_tag_values
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import operation_model
from pocketcloud.services.base import ServiceRuntime

# Sessions last 12 hours; a fresh one is issued well before, so a poller never holds an expired one.
SESSION_REFRESH_SECONDS = 3600.0


def authorize_pass_role(
    runtime: ServiceRuntime, ctx: RequestContext, role_arn: str, condition_values: dict[str, Any]
) -> None:
    """AccessDenied unless `ctx`'s caller may hand `role_arn` to a service: iam:PassRole on the role
    ("Grant a user permissions to pass a role to an AWS service"), with the keys the service sets
    (`condition_values`: iam:PassedToService, ...) and the role's tags as aws:ResourceTag/<key> and
    iam:ResourceTag/<key>, as IAM's role resource type lists them (so `iam:ResourceTag/team` can
    decide which roles a user may pass)."""
    parts = role_arn.split(":")
    iam = runtime.provider("iam")
    role = None
    if len(parts) == 6 and parts[5].startswith("role/") and iam is not None:
        role = iam.role(parts[4], parts[5].rsplit("/", 1)[-1])  # type: ignore[attr-defined]
    values = {**resource_tag_values((role or {}).get("Tags"), ("aws", "iam")), **condition_values}
    runtime.authorizer.authorize_action(
        ctx, operation_model(ctx.service, ctx.operation), "iam:PassRole", role_arn, values
    )


class RoleAccess:
    def __init__(
        self,
        runtime: ServiceRuntime,
        service_principal: str,
        session_name: Callable[[str], str] = lambda name: name,
    ) -> None:
        """`service_principal` ("lambda.amazonaws.com", ...) is the calls' user-agent; `session_name`
        turns what a session is named after into the name the service gives it."""
        self.runtime = runtime
        self.authorizer = runtime.authorizer
        self.service_principal = service_principal
        self._session_name = session_name
        self._sessions: dict[tuple[str, str], tuple[float, Principal]] = {}

    def principal(self, role_arn: str, session_name: str) -> Principal | None:
        """The principal of a session of `role_arn`; None when the role does not exist."""
        key = (role_arn, session_name)
        cached = self._sessions.get(key)
        if cached is not None and time.monotonic() - cached[0] < SESSION_REFRESH_SECONDS:
            return cached[1]
        sts = self.runtime.provider("sts")
        name = self._session_name(session_name)
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
        ctx = self.context(role_arn, session_name, service, operation, region)
        self.authorizer.authorize(ctx, operation_model(service, operation), params)

    def context(self, role_arn: str, session_name: str, service: str, operation: str, region: str) -> RequestContext:
        """The context of a call made as a session of the role; AccessDenied if there is no such role."""
        principal = self.principal(role_arn, session_name)
        if principal is None:
            raise access_denied(service, f"The role {role_arn} does not exist or cannot be assumed.")
        headers = {"user-agent": self.service_principal}
        return RequestContext.internal(service, operation, region, principal, headers)

    def may(
        self,
        role_arn: str,
        session_name: str,
        operation: str,
        action: str,
        resource: str,
        region: str,
        policy_text: str | None = None,
        resource_account: str | None = None,
        service: str = "s3",
    ) -> bool:
        """Whether the role may perform `action` on `resource` (an action no operation makes, such as
        s3:ReplicateObject, checked beside `operation`), under the resource's `policy_text` too."""
        try:
            ctx = self.context(role_arn, session_name, service, operation, region)
            model = operation_model(service, operation)
            self.authorizer.authorize_action(
                ctx, model, action, resource, policy_text=policy_text, resource_account=resource_account
            )
        except ServiceError:
            return False
        return True

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
