"""S3 Control: the account-level Block Public Access configuration.

S3 Control is a rest-xml service of its own (requests go to
`{AccountId}.s3-control.<region>.amazonaws.com/v20180820/...`, signed for
"s3", with the account in the `x-amz-account-id` header). The public access
block is here; S3 reads it through `account_public_access_block` and combines
it with each bucket's own settings. Access points are in `access_points.py`,
resource tags (of buckets and access points) in `tagging.py`.
"""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.s3control.access_points import AccessPointOperations
from pocketcloud.services.s3control.tagging import TaggingOperations

Params = dict[str, Any]
SETTINGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
_CONFIG_KEY = "PublicAccessBlock"


class S3ControlProvider(TaggingOperations, AccessPointOperations, Provider):
    service = "s3control"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        self.settings = runtime.store.collection("s3control", "account_settings")

    # -- for S3 -------------------------------------------------------------

    def account_public_access_block(self, account_id: str) -> dict[str, bool] | None:
        """The account's Block Public Access settings, None when it has none."""
        doc = self.settings.get((account_id, ""), _CONFIG_KEY)
        return None if doc is None else {name: bool(doc.get(name)) for name in SETTINGS}

    # -- operations ---------------------------------------------------------

    def _account(self, ctx: RequestContext, p: Params) -> str:
        account = str(p.get("AccountId") or "")
        if account != ctx.account_id:
            # An account's settings are its own: another account's caller is refused as AWS refuses it.
            raise ServiceError("AccessDenied", "Access Denied", status=403)
        return account

    def PutPublicAccessBlock(self, ctx: RequestContext, p: Params) -> Params:
        account = self._account(ctx, p)
        config = p.get("PublicAccessBlockConfiguration")
        if config is None:
            raise ServiceError(
                "MalformedXML",
                "The XML you provided was not well-formed or did not validate against our published schema",
                status=400,
            )
        self.settings.put((account, ""), _CONFIG_KEY, {name: bool(config.get(name)) for name in SETTINGS})
        return {}

    def GetPublicAccessBlock(self, ctx: RequestContext, p: Params) -> Params:
        account = self._account(ctx, p)
        found = self.account_public_access_block(account)
        if found is None:
            raise ServiceError(
                "NoSuchPublicAccessBlockConfiguration",
                "The public access block configuration was not found",
                status=404,
                AccountId=account,
            )
        return {"PublicAccessBlockConfiguration": found}

    def DeletePublicAccessBlock(self, ctx: RequestContext, p: Params) -> Params:
        account = self._account(ctx, p)
        self.settings.delete((account, ""), _CONFIG_KEY)
        return {}
