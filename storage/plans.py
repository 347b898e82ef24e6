"""Plans, their tasks, and which units each task is assigned to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.batching import read_cache
from storage.cache import MISSING
from storage.models import Plan, Recurrence, Task, TaskUnit


async def create_plan(
    session: AsyncSession,
    *,
    number: str,
    title: str,
    issued_on: date | None = None,
    issuer: str | None = None,
    year: int | None = None,
) -> Plan:
    plan = Plan(number=number.strip(), title=title.strip(), issued_on=issued_on, issuer=issuer, year=year)
    session.add(plan)
    await session.flush()
    return plan


async def get_plan(session: AsyncSession, *, plan_id: int) -> Plan | None:
    return await session.get(Plan, plan_id)


async def find_plan(session: AsyncSession, *, number: str) -> Plan | None:
    return (await session.exec(select(Plan).where(Plan.number == number.strip()))).first()


async def list_plans(session: AsyncSession) -> list[Plan]:
    return list((await session.exec(select(Plan).order_by(col(Plan.id)))).all())


async def current_plan(session: AsyncSession) -> Plan | None:
    """The plan summaries default to: the most recently added one."""
    return (await session.exec(select(Plan).order_by(col(Plan.id).desc()).limit(1))).first()


async def create_task(
    session: AsyncSession,
    *,
    plan_id: int,
    code: str,
    title: str,
    units: Iterable[tuple[int, str]],
    expected_result: str | None = None,
    area: str | None = None,
    component: str | None = None,
    start: date | None = None,
    due: date | None = None,
    recurrence: str = Recurrence.NONE,
    deadline_text: str | None = None,
) -> Task:
    """A task and its unit assignments (`units` as (unit_id, role) pairs; one role per unit)."""
    task = Task(
        plan_id=plan_id,
        code=code.strip(),
        title=title.strip(),
        expected_result=expected_result,
        area=area,
        component=component,
        start=start,
        due=due,
        recurrence=recurrence,
        deadline_text=deadline_text,
    )
    session.add(task)
    await session.flush()
    assert task.id is not None
    seen: set[int] = set()
    for unit_id, role in units:
        if unit_id in seen:
            continue
        seen.add(unit_id)
        session.add(TaskUnit(task_id=task.id, unit_id=unit_id, role=role))
    await session.flush()
    return task


async def get_task(session: AsyncSession, *, task_id: int) -> Task | None:
    return await session.get(Task, task_id)


# Built once: this runs for every status reply.
_TASK_WITH_UNITS = (
    select(Task, TaskUnit)
    .outerjoin(TaskUnit, col(TaskUnit.task_id) == col(Task.id))
    .where(col(Task.id) == bindparam("task_id"))
    .order_by(col(TaskUnit.id))
)


async def task_with_units(session: AsyncSession, *, task_id: int) -> tuple[Task, list[TaskUnit]] | None:
    """A task and its assignments in one round trip (the hot path of every status reply); a read-only session
    (storage.batching) may get them from the ReadCache. Treat them as read-only."""
    cache = read_cache(session)
    if cache is not None:
        cached = cache.tasks.get(task_id)
        if cached is not MISSING:
            return cached
    rows = (await session.exec(_TASK_WITH_UNITS, params={"task_id": task_id})).all()
    if not rows:
        return None
    found = rows[0][0], [link for _, link in rows if link is not None]
    if cache is not None:
        cache.tasks.put(task_id, found)
    return found


async def task_units(session: AsyncSession, *, task_id: int) -> list[TaskUnit]:
    rows = await session.exec(select(TaskUnit).where(TaskUnit.task_id == task_id).order_by(col(TaskUnit.id)))
    return list(rows.all())


async def assignments(
    session: AsyncSession, *, unit_id: int | None = None, plan_id: int | None = None
) -> list[tuple[Task, TaskUnit]]:
    """(task, assignment) pairs of current tasks, optionally for one unit and/or one plan."""
    query = (
        select(Task, TaskUnit)
        .join(TaskUnit, col(TaskUnit.task_id) == col(Task.id))
        .where(col(Task.removed_at).is_(None))
    )
    if unit_id is not None:
        query = query.where(TaskUnit.unit_id == unit_id)
    if plan_id is not None:
        query = query.where(Task.plan_id == plan_id)
    rows = await session.exec(query.order_by(col(Task.id), col(TaskUnit.id)))
    return [(task, link) for task, link in rows.all()]


async def count_tasks(session: AsyncSession, *, plan_id: int) -> int:
    rows = await session.exec(select(Task.id).where(Task.plan_id == plan_id, col(Task.removed_at).is_(None)))
    return len(rows.all())


async def tasks_of_plan(session: AsyncSession, *, plan_id: int) -> list[Task]:
    """Every task of the plan, removed ones included (a re-import may bring one back)."""
    rows = await session.exec(select(Task).where(Task.plan_id == plan_id).order_by(col(Task.id)))
    return list(rows.all())


async def set_task_units(session: AsyncSession, *, task_id: int, units: dict[int, str]) -> None:
    """Makes the task's assignments exactly `units` (unit id -> role), keeping rows that do not change."""
    current = {link.unit_id: link for link in await task_units(session, task_id=task_id)}
    for unit_id, link in current.items():
        if unit_id not in units:
            await session.delete(link)
        elif link.role != units[unit_id]:
            link.role = units[unit_id]
            session.add(link)
    for unit_id, role in units.items():
        if unit_id not in current:
            session.add(TaskUnit(task_id=task_id, unit_id=unit_id, role=role))
    await session.flush()
