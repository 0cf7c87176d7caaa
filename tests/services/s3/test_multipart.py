"""Multipart uploads: completion rules and errors, ETags, copies of ranges, listing
parts and uploads, aborting, and checksums of whole uploads."""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.s3.core_support import error_of

MIB = 1024 * 1024
PART = 5 * MIB


def multipart_etag(parts: list[bytes]) -> str:
    md5s = b"".join(hashlib.md5(p).digest() for p in parts)
    return f'"{hashlib.md5(md5s).hexdigest()}-{len(parts)}"'


def upload_parts(s3: Any, bucket: str, key: str, upload_id: str, parts: list[bytes], **extra: Any) -> list[dict[str, Any]]:
    done = []
    for number, data in enumerate(parts, 1):
        result = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data, **extra)
        entry = {"PartNumber": number, "ETag": result["ETag"]}
        for member in ("ChecksumCRC32", "ChecksumCRC32C", "ChecksumSHA1", "ChecksumSHA256"):
            if extra.get("ChecksumAlgorithm") and member in result:
                entry[member] = result[member]
        done.append(entry)
    return done


def assert_still_pending(s3: Any, bucket: str, upload_id: str) -> None:
    """A refused completion completes nothing: the upload is still listed and no object was written."""
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])] == [upload_id]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.fixture(scope="module")
def big_parts() -> list[bytes]:
    return [os.urandom(PART), os.urandom(PART), b"tail bytes"]


def test_complete_joins_parts_and_etag_is_md5_of_md5s_dash_count(s3: Any, bucket: str, big_parts: list[bytes]) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big", ContentType="video/mp4", Metadata={"m": "1"})
    parts = upload_parts(s3, bucket, "big", upload["UploadId"], big_parts)
    assert [p["ETag"] for p in parts] == [f'"{hashlib.md5(p).hexdigest()}"' for p in big_parts]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": parts})
    assert done["ETag"] == multipart_etag(big_parts)
    assert (done["Bucket"], done["Key"]) == (bucket, "big")
    got = s3.get_object(Bucket=bucket, Key="big")
    assert got["Body"].read() == b"".join(big_parts)
    assert got["ETag"] == multipart_etag(big_parts)
    assert got["ContentType"] == "video/mp4"
    assert got["Metadata"] == {"m": "1"}
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_get_by_part_number_returns_that_part(s3: Any, bucket: str, big_parts: list[bytes]) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    parts = upload_parts(s3, bucket, "big", upload_id, big_parts)
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id, MultipartUpload={"Parts": parts})
    got = s3.get_object(Bucket=bucket, Key="big", PartNumber=3)
    assert got["Body"].read() == big_parts[2]
    assert got["PartsCount"] == 3
    assert got["ContentRange"] == f"bytes {2 * PART}-{2 * PART + len(big_parts[2]) - 1}/{2 * PART + len(big_parts[2])}"
    assert s3.head_object(Bucket=bucket, Key="big", PartNumber=1)["ContentLength"] == PART


def test_parts_count_is_given_only_to_a_read_by_part_number(s3: Any, bucket: str, big_parts: list[bytes]) -> None:
    # HeadObject/GetObject PartsCount: "only returned if you specify partNumber in your request".
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="counted")["UploadId"]
    parts = upload_parts(s3, bucket, "counted", upload_id, big_parts)
    s3.complete_multipart_upload(Bucket=bucket, Key="counted", UploadId=upload_id, MultipartUpload={"Parts": parts})
    for read in (s3.get_object, s3.head_object):
        assert read(Bucket=bucket, Key="counted", PartNumber=1)["PartsCount"] == len(big_parts)
        assert "PartsCount" not in read(Bucket=bucket, Key="counted")


