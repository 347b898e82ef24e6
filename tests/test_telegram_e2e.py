"""End to end: the real python-telegram-bot Application (bot.app.running_telegram) polling the fake Bot API.

Every test starts the Application the composition root builds, pointed over HTTP at
tests/fakes/telegram_api.FakeTelegram, seeds the office through the admin use cases, then plays a user on
Telegram: texts, button presses, files. It asserts what the user SEES (the fake keeps every message as
Telegram would show it, after HTML parsing and edits, and rejects what Telegram would reject) and what is
STORED (read back through the storage functions).

The fake stamps messages with the real time, so "today" is the real office date: the seeded 2023 tasks
are overdue, and day counts are computed from today's date.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.numbers import format_decimal
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from bot import admin
from bot.deps import Deps
from bot.i18n import Translator
from bot.understanding.dates import resolve_day_month
from storage import evidence as evidence_rows
from storage import members, statuses
from storage.db import transaction
from storage.models import (
    AuditEntry,
    ChannelAccount,
    Conversation,
    Evidence,
    ExtensionRequest,
    Member,
    Role,
    SentMessage,
    StatusReport,
    Task,
)
from tests.factories import PLAN, STRANGER_ID, USER_IDS
from tests.fakes.telegram_api import FakeTelegram, utf16_len
from tests.telegram_harness import Harness, running_bot, until

LAN, MINH, CHIEF, LEADER, HUNG = (USER_IDS[key] for key in ("lan", "minh", "chief", "leader", "hung"))
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
WAIT = 10.0  # generous upper bound for one round trip; the waits return as soon as the condition holds

# What the user is told (the Vietnamese catalog, as the user reads it).
HOW_TO_JOIN = "Để tham gia, đề nghị Văn phòng Sở cấp mã mời"
NOT_YOUR_TASK = "Xin lỗi, anh/chị không có quyền với nhiệm vụ này."
BUTTON_INVALID = "Nút này không còn hiệu lực."
RECORDED = "Đã ghi nhận."


# ----------------------------------------------------------------------------------------------- harness


@pytest.fixture
async def bot(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_bot(sqlite_url, tmp_path) as harness:
        yield harness


# ----------------------------------------------------------------------------------------------- helpers


def texts(messages: Iterable[dict]) -> list[str]:
    return [m.get("text", m.get("caption", "")) for m in messages]


def callback_data(message: dict) -> list[list[str]]:
    return [[button["callback_data"] for button in row] for row in FakeTelegram.buttons(message)]


def labels(message: dict) -> list[list[str]]:
    return [[button["text"] for button in row] for row in FakeTelegram.buttons(message)]


def button(message: dict, label: str) -> str:
    """The callback data of the button whose label contains `label`."""
    for row in FakeTelegram.buttons(message):
        for item in row:
            if label in item["text"]:
                return item["callback_data"]
    raise AssertionError(f"no button {label!r} in {labels(message)}")


def office_today() -> date:
    return datetime.now(ZONE).date()


def overdue_phrases(due: date, *, locale: str = "vi") -> set[str]:
    """How the bot says `due` is overdue; today's or yesterday's count (the reply may straddle midnight)."""
    today = office_today()
    phrases = set()
    for day in (today, today - timedelta(days=1)):
        n = (day - due).days
        number = format_decimal(n, locale=locale)
        phrases.add(f"quá hạn {number} ngày" if locale == "vi" else f"{number} day{'s' if n != 1 else ''} overdue")
    return phrases


def has_any(text: str, phrases: set[str]) -> bool:
    return any(phrase in text for phrase in phrases)


def png(width: int = 4, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x10\x80\xf0" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf(label: str, size: int = 5000) -> bytes:
    body = (f"%PDF-1.4\n% {label}\n").encode()
    filler = hashlib.sha256(label.encode()).hexdigest().encode()
    return (body + filler * (size // len(filler) + 1))[:size]


async def count_rows(deps: Deps, *, ignore: tuple[type[SQLModel], ...] = ()) -> dict[str, int]:
    """How many rows each table a conversation can write holds (but `ignore`)."""
    tables: tuple[type[SQLModel], ...] = (
        StatusReport, Evidence, ExtensionRequest, Member, ChannelAccount, SentMessage, Conversation, AuditEntry,
    )
    async with deps.sessions() as session:
        return {
            table.__name__: (await session.exec(select(func.count()).select_from(table))).one()  # type: ignore[call-overload]
            for table in tables
            if table not in ignore
        }


async def pending_of(deps: Deps, chat: int) -> str | None:
    async with deps.sessions() as session:
        row = (await session.exec(select(Conversation).where(Conversation.chat_id == str(chat)))).first()
        return row.pending if row else None


async def history(deps: Deps, task_id: int) -> list[StatusReport]:
    """Oldest first."""
    async with deps.sessions() as session:
        return list(reversed(await statuses.status_history(session, task_id=task_id, limit=100)))


async def evidence_of(deps: Deps, task_id: int) -> list[Evidence]:
    async with deps.sessions() as session:
        return await evidence_rows.evidence_for_task(session, task_id=task_id)


async def audit(deps: Deps, action: str) -> list[AuditEntry]:
    async with deps.sessions() as session:
        rows = await session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id)))
        return list(rows.all())


def files_on_disk(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def methods(fake: FakeTelegram, name: str) -> list[dict]:
    return [params for method, params in fake.requests if method == name]


# ----------------------------------------------------------------------------------------------- 1. invites


async def test_invite_codes_register_with_the_role_and_unit_and_refuse_bad_codes(bot: Harness) -> None:
    fake, deps, invites = bot.fake, bot.deps, bot.office.invites
    hoa, tuan, khanh = 5001, 5002, 5003
    fake.user(hoa, first_name="Hoa", last_name="Lê Thị")
    fake.user(tuan, first_name="Tuấn", last_name="Ngô")
    fake.user(khanh, first_name="Khánh")
    async with transaction(deps.sessions) as session:
        spare = (await admin.add_invite(session, role=Role.OFFICER, unit="VP", days=7, now=datetime.now(UTC))).code

    # A valid code: registered with the invite's role and unit, the Telegram account linked, welcomed.
    welcome = await bot.reply(hoa, f"/start {invites['valid']}")
    assert "Chào mừng Hoa Lê Thị! Anh/chị đã đăng ký thành công." in welcome["text"]
    assert "/viec" in welcome["text"]
    async with deps.sessions() as session:
        member = await members.find_member_by_account(session, channel="telegram", external_id=str(hoa))
        assert member is not None
        assert (member.full_name, member.role, member.unit_id) == ("Hoa Lê Thị", Role.OFFICER, bot.unit("minh"))
        account = (await members.accounts_of(session, member_id=member.id or 0))[0]
        assert (account.channel, account.external_id, account.chat_id) == ("telegram", str(hoa), str(hoa))
        invite = await members.get_invite(session, code=invites["valid"])
        assert invite is not None and invite.used_at is not None and invite.used_by_member_id == member.id
    assert [entry.member_id for entry in await audit(deps, "member.joined")] == [member.id]

    # She now sees her unit's (TCPC) tasks: the one TCPC leads and the one it coordinates.
    tasks = (await bot.reply(hoa, "/viec"))["text"]
    assert "Nhiệm vụ chưa hoàn thành (2)" in tasks
    assert f"#{bot.task('tcpc_oct')} · " in tasks and f"#{bot.task('vp_june')} · " in tasks
    assert "Chủ trì" in tasks and "Phối hợp" in tasks

    # The deep link t.me/<bot>?start=CODE arrives as the same "/start CODE" text.
    welcome = await bot.reply(tuan, f"/start {invites['head']}")
    assert "Chào mừng Tuấn Ngô!" in welcome["text"]
    async with deps.sessions() as session:
        head = await members.find_member_by_account(session, channel="telegram", external_id=str(tuan))
        assert head is not None and (head.role, head.unit_id) == (Role.UNIT_HEAD, bot.unit("hung"))

    before = await count_rows(deps)
    wrong = await bot.reply(khanh, "/start ZZZZ2345")
    assert "Mã mời không đúng." in wrong["text"]
    expired = await bot.reply(khanh, f"/start {invites['expired']}")
    assert "Mã mời đã hết hạn." in expired["text"]
    reused = await bot.reply(khanh, f"/start {invites['valid']}")
    assert "Mã mời đã được sử dụng." in reused["text"]
    # An already registered member trying a fresh code is told so, and the code stays unused.
    already = await bot.reply(LAN, f"/start {spare}")
    assert "Anh/chị đã đăng ký rồi. Gửi /viec để xem nhiệm vụ." in already["text"]
    assert await count_rows(deps) == before
    async with deps.sessions() as session:
        assert await members.find_member_by_account(session, channel="telegram", external_id=str(khanh)) is None
        unused = await members.get_invite(session, code=spare)
        assert unused is not None and unused.used_at is None
    # Khánh is still a stranger.
    assert HOW_TO_JOIN in (await bot.reply(khanh, "/viec"))["text"]


# ----------------------------------------------------------------------------------------------- 2. strangers


async def test_a_stranger_only_ever_gets_the_how_to_join_text(bot: Harness) -> None:
    fake, deps = bot.fake, bot.deps
    before = await count_rows(deps)
    seen: list[dict] = []
    for text in ("/viec", "xong", f"/nv {bot.task('vp_june')}", f"#{bot.task('vp_year')} đang làm 50%", "/tonghop"):
        seen.append(await bot.reply(STRANGER_ID, text))
    seen += await bot.document(STRANGER_ID, pdf("stranger"), file_name="bao-cao.pdf", mime_type="application/pdf",
                               caption=f"#{bot.task('vp_june')}")
    answer, pressed = await bot.press(STRANGER_ID, seen[0]["message_id"], f"s:{bot.task('vp_june')}:d", expect=1)
    seen += pressed

    assert len(seen) == 7
    for message in seen:
        assert HOW_TO_JOIN in message["text"]
        assert not FakeTelegram.buttons(message)
        for task in bot.office.tasks.values():
            assert task.title not in message["text"] and task.code not in message["text"]
    assert answer["text"] is None  # the press is answered (no spinner left), the explanation is the message
    assert methods(fake, "getFile") == []  # the file was never even downloaded
    assert await count_rows(deps) == before
    assert files_on_disk(deps.settings.evidence_dir) == []


# ----------------------------------------------------------------------------------------------- 3. lists


async def test_task_list_is_most_urgent_first_with_dates_roles_and_buttons(bot: Harness) -> None:
    june, year = bot.task("vp_june"), bot.task("vp_year")
    message = await bot.reply(LAN, "/viec")
    text = message["text"]
    assert text.startswith("Nhiệm vụ chưa hoàn thành (2)")
    assert text.index(f"#{june} · ") < text.index(f"#{year} · ")
    assert "Hạn 30/06/2023 · " in text and "Hạn 31/12/2023 · " in text
    assert has_any(text, overdue_phrases(date(2023, 6, 30))) and has_any(text, overdue_phrases(date(2023, 12, 31)))
    assert text.count("Chủ trì") == 2 and text.count("Chưa báo cáo") == 2
    assert "trang" not in text  # one page
    assert callback_data(message) == [[f"t:{june}"], [f"t:{year}"]]
    assert all(len(data.encode()) <= 64 for row in callback_data(message) for data in row)
    assert labels(message)[0][0].startswith(f"#{june} Thực hiện")
    # Headings are bold.
    assert any(entity["type"] == "bold" for entity in message.get("entities", []))

    overdue = await bot.reply(LAN, "/quahan")
    assert overdue["text"].startswith("Nhiệm vụ quá hạn (2)")
    # The continuous task of TTra has no date and is never overdue.
    hung = await bot.reply(HUNG, "/viec")
    assert "Thường xuyên" in hung["text"] and "quá hạn" not in hung["text"]
    assert "Không có nhiệm vụ quá hạn." in (await bot.reply(HUNG, "/quahan"))["text"]


async def test_paging_edits_the_same_message(sqlite_url: str, tmp_path: Path) -> None:
    async with running_bot(sqlite_url, tmp_path, page_size=1) as bot:
        june, year = bot.task("vp_june"), bot.task("vp_year")
        first = await bot.reply(LAN, "/viec")
        assert "Nhiệm vụ chưa hoàn thành (2)  trang 1/2" in first["text"]
        assert f"#{june} · " in first["text"] and f"#{year} · " not in first["text"]
        assert labels(first)[-1] == ["Sau ▶"]
        next_page = button(first, "Sau")
        assert len(next_page.encode()) <= 64

        answer, new = await bot.press(LAN, first["message_id"], next_page)
        await until(lambda: len(methods(bot.fake, "editMessageText")) == 1, "the page to be edited")
        await bot.fake.wait_for_idle()
        assert new == [] and answer["text"] is None
        edit = methods(bot.fake, "editMessageText")[0]
        assert edit["message_id"] == first["message_id"] and edit["chat_id"] == LAN
        page_two = bot.fake.messages_to(LAN)[-1]
        assert page_two["message_id"] == first["message_id"]
        assert "trang 2/2" in page_two["text"] and f"#{year} · " in page_two["text"]
        assert f"#{june} · " not in page_two["text"]
        assert callback_data(page_two)[0] == [f"t:{year}"] and labels(page_two)[-1] == ["◀ Trước"]

        # A stale press of "next" on a message already showing that page changes nothing and upsets nobody.
        answer, new = await bot.press(LAN, first["message_id"], next_page)
        assert new == [] and "trang 2/2" in bot.fake.messages_to(LAN)[-1]["text"]

        await bot.press(LAN, first["message_id"], button(page_two, "Trước"))
        await until(lambda: "trang 1/2" in bot.fake.messages_to(LAN)[-1]["text"], "page 1 again")
        assert len(bot.fake.messages_to(LAN)) == 1


# ----------------------------------------------------------------------------------------------- 4. buttons


async def test_task_detail_buttons_record_done_and_ask_the_blocking_reason(database_url: str, tmp_path: Path) -> None:
    async with running_bot(database_url, tmp_path) as bot:
        deps = bot.deps
        june, year = bot.task("vp_june"), bot.task("vp_year")
        listing = await bot.reply(LAN, "/viec")

        _, shown = await bot.press(LAN, listing["message_id"], f"t:{june}", expect=1)
        detail = shown[0]
        text = detail["text"]
        assert text.startswith(f"#{june} · PL.1.1\n")
        assert "Kế hoạch: 435/KH-SVHTT" in text and "Lĩnh vực: Công khai, minh bạch" in text
        assert "Thời hạn: Hạn 30/06/2023 · " in text and "(Trong tháng 6/2023)" in text
        assert "• VP (Chủ trì): Chưa báo cáo" in text and "• TCPC (Phối hợp): Chưa báo cáo" in text
        assert labels(detail) == [
            ["✅ Hoàn thành", "⏳ Đang thực hiện"], ["⚠️ Vướng mắc", "📎 Gửi minh chứng"], ["Minh chứng (0)"],
        ]
        assert callback_data(detail) == [[f"s:{june}:d", f"s:{june}:i"], [f"s:{june}:b", f"e:{june}"], [f"l:{june}"]]

        answer, confirmed = await bot.press(LAN, detail["message_id"], button(detail, "Hoàn thành"), expect=1)
        assert answer["text"] == RECORDED
        assert len(confirmed) == 1
        assert f"#{june} · Thực hiện các quy định" in confirmed[0]["text"]
        assert "Đã ghi nhận: Đã hoàn thành." in confirmed[0]["text"]
        assert labels(confirmed[0]) == [["📎 Gửi minh chứng"]]
        [report] = await history(deps, june)
        assert (report.status, report.percent, report.channel) == ("done", 100, "telegram")
        assert (report.member_id, report.unit_id, report.original_text) == (bot.member("lan"), bot.unit("lan"), None)
        assert [entry.entity_id for entry in await audit(deps, "status.reported")] == [june]

        # Blocked asks for the reason first; the next text is the reason.
        _, shown = await bot.press(LAN, listing["message_id"], f"t:{year}", expect=1)
        answer, asked = await bot.press(LAN, shown[0]["message_id"], button(shown[0], "Vướng mắc"), expect=1)
        assert answer["text"] is None
        assert "Nhiệm vụ #%d đang vướng mắc gì? Trả lời ngắn gọn lý do." % year in asked[0]["text"]
        assert await history(deps, year) == []
        confirmed_reason = await bot.reply(LAN, "Chưa có kinh phí")
        assert "Đã ghi nhận: Vướng mắc: Chưa có kinh phí." in confirmed_reason["text"]
        [blocked] = await history(deps, year)
        assert (blocked.status, blocked.note, blocked.original_text) == ("blocked", "Chưa có kinh phí", "Chưa có kinh phí")
        assert (blocked.member_id, blocked.unit_id, blocked.channel) == (bot.member("lan"), bot.unit("lan"), "telegram")

        # The list now shows the done task gone and the blocked one with its reason.
        listing = await bot.reply(LAN, "/viec")
        assert "Nhiệm vụ chưa hoàn thành (1)" in listing["text"]
        assert f"#{june} · " not in listing["text"] and "Vướng mắc: Chưa có kinh phí" in listing["text"]


async def test_blocking_reason_that_mentions_waiting_is_still_recorded_as_blocked(bot: Harness) -> None:
    """After "⚠️ Vướng mắc" the bot asks what blocks the task; the answer is the reason, whatever words it uses."""
    year = bot.task("vp_year")
    detail = await bot.reply(LAN, f"/nv {year}")
    await bot.press(LAN, detail["message_id"], button(detail, "Vướng mắc"), expect=1)
    confirmed = await bot.reply(LAN, "đang chờ Sở Tài chính cấp kinh phí")
    [report] = await history(bot.deps, year)
    assert report.status == "blocked", (report.status, report.note, confirmed["text"])
    assert "Vướng mắc" in confirmed["text"]


# ----------------------------------------------------------------------------------------------- 5. text


async def test_statuses_by_text_references_replies_choices_and_extension(database_url: str, tmp_path: Path) -> None:
    async with running_bot(database_url, tmp_path) as bot:
        deps = bot.deps
        june, year = bot.task("vp_june"), bot.task("vp_year")

        # "xong" naming no task while Lan's unit has two open ones: the bot asks which, nothing stored yet.
        question = await bot.reply(LAN, "xong")
        assert "Báo cáo này cho nhiệm vụ nào?" in question["text"]
        assert callback_data(question) == [[f"c:{june}"], [f"c:{year}"]]
        assert await history(deps, june) == [] and await history(deps, year) == []
        answer, confirmed = await bot.press(LAN, question["message_id"], f"c:{june}", expect=1)
        assert "Đã ghi nhận: Đã hoàn thành." in confirmed[0]["text"] and f"#{june} · " in confirmed[0]["text"]
        about_june = confirmed[0]["message_id"]
        assert [(r.status, r.original_text) for r in await history(deps, june)] == [("done", "xong")]
        # Pressing the same choice again does not record it twice (the question is answered): it shows the task.
        _, again = await bot.press(LAN, question["message_id"], f"c:{june}", expect=1)
        assert again[0]["text"].startswith(f"#{june} · PL.1.1")
        assert len(await history(deps, june)) == 1

        said = await bot.reply(LAN, f"NV{year} đang làm 50%")
        assert "Đã ghi nhận: Đang thực hiện 50%." in said["text"] and f"#{year} · " in said["text"]
        about_year = said["message_id"]
        said = await bot.reply(LAN, f"{year}: vướng: thiếu kinh phí")
        assert "Đã ghi nhận: Vướng mắc: thiếu kinh phí." in said["text"]
        said = await bot.reply(LAN, f"#{year} da xong")
        assert "Đã ghi nhận: Đã hoàn thành." in said["text"]
        assert "Cảm ơn anh/chị!" in said["text"] and labels(said) == [["📎 Gửi minh chứng"]]

        # A reply to a bot message about a task is about that task (not the one last talked about).
        said = await bot.reply(LAN, "đang làm lại, được 80%", reply_to=about_june)
        assert f"#{june} · " in said["text"] and "Đang thực hiện 80%" in said["text"]

        # Courtesy is not a report.
        before = await count_rows(deps)
        thanks = await bot.reply(LAN, "cảm ơn")
        assert "Tin nhắn này chưa được ghi nhận là báo cáo tiến độ." in thanks["text"]
        after = await count_rows(deps)
        assert (after["StatusReport"], after["ExtensionRequest"]) == (before["StatusReport"], before["ExtensionRequest"])

        # An extension request, as a reply to a message about the task: recorded for the chief, due date unchanged.
        said = await bot.reply(LAN, "xin gia hạn đến 15/6", reply_to=about_year)
        wanted = resolve_day_month(15, 6, today=office_today())
        assert wanted is not None
        assert f"Đã gửi đề nghị gia hạn #{year} đến {wanted:%d/%m/%Y} tới Chánh Văn phòng." in said["text"]
        assert "thời hạn vẫn là 31/12/2023" in said["text"]
        async with deps.sessions() as session:
            [request] = await statuses.extension_requests(session, task_id=year)
            task = await session.get(Task, year)
        assert (request.state, request.requested_due, request.original_text) == ("pending", wanted, "xin gia hạn đến 15/6")
        assert (request.member_id, request.unit_id, request.channel) == (bot.member("lan"), bot.unit("lan"), "telegram")
        assert task is not None and task.due == date(2023, 12, 31)

        # Every report is kept, in order, with the words the officer used.
        assert [(r.status, r.percent, r.note, r.original_text) for r in await history(deps, year)] == [
            ("in_progress", 50, None, f"NV{year} đang làm 50%"),
            ("blocked", None, "thiếu kinh phí", f"{year}: vướng: thiếu kinh phí"),
            ("done", 100, None, f"#{year} da xong"),
        ]
        assert [(r.status, r.percent, r.original_text) for r in await history(deps, june)] == [
            ("done", 100, "xong"), ("in_progress", 80, "đang làm lại, được 80%"),
        ]
        assert all(r.channel == "telegram" and r.member_id == bot.member("lan") for r in await history(deps, year))
        async with deps.sessions() as session:
            latest = await statuses.latest_statuses(session, unit_id=bot.unit("lan"))
        assert latest[(year, bot.unit("lan"))].status == "done"
        assert latest[(june, bot.unit("lan"))].status == "in_progress"


# ----------------------------------------------------------------------------------------------- 6. access


async def test_access_control_refuses_politely_and_stores_nothing(bot: Harness) -> None:
    deps = bot.deps
    june, year = bot.task("vp_june"), bot.task("vp_year")
    # Only what a refused action would write counts (showing a task remembers which message was about it).
    before = await count_rows(deps, ignore=(SentMessage,))

    # Minh (TCPC) on a task of VP only.
    refused = await bot.reply(MINH, f"#{year} xong")
    assert NOT_YOUR_TASK in refused["text"]
    assert "Chế độ thông tin" not in refused["text"]
    assert NOT_YOUR_TASK in (await bot.reply(MINH, f"/nv {year}"))["text"]
    answer, new = await bot.press(MINH, refused["message_id"], f"s:{year}:d")
    assert answer["text"].startswith(NOT_YOUR_TASK) and new == []
    for forged in (f"c:{year}", f"t:{year}", f"e:{year}", f"l:{year}"):
        answer, new = await bot.press(MINH, refused["message_id"], forged)
        assert answer["text"].startswith(NOT_YOUR_TASK) and new == [], forged
    for garbage in ("zzz", f"s:{year}:x", f"t:{year}:{june}", "t:-1", "s:d", "p:a", "t:" + "9" * 11, "💥"):
        answer, new = await bot.press(MINH, refused["message_id"], garbage)
        assert answer["text"] == BUTTON_INVALID and new == [], garbage
    answer, _ = await bot.press(MINH, refused["message_id"], "t:999999")
    assert answer["text"] == "Không có nhiệm vụ #999999. Gửi /viec để xem danh sách nhiệm vụ."

    # Leadership sees every task but reports on none.
    detail = await bot.reply(LEADER, f"/nv {year}")
    assert detail["text"].startswith(f"#{year} · II.5") and FakeTelegram.buttons(detail) == []
    assert NOT_YOUR_TASK in (await bot.reply(LEADER, f"#{year} xong"))["text"]
    answer, new = await bot.press(LEADER, detail["message_id"], f"s:{year}:d")
    assert answer["text"].startswith(NOT_YOUR_TASK) and new == []
    answer, new = await bot.press(LEADER, detail["message_id"], f"s:{year}:b")
    assert answer["text"].startswith(NOT_YOUR_TASK) and new == []
    assert await count_rows(deps, ignore=(SentMessage,)) == before

    # Minh may report on the task TCPC coordinates; it is stored for TCPC.
    said = await bot.reply(MINH, f"#{june} đang làm 30%")
    assert "Đã ghi nhận: Đang thực hiện 30%." in said["text"]
    [report] = await history(deps, june)
    assert (report.unit_id, report.member_id) == (bot.unit("minh"), bot.member("minh"))


async def test_summary_for_the_chief_and_leadership_refused_to_officers(bot: Harness) -> None:
    for who in (CHIEF, LEADER):
        text = (await bot.reply(who, "/tonghop"))["text"]
        assert text.startswith(f"Tổng hợp kế hoạch {PLAN}\nCải thiện, nâng cao Chỉ số PAPI năm 2023\n")
        assert re.search(r"Đến ngày \d\d/\d\d/\d{4}: 4 nhiệm vụ", text)
        assert "• Đã hoàn thành đúng hạn: 0 (0%)" in text
        assert "• Đang thực hiện trong hạn: 0 (0%)" in text
        assert "• Đang thực hiện quá hạn: 3 (75%)" in text
        vi = Translator("vi")
        assert f"• {vi._('Not reported this period')}: 1 (25%)" in text
        row = ("{unit}: {n} task · on time {rate} · {overdue} overdue · last reply {last}",
               "{unit}: {n} tasks · on time {rate} · {overdue} overdue · last reply {last}")
        assert vi.ngettext(*row, 2, unit="VP", rate="0%", overdue="2", last="—") in text
        assert vi.ngettext(*row, 1, unit="TTra", rate="—", overdue="0", last="—") in text
        labels = [b["text"] for r in bot.fake.buttons(bot.fake.messages_to(who)[-1]) for b in r]
        assert labels[:2] == [vi._("⏰ Overdue ({n})", n="3"), vi._("⚠️ Blocked ({n})", n="0")]
    await bot.reply(LAN, f"#{bot.task('vp_year')} xong")
    text = (await bot.reply(CHIEF, "/tonghop"))["text"]
    assert "• Đã hoàn thành quá hạn: 1 (25%)" in text and "• Đang thực hiện quá hạn: 2 (50%)" in text
    for who in (LAN, HUNG):
        refused = await bot.reply(who, "/tonghop")
        assert refused["text"] == (
            "Xin lỗi, chức năng tổng hợp dành cho Chánh Văn phòng, lãnh đạo Sở và trưởng đơn vị."
        )


# ----------------------------------------------------------------------------------------------- 7. evidence


async def test_evidence_files_are_stored_once_by_content_and_linked(database_url: str, tmp_path: Path) -> None:
    async with running_bot(database_url, tmp_path) as bot:
        deps, root = bot.deps, bot.deps.settings.evidence_dir
        june, year = bot.task("vp_june"), bot.task("vp_year")
        report = pdf("báo cáo tháng 6", size=5000)
        digest = hashlib.sha256(report).hexdigest()

        [saved] = await bot.document(LAN, report, file_name="Báo cáo công khai.pdf", mime_type="application/pdf",
                                     caption=f"#{june}")
        assert f"Đã lưu minh chứng cho #{june}: Báo cáo công khai.pdf (5 KB)." in saved["text"]
        assert files_on_disk(root) == [root / digest[:2] / digest[2:4] / digest]
        assert (root / digest[:2] / digest[2:4] / digest).read_bytes() == report
        [row] = await evidence_of(deps, june)
        assert (row.file_name, row.mime_type, row.size, row.sha256) == ("Báo cáo công khai.pdf", "application/pdf", 5000, digest)
        assert (row.member_id, row.unit_id, row.channel) == (bot.member("lan"), bot.unit("lan"), "telegram")
        assert [entry.entity_id for entry in await audit(deps, "evidence.added")] == [june]

        # The same bytes again, as a reply to the bot's message about the task: a second row, one file.
        [again] = await bot.document(LAN, report, file_name="Báo cáo công khai (bản 2).pdf",
                                     mime_type="application/pdf", reply_to_message_id=saved["message_id"])
        assert f"Đã lưu minh chứng cho #{june}: Báo cáo công khai (bản 2).pdf" in again["text"]
        rows = await evidence_of(deps, june)
        assert [r.sha256 for r in rows] == [digest, digest]
        assert len(files_on_disk(root)) == 1

        # "Gửi minh chứng", then a photo without caption: linked to that task.
        detail = await bot.reply(LAN, f"/nv {year}")
        _, asked = await bot.press(LAN, detail["message_id"], button(detail, "Gửi minh chứng"), expect=1)
        assert f"Mời gửi tệp minh chứng cho #{year}" in asked[0]["text"] and "tối đa 20 MB" in asked[0]["text"]
        picture = png()
        [saved_photo] = await bot.photo(LAN, picture)
        assert f"Đã lưu minh chứng cho #{year}: photo-" in saved_photo["text"]
        [photo_row] = await evidence_of(deps, year)
        assert (photo_row.mime_type, photo_row.sha256, photo_row.size) == (
            "image/jpeg", hashlib.sha256(picture).hexdigest(), len(picture),
        )
        assert re.fullmatch(r"photo-\d{8}-\d{6}\.jpg", photo_row.file_name)
        assert len(files_on_disk(root)) == 2

        # A caption can carry a status too.
        [saved_doc, status_line] = await bot.document(
            LAN, pdf("kết quả"), file_name="ket-qua.docx",
            mime_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            caption=f"#{year} xong", expect=2,
        )
        assert "Đã lưu minh chứng" in saved_doc["text"] and "Đã ghi nhận: Đã hoàn thành." in status_line["text"]
        assert [r.status for r in await history(deps, year)] == ["done"]

        # The list of a task's files.
        listed = await bot.reply(LAN, f"/minhchung {june}")
        assert "Minh chứng (2)" in listed["text"]
        assert "• Báo cáo công khai.pdf · 5 KB · " in listed["text"]
        assert "• Báo cáo công khai (bản 2).pdf · 5 KB · " in listed["text"]
        assert f"{office_today():%d/%m/%Y}" in listed["text"] or f"{office_today() - timedelta(days=1):%d/%m/%Y}" in listed["text"]
        detail = await bot.reply(LAN, f"/nv {june}")
        assert labels(detail)[-1] == ["Minh chứng (2)"]


async def test_an_evidence_store_that_cannot_write_loses_no_update(database_url: str, tmp_path: Path) -> None:
    """The evidence directory cannot be created (its parent is a file: as real a failure as a full disk): the
    officer is told the file must be sent again, the words of the caption are recorded all the same, and no
    evidence row or partial file is left."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the evidence directory's parent should be")
    async with running_bot(database_url, tmp_path, evidence_dir=blocker / "evidence") as bot:
        june, year = bot.task("vp_june"), bot.task("vp_year")
        told = await bot.document(LAN, pdf("tiến độ"), file_name="tien-do.pdf", mime_type="application/pdf",
                                  caption=f"#{june} đang làm 60%", expect=2)
        assert "Chưa lưu được tệp" in told[0]["text"] and "đã được ghi nhận" in told[0]["text"]
        assert "Đang thực hiện 60%" in told[1]["text"]
        [report] = [r for r in await bot_reports(bot.deps, june)]
        assert (report.status, report.percent, report.original_text) == ("in_progress", 60, f"#{june} đang làm 60%")
        assert await evidence_of(bot.deps, june) == []
        # A file alone: nothing to record, the officer is asked to send it again.
        [refused] = await bot.document(LAN, pdf("khác"), file_name="khac.pdf", mime_type="application/pdf",
                                       caption=f"#{year}")
        assert "chưa được ghi nhận" in refused["text"]
        assert await evidence_of(bot.deps, year) == []
        assert [p for p in tmp_path.rglob("*") if ".incoming-" in p.name] == []


