"""The authorize step of the request chain: may this principal call this operation?

Until the policy engine lands (the IAM issue), the root user of an account may
do everything and every other principal is denied, which is IAM's default deny
for a principal with no policies.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError


def access_denied(ctx: RequestContext, action: str, resource: str = "*") -> ServiceError:
    code = "AccessDenied" if ctx.service in ("s3", "iam", "sts", "ec2") else "AccessDeniedException"
    return ServiceError(
        code,
        f"User: {ctx.principal.arn} is not authorized to perform: {action} on resource: {resource} "
        f"because no identity-based policy allows the {action} action",
        status=403,
    )


class Authorizer:
    def authorize(self, ctx: RequestContext, operation: OperationModel, params: dict[str, Any]) -> None:
        principal = ctx.principal
        if principal.is_root:
            return
        if ctx.service == "sts" and operation.name == "GetCallerIdentity":
            return  # AWS: GetCallerIdentity needs no permission
        prefix = operation.service_model.signing_name or operation.service_model.endpoint_prefix
        raise access_denied(ctx, f"{prefix}:{operation.name}")
