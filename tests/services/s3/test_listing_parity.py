"""Paging details of S3's listings as AWS answers them (recorded against AWS): ListObjectsV2
tokens, ListObjectVersions markers of deleted versions, ListMultipartUploads markers and
ListParts markers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.s3.core_support import error_of

FOLDER = ["folder/aSubfolder/subFile1", "folder/aSubfolder/subFile2", "folder/file1", "folder/file2"]


def upload_ids(s3: Any, bucket: str, keys: list[str]) -> list[str]:
    return [s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"] for key in keys]


# -- ListObjectsV2 ----------------------------------------------------------------------


def test_v2_continuation_token_supersedes_start_after_which_is_not_echoed(s3: Any, bucket: str) -> None:
    for i in range(4):
        s3.put_object(Bucket=bucket, Key=f"k{i}", Body=b"x")
    token = s3.list_objects_v2(Bucket=bucket, MaxKeys=1)["NextContinuationToken"]
    page = s3.list_objects_v2(Bucket=bucket, StartAfter="k2", ContinuationToken=token)
    assert [o["Key"] for o in page["Contents"]] == ["k1", "k2", "k3"]
    assert page["ContinuationToken"] == token
    assert "StartAfter" not in page


def test_v2_empty_continuation_token_is_invalid_argument(s3: Any, bucket: str) -> None:
    assert error_of(s3.list_objects_v2, Bucket=bucket, ContinuationToken="") == (
        "InvalidArgument",
        400,
        "The continuation token provided is incorrect",
    )


# -- ListObjectVersions -----------------------------------------------------------------


def test_version_id_marker_of_a_deleted_version_resumes_after_its_place(
    s3: Any, versioned_bucket: str
) -> None:
    ids = [s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"")["VersionId"] for _ in range(5)]
    first = s3.list_object_versions(Bucket=versioned_bucket, MaxKeys=3)
    assert [v["VersionId"] for v in first["Versions"]] == ids[:1:-1]
    s3.delete_objects(
        Bucket=versioned_bucket,
        Delete={"Objects": [{"Key": "k", "VersionId": v["VersionId"]} for v in first["Versions"]]},
    )
    rest = s3.list_object_versions(
        Bucket=versioned_bucket,
        KeyMarker=first["NextKeyMarker"],
        VersionIdMarker=first["NextVersionIdMarker"],
    )
    assert [(v["VersionId"], v["IsLatest"]) for v in rest["Versions"]] == [(ids[1], True), (ids[0], False)]


# -- ListMultipartUploads ---------------------------------------------------------------


def test_multipart_listing_names_its_last_upload_even_when_not_truncated(s3: Any, bucket: str) -> None:
    empty = s3.list_multipart_uploads(Bucket=bucket)
    assert (empty["NextKeyMarker"], empty["NextUploadIdMarker"]) == ("", "")
    assert "Prefix" not in empty
    ids = upload_ids(s3, bucket, ["b", "a"])
    page = s3.list_multipart_uploads(Bucket=bucket)
    assert page["IsTruncated"] is False
    assert (page["NextKeyMarker"], page["NextUploadIdMarker"]) == ("b", ids[0])


def test_multipart_uploads_of_one_key_list_in_the_order_they_started(s3: Any, bucket: str) -> None:
    ids = upload_ids(s3, bucket, ["k"] * 5)
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == ids


def test_upload_id_marker_without_key_marker_is_ignored(s3: Any, bucket: str) -> None:
    ids = upload_ids(s3, bucket, ["a", "a", "b"])
    page = s3.list_multipart_uploads(Bucket=bucket, UploadIdMarker=ids[0])
    assert page["UploadIdMarker"] == ""
    assert [u["UploadId"] for u in page["Uploads"]] == ids


def test_upload_id_marker_resumes_after_that_upload_of_the_key(s3: Any, bucket: str) -> None:
    ids = upload_ids(s3, bucket, ["a", "a", "b"])
    page = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="a", UploadIdMarker=ids[0])
    assert [u["UploadId"] for u in page["Uploads"]] == ids[1:]


def test_upload_id_marker_not_of_the_key_marker_is_invalid_argument(s3: Any, bucket: str) -> None:
    ids = upload_ids(s3, bucket, ["a", "b"])
    assert error_of(s3.list_multipart_uploads, Bucket=bucket, KeyMarker="b", UploadIdMarker=ids[0]) == (
        "InvalidArgument",
        400,
        "Invalid uploadId marker",
    )


def abort_listed(s3: Any, bucket: str, page: dict[str, Any]) -> None:
    for upload in page["Uploads"]:
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])


def test_upload_id_marker_of_an_aborted_upload_resumes_after_its_place(s3: Any, bucket: str) -> None:
    ids = upload_ids(s3, bucket, ["a", "a", "a", "b", "b"])
    first = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert [u["UploadId"] for u in first["Uploads"]] == ids[:2]
    abort_listed(s3, bucket, first)
    rest = s3.list_multipart_uploads(
        Bucket=bucket, KeyMarker=first["NextKeyMarker"], UploadIdMarker=first["NextUploadIdMarker"]
    )
    assert [(u["Key"], u["UploadId"]) for u in rest["Uploads"]] == [
        ("a", ids[2]),
        ("b", ids[3]),
        ("b", ids[4]),
    ]
    assert rest["IsTruncated"] is False


def test_paging_while_aborting_each_page_lists_every_upload_once(s3: Any, bucket: str) -> None:
    ids = upload_ids(s3, bucket, ["a", "a", "a", "b", "b"])
    seen: list[str] = []
    markers: dict[str, str] = {}
    while True:
        page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2, **markers)
        seen += [u["UploadId"] for u in page.get("Uploads", [])]
        abort_listed(s3, bucket, {"Uploads": page.get("Uploads", [])})
        if not page["IsTruncated"]:
            break
        markers = {"KeyMarker": page["NextKeyMarker"], "UploadIdMarker": page["NextUploadIdMarker"]}
    assert seen == ids


def test_upload_id_marker_of_an_aborted_upload_of_another_key_is_invalid_argument(
    s3: Any, bucket: str
) -> None:
    ids = upload_ids(s3, bucket, ["a", "b"])
    s3.abort_multipart_upload(Bucket=bucket, Key="a", UploadId=ids[0])
    assert error_of(s3.list_multipart_uploads, Bucket=bucket, KeyMarker="b", UploadIdMarker=ids[0]) == (
        "InvalidArgument",
        400,
        "Invalid uploadId marker",
    )


@pytest.mark.parametrize("change", ["truncated", "extended", "altered"])
def test_upload_id_marker_never_issued_is_invalid_argument(s3: Any, bucket: str, change: str) -> None:
    (upload_id,) = upload_ids(s3, bucket, ["a"])
    marker = {
        "truncated": upload_id[:-1],
        "extended": upload_id + "x",
        "altered": upload_id[:-1] + ("B" if upload_id[-1] != "B" else "C"),
    }[change]
    assert error_of(s3.list_multipart_uploads, Bucket=bucket, KeyMarker="a", UploadIdMarker=marker) == (
        "InvalidArgument",
        400,
        "Invalid uploadId marker",
    )


@pytest.mark.parametrize("marker", ["folder/aSubfolder/", "folder/aSubfolder/subFile1"])
def test_key_marker_inside_a_common_prefix_skips_the_whole_prefix(s3: Any, bucket: str, marker: str) -> None:
    ids = upload_ids(s3, bucket, FOLDER)
    page = s3.list_multipart_uploads(
        Bucket=bucket, Prefix="folder/", Delimiter="/", MaxUploads=1, KeyMarker=marker
    )
    assert "CommonPrefixes" not in page
    assert [u["Key"] for u in page["Uploads"]] == ["folder/file1"]
    assert page["IsTruncated"] is True
    assert (page["NextKeyMarker"], page["NextUploadIdMarker"]) == ("folder/file1", ids[2])


# -- ListParts --------------------------------------------------------------------------


def test_list_parts_next_part_number_marker_is_zero_on_an_empty_page(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    assert s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)["NextPartNumberMarker"] == 0
    s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"data")
    page = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id, PartNumberMarker=10)
    assert (page.get("Parts", []), page["NextPartNumberMarker"]) == ([], 0)


def test_list_parts_of_an_upload_without_algorithm_show_no_part_checksums(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    s3.upload_part(
        Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"data", ChecksumAlgorithm="CRC32"
    )
    (part,) = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)["Parts"]
    assert sorted(part) == ["ETag", "LastModified", "PartNumber", "Size"]


def test_list_parts_reads_empty_integer_parameters_as_absent(endpoint: str, s3: Any, bucket: str) -> None:
    loose = make_client(endpoint, "s3", parameter_validation=False)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"data")
    for empty in ({"PartNumberMarker": ""}, {"MaxParts": ""}):
        page = loose.list_parts(Bucket=bucket, Key="k", UploadId=upload_id, **empty)
        assert (page["PartNumberMarker"], page["MaxParts"], len(page["Parts"])) == (0, 1000, 1)


def test_object_attributes_page_the_parts_of_a_composite_upload_with_their_checksums(
    s3: Any, bucket: str
) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    body = b"a" * (5 * 1024 * 1024 + 1)
    parts = []
    for number in (1, 2):
        sent = s3.upload_part(
            Bucket=bucket,
            Key="k",
            UploadId=upload_id,
            PartNumber=number,
            Body=body,
            ChecksumAlgorithm="SHA256",
        )
        parts.append({"PartNumber": number, "ETag": sent["ETag"], "ChecksumSHA256": sent["ChecksumSHA256"]})
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})

    def page(**paging: int) -> dict[str, Any]:
        return s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectParts"], **paging)[
            "ObjectParts"
        ]

    second = page(MaxParts=1, PartNumberMarker=1)
    assert second["Parts"] == [
        {"PartNumber": 2, "Size": len(body), "ChecksumSHA256": parts[1]["ChecksumSHA256"]}
    ]
    assert (second["IsTruncated"], second["PartNumberMarker"], second["NextPartNumberMarker"]) == (
        False,
        1,
        2,
    )
    assert second["TotalPartsCount"] == 2
    beyond = page(MaxParts=1, PartNumberMarker=10)
    assert ("Parts" not in beyond, beyond["NextPartNumberMarker"], beyond["PartNumberMarker"]) == (
        True,
        0,
        10,
    )