async def bot_reports(deps: Deps, task_id: int) -> list[StatusReport]:
    async with deps.sessions() as session:
        return list((await session.exec(select(StatusReport).where(StatusReport.task_id == task_id))).all())


async def test_evidence_rejections_and_file_name_sanitising(bot: Harness) -> None:
    deps, root = bot.deps, bot.deps.settings.evidence_dir
    june = bot.task("vp_june")
    before = await count_rows(deps)

    [too_big] = await bot.document(LAN, pdf("lớn"), file_name="lon.pdf", mime_type="application/pdf",
                                   caption=f"#{june}", file_size=25 * 1024 * 1024)
    assert "Tệp quá lớn: giới hạn là 20 MB." in too_big["text"]
    [exe] = await bot.document(LAN, b"MZ\x90\x00" * 100, file_name="setup.exe", mime_type="application/x-msdownload",
                               caption=f"#{june}")
    assert "Không nhận loại tệp này." in exe["text"]
    assert methods(bot.fake, "getFile") == []  # refused before downloading anything
    assert await count_rows(deps) == before and files_on_disk(root) == []

    # A path in the name never reaches the disk: stored by content, displayed by its base name.
    content = pdf("passwd")
    [saved] = await bot.document(LAN, content, file_name="../../etc/passwd.pdf", mime_type="application/pdf",
                                 caption=f"#{june}")
    assert f"Đã lưu minh chứng cho #{june}: passwd.pdf" in saved["text"]
    [row] = await evidence_of(deps, june)
    assert row.file_name == "passwd.pdf"
    digest = hashlib.sha256(content).hexdigest()
    assert files_on_disk(root) == [root / digest[:2] / digest[2:4] / digest]
    assert not (root.parent / "etc").exists() and not (root / "etc").exists()


