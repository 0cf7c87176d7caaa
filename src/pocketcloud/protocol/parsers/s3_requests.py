"""S3 requests refused for how they are addressed, before any operation is chosen for them.

S3's front end turns these away whatever the bucket or key holds, so a request that names no
operation of the model, or would fall through to another one (GET /b/k?uploads is no GetObject),
never reaches a provider: a URI with a broken escape or a ".." segment, a copy source on a request that copies
nothing, a key with the bucket-only ?uploads or ?versions, and any method but GET on ?torrent.
"""

from __future__ import annotations

from pocketcloud.gateway.http import Request
from pocketcloud.protocol.errors import BareError, MalformedRequest, ServiceError
from pocketcloud.protocol.values import BAD_PERCENT_ESCAPE


def refuse_misaddressed(request: Request, path: str) -> None:
    """Raise S3's refusal of a request addressed as no S3 request may be; `path` is the request's
    path with a virtual-hosted bucket folded in (`/bucket/key`)."""
    if BAD_PERCENT_ESCAPE.search(request.path):
        # A "%" that starts no escape: "400 Invalid URI: isHexDigit" and no body, before the bucket is
        # looked at or the signature checked (S3's raw answer in versity/versitygw#2070).
        raise BareError("BadRequest")
    if ".." in request.path.split("/"):
        # A key such as "../x" or "a/../b", which the SDKs send as is: 400 and no body, as the AWS
        # CLI met it (floci-io/floci#1231, #1320; versity/versitygw#1365). Such a key can be
        # neither written nor read.
        raise BareError("BadRequest")
    method = request.method
    query = {name for name, _ in request.query}
    source = request.headers.get("x-amz-copy-source")
    if source is not None and (method in ("GET", "HEAD", "DELETE") or (method == "POST" and "uploadId" in query)):
        # A DELETE carrying one deletes nothing (versity/versitygw#1612, PR #1642: "rejected with an
        # InvalidArgument error in S3 for all HTTP methods other than PUT").
        raise MalformedRequest(
            "InvalidArgument",
            "You can only specify a copy source header for copy requests.",
            ArgumentName="x-amz-copy-source",
            ArgumentValue=source,
        )
    has_key = "/" in path.strip("/")
    if not has_key:
        return
    if method == "GET" and "uploads" in query:  # versity/versitygw#1597
        raise MalformedRequest("InvalidRequest", "Key is not expected for the GET method ?uploads subresource")
    if method == "GET" and "versions" in query:
        raise MalformedRequest("InvalidRequest", "There is no such thing as the ?versions sub-resource for a key")
    if "torrent" in query and method != "GET":
        # GetObjectTorrent is the only torrent operation: a PUT or DELETE must not fall through to
        # PutObject or DeleteObject (versity/versitygw's RouterObjectTorrentMethodNotAllowed).
        raise ServiceError(
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
            status=405,
            headers={"Allow": "GET"},
            Method=method,
            ResourceType="TORRENT",
        )
