"""Reminder engine at scale: planning a day over 100,000 tasks, and a fan-out to 5,000 members under Telegram's limits.

    python -m bench.reminders [--phase both|planning|fanout] [--database sqlite|postgresql]
                              [--tasks N] [--units U] [--runs R] [--history-days D]
                              [--members M] [--check]

Planning: a fresh database is seeded with bulk Core inserts (SQLAlchemy `insert()` executemany, not the admin
use cases): `--tasks` tasks (default 100,000) in 20 plans across `--units` units (default 50; 3 officers and
1 head each, 2 chiefs, all linked on telegram), a realistic mix (one-off tasks with due dates spread over the
year, continuous and recurring ones, coordinating and supervising units, status reports, some done, some approved
extensions, a few plans with their own policy). History: the `--history-days` (default 10) working days before
the measured day are planned by the real loaders and `plan_day` and stored as sent (Core inserts, plus the
service's extension notices), so the measured day is a steady-state one. Then,
`--runs` times (default 5), today's outbox rows are deleted (unmeasured) and a new `ReminderService.plan()` runs
for the day: load + `plan_day` + enqueue, timed as a whole and per part. Separately, the pure `plan_day` runs
`--runs` times on inputs loaded once. Medians are reported; target: `plan()` under 2 s.

Fan-out: another fresh database with `--members` (default 5,000) units of one officer each, every officer linked
on telegram to their own private chat, and 4 tasks per unit due on the day (20,000). The fake Bot API server
(tests/fakes/telegram_api.FakeTelegram, in this process and event loop, on 127.0.0.1) enforces Telegram's limits:
30 messages/s per bot and 1/s per chat, answering 429 beyond them. `ReminderService` (its own `SendLimiter` at
`settings.send_rate_per_second`, default 25/s, the real `TelegramSender` over python-telegram-bot) plans the day
and delivers everything. Reported: achieved rate = (messages - 1) / (last send - first send), as received by the
fake, as a fraction of the cap (target >= 0.90); 429 answers (target 0); messages delivered (must be exactly one
per member, listing exactly that member's 4 tasks, and every outbox row sent). 5,000 messages at 25/s take about
200 s.

Wrong results (a lost, duplicate or wrong message) make the exit status 2; with --check a missed target makes it 1.
The last line printed is one JSON object with every figure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update

from bench.throughput import fresh_database, machine
from bot.adapters.telegram_sender import TelegramSender
from bot.app import open_deps
from bot.config import Settings
from bot.deps import Deps
from bot.logs import configure_logging
from scheduler import service as service_module
from scheduler.calendar import WorkingCalendar
from scheduler.clock import SimulatedClock
from scheduler.planner import People, plan_day
from scheduler.service import ReminderService
from storage import calendar as calendar_store
from storage import outbox, reminders
from storage.db import Sessions, transaction
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
    Role,
    Status,
    StatusReport,
    Task,
    TaskUnit,
    Unit,
    UnitRole,
)
from tests.fakes.telegram_api import FakeTelegram

log = logging.getLogger("bench.reminders")

TARGET_PLAN_SECONDS = 2.0
TARGET_RATE_FRACTION = 0.90
TELEGRAM_PER_BOT = 30
TELEGRAM_PER_CHAT = 1
CHANNEL = "telegram"
FIRST_CHAT_ID = 500_000
TASKS_PER_MEMBER = 4
HEADING = re.compile(r"#(\d+) ·")
CHUNK = 5_000

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Thị", "Văn", "Đức", "Minh", "Thu", "Quốc", "Hồng", "Thanh")
GIVEN = ("Lan", "Hùng", "Mai", "Tuấn", "Hà", "Dũng", "Hương", "Nam", "Linh", "Sơn", "Trang", "Phúc")
VERBS = ("Triển khai", "Rà soát", "Tổ chức", "Xây dựng", "Kiểm tra", "Tổng hợp", "Hướng dẫn", "Báo cáo")
OBJECTS = (
    "công khai thông tin theo quy định", "kế hoạch cải cách hành chính", "chỉ số PAPI", "công tác tiếp công dân",
    "chuyển đổi số trong cơ quan", "hồ sơ thủ tục hành chính", "phòng, chống tham nhũng", "thi đua khen thưởng",
)


def _name(i: int) -> str:
    return f"{FAMILY[i % len(FAMILY)]} {MIDDLE[(i // 10) % len(MIDDLE)]} {GIVEN[(i * 7) % len(GIVEN)]}"


def _title(i: int) -> str:
    return f"{VERBS[i % len(VERBS)]} {OBJECTS[(i // 8) % len(OBJECTS)]} (nội dung {i})"


async def _bulk(sessions: Sessions, model: Any, rows: list[dict[str, Any]]) -> None:
    """Inserts rows with Core executemany (on the table, not the ORM model), in one transaction."""
    async with transaction(sessions) as session:
        connection = await session.connection()
        for start in range(0, len(rows), CHUNK):
            await connection.execute(insert(model.__table__), rows[start : start + CHUNK])
        if rows and "id" in rows[0] and connection.dialect.name == "postgresql":  # explicit ids skip the sequence
            table = model.__table__.name
            await connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM \"{table}\"))"
            ))


# --------------------------------------------------------------------------------------------
# planning: a big office


@dataclass
class Office:
    tasks: int
    assignments: int
    members: int
    status_reports: int
    extensions: int


async def seed_planning(
    sessions: Sessions, *, tasks: int, units: int, day: date, seed: int = 20261123
) -> Office:
    """`tasks` tasks over the year of `day` in 20 plans across `units` units, with people, reports, extensions."""
    rng = random.Random(seed)
    year = day.year
    created = datetime(year, 1, 2, 1, 0, tzinfo=UTC)
    await _bulk(sessions, Unit, [
        {"id": u, "name": f"Phòng/đơn vị số {u}", "short_name": f"DV{u}", "created_at": created}
        for u in range(1, units + 1)
    ])
    people: list[dict[str, Any]] = []
    for u in range(1, units + 1):
        people += [{"role": Role.OFFICER, "unit_id": u} for _ in range(3)]
        people.append({"role": Role.UNIT_HEAD, "unit_id": u})
    people += [{"role": Role.CHIEF, "unit_id": 1}] * 2 + [{"role": Role.LEADERSHIP, "unit_id": None}] * 2
    member_rows = [
        {"id": i, "full_name": _name(i), "locale": None, "active": True, "created_at": created,
         "reminder_time": clock_time(8, 0) if i % 7 else clock_time(7, 30), **person}
        for i, person in enumerate(people, start=1)
    ]
    await _bulk(sessions, Member, member_rows)
    await _bulk(sessions, ChannelAccount, [
        {"member_id": i, "channel": CHANNEL, "external_id": str(FIRST_CHAT_ID + i), "chat_id": str(FIRST_CHAT_ID + i),
         "linked_at": created}
        for i in range(1, len(people) + 1)
    ])
    officers_of: dict[int, list[int]] = defaultdict(list)
    for row in member_rows:
        if row["role"] in (Role.OFFICER, Role.UNIT_HEAD) and row["unit_id"] is not None:
            officers_of[row["unit_id"]].append(row["id"])
    plans = 20
    await _bulk(sessions, Plan, [
        {"id": p, "number": f"{p}/KH-BENCH", "title": f"Kế hoạch số {p} năm {year}", "issued_on": date(year, 1, 10),
         "issuer": "Sở Văn hóa và Thể thao", "year": year, "created_at": created}
        for p in range(1, plans + 1)
    ])
    await _bulk(sessions, ReminderPolicy, [{"plan_id": None, "before_days": "7,3,1"}] + [
        {"plan_id": p, "before_days": "5,2", "overdue_every": 3, "escalate_head_after": 2, "escalate_chief_after": 5,
         "coordinate_lead_days": 2, "reporting_day": 25, "period_before_days": 2}
        for p in range(1, plans + 1, 4)
    ])
    first, last = date(year, 1, 1), date(year, 12, 31)
    span = (last - first).days
    recurrences = (
        [Recurrence.NONE] * 75 + [Recurrence.CONTINUOUS] * 12 + [Recurrence.MONTHLY] * 6
        + [Recurrence.QUARTERLY] * 4 + [Recurrence.SEMIANNUAL] * 1 + [Recurrence.ANNUAL] * 1 + [Recurrence.WEEKLY] * 1
    )
    task_rows: list[dict[str, Any]] = []
    unit_rows: list[dict[str, Any]] = []
    report_rows: list[dict[str, Any]] = []
    extension_rows: list[dict[str, Any]] = []

    def report(task_id: int, unit_id: int, status: str, on: date) -> None:
        member = rng.choice(officers_of[unit_id])
        at = datetime(on.year, on.month, on.day, 2, 30, tzinfo=UTC) + timedelta(minutes=rng.randrange(600))
        report_rows.append({
            "task_id": task_id, "unit_id": unit_id, "member_id": member, "status": status,
            "percent": 100 if status == Status.DONE else rng.choice((None, 20, 50, 80)), "channel": CHANNEL,
            "original_text": "xong" if status == Status.DONE else "đang làm", "created_at": at,
        })

    for task_id in range(1, tasks + 1):
        recurrence = rng.choice(recurrences)
        if recurrence == Recurrence.NONE:
            due = None if rng.random() < 0.04 else first + timedelta(days=rng.randrange(span + 1))
            start = due - timedelta(days=rng.randrange(10, 120)) if due and rng.random() < 0.5 else None
        else:
            due = last if rng.random() < 0.7 else None
            start = first
        removed = datetime(year, 3, 1, tzinfo=UTC) if rng.random() < 0.01 else None
        task_rows.append({
            "id": task_id, "plan_id": 1 + task_id % plans, "code": f"{task_id}", "title": _title(task_id),
            "start": start, "due": due, "recurrence": recurrence, "deadline_text": None, "created_at": created,
            "removed_at": removed,
        })
        chosen = rng.sample(range(1, units + 1), k=1 + rng.choice((0, 0, 0, 0, 1, 1, 2, 3)))
        roles = [UnitRole.LEAD] + [UnitRole.COORDINATE] * (len(chosen) - 1)
        if rng.random() < 0.05 and len(chosen) > 1:
            roles[-1] = UnitRole.SUPERVISE
        for unit_id, role in zip(chosen, roles, strict=True):
            unit_rows.append({"task_id": task_id, "unit_id": unit_id, "role": role})
            if role == UnitRole.SUPERVISE:
                continue
            if recurrence != Recurrence.NONE:
                if rng.random() < 0.6:  # an update some time in the last two months (often in this period)
                    report(task_id, unit_id, Status.IN_PROGRESS, max(first, day - timedelta(days=rng.randrange(1, 60))))
                continue
            if due is None:
                if rng.random() < 0.3:
                    report(task_id, unit_id, Status.IN_PROGRESS, day - timedelta(days=rng.randrange(1, 90)))
                continue
            past = due < day
            done_chance = (0.85 if past else 0.05) if role == UnitRole.LEAD else (0.6 if past else 0.1)
            if rng.random() < 0.35:  # an earlier progress report
                report(task_id, unit_id, Status.IN_PROGRESS, max(first, min(day, due) - timedelta(days=rng.randrange(5, 60))))
            if rng.random() < done_chance:
                report(task_id, unit_id, Status.DONE, max(first, min(day, due) - timedelta(days=rng.randrange(0, 5))))
            elif rng.random() < 0.05:  # an approved extension
                new_due = due + timedelta(days=rng.randrange(10, 60))
                extension_rows.append({
                    "task_id": task_id, "unit_id": unit_id, "member_id": officers_of[unit_id][0],
                    "requested_due": new_due, "approved_due": new_due if rng.random() < 0.5 else None,
                    "channel": CHANNEL, "state": ExtensionState.APPROVED, "original_text": "xin gia hạn",
                    "decided_at": datetime.combine(due, clock_time(3), UTC), "created_at": created,
                })
            elif rng.random() < 0.02:
                extension_rows.append({
                    "task_id": task_id, "unit_id": unit_id, "member_id": officers_of[unit_id][0],
                    "requested_due": due + timedelta(days=30), "approved_due": None, "channel": CHANNEL,
                    "state": rng.choice((ExtensionState.PENDING, ExtensionState.REJECTED)),
                    "original_text": "xin gia hạn", "decided_at": None, "created_at": created,
                })
    report_rows.sort(key=lambda row: row["created_at"])  # ids in time order, as the product writes them
    await _bulk(sessions, Task, task_rows)
    await _bulk(sessions, TaskUnit, unit_rows)
    await _bulk(sessions, StatusReport, report_rows)
    await _bulk(sessions, ExtensionRequest, extension_rows)
    return Office(len(task_rows), len(unit_rows), len(member_rows), len(report_rows), len(extension_rows))


def _settings(url: str, workdir: Path, **extra: Any) -> Settings:
    return Settings(database_url=url, evidence_dir=workdir / "evidence", telegram_token=None,
                    _env_file=None, **extra)  # type: ignore[call-arg]


def _morning(day: date, settings: Settings) -> datetime:
    return datetime.combine(day, clock_time(7, 0), settings.zone)


class _PartTimer:
    """Times the parts of `ReminderService.plan()` by wrapping the module attributes it calls (restored on exit)."""

    PARTS = (
        (reminders, "load_assignments", "load assignments"),
        (reminders, "load_people", "load people"),
        (reminders, "load_rules", "load rules"),
        (reminders, "load_history", "load history"),
        (reminders, "snoozed_pairs", "load snoozes"),
        (service_module, "plan_day", "plan_day"),
        (outbox, "enqueue", "enqueue"),
        (outbox, "expire_before", "expire"),
    )

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextlib.contextmanager
    def installed(self) -> Iterator[_PartTimer]:
        saved = [(module, name, getattr(module, name)) for module, name, _ in self.PARTS]
        for (module, name, label), (_, _, original) in zip(self.PARTS, saved, strict=True):
            setattr(module, name, self._wrap(original, label))
        try:
            yield self
        finally:
            for module, name, original in saved:
                setattr(module, name, original)

    def _wrap(self, original: Callable[..., Any], label: str) -> Callable[..., Any]:
        if asyncio.iscoroutinefunction(original):
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    self.seconds[label] += time.perf_counter() - start
            return timed_async

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
        return timed


async def _forget_day(sessions: Sessions, day: date) -> None:
    """Deletes the day's outbox rows and their items, so the next run plans the day afresh (unmeasured)."""
    async with transaction(sessions) as session:
        ids = select(OutboxMessage.id).where(OutboxMessage.day == day)
        await session.exec(delete(ReminderItem).where(ReminderItem.outbox_id.in_(ids)))  # type: ignore[attr-defined]
        await session.exec(delete(OutboxMessage).where(OutboxMessage.day == day))


