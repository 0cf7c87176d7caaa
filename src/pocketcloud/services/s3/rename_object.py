"""RenameObject: an object of a directory bucket takes a new key, atomically and without moving its
data, keeping all its metadata (storage class, encryption, dates, checksums) (S3 API reference,
RenameObject; User Guide, "Renaming objects in directory buckets").

The source's and the destination's conditions (x-amz-rename-source-if-*, If-*) are checked in the
same transaction as the move; an object the destination key held is replaced.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import unquote

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.s3.errors import invalid_request, no_such_bucket, no_such_key, precondition_failed
from pocketcloud.services.s3.objects import etag_matches, etag_of, http_date
from pocketcloud.services.s3.state import S3State, bucket_scope

Params = dict[str, Any]


def _source_key(bucket: str, header: str) -> str:
    """The key x-amz-rename-source names: URL-encoded, as a key or as `/<bucket>/<key>`."""
    source = unquote(header)
    if source.startswith("/"):
        source = source[1:]
        if source.startswith(bucket + "/"):
            source = source[len(bucket) + 1 :]
    return source


def _modified_after(record: Params, moment: datetime) -> bool:
    return http_date(record["LastModified"]) > http_date(moment)


def _check_source(record: Params, p: Params) -> None:
    etag = etag_of(record)
    if p.get("SourceIfMatch") is not None and not etag_matches(p["SourceIfMatch"], etag):
        raise precondition_failed("x-amz-rename-source-if-match")
    if p.get("SourceIfNoneMatch") is not None and etag_matches(p["SourceIfNoneMatch"], etag):
        raise precondition_failed("x-amz-rename-source-if-none-match")
    if p.get("SourceIfModifiedSince") is not None and not _modified_after(record, p["SourceIfModifiedSince"]):
        raise precondition_failed("x-amz-rename-source-if-modified-since")
    if p.get("SourceIfUnmodifiedSince") is not None and _modified_after(record, p["SourceIfUnmodifiedSince"]):
        raise precondition_failed("x-amz-rename-source-if-unmodified-since")


def _check_destination(key: str, record: Params | None, p: Params) -> None:
    if p.get("DestinationIfNoneMatch") is not None:
        if record is not None and (
            p["DestinationIfNoneMatch"] == "*" or etag_matches(p["DestinationIfNoneMatch"], etag_of(record))
        ):
            raise precondition_failed("If-None-Match")
    if p.get("DestinationIfMatch") is not None:
        if record is None:
            raise no_such_key(key)
        if not etag_matches(p["DestinationIfMatch"], etag_of(record)):
            raise precondition_failed("If-Match")
    if record is None:
        return
    if p.get("DestinationIfModifiedSince") is not None and not _modified_after(
        record, p["DestinationIfModifiedSince"]
    ):
        raise precondition_failed("If-Modified-Since")
    if p.get("DestinationIfUnmodifiedSince") is not None and _modified_after(
        record, p["DestinationIfUnmodifiedSince"]
    ):
        raise precondition_failed("If-Unmodified-Since")


class RenameOperations:
    s3: S3State

    def RenameObject(self, ctx: RequestContext, p: Params) -> Params:
        bucket, key = p["Bucket"], p["Key"]
        self.s3.bucket(bucket)
        source = _source_key(bucket, p["RenameSource"])
        if not source or source.endswith("/") or key.endswith("/"):
            # "RenameObject will not succeed on objects that end with the slash (/) delimiter".
            raise invalid_request("RenameObject is not supported for keys that end with the delimiter '/'")
        where = bucket_scope(bucket)
        stale: list[str] = []
        with self.s3.store.transaction():
            live = self.s3.live_bucket(bucket)
            if live is None:
                raise no_such_bucket(bucket)
            record = self.s3.objects.get(where, source)
            if record is None:
                raise no_such_key(source)
            _check_source(record, p)
            _check_destination(key, self.s3.objects.get(where, key), p)
            moved = {k: v for k, v in record.items() if k not in ("VersionId", "Rank")}
            moved["Key"] = key
            for version_key, _ in self.s3.versions.scan(where, prefix=source + "\0"):
                self.s3.versions.delete(where, version_key)
            self.s3.objects.delete(where, source)
            # The destination's earlier object goes, its body with it; the source's body stays, renamed.
            stale = self._write_version(live, key, moved, None)  # type: ignore[attr-defined]
        for blob in stale:
            self.s3.store.blobs.delete(blob)
        return {}
