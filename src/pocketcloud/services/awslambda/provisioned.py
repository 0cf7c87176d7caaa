"""Provisioned concurrency: Put/Get/Delete/ListProvisionedConcurrencyConfig(s).

provisioned  scope (account, region), key = "<name>\\0<qualifier>"  → {Requested, LastModified}

A configuration belongs to a published version or an alias, never $LATEST. Environments
are started on demand as for any invocation, so a configuration is READY as soon as it is
stored (the Put's own answer still says IN_PROGRESS with nothing allocated, as AWS's does).
The executions it asks for come out of the account's unreserved concurrency (or out of the
function's reservation, when it has one), which must keep its minimum of 100.
"""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.awslambda.errors import (
    alias_not_found,
    conflict,
    function_not_found,
    invalid_parameter,
    invalid_parameter_untyped,
)
from pocketcloud.services.awslambda.functions import function_arn, lambda_timestamp, split_name
from pocketcloud.services.awslambda.paging import paged
from pocketcloud.store import Scope

Params = dict[str, Any]
UNRESERVED_MINIMUM = 100


def config_not_found() -> ServiceError:
    return ServiceError(
        "ProvisionedConcurrencyConfigNotFoundException",
        "No Provisioned Concurrency Config found for this function",
        status=404,
        Type="User",
    )


def _ready_view(config: Params) -> Params:
    requested = config["Requested"]
    return {
        "RequestedProvisionedConcurrentExecutions": requested,
        "AvailableProvisionedConcurrentExecutions": requested,
        "AllocatedProvisionedConcurrentExecutions": requested,
        "Status": "READY",
        "LastModified": config["LastModified"],
    }


def provisioned_total(provisioned: Any, scope: Scope, functions: list[Params], skip: str = "") -> int:
    """Provisioned executions taken from the account's unreserved pool: those of functions
    without a reservation (a reservation already holds its function's), except the key `skip`."""
    unreserved = {d["FunctionName"] for d in functions if d.get("ReservedConcurrency") is None}
    return sum(
        config["Requested"]
        for key, config in provisioned.scan(scope)
        if key != skip and key.split("\0")[0] in unreserved
    )


def held_from_pool(provisioned: Any, scope: Scope, functions: list[Params], skip: str = "") -> int:
    """Executions `functions` take from the account's pool: their reservations, and the provisioned
    executions of those without one (`provisioned_total`, `skip` as there)."""
    reserved = sum(d.get("ReservedConcurrency") or 0 for d in functions)
    return reserved + provisioned_total(provisioned, scope, functions, skip)


