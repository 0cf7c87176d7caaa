"""Event filtering of event source mappings (FilterCriteria): checking a pattern, matching a record.

The patterns are EventBridge's: a JSON object whose leaves are non-empty arrays of values or of
one-operator objects (prefix, suffix, equals-ignore-case, anything-but, numeric, exists, wildcard).
A record passes when any of the mapping's filters matches it. For SQS, a body that is JSON is
matched as the object it holds; a plain-text body matches only a pattern that is not an object.
"""

from __future__ import annotations

import json
import operator
import re
from typing import Any

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.awslambda.errors import invalid_parameter

_OPERATORS = {"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "wildcard"}
_COMPARE = {"<": operator.lt, "<=": operator.le, "=": operator.eq, ">": operator.gt, ">=": operator.ge}
_COMPARISONS = set(_COMPARE)
_MISSING = object()


def invalid_pattern() -> ServiceError:
    return invalid_parameter("Invalid filter pattern definition.")


def check_filter_criteria(criteria: Any) -> list[Any]:
    """The parsed patterns of FilterCriteria; InvalidParameterValueException for one AWS refuses."""
    patterns = []
    for item in (criteria or {}).get("Filters") or []:
        try:
            pattern = json.loads(item.get("Pattern") or "")
        except (ValueError, RecursionError):  # RecursionError: nested too deep for json
            raise invalid_pattern() from None
        if not isinstance(pattern, dict) or not _valid_object(pattern):
            raise invalid_pattern()
        patterns.append(pattern)
    return patterns


def _valid_object(pattern: dict[str, Any]) -> bool:
    if not pattern:
        return False
    for value in pattern.values():
        if isinstance(value, dict):
            if not _valid_object(value):
                return False
        elif not isinstance(value, list) or not value or not all(_valid_leaf(v) for v in value):
            return False
    return True


def _valid_leaf(value: Any) -> bool:
    if not isinstance(value, dict):
        return not isinstance(value, list)
    if len(value) != 1:
        return False
    name, operand = next(iter(value.items()))
    if name not in _OPERATORS:
        return False
    if name == "exists":
        return isinstance(operand, bool)
    if name == "numeric":
        return _valid_numeric(operand)
    if name == "anything-but":
        if isinstance(operand, list):
            return bool(operand) and all(isinstance(v, (str, int, float)) for v in operand)
        if isinstance(operand, dict):
            inner = next(iter(operand.items()), (None, None))
            return (
                len(operand) == 1
                and inner[0] in ("prefix", "suffix", "equals-ignore-case")
                and isinstance(inner[1], str)
            )
        return isinstance(operand, (str, int, float))
    return isinstance(operand, str)


def _valid_numeric(operand: Any) -> bool:
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        return False
    pairs = [operand[i : i + 2] for i in range(0, len(operand), 2)]
    if not all(
        isinstance(op, str) and op in _COMPARISONS and isinstance(n, (int, float)) and not isinstance(n, bool)
        for op, n in pairs
    ):
        return False
    # A range is a lower bound then an upper one.
    return len(pairs) == 1 or (pairs[0][0][0], pairs[1][0][0]) == (">", "<")


def sqs_record_view(record: dict[str, Any]) -> dict[str, Any]:
    """The record as a pattern sees it: the body parsed when it holds a JSON object."""
    try:
        body = json.loads(record["body"])
    except (ValueError, RecursionError):  # RecursionError: nested too deep for json, so no JSON to it
        return record
    return {**record, "body": body} if isinstance(body, dict) else record


def matches_any(patterns: list[Any], event: dict[str, Any]) -> bool:
    return any(_matches(pattern, event) for pattern in patterns)


def _matches(pattern: dict[str, Any], event: Any) -> bool:
    if not isinstance(event, dict):
        return False
    for key, rule in pattern.items():
        value = event.get(key, _MISSING)
        if isinstance(rule, dict):
            if value is _MISSING or not _matches(rule, value):
                return False
        elif not _leaf_matches(rule, value):
            return False
    return True


def _leaf_matches(rules: list[Any], value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    for rule in rules:
        if isinstance(rule, dict) and "exists" in rule:
            if (value is not _MISSING) == rule["exists"]:
                return True
            continue
        if value is _MISSING:
            continue
        if any(_value_matches(rule, v) for v in values):
            return True
    return False


def _value_matches(rule: Any, value: Any) -> bool:
    if not isinstance(rule, dict):
        return bool(rule == value and type(rule) is type(value)) or _same_number(rule, value)
    name, operand = next(iter(rule.items()))
    if name == "prefix":
        return isinstance(value, str) and value.startswith(operand)
    if name == "suffix":
        return isinstance(value, str) and value.endswith(operand)
    if name == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == operand.lower()
    if name == "wildcard":
        expression = ".*".join(re.escape(part) for part in operand.split("*"))
        return isinstance(value, str) and re.fullmatch(expression, value, re.DOTALL) is not None
    if name == "numeric":
        return _numeric(operand, value)
    if name == "anything-but":
        if isinstance(operand, dict):
            return isinstance(value, str) and not _value_matches(operand, value)
        excluded = operand if isinstance(operand, list) else [operand]
        return not any(_value_matches(e, value) for e in excluded)
    return False


def _same_number(rule: Any, value: Any) -> bool:
    numbers = (int, float)
    return (
        isinstance(rule, numbers)
        and isinstance(value, numbers)
        and not isinstance(rule, bool)
        and not isinstance(value, bool)
        and float(rule) == float(value)
    )


def _numeric(operand: list[Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return all(_COMPARE[operand[i]](value, operand[i + 1]) for i in range(0, len(operand), 2))
