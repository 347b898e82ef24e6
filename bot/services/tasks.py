"""What a member sees of tasks: their open list and one task in detail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import NotAllowed, TaskNotFound
from bot.services import access
from bot.services.deadlines import urgency_key
from storage import evidence as evidence_rows
from storage import plans, statuses, units
from storage.models import Evidence, Member, Plan, Status, StatusReport, Task, TaskUnit, Unit, UnitRole


@dataclass(frozen=True)
class TaskLine:
    """A task as it appears in a list: the viewer's unit's role and latest status (or the lead's, for overseers)."""

    task: Task
    role: str | None
    status: StatusReport | None

    def overdue_on(self, today: date) -> bool:
        return self.task.due is not None and self.task.due < today


def _is_open(report: StatusReport | None) -> bool:
    return report is None or report.status != Status.DONE


async def open_tasks(session: AsyncSession, *, member: Member, today: date, overdue_only: bool = False) -> list[TaskLine]:
    """The member's open tasks, most urgent first: their unit's, or every plan's lead assignments for overseers."""
    if member.unit_id is not None:
        pairs = await plans.assignments(session, unit_id=member.unit_id)
        latest = await statuses.latest_statuses(session, unit_id=member.unit_id)
        lines = [TaskLine(task, link.role, latest.get((link.task_id, link.unit_id))) for task, link in pairs]
    elif access.sees_everything(member):
        latest = await statuses.latest_statuses(session)
        by_task: dict[int, TaskLine] = {}
        for task, link in await plans.assignments(session):
            if link.role != UnitRole.LEAD:
                continue
            report = latest.get((link.task_id, link.unit_id))
            current = by_task.get(link.task_id)
            # A task is open while any lead unit has not finished it; show the lagging lead's status.
            if current is None or (_is_open(report) and not _is_open(current.status)):
                by_task[link.task_id] = TaskLine(task, None, report)
        lines = list(by_task.values())
    else:
        return []
    lines = [line for line in lines if _is_open(line.status)]
    if overdue_only:
        lines = [line for line in lines if line.overdue_on(today)]
    lines.sort(key=lambda line: urgency_key(line.task.due, line.task.id or 0))
    return lines


@dataclass(frozen=True)
class Assignment:
    unit: Unit
    role: str
    status: StatusReport | None


@dataclass(frozen=True)
class TaskDetail:
    task: Task
    plan: Plan
    assignments: list[Assignment]
    own: Assignment | None
    may_report: bool
    history: list[StatusReport]
    evidence: list[Evidence]


async def load_task(session: AsyncSession, *, task_id: int) -> tuple[Task, list[TaskUnit]]:
    """The task and its assignments, in one query."""
    found = await plans.task_with_units(session, task_id=task_id)
    if found is None:
        raise TaskNotFound(task_id)
    return found


async def task_detail(session: AsyncSession, *, member: Member, task_id: int) -> TaskDetail:
    """One task as the member may see it (refused for a task of another unit)."""
    task, links = await load_task(session, task_id=task_id)
    access.require_view(member, links)
    plan = await plans.get_plan(session, plan_id=task.plan_id)
    assert plan is not None
    latest = await statuses.latest_statuses(session, task_id=task_id)
    rows: list[Assignment] = []
    for link in links:
        unit = await units.get_unit(session, unit_id=link.unit_id)
        assert unit is not None
        rows.append(Assignment(unit, link.role, latest.get((task_id, link.unit_id))))
    own = next((row for row in rows if row.unit.id == member.unit_id), None)
    try:
        access.acting_link(member, links)
        may_report = True
    except NotAllowed:
        may_report = False
    unit_filter = None if access.sees_everything(member) else member.unit_id
    return TaskDetail(
        task=task,
        plan=plan,
        assignments=rows,
        own=own,
        may_report=may_report,
        history=await statuses.status_history(session, task_id=task_id, limit=5),
        evidence=await evidence_rows.evidence_for_task(session, task_id=task_id, unit_id=unit_filter),
    )
