"""The Python runtime inside an execution environment: AWS's Runtime API loop, standard library only.

Started as `python -m ... python_runtime` (or by path) with the environment AWS
sets (_HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_RUNTIME_API, ...). Its error
documents and log lines follow AWS's own runtime interface client
(awslambdaric): `{"errorMessage", "errorType", "requestId", "stackTrace"}`,
`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`, and `[ERROR]` lines.
This file must not import pocketcloud: it runs in the function's process. It
imports little, since every import is paid by every cold start: HTTP is spoken
on a plain socket (http.client alone costs tens of milliseconds to import).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn

API_VERSION = "2018-06-01"
ERROR_INDENT = "\u00a0"  # awslambdaric indents trace lines of its [ERROR] line with no-break spaces
UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. However, in rare "
    "cases, a Lambda runtime update can cause unexpected function behavior. For functions using managed runtimes, "
    "runtime updates can be triggered by a function change, or can be applied automatically. To determine if the "
    "runtime has been updated, check the runtime version in the INIT_START log entry. If this error correlates with a "
    "change in the runtime version, you may be able to mitigate this error by temporarily rolling back to the previous "
    "runtime version. For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)


class RuntimeApi:
    """HTTP/1.1 on one kept-alive connection to the environment's Runtime API (which always sends Content-Length)."""

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        self.address = address
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()  # what was received and not consumed yet
        self._host = f"Host: {address}\r\n"

    def _encode(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> bytes:
        data = body or b""
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items()) if headers else ""
        head = f"{method} /{API_VERSION}/runtime/{path} HTTP/1.1\r\n{self._host}{extra}Content-Length: {len(data)}\r\n\r\n"
        return head.encode("latin-1") + data

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[dict[str, str], bytes]:
        self.sock.sendall(self._encode(method, path, body, headers))
        return self._answer()

    def _receive(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the Runtime API closed the connection")
        self.buffer += chunk

    def _answer(self) -> tuple[dict[str, str], bytes]:
        """The next response on the connection: (headers with lower-case names, body)."""
        buffer = self.buffer
        end = buffer.find(b"\r\n\r\n")
        while end < 0:
            self._receive()
            end = buffer.find(b"\r\n\r\n")
        answer: dict[str, str] = {}
        for line in buffer[:end].decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            answer[name.strip().lower()] = value.strip()
        start = end + 4
        stop = start + int(answer.get("content-length") or 0)
        while len(buffer) < stop:
            self._receive()
        body = bytes(buffer[start:stop])
        del buffer[:stop]
        return answer, body

    def next(self, report: bytes = b"") -> tuple[dict[str, str], bytes]:
        """The next event; `report` (the last invocation's answer, encoded) is sent in the same write.

        Pipelining the two spares a round trip per invocation: the Runtime API answers the report
        with its 202 and the `next` with the event, in order, on this one connection.
        """
        self.sock.sendall(report + self._encode("GET", "invocation/next"))
        if report:
            self._answer()
        return self._answer()

    def response(self, request_id: str, body: bytes) -> bytes:
        return self._encode("POST", f"invocation/{request_id}/response", body)

    def error_report(self, path: str, document: dict[str, Any]) -> bytes:
        return self._encode(
            "POST",
            path,
            json.dumps(document).encode(),
            {
                "Lambda-Runtime-Function-Error-Type": document.get("errorType", "Unhandled"),
                "Content-Type": "application/json",
            },
        )

    def error(self, path: str, document: dict[str, Any]) -> None:
        self.sock.sendall(self.error_report(path, document))
        self._answer()


class _Fields:
    """An object whose named attributes come from a dict (None when absent), as awslambdaric's are."""

    fields: tuple[str, ...] = ()

    def __init__(self, values: dict[str, Any]) -> None:
        for name in self.fields:
            setattr(self, name, values.get(name))

    def __repr__(self) -> str:
        inner = ",".join(f"{name}={getattr(self, name)}" for name in self.fields)
        return f"{type(self).__name__}([{inner}])"


class CognitoIdentity(_Fields):
    fields = ("cognito_identity_id", "cognito_identity_pool_id")


class Client(_Fields):
    fields = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")


class ClientContext(_Fields):
    fields = ("custom", "env", "client")


class Context:
    """The `context` object handlers receive, as AWS's Python runtime builds it."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id", "")
        self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn", "")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.tenant_id = headers.get("lambda-runtime-aws-tenant-id")
        # The client context and the identity are objects with named fields, not dicts, as in awslambdaric.
        cognito = _json_or_none(headers.get("lambda-runtime-cognito-identity"))
        self.identity = CognitoIdentity({})
        if isinstance(cognito, dict):
            self.identity.cognito_identity_id = cognito.get("cognitoIdentityId")  # type: ignore[attr-defined]
            self.identity.cognito_identity_pool_id = cognito.get("cognitoIdentityPoolId")  # type: ignore[attr-defined]
        client_context = _json_or_none(headers.get("lambda-runtime-client-context"))
        self.client_context: ClientContext | None = None
        if isinstance(client_context, dict):
            client_context.pop("w3c", None)  # awslambdaric keeps trace context out of client_context
            self.client_context = ClientContext(client_context)
            client = self.client_context.client  # type: ignore[attr-defined]
            self.client_context.client = Client(client) if isinstance(client, dict) else None  # type: ignore[attr-defined]

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)


# A Decimal is written as its own digits ("19.90", "1E+2"), as awslambdaric writes it (simplejson's
# RawJSON of str(value); NaN as NaN). The standard library's encoder cannot write raw text, so each
# Decimal is encoded as a placeholder string that no other string can be (a per-process nonce between
# NULs), then the placeholder, quoted, is replaced by the digits.
_RAW_MARK = f"\x00{os.urandom(8).hex()}:"
_raw_numbers: list[str] = []


def _json_default(value: Any) -> Any:
    import decimal  # only when something JSON cannot hold turns up

    if isinstance(value, decimal.Decimal):
        _raw_numbers.append("NaN" if value.is_nan() else str(value))
        return f"{_RAW_MARK}{len(_raw_numbers) - 1}\x00"
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_encoder: json.JSONEncoder | None = None


def _to_json(result: Any) -> bytes:
    """The response body as awslambdaric writes it: Decimals as their digits, non-ASCII kept from python3.12 on."""
    global _encoder
    if _encoder is None:  # made once, as awslambdaric's marshaller is (the runtime's version is fixed)
        keep_unicode = os.environ.get("AWS_EXECUTION_ENV", "") >= "AWS_Lambda_python3.12"
        _encoder = json.JSONEncoder(default=_json_default, ensure_ascii=not keep_unicode)
    _raw_numbers.clear()
    text = _encoder.encode(result)
    for index, digits in enumerate(_raw_numbers):
        text = text.replace(json.dumps(f"{_RAW_MARK}{index}\x00"), digits, 1)
    return text.encode()


def _json_or_none(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _stack(exc: BaseException) -> list[str]:
    # The runtime's own frames are not the function's business, as in AWS's runtime.
    # Plain tuples, as awslambdaric formats them: no column carets under the lines.
    frames = [
        (f.filename, f.lineno or 0, f.name, f.line)
        for f in traceback.extract_tb(exc.__traceback__)
        if f.filename != __file__
    ]
    return traceback.format_list(frames)


def _error_document(
    exc: BaseException,
    request_id: str,
    error_type: str | None = None,
    message: str | None = None,
    stack: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "errorMessage": message if message is not None else str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": stack if stack is not None else (_stack(exc) if error_type is None else []),
    }


# AWS's telemetry log channel (`_LAMBDA_TELEMETRY_LOG_FD`), when Lambda gives one: each log record
# is written there as one frame (type, length, timestamp in µs, message; big-endian), as awslambdaric
# does. Text frame types by level (used when a log level is set), the first one the default.
_TEXT_FRAMES = {0: 0xA55A0003, 10: 0xA55A000B, 20: 0xA55A000F, 30: 0xA55A0013, 40: 0xA55A0017, 50: 0xA55A001B}
_JSON_FRAMES = {level: kind - 1 for level, kind in _TEXT_FRAMES.items()}  # the low bit clear: JSON
# LoggingConfig's LogFormat JSON: log records and the [ERROR] of an unhandled exception are JSON
# objects, as awslambdaric writes them (its JsonFormatter's fields, in its order).
_JSON = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"
_JSON_TIME = "%Y-%m-%dT%H:%M:%SZ"
# LogRecord attributes that are not the function's own `extra` fields.
_RECORD_FIELDS = frozenset(
    "name msg args levelname levelno pathname filename module exc_info exc_text stack_info lineno funcName "
    "created msecs relativeCreated thread threadName processName process aws_request_id tenant_id".split()
)
_telemetry: Any = None  # the channel, a binary file written unbuffered, or None (stdout then)


def _open_telemetry() -> None:
    global _telemetry
    fd = os.environ.pop("_LAMBDA_TELEMETRY_LOG_FD", None)  # not the function's business, as in awslambdaric
    if fd is not None:
        _telemetry = os.fdopen(int(fd), "wb", 0)


def _write_frame(frame_type: int, message: str) -> None:
    data = message.encode("utf-8")
    _telemetry.write(
        frame_type.to_bytes(4, "big")
        + len(data).to_bytes(4, "big")
        + (time.time_ns() // 1000).to_bytes(8, "big")
        + data
    )


def _log_error(document: dict[str, Any]) -> None:
    if _JSON:
        record = _to_json(
            {"timestamp": time.strftime(_JSON_TIME, time.gmtime()), "level": "ERROR", **document}
        )
        if _telemetry is not None:
            _write_frame(_JSON_FRAMES[40], record.decode())
        else:
            sys.stdout.write(record.decode() + "\n")
            sys.stdout.flush()
        return
    # awslambdaric's text format: trace lines indented with no-break spaces; one frame whose lines are
    # joined by \n, or on stdout one line, the parts joined by \r.
    lines = [
        f"[ERROR] {document['errorType']}: {document['errorMessage']}",
        "Traceback (most recent call last):",
    ]
    for element in document["stackTrace"]:
        for line in element.splitlines() or [""]:
            stripped = line.lstrip(" ")
            lines.append(ERROR_INDENT * (len(line) - len(stripped)) + stripped)
    if _telemetry is not None:
        _write_frame(_TEXT_FRAMES[40], "\n".join(lines))
        return
    sys.stdout.write("\r".join(lines) + "\n")
    sys.stdout.flush()


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self.request_id
        return True


class _FrameHandler(logging.Handler):
    """Writes each record as one frame to the telemetry channel, as awslambdaric's handlers do."""

    def __init__(self, by_level: bool) -> None:
        super().__init__()
        self.by_level = by_level

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level = min(50, max(0, record.levelno)) // 10 * 10 if self.by_level else 0
            _write_frame((_JSON_FRAMES if _JSON else _TEXT_FRAMES)[level], self.format(record))
        except Exception:
            self.handleError(record)


class _JsonFormatter(logging.Formatter):
    """A record as one JSON object, as awslambdaric's JsonFormatter writes it: timestamp, level, message,
    logger, the exception's stackTrace/errorType/errorMessage, requestId, its location, then `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        exc = record.exc_info
        fields: dict[str, Any] = {
            "timestamp": time.strftime(_JSON_TIME, time.gmtime(record.created)),
            "level": record.levelname,
            "message": record.msg
            if isinstance(record.msg, dict) and not record.args
            else record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc and exc[0] else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": f"{record.pathname}:{record.funcName}:{record.lineno}" if exc else None,
        }
        fields.update((k, v) for k, v in vars(record).items() if k not in _RECORD_FIELDS and k not in fields)
        kept = {k: v for k, v in fields.items() if v is not None}
        return json.dumps(kept, ensure_ascii=False, default=str) + "\n"


def _configure_logging() -> _RequestIdFilter:
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    level = "DEBUG" if level == "TRACE" else level  # Python's logging has no TRACE, as in awslambdaric
    handler: logging.Handler
    if _telemetry is not None:
        handler = _FrameHandler(by_level=bool(level) or _JSON)
    else:
        handler = logging.StreamHandler(sys.stdout)
        handler.terminator = ""  # the format ends the line, as in awslambdaric
    handler.setFormatter(
        _JsonFormatter()
        if _JSON
        else logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    logging.Formatter.converter = time.gmtime
    request_filter = _RequestIdFilter()
    handler.addFilter(request_filter)
    root = logging.getLogger()
    root.addHandler(handler)
    if level in logging.getLevelNamesMapping():
        root.setLevel(level)
    return request_filter


class _InitError(Exception):
    def __init__(self, document: dict[str, Any]) -> None:
        super().__init__(document["errorMessage"])
        self.document = document


def _fault(error_type: str, message: str, stack: list[str] | None = None) -> _InitError:
    return _InitError(
        {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": stack or []}
    )


def _load_handler() -> Any:
    """The handler `_HANDLER` names, failing as awslambdaric's `_get_handler` does."""
    spec = os.environ.get("_HANDLER", "")
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as exc:
        raise _fault("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {exc}") from exc
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise _fault(
            "Runtime.BuiltInModuleConflict", f"Cannot use built-in module {module_name} as a handler module"
        )
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise _fault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}") from exc
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise _fault(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", trace
        ) from exc
    try:
        return getattr(module, function_name)
    except AttributeError as exc:
        raise _fault(
            "Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'"
        ) from exc


