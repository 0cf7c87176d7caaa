"""The Python runtime inside an execution environment: AWS's Runtime API loop, standard library only.

Started as `python -m ... python_runtime` (or by path) with the environment AWS
sets (_HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_RUNTIME_API, ...). Its error
documents and log lines follow AWS's own runtime interface client
(awslambdaric): `{"errorMessage", "errorType", "requestId", "stackTrace"}`,
`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`, and `[ERROR]` lines.
This file must not import pocketcloud: it runs in the function's process.
"""

from __future__ import annotations

import http.client
import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback
from typing import Any

API_VERSION = "2018-06-01"


class RuntimeApi:
    def __init__(self, address: str) -> None:
        host, _, port = address.partition(":")
        self.connection = http.client.HTTPConnection(host, int(port or 80))
        self.connection.connect()
        self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[dict[str, str], bytes]:
        self.connection.request(method, f"/{API_VERSION}/runtime/{path}", body=body, headers=headers or {})
        response = self.connection.getresponse()
        data = response.read()
        return {k.lower(): v for k, v in response.getheaders()}, data

    def next(self) -> tuple[dict[str, str], bytes]:
        return self.request("GET", "invocation/next")

    def respond(self, request_id: str, body: bytes) -> None:
        self.request("POST", f"invocation/{request_id}/response", body)

    def error(self, path: str, document: dict[str, Any]) -> None:
        self.request(
            "POST", path, json.dumps(document).encode(),
            {"Lambda-Runtime-Function-Error-Type": document.get("errorType", "Unhandled"), "Content-Type": "application/json"},
        )


class Context:
    """The `context` object handlers receive, as AWS's Python runtime builds it."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id", "")
        self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn", "")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = _json_or_none(headers.get("lambda-runtime-cognito-identity"))
        self.client_context = _json_or_none(headers.get("lambda-runtime-client-context"))
        self.tenant_id = headers.get("lambda-runtime-aws-tenant-id")

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def _json_or_none(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _stack(exc: BaseException) -> list[str]:
    # The runtime's own frames are not the function's business, as in AWS's runtime.
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    return [f'  File "{f.filename}", line {f.lineno}, in {f.name}\n    {f.line}\n' for f in frames]


def _error_document(exc: BaseException, request_id: str, error_type: str | None = None, message: str | None = None) -> dict[str, Any]:
    return {
        "errorMessage": message if message is not None else str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": _stack(exc) if error_type is None else [],
    }


def _log_error(document: dict[str, Any]) -> None:
    lines = [f"[ERROR] {document['errorType']}: {document['errorMessage']}"]
    if document["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(line.rstrip("\n") for line in document["stackTrace"])
    sys.stdout.write("\r".join(lines) + "\n")
    sys.stdout.flush()


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


def _configure_logging() -> _RequestIdFilter:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
                                           "%Y-%m-%dT%H:%M:%S"))
    logging.Formatter.converter = time.gmtime
    request_filter = _RequestIdFilter()
    handler.addFilter(request_filter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper() if os.environ.get("AWS_LAMBDA_LOG_LEVEL") else logging.WARNING)
    return request_filter


def _load_handler(api: RuntimeApi) -> Any:
    spec = os.environ.get("_HANDLER", "")
    module_name, _, function_name = spec.rpartition(".")
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    try:
        if not module_name:
            raise ValueError(f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)")
        module = importlib.import_module(module_name.replace("/", "."))
    except ValueError as exc:
        document = _error_document(exc, "", "Runtime.MalformedHandlerName", f"Bad handler '{spec}': {exc}")
        _fail_init(api, document)
    except ImportError as exc:
        document = _error_document(exc, "", "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")
        _fail_init(api, document)
    except SyntaxError as exc:
        document = _error_document(exc, "", "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}")
        _fail_init(api, document)
    except Exception as exc:  # an exception at import time is the function's init error
        document = _error_document(exc, "")
        _fail_init(api, document)
    handler = getattr(module, function_name, None)
    if handler is None:
        document = {"errorMessage": f"Handler '{function_name}' missing on module '{module_name}'",
                    "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []}
        _fail_init(api, document)
    return handler


def _fail_init(api: RuntimeApi, document: dict[str, Any]) -> None:
    _log_error(document)
    api.error("init/error", document)
    sys.exit(1)


def main() -> None:
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    request_filter = _configure_logging()
    handler = _load_handler(api)
    while True:
        headers, body = api.next()
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        request_filter.request_id = request_id
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("lambda-runtime-trace-id", "")
        try:
            event = json.loads(body) if body else {}
            result = handler(event, Context(headers))
        except Exception as exc:  # the handler's exception is the invocation's error
            document = _error_document(exc, request_id)
            _log_error(document)
            sys.stdout.flush()
            api.error(f"invocation/{request_id}/error", document)
            continue
        try:
            payload = json.dumps(result).encode()
        except (TypeError, ValueError) as exc:
            document = _error_document(exc, request_id, "Runtime.MarshalError", f"Unable to marshal response: {exc}")
            _log_error(document)
            api.error(f"invocation/{request_id}/error", document)
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        api.respond(request_id, payload)


if __name__ == "__main__":
    main()
