"""Tasks of task tables, wherever they are (appendices mostly), read by column meaning.

Rows are grouped by their TT: a row with a blank TT (or a TT merged from above, or the same TT again) continues
the group above. A group with one task is coded "PL1.5"; a group with several, or a heading row ending with ":"
followed by sub-items, gives "PL1.5.a", "PL1.5.b"… A merged cell means "same as above" in any column; a blank
lead, area or component cell means "same as above" too; a blank deadline in a group takes the group heading's.
A table without a header row right after a task table of the same width continues it (a text dump cuts a table
at each blank line). Tables before any "PHỤ LỤC" caption are coded "B1", "B2"….
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.importing.blocks import MERGED_FROM_ABOVE, MERGED_FROM_LEFT, Document, Paragraph, Table
from bot.importing.draft import DraftTask
from bot.importing.extract import cells as shape
from bot.importing.extract.headers import (
    AREA,
    COMPONENT,
    COORDINATE,
    DEADLINE,
    EXECUTORS,
    LEAD,
    RESULT,
    SUPERVISE,
    TASK,
    TT,
    find_header,
)
from bot.importing.extract.prose import Positioned, apply_units, finish
from bot.importing.extract.text import clean, key, letter, one_line, roman_value, sentence_case, strip_heading
from bot.importing.extract.vocab import is_timing_phrase, papi_dimension

_CAPTION = re.compile(r"^phu luc(?: so)?(?: (?P<number>\d{1,2}|[ivx]{1,4})\b)?")


@dataclass
class _Group:
    tt: str
    section: str | None
    heading: str | None = None
    deadline: str = ""
    tasks: list[DraftTask] = field(default_factory=list)


@dataclass
class _Table:
    columns: dict[str, int]
    width: int
    prefix: str
    label: str
    papi: bool = False  # the area column is "Chỉ số nội dung": PAPI dimensions, named as DOMAIN.md does
    section: str | None = None
    area_heading: str | None = None
    above: dict[str, str] = field(default_factory=dict)
    groups: list[_Group] = field(default_factory=list)


def _caption_number(text: str, seen: int) -> int | None:
    match = _CAPTION.match(key(text.split("\n")[0])) if len(text) < 300 else None
    if not match:
        return None
    number = match.group("number")
    if not number:
        return seen + 1
    return int(number) if number.isdigit() else roman_value(number.upper())


class _Reader:
    def __init__(self, table: _Table, follow_up: str | None, year: int | None) -> None:
        self.t, self.follow_up, self.year = table, follow_up, year
        self.made: list[DraftTask] = []  # every task of the table, in reading order
        self.numbered = 0  # groups with a TT of their own (or numbered here when the table has no TT column)

    def raw(self, cells: list[str], role: str) -> str | None:
        index = self.t.columns.get(role)
        return None if index is None else cells[index]

    def value(self, cells: list[str], role: str, inherit: bool) -> str | None:
        """The cell's text for `role`, merged cells (and blank ones when `inherit`) taken from above."""
        raw = self.raw(cells, role)
        if raw is None:
            return None
        if raw == MERGED_FROM_ABOVE or (inherit and raw in ("", MERGED_FROM_LEFT)):
            return self.t.above.get(role, "")
        text = "" if raw == MERGED_FROM_LEFT else raw
        self.t.above[role] = text
        return text

    def row(self, cells: list[str]) -> None:
        t = self.t
        if shape.is_filler(cells):
            return
        heading = shape.section_heading(cells, t.columns.get(TT), t.columns.get(LEAD))
        if heading:
            t.section = heading[0] if heading[0].isupper() else t.section
            t.area_heading = sentence_case(strip_heading(heading[1])) or t.area_heading
            t.groups.append(_Group(tt="", section=t.section))
            return
        tt_raw = self.raw(cells, TT)
        tt = (
            ""
            if tt_raw in (None, MERGED_FROM_ABOVE, MERGED_FROM_LEFT)
            else one_line(tt_raw or "").strip(" .")
        )
        group = t.groups[-1] if t.groups and t.groups[-1].tt else None
        raw_task = self.raw(cells, TASK if TASK in t.columns else COMPONENT) or ""
        continues = group is not None and (tt in ("", group.tt) or (tt.isalpha() and len(tt) == 1))
        if TT not in t.columns:
            continues = group is not None and raw_task in ("", MERGED_FROM_ABOVE)
        if not continues or group is None:
            self.numbered += 1
            group = _Group(tt=tt or str(self.numbered), section=t.section)
            t.groups.append(group)
        self.fill(cells, group, continues, raw_task)

    def fill(self, cells: list[str], group: _Group, continues: bool, raw_task: str) -> None:
        lead_raw = self.raw(cells, LEAD)
        lead = self.value(cells, LEAD, inherit=True)
        area = self.value(cells, AREA, inherit=True)
        component = self.value(cells, COMPONENT, inherit=True)
        deadline = self.value(cells, DEADLINE, inherit=False) or (group.deadline if continues else "")
        executors = self.value(cells, EXECUTORS, inherit=False)
        coordinate = self.value(cells, COORDINATE, inherit=False)
        supervise = self.value(cells, SUPERVISE, inherit=False)
        result = one_line(self.value(cells, RESULT, inherit=False) or "")
        text = "" if raw_task in (MERGED_FROM_ABOVE, MERGED_FROM_LEFT) else clean(raw_task)
        heading, items = shape.sub_items(text)
        if not items and text.endswith(":"):
            group.heading, group.deadline = strip_heading(one_line(text)), deadline
            return
        titles = [f"{heading}: {item}" if heading else item for item in items]
        if not titles and text:
            plain = one_line(text)
            titles = [
                f"{group.heading}: {shape.strip_marker(plain)}" if group.heading and continues else plain
            ]
        elif not titles:
            new_lead = lead_raw not in (None, "", MERGED_FROM_ABOVE, MERGED_FROM_LEFT)
            previous = group.heading or (group.tasks[-1].title if group.tasks else None)
            if not (new_lead and previous):
                return
            titles = [previous]
        titles = [title for title in titles if any(char.isalnum() for char in title)]
        leads = shape.per_item(lead_raw, len(titles)) or [lead or ""] * len(titles)
        deadlines = shape.per_item(self.raw(cells, DEADLINE), len(titles)) or [deadline] * len(titles)
        for title, one_lead, one_deadline in zip(titles, leads, deadlines, strict=True):
            task = DraftTask(
                code="", title=title, expected_result=result or None, component=component or None
            )
            apply_units(task, one_lead, executors, coordinate, supervise)
            named = (papi_dimension(area) if self.t.papi else None) or strip_heading(one_line(area or ""))
            task.area = named or self.t.area_heading
            task.deadline_text = one_line(one_deadline) or None
            if DEADLINE not in self.t.columns and is_timing_phrase(result):
                task.deadline_text = result
            group.tasks.append(finish(task, self.follow_up, self.year))
            self.made.append(task)

    def codes(self) -> None:
        for group in self.t.groups:
            base = ".".join(part for part in (self.t.prefix, group.section, group.tt) if part)
            where = ", ".join(p for p in (self.t.label, f"mục {group.section}" if group.section else "") if p)
            lettered = len(group.tasks) > 1 or group.heading is not None
            for index, task in enumerate(group.tasks):
                task.code = f"{base}.{letter(index)}" if lettered else base
                task.source = f"{where}, dòng {group.tt}"


