"""S3 Select's input and output: the request's serialization options, decompression (GZIP,
BZIP2), CSV and JSON readers that turn a stream of byte chunks into rows one record at a
time, and the CSV and JSON writers of output records.

Everything works on an iterator of chunks, so an object is never held whole: a record is at
most MAX_RECORD bytes (AWS's maxCharsPerRecord), and only the record being read is buffered.
"""

from __future__ import annotations

import bz2
import codecs
import itertools
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from pocketcloud.services.s3.select.errors import select_error
from pocketcloud.services.s3.select.evaluate import Record
from pocketcloud.services.s3.select.values import MISSING, json_bytes, text

MAX_RECORD = 1024 * 1024
_INFLATE_STEP = 1024 * 1024  # decompressed bytes per step: a small bomb never expands at once


@dataclass
class Meter:
    """The Stats of a query: stored bytes read, bytes after decompression, bytes of Records sent."""

    scanned: int = 0
    processed: int = 0
    returned: int = 0


@dataclass
class InputSpec:
    kind: str  # CSV, JSON, Parquet
    compression: str = "NONE"
    header: str = "NONE"  # CSV FileHeaderInfo
    comments: str = "#"
    record_delimiter: str = "\n"
    field_delimiter: str = ","
    quote: str = '"'
    quote_escape: str = '"'
    quoted_delimiters: bool = False
    json_type: str = "DOCUMENT"


@dataclass
class OutputSpec:
    kind: str  # CSV, JSON
    record_delimiter: str = "\n"
    field_delimiter: str = ","
    quote: str = '"'
    quote_escape: str = '"'
    always_quote: bool = False


