"""When each IAM user's access key was last used: what GetAccessKeyLastUsed and the credential
report show (the date, the service namespace and the Region of the latest signed call).

The IAM provider's call observer hands every call authenticated with a user's long-term key
(AKIA...) to `KeyUseRecorder.record`, which only notes it in memory; a timer on the event loop
writes the latest use of each key onto its access-key record a moment later, in one transaction
(`services/delayed_batch.py`). GetAccessKeyLastUsed, the credential report and stopping the
server write what is pending at once; only a kill -9 can lose the last second or so, as AWS's own
tracking lags behind the calls it records.
"""

from __future__ import annotations

import time

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.delayed_batch import DelayedBatch
from pocketcloud.services.iam.access_recorder import iso, namespace_of
from pocketcloud.store import Store

FLUSH_SECONDS = 1.0
GLOBAL = ("", "")

# access key id -> (time, service namespace, region)
Use = tuple[float, str, str]


class KeyUseRecorder(DelayedBatch[str, Use]):
    what = "access key last-used records"

    def __init__(self, store: Store, delay_s: float = FLUSH_SECONDS) -> None:
        super().__init__(delay_s)
        self.store = store

    def record(self, ctx: RequestContext) -> None:
        """Note a call signed with an IAM user's access key (allowed or not: the key was used)."""
        principal = ctx.principal
        key_id = principal.access_key_id
        if principal.kind != "User" or not key_id or not key_id.startswith("AKIA"):
            return
        namespace = namespace_of(ctx.service)
        if namespace is None:
            return
        self._pending[key_id] = (time.time(), namespace, ctx.region)
        self._schedule()

    def _restore(self, batch: dict[str, Use]) -> None:
        for key_id, use in batch.items():
            if key_id not in self._pending or self._pending[key_id][0] < use[0]:
                self._pending[key_id] = use

    def _write(self, batch: dict[str, Use]) -> None:
        index = self.store.collection("iam", "access_key_index")
        keys = self.store.collection("iam", "access_keys")
        with self.store.transaction():
            for key_id, (moment, namespace, region) in batch.items():
                entry = index.get(GLOBAL, key_id)
                if entry is None:  # deleted since: nothing to record it on
                    continue
                where, name = (entry["Account"], ""), f"{entry['UserName']}\0{key_id}"
                doc = keys.get(where, name)
                if doc is None:
                    continue
                doc["LastUsed"] = {"LastUsedDate": iso(moment), "ServiceName": namespace, "Region": region}
                keys.put(where, name, doc)
