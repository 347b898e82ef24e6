"""What the reminder planner reads: assignments with their current state, the people to tell, policies, history.

Each is one query (three for assignments) over the whole office, so a run over 100,000 tasks stays a handful of
round trips.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.planner import Assignment, Kind, MemoryHistory, Person, Rules
from storage.models import (
    ChannelAccount,
    ExtensionRequest,
    ExtensionState,
    Member,
    OutboxMessage,
    OutboxState,
    Plan,
    Recurrence,
    ReminderItem,
    ReminderPolicy,
    Snooze,
    Status,
    Task,
    TaskUnit,
    UnitRole,
)

LIVE_STATES = (OutboxState.PENDING, OutboxState.SENT)


async def load_assignments(
    session: AsyncSession, zone: ZoneInfo, *, plan_id: int | None = None, remindable: Remindable | None = None
) -> list[Assignment]:
    """Every (task, unit) of the plans still followed, with the unit's due date after approved extensions.

    With `remindable`, only those that could be reminded of on its day: the others (done, supervising, not
    started, due too far ahead) are left in the database rather than read and then skipped by the planner.
    """
    with _collection_deferred():
        return await _load_assignments(session, zone, plan_id, remindable)


@dataclass(frozen=True)
class Remindable:
    """Which assignments one day's planning needs: started by `day`, and (one-off tasks) due by `due_until`
    unless an approved extension moved the date."""

    day: date
    due_until: date


def _only_remindable(pairs: Select[Any], remindable: Remindable) -> Select[Any]:
    """The planner's own skips (scheduler.planner.plan_day), as SQL: nothing it would skip is read."""
    lead = aliased(TaskUnit)
    lead_done = exists().where(lead.task_id == TaskUnit.task_id, lead.role == UnitRole.LEAD,
                               lead.latest_status == Status.DONE)
    extended = exists().where(ExtensionRequest.task_id == TaskUnit.task_id,
                              ExtensionRequest.unit_id == TaskUnit.unit_id,
                              ExtensionRequest.state == ExtensionState.APPROVED)
    one_off = Task.recurrence == Recurrence.NONE
    return pairs.where(
        TaskUnit.role != UnitRole.SUPERVISE,
        or_(Task.start.is_(None), Task.start <= remindable.day),  # type: ignore[union-attr,operator]
        or_(~one_off, and_(
            Task.due.is_not(None),  # type: ignore[union-attr]
            or_(TaskUnit.latest_status.is_(None), TaskUnit.latest_status != Status.DONE),  # type: ignore[union-attr]
            or_(TaskUnit.role != UnitRole.COORDINATE, ~lead_done),
            or_(Task.due <= remindable.due_until, extended),  # type: ignore[operator]
        )),
    )


async def _load_assignments(
    session: AsyncSession, zone: ZoneInfo, plan_id: int | None, remindable: Remindable | None
) -> list[Assignment]:
    # Two flat queries merged here in a dict: on SQLite about twice as fast as one query joining the grouped
    # extensions. A big office has 200,000 (task, unit) rows, so they are read as plain driver rows; each row
    # carries its latest report (kept by the database), so the status history is not read at all.
    connection = await session.connection()
    pairs = (
        select(Task.id, Task.plan_id, TaskUnit.unit_id, TaskUnit.role, Task.due, Task.start, Task.recurrence,
               TaskUnit.latest_status, TaskUnit.latest_at)
        .join(TaskUnit, TaskUnit.task_id == Task.id)
        .where(Task.removed_at.is_(None))  # type: ignore[union-attr]
    )
    granted = (
        select(func.max(ExtensionRequest.id))
        .where(ExtensionRequest.state == ExtensionState.APPROVED)
        .group_by(ExtensionRequest.task_id, ExtensionRequest.unit_id)
    )
    if remindable is not None:
        pairs = _only_remindable(pairs, remindable)
    if plan_id is not None:
        pairs = pairs.where(Task.plan_id == plan_id)
        granted = granted.where(
            ExtensionRequest.task_id.in_(select(Task.id).where(Task.plan_id == plan_id)))  # type: ignore[attr-defined]
    extensions = select(
        ExtensionRequest.task_id, ExtensionRequest.unit_id, ExtensionRequest.approved_due,
        ExtensionRequest.requested_due,
    ).where(ExtensionRequest.id.in_(granted))  # type: ignore[union-attr]
    dates = _Dates()
    local_date = _local_dates(zone)
    # (task, unit) -> due date after the latest approved extension
    extended_to = {(task_id, unit_id): dates[approved] or dates[requested]
                   for task_id, unit_id, approved, requested in await _plain_rows(connection, extensions)}
    rows = await _plain_rows(connection, pairs)
    lead_done = {row[0] for row in rows if row[3] == UnitRole.LEAD and row[7] == Status.DONE}
    result = []
    for task_id, plan, unit_id, role, due, start, recurrence, status, reported_at in rows:
        done = status == Status.DONE or (role == UnitRole.COORDINATE and task_id in lead_done)
        extended = extended_to.get((task_id, unit_id)) if extended_to else None
        result.append(Assignment(task_id, plan, unit_id, role, extended or dates[due], dates[start], recurrence, done,
                                 local_date(reported_at) if reported_at is not None else None))
    return result


