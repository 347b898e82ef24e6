"""`dondoc run --webhook` for Telegram: the real run_bot (Telegram channel in webhook mode, web server) against the
fake Telegram Bot API, which POSTs every update to our /webhook/telegram and delivers it again after a non-2xx
answer. And `dondoc webhook set|delete|info` against the fake Telegram and Zalo APIs."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy import update as sa_update
from sqlmodel import select
from telegram import Bot

from bot.app import open_deps, run_bot
from bot.config import Settings
from bot.deps import Deps
from storage.db import create_engine, transaction
from storage.models import ProcessedUpdate, StatusReport
from storage.updates import CLAIM_LEASE
from tests.channel_scenarios import reports, rows
from tests.conftest import make_settings, run_cli
from tests.factories import USER_IDS, Office, seed_office
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

LAN = USER_IDS["lan"]
SECRET = "telegram-webhook_secret-0123"
ZALO_SECRET = "zalo-webhook-secret-0123"
WAIT = 15.0
DONE = "Đã ghi nhận: Đã hoàn thành."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Instance:
    """One `dondoc run --webhook` (a run_bot task) and where Telegram reaches it."""

    url: str
    task: asyncio.Task[None]


@dataclass
class Running:
    fake: FakeTelegram
    deps: Deps
    office: Office
    instances: list[Instance]
    database_url: str
    tmp_path: Path

    @property
    def url(self) -> str:
        return self.instances[0].url

    def task(self, key: str) -> int:
        found = self.office.tasks[key].id
        assert found is not None
        return found

    async def say(self, user: int, words: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The user sends `words` (Telegram delivers them by webhook); the update and the bot's first reply."""
        before = len(self.fake.messages_to(user))
        update = self.fake.send_text(user, words)
        await self.fake.wait_for_messages(user, before + 1, timeout=WAIT)
        await self.fake.wait_for_idle(timeout=WAIT)
        return update, self.fake.messages_to(user)[before:]

    def statuses(self, update: dict[str, Any]) -> list[int]:
        return [d.status for d in self.fake.webhook_deliveries if d.update_id == update["update_id"]]

    async def start_another(self) -> Instance:
        """A second process on the same database (and the same fake Telegram)."""
        return await _start(self.fake, self.database_url, self.tmp_path / "second")


def _settings(fake: FakeTelegram, database_url: str, tmp_path: Path, port: int) -> Settings:
    return make_settings(
        database_url, tmp_path, telegram_token=fake.token, telegram_api_base_url=fake.base_url,
        telegram_file_base_url=fake.base_file_url, telegram_webhook_secret=SECRET, webhook_mode=True,
        public_base_url=f"http://127.0.0.1:{port}", web_port=port, reminders_enabled=False,
        link_secret="link-secret-for-tests-0123456789-abcdef",
    )


async def _start(fake: FakeTelegram, database_url: str, tmp_path: Path) -> Instance:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/webhook/telegram"
    task = asyncio.create_task(run_bot(_settings(fake, database_url, tmp_path, port)), name=f"dondoc-run-{port}")

    def registered() -> bool:
        if task.done():
            raise AssertionError(f"run_bot ended: {task.exception()!r}")
        return (fake.webhook or {}).get("url") == url

    await fake._wait_until(registered, WAIT, lambda: f"the webhook {url} was never registered")
    return Instance(url, task)


@asynccontextmanager
async def running_dondoc(database_url: str, tmp_path: Path, **fake_options: Any) -> AsyncIterator[Running]:
    async with AsyncExitStack() as stack:
        fake = await stack.enter_async_context(FakeTelegram(**fake_options))
        settings = _settings(fake, database_url, tmp_path, 0)
        async with open_deps(settings) as seeding:
            office = await seed_office(seeding, now=datetime.now(UTC), channel="telegram")
        running = Running(fake, seeding, office, [], database_url, tmp_path)

        async def stop_all() -> None:
            for instance in running.instances:
                instance.task.cancel()
            for instance in running.instances:
                with pytest.raises(asyncio.CancelledError):
                    await instance.task

        stack.push_async_callback(stop_all)
        running.instances.append(await _start(fake, database_url, tmp_path))
        running.deps = await stack.enter_async_context(open_deps(settings, migrate=False))
        yield running


