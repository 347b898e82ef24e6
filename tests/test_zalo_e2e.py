"""End to end on Zalo: the real adapter (polling and webhook) against the fake Zalo Bot API over HTTP.

The shared scenario table (tests/channel_scenarios.py) runs here against Telegram and Zalo alike; the rest
is what only Zalo has: numbered choices instead of buttons, the 2,000-character limit, stickers, the webhook
secret and redeliveries.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.deps import Deps
from storage.models import Conversation, Evidence, StatusReport
from tests.channel_scenarios import HOW_TO_JOIN, LAN, SCENARIOS, Scenario, png, reports, rows, seen
from tests.factories import STRANGER_ID, Office
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram_harness import Harness, running_bot
from tests.zalo_harness import Mode, ZaloHarness, running_zalo_bot

CHOICE = re.compile(r"^(\d+) · (.*)$", re.M)


# ------------------------------------------------------------------------------------------------ drivers


class TelegramDriver:
    channel = "telegram"

    def __init__(self, harness: Harness) -> None:
        self.h, self.deps, self.office = harness, harness.deps, harness.office

    async def say(self, user: int, text: str) -> list[str]:
        return [m.get("text", m.get("caption", "")) for m in await self.h.say(user, text)]

    async def press(self, user: int, label: str) -> list[str]:
        for message in reversed(self.h.fake.messages_to(user)):
            for row in FakeTelegram.buttons(message):
                for button in row:
                    if label in button["text"]:
                        answer, new = await self.h.press(user, message["message_id"], button["callback_data"])
                        if not new:  # the pressed message was edited in place
                            new = [self.h.fake.message(user, message["message_id"])]
                        return [answer.get("text") or "", *(m.get("text", "") for m in new)]
        raise AssertionError(f"no button {label!r} shown to {user}")

    async def photo(self, user: int, content: bytes, caption: str | None = None) -> list[str]:
        return [m.get("text", "") for m in await self.h.photo(user, content, caption=caption)]


class ZaloDriver:
    channel = "zalo"

    def __init__(self, harness: ZaloHarness) -> None:
        self.h, self.deps, self.office = harness, harness.deps, harness.office

    async def say(self, user: int, text: str) -> list[str]:
        return [m.get("text", m.get("caption", "")) for m in await self.h.say(user, text)]

    async def press(self, user: int, label: str) -> list[str]:
        """Answers with the number the last choices gave the label, as a Zalo user does."""
        for message in reversed(self.h.fake.messages_to(user)):
            choices = CHOICE.findall(message.get("text", ""))
            if choices:
                number = next((n for n, shown in choices if label in shown), None)
                assert number is not None, f"no choice {label!r} in {choices}"
                return await self.say(user, f" {number} ")
        raise AssertionError(f"no choices shown to {user}")

    async def photo(self, user: int, content: bytes, caption: str | None = None) -> list[str]:
        return [m.get("text", "") for m in await self.h.image(user, content, caption=caption)]


# --------------------------------------------------------------------------------------- the shared table


@pytest.mark.parametrize("channel", ["telegram", "zalo-polling", "zalo-webhook"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_shared_scenarios(scenario: Scenario, channel: str, sqlite_url: str, tmp_path: Path) -> None:
    if channel == "telegram":
        async with running_bot(sqlite_url, tmp_path) as telegram:
            await scenario.run(TelegramDriver(telegram))
        return
    mode: Mode = "polling" if channel == "zalo-polling" else "webhook"
    async with running_zalo_bot(sqlite_url, tmp_path, mode=mode) as zalo:
        await scenario.run(ZaloDriver(zalo))


# ------------------------------------------------------------------------------------------ Zalo only


@pytest.fixture
async def zalo(database_url: str, tmp_path: Path) -> AsyncIterator[ZaloHarness]:
    async with running_zalo_bot(database_url, tmp_path, mode="polling") as harness:
        yield harness


@pytest.fixture(params=[True, False], ids=["wrapped", "flat"])
async def hooked(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> AsyncIterator[ZaloHarness]:
    async with running_zalo_bot(database_url, tmp_path, mode="webhook", webhook_wrapped=request.param) as harness:
        yield harness


def task(office: Office, key: str) -> int:
    found = office.tasks[key].id
    assert found is not None
    return found


async def stored_choices(deps: Deps, chat: int) -> str | None:
    async with deps.sessions() as session:
        row = (await session.exec(select(Conversation).where(
            Conversation.channel == "zalo", Conversation.chat_id == str(chat)))).one_or_none()
    return row.choices if row else None


async def test_a_bare_number_after_a_task_message_records_done_for_that_task(zalo: ZaloHarness) -> None:
    year = task(zalo.office, "vp_year")
    detail = await zalo.reply(LAN, f"/nv {year}")
    assert detail["text"].startswith(f"#{year} · II.5")
    assert "Reply with a number:" in detail["text"] or "Trả lời bằng số" in detail["text"]
    assert "\n1 · ✅ Hoàn thành\n2 · ⏳ Đang thực hiện\n3 · ⚠️ Vướng mắc\n4 · 📎 Gửi minh chứng" in detail["text"]
    assert "\x02" not in detail["text"] and "\x03" not in detail["text"]  # bold marks dropped
    confirmed = await zalo.say(LAN, "1")
    assert any("Đã ghi nhận: Đã hoàn thành." in m["text"] and f"#{year} · " in m["text"] for m in confirmed)
    [report] = await reports(zalo.deps, year)
    assert (report.status, report.channel, report.original_text) == ("done", "zalo", None)
    # The confirmation shows one choice (evidence): "9" is out of range and reads as text, recording nothing.
    out_of_range = await zalo.reply(LAN, "9")
    assert "Tin nhắn này chưa được ghi nhận là báo cáo tiến độ." in out_of_range["text"]
    assert len(await reports(zalo.deps, year)) == 1
    # A screen without choices clears them: "1" is then plain text too.
    assert await stored_choices(zalo.deps, LAN) is None
    await zalo.reply(LAN, "1")
    assert len(await reports(zalo.deps, year)) == 1


async def test_choices_survive_a_restart(database_url: str, tmp_path: Path) -> None:
    """The numbers are remembered in the database, not in the process: "1" works after a restart."""
    async with running_zalo_bot(database_url, tmp_path) as zalo:
        june = task(zalo.office, "vp_june")
        await zalo.reply(LAN, "/viec")
        office = zalo.office
    async with running_zalo_bot(database_url, tmp_path, office=office) as restarted:
        restarted.fake.user(LAN, "Lan")
        detail = await restarted.reply(LAN, "1")
        assert detail["text"].startswith(f"#{june} · PL.1.1")


async def test_text_words_after_a_number_still_read_as_status(zalo: ZaloHarness) -> None:
    year = task(zalo.office, "vp_year")
    said = await zalo.reply(LAN, f"{year}: vướng: thiếu kinh phí")
    assert "Đã ghi nhận: Vướng mắc: thiếu kinh phí." in said["text"]
    [report] = await reports(zalo.deps, year)
    assert (report.status, report.note, report.original_text) == ("blocked", "thiếu kinh phí", f"{year}: vướng: thiếu kinh phí")


async def test_a_long_message_is_split_under_the_limit_at_line_ends(database_url: str, tmp_path: Path) -> None:
    async with running_zalo_bot(database_url, tmp_path) as zalo:
        year = task(zalo.office, "vp_year")
        from storage.db import transaction
        from storage.models import Task

        long_result = "\n".join(f"Kết quả dự kiến dòng {n}: " + "báo cáo đầy đủ " * 8 for n in range(60))
        async with transaction(zalo.deps.sessions) as session:
            row = await session.get(Task, year)
            assert row is not None
            row.expected_result = long_result
        chunks = await zalo.say(LAN, f"/nv {year}", expect=3)
        assert len(chunks) >= 3 and all(len(m["text"]) <= 2000 for m in chunks)
        assert [e for e in zalo.fake.errors if e[0] == "sendMessage"] == []
        shown = "\n".join(m["text"] for m in chunks)
        for n in range(60):  # every line arrives whole: cut only at line ends
            assert f"Kết quả dự kiến dòng {n}: " + ("báo cáo đầy đủ " * 8).strip() in shown
        assert "1 · ✅ Hoàn thành" in chunks[-1]["text"]  # the choices come last


async def test_a_sticker_gets_a_polite_reply_and_nothing_is_stored(zalo: ZaloHarness) -> None:
    [answer] = await zalo.sticker(LAN)
    assert answer["text"]
    assert await rows(zalo.deps, StatusReport) == [] and await rows(zalo.deps, Evidence) == []
    [stranger] = await zalo.sticker(STRANGER_ID)
    assert HOW_TO_JOIN in stranger["text"]


async def test_webhook_delivers_wrapped_and_flat_updates(hooked: ZaloHarness) -> None:
    year = task(hooked.office, "vp_year")
    said = await hooked.reply(LAN, f"#{year} đang làm 50%")
    assert "Đã ghi nhận: Đang thực hiện 50%." in said["text"]
    assert [(r.status, r.percent, r.channel) for r in await reports(hooked.deps, year)] == [("in_progress", 50, "zalo")]
    assert [d.status for d in hooked.fake.deliveries] == [200]


async def test_webhook_with_a_bad_or_missing_secret_is_refused_and_nothing_stored(hooked: ZaloHarness) -> None:
    year = task(hooked.office, "vp_year")
    update = {"event_name": "message.text.received", "message": {
        "from": {"id": str(LAN), "display_name": "Lan", "is_bot": False},
        "chat": {"id": str(LAN), "chat_type": "PRIVATE"}, "message_id": "forged0001", "date": 1700000000000,
        "text": f"#{year} xong"}}
    hooked.fake.user(LAN, "Lan")
    for secret in ("wrong-secret-123456", ""):
        assert await hooked.fake.post_to_webhook(update, secret=secret) == 403
    await hooked.fake.wait_for_idle()
    assert await reports(hooked.deps, year) == [] and hooked.fake.messages_to(LAN) == []


async def test_a_duplicate_webhook_delivery_is_recorded_once(hooked: ZaloHarness) -> None:
    year = task(hooked.office, "vp_year")
    hooked.fake.user(LAN, "Lan")
    said = await hooked.say(LAN, f"#{year} xong")
    assert "Đã ghi nhận: Đã hoàn thành." in said[0]["text"]
    update: dict[str, Any] = {"event_name": "message.text.received", "message": {
        "from": {"id": str(LAN), "display_name": "Lan", "is_bot": False},
        "chat": {"id": str(LAN), "chat_type": "PRIVATE"}, "message_id": "dup-0000000001", "date": 1700000000000,
        "text": f"#{year} đang làm 20%"}}
    assert await hooked.fake.post_to_webhook(update) == 200
    assert await hooked.fake.post_to_webhook(update) == 200  # Zalo's redelivery: answered, not recorded again
    await hooked.fake.wait_for_idle()
    assert [(r.status, r.percent) for r in await reports(hooked.deps, year)] == [("done", 100), ("in_progress", 20)]


async def test_a_photo_without_a_task_asks_which_then_links_it(zalo: ZaloHarness) -> None:
    picture = png(6, 5)
    [question] = await zalo.image(LAN, picture)
    assert "Tệp này là minh chứng cho nhiệm vụ nào?" in question["text"]
    year = task(zalo.office, "vp_year")
    number = next(n for n, label in CHOICE.findall(question["text"]) if label.startswith(f"#{year} "))
    [linked] = await zalo.say(LAN, number)
    assert f"Đã lưu minh chứng cho #{year}: photo-" in linked["text"]
    [row] = await rows(zalo.deps, Evidence, Evidence.task_id == year)
    assert row.channel == "zalo" and row.size == len(picture)


async def test_a_photo_caption_names_the_task(zalo: ZaloHarness) -> None:
    june = task(zalo.office, "vp_june")
    saved = await zalo.image(LAN, png(), caption=f"#{june}")
    assert seen([m["text"] for m in saved], f"Đã lưu minh chứng cho #{june}: photo-")
