"""The weekly digest: when it goes out, to whom, and what changed since each recipient's last one.

It is planned into the reminder outbox as a notice (`{"kind": "digest", …}`) keyed `<member>:digest:<ISO week>`,
so each recipient gets it once a week whatever the number of processes or restarts; the message itself (chart,
caption, text) is composed at sending time by `handlers.digest.digest_message`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.services.plan_status import DONE, SETTLED, Category
from bot.services.summary import PlanSummary
from scheduler.calendar import WorkingCalendar
from storage import outbox, plans
from storage.models import Evidence, ExtensionRequest, Member, OutboxMessage, OutboxState, Role, Task, UnitRole

DEFAULT_WINDOW = timedelta(days=7)  # "since" for a recipient's first digest


def digest_day(day: date, cal: WorkingCalendar, weekday: int = 0) -> date | None:
    """The day the digest goes out in `day`'s week: `weekday` (0 = Monday), or the week's next working day when
    that day is off; None when no working day is left in that week."""
    monday = day - timedelta(days=day.weekday())
    candidate = monday + timedelta(days=weekday)
    while candidate - monday < timedelta(days=7):
        if cal.is_working(candidate):
            return candidate
        candidate += timedelta(days=1)
    return None


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def wants_digest(member: Member) -> bool:
    """The chief of office unless they opted out; leadership and admins when they opted in."""
    if member.weekly_digest is not None:
        return bool(member.weekly_digest) and member.role in (Role.CHIEF, Role.LEADERSHIP, Role.ADMIN)
    return member.role == Role.CHIEF


async def recipients(session: AsyncSession) -> list[Member]:
    rows = await session.exec(
        select(Member).where(Member.active.is_(True), Member.role.in_((Role.CHIEF, Role.LEADERSHIP, Role.ADMIN)))  # type: ignore[attr-defined]
        .order_by(Member.id)
    )
    return [member for member in rows.scalars() if wants_digest(member)]


async def last_digest_at(session: AsyncSession, member_id: int) -> datetime | None:
    """When this member's previous digest was sent (None: never)."""
    return (await session.exec(
        select(func.max(OutboxMessage.sent_at)).where(
            OutboxMessage.member_id == member_id, OutboxMessage.key.like(f"{member_id}:digest:%"),  # type: ignore[attr-defined]
            OutboxMessage.state == OutboxState.SENT)
    )).scalar_one()


async def plan_digests(session: AsyncSession, *, settings: Settings, now: datetime, today: date,
                       cal: WorkingCalendar) -> list[outbox.Planned]:
    """This week's digest for each recipient, on the digest day only (any tick of it: the key makes it once)."""
    if not settings.digest_enabled or digest_day(today, cal, settings.digest_weekday) != today:
        return []
    plan = await plans.current_plan(session)
    if plan is None:
        return []
    zone = settings.zone
    send_after = datetime.combine(today, settings.digest_time, zone)
    planned = []
    for member in await recipients(session):
        assert member.id is not None
        since = await last_digest_at(session, member.id) or send_after - DEFAULT_WINDOW
        planned.append(outbox.Planned(
            key=f"{member.id}:digest:{week_key(today)}", member_id=member.id, day=today, send_after=send_after,
            notice={"kind": "digest", "plan_id": plan.id, "today": today.isoformat(), "since": since.isoformat(),
                    "rule": settings.late_rule, "silent_after": settings.silent_after_working_days,
                    "zone": settings.timezone},
        ))
    return planned


@dataclass(frozen=True)
class Changes:
    """What happened on the plan since the last digest."""

    since: datetime
    completed: int  # lead assignments whose latest report, sent since, says done
    newly_overdue: int  # lead assignments open whose judged due date passed since
    new_blockers: int  # assignments whose latest report, sent since, says blocked
    evidence: int  # evidence files received
    extension_requests: int  # extension requests made


async def changes_since(session: AsyncSession, summary: PlanSummary, *, since: datetime) -> Changes:
    """From a summary made with `since` (its counts carry what changed) and two counts of files and requests."""
    groups = summary.plan_counts.groups
    completed = sum(g.recent for g in groups if g.role == UnitRole.LEAD and g.category in DONE)
    newly_overdue = sum(g.judged_since for g in groups if g.role == UnitRole.LEAD
                        and g.category == Category.OPEN_OVERDUE)
    blockers = sum(g.recent for g in groups if g.blocked and g.category not in SETTLED)
    plan_id = summary.plan.id
    evidence = (await session.exec(
        select(func.count()).select_from(Evidence).join(Task, Task.id == Evidence.task_id)
        .where(Task.plan_id == plan_id, Evidence.created_at >= since)  # type: ignore[operator]
    )).scalar_one()
    requests = (await session.exec(
        select(func.count()).select_from(ExtensionRequest).join(Task, Task.id == ExtensionRequest.task_id)
        .where(Task.plan_id == plan_id, ExtensionRequest.created_at >= since)  # type: ignore[operator]
    )).scalar_one()
    return Changes(since, completed, newly_overdue, blockers, int(evidence), int(requests))


__all__ = ["Changes", "changes_since", "digest_day", "plan_digests", "recipients", "wants_digest", "week_key"]
