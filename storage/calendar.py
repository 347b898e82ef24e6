"""The office's calendar overrides: extra days off and make-up working days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CalendarOverride


async def overrides(session: AsyncSession) -> dict[date, bool]:
    rows = await session.exec(select(CalendarOverride.day, CalendarOverride.working))
    return {day: working for day, working in rows.all()}


async def list_overrides(session: AsyncSession, *, year: int | None = None) -> list[CalendarOverride]:
    query = select(CalendarOverride).order_by(CalendarOverride.day)
    if year is not None:
        query = query.where(CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31))
    return list((await session.exec(query)).scalars())


async def set_override(session: AsyncSession, day: date, *, working: bool, note: str | None) -> CalendarOverride:
    """Adds or replaces the override for `day`."""
    existing = (await session.exec(select(CalendarOverride).where(CalendarOverride.day == day))).scalar_one_or_none()
    if existing is None:
        existing = CalendarOverride(day=day, working=working, note=note)
        session.add(existing)
    else:
        existing.working, existing.note = working, note
    await session.flush()
    return existing


async def remove_override(session: AsyncSession, day: date) -> bool:
    result = await session.exec(delete(CalendarOverride).where(CalendarOverride.day == day))
    return bool(result.rowcount)
