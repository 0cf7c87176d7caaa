"""Outbound identity federation, IAM's side: Enable/DisableOutboundWebIdentityFederation and
GetOutboundWebIdentityFederationInfo (the account's switch for STS's GetWebIdentityToken).

Enabling gives the account an issuer: a random id kept in `account_settings` (key
"outbound_federation": {"IssuerId", "Enabled"}) and indexed globally in `outbound_issuers`
(scope ("", ""), key = issuer id → {"Account"}), so the discovery endpoints can find the account
an issuer URL names. The id outlives a Disable: enabling again gives the same issuer back, and
tokens issued before the Disable can still be verified ("This operation does not affect tokens
that were issued before the feature was disabled", DisableOutboundWebIdentityFederation).

AWS's issuer is `https://<issuer-id>.tokens.sts.global.api.aws`, serving
`/.well-known/openid-configuration` and `/.well-known/jwks.json`. A name under a domain cannot
reach this server without DNS set up for it, so here the issuer is a path of the server's own
endpoint: `http://127.0.0.1:4566/_pocketcloud/issuers/<issuer-id>`, whose `/.well-known/...`
documents `gateway/internal.py` serves (with the STS provider's signing keys).
"""

from __future__ import annotations

import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import ServiceRuntime
from pocketcloud.services.iam.common import scope
from pocketcloud.store import Store

Params = dict[str, Any]
ISSUERS_PATH = "/_pocketcloud/issuers/"
_KEY = "outbound_federation"
_INDEX = ("", "")


def _feature_disabled() -> ServiceError:
    return ServiceError(
        "FeatureDisabled",
        "Outbound identity federation is disabled for your AWS account.",
        status=404,
    )


class OutboundFederationOperations:
    store: Store
    runtime: ServiceRuntime

    @property
    def _outbound_settings(self) -> Any:
        return self.store.collection("iam", "account_settings")

    @property
    def _issuer_index(self) -> Any:
        return self.store.collection("iam", "outbound_issuers")

    def issuer_url(self, issuer_id: str) -> str:
        return f"{self.runtime.settings.endpoint}{ISSUERS_PATH}{issuer_id}"

    def EnableOutboundWebIdentityFederation(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            current = self._outbound_settings.get(scope(ctx), _KEY)
            if current is not None and current["Enabled"]:
                raise ServiceError(
                    "FeatureEnabled",
                    "Outbound identity federation is already enabled for your AWS account.",
                    status=409,
                )
            issuer_id = current["IssuerId"] if current else str(uuid.uuid4())
            self._outbound_settings.put(scope(ctx), _KEY, {"IssuerId": issuer_id, "Enabled": True})
            self._issuer_index.put(_INDEX, issuer_id, {"Account": ctx.account_id})
        return {"IssuerIdentifier": self.issuer_url(issuer_id)}

    def DisableOutboundWebIdentityFederation(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            current = self._outbound_settings.get(scope(ctx), _KEY)
            if current is None or not current["Enabled"]:
                raise _feature_disabled()
            self._outbound_settings.put(scope(ctx), _KEY, {**current, "Enabled": False})
        return {}

    def GetOutboundWebIdentityFederationInfo(self, ctx: RequestContext, p: Params) -> Params:
        current = self._outbound_settings.get(scope(ctx), _KEY)
        if current is None or not current["Enabled"]:  # as observed on AWS, also after a Disable
            raise _feature_disabled()
        return {
            "IssuerIdentifier": self.issuer_url(current["IssuerId"]),
            "JwtVendingEnabled": current["Enabled"],
        }

    # -- for STS and the discovery endpoints ---------------------------------------------------

    def outbound_issuer(self, account: str) -> str | None:
        """The issuer URL of `account` while outbound identity federation is enabled, else None."""
        current = self._outbound_settings.get((account, ""), _KEY)
        return self.issuer_url(current["IssuerId"]) if current and current["Enabled"] else None

    def issuer_exists(self, issuer_id: str) -> bool:
        """Whether some account was ever given this issuer (its keys are published for good)."""
        return self._issuer_index.get(_INDEX, issuer_id) is not None
