"""Content-addressed file store for evidence: one file per SHA-256, written atomically."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".txt": "text/plain",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".zip": "application/zip",
    ".rar": "application/vnd.rar",
}
ALLOWED_MIME = frozenset(ALLOWED_TYPES.values()) | {"application/x-zip-compressed", "application/x-rar-compressed"}
MAX_NAME_LENGTH = 150
_CHUNK = 1024 * 1024
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def sanitise_file_name(name: str | None, *, fallback: str) -> str:
    """A display-safe file name: no directories, control or reserved characters, bounded length."""
    if not name:
        return fallback
    base = PureWindowsPath(PurePosixPath(name).name).name
    base = unicodedata.normalize("NFC", _UNSAFE.sub("_", base)).strip(" ._")
    if not base:
        return fallback
    stem, dot, suffix = base.rpartition(".")
    if dot and len(suffix) <= 10:
        return f"{stem[: MAX_NAME_LENGTH - len(suffix) - 1]}.{suffix}"
    return base[:MAX_NAME_LENGTH]


def accepted_type(file_name: str, mime_type: str | None) -> str | None:
    """The MIME type to store, or None when the file is not a kind we keep.

    The extension decides (a client's declared type is whatever the sender says: "x.exe" declared as PDF is
    refused); the declared type counts only for a name without an extension.
    """
    suffix = Path(file_name).suffix.lower()
    if suffix:
        return ALLOWED_TYPES.get(suffix)
    return mime_type if mime_type in ALLOWED_MIME else None


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    path: Path


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    async def save(self, content: bytes) -> StoredFile:
        return await asyncio.to_thread(self._save, content)

    async def save_file(self, source: Path) -> StoredFile:
        """Keeps a copy of a file already on disk (an upload streamed to a temporary file), read in chunks: a
        20 MB upload never sits in memory whole."""
        return await asyncio.to_thread(self._save_file, source)

    def _save(self, content: bytes) -> StoredFile:
        digest = hashlib.sha256(content).hexdigest()
        return self._keep(digest, len(content), lambda handle: handle.write(content))

    def _save_file(self, source: Path) -> StoredFile:
        hasher, size = hashlib.sha256(), 0
        with source.open("rb") as reading:
            while chunk := reading.read(_CHUNK):
                hasher.update(chunk)
                size += len(chunk)

        def copy(handle: BinaryIO) -> None:
            with source.open("rb") as reading:
                shutil.copyfileobj(reading, handle, _CHUNK)

        return self._keep(hasher.hexdigest(), size, copy)

    def _keep(self, digest: str, size: int, write: Callable[[BinaryIO], object]) -> StoredFile:
        """Writes the content under its digest once (same content twice: stored once), atomically: a crash
        leaves either the whole file or none."""
        target = self.path_for(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    write(handle)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        return StoredFile(sha256=digest, size=size, path=target)
