"""Function URL configurations: Create/Get/Update/Delete/ListFunctionUrlConfigs.

    url_configs  scope (account, region), key = "<name>\\0<$LATEST or alias>"  → the configuration

Only the API is kept: the URL is answered in AWS's shape but requests to it are
not routed to the function.
"""

from __future__ import annotations

import secrets
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.awslambda.errors import conflict, not_found, validation
from pocketcloud.services.awslambda.functions import function_arn, lambda_timestamp, split_name
from pocketcloud.services.awslambda.paging import paged

Params = dict[str, Any]
_QUALIFIER_PATTERN = "((?!^\\d+$)^[0-9a-zA-Z-_]+$)"
_FIELDS = ("FunctionUrl", "FunctionArn", "AuthType", "Cors", "CreationTime", "LastModifiedTime", "InvokeMode")


class FunctionUrlOperations:
    def _url_target(self, ctx: RequestContext, p: Params) -> tuple[str, str | None]:
        """(function name, alias or None) of a URL configuration request, checked as AWS checks it."""
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        if qualifier == "$LATEST" or (qualifier and qualifier.isdigit()):
            # AWS gives URLs to $LATEST (no qualifier) and to aliases, never to a version.
            raise validation(
                "qualifier",
                qualifier,
                f"Member must satisfy regular expression pattern: {_QUALIFIER_PATTERN}",
            )
        try:
            arn = function_arn(ctx.region, ctx.account_id, name)
            self.functions.resolve((ctx.account_id, ctx.region), name, qualifier, arn)  # type: ignore[attr-defined]
        except ServiceError as exc:
            raise not_found("Function does not exist") from exc
        return name, qualifier

    @staticmethod
    def _url_key(name: str, qualifier: str | None) -> str:
        return f"{name}\0{qualifier or '$LATEST'}"

    def _url_view(self, config: Params, with_modified: bool = True) -> Params:
        return {k: config[k] for k in _FIELDS if k in config and (with_modified or k != "LastModifiedTime")}

    def _existing_url(self, ctx: RequestContext, p: Params) -> tuple[str, Params]:
        name, qualifier = self._url_target(ctx, p)
        key = self._url_key(name, qualifier)
        config = self.url_configs.get((ctx.account_id, ctx.region), key)  # type: ignore[attr-defined]
        if config is None:
            raise not_found("The resource you requested does not exist.")
        return key, config

    def CreateFunctionUrlConfig(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier = self._url_target(ctx, p)
        arn = function_arn(ctx.region, ctx.account_id, name, qualifier)
        now = lambda_timestamp()
        config: Params = {
            "FunctionUrl": f"https://{secrets.token_hex(16)}.lambda-url.{ctx.region}.on.aws/",
            "FunctionArn": arn,
            "AuthType": p["AuthType"],
            "CreationTime": now,
            "LastModifiedTime": now,
            "InvokeMode": p.get("InvokeMode") or "BUFFERED",
        }
        if p.get("Cors") is not None:
            config["Cors"] = p["Cors"]
        if not self.url_configs.insert((ctx.account_id, ctx.region), self._url_key(name, qualifier), config):  # type: ignore[attr-defined]
            raise conflict(
                f"Failed to create function url config for [functionArn = {arn}]. Error message:  "
                "FunctionUrlConfig exists for this Lambda function"
            )
        return self._url_view(config, with_modified=False)

    def GetFunctionUrlConfig(self, ctx: RequestContext, p: Params) -> Params:
        return self._url_view(self._existing_url(ctx, p)[1])

    def UpdateFunctionUrlConfig(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():  # type: ignore[attr-defined]
            key, config = self._existing_url(ctx, p)
            for member in ("AuthType", "Cors", "InvokeMode"):
                if p.get(member) is not None:
                    config[member] = p[member]
            config["LastModifiedTime"] = lambda_timestamp()
            self.url_configs.put((ctx.account_id, ctx.region), key, config)  # type: ignore[attr-defined]
        return self._url_view(config)

    def DeleteFunctionUrlConfig(self, ctx: RequestContext, p: Params) -> Params:
        key, _ = self._existing_url(ctx, p)
        self.url_configs.delete((ctx.account_id, ctx.region), key)  # type: ignore[attr-defined]
        return {}

    def ListFunctionUrlConfigs(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = self._url_target(ctx, {"FunctionName": p["FunctionName"]})
        stored = self.url_configs.scan((ctx.account_id, ctx.region), prefix=name + "\0")  # type: ignore[attr-defined]
        configs = [self._url_view(c) for _, c in stored]
        return paged("FunctionUrlConfigs", configs, p)
