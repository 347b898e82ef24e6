"""What a chat is waiting for, kept in the database with a freshness limit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from handlers.context import UNREAD, Context
from storage import conversations

PENDING_TTL = timedelta(minutes=30)


async def load(ctx: Context) -> dict[str, Any] | None:
    """The chat's pending state if it is still fresh, else None. Read once per event."""
    if ctx.pending is not UNREAD:
        return ctx.pending
    pending = await conversations.get_pending(ctx.session, channel=ctx.channel, chat_id=ctx.chat_id)
    if pending is not None:
        at = datetime.fromisoformat(pending.get("at", "1970-01-01T00:00:00+00:00"))
        if ctx.incoming.received_at - at > PENDING_TTL:
            pending = None
    ctx.pending = pending
    return pending


async def save(ctx: Context, kind: str, **values: Any) -> None:
    state = {"kind": kind, "at": ctx.incoming.received_at.isoformat(), **values}
    await conversations.set_pending(ctx.session, channel=ctx.channel, chat_id=ctx.chat_id, pending=state)
    ctx.pending = state


async def clear(ctx: Context) -> None:
    await conversations.set_pending(ctx.session, channel=ctx.channel, chat_id=ctx.chat_id, pending=None)
    ctx.pending = None


def task_of(pending: dict[str, Any] | None, *kinds: str) -> int | None:
    if pending is None or pending.get("kind") not in kinds:
        return None
    task = pending.get("task")
    return task if isinstance(task, int) else None
