"""The plan's prose as classified lines: section, item, sub-item, bullet, "Label: value" field, text.

Paragraphs split across pages ("… từng" / "thước đo cụ thể …") are joined back. Reading stops at the
recipients block ("Nơi nhận") or at the first appendix caption, whichever comes first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.importing.blocks import Document, Paragraph
from bot.importing.extract.headers import COORDINATE, DEADLINE, EXECUTORS, LEAD, RESULT, SUPERVISE, role_of
from bot.importing.extract.text import clean, key

SECTION = "section"  # "II. NỘI DUNG"
ITEM = "item"  # "3. Công tác thanh tra, kiểm tra: …"
SUB = "sub"  # "a) Chỉ tiêu", "2.1. …"
BULLET = "bullet"  # "- …"
PLUS = "plus"  # "+ …" (under a bullet)
FIELD = "field"  # "Đơn vị chủ trì: Văn phòng Sở"
TEXT = "text"
FOOTNOTE = "footnote"

FIELD_ROLES = (LEAD, COORDINATE, SUPERVISE, EXECUTORS, DEADLINE, RESULT)

_SECTION = re.compile(r"^(?P<label>[IVXL]{1,5})\s*[.)]\s*(?P<text>\S.*)$")
_ITEM = re.compile(r"^(?P<label>\d{1,2})\s*[.)]\s+(?P<text>\S.*)$")
_SUB_NUMBER = re.compile(r"^\d{1,2}\.(?P<label>\d{1,2})\.?\s+(?P<text>\S.*)$")
_SUB_LETTER = re.compile(r"^(?P<label>[a-zđ])\s*(?:\)|\.\s)\s*(?P<text>\S.*)$")
_BULLET = re.compile(r"^[-–—•●▪]\s*(?P<text>\S.*)$")
_PLUS = re.compile(r"^\+\s*(?P<text>\S.*)$")
_FIELD = re.compile(r"^(?P<label>[^:\n]{2,60}?)\s*:\s*(?P<text>.*)$")
_FOOTNOTE = re.compile(r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]")
_ENDS_SENTENCE = (".", ";", ":", "!", "?")


@dataclass
class Line:
    kind: str
    text: str
    label: str = ""
    role: str | None = None  # FIELD lines: the role the label names
    position: int = 0  # index of the block the line comes from


def _field(text: str, position: int) -> Line | None:
    """ "Đơn vị chủ trì: Văn phòng Sở" (also written as a bullet) → a FIELD line."""
    match = _FIELD.match(text)
    if not match:
        return None
    role = role_of(match.group("label"))
    if role in FIELD_ROLES and not (role == RESULT and key(match.group("label")) == "ket qua"):
        return Line(FIELD, match.group("text").strip(), match.group("label"), role, position)
    return None


def _classify(text: str, style: str | None, position: int) -> Line:
    if _FOOTNOTE.match(text):
        return Line(FOOTNOTE, text, position=position)
    for kind, pattern in ((SECTION, _SECTION), (ITEM, _ITEM), (SUB, _SUB_NUMBER), (SUB, _SUB_LETTER)):
        match = pattern.match(text)
        if match and (kind != SECTION or len(text) <= 200):
            return Line(kind, match.group("text").strip(), match.group("label"), position=position)
    for kind, pattern in ((BULLET, _BULLET), (PLUS, _PLUS)):
        match = pattern.match(text)
        if match:
            inner = match.group("text").strip()
            return _field(inner, position) or Line(kind, inner, position=position)
    field = _field(text, position)
    if field:
        return field
    if style and "list" in style.lower():
        return Line(BULLET, text, position=position)
    return Line(TEXT, text, position=position)


def _continues(previous: Line, line: Line) -> bool:
    """Whether `line` is the rest of `previous`, cut by a page or line break."""
    if line.kind != TEXT or previous.kind not in (ITEM, SUB, BULLET, PLUS, TEXT):
        return False
    if previous.text.endswith(_ENDS_SENTENCE):
        return False
    return line.text[:1].islower() or previous.kind in (BULLET, PLUS)


def is_stop(text: str) -> bool:
    folded = key(text)
    return folded.startswith("noi nhan") or (folded.startswith("phu luc") and len(text) < 200)


def read_lines(document: Document) -> list[Line]:
    """The classified prose lines of the document, up to "Nơi nhận" or the first appendix."""
    lines: list[Line] = []
    for position, block in enumerate(document.blocks):
        if not isinstance(block, Paragraph):
            continue
        for text in clean(block.text).split("\n"):
            if not text:
                continue
            if is_stop(text):
                return lines
            line = _classify(text, block.style, position)
            if lines and _continues(lines[-1], line):
                lines[-1].text = f"{lines[-1].text} {line.text}"
            else:
                lines.append(line)
    return lines
