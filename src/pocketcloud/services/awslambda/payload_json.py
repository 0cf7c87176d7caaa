"""Why an Invoke payload is not JSON, in the words of the parser behind Lambda's API (Jackson).

AWS answers InvalidRequestContentException with Jackson's own message after a fixed prefix:

    Could not parse request body into json: Could not parse payload into json: Unrecognized token
    'Hello': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')
     at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 7]

(Jackson quoted the payload as the source until 2.16; AWS's answers have redacted it since.)

Python's decoder finds the same first error; this module renames it and reports the place
as Jackson does (the column just past what Jackson had consumed when it gave up, 1-based).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

PREFIX = "Could not parse request body into json: Could not parse payload into json: "
_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_SOURCE = "REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled)"


def payload_error(payload: bytes) -> str | None:
    """None when `payload` is JSON, else AWS's whole message."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = payload[exc.start]
        if _starts_value(payload[: exc.start]) and not _latin1_letter(byte):
            # Where a value should start Jackson reads the byte as a character, not as UTF-8, and
            # reports the column it stands in.
            return (
                PREFIX
                + _unexpected(chr(byte), f"expected a valid value {_VALUES}")
                + _where(payload, exc.start)
            )
        kind = "start" if exc.reason == "invalid start byte" else "middle"
        return PREFIX + f"Invalid UTF-8 {kind} byte 0x{byte:02x}" + _where(payload, exc.start + 1)
    long_number = _long_number(text) if _LONG_RUN.search(text) else None
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        if long_number is None or exc.pos < long_number[0]:
            return PREFIX + _jackson(text, exc, payload)
    except RecursionError:  # nested deeper than Python's decoder goes
        return _too_deep(text, payload)
    except ValueError:  # an integer of more digits than Python converts: long_number has it
        pass
    if long_number is not None:
        start, end, length = long_number
        return (
            PREFIX
            + f"Number value length ({length}) exceeds the maximum allowed ({MAX_NUMBER_LENGTH}, from "
            "`StreamReadConstraints.getMaxNumberLength()`)"
            + _where(payload, end, text)
        )
    return None


MAX_NUMBER_LENGTH = 1000  # Jackson's StreamReadConstraints default
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LONG_RUN = re.compile(rf"[-+.eE0-9]{{{MAX_NUMBER_LENGTH + 1},}}")


def _long_number(text: str) -> tuple[int, int, int] | None:
    """(start, end, length) of the first number outside strings longer than Jackson reads, if any: an
    integer's length counts its digits, a fraction's or exponent's its whole text, as Jackson's
    StreamReadConstraints do."""
    start = -1
    for pos, char in _outside_strings(text + " "):
        if start >= 0 and char in "-+.eE0123456789":
            continue
        if start < 0 and char in "-0123456789":
            start = pos
            continue
        if start >= 0:
            token = text[start:pos]
            whole = any(c in token for c in ".eE")
            length = len(token) if whole else len(token.lstrip("-"))
            if length > MAX_NUMBER_LENGTH and _NUMBER.fullmatch(token):  # else a syntax error to report
                return start, pos, length
            start = -1
    return None


def _outside_strings(text: str) -> Iterator[tuple[int, str]]:
    """(position, character) of each character of `text` outside JSON strings (an opening quote is
    given, what follows it up to its closing quote is not)."""
    in_string = escaped = False
    for pos, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        in_string = char == '"'
        yield pos, char


MAX_NESTING = 1000  # Jackson's StreamReadConstraints default


def _too_deep(text: str, payload: bytes) -> str | None:
    """Jackson's refusal of a document nested past MAX_NESTING, at the bracket that goes one
    deeper; None (taken as JSON) for one within it that only Python's decoder could not nest."""
    depth = 0
    for pos, char in _outside_strings(text):
        if char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return (
                    PREFIX
                    + (
                        f"Document nesting depth ({depth}) exceeds the maximum allowed ({MAX_NESTING}, from "
                        "`StreamReadConstraints.getMaxNestingDepth()`)"
                    )
                    + _where(payload, pos + 1, text)
                )
        elif char in "]}":
            depth -= 1
    return None


