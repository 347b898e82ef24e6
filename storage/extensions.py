"""Extension requests: the chief's decisions, made once, and what the outbox must announce."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ExtensionRequest, ExtensionState


async def get_request(session: AsyncSession, request_id: int) -> ExtensionRequest | None:
    return await session.get(ExtensionRequest, request_id)


async def pending_requests(session: AsyncSession, *, since: datetime | None = None) -> list[ExtensionRequest]:
    query = select(ExtensionRequest).where(ExtensionRequest.state == ExtensionState.PENDING)
    if since is not None:
        query = query.where(ExtensionRequest.created_at >= since)
    return list((await session.exec(query.order_by(ExtensionRequest.id))).scalars())


async def decided_since(session: AsyncSession, since: datetime) -> list[ExtensionRequest]:
    query = select(ExtensionRequest).where(
        ExtensionRequest.state != ExtensionState.PENDING,
        ExtensionRequest.decided_at >= since,  # type: ignore[operator]
    )
    return list((await session.exec(query.order_by(ExtensionRequest.id))).scalars())


async def decide(
    session: AsyncSession, request_id: int, *, approve: bool, approved_due: date | None, member_id: int | None,
    at: datetime,
) -> bool:
    """Records the decision if the request is still pending; False when someone decided it already."""
    result = await session.exec(
        update(ExtensionRequest)
        .where(ExtensionRequest.id == request_id, ExtensionRequest.state == ExtensionState.PENDING)
        .values(state=ExtensionState.APPROVED if approve else ExtensionState.REJECTED,
                approved_due=approved_due if approve else None, decided_at=at, decided_by_member_id=member_id)
    )
    return bool(result.rowcount)
