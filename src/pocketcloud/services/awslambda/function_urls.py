"""Function URL configurations: Create/Get/Update/Delete/ListFunctionUrlConfigs.

    url_configs  scope (account, region), key = "<name>\\0<$LATEST or alias>"  → the configuration
    url_ids      scope ("", ""), key = url-id  → {"Account", "Region", "Key"} of that configuration

A URL keeps AWS's shape on the local endpoint: `http://<url-id>.lambda-url.<region>.localhost:<port>/`
(AWS: `https://<url-id>.lambda-url.<region>.on.aws/`); requests whose Host names it are served by
`url_invoke.py`, which finds the configuration through `url_ids`. An index entry is written with
its configuration and checked against it on every use, so one left behind when a function or alias
is deleted (which drops its URL configuration) names nothing. One left behind by a deleted alias
of a function that remains still answers, as AWS's does: with AccessDenied (`orphaned_url`).
"""

from __future__ import annotations

import secrets
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.awslambda.errors import conflict, not_found, validation
from pocketcloud.services.awslambda.functions import function_arn, lambda_timestamp, split_name
from pocketcloud.services.awslambda.paging import paged
from pocketcloud.store import Collection

Params = dict[str, Any]
_INDEX = ("", "")  # url_ids is one index for every account and region: a Host names only the url-id
_QUALIFIER_PATTERN = "((?!^\\d+$)^[0-9a-zA-Z-_]+$)"
_NO_RESOURCE = "The resource you requested does not exist."
_FIELDS = ("FunctionUrl", "FunctionArn", "AuthType", "Cors", "CreationTime", "LastModifiedTime", "InvokeMode")


