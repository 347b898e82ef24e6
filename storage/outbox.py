"""The reminder outbox: planned messages, claimed with a lease, marked once sent.

Planning is idempotent: a message's `key` and an item's (member, task, unit, kind, period) are unique, and both
are inserted with ON CONFLICT DO NOTHING, so any number of processes can plan the same day. Sending claims rows
with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has a single writer), so a row is sent by one
process; a process that dies mid-send leaves its lease to expire and the row is sent again: the only possible
duplicate is the one message in flight.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from scheduler.planner import Item
from storage.models import OutboxMessage, OutboxState, ReminderItem


@dataclass(frozen=True)
class Planned:
    """One message to store: its key, recipient, day, when to send it, and its items (or a notice)."""

    key: str
    member_id: int
    day: date
    send_after: datetime
    items: Sequence[Item] = ()
    notice: dict[str, Any] | None = None


def _insert(session: AsyncSession, model: type) -> Any:
    """A Core INSERT on the model's table: the ORM's bulk path would send one statement per few rows."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)  # type: ignore[attr-defined]


async def enqueue(session: AsyncSession, planned: Sequence[Planned]) -> list[int]:
    """Stores new messages; returns the ids of those that were new and kept at least one new item."""
    known = await _known_keys(session, [p.key for p in planned])
    planned = [p for p in planned if p.key not in known]
    if not planned:
        return []
    rows = [
        {"key": p.key, "member_id": p.member_id, "day": p.day, "send_after": p.send_after,
         "state": OutboxState.PENDING, "attempts": 0, "notice": json.dumps(p.notice) if p.notice else None,
         "created_at": datetime.now(p.send_after.tzinfo)}
        for p in planned
    ]
    statement = _insert(session, OutboxMessage).on_conflict_do_nothing(index_elements=["key"])
    inserted = await session.exec(statement.returning(statement.table.c.id, statement.table.c.key), params=rows)
    ids = {key: outbox_id for outbox_id, key in inserted.all()}
    item_rows = [
        {"outbox_id": ids[p.key], "member_id": i.member_id, "task_id": i.task_id, "unit_id": i.unit_id,
         "kind": i.kind, "period": i.period, "due": i.due, "overdue_days": i.overdue_days}
        for p in planned if p.key in ids for i in p.items
    ]
    kept: set[int] = {ids[p.key] for p in planned if p.key in ids and p.notice is not None}
    if item_rows:
        statement = _insert(session, ReminderItem).on_conflict_do_nothing(
            index_elements=["member_id", "task_id", "unit_id", "kind", "period"]
        )
        await session.exec(statement, params=item_rows)  # no RETURNING: it costs a row per item
        with_items = select(ReminderItem.outbox_id).where(ReminderItem.outbox_id.in_(list(ids.values()))).distinct()  # type: ignore[attr-defined]
        kept.update(outbox_id for (outbox_id,) in (await session.exec(with_items)).all())
    empty = [outbox_id for outbox_id in ids.values() if outbox_id not in kept]
    if empty:  # every item was already planned elsewhere (another process, an earlier message)
        await session.exec(delete(OutboxMessage).where(OutboxMessage.id.in_(empty)))  # type: ignore[attr-defined]
    return sorted(kept)


_KEYS_PER_QUERY = 5000


async def _known_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    """Which of these message keys are stored already. Every tick plans the notices still true (each pending
    extension request to each chief, thousands in a big office): reading their keys is much cheaper than
    sending them all to an insert that would skip them."""
    known: set[str] = set()
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start:start + _KEYS_PER_QUERY]
        rows = await session.exec(select(OutboxMessage.key).where(OutboxMessage.key.in_(chunk)))  # type: ignore[attr-defined]
        known.update(rows.scalars())
    return known


async def expire_before(session: AsyncSession, day: date) -> int:
    """Reminders planned for an earlier day and never sent are dropped. Their items are deleted so the planner
    can say what is still true (still overdue) again today; what was only true on that day is not repeated."""
    stale = select(OutboxMessage.id).where(
        OutboxMessage.state == OutboxState.PENDING, OutboxMessage.day < day,
        OutboxMessage.notice.is_(None),  # type: ignore[union-attr]  # notices stay true: they wait for the next working hour
    )
    ids = [row[0] for row in (await session.exec(stale)).all()]
    if not ids:
        return 0
    await session.exec(delete(ReminderItem).where(ReminderItem.outbox_id.in_(ids)))  # type: ignore[attr-defined]
    await session.exec(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(state=OutboxState.EXPIRED)  # type: ignore[attr-defined]
    )
    return len(ids)


async def claim(session: AsyncSession, *, now: datetime, limit: int, lease: timedelta) -> list[int]:
    """Up to `limit` messages due by `now` that nobody holds, leased to the caller until `now + lease`."""
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.state == OutboxState.PENDING,
            OutboxMessage.send_after <= now,
            or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),  # type: ignore[union-attr]
        )
        .order_by(OutboxMessage.send_after, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = [row[0] for row in (await session.exec(query)).all()]
    if ids:
        await session.exec(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))  # type: ignore[attr-defined]
            .values(lease_until=now + lease, attempts=OutboxMessage.attempts + 1)
        )
    return ids


async def mark_sent(
    session: AsyncSession, outbox_id: int, *, channel: str, chat_id: str, message_id: str, at: datetime
) -> None:
    await session.exec(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .values(state=OutboxState.SENT, channel=channel, chat_id=chat_id, message_id=message_id, sent_at=at,
                lease_until=None, error=None)
    )


async def mark_final(session: AsyncSession, outbox_id: int, *, state: str, error: str | None, at: datetime) -> None:
    """FAILED (refused for good) or CANCELLED (nothing left to say). Cancelled items are deleted so they can be
    planned again if the task reopens."""
    if state == OutboxState.CANCELLED:
        await session.exec(delete(ReminderItem).where(ReminderItem.outbox_id == outbox_id))
    await session.exec(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .values(state=state, error=error[:300] if error else None, lease_until=None, sent_at=at)
    )


async def retry_later(session: AsyncSession, outbox_id: int, *, at: datetime, error: str) -> None:
    await session.exec(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id)
        .values(send_after=at, lease_until=None, error=error[:300])
    )


async def drop_items(session: AsyncSession, outbox_id: int, item_ids: Sequence[int]) -> None:
    """Items no longer worth saying (done, snoozed) at send time, so the log lists only what was said."""
    if item_ids:
        await session.exec(
            delete(ReminderItem).where(ReminderItem.outbox_id == outbox_id, ReminderItem.id.in_(item_ids))  # type: ignore[attr-defined]
        )


async def get(session: AsyncSession, outbox_id: int) -> OutboxMessage | None:
    return await session.get(OutboxMessage, outbox_id)


async def items_of(session: AsyncSession, outbox_id: int) -> list[ReminderItem]:
    rows = await session.exec(
        select(ReminderItem).where(ReminderItem.outbox_id == outbox_id).order_by(ReminderItem.id)
    )
    return list(rows.scalars())


async def pending_count(session: AsyncSession) -> int:
    return int(
        (await session.exec(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == OutboxState.PENDING)
        )).scalar_one()
    )
