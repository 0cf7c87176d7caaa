"""What every request parser shares: the model, its errors, and typed-value reading."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketcloud.gateway.http import Request
from pocketcloud.protocol.errors import MalformedRequest, UnknownOperation
from pocketcloud.protocol.models import service_model

if TYPE_CHECKING:
    from botocore.model import OperationModel, ServiceModel, Shape


class RequestParser:
    """Parses a request of one service in one protocol. Subclasses implement `read_request`."""

    # Error codes the protocol family uses for requests it cannot read.
    unknown_operation_code = "InvalidAction"
    malformed_code = "MalformedQueryString"
    bad_value_code = "ValidationError"

    def __init__(self, service: str) -> None:
        self.service = service
        self.model: ServiceModel = service_model(service)
        self._operations = {name: self.model.operation_model(name) for name in self.model.operation_names}

    async def parse(self, request: Request) -> tuple[OperationModel, dict[str, Any]]:
        """The operation and its input; a request that cannot be read is a 4xx ServiceError."""
        try:
            return await self.read_request(request)
        except RecursionError as exc:
            # A recursive shape (DynamoDB's AttributeValue) nested thousands deep.
            raise self.malformed("The request is nested too deeply.") from exc

    async def read_request(self, request: Request) -> tuple[OperationModel, dict[str, Any]]:
        raise NotImplementedError

    def operation(self, name: str) -> OperationModel:
        op = self._operations.get(name)
        if op is None:
            raise self.unknown_operation(name)
        return op

    def unknown_operation(self, name: str) -> UnknownOperation:
        return UnknownOperation(
            self.unknown_operation_code, f"The action {name} is not valid for this web service."
        )

    def malformed(self, message: str) -> MalformedRequest:
        return MalformedRequest(self.malformed_code, message)

    def bad_value(self, where: str, value: object, shape: Shape) -> MalformedRequest:
        return MalformedRequest(
            self.bad_value_code,
            f"Value '{value}' at '{where}' failed to satisfy constraint: "
            f"Member must be of type {shape.type_name}",
        )