async def test_an_executable_declared_as_pdf_is_not_accepted(bot: Harness) -> None:
    """The MIME type is what the sender's client claims; a .exe claiming application/pdf is still an .exe."""
    june = bot.task("vp_june")
    [reply] = await bot.document(LAN, b"MZ\x90\x00" * 100, file_name="bao-cao.exe", mime_type="application/pdf",
                                 caption=f"#{june}")
    assert "Không nhận loại tệp này." in reply["text"], reply["text"]
    assert await evidence_of(bot.deps, june) == []


async def test_a_file_the_telegram_api_will_not_hand_over_is_reported_too_large(sqlite_url: str, tmp_path: Path) -> None:
    async with running_bot(sqlite_url, tmp_path, evidence_max_bytes=50 * 1024 * 1024) as bot:
        [reply] = await bot.document(LAN, pdf("21 MB"), file_name="lon.pdf", mime_type="application/pdf",
                                     caption=f"#{bot.task('vp_june')}", file_size=21 * 1024 * 1024)
        assert "Tệp quá lớn" in reply["text"]
        assert len(methods(bot.fake, "getFile")) == 1  # Telegram refused: "file is too big"
        assert await evidence_of(bot.deps, bot.task("vp_june")) == []


async def test_a_file_without_a_task_asks_which_then_links_it(bot: Harness) -> None:
    june, year = bot.task("vp_june"), bot.task("vp_year")
    [question] = await bot.document(LAN, pdf("không rõ"), file_name="bien-ban.pdf", mime_type="application/pdf")
    assert "Đã nhận tệp bien-ban.pdf. Tệp này là minh chứng cho nhiệm vụ nào?" in question["text"]
    assert callback_data(question) == [[f"c:{june}"], [f"c:{year}"]]
    assert await evidence_of(bot.deps, june) == [] and await evidence_of(bot.deps, year) == []
    _, linked = await bot.press(LAN, question["message_id"], f"c:{year}", expect=1)
    assert f"Đã lưu minh chứng cho #{year}: bien-ban.pdf" in linked[0]["text"]
    [row] = await evidence_of(bot.deps, year)
    assert row.file_name == "bien-ban.pdf" and row.unit_id == bot.unit("lan")