def test_a_single_small_part_is_a_valid_upload(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="one")["UploadId"]
    parts = upload_parts(s3, bucket, "one", upload_id, [b"only part"])
    done = s3.complete_multipart_upload(Bucket=bucket, Key="one", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert done["ETag"] == multipart_etag([b"only part"])
    assert s3.get_object(Bucket=bucket, Key="one")["Body"].read() == b"only part"


def test_parts_below_5_mib_other_than_the_last_are_entity_too_small(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="small")["UploadId"]
    parts = upload_parts(s3, bucket, "small", upload_id, [b"a" * 1024, b"b" * 1024])
    code, status, _ = error_of(s3.complete_multipart_upload, Bucket=bucket, Key="small", UploadId=upload_id,
                               MultipartUpload={"Parts": parts})
    assert (code, status) == ("EntityTooSmall", 400)
    # The upload is still there to be fixed or aborted.
    assert len(s3.list_parts(Bucket=bucket, Key="small", UploadId=upload_id)["Parts"]) == 2


def test_wrong_part_etag_or_missing_part_is_invalid_part(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, [b"x"])
    wrong = [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]
    code, status, _ = error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                               MultipartUpload={"Parts": wrong})
    assert (code, status) == ("InvalidPart", 400)
    missing = [{"PartNumber": 2, "ETag": parts[0]["ETag"]}]
    code, status, _ = error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                               MultipartUpload={"Parts": missing})
    assert (code, status) == ("InvalidPart", 400)


def test_parts_out_of_order_are_invalid_part_order(s3: Any, bucket: str, big_parts: list[bytes]) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, big_parts[:2])
    code, status, _ = error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                               MultipartUpload={"Parts": list(reversed(parts))})
    assert (code, status) == ("InvalidPartOrder", 400)


@pytest.mark.parametrize("numbers", [(1, 3), (2, 3)])
def test_with_part_checksums_the_parts_must_be_numbered_from_1_without_a_gap(
    s3: Any, bucket: str, numbers: tuple[int, int]
) -> None:
    # "When an additional checksum ... is applied to each part, the PartNumber must start at 1 and
    # the part numbers must be consecutive. Otherwise, Amazon S3 generates ... InvalidPartOrder"
    # (CompletedPart, PartNumber, in the S3 API reference).
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32")["UploadId"]
    parts = []
    for number, data in zip(numbers, (os.urandom(PART), b"tail"), strict=True):
        done = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=number, Body=data,
                              ChecksumAlgorithm="CRC32")
        parts.append({"PartNumber": number, "ETag": done["ETag"], "ChecksumCRC32": done["ChecksumCRC32"]})
    code, status, _ = error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                               MultipartUpload={"Parts": parts})
    assert (code, status) == ("InvalidPartOrder", 400)


def test_completing_with_no_parts_is_malformed_xml(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    code, status, _ = error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                               MultipartUpload={"Parts": []})
    assert (code, status) == ("MalformedXML", 400)


def test_part_number_outside_1_to_10000_is_invalid_argument(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    for number in (0, 10001):
        code, status, _ = error_of(s3.upload_part, Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=number, Body=b"x")
        assert (code, status) == ("InvalidArgument", 400)


@pytest.mark.parametrize("number", [0, -1])
def test_a_part_number_below_1_on_completion_is_invalid_argument(s3: Any, bucket: str, number: int) -> None:
    # S3 names the number (versitygw's CompleteMultipartUpload_invalid_part_number), where the
    # order of the parts alone would have made it InvalidPartOrder.
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, [b"x"])
    with pytest.raises(ClientError) as info:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                     MultipartUpload={"Parts": [{"PartNumber": number, "ETag": parts[0]["ETag"]}]})
    error = info.value.response["Error"]
    assert (error["Code"], info.value.response["ResponseMetadata"]["HTTPStatusCode"], error["Message"]) == (
        "InvalidArgument", 400, "PartNumber must be >= 1")
    assert (error["ArgumentName"], error["ArgumentValue"]) == ("PartNumber", str(number))
    assert_still_pending(s3, bucket, upload_id)


def test_reuploading_a_part_number_replaces_it(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"first")
    etag = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"second")["ETag"]
    listed = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed] == [(1, etag, 6)]
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"


