"""`dondoc reminders preview`: what the scheduler would send, day by day, if nobody answered.

It runs the real planner over each day, feeding each day's plan into the next day's history, starting from what
the database says was already sent and the current statuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from scheduler.calendar import WorkingCalendar
from scheduler.planner import People, plan_day
from scheduler.snooze import sending_time
from storage import calendar as calendar_store
from storage import reminders
from storage.models import Member, Unit


@dataclass(frozen=True)
class PreviewRow:
    day: date
    at: time | None
    unit: str | None
    member: str | None  # None: nobody registered in the unit would receive it
    member_id: int | None
    tasks: tuple[int, ...]
    kind: str

    def to_json(self) -> dict[str, object]:
        return {"date": self.day.isoformat(), "time": self.at.strftime("%H:%M") if self.at else None,
                "unit": self.unit, "member": self.member, "tasks": list(self.tasks), "kind": self.kind}


async def preview(
    session: AsyncSession, settings: Settings, start: date, end: date, *, plan_id: int | None = None
) -> list[PreviewRow]:
    zone = settings.zone
    calendar = WorkingCalendar(await calendar_store.overrides(session))
    assignments = await reminders.load_assignments(session, zone, plan_id=plan_id)
    people = People.of(await reminders.load_people(session, settings.reminder_time))
    default_rules, rules_of = await reminders.load_rules(session)
    history = await reminders.load_history(session, reminders.history_window(start), planning_from=start)
    names = {m.id: m.full_name for m in (await session.exec(select(Member))).scalars()}
    units = {u.id: (u.short_name or u.name) for u in (await session.exec(select(Unit))).scalars()}
    quiet = (settings.quiet_hours_start, settings.quiet_hours_end)
    rows: list[PreviewRow] = []
    day = start
    while day <= end:
        for run in plan_day(day, assignments, people, rules_of, calendar, history, default_rules=default_rules):
            for item in run.items:
                history.add(item, day)
            at = sending_time(run.at, *quiet) if run.at else None
            for kind in run.kinds:
                rows.append(PreviewRow(
                    day=day, at=at, unit=units.get(run.unit_id) if run.unit_id else None,
                    member=names.get(run.member_id) if run.member_id else None, member_id=run.member_id,
                    tasks=tuple(sorted({item.task_id for item in run.items if item.kind == kind})), kind=kind,
                ))
        day += timedelta(days=1)
    return rows
