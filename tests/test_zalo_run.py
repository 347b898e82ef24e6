"""`dondoc run` with Zalo in webhook mode: the real run_bot (Zalo channel, web server, links) against the fake
Zalo Bot API, which delivers updates to our /webhook/zalo and fetches the photos we publish. What Zalo cannot
carry goes through the web server: documents come in through a one-time upload page, reports go out as links."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from bot.adapters.zalo_render import plain_text
from bot.adapters.zalo_runtime import running_zalo
from bot.adapters.zalo_sender import ZaloSender
from bot.app import conversation, open_deps, run_bot, running_web_server
from bot.i18n import Translator
from bot.services.plan_status import LateRule
from handlers.digest import build_digest
from bot.deps import Deps
from storage.models import Evidence
from tests.conftest import make_settings
from tests.factories import USER_IDS, Office, seed_office
from tests.fakes.zalo_api import FakeZalo
from tests.web_harness import PDF

LAN, CHIEF, HUNG = USER_IDS["lan"], USER_IDS["chief"], USER_IDS["hung"]
WAIT = 15.0
URL = re.compile(r"http://127\.0\.0\.1:\d+/[udp]/\S+")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Running:
    fake: FakeZalo
    deps: Deps
    office: Office
    base_url: str

    async def say(self, user: int, text: str, *, expect: int = 1) -> list[dict[str, Any]]:
        before = len(self.fake.messages_to(user))
        self.fake.send_text(user, text)
        return await self.replies(user, before, expect)

    async def replies(self, user: int, before: int, expect: int) -> list[dict[str, Any]]:
        await self.fake.wait_for_messages(user, before + expect, timeout=WAIT)
        await self.fake.wait_for_idle(timeout=WAIT)
        return self.fake.messages_to(user)[before:]

    def task(self, key: str) -> int:
        found = self.office.tasks[key].id
        assert found is not None
        return found

    async def evidence(self) -> list[Evidence]:
        async with self.deps.sessions() as session:
            return list((await session.exec(select(Evidence).order_by(col(Evidence.id)))).all())


def choice_number(text: str, label: str) -> str:
    """The number the numbered-choice block gives the option `label`."""
    found = re.search(rf"(\d+)\s*[=·.:)-]\s*[^\n]*{re.escape(label)}", text)
    assert found, f"no choice {label!r} in:\n{text}"
    return found.group(1)


@asynccontextmanager
async def running_dondoc(database_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    async with AsyncExitStack() as stack:
        fake = await stack.enter_async_context(FakeZalo())
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        settings = make_settings(
            database_url, tmp_path, zalo_token=fake.token, zalo_api_base_url=fake.base_url,
            zalo_webhook_secret="webhook-secret-for-tests-0123", public_base_url=base_url, web_port=port,
            link_secret="link-secret-for-tests-0123456789-abcdef", reminders_enabled=False,
        )
        async with open_deps(settings) as seeding:
            office = await seed_office(seeding, now=datetime.now(UTC), channel="zalo")
        bot = asyncio.create_task(run_bot(settings), name="dondoc-run")

        async def stop_bot() -> None:
            bot.cancel()
            with pytest.raises(asyncio.CancelledError):
                await bot

        stack.push_async_callback(stop_bot)
        deps = await stack.enter_async_context(open_deps(settings, migrate=False))
        await fake.wait_for(lambda: fake.webhook is not None, WAIT, lambda: "the webhook was never registered")
        yield Running(fake, deps, office, base_url)


@pytest.fixture
async def dondoc(database_url: str, tmp_path: Path) -> AsyncIterator[Running]:
    async with running_dondoc(database_url, tmp_path) as running:
        yield running


async def test_the_webhook_is_registered_at_our_address_and_updates_arrive_through_it(dondoc: Running) -> None:
    assert dondoc.fake.webhook is not None
    assert dondoc.fake.webhook["url"] == f"{dondoc.base_url}/webhook/zalo"
    [reply] = await dondoc.say(LAN, "/viec")
    assert f"#{dondoc.task('vp_june')} · Thực hiện các quy định về công khai" in reply["text"]
    assert "Trả lời bằng số:" in reply["text"]


async def test_send_evidence_on_zalo_gives_a_one_time_upload_page_that_stores_the_file(dondoc: Running) -> None:
    june = dondoc.task("vp_june")
    [detail] = await dondoc.say(LAN, f"/nv {june}")
    [answer] = await dondoc.say(LAN, choice_number(detail["text"], "Gửi minh chứng"))
    [link] = URL.findall(answer["text"])
    assert link.startswith(f"{dondoc.base_url}/u/")
    assert answer["text"].startswith(f"Ảnh minh chứng của #{june} có thể gửi ngay tại đây")  # photos: in the chat
    async with httpx.AsyncClient() as browser:
        page = await browser.get(link)
        assert page.status_code == 200 and "PL.1.1" in page.text, page.text
        sent = await browser.post(link, files={"file": ("Báo cáo quý II.pdf", PDF, "application/pdf")})
        assert sent.status_code == 200
        again = await browser.post(link, files={"file": ("lần hai.pdf", PDF, "application/pdf")})
        assert again.status_code == 410
    [row] = await dondoc.evidence()
    assert (row.task_id, row.unit_id, row.file_name, row.size) == (june, dondoc.office.people["lan"].unit_id,
                                                                    "Báo cáo quý II.pdf", len(PDF))


async def test_a_document_sent_in_zalo_is_answered_with_a_choice_of_task_then_an_upload_link(dondoc: Running) -> None:
    before = len(dondoc.fake.messages_to(HUNG))
    dondoc.fake.send_file(HUNG)
    [question] = await dondoc.replies(HUNG, before, 1)
    assert "Tệp là minh chứng của nhiệm vụ nào?" in question["text"]
    assert f"1 · #{dondoc.task('ttra_cont')}" in question["text"]
    [answer] = await dondoc.say(HUNG, "1")
    assert URL.search(answer["text"]), answer["text"]
    assert await dondoc.evidence() == []  # nothing is stored until the file comes through the page


async def test_a_sticker_is_answered_politely_and_records_nothing(dondoc: Running) -> None:
    before = len(dondoc.fake.messages_to(LAN))
    dondoc.fake.send_sticker(LAN)
    [reply] = await dondoc.replies(LAN, before, 1)
    assert "chữ và ảnh" in reply["text"]


async def test_the_report_reaches_the_chief_as_download_links(dondoc: Running) -> None:
    replies = await dondoc.say(CHIEF, "/baocao 2023-Q2")
    links = [link for reply in replies for link in URL.findall(reply.get("text", ""))]
    assert len(links) >= 2 and all(link.startswith(f"{dondoc.base_url}/d/") for link in links)
    async with httpx.AsyncClient() as browser:
        for link in links:
            got = await browser.get(link)
            assert got.status_code == 200 and got.content[:2] == b"PK"  # .docx, .xlsx and .zip are zip files
            assert "attachment" in got.headers["content-disposition"]


async def test_the_weekly_digest_chart_is_published_for_zalo_to_fetch(database_url: str, tmp_path: Path) -> None:
    """The digest goes out through the scheduler's sender: its chart is served by our web server, at a link
    Zalo's servers fetch (the fake really fetches it)."""
    async with AsyncExitStack() as stack:
        fake = await stack.enter_async_context(FakeZalo())
        port = _free_port()
        settings = make_settings(database_url, tmp_path, zalo_token=fake.token, zalo_api_base_url=fake.base_url,
                                 public_base_url=f"http://127.0.0.1:{port}", web_port=port)
        deps = await stack.enter_async_context(open_deps(settings))
        office = await seed_office(deps, now=datetime.now(UTC), channel="zalo")
        await stack.enter_async_context(running_web_server(deps))
        assert deps.links is not None
        zalo = await stack.enter_async_context(running_zalo(deps, conversation(deps),
                                                            publish_photo=deps.links.photo_url))
        plan_id = office.tasks["vp_june"].plan_id
        async with deps.sessions() as session:
            digest = await build_digest(session, Translator("vi"), plan_id=plan_id, today=date(2023, 7, 3),
                                        since=datetime(2023, 6, 26, tzinfo=UTC), zone=settings.zone,
                                        rule=LateRule.APPROVED, silent_after=10)
        assert digest is not None and digest.photo is not None
        fake.user(CHIEF)  # a Zalo user who has talked to the bot (only those can be messaged)
        await ZaloSender(zalo.delivery).send(str(CHIEF), digest)
        [photo, text] = fake.messages_to(CHIEF)
        assert photo["photo"].startswith(f"http://127.0.0.1:{port}/p/")
        assert photo["photo_bytes"] == digest.photo.content  # fetched from our web server
        assert photo["caption"] == plain_text(digest.photo.caption)
        assert text["text"].startswith("Từ 26/06/2023 đến nay\n")
        assert "Trả lời bằng số:\n1 · 📊 Tổng hợp đầy đủ\n2 · ⏰ Quá hạn (1)" in text["text"]  # buttons, as numbers
