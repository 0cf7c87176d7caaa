"""Reading a SigV4 signature out of a request: the Authorization header or a presigned query.

Each reader returns a `SignatureInfo` or raises the error the service's
family answers for that particular defect (an S3 AuthorizationHeaderMalformed
naming the bad part, a query service's IncompleteSignature, ...). Nothing here
touches secrets: verification is `sigv4.Authenticator`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from pocketcloud.auth.canonical import ALGORITHM, format_amz_date, parse_amz_date, query_params
from pocketcloud.auth.errors import CREDENTIAL_FORMAT, S3, AuthErrors
from pocketcloud.auth.sigv4a import ECDSA_ALGORITHM, REGION_SET, region_set, single_region
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import is_digits

MAX_PRESIGN_EXPIRES = 604800  # one week
_PRESIGN_MARKERS = ("X-Amz-Algorithm=", "X-Amz-Credential=", "X-Amz-Signature=")
_SIGV2_QUERY = re.compile(r"(^|&)AWSAccessKeyId=")
_LENIENT_CREDENTIAL = re.compile(r"Credential=([^/,&\s]*)(?:/|%2F)\d{8}(?:/|%2F)([^/,&\s%]*)")


@dataclass(slots=True)
class SignatureInfo:
    access_key_id: str
    scope: str  # date/region/service/aws4_request as sent
    date: str
    region: str
    service: str
    signed_headers: list[str]
    signature: str
    amz_date: str  # the timestamp in the string to sign
    request_time: str  # the timestamp as the client sent it
    timestamp: float
    token: str | None
    presigned: bool = False
    expires: int | None = None
    # S3 Express One Zone's session token (x-amz-s3session-token), which stands where STS's would.
    s3session_token: str | None = None
    algorithm: str = ALGORITHM
    # SigV4a: the Regions the signature is good for (X-Amz-Region-Set); its scope names none.
    region_set: tuple[str, ...] = ()


def has_presigned_query(query_string: str) -> bool:
    return "X-Amz-" in query_string and any(marker in query_string for marker in _PRESIGN_MARKERS)


def has_sigv2_query(query_string: str) -> bool:
    # AWSAccessKeyId alone makes a SigV2 presigned URL: one missing its Signature is refused as one.
    return _SIGV2_QUERY.search(query_string) is not None


def sigv2_not_supported() -> ServiceError:
    return ServiceError(
        "NotImplemented",
        "Signature Version 2 is not supported by pocketcloud yet; sign requests with Signature Version 4.",
        status=501,
        sender_fault=False,
    )


def lenient_scope(authorization: str | None, query_string: str) -> tuple[str, str | None] | None:
    """(access key id, region) from whatever credential a request carries, without validating it."""
    for text in (authorization or "", query_string):
        match = _LENIENT_CREDENTIAL.search(text)
        if match:
            return match.group(1), match.group(2) or None
    return None


_WELL_FORMED = re.compile(r"Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})\Z")


def _components(rest: str) -> dict[str, str]:
    match = _WELL_FORMED.match(rest)  # what every SDK sends, read in one step
    if match:
        return {"Credential": match[1], "SignedHeaders": match[2], "Signature": match[3]}
    params: dict[str, str] = {}
    for part in rest.split(","):
        name, eq, value = part.strip().partition("=")
        if eq and name not in params:
            params[name] = value.strip()
    return params


def _split_credential(
    credential: str, errors: AuthErrors, presigned: bool, regions: tuple[str, ...] | None = None
) -> list[str]:
    """[key id, date, Region, service, terminal]; for SigV4a (`regions`, its region set), whose scope
    is key id/date/service/terminal, the Region is the region set's one Region or its text."""
    parts = credential.split("/")
    if regions is not None and len(parts) == 4 and parts[0]:
        return [parts[0], parts[1], single_region(regions) or ",".join(regions), parts[2], parts[3]]
    if regions is None and len(parts) == 5 and parts[0]:
        return parts
    if errors.family == S3:
        detail = f"the Credential is mal-formed; expecting {CREDENTIAL_FORMAT}."
        if presigned:
            raise errors.s3_query_malformed("Error parsing the X-Amz-Credential parameter; " + detail)
        raise errors.s3_header_malformed(detail)
    raise errors.incomplete_signature(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term,"
        f" got '{credential}'"
    )


