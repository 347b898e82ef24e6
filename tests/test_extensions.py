"""Extension requests, end to end: an officer asks in words, the chief is pushed the request and decides with a
button (or another date), the officer is told, and reminders follow the new date while the plan's stays."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from scheduler.clock import SimulatedClock
from storage.models import ExtensionRequest, Task
from tests.conftest import at
from tests.factories import USER_IDS
from tests.reminder_harness import reminder_rig
from tests.telegram_harness import Harness, running_bot


async def _requests(bot: Harness) -> list[ExtensionRequest]:
    async with bot.deps.sessions() as session:
        return list((await session.exec(select(ExtensionRequest).order_by(ExtensionRequest.id))).scalars())


async def test_the_chief_approves_an_extension_pushed_to_them_and_the_officer_is_told(
    database_url: str, tmp_path: Path
) -> None:
    clock = SimulatedClock(at("2023-10-12 09:00"))
    async with running_bot(database_url, tmp_path, clock=clock) as bot, \
            reminder_rig(bot.deps, start=at("2023-10-12 09:00"), telegram=bot.fake) as rig:
        minh, chief, leader = USER_IDS["minh"], USER_IDS["chief"], USER_IDS["leader"]
        for user in (minh, chief, leader):
            bot.fake.user(user)
        task = bot.task("tcpc_oct")
        asked = await bot.reply(minh, f"#{task} xin gia hạn đến 10/11/2023 vì chờ số liệu")
        assert "gia hạn" in asked["text"].lower()
        await rig.run_at("2023-10-12 09:01")
        [push] = [m for m in bot.fake.messages_to(chief) if "#1 ·" not in m["text"] and f"#{task}" in m["text"]]
        assert "Đề nghị gia hạn" in push["text"] and "10/11/2023" in push["text"] and "20/10/2023" in push["text"]
        rows = bot.fake.buttons(push)
        assert [button["text"] for button in rows[0]] == ["✅ Duyệt đến 10/11/2023", "❌ Không duyệt"]
        # Leadership may look (without buttons) but not decide, even with a forged press.
        seen = await bot.say(leader, "/giahan", expect=2)
        assert seen[0]["text"] == "Đề nghị gia hạn đang chờ (1)" and not bot.fake.buttons(seen[1])
        answer, _ = await bot.press(leader, seen[1]["message_id"], rows[0][0]["callback_data"])
        assert answer["text"] == "Xin lỗi, chỉ Chánh Văn phòng quyết định đề nghị gia hạn."
        assert [r.state for r in await _requests(bot)] == ["pending"]
        answer, _ = await bot.press(chief, push["message_id"], rows[0][0]["callback_data"])
        assert answer["text"] == "Đã ghi nhận quyết định."
        edited = bot.fake.message(chief, push["message_id"])
        assert edited["text"] == (f"Gia hạn #{task} đã được duyệt: hạn mới 10/11/2023 "
                                  "(hạn theo kế hoạch 20/10/2023).")
        [request] = await _requests(bot)
        assert (request.state, request.approved_due, request.decided_by_member_id) == (
            "approved", date(2023, 11, 10), bot.member("chief"))
        async with bot.deps.sessions() as session:
            stored = await session.get(Task, task)
            assert stored is not None and stored.due == date(2023, 10, 20)
        answer, _ = await bot.press(chief, push["message_id"], rows[0][0]["callback_data"])
        assert answer["text"] == "Đề nghị gia hạn này đã được quyết định."
        await rig.run_at("2023-10-12 09:02")
        told = [m["text"] for m in bot.fake.messages_to(minh) if m["text"].startswith(f"Gia hạn #{task}")]
        assert told == [f"Gia hạn #{task} đã được duyệt: hạn mới 10/11/2023 (hạn theo kế hoạch 20/10/2023)."]
        await rig.run_at("2023-10-12 10:00")
        assert len([m for m in bot.fake.messages_to(minh) if m["text"].startswith("Gia hạn")]) == 1  # once


async def test_approve_with_another_date_and_the_pending_list(sqlite_url: str, tmp_path: Path) -> None:
    clock = SimulatedClock(at("2023-10-12 09:00"))
    async with running_bot(sqlite_url, tmp_path, clock=clock) as bot:
        minh, chief = USER_IDS["minh"], USER_IDS["chief"]
        task = bot.task("tcpc_oct")
        await bot.reply(minh, f"#{task} xin gia hạn đến 10/11/2023")
        refused = await bot.reply(minh, "/giahan")
        assert refused["text"] == "Xin lỗi, chỉ Chánh Văn phòng quyết định đề nghị gia hạn."
        listed = await bot.say(chief, "/giahan", expect=2)
        assert listed[0]["text"] == "Đề nghị gia hạn đang chờ (1)"
        other_date = bot.fake.buttons(listed[1])[1][0]
        assert other_date["text"] == "📅 Duyệt với ngày khác"
        _, asked = await bot.press(chief, listed[1]["message_id"], other_date["callback_data"], expect=1)
        assert asked[0]["text"] == f"Vui lòng gõ hạn mới cho đề nghị #{(await _requests(bot))[0].id}, ví dụ 15/11/2023."
        wrong = await bot.reply(chief, "sớm nhất có thể")
        assert wrong["text"] == "Tôi chưa đọc được ngày. Vui lòng gõ theo dạng 15/11/2023."
        earlier = await bot.reply(chief, "15/10/2023")
        assert earlier["text"] == "Hạn mới phải sau hạn theo kế hoạch."
        done = await bot.reply(chief, "15/11/2023")
        assert done["text"] == f"Gia hạn #{task} đã được duyệt: hạn mới 15/11/2023 (hạn theo kế hoạch 20/10/2023)."
        [request] = await _requests(bot)
        assert (request.state, request.requested_due, request.approved_due) == (
            "approved", date(2023, 11, 10), date(2023, 11, 15))
        empty = await bot.reply(chief, "/giahan")
        assert empty["text"] == "Không có đề nghị gia hạn nào đang chờ quyết định."