@contextmanager
def _collection_deferred() -> Iterator[None]:
    """No cyclic garbage collection while a loader builds its hundreds of thousands of objects: each full
    collection walks the whole heap, and they made up a third of a run over 100,000 tasks. Nothing built here
    is cyclic garbage; collection resumes (if it was on) at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def _plain_rows(connection: AsyncConnection, statement: Select[Any]) -> Sequence[Sequence[Any]]:
    """The driver's own rows, without SQLAlchemy's result processing: that costs about 2 µs a row, as much as the
    query itself for 200,000 rows. Values come as the driver gives them: on SQLite, dates and times are ISO
    strings (see `_dates` and `_local_dates`); asyncpg gives `date` and aware `datetime` objects."""
    result = await connection.execute(statement)
    try:
        return result.cursor.fetchall()  # type: ignore[no-any-return]
    finally:
        result.close()


class _Dates(dict[Any, "date | None"]):
    """`dates[value]`: a date column's value as a `date`, whether the driver gave a `date` or an ISO string
    (SQLite). A dict, so the many repeated values cost one lookup each."""

    def __missing__(self, value: date | str | None) -> date | None:
        parsed = self[value] = date.fromisoformat(value) if isinstance(value, str) else value
        return parsed


def _local_dates(zone: ZoneInfo) -> Callable[[datetime | str], date]:
    """The office date of a UTC time column's value (an aware `datetime`, or SQLite's naive UTC ISO string),
    memoised per UTC hour that lies within one office date (nearly all of them)."""
    by_hour: dict[str | datetime, date | None] = {}

    def exact(moment: datetime | str) -> datetime:
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def local_date(moment: datetime | str) -> date:
        if isinstance(moment, str):
            key: str | datetime = moment[:13]  # "YYYY-MM-DD HH"
            hour = datetime.fromisoformat(f"{moment[:13]}:00:00").replace(tzinfo=UTC) if key not in by_hour else None
        else:
            key = hour = exact(moment).replace(minute=0, second=0, microsecond=0)
        if key not in by_hour:
            assert hour is not None
            first, last = hour.astimezone(zone), (hour + _HOUR_END).astimezone(zone)
            by_hour[key] = first.date() if first.date() == last.date() else None
        known = by_hour[key]
        return known if known is not None else exact(moment).astimezone(zone).date()

    return local_date


_HOUR_END = timedelta(minutes=59, seconds=59, microseconds=999_999)


async def load_people(session: AsyncSession, default_time: time) -> list[Person]:
    """Active members who can be reached: linked to a channel and not marked unreachable."""
    linked = select(ChannelAccount.member_id).distinct()
    rows = await session.exec(
        select(Member.id, Member.unit_id, Member.role, Member.reminder_time).where(
            Member.active.is_(True),  # type: ignore[attr-defined]
            Member.unreachable_at.is_(None),  # type: ignore[union-attr]
            Member.id.in_(linked),  # type: ignore[union-attr]
        )
    )
    return [Person(member_id, unit_id, role, at or default_time) for member_id, unit_id, role, at in rows.all()]


def rules_from(policy: ReminderPolicy) -> Rules:
    return Rules(
        before_days=tuple(int(part) for part in policy.before_days.split(",") if part.strip()),
        on_due_day=policy.on_due_day,
        overdue_every=max(1, policy.overdue_every),
        escalate_head_after=policy.escalate_head_after,
        escalate_chief_after=policy.escalate_chief_after,
        coordinate_lead_days=policy.coordinate_lead_days,
        reporting_day=policy.reporting_day,
        period_before_days=policy.period_before_days,
    )


async def load_rules(session: AsyncSession) -> tuple[Rules, dict[int, Rules]]:
    """The office default (built-in when none is stored) and each plan's own, when it has one."""
    policies = (await session.exec(select(ReminderPolicy))).scalars().all()
    default = next((rules_from(p) for p in policies if p.plan_id is None), Rules())
    return default, {p.plan_id: rules_from(p) for p in policies if p.plan_id is not None}


