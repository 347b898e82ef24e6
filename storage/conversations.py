"""Per-chat conversation state kept in the database, so it survives restarts and works across processes."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Conversation, SentMessage
from storage.types import utcnow


async def get_pending(session: AsyncSession, *, channel: str, chat_id: str) -> dict[str, Any] | None:
    row = (await session.exec(select(Conversation).where(Conversation.channel == channel, Conversation.chat_id == chat_id))).first()
    if row is None or row.pending is None:
        return None
    value = json.loads(row.pending)
    return value if isinstance(value, dict) else None


async def set_pending(session: AsyncSession, *, channel: str, chat_id: str, pending: dict[str, Any] | None) -> None:
    """Replaces what the chat is waiting for (None clears it), in one upsert statement."""
    encoded = json.dumps(pending, ensure_ascii=False) if pending is not None else None
    values = {"channel": channel, "chat_id": chat_id, "pending": encoded, "updated_at": utcnow()}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Conversation).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["channel", "chat_id"], set_={"pending": encoded, "updated_at": values["updated_at"]}
    )
    await session.exec(statement)  # type: ignore[call-overload]


async def remember_sent(session: AsyncSession, *, channel: str, chat_id: str, message_id: str, task_id: int) -> None:
    session.add(SentMessage(channel=channel, chat_id=chat_id, message_id=message_id, task_id=task_id))
    await session.flush()


async def task_of_message(session: AsyncSession, *, channel: str, chat_id: str, message_id: str) -> int | None:
    row = await session.exec(
        select(SentMessage.task_id).where(
            SentMessage.channel == channel, SentMessage.chat_id == chat_id, SentMessage.message_id == message_id
        )
    )
    return row.first()
