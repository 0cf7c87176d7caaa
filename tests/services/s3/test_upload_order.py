"""ListMultipartUploads reads a key-ordered index of the bucket's uploads (`upload_order`), so a page
costs the same however many uploads the bucket holds. These tests page through many uploads with
prefixes, delimiters and markers, check that completing and aborting take an upload out of the
listing, and that uploads stored by a pocketcloud from before the index list after an upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pocketcloud.store.sqlite import SqliteStore
from tests.conftest import ServerProcess


def _all_pages(s3: Any, bucket: str, **kwargs: Any) -> tuple[list[tuple[str, str]], list[str], int]:
    """Every (key, upload id) and common prefix, following the Next*Marker of each page; and the page count."""
    uploads: list[tuple[str, str]] = []
    prefixes: list[str] = []
    pages = 0
    markers: dict[str, str] = {}
    for _ in range(200):
        page = s3.list_multipart_uploads(Bucket=bucket, **kwargs, **markers)
        pages += 1
        uploads += [(u["Key"], u["UploadId"]) for u in page.get("Uploads", [])]
        prefixes += [c["Prefix"] for c in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            return uploads, prefixes, pages
        markers = {"KeyMarker": page["NextKeyMarker"], "UploadIdMarker": page["NextUploadIdMarker"]}
        if not page["NextUploadIdMarker"]:
            # A page of common prefixes only names no next marker, as at AWS: resume after its last prefix.
            markers = {"KeyMarker": page["CommonPrefixes"][-1]["Prefix"]}
    raise AssertionError("the listing never ended")


def test_pages_of_one_list_every_upload_once_in_key_then_start_order(s3: Any, bucket: str) -> None:
    started = [(key, s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]) for key in ("b", "a", "b", "c/d", "a")]
    expected = sorted(started, key=lambda pair: pair[0])  # sorted() is stable: a key's uploads in start order
    uploads, _, pages = _all_pages(s3, bucket, MaxUploads=1)
    assert uploads == expected
    assert pages == 5


def test_a_delimiter_folds_keys_into_prefixes_listed_once_across_pages(s3: Any, bucket: str) -> None:
    ids = {key: s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"] for key in ("a", "p/1", "p/2", "q", "r/x/y")}
    uploads, prefixes, _ = _all_pages(s3, bucket, Delimiter="/", MaxUploads=1)
    assert uploads == [("a", ids["a"]), ("q", ids["q"])]
    assert prefixes == ["p/", "r/"]
    uploads, prefixes, _ = _all_pages(s3, bucket, Delimiter="/", Prefix="r/", MaxUploads=2)
    assert (uploads, prefixes) == ([], ["r/x/"])


def test_completed_and_aborted_uploads_leave_the_listing(s3: Any, bucket: str) -> None:
    done = s3.create_multipart_upload(Bucket=bucket, Key="done")["UploadId"]
    dropped = s3.create_multipart_upload(Bucket=bucket, Key="dropped")["UploadId"]
    kept = s3.create_multipart_upload(Bucket=bucket, Key="kept")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="done", UploadId=done, PartNumber=1, Body=b"x")["ETag"]
    s3.complete_multipart_upload(
        Bucket=bucket, Key="done", UploadId=done, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}
    )
    s3.abort_multipart_upload(Bucket=bucket, Key="dropped", UploadId=dropped)
    uploads, _, _ = _all_pages(s3, bucket)
    assert uploads == [("kept", kept)]


def test_uploads_stored_before_the_index_list_after_an_upgrade(tmp_path: Path) -> None:
    server = ServerProcess(data_dir=tmp_path).start()
    try:
        s3: Any = server.client("s3")
        s3.create_bucket(Bucket="old-uploads")
        started = [(key, s3.create_multipart_upload(Bucket="old-uploads", Key=key)["UploadId"]) for key in ("z", "m", "a")]
    finally:
        server.stop()
    # What a data directory written before the index looked like: uploads, and neither the index
    # nor the record of having built it.
    with SqliteStore.open(tmp_path) as store:
        store.collection("s3", "upload_order").delete_prefix(("", "old-uploads"), "")
        store.collection("s3", "migrations").delete(("", ""), "upload_order")
    server = ServerProcess(data_dir=tmp_path).start()
    try:
        s3 = server.client("s3")
        uploads, _, _ = _all_pages(s3, "old-uploads", MaxUploads=2)
        assert uploads == sorted(started)
        s3.abort_multipart_upload(Bucket="old-uploads", Key="m", UploadId=dict(started)["m"])
        assert [key for key, _ in _all_pages(s3, "old-uploads")[0]] == ["a", "z"]
    finally:
        server.stop()
