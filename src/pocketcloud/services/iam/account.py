"""Account-wide IAM settings: the account alias, the account password policy and the
version of the tokens STS's global endpoint issues."""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.iam.common import no_such_entity, scope
from pocketcloud.store import Store

Params = dict[str, Any]
_BOOLEAN_RULES = (
    "RequireSymbols",
    "RequireNumbers",
    "RequireUppercaseCharacters",
    "RequireLowercaseCharacters",
    "AllowUsersToChangePassword",
)


class AccountOperations:
    store: Store

    @property
    def _settings(self) -> Any:
        return self.store.collection("iam", "account_settings")

    # -- alias (an account has at most one; creating another replaces it, as on AWS) --------

    def CreateAccountAlias(self, ctx: RequestContext, p: Params) -> Params:
        self._settings.put(scope(ctx), "alias", {"Alias": p["AccountAlias"]})
        return {}

    def DeleteAccountAlias(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            current = self._settings.get(scope(ctx), "alias")
            if current is None or current["Alias"] != p["AccountAlias"]:
                raise no_such_entity(f"The account alias {p['AccountAlias']} cannot be found.")
            self._settings.delete(scope(ctx), "alias")
        return {}

    def ListAccountAliases(self, ctx: RequestContext, p: Params) -> Params:
        current = self._settings.get(scope(ctx), "alias")
        return {"AccountAliases": [current["Alias"]] if current else [], "IsTruncated": False}

    # -- password policy ---------------------------------------------------------------

    def UpdateAccountPasswordPolicy(self, ctx: RequestContext, p: Params) -> Params:
        # Every update sets the whole policy: what the call leaves out goes back to its default.
        policy: Params = {"MinimumPasswordLength": p.get("MinimumPasswordLength") or 6}
        policy.update({rule: bool(p.get(rule, False)) for rule in _BOOLEAN_RULES})
        policy["ExpirePasswords"] = bool(p.get("MaxPasswordAge"))
        for optional in ("MaxPasswordAge", "PasswordReusePrevention", "HardExpiry"):
            if p.get(optional) is not None:
                policy[optional] = p[optional]
        self._settings.put(scope(ctx), "password_policy", policy)
        return {}

    def GetAccountPasswordPolicy(self, ctx: RequestContext, p: Params) -> Params:
        policy = self._settings.get(scope(ctx), "password_policy")
        if policy is None:
            raise no_such_entity(f"The Password Policy with domain name {ctx.account_id} cannot be found.")
        return {"PasswordPolicy": policy}

    def DeleteAccountPasswordPolicy(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            if self._settings.get(scope(ctx), "password_policy") is None:
                raise no_such_entity("The account policy with name PasswordPolicy cannot be found.")
            self._settings.delete(scope(ctx), "password_policy")
        return {}

    # -- STS global endpoint token version -------------------------------------------------

    def SetSecurityTokenServicePreferences(self, ctx: RequestContext, p: Params) -> Params:
        version = 2 if p["GlobalEndpointTokenVersion"] == "v2Token" else 1
        self._settings.put(scope(ctx), "sts_preferences", {"GlobalEndpointTokenVersion": version})
        return {}

    def global_endpoint_token_version(self, ctx: RequestContext) -> int:
        """What GetAccountSummary reports: 1 unless SetSecurityTokenServicePreferences chose v2Token."""
        doc = self._settings.get(scope(ctx), "sts_preferences")
        return int(doc["GlobalEndpointTokenVersion"]) if doc else 1
