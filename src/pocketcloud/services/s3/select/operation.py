"""SelectObjectContent (S3 Select): a SQL query over one CSV or JSON object, answered as an
event stream of Records, Progress (when asked for), Stats and End events.

The request is checked, the statement parsed and the object found before anything is sent,
so those errors are ordinary S3 XML errors. The query then runs as a generator of event
frames over the object's decrypted bytes, read chunk by chunk (`bodies`/`encryption`); its
first frame is computed before the answer starts (errors in the first records are XML errors
too), the rest is streamed. The query always runs in a worker thread, a batch of frames at a
time (`_take`: one step for a small object's whole answer), so the event loop is never held by
a scan: even a small object can take long under a costly statement. While a batch is being
made, the loop sends a Cont event every few seconds (a compressed object of empty lines can
take minutes to give its first record); when the client goes away or the server stops (the
connection calls the body's `end_stream`), the scan is told to stop and does so within a MiB
of input. An error found mid-stream is sent
as the event stream's error message, as S3 does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Generator, Iterable, Iterator
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol import eventstream
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3.bodies import INLINE_MAX, read_blob_small
from pocketcloud.services.s3.encryption import cipher_for
from pocketcloud.services.s3.select.errors import select_error
from pocketcloud.services.s3.select.evaluate import Columns, Program, get_index, get_key
from pocketcloud.services.s3.select.formats import (
    MAX_RECORD,
    InputSpec,
    Meter,
    csv_records,
    decompressed,
    input_spec,
    json_documents,
    json_lines,
    output_spec,
    split_records,
    writer_for,
)
from pocketcloud.services.s3.select.sql import Node, Query, parse
from pocketcloud.services.s3.select.values import MISSING
from pocketcloud.services.s3.state import S3State
from pocketcloud.store.blobs import is_inline

log = logging.getLogger(__name__)
Params = dict[str, Any]
FLUSH = 256 * 1024  # output bytes per Records event
_PREFETCH_SECONDS = 2.0  # how long the first frame may be waited for before the answer starts
_CONT_SECONDS = 5.0  # a Cont event keeps a quiet connection alive this often
_DONE = object()
Frames = Generator[bytes | None, None, None]


def _event(event_type: str, payload: bytes = b"", content_type: str | None = None) -> bytes:
    headers = {":event-type": event_type, ":message-type": "event"}
    if content_type:
        headers[":content-type"] = content_type
    return eventstream.encode_message(headers, payload)


def _stats(event_type: str, meter: Meter) -> bytes:
    body = (
        # As S3 writes it: no XML declaration, an empty default namespace (recorded Stats events).
        f'<{event_type} xmlns=""><BytesScanned>{meter.scanned}</BytesScanned>'
        f"<BytesProcessed>{meter.processed}</BytesProcessed><BytesReturned>{meter.returned}</BytesReturned>"
        f"</{event_type}>"
    )
    return _event(event_type, body.encode(), "text/xml")


def _error_frame(error: ServiceError) -> bytes:
    headers = {":error-code": error.code, ":error-message": str(error), ":message-type": "error"}
    return eventstream.encode_message(headers, b"")


def from_path(values: Iterable[Any], steps: list[Node]) -> Iterator[Any]:
    """The rows of FROM S3Object[*]<path>: each top-level value walked down the path; a wildcard
    that matches nothing still gives one row, MISSING (SELECT command, FROM clause)."""
    for value in values:
        yield from _walk(value, steps, 0)


def _walk(value: Any, steps: list[Node], at: int) -> Iterator[Any]:
    if at == len(steps) or value is MISSING:
        yield value
        return
    step = steps[at]
    if step[0] == "wild":
        members = value if type(value) is list else list(value.values()) if type(value) is dict else []
        if not members:
            yield MISSING
        for member in members:
            yield from _walk(member, steps, at + 1)
    elif step[0] == "key":
        yield from _walk(get_key(value, step[1], step[2]), steps, at + 1)
    else:
        yield from _walk(get_index(value, step[1]), steps, at + 1)


class Scan:
    """Where the query reads: the object's plaintext from `start`, records starting up to `last`."""

    def __init__(
        self,
        chunks: Any,
        start: int = 0,
        last: int | None = None,
        reread: Any = None,
        skip_first: bool = False,
    ) -> None:
        self.chunks = chunks  # a list of bytes, or a callable giving an iterator from an offset
        self.start = start
        self.last = last
        self.reread = reread  # the object from its first byte (a CSV header, under a scan range)
        self.skip_first = skip_first  # reading began inside a record that starts before the range
        self.cancelled = False  # set from the loop: the answer has ended, the scan is to stop

    def read(self) -> Iterable[bytes]:
        return self.chunks(self.start) if callable(self.chunks) else self.chunks

    def checked(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """`chunks`, stopping once the scan is cancelled (checked a chunk, at most a MiB, at a time)."""
        for chunk in chunks:
            if self.cancelled:
                raise _Cancelled()
            yield chunk


class _Cancelled(Exception):
    """The answer ended (its client went away): the worker thread's scan stops."""


def run(query: Query, spec: InputSpec, params: Params, scan: Scan, progress: bool) -> Frames:
    """The frames of a query's answer; None for a heartbeat while rows are read and none come out."""
    meter = Meter()
    plain = scan.checked(decompressed(scan.read(), spec.compression, meter))
    skip_first = scan.skip_first
    if spec.kind == "Parquet":
        head = next(iter(plain), b"")
        if not head.startswith(b"PAR1"):
            raise select_error("ParquetParsingError")
        raise ServiceError("NotImplemented", "Parquet input is not implemented by pocketcloud.", status=501)
    rows: Iterable[Any]
    if spec.kind == "CSV":
        if query.source:
            raise select_error("UnsupportedSqlStructure")  # FROM S3Object[*].path is for JSON only
        delimiter = spec.record_delimiter.encode()
        records = csv_records(spec, split_records(plain, delimiter, skip_first, scan.last, scan.start))
        names = None
        if spec.header != "NONE":
            reread = scan.checked(scan.reread())
            source = csv_records(spec, split_records(reread, delimiter)) if skip_first else records
            header = next(source, None)
            names = header if spec.header == "USE" else None
        program = Program(query, Columns(names))
        rows = records
    else:
        if spec.json_type == "LINES":
            values: Iterable[Any] = json_lines(split_records(plain, b"\n", skip_first, scan.last, scan.start))
        else:
            values = json_documents(plain)
        program = Program(query, None)
        rows = from_path(values, query.source) if query.source else values
    write = writer_for(output_spec(params.get("OutputSerialization")))
    buffer = bytearray()
    for record in program.run(rows):
        if record is None:
            yield None
            continue
        out = write(record)
        if len(out) > MAX_RECORD:  # a result record is held to the input's limit too
            raise select_error("OverMaxRecordSize")
        buffer += out
        if len(buffer) >= FLUSH:
            meter.returned += len(buffer)
            yield _event("Records", bytes(buffer), "application/octet-stream")
            buffer.clear()
            if progress:
                yield _stats("Progress", meter)
    if buffer:
        meter.returned += len(buffer)
        yield _event("Records", bytes(buffer), "application/octet-stream")
    if progress:
        yield _stats("Progress", meter)
    yield _stats("Stats", meter)
    yield _event("End")


def scan_range(params: Params, spec: InputSpec, size: int) -> tuple[int, int | None]:
    """(first byte to read, last byte a record may start at) of a ScanRange, as documented:
    Start alone reads to the end, End alone is the last End bytes."""
    ranged = params.get("ScanRange")
    if not ranged or ranged.get("Start") is None and ranged.get("End") is None:
        return 0, None
    if (
        spec.compression != "NONE"
        or spec.kind == "Parquet"
        or (spec.kind == "JSON" and spec.json_type != "LINES")
        or (spec.kind == "CSV" and spec.quoted_delimiters)
    ):
        raise select_error("UnsupportedScanRangeInput")
    start, end = ranged.get("Start"), ranged.get("End")
    if (start is not None and int(start) < 0) or (end is not None and int(end) < 0):
        raise select_error("InvalidScanRange")
    if start is None:
        return max(size - int(end), 0), None
    if end is not None and int(end) < int(start):
        raise select_error("InvalidScanRange")
    return int(start), None if end is None else int(end)


class SelectOperations:
    s3: S3State

    async def SelectObjectContent(self, ctx: RequestContext, p: Params) -> Params:
        self.s3.bucket(p["Bucket"])
        try:
            record = self.find_object(p["Bucket"], p["Key"])  # type: ignore[attr-defined]
        except ServiceError as error:  # a caller who may not list the bucket gets 403, not NoSuchKey
            raise self.hide_missing_key(ctx, p["Bucket"], error) from None  # type: ignore[attr-defined]
        customer = self.check_sse_c_read(record, p)  # type: ignore[attr-defined]
        self.check_not_archived(record)  # type: ignore[attr-defined]
        if not p.get("Expression"):
            raise select_error("MissingRequiredParameter")
        if str(p.get("ExpressionType") or "SQL").upper() != "SQL":
            raise select_error("InvalidExpressionType")
        query = parse(str(p["Expression"]))
        spec = input_spec(p.get("InputSerialization"))
        output_spec(p.get("OutputSerialization"))
        scan = self._scan(record, spec, p, customer)
        progress = bool((p.get("RequestProgress") or {}).get("Enabled"))
        running = _Running(run(query, spec, p, scan, progress), scan)
        first, busy = await _prefetch(running)
        return {"Payload": _Answer(running, first, busy)}

    def _scan(self, record: Params, spec: InputSpec, p: Params, customer: bytes | None) -> Scan:
        """What the query reads: a small body is read at once, a larger one chunk by chunk."""
        size = int(record.get("Size") or 0)
        range_start, last = scan_range(p, spec, size)
        delimiter = spec.record_delimiter if spec.kind == "CSV" else "\n"
        # From just before the range: a delimiter ending at its first byte starts a record in it.
        read_from = max(range_start - len(delimiter.encode()), 0)
        blobs, blob = self.s3.store.blobs, str(record.get("Blob") or "")
        if not size:
            chunks: Any = []
        elif is_inline(blob) or size <= INLINE_MAX:
            whole = read_blob_small(blobs, blob, 0, None, customer)
            chunks = lambda offset: [whole[offset:]]  # noqa: E731
        else:
            cipher = cipher_for(blobs)
            chunks = lambda offset: cipher.read(blob, offset, None, customer)  # noqa: E731
        reread = (lambda: chunks(0)) if size else (lambda: [])
        scan = Scan(chunks, read_from, last, reread, skip_first=range_start > 0)
        if range_start and range_start >= size:
            scan.chunks, scan.skip_first = [], False  # a range past the object's end holds no record
        return scan


class _Running:
    """A query's frames, run a batch at a time in worker threads, and the means to stop it."""

    def __init__(self, frames: Frames, scan: Scan) -> None:
        self.frames = frames
        self.scan = scan

    def next_batch(self) -> asyncio.Future[list[Any]]:
        return asyncio.ensure_future(asyncio.to_thread(_take, self.frames))

    def close(self) -> None:
        self.scan.cancelled = True  # a worker thread still running it stops at its next chunk
        try:
            self.frames.close()
        except ValueError:  # still running in its worker thread: it ends there
            pass


class _Failed:
    """What the query raised, in its place among the frames of a batch."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def _take(frames: Frames) -> list[Any]:
    """The next frames (in a worker thread): up to FLUSH bytes of them, or up to a heartbeat (None),
    then _DONE at the end or _Failed for an error, after the frames made before it."""
    taken: list[Any] = []
    size = 0
    try:
        for frame in frames:
            taken.append(frame)
            if frame is None:
                return taken
            size += len(frame)
            if size >= FLUSH:
                return taken
        taken.append(_DONE)
    except Exception as error:
        taken.append(_Failed(error))
    return taken


async def _prefetch(running: _Running) -> tuple[list[Any], asyncio.Future[list[Any]] | None]:
    """The answer's first frames: what a query fails with before then is an ordinary XML error.
    After _PREFETCH_SECONDS without a frame the answer starts anyway, with the batch in the works."""
    deadline = time.monotonic() + _PREFETCH_SECONDS
    try:
        while True:
            busy = running.next_batch()
            done, _ = await asyncio.wait({busy}, timeout=max(deadline - time.monotonic(), 0))
            if not done:
                return [], busy
            batch = busy.result()
            if isinstance(batch[0], _Failed):
                raise batch[0].error
            if batch[0] is not None or time.monotonic() >= deadline:
                return batch, None
    except BaseException:
        running.close()
        raise


class _Answer:
    """The answer's body: `_stream`'s frames, and `end_stream`, the connection's word that the
    client left or the server is stopping (the scan stops; a batch in the works ends soon)."""

    def __init__(self, running: _Running, first: list[Any], busy: asyncio.Future[list[Any]] | None) -> None:
        self._running = running
        self._frames = _stream(running, first, busy)

    def __aiter__(self) -> _Answer:
        return self

    async def __anext__(self) -> bytes:
        return await self._frames.__anext__()

    def end_stream(self) -> None:
        self._running.close()

    async def aclose(self) -> None:
        await self._frames.aclose()


async def _stream(
    running: _Running, first: list[Any], busy: asyncio.Future[list[Any]] | None
) -> AsyncGenerator[bytes, None]:
    quiet_since = time.monotonic()
    pending = list(first)
    try:
        while True:
            if not pending:
                busy = busy or running.next_batch()
                while not (await asyncio.wait({busy}, timeout=_CONT_SECONDS))[0]:
                    quiet_since = time.monotonic()
                    yield _event("Cont")  # a batch is long in the making: the connection stays alive
                pending, busy = busy.result(), None
            item = pending.pop(0)
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            if item is None:
                if time.monotonic() - quiet_since > _CONT_SECONDS:
                    quiet_since = time.monotonic()
                    yield _event("Cont")
                continue
            quiet_since = time.monotonic()
            yield item
    except _Cancelled:  # the client went away, or the server is stopping: no one to tell
        return
    except ServiceError as error:
        yield _error_frame(error)
    except Exception:  # the answer has started: S3's error message, never a broken stream
        log.exception("S3 Select failed mid-stream")
        yield _error_frame(
            ServiceError("InternalError", "We encountered an internal error. Please try again.")
        )
    finally:
        running.close()
