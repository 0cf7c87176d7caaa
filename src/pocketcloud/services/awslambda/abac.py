"""aws:ResourceTag/<key> of the function a Lambda call acts on, for the authorizer's condition keys.

"Resources and conditions for Lambda actions" (Function actions table) lists the actions whose
condition keys include aws:ResourceTag/${TagKey}: they are `_TAGGED_ACTIONS`, by operation name
(Invoke is the lambda:InvokeFunction action, as is InvokeWithResponseStream). Tags belong to the
function, not to its versions or aliases ("Tags apply at the function level ... those tags apply to
all versions and aliases"), so a call naming a version or alias is given its function's tags.
CreateFunction is left out: the function it names does not exist yet, and its tags are the request's
(aws:RequestTag, which the authorizer takes from the parameters). The function URL actions list no
aws:ResourceTag, listings (ListFunctions, GetAccountSettings) act on no function, and layers cannot
be tagged ("Tags aren't supported for layers"). Event source mappings and code signing
configurations carry tags of their own (tags.py): a call on one of them (by its UUID or ARN, and the
tag operations given its ARN) sees those tags.

Beside the tags, the keys Lambda takes from the request itself (`request_values`): lambda:Layer
(CreateFunction, UpdateFunctionConfiguration), lambda:Principal (AddPermission) and
lambda:FunctionUrlAuthType (Create/UpdateFunctionUrlConfig, AddPermission).

The authorizer asks only for callers other than the account's root user; the answer comes from the
Invoke path's read cache (doc_cache.py), so it costs one dict lookup once the function is read.
"""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.context_keys import resource_tag_values
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.awslambda.code_signing import is_csc_arn
from pocketcloud.services.awslambda.cross_account import function_named
from pocketcloud.services.awslambda.functions import named_function
from pocketcloud.services.awslambda.tags import mapping_id_of

Params = dict[str, Any]

_TAGGED_ACTIONS = frozenset(
    {
        "AddPermission",
        "RemovePermission",
        "Invoke",
        "InvokeWithResponseStream",
        "UpdateFunctionConfiguration",
        "CreateAlias",
        "DeleteAlias",
        "DeleteFunction",
        "DeleteFunctionCodeSigningConfig",
        "DeleteFunctionConcurrency",
        "GetAlias",
        "GetFunction",
        "GetFunctionCodeSigningConfig",
        "GetFunctionConcurrency",
        "GetFunctionConfiguration",
        "GetPolicy",
        "ListProvisionedConcurrencyConfigs",
        "ListAliases",
        "ListTags",
        "ListVersionsByFunction",
        "PublishVersion",
        "PutFunctionCodeSigningConfig",
        "PutFunctionConcurrency",
        "UpdateAlias",
        "UpdateFunctionCode",
        "DeleteProvisionedConcurrencyConfig",
        "GetProvisionedConcurrencyConfig",
        "PutProvisionedConcurrencyConfig",
        "TagResource",
        "UntagResource",
    }
)


_TAG_ACTIONS = frozenset({"TagResource", "UntagResource", "ListTags"})
_MAPPING_ACTIONS = frozenset(
    {"GetEventSourceMapping", "UpdateEventSourceMapping", "DeleteEventSourceMapping"}
)
_CSC_ACTIONS = frozenset({"GetCodeSigningConfig", "UpdateCodeSigningConfig", "DeleteCodeSigningConfig"})


# Lambda's own keys taken from the request ("Resources and conditions for Lambda actions"): the
# layer version ARNs a function is given (lambda:Layer, "Granting users access to a Lambda layer"),
# the principal a permission is added for (lambda:Principal), and a URL's AuthType.
_LAYER_ACTIONS = frozenset({"CreateFunction", "UpdateFunctionConfiguration"})
# The member whose value is lambda:FunctionUrlAuthType: the AuthType a URL is created or updated with
# (as in AWS's example SCP "Deny-modification-to-Lambda-URL-Config"), the one a permission names.
_AUTH_TYPE_MEMBERS = {
    "CreateFunctionUrlConfig": "AuthType",
    "UpdateFunctionUrlConfig": "AuthType",
    "AddPermission": "FunctionUrlAuthType",
}


def request_values(operation: str, params: Params) -> Params:
    """The Lambda condition keys whose values the request itself carries."""
    values: Params = {}
    layers = params.get("Layers")
    if operation in _LAYER_ACTIONS and isinstance(layers, list):
        values["lambda:Layer"] = [arn for arn in layers if isinstance(arn, str)]
    if operation == "AddPermission" and isinstance(params.get("Principal"), str):
        values["lambda:Principal"] = params["Principal"]
    auth_type = params.get(_AUTH_TYPE_MEMBERS.get(operation, ""))
    if isinstance(auth_type, str):
        values["lambda:FunctionUrlAuthType"] = auth_type
    return values


class AbacOperations:
    def condition_values(self, ctx: RequestContext, operation: str, params: Params) -> Params:
        """Lambda's keys the request carries (`request_values`), and aws:ResourceTag/<key> of the
        function (of the version or alias) the call names."""
        return {**request_values(operation, params), **self._resource_tags(ctx, operation, params)}

    def _resource_tags(self, ctx: RequestContext, operation: str, params: Params) -> Params:
        """aws:ResourceTag/<key> of the function (of the version or alias) the call names; {} for
        actions that do not support the key, and for a function that is not there."""
        if operation in _MAPPING_ACTIONS or operation in _CSC_ACTIONS or operation in _TAG_ACTIONS:
            tags = self._own_tags(ctx, operation, params)
            if tags is not None:
                return resource_tag_values(tags)
        if operation not in _TAGGED_ACTIONS:
            return {}
        identifier = function_named(operation, params)
        if identifier is None:
            return {}
        region, account, name, _ = named_function(identifier)
        scope = (account or ctx.account_id, region or ctx.region)
        doc = self.functions.cached_function(scope, name)  # type: ignore[attr-defined]
        if doc is None:
            return {}
        return resource_tag_values(doc.get("Tags"))

    def _own_tags(self, ctx: RequestContext, operation: str, params: Params) -> dict[str, str] | None:
        """The tags of the event source mapping or code signing configuration a call names; None when
        it names neither (a function), {} when that resource is not there."""
        resource = params.get("Resource") if operation in _TAG_ACTIONS else None
        mapping_id = params.get("UUID") if operation in _MAPPING_ACTIONS else None
        if resource is not None:
            mapping_id = mapping_id_of(resource)
        csc_arn = params.get("CodeSigningConfigArn") if operation in _CSC_ACTIONS else None
        if resource is not None and is_csc_arn(resource):
            csc_arn = resource
        try:
            if mapping_id is not None:
                return self.mapping_tags(ctx, mapping_id)  # type: ignore[attr-defined]
            if csc_arn is not None:
                return self.csc_tags(ctx, csc_arn)  # type: ignore[attr-defined]
        except ServiceError:  # not there: the call itself will say so, once authorized
            return {}
        return None
