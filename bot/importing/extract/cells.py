"""Reading one table row: which rows to skip, section-heading rows, and cells holding several sub-items."""

from __future__ import annotations

import re

from bot.importing.blocks import MERGED_FROM_LEFT
from bot.importing.extract.headers import header_roles
from bot.importing.extract.text import MERGED, clean, is_letter, is_roman, one_line

_RULE = re.compile(r"[-=_:|.\s]+")
_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?")
_HEADING_IN_CELL = re.compile(r"^(?P<label>[IVXL]{1,5}|[A-Z])\s*[.)]\s*(?P<text>\S.*)$")
_SUB_ITEM = re.compile(r"^[-–+•]\s*")


def normalise(row: list[str], width: int) -> list[str]:
    """Cells cleaned (merge markers kept) and padded to the table's width."""
    cells = [cell if cell in MERGED else clean(cell) for cell in row]
    return cells + [""] * (width - len(cells))


def is_filler(cells: list[str]) -> bool:
    """Empty rows, rules ("---"), repeated headers and column-number rows ("(1) (2) (3)")."""
    texts = [cell for cell in cells if cell and cell not in MERGED]
    if not texts or all(_RULE.fullmatch(text) for text in texts):
        return True
    if header_roles(cells):
        return True
    return len(texts) >= 3 and all(_COLUMN_NUMBER.fullmatch(text) for text in texts)


def section_heading(cells: list[str], tt_index: int | None, lead_index: int | None) -> tuple[str, str] | None:
    """(label, heading) when the row is a section heading: "II | CẢI CÁCH THỂ CHẾ" with nothing else in it."""
    if lead_index is not None and cells[lead_index] and cells[lead_index] not in MERGED:
        return None
    tt = one_line(cells[tt_index]) if tt_index is not None and cells[tt_index] not in MERGED else ""
    tt = tt.strip(" .")
    others = [one_line(c) for i, c in enumerate(cells) if i != tt_index and c and c not in MERGED]
    if len(set(others)) > 1:
        return None
    text = others[0] if others else ""
    merged_across = MERGED_FROM_LEFT in cells
    if is_roman(tt) or (is_letter(tt.lower()) and text and (merged_across or text == text.upper())):
        return tt, text
    match = _HEADING_IN_CELL.match(tt or text)
    if match and (not tt or not text) and (merged_across or len(cells) > 2):
        return match.group("label"), match.group("text")
    return None


def sub_items(text: str) -> tuple[str | None, list[str]]:
    """A cell "heading:\\n- a\\n- b" → ("heading", ["a", "b"]); a cell without sub-items → (None, [])."""
    lines = [line for line in clean(text).split("\n") if line]
    if len(lines) < 2:
        return None, []
    heading = None if _SUB_ITEM.match(lines[0]) else lines[0]
    items: list[str] = []
    for line in lines[1:] if heading else lines:
        if _SUB_ITEM.match(line) or not items:
            items.append(_SUB_ITEM.sub("", line))
        else:
            items[-1] = f"{items[-1]} {line}"
    bullets = sum(1 for line in lines if _SUB_ITEM.match(line))
    if bullets < 2 or (heading is not None and not heading.endswith(":")):
        return None, []
    return heading.rstrip(": ") if heading else None, items


def per_item(text: str | None, count: int) -> list[str] | None:
    """A lead or deadline cell with one line per sub-item ("- Sở Nội vụ\\n- Sở Tài chính"), else None."""
    if not text or text in MERGED:
        return None
    lines = [_SUB_ITEM.sub("", line) for line in clean(text).split("\n") if line]
    return lines if len(lines) == count and count > 1 else None


def strip_marker(text: str) -> str:
    return _SUB_ITEM.sub("", text).strip()
