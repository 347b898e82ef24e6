"""Reminders meet the conversation: buttons, snoozes and replies through the real Telegram Application."""

from __future__ import annotations

from pathlib import Path

from bot.services.reporting import record_status
from scheduler.clock import SimulatedClock
from storage import members, statuses
from storage.db import transaction
from tests.conftest import at
from tests.factories import USER_IDS
from tests.reminder_harness import reminder_rig
from tests.telegram_harness import Harness, running_bot


async def _tcpc_done_with_vp_june(bot: Harness) -> None:
    """TCPC already sent its input to vp_june, so its reminders are about tcpc_oct alone."""
    async with transaction(bot.deps.sessions) as session:
        member = await members.get_member(session, member_id=bot.member("minh"))
        assert member is not None
        await record_status(session, member=member, task_id=bot.task("vp_june"), status="done", percent=None,
                            note=None, original_text="xong", channel="telegram", at=at("2023-06-20 09:00"))


async def test_snooze_tomorrow_then_reply_done_to_the_reminder(database_url: str, tmp_path: Path) -> None:
    clock = SimulatedClock(at("2023-10-11 07:00"))
    async with running_bot(database_url, tmp_path, clock=clock) as bot, \
            reminder_rig(bot.deps, start=at("2023-10-11 07:00"), telegram=bot.fake) as rig:
        minh, task = USER_IDS["minh"], bot.task("tcpc_oct")
        bot.fake.user(minh)
        await _tcpc_done_with_vp_june(bot)
        await rig.run_at("2023-10-11 08:00")
        [reminder] = rig.telegram.messages_to(minh)
        assert f"#{task} ·" in reminder["text"]
        snooze_row = reminder["reply_markup"]["inline_keyboard"][-1]
        assert [button["text"] for button in snooze_row] == ["Nhắc lại sau 2 giờ", "Ngày mai", "Thứ Hai"]
        answer, _ = await bot.press(minh, reminder["message_id"], snooze_row[1]["callback_data"])
        assert answer["text"] == f"Được, tôi sẽ nhắc lại #{task} lúc 08:00 Thứ Năm 12/10/2023."
        await rig.run_at("2023-10-11 15:00")
        assert len(rig.telegram.messages_to(minh)) == 1  # nothing more today
        await rig.run_at("2023-10-12 08:00")
        messages = rig.telegram.messages_to(minh)
        assert len(messages) == 2 and f"#{task} ·" in messages[1]["text"]  # the snooze came back, once
        await rig.run_at("2023-10-12 11:00")
        assert len(rig.telegram.messages_to(minh)) == 2
        # A reply to the reminder (it is about one task) reports on that task.
        confirmation = await bot.reply(minh, "xong", reply_to=messages[1]["message_id"])
        assert f"#{task}" in confirmation["text"]
        async with bot.deps.sessions() as session:
            latest = await statuses.latest_statuses(session, task_id=task)
        assert latest[(task, bot.unit("minh"))].status == "done"
        await rig.run_days(*(d.date() for d in (at("2023-10-13 00:00"), at("2023-11-30 00:00"))))
        assert len(rig.telegram.messages_to(minh)) == 3  # done stops every later reminder


async def test_snooze_by_text_in_reply_to_a_reminder(sqlite_url: str, tmp_path: Path) -> None:
    clock = SimulatedClock(at("2023-10-11 07:00"))
    async with running_bot(sqlite_url, tmp_path, clock=clock) as bot, \
            reminder_rig(bot.deps, start=at("2023-10-11 07:00"), telegram=bot.fake) as rig:
        minh, task = USER_IDS["minh"], bot.task("tcpc_oct")
        bot.fake.user(minh)
        await _tcpc_done_with_vp_june(bot)
        await rig.run_at("2023-10-17 09:00")  # Tuesday: "3 working days before"
        [reminder] = rig.telegram.messages_to(minh)
        answer = await bot.reply(minh, "nhắc lại sau 2 tiếng", reply_to=reminder["message_id"])
        assert answer["text"] == f"Được, tôi sẽ nhắc lại #{task} lúc 11:00 hôm nay."
        answer = await bot.reply(minh, "nhac lai thu 2")  # no reply: the latest reminder today
        assert answer["text"] == f"Được, tôi sẽ nhắc lại #{task} lúc 08:00 Thứ Hai 23/10/2023."
        status_rows = await _status_count(bot)
        assert status_rows == 1  # a snooze is not a status (only the seeded vp_june input)


async def _status_count(bot: Harness) -> int:
    from sqlalchemy import func, select

    from storage.models import StatusReport

    async with bot.deps.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(StatusReport))).one()[0])


async def test_the_chief_reads_the_follow_up_log_in_chat(sqlite_url: str, tmp_path: Path) -> None:
    clock = SimulatedClock(at("2023-10-11 07:00"))
    async with running_bot(sqlite_url, tmp_path, clock=clock) as bot, \
            reminder_rig(bot.deps, start=at("2023-10-11 07:00"), telegram=bot.fake) as rig:
        for user in USER_IDS.values():
            bot.fake.user(user)
        await rig.run_at("2023-10-11 08:00")
        log = await bot.reply(USER_IDS["chief"], "/nhatky TCPC")
        assert log["text"].startswith("Nhật ký đôn đốc: TCPC")
        assert "Trần Văn Minh" in log["text"] and "đã gửi" in log["text"] and "chưa trả lời" in log["text"]
        refused = await bot.reply(USER_IDS["minh"], "/nhatky")
        assert "Xin lỗi" in refused["text"]


async def test_a_member_who_blocked_the_bot_is_reported_once_and_resumes_after_writing(
    sqlite_url: str, tmp_path: Path
) -> None:
    from storage.models import Member

    clock = SimulatedClock(at("2023-10-11 07:00"))
    async with running_bot(sqlite_url, tmp_path, clock=clock) as bot, \
            reminder_rig(bot.deps, start=at("2023-10-11 07:00"), telegram=bot.fake) as rig:
        minh, chief = USER_IDS["minh"], USER_IDS["chief"]
        bot.fake.user(minh)
        bot.fake.user(chief)
        await _tcpc_done_with_vp_june(bot)
        bot.fake.block(minh)
        await rig.run_at("2023-10-11 08:00")
        await rig.run_at("2023-10-17 08:00")
        notices = [text for text in rig.texts_to(chief) if "Trần Văn Minh" in text]
        assert notices == ["Trần Văn Minh (TCPC) đã chặn bot hoặc rời Telegram nên không nhận được lời nhắc. "
                           "Đề nghị liên hệ trực tiếp."]  # told once, not at every run
        async with bot.deps.sessions() as session:
            member = await session.get(Member, bot.member("minh"))
            assert member is not None and member.unreachable_at is not None
        bot.fake.unblock(minh)
        await bot.say(minh, "/viec")
        async with bot.deps.sessions() as session:
            member = await session.get(Member, bot.member("minh"))
            assert member is not None and member.unreachable_at is None
        before = len(rig.texts_to(minh))
        await rig.run_at("2023-10-19 08:00")
        assert len(rig.texts_to(minh)) == before + 1  # reminders resume