def test_upload_part_copy_copies_byte_ranges_of_another_object(s3: Any, bucket: str) -> None:
    source = os.urandom(PART + 1000)
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="assembled")["UploadId"]
    copy_source = {"Bucket": bucket, "Key": "source"}
    first = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload_id, PartNumber=1,
                                CopySource=copy_source, CopySourceRange=f"bytes=0-{PART - 1}")
    second = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload_id, PartNumber=2,
                                 CopySource=copy_source, CopySourceRange=f"bytes={PART}-{PART + 999}")
    whole = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload_id, PartNumber=3, CopySource=copy_source)
    assert first["CopyPartResult"]["ETag"] == f'"{hashlib.md5(source[:PART]).hexdigest()}"'
    assert whole["CopyPartResult"]["ETag"] == f'"{hashlib.md5(source).hexdigest()}"'
    # Part 2 is below 5 MiB, so it can only go last: complete with parts 1 and 2.
    parts = [{"PartNumber": 1, "ETag": first["CopyPartResult"]["ETag"]},
             {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]}]
    s3.complete_multipart_upload(Bucket=bucket, Key="assembled", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert s3.get_object(Bucket=bucket, Key="assembled")["Body"].read() == source[: PART + 1000]


def test_upload_part_copy_range_beyond_the_source_is_invalid_argument(s3: Any, bucket: str) -> None:
    # AWS's recorded answer names the source's size (a range starting past the end: InvalidRequest).
    s3.put_object(Bucket=bucket, Key="source", Body=b"0123456789")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    assert error_of(s3.upload_part_copy, Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1,
                    CopySource={"Bucket": bucket, "Key": "source"}, CopySourceRange="bytes=0-10") == (
        "InvalidArgument", 400, "Range specified is not valid for source object of size: 10")


def test_upload_part_copy_of_a_missing_source_is_no_such_key(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    code, status, _ = error_of(s3.upload_part_copy, Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1,
                               CopySource={"Bucket": bucket, "Key": "absent"})
    assert (code, status) == ("NoSuchKey", 404)


def test_list_parts_pages_with_part_number_markers(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    upload_parts(s3, bucket, "k", upload_id, [bytes([n]) * (n + 1) for n in range(5)])
    first = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id, MaxParts=2)
    assert [p["PartNumber"] for p in first["Parts"]] == [1, 2]
    assert first["IsTruncated"] is True
    assert first["NextPartNumberMarker"] == 2
    assert first["MaxParts"] == 2
    second = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id, MaxParts=2, PartNumberMarker=2)
    assert [p["PartNumber"] for p in second["Parts"]] == [3, 4]
    last = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id, MaxParts=2, PartNumberMarker=4)
    assert [(p["PartNumber"], p["Size"]) for p in last["Parts"]] == [(5, 5)]
    assert last["IsTruncated"] is False
    everything = [p["PartNumber"] for page in s3.get_paginator("list_parts").paginate(
        Bucket=bucket, Key="k", UploadId=upload_id, PaginationConfig={"PageSize": 2}) for p in page["Parts"]]
    assert everything == [1, 2, 3, 4, 5]


def test_list_multipart_uploads_shows_pending_uploads_by_key(s3: Any, bucket: str) -> None:
    ids = {key: s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"] for key in ("logs/b", "logs/a", "data")}
    listing = s3.list_multipart_uploads(Bucket=bucket)
    assert [(u["Key"], u["UploadId"]) for u in listing["Uploads"]] == [
        ("data", ids["data"]), ("logs/a", ids["logs/a"]), ("logs/b", ids["logs/b"])]
    assert all(u["Initiated"] and u["Owner"]["ID"] for u in listing["Uploads"])
    assert [u["Key"] for u in s3.list_multipart_uploads(Bucket=bucket, Prefix="logs/")["Uploads"]] == ["logs/a", "logs/b"]
    folded = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [u["Key"] for u in folded["Uploads"]] == ["data"]
    assert [p["Prefix"] for p in folded["CommonPrefixes"]] == ["logs/"]
    first = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert first["IsTruncated"] is True
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker=first["NextKeyMarker"],
                                     UploadIdMarker=first["NextUploadIdMarker"])
    assert [u["Key"] for u in first["Uploads"] + rest["Uploads"]] == ["data", "logs/a", "logs/b"]


def test_list_multipart_uploads_names_each_uploads_checksum_algorithm_and_type(s3: Any, bucket: str) -> None:
    """A listed upload started with a checksum algorithm names it and its checksum type, as ListParts does
    (S3 API Reference, the MultipartUpload data type: ChecksumAlgorithm, ChecksumType; LocalStack's S3
    provider, written to its AWS-validated snapshots, lists both; moto's
    test_multipart_response_contains_checksum_attributes); one started without lists neither."""
    s3.create_multipart_upload(Bucket=bucket, Key="a", ChecksumAlgorithm="SHA256")
    s3.create_multipart_upload(Bucket=bucket, Key="b", ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT")
    s3.create_multipart_upload(Bucket=bucket, Key="c")
    listed = {u["Key"]: u for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]}
    assert (listed["a"]["ChecksumAlgorithm"], listed["a"]["ChecksumType"]) == ("SHA256", "COMPOSITE")
    assert (listed["b"]["ChecksumAlgorithm"], listed["b"]["ChecksumType"]) == ("CRC32", "FULL_OBJECT")
    assert "ChecksumAlgorithm" not in listed["c"] and "ChecksumType" not in listed["c"]


