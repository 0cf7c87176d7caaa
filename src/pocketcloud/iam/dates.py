"""Date values of the policy language as IAM's legacy parser reads them.

IAM accepts a `Date*` condition value that is epoch seconds ("1481594400"; any value with
neither "t" nor "-"), or an ISO 8601 date and time read field by field, each field in range and
any of the later ones left out: "2016-12" (the first of the month), "01T" (year 1),
"2016-12-13t2:00:00.593194+23" (lower case, a one-digit hour, a zone of hours alone). A value it
refuses fails the whole document ("The policy failed legacy parsing"). `legacy_date` is that reading: the moment a value names, in seconds since
the epoch, or None for a value IAM refuses. The write-time check (services/iam/document_checks.py)
and the evaluator (iam/conditions.py) both use it, so that whatever a policy is allowed to hold,
its conditions can compare.
"""

from __future__ import annotations

import re

_EPOCH_MAX = 2**63 - 1
_YEAR_MAX, _NEGATIVE_YEAR_MAX = 292278993, 292275054
_DIGITS = re.compile(r"[0-9]+")


def legacy_date(text: str) -> float | None:
    """Seconds since the epoch that `text` names, read as IAM's legacy parser reads a date; None
    if it refuses the value (see the module docstring)."""
    text = text.lower()
    if "t" not in text and "-" not in text:
        return float(text) if _int_in(text, 0, _EPOCH_MAX) else None
    date, _, time = text.partition("t")
    negative = date.startswith("-")
    fields = (date[1:] if negative else date).split("-")
    if len(fields) > 3 or not _int_in(fields[0], 0, _NEGATIVE_YEAR_MAX if negative else _YEAR_MAX):
        return None
    year = -int(fields[0]) if negative else int(fields[0])
    month = int(fields[1]) if len(fields) > 1 and _int_in(fields[1], 1, 12) else None
    day = int(fields[2]) if len(fields) > 2 and _int_in(fields[2], 1, 31) else None
    if (len(fields) > 1 and month is None) or (len(fields) > 2 and day is None):
        return None
    seconds = _days_from_civil(year, month or 1, day or 1) * 86400.0
    if not time:
        return seconds
    clock = _clock(time)
    return None if clock is None else seconds + clock


def _clock(time: str) -> float | None:
    """Seconds into the day of "h[:m[:s[.f][z|±hh[:mm]]]]", the zone's offset taken off."""
    parts = time.split(":")
    if parts[0] and not _int_in(parts[0], 0, 23):
        return None
    if len(parts) > 1 and not _int_in(parts[1], 0, 59):
        return None
    hours = int(parts[0]) if parts[0] else 0
    minutes = int(parts[1]) if len(parts) > 1 else 0
    seconds, offset = 0.0, 0
    if len(parts) > 2:
        third = parts[2]
        if "z" in third:
            text, _, tail = third.partition("z")
            if tail or len(parts) > 3:
                return None
        elif "+" in third or "-" in third:
            text, sign, zone_hours = re.split(r"([+-])", third, maxsplit=1)
            zone = _zone(zone_hours, parts[3:])
            if zone is None:
                return None
            offset = zone if sign == "+" else -zone
        else:
            text = third
        whole, dot, fraction = text.partition(".")
        if not _int_in(whole, 0, 59) or (dot and not _int_in(fraction, 0, 999999999)):
            return None
        seconds = int(whole) + (int(fraction) / 10 ** len(fraction) if dot else 0.0)
    return hours * 3600 + minutes * 60 + seconds - offset


def _zone(hours: str, rest: list[str]) -> int | None:
    """A zone's offset in seconds, from "hh" and an optional ":mm"."""
    if len(hours) != 2 or not _int_in(hours, 0, 23):
        return None
    if rest and not (len(rest[0]) == 2 and _int_in(rest[0], 0, 59)):
        return None
    return int(hours) * 3600 + (int(rest[0]) * 60 if rest else 0)


def _int_in(text: str, low: int, high: int) -> bool:
    return bool(_DIGITS.fullmatch(text)) and low <= int(text) <= high


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a date of the proleptic Gregorian calendar, any year (a day past a
    short month's end runs into the next, as the legacy parser's fields are checked one by one)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468
