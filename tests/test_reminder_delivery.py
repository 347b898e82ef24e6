"""Delivery guarantees of the reminder outbox (issue 4), with real processes, real HTTP and a real database.

* SIGKILL at random points during a fan-out of 2,000 reminders, restarted until done: nothing is lost, and at
  most one message per kill arrives twice (the one in flight: the platform accepted it, the commit had not
  happened). The service prepares several messages at once (`concurrency`) but sends them strictly one at a
  time, each committed before the next, which is what bounds the repeats to one per kill.
* Two processes ticking at once on PostgreSQL: every reminder exactly once.
* 429 / 5xx / timeouts on 20% of sends: everything delivered, nothing twice; a 403 marks the member unreachable
  and tells each chief once.
* Telegram's limits, enforced by the fake, are kept by the service's limiter: no 429 at all.

The reminder processes are `tests/reminder_child.py`; the fake Bot API runs in the test process, where its hooks
can SIGKILL a child at an exact point (right after the fake accepted a message, before the answer goes back).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select
from telegram.request import HTTPXRequest

from bot import admin
from bot.adapters.telegram_sender import TelegramSender
from bot.app import open_deps
from bot.deps import Deps
from scheduler.clock import SimulatedClock
from scheduler.limiter import SendLimiter
from scheduler.service import ReminderService
from storage import members as member_store
from storage import outbox
from storage.db import transaction
from storage.models import ChannelAccount, Member, OutboxMessage, OutboxState, ReminderItem, Role, Unit
from tests.conftest import at, make_settings
from tests.factories import USER_IDS, seed_office
from tests.fakes.telegram_api import TELEGRAM_LIMITS, FakeTelegram
from tests.reminder_harness import reminder_rig

REPO = Path(__file__).resolve().parent.parent
FANOUT_DAY = date(2023, 6, 26)  # a Monday, a working day
MORNING = "2023-06-26 08:05"  # office time: reminders are due from 08:00
FIRST_CHAT = 7_000_001
TASK_TITLE = "Báo cáo kết quả cải thiện Chỉ số PAPI"


# ------------------------------------------------------------------------------------------------ the office


async def seed_fanout(deps: Deps, *, members: int, due: date = FANOUT_DAY) -> dict[int, int]:
    """One unit with `members` officers, each linked on Telegram, and one task the unit must finish on `due`:
    a fan-out of one reminder per officer on that morning. Returns chat id -> member id."""
    async with transaction(deps.sessions) as session:
        await admin.add_unit(session, name="Phòng Quản lý Văn hóa", short_name="QLVH", aliases=[])
        await admin.add_plan(session, number="12/KH-SVHTT", title="Kế hoạch cải thiện PAPI", issued_on=date(2023, 1, 9),
                             issuer="Sở Văn hóa và Thể thao", year=2023)
        await admin.add_task(session, plan_number="12/KH-SVHTT", code="1", title=TASK_TITLE, lead=["QLVH"],
                             due=due, deadline_text=f"trước ngày {due:%d/%m/%Y}")
        unit_id = (await session.exec(select(Unit.id).where(Unit.short_name == "QLVH"))).one()
        officers = [Member(full_name=f"Cán bộ {n:04d}", role=Role.OFFICER, unit_id=unit_id) for n in range(members)]
        session.add_all(officers)
        await session.flush()
        chats = {FIRST_CHAT + n: member.id for n, member in enumerate(officers)}
        session.add_all([
            ChannelAccount(member_id=member_id, channel="telegram", external_id=str(chat), chat_id=str(chat))
            for chat, member_id in chats.items()
        ])
    return chats  # type: ignore[return-value]


@dataclass
class Delivery:
    """What the members received, against what the outbox says."""

    received: dict[int, list[dict[str, Any]]]  # chat -> the bot's messages, in order
    rows: dict[int, OutboxMessage]  # member -> that day's outbox row

    @property
    def lost(self) -> list[int]:
        return [chat for chat, messages in self.received.items() if not messages]

    @property
    def duplicates(self) -> int:
        return sum(len(messages) - 1 for messages in self.received.values() if len(messages) > 1)


async def delivery(deps: Deps, fake: FakeTelegram, chats: dict[int, int]) -> Delivery:
    async with deps.sessions() as session:
        rows = list((await session.exec(select(OutboxMessage).where(OutboxMessage.day == FANOUT_DAY))).all())
    by_member: dict[int, OutboxMessage] = {}
    for row in rows:
        assert row.member_id not in by_member, f"two outbox rows for member {row.member_id}: planned twice"
        by_member[row.member_id] = row
    return Delivery({chat: fake.messages_to(chat) for chat in chats}, by_member)


def assert_log_matches(result: Delivery, chats: dict[int, int]) -> None:
    """Each member's outbox row is SENT and records the message the member has last: the log tells the truth."""
    assert set(result.rows) == set(chats.values())
    for chat, member_id in chats.items():
        row = result.rows[member_id]
        assert row.state == OutboxState.SENT, (chat, row.state, row.error)
        assert (row.chat_id, row.message_id) == (str(chat), str(result.received[chat][-1]["message_id"]))
        assert TASK_TITLE in result.received[chat][-1]["text"]


