"""Message bodies and attributes: their validation, their size, and the MD5 digests SQS returns.

The digests are the ones SDKs verify (the Java and Go SDKs raise when they
differ): MD5OfMessageBody is the MD5 of the body's UTF-8 bytes;
MD5OfMessageAttributes (and MD5OfMessageSystemAttributes, over the system
attributes) is the MD5 of, for each attribute in name order,

    len(name) name len(type) type transport value

with lengths as 4-byte big-endian integers, and transport 1 followed by
len(value) value for a StringValue (String and Number types), 2 for a
BinaryValue ("Calculating the MD5 message digest for message attributes",
SQS Developer Guide).

Attributes are stored as SQS returns them, with binary values in base64 (a
document holds text only).
"""

from __future__ import annotations

import base64
import hashlib
import re
from decimal import Decimal
from typing import Any

from pocketcloud.services.sqs.errors import invalid_message_contents, invalid_parameter_value

Attributes = dict[str, dict[str, str]]

MAX_ATTRIBUTES = 10
# Characters outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
_INVALID_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Letters and digits of any script count as alphanumeric (SQS takes "attr.1øßä"), punctuation does not.
_ATTRIBUTE_NAME = re.compile(r"[\w.-]{1,256}")
_DATA_TYPE = re.compile(r"(String|Number|Binary)(\..+)?")
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_SYSTEM_ATTRIBUTES = ("AWSTraceHeader",)
# What a Number attribute can hold ("Amazon SQS message attributes", Message attribute data types):
# "up to 38 digits of precision, and it can be between 10^-128 and 10^+126".
_NUMBER_DIGITS = 38
_SMALLEST_NUMBER, _LARGEST_NUMBER = Decimal("1e-128"), Decimal("1e126")

try:  # CPython's own MD5: for a message body, cheaper to set up than OpenSSL's
    from _md5 import md5 as _md5
except ImportError:  # pragma: no cover - a build without it

    def _md5(data: bytes) -> Any:
        return hashlib.md5(data, usedforsecurity=False)


def md5_hex(data: bytes) -> str:
    return _md5(data).hexdigest()


def check_text(text: str) -> bool:
    """Whether `text` holds only the characters SQS accepts."""
    # Printable text (no controls, surrogates or noncharacters) is all allowed: str.isprintable is
    # one C pass, the expression's search is the slower path for the rest (tabs, line breaks, ...).
    return text.isprintable() or _INVALID_CHARACTER.search(text) is None


def check_body(body: str) -> None:
    if not check_text(body):
        raise invalid_message_contents()


def _length_prefixed(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def md5_of_attributes(attributes: Attributes) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes):
        value = attributes[name]
        digest.update(_length_prefixed(name.encode("utf-8")))
        digest.update(_length_prefixed(value["DataType"].encode("utf-8")))
        if "StringValue" in value:
            digest.update(b"\x01" + _length_prefixed(value["StringValue"].encode("utf-8")))
        else:
            digest.update(b"\x02" + _length_prefixed(base64.b64decode(value["BinaryValue"])))
    return digest.hexdigest()


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return str(value).encode("utf-8")


def message_attributes(given: dict[str, Any] | None, kind: str = "user") -> tuple[Attributes, int]:
    """The attributes of a send, validated and in stored form, and their size in bytes."""
    if not given:
        return {}, 0
    if len(given) > MAX_ATTRIBUTES:
        raise invalid_parameter_value(
            f"Number of message attributes [{len(given)}] exceeds the allowed maximum [{MAX_ATTRIBUTES}]."
        )
    stored: Attributes = {}
    size = 0
    for name, value in given.items():
        _check_name(name, kind)
        value = value or {}
        data_type = value.get("DataType")
        if not data_type:
            raise invalid_parameter_value(
                f"The message attribute '{name}' must contain non-empty message attribute type."
            )
        if not _DATA_TYPE.fullmatch(data_type) or len(data_type) > 256 or not check_text(data_type):
            raise invalid_parameter_value(
                f"The type of message ({kind}) attribute '{name}' is invalid. You must use only the "
                "following supported type prefixes: Binary, Number, String."
            )
        if data_type.startswith("Binary"):
            raw = value.get("BinaryValue")
            if raw is None or len(raw) == 0:
                raise invalid_parameter_value(
                    f"Message ({kind}) attribute '{name}' must contain a non-empty value of type 'Binary'."
                )
            data = _as_bytes(raw)
            stored[name] = {"DataType": data_type, "BinaryValue": base64.b64encode(data).decode("ascii")}
            size += len(data)
        else:
            text = value.get("StringValue")
            base = "Number" if data_type.startswith("Number") else "String"
            if text is None or text == "":
                raise invalid_parameter_value(
                    f"Message ({kind}) attribute '{name}' must contain a non-empty value of type '{base}'."
                )
            if not check_text(text):
                raise invalid_parameter_value(
                    f"Message ({kind}) attribute '{name}' value contains invalid characters."
                )
            if base == "Number" and not _is_number(text):
                raise invalid_parameter_value(
                    f"Can't cast the value of message ({kind}) attribute '{name}' to a number."
                )
            stored[name] = {"DataType": data_type, "StringValue": text}
            size += len(text.encode("utf-8"))
        size += len(name.encode("utf-8")) + len(data_type.encode("utf-8"))
    return stored, size


