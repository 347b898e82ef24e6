"""One person, two channels, end to end: the real Telegram Application and the real Zalo adapter, each against its
fake Bot API server, on one database. An officer registered on Telegram links Zalo with a /lienket code, replies on
both, sees in /nv which channel each reply came from, and gets reminders on the channel /kenh chose.

The officer switches to English first (/lang en): the new messages are asserted in English, which the catalogs'
fallback gives whatever the state of the Vietnamese translations.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot.adapters.telegram_sender import TelegramSender
from bot.adapters.zalo_runtime import running_zalo
from bot.adapters.zalo_sender import ZaloSender
from bot.app import conversation, open_deps, remember_sent, running_telegram
from bot.deps import Deps
from bot.services.linking import LINK_CODE_TTL, reminder_channel
from scheduler.clock import SimulatedClock
from scheduler.limiter import SendLimiter
from scheduler.sending import Sender
from scheduler.service import ReminderService
from storage.db import transaction
from storage.models import AuditEntry, ChannelAccount, Invite, Member, StatusReport
from tests.conftest import at, make_settings
from tests.factories import USER_IDS, Office, seed_office
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.telegram_harness import Harness
from tests.zalo_harness import ZaloHarness

pytestmark = pytest.mark.timeout(120)

LAN, MINH = USER_IDS["lan"], USER_IDS["minh"]  # Telegram ids of two officers (VP, TCPC)
LAN_ZALO, MINH_ZALO, STRANGER_ZALO = "8800000000000001001", "8800000000000001002", "8800000000000009999"
BOT_USERNAME = "dondoc_test_bot"
CODE = re.compile(r"Your link code: ([A-Z2-9]{8})")
CHOICE = re.compile(r"^(\d+) · (.*)$", re.MULTILINE)


@dataclass
class TwoChannels:
    telegram: Harness
    zalo: ZaloHarness
    deps: Deps
    office: Office
    clock: SimulatedClock
    service: ReminderService

    def task(self, key: str) -> int:
        return self.telegram.task(key)

    def member(self, person: str) -> int:
        return self.telegram.member(person)

    async def run_reminders_at(self, moment: str) -> None:
        """One reminder tick at an office-local time, sending through both channels."""
        self.clock.set(at(moment))
        await self.service.tick()

    async def link_code(self, text: str) -> str:
        found = CODE.search(text)
        assert found is not None, text
        return found.group(1)


@asynccontextmanager
async def two_channels(database_url: str, tmp_path: Path) -> AsyncIterator[TwoChannels]:
    """Both channels as `dondoc run` starts them, in one process on one database seeded with the office (members
    linked on Telegram), and a reminder service with both senders on a simulated clock."""
    async with AsyncExitStack() as stack:
        telegram = await stack.enter_async_context(FakeTelegram())
        zalo = await stack.enter_async_context(FakeZalo())
        settings = make_settings(
            database_url, tmp_path,
            telegram_token=telegram.token, telegram_api_base_url=telegram.base_url,
            telegram_file_base_url=telegram.base_file_url, telegram_poll_timeout=1, telegram_bot_username=BOT_USERNAME,
            zalo_token=zalo.token, zalo_api_base_url=zalo.base_url, zalo_poll_timeout=1,
        )
        clock = SimulatedClock(at("2023-06-20 07:00"))
        deps = await stack.enter_async_context(open_deps(settings, clock=clock))
        office = await seed_office(deps, now=datetime.now(UTC), channel="telegram")
        await stack.enter_async_context(running_telegram(deps))
        runtime = await stack.enter_async_context(
            running_zalo(deps, conversation(deps), remember=partial(remember_sent, deps, "zalo"))
        )
        bot = await stack.enter_async_context(telegram.make_bot())
        senders: dict[str, Sender] = {"telegram": TelegramSender(bot), "zalo": ZaloSender(runtime.delivery)}
        service = ReminderService(deps.sessions, settings, clock, senders,
                                  limiter=SendLimiter(1000.0, per_chat_interval=0.0, group_interval=0.0))
        yield TwoChannels(
            telegram=Harness(fake=telegram, deps=deps, office=office),
            zalo=ZaloHarness(fake=zalo, deps=deps, office=office, runtime=runtime),
            deps=deps, office=office, clock=clock, service=service,
        )


async def accounts(deps: Deps, member_id: int) -> list[tuple[str, str, str]]:
    async with deps.sessions() as session:
        rows = await session.exec(
            select(ChannelAccount).where(ChannelAccount.member_id == member_id).order_by(col(ChannelAccount.id))
        )
        return [(a.channel, a.external_id, a.chat_id) for a in rows.all()]


async def all_accounts(deps: Deps) -> list[tuple[int, str, str]]:
    async with deps.sessions() as session:
        rows = await session.exec(select(ChannelAccount).order_by(col(ChannelAccount.id)))
        return [(a.member_id, a.channel, a.external_id) for a in rows.all()]


async def member_row(deps: Deps, member_id: int) -> Member:
    async with deps.sessions() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        return member


async def invite_row(deps: Deps, code: str) -> Invite:
    async with deps.sessions() as session:
        invite = (await session.exec(select(Invite).where(Invite.code == code))).first()
        assert invite is not None
        return invite


def bot_texts(messages: list[dict]) -> list[str]:
    return [m["text"] for m in messages if "text" in m]


async def in_english(both: TwoChannels, *users: int) -> None:
    for user in users:
        assert (await both.telegram.reply(user, "/lang en"))["text"] == "Language set to English."


# ---------------------------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(("preferred", "linked", "usable", "expected"), [
    (None, ["telegram"], None, "telegram"),
    (None, ["telegram", "zalo"], None, "telegram"),  # unset: the first linked
    ("zalo", ["telegram", "zalo"], None, "zalo"),
    ("zalo", ["telegram", "zalo"], {"telegram"}, "telegram"),  # no Zalo sender in this process: fall back
    ("zalo", ["telegram"], None, "telegram"),  # preferred but no longer linked
    ("telegram", ["zalo", "telegram"], {"telegram", "zalo"}, "telegram"),
    (None, ["console", "zalo"], {"telegram", "zalo"}, "zalo"),
    ("zalo", [], None, None),
    ("zalo", ["zalo"], set(), None),
])
def test_the_channel_reminders_go_to(preferred: str | None, linked: list[str], usable: set[str] | None,
                                     expected: str | None) -> None:
    assert reminder_channel(preferred, linked, usable) == expected


# ------------------------------------------------------------------------------------------ end to end


async def test_an_officer_links_zalo_replies_on_both_and_reminders_follow_the_choice(
    database_url: str, tmp_path: Path,
) -> None:
    async with two_channels(database_url, tmp_path) as both:
        tg, zalo = both.telegram, both.zalo
        lan, year, june = both.member("lan"), both.task("vp_year"), both.task("vp_june")
        await in_english(both, LAN)

        # /lienket on Telegram: a code bound to Lan, 30 minutes, to be sent on Zalo.
        offer = (await tg.reply(LAN, "/lienket"))["text"]
        code = await both.link_code(offer)
        assert f"On Zalo, send to this bot: /start {code}" in offer
        assert "It works once, within 30 minutes." in offer and "t.me/" not in offer  # a Telegram link helps only on Zalo
        invite = await invite_row(both.deps, code)
        seeded = both.office.people["lan"]
        assert (invite.member_id, invite.role, invite.unit_id, invite.used_at) == (lan, seeded.role, seeded.unit_id, None)
        assert timedelta(minutes=29) < invite.expires_at - datetime.now(UTC) <= LINK_CODE_TTL

        # The code on Zalo links that Zalo account to the same member; reminders will go to Zalo.
        zalo.fake.user(LAN_ZALO, "Lan Nguyễn")
        linked = (await zalo.reply(LAN_ZALO, f"/start {code}"))["text"]
        assert linked == ("Linked: this Zalo account now belongs to Nguyễn Thị Lan.\n"
                          "Reminders will go to Zalo; change this with /kenh.")
        assert await accounts(both.deps, lan) == [("telegram", str(LAN), str(LAN)), ("zalo", LAN_ZALO, LAN_ZALO)]
        assert (await member_row(both.deps, lan)).preferred_channel == "zalo"
        assert (await invite_row(both.deps, code)).used_by_member_id == lan
        async with both.deps.sessions() as session:
            members_now = (await session.exec(select(Member))).all()
        assert len(members_now) == len(both.office.people)  # nobody new

        # Replies on both channels are the same member's, each recorded with its channel.
        assert "\nRecorded: Done.\n" in (await zalo.reply(LAN_ZALO, f"#{year} xong"))["text"]
        assert "\nRecorded: In progress.\n" in (await tg.reply(LAN, f"#{year} đang làm"))["text"]
        async with both.deps.sessions() as session:
            reports = (await session.exec(
                select(StatusReport).where(StatusReport.task_id == year).order_by(col(StatusReport.id))
            )).all()
        assert [(r.status, r.channel, r.member_id) for r in reports] == [
            ("done", "zalo", lan), ("in_progress", "telegram", lan),
        ]
        detail = (await tg.reply(LAN, f"/nv {year}"))["text"]
        history = detail.split("Latest reports", 1)[1].strip().splitlines()
        assert re.fullmatch(r"\d{1,2} \w+ \d{4} · Telegram: In progress “#\d+ đang làm”", history[0].strip()), history
        assert re.fullmatch(r"\d{1,2} \w+ \d{4} · Zalo: Done “#\d+ xong”", history[1].strip()), history

        # /lienket on Zalo offers Telegram, with the t.me link.
        offer = (await zalo.reply(LAN_ZALO, "/lienket"))["text"]
        other = await both.link_code(offer)
        assert f"On Telegram, send to this bot: /start {other}" in offer
        assert f"https://t.me/{BOT_USERNAME}?start={other}" in offer

        # Reminders: to Zalo now (3 working days before 30/6), to Telegram after /kenh telegram (the day before).
        before_tg, before_zalo = len(tg.fake.messages_to(LAN)), len(zalo.fake.messages_to(LAN_ZALO))
        await both.run_reminders_at("2023-06-27 08:00")
        to_zalo = bot_texts(zalo.fake.messages_to(LAN_ZALO)[before_zalo:])
        assert len(to_zalo) == 1 and to_zalo[0].startswith("Reminder, ") and f"#{june} ·" in to_zalo[0], to_zalo
        assert tg.fake.messages_to(LAN)[before_tg:] == []
        assert (await tg.reply(LAN, "/kenh telegram"))["text"] == "Done: reminders will go to Telegram."
        before_tg, before_zalo = len(tg.fake.messages_to(LAN)), len(zalo.fake.messages_to(LAN_ZALO))
        await both.run_reminders_at("2023-06-29 08:00")
        to_telegram = bot_texts(tg.fake.messages_to(LAN)[before_tg:])
        assert len(to_telegram) == 1 and f"#{june} ·" in to_telegram[0], to_telegram
        assert zalo.fake.messages_to(LAN_ZALO)[before_zalo:] == []
        async with both.deps.sessions() as session:
            changes = (await session.exec(
                select(AuditEntry).where(AuditEntry.action == "member.preferred_channel")
            )).all()
        assert [c.member_id for c in changes] == [lan]


async def test_kenh_shows_the_channels_and_chooses_with_buttons_and_numbers(sqlite_url: str, tmp_path: Path) -> None:
    async with two_channels(sqlite_url, tmp_path) as both:
        tg, zalo = both.telegram, both.zalo
        lan = both.member("lan")
        await in_english(both, LAN)
        alone = (await tg.reply(LAN, "/kenh"))["text"]
        assert alone == ("Your linked channels: Telegram\nReminders go to: Telegram\n"
                         "To use Zalo too, send /lienket and follow the steps.")
        assert (await tg.reply(LAN, "/kenh zalo"))["text"] == (
            "Zalo is not linked to your account yet. Send /lienket to get a link code.")
        assert (await tg.reply(LAN, "/kenh fax"))["text"] == "Usage: /kenh zalo or /kenh telegram"
        code = await both.link_code((await tg.reply(LAN, "/lienket"))["text"])
        await zalo.reply(LAN_ZALO, f"/start {code}")

        # Zalo: the buttons are numbered choices; "1" picks Telegram.
        shown = (await zalo.reply(LAN_ZALO, "/kenh"))["text"]
        assert "Your linked channels: Telegram, Zalo\nReminders go to: Zalo" in shown
        assert CHOICE.findall(shown) == [("1", "Telegram"), ("2", "✓ Zalo")], shown
        assert (await zalo.reply(LAN_ZALO, "1"))["text"] == "Done: reminders will go to Telegram."
        assert (await member_row(both.deps, lan)).preferred_channel == "telegram"

        # Telegram: an inline button per channel.
        menu = await tg.reply(LAN, "/kenh")
        assert "Reminders go to: Telegram" in menu["text"]
        [row] = FakeTelegram.buttons(menu)
        assert [b["text"] for b in row] == ["✓ Telegram", "Zalo"]
        _, said = await tg.press(LAN, menu["message_id"], row[1]["callback_data"], expect=1)
        assert bot_texts(said) == ["Done: reminders will go to Zalo."]
        assert (await member_row(both.deps, lan)).preferred_channel == "zalo"
        # A forged index is refused without a change.
        answer, _ = await tg.press(LAN, menu["message_id"], "k:7")
        assert answer["text"] == "This button is no longer valid."
        assert (await member_row(both.deps, lan)).preferred_channel == "zalo"


async def test_used_expired_and_foreign_link_codes_are_refused(database_url: str, tmp_path: Path) -> None:
    async with two_channels(database_url, tmp_path) as both:
        tg, zalo = both.telegram, both.zalo
        lan, minh = both.member("lan"), both.member("minh")

        # Minh links his Zalo account; then Lan's code, sent from Minh's Zalo, is refused and changes nothing.
        await in_english(both, LAN, MINH)
        minh_code = await both.link_code((await tg.reply(MINH, "/lienket"))["text"])
        await zalo.reply(MINH_ZALO, f"/start {minh_code}")
        assert await accounts(both.deps, minh) == [("telegram", str(MINH), str(MINH)), ("zalo", MINH_ZALO, MINH_ZALO)]
        code = await both.link_code((await tg.reply(LAN, "/lienket"))["text"])
        before = await all_accounts(both.deps)
        for refused in [(await zalo.reply(MINH_ZALO, f"/start {code}"))["text"],
                        (await tg.reply(MINH, f"/start {code}"))["text"]]:  # his Telegram account: the same
            assert refused == ("This account is already registered to another member, so the code cannot link it. "
                               "Nothing was changed; please contact the office.")
        assert await all_accounts(both.deps) == before
        assert (await invite_row(both.deps, code)).used_at is None
        assert (await member_row(both.deps, minh)).preferred_channel == "zalo"
        assert (await member_row(both.deps, lan)).preferred_channel is None

        # Lan's own Telegram account using her code: already registered (the code stays usable).
        assert "already registered" in (await tg.reply(LAN, f"/start {code}"))["text"]
        assert (await invite_row(both.deps, code)).used_at is None

        # Used once, then refused.
        await zalo.reply(LAN_ZALO, f"/start {code}")
        assert (await accounts(both.deps, lan))[-1] == ("zalo", LAN_ZALO, LAN_ZALO)
        reused = (await zalo.reply(STRANGER_ZALO, f"/start {code}"))["text"]
        assert reused == "Mã mời đã được sử dụng. Vui lòng đề nghị Văn phòng cấp mã mới."  # a stranger: Vietnamese

        # Expired: a fresh code whose 30 minutes have passed.
        late = await both.link_code((await tg.reply(LAN, "/lienket"))["text"])
        async with transaction(both.deps.sessions) as session:
            await session.exec(update(Invite).where(col(Invite.code) == late)  # type: ignore[call-overload]
                               .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
        expired = (await zalo.reply(STRANGER_ZALO, f"/start {late}"))["text"]
        assert expired == "Mã mời đã hết hạn. Vui lòng đề nghị Văn phòng cấp mã mới."
        after = await all_accounts(both.deps)
        assert [row for row in after if row[2] == STRANGER_ZALO] == []
        assert (await invite_row(both.deps, late)).used_at is None