async def count_items(deps: Deps) -> int:
    async with deps.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(ReminderItem))).one())


# ------------------------------------------------------------------------------------------------ processes


@dataclass(eq=False)
class Worker:
    """One reminder process, forked by the fork server (tests/reminder_child.py)."""

    pid: int
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    exited: asyncio.Future[int] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    counters: dict[str, int] | None = None  # what it reported when it found nothing left pending
    killed: bool = False

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, no commit."""
        if not self.killed and not self.exited.done():
            self.killed = True
            os.kill(self.pid, signal.SIGKILL)


@dataclass
class ForkServer:
    """Starts reminder processes in milliseconds (forked from a process that has imported everything), so a
    restart after a kill is immediate, as under a supervisor. Reports how each one ended."""

    process: asyncio.subprocess.Process
    log: Path
    workers: dict[int, Worker] = field(default_factory=dict)
    spawned: asyncio.Queue[int] = field(default_factory=asyncio.Queue)
    reader: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, log: Path) -> ForkServer:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.reminder_child", "--fork-server", cwd=REPO,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=stderr,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))},
            )
        server = cls(process, log)
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        assert json.loads(line or b"null") == {"server": process.pid}, server.tail()
        server.reader = asyncio.create_task(server._read())
        return server

    def _worker(self, pid: int) -> Worker:
        return self.workers.setdefault(pid, Worker(pid))

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            message = json.loads(line)
            if "spawned" in message:
                self._worker(message["spawned"])
                self.spawned.put_nowait(message["spawned"])
            elif "ready" in message:
                self._worker(message["ready"]).ready.set()
            elif "done" in message:
                self._worker(message["done"]).counters = message["counters"]
            elif "exit" in message:
                worker = self._worker(message["exit"])
                if not worker.exited.done():
                    worker.exited.set_result(message["code"])

    async def spawn(self, arguments: list[str], *, timeout: float = 30.0) -> Worker:
        """A new reminder process, once it has opened the database and the bot (it then starts ticking)."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"spawn": arguments}).encode() + b"\n")
        await self.process.stdin.drain()
        worker = self.workers[await asyncio.wait_for(self.spawned.get(), timeout)]
        ready = asyncio.create_task(worker.ready.wait())
        await asyncio.wait({ready, worker.exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if not worker.ready.is_set():
            worker.kill()
            raise AssertionError(f"reminder process {worker.pid} did not start:\n{self.tail()}")
        return worker

    async def finish(self, worker: Worker, *, timeout: float) -> int:
        """Waits for the process to end; returns its exit code (-9 when killed). A clean exit reported done."""
        try:
            code = await asyncio.wait_for(asyncio.shield(worker.exited), timeout)
        except TimeoutError:
            worker.kill()
            raise AssertionError(f"reminder process {worker.pid} still running after {timeout}s:\n{self.tail()}") from None
        if code == 0:
            assert worker.counters is not None, self.tail()
        elif not (worker.killed and code == -signal.SIGKILL):
            raise AssertionError(f"reminder process {worker.pid} failed with {code}:\n{self.tail()}")
        return code

    async def close(self) -> None:
        """Ends every process still running (a failed test must not leave any behind), then the server."""
        for worker in self.workers.values():
            worker.kill()
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        if self.reader is not None:
            await self.reader

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@asynccontextmanager
async def fork_server(log: Path) -> AsyncIterator[ForkServer]:
    server = await ForkServer.start(log)
    try:
        yield server
    finally:
        await server.close()


def reminder_arguments(database_url: str, fake: FakeTelegram, *, epoch: float, lease: float = 1.0,
                       batch: int = 25, concurrency: int = 1, not_before: float = 0.0) -> list[str]:
    """Command-line arguments of tests/reminder_child.py: its clock shows MORNING at the Unix time `epoch`."""
    return [
        "--database", database_url, "--base-url", fake.base_url, "--token", fake.token,
        "--start", at(MORNING).isoformat(), "--epoch", repr(epoch), "--lease", str(lease), "--batch", str(batch),
        "--concurrency", str(concurrency), "--not-before", repr(not_before),
    ]


# ------------------------------------------------------------------------------------------------ SIGKILL trials


@dataclass
class Trials:
    kills: Counter[str] = field(default_factory=Counter)  # by kind of kill point

    @property
    def total(self) -> int:
        return sum(self.kills.values())


def kill_after_accepting(fake: FakeTelegram, worker: Worker, count: int) -> None:
    """Kills `worker` inside the fake right after it accepted its `count`-th reminder, before the answer is
    written back: the member has the message, and the process never learns it was sent."""
    accepted = 0

    def hook(method: str, params: dict[str, Any], result: Any) -> None:
        nonlocal accepted
        if method == "sendMessage":
            accepted += 1
            if accepted >= count:
                worker.kill()

    fake.on_accepted = hook


async def run_sigkill_trials(server: ForkServer, fake: FakeTelegram, arguments: Callable[[int], list[str]], *,
                             kills: int, seed: int) -> Trials:
    """Runs reminder processes one after another, killing each of the first `kills` at a random point: right
    after the fake accepted its n-th message (n random in 1..80), or at a random time 0.1-2 s after it started
    (while planning, claiming, composing, committing or sending). Each prepares 8 messages at a time (the
    service's `concurrency`); sending is one at a time whatever that is. A dead process's claimed rows wait for
    their lease to run out."""
    rng = random.Random(seed)
    trials = Trials()
    while True:
        kill = rng.choice(["in flight", "at a random time"]) if trials.total < kills else "none"
        worker = await server.spawn(arguments(8))
        timer = None
        if kill == "in flight":
            kill_after_accepting(fake, worker, rng.randint(1, 80))
        elif kill == "at a random time":
            timer = asyncio.get_running_loop().call_later(rng.uniform(0.1, 2.0), worker.kill)
        code = await server.finish(worker, timeout=120)
        fake.on_accepted = None
        if timer is not None:
            timer.cancel()
        if code == 0:
            if trials.total < kills:  # it found nothing left before its kill: the fan-out was too small
                raise AssertionError(f"the fan-out was over after {trials.total} kills; {kills} were wanted")
            return trials
        trials.kills[kill] += 1


@pytest.mark.timeout(180)
async def test_sigkill_during_a_fanout_of_2000_loses_nothing_and_repeats_at_most_one_per_kill(
    database_url: str, tmp_path: Path
) -> None:
    members, kills = 2000, 20
    async with open_deps(make_settings(database_url, tmp_path)) as deps, FakeTelegram() as fake, \
            fork_server(tmp_path / "reminder-processes.log") as server:
        chats = await seed_fanout(deps, members=members)
        for chat in chats:
            fake.user(chat)
        started, epoch = time.monotonic(), time.time()
        trials = await run_sigkill_trials(
            server, fake, lambda concurrency: reminder_arguments(database_url, fake, epoch=epoch, concurrency=concurrency),
            kills=kills, seed=20230626,
        )
        result = await delivery(deps, fake, chats)
        print(f"\n{database_url.split(':')[0]}: {members} reminders, {trials.total} kills {dict(trials.kills)}, "
              f"{result.duplicates} duplicates, {time.monotonic() - started:.1f}s")
        assert trials.total >= kills
        assert result.lost == []
        # A kill inside the fake, after it accepted a message, always leaves that message to be sent again: these
        # duplicates must be seen (else the test could not see any); beyond them, at most one per kill.
        assert trials.kills["in flight"] <= result.duplicates <= trials.total
        assert_log_matches(result, chats)
        assert await count_items(deps) == members  # planned once, whatever the restarts
        assert fake.errors == []
        assert len([1 for method, _ in fake.requests if method == "sendMessage"]) == members + result.duplicates


# ------------------------------------------------------------------------------------------------ two processes


@pytest.mark.postgres
@pytest.mark.timeout(120)
async def test_two_processes_ticking_at_once_on_postgresql_send_each_reminder_once(
    postgres_url: str, tmp_path: Path
) -> None:
    members = 600
    async with open_deps(make_settings(postgres_url, tmp_path)) as deps, FakeTelegram() as fake, \
            fork_server(tmp_path / "reminder-processes.log") as server:
        chats = await seed_fanout(deps, members=members)
        for chat in chats:
            fake.user(chat)
        # Both open the database and the bot, then plan and deliver from the same instant, in small batches, so
        # that they plan the same messages and claim from the same rows all along.
        arguments = reminder_arguments(postgres_url, fake, epoch=time.time(), lease=60, batch=10, concurrency=8,
                                       not_before=time.time() + 1.5)
        workers = [await server.spawn(arguments), await server.spawn(arguments)]
        for worker in workers:
            assert await server.finish(worker, timeout=100) == 0
        result = await delivery(deps, fake, chats)
        assert result.lost == [] and result.duplicates == 0
        assert_log_matches(result, chats)
        counters = [worker.counters or {} for worker in workers]
        assert sum(c["planned"] for c in counters) == members  # each message planned by one of them
        assert sum(c["sent"] for c in counters) == members
        assert all(c["sent"] > 0 for c in counters), counters  # both really sent: they ran at once
        assert len([1 for method, _ in fake.requests if method == "sendMessage"]) == members


# ------------------------------------------------------------------------------------------------ failures


@asynccontextmanager
async def in_process_service(deps: Deps, fake: FakeTelegram, *, read_timeout: float = 5.0, per_second: float = 1000.0,
                             concurrency: int = 16) -> AsyncIterator[tuple[ReminderService, SimulatedClock]]:
    """The real service in the test process, on a simulated clock at MORNING, sending through PTB to `fake`."""
    request = HTTPXRequest(connection_pool_size=64, read_timeout=read_timeout, write_timeout=read_timeout,
                           connect_timeout=read_timeout)
    async with fake.make_bot(request=request) as bot:
        clock = SimulatedClock(at(MORNING))
        service = ReminderService(deps.sessions, deps.settings, clock, {"telegram": TelegramSender(bot)},
                                  limiter=SendLimiter(per_second), concurrency=concurrency)
        yield service, clock


async def pending(deps: Deps) -> int:
    async with deps.sessions() as session:
        return await outbox.pending_count(session)


@pytest.mark.timeout(90)
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter.retry_after as int
async def test_429_5xx_and_timeouts_on_a_fifth_of_sends_deliver_everything_once(
    database_url: str, tmp_path: Path
) -> None:
    members = 150
    async with open_deps(make_settings(database_url, tmp_path)) as deps, FakeTelegram() as fake:
        chats = await seed_fanout(deps, members=members)
        for chat in chats:
            fake.user(chat)
        fake.fail_randomly(methods={"sendMessage"}, ratio=0.2, kinds=("429", "500", "502", "timeout"), seed=4,
                           retry_after=1)
        async with in_process_service(deps, fake, read_timeout=0.5) as (service, clock):
            for _ in range(5):  # a row whose every attempt failed waits in the outbox (30 s first): let it come due
                await service.tick()
                if await pending(deps) == 0:
                    break
                clock.advance(timedelta(minutes=31))
        result = await delivery(deps, fake, chats)
        kinds = Counter(kind for _, kind in fake.injected)
        assert set(kinds) == {"429", "500", "502", "timeout"} and sum(kinds.values()) >= 20, kinds
        assert result.lost == [] and result.duplicates == 0
        assert_log_matches(result, chats)
        # Each injected failure cost exactly one more request, and nothing else was sent again: a held (timed
        # out) request was never processed, and a 429 was waited out.
        assert len([1 for method, _ in fake.requests if method == "sendMessage"]) == members + len(fake.injected)


async def test_a_send_that_fails_every_attempt_waits_in_the_outbox_then_goes_once(
    database_url: str, tmp_path: Path
) -> None:
    async with open_deps(make_settings(database_url, tmp_path)) as deps, FakeTelegram() as fake:
        chats = await seed_fanout(deps, members=1)
        (chat, member_id), = chats.items()
        fake.user(chat)
        fake.fail_next("sendMessage", error_code=500, description="Internal Server Error", times=5)
        async with in_process_service(deps, fake) as (service, clock):
            first = await service.tick()
            assert (first.sent, first.retried) == (0, 1)
            async with deps.sessions() as session:
                row = (await session.exec(select(OutboxMessage).where(OutboxMessage.member_id == member_id))).one()
            assert row.state == OutboxState.PENDING and row.error == "Internal Server Error"
            assert row.send_after > clock.now() and row.lease_until is None  # not given up, not held
            assert fake.messages_to(chat) == []
            assert (await service.tick()).sent == 0  # not due yet
            clock.set(row.send_after)
            assert (await service.tick()).sent == 1
        result = await delivery(deps, fake, chats)
        assert [len(messages) for messages in result.received.values()] == [1]
        assert_log_matches(result, chats)
        assert len([1 for method, _ in fake.requests if method == "sendMessage"]) == 6


async def test_a_blocked_member_is_marked_unreachable_and_each_chief_told_once(
    database_url: str, tmp_path: Path
) -> None:
    second_chief = 1006
    async with open_deps(make_settings(database_url, tmp_path)) as deps, FakeTelegram() as fake:
        office = await seed_office(deps, now=at("2023-06-01 08:00"), channel="telegram")
        async with transaction(deps.sessions) as session:
            chief = await admin.add_member(session, full_name="Lê Thu Hà", role=Role.CHIEF, unit="VP", locale=None)
            assert chief.id is not None
            await member_store.link_account(session, member_id=chief.id, channel="telegram",
                                            external_id=str(second_chief), chat_id=str(second_chief))
        for user_id in [*USER_IDS.values(), second_chief]:
            fake.user(user_id)
        lan = USER_IDS["lan"]
        fake.block(lan)
        async with reminder_rig(deps, start=at("2023-06-19 08:00"), telegram=fake) as rig:
            # vp_june (VP, due 30/6) reminds Lan 7, 3 and 1 working days before and on the day; then overdue.
            await rig.run_days(date(2023, 6, 19), date(2023, 7, 5))
        lan_id = office.people["lan"].id
        async with deps.sessions() as session:
            member = await session.get(Member, lan_id)
            rows = (await session.exec(select(OutboxMessage).where(OutboxMessage.member_id == lan_id))).all()
        assert member is not None and member.unreachable_at == at("2023-06-21 08:00")
        assert [(row.day, row.state, row.error) for row in rows] == [
            (date(2023, 6, 21), OutboxState.FAILED, "Forbidden: bot was blocked by the user"),
        ]  # and no reminder planned for her after that
        assert [params["chat_id"] for method, params in fake.requests if method == "sendMessage"].count(lan) == 1
        assert fake.messages_to(lan) == []
        for chief_chat in (USER_IDS["chief"], second_chief):
            notices = [m["text"] for m in fake.messages_to(chief_chat) if "Nguyễn Thị Lan" in m.get("text", "")]
            assert len(notices) == 1, (chief_chat, notices)
            assert "(VP)" in notices[0]
        # The other members' reminders went on as usual.
        assert fake.messages_to(USER_IDS["minh"])


# ------------------------------------------------------------------------------------------------ platform limits


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_the_fake_enforces_telegrams_limits_with_retry_after() -> None:
    from telegram.error import RetryAfter

    async with FakeTelegram(**TELEGRAM_LIMITS) as fake, fake.make_bot() as bot:
        for chat in range(1, 32):
            fake.user(chat)
        await bot.send_message(1, "một")
        with pytest.raises(RetryAfter) as private:  # 1 message per second in one private chat
            await bot.send_message(1, "hai")
        assert private.value.retry_after in (1, timedelta(seconds=1))
        for chat in range(2, 31):
            await bot.send_message(chat, "nhắc việc")  # 30 in this second, over all chats
        with pytest.raises(RetryAfter):
            await bot.send_message(31, "nhắc việc")
        assert [code for _, code, _ in fake.errors] == [429, 429]
        assert fake.errors[-1][2].startswith("Too Many Requests: retry after ")
    async with FakeTelegram(rate_limit_per_group_per_minute=20) as fake, fake.make_bot() as bot:
        fake.group(-1001, title="Văn phòng Sở")
        fake.group(-1002, title="Phòng TCPC", kind="supergroup")
        fake.user(5)
        for n in range(20):
            await bot.send_message(-1001, f"thông báo {n}")
        with pytest.raises(RetryAfter) as group:  # 20 messages per minute in one group
            await bot.send_message(-1001, "thông báo 21")
        retry = group.value.retry_after
        assert 55 <= (retry.total_seconds() if isinstance(retry, timedelta) else retry) <= 60
        await bot.send_message(-1002, "nhóm khác")  # another group, and a private chat, are not limited by it
        for n in range(25):
            await bot.send_message(5, f"riêng {n}")
        assert len(fake.messages_to(-1001)) == 20 and len(fake.messages_to(5)) == 25


@pytest.mark.timeout(60)
async def test_the_limiter_keeps_a_fanout_at_the_configured_rate_without_any_429(
    database_url: str, tmp_path: Path
) -> None:
    members, cap = 60, 20.0
    async with open_deps(make_settings(database_url, tmp_path)) as deps, FakeTelegram(**TELEGRAM_LIMITS) as fake:
        chats = await seed_fanout(deps, members=members)
        for chat in chats:
            fake.user(chat)
        arrivals: list[float] = []
        fake.on_accepted = lambda method, params, result: arrivals.append(time.monotonic())
        async with in_process_service(deps, fake, per_second=cap, concurrency=64) as (service, _):
            counters = await service.tick()
        assert counters.sent == members
        assert fake.errors == []  # not one 429
        result = await delivery(deps, fake, chats)
        assert result.lost == [] and result.duplicates == 0
        achieved = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
        busiest = max(sum(1 for t in arrivals if start <= t < start + 1.0) for start in arrivals)
        print(f"\n{members} messages at {achieved:.1f}/s (cap {cap:g}/s), at most {busiest} in one second")
        # The limiter spaces the slots; a send whose slot passed while the event loop was busy goes at once, so
        # one second may hold a couple more than the cap (the headroom below Telegram's 30/s is for that).
        assert achieved <= cap * 1.05
