"""Input validation from the model's constraints, worded as AWS's front end words it.


    1 validation error detected: Value '901' at 'timeout' failed to satisfy
    constraint: Member must have value less than or equal to 900

Checked: required members, string/list/map length (`min`/`max`), numeric
range, string `pattern` (full match) and `enum`. Services whose errors are
their own (S3, EC2, SQS) do not use this; see `validator_for`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from pocketcloud.protocol.errors import RequestValidationError

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

# Services that report bad input with errors of their own rather than Coral's.
_OWN_ERRORS = {"s3", "ec2", "sqs", "s3control"}
# Services whose front end words the same validation message under another code.
_VALIDATION_CODES = {"logs": "InvalidParameterException"}
# Enum members a service checks itself because it words the error its own way
# (Lambda's runtime: InvalidParameterValueException, "... or be a valid ARN").
_OWN_ENUMS = {"lambda": frozenset({"runtime"})}
# Members whose maximum length a service checks itself, in words of its own (CloudWatch Logs:
# "Invalid LogGroup or LogStream, both must have length less than or equal to 512.").
_OWN_MAX_LENGTHS = {"logs": frozenset({"logGroupName", "logStreamName"})}


@cache
def _pattern(expr: str) -> re.Pattern[str] | None:
    try:
        return re.compile(expr, re.DOTALL)
    except re.error:
        return None  # a Java-only construct: we cannot check it, so we do not


def _path_name(member: str) -> str:
    return member[:1].lower() + member[1:]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return str(value)
    return str(value)


class Validator:
    def __init__(
        self, code: str, own_enums: frozenset[str] = frozenset(), own_max: frozenset[str] = frozenset()
    ) -> None:
        self.code = code
        self.own_enums = own_enums
        self.own_max = own_max

    def validate(self, operation: OperationModel, params: dict[str, Any]) -> None:
        shape = operation.input_shape
        if shape is None:
            return
        errors: list[str] = []
        self._structure(shape, params, "", errors)
        if errors:
            count = len(errors)
            noun = "error" if count == 1 else "errors"
            raise RequestValidationError(
                self.code, f"{count} validation {noun} detected: " + "; ".join(errors[:10])
            )

    def _structure(self, shape: Shape, value: dict[str, Any], where: str, errors: list[str]) -> None:
        members = shape.members
        for name in shape.required_members:
            if value.get(name) is None:
                errors.append(
                    f"Value null at '{where}{_path_name(name)}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        for name, member_value in value.items():
            member = members.get(name)
            if member is None or member_value is None:
                continue
            self._value(member, member_value, f"{where}{_path_name(name)}", errors)

    def _value(self, shape: Shape, value: Any, where: str, errors: list[str]) -> None:
        kind = shape.type_name
        meta = shape.metadata
        if kind == "structure":
            if isinstance(value, dict) and not getattr(shape, "is_document_type", False):
                self._structure(shape, value, where + ".", errors)
            return
        if kind in ("string", "list", "map", "blob"):
            if not isinstance(value, str | list | dict | bytes):
                return  # a streaming body: its length is the payload's business
            size = len(value)
            if "min" in meta and size < meta["min"]:
                errors.append(self._fail(value, where, f"Member must have length greater than or equal to {meta['min']}"))
            if "max" in meta and size > meta["max"] and where not in self.own_max:
                errors.append(self._fail(value, where, f"Member must have length less than or equal to {meta['max']}"))
        elif kind in ("integer", "long", "float", "double"):
            if "min" in meta and value < meta["min"]:
                errors.append(self._fail(value, where, f"Member must have value greater than or equal to {meta['min']}"))
            if "max" in meta and value > meta["max"]:
                errors.append(self._fail(value, where, f"Member must have value less than or equal to {meta['max']}"))
        if kind == "string" and isinstance(value, str):
            enum = shape.enum
            if enum and value not in enum and where not in self.own_enums:
                errors.append(self._fail(value, where, f"Member must satisfy enum value set: [{', '.join(enum)}]"))
            pattern = meta.get("pattern")
            if pattern:
                compiled = _pattern(pattern)
                if compiled is not None and compiled.fullmatch(value) is None:
                    errors.append(
                        self._fail(value, where, f"Member must satisfy regular expression pattern: {pattern}")
                    )
        elif kind == "list" and isinstance(value, list):
            for index, item in enumerate(value, 1):
                if item is not None:
                    self._value(shape.member, item, f"{where}.{index}.member", errors)
        elif kind == "map" and isinstance(value, dict):
            for key, item in value.items():
                self._value(shape.key, key, f"{where}.{key}.key", errors)
                if item is not None:
                    self._value(shape.value, item, f"{where}.{key}.value", errors)

    @staticmethod
    def _fail(value: Any, where: str, constraint: str) -> str:
        return f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: {constraint}"


@cache
def validator_for(service: str, protocol: str) -> Validator | None:
    if service in _OWN_ERRORS:
        return None
    if service in _VALIDATION_CODES:
        return Validator(_VALIDATION_CODES[service], own_max=_OWN_MAX_LENGTHS.get(service, frozenset()))
    code = "ValidationError" if protocol in ("query", "ec2") else "ValidationException"
    return Validator(code, _OWN_ENUMS.get(service, frozenset()))