def test_abort_discards_the_upload_and_its_parts(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    upload_parts(s3, bucket, "k", upload_id, [b"x"])
    assert s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)["ResponseMetadata"]["HTTPStatusCode"] == 204
    code, status, _ = error_of(s3.list_parts, Bucket=bucket, Key="k", UploadId=upload_id)
    assert (code, status) == ("NoSuchUpload", 404)
    code, status, _ = error_of(s3.upload_part, Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1, Body=b"x")
    assert (code, status) == ("NoSuchUpload", 404)
    code, status, _ = error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                               MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"x"'}]})
    assert (code, status) == ("NoSuchUpload", 404)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_aborting_a_just_completed_upload_succeeds_and_keeps_the_object(s3: Any, bucket: str) -> None:
    """The cleanup AWS's own SDK tests make after completing an upload (boto3's integration tests,
    the JavaScript SDK's e2e tests) gets 204 from S3 for a while; the object is not touched."""
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, [b"whole"])
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={"Parts": parts})
    answer = s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"whole"
    # Named under another key, the completed upload is still unknown.
    code, status, _ = error_of(s3.abort_multipart_upload, Bucket=bucket, Key="other", UploadId=upload_id)
    assert (code, status) == ("NoSuchUpload", 404)


def test_unknown_upload_id_is_no_such_upload(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(s3.abort_multipart_upload, Bucket=bucket, Key="k", UploadId="not-an-upload")
    assert (code, status) == ("NoSuchUpload", 404)


def test_pending_upload_is_invisible_until_completed(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    upload_parts(s3, bucket, "k", upload_id, [b"x"])
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    code, status, _ = error_of(s3.get_object, Bucket=bucket, Key="k")
    assert (code, status) == ("NoSuchKey", 404)


def test_composite_sha256_checksum_of_a_multipart_upload(s3: Any, bucket: str, big_parts: list[bytes]) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")
    assert upload["ChecksumAlgorithm"] == "SHA256"
    parts = upload_parts(s3, bucket, "k", upload["UploadId"], big_parts, ChecksumAlgorithm="SHA256")
    digests = [hashlib.sha256(p).digest() for p in big_parts]
    assert [p["ChecksumSHA256"] for p in parts] == [base64.b64encode(d).decode() for d in digests]
    listed = s3.list_parts(Bucket=bucket, Key="k", UploadId=upload["UploadId"])
    assert [p["ChecksumSHA256"] for p in listed["Parts"]] == [p["ChecksumSHA256"] for p in parts]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": parts})
    expected = f"{base64.b64encode(hashlib.sha256(b''.join(digests)).digest()).decode()}-3"
    assert done["ChecksumSHA256"] == expected
    got = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == expected
    assert got["ChecksumType"] == "COMPOSITE"
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectParts", "Checksum"])
    assert attributes["ObjectParts"]["TotalPartsCount"] == 3
    assert attributes["Checksum"]["ChecksumSHA256"] == expected.split("-")[0]  # given without the part count
    assert attributes["Checksum"]["ChecksumType"] == "COMPOSITE"


def test_a_part_of_a_composite_object_is_read_with_its_own_checksum(s3: Any, plain: Any, bucket: str) -> None:
    # Read by part number, a COMPOSITE object answers that part's checksum, not the checksum of
    # checksums (localstack#12840/#12842); the PHP SDK's s3TransferManager.feature ("Multipart upload
    # with custom checksum algorithm") downloads part by part and validates each with it.
    for key, data in (("two", [b"a" * PART, b"tail"]), ("one", [b"only part"])):
        upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256")["UploadId"]
        parts = upload_parts(s3, bucket, key, upload_id, data, ChecksumAlgorithm="SHA256")
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
        for number, body in enumerate(data, 1):
            own = base64.b64encode(hashlib.sha256(body).digest()).decode()
            got = s3.get_object(Bucket=bucket, Key=key, PartNumber=number, ChecksumMode="ENABLED")
            assert (got["ChecksumSHA256"], got["ChecksumType"]) == (own, "COMPOSITE")
            assert got["Body"].read() == body  # botocore validates the part's checksum as it reads
            head = s3.head_object(Bucket=bucket, Key=key, PartNumber=number, ChecksumMode="ENABLED")
            assert head["ChecksumSHA256"] == own
        assert "ChecksumSHA256" not in plain.get_object(Bucket=bucket, Key=key, PartNumber=1)  # not asked


def test_full_object_crc32_checksum_of_a_multipart_upload(s3: Any, bucket: str, big_parts: list[bytes]) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT")
    assert upload["ChecksumType"] == "FULL_OBJECT"
    parts = upload_parts(s3, bucket, "k", upload["UploadId"], big_parts, ChecksumAlgorithm="CRC32")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": parts})
    expected = base64.b64encode(zlib.crc32(b"".join(big_parts)).to_bytes(4, "big")).decode()
    assert done["ChecksumCRC32"] == expected
    assert done["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert (got["ChecksumCRC32"], got["ChecksumType"]) == (expected, "FULL_OBJECT")
    assert got["Body"].read() == b"".join(big_parts)  # botocore validates the full-object CRC32 as it reads


def test_full_object_checksum_type_refuses_sha256(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(s3.create_multipart_upload, Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256",
                               ChecksumType="FULL_OBJECT")
    assert (code, status) == ("InvalidRequest", 400)


def test_wrong_full_object_checksum_on_completion_is_bad_digest(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32",
                                           ChecksumType="FULL_OBJECT")["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, [b"part one"], ChecksumAlgorithm="CRC32")
    right = base64.b64encode(zlib.crc32(b"part one").to_bytes(4, "big")).decode()
    code, status, _ = error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                               ChecksumCRC32="AAAAAA==", ChecksumType="FULL_OBJECT", MultipartUpload={"Parts": parts})
    assert (code, status) == ("BadDigest", 400)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, ChecksumCRC32=right,
                                        ChecksumType="FULL_OBJECT", MultipartUpload={"Parts": parts})
    assert done["ChecksumCRC32"] == right


@pytest.mark.parametrize("stated", ["SHA256", "full-object"])
def test_complete_with_an_invalid_checksum_type_is_invalid_request(s3: Any, bucket: str, stated: str) -> None:
    # versitygw's CompleteMultipartUpload_invalid_checksum_type; the header is judged before the parts.
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32",
                                           ChecksumType="FULL_OBJECT")["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, [b"part one"], ChecksumAlgorithm="CRC32")
    for listed in (parts, []):
        assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                        ChecksumType=stated, MultipartUpload={"Parts": listed}) == (
            "InvalidRequest", 400, "Value for x-amz-checksum-type header is invalid.")
    assert_still_pending(s3, bucket, upload_id)


@pytest.mark.parametrize(("created", "stated"), [("FULL_OBJECT", "COMPOSITE"), ("COMPOSITE", "full_object")])
def test_complete_with_another_checksum_type_than_the_upload_is_invalid_request(
    s3: Any, bucket: str, created: str, stated: str
) -> None:
    # versitygw's CompleteMultipartUpload_checksum_type_mismatch: the message names the upload's own mode.
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32",
                                           ChecksumType=created)["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, [b"part one"], ChecksumAlgorithm="CRC32")
    for listed in (parts, []):
        assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                        ChecksumType=stated, MultipartUpload={"Parts": listed}) == (
            "InvalidRequest", 400,
            f"The upload was created using the {created} checksum mode. The complete request must use the same "
            "checksum mode.")
    assert_still_pending(s3, bucket, upload_id)
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, ChecksumType=created.lower(),
                                        MultipartUpload={"Parts": parts})
    assert done["ChecksumType"] == created


