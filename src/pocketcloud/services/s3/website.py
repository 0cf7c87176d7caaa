"""S3 static website endpoints: `<bucket>.s3-website-<region>.<host>` and `<bucket>.s3-website.<region>.<host>`.

A website endpoint answers as S3's does (User Guide, "Website endpoints"): GET and
HEAD only, always anonymous, so an object is served only when a bucket policy or ACL
makes it public (403 otherwise); "/" and "dir/" are served from the IndexDocument,
"dir" is redirected to "dir/" when only its index exists; errors come back as HTML
pages (Code/Message list), or as the ErrorDocument with the original 4xx status;
RedirectAllRequestsTo, RoutingRules and an object's x-amz-website-redirect-location
answer with redirects. Objects are read through the S3 operations themselves
(GetObject/HeadObject, parsed, authorized and served as on the REST endpoint), so
ranges, conditional requests and encryption behave as there.
"""

from __future__ import annotations

import inspect
import re
from html import escape
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from pocketcloud.auth.principal import ANONYMOUS
from pocketcloud.gateway.context import RequestContext
from pocketcloud.gateway.http import Request, Response
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import error_status
from pocketcloud.protocol.parsers import create_parser
from pocketcloud.protocol.serializers import create_serializer
from pocketcloud.services.s3.request_payment import requester_pays
from pocketcloud.services.s3.state import bucket_scope

if TYPE_CHECKING:
    from pocketcloud.gateway.app import Gateway

Params = dict[str, Any]
MARKER = ".s3-website"
# Request headers a website GET passes on to the object read (the rest, Authorization included, are ignored).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # what no header value may carry
_READ_HEADERS = ("range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since")


