"""The gateway: every request runs through one chain.

    route → authenticate → parse → authorize → provider → serialize → audit

Routing names the service and protocol; authentication verifies SigV4 and
replaces the body with its verified, de-chunked payload; the parser finds the
operation and its input; the authorizer evaluates IAM policy; the provider
does the work; the serializer writes the output or the error in the
protocol's own format. Nothing a provider does can skip a step.

One S3 quirk sits beside the chain: a browser's CORS preflight
(`OPTIONS /{bucket}/{key}`) is no operation of S3's model and carries no
credentials, so it is answered from the bucket's CORS rules before
authentication (`_preflight`); and S3 adds the matching Access-Control-*
headers to the answer of any request that carries an Origin (`_cors_headers`).

Requests arrive from the connection protocol (`connection.py`) as `Request`s; the gateway is an
ASGI application only for uvicorn's lifespan, which starts and stops the providers.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import logging
import uuid
from collections.abc import Callable
from typing import Any

from pocketcloud.auth.sigv4 import Authenticator
from pocketcloud.gateway.context import RequestContext, s3_request_id, service_request_id
from pocketcloud.gateway.http import BodyTooLarge, Request, Response
from pocketcloud.gateway.internal import InternalRoutes
from pocketcloud.gateway.memo import close_memo, open_memo
from pocketcloud.gateway.routing import Target, route_request
from pocketcloud.protocol.errors import (
    InternalFailure,
    MalformedRequest,
    NotImplementedOperation,
    ServiceError,
)
from pocketcloud.protocol.models import service_model
from pocketcloud.protocol.parsers import create_parser
from pocketcloud.protocol.serializers import create_serializer, response_serializer
from pocketcloud.protocol.validation import unusable_text_error, validator_for
from pocketcloud.services import BACKGROUND_SERVICES, CREDENTIAL_SERVICES
from pocketcloud.services.base import ServiceRuntime
from pocketcloud.store import UnusableKey

log = logging.getLogger("pocketcloud.gateway")

# Called after every AWS call: (context or None, operation name, error or None).
CallObserver = Callable[[RequestContext | None, str, ServiceError | None], None]

_FALLBACK_TARGET = Target("s3", "rest-xml", "s3", None)


class Gateway:
    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.authenticator = Authenticator(runtime.settings, runtime.credentials)
        self.authorizer = runtime.authorizer
        self.internal = InternalRoutes(runtime)
        self.observers: list[CallObserver] = runtime.observers
        self._request_prefix = str(uuid.uuid4())[:24]
        self._request_counter = 0
        self._background: asyncio.Task[None] | None = None

    def _next_request_id(self) -> str:
        # UUID-shaped and unique: a random per-process prefix and a counter (uuid4 per call costs more).
        self._request_counter += 1
        return f"{self._request_prefix}{self._request_counter:012x}"

    # -- ASGI: the lifespan only ------------------------------------------------------------
    # Requests come from gateway/connection.py, which calls `handle` directly; uvicorn drives the
    # providers' start and stop through the ASGI lifespan.

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _start_provider(self, service: str) -> None:
        provider = self.runtime.provider(service)
        if provider is not None:
            await provider.start()

    async def _start_background(self) -> None:
        # Load botocore and the most used models now, off the event loop, so the
        # first calls do not pay for them.
        for service in ("sts", "iam", "s3"):
            await asyncio.to_thread(service_model, service)
        for service in BACKGROUND_SERVICES:
            try:
                await self._start_provider(service)
            except Exception:  # one service failing to start must not keep the others down
                log.exception("starting %s failed", service)
        # What was just loaded lives as long as the server: out of the cyclic collector's way, as what
        # was alive at startup is (server.tune_garbage_collector).
        gc.collect()
        gc.freeze()

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                for service in CREDENTIAL_SERVICES:
                    await self._start_provider(service)
                await send({"type": "lifespan.startup.complete"})
                self._background = asyncio.create_task(self._start_background())
            elif message["type"] == "lifespan.shutdown":
                for provider in self.runtime.started_providers.values():
                    try:
                        await provider.stop()
                    except Exception:  # one service failing to stop must not block the rest
                        log.exception("stopping %s failed", provider.service)
                self.runtime.store.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- the chain --------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        if request.path.startswith("/_pocketcloud/"):
            return await self.internal.handle(request)
        request_id = self._next_request_id()
        if ".s3-website" in request.headers.get("host", ""):  # S3 website endpoint: services/s3/website.py
            from pocketcloud.services.s3.website import serve_website  # on first use: S3 loads late

            website = await serve_website(self, request, s3_request_id(request_id))
            if website is not None:
                return website
        if ".lambda-url." in request.headers.get("host", ""):  # function URLs: awslambda/url_invoke.py
            from pocketcloud.services.awslambda.url_invoke import serve_function_url

            function_url = await serve_function_url(self, request, request_id)
            if function_url is not None:
                return function_url
        if request.method == "OPTIONS":
            preflight = self._preflight(request, s3_request_id(request_id))  # S3's alone
            if preflight is not None:
                return preflight
        memo, token = open_memo()  # what the chain's steps read once and share (gateway/memo.py)
        try:
            target, response = await self._chain(request, request_id)
        finally:
            close_memo(memo, token)
        if "origin" in request.headers:
            self._cors_headers(target, request, response)
        return response

    def _preflight(self, request: Request, request_id: str) -> Response | None:
        """A CORS preflight answered by the service itself (S3: `cors_preflight`), unauthenticated as
        browsers send it; None when the service has no such answer (the chain then refuses OPTIONS)."""
        try:
            target = route_request(request)
        except ServiceError:
            return None
        answer = getattr(self.runtime.provider(target.service), "cors_preflight", None)
        locate = getattr(create_parser(target.service, target.protocol), "bucket_and_key", None)
        if answer is None or locate is None:
            return None
        serializer = create_serializer(target.service, target.protocol)
        try:
            headers = answer(request, *locate(request))
        except ServiceError as error:
            return self._error_response(target, request, error, None, request_id)
        id_headers: list[tuple[str, str]] = getattr(serializer, "request_id_headers", lambda _: [])(request_id)
        return Response(status=200, headers=[*headers, *id_headers])

    def _cors_headers(self, target: Target, request: Request, response: Response) -> None:
        """Access-Control-* headers from the bucket's CORS rules on an actual request with an Origin."""
        headers_for = getattr(self.runtime.provider(target.service), "cors_response_headers", None)
        locate = getattr(create_parser(target.service, target.protocol), "bucket_and_key", None)
        if headers_for is None or locate is None:
            return
        try:
            response.headers.extend(headers_for(request, locate(request)[0]))
        except Exception:  # CORS headers must never turn an answer into a failure
            log.exception("CORS headers for %s failed", request.path)

    async def _chain(self, request: Request, request_id: str) -> tuple[Target, Response]:
        target = _FALLBACK_TARGET
        ctx: RequestContext | None = None
        operation_name = ""
        operation = None
        params: dict[str, Any] = {}
        try:
            target = route_request(request)
            request_id = service_request_id(target.service, request_id)
            auth = await self.authenticator.authenticate(request, target.service, target.signing_name)
            operation, params = await create_parser(target.service, target.protocol).parse(request)
            operation_name = operation.name
            ctx = RequestContext(
                service=target.service,
                operation=operation_name,
                region=auth.region or target.region or self.runtime.settings.region,
                principal=auth.principal,
                request_id=request_id,
                request=request,
                region_set=auth.region_set,
            )
            validator = validator_for(target.service, target.protocol)
            if validator is not None:
                validator.validate(operation, params)
            provider = self.runtime.provider(target.service)
            resolve = getattr(provider, "resolve_request", None)
            if resolve is not None:  # S3: a request through an access point acts on its bucket
                resolve(ctx, operation, params)
            # An operation its provider authorizes item by item (S3's DeleteObjects: a refused key is
            # an entry of the answer's Errors, not a refused request) skips the request-wide check.
            if operation_name not in getattr(provider, "authorized_per_item", ()):
                self.authorizer.authorize(ctx, operation, params)
            handler = getattr(provider, operation_name, None) if provider is not None else None
            if handler is None:
                raise NotImplementedOperation(target.service, operation_name)
            result = handler(ctx, params)
            if type(result) is not dict and inspect.isawaitable(result):  # dict: skip the ABC check
                result = await result
            if ctx.answer_members:
                result = {**ctx.answer_members, **(result or {})}
            serializer = response_serializer(target.service, target.protocol, request.headers.get("accept"))
            response = serializer.serialize(operation, result or {}, request_id)
            self._observe(ctx, operation_name, None)
            return target, response
        except ServiceError as error:
            self._observe(ctx, operation_name, error)
            if ctx is not None and ctx.error_headers:
                error.headers = {**ctx.error_headers, **error.headers}
            return target, self._error_response(target, request, error, operation, request_id)
        except UnusableKey:  # a name that is no Unicode text, which the store cannot hold
            refused = unusable_text_error(target.service, target.protocol, params)
            self._observe(ctx, operation_name, refused)
            return target, self._error_response(target, request, refused, operation, request_id)
        except BodyTooLarge:
            too_large = MalformedRequest("RequestEntityTooLarge", "Request body too large.", status=413)
            return target, self._error_response(target, request, too_large, operation, request_id)
        except ConnectionAbortedError:
            return target, Response(status=400)
        except Exception:
            log.exception("internal error in %s %s", target.service, operation_name or request.path)
            failure = InternalFailure(message="We encountered an internal error. Please try again.")
            if target.service == "s3":
                failure.code = "InternalError"
            self._observe(ctx, operation_name, failure)
            return target, self._error_response(target, request, failure, operation, request_id)

    def _error_response(
        self, target: Target, request: Request, error: ServiceError, operation: Any, request_id: str
    ) -> Response:
        serializer = response_serializer(target.service, target.protocol, request.headers.get("accept"))
        return serializer.serialize_error(error, operation, request_id)

    def _observe(self, ctx: RequestContext | None, operation: str, error: ServiceError | None) -> None:
        for observer in self.observers:
            try:
                observer(ctx, operation, error)
            except Exception:  # auditing must never break the call it audits
                log.exception("call observer failed")
