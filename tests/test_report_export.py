"""The periodic report on a plan with a known mix of statuses (tests/report_seed.py), on SQLite and PostgreSQL:
every figure of the .docx and the .xlsx equals the one computed from the raw rows (tests/report_expect.py), the
appendix is filterable with real dates, and the evidence pack holds the files with their SHA-256 and an index."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.shared import Cm, Pt

from bot.app import open_deps
from bot.deps import Deps
from bot.reports.evidence_pack import build_evidence_zip
from bot.reports.letterhead import letterhead_for
from bot.reports.periods import BadPeriod, parse_period
from bot.reports.service import ReportFiles, find_plan, make_report
from storage.db import transaction
from tests.conftest import make_settings
from tests.report_expect import LABELS, ROLES, ZONE, Expected, expected_report, percent
from tests.report_seed import AS_OF, PERIOD, ReportOffice, seed_report_plan

TODAY = date(2026, 1, 5)  # long after the period: only what happened by 30/9/2023 counts
KNOWN_MIX = {"done_on_time": 2, "done_late": 1, "open_on_time": 3, "open_overdue": 2, "period_reported": 1,
             "period_pending": 1, "no_deadline": 1}


@dataclass
class Built:
    seeded: ReportOffice
    files: ReportFiles
    pack: bytes
    expected: Expected
    deps: Deps


@pytest.fixture
async def built(database_url: str, tmp_path: Path) -> AsyncIterator[Built]:
    async with open_deps(make_settings(database_url, tmp_path)) as deps:
        seeded = await seed_report_plan(deps)
        async with transaction(deps.sessions) as session:
            plan = await find_plan(session, "435/KH-SVHTT")
            head = letterhead_for(plan, issued_on=date(2023, 10, 5), signer="Vũ Đức Thắng")
            files = await make_report(session, plan=plan, period=parse_period(PERIOD), today=TODAY,
                                      zone=deps.settings.zone, head=head)
            expected = await expected_report(session, start=date(2023, 7, 1), end=AS_OF)
        yield Built(seeded, files, build_evidence_zip(files.data, deps.evidence), expected, deps)


def docx_text(content: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = docx.Document(io.BytesIO(content))
    return [p.text for p in document.paragraphs], [[[c.text for c in row.cells] for row in table.rows]
                                                    for table in document.tables]


def test_the_seed_has_the_boundaries_it_promises(built: Built) -> None:
    """Done on the due day is on time, the day after is late, an extension approved in the period moves the
    date, one approved after it does not, a status after the period is ignored."""
    assert Counter(row.category for row in built.expected.leads) == KNOWN_MIX
    by_code = {row.task.code: row for row in built.expected.leads}
    assert by_code["III.1"].category == "done_on_time" and by_code["III.2"].category == "done_late"
    assert by_code["IV.2"].category == "open_on_time" and by_code["IV.3"].category == "open_overdue"
    assert by_code["II.3.a"].status == "in_progress"  # its "done" of 10/10/2023 came after the period


async def test_the_states_behind_the_report_equal_the_raw_rows(built: Built) -> None:
    got = [(s.task.code, s.unit.name, s.role, s.category.value, s.approved_due, s.evidence_count, s.status, s.note)
           for s in built.files.data.states]
    want = [(r.task.code, r.unit.name, r.role, r.category, r.approved, r.evidence, r.status, r.note)
            for r in built.expected.rows]
    assert got == want


def test_docx_figures_equal_the_raw_rows(built: Built) -> None:
    assert built.files.docx is not None
    paragraphs, tables = docx_text(built.files.docx)
    expected = built.expected
    total = len(expected.leads)
    assert any(f"được giao chủ trì (tính theo từng đơn vị chủ trì): {total}; số lượt báo cáo tiến độ trong kỳ: "
               f"{expected.updates}; số tài liệu kiểm chứng đã nhận: {len(expected.evidence)}." in p
               for p in paragraphs)
    for category, label in LABELS.items():
        n = expected.count(category)
        assert f"- {label}: {n} nhiệm vụ ({percent(n, total)}%)." in paragraphs
    # one section per dimension, with its lead count
    for area in {row.task.area or "Nhiệm vụ chung" for row in expected.leads}:
        n = sum(1 for row in expected.leads if (row.task.area or "Nhiệm vụ chung") == area)
        index = next(i for i, p in enumerate(paragraphs) if p.endswith(f". {area}") and p.startswith("2."))
        assert paragraphs[index + 1].startswith(f"Số nhiệm vụ chủ trì: {n}; trong đó: ")
    # the blocker of the period is a problem; what happened after the period is nowhere
    assert "- TCPC (nhiệm vụ PL.1.1): thiếu kinh phí in ấn (05/07/2023)." in paragraphs
    assert not any("Hoàn thành sau kỳ" in p for p in paragraphs)
    # late units are named with their overdue tasks
    late = Counter(row.unit.name for row in expected.leads if row.category == "open_overdue")
    for unit, n in late.items():
        assert any(p.startswith(f"- {unit}: {n} nhiệm vụ quá hạn (") for p in paragraphs), unit
    # the appendix table: one row per lead assignment with its unit, category and evidence count
    appendix = tables[-1]
    assert appendix[0] == ["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Tình trạng", "Kết quả", "Số minh chứng"]
    rows = [row for row in appendix[1:] if row[0].isdigit()]
    assert sorted((r[1].split(". ")[0], r[2], r[4], int(r[6])) for r in rows) == sorted(
        (row.task.code, row.unit.name, LABELS[row.category], row.evidence) for row in expected.leads)
    assert [int(r[0]) for r in rows] == list(range(1, total + 1))
    extended = next(r for r in rows if r[1].startswith("IV.2."))
    assert "Hạn: 10/09/2023" in extended[3] and "Gia hạn: 31/10/2023" in extended[3]


def test_docx_is_laid_out_as_decree_30(built: Built) -> None:
    assert built.files.docx is not None
    document = docx.Document(io.BytesIO(built.files.docx))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert [round(m.cm, 1) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)] == [2.0, 2.0, 3.0, 1.5]
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size == Pt(14)
    fonts = {run.font.name for p in document.paragraphs for run in p.runs if run.text.strip()}
    assert fonts == {"Times New Roman"}
    header = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert header[0] == ["UBND THÀNH PHỐ HÀ NỘI\nSỞ VĂN HÓA VÀ THỂ THAO\n",
                         "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"]
    assert header[1][0].startswith("Số:") and header[1][0].endswith("/BC-SVHTT")
    assert header[1][1] == "Hà Nội, ngày 05 tháng 10 năm 2023"
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("BÁO CÁO") + 1] == "Kết quả thực hiện Kế hoạch số 435/KH-SVHTT quý III năm 2023"
    signature = [[cell.text for cell in row.cells] for row in document.tables[1].rows][0]
    assert signature[0].startswith("Nơi nhận:\n- Giám đốc Sở (để báo cáo);\n- Sở Nội vụ;")
    assert signature[1].startswith("TL. GIÁM ĐỐC\nCHÁNH VĂN PHÒNG") and signature[1].endswith("Vũ Đức Thắng")
    appendix = document.sections[-1]
    assert appendix.page_width > appendix.page_height  # the task table is on landscape pages
    assert section.different_first_page_header_footer  # no page number on the first page


def test_xlsx_rows_equal_the_raw_rows(built: Built) -> None:
    book = openpyxl.load_workbook(io.BytesIO(built.files.xlsx))
    sheet = book["Phụ lục"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["Kế hoạch", "Chỉ số / lĩnh vực", "Mã NV", "Nhiệm vụ", "Đơn vị", "Vai trò", "Thời hạn (theo KH)",
                      "Hạn hoàn thành", "Hạn được gia hạn", "Phân loại", "Tình trạng báo cáo", "%",
                      "Cập nhật lần cuối", "Người báo cáo", "Số minh chứng", "Ghi chú"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    want = []
    for r in built.expected.rows:
        percent_value = 100 if r.status == "done" and r.percent is None else r.percent
        updated = r.reported_at.astimezone(ZONE).replace(tzinfo=None) if r.reported_at else None
        want.append(["435/KH-SVHTT", r.task.area or "Nhiệm vụ chung", r.task.code, r.task.title, r.unit.name,
                     ROLES[r.role], r.task.deadline_text, _as_datetime(r.due), _as_datetime(r.approved),
                     LABELS[r.category], percent_value, updated, r.reporter, r.evidence, r.note])
    got = [row[:10] + row[11:] for row in rows]  # column K (the reported status) is checked below
    assert got == want
    statuses = {row[2]: row[10] for row in rows if row[5] == "Chủ trì"}
    assert statuses["II.5"] == "Chưa báo cáo" and statuses["IV.1"] == "Đang thực hiện"
    assert statuses["III.2"] == "Đã hoàn thành"


def test_xlsx_is_filterable_with_a_frozen_header_and_real_dates(built: Built) -> None:
    book = openpyxl.load_workbook(io.BytesIO(built.files.xlsx))
    sheet = book["Phụ lục"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:P{len(built.expected.rows) + 1}"
    due = sheet["H2"]
    assert due.is_date and isinstance(due.value, datetime) and due.number_format == "DD/MM/YYYY"
    assert sheet["M2"].is_date and sheet["M2"].number_format == "DD/MM/YYYY HH:MM"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNOP"]
    assert min(widths) >= 6 and sheet.column_dimensions["D"].width >= 40
    totals = {row[0].value: row[1].value for row in book["Tổng hợp"].iter_rows(min_row=4)}
    for category, label in LABELS.items():
        assert totals[label] == built.expected.count(category)
    assert totals["Tổng số"] == len(built.expected.leads)


def test_evidence_pack_holds_the_files_with_their_sha256_and_an_index(built: Built) -> None:
    archive = zipfile.ZipFile(io.BytesIO(built.pack))
    index = list(csv.reader(io.StringIO(archive.read("danh_muc_minh_chung.csv").decode("utf-8-sig"))))
    assert index[0][:3] == ["Tệp trong gói", "Tên tệp gốc", "Chỉ số / lĩnh vực"]
    entries = index[1:]
    received = built.expected.evidence
    assert len(entries) == len(received) == 4  # the file sent on 12/10/2023 is after the period
    assert "sau-ky.pdf" not in " ".join(archive.namelist())
    for (path, original, area, code, _title, unit, sender, sent, sha, size, note), (row, task, unit_row, who) in zip(
            entries, received, strict=True):
        content = archive.read(path)
        assert hashlib.sha256(content).hexdigest() == sha == row.sha256
        assert int(size) == len(content) and note == ""
        assert path.split("/")[0] == (task.area or "Nhiệm vụ chung") and path.split("/")[1].startswith(task.code)
        assert path.split("/")[2] == unit_row.short_name and original == row.file_name and code == task.code
        assert sender == who and unit == unit_row.name
        assert sent == row.created_at.astimezone(ZONE).strftime("%d/%m/%Y %H:%M")
    names = [e[0] for e in entries]
    assert any(n.endswith("/TCPC/quyet-dinh.pdf") for n in names)
    assert any(n.endswith("/TCPC/quyet-dinh (2).pdf") for n in names)  # same name twice: both kept


def test_evidence_pack_lists_a_file_missing_from_the_store(built: Built) -> None:
    row = built.expected.evidence[0][0]
    built.deps.evidence.path_for(row.sha256).unlink()
    archive = zipfile.ZipFile(io.BytesIO(build_evidence_zip(built.files.data, built.deps.evidence)))
    index = list(csv.reader(io.StringIO(archive.read("danh_muc_minh_chung.csv").decode("utf-8-sig"))))
    missing = next(entry for entry in index[1:] if entry[8] == row.sha256)
    assert missing[0] == "" and missing[10] == "Không tìm thấy tệp trong kho lưu trữ"
    assert len(archive.namelist()) == 1 + 3


def _as_datetime(value: date | None) -> datetime | None:
    return datetime(value.year, value.month, value.day) if value else None


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2023-Q3", date(2023, 7, 1), date(2023, 9, 30)),
    ("2023-q1", date(2023, 1, 1), date(2023, 3, 31)),
    ("2023-H1", date(2023, 1, 1), date(2023, 6, 30)),
    ("2023-H2", date(2023, 7, 1), date(2023, 12, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2023", date(2023, 1, 1), date(2023, 12, 31)),
])
def test_periods(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["2023-Q5", "2023-Q0", "2023-H3", "2023-13", "2023-5", "23-Q3", "Q3/2023",
                                  "2023-Q3x", "", "1999", "2023 Q3", "2023-00"])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(BadPeriod):
        parse_period(text)