# ----------------------------------------------------------------------------------------------- 8. HTML


async def test_html_special_characters_are_shown_literally(bot: Harness) -> None:
    june = bot.task("vp_june")
    title = "Thực hiện các quy định về công khai thông tin <theo quy định> & *kịp thời*"
    listing = await bot.reply(LAN, "/viec")
    assert f"#{june} · {title}" in listing["text"]
    detail = await bot.reply(LAN, f"/nv {june}")
    assert f"\n{title}\n" in detail["text"]
    said = await bot.reply(LAN, f"#{june} vướng: thiếu <mẫu biểu> & hướng dẫn")
    assert "Vướng mắc: thiếu <mẫu biểu> & hướng dẫn" in said["text"]
    assert f"#{june} · {title}" in said["text"]

    # A Telegram name with markup in it is shown as typed.
    fake = bot.fake
    fake.user(5010, first_name="<b>Hoa</b> & Co", last_name="<i>")
    welcome = await bot.reply(5010, f"/start {bot.office.invites['valid']}")
    assert "Chào mừng <b>Hoa</b> & Co <i>!" in welcome["text"]
    bold = [e for e in welcome.get("entities", []) if e["type"] == "bold"]
    assert [(e["offset"], e["length"]) for e in bold] == [(len("Chào mừng "), len("<b>Hoa</b> & Co <i>"))]
    assert [error for error in fake.errors if "parse" in error[2].lower()] == []


