"""What every KMS operation leans on: the key and alias collections, finding the key a request
names, the record of each key's last use, and KMS's errors."""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.serializers.scalars import to_datetime
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.kms import grant_policy
from pocketcloud.services.kms.keys import KeyLookup, not_found, now, usable
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
        """A key past its deletion date is deleted now (AWS deletes it when the waiting period ends)."""
        deletion = doc.get("DeletionDate")
        if doc["KeyState"] == "PendingDeletion" and deletion and to_datetime(deletion) <= now():
            with self.store.transaction():
                self.keys.delete(scope, doc["KeyId"])
                self.usage.forget(scope, doc["KeyId"])
                for name, alias in self.aliases.scan(scope):
                    if alias["TargetKeyId"] == doc["KeyId"]:
                        self.aliases.delete(scope, name)
            return None
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

    def _own_key(self, ctx: RequestContext, key_id: str) -> tuple[Scope, Params]:
        """A key the caller manages: only in its own account (management calls take no other's)."""
        scope, doc = self._key(ctx, key_id)
        if scope != self._scope(ctx):
            raise not_found(f"Key '{doc['Arn']}' does not exist")
        return scope, doc

    def _put(self, scope: Scope, doc: Params) -> None:
        self.keys.put(scope, doc["KeyId"], doc)

    def key_grants(self, scope: Scope, key_id: str) -> list[Params]:
        return [doc for _, doc in self.grants.scan(scope, prefix=key_id + "/")]

    def key_policy(self, scope: Scope, doc: Params) -> str:
        """The key policy with the key's grants as statements of it (`grant_policy.key_policy`)."""
        return grant_policy.key_policy(doc["Policy"], self.key_grants(scope, doc["KeyId"]))
