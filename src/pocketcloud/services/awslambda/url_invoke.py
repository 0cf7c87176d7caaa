"""Function URLs over HTTP: a request whose Host is `<url-id>.lambda-url.<region>.<anything>`.

Called from one branch at the top of `Gateway.handle`. The url-id names a URL configuration
(`FunctionUrlOperations.url_config`); the request is then, as Lambda documents it ("Invoking Lambda
function URLs", "Control access to Lambda function URLs"):

- a CORS preflight answered from the configuration's Cors (`url_cors.py`), before any auth;
- authenticated: under AWS_IAM by the gateway's own SigV4 Authenticator (service "lambda", with a
  credential scope of the URL's Region); under NONE the caller is anonymous, whatever it sends;
- authorized by the gateway's Authorizer (identity and the function's resource policy, the same
  IAM engine as every call) for both lambda:InvokeFunctionUrl (with lambda:FunctionUrlAuthType)
  and lambda:InvokeFunction (with lambda:InvokedViaFunctionUrl), which URLs created since October
  2025 require: a NONE URL answers only once AddPermission has allowed "*" both. A denial is
  403 AccessDeniedException with AWS's pointer to its troubleshooting page (so is a URL whose
  alias was deleted); an unknown url-id is 403 AccessDeniedException {"Message":null}, a request
  that fails authentication 403 {"Message":"Forbidden"};
- run synchronously through Invoke's own `run` (the environment pool, timeout, logs,
  concurrency) for $LATEST or the configuration's alias, with the format 2.0 event
  (`url_payloads.py`); a throttle is 429, a function error, a timeout or an answer that is no
  response is 502 "Internal Server Error".

InvokeMode RESPONSE_STREAM is answered buffered, once the function's stream has ended. A function
whose handler streams (the runtime posted its response in Lambda's streaming mode) is answered as
Lambda's front end answers it in that mode: a stream of type application/vnd.awslambda.http-integration-response
(`awslambda.HttpResponseStream.from`) is its JSON prelude (statusCode, headers, cookies), eight NUL
bytes, then the body; any other stream is a 200 whose body is the bytes written, with the stream's
content type. A handler that does not stream is answered as under BUFFERED.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import TYPE_CHECKING, Any

from botocore.model import OperationModel

from pocketcloud.auth.principal import ANONYMOUS, Principal
from pocketcloud.gateway.context import RequestContext
from pocketcloud.gateway.http import BodyTooLarge, Request, Response
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import operation_model, service_model
from pocketcloud.protocol.validation import validator_for
from pocketcloud.services.awslambda import url_cors
from pocketcloud.services.awslambda.functions import function_arn
from pocketcloud.services.awslambda.invoke import SYNC_PAYLOAD_LIMIT, check_tenant
from pocketcloud.services.awslambda.url_payloads import (
    BadResponse,
    build_event,
    http_response,
    sendable_header_value,
)

if TYPE_CHECKING:
    from pocketcloud.gateway.app import Gateway

log = logging.getLogger("pocketcloud.lambda")
MARKER = ".lambda-url."
Params = dict[str, Any]
HTTP_INTEGRATION_RESPONSE = "application/vnd.awslambda.http-integration-response"
PRELUDE_DELIMITER = b"\0" * 8


def url_target(host: str) -> tuple[str, str] | None:
    """(url-id, region) a Host names: `<url-id>.lambda-url.<region>.localhost:4566`; None for any other."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    url_id, found, rest = name.lower().partition(MARKER)
    region = rest.split(".", 1)[0]
    if not found or not url_id or "." in url_id or not region:
        return None
    return url_id, region


def _message(status: int, message: str, request_id: str) -> Response:
    body = json.dumps({"Message": message}).encode()
    headers = [("content-type", "application/json"), ("x-amzn-requestid", request_id)]
    return Response(status=status, headers=headers, body=body)


class _Denied(Exception):
    """The caller may not invoke the function through its URL (or the function is gone)."""


def _denied(request_id: str) -> Response:
    body = json.dumps({"Message": _DENIED}).encode()
    headers = [
        ("content-type", "application/json"),
        ("x-amzn-requestid", request_id),
        ("x-amzn-ErrorType", "AccessDeniedException"),
    ]
    return Response(status=403, headers=headers, body=body)


