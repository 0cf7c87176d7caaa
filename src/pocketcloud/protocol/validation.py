"""Input validation from the model's constraints, worded as AWS's front end words it.


    1 validation error detected: Value '901' at 'timeout' failed to satisfy
    constraint: Member must have value less than or equal to 900

Checked: required members, string/list/map length (`min`/`max`), numeric
range, string `pattern` (full match) and `enum`. Services whose errors are
their own (S3, EC2, SQS) do not use this; see `validator_for`. Organizations
answers with InvalidInputException and a Reason instead (`_REASON_ERRORS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from pocketcloud.protocol.errors import RequestValidationError
from pocketcloud.store import is_text

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

# Services that report bad input with errors of their own rather than Coral's.
_OWN_ERRORS = {"s3", "ec2", "sqs", "s3control"}
# Services whose front end words the same validation message under another code.
_VALIDATION_CODES = {"logs": "InvalidParameterException"}
# Services whose front end answers a broken constraint with an error of their own that names the
# constraint in a Reason member, under a fixed message per reason (Organizations: DescribeAccount with
# AccountId "12" is "InvalidInputException: You provided a value that does not match the required
# pattern.", Reason INVALID_PATTERN, as quoted in aws-ia/terraform-aws-control_tower_account_factory#287
# and boto/boto3#4565). Only that message is recorded from AWS; the others are the model's own words
# for each reason (the InvalidInputException shape's documentation). The first broken constraint is
# the one reported.
_REASON_ERRORS = {
    "organizations": (
        "InvalidInputException",
        {
            "INPUT_REQUIRED": "You must include a value for all required parameters.",
            "MIN_LENGTH_EXCEEDED": "You provided a string parameter that is shorter than allowed.",
            "MAX_LENGTH_EXCEEDED": "You provided a string parameter that is longer than allowed.",
            "MIN_VALUE_EXCEEDED": "You provided a numeric parameter that has a smaller value than allowed.",
            "MAX_VALUE_EXCEEDED": "You provided a numeric parameter that has a larger value than allowed.",
            "INVALID_ENUM": "You specified an invalid value.",
            "INVALID_PATTERN": "You provided a value that does not match the required pattern.",
            "INVALID_LIST_MEMBER": "You provided a list to a parameter that contains at least one invalid value.",
        },
    ),
}
# The reason each of Coral's constraint phrases stands for, in the order they are tried.
_CONSTRAINT_REASONS = (
    ("Member must satisfy constraint: ", "INVALID_LIST_MEMBER"),  # a list's scalar elements
    ("Map ", "INVALID_LIST_MEMBER"),  # a map's keys or values
    ("Member must not be null", "INPUT_REQUIRED"),
    ("Member must have length greater than or equal to", "MIN_LENGTH_EXCEEDED"),
    ("Member must have length less than or equal to", "MAX_LENGTH_EXCEEDED"),
    ("Member must have value greater than or equal to", "MIN_VALUE_EXCEEDED"),
    ("Member must have value less than or equal to", "MAX_VALUE_EXCEEDED"),
    ("Member must satisfy enum value set", "INVALID_ENUM"),
    ("Member must satisfy regular expression pattern", "INVALID_PATTERN"),
)
# Enum members a service checks itself because it words the error its own way
# (Lambda's runtime: InvalidParameterValueException, "... or be a valid ARN"; CloudWatch Logs'
# outputFormat, whose members AWS lists in an order of its own: "[w3c, raw, json, plain, parquet]").
_OWN_ENUMS = {"lambda": frozenset({"runtime"}), "logs": frozenset({"outputFormat"})}
# Enums (by shape name) whose members a service's message lists in an order other than the model's,
# as recorded from AWS (Lambda: "[LATEST, AT_TIMESTAMP, TRIM_HORIZON]", "[RESPONSE_STREAM, BUFFERED]").
_ENUM_ORDERS = {
    "lambda": {
        "EventSourcePosition": ("LATEST", "AT_TIMESTAMP", "TRIM_HORIZON"),
        "InvokeMode": ("RESPONSE_STREAM", "BUFFERED"),
    },
}
# Members whose maximum length a service checks itself, in words of its own (CloudWatch Logs:
# "Invalid LogGroup or LogStream, both must have length less than or equal to 512.").
# CloudWatch Logs also words its one-transformation limit its own way: it prints the transformations
# as Java does ("[MetricTransformation(metricName=m, ..., dimensions=null)]").
_OWN_MAX_LENGTHS = {"logs": frozenset({"logGroupName", "logStreamName", "metricTransformations"})}
# Patterns a service checks itself, in words of its own (IAM's entity paths: "The specified value
# for path is invalid. It must begin and end with / and contain only alphanumeric characters ...").
# An entry may also name a shape whose pattern AWS does not apply: CloudWatch Logs documents
# MetricNamespace as "[^:*$]*" yet takes CloudWatch's namespaces, colons and all ("A.B-c_d/1#2:ns").
_OWN_PATTERNS = {
    "iam": frozenset({r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"}),
    # A query definition's logGroupNames take log group ARNs too, whatever the model's pattern says (the
    # Terraform AWS provider's TestAccLogsQueryDefinition_logGroupARNs reads them back from AWS).
    "logs": frozenset({"MetricNamespace", "PutQueryDefinitionRequest.logGroupNames"}),
}
# Services whose front end adds "Member must not be null" to the constraints a map's keys and values
# must satisfy (Lambda: "Map value must satisfy constraint: [..., Member must not be null]").
_MAP_NOT_NULL = frozenset({"lambda"})
# List shapes whose elements' constraints a service lists without "Member must not be null" (IAM's
# OpenID Connect lists: "Value at 'clientIDList' failed to satisfy constraint: Member must satisfy
# constraint: [Member must have length less than or equal to 255, Member must have length greater
# than or equal to 1]", while its tag key lists end with "Member must not be null").
_NULLABLE_ELEMENTS = {"iam": frozenset({"clientIDListType", "thumbprintListType"})}
# Services whose front end reports a structure's members in the iteration order of a Java HashMap
# keyed by the members' names (IAM, as recorded: "clientIDList; thumbprintList; url" and
# "minimumPasswordLength; passwordReusePrevention; maxPasswordAge"), not in the model's order.
_HASH_ORDER = frozenset({"iam"})
# Members whose value a service's message leaves out ("Value at 'logGroupIdentifier' failed to ..."),
# as CloudWatch Logs has done for log group identifiers (ARNs) since 2026.
# "<member>.*" hides the member's parts too, "*" every member: IAM leaves out every value (as recorded
# for tags, tag keys, version ids, credential ids, statuses and password policy settings: "Value at
# 'tags.1.member.key' failed to ..."), and does not list a hidden member's enum ("Value at 'status'
# failed to satisfy constraint: Member must satisfy enum value set").
# Patterns whose breach a service words its own way, naming the member (IAM's entity names, as AWS
# answers terraform, rosa and the CLI, request ids and all: "ValidationError: The specified value for
# roleName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-").
# Its front end does not check them: a value that breaks another constraint too (a name over 64
# characters) gets the front end's message, and one that breaks only the pattern gets these words.
_WORDED_PATTERNS = {
    "iam": {
        r"[\w+=,.@-]+": "The specified value for {member} is invalid. It must contain only alphanumeric characters "
        "and/or the following: +=,.@_-",
    },
}
_HIDDEN_VALUES = {
    "logs": frozenset({"logGroupIdentifier", "logGroupIdentifiers"}),
    "iam": frozenset({"*"}),
}


@cache
def _pattern(expr: str) -> re.Pattern[str] | None:
    try:
        return re.compile(_from_java(expr))
    except re.error:
        return None  # a Java-only construct: we cannot check it, so we do not


# Java's "." (without DOTALL, as AWS compiles the models' patterns): any character but a line
# terminator. Python's "." leaves out only "\n", and with re.DOTALL nothing. The models that mean
# "anything" say so: "(?s).*", "[\s\S]*" (Lambda's event filter Pattern, Amplify, CloudTrail).
_JAVA_DOT = r"[^\n\r\u0085\u2028\u2029]"
# A pattern that opens with inline flags including "s" (Java's DOTALL, "(?s)"), which `re` honours.
_LEADING_DOTALL = re.compile(r"\(\?[a-zA-Z]*s[a-zA-Z]*\)")


# Java's \p{Z}: the space, line and paragraph separators (Zs, Zl, Zp), a fixed handful.
_SEPARATORS = "\\x20\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"


def _unicode_ranges(category: str, with_underscore: bool) -> str:
    """Java's `\\p{L}`, `\\p{N}`, `\\p{Z}` (a general category) for a character class: Python's
    `re` has no `\\p`, and the models' tag patterns are made of them. Python's `\\w` is exactly
    letters, numbers and `_` (L, N and "_"), so in a class that also allows `_` (every model's
    does) L and N are `\\w`; elsewhere they are spelled out as ranges, found once (~0.2 s)."""
    if category == "Z":
        return _SEPARATORS
    return "\\w" if with_underscore else _category_ranges()[category]


@cache
def _category_ranges() -> dict[str, str]:
    import unicodedata

    found: dict[str, list[list[int]]] = {"L": [], "N": []}
    # Planes 4-13 hold no characters and 15-16 only private use (category Co): not scanned.
    for code in (*range(0x40000), *range(0xE0000, 0xF0000)):
        runs = found.get(unicodedata.category(chr(code))[0])
        if runs is not None:
            if runs and runs[-1][1] == code - 1:
                runs[-1][1] = code
            else:
                runs.append([code, code])
    return {name: "".join(_class_range(a, b) for a, b in runs) for name, runs in found.items()}


def _class_range(first: int, last: int) -> str:
    return f"\\U{first:08x}" if first == last else f"\\U{first:08x}-\\U{last:08x}"


# Java's \w, \d and \s are ASCII (unless UNICODE_CHARACTER_CLASS is on, which AWS's are not):
# "josé" is no IAM name there. Python's are Unicode, so the models' uses are spelled out.
_JAVA_ASCII_CLASSES = {"\\w": "a-zA-Z0-9_", "\\d": "0-9", "\\s": " \\t\\n\\x0b\\f\\r"}
_JAVA_CLASS_ESCAPE = re.compile(r"\\p\{([LNZ])\}|\\[wdsWDS]|\\.|\[|\]|.", re.DOTALL)


def _from_java(expr: str) -> str:
    """The few Java regex constructs the models use, rewritten for `re`: `\\p{L|N|Z}`, inside a
    character class a `-` right after a class escape (`[\\w-_]`), which Java reads as itself,
    outside one a `.`, which in Java matches no line terminator ("\\n", "\\r", "\\u0085",
    "\\u2028", "\\u2029") unless the pattern turns DOTALL on, and `\\w`, `\\d`, `\\s`, which in
    Java are ASCII."""
    java_dot = "." in expr and not _LEADING_DOTALL.match(expr)
    ascii_classes = any(escape in expr for escape in _JAVA_ASCII_CLASSES)
    if "\\p{" not in expr and "-" not in expr and not java_dot and not ascii_classes:
        return expr
    out: list[str] = []
    in_class = after_class_escape = False
    for match in _JAVA_CLASS_ESCAPE.finditer(expr):
        token = original = match.group(0)
        category = match.group(1)
        if category:
            ranges = _unicode_ranges(category, "_" in expr)
            token = ranges if in_class else f"[{ranges}]"
        elif token in "[]":
            in_class = token == "["
        elif token == "-" and in_class and after_class_escape:
            token = "\\-"
        elif token == "." and not in_class and java_dot:
            token = _JAVA_DOT
        elif token in _JAVA_ASCII_CLASSES:
            members = _JAVA_ASCII_CLASSES[token]
            token = members if in_class else f"[{members}]"
        out.append(token)
        after_class_escape = bool(category) or original in ("\\w", "\\d", "\\s", "\\W", "\\D", "\\S")
    return "".join(out)


def _path_name(member: str) -> str:
    return member[:1].lower() + member[1:]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"  # as Java prints a list: [a, b]
    if isinstance(value, bytes):  # as Java prints the ByteBuffer a blob is read into
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    return "null" if value is None else str(value)


# A compiled check: (value, where, errors) appends the messages of what `value` breaks.
Check = Callable[[Any, str, list[str]], None]


class Validator:
    """Checks an operation's input against its shape. Each shape's constraints are read from the
    model once and turned into a check (`_checks`, by shape name); members without constraints
    get none, so a request pays only for what can fail."""

    def __init__(
        self,
        code: str,
        own_enums: frozenset[str] = frozenset(),
        own_max: frozenset[str] = frozenset(),
        hidden: frozenset[str] = frozenset(),
        own_patterns: frozenset[str] = frozenset(),
        map_not_null: bool = False,
        nullable_elements: frozenset[str] = frozenset(),
        hash_order: bool = False,
        enum_orders: dict[str, tuple[str, ...]] | None = None,
        reasons: dict[str, str] | None = None,
        worded_patterns: dict[str, str] | None = None,
    ) -> None:
        self.code = code
        self.worded_patterns = worded_patterns or {}
        self.reasons = reasons  # reason → message, for a service that answers with a Reason member
        self.enum_orders = enum_orders or {}
        self.own_enums = own_enums
        self.own_max = own_max
        self.own_patterns = own_patterns
        self.hidden = hidden
        self.map_not_null = map_not_null
        self.nullable_elements = nullable_elements
        self.hash_order = hash_order
        self._inputs: dict[str, Check | None] = {}  # operation name → the check of its input
        self._checks: dict[str, Check | None] = {}  # shape name → its check (None: nothing to check)

    def validate(self, operation: OperationModel, params: dict[str, Any]) -> None:
        try:
            check = self._inputs[operation.name]
        except KeyError:
            shape = operation.input_shape
            check = self._inputs[operation.name] = None if shape is None else self._members(shape)
        if check is None:
            return
        errors: list[str] = []
        check(params, "", errors)
        if errors and self.worded_patterns:
            errors = self._front_end_errors(operation, errors)
        if errors and self.reasons is not None:
            reason = _reason(errors[0])
            raise RequestValidationError(self._code(operation), self.reasons[reason], Reason=reason)
        if errors:
            if self.hidden:
                errors = [_hide_value(error, self.hidden) for error in errors]
            count = len(errors)
            noun = "error" if count == 1 else "errors"
            raise RequestValidationError(
                self._code(operation), f"{count} validation {noun} detected: " + "; ".join(errors[:10])
            )

    def _front_end_errors(self, operation: OperationModel, errors: list[str]) -> list[str]:
        """`errors` but the breaches of worded patterns, which are raised in their words when they are
        all there is."""
        worded = [(error, _worded(error, self.worded_patterns)) for error in errors]
        left = [error for error, words in worded if words is None]
        if not left:
            raise RequestValidationError(self._code(operation), next(w for _, w in worded if w is not None))
        return left

    def _code(self, operation: OperationModel) -> str:
        # A service's own code is for the operations that declare it: CloudWatch Logs' delivery
        # operations declare ValidationException, not InvalidParameterException, and answer with it.
        if self.code != "ValidationException":
            names = {error.name for error in operation.error_shapes}
            if self.code not in names and "ValidationException" in names:
                return "ValidationException"
        return self.code

    # -- building the checks ------------------------------------------------------------------

    def _check(self, shape: Shape) -> Check | None:
        name = shape.name
        if name in self._checks:
            return self._checks[name]
        # A recursive shape meets itself while being built: it calls through the table then.
        self._checks[name] = lambda value, where, errors: _call(self._checks[name], value, where, errors)
        built = self._build(shape)
        self._checks[name] = built
        return built

    def _build(self, shape: Shape) -> Check | None:
        kind = shape.type_name
        if kind == "structure":
            if getattr(shape, "is_document_type", False):
                return None
            members = self._members(shape)
            if members is None:
                return None

            def structure(value: Any, where: str, errors: list[str]) -> None:
                if isinstance(value, dict):
                    members(value, where + ".", errors)

            return structure
        checks: list[Check] = []
        meta = shape.metadata
        if kind in ("string", "list", "map", "blob"):
            checks.extend(self._length(meta))
        elif kind in ("integer", "long", "float", "double"):
            checks.extend(_range(meta))
        if kind == "string":
            checks.extend(self._text(shape, meta))
        elif kind == "list":
            checks.extend(self._elements(shape, unpatterned=False))
        elif kind == "map":
            key, value = self._check(shape.key), self._check(shape.value)
            if key is not None or value is not None:
                checks.append(
                    _entries(
                        key,
                        value,
                        self._entry_constraints(shape.key),
                        self._entry_constraints(shape.value),
                        shape.value.type_name in ("float", "double"),
                    )
                )
        if not checks:
            return None
        if len(checks) == 1:
            return checks[0]

        def all_of(value: Any, where: str, errors: list[str]) -> None:
            for check in checks:
                check(value, where, errors)

        return all_of

    def _elements(self, shape: Shape, unpatterned: bool) -> list[Check]:
        """The check of a list's elements; `unpatterned`: their lengths, not their pattern (a list member
        named "<structure>.<member>" in `own_patterns`, whose elements the service takes in other forms)."""
        if unpatterned:
            lengths = self._length(shape.member.metadata) if shape.member.type_name == "string" else []
            item: Check | None = lengths[0] if lengths else None
        else:
            item = self._check(shape.member)
        if item is None:
            return []
        not_null = shape.name not in self.nullable_elements
        constraints = _scalar_constraints(shape.member, not_null=not_null, with_pattern=not unpatterned)
        return [_items(item, constraints, not_null)]

    def _unpatterned_list(self, shape: Shape) -> Check | None:
        checks = [*self._length(shape.metadata), *self._elements(shape, unpatterned=True)]
        if not checks:
            return None

        def all_of(value: Any, where: str, errors: list[str]) -> None:
            for check in checks:
                check(value, where, errors)

        return all_of

    def _members(self, shape: Shape) -> Check | None:
        """The check of a structure's members (`where` is the prefix of their paths)."""
        required = tuple((name, _path_name(name)) for name in shape.required_members)
        members: dict[str, tuple[str, Check]] = {}
        for name, member in shape.members.items():
            if member.type_name == "list" and f"{shape.name}.{name}" in self.own_patterns:
                check = self._unpatterned_list(member)
            else:
                check = self._check(member)
            if check is not None:
                members[name] = (_path_name(name), check)
        if not required and not members:
            return None
        if self.hash_order:
            return _members_in_hash_order(shape, required, members)

        def check_members(value: dict[str, Any], where: str, errors: list[str]) -> None:
            for name, path in required:
                if value.get(name) is None:
                    errors.append(
                        f"Value null at '{where}{path}' failed to satisfy constraint: Member must not be null"
                    )
            if members:
                for name, member_value in value.items():
                    entry = members.get(name)
                    if entry is not None and member_value is not None:
                        entry[1](member_value, where + entry[0], errors)

        return check_members

    def _entry_constraints(self, shape: Shape) -> str | None:
        return _scalar_constraints(shape, self.map_not_null)

    def _length(self, meta: dict[str, Any]) -> list[Check]:
        low, high, own_max = meta.get("min"), meta.get("max"), self.own_max
        if low is None and high is None:
            return []
        # A sensitive member's value is never shown (KMS: "Value at 'plaintext' failed to ...").
        fail = _fail_hidden if meta.get("sensitive") else _fail

        def length(value: Any, where: str, errors: list[str]) -> None:
            if not isinstance(value, str | list | dict | bytes):
                return  # a streaming body: its length is the payload's business
            size = len(value)
            if low is not None and size < low:
                errors.append(fail(value, where, f"Member must have length greater than or equal to {low}"))
            if high is not None and size > high and where not in own_max:
                errors.append(fail(value, where, f"Member must have length less than or equal to {high}"))

        return [length]

    def _text(self, shape: Shape, meta: dict[str, Any]) -> list[Check]:
        checks: list[Check] = []
        enum, own_enums = shape.enum, self.own_enums
        if enum:
            allowed = frozenset(enum)
            listed = ", ".join(self.enum_orders.get(shape.name, enum))

            def in_enum(value: Any, where: str, errors: list[str]) -> None:
                if isinstance(value, str) and value not in allowed and where not in own_enums:
                    errors.append(_fail(value, where, f"Member must satisfy enum value set: [{listed}]"))

            checks.append(in_enum)
        pattern = meta.get("pattern")
        own = self.own_patterns
        compiled = _pattern(pattern) if pattern and pattern not in own and shape.name not in own else None
        if compiled is not None:
            fullmatch = compiled.fullmatch

            def matches(value: Any, where: str, errors: list[str]) -> None:
                if isinstance(value, str) and fullmatch(value) is None:
                    errors.append(
                        _fail(value, where, f"Member must satisfy regular expression pattern: {pattern}")
                    )

            checks.append(matches)
        return checks


