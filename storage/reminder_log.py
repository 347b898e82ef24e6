"""The đôn đốc log: every reminder and escalation sent or attempted, and whether the unit answered since."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Member, OutboxMessage, OutboxState, ReminderItem, StatusReport, Unit

LOGGED_STATES = (OutboxState.SENT, OutboxState.FAILED)


@dataclass(frozen=True)
class LogEntry:
    outbox_id: int
    day: date
    member: str
    member_role: str
    channel: str | None
    sent_at: datetime | None
    delivered: bool
    error: str | None
    unit: str
    tasks: tuple[int, ...]
    kinds: tuple[str, ...]
    replied: bool  # the unit reported on one of these tasks after the reminder


async def log_entries(
    session: AsyncSession, *, unit_id: int | None = None, since: date | None = None, until: date | None = None,
    limit: int = 200,
) -> list[LogEntry]:
    """Newest first. With `unit_id`, the reminders and escalations about that unit's tasks."""
    query = (
        select(OutboxMessage, ReminderItem, Member.full_name, Member.role, Unit.short_name, Unit.name)
        .join(ReminderItem, ReminderItem.outbox_id == OutboxMessage.id)
        .join(Member, Member.id == OutboxMessage.member_id)
        .join(Unit, Unit.id == ReminderItem.unit_id)
        .where(OutboxMessage.state.in_(LOGGED_STATES))  # type: ignore[attr-defined]
        .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc(), ReminderItem.id)  # type: ignore[union-attr]
    )
    if unit_id is not None:
        query = query.where(ReminderItem.unit_id == unit_id)
    if since is not None:
        query = query.where(OutboxMessage.day >= since)
    if until is not None:
        query = query.where(OutboxMessage.day <= until)
    grouped: dict[tuple[int, str], list] = {}  # type: ignore[type-arg]
    for message, item, name, role, short, full in (await session.exec(query)).all():
        grouped.setdefault((message.id, short or full), []).append((message, item, name, role))
        if len(grouped) > limit:
            grouped.popitem()
            break
    entries = []
    for (outbox_id, unit), rows in grouped.items():
        message, _, name, role = rows[0]
        tasks = tuple(dict.fromkeys(item.task_id for _, item, _, _ in rows))
        unit_ids = {item.unit_id for _, item, _, _ in rows}
        replied = False
        if message.sent_at is not None and message.state == OutboxState.SENT:
            replied = (await session.exec(
                select(StatusReport.id).where(
                    StatusReport.task_id.in_(tasks), StatusReport.unit_id.in_(unit_ids),  # type: ignore[attr-defined]
                    StatusReport.created_at > message.sent_at,
                ).limit(1)
            )).first() is not None
        entries.append(LogEntry(
            outbox_id=outbox_id, day=message.day, member=name, member_role=role, channel=message.channel,
            sent_at=message.sent_at, delivered=message.state == OutboxState.SENT, error=message.error, unit=unit,
            tasks=tasks, kinds=tuple(sorted({item.kind for _, item, _, _ in rows})), replied=replied,
        ))
    return entries
