"""Per-chat conversation state kept in the database, so it survives restarts and works across processes."""

from __future__ import annotations

import json
from typing import Any

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
    """Replaces what the chat is waiting for (None clears it)."""
    row = (await session.exec(select(Conversation).where(Conversation.channel == channel, Conversation.chat_id == chat_id))).first()
    encoded = json.dumps(pending, ensure_ascii=False) if pending is not None else None
    if row is None:
        if encoded is None:
            return
        row = Conversation(channel=channel, chat_id=chat_id, pending=encoded)
    else:
        row.pending, row.updated_at = encoded, utcnow()
    session.add(row)
    await session.flush()


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
