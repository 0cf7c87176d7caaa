"""The json protocol (X-Amz-Target: Prefix.Operation, a JSON body), and the JSON
body reader that rest-json shares.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
        return self._reader(shape)(data, where)

    def structure(self, data: dict[str, Any], shape: Shape, where: str) -> dict[str, Any]:
        result: dict[str, Any] = self._members(shape)(data, where)
        return result

    def adapt(self, shape: Shape) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
        """A service's rewrite of a JSON object before it is read as `shape` (None: none)."""
        return None

    # -- the readers, built once per shape --------------------------------------------------------

    def _reader(self, shape: Shape) -> Reader:
        """(data, where) -> the value of `data` read as `shape`; wrong types are refused."""
        readers = self.__dict__.setdefault("_readers", {})
        name = shape.name
        reader: Reader | None = readers.get(name)
        if reader is None:
            # A recursive shape meets itself while being built: it calls through the table then.
            readers[name] = lambda data, where: readers[name](data, where)
            reader = readers[name] = self._build(shape)
        return reader

    def _members(self, shape: Shape) -> Reader:
        members = self.__dict__.setdefault("_member_readers", {})
        reader: Reader | None = members.get(shape.name)
        if reader is None:
            plan = [
                (member, member_shape.serialization.get("name", member), self._reader(member_shape))
                for member, member_shape in shape.members.items()
            ]

            def read_members(data: dict[str, Any], where: str) -> dict[str, Any]:
                result: dict[str, Any] = {}
                for member, key, read in plan:
                    if key in data:
                        value = read(data[key], f"{where}.{member}" if where else member)
                        if value is not None:
                            result[member] = value
                return result

            reader = members[shape.name] = read_members
        return reader

    def _build(self, shape: Shape) -> Reader:
        kind = shape.type_name
        wrong = self.wrong_type
        adapt = self.adapt(shape)
        if kind == "structure":
            if getattr(shape, "is_document_type", False):
                return _as_is
            members = self._members(shape)

            def structure(data: Any, where: str) -> Any:
                if data is None:
                    return None
                if type(data) is dict and adapt is not None:
                    data = adapt(data)
                if not isinstance(data, dict):
                    raise wrong(where, shape)
                return members(data, where)

            return structure
        if kind == "list":
            item = self._reader(shape.member)

            def listing(data: Any, where: str) -> Any:
                if data is None:
                    return None
                if not isinstance(data, list):
                    raise wrong(where, shape)
                return [item(element, where) for element in data]

            return listing
        if kind == "map":
            value = self._reader(shape.value)

            def mapping(data: Any, where: str) -> Any:
                if data is None:
                    return None
                if type(data) is dict and adapt is not None:
                    data = adapt(data)
                if not isinstance(data, dict):
                    raise wrong(where, shape)
                return {str(k): value(v, f"{where}.{k}") for k, v in data.items()}

            return mapping
        scalar = _SCALARS.get(kind)
        if scalar is None:
            return _as_is

        def read_scalar(data: Any, where: str) -> Any:
            if data is None:
                return None
            try:
                return scalar(data)
            except _WrongType as exc:
                raise wrong(where, shape) from exc.__cause__

        return read_scalar


Reader = Callable[[Any, str], Any]


class _WrongType(Exception):
    pass


def _as_is(data: Any, where: str) -> Any:
    return data


def _exactly(kind: type) -> Callable[[Any], Any]:
    """A reader of values that must already be of `kind` in the JSON (strings, booleans)."""

    def read(data: Any) -> Any:
        if not isinstance(data, kind):
            raise _WrongType
        return data

    return read


def _integer(data: Any) -> Any:
    if isinstance(data, bool) or not isinstance(data, int):
        if isinstance(data, float) and data.is_integer():
            return int(data)
        raise _WrongType
    return data


def _double(data: Any) -> Any:
    if isinstance(data, bool):
        raise _WrongType
    if isinstance(data, int | float):
        try:
            return float(data)
        except OverflowError as exc:  # an integer beyond any double
            raise _WrongType from exc
    if isinstance(data, str) and data in ("NaN", "Infinity", "-Infinity"):
        return float(data.replace("Infinity", "inf"))
    raise _WrongType


def _timestamp(data: Any) -> Any:
    try:
        return parse_timestamp(data)
    except BadValue as exc:
        raise _WrongType from exc


def _blob(data: Any) -> Any:
    if not isinstance(data, str):
        raise _WrongType
    try:
        return parse_base64(data)
    except BadValue as exc:
        raise _WrongType from exc


_SCALARS: dict[str, Callable[[Any], Any]] = {
    "string": _exactly(str),
    "integer": _integer,
    "long": _integer,
    "short": _integer,
    "byte": _integer,
    "float": _double,
    "double": _double,
    "boolean": _exactly(bool),
    "timestamp": _timestamp,
    "blob": _blob,
}


class JsonParser(RequestParser):
    unknown_operation_code = "UnknownOperationException"
    malformed_code = "SerializationException"
    bad_value_code = "SerializationException"

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.reader = JsonBodyReader()
        self.target_prefix = str(self.model.metadata.get("targetPrefix") or "")

    def unknown_operation(self, name: str) -> UnknownOperation:
        return UnknownOperation(self.unknown_operation_code, f"Operation {name} is not supported.")

    async def read_request(self, request: Request) -> tuple[OperationModel, dict[str, Any]]:
        target = request.headers.get("x-amz-target", "")
        prefix, _, name = target.rpartition(".")
        # "<the service's target prefix>.<operation>": another prefix names no operation of this service.
        if not name or (self.target_prefix and prefix != self.target_prefix):
            raise self.unknown_operation(target)
        operation = self.operation(name)
        data = self.reader.decode(await request.body.read())
        shape = operation.input_shape
        if shape is None:
            return operation, {}
        if not isinstance(data, dict):
            raise self.reader.wrong_type("", shape)
        return operation, self.reader.structure(data, shape, "")
