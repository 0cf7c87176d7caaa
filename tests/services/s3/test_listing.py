"""ListObjects, ListObjectsV2 and ListObjectVersions: prefixes, delimiters, paging
markers, URL encoding, owners, and S3's UTF-8 binary key order."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import pytest

from tests.raw_http import exchange, signed_request
from tests.services.s3.access_support import http
from tests.services.s3.core_support import error_of

TREE = ["a/1", "a/2", "a/b/3", "b/1", "c", "d", "e/f/g"]


def fill(s3: Any, bucket: str, keys: list[str]) -> None:
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())


def raw_keys(s3: Any, bucket: str, **kwargs: Any) -> dict[str, Any]:
    """A ListObjectsV2 answer exactly as sent: botocore's own url-decoding switched off."""
    return s3.list_objects_v2(Bucket=bucket, EncodingType="url", **kwargs)


# -- prefixes and delimiters -----------------------------------------------------------


def test_v2_delimiter_folds_keys_into_common_prefixes(s3: Any, bucket: str) -> None:
    fill(s3, bucket, TREE)
    page = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [o["Key"] for o in page["Contents"]] == ["c", "d"]
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["a/", "b/", "e/"]
    assert page["KeyCount"] == 5
    assert page["Delimiter"] == "/"
    assert page["IsTruncated"] is False


def test_v2_leaves_out_prefixes_only_in_progress_uploads_have(s3: Any, bucket: str) -> None:
    # ListObjectsV2: "For general purpose buckets, ListObjectsV2 doesn't return prefixes that are
    # related only to in-progress multipart uploads" (a directory bucket's does).
    fill(s3, bucket, ["a/x"])
    s3.create_multipart_upload(Bucket=bucket, Key="b/k")
    listed = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in listed["CommonPrefixes"]] == ["a/"]


def test_v2_prefix_with_delimiter_lists_one_level(s3: Any, bucket: str) -> None:
    fill(s3, bucket, TREE)
    page = s3.list_objects_v2(Bucket=bucket, Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in page["Contents"]] == ["a/1", "a/2"]
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["a/b/"]
    assert page["Prefix"] == "a/"


def test_v2_prefix_without_delimiter_lists_everything_under_it(s3: Any, bucket: str) -> None:
    fill(s3, bucket, TREE)
    page = s3.list_objects_v2(Bucket=bucket, Prefix="a")
    assert [o["Key"] for o in page["Contents"]] == ["a/1", "a/2", "a/b/3"]
    assert "CommonPrefixes" not in page


def test_multi_character_delimiter(s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["x--1", "x--2", "y", "z--q--r"])
    page = s3.list_objects_v2(Bucket=bucket, Delimiter="--")
    assert [o["Key"] for o in page["Contents"]] == ["y"]
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["x--", "z--"]


def test_prefix_matching_nothing_is_an_empty_listing(s3: Any, bucket: str) -> None:
    fill(s3, bucket, TREE)
    page = s3.list_objects_v2(Bucket=bucket, Prefix="nothing-here")
    assert page["KeyCount"] == 0
    assert "Contents" not in page


# -- paging ----------------------------------------------------------------------------


def test_v2_max_keys_pages_with_continuation_tokens_counting_prefixes(s3: Any, bucket: str) -> None:
    fill(s3, bucket, TREE)
    seen_keys: list[str] = []
    seen_prefixes: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {"Bucket": bucket, "Delimiter": "/", "MaxKeys": 2}
    while True:
        page = s3.list_objects_v2(**kwargs)
        pages += 1
        assert page["KeyCount"] <= 2
        assert page["MaxKeys"] == 2
        seen_keys += [o["Key"] for o in page.get("Contents", [])]
        seen_prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        kwargs["ContinuationToken"] = page["NextContinuationToken"]
        assert pages < 10
    assert seen_keys == ["c", "d"]
    assert seen_prefixes == ["a/", "b/", "e/"]
    assert pages == 3


def test_v2_continuation_token_is_echoed(s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["k1", "k2", "k3"])
    first = s3.list_objects_v2(Bucket=bucket, MaxKeys=1)
    second = s3.list_objects_v2(Bucket=bucket, MaxKeys=1, ContinuationToken=first["NextContinuationToken"])
    assert second["ContinuationToken"] == first["NextContinuationToken"]
    assert [o["Key"] for o in second["Contents"]] == ["k2"]


