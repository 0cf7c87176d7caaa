"""Function code: zip packages kept as blobs, unpacked once per code hash for execution."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import stat
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import operation_model
from pocketcloud.services.awslambda.errors import invalid_parameter
from pocketcloud.store import Store

MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024
MAX_REQUEST_BYTES = 69905067  # a 50 MB zip, base64-encoded in the JSON body, as AWS words its limit
CODE_INDEX = ("", "")  # packages are content-addressed, so the index is shared by all accounts


def request_too_large(limit: int, operation: str) -> ServiceError:
    return ServiceError(
        "RequestEntityTooLargeException",
        f"Request must be smaller than {limit} bytes for the {operation} operation",
        status=413,
        Type="User",
    )


def check_upload_size(data: bytes, operation: str) -> None:
    """A zip sent in the request itself is limited (one from S3 only by its unzipped size)."""
    if len(data) > MAX_ZIP_BYTES:
        raise request_too_large(MAX_REQUEST_BYTES, operation)


def requested_package(
    runtime: Any, source: dict[str, Any], operation: str, ctx: RequestContext
) -> bytes | None:
    """The zip a Code/Content member names: its ZipFile, or an S3 object read through the S3 provider
    from a bucket in the function's (or layer's) Region, as the caller; None when it names neither
    (the caller words that error)."""
    if source.get("ZipFile") is not None:
        data = source["ZipFile"]
        data = base64.b64decode(data) if isinstance(data, str) else data
        check_upload_size(data, operation)
        return bytes(data)
    if source.get("S3Bucket") and source.get("S3Key"):
        s3 = runtime.provider("s3")
        bucket_doc = _bucket(s3, source["S3Bucket"])
        if bucket_doc is not None:  # a missing bucket is NoSuchBucket, worded with the missing object
            _check_bucket_region(bucket_doc, ctx.region)
            _check_read_access(runtime, ctx, source)
        found = (
            s3.read_object_bytes(source["S3Bucket"], source["S3Key"], source.get("S3ObjectVersion"))
            if s3
            else None
        )
        if found is None:
            code, message = _get_object_error(s3, source["S3Bucket"])
            if code == "NoSuchKey" and _hides_missing_key(s3, ctx, source["S3Bucket"]):
                raise _s3_denied(source["S3Bucket"], source["S3Key"])
            raise invalid_parameter(
                f"Error occurred while GetObject. S3 Error Code: {code}. S3 Error Message: {message}"
            )
        return bytes(found)
    return None


def _bucket(s3: Any, name: str) -> dict[str, Any] | None:
    """S3's document of the bucket the package is in; None when there is no such bucket (or no S3)."""
    try:
        return s3.s3.bucket(name) if s3 is not None else None
    except ServiceError:
        return None


def _check_bucket_region(bucket: dict[str, Any], region: str) -> None:
    """Lambda reads the package from S3's endpoint in its own Region, so a bucket of another Region
    is refused with the redirect S3 answers there ("An Amazon S3 bucket in the same AWS Region as
    your function", FunctionCode.S3Bucket), worded as AWS relays it: "Error occurred while GetObject.
    S3 Error Code: PermanentRedirect. S3 Error Message: The bucket is in this region: us-east-1.
    Please use this region to retry the request"."""
    found = bucket.get("Region")
    if found and found != region:
        raise invalid_parameter(
            "Error occurred while GetObject. S3 Error Code: PermanentRedirect. "
            f"S3 Error Message: The bucket is in this region: {found}. Please use this region to retry the request"
        )


def _check_read_access(runtime: Any, ctx: RequestContext, source: dict[str, Any]) -> None:
    """Lambda gets the package from S3 with the caller's own credentials, so a caller S3 would refuse
    (no s3:GetObject, a bucket policy's Deny, another account's bucket that grants nothing) is refused,
    in the words AWS answers: AccessDeniedException "Your access has been denied by S3, please make
    sure your request credentials have permission to GetObject for <bucket>/<key>. S3 Error Code:
    AccessDenied. S3 Error Message: Access Denied". Asked only of a bucket that is there: a missing
    one is NoSuchBucket first, as in S3."""
    bucket, key = source["S3Bucket"], source["S3Key"]
    params = {"Bucket": bucket, "Key": key}
    if source.get("S3ObjectVersion"):
        params["VersionId"] = source["S3ObjectVersion"]
    try:
        runtime.authorizer.authorize_as(_as_s3(ctx), operation_model("s3", "GetObject"), params)
    except ServiceError as exc:
        if exc.code != "AccessDenied":
            raise
        raise _s3_denied(bucket, key) from None


