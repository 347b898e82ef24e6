"""A document as every reader hands it over: paragraphs and tables, in reading order, format details gone.

A table's rows are lists of cell texts with merged cells already resolved: a cell covered by a vertical merge
carries `MERGED_FROM_ABOVE` (distinct from a cell the author left blank, which is ""), a cell covered by a
horizontal merge carries `MERGED_FROM_LEFT`. Cell text keeps its line breaks ("\n") because sub-items
("- Văn phòng Sở\n- Các phòng, ban") are written on separate lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MERGED_FROM_ABOVE = "\x00above"
MERGED_FROM_LEFT = "\x00left"
SHEET_STYLE = "Sheet"  # the style of the Paragraph naming a spreadsheet's sheet, right before its Table


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str | None = None  # e.g. "Heading 1", "List Paragraph" when the format says so
    bold: bool = False


@dataclass(frozen=True)
class Table:
    rows: list[list[str]] = field(default_factory=list)


Block = Paragraph | Table


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    name: str = ""
