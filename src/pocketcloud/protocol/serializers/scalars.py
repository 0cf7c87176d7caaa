"""Fast wire formatting of scalar values for the serializers.

Providers hand us liberal Python values (see the package docstring); this
module turns them into the few wire forms AWS uses: timestamps as ISO-8601,
epoch seconds or an HTTP date; blobs as base64; floats in the spelling Smithy
gives non-finite numbers. Nothing here knows about shapes or protocols.

Reading values (and the rare slow path of turning a string or epoch number
into a datetime) is `pocketcloud.protocol.values`; these formatters exist
beside it because they run for every member of every response, and avoid
strftime and friends (several times slower) for the common aware-UTC case.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pocketcloud.protocol.values import encode_base64, to_datetime

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def iso8601(value: Any, *, always_millis: bool) -> str:
    """`2024-01-01T00:00:00.000Z`; without `always_millis` the fraction appears only when non-zero.

    Sub-millisecond digits are truncated, never rounded, so a value can never
    roll over into the next second (or year).
    """
    dt = value if value.__class__ is datetime and value.tzinfo is UTC else to_datetime(value)
    ms = dt.microsecond // 1000
    if ms or always_millis:
        # %-formatting: measurably faster than an f-string with seven format specs.
        return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (  # noqa: UP031
            dt.year,
            dt.month,
            dt.day,
            dt.hour,
            dt.minute,
            dt.second,
            ms,
        )
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)  # noqa: UP031


def iso8601_epoch_ms(epoch_ms: int) -> str:
    """`2024-01-01T00:00:00.123Z` of a whole number of epoch milliseconds (log event times): gmtime
    on integers, exact and a third of a datetime's cost."""
    seconds, millis = divmod(epoch_ms, 1000)
    t = time.gmtime(seconds)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (  # noqa: UP031
        t.tm_year,
        t.tm_mon,
        t.tm_mday,
        t.tm_hour,
        t.tm_min,
        t.tm_sec,
        millis,
    )


def iso8601_millis(value: Any) -> str:
    return iso8601(value, always_millis=True)


def iso8601_plain(value: Any) -> str:
    return iso8601(value, always_millis=False)


def epoch_seconds(value: Any) -> int | float:
    """Epoch seconds as a JSON number: an int when whole, else millisecond precision."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    millis = (to_datetime(value) - _EPOCH) // _MS
    seconds, rest = divmod(millis, 1000)
    return seconds + rest / 1000 if rest else seconds


def http_date(value: Any) -> str:
    """RFC 7231 IMF-fixdate (`Mon, 01 Jan 2024 00:00:00 GMT`), the default for timestamps in headers."""
    dt = to_datetime(value)
    return (
        f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} GMT"
    )


def format_timestamp(value: Any, fmt: str, *, always_millis: bool = False) -> str | int | float:
    """`value` in the model's timestampFormat (iso8601, unixTimestamp, rfc822), case-insensitively."""
    fmt = fmt.lower()
    if fmt == "unixtimestamp":
        return epoch_seconds(value)
    if fmt == "rfc822":
        return http_date(value)
    return iso8601(value, always_millis=always_millis)


def base64_text(value: Any) -> str:
    """A blob as base64 text; a str blob is its UTF-8 encoding."""
    return encode_base64(value if isinstance(value, (bytes, str)) else bytes(value))


def to_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


def float_text(value: Any) -> str:
    """A float as text: shortest round-tripping digits; Smithy's NaN/Infinity/-Infinity otherwise."""
    number = float(value)
    if math.isfinite(number):
        return repr(number)
    if number != number:
        return "NaN"
    return "Infinity" if number > 0 else "-Infinity"


def json_float(value: Any) -> Any:
    """A float for a JSON body: a number when finite, else the string Smithy specifies (JSON has no NaN)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        value = float(value)
    if math.isfinite(value):
        return value
    return float_text(value)


def int_text(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return str(int(value))


def bool_text(value: Any) -> str:
    if isinstance(value, str):
        return "true" if value.lower() == "true" else "false"
    return "true" if value else "false"
