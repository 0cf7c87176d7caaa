"""When each IAM user and role last tried each AWS service: what IAM's service last accessed
reports (Access Advisor) are made of.

The IAM provider's call observer hands every authenticated call to `AccessRecorder.record`,
which only updates a dict in memory: (account, entity ARN, service namespace) → the latest
attempt, and for the services whose actions AWS tracks, the latest attempt per action. A
timer on the event loop writes what changed in one transaction `FLUSH_SECONDS` later
(`services/delayed_batch.py`); the
report operations and stopping the server write it at once, so a report never misses a call
(only a kill -9 can lose the last few seconds).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.delayed_batch import DelayedBatch
from pocketcloud.store import Store

FLUSH_SECONDS = 5.0
COLLECTION = "last_accessed"
# The services whose actions IAM reports one by one (ACTION_LEVEL): their management actions only.
TRACKED_NAMESPACES = frozenset({"s3", "iam", "ec2", "lambda"})
_UNTRACKED_LAMBDA = frozenset({"InvokeFunction", "InvokeAsync", "InvokeFunctionUrl"})

Key = tuple[str, str, str]  # account, entity ARN, service namespace
# [time, region, {action: (time, region)} or None]
Entry = list[Any]


@cache
def namespace_of(service: str) -> str | None:
    """The IAM service prefix (namespace) of pocketcloud's service `service`."""
    from pocketcloud.iam.actions import action_prefix
    from pocketcloud.protocol.models import service_model

    try:
        model = service_model(service)
        return action_prefix(model.operation_model(model.operation_names[0]))
    except Exception:  # a service without a botocore model (none today) is simply not recorded
        return None


@cache
def tracked_action(service: str, operation: str) -> str | None:
    """The action AWS tracks for `operation` (its IAM action's name), or None if it tracks none."""
    from pocketcloud.iam.actions import iam_action
    from pocketcloud.protocol.models import operation_model

    try:
        action = iam_action(service, operation_model(service, operation), {})
    except Exception:
        return None
    prefix, _, name = action.partition(":")
    if prefix not in TRACKED_NAMESPACES:
        return None
    if prefix == "s3" and ("Object" in name or "Multipart" in name or name == "ListBucket"):
        return None  # object-level (data) actions: AWS tracks S3's management actions only
    if prefix == "lambda" and name in _UNTRACKED_LAMBDA:
        return None
    return name


def iso(moment: float) -> str:
    return datetime.fromtimestamp(int(moment), UTC).isoformat()


def entity_of(ctx: RequestContext) -> str | None:
    """The IAM entity a call is reported under: the user, or the role behind a role session."""
    principal = ctx.principal
    if principal.kind == "User":
        return principal.arn
    if principal.kind == "AssumedRole":
        return principal.role_arn
    return None


class AccessRecorder(DelayedBatch[Key, Entry]):
    what = "IAM last accessed records"

    def __init__(self, store: Store, delay_s: float = FLUSH_SECONDS) -> None:
        super().__init__(delay_s)
        self.store = store

    def record(self, ctx: RequestContext, operation: str) -> None:
        """Note an authenticated attempt (allowed or not) on the calling user's or role's entry."""
        entity = entity_of(ctx)
        if entity is None:
            return
        namespace = namespace_of(ctx.service)
        if namespace is None:
            return
        moment = time.time()
        key = (ctx.principal.account_id, entity, namespace)
        entry = self._pending.get(key)
        if entry is None:
            entry = self._pending[key] = [moment, ctx.region, None]
        else:
            entry[0], entry[1] = moment, ctx.region
        if namespace in TRACKED_NAMESPACES:
            action = tracked_action(ctx.service, operation)
            if action is not None:
                if entry[2] is None:
                    entry[2] = {}
                entry[2][action] = (moment, ctx.region)
        self._schedule()

    def _write(self, batch: dict[Key, Entry]) -> None:
        collection = self.store.collection("iam", COLLECTION)
        with self.store.transaction():
            for (account, entity, namespace), (moment, region, actions) in batch.items():
                where, key = (account, ""), f"{entity}\0{namespace}"
                doc = collection.get(where, key) or {"Entity": entity, "Namespace": namespace, "Actions": {}}
                doc["LastAuthenticated"], doc["Region"] = iso(moment), region
                for name, (when, where_from) in (actions or {}).items():
                    doc["Actions"][name] = {"Time": iso(when), "Region": where_from}
                collection.put(where, key, doc)

    def entries(self, account: str, entity: str) -> dict[str, dict[str, Any]]:
        """Namespace → the stored record of `entity`'s last attempts (after writing what is pending)."""
        self.flush()
        found: dict[str, dict[str, Any]] = {}
        for _, doc in self.store.collection("iam", COLLECTION).scan((account, ""), prefix=f"{entity}\0"):
            found[doc["Namespace"]] = doc
        return found
