"""The two millisecond ISO-8601 formatters (datetimes, epoch milliseconds) write the same text."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from pocketcloud.protocol.serializers.scalars import iso8601_epoch_ms, iso8601_millis


def test_epoch_milliseconds_are_written_to_the_millisecond_in_utc() -> None:
    assert iso8601_epoch_ms(0) == "1970-01-01T00:00:00.000Z"
    assert iso8601_epoch_ms(1795776039792) == "2026-11-27T10:40:39.792Z"


@given(st.integers(min_value=0, max_value=253402300799999))
def test_epoch_milliseconds_read_as_the_datetime_formatter_writes_them(epoch_ms: int) -> None:
    seconds, millis = divmod(epoch_ms, 1000)
    moment = datetime.fromtimestamp(seconds, UTC).replace(microsecond=millis * 1000)
    assert iso8601_epoch_ms(epoch_ms) == iso8601_millis(moment)
