"""The models' Java regex classes (`\\p{L}`, `\\p{N}`, `\\p{Z}`) read as Java reads them."""

from __future__ import annotations

import re
import sys

from pocketcloud.protocol.validation import _SEPARATORS, _category_ranges, _pattern

TAG_PATTERN = r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$"


def test_tag_pattern_accepts_exactly_letters_numbers_separators_and_its_punctuation() -> None:
    fast = _pattern(TAG_PATTERN)
    assert fast is not None
    ranges = _category_ranges()
    exact = re.compile(f"^([{ranges['L']}{_SEPARATORS}{ranges['N']}_.:/=+\\-@]*)$")
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        assert (fast.fullmatch(char) is None) == (exact.fullmatch(char) is None), hex(code)
