"""Storage on SQLite and PostgreSQL alike: schema from migrations, matching, history, one-time invites, UTC."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, select

from bot.deps import Deps
from storage import members, plans, statuses, units
from storage.audit import record_change
from storage.db import transaction
from storage.migrate import current_revision, head_revision
from storage.models import AuditEntry, Invite, Role, Status, UnitRole
from tests.factories import seed_office

NOW = datetime(2023, 6, 20, 2, 0, tzinfo=UTC)


async def test_migrations_reach_head_and_match_the_models(deps: Deps) -> None:
    engine = deps.sessions.kw["bind"]
    assert await current_revision(engine) == head_revision()

    def diff(connection):  # type: ignore[no-untyped-def]
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": False}), SQLModel.metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def test_units_are_found_by_any_spelling(deps: Deps) -> None:
    async with transaction(deps.sessions) as session:
        unit = await units.create_unit(session, name="Phòng Tổ chức - Pháp chế", short_name="TCPC", aliases=["Phòng TCPC"])
        await units.create_unit(session, name="Phòng Kế hoạch - Tài chính", short_name="KHTC")
    async with deps.sessions() as session:
        for spelling in ("Phòng Tổ chức - Pháp chế", "phong to chuc phap che", "TCPC", "phòng tcpc", "  Phòng  TCPC "):
            assert [found.id for found in await units.find_units(session, text=spelling)] == [unit.id], spelling
        assert {u.short_name for u in await units.find_units(session, text="Phòng")} == {"TCPC", "KHTC"}
        assert await units.find_units(session, text="Thanh tra") == []


async def test_an_alias_cannot_name_two_units(deps: Deps) -> None:
    async with transaction(deps.sessions) as session:
        await units.create_unit(session, name="Văn phòng Sở", short_name="VP")
        with pytest.raises(ValueError):
            await units.create_unit(session, name="Văn phòng Đảng ủy", short_name="vp")


async def test_status_history_is_appended_and_latest_wins(deps: Deps) -> None:
    office = await seed_office(deps, now=NOW)
    task = office.tasks["vp_june"]
    lan = office.people["lan"]
    async with transaction(deps.sessions) as session:
        for status, percent in ((Status.IN_PROGRESS, 30), (Status.BLOCKED, None), (Status.DONE, 100)):
            await statuses.add_status(session, task_id=task.id, unit_id=lan.unit_id, member_id=lan.id, status=status,
                                      percent=percent, channel="test", original_text=f"{status}", at=NOW)
    async with deps.sessions() as session:
        history = await statuses.status_history(session, task_id=task.id)
        assert [row.status for row in history] == ["done", "blocked", "in_progress"]
        latest = await statuses.latest_statuses(session, unit_id=lan.unit_id)
        assert latest[(task.id, lan.unit_id)].status == "done"
        assert history[0].created_at.tzinfo is not None


async def test_times_round_trip_as_aware_utc(deps: Deps) -> None:
    office = await seed_office(deps, now=NOW)
    async with deps.sessions() as session:
        invite = await members.get_invite(session, code=office.invites["valid"])
        assert invite is not None
        assert invite.expires_at == NOW + timedelta(days=7)
        assert invite.expires_at.utcoffset() == timedelta(0)


async def test_an_invite_is_claimed_once_even_when_two_try_at_once(deps: Deps) -> None:
    office = await seed_office(deps, now=NOW)

    async def claim(member_key: str) -> bool:
        async with transaction(deps.sessions) as session:
            invite = await members.get_invite(session, code=office.invites["valid"])
            assert invite is not None
            return await members.claim_invite(session, invite_id=invite.id, member_id=office.people[member_key].id, now=NOW)

    results = await asyncio.gather(claim("lan"), claim("minh"))
    assert sorted(results) == [False, True]
    async with deps.sessions() as session:
        invite = (await session.exec(select(Invite).where(Invite.code == office.invites["valid"]))).one()
        assert invite.used_at is not None


async def test_tasks_keep_their_units_and_roles(deps: Deps) -> None:
    office = await seed_office(deps, now=NOW)
    async with deps.sessions() as session:
        links = await plans.task_units(session, task_id=office.tasks["vp_june"].id)
        roles = {(await units.get_unit(session, unit_id=link.unit_id)).short_name: link.role for link in links}
        assert roles == {"VP": UnitRole.LEAD, "TCPC": UnitRole.COORDINATE}
        tcpc = (await units.find_units(session, text="TCPC"))[0]
        mine = await plans.assignments(session, unit_id=tcpc.id)
        assert {task.code for task, _ in mine} == {"PL.1.1", "II.3.a"}


async def test_audit_detail_is_stored_as_json(deps: Deps) -> None:
    async with transaction(deps.sessions) as session:
        await record_change(session, actor="cli", action="unit.created", entity="unit", entity_id=1,
                            detail={"name": "Thanh tra Sở", "at": NOW})
    async with deps.sessions() as session:
        entry = (await session.exec(select(AuditEntry))).one()
        assert entry.detail == '{"name": "Thanh tra Sở", "at": "2023-06-20 02:00:00+00:00"}'


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_deps: Deps) -> None:
    async with sqlite_deps.sessions() as session:
        assert (await session.exec(text("PRAGMA journal_mode"))).one()[0] == "wal"  # type: ignore[call-overload]
        assert (await session.exec(text("PRAGMA busy_timeout"))).one()[0] == 5000  # type: ignore[call-overload]


async def test_roles_are_stored_as_plain_strings(deps: Deps) -> None:
    office = await seed_office(deps, now=NOW)
    async with deps.sessions() as session:
        chief = await members.get_member(session, member_id=office.people["chief"].id)
        assert chief is not None and chief.role == Role.CHIEF == "chief"
