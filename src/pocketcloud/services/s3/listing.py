"""ListObjects, ListObjectsV2 and ListObjectVersions.

A page is one or a few range scans of the store starting at the marker: when
a delimiter folds keys into a common prefix, the scan jumps past everything
under that prefix instead of reading it, so a page costs the same in a bucket
of a thousand keys or of a million. The scans read only the fields a listing
shows (`Collection.scan_fields`), not whole object records, and hand
LastModified on as stored: the serializer's listing writers turn the stored
ISO-8601 form into the wire form without parsing it.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.serializers.s3_listing import DeleteMarkerEntry
from pocketcloud.services.s3.errors import invalid_argument
from pocketcloud.services.s3.state import (
    LISTED_FIELDS,
    LISTED_VERSION_FIELDS,
    S3State,
    bucket_scope,
    owner,
    rank_of_version_id,
)

Params = dict[str, Any]
# Sorts after every continuation of a prefix (keys are UTF-8; U+10FFFF is the largest code point).
_AFTER_ALL = "\U0010ffff" * 4
_SCAN_BATCH = 1000


def _encode(value: str | None, encoding: str | None) -> str | None:
    if value is None or encoding != "url":
        return value
    return quote(value, safe="/")


def _owner_of(account: str | None, owners: dict[str, Params]) -> Params:
    """S3's Owner of an account's objects, computed once per page (it hashes the account id)."""
    account = account or ""
    found = owners.get(account)
    if found is None:
        found = owners[account] = owner(account)
    return found


def _check_encoding(p: Params) -> str | None:
    encoding = p.get("EncodingType")
    if encoding is not None and encoding != "url":
        raise invalid_argument("Invalid Encoding Method specified in Request", "encoding-type", encoding)
    return encoding


def page_size(value: int | None, argument: str) -> int:
    """A page's size from max-keys / max-parts / max-uploads: 1000 at most, and no negative numbers
    (InvalidArgument, naming the argument as S3 does: maxKeys, max-parts, max-uploads)."""
    if value is None:
        return 1000
    if value < 0:
        raise invalid_argument(
            f"Argument {argument} must be an integer between 0 and 2147483647", argument, str(value)
        )
    return min(value, 1000)


def part_number_marker(value: int | None) -> int:
    """ListParts' part-number-marker: 0 when absent; a negative one is refused as S3 words it
    (InvalidArgument, as max-parts is)."""
    if value is None:
        return 0
    if value < 0:
        raise invalid_argument(
            "Argument part-number-marker must be an integer between 0 and 2147483647",
            "part-number-marker",
            str(value),
        )
    return value


# Storage classes whose objects must be restored before they are read (RestoreObject).
_ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})


def _restore_status(record: Params | None) -> Params | None:
    """A listing's RestoreStatus of an archived object: only once a restore was asked for (here a
    restore completes at once, so it is never in progress)."""
    expiry = (record or {}).get("RestoreExpiry")
    return None if not expiry else {"IsRestoreInProgress": False, "RestoreExpiryDate": expiry}


def _upload_prefixes(
    s3: S3State, bucket: str, prefix: str, delimiter: str, after: str | None, limit: int
) -> list[str]:
    """Up to `limit` common prefixes, after `after`, of the keys of in-progress multipart uploads: a
    range scan of upload_order that jumps past each prefix it finds, as ListMultipartUploads' does."""
    where = bucket_scope(bucket)
    found: list[str] = []
    cursor = after if after is not None and after >= prefix else None
    while len(found) < limit:
        batch = s3.upload_order.scan(where, prefix=prefix, start_after=cursor, limit=_SCAN_BATCH)
        for place, upload in batch:
            cursor = place
            cut = upload["Key"].find(delimiter, len(prefix))
            if cut >= 0:
                common = upload["Key"][: cut + len(delimiter)]
                if after is None or common > after:
                    found.append(common)
                cursor = common + _AFTER_ALL
                break
        else:
            if len(batch) < _SCAN_BATCH:
                break
    return found


def _merged(
    walked: tuple[list[tuple[str, Sequence[Any]]], list[str], bool, str | None], extra: list[str], limit: int
) -> tuple[list[tuple[str, Sequence[Any]]], list[str], bool, str | None]:
    """A page of `_walk` with `extra` common prefixes merged in, in order, still at most `limit` entries."""
    objects, prefixes, truncated, last = walked
    known = set(prefixes)
    extra = [common for common in extra if common not in known]
    if not extra:
        return walked
    entries = sorted(
        [(key, fields) for key, fields in objects] + [(c, None) for c in prefixes + extra], key=lambda e: e[0]
    )
    if len(entries) > limit:
        truncated, entries = True, entries[:limit]
    return (
        [(name, fields) for name, fields in entries if fields is not None],
        [name for name, fields in entries if fields is None],
        truncated,
        entries[-1][0],
    )