def _java_hash_order(names: list[str]) -> list[str]:
    """`names` in the order a Java HashMap (default capacity, load factor 0.75) holding them iterates:
    by bucket (String.hashCode, spread as HashMap spreads it), entries of one bucket as inserted."""
    capacity = 16
    while len(names) > capacity * 3 // 4:
        capacity *= 2

    def bucket(name: str) -> int:
        h = 0
        for char in name:
            h = (31 * h + ord(char)) & 0xFFFFFFFF
        return (h ^ (h >> 16)) & (capacity - 1)

    return sorted(names, key=bucket)


def _members_in_hash_order(
    shape: Shape, required: tuple[tuple[str, str], ...], members: dict[str, tuple[str, Check]]
) -> Check:
    """The check of a structure's members for a service that reports them in Java HashMap order."""
    required_names = {name for name, _ in required}
    paths = {_path_name(name): name for name in shape.members}
    order = tuple(
        (name, path, name in required_names, members[name][1] if name in members else None)
        for path in _java_hash_order(list(paths))
        for name in (paths[path],)
        if name in required_names or name in members
    )

    def check_members(value: dict[str, Any], where: str, errors: list[str]) -> None:
        for name, path, is_required, check in order:
            member_value = value.get(name)
            if member_value is None:
                if is_required:
                    errors.append(
                        f"Value null at '{where}{path}' failed to satisfy constraint: Member must not be null"
                    )
            elif check is not None:
                check(member_value, where + path, errors)

    return check_members


