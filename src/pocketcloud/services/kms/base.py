"""What every KMS operation leans on: the key and alias collections, finding the key a request
names (or a ciphertext was sealed with), the key policy with the key's grants and the condition
values of a call on a key (to decide a second action on a key, as ReEncrypt's kms:ReEncryptTo and
the alias operations' checks on their keys), the record of each key's last use, and KMS's errors."""

from __future__ import annotations

import base64
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.context_keys import resource_tag_values
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import operation_model
from pocketcloud.protocol.serializers.scalars import to_datetime
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.kms import conditions, crypto, grant_policy
from pocketcloud.services.kms.keys import (
    KeyLookup,
    drop_material,
    invalid_state,
    key_arn,
    material_expired,
    not_found,
    now,
    usable,
)
from pocketcloud.services.kms.usage import UsageRecorder
from pocketcloud.store import Scope

Params = dict[str, Any]


def validation(message: str) -> ServiceError:
    return ServiceError("ValidationException", message, status=400)


def check_range(value: int, member: str, low: int, high: int) -> None:
    """KMS's own bounds, narrower than the model's, in its front end's words."""
    if not low <= value <= high:
        bound = f"less than or equal to {high}" if value > high else f"greater than or equal to {low}"
        raise validation(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must have value {bound}"
        )


def key_condition_values(doc: Params | None, encryption_context: dict[str, str] | None) -> Params:
    """What a call on the key `doc` offers policy conditions: the key's tags (aws:ResourceTag/*) and
    its encryption context (kms:EncryptionContext:<key>, kms:EncryptionContextKeys)."""
    tags = {t["TagKey"]: t["TagValue"] for t in doc.get("Tags") or []} if doc is not None else {}
    values: Params = resource_tag_values(tags)
    if encryption_context and isinstance(encryption_context, dict):
        for key, value in encryption_context.items():
            values[f"kms:EncryptionContext:{key}"] = value
        values["kms:EncryptionContextKeys"] = list(encryption_context)
    return values


def unsupported(message: str) -> ServiceError:
    return ServiceError("UnsupportedOperationException", message, status=400)


def invalid_usage(message: str) -> ServiceError:
    return ServiceError("InvalidKeyUsageException", message, status=400)