# ----------------------------------------------------------------------------------------------- 9. long texts


async def test_a_long_task_list_pages_within_telegram_limits_and_is_complete(sqlite_url: str, tmp_path: Path) -> None:
    async with running_bot(sqlite_url, tmp_path, page_size=20) as bot:
        deps = bot.deps
        async with transaction(deps.sessions) as session:
            extra = [
                await admin.add_task(
                    session, plan_number=PLAN, code=f"X.{i}", lead=["VP"], due=date(2024, 1, 1) + timedelta(days=i),
                    title=f"Nhiệm vụ bổ sung số {i}: " + "tăng cường kiểm tra, giám sát <việc thực hiện> & báo cáo "
                    "kết quả thực hiện các chỉ tiêu của kế hoạch " * 4,
                )
                for i in range(60)
            ]
            huge = await admin.add_task(
                session, plan_number=PLAN, code="X.HUGE", lead=["VP"], deadline_text="Thường xuyên",
                title="Rà soát <toàn bộ> & cập nhật " * 50 + "Đ" * 3000 + " " + "nội dung kế hoạch chi tiết " * 300,
                expected_result="Báo cáo & đánh giá <đầy đủ> " * 100,
            )
        expected_order = [bot.task("vp_june"), bot.task("vp_year"), *(task.id for task in extra), huge.id]

        listing = await bot.reply(LAN, "/viec")
        assert listing["text"].startswith("Nhiệm vụ chưa hoàn thành (63)  trang 1/4")
        seen: list[int] = []
        page = listing
        for number in range(1, 5):
            assert f"trang {number}/4" in page["text"]
            assert utf16_len(page["text"]) <= 4096
            ids = [int(data.split(":")[1]) for row in callback_data(page) for data in row if data.startswith("t:")]
            assert ids == [int(found) for found in re.findall(r"^#(\d+) · ", page["text"], flags=re.M)]
            assert len(ids) == (20 if number < 4 else 3)
            seen += ids
            if number < 4:
                edits = len(methods(bot.fake, "editMessageText"))
                await bot.press(LAN, listing["message_id"], button(page, "Sau"))
                await until(lambda edits=edits: len(methods(bot.fake, "editMessageText")) > edits, "the next page")
                page = bot.fake.message(LAN, listing["message_id"])
        assert seen == expected_order
        assert len(bot.fake.messages_to(LAN)) == 1

        # One task whose detail is far over 4096 characters: sent in several messages, buttons on the last.
        chunks = await bot.say(LAN, f"/nv {huge.id}", expect=3)
        assert len(chunks) >= 3
        assert all(utf16_len(chunk["text"]) <= 4096 for chunk in chunks)
        assert [bool(FakeTelegram.buttons(chunk)) for chunk in chunks] == [False] * (len(chunks) - 1) + [True]
        shown = "".join("".join(chunk["text"] for chunk in chunks).split())
        assert "".join(huge.title.split()) in shown
        assert "".join((huge.expected_result or "").split()) in shown
        assert [e for e in bot.fake.errors if e[0] == "sendMessage"] == []
        # Every piece is about the task: replying to the first one reports on it.
        said = await bot.reply(LAN, "đang làm 10%", reply_to=chunks[0]["message_id"])
        assert f"#{huge.id} · " in said["text"]
        assert [r.percent for r in await history(deps, huge.id or 0)] == [10]


