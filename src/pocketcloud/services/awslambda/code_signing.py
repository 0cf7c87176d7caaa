"""Code signing configurations and which functions use them.

code_signing_configs  scope (account, region), key = "csc-<17 hex>"  → the configuration, and its
                      tags under "Tags" (TagResource/ListTags by the configuration's ARN; never shown
                      as a member of the configuration)

A function's configuration is the `CodeSigningConfigArn` of its own document, so it goes
with the function. pocketcloud cannot check signatures (there is no AWS Signer here):
configurations are stored and returned, and deployments are never refused for them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.awslambda.errors import conflict
from pocketcloud.services.awslambda.functions import function_arn, lambda_timestamp, split_name
from pocketcloud.services.awslambda.paging import paged

Params = dict[str, Any]
_CSC_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):code-signing-config:(csc-[a-z0-9]{17})$"
)


def csc_not_found(arn: str) -> ServiceError:
    # AWS's answer carries no Type for this one.
    return ServiceError(
        "ResourceNotFoundException",
        f"The Lambda code signing configuration {arn} can not be found.",
        status=404,
    )


def is_csc_arn(resource: str) -> bool:
    return _CSC_ARN.match(resource) is not None


def _view(config: Params) -> Params:
    return {k: v for k, v in config.items() if k != "Tags"}


class CodeSigningOperations:
    def _csc_id(self, ctx: RequestContext, arn: str) -> str | None:
        """The id an ARN names in the caller's account and region, else None."""
        match = _CSC_ARN.match(arn)
        if match is None or match.group(1) != ctx.region or match.group(2) != ctx.account_id:
            return None
        return match.group(3)

    def _csc(self, ctx: RequestContext, arn: str) -> tuple[str, Params]:
        csc_id = self._csc_id(ctx, arn)
        config = (
            self.code_signing.get((ctx.account_id, ctx.region), csc_id)  # type: ignore[attr-defined]
            if csc_id
            else None
        )
        if csc_id is None or config is None:
            raise csc_not_found(arn)
        return csc_id, config

    def _csc_users(self, ctx: RequestContext, arn: str) -> list[str]:
        """The unqualified ARNs of the functions that use the configuration, by name."""
        return [
            function_arn(ctx.region, ctx.account_id, name)
            for name, doc in self.functions.functions.scan((ctx.account_id, ctx.region))  # type: ignore[attr-defined]
            if doc.get("CodeSigningConfigArn") == arn
        ]

    def CreateCodeSigningConfig(self, ctx: RequestContext, p: Params) -> Params:
        scope = (ctx.account_id, ctx.region)
        while True:
            csc_id = "csc-" + secrets.token_hex(9)[:17]
            config = {
                "CodeSigningConfigId": csc_id,
                "CodeSigningConfigArn": f"arn:aws:lambda:{ctx.region}:{ctx.account_id}:code-signing-config:{csc_id}",
                "Description": p.get("Description") or "",
                "AllowedPublishers": {
                    "SigningProfileVersionArns": p["AllowedPublishers"]["SigningProfileVersionArns"]
                },
                # Warn is AWS's default: an unsigned or untrusted package is deployed, with a log entry.
                "CodeSigningPolicies": {
                    "UntrustedArtifactOnDeployment": (p.get("CodeSigningPolicies") or {}).get(
                        "UntrustedArtifactOnDeployment"
                    )
                    or "Warn"
                },
                "LastModified": lambda_timestamp(),
            }
            if p.get("Tags"):
                config["Tags"] = p["Tags"]
            if self.code_signing.insert(scope, csc_id, config):  # type: ignore[attr-defined]
                return {"CodeSigningConfig": _view(config)}

    def GetCodeSigningConfig(self, ctx: RequestContext, p: Params) -> Params:
        return {"CodeSigningConfig": _view(self._csc(ctx, p["CodeSigningConfigArn"])[1])}

    def UpdateCodeSigningConfig(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():  # type: ignore[attr-defined]
            csc_id, config = self._csc(ctx, p["CodeSigningConfigArn"])
            if p.get("Description") is not None:
                config["Description"] = p["Description"]
            if p.get("AllowedPublishers") is not None:
                config["AllowedPublishers"] = {
                    "SigningProfileVersionArns": p["AllowedPublishers"]["SigningProfileVersionArns"]
                }
            policy = (p.get("CodeSigningPolicies") or {}).get("UntrustedArtifactOnDeployment")
            if policy is not None:
                config["CodeSigningPolicies"] = {"UntrustedArtifactOnDeployment": policy}
            config["LastModified"] = lambda_timestamp()
            self.code_signing.put((ctx.account_id, ctx.region), csc_id, config)  # type: ignore[attr-defined]
        return {"CodeSigningConfig": _view(config)}

    def DeleteCodeSigningConfig(self, ctx: RequestContext, p: Params) -> Params:
        arn = p["CodeSigningConfigArn"]
        with self.store.transaction():  # type: ignore[attr-defined]
            csc_id, _ = self._csc(ctx, arn)
            users = self._csc_users(ctx, arn)
            if users:
                raise conflict(
                    f"The code signing configuration {arn} cannot be deleted because it is used by the following "
                    f"functions: [{', '.join(users)}]"
                )
            self.code_signing.delete((ctx.account_id, ctx.region), csc_id)  # type: ignore[attr-defined]
        return {}

    def ListCodeSigningConfigs(self, ctx: RequestContext, p: Params) -> Params:
        configs = [_view(c) for _, c in self.code_signing.scan((ctx.account_id, ctx.region))]  # type: ignore[attr-defined]
        return paged("CodeSigningConfigs", configs, p)

    def csc_tags(self, ctx: RequestContext, arn: str) -> dict[str, str]:
        tags: dict[str, str] = self._csc(ctx, arn)[1].get("Tags", {})
        return tags

    def retag_csc(
        self, ctx: RequestContext, arn: str, change: Callable[[dict[str, str]], dict[str, str]]
    ) -> None:
        with self.store.transaction():  # type: ignore[attr-defined]
            csc_id, config = self._csc(ctx, arn)
            config["Tags"] = change(config.get("Tags", {}))
            self.code_signing.put((ctx.account_id, ctx.region), csc_id, config)  # type: ignore[attr-defined]

    def ListFunctionsByCodeSigningConfig(self, ctx: RequestContext, p: Params) -> Params:
        self._csc(ctx, p["CodeSigningConfigArn"])
        return paged("FunctionArns", self._csc_users(ctx, p["CodeSigningConfigArn"]), p)

    def attachable_csc(self, ctx: RequestContext, arn: str) -> str:
        """`arn`, if it names a configuration a function may use (PutFunctionCodeSigningConfig, CreateFunction)."""
        csc_id = self._csc_id(ctx, arn)
        if csc_id is None or self.code_signing.get((ctx.account_id, ctx.region), csc_id) is None:  # type: ignore[attr-defined]
            raise ServiceError(
                "CodeSigningConfigNotFoundException",
                "The code signing configuration cannot be found. Check that the provided configuration is "
                f"not deleted: {arn}.",
                status=404,
                Type="User",
            )
        return arn

    def PutFunctionCodeSigningConfig(self, ctx: RequestContext, p: Params) -> Params:
        arn = p["CodeSigningConfigArn"]
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        with self.store.transaction():  # type: ignore[attr-defined]
            self.attachable_csc(ctx, arn)
            doc = self.functions.get(scope, name, function_arn(ctx.region, ctx.account_id, name))  # type: ignore[attr-defined]
            doc["CodeSigningConfigArn"] = arn
            self.functions.functions.put(scope, name, doc)  # type: ignore[attr-defined]
        return {"CodeSigningConfigArn": arn, "FunctionName": name}

    def GetFunctionCodeSigningConfig(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        doc = self.functions.get(scope, name, function_arn(ctx.region, ctx.account_id, name))  # type: ignore[attr-defined]
        if not doc.get("CodeSigningConfigArn"):
            return {}
        return {"CodeSigningConfigArn": doc["CodeSigningConfigArn"], "FunctionName": name}

    def DeleteFunctionCodeSigningConfig(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        with self.store.transaction():  # type: ignore[attr-defined]
            doc = self.functions.get(scope, name, function_arn(ctx.region, ctx.account_id, name))  # type: ignore[attr-defined]
            if doc.pop("CodeSigningConfigArn", None) is not None:
                self.functions.functions.put(scope, name, doc)  # type: ignore[attr-defined]
        return {}
