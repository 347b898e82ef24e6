"""The reminder planner as a pure function: who is told what, on which working day."""

from __future__ import annotations

from datetime import date, time, timedelta

from scheduler.calendar import WorkingCalendar
from scheduler.planner import Assignment, Item, MemoryHistory, People, Person, Rules, plan_day

CAL = WorkingCalendar()
LAN, MINH, HEAD, CHIEF = 1, 2, 3, 4  # VP officer, TCPC officer, TCPC head, chief of office
VP, TCPC, TTRA = 10, 20, 30
PEOPLE = People.of([
    Person(LAN, VP, "officer", time(8)),
    Person(MINH, TCPC, "officer", time(8)),
    Person(HEAD, TCPC, "unit_head", time(8)),
    Person(CHIEF, VP, "chief", time(8)),
])


def task(task_id: int, unit: int, due: date | None, *, role: str = "lead", recurrence: str = "none",
         done: bool = False, reported: date | None = None, start: date | None = None) -> Assignment:
    return Assignment(task_id, 1, unit, role, due, start, recurrence, done, reported)


def simulate(assignments: list[Assignment], first: date, last: date, *, people: People = PEOPLE,
             rules: Rules = Rules(), history: MemoryHistory | None = None,
             snoozed: frozenset[tuple[int, int]] = frozenset()) -> dict[int | None, list[tuple[str, str, int]]]:
    """member -> [(iso day, kind, task)] over the days, each day's plan feeding the next day's history."""
    history = history or MemoryHistory()
    got: dict[int | None, list[tuple[str, str, int]]] = {}
    day = first
    while day <= last:
        for run in plan_day(day, assignments, people, {1: rules}, CAL, history, snoozed=snoozed):
            for item in run.items:
                history.add(item, day)
                got.setdefault(run.member_id, []).append((day.isoformat(), item.kind, item.task_id))
        day += timedelta(days=1)
    return got


def test_a_task_due_friday_30_june_2023() -> None:
    got = simulate([task(7, TCPC, date(2023, 6, 30))], date(2023, 6, 1), date(2023, 7, 14))
    assert got[MINH] == [
        ("2023-06-21", "before", 7),  # 7 working days before
        ("2023-06-27", "before", 7),  # 3
        ("2023-06-29", "before", 7),  # 1
        ("2023-06-30", "due", 7),
        ("2023-07-03", "overdue", 7),  # first working day after, then every 2 working days
        ("2023-07-05", "overdue", 7),
        ("2023-07-07", "overdue", 7),
        ("2023-07-11", "overdue", 7),
        ("2023-07-13", "overdue", 7),
    ]
    assert got[HEAD] == [("2023-07-05", "escalation", 7)]  # after 3 overdue working days, once
    assert got[CHIEF] == [("2023-07-11", "escalation", 7)]  # after 7, once
    assert LAN not in got


def test_reminders_skip_tet_and_national_day() -> None:
    # Due Tuesday 5/9/2023: 1/9 and 4/9 are off, so "1 working day before" is Thursday 31/8.
    got = simulate([task(8, VP, date(2023, 9, 5))], date(2023, 8, 20), date(2023, 9, 6))
    assert got[LAN] == [("2023-08-23", "before", 8), ("2023-08-29", "before", 8), ("2023-08-31", "before", 8),
                        ("2023-09-05", "due", 8), ("2023-09-06", "overdue", 8)]
    # Due Monday 30/1/2023, right after Tết (20–26/1): 1 working day before is Friday 27/1, 3 are 18/1, 7 are 12/1.
    got = simulate([task(9, VP, date(2023, 1, 30))], date(2023, 1, 1), date(2023, 1, 30))
    assert [day for day, _, _ in got[LAN]] == ["2023-01-12", "2023-01-18", "2023-01-27", "2023-01-30"]


def test_done_tasks_and_supervising_units_get_nothing() -> None:
    got = simulate([task(1, VP, date(2023, 6, 30), done=True), task(2, TCPC, date(2023, 6, 30), role="supervise")],
                   date(2023, 6, 1), date(2023, 7, 31))
    assert got == {}


def test_coordinating_units_have_an_earlier_internal_deadline() -> None:
    got = simulate([task(5, VP, date(2023, 6, 30)), task(5, TCPC, date(2023, 6, 30), role="coordinate")],
                   date(2023, 6, 1), date(2023, 6, 30))
    assert [d for d, kind, _ in got[MINH] if kind == "due"] == ["2023-06-27"]  # 3 working days before the lead's
    assert [d for d, kind, _ in got[LAN] if kind == "due"] == ["2023-06-30"]


