"""Conversations every channel must hold the same way, as a table run against each channel's real adapter.

A scenario talks through a small `Driver` (say a text, press a button by its label, send a photo) and asserts
what the user reads and what is stored. The Telegram driver presses inline buttons; the Zalo driver answers
with the number of the choice, as a Zalo user does. Driver-specific tests (webhooks, stickers, message
limits) live in each channel's own test module.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from sqlmodel import col, select

from bot.deps import Deps
from storage.models import ChannelAccount, Evidence, ExtensionRequest, Member, Snooze, StatusReport
from tests.factories import STRANGER_ID, USER_IDS, Office

LAN, MINH, CHIEF = USER_IDS["lan"], USER_IDS["minh"], USER_IDS["chief"]
HOW_TO_JOIN = "Để tham gia, đề nghị Văn phòng Sở cấp mã mời"


class Driver(Protocol):
    channel: str
    deps: Deps
    office: Office

    async def say(self, user: int, text: str) -> list[str]:
        """The user sends `text`; the texts the user then sees."""
        ...

    async def press(self, user: int, label: str) -> list[str]:
        """The user picks the choice whose label contains `label` in the last message showing one."""
        ...

    async def photo(self, user: int, content: bytes, caption: str | None = None) -> list[str]:
        ...


def png(width: int = 4, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x10\x80\xf0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def task_id(office: Office, key: str) -> int:
    found = office.tasks[key].id
    assert found is not None
    return found


def person(office: Office, key: str) -> Member:
    return office.people[key]


async def reports(deps: Deps, task: int) -> list[StatusReport]:
    async with deps.sessions() as session:
        return list((await session.exec(
            select(StatusReport).where(StatusReport.task_id == task).order_by(col(StatusReport.id))
        )).all())


async def rows(deps: Deps, model: type, *where: object) -> list:  # type: ignore[type-arg]
    async with deps.sessions() as session:
        return list((await session.exec(select(model).where(*where))).all())  # type: ignore[call-overload]


def seen(texts: list[str], phrase: str) -> bool:
    return any(phrase in text for text in texts)


# --------------------------------------------------------------------------------------------- scenarios


async def stranger_joins_with_an_invite_code(d: Driver) -> None:
    """A stranger only learns how to join; a wrong code is refused; the invite code registers them."""
    for text in ("/viec", "xin chào", "#1 xong"):
        got = await d.say(STRANGER_ID, text)
        assert len(got) == 1 and HOW_TO_JOIN in got[0], got
    assert await rows(d.deps, StatusReport) == []
    wrong = await d.say(STRANGER_ID, "/start ZZZZ2345")
    assert seen(wrong, "Mã mời không đúng."), wrong
    welcome = await d.say(STRANGER_ID, f"/start {d.office.invites['valid']}")
    assert seen(welcome, "Anh/chị đã đăng ký thành công."), welcome
    [account] = await rows(d.deps, ChannelAccount, ChannelAccount.external_id == str(STRANGER_ID))
    assert (account.channel, account.chat_id) == (d.channel, str(STRANGER_ID))
    listing = await d.say(STRANGER_ID, "/viec")
    assert seen(listing, "Nhiệm vụ chưa hoàn thành (2)"), listing


async def officer_lists_tasks_and_marks_one_done(d: Driver) -> None:
    """/viec lists the unit's tasks; opening one and choosing "Hoàn thành" records done for that task."""
    june = task_id(d.office, "vp_june")
    listing = await d.say(LAN, "/viec")
    assert seen(listing, "Nhiệm vụ chưa hoàn thành (2)") and seen(listing, f"#{june} · "), listing
    detail = await d.press(LAN, f"#{june} ")
    assert seen(detail, f"#{june} · PL.1.1"), detail
    confirmed = await d.press(LAN, "Hoàn thành")
    assert seen(confirmed, "Đã ghi nhận: Đã hoàn thành."), confirmed
    [report] = await reports(d.deps, june)
    lan = person(d.office, "lan")
    assert (report.status, report.channel, report.member_id, report.unit_id) == ("done", d.channel, lan.id, lan.unit_id)