@pytest.mark.parametrize("stated", ["FULL_OBJECT", "COMPOSITE"])
def test_complete_of_an_upload_created_without_a_checksum_takes_either_checksum_type(
    s3: Any, bucket: str, stated: str
) -> None:
    # Such an upload has no checksum type of its own to compare with, and no recorded S3 answer
    # shows a refusal, so the header is taken; the object gets S3's default full-object CRC64NVME.
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, [b"part one"])
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, ChecksumType=stated,
                                        MultipartUpload={"Parts": parts})
    assert done["ChecksumType"] == "FULL_OBJECT"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"part one"


def test_a_full_object_upload_takes_parts_sent_without_a_checksum(plain: Any, bucket: str) -> None:
    # A FULL_OBJECT upload's parts need no checksum of their own: S3 computes the part's with the
    # upload's algorithm, and the full-object value comes with the completion (the PHP SDK's
    # s3TransferManager.feature "Multipart upload with custom checksum" uploads its parts so, with
    # request_checksum_calculation when_required; versitygw#1342). A part of another algorithm is
    # still refused, as is a part without one in a COMPOSITE upload (test_recorded_s3_parity).
    data = [b"*" * PART, b"*" * 1024]
    upload_id = plain.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32",
                                              ChecksumType="FULL_OBJECT")["UploadId"]
    parts = []
    for number, body in enumerate(data, 1):
        answer = plain.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=number, Body=body)
        assert answer["ChecksumCRC32"] == base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
        parts.append({"PartNumber": number, "ETag": answer["ETag"]})
    assert error_of(plain.upload_part, Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=3, Body=b"x",
                    ChecksumSHA256=base64.b64encode(hashlib.sha256(b"x").digest()).decode()) == (
        "InvalidRequest", 400,
        "Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: sha256")
    whole = base64.b64encode(zlib.crc32(b"".join(data)).to_bytes(4, "big")).decode()
    done = plain.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, ChecksumCRC32=whole,
                                           ChecksumType="FULL_OBJECT", MpuObjectSize=PART + 1024,
                                           MultipartUpload={"Parts": parts})
    assert (done["ChecksumCRC32"], done["ChecksumType"]) == (whole, "FULL_OBJECT")
    attributes = plain.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Checksum"])
    assert attributes["Checksum"] == {"ChecksumCRC32": whole, "ChecksumType": "FULL_OBJECT"}


