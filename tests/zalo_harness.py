"""The real Zalo adapter (bot.adapters.zalo_runtime) against the fake Zalo Bot API, polling or via the webhook
(served on 127.0.0.1 by uvicorn, as the web server would), on a seeded database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.routing import Route

from bot.adapters.zalo_runtime import ZaloRuntime, running_zalo
from bot.app import conversation, open_deps, remember_sent
from bot.deps import Deps
from bot.messaging import OutgoingFile, Photo
from tests.conftest import make_settings
from tests.factories import Office, OfficeLookups, seed_office
from tests.fakes.zalo_api import FakeZalo, serve, stop

WAIT = 10.0
WEBHOOK_SECRET = "webhook-secret-for-tests-0123"
Mode = Literal["polling", "webhook"]


@dataclass
class ZaloHarness(OfficeLookups):
    fake: FakeZalo
    deps: Deps
    office: Office
    runtime: ZaloRuntime
    webhook_url: str | None = None
    linked_files: list[tuple[str, OutgoingFile]] = field(default_factory=list)

    async def _replies(self, user: int | str, before: int, expect: int) -> list[dict[str, Any]]:
        if expect:
            await self.fake.wait_for_messages(user, before + expect, timeout=WAIT)
        await self.fake.wait_for_idle(timeout=WAIT)
        return self.fake.messages_to(user)[before:]

    async def say(self, user: int | str, text: str, *, expect: int = 1) -> list[dict[str, Any]]:
        """The user sends `text`; every message the bot sent back (at least `expect`)."""
        before = len(self.fake.messages_to(user))
        self.fake.send_text(user, text)
        return await self._replies(user, before, expect)

    async def reply(self, user: int | str, text: str) -> dict[str, Any]:
        got = await self.say(user, text)
        assert len(got) == 1, [m.get("text") for m in got]
        return got[0]

    async def image(self, user: int | str, content: bytes, *, caption: str | None = None,
                    expect: int = 1) -> list[dict[str, Any]]:
        before = len(self.fake.messages_to(user))
        self.fake.send_image(user, content, caption=caption)
        return await self._replies(user, before, expect)

    async def sticker(self, user: int | str, *, expect: int = 1) -> list[dict[str, Any]]:
        before = len(self.fake.messages_to(user))
        self.fake.send_sticker(user)
        return await self._replies(user, before, expect)


@asynccontextmanager
async def running_zalo_bot(
    database_url: str, tmp_path: Path, *, mode: Mode = "polling", webhook_wrapped: bool = True,
    office: Office | None = None, **overrides: object,
) -> AsyncIterator[ZaloHarness]:
    """The Zalo channel as `dondoc run` builds it, against a fresh fake and a database seeded with the office
    (members linked on "zalo"; pass the `office` of an earlier run to restart on its database). Photos the bot sends are served by the fake; files get a fake link."""
    async with AsyncExitStack() as stack:
        fake = await stack.enter_async_context(FakeZalo(webhook_wrapped=webhook_wrapped))
        settings = make_settings(
            database_url, tmp_path, zalo_token=fake.token, zalo_api_base_url=fake.base_url, zalo_poll_timeout=1,
            zalo_webhook_secret=WEBHOOK_SECRET, **overrides,
        )
        deps = await stack.enter_async_context(open_deps(settings))
        if office is None:
            office = await seed_office(deps, now=datetime.now(UTC), channel="zalo")
        linked: list[tuple[str, OutgoingFile]] = []

        async def publish_photo(photo: Photo) -> str:
            return fake.host(photo.content)

        async def link_file(chat_id: str, file: OutgoingFile) -> str:
            linked.append((chat_id, file))
            return f"https://dondoc.example/d/{len(linked)}"

        runtime = await stack.enter_async_context(running_zalo(
            deps, conversation(deps), remember=partial(remember_sent, deps, "zalo"),
            publish_photo=publish_photo, link_file=link_file, poll=mode == "polling",
        ))
        harness = ZaloHarness(fake=fake, deps=deps, office=office, runtime=runtime, linked_files=linked)
        if mode == "webhook":
            app = Starlette(routes=[Route("/webhook/zalo", runtime.webhook(), methods=["POST"])])
            server, task, port = await serve(app)
            stack.push_async_callback(stop, server, task)
            harness.webhook_url = f"http://127.0.0.1:{port}/webhook/zalo"
            await runtime.client.set_webhook(harness.webhook_url, WEBHOOK_SECRET)
        yield harness