async def _plan_and_mark_sent(sessions: Sessions, settings: Settings, cal: WorkingCalendar, day: date) -> None:
    """History for the measured day: `day` planned by the real `plan_day` on the real loaders, stored as sent
    with plain Core inserts (the same rows `outbox.enqueue` writes, without timing or depending on it)."""
    async with sessions() as session:
        assignments = await reminders.load_assignments(session, settings.zone)
        people = People.of(await reminders.load_people(session, settings.reminder_time))
        default_rules, rules_of = await reminders.load_rules(session)
        history = await reminders.load_history(session, reminders.history_window(day))
    runs = [run for run in plan_day(day, assignments, people, rules_of, cal, history, default_rules=default_rules)
            if run.member_id is not None]
    async with sessions() as session:
        first = int((await session.exec(select(func.coalesce(func.max(OutboxMessage.id), 0)))).one()[0]) + 1
    at = datetime.combine(day, clock_time(8, 0), settings.zone)
    messages, items = [], []
    for outbox_id, run in enumerate(runs, start=first):
        messages.append({
            "id": outbox_id, "key": f"{run.member_id}:{day.isoformat()}:daily", "member_id": run.member_id,
            "day": day, "send_after": at, "state": OutboxState.SENT, "attempts": 1, "channel": CHANNEL,
            "chat_id": str(FIRST_CHAT_ID + (run.member_id or 0)), "message_id": str(outbox_id), "sent_at": at,
            "created_at": at,
        })
        items += [{"outbox_id": outbox_id, "member_id": i.member_id, "task_id": i.task_id, "unit_id": i.unit_id,
                   "kind": i.kind, "period": i.period, "due": i.due, "overdue_days": i.overdue_days}
                  for i in run.items]
    await _bulk(sessions, OutboxMessage, messages)
    await _bulk(sessions, ReminderItem, items)
    # The day's notices (pending extension requests to the chiefs, decisions to who asked) as the service plans
    # them, so the measured run is a steady-state one that does not announce a year of requests at once.
    service = ReminderService(sessions, settings, SimulatedClock(at), {})
    async with transaction(sessions) as session:
        await outbox.enqueue(session, await service._extension_notices(session, at, day))  # noqa: SLF001
        await session.exec(update(OutboxMessage).where(OutboxMessage.state == OutboxState.PENDING)
                           .values(state=OutboxState.SENT, sent_at=at))