def _check_scope(
    parts: list[str], amz_date: str, signing_name: str, errors: AuthErrors, presigned: bool
) -> None:
    _, date, region, service, terminal = parts
    s3 = errors.family == S3
    if (
        terminal == "aws4_request"
        and (service == signing_name or not signing_name)
        and date == amz_date[:8]
        and (region or not s3)
    ):
        return

    def s3_error(detail: str) -> ServiceError:
        if presigned:
            return errors.s3_query_malformed("Error parsing the X-Amz-Credential parameter; " + detail)
        return errors.s3_header_malformed(detail)

    if s3 and not region:
        # S3 names an empty Region in the scope ahead of the service and the terminal, as the AWS CLI
        # signing with AWS_REGION= was answered in siderolabs/omni#98 (libcloud's MinIO driver signs so).
        raise s3_error("a non-empty region must be provided in the credential.")
    if terminal != "aws4_request":
        if s3:
            raise s3_error(f'incorrect terminal "{terminal}". This endpoint uses "aws4_request".')
        raise errors.signature_mismatch(
            f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminal}'. "
        )
    if signing_name and service != signing_name:
        if s3:
            raise s3_error(f'incorrect service "{service}". This endpoint belongs to "{signing_name}".')
        raise errors.signature_mismatch(f"Credential should be scoped to correct service: '{signing_name}'. ")
    if date != amz_date[:8]:
        if s3 and presigned:
            raise errors.s3_query_malformed(
                f'Invalid credential date "{date}". This date is not the same as X-Amz-Date: "{amz_date[:8]}".'
            )
        if s3:
            raise errors.s3_header_malformed("Invalid credential date. Date is not the same as X-Amz-Date.")
        raise errors.signature_mismatch(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{date}' != '{amz_date[:8]}', from '{amz_date}'."
        )


def _header_date(headers: dict[str, str]) -> tuple[str, str, float | None] | None:
    """(timestamp for the string to sign, timestamp as sent, epoch seconds) from X-Amz-Date or Date."""
    raw = headers.get("x-amz-date")
    if raw is not None:
        return raw, raw, parse_amz_date(raw)
    raw = headers.get("date")
    if raw is None:
        return None
    try:
        seconds = parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return raw, raw, None
    return format_amz_date(seconds), raw, seconds


def parse_authorization(
    value: str, headers: dict[str, str], errors: AuthErrors, signing_name: str
) -> SignatureInfo:
    s3 = errors.family == S3
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm not in _ALGORITHMS:
        if s3:
            if algorithm == "AWS":
                raise sigv2_not_supported()
            raise errors.s3_unsupported_authorization(value)
        if algorithm.startswith("AWS4-") and "=" in rest:
            raise errors.incomplete_signature(f"Unsupported AWS 'algorithm': '{algorithm}'")
        rest = ""
    params = _components(rest)
    credential, signed, signature = (
        params.get("Credential"),
        params.get("SignedHeaders"),
        params.get("Signature"),
    )
    date = _header_date(headers)
    if not (credential and signed and signature):
        if s3:
            raise errors.s3_header_malformed(
                "the authorization header requires three components: Credential, SignedHeaders, and Signature."
            )
        missing = [
            f"Authorization header requires '{name}' parameter."
            for name, present in (
                ("Credential", credential),
                ("Signature", signature),
                ("SignedHeaders", signed),
            )
            if not present
        ]
        if date is None:
            missing.append(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
            )
        raise errors.incomplete_signature(" ".join(missing + [f"Authorization={value}"]))
    regions = region_set(headers.get(REGION_SET, "")) if algorithm == ECDSA_ALGORITHM else None
    parts = _split_credential(credential, errors, presigned=False, regions=regions)
    if date is None:
        if s3:
            raise errors.s3_access_denied("AWS authentication requires a valid Date or x-amz-date header")
        raise errors.incomplete_signature(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            f"Authorization={value}"
        )
    amz_date, request_time, timestamp = date
    if timestamp is None:
        if s3:
            raise errors.s3_access_denied("AWS authentication requires a valid Date or x-amz-date header")
        raise errors.incomplete_signature(
            f"Date must be in ISO-8601 'basic format'. Got '{request_time}'. See http://en.wikipedia.org/wiki/ISO_8601"
        )
    signed_headers = signed.split(";")
    if not s3 and "host" not in signed_headers:
        raise errors.incomplete_signature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        )
    if regions is not None and REGION_SET not in signed_headers:
        if s3:
            raise errors.s3_header_malformed(f"{ECDSA_ALGORITHM} requires a signed X-Amz-Region-Set header.")
        raise errors.incomplete_signature(f"{ECDSA_ALGORITHM} requires a signed X-Amz-Region-Set header.")
    _check_scope(parts, amz_date, signing_name, errors, presigned=False)
    return SignatureInfo(
        access_key_id=parts[0],
        scope=credential.partition("/")[2],
        date=parts[1],
        region=_scope_region(parts, regions),
        service=parts[3],
        signed_headers=signed_headers,
        signature=signature,
        amz_date=amz_date,
        request_time=request_time,
        timestamp=timestamp,
        token=headers.get("x-amz-security-token"),
        s3session_token=headers.get("x-amz-s3session-token"),
        algorithm=algorithm,
        region_set=regions or (),
    )


