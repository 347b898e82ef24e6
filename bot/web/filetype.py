"""Does a file's beginning match the type its name gives? Checked on the first bytes of an upload, before the rest
arrives. The name decides the type (bot.services.evidence_store.accepted_type, as for files sent in the chat); this
only refuses content that plainly is something else (an .exe renamed .pdf)."""

from __future__ import annotations

from collections.abc import Callable

from bot.importing.readers import OLE_MAGIC, ZIP_MAGICS

# How many first bytes the check needs (a PDF header may follow some junk, as the import reader allows).
HEAD_BYTES = 1024

Check = Callable[[bytes], bool]


def _zip(head: bytes) -> bool:
    return head.startswith(ZIP_MAGICS)


def _ole(head: bytes) -> bool:
    return head.startswith(OLE_MAGIC)


def _office_xml(head: bytes) -> bool:
    return _zip(head) or _ole(head)  # a password-protected .docx/.xlsx is an OLE container


def _legacy_office(head: bytes) -> bool:
    return _ole(head) or _zip(head) or head.startswith(b"{\\rtf")  # a .docx or an RTF saved under an old name


def _text(head: bytes) -> bool:
    return b"\x00" not in head or head.startswith((b"\xff\xfe", b"\xfe\xff"))


_CHECKS: dict[str, Check] = {
    "application/pdf": lambda head: b"%PDF-" in head[:HEAD_BYTES],
    "application/msword": _legacy_office,
    "application/vnd.ms-excel": _legacy_office,
    "application/vnd.ms-powerpoint": _legacy_office,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _office_xml,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _office_xml,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _office_xml,
    "application/vnd.oasis.opendocument.text": _zip,
    "application/vnd.oasis.opendocument.spreadsheet": _zip,
    "application/zip": _zip,
    "application/x-zip-compressed": _zip,
    "application/vnd.rar": lambda head: head.startswith(b"Rar!\x1a\x07"),
    "application/x-rar-compressed": lambda head: head.startswith(b"Rar!\x1a\x07"),
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    "image/heic": lambda head: head[4:8] == b"ftyp",
    "text/plain": _text,
}


def content_matches(mime_type: str, head: bytes) -> bool:
    """True when the first bytes fit `mime_type` (an accepted evidence type); unknown types never fit."""
    check = _CHECKS.get(mime_type)
    return check is not None and check(head)
