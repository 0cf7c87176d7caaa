"""S3's errors, with S3's codes, statuses and wording."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any

from pocketcloud.protocol.errors import ServiceError


def no_such_bucket(bucket: str) -> ServiceError:
    return ServiceError("NoSuchBucket", "The specified bucket does not exist", status=404, BucketName=bucket)


def no_such_key(key: str) -> ServiceError:
    return ServiceError("NoSuchKey", "The specified key does not exist.", status=404, Key=key)


def no_such_version(key: str, version_id: str) -> ServiceError:
    return ServiceError(
        "NoSuchVersion", "The specified version does not exist.", status=404, Key=key, VersionId=version_id
    )


def no_such_upload(upload_id: str) -> ServiceError:
    return ServiceError(
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
        "aborted or completed.",
        status=404,
        UploadId=upload_id,
    )


def invalid_argument(message: str, name: str | None = None, value: str | None = None) -> ServiceError:
    fields: dict[str, Any] = {}
    if name is not None:
        fields = {"ArgumentName": name, "ArgumentValue": value or ""}
    return ServiceError("InvalidArgument", message, status=400, **fields)


def invalid_request(message: str) -> ServiceError:
    return ServiceError("InvalidRequest", message, status=400)


def precondition_failed(condition: str) -> ServiceError:
    return ServiceError(
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        status=412,
        Condition=condition,
    )


def not_modified(etag: str, last_modified: datetime) -> ServiceError:
    """304 carries the validators the client compares against (RFC 9110 §15.4.5)."""
    return ServiceError("NotModified", "Not Modified", status=304,
                        headers={"ETag": etag, "Last-Modified": format_datetime(last_modified, usegmt=True)})


def malformed_xml() -> ServiceError:
    return ServiceError(
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
        status=400,
    )


def method_not_allowed(method: str, resource_type: str) -> ServiceError:
    return ServiceError(
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        status=405,
        Method=method,
        ResourceType=resource_type,
    )


def header_not_implemented(header: str, detail: str) -> ServiceError:
    """A request header naming something S3 does not do (501), with the detail AWS adds."""
    return ServiceError(
        "NotImplemented",
        "A header you provided implies functionality that is not implemented",
        status=501,
        Header=header,
        additionalMessage=detail,
    )
