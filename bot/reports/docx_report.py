"""The report as a .docx the chief edits and signs, laid out as Nghị định 30/2020/NĐ-CP (Phụ lục I) asks.

A4, margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman 14 pt in the body; the two-column header
(issuing agency under its parent on the left, the national motto on the right, each with its short rule), the
number/symbol line and the place-and-date line; the title; the body by dimension; "Nơi nhận" and the signature
block; page numbers centred at the top from page 2; then a landscape appendix with one row per task and lead unit.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from bot.reports import text_vi
from bot.reports.data import ReportData, area_of, counts, latest_updates
from bot.reports.letterhead import Letterhead
from bot.reports.wording import date_parts, day_text, percent_of, percent_text, period_text
from bot.services.plan_status import AssignmentState, Category

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
A4 = (Cm(21), Cm(29.7))
MARGINS = {"top": Cm(2), "bottom": Cm(2), "left": Cm(3), "right": Cm(1.5)}
HEADER_WIDTHS = (Cm(7), Cm(10))  # 0.25 cm into each side margin of the 16.5 cm text area, as offices do
APPENDIX_WIDTHS = (Cm(1.1), Cm(8.0), Cm(3.6), Cm(3.6), Cm(3.4), Cm(4.6), Cm(1.9))  # landscape: 26.4 cm
OPEN_CATEGORIES = (Category.OPEN_OVERDUE,)


def build_docx(data: ReportData, head: Letterhead) -> bytes:
    """The report document as bytes."""
    document = Document()
    _set_defaults(document)
    section = document.sections[0]
    section.page_width, section.page_height = A4
    for side, size in MARGINS.items():
        setattr(section, f"{side}_margin", size)
    section.header_distance = Cm(1)
    _page_numbers(document)
    period = period_text(data.period)

    _header_table(document, data, head)
    _paragraph(document, text_vi.TITLE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=12, after=0)
    _paragraph(document, text_vi.SUBJECT.format(number=data.plan.number, period=period), bold=True,
               align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _rule(document.add_paragraph(), Cm(4), Cm(16.5))

    issued = text_vi.ISSUED_ON.format(date=day_text(data.plan.issued_on)) if data.plan.issued_on else ""
    _body(document, text_vi.INTRO.format(
        number=data.plan.number, issued=issued, issuer=head.agency_name, title=_lower_first(data.plan.title),
        agency=head.agency_name, period=period, start=day_text(data.period.start), end=day_text(data.period.end),
        as_of=day_text(data.as_of)))

    _heading(document, text_vi.PART_RESULTS)
    _overall(document, data)
    _by_area(document, data)
    _late_units(document, data)
    _heading(document, text_vi.PART_PROPOSALS)
    _body(document, text_vi.PROPOSAL)
    _body(document, text_vi.CLOSING.format(number=data.plan.number, period=period))
    _signature(document, head)
    _appendix(document, data)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- parts of the document ---------------------------------------------------------------------------------------
def _header_table(document: DocxDocument, data: ReportData, head: Letterhead) -> None:
    table = _plain_table(document, 2, HEADER_WIDTHS)
    left, right = table.rows[0].cells
    _cell_line(left, head.parent_agency, size=12, first=True)
    _cell_line(left, head.agency, size=12, bold=True)
    _rule(left.add_paragraph(), Cm(2.2), HEADER_WIDTHS[0])
    _cell_line(right, text_vi.MOTTO, size=12, bold=True, first=True)
    _cell_line(right, text_vi.MOTTO_LINE, size=13, bold=True)
    _rule(right.add_paragraph(), Cm(5.8), HEADER_WIDTHS[1])
    left, right = table.rows[1].cells
    _cell_line(left, text_vi.NUMBER_LINE.format(symbol=head.symbol), size=13, first=True)
    day, month, year = date_parts(head.issued_on)
    _cell_line(right, text_vi.PLACE_DATE.format(place=head.place, day=day, month=month, year=year), size=14,
               italic=True, first=True)


def _overall(document: DocxDocument, data: ReportData) -> None:
    leads = data.leads
    tally = counts(leads)
    _subheading(document, text_vi.OVERALL)
    _body(document, text_vi.OVERALL_TOTAL.format(total=len(leads), updates=len(data.updates),
                                                 evidence=len(data.evidence)))
    for category, label in text_vi.CATEGORY.items():
        _body(document, text_vi.CATEGORY_LINE.format(label=label, count=tally[category],
                                                     percent=percent_text(tally[category], len(leads))))
    if tally[Category.PERIOD_REPORTED] or tally[Category.PERIOD_PENDING]:
        _body(document, text_vi.CONTINUOUS_NOTE.format(as_of=day_text(data.as_of)), italic=True)


def _by_area(document: DocxDocument, data: ReportData) -> None:
    _subheading(document, text_vi.BY_AREA)
    names = {state.unit.id: state.unit.short_name or state.unit.name for state in data.states}
    codes = {state.task.id: state.task.code for state in data.states}
    areas = {state.task.id: area_of(state.task) for state in data.states}
    for index, (area, states) in enumerate(data.areas().items(), start=1):
        _subheading(document, text_vi.AREA_HEADING.format(index=index, area=area), italic=True)
        leads = [state for state in states if state.role == "lead"]
        tally = counts(leads)
        parts = "; ".join(text_vi.AREA_PART.format(label=label.lower() if i else label, count=tally[category])
                          for i, (category, label) in enumerate(text_vi.CATEGORY.items()) if tally[category])
        _body(document, text_vi.AREA_TOTAL.format(total=len(leads), parts=parts or "0"))
        mine = [update for update in data.updates if areas.get(update.task_id) == area]
        for title, blocked, empty in ((text_vi.RESULTS, False, text_vi.NO_RESULTS),
                                      (text_vi.PROBLEMS, True, text_vi.NO_PROBLEMS)):
            _body(document, title, italic=True)
            lines = [text_vi.NOTE_LINE.format(
                unit=names.get(update.unit_id, ""), code=codes.get(update.task_id, ""),
                text=_note(update.note, update.status, update.percent), when=day_text(data.local(update.at).date()))
                for update in latest_updates(mine, blocked=blocked)]
            for line in lines or [empty]:
                _body(document, line)


def _late_units(document: DocxDocument, data: ReportData) -> None:
    _heading(document, text_vi.PART_LATE)
    late: dict[str, list[AssignmentState]] = {}
    for state in data.leads:
        if state.category in OPEN_CATEGORIES:
            late.setdefault(state.unit.name, []).append(state)
    if not late:
        _body(document, text_vi.NO_LATE.format(as_of=day_text(data.as_of)))
    for unit, states in sorted(late.items(), key=lambda item: (-len(item[1]), item[0])):
        tasks = "; ".join(text_vi.LATE_TASK.format(code=state.task.code, due=day_text(state.due))  # type: ignore[arg-type]
                          for state in states)
        _body(document, text_vi.LATE_UNIT.format(unit=unit, count=len(states), tasks=tasks))


def _signature(document: DocxDocument, head: Letterhead) -> None:
    table = _plain_table(document, 1, HEADER_WIDTHS)
    left, right = table.rows[0].cells
    _cell_line(left, text_vi.RECIPIENTS, size=12, bold=True, italic=True, first=True, align=WD_ALIGN_PARAGRAPH.LEFT,
               before=12)
    for line in text_vi.RECIPIENT_LINES:
        _cell_line(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_line(right, text_vi.SIGN_ON_BEHALF, size=14, bold=True, first=True, before=12)
    _cell_line(right, text_vi.SIGNER_TITLE, size=14, bold=True)
    for _ in range(4):
        _cell_line(right, "", size=14)
    _cell_line(right, head.signer or "", size=14, bold=True)


def _appendix(document: DocxDocument, data: ReportData) -> None:
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False  # the appendix pages are numbered on
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = A4[1], A4[0]
    section.left_margin, section.right_margin = Cm(2), Cm(1.5)
    period = period_text(data.period)
    _paragraph(document, text_vi.APPENDIX_TITLE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(document, text_vi.APPENDIX_SUBTITLE.format(number=data.plan.number), bold=True,
               align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(document, text_vi.APPENDIX_NOTE.format(number=data.plan.number, period=period), italic=True,
               align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    table = document.add_table(rows=1, cols=len(text_vi.TABLE_HEADER))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, APPENDIX_WIDTHS)
    for cell, label in zip(table.rows[0].cells, text_vi.TABLE_HEADER, strict=True):
        _cell_line(cell, label, size=TABLE_PT, bold=True, first=True)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _repeat_header(table.rows[0])
    number = 0
    for area, states in data.areas(data.leads).items():
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        heading = _cell_line(merged, area, size=TABLE_PT, bold=True, first=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        heading.paragraph_format.keep_with_next = True  # never alone at the foot of a page
        _no_split(row)
        for state in states:
            number += 1
            task_row = table.add_row()
            _no_split(task_row)
            cells = task_row.cells
            values = (str(number), f"{state.task.code}. {state.task.title}", state.unit.name, _deadline(state),
                      text_vi.CATEGORY[state.category], _result(data, state), str(state.evidence_count))
            for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
                centred = index in (0, 6)
                for i, line in enumerate(value.split("\n")):
                    _cell_line(cell, line, size=TABLE_PT, first=i == 0,
                               align=WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT)
    _widths(table, APPENDIX_WIDTHS)


def _deadline(state: AssignmentState) -> str:
    lines = [state.task.deadline_text or ""]
    if state.original_due:
        lines.append(text_vi.DUE_LINE.format(date=day_text(state.original_due)))
    if state.approved_due:
        lines.append(text_vi.APPROVED_LINE.format(date=day_text(state.approved_due)))
    return "\n".join(line for line in lines if line)


def _result(data: ReportData, state: AssignmentState) -> str:
    if state.status is None:
        return text_vi.NOT_REPORTED
    lines = [_note(state.note, state.status, percent_of(state))]
    if state.reported_at is not None:
        lines.append(text_vi.RESULT_WHEN.format(date=day_text(data.local(state.reported_at).date())))
    return "\n".join(lines)


def _note(note: str | None, status: str, percent: int | None) -> str:
    text = (note or "").strip() or text_vi.STATUS.get(status, status)  # type: ignore[call-overload]
    if percent is not None and status != "done":
        text += f" ({text_vi.RESULT_PERCENT.format(percent=percent)})"
    return text


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


# --- formatting helpers ------------------------------------------------------------------------------------------
def _set_defaults(document: DocxDocument) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(6)
    style.paragraph_format.line_spacing = 1.15
    for name in ("Table Grid",):
        if name in [s.name for s in document.styles]:
            document.styles[name].font.name = FONT


def _paragraph(
    document: DocxDocument, text: str, *, bold: bool = False, italic: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None, before: int | None = None, after: int | None = None,
    indent: bool = False, size: int = BODY_PT,
) -> Paragraph:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    run.font.name = FONT
    if align is not None:
        paragraph.alignment = align
    if before is not None:
        paragraph.paragraph_format.space_before = Pt(before)
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    return paragraph


def _body(document: DocxDocument, text: str, *, italic: bool = False) -> Paragraph:
    return _paragraph(document, text, italic=italic, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)


def _heading(document: DocxDocument, text: str) -> Paragraph:
    return _paragraph(document, text, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, before=6)


def _subheading(document: DocxDocument, text: str, *, italic: bool = False) -> Paragraph:
    return _paragraph(document, text, bold=True, italic=italic, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True)


def _cell_line(
    cell: _Cell, text: str, *, size: int, bold: bool = False, italic: bool = False, first: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER, before: int = 0,
) -> Paragraph:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.line_spacing = 1.0
    run = paragraph.add_run(text)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    run.font.name = FONT
    return paragraph


def _plain_table(document: DocxDocument, rows: int, widths: Iterable[Cm]) -> Table:
    widths = tuple(widths)
    table = document.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _widths(table, widths)
    return table


def _widths(table: Table, widths: Iterable[Cm]) -> None:
    widths = tuple(widths)
    table_width = table._tbl.tblPr.find(qn("w:tblW"))
    if table_width is not None:
        table_width.set(qn("w:type"), "dxa")
        table_width.set(qn("w:w"), str(sum(int(width.twips) for width in widths)))
    grid = table._tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), widths, strict=False):
        column.set(qn("w:w"), str(int(width.twips)))
    for row in table.rows:
        if len(row.cells) == len(widths):
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width


def _rule(paragraph: Paragraph, length: Cm, width: Cm) -> None:
    """A short solid rule centred under the line above (the decree's line under the agency name and the motto)."""
    side = Cm(max(0.0, (width.cm - length.cm) / 2 - 0.1))
    fmt = paragraph.paragraph_format
    fmt.left_indent, fmt.right_indent = side, side
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(6), Pt(4)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:bottom")  # drawn under an empty 4 pt line: clear of the descenders above
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    paragraph._p.get_or_add_pPr().append(borders)


def _no_split(row: object) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # type: ignore[attr-defined]


def _repeat_header(row: object) -> None:
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _page_numbers(document: DocxDocument) -> None:
    """The page number centred in the top margin, from the second page on (the decree's rule)."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.name, run.font.size = FONT, Pt(13)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
