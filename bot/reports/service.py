"""Make the periodic report of a plan: find the plan, gather its figures, and build the files."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import DomainError
from bot.reports.data import ReportData, gather
from bot.reports.docx_report import build_docx
from bot.reports.letterhead import Letterhead
from bot.reports.periods import ReportPeriod
from bot.reports.xlsx_appendix import build_xlsx
from storage import plans
from storage.models import Member, Plan, Role, Unit
from storage.reminders import load_rules

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MIME = "application/zip"


class ReportProblem(DomainError):
    """Why no report can be made: "no_plan" (none added yet) or "unknown_plan" (`number` names none)."""

    def __init__(self, reason: str, number: str = "") -> None:
        super().__init__(reason, number)
        self.reason = reason
        self.number = number


@dataclass(frozen=True)
class ReportFiles:
    data: ReportData
    docx: bytes | None
    xlsx: bytes

    @property
    def stem(self) -> str:
        return file_stem(self.data.plan, self.data.period)


def file_stem(plan: Plan, period: ReportPeriod) -> str:
    """An ASCII-safe name part: "435-KH-SVHTT_2023-Q3"."""
    number = re.sub(r"[^0-9A-Za-z]+", "-", plan.number).strip("-") or "KH"
    return f"{number}_{period.key}"


async def find_plan(session: AsyncSession, number: str | None) -> Plan:
    """The plan a number names, or the current plan when none is given."""
    plan = await (plans.find_plan(session, number=number) if number else plans.current_plan(session))
    if plan is None:
        raise ReportProblem("unknown_plan" if number else "no_plan", number or "")
    return plan


async def make_report(
    session: AsyncSession, *, plan: Plan, period: ReportPeriod, today: date, zone: ZoneInfo,
    head: Letterhead | None, unit: Unit | None = None,
) -> ReportFiles:
    """The .xlsx appendix, and the .docx when a letterhead is given; built off the event loop."""
    default, per_plan = await load_rules(session)
    reporting_day = per_plan.get(plan.id, default).reporting_day  # type: ignore[arg-type]
    data = await gather(session, plan=plan, period=period, today=today, zone=zone, unit=unit,
                        reporting_day=reporting_day)
    docx = await asyncio.to_thread(build_docx, data, head) if head is not None else None
    xlsx = await asyncio.to_thread(build_xlsx, data)
    return ReportFiles(data=data, docx=docx, xlsx=xlsx)


FULL_REPORT = frozenset({Role.CHIEF, Role.LEADERSHIP, Role.ADMIN})


@dataclass(frozen=True)
class ReportScope:
    """What a member may export: the whole report, or (a unit head) their unit's rows of the appendix."""

    unit_id: int | None

    @property
    def full(self) -> bool:
        return self.unit_id is None


def report_scope(member: Member) -> ReportScope | None:
    """None when the member may not have the report (officers; a unit head without a unit)."""
    if member.role in FULL_REPORT:
        return ReportScope(unit_id=None)
    if member.role == Role.UNIT_HEAD and member.unit_id is not None:
        return ReportScope(unit_id=member.unit_id)
    return None
