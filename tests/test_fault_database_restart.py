"""Fault injection: the PostgreSQL server restarted under load, under a running `dondoc run --webhook` process.

Injected: status replies from 20 officers delivered by the fake Telegram to a real child process
(tests/webhook_process.py) on a fresh PostgreSQL database; while replies keep coming, the test stops the server
(`pg_ctlcluster … stop -m fast`), keeps it down for a few seconds and starts it again.

Asserted: during the outage the webhook answers 5xx (never 200, and the process keeps answering: no connection
refused), so the platform delivers those updates again; after the restart the same process (never restarted)
reconnects by itself and handles the redeliveries and new replies; every reply is stored exactly once.

This test stops the machine's shared PostgreSQL server: it runs only with DONDOC_FAULT_DB_RESTART=1 or in CI
(DONDOC_REQUIRE_POSTGRES=1), as root with `pg_ctlcluster`, and always starts the server again and waits for
`pg_isready` before it ends.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.app import open_deps
from storage.models import StatusReport
from tests.conftest import REQUIRE_POSTGRES, _probe_postgres, make_settings
from tests.databases import POSTGRES_ADMIN_URL, fresh_postgres_database
from tests.fakes.telegram_api import FakeTelegram
from tests.webhook_process import (
    DondocProcess,
    deliveries_by_update,
    describe,
    reply_text,
    seed_officers,
    stored_texts,
)

OFFICERS = 20
BEFORE = 40  # replies before the outage
OUTAGE_SECONDS = 4.0
AFTER = 40  # replies once the server is back
SEND_EVERY = 0.05  # one reply every 50 ms, before, during and after the outage
SETTLE_TIMEOUT = 60.0
LEASE_SECONDS = 5

ENABLED = os.environ.get("DONDOC_FAULT_DB_RESTART") == "1" or REQUIRE_POSTGRES

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ENABLED, reason="stops the shared PostgreSQL server: set DONDOC_FAULT_DB_RESTART=1 "
                                           "(CI runs it with DONDOC_REQUIRE_POSTGRES=1)"),
]


@dataclass(frozen=True)
class Cluster:
    """The local PostgreSQL cluster serving the test server's port (Debian's postgresql-common)."""

    version: str
    name: str

    def control(self, action: str) -> None:
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action]
        if action == "stop":
            command += ["-m", "fast"]
        subprocess.run(command, check=True, capture_output=True, timeout=60)


def _local_cluster() -> Cluster | str:
    """The cluster to stop and start, or why there is none."""
    address = urlsplit(POSTGRES_ADMIN_URL)
    if address.hostname not in ("127.0.0.1", "localhost", "::1"):
        return f"the test server {address.hostname} is not on this machine"
    if os.geteuid() != 0 or shutil.which("pg_ctlcluster") is None or shutil.which("pg_lsclusters") is None:
        return "stopping PostgreSQL needs root and pg_ctlcluster (Debian's postgresql-common)"
    port = str(address.port or 5432)
    listing = subprocess.run(["pg_lsclusters", "--no-header"], check=True, capture_output=True, text=True)
    for line in listing.stdout.splitlines():
        version, name, cluster_port, status, *_ = line.split()
        if cluster_port == port and status.startswith("online"):
            return Cluster(version, name)
    return f"no online cluster on port {port} in pg_lsclusters"


async def _wait_ready(timeout: float = 60.0) -> None:
    """Until `pg_isready` says the server accepts connections."""
    address = urlsplit(POSTGRES_ADMIN_URL)
    command = ["pg_isready", "-h", address.hostname or "127.0.0.1", "-p", str(address.port or 5432)]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        probe = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.DEVNULL,
                                                     stderr=asyncio.subprocess.DEVNULL)
        if await probe.wait() == 0:
            return
        if loop.time() > deadline:
            raise AssertionError(f"PostgreSQL not ready {timeout} s after it was started")
        await asyncio.sleep(0.2)


@asynccontextmanager
async def _stopped(cluster: Cluster) -> AsyncIterator[None]:
    """The server stopped for the block; started again and ready afterwards, whatever happened."""
    await asyncio.to_thread(cluster.control, "stop")
    try:
        yield
    finally:
        await asyncio.to_thread(cluster.control, "start")
        await _wait_ready()


@pytest.fixture
async def cluster() -> Cluster:
    found = await asyncio.to_thread(_local_cluster)
    problem = found if isinstance(found, str) else await _probe_postgres()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"{problem} (DONDOC_REQUIRE_POSTGRES=1)")
        pytest.skip(problem)
    assert isinstance(found, Cluster)
    return found


@pytest.mark.timeout(180)
async def test_the_bot_reconnects_after_a_database_restart_and_loses_no_reply(
    cluster: Cluster, tmp_path: Path
) -> None:
    async with AsyncExitStack() as stack:
        database_url = await stack.enter_async_context(fresh_postgres_database())
        fake = await stack.enter_async_context(FakeTelegram(webhook_attempts=10_000, webhook_retry_delay=0.02))
        async with open_deps(make_settings(database_url, tmp_path)) as seeding:
            officers = await seed_officers(seeding, OFFICERS)
        deps = await stack.enter_async_context(open_deps(make_settings(database_url, tmp_path), migrate=False))
        # A claim whose release failed during the outage is taken over by a redelivery after the lease (2 min by
        # default): shortened so the test ends in seconds.
        bot = DondocProcess(fake, database_url, tmp_path, extra_env={"UPDATE_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS)})
        stack.push_async_callback(bot.stop)
        await bot.start()
        sent: dict[int, str] = {}

        def send_one() -> int:
            number = len(sent)
            update = fake.send_text(officers.user_ids[number % OFFICERS], reply_text(officers, number))
            sent[update["update_id"]] = update["message"]["text"]
            return int(update["update_id"])

        async def stream(count: int | None) -> None:
            """One reply every SEND_EVERY seconds: `count` of them, or until cancelled."""
            sent_here = 0
            while count is None or sent_here < count:
                send_one()
                sent_here += 1
                await asyncio.sleep(SEND_EVERY)

        def settled() -> bool:
            return not fake.pending_updates() and not fake._webhook_tasks

        await stream(BEFORE)
        await fake._wait_until(settled, SETTLE_TIMEOUT, lambda: f"pending: {len(fake.pending_updates())}")
        during = asyncio.create_task(stream(None), name="replies-during-the-outage")
        try:
            async with _stopped(cluster):
                down_from = len(fake.webhook_deliveries)
                first_of_outage = max(sent) + 1
                await asyncio.sleep(OUTAGE_SECONDS)
                assert bot.alive(), "the bot died with the database"
                down_until = len(fake.webhook_deliveries)
        finally:
            during.cancel()
            await asyncio.gather(during, return_exceptions=True)
        in_outage = fake.webhook_deliveries[down_from:down_until]
        await stream(AFTER)  # new replies, to the same process
        await fake._wait_until(settled, SETTLE_TIMEOUT, lambda: f"pending: {len(fake.pending_updates())}")
        assert bot.alive() and bot.starts == 1  # never restarted

        statuses = deliveries_by_update(fake)
        stored = await stored_texts(deps)
        async with deps.sessions() as session:
            rows = (await session.exec(select(func.count()).select_from(StatusReport))).one()
        outage_answers = sorted({d.status for d in in_outage})
        answered_in_outage = [d.update_id for d in in_outage if d.status == 200]
        totals = {**describe(statuses, sent), "outage_seconds": OUTAGE_SECONDS,
                  "deliveries_in_outage": len(in_outage), "outage_answers": outage_answers,
                  "sent_in_outage": sum(1 for u in sent if u >= first_of_outage), "stored": rows,
                  "lost": sum(1 for text in sent.values() if stored[text] == 0),
                  "duplicates": sum(count - 1 for count in stored.values() if count > 1),
                  "answers_to_officers": sum(len(fake.messages_to(user)) for user in officers.user_ids)}
        print("fault totals:", json.dumps(totals, ensure_ascii=False))
        # During the outage: 5xx (the platform delivers again), never a refused connection (the process is up).
        assert in_outage and all(500 <= d.status < 600 for d in in_outage if d.update_id >= first_of_outage), totals
        assert 0 not in outage_answers and all(u < first_of_outage for u in answered_in_outage), totals
        # Afterwards: every update finally answered 200, every reply stored exactly once.
        assert all(statuses[update_id][-1] == 200 for update_id in sent), totals
        assert totals["lost"] == 0 and totals["duplicates"] == 0 and rows == len(sent), totals
        assert all(stored[text] == 1 for text in sent.values())
        # Every officer was answered once per reply, and never told that a reply was not recorded.
        texts = [m["text"] for user in officers.user_ids for m in fake.messages_to(user)]
        assert not [t for t in texts if "chưa được ghi nhận" in t or "not recorded" in t]
        assert len(texts) == len(sent), totals