# ----------------------------------------------------------------------------------------------- 10-11. restart


async def test_a_restart_keeps_members_history_and_replies_to_old_messages(database_url: str, tmp_path: Path) -> None:
    june, year = None, None
    async with FakeTelegram() as fake:
        async with running_bot(database_url, tmp_path, fake=fake) as bot:
            office = bot.office
            june, year = bot.task("vp_june"), bot.task("vp_year")
            listing = await bot.reply(LAN, "/viec")
            about_year = (await bot.reply(LAN, f"#{year} đang làm 50%"))["message_id"]
            await bot.reply(LAN, f"#{june} xong")  # the chat's focus is now June's task
            hoa = 5001
            await bot.reply(hoa, f"/start {office.invites['valid']}")
            sent_before = len(fake.messages_to(LAN))

        async with running_bot(database_url, tmp_path, fake=fake, office=office) as bot:
            deps = bot.deps
            # Nothing from before the restart is handled twice.
            await fake.wait_for_idle()
            assert len(fake.messages_to(LAN)) == sent_before
            assert [r.status for r in await history(deps, year)] == ["in_progress"]
            assert [r.status for r in await history(deps, june)] == ["done"]

            listing_after = await bot.reply(LAN, "/viec")
            assert "Nhiệm vụ chưa hoàn thành (1)" in listing_after["text"]
            assert "Chào mừng" not in (await bot.reply(hoa, "/viec"))["text"]
            assert HOW_TO_JOIN not in fake.messages_to(hoa)[-1]["text"]

            # A reply to a message sent before the restart still names its task.
            said = await bot.reply(LAN, "xong rồi", reply_to=about_year)
            assert f"#{year} · " in said["text"] and "Đã ghi nhận: Đã hoàn thành." in said["text"]
            assert [(r.status, r.original_text) for r in await history(deps, year)] == [
                ("in_progress", f"#{year} đang làm 50%"), ("done", "xong rồi"),
            ]
            # Buttons of a message sent before the restart still work.
            _, shown = await bot.press(LAN, listing["message_id"], f"t:{june}", expect=1)
            assert shown[0]["text"].startswith(f"#{june} · PL.1.1")
            assert [e for e in fake.errors if e[0] == "getUpdates"] == []


