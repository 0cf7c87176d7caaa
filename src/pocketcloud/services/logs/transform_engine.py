"""Running a log transformer's processors over one event (TestTransformer, and ingestion:
`ingest`).

An event starts as its raw message (`@message`); a parser (parseJSON,
parseKeyValue, csv) turns it into a JSON object, and the other processors edit
that object's keys, addressed as dotted paths ("user.id"). The result is the
object as compact JSON; an event a parser cannot parse comes back unchanged.
The parsers of AWS-vended logs (parseCloudfront, parseVPC, ...), grok,
dateTimeConverter, listToMap and parseToOCSF are not run here (`Unsupported`).

At ingestion copyValue may also copy the event's metadata keys (@logGroupName,
@logGroupStream, @accountId, @regionName) into it, as AWS documents; an event a
parser cannot parse, or one past the 512 KB that transformation handles, has no
transformed version and a transformation error instead.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import regex

Params = dict[str, Any]
MESSAGE = "@message"
# substituteString runs the user's regular expression over every event ingested; one that backtracks
# without end ("(a+)+$") must not hold the server, so each substitution may take this long, and an
# event whose substitution runs out of it is one the transformer could not process.
SUBSTITUTE_SECONDS = 0.05


class Unsupported(Exception):
    """A processor this engine does not run."""


class NotParsed(Exception):
    """The event is not what the parser expects: it is left as it was."""


class InvalidConfig(Exception):
    """A processor's configuration no event could run through (a malformed expression, ...)."""


def check(processor: str, c: Params) -> None:
    """InvalidConfig when `c` could never run: checked when a transformer is put or tested, so that
    running it over an event cannot fail."""
    if processor == "csv":
        _delimiter(c)
    elif processor == "substituteString":
        for entry in c.get("entries") or []:
            try:
                regex.compile(entry["from"])  # what runs at ingestion
                re.compile(entry["from"]).sub(entry["to"], "")  # re checks the replacement's group references at once
            except (regex.error, re.error) as exc:
                raise InvalidConfig(f"Invalid regular expression in substituteString: {exc}") from None


def _delimiter(c: Params) -> str:
    delimiter: str = c.get("delimiter") or ","
    if delimiter == "\\t":  # the model allows two characters for a tab written as an escape
        return "\t"
    if len(delimiter) != 1:
        raise InvalidConfig("The delimiter of the csv processor must be a single character or \\t.")
    return delimiter


def _get(record: Params, path: str) -> Any:
    node: Any = record
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _has(record: Params, path: str) -> bool:
    *parents, last = path.split(".")
    node: Any = record
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    return isinstance(node, dict) and last in node


def _set(record: Params, path: str, value: Any, overwrite: bool = True) -> None:
    *parents, last = path.split(".")
    node = record
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    if overwrite or last not in node:
        node[last] = value


def _delete(record: Params, path: str) -> Any:
    *parents, last = path.split(".")
    node: Any = record
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
    return node.pop(last, None) if isinstance(node, dict) else None


def _source_text(record: Params, message: str, source: str | None) -> str:
    value = message if (source or MESSAGE) == MESSAGE else _get(record, source or MESSAGE)
    if not isinstance(value, str):
        raise NotParsed
    return value


def _place(record: Params, parsed: Params, destination: str | None) -> None:
    if destination:
        _set(record, destination, parsed)
    else:
        record.update(parsed)


def _parse_json(record: Params, message: str, c: Params) -> None:
    try:
        parsed = json.loads(_source_text(record, message, c.get("source")))
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep for json
        raise NotParsed from exc
    if not isinstance(parsed, dict):
        raise NotParsed
    _place(record, parsed, c.get("destination"))


def _parse_key_value(record: Params, message: str, c: Params) -> None:
    text = _source_text(record, message, c.get("source"))
    parsed: Params = {}
    for field in text.split(c.get("fieldDelimiter") or "&"):
        key, sep, value = field.partition(c.get("keyValueDelimiter") or "=")
        if sep:
            parsed[(c.get("keyPrefix") or "") + key] = value
        elif c.get("nonMatchValue"):
            parsed[(c.get("keyPrefix") or "") + key] = c["nonMatchValue"]
    destination = c.get("destination")
    if destination:
        _set(record, destination, parsed, bool(c.get("overwriteIfExists")) or not _has(record, destination))
    else:
        for key, value in parsed.items():
            _set(record, key, value, bool(c.get("overwriteIfExists")))


def _csv(record: Params, message: str, c: Params) -> None:
    text = _source_text(record, message, c.get("source"))
    try:
        rows = list(
            csv.reader(io.StringIO(text), delimiter=_delimiter(c), quotechar=c.get("quoteCharacter") or '"')
        )
    except csv.Error as exc:  # a field past the csv module's limit (128 KiB)
        raise NotParsed from exc
    if not rows:
        raise NotParsed
    values = rows[0]
    columns = c.get("columns") or [f"column_{n}" for n in range(1, len(values) + 1)]
    _place(record, dict(zip(columns, values, strict=False)), c.get("destination"))


