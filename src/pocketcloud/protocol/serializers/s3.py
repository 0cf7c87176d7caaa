"""S3's departures from plain rest-xml, kept out of the generic code.

- Root elements: botocore's S3 model names output shapes `ListObjectsV2Output`
  and so on, while S3 sends `<ListBucketResult>`; the real names (the Smithy
  model's xmlName traits, which botocore's JSON does not carry) are listed here.
- GetBucketLocation's answer is the text of the root element itself,
  `<LocationConstraint>eu-west-1</LocationConstraint>` (botocore reads it with
  a handler of its own, `parse_get_bucket_location`).
- Request ids travel as `x-amz-request-id` and `x-amz-id-2` (the "host id").
- A ranged GetObject answers 206 Partial Content, which the model cannot say.
- HeadBucket's answer is labelled application/xml, with no body; PutBucketTagging's and
  PutBucketPolicy's are 204;
  a provider may set another status with the non-model output member `__status` (RestoreObject's 202),
  and add headers the model has no member for with `__headers` (a listing's x-amz-bucket-region).
- A browser POST upload (PostObject, not in the model) answers 204, 200, 201
  with a PostResponse document, or 303 to the form's success_action_redirect.
- Listing entries are written by the fast writers of `s3_listing.py`, after the listing's own
  members (its Name first); ListBuckets names the Owner before the Buckets, as S3 does.
- Errors are a bare `<Error>` document carrying RequestId and HostId, and a
  HEAD request's error has no body at all (clients then go by the status).
"""

from __future__ import annotations

import hashlib
from base64 import b64encode
from typing import TYPE_CHECKING, Any

from pocketcloud.gateway.http import Response
from pocketcloud.protocol.errors import BareError, ServiceError

from .rest import XML_DECLARATION, Encoder, RestXmlSerializer
from .s3_listing import LISTING_WRITERS
from .xml import XmlPlanner, escape_text

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

# Operation → root element of its XML body, where it is not the shape's name.
_ROOT_ELEMENTS = {
    "CompleteMultipartUpload": "CompleteMultipartUploadResult",
    "CreateMultipartUpload": "InitiateMultipartUploadResult",
    "CreateSession": "CreateSessionResult",
    "DeleteObjects": "DeleteResult",
    "GetBucketAccelerateConfiguration": "AccelerateConfiguration",
    "GetBucketAcl": "AccessControlPolicy",
    "GetBucketCors": "CORSConfiguration",
    "GetBucketLifecycle": "LifecycleConfiguration",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketLogging": "BucketLoggingStatus",
    "GetBucketNotification": "NotificationConfiguration",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketRequestPayment": "RequestPaymentConfiguration",
    "GetBucketTagging": "Tagging",
    "GetBucketVersioning": "VersioningConfiguration",
    "GetBucketWebsite": "WebsiteConfiguration",
    "GetObjectAcl": "AccessControlPolicy",
    "GetObjectAttributes": "GetObjectAttributesResponse",
    "GetObjectTagging": "Tagging",
    "ListBucketAnalyticsConfigurations": "ListBucketAnalyticsConfigurationResult",
    "ListBucketInventoryConfigurations": "ListInventoryConfigurationsResult",
    "ListBucketMetricsConfigurations": "ListMetricsConfigurationsResult",
    "ListBuckets": "ListAllMyBucketsResult",
    "ListDirectoryBuckets": "ListAllMyDirectoryBucketsResult",
    "ListMultipartUploads": "ListMultipartUploadsResult",
    "ListObjectVersions": "ListVersionsResult",
    "ListObjects": "ListBucketResult",
    "ListObjectsV2": "ListBucketResult",
    "ListParts": "ListPartsResult",
}

# Where S3's element order is not the model's: a listing names its bucket before its entries, and
# the bucket list its owner before the buckets (the AWS SDK for Java v1 reads them in that order).
_LISTING_HEAD = (
    "Name",
    "Prefix",
    "Marker",
    "NextMarker",
    "ContinuationToken",
    "NextContinuationToken",
    "KeyCount",
    "MaxKeys",
    "Delimiter",
    "EncodingType",
    "IsTruncated",
    "StartAfter",
)
MEMBER_ORDER = {
    "ListObjectsOutput": _LISTING_HEAD,
    "ListObjectsV2Output": _LISTING_HEAD,
    # The SDK for Java v1 gives each version the bucket name it has read when the entry starts.
    "ListObjectVersionsOutput": (
        "Name",
        "Prefix",
        "KeyMarker",
        "VersionIdMarker",
        "NextKeyMarker",
        "NextVersionIdMarker",
        "MaxKeys",
        "Delimiter",
        "EncodingType",
        "IsTruncated",
    ),
    "ListBucketsOutput": ("Owner",),
    # A listed object's Owner comes before its StorageClass on the wire (AWS's answers recorded in
    # smithy-rs's no_auth/list-objects.json, 2023, and pkgcloud's list-bucket-files.xml, 2012).
    "Object": ("Key", "LastModified", "ETag", "ChecksumAlgorithm", "ChecksumType", "Size", "Owner"),
}

# The listings that take encoding-type=url (ListParts takes none: it keeps U+FFFD, parseable).
_LISTINGS = frozenset(("ListObjects", "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads"))

# Operations whose single body member is the root element's text.
_ROOT_TEXT = {"GetBucketLocation": "LocationConstraint"}


