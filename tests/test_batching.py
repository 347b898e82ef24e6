"""Group commit and the read cache of the status-reply hot path (storage.batching, storage.cache), on SQLite and
PostgreSQL: concurrent replies share a transaction, one bad row costs no other event its writes, read-only
sessions refuse ORM writes, and nothing cached outlives a change committed in this process."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.app import remember_sent
from bot.deps import Deps
from bot.messaging import Incoming, Response
from handlers.router import handle
from storage import conversations, members, plans
from storage.batching import NeedsTransaction, start_deferring
from storage.cache import MISSING, ReadCache
from storage.db import transaction
from storage.models import AuditEntry, Member, StatusReport, UnitRole
from tests.conftest import at
from tests.factories import USER_IDS, Office, seed_office

NOW = at("2023-06-20 09:00")


@pytest.fixture
async def office(deps: Deps) -> Office:
    return await seed_office(deps, now=NOW)


async def say(deps: Deps, who: str, text: str | None = None, *, action: str | None = None,
              reply_to: str | None = None) -> Response:
    user = str(USER_IDS[who])
    return await handle(deps, Incoming(channel="test", chat_id=user, sender_id=user, sender_name=who,
                                       received_at=NOW, text=text, action=action, reply_to_message_id=reply_to))


def shown(response: Response) -> str:
    return "\n".join([response.notice or "", *(m.text for m in response.messages)])


async def count(deps: Deps, table: Any) -> int:
    async with deps.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(table))).one())


@contextmanager
def commits(deps: Deps) -> Iterator[list[str]]:
    seen: list[str] = []

    def on_commit(_connection: Any) -> None:
        seen.append("commit")

    engine = deps.sessions.kw["bind"].sync_engine
    event.listen(engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", on_commit)


async def test_concurrent_status_replies_share_commits_and_are_all_stored(deps: Deps, office: Office) -> None:
    people = ("lan", "minh", "hung")
    tasks = {"lan": office.tasks["vp_june"].id, "minh": office.tasks["tcpc_oct"].id,
             "hung": office.tasks["ttra_cont"].id}
    await asyncio.gather(*(say(deps, who, "/viec") for who in people))  # warm: members read once
    audited = await count(deps, AuditEntry)
    with commits(deps) as seen:
        replies = await asyncio.gather(*(say(deps, who, f"#{tasks[who]} đang làm {10 * i}%")
                                         for i in range(1, 5) for who in people))
    assert all("Đã ghi nhận" in shown(reply) for reply in replies)
    assert await count(deps, StatusReport) == 12
    assert await count(deps, AuditEntry) == audited + 12
    assert len(seen) < 12  # 12 events, fewer transactions


async def test_a_bad_row_fails_only_its_own_event(deps: Deps, office: Office) -> None:
    task_id = office.tasks["vp_june"].id
    assert task_id is not None
    results = await asyncio.gather(
        remember_sent(deps, "test", "1", "10", task_id),
        remember_sent(deps, "test", "1", "11", 999_999),  # no such task: the foreign key refuses it
        remember_sent(deps, "test", "1", "12", task_id),
        return_exceptions=True,
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], IntegrityError)
    async with deps.sessions() as session:
        for message_id, expected in (("10", task_id), ("11", None), ("12", task_id)):
            found = await conversations.task_of_message(session, channel="test", chat_id="1", message_id=message_id)
            assert found == expected


async def test_a_read_only_session_refuses_orm_writes(deps: Deps, office: Office) -> None:
    async with deps.sessions() as session:
        start_deferring(session)
        session.add(Member(full_name="Không được ghi", role="officer"))
        with pytest.raises(NeedsTransaction):
            await session.flush()
    assert await count(deps, Member) == 5


async def test_events_that_write_through_the_orm_still_commit(deps: Deps, office: Office) -> None:
    await say(deps, "lan", "/viec")  # the member is cached now
    await say(deps, "lan", "/lang en")  # runs again as an ordinary transaction
    assert "Open tasks (2)" in shown(await say(deps, "lan", "/viec"))
    async with deps.sessions() as session:
        lan = await members.find_member_by_account(session, channel="test", external_id=str(USER_IDS["lan"]))
    assert lan is not None and lan.locale == "en"


async def test_a_committed_change_is_seen_by_the_next_reply(deps: Deps, office: Office) -> None:
    task = office.tasks["vp_june"]
    assert task.id is not None
    assert "Đã ghi nhận" in shown(await say(deps, "lan", f"#{task.id} đang làm 20%"))  # task and member cached
    vp, tcpc = office.people["lan"].unit_id, office.people["minh"].unit_id
    assert vp is not None and tcpc is not None
    async with transaction(deps.sessions) as session:  # the task no longer involves Lan's unit
        await plans.set_task_units(session, task_id=task.id, units={tcpc: UnitRole.LEAD})
    assert "không có quyền" in shown(await say(deps, "lan", f"#{task.id} xong"))


async def test_a_reply_to_a_bot_message_finds_its_task_with_or_without_the_cache(deps: Deps, office: Office) -> None:
    task_id = office.tasks["vp_year"].id
    assert task_id is not None
    await remember_sent(deps, "test", str(USER_IDS["lan"]), "77", task_id)
    assert f"#{task_id} ·" in shown(await say(deps, "lan", "đang làm 30%", reply_to="77"))
    deps.sessions.cache.sent.clear()  # as after a restart: from the database
    assert f"#{task_id} ·" in shown(await say(deps, "lan", "xong", reply_to="77"))


def test_cached_entries_expire_and_are_bounded() -> None:
    now = [0.0]
    cache = ReadCache(ttl=10, limit=2, clock=lambda: now[0])
    cache.tasks.put(1, "one")  # type: ignore[arg-type]
    cache.sent.put(("t", "1", "1"), 5)
    now[0] = 11
    assert cache.tasks.get(1) is MISSING
    assert cache.sent.get(("t", "1", "1")) == 5  # written through, never stale: no expiry
    for i in range(3):
        cache.sent.put(("t", "1", str(i + 2)), i)
    assert cache.sent.get(("t", "1", "1")) is MISSING  # the oldest went first
