"""Calls on another account's function or layer version, named by its ARN.

A function's resource-based policy opens only some calls to other accounts ("Using resource-based
policies for AWS Lambda", Cross-account APIs): those in `CROSS_ACCOUNT_OPERATIONS`. A layer
version's policy grants lambda:GetLayerVersion and nothing else (AddLayerVersionPermission's
Action), which serves GetLayerVersion and GetLayerVersionByArn. Any other call naming another
account's function or layer is refused by the authorizer whatever the policy says: the provider
gives it no policy to consult, only the account that owns the resource
(`PermissionOperations.resource_policy`).

A call let through runs in the owner's account: `functions.in_owners_account` hands the operation a
context whose account is the owner's, so the function is found, changed and named (ARNs) there, while the
principal stays the caller.
"""

from __future__ import annotations

import re
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.awslambda.functions import function_arn, named_function

Params = dict[str, Any]
CROSS_ACCOUNT_OPERATIONS = frozenset(
    {
        "Invoke",
        "InvokeWithResponseStream",  # Invoke's lambda:InvokeFunction, streamed
        "InvokeFunctionUrl",  # a function URL's callers, whoever they are (url_invoke.py)
        "GetFunction",
        "GetFunctionConfiguration",
        "UpdateFunctionCode",
        "DeleteFunction",
        "PublishVersion",
        "ListVersionsByFunction",
        "CreateAlias",
        "GetAlias",
        "ListAliases",
        "UpdateAlias",
        "DeleteAlias",
        "GetPolicy",
        "PutFunctionConcurrency",
        "DeleteFunctionConcurrency",
        "ListTags",
        "TagResource",
        "UntagResource",
    }
)
LAYER_CROSS_ACCOUNT_OPERATIONS = frozenset({"GetLayerVersion", "GetLayerVersionByArn"})
_LAYER_OPERATIONS = frozenset(
    {
        *LAYER_CROSS_ACCOUNT_OPERATIONS,
        "ListLayerVersions",
        "DeleteLayerVersion",
        "AddLayerVersionPermission",
        "RemoveLayerVersionPermission",
        "GetLayerVersionPolicy",
    }
)
# The member naming the function, where it is not FunctionName.
_NAMED_BY = {
    "ListTags": "Resource",
    "TagResource": "Resource",
    "UntagResource": "Resource",
    "PutResourcePolicy": "ResourceArn",
    "GetResourcePolicy": "ResourceArn",
    "DeleteResourcePolicy": "ResourceArn",
}
_LAYER_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9_-]+)(?::(\d+))?$")


def function_named(operation: str, params: Params) -> str | None:
    """The function name or ARN a call names (None for calls on no function)."""
    value = params.get(_NAMED_BY.get(operation, "FunctionName"))
    return value if isinstance(value, str) and value else None


def layer_named(operation: str, params: Params) -> tuple[str, str, str, int | None] | None:
    """(Region, account, layer name, version) of a layer call naming its layer by ARN, else None."""
    if operation not in _LAYER_OPERATIONS:
        return None
    value = params.get("Arn") if operation == "GetLayerVersionByArn" else params.get("LayerName")
    match = _LAYER_ARN.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    region, account, name, version = match.groups()
    if operation != "GetLayerVersionByArn":
        number = params.get("VersionNumber")
        version = str(number) if isinstance(number, int) else None
    return region, account, name, int(version) if version else None


def named_arns(ctx: RequestContext, operation: str, params: Params) -> list[str] | None:
    """What a call is authorized on where the model's ARN template gets it wrong: a function named
    by a partial ARN (123456789012:function:name), a layer version named by its layer's ARN, and a
    function named with a Qualifier parameter, which is authorized on the qualified ARN: "Lambda
    requires IAM or VPC endpoint policies to specify the fully qualified ARN in the Resource element
    when authorizing API calls that use an unqualified ARN with a qualifier parameter" (Lambda's
    authorization change of January 2022, as aws-cdk#19318 quotes it)."""
    layer = layer_named(operation, params)
    if layer is not None:
        region, account, name, version = layer
        arn = f"arn:aws:lambda:{region}:{account}:layer:{name}"
        return [f"{arn}:{version}" if version is not None else arn]
    identifier = function_named(operation, params)
    if identifier is None:
        return None
    named_region, owner, function, qualifier = named_function(identifier)
    given = params.get("Qualifier")
    if qualifier is None and isinstance(given, str) and given:
        qualifier = given
    elif identifier.startswith("arn:") or owner is None:
        return None
    return [function_arn(named_region or ctx.region, owner or ctx.account_id, function, qualifier)]
