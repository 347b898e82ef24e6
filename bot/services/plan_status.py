"""Where each assignment of a plan stands: the one row-level truth every summary, digest and report is built from.

One `AssignmentState` per (task, unit): the plan's due date and the unit's (after an approved extension), the
latest report, the evidence count, and the official category. Which date "late" is judged against is the
office's rule: the approved date (default) or the plan's original one; both are always carried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.deadlines import office_date
from scheduler.periods import period_of
from storage.models import (
    Evidence,
    ExtensionRequest,
    ExtensionState,
    Member,
    Recurrence,
    Status,
    StatusReport,
    Task,
    TaskUnit,
    Unit,
)


class Category(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    OPEN_ON_TIME = "open_on_time"
    OPEN_OVERDUE = "open_overdue"
    PERIOD_REPORTED = "period_reported"  # continuous/recurring: this period's update is in
    PERIOD_PENDING = "period_pending"  # continuous/recurring: not yet this period
    NO_DEADLINE = "no_deadline"  # a one-off task the plan gave no date


# Most pressing first: a task with several lead units is as far behind as its furthest-behind lead unit.
SEVERITY: tuple[Category, ...] = (
    Category.OPEN_OVERDUE, Category.PERIOD_PENDING, Category.OPEN_ON_TIME, Category.NO_DEADLINE,
    Category.DONE_LATE, Category.PERIOD_REPORTED, Category.DONE_ON_TIME,
)
DONE = frozenset({Category.DONE_ON_TIME, Category.DONE_LATE})


class LateRule(StrEnum):
    APPROVED = "approved"  # late against the extended date when an extension was approved (default)
    ORIGINAL = "original"  # late against the plan's own date, always


class _Judged:
    """What follows from an assignment's dates, status and category; shared by `AssignmentState` and
    `AssignmentRow`, which carry the same fields."""

    __slots__ = ()  # keeps AssignmentRow's slots: a plan can have 100,000 of them
    original_due: date | None
    approved_due: date | None
    status: str | None
    category: Category
    judged_due: date | None
    reported_on: date | None

    @property
    def due(self) -> date | None:
        """The unit's working due date: the approved one when there is one."""
        return self.approved_due or self.original_due

    @property
    def blocked(self) -> bool:
        return self.status == Status.BLOCKED

    def days_late(self, today: date) -> int:
        """Calendar days past the judged due date: until today while open, until the report when done late."""
        if self.judged_due is None:
            return 0
        if self.category == Category.OPEN_OVERDUE:
            return (today - self.judged_due).days
        if self.category == Category.DONE_LATE and self.reported_on is not None:
            return (self.reported_on - self.judged_due).days
        return 0


@dataclass(frozen=True)
class AssignmentState(_Judged):
    task: Task
    unit: Unit
    role: str
    original_due: date | None
    approved_due: date | None  # None: no approved extension
    status: str | None  # latest report's status, None when the unit never reported
    percent: int | None
    note: str | None
    reported_at: datetime | None
    reported_by: str | None
    evidence_count: int
    category: Category
    judged_due: date | None = None  # the date the office's rule judges lateness by
    reported_on: date | None = None  # the office date of the latest report


def categorise(
    *, recurrence: str, due: date | None, status: str | None, reported_on: date | None, today: date,
    reporting_day: int = 20,
) -> Category:
    """The official category of one assignment on `today`; `due` is the date the office's rule judges by."""
    if recurrence != Recurrence.NONE:
        start = period_start(recurrence, today)
        if start is not None and reported_on is not None and reported_on >= start:
            return Category.PERIOD_REPORTED
        return Category.PERIOD_PENDING
    if status == Status.DONE:
        if due is None or (reported_on is not None and reported_on <= due):
            return Category.DONE_ON_TIME
        return Category.DONE_LATE
    if due is None:
        return Category.NO_DEADLINE
    return Category.OPEN_OVERDUE if due < today else Category.OPEN_ON_TIME


