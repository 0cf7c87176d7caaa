"""multipart/form-data read as it streams: the fields before the file, then the file itself.

For S3's browser-based POST uploads: the form's fields (key, policy, signature, ...)
come first and are small; the part named `file` comes last and may be as large as an
object. `read_form` reads the fields (at most `max_fields_bytes` of them, as S3 limits
them) and stops at the file's part headers; the returned `FileBody` then streams the
file's bytes to whoever reads it, never holding more than a chunk and a boundary in
memory. Whatever follows the file part is ignored, as S3 ignores it.

Not for request bodies in general: no nested multiparts, no Content-Transfer-Encoding.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from pocketcloud.gateway.http import Body
from pocketcloud.protocol.errors import ServiceError

MAX_FIELDS_BYTES = 20 * 1024  # S3: "fields preceding the upload file" may not exceed 20 KB
_MAX_PART_HEADERS = 8 * 1024
_PARAM = re.compile(r';\s*([^=;\s]+)\s*=\s*("((?:\\.|[^"\\])*)"|[^;]*)')


class MalformedForm(ServiceError):
    """The body is not well-formed multipart/form-data (S3's wording)."""

    def __init__(self) -> None:
        super().__init__("MalformedPOSTRequest",
                         "The body of your POST request is not well-formed multipart/form-data.", status=400)


class FieldsTooLarge(ServiceError):
    """The fields before the file exceed the limit (S3's wording, misspelling included)."""

    def __init__(self, limit: int) -> None:
        super().__init__("MaxPostPreDataLengthExceeded",
                         "Your POST request fields preceeding the upload file was too large.", status=400,
                         MaxPostPreDataLengthBytes=str(limit))


def boundary_of(content_type: str) -> str | None:
    """The boundary parameter of a multipart/form-data Content-Type, or None if it is not one."""
    kind, _, params = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    for match in _PARAM.finditer(";" + params):
        if match.group(1).lower() == "boundary":
            value = match.group(3) if match.group(3) is not None else match.group(2).strip()
            return value or None
    return None


def _disposition(value: str) -> tuple[str, dict[str, str]]:
    kind, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM.finditer(";" + rest):
        raw = match.group(3) if match.group(3) is not None else match.group(2).strip()
        params[match.group(1).lower()] = raw.replace('\\"', '"') if match.group(3) is not None else raw
    return kind.strip().lower(), params


@dataclass
class FormFile:
    """The file part: its part headers, and (once found) nothing else."""

    filename: str | None
    content_type: str | None


@dataclass
class Form:
    fields: list[tuple[str, str]] = field(default_factory=list)  # in order, names as sent
    file: FormFile | None = None
    body: FileBody | None = None  # streams the file's bytes

    def first(self, name: str) -> str | None:
        """The first value of a field, its name matched case-insensitively."""
        wanted = name.lower()
        for key, value in self.fields:
            if key.lower() == wanted:
                return value
        return None


class _Stream:
    """Bytes from a request body with a look-ahead buffer."""

    def __init__(self, body: Body) -> None:
        self._chunks: AsyncIterator[bytes] = aiter(body)
        self.buffer = bytearray()
        self.done = False

    async def more(self) -> bool:
        if self.done:
            return False
        try:
            chunk = await anext(self._chunks)
        except StopAsyncIteration:
            self.done = True
            return False
        self.buffer += chunk
        return True

    async def until(self, marker: bytes, limit: int, too_large: ServiceError) -> bytes:
        """The bytes before `marker` (consumed along with it)."""
        start = 0
        while True:
            index = self.buffer.find(marker, start)
            if index >= 0:
                found = bytes(self.buffer[:index])
                del self.buffer[: index + len(marker)]
                return found
            if len(self.buffer) > limit:
                raise too_large
            start = max(0, len(self.buffer) - len(marker) + 1)
            if not await self.more():
                raise MalformedForm()

    async def take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            if not await self.more():
                raise MalformedForm()
        taken = bytes(self.buffer[:size])
        del self.buffer[:size]
        return taken


async def read_form(body: Body, boundary: str, max_fields_bytes: int = MAX_FIELDS_BYTES) -> Form:
    """Read the fields up to the part named `file`; the form's `body` then streams the file."""
    stream = _Stream(body)
    delimiter = b"--" + boundary.encode("latin-1")
    too_large = FieldsTooLarge(max_fields_bytes)
    # The preamble (usually empty) ends at the first delimiter.
    await stream.until(delimiter, max_fields_bytes, too_large)
    form = Form()
    used = 0
    while True:
        after = await stream.take(2)
        if after == b"--":
            return form  # the closing delimiter: no file
        if after != b"\r\n":
            raise MalformedForm()
        raw_headers = await stream.until(b"\r\n\r\n", _MAX_PART_HEADERS, MalformedForm())
        name, filename, content_type = _part_headers(raw_headers)
        if name == "file":
            form.file = FormFile(filename, content_type)
            form.body = FileBody(stream, b"\r\n" + delimiter)
            return form
        value = await stream.until(b"\r\n" + delimiter, max_fields_bytes - used, too_large)
        used += len(value) + len(raw_headers)
        if used > max_fields_bytes:
            raise too_large
        form.fields.append((name, value.decode("utf-8", "replace")))


def _part_headers(raw: bytes) -> tuple[str, str | None, str | None]:
    name: str | None = None
    filename: str | None = None
    content_type: str | None = None
    for line in raw.decode("utf-8", "replace").split("\r\n"):
        header, colon, value = line.partition(":")
        if not colon:
            continue
        header = header.strip().lower()
        if header == "content-disposition":
            kind, params = _disposition(value)
            if kind != "form-data" or "name" not in params:
                raise MalformedForm()
            name, filename = params["name"], params.get("filename")
        elif header == "content-type":
            content_type = value.strip()
    if name is None:
        raise MalformedForm()
    return name, filename, content_type


class FileBody(Body):
    """The file part's bytes, up to the delimiter that ends it."""

    def __init__(self, stream: _Stream, end: bytes) -> None:
        super().__init__()
        self._stream = stream
        self._end = end
        self.post_form: Any = None  # set by whoever authenticated the form (auth.post_form)

    async def chunks(self) -> AsyncIterator[bytes]:
        stream, end = self._stream, self._end
        keep = len(end) - 1
        while True:
            index = stream.buffer.find(end)
            if index >= 0:
                if index:
                    yield bytes(stream.buffer[:index])
                del stream.buffer[:]
                while await stream.more():  # fields after the file are ignored, but read off the wire
                    del stream.buffer[:]
                return
            if len(stream.buffer) > keep:
                # Everything but a tail that might be the start of the delimiter is file content.
                cut = len(stream.buffer) - keep
                yield bytes(stream.buffer[:cut])
                del stream.buffer[:cut]
            if not await stream.more():
                raise MalformedForm()
