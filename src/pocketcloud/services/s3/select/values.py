"""S3 Select's values: MISSING beside NULL, the implicit number reading of text (CSV fields are
strings), comparison across types, CAST, and the text form of a value in CSV output."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from pocketcloud.services.s3.select.errors import select_error
from pocketcloud.services.s3.select.timestamps import format_timestamp, parse_timestamp


class _Missing:
    """PartiQL's MISSING: what a path that names nothing evaluates to (NULL is None)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()
_INT = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def fit(number: Any) -> Any:
    """An integer as a value: Python will not write one of more than 4300 digits as text (a
    guard against slow conversions), so one that large is kept as the exact decimal it is."""
    return Decimal(number) if type(number) is int and number.bit_length() > 14_000 else number


def to_number(text: str) -> int | float | Decimal | None:
    """The number a text spells (CSV's "42", " 3.5 ", "1e3"), None if it spells none."""
    text = text.strip()
    if _INT.match(text):
        return int(text) if len(text) < 4000 else Decimal(text)
    if _DECIMAL.match(text):
        return Decimal(text)
    if _FLOAT.match(text):
        return float(text)
    return None


def numeric(value: Any) -> Any:
    """A value as a number for arithmetic and aggregates; None when it is none."""
    if is_number(value):
        return value
    if isinstance(value, str):
        return to_number(value)
    return None


def _mix(a: Any, b: Any) -> tuple[Any, Any]:
    """Decimal and float do not mix in Python arithmetic: a float operand makes both floats."""
    if isinstance(a, float) and isinstance(b, Decimal):
        return a, float(b)
    if isinstance(a, Decimal) and isinstance(b, float):
        return float(a), b
    return a, b


def arithmetic(op: str, a: Any, b: Any) -> Any:
    if a is MISSING or b is MISSING:
        return MISSING
    if a is None or b is None:
        return None
    if op == "||":
        return text(a) + text(b)
    x, y = numeric(a), numeric(b)
    if x is None or y is None:
        return None
    x, y = _mix(x, y)
    if op == "+":
        return fit(x + y)
    if op == "-":
        return fit(x - y)
    if op == "*":
        return fit(x * y)
    if not y:
        return None  # division by zero: no value
    if isinstance(x, int) and isinstance(y, int):
        # SQL's integer division truncates toward zero (Python's // floors), and % follows it
        quotient = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
        return quotient if op == "/" else x - y * quotient
    if op == "/":
        return x / y
    return math.fmod(x, y) if isinstance(x, float) else x % y  # Decimal's % truncates already


def _as_bool(text_value: str) -> bool | None:
    lowered = text_value.strip().lower()
    return True if lowered == "true" else False if lowered == "false" else None


def _number_in(value: str) -> int | float | Decimal | None:
    if "_" not in value:
        try:
            return int(value)  # the common case, without a regex
        except ValueError:
            pass
    return to_number(value)


_ORDERED = frozenset({int, float, str, Decimal})
_NUMBERS = frozenset({int, float, Decimal})


def compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1; None when the two cannot be compared (NULL, MISSING, or unlike types). A string
    beside a number, a boolean or a timestamp is read as one, as S3 Select reads CSV fields."""
    kind, other = type(a), type(b)
    if kind is other and kind in _ORDERED:
        return (a > b) - (a < b)
    # A CSV field beside a number, the usual WHERE: read the field as a number.
    if kind is str and other in _NUMBERS:
        a = _number_in(a)
        return None if a is None else (a > b) - (a < b)
    if other is str and kind in _NUMBERS:
        b = _number_in(b)
        return None if b is None else (a > b) - (a < b)
    if a is None or b is None or a is MISSING or b is MISSING:
        return None
    if isinstance(a, str) and not isinstance(b, str):
        flipped = compare(b, a)
        return None if flipped is None else -flipped
    if isinstance(b, str) and not isinstance(a, str):
        if isinstance(a, bool):
            b = _as_bool(b)
        elif is_number(a):
            b = _number_in(b)
        elif isinstance(a, datetime):
            b = parse_timestamp(b)
        if b is None:
            return None
    if is_number(a) and is_number(b) or type(a) is type(b) and isinstance(a, str | bool | datetime):
        try:
            return (a > b) - (a < b)
        except (TypeError, InvalidOperation):
            return None
    return 0 if a == b else None


def text(value: Any) -> str:
    """A value's text, as CSV output and string functions show it."""
    if type(value) is str:
        return value
    if isinstance(value, str):
        return value
    if value is None or value is MISSING:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, list | dict):
        return json_bytes(value).decode()
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value).encode())
    if isinstance(value, datetime):
        return format_timestamp(value)
    if value is MISSING:
        return None
    raise TypeError


def json_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME)
    except TypeError:  # what orjson refuses and json writes: integers beyond 64 bits, nesting past 255
        try:
            return json.dumps(value, default=text, ensure_ascii=False, separators=(",", ":")).encode()
        except RecursionError:  # orjson read it (up to 1,024 levels), json cannot write it
            raise select_error("JSONParsingError") from None


def _cast_failed() -> Exception:
    return select_error("CastFailed")


def cast(value: Any, type_name: str) -> Any:
    if value is None or value is MISSING:
        return value
    if type_name == "STRING":
        return text(value)
    if type_name == "INT":
        if isinstance(value, bool):
            return int(value)
        number = to_number(value) if isinstance(value, str) else value if is_number(value) else None
        if number is None or not math.isfinite(number):
            raise _cast_failed()
        return fit(int(number))
    if type_name in ("FLOAT", "DECIMAL"):
        if isinstance(value, bool):
            value = int(value)
        number = to_number(value) if isinstance(value, str) else value if is_number(value) else None
        if number is None:
            raise _cast_failed()
        if type_name == "FLOAT":
            return float(number)
        return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
    if type_name == "BOOL":
        if isinstance(value, bool):
            return value
        if is_number(value):
            return value != 0
        flag = _as_bool(value) if isinstance(value, str) else None
        if flag is None:
            number = to_number(value) if isinstance(value, str) else None
            if number is None:
                raise _cast_failed()
            return number != 0
        return flag
    # TIMESTAMP
    if isinstance(value, datetime):
        return value
    stamp = parse_timestamp(value) if isinstance(value, str) else None
    if stamp is None:
        raise _cast_failed()
    return stamp


def truth(value: Any) -> bool | None:
    """A condition's value in three-valued logic: True, False, or None (unknown)."""
    if value is True or value is False:
        return value
    if isinstance(value, str):
        return _as_bool(value)
    return None
