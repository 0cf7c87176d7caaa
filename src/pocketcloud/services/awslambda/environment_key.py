"""A function's environment variables under a customer managed KMS key (KMSKeyArn).

Lambda keeps environment variables encrypted under the AWS managed key `aws/lambda` unless the
function names a key of its own. Configuring one is a KMS CreateGrant on it made as the caller, so
CreateFunction / UpdateFunctionConfiguration refuse a key that KMS would refuse (an alias ARN, a
key that does not exist or is disabled, a caller not allowed kms:CreateGrant) with Lambda's
"unable to configure access" message. Each invocation decrypts the variables as the execution role
(kms:Decrypt through Lambda), so a key disabled, scheduled for deletion or closed to the role since
fails the call with KMSDisabledException / KMSInvalidStateException / KMSNotFoundException /
KMSAccessDeniedException (502), as AWS answers Invoke ("Securing Lambda environment variables").
"""

from __future__ import annotations

import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.awslambda.errors import invalid_parameter
from pocketcloud.services.role_access import RoleAccess

Params = dict[str, Any]

_CONFIGURE = (
    "Lambda was unable to configure access to your environment variables because the KMS key is invalid "
    "for CreateGrant. Please check your KMS key settings. KMS Exception: {code} KMS Message: {message}"
)

# KMS's refusal of Decrypt -> (Lambda's error, what Lambda says of it).
_DECRYPT_ERRORS = {
    "NotFoundException": ("KMSNotFoundException", "because the KMS key was not found"),
    "DisabledException": ("KMSDisabledException", "because the KMS key used is disabled"),
    "KMSInvalidStateException": (
        "KMSInvalidStateException",
        "because the state of the KMS key used is not valid for Decrypt",
    ),
}


def _kms_error(error: ServiceError) -> tuple[str, str]:
    """(KMS's own error code, its message) of a refusal passed on by KMS's provider."""
    code = error.code.removeprefix("KMS.")
    return ("AccessDeniedException" if code.startswith("AccessDenied") else code), error.message


def check_configured_key(runtime: Any, ctx: RequestContext, key_arn: str | None) -> None:
    """InvalidParameterValueException unless KMS would let the caller grant Lambda the key."""
    if not key_arn:
        return  # none, or "" to go back to the AWS managed key
    kms = runtime.provider("kms")
    if kms is None:
        return
    try:
        if ":alias/" in key_arn:
            raise ServiceError("InvalidArnException", "Key Aliases are not supported for this operation.")
        arn = kms.key_for((ctx.account_id, ctx.region), key_arn, "lambda")
        kms.authorize_use(ctx, arn, "kms:CreateGrant", "lambda")
    except ServiceError as error:
        code, message = _kms_error(error)
        raise invalid_parameter(_CONFIGURE.format(code=code, message=message)) from None


def check_invocation_key(runtime: Any, roles: RoleAccess, account: str, region: str, doc: Params) -> None:
    """The KMS* error (502) unless the execution role can decrypt the function's variables now."""
    key_arn = doc.get("KMSKeyArn")
    if not key_arn or not (doc.get("Environment") or {}).get("Variables"):
        return
    kms = runtime.provider("kms")
    if kms is None:
        return
    try:
        # A key set before KMS was here was never checked: one KMS does not know is let be, as before.
        arn = kms.key_for((account, region), key_arn, "lambda", reading=not doc.get("KMSKeyChecked"))
        if not arn.startswith("arn:"):
            return
        as_role = roles.context(doc["Role"], doc["FunctionName"], "lambda", "Invoke", region)
        kms.authorize_use(as_role, arn, "kms:Decrypt", "lambda", {"LambdaFunctionName": doc["FunctionName"]})
    except ServiceError as error:
        code, message = _kms_error(error)
        lambda_code, why = _DECRYPT_ERRORS.get(
            code, ("KMSAccessDeniedException", "because KMS access was denied")
        )
        raise ServiceError(
            lambda_code,
            f"Lambda was unable to decrypt the environment variables {why}. Please check the function's KMS "
            f"key settings. KMS Exception: {code}KMS Message: {message} (Service: Kms, Status Code: 400, "
            f"Request ID: {uuid.uuid4()})",
            status=502,
        ) from None
