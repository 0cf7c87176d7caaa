"""The `Condition` element: its operators, compiled once per policy, evaluated per request.

Semantics, from the IAM User Guide ("Condition operators", "Creating a
condition with multiple context keys or values", "Single-valued vs.
multivalued context keys"):

- Several operators in a block, and several keys under one operator, are AND'ed;
  several values for one key are OR'ed. For a negated operator
  (`StringNotEquals`, `NotIpAddress`, ...) the values act as an AND: the
  request value must match none of them.
- A key absent from the request makes the condition false, except that a
  negated operator is then true, `...IfExists` is then true, and `Null`
  exists to test presence.
- `ForAllValues:` is true when every request value matches (and when the key
  is absent or empty); `ForAnyValue:` is true when at least one does (false
  when absent). With a negated operator, "matches" means "matches no policy value".
- Without a set operator, a multivalued request key matches if any of its
  values does (negated: if none does).
- Policy variables are substituted only for the string, ARN and Bool operators
  (the Numeric, Date, Binary, IP and Null operators "can not use a policy variable").

Request values arrive as tuples of strings (see `evaluate.ContextKeys`);
policy values may be written as strings, numbers or booleans.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pocketcloud.iam.arn import GlobMode, compile_glob, policy_glob
from pocketcloud.iam.dates import legacy_date
from pocketcloud.iam.variables import KeyLookup, Template, has_variables, parse_template

SYNTAX_ERROR = "Syntax errors in policy."
LEGACY_PARSING_ERROR = "The policy failed legacy parsing"


class ConditionSyntaxError(ValueError):
    """A Condition element IAM would refuse; `policy.py` turns it into MalformedPolicy."""


# --- value parsing shared by policy values and request values ------------------------------

_EPOCH = re.compile(r"-?\d+(\.\d+)?")


def parse_date(text: str) -> float | None:
    """Seconds since the epoch: read first as IAM reads a policy's date (`legacy_date`), so that a
    value means in a comparison what it meant to the check that accepted the policy; then, for
    request values, epoch time with a fraction or sign, and ISO 8601 as Python reads it; None if
    none of them."""
    text = text.strip()
    moment = legacy_date(text)
    if moment is not None:
        return moment
    if _EPOCH.fullmatch(text):
        return float(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _parse_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _parse_binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)  # a bare address is a /32 or /128
    except ValueError:
        return None


def _parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _in_network(address: Any, network: Any) -> bool:
    return address.version == network.version and address in network


def _like(value: str, pattern: re.Pattern[str]) -> bool:
    return pattern.fullmatch(value) is not None


def _glob_preparer(mode: GlobMode) -> Callable[[str], re.Pattern[str]]:
    return lambda glob: compile_glob(glob, mode)


# --- operator families ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Family:
    prepare: Callable[[str], Any]  # policy value -> comparable (None: never matches)
    convert: Callable[[str], Any]  # request value -> comparable (None: never matches)
    compare: Callable[[Any, Any], bool]  # (request, policy)
    variables: bool = False  # policy variables substituted?
    glob: bool = False  # policy values are wildcard patterns?


def _identity(text: str) -> str:
    return text


def _casefold(text: str) -> str:
    return text.casefold()


def _lower(text: str) -> str:
    return text.lower()


_STRING = _Family(_identity, _identity, operator.eq, variables=True)
_STRING_IGNORE_CASE = _Family(_casefold, _casefold, operator.eq, variables=True)
_STRING_LIKE = _Family(_glob_preparer("plain"), _identity, _like, variables=True, glob=True)
_ARN = _Family(_glob_preparer("arn"), _identity, _like, variables=True, glob=True)
_BOOL = _Family(_lower, _lower, operator.eq, variables=True)
_BINARY = _Family(_parse_binary, _parse_binary, operator.eq)
_IP = _Family(_parse_network, _parse_address, _in_network)
_COMPARISONS = {
    "Equals": operator.eq,
    "NotEquals": operator.eq,  # negated below
    "LessThan": operator.lt,
    "LessThanEquals": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanEquals": operator.ge,
}

# operator name -> (family, negated)
OPERATORS: dict[str, tuple[_Family | None, bool]] = {
    "StringEquals": (_STRING, False),
    "StringNotEquals": (_STRING, True),
    "StringEqualsIgnoreCase": (_STRING_IGNORE_CASE, False),
    "StringNotEqualsIgnoreCase": (_STRING_IGNORE_CASE, True),
    "StringLike": (_STRING_LIKE, False),
    "StringNotLike": (_STRING_LIKE, True),
    "Bool": (_BOOL, False),
    "BinaryEquals": (_BINARY, False),
    "IpAddress": (_IP, False),
    "NotIpAddress": (_IP, True),
    "ArnEquals": (_ARN, False),
    "ArnLike": (_ARN, False),
    "ArnNotEquals": (_ARN, True),
    "ArnNotLike": (_ARN, True),
    "Null": (None, False),
}
for _name, _compare in _COMPARISONS.items():
    _negated = _name == "NotEquals"
    OPERATORS[f"Numeric{_name}"] = (_Family(_parse_number, _parse_number, _compare), _negated)
    OPERATORS[f"Date{_name}"] = (_Family(parse_date, parse_date, _compare), _negated)

SET_OPERATORS = ("ForAllValues", "ForAnyValue")


# --- a compiled condition --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Condition:
    """One (operator, key, values) triple of a Condition block."""

    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    key: str  # as written; reported in MissingContextValues
    key_lower: str
    family: _Family | None  # None for Null
    negated: bool
    set_operator: str | None
    if_exists: bool
    static_values: tuple[Any, ...]  # prepared policy values without variables (unparseable ones dropped)
    templates: tuple[Template, ...]  # policy values with variables, prepared per request

    @property
    def variable_keys(self) -> tuple[str, ...]:
        return tuple(key for template in self.templates for key in template.keys)

    def _policy_values(self, lookup: KeyLookup, missing: set[str]) -> tuple[Any, ...]:
        if not self.templates:
            return self.static_values
        family = self.family
        assert family is not None
        prepared = [
            family.prepare(text)
            for template in self.templates
            if (text := template.render(lookup, glob=family.glob, missing=missing)) is not None
        ]
        return self.static_values + tuple(value for value in prepared if value is not None)

    def evaluate(self, lookup: KeyLookup, missing: set[str]) -> bool:
        values = lookup(self.key_lower)
        family = self.family
        if family is None:  # Null: "true" means the key must be absent
            return any(expect_absent == (values is None) for expect_absent in self.static_values)
        if values is None:
            missing.add(self.key)
            if self.if_exists or self.set_operator == "ForAllValues":
                return True
            if self.set_operator == "ForAnyValue":
                return False
            return self.negated
        policy_values = self._policy_values(lookup, missing) if self.templates else self.static_values
        convert, compare = family.convert, family.compare
        if self.set_operator is None and len(values) == 1:
            # The common case, kept free of generator overhead: one request value, plain operator.
            converted = convert(values[0])
            if converted is not None:
                for value in policy_values:
                    if compare(converted, value):
                        return not self.negated
            return self.negated
        # Whether each request value matches some policy value; evaluated lazily, this is the hot path.
        hits = (
            converted is not None and any(compare(converted, value) for value in policy_values)
            for converted in map(convert, values)
        )
        if self.set_operator is None:
            return any(hits) != self.negated
        if self.set_operator == "ForAllValues":
            return all(hit != self.negated for hit in hits)
        return any(hit != self.negated for hit in hits)


def _policy_strings(raw: Any) -> list[str]:
    """Condition values as strings: a string, number or boolean, or a list of them."""
    items = raw if isinstance(raw, list) else [raw]
    strings = []
    for item in items:
        if isinstance(item, bool):
            strings.append("true" if item else "false")
        elif isinstance(item, str):
            strings.append(item)
        elif isinstance(item, int | float):
            strings.append(str(item))
        else:
            raise ConditionSyntaxError(SYNTAX_ERROR)
    return strings


def _split_operator(name: str) -> tuple[str | None, str, bool]:
    set_operator = None
    if ":" in name:
        set_operator, _, name = name.partition(":")
        if set_operator not in SET_OPERATORS:
            raise ConditionSyntaxError(SYNTAX_ERROR)
    if_exists = name.endswith("IfExists") and name != "IfExists"
    if if_exists:
        name = name[: -len("IfExists")]
    if name not in OPERATORS or (if_exists and name == "Null"):
        raise ConditionSyntaxError(SYNTAX_ERROR)
    return set_operator, name, if_exists


def compile_conditions(block: Any, substitute_variables: bool) -> tuple[Condition, ...]:
    """Compile a statement's Condition element; raises ConditionSyntaxError as IAM would refuse it."""
    if not isinstance(block, Mapping):
        raise ConditionSyntaxError(SYNTAX_ERROR)
    conditions: list[Condition] = []
    for operator_name, keys in block.items():
        if not isinstance(operator_name, str) or not isinstance(keys, Mapping):
            raise ConditionSyntaxError(SYNTAX_ERROR)
        if not keys:  # IAM accepts an operator naming no keys, whatever its name: it tests nothing
            continue
        set_operator, base, if_exists = _split_operator(operator_name)
        family, negated = OPERATORS[base]
        for key, raw_values in keys.items():
            strings = _policy_strings(raw_values)
            static: list[Any] = []
            templates: list[Template] = []
            for text in strings:
                if family is None:
                    static.append(text.lower() == "true")
                elif substitute_variables and family.variables and has_variables(text):
                    templates.append(parse_template(text))
                else:
                    prepared = family.prepare(policy_glob(text) if family.glob else text)
                    if prepared is None and base.startswith("Date"):
                        raise ConditionSyntaxError(LEGACY_PARSING_ERROR)
                    if prepared is not None:  # an unparseable number, address or base64 never matches
                        static.append(prepared)
            conditions.append(
                Condition(
                    operator=operator_name,
                    key=key,
                    key_lower=key.lower(),
                    family=family,
                    negated=negated,
                    set_operator=set_operator,
                    if_exists=if_exists,
                    static_values=tuple(static),
                    templates=tuple(templates),
                )
            )
    return tuple(conditions)