async def _count(sessions: Sessions, model: Any, *where: Any) -> int:
    async with sessions() as session:
        return int((await session.exec(select(func.count()).select_from(model).where(*where))).scalar_one())


async def planning_phase(options: Options, workdir: Path, progress: Callable[[str], None]) -> dict[str, Any]:
    day = options.day
    problems: list[str] = []
    async with fresh_database(options.database, workdir / "planning") as url:
        settings = _settings(url, workdir)
        async with open_deps(settings) as deps:
            start = time.perf_counter()
            office = await seed_planning(deps.sessions, tasks=options.tasks, units=options.units, day=day)
            seeded = time.perf_counter() - start
            progress(f"planning: seeded {office.tasks} tasks, {office.assignments} assignments in {seeded:.1f} s")
            clock = SimulatedClock(_morning(day, settings))
            cal = WorkingCalendar(await _overrides(deps))
            history_days = [d for d in _working_days_before(cal, day, options.history_days)]
            start = time.perf_counter()
            for past in history_days:
                await _plan_and_mark_sent(deps.sessions, settings, cal, past)
            history_rows = await _count(deps.sessions, ReminderItem)
            progress(f"planning: history of {len(history_days)} days ({history_rows} items) in "
                     f"{time.perf_counter() - start:.1f} s")
            clock.set(_morning(day, settings))
            runs: list[dict[str, Any]] = []
            planned_counts: set[tuple[int, int]] = set()
            for run in range(options.runs):
                await _forget_day(deps.sessions, day)
                gc.collect()
                timer = _PartTimer()
                service = ReminderService(deps.sessions, settings, clock, {})
                with timer.installed():
                    start = time.perf_counter()
                    counters = await service.plan()
                    seconds = time.perf_counter() - start
                items = await _count(deps.sessions, ReminderItem, ReminderItem.outbox_id.in_(  # type: ignore[attr-defined]
                    select(OutboxMessage.id).where(OutboxMessage.day == day)))
                planned_counts.add((counters.planned, items))
                runs.append({"seconds": seconds, "messages": counters.planned, "items": items,
                             "parts": {k: round(v, 4) for k, v in timer.seconds.items()}})
                progress(f"planning run {run + 1}: {seconds:.2f} s, {counters.planned} messages, {items} items")
            if len(planned_counts) != 1:
                problems.append(f"planning runs disagree on (messages, items): {sorted(planned_counts)}")
            if runs and runs[0]["messages"] == 0:
                problems.append("planning produced no message at all: the seeded office is wrong")
            # The pure planner alone, on inputs loaded once (today's rows deleted first, so it plans them all).
            await _forget_day(deps.sessions, day)
            async with deps.sessions() as session:
                assignments = await reminders.load_assignments(session, settings.zone)
                people = People.of(await reminders.load_people(session, settings.reminder_time))
                default_rules, rules_of = await reminders.load_rules(session)
                history = await reminders.load_history(session, reminders.history_window(day))
                snoozed = await reminders.snoozed_pairs(session, _morning(day, settings) + timedelta(days=1))
            pure: list[float] = []
            pure_items = set()
            for _ in range(options.runs):
                gc.collect()
                start = time.perf_counter()
                planned = plan_day(day, assignments, people, rules_of, cal, history, snoozed=snoozed,
                                   default_rules=default_rules)
                pure.append(time.perf_counter() - start)
                pure_items.add(sum(len(r.items) for r in planned if r.member_id is not None))
            if runs and pure_items != {runs[0]["items"]}:
                problems.append(f"plan_day alone planned {sorted(pure_items)} items, plan() stored {runs[0]['items']}")
    median = statistics.median(r["seconds"] for r in runs)
    parts = {label: round(statistics.median(r["parts"].get(label, 0.0) for r in runs), 4)
             for _, _, label in _PartTimer.PARTS}
    return {
        "day": day.isoformat(),
        "office": asdict(office),
        "seed_seconds": round(seeded, 2),
        "history_days": len(history_days),
        "history_items": history_rows,
        "assignments_loaded": len(assignments),
        "runs_seconds": [round(r["seconds"], 3) for r in runs],
        "median_seconds": round(median, 3),
        "median_parts_seconds": parts,
        "messages": runs[0]["messages"] if runs else 0,
        "items": runs[0]["items"] if runs else 0,
        "plan_day_seconds": [round(s, 3) for s in pure],
        "plan_day_median_seconds": round(statistics.median(pure), 3),
        "target_seconds": TARGET_PLAN_SECONDS,
        "met": median < TARGET_PLAN_SECONDS,
        "problems": problems,
    }


