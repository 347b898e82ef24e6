"""Inbound updates claimed and done, so a platform's redelivery is recorded once, and never lost.

A webhook delivery *claims* its update before handling it. The handling marks it *done* in the same commit as
what it recorded (handlers.router adds `done_write` to the event's writes), so "done" and "recorded" cannot
disagree: a process killed mid-handling leaves a claim that is not done, which the platform's redelivery takes
over once it is older than the lease (the dead process can no longer commit anything for it). While another
process holds a fresh claim, the delivery is answered "busy" and the platform delivers it again later. When the
handling fails, the claim is released at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import bindparam, text
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.batching import Write
from storage.types import UTCDateTime, utcnow

Claim = Literal["new", "done", "busy"]
# Longer than any handling takes (a file download included): a claim older than this belongs to a dead process.
CLAIM_LEASE = timedelta(seconds=120)

_CLAIM = text(
    "INSERT INTO processed_update (channel, update_id, created_at, claimed_at) "
    "VALUES (:channel, :update_id, :now, :now) "
    "ON CONFLICT (channel, update_id) DO UPDATE SET claimed_at = excluded.claimed_at "
    "WHERE processed_update.done_at IS NULL AND processed_update.claimed_at < :stale"
).bindparams(bindparam("now", type_=UTCDateTime()), bindparam("stale", type_=UTCDateTime()))
_DONE_AT = text("SELECT done_at FROM processed_update WHERE channel = :channel AND update_id = :update_id")
_MARK_DONE = text(
    "UPDATE processed_update SET done_at = :now WHERE channel = :channel AND update_id = :update_id"
).bindparams(bindparam("now", type_=UTCDateTime()))
_RELEASE = text(
    "DELETE FROM processed_update WHERE channel = :channel AND update_id = :update_id AND done_at IS NULL")


async def claim_update(session: AsyncSession, *, channel: str, update_id: str, now: datetime | None = None,
                       lease: timedelta = CLAIM_LEASE) -> Claim:
    """"new": this call claimed the update (handle it); "done": it was handled before (skip it); "busy": another
    process is handling it now (ask the platform to deliver it again later); a claim older than `lease` is taken
    over."""
    now = now or utcnow()
    params = {"channel": channel, "update_id": update_id, "now": now, "stale": now - lease}
    result = await session.exec(_CLAIM, params=params)  # type: ignore[call-overload]
    if result.rowcount:
        return "new"
    done = (await session.exec(_DONE_AT, params={"channel": channel, "update_id": update_id})).scalar()  # type: ignore[call-overload]
    return "done" if done is not None else "busy"


def done_write(*, channel: str, update_id: str) -> Write:
    """Marks a claimed update done: one of the writes its handling commits (no effect on an unclaimed one)."""
    return Write(_MARK_DONE, _done_params(channel, update_id))


async def mark_done(session: AsyncSession, *, channel: str, update_id: str) -> None:
    """`done_write` inside an ordinary transaction."""
    await session.exec(_MARK_DONE, params=_done_params(channel, update_id))  # type: ignore[call-overload]


def _done_params(channel: str, update_id: str) -> dict[str, Any]:
    return {"channel": channel, "update_id": update_id, "now": utcnow()}


async def release_update(session: AsyncSession, *, channel: str, update_id: str) -> None:
    """Forgets a claim whose handling failed (nothing was recorded), so the redelivery is handled."""
    await session.exec(_RELEASE, params={"channel": channel, "update_id": update_id})  # type: ignore[call-overload]