def _check_version_id_marker(key_marker: str | None, version_marker: str | None) -> None:
    """A version-id-marker needs a key-marker, and an empty one counts: with `key-marker=` sent, a marker
    that is no version id S3 issues is "Invalid version id specified" (OpenStack Swift's test_versioning.py
    test_get_versioned_object_invalid_params, recorded against AWS); without any key-marker, the marker
    is refused for that alone."""
    if not version_marker:
        return
    if key_marker is None:
        # ArgumentValue "null", whatever marker was sent: S3's full answer in versity/versitygw#2174.
        raise invalid_argument("A version-id marker cannot be specified without a key marker.", "version-id-marker", "null")
    if version_marker != "null" and rank_of_version_id(version_marker) is None:
        raise invalid_argument("Invalid version id specified", "version-id-marker", version_marker)


class ListingOperations:
    s3: S3State

    def lists_upload_prefixes(self, bucket: str) -> bool:
        """Whether ListObjectsV2 with a delimiter names the prefixes of in-progress multipart uploads
        too: a directory bucket's does (DirectoryBucketOperations), a general purpose bucket's not."""
        return False

    def _walk(
        self, bucket: str, prefix: str, delimiter: str | None, after: str | None, limit: int
    ) -> tuple[list[tuple[str, Sequence[Any]]], list[str], bool, str | None]:
        """Up to `limit` entries (objects and common prefixes) after `after`.

        Returns (objects, common prefixes, truncated, the last key or prefix returned).
        """
        where = bucket_scope(bucket)
        objects: list[tuple[str, Sequence[Any]]] = []
        prefixes: list[str] = []
        last: str | None = None
        cursor = after if after is not None and after >= prefix else None
        if not delimiter and limit <= _SCAN_BATCH:
            # Without a delimiter a page is simply the next `limit` keys; one more says whether it is truncated.
            batch = self.s3.objects.scan_fields(
                where, LISTED_FIELDS, prefix=prefix, start_after=cursor, limit=limit + 1
            )
            objects = batch[:limit]
            return objects, prefixes, len(batch) > limit, objects[-1][0] if objects else None
        while True:
            # One entry more than the page still needs tells whether it is truncated,
            # without decoding a whole further batch of documents.
            want = min(_SCAN_BATCH, limit - len(objects) - len(prefixes)) + 1
            batch = self.s3.objects.scan_fields(
                where, LISTED_FIELDS, prefix=prefix, start_after=cursor, limit=want
            )
            jumped = False
            for key, fields in batch:
                if delimiter:
                    cut = key.find(delimiter, len(prefix))
                    if cut >= 0:
                        common = key[: cut + len(delimiter)]
                        if after is not None and common <= after:
                            cursor = common + _AFTER_ALL
                            jumped = True
                            break
                        if len(objects) + len(prefixes) == limit:
                            return objects, prefixes, True, last
                        prefixes.append(common)
                        last = common
                        cursor = common + _AFTER_ALL
                        jumped = True
                        break
                if len(objects) + len(prefixes) == limit:
                    return objects, prefixes, True, last
                objects.append((key, fields))
                last = key
                cursor = key
            if not jumped and len(batch) < want:
                return objects, prefixes, False, last

    @staticmethod
    def _entries(
        objects: list[tuple[str, Sequence[Any]]], encoding: str | None, fetch_owner: bool
    ) -> list[Params]:
        """The Contents of a page (one loop, no call per entry: a page has up to a thousand)."""
        entries: list[Params] = []
        append = entries.append
        owners: dict[str, Params] = {}
        for key, (modified, etag, size, storage_class, sums, sum_type, account) in objects:
            entry: Params = {
                "Key": key if encoding is None else _encode(key, encoding),
                "LastModified": modified,
                "ETag": etag,
                "Size": size,
                "StorageClass": storage_class or "STANDARD",
            }
            if sums:
                entry["ChecksumAlgorithm"] = list(sums)
                entry["ChecksumType"] = sum_type or "FULL_OBJECT"
            if fetch_owner:
                entry["Owner"] = _owner_of(account, owners)
            append(entry)
        return entries

    def _restore_statuses(
        self, bucket: str, p: Params, objects: list[tuple[str, Sequence[Any]]], entries: list[Params]
    ) -> list[Params]:
        """With OptionalObjectAttributes=RestoreStatus, each restored archived object's RestoreStatus
        (read from its record: the listed fields leave it out, so that plain listings cost nothing)."""
        if "RestoreStatus" not in (p.get("OptionalObjectAttributes") or []):
            return entries
        where = bucket_scope(bucket)
        for (key, _), entry in zip(objects, entries, strict=True):
            if entry["StorageClass"] in _ARCHIVED:
                status = _restore_status(self.s3.objects.get(where, key))
                if status is not None:
                    entry["RestoreStatus"] = status
        return entries

    def ListObjectsV2(self, ctx: RequestContext, p: Params) -> Params:
        bucket = p["Bucket"]
        region = self.s3.bucket(bucket).get("Region", "us-east-1")
        encoding = _check_encoding(p)
        limit = page_size(p.get("MaxKeys"), "maxKeys")
        prefix = p.get("Prefix") or ""
        delimiter = p.get("Delimiter") or None
        after = p.get("StartAfter")
        token = p.get("ContinuationToken")
        if token is not None:
            try:
                if not token:
                    raise ValueError("empty continuation token")
                after = base64.urlsafe_b64decode(token.encode()).decode("utf-8")
            except (ValueError, UnicodeDecodeError) as exc:
                # AWS names the argument but does not echo the token back.
                raise ServiceError(
                    "InvalidArgument",
                    "The continuation token provided is incorrect",
                    status=400,
                    ArgumentName="continuation-token",
                ) from exc
        objects, prefixes, truncated, last = (
            self._walk(bucket, prefix, delimiter, after, limit) if limit else ([], [], False, None)
        )
        if delimiter and limit and self.lists_upload_prefixes(bucket):
            extra = _upload_prefixes(self.s3, bucket, prefix, delimiter, after, limit)
            objects, prefixes, truncated, last = _merged((objects, prefixes, truncated, last), extra, limit)
        result: Params = {
            "Name": bucket,
            "Prefix": _encode(prefix, encoding),
            "MaxKeys": limit if p.get("MaxKeys") is None else p["MaxKeys"],
            "KeyCount": len(objects) + len(prefixes),
            "IsTruncated": truncated,
            "Contents": self._restore_statuses(
                bucket, p, objects, self._entries(objects, encoding, bool(p.get("FetchOwner")))
            ),
            "CommonPrefixes": [{"Prefix": _encode(c, encoding)} for c in prefixes],
            # S3 names the bucket's region on a listing too (a header the model does not have).
            "__headers": {"x-amz-bucket-region": region},
        }
        if delimiter:
            result["Delimiter"] = _encode(delimiter, encoding)
        if encoding:
            result["EncodingType"] = encoding
        if p.get("StartAfter") is not None and token is None:  # a token supersedes StartAfter: AWS omits it
            result["StartAfter"] = _encode(p["StartAfter"], encoding)
        if token is not None:
            result["ContinuationToken"] = token
        if truncated and last is not None:
            result["NextContinuationToken"] = base64.urlsafe_b64encode(last.encode()).decode()
        return result

    def ListObjects(self, ctx: RequestContext, p: Params) -> Params:
        bucket = p["Bucket"]
        region = self.s3.bucket(bucket).get("Region", "us-east-1")
        encoding = _check_encoding(p)
        limit = page_size(p.get("MaxKeys"), "maxKeys")
        prefix = p.get("Prefix") or ""
        delimiter = p.get("Delimiter") or None
        marker = p.get("Marker")
        objects, prefixes, truncated, last = (
            self._walk(bucket, prefix, delimiter, marker, limit) if limit else ([], [], False, None)
        )
        result: Params = {
            "Name": bucket,
            # Encoded under encoding-type=url, as the API reference says of v1's Prefix and AWS answered
            # (aws/aws-sdk-java#611: 'reports/year%3D2015'; the SDK for Java v2 decodes it, its
            # ListObjectsIntegrationTest lists with the prefix 'special-chars-@$%'). botocore decodes
            # no v1 Prefix (boto/boto3#3534), so boto3 shows it encoded, as against AWS.
            "Prefix": _encode(prefix, encoding),
            "Marker": _encode(marker or "", encoding),
            "MaxKeys": limit if p.get("MaxKeys") is None else p["MaxKeys"],
            "IsTruncated": truncated,
            # v1 names each object's Owner, though not to an anonymous caller (AWS's answer to an
            # unsigned listing of a public-read bucket has none).
            "Contents": self._restore_statuses(
                bucket, p, objects, self._entries(objects, encoding, not ctx.principal.is_anonymous)
            ),
            "CommonPrefixes": [{"Prefix": _encode(c, encoding)} for c in prefixes],
            "__headers": {"x-amz-bucket-region": region},
        }
        if delimiter:
            result["Delimiter"] = _encode(delimiter, encoding)
            if truncated and last is not None:
                result["NextMarker"] = _encode(last, encoding)
        if encoding:
            result["EncodingType"] = encoding
        return result

    def ListObjectVersions(self, ctx: RequestContext, p: Params) -> Params:
        bucket = p["Bucket"]
        self.s3.bucket(bucket)
        encoding = _check_encoding(p)
        max_keys = p.get("MaxKeys")
        if max_keys is not None and max_keys < 0:
            # ListObjectVersions words it otherwise than ListObjects(V2): S3's answer to the AWS CLI
            # in versity/versitygw#1809.
            raise invalid_argument("max-keys cannot be negative", "maxKeys", str(max_keys))
        limit = page_size(max_keys, "maxKeys")
        prefix = p.get("Prefix") or ""
        delimiter = p.get("Delimiter") or None
        key_marker = p.get("KeyMarker")
        version_marker = p.get("VersionIdMarker")
        _check_version_id_marker(key_marker, version_marker)
        where = bucket_scope(bucket)
        want_restore = "RestoreStatus" in (p.get("OptionalObjectAttributes") or [])
        # Versions and delete markers in one sequence, as S3 writes them (see DeleteMarkerEntry).
        entries: list[Params] = []
        prefixes: list[str] = []
        truncated = False
        next_key = next_version = None
        cursor: str | None = None
        latest_seen: set[str] = set()
        if key_marker:
            cursor = key_marker + "\0" + "9" * 19  # after every version of the marker key
            if version_marker:
                marker_versions = self.s3.key_versions(bucket, key_marker)
                rank = rank_of_version_id(version_marker)
                if rank is not None:  # the marker's place, even if that version is gone since
                    cursor = self.s3.version_key(key_marker, rank)
                for version_key, version in marker_versions:
                    if version["VersionId"] == version_marker:
                        cursor = version_key
                        break
                if marker_versions and marker_versions[0][0] <= cursor:
                    latest_seen.add(key_marker)  # the key's current version was on an earlier page
        count = 0
        done = False
        owners: dict[str, Params] = {}
        while not done:
            # Only as many rows as the page can still take, and one to tell whether it is truncated.
            want = min(_SCAN_BATCH, limit - count + 1)
            batch = self.s3.versions.scan_fields(
                where, LISTED_VERSION_FIELDS, prefix=prefix, start_after=cursor, limit=want
            )
            if not batch:
                break
            for version_key, fields in batch:
                modified, etag, size, storage_class, sums, sum_type, account, version_id, is_marker = fields
                key = version_key.rsplit("\0", 1)[0]
                if delimiter:
                    cut = key.find(delimiter, len(prefix))
                    if cut >= 0:
                        common = key[: cut + len(delimiter)]
                        if count == limit:
                            truncated, done = True, True
                            break
                        if common not in prefixes and not (key_marker and common <= key_marker):
                            prefixes.append(common)
                            count += 1
                            next_key, next_version = common, None
                        cursor = common + _AFTER_ALL
                        break
                if count == limit:
                    truncated, done = True, True
                    break
                is_latest = key not in latest_seen  # a key's versions come newest first
                latest_seen.add(key)
                entry: Params = {
                    "Key": _encode(key, encoding),
                    "VersionId": version_id,
                    "IsLatest": is_latest,
                    "LastModified": modified,
                    "Owner": _owner_of(account, owners),
                }
                if is_marker:
                    entries.append(DeleteMarkerEntry(entry))
                else:
                    entry.update({"ETag": etag, "Size": size, "StorageClass": storage_class or "STANDARD"})
                    if want_restore and storage_class in _ARCHIVED:
                        status = _restore_status(self.s3.versions.get(where, version_key))
                        if status is not None:
                            entry["RestoreStatus"] = status
                    if sums:
                        entry["ChecksumAlgorithm"] = list(sums)
                        entry["ChecksumType"] = sum_type or "FULL_OBJECT"
                    entries.append(entry)
                count += 1
                next_key, next_version = key, version_id
                cursor = version_key
            else:
                if len(batch) < want:
                    done = True
        result: Params = {
            "Name": bucket,
            "Prefix": _encode(prefix, encoding),
            "KeyMarker": _encode(key_marker or "", encoding),
            "VersionIdMarker": version_marker or "",
            "MaxKeys": limit,
            "IsTruncated": truncated,
            "Versions": entries,
            "CommonPrefixes": [{"Prefix": _encode(c, encoding)} for c in prefixes],
        }
        if delimiter:
            result["Delimiter"] = _encode(delimiter, encoding)
        if encoding:
            result["EncodingType"] = encoding
        if truncated:
            result["NextKeyMarker"] = _encode(next_key, encoding)
            if next_version:
                result["NextVersionIdMarker"] = next_version
        return result