def website_bucket(host: str) -> str | None:
    """The bucket a website Host names: `b.s3-website-us-east-1.localhost:4566`, `b.s3-website.eu-west-1.localhost`."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    index = name.find(MARKER)
    if index <= 0:
        return None
    rest = name[index + len(MARKER) :]
    return name[:index] if rest[:1] in ("-", ".", "") else None


def _error(code: str, message: str, status: int, **fields: Any) -> ServiceError:
    return ServiceError(code, message, status=status, **fields)


class WebsiteEndpoint:
    """Answers one website request; `gateway` supplies the authorizer, the S3 provider and call observers."""

    def __init__(self, gateway: Gateway, request: Request, request_id: str, bucket: str) -> None:
        self.gateway = gateway
        self.request = request
        self.request_id = request_id
        self.bucket = bucket
        self.provider: Any = gateway.runtime.provider("s3")

    async def answer(self) -> Response:
        try:
            return await self._answer()
        except ServiceError as error:
            return self._html_error(error)

    async def _answer(self) -> Response:
        if self.request.method not in ("GET", "HEAD"):
            raise _error(
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
                405,
                Method=self.request.method,
                ResourceType="OBJECT",
            )
        bucket_doc = self.provider.s3.bucket(self.bucket)  # NoSuchBucket
        config = (bucket_doc.get("Configs") or {}).get("Website")
        if not config:
            raise _error(
                "NoSuchWebsiteConfiguration",
                "The specified bucket does not have a website configuration",
                404,
                BucketName=self.bucket,
            )
        if requester_pays(bucket_doc):
            # "Requester Pays buckets do not allow access through the website endpoint. Any request to
            # such a bucket receives a 403 Access Denied response." (S3 User Guide, Website endpoints)
            raise _error("AccessDenied", "Access Denied", 403)
        requested = unquote(self.request.path).lstrip("/")
        everything = config.get("RedirectAllRequestsTo")
        if everything:
            protocol = everything.get("Protocol") or self.request.scheme
            return self._redirect(301, f"{protocol}://{everything['HostName']}/{quote(requested, safe='/~')}")
        rule = _routing_rule(config, requested, None)
        if rule is not None:
            return self._rule_redirect(rule, requested)
        suffix = (config.get("IndexDocument") or {}).get("Suffix") or "index.html"
        key = requested + suffix if requested == "" or requested.endswith("/") else requested
        try:
            return await self._object(key)
        except ServiceError as error:
            status = _status(error)
            if status in (403, 404) and key == requested and self._exists(f"{requested}/{suffix}"):
                return self._redirect(302, f"/{quote(requested, safe='/~')}/")
            if status < 400:  # 304 Not Modified
                raise
            rule = _routing_rule(config, requested, status)
            if rule is not None:
                return self._rule_redirect(rule, requested)
            error_key = (config.get("ErrorDocument") or {}).get("Key")
            if not error_key or status >= 500:  # the ErrorDocument stands in for 4xx errors only
                raise
            return await self._error_document(error, error_key)

    # -- objects ------------------------------------------------------------------------------------

    def _exists(self, key: str) -> bool:
        return self.provider.s3.objects.get(bucket_scope(self.bucket), key) is not None

    async def _object(self, key: str, method: str | None = None) -> Response:
        """The object as the REST endpoint serves it to an anonymous caller, or a redirect it names."""
        headers = {name: self.request.headers[name] for name in _READ_HEADERS if name in self.request.headers}
        read = Request(
            method=method or self.request.method,
            path=f"/{quote(self.bucket)}/{quote(key, safe='/~')}",
            query_string="",
            headers={**headers, "host": "localhost"},
            client_ip=self.request.client_ip,
            scheme=self.request.scheme,
        )
        operation, params = await create_parser("s3", "rest-xml").parse(read)
        ctx = RequestContext(
            service="s3",
            operation=operation.name,
            region=self.gateway.runtime.settings.region,
            principal=ANONYMOUS,
            request_id=self.request_id,
            request=read,
        )
        try:
            self.gateway.authorizer.authorize(ctx, operation, params)
            result = getattr(self.provider, operation.name)(ctx, params)
            if inspect.isawaitable(result):
                result = await result
        except ServiceError as error:
            self.gateway._observe(ctx, operation.name, error)
            raise
        self.gateway._observe(ctx, operation.name, None)
        location = result.get("WebsiteRedirectLocation")
        if location:
            close = getattr(result.get("Body"), "aclose", None)
            if close is not None:
                await close()
            return self._redirect(301, location)
        return create_serializer("s3", "rest-xml").serialize(operation, result, self.request_id)

    async def _error_document(self, error: ServiceError, error_key: str) -> Response:
        """The ErrorDocument with the original error's status; S3's two-part HTML page when it cannot be read."""
        try:
            response = await self._object(error_key, method=self.request.method)
        except ServiceError as nested:
            return self._html_error(error, nested)
        if response.status >= 300:  # a redirect of the error document itself is followed as is
            return response
        response.status = _status(error)
        response.headers = [(k, v) for k, v in response.headers if k.lower() != "content-range"]
        return response

    # -- answers ------------------------------------------------------------------------------------

    def _id_headers(self) -> list[tuple[str, str]]:
        serializer: Any = create_serializer("s3", "rest-xml")
        return list(serializer.request_id_headers(self.request_id))

    def _redirect(self, status: int, location: str) -> Response:
        # A routing rule's HostName or Protocol may hold CR/LF (XML text allows them); a header cannot.
        location = _CONTROL.sub("", location)
        return Response(status, [*self._id_headers(), ("Location", location), ("Content-Length", "0")], b"")

    def _rule_redirect(self, rule: Params, key: str) -> Response:
        redirect = rule.get("Redirect") or {}
        prefix = (rule.get("Condition") or {}).get("KeyPrefixEquals") or ""
        if redirect.get("ReplaceKeyWith") is not None:
            key = redirect["ReplaceKeyWith"]
        elif redirect.get("ReplaceKeyPrefixWith") is not None:
            key = redirect["ReplaceKeyPrefixWith"] + key[len(prefix) :]
        protocol = redirect.get("Protocol") or self.request.scheme
        location = f"{protocol}://{redirect.get('HostName') or self.request.host}/{quote(key, safe='/~')}"
        return self._redirect(int(redirect.get("HttpRedirectCode") or 301), location)

    def _html_error(self, error: ServiceError, nested: ServiceError | None = None) -> Response:
        status = _status(error)
        if status == 304:
            return Response(304, [*self._id_headers(), *error.headers.items()], b"")
        title = f"{status} {HTTPStatus(status).phrase}"
        lines = ["<html>", f"<head><title>{title}</title></head>", "<body>", f"<h1>{title}</h1>", "<ul>"]
        lines += _items(error)
        lines += [
            f"<li>RequestId: {self.request_id}</li>",
            f"<li>HostId: {self._id_headers()[1][1]}</li>",
            "</ul>",
        ]
        if nested is not None:
            lines += [
                "<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>",
                "<ul>",
            ]
            lines += [*_items(nested), "</ul>"]
        lines += ["<hr/>", "</body>", "</html>", ""]
        body = "\n".join(lines).encode()
        headers = [
            *self._id_headers(),
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ]
        return Response(status, headers, body)


def _status(error: ServiceError) -> int:
    if error.status:
        return int(error.status)
    return error_status("s3", error.code) or 400


def _items(error: ServiceError) -> list[str]:
    items = [f"<li>Code: {escape(error.code)}</li>", f"<li>Message: {escape(error.message)}</li>"]
    items += [
        f"<li>{escape(name)}: {escape(str(value))}</li>"
        for name, value in error.fields.items()
        if name in ("Key", "BucketName", "Method", "ResourceType")
    ]
    return items


def _routing_rule(config: Params, key: str, status: int | None) -> Params | None:
    """The first rule whose conditions all hold: before the read (status None) only rules without an
    error-code condition apply; after a failed read, the rules that name its status."""
    for rule in config.get("RoutingRules") or []:
        condition = rule.get("Condition") or {}
        code = condition.get("HttpErrorCodeReturnedEquals")
        if (code is None) != (status is None) or (code is not None and str(code) != str(status)):
            continue
        if key.startswith(condition.get("KeyPrefixEquals") or ""):
            return rule
    return None


async def serve_website(gateway: Gateway, request: Request, request_id: str) -> Response | None:
    """The answer of a website endpoint, or None when the Host names none."""
    bucket = website_bucket(request.host)
    if bucket is None:
        return None
    return await WebsiteEndpoint(gateway, request, request_id, bucket).answer()
