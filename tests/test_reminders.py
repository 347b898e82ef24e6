"""Reminders end to end: the real service, planner and outbox, the real Bot API client, our fake Telegram server,
a real database, and a simulated clock."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import open_deps
from bot.demo import load_demo
from scheduler.calendar import WorkingCalendar
from scheduler.clock import SimulatedClock
from storage import members, outbox
from storage.db import transaction
from storage.models import (
    ExtensionRequest,
    ExtensionState,
    OutboxMessage,
    OutboxState,
    ReminderItem,
)
from tests.conftest import at, make_settings
from tests.factories import USER_IDS, seed_office
from tests.fakes.telegram_api import FakeTelegram
from tests.reminder_harness import ReminderRig, reminder_rig

HEADER_DATE = re.compile(r"(\d\d)/(\d\d)/(\d{4})")
TASK_REF = re.compile(r"#(\d+) ·")


def received(rig: ReminderRig, chat_id: int) -> dict[str, set[int]]:
    """Office day (from the message's first line) -> the tasks the message lists; one message per day asserted."""
    got: dict[str, set[int]] = {}
    for text in rig.reminders_to(chat_id):
        day, month, year = HEADER_DATE.search(text.splitlines()[0]).groups()  # type: ignore[union-attr]
        key = f"{year}-{month}-{day}"
        assert key not in got, f"two messages to {chat_id} on {key}"
        got[key] = {int(ref) for ref in TASK_REF.findall(text)}
    return got


def days(*isos: str) -> list[str]:
    return [f"2023-{iso}" for iso in isos]


def schedule(*groups: tuple[list[str], set[int]]) -> dict[str, set[int]]:
    merged: dict[str, set[int]] = {}
    for when, tasks in groups:
        for day in when:
            merged.setdefault(day, set()).update(tasks)
    return merged


# The KH 435/KH-SVHTT plan of 2023 (bot/demo_data.py), with the default policy: 7, 3 and 1 working days before,
# the due day, every 2 working days overdue, the unit head after 3 overdue working days, the chief after 7;
# continuous tasks asked for their monthly update 3 working days before the 20th and on it. Derived by hand from
# the calendar: Tết 20–26/1, 29/4–3/5, 1–4/9/2023 off.
PERIOD_DAYS = days("01-16", "01-19", "02-15", "02-20", "03-15", "03-20", "04-17", "04-20", "05-16", "05-19",
                   "06-15", "06-20", "07-17", "07-20", "08-15", "08-18", "09-15", "09-20", "10-17", "10-20",
                   "11-15", "11-20", "12-15", "12-20")
REPORT_20_OCT = days("10-11", "10-17", "10-19", "10-20",  # 7, 3, 1 working days before Friday 20/10, and on it
                     "10-23", "10-25", "10-27", "10-31", "11-02", "11-06", "11-08", "11-10", "11-14", "11-16",
                     "11-20", "11-22", "11-24", "11-28", "11-30", "12-04", "12-06", "12-08", "12-12", "12-14",
                     "12-18", "12-20", "12-22", "12-26", "12-28")  # overdue, every 2 working days
EXPECTED_KH435 = {
    "Phạm Quốc Hùng": schedule(  # Thanh tra Sở officer
        (PERIOD_DAYS, {14, 15, 17}),  # the inspectorate's continuous tasks
        (REPORT_20_OCT, {10}),  # every unit's report to the department, due 20/10/2023
        # Coordinating on 2, 3, 9, 20 (due Sunday 31/12): internal deadline 3 working days earlier, 27/12.
        (days("12-18", "12-22", "12-26", "12-27", "12-28"), {2, 3, 9, 20}),
        # Leading 4–8, due 31/12: the due-day reminder on Friday 29/12.
        (days("12-20", "12-26", "12-28", "12-29"), {4, 5, 6, 7, 8}),
    ),
    "Lê Thu Hà": schedule((days("10-25"), {10})),  # TCPC head: her unit is 3 working days late on 20/10
    "Vũ Đức Thắng": schedule((days("10-31"), {10})),  # chief of office: 7 working days late
    "Đỗ Đình Hồng": {},  # leadership: no reminders, no escalations
}


@pytest.mark.timeout(180)
async def test_a_year_of_kh435_reminders_on_working_days_only(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path)
    async with open_deps(settings, clock=SimulatedClock(at("2023-01-01 07:00"))) as deps:
        async with transaction(deps.sessions) as session:
            people = await load_demo(session, today=date(2023, 1, 1), now=at("2023-01-01 07:00"))
            for person in people:
                assert person.id is not None
                await members.link_account(session, member_id=person.id, channel="telegram",
                                           external_id=str(5000 + person.id), chat_id=str(5000 + person.id))
        async with reminder_rig(deps, start=at("2023-01-01 07:00")) as rig:
            for person in people:
                rig.telegram.user(5000 + (person.id or 0))
            await rig.run_days(date(2023, 1, 1), date(2023, 12, 31))
            got = {person.full_name: received(rig, 5000 + (person.id or 0)) for person in people}
    for name, expected in EXPECTED_KH435.items():
        assert got[name] == expected, name
    calendar = WorkingCalendar()
    every_day = [day for schedule_ in got.values() for day in schedule_]
    assert every_day, "nobody was reminded of anything"
    for day in every_day:
        assert calendar.is_working(date.fromisoformat(day)), f"a reminder on {day}, a day off"
    for day_off in ("2023-01-20", "2023-01-23", "2023-01-26", "2023-05-02", "2023-09-01", "2023-09-04"):
        assert day_off not in every_day


async def test_done_stops_reminders_even_between_planning_and_sending(database_url: str, tmp_path: Path) -> None:
    async with open_deps(make_settings(database_url, tmp_path)) as deps:
        office = await seed_office(deps, now=at("2023-06-01 08:00"), channel="telegram")
        async with reminder_rig(deps, start=at("2023-06-21 07:00")) as rig:
            minh, lan = USER_IDS["minh"], USER_IDS["lan"]
            for user in USER_IDS.values():
                rig.telegram.user(user)
            # 27/6 is both units' reminder day for vp_june (TCPC's internal deadline, VP's "3 days before").
            rig.clock.set(at("2023-06-27 06:00"))
            await rig.service.plan()  # planned before anyone is at work
            async with transaction(deps.sessions) as session:
                from bot.services.reporting import record_status

                member = await members.get_member(session, member_id=office.people["lan"].id or 0)
                assert member is not None
                await record_status(session, member=member, task_id=office.tasks["vp_june"].id or 0, status="done",
                                    percent=None, note=None, original_text="xong", channel="telegram",
                                    at=at("2023-06-27 07:30"))
            await rig.run_at("2023-06-27 08:00")
            assert rig.texts_to(lan) == []  # VP's reminder was dropped at sending time: the task is done
            assert len(rig.texts_to(minh)) == 1  # TCPC still owes its input
            await rig.run_days(date(2023, 6, 28), date(2023, 7, 31))
            assert rig.texts_to(lan) == []
        async with deps.sessions() as session:
            states = Counter((await session.exec(select(OutboxMessage.state))).scalars())
    assert states[OutboxState.CANCELLED] == 1


async def test_one_message_per_person_lists_every_due_task(sqlite_url: str, tmp_path: Path) -> None:
    from bot import admin

    async with open_deps(make_settings(sqlite_url, tmp_path)) as deps:
        await seed_office(deps, now=at("2023-06-01 08:00"), channel="telegram")
        async with transaction(deps.sessions) as session:
            for n in range(5):
                await admin.add_task(session, plan_number="435/KH-SVHTT", code=f"X.{n}", title=f"Báo cáo số {n}",
                                     lead=["TTra"], due=date(2023, 7, 3 + n))
        async with reminder_rig(deps, start=at("2023-07-10 08:00")) as rig:
            rig.telegram.user(USER_IDS["hung"])
            await rig.run_at("2023-07-10 08:00")
            [message] = rig.telegram.messages_to(USER_IDS["hung"])
    text = message["text"]
    assert text.splitlines()[0].endswith("10/07/2023")
    for n, late in zip(range(5), (7, 6, 5, 4, 3), strict=True):
        assert f"Báo cáo số {n}" in text
        assert f"{late} days overdue" in text or f"{late} ngày" in text
    # A row of status buttons per task, then the snooze row.
    keyboard = message["reply_markup"]["inline_keyboard"]
    assert len(keyboard) == 6
    assert all(len(row) == 3 for row in keyboard)


async def test_quiet_hours_days_off_and_each_members_own_time(sqlite_url: str, tmp_path: Path) -> None:
    from datetime import time

    async with open_deps(make_settings(sqlite_url, tmp_path)) as deps:
        office = await seed_office(deps, now=at("2023-06-01 08:00"), channel="telegram")
        async with transaction(deps.sessions) as session:
            hung = await members.get_member(session, member_id=office.people["hung"].id or 0)
            assert hung is not None
            hung.reminder_time = time(10, 30)
        async with reminder_rig(deps, start=at("2023-06-17 09:00")) as rig:
            for user in USER_IDS.values():
                rig.telegram.user(user)
            await rig.run_at("2023-06-17 09:00")  # Saturday
            await rig.run_at("2023-06-18 09:00")  # Sunday
            assert all(rig.texts_to(user) == [] for user in USER_IDS.values())
            # 15/6 is Hùng's periodic-update day: planned at 06:00, nothing before his 10:30.
            await rig.run_at("2023-06-15 06:00")
            await rig.run_at("2023-06-15 10:00")
            assert rig.texts_to(USER_IDS["hung"]) == []
            await rig.run_at("2023-06-15 10:31")
            assert len(rig.texts_to(USER_IDS["hung"])) == 1
            # Quiet hours: a message due in the morning is not sent at 22:00 (the bot was down all day).
            rig.clock.set(at("2023-06-21 06:00"))
            await rig.service.plan()
            await rig.run_at("2023-06-21 22:00")
            assert rig.texts_to(USER_IDS["lan"]) == []


async def test_after_downtime_only_the_state_is_repeated_once(database_url: str, tmp_path: Path) -> None:
    async with open_deps(make_settings(database_url, tmp_path)) as deps:
        await seed_office(deps, now=at("2023-06-01 08:00"), channel="telegram")
        async with reminder_rig(deps, start=at("2023-10-10 08:00")) as rig:
            minh = USER_IDS["minh"]
            rig.telegram.user(minh)
            await rig.run_at("2023-10-11 08:00")  # tcpc_oct: 7 working days before 20/10
            assert len(rig.texts_to(minh)) == 1
            # Planned for 17/10, then the bot is down from before 08:00 on 17/10 until 30/10.
            rig.clock.set(at("2023-10-17 07:00"))
            await rig.service.plan()
            await rig.run_at("2023-10-30 09:00")
            texts = rig.texts_to(minh)
            assert len(texts) == 2  # one catch-up message, not the missed "3 days before" and "1 day before"
            assert "Overdue" in texts[1] or "Quá hạn" in texts[1]
            assert "10 days overdue" in texts[1] or "10 ngày" in texts[1]
            await rig.run_at("2023-10-30 15:00")
            assert len(rig.texts_to(minh)) == 2  # said once
        async with deps.sessions() as session:
            expired = (await session.exec(
                select(OutboxMessage).where(OutboxMessage.state == OutboxState.EXPIRED))).scalars().all()
    assert expired and {message.day for message in expired} == {date(2023, 10, 17)}


async def test_an_approved_extension_moves_the_schedule_and_keeps_both_dates(sqlite_url: str, tmp_path: Path) -> None:
    async with open_deps(make_settings(sqlite_url, tmp_path)) as deps:
        office = await seed_office(deps, now=at("2023-06-01 08:00"), channel="telegram")
        task_id = office.tasks["tcpc_oct"].id
        async with transaction(deps.sessions) as session:
            session.add(ExtensionRequest(
                task_id=task_id, unit_id=office.people["minh"].unit_id, member_id=office.people["minh"].id,
                requested_due=date(2023, 11, 10), approved_due=date(2023, 11, 10), state=ExtensionState.APPROVED,
                decided_at=at("2023-10-02 09:00"), channel="telegram", original_text="xin gia hạn đến 10/11"))
        async with reminder_rig(deps, start=at("2023-10-10 08:00")) as rig:
            minh = USER_IDS["minh"]
            rig.telegram.user(minh)
            await rig.run_days(date(2023, 10, 10), date(2023, 11, 10))
            got = received(rig, minh)
            last = rig.texts_to(minh)[-1]
    assert sorted(day for day, tasks in got.items() if task_id in tasks) == [
        "2023-11-01", "2023-11-07", "2023-11-09", "2023-11-10"]  # 7, 3, 1 working days before 10/11, and on it
    assert "10/11/2023" in last and "20/10/2023" in last  # the new date, and the plan's
    async with open_deps(make_settings(sqlite_url, tmp_path)) as deps, deps.sessions() as session:
        task = await session.get(type(office.tasks["tcpc_oct"]), task_id)
        assert task is not None and task.due == date(2023, 10, 20)  # the plan's own date is kept


async def test_preview_matches_what_is_then_sent(database_url: str, tmp_path: Path) -> None:
    from scheduler.preview import preview

    async with open_deps(make_settings(database_url, tmp_path)) as deps:
        office = await seed_office(deps, now=at("2023-06-01 08:00"), channel="telegram")
        async with deps.sessions() as session:
            rows = await preview(session, deps.settings, date(2023, 6, 1), date(2023, 7, 31))
        async with reminder_rig(deps, start=at("2023-06-01 08:00")) as rig:
            for user in USER_IDS.values():
                rig.telegram.user(user)
            await rig.run_days(date(2023, 6, 1), date(2023, 7, 31))
            sent = {(key, day) for key, user in USER_IDS.items() for day in received(rig, user)}
    names = {person.full_name: key for key, person in office.people.items()}
    previewed = {(names[row.member], row.day.isoformat()) for row in rows if row.member}
    assert previewed == sent
    assert {row.at.strftime("%H:%M") for row in rows if row.at} == {"08:00"}


async def test_the_log_records_delivery_and_whether_the_unit_answered(sqlite_url: str, tmp_path: Path) -> None:
    from bot.services.reporting import record_status
    from storage.reminder_log import log_entries

    async with open_deps(make_settings(sqlite_url, tmp_path)) as deps:
        office = await seed_office(deps, now=at("2023-06-01 08:00"), channel="telegram")
        async with reminder_rig(deps, start=at("2023-10-11 08:00")) as rig:
            rig.telegram.user(USER_IDS["minh"])
            await rig.run_at("2023-10-11 08:00")
            async with transaction(deps.sessions) as session:
                member = await members.get_member(session, member_id=office.people["minh"].id or 0)
                assert member is not None
                await record_status(session, member=member, task_id=office.tasks["tcpc_oct"].id or 0,
                                    status="in_progress", percent=50, note=None, original_text="đang làm 50%",
                                    channel="telegram", at=at("2023-10-11 09:00"))
            await rig.run_at("2023-10-17 08:00")
        async with deps.sessions() as session:
            entries = await log_entries(session, unit_id=office.people["minh"].unit_id)
    oct_task = office.tasks["tcpc_oct"].id
    # Newest first; TCPC also hears about its overdue input to vp_june, which nobody answered.
    assert [(e.day.isoformat(), e.member, e.delivered, e.channel, oct_task in e.tasks) for e in entries] == [
        ("2023-10-17", "Trần Văn Minh", True, "telegram", True),
        ("2023-10-11", "Trần Văn Minh", True, "telegram", True),
    ]
    assert "before" in entries[0].kinds and "before" in entries[1].kinds
    assert [e.replied for e in entries] == [False, True]


async def test_planning_twice_or_in_two_services_plans_once(database_url: str, tmp_path: Path) -> None:
    async with open_deps(make_settings(database_url, tmp_path)) as deps:
        await seed_office(deps, now=at("2023-06-01 08:00"), channel="telegram")
        async with reminder_rig(deps, start=at("2023-06-27 07:00")) as first, \
                reminder_rig(deps, start=at("2023-06-27 07:00"), telegram=first.telegram) as second:
            assert (await first.service.plan()).planned == 2
            assert (await second.service.plan(force=True)).planned == 0
            assert (await first.service.plan(force=True)).planned == 0
        async with deps.sessions() as session:
            keys = (await session.exec(select(OutboxMessage.key))).scalars().all()
            items = (await session.exec(select(ReminderItem))).scalars().all()
    assert len(keys) == 2 and len(items) == 2


async def test_a_task_added_during_the_day_is_reminded_without_repeating_the_morning(
    sqlite_url: str, tmp_path: Path
) -> None:
    from bot import admin

    async with open_deps(make_settings(sqlite_url, tmp_path)) as deps:
        await seed_office(deps, now=at("2023-06-01 08:00"), channel="telegram")
        async with reminder_rig(deps, start=at("2023-10-11 08:00")) as rig:
            minh = USER_IDS["minh"]
            rig.telegram.user(minh)
            await rig.run_at("2023-10-11 08:00")
            assert len(rig.texts_to(minh)) == 1
            async with transaction(deps.sessions) as session:
                task = await admin.add_task(session, plan_number="435/KH-SVHTT", code="N.1", title="Việc mới giao",
                                            lead=["TCPC"], due=date(2023, 10, 11))
            await rig.run_at("2023-10-11 08:30")  # within the hour: not planned again yet
            assert len(rig.texts_to(minh)) == 1
            await rig.run_at("2023-10-11 09:05")
            texts = rig.texts_to(minh)
            assert len(texts) == 2
            assert TASK_REF.findall(texts[1]) == [str(task.id)]  # only the new task, nothing repeated
