"""Each assignment's latest report, kept on its task_unit row by the database (migration 0007), always equals the
newest report of its history: whatever writes the reports, in whatever order transactions commit."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.deps import Deps
from storage import plans, statuses
from storage.db import transaction
from storage.models import Status
from tests.factories import seed_office

NOW = datetime(2023, 6, 20, 2, 0, tzinfo=UTC)

# The newest report of each (task, unit) as the history says, next to what the row holds.
_COMPARE = text("""
    SELECT tu.task_id, tu.unit_id, tu.latest_report_id, tu.latest_status, tu.latest_at,
           s.id, s.status, s.created_at
    FROM task_unit tu
    LEFT JOIN status_report s ON s.id = (
        SELECT max(h.id) FROM status_report h WHERE h.task_id = tu.task_id AND h.unit_id = tu.unit_id)
""")


async def _mismatches(deps: Deps) -> list[tuple[object, ...]]:
    async with deps.sessions() as session:
        rows = (await session.exec(_COMPARE)).all()  # type: ignore[call-overload]
    assert rows, "the office has assignments"
    return [tuple(row) for row in rows if tuple(row[2:5]) != tuple(row[5:8])]


async def test_the_row_follows_every_new_report(deps: Deps) -> None:
    office = await seed_office(deps, now=NOW)
    async with deps.sessions() as session:
        pairs = [(link.task_id, link.unit_id) for task in office.tasks.values()
                 for link in await plans.task_units(session, task_id=task.id)]
    rng = random.Random(7)
    at = NOW
    touched = set()
    for batch in range(5):  # several transactions, several reports per pair in some of them
        async with transaction(deps.sessions) as session:
            for task_id, unit_id in rng.sample(pairs, k=min(len(pairs), 3)):
                touched.add((task_id, unit_id))
                at += timedelta(minutes=rng.randrange(1, 90))
                await statuses.add_status(session, task_id=task_id, unit_id=unit_id, member_id=None,
                                          status=rng.choice(list(Status)), channel="test", at=at,
                                          original_text=f"batch {batch}")
        assert await _mismatches(deps) == []
    async with deps.sessions() as session:
        reported = (await session.exec(text(  # type: ignore[call-overload]
            "SELECT count(*) FROM task_unit WHERE latest_report_id IS NOT NULL"))).scalar()
    assert reported == len(touched) > 1


async def test_a_unit_assigned_after_reporting_starts_from_its_latest_report(deps: Deps) -> None:
    office = await seed_office(deps, now=NOW)
    task = office.tasks["vp_june"]
    lan = office.people["lan"]
    async with transaction(deps.sessions) as session:
        before = {link.unit_id: link.role for link in await plans.task_units(session, task_id=task.id)}
        await statuses.add_status(session, task_id=task.id, unit_id=lan.unit_id, member_id=lan.id,
                                  status=Status.IN_PROGRESS, percent=40, channel="test", at=NOW)
        await statuses.add_status(session, task_id=task.id, unit_id=lan.unit_id, member_id=lan.id,
                                  status=Status.BLOCKED, channel="test", at=NOW + timedelta(hours=1))
    async with transaction(deps.sessions) as session:  # a revised plan drops the unit, the next one brings it back
        await plans.set_task_units(session, task_id=task.id,
                                   units={u: r for u, r in before.items() if u != lan.unit_id})
    async with transaction(deps.sessions) as session:
        await plans.set_task_units(session, task_id=task.id, units=before)
    async with deps.sessions() as session:
        latest = await statuses.latest_statuses(session, task_id=task.id)
    assert latest[(task.id, lan.unit_id)].status == Status.BLOCKED
    assert await _mismatches(deps) == []


@pytest.mark.postgres
async def test_the_newest_report_wins_when_two_transactions_report_at_once(deps: Deps) -> None:
    if deps.sessions.kw["bind"].dialect.name != "postgresql":
        pytest.skip("only PostgreSQL runs writers concurrently; SQLite serialises them")
    office = await seed_office(deps, now=NOW)
    task = office.tasks["vp_june"]
    lan = office.people["lan"]
    first_inserted = asyncio.Event()

    async def older() -> None:  # takes the smaller id, commits last
        async with transaction(deps.sessions) as session:
            await statuses.add_status(session, task_id=task.id, unit_id=lan.unit_id, member_id=lan.id,
                                      status=Status.IN_PROGRESS, channel="test", at=NOW)
            first_inserted.set()
            await asyncio.sleep(0.3)  # the newer writer's trigger waits on this row's lock meanwhile

    async def newer() -> None:
        await first_inserted.wait()
        async with transaction(deps.sessions) as session:
            await statuses.add_status(session, task_id=task.id, unit_id=lan.unit_id, member_id=lan.id,
                                      status=Status.DONE, channel="test", at=NOW + timedelta(minutes=1))

    await asyncio.gather(older(), newer())
    async with deps.sessions() as session:
        latest = await statuses.latest_statuses(session, task_id=task.id)
    assert latest[(task.id, lan.unit_id)].status == Status.DONE
    assert await _mismatches(deps) == []
