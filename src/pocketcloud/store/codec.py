"""How documents become text in the store: compact JSON, plus datetimes.

Besides JSON's own types, the encoder accepts datetime, date and time, written
as ISO-8601 strings (so they read back as str, not as datetimes). bytes are
refused with TypeError rather than base64-encoded: they would read back as str
and hide the mistake; binary data belongs in a blob or in an explicit encoding
chosen by the provider.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any


def _default(o: object) -> Any:
    if isinstance(o, _dt.date | _dt.time):  # datetime is a date
        return o.isoformat()
    if isinstance(o, bytes | bytearray | memoryview):
        raise TypeError("bytes cannot be stored in a document; write them to a blob or encode them first")
    raise TypeError(f"{type(o).__name__} is not JSON serializable")


# One encoder built once: encode() then goes straight to the C implementation.
# ensure_ascii stays on: a lone surrogate (e.g. from a JSON body's "\ud800")
# is escaped instead of making the UTF-8 encoding of the whole statement fail.
dumps = json.JSONEncoder(separators=(",", ":"), default=_default).encode
loads = json.loads
