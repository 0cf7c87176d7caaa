"""Multipart upload ids that say where their upload lists, and the order uploads list in.

ListMultipartUploads lists uploads by key, then a key's uploads in the order they were
started (their rank, a nanosecond clock reading). A client pages with KeyMarker and
UploadIdMarker, and the usual loop aborts or completes each listed upload before it asks for
the next page, so the marker's upload is often gone by then. Like a version id
(`state.new_version_id`), an upload id therefore carries its upload's rank, plus a check over
the id and its key: the listing resumes after the marker's place even once its upload is gone,
while an id S3 never issued for that key is refused (AWS: InvalidArgument "Invalid uploadId
marker"), as is any truncated, extended or altered id.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime
from typing import Any

_RANK_DIGITS = 16
_CHECK_CHARS = 8
_ID_CHARS = 64


def _check(key: str, body: str) -> str:
    digest = hashlib.sha256(f"{key}\0{body}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:6]).decode().replace("-", ".")


def new_upload_id(key: str, rank: int) -> str:
    """An upload id of `key`: its rank (16 hex digits), 40 random characters, then 8 of check."""
    body = f"{rank:0{_RANK_DIGITS}x}" + secrets.token_urlsafe(30).replace("-", ".")
    return body + _check(key, body)


def rank_of_upload_id(key: str, upload_id: str) -> int | None:
    """The rank an id of `new_upload_id` carries when it was issued for `key`; None otherwise."""
    head, body = upload_id[:_RANK_DIGITS], upload_id[:-_CHECK_CHARS]
    if (
        len(upload_id) != _ID_CHARS
        or head.strip("0123456789abcdef")
        or _check(key, body) != upload_id[-_CHECK_CHARS:]
    ):
        return None
    return int(head, 16)


def upload_rank(upload: dict[str, Any]) -> int:
    """Where an upload lists among its key's uploads. Uploads stored before uploads had a rank
    list by their start time, read in the same unit as a rank (nanoseconds)."""
    rank = upload.get("Rank")
    if rank is None:
        return int(datetime.fromisoformat(upload["Initiated"]).timestamp()) * 10**9
    return int(rank)


def order_key(key: str, rank: int, upload_id: str) -> str:
    """An upload's key in S3State.upload_order. In the store's UTF-8 byte order it sorts by key,
    then rank, then id: the order of ListMultipartUploads, a page of which is a range scan of it."""
    return f"{key}\0{rank:0{_RANK_DIGITS}x}\0{upload_id}"


def upload_order_entry(upload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(key, document) of an upload in S3State.upload_order: what a listing shows of it."""
    listed = {
        "UploadId": upload["UploadId"],
        "Key": upload["Key"],
        "Initiated": upload["Initiated"],
        "StorageClass": upload["Record"].get("StorageClass", "STANDARD"),
        "Owner": upload["Owner"],
    }
    if upload.get("ChecksumAlgorithm"):
        listed["ChecksumAlgorithm"] = upload["ChecksumAlgorithm"]
        listed["ChecksumType"] = upload.get("ChecksumType")
    return order_key(upload["Key"], upload_rank(upload), upload["UploadId"]), listed