def _call(check: Check | None, value: Any, where: str, errors: list[str]) -> None:
    if check is not None:
        check(value, where, errors)


def _range(meta: dict[str, Any]) -> list[Check]:
    low, high = meta.get("min"), meta.get("max")
    if low is None and high is None:
        return []

    def in_range(value: Any, where: str, errors: list[str]) -> None:
        if low is not None and value < low:
            errors.append(_fail(value, where, f"Member must have value greater than or equal to {low}"))
        if high is not None and value > high:
            errors.append(_fail(value, where, f"Member must have value less than or equal to {high}"))

    return [in_range]


def _scalar_constraints(shape: Shape, not_null: bool, with_pattern: bool = True) -> str | None:
    """Every constraint of a scalar list member, map key or map value, as Coral lists them when one
    fails ("Member must satisfy constraint: [...]"); None for structures, reported by path."""
    meta, kind = shape.metadata, shape.type_name
    listed: list[str] = []
    if kind == "string":
        if "max" in meta:
            listed.append(f"Member must have length less than or equal to {meta['max']}")
        if "min" in meta:
            listed.append(f"Member must have length greater than or equal to {meta['min']}")
        if shape.enum:
            listed.append(f"Member must satisfy enum value set: [{', '.join(shape.enum)}]")
        if "pattern" in meta and with_pattern:
            listed.append(f"Member must satisfy regular expression pattern: {meta['pattern']}")
    elif kind in ("integer", "long", "float", "double"):
        if "max" in meta:
            listed.append(f"Member must have value less than or equal to {meta['max']}")
        if "min" in meta:
            listed.append(f"Member must have value greater than or equal to {meta['min']}")
    else:
        return None
    if not_null:
        listed.append("Member must not be null")
    return f"[{', '.join(listed)}]"


