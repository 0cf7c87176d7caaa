"""How documents become text in the store: compact JSON, plus datetimes.

Besides JSON's own types, the encoder accepts datetime, date and time, written
as ISO-8601 strings (so they read back as str, not as datetimes). bytes are
refused with TypeError rather than base64-encoded: they would read back as str
and hide the mistake; binary data belongs in a blob or in an explicit encoding
chosen by the provider.

orjson does the work: every request reads a document or two and writes some,
and it encodes and decodes several times faster than the standard library. The
standard library's json takes over for what orjson refuses, so any document
json could store is still stored: integers beyond 64 bits, and strings with a
lone surrogate (from a JSON body's "\\ud800"), which json escapes. Reading
falls back the same way for text that orjson will not read (those escapes).
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

import orjson


def _default(o: object) -> Any:
    if isinstance(o, _dt.date | _dt.time):  # datetime is a date
        return o.isoformat()
    if isinstance(o, bytes | bytearray | memoryview):
        raise TypeError("bytes cannot be stored in a document; write them to a blob or encode them first")
    raise TypeError(f"{type(o).__name__} is not JSON serializable")


# Datetimes go to _default (isoformat), as with json; non-string keys become strings, as with json.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_orjson_dumps = orjson.dumps
_orjson_loads = orjson.loads
# ensure_ascii stays on: a lone surrogate is escaped instead of making the UTF-8 encoding fail.
_json_dumps = json.JSONEncoder(separators=(",", ":"), default=_default).encode


def dumps(doc: Any) -> str:
    try:
        return _orjson_dumps(doc, default=_default, option=_OPTIONS).decode()
    except orjson.JSONEncodeError as exc:
        if isinstance(exc.__cause__, TypeError) and "bytes cannot be stored" in str(exc.__cause__):
            raise exc.__cause__ from None
        return _json_dumps(doc)  # raises json's own TypeError for what neither can encode


def loads(text: str | bytes) -> Any:
    try:
        return _orjson_loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
