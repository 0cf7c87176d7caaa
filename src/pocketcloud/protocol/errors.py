"""AWS errors, as raised by providers, the auth chain and the protocol layer.

    Exception
    └── ServiceError                 any AWS error: code, HTTP status, message, extra members
        ├── NotImplementedOperation  501 NotImplemented: the operation exists in AWS, not here yet
        ├── UnknownOperation         the request names no operation of the service
        ├── MalformedRequest         the body or query cannot be read under the protocol
        └── RequestValidationError   a member breaks the model's constraints

A provider raises `ServiceError(code, message)` (optionally `status=`); when
the status is omitted it is read from the error shape of the same name in the
service's botocore model, and defaults to 400. Each protocol's serializer turns
a ServiceError into that protocol's error document.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """An error AWS would return. `fields` are extra members of the error shape."""

    code: str = "InternalFailure"
    status: int | None = None
    sender_fault: bool = True

    def __init__(
        self,
        code: str | None = None,
        message: str = "",
        *,
        status: int | None = None,
        sender_fault: bool | None = None,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        if sender_fault is not None:
            self.sender_fault = sender_fault
        self.message = message
        self.headers: dict[str, str] = headers or {}
        self.fields: dict[str, Any] = fields

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r}, status={self.status})"


class NotImplementedOperation(ServiceError):
    code = "NotImplemented"
    status = 501
    sender_fault = False

    def __init__(self, service: str, operation: str) -> None:
        super().__init__(
            message=f"The operation {operation} of service {service} is not implemented by pocketcloud yet."
        )
        self.service = service
        self.operation = operation


class UnknownOperation(ServiceError):
    """The request names no operation of the service (InvalidAction / UnknownOperationException)."""

    status = 400


class MalformedRequest(ServiceError):
    status = 400


class BareError(ServiceError):
    """A refusal answered with its status alone, no error document (S3 answers a request URI with a
    ".." segment so: 400 and an empty body, which the SDKs report as "(400) Bad Request")."""

    status = 400


class RequestValidationError(ServiceError):
    status = 400


class InternalFailure(ServiceError):
    code = "InternalFailure"
    status = 500
    sender_fault = False
