"""What a report says, gathered once: the plan's state at the period's end and the activity within the period.

The rows come from the shared row-level truth (`bot.services.plan_status.plan_states`), turned back to the end of
the period (`states_as_of`); the status notes and the evidence files of the period are read here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.reports import text_vi
from bot.reports.periods import ReportPeriod
from bot.services.deadlines import office_date
from bot.services.plan_status import AssignmentState, Category, LateRule, categorise, plan_states
from storage.models import (
    Evidence,
    ExtensionRequest,
    ExtensionState,
    Member,
    Plan,
    Status,
    StatusReport,
    Task,
    Unit,
    UnitRole,
)


@dataclass(frozen=True)
class Update:
    """One status a unit reported within the period."""

    task_id: int
    unit_id: int
    status: str
    percent: int | None
    note: str | None
    at: datetime
    by: str | None


@dataclass(frozen=True)
class EvidenceItem:
    evidence: Evidence
    task: Task
    unit: Unit
    sender: str | None


@dataclass(frozen=True)
class ReportData:
    plan: Plan
    period: ReportPeriod
    as_of: date  # the day every category is judged on: the period's last day, or today while the period runs
    states: list[AssignmentState]
    updates: list[Update]  # within the period, oldest first
    evidence: list[EvidenceItem]  # received up to the end of `as_of`
    zone: ZoneInfo
    unit: Unit | None = None  # a report limited to one unit

    @property
    def leads(self) -> list[AssignmentState]:
        return [state for state in self.states if state.role == UnitRole.LEAD]

    def areas(self, states: Iterable[AssignmentState] | None = None) -> dict[str, list[AssignmentState]]:
        """States grouped by the plan's dimension (Task.area), in the order the plan first uses them."""
        grouped: dict[str, list[AssignmentState]] = {}
        for state in self.states if states is None else states:
            grouped.setdefault(area_of(state.task), []).append(state)
        if text_vi.OTHER_AREA in grouped:  # tasks under no dimension come last
            grouped[text_vi.OTHER_AREA] = grouped.pop(text_vi.OTHER_AREA)
        return grouped

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)


def area_of(task: Task) -> str:
    return (task.area or "").strip() or text_vi.OTHER_AREA


def counts(states: Iterable[AssignmentState]) -> dict[Category, int]:
    """How many states fall in each category, every category present (zeros included), in the official order."""
    result = dict.fromkeys(Category, 0)
    for state in states:
        result[state.category] += 1
    return result


def start_of(day: date, zone: ZoneInfo) -> datetime:
    """The instant an office day begins, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


async def gather(
    session: AsyncSession, *, plan: Plan, period: ReportPeriod, today: date, zone: ZoneInfo,
    unit: Unit | None = None, rule: LateRule = LateRule.APPROVED, reporting_day: int = 20,
) -> ReportData:
    """Everything the report of `plan` for `period` shows, judged at the period's end (or today, if sooner)."""
    assert plan.id is not None
    as_of = min(period.end, today)
    begin, end = start_of(period.start, zone), start_of(as_of + timedelta(days=1), zone)
    unit_id = unit.id if unit is not None else None
    states = await states_as_of(session, plan_id=plan.id, day=as_of, cut=end, zone=zone, unit_id=unit_id,
                                rule=rule, reporting_day=reporting_day)
    return ReportData(
        plan=plan, period=period, as_of=as_of, states=states, zone=zone, unit=unit,
        updates=await period_updates(session, plan_id=plan.id, begin=begin, end=end, unit_id=unit_id),
        evidence=await evidence_until(session, plan_id=plan.id, end=end, unit_id=unit_id),
    )


