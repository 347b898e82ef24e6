"""The demo database: KH 435's units and tasks, a member per role, and a few replies, so a newcomer can try it all.

Dates are moved to the current year (deadline phrases too) so the demo shows live deadlines, not ones
that passed years ago.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import admin, demo_data
from bot.services.reporting import record_status
from storage import members, plans
from storage.models import Member, Role

DEMO_OFFICER = "Nguyễn Thị Lan"
DEMO_MEMBERS = (
    # (full name, role, unit short name)
    (DEMO_OFFICER, Role.OFFICER, "VP"),
    ("Trần Văn Minh", Role.OFFICER, "TCPC"),
    ("Lê Thu Hà", Role.UNIT_HEAD, "TCPC"),
    ("Phạm Quốc Hùng", Role.OFFICER, "TTra"),
    ("Hoàng Mai Anh", Role.OFFICER, "TTTL"),
    ("Vũ Đức Thắng", Role.CHIEF, "VP"),
    ("Đỗ Đình Hồng", Role.LEADERSHIP, None),
    ("Quản trị hệ thống", Role.ADMIN, None),
)


def _shift(value: date | None, years: int) -> date | None:
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def _shift_text(text: str, years: int) -> str:
    return re.sub(r"\b(20\d\d)\b", lambda match: str(int(match.group(1)) + years), text)


async def load_demo(session: AsyncSession, *, today: date, now: datetime) -> list[Member]:
    """Fills an empty database with the demo plan; returns the demo members (the first is the default speaker)."""
    years = today.year - demo_data.PLAN_YEAR
    for unit in demo_data.UNITS:
        await admin.add_unit(session, name=unit.name, short_name=unit.short_name, aliases=unit.aliases)
    plan = await admin.add_plan(
        session, number=demo_data.PLAN_NUMBER, title=_shift_text(demo_data.PLAN_TITLE, years),
        issued_on=_shift(demo_data.PLAN_ISSUED_ON, years), issuer=demo_data.PLAN_ISSUER, year=today.year,
    )
    tasks = []
    for task in demo_data.TASKS:
        task = replace(task, start=_shift(task.start, years), due=_shift(task.due, years),
                       deadline_text=_shift_text(task.deadline_text, years))
        tasks.append(
            await admin.add_task(
                session, plan_number=plan.number, code=task.code, title=task.title, lead=task.lead,
                coordinate=task.coordinate, supervise=task.supervise, expected_result=task.expected_result,
                area=task.area, component=task.component, start=task.start, due=task.due,
                recurrence=task.recurrence, deadline_text=task.deadline_text,
            )
        )
    people = [
        await admin.add_member(session, full_name=name, role=role, unit=unit, locale=None)
        for name, role, unit in DEMO_MEMBERS
    ]
    for member in people:
        assert member.id is not None
        await members.link_account(session, member_id=member.id, channel="console", external_id=str(member.id),
                                   chat_id=str(member.id))
    await _sample_history(session, people, now)
    await admin.add_invite(session, role=Role.OFFICER, unit="KHTC", days=30, now=now)
    return people


SAMPLE_REPLIES = (
    # (index in DEMO_MEMBERS, which of that unit's tasks, status, percent, note, what they typed)
    (1, 0, "in_progress", 60, None, "đang làm 60%"),
    (1, 1, "done", None, None, "xong"),
    (3, 0, "blocked", None, "chờ kết luận thanh tra của Thành phố", "vướng: chờ kết luận thanh tra của Thành phố"),
)


async def _sample_history(session: AsyncSession, people: list[Member], now: datetime) -> None:
    """A few replies so the summaries are not all zeros."""
    for index, nth, status, percent, note, text in SAMPLE_REPLIES:
        member = people[index]
        assert member.unit_id is not None
        own = await plans.assignments(session, unit_id=member.unit_id)
        task = own[nth][0]
        await record_status(session, member=member, task_id=task.id or 0, status=status, percent=percent,
                            note=note, original_text=text, channel="console", at=now)
