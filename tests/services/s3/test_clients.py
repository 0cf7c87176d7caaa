"""Real S3 clients end to end: boto3's transfer manager across the multipart threshold,
the AWS CLI's high-level `s3` commands and `s3api`, and the AWS SDK for JavaScript v3
(a client with no botocore in it)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from boto3.s3.transfer import TransferConfig

from tests.services.s3.core_support import empty_and_delete, unique_bucket

MIB = 1024 * 1024
JS_DIR = Path(__file__).resolve().parents[2] / "js"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


def write_random(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        remaining = size
        while remaining:
            chunk = os.urandom(min(MIB, remaining))
            handle.write(chunk)
            remaining -= len(chunk)
    return path


# -- boto3's transfer manager ----------------------------------------------------------


def test_boto3_upload_and_download_file_across_the_multipart_threshold(s3: Any, bucket: str, tmp_path: Path) -> None:
    source = write_random(tmp_path / "twenty.bin", 20 * MIB)
    config = TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=4)
    s3.upload_file(str(source), bucket, "transfers/twenty.bin", Config=config)
    head = s3.head_object(Bucket=bucket, Key="transfers/twenty.bin")
    assert head["ContentLength"] == 20 * MIB
    assert head["ETag"].endswith('-3"')  # 8 + 8 + 4 MiB: it really went as a multipart upload
    target = tmp_path / "back.bin"
    s3.download_file(bucket, "transfers/twenty.bin", str(target), Config=config)  # ranged GETs in parallel
    assert sha256_file(target) == sha256_file(source)


def test_boto3_upload_fileobj_below_the_threshold_is_a_single_put(s3: Any, bucket: str, tmp_path: Path) -> None:
    source = write_random(tmp_path / "small.bin", 3 * MIB)
    with source.open("rb") as handle:
        s3.upload_fileobj(handle, bucket, "small.bin", Config=TransferConfig(multipart_threshold=8 * MIB))
    assert s3.head_object(Bucket=bucket, Key="small.bin")["ETag"] == f'"{hashlib.md5(source.read_bytes()).hexdigest()}"'


# -- the AWS CLI -----------------------------------------------------------------------


def aws(aws_env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "awscli", *args], env=aws_env, capture_output=True,
                            text=True, timeout=120)
    if check:
        assert result.returncode == 0, f"aws {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def cli_bucket(s3: Any, aws_env: dict[str, str]) -> Iterator[str]:
    name = unique_bucket("cli")
    assert "make_bucket" in aws(aws_env, "s3", "mb", f"s3://{name}").stdout
    yield name
    empty_and_delete(s3, name)


def test_cli_cp_uploads_and_downloads_including_multipart(aws_env: dict[str, str], s3: Any, cli_bucket: str,
                                                          tmp_path: Path) -> None:
    small = tmp_path / "note.txt"
    small.write_text("written by the AWS CLI\n")
    big = write_random(tmp_path / "big.bin", 10 * MIB)  # above the CLI's 8 MiB threshold
    aws(aws_env, "s3", "cp", str(small), f"s3://{cli_bucket}/docs/note.txt")
    aws(aws_env, "s3", "cp", str(big), f"s3://{cli_bucket}/blobs/big.bin")
    assert s3.get_object(Bucket=cli_bucket, Key="docs/note.txt")["Body"].read() == b"written by the AWS CLI\n"
    assert s3.head_object(Bucket=cli_bucket, Key="blobs/big.bin")["ETag"].endswith('-2"')
    down = tmp_path / "down"
    aws(aws_env, "s3", "cp", f"s3://{cli_bucket}/blobs/big.bin", str(down / "big.bin"))
    aws(aws_env, "s3", "cp", f"s3://{cli_bucket}/docs/note.txt", str(down / "note.txt"))
    assert sha256_file(down / "big.bin") == sha256_file(big)
    assert (down / "note.txt").read_text() == "written by the AWS CLI\n"
    # Streams of unknown length: stdin up, stdout down.
    piped = subprocess.run([sys.executable, "-m", "awscli", "s3", "cp", "-", f"s3://{cli_bucket}/piped.txt"],
                           env=aws_env, input="from a pipe\n", capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert aws(aws_env, "s3", "cp", f"s3://{cli_bucket}/piped.txt", "-").stdout == "from a pipe\n"


def test_cli_sync_both_ways_and_ls_and_rm_recursive(aws_env: dict[str, str], s3: Any, cli_bucket: str,
                                                    tmp_path: Path) -> None:
    local = tmp_path / "site"
    files = {"index.html": b"<h1>hi</h1>", "css/main.css": b"body{}", "img/logo.bin": os.urandom(2048),
             "deep/a/b/c.txt": b"deep", "with space.txt": b"spaced"}
    for name, data in files.items():
        (local / name).parent.mkdir(parents=True, exist_ok=True)
        (local / name).write_bytes(data)
        # S3 keeps times to the second; a file modified later in the same second as its upload
        # would look newer than its copy to `sync`, at AWS too.
        os.utime(local / name, (time.time() - 10, time.time() - 10))
    aws(aws_env, "s3", "sync", str(local), f"s3://{cli_bucket}/site")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=cli_bucket)["Contents"])
    assert keys == sorted(f"site/{name}" for name in files)

    top = aws(aws_env, "s3", "ls", f"s3://{cli_bucket}/site/").stdout
    assert "PRE css/" in top and "PRE deep/" in top and "index.html" in top and "with space.txt" in top
    assert "c.txt" not in top
    recursive = aws(aws_env, "s3", "ls", f"s3://{cli_bucket}", "--recursive").stdout
    assert all(f"site/{name}" in recursive for name in files)
    assert cli_bucket in aws(aws_env, "s3", "ls").stdout

    # A second sync uploads nothing: sizes and times already match.
    again = aws(aws_env, "s3", "sync", str(local), f"s3://{cli_bucket}/site").stdout
    assert "upload:" not in again

    back = tmp_path / "back"
    aws(aws_env, "s3", "sync", f"s3://{cli_bucket}/site", str(back))
    assert {str(p.relative_to(back)): p.read_bytes() for p in back.rglob("*") if p.is_file()} == files

    removed = aws(aws_env, "s3", "rm", f"s3://{cli_bucket}/site/deep", "--recursive").stdout
    assert "delete: s3://" in removed
    left = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=cli_bucket)["Contents"])
    assert left == sorted(f"site/{name}" for name in files if not name.startswith("deep/"))
    aws(aws_env, "s3", "rm", f"s3://{cli_bucket}", "--recursive")
    assert s3.list_objects_v2(Bucket=cli_bucket)["KeyCount"] == 0


def test_cli_uploads_a_file_after_an_empty_one_on_the_same_connection(aws_env: dict[str, str], s3: Any,
                                                                     cli_bucket: str, tmp_path: Path) -> None:
    # The CLI sends `Expect: 100-continue` with an empty file too. Answered with no 100 Continue on a
    # connection kept open, its bundled botocore (1.43) parses that connection's next answer against
    # the empty upload's status line, finds no headers ("Failed to parse headers") and waits out its
    # read timeout (60 s) for a body. Found by the CLI's test_cp_date (a sync of empty files, then of
    # changed ones, stalled a minute); AWS answers both uploads at once.
    (tmp_path / "up").mkdir()
    (tmp_path / "up" / "a-empty").write_bytes(b"")
    (tmp_path / "up" / "b-full").write_bytes(b"after the empty one")
    config = tmp_path / "config"
    config.write_text("[default]\ns3 =\n  max_concurrent_requests = 1\n")  # one connection, in order
    env = {**aws_env, "AWS_CONFIG_FILE": str(config)}
    done = aws(env, "--debug", "s3", "cp", str(tmp_path / "up"), f"s3://{cli_bucket}/", "--recursive",
               "--cli-read-timeout", "3")
    assert "Failed to parse headers" not in done.stderr
    assert s3.get_object(Bucket=cli_bucket, Key="b-full")["Body"].read() == b"after the empty one"
    assert s3.head_object(Bucket=cli_bucket, Key="a-empty")["ContentLength"] == 0


def test_cli_rb_refuses_a_non_empty_bucket_unless_forced(aws_env: dict[str, str], s3: Any, tmp_path: Path) -> None:
    name = unique_bucket("clirb")
    aws(aws_env, "s3", "mb", f"s3://{name}")
    (tmp_path / "f").write_bytes(b"x")
    aws(aws_env, "s3", "cp", str(tmp_path / "f"), f"s3://{name}/f")
    refused = aws(aws_env, "s3", "rb", f"s3://{name}", check=False)
    assert refused.returncode != 0 and "BucketNotEmpty" in refused.stderr
    aws(aws_env, "s3", "rb", f"s3://{name}", "--force")
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_cli_s3api_put_get_and_list(aws_env: dict[str, str], cli_bucket: str, tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text('{"hello": "s3api"}')
    put = json.loads(aws(aws_env, "s3api", "put-object", "--bucket", cli_bucket, "--key", "api/doc.json",
                         "--body", str(body), "--content-type", "application/json",
                         "--metadata", "source=cli").stdout)
    assert put["ETag"] == f'"{hashlib.md5(body.read_bytes()).hexdigest()}"'
    out = tmp_path / "out.json"
    got = json.loads(aws(aws_env, "s3api", "get-object", "--bucket", cli_bucket, "--key", "api/doc.json", str(out)).stdout)
    assert got["ContentType"] == "application/json"
    assert got["Metadata"] == {"source": "cli"}
    assert out.read_text() == '{"hello": "s3api"}'
    listed = json.loads(aws(aws_env, "s3api", "list-objects-v2", "--bucket", cli_bucket, "--prefix", "api/").stdout)
    assert [(o["Key"], o["Size"]) for o in listed["Contents"]] == [("api/doc.json", len(body.read_bytes()))]
    missing = aws(aws_env, "s3api", "get-object", "--bucket", cli_bucket, "--key", "nope", str(out), check=False)
    assert missing.returncode != 0 and "NoSuchKey" in missing.stderr


# -- the AWS SDK for JavaScript v3 -----------------------------------------------------


@pytest.fixture(scope="module")
def js_sdk() -> Path:
    """tests/js with its locked npm dependencies installed (`make test` installs them too)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed")
    if not (JS_DIR / "node_modules" / "@aws-sdk" / "client-s3").is_dir():
        install = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, capture_output=True,
                                 text=True, timeout=600)
        assert install.returncode == 0, f"npm ci failed:\n{install.stdout}\n{install.stderr}"
    return JS_DIR


