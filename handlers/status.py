"""Status replies in a few words, status buttons, and choosing the task when a reply names none."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import callbacks
from bot.messaging import Button, Outgoing, Response, plain
from bot.services import access
from bot.services.reporting import record_extension, record_status
from bot.services.tasks import load_task, open_tasks
from bot.understanding import Understanding, read_reply
from handlers import pending
from handlers.context import UNREAD, Context
from handlers.render import short, status_label, task_heading
from handlers.start import help_text
from handlers.tasks import list_overdue, list_tasks
from storage import conversations

CHOICES_SHOWN = 8


def reading_from_dict(data: dict[str, Any]) -> Understanding:
    return Understanding(
        intent=data["intent"],
        task=data.get("task"),
        status=data.get("status"),
        percent=data.get("percent"),
        date=date.fromisoformat(data["date"]) if data.get("date") else None,
        note=data.get("note"),
    )


FOLLOWS_A_TASK = ("focus", "evidence", "reason")


async def referenced_task(
    ctx: Context, explicit: int | None, state: dict[str, Any] | None, *, kinds: tuple[str, ...] = FOLLOWS_A_TASK
) -> int | None:
    """The task a message is about: named in it, the bot message it replies to, or the one the chat's pending
    state (of one of `kinds`) is about."""
    if explicit is not None:
        return explicit
    if ctx.incoming.reply_to_message_id is not None:
        replied = ctx.replied_task
        if replied is UNREAD:
            replied = await conversations.task_of_message(
                ctx.session, channel=ctx.channel, chat_id=ctx.chat_id, message_id=ctx.incoming.reply_to_message_id
            )
        if replied is not None:
            return replied
    return pending.task_of(state, *kinds)


def _is_a_reason(reading: Understanding) -> bool:
    """After "what is blocking?", a reply is the reason unless it names a task, says done, gives a percent or
    asks for an extension ("chưa xong vì thiếu kinh phí" and "đang chờ Sở Tài chính" are reasons)."""
    if reading.task is not None or reading.percent is not None:
        return False
    return reading.intent == "unknown" or (reading.intent == "status" and reading.status != "done")


async def handle_text(ctx: Context, text: str) -> Response:
    """A free-text message from a member: a status, an extension request, a question, or nothing we record."""
    reading = read_reply(text, today=ctx.today)
    state = await pending.load(ctx)
    reason_for = pending.task_of(state, "reason")
    if reason_for is not None and _is_a_reason(reading) and text.strip():
        note = reading.note if reading.status == "blocked" and reading.note else text.strip()
        return await apply(ctx, reason_for, Understanding("status", reason_for, "blocked", None, None, note), text)
    if reading.intent == "list":
        return await list_tasks(ctx)
    if reading.intent == "overdue":
        return await list_overdue(ctx)
    if reading.intent == "help":
        return help_text(ctx)
    if reading.intent == "unknown":
        return Response([Outgoing(ctx.t._(
            "I did not record any status from that. To report, reply e.g. \"xong\", \"đang làm 50%\", "
            "\"vướng: thiếu kinh phí\" or \"xin gia hạn đến 15/6\", with #12 for the task."
        ))])
    task_id = await referenced_task(ctx, reading.task, state)
    if task_id is not None:
        return await apply(ctx, task_id, reading, text)
    lines = await open_tasks(ctx.session, member=ctx.registered(), today=ctx.today)
    if len(lines) == 1 and lines[0].task.id is not None:
        return await apply(ctx, lines[0].task.id, reading, text)
    if not lines:
        return Response([Outgoing(ctx.t._("Your unit has no open tasks; please add the task number, e.g. #12."))])
    await pending.save(ctx, "choose_status", reading=reading.to_json_dict(), text=text)
    shown = lines[:CHOICES_SHOWN]
    buttons = [
        [Button(f"#{line.task.id} {short(line.task.title, 28)}", callbacks.encode("choose_task", line.task.id or 0))]
        for line in shown
    ]
    question = ctx.t._("Which task is this about? Tap one, or reply again with the number, e.g. #12.")
    return Response([Outgoing(question, buttons=buttons)])


async def apply(ctx: Context, task_id: int, reading: Understanding, original_text: str | None) -> Response:
    """Records the reading for the task and confirms it in one message about that task."""
    member = ctx.registered()
    t = ctx.t
    if reading.intent == "extension":
        task, request = await record_extension(
            ctx.session, member=member, task_id=task_id, requested_due=reading.date,
            reason=reading.note, original_text=original_text, channel=ctx.channel,
            at=ctx.incoming.received_at,
        )
        await pending.clear(ctx)
        wanted = t.date(request.requested_due) if request.requested_due else t._("a later date")
        current = t.date(task.due) if task.due else (plain(task.deadline_text or "") or t._("none"))
        text = t._(
            "Extension request for {task} to {date} sent to the chief of office. "
            "Until it is approved the deadline stays {current}.",
            task=f"#{task.id}", date=wanted, current=current,
        )
        return Response([Outgoing(f"{task_heading(task)}\n{text}", task_id=task.id)])
    status = reading.status or "in_progress"
    task, report = await record_status(
        ctx.session, member=member, task_id=task_id, status=status, percent=reading.percent,
        expected_on=reading.date, note=reading.note, original_text=original_text, channel=ctx.channel,
        at=ctx.incoming.received_at,
    )
    await pending.save(ctx, "focus", task=task_id)
    lines = [task_heading(task), t._("Recorded: {status}.", status=status_label(t, report))]
    if report.expected_on is not None:
        lines.append(t._("Expected completion: {date}.", date=t.date(report.expected_on)))
    buttons: list[list[Button]] = []
    if status == "done":
        lines.append(t._("Thank you! You can send the evidence now (a file with caption #{id}).", id=task.id))
        buttons = [[Button(t._("📎 Send evidence"), callbacks.encode("send_evidence", task_id))]]
    elif status == "in_progress" and report.percent is None:
        lines.append(t._("You can add the progress, e.g. \"50%\" or \"dự kiến xong 30/5\"."))
    return Response([Outgoing("\n".join(lines), buttons=buttons, task_id=task.id)])


async def status_button(ctx: Context, task_id: int, status: str) -> Response:
    """A status button on a task message. Blocked asks for the reason first."""
    if status == "blocked":
        _, links = await load_task(ctx.session, task_id=task_id)
        access.acting_link(ctx.registered(), links)
        await pending.save(ctx, "reason", task=task_id)
        return Response(
            [Outgoing(ctx.t._("What is blocking task #{id}? Reply with the reason in a few words.", id=task_id), task_id=task_id)]
        )
    reading = Understanding("status", task_id, status, None, None, None)
    response = await apply(ctx, task_id, reading, None)
    return Response(response.messages, notice=ctx.t._("Recorded."))
