"""Who is reminded of what on one working day: a pure function of the tasks, the people, the policy and history.

The same code plans the real runs (history from the database) and `dondoc reminders preview` (history that the
preview itself accumulates), so the preview shows exactly what the scheduler would do.

Kinds of reminder, per task and unit:
* `before`: N working days before the unit's due date (N from the policy, default 7, 3, 1);
* `due`: on the due day (the last working day on or before it when it falls on a day off);
* `overdue`: from the first working day after it, then every `overdue_every` working days. It is anchored on
  state, not on dates: it goes out when the last one is that old, so after downtime "still overdue" is sent
  once, while a `before`/`due` reminder whose day passed is never sent late;
* `escalation`: once to the unit's head after `escalate_head_after` overdue working days, once to the chief of
  office after `escalate_chief_after`;
* `period`: for continuous and recurring tasks, the request for the period's update ("Cập nhật tiến độ tháng 5"),
  `period_before_days` working days before the period's reporting day and on that day, unless the unit has
  already reported in the period.
Coordinating units get the same reminders against their internal deadline, `coordinate_lead_days` working days
before the lead's. Supervising units get none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Protocol

from scheduler.calendar import WorkingCalendar
from scheduler.periods import period_of
from storage.models import Recurrence, UnitRole


class Kind:
    BEFORE = "before"
    DUE = "due"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    PERIOD = "period"
    SNOOZE = "snooze"


@dataclass(frozen=True)
class Rules:
    """One plan's reminder policy (see storage.models.ReminderPolicy)."""

    before_days: tuple[int, ...] = (7, 3, 1)
    on_due_day: bool = True
    overdue_every: int = 2
    escalate_head_after: int = 3
    escalate_chief_after: int = 7
    coordinate_lead_days: int = 3
    reporting_day: int = 20
    period_before_days: int = 3


@dataclass(frozen=True)
class Assignment:
    """One task as one unit must do it. `due` is this unit's due date (after an approved extension)."""

    task_id: int
    plan_id: int
    unit_id: int
    role: str
    due: date | None
    start: date | None
    recurrence: str
    done: bool
    last_report_on: date | None  # office date of this unit's latest status report on the task


@dataclass(frozen=True)
class Person:
    member_id: int
    unit_id: int | None
    role: str
    reminder_time: time


@dataclass(frozen=True)
class Item:
    """One line of a reminder. (member, task, unit, kind, period) is unique forever: it is the outbox's key."""

    member_id: int
    task_id: int
    unit_id: int
    kind: str
    period: str
    due: date | None = None
    overdue_days: int | None = None


@dataclass
class Run:
    """One message: everything one member is told on one day."""

    member_id: int | None  # None: the unit has nobody to tell (the preview flags it)
    unit_id: int | None
    day: date
    at: time | None
    items: list[Item] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return sorted({item.kind for item in self.items})


class History(Protocol):
    def was_planned(self, member_id: int, task_id: int, unit_id: int, kind: str, period: str) -> bool: ...

    def last_planned(self, member_id: int, task_id: int, unit_id: int, kind: str) -> date | None: ...


class MemoryHistory:
    """History kept in memory: what the preview (and tests) planned so far, plus optional prior rows."""

    def __init__(self, items: Iterable[tuple[Item, date]] = ()) -> None:
        self._seen: set[tuple[int, int, int, str, str]] = set()
        self._last: dict[tuple[int, int, int, str], date] = {}
        for item, day in items:
            self.add(item, day)

    @classmethod
    def of_rows(cls, rows: Iterable[tuple[int, int, int, str, str, date]]) -> MemoryHistory:
        """From (member, task, unit, kind, period, day) rows, without building an Item per row."""
        history = cls()
        seen, last = history._seen, history._last
        for member_id, task_id, unit_id, kind, period, day in rows:
            seen.add((member_id, task_id, unit_id, kind, period))
            key = (member_id, task_id, unit_id, kind)
            known = last.get(key)
            if known is None or known < day:
                last[key] = day
        return history

    def add(self, item: Item, day: date) -> None:
        self._seen.add((item.member_id, item.task_id, item.unit_id, item.kind, item.period))
        key = (item.member_id, item.task_id, item.unit_id, item.kind)
        if key not in self._last or self._last[key] < day:
            self._last[key] = day

    def was_planned(self, member_id: int, task_id: int, unit_id: int, kind: str, period: str) -> bool:
        return (member_id, task_id, unit_id, kind, period) in self._seen

    def last_planned(self, member_id: int, task_id: int, unit_id: int, kind: str) -> date | None:
        return self._last.get((member_id, task_id, unit_id, kind))