def _entries(c: Params, do: Any) -> None:
    for entry in c["entries"]:
        do(entry)


def _convert(value: Any, kind: str) -> Any:
    try:
        if kind == "integer":
            return int(float(value)) if isinstance(value, str) and "." in value else int(value)
        if kind == "double":
            return float(value)
        if kind == "boolean":
            return str(value).lower() == "true" if isinstance(value, str) else bool(value)
        return value if isinstance(value, str) else json.dumps(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int() of an infinite float
        return value


def _strings(record: Params, keys: list[str], change: Any) -> None:
    for key in keys:
        value = _get(record, key)
        if isinstance(value, str):
            _set(record, key, change(value))


def _move(record: Params, entry: Params, keep_source: bool, metadata: Params | None = None) -> None:
    if keep_source and metadata and entry["source"] in metadata:
        value = metadata[entry["source"]]
    elif not _has(record, entry["source"]):
        return
    else:
        value = _get(record, entry["source"]) if keep_source else _delete(record, entry["source"])
    _set(
        record,
        entry["target"],
        value,
        bool(entry.get("overwriteIfExists")) or not _has(record, entry["target"]),
    )


def apply(processor: str, c: Params, record: Params, message: str, metadata: Params | None = None) -> None:
    """Apply one processor (its name and configuration) to `record`, in place; `metadata`: the
    values of the metadata keys copyValue may copy (none in TestTransformer)."""
    if processor == "parseJSON":
        _parse_json(record, message, c)
    elif processor == "parseKeyValue":
        _parse_key_value(record, message, c)
    elif processor == "csv":
        _csv(record, message, c)
    elif processor == "addKeys":
        _entries(c, lambda e: _set(record, e["key"], e["value"], bool(e.get("overwriteIfExists"))))
    elif processor == "deleteKeys":
        for key in c["withKeys"]:
            _delete(record, key)
    elif processor == "renameKeys":
        _entries(c, lambda e: _move(record, {"source": e["key"], "target": e["renameTo"], **e}, False))
    elif processor == "copyValue":
        _entries(c, lambda e: _move(record, e, True, metadata))
    elif processor == "moveKeys":
        _entries(c, lambda e: _move(record, e, False))
    elif processor == "lowerCaseString":
        _strings(record, c["withKeys"], str.lower)
    elif processor == "upperCaseString":
        _strings(record, c["withKeys"], str.upper)
    elif processor == "trimString":
        _strings(record, c["withKeys"], str.strip)
    elif processor == "substituteString":
        _entries(c, lambda e: _strings(record, [e["source"]], lambda v: _substitute(e["from"], e["to"], v)))
    elif processor == "typeConverter":
        for entry in c["entries"]:
            if _has(record, entry["key"]):
                _set(record, entry["key"], _convert(_get(record, entry["key"]), entry["type"]))
    elif processor == "splitString":
        _entries(c, lambda e: _strings(record, [e["source"]], lambda v: v.split(e["delimiter"])))
    else:
        raise Unsupported(processor)


def _substitute(pattern: str, replacement: str, text: str) -> str:
    try:
        return str(regex.sub(pattern, replacement, text, timeout=SUBSTITUTE_SECONDS))
    except (TimeoutError, regex.error, IndexError):  # IndexError: a group the expression does not have
        raise NotParsed from None


def transform(processors: list[tuple[str, Params]], message: str) -> str:
    """The event as the transformer leaves it: compact JSON, or `message` when it was not parsed."""
    record: Params = {}
    try:
        for name, config in processors:
            apply(name, config, record, message)
        return json.dumps(record, separators=(",", ":"))
    except (NotParsed, RecursionError):  # RecursionError: JSON nested deeper than json can follow
        return message


# "Logs transformation can only handle log event of size less than 512kb."
MAX_TRANSFORM_BYTES = 512 * 1024


def ingest(
    processors: list[tuple[str, Params]], message: str, metadata: Params
) -> tuple[str | None, str | None]:
    """(transformed message, None) for an event ingested into a group with this transformer, or
    (None, error) when it could not be transformed; (None, None) when a processor is one this
    engine does not run (the event is then kept as it came, untransformed)."""
    if len(message.encode("utf-8", "surrogatepass")) >= MAX_TRANSFORM_BYTES:
        return None, "Log event too large to be transformed: the limit is 512 KB."
    record: Params = {}
    name = ""
    try:
        for name, config in processors:
            apply(name, config, record, message, metadata)
        return json.dumps(record, separators=(",", ":")), None
    except (NotParsed, RecursionError):
        return None, f"The {name} processor could not parse the log event."
    except Unsupported:
        return None, None