async def test_language_switch_is_per_member_and_survives_a_restart(sqlite_url: str, tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        async with running_bot(sqlite_url, tmp_path, fake=fake) as bot:
            office = bot.office
            assert (await bot.reply(LAN, "/lang en"))["text"] == "Language set to English."
            english = (await bot.reply(LAN, "/viec"))["text"]
            assert english.startswith("Open tasks (2)")
            assert "Due 30 Jun 2023 · " in english and has_any(english, overdue_phrases(date(2023, 6, 30), locale="en"))
            assert "Lead" in english and "No report yet" in english
            # Others keep Vietnamese.
            assert (await bot.reply(MINH, "/viec"))["text"].startswith("Nhiệm vụ chưa hoàn thành")
            assert "Usage: /lang vi or /lang en" in (await bot.reply(LAN, "/lang fr"))["text"]

        async with running_bot(sqlite_url, tmp_path, fake=fake, office=office) as bot:
            assert (await bot.reply(LAN, "/viec"))["text"].startswith("Open tasks (2)")
            async with bot.deps.sessions() as session:
                member = await members.find_member_by_account(session, channel="telegram", external_id=str(LAN))
            assert member is not None and member.locale == "en"
            assert [e.detail for e in await audit(bot.deps, "member.language")] == ['{"locale": "en"}']
            assert (await bot.reply(LAN, "/lang vi"))["text"] == "Đã chuyển sang tiếng Việt."
            assert (await bot.reply(LAN, "/viec"))["text"].startswith("Nhiệm vụ chưa hoàn thành (2)")


# ----------------------------------------------------------------------------------------------- 12. commands


async def test_bot_commands_are_registered_in_vietnamese_and_english(bot: Harness) -> None:
    await bot.fake.wait_for_idle()
    vietnamese = {c["command"]: c["description"] for c in bot.fake.commands_for(None, "")}
    english = {c["command"]: c["description"] for c in bot.fake.commands_for(None, "en")}
    assert list(vietnamese) == ["viec", "quahan", "nv", "minhchung", "tonghop", "donvi", "baocaotuan", "giahan",
                                "nhatky", "baocao", "lienket", "kenh", "lang", "help"]
    assert vietnamese["viec"] == "Nhiệm vụ chưa hoàn thành của đơn vị"
    assert vietnamese["tonghop"] == "Tổng hợp kế hoạch"
    assert list(english) == list(vietnamese)
    assert english["viec"] == "Open tasks of your unit"


# ----------------------------------------------------------------------------------------------- ordering


async def test_one_officers_quick_messages_are_handled_in_order_while_others_are_served(bot: Harness) -> None:
    """Sent back to back (one getUpdates batch): "xong" must be read after "#4 đang làm 50%", which names the task."""
    year, cont = bot.task("vp_year"), bot.task("ttra_cont")
    lan_before, hung_before = len(bot.fake.messages_to(LAN)), len(bot.fake.messages_to(HUNG))
    bot.fake.send_text(LAN, f"#{year} đang làm 50%")
    bot.fake.send_text(HUNG, f"#{cont} đang làm 20%")
    bot.fake.send_text(LAN, "xong")
    bot.fake.send_text(HUNG, "vướng: thiếu người")
    await bot.fake.wait_for_messages(LAN, lan_before + 2, timeout=WAIT)
    await bot.fake.wait_for_messages(HUNG, hung_before + 2, timeout=WAIT)
    await bot.fake.wait_for_idle()
    lan_said = texts(bot.fake.messages_to(LAN)[lan_before:])
    assert "Đang thực hiện 50%" in lan_said[0] and "Đã hoàn thành" in lan_said[1]
    assert [r.status for r in await history(bot.deps, year)] == ["in_progress", "done"]
    assert [(r.status, r.note) for r in await history(bot.deps, cont)] == [("in_progress", None), ("blocked", "thiếu người")]


# ----------------------------------------------------------------------------------------------- failures


async def test_a_failed_reply_does_not_claim_a_recorded_status_was_lost(bot: Harness) -> None:
    """Telegram refuses the confirmation (429) after the status was committed: the user must not be told
    that nothing was recorded, or they send it again and the history gets a duplicate."""
    year = bot.task("vp_year")
    bot.fake.fail_next("sendMessage", error_code=429, description="Too Many Requests: retry after 1", retry_after=1)
    before = len(bot.fake.messages_to(LAN))
    bot.fake.send_text(LAN, f"#{year} xong")
    await until(lambda: len(methods(bot.fake, "sendMessage")) >= 2, "the error to be handled")
    await bot.fake.wait_for_idle()
    told = texts(bot.fake.messages_to(LAN)[before:])
    assert [r.status for r in await history(bot.deps, year)] == ["done"]
    assert not any("chưa được ghi nhận" in text for text in told), told