@dataclass(frozen=True)
class People:
    """Who hears about a unit: its officers (its head when it has none), its head, and the chiefs of office."""

    officers: Mapping[int, Sequence[Person]]
    heads: Mapping[int, Sequence[Person]]
    chiefs: Sequence[Person]

    @classmethod
    def of(cls, persons: Iterable[Person]) -> People:
        officers: dict[int, list[Person]] = defaultdict(list)
        heads: dict[int, list[Person]] = defaultdict(list)
        chiefs: list[Person] = []
        for person in persons:
            if person.role == "chief":
                chiefs.append(person)
            elif person.unit_id is not None and person.role == "unit_head":
                heads[person.unit_id].append(person)
            elif person.unit_id is not None and person.role == "officer":
                officers[person.unit_id].append(person)
        return cls(officers=officers, heads=heads, chiefs=chiefs)

    def doers(self, unit_id: int) -> Sequence[Person]:
        return self.officers.get(unit_id) or self.heads.get(unit_id) or ()


def plan_day(
    day: date,
    assignments: Iterable[Assignment],
    people: People,
    rules_of: Mapping[int, Rules],
    calendar: WorkingCalendar,
    history: History,
    *,
    snoozed: frozenset[tuple[int, int]] = frozenset(),
    default_rules: Rules = Rules(),
) -> list[Run]:
    """The runs of `day`, one per member (plus one per unit nobody would hear). Nothing on days off.

    `snoozed` holds (member, task) pairs whose reminders the member postponed past this day's sending.
    """
    if not calendar.is_working(day):
        return []
    runs: dict[int, Run] = {}
    orphans: dict[int, Run] = {}
    # The date arithmetic depends only on (due date, role, policy) or (recurrence, policy), shared by thousands
    # of assignments in a big office: it is worked out once per distinct key (a run over 100,000 tasks).
    one_off: dict[tuple[date, str, int], _OneOff] = {}  # (due, role, id(rules))
    periodic: dict[tuple[str, int], _Periodic] = {}  # (recurrence, id(rules))
    since: dict[date, int] = {}
    alive: list[Rules] = []  # keeps every Rules keyed by id() alive, so no id is reused during the call

    def working_days_since(start: date) -> int:
        count = since.get(start)
        if count is None:
            count = since[start] = calendar.working_days_after(start, day)
        return count

    def add(person: Person, item: Item) -> None:
        if (person.member_id, item.task_id) in snoozed and item.kind != Kind.ESCALATION:
            return
        run = runs.get(person.member_id)
        if run is None:
            run = runs[person.member_id] = Run(person.member_id, person.unit_id, day, person.reminder_time)
        run.items.append(item)

    def tell_unit(unit_id: int, make: Callable[[int], Item | None]) -> None:
        doers = people.doers(unit_id)
        if not doers:
            probe = make(0)
            if probe is not None:
                orphan = orphans.setdefault(unit_id, Run(None, unit_id, day, None))
                orphan.items.append(probe)
            return
        for person in doers:
            item = make(person.member_id)
            if item is not None:
                add(person, item)

    for a in assignments:
        if a.role == UnitRole.SUPERVISE or a.done and a.recurrence == Recurrence.NONE:
            continue
        if a.start is not None and a.start > day:
            continue
        rules = rules_of.get(a.plan_id, default_rules)
        if a.recurrence != Recurrence.NONE:
            if a.role != UnitRole.LEAD:  # the period's update is the lead unit's to send
                continue
            p = periodic.get((a.recurrence, id(rules)))
            if p is None:
                p = periodic[(a.recurrence, id(rules))] = _periodic(day, a.recurrence, rules, calendar)
                alive.append(rules)
            key = p.key
            if key is None or (a.due is not None and p.start is not None and p.start > a.due):
                continue
            if a.last_report_on is not None and p.start is not None and a.last_report_on >= p.start:
                continue  # this period's update is in
            tell_unit(a.unit_id, lambda m, a=a, k=key, d=p.deadline: _fresh(history, m, a, Kind.PERIOD, k, d))
            continue
        if a.due is None:
            continue
        o = one_off.get((a.due, a.role, id(rules)))
        if o is None:
            o = one_off[(a.due, a.role, id(rules))] = _one_off(day, a.due, a.role, rules, calendar, working_days_since)
            alive.append(rules)
        target, anchor = o.target, o.anchor
        if o.before is not None:
            before = o.before
            tell_unit(a.unit_id, lambda m, a=a, b=before, t=target: _fresh(history, m, a, Kind.BEFORE, b, t))
            continue
        if o.due:
            tell_unit(a.unit_id, lambda m, a=a, t=target: _fresh(history, m, a, Kind.DUE, t.isoformat(), t))
            continue
        late = o.late
        if late < 1:
            continue

        def overdue(member_id: int, a: Assignment = a, late: int = late, target: date = target,
                    anchor: date = anchor, every: int = rules.overdue_every) -> Item | None:
            last = history.last_planned(member_id, a.task_id, a.unit_id, Kind.OVERDUE)
            if last is not None and last >= anchor and working_days_since(last) < every:
                return None
            return Item(member_id, a.task_id, a.unit_id, Kind.OVERDUE, day.isoformat(), target, late)

        tell_unit(a.unit_id, overdue)
        if a.role != UnitRole.LEAD:
            continue
        for level, after, recipients in (
            ("head", rules.escalate_head_after, people.heads.get(a.unit_id, ())),
            ("chief", rules.escalate_chief_after, people.chiefs),
        ):
            if late < after:
                continue
            period = f"{level}:{target.isoformat()}"
            for person in recipients:
                if not history.was_planned(person.member_id, a.task_id, a.unit_id, Kind.ESCALATION, period):
                    add(person, Item(person.member_id, a.task_id, a.unit_id, Kind.ESCALATION, period, target, late))
    ordered = sorted(runs.values(), key=lambda run: run.member_id or 0)
    return ordered + sorted(orphans.values(), key=lambda run: run.unit_id or 0)