@pytest.fixture
async def dondoc(database_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    async with running_dondoc(database_url, tmp_path) as running:
        yield running


def forged(fake: FakeTelegram, user: int, words: str, update_id: int) -> dict[str, Any]:
    """An update Telegram would send for `words`, not queued in the fake (tests deliver it themselves)."""
    fake.user(user)
    return {"update_id": update_id, "message": {
        "message_id": 9000 + update_id % 1000, "date": int(datetime.now(UTC).timestamp()),
        "from": {"id": user, "is_bot": False, "first_name": "Lan", "language_code": "vi"},
        "chat": {"id": user, "type": "private", "first_name": "Lan"}, "text": words}}


# ------------------------------------------------------------------------------------------------ run --webhook


async def test_the_webhook_is_registered_and_a_status_reply_is_stored_and_answered(dondoc: Running) -> None:
    setting = [params for method, params in dondoc.fake.requests if method == "setWebhook"][-1]
    assert setting["url"] == dondoc.url and setting["secret_token"] == SECRET
    assert setting["allowed_updates"] == ["message", "callback_query"] and setting.get("drop_pending_updates") in (
        None, False)
    year = dondoc.task("vp_year")
    update, [reply] = await dondoc.say(LAN, f"#{year} đang làm 50%")
    assert "Đã ghi nhận: Đang thực hiện 50%." in reply["text"]
    assert [(r.status, r.percent, r.channel) for r in await reports(dondoc.deps, year)] == [
        ("in_progress", 50, "telegram")]
    assert dondoc.statuses(update) == [200]
    assert "getUpdates" not in [method for method, _ in dondoc.fake.requests]  # nothing polls

    june = dondoc.task("vp_june")
    _, [detail] = await dondoc.say(LAN, f"/nv {june}")
    before = len(dondoc.fake.messages_to(LAN))
    dondoc.fake.press_button(LAN, detail["message_id"], f"s:{june}:d")  # a button press comes by webhook too
    [confirmed] = (await dondoc.fake.wait_for_messages(LAN, before + 1, timeout=WAIT))[before:]
    assert DONE in confirmed["text"]
    assert [r.status for r in await reports(dondoc.deps, june)] == ["done"]


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_processed(dondoc: Running) -> None:
    year = dondoc.task("vp_year")
    update = forged(dondoc.fake, LAN, f"#{year} xong", 500_000_001)
    assert await dondoc.fake.post_to_webhook(update, secret="not-the-secret") == [403]
    assert await dondoc.fake.post_to_webhook(update, secret="") == [403]  # no header at all
    await dondoc.fake.wait_for_idle(timeout=WAIT)
    assert await reports(dondoc.deps, year) == [] and dondoc.fake.messages_to(LAN) == []
    # Not even claimed: the genuine delivery of the same update is handled.
    assert await dondoc.fake.post_to_webhook(update) == [200]
    assert [r.status for r in await reports(dondoc.deps, year)] == ["done"]


async def test_an_update_delivered_three_times_or_at_once_is_recorded_once(dondoc: Running) -> None:
    year, june = dondoc.task("vp_year"), dondoc.task("vp_june")
    update, [reply] = await dondoc.say(LAN, f"#{year} xong")
    assert DONE in reply["text"]
    assert await dondoc.fake.post_to_webhook(update, times=2) == [200, 200]  # Telegram's redeliveries
    assert dondoc.statuses(update) == [200, 200, 200]

    at_once = forged(dondoc.fake, LAN, f"#{june} đang làm 30%", 500_000_002)
    statuses = await dondoc.fake.post_to_webhook(at_once, times=3, concurrently=True)
    # One delivery handles it; one arriving meanwhile is asked to come again later (503), one after it is skipped.
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 503}, statuses
    await dondoc.fake.wait_for_idle(timeout=WAIT)
    assert await dondoc.fake.post_to_webhook(at_once, times=1) == [200]  # Telegram's retry of a 503: done
    assert [r.status for r in await reports(dondoc.deps, year)] == ["done"]
    assert [(r.status, r.percent) for r in await reports(dondoc.deps, june)] == [("in_progress", 30)]
    assert len(dondoc.fake.messages_to(LAN)) == 2  # one answer per update


async def test_an_update_delivered_to_two_processes_at_once_is_recorded_once(dondoc: Running) -> None:
    second = await dondoc.start_another()
    year = dondoc.task("vp_year")
    update = forged(dondoc.fake, LAN, f"#{year} đang làm 70%", 500_000_003)
    statuses = await dondoc.fake.post_to_webhook(update, urls=[dondoc.url, second.url], times=2, concurrently=True)
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 503}, statuses  # 503: the other process has it
    await dondoc.fake.wait_for_idle(timeout=WAIT)
    assert await dondoc.fake.post_to_webhook(update, urls=[second.url], times=1) == [200]  # a retry: done
    assert [(r.status, r.percent) for r in await reports(dondoc.deps, year)] == [("in_progress", 70)]
    [answer] = dondoc.fake.messages_to(LAN)
    assert "Đã ghi nhận: Đang thực hiện 70%." in answer["text"]
    # And the second process handles ordinary traffic (the webhook now points at it).
    assert dondoc.fake.webhook is not None and dondoc.fake.webhook["url"] == second.url
    _, [reply] = await dondoc.say(LAN, f"#{year} xong")
    assert DONE in reply["text"]