def test_a_late_coordinating_unit_is_not_escalated() -> None:
    got = simulate([task(5, TCPC, date(2023, 6, 30), role="coordinate")], date(2023, 6, 28), date(2023, 7, 31))
    assert HEAD not in got and CHIEF not in got
    assert got[MINH][0] == ("2023-06-28", "overdue", 5)


def test_one_run_per_member_per_day_lists_every_task() -> None:
    due = date(2023, 6, 30)
    runs = plan_day(due, [task(i, VP, due) for i in range(1, 6)], PEOPLE, {}, CAL, MemoryHistory())
    assert [(run.member_id, [item.task_id for item in run.items]) for run in runs] == [(LAN, [1, 2, 3, 4, 5])]


def test_nothing_is_planned_on_days_off() -> None:
    assert plan_day(date(2023, 7, 1), [task(1, VP, date(2023, 7, 3))], PEOPLE, {}, CAL, MemoryHistory()) == []


def test_continuous_tasks_ask_for_the_monthly_update_unless_already_reported() -> None:
    continuous = task(3, VP, None, recurrence="continuous", start=date(2023, 5, 1))
    got = simulate([continuous], date(2023, 4, 1), date(2023, 6, 30))
    assert got[LAN] == [("2023-05-16", "period", 3), ("2023-05-19", "period", 3),  # 20/5/2023 is a Saturday
                        ("2023-06-15", "period", 3), ("2023-06-20", "period", 3)]
    reported = task(3, VP, None, recurrence="continuous", reported=date(2023, 6, 2))
    got = simulate([reported], date(2023, 6, 1), date(2023, 6, 30))
    assert got == {}


def test_after_downtime_state_is_said_once_and_stale_dates_are_not() -> None:
    # The last reminder went out on 30/6 (due day); the bot was down until 12/7.
    history = MemoryHistory([(Item(MINH, 7, TCPC, "due", "2023-06-30", date(2023, 6, 30)), date(2023, 6, 30))])
    got = simulate([task(7, TCPC, date(2023, 6, 30))], date(2023, 7, 12), date(2023, 7, 12), history=history)
    assert got[MINH] == [("2023-07-12", "overdue", 7)]
    assert got[HEAD] == [("2023-07-12", "escalation", 7)]
    assert got[CHIEF] == [("2023-07-12", "escalation", 7)]
    # Down over the "3 days before" day: it is not sent late.
    got = simulate([task(7, TCPC, date(2023, 6, 30))], date(2023, 6, 28), date(2023, 6, 28))
    assert got == {}


def test_snoozed_tasks_are_held_but_escalation_is_not() -> None:
    got = simulate([task(7, TCPC, date(2023, 6, 30))], date(2023, 7, 5), date(2023, 7, 5),
                   snoozed=frozenset({(MINH, 7)}))
    assert MINH not in got
    assert got[HEAD] == [("2023-07-05", "escalation", 7)]


def test_a_unit_nobody_joined_is_flagged() -> None:
    runs = plan_day(date(2023, 6, 30), [task(1, TTRA, date(2023, 6, 30))], PEOPLE, {}, CAL, MemoryHistory())
    assert [(run.member_id, run.unit_id, run.kinds) for run in runs] == [(None, TTRA, ["due"])]


def test_a_unit_without_officers_is_reminded_through_its_head() -> None:
    people = People.of([Person(HEAD, TCPC, "unit_head", time(8))])
    runs = plan_day(date(2023, 6, 30), [task(1, TCPC, date(2023, 6, 30))], people, {}, CAL, MemoryHistory())
    assert [(run.member_id, run.kinds) for run in runs] == [(HEAD, ["due"])]


def test_the_plans_own_policy_applies() -> None:
    rules = Rules(before_days=(2,), on_due_day=False, overdue_every=5, escalate_head_after=1, escalate_chief_after=99)
    got = simulate([task(7, TCPC, date(2023, 6, 30))], date(2023, 6, 1), date(2023, 7, 10), rules=rules)
    assert got[MINH] == [("2023-06-28", "before", 7), ("2023-07-03", "overdue", 7), ("2023-07-10", "overdue", 7)]
    assert got[HEAD] == [("2023-07-03", "escalation", 7)]
    assert CHIEF not in got