class _WrongRegion(Exception):
    """An AWS_IAM request signed with a credential scope of another Region than the URL's."""


def _wrong_region(request_id: str) -> Response:
    # As AWS answers a URL signed for another Region (quoted in jetbridge/cdk-nextjs#116, whose
    # Lambda@Edge signer used us-east-1 for a URL elsewhere): 403, in the front end's own words.
    body = json.dumps({"message": "Credential should be scoped to a valid region. "}).encode()
    headers = [("content-type", "application/json"), ("x-amzn-requestid", request_id)]
    return Response(status=403, headers=headers, body=body)


_DENIED = (
    "Forbidden. For troubleshooting Function URL authorization issues, see: "
    "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"
)


def _unknown_url(request_id: str) -> Response:
    # AWS's front end answers a url-id it does not know with no message at all, in compact JSON.
    headers = [
        ("content-type", "application/json"),
        ("x-amzn-requestid", request_id),
        ("x-amzn-ErrorType", "AccessDeniedException"),
    ]
    return Response(status=403, headers=headers, body=b'{"Message":null}')


def _internal_error(request_id: str) -> Response:
    headers = [("content-type", "application/json"), ("x-amzn-requestid", request_id)]
    return Response(status=502, headers=headers, body=b"Internal Server Error")


_INVOKE_URL: OperationModel | None = None


def _invoke_url_operation() -> OperationModel:
    """lambda:InvokeFunctionUrl is an IAM action but no operation of botocore's model: the authorizer
    is handed one of that name with Invoke's input, so the catalog names its action and resource."""
    global _INVOKE_URL
    if _INVOKE_URL is None:
        model = service_model("lambda")
        definition = {"name": "InvokeFunctionUrl", "http": {"method": "POST", "requestUri": "/"}}
        definition["input"] = {"shape": model.operation_model("Invoke").input_shape.name}
        _INVOKE_URL = OperationModel(definition, model, name="InvokeFunctionUrl")
    return _INVOKE_URL


async def serve_function_url(gateway: Gateway, request: Request, request_id: str) -> Response | None:
    """The answer of a function URL, or None when the Host names none (the chain then serves it)."""
    target = url_target(request.host)
    if target is None:
        return None
    provider: Any = gateway.runtime.provider("lambda")
    try:
        return await _FunctionUrlCall(gateway, provider, request, request_id, *target).answer()
    except ConnectionAbortedError:  # the client went away mid-body: nobody is left to answer
        return Response(status=400)
    except Exception:  # a bug here must still answer as a function URL does, not as the chain would
        log.exception("function URL %s failed", target[0])
        return _message(500, "Internal Server Error", request_id)


