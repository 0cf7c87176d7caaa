"""Which service a request is for, and in which protocol it is spoken.

In order: X-Amz-Target (json protocol) → the SigV4 credential scope of the
Authorization header → a presigned URL's X-Amz-Credential → the Host (a
virtual-hosted S3 bucket, or `sts.localhost`-style service hosts). What is left unsigned is S3 (public
buckets, POST uploads), except a form-encoded POST to "/": STS's unsigned AssumeRoleWithWebIdentity
and AssumeRoleWithSAML; and a query request (`Action=` in the URL, or a form-encoded POST) to a queue
URL's path, `/{account}/{name}` or `/queue/{region}/{account}/{name}`: SQS's anonymous callers of a
queue whose policy lets anyone in. (Unsigned json-protocol SQS requests name their service in
X-Amz-Target.)

S3 Control signs as "s3" too; its requests are told apart by what its model
says every one of them carries: the `x-amz-account-id` header and a path under
the model's common requestUri prefix (`/v20180820/`), an unsigned one before its
Host (`<account>.localhost`) is read as a bucket's.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache

from pocketcloud.auth.sigv4a import ECDSA_ALGORITHM, REGION_SET, region_set, single_region
from pocketcloud.config import REGION_NAME
from pocketcloud.gateway.http import Request
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import (
    service_for_signing_name,
    service_for_target_prefix,
    service_model,
    signing_name,
)
from pocketcloud.protocol.parsers.rest import virtual_host_bucket

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")
# SigV4a's scope names no Region: key/date/service/aws4_request (its Regions are in X-Amz-Region-Set).
_ECDSA_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/aws4_request")


@dataclass(frozen=True)
class Target:
    service: str  # botocore service name
    protocol: str  # query | ec2 | json | rest-json | rest-xml
    signing_name: str
    region: str | None  # from the credential scope, when the request is signed


def _scope_from_authorization(value: str, headers: dict[str, str]) -> tuple[str | None, str] | None:
    """(Region, signing name) of an Authorization header's credential scope."""
    if value.startswith(ECDSA_ALGORITHM):
        ecdsa = _ECDSA_CREDENTIAL.search(value)
        if ecdsa is None:
            return None
        return single_region(region_set(headers.get(REGION_SET, ""))), ecdsa.group(3)
    match = _CREDENTIAL.search(value)
    if match is None:
        return None
    return match.group(3), match.group(4)


def _scope_from_presigned(request: Request) -> tuple[str | None, str] | None:
    if "X-Amz-Credential" not in request.query_string:
        return None
    credential = request.query_value("X-Amz-Credential") or ""
    parts = credential.split("/")
    if len(parts) == 4 and request.query_value("X-Amz-Algorithm") == ECDSA_ALGORITHM:
        return single_region(region_set(request.query_value("X-Amz-Region-Set") or "")), parts[2]
    if len(parts) != 5:
        return None
    return parts[2], parts[3]


def route_request(request: Request) -> Target:
    headers = request.headers
    target = headers.get("x-amz-target")
    scope = _scope_from_authorization(headers.get("authorization", ""), headers) or _scope_from_presigned(request)
    region = scope[0] if scope else None
    if target:
        service = service_for_target_prefix(target.rpartition(".")[0])
        if service:
            # The target's service signs for itself: a scope naming another (KMS's target signed for
            # SQS) is refused by the scope check as that service refuses it.
            return Target(service, "json", signing_name(service) if scope else service, region)
    if scope:
        service = service_for_signing_name(scope[1])
        if service is None:
            raise ServiceError(
                "UnknownService", f"pocketcloud does not know the service '{scope[1]}'.", status=400
            )
        if service == "s3" and _is_s3control(request):
            service = "s3control"
        return Target(service, protocol_for(service, request), scope[1], region)
    if _is_s3control(request):  # before the host: S3 Control's `<account>.localhost` would read as a bucket's
        return Target("s3control", "rest-xml", "s3", None)
    service = _service_from_host(request.host)
    if service:
        return Target(service, protocol_for(service, request), service, None)
    if _is_unsigned_sts(request):
        return Target("sts", "query", "sts", None)
    if _is_unsigned_sqs_query(request):
        return Target("sqs", "query", "sqs", None)
    return Target("s3", "rest-xml", "s3", None)