def table_tasks(document: Document, follow_up: str | None, year: int | None) -> list[Positioned]:
    """Tasks of every task table of the document, in reading order."""
    found: list[Positioned] = []
    appendix: int | None = None
    captions = body_tables = 0
    current: _Reader | None = None
    tables_in_appendix: dict[int, int] = {}
    for position, block in enumerate(document.blocks):
        if isinstance(block, Paragraph):
            number = _caption_number(clean(block.text), captions)
            if number is not None:
                appendix, captions, current = number, captions + 1, None
            continue
        if not isinstance(block, Table) or not block.rows:
            continue
        width = max(len(row) for row in block.rows)
        header = find_header(block.rows)
        if header is None and (current is None or width != current.t.width):
            continue
        if header is not None:
            index, roles = header
            if appendix is None:
                body_tables += 1
                prefix, label = f"B{body_tables}", f"Bảng {body_tables}"
            else:
                tables_in_appendix[appendix] = tables_in_appendix.get(appendix, 0) + 1
                extra = tables_in_appendix[appendix]
                prefix = f"PL{appendix}" + (letter(extra - 1) if extra > 1 else "")
                label = f"Phụ lục {appendix}"
            columns = {role: column for column, role in roles.items()}
            papi = AREA in columns and key(block.rows[index][columns[AREA]]).startswith("chi so")
            current = _Reader(_Table(columns, width, prefix, label, papi), follow_up, year)
            data = block.rows[index + 1 :]
        elif current is not None:
            data = block.rows
        else:
            continue
        for number, row in enumerate(data):
            before = len(current.made)
            current.row(shape.normalise(row, current.t.width))
            found.extend(((position, number * 100 + i), task) for i, task in enumerate(current.made[before:]))
        current.codes()
    return found
