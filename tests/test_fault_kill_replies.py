"""Fault injection: SIGKILL of a `dondoc run --webhook` process while it handles status replies, then a restart.

Injected: 200 status replies from 20 officers, delivered by the fake Telegram to a real child process
(tests/webhook_process.py) on SQLite and on PostgreSQL; the process is killed with SIGKILL 5 times — 4 times at a
random moment while a burst of 33 replies is being handled (once a random number of them were answered 200), once
at an exact point: right after the bot's answer
to a reply was accepted by the Bot API, before the webhook answered 200 — and started again on the same port and
database each time. While it is down the fake's deliveries fail to connect and are delivered again later, as
Telegram does; a claim left by the killed process is taken over once older than UPDATE_CLAIM_LEASE_SECONDS (3 s
here instead of 2 minutes).

Asserted: right after each kill, every reply the platform got a 200 for is stored exactly once (a 200 only after
the commit); at the end every reply is stored exactly once and every update was finally answered 200 (nothing
lost, nothing duplicated); and no officer was told that the reply was not recorded.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.app import open_deps
from bot.deps import Deps
from storage.models import ProcessedUpdate, StatusReport
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.webhook_process import (
    DondocProcess,
    Officers,
    deliveries_by_update,
    describe,
    reply_text,
    seed_officers,
    stored_texts,
)

OFFICERS = 20
UPDATES = 200
KILLS = 5
LEASE_SECONDS = 3
SETTLE_TIMEOUT = 90.0


class Scenario:
    """The fake Telegram, the child process, the seeded officers, and every reply sent so far."""

    def __init__(self, fake: FakeTelegram, bot: DondocProcess, deps: Deps, officers: Officers) -> None:
        self.fake = fake
        self.bot = bot
        self.deps = deps
        self.officers = officers
        self.sent: dict[int, str] = {}  # update id → text
        self.kills: list[dict[str, object]] = []

    def send(self, count: int) -> list[int]:
        """`count` more replies, round robin over the officers; their update ids."""
        ids = []
        for _ in range(count):
            number = len(self.sent)
            text = reply_text(self.officers, number)
            update = self.fake.send_text(self.officers.user_ids[number % len(self.officers.user_ids)], text)
            self.sent[update["update_id"]] = text
            ids.append(update["update_id"])
        return ids

    def accepted(self) -> set[int]:
        """Updates the platform got a 200 for."""
        return {update_id for update_id, statuses in deliveries_by_update(self.fake).items() if 200 in statuses}

    async def open_claims(self) -> int:
        """Updates claimed and not done: what a killed process was handling."""
        async with self.deps.sessions() as session:
            return (await session.exec(select(func.count()).select_from(ProcessedUpdate)
                                       .where(ProcessedUpdate.done_at.is_(None)))).one()  # type: ignore[union-attr]

    async def check_accepted_are_stored(self) -> None:
        """Every reply answered 200 so far is stored, and nothing is stored twice."""
        stored = await stored_texts(self.deps)
        assert not [text for text, count in stored.items() if count > 1], stored
        missing = [self.sent[update_id] for update_id in self.accepted() if stored[self.sent[update_id]] != 1]
        assert missing == [], f"answered 200 but not stored: {missing}"


@pytest.fixture
async def scenario(database_url: str, tmp_path: Path) -> AsyncIterator[Scenario]:
    async with AsyncExitStack() as stack:
        # Telegram keeps delivering a failed update for a long time; here long enough for any restart.
        fake = await stack.enter_async_context(FakeTelegram(webhook_attempts=10_000, webhook_retry_delay=0.02))
        async with open_deps(make_settings(database_url, tmp_path)) as seeding:
            officers = await seed_officers(seeding, OFFICERS)
        deps = await stack.enter_async_context(open_deps(make_settings(database_url, tmp_path), migrate=False))
        bot = DondocProcess(fake, database_url, tmp_path, extra_env={"UPDATE_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS)})
        stack.push_async_callback(bot.stop)
        yield Scenario(fake, bot, deps, officers)


@pytest.mark.timeout(300)
async def test_replies_survive_sigkill_and_restart(scenario: Scenario) -> None:
    rng = random.Random()
    seed = rng.randrange(2**32)
    rng.seed(seed)
    fake, bot = scenario.fake, scenario.bot
    burst = UPDATES // (KILLS + 1)
    exact_round = rng.randrange(KILLS)  # the round whose kill comes right after an answer was accepted
    await bot.start()
    for round_number in range(KILLS):
        ids = scenario.send(burst)
        if round_number == exact_round:
            killed = asyncio.Event()

            def kill_after_answer(method: str, params: dict[str, object], result: object,
                                  killed: asyncio.Event = killed) -> None:
                if method == "sendMessage" and not killed.is_set():
                    bot.kill_now()  # committed and answered the officer; the webhook's 200 never goes out
                    killed.set()

            fake.on_accepted = kill_after_answer
            await asyncio.wait_for(killed.wait(), 30)
            fake.on_accepted = None
            moment = "after an answer was accepted"
        else:  # a random moment while the burst is being handled: once a random number of it was answered 200
            target = rng.randint(1, burst - 10)
            burst_ids = set(ids)
            await fake._wait_until(lambda t=target, b=burst_ids: len(scenario.accepted() & b) >= t,  # type: ignore[misc]
                                   30, lambda t=target: f"fewer than {t} of the burst answered")  # type: ignore[misc]
            moment = f"after {target} of the burst's {burst} were answered 200"
        await bot.kill()
        accepted = scenario.accepted()
        await scenario.check_accepted_are_stored()  # with the process dead: a 200 means committed
        scenario.kills.append({"moment": moment, "unanswered": sum(1 for u in ids if u not in accepted),
                               "claims_left": await scenario.open_claims()})
        await asyncio.sleep(rng.uniform(0.0, 0.5))  # deliveries meanwhile fail to connect
        await bot.start()
    scenario.send(UPDATES - len(scenario.sent))

    def settled() -> bool:
        return not fake.pending_updates() and not fake._webhook_tasks

    await fake._wait_until(settled, SETTLE_TIMEOUT,
                           lambda: f"still pending: {len(fake.pending_updates())} updates")
    assert bot.alive()

    statuses = deliveries_by_update(fake)
    never_accepted = [update_id for update_id in scenario.sent if statuses.get(update_id, [])[-1:] != [200]]
    stored = await stored_texts(scenario.deps)
    lost = [text for text in scenario.sent.values() if stored[text] == 0]
    duplicated = {text: count for text, count in stored.items() if count > 1}
    async with scenario.deps.sessions() as session:
        rows = (await session.exec(select(func.count()).select_from(StatusReport))).one()
    not_done = await scenario.open_claims()
    totals = {**describe(statuses, scenario.sent), "kills": len(scenario.kills), "kill_points": scenario.kills,
              "stored": rows, "lost": len(lost), "duplicates": sum(count - 1 for count in duplicated.values()),
              "seed": seed, "database": scenario.bot.database_url.split(":", 1)[0]}
    print("fault totals:", json.dumps(totals, ensure_ascii=False))
    assert never_accepted == [] and lost == [] and duplicated == {}, totals
    assert rows == UPDATES and not_done == 0, totals
    assert len(scenario.kills) == KILLS
    not_recorded = [m["text"] for user in scenario.officers.user_ids for m in fake.messages_to(user)
                    if "not recorded" in m["text"] or "chưa được ghi nhận" in m["text"]]
    assert not_recorded == []
