"""Where S3 keeps its state, and the small vocabulary every S3 module shares.

    buckets    global scope, key = bucket name              → bucket document
    objects    scope ("", bucket), key = object key          → the current version
    versions   scope ("", bucket), key = "<key>\\0<rank>"     → every version, newest first
    uploads    scope ("", bucket), key = upload id           → a multipart upload
    parts      scope ("", bucket), key = "<upload id>\\0<nnnnn>" → its parts

Bucket names are global across accounts, as in AWS. `objects` answers GET and
ListObjects with one lookup or one range scan; `versions` holds the null
version too, so versioning never needs a migration. Object bodies are blobs.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from pocketcloud.services.s3.errors import no_such_bucket
from pocketcloud.store import Collection, Scope, Store

GLOBAL: Scope = ("", "")
# Ranks (nanosecond clock readings, strictly increasing) count down in keys
# so that a key's newest version sorts first.
_RANK_BASE = 10**19


def bucket_scope(bucket: str) -> Scope:
    return ("", bucket)


def canonical_user_id(account: str) -> str:
    """S3's 64-hex canonical user id of an account (stable, derived from the account id)."""
    return hashlib.sha256(f"pocketcloud-canonical:{account}".encode()).hexdigest()


def owner(account: str) -> dict[str, str]:
    return {"ID": canonical_user_id(account), "DisplayName": f"account-{account}"}


def now() -> datetime:
    """S3 keeps times to the second: listings say `...:56.000Z` and agree with HEAD's Last-Modified."""
    return datetime.now(UTC).replace(microsecond=0)


def new_version_id() -> str:
    return secrets.token_urlsafe(24).replace("-", "A").replace("_", "B")


class S3State:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.buckets: Collection = store.collection("s3", "buckets")
        self.objects: Collection = store.collection("s3", "objects")
        self.versions: Collection = store.collection("s3", "versions")
        self.uploads: Collection = store.collection("s3", "uploads")
        self.parts: Collection = store.collection("s3", "parts")
        self._last_rank = 0

    def bucket(self, name: str) -> dict[str, Any]:
        doc = self.buckets.get(GLOBAL, name)
        if doc is None:
            raise no_such_bucket(name)
        return doc

    def save_bucket(self, doc: dict[str, Any]) -> None:
        self.buckets.put(GLOBAL, doc["Name"], doc)

    def version_key(self, key: str, rank: int) -> str:
        return f"{key}\0{_RANK_BASE - rank:019d}"

    def next_rank(self) -> int:
        self._last_rank = max(self._last_rank + 1, time.time_ns())
        return self._last_rank

    def key_versions(self, bucket: str, key: str) -> list[tuple[str, dict[str, Any]]]:
        """All versions of one key, newest first."""
        return self.versions.scan(bucket_scope(bucket), prefix=key + "\0")