def _hides_missing_key(s3: Any, ctx: RequestContext, bucket: str) -> bool:
    """Whether S3 answers the caller's GetObject of an absent key with AccessDenied, as it does to a
    caller who may not s3:ListBucket the bucket (GetObject API reference), rather than NoSuchKey."""
    missing = ServiceError("NoSuchKey", "The specified key does not exist.", status=404)
    return bool(s3.hide_missing_key(_as_s3(ctx), bucket, missing).code == "AccessDenied")


def _as_s3(ctx: RequestContext) -> RequestContext:
    """The caller's request as the S3 request Lambda makes with its credentials."""
    return replace(ctx, service="s3", condition_values={})


def _s3_denied(bucket: str, key: str) -> ServiceError:
    return ServiceError(
        "AccessDeniedException",
        f"Your access has been denied by S3, please make sure your request credentials have permission "
        f"to GetObject for {bucket}/{key}. S3 Error Code: AccessDenied. S3 Error Message: Access Denied",
        status=403,
    )


def _get_object_error(s3: Any, bucket: str) -> tuple[str, str]:
    """S3's error code and message for the GetObject that found nothing, which Lambda relays:
    NoSuchBucket when the bucket is missing, NoSuchKey otherwise."""
    try:
        if s3 is not None:
            s3.s3.bucket(bucket)
    except ServiceError as exc:
        return exc.code, exc.message
    return "NoSuchKey", "The specified key does not exist."


def check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if archive.testzip() is not None:
                raise zipfile.BadZipFile("corrupt member")
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise invalid_parameter(
            "Could not unzip uploaded file. Please check your file, then try to upload again."
        ) from exc
    if total > MAX_UNZIPPED_BYTES:
        raise invalid_parameter(f"Unzipped size must be smaller than {MAX_UNZIPPED_BYTES} bytes")


def save_code(store: Store, data: bytes) -> dict[str, object]:
    check_zip(data)
    writer = store.blobs.writer()
    try:
        writer.write(data)
        blob = writer.commit()
    except BaseException:
        writer.abort()
        raise
    digest = hashlib.sha256(data)
    # Packages are found by hash for download (GetFunction's and GetLayerVersion's Code Location).
    store.collection("lambda", "code_index").put(CODE_INDEX, digest.hexdigest(), {"Blob": blob})
    return {
        "Blob": blob,
        "CodeSha256": base64.b64encode(digest.digest()).decode(),
        "CodeHex": digest.hexdigest(),
        "CodeSize": len(data),
    }


def unzipped_size(store: Store, blob: str) -> int:
    """The size of a stored package's files once unzipped (what Lambda's 250 MB quota counts)."""
    with store.blobs.open(blob) as handle, zipfile.ZipFile(handle) as archive:
        return sum(info.file_size for info in archive.infolist())


def package_bytes(store: Store, code_hex: str) -> bytes | None:
    """The zip a package hash names, for download; None if no such package was stored."""
    entry = store.collection("lambda", "code_index").get(CODE_INDEX, code_hex)
    if entry is None:
        return None
    with store.blobs.open(entry["Blob"]) as handle:
        data: bytes = handle.read()
    return data


def unpacked_code(store: Store, blob: str, code_hex: str) -> Path:
    """The directory holding the package's files (unpacked on first use, kept by hash)."""
    root = store.data_dir / "lambda" / "code"
    target = root / code_hex
    if target.is_dir():
        return target
    staging = root / f".{code_hex}.{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with store.blobs.open(blob) as handle, zipfile.ZipFile(handle) as archive:
        for info in archive.infolist():
            destination = (staging / info.filename).resolve()
            if (
                not str(destination).startswith(str(staging.resolve()) + os.sep)
                and destination != staging.resolve()
            ):
                continue  # a path escaping the package ("zip slip") is not extracted
            if info.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(destination, "wb") as out:
                shutil.copyfileobj(source, out)
            mode = (info.external_attr >> 16) & 0o777
            # Zip tools that record no mode still expect bootstrap scripts to run.
            os.chmod(
                destination,
                mode | stat.S_IRUSR | (stat.S_IXUSR if mode & 0o111 or info.filename == "bootstrap" else 0),
            )
    try:
        staging.rename(target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another worker unpacked it first
    return target