def _is_number(text: str) -> bool:
    """Whether `text` is a number a Number attribute can hold (its digits and its magnitude)."""
    if not _NUMBER.fullmatch(text):
        return False
    try:
        value = Decimal(text)  # exact: no context rounding in construction, copy_abs or comparisons
    except ArithmeticError:  # an exponent past what Decimal holds: far out of range either way
        return False
    if not value:
        return True
    digits = "".join(map(str, value.as_tuple().digits)).strip("0")
    return len(digits) <= _NUMBER_DIGITS and _SMALLEST_NUMBER <= value.copy_abs() <= _LARGEST_NUMBER


def system_attributes(given: dict[str, Any] | None) -> Attributes:
    """MessageSystemAttributes of a send: only AWSTraceHeader, a String."""
    if not given:
        return {}
    for name, value in given.items():
        if name not in _SYSTEM_ATTRIBUTES:
            raise invalid_parameter_value(f"Message system attribute name '{name}' is invalid.")
        if (value or {}).get("DataType") != "String":
            raise invalid_parameter_value(f"Message system attribute '{name}' must be of type 'String'.")
    stored, _ = message_attributes(given, "system")
    return stored


def _check_name(name: str, kind: str) -> None:
    lowered = name.lower()
    if (
        not _ATTRIBUTE_NAME.fullmatch(name)
        or name.startswith(".")
        or name.endswith(".")
        or ".." in name
        or (kind == "user" and (lowered.startswith("aws.") or lowered.startswith("amazon.")))
    ):
        raise invalid_parameter_value(
            f"Message ({kind}) attribute name '{name}' is invalid. Names can contain alphanumeric "
            "characters, hyphens, underscores and periods, must not start or end with a period or "
            "contain two periods in a row, and must not start with 'AWS.' or 'Amazon.'."
        )


def wire_attributes(stored: Attributes) -> dict[str, dict[str, Any]]:
    """Stored attributes as the serializers take them (binary values as bytes)."""
    out: dict[str, dict[str, Any]] = {}
    for name, value in stored.items():
        if "BinaryValue" in value:
            out[name] = {"DataType": value["DataType"], "BinaryValue": base64.b64decode(value["BinaryValue"])}
        else:
            out[name] = value
    return out


def asks_for_all(names: list[str]) -> bool:
    """Whether a receive's attribute names ask for every one: "All" in any case ("ALL" is how kombu,
    Celery's SQS transport, asks; its retry back-off reads ApproximateReceiveCount from the answer)."""
    return any(name.lower() == "all" for name in names)


def select(stored: Attributes, wanted: list[str] | None) -> Attributes:
    """The attributes a receive asked for: names, `All` (or `*`, `.*`), or `prefix.*`."""
    if not stored or not wanted:
        return {}
    if ".*" in wanted or "*" in wanted or asks_for_all(wanted):
        return stored
    chosen: Attributes = {}
    for name, value in stored.items():
        for pattern in wanted:
            # `Hel.*` selects `Hello` as well as `Help.Me`: SQS matches the text before `.*` as a plain prefix.
            if name == pattern or (pattern.endswith(".*") and name.startswith(pattern[:-2])):
                chosen[name] = value
                break
    return chosen