def test_part_with_a_wrong_checksum_is_refused(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="SHA256")["UploadId"]
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    code, status, _ = error_of(s3.upload_part, Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1,
                               Body=b"data", ChecksumSHA256=wrong)
    assert (code, status) == ("BadDigest", 400)
    assert s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id).get("Parts", []) == []


def test_upload_part_copy_gives_the_part_the_uploads_checksum(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"some value")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dst", ChecksumAlgorithm="SHA256")["UploadId"]
    copied = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload, PartNumber=1,
                                 CopySource={"Bucket": bucket, "Key": "src"})["CopyPartResult"]
    part_sha = hashlib.sha256(b"some value").digest()
    assert copied["ChecksumSHA256"] == base64.b64encode(part_sha).decode()
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": copied["ETag"], "ChecksumSHA256": copied["ChecksumSHA256"]}]})
    attributes = s3.get_object_attributes(Bucket=bucket, Key="dst", ObjectAttributes=["Checksum"])
    assert attributes["Checksum"]["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(part_sha).digest()).decode()


def test_a_checksum_algorithm_in_lower_case_is_answered_in_s3s_spelling(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="lower", ChecksumAlgorithm="crc32")
    assert (upload["ChecksumAlgorithm"], upload["ChecksumType"]) == ("CRC32", "COMPOSITE")
    listed = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [u["ChecksumAlgorithm"] for u in listed if u["UploadId"] == upload["UploadId"]] == ["CRC32"]
    s3.abort_multipart_upload(Bucket=bucket, Key="lower", UploadId=upload["UploadId"])


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def test_complete_with_two_final_checksum_headers_is_invalid_request(s3: Any, bucket: str) -> None:
    # versitygw's CompleteMultipartUpload_multiple_final_checksums (recorded against S3): refused as
    # PutObject refuses two, and before the part list is looked at.
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32")["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, [b"part one"], ChecksumAlgorithm="CRC32")
    for listed in (parts, []):
        assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                        ChecksumCRC32=b64(zlib.crc32(b"part one").to_bytes(4, "big")), ChecksumCRC32C="/2NsFg==",
                        MultipartUpload={"Parts": listed}) == (
            "InvalidRequest", 400,
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
    assert_still_pending(s3, bucket, upload_id)


@pytest.mark.parametrize(
    ("algorithm", "checksum_type", "value"),
    [
        # versitygw's CompleteMultipartUpload_invalid_final_checksums and ..._invalid_final_composite_checksum
        ("CRC32", "COMPOSITE", "invalid_crc32"),
        ("CRC32", "COMPOSITE", "ImIEBA==-smth"),
        ("CRC32C", "FULL_OBJECT", "AQIDBA==-12a"),
        ("SHA1", "COMPOSITE", "2jmj7l5rSw0yVb/vlWAYkK/YBwk=-10-20"),
        ("SHA256", "COMPOSITE", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=--3"),
        ("CRC64NVME", "FULL_OBJECT", "invalid_crc64nvme"),
        # base64 of a CRC32's size on a SHA256 upload; base64 that decodes to 4 bytes but is not
        # their encoding (open-io/swift's test_mpu_complete_invalid_checksum, run against AWS)
        ("SHA256", "COMPOSITE", "ImIEBA=="),
        ("CRC32", "COMPOSITE", "y/Q5Jh=="),
    ],
)
def test_complete_with_a_malformed_final_checksum_is_invalid_request(
    s3: Any, bucket: str, algorithm: str, checksum_type: str, value: str
) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm=algorithm,
                                           ChecksumType=checksum_type)["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, [b"part one"], ChecksumAlgorithm=algorithm)
    member = f"Checksum{algorithm}"
    for listed in (parts, []):  # judged before the parts are
        assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                        MultipartUpload={"Parts": listed}, **{member: value}) == (
            "InvalidRequest", 400, f"Value for x-amz-checksum-{algorithm.lower()} header is invalid.")
    assert_still_pending(s3, bucket, upload_id)
    # A well-formed value (with a part count when COMPOSITE) that does not match is still a BadDigest.
    zeros = b64(bytes(len(base64.b64decode(s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id)
                                           ["Parts"][0][member]))))
    wrong = f"{zeros}-1" if checksum_type == "COMPOSITE" else zeros
    code, status, _ = error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                               MultipartUpload={"Parts": parts}, **{member: wrong})
    assert (code, status) == ("BadDigest", 400)
    assert_still_pending(s3, bucket, upload_id)