def _items(item: Check, scalar_constraints: str | None, not_null: bool) -> Check:
    """A list's elements. A list of scalars that has a bad element is reported once, as Coral reports
    it: "Value '[X86_64]' at 'architectures' failed to satisfy constraint: Member must satisfy
    constraint: [...]" (every constraint of an element); elements of structures by their path.
    A null element (JSON's [null]) is bad unless the list's elements are nullable."""

    def items(value: Any, where: str, errors: list[str]) -> None:
        if not isinstance(value, list):
            return
        bad: list[str] = []
        for index, element in enumerate(value, 1):
            path = f"{where}.{index}.member"
            if element is not None:
                item(element, path, bad if scalar_constraints else errors)
            elif not_null and scalar_constraints:
                bad.append("null")
            elif not_null:
                errors.append(f"Value null at '{path}' failed to satisfy constraint: Member must not be null")
        if bad:
            errors.append(_fail(value, where, f"Member must satisfy constraint: {scalar_constraints}"))

    return items


def _entries(
    key: Check | None,
    value: Check | None,
    key_constraints: str | None,
    value_constraints: str | None,
    decimal_values: bool,
) -> Check:
    """A map's entries. Scalar keys and values that fail are reported once for the whole map, as
    Coral reports them: "Value '{2=2.0}' at 'weights' failed to satisfy constraint: Map value must
    satisfy constraint: [...]" (the map as Java prints it, then every constraint of the entry)."""

    def entries(mapping: Any, where: str, errors: list[str]) -> None:
        if not isinstance(mapping, dict):
            return
        bad_keys: list[str] = []
        bad_values: list[str] = []
        for k, v in mapping.items():
            if key is not None:
                key(k, f"{where}.{k}.key", bad_keys if key_constraints else errors)
            if value is not None and v is not None:
                value(v, f"{where}.{k}.value", bad_values if value_constraints else errors)
        if bad_keys or bad_values:
            shown = "{" + ", ".join(f"{k}={_java_value(v, decimal_values)}" for k, v in mapping.items()) + "}"
            if bad_keys:
                errors.append(_fail(shown, where, f"Map keys must satisfy constraint: {key_constraints}"))
            if bad_values:
                errors.append(_fail(shown, where, f"Map value must satisfy constraint: {value_constraints}"))

    return entries


