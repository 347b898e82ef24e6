"""The .xlsx appendix: one row per task and unit, filterable, frozen header, real dates; and a totals sheet."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from bot.reports import text_vi
from bot.reports.data import ReportData, area_of, counts
from bot.reports.wording import day_text, percent_of, period_text, status_text

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="999999")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_DATE_COLUMNS = {8, 9}
_DATETIME_COLUMNS = {13}
_WRAPPED_COLUMNS = {2, 4, 5, 7, 10, 14, 16}


def build_xlsx(data: ReportData) -> bytes:
    """The appendix workbook as bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = text_vi.SHEET_ROWS
    sheet.append([name for name, _ in text_vi.COLUMNS])
    for state in data.states:
        reported = data.local(state.reported_at).replace(tzinfo=None) if state.reported_at else None
        sheet.append([
            data.plan.number, area_of(state.task), state.task.code, state.task.title, state.unit.name,
            text_vi.ROLE.get(state.role, state.role), state.task.deadline_text, state.original_due,  # type: ignore[call-overload]
            state.approved_due, text_vi.CATEGORY[state.category], status_text(state), percent_of(state), reported,
            state.reported_by, state.evidence_count, state.note,
        ])
    for column, (_, width) in enumerate(text_vi.COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = _GRID
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.border = _GRID
            cell.alignment = Alignment(wrap_text=cell.column in _WRAPPED_COLUMNS, vertical="top")
            if cell.column in _DATE_COLUMNS:
                cell.number_format = DATE_FORMAT
            elif cell.column in _DATETIME_COLUMNS:
                cell.number_format = DATETIME_FORMAT
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(text_vi.COLUMNS))}{max(sheet.max_row, 2)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    _totals(workbook, data)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _totals(workbook: Workbook, data: ReportData) -> None:
    sheet = workbook.create_sheet(text_vi.SHEET_TOTALS)
    sheet.append([text_vi.TOTALS_TITLE.format(number=data.plan.number, period=period_text(data.period),
                                              as_of=day_text(data.as_of))])
    sheet["A1"].font = Font(bold=True)
    sheet.append([])
    sheet.append(list(text_vi.TOTALS_HEADER))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _GRID
    leads = data.leads
    tally = counts(leads)
    for category, label in text_vi.CATEGORY.items():
        share = round(100 * tally[category] / len(leads), 1) if leads else 0.0
        sheet.append([label, tally[category], share])
    sheet.append([text_vi.TOTALS_SUM, len(leads), 100.0 if leads else 0.0])
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.border = _GRID
        row[2].number_format = "0.0"
    sheet[sheet.max_row][0].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 12
