"""Excel (.xlsx): each visible sheet as a Paragraph with the sheet's name (style "Sheet") and a Table.

Values are the cached results (data_only), rendered as text: whole numbers without ".0", percentages with "%",
dates as d/m/yyyy. In a merged range the top-left cell keeps the text; the other cells of its first column are
`MERGED_FROM_ABOVE` and every other covered cell `MERGED_FROM_LEFT` (as Word's gridSpan + vMerge would give).
Empty rows and the empty margins around the used area are dropped; title rows above the header stay.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from bot.importing.blocks import MERGED_FROM_ABOVE, MERGED_FROM_LEFT, SHEET_STYLE, Block, Document, Paragraph, Table
from bot.importing.draft import UnreadableDocument
from bot.importing.readers.common import clean_text, drop_blank_rows

MAX_CELLS = 2_000_000  # per workbook: a plan is a few hundred rows; millions of cells is an export gone wrong


def read_xlsx(content: bytes, file_name: str) -> Document:
    """Every visible worksheet that holds something, in workbook order."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=False, data_only=True)
    try:
        blocks: list[Block] = []
        cells = 0
        for sheet in workbook.worksheets:
            if not isinstance(sheet, Worksheet) or sheet.sheet_state != "visible":
                continue
            cells += len(sheet._cells)
            if cells > MAX_CELLS:
                raise UnreadableDocument("too_big", f"more than {MAX_CELLS} cells")
            rows = sheet_rows(sheet)
            if rows:
                blocks += [Paragraph(text=clean_text(sheet.title), style=SHEET_STYLE), Table(rows=rows)]
        return Document(blocks=blocks, name=file_name)
    finally:
        workbook.close()


def sheet_rows(sheet: Worksheet) -> list[list[str]]:
    """The used area of the sheet as rows of texts with merge markers, empty rows left out."""
    grid: dict[tuple[int, int], str] = {}
    # the cells that exist (iter_rows would create every cell up to a stray far-away formatted one)
    for (row_number, column), cell in list(sheet._cells.items()):
        text = cell_text(cell.value, getattr(cell, "number_format", "General") or "General")
        if text:
            grid[(row_number, column)] = text
    if not grid:
        return []
    top, bottom = min(r for r, _ in grid), max(r for r, _ in grid)
    left, right = min(c for _, c in grid), max(c for _, c in grid)
    for merged in sheet.merged_cells.ranges:  # clipped to the used area: a merge can cover whole columns
        for row_number in range(max(merged.min_row, top), min(merged.max_row, bottom) + 1):
            for column in range(max(merged.min_col, left), min(merged.max_col, right) + 1):
                if (row_number, column) == (merged.min_row, merged.min_col):
                    continue
                grid[(row_number, column)] = (
                    MERGED_FROM_ABOVE if column == merged.min_col else MERGED_FROM_LEFT
                )
    rows = [[grid.get((r, c), "") for c in range(left, right + 1)] for r in range(top, bottom + 1)]
    rows = drop_blank_rows(rows)
    for index, row in enumerate(rows):  # a merge whose origin lies outside continues nothing
        if row and row[0] == MERGED_FROM_LEFT:
            row[0] = ""
        if index == 0:
            row[:] = ["" if cell == MERGED_FROM_ABOVE else cell for cell in row]
    return rows


def cell_text(value: Any, number_format: str = "General") -> str:
    """A cell's value as the office would read it on screen."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return f"{value.day}/{value.month}/{value.year}"
        return f"{value.day}/{value.month}/{value.year} {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, date):
        return f"{value.day}/{value.month}/{value.year}"
    if isinstance(value, time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return _number(float(value), number_format)
    return clean_text(str(value))


def _number(value: float, number_format: str) -> str:
    if "%" in number_format:
        return f"{value * 100:.10g}%"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"