class _FunctionUrlCall:
    def __init__(
        self, gateway: Gateway, provider: Any, request: Request, request_id: str, url_id: str, region: str
    ) -> None:
        self.gateway = gateway
        self.provider = provider
        self.request = request
        self.request_id = request_id
        self.url_id = url_id
        self.region = region

    async def answer(self) -> Response:
        found = self.provider.url_config(self.url_id) if self.provider is not None else None
        if found is None or found[1] != self.region:
            if self.provider is not None and self.provider.orphaned_url(self.url_id) == self.region:
                return _denied(self.request_id)  # its alias was deleted: the URL still answers, denied
            return _unknown_url(self.request_id)
        account, region, key, config = found
        name, _, qualifier = key.partition("\0")
        alias = None if qualifier == "$LATEST" else qualifier
        cors = config.get("Cors")
        if url_cors.is_preflight(cors, self.request):
            response = url_cors.preflight(cors, self.request)
            response.headers.append(("x-amzn-requestid", self.request_id))
            return response
        try:
            caller = await self._authorize(account, region, name, alias, config["AuthType"])
            body = await self.request.body.read(SYNC_PAYLOAD_LIMIT)
        except _Denied:
            return _denied(self.request_id)
        except _WrongRegion:
            return _wrong_region(self.request_id)
        except ServiceError:
            return _message(403, "Forbidden", self.request_id)
        except BodyTooLarge:
            return _message(413, "Request Entity Too Large", self.request_id)
        streams = config.get("InvokeMode") == "RESPONSE_STREAM"
        response = await self._invoke(account, region, name, alias, body, caller, streams)
        url_cors.apply(cors, self.request, response)
        return response

    async def _authorize(
        self, account: str, region: str, name: str, alias: str | None, auth_type: str
    ) -> Principal | None:
        """The signer under AWS_IAM (None under NONE), once both actions are allowed; else ServiceError."""
        caller: Principal | None = None
        principal = ANONYMOUS
        if auth_type == "AWS_IAM":
            result = await self.gateway.authenticator.authenticate(self.request, "lambda", "lambda")
            if result.region is not None and result.region != region:
                raise _WrongRegion  # the URL's Region is the one its endpoint takes signatures for
            caller = principal = result.principal
        params = {"FunctionName": function_arn(region, account, name, alias)}
        checks = (
            (_invoke_url_operation(), {"lambda:FunctionUrlAuthType": auth_type}),
            (operation_model("lambda", "Invoke"), {"lambda:InvokedViaFunctionUrl": "true"}),
        )
        for operation, values in checks:
            ctx = RequestContext(
                service="lambda",
                operation=operation.name,
                region=region,
                principal=principal,
                request_id=self.request_id,
                request=self.request,
                condition_values={"lambda:FunctionUrlAuthType": auth_type, **values},
            )
            try:
                self.gateway.authorizer.authorize(ctx, operation, params)
            except ServiceError as exc:
                raise _Denied from exc
        return caller

    async def _invoke(
        self,
        account: str,
        region: str,
        name: str,
        alias: str | None,
        body: bytes,
        caller: Principal | None,
        streams: bool,
    ) -> Response:
        scope = (account, region)
        try:
            doc, executed = self.provider.functions.resolve(
                scope, name, alias, function_arn(region, account, name), routed=True
            )
        except ServiceError:
            return _denied(self.request_id)  # deleted since the configuration was read
        event = build_event(self.request, body, self.url_id, self.request_id, caller)
        tenant = self.request.headers.get("x-amz-tenant-id") or None  # Invoke's TenantId, as a header
        try:
            if tenant is not None:  # held to Invoke's model, as the protocol layer holds Invoke's TenantId
                validator_for("lambda", "rest-json").validate(  # type: ignore[union-attr]
                    operation_model("lambda", "Invoke"), {"FunctionName": name, "TenantId": tenant}
                )
            check_tenant(doc, tenant)
        except ServiceError as error:
            return _message(400, error.message, self.request_id)
        try:
            outcome, _, _ = await self.provider.run(
                account,
                region,
                doc,
                executed,
                event,
                request_id=self.request_id,
                log_text=False,
                invoked_arn=function_arn(region, account, name, alias),
                tenant_id=tenant,
            )
        except ServiceError as error:
            if error.code == "TooManyRequestsException":
                return _message(429, "Rate Exceeded.", self.request_id)
            return _internal_error(self.request_id)
        if outcome.status != "success":  # an unhandled error, a timeout, a runtime that exited
            return _internal_error(self.request_id)
        try:
            if streams and outcome.stream_content_type is not None:
                response = streamed_response(outcome.payload, outcome.stream_content_type)
            else:
                response = http_response(outcome.payload)
        except BadResponse:
            return _internal_error(self.request_id)
        response.headers.append(("x-amzn-requestid", self.request_id))
        return response


def streamed_response(payload: bytes, content_type: str) -> Response:
    """The HTTP answer of a URL in RESPONSE_STREAM mode to a stream of `content_type`; BadResponse
    when an HTTP integration response has no prelude that can be read."""
    sendable_header_value(content_type)
    if content_type.split(";", 1)[0].strip().lower() != HTTP_INTEGRATION_RESPONSE:
        return Response(status=200, headers=[("content-type", content_type)], body=payload)
    text, found, rest = payload.partition(PRELUDE_DELIMITER)
    if not found:
        raise BadResponse("no prelude delimiter")
    try:
        prelude = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep for json
        raise BadResponse("prelude is not JSON") from exc
    if not isinstance(prelude, dict):
        raise BadResponse("prelude is not an object")
    # Read as a format 2.0 response with the bytes after the delimiter as its body: the same status,
    # header and cookie checks.
    document = {
        "statusCode": prelude.get("statusCode", 200),
        "headers": prelude.get("headers"),
        "cookies": prelude.get("cookies"),
        "body": base64.b64encode(rest).decode(),
        "isBase64Encoded": True,
    }
    return http_response(json.dumps(document).encode())