_ALGORITHMS = (ALGORITHM, ECDSA_ALGORITHM)


def _scope_region(parts: list[str], regions: tuple[str, ...] | None) -> str:
    """The Region a signature names: its scope's, or the one Region of a SigV4a region set ("" if it
    names several or a wildcard: the request is then good wherever the set allows)."""
    if regions is None:
        return parts[2]
    return single_region(regions) or ""


_PRESIGN_REQUIRED = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
)


def parse_presigned(query_string: str, errors: AuthErrors, signing_name: str) -> SignatureInfo:
    s3 = errors.family == S3
    params = query_params(query_string)
    required = _PRESIGN_REQUIRED + (("X-Amz-Expires",) if s3 else ())
    for name in required:
        if not params.get(name):
            if s3:
                raise errors.s3_query_malformed(
                    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                    "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
                )
            raise errors.incomplete_signature(
                f"AWS query-string parameters must include '{name}'. Re-examine the query-string parameters."
            )
    bad = errors.s3_query_malformed if s3 else errors.incomplete_signature
    algorithm = params["X-Amz-Algorithm"]
    if algorithm not in _ALGORITHMS:
        if s3:
            raise bad('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256" and "AWS4-ECDSA-P256-SHA256"')
        raise bad(f"Unsupported AWS 'algorithm': '{params['X-Amz-Algorithm']}'")
    expires: int | None = None
    if "X-Amz-Expires" in params:
        text = params["X-Amz-Expires"]
        digits = text[1:] if text.startswith("-") else text
        if not is_digits(digits, len(text) + 1):  # any length: a long one is clamped below
            raise bad("X-Amz-Expires should be a number")
        expires = int(text) if len(digits) <= 20 else int(text[0] + "9" * 20)  # int() refuses 4300+ digits
        if expires < 0:
            raise bad("X-Amz-Expires must be non-negative")
        if expires > MAX_PRESIGN_EXPIRES:
            raise bad(f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_PRESIGN_EXPIRES}")
    regions = region_set(params.get("X-Amz-Region-Set", "")) if algorithm == ECDSA_ALGORITHM else None
    if regions == ():
        raise bad(f"{ECDSA_ALGORITHM} requires the X-Amz-Region-Set parameter.")
    parts = _split_credential(params["X-Amz-Credential"], errors, presigned=True, regions=regions)
    amz_date = params["X-Amz-Date"]
    timestamp = parse_amz_date(amz_date)
    if timestamp is None:
        if s3:
            raise bad("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
        raise bad(
            f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
        )
    signed_headers = params["X-Amz-SignedHeaders"].split(";")
    if not s3 and "host" not in signed_headers:
        raise bad("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    _check_scope(parts, amz_date, signing_name, errors, presigned=True)
    return SignatureInfo(
        access_key_id=parts[0],
        scope=params["X-Amz-Credential"].partition("/")[2],
        date=parts[1],
        region=_scope_region(parts, regions),
        service=parts[3],
        signed_headers=signed_headers,
        signature=params["X-Amz-Signature"],
        amz_date=amz_date,
        request_time=amz_date,
        timestamp=timestamp,
        token=params.get("X-Amz-Security-Token"),
        presigned=True,
        expires=expires,
        s3session_token=params.get("X-Amz-S3session-Token"),
        algorithm=algorithm,
        region_set=regions or (),
    )
