"""Authentication errors, worded and coded the way each AWS protocol family answers them.

AWS does not have one set of authentication errors: S3 has its own codes and
extra fields, the query services (STS, IAM, SNS, RDS, ...) answer
InvalidClientTokenId / SignatureDoesNotMatch, EC2 answers AuthFailure, and the
JSON services answer UnrecognizedClientException / InvalidSignatureException
(HTTP 400 for awsJson services such as DynamoDB or Logs, 403 for rest-json
ones such as Lambda), save those that keep their query-era codes (SQS), which
answer as the query services do. `family()` decides which answers a service gives;
`AuthErrors` builds them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model

S3, QUERY, EC2, JSON = "s3", "query", "ec2", "json"

INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
S3_SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your key and signing method."
)
S3_MALFORMED = "The authorization header is malformed; "
CREDENTIAL_FORMAT = '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"'


@cache
def family(service: str) -> str:
    """Which family of authentication errors `service` (a botocore service name) answers with."""
    if service == "s3":
        return S3
    try:
        metadata = service_model(service).metadata
    except Exception:  # an unknown service still gets an answer, the JSON one
        return JSON
    if metadata.get("signatureVersion") in ("s3", "s3v4"):
        return S3  # S3 Control: S3's signer (no double-encoded paths) and S3's errors
    protocol = metadata.get("protocol", "json")
    if protocol == "ec2":
        return EC2
    if protocol in ("query", "rest-xml") or "awsQueryCompatible" in metadata:
        # A json service that was a query one (SQS) keeps its query-era answers: 403
        # InvalidClientTokenId / SignatureDoesNotMatch, which its json serializer sends in
        # x-amzn-query-error (SQS over json: "StatusCode: 403, api error InvalidClientTokenId").
        return QUERY
    return JSON


@cache
def _json_status(service: str) -> int:
    # awsJson (and CBOR) services answer auth failures with 400, API-Gateway-style
    # rest-json services (Lambda, API Gateway, ...) with 403.
    try:
        protocol = service_model(service).metadata.get("protocol", "json")
    except Exception:
        return 400
    return 403 if protocol == "rest-json" else 400


def _bytes_hex(text: str) -> str:
    return " ".join(f"{b:02x}" for b in text.encode("utf-8"))


class AuthErrors:
    """The errors of one service's family. Each method returns the exception to raise."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.family = family(service)
        self.json_status = _json_status(service) if self.family == JSON else 403

    def _json(self, code: str, message: str) -> ServiceError:
        return ServiceError(code, message, status=self.json_status)

    def missing_authentication(self) -> ServiceError:
        if self.family == EC2:
            return ServiceError(
                "MissingParameter", "The request must contain the parameter AWSAccessKeyId", status=400
            )
        if self.family == JSON:
            # Coral (awsJson) services word it like the query services; the
            # API-Gateway-fronted rest-json ones answer with the gateway's wording.
            message = (
                "Missing Authentication Token"
                if self.json_status == 403
                else "Request is missing Authentication Token"
            )
            return self._json("MissingAuthenticationTokenException", message)
        return ServiceError(
            "MissingAuthenticationToken", "Request is missing Authentication Token", status=403
        )

    def unknown_key(self, access_key_id: str) -> ServiceError:
        if self.family == S3:
            return ServiceError(
                "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.",
                status=403,
                AWSAccessKeyId=access_key_id,
            )
        if self.family == EC2:
            return ServiceError(
                "AuthFailure", "AWS was not able to validate the provided access credentials", status=401
            )
        if self.family == JSON:
            return self._json("UnrecognizedClientException", INVALID_TOKEN)
        return ServiceError("InvalidClientTokenId", INVALID_TOKEN, status=403)

    def invalid_token(self, access_key_id: str, token: str | None) -> ServiceError:
        """A session token that does not belong to the key (or a token on a permanent key)."""
        if self.family == S3:
            if not token:  # S3 treats a temporary key without its token as unknown
                return self.unknown_key(access_key_id)
            return ServiceError(
                "InvalidToken", "The provided token is malformed or otherwise invalid.", status=400
            )
        return self.unknown_key(access_key_id)

    def expired_token(self, token: str | None) -> ServiceError:
        if self.family == S3:
            fields: dict[str, Any] = {"Token-0": token} if token else {}
            return ServiceError("ExpiredToken", "The provided token has expired.", status=400, **fields)
        if self.family == EC2:
            return ServiceError("RequestExpired", "Request has expired.", status=400)
        if self.family == JSON:
            return self._json("ExpiredTokenException", EXPIRED_TOKEN)
        return ServiceError("ExpiredToken", EXPIRED_TOKEN, status=403)

    def signature_mismatch(
        self,
        message: str | None = None,
        *,
        access_key_id: str = "",
        string_to_sign: str | None = None,
        canonical_request: str | None = None,
        signature: str = "",
    ) -> ServiceError:
        if self.family == S3:
            fields: dict[str, Any] = {"AWSAccessKeyId": access_key_id}
            if string_to_sign is not None:
                fields["StringToSign"] = string_to_sign
                fields["SignatureProvided"] = signature
                fields["StringToSignBytes"] = _bytes_hex(string_to_sign)
            if canonical_request is not None:
                fields["CanonicalRequest"] = canonical_request
                fields["CanonicalRequestBytes"] = _bytes_hex(canonical_request)
            return ServiceError(
                "SignatureDoesNotMatch", message or S3_SIGNATURE_MISMATCH, status=403, **fields
            )
        if self.family == EC2:
            return ServiceError(
                "AuthFailure", "AWS was not able to validate the provided access credentials", status=401
            )
        if self.family == JSON:
            return self._json("InvalidSignatureException", message or SIGNATURE_MISMATCH)
        return ServiceError("SignatureDoesNotMatch", message or SIGNATURE_MISMATCH, status=403)

    def incomplete_signature(self, message: str) -> ServiceError:
        """A SigV4 header or query that cannot be read (non-S3 wording)."""
        if self.family == JSON:
            return ServiceError("IncompleteSignatureException", message, status=self.json_status)
        return ServiceError("IncompleteSignature", message, status=400)

    def clock_skew(self, request_time: str, expired: bool, window: str) -> ServiceError:
        """A request date too far from now. `window` is the earliest/latest accepted time."""
        if self.family == EC2:
            return ServiceError("RequestExpired", "Request has expired.", status=400)
        if expired:
            message = f"Signature expired: {request_time} is now earlier than {window}"
        else:
            message = f"Signature not yet current: {request_time} is still later than {window}"
        return self.signature_mismatch(message)

    # --- S3-only answers -------------------------------------------------------------

    @staticmethod
    def s3_header_malformed(detail: str) -> ServiceError:
        return ServiceError("AuthorizationHeaderMalformed", S3_MALFORMED + detail, status=400)

    @staticmethod
    def s3_query_malformed(message: str) -> ServiceError:
        return ServiceError("AuthorizationQueryParametersError", message, status=400)

    @staticmethod
    def s3_access_denied(message: str, **fields: Any) -> ServiceError:
        return ServiceError("AccessDenied", message, status=403, **fields)

    @staticmethod
    def s3_time_too_skewed(request_time: str, server_time: str, max_skew_ms: int) -> ServiceError:
        return ServiceError(
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
            status=403,
            RequestTime=request_time,
            ServerTime=server_time,
            MaxAllowedSkewMilliseconds=str(max_skew_ms),
        )

    @staticmethod
    def s3_unsupported_authorization(value: str) -> ServiceError:
        return ServiceError(
            "InvalidArgument",
            "Unsupported Authorization Type",
            status=400,
            ArgumentName="Authorization",
            ArgumentValue=value,
        )


