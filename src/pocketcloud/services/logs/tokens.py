"""Opaque tokens of the logs provider: nextToken values and Insights log record pointers.

A token is url-safe base64 (unpadded) of "<kind>:<value>"; the kind letter says
which operation made it ("g" DescribeLogGroups, "l" ListLogGroups, "n"/"t"
DescribeLogStreams, "e" FilterLogEvents, "p" a log record pointer), so a token
from one operation is refused by another with AWS's InvalidParameterException.
"""

from __future__ import annotations

import base64

from pocketcloud.services.logs.errors import invalid


def opaque(kind: str, value: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def unopaque(kind: str, token: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid("The specified nextToken is invalid.") from exc
    prefix, sep, value = raw.partition(":")
    if prefix != kind or not sep:
        raise invalid("The specified nextToken is invalid.")
    return value