def reminding_horizon(day: date, calendar: WorkingCalendar, default_rules: Rules,
                      rules_of: Mapping[int, Rules]) -> date:
    """A due date after which no policy reminds of a one-off task on `day`: the earliest `before` reminder
    goes out max(before_days) working days before the unit's deadline, which for a coordinating unit is
    `coordinate_lead_days` earlier than the due date. Two working days of margin cover due dates on days off."""
    reach = max((max(rules.before_days, default=0) + rules.coordinate_lead_days
                 for rules in (default_rules, *rules_of.values())), default=0)
    return calendar.add_working_days(day, reach + 2)


@dataclass(frozen=True)
class _OneOff:
    """What `day` is for a one-off task with this due date, role and policy."""

    target: date  # the unit's own deadline (earlier for coordinating units)
    anchor: date  # the working day the `due` reminder goes out
    before: str | None = None  # the `before` reminder's period, when one goes out today
    due: bool = False  # today is the `due` reminder's day (and the policy sends it)
    late: int = 0  # working days overdue; 0 when not overdue


def _one_off(day: date, due: date, role: str, rules: Rules, calendar: WorkingCalendar,
             working_days_since: Callable[[date], int]) -> _OneOff:
    target = due
    if role == UnitRole.COORDINATE:
        target = calendar.add_working_days(due, -rules.coordinate_lead_days)
    anchor = calendar.on_or_before(target)
    if day < anchor:
        for n in rules.before_days:
            if n > 0 and calendar.add_working_days(anchor, -n) == day:
                return _OneOff(target, anchor, before=f"{target.isoformat()}:{n}")
        return _OneOff(target, anchor)
    if day == anchor:
        return _OneOff(target, anchor, due=rules.on_due_day)
    return _OneOff(target, anchor, late=working_days_since(target))


@dataclass(frozen=True)
class _Periodic:
    """The period `day` falls in for a recurrence and policy, and today's period reminder key, if any."""

    start: date | None = None
    deadline: date | None = None
    key: str | None = None  # None: no period reminder today for this recurrence


def _periodic(day: date, recurrence: str, rules: Rules, calendar: WorkingCalendar) -> _Periodic:
    period = period_of(recurrence, day, rules.reporting_day)
    if period is None:
        return _Periodic()
    deadline = calendar.on_or_before(period.deadline)
    if deadline < period.start:
        return _Periodic(period.start, period.deadline)
    for when, tag in ((calendar.add_working_days(deadline, -rules.period_before_days), "before"), (deadline, "due")):
        if when == day and when >= period.start:
            return _Periodic(period.start, period.deadline, f"{period.key}:{tag}")
    return _Periodic(period.start, period.deadline)


def _fresh(history: History, member_id: int, a: Assignment, kind: str, period: str, due: date | None) -> Item | None:
    if history.was_planned(member_id, a.task_id, a.unit_id, kind, period):
        return None
    return Item(member_id, a.task_id, a.unit_id, kind, period, due)