@pytest.mark.parametrize(
    ("algorithm", "checksum_type", "sent"),
    [
        # versitygw's CompleteMultipartUpload_invalid_checksum_part
        ("CRC32", "FULL_OBJECT", {"ChecksumCRC32": "invalid_checksum"}),
        # versitygw's CompleteMultipartUpload_multiple_checksum_part: the part's own CRC32 and a SHA1
        ("CRC32", "COMPOSITE", {"ChecksumCRC32": b64(zlib.crc32(b"part one").to_bytes(4, "big")),
                                "ChecksumSHA1": "Kq5sNclPz7QV2+lfQIuc6R7oRu0="}),
        # open-io/swift's test_mpu_complete_invalid_part_checksum (run against AWS): 4 bytes, not their encoding
        ("CRC32", "COMPOSITE", {"ChecksumCRC32": "y/Q5Jh=="}),
        ("SHA256", "COMPOSITE", {"ChecksumSHA256": "ImIEBA=="}),  # base64 of a CRC32's size
    ],
)
def test_a_part_with_an_invalid_or_a_second_checksum_is_invalid_argument(
    s3: Any, bucket: str, algorithm: str, checksum_type: str, sent: dict[str, str]
) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm=algorithm,
                                           ChecksumType=checksum_type)["UploadId"]
    etag = upload_parts(s3, bucket, "k", upload_id, [b"part one"], ChecksumAlgorithm=algorithm)[0]["ETag"]
    with pytest.raises(ClientError) as info:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag, **sent}]})
    response = info.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"]["Message"]) == (
        "InvalidArgument", 400, "Invalid Base64 or multiple checksums present in request")
    expected_value = "".join(f"{member.removeprefix('Checksum')}:{value};" for member, value in sorted(sent.items()))
    assert (response["Error"]["ArgumentName"], response["Error"]["ArgumentValue"]) == ("Checksum", expected_value)
    assert_still_pending(s3, bucket, upload_id)


@pytest.mark.parametrize(
    ("algorithm", "checksum_type", "other", "number"),
    [
        ("CRC32C", "FULL_OBJECT", "SHA256", 1),  # versitygw's CompleteMultipartUpload_different_checksum_part
        ("SHA1", "COMPOSITE", "CRC32", 2),
    ],
)
def test_a_part_checksum_of_another_algorithm_than_the_uploads_is_bad_digest(
    s3: Any, bucket: str, algorithm: str, checksum_type: str, other: str, number: int
) -> None:
    data = [os.urandom(PART), b"tail"]
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm=algorithm,
                                           ChecksumType=checksum_type)["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, data, ChecksumAlgorithm=algorithm)
    other_value = {"SHA256": b64(hashlib.sha256(data[number - 1]).digest()),
                   "CRC32": b64(zlib.crc32(data[number - 1]).to_bytes(4, "big"))}[other]
    parts[number - 1] = {"PartNumber": number, "ETag": parts[number - 1]["ETag"], f"Checksum{other}": other_value}
    assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                    MultipartUpload={"Parts": parts}) == (
        "BadDigest", 400, f"The {other.lower()} you specified for part {number} did not match what we received.")
    assert_still_pending(s3, bucket, upload_id)


