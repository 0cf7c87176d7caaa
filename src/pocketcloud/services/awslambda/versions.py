"""Published versions and aliases of a function (the `versions` and `aliases` collections of
functions.py's FunctionStore).

A version is a snapshot of $LATEST's code and configuration, numbered from 1 and published again only
when one of them changed since the last; an alias names a version, and may route a share of its
invocations to one more.
"""

from __future__ import annotations

import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.awslambda.errors import (
    alias_not_found,
    conflict,
    function_not_found,
    invalid_parameter,
    invalid_parameter_untyped,
    revision_mismatch,
    validation,
)
from pocketcloud.services.awslambda.functions import (
    FunctionStore,
    configuration,
    function_arn,
    in_owners_account,
    lambda_timestamp,
    list_view,
    split_name,
)
from pocketcloud.services.awslambda.paging import paged
from pocketcloud.store import Scope

Params = dict[str, Any]


class VersionOperations:
    """PublishVersion, ListVersionsByFunction and the alias operations; a LambdaProvider mixin."""

    functions: FunctionStore

    def _publish(self, ctx: RequestContext, name: str, description: str | None) -> Params:
        scope = (ctx.account_id, ctx.region)
        with self.store.transaction():  # type: ignore[attr-defined]
            doc = self.functions.get(scope, name, function_arn(ctx.region, ctx.account_id, name))
            latest = self.functions.versions.scan(scope, prefix=name + "\0", reverse=True, limit=1)
            # ConfigRevision moves with code and configuration only (RevisionId also moves with the policy).
            current = doc.get("ConfigRevision", doc["RevisionId"])
            if (
                latest
                and latest[0][1]["CodeSha256"] == doc["CodeSha256"]
                and latest[0][1].get("ConfigRevision") == current
            ):
                return configuration(latest[0][1])
            number = doc.get("NextVersion", 1)
            doc["NextVersion"] = number + 1
            # Publishing moves $LATEST's RevisionId (and so its policy's), as AWS's does: LocalStack's
            # validated test_function_revisions_version_and_alias and test_lambda_permission_fn_versioning.
            doc["ConfigRevision"] = current
            doc["RevisionId"] = str(uuid.uuid4())
            self.functions.functions.put(scope, name, doc)
            version = {
                k: v for k, v in doc.items() if k not in ("Tags", "NextVersion", "ReservedConcurrency")
            }
            version.update(
                {
                    "Version": str(number),
                    "FunctionArn": function_arn(ctx.region, ctx.account_id, name, str(number)),
                    "Description": description if description is not None else doc.get("Description", ""),
                    "RevisionId": str(uuid.uuid4()),
                    "ConfigRevision": current,
                    "LastModified": lambda_timestamp(),
                }
            )
            if (version.get("SnapStart") or {}).get("ApplyOn") == "PublishedVersions":
                # A published version of a SnapStart function runs from its snapshot.
                version["SnapStart"] = {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}
            self.functions.versions.put(scope, f"{name}\0{number:010d}", version)
        return configuration(version)

    def PublishVersion(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, _ = split_name(ctx, p["FunctionName"])
        doc = self.functions.get(
            (ctx.account_id, ctx.region), name, function_arn(ctx.region, ctx.account_id, name)
        )
        if p.get("RevisionId") and p["RevisionId"] != doc["RevisionId"]:
            raise revision_mismatch()
        self.updates.check(doc["FunctionArn"])  # type: ignore[attr-defined]  # updates.py
        if p.get("CodeSha256") and p["CodeSha256"] != doc["CodeSha256"]:
            raise invalid_parameter(
                "CodeSHA256 ({}) is different from current CodeSHA256 in $LATEST ({}). Please try again with the CodeSHA256 in $LATEST.".format(
                    p["CodeSha256"], doc["CodeSha256"]
                )
            )
        return self._publish(ctx, name, p.get("Description"))

    def ListVersionsByFunction(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        doc = self.functions.get(scope, name, function_arn(ctx.region, ctx.account_id, name))
        docs = [doc] + [v for _, v in self.functions.versions.scan(scope, prefix=name + "\0")]
        # Each entry's ARN names its version, $LATEST included.
        views = [
            list_view(d) | {"FunctionArn": function_arn(ctx.region, ctx.account_id, name, d["Version"])}
            for d in docs
        ]
        return paged("Versions", views, p)

    def _alias_view(self, ctx: RequestContext, name: str, alias: Params) -> Params:
        return {
            "AliasArn": function_arn(ctx.region, ctx.account_id, name, alias["Name"]),
            **{
                k: alias[k]
                for k in ("Name", "FunctionVersion", "Description", "RoutingConfig", "RevisionId")
                if k in alias
            },
        }

    def _check_version(self, ctx: RequestContext, name: str, version: str) -> None:
        if version != "$LATEST" and (
            not version.isdigit()
            or self.functions.versions.get((ctx.account_id, ctx.region), f"{name}\0{int(version):010d}")
            is None
        ):
            raise function_not_found(function_arn(ctx.region, ctx.account_id, name, version))

    def _check_routing(
        self, ctx: RequestContext, name: str, version: str, routing: Params | None
    ) -> Params | None:
        """An alias's RoutingConfig as AWS accepts it; None when it names no additional version."""
        weights = (routing or {}).get("AdditionalVersionWeights") or {}
        if not weights:
            return None
        if len(weights) > 1:
            raise invalid_parameter("Number of items in AdditionalVersionWeights cannot be greater than 1")
        for extra, weight in weights.items():
            if not 0.0 <= weight <= 1.0:
                raise validation(
                    "routingConfig.additionalVersionWeights",
                    f"{{{extra}={weight}}}",
                    "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, "
                    "Member must have value greater than or equal to 0.0, Member must not be null]",
                )
            if extra == version:
                raise invalid_parameter(
                    f"Invalid function version {version}. Function version {version} is already included in routing configuration."
                )
            if version == "$LATEST":
                raise invalid_parameter_untyped(
                    "$LATEST is not supported for an alias pointing to more than 1 version"
                )
            if not extra.isdigit():
                raise validation(
                    "routingConfig.additionalVersionWeights",
                    f"{{{extra}={weight}}}",
                    "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, "
                    "Member must have length greater than or equal to 1, Member must satisfy regular expression "
                    "pattern: [0-9]+, Member must not be null]",
                )
            self._check_version(ctx, name, extra)
        return {"AdditionalVersionWeights": weights}

    def CreateAlias(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        # A missing function is named with the version the alias was to point to, as AWS names it.
        self.functions.get(scope, name, function_arn(ctx.region, ctx.account_id, name, p["FunctionVersion"]))
        self._check_version(ctx, name, p["FunctionVersion"])
        alias = {
            "Name": p["Name"],
            "FunctionVersion": p["FunctionVersion"],
            "Description": p.get("Description") or "",
            "RevisionId": str(uuid.uuid4()),
        }
        routing = self._check_routing(ctx, name, p["FunctionVersion"], p.get("RoutingConfig"))
        if routing:
            alias["RoutingConfig"] = routing
        if not self.functions.aliases.insert(scope, f"{name}\0{p['Name']}", alias):
            raise conflict(
                f"Alias already exists: {function_arn(ctx.region, ctx.account_id, name, p['Name'])}"
            )
        return self._alias_view(ctx, name, alias)

    def _alias(self, ctx: RequestContext, name: str, alias_name: str) -> Params:
        alias = self.functions.aliases.get((ctx.account_id, ctx.region), f"{name}\0{alias_name}")
        if alias is None:
            self.functions.get(
                (ctx.account_id, ctx.region), name, function_arn(ctx.region, ctx.account_id, name)
            )
            raise alias_not_found(function_arn(ctx.region, ctx.account_id, name, alias_name))
        return alias

    def GetAlias(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, _ = split_name(ctx, p["FunctionName"])
        return self._alias_view(ctx, name, self._alias(ctx, name, p["Name"]))

    def UpdateAlias(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, _ = split_name(ctx, p["FunctionName"])
        alias = self._alias(ctx, name, p["Name"])
        if p.get("RevisionId") and p["RevisionId"] != alias["RevisionId"]:
            raise revision_mismatch()
        if p.get("FunctionVersion"):
            self._check_version(ctx, name, p["FunctionVersion"])
            alias["FunctionVersion"] = p["FunctionVersion"]
        if p.get("Description") is not None:
            alias["Description"] = p["Description"]
        if p.get("RoutingConfig") is not None or p.get("FunctionVersion"):
            routing = self._check_routing(
                ctx, name, alias["FunctionVersion"], p.get("RoutingConfig", alias.get("RoutingConfig"))
            )
            alias.pop("RoutingConfig", None)
            if routing:
                alias["RoutingConfig"] = routing
        alias["RevisionId"] = str(uuid.uuid4())
        self.functions.aliases.put((ctx.account_id, ctx.region), f"{name}\0{p['Name']}", alias)
        return self._alias_view(ctx, name, alias)

    def DeleteAlias(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        self.functions.get(scope, name, function_arn(ctx.region, ctx.account_id, name))
        with self.store.transaction():  # type: ignore[attr-defined]
            if self.functions.aliases.delete(scope, f"{name}\0{p['Name']}"):
                self._forget_qualifier(scope, name, p["Name"])
        return {}

    def _forget_qualifier(self, scope: Scope, name: str, qualifier: str) -> None:
        """A deleted version's or alias's policy, event invoke configuration and URL go with it."""
        for owned in (self.policies, self.invoke_configs, self.url_configs, self.provisioned):  # type: ignore[attr-defined]
            owned.delete(scope, f"{name}\0{qualifier}")

    def ListAliases(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        self.functions.get(scope, name, function_arn(ctx.region, ctx.account_id, name))
        aliases = [
            self._alias_view(ctx, name, a) for _, a in self.functions.aliases.scan(scope, prefix=name + "\0")
        ]
        if p.get("FunctionVersion"):
            aliases = [a for a in aliases if a["FunctionVersion"] == p["FunctionVersion"]]
        return paged("Aliases", aliases, p)
