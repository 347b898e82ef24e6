"""Units (phòng, ban, đơn vị) and the many ways their names are written."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.keys import name_key
from storage.models import Unit, UnitAlias


async def create_unit(
    session: AsyncSession, *, name: str, short_name: str | None = None, aliases: Iterable[str] = ()
) -> Unit:
    """A unit whose name, short name and aliases all resolve to it."""
    unit = Unit(name=name.strip(), short_name=short_name.strip() if short_name else None)
    session.add(unit)
    await session.flush()
    assert unit.id is not None
    spellings = [name, *(aliases or ())]
    if short_name:
        spellings.append(short_name)
    for spelling in spellings:
        await add_alias(session, unit_id=unit.id, alias=spelling)
    return unit


async def add_alias(session: AsyncSession, *, unit_id: int, alias: str) -> UnitAlias | None:
    """Adds `alias` unless the same folded spelling is already known (for any unit)."""
    key = name_key(alias)
    if not key:
        return None
    existing = (await session.exec(select(UnitAlias).where(UnitAlias.key == key))).first()
    if existing is not None:
        return None if existing.unit_id == unit_id else _conflict(alias)
    row = UnitAlias(unit_id=unit_id, alias=alias.strip(), key=key)
    session.add(row)
    await session.flush()
    return row


def _conflict(alias: str) -> UnitAlias:
    raise ValueError(f"alias {alias!r} already names another unit")


async def get_unit(session: AsyncSession, *, unit_id: int) -> Unit | None:
    return await session.get(Unit, unit_id)


async def list_units(session: AsyncSession) -> list[Unit]:
    return list((await session.exec(select(Unit).order_by(col(Unit.name)))).all())


async def find_units(session: AsyncSession, *, text: str) -> list[Unit]:
    """Units named by `text`: an exact folded match if there is one, else every unit whose spelling contains it."""
    key = name_key(text)
    if not key:
        return []
    exact = (
        await session.exec(select(Unit).join(UnitAlias, col(UnitAlias.unit_id) == col(Unit.id)).where(UnitAlias.key == key))
    ).first()
    if exact is not None:
        return [exact]
    rows = await session.exec(
        select(Unit)
        .join(UnitAlias, col(UnitAlias.unit_id) == col(Unit.id))
        .where(col(UnitAlias.key).contains(key))
        .distinct()
        .order_by(col(Unit.name))
    )
    return list(rows.all())


async def aliases_of(session: AsyncSession, *, unit_id: int) -> list[str]:
    rows = await session.exec(select(UnitAlias.alias).where(UnitAlias.unit_id == unit_id).order_by(col(UnitAlias.id)))
    return list(rows.all())
