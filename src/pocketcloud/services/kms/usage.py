"""The last successful cryptographic operation made with each KMS key: what GetKeyLastUsage answers.

Every successful call of an operation that GetKeyLastUsage reports (the `Operation` values of the
model's KeyLastUsageData: Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, Sign, Verify, GenerateMac,
VerifyMac, ...) is noted for the key it used (ReEncrypt: both its keys), and so is every use
another service makes of a key through `KmsProvider.authorize_use` (S3's SSE-KMS, SQS, Lambda,
CloudWatch Logs: GenerateDataKey to write, Decrypt to read, as they call KMS on AWS). The note is
a dict update in memory (`UsageRecorder.note`); a timer on the event loop writes the latest use of
each key to `kms/usage` (one small document per key, under its key id) a few seconds later, in one
transaction for everything noted meanwhile (`services/delayed_batch.py`), so Encrypt costs no store
write. GetKeyLastUsage reads what is noted before what is stored, and stopping the server writes
what is pending, so only a kill -9 loses the last seconds; a key's record goes with the key.

The request id of the call is both its KmsRequestId and, as pocketcloud keeps no CloudTrail trail of
its own, its CloudTrailEventId. Recording began, for a data directory, when it was first used by a
pocketcloud that records (`kms/tracking`): a key created before that date is tracked from then on
(TrackingStartDate), any other from its creation.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime
from functools import cache

from pocketcloud.protocol.models import service_model
from pocketcloud.services.delayed_batch import DelayedBatch
from pocketcloud.services.kms.keys import parse_key_arn
from pocketcloud.store import Scope, Store

FLUSH_SECONDS = 5.0
GLOBAL: Scope = ("", "")
TRACKING_START = "tracking-start"

# (account, region, key id) -> (time, operation, request id)
Key = tuple[str, str, str]
Use = tuple[float, str, str]


@cache
def tracked_operations() -> frozenset[str]:
    """The operations GetKeyLastUsage reports, from the model's KeyLastUsageData.Operation."""
    shape = service_model("kms").shape_for("KeyLastUsageData").members["Operation"]
    return frozenset(shape.enum)


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat()


class UsageRecorder(DelayedBatch[Key, Use]):
    what = "KMS key last-usage records"

    def __init__(self, store: Store, delay_s: float = FLUSH_SECONDS) -> None:
        super().__init__(delay_s)
        self.store = store
        self.usage = store.collection("kms", "usage")
        self.keys = store.collection("kms", "keys")
        self.tracking = store.collection("kms", "tracking")
        # Services may use keys from worker threads: the notes are shared with the loop's timer.
        self._lock = threading.Lock()
        self._writing: dict[Key, Use] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- noting -----------------------------------------------------------------------------------

    def note(self, key_arn: str, operation: str, request_id: str) -> None:
        """Note a successful `operation` with the key of ARN `key_arn`, made by request `request_id`."""
        found = parse_key_arn(key_arn)
        if found is None or operation not in tracked_operations():
            return
        (account, region), key_id = found
        with self._lock:
            self._pending[(account, region, key_id)] = (time.time(), operation, request_id)
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:  # a worker thread: have the loop's timer write it, if there is a loop
            loop = self._loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self._schedule)
            else:
                self.flush()
            return
        self._schedule()

    def latest(self, scope: Scope, key_id: str) -> Use | None:
        """The latest use of a key: noted (and not yet written) or stored."""
        key = (*scope, key_id)
        with self._lock:
            noted = self._pending.get(key) or self._writing.get(key)
        if noted is not None:
            return noted
        doc = self.usage.get(scope, key_id)
        if doc is None:
            return None
        return datetime.fromisoformat(doc["Timestamp"]).timestamp(), doc["Operation"], doc["RequestId"]

    def forget(self, scope: Scope, key_id: str) -> None:
        """A deleted key's record (in the caller's transaction) and anything noted of it."""
        with self._lock:
            self._pending.pop((*scope, key_id), None)
        self.usage.delete(scope, key_id)

    # -- writing ----------------------------------------------------------------------------------

    def flush(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            batch, self._pending = self._pending, {}
            self._writing = batch
        if not batch:
            return
        try:
            self._write(batch)
        except Exception:
            with self._lock:
                self._restore(batch)
            raise
        finally:
            with self._lock:
                self._writing = {}

    def _restore(self, batch: dict[Key, Use]) -> None:
        for key, use in batch.items():
            if key not in self._pending or self._pending[key][0] < use[0]:
                self._pending[key] = use

    def _write(self, batch: dict[Key, Use]) -> None:
        with self.store.transaction():
            for (account, region, key_id), (moment, operation, request_id) in batch.items():
                scope = (account, region)
                if self.keys.get(scope, key_id) is None:  # deleted since: nothing to record it on
                    continue
                self.usage.put(
                    scope, key_id, {"Operation": operation, "Timestamp": iso(moment), "RequestId": request_id}
                )

    # -- since when -------------------------------------------------------------------------------

    def begin_tracking(self) -> None:
        """Note when recording began for this data directory, unless it already had."""
        self.tracking.insert(GLOBAL, TRACKING_START, {"Date": datetime.now(UTC).isoformat()})

    def tracking_start(self) -> str | None:
        doc = self.tracking.get(GLOBAL, TRACKING_START)
        return None if doc is None else str(doc["Date"])