def _jackson(text: str, exc: json.JSONDecodeError, payload: bytes) -> str:
    pos, char = exc.pos, text[exc.pos : exc.pos + 1]
    if exc.msg == "Expecting value":
        if not char:
            if not text.strip():
                return "No content to map due to end-of-input" + _where(payload, len(text), text)
            return f"Unexpected end-of-input within/between {_container(text, pos)} entries" + _where(
                payload, pos, text
            )
        if char.isalpha() or char in "_$":
            end = pos
            while end < len(text) and (text[end].isalnum() or text[end] in "_$"):
                end += 1
            token = text[pos:end]
            # Jackson reads one character past the token before it reports it.
            consumed = end + 1 if end < len(text) else end
            return f"Unrecognized token '{token}': was expecting {_VALUES}" + _where(payload, consumed, text)
        return _unexpected(char, f"expected a valid value {_VALUES}") + _where(payload, pos + 1, text)
    if exc.msg.startswith("Unterminated string"):  # Python points at the string's start, Jackson at the end
        return "Unexpected end-of-input in VALUE_STRING" + _where(payload, len(text), text)
    if not char:
        return f"Unexpected end-of-input: expected close marker for {_container(text, pos)}" + _where(
            payload, pos, text
        )
    if exc.msg.startswith("Expecting property name"):
        reason = "was expecting double-quote to start field name"
    elif exc.msg == "Expecting ':' delimiter":
        reason = "was expecting a colon to separate field name and value"
    elif exc.msg == "Expecting ',' delimiter":
        reason = f"was expecting comma to separate {_container(text, pos)} entries"
    elif exc.msg.startswith("Invalid control character"):
        return (
            f"Illegal unquoted character ((CTRL-CHAR, code {ord(char)})): has to be escaped using backslash to be "
            "included in string value" + _where(payload, pos + 1, text)
        )
    elif exc.msg == "Extra data":
        reason = "expected end of input"
    else:
        return exc.msg + _where(payload, pos + 1, text)
    return _unexpected(char, reason) + _where(payload, pos + 1, text)


def _unexpected(char: str, reason: str) -> str:
    code = ord(char)
    # Java's Character.isISOControl: C0 and C1 controls and DEL.
    described = (
        f"(CTRL-CHAR, code {code})" if code < 0x20 or 0x7F <= code <= 0x9F else f"'{char}' (code {code})"
    )
    return f"Unexpected character ({described}): {reason}"


def _starts_value(before: bytes) -> bool:
    """Whether a value starts right after `before` (valid UTF-8): at the start, or after [ , or : outside strings."""
    in_string = escaped = False
    last = ""
    for char in before.decode("utf-8"):
        if in_string:
            escaped = not escaped and char == "\\"
            in_string = escaped or char != '"'
        elif char == '"':
            in_string = True
        if not char.isspace():
            last = char
    return not in_string and last in ("", "[", ",", ":")


def _latin1_letter(byte: int) -> bool:
    """A byte Java would take for the start of an identifier (a Latin-1 letter): Jackson reads on as a token."""
    return chr(byte).isalpha()


def _container(text: str, pos: int) -> str:
    """Object or Array: the innermost structure open at `pos` (strings skipped)."""
    stack: list[str] = []
    in_string = escaped = False
    for char in text[:pos]:
        if in_string:
            escaped = not escaped and char == "\\"
            in_string = escaped or char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{":
            stack.append(char)
        elif char in "]}" and stack:
            stack.pop()
    return "Array" if stack and stack[-1] == "[" else "Object"


def _where(payload: bytes, consumed: int, text: str | None = None) -> str:
    """Jackson's location: the (redacted) source and the line and column after `consumed`."""
    before = (text if text is not None else payload.decode("utf-8", "replace"))[:consumed]
    line = before.count("\n") + 1
    column = consumed - (before.rfind("\n") + 1) + 1
    return f"\n at [Source: {_SOURCE}; line: {line}, column: {column}]"