class ProvisionedConcurrencyOperations:
    def _pc_target(self, ctx: RequestContext, p: Params, latest_message: str) -> tuple[str, str, Params]:
        """(name, qualifier, the function's document) of a request naming a version or an alias."""
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        if qualifier in (None, "", "$LATEST"):
            raise invalid_parameter(latest_message)
        assert qualifier is not None
        scope = (ctx.account_id, ctx.region)
        arn = function_arn(ctx.region, ctx.account_id, name)
        doc = self.functions.functions.get(scope, name)  # type: ignore[attr-defined]
        # A missing function is reported as its missing version or alias, as AWS reports it.
        if qualifier.isdigit():
            if doc is None or self.functions.versions.get(scope, f"{name}\0{int(qualifier):010d}") is None:  # type: ignore[attr-defined]
                raise function_not_found(f"{arn}:{qualifier}")
        elif doc is None or self.functions.aliases.get(scope, f"{name}\0{qualifier}") is None:  # type: ignore[attr-defined]
            raise alias_not_found(f"{arn}:{qualifier}")
        return name, qualifier, doc

    def _check_pc_conflicts(self, scope: Scope, name: str, qualifier: str) -> None:
        """A version may be provisioned directly or through an alias, not both."""
        aliases = {a["Name"]: a for _, a in self.functions.aliases.scan(scope, prefix=name + "\0")}  # type: ignore[attr-defined]
        configured = {key.split("\0")[1] for key, _ in self.provisioned.scan(scope, prefix=name + "\0")}  # type: ignore[attr-defined]
        configured.discard(qualifier)
        if qualifier in aliases:
            if aliases[qualifier]["FunctionVersion"] in configured:
                raise conflict(
                    "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version"
                )
        elif any(a["FunctionVersion"] == qualifier for n, a in aliases.items() if n in configured):
            raise conflict("Version is pointed by a Provisioned Concurrency alias")

    def _check_pc_capacity(self, scope: Scope, doc: Params, key: str, requested: int) -> None:
        reserved = doc.get("ReservedConcurrency")
        if reserved is not None:
            others = sum(
                c["Requested"]
                for k, c in self.provisioned.scan(scope, prefix=doc["FunctionName"] + "\0")  # type: ignore[attr-defined]
                if k != key
            )
            if others + requested > reserved:
                raise invalid_parameter(
                    "Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution "
                    "for function"
                )
            return
        limit = self.runtime.settings.lambda_account_concurrency  # type: ignore[attr-defined]
        functions = [d for _, d in self.functions.functions.scan(scope)]  # type: ignore[attr-defined]
        unreserved = limit - held_from_pool(self.provisioned, scope, functions, skip=key)  # type: ignore[attr-defined]
        if requested > limit:
            raise invalid_parameter_untyped(
                f"Specified ConcurrentExecutions for function is greater than account's unreserved concurrency "
                f"[{limit}]."
            )
        if unreserved - requested < UNRESERVED_MINIMUM:
            raise invalid_parameter_untyped(
                "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
                f"below its minimum value of [{UNRESERVED_MINIMUM}]."
            )

    def PutProvisionedConcurrencyConfig(self, ctx: RequestContext, p: Params) -> Params:
        scope = (ctx.account_id, ctx.region)
        requested = p["ProvisionedConcurrentExecutions"]
        with self.store.transaction():  # type: ignore[attr-defined]
            name, qualifier, doc = self._pc_target(
                ctx, p, "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
            )
            key = f"{name}\0{qualifier}"
            self._check_pc_conflicts(scope, name, qualifier)
            self._check_pc_capacity(scope, doc, key, requested)
            config = {"Requested": requested, "LastModified": lambda_timestamp()}
            self.provisioned.put(scope, key, config)  # type: ignore[attr-defined]
        # AWS answers before allocating anything; a Get shows the allocation.
        return {
            "RequestedProvisionedConcurrentExecutions": requested,
            "AvailableProvisionedConcurrentExecutions": 0,
            "AllocatedProvisionedConcurrentExecutions": 0,
            "Status": "IN_PROGRESS",
            "LastModified": config["LastModified"],
        }

    def GetProvisionedConcurrencyConfig(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier, _ = self._pc_target(
            ctx, p, "The function resource provided must be an alias or a published version."
        )
        config = self.provisioned.get((ctx.account_id, ctx.region), f"{name}\0{qualifier}")  # type: ignore[attr-defined]
        if config is None:
            raise config_not_found()
        return _ready_view(config)

    def DeleteProvisionedConcurrencyConfig(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier, _ = self._pc_target(
            ctx, p, "The function resource provided must be an alias or a published version."
        )
        # Deleting a configuration that is not there is no error in AWS either.
        self.provisioned.delete((ctx.account_id, ctx.region), f"{name}\0{qualifier}")  # type: ignore[attr-defined]
        return {}

    def ListProvisionedConcurrencyConfigs(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        self.functions.get(scope, name, function_arn(ctx.region, ctx.account_id, name))  # type: ignore[attr-defined]
        views = [
            {
                "FunctionArn": function_arn(ctx.region, ctx.account_id, name, key.split("\0")[1]),
                **_ready_view(config),
            }
            for key, config in self.provisioned.scan(scope, prefix=name + "\0")  # type: ignore[attr-defined]
        ]
        return paged("ProvisionedConcurrencyConfigs", views, p)
