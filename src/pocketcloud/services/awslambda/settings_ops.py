"""Per-function settings and shared pieces: reserved concurrency, event invoke configuration
(retries, event age, destinations), layers, account settings, and delivery to a target ARN.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.awslambda.code import save_code, unpacked_code
from pocketcloud.services.awslambda.errors import invalid_parameter, not_found
from pocketcloud.services.awslambda.functions import function_arn, lambda_timestamp, split_name

Params = dict[str, Any]
LAYERS = ("", "")


class SettingsOperations:
    # -- reserved concurrency ---------------------------------------------------

    def PutFunctionConcurrency(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        limit = self.runtime.settings.lambda_account_concurrency  # type: ignore[attr-defined]
        reserved = p["ReservedConcurrentExecutions"]
        if reserved > limit - 100 and reserved != 0:
            raise invalid_parameter(
                "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]."
            )
        with self.store.transaction():  # type: ignore[attr-defined]
            doc = self.functions.get(scope, name, function_arn(ctx.region, ctx.account_id, name))  # type: ignore[attr-defined]
            doc["ReservedConcurrency"] = reserved
            self.functions.functions.put(scope, name, doc)  # type: ignore[attr-defined]
        return {"ReservedConcurrentExecutions": reserved}

    def GetFunctionConcurrency(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = split_name(ctx, p["FunctionName"])
        doc = self.functions.get((ctx.account_id, ctx.region), name, function_arn(ctx.region, ctx.account_id, name))  # type: ignore[attr-defined]
        return {"ReservedConcurrentExecutions": doc["ReservedConcurrency"]} if doc.get("ReservedConcurrency") is not None else {}

    def DeleteFunctionConcurrency(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        with self.store.transaction():  # type: ignore[attr-defined]
            doc = self.functions.get(scope, name, function_arn(ctx.region, ctx.account_id, name))  # type: ignore[attr-defined]
            doc.pop("ReservedConcurrency", None)
            self.functions.functions.put(scope, name, doc)  # type: ignore[attr-defined]
        return {}

    def GetAccountSettings(self, ctx: RequestContext, p: Params) -> Params:
        scope = (ctx.account_id, ctx.region)
        functions = [d for _, d in self.functions.functions.scan(scope)]  # type: ignore[attr-defined]
        limit = self.runtime.settings.lambda_account_concurrency  # type: ignore[attr-defined]
        reserved = sum(d.get("ReservedConcurrency") or 0 for d in functions)
        return {
            "AccountLimit": {
                "TotalCodeSize": 80530636800, "CodeSizeUnzipped": 262144000, "CodeSizeZipped": 52428800,
                "ConcurrentExecutions": limit, "UnreservedConcurrentExecutions": limit - reserved,
            },
            "AccountUsage": {"TotalCodeSize": sum(d.get("CodeSize", 0) for d in functions), "FunctionCount": len(functions)},
        }

    # -- event invoke configuration ----------------------------------------------

    def _eic_key(self, name: str, qualifier: str | None) -> str:
        return f"{name}\0{qualifier or '$LATEST'}"

    def event_invoke_config(self, account: str, region: str, name: str, qualifier: str | None) -> Params:
        return self.invoke_configs.get((account, region), self._eic_key(name, qualifier)) or {}  # type: ignore[attr-defined]

    def _check_eic(self, p: Params) -> None:
        retries = p.get("MaximumRetryAttempts")
        if retries is not None and not 0 <= retries <= 2:
            raise invalid_parameter("MaximumRetryAttempts must be between 0 and 2")
        age = p.get("MaximumEventAgeInSeconds")
        if age is not None and not 60 <= age <= 21600:
            raise invalid_parameter("MaximumEventAgeInSeconds must be between 60 and 21600")

    def _eic_view(self, ctx: RequestContext, name: str, qualifier: str | None, config: Params) -> Params:
        view = {k: v for k, v in config.items() if k in ("LastModified", "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")}
        view["FunctionArn"] = function_arn(ctx.region, ctx.account_id, name, qualifier or "$LATEST")
        return view

    def _put_eic(self, ctx: RequestContext, p: Params, merge: bool) -> Params:
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        scope = (ctx.account_id, ctx.region)
        self.functions.resolve(scope, name, qualifier, function_arn(ctx.region, ctx.account_id, name))  # type: ignore[attr-defined]
        self._check_eic(p)
        config = dict(self.event_invoke_config(ctx.account_id, ctx.region, name, qualifier)) if merge else {}
        for member in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"):
            if p.get(member) is not None:
                config[member] = p[member]
        config.setdefault("DestinationConfig", {"OnSuccess": {}, "OnFailure": {}})
        config["LastModified"] = lambda_timestamp()
        self.invoke_configs.put(scope, self._eic_key(name, qualifier), config)  # type: ignore[attr-defined]
        return self._eic_view(ctx, name, qualifier, config)

    def PutFunctionEventInvokeConfig(self, ctx: RequestContext, p: Params) -> Params:
        return self._put_eic(ctx, p, merge=False)

    def UpdateFunctionEventInvokeConfig(self, ctx: RequestContext, p: Params) -> Params:
        return self._put_eic(ctx, p, merge=True)

    def GetFunctionEventInvokeConfig(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        config = self.event_invoke_config(ctx.account_id, ctx.region, name, qualifier)
        if not config:
            raise not_found(f"The function {function_arn(ctx.region, ctx.account_id, name, qualifier or '$LATEST')} doesn't have an EventInvokeConfig")
        return self._eic_view(ctx, name, qualifier, config)

    def DeleteFunctionEventInvokeConfig(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        if not self.invoke_configs.delete((ctx.account_id, ctx.region), self._eic_key(name, qualifier)):  # type: ignore[attr-defined]
            raise not_found(f"The function {function_arn(ctx.region, ctx.account_id, name, qualifier or '$LATEST')} doesn't have an EventInvokeConfig")
        return {}

    def ListFunctionEventInvokeConfigs(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = split_name(ctx, p["FunctionName"])
        configs = self.invoke_configs.scan((ctx.account_id, ctx.region), prefix=name + "\0")  # type: ignore[attr-defined]
        return {"FunctionEventInvokeConfigs": [
            self._eic_view(ctx, name, key.split("\0")[1], config) for key, config in configs
        ]}

    # -- delivering to a destination -----------------------------------------------

    async def send_to_target(self, account: str, region: str, target: str, body: bytes, attributes: dict[str, str] | None) -> None:
        """Send a record to a destination ARN: a Lambda function (async invoke) or an SQS queue."""
        parts = target.split(":")
        service = parts[2] if len(parts) > 2 else ""
        if service == "lambda" and len(parts) >= 7:
            qualifier = parts[7] if len(parts) > 7 else None
            self.enqueue(parts[4], parts[3], parts[6], qualifier, body)  # type: ignore[attr-defined]
            return
        provider = self.runtime.provider(service) if service else None  # type: ignore[attr-defined]
        deliver = getattr(provider, "deliver_message", None)
        if deliver is not None:
            await deliver(target, body.decode("utf-8", "replace"), attributes or {})

    # -- layers -----------------------------------------------------------------------

    def _layer_arn(self, ctx: RequestContext, name: str) -> str:
        return f"arn:aws:lambda:{ctx.region}:{ctx.account_id}:layer:{name}"

    def _layer_view(self, layer: Params, with_content: bool = True) -> Params:
        view = {k: v for k, v in layer.items() if k in ("LayerArn", "LayerVersionArn", "Description", "CreatedDate", "Version",
                                                       "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo")}
        if with_content:
            view["Content"] = {"Location": "", "CodeSha256": layer["CodeSha256"], "CodeSize": layer["CodeSize"]}
        return view

    def PublishLayerVersion(self, ctx: RequestContext, p: Params) -> Params:
        content = p["Content"]
        if content.get("ZipFile") is not None:
            data = content["ZipFile"]
            data = base64.b64decode(data) if isinstance(data, str) else data
        elif content.get("S3Bucket"):
            s3 = self.runtime.provider("s3")  # type: ignore[attr-defined]
            data = s3.read_object_bytes(content["S3Bucket"], content["S3Key"], content.get("S3ObjectVersion")) if s3 else None
            if data is None:
                raise invalid_parameter("Error occurred while GetObject. S3 Error Code: NoSuchKey.")
        else:
            raise invalid_parameter("Please provide a source for layer content.")
        code = save_code(self.store, data)  # type: ignore[attr-defined]
        name = p["LayerName"]
        scope = (ctx.account_id, ctx.region)
        existing = self.layers.scan(scope, prefix=name + "\0", reverse=True, limit=1)  # type: ignore[attr-defined]
        version = (existing[0][1]["Version"] + 1) if existing else 1
        layer_arn = self._layer_arn(ctx, name)
        layer = {
            "LayerArn": layer_arn, "LayerVersionArn": f"{layer_arn}:{version}", "Description": p.get("Description") or "",
            "CreatedDate": lambda_timestamp(), "Version": version, "CompatibleRuntimes": p.get("CompatibleRuntimes") or [],
            "CompatibleArchitectures": p.get("CompatibleArchitectures") or [], "LicenseInfo": p.get("LicenseInfo"),
            **code,
        }
        self.layers.put(scope, f"{name}\0{version:010d}", layer)  # type: ignore[attr-defined]
        return self._layer_view(layer)

    def _layer(self, ctx: RequestContext, name: str, version: int) -> Params:
        layer = self.layers.get((ctx.account_id, ctx.region), f"{name}\0{version:010d}")  # type: ignore[attr-defined]
        if layer is None:
            raise not_found("The resource you requested does not exist.")
        return layer

    def GetLayerVersion(self, ctx: RequestContext, p: Params) -> Params:
        return self._layer_view(self._layer(ctx, p["LayerName"].rsplit(":", 1)[-1], p["VersionNumber"]))

    def GetLayerVersionByArn(self, ctx: RequestContext, p: Params) -> Params:
        parts = p["Arn"].split(":")
        return self._layer_view(self._layer(ctx, parts[6], int(parts[7])))

    def DeleteLayerVersion(self, ctx: RequestContext, p: Params) -> Params:
        self.layers.delete((ctx.account_id, ctx.region), f"{p['LayerName']}\0{p['VersionNumber']:010d}")  # type: ignore[attr-defined]
        return {}

    def ListLayerVersions(self, ctx: RequestContext, p: Params) -> Params:
        versions = [self._layer_view(layer, False) for _, layer in self.layers.scan((ctx.account_id, ctx.region), prefix=p["LayerName"] + "\0", reverse=True)]  # type: ignore[attr-defined]
        if p.get("CompatibleRuntime"):
            versions = [v for v in versions if p["CompatibleRuntime"] in v.get("CompatibleRuntimes", [])]
        return {"LayerVersions": versions}

    def ListLayers(self, ctx: RequestContext, p: Params) -> Params:
        latest: dict[str, Params] = {}
        for key, layer in self.layers.scan((ctx.account_id, ctx.region)):  # type: ignore[attr-defined]
            latest[key.split("\0")[0]] = layer
        return {"Layers": [
            {"LayerName": name, "LayerArn": layer["LayerArn"], "LatestMatchingVersion": self._layer_view(layer, False)}
            for name, layer in latest.items()
        ]}

    def _layers(self, ctx: RequestContext, arns: list[str]) -> list[Params]:
        if len(arns) > 5:
            raise invalid_parameter("Cannot reference more than 5 layers.")
        found = []
        for arn in arns:
            parts = arn.split(":")
            if len(parts) != 8 or parts[5] != "layer" or not parts[7].isdigit():
                raise invalid_parameter(f"1 validation error detected: Value '[{arn}]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{{12}}:layer:[a-zA-Z0-9-_]+:[0-9]+, Member must not be null]")
            layer = self.layers.get((parts[4], parts[3]), f"{parts[6]}\0{int(parts[7]):010d}")  # type: ignore[attr-defined]
            if layer is None:
                raise invalid_parameter(f"Layer version {arn} does not exist.")
            found.append({"Arn": arn, "CodeSize": layer["CodeSize"]})
        return found

    def _layer_paths(self, doc: Params) -> list[Path]:
        paths = []
        for entry in doc.get("Layers") or []:
            parts = entry["Arn"].split(":")
            layer = self.layers.get((parts[4], parts[3]), f"{parts[6]}\0{int(parts[7]):010d}")  # type: ignore[attr-defined]
            if layer is not None:
                paths.append(unpacked_code(self.store, layer["Blob"], layer["CodeHex"]))  # type: ignore[attr-defined]
        return paths


