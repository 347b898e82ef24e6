"""The prose's structure: every task-like entry with its code, area and heading units, and the field blocks.

Codes: "II.1.a" is section II, item 1, the item's first bullet; "II.3" is item 3's own text when it is a task;
"II.2.b.1" is the first entry under sub-item b) of item 2 ("II.2.b" when it is the only one); "III.1.b.2" the
second "+" line under bullet b. A heading ("1. Công tác tuyên truyền, quán triệt:") is not a task: it becomes
the area of what follows it; a heading that names units ("b) UBND các quận, huyện thị xã") leads what follows.
Purpose-like sections (I. MỤC ĐÍCH, YÊU CẦU) and target sub-items ("a) Chỉ tiêu") are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.importing.extract.lines import BULLET, FIELD, FOOTNOTE, ITEM, PLUS, SECTION, SUB, TEXT, Line
from bot.importing.extract.text import letter, sentence_case, strip_heading
from bot.importing.extract.units import looks_like_unit_heading, split_units
from bot.importing.extract.vocab import is_generic_heading, is_target_heading, names_area, section_kind

_HEAD_AND_TASK = re.compile(r"^(?P<head>[^:.;]{3,80}):\s+(?P<rest>\S.{19,})$")


@dataclass
class Entry:
    code: str
    title: str
    section_kind: str  # "tasks" | "organisation"
    section_heading: str
    scope: str  # the item (or section) a field block applies within
    source: str
    position: int
    area: str | None = None
    component: str | None = None
    heading_units: list[str] = field(default_factory=list)
    item_heading: str | None = None


@dataclass
class FieldBlock:
    fields: dict[str, str]
    scope: str
    section_kind: str
    position: int


@dataclass
class _State:
    section: str = ""
    kind: str = "tasks"
    heading: str = ""
    area: str | None = None
    item: str | None = None
    item_heading: str | None = None
    item_area: str | None = None
    item_units: list[str] = field(default_factory=list)
    target: bool = False  # the item is a target ("1. Mục tiêu"): its body is skipped
    count: int = 0  # entries directly under the item (or section)
    sub: str | None = None
    sub_kind: str = ""
    sub_area: str | None = None
    sub_component: str | None = None
    sub_units: list[str] = field(default_factory=list)
    sub_count: int = 0
    bullet: str | None = None
    plus_count: int = 0


def _next(lines: list[Line], index: int) -> Line | None:
    for line in lines[index + 1 :]:
        if line.kind != FOOTNOTE:
            return line
    return None


def _head_and_task(text: str) -> tuple[str, str] | None:
    """ "Công tác thanh tra, kiểm tra: Tăng cường …" → (heading, task); the task must start a sentence."""
    match = _HEAD_AND_TASK.match(text)
    if match and match.group("rest")[:1].isupper():
        return match.group("head").strip(), match.group("rest").strip()
    return None


def _is_heading(text: str, following: Line | None) -> bool:
    if text.endswith(":"):
        return True
    body_follows = following is not None and following.kind in (SUB, BULLET, PLUS, TEXT)
    return len(text) <= 150 and not text.endswith((".", ";")) and body_follows


class _Walker:
    def __init__(self, lines: list[Line], implicit: bool) -> None:
        self.lines = lines
        self.implicit = implicit
        self.state = _State(kind="tasks" if implicit else "skip")
        self.nodes: list[Entry | FieldBlock] = []
        self.subs: dict[str, list[int]] = {}

    def code(self, *parts: str) -> str:
        return ".".join(part for part in (self.state.section, *parts) if part)

    def scope(self) -> str:
        return self.code(self.state.item or "")

    def emit(self, code: str, title: str, line: Line) -> None:
        s = self.state
        if not any(char.isalnum() for char in title):
            return
        sub_code = self.code(s.item or "", s.sub) if s.sub else None
        self.nodes.append(
            Entry(
                code=code,
                title=title,
                section_kind=s.kind,
                section_heading=s.heading,
                scope=self.scope(),
                source=f"Mục {where}" if (where := sub_code or self.scope() or s.section) else "",
                position=line.position,
                area=s.sub_area or s.item_area or s.area,
                component=s.sub_component,
                heading_units=list(s.sub_units or s.item_units),
                item_heading=s.item_heading,
            )
        )
        if sub_code and code.startswith(sub_code + "."):
            self.subs.setdefault(sub_code, []).append(len(self.nodes) - 1)

    def walk(self) -> list[Entry | FieldBlock]:
        for index, line in enumerate(self.lines):
            if line.kind == SECTION:
                self.section(line)
            elif (
                self.state.kind == "skip"
                or line.kind == FOOTNOTE
                or (self.state.target and line.kind != ITEM)
            ):
                continue
            elif line.kind == ITEM:
                self.item(line, _next(self.lines, index))
            elif line.kind == SUB:
                self.sub(line, _next(self.lines, index))
            elif line.kind in (BULLET, TEXT):
                self.body(line, _next(self.lines, index))
            elif line.kind == PLUS:
                self.plus(line)
            elif line.kind == FIELD:
                self.field(line, index)
        for sub_code, indices in self.subs.items():
            entry = self.nodes[indices[0]]
            if len(indices) == 1 and isinstance(entry, Entry) and entry.code == f"{sub_code}.1":
                entry.code = sub_code
        return self.nodes

    def section(self, line: Line) -> None:
        heading = strip_heading(line.text)
        area = sentence_case(heading) if names_area(heading) else None
        self.state = _State(section=line.label, kind=section_kind(heading), heading=heading, area=area)

    def item(self, line: Line, following: Line | None) -> None:
        s = self.state
        s.item, s.item_heading, s.item_area, s.item_units, s.count = line.label, None, s.area, [], 0
        s.target = False
        s.sub, s.sub_area, s.sub_component, s.sub_units, s.bullet = None, None, None, [], None
        split = _head_and_task(line.text)
        if split:
            s.item_heading = split[0]
            if looks_like_unit_heading(split[0]):
                s.item_units = split_units(split[0])
            else:
                s.item_area = split[0]
            self.emit(self.code(line.label), split[1], line)
        elif _is_heading(line.text, following):
            s.item_heading = strip_heading(line.text)
            s.target = is_target_heading(s.item_heading)
            if looks_like_unit_heading(s.item_heading):
                s.item_units = split_units(s.item_heading)
            elif not is_generic_heading(s.item_heading):
                s.item_area = s.item_heading
        else:
            self.emit(self.code(line.label), line.text, line)

    def sub(self, line: Line, following: Line | None) -> None:
        s = self.state
        s.sub, s.sub_count, s.sub_area, s.sub_component, s.sub_units = line.label, 0, None, None, []
        s.bullet = None
        split = _head_and_task(line.text)
        if is_target_heading(line.text.split(":")[0]) and ":" in line.text[:40]:
            s.sub_kind = "target"  # "a) Chỉ tiêu: 100% …"
            return
        if not split and not _is_heading(line.text, following):
            s.sub_kind = "task"
            self.emit(self.code(s.item or "", line.label), line.text, line)
            return
        self.sub_heading(split[0] if split else strip_heading(line.text))
        if split and s.sub_kind != "target":
            self.emit(self.code(s.item or "", line.label), split[1], line)

    def sub_heading(self, heading: str) -> None:
        """What a sub-item heading says: targets to skip, units that lead, or a topic (area / component)."""
        s = self.state
        if is_target_heading(heading):
            s.sub_kind = "target"
        elif looks_like_unit_heading(heading):
            s.sub_kind, s.sub_units = "units", split_units(heading)
        elif is_generic_heading(heading):
            s.sub_kind = "generic"
        else:
            s.sub_kind = "topic"
            if s.item_area and s.item_area != s.area:
                s.sub_area, s.sub_component = s.item_area, heading
            else:
                s.sub_area = heading

    def body(self, line: Line, following: Line | None) -> None:
        s = self.state
        if (s.sub and s.sub_kind == "target") or (self.implicit and not s.item and line.kind == TEXT):
            return
        if not s.item and line.kind == TEXT and line.text.endswith(":"):
            return  # an introduction: "… cụ thể như sau:"
        if s.sub:
            s.sub_count += 1
            code = self.code(s.item or "", s.sub, str(s.sub_count))
        else:
            s.count += 1
            code = self.code(s.item or "", letter(s.count - 1))
        s.bullet, s.plus_count = code, 0
        if not (line.text.endswith(":") and following is not None and following.kind == PLUS):
            self.emit(code, line.text, line)

    def plus(self, line: Line) -> None:
        s = self.state
        if s.bullet is None or (s.sub and s.sub_kind == "target"):
            self.body(line, None)
            return
        s.plus_count += 1
        self.emit(f"{s.bullet}.{s.plus_count}", line.text, line)

    def field(self, line: Line, index: int) -> None:
        previous = self.lines[index - 1] if index else None
        last = self.nodes[-1] if self.nodes else None
        if previous is not None and previous.kind == FIELD and isinstance(last, FieldBlock):
            last.fields.setdefault(line.role or "", line.text)
            return
        block = FieldBlock({line.role or "": line.text}, self.scope(), self.state.kind, line.position)
        self.nodes.append(block)


def read_outline(lines: list[Line]) -> list[Entry | FieldBlock]:
    """Entries and field blocks of the task and organisation sections, in document order.

    A document without roman-numbered sections is read as one task section only when it has field lines
    ("Đơn vị chủ trì: …"); otherwise its prose holds no tasks.
    """
    has_sections = any(line.kind == SECTION for line in lines)
    implicit = not has_sections and any(line.kind == FIELD for line in lines)
    return _Walker(lines, implicit).walk()
