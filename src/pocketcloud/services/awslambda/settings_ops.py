"""Per-function settings and shared pieces: reserved concurrency, event invoke configuration
(retries, event age, destinations), account settings, and delivery to a target ARN.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.awslambda.errors import invalid_parameter, invalid_parameter_untyped, not_found
from pocketcloud.services.awslambda.functions import (
    function_arn,
    in_owners_account,
    lambda_timestamp,
    split_name,
)
from pocketcloud.services.awslambda.paging import paged
from pocketcloud.services.awslambda.provisioned import UNRESERVED_MINIMUM, held_from_pool
from pocketcloud.services.awslambda.target_access import ASYNC_RECORDS, denied_call

Params = dict[str, Any]
log = logging.getLogger("pocketcloud.lambda")
# The services an async destination may be (an S3 bucket too, for failures).
_DESTINATIONS = ("lambda", "sqs", "sns", "events")


def _below_unreserved_minimum() -> ServiceError:
    return invalid_parameter_untyped(
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
        f"below its minimum value of [{UNRESERVED_MINIMUM}]."
    )


class SettingsOperations:
    # -- reserved concurrency ---------------------------------------------------

    def PutFunctionConcurrency(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, qualifier = split_name(ctx, p["FunctionName"])
        if qualifier:
            raise invalid_parameter(
                "This operation is permitted on Lambda functions only. Aliases and versions do not support this "
                "operation. Please specify either a function name or an unqualified function ARN."
            )
        scope = (ctx.account_id, ctx.region)
        limit = self.runtime.settings.lambda_account_concurrency  # type: ignore[attr-defined]
        reserved = p["ReservedConcurrentExecutions"]
        if reserved > limit - UNRESERVED_MINIMUM and reserved != 0:
            raise _below_unreserved_minimum()
        with self.store.transaction():  # type: ignore[attr-defined]
            # A missing function is named as $LATEST here, as AWS names it.
            missing = function_arn(ctx.region, ctx.account_id, name, "$LATEST")
            doc = self.functions.get(scope, name, missing)  # type: ignore[attr-defined]
            provisioned = sum(c["Requested"] for _, c in self.provisioned.scan(scope, prefix=name + "\0"))  # type: ignore[attr-defined]
            if reserved < provisioned:
                # A reservation must hold the function's provisioned executions (AWS's spacing kept).
                raise invalid_parameter_untyped(
                    f" ReservedConcurrentExecutions  {reserved} should not be lower than function's total "
                    f"provisioned concurrency [{provisioned}]."
                )
            # The other functions' reservations and provisioned executions count; this one's is replaced.
            others = [d for k, d in self.functions.functions.scan(scope) if k != name]  # type: ignore[attr-defined]
            held = held_from_pool(self.provisioned, scope, others)  # type: ignore[attr-defined]
            if reserved > limit - UNRESERVED_MINIMUM - held and reserved != 0:
                raise _below_unreserved_minimum()
            doc["ReservedConcurrency"] = reserved
            self.functions.functions.put(scope, name, doc)  # type: ignore[attr-defined]
        return {"ReservedConcurrentExecutions": reserved}

    def GetFunctionConcurrency(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = split_name(ctx, p["FunctionName"])
        arn = function_arn(ctx.region, ctx.account_id, name)
        doc = self.functions.get((ctx.account_id, ctx.region), name, arn)  # type: ignore[attr-defined]
        return (
            {"ReservedConcurrentExecutions": doc["ReservedConcurrency"]}
            if doc.get("ReservedConcurrency") is not None
            else {}
        )

    def DeleteFunctionConcurrency(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
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
        reserved = held_from_pool(self.provisioned, scope, functions)  # type: ignore[attr-defined]
        # Every stored package counts: $LATEST, each published version and each layer version.
        stored = [
            *functions,
            *(d for _, d in self.functions.versions.scan(scope)),  # type: ignore[attr-defined]
            *(d for _, d in self.layers.scan(scope)),  # type: ignore[attr-defined]
        ]
        return {
            "AccountLimit": {
                "TotalCodeSize": 80530636800,
                "CodeSizeUnzipped": 262144000,
                "CodeSizeZipped": 52428800,
                "ConcurrentExecutions": limit,
                "UnreservedConcurrentExecutions": limit - reserved,
            },
            "AccountUsage": {
                "TotalCodeSize": sum(d.get("CodeSize", 0) for d in stored),
                "FunctionCount": len(functions),
            },
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
        view = {
            k: v
            for k, v in config.items()
            if k in ("LastModified", "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")
        }
        view["FunctionArn"] = function_arn(ctx.region, ctx.account_id, name, qualifier or "$LATEST")
        return view

    def _eic_function(self, ctx: RequestContext, name: str, qualifier: str | None) -> Params:
        """The function (and qualifier) an event invoke configuration is for must exist."""
        try:
            arn = function_arn(ctx.region, ctx.account_id, name)
            doc, _ = self.functions.resolve((ctx.account_id, ctx.region), name, qualifier, arn)  # type: ignore[attr-defined]
        except ServiceError as exc:
            raise not_found("The function doesn't exist.") from exc
        return doc

    def _check_destinations(self, ctx: RequestContext, name: str, destinations: Params) -> None:
        for side in ("OnSuccess", "OnFailure"):
            target = (destinations.get(side) or {}).get("Destination")
            if not target:
                continue
            parts = target.split(":")
            # "Amazon S3 – An Amazon S3 bucket (on failure only)" (Capturing records of Lambda
            # asynchronous invocations).
            services = _DESTINATIONS + (("s3",) if side == "OnFailure" else ())
            if len(parts) < 6 or parts[0] != "arn" or parts[2] not in services:
                # AWS names the whole configuration, as its (Java) model prints it.
                raise invalid_parameter(
                    f"The provided destination config {_java_config(destinations)} is invalid."
                )
            if parts[2] == "lambda" and len(parts) > 6 and parts[6] == name and parts[4] == ctx.account_id:
                raise invalid_parameter("You can't specify the function as a destination for itself.")

    def _check_destinations_exist(self, ctx: RequestContext, destinations: Params) -> None:
        """A function named as a destination in this account must exist (checked after the role may call it)."""
        for side in ("OnSuccess", "OnFailure"):
            target = (destinations.get(side) or {}).get("Destination") or ""
            parts = target.split(":")
            if len(parts) < 7 or parts[2] != "lambda" or (parts[3], parts[4]) != (ctx.region, ctx.account_id):
                continue
            try:
                self.functions.resolve(  # type: ignore[attr-defined]
                    (ctx.account_id, ctx.region), parts[6], parts[7] if len(parts) > 7 else None, target
                )
            except ServiceError as exc:
                raise invalid_parameter(f"The destination ARN {target} is invalid.") from exc

    def _check_role_sends(self, function: Params, destinations: Params) -> None:
        """Lambda delivers as the function's execution role: AWS refuses a destination the role may not reach."""
        access = self._role_access()  # type: ignore[attr-defined]
        for side in ("OnSuccess", "OnFailure"):
            target = (destinations.get(side) or {}).get("Destination")
            denied = target and denied_call(access, function["Role"], function["FunctionName"], target)
            if denied:
                raise invalid_parameter(
                    f"The function's execution role does not have permissions to call {denied.action} on {target}"
                )

    def _put_eic(self, ctx: RequestContext, p: Params, merge: bool) -> Params:
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        scope = (ctx.account_id, ctx.region)
        if all(
            p.get(m) is None
            for m in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")
        ):
            raise invalid_parameter("You must specify at least one of error handling or destination setting.")
        function = self._eic_function(ctx, name, qualifier)
        self._check_eic(p)
        self._check_destinations(ctx, name, p.get("DestinationConfig") or {})
        self._check_role_sends(function, p.get("DestinationConfig") or {})
        self._check_destinations_exist(ctx, p.get("DestinationConfig") or {})
        existing = self.event_invoke_config(ctx.account_id, ctx.region, name, qualifier)
        if merge and not existing:
            raise not_found(
                f"The function {function_arn(ctx.region, ctx.account_id, name, qualifier or '$LATEST')} doesn't have an EventInvokeConfig"
            )
        config = dict(existing) if merge else {}
        for member in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"):
            if p.get(member) is not None:
                config[member] = p[member]
        # Both sides are always reported, {} for one without a destination.
        destinations = config.get("DestinationConfig") or {}
        config["DestinationConfig"] = {
            side: destinations.get(side) or {} for side in ("OnSuccess", "OnFailure")
        }
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
            raise not_found(
                f"The function {function_arn(ctx.region, ctx.account_id, name, qualifier or '$LATEST')} doesn't have an EventInvokeConfig"
            )
        return self._eic_view(ctx, name, qualifier, config)

    def DeleteFunctionEventInvokeConfig(self, ctx: RequestContext, p: Params) -> Params:
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        if not self.invoke_configs.delete((ctx.account_id, ctx.region), self._eic_key(name, qualifier)):  # type: ignore[attr-defined]
            raise not_found(
                f"The function {function_arn(ctx.region, ctx.account_id, name, qualifier or '$LATEST')} doesn't have an EventInvokeConfig"
            )
        return {}

    def ListFunctionEventInvokeConfigs(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = split_name(ctx, p["FunctionName"])
        self._eic_function(ctx, name, None)
        configs = self.invoke_configs.scan((ctx.account_id, ctx.region), prefix=name + "\0")  # type: ignore[attr-defined]
        views = [self._eic_view(ctx, name, key.split("\0")[1], config) for key, config in configs]
        return paged("FunctionEventInvokeConfigs", views, p)

    # -- delivering to a destination -----------------------------------------------

    async def send_to_target(
        self,
        account: str,
        region: str,
        target: str,
        body: bytes,
        attributes: dict[str, Any] | None,
        function: Params | None = None,
    ) -> None:
        """Send a record to a destination ARN: a Lambda function (async invoke) or an SQS queue.

        With `function`, the send is made as its execution role: one the role may not make (or whose
        encrypted queue's KMS key does not let the role use it) is dropped, as Lambda drops a record
        it cannot deliver.
        """
        parts = target.split(":")
        service = parts[2] if len(parts) > 2 else ""
        sender = None
        if function is not None:
            access = self._role_access()  # type: ignore[attr-defined]
            denied = denied_call(access, function["Role"], function["FunctionName"], target)
            if denied:
                log.warning(
                    "%s: the execution role may not call %s on %s; the record is dropped",
                    function["FunctionName"],
                    denied.action,
                    target,
                )
                return
            if service == "sqs":
                sender = access.context(function["Role"], function["FunctionName"], "sqs", "SendMessage", parts[3])
            if service == "s3":
                await self._put_record(access, function, parts[5], body)
                return
        if service == "lambda" and len(parts) >= 7:
            qualifier = parts[7] if len(parts) > 7 else None
            self.enqueue(parts[4], parts[3], parts[6], qualifier, body)  # type: ignore[attr-defined]
            return
        provider = self.runtime.provider(service) if service else None  # type: ignore[attr-defined]
        deliver = getattr(provider, "deliver_message", None)
        if deliver is None:
            return
        try:
            await deliver(target, body.decode("utf-8", "replace"), attributes or {}, sender=sender)
        except ServiceError as error:
            log.warning("%s: the record to %s is dropped: %s", account, target, error.code)

    async def _put_record(self, access: Any, function: Params, bucket: str, body: bytes) -> None:
        """Write an on-failure record to an S3 bucket as the function's execution role, as a JSON object
        named as Lambda names it (`ASYNC_RECORDS`); a write S3 refuses drops the record."""
        name = function["FunctionName"]
        now = time.gmtime()
        key = (
            f"{ASYNC_RECORDS}{name}/{time.strftime('%Y/%m/%d', now)}/"
            f"{time.strftime('%Y-%m-%dT%H.%M.%S', now)}-{uuid.uuid4()}"
        )
        s3 = self.runtime.provider("s3")  # type: ignore[attr-defined]
        region = self.runtime.settings.region  # type: ignore[attr-defined]
        try:
            ctx = access.context(function["Role"], name, "s3", "PutObject", region)
            await s3.PutObject(ctx, {"Bucket": bucket, "Key": key, "Body": body, "ContentType": "application/json"})
        except ServiceError as error:
            log.warning("%s: the record to bucket %s is dropped: %s", name, bucket, error.code)


def _java_config(destinations: Params) -> str:
    """A DestinationConfig as AWS's error messages print it (Java's toString of its model objects)."""

    def side(name: str) -> str:
        entry = destinations.get(name)
        if entry is None:
            return "null"
        return f"{name}(destination={entry.get('Destination') or 'null'})"

    return f"DestinationConfig(onSuccess={side('OnSuccess')}, onFailure={side('OnFailure')})"