async def officer_reports_in_a_few_words(d: Driver) -> None:
    """Progress and blockers typed in words are recorded with the words as sent."""
    year = task_id(d.office, "vp_year")
    said = await d.say(LAN, f"#{year} đang làm 50%")
    assert seen(said, "Đã ghi nhận: Đang thực hiện 50%."), said
    said = await d.say(LAN, f"#{year} vướng: thiếu kinh phí")
    assert seen(said, "Đã ghi nhận: Vướng mắc: thiếu kinh phí."), said
    got = [(r.status, r.percent, r.note, r.original_text, r.channel) for r in await reports(d.deps, year)]
    assert got == [
        ("in_progress", 50, None, f"#{year} đang làm 50%", d.channel),
        ("blocked", None, "thiếu kinh phí", f"#{year} vướng: thiếu kinh phí", d.channel),
    ]


async def officer_asks_for_an_extension_and_snoozes(d: Driver) -> None:
    """An extension request goes to the chief (the due date stays); "nhắc lại mai" snoozes the task."""
    year = task_id(d.office, "vp_year")
    said = await d.say(LAN, f"#{year} xin gia hạn đến 15/1")
    assert seen(said, f"Đã gửi đề nghị gia hạn #{year} đến"), said
    [request] = await rows(d.deps, ExtensionRequest, ExtensionRequest.task_id == year)
    assert (request.state, request.channel, request.original_text) == ("pending", d.channel, f"#{year} xin gia hạn đến 15/1")
    later = await d.say(LAN, f"#{year} nhắc lại mai")
    assert len(later) >= 1
    [snooze] = await rows(d.deps, Snooze, Snooze.task_id == year)
    assert snooze.member_id == person(d.office, "lan").id


async def officer_sends_a_photo_as_evidence(d: Driver) -> None:
    """After "Gửi minh chứng", a photo is stored by its SHA-256 and linked to the task."""
    year = task_id(d.office, "vp_year")
    await d.say(LAN, f"/nv {year}")
    asked = await d.press(LAN, "Gửi minh chứng")
    # Telegram takes any file in the chat; Zalo only photos there (documents go through an upload page).
    assert (seen(asked, f"Mời gửi tệp minh chứng cho #{year}")
            or seen(asked, f"Ảnh minh chứng của #{year} có thể gửi ngay tại đây")), asked
    picture = png()
    saved = await d.photo(LAN, picture)
    assert seen(saved, f"Đã lưu minh chứng cho #{year}: photo-"), saved
    [row] = await rows(d.deps, Evidence, Evidence.task_id == year)
    assert (row.sha256, row.size, row.channel) == (hashlib.sha256(picture).hexdigest(), len(picture), d.channel)


async def chief_gets_the_summary_officers_do_not(d: Driver) -> None:
    summary = await d.say(CHIEF, "/tonghop")
    assert summary and summary[0].startswith("Tổng hợp kế hoạch 435/KH-SVHTT"), summary
    assert seen(summary, "• Đang thực hiện quá hạn: 3 (75%)"), summary
    refused = await d.say(MINH, "/tonghop")
    assert seen(refused, "Xin lỗi, chức năng tổng hợp"), refused


@dataclass(frozen=True)
class Scenario:
    name: str
    run: Callable[[Driver], Awaitable[None]]


SCENARIOS = [
    Scenario("stranger joins with an invite code", stranger_joins_with_an_invite_code),
    Scenario("officer lists tasks and marks one done", officer_lists_tasks_and_marks_one_done),
    Scenario("officer reports in a few words", officer_reports_in_a_few_words),
    Scenario("officer asks for an extension and snoozes", officer_asks_for_an_extension_and_snoozes),
    Scenario("officer sends a photo as evidence", officer_sends_a_photo_as_evidence),
    Scenario("chief gets the summary, officers do not", chief_gets_the_summary_officers_do_not),
]