# A queue URL's path: `/{account}/{queue name}` or LocalStack's `/queue/{region}/{account}/{queue name}`.
_QUEUE_PATH = re.compile(r"/(?:queue/[a-z0-9-]{1,30}/)?\d{12}/[A-Za-z0-9_-]{1,80}(?:\.fifo)?/?")


def _is_unsigned_sqs_query(request: Request) -> bool:
    """An SQS query request to a queue's URL (its path, and an `Action=` parameter or a form body).

    S3 would read the path as a bucket of twelve digits and a key; but no S3 operation takes an
    `Action` parameter, and its POSTs to a key (CreateMultipartUpload, RestoreObject, ...), whose
    Content-Type may be anything, all name a subresource in the query, which SQS's form POST has not."""
    if _QUEUE_PATH.fullmatch(request.path) is None:
        return False
    if "Action=" in request.query_string:
        return True
    return (
        request.method == "POST"
        and not request.query_string
        and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    )


def _is_unsigned_sts(request: Request) -> bool:
    """AssumeRoleWithWebIdentity / AssumeRoleWithSAML: unsigned query-protocol POSTs to the endpoint's root.

    No S3 operation is a form-encoded POST to "/" (browser uploads are multipart/form-data and
    name a bucket), so this cannot take an S3 request away.
    """
    return (
        request.method == "POST"
        and request.path == "/"
        and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    )


def _is_s3control(request: Request) -> bool:
    return "x-amz-account-id" in request.headers and request.path.startswith(_s3control_prefix())


@cache
def _s3control_prefix() -> str:
    """The path prefix every S3 Control operation's requestUri shares ("/v20180820/")."""
    model = service_model("s3control")
    uris = [model.operation_model(name).http.get("requestUri", "/") for name in model.operation_names]
    common = os.path.commonprefix(uris)
    return common[: common.rfind("/") + 1] or "/"


# `<service>.<region>`, what stands before `.localhost` in a regional service host.
_REGIONAL_SERVICE = re.compile(rf"[a-z0-9-]+\.{REGION_NAME}")


def _service_from_host(host: str) -> str | None:
    """`sts.localhost:4566`, `iam.amazonaws.com`, `sqs.us-east-1.localhost` (as AWS's
    `sqs.us-east-1.amazonaws.com`): the service its first label names; any other virtual-hosted
    bucket's host (`b.s3.localhost`, `b.localhost`) is S3's."""
    bucket = virtual_host_bucket(host)
    if bucket and ".s3" in host:
        return "s3"
    first, dot, _ = host.partition(".")
    if dot and first not in ("s3", "localhost", "127"):
        if bucket is None or bucket == first or _REGIONAL_SERVICE.fullmatch(bucket):
            service = service_for_signing_name(first, scan=False)
            if service:
                return service
    return "s3" if bucket else None


def protocol_for(service: str, request: Request) -> str:
    """The service's protocol, or the query protocol for json services called the old way."""
    model = service_model(service)
    protocol: str = model.metadata.get("protocol", "rest-json")
    if protocol == "json" and "x-amz-target" not in request.headers:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded") or "Action=" in request.query_string:
            return "query"
        # A json service that kept its query API (the model's awsQueryCompatible: SQS) answers a
        # request that is neither json nor a form (a bare GET of a queue URL) the query way too.
        if "awsQueryCompatible" in model.metadata and "json" not in content_type:
            return "query"
    if protocol not in ("query", "ec2", "json", "rest-json", "rest-xml"):
        # smithy-rpc-v2-cbor and others: fall back to a protocol the model also lists.
        for candidate in model.metadata.get("protocols", []):
            if candidate in ("json", "query"):
                return str(candidate)
    return protocol