def _java_value(value: Any, decimal: bool) -> str:
    """A map value as Java prints it: a double always with a decimal point (2 → 2.0)."""
    if decimal and isinstance(value, int | float) and not isinstance(value, bool):
        return str(float(value))
    return _show(value)


def _fail(value: Any, where: str, constraint: str) -> str:
    return f"Value '{_show(value)}' at '{where}' failed to satisfy constraint: {constraint}"


def _fail_hidden(value: Any, where: str, constraint: str) -> str:
    return f"Value at '{where}' failed to satisfy constraint: {constraint}"


_WHERE = re.compile(
    r"Value '.*' at '(?P<where>[^']*)' failed to satisfy constraint: (?P<constraint>.*)", re.S
)


_PATTERN_BREACH = re.compile(
    r"Value (?:'.*' )?at '(?P<where>[^']*)' failed to satisfy constraint: "
    r"Member must satisfy regular expression pattern: (?P<pattern>.*)",
    re.S,
)


def _worded(error: str, worded_patterns: dict[str, str]) -> str | None:
    """The service's own words for `error`, when it is the breach of a pattern it words itself."""
    match = _PATTERN_BREACH.fullmatch(error)
    if match is None or match["pattern"] not in worded_patterns:
        return None
    return worded_patterns[match["pattern"]].format(member=match["where"].rsplit(".", 1)[-1])


