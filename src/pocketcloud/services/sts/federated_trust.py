"""AssumeRoleWithWebIdentity's and AssumeRoleWithSAML's authorization, through the request chain's
authorizer (`iam.authorizer.Authorizer.decide`) like every other call.

These calls are unsigned, so the gateway's authorize step lets them through; the provider asks
here once it has read the token or assertion. The caller is the identity provider the token or
assertion names (Principal {"Federated": ...} in the trust policy: an IAM OIDC or SAML provider's
ARN, or a built-in provider's host), a principal of no AWS account, so no SCP limits it and
aws:PrincipalOrgID has no value. The resource policy is the role's trust policy; the role's
account's resource control policies apply ("RCP evaluation": RCPs restrict
sts:AssumeRoleWithWebIdentity and sts:AssumeRoleWithSAML on the roles of member accounts). The
condition keys are the request's global ones, the provider's (<provider>:aud, saml:sub, ...), and
the session tags and sts:* keys the authorizer reads from the parameters.

A token or assertion that passes session tags also needs sts:TagSession in the trust policy
("Passing session tags in AWS STS", IAM User Guide), and one that sets a source identity
sts:SetSourceIdentity ("Monitor and control actions taken with assumed roles").
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pocketcloud.auth.principal import Principal
from pocketcloud.iam.authorizer import access_denied
from pocketcloud.iam.evaluate import WEB_IDENTITY, denial_message
from pocketcloud.protocol.models import renamed_operation

if TYPE_CHECKING:

    from pocketcloud.gateway.context import RequestContext
    from pocketcloud.services.base import ServiceRuntime

Params = dict[str, Any]


def federated_principal(provider: str) -> Principal:
    """The identity provider as the caller: named by a trust policy's "Federated" principal."""
    return Principal(account_id="", arn=provider, user_id=provider, kind=WEB_IDENTITY)


class FederatedTrust:
    runtime: ServiceRuntime

    def authorize_session_extras(self, ctx: RequestContext, params: Params, role: Params, account: str) -> None:
        """AssumeRole's session tags and source identity need sts:TagSession and sts:SetSourceIdentity
        as well, from the caller's policies and the role's trust policy alike ("Passing session tags
        in AWS STS": "the role trust policy must allow sts:TagSession"; "sts:SetSourceIdentity"):
        AccessDenied naming the action otherwise."""
        for action, wanted in (("TagSession", params.get("Tags")), ("SetSourceIdentity", params.get("SourceIdentity"))):
            if not wanted:
                continue
            decision, _, _ = self.runtime.authorizer.decide(
                replace(ctx, operation=action),
                renamed_operation("sts", "AssumeRole", action),
                params,
                role["AssumeRolePolicyDocument"],
                account,
            )
            if not decision.allowed:
                message = denial_message(decision, ctx.principal.arn, f"sts:{action}", role["Arn"])
                raise access_denied("sts", message)

    def federated_trust_allows(
        self,
        ctx: RequestContext,
        operation: str,
        params: Params,
        trust_policy: str,
        account: str,
        provider: str,
        condition_values: Params,
    ) -> bool:
        """May the user of `provider` make this call (and tag its session, set its source identity,
        when the token or assertion does)?"""
        authorizer = self.runtime.authorizer
        federated = replace(
            ctx,
            operation=operation,
            principal=federated_principal(provider),
            condition_values=dict(condition_values),
        )
        actions = [operation]
        if params.get("Tags"):
            actions.append("TagSession")
        if params.get("SourceIdentity"):
            actions.append("SetSourceIdentity")
        for action in actions:
            decision, _, _ = authorizer.decide(
                federated, renamed_operation("sts", operation, action), params, trust_policy, account
            )
            if not decision.allowed:
                return False
        return True
