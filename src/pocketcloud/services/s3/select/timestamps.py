"""S3 Select's timestamps: Ion-style timestamp text (`2007T`, `2007-02-23T12:14:33.079-08:00`) to
aware datetimes and back, and the date functions (EXTRACT, DATE_ADD, DATE_DIFF, TO_STRING)."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from pocketcloud.services.s3.select.errors import select_error

_TIMESTAMP = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?T?$"
)


def parse_timestamp(text: str) -> datetime | None:
    """The timestamp a text names, None if it names none."""
    match = _TIMESTAMP.match(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    tz: Any = UTC
    try:
        if offset and offset != "Z":  # an offset of a day or more (+99:99) is no timezone
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        return datetime(
            int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")), tzinfo=tz,
        )  # fmt: skip
    except ValueError:
        return None


def format_timestamp(value: datetime) -> str:
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + _offset(value, "XXXXX")


def _offset(value: datetime, token: str) -> str:
    delta = value.utcoffset() or timedelta(0)
    if not delta and token[0] == "X":
        return "Z"
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    if len(token) == 1:
        return f"{sign}{hours:02d}" + (f"{minutes:02d}" if minutes else "")
    if len(token) in (2, 4):
        return f"{sign}{hours:02d}{minutes:02d}"
    return f"{sign}{hours:02d}:{minutes:02d}"


_PATTERN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|.", re.DOTALL)


def to_string(value: datetime, pattern: str) -> str:
    """TO_STRING: the timestamp in a Java-style format pattern."""
    out = []
    for match in _PATTERN.finditer(pattern):
        token = match.group()
        letter, size = token[0], len(token)
        if letter == "'":
            out.append(token[1:-1].replace("''", "'") if size > 2 else "'")
        elif not letter.isalpha():
            out.append(token)
        elif letter == "y":
            out.append(f"{value.year % 100:02d}" if size == 2 else f"{value.year:0{size}d}")
        elif letter == "M":
            if size >= 4:
                out.append(calendar.month_name[value.month])
            elif size == 3:
                out.append(calendar.month_abbr[value.month])
            else:
                out.append(f"{value.month:0{size}d}")
        elif letter in "dHms":
            number = {"d": value.day, "H": value.hour, "m": value.minute, "s": value.second}[letter]
            out.append(f"{number:0{size}d}")
        elif letter == "h":
            out.append(f"{(value.hour % 12) or 12:0{size}d}")
        elif letter == "a":
            out.append("AM" if value.hour < 12 else "PM")
        elif letter == "S":
            out.append(f"{value.microsecond:06d}000"[:size].ljust(size, "0"))
        elif letter == "n":
            out.append(str(value.microsecond * 1000))
        elif letter in "Xx" and size <= 5:
            out.append(_offset(value, token))
        else:
            raise select_error("EvaluatorInvalidTimestampFormatPatternSymbol")
    return "".join(out)


def extract(part: str, value: datetime) -> int:
    if part == "TIMEZONE_HOUR" or part == "TIMEZONE_MINUTE":
        minutes = int((value.utcoffset() or timedelta(0)).total_seconds()) // 60
        hours, rest = divmod(abs(minutes), 60)
        sign = -1 if minutes < 0 else 1
        return sign * (hours if part == "TIMEZONE_HOUR" else rest)
    return int(getattr(value, part.lower()))


def date_add(part: str, quantity: int, value: datetime) -> datetime:
    if part in ("YEAR", "MONTH"):
        months = value.year * 12 + value.month - 1 + quantity * (12 if part == "YEAR" else 1)
        year, month = divmod(months, 12)
        if not 1 <= year <= 9999:
            raise _overflow()
        day = min(value.day, calendar.monthrange(year, month + 1)[1])
        return value.replace(year=year, month=month + 1, day=day)
    unit = {"DAY": "days", "HOUR": "hours", "MINUTE": "minutes", "SECOND": "seconds"}[part]
    try:
        return value + timedelta(**{unit: quantity})
    except OverflowError:  # past the year 9999 or before the year 1, as YEAR and MONTH are refused
        raise _overflow() from None


def _overflow() -> Exception:
    return select_error("IntegerOverflow", "An integer overflow or underflow occurred in the SQL expression.")


def date_diff(part: str, first: datetime, second: datetime) -> int:
    if part in ("YEAR", "MONTH"):
        months = (second.year - first.year) * 12 + second.month - first.month
        rest_first = (first.day, first.time())
        rest_second = (second.day, second.time())
        if months > 0 and rest_second < rest_first:
            months -= 1
        elif months < 0 and rest_second > rest_first:
            months += 1
        return int(months / 12) if part == "YEAR" else months
    seconds = (second - first).total_seconds()
    unit = {"DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}[part]
    return int(seconds / unit)