async def _overrides(deps: Deps) -> dict[date, bool]:
    async with deps.sessions() as session:
        return dict(await calendar_store.overrides(session))


def _working_days_before(cal: WorkingCalendar, day: date, count: int) -> list[date]:
    days: list[date] = []
    current = day
    while len(days) < count:
        current -= timedelta(days=1)
        if cal.is_working(current):
            days.append(current)
    return sorted(days)


# --------------------------------------------------------------------------------------------
# fan-out: one message to each of many members, under Telegram's limits


class CountingFakeTelegram(FakeTelegram):
    """FakeTelegram that timestamps every sendMessage it accepts (after its rate-limit check)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sent: list[tuple[float, int, str]] = []  # (arrival, chat id, text)

    # Overrides the fake's private handler: the only place that sees each accepted message as it arrives.
    async def _m_sendMessage(self, p: Any, request: Any) -> Any:
        message = await super()._m_sendMessage(p, request)
        self.sent.append((time.perf_counter(), message["chat"]["id"], message.get("text", "")))
        return message


class RealTimeClock:
    """The office clock set to a chosen instant and then running at real speed (leases and send times stay real)."""

    def __init__(self, start: datetime) -> None:
        self._start = start.astimezone(UTC)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)


async def seed_fanout(sessions: Sessions, *, members: int, day: date) -> dict[int, set[int]]:
    """`members` units with one officer each, linked on telegram (chat FIRST_CHAT_ID + i), each unit leading 4
    tasks due on `day`. Returns each chat's expected task ids."""
    created = datetime(day.year, 1, 2, 1, 0, tzinfo=UTC)
    await _bulk(sessions, Unit, [
        {"id": u, "name": f"Đơn vị cơ sở số {u}", "short_name": f"CS{u}", "created_at": created}
        for u in range(1, members + 1)
    ])
    await _bulk(sessions, Member, [
        {"id": i, "full_name": _name(i), "role": Role.OFFICER, "unit_id": i, "locale": None, "active": True,
         "reminder_time": None, "created_at": created}
        for i in range(1, members + 1)
    ])
    await _bulk(sessions, ChannelAccount, [
        {"member_id": i, "channel": CHANNEL, "external_id": str(FIRST_CHAT_ID + i), "chat_id": str(FIRST_CHAT_ID + i),
         "linked_at": created}
        for i in range(1, members + 1)
    ])
    await _bulk(sessions, Plan, [{"id": 1, "number": "1/KH-BENCH", "title": "Kế hoạch triển khai", "year": day.year,
                                  "created_at": created}])
    expected: dict[int, set[int]] = {}
    task_rows, unit_rows = [], []
    for i in range(1, members + 1):
        ids = range((i - 1) * TASKS_PER_MEMBER + 1, i * TASKS_PER_MEMBER + 1)
        expected[FIRST_CHAT_ID + i] = set(ids)
        for task_id in ids:
            task_rows.append({"id": task_id, "plan_id": 1, "code": str(task_id), "title": _title(task_id),
                              "due": day, "recurrence": Recurrence.NONE, "created_at": created})
            unit_rows.append({"task_id": task_id, "unit_id": i, "role": UnitRole.LEAD})
    await _bulk(sessions, Task, task_rows)
    await _bulk(sessions, TaskUnit, unit_rows)
    return expected


