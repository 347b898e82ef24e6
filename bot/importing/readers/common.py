"""Helpers every reader shares: text clean-up, text decoding, table padding, emptiness checks."""

from __future__ import annotations

import html
import re
import unicodedata

from bot.importing.blocks import MERGED_FROM_ABOVE, MERGED_FROM_LEFT, Document, Paragraph, Table
from bot.importing.draft import UnreadableDocument

MARKERS = (MERGED_FROM_ABOVE, MERGED_FROM_LEFT)

_CONTROL = re.compile(r"[\x00-\x08\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BREAK_TAG = re.compile(r"<\s*(br|/p|/li|/div|/tr)\s*/?\s*>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


def clean_text(text: str) -> str:
    """NFC-normalised text with one kind of line break, no control characters, single spaces, trimmed lines."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n").replace("\u2028", "\n")
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip(" ") for line in text.split("\n")]
    return "\n".join(lines).strip("\n ")


def strip_html(text: str) -> str:
    """Text without simple HTML remnants (`<ul style=…>`, `<br>`), entities decoded; `a < b` is left alone."""
    if "<" not in text and "&" not in text:
        return text
    text = _BREAK_TAG.sub("\n", text)
    text = _TAG.sub(" ", text)
    return html.unescape(text)


def decode_text(content: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 (BOM or evident), else Windows-1258, else 1252."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace")
    sample = content[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) == 0:
        return content.decode("utf-16-le", errors="replace")
    if b"\x00" in sample:
        raise UnreadableDocument("corrupt", "binary content in a text file")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1258")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def rectangular(rows: list[list[str]]) -> list[list[str]]:
    """Rows padded with "" to the widest row."""
    width = max((len(row) for row in rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


def drop_blank_rows(rows: list[list[str]]) -> list[list[str]]:
    """Rows that hold any text or merge marker (a blank spacer row carries nothing)."""
    return [row for row in rows if any(cell for cell in row)]


def cell_has_text(cell: str) -> bool:
    return bool(cell) and cell not in MARKERS


def has_text(document: Document) -> bool:
    """Whether any block of the document carries text (merge markers do not count)."""
    for block in document.blocks:
        if isinstance(block, Paragraph) and block.text.strip():
            return True
        if isinstance(block, Table) and any(cell_has_text(cell) for row in block.rows for cell in row):
            return True
    return False
