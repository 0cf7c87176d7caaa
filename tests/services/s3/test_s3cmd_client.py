"""S3 through s3cmd, the command-line client of old scripts and CI jobs: its own SigV4 and Signature
Version 2 signers, its own XML parsing, its own multipart uploads, presigned V2 URLs and `sync`.
It runs as a child process (the `s3cmd` script beside this interpreter) with a config file written
per test; boto3 only creates, inspects and empties buckets."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import urllib3
from botocore.exceptions import ClientError

from tests.conftest import ROOT_KEY, ROOT_SECRET, ServerProcess
from tests.services.s3.core_support import empty_and_delete, unique_bucket

MIB = 1024 * 1024
S3CMD = Path(sys.executable).parent / "s3cmd"

# s3cmd's exit codes (S3/ExitCodes.py): 400s are "server error", then 404, 409, 403.
EX_SERVERERROR, EX_NOTFOUND, EX_CONFLICT, EX_ACCESSDENIED = 11, 12, 13, 77


@dataclass
class Result:
    code: int
    out: str
    err: str


class S3cmd:
    """One s3cmd configuration (path-style, plain HTTP) and a way to run commands with it."""

    def __init__(self, server: ServerProcess, home: Path, signature_v2: bool, secret: str = ROOT_SECRET):
        self.home = home
        self.config = home / ("v2.cfg" if signature_v2 else "v4.cfg")
        host = f"127.0.0.1:{server.port}"
        self.config.write_text(
            "[default]\n"
            f"access_key = {ROOT_KEY}\n"
            f"secret_key = {secret}\n"
            f"host_base = {host}\n"
            f"host_bucket = {host}\n"
            "use_https = False\n"
            "bucket_location = us-east-1\n"
            f"signature_v2 = {signature_v2}\n"
            # An S3 error must fail the command at once, not after s3cmd's back-off retries.
            "max_retries = 0\n"
        )

    def run(self, *args: str, expect: int = 0) -> Result:
        env = {**os.environ, "HOME": str(self.home), "PYTHONIOENCODING": "utf-8"}
        done = subprocess.run(
            [sys.executable, str(S3CMD), "-c", str(self.config), *args],
            capture_output=True,
            env=env,
            timeout=60,
        )
        result = Result(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))
        assert result.code == expect, (
            f"s3cmd {' '.join(args)} exited {result.code}:\n{result.out}{result.err}"
        )
        return result


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("s3cmd")


@pytest.fixture(scope="module")
def v4(server: ServerProcess, home: Path) -> S3cmd:
    return S3cmd(server, home, signature_v2=False)


@pytest.fixture(scope="module")
def v2(server: ServerProcess, home: Path) -> S3cmd:
    return S3cmd(server, home, signature_v2=True)


@pytest.fixture
def other_bucket(s3: Any) -> Iterator[str]:
    name = unique_bucket("s3cmd")
    s3.create_bucket(Bucket=name)
    yield name
    empty_and_delete(s3, name)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def listed(result: Result) -> list[str]:
    """The URIs (last column) of an `ls`/`la` listing."""
    return [line.split()[-1] for line in result.out.splitlines() if line.strip()]


def keys(s3: Any, bucket: str) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def multipart_etag(data: bytes, part: int) -> str:
    digests = b"".join(hashlib.md5(data[i : i + part]).digest() for i in range(0, len(data), part))
    return f'"{hashlib.md5(digests).hexdigest()}-{-(-len(data) // part)}"'


def big_data() -> bytes:
    return bytes(range(256)) * (12 * MIB // 256)


# Buckets


def test_mb_creates_and_rb_removes_a_bucket(s3: Any, v4: S3cmd) -> None:
    name = unique_bucket("s3cmd")
    try:
        assert v4.run("mb", f"s3://{name}").out.strip() == f"Bucket 's3://{name}/' created"
        assert f"s3://{name}" in listed(v4.run("ls"))
        assert s3.get_bucket_location(Bucket=name).get("LocationConstraint") is None
        assert v4.run("rb", f"s3://{name}").out.strip() == f"Bucket 's3://{name}/' removed"
    finally:
        empty_and_delete(s3, name)
    gone = v4.run("rb", f"s3://{name}", expect=EX_NOTFOUND)
    assert "S3 error: 404 (NoSuchBucket): The specified bucket does not exist" in gone.err


def test_rb_of_a_bucket_with_objects_is_bucket_not_empty_until_recursive(
    s3: Any, v4: S3cmd, tmp_path: Path
) -> None:
    name = unique_bucket("s3cmd")
    s3.create_bucket(Bucket=name)
    try:
        v4.run("put", str(write(tmp_path / "a.txt", b"a")), f"s3://{name}/a.txt")
        refused = v4.run("rb", f"s3://{name}", expect=EX_CONFLICT)
        assert "S3 error: 409 (BucketNotEmpty): The bucket you tried to delete is not empty" in refused.err
        assert keys(s3, name) == ["a.txt"]
        v4.run("rb", "--recursive", "--force", f"s3://{name}")
        with pytest.raises(ClientError) as info:
            s3.head_bucket(Bucket=name)
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    finally:
        empty_and_delete(s3, name)


def test_mb_with_a_location_creates_the_bucket_in_that_region(s3: Any, v4: S3cmd) -> None:
    name = unique_bucket("s3cmd")
    try:
        v4.run("mb", "--bucket-location=eu-west-1", f"s3://{name}")
        assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
        # Later requests signed for us-east-1 get S3's 301 PermanentRedirect, which s3cmd follows.
        info = v4.run("info", f"s3://{name}")
        assert "Location:  eu-west-1" in info.out
    finally:
        empty_and_delete(s3, name)


# Objects


def test_put_and_get_round_trip_a_small_file(s3: Any, bucket: str, v4: S3cmd, tmp_path: Path) -> None:
    data = b"hello from s3cmd\n"
    put = v4.run("put", str(write(tmp_path / "hello.txt", data)), f"s3://{bucket}/dir/hello.txt")
    assert f"-> 's3://{bucket}/dir/hello.txt' (17 bytes" in put.out
    head = s3.head_object(Bucket=bucket, Key="dir/hello.txt")
    assert head["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    assert head["ContentType"] == "text/plain"
    assert f"md5:{hashlib.md5(data).hexdigest()}" in head["Metadata"]["s3cmd-attrs"]
    v4.run("get", f"s3://{bucket}/dir/hello.txt", str(tmp_path / "back.txt"))
    assert (tmp_path / "back.txt").read_bytes() == data


def test_multipart_put_of_12_mib_in_5_mib_chunks_round_trips(
    s3: Any, bucket: str, v4: S3cmd, tmp_path: Path
) -> None:
    data = big_data()
    v4.run(
        "put", "--multipart-chunk-size-mb=5", str(write(tmp_path / "big.bin", data)), f"s3://{bucket}/big.bin"
    )
    head = s3.head_object(Bucket=bucket, Key="big.bin", PartNumber=3)
    assert head["PartsCount"] == 3 and head["ContentLength"] == len(data) - 10 * MIB
    assert head["ETag"] == multipart_etag(data, 5 * MIB)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    v4.run("get", f"s3://{bucket}/big.bin", str(tmp_path / "back.bin"))
    assert (tmp_path / "back.bin").read_bytes() == data


def test_get_of_a_missing_key_and_put_to_a_missing_bucket_fail(
    bucket: str, v4: S3cmd, tmp_path: Path
) -> None:
    # s3cmd reads the object's HEAD first: a 404 without a body, reported as a missing source.
    missing = v4.run("get", f"s3://{bucket}/nope", str(tmp_path / "nope"), expect=64)
    assert f"Source object 's3://{bucket}/nope' does not exist" in missing.err
    info = v4.run("info", f"s3://{bucket}/nope", expect=EX_NOTFOUND)
    assert "404 (NoSuchKey)" in info.err
    put = v4.run("put", str(write(tmp_path / "a", b"a")), f"s3://{bucket}-gone/a", expect=EX_NOTFOUND)
    assert "S3 error: 404 (NoSuchBucket): The specified bucket does not exist" in put.err


def test_ls_la_and_du_list_keys_folders_and_totals(s3: Any, bucket: str, v4: S3cmd) -> None:
    for key, body in (("top.txt", b"12345"), ("dir/a", b"abc"), ("dir/sub/b", b"de")):
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    assert listed(v4.run("ls", f"s3://{bucket}")) == [f"s3://{bucket}/dir/", f"s3://{bucket}/top.txt"]
    assert listed(v4.run("ls", "--recursive", f"s3://{bucket}")) == [
        f"s3://{bucket}/dir/a",
        f"s3://{bucket}/dir/sub/b",
        f"s3://{bucket}/top.txt",
    ]
    assert listed(v4.run("ls", f"s3://{bucket}/dir/")) == [f"s3://{bucket}/dir/sub/", f"s3://{bucket}/dir/a"]
    long = v4.run("ls", "-l", f"s3://{bucket}/top.txt").out.split()
    assert long[2:5] == ["5", hashlib.md5(b"12345").hexdigest(), "STANDARD"]
    everything = listed(v4.run("la"))
    assert {f"s3://{bucket}/dir/", f"s3://{bucket}/top.txt"} <= set(everything)
    assert v4.run("du", f"s3://{bucket}").out.split() == ["10", "3", "objects", f"s3://{bucket}/"]
    assert v4.run("du", f"s3://{bucket}/dir/").out.split() == ["5", "2", "objects", f"s3://{bucket}/dir/"]


def test_ls_pages_through_more_than_a_thousand_keys_and_folders(s3: Any, bucket: str, v4: S3cmd) -> None:
    # ListObjects (V1) answers 1000 entries a page; s3cmd follows NextMarker across keys and prefixes.
    names = [f"k{i:04d}" for i in range(600)] + [f"d{i:04d}/x" for i in range(600)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda name: s3.put_object(Bucket=bucket, Key=name, Body=b""), names))
    shown = listed(v4.run("ls", f"s3://{bucket}"))
    assert len(shown) == 1200 and len(set(shown)) == 1200
    assert shown[0] == f"s3://{bucket}/d0000/" and shown[-1] == f"s3://{bucket}/k0599"


def test_sync_up_and_down_with_delete_removed(s3: Any, bucket: str, v4: S3cmd, tmp_path: Path) -> None:
    local = tmp_path / "local"
    write(local / "one.txt", b"1")
    write(local / "sub" / "two.txt", b"22")
    v4.run("sync", f"{local}/", f"s3://{bucket}/site/")
    assert keys(s3, bucket) == ["site/one.txt", "site/sub/two.txt"]
    assert v4.run("sync", f"{local}/", f"s3://{bucket}/site/").out == ""  # md5s match: nothing to send
    (local / "one.txt").unlink()
    write(local / "sub" / "two.txt", b"changed")
    up = v4.run("sync", "--delete-removed", f"{local}/", f"s3://{bucket}/site/")
    assert f"delete: 's3://{bucket}/site/one.txt'" in up.out
    assert keys(s3, bucket) == ["site/sub/two.txt"]
    assert s3.get_object(Bucket=bucket, Key="site/sub/two.txt")["Body"].read() == b"changed"

    mirror = tmp_path / "mirror"
    write(mirror / "stale.txt", b"old")
    s3.put_object(Bucket=bucket, Key="site/three.txt", Body=b"333")
    down = v4.run("sync", "--delete-removed", f"s3://{bucket}/site/", f"{mirror}/")
    assert f"delete: '{mirror}/stale.txt'" in down.out
    found = {p.relative_to(mirror).as_posix(): p.read_bytes() for p in mirror.rglob("*") if p.is_file()}
    assert found == {"sub/two.txt": b"changed", "three.txt": b"333"}


def test_cp_and_mv_between_buckets(s3: Any, bucket: str, other_bucket: str, v4: S3cmd) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"copy me", Metadata={"color": "red"})
    s3.put_object(Bucket=bucket, Key="b.txt", Body=b"move me")
    v4.run("cp", f"s3://{bucket}/a.txt", f"s3://{other_bucket}/copied.txt")
    v4.run("mv", f"s3://{bucket}/b.txt", f"s3://{other_bucket}/moved.txt")
    assert keys(s3, bucket) == ["a.txt"]
    assert keys(s3, other_bucket) == ["copied.txt", "moved.txt"]
    copied = s3.get_object(Bucket=other_bucket, Key="copied.txt")
    assert (copied["Body"].read(), copied["Metadata"]) == (b"copy me", {"color": "red"})
    assert s3.get_object(Bucket=other_bucket, Key="moved.txt")["Body"].read() == b"move me"
    missing = v4.run("cp", f"s3://{bucket}/nope", f"s3://{other_bucket}/nope", expect=EX_NOTFOUND)
    assert f"Key not found s3://{bucket}/nope" in missing.err


def test_del_and_del_recursive(s3: Any, bucket: str, v4: S3cmd) -> None:
    for key in ("keep.txt", "logs/1", "logs/2", "logs/deep/3"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert v4.run("del", f"s3://{bucket}/keep.txt").out.strip() == f"delete: 's3://{bucket}/keep.txt'"
    gone = v4.run("del", "--recursive", "--force", f"s3://{bucket}/logs/")
    assert sorted(gone.out.splitlines()) == [
        f"delete: 's3://{bucket}/logs/{k}'" for k in ("1", "2", "deep/3")
    ]
    assert keys(s3, bucket) == []


def test_info_of_an_object_and_of_a_bucket(s3: Any, bucket: str, v4: S3cmd) -> None:
    s3.put_object(Bucket=bucket, Key="i.txt", Body=b"info", ContentType="text/x-info", Metadata={"k": "v"})
    obj = v4.run("info", f"s3://{bucket}/i.txt").out
    assert f"s3://{bucket}/i.txt (object):" in obj
    for line in ("File size: 4", "MIME type: text/x-info", "Storage:   STANDARD", "SSE:       AES256"):
        assert line in obj
    assert f"MD5 sum:   {hashlib.md5(b'info').hexdigest()}" in obj and "x-amz-meta-k: v" in obj
    # S3 no longer returns an Owner's DisplayName (end of support, November 21, 2025): s3cmd, which
    # prints a grantee's display name when there is one, shows the canonical ID.
    canonical = s3.list_buckets()["Owner"]
    assert list(canonical) == ["ID"]
    assert f"ACL:       {canonical['ID']}: FULL_CONTROL" in obj
    info = v4.run("info", f"s3://{bucket}").out
    for line in (
        "Location:  us-east-1",
        "Payer:     BucketOwner",
        "Ownership: BucketOwnerEnforced",
        "Versioning:none",
        "Block Public Access: BlockPublicAcls,IgnorePublicAcls,BlockPublicPolicy,RestrictPublicBuckets",
        "Policy:    none",
        "CORS:      none",
    ):
        assert line in info


def test_modify_and_add_header_replace_the_metadata(s3: Any, bucket: str, v4: S3cmd, tmp_path: Path) -> None:
    v4.run("put", str(write(tmp_path / "m.txt", b"meta")), f"s3://{bucket}/m.txt")
    v4.run(
        "modify",
        "--add-header=Cache-Control:max-age=60",
        "--add-header=x-amz-meta-color:red",
        "--mime-type=text/x-changed",
        f"s3://{bucket}/m.txt",
    )
    head = s3.head_object(Bucket=bucket, Key="m.txt")
    assert (head["CacheControl"], head["ContentType"], head["Metadata"]["color"]) == (
        "max-age=60",
        "text/x-changed",
        "red",
    )
    assert "s3cmd-attrs" in head["Metadata"]  # copied over by the REPLACE directive with the rest
    assert s3.get_object(Bucket=bucket, Key="m.txt")["Body"].read() == b"meta"
    v4.run(
        "put", "--add-header=Content-Disposition:attachment", str(tmp_path / "m.txt"), f"s3://{bucket}/d.txt"
    )
    assert s3.head_object(Bucket=bucket, Key="d.txt")["ContentDisposition"] == "attachment"


def test_acl_public_is_refused_where_the_owner_enforces_ownership(
    s3: Any, bucket: str, v4: S3cmd, tmp_path: Path
) -> None:
    # New buckets are BucketOwnerEnforced: ACLs are disabled and any ACL but the owner's is refused.
    s3.put_object(Bucket=bucket, Key="k.txt", Body=b"k")
    refused = v4.run("setacl", "--acl-public", f"s3://{bucket}/k.txt", expect=EX_SERVERERROR)
    assert "S3 error: 400 (AccessControlListNotSupported): The bucket does not allow ACLs" in refused.err
    put = v4.run(
        "put", "--acl-public", str(write(tmp_path / "p", b"p")), f"s3://{bucket}/p", expect=EX_SERVERERROR
    )
    assert "400 (AccessControlListNotSupported)" in put.err
    assert keys(s3, bucket) == ["k.txt"]


def test_acl_public_grants_anonymous_read_once_acls_are_enabled(
    server: ServerProcess, s3: Any, bucket: str, v4: S3cmd, tmp_path: Path
) -> None:
    v4.run("setownership", f"s3://{bucket}", "ObjectWriter")
    v4.run("setblockpublicaccess", f"s3://{bucket}", "")
    bucket_info = v4.run("info", f"s3://{bucket}").out
    assert "Ownership: ObjectWriter" in bucket_info and "Block Public Access: none" in bucket_info
    v4.run("put", "--acl-public", str(write(tmp_path / "pub.txt", b"public")), f"s3://{bucket}/pub.txt")
    assert "*anon*: READ" in v4.run("info", f"s3://{bucket}/pub.txt").out
    url = f"{server.endpoint}/{bucket}/pub.txt"
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.read() == b"public"
    v4.run("setacl", "--acl-private", f"s3://{bucket}/pub.txt")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(url, timeout=10)
    assert info.value.code == 403 and b"<Code>AccessDenied</Code>" in info.value.read()
    bogus = v4.run(
        "setacl", "--acl-grant=read:not-a-canonical-id", f"s3://{bucket}/pub.txt", expect=EX_SERVERERROR
    )
    assert "S3 error: 400 (InvalidArgument): Invalid id" in bogus.err


def test_signurl_is_a_presigned_v2_url_that_expires(s3: Any, bucket: str, v4: S3cmd) -> None:
    s3.put_object(Bucket=bucket, Key="dir/shared file+1.txt", Body=b"shared")
    url = v4.run("signurl", f"s3://{bucket}/dir/shared file+1.txt", "+300").out.strip()
    assert "AWSAccessKeyId=test&Expires=" in url and "&Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.read() == b"shared"
    past = str(int(time.time()) - 60)
    expired = v4.run("signurl", f"s3://{bucket}/dir/shared file+1.txt", past).out.strip()
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(expired, timeout=10)
    body = info.value.read().decode()
    assert info.value.code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in body
    tampered = url.replace("AWSAccessKeyId=test", "AWSAccessKeyId=AKIANOTAKNOWNKEY0000")
    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(tampered, timeout=10)
    assert unknown.value.code == 403 and b"<Code>InvalidAccessKeyId</Code>" in unknown.value.read()


def test_restore_of_an_archived_object_expires_at_a_midnight_utc(s3: Any, bucket: str, v4: S3cmd) -> None:
    s3.put_object(Bucket=bucket, Key="cold.txt", Body=b"cold", StorageClass="GLACIER")
    refused = v4.run("get", f"s3://{bucket}/cold.txt", "-", expect=EX_ACCESSDENIED)
    assert (
        "403 (InvalidObjectState): The operation is not valid for the object's storage class" in refused.err
    )
    before = datetime.now(UTC)
    assert v4.run("restore", "--restore-days=2", f"s3://{bucket}/cold.txt").out.strip() == (
        f"restore: 's3://{bucket}/cold.txt'"
    )
    after = datetime.now(UTC)
    # "adding the number of days ... to the current time and rounding the resulting time to the next
    # day midnight UTC" (S3 developer guide, restoring archived objects).
    expected = {
        format_datetime(
            datetime.combine((t + timedelta(days=2)).date(), dt_time(), UTC) + timedelta(days=1), usegmt=True
        )
        for t in (before, after)
    }
    restore = s3.head_object(Bucket=bucket, Key="cold.txt")["Restore"]
    assert restore.startswith('ongoing-request="false", expiry-date="')
    assert restore.split('expiry-date="')[1].rstrip('"') in expected
    assert v4.run("get", f"s3://{bucket}/cold.txt", "-").out == "cold"
    v4.run("restore", "--restore-days=5", f"s3://{bucket}/cold.txt")  # restored already: the expiry moves
    again = s3.head_object(Bucket=bucket, Key="cold.txt")["Restore"]
    assert again.endswith(' 00:00:00 GMT"') and again != restore


# Bucket configuration


def test_ws_create_and_ws_info_configure_a_served_website(
    server: ServerProcess, s3: Any, bucket: str, v4: S3cmd, tmp_path: Path
) -> None:
    v4.run("ws-create", "--ws-index=index.html", "--ws-error=404.html", f"s3://{bucket}")
    shown = v4.run("ws-info", f"s3://{bucket}").out
    assert "Index document:   index.html" in shown and "Error document:   404.html" in shown
    website = s3.get_bucket_website(Bucket=bucket)
    assert (website["IndexDocument"], website["ErrorDocument"]) == (
        {"Suffix": "index.html"},
        {"Key": "404.html"},
    )

    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    v4.run("setblockpublicaccess", f"s3://{bucket}", "")
    v4.run("setpolicy", str(write(tmp_path / "public.json", json.dumps(policy).encode())), f"s3://{bucket}")
    page = write(tmp_path / "index.html", b"<h1>home</h1>")
    v4.run("put", "--mime-type=text/html", str(page), f"s3://{bucket}/index.html")
    served = urllib3.PoolManager().request(
        "GET",
        f"{server.endpoint}/",
        headers={"Host": f"{bucket}.s3-website-us-east-1.localhost:{server.port}"},
        retries=False,
    )
    assert (served.status, served.data, served.headers["Content-Type"]) == (
        200,
        b"<h1>home</h1>",
        "text/html",
    )

    v4.run("ws-delete", f"s3://{bucket}")
    assert "No website configuration found" in v4.run("ws-info", f"s3://{bucket}").out


LIFECYCLE = """<?xml version="1.0" encoding="UTF-8"?>
<LifecycleConfiguration>
  <Rule>
    <ID>old-logs</ID>
    <Filter><Prefix>logs/</Prefix></Filter>
    <Status>Enabled</Status>
    <Expiration><Days>30</Days></Expiration>
  </Rule>
