"""Evidence rows (the file bytes live in the content-addressed store, see bot/services/evidence_store.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Evidence


async def add_evidence(
    session: AsyncSession,
    *,
    task_id: int,
    unit_id: int,
    member_id: int | None,
    file_name: str,
    mime_type: str,
    size: int,
    sha256: str,
    channel: str,
    at: datetime,
) -> Evidence:
    row = Evidence(
        task_id=task_id,
        unit_id=unit_id,
        member_id=member_id,
        file_name=file_name,
        mime_type=mime_type,
        size=size,
        sha256=sha256,
        channel=channel,
        created_at=at,
    )
    session.add(row)
    await session.flush()
    return row


async def evidence_for_task(session: AsyncSession, *, task_id: int, unit_id: int | None = None) -> list[Evidence]:
    query = select(Evidence).where(Evidence.task_id == task_id)
    if unit_id is not None:
        query = query.where(Evidence.unit_id == unit_id)
    return list((await session.exec(query.order_by(col(Evidence.id)))).all())
