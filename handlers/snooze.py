"""Snoozing reminders: the buttons under a reminder, and texts like "nhắc lại mai" or "#12 nhắc lại sau 2 giờ".

A snooze postpones this member's reminders about those tasks until the chosen time, then sends one reminder.
It is not ignoring: nothing is escalated because of it, and escalation keeps its own clock.
"""

from __future__ import annotations

import re
from datetime import datetime

from babel.dates import format_date
from sqlalchemy import select

from bot.errors import NotAllowed
from bot.messaging import Outgoing, Response
from bot.understanding.normalize import fold
from bot.understanding.refs import find_task_ref
from handlers.context import Context
from scheduler.calendar import WorkingCalendar
from scheduler.planner import Kind
from scheduler.snooze import IN_TWO_HOURS, MONDAY, OPTIONS, TOMORROW, snooze_until
from storage import audit
from storage import calendar as calendar_store
from storage.models import OutboxMessage, OutboxState, ReminderItem, Snooze
from storage.plans import task_with_units

_WHEN = (
    (re.compile(r"\b(2|hai) ?(gio|tieng|h)\b|\b(in )?2 hours?\b|\btwo hours\b"), IN_TWO_HOURS),
    (re.compile(r"\b(ngay )?mai\b|\btomorrow\b"), TOMORROW),
    (re.compile(r"\b(thu (hai|2)|t2|monday)\b"), MONDAY),
)
_ASKS = re.compile(r"\b(nhac( lai| toi| em| minh| tui| anh| chi)?( lai)?( sau| vao)?|remind me( again)?|snooze)\b")


def read_snooze(text: str) -> tuple[int, int | None] | None:
    """(option, task id or None) when `text` asks to be reminded later; None otherwise."""
    folded = fold(text)
    if not _ASKS.search(folded):
        return None
    for pattern, option in _WHEN:
        if pattern.search(folded):
            ref = find_task_ref(folded)
            return option, ref[0] if ref else None
    return None


async def snooze_text(ctx: Context, option: int, task_id: int | None) -> Response:
    """Which tasks: the one named, else the reminder replied to, else the member's latest reminder today."""
    member = ctx.registered()
    if task_id is not None:
        found = await task_with_units(ctx.session, task_id=task_id)
        if found is None or not any(link.unit_id == member.unit_id for link in found[1]):
            raise NotAllowed()
        return await _snooze(ctx, [task_id], option)
    message = await _replied_reminder(ctx) or await _latest_reminder(ctx)
    if message is None:
        return Response([Outgoing(ctx.t._(
            "Which reminder? Reply to the reminder message, or name the task, e.g. \"#12 nhắc lại mai\"."))])
    return await _snooze(ctx, await _tasks_of(ctx, message.id or 0), option)


async def snooze_button(ctx: Context, outbox_id: int, option: int) -> Response:
    message = await ctx.session.get(OutboxMessage, outbox_id)
    if message is None or message.member_id != ctx.registered().id or option not in OPTIONS:
        return Response(notice=ctx.t._("This button is no longer valid."))
    return await _snooze(ctx, await _tasks_of(ctx, outbox_id), option, notice=True)


async def _replied_reminder(ctx: Context) -> OutboxMessage | None:
    if ctx.incoming.reply_to_message_id is None:
        return None
    return (await ctx.session.exec(
        select(OutboxMessage).where(
            OutboxMessage.member_id == ctx.registered().id, OutboxMessage.channel == ctx.channel,
            OutboxMessage.chat_id == ctx.chat_id, OutboxMessage.message_id == ctx.incoming.reply_to_message_id,
        )
    )).scalar_one_or_none()


async def _latest_reminder(ctx: Context) -> OutboxMessage | None:
    return (await ctx.session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.member_id == ctx.registered().id, OutboxMessage.state == OutboxState.SENT,
               OutboxMessage.day == ctx.deps.clock.now().astimezone(ctx.deps.settings.zone).date(),
               OutboxMessage.notice.is_(None))  # type: ignore[union-attr]
        .order_by(OutboxMessage.sent_at.desc())  # type: ignore[union-attr]
        .limit(1)
    )).scalar_one_or_none()


async def _tasks_of(ctx: Context, outbox_id: int) -> list[int]:
    rows = await ctx.session.exec(
        select(ReminderItem.task_id).where(ReminderItem.outbox_id == outbox_id, ReminderItem.kind != Kind.ESCALATION)
        .order_by(ReminderItem.id)
    )
    return list(dict.fromkeys(task_id for (task_id,) in rows.all()))


async def _snooze(ctx: Context, task_ids: list[int], option: int, *, notice: bool = False) -> Response:
    t = ctx.t
    if not task_ids:
        text = t._("There is nothing to snooze in this reminder.")
        return Response(notice=text) if notice else Response([Outgoing(text)])
    member = ctx.registered()
    settings = ctx.deps.settings
    calendar = WorkingCalendar(await calendar_store.overrides(ctx.session))
    now = ctx.deps.clock.now()
    until = snooze_until(option, now, zone=settings.zone, calendar=calendar,
                         reminder_time=member.reminder_time or settings.reminder_time,
                         quiet=(settings.quiet_hours_start, settings.quiet_hours_end))
    for task_id in task_ids:
        ctx.session.add(Snooze(member_id=member.id or 0, task_id=task_id, until=until))
    await audit.record_change(ctx.session, actor=f"{ctx.channel}:{ctx.incoming.sender_id}", action="reminder.snooze",
                              entity="task", entity_id=task_ids[0], member_id=member.id,
                              detail={"tasks": task_ids, "until": until.isoformat()})
    tasks = ", ".join(f"#{task_id}" for task_id in task_ids)
    text = t._("OK, I will remind you about {tasks} {when}.", tasks=tasks, when=_when(ctx, until, now))
    return Response(notice=text) if notice else Response([Outgoing(text)])


def _when(ctx: Context, until: datetime, now: datetime) -> str:
    t = ctx.t
    zone = ctx.deps.settings.zone
    local = until.astimezone(zone)
    clock = local.strftime("%H:%M")
    if local.date() == now.astimezone(zone).date():
        return t._("at {time} today", time=clock)
    weekday = format_date(local.date(), "EEEE", locale=t.locale)
    return t._("at {time} on {weekday} {date}", time=clock, weekday=weekday, date=t.date(local.date()))