def test_v2_start_after_skips_keys_up_to_it(s3: Any, bucket: str) -> None:
    fill(s3, bucket, TREE)
    page = s3.list_objects_v2(Bucket=bucket, StartAfter="b/1")
    assert [o["Key"] for o in page["Contents"]] == ["c", "d", "e/f/g"]
    assert page["StartAfter"] == "b/1"
    page = s3.list_objects_v2(Bucket=bucket, StartAfter="a", Delimiter="/")
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["a/", "b/", "e/"]
    # A common prefix sorts where its own text does: a marker at or inside it passes it by,
    # which is how a V1 NextMarker that is a prefix moves on to the next page.
    for start_after in ("a/", "a/1", "a/zzz"):
        page = s3.list_objects_v2(Bucket=bucket, StartAfter=start_after, Delimiter="/")
        assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["b/", "e/"], start_after


def test_v2_paginator_visits_every_key_once(s3: Any, bucket: str) -> None:
    keys = [f"many/{i:03d}" for i in range(25)]
    fill(s3, bucket, keys)
    paginator = s3.get_paginator("list_objects_v2")
    listed = [o["Key"] for page in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 7}) for o in page["Contents"]]
    assert listed == keys


def test_v1_marker_pages_and_next_marker_comes_with_a_delimiter(s3: Any, bucket: str) -> None:
    fill(s3, bucket, TREE)
    first = s3.list_objects(Bucket=bucket, MaxKeys=3)
    assert [o["Key"] for o in first["Contents"]] == ["a/1", "a/2", "a/b/3"]
    assert first["IsTruncated"] is True
    assert "NextMarker" not in first  # without a delimiter the client uses the last key
    second = s3.list_objects(Bucket=bucket, MaxKeys=3, Marker="a/b/3")
    assert [o["Key"] for o in second["Contents"]] == ["b/1", "c", "d"]
    assert second["Marker"] == "a/b/3"
    folded = s3.list_objects(Bucket=bucket, MaxKeys=2, Delimiter="/")
    assert [p["Prefix"] for p in folded["CommonPrefixes"]] == ["a/", "b/"]
    assert folded["NextMarker"] == "b/"
    rest = s3.list_objects(Bucket=bucket, Delimiter="/", Marker=folded["NextMarker"])
    assert [o["Key"] for o in rest["Contents"]] == ["c", "d"]
    assert [p["Prefix"] for p in rest["CommonPrefixes"]] == ["e/"]


def test_v1_paginator_visits_every_key_once(s3: Any, bucket: str) -> None:
    keys = [f"v1/{i:03d}" for i in range(12)]
    fill(s3, bucket, keys)
    pages = s3.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": 5})
    assert [o["Key"] for page in pages for o in page["Contents"]] == keys


def test_max_keys_zero_returns_nothing_and_is_not_truncated(s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["k"])
    page = s3.list_objects_v2(Bucket=bucket, MaxKeys=0)
    assert page["KeyCount"] == 0
    assert page["IsTruncated"] is False


def test_max_keys_above_1000_is_capped_at_1000(s3: Any, bucket: str) -> None:
    page = s3.list_objects_v2(Bucket=bucket, MaxKeys=5000)
    assert page["MaxKeys"] in (1000, 5000)  # S3 echoes the request, but never returns more than 1000


def test_invalid_continuation_token_is_invalid_argument(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(s3.list_objects_v2, Bucket=bucket, ContinuationToken="%%%not-a-token%%%")
    assert (code, status) == ("InvalidArgument", 400)


def test_unknown_encoding_type_is_invalid_argument(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(s3.list_objects_v2, Bucket=bucket, EncodingType="base64")
    assert (code, status) == ("InvalidArgument", 400)


# -- encoding and order ----------------------------------------------------------------


def test_encoding_type_url_percent_encodes_keys_prefixes_and_delimiter(s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["sp ace", "plus+sign", "caf\u00e9", "ctl\x01char", "dir one/x"])
    page = raw_keys(s3, bucket, Delimiter="/")
    assert page["EncodingType"] == "url"
    assert [o["Key"] for o in page["Contents"]] == ["caf%C3%A9", "ctl%01char", "plus%2Bsign", "sp%20ace"]
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["dir%20one/"]
    prefixed = raw_keys(s3, bucket, Prefix="dir one/")
    assert prefixed["Prefix"] == "dir%20one/"
    assert [o["Key"] for o in prefixed["Contents"]] == ["dir%20one/x"]


def test_boto3_decodes_url_encoded_listings_back_to_the_real_keys(s3: Any, bucket: str) -> None:
    keys = ["ctl\x01char", "new\nline", "sp ace", "plus+sign", "\u00e9t\u00e9", "tab\t"]
    fill(s3, bucket, keys)
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]  # boto3 asks for url and decodes
    assert sorted(listed, key=lambda k: k.encode()) == listed
    assert set(listed) == set(keys)
    v1 = [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]]
    assert v1 == listed
    versions = [v["Key"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]]
    assert versions == listed


