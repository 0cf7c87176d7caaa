"""Functions: their code and configuration, and the store their documents live in (versions.py
serves the published versions and aliases kept beside them).

functions  scope (account, region), key = name                    → $LATEST configuration + code
versions   scope (account, region), key = "<name>\\0<0000000001>"  → a published version's snapshot
aliases    scope (account, region), key = "<name>\\0<alias>"       → an alias
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.evaluate import service_allowed
from pocketcloud.lambda_runtime.runtimes import SUPPORTED_RUNTIMES
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.services.awslambda.code import requested_package, save_code
from pocketcloud.services.awslambda.doc_cache import DocumentCache, watched
from pocketcloud.services.awslambda.environment_key import check_configured_key
from pocketcloud.services.awslambda.errors import (
    conflict,
    function_not_found,
    invalid_parameter,
    not_found,
    revision_mismatch,
    validation,
)
from pocketcloud.services.awslambda.paging import paged
from pocketcloud.services.awslambda.target_access import denied_call
from pocketcloud.services.awslambda.updates import IN_PROGRESS, transient_revision
from pocketcloud.services.role_access import authorize_pass_role
from pocketcloud.store import Collection, Scope, Store

Params = dict[str, Any]
_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$"
)
_PARTIAL = re.compile(r"^(\d{12}):function:([a-zA-Z0-9_-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$")
# Runtimes AWS refuses for new functions and updates (the model's enum still lists them).
DEPRECATED_RUNTIMES = {
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet6",
    "ruby2.5",
    "ruby2.7",
    "go1.x",
    "java8",
}
# What GetFunction's Configuration carries, in the order AWS writes it.
CONFIG_FIELDS = (
    "FunctionName",
    "FunctionArn",
    "Runtime",
    "Role",
    "Handler",
    "CodeSize",
    "Description",
    "Timeout",
    "MemorySize",
    "LastModified",
    "CodeSha256",
    "Version",
    "Environment",
    "TracingConfig",
    "RevisionId",
    "Layers",
    "State",
    "StateReason",
    "StateReasonCode",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode",
    "PackageType",
    "Architectures",
    "EphemeralStorage",
    "SnapStart",
    "RuntimeVersionConfig",
    "LoggingConfig",
    "DeadLetterConfig",
    "VpcConfig",
    "KMSKeyArn",
    "TenancyConfig",
    "DurableConfig",
)
# What ListFunctions and ListVersionsByFunction leave out ("use GetFunction" for these, says AWS).
DETAIL_ONLY = (
    "State",
    "StateReason",
    "StateReasonCode",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode",
    "RuntimeVersionConfig",
)


def snap_start_supported(runtime: str) -> bool:
    """SnapStart is for Java 11 and later, Python 3.12 and later and .NET 8 and later."""
    found = re.fullmatch(r"(java|python3\.|dotnet)(\d+)", runtime or "")
    if found is None:
        return False
    return int(found.group(2)) >= {"java": 11, "python3.": 12, "dotnet": 8}[found.group(1)]


def runtime_not_valid(runtime: str) -> Exception:
    """AWS's answer to a runtime outside the list it accepts (not the model's ValidationException)."""
    valid = [r for r in service_model("lambda").shape_for("Runtime").enum if r not in DEPRECATED_RUNTIMES]
    return invalid_parameter(
        f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "
        f"[{', '.join(valid)}] or be a valid ARN"
    )


def logging_config(current: Params, requested: Params) -> Params:
    """LoggingConfig after a request: JSON logs have levels (INFO unless set), text logs have none."""
    merged = {**current, **requested}
    if merged.get("LogFormat") == "JSON":
        merged.setdefault("ApplicationLogLevel", "INFO")
        merged.setdefault("SystemLogLevel", "INFO")
    else:
        merged.pop("ApplicationLogLevel", None)
        merged.pop("SystemLogLevel", None)
    return merged


def runtime_version_arn(region: str, runtime: str) -> str:
    # AWS names the runtime build by a hash; one stable hash per runtime keeps ours as steady.
    return f"arn:aws:lambda:{region}::runtime:{hashlib.sha256(runtime.encode()).hexdigest()}"


def lambda_timestamp(moment: datetime | None = None) -> str:
    """Lambda's own timestamp format: 2024-01-01T00:00:00.000+0000."""
    moment = moment or datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def function_arn(region: str, account: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def split_name(ctx: RequestContext, identifier: str, qualifier: str | None = None) -> tuple[str, str | None]:
    """A FunctionName parameter (name, ARN or partial ARN) → (name, qualifier), for a function of
    `ctx`'s account and Region (`in_owners_account` gives another account's its own context)."""
    region, account, name, found = named_function(identifier)
    if region is not None and region != ctx.region:
        raise not_found(f"Functions from '{region}' are not reachable in this region ('{ctx.region}')")
    if account is not None and account != ctx.account_id:
        raise function_not_found(identifier)
    if qualifier and found and qualifier != found:
        raise invalid_parameter(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    return name, qualifier or found


def owner_of(ctx: RequestContext, identifier: str) -> str:
    """The account of the function a FunctionName names: another account's only by its ARN
    (or partial ARN), and only for calls that function's policy may open to other accounts
    (cross_account.py), which the authorizer has already held against that policy."""
    return named_function(identifier)[1] or ctx.account_id


@dataclass
class _OwnersContext(RequestContext):
    owner: str = ""

    @property
    def account_id(self) -> str:
        return self.owner


def in_owners_account(ctx: RequestContext, identifier: str) -> RequestContext:
    """The context of a call on the function `identifier` names: the caller's own, or, for another
    account's function named by its ARN, one in that account (the authorizer has let the call in)."""
    owner = owner_of(ctx, identifier)
    if owner == ctx.account_id:
        return ctx
    return _OwnersContext(**{f.name: getattr(ctx, f.name) for f in fields(ctx)}, owner=owner)


def named_function(identifier: str) -> tuple[str | None, str | None, str, str | None]:
    """(Region, account, name, qualifier) a FunctionName gives; a bare name gives no Region or account."""
    match = _ARN.match(identifier)
    if match is not None:
        region, account, name, qualifier = match.groups()
        return region, account, name, qualifier
    partial = _PARTIAL.match(identifier)
    if partial is not None:
        account, name, qualifier = partial.groups()
        return None, account, name, qualifier
    name, _, qualifier = identifier.partition(":")
    return None, None, name, qualifier or None


class FunctionStore:
    """The three collections, watched by one read cache (`doc_cache.py`) for the Invoke path."""

    def __init__(self, store: Store, cache: DocumentCache | None = None) -> None:
        self.store = store
        self.cache = cache or DocumentCache()
        self.functions: Collection = watched(store.collection("lambda", "functions"), self.cache)
        self.versions: Collection = watched(store.collection("lambda", "versions"), self.cache)
        self.aliases: Collection = watched(store.collection("lambda", "aliases"), self.cache)

    def get(self, scope: Scope, name: str, arn: str) -> Params:
        doc = self.functions.get(scope, name)
        if doc is None:
            raise function_not_found(arn)
        return doc

    def resolve(
        self,
        scope: Scope,
        name: str,
        qualifier: str | None,
        arn: str,
        cached: bool = False,
        routed: bool = False,
    ) -> tuple[Params, str]:
        """The configuration a qualifier names ($LATEST, a version or an alias) and the executed version.

        With `cached`, the documents come from the read cache: shared, so the caller must not change
        them (Invoke only reads them); never inside a store transaction. With `routed` (an
        invocation), an alias with a RoutingConfig names its additional version for that version's
        weight of the calls, as AWS shifts traffic; without it, always the alias's own version.
        """
        read = self.cache.get if cached else _uncached
        doc = read(self.functions, scope, name)
        if doc is None:
            # AWS names the missing function as it was asked for: with its qualifier, $LATEST too.
            raise function_not_found(f"{arn}:{qualifier}" if qualifier else arn)
        if qualifier in (None, "$LATEST"):
            return doc, "$LATEST"
        if qualifier.isdigit():
            version = read(self.versions, scope, f"{name}\0{int(qualifier):010d}")
            if version is None:
                raise function_not_found(f"{arn}:{qualifier}")
            return version, qualifier
        alias = read(self.aliases, scope, f"{name}\0{qualifier}")
        if alias is None:
            raise function_not_found(f"{arn}:{qualifier}")
        version = alias["FunctionVersion"]
        if routed:
            for extra, weight in (
                (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
            ).items():
                if random.random() < weight:
                    version = extra
        return self.resolve(scope, name, version, arn, cached)

    def cached_function(self, scope: Scope, name: str) -> Params | None:
        """The function's ($LATEST) document from the read cache (read-only), None if there is none."""
        return self.cache.get(self.functions, scope, name)


def configuration(doc: Params, qualifier: str | None = None) -> Params:
    """The FunctionConfiguration AWS returns; `qualifier` is the one asked for (its ARN is the answer's)."""
    view = {k: doc[k] for k in CONFIG_FIELDS if k in doc}
    # Empty variables are left out, unless the request that set them named Environment: AWS then
    # answers {"Variables": {}} (as recorded for CreateFunction and GetFunctionConfiguration).
    if "Environment" in view and not view["Environment"].get("Variables") and not doc.get("EnvironmentGiven"):
        view.pop("Environment")
    if not view.get("Layers"):
        view.pop("Layers", None)  # AWS leaves the member out when there are none
    if not view.get("KMSKeyArn") or not (doc.get("Environment") or {}).get("Variables"):
        # "the KMS Key ARN is not returned if environment variables are not in use" (the Terraform AWS
        # provider's TestAccLambdaFunction_KMSKeyARN_noEnvironmentVariables, against AWS); "" clears it.
        view.pop("KMSKeyArn", None)
    if doc.get("Runtime") and doc.get("PackageType", "Zip") == "Zip":
        view["RuntimeVersionConfig"] = {
            "RuntimeVersionArn": runtime_version_arn(doc["FunctionArn"].split(":")[3], doc["Runtime"])
        }
    if qualifier:
        arn = (
            doc["FunctionArn"].rsplit(":", 1)[0]
            if doc.get("Version", "$LATEST") != "$LATEST"
            else doc["FunctionArn"]
        )
        view["FunctionArn"] = f"{arn}:{qualifier}"
    return view


def list_view(doc: Params) -> Params:
    """A configuration as ListFunctions and ListVersionsByFunction give it."""
    return {k: v for k, v in configuration(doc).items() if k not in DETAIL_ONLY}


def _uncached(collection: Collection, scope: Scope, key: str) -> Params | None:
    return collection.get(scope, key)


class FunctionOperations:
    functions: FunctionStore

    # -- checks ---------------------------------------------------------------

    def _check_role(self, ctx: RequestContext, role_arn: str, function_arn: str) -> None:
        parts = role_arn.split(":")
        if len(parts) == 6 and parts[2] == "iam" and parts[4] and parts[4] != ctx.account_id:
            # iam:PassRole never crosses accounts: AWS refuses before looking at the role.
            raise ServiceError("AccessDeniedException", "Cross-account pass role is not allowed.", status=403)
        iam = self.runtime.provider("iam")  # type: ignore[attr-defined]
        role = None
        if len(parts) == 6 and parts[2] == "iam" and parts[5].startswith("role/") and iam is not None:
            role = iam.role(parts[4], parts[5].rsplit("/", 1)[-1])
        if role is None:
            raise invalid_parameter("The role defined for the function cannot be assumed by Lambda.")
        authorize_pass_role(
            self.runtime,  # type: ignore[attr-defined]
            ctx,
            role_arn,
            {"iam:PassedToService": "lambda.amazonaws.com", "iam:AssociatedResourceArn": function_arn},
        )
        trust = role["AssumeRolePolicyDocument"]
        if not service_allowed(
            trust, "lambda.amazonaws.com", "sts:AssumeRole", role_arn, parts[4], kind="trust"
        ):
            raise invalid_parameter("The role defined for the function cannot be assumed by Lambda.")

    def _check_dead_letter(self, role_arn: str, name: str, config: Params | None) -> None:
        """The dead-letter target is sent to as the execution role, which AWS checks may do so. A FIFO
        queue cannot be one: AWS takes a standard queue or topic only, and refuses it so worded."""
        target = (config or {}).get("TargetArn")
        service = target.split(":")[2:3] if target else None
        if target and service not in (["sqs"], ["sns"]):
            # "The Amazon Resource Name (ARN) of an Amazon SQS queue or Amazon SNS topic" (DeadLetterConfig);
            # the wording is the one a CloudFormation linter quotes from the failed CreateFunction.
            raise invalid_parameter(
                "Invalid dead letter queue ARN: The service specified by the TargetArn is not supported for "
                "dead letter configuration."
            )
        if target and service == ["sqs"] and target.endswith(".fifo"):
            raise invalid_parameter(
                "Invalid dead letter queue ARN: FIFO SQS queue is not supported for dead letter configuration"
            )
        access = self._role_access()  # type: ignore[attr-defined]
        denied = target and denied_call(access, role_arn, name, target)
        if denied:
            raise invalid_parameter(
                f"The provided execution role does not have permissions to call {denied.action} on {denied.label}"
            )

    def _check_config(self, p: Params) -> None:
        if "Timeout" in p and p["Timeout"] is not None:
            if p["Timeout"] > 900:
                raise validation("timeout", p["Timeout"], "Member must have value less than or equal to 900")
            if p["Timeout"] < 1:
                raise validation("timeout", p["Timeout"], "Member must have value greater than or equal to 1")
        if p.get("MemorySize") is not None:
            if p["MemorySize"] > 10240:
                raise validation(
                    "memorySize", p["MemorySize"], "Member must have value less than or equal to 10240"
                )
            if p["MemorySize"] < 128:
                raise validation(
                    "memorySize", p["MemorySize"], "Member must have value greater than or equal to 128"
                )
        storage = (p.get("EphemeralStorage") or {}).get("Size")
        if storage is not None and storage > 10240:
            raise validation(
                "ephemeralStorage.size", storage, "Member must have value less than or equal to 10240"
            )
        if storage is not None and storage < 512:
            raise validation(
                "ephemeralStorage.size", storage, "Member must have value greater than or equal to 512"
            )
        runtime = p.get("Runtime")
        if runtime is not None and runtime not in service_model("lambda").shape_for("Runtime").enum:
            raise runtime_not_valid(runtime)
        if runtime in DEPRECATED_RUNTIMES:
            raise invalid_parameter(
                f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda "
                "functions. We recommend you use a supported runtime while creating or updating functions."
            )
        if runtime is not None and runtime not in SUPPORTED_RUNTIMES:
            raise invalid_parameter(
                f"The runtime parameter of {runtime} is deprecated or not supported by pocketcloud. "
                f"Supported runtimes: {', '.join(sorted(SUPPORTED_RUNTIMES))}"
            )
        variables = (p.get("Environment") or {}).get("Variables") or {}
        reserved = {
            "AWS_REGION",
            "AWS_DEFAULT_REGION",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_ACCESS_KEY",
            "AWS_EXECUTION_ENV",
            "AWS_LAMBDA_FUNCTION_NAME",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_FUNCTION_VERSION",
            "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "AWS_LAMBDA_RUNTIME_API",
            "_HANDLER",
            "LAMBDA_TASK_ROOT",
            "LAMBDA_RUNTIME_DIR",
        }
        measured = json.dumps(variables, separators=(",", ":"))
        if len(measured.encode()) > 4096:
            raise invalid_parameter(
                "Lambda was unable to configure your environment variables because the environment variables you "
                f"have provided exceeded the 4KB limit. String measured: {measured}"
            )
        clash = [key for key in variables if key in reserved]  # in the request's order, as AWS lists them
        if clash:
            raise invalid_parameter(
                f"Lambda was unable to configure your environment variables because the environment variables you "
                f"have provided contains reserved keys that are currently not supported for modification. "
                f"Reserved keys used in this request: {', '.join(clash)}"
            )

    def _check_snap_start(self, runtime: str | None, snap_start: Params | None) -> None:
        if (snap_start or {}).get("ApplyOn") == "PublishedVersions" and not snap_start_supported(
            runtime or ""
        ):
            raise invalid_parameter(f"{runtime} is not supported for SnapStart enabled functions.")

    def _code_from(self, ctx: RequestContext, code: Params, operation: str) -> Params:
        data = requested_package(self.runtime, code, operation, ctx)  # type: ignore[attr-defined]
        if data is not None:
            return save_code(self.store, data)  # type: ignore[attr-defined]
        if code.get("ImageUri"):
            raise invalid_parameter("Container image functions are not supported by pocketcloud.")
        raise invalid_parameter("Please provide a source for function code.")

    # -- operations ---------------------------------------------------------------

    def CreateFunction(self, ctx: RequestContext, p: Params) -> Params:
        name = p["FunctionName"]
        if not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", name):
            full, partial = _ARN.match(name), _PARTIAL.match(name)
            account = full.group(2) if full else partial.group(1) if partial else None
            if account and account != ctx.account_id:
                # A function is only ever created in the caller's own account: AWS denies the call.
                raise ServiceError(
                    "AccessDeniedException",
                    f"User: {ctx.principal.arn} is not authorized to perform: lambda:CreateFunction on resource: "
                    f"{name}",
                    status=403,
                )
            name, _ = split_name(ctx, name)
        if len(name) > 64:
            # The model allows 140 (a full ARN); a bare name has 64 at most, said in Coral's words.
            raise invalid_parameter(
                f"1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: "
                "Member must have length less than or equal to 64"
            )
        self._check_config(p)
        check_configured_key(self.runtime, ctx, p.get("KMSKeyArn"))  # type: ignore[attr-defined]
        package_type = p.get("PackageType") or "Zip"
        self._check_snap_start(p.get("Runtime"), p.get("SnapStart"))
        if package_type == "Zip" and (not p.get("Runtime") or not p.get("Handler")):
            raise invalid_parameter(
                "Runtime and Handler are mandatory parameters for functions created with deployment packages."
            )
        scope = (ctx.account_id, ctx.region)
        arn = function_arn(ctx.region, ctx.account_id, name)
        self._check_role(ctx, p["Role"], arn)
        self._check_dead_letter(p["Role"], name, p.get("DeadLetterConfig"))
        if self.functions.functions.get(scope, name) is not None:
            raise conflict(f"Function already exist: {name}")
        code = self._code_from(ctx, p.get("Code") or {}, "CreateFunction")
        doc: Params = {
            "FunctionName": name,
            "FunctionArn": arn,
            "Runtime": p.get("Runtime"),
            "Role": p["Role"],
            "Handler": p.get("Handler"),
            "CodeSize": code["CodeSize"],
            "Description": p.get("Description") or "",
            "Timeout": p.get("Timeout") or 3,
            "MemorySize": p.get("MemorySize") or 128,
            "LastModified": lambda_timestamp(),
            "CodeSha256": code["CodeSha256"],
            "Version": "$LATEST",
            "Environment": {"Variables": (p.get("Environment") or {}).get("Variables") or {}},
            "TracingConfig": {"Mode": (p.get("TracingConfig") or {}).get("Mode") or "PassThrough"},
            "RevisionId": str(uuid.uuid4()),
            "Layers": self._layers(ctx, p.get("Layers") or []),  # type: ignore[attr-defined]
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": package_type,
            "Architectures": p.get("Architectures") or ["x86_64"],
            "EphemeralStorage": p.get("EphemeralStorage") or {"Size": 512},
            "SnapStart": {
                "ApplyOn": (p.get("SnapStart") or {}).get("ApplyOn") or "None",
                "OptimizationStatus": "Off",
            },
            "LoggingConfig": logging_config(
                {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}, p.get("LoggingConfig") or {}
            ),
            "Blob": code["Blob"],
            "CodeHex": code["CodeHex"],
            "Tags": p.get("Tags") or {},
            "NextVersion": 1,
            "ConfigRevision": str(uuid.uuid4()),
            # Which function of this name this is: queued async events name it (async_invoke.py),
            # so a function deleted and created again does not inherit its predecessor's retries.
            "Incarnation": str(uuid.uuid4()),
        }
        if p.get("Environment") is not None:
            doc["EnvironmentGiven"] = True
        if (p.get("DeadLetterConfig") or {}).get("TargetArn"):
            doc["DeadLetterConfig"] = p["DeadLetterConfig"]
        if p.get("KMSKeyArn"):
            doc["KMSKeyArn"] = p["KMSKeyArn"]
            doc["KMSKeyChecked"] = True  # by check_configured_key: Invoke holds it to KMS's answer
        # Tenant isolation is set when the function is made, and for good ("cannot be modified after
        # function creation"); durable execution settings are kept and answered (runs are not durable here).
        if (p.get("TenancyConfig") or {}).get("TenantIsolationMode"):
            doc["TenancyConfig"] = {"TenantIsolationMode": p["TenancyConfig"]["TenantIsolationMode"]}
        if p.get("DurableConfig"):
            doc["DurableConfig"] = dict(p["DurableConfig"])
        if (p.get("Code") or {}).get("SourceKMSKeyArn"):
            doc["SourceKMSKeyArn"] = p["Code"]["SourceKMSKeyArn"]  # named back by GetFunction's Code
        if p.get("CodeSigningConfigArn"):
            doc["CodeSigningConfigArn"] = self.attachable_csc(ctx, p["CodeSigningConfigArn"])  # type: ignore[attr-defined]
        self.check_combined_size(doc)  # type: ignore[attr-defined]  # layers.py
        if not self.functions.functions.insert(scope, name, doc):
            raise conflict(f"Function already exist: {name}")
        view = configuration(doc)
        if p.get("Publish"):
            # The version's configuration, under the function's own (unqualified) ARN, as AWS answers.
            view = self._publish(ctx, name, p.get("Description")) | {"FunctionArn": arn}  # type: ignore[attr-defined]  # versions.py
        # AWS reports a new function as still being created (it is Active on the next read, under
        # another RevisionId: updates.py), and reports no LastUpdateStatus until a first update.
        view.update(
            {
                "State": "Pending",
                "StateReason": "The function is being created.",
                "StateReasonCode": "Creating",
                "RevisionId": transient_revision(),
            }
        )
        view.pop("LastUpdateStatus", None)
        return view

    def GetFunction(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        scope = (ctx.account_id, ctx.region)
        doc, _ = self.functions.resolve(
            scope, name, qualifier, function_arn(ctx.region, ctx.account_id, name)
        )
        base = self.functions.get(scope, name, "")
        result: Params = {
            "Configuration": self.updates.shown(doc["FunctionArn"], configuration(doc, qualifier), qualifier),  # type: ignore[attr-defined]
            "Code": {"RepositoryType": "S3", "Location": self.code_location(doc["CodeHex"])},  # type: ignore[attr-defined]
        }
        if doc.get("SourceKMSKeyArn"):
            result["Code"]["SourceKMSKeyArn"] = doc["SourceKMSKeyArn"]
        if base.get("Tags"):
            result["Tags"] = base["Tags"]
        if base.get("ReservedConcurrency") is not None:
            result["Concurrency"] = {"ReservedConcurrentExecutions": base["ReservedConcurrency"]}
        return result

    def GetFunctionConfiguration(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        doc, _ = self.functions.resolve(
            (ctx.account_id, ctx.region), name, qualifier, function_arn(ctx.region, ctx.account_id, name)
        )
        return self.updates.shown(doc["FunctionArn"], configuration(doc, qualifier), qualifier)  # type: ignore[attr-defined]

    def ListFunctions(self, ctx: RequestContext, p: Params) -> Params:
        scope = (ctx.account_id, ctx.region)
        docs = [d for _, d in self.functions.functions.scan(scope)]
        if p.get("FunctionVersion") == "ALL":
            # Each function's $LATEST, then its published versions, as AWS lists them.
            docs = [
                v
                for d in docs
                for v in [
                    d,
                    *(v for _, v in self.functions.versions.scan(scope, prefix=d["FunctionName"] + "\0")),
                ]
            ]
            # Listing every version, each entry's ARN names its version, $LATEST included.
            views = [
                list_view(d)
                | {"FunctionArn": function_arn(ctx.region, ctx.account_id, d["FunctionName"], d["Version"])}
                for d in docs
            ]
            return paged("Functions", views, p)
        return paged("Functions", [list_view(d) for d in docs], p)

    async def DeleteFunction(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, qualifier = split_name(ctx, p["FunctionName"], p.get("Qualifier"))
        scope = (ctx.account_id, ctx.region)
        arn = function_arn(ctx.region, ctx.account_id, name)
        if qualifier == "$LATEST":
            raise invalid_parameter("$LATEST version cannot be deleted without deleting the function.")
        self.functions.get(scope, name, arn)
        with self.store.transaction():  # type: ignore[attr-defined]
            if qualifier:
                users = [
                    a["Name"]
                    for _, a in self.functions.aliases.scan(scope, prefix=name + "\0")
                    if a["FunctionVersion"] == qualifier
                    or qualifier in ((a.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})
                ]
                if users:
                    raise conflict(
                        f"Unable to delete version because the following aliases reference it: [{', '.join(users)}]"
                    )
                if not qualifier.isdigit():
                    raise function_not_found(f"{arn}:{qualifier}")
                # Deleting a version that is not there (any more) is no error: AWS answers as if it were.
                if self.functions.versions.delete(scope, f"{name}\0{int(qualifier):010d}"):
                    self._forget_qualifier(scope, name, qualifier)  # type: ignore[attr-defined]
            else:
                self.functions.functions.delete(scope, name)
                self.functions.versions.delete_prefix(scope, name + "\0")
                self.functions.aliases.delete_prefix(scope, name + "\0")
                # What belongs to the function goes with it: a new function of the same name starts bare.
                for owned in (self.policies, self.invoke_configs, self.url_configs, self.provisioned):  # type: ignore[attr-defined]
                    owned.delete_prefix(scope, name + "\0")
        await self.retire_environments(arn, qualifier)  # type: ignore[attr-defined]
        return {"StatusCode": 204}  # AWS answers 204 No Content (the model's default is 200)

    async def UpdateFunctionCode(self, ctx: RequestContext, p: Params) -> Params:
        ctx = in_owners_account(ctx, p["FunctionName"])
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        arn = function_arn(ctx.region, ctx.account_id, name)
        doc = self.functions.get(scope, name, arn)
        if p.get("RevisionId") and p["RevisionId"] != doc["RevisionId"]:
            raise revision_mismatch()
        if not p.get("DryRun"):
            self.updates.check(arn)  # type: ignore[attr-defined]  # updates.py; before the code is stored
        code = self._code_from(ctx, p, "UpdateFunctionCode")
        self.check_combined_size({**doc, "Blob": code["Blob"]})  # type: ignore[attr-defined]  # layers.py
        if p.get("DryRun"):
            # The request is checked, and the function answered as it would be, but not changed.
            return configuration({**doc, **{k: code[k] for k in ("CodeSha256", "CodeSize")}})
        doc.update({k: code[k] for k in ("Blob", "CodeHex", "CodeSha256", "CodeSize")})
        doc.update({"LastModified": lambda_timestamp(), "RevisionId": str(uuid.uuid4())})
        if p.get("SourceKMSKeyArn"):
            doc["SourceKMSKeyArn"] = p["SourceKMSKeyArn"]
        else:
            doc.pop("SourceKMSKeyArn", None)  # new code under Lambda's own key
        # Every update is a change PublishVersion counts, the same package again too: AWS publishes a new
        # version after one (moto's AWS-verified test_update_function_zip: "The code is the same, but
        # the version is still updated"); PublishVersion twice with nothing between publishes one.
        doc["ConfigRevision"] = str(uuid.uuid4())
        if p.get("Architectures"):
            doc["Architectures"] = p["Architectures"]
        with self.updates.updating(arn) as revision:  # type: ignore[attr-defined]
            self.functions.functions.put(scope, name, doc)
            # Published before anything awaits: another update arriving meanwhile would otherwise be
            # the code this call publishes (and this call's code never published).
            published = self._publish(ctx, name, None) if p.get("Publish") else None  # type: ignore[attr-defined]
            await self.retire_environments(arn, "$LATEST")  # type: ignore[attr-defined]
        view = configuration(doc)
        if published is not None:
            # AWS answers with the new version, reported as still being created (no update status yet).
            published.pop("LastUpdateStatus", None)
            return published | {
                "State": "Pending",
                "StateReason": "The function is being created.",
                "StateReasonCode": "Creating",
            }
        return view | IN_PROGRESS | {"RevisionId": revision}

    async def UpdateFunctionConfiguration(self, ctx: RequestContext, p: Params) -> Params:
        name, _ = split_name(ctx, p["FunctionName"])
        scope = (ctx.account_id, ctx.region)
        arn = function_arn(ctx.region, ctx.account_id, name)
        doc = self.functions.get(scope, name, arn)
        if p.get("RevisionId") and p["RevisionId"] != doc["RevisionId"]:
            raise revision_mismatch()
        self._check_config(p)
        self._check_snap_start(p.get("Runtime") or doc.get("Runtime"), p.get("SnapStart"))
        self.updates.check(arn)  # type: ignore[attr-defined]  # updates.py
        if p.get("Role"):
            self._check_role(ctx, p["Role"], doc["FunctionArn"])
        self._check_dead_letter(p.get("Role") or doc["Role"], name, p.get("DeadLetterConfig"))
        check_configured_key(self.runtime, ctx, p.get("KMSKeyArn"))  # type: ignore[attr-defined]
        if p.get("KMSKeyArn") is not None:
            doc["KMSKeyChecked"] = True
        for member in (
            "Role",
            "Handler",
            "Description",
            "Timeout",
            "MemorySize",
            "Runtime",
            "EphemeralStorage",
            "KMSKeyArn",
            "TracingConfig",
        ):
            if p.get(member) is not None:
                doc[member] = p[member]
        # A DeadLetterConfig without a TargetArn changes nothing; an empty TargetArn removes the
        # target (AWS answers DeadLetterConfig={} with the target it had, as recorded).
        target = (p.get("DeadLetterConfig") or {}).get("TargetArn")
        if target:
            doc["DeadLetterConfig"] = {"TargetArn": target}
        elif target == "":
            doc.pop("DeadLetterConfig", None)
        if p.get("Environment") is not None:
            doc["Environment"] = {"Variables": p["Environment"].get("Variables") or {}}
            doc["EnvironmentGiven"] = True
        if p.get("Layers") is not None:
            doc["Layers"] = self._layers(ctx, p["Layers"])  # type: ignore[attr-defined]
            self.check_combined_size(doc)  # type: ignore[attr-defined]  # layers.py
        if p.get("LoggingConfig") is not None:
            doc["LoggingConfig"] = logging_config(doc.get("LoggingConfig", {}), p["LoggingConfig"])
        if p.get("SnapStart") is not None:
            doc["SnapStart"] = {
                "ApplyOn": p["SnapStart"].get("ApplyOn") or "None",
                "OptimizationStatus": "Off",
            }
        if p.get("DurableConfig"):
            doc["DurableConfig"] = {**doc.get("DurableConfig", {}), **p["DurableConfig"]}
        doc.update(
            {
                "LastModified": lambda_timestamp(),
                "RevisionId": str(uuid.uuid4()),
                "ConfigRevision": str(uuid.uuid4()),
            }
        )
        with self.updates.updating(arn) as revision:  # type: ignore[attr-defined]
            self.functions.functions.put(scope, name, doc)
            await self.retire_environments(arn, "$LATEST")  # type: ignore[attr-defined]
        return configuration(doc) | IN_PROGRESS | {"RevisionId": revision}

    # -- tags (TagResource and its kin are in tags.py) ------------------------------------------------

    def _tagged(self, ctx: RequestContext, resource: str) -> tuple[Scope, str, Params]:
        ctx = in_owners_account(ctx, resource)
        name, qualifier = split_name(ctx, resource)
        if qualifier:
            raise invalid_parameter(
                "Tags on function aliases and versions are not supported. Please specify a function ARN."
            )
        scope = (ctx.account_id, ctx.region)
        return scope, name, self.functions.get(scope, name, resource)

    def function_tags(self, ctx: RequestContext, resource: str) -> dict[str, str]:
        return self._tagged(ctx, resource)[2].get("Tags", {})

    def retag_function(
        self, ctx: RequestContext, resource: str, change: Callable[[dict[str, str]], dict[str, str]]
    ) -> None:
        scope, name, doc = self._tagged(ctx, resource)
        doc["Tags"] = change(doc.get("Tags", {}))
        self.functions.functions.put(scope, name, doc)