def _reason(error: str) -> str:
    """The Reason (INVALID_PATTERN, MAX_LENGTH_EXCEEDED, ...) of a constraint `error` breaks."""
    constraint = error.partition("failed to satisfy constraint: ")[2]
    return next(
        (reason for phrase, reason in _CONSTRAINT_REASONS if constraint.startswith(phrase)), "INVALID_PATTERN"
    )


def _hide_value(error: str, hidden: frozenset[str]) -> str:
    """`error` without the value, when it is about a member (or, for "<member>.*", a part of one;
    for "*", any member) whose value the service does not show."""
    match = _WHERE.fullmatch(error)
    if match is None:
        return error
    where = match["where"]
    if "*" not in hidden and where not in hidden and f"{where.split('.', 1)[0]}.*" not in hidden:
        return error
    constraint = re.sub(r"^(Member must satisfy enum value set): \[.*\]$", r"\1", match["constraint"])
    return f"Value at '{where}' failed to satisfy constraint: {constraint}"


def _not_text(value: Any) -> bool:
    if isinstance(value, str):
        return not is_text(value)
    if isinstance(value, list):
        return any(map(_not_text, value))
    return False


def unusable_text_error(service: str, protocol: str, params: dict[str, Any]) -> RequestValidationError:
    """The error for a request naming something by text that is not Unicode text (a lone surrogate,
    which the store cannot hold: `store.UnusableKey`), in the service's validation code. AWS documents
    no answer for this; the wording follows Coral's."""
    member = next((name for name, value in params.items() if _not_text(value)), "input")
    validator = validator_for(service, protocol)
    if validator is not None:
        code = validator.code
    else:
        code = "InvalidArgument" if service in ("s3", "s3control") else "InvalidParameterValue"
    message = (
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        "Member must be valid Unicode text"
    )
    return RequestValidationError(code, message, status=400)


