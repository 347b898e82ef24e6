"""The real Application polling a fake Telegram (tests/fakes/telegram_api.py), on a seeded database: the
harness end-to-end tests drive."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.app import open_deps, running_telegram
from bot.deps import Deps
from scheduler.clock import Clock
from tests.conftest import make_settings
from tests.factories import Office, OfficeLookups, seed_office
from tests.fakes.telegram_api import FakeTelegram

WAIT = 10.0  # generous upper bound for one round trip; the waits return as soon as the condition holds


async def until(predicate: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Wait (polling every 10 ms) until `predicate()` holds; fail with `what` after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


@dataclass
class Harness(OfficeLookups):
    fake: FakeTelegram
    deps: Deps
    office: Office

    async def _replies(self, chat: int, before: int, expect: int) -> list[dict]:
        if expect:
            await self.fake.wait_for_messages(chat, before + expect, timeout=WAIT)
        await self.fake.wait_for_idle(timeout=WAIT)
        return self.fake.messages_to(chat)[before:]

    async def say(self, user: int, text: str, *, reply_to: int | None = None, expect: int = 1) -> list[dict]:
        """The user sends `text`; returns every message the bot sent back (at least `expect`)."""
        before = len(self.fake.messages_to(user))
        self.fake.send_text(user, text, reply_to_message_id=reply_to)
        return await self._replies(user, before, expect)

    async def reply(self, user: int, text: str, *, reply_to: int | None = None) -> dict:
        """The user sends `text`; exactly one message comes back, returned."""
        got = await self.say(user, text, reply_to=reply_to)
        assert len(got) == 1, [m.get("text") for m in got]
        return got[0]

    async def document(self, user: int, content: bytes, *, expect: int = 1, **options: object) -> list[dict]:
        before = len(self.fake.messages_to(user))
        self.fake.send_document(user, content, **options)  # type: ignore[arg-type]
        return await self._replies(user, before, expect)

    async def photo(self, user: int, content: bytes, *, expect: int = 1, **options: object) -> list[dict]:
        before = len(self.fake.messages_to(user))
        self.fake.send_photo(user, content, **options)  # type: ignore[arg-type]
        return await self._replies(user, before, expect)

    async def press(
        self, user: int, message_id: int, data: str, *, expect: int = 0
    ) -> tuple[dict, list[dict]]:
        """The user presses a button (any data: it may be forged). Returns the callback answer and new messages."""
        before = len(self.fake.messages_to(user))
        query_id = self.fake.press_button(user, message_id, data)["callback_query"]["id"]

        def answered() -> dict | None:
            return next((a for a in self.fake.callback_answers if a["callback_query_id"] == query_id), None)

        await until(lambda: answered() is not None, f"the answer to the button {data!r}")
        new = await self._replies(user, before, expect)
        answer = answered()
        assert answer is not None
        return answer, new


@asynccontextmanager
async def running_bot(
    database_url: str,
    tmp_path: Path,
    *,
    fake: FakeTelegram | None = None,
    office: Office | None = None,
    clock: Clock | None = None,
    **overrides: object,
) -> AsyncIterator[Harness]:
    """The real Application polling a fake Telegram, on a migrated database seeded with the office.

    Pass `fake` and `office` of an earlier run to restart the bot on the same fake and database."""
    async with AsyncExitStack() as stack:
        if fake is None:
            fake = await stack.enter_async_context(FakeTelegram())
        settings = make_settings(
            database_url,
            tmp_path,
            telegram_token=fake.token,
            telegram_api_base_url=fake.base_url,
            telegram_file_base_url=fake.base_file_url,
            telegram_poll_timeout=1,
            **overrides,
        )
        deps = await stack.enter_async_context(open_deps(settings, clock=clock))
        if office is None:
            office = await seed_office(deps, now=datetime.now(UTC), channel="telegram")
        await stack.enter_async_context(running_telegram(deps))
        yield Harness(fake=fake, deps=deps, office=office)
