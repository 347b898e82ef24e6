"""How fast a plan document is imported: a generated 1,000-row .xlsx and a 300-row .docx, each read, extracted
and previewed (the work between the chief sending the file and the preview appearing).

    python -m bench.import_speed [--xlsx-rows 1000] [--docx-rows 300] [--runs 5] [--target 2.0] [--check]

The files are built in memory (openpyxl / python-docx) the way offices write their appendices: title rows above
the header, "Chỉ số nội dung" cells merged vertically over several rows, lead units spelled many ways ("VP Sở",
"P. TCPC", "Phòng Tổ chức - Pháp chế"), blank lead cells meaning "same as above", "Các phòng, ban, đơn vị thuộc
Sở" as coordinating units, Vietnamese deadline phrases with and without diacritics. Every run's preview is
checked against what the generator wrote (task count, title, lead, area, due date, recurrence of every row).

Exit status: 0, or 1 with --check when a median misses the target, or 2 when a preview is wrong.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import docx
import openpyxl
from docx.document import Document as DocxDocument

from bot.importing.extract import extract_plan
from bot.importing.preview import ImportPreview, build_preview
from bot.importing.readers import read_document
from bot.importing.units import KnownUnit
from storage.keys import name_key

PLAN_NUMBER = "88/KH-SVHTT"
PLAN_YEAR = 2024
HEADER = ["TT", "Chỉ số nội dung", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành",
          "Kết quả, sản phẩm"]  # fmt: skip

# The office: (name, short name, how plans write it).
UNITS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Văn phòng Sở", "VP", ("Văn phòng Sở", "VP Sở", "Văn phòng")),
    ("Phòng Tổ chức - Pháp chế", "TCPC", ("Phòng Tổ chức - Pháp chế", "Phòng TCPC", "P. TCPC", "Phòng Tổ chức Pháp chế")),
    ("Phòng Kế hoạch - Tài chính", "KHTC", ("Phòng Kế hoạch - Tài chính", "Phòng KHTC", "KHTC")),
    ("Thanh tra Sở", "TTra", ("Thanh tra Sở", "thanh tra sở")),
    ("Phòng Quản lý Văn hóa", "QLVH", ("Phòng Quản lý Văn hóa", "Phòng QLVH", "P. QLVH")),
    ("Phòng Quản lý Thể thao", "QLTT", ("Phòng Quản lý Thể thao", "Phòng QLTT")),
    ("Trung tâm Thông tin triển lãm", "TTTL", ("Trung tâm Thông tin triển lãm",)),
)  # fmt: skip
PAPI = ("Công khai, minh bạch", "Trách nhiệm giải trình với người dân", "Kiểm soát tham nhũng trong khu vực công",
        "Thủ tục hành chính công", "Cung ứng dịch vụ công", "Quản trị môi trường", "Quản trị điện tử")  # fmt: skip
ALL_UNITS_PHRASE = "Các phòng, ban, đơn vị thuộc Sở"
D = date
# (phrase as written, start, due, recurrence): each reading is what the deadline rules give for plan year 2024.
DEADLINES: tuple[tuple[str, date | None, date | None, str], ...] = (
    ("Trong tháng 6/2024", D(2024, 6, 1), D(2024, 6, 30), "none"),
    ("Quý III/2024", D(2024, 7, 1), D(2024, 9, 30), "none"),
    ("quy 4 nam 2024", D(2024, 10, 1), D(2024, 12, 31), "none"),
    ("trước ngày 20/10/2024", None, D(2024, 10, 20), "none"),
    ("Chậm nhất ngày 15/12/2024", None, D(2024, 12, 15), "none"),
    ("Từ 3/2024 đến 9/2024", D(2024, 3, 1), D(2024, 9, 30), "none"),
    ("Từ ngày 01/3/2024 đến ngày 30/4/2024", D(2024, 3, 1), D(2024, 4, 30), "none"),
    ("Tháng 11-12/2024", D(2024, 11, 1), D(2024, 12, 31), "none"),
    ("Trong năm 2024", D(2024, 1, 1), D(2024, 12, 31), "none"),
    ("6 tháng đầu năm 2024", D(2024, 1, 1), D(2024, 6, 30), "none"),
    ("Thường xuyên", None, None, "continuous"),
    ("Hằng quý", D(2024, 1, 1), D(2024, 12, 31), "quarterly"),
    ("hang thang", D(2024, 1, 1), D(2024, 12, 31), "monthly"),
    ("20/5/2024", None, D(2024, 5, 20), "none"),
)
VERBS = ("Rà soát, cập nhật", "Tổ chức tuyên truyền về", "Kiểm tra việc thực hiện", "Xây dựng kế hoạch",
         "Tổng hợp, báo cáo kết quả", "Công khai trên Cổng thông tin điện tử Sở")  # fmt: skip
OBJECTS = ("quy trình giải quyết thủ tục hành chính", "quy chế dân chủ ở cơ sở", "danh mục dịch vụ công trực tuyến",
           "việc tiếp công dân định kỳ", "kết luận thanh tra, kiểm tra", "hồ sơ tuyển dụng viên chức",
           "dữ liệu thống kê ngành văn hóa, thể thao")  # fmt: skip


@dataclass(frozen=True)
class Expected:
    """One task as the generator wrote it: what its preview row must say."""

    title: str
    lead: str
    area: str
    start: date | None
    due: date | None
    recurrence: str
    everyone: bool  # coordinated by every unit


@dataclass
class Generated:
    content: bytes
    name: str
    expected: list[Expected]


# ----------------------------------------------------------------------------------------------- the files


def _rows(count: int, seed: int) -> tuple[list[list[str]], list[tuple[int, int]], list[Expected]]:
    """Table body rows, the vertical merges of the area column (first row, last row; 0-based), and expectations.

    Areas run in blocks of 3 to 8 rows (the area cell merged over the block); within a block a third of the lead
    cells are blank ("same as above")."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    merges: list[tuple[int, int]] = []
    expected: list[Expected] = []
    while len(rows) < count:
        area = PAPI[len(merges) % len(PAPI)]
        block = min(rng.randint(3, 8), count - len(rows))
        merges.append((len(rows), len(rows) + block - 1))
        lead_name = ""
        for offset in range(block):
            index = len(rows) + 1
            if offset == 0 or rng.random() > 0.33:
                name, _, spellings = rng.choice(UNITS)
                lead_cell, lead_name = rng.choice(spellings), name
            else:
                lead_cell = ""  # same as the row above
            everyone = rng.random() < 0.4
            others = rng.sample([spelled[0] for unit, _, spelled in UNITS if unit != lead_name], 2)
            coordinate = ALL_UNITS_PHRASE if everyone else ", ".join(others)
            phrase, start, due, recurrence = rng.choice(DEADLINES)
            title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} (nhiệm vụ {index})"
            result = rng.choice(("Báo cáo kết quả", "100% hồ sơ được công khai", "Kế hoạch được ban hành", ""))
            rows.append([str(index), area if offset == 0 else "", title, lead_cell, coordinate, phrase, result])
            expected.append(Expected(title, lead_name, area, start, due, recurrence, everyone))
    return rows, merges, expected


