"""PDF (pdfplumber): the text layer as paragraphs, ruled tables as Tables, page by page in reading order.

Tables come from `find_tables()` (ruled lines); their words are kept out of the paragraphs. pdfplumber leaves
None where a merged cell covers a slot: the covering cell's position tells `MERGED_FROM_LEFT` (it starts in an
earlier column) from `MERGED_FROM_ABOVE` (same column, earlier row). A table continued on the next page is
joined to the one before (dropping a repeated header row). Lines are joined into paragraphs by layout
(vertical gap, a short previous line, indentation, a bullet or numbering at the start). No text on any page:
"scanned"; a password we do not have: "encrypted".
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from bot.importing.blocks import MERGED_FROM_ABOVE, MERGED_FROM_LEFT, Block, Document, Paragraph, Table
from bot.importing.draft import UnreadableDocument
from bot.importing.readers.common import cell_has_text, clean_text

MAX_PAGES = 500
_STARTS_PARAGRAPH = re.compile(
    r"^([-–—•+*▪➢❖]\s|\(?\d{1,3}(\.\d{1,3})*[.)]\s|[a-zđ][).]\s|[IVXLC]{1,6}\.\s|Điều \d|"
    r"(Đơn vị (chủ trì|phối hợp|giám sát|thực hiện)|Thời gian|Tiến độ|Nơi nhận)\b)",
    re.IGNORECASE,
)
_PAGE_NUMBER = re.compile(r"^(-\s*)?\d{1,3}(\s*-)?$")


def read_pdf(content: bytes, file_name: str) -> Document:
    """The blocks of every page; raises "encrypted", "scanned" or "too_big" as the file deserves."""
    try:
        pdf = pdfplumber.open(io.BytesIO(content))
    except Exception as error:
        if _encrypted(error):
            raise UnreadableDocument("encrypted", "PDF needs a password") from error
        raise
    with pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise UnreadableDocument("too_big", f"{len(pdf.pages)} pages")
        blocks: list[Block] = []
        characters = unmapped = 0
        for page in pdf.pages:
            characters += len(page.chars)
            unmapped += sum(1 for char in page.chars if char.get("text", "").startswith("(cid:"))
            _add_page(blocks, page)
    if characters == 0:
        raise UnreadableDocument("scanned", "no text layer on any page")
    if unmapped > characters / 2:
        raise UnreadableDocument("scanned", "text layer without a Unicode mapping")
    return Document(blocks=blocks, name=file_name)


def _encrypted(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, PDFPasswordIncorrect | PDFEncryptionError):
            return True
        if any(isinstance(arg, PDFPasswordIncorrect | PDFEncryptionError) for arg in seen.args):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _add_page(blocks: list[Block], page: Any) -> None:
    """Append the page's paragraphs and tables, ordered by their top edge."""
    tables = [table for table in page.find_tables() if len(table.rows) >= 2 and len(table.rows[0].cells) >= 2]
    boxes = [table.bbox for table in tables]

    def outside_tables(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    lines = page.filter(outside_tables).extract_text_lines(strip=True, return_chars=True)
    lines = [line for line in lines if line["text"].strip()]
    if lines and _PAGE_NUMBER.match(lines[0]["text"].strip()):
        lines = lines[1:]
    if lines and _PAGE_NUMBER.match(lines[-1]["text"].strip()):
        lines = lines[:-1]
    items: list[tuple[float, int, Any]] = [(line["top"], 1, line) for line in lines]
    items += [(table.bbox[1], 0, table) for table in tables]
    items.sort(key=lambda item: (item[0], item[1]))
    pending: list[dict[str, Any]] = []
    first = True
    for _, kind, item in items:
        if kind == 1:
            pending.append(item)
            continue
        blocks.extend(_paragraphs(pending))
        rows = table_rows(item)
        if first and not pending and blocks and _continues(blocks[-1], rows):
            previous = blocks.pop()
            assert isinstance(previous, Table)
            same_header = rows[0] == previous.rows[0]
            rows = previous.rows + (rows[1:] if same_header else rows)
        pending, first = [], False
        if any(cell_has_text(cell) for row in rows for cell in row):
            blocks.append(Table(rows=rows))
    blocks.extend(_paragraphs(pending))


def _continues(previous: Block, rows: list[list[str]]) -> bool:
    return isinstance(previous, Table) and bool(previous.rows) and len(previous.rows[0]) == len(rows[0])


def table_rows(table: Any) -> list[list[str]]:
    """Cell texts of a pdfplumber table, with the slots covered by merged cells marked."""
    extracted = table.extract()
    xs = sorted({cell[0] for cell in table.cells})
    tops = sorted({cell[1] for cell in table.cells})
    x_edges = xs + [table.bbox[2]]
    y_edges = tops + [table.bbox[3]]
    origins = {(cell[0], cell[1]): cell for cell in table.cells}
    rows: list[list[str]] = []
    for row_index, row in enumerate(extracted):
        texts = []
        for column, value in enumerate(row):
            if value is not None:
                texts.append(clean_text(value))
                continue
            x = (x_edges[column] + x_edges[column + 1]) / 2
            y = (y_edges[row_index] + y_edges[row_index + 1]) / 2
            cover = next(
                (cell for cell in origins.values() if cell[0] <= x <= cell[2] and cell[1] <= y <= cell[3]),
                None,
            )
            if cover is None:
                texts.append("")
            elif xs.index(cover[0]) < column:
                texts.append(MERGED_FROM_LEFT)
            elif tops.index(cover[1]) < row_index:
                texts.append(MERGED_FROM_ABOVE)
            else:
                texts.append("")
        rows.append(texts)
    return rows


def _paragraphs(lines: list[dict[str, Any]]) -> list[Paragraph]:
    """Lines joined into paragraphs by layout."""
    if not lines:
        return []
    left = min(line["x0"] for line in lines)
    right = max(line["x1"] for line in lines)
    heights = [line["bottom"] - line["top"] for line in lines]
    height = statistics.median(heights) if heights else 10
    gaps = [b["top"] - a["bottom"] for a, b in itertools.pairwise(lines) if b["top"] > a["bottom"]]
    usual_gap = statistics.median(gaps) if gaps else height * 0.3
    width = max(right - left, 1.0)
    paragraphs: list[list[dict[str, Any]]] = []
    for line in lines:
        if not paragraphs:
            paragraphs.append([line])
            continue
        previous = paragraphs[-1][-1]
        gap = line["top"] - previous["bottom"]
        new = (
            gap > usual_gap + 0.6 * height
            or gap < -height / 2  # a new column or an out-of-order line
            or previous["x1"] < right - 0.15 * width  # the previous line stopped short: its paragraph ended
            or line["x0"] > left + 1.5 * height
            and abs(line["x0"] - previous["x0"]) > height
            or _STARTS_PARAGRAPH.match(line["text"]) is not None
        )
        if new:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return [
        Paragraph(
            text=clean_text(" ".join(line["text"] for line in group)), bold=all(_bold(line) for line in group)
        )
        for group in paragraphs
    ]


def _bold(line: dict[str, Any]) -> bool:
    fonts = [char.get("fontname", "") for char in line.get("chars", []) if char.get("text", "").strip()]
    return bool(fonts) and all(re.search(r"bold|black|heavy|,b$", font, re.IGNORECASE) for font in fonts)