def _fail_init(api: RuntimeApi, document: dict[str, Any]) -> NoReturn:
    logging.warning(UNHANDLED_WARNING)
    _log_error(document)
    api.error("init/error", document)
    sys.exit(1)


def main() -> None:
    api = RuntimeApi(os.environ["AWS_LAMBDA_RUNTIME_API"])
    _open_telemetry()
    request_filter = _configure_logging()
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()))
    try:
        handler = _load_handler()
    except _InitError as exc:
        _fail_init(api, exc.document)
    except Exception as exc:  # an exception at import time is the function's init error
        _fail_init(api, _error_document(exc, ""))
    report = b""  # the last invocation's answer, sent together with the next `next`
    while True:
        headers, body = api.next(report)
        report = _run_one(api, handler, request_filter, headers, body)


def _run_one(
    api: RuntimeApi, handler: Any, request_filter: _RequestIdFilter, headers: dict[str, str], body: bytes
) -> bytes:
    """One invocation; returns its answer to the Runtime API (a response or an error), encoded."""
    request_id = headers.get("lambda-runtime-aws-request-id", "")
    request_filter.request_id = request_id
    os.environ["_X_AMZN_TRACE_ID"] = headers.get("lambda-runtime-trace-id", "")
    error_path = f"invocation/{request_id}/error"
    try:
        event = json.loads(body)
    except ValueError as exc:
        document = _error_document(
            exc, request_id, "Runtime.UnmarshalError", f"Unable to unmarshal input: {exc}"
        )
        _log_error(document)
        return api.error_report(error_path, document)
    try:
        result = handler(event, Context(headers))
    except Exception as exc:  # the handler's exception is the invocation's error
        document = _error_document(exc, request_id)
        _log_error(document)
        sys.stdout.flush()
        return api.error_report(error_path, document)
    try:
        # A handler's bytes are the response as they are (awslambdaric sends them as application/unknown).
        payload = result if isinstance(result, bytes) else _to_json(result)
    except (TypeError, ValueError) as exc:
        document = _error_document(
            exc, request_id, "Runtime.MarshalError", f"Unable to marshal response: {exc}"
        )
        _log_error(document)
        return api.error_report(error_path, document)
    # What the function printed is in the pipe before its answer reaches the Runtime API.
    sys.stdout.flush()
    sys.stderr.flush()
    return api.response(request_id, payload)


if __name__ == "__main__":
    main()
