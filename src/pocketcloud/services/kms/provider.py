"""KMS: keys, aliases, key policies, and the cryptographic operations with them.

Symmetric keys (SYMMETRIC_DEFAULT: Encrypt, Decrypt, ReEncrypt, GenerateDataKey*), HMAC keys
(GenerateMac, VerifyMac) and asymmetric keys (RSA: encryption or signing; ECC, Ed25519 and ML-DSA:
signing) are real:
their material is made here and used with the `cryptography` package (`crypto.py`), and kept in
the store with the key (`keys.py`), so ciphertext made before a restart decrypts after it.

Access is decided by the request chain's authorizer with the key policy as the resource policy,
which must allow the caller, or the caller's account (which lets IAM policies grant access): as
at AWS, IAM policies alone never give access to a key whose policy does not name the account.
New keys get AWS's default key policy, which names the account.

Key states: Enabled, Disabled (EnableKey / DisableKey) and PendingDeletion (ScheduleKeyDeletion,
7 to 30 days; CancelKeyDeletion leaves the key Disabled). A key whose deletion date has passed is
deleted when next looked at. Grants (`grants.py`) join the key policy as statements naming their
grantees. The cryptographic operations are in `cryptographic.py`, what all lean on in `base.py`.
S3's AWS managed key (`alias/aws/s3`) is made when S3 first needs it (`managed_key`). DryRun and the
record of each key's last use (GetKeyLastUsage) are the same around every operation (`calls.py`,
`usage.py`). KEY_AGREEMENT keys derive raw ECDH secrets (DeriveSharedSecret); ENCAPSULATE_DECAPSULATE
keys (ML-KEM 768 and 1024) encapsulate and recover shared secrets. Keys of Origin EXTERNAL take
imported key material (`imports.py`). Not modelled: custom key stores (`custom_key_stores.py`),
ML-KEM-512.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import timedelta
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import operation_model
from pocketcloud.protocol.values import to_datetime
from pocketcloud.services.kms import conditions, custom_key_stores
from pocketcloud.services.kms.base import (
    KmsBase,
    check_range,
    invalid_usage,
    key_condition_values,
    unsupported,
    validation,
)
from pocketcloud.services.kms.calls import around_calls
from pocketcloud.services.kms.cryptographic import CryptographicOperations
from pocketcloud.services.kms.grants import GrantOperations
from pocketcloud.services.kms.imports import ImportOperations
from pocketcloud.services.kms.keys import (
    AWS_MANAGED_SERVICES,
    EDWARDS25519,
    EXTERNAL,
    HMAC_SPECS,
    MATERIAL_FIELDS,
    ML_DSA_SPECS,
    PENDING_IMPORT,
    RSA_SPECS,
    SYMMETRIC,
    USAGES_OF_SPEC,
    alias_arn,
    default_policy,
    invalid_state,
    key_arn,
    managed_policy,
    material_id,
    metadata,
    new_key_id,
    new_material,
    not_found,
    now,
    usable,
)
from pocketcloud.services.kms.multi_region import (
    MultiRegionOperations,
    new_multi_region_key_id,
    primary_configuration,
)
from pocketcloud.store import Scope

Params = dict[str, Any]
MAX_TAGS = 50
# "You can perform on-demand key rotation a maximum of 25 times per KMS key" (RotateKeyOnDemand; it
# was 10 when LocalStack recorded the refusal of the eleventh, whose wording is kept).
MAX_ON_DEMAND_ROTATIONS = 25
_ROTATION_DAYS = (90, 2560)
# Operations that name no key: authorized on "*".
_KEYLESS = {"CreateKey", "ListKeys", "ListAliases", "GenerateRandom", "ListRetirableGrants", *custom_key_stores.OPERATIONS}
# Operations on an alias: the chain authorizes the alias (IAM policies alone, as for a resource with no
# policy of its own); the provider then checks the same action on the key or keys under their policies.
_ALIAS_OPERATIONS = {"CreateAlias", "UpdateAlias", "DeleteAlias"}
# kms:GrantIsForAWSResource is true when a service makes these for its caller ("kms:GrantIsForAWSResource").
_GRANT_ACTIONS = frozenset({"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"})
# Of the global keys a calling service's context carries, those a key's authorization keeps: a service
# principal's source (S3 delivering for a bucket). The service's own resource keys (its bucket's or
# queue's aws:ResourceTag/*) are not the key's.
_CARRIED_KEYS = ("aws:SourceArn", "aws:SourceAccount")


def _algorithms(spec: str, usage: str) -> Params:
    if spec == SYMMETRIC:
        return {"EncryptionAlgorithms": [SYMMETRIC]}
    if spec in HMAC_SPECS:
        return {"MacAlgorithms": [f"HMAC_SHA_{spec[5:]}"]}
    if spec in RSA_SPECS:
        if usage == "ENCRYPT_DECRYPT":
            return {"EncryptionAlgorithms": ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]}
        return {
            "SigningAlgorithms": [
                f"RSASSA_{kind}_SHA_{bits}"
                for kind in ("PSS", "PKCS1_V1_5")
                for bits in ("256", "384", "512")
            ]
        }
    if usage == "KEY_AGREEMENT":
        return {"KeyAgreementAlgorithms": ["ECDH"]}
    if usage == "ENCAPSULATE_DECAPSULATE":
        return {"EncapsulationAlgorithms": ["ML_KEM"]}
    if spec == EDWARDS25519:
        return {"SigningAlgorithms": ["ED25519_SHA_512", "ED25519_PH_SHA_512"]}
    if spec in ML_DSA_SPECS:
        return {"SigningAlgorithms": ["ML_DSA_SHAKE_256"]}
    bits = {"ECC_NIST_P256": "256", "ECC_SECG_P256K1": "256", "ECC_NIST_P384": "384", "ECC_NIST_P521": "512"}
    return {"SigningAlgorithms": [f"ECDSA_SHA_{bits[spec]}"]}


def _seals_data_keys(doc: Params) -> None:
    """InvalidKeyUsageException, in GenerateDataKey's words, unless `doc` is a symmetric encryption key:
    a service encrypting for its caller seals a data key with the key, which no asymmetric or HMAC key
    does."""
    if doc["KeyUsage"] != "ENCRYPT_DECRYPT":
        raise invalid_usage(f"{doc['Arn']} key usage is {doc['KeyUsage']} which is not valid for GenerateDataKey.")
    if doc["KeySpec"] != SYMMETRIC:
        raise invalid_usage(f"{doc['Arn']} key usage is ENCRYPT_DECRYPT but its key spec is not SYMMETRIC_DEFAULT.")


@around_calls
class KmsProvider(
    CryptographicOperations,
    GrantOperations,
    ImportOperations,
    MultiRegionOperations,
    custom_key_stores.CustomKeyStoreOperations,
    KmsBase,
):
    service = "kms"

    # -- for the authorizer: the key policy is the resource policy ---------------------------

    def _named_key(self, ctx: RequestContext, operation: str, params: Params) -> tuple[Scope, Params] | None:
        """The key whose policy decides the call: the key it names; Decrypt's and ReEncrypt's source
        key, which the ciphertext names unless the call does (kms:ReEncryptFrom is checked on it, the
        destination's kms:ReEncryptTo by ReEncrypt itself); none for the alias operations."""
        if operation in _KEYLESS or operation in _ALIAS_OPERATIONS:
            return None
        if operation in ("Decrypt", "ReEncrypt"):
            key_id = params.get("KeyId") if operation == "Decrypt" else params.get("SourceKeyId")
            return self._source_key(ctx, key_id, params.get("CiphertextBlob"))
        key_id = params.get("KeyId") or params.get("TargetKeyId")
        if not key_id or not isinstance(key_id, str):
            return None
        return self._find(ctx, key_id)

    def authorizes_itself(self, ctx: RequestContext, operation: str, params: Params) -> bool:
        """RetireGrant is decided by the grant, not by policies ("Retiring and revoking grants"): the
        provider checks who may retire it (`GrantOperations.RetireGrant`)."""
        return operation == "RetireGrant"

    def resource_policy(
        self, ctx: RequestContext, operation: str, params: Params
    ) -> tuple[str | None, str | None]:
        """The key policy, with the key's grants as statements of it, and the key's account."""
        found = self._named_key(ctx, operation, params)
        if found is None:
            return None, None
        scope, doc = found
        return self.key_policy(scope, doc), scope[0]

    def resource_arns(self, ctx: RequestContext, operation: str, params: Params) -> list[str] | None:
        if operation in _ALIAS_OPERATIONS and isinstance(params.get("AliasName"), str):
            return [alias_arn(self._scope(ctx), params["AliasName"])]
        found = self._named_key(ctx, operation, params)
        if found is not None:
            return [found[1]["Arn"]]
        return ["*"] if operation in _KEYLESS else None

    def condition_values(self, ctx: RequestContext, operation: str, params: Params) -> Params:
        """KMS's condition keys of the call (`conditions.py`): the key's own, those of the request,
        and kms:CallerAccount; ReEncrypt's are kms:ReEncryptFrom's, with kms:ReEncryptOnSameKey."""
        found = self._named_key(ctx, operation, params)
        if operation == "ReEncrypt":
            context = params.get("SourceEncryptionContext")
        elif operation == "CreateGrant":
            context = conditions.grant_context(params)
        else:
            context = params.get("EncryptionContext")
        values = self.key_values(*found, context) if found else key_condition_values(None, context)
        values.update(conditions.request_values(operation, params))
        values["kms:CallerAccount"] = ctx.account_id
        if operation == "ReEncrypt" and found is not None and isinstance(params.get("DestinationKeyId"), str):
            destination = self.lookup.find(self._scope(ctx), params["DestinationKeyId"])
            same = destination is not None and destination[1]["Arn"] == found[1]["Arn"]
            values["kms:ReEncryptOnSameKey"] = "true" if same else "false"
        return values

    def _check_policy(self, ctx: RequestContext, policy: str, bypass: bool | None, arn: str) -> None:
        """A key policy that parses, names roles that exist, and, unless told to bypass the lockout
        safety check, lets the caller change it again (kms:PutKeyPolicy on the key `arn`), so that
        the key stays manageable."""
        try:
            parse_policy(policy, kind="key")
        except MalformedPolicy as error:
            raise ServiceError("MalformedPolicyDocumentException", str(error), status=400) from None
        self._check_principals(policy)
        if bypass or self.runtime.settings.auth_disabled:
            return
        operation = operation_model("kms", "PutKeyPolicy")
        decision, _, _ = self.runtime.authorizer.decide(
            ctx, operation, {}, policy, ctx.account_id, action="kms:PutKeyPolicy", resources=[arn]
        )
        if not decision.allowed:
            raise ServiceError(
                "MalformedPolicyDocumentException",
                "The new key policy will not allow you to update the key policy in the future.",
                status=400,
            )

    def _check_principals(self, policy: str) -> None:
        """"The principals in the key policy must exist" (CreateKey, PutKeyPolicy), as AWS words it."""
        iam = self.runtime.provider("iam")
        if iam is not None and iam.missing_principal(json.loads(policy)) is not None:  # type: ignore[attr-defined]
            raise ServiceError(
                "MalformedPolicyDocumentException",
                "Policy contains a statement with one or more invalid principals.",
                status=400,
            )

    @staticmethod
    def _check_tags(tags: list[Params]) -> None:
        """The tags a request gives, as AWS refuses them: a key named twice, more than 50, a key
        beginning with "aws:" in any case ("AWS:key1" too)."""
        if len({tag["TagKey"] for tag in tags}) < len(tags):
            raise ServiceError("TagException", "Duplicate tag keys", status=400)
        if len(tags) > MAX_TAGS:
            raise ServiceError("TagException", "Too many tags", status=400)
        for tag in tags:
            if tag["TagKey"].lower().startswith("aws:"):
                raise ServiceError("TagException", "Tags beginning with aws: are reserved", status=400)

    # -- for other services: the key a call names, and the AWS managed keys --------------------------

    def authorize_use(
        self,
        ctx: RequestContext,
        key_arn: str,
        action: str,
        service: str,
        encryption_context: dict[str, str] | None = None,
    ) -> None:
        """AccessDenied (in the calling service's words) unless the caller of `ctx` may use the key
        for `action` (kms:GenerateDataKey to write, kms:Decrypt to read) through `service`: S3 uses an
        SSE-KMS object's key as its caller, with kms:ViaService set ("Permissions for SSE-KMS").
        A service principal's context (S3 delivering a notification to an encrypted queue) uses the key
        in its own name: only a key policy naming that service lets it, under the context's
        aws:SourceArn / aws:SourceAccount; an AWS managed key's policy never does. The service's
        `encryption_context` ({"aws:s3:arn": ...}) is seen as kms:EncryptionContext:<key>. The key's
        conditions are the key's own: its tags are aws:ResourceTag/*, never the calling service's
        resource's (the bucket's or queue's tags its context carries).
        A use allowed is the key's last use, as the call KMS answers the service on AWS
        (GenerateDataKey, Decrypt) would be."""
        scope = (key_arn.split(":")[4], key_arn.split(":")[3])
        found = self.lookup.find(scope, key_arn)
        if found is None:
            return  # written before KMS was here (an older data directory): nothing to decide with
        policy, account = self.key_policy(*found), found[0][0]
        values = self.key_values(*found, encryption_context)
        values["kms:EncryptionAlgorithm"] = SYMMETRIC  # GenerateDataKey, Decrypt of a data key
        if ctx.principal.kind == "Service":
            values.update({k: ctx.condition_values[k] for k in _CARRIED_KEYS if k in ctx.condition_values})
        else:
            values["kms:ViaService"] = f"{service}.{scope[1]}.amazonaws.com"
            values["kms:CallerAccount"] = ctx.account_id
            # A forward access session: "The aws:ViaAWSService condition key value is always set to
            # true when a FAS request is made" (IAM User Guide, "Forward access sessions").
            values["aws:ViaAWSService"] = "true"
            if action in _GRANT_ACTIONS:  # a grant the service makes for its caller's resource
                values["kms:GrantIsForAWSResource"] = "true"
        operation = action.removeprefix("kms:")
        self.runtime.authorizer.authorize_action(
            ctx, operation_model("kms", operation), action, key_arn, values, policy, account
        )
        self.usage.note(found[1]["Arn"], operation, ctx.request_id)

    def key_for(self, scope: Scope, key_id: str | None, service: str, *, reading: bool = False) -> str:
        """The ARN of the key a call to `service` (S3's SSE-KMS) names, in the caller's account and
        Region `scope`; with no key id, the service's AWS managed key (`alias/aws/<service>`, made on
        first use). What KMS refuses, the service passes on as `KMS.<code>` (400): a key that does not
        exist (or is in another Region), is disabled, or is pending deletion, and for new data one that
        is not a symmetric encryption key (InvalidKeyUsageException, as the service's GenerateDataKey
        gets: "Amazon S3 only supports symmetric encryption KMS keys"). `reading`: a key for
        data already written, which is refused only if it exists and cannot be used."""
        if not key_id:
            return self.managed_key(scope, service)["Arn"]
        if key_id.startswith("alias/aws/"):  # an AWS managed key exists once a service needs it
            return self.managed_key(scope, key_id.removeprefix("alias/aws/"))["Arn"]
        try:
            found = self.lookup.find(scope, key_id, any_region=True)
            found = found if found is None else self._expired(*found)
            if found is None:
                if reading:
                    return key_id
                self.lookup.resolve(scope, key_id)
                raise not_found(f"Invalid keyId '{key_id}'")  # an expired key: gone
            if found[0][1] != scope[1]:
                raise not_found(f"Invalid arn {found[0][1]}")  # a key serves its own Region only
            usable(found[1])
            if not reading:
                _seals_data_keys(found[1])
        except ServiceError as error:
            raise ServiceError(f"KMS.{error.code}", error.message, status=400) from None
        return str(found[1]["Arn"])

    def managed_key(self, scope: Scope, service: str) -> Params:
        """The AWS managed key of `service` in the account and Region: `alias/aws/<service>`."""
        alias = f"alias/aws/{service}"
        found = self.lookup.find(scope, alias)
        if found is not None:
            return found[1]
        with self.store.transaction():
            found = self.lookup.find(scope, alias)  # made meanwhile by another thread
            if found is not None:
                return found[1]
            doc = self._new_key(
                scope,
                SYMMETRIC,
                "ENCRYPT_DECRYPT",
                f"Default key that protects my {service.upper()} objects when no other key is defined",
                managed_policy(scope, service),
                [],
                manager="AWS",
            )
            stamp = now().isoformat()
            self.aliases.put(
                scope,
                alias,
                {
                    "AliasName": alias,
                    "TargetKeyId": doc["KeyId"],
                    "CreationDate": stamp,
                    "LastUpdatedDate": stamp,
                },
            )
        return doc

    def _new_key(
        self,
        scope: Scope,
        spec: str,
        usage: str,
        description: str,
        policy: str,
        tags: list[Params],
        manager: str = "CUSTOMER",
        key_id: str | None = None,
        origin: str = "AWS_KMS",
    ) -> Params:
        """A new key; one of Origin EXTERNAL has no material and is PendingImport until it is imported."""
        key_id = key_id or new_key_id()
        doc: Params = {
            "AWSAccountId": scope[0],
            "KeyId": key_id,
            "Arn": key_arn(scope, key_id),
            "CreationDate": now().isoformat(),
            "Description": description,
            "KeyUsage": usage,
            "KeyState": "Enabled" if origin != EXTERNAL else PENDING_IMPORT,
            "Origin": origin,
            "KeyManager": manager,
            "CustomerMasterKeySpec": spec,
            "KeySpec": spec,
            **_algorithms(spec, usage),
            "MultiRegion": False,
            "Policy": policy,
            "Tags": tags,
            # AWS managed keys rotate every year; a customer's when told to.
            "Rotation": (
                {"Enabled": True, "PeriodInDays": 365, "Next": (now() + timedelta(days=365)).isoformat()}
                if manager == "AWS"
                else {"Enabled": False}
            ),
            **(new_material(spec) if origin != EXTERNAL else {}),
        }
        self._put(scope, doc)
        return doc

    # -- keys -------------------------------------------------------------------------------------

    def CreateKey(self, ctx: RequestContext, p: Params) -> Params:
        if p.get("KeySpec") and p.get("CustomerMasterKeySpec"):
            raise validation(
                "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. "
                "CustomerMasterKeySpec is deprecated."
            )
        spec = p.get("KeySpec") or p.get("CustomerMasterKeySpec") or SYMMETRIC
        if not p.get("KeyUsage") and spec != SYMMETRIC:
            raise validation(
                "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys."
            )
        usage = p.get("KeyUsage") or "ENCRYPT_DECRYPT"
        if spec not in USAGES_OF_SPEC:  # one AWS has that pocketcloud does not make: not "incompatible"
            raise unsupported(f"KeySpec {spec} is not supported")
        if usage not in USAGES_OF_SPEC[spec]:
            raise validation(f"KeyUsage {usage} is not compatible with KeySpec {spec}")
        origin = p.get("Origin") or "AWS_KMS"
        multi_region = bool(p.get("MultiRegion"))
        custom_key_stores.refuse_named_store(p)
        if origin not in ("AWS_KMS", EXTERNAL) or (multi_region and origin == EXTERNAL):
            raise unsupported(
                "Only keys of origin AWS_KMS or EXTERNAL, and multi-Region keys of origin AWS_KMS, are supported by pocketcloud"
            )
        policy = p.get("Policy") or default_policy(ctx.account_id)
        key_id = new_multi_region_key_id() if multi_region else new_key_id()
        if p.get("Policy"):  # "If you provide a key policy, it must ..."; the default one is AWS's own
            arn = key_arn(self._scope(ctx), key_id)
            self._check_policy(ctx, policy, p.get("BypassPolicyLockoutSafetyCheck"), arn)
        tags = p.get("Tags") or []
        self._check_tags(tags)
        scope = self._scope(ctx)
        doc = self._new_key(scope, spec, usage, p.get("Description") or "", policy, tags, key_id=key_id, origin=origin)
        if multi_region:
            doc.update(MultiRegion=True, MultiRegionConfiguration=primary_configuration(doc["Arn"], scope[1]))
            self._put(scope, doc)
        return {"KeyMetadata": metadata(doc)}

    def DescribeKey(self, ctx: RequestContext, p: Params) -> Params:
        """The key's metadata. An AWS managed key's alias (`alias/aws/s3`, or its alias ARN in the
        caller's account) names the key even before its service first used it: KMS makes the key then,
        as AWS services do through DescribeKey (DescribeKey reference), and the call is decided by the
        new key's policy."""
        managed = self._managed_alias(ctx, p["KeyId"])
        if managed is not None and self.lookup.find(self._scope(ctx), managed) is None:
            doc = self.managed_key(self._scope(ctx), managed.removeprefix("alias/aws/"))
            self.authorize_on_key(ctx, "kms:DescribeKey", self._scope(ctx), doc)
            return {"KeyMetadata": metadata(doc)}
        return {"KeyMetadata": metadata(self._key(ctx, p["KeyId"])[1])}

    def _managed_alias(self, ctx: RequestContext, key_id: str) -> str | None:
        """The alias name of an AWS managed key `key_id` names in the caller's account, or None."""
        prefix = alias_arn(self._scope(ctx), "alias/aws/")
        name = "alias/aws/" + key_id.removeprefix(prefix) if key_id.startswith(prefix) else key_id
        if name.startswith("alias/aws/") and name.removeprefix("alias/aws/") in AWS_MANAGED_SERVICES:
            return name
        return None

    def ListKeys(self, ctx: RequestContext, p: Params) -> Params:
        limit = p.get("Limit") or 100
        page = self.keys.scan(self._scope(ctx), start_after=self._marker(p.get("Marker")), limit=limit + 1)
        out: Params = {
            "Keys": [{"KeyId": doc["KeyId"], "KeyArn": doc["Arn"]} for _, doc in page[:limit]],
            "Truncated": len(page) > limit,
        }
        if len(page) > limit:
            out["NextMarker"] = self._next_marker(page[limit - 1][0])
        return out

    def GetKeyLastUsage(self, ctx: RequestContext, p: Params) -> Params:
        """The key's last successful cryptographic operation (`usage.py`), or {} if none since tracking
        began; a key ID or key ARN of the caller's own account (no alias)."""
        key_id = p["KeyId"]
        if key_id.startswith("alias/") or ":alias/" in key_id:
            raise not_found(f"Invalid keyId '{key_id}'")
        scope, doc = self._own_key(ctx, key_id)
        created = to_datetime(doc["CreationDate"])
        started = self.usage.tracking_start()
        tracking = created if started is None else max(created, to_datetime(started))
        used = self.usage.latest(scope, doc["KeyId"])
        last: Params = {}
        if used is not None:
            moment, operation, request_id = used
            last = {
                "Operation": operation,
                "Timestamp": moment,
                "CloudTrailEventId": request_id,
                "KmsRequestId": request_id,
            }
        return {
            "KeyId": doc["KeyId"],
            "KeyLastUsage": last,
            "TrackingStartDate": tracking,
            "KeyCreationDate": created,
        }

    def UpdateKeyDescription(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            scope, doc = self._own_key(ctx, p["KeyId"])
            self._not_pending_deletion(doc)
            doc["Description"] = p["Description"]
            self._put(scope, doc)
        return {}

    def _set_state(self, ctx: RequestContext, key_id: str, state: str) -> None:
        with self.store.transaction():
            scope, doc = self._own_key(ctx, key_id)
            self._not_pending_deletion(doc)
            if doc["KeyState"] == PENDING_IMPORT:  # no material to enable or disable
                raise invalid_state(f"{doc['Arn']} is pending import.")
            doc["KeyState"] = state
            self._put(scope, doc)

    def EnableKey(self, ctx: RequestContext, p: Params) -> Params:
        self._set_state(ctx, p["KeyId"], "Enabled")
        return {}

    def DisableKey(self, ctx: RequestContext, p: Params) -> Params:
        self._set_state(ctx, p["KeyId"], "Disabled")
        return {}

    def ScheduleKeyDeletion(self, ctx: RequestContext, p: Params) -> Params:
        days = p.get("PendingWindowInDays") or 30
        check_range(days, "pendingWindowInDays", 7, 30)
        with self.store.transaction():
            scope, doc = self._own_key(ctx, p["KeyId"])
            self._not_pending_deletion(doc)
            doc["KeyState"] = "PendingDeletion"
            doc["DeletionDate"] = (now() + timedelta(days=days)).isoformat()
            doc["PendingDeletionWindowInDays"] = days
            self._put(scope, doc)
        return {
            "KeyId": doc["Arn"],
            "DeletionDate": doc["DeletionDate"],
            "KeyState": "PendingDeletion",
            "PendingWindowInDays": days,
        }

    def CancelKeyDeletion(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            scope, doc = self._own_key(ctx, p["KeyId"])
            if doc["KeyState"] != "PendingDeletion":
                raise invalid_state(f"{doc['Arn']} is not pending deletion.")
            # A key whose imported material is gone goes back to waiting for it.
            doc["KeyState"] = "Disabled" if any(f in doc for f in MATERIAL_FIELDS) else PENDING_IMPORT
            doc.pop("DeletionDate", None)
            doc.pop("PendingDeletionWindowInDays", None)
            self._put(scope, doc)
        return {"KeyId": doc["Arn"]}

    # -- aliases ----------------------------------------------------------------------------------
    # Each alias operation needs its action on the alias (IAM policies: the request chain's check,
    # on the alias ARN) and on the key or keys it touches, under their key policies (checked here):
    # CreateAlias on its target, UpdateAlias on the current and the new target, DeleteAlias on its
    # target ("Controlling access to aliases"). Aliases of AWS managed keys (alias/aws/...) are AWS's.

    def _check_alias_name(self, name: str, verb: str = "create") -> None:
        """A name CreateAlias takes (`verb` "create"); for the others, one not reserved for AWS."""
        if verb == "create" and (not name.startswith("alias/") or name == "alias/"):
            raise validation(
                'Alias must start with the prefix "alias/". Please see '
                "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
            )
        if name.startswith("alias/aws/"):
            raise ServiceError(
                "NotAuthorizedException", f"Cannot {verb} alias with prefix 'alias/aws/'", status=400
            )
        if verb == "create" and ":" in name:  # the model's pattern allows ":", which KMS does not
            raise validation(f"{name} contains invalid characters for an alias")

    def _target(self, ctx: RequestContext, key_id: str) -> tuple[Scope, Params]:
        if key_id.startswith("alias/") or ":alias/" in key_id:
            raise validation("Aliases must refer to keys. Not aliases")
        return self._own_key(ctx, key_id)

    def _current_target(self, scope: Scope, alias: Params) -> Params | None:
        """The key an alias points to now (None for one gone, which leaves nothing to decide with)."""
        current = self.keys.get(scope, alias["TargetKeyId"])
        found = None if current is None else self._expired(scope, current)
        return None if found is None else found[1]

    def CreateAlias(self, ctx: RequestContext, p: Params) -> Params:
        name = p["AliasName"]
        self._check_alias_name(name)
        scope = self._scope(ctx)
        with self.store.transaction():
            _, target = self._target(ctx, p["TargetKeyId"])
            self.authorize_on_key(ctx, "kms:CreateAlias", scope, target)
            self._not_pending_deletion(target)
            stamp = now().isoformat()
            doc = {
                "AliasName": name,
                "TargetKeyId": target["KeyId"],
                "CreationDate": stamp,
                "LastUpdatedDate": stamp,
            }
            if not self.aliases.insert(scope, name, doc):
                raise ServiceError(
                    "AlreadyExistsException",
                    f"An alias with the name {alias_arn(scope, name)} already exists",
                    status=400,
                )
        return {}

    def UpdateAlias(self, ctx: RequestContext, p: Params) -> Params:
        name, scope = p["AliasName"], self._scope(ctx)
        self._check_alias_name(name, "update")
        with self.store.transaction():
            doc = self.aliases.get(scope, name)
            if doc is None:
                raise not_found(f"Alias {alias_arn(scope, name)} is not found.")
            _, target = self._target(ctx, p["TargetKeyId"])
            current = self._current_target(scope, doc)
            if current is not None:
                self.authorize_on_key(ctx, "kms:UpdateAlias", scope, current)
            self.authorize_on_key(ctx, "kms:UpdateAlias", scope, target)
            self._not_pending_deletion(target)  # the current target may be: the alias moves off it
            if current is not None and (current["KeyUsage"], current["KeySpec"]) != (
                target["KeyUsage"],
                target["KeySpec"],
            ):
                raise validation("Alias must refer to a key of the same key spec and key usage")
            doc.update(TargetKeyId=target["KeyId"], LastUpdatedDate=now().isoformat())
            self.aliases.put(scope, name, doc)
        return {}

    def DeleteAlias(self, ctx: RequestContext, p: Params) -> Params:
        name, scope = p["AliasName"], self._scope(ctx)
        self._check_alias_name(name, "delete")
        with self.store.transaction():
            doc = self.aliases.get(scope, name)
            if doc is None:
                raise not_found(f"Alias {alias_arn(scope, name)} is not found.")
            current = self._current_target(scope, doc)
            if current is not None:
                self.authorize_on_key(ctx, "kms:DeleteAlias", scope, current)
            self.aliases.delete(scope, name)
        return {}

    def ListAliases(self, ctx: RequestContext, p: Params) -> Params:
        scope = self._scope(ctx)
        target = self._key(ctx, p["KeyId"])[1]["KeyId"] if p.get("KeyId") else None
        entries = [
            (
                name,
                {
                    "AliasName": name,
                    "AliasArn": alias_arn(scope, name),
                    "TargetKeyId": doc["TargetKeyId"],
                    "CreationDate": doc["CreationDate"],
                    "LastUpdatedDate": doc["LastUpdatedDate"],
                },
            )
            for name, doc in self.aliases.scan(scope)
            if target is None or doc["TargetKeyId"] == target
        ]
        if target is None:
            # "The response might include several aliases that do not have a TargetKeyId field. These are
            # predefined aliases that Amazon Web Services has created but has not yet associated with a KMS
            # key" (ListAliases): an AWS managed key is made the first time something asks for it.
            made = {name for name, _ in entries}
            entries += [
                (name, {"AliasName": name, "AliasArn": alias_arn(scope, name)})
                for name in (f"alias/aws/{service}" for service in AWS_MANAGED_SERVICES)
                if name not in made
            ]
        return self._page(p, "Aliases", entries, 50)

    # -- key policies and tags ------------------------------------------------------------------------

    def GetKeyPolicy(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._own_key(ctx, p["KeyId"])[1]
        if (p.get("PolicyName") or "default") != "default":
            raise not_found("No such policy exists")
        return {"Policy": doc["Policy"], "PolicyName": "default"}

    def PutKeyPolicy(self, ctx: RequestContext, p: Params) -> Params:
        if (p.get("PolicyName") or "default") != "default":
            raise validation("PolicyName must be default")
        with self.store.transaction():
            scope, doc = self._own_key(ctx, p["KeyId"])
            self._check_policy(ctx, p["Policy"], p.get("BypassPolicyLockoutSafetyCheck"), doc["Arn"])
            doc["Policy"] = p["Policy"]
            self._put(scope, doc)
        return {}

    def ListKeyPolicies(self, ctx: RequestContext, p: Params) -> Params:
        self._own_key(ctx, p["KeyId"])
        return {"PolicyNames": ["default"], "Truncated": False}

    def TagResource(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            scope, doc = self._own_key(ctx, p["KeyId"])
            self._not_pending_deletion(doc)
            self._check_tags(p["Tags"])
            tags = {t["TagKey"]: t["TagValue"] for t in doc.get("Tags") or []}
            tags.update({t["TagKey"]: t["TagValue"] for t in p["Tags"]})
            doc["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
            self._check_tags(doc["Tags"])
            self._put(scope, doc)
        return {}

    def UntagResource(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            scope, doc = self._own_key(ctx, p["KeyId"])
            self._not_pending_deletion(doc)
            doc["Tags"] = [t for t in doc.get("Tags") or [] if t["TagKey"] not in set(p["TagKeys"])]
            self._put(scope, doc)
        return {}

    def ListResourceTags(self, ctx: RequestContext, p: Params) -> Params:
        tags = self._own_key(ctx, p["KeyId"])[1].get("Tags") or []
        return self._page(p, "Tags", [(t["TagKey"], t) for t in tags], 50)

    # -- rotation -----------------------------------------------------------------------------------

    def _rotatable(self, ctx: RequestContext, key_id: str, changing: bool = True) -> tuple[Scope, Params]:
        """A key that rotates: a symmetric encryption key in a usable state, of origin AWS_KMS (KMS
        rotates no imported material it was not given); to change its rotation (`changing`), not a
        multi-Region replica, whose rotation is its primary's."""
        scope, doc = self._own_key(ctx, key_id)
        if changing and (doc.get("MultiRegionConfiguration") or {}).get("MultiRegionKeyType") == "REPLICA":
            raise unsupported(
                f"{doc['Arn']} is a multi-Region replica key: set the rotation of related multi-Region keys on their primary key."
            )
        if doc["KeySpec"] != SYMMETRIC:
            raise unsupported(f"{doc['Arn']} key usage or key spec does not support automatic key rotation.")
        if doc["KeyState"] != "Enabled":
            usable(doc)
        if doc.get("Origin") == EXTERNAL:
            raise unsupported(f"{doc['Arn']} origin is EXTERNAL which is not valid for this operation.")
        return scope, doc

    def EnableKeyRotation(self, ctx: RequestContext, p: Params) -> Params:
        days = p.get("RotationPeriodInDays") or 365
        check_range(days, "rotationPeriodInDays", *_ROTATION_DAYS)
        with self.store.transaction():
            scope, doc = self._rotatable(ctx, p["KeyId"])
            doc["Rotation"] = {
                "Enabled": True,
                "PeriodInDays": days,
                "Next": (now() + timedelta(days=days)).isoformat(),
            }
            self._put_rotation(scope, doc)
        return {}

    def DisableKeyRotation(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            scope, doc = self._rotatable(ctx, p["KeyId"])
            doc["Rotation"] = {"Enabled": False}
            self._put_rotation(scope, doc)
        return {}

    def GetKeyRotationStatus(self, ctx: RequestContext, p: Params) -> Params:
        scope, doc = self._own_key(ctx, p["KeyId"])
        # A key that cannot rotate answers false rather than an error ("The key rotation status of these
        # KMS keys is always false", the API reference before 2024; the Terraform AWS provider reads it for
        # every asymmetric and HMAC key), and so does one pending deletion, whose status comes back with
        # CancelKeyDeletion (the stored setting is untouched).
        rotation = doc.get("Rotation") or {}
        enabled = bool(rotation.get("Enabled")) and doc["KeySpec"] == SYMMETRIC and doc["KeyState"] != "PendingDeletion"
        out: Params = {"KeyRotationEnabled": enabled, "KeyId": doc["Arn"]}
        if enabled:
            out["RotationPeriodInDays"] = rotation["PeriodInDays"]
            out["NextRotationDate"] = rotation["Next"]
        return out

    def RotateKeyOnDemand(self, ctx: RequestContext, p: Params) -> Params:
        with self.store.transaction():
            scope, doc = self._rotatable(ctx, p["KeyId"])
            on_demand = [r for r in doc.get("Rotations") or [] if r.get("RotationType") == "ON_DEMAND"]
            if len(on_demand) >= MAX_ON_DEMAND_ROTATIONS:
                raise ServiceError(
                    "LimitExceededException",
                    "The on-demand rotations limit has been reached for the given keyId. "
                    f"No more on-demand rotations can be performed for this key: {doc['Arn']}",
                    status=400,
                )
            doc["Versions"].append(base64.b64encode(os.urandom(32)).decode())
            doc.setdefault("Rotations", []).append(
                {"RotationDate": now().isoformat(), "RotationType": "ON_DEMAND"}
            )
            self._put_rotation(scope, doc)
        return {"KeyId": doc["Arn"]}

    def ListKeyRotations(self, ctx: RequestContext, p: Params) -> Params:
        """The key materials rotations made (rotation i made material i + 1), each with its KeyMaterialId
        and whether it is CURRENT; with IncludeKeyMaterial ALL_KEY_MATERIAL the first material too."""
        scope, doc = self._own_key(ctx, p["KeyId"])
        if doc.get("Origin") == EXTERNAL and doc["KeySpec"] == SYMMETRIC:
            return self._page(p, "Rotations", self._imported_materials(doc, p), 100)
        doc = self._rotatable(ctx, p["KeyId"], changing=False)[1]
        last = len(doc["Versions"]) - 1

        def material(version: int) -> Params:
            state = "CURRENT" if version == last else "NON_CURRENT"
            return {"KeyId": doc["KeyId"], "KeyMaterialId": material_id(doc, version), "KeyMaterialState": state}

        entries = [(f"{i + 1:08d}", {**material(i + 1), **r}) for i, r in enumerate(doc.get("Rotations") or [])]
        if p.get("IncludeKeyMaterial") == "ALL_KEY_MATERIAL":
            entries.insert(0, (f"{0:08d}", material(0)))
        return self._page(p, "Rotations", entries, 100)

    @staticmethod
    def _imported_materials(doc: Params, p: Params) -> list[tuple[str, Params]]:
        """ListKeyRotations of a symmetric key with imported material: no rotations; with
        ALL_KEY_MATERIAL, the material imported into it (IMPORTED, or PENDING_IMPORT once deleted)."""
        if p.get("IncludeKeyMaterial") != "ALL_KEY_MATERIAL" or not doc.get("ImportedMaterialId"):
            return []
        entry: Params = {
            "KeyId": doc["KeyId"],
            "KeyMaterialId": doc["ImportedMaterialId"],
            "ImportState": "IMPORTED" if doc.get("Versions") else "PENDING_IMPORT",
            "KeyMaterialState": "CURRENT",
        }
        entry.update({k: doc[k] for k in ("ExpirationModel", "ValidTo") if k in doc})
        return [(f"{0:08d}", entry)]