class FunctionUrlOperations:
    def _url_target(
        self, ctx: RequestContext, p: Params, missing: str = "Function does not exist"
    ) -> tuple[str, str | None]:
        """(function name, alias or None) of a URL configuration request, checked as AWS checks it;
        a missing function or alias is `missing` (Get and Delete word it as a missing configuration)."""
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
            raise not_found(missing) from exc
        return name, qualifier

    @staticmethod
    def _url_key(name: str, qualifier: str | None) -> str:
        return f"{name}\0{qualifier or '$LATEST'}"

    def _url_view(self, config: Params, with_modified: bool = True, asked: Params | None = None) -> Params:
        """A configuration as Get and List show it; as the answer to `asked`, a Create or an Update,
        without the InvokeMode the request left out (AWS's answers name it only when the request
        did: LocalStack's validated test_url_config_lifecycle and test_url_config_list_paging)."""
        view = {k: config[k] for k in _FIELDS if k in config and (with_modified or k != "LastModifiedTime")}
        if asked is not None and asked.get("InvokeMode") is None:
            view.pop("InvokeMode", None)
        view["FunctionUrl"] = self.function_url(url_id_of(config), config["FunctionArn"].split(":")[3])
        return view

    def function_url(self, url_id: str, region: str) -> str:
        """The URL a configuration reports: AWS's shape, on the port this server listens on."""
        port = self.runtime.settings.port  # type: ignore[attr-defined]
        return f"http://{url_id}.lambda-url.{region}.localhost:{port}/"

    @property
    def _url_ids(self) -> Collection:
        return self.store.collection("lambda", "url_ids")  # type: ignore[attr-defined]

    def url_config(self, url_id: str) -> tuple[str, str, str, Params] | None:
        """(account, region, key, configuration) of the function URL with this id, or None."""
        entry = self._url_ids.get(_INDEX, url_id)
        if entry is None and not getattr(self, "_url_ids_filled", False):
            self._fill_url_ids()  # URLs created before the index existed: indexed once, on first miss
            entry = self._url_ids.get(_INDEX, url_id)
        if entry is None:
            return None
        account, region, key = entry["Account"], entry["Region"], entry["Key"]
        config = self.url_configs.get((account, region), key)  # type: ignore[attr-defined]
        if config is None or url_id_of(config) != url_id:
            return None  # the function, alias or URL it named was deleted since
        return account, region, key, config

    def orphaned_url(self, url_id: str) -> str | None:
        """The region of a URL whose alias was deleted while its function remains, else None: AWS
        keeps answering such a URL, with AccessDenied (as recorded after DeleteAlias)."""
        entry = self._url_ids.get(_INDEX, url_id)
        if entry is None or self.url_config(url_id) is not None:
            return None
        scope = (entry["Account"], entry["Region"])
        name, _, qualifier = entry["Key"].partition("\0")
        if qualifier == "$LATEST" or self.functions.functions.get(scope, name) is None:  # type: ignore[attr-defined]
            return None
        return str(entry["Region"])

    def _fill_url_ids(self) -> None:
        self._url_ids_filled = True
        with self.store.transaction():  # type: ignore[attr-defined]
            for scope in self.url_configs.scopes():  # type: ignore[attr-defined]
                for key, config in self.url_configs.scan(scope):  # type: ignore[attr-defined]
                    self._url_ids.put(
                        _INDEX, url_id_of(config), {"Account": scope[0], "Region": scope[1], "Key": key}
                    )

    def _existing_url(
        self, ctx: RequestContext, p: Params, missing: str = "Function does not exist"
    ) -> tuple[str, Params]:
        name, qualifier = self._url_target(ctx, p, missing)
        key = self._url_key(name, qualifier)
        config = self.url_configs.get((ctx.account_id, ctx.region), key)  # type: ignore[attr-defined]
        if config is None:
            raise not_found(_NO_RESOURCE)
        return key, config

    def CreateFunctionUrlConfig(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier = self._url_target(ctx, p)
        arn = function_arn(ctx.region, ctx.account_id, name, qualifier)
        now = lambda_timestamp()
        new_id = secrets.token_hex(16)  # 32 characters, as AWS's url-ids
        config: Params = {
            "UrlId": new_id,
            "FunctionArn": arn,
            "AuthType": p["AuthType"],
            "CreationTime": now,
            "LastModifiedTime": now,
            "InvokeMode": p.get("InvokeMode") or "BUFFERED",
        }
        if p.get("Cors") is not None:
            config["Cors"] = p["Cors"]
        key = self._url_key(name, qualifier)
        with self.store.transaction():  # type: ignore[attr-defined]
            if not self.url_configs.insert((ctx.account_id, ctx.region), key, config):  # type: ignore[attr-defined]
                raise conflict(
                    f"Failed to create function url config for [functionArn = {arn}]. Error message:  "
                    "FunctionUrlConfig exists for this Lambda function"
                )
            self._url_ids.put(_INDEX, new_id, {"Account": ctx.account_id, "Region": ctx.region, "Key": key})
        return self._url_view(config, with_modified=False, asked=p)

    def GetFunctionUrlConfig(self, ctx: RequestContext, p: Params) -> Params:
        return self._url_view(self._existing_url(ctx, p, _NO_RESOURCE)[1])

    def UpdateFunctionUrlConfig(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():  # type: ignore[attr-defined]
            key, config = self._existing_url(ctx, p)
            for member in ("AuthType", "Cors", "InvokeMode"):
                if p.get(member) is not None:
                    config[member] = p[member]
            config["LastModifiedTime"] = lambda_timestamp()
            self.url_configs.put((ctx.account_id, ctx.region), key, config)  # type: ignore[attr-defined]
        return self._url_view(config, asked=p)

    def DeleteFunctionUrlConfig(self, ctx: RequestContext, p: Params) -> Params:
        key, config = self._existing_url(ctx, p, _NO_RESOURCE)
        with self.store.transaction():  # type: ignore[attr-defined]
            self.url_configs.delete((ctx.account_id, ctx.region), key)  # type: ignore[attr-defined]
            self._url_ids.delete(_INDEX, url_id_of(config))
        return {}

    def ListFunctionUrlConfigs(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = self._url_target(ctx, {"FunctionName": p["FunctionName"]})
        stored = self.url_configs.scan((ctx.account_id, ctx.region), prefix=name + "\0")  # type: ignore[attr-defined]
        configs = [self._url_view(c) for _, c in stored]
        return paged("FunctionUrlConfigs", configs, p)


def url_id_of(config: Params) -> str:
    """A configuration's url-id; those stored before it was kept name it in their `https://<id>.` URL."""
    stored = config.get("UrlId")
    if stored:
        return str(stored)
    return str(config.get("FunctionUrl", "")).partition("//")[2].partition(".")[0]
