"""Small per-function controls: recursive loop detection and runtime management.

Both live in the documents they configure: `RecursiveLoop` in the function's own document
(it has no qualifier), `RuntimeManagementConfig` in the configuration of $LATEST or of the
published version a qualifier names (an alias's is its version's), so a version published
later keeps the mode $LATEST had, and both go with the function when it is deleted.
"""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.awslambda.errors import invalid_parameter
from pocketcloud.services.awslambda.functions import function_arn, split_name

Params = dict[str, Any]


class FunctionControlOperations:
    # -- recursive loop detection -----------------------------------------------------

    def PutFunctionRecursionConfig(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        with self.store.transaction():  # type: ignore[attr-defined]
            doc = self.functions.get(scope, name, function_arn(ctx.region, ctx.account_id, name))  # type: ignore[attr-defined]
            doc["RecursiveLoop"] = p["RecursiveLoop"]
            self.functions.functions.put(scope, name, doc)  # type: ignore[attr-defined]
        return {"RecursiveLoop": p["RecursiveLoop"]}

    def GetFunctionRecursionConfig(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = split_name(ctx, p["FunctionName"])
        doc = self.functions.get(  # type: ignore[attr-defined]
            (ctx.account_id, ctx.region), name, function_arn(ctx.region, ctx.account_id, name)
        )
        # Lambda stops recursive loops unless told otherwise.
        return {"RecursiveLoop": doc.get("RecursiveLoop", "Terminate")}

    # -- runtime management -------------------------------------------------------------

    def _runtime_target(self, ctx: RequestContext, p: Params) -> tuple[str, str | None, Params, str]:
        """(name, qualifier asked for, the configured document, the version it is)."""
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        doc, version = self.functions.resolve(  # type: ignore[attr-defined]
            (ctx.account_id, ctx.region), name, qualifier, function_arn(ctx.region, ctx.account_id, name)
        )
        return name, qualifier, doc, version

    def PutRuntimeManagementConfig(self, ctx: RequestContext, p: Params) -> Params:
        mode = p["UpdateRuntimeOn"]
        version_arn = p.get("RuntimeVersionArn")
        if mode == "Manual" and not version_arn:
            raise invalid_parameter("RuntimeVersionArn must be provided when UpdateRuntimeOn is Manual.")
        if mode != "Manual" and version_arn:
            raise invalid_parameter(
                f"RuntimeVersionArn can be provided only when UpdateRuntimeOn is Manual, not {mode}."
            )
        scope = (ctx.account_id, ctx.region)
        with self.store.transaction():  # type: ignore[attr-defined]
            name, qualifier, doc, version = self._runtime_target(ctx, p)
            config = {"UpdateRuntimeOn": mode, **({"RuntimeVersionArn": version_arn} if version_arn else {})}
            doc["RuntimeManagementConfig"] = config
            if version == "$LATEST":
                self.functions.functions.put(scope, name, doc)  # type: ignore[attr-defined]
            else:
                self.functions.versions.put(scope, f"{name}\0{int(version):010d}", doc)  # type: ignore[attr-defined]
        return {**config, "FunctionArn": function_arn(ctx.region, ctx.account_id, name, qualifier)}

    def GetRuntimeManagementConfig(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier, doc, _ = self._runtime_target(ctx, p)
        config = doc.get("RuntimeManagementConfig") or {"UpdateRuntimeOn": "Auto"}
        return {**config, "FunctionArn": function_arn(ctx.region, ctx.account_id, name, qualifier)}
