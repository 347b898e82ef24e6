"""Reading any supported file into the neutral `Document`: pick a reader from the name and the magic bytes.

`read_document` is plain synchronous CPU work (callers run it in a thread). It raises only `UnreadableDocument`:
"too_big" (checked before parsing), "empty", "corrupt", "encrypted", "scanned" or "format".
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import PurePath

from bot.importing.blocks import Document
from bot.importing.draft import UnreadableDocument
from bot.importing.readers.common import has_text

MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
MAX_UNPACKED_BYTES = 250 * 1024 * 1024  # a zip (docx/xlsx) may not inflate beyond this: zip bombs

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OFFICE_EXTENSIONS = {".docx", ".docm", ".dotx", ".xlsx", ".xlsm", ".xltx"}
LEGACY_EXTENSIONS = {".doc", ".xls", ".dot", ".xlt", ".rtf", ".odt", ".ods"}
TEXT_EXTENSIONS = {".txt", ".text", ".md", ".markdown"}

__all__ = ["MAX_DOCUMENT_BYTES", "read_document"]


def read_document(content: bytes, file_name: str) -> Document:
    """The blocks of `content` in reading order; raises `UnreadableDocument` for anything it cannot read."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise UnreadableDocument("too_big", f"{len(content)} bytes > {MAX_DOCUMENT_BYTES}")
    if not content.strip():
        raise UnreadableDocument("empty", "no bytes")
    reader = _reader_for(content, PurePath(file_name or "").suffix.lower())
    try:
        document = reader(content, file_name)
    except UnreadableDocument:
        raise
    except Exception as error:  # any parser failure on hostile input means a broken file
        raise UnreadableDocument("corrupt", f"{type(error).__name__}: {error}"[:500]) from error
    if not has_text(document):
        raise UnreadableDocument("empty", "no text in the document")
    return document


Reader = Callable[[bytes, str], Document]


def _reader_for(content: bytes, extension: str) -> Reader:
    """The reader for this content; the name says what the file should be, the magic bytes whether it is."""
    magic = _magic(content)
    if extension in OFFICE_EXTENSIONS:
        if magic == "ole":
            raise _ole_problem(content)
        if magic != "zip":
            raise UnreadableDocument("corrupt", f"a {extension} file is a zip archive, this is not")
        return _zip_reader(content)
    if extension == ".pdf":
        if magic != "pdf":
            raise UnreadableDocument("corrupt", "a .pdf file starts with %PDF-, this does not")
        return _pdf_reader()
    if extension in LEGACY_EXTENSIONS:
        if magic == "zip":  # a .docx saved under an old name
            return _zip_reader(content)
        raise UnreadableDocument("format", f"{extension}: save it as .docx or .xlsx")
    if extension in TEXT_EXTENSIONS or extension == ".csv" or not extension:
        if magic == "ole":
            raise _ole_problem(content)
        if magic == "zip":
            return _zip_reader(content)
        if magic == "pdf":
            return _pdf_reader()
        if extension == ".csv":
            from bot.importing.readers.csv_reader import read_csv

            return read_csv
        from bot.importing.readers.text_reader import read_text

        return read_text
    raise UnreadableDocument("format", f"unsupported file type {extension!r}")


def _magic(content: bytes) -> str | None:
    if content.startswith(OLE_MAGIC):
        return "ole"
    if content.startswith(ZIP_MAGICS):
        return "zip"
    if b"%PDF-" in content[:1024]:
        return "pdf"
    return None


def _ole_problem(content: bytes) -> UnreadableDocument:
    """An OLE compound file: a password-protected .docx/.xlsx, unless it is plainly a Word/Excel 97-2003 file."""
    head = content[: 4 * 1024 * 1024]

    def has_stream(name: str) -> bool:
        return name.encode("utf-16-le") in head

    if has_stream("EncryptionInfo") or has_stream("EncryptedPackage"):
        return UnreadableDocument("encrypted", "password-protected Office file")
    if has_stream("WordDocument") or has_stream("Workbook"):
        return UnreadableDocument("format", "Word/Excel 97-2003 file: save it as .docx or .xlsx")
    return UnreadableDocument("encrypted", "OLE compound file (password-protected Office file)")


def _zip_reader(content: bytes) -> Reader:
    """The docx or xlsx reader, from what the archive holds (whatever the extension claims)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            unpacked = sum(member.file_size for member in members)
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
        raise UnreadableDocument("corrupt", f"broken zip archive: {error}") from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableDocument("too_big", f"unpacks to {unpacked} bytes")
    if any(name.startswith("word/") for name in names):
        from bot.importing.readers.docx_reader import read_docx

        return read_docx
    if any(name.startswith("xl/") for name in names):
        from bot.importing.readers.xlsx_reader import read_xlsx

        return read_xlsx
    if b"opendocument" in mimetype:
        raise UnreadableDocument("format", "OpenDocument file: save it as .docx or .xlsx")
    raise UnreadableDocument("corrupt", "zip archive without a Word or Excel document")


def _pdf_reader() -> Reader:
    from bot.importing.readers.pdf_reader import read_pdf

    return read_pdf
