"""Scalar values on the wire: timestamps, booleans, numbers and blobs, in both directions.

Shared by every protocol's parser and serializer so that a timestamp or a blob
is read and written one way only.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeGuard


class BadValue(ValueError):
    """A scalar on the wire that cannot be read as its shape's type."""


def parse_timestamp(text: str | int | float) -> datetime:
    """ISO-8601, epoch seconds (int/float or their text) or RFC 822 → aware UTC datetime."""
    if isinstance(text, bool) or not isinstance(text, int | float | str):
        raise BadValue(text)
    if isinstance(text, int | float):
        try:
            return _from_epoch(float(text))
        except OverflowError as exc:  # an int too large for a float
            raise BadValue(text) from exc
    value = text.strip()
    if not value:
        raise BadValue(text)
    try:
        return _from_epoch(float(value))
    except ValueError:
        pass
    try:
        parsed = _from_iso(value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError) as exc:
            raise BadValue(text) from exc
    return _in_utc(parsed, text)


# An ISO 8601 date-time in its extended form ("2030-01-01T00:00:00Z", with or without fractional
# seconds or an offset): what `parse_iso8601` reads, the rest of the text left to `fromisoformat`.
_ISO8601_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def parse_iso8601(text: str) -> datetime:
    """An ISO 8601 date-time only (no epoch seconds, no RFC 822 date) → aware UTC datetime; without
    an offset it is UTC, as `parse_timestamp` reads it."""
    value = text.strip()
    if not _ISO8601_DATE_TIME.match(value):
        raise BadValue(text)
    try:
        parsed = _from_iso(value)
    except ValueError as exc:
        raise BadValue(text) from exc
    return _in_utc(parsed, text)


def _from_iso(value: str) -> datetime:
    """`fromisoformat`, with a trailing Z read as UTC; ValueError if it cannot read `value`."""
    return datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)


def _in_utc(parsed: datetime, text: str) -> datetime:
    """`parsed` in UTC, a datetime without an offset taken as UTC already."""
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise BadValue(text) from exc


def _from_epoch(seconds: float) -> datetime:
    if not math.isfinite(seconds):
        raise BadValue(seconds)
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise BadValue(seconds) from exc


def to_datetime(value: datetime | int | float | str) -> datetime:
    """What providers hand over as a timestamp → aware UTC datetime."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return parse_timestamp(value)


def parse_boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise BadValue(text)


_INTEGER = re.compile(r"[+-]?[0-9]+")


# The range of each integer type of the models (Smithy: byte 8, short 16, integer 32, long 64 bits).
INTEGER_BOUNDS = {
    "byte": (-(2**7), 2**7 - 1),
    "short": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
}


def parse_integer(text: str) -> int:
    # Only ASCII digits: int() would also read "1_000", "١٢" and "１２".
    stripped = text.strip()
    if not _INTEGER.fullmatch(stripped):
        raise BadValue(text)
    try:
        return int(stripped)
    except ValueError as exc:  # beyond int()'s 4300 digits: out of any range anyway
        raise BadValue(text) from exc


def is_digits(text: object, limit: int = 18) -> TypeGuard[str]:
    """Whether `text` is a string of 1 to `limit` ASCII digits: what int() reads without surprises
    (str.isdigit() alone also takes "²", which int() refuses, and int() refuses 4,300 digits and more).
    The default limit keeps the number within 64 bits."""
    return isinstance(text, str) and 0 < len(text) <= limit and text.isascii() and text.isdigit()


def parse_float(text: str) -> float:
    stripped = text.strip()
    special = {"nan": math.nan, "infinity": math.inf, "-infinity": -math.inf}.get(stripped.lower())
    if special is not None:
        return special
    try:
        return float(stripped)
    except ValueError as exc:
        raise BadValue(text) from exc


def parse_base64(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=False)
    except (binascii.Error, ValueError) as exc:
        raise BadValue(text) from exc


def encode_base64(value: bytes | str) -> str:
    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(value).decode("ascii")


def scalar_from_text(type_name: str, text: str, timestamp_format: str | None = None) -> object:
    """A scalar member read from text (query strings, headers, XML): typed per its shape."""
    if type_name == "string":
        return text
    if type_name in ("integer", "long", "short", "byte"):
        return parse_integer(text)
    if type_name == "boolean":
        return parse_boolean(text)
    if type_name in ("float", "double"):
        return parse_float(text)
    if type_name == "timestamp":
        return parse_timestamp(text)
    if type_name == "blob":
        return parse_base64(text)
    return text


# A "%" that starts no %XX escape (a URI's or a form value's), which S3 refuses as badly encoded.
BAD_PERCENT_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
