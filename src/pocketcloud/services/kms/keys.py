"""KMS keys: their record, their key material, and how a request names one.

A key is a document of the `kms/keys` collection, per account and Region, under its key id (a
UUID). Its material lives in the same document, never answered: a symmetric key keeps one
256-bit AES key per rotation ("Versions", newest last: data encrypted under an older one still
decrypts), an HMAC key its secret, an asymmetric key its private key (PKCS#8 DER, base64); a key
of Origin EXTERNAL holds the same fields once its material is imported (`imports.py`), none while
it is PendingImport. An
alias is a document of `kms/aliases` under its name ("alias/..."), naming its target key.

A request names a key by its id, its ARN, an alias name or an alias ARN ("DescribeKey":
"KeyId"); `KeyLookup.resolve` finds it or raises AWS's NotFoundException (keys are Regional: an ARN
of another Region is "Invalid arn <region>"), and `usable` refuses a disabled key
(DisabledException) or one pending deletion (KMSInvalidStateException).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, mldsa, mlkem, rsa

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import to_datetime
from pocketcloud.store import Collection, Scope

Params = dict[str, Any]

SYMMETRIC = "SYMMETRIC_DEFAULT"
HMAC_SPECS = {"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}
RSA_SPECS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
ECC_CURVES: dict[str, Any] = {
    "ECC_NIST_P256": ec.SECP256R1,
    "ECC_NIST_P384": ec.SECP384R1,
    "ECC_NIST_P521": ec.SECP521R1,
    "ECC_SECG_P256K1": ec.SECP256K1,
}
EDWARDS25519 = "ECC_NIST_EDWARDS25519"
ML_DSA_SPECS: dict[str, Any] = {
    "ML_DSA_44": mldsa.MLDSA44PrivateKey,
    "ML_DSA_65": mldsa.MLDSA65PrivateKey,
    "ML_DSA_87": mldsa.MLDSA87PrivateKey,
}
# ML-KEM key specs (FIPS 203) for ENCAPSULATE_DECAPSULATE; ML_KEM_512 is not made here (the
# `cryptography` package has no ML-KEM-512).
ML_KEM_SPECS: dict[str, Any] = {
    "ML_KEM_768": mlkem.MLKEM768PrivateKey,
    "ML_KEM_1024": mlkem.MLKEM1024PrivateKey,
}
# What each key usage allows of each kind of key spec ("Choosing a KMS key type").
USAGES_OF_SPEC = {
    SYMMETRIC: ("ENCRYPT_DECRYPT",),
    **dict.fromkeys(HMAC_SPECS, ("GENERATE_VERIFY_MAC",)),
    **dict.fromkeys(RSA_SPECS, ("ENCRYPT_DECRYPT", "SIGN_VERIFY")),
    "ECC_NIST_P256": ("SIGN_VERIFY", "KEY_AGREEMENT"),
    "ECC_NIST_P384": ("SIGN_VERIFY", "KEY_AGREEMENT"),
    "ECC_NIST_P521": ("SIGN_VERIFY", "KEY_AGREEMENT"),
    "ECC_SECG_P256K1": ("SIGN_VERIFY",),
    EDWARDS25519: ("SIGN_VERIFY",),
    **dict.fromkeys(ML_DSA_SPECS, ("SIGN_VERIFY",)),
    **dict.fromkeys(ML_KEM_SPECS, ("ENCAPSULATE_DECAPSULATE",)),
}
EXTERNAL = "EXTERNAL"  # the Origin of a key whose material is imported (`imports.py`)
PENDING_IMPORT = "PendingImport"
# Where a key keeps its material (`new_material`): what deleting imported material removes.
MATERIAL_FIELDS = ("Versions", "Secret", "PrivateKey")
# A key ID AWS could have issued: a UUID, or a multi-Region key's "mrk-" and 32 hex digits. One that
# names no key is "Key '<arn>' does not exist"; anything else is "Invalid keyId".
_KEY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}")
_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/(.+)")
_ALIAS_ARN = re.compile(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias/.+)")


# The services with an AWS managed key (`alias/aws/<service>`), which KMS makes the first time the
# service, or DescribeKey with the alias, asks for it ("AWS managed keys").
AWS_MANAGED_SERVICES = frozenset(
    {
        "acm", "backup", "codeartifact", "codecommit", "connect", "dms", "dynamodb", "ebs", "ecr",
        "elasticfilesystem", "es", "fsx", "glue", "kafka", "kinesis", "kinesisvideo", "lambda",
        "lightsail", "mq", "rds", "redshift", "s3", "secretsmanager", "sns", "sqs", "ssm", "timestream",
        "workspaces", "xray",
    }
)  # fmt: skip


def not_found(message: str) -> ServiceError:
    return ServiceError("NotFoundException", message, status=400)


def invalid_state(message: str) -> ServiceError:
    return ServiceError("KMSInvalidStateException", message, status=400)


def now() -> datetime:
    return datetime.now(UTC)


def key_arn(scope: Scope, key_id: str) -> str:
    account, region = scope
    return f"arn:aws:kms:{region}:{account}:key/{key_id}"


def alias_arn(scope: Scope, name: str) -> str:
    account, region = scope
    return f"arn:aws:kms:{region}:{account}:{name}"


def _parse_arn(pattern: re.Pattern[str], arn: str) -> tuple[Scope, str] | None:
    found = pattern.fullmatch(arn)
    return None if found is None else ((found.group(2), found.group(1)), found.group(3))


def parse_key_arn(arn: str) -> tuple[Scope, str] | None:
    """((account, region), key id) of a key ARN; None for anything else."""
    return _parse_arn(_KEY_ARN, arn)


def default_policy(account: str) -> str:
    """The default key policy: the account may do anything with the key, which lets its IAM
    policies grant access to it ("Default key policy")."""
    return (
        '{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n'
        '    "Sid" : "Enable IAM User Permissions",\n    "Effect" : "Allow",\n'
        f'    "Principal" : {{\n      "AWS" : "arn:aws:iam::{account}:root"\n    }},\n'
        '    "Action" : "kms:*",\n    "Resource" : "*"\n  } ]\n}'
    )


def managed_policy(scope: Scope, service: str) -> str:
    """The key policy of a service's AWS managed key (`aws/s3`): every principal of the account may
    use it through that service, and the account may read it ("AWS managed keys")."""
    account, region, name = *scope, service.upper()
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Id": f"auto-{service}-2",
            "Statement": [
                {
                    "Sid": f"Allow access through {name} for all principals in the account that are authorized to use {name}",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": [
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:DescribeKey",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {
                            "kms:CallerAccount": account,
                            "kms:ViaService": f"{service}.{region}.amazonaws.com",
                        }
                    },
                },
                {
                    "Sid": "Allow direct access to key metadata to the account",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
                    "Resource": "*",
                },
            ],
        },
        indent=2,
    )


def new_material(spec: str) -> Params:
    """The secret part of a new key of `spec`, as the key document keeps it."""
    if spec == SYMMETRIC:
        return {"Versions": [_b64(os.urandom(32))]}
    if spec in HMAC_SPECS:
        return {"Secret": _b64(os.urandom(HMAC_SPECS[spec]))}
    private: Any
    if spec in RSA_SPECS:
        private = rsa.generate_private_key(public_exponent=65537, key_size=RSA_SPECS[spec])
    elif spec == EDWARDS25519:
        private = ed25519.Ed25519PrivateKey.generate()
    elif spec in ML_DSA_SPECS:
        private = ML_DSA_SPECS[spec].generate()
    elif spec in ML_KEM_SPECS:
        private = ML_KEM_SPECS[spec].generate()
    else:
        private = ec.generate_private_key(ECC_CURVES[spec]())
    return {"PrivateKey": _b64(pkcs8_der(private))}


def pkcs8_der(private: Any) -> bytes:
    """A private key as unencrypted PKCS#8 DER, the form a key document keeps it in."""
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return bytes(der)