@lru_cache(maxsize=256)
def period_start(recurrence: str, today: date) -> date | None:
    """When the reporting period `today` falls in began (the reporting day does not move its start)."""
    period = period_of(recurrence, today, 20)
    return period.start if period is not None else None


def task_category(categories: list[Category]) -> Category:
    """One task's category from its lead units' (the furthest behind wins)."""
    return min(categories, key=SEVERITY.index)


@dataclass(slots=True)
class AssignmentRow(_Judged):
    """One (task, unit) without its objects: what summaries over a whole plan need, read as plain driver rows.
    Same meaning (and the same categorisation) as `AssignmentState`, which is built from these."""

    task_id: int
    unit_id: int
    role: str
    original_due: date | None
    approved_due: date | None
    recurrence: str
    area: str | None
    status: str | None
    percent: int | None
    note: str | None
    reported_at: datetime | None
    reported_on: date | None
    member_id: int | None
    judged_due: date | None
    category: Category


async def assignment_rows(
    session: AsyncSession, *, plan_id: int, today: date, zone: ZoneInfo, roles: tuple[str, ...] | None = None,
    unit_id: int | None = None, rule: LateRule = LateRule.APPROVED, reporting_day: int = 20,
) -> list[AssignmentRow]:
    """Every current (task, unit) of a plan as an `AssignmentRow`, in task order: one query.

    Each assignment's latest report is the one its row points to (kept by the database), and its latest approved
    extension is found through the (task, unit, id) index, so the cost follows the plan's assignments, not the
    office's history.
    """
    report = StatusReport.__table__.alias("report")  # type: ignore[attr-defined]
    extension = ExtensionRequest.__table__.alias("extension")  # type: ignore[attr-defined]
    granted = (select(func.max(ExtensionRequest.id))
               .where(ExtensionRequest.task_id == TaskUnit.task_id, ExtensionRequest.unit_id == TaskUnit.unit_id,
                      ExtensionRequest.state == ExtensionState.APPROVED)
               .correlate(TaskUnit).scalar_subquery())
    query = (
        select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.role, Task.due, Task.recurrence, Task.area,
               report.c.status, report.c.percent, report.c.note, report.c.created_at, report.c.member_id,
               extension.c.approved_due, extension.c.requested_due)
        .join(Task, Task.id == TaskUnit.task_id)
        .outerjoin(report, report.c.id == TaskUnit.latest_report_id)
        .outerjoin(extension, extension.c.id == granted)
        .where(Task.plan_id == plan_id, Task.removed_at.is_(None))  # type: ignore[union-attr]
        .order_by(TaskUnit.task_id, TaskUnit.id)
    )
    if roles is not None:
        query = query.where(TaskUnit.role.in_(roles))  # type: ignore[attr-defined]
    if unit_id is not None:
        query = query.where(TaskUnit.unit_id == unit_id)
    connection = await session.connection()
    result = await connection.execute(query)
    try:  # the driver's rows: SQLAlchemy's per-row processing would cost as much as the query
        raw = result.cursor.fetchall()
    finally:
        result.close()
    dates = _Dates()
    moments = ReportMoments(zone)
    approved_rule = rule == LateRule.APPROVED
    rows = []
    for task_id, link_unit, role, due, recurrence, area, status, percent, note, at, who, approved, requested in raw:
        original = dates[due]
        approved_due = dates[approved] or dates[requested]
        judged = approved_due if approved_rule and approved_due else original
        reported_at, reported_on = moments[at]
        rows.append(AssignmentRow(
            task_id, link_unit, role, original, approved_due, recurrence, area, status, percent, note, reported_at,
            reported_on, who, judged,
            categorise(recurrence=recurrence, due=judged, status=status, reported_on=reported_on, today=today,
                       reporting_day=reporting_day),
        ))
    return rows


class _Dates(dict[Any, "date | None"]):
    """A date column's value as a `date`, whether the driver gave one or an ISO string (SQLite); memoised."""

    def __missing__(self, value: date | str | None) -> date | None:
        parsed = self[value] = date.fromisoformat(value) if isinstance(value, str) else value
        return parsed


