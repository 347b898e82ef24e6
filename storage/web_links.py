"""Rows of signed web links (see bot/services/links.py). Keyword-only, never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import WebLink


async def add_link(
    session: AsyncSession,
    *,
    token_id: str,
    purpose: str,
    expires_at: datetime,
    now: datetime,
    member_id: int | None = None,
    task_id: int | None = None,
    unit_id: int | None = None,
    file_path: str | None = None,
    file_name: str | None = None,
    mime_type: str | None = None,
) -> WebLink:
    row = WebLink(
        token_id=token_id, purpose=purpose, member_id=member_id, task_id=task_id, unit_id=unit_id,
        file_path=file_path, file_name=file_name, mime_type=mime_type, expires_at=expires_at, created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def find_link(session: AsyncSession, *, token_id: str, purpose: str) -> WebLink | None:
    query = select(WebLink).where(WebLink.token_id == token_id, WebLink.purpose == purpose)
    return (await session.exec(query)).first()


async def use_link(session: AsyncSession, *, link_id: int, now: datetime) -> bool:
    """Marks a one-time link used; False when it was used already or has expired (decided in the UPDATE, so of
    two concurrent transactions exactly one gets True)."""
    result = await session.exec(
        update(WebLink)
        .where(col(WebLink.id) == link_id, col(WebLink.used_at).is_(None), col(WebLink.expires_at) > now)
        .values(used_at=now)
    )
    return bool(result.rowcount == 1)


async def expired_file_links(session: AsyncSession, *, before: datetime, limit: int = 500) -> list[WebLink]:
    """Links with a file of their own (downloads, charts) that expired before `before`."""
    query = (
        select(WebLink)
        .where(col(WebLink.expires_at) < before, col(WebLink.file_path).is_not(None))
        .order_by(col(WebLink.id))
        .limit(limit)
    )
    return list((await session.exec(query)).all())


async def delete_links(session: AsyncSession, *, link_ids: list[int]) -> None:
    if link_ids:
        await session.exec(delete(WebLink).where(col(WebLink.id).in_(link_ids)))
