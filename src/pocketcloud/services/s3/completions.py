"""Repeated CompleteMultipartUpload requests of one upload, answered as S3 answers them.

A client whose CompleteMultipartUpload timed out retries it, and S3 answers the
retry with the same 200 and result (for a while after the upload completed)
rather than NoSuchUpload; an abort of it in that while is answered 204 and
changes nothing (multipart.py). Two completions of one upload may also arrive at once;
the second must not join the parts again and record a second version, so it
waits for the first and gives its answer.

A retry is answered so only while it is one: it names the same parts, and the object that
completion made is still the key's current one. Otherwise the upload is simply gone, and S3
answers NoSuchUpload (OpenStack Swift's test/s3api, recorded against AWS:
test_create_upload_complete_delete_complete, and test_if_none_match_star_mpu for other parts).

What is kept is the result of each recent completion: in memory, bounded in
number and age (AWS documents no window; an hour covers any client's retries),
and in the store (`completed_uploads`, written in the transaction that records
the object and drops the upload), so that a retry after a restart or a kill -9,
the very case of a completion whose answer never reached the client, still gets it.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Any

from pocketcloud.store import Collection, Scope

Params = dict[str, Any]
KEEP_SECONDS = 3600.0
KEEP_MAX = 10_000
PRUNE_BATCH = 20  # stored completions looked at (and dropped if too old) per new completion


class Completions:
    def __init__(self) -> None:
        self._running: dict[tuple[str, str], asyncio.Future[Params | None]] = {}
        self._done: OrderedDict[tuple[str, str], tuple[str, float, Params]] = OrderedDict()

    async def wait_for_running(self, bucket: str, upload_id: str, key: str) -> Params | None:
        """The result of a completion of this upload now running, once it is done (None if there
        is none, or it failed: the caller then completes the upload itself, starting before it
        awaits anything, so that the next waiter finds it running)."""
        # Several callers may wait on one completion that fails; woken together, each must look
        # again, or all of them would go on to join the parts and record a version each.
        while (running := self._running.get((bucket, upload_id))) is not None:
            result = await asyncio.shield(running)
            if result is not None:
                return dict(result) if result["Key"] == key else None
        return None

    def recall(self, bucket: str, upload_id: str, key: str) -> Params | None:
        """The result of a recent completion of this upload of `key`, or None."""
        found = self._done.get((bucket, upload_id))
        if found is None or found[0] != key or time.monotonic() - found[1] > KEEP_SECONDS:
            return None
        return dict(found[2])

    def start(self, bucket: str, upload_id: str) -> asyncio.Future[Params | None]:
        future: asyncio.Future[Params | None] = asyncio.get_running_loop().create_future()
        self._running[(bucket, upload_id)] = future
        return future

    def finish(
        self, bucket: str, upload_id: str, future: asyncio.Future[Params | None], result: Params | None
    ) -> None:
        """Ends a completion started with start(): its waiters get `result` (None when it failed)."""
        if self._running.get((bucket, upload_id)) is future:
            del self._running[(bucket, upload_id)]
        future.set_result(result)
        if result is None:
            return
        self._done[(bucket, upload_id)] = (result["Key"], time.monotonic(), dict(result))
        self._done.move_to_end((bucket, upload_id))
        while len(self._done) > KEEP_MAX:
            self._done.popitem(last=False)


def store_completion(completed: Collection, where: Scope, upload_id: str, result: Params) -> None:
    """Keep a completion's answer in the store (inside the caller's transaction), and drop a few
    that are too old to be asked for again: upload ids start with their rank, so the oldest
    uploads' completions come first."""
    wall = time.time()
    stale = [
        key
        for key, doc in completed.scan(where, limit=PRUNE_BATCH)
        if wall - doc.get("At", 0) > KEEP_SECONDS
    ]
    if stale:
        completed.delete_many(where, stale)
    completed.put(where, upload_id, {"Key": result["Key"], "At": wall, "Result": result})


def stored_completion(completed: Collection, where: Scope, upload_id: str, key: str) -> Params | None:
    """The stored answer of a recent completion of this upload of `key`, or None."""
    doc = completed.get(where, upload_id)
    if doc is None or doc.get("Key") != key or time.time() - doc.get("At", 0) > KEEP_SECONDS:
        return None
    return dict(doc["Result"])