_FAULT = {
    "sqlite": [("CREATE TRIGGER injected_fault BEFORE INSERT ON status_report "
                "BEGIN SELECT RAISE(ABORT, 'injected fault'); END")],
    "postgresql": [("CREATE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'injected fault'; END $$"),
                   ("CREATE TRIGGER injected_fault BEFORE INSERT ON status_report "
                    "FOR EACH ROW EXECUTE FUNCTION injected_fault()")],
}
_REPAIR = {
    "sqlite": ["DROP TRIGGER injected_fault"],
    "postgresql": ["DROP TRIGGER injected_fault ON status_report", "DROP FUNCTION injected_fault()"],
}


async def _run_sql(database_url: str, statements: dict[str, list[str]]) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            for statement in statements[engine.dialect.name]:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def test_a_database_failure_answers_5xx_and_the_redelivery_records_it_once(
    database_url: str, tmp_path: Path
) -> None:
    async with running_dondoc(database_url, tmp_path, webhook_attempts=200, webhook_retry_delay=0.02) as dondoc:
        year = dondoc.task("vp_year")
        await _run_sql(database_url, _FAULT)  # every insert of a status report fails, in every connection
        update = dondoc.fake.send_text(LAN, f"#{year} xong")
        await dondoc.fake._wait_until(lambda: dondoc.statuses(update)[:2] == [500, 500], WAIT,
                                      lambda: f"deliveries so far: {dondoc.statuses(update)}")
        assert await reports(dondoc.deps, year) == [] and dondoc.fake.messages_to(LAN) == []
        async with Bot(dondoc.fake.token, base_url=dondoc.fake.base_url) as bot:
            info = await bot.get_webhook_info()
        assert info.pending_update_count == 1 and info.last_error_message == (
            "Wrong response from the webhook: 500 Internal Server Error")
        await _run_sql(database_url, _REPAIR)  # the database is back
        [reply] = await dondoc.fake.wait_for_messages(LAN, 1, timeout=WAIT)
        await dondoc.fake.wait_for_idle(timeout=WAIT)
        assert DONE in reply["text"]  # told once, when recorded; never "not recorded, send again"
        statuses = dondoc.statuses(update)
        assert set(statuses[:-1]) == {500} and statuses[-1] == 200
        assert [r.status for r in await reports(dondoc.deps, year)] == ["done"]
        assert len(await rows(dondoc.deps, StatusReport)) == 1
        assert dondoc.fake.messages_to(LAN) == [reply]


