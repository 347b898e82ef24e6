"""Set-up use cases run by the admin from the CLI: units, members, invites, plans and tasks (audited)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import members, plans, units
from storage.audit import record_change
from storage.models import Invite, Member, Plan, Recurrence, Role, Task, Unit, UnitRole

ACTOR = "cli"


class AdminError(Exception):
    """A set-up request that cannot be done as given; the message says why."""


async def resolve_unit(session: AsyncSession, name: str) -> Unit:
    """The one unit `name` means (id, full name, short name or alias, matched loosely)."""
    if name.strip().isdigit():
        unit = await units.get_unit(session, unit_id=int(name))
        if unit is not None:
            return unit
    found = await units.find_units(session, text=name)
    if not found:
        raise AdminError(f"no unit matches {name!r}")
    if len(found) > 1:
        raise AdminError(f"{name!r} matches several units: " + ", ".join(unit.name for unit in found))
    return found[0]


async def add_unit(session: AsyncSession, *, name: str, short_name: str | None, aliases: Sequence[str]) -> Unit:
    try:
        unit = await units.create_unit(session, name=name, short_name=short_name, aliases=aliases)
    except ValueError as error:
        raise AdminError(str(error)) from error
    await record_change(session, actor=ACTOR, action="unit.created", entity="unit", entity_id=unit.id,
                        detail={"name": unit.name, "short_name": unit.short_name, "aliases": list(aliases)})
    return unit


async def add_member(
    session: AsyncSession, *, full_name: str, role: str, unit: str | None, locale: str | None
) -> Member:
    unit_row = await resolve_unit(session, unit) if unit else None
    if role in (Role.OFFICER, Role.UNIT_HEAD) and unit_row is None:
        raise AdminError("officers and unit heads need a unit (--unit)")
    member = await members.create_member(
        session, full_name=full_name, role=Role(role), unit_id=unit_row.id if unit_row else None, locale=locale
    )
    await record_change(session, actor=ACTOR, action="member.created", entity="member", entity_id=member.id,
                        detail={"role": role, "unit_id": member.unit_id})
    return member


async def add_invite(
    session: AsyncSession, *, role: str, unit: str | None, days: int, now: datetime, member_id: int | None = None
) -> Invite:
    unit_row = await resolve_unit(session, unit) if unit else None
    if role in (Role.OFFICER, Role.UNIT_HEAD) and unit_row is None and member_id is None:
        raise AdminError("an invite for an officer or unit head needs a unit (--unit)")
    if member_id is not None and await members.get_member(session, member_id=member_id) is None:
        raise AdminError(f"no member with id {member_id}")
    invite = await members.create_invite(
        session, role=Role(role), unit_id=unit_row.id if unit_row else None,
        expires_at=now + timedelta(days=days), member_id=member_id,
    )
    await record_change(session, actor=ACTOR, action="invite.created", entity="invite", entity_id=invite.id,
                        detail={"role": role, "unit_id": invite.unit_id, "expires_at": invite.expires_at})
    return invite


async def add_plan(
    session: AsyncSession, *, number: str, title: str, issued_on: date | None, issuer: str | None, year: int | None
) -> Plan:
    if await plans.find_plan(session, number=number) is not None:
        raise AdminError(f"plan {number!r} already exists")
    plan = await plans.create_plan(session, number=number, title=title, issued_on=issued_on, issuer=issuer,
                                   year=year or (issued_on.year if issued_on else None))
    await record_change(session, actor=ACTOR, action="plan.created", entity="plan", entity_id=plan.id,
                        detail={"number": plan.number})
    return plan


async def add_task(
    session: AsyncSession,
    *,
    plan_number: str,
    code: str,
    title: str,
    lead: Sequence[str],
    coordinate: Sequence[str] = (),
    supervise: Sequence[str] = (),
    expected_result: str | None = None,
    area: str | None = None,
    component: str | None = None,
    start: date | None = None,
    due: date | None = None,
    recurrence: str = Recurrence.NONE,
    deadline_text: str | None = None,
) -> Task:
    """A task with its units; "*" in a role list means every unit of the department."""
    plan = await plans.find_plan(session, number=plan_number)
    if plan is None:
        raise AdminError(f"no plan numbered {plan_number!r}")
    if not lead:
        raise AdminError("a task needs at least one lead unit (--lead)")
    if start and due and due < start:
        raise AdminError("the due date is before the start date")
    assigned: list[tuple[int, str]] = []
    every_unit = await units.list_units(session)
    for role, names in ((UnitRole.LEAD, lead), (UnitRole.COORDINATE, coordinate), (UnitRole.SUPERVISE, supervise)):
        for name in names:
            targets = every_unit if name.strip() == "*" else [await resolve_unit(session, name)]
            assigned.extend((unit.id, role) for unit in targets if unit.id is not None)
    assert plan.id is not None
    task = await plans.create_task(
        session, plan_id=plan.id, code=code, title=title, units=assigned, expected_result=expected_result,
        area=area, component=component, start=start, due=due, recurrence=Recurrence(recurrence),
        deadline_text=deadline_text,
    )
    await record_change(session, actor=ACTOR, action="task.created", entity="task", entity_id=task.id,
                        detail={"plan": plan.number, "code": code, "units": assigned})
    return task