def test_javascript_sdk_v3_put_get_list_and_multipart_upload(js_sdk: Path, endpoint: str, s3: Any) -> None:
    name = unique_bucket("js")
    try:
        run = subprocess.run(["node", "s3_client.mjs"], cwd=js_sdk, capture_output=True, text=True, timeout=120,
                             env={**os.environ, "S3_ENDPOINT": endpoint, "S3_BUCKET": name})
        assert run.returncode == 0, f"node failed:\n{run.stdout}\n{run.stderr}"
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        small = "hello from the JavaScript SDK v3 \u00fc".encode()
        assert seen["smallPut"]["ETag"] == f'"{hashlib.md5(small).hexdigest()}"'
        assert seen["smallGet"] == {"body": small.decode(), "contentType": "text/plain",
                                    "metadata": {"origin": "node"}, "etag": seen["smallPut"]["ETag"]}
        assert seen["streamSha"]["sent"] == seen["streamSha"]["got"]
        # The SDK streamed those bodies aws-chunked with checksum trailers, as it does to AWS.
        assert seen["wire"]["js/stream.bin"] == {"payload": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                                 "encoding": "aws-chunked", "trailer": "x-amz-checksum-crc32"}
        assert seen["wire"]["js/crc32c.bin"]["trailer"] == "x-amz-checksum-crc32c"
        assert seen["crc32c"]["put"] and seen["crc32c"]["put"] == seen["crc32c"]["got"]  # validated by the SDK
        assert seen["crc32c"]["sha"] == seen["streamSha"]["sent"]
        assert seen["bigUpload"]["etag"].endswith('-3"')  # 5 + 5 + 2 MiB parts
        assert seen["bigHead"] == {"etag": seen["bigUpload"]["etag"], "length": seen["bigUpload"]["size"]}
        assert seen["bigGetSha"] == seen["bigUpload"]["sha"]
        assert [k for k, _, _ in seen["listed"]] == ["js/big.bin", "js/crc32c.bin", "js/small.txt", "js/stream.bin"]
        # What the JavaScript client wrote, boto3 reads back the same.
        assert hashlib.sha256(s3.get_object(Bucket=name, Key="js/big.bin")["Body"].read()).hexdigest() == seen["bigUpload"]["sha"]
    finally:
        empty_and_delete(s3, name)