_LAST_OF_HOUR = timedelta(minutes=59, seconds=59, microseconds=999_999)


class ReportMoments(dict[Any, "tuple[datetime | None, date | None]"]):
    """A UTC time column's value (aware `datetime`, or SQLite's naive UTC string) as (aware UTC, office date)."""

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__()
        self._zone = zone
        self._days: dict[tuple[int, int, int, int], date | None] = {}  # UTC hour -> office date (None: it spans two)

    def __missing__(self, value: datetime | str | None) -> tuple[datetime | None, date | None]:
        if value is None:
            return None, None
        if isinstance(value, str):  # SQLite: naive UTC "YYYY-MM-DD HH:MM:SS[.ffffff]"
            moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
        else:
            moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        hour = (moment.year, moment.month, moment.day, moment.hour)
        if hour not in self._days:
            first = moment.replace(minute=0, second=0, microsecond=0)
            start, end = office_date(first, self._zone), office_date(first + _LAST_OF_HOUR, self._zone)
            self._days[hour] = start if start == end else None
        day = self._days[hour]
        return moment, day if day is not None else office_date(moment, self._zone)


async def plan_states(
    session: AsyncSession, *, plan_id: int, today: date, zone: ZoneInfo, roles: tuple[str, ...] | None = None,
    unit_id: int | None = None, rule: LateRule = LateRule.APPROVED, reporting_day: int = 20,
) -> list[AssignmentState]:
    """Every current (task, unit) of a plan, optionally only some roles or one unit, in task order, with its
    `Task` and `Unit` objects, the reporter's name and the evidence count (`assignment_rows` plus four queries)."""
    rows = await assignment_rows(session, plan_id=plan_id, today=today, zone=zone, roles=roles, unit_id=unit_id,
                                 rule=rule, reporting_day=reporting_day)
    in_plan = select(Task.id).where(Task.plan_id == plan_id)
    task_query = select(Task).where(Task.plan_id == plan_id, Task.removed_at.is_(None))  # type: ignore[union-attr]
    evidence = select(Evidence.task_id, Evidence.unit_id, func.count()).where(Evidence.task_id.in_(in_plan))  # type: ignore[attr-defined]
    if unit_id is not None:
        task_query = task_query.where(Task.id.in_(select(TaskUnit.task_id).where(TaskUnit.unit_id == unit_id)))  # type: ignore[union-attr]
        evidence = evidence.where(Evidence.unit_id == unit_id)
    evidence = evidence.group_by(Evidence.task_id, Evidence.unit_id)
    tasks = {task.id: task for task in (await session.exec(task_query)).scalars()}
    units = {unit.id: unit for unit in (await session.exec(select(Unit))).scalars()}
    evidence_of = {(row[0], row[1]): row[2] for row in (await session.exec(evidence)).all()}
    reporters = {row.member_id for row in rows if row.member_id is not None}
    names = dict((await session.exec(select(Member.id, Member.full_name).where(Member.id.in_(reporters)))).all()) \
        if reporters else {}  # type: ignore[union-attr]
    return [
        AssignmentState(
            task=tasks[row.task_id], unit=units[row.unit_id], role=row.role, original_due=row.original_due,
            approved_due=row.approved_due, status=row.status, percent=row.percent, note=row.note,
            reported_at=row.reported_at, reported_by=names.get(row.member_id), evidence_count=evidence_of.get(
                (row.task_id, row.unit_id), 0), category=row.category, judged_due=row.judged_due,
            reported_on=row.reported_on,
        )
        for row in rows if row.task_id in tasks
    ]


SETTLED = frozenset({Category.DONE_ON_TIME, Category.DONE_LATE, Category.PERIOD_REPORTED})
REPORTING_ROLES = ("lead", "coordinate")  # units owe replies on these; supervising units do not report
