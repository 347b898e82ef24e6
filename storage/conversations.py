"""Per-chat conversation state kept in the database, so it survives restarts and works across processes.

These run on every message, so they are SQLAlchemy Core statements built once (compiled once, then cached):
no ORM objects, no unit-of-work flush.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table, bindparam, select, text
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.batching import Write, cache_of, defer
from storage.cache import ReadCache
from storage.models import Conversation, SentMessage
from storage.types import UTCDateTime, utcnow

_conversation: Table = Conversation.__table__  # type: ignore[attr-defined]
_sent: Table = SentMessage.__table__  # type: ignore[attr-defined]

PENDING_OF_CHAT = select(_conversation.c.pending).where(
    _conversation.c.channel == bindparam("channel"), _conversation.c.chat_id == bindparam("chat_id")
)
TASK_OF_MESSAGE = select(_sent.c.task_id).where(
    _sent.c.channel == bindparam("channel"),
    _sent.c.chat_id == bindparam("chat_id"),
    _sent.c.message_id == bindparam("message_id"),
)
# The same SQL on SQLite (>= 3.24) and PostgreSQL. Written as text because SQLAlchemy does not cache the
# compiled form of its dialect-specific ON CONFLICT constructs, and compiling one costs more than running it.
_SET_PENDING = text(
    "INSERT INTO conversation (channel, chat_id, pending, updated_at) "
    "VALUES (:channel, :chat_id, :pending, :updated_at) "
    "ON CONFLICT (channel, chat_id) DO UPDATE SET pending = excluded.pending, updated_at = excluded.updated_at"
).bindparams(bindparam("updated_at", type_=UTCDateTime()))
# Idempotent: a Zalo reminder is remembered by the delivery (shared with the conversation) and by the reminder
# service alike; the second must not fail the transaction that marks the reminder sent.
_REMEMBER_SENT = text(
    "INSERT INTO sent_message (channel, chat_id, message_id, task_id, created_at) "
    "VALUES (:channel, :chat_id, :message_id, :task_id, :created_at) "
    "ON CONFLICT (channel, chat_id, message_id) DO NOTHING"
).bindparams(bindparam("created_at", type_=UTCDateTime()))


def decode_pending(encoded: str | None) -> dict[str, Any] | None:
    """The stored JSON of a chat's pending state as a dict (None when empty or not an object)."""
    if encoded is None:
        return None
    value = json.loads(encoded)
    return value if isinstance(value, dict) else None


async def get_pending(session: AsyncSession, *, channel: str, chat_id: str) -> dict[str, Any] | None:
    encoded = (await session.exec(PENDING_OF_CHAT, params={"channel": channel, "chat_id": chat_id})).scalar()
    return decode_pending(encoded)


async def set_pending(session: AsyncSession, *, channel: str, chat_id: str, pending: dict[str, Any] | None) -> None:
    """Replaces what the chat is waiting for (None clears it), in one upsert statement."""
    encoded = json.dumps(pending, ensure_ascii=False) if pending is not None else None
    params = {"channel": channel, "chat_id": chat_id, "pending": encoded, "updated_at": utcnow()}
    cache, key = cache_of(session), (channel, chat_id)
    if cache is None:
        await defer(session, _SET_PENDING, params)
    elif not await defer(session, _SET_PENDING, params, on_commit=lambda: cache.pending.put(key, encoded)):
        cache.pending.drop(key)  # written in an ordinary transaction: read it again after it ends


def sent_row(*, channel: str, chat_id: str, message_id: str, task_id: int) -> dict[str, Any]:
    return {"channel": channel, "chat_id": chat_id, "message_id": message_id, "task_id": task_id,
            "created_at": utcnow()}


async def remember_sent(session: AsyncSession, *, channel: str, chat_id: str, message_id: str, task_id: int) -> None:
    """Records that a bot message is about a task, so a reply to it refers to that task."""
    row = sent_row(channel=channel, chat_id=chat_id, message_id=message_id, task_id=task_id)
    await defer(session, _REMEMBER_SENT, row)


def remembering_sent(*, channel: str, chat_id: str, message_id: str, task_id: int, cache: ReadCache) -> Write:
    """The same row as `remember_sent`, for a `BatchWriter`; `cache` learns it once it is committed."""
    row = sent_row(channel=channel, chat_id=chat_id, message_id=message_id, task_id=task_id)
    return Write(_REMEMBER_SENT, row, on_commit=lambda: cache.sent.put((channel, chat_id, message_id), task_id))


async def task_of_message(session: AsyncSession, *, channel: str, chat_id: str, message_id: str) -> int | None:
    params = {"channel": channel, "chat_id": chat_id, "message_id": message_id}
    found = await session.exec(TASK_OF_MESSAGE, params=params)
    return found.scalar()