async def fanout_phase(options: Options, workdir: Path, progress: Callable[[str], None]) -> dict[str, Any]:
    day = options.fanout_day
    problems: list[str] = []
    async with fresh_database(options.database, workdir / "fanout") as url:
        settings = _settings(url, workdir)
        cap = settings.send_rate_per_second
        async with open_deps(settings) as deps:
            expected = await seed_fanout(deps.sessions, members=options.members, day=day)
            async with CountingFakeTelegram(rate_limit_per_second=TELEGRAM_PER_BOT,
                                            rate_limit_per_chat_per_second=TELEGRAM_PER_CHAT) as fake:
                for chat in expected:
                    fake.user(chat, first_name=_name(chat - FIRST_CHAT_ID), language_code="vi")
                async with fake.make_bot() as bot:
                    clock = RealTimeClock(datetime.combine(day, clock_time(8, 0), settings.zone))
                    service = ReminderService(deps.sessions, settings, clock, {CHANNEL: TelegramSender(bot)})
                    start = time.perf_counter()
                    planned = await service.plan()
                    plan_seconds = time.perf_counter() - start
                    progress(f"fan-out: planned {planned.planned} messages in {plan_seconds:.2f} s; delivering at "
                             f"{cap:g}/s (about {options.members / cap:.0f} s)")
                    start = time.perf_counter()
                    delivered = await service.deliver()
                    deliver_seconds = time.perf_counter() - start
            states = Counter[str]()
            async with deps.sessions() as session:
                for state, count in (await session.exec(
                    select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
                )).all():
                    states[state] = count
    sent = fake.sent
    throttled = [error for error in fake.errors if error[1] == 429]
    per_chat = Counter(chat for _, chat, _ in sent)
    lost = [chat for chat in expected if per_chat[chat] == 0]
    duplicated = [chat for chat, n in per_chat.items() if n > 1]
    strangers = [chat for chat in per_chat if chat not in expected]
    wrong = []
    for _, chat, text in sent:
        listed = {int(m) for m in HEADING.findall(text)}
        if chat in expected and listed != expected[chat]:
            wrong.append((chat, sorted(listed)))
    if lost:
        problems.append(f"{len(lost)} members got no message (e.g. chats {lost[:5]})")
    if duplicated:
        problems.append(f"{len(duplicated)} members got more than one message (e.g. chats {duplicated[:5]})")
    if strangers:
        problems.append(f"messages to unknown chats {strangers[:5]}")
    if wrong:
        problems.append(f"{len(wrong)} messages do not list exactly the member's tasks (e.g. {wrong[:3]})")
    if planned.planned != options.members:
        problems.append(f"planned {planned.planned} messages for {options.members} members")
    if states.get(OutboxState.SENT, 0) != options.members or sum(states.values()) != options.members:
        problems.append(f"outbox states {dict(states)}, expected {options.members} sent")
    other_errors = [error for error in fake.errors if error[1] != 429]
    if other_errors:
        problems.append(f"Bot API errors: {other_errors[:5]!r}")
    times = sorted(at for at, _, _ in sent)
    window = times[-1] - times[0] if len(times) > 1 else 0.0
    rate = (len(times) - 1) / window if window > 0 else 0.0
    busiest = _busiest_second(times)
    fraction = rate / cap if cap else 0.0
    return {
        "day": day.isoformat(),
        "members": options.members,
        "tasks": options.members * TASKS_PER_MEMBER,
        "cap_per_s": cap,
        "fake_limits": {"per_bot_per_s": TELEGRAM_PER_BOT, "per_chat_per_s": TELEGRAM_PER_CHAT},
        "plan_seconds": round(plan_seconds, 3),
        "deliver_seconds": round(deliver_seconds, 2),
        "messages_received": len(sent),
        "members_reached_once": sum(1 for chat in expected if per_chat[chat] == 1),
        "send_window_seconds": round(window, 2),
        "rate_per_s": round(rate, 2),
        "rate_fraction_of_cap": round(fraction, 3),
        "busiest_1s_window": busiest,
        "responses_429": len(throttled),
        "counters": asdict(delivered),
        "outbox_states": dict(states),
        "met": fraction >= TARGET_RATE_FRACTION and not throttled,
        "rate_met": fraction >= TARGET_RATE_FRACTION,
        "no_429_met": not throttled,
        "problems": problems,
    }


