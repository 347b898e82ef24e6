"""Receiving one file from a multipart/form-data request body as it streams in.

The body is parsed chunk by chunk (python-multipart's push parser), written to a temporary file, and refused the
moment it breaks a rule: a name of a type we do not keep, first bytes that do not fit that type, more bytes than
the limit. Nothing is buffered whole, and the temporary file is gone when the block ends, whatever happened.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from bot.services.evidence_store import accepted_type, sanitise_file_name
from bot.web.filetype import HEAD_BYTES, content_matches

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

Reason = Literal["too_big", "type", "empty", "no_file", "malformed"]
MAX_OTHER_FIELD_BYTES = 4096  # everything that is not the file: the form has nothing else worth more


class UploadRefused(Exception):
    """Why an upload stopped: "too_big", "type", "empty", "no_file" (no file chosen) or "malformed"."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


@dataclass(frozen=True)
class ReceivedFile:
    path: Path  # the temporary file; removed when `receiving_file` ends
    file_name: str  # sanitised, as shown and stored
    mime_type: str
    size: int


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    is_file: bool = False


class _Events:
    """python-multipart calls back synchronously while parsing a chunk; the calls are queued here and handled
    afterwards, outside the parser, where file writes can go to a thread."""

    def __init__(self) -> None:
        self.queue: list[tuple[str, Any]] = []
        self._field = bytearray()
        self._value = bytearray()
        self._headers: dict[bytes, bytes] = {}

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda data, start, end: self._field.extend(data[start:end]),
            "on_header_value": lambda data, start, end: self._value.extend(data[start:end]),
            "on_header_end": self._header_end,
            "on_headers_finished": lambda: self.queue.append(("headers", self._headers)),
            "on_part_data": lambda data, start, end: self.queue.append(("data", bytes(data[start:end]))),
            "on_part_end": lambda: self.queue.append(("end", None)),
        }

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_end(self) -> None:
        self._headers[bytes(self._field).lower()] = bytes(self._value)
        self._field.clear()
        self._value.clear()


class _Receiver:
    def __init__(self, *, field_name: str, max_bytes: int, fallback_name: str, handle: IO[bytes], path: Path) -> None:
        self.field_name = field_name.encode("ascii")
        self.max_bytes = max_bytes
        self.fallback_name = fallback_name
        self.handle = handle
        self.path = path
        self.part: _Part | None = None
        self.file_name: str | None = None
        self.mime_type: str | None = None
        self.size = 0
        self.other_bytes = 0
        self.head = bytearray()
        self.head_checked = False
        self.file_done = False

    async def handle_events(self, queue: list[tuple[str, Any]]) -> None:
        pending: list[bytes] = []
        for kind, value in queue:
            if kind == "headers":
                self._begin_part(value)
            elif kind == "data":
                if self.part is not None and self.part.is_file:
                    pending.extend(self._file_data(value))
                else:
                    self.other_bytes += len(value)
                    if self.other_bytes > MAX_OTHER_FIELD_BYTES:
                        raise UploadRefused("malformed")
            elif kind == "end":
                if self.part is not None and self.part.is_file:
                    pending.extend(self._file_end())
                self.part = None
        queue.clear()
        if pending:
            await asyncio.to_thread(self.handle.write, b"".join(pending))

    def _begin_part(self, headers: dict[bytes, bytes]) -> None:
        disposition, options = parse_options_header(headers.get(b"content-disposition", b""))
        self.part = _Part(headers=headers)
        if disposition != b"form-data" or options.get(b"name") != self.field_name or b"filename" not in options:
            return
        if self.file_name is not None:
            raise UploadRefused("malformed")  # one file per link
        raw_name = options[b"filename"].decode("utf-8", errors="replace")
        if not raw_name:
            raise UploadRefused("no_file")  # the form was sent without choosing a file
        self.file_name = sanitise_file_name(raw_name, fallback=self.fallback_name)
        declared = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower() or None
        self.mime_type = accepted_type(self.file_name, declared)
        if self.mime_type is None:
            raise UploadRefused("type")
        self.part.is_file = True

    def _file_data(self, data: bytes) -> list[bytes]:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise UploadRefused("too_big")
        if self.head_checked:
            return [data]
        self.head.extend(data)
        if len(self.head) < HEAD_BYTES:
            return []
        return self._check_head()

    def _file_end(self) -> list[bytes]:
        self.file_done = True
        if self.size == 0:
            raise UploadRefused("empty")
        return [] if self.head_checked else self._check_head()

    def _check_head(self) -> list[bytes]:
        assert self.mime_type is not None
        if not content_matches(self.mime_type, bytes(self.head[:HEAD_BYTES])):
            raise UploadRefused("type")
        self.head_checked = True
        held, self.head = bytes(self.head), bytearray()
        return [held]


def multipart_boundary(content_type: str | None) -> bytes:
    """The boundary of a multipart/form-data body; refuses anything else."""
    kind, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused("malformed")
    return boundary


@asynccontextmanager
async def receiving_file(
    chunks: AsyncIterable[bytes],
    *,
    content_type: str | None,
    field_name: str,
    max_bytes: int,
    fallback_name: str,
    spool_dir: Path | None = None,
) -> AsyncIterator[ReceivedFile]:
    """Reads the body into a temporary file and yields it; raises `UploadRefused` as soon as a rule is broken.
    The temporary file is removed when the block ends, normally or not."""
    boundary = multipart_boundary(content_type)
    if spool_dir is not None:
        await asyncio.to_thread(spool_dir.mkdir, parents=True, exist_ok=True)
    fd, name = await asyncio.to_thread(tempfile.mkstemp, prefix=".upload-", dir=spool_dir)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            received = await _receive(chunks, boundary, _Receiver(
                field_name=field_name, max_bytes=max_bytes, fallback_name=fallback_name, handle=handle, path=path))
        yield received
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)


async def _receive(chunks: AsyncIterable[bytes], boundary: bytes, receiver: _Receiver) -> ReceivedFile:
    events = _Events()
    parser = MultipartParser(boundary, events.callbacks())
    try:
        async for chunk in chunks:
            if chunk:
                parser.write(chunk)
                await receiver.handle_events(events.queue)
        parser.finalize()
        await receiver.handle_events(events.queue)
    except MultipartParseError as error:
        raise UploadRefused("malformed") from error
    if receiver.file_name is None:
        raise UploadRefused("no_file")
    if not receiver.file_done:
        raise UploadRefused("malformed")  # the body ended inside the file
    assert receiver.mime_type is not None
    return ReceivedFile(path=receiver.path, file_name=receiver.file_name, mime_type=receiver.mime_type,
                        size=receiver.size)