def payload_hash_mismatch(client: str, computed: str) -> ServiceError:
    return ServiceError(
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        status=400,
        ClientComputedContentSHA256=client,
        S3ComputedContentSHA256=computed,
    )


def bad_digest(algorithm: str) -> ServiceError:
    return ServiceError(
        "BadDigest",
        f"The {algorithm.upper()} you specified did not match the calculated checksum.",
        status=400,
    )


_BYTES_NOT_PROVIDED = "You did not provide the number of bytes specified by the Content-Length HTTP header"


def incomplete_body() -> ServiceError:
    return ServiceError("IncompleteBody", _BYTES_NOT_PROVIDED, status=400)


def malformed_chunk(detail: str) -> ServiceError:
    return ServiceError("InvalidRequest", f"Invalid aws-chunked request body: {detail}.", status=400)


def malformed_trailer() -> ServiceError:
    return ServiceError(
        "MalformedTrailerError",
        "The request contained trailing data that was not well-formed or did not conform to our published schema.",
        status=400,
    )


# --- aws-chunked bodies, as S3 answers them (OpenStack Swift's test/s3api/test_input_errors.py,
# whose expectations were recorded against AWS) ----------------------------------------------------


def body_terminated() -> ServiceError:
    """An aws-chunked body that breaks off or breaks its framing: S3 names no byte counts then."""
    return ServiceError("IncompleteBody", "The request body terminated unexpectedly", status=400)


def decoded_length_mismatch(expected: int, provided: int) -> ServiceError:
    """Well-framed aws-chunked data of another length than x-amz-decoded-content-length."""
    return ServiceError(
        "IncompleteBody",
        _BYTES_NOT_PROVIDED,
        status=400,
        NumberBytesExpected=str(expected),
        NumberBytesProvided=str(provided),
    )


def invalid_chunk_size(chunk: int, bad_size: int) -> ServiceError:
    # 403, not 400: as AWS answers (swift's test_strm_sgnd_pyld_too_small_chunks notes it too).
    return ServiceError(
        "InvalidChunkSizeError",
        "Only the last chunk is allowed to have a size less than 8192 bytes",
        status=403,
        Chunk=str(chunk),
        BadChunkSize=str(bad_size),
    )


def unsupported_trailer() -> ServiceError:
    return ServiceError(
        "InvalidRequest", "The value specified in the x-amz-trailer header is not supported", status=400
    )


def single_checksum_expected(multiple_types: bool = True) -> ServiceError:
    """A request that declares more than one checksum: two types (headers, trailers or both) or one type
    in a header beside an announced trailer, which S3 words without the second sentence."""
    message = "Expecting a single x-amz-checksum- header"
    if multiple_types:
        message += ". Multiple checksum Types are not allowed."
    return ServiceError("InvalidRequest", message, status=400)


def invalid_trailer_checksum(name: str) -> ServiceError:
    # The value itself is not echoed (swift's test_strm_unsgnd_pyld_trl_with_trailer_checksum_invalid).
    return ServiceError("InvalidRequest", f"Value for {name} trailing header is invalid.", status=400)