def _busiest_second(times: Sequence[float]) -> int:
    """The most messages the fake accepted within any 1 s window (its own limit is 30)."""
    best, low = 0, 0
    for high, at in enumerate(times):
        while times[low] <= at - 1.0:
            low += 1
        best = max(best, high - low + 1)
    return best


# --------------------------------------------------------------------------------------------
# the whole benchmark


@dataclass
class Options:
    phase: str = "both"
    database: str = "sqlite"
    tasks: int = 100_000
    units: int = 50
    runs: int = 5
    history_days: int = 10
    members: int = 5_000
    day: date = date(2026, 6, 17)
    fanout_day: date = date(2026, 11, 23)
    check: bool = False


async def run_benchmark(options: Options, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Runs the chosen phases; wrong results do not stop it: they are listed under "problems"."""
    if options.tasks < 1 or options.units < 1 or options.runs < 1 or options.members < 1 or options.history_days < 0:
        raise ValueError("--tasks, --units, --runs and --members must be positive, --history-days not negative")
    result: dict[str, Any] = {"bench": "reminders", "database": options.database,
                              "options": {k: str(v) if isinstance(v, date) else v for k, v in asdict(options).items()},
                              "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="dondoc-bench-") as tmp:
        workdir = Path(tmp)
        if options.phase in ("both", "planning"):
            result["planning"] = await planning_phase(options, workdir, progress)
        if options.phase in ("both", "fanout"):
            result["fanout"] = await fanout_phase(options, workdir, progress)
    problems = [p for key in ("planning", "fanout") for p in result.get(key, {}).get("problems", [])]
    result["correct"] = not problems
    result["problems"] = problems
    result["targets"] = {
        "plan_max_seconds": TARGET_PLAN_SECONDS,
        "plan_met": result["planning"]["met"] if "planning" in result else None,
        "rate_min_fraction": TARGET_RATE_FRACTION,
        "rate_met": result["fanout"]["rate_met"] if "fanout" in result else None,
        "no_429_met": result["fanout"]["no_429_met"] if "fanout" in result else None,
    }
    result["targets"]["met"] = all(v is not False for k, v in result["targets"].items() if k.endswith("_met"))
    return result


def render(result: dict[str, Any]) -> str:
    m = result["machine"]
    ok = {True: "met", False: "MISSED"}
    lines = [f"Đôn Đốc reminder benchmark — {result['database']}; {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}"]
    if "planning" in result:
        p = result["planning"]
        o = p["office"]
        lines += [
            f"Planning {p['day']}: {o['tasks']} tasks, {o['assignments']} assignments, {o['members']} members, "
            f"{o['status_reports']} status reports, {o['extensions']} extensions; history {p['history_days']} days "
            f"({p['history_items']} items)",
            f"  {'':<26}" + "".join(f"{'run ' + str(i + 1):>8}" for i in range(len(p['runs_seconds']))) + f"{'median':>9}",
            f"  {'plan() load+plan+enqueue':<26}" + "".join(f"{s:>8.3f}" for s in p["runs_seconds"])
            + f"{p['median_seconds']:>9.3f} s   target < {p['target_seconds']:g} s: {ok[p['met']]}",
            f"  {'plan_day alone (pure)':<26}" + "".join(f"{s:>8.3f}" for s in p["plan_day_seconds"])
            + f"{p['plan_day_median_seconds']:>9.3f} s",
            "  median parts (s): " + ", ".join(f"{k} {v:.3f}" for k, v in p["median_parts_seconds"].items()),
            f"  planned {p['messages']} messages with {p['items']} items",
        ]
    if "fanout" in result:
        f = result["fanout"]
        lines += [
            f"Fan-out {f['day']}: {f['members']} members, {f['tasks']} tasks due; fake limits "
            f"{f['fake_limits']['per_bot_per_s']}/s per bot, {f['fake_limits']['per_chat_per_s']}/s per chat; "
            f"cap {f['cap_per_s']:g}/s",
            f"  planned in {f['plan_seconds']:.2f} s, delivered in {f['deliver_seconds']:.1f} s; "
            f"{f['messages_received']} messages, {f['members_reached_once']} members reached exactly once",
            f"  achieved {f['rate_per_s']:.2f}/s over {f['send_window_seconds']:.1f} s = "
            f"{f['rate_fraction_of_cap']:.3f} of the cap   target >= {TARGET_RATE_FRACTION:.2f}: {ok[f['rate_met']]}",
            f"  429 answers: {f['responses_429']}   target 0: {ok[f['no_429_met']]};  busiest 1 s window at the fake: "
            f"{f['busiest_1s_window']}",
        ]
    if result["correct"]:
        lines.append(f"Results correct. Targets {'met' if result['targets']['met'] else 'MISSED'}.")
    else:
        lines.append("WRONG RESULTS:")
        lines.extend(f"  - {problem}" for problem in result["problems"][:20])
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", choices=("both", "planning", "fanout"), default=Options.phase)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default=Options.database)
    parser.add_argument("--tasks", type=int, default=Options.tasks, help="planning: tasks seeded")
    parser.add_argument("--units", type=int, default=Options.units, help="planning: units (3 officers + 1 head each)")
    parser.add_argument("--runs", type=int, default=Options.runs, help="planning: measured runs")
    parser.add_argument("--history-days", type=int, default=Options.history_days,
                        help="planning: working days planned (and marked sent) before the measured day")
    parser.add_argument("--members", type=int, default=Options.members, help="fan-out: members, 4 due tasks each")
    parser.add_argument("--day", type=date.fromisoformat, default=Options.day, help="planning: the day planned")
    parser.add_argument("--fanout-day", type=date.fromisoformat, default=Options.fanout_day,
                        help="fan-out: the day (a working day)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return Options(**vars(parser.parse_args(argv)))


def main(argv: Sequence[str] | None = None) -> int:
    """Exit status: 0 done (targets met or not), 1 a target missed and --check, 2 wrong results."""
    options = parse_args(argv)
    configure_logging("INFO", secrets=[FakeTelegram.__init__.__kwdefaults__["token"]])
    logging.getLogger("telegram").setLevel(logging.WARNING)

    def progress(message: str) -> None:
        print(f"... {message}", file=sys.stderr, flush=True)

    result = asyncio.run(run_benchmark(options, progress))
    print(render(result))
    print(json.dumps(result, ensure_ascii=False))
    if not result["correct"]:
        print("BENCHMARK FAILED: lost, duplicate or wrong results (see above)", file=sys.stderr)
        return 2
    if options.check and not result["targets"]["met"]:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
