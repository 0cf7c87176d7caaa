"""The query and ec2 protocols: `Action=...&Version=...` form parameters (body or URL).

Dotted parameter names are first folded into a tree (`Tags.member.1.Key` →
tree["Tags"]["member"]["1"]["Key"]), then the tree is read against the input
shape, so the cost is linear in the number of parameters sent, not in the
size of the shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from pocketcloud.gateway.http import Request
from pocketcloud.protocol.errors import MalformedRequest, UnknownOperation
from pocketcloud.protocol.parsers.base import RequestParser
from pocketcloud.protocol.values import BadValue, is_digits, scalar_from_text

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

Tree = dict[Any, Any]
# Where a value lives when the same name also has children: an object, not a
# string, so that no name on the wire (not even the empty one in `A..B`) is it.
_LEAF = object()
# Query services with a single API version, which refuse any other; SQS's and EC2's query APIs
# still answer requests made for their earlier versions.
_ONE_VERSION = frozenset({"iam", "sts"})


def fold(params: list[tuple[str, str]]) -> Tree:
    root: Tree = {}
    for key, value in params:
        node = root
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {} if child is None else {_LEAF: child}
                node[part] = child
            node = child
        last = parts[-1]
        existing = node.get(last)
        if isinstance(existing, dict):
            existing[_LEAF] = value
        else:
            node[last] = value
    return root


def _indexed(node: Tree) -> list[Any]:
    """Children named 1, 2, 3, ... in numeric order; other names are ignored."""
    items = [(int(k), v) for k, v in node.items() if is_digits(k, 4000)]
    items.sort(key=lambda kv: kv[0])
    return [v for _, v in items]


class QueryParser(RequestParser):
    unknown_operation_code = "InvalidAction"
    malformed_code = "MalformedQueryString"
    bad_value_code = "ValidationError"

    async def read_request(self, request: Request) -> tuple[OperationModel, dict[str, Any]]:
        params = self._form(request.query_string)
        if request.method == "POST":
            body = await request.body.read()
            if body:
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise self.malformed("The request body is not valid UTF-8.") from exc
                params.extend(self._form(text))
        tree = fold(params)
        action = tree.pop("Action", None)
        version = tree.pop("Version", None)
        if not isinstance(action, str) or not action:
            raise self.malformed_missing_action()
        if isinstance(version, str) and version != self.model.api_version and self.model.service_name in _ONE_VERSION:
            # IAM's version sent to STS (or the other way round) names no operation there, as an
            # unknown action would not ("Could not find operation GetSendQuota for version 2009-10-16",
            # SES; versity/versitygw's IAMGetCallerIdentity_wrong_version_is_invalid_action).
            raise UnknownOperation("InvalidAction", f"Could not find operation {action} for version {version}")
        operation = self.operation(action)
        shape = operation.input_shape
        if shape is None:
            return operation, {}
        return operation, self._structure(tree, shape, "")

    def _form(self, text: str) -> list[tuple[str, str]]:
        # Strict: a percent-escape that is not UTF-8 is refused, not stored as U+FFFD.
        try:
            return parse_qsl(text, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError as exc:
            raise self.malformed("The request is not valid UTF-8 once percent-decoded.") from exc

    def malformed_missing_action(self) -> MalformedRequest:
        return MalformedRequest("MissingAction", "Missing Action")

    def unknown_operation(self, name: str) -> UnknownOperation:
        return UnknownOperation(
            "InvalidAction", f"Could not find operation {name} for version {self.model.api_version}"
        )

    # -- names on the wire ------------------------------------------------

    def wire_name(self, member: str, shape: Shape) -> str:
        name: str = shape.serialization.get("name", member)
        if shape.type_name == "list" and shape.serialization.get("flattened"):
            name = shape.member.serialization.get("name", name)
        return name

    def list_items(self, node: Any, shape: Shape) -> list[Any]:
        if not isinstance(node, dict):
            return []  # `Name=` is how the query protocol sends an empty list
        if not shape.serialization.get("flattened"):
            node = node.get(shape.member.serialization.get("name", "member"))
            if not isinstance(node, dict):
                return []
        return _indexed(node)

    # -- reading the tree against a shape --------------------------------

    def _value(self, node: Any, shape: Shape, where: str) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(node if isinstance(node, dict) else {}, shape, where)
        if kind == "list":
            return [self._value(item, shape.member, where) for item in self.list_items(node, shape)]
        if kind == "map":
            return self._map(node, shape, where)
        text = node.get(_LEAF, "") if isinstance(node, dict) else node
        try:
            return scalar_from_text(kind, text)
        except BadValue as exc:
            raise self.bad_value(where, text, shape) from exc

    def member_wire_name(self, structure: Shape, member: str, shape: Shape) -> str:
        """The wire name of a member of `structure` (a protocol variant may rename some)."""
        return self.wire_name(member, shape)

    def _structure(self, node: Tree, shape: Shape, where: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for member, member_shape in shape.members.items():
            child = node.get(self.member_wire_name(shape, member, member_shape))
            if child is None:
                continue
            path = f"{where}.{member}" if where else member
            result[member] = self._value(child, member_shape, path)
        return result

    def _map(self, node: Any, shape: Shape, where: str) -> dict[str, Any]:
        if not isinstance(node, dict):
            return {}
        entries = node if shape.serialization.get("flattened") else node.get("entry")
        if not isinstance(entries, dict):
            return {}
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        result: dict[str, Any] = {}
        for entry in _indexed(entries):
            if not isinstance(entry, dict) or key_name not in entry:
                continue
            key = self._value(entry[key_name], shape.key, where)
            value = entry.get(value_name)
            result[key] = self._value(value, shape.value, where) if value is not None else None
        return result


class Ec2Parser(QueryParser):
    """EC2's variant: `queryName` or capitalised `locationName`, lists always `Name.N`."""

    bad_value_code = "InvalidParameterValue"

    def unknown_operation(self, name: str) -> UnknownOperation:
        return UnknownOperation("InvalidAction", f"The action {name} is not valid for this web service.")

    def wire_name(self, member: str, shape: Shape) -> str:
        serialization = shape.serialization
        if "queryName" in serialization:
            return str(serialization["queryName"])
        if "name" in serialization:
            name = str(serialization["name"])
            return name[0].upper() + name[1:]
        return member

    def list_items(self, node: Any, shape: Shape) -> list[Any]:
        if not isinstance(node, dict):
            return []
        return _indexed(node)
