"""The json protocol (X-Amz-Target: Prefix.Operation, a JSON body), and the JSON
body reader that rest-json shares.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import orjson

from pocketcloud.gateway.http import Request
from pocketcloud.protocol.errors import MalformedRequest, UnknownOperation
from pocketcloud.protocol.parsers.base import RequestParser
from pocketcloud.protocol.values import BadValue, parse_base64, parse_timestamp

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape


class JsonBodyReader:
    """Reads decoded JSON against a shape; wrong types are SerializationException."""

    def __init__(self, error_code: str = "SerializationException") -> None:
        self.error_code = error_code

    def decode(self, body: bytes) -> Any:
        if not body.strip():
            return {}
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # what orjson refuses json may still read (NaN, UTF-16, big integers, lone surrogates)
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise MalformedRequest(self.error_code, "The request body is not valid JSON.") from exc

    def wrong_type(self, where: str, shape: Shape) -> MalformedRequest:
        return MalformedRequest(
            self.error_code,
            f"Unexpected value for '{where or 'input'}': expected {shape.type_name}.",
        )

    def value(self, data: Any, shape: Shape, where: str) -> Any:
        if data is None:
            return None
        kind = shape.type_name
        if kind == "structure":
            if getattr(shape, "is_document_type", False):
                return data
            if not isinstance(data, dict):
                raise self.wrong_type(where, shape)
            return self.structure(data, shape, where)
        if kind == "list":
            if not isinstance(data, list):
                raise self.wrong_type(where, shape)
            member = shape.member
            return [self.value(item, member, where) for item in data]
        if kind == "map":
            if not isinstance(data, dict):
                raise self.wrong_type(where, shape)
            value_shape = shape.value
            return {str(k): self.value(v, value_shape, f"{where}.{k}") for k, v in data.items()}
        if kind == "string":
            if not isinstance(data, str):
                raise self.wrong_type(where, shape)
            return data
        if kind in ("integer", "long", "short", "byte"):
            if isinstance(data, bool) or not isinstance(data, int):
                if isinstance(data, float) and data.is_integer():
                    return int(data)
                raise self.wrong_type(where, shape)
            return data
        if kind in ("float", "double"):
            if isinstance(data, bool):
                raise self.wrong_type(where, shape)
            if isinstance(data, int | float):
                try:
                    return float(data)
                except OverflowError as exc:  # an integer beyond any double
                    raise self.wrong_type(where, shape) from exc
            if isinstance(data, str) and data in ("NaN", "Infinity", "-Infinity"):
                return float(data.replace("Infinity", "inf"))
            raise self.wrong_type(where, shape)
        if kind == "boolean":
            if not isinstance(data, bool):
                raise self.wrong_type(where, shape)
            return data
        try:
            if kind == "timestamp":
                return parse_timestamp(data)
            if kind == "blob":
                if not isinstance(data, str):
                    raise self.wrong_type(where, shape)
                return parse_base64(data)
        except BadValue as exc:
            raise self.wrong_type(where, shape) from exc
        return data

    def structure(self, data: dict[str, Any], shape: Shape, where: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for member, member_shape in shape.members.items():
            key = member_shape.serialization.get("name", member)
            if key in data:
                value = self.value(data[key], member_shape, f"{where}.{member}" if where else member)
                if value is not None:
                    result[member] = value
        return result


class JsonParser(RequestParser):
    unknown_operation_code = "UnknownOperationException"
    malformed_code = "SerializationException"
    bad_value_code = "SerializationException"

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.reader = JsonBodyReader()

    def unknown_operation(self, name: str) -> UnknownOperation:
        return UnknownOperation(self.unknown_operation_code, f"Operation {name} is not supported.")

    async def read_request(self, request: Request) -> tuple[OperationModel, dict[str, Any]]:
        target = request.headers.get("x-amz-target", "")
        _, _, name = target.rpartition(".")
        if not name:
            raise self.unknown_operation(target)
        operation = self.operation(name)
        data = self.reader.decode(await request.body.read())
        shape = operation.input_shape
        if shape is None:
            return operation, {}
        if not isinstance(data, dict):
            raise self.reader.wrong_type("", shape)
        return operation, self.reader.structure(data, shape, "")