def drop_material(doc: Params) -> None:
    """The key without its imported material: PendingImport (a key pending deletion stays so)."""
    for field in MATERIAL_FIELDS:
        doc.pop(field, None)
    doc.pop("ValidTo", None)
    doc.pop("ExpirationModel", None)
    if doc["KeyState"] != "PendingDeletion":
        doc["KeyState"] = PENDING_IMPORT


def material_expired(doc: Params) -> bool:
    """Whether the key's imported material has passed its ValidTo (KEY_MATERIAL_EXPIRES)."""
    valid_to = doc.get("ValidTo")
    return valid_to is not None and doc.get("Origin") == EXTERNAL and to_datetime(valid_to) <= now()


def private_key(doc: Params) -> Any:
    return serialization.load_der_private_key(base64.b64decode(doc["PrivateKey"]), password=None)


def public_key_der(doc: Params) -> bytes:
    return bytes(
        private_key(doc)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def new_key_id() -> str:
    return str(uuid.uuid4())


class KeyLookup:
    """Finds the key a request names, in the caller's account and Region or in the account its ARN
    names. Keys are Regional: an ARN of another Region names no key here."""

    def __init__(self, keys: Collection, aliases: Collection) -> None:
        self.keys = keys
        self.aliases = aliases

    def find(self, scope: Scope, key_id: str, *, any_region: bool = False) -> tuple[Scope, Params] | None:
        """(scope, key document) of the key `key_id` names, or None (also for an ARN of a Region other
        than `scope`'s, unless `any_region`)."""
        named = _named_scope(key_id)
        if named is not None:
            if named[0][1] != scope[1] and not any_region:
                return None
            scope, key_id = named
        if key_id.startswith("alias/"):
            target = self.aliases.get(scope, key_id)
            if target is None:
                return None
            key_id = target["TargetKeyId"]
        doc = self.keys.get(scope, key_id)
        return (scope, doc) if doc is not None else None

    def resolve(self, scope: Scope, key_id: str) -> tuple[Scope, Params]:
        """As `find`, or NotFoundException in AWS's words."""
        found = self.find(scope, key_id)
        if found is not None:
            return found
        named = _named_scope(key_id)
        if named is not None and named[0][1] != scope[1]:
            raise not_found(f"Invalid arn {named[0][1]}")  # as AWS answers for another Region's key
        if key_id.startswith("alias/") or _ALIAS_ARN.fullmatch(key_id):
            name = key_id if key_id.startswith("arn:") else alias_arn(scope, key_id)
            raise not_found(f"Alias {name} is not found.")
        arn = _KEY_ARN.fullmatch(key_id)
        if arn is None and _KEY_ID.fullmatch(key_id) is None:
            raise not_found(f"Invalid keyId '{key_id}'")
        raise not_found(f"Key '{key_id if arn else key_arn(scope, key_id)}' does not exist")


def _named_scope(key_id: str) -> tuple[Scope, str] | None:
    """((account, region), key id or alias name) of a key ARN or alias ARN; None for anything else."""
    return parse_key_arn(key_id) or _parse_arn(_ALIAS_ARN, key_id)


def usable(doc: Params) -> None:
    """Refuse a cryptographic operation with a key that is disabled, pending deletion, or has no key
    material (an EXTERNAL key PendingImport)."""
    state = doc["KeyState"]
    if state == "Enabled":
        return
    if state == "Disabled":
        raise ServiceError("DisabledException", f"{doc['Arn']} is disabled.", status=400)
    wording = {"PendingDeletion": "pending deletion", PENDING_IMPORT: "pending import"}
    raise invalid_state(f"{doc['Arn']} is {wording.get(state, state)}.")


def metadata(doc: Params) -> Params:
    """The KeyMetadata DescribeKey and CreateKey answer (never the material)."""
    out = {k: doc[k] for k in _METADATA if k in doc}
    out["Enabled"] = doc["KeyState"] == "Enabled"
    # A symmetric encryption key's answer names its current key material (CurrentKeyMaterialId).
    if doc.get("Versions"):
        out["CurrentKeyMaterialId"] = material_id(doc, len(doc["Versions"]) - 1)
    elif doc.get("ImportedMaterialId") and doc["KeySpec"] == SYMMETRIC:  # deleted or expired: still its own
        out["CurrentKeyMaterialId"] = doc["ImportedMaterialId"]
    return out


def material_id(doc: Params, version: int) -> str:
    """The KeyMaterialId of the symmetric key's material `version` (an index of "Versions"): 64 hex
    digits, as AWS's, one-way from the key id and the material, so it says nothing of the material
    and two keys never share one."""
    return material_digest(doc["KeyId"], base64.b64decode(doc["Versions"][version]))


def material_digest(key_id: str, material: bytes) -> str:
    """The KeyMaterialId of `material` under the key `key_id` (also the id kept of imported material)."""
    return hashlib.sha256(key_id.encode() + b"\0" + material).hexdigest()


_METADATA = (
    "AWSAccountId",
    "KeyId",
    "Arn",
    "CreationDate",
    "Enabled",
    "Description",
    "KeyUsage",
    "KeyState",
    "DeletionDate",
    "PendingDeletionWindowInDays",
    "ValidTo",
    "Origin",
    "ExpirationModel",
    "KeyManager",
    "CustomerMasterKeySpec",
    "KeySpec",
    "EncryptionAlgorithms",
    "SigningAlgorithms",
    "MacAlgorithms",
    "KeyAgreementAlgorithms",
    "EncapsulationAlgorithms",
    "MultiRegion",
    "MultiRegionConfiguration",
)
