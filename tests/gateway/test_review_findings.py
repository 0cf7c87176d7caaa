"""Review findings on the gateway's own Date header (`connection.py`): every 4xx answer carries
one (RFC 9110 §6.6.1), the 400 for bytes that are not HTTP included, now that uvicorn adds none."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from tests.gateway.test_wire import _Reader, conn

__all__ = ["conn"]


def test_the_400_for_a_request_that_is_not_http_carries_a_date(conn) -> None:  # noqa: ANN001
    conn.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
    status, headers, body = _Reader(conn).response()
    assert status == 400 and b"<Code>BadRequest</Code>" in body
    sent = parsedate_to_datetime(headers["date"])
    assert sent.tzinfo is not None and headers["date"].endswith(" GMT")
