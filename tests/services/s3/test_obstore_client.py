"""S3 through obstore, the Python bindings of the Rust `object_store` crate (what Arrow, Polars and
DataFusion read S3 with): its own SigV4 signer, reqwest for HTTP, quick-xml for listings, its own
multipart uploads, conditional puts (If-None-Match / If-Match) and signed URLs. Nothing here goes
through botocore; boto3 only creates the buckets and reads back what obstore stored."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from typing import Any

import obstore
import pytest
import urllib3
from awscrt import checksums
from obstore.exceptions import (
    AlreadyExistsError,
    GenericError,
    NotModifiedError,
    PermissionDeniedError,
    PreconditionError,
)
from obstore.store import S3Store

from tests.conftest import ROOT_KEY, ROOT_SECRET, ServerProcess

MIB = 1024 * 1024


def store(server: ServerProcess, bucket: str, **config: Any) -> S3Store:
    options = {
        "endpoint": server.endpoint,
        "region": "us-east-1",
        "access_key_id": ROOT_KEY,
        "secret_access_key": ROOT_SECRET,
        "virtual_hosted_style_request": False,
        **config,
    }
    return S3Store(
        bucket,
        client_options={"allow_http": True},
        retry_config={  # an error is the answer under test, not something to retry
            "max_retries": 0,
            "backoff": {
                "init_backoff": timedelta(milliseconds=10),
                "max_backoff": timedelta(milliseconds=10),
                "base": 2,
            },
            "retry_timeout": timedelta(seconds=5),
        },
        **options,
    )


@pytest.fixture
def st(server: ServerProcess, bucket: str) -> S3Store:
    return store(server, bucket)


def md5_etag(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def test_put_get_head_round_trip_bytes_etag_and_attributes(st: S3Store, s3: Any, bucket: str) -> None:
    attributes = {
        "Content-Type": "text/csv",
        "Cache-Control": "no-cache",
        "Content-Disposition": "inline",
        "origin": "test",
    }
    written = obstore.put(st, "dir/a.csv", b"x,y\n1,2\n", attributes=attributes, tags={"stage": "raw"})
    assert written["e_tag"] == md5_etag(b"x,y\n1,2\n")
    fetched = obstore.get(st, "dir/a.csv")
    assert bytes(fetched.bytes()) == b"x,y\n1,2\n"
    assert fetched.attributes == attributes
    head = obstore.head(st, "dir/a.csv")
    assert (head["size"], head["e_tag"], head["path"]) == (8, written["e_tag"], "dir/a.csv")
    assert s3.head_object(Bucket=bucket, Key="dir/a.csv")["Metadata"] == {"origin": "test"}
    assert s3.get_object_tagging(Bucket=bucket, Key="dir/a.csv")["TagSet"] == [
        {"Key": "stage", "Value": "raw"}
    ]


def test_ranges_suffixes_and_offsets(st: S3Store) -> None:
    obstore.put(st, "r.txt", b"hello obstore")
    assert bytes(obstore.get_range(st, "r.txt", start=1, end=4)) == b"ell"
    assert [bytes(b) for b in obstore.get_ranges(st, "r.txt", starts=[0, 6], ends=[5, 13])] == [
        b"hello",
        b"obstore",
    ]
    assert bytes(obstore.get(st, "r.txt", options={"range": {"suffix": 3}}).bytes()) == b"ore"
    assert bytes(obstore.get(st, "r.txt", options={"range": {"offset": 6}}).bytes()) == b"obstore"


def test_range_past_the_end_is_416_invalid_range(st: S3Store) -> None:
    obstore.put(st, "r.txt", b"short")
    with pytest.raises(GenericError) as info:
        obstore.get_range(st, "r.txt", start=100, end=200)
    assert "416 Range Not Satisfiable" in str(info.value) and "<Code>InvalidRange</Code>" in str(info.value)


# obstore raises its NotFoundError as Python's FileNotFoundError.
def test_missing_key_and_bucket_are_not_found(server: ServerProcess, st: S3Store, bucket: str) -> None:
    with pytest.raises(FileNotFoundError) as info:
        obstore.get(st, "nope")
    assert "<Code>NoSuchKey</Code>" in str(info.value)
    with pytest.raises(FileNotFoundError):
        obstore.head(st, "nope")
    with pytest.raises(FileNotFoundError) as gone:
        obstore.put(store(server, f"{bucket}-gone"), "k", b"x")
    assert "<Code>NoSuchBucket</Code>" in str(gone.value)


def test_read_preconditions_map_to_not_modified_and_precondition_errors(st: S3Store) -> None:
    obstore.put(st, "c.txt", b"cond")
    meta = obstore.head(st, "c.txt")
    with pytest.raises(NotModifiedError):  # 304
        obstore.get(st, "c.txt", options={"if_none_match": meta["e_tag"]})
    with pytest.raises(NotModifiedError):
        obstore.get(st, "c.txt", options={"if_modified_since": meta["last_modified"]})
    with pytest.raises(PreconditionError) as info:  # 412
        obstore.get(st, "c.txt", options={"if_match": '"0000"'})
    assert "<Condition>If-Match</Condition>" in str(info.value)
    with pytest.raises(PreconditionError):
        obstore.get(st, "c.txt", options={"if_unmodified_since": meta["last_modified"] - timedelta(days=1)})
    assert bytes(obstore.get(st, "c.txt", options={"if_match": meta["e_tag"]}).bytes()) == b"cond"


def test_listing_with_and_without_delimiter(st: S3Store) -> None:
    for path in ("d/e/f", "d/g", "d/h", "top"):
        obstore.put(st, path, path.encode())
    flat = [m["path"] for m in obstore.list(st, "d").collect()]
    assert flat == ["d/e/f", "d/g", "d/h"]
    nested = obstore.list_with_delimiter(st, "d")
    assert nested["common_prefixes"] == ["d/e"]
    assert [(m["path"], m["size"], m["e_tag"]) for m in nested["objects"]] == [
        ("d/g", 3, md5_etag(b"d/g")),
        ("d/h", 3, md5_etag(b"d/h")),
    ]
    root = obstore.list_with_delimiter(st)
    assert (root["common_prefixes"], [m["path"] for m in root["objects"]]) == (["d"], ["top"])
    assert [m["path"] for m in obstore.list(st, offset="d/g").collect()] == ["d/h", "top"]  # StartAfter


def test_multipart_put_and_streaming_writer(st: S3Store, s3: Any, bucket: str) -> None:
    data = bytes(range(256)) * (11 * MIB // 256)
    written = obstore.put(st, "big", iter([data[: 6 * MIB], data[6 * MIB :]]), chunk_size=5 * MIB)
    parts = [data[i : i + 5 * MIB] for i in range(0, len(data), 5 * MIB)]
    assert (
        written["e_tag"] == f'"{hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()}-3"'
    )
    assert bytes(obstore.get(st, "big").bytes()) == data
    with obstore.open_writer(st, "written", buffer_size=5 * MIB) as writer:
        writer.write(b"x" * (6 * MIB))
        writer.write(b"tail")
    reader = obstore.open_reader(st, "written")
    reader.seek(6 * MIB - 2)
    assert bytes(reader.read(6)) == b"xxtail"
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_copy_rename_and_delete(st: S3Store) -> None:
    obstore.put(st, "src", b"payload")
    obstore.copy(st, "src", "dst")
    assert bytes(obstore.get(st, "dst").bytes()) == b"payload"
    obstore.rename(st, "dst", "moved")
    assert bytes(obstore.get(st, "moved").bytes()) == b"payload"
    with pytest.raises(FileNotFoundError):
        obstore.head(st, "dst")
    obstore.delete(st, ["src", "moved"])
    obstore.delete(st, "never-was")  # S3 answers 204 for a key it does not have
    assert obstore.list(st).collect() == []


def test_copy_if_not_exists_through_a_conditional_multipart_completion(
    server: ServerProcess, bucket: str
) -> None:
    st = store(server, bucket, copy_if_not_exists="multipart")  # UploadPartCopy + If-None-Match on Complete
    obstore.put(st, "src", b"original")
    obstore.copy(st, "src", "dst", overwrite=False)
    assert bytes(obstore.get(st, "dst").bytes()) == b"original"
    obstore.put(st, "src", b"changed")
    with pytest.raises(AlreadyExistsError) as info:
        obstore.copy(st, "src", "dst", overwrite=False)
    assert "<Condition>If-None-Match</Condition>" in str(info.value)
    assert bytes(obstore.get(st, "dst").bytes()) == b"original"


def test_conditional_puts_create_and_update(st: S3Store) -> None:
    first = obstore.put(st, "k", b"one", mode="create")
    with pytest.raises(AlreadyExistsError):  # If-None-Match: * on an existing key: 412
        obstore.put(st, "k", b"two", mode="create")
    second = obstore.put(st, "k", b"two", mode={"e_tag": first["e_tag"]})  # If-Match
    assert second["e_tag"] == md5_etag(b"two")
    with pytest.raises(PreconditionError) as stale:
        obstore.put(st, "k", b"three", mode={"e_tag": first["e_tag"]})
    assert "412 Precondition Failed" in str(stale.value)
    with pytest.raises(PreconditionError) as missing:  # If-Match on no object: S3 answers 404 NoSuchKey
        obstore.put(st, "absent", b"x", mode={"e_tag": first["e_tag"]})
    assert "<Code>NoSuchKey</Code>" in str(missing.value)
    assert bytes(obstore.get(st, "k").bytes()) == b"two"


def test_signed_urls_for_get_and_put(st: S3Store) -> None:
    put_url = obstore.sign(st, "PUT", "signed.txt", timedelta(minutes=5))
    assert urllib3.request("PUT", put_url, body=b"by url").status == 200
    get_url = obstore.sign(st, "GET", "signed.txt", timedelta(minutes=5))
    assert urllib3.request("GET", get_url).data == b"by url"
    tampered = urllib3.request("GET", get_url.replace("signed.txt", "other.txt"))
    assert tampered.status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in tampered.data


@pytest.mark.parametrize("algorithm", ["sha256", "crc64nvme"])
def test_checksum_algorithm_is_stored_as_s3_computes_it(
    server: ServerProcess, s3: Any, bucket: str, algorithm: str
) -> None:
    st = store(server, bucket, checksum_algorithm=algorithm)
    obstore.put(st, "ck", b"abc")
    head = s3.head_object(Bucket=bucket, Key="ck", ChecksumMode="ENABLED")
    if algorithm == "sha256":
        assert head["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(b"abc").digest()).decode()
    else:
        assert (
            head["ChecksumCRC64NVME"]
            == base64.b64encode(checksums.crc64nvme(b"abc").to_bytes(8, "big")).decode()
        )
    assert head["ChecksumType"] == "FULL_OBJECT"


def test_unsigned_payload_and_wrong_credentials(server: ServerProcess, bucket: str) -> None:
    unsigned = store(server, bucket, unsigned_payload=True)
    obstore.put(unsigned, "u", b"unsigned body")
    assert bytes(obstore.get(unsigned, "u").bytes()) == b"unsigned body"
    with pytest.raises(PermissionDeniedError) as bad_secret:
        obstore.get(store(server, bucket, secret_access_key="wrong"), "u")
    assert "<Code>SignatureDoesNotMatch</Code>" in str(bad_secret.value)
    with pytest.raises(PermissionDeniedError) as bad_key:
        obstore.get(store(server, bucket, access_key_id="AKIANOSUCHKEY0000000"), "u")
    assert "<Code>InvalidAccessKeyId</Code>" in str(bad_key.value)
