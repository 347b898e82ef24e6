"""The plan summary (/tonghop, /donvi, /quahan for the chief, the weekly digest), built from `plan_status`.

Figures: tasks in the official categories (a task with several lead units counts once, as its furthest-behind
lead unit), a row per lead unit (its lead assignments, on-time rate, overdue count, last reply), a row per
dimension (`Task.area`), the overdue and blocked assignments, pending extension requests, and the silent units.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.deadlines import office_date
from bot.services.plan_counts import PlanCounts, plan_counts
from bot.services.plan_status import SETTLED, AssignmentRow, Category, LateRule, assignment_rows
from scheduler.calendar import WorkingCalendar
from storage.models import ExtensionRequest, ExtensionState, Plan, Task, Unit, UnitRole

# Units owe replies on what they lead or coordinate; supervising units do not report.
REPORTING_ROLES = (UnitRole.LEAD, UnitRole.COORDINATE)


def on_time_rate(counts: Counter[Category]) -> float | None:
    """Share of the tasks whose date has come (done, or open past due) that were done on time; None if none has."""
    judged = counts[Category.DONE_ON_TIME] + counts[Category.DONE_LATE] + counts[Category.OPEN_OVERDUE]
    return counts[Category.DONE_ON_TIME] / judged if judged else None


class UnitInfo(NamedTuple):
    """A unit's id and names (plain, so a summary of 2,000 units builds no ORM objects)."""

    id: int
    name: str
    short_name: str | None


class _Tallies:
    """Totals over a `counts` Counter of categories, for any row of a summary."""

    counts: Counter[Category]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts[Category.DONE_ON_TIME] + self.counts[Category.DONE_LATE]

    @property
    def overdue(self) -> int:
        return self.counts[Category.OPEN_OVERDUE]


@dataclass
class UnitRow(_Tallies):
    unit: UnitInfo
    counts: Counter[Category] = field(default_factory=Counter)  # its lead assignments
    last_reply: datetime | None = None  # its latest report on any task of the plan

    @property
    def name(self) -> str:
        return self.unit.short_name or self.unit.name

    @property
    def on_time_rate(self) -> float | None:
        return on_time_rate(self.counts)


@dataclass
class AreaRow(_Tallies):
    name: str | None  # None: tasks the plan put under no dimension
    counts: Counter[Category] = field(default_factory=Counter)  # its tasks


@dataclass(frozen=True)
class SilentUnit:
    unit: UnitInfo
    last_reply: date | None  # None: never replied on this plan
    working_days: int  # working days since the last reply (or since the plan was issued)