async def states_as_of(
    session: AsyncSession, *, plan_id: int, day: date, cut: datetime, zone: ZoneInfo, unit_id: int | None,
    rule: LateRule, reporting_day: int,
) -> list[AssignmentState]:
    """`plan_states` as the plan stood at `cut` (the end of `day`): the latest report, approved extension and
    evidence count from before `cut`, categorised on `day` by the shared rules (`plan_status.categorise`).

    The assignments, their order, tasks and units come from `plan_states`; only what happened later is undone.
    """
    current = await plan_states(session, plan_id=plan_id, today=day, zone=zone, unit_id=unit_id, rule=rule,
                                reporting_day=reporting_day)
    in_plan = select(Task.id).where(Task.plan_id == plan_id)
    latest = (select(func.max(StatusReport.id))
              .where(col(StatusReport.task_id).in_(in_plan), col(StatusReport.created_at) < cut)
              .group_by(StatusReport.task_id, StatusReport.unit_id))
    reports = (select(StatusReport, Member.full_name)
               .outerjoin(Member, col(Member.id) == StatusReport.member_id)
               .where(col(StatusReport.id).in_(latest)))
    decided = func.coalesce(ExtensionRequest.decided_at, ExtensionRequest.created_at)
    granted = (select(func.max(ExtensionRequest.id))
               .where(col(ExtensionRequest.task_id).in_(in_plan), ExtensionRequest.state == ExtensionState.APPROVED,
                      decided < cut)
               .group_by(ExtensionRequest.task_id, ExtensionRequest.unit_id))
    evidence = (select(Evidence.task_id, Evidence.unit_id, func.count())
                .where(col(Evidence.task_id).in_(in_plan), col(Evidence.created_at) < cut)
                .group_by(Evidence.task_id, Evidence.unit_id))
    report_of = {(r.task_id, r.unit_id): (r, who) for r, who in (await session.exec(reports)).all()}
    extended = {(e.task_id, e.unit_id): e.approved_due or e.requested_due for e in (await session.exec(
        select(ExtensionRequest).where(col(ExtensionRequest.id).in_(granted)))).all()}
    evidence_of = {(t, u): n for t, u, n in (await session.exec(evidence)).all()}
    states = []
    for state in current:
        key = (state.task.id, state.unit.id)
        report, who = report_of.get(key, (None, None))
        approved = extended.get(key)
        judged = approved if rule == LateRule.APPROVED and approved else state.task.due
        reported_on = office_date(report.created_at, zone) if report is not None else None
        states.append(replace(
            state, approved_due=approved, status=report.status if report else None,
            percent=report.percent if report else None, note=report.note if report else None,
            reported_at=report.created_at if report else None, reported_by=who, evidence_count=evidence_of.get(key, 0),
            judged_due=judged, reported_on=reported_on,
            category=categorise(recurrence=state.task.recurrence, due=judged, status=report.status if report else None,
                                reported_on=reported_on, today=day, reporting_day=reporting_day),
        ))
    return states


async def period_updates(
    session: AsyncSession, *, plan_id: int, begin: datetime, end: datetime, unit_id: int | None = None
) -> list[Update]:
    """Status reports on the plan's current tasks made in [begin, end), oldest first."""
    query = (
        select(StatusReport, Member.full_name)
        .join(Task, col(Task.id) == StatusReport.task_id)
        .outerjoin(Member, col(Member.id) == StatusReport.member_id)
        .where(Task.plan_id == plan_id, col(Task.removed_at).is_(None),
               col(StatusReport.created_at) >= begin, col(StatusReport.created_at) < end)
        .order_by(col(StatusReport.created_at), col(StatusReport.id))
    )
    if unit_id is not None:
        query = query.where(StatusReport.unit_id == unit_id)
    return [
        Update(report.task_id, report.unit_id, report.status, report.percent, report.note, report.created_at, who)
        for report, who in (await session.exec(query)).all()
    ]


async def evidence_until(
    session: AsyncSession, *, plan_id: int, end: datetime, unit_id: int | None = None
) -> list[EvidenceItem]:
    """Evidence files of the plan's current tasks received before `end`, in task order then arrival order."""
    query = (
        select(Evidence, Task, Unit, Member.full_name)
        .join(Task, col(Task.id) == Evidence.task_id)
        .join(Unit, col(Unit.id) == Evidence.unit_id)
        .outerjoin(Member, col(Member.id) == Evidence.member_id)
        .where(Task.plan_id == plan_id, col(Task.removed_at).is_(None), col(Evidence.created_at) < end)
        .order_by(col(Task.id), col(Evidence.unit_id), col(Evidence.id))
    )
    if unit_id is not None:
        query = query.where(Evidence.unit_id == unit_id)
    return [EvidenceItem(row, task, unit, who) for row, task, unit, who in (await session.exec(query)).all()]


def latest_updates(updates: Iterable[Update], *, blocked: bool) -> list[Update]:
    """Per (task, unit), the latest update of the period that is (or is not) a blocker, in period order."""
    latest: dict[tuple[int, int], Update] = {}
    for update in updates:
        if (update.status == Status.BLOCKED) == blocked:
            latest[(update.task_id, update.unit_id)] = update
    return sorted(latest.values(), key=lambda update: update.at)
