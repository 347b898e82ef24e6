"""What a reader extracts from a document, before deadlines are read and unit names matched to known units.

Readers (one per format) only transcribe: unit names stay as the document writes them, deadline phrases stay
phrases. `ALL_UNITS` stands for "Các phòng, ban, đơn vị thuộc Sở" (every unit of the department).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ALL_UNITS = "*"


@dataclass
class DraftTask:
    code: str  # stable within the plan: "II.1.a" for prose, "PL1.5.b" for appendix 1 row 5 sub-item b
    title: str
    lead: list[str] = field(default_factory=list)  # unit names as written, or ALL_UNITS
    coordinate: list[str] = field(default_factory=list)
    supervise: list[str] = field(default_factory=list)
    deadline_text: str | None = None
    expected_result: str | None = None
    area: str | None = None  # PAPI dimension / reform area / section heading
    component: str | None = None  # Nội dung thành phần
    source: str = ""  # where in the document, for the preview: "Phụ lục 1, dòng 5", "Mục II.1"
    flags: list[str] = field(default_factory=list)  # e.g. "no_lead" when the reader had to fall back


@dataclass
class DraftPlan:
    number: str | None = None  # "435/KH-SVHTT"
    title: str | None = None
    issued_on: date | None = None
    issuer: str | None = None
    place: str | None = None
    follow_up_office: str | None = None  # who leads where the plan names no unit (usually "Văn phòng Sở")
    tasks: list[DraftTask] = field(default_factory=list)
    stated_year: int | None = None  # the year the plan names ("… năm 2023") when it shows no date

    @property
    def year(self) -> int | None:
        """The plan's year: that of its date, else the one it names. Deadline phrases without a year take it."""
        return self.issued_on.year if self.issued_on else self.stated_year


class UnreadableDocument(Exception):
    """The file cannot be read as a plan; `reason` is a message key for the user."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        # "empty" | "no_tasks" | "no_header" (a spreadsheet) | "corrupt" | "too_big" | "encrypted" | "scanned" | "format"
        self.reason = reason
        self.detail = detail
