"""The plain plan summary (/tonghop): tasks in the official categories, overall and per lead unit."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.deadlines import office_date
from storage import plans, statuses, units
from storage.models import Plan, Status, StatusReport, UnitRole


class Category(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    OPEN_ON_TIME = "open_on_time"
    OPEN_OVERDUE = "open_overdue"
    NO_DEADLINE = "no_deadline"


def categorise(due: date | None, report: StatusReport | None, *, today: date, zone: ZoneInfo) -> Category:
    """The reporting category of one (task, lead unit) pair on `today`."""
    if report is not None and report.status == Status.DONE:
        if due is None or office_date(report.created_at, zone) <= due:
            return Category.DONE_ON_TIME
        return Category.DONE_LATE
    if due is None:
        return Category.NO_DEADLINE
    return Category.OPEN_OVERDUE if due < today else Category.OPEN_ON_TIME


@dataclass
class UnitRow:
    name: str
    counts: Counter[Category] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class PlanSummary:
    plan: Plan
    today: date
    counts: Counter[Category]
    units: list[UnitRow]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _task_category(pair_categories: list[Category]) -> Category:
    """A task is as late as its latest lead unit: any open lead keeps it open."""
    order = [Category.OPEN_OVERDUE, Category.OPEN_ON_TIME, Category.NO_DEADLINE, Category.DONE_LATE, Category.DONE_ON_TIME]
    return min(pair_categories, key=order.index)


async def summarise_plan(
    session: AsyncSession, *, plan: Plan, today: date, zone: ZoneInfo, unit_id: int | None = None
) -> PlanSummary:
    """Counts for a plan; with `unit_id`, only that unit's lead assignments."""
    assert plan.id is not None
    latest = await statuses.latest_statuses(session)
    per_task: dict[int, list[Category]] = {}
    per_unit: dict[int, UnitRow] = {}
    for task, link in await plans.assignments(session, plan_id=plan.id, unit_id=unit_id):
        if link.role != UnitRole.LEAD:
            continue
        category = categorise(task.due, latest.get((link.task_id, link.unit_id)), today=today, zone=zone)
        per_task.setdefault(link.task_id, []).append(category)
        if link.unit_id not in per_unit:
            unit = await units.get_unit(session, unit_id=link.unit_id)
            assert unit is not None
            per_unit[link.unit_id] = UnitRow(unit.short_name or unit.name)
        per_unit[link.unit_id].counts[category] += 1
    counts = Counter(_task_category(categories) for categories in per_task.values())
    rows = sorted(per_unit.values(), key=lambda row: (-row.counts[Category.OPEN_OVERDUE], row.name))
    return PlanSummary(plan=plan, today=today, counts=counts, units=rows)
