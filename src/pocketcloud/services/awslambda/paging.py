"""Marker paging for Lambda's List* operations.

Lambda's markers are opaque strings. Ours encode the position of the next item
in the (deterministically ordered) full list, so a page boundary survives items
being added after it, as the listed resources are few enough to list whole.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pocketcloud.services.awslambda.errors import invalid_parameter

# AWS answers at most 50 items per page, whatever MaxItems asks for.
PAGE_LIMIT = 50


def _encode(position: int) -> str:
    return base64.urlsafe_b64encode(f"pc1:{position}".encode()).decode()


def _decode(marker: str) -> int:
    try:
        text = base64.urlsafe_b64decode(marker.encode()).decode()
        prefix, _, position = text.partition(":")
        if prefix != "pc1" or not position.isdigit():
            raise ValueError(marker)
        return int(position)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid_parameter("The marker provided is invalid.") from exc


def page(
    items: list[Any], marker: str | None, max_items: int | None, limit: int = PAGE_LIMIT
) -> tuple[list[Any], str | None]:
    """(this page's items, the NextMarker or None)."""
    start = _decode(marker) if marker else 0
    size = min(max_items or limit, limit)
    end = start + size
    return items[start:end], (_encode(end) if end < len(items) else None)


def paged(key: str, items: list[Any], p: dict[str, Any]) -> dict[str, Any]:
    """A List* answer: the page of `items` the request's Marker and MaxItems select, under `key`,
    with NextMarker when more follow."""
    selected, marker = page(items, p.get("Marker"), p.get("MaxItems"))
    result: dict[str, Any] = {key: selected}
    if marker:
        result["NextMarker"] = marker
    return result