# -- as open-io/swift's test/s3api/test_object_checksums.py asserts against AWS ------------------------


def test_part_checksums_are_judged_before_part_sizes(s3: Any, bucket: str) -> None:
    # test_mpu_complete_mixed_checksums: two 9-byte parts, the second named with another algorithm's
    # checksum: the checksum is refused, not the first part's size.
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32C")["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, [b"123456789", b"123456789"], ChecksumAlgorithm="CRC32C")
    parts[1] = {"PartNumber": 2, "ETag": parts[1]["ETag"], "ChecksumCRC32": "y/Q5Jg=="}
    assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                    MultipartUpload={"Parts": parts}) == (
        "BadDigest", 400, "The crc32 you specified for part 2 did not match what we received.")
    assert_still_pending(s3, bucket, upload_id)


def test_a_wrong_part_checksum_beside_a_claimed_composite_is_bad_digest(s3: Any, bucket: str) -> None:
    # test_mpu_complete_bad_part_checksum_good_global_checksum: the claim is checked against the parts'
    # checksums as named (and in lower case, unlike PutObject's); without a claim the part is InvalidPart.
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32")["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, [b"123456789"], ChecksumAlgorithm="CRC32")
    composite = b64(zlib.crc32(base64.b64decode(parts[0]["ChecksumCRC32"])).to_bytes(4, "big"))
    bad = [{**parts[0], "ChecksumCRC32": "z/Q5Jg=="}]
    assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                    ChecksumCRC32=composite + "-1", MultipartUpload={"Parts": bad}) == (
        "BadDigest", 400, "The crc32 you specified did not match the calculated checksum.")
    code, status, _ = error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                               MultipartUpload={"Parts": bad})
    assert (code, status) == ("InvalidPart", 400)
    assert_still_pending(s3, bucket, upload_id)
    done = s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id,
                                        ChecksumCRC32=composite + "-1", MultipartUpload={"Parts": parts})
    assert done["ChecksumCRC32"] == composite + "-1"


def test_an_invalid_part_names_its_etag_without_quotes(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    with pytest.raises(ClientError) as info:
        s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": '"25f9e794323b453885f5181f1b624d0b"'}]})
    assert (info.value.response["Error"]["Code"], info.value.response["Error"]["ETag"]) == (
        "InvalidPart", "25f9e794323b453885f5181f1b624d0b")


@pytest.mark.parametrize("checksum_type", ["FULL_OBJECT", "COMPOSITE"])
def test_a_checksum_type_without_an_algorithm_is_invalid_request(s3: Any, bucket: str, checksum_type: str) -> None:
    # test_mpu_create_no_checksum_algo_and_*_checksum_type (and versity/versitygw's
    # CreateMultipartUpload_empty_checksum_algorithm_with_checksum_type)
    assert error_of(s3.create_multipart_upload, Bucket=bucket, Key="k", ChecksumType=checksum_type) == (
        "InvalidRequest", 400,
        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")


def test_a_list_of_checksum_algorithms_is_invalid_request(s3: Any, bucket: str) -> None:
    # test_mpu_create_multiple_checksum_algorithms
    assert error_of(s3.create_multipart_upload, Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32,CRC32C") == (
        "InvalidRequest", 400, "Invalid types are specified in x-amz-checksum-algorithm header.")
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_a_part_named_without_its_etag_is_malformed_xml(s3: Any, bucket: str) -> None:
    # OpenStack Swift's test_multipart_mpu_no_etags (recorded against AWS): the schema wants each ETag.
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k", ChecksumAlgorithm="CRC32")["UploadId"]
    parts = upload_parts(s3, bucket, "k", upload_id, [b"x"], ChecksumAlgorithm="CRC32")
    assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                    MultipartUpload={"Parts": [{"PartNumber": 1, "ChecksumCRC32": parts[0]["ChecksumCRC32"]}]}) == (
        "MalformedXML", 400,
        "The XML you provided was not well-formed or did not validate against our published schema")
    assert_still_pending(s3, bucket, upload_id)
