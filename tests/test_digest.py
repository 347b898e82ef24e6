"""The weekly digest, pushed: once a week on the right day (the week's first working day when Monday is a holiday),
to the chief and to leadership who opted in, as a PNG photo with a caption and then one short text with buttons;
once only, across ticks, restarts and a second process."""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.i18n import Translator
from scheduler.calendar import WorkingCalendar
from scheduler.clock import SimulatedClock
from scheduler.digest import digest_day
from storage.models import Member, OutboxMessage
from tests.conftest import at
from tests.factories import USER_IDS
from tests.fakes.telegram_api import UploadedFile, utf16_len
from tests.reminder_harness import reminder_rig
from tests.telegram_harness import running_bot

CHIEF, LEADER, LAN = USER_IDS["chief"], USER_IDS["leader"], USER_IDS["lan"]


def test_the_digest_day_is_the_weeks_first_working_day_from_the_configured_weekday() -> None:
    cal = WorkingCalendar({date(2023, 10, 16): False})  # an office day off on a Monday
    cases = [
        (date(2023, 9, 6), 0, date(2023, 9, 5)),  # 4/9/2023 (Monday) is the National Day holiday: Tuesday
        (date(2023, 9, 11), 0, date(2023, 9, 11)),
        (date(2023, 10, 20), 0, date(2023, 10, 17)),  # the office's own day off
        (date(2024, 5, 1), 0, date(2024, 5, 2)),  # 29/4 – 1/5/2024 off: Thursday
        (date(2023, 9, 13), 2, date(2023, 9, 13)),  # configured Wednesday
        (date(2023, 9, 9), 5, None),  # Saturday configured, nothing working left in that week
    ]
    for day, weekday, expected in cases:
        assert digest_day(day, cal, weekday) == expected, (day, weekday)


def _png_ok(content: bytes) -> tuple[int, int]:
    """Width and height of a structurally valid PNG (signature, IHDR, CRCs, IDAT that inflates, IEND)."""
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, data = 8, [], b""
    while position < len(content):
        (length,) = struct.unpack(">I", content[position:position + 4])
        kind = content[position + 4:position + 8]
        body = content[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", content[position + 8 + length:position + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks.append(kind)
        if kind == b"IDAT":
            data += body
        position += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"
    width, height = struct.unpack(">II", content[16:24])
    assert len(zlib.decompress(data)) >= height * (width + 1)
    return width, height


async def test_the_digest_arrives_once_a_week_on_the_right_day_as_a_photo_then_text(
    database_url: str, tmp_path: Path
) -> None:
    start = at("2023-08-27 20:00")  # a Sunday
    clock = SimulatedClock(start)
    async with running_bot(database_url, tmp_path, clock=clock) as bot, \
            reminder_rig(bot.deps, start=start, telegram=bot.fake) as rig:
        for user in (CHIEF, LEADER, LAN):
            bot.fake.user(user)
        vi = Translator("vi")
        assert (await bot.reply(LEADER, "/baocaotuan on"))["text"] == vi._("Done: you will receive the weekly digest.")
        assert (await bot.reply(LAN, "/baocaotuan on"))["text"] == vi._(
            "Sorry, the weekly digest is for the chief of office, leadership and administrators.")
        photos: dict[int, list[date]] = {CHIEF: [], LEADER: [], LAN: []}
        day = date(2023, 8, 28)
        while day <= date(2023, 9, 12):
            for hour in ("07:30", "08:00", "08:00", "11:00"):  # the same minute twice: still once
                before = {user: len(bot.fake.messages_to(user)) for user in photos}
                await rig.run_at(f"{day.isoformat()} {hour}")
                for user in photos:
                    for message in bot.fake.messages_to(user)[before[user]:]:
                        if "photo" in message:
                            photos[user].append(day)
                            assert hour != "07:30"
            day += timedelta(days=1)
        expected = [date(2023, 8, 28), date(2023, 9, 5), date(2023, 9, 11)]  # 4/9 is a holiday: Tuesday 5/9
        assert photos[CHIEF] == expected and photos[LEADER] == expected and photos[LAN] == []

        # A restarted or second process plans the same week again: nothing new is sent.
        async with reminder_rig(bot.deps, start=at("2023-09-11 09:00"), telegram=bot.fake) as other:
            before = len(bot.fake.messages_to(CHIEF))
            await other.run_at("2023-09-11 09:30")
            assert not any("photo" in m for m in bot.fake.messages_to(CHIEF)[before:])

        # The photo is a real PNG with a caption; a short text with the detail buttons follows it.
        sent = bot.fake.messages_to(CHIEF)
        index = max(i for i, m in enumerate(sent) if "photo" in m)
        photo, text = sent[index], sent[index + 1]
        assert photo["caption"].startswith(vi._("Weekly digest · plan {number}", number="435/KH-SVHTT"))
        assert "• Đang thực hiện quá hạn: " in photo["caption"]
        assert utf16_len(photo["caption"]) <= 1024
        uploads = [params["photo"] for name, params in bot.fake.requests if name == "sendPhoto"]
        assert all(isinstance(upload, UploadedFile) for upload in uploads) and len(uploads) == 6
        width, height = _png_ok(uploads[-1].content)
        assert 800 <= width <= 1280 and 300 <= height <= 2000
        actions = [b["callback_data"] for row in bot.fake.buttons(text) for b in row]
        assert len(actions) == 4 and len(text["text"].splitlines()) <= 14
        # One tap from the digest: the overdue list across units.
        _, shown = await bot.press(CHIEF, text["message_id"], actions[1], expect=1)
        assert f"#{bot.task('vp_june')}" in shown[0]["text"]

        # Opting out stops it; the choice is stored on the member.
        await bot.reply(LEADER, "/baocaotuan off")
        async with bot.deps.sessions() as session:
            leader = await session.get(Member, bot.member("leader"))
            assert leader is not None and leader.weekly_digest is False
            keys = (await session.exec(select(OutboxMessage.key).where(OutboxMessage.key.like("%:digest:%")))).scalars().all()
        assert sorted(k.split(":", 1)[1] for k in keys) == sorted(
            ["digest:2023-W35", "digest:2023-W36", "digest:2023-W37"] * 2)
        before = len(bot.fake.messages_to(LEADER))
        await rig.run_at("2023-09-18 08:05")
        assert not any("photo" in m for m in bot.fake.messages_to(LEADER)[before:])
        assert any("photo" in m for m in bot.fake.messages_to(CHIEF)[-3:])


def test_the_cli_turns_a_members_digest_on_and_off(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from bot.app import open_deps
    from bot.cli import main
    from tests.conftest import make_settings

    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("EVIDENCE_DIR", str(tmp_path / "evidence"))
    assert main(["member", "add", "Đỗ Đình Hồng", "--role", "leadership"]) == 0
    assert main(["member", "add", "Trần Văn Minh", "--role", "officer", "--unit", "x"]) == 2  # no such unit
    assert main(["member", "digest", "1", "on"]) == 0
    assert "weekly digest on" in capsys.readouterr().out

    async def stored() -> bool | None:
        async with open_deps(make_settings(url, tmp_path)) as deps, deps.sessions() as session:
            member = await session.get(Member, 1)
            assert member is not None
            return member.weekly_digest

    assert asyncio.run(stored()) is True
    assert main(["member", "digest", "1", "off"]) == 0
    assert asyncio.run(stored()) is False
    assert main(["member", "digest", "9", "on"]) == 2
