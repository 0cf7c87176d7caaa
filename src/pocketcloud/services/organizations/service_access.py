"""Trusted access: which AWS services an organization lets work across its accounts
(EnableAWSServiceAccess, DisableAWSServiceAccess, ListAWSServiceAccessForOrganization).
IAM's centralized root access needs it for "iam.amazonaws.com".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.organizations.structure import now_iso, page

Params = dict[str, Any]
GLOBAL = ("", "")
_KEY = "service_access"


def check_service_principal(service: str) -> None:
    """An AWS service's principal ("<service>.amazonaws.com"), as Organizations takes in trusted access
    and delegated administration; anything else is InvalidInputException."""
    if not service.endswith(".amazonaws.com"):
        raise ServiceError(
            "InvalidInputException",
            "You specified a service principal that isn't recognized.",
            status=400,
            Reason="UNRECOGNIZED_SERVICE_PRINCIPAL",
        )


class ServiceAccessOperations:
    state: Any
    _require_administrator: Callable[[RequestContext, Params], Params]  # the provider's

    def _enabled(self) -> dict[str, str]:
        doc = self.state.get(GLOBAL, _KEY)
        return dict(doc["Principals"]) if doc else {}

    def service_access_enabled(self, service_principal: str) -> bool:
        """Whether the organization trusts `service_principal` (for IAM's root access features)."""
        return service_principal in self._enabled()

    def EnableAWSServiceAccess(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        check_service_principal(p["ServicePrincipal"])
        enabled = self._enabled()
        enabled.setdefault(p["ServicePrincipal"], now_iso())
        self.state.put(GLOBAL, _KEY, {"Principals": enabled})
        return {}

    def DisableAWSServiceAccess(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        check_service_principal(p["ServicePrincipal"])
        enabled = self._enabled()
        enabled.pop(p["ServicePrincipal"], None)
        self.state.put(GLOBAL, _KEY, {"Principals": enabled})
        return {}

    def ListAWSServiceAccessForOrganization(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        listed = [{"ServicePrincipal": k, "DateEnabled": v} for k, v in sorted(self._enabled().items())]
        return page(listed, p, "EnabledServicePrincipals")
