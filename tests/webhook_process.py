"""`dondoc run --webhook` as a real child process, for the fault-injection tests: started on a fixed port against a
database the test seeded and the fake Telegram Bot API the test runs, killed (SIGKILL: no cleanup, no commit) and
started again on the same port, and a seeded office of officers who send status replies by webhook.

The child reads its settings from the environment only (its working directory is the test's tmp_path, so no
developer `.env` is read); its log goes to one file per start, shown when a start fails.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from bot import admin
from bot.deps import Deps
from storage import members
from storage.db import transaction
from storage.models import Role, StatusReport
from tests.factories import seed_office
from tests.fakes.telegram_api import FakeTelegram

REPO = Path(__file__).resolve().parents[1]
SECRET = "fault-webhook_secret-0123"
LINK_SECRET = "link-secret-for-fault-tests-0123456789"
START_TIMEOUT = 30.0
FIRST_OFFICER_ID = 3001


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_environment(fake: FakeTelegram, database_url: str, tmp_path: Path, port: int,
                      **extra: str) -> dict[str, str]:
    """Only what the child needs: the settings of `dondoc run --webhook` as environment variables."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    return {
        **keep,
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": database_url,
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "TELEGRAM_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_FILE_BASE_URL": fake.base_file_url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        "LINK_SECRET": LINK_SECRET,
        "REMINDERS_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@dataclass
class DondocProcess:
    """One `dondoc run --webhook` at a fixed port; `start` again after `kill` is the restart."""

    fake: FakeTelegram
    database_url: str
    tmp_path: Path
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook/telegram"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _registrations(self) -> int:
        return sum(1 for method, params in self.fake.requests if method == "setWebhook" and params.get("url") == self.url)

    async def start(self) -> None:
        """Starts the process and returns once it registered its webhook (its web server answers by then)."""
        assert self.process is None or self.process.returncode is not None, "already running"
        self.starts += 1
        log = self.tmp_path / f"dondoc-{self.port}-{self.starts}.log"
        before = self._registrations()
        with log.open("wb") as output:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", "--webhook", cwd=self.tmp_path,
                env=child_environment(self.fake, self.database_url, self.tmp_path, self.port, **self.extra_env),
                stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=output)
        process = self.process

        def registered() -> bool:
            if process.returncode is not None:
                raise AssertionError(f"dondoc run ended with {process.returncode}:\n{log.read_text()[-4000:]}")
            return self._registrations() > before

        await self.fake._wait_until(registered, START_TIMEOUT, lambda: f"not started:\n{log.read_text()[-4000:]}")

    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def kill_now(self) -> None:
        """SIGKILL, synchronously (usable from a hook of the fake that runs at an exact point)."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)

    async def kill(self) -> None:
        """SIGKILL and wait until the process is gone."""
        self.kill_now()
        if self.process is not None:
            code = await self.process.wait()
            assert code in (-signal.SIGKILL, 0) or code < 0, code

    async def stop(self) -> None:
        """SIGTERM (a normal stop), SIGKILL if it does not end in 20 s."""
        if not self.alive():
            return
        assert self.process is not None
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            await self.kill()


@dataclass
class Officers:
    """Officers of Văn phòng Sở on Telegram, and the VP tasks they report on."""

    user_ids: list[int]
    task_ids: list[int]


async def seed_officers(deps: Deps, count: int) -> Officers:
    """The seeded office (tests.factories) plus `count` VP officers linked on Telegram (user ids from 3001)."""
    office = await seed_office(deps, now=datetime.now(UTC), channel="telegram")
    user_ids = [FIRST_OFFICER_ID + n for n in range(count)]
    async with transaction(deps.sessions) as session:
        for user_id in user_ids:
            member = await admin.add_member(session, full_name=f"Cán bộ {user_id}", role=Role.OFFICER, unit="VP",
                                            locale=None)
            assert member.id is not None
            await members.link_account(session, member_id=member.id, channel="telegram", external_id=str(user_id),
                                       chat_id=str(user_id))
    task_ids = [office.tasks[key].id for key in ("vp_june", "vp_year")]
    return Officers(user_ids=user_ids, task_ids=[task_id for task_id in task_ids if task_id is not None])


def reply_text(officers: Officers, number: int) -> str:
    """The `number`th status reply: its task, a percent and a serial note make it identifiable."""
    task = officers.task_ids[number % len(officers.task_ids)]
    return f"#{task} đang làm {number % 100}%, lượt {number}"


async def stored_texts(deps: Deps) -> Counter[str]:
    """How many status_report rows hold each original text."""
    async with deps.sessions() as session:
        rows = (await session.exec(select(StatusReport.original_text, func.count())  # type: ignore[call-overload]
                                   .group_by(StatusReport.original_text))).all()
    return Counter({text: count for text, count in rows if text is not None})


def deliveries_by_update(fake: FakeTelegram) -> dict[int, list[int]]:
    """Each update id's delivery statuses in order (0: no connection)."""
    statuses: dict[int, list[int]] = {}
    for delivery in fake.webhook_deliveries:
        statuses.setdefault(delivery.update_id, []).append(delivery.status)
    return statuses


def pending_count(fake: FakeTelegram) -> int:
    return len(fake.pending_updates())


def describe(statuses: dict[int, list[int]], sent: dict[int, str]) -> dict[str, Any]:
    """Totals for the report: updates, deliveries, redeliveries and the answers of the failed ones."""
    answers: Counter[int] = Counter(status for update_id in sent for status in statuses.get(update_id, []))
    deliveries = sum(answers.values())
    return {"updates": len(sent), "deliveries": deliveries, "redeliveries": deliveries - len(sent),
            "answers": dict(sorted(answers.items()))}