def test_webhook_mode_without_its_settings_fails_at_start(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", "123456:TEST-token")
    monkeypatch.setenv("ZALO_TOKEN", "zalo-token-for-tests")
    code, out, err = run_cli(capsys, "run", "--webhook")
    assert code == 2 and out == ""
    assert "webhook mode needs PUBLIC_BASE_URL" in err
    assert "TELEGRAM_WEBHOOK_SECRET" in err and "ZALO_WEBHOOK_SECRET" in err
    monkeypatch.setenv("WEBHOOK_MODE", "true")  # the same from the environment, for a process manager
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    code, _, err = run_cli(capsys, "run")
    assert code == 2 and "ZALO_WEBHOOK_SECRET" in err and "TELEGRAM_WEBHOOK_SECRET" not in err
    assert "123456:TEST-token" not in err and "zalo-token-for-tests" not in err


@pytest.mark.parametrize("secret", ["has space", "colon:inside", "x" * 257])
def test_the_telegram_secret_follows_telegrams_rule(tmp_path: Path, secret: str) -> None:
    with pytest.raises(ValueError, match="A-Z a-z 0-9 _ -"):
        make_settings("sqlite://", tmp_path, telegram_webhook_secret=secret)
    assert make_settings("sqlite://", tmp_path, telegram_webhook_secret="A-z_09").telegram_webhook_secret


# ------------------------------------------------------------------------------------------------ dondoc webhook


async def test_webhook_set_info_and_delete_on_both_channels(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeTelegram(webhook_retry_delay=0.01, webhook_attempts=3) as tg, FakeZalo() as zalo:
        port = _free_port()  # nothing listens there: Telegram's deliveries fail
        base = f"http://127.0.0.1:{port}"
        for name, value in {"TELEGRAM_TOKEN": tg.token, "TELEGRAM_API_BASE_URL": tg.base_url,
                            "TELEGRAM_WEBHOOK_SECRET": SECRET, "ZALO_TOKEN": zalo.token,
                            "ZALO_API_BASE_URL": zalo.base_url, "ZALO_WEBHOOK_SECRET": ZALO_SECRET,
                            "PUBLIC_BASE_URL": base}.items():
            monkeypatch.setenv(name, value)

        async def dondoc(*argv: str) -> tuple[int, str, str]:
            code, out, err = await asyncio.to_thread(run_cli, capsys, "webhook", *argv)
            for secret in (tg.token, zalo.token, SECRET, ZALO_SECRET):
                assert secret not in out + err
            return code, out, err

        code, out, _ = await dondoc("info")
        assert code == 0
        assert out == ("telegram: (no webhook: updates are polled)\n  pending updates: 0\n  last error: none reported\n"
                       "zalo: (no webhook: updates are polled)\n  last error: none reported\n")

        code, out, _ = await dondoc("set")
        assert code == 0
        assert out == f"telegram: webhook set to {base}/webhook/telegram\nzalo: webhook set to {base}/webhook/zalo\n"
        assert tg.webhook is not None and (tg.webhook["url"], tg.webhook["secret_token"]) == (
            f"{base}/webhook/telegram", SECRET)
        assert zalo.webhook is not None and (zalo.webhook["url"], zalo.webhook["secret_token"]) == (
            f"{base}/webhook/zalo", ZALO_SECRET)

        tg.send_text(LAN, "xong")  # Telegram tries to deliver it while we are down
        await tg._wait_until(lambda: len(tg.webhook_deliveries) >= 1, WAIT, lambda: "no delivery attempt")
        code, out, _ = await dondoc("info", "--channel", "telegram")
        assert code == 0
        assert out.startswith(f"telegram: {base}/webhook/telegram\n  pending updates: ")
        assert "  last error: Connection refused (at " in out and "zalo" not in out

        code, out, _ = await dondoc("delete", "--channel", "all")
        assert code == 0
        assert out == "telegram: webhook deleted (updates are polled again)\nzalo: webhook deleted (updates are polled again)\n"
        assert tg.webhook is None and zalo.webhook is None
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            await bot.get_updates(timeout=0)  # polling works again (no 409 Conflict)

        monkeypatch.delenv("PUBLIC_BASE_URL")
        code, out, err = await dondoc("set", "--channel", "zalo")
        assert code == 2 and out == "" and "PUBLIC_BASE_URL" in err and zalo.webhook is None
        monkeypatch.delenv("ZALO_TOKEN")
        code, _, err = await dondoc("info", "--channel", "zalo")
        assert code == 2 and "ZALO_TOKEN is not set" in err


async def test_an_update_whose_process_died_mid_handling_is_handled_by_the_redelivery(dondoc: Running) -> None:
    """A process killed while handling leaves a claim that is not done (its handling never committed): the
    redelivery is asked to wait while the claim is fresh, and takes it over once the claim is stale."""
    june = dondoc.task("vp_june")
    update = forged(dondoc.fake, LAN, f"#{june} vướng: chờ ý kiến Sở Tài chính", 500_000_009)
    key = str(update["update_id"])
    died_at = datetime.now(UTC) - timedelta(seconds=5)
    async with transaction(dondoc.deps.sessions) as session:
        await session.exec(insert(ProcessedUpdate.__table__).values(  # type: ignore[attr-defined]
            channel="telegram", update_id=key, created_at=died_at, claimed_at=died_at))
    assert await dondoc.fake.post_to_webhook(update, times=1) == [503]  # it might still be working on it
    assert await reports(dondoc.deps, june) == []
    async with transaction(dondoc.deps.sessions) as session:  # the lease runs out
        await session.exec(sa_update(ProcessedUpdate).where(ProcessedUpdate.update_id == key)
                           .values(claimed_at=died_at - CLAIM_LEASE))
    assert await dondoc.fake.post_to_webhook(update, times=1) == [200]
    await dondoc.fake.wait_for_idle(timeout=WAIT)
    assert [(r.status, r.note) for r in await reports(dondoc.deps, june)] == [("blocked", "chờ ý kiến Sở Tài chính")]
    async with dondoc.deps.sessions() as session:
        claim = (await session.exec(select(ProcessedUpdate).where(ProcessedUpdate.update_id == key))).one()
    assert claim.done_at is not None  # marked done with the status, in one commit
    assert await dondoc.fake.post_to_webhook(update, times=1) == [200]
    assert len(await reports(dondoc.deps, june)) == 1

