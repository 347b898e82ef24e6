"""A day's planning reads only the assignments that could be reminded of that day (storage.reminders.Remindable):
on a random office, every working day of a year plans exactly what planning from every assignment plans."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from bot.deps import Deps
from scheduler.calendar import WorkingCalendar
from scheduler.planner import MemoryHistory, People, Person, Rules, plan_day, reminding_horizon
from storage import reminders
from storage.db import transaction
from storage.models import (
    ExtensionRequest,
    ExtensionState,
    Plan,
    Recurrence,
    ReminderPolicy,
    Role,
    Status,
    StatusReport,
    Task,
    TaskUnit,
    Unit,
    UnitRole,
)

CREATED = datetime(2023, 1, 2, 1, 0, tzinfo=UTC)
UNITS = 6


async def _random_office(deps: Deps, rng: random.Random) -> None:
    rows: dict[type, list[dict[str, object]]] = {model: [] for model in (Unit, Plan, Task, TaskUnit, StatusReport,
                                                                          ExtensionRequest, ReminderPolicy)}
    rows[Unit] = [{"id": u, "name": f"Đơn vị {u}", "created_at": CREATED} for u in range(1, UNITS + 1)]
    rows[Plan] = [{"id": p, "number": f"{p}/KH", "title": f"Kế hoạch {p}", "year": 2023, "created_at": CREATED}
                  for p in (1, 2)]
    # Plan 2 reminds earlier and longer before than the default.
    rows[ReminderPolicy] = [{"plan_id": 2, "before_days": "10,5,2", "on_due_day": True, "overdue_every": 3,
                             "escalate_head_after": 2, "escalate_chief_after": 5, "coordinate_lead_days": 5,
                             "reporting_day": 15, "period_before_days": 4}]
    recurrences = [Recurrence.NONE] * 6 + [Recurrence.CONTINUOUS, Recurrence.MONTHLY, Recurrence.QUARTERLY]
    report_id = extension_id = 0
    for task_id in range(1, 241):
        recurrence = rng.choice(recurrences)
        due = date(2023, 1, 1) + timedelta(days=rng.randrange(365)) if rng.random() < 0.9 else None
        start = date(2023, 1, 1) + timedelta(days=rng.randrange(200)) if rng.random() < 0.2 else None
        rows[Task].append({"id": task_id, "plan_id": rng.choice((1, 2)), "code": f"T{task_id}",
                           "title": f"Nhiệm vụ {task_id}", "due": due, "start": start, "recurrence": recurrence,
                           "created_at": CREATED})
        units = rng.sample(range(1, UNITS + 1), k=3)
        for unit_id, role in zip(units, (UnitRole.LEAD, UnitRole.COORDINATE, UnitRole.SUPERVISE), strict=True):
            rows[TaskUnit].append({"task_id": task_id, "unit_id": unit_id, "role": role})
            for _ in range(rng.choice((0, 0, 1, 2))):
                report_id += 1
                at = CREATED + timedelta(days=rng.randrange(300), hours=rng.randrange(24))
                rows[StatusReport].append({"id": report_id, "task_id": task_id, "unit_id": unit_id, "status":
                                           rng.choice(list(Status)), "channel": "test", "created_at": at})
            if due is not None and rng.random() < 0.15:  # granted extensions, some (oddly) earlier than the plan
                extension_id += 1
                rows[ExtensionRequest].append({
                    "id": extension_id, "task_id": task_id, "unit_id": unit_id, "channel": "test",
                    "requested_due": due + timedelta(days=rng.randrange(-20, 60)),
                    "approved_due": due + timedelta(days=rng.randrange(-40, 90)) if rng.random() < 0.7 else None,
                    "state": rng.choice((ExtensionState.APPROVED, ExtensionState.APPROVED, ExtensionState.PENDING)),
                    "created_at": CREATED})
    async with transaction(deps.sessions) as session:
        for model, values in rows.items():
            if values:
                await session.exec(insert(model.__table__), params=values)  # type: ignore[attr-defined,call-overload]


async def test_planning_from_the_remindable_assignments_plans_the_same_every_day(deps: Deps) -> None:
    rng = random.Random(11)
    await _random_office(deps, rng)
    zone = deps.settings.zone
    calendar = WorkingCalendar()
    people = People.of([Person(100 + u, u, Role.OFFICER, deps.settings.reminder_time) for u in range(1, UNITS)]
                       + [Person(200, 1, Role.UNIT_HEAD, deps.settings.reminder_time),
                          Person(300, None, Role.CHIEF, deps.settings.reminder_time)])
    async with deps.sessions() as session:
        everything = await reminders.load_assignments(session, zone)
        default_rules, rules_of = await reminders.load_rules(session)
        assert rules_of[2] != Rules() and default_rules == Rules()
        day, compared, read = date(2023, 1, 2), 0, []
        while day <= date(2023, 12, 29):
            if calendar.is_working(day):
                remindable = reminders.Remindable(day, reminding_horizon(day, calendar, default_rules, rules_of))
                some = await reminders.load_assignments(session, zone, remindable=remindable)
                history = MemoryHistory()  # no history: every reminder the day could send is planned
                expected = plan_day(day, everything, people, rules_of, calendar, history, default_rules=default_rules)
                got = plan_day(day, some, people, rules_of, calendar, history, default_rules=default_rules)
                assert got == expected, day
                compared += sum(len(run.items) for run in expected)
                read.append(len(some))
            day += timedelta(days=1)
    assert compared > 1000  # the comparison covered many reminders of every kind
    assert max(read) < len(everything) * 0.8  # and the filter does leave assignments unread