</LifecycleConfiguration>
"""


def test_setlifecycle_getlifecycle_and_dellifecycle(s3: Any, bucket: str, v4: S3cmd, tmp_path: Path) -> None:
    missing = v4.run("getlifecycle", f"s3://{bucket}", expect=EX_NOTFOUND)
    assert "404 (NoSuchLifecycleConfiguration): The lifecycle configuration does not exist" in missing.err
    v4.run("setlifecycle", str(write(tmp_path / "lc.xml", LIFECYCLE.encode())), f"s3://{bucket}")
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules == [
        {"ID": "old-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 30}}
    ]
    shown = v4.run("getlifecycle", f"s3://{bucket}").out
    assert "<ID>old-logs</ID>" in shown and "<Days>30</Days>" in shown and "<Prefix>logs/</Prefix>" in shown
    v4.run("dellifecycle", f"s3://{bucket}")
    v4.run("getlifecycle", f"s3://{bucket}", expect=EX_NOTFOUND)


def test_expire_sets_an_expiration_rule(s3: Any, bucket: str, v4: S3cmd) -> None:
    v4.run("expire", "--expiry-days=7", "--expiry-prefix=tmp/", f"s3://{bucket}")
    [rule] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert (rule["Filter"], rule["Status"], rule["Expiration"]) == (
        {"Prefix": "tmp/"},
        "Enabled",
        {"Days": 7},
    )
    assert rule["ID"]  # S3 names a rule sent without an ID
    info = v4.run("info", f"s3://{bucket}").out
    assert "Expiration Rule: objects with key prefix 'tmp/' will expire in '7' day(s) after creation" in info
    v4.run("expire", f"s3://{bucket}")  # no days and no date: delete the configuration
    with pytest.raises(ClientError) as gone:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert gone.value.response["Error"]["Code"] == "NoSuchLifecycleConfiguration"


def test_setpolicy_and_delpolicy(s3: Any, bucket: str, v4: S3cmd, tmp_path: Path) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Root",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    v4.run("setpolicy", str(write(tmp_path / "p.json", json.dumps(policy).encode())), f"s3://{bucket}")
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == policy
    assert '"Sid":"Root"' in v4.run("info", f"s3://{bucket}").out.replace(" ", "")
    v4.run("delpolicy", f"s3://{bucket}")
    assert "Policy:    none" in v4.run("info", f"s3://{bucket}").out

    policy["Statement"][0]["Resource"] = "arn:aws:s3:::some-other-bucket/*"
    foreign = write(tmp_path / "foreign.json", json.dumps(policy).encode())
    refused = v4.run("setpolicy", str(foreign), f"s3://{bucket}", expect=EX_SERVERERROR)
    assert "S3 error: 400 (MalformedPolicy): Policy has invalid resource" in refused.err


CORS = """<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>https://example.com</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <MaxAgeSeconds>300</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>
"""


def test_setcors_and_delcors(s3: Any, bucket: str, v4: S3cmd, tmp_path: Path) -> None:
    v4.run("setcors", str(write(tmp_path / "cors.xml", CORS.encode())), f"s3://{bucket}")
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == [
        {
            "AllowedHeaders": ["*"],
            "AllowedMethods": ["GET"],
            "AllowedOrigins": ["https://example.com"],
            "MaxAgeSeconds": 300,
        }
    ]
    assert "<AllowedOrigin>https://example.com</AllowedOrigin>" in v4.run("info", f"s3://{bucket}").out
    v4.run("delcors", f"s3://{bucket}")
    with pytest.raises(ClientError) as gone:
        s3.get_bucket_cors(Bucket=bucket)
    assert gone.value.response["Error"]["Code"] == "NoSuchCORSConfiguration"
    assert "CORS:      none" in v4.run("info", f"s3://{bucket}").out


def test_tagging_versioning_and_requester_pays(s3: Any, bucket: str, v4: S3cmd) -> None:
    s3.put_object(Bucket=bucket, Key="t.txt", Body=b"t")
    v4.run("settagging", f"s3://{bucket}/t.txt", "team=core&note=a b")
    assert "\tteam:\tcore" in v4.run("gettagging", f"s3://{bucket}/t.txt").out
    assert s3.get_object_tagging(Bucket=bucket, Key="t.txt")["TagSet"] == [
        {"Key": "team", "Value": "core"},
        {"Key": "note", "Value": "a b"},
    ]
    v4.run("deltagging", f"s3://{bucket}/t.txt")
    assert s3.get_object_tagging(Bucket=bucket, Key="t.txt")["TagSet"] == []
    v4.run("setversioning", f"s3://{bucket}", "enable")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    v4.run("payer", "--requester-pays", f"s3://{bucket}")
    assert "Payer:     Requester" in v4.run("info", f"s3://{bucket}").out
    v4.run("payer", f"s3://{bucket}")
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})


def test_multipart_listmp_and_abortmp_show_and_end_an_upload(s3: Any, bucket: str, v4: S3cmd) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp/obj")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="mp/obj", UploadId=upload, PartNumber=1, Body=b"x" * 100)
    assert f"s3://{bucket}/mp/obj\t{upload}" in v4.run("multipart", f"s3://{bucket}").out
    [part] = [line for line in v4.run("listmp", f"s3://{bucket}/mp/obj", upload).out.splitlines()[1:] if line]
    assert part.split("\t")[-3:] == ["1", f'"{hashlib.md5(b"x" * 100).hexdigest()}"', "100"]
    v4.run("abortmp", f"s3://{bucket}/mp/obj", upload)
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    again = v4.run("abortmp", f"s3://{bucket}/mp/obj", upload, expect=EX_NOTFOUND)
    assert "404 (NoSuchUpload)" in again.err


# Signature Version 2


def test_v2_signed_put_get_and_ls(s3: Any, bucket: str, v2: S3cmd, tmp_path: Path) -> None:
    small = b"signed with HMAC-SHA1\n"
    v2.run("put", str(write(tmp_path / "small file+.txt", small)), f"s3://{bucket}/v2/small file+.txt")
    v2.run("get", f"s3://{bucket}/v2/small file+.txt", str(tmp_path / "small.back"))
    assert (tmp_path / "small.back").read_bytes() == small
    data = big_data()
    v2.run(
        "put",
        "--multipart-chunk-size-mb=5",
        str(write(tmp_path / "big.bin", data)),
        f"s3://{bucket}/v2/big.bin",
    )
    assert s3.head_object(Bucket=bucket, Key="v2/big.bin")["ETag"] == multipart_etag(data, 5 * MIB)
    v2.run("get", f"s3://{bucket}/v2/big.bin", str(tmp_path / "big.back"))
    assert (tmp_path / "big.back").read_bytes() == data
    shown = v2.run("ls", f"s3://{bucket}/v2/").out.splitlines()
    assert [line.split(maxsplit=3)[2:] for line in shown] == [
        [str(len(data)), f"s3://{bucket}/v2/big.bin"],
        [str(len(small)), f"s3://{bucket}/v2/small file+.txt"],
    ]


def test_v2_signed_bucket_and_config_commands(s3: Any, v2: S3cmd, tmp_path: Path) -> None:
    name = unique_bucket("s3cmd-v2")
    try:
        v2.run("mb", f"s3://{name}")
        v2.run("put", str(write(tmp_path / "a.txt", b"a")), f"s3://{name}/a.txt")
        v2.run("modify", "--add-header=x-amz-meta-via:v2", f"s3://{name}/a.txt")
        v2.run("cp", f"s3://{name}/a.txt", f"s3://{name}/b.txt")
        v2.run("setlifecycle", str(write(tmp_path / "lc.xml", LIFECYCLE.encode())), f"s3://{name}")
        v2.run("setcors", str(write(tmp_path / "cors.xml", CORS.encode())), f"s3://{name}")
        v2.run("settagging", f"s3://{name}", "env=dev")
        info = v2.run("info", f"s3://{name}").out
        assert "Ownership: BucketOwnerEnforced" in info and "https://example.com" in info
        assert s3.head_object(Bucket=name, Key="b.txt")["Metadata"]["via"] == "v2"
        assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "env", "Value": "dev"}]
        v2.run("del", "--recursive", "--force", f"s3://{name}")
        v2.run("rb", f"s3://{name}")
    finally:
        empty_and_delete(s3, name)


def test_runs_of_spaces_in_a_header_break_s3cmds_sigv4_as_they_do_at_s3(
    s3: Any, bucket: str, v4: S3cmd, v2: S3cmd, tmp_path: Path
) -> None:
    # SigV4's canonical header value has runs of spaces collapsed to one; s3cmd signs them as sent,
    # so S3 refuses it, showing the canonical request it computed. SigV2 keeps the inner spaces.
    local = write(tmp_path / "h.txt", b"h")
    header = "--add-header=x-amz-meta-note:a   b"
    refused = v4.run("put", header, str(local), f"s3://{bucket}/h4", expect=EX_ACCESSDENIED)
    assert "403 (SignatureDoesNotMatch)" in refused.err
    assert keys(s3, bucket) == []
    v2.run("put", header, str(local), f"s3://{bucket}/h2")
    assert s3.head_object(Bucket=bucket, Key="h2")["Metadata"]["note"].split() == ["a", "b"]


@pytest.mark.parametrize("signature_v2", [False, True], ids=["sigv4", "sigv2"])
def test_a_wrong_secret_is_signature_does_not_match(
    server: ServerProcess, signature_v2: bool, tmp_path: Path
) -> None:
    wrong = S3cmd(server, tmp_path, signature_v2=signature_v2, secret="not-the-secret")
    refused = wrong.run("ls", expect=EX_ACCESSDENIED)
    assert (
        "S3 error: 403 (SignatureDoesNotMatch): The request signature we calculated does not match"
        in refused.err
    )


def test_an_unknown_access_key_is_invalid_access_key_id(server: ServerProcess, tmp_path: Path) -> None:
    config = S3cmd(server, tmp_path, signature_v2=True)
    config.config.write_text(
        config.config.read_text().replace(f"access_key = {ROOT_KEY}", "access_key = AKIA" + "X" * 16)
    )
    refused = config.run("ls", expect=EX_ACCESSDENIED)
    assert (
        "403 (InvalidAccessKeyId): The AWS Access Key Id you provided does not exist in our records."
        in refused.err
    )
