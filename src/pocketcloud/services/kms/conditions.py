"""KMS's own condition keys ("AWS KMS condition keys" in the KMS Developer Guide; which action takes
which, the Service Authorization Reference), as a call offers them to key policies, grants and IAM
policies.

Request keys come from the call's parameters, with the parameter's default when the call leaves it
out ("This type of condition works even when the parameter doesn't appear in the request"):
kms:EncryptionAlgorithm, kms:SigningAlgorithm and kms:MessageType, kms:MacAlgorithm,
kms:DataKeyPairSpec, the grant keys of CreateGrant, kms:ScheduleKeyDeletionPendingWindowInDays,
kms:RotationPeriodInDays, CreateKey's kms:KeySpec / kms:KeyUsage / kms:KeyOrigin / kms:MultiRegion,
kms:BypassPolicyLockoutSafetyCheck (only when the call passes it: the guide's example tests it with
Null) and kms:RequestAlias (the alias name, when the call names its key by an alias name or alias
ARN). Resource keys are the key's own properties (`resource_values`): kms:KeySpec, kms:KeyUsage,
kms:KeyOrigin, kms:MultiRegion and the aliases that name it, kms:ResourceAliases.
"""

from __future__ import annotations

from typing import Any

Params = dict[str, Any]
_SYMMETRIC = "SYMMETRIC_DEFAULT"
# Operations whose KeyId the caller may give as an alias, which kms:RequestAlias then is (the
# cryptographic operations, DescribeKey and GetPublicKey).
_ALIAS_REQUESTS = frozenset(
    {
        "Decrypt", "DeriveSharedSecret", "DescribeKey", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext", "GenerateDataKeyWithoutPlaintext", "GenerateMac",
        "GetPublicKey", "ReEncrypt", "Sign", "Verify", "VerifyMac",
    }
)  # fmt: skip
_DATA_KEYS = frozenset(
    {
        "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
    }
)  # fmt: skip


def _flag(value: Any) -> str:
    return "true" if value else "false"


def alias_name(key_id: Any) -> str | None:
    """The alias name a KeyId gives (an alias name, or the name in an alias ARN), or None."""
    if not isinstance(key_id, str):
        return None
    if key_id.startswith("alias/"):
        return key_id
    if key_id.startswith("arn:") and ":alias/" in key_id:
        return "alias/" + key_id.split(":alias/", 1)[1]
    return None


def grant_context(params: Params) -> Params | None:
    """The encryption context of a CreateGrant's constraint, which its kms:EncryptionContext:* and
    kms:EncryptionContextKeys are."""
    constraints = params.get("Constraints") or {}
    return constraints.get("EncryptionContextEquals") or constraints.get("EncryptionContextSubset")


def request_values(operation: str, params: Params) -> Params:
    """The request keys of a call `operation` (its own action's; ReEncrypt: kms:ReEncryptFrom's)."""
    values: Params = {}
    if operation in ("Encrypt", "Decrypt"):
        values["kms:EncryptionAlgorithm"] = params.get("EncryptionAlgorithm") or _SYMMETRIC
    elif operation == "ReEncrypt":
        values["kms:EncryptionAlgorithm"] = params.get("SourceEncryptionAlgorithm") or _SYMMETRIC
    elif operation in _DATA_KEYS:
        values["kms:EncryptionAlgorithm"] = _SYMMETRIC  # a data key is sealed under a symmetric key
        if "KeyPairSpec" in params:
            values["kms:DataKeyPairSpec"] = params["KeyPairSpec"]
    elif operation in ("Sign", "Verify"):
        values["kms:SigningAlgorithm"] = params.get("SigningAlgorithm")
        values["kms:MessageType"] = params.get("MessageType") or "RAW"
    elif operation in ("GenerateMac", "VerifyMac"):
        values["kms:MacAlgorithm"] = params.get("MacAlgorithm")
    elif operation == "DeriveSharedSecret":
        values["kms:KeyAgreementAlgorithm"] = params.get("KeyAgreementAlgorithm")
    elif operation == "CreateGrant":
        values.update(_grant_values(params))
    elif operation == "ScheduleKeyDeletion":
        values["kms:ScheduleKeyDeletionPendingWindowInDays"] = str(params.get("PendingWindowInDays") or 30)
    elif operation == "EnableKeyRotation":
        values["kms:RotationPeriodInDays"] = str(params.get("RotationPeriodInDays") or 365)
    elif operation == "CreateKey":
        values["kms:KeySpec"] = params.get("KeySpec") or params.get("CustomerMasterKeySpec") or _SYMMETRIC
        values["kms:KeyUsage"] = params.get("KeyUsage") or "ENCRYPT_DECRYPT"
        values["kms:KeyOrigin"] = params.get("Origin") or "AWS_KMS"
        values["kms:MultiRegion"] = _flag(params.get("MultiRegion"))
        values["kms:CustomerMasterKeySpec"] = values["kms:KeySpec"]
        values["kms:CustomerMasterKeyUsage"] = values["kms:KeyUsage"]
    elif operation == "ReplicateKey":
        values["kms:ReplicaRegion"] = params.get("ReplicaRegion")
    elif operation == "UpdatePrimaryRegion":
        values["kms:PrimaryRegion"] = params.get("PrimaryRegion")
    if operation in ("CreateKey", "PutKeyPolicy") and "BypassPolicyLockoutSafetyCheck" in params:
        values["kms:BypassPolicyLockoutSafetyCheck"] = _flag(params["BypassPolicyLockoutSafetyCheck"])
    if operation in _ALIAS_REQUESTS:
        alias = alias_name(params.get("SourceKeyId" if operation == "ReEncrypt" else "KeyId"))
        if alias is not None:
            values["kms:RequestAlias"] = alias
    return values


def _grant_values(params: Params) -> Params:
    values: Params = {}
    if isinstance(params.get("Operations"), list):
        values["kms:GrantOperations"] = list(params["Operations"])
    for member in ("GranteePrincipal", "RetiringPrincipal"):
        if params.get(member):
            values[f"kms:{member}"] = params[member]
    constraints = params.get("Constraints") or {}
    for kind in ("EncryptionContextEquals", "EncryptionContextSubset"):
        if constraints.get(kind) is not None:
            values["kms:GrantConstraintType"] = kind
    return values


def resource_values(doc: Params, aliases: list[str]) -> Params:
    """The resource keys of a call on the key `doc`, whose aliases are `aliases`."""
    values: Params = {
        "kms:KeySpec": doc.get("KeySpec"),
        "kms:KeyUsage": doc.get("KeyUsage"),
        "kms:KeyOrigin": doc.get("Origin") or "AWS_KMS",
        "kms:MultiRegion": _flag(doc.get("MultiRegion")),
        "kms:CustomerMasterKeySpec": doc.get("KeySpec"),
        "kms:CustomerMasterKeyUsage": doc.get("KeyUsage"),
    }
    if doc.get("MultiRegionConfiguration"):
        values["kms:MultiRegionKeyType"] = doc["MultiRegionConfiguration"]["MultiRegionKeyType"]
    if aliases:
        values["kms:ResourceAliases"] = sorted(aliases)
    return values