def test_a_listing_without_url_encoding_writes_control_characters_as_they_are(
    endpoint: str, s3: Any, bucket: str
) -> None:
    """XML 1.0 cannot carry most control characters: S3 writes them as they are (an XML parser then
    refuses the answer, which is why the API reference points to encoding-type=url), not a U+FFFD
    a client would then take for the key. CR is written as &#13; so that it survives the parser."""
    fill(s3, bucket, ["ctl\x01char", "esc\x1bkey", "cr\rkey"])
    status, _, body = exchange(endpoint, signed_request(endpoint, "GET", f"/{bucket}?list-type=2", "s3"))
    assert status == 200
    assert b"<Key>ctl\x01char</Key>" in body and b"<Key>esc\x1bkey</Key>" in body
    assert b"<Key>cr&#13;key</Key>" in body and "\ufffd".encode() not in body
    with pytest.raises(Exception, match="not well-formed"):
        ElementTree.fromstring(body)
    # Answers that are no such listing stay parseable (boto3 reads the key back from them): ListParts
    # takes no encoding-type, so its key keeps U+FFFD in place of what XML cannot carry.
    upload = s3.create_multipart_upload(Bucket=bucket, Key="ctl\x01char")
    s3.upload_part(Bucket=bucket, Key="ctl\x01char", UploadId=upload["UploadId"], PartNumber=1, Body=b"p")
    parts = s3.list_parts(Bucket=bucket, Key="ctl\x01char", UploadId=upload["UploadId"])
    assert [p["PartNumber"] for p in parts["Parts"]] == [1]
    s3.abort_multipart_upload(Bucket=bucket, Key="ctl\x01char", UploadId=upload["UploadId"])


def test_keys_are_listed_in_utf8_binary_order(s3: Any, bucket: str) -> None:
    keys = ["a", "b", "\u00e9", "\U0001F600", "Z", "\uFFFD", "\u00ff", "0", "~", "a/b", "a b"]
    fill(s3, bucket, keys)
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    # UTF-8 byte order: U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80), unlike UTF-16 order.
    assert listed == ["0", "Z", "a", "a b", "a/b", "b", "~", "\u00e9", "\u00ff", "\uFFFD", "\U0001F600"]
    assert listed == sorted(keys, key=lambda k: k.encode("utf-8"))


def test_fetch_owner_adds_the_owner_to_v2_entries(s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["k"])
    plain = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert "Owner" not in plain
    owned = s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"][0]
    assert owned["Owner"]["ID"] == s3.list_buckets()["Owner"]["ID"]
    v1 = s3.list_objects(Bucket=bucket)["Contents"][0]
    assert v1["Owner"]["ID"] == owned["Owner"]["ID"]  # V1 always includes the owner


def test_listing_entries_carry_etag_size_and_last_modified(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"12345")
    entry = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    head = s3.head_object(Bucket=bucket, Key="k")
    assert entry["ETag"] == head["ETag"]
    assert entry["Size"] == 5
    assert entry["LastModified"] == head["LastModified"]
    assert entry["StorageClass"] == "STANDARD"


# -- versions --------------------------------------------------------------------------


def test_list_object_versions_orders_keys_then_newest_version_first(s3: Any, versioned_bucket: str) -> None:
    ids: dict[str, list[str]] = {"j": [], "k": []}
    for key in ("k", "j", "k", "j", "k"):
        ids[key].append(s3.put_object(Bucket=versioned_bucket, Key=key, Body=b"x")["VersionId"])
    marker = s3.delete_object(Bucket=versioned_bucket, Key="j")["VersionId"]
    listing = s3.list_object_versions(Bucket=versioned_bucket)
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in listing["Versions"]] == [
        ("j", ids["j"][1], False), ("j", ids["j"][0], False),
        ("k", ids["k"][2], True), ("k", ids["k"][1], False), ("k", ids["k"][0], False),
    ]
    assert [(m["Key"], m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]] == [("j", marker, True)]


