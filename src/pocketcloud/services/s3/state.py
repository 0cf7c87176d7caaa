"""Where S3 keeps its state, and the small vocabulary every S3 module shares.

    buckets    global scope, key = bucket name              → bucket document
    objects    scope ("", bucket), key = object key          → the current version
    versions   scope ("", bucket), key = "<key>\\0<rank>"     → every version, newest first
    uploads    scope ("", bucket), key = upload id           → a multipart upload
    upload_order  scope ("", bucket), key = "<key>\\0<rank>\\0<upload id>" → what ListMultipartUploads
               shows of it, in listing order (upload_ids.order_key)
    parts      scope ("", bucket), key = "<upload id>\\0<nnnnn>" → its parts
    completed_uploads  scope ("", bucket), key = upload id   → a recent completion's answer

Bucket names are global across accounts, as in AWS. `objects` answers GET and
ListObjects with one lookup or one range scan; `versions` holds the null
version too, so versioning never needs a migration. Object bodies are blobs.

A bucket's document is read once per request: the authorizer, the operation and
its event notifications share it through the request's memo
(`gateway/memo.py`); every write to `buckets` drops it from the memo.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pocketcloud.gateway.memo import current_memo
from pocketcloud.services.s3.errors import no_such_bucket
from pocketcloud.services.s3.upload_ids import upload_order_entry
from pocketcloud.store import Collection, Document, Scope, Store
from pocketcloud.store.watched import WatchedCollection

GLOBAL: Scope = ("", "")
# Ranks (nanosecond clock readings, strictly increasing) count down in keys
# so that a key's newest version sorts first.
_RANK_BASE = 10**19
# What listings show of an object or version record: kept beside each record (keep_fields), so
# that a page of a thousand entries reads these rather than a thousand whole records.
LISTED_FIELDS = ("LastModified", "ETag", "Size", "StorageClass", "Checksums", "ChecksumType", "Owner")
LISTED_VERSION_FIELDS = (*LISTED_FIELDS, "VersionId", "IsDeleteMarker")


# What AWS allows in tag keys and values: letters, digits, spaces and `_ . : / = + - @`.
_TAG_TEXT = re.compile(r"[\w .:/=+\-@\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*")


def valid_tag_text(text: str) -> bool:
    return _TAG_TEXT.fullmatch(text) is not None


def bucket_scope(bucket: str) -> Scope:
    return ("", bucket)


def canonical_user_id(account: str) -> str:
    """S3's 64-hex canonical user id of an account (stable, derived from the account id)."""
    return hashlib.sha256(f"pocketcloud-canonical:{account}".encode()).hexdigest()


def owner(account: str) -> dict[str, str]:
    """An Owner (or Initiator, or ACL grantee) as S3 writes it: the canonical ID alone. S3 stopped
    returning DisplayName in every response from November 21, 2025 (S3 API reference, Owner:
    "End of support notice")."""
    return {"ID": canonical_user_id(account)}


# The last day a datetime holds: where a date that many days ahead (a lifecycle rule's, a restore's) stops.
LAST_DAY = datetime(9999, 12, 31, tzinfo=UTC)


def now() -> datetime:
    """S3 keeps times to the second: listings say `...:56.000Z` and agree with HEAD's Last-Modified."""
    return datetime.now(UTC).replace(microsecond=0)


def _version_check(body: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(body.encode()).digest())[:4]
        .decode()
        .replace("-", "A")
        .replace("_", "B")
    )


def new_version_id(rank: int) -> str:
    """A version id that carries its version's rank (16 hex digits), then 12 random characters and
    4 of check: a listing can resume after a version marker even once that version is deleted, and
    an id S3 never issued is told apart from one that no longer exists, as AWS does."""
    body = f"{rank:016x}" + secrets.token_urlsafe(9).replace("-", "A").replace("_", "B")
    return body + _version_check(body)


def rank_of_version_id(version_id: str) -> int | None:
    """The rank a version id of `new_version_id` carries; None for any other string."""
    head = version_id[:16]
    if (
        len(version_id) != 32
        or head.strip("0123456789abcdef")
        or _version_check(version_id[:28]) != version_id[28:]
    ):
        return None
    return int(head, 16)


class _Buckets(WatchedCollection):
    """The buckets collection, its documents kept in the request's memo once read; every write
    drops what it touches from the memo."""

    def __init__(self, inner: Collection) -> None:
        super().__init__(inner, _forget)

    def get(self, scope: Scope, key: str) -> Document | None:
        memo = current_memo()
        if memo is None:
            return self.inner.get(scope, key)
        doc: Document | None = memo.get(("s3-bucket", scope, key))
        if doc is None:
            doc = self.inner.get(scope, key)
            if doc is not None:
                memo.put(("s3-bucket", scope, key), doc)
        return doc


def _forget(scope: Scope, key: str | None) -> None:
    memo = current_memo()
    if memo is None:
        return
    if key is None:
        memo.close()  # many buckets at once (nothing does this today): stop memoizing for this request
    else:
        memo.forget(("s3-bucket", scope, key))


class S3State:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._stored_buckets = store.collection("s3", "buckets")
        self.buckets: Collection = _Buckets(self._stored_buckets)
        self.objects: Collection = store.collection("s3", "objects")
        self.versions: Collection = store.collection("s3", "versions")
        self.objects.keep_fields(LISTED_FIELDS)
        self.versions.keep_fields(LISTED_VERSION_FIELDS)
        self.uploads: Collection = store.collection("s3", "uploads")
        self.upload_order: Collection = store.collection("s3", "upload_order")
        self.parts: Collection = store.collection("s3", "parts")
        self.completed: Collection = store.collection("s3", "completed_uploads")  # completions.py
        self._last_rank = 0
        self._order_old_uploads()

    def _order_old_uploads(self) -> None:
        """Enter the uploads stored before `upload_order` existed into it, once per data directory."""
        done = self.store.collection("s3", "migrations")
        if done.get(GLOBAL, "upload_order") is not None:
            return
        with self.store.transaction():
            for name, _ in self._stored_buckets.scan(GLOBAL):
                where = bucket_scope(name)
                for _, upload in self.uploads.scan(where):
                    self.upload_order.put(where, *upload_order_entry(upload))
            done.put(GLOBAL, "upload_order", {})

    def bucket(self, name: str) -> dict[str, Any]:
        doc = self.buckets.get(GLOBAL, name)
        if doc is None:
            raise no_such_bucket(name)
        return doc

    def live_bucket(self, name: str) -> dict[str, Any] | None:
        """The bucket's document as stored now, not as the request's memo kept it (None if gone):
        for a write that awaited its body since the bucket was first read."""
        return self._stored_buckets.get(GLOBAL, name)

    def owned_buckets(
        self,
        account: str,
        limit: int,
        keep: Callable[[dict[str, Any]], bool],
        prefix: str = "",
        start_after: str | None = None,
    ) -> tuple[list[tuple[str, dict[str, Any]]], bool]:
        """One page of the account's buckets that `keep` accepts, in name order, and whether
        more follow: what ListBuckets and ListDirectoryBuckets both page through."""
        page: list[tuple[str, dict[str, Any]]] = []
        for name, doc in self.buckets.scan(GLOBAL, prefix=prefix, start_after=start_after):
            if doc["Account"] != account or not keep(doc):
                continue
            if len(page) == limit:
                return page, True
            page.append((name, doc))
        return page, False

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