def make_xlsx(rows: int, seed: int = 1) -> Generated:
    """A workbook: four title rows (one merged across), the header, `rows` task rows with merged area cells."""
    body, merges, expected = _rows(rows, seed)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Phụ lục"
    sheet.append(["UBND THÀNH PHỐ HÀ NỘI"])
    sheet.append(["SỞ VĂN HÓA VÀ THỂ THAO"])
    sheet.append([f"PHỤ LỤC NHIỆM VỤ CẢI THIỆN CHỈ SỐ PAPI NĂM {PLAN_YEAR}"])
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(HEADER))
    sheet.append([f"(Kèm theo Kế hoạch số {PLAN_NUMBER} ngày 15/01/{PLAN_YEAR} của Sở Văn hóa và Thể thao)"])
    sheet.append(HEADER)
    first = sheet.max_row + 1
    for row in body:
        sheet.append([int(row[0]), *[cell or None for cell in row[1:]]])
    for top, bottom in merges:
        if bottom > top:
            sheet.merge_cells(start_row=first + top, start_column=2, end_row=first + bottom, end_column=2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Generated(buffer.getvalue(), "phu-luc.xlsx", expected)


def make_docx(rows: int, seed: int = 2) -> Generated:
    """A plan: the header lines, a title, a short preamble and a numbered part, then the appendix table."""
    body, merges, expected = _rows(rows, seed)
    document: DocxDocument = docx.Document()
    for line in ("UBND THÀNH PHỐ HÀ NỘI", "SỞ VĂN HÓA VÀ THỂ THAO", f"Số: {PLAN_NUMBER}",
                 f"Hà Nội, ngày 15 tháng 01 năm {PLAN_YEAR}", "KẾ HOẠCH",
                 f"Cải thiện, nâng cao Chỉ số PAPI năm {PLAN_YEAR}"):  # fmt: skip
        document.add_paragraph(line)
    document.add_paragraph("I. MỤC ĐÍCH, YÊU CẦU")
    document.add_paragraph("- Nâng cao nhận thức của các phòng, ban, đơn vị về Chỉ số PAPI.")
    document.add_paragraph("II. TỔ CHỨC THỰC HIỆN")
    document.add_paragraph("Văn phòng Sở là đầu mối theo dõi, tổng hợp, báo cáo Giám đốc Sở.")
    document.add_paragraph("PHỤ LỤC")
    document.add_paragraph(f"(Kèm theo Kế hoạch số {PLAN_NUMBER} ngày 15/01/{PLAN_YEAR} của Sở Văn hóa và Thể thao)")
    table = document.add_table(rows=len(body) + 1, cols=len(HEADER))
    grid = [row.cells for row in table.rows]  # once: table.cell() re-reads the grid at every call
    for cell, text in zip(grid[0], HEADER, strict=True):
        cell.text = text
    for cells, values in zip(grid[1:], body, strict=True):
        for cell, text in zip(cells, values, strict=True):
            if text:
                cell.text = text
    for top, bottom in merges:
        if bottom > top:
            grid[top + 1][1].merge(grid[bottom + 1][1])
    buffer = io.BytesIO()
    document.save(buffer)
    return Generated(buffer.getvalue(), "ke-hoach.docx", expected)


def office() -> list[KnownUnit]:
    """The office's units as the importer knows them (name, short name and the aliases stored on units)."""
    return [
        KnownUnit(id=index, name=name, keys=frozenset({name_key(name), name_key(short)}))
        for index, (name, short, _) in enumerate(UNITS, start=1)
    ]


# ----------------------------------------------------------------------------------------------- measuring


@dataclass
class Run:
    read: float
    extract: float
    preview: float
    cpu: float  # process CPU time of the three phases: steadier than wall time on a shared machine

    @property
    def total(self) -> float:
        return self.read + self.extract + self.preview


def import_once(generated: Generated, units: list[KnownUnit]) -> tuple[Run, ImportPreview]:
    """The chat's and the CLI's path (`bot.importing.pipeline`), timed phase by phase."""
    clock = time.perf_counter
    cpu = time.process_time()
    started = clock()
    document = read_document(generated.content, generated.name)
    read = clock()
    plan = extract_plan(document)
    plan.number = plan.number or PLAN_NUMBER
    extracted = clock()
    preview = build_preview(plan, units)
    done = clock()
    return Run(read - started, extracted - read, done - extracted, time.process_time() - cpu), preview


def problems_of(preview: ImportPreview, generated: Generated, units: list[KnownUnit]) -> list[str]:
    """Where the preview differs from what the generator wrote (at most a few, for the report)."""
    found: list[str] = []
    tasks, expected = preview.tasks, generated.expected
    if len(tasks) != len(expected):
        found.append(f"{generated.name}: {len(tasks)} tasks, {len(expected)} written")
    if preview.new_units:
        found.append(f"{generated.name}: unit names not matched: {preview.new_units[:3]}")
    everyone = len(units)
    for task, want in zip(tasks, expected, strict=False):
        got = (task.draft.title, task.lead, task.draft.area, task.reading.start, task.reading.due,
               task.reading.recurrence, len(task.roles) == everyone)  # fmt: skip
        wanted = (want.title, want.lead, want.area, want.start, want.due, want.recurrence, want.everyone)
        if got != wanted:
            found.append(f"{generated.name} {task.draft.code}: got {got}, wrote {wanted}")
        if len(found) >= 5:
            break
    return found


@dataclass
class Options:
    xlsx_rows: int = 1000
    docx_rows: int = 300
    runs: int = 5
    target: float = 2.0  # seconds per file, read + extract + preview (median)


@dataclass
class FileResult:
    name: str
    rows: int
    size_bytes: int
    tasks: int
    first_s: float  # the first import in the process (lazy imports of openpyxl / python-docx included)
    runs_s: list[float] = field(default_factory=list)
    phases_median_s: dict[str, float] = field(default_factory=dict)
    median_s: float = 0.0  # wall time, the figure the target is about
    cpu_median_s: float = 0.0
    met: bool = False


def measure(generated: Generated, rows: int, options: Options, problems: list[str]) -> FileResult:
    units = office()
    first, preview = import_once(generated, units)
    problems += problems_of(preview, generated, units)
    runs: list[Run] = []
    for _ in range(options.runs):
        run, preview = import_once(generated, units)
        problems += problems_of(preview, generated, units)
        runs.append(run)
    median = statistics.median(run.total for run in runs)
    return FileResult(
        name=generated.name, rows=rows, size_bytes=len(generated.content), tasks=len(preview.tasks),
        first_s=first.total, runs_s=[run.total for run in runs],
        phases_median_s={phase: statistics.median(getattr(run, phase) for run in runs)
                         for phase in ("read", "extract", "preview")},
        median_s=median, cpu_median_s=statistics.median(run.cpu for run in runs), met=median < options.target,
    )  # fmt: skip


def run_benchmark(options: Options) -> dict[str, Any]:
    problems: list[str] = []
    made: list[tuple[Callable[[], Generated], int]] = [
        (lambda: make_xlsx(options.xlsx_rows), options.xlsx_rows),
        (lambda: make_docx(options.docx_rows), options.docx_rows),
    ]
    files = [measure(make(), rows, options, problems) for make, rows in made]
    return {
        "benchmark": "import_speed",
        "options": asdict(options),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None},
        "files": [asdict(result) for result in files],
        "targets_met": all(result.met for result in files),
        "correct": not problems,
        "problems": problems[:20],
    }