async def get_policy(session: AsyncSession, plan_id: int | None) -> ReminderPolicy:
    """The stored policy row for a plan (or the office default when `plan_id` is None), created on first use."""
    query = select(ReminderPolicy).where(
        ReminderPolicy.plan_id.is_(None) if plan_id is None else ReminderPolicy.plan_id == plan_id  # type: ignore[union-attr]
    )
    policy = (await session.exec(query)).scalar_one_or_none()
    if policy is None:
        defaults = (await load_rules(session))[0] if plan_id is not None else Rules()
        policy = ReminderPolicy(
            plan_id=plan_id, before_days=",".join(str(n) for n in defaults.before_days),
            on_due_day=defaults.on_due_day, overdue_every=defaults.overdue_every,
            escalate_head_after=defaults.escalate_head_after, escalate_chief_after=defaults.escalate_chief_after,
            coordinate_lead_days=defaults.coordinate_lead_days, reporting_day=defaults.reporting_day,
            period_before_days=defaults.period_before_days,
        )
        session.add(policy)
        await session.flush()
    return policy


async def load_history(session: AsyncSession, since: date, *, planning_from: date | None = None) -> MemoryHistory:
    """What was planned (pending or sent) on or after `since`: enough to keep every key unique and to pace
    overdue reminders.

    With `planning_from` (the first day the history will be used to plan), rows that cannot matter on or after
    that day are left out: `before`, `due` and `period` items about dates already past, all but the latest
    `overdue` item per member, task and unit, and snoozes. Without it the history grows with the whole
    400-day window, about 20,000 items a working day in an office of 100,000 tasks."""
    with _collection_deferred():
        connection = await session.connection()
        live = (OutboxMessage.state.in_(LIVE_STATES), OutboxMessage.day >= since)  # type: ignore[attr-defined]
        columns = (ReminderItem.member_id, ReminderItem.task_id, ReminderItem.unit_id, ReminderItem.kind)
        query = (
            select(*columns, ReminderItem.period, OutboxMessage.day)
            .join(OutboxMessage, OutboxMessage.id == ReminderItem.outbox_id)
            .where(*live)
        )
        latest_overdue: Sequence[Sequence[Any]] = ()
        if planning_from is not None:
            dated = (Kind.BEFORE, Kind.DUE, Kind.PERIOD)
            query = query.where(or_(
                ReminderItem.kind == Kind.ESCALATION,
                and_(
                    ReminderItem.kind.in_(dated),  # type: ignore[attr-defined]
                    or_(ReminderItem.due.is_(None), ReminderItem.due >= planning_from),  # type: ignore[union-attr, operator]
                ),
            ))
            latest_overdue = await _plain_rows(connection, (
                select(*columns, func.max(ReminderItem.period), func.max(OutboxMessage.day))
                .join(OutboxMessage, OutboxMessage.id == ReminderItem.outbox_id)
                .where(*live, ReminderItem.kind == Kind.OVERDUE)
                .group_by(*columns)
            ))
        rows = await _plain_rows(connection, query)
        dates = _Dates()
        return MemoryHistory.of_rows(
            (member_id, task_id, unit_id, kind, period, dates[day])  # type: ignore[misc]
            for part in (rows, latest_overdue)
            for member_id, task_id, unit_id, kind, period, day in part
        )


async def snoozed_pairs(session: AsyncSession, until_after: datetime) -> frozenset[tuple[int, int]]:
    """(member, task) pairs postponed past `until_after`."""
    rows = await session.exec(select(Snooze.member_id, Snooze.task_id).where(Snooze.until > until_after))
    return frozenset((member_id, task_id) for member_id, task_id in rows.all())


async def plan_ids(session: AsyncSession, numbers: Iterable[str]) -> dict[str, int]:
    rows = await session.exec(select(Plan.number, Plan.id).where(Plan.number.in_(list(numbers))))  # type: ignore[attr-defined]
    return {number: plan_id for number, plan_id in rows.all()}


def history_window(day: date) -> date:
    """How far back history matters: escalations and period keys of the last year and a bit."""
    return day - timedelta(days=400)