def _one_format(section: dict[str, Any] | None, kinds: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    present = [kind for kind in kinds if section and kind in section]
    if not present:
        raise select_error("MissingRequiredParameter")
    if len(present) > 1:
        raise select_error("ObjectSerializationConflict")
    return present[0], (section or {}).get(present[0]) or {}


def _option(options: dict[str, Any], name: str, default: str) -> str:
    value = options.get(name)
    return default if value is None else str(value)


def input_spec(params: dict[str, Any] | None) -> InputSpec:
    kind, options = _one_format(params, ("CSV", "JSON", "Parquet"))
    spec = InputSpec(kind, str((params or {}).get("CompressionType") or "NONE").upper())
    if spec.compression not in ("NONE", "GZIP", "BZIP2"):
        raise select_error("InvalidCompressionFormat")
    if kind == "CSV":
        spec.header = _option(options, "FileHeaderInfo", "NONE").upper()
        if spec.header not in ("NONE", "USE", "IGNORE"):
            raise select_error("InvalidFileHeaderInfo")
        spec.comments = _option(options, "Comments", "#")
        spec.record_delimiter = _option(options, "RecordDelimiter", "\n")
        spec.field_delimiter = _option(options, "FieldDelimiter", ",")
        spec.quote = _option(options, "QuoteCharacter", '"')
        spec.quote_escape = _option(options, "QuoteEscapeCharacter", '"')
        spec.quoted_delimiters = str(options.get("AllowQuotedRecordDelimiter")).lower() == "true"
        if not spec.record_delimiter or not spec.field_delimiter:
            raise select_error("InvalidRequestParameter")
    elif kind == "JSON":
        spec.json_type = _option(options, "Type", "DOCUMENT").upper()
        if spec.json_type not in ("DOCUMENT", "LINES"):
            raise select_error("InvalidJsonType")
    return spec


def output_spec(params: dict[str, Any] | None) -> OutputSpec:
    kind, options = _one_format(params, ("CSV", "JSON"))
    spec = OutputSpec(kind, record_delimiter=_option(options, "RecordDelimiter", "\n"))
    if kind == "CSV":
        quoting = _option(options, "QuoteFields", "ASNEEDED").upper()
        if quoting not in ("ALWAYS", "ASNEEDED"):
            raise select_error("InvalidQuoteFields")
        spec.always_quote = quoting == "ALWAYS"
        spec.field_delimiter = _option(options, "FieldDelimiter", ",")
        spec.quote = _option(options, "QuoteCharacter", '"')
        spec.quote_escape = _option(options, "QuoteEscapeCharacter", spec.quote)
    return spec


# -- decompression ---------------------------------------------------------------------


def decompressed(chunks: Iterable[bytes], compression: str, meter: Meter) -> Iterator[bytes]:
    """The plaintext of a stored body, counted into the meter (scanned: stored bytes)."""
    if compression == "NONE":
        for chunk in chunks:
            meter.scanned += len(chunk)
            meter.processed += len(chunk)
            yield chunk
        return
    gzip = compression == "GZIP"
    new = (lambda: zlib.decompressobj(31)) if gzip else bz2.BZ2Decompressor
    decompressor: Any = new()
    started = False  # whether the current stream (gzip member, bzip2 stream) has begun
    try:
        for chunk in chunks:
            meter.scanned += len(chunk)
            data: bytes | None = chunk
            while data is not None:
                if decompressor.eof:
                    if not data:
                        break
                    decompressor, started = new(), False  # a concatenated member or stream follows
                out = decompressor.decompress(data, _INFLATE_STEP)
                started = started or bool(data)
                if out:
                    meter.processed += len(out)
                    yield out
                if decompressor.eof:
                    data = decompressor.unused_data
                elif gzip:  # more input to feed, or more output to take (a full step came out)
                    data = decompressor.unconsumed_tail or (b"" if len(out) == _INFLATE_STEP else None)
                else:
                    data = None if decompressor.needs_input else b""
    except (zlib.error, OSError, EOFError, ValueError):
        raise select_error("TruncatedInput") from None
    if started and not decompressor.eof:
        raise select_error("TruncatedInput")


# -- records ------------------------------------------------------------------------------


def split_records(
    chunks: Iterable[bytes], delimiter: bytes, skip_first: bool = False, last_start: int | None = None,
    offset: int = 0,
) -> Iterator[bytes]:  # fmt: skip
    """The records of a byte stream. A scan range reads from just before its start: `skip_first`
    drops what precedes the first delimiter (a record begun before the range), and records
    that start after `last_start` (absolute offsets, from `offset`) are left out."""
    position, buffer = offset, b""
    for chunk in chunks:
        parts = (buffer + chunk).split(delimiter)
        buffer = parts.pop()
        for part in parts:
            if skip_first:
                skip_first = False
            elif last_start is not None and position > last_start:
                return
            else:
                yield part
            position += len(part) + len(delimiter)
        if skip_first:
            # The record begun before the range is dropped as it is read (it may be of any length):
            # keep only what could be the start of a delimiter split across chunks.
            keep = min(len(delimiter) - 1, len(buffer))
            position += len(buffer) - keep
            buffer = buffer[len(buffer) - keep :]
            if last_start is not None and position > last_start:
                return  # no record can start in the range any more
        elif len(buffer) > MAX_RECORD:
            raise select_error("OverMaxRecordSize")
    if buffer and not skip_first and (last_start is None or position <= last_start):
        yield buffer


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise select_error("InvalidTextEncoding") from None


def field_parser(delimiter: str, quote: str, escape: str) -> Any:
    """A CSV record's fields; None when the record ends inside a quoted field."""

    def parse(record: str) -> list[str] | None:
        if not quote or quote not in record:
            return record.split(delimiter)
        fields: list[str] = []
        i, n = 0, len(record)
        while True:
            if record.startswith(quote, i):
                i += len(quote)
                piece: list[str] = []
                while True:
                    if i >= n:
                        return None
                    if (
                        escape != quote
                        and record.startswith(escape, i)
                        and record.startswith(quote, i + len(escape))
                    ):
                        piece.append(quote)
                        i += len(escape) + len(quote)
                    elif record.startswith(quote, i):
                        if record.startswith(quote, i + len(quote)):  # a doubled quote is one quote
                            piece.append(quote)
                            i += 2 * len(quote)
                        else:
                            i += len(quote)
                            break
                    else:
                        piece.append(record[i])
                        i += 1
                end = record.find(delimiter, i)
                fields.append("".join(piece) + (record[i:] if end < 0 else record[i:end]))
            else:
                end = record.find(delimiter, i)
                fields.append(record[i:] if end < 0 else record[i:end])
            if end < 0:
                return fields
            i = end + len(delimiter)

    return parse


def csv_records(spec: InputSpec, raw_records: Iterable[bytes]) -> Iterator[list[str]]:
    """The fields of each CSV record (comments and empty lines skipped)."""
    parse = field_parser(spec.field_delimiter, spec.quote, spec.quote_escape)
    joiner = spec.record_delimiter
    first = True
    pending: str | None = None
    for raw in raw_records:
        line = _decode(raw)
        if first:
            line, first = line.removeprefix("\ufeff"), False
        if pending is not None:
            line = pending + joiner + line
            pending = None
        elif not line or spec.comments and line.startswith(spec.comments):
            continue
        fields = parse(line)
        if fields is None:
            if not spec.quoted_delimiters:
                raise select_error("CSVEscapingRecordDelimiter")
            if len(line) > MAX_RECORD:
                raise select_error("OverMaxRecordSize")
            pending = line
            continue
        yield fields
    if pending is not None:
        raise select_error("CSVParsingError")


def json_lines(raw_records: Iterable[bytes]) -> Iterator[Any]:
    """The values of JSON LINES input, one a line; from a line that holds no whole value on, the rest
    is read as a stream of values, as S3 reads it: objects pretty-printed over several lines, "} {"
    between two, select as they would one a line (the AWS SDK for .NET's SelectObjectContentTests)."""
    records = iter(raw_records)
    for raw in records:
        if not raw.strip():
            continue
        try:
            yield orjson.loads(raw)
        except orjson.JSONDecodeError:
            try:  # what orjson refuses and json reads: integers beyond 64 bits, NaN
                yield json.loads(_decode(raw))
            except (ValueError, RecursionError):  # RecursionError: nested deeper than json reads
                yield from json_documents(itertools.chain([raw], (b"\n" + rest for rest in records)))
                return


_BETWEEN_VALUES = re.compile(r"[\s,]*")


def json_documents(chunks: Iterable[bytes]) -> Iterator[Any]:
    """The top-level values of a JSON document stream (whitespace- or comma-separated), one at a
    time: the buffer grows only until the value at its head parses."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    source = iter(chunks)
    raw_decode = json.JSONDecoder().raw_decode
    buffer, pos, done = "", 0, False

    def more(wanted: int) -> bool:
        nonlocal buffer, pos, done
        buffer, pos, added = buffer[pos:], 0, 0
        while added < wanted and not done:
            chunk = next(source, None)
            try:
                piece = decoder.decode(chunk or b"", final=chunk is None)
            except UnicodeDecodeError:
                raise select_error("InvalidTextEncoding") from None
            done = chunk is None
            buffer += piece
            added += len(piece)
        return added > 0

    while True:
        pos = _BETWEEN_VALUES.match(buffer, pos).end()  # type: ignore[union-attr]
        if pos >= len(buffer):
            if done:
                return
            more(1)
            continue
        if pos == 0 and buffer.startswith("\ufeff"):
            pos = 1
            continue
        try:
            value, end = raw_decode(buffer, pos)
        except (ValueError, RecursionError):
            value, end = None, -1
        # A value that parses up to the end of what was read may go on (a number, cut in two).
        if end < 0 or end == len(buffer) and not done and not isinstance(value, dict | list | str):
            if done:
                raise select_error("JSONParsingError")
            if len(buffer) - pos > MAX_RECORD:
                raise select_error("OverMaxRecordSize")
            more(max(len(buffer) - pos, 64 * 1024))  # doubling: each retry parses twice as much
            continue
        yield value
        pos = end


# -- output --------------------------------------------------------------------------------


class CsvWriter:
    def __init__(self, spec: OutputSpec) -> None:
        self.spec = spec
        # A CR is no delimiter: S3 writes a field ending in one (read from a CRLF file) unquoted.
        specials = {spec.field_delimiter, spec.record_delimiter, spec.quote, "\n"} - {""}
        self.needs_quotes = re.compile("|".join(re.escape(s) for s in specials)).search

    def __call__(self, record: Record) -> bytes:
        spec, needs_quotes, out = self.spec, self.needs_quotes, []
        for _, value in record:
            field = text(value)
            if spec.always_quote or needs_quotes(field):
                field = spec.quote + field.replace(spec.quote, spec.quote_escape + spec.quote) + spec.quote
            out.append(field)
        return (spec.field_delimiter.join(out) + spec.record_delimiter).encode("utf-8", "surrogatepass")


class JsonWriter:
    def __init__(self, spec: OutputSpec) -> None:
        self.delimiter = spec.record_delimiter.encode()

    def __call__(self, record: Record) -> bytes:
        return json_bytes({name: value for name, value in record if value is not MISSING}) + self.delimiter


def writer_for(spec: OutputSpec) -> Any:
    return CsvWriter(spec) if spec.kind == "CSV" else JsonWriter(spec)
