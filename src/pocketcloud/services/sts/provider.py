"""STS: who am I. Temporary credentials (AssumeRole, GetSessionToken) come with the IAM issue."""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.base import Provider


class StsProvider(Provider):
    service = "sts"

    def GetCallerIdentity(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        principal = ctx.principal
        return {"UserId": principal.user_id, "Account": principal.account_id, "Arn": principal.arn}