def render(result: dict[str, Any]) -> str:
    target = result["options"]["target"]
    lines = [
        f"Import speed: read + extract + preview, median of {result['options']['runs']} runs (target < {target:g} s)",
        "",
        f"{'file':<15} {'rows':>5} {'tasks':>5} {'KiB':>6} {'read':>7} {'extract':>8} {'preview':>8} "
        f"{'median':>8} {'cpu':>7} {'first':>7}  met",
    ]
    for file in result["files"]:
        phases = file["phases_median_s"]
        lines.append(
            f"{file['name']:<15} {file['rows']:>5} {file['tasks']:>5} {file['size_bytes'] / 1024:>6.0f} "
            f"{phases['read']:>6.3f}s {phases['extract']:>7.3f}s {phases['preview']:>7.3f}s "
            f"{file['median_s']:>7.3f}s {file['cpu_median_s']:>6.3f}s {file['first_s']:>6.3f}s  "
            f"{'yes' if file['met'] else 'NO'}"
        )
    if result["problems"]:
        lines += ["", "Wrong previews:"] + [f"  ! {problem}" for problem in result["problems"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xlsx-rows", type=int, default=Options.xlsx_rows)
    parser.add_argument("--docx-rows", type=int, default=Options.docx_rows)
    parser.add_argument("--runs", type=int, default=Options.runs)
    parser.add_argument("--target", type=float, default=Options.target, help="seconds per file (median)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a file misses the target")
    args = parser.parse_args(argv)
    options = Options(xlsx_rows=args.xlsx_rows, docx_rows=args.docx_rows, runs=args.runs, target=args.target)
    result = run_benchmark(options)
    print(render(result))
    print(json.dumps(result, ensure_ascii=False, default=str))
    if not result["correct"]:
        return 2
    return 1 if args.check and not result["targets_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
