"""Centralized root access for an organization's member accounts (IAM's
Enable/DisableOrganizationsRootCredentialsManagement, Enable/DisableOrganizationsRootSessions,
ListOrganizationsFeatures), and the account properties of Get/PutAccountProperties.

The features are the management account's IAM settings; they need an organization in all
features mode that trusts IAM (Organizations' EnableAWSServiceAccess for iam.amazonaws.com).
STS's AssumeRoot asks `root_sessions_enabled` before it issues a root session.
"""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import ServiceRuntime
from pocketcloud.services.iam.common import invalid_input, scope
from pocketcloud.store import Store

Params = dict[str, Any]
IAM_PRINCIPAL = "iam.amazonaws.com"
CREDENTIALS, SESSIONS = "RootCredentialsManagement", "RootSessions"
_FEATURES_KEY = "organizations_features"


def _error(code: str, message: str) -> ServiceError:
    return ServiceError(code, message, status=400)


class RootAccessOperations:
    store: Store
    runtime: ServiceRuntime

    @property
    def _account_settings(self) -> Any:
        return self.store.collection("iam", "account_settings")

    def _organization_for(self, ctx: RequestContext, listing: bool = False) -> Params:
        """The caller's organization, refused as IAM refuses these calls."""
        org_provider: Any = self.runtime.provider("organizations")
        org = org_provider.organization() if org_provider is not None else None
        if org is None:
            raise _error(
                "OrganizationNotFoundException",
                "The request was rejected because no organization is associated with your account.",
            )
        if ctx.account_id != org["MasterAccountId"]:
            if listing:
                raise _error(
                    "AccountNotManagementOrDelegatedAdministratorException",
                    "The request was rejected because the account making the request is not the management "
                    "account or delegated administrator account for centralized root access.",
                )
            raise _error(
                "CallerIsNotManagementAccountException",
                "The request was rejected because the account making the request is not the management "
                "account for the organization.",
            )
        if org.get("FeatureSet") != "ALL":
            raise _error(
                "OrganizationNotInAllFeaturesModeException",
                "The request was rejected because your organization does not have All features enabled.",
            )
        if not org_provider.service_access_enabled(IAM_PRINCIPAL):
            raise _error(
                "ServiceAccessNotEnabledException",
                "The request was rejected because trusted access is not enabled for IAM in Organizations.",
            )
        return org

    def _features(self, account: str) -> list[str]:
        doc = self._account_settings.get((account, ""), _FEATURES_KEY)
        return list(doc["EnabledFeatures"]) if doc else []

    def _set_feature(self, ctx: RequestContext, feature: str, enabled: bool) -> Params:
        org = self._organization_for(ctx)
        features = [f for f in self._features(ctx.account_id) if f != feature]
        if enabled:
            features.append(feature)
        features.sort()
        self._account_settings.put(scope(ctx), _FEATURES_KEY, {"EnabledFeatures": features})
        return {"OrganizationId": org["Id"], "EnabledFeatures": features}

    def root_sessions_enabled(self, management_account: str) -> bool:
        return SESSIONS in self._features(management_account)

    def EnableOrganizationsRootCredentialsManagement(self, ctx: RequestContext, p: Params) -> Params:
        return self._set_feature(ctx, CREDENTIALS, True)

    def DisableOrganizationsRootCredentialsManagement(self, ctx: RequestContext, p: Params) -> Params:
        return self._set_feature(ctx, CREDENTIALS, False)

    def EnableOrganizationsRootSessions(self, ctx: RequestContext, p: Params) -> Params:
        return self._set_feature(ctx, SESSIONS, True)

    def DisableOrganizationsRootSessions(self, ctx: RequestContext, p: Params) -> Params:
        return self._set_feature(ctx, SESSIONS, False)

    def ListOrganizationsFeatures(self, ctx: RequestContext, p: Params) -> Params:
        org = self._organization_for(ctx, listing=True)
        return {"OrganizationId": org["Id"], "EnabledFeatures": self._features(ctx.account_id)}

    # -- account properties ----------------------------------------------------------------

    def PutAccountProperties(self, ctx: RequestContext, p: Params) -> Params:
        properties: dict[str, str] = p["Properties"]
        namespaces = set()
        for key in properties:
            namespace, slash, name = key.partition("/")
            if not slash or not namespace or not name or "/" in name:
                raise invalid_input(
                    f"Invalid property key {key}: the key must be Namespace/PropertyName, with exactly one /."
                )
            namespaces.add(namespace)
        if len(namespaces) > 1:
            raise invalid_input("All properties in a request must belong to the same namespace.")
        with self.store.transaction():
            current = self._account_settings.get(scope(ctx), "properties") or {"Properties": {}}
            current["Properties"].update(properties)
            self._account_settings.put(scope(ctx), "properties", current)
        return {}

    def GetAccountProperties(self, ctx: RequestContext, p: Params) -> Params:
        current = self._account_settings.get(scope(ctx), "properties")
        return {"Properties": dict(current["Properties"]) if current else {}}