@cache
def validator_for(service: str, protocol: str) -> Validator | None:
    if service in _OWN_ERRORS:
        return None
    if service in _REASON_ERRORS:
        code, reasons = _REASON_ERRORS[service]
        return Validator(code, _OWN_ENUMS.get(service, frozenset()), reasons=reasons)
    if service in _VALIDATION_CODES:
        return Validator(
            _VALIDATION_CODES[service],
            _OWN_ENUMS.get(service, frozenset()),
            own_max=_OWN_MAX_LENGTHS.get(service, frozenset()),
            hidden=_HIDDEN_VALUES.get(service, frozenset()),
            own_patterns=_OWN_PATTERNS.get(service, frozenset()),
        )
    code = "ValidationError" if protocol in ("query", "ec2") else "ValidationException"
    return Validator(
        code,
        _OWN_ENUMS.get(service, frozenset()),
        hidden=_HIDDEN_VALUES.get(service, frozenset()),
        map_not_null=service in _MAP_NOT_NULL,
        own_patterns=_OWN_PATTERNS.get(service, frozenset()),
        nullable_elements=_NULLABLE_ELEMENTS.get(service, frozenset()),
        hash_order=service in _HASH_ORDER,
        enum_orders=_ENUM_ORDERS.get(service),
        worded_patterns=_WORDED_PATTERNS.get(service),
    )