class KmsBase(Provider):
    service = "kms"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        self.keys = runtime.store.collection("kms", "keys")
        self.aliases = runtime.store.collection("kms", "aliases")
        self.grants = runtime.store.collection("kms", "grants")
        self.imports = runtime.store.collection("kms", "imports")  # import tokens (`imports.py`)
        self.lookup = KeyLookup(self.keys, self.aliases)
        self.usage = UsageRecorder(runtime.store)
        self.usage.begin_tracking()

    async def start(self) -> None:
        self.usage.begin_tracking()  # again after a reset

    async def stop(self) -> None:
        self.usage.flush()

    def _scope(self, ctx: RequestContext) -> Scope:
        return (ctx.account_id, ctx.region)

    def _expired(self, scope: Scope, doc: Params) -> tuple[Scope, Params] | None:
        """A key past its deletion date is deleted now (AWS deletes it when the waiting period ends),
        and imported key material past its ValidTo is deleted now (the key is PendingImport again)."""
        deletion = doc.get("DeletionDate")
        if doc["KeyState"] == "PendingDeletion" and deletion and to_datetime(deletion) <= now():
            with self.store.transaction():
                self.keys.delete(scope, doc["KeyId"])
                self.usage.forget(scope, doc["KeyId"])
                for name, alias in self.aliases.scan(scope):
                    if alias["TargetKeyId"] == doc["KeyId"]:
                        self.aliases.delete(scope, name)
                for name, _ in self.imports.scan(scope, prefix=doc["KeyId"] + "/"):
                    self.imports.delete(scope, name)
            return None
        if material_expired(doc):
            with self.store.transaction():
                current = self.keys.get(scope, doc["KeyId"])
                if current is not None and material_expired(current):
                    drop_material(current)
                    self._put(scope, current)
                doc = current if current is not None else doc
        return scope, doc

    def _key(self, ctx: RequestContext, key_id: str) -> tuple[Scope, Params]:
        scope, doc = self.lookup.resolve(self._scope(ctx), key_id)
        found = self._expired(scope, doc)
        if found is None:
            self.lookup.resolve(self._scope(ctx), doc["KeyId"])  # NotFoundException now
        assert found is not None
        return found

    def _usable(self, ctx: RequestContext, key_id: str, usage: str) -> tuple[Scope, Params]:
        scope, doc = self._key(ctx, key_id)
        usable(doc)
        if doc["KeyUsage"] != usage:
            raise invalid_usage(
                f"{doc['Arn']} key usage is {doc['KeyUsage']} which is not valid for {ctx.operation}."
            )
        return scope, doc

    @staticmethod
    def _not_pending_deletion(doc: Params) -> None:
        """KMSInvalidStateException for a key pending deletion: what the key-state table ("Key states
        of AWS KMS keys") refuses it (CreateAlias, UpdateAlias's new target, TagResource,
        UntagResource, UpdateKeyDescription, EnableKey, DisableKey, ScheduleKeyDeletion,
        GetParametersForImport, ImportKeyMaterial), though the key is not to be used for cryptography."""
        if doc["KeyState"] == "PendingDeletion":
            raise invalid_state(f"{doc['Arn']} is pending deletion.")

    def _own_key(self, ctx: RequestContext, key_id: str) -> tuple[Scope, Params]:
        """A key the caller manages: only in its own account (management calls take no other's)."""
        scope, doc = self._key(ctx, key_id)
        if scope != self._scope(ctx):
            raise not_found(f"Key '{doc['Arn']}' does not exist")
        return scope, doc

    @staticmethod
    def _marker(marker: str | None) -> str | None:
        """The name a NextMarker this provider answered stands for; InvalidMarkerException for any
        other string (one that does not decode, or decodes to nothing: it is never a marker of ours)."""
        if marker is None:
            return None
        try:
            decoded = base64.b64decode(marker.encode(), altchars=b"-_", validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            decoded = ""
        if not decoded or KmsBase._next_marker(decoded) != marker:
            raise ServiceError("InvalidMarkerException", "Invalid marker", status=400)
        return decoded

    def _page(self, p: Params, member: str, entries: list[tuple[str, Params]], default_limit: int) -> Params:
        """One page of a List* answer: of `entries` ((name, item)) in name order, those after the
        Marker's name, at most Limit of them (the operation's documented default without one: "KMS
        does not return more than the specified number of items"), with Truncated and, while more
        follow, the NextMarker naming the last one."""
        limit = p.get("Limit") or default_limit
        after = self._marker(p.get("Marker"))
        rest = sorted((e for e in entries if after is None or e[0] > after), key=lambda e: e[0])
        out: Params = {member: [item for _, item in rest[:limit]], "Truncated": len(rest) > limit}
        if len(rest) > limit:
            out["NextMarker"] = self._next_marker(rest[limit - 1][0])
        return out

    @staticmethod
    def _next_marker(name: str) -> str:
        """The NextMarker for a page whose last entry is `name` (`_marker` reads it back)."""
        return base64.urlsafe_b64encode(name.encode()).decode()

    def _put(self, scope: Scope, doc: Params) -> None:
        self.keys.put(scope, doc["KeyId"], doc)

    def _sealing_key(self, ctx: RequestContext, blob: bytes) -> tuple[Scope, Params] | None:
        """The key a symmetric ciphertext blob names (InvalidCiphertextException if it names none):
        one of any account in the caller's Region, or, for a blob written before blobs named their
        key's account and Region, the caller's own; None if there is no such key."""
        scope, key_id = crypto.sealed_with(blob)
        scope = scope or self._scope(ctx)
        if scope[1] != ctx.region:  # keys are Regional: another Region's key is not there,
            if not key_id.startswith("mrk-"):
                return None
            scope = (scope[0], ctx.region)  # but a related multi-Region key, of the same id, opens it
        return self._find(ctx, key_arn(scope, key_id))

    def _source_key(self, ctx: RequestContext, key_id: Any, blob: Any) -> tuple[Scope, Params] | None:
        """The key a Decrypt or ReEncrypt opens its ciphertext with: the one `key_id` names, or else
        the one the ciphertext `blob` names; None if there is none (InvalidCiphertextException is the
        call's own to answer)."""
        if not key_id:
            if not isinstance(blob, bytes):
                return None
            try:
                return self._sealing_key(ctx, blob)
            except ServiceError:
                return None
        if not isinstance(key_id, str):
            return None
        return self._find(ctx, key_id)

    def _find(self, ctx: RequestContext, key_id: str) -> tuple[Scope, Params] | None:
        """The key `key_id` names for the caller (`KeyLookup.find`), as `_expired` leaves it; None if
        there is none."""
        found = self.lookup.find(self._scope(ctx), key_id)
        return found if found is None else self._expired(*found)

    # -- a key's policy, for a second check on a key -------------------------------------------

    def key_grants(self, scope: Scope, key_id: str) -> list[Params]:
        return [doc for _, doc in self.grants.scan(scope, prefix=key_id + "/")]

    def key_policy(self, scope: Scope, doc: Params) -> str:
        """The key policy with the key's grants as statements of it (`grant_policy.key_policy`)."""
        return grant_policy.key_policy(doc["Policy"], self.key_grants(scope, doc["KeyId"]))

    def key_values(self, scope: Scope, doc: Params, encryption_context: dict[str, str] | None) -> Params:
        """`key_condition_values` and the key's own condition keys (kms:KeySpec, kms:KeyUsage,
        kms:KeyOrigin, kms:MultiRegion, kms:ResourceAliases): what any call on the key offers."""
        aliases = [name for name, alias in self.aliases.scan(scope) if alias.get("TargetKeyId") == doc["KeyId"]]
        return {**key_condition_values(doc, encryption_context), **conditions.resource_values(doc, aliases)}

    def authorize_on_key(
        self,
        ctx: RequestContext,
        action: str,
        scope: Scope,
        doc: Params,
        encryption_context: dict[str, str] | None = None,
        request: Params | None = None,
    ) -> None:
        """AccessDeniedException unless the caller may also perform `action` on the key `doc`, decided
        with its key policy (and grants) as the call's own action is: a check AWS makes beside the
        call's (ReEncrypt's kms:ReEncryptTo on the destination key, kms:UpdateAlias on both keys).
        `request`: the request keys of that action (ReEncryptTo's kms:EncryptionAlgorithm, ...)."""
        operation = action.removeprefix("kms:")
        model = operation_model("kms", operation if operation != "ReEncryptTo" else "ReEncrypt")
        values = self.key_values(scope, doc, encryption_context)
        values.update(request or {})
        values["kms:CallerAccount"] = ctx.account_id
        self.runtime.authorizer.authorize_action(
            ctx, model, action, doc["Arn"], values, self.key_policy(scope, doc), scope[0]
        )
