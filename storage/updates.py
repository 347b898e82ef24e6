"""Inbound updates already handled, so a platform's redelivery is recorded once (Zalo webhooks redeliver).

An update is *claimed* (inserted) before it is handled, with ON CONFLICT DO NOTHING: only the delivery that
inserts the row goes on. The handling commits in its own transaction (the router owns it), so a claim is
released again when the handling fails, and the platform's redelivery is handled then. A process that dies
between the claim and the handling's commit loses that one update: the price of never recording one twice.
"""

from __future__ import annotations

from sqlalchemy import bindparam, text
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.types import UTCDateTime, utcnow

_CLAIM = text(
    "INSERT INTO processed_update (channel, update_id, created_at) VALUES (:channel, :update_id, :created_at) "
    "ON CONFLICT (channel, update_id) DO NOTHING"
).bindparams(bindparam("created_at", type_=UTCDateTime()))
_RELEASE = text("DELETE FROM processed_update WHERE channel = :channel AND update_id = :update_id")


async def claim_update(session: AsyncSession, *, channel: str, update_id: str) -> bool:
    """True when this call recorded the update (handle it); False when it was recorded before (skip it)."""
    params = {"channel": channel, "update_id": update_id, "created_at": utcnow()}
    result = await session.exec(_CLAIM, params=params)  # type: ignore[call-overload]
    return bool(result.rowcount)


async def release_update(session: AsyncSession, *, channel: str, update_id: str) -> None:
    """Forgets a claim whose handling failed, so the redelivery is handled."""
    await session.exec(_RELEASE, params={"channel": channel, "update_id": update_id})  # type: ignore[call-overload]