def test_list_object_versions_pages_with_key_and_version_markers(s3: Any, versioned_bucket: str) -> None:
    expected: list[tuple[str, str]] = []
    for key in ("a", "b", "c"):
        ids = [s3.put_object(Bucket=versioned_bucket, Key=key, Body=b"x")["VersionId"] for _ in range(3)]
        expected += [(key, version) for version in reversed(ids)]
    seen: list[tuple[str, str]] = []
    kwargs: dict[str, Any] = {"Bucket": versioned_bucket, "MaxKeys": 2}
    for _ in range(10):
        page = s3.list_object_versions(**kwargs)
        seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
        if not page["IsTruncated"]:
            break
        kwargs["KeyMarker"] = page["NextKeyMarker"]
        kwargs["VersionIdMarker"] = page["NextVersionIdMarker"]
    assert seen == expected


def test_list_object_versions_pages_one_entry_at_a_time_through_prefixes(s3: Any, versioned_bucket: str) -> None:
    # A common prefix counts as one entry of MaxKeys, however many versions it folds.
    ids: dict[str, list[str]] = {}
    for key in ("p/1", "p/1", "p/2", "q", "q", "r/s"):
        ids.setdefault(key, []).append(s3.put_object(Bucket=versioned_bucket, Key=key, Body=b"x")["VersionId"])
    pages: list[tuple[list[str], list[tuple[str, str, bool]], bool]] = []
    kwargs: dict[str, Any] = {"Bucket": versioned_bucket, "Delimiter": "/", "MaxKeys": 1}
    for _ in range(10):
        page = s3.list_object_versions(**kwargs)
        pages.append(
            (
                [c["Prefix"] for c in page.get("CommonPrefixes", [])],
                [(v["Key"], v["VersionId"], v["IsLatest"]) for v in page.get("Versions", [])],
                page["IsTruncated"],
            )
        )
        if not page["IsTruncated"]:
            break
        kwargs["KeyMarker"] = page["NextKeyMarker"]
        if page.get("NextVersionIdMarker"):
            kwargs["VersionIdMarker"] = page["NextVersionIdMarker"]
        else:
            kwargs.pop("VersionIdMarker", None)
    assert pages == [
        (["p/"], [], True),
        ([], [("q", ids["q"][1], True)], True),
        ([], [("q", ids["q"][0], False)], True),
        (["r/"], [], False),
    ]


def test_list_object_versions_key_marker_alone_skips_all_versions_of_that_key(s3: Any, versioned_bucket: str) -> None:
    for key in ("a", "a", "b"):
        s3.put_object(Bucket=versioned_bucket, Key=key, Body=b"x")
    page = s3.list_object_versions(Bucket=versioned_bucket, KeyMarker="a")
    assert [v["Key"] for v in page["Versions"]] == ["b"]


def test_list_object_versions_with_prefix_and_delimiter(s3: Any, versioned_bucket: str) -> None:
    fill(s3, versioned_bucket, ["p/1", "p/2", "q", "r/s/t"])
    page = s3.list_object_versions(Bucket=versioned_bucket, Delimiter="/")
    assert [v["Key"] for v in page["Versions"]] == ["q"]
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["p/", "r/"]
    page = s3.list_object_versions(Bucket=versioned_bucket, Prefix="p/")
    assert [v["Key"] for v in page["Versions"]] == ["p/1", "p/2"]


def test_list_object_versions_in_an_unversioned_bucket_shows_null_versions(s3: Any, bucket: str) -> None:
    fill(s3, bucket, ["k"])
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in versions] == [("k", "null", True)]


@pytest.mark.parametrize("operation", ["list_objects", "list_objects_v2", "list_object_versions"])
def test_listing_a_missing_bucket_is_no_such_bucket(s3: Any, operation: str) -> None:
    code, status, _ = error_of(getattr(s3, operation), Bucket="pc-listing-no-such-bucket")
    assert (code, status) == ("NoSuchBucket", 404)


def test_a_listed_objects_owner_comes_before_its_storage_class(s3: Any, bucket: str) -> None:
    # On the wire, as AWS answered smithy-rs's recorded ListObjects (no_auth/list-objects.json, 2023)
    # and pkgcloud's (list-bucket-files.xml, 2012): ...<Size/><Owner/><StorageClass/></Contents>.
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for operation, params in (("list_objects", {}), ("list_objects_v2", {"FetchOwner": True})):
        url = s3.generate_presigned_url(operation, Params={"Bucket": bucket, **params})
        status, body, _ = http("GET", url)
        assert status == 200
        assert b"<Size>1</Size><Owner><ID>" in body and b"</Owner><StorageClass>STANDARD</StorageClass></Contents>" in body