def host_id(request_id: str) -> str:
    """A stable stand-in for S3's x-amz-id-2, derived from the request id so header and body agree."""
    return b64encode(hashlib.sha256(request_id.encode("utf-8", "replace")).digest()).decode("ascii")


def _id_headers(request_id: str) -> list[tuple[str, str]]:
    """How S3 and S3 Control name a request: x-amz-request-id and its host id, x-amz-id-2."""
    return [("x-amz-request-id", request_id), ("x-amz-id-2", host_id(request_id))]


class S3ControlSerializer(RestXmlSerializer):
    """S3 Control's answers name their request as S3's do (the SDKs' S3 Control clients read a host
    id, as for S3), not in x-amzn-RequestId."""

    def request_id_headers(self, request_id: str) -> list[tuple[str, str]]:
        return _id_headers(request_id)


class S3Serializer(RestXmlSerializer):
    def __init__(self, service: str) -> None:
        super().__init__(service)
        # Listing entries (up to a thousand a page) get writers of their own: s3_listing.py.
        self.xml = XmlPlanner(always_millis=True, member_writers=LISTING_WRITERS, member_order=MEMBER_ORDER)
        # Listings write a key's control characters as they are (xml.py, `_S3_TEXT_SPECIAL`): the
        # reason S3 offers encoding-type=url.
        self.listing_xml = XmlPlanner(
            always_millis=True, member_writers=LISTING_WRITERS, member_order=MEMBER_ORDER, raw_controls=True
        )

    def root_element(self, operation: OperationModel, shape: Shape) -> str:
        return _ROOT_ELEMENTS.get(operation.name, shape.name)

    def xml_for(self, operation: OperationModel) -> XmlPlanner:
        return self.listing_xml if operation.name in _LISTINGS else self.xml

    def body_encoder(self, operation: OperationModel, shape: Shape) -> Encoder:
        member = _ROOT_TEXT.get(operation.name)
        if member is None:
            return super().body_encoder(operation, shape)
        head = f'{XML_DECLARATION}<{member} xmlns="{self.namespace}"'

        def encode(output: Any) -> bytes:
            value = output.get(member)
            if value is None:  # us-east-1 is spelled as an empty constraint
                return (head + "/>").encode()
            return f"{head}>{escape_text(str(value))}</{member}>".encode("utf-8", "replace")

        return encode

    def request_id_headers(self, request_id: str) -> list[tuple[str, str]]:
        # Every S3 response, errors included, names its server as S3 does.
        return [*_id_headers(request_id), ("Server", "AmazonS3")]

    def error_body(
        self, error: ServiceError, shape: Shape | None, fields: dict[str, Any], status: int, request_id: str
    ) -> tuple[str, bytes]:
        out = [
            f"{XML_DECLARATION}<Error>",
            f"<Code>{escape_text(self.xml_error_code(error))}</Code>",
            f"<Message>{escape_text(error.message)}</Message>",
        ]
        self.xml.error_fields(shape, fields, out)
        out.append(
            f"<RequestId>{escape_text(request_id)}</RequestId><HostId>{host_id(request_id)}</HostId></Error>"
        )
        return self.document_type, "".join(out).encode("utf-8", "replace")

    def serialize(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> Response:
        if operation.name == "PostObject":
            return self._post_object(output or {}, request_id)
        response = super().serialize(operation, output, request_id)
        if output and output.get("ContentRange") and operation.name in ("GetObject", "HeadObject"):
            response.status = 206  # a ranged read is Partial Content; the model has no status member for it
        elif operation.name in ("PutBucketTagging", "PutBucketMetricsConfiguration", "PutBucketPolicy"):
            response.status = 204  # S3 answers them No Content; the model has no status for it
        elif output and output.get("__status"):
            # RestoreObject's 202 Accepted: a status the model has no member for
            response.status = output["__status"]
        elif operation.name == "HeadBucket":
            response.headers.append(("Content-Type", "application/xml"))  # as S3 labels it, though bodiless
        for name, value in ((output or {}).get("__headers") or {}).items():
            # Headers S3 sends that the model has no member for (a listing's x-amz-bucket-region).
            response.headers.append((name, value))
        return response

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> Response:
        response = super().serialize_error(error, operation, request_id)
        if response.status == 304 or isinstance(error, BareError):  # Not Modified carries no body
            response.body = b""
            response.headers = [(k, v) for k, v in response.headers if k.lower() != "content-type"]
        return response

    def _post_object(self, output: dict[str, Any], request_id: str) -> Response:
        """A browser POST upload's answer: 303 to success_action_redirect, else 204, 200, or 201 with a
        PostResponse document (no namespace, as S3 sends it); ETag and Location headers in each."""
        headers = [*self.request_id_headers(request_id), ("ETag", output["ETag"])]
        if output.get("VersionId"):
            headers.append(("x-amz-version-id", output["VersionId"]))
        if output.get("Redirect"):
            return Response(303, [*headers, ("Location", output["Redirect"])], b"")
        headers.append(("Location", output["Location"]))
        status = {"200": 200, "201": 201}.get(output.get("Status", ""), 204)
        if status != 201:
            return Response(status, headers, b"")
        body = (
            f"{XML_DECLARATION}<PostResponse><Location>{escape_text(output['Location'])}</Location>"
            f"<Bucket>{escape_text(output['Bucket'])}</Bucket><Key>{escape_text(output['Key'])}</Key>"
            f"<ETag>{escape_text(output['ETag'])}</ETag></PostResponse>"
        )
        return Response(201, [*headers, ("Content-Type", "application/xml")], body.encode("utf-8"))