@dataclass
class PlanSummary:
    plan: Plan
    today: date
    rule: LateRule
    counts: Counter[Category]  # per task
    units: list[UnitRow]  # most overdue first
    areas: list[AreaRow]  # in plan order
    overdue: int  # lead assignments open past due
    blocked: int  # open assignments whose latest report is "blocked"
    silent: list[SilentUnit]
    pending_extensions: int
    silent_after: int
    plan_counts: PlanCounts = field(repr=False)
    unit_names: dict[int, UnitInfo] = field(repr=False, default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def on_time_rate(self) -> float | None:
        return on_time_rate(self.counts)


async def unit_infos(session: AsyncSession) -> dict[int, UnitInfo]:
    rows = await session.exec(select(Unit.id, Unit.name, Unit.short_name))
    return {row[0]: UnitInfo(*row) for row in rows.all()}


async def area_keys(session: AsyncSession, *, plan_id: int) -> list[str | None]:
    """The plan's dimensions in plan order (of their first task): a button names one by its index here."""
    rows = await session.exec(
        select(Task.area, func.min(Task.id)).where(Task.plan_id == plan_id, Task.removed_at.is_(None))  # type: ignore[union-attr]
        .group_by(Task.area).order_by(func.min(Task.id)))
    return [area for area, _ in rows.all()]


async def summarise_plan(
    session: AsyncSession, *, plan: Plan, today: date, zone: ZoneInfo, unit_id: int | None = None,
    rule: LateRule = LateRule.APPROVED, calendar: WorkingCalendar | None = None, silent_after: int = 10,
    since: datetime | None = None,
) -> PlanSummary:
    """Everything /tonghop shows for a plan (with `unit_id`, only that unit's part), counted by the database
    (`plan_counts.plan_counts`). `since` also counts what changed since then (the weekly digest)."""
    assert plan.id is not None
    counts = await plan_counts(session, plan_id=plan.id, today=today, zone=zone, unit_id=unit_id, rule=rule,
                               roles=tuple(REPORTING_ROLES), since=since,
                               since_day=office_date(since, zone) if since else None)
    names = await unit_infos(session)
    units: dict[int, UnitRow] = {}
    overdue = blocked = 0
    for group in counts.groups:
        unit = units.get(group.unit_id)
        if unit is None:
            unit = units[group.unit_id] = UnitRow(names[group.unit_id])
        if group.last_report is not None and (unit.last_reply is None or group.last_report > unit.last_reply):
            unit.last_reply = group.last_report
        if group.blocked and group.category not in SETTLED:
            blocked += group.count
        if group.role == UnitRole.LEAD:
            unit.counts[group.category] += group.count
            if group.category == Category.OPEN_OVERDUE:
                overdue += group.count
    order = await area_keys(session, plan_id=plan.id)
    areas = {key: AreaRow(key) for key in order}
    task_counts: Counter[Category] = Counter()
    for area, category, count in counts.tasks:
        areas.setdefault(area, AreaRow(area)).counts[category] += count
        task_counts[category] += count
    leads = [row for row in units.values() if row.total]
    leads.sort(key=lambda row: (-row.overdue, row.name))
    calendar = calendar or WorkingCalendar()
    since_plan = plan.issued_on or office_date(plan.created_at, zone)
    silent = []
    for unit_key in counts.open_units:
        unit = units[unit_key]
        last = office_date(unit.last_reply, zone) if unit.last_reply else None
        quiet = calendar.working_days_after(last or since_plan, today)
        if quiet > silent_after:
            silent.append(SilentUnit(unit.unit, last, quiet))
    silent.sort(key=lambda s: (-s.working_days, s.unit.short_name or s.unit.name))
    return PlanSummary(
        plan=plan, today=today, rule=rule, counts=task_counts, units=leads,
        areas=[row for row in areas.values() if row.total], overdue=overdue, blocked=blocked, silent=silent,
        pending_extensions=await pending_extensions(session, plan_id=plan.id, unit_id=unit_id),
        silent_after=silent_after, plan_counts=counts, unit_names=names,
    )


async def overdue_rows(session: AsyncSession, *, plan: Plan, today: date, zone: ZoneInfo, rule: LateRule,
                       unit_id: int | None) -> list[AssignmentRow]:
    """The lead assignments open past due, most days late first (a drill-down reads the rows)."""
    assert plan.id is not None
    rows = await assignment_rows(session, plan_id=plan.id, today=today, zone=zone, unit_id=unit_id, rule=rule,
                                 roles=(UnitRole.LEAD,))
    return sorted((r for r in rows if r.category == Category.OPEN_OVERDUE),
                  key=lambda r: (-r.days_late(today), r.task_id, r.unit_id))


async def blocked_rows(session: AsyncSession, *, plan: Plan, today: date, zone: ZoneInfo, rule: LateRule,
                       unit_id: int | None) -> list[AssignmentRow]:
    """Open assignments (lead or coordinating) whose latest report says blocked, in task order."""
    assert plan.id is not None
    rows = await assignment_rows(session, plan_id=plan.id, today=today, zone=zone, unit_id=unit_id, rule=rule,
                                 roles=REPORTING_ROLES)
    return [r for r in rows if r.blocked and r.category not in SETTLED]


async def lead_rows(session: AsyncSession, *, plan: Plan, today: date, zone: ZoneInfo, rule: LateRule,
                    unit_id: int | None) -> list[AssignmentRow]:
    assert plan.id is not None
    return await assignment_rows(session, plan_id=plan.id, today=today, zone=zone, unit_id=unit_id, rule=rule,
                                 roles=(UnitRole.LEAD,))


async def pending_extensions(session: AsyncSession, *, plan_id: int, unit_id: int | None = None) -> int:
    query = (
        select(func.count()).select_from(ExtensionRequest).join(Task, Task.id == ExtensionRequest.task_id)
        .where(Task.plan_id == plan_id, ExtensionRequest.state == ExtensionState.PENDING)
    )
    if unit_id is not None:
        query = query.where(ExtensionRequest.unit_id == unit_id)
    return int((await session.exec(query)).scalar_one())


async def unit_rows(
    session: AsyncSession, *, plan: Plan, unit_id: int, today: date, zone: ZoneInfo, rule: LateRule,
) -> list[AssignmentRow]:
    """One unit's assignments on a plan (every role), for /donvi."""
    assert plan.id is not None
    return await assignment_rows(session, plan_id=plan.id, today=today, zone=zone, unit_id=unit_id, rule=rule)


async def tasks_by_id(session: AsyncSession, task_ids: list[int]) -> dict[int, Task]:
    """The few tasks a list shows (a summary itself loads none)."""
    if not task_ids:
        return {}
    rows = await session.exec(select(Task).where(Task.id.in_(task_ids)))  # type: ignore[union-attr]
    return {task.id: task for task in rows.scalars()}  # type: ignore[misc]
