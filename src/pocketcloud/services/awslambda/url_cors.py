"""CORS for function URLs, from the configuration's Cors (AllowOrigins, AllowMethods, AllowHeaders,
ExposeHeaders, AllowCredentials, MaxAge).

With Cors configured, Lambda answers a browser's preflight itself (the function is not invoked,
and no credentials are asked for, since browsers send none) and puts the Access-Control-* headers
on every answer to a request with an Origin, in place of any the function set. Without Cors, an
OPTIONS request is the function's to answer like any other.
"""

from __future__ import annotations

import re
from typing import Any

from pocketcloud.gateway.http import Request, Response

Params = dict[str, Any]
# Line breaks and other controls, which the configuration may hold (validation lets "\r" through
# the models' ".*") and no header value may carry.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _joined(values: list[str]) -> str:
    return _CONTROL.sub("", ",".join(values))


def is_preflight(cors: Params | None, request: Request) -> bool:
    headers = request.headers
    return (
        bool(cors)
        and request.method == "OPTIONS"
        and "origin" in headers
        and "access-control-request-method" in headers
    )


def _allowed_origin(cors: Params, origin: str) -> str | None:
    origins = cors.get("AllowOrigins") or []
    if "*" in origins:
        # "*" cannot be answered to a request with credentials: the origin itself is.
        return origin if cors.get("AllowCredentials") else "*"
    return origin if origin.lower() in (o.lower() for o in origins) else None


def _common(cors: Params, allowed: str) -> list[tuple[str, str]]:
    headers = [("access-control-allow-origin", allowed)]
    if cors.get("AllowCredentials"):
        headers.append(("access-control-allow-credentials", "true"))
    if allowed != "*":
        headers.append(("vary", "Origin"))
    return headers


def preflight(cors: Params, request: Request) -> Response:
    """The answer to a preflight: 200, with the Access-Control-* headers only when it is allowed."""
    allowed = _allowed_origin(cors, request.headers["origin"])
    method = request.headers["access-control-request-method"].strip().upper()
    methods = [m.upper() for m in cors.get("AllowMethods") or []]
    asked = [h.strip().lower() for h in request.headers.get("access-control-request-headers", "").split(",")]
    asked = [h for h in asked if h]
    allow_headers = [h.lower() for h in cors.get("AllowHeaders") or []]
    if (
        allowed is None
        or not ("*" in methods or method in methods)
        or not ("*" in allow_headers or all(h in allow_headers for h in asked))
    ):
        return Response(status=200)
    headers = _common(cors, allowed)
    headers.append(("access-control-allow-methods", method if "*" in methods else _joined(methods)))
    if asked:
        headers.append(
            (
                "access-control-allow-headers",
                ",".join(asked) if "*" in allow_headers else _joined(allow_headers),
            )
        )
    if cors.get("MaxAge"):
        headers.append(("access-control-max-age", str(cors["MaxAge"])))
    return Response(status=200, headers=headers)


def apply(cors: Params | None, request: Request, response: Response) -> None:
    """Put the configuration's CORS headers on an actual request's answer (replacing the function's)."""
    origin = request.headers.get("origin")
    if not cors or origin is None:
        return
    response.headers = [(k, v) for k, v in response.headers if not k.lower().startswith("access-control-")]
    allowed = _allowed_origin(cors, origin)
    if allowed is None:
        return
    response.headers.extend(_common(cors, allowed))
    if cors.get("ExposeHeaders"):
        response.headers.append(("access-control-expose-headers", _joined(cors["ExposeHeaders"])))
