"""S3 CORS: bucket CORS configurations checked as S3 checks them, and the answers they give.

A browser's preflight (`OPTIONS /{bucket}/{key}` with Origin and
Access-Control-Request-Method) is answered from the bucket's rules, without
authentication: the first rule whose AllowedOrigins match the Origin (a `*`
matches any run of characters, none included), whose AllowedMethods hold the
method and whose AllowedHeaders match every requested header wins. Actual
requests carrying an Origin get the same Access-Control-* headers when a rule
matches their method, errors included, as S3 sends them.

What S3 answers, as recorded against AWS:

    no Origin on a preflight           400 BadRequest "Insufficient information. Origin request header needed."
    bucket missing                     403 AccessForbidden "CORSResponse: Bucket not found"
    no CORS configuration              403 AccessForbidden "CORSResponse: CORS is not enabled for this bucket."
    no Access-Control-Request-Method   400 BadRequest "Invalid Access-Control-Request-Method: null"
    no rule matches                    403 AccessForbidden "CORSResponse: This CORS request is not allowed. ..."
    a rule matches                     200, Access-Control-Allow-Origin: the origin (with Allow-Credentials:
                                       true), or `*` when the rule allows any origin and the request is
                                       unsigned; Allow-Methods: the rule's methods; Allow-Headers: the
                                       requested headers; Expose-Headers, Max-Age from the rule; Vary.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.gateway.http import Request
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3.errors import invalid_request, malformed_xml
from pocketcloud.services.s3.state import GLOBAL, S3State

Params = dict[str, Any]
Headers = list[tuple[str, str]]

MAX_RULES = 100
METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE")
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # what no header value may carry (tab aside)
NOT_ALLOWED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request "
    "method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the "
    "resource's CORS spec."
)


def validate_cors_configuration(config: Params | None) -> None:
    rules = (config or {}).get("CORSRules")
    if not rules or len(rules) > MAX_RULES:
        raise malformed_xml()
    for rule in rules:
        if not rule.get("AllowedMethods") or not rule.get("AllowedOrigins"):
            raise malformed_xml()
        for method in rule["AllowedMethods"]:
            if method not in METHODS:
                raise invalid_request(f"Found unsupported HTTP method in CORS config. Unsupported method is {method}")
        for origin in rule["AllowedOrigins"]:
            if origin.count("*") > 1:
                raise invalid_request(f'AllowedOrigin "{origin}" can not have more than one wildcard.')
        for header in rule.get("AllowedHeaders") or []:
            if header.count("*") > 1:
                raise invalid_request(f'AllowedHeader "{header}" can not have more than one wildcard.')
            _check_header_name(header)
        for header in rule.get("ExposeHeaders") or []:
            if "*" in header:
                raise invalid_request(
                    f'ExposeHeader "{header}" contains wildcard. We currently do not support wildcard for ExposeHeader.'
                )
            _check_header_name(header)


def _check_header_name(header: str) -> None:
    """A header name is an HTTP token (RFC 9110 5.6.2). S3 names an AllowedHeader in the refusal of
    either kind (scality/cloudserver#497 quotes it for an ExposeHeader; versity/versitygw's
    PutBucketCors_invalid_header expects one error for both)."""
    if not _TOKEN.fullmatch(header):
        raise invalid_request(f'AllowedHeader "{header}" contains invalid character.')


@lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if part == "*" else re.escape(part) for part in re.split(r"(\*)", pattern)),
                      re.IGNORECASE | re.DOTALL)


def _requested_headers(request: Request) -> list[str]:
    raw = request.headers.get("access-control-request-headers", "")
    return [h.strip().lower() for h in raw.split(",") if h.strip()]


def match_rule(rules: list[Params], origin: str, method: str, requested_headers: list[str]) -> Params | None:
    """The first rule allowing this origin, method and every requested header; None if none does."""
    for rule in rules:
        if method not in rule.get("AllowedMethods", ()):
            continue
        if not any(o == "*" or _wildcard(o).fullmatch(origin) for o in rule.get("AllowedOrigins", ())):
            continue
        allowed = rule.get("AllowedHeaders") or []
        if requested_headers and not all(
            any(_wildcard(pattern.lower()).fullmatch(header) for pattern in allowed) for header in requested_headers
        ):
            continue
        return rule
    return None


def _signed(request: Request) -> bool:
    """Signed by a header, or presigned (SigV4's X-Amz-Signature, SigV2's Signature)."""
    if "authorization" in request.headers:
        return True
    query = request.query_string
    return "Signature=" in query and any(k in ("X-Amz-Signature", "Signature") for k, _ in request.query)


def rule_headers(rule: Params, request: Request, origin: str, preflight: bool) -> Headers:
    """The Access-Control-* headers a matched rule gives a request."""
    headers: Headers = []
    if "*" in rule.get("AllowedOrigins", ()) and not _signed(request):
        headers.append(("Access-Control-Allow-Origin", "*"))
    else:
        headers += [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true")]
    headers.append(("Vary", VARY))
    headers.append(("Access-Control-Allow-Methods", ", ".join(rule["AllowedMethods"])))
    requested = _requested_headers(request)
    if preflight and requested:
        headers.append(("Access-Control-Allow-Headers", ", ".join(requested)))
    if rule.get("ExposeHeaders"):
        # A stored name may hold CR/LF (XML text allows them); a header value cannot, so they are dropped.
        exposed = _CONTROL.sub("", ", ".join(rule["ExposeHeaders"]))
        headers.append(("Access-Control-Expose-Headers", exposed))
    if rule.get("MaxAgeSeconds") is not None:
        headers.append(("Access-Control-Max-Age", str(rule["MaxAgeSeconds"])))
    return headers


def _forbidden(message: str, method: str, resource_type: str) -> ServiceError:
    return ServiceError("AccessForbidden", message, status=403, Method=method, ResourceType=resource_type)


class CorsOperations:
    """PutBucketCors's checks, preflight answers, and CORS headers on actual responses."""

    s3: S3State

    def validate_cors(self, ctx: RequestContext, bucket: str, value: Params | None) -> None:
        self.s3.bucket(bucket)
        validate_cors_configuration(value)

    def _cors_rules(self, bucket: str) -> list[Params] | None:
        doc = self.s3.buckets.get(GLOBAL, bucket) if bucket else None
        if doc is None:
            return None
        return list(((doc.get("Configs") or {}).get("Cors") or {}).get("CORSRules") or [])

    def cors_preflight(self, request: Request, bucket: str, key: str) -> Headers:
        """The headers of a 200 answer to a preflight, or S3's refusal (a ServiceError)."""
        origin = request.headers.get("origin")
        if not origin:
            raise ServiceError("BadRequest", "Insufficient information. Origin request header needed.", status=400)
        method = request.headers.get("access-control-request-method")
        doc = self.s3.buckets.get(GLOBAL, bucket) if bucket else None
        if doc is None:
            raise _forbidden("CORSResponse: Bucket not found", method or "OPTIONS", "BUCKET")
        rules = ((doc.get("Configs") or {}).get("Cors") or {}).get("CORSRules")
        if not rules:
            raise _forbidden("CORSResponse: CORS is not enabled for this bucket.", method or "OPTIONS", "BUCKET")
        if not method:
            raise ServiceError("BadRequest", "Invalid Access-Control-Request-Method: null", status=400)
        rule = match_rule(rules, origin, method, _requested_headers(request))
        if rule is None:
            raise _forbidden(NOT_ALLOWED, method, "OBJECT" if key else "BUCKET")
        return rule_headers(rule, request, origin, preflight=True)

    def cors_response_headers(self, request: Request, bucket: str) -> Headers:
        """Access-Control-* headers for an actual (non-OPTIONS) request carrying an Origin."""
        origin = request.headers.get("origin")
        if not origin or not bucket:
            return []
        rules = self._cors_rules(bucket)
        if not rules:
            return []
        # A request that carries Access-Control-Request-Method (or -Headers) is matched as that method
        # (with those headers), as S3 does.
        method = request.headers.get("access-control-request-method") or request.method
        rule = match_rule(rules, origin, method, _requested_headers(request))
        return rule_headers(rule, request, origin, preflight=False) if rule is not None else []
